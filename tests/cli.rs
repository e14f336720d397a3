//! The command line, end to end: every test runs the real binary against its own fresh
//! database in a temporary directory, with a fixed *today*.

mod common;

use clientele::domain::error::Error;
use common::{run, Output, Sandbox};
use serde_json::Value;
use std::process::Command;

const TODAY: &str = "2026-11-27";

/// The contact and place every customer that `Desk::add` writes starts with.
const CONTACT: [(&str, &str); 6] = [
    ("--contact-first-name", "Anna"),
    ("--contact-last-name", "Example"),
    ("--email", "anna@example.com"),
    ("--city", "Berlin"),
    ("--state", "Berlin"),
    ("--country", "DE"),
];

/// One test's desk: a sandbox and helpers that run `clientele --db DB --today TODAY …`.
struct Desk {
    sb: Sandbox,
}

impl Desk {
    fn new() -> Desk {
        Desk { sb: Sandbox::new() }
    }

    fn db(&self) -> &str {
        self.sb.db.to_str().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(args, None)
    }

    fn run_in(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        self.run_on(TODAY, args, stdin)
    }

    /// Runs a command as if today were `today`.
    fn run_on(&self, today: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut all = vec!["--db", self.db(), "--today", today];
        all.extend_from_slice(args);
        run(self.sb.dir.path(), &all, stdin, &[])
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        out.ok();
        out.stdout
    }

    /// Runs a command that must fail with exit code 1; returns its standard error.
    #[track_caller]
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        out.expect_code(1);
        assert!(out.stderr.starts_with("error: "), "stderr: {}", out.stderr);
        out.stderr
    }

    #[track_caller]
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--format", "json"]);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    /// `list --format json` with extra filter flags.
    #[track_caller]
    fn list(&self, filters: &[&str]) -> Value {
        let mut args = vec!["list"];
        args.extend_from_slice(filters);
        self.json(&args)
    }

    fn total(&self, filters: &[&str]) -> u64 {
        self.list(filters)["total"].as_u64().unwrap()
    }

    #[track_caller]
    fn customer(&self, key: &str) -> Value {
        self.json(&["show", key])
    }

    fn plans(&self) {
        for (name, product, months, extra) in [
            ("WFBS-S Full 12", "wfbss", "12", None),
            ("WFBS-S Trial", "wfbss", "1", Some("--trial")),
            ("CE Full 12", "cloud-edge", "12", None),
            ("HES Full", "hes", "12", Some("--unmanaged")),
        ] {
            let mut args = plan_add(name, product, months);
            args.extend(extra);
            self.ok(&args);
        }
    }

    /// Runs each row's command, which must be refused with a message containing every one
    /// of the row's words; a failure names the row.
    #[track_caller]
    fn refuses_all(&self, rows: &[(Vec<&str>, &[&str])]) {
        for (args, words) in rows {
            let e = self.refused(args);
            for word in *words {
                assert!(e.contains(word), "{args:?}: message lacks {word:?}: {e}");
            }
        }
    }

    /// Adds a valid customer and returns its id; `extra` flags replace or add to the
    /// defaults (an LMP or CLP customer in Berlin with a contact).
    #[track_caller]
    fn add(&self, company: &str, account: &str, kind: &str, extra: &[&str]) -> u64 {
        let named = [
            ("--company", company),
            ("--account-name", account),
            ("--account-type", kind),
        ];
        let mut args = vec!["add", "--format", "json"];
        for (flag, value) in named.into_iter().chain(CONTACT) {
            if !extra.contains(&flag) {
                args.extend_from_slice(&[flag, value]);
            }
        }
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        let v: Value = serde_json::from_str(&out).unwrap();
        v["id"].as_u64().unwrap()
    }
}

/// `plan add --name NAME --product PRODUCT --months MONTHS`.
fn plan_add<'a>(name: &'a str, product: &'a str, months: &'a str) -> Vec<&'a str> {
    vec![
        "plan",
        "add",
        "--name",
        name,
        "--product",
        product,
        "--months",
        months,
    ]
}

/// `license add CUSTOMER --plan PLAN --units UNITS`.
fn license_add<'a>(customer: &'a str, plan: &'a str, units: &'a str) -> Vec<&'a str> {
    vec!["license", "add", customer, "--plan", plan, "--units", units]
}

/// `device add CUSTOMER --name NAME --serial SERIAL --model CE100 --firmware FIRMWARE`.
fn device_add<'a>(
    customer: &'a str,
    name: &'a str,
    serial: &'a str,
    firmware: &'a str,
) -> Vec<&'a str> {
    vec![
        "device",
        "add",
        customer,
        "--name",
        name,
        "--serial",
        serial,
        "--model",
        "CE100",
        "--firmware",
        firmware,
    ]
}

/// `event add CUSTOMER --kind KIND --severity SEVERITY --category CATEGORY --message MESSAGE`.
fn event_add<'a>(
    customer: &'a str,
    kind: &'a str,
    severity: &'a str,
    category: &'a str,
    message: &'a str,
) -> Vec<&'a str> {
    vec![
        "event",
        "add",
        customer,
        "--kind",
        kind,
        "--severity",
        severity,
        "--category",
        category,
        "--message",
        message,
    ]
}

/// `deploy-policy --list LIST --action ACTION` and the rest.
fn deploy<'a>(list: &'a str, action: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["deploy-policy", "--list", list, "--action", action];
    args.extend_from_slice(rest);
    args
}

/// `add` with every required flag: company and account name given, the rest fixed.
fn add_full<'a>(company: &'a str, account: &'a str) -> Vec<&'a str> {
    common::add_args(
        company,
        account,
        &[
            ("--contact-first-name", "A"),
            ("--contact-last-name", "B"),
            ("--email", "a@b.example"),
            ("--city", "X"),
            ("--state", "Y"),
            ("--country", "US"),
        ],
    )
}

fn len(list: &Value) -> usize {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .len()
}

fn ids(page: &Value) -> Vec<u64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect()
}

// ---------------------------------------------------------------- help and parsing

#[test]
fn help_reads_well_for_every_command() {
    let sb = Sandbox::new();
    let out = run(sb.dir.path(), &["--help"], None, &[]);
    out.ok();
    for word in [
        "Usage: clientele",
        "--db",
        "--today",
        "list",
        "deploy-policy",
        "Exit codes",
    ] {
        assert!(
            out.stdout.contains(word),
            "missing {word} in\n{}",
            out.stdout
        );
    }
    let commands: &[&[&str]] = &[
        &["list"],
        &["show"],
        &["add"],
        &["edit"],
        &["delete"],
        &["suspend"],
        &["reactivate"],
        &["assign-template"],
        &["deploy-policy"],
        &["update-firmware"],
        &["renew"],
        &["export"],
        &["import"],
        &["settings"],
        &["log"],
        &["runs"],
        &["runway"],
        &["backup"],
        &["demo"],
        &["serve"],
        &["plan"],
        &["plan", "add"],
        &["plan", "list"],
        &["plan", "edit"],
        &["plan", "remove"],
        &["template"],
        &["template", "add"],
        &["template", "list"],
        &["template", "show"],
        &["template", "edit"],
        &["template", "remove"],
        &["license"],
        &["license", "add"],
        &["license", "list"],
        &["license", "edit"],
        &["license", "remove"],
        &["device"],
        &["device", "add"],
        &["device", "list"],
        &["device", "edit"],
        &["device", "remove"],
        &["firmware"],
        &["firmware", "set"],
        &["firmware", "list"],
        &["firmware", "remove"],
        &["event"],
        &["event", "add"],
        &["event", "list"],
        &["event", "resolve"],
        &["event", "reopen"],
        &["event", "remove"],
        &["outbox"],
        &["outbox", "list"],
        &["outbox", "show"],
        &["outbox", "export"],
        &["outbox", "remove"],
    ];
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        let out = run(sb.dir.path(), &args, None, &[]);
        out.ok();
        let usage = format!("Usage: clientele {}", c.join(" "));
        assert!(out.stdout.starts_with(&usage), "{c:?}:\n{}", out.stdout);
        assert!(out.stderr.is_empty());
    }
    let delete = run(sb.dir.path(), &["delete", "-h"], None, &[]).stdout;
    assert!(
        delete.contains("--yes") && delete.contains("--dry-run") && delete.contains("--license")
    );
}

#[test]
fn unknown_flags_and_commands_are_refused_with_a_hint() {
    let d = Desk::new();
    d.refuses_all(&[
        (
            vec!["list", "--colour", "red"],
            &["--colour", "clientele list --help"],
        ),
        (vec!["frobnicate"], &["frobnicate", "--help"]),
        (vec!["plan", "add", "--name=x"], &["--name value"]),
        (
            plan_add("x", "wfbss", "twelve"),
            &["--months", "not a whole number"],
        ),
    ]);
    let sb = Sandbox::new();
    let out = run(sb.dir.path(), &["list", "--db", "x.redb"], None, &[]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("go before the command"),
        "{}",
        out.stderr
    );
}

#[test]
fn arguments_that_are_not_utf8_are_refused_without_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let out = std::process::Command::new(common::bin())
        .current_dir(sb.dir.path())
        .arg("--db")
        .arg(std::ffi::OsStr::from_bytes(b"bad\xff.redb"))
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("UTF-8"),
        "{stderr}"
    );
}

#[test]
fn bad_today_is_a_clear_error() {
    let sb = Sandbox::new();
    let out = run(
        sb.dir.path(),
        &["--today", "27.11.2026", "plan", "list"],
        None,
        &[],
    );
    out.expect_code(1);
    assert!(
        out.stderr.contains("--today") && out.stderr.contains("YYYY-MM-DD"),
        "{}",
        out.stderr
    );
    let out = run(
        sb.dir.path(),
        &["plan", "list"],
        None,
        &[("CLIENTELE_TODAY", "tomorrow")],
    );
    out.expect_code(1);
    assert!(out.stderr.contains("CLIENTELE_TODAY"), "{}", out.stderr);
    // The variable works when it is a date.
    let out = run(
        sb.dir.path(),
        &[
            "plan",
            "add",
            "--name",
            "P",
            "--product",
            "hes",
            "--months",
            "1",
        ],
        None,
        &[("CLIENTELE_TODAY", "2026-11-27")],
    );
    out.ok();
}

#[test]
fn read_only_commands_need_an_existing_database() {
    let d = Desk::new();
    let e = d.refused(&["list"]);
    assert!(
        e.contains("there is no database") && e.contains("--db"),
        "{e}"
    );
    assert!(
        !d.sb.db.exists(),
        "a read-only command must not create the file"
    );
}

#[test]
fn demo_fills_the_database_deterministically() {
    let a = Desk::new();
    let b = Desk::new();
    for d in [&a, &b] {
        let out = d.ok(&["demo", "--customers", "25", "--seed", "7"]);
        assert!(!out.trim().is_empty());
    }
    assert_eq!(a.total(&[]), 25);
    let names = |d: &Desk| -> Vec<String> {
        d.list(&["--limit", "100"])["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["account_name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&a), names(&b));
    let e = a.refused(&["demo", "--customers", "many"]);
    assert!(e.contains("--customers"), "{e}");
    // A refused command leaves no database file behind that it made itself.
    let c = Desk::new();
    let e = c.refused(&["demo", "--customers", "1000000000"]);
    assert!(e.contains("--customers"), "{e}");
    assert!(!c.sb.db.exists(), "a refused demo made {}", c.db());
    let e = c.refused(&["add", "--company", "Acme"]);
    assert!(e.contains("--account-name"), "{e}");
    assert!(!c.sb.db.exists(), "a refused add made {}", c.db());
    // A file that was there before stays, even when the command is refused.
    let e = a.refused(&["demo", "--customers", "1"]);
    assert!(e.contains("already holds"), "{e}");
    assert_eq!(a.total(&[]), 25);
}

// ---------------------------------------------------------------- add, edit, show

#[test]
fn add_keeps_awkward_text_exactly() {
    let d = Desk::new();
    d.plans();
    let notes = "Line one, with \"quotes\"; and commas\nLine two 🚀 emoji\n=SUM(A1:A2) stays text";
    let company = "=cmd|' /C calc'!A0 \"Müller\", 株式会社 شركة";
    let id = d.add(
        company,
        "awkward_1",
        "LMP",
        &[
            "--notes",
            notes,
            "--contact-last-name",
            "O'Brien-Łukasz",
            "--city",
            "القاهرة",
            "--state",
            "東京都",
            "--address",
            "Straße 1, \"Hinterhaus\"",
            "--phone",
            "+49 (30) 123-45.6 x7",
            "--time-zone",
            "Africa/Cairo",
            "--language",
            "ar-EG",
            "--plan",
            "WFBS-S Full 12:10",
        ],
    );
    let c = d.customer("awkward_1");
    assert_eq!(c["id"].as_u64(), Some(id));
    assert_eq!(c["company"], company);
    assert_eq!(c["notes"], notes);
    assert_eq!(c["contact_last_name"], "O'Brien-Łukasz");
    assert_eq!(c["city"], "القاهرة");
    assert_eq!(c["state"], "東京都");
    assert_eq!(c["address"], "Straße 1, \"Hinterhaus\"");
    assert_eq!(c["licenses"][0]["start"], TODAY);
    assert_eq!(c["licenses"][0]["expiry"], "2027-11-27");
    // The table view shows it on one line per row, and the notes as a block.
    let shown = d.ok(&["show", &id.to_string()]);
    assert!(
        shown.contains("株式会社") && shown.contains("Line two 🚀 emoji"),
        "{shown}"
    );
    let listed = d.ok(&["list"]);
    assert!(
        listed.lines().nth(1).unwrap().contains("awkward_1"),
        "{listed}"
    );
    // The CSV guards the leading `=` unless --raw.
    let csv = d.ok(&["export", "--all"]);
    assert!(
        csv.contains("\"'=cmd|' /C calc'!A0 \"\"Müller\"\", 株式会社 شركة\""),
        "{csv}"
    );
    let raw = d.ok(&["export", "--all", "--raw"]);
    assert!(raw.contains("\"=cmd|' /C calc'!A0"), "{raw}");
    // import --raw takes cells as written: a stored leading `'` survives export --raw.
    let quoted = raw.replace("\"Line one", "\"'=Line one");
    let out = d.run_in(&["import", "-", "--raw"], Some(quoted.as_bytes()));
    out.ok();
    let raw_again = d.ok(&["export", "--all", "--raw"]);
    assert!(raw_again.contains("\"'=Line one"), "{raw_again}");
    let out = d.run_in(
        &["import", "-", "--raw", "--format", "json"],
        Some(raw_again.as_bytes()),
    );
    let r: Value = serde_json::from_str(&out.ok().stdout).unwrap();
    assert_eq!(
        (r["updated"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(d.ok(&["export", "--all", "--raw"]), raw_again);
    // A directory is not a CSV file.
    let e = d.refused(&["import", d.sb.dir.path().to_str().unwrap()]);
    assert!(e.contains("directory") && !e.contains("line 0"), "{e}");
    // Searching finds it by any of its scripts, case-insensitively.
    assert_eq!(d.total(&["--q", "MÜLLER"]), 1);
    assert_eq!(d.total(&["--q", "株式"]), 1);
}

/// Runs `clientele --db DB --today TODAY ARGS` in a pseudo-terminal 100 columns wide made by
/// `script` (util-linux), whose output is everything the terminal received; `None` (and the
/// test is skipped) when `script` is not installed.
fn in_terminal(d: &Desk, args: &str) -> Option<std::process::Output> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no terminal can be made");
        return None;
    }
    let cmd = format!("{} --db {} --today {TODAY} {args}", common::bin(), d.db());
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    Some(out)
}

/// In a terminal (a pseudo-terminal made by `script`), `list` fits the terminal's width; in a
/// pipe it prints whole lines.
#[test]
fn list_fits_the_terminal_width() {
    let d = Desk::new();
    d.add("Far too long for narrow 🚀 Werke GmbH", "wide", "CLP", &[]);
    let piped = d.ok(&["list"]);
    assert!(piped.contains("🚀 Werke GmbH"), "{piped}");
    let Some(out) = in_terminal(&d, "list") else {
        return;
    };
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    let table: Vec<&str> = text.lines().take(2).collect();
    assert!(
        table[1].contains('…') && !table[1].contains("GmbH"),
        "{text}"
    );
    for line in table {
        let columns = line.trim_end_matches('\r').chars().count() + line.matches('🚀').count();
        assert!(columns <= 100, "{columns} columns: {line:?}");
    }
}

/// The long commands draw a progress bar only on a terminal: in a pipe, stderr stays empty.
#[test]
fn long_commands_show_no_progress_in_a_pipe() {
    let d = Desk::new();
    let quiet = |args: &[&str]| {
        let out = d.run(args);
        out.ok();
        assert_eq!(out.stderr, "", "{args:?}");
        out.stdout
    };
    quiet(&["demo", "--customers", "1500", "--seed", "2"]);
    let csv = d.sb.dir.path().join("all.csv");
    let csv = csv.to_str().unwrap();
    assert!(quiet(&["export", "--all", "--output", csv]).contains("1500 customer(s)"));
    let copy = d.sb.dir.path().join("copy.redb");
    quiet(&["backup", copy.to_str().unwrap()]);
    quiet(&["check"]);
    assert!(quiet(&["import", csv]).contains("1500 unchanged"));
}

/// In a terminal, `demo` draws a bar with its rate and time left on stderr, and clears it.
#[test]
fn demo_shows_a_progress_bar_in_a_terminal() {
    let d = Desk::new();
    let Some(out) = in_terminal(&d, "demo --customers 20000 --seed 3") else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("generating ["), "{text}");
    assert!(text.contains("/20,000 customers ("), "{text}");
    assert!(text.contains("left)"), "{text}");
    assert_eq!(d.total(&[]), 20000);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let d = Desk::new();
    // The core may refuse the escape character or keep it; either way it is not printed raw.
    let out = d.run(&[
        "add",
        "--company",
        "Esc Co",
        "--account-name",
        "escco",
        "--account-type",
        "CLP",
        "--contact-first-name",
        "A",
        "--contact-last-name",
        "B",
        "--email",
        "a@b.example",
        "--city",
        "X",
        "--state",
        "Y",
        "--country",
        "US",
        "--notes",
        "bell\u{7} and \u{1b}[2J clear",
    ]);
    if out.code == 0 {
        let shown = d.ok(&["show", "escco"]);
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
    } else {
        out.expect_code(1);
        assert!(out.stderr.contains("--notes"), "{}", out.stderr);
    }
}

#[test]
fn every_field_rule_refusal_names_the_flag_and_writes_nothing() {
    let d = Desk::new();
    d.plans();
    let mut base: Vec<(&str, &str)> = vec![
        ("--company", "Valid Co"),
        ("--account-name", "valid-co"),
        ("--account-type", "CLP"),
    ];
    base.extend(CONTACT);
    let long129 = "x".repeat(129);
    let long51 = "y".repeat(51);
    let long65 = "z".repeat(65);
    let long4001 = "n".repeat(4001);
    // Each flag with the values it refuses; a licence entry's message names `--plan #1`.
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("--company", vec!["   ", &long129]),
        (
            "--account-name",
            vec!["abc", "has space", "abcdefghijklmnopqrstuvwxyz", "ümlaut"],
        ),
        ("--account-type", vec!["XYZ"]),
        ("--contact-first-name", vec![""]),
        ("--contact-last-name", vec![&long51]),
        (
            "--email",
            vec![
                "no-at.example.com",
                "a@@b.example",
                "a b@c.example",
                "a@nodot",
            ],
        ),
        (
            "--phone",
            vec!["call me", "123456789012345678901234567890123"],
        ),
        ("--address", vec![&long129]),
        ("--city", vec![""]),
        ("--state", vec![&long65]),
        ("--postal-code", vec!["12345678901"]),
        ("--country", vec!["de", "XX", "Germany"]),
        ("--time-zone", vec!["Mars/Olympus"]),
        ("--language", vec!["deutsch!"]),
        ("--notes", vec![&long4001]),
        ("--status", vec!["sleeping"]),
        (
            "--plan",
            vec![
                "No Such Plan:5",
                "WFBS-S Full 12:0",
                "WFBS-S Full 12:5:31.12.2026",
                "WFBS-S Full 12",
            ],
        ),
        ("--wfbs-template", vec!["nope"]),
        ("--cloud-edge-template", vec!["nope"]),
    ];
    for (flag, values) in cases {
        let named = if flag == "--plan" { "--plan #1" } else { flag };
        for value in values {
            let mut args = vec!["add"];
            for (f, v) in &base {
                if *f != flag {
                    args.push(f);
                    args.push(v);
                }
            }
            args.push(flag);
            args.push(value);
            let e = d.refused(&args);
            assert!(
                e.contains(named),
                "{flag} {value:?}: message does not name {named}: {e}"
            );
        }
    }
    // Every missing required field is reported at once.
    let e = d.refused(&["add", "--company", "Only Co"]);
    for flag in [
        "--account-name",
        "--account-type",
        "--contact-first-name",
        "--email",
        "--city",
        "--country",
    ] {
        assert!(e.contains(flag), "{flag} missing from: {e}");
    }
    let out = d.run(&["list", "--format", "json"]);
    out.ok();
    assert_eq!(
        serde_json::from_str::<Value>(&out.stdout).unwrap()["total"],
        0
    );
}

#[test]
fn duplicates_are_refused_ignoring_case() {
    let d = Desk::new();
    d.add("Acme GmbH", "Acme-1", "CLP", &[]);
    d.refuses_all(&[
        (add_full("Other", "ACME-1"), &["--account-name", "unique"]),
        (add_full("ACME gmbh", "acme-2"), &["--company", "unique"]),
    ]);
    // Editing into a clash is refused too.
    d.add("Beta", "beta-1", "CLP", &[]);
    let e = d.refused(&["edit", "beta-1", "--company", "acme GMBH"]);
    assert!(e.contains("--company"), "{e}");
    assert_eq!(d.total(&[]), 2);
}

#[test]
fn edit_changes_only_given_fields_and_the_log_shows_them() {
    let d = Desk::new();
    d.plans();
    let id = d.add(
        "Edit Co",
        "edit-co",
        "LMP",
        &["--phone", "123", "--plan", "WFBS-S Full 12:5:2026-01-01"],
    );
    let out = d.ok(&[
        "edit",
        "edit-co",
        "--email",
        "new@example.com",
        "--phone",
        "",
    ]);
    assert!(out.contains("saved"), "{out}");
    let c = d.customer(&id.to_string());
    assert_eq!(c["email"], "new@example.com");
    assert_eq!(c["phone"], "");
    assert_eq!(c["city"], "Berlin");
    assert_eq!(
        c["licenses"].as_array().unwrap().len(),
        1,
        "licences stay without --plan"
    );
    let out = d.ok(&["edit", "edit-co", "--email", "new@example.com"]);
    assert!(out.contains("nothing changed"), "{out}");
    let e = d.refused(&["edit", "edit-co"]);
    assert!(e.contains("nothing to change"), "{e}");
    let e = d.refused(&["edit", "nobody-here", "--city", "X"]);
    assert!(e.contains("nobody-here"), "{e}");
    let log = d.ok(&["log", "--customer", "edit-co"]);
    assert!(
        log.contains("edit customer") && log.contains("anna@example.com → new@example.com"),
        "{log}"
    );
    let log: Value = d.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["task"], "edit customer");
    assert_eq!(log[0]["actor"], "cli");
    // The audit filter's flags: task and UTC days, inclusive.
    let today = clientele::domain::date::Timestamp::now().date().to_string();
    let log: Value = d.json(&[
        "log",
        "--customer",
        "edit-co",
        "--task",
        "edit customer",
        "--from",
        &today,
        "--to",
        &today,
    ]);
    assert!(!log.as_array().unwrap().is_empty());
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["task"] == "edit customer"));
    let log: Value = d.json(&["log", "--task", "no such task"]);
    assert_eq!(log, serde_json::json!([]));
    let e = d.refused(&["log", "--from", "2026-02-30"]);
    assert!(e.contains("--from: `2026-02-30` is not a date"), "{e}");
    // --plan replaces the set of licences.
    d.ok(&[
        "edit",
        "edit-co",
        "--plan",
        "CE Full 12:2",
        "--plan",
        "HES Full:3:2026-06-01",
    ]);
    let c = d.customer("edit-co");
    let plans: Vec<&str> = c["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["plan"].as_str().unwrap())
        .collect();
    assert_eq!(plans, ["CE Full 12", "HES Full"]);
}

// ---------------------------------------------------------------- list and filters

#[test]
fn list_filters_sort_page_and_print_json() {
    let d = Desk::new();
    d.plans();
    d.add(
        "Alpha",
        "alpha",
        "LMP",
        &["--plan", "WFBS-S Full 12:5:2025-01-01"],
    ); // expired
    d.add(
        "Bravo",
        "bravo",
        "LMP",
        &["--plan", "WFBS-S Full 12:5:2025-12-10"],
    ); // expiring soon
    d.add("Charlie", "charlie", "CLP", &["--plan", "CE Full 12:1"]); // normal
    d.add("Delta", "delta", "CLP", &["--status", "suspended"]); // none
    d.add("Echo", "echo", "LMP", &["--plan", "HES Full:1"]); // unmanaged only
    assert_eq!(d.total(&[]), 5);
    assert_eq!(d.total(&["--account-type", "lmp"]), 3);
    assert_eq!(d.total(&["--account-type", "CLP"]), 2);
    assert_eq!(d.total(&["--status", "suspended"]), 1);
    assert_eq!(d.total(&["--license", "expired"]), 1);
    assert_eq!(d.total(&["--license", "expiring_soon"]), 1);
    assert_eq!(d.total(&["--license", "none"]), 1);
    assert_eq!(d.total(&["--product", "wfbss"]), 2);
    assert_eq!(
        d.total(&["--product", "wfbss", "--product", "cloud-edge"]),
        3
    );
    assert_eq!(d.total(&["--attention", "yes"]), 2);
    assert_eq!(d.total(&["--attention", "no"]), 3);
    assert_eq!(d.total(&["--managed", "no"]), 2);
    assert_eq!(d.total(&["--q", "ALP"]), 1);
    let page = d.list(&["--sort", "-company", "--limit", "2", "--offset", "1"]);
    assert_eq!(page["total"], 5);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 1);
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["company"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Delta", "Charlie"]);
    let expired = &d.list(&["--license", "expired"])["items"][0];
    assert_eq!(expired["license_status"], "expired");
    assert_eq!(expired["needs_attention"], true);
    assert_eq!(expired["license_action_required"], 1);
    // Table and CSV forms.
    let table = d.ok(&["list", "--limit", "2"]);
    assert!(table.starts_with("ID  COMPANY"), "{table}");
    assert!(
        table.contains("showing 1–2 of 5; next page: --offset 2"),
        "{table}"
    );
    let csv = d.ok(&["list", "--format", "csv", "--account-type", "lmp"]);
    assert!(csv.starts_with("id,company,account_name,"));
    assert_eq!(csv.lines().count(), 4);
    // Bad filter values name the flag.
    for (flag, value) in [
        ("--license", "old"),
        ("--sort", "size"),
        ("--limit", "5000"),
        ("--attention", "maybe"),
        ("--product", "word"),
    ] {
        let e = d.refused(&["list", flag, value]);
        assert!(e.contains(flag), "{flag}: {e}");
    }
    let e = d.refused(&["list", "--format", "xml"]);
    assert!(e.contains("--format"), "{e}");
}

#[test]
fn settings_view_managed_hides_unmanaged_lmp_customers() {
    let d = Desk::new();
    d.plans();
    d.add("Managed", "managed", "LMP", &["--plan", "WFBS-S Full 12:1"]);
    d.add("Unmanaged", "unmanaged", "LMP", &["--plan", "HES Full:1"]);
    d.add("Portal", "portal", "CLP", &[]);
    assert!(d.ok(&["settings"]).contains("view: all"));
    d.ok(&["settings", "--view", "managed"]);
    assert_eq!(d.json(&["settings"])["view"], "managed");
    assert_eq!(d.total(&[]), 2);
    let csv = d.ok(&["export", "--all"]);
    assert_eq!(csv.lines().count(), 3);
    let e = d.refused(&["settings", "--view", "some"]);
    assert!(e.contains("--view"), "{e}");
}

// ---------------------------------------------------------------- catalogues and holdings

#[test]
fn plans_and_templates() {
    let d = Desk::new();
    d.plans();
    let plans = d.json(&["plan", "list"]);
    assert_eq!(plans.as_array().unwrap().len(), 4);
    d.refuses_all(&[
        (
            plan_add("wfbs-s full 12", "wfbss", "12"),
            &["--name", "exists"],
        ),
        (plan_add("Bad:Name", "wfbss", "12"), &["--name"]),
        (plan_add("P", "toaster", "12"), &["--product"]),
        (plan_add("P", "hes", "0"), &["--months"]),
    ]);
    d.ok(&[
        "plan",
        "edit",
        "HES Full",
        "--enabled",
        "no",
        "--notice-days",
        "60",
    ]);
    let hes = d
        .json(&["plan", "list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "HES Full")
        .cloned()
        .unwrap();
    assert_eq!(hes["enabled"], false);
    assert_eq!(hes["notice_days"], 60);
    let e = d.refused(&["plan", "edit", "HES Full", "--enabled", "perhaps"]);
    assert!(e.contains("--enabled") && e.contains("yes or no"), "{e}");
    d.add("Holder", "holder", "LMP", &["--plan", "WFBS-S Full 12:3"]);
    // A disabled plan cannot be assigned; a plan in use cannot be removed.
    let e = d.refused(&license_add("holder", "HES Full", "1"));
    assert!(e.contains("--plan") && e.contains("disabled"), "{e}");
    let e = d.refused(&["plan", "remove", "WFBS-S Full 12"]);
    assert!(e.contains("licences"), "{e}");
    d.ok(&["plan", "remove", "HES Full"]);
    assert_eq!(len(&d.json(&["plan", "list"])), 3);

    // Templates.
    d.ok(&[
        "template",
        "add",
        "--name",
        "Office",
        "--product",
        "wfbss",
        "--set",
        "scan=on",
        "--set",
        "url=a=b",
    ]);
    let t = d.json(&["template", "show", "office"]);
    assert_eq!(t["settings"]["url"], "a=b");
    let e = d.refused(&["template", "add", "--name", "Fw", "--product", "hes"]);
    assert!(e.contains("--product"), "{e}");
    let e = d.refused(&[
        "template",
        "add",
        "--name",
        "X",
        "--product",
        "wfbss",
        "--set",
        "novalue",
    ]);
    assert!(e.contains("KEY=VALUE"), "{e}");
    d.ok(&[
        "template", "edit", "Office", "--set", "scan=off", "--unset", "url",
    ]);
    let t = d.json(&["template", "show", "Office"]);
    assert_eq!(t["settings"], serde_json::json!({"scan": "off"}));
    assert_eq!(len(&d.json(&["template", "list"])), 1);
    d.ok(&["edit", "holder", "--wfbs-template", "Office"]);
    let e = d.refused(&["template", "remove", "Office"]);
    assert!(e.contains("use template"), "{e}");
    d.ok(&["edit", "holder", "--wfbs-template", ""]);
    d.ok(&["template", "remove", "Office"]);
    let e = d.refused(&["template", "show", "Office"]);
    assert!(e.contains("Office"), "{e}");
}

/// Typed grammars and "nothing to change" are the core's: the command line shows the core's
/// own answer for the same input (tests/core.rs checks those answers).
#[test]
fn the_cli_gives_the_cores_answers_for_typed_grammars() {
    use clientele::domain::{licence_entries, template_settings};
    let d = Desk::new();
    d.plans();
    fn template<'a>(sets: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["template", "add", "--name", "Deep", "--product", "wfbss"];
        for s in sets {
            args.extend_from_slice(&["--set", s]);
        }
        args
    }
    // A duplicate key is refused with the core's message, and nothing is written.
    let twice = [" deep=1", "deep =2"];
    let e = d.refused(&template(&twice));
    let core = template_settings::parse_entries(&twice).unwrap_err();
    let Error::Invalid(core) = core else { panic!() };
    assert!(e.contains(&format!("--set: {}", core[0].message)), "{e}");
    assert_eq!(len(&d.json(&["template", "list"])), 0);
    // Keys and values are trimmed as the core trims them.
    d.ok(&template(&[" deep = 1 ", "mode=a=b"]));
    let t = d.json(&["template", "show", "Deep"]);
    let core = template_settings::parse_entries(&[" deep = 1 ", "mode=a=b"]).unwrap();
    assert_eq!(t["settings"], serde_json::to_value(&core).unwrap());
    assert_eq!(t["settings"]["deep"], "1");
    let e = d.refused(&["template", "edit", "Deep", "--set", "x=1", "--set", "x=2"]);
    assert!(e.contains("the key `x` appears more than once"), "{e}");

    // A --plan entry is read by the licence-entry grammar the CSV import uses.
    for entry in ["WFBS-S Full 12:x", "WFBS-S Full 12:1:2:3", ":5"] {
        let e = d.refused(&["add", "--company", "P Co", "--plan", entry]);
        let core = licence_entries::parse_entry(entry).unwrap_err();
        assert!(e.contains(&format!("--plan #1 {core}")), "{e}");
    }
    let id = d.add(
        "Plan Co",
        "plan-co",
        "LMP",
        &["--plan", " WFBS-S Full 12 : 4 "],
    );
    let licence = &d.customer(&id.to_string())["licenses"][0];
    assert_eq!(licence["units"], 4);
    // The CSV `licenses` cell reads the same grammar, naming the entry by its place.
    let dates = [&licence["start"], &licence["expiry"]].map(|d| d.as_str().unwrap().to_string());
    let cell = format!("WFBS-S Full 12:4:0:{}:{}", dates[0], dates[1]);
    let csv = d.ok(&["export", "plan-co"]);
    assert!(csv.contains(&cell), "{csv}");
    let bad = csv.replace(&cell, "WFBS-S Full 12:x");
    let out = d.run_in(&["import", "-"], Some(bad.as_bytes()));
    out.expect_code(1);
    let core = licence_entries::parse_entry("WFBS-S Full 12:x").unwrap_err();
    assert!(
        out.stderr.contains(&format!("entry 1 {core}")),
        "{}",
        out.stderr
    );

    // An edit without fields is refused by the task; the command line names the flags.
    let lid = licence["id"].to_string();
    for (args, flags) in [
        (&["edit", "plan-co"][..], "--company, --account-name"),
        (
            &["plan", "edit", "HES Full"],
            "--product, --trial, --months",
        ),
        (
            &["license", "edit", &lid],
            "--units, --used, --start or --expiry",
        ),
        (&["template", "edit", "Deep"], "give --set"),
    ] {
        let e = d.refused(args);
        assert!(e.contains("nothing to change; give --"), "{args:?}: {e}");
        assert!(e.contains(flags), "{args:?}: {e}");
    }
}

#[test]
fn licences_devices_firmware_and_events() {
    let d = Desk::new();
    d.plans();
    let id = d.add("Holdings", "holdings", "LMP", &[]);
    let mut add = license_add("holdings", "WFBS-S Full 12", "10");
    add.extend(["--used", "3", "--start", "2026-02-01"]);
    let l = d.json(&add);
    assert_eq!(l["expiry"], "2027-02-01");
    let lid = l["id"].as_u64().unwrap().to_string();
    let mut late = license_add("holdings", "WFBS-S Full 12", "1");
    late.extend(["--start", "soon"]);
    d.refuses_all(&[
        (license_add("holdings", "WFBS-S Full 12", "0"), &["--units"]),
        (late, &["--start"]),
    ]);
    d.ok(&["license", "edit", &lid, "--used", "11"]);
    assert_eq!(
        d.customer("holdings")["license_status"],
        "exceeded_allocation"
    );
    let e = d.refused(&["license", "edit", &lid, "--expiry", "2020-01-01"]);
    assert!(e.contains("--expiry"), "{e}");
    let list = d.json(&["license", "list", "holdings"]);
    assert_eq!(list[0]["used"], 11);
    assert!(d
        .ok(&["license", "list", &id.to_string()])
        .contains("exceeded_allocation"));
    d.ok(&["license", "remove", &lid]);
    assert_eq!(d.customer("holdings")["license_status"], "none");
    let e = d.refused(&["license", "remove", &lid]);
    assert!(e.contains(&lid), "{e}");

    // Devices and firmware.
    d.ok(&["firmware", "set", "--model", "CE100", "--version", "3.10.0"]);
    let e = d.refused(&["firmware", "set", "--model", "CE100", "--version", "v3"]);
    assert!(e.contains("--version"), "{e}");
    assert_eq!(d.json(&["firmware", "list"])[0]["version"], "3.10.0");
    let dev = d.json(&device_add("holdings", "gw-1", "SER-001", "3.9.2"));
    assert_eq!(dev["needs_update"], true, "3.9.2 is older than 3.10.0");
    let did = dev["id"].as_u64().unwrap().to_string();
    d.add("Other", "other-co", "LMP", &[]);
    d.refuses_all(&[
        (
            device_add("other-co", "gw", "ser-001", "1.0"),
            &["--serial"],
        ),
        (device_add("holdings", "Holdings", "S2", "1.0"), &["--name"]),
    ]);
    let c = d.customer("holdings");
    assert_eq!(
        c["threat_system_warning"], 1,
        "an outdated device counts as a warning"
    );
    d.ok(&["device", "edit", &did, "--firmware", "3.10.0"]);
    assert_eq!(d.customer("holdings")["needs_attention"], false);
    assert_eq!(len(&d.json(&["device", "list"])), 1);
    assert_eq!(len(&d.json(&["device", "list", "other-co"])), 0);
    d.ok(&["device", "remove", &did]);
    d.ok(&["firmware", "remove", "ce100"]);
    assert_eq!(len(&d.json(&["firmware", "list"])), 0);

    // Events.
    let ev = d.json(&event_add(
        "holdings",
        "threat",
        "action_required",
        "antivirus",
        "Ransomware blocked, \"PC-12\"",
    ));
    let eid = ev["id"].as_u64().unwrap().to_string();
    let mut yesterday = event_add("holdings", "system", "warning", "x", "m");
    yesterday.extend(["--time", "yesterday"]);
    d.refuses_all(&[
        (
            event_add("holdings", "rumour", "warning", "x", "m"),
            &["--kind"],
        ),
        (yesterday, &["--time"]),
    ]);
    assert_eq!(d.customer("holdings")["threat_system_action_required"], 1);
    assert_eq!(d.total(&["--attention", "yes"]), 1);
    d.ok(&["event", "resolve", &eid]);
    assert_eq!(len(&d.json(&["event", "list", "holdings", "--open"])), 0);
    assert_eq!(len(&d.json(&["event", "list"])), 1);
    d.ok(&["event", "reopen", &eid]);
    assert_eq!(len(&d.json(&["event", "list", "--open"])), 1);
    assert!(d.ok(&["event", "list"]).contains("PC-12"));
    d.ok(&["event", "remove", &eid]);
    assert_eq!(len(&d.json(&["event", "list"])), 0);
    assert_eq!(d.total(&["--attention", "yes"]), 0);
}

// ---------------------------------------------------------------- bulk tasks

/// Three LMP customers and one CLP customer with licences of various states.
fn bulk_desk() -> Desk {
    let d = Desk::new();
    d.plans();
    d.ok(&["template", "add", "--name", "Office", "--product", "wfbss"]);
    d.ok(&[
        "template",
        "add",
        "--name",
        "Edge",
        "--product",
        "cloud-edge",
    ]);
    d.add(
        "Lima Expired",
        "lima",
        "LMP",
        &["--plan", "WFBS-S Full 12:5:2025-01-01"],
    );
    d.add(
        "Mike Trial",
        "mike",
        "LMP",
        &["--plan", "WFBS-S Trial:5:2026-09-01"],
    );
    d.add(
        "November Edge",
        "november",
        "LMP",
        &["--plan", "CE Full 12:1"],
    );
    d.add(
        "Oscar Portal",
        "oscar",
        "CLP",
        &["--plan", "WFBS-S Full 12:5:2025-01-01"],
    );
    d
}

fn outcome<'a>(report: &'a Value, company: &str) -> (&'a str, &'a str) {
    let r = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["company"] == company)
        .unwrap();
    (
        r["outcome"].as_str().unwrap(),
        r["reason"].as_str().unwrap_or(""),
    )
}

#[test]
fn runs_lists_and_shows_stored_bulk_runs() {
    let d = bulk_desk();
    d.add("\"Quoted\", Comma & Co", "quoted", "CLP", &[]);
    d.add("株式会社 Ünïcødé 🚀", "unicode", "CLP", &[]);
    assert_eq!(d.ok(&["runs"]), "no stored task runs\n");
    // A dry run stores nothing; a real run names its id.
    d.ok(&["suspend", "--all", "--dry-run"]);
    assert_eq!(d.json(&["runs"]), serde_json::json!([]));
    let out = d.ok(&["suspend", "quoted", "unicode", "lima"]);
    assert!(
        out.contains("run 1 stored; `clientele runs 1` shows it again"),
        "{out}"
    );
    let r = d.json(&["reactivate", "--status", "suspended", "--q", "ünïcødé"]);
    assert_eq!((r["run"].as_u64(), r["ok"].as_u64()), (Some(2), Some(1)));

    let table = d.ok(&["runs"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("SELECTION"),
        "{table}"
    );
    assert!(lines[1].trim_start().starts_with("2 ") && lines[1].contains("reactivate"));
    assert!(
        lines[1].contains("--status suspended --q ünïcødé")
            || lines[1].contains("--q ünïcødé --status suspended"),
        "{table}"
    );
    assert!(
        lines[2].contains("suspend") && lines[2].contains("cli"),
        "{table}"
    );
    let list = d.json(&["runs", "--limit", "1"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 2);
    assert!(d
        .ok(&["runs", "--limit", "1"])
        .contains("older runs: --before 2"));
    let older = d.json(&["runs", "--before", "2"]);
    assert_eq!(older[0]["id"], 1);
    assert_eq!(older[0]["selection"][0]["key"], "ids");

    // One run: its customers grouped by outcome, the largest group first.
    let one = d.ok(&["runs", "1"]);
    assert!(one.starts_with("run 1: suspend by cli at "), "{one}");
    assert!(one.contains("3 ok, 0 skipped, 0 failed"), "{one}");
    assert!(
        one.contains("\"Quoted\", Comma & Co") && one.contains("株式会社 Ünïcødé 🚀"),
        "{one}"
    );
    let v = d.json(&["runs", "1"]);
    assert_eq!(
        (v["task"].as_str(), v["ok"].as_u64()),
        (Some("suspend"), Some(3))
    );
    assert_eq!(v["results"].as_array().unwrap().len(), 3);

    d.refuses_all(&[
        (vec!["runs", "99"], &["99", "clientele runs"]),
        (vec!["runs", "--limit", "0"], &["--limit", "1000"]),
    ]);
}

#[test]
fn runway_and_the_expires_and_category_filters() {
    let d = Desk::new();
    d.plans();
    d.add("\"Quoted\", Comma & Co", "quoted", "CLP", &[]);
    d.add(
        "Bravo Expired",
        "bravo",
        "LMP",
        &["--plan", "WFBS-S Full 12:5:2025-01-01"],
    );
    d.add(
        "株式会社 Ünïcødé 🚀",
        "unicode",
        "LMP",
        &[
            "--plan",
            "WFBS-S Full 12:5:2026-01-10",
            "--plan",
            "CE Full 12:3:2026-01-20",
        ],
    );
    d.add(
        "Echo Soon",
        "echo",
        "CLP",
        &["--plan", "CE Full 12:2:2025-12-15"],
    );

    let r = d.json(&["runway"]);
    assert_eq!(r["today"], TODAY);
    assert_eq!(r["months"].as_array().unwrap().len(), 12);
    // Every figure's filter lists exactly the customers it counts.
    let months = r["months"].as_array().unwrap();
    for p in std::iter::once(&r["expired"])
        .chain(months)
        .chain(r["attention"].as_array().unwrap())
    {
        let flags: Vec<String> = p["filter"]
            .as_str()
            .unwrap()
            .split('&')
            .flat_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                [format!("--{}", k.replace('_', "-")), v.to_string()]
            })
            .collect();
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        assert_eq!(p["customers"].as_u64(), Some(d.total(&flags)), "{p}");
    }
    assert_eq!(d.total(&["--expires", "2027-01"]), 1);
    assert_eq!(
        d.list(&["--expires", "2027-01"])["items"][0]["company"],
        "株式会社 Ünïcødé 🚀"
    );
    assert_eq!(d.total(&["--expires", "2026-12"]), 1);
    assert_eq!(
        d.total(&["--expires", "2026-01"]),
        0,
        "expired licences do not count"
    );
    assert_eq!(d.total(&["--category", "license_action_required"]), 1);
    assert_eq!(
        d.total(&["--category", "license_warning", "--account-type", "clp"]),
        1
    );

    let table = d.ok(&["runway"]);
    assert!(
        table.starts_with("renewal runway on 2026-11-27 (4 customers)"),
        "{table}"
    );
    let jan = table.lines().find(|l| l.starts_with("2027-01")).unwrap();
    let cells: Vec<&str> = jan.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "2027-01",
            "2",
            "8",
            "1",
            "clientele",
            "list",
            "--expires",
            "2027-01"
        ]
    );
    assert!(
        table.contains("clientele list --license expired"),
        "{table}"
    );
    assert!(
        table.contains("clientele list --category license_warning"),
        "{table}"
    );

    // The flags feed the bulk tasks and export too.
    let r = d.json(&["suspend", "--expires", "2027-01", "--dry-run"]);
    assert_eq!(r["ok"], 1);
    let csv = d.ok(&["export", "--category", "license_action_required"]);
    assert!(csv.contains("bravo") && !csv.contains("unicode"), "{csv}");

    d.refuses_all(&[
        (
            vec!["list", "--expires", "2027-13"],
            &["--expires", "YYYY-MM", "2027-13"],
        ),
        (
            vec!["list", "--expires", "2027-1"],
            &["--expires", "YYYY-MM", "2027-1"],
        ),
        (
            vec!["list", "--expires", "soon"],
            &["--expires", "YYYY-MM", "soon"],
        ),
        (
            vec!["renew", "--expires", "13-2027", "--dry-run"],
            &["--expires"],
        ),
        (
            vec!["list", "--category", "urgent"],
            &["--category", "license_warning"],
        ),
    ]);
}

#[test]
fn bulk_tasks_need_a_selection() {
    let d = bulk_desk();
    for task in [
        vec!["suspend"],
        vec!["renew"],
        vec!["update-firmware"],
        vec!["delete", "--yes"],
        vec!["assign-template", "--template", "Office"],
        deploy(
            "blocked-urls",
            "append",
            &["--entries", "https://x.example"],
        ),
    ] {
        let e = d.refused(&task);
        assert!(e.contains("--all") && e.contains("filter"), "{task:?}: {e}");
    }
    d.refuses_all(&[
        (vec!["suspend", "lima", "--all"], &["not both"]),
        (vec!["suspend", "no-such-account"], &["no-such-account"]),
    ]);
    // An unknown numeric id is a per-customer failure (exit 1), the others still run.
    let out = d.run(&["suspend", "lima", "999", "--format", "json"]);
    out.expect_code(1);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((r["ok"].as_u64(), r["failed"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn suspend_and_reactivate_with_dry_run() {
    let d = bulk_desk();
    let out = d.ok(&["suspend", "--account-type", "lmp", "--dry-run"]);
    assert!(
        out.contains("dry run: nothing was changed") && out.contains("suspend: 3 ok"),
        "{out}"
    );
    assert_eq!(d.total(&["--status", "suspended"]), 0);
    let r = d.json(&["suspend", "lima", "mike"]);
    assert_eq!(r["ok"], 2);
    assert_eq!(r["dry_run"], false);
    assert_eq!(d.total(&["--status", "suspended"]), 2);
    let r = d.json(&["suspend", "--all"]);
    assert_eq!(
        (r["ok"].as_u64(), r["skipped"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(outcome(&r, "Lima Expired").0, "skipped");
    d.ok(&["reactivate", "--status", "suspended"]);
    assert_eq!(d.total(&["--status", "active"]), 4);
}

#[test]
fn assign_template_applies_to_lmp_wfbss_customers_only() {
    let d = bulk_desk();
    let r = d.json(&[
        "assign-template",
        "--template",
        "Office",
        "--all",
        "--dry-run",
    ]);
    assert_eq!(r["dry_run"], true);
    assert_eq!(d.customer("lima")["wfbs_template"], Value::Null);
    let r = d.json(&["assign-template", "--template", "Office", "--all"]);
    assert_eq!(outcome(&r, "Lima Expired").0, "ok");
    assert_eq!(outcome(&r, "Mike Trial").0, "ok");
    let (o, why) = outcome(&r, "November Edge");
    assert!(o == "skipped" && why.contains("wfbss"), "{why}");
    let (o, why) = outcome(&r, "Oscar Portal");
    assert!(o == "skipped" && why.contains("LMP"), "{why}");
    assert_eq!(d.customer("lima")["wfbs_template"], "Office");
    assert_eq!(d.customer("oscar")["wfbs_template"], Value::Null);
    d.refuses_all(&[
        (
            vec!["assign-template", "--template", "Edge", "--all"],
            &["--template"],
        ),
        (
            vec!["assign-template", "--template", "Missing", "--all"],
            &["--template", "Missing"],
        ),
    ]);
}

#[test]
fn deploy_policy_checks_every_entry_first() {
    let d = bulk_desk();
    d.refuses_all(&[
        (
            deploy(
                "blocked-urls",
                "append",
                &["--entries", "https://ok.example;ftp://bad.example", "--all"],
            ),
            &["--entries", "entry 2", "ftp://bad.example"],
        ),
        (
            deploy("ml-exceptions", "append", &["--entries", "abc", "--all"]),
            &["SHA-1"],
        ),
        (
            deploy("greylist", "append", &["--entries", "x", "--all"]),
            &["--list", "blocked-urls"],
        ),
        (
            deploy("blocked-urls", "merge", &["--entries", "x", "--all"]),
            &["--action"],
        ),
        (deploy("blocked-urls", "append", &["--all"]), &["--entries"]),
    ]);

    let r = d.json(&deploy(
        "blocked-urls",
        "append",
        &[
            "--entries",
            "https://a.example/;http://b.example",
            "--all",
            "--dry-run",
        ],
    ));
    assert_eq!(r["ok"], 2);
    assert_eq!(
        d.customer("lima")["policies"]["blocked-urls"],
        serde_json::json!([])
    );
    // Entries from a file, separated by new lines.
    let file = d.sb.path("urls.txt");
    std::fs::write(&file, "https://a.example/\n\nhttp://b.example\n").unwrap();
    let r = d.json(&deploy(
        "blocked-urls",
        "append",
        &["--entries-file", file.to_str().unwrap(), "--all"],
    ));
    assert_eq!(outcome(&r, "Oscar Portal").0, "skipped");
    assert_eq!(outcome(&r, "November Edge").0, "skipped");
    assert_eq!(
        d.customer("lima")["policies"]["blocked-urls"],
        serde_json::json!(["https://a.example/", "http://b.example"])
    );
    let out = d.run_in(
        &deploy("blocked-urls", "delete", &["--entries-file", "-", "lima"]),
        Some(b"http://b.example\n"),
    );
    out.ok();
    assert_eq!(
        d.customer("lima")["policies"]["blocked-urls"],
        serde_json::json!(["https://a.example/"])
    );
}

#[test]
fn update_firmware_queues_mail_and_exports_eml() {
    let d = bulk_desk();
    d.ok(&["firmware", "set", "--model", "CE100", "--version", "3.4.0"]);
    d.ok(&device_add("november", "gw-north", "CE-1", "3.2.0"));
    d.ok(&device_add("oscar", "gw-oscar", "CE-2", "3.2.0"));
    let r = d.json(&["update-firmware", "--all", "--dry-run"]);
    assert_eq!(r["ok"], 1);
    assert_eq!(
        len(&d.json(&["outbox", "list"])),
        0,
        "a dry run queues nothing"
    );
    let r = d.json(&["update-firmware", "--all"]);
    assert_eq!(outcome(&r, "November Edge").0, "ok");
    assert_eq!(outcome(&r, "Oscar Portal").0, "skipped");
    let (o, why) = outcome(&r, "Lima Expired");
    assert!(o == "skipped" && why.contains("firmware"), "{why}");
    let outbox = d.json(&["outbox", "list"]);
    assert_eq!(len(&outbox), 1);
    assert_eq!(outbox[0]["company"], "November Edge");
    let table = d.ok(&["outbox", "list"]);
    assert!(
        table.lines().next().unwrap().contains("COMPANY") && table.contains("November Edge"),
        "{table}"
    );
    let mid = outbox[0]["id"].as_u64().unwrap().to_string();
    let eml = d.ok(&["outbox", "show", &mid]);
    assert!(
        eml.contains("To: anna@example.com\r\n")
            && eml.contains("gw-north")
            && eml.contains("3.4.0"),
        "{eml}"
    );
    let dir = d.sb.path("mail");
    let out = d.ok(&["outbox", "export", "--dir", dir.to_str().unwrap()]);
    assert!(out.contains("wrote 1 message"), "{out}");
    let file = dir.join(format!("outbox-{mid}.eml"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("From: ") && text.contains("Subject: "),
        "{text}"
    );
    // Already notified: skipped the second time.
    let r = d.json(&["update-firmware", "november"]);
    assert_eq!(r["skipped"], 1);
    d.ok(&["outbox", "remove", &mid]);
    assert_eq!(len(&d.json(&["outbox", "list"])), 0);
}

#[test]
fn renew_renews_expired_full_plans_of_lmp_customers() {
    let d = bulk_desk();
    // Mike's trial expires 2026-10-01 (before today): expired but a trial.
    let e = d.refused(&["renew", "--all", "--until", "2026-01-01"]);
    assert!(e.contains("--until") && e.contains("today"), "{e}");
    let e = d.refused(&["renew", "--all", "--until", TODAY]);
    assert!(e.contains("--until"), "{e}");
    let r = d.json(&["renew", "--license", "expired", "--dry-run"]);
    assert_eq!(r["dry_run"], true);
    assert_eq!(d.customer("lima")["license_status"], "expired");
    let r = d.json(&["renew", "--license", "expired"]);
    assert_eq!(outcome(&r, "Lima Expired").0, "ok");
    let (o, why) = outcome(&r, "Mike Trial");
    assert!(o == "skipped" && why.contains("trial"), "{why}");
    let (o, why) = outcome(&r, "Oscar Portal");
    assert!(o == "skipped" && why.contains("LMP"), "{why}");
    let lima = d.customer("lima");
    assert_eq!(lima["licenses"][0]["expiry"], "2027-11-27");
    assert_eq!(lima["license_status"], "normal");
    // --until and --include-expiring.
    d.add(
        "Papa Soon",
        "papa",
        "LMP",
        &["--plan", "WFBS-S Full 12:5:2025-12-10"],
    );
    let r = d.json(&["renew", "papa", "--until", "2028-01-31"]);
    assert_eq!(
        r["skipped"], 1,
        "expiring soon is not renewed without --include-expiring"
    );
    d.ok(&[
        "renew",
        "papa",
        "--until",
        "2028-01-31",
        "--include-expiring",
    ]);
    assert_eq!(d.customer("papa")["licenses"][0]["expiry"], "2028-01-31");
}

#[test]
fn dates_never_pass_the_end_of_the_calendar() {
    let d = bulk_desk();
    let last = "9999-12-31";
    // A renewal that would end after 9999-12-31 is skipped with the reason, not written.
    let out = d.run_on(last, &["renew", "--all", "--format", "json"], None);
    out.ok();
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    let (o, why) = outcome(&r, "Lima Expired");
    assert!(o == "skipped" && why.contains(last), "{why}");
    assert_eq!(d.customer("lima")["licenses"][0]["expiry"], "2026-01-01");
    // A licence starting on the last day cannot be added either.
    let out = d.run_on(last, &license_add("lima", "WFBS-S Full 12", "1"), None);
    out.expect_code(1);
    assert!(
        out.stderr.contains("--start") && out.stderr.contains(last),
        "{}",
        out.stderr
    );
    // The last day itself is a date like any other: a licence can end on it, and what
    // export writes, import takes back unchanged.
    let mut add = license_add("lima", "WFBS-S Full 12", "1");
    add.extend(["--start", "9998-12-31"]);
    d.ok(&add);
    let csv = d.ok(&["export", "--all"]);
    assert!(csv.contains("9998-12-31:9999-12-31"), "{csv}");
    let out = d.run_on(
        last,
        &["import", "-", "--format", "json"],
        Some(csv.as_bytes()),
    );
    out.ok();
    assert_eq!(d.ok(&["export", "--all"]), csv);
}

#[test]
fn delete_needs_yes_and_no_licences() {
    let d = bulk_desk();
    d.add("Quebec Empty", "quebec", "CLP", &[]);
    // Without --yes: a preview, exit 1, nothing deleted.
    let out = d.run(&["delete", "quebec"]);
    out.expect_code(1);
    assert!(
        out.stdout.contains("quebec") || out.stdout.contains("Quebec Empty"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("--yes") && out.stderr.contains("nothing was deleted"),
        "{}",
        out.stderr
    );
    assert_eq!(d.total(&[]), 5);
    // --dry-run with --yes still deletes nothing.
    let r = d.json(&["delete", "quebec", "--yes", "--dry-run"]);
    assert_eq!(r["ok"], 1);
    assert_eq!(d.total(&[]), 5);
    // Licences block deleting; LMP customers are skipped.
    let r = d.json(&["delete", "--all", "--yes"]);
    let (o, why) = outcome(&r, "Oscar Portal");
    assert!(o == "skipped" && why.contains("licence"), "{why}");
    let (o, why) = outcome(&r, "Lima Expired");
    assert!(o == "skipped" && why.contains("LMP"), "{why}");
    assert_eq!(outcome(&r, "Quebec Empty").0, "ok");
    assert_eq!(d.total(&[]), 4);
    // Once the licence is gone, it can be deleted; the log keeps the last record.
    let lid = d.customer("oscar")["licenses"][0]["id"]
        .as_u64()
        .unwrap()
        .to_string();
    d.ok(&["license", "remove", &lid]);
    let out = d.ok(&["delete", "oscar", "--yes"]);
    assert!(out.contains("delete: 1 ok"), "{out}");
    assert_eq!(d.total(&[]), 3);
    let log = d.json(&["log", "--limit", "1"]);
    assert!(log[0]["snapshot"]
        .as_str()
        .unwrap()
        .contains("Oscar Portal"));
    let e = d.refused(&["show", "oscar"]);
    assert!(e.contains("oscar"), "{e}");
}

// ---------------------------------------------------------------- files

#[test]
fn export_and_import_round_trip() {
    let d = bulk_desk();
    d.add(
        "Romeo, \"quoted\"",
        "romeo",
        "CLP",
        &["--notes", "multi\nline, notes", "--phone", "+1 555"],
    );
    let file = d.sb.path("all.csv");
    let out = d.ok(&["export", "--all", "--output", file.to_str().unwrap()]);
    assert!(out.contains("wrote 5 customer(s)"), "{out}");
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(csv, d.ok(&["export"]), "the default selection is everyone");
    let one = d.ok(&["export", "romeo", "lima"]);
    assert_eq!(
        csv::Reader::from_reader(one.as_bytes()).records().count(),
        2
    );
    let excel = d.ok(&["export", "--all", "--excel"]);
    assert!(excel.starts_with('\u{feff}') && excel.contains("\r\n"));
    // Importing into the same database changes nothing.
    let out = d.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("0 created, 0 updated, 5 unchanged"), "{out}");
    // Into a fresh database with the same plans, from standard input.
    let fresh = Desk::new();
    fresh.plans();
    let out = fresh.run_in(&["import", "-", "--dry-run"], Some(csv.as_bytes()));
    out.ok();
    assert!(
        out.stdout.contains("dry run") && out.stdout.contains("5 created"),
        "{}",
        out.stdout
    );
    assert_eq!(fresh.total(&[]), 0);
    let r = {
        let out = fresh.run_in(&["import", "-", "--format", "json"], Some(csv.as_bytes()));
        out.ok();
        serde_json::from_str::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(r["created"], 5);
    assert_eq!(fresh.customer("romeo")["notes"], "multi\nline, notes");
    // A bad row rejects the file, naming its line and field.
    let bad = csv.replacen("romeo", "rom eo", 1);
    let out = fresh.run_in(&["import", "-"], Some(bad.as_bytes()));
    out.expect_code(1);
    assert!(
        out.stderr.contains("line ") && out.stderr.contains("account_name"),
        "{}",
        out.stderr
    );
    let e = fresh.refused(&["import", "missing.csv"]);
    assert!(e.contains("missing.csv"), "{e}");
}

#[test]
fn export_to_a_file_is_all_or_nothing() {
    let d = bulk_desk();
    let e = d.refused(&[
        "export",
        "--all",
        "--output",
        d.sb.path("no/such/dir/x.csv").to_str().unwrap(),
    ]);
    assert!(e.contains("--output"), "{e}");
    let e = d.refused(&[
        "export",
        "--all",
        "--output",
        d.sb.dir.path().to_str().unwrap(),
    ]);
    assert!(e.contains("directory"), "{e}");
    let leftovers: Vec<_> = std::fs::read_dir(d.sb.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn backup_makes_a_readable_copy() {
    let d = bulk_desk();
    let copy = d.sb.path("copy.redb");
    let out = d.ok(&["backup", copy.to_str().unwrap()]);
    assert!(out.contains("backed up"), "{out}");
    let page = run(
        d.sb.dir.path(),
        &[
            "--db",
            copy.to_str().unwrap(),
            "--today",
            TODAY,
            "list",
            "--format",
            "json",
        ],
        None,
        &[],
    );
    page.ok();
    let page: Value = serde_json::from_str(&page.stdout).unwrap();
    assert_eq!(page["total"], 4);
    assert_eq!(ids(&page), ids(&d.list(&[])));
    let e = d.refused(&["backup", copy.to_str().unwrap()]);
    assert!(e.contains("exists"), "{e}");
    let e = d.refused(&["backup", d.sb.path("no/such/dir/b.redb").to_str().unwrap()]);
    assert!(e.contains("no/such/dir"), "{e}");
}

// ---------------------------------------------------------------- sharing the file

#[test]
fn read_only_commands_work_while_another_process_writes() {
    use clientele::store::Access;
    use clientele::tasks::desk::Desk as CoreDesk;
    let d = bulk_desk();
    let holder = CoreDesk::open(&d.sb.db, Access::Write, None).expect("hold the database");
    assert_eq!(d.total(&[]), 4);
    d.ok(&["show", "lima"]);
    d.ok(&["export", "--all"]);
    d.ok(&["log"]);
    d.ok(&["plan", "list"]);
    d.ok(&["settings"]);
    d.ok(&["backup", d.sb.path("while-held.redb").to_str().unwrap()]);
    let out = d.run(&[
        "add",
        "--company",
        "Blocked",
        "--account-name",
        "blocked",
        "--account-type",
        "CLP",
    ]);
    out.expect_code(1);
    assert!(
        out.stderr.starts_with("error: ") && out.stderr.contains("in use"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("DatabaseAlreadyOpen"),
        "{}",
        out.stderr
    );
    let out = d.run(&["suspend", "--all"]);
    out.expect_code(1);
    assert!(
        !out.stderr.contains("DatabaseAlreadyOpen"),
        "{}",
        out.stderr
    );
    drop(holder);
    d.ok(&["suspend", "lima"]);
}

#[test]
fn serve_on_a_busy_port_says_so_and_leaves_no_file() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let d = Desk::new();
    let err = d.refused(&["serve", "--addr", &addr]);
    assert!(
        err.contains("already in use") && err.contains("--addr"),
        "{err}"
    );
    assert!(!d.sb.db.exists(), "a database file was left behind");
}

/// A thing named wrongly: the domain says what is missing, and each face adds where to look
/// in its own terms (the CLI names a command; the API and console never do).
#[test]
fn not_found_names_the_thing_and_the_cli_names_the_command_that_lists_them() {
    let d = Desk::new();
    d.plans();
    for (args, said) in [
        (
            vec!["plan", "edit", "Nope 東京", "--months", "3"],
            "there is no plan `Nope 東京`; `clientele plan list` shows them",
        ),
        (
            vec!["template", "show", "Nope"],
            "there is no template `Nope`; `clientele template list` shows them",
        ),
        (
            vec!["show", "ghost"],
            "there is no customer with account name `ghost`; `clientele list --q ghost` searches",
        ),
        (
            vec!["show", "4242"],
            "there is no customer with id 4242; `clientele list` shows the ids",
        ),
        (
            vec!["license", "edit", "77", "--units", "2"],
            "there is no licence with id 77; `clientele license list CUSTOMER` shows them",
        ),
    ] {
        let e = d.refused(&args);
        assert_eq!(e.trim_end(), format!("error: {said}"), "{args:?}");
    }
}
