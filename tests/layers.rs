//! The layers of ARCHITECTURE.md, read from the code: each top-level module of `src` may
//! name (as `crate::X`) only the modules below it, so there are no upward edges and no
//! cycles. A test that reads the source, so the picture cannot drift from the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use. `cli` may hand `serve` to `web`; `web`
/// never uses `cli`.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("store", &["domain"]),
    ("tasks", &["domain", "store"]),
    ("demo", &["domain", "store", "tasks"]),
    ("web", &["domain", "store", "tasks", "demo"]),
    ("cli", &["domain", "store", "tasks", "demo", "web"]),
    // Entry points for the fuzz targets: they drive every layer, and nothing uses them.
    (
        "fuzzing",
        &["domain", "store", "tasks", "demo", "web", "cli"],
    ),
];

/// The top-level modules a piece of Rust source names as `crate::X` (comments included:
/// a doc link upwards is an upward edge too).
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let before = rest[..at].chars().next_back();
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // `clientele::crate::` never occurs; `$crate::` (macros) names this crate too.
        if !name.is_empty() && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.insert(name);
        }
        rest = after;
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// For each top-level module, the top-level modules its files name.
fn edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, _) in ALLOWED {
        let dir = src.join(module);
        let mut files = Vec::new();
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        let named = out.entry(module.to_string()).or_default();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            named.extend(named_modules(&text).into_iter().filter(|m| m != module));
        }
    }
    out
}

#[test]
fn every_top_level_module_is_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let layered: BTreeSet<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    assert_eq!(declared, layered, "src/lib.rs and the layer table disagree");
}

#[test]
fn no_module_uses_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, named) in edges(&src) {
        let allowed = ALLOWED.iter().find(|(m, _)| *m == module).unwrap().1;
        for other in named {
            if !allowed.contains(&other.as_str()) {
                wrong.push(format!("{module} uses {other}"));
            }
        }
    }
    assert!(wrong.is_empty(), "upward or unknown edges: {wrong:?}");
}

/// The reader itself: it must see an upward edge where one is written.
#[test]
fn the_reader_finds_edges_in_uses_paths_and_docs() {
    let text = "use crate::domain::model::Customer;\n\
                fn f() { crate::tasks::desk::Desk::open(); }\n\
                /// See [`crate::web::serve`].\n\
                let x = notcrate::store::y; use $crate::demo;";
    let found: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(found, ["demo", "domain", "tasks", "web"]);
}
