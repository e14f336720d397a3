//! Helpers shared by the integration tests: a fresh temporary directory per test and a way
//! to run the real `clientele` binary in it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A valid customer in Lisboa with a contact and no licences: the base the in-process
/// tests build their customers on.
pub fn lisboa_customer(
    company: &str,
    account: &str,
    kind: &str,
) -> clientele::domain::validate::CustomerInput {
    clientele::domain::validate::CustomerInput {
        company: Some(company.into()),
        account_name: Some(account.into()),
        account_type: Some(kind.into()),
        contact_first_name: Some("Ana".into()),
        contact_last_name: Some("Lima".into()),
        email: Some("ana@example.com".into()),
        city: Some("Lisboa".into()),
        state: Some("Lisboa".into()),
        country: Some("PT".into()),
        ..Default::default()
    }
}

/// `add --company COMPANY --account-name ACCOUNT --account-type CLP` followed by each
/// `(flag, value)` of `rest`.
pub fn add_args<'a>(
    company: &'a str,
    account: &'a str,
    rest: &[(&'a str, &'a str)],
) -> Vec<&'a str> {
    let mut args = vec![
        "add",
        "--company",
        company,
        "--account-name",
        account,
        "--account-type",
        "CLP",
    ];
    for (flag, value) in rest {
        args.extend([*flag, *value]);
    }
    args
}

/// The `clientele` executable cargo built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_clientele")
}

/// A temporary directory that is removed when the test ends, with a database path in it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = dir.path().join("clientele.redb");
        Sandbox { dir, db }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// What a finished process said.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Panics with everything the process printed unless it exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Output {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Output {
        self.expect_code(0)
    }
}

/// Runs the binary in `dir` with `args`, optional standard input and extra environment.
/// Variables that would change the outcome (`CLIENTELE_TODAY`, `CLIENTELE_TOKEN`) are
/// cleared unless given in `env`.
pub fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .args(args)
        .env_remove("CLIENTELE_TODAY")
        .env_remove("CLIENTELE_TOKEN")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start clientele");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for clientele");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `clientele --db DB --today TODAY ARGS…`, run in the database's directory.
pub fn on_db(db: &Path, today: &str, args: &[&str]) -> Output {
    let mut all = vec!["--db", db.to_str().expect("a UTF-8 path"), "--today", today];
    all.extend_from_slice(args);
    run(db.parent().expect("a file in a directory"), &all, None, &[])
}

/// The schema version a database file carries in its `meta` table, read with redb itself
/// (not through clientele).
/// The names of the tables in the redb file at `path`.
pub fn table_names(path: &Path) -> Vec<String> {
    use redb::{ReadableDatabase, TableHandle};
    let db = redb::Database::open(path).unwrap();
    let r = db.begin_read().unwrap();
    let names = r.list_tables().unwrap().map(|t| t.name().to_string());
    names.collect()
}

pub fn stored_schema(path: &Path) -> u32 {
    use redb::ReadableDatabase;
    let db = redb::Database::open(path).unwrap();
    let r = db.begin_read().unwrap();
    let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let t = r.open_table(meta).unwrap();
    let v = t.get("schema").unwrap().unwrap();
    u32::from_le_bytes(v.value().try_into().unwrap())
}
