//! The one-time indexing of a file the previous release wrote (schema 1) reports how far it
//! is: `serve` prints `indexing customers: N of M` lines on stderr, another writable command
//! draws a bar on a terminal and prints nothing in a pipe. Every test works on a copy of
//! the committed sample `tests/data/files/schema-1.redb` (12 customers), never the sample.

mod common;
#[path = "common/serve.rs"]
mod serve;

use common::Sandbox;
use serve::Server;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-27";

/// A copy of the schema-1 sample in `sb`.
fn old_file(sb: &Sandbox) -> PathBuf {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/files/schema-1.redb"
    );
    let path = sb.path("old.redb");
    std::fs::copy(sample, &path).unwrap();
    path
}

/// Waits (at most 30 s) until the server's stderr holds `line`.
fn wait_for(server: &Server, line: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let said = server.stderr();
        if said.lines().any(|l| l == line) || Instant::now() > deadline {
            return said;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_prints_how_far_the_indexing_is() {
    let sb = Sandbox::new();
    let path = old_file(&sb);
    assert_eq!(common::stored_schema(&path), 1);
    let server = Server::start(&path, TODAY, &[]);
    let said = wait_for(&server, "indexing customers: 12 of 12");
    let lines: Vec<&str> = said.lines().filter(|l| l.starts_with("indexing")).collect();
    assert_eq!(
        lines,
        [
            "indexing customers: 0 of 12",
            "indexing customers: 12 of 12"
        ],
        "{said}"
    );
    let page = server.request("GET", "/api/customers?limit=1", None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.json()["total"], 12);
    drop(server);
    assert_eq!(
        common::stored_schema(&path),
        clientele::store::SCHEMA_VERSION
    );

    // Indexed once: the next start has nothing to say about it.
    let again = Server::start(&path, TODAY, &[]);
    assert_eq!(again.request("GET", "/api/customers", None).status, 200);
    assert!(!again.stderr().contains("indexing"), "{}", again.stderr());
}

#[test]
fn a_command_in_a_pipe_indexes_without_a_word() {
    let sb = Sandbox::new();
    let path = old_file(&sb);
    let db = path.to_str().unwrap();
    let out = common::run(
        sb.dir.path(),
        &["--db", db, "--today", TODAY, "settings", "--view", "all"],
        None,
        &[],
    );
    out.ok();
    assert_eq!(out.stderr, "");
    assert_eq!(
        common::stored_schema(&path),
        clientele::store::SCHEMA_VERSION
    );
}

#[test]
fn a_command_on_a_terminal_draws_a_bar_while_indexing() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no terminal can be made");
        return;
    }
    let sb = Sandbox::new();
    let path = old_file(&sb);
    let cmd = format!(
        "{} --db {} --today {TODAY} settings --view all",
        common::bin(),
        path.display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("indexing ["), "{text}");
    assert!(text.contains("12/12 customers ("), "{text}");
    assert_eq!(
        common::stored_schema(&path),
        clientele::store::SCHEMA_VERSION
    );
}

/// The indexes built while reporting are the ones a rebuild gives, and the hook hears the
/// start and the end; an open with nothing to upgrade reports nothing.
#[test]
fn the_reported_build_equals_a_rebuild() {
    use clientele::domain::date::Date;
    use clientele::store::{Access, Store};
    use clientele::tasks::desk::Desk;
    use std::sync::{Arc, Mutex};
    let sb = Sandbox::new();
    let path = old_file(&sb);
    let calls = Arc::new(Mutex::new(Vec::new()));
    let open = || {
        let heard = calls.clone();
        let hook = move |done, total| heard.lock().unwrap().push((done, total));
        Store::reporting_upgrade(Box::new(hook), || {
            Desk::open(&path, Access::Write, Date::parse(TODAY)).unwrap()
        })
    };
    let desk = open();
    let r = desk.store().read().unwrap();
    assert!(r.has_indexes().unwrap());
    assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
    drop((r, desk));
    assert_eq!(*calls.lock().unwrap(), [(0, 12), (12, 12)]);
    drop(open());
    assert_eq!(
        calls.lock().unwrap().len(),
        2,
        "a schema-2 file is not indexed again"
    );
}
