//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the fixed crashes
//! (`fuzz/regressions/<target>/`) through the same `clientele::fuzzing` functions the fuzz
//! targets call, so every input the fuzzer kept stays checked on every `cargo test`, without
//! cargo-fuzz or a nightly compiler.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.map(|e| e.expect("a corpus entry").path()));
    }
    files.sort();
    files
}

/// Runs every input, then fails naming each one that panicked.
fn replay(target: &str, run: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "fuzz/corpus/{target}/ is empty");
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a corpus file");
            catch_unwind(AssertUnwindSafe(|| run(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} inputs fail:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

macro_rules! targets {
    ($($name:ident),+ $(,)?) => {$(
        #[test]
        fn $name() {
            replay(stringify!($name), clientele::fuzzing::$name);
        }
    )+};
}

targets!(
    csv_import,
    license_cell,
    filter_query,
    form_body,
    multipart_body,
    api_json,
    console_form,
    record_decode,
    http_head,
);
