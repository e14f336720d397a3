//! The one-time upgrade of a file an older release wrote reports how far it is: `serve`
//! prints `indexing customers: N of M` lines on stderr, another writable command draws a bar
//! on a terminal and prints nothing in a pipe. Every test works on a copy of a committed
//! sample `tests/data/files/schema-N.redb` (12 customers each), never the sample.

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
    sample(sb, 1)
}

/// A copy of the sample of schema `version` in `sb`.
fn sample(sb: &Sandbox, version: u32) -> PathBuf {
    let sample = format!(
        "{}/tests/data/files/schema-{version}.redb",
        env!("CARGO_MANIFEST_DIR")
    );
    let path = sb.path("old.redb");
    std::fs::copy(sample, &path).unwrap();
    assert_eq!(common::stored_schema(&path), version);
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
    draws_a_bar_while_upgrading(1);
}

/// Schema 2 is upgraded in four walks over its customers (search, facts, expiry months,
/// open events): one bar counts them as one pass.
#[test]
fn a_command_on_a_terminal_draws_one_bar_over_every_step_of_an_upgrade() {
    draws_a_bar_while_upgrading(2);
}

fn draws_a_bar_while_upgrading(version: u32) {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no terminal can be made");
        return;
    }
    let sb = Sandbox::new();
    let path = sample(&sb, version);
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

/// Every older schema's upgrade reports to the hook as one count of customers: it starts at
/// 0, never goes down or changes its total, and reaches the total once, at the end (schema
/// 1, one walk, reports just the two); the file then holds every index a rebuild gives, and
/// the next open reports nothing.
#[test]
fn every_older_schema_reports_its_upgrade_as_one_count() {
    use clientele::domain::date::Date;
    use clientele::store::{Access, Store};
    use clientele::tasks::desk::Desk;
    use std::sync::{Arc, Mutex};
    for version in 1..clientele::store::SCHEMA_VERSION {
        let sb = Sandbox::new();
        let path = sample(&sb, version);
        let calls = Arc::new(Mutex::new(Vec::new()));
        let open = || {
            let heard = calls.clone();
            let hook = move |done, total| heard.lock().unwrap().push((done, total));
            Store::reporting_upgrade(Box::new(hook), || {
                Desk::open(&path, Access::Write, Date::parse(TODAY)).unwrap()
            })
        };
        let desk = open();
        let heard = calls.lock().unwrap().clone();
        if version == 1 {
            assert_eq!(heard, [(0, 12), (12, 12)]);
        }
        assert_eq!(heard.first(), Some(&(0, 12)), "schema {version}: {heard:?}");
        assert_eq!(heard.last(), Some(&(12, 12)), "schema {version}: {heard:?}");
        assert!(
            heard.windows(2).all(|w| w[0].0 <= w[1].0),
            "schema {version} went down: {heard:?}"
        );
        assert!(heard.iter().all(|&(_, total)| total == 12), "{heard:?}");
        assert_eq!(
            heard.iter().filter(|&&(done, _)| done == 12).count(),
            1,
            "schema {version} reached the end before its last step: {heard:?}"
        );
        let r = desk.store().read().unwrap();
        assert!(r.has_indexes().unwrap());
        assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
        drop((r, desk));
        calls.lock().unwrap().clear();
        drop(open());
        assert_eq!(
            *calls.lock().unwrap(),
            [],
            "schema {version} upgraded twice"
        );
    }
}
