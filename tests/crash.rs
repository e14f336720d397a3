//! SPEC §6: a crash at any moment loses no committed change and never corrupts the file.
//!
//! Debug builds abort where `CLIENTELE_FAILPOINT` says: right before or right after the
//! commit of a write transaction. Each test checks that the process really died there (by
//! SIGABRT, after printing the failpoint's line), then that the task left nothing (before
//! the commit) or all of itself (after it), and that the file still works.

mod common;
#[path = "common/serve.rs"]
mod serve;

use common::{Output, Sandbox};
use serve::Server;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-27";

fn cli(db: &Path, args: &[&str]) -> Output {
    common::on_db(db, TODAY, args)
}

#[track_caller]
fn ok(db: &Path, args: &[&str]) -> String {
    let out = cli(db, args);
    out.ok();
    out.stdout
}

#[track_caller]
fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let out = ok(db, &all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn total(db: &Path) -> u64 {
    json(db, &["list", "--limit", "1"])["total"]
        .as_u64()
        .unwrap()
}

/// Everything a user can see of the customers, in one string.
fn export(db: &Path) -> String {
    ok(db, &["export", "--all"])
}

/// Asserts that the process died by the failpoint `point`: SIGABRT, after its line.
#[track_caller]
fn assert_died_at(status: ExitStatus, stderr: &str, point: &str) {
    assert_eq!(
        status.signal(),
        Some(libc::SIGABRT),
        "expected an abort at {point}, got {status:?}; stderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("failpoint {point}: aborting")),
        "the abort was not the failpoint {point}; stderr: {stderr}"
    );
}

/// Runs `clientele ARGS…` on `db` with the failpoint `point` switched on and checks that
/// it died there (within two minutes).
#[track_caller]
fn crash_at(db: &Path, args: &[&str], point: &str) {
    let mut cmd = Command::new(common::bin());
    cmd.current_dir(db.parent().unwrap())
        .args(["--db", db.to_str().unwrap(), "--today", TODAY])
        .args(args)
        .env("CLIENTELE_FAILPOINT", point)
        .env_remove("CLIENTELE_TODAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    serve::no_core_dumps(&mut cmd);
    let mut child = cmd.spawn().expect("start clientele");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait for clientele").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{args:?} with the failpoint {point} did not end within two minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child
        .wait_with_output()
        .expect("collect clientele's output");
    assert_died_at(out.status, &String::from_utf8_lossy(&out.stderr), point);
}

/// A database with the plans and templates of `source`, and no customers.
fn catalogue_of(source: &Path, target: &Path) {
    for p in json(source, &["plan", "list"]).as_array().unwrap() {
        let months = p["months"].to_string();
        ok(
            target,
            &[
                "plan",
                "add",
                "--name",
                p["name"].as_str().unwrap(),
                "--product",
                p["product"].as_str().unwrap(),
                "--months",
                &months,
            ],
        );
    }
    for t in json(source, &["template", "list"]).as_array().unwrap() {
        ok(
            target,
            &[
                "template",
                "add",
                "--name",
                t["name"].as_str().unwrap(),
                "--product",
                t["product"].as_str().unwrap(),
            ],
        );
    }
}

/// 300 demo customers of `seed` exported to a CSV file, and a database holding their plans
/// and templates and no customers: (the CSV, the database).
fn export_and_catalogue(sb: &Sandbox, seed: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let source = sb.path("source.redb");
    ok(&source, &["demo", "--customers", "300", "--seed", seed]);
    let csv = sb.path("all.csv");
    ok(
        &source,
        &["export", "--all", "--output", csv.to_str().unwrap()],
    );
    let target = sb.path("target.redb");
    catalogue_of(&source, &target);
    (csv, target)
}

/// An import is one transaction: killed right before its commit nothing of it is there,
/// right after it all of it is.
#[test]
fn a_killed_import_leaves_all_or_nothing() {
    let sb = Sandbox::new();
    let (csv, target) = export_and_catalogue(&sb, "5");
    let import = ["import", csv.to_str().unwrap()];

    let empty = export(&target);
    crash_at(&target, &import, "before-commit");
    assert_eq!(total(&target), 0);
    assert_eq!(export(&target), empty);

    crash_at(&target, &import, "after-commit");
    assert_eq!(total(&target), 300);
    // Everything arrived: importing the same file again changes nothing.
    let imported = export(&target);
    let again = json(&target, &["import", csv.to_str().unwrap(), "--dry-run"]);
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
    ok(&target, &import);
    assert_eq!(export(&target), imported);
    assert_eq!(total(&target), 300);
}

/// Killed while its commit's pages are being written (some queued for the writing thread,
/// some in the file, the header not), an import leaves the file as it was, and the same
/// import then runs to the end.
#[test]
fn an_import_killed_among_its_writes_leaves_the_file_as_it_was() {
    let sb = Sandbox::new();
    let (csv, target) = export_and_catalogue(&sb, "6");
    let contact = [
        ("--contact-first-name", "Zoë"),
        ("--contact-last-name", "=SUM(1)"),
        ("--email", "zoe@example.com"),
        ("--city", "東京"),
        ("--state", "Tōkyō"),
        ("--country", "JP"),
    ];
    ok(
        &target,
        &common::add_args("Before, \"the\" import 🚀", "before", &contact),
    );
    let before = export(&target);
    let import = ["import", csv.to_str().unwrap()];

    crash_at(&target, &import, "write-queued");
    assert_eq!(total(&target), 1);
    assert_eq!(export(&target), before);
    ok(&target, &["check"]);

    ok(&target, &import);
    assert_eq!(total(&target), 301);
}

/// A bulk task commits once: killed right before the commit nothing is deleted, right
/// after it exactly what the task deletes when it runs to the end.
#[test]
fn a_killed_bulk_delete_leaves_all_or_nothing() {
    let sb = Sandbox::new();
    let db = &sb.db;
    ok(db, &["demo", "--customers", "60", "--seed", "2"]);
    let delete = ["delete", "--all", "--yes"];
    let planned = json(db, &["delete", "--all", "--yes", "--dry-run"])["ok"]
        .as_u64()
        .unwrap();
    assert!(planned > 0, "the demo data has nothing to delete");
    // What the task leaves when nothing interrupts it, on a copy.
    let reference = sb.path("reference.redb");
    ok(db, &["backup", reference.to_str().unwrap()]);
    ok(&reference, &delete);

    let before = export(db);
    crash_at(db, &delete, "before-commit");
    assert_eq!(export(db), before);
    assert_eq!(total(db), 60);

    crash_at(db, &delete, "after-commit");
    assert_eq!(total(db), 60 - planned);
    assert_eq!(export(db), export(&reference));
    let after = json(db, &["delete", "--all", "--yes", "--dry-run"]);
    assert_eq!(after["ok"], 0, "{after}");
}

/// A write through the server: killed right before the commit the customer is not there,
/// right after it the customer is, whole.
#[test]
fn a_killed_server_write_leaves_all_or_nothing() {
    let sb = Sandbox::new();
    let db = &sb.db;
    ok(db, &["demo", "--customers", "5", "--seed", "1"]);
    let body = serde_json::json!({
        "company": "Crash, \"Test\" & Co", "account_name": "crash-test",
        "account_type": "CLP", "contact_first_name": "Ada", "contact_last_name": "Byron",
        "email": "ada@example.com", "city": "Berlin", "state": "Berlin", "country": "DE",
        "notes": "line one\nline two",
    })
    .to_string();

    let before = export(db);
    let mut server = Server::start(db, TODAY, &[("CLIENTELE_FAILPOINT", "before-commit")]);
    let r = server.try_request("POST", "/api/customers", Some(&body));
    assert!(r.is_err(), "the server answered instead of dying: {r:?}");
    let status = server.wait_exit(Duration::from_secs(60));
    assert_died_at(status, &server.stderr(), "before-commit");
    drop(server);
    assert_eq!(export(db), before);
    assert_eq!(cli(db, &["show", "crash-test"]).code, 1);

    let mut server = Server::start(db, TODAY, &[("CLIENTELE_FAILPOINT", "after-commit")]);
    let r = server.try_request("POST", "/api/customers", Some(&body));
    assert!(r.is_err(), "the server answered instead of dying: {r:?}");
    let status = server.wait_exit(Duration::from_secs(60));
    assert_died_at(status, &server.stderr(), "after-commit");
    drop(server);
    assert_eq!(total(db), 6);
    let shown = json(db, &["show", "crash-test"]);
    assert_eq!(shown["company"], "Crash, \"Test\" & Co", "{shown}");
    assert_eq!(shown["notes"], "line one\nline two", "{shown}");
}
