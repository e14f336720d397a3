//! The database file on disk: a full disk is survived (on a small tmpfs, where this
//! machine allows mounting one), files of other programs are refused without a byte
//! changed, and a backup never builds on a stale partial file.

mod common;
#[path = "common/serve.rs"]
mod serve;

use common::{Output, Sandbox};
use serve::Server;
use std::ffi::CString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-27";

fn cli(db: &Path, args: &[&str]) -> Output {
    common::on_db(db, TODAY, args)
}

#[track_caller]
fn export(db: &Path) -> String {
    let out = cli(db, &["export", "--all"]);
    out.ok();
    out.stdout
}

#[track_caller]
fn total(db: &Path) -> u64 {
    let out = cli(db, &["list", "--limit", "1", "--format", "json"]);
    out.ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["total"].as_u64().unwrap()
}

fn add_args<'a>(company: &'a str, account: &'a str, notes: &'a str) -> Vec<&'a str> {
    common::add_args(
        company,
        account,
        &[
            ("--contact-first-name", "Ada"),
            ("--contact-last-name", "Byron"),
            ("--email", "ada@example.com"),
            ("--city", "Berlin"),
            ("--state", "Berlin"),
            ("--country", "DE"),
            ("--notes", notes),
        ],
    )
}

/// The sentence every face gives for a write on a full disk.
#[track_caller]
fn assert_disk_full(message: &str, db: &Path) {
    assert!(
        message.contains(&format!("the disk holding {} is full", db.display()))
            && message.contains("nothing was changed"),
        "not the disk-full sentence: {message}"
    );
    assert!(!message.contains("internal error"), "{message}");
}

// ---------------------------------------------------------------- a full disk

/// A small tmpfs mounted in a fresh directory, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. `8m`), or says why it cannot and returns `None`.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let target = CString::new(dir.path().as_os_str().as_bytes()).unwrap();
        let options = CString::new(format!("size={size},mode=0700")).unwrap();
        // SAFETY: every pointer is a valid NUL-terminated string that outlives the call.
        let rc = unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                options.as_ptr().cast(),
            )
        };
        if rc != 0 {
            eprintln!(
                "skipped: cannot mount a tmpfs to fill ({}); these tests need root (CI runs as root)",
                std::io::Error::last_os_error()
            );
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Fills every free byte with a file named `filler`; removing it frees the space.
    fn fill(&self) -> PathBuf {
        let path = self.path("filler");
        let mut f = std::fs::File::create(&path).expect("create the filler");
        let chunk = vec![0xa5u8; 64 << 10];
        let mut size = chunk.len();
        while size > 0 {
            match f.write(&chunk[..size]) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => size /= 2,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        let _ = f.sync_all();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let target = CString::new(self.dir.path().as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; MNT_DETACH also works while a child holds a file.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    }
}

/// A database with demo customers on a fresh tmpfs, or `None` where mounting is not allowed.
fn full_disk_desk() -> Option<(Tmpfs, PathBuf)> {
    let fs = Tmpfs::mount("8m")?;
    let db = fs.path("clientele.redb");
    cli(&db, &["demo", "--customers", "20", "--seed", "3"]).ok();
    Some((fs, db))
}

/// Notes long enough that a few customers use up the free pages inside the file.
fn long_notes() -> String {
    "n".repeat(3900)
}

#[test]
fn a_cli_write_on_a_full_disk_says_so_and_changes_nothing() {
    let Some((fs, db)) = full_disk_desk() else {
        return;
    };
    let filler = fs.fill();
    let notes = long_notes();
    // A write may still fit into pages the file already has; sooner or later one needs more.
    let mut refused = None;
    for i in 0..200 {
        let before = export(&db);
        let (company, account) = (format!("Full {i}"), format!("full-{i}"));
        let out = cli(&db, &add_args(&company, &account, &notes));
        if out.code == 0 {
            continue;
        }
        out.expect_code(1);
        assert_disk_full(&out.stderr, &db);
        assert_eq!(export(&db), before, "a refused write changed the data");
        refused = Some(account);
        break;
    }
    let account = refused.expect("no write was refused on a full disk");
    // Space comes back: the same write goes through, without anything else done.
    std::fs::remove_file(filler).unwrap();
    let n = total(&db);
    cli(&db, &add_args("Space Again", &account, &notes)).ok();
    assert_eq!(total(&db), n + 1);
}

#[test]
fn the_server_answers_507_keeps_reading_and_recovers_once_space_is_freed() {
    let Some((fs, db)) = full_disk_desk() else {
        return;
    };
    let server = Server::start(&db, TODAY, &[]);
    let filler = fs.fill();
    let notes = long_notes();
    let body = |i: usize| {
        serde_json::json!({
            "company": format!("Server {i}"), "account_name": format!("server-{i}"),
            "account_type": "CLP", "contact_first_name": "Ada", "contact_last_name": "Byron",
            "email": "ada@example.com", "city": "Berlin", "state": "Berlin", "country": "DE",
            "notes": notes,
        })
        .to_string()
    };
    let list = |server: &Server| {
        let r = server.request("GET", "/api/customers?limit=1", None);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["total"].as_u64().unwrap()
    };
    let mut refused = None;
    for i in 0..200 {
        let before = list(&server);
        let r = server.request("POST", "/api/customers", Some(&body(i)));
        if r.status == 201 {
            continue;
        }
        assert_eq!(r.status, 507, "{}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["code"], "disk_full", "{e}");
        assert_disk_full(e["message"].as_str().unwrap(), &db);
        refused = Some((i, before));
        break;
    }
    let (i, before) = refused.expect("no write was refused on a full disk");
    // Reads keep answering, from the API and the console, and the data is unchanged.
    for _ in 0..3 {
        assert_eq!(list(&server), before);
    }
    let page = server.request("GET", "/", None);
    assert_eq!(page.status, 200, "{}", page.body);
    // The console answers a refused write with 507 and the same sentence.
    let company = format!("Server {i}");
    let account = format!("server-{i}");
    let form = server.post_form(
        "/customers",
        &[
            ("company", company.as_str()),
            ("account_name", account.as_str()),
            ("account_type", "CLP"),
            ("contact_first_name", "Ada"),
            ("contact_last_name", "Byron"),
            ("email", "ada@example.com"),
            ("city", "Berlin"),
            ("state", "Berlin"),
            ("country", "DE"),
            ("notes", notes.as_str()),
        ],
    );
    assert_eq!(form.status, 507, "{}", form.body);
    assert!(
        form.body.contains("is full") && form.body.contains("nothing was changed"),
        "{}",
        form.body
    );
    assert_eq!(list(&server), before);
    // Space comes back: the next write goes through without a restart.
    std::fs::remove_file(filler).unwrap();
    let r = server.request("POST", "/api/customers", Some(&body(i)));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(list(&server), before + 1);
}

/// Many requests at once while the disk fills up: every one is answered promptly (the
/// reopen never waits on requests queued behind it), and once space is back the list counts
/// exactly the writes that were accepted.
#[test]
fn concurrent_requests_on_a_filling_disk_are_all_answered() {
    let Some((fs, db)) = full_disk_desk() else {
        return;
    };
    let server = std::sync::Arc::new(Server::start(&db, TODAY, &[]));
    let start = total(&db);
    let filler = fs.fill();
    let began = std::time::Instant::now();
    let workers: Vec<_> = (0..6)
        .map(|t| {
            let server = server.clone();
            std::thread::spawn(move || {
                let mut created = 0;
                let mut full = 0;
                for i in 0..12 {
                    let body = serde_json::json!({
                        "company": format!("Busy {t}-{i}"), "account_name": format!("busy-{t}-{i}"),
                        "account_type": "CLP", "contact_first_name": "Ada",
                        "contact_last_name": "Byron", "email": "ada@example.com",
                        "city": "Berlin", "state": "Berlin", "country": "DE",
                        "notes": long_notes(),
                    })
                    .to_string();
                    let r = server.request("POST", "/api/customers", Some(&body));
                    match r.status {
                        201 => created += 1,
                        507 => full += 1,
                        // A request already running on the handle that a full disk spent.
                        500 => {}
                        other => panic!("POST answered {other}: {}", r.body),
                    }
                    let r = server.request(
                        "GET",
                        "/api/customers?limit=5&sort=-last_transaction",
                        None,
                    );
                    assert!(
                        matches!(r.status, 200 | 500),
                        "GET answered {}: {}",
                        r.status,
                        r.body
                    );
                }
                (created, full)
            })
        })
        .collect();
    // Every thread is joined before any verdict, so a failure never leaves a client (and
    // with it a reference to the server) running.
    let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
    let (mut created, mut full) = (0, 0);
    for r in results {
        let (c, f) = r.expect("a client thread failed");
        created += c;
        full += f;
    }
    assert!(full > 0, "no write was refused on a full disk");
    assert!(
        began.elapsed() < std::time::Duration::from_secs(60),
        "the requests took {:?}",
        began.elapsed()
    );
    std::fs::remove_file(filler).unwrap();
    let r = server.request("GET", "/api/customers?limit=1", None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["total"].as_u64().unwrap(), start + created);
    let r = server.request(
        "POST",
        "/api/customers",
        Some(
            &serde_json::json!({
                "company": "After", "account_name": "after-all", "account_type": "CLP",
                "contact_first_name": "Ada", "contact_last_name": "Byron",
                "email": "ada@example.com", "city": "Berlin", "state": "Berlin", "country": "DE",
            })
            .to_string(),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = server.request("GET", "/api/customers?limit=1", None);
    assert_eq!(r.json()["total"].as_u64().unwrap(), start + created + 1);
}

#[test]
fn a_file_on_a_full_disk_can_still_be_read() {
    let Some((fs, db)) = full_disk_desk() else {
        return;
    };
    let expected = export(&db);
    let filler = fs.fill();
    // Closed cleanly: a read-only open writes nothing.
    assert_eq!(export(&db), expected);
    // Left unfinished by a write the full disk refused: redb recovers it in memory.
    let notes = long_notes();
    let mut refused = false;
    for i in 0..200 {
        let out = cli(
            &db,
            &add_args(&format!("Read {i}"), &format!("read-{i}"), &notes),
        );
        if out.code != 0 {
            assert_disk_full(&out.stderr, &db);
            refused = true;
            break;
        }
    }
    assert!(refused, "no write was refused on a full disk");
    let now = export(&db);
    cli(&db, &["show", "1"]).ok();
    cli(&db, &["log", "--limit", "3"]).ok();
    std::fs::remove_file(filler).unwrap();
    assert_eq!(export(&db), now);
}

// ---------------------------------------------------------------- files of other programs

const FOREIGN: &str =
    "is not a clientele database (it was made by another program); choose another --db path";

/// Every command, reading or writing, refuses `db` and leaves every byte as it was.
#[track_caller]
fn assert_refused_untouched(db: &Path, why: &str) {
    let bytes = std::fs::read(db).unwrap();
    let notes = "x";
    for args in [
        add_args("Intruder", "intruder", notes),
        vec!["list"],
        vec!["show", "1"],
        vec!["export", "--all"],
        vec!["demo", "--customers", "5"],
    ] {
        let out = cli(db, &args);
        out.expect_code(1);
        assert!(
            out.stderr.contains(&db.display().to_string()) && out.stderr.contains(why),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(
            std::fs::read(db).unwrap(),
            bytes,
            "{args:?} changed the file"
        );
    }
}

#[test]
fn a_redb_file_of_another_program_is_refused_untouched() {
    let sb = Sandbox::new();
    let db = sb.path("other.redb");
    {
        let other = redb::Database::create(&db).unwrap();
        let w = other.begin_write().unwrap();
        {
            let def: redb::TableDefinition<u64, &str> = redb::TableDefinition::new("accounts");
            w.open_table(def).unwrap().insert(1, "not yours").unwrap();
        }
        w.commit().unwrap();
    }
    assert_refused_untouched(&db, FOREIGN);
    // A `meta` table alone does not make a file clientele's.
    let db = sb.path("meta.redb");
    {
        let other = redb::Database::create(&db).unwrap();
        let w = other.begin_write().unwrap();
        {
            let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
            w.open_table(def)
                .unwrap()
                .insert("version", b"7".as_slice())
                .unwrap();
        }
        w.commit().unwrap();
    }
    assert_refused_untouched(&db, FOREIGN);
}

#[test]
fn a_file_that_is_no_database_is_refused_untouched() {
    let sb = Sandbox::new();
    let db = sb.path("notes.txt");
    let mut bytes: Vec<u8> = b"clientele? no: a shopping list\n".to_vec();
    bytes.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&db, &bytes).unwrap();
    assert_refused_untouched(&db, "is not a clientele database");
}

#[test]
fn an_empty_file_is_taken_for_a_new_database() {
    // Nothing in it to lose; it is also what a crash between creating a file and its first
    // commit leaves behind.
    let sb = Sandbox::new();
    std::fs::write(&sb.db, b"").unwrap();
    let out = cli(&sb.db, &["list"]);
    out.expect_code(1);
    assert!(out.stderr.contains("is empty"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(&sb.db).unwrap(),
        b"",
        "a read changed the file"
    );
    cli(&sb.db, &add_args("First", "first", "x")).ok();
    assert_eq!(total(&sb.db), 1);
}

const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");

fn marker(db: &Path) -> Option<Vec<u8>> {
    use redb::ReadableDatabase;
    let file = redb::Database::open(db).unwrap();
    let r = file.begin_read().unwrap();
    let meta = r.open_table(META).unwrap();
    let v = meta.get("application").unwrap();
    v.map(|v| v.value().to_vec())
}

#[test]
fn files_from_before_the_marker_open_and_get_it_with_their_next_write() {
    let sb = Sandbox::new();
    cli(&sb.db, &add_args("Old Timer", "old-timer", "x")).ok();
    assert_eq!(marker(&sb.db).as_deref(), Some(b"clientele".as_slice()));
    // As written before the marker existed: the schema version row but no marker.
    {
        let file = redb::Database::open(&sb.db).unwrap();
        let w = file.begin_write().unwrap();
        w.open_table(META).unwrap().remove("application").unwrap();
        w.commit().unwrap();
    }
    assert_eq!(marker(&sb.db), None);
    assert_eq!(total(&sb.db), 1);
    assert_eq!(marker(&sb.db), None, "a read wrote the marker");
    cli(&sb.db, &add_args("New Timer", "new-timer", "x")).ok();
    assert_eq!(marker(&sb.db).as_deref(), Some(b"clientele".as_slice()));
    assert_eq!(total(&sb.db), 2);
}

// ---------------------------------------------------------------- backup

#[test]
fn a_backup_never_builds_on_a_stale_partial_file() {
    let sb = Sandbox::new();
    let db = &sb.db;
    cli(db, &["demo", "--customers", "12", "--seed", "4"]).ok();
    cli(db, &add_args("Gone Soon", "gone-soon", "x")).ok();
    // A crash left a valid database as the partial file, holding a customer deleted since.
    let stale = sb.path("nightly.redb.partial");
    cli(db, &["backup", stale.to_str().unwrap()]).ok();
    cli(db, &["delete", "gone-soon", "--yes"]).ok();
    let to = sb.path("nightly.redb");
    cli(db, &["backup", to.to_str().unwrap()]).ok();
    assert!(!stale.exists(), "the partial file was left behind");
    assert_eq!(export(&to), export(db));
    assert!(!export(&to).contains("gone-soon"));
    assert_eq!(total(&to), total(db));
}
