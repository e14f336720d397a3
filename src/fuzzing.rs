//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_corpus.rs`, which replays
//! their corpora on every `cargo test`. Each function takes arbitrary bytes, runs them through
//! the real parser (or the real request handler) and panics when an invariant breaks, so a
//! fuzz target is one line and every input it ever found stays a regression test.
//!
//! Not part of clientele's interface: nothing outside the fuzz targets and tests calls this.

use crate::cli::args::{Cli, Command};
use crate::domain::changes::licenses_text;
use crate::domain::date::{Date, Timestamp};
use crate::domain::derive::Catalog;
use crate::domain::error::Error;
use crate::domain::filter::Filter;
use crate::domain::licence_entries::parse_list as parse_licenses;
use crate::domain::model::{Actor, License, Plan, PlanKind, Product};
use crate::domain::validate::LicenseInput;
use crate::store::{records, Access};
use crate::tasks::bulk::Selection;
use crate::tasks::csv::{ExportOptions, ImportOptions};
use crate::tasks::desk::{Ctx, Desk};
use crate::web::app::{filter_from_pairs, App};
use crate::web::http::{build_query, Method, Request, Response};
use crate::web::pages::multipart;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Every fixture uses the same *today*, so an input behaves the same on every run.
fn today() -> Date {
    Date::from_ymd(2026, 11, 30).expect("a valid date")
}

fn ctx() -> Ctx {
    Ctx {
        actor: Actor::Cli,
        today: today(),
        now: Timestamp(i64::from(today().days()) * 86_400 + 12 * 3600),
    }
}

/// Errors a healthy database must never give for any client input: they mean a bug (or a
/// record written that cannot be read back), not a bad request.
fn is_internal(e: &Error) -> bool {
    matches!(e, Error::Database(_) | Error::Io(_) | Error::Internal(_))
}

// ---- a seeded database per input -------------------------------------------------------

/// A small demo database, built once per process and kept as bytes: each input that may
/// write gets its own copy, so inputs never see each other's changes.
struct Fixture {
    image: Vec<u8>,
    /// A desk over a copy of the image that is never committed to (dry runs and reads only).
    shared: Desk,
    // Ids and names that exist in the image, for the routes that take them.
    customer: u64,
    license: u64,
    device: u64,
    device_owner: u64,
    plan: u64,
    template: String,
    model: String,
}

/// The database file of one input, removed when dropped (an open handle keeps working).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// tmpfs where the machine has one: a database per input must not wear a disk.
fn scratch_path() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!(
        "clientele-fuzz-{}-{}.redb",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

fn open(path: &Path) -> Desk {
    Desk::open(path, Access::Write, Some(today())).expect("the fixture database opens")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = scratch_path();
        let desk = open(&path);
        crate::demo::generate(&desk, ctx(), 12, 7).expect("demo data");
        let views = desk
            .list(&Filter::default().unpaged())
            .expect("the demo lists")
            .items;
        let customer = views
            .iter()
            .find(|v| !v.licenses.is_empty())
            .expect("a customer with licences");
        let device = &desk.devices(None).expect("devices")[0];
        let (customer, license) = (customer.id, customer.licenses[0].id);
        let (device, device_owner) = (device.id, device.customer_id);
        let plan = desk.plans().expect("plans")[0].id;
        let template = desk.templates().expect("templates")[0].name.clone();
        let model = desk.firmware().expect("firmware")[0].model.clone();
        drop(desk);
        let image = std::fs::read(&path).expect("the fixture database");
        // The shared desk's file is unlinked at once: it lives as long as its handle.
        let shared = open(&path);
        let _ = std::fs::remove_file(&path);
        Fixture {
            image,
            shared,
            customer,
            license,
            device,
            device_owner,
            plan,
            template,
            model,
        }
    })
}

impl Fixture {
    /// A fresh copy of the demo database.
    fn scratch(&self) -> (Scratch, Desk) {
        let path = scratch_path();
        std::fs::write(&path, &self.image).expect("a scratch database");
        let desk = open(&path);
        (Scratch(path), desk)
    }

    /// The web application over a fresh copy. The server's token, origin and size checks
    /// sit in front of it in `clientele serve`; what is under test is what passes them.
    fn app(&self) -> (Scratch, App) {
        let (file, desk) = self.scratch();
        let app = App::new(desk);
        (file, app)
    }
}

/// Every customer exports, and importing that export into the same database changes nothing:
/// what one interface stored, the CSV carries faithfully.
fn export_reimports_unchanged(desk: &Desk) {
    // Guarded cells come back through a plain import, raw cells through a raw one.
    for raw in [false, true] {
        let mut csv = Vec::new();
        desk.export_csv(
            &Selection::Filter(Filter::default().unpaged()),
            ExportOptions { raw, excel: false },
            &mut csv,
        )
        .unwrap_or_else(|e| panic!("the export fails: {e}"));
        let report = desk
            .import_csv(ctx(), &mut csv.as_slice(), dry_run(raw))
            .unwrap_or_else(|e| panic!("the export does not import: {e}"));
        assert!(
            report.errors.is_empty() && report.created == 0 && report.updated == 0,
            "importing the export (raw: {raw}) changes the database: {report}\n{}",
            String::from_utf8_lossy(&csv)
        );
    }
}

fn dry_run(raw: bool) -> ImportOptions {
    ImportOptions { dry_run: true, raw }
}

// ---- CSV import ------------------------------------------------------------------------

/// A whole CSV file through `import_csv`: a dry run against the shared demo database must
/// answer (never panic, never an internal error); a file it accepts must import for real
/// with the same counts, and then round-trip through export.
pub fn csv_import(data: &[u8]) {
    let fx = fixture();
    for raw in [false, true] {
        let report = match fx.shared.import_csv(ctx(), &mut &data[..], dry_run(raw)) {
            Ok(report) => report,
            Err(e) => {
                assert!(!is_internal(&e), "a CSV file gives an internal error: {e}");
                continue;
            }
        };
        if !report.errors.is_empty() || report.created + report.updated == 0 {
            continue;
        }
        let (_file, desk) = fx.scratch();
        let real = desk
            .import_csv(
                ctx(),
                &mut &data[..],
                ImportOptions {
                    dry_run: false,
                    raw,
                },
            )
            .unwrap_or_else(|e| panic!("a file the dry run accepted fails: {e}"));
        assert_eq!(
            (real.created, real.updated, real.unchanged),
            (report.created, report.updated, report.unchanged),
            "the dry run and the import disagree"
        );
        export_reimports_unchanged(&desk);
    }
}

// ---- the licences cell -----------------------------------------------------------------

type Facts = (String, u32, u32, Option<String>, Option<String>);

fn facts(list: &[LicenseInput]) -> Vec<Facts> {
    list.iter()
        .map(|l| {
            (
                l.plan.clone(),
                l.units,
                l.used,
                l.start.clone(),
                l.expiry.clone(),
            )
        })
        .collect()
}

/// Plans with the awkward names the rules allow (see `validate::plan_name`).
fn cell_catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let plan = |id: u64, name: &str| Plan {
            id,
            name: name.into(),
            product: Product::Wfbss,
            kind: PlanKind::Full,
            months: 12,
            notice_days: 30,
            auto_renew: false,
            managed: false,
            enabled: true,
            end_of_life: false,
        };
        Catalog::new(
            vec![
                plan(1, "WFBS-S Full 12"),
                plan(2, "Ünïcødé 東京 🚀"),
                plan(3, "a"),
                plan(4, "=cmd|' /C calc'!A0"),
                plan(5, "x \"q\", y"),
            ],
            vec![],
        )
    })
}

/// `domain::licence_entries::parse_list`: whatever parses, written back in the cell's format, parses to
/// the same entries; entries naming known plans and real dates also survive the exporter's
/// own formatter (`licenses_text`).
pub fn license_cell(data: &[u8]) {
    let Ok(cell) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(list) = parse_licenses(cell) else {
        return;
    };
    let text = list
        .iter()
        .map(|l| {
            format!(
                "{}:{}:{}:{}:{}",
                l.plan,
                l.units,
                l.used,
                l.start.as_deref().unwrap_or_default(),
                l.expiry.as_deref().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let again = parse_licenses(&text).unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"));
    assert_eq!(facts(&list), facts(&again), "`{cell}` → `{text}`");

    let catalog = cell_catalog();
    let date = |s: &Option<String>| s.as_deref().and_then(Date::parse);
    let known: Option<Vec<License>> = list
        .iter()
        .zip(1..)
        .map(|(l, id)| {
            Some(License {
                id,
                plan_id: catalog.plan_named(&l.plan)?.id,
                units: l.units,
                used: l.used,
                start: date(&l.start)?,
                expiry: date(&l.expiry)?,
            })
        })
        .collect();
    let Some(known) = known else { return };
    let text = licenses_text(&known, catalog);
    let again = parse_licenses(&text).unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"));
    assert_eq!(again.len(), known.len(), "`{text}`");
    for (l, k) in again.iter().zip(&known) {
        assert_eq!(
            (
                catalog.plan_named(&l.plan).map(|p| p.id),
                l.units,
                l.used,
                date(&l.start),
                date(&l.expiry)
            ),
            (
                Some(k.plan_id),
                k.units,
                k.used,
                Some(k.start),
                Some(k.expiry)
            ),
            "`{text}`"
        );
    }
}

// ---- the filter grammar ----------------------------------------------------------------

/// The filter grammar as a URL query (first byte even) or as `clientele list` flags (odd;
/// arguments separated by NUL). A filter that parses must list, and must come back unchanged
/// through `to_pairs` and through a URL built from those pairs.
pub fn filter_query(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let filter = if mode % 2 == 0 {
        let Ok(req) = Request::new(Method::Get, &format!("/api/customers?{text}")) else {
            return;
        };
        let Ok(pairs) = req.query_pairs() else {
            return;
        };
        filter_from_pairs(&pairs)
    } else {
        let mut args = vec!["list"];
        args.extend(text.split('\0'));
        let Ok(Cli {
            command: Command::List(list),
            ..
        }) = <Cli as argh::FromArgs>::from_args(&["clientele"], &args)
        else {
            return;
        };
        Filter::from_pairs(list.filters().pairs())
    };
    let Ok(filter) = filter else {
        return;
    };
    let pairs = filter.to_pairs();
    let again = Filter::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .unwrap_or_else(|e| panic!("{pairs:?} do not parse: {e}"));
    assert_eq!(again, filter, "to_pairs is not the inverse of from_pairs");
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = format!("/api/customers?{}", build_query(&borrowed));
    let req = Request::new(Method::Get, &url).expect("a built URL decodes");
    let from_url = filter_from_pairs(&req.query_pairs().expect("a built query decodes"))
        .unwrap_or_else(|e| panic!("`{url}` does not parse: {e}"));
    assert_eq!(from_url, filter, "`{url}`");
    let fx = fixture();
    let page = fx
        .shared
        .list(&filter)
        .unwrap_or_else(|e| panic!("a valid filter does not list: {e}"));
    assert!(page.items.len() <= filter.limit);
    fx.shared
        .list_json(&filter)
        .unwrap_or_else(|e| panic!("a valid filter does not list as JSON: {e}"));
}

// ---- form bodies and request targets ---------------------------------------------------

/// `application/x-www-form-urlencoded` bodies (`Request::form_pairs`): decoded pairs encode
/// back to a body that decodes to the same pairs. The same bytes as a request target
/// (`Request::new`) must decode or be refused, never panic, and a decoded query round-trips.
pub fn form_body(data: &[u8]) {
    let req = Request::new(Method::Post, "/")
        .expect("a path")
        .with_body(data);
    if let Ok(pairs) = req.form_pairs() {
        assert_pairs_round_trip(&pairs);
    }
    let Ok(target) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(req) = Request::new(Method::Get, target) else {
        return;
    };
    assert!(req.path.starts_with('/'));
    let _ = (req.segments(), req.is_api(), req.cookie("session"));
    if let Ok(pairs) = req.query_pairs() {
        assert_pairs_round_trip(&pairs);
    }
}

fn assert_pairs_round_trip(pairs: &[(String, String)]) {
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = build_query(&borrowed);
    let again = Request::new(Method::Post, "/")
        .expect("a path")
        .with_body(body.clone())
        .form_pairs()
        .unwrap_or_else(|e| panic!("`{body}` does not decode: {e}"));
    assert_eq!(again, pairs, "`{body}`");
}

// ---- multipart bodies ------------------------------------------------------------------

/// A `multipart/form-data` upload: the first line is the Content-Type, the rest the body.
/// Parts that parse, written again with the same boundary, parse to the same parts.
pub fn multipart_body(data: &[u8]) {
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(content_type) = std::str::from_utf8(head) else {
        return;
    };
    let Some(boundary) = multipart::boundary(content_type) else {
        return;
    };
    assert!(!boundary.is_empty() && boundary.len() <= 70);
    let Ok(parts) = multipart::parse(body, &boundary) else {
        return;
    };
    // Only RFC 2046 boundary characters make a delimiter that cannot overlap the data
    // before it; other boundaries are read but not written back.
    let bchar = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if !boundary.chars().all(bchar) {
        return;
    }
    let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut again = Vec::new();
    for p in &parts {
        again.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        again.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"",
                quote(&p.name)
            )
            .as_bytes(),
        );
        if let Some(f) = &p.filename {
            again.extend_from_slice(format!("; filename=\"{}\"", quote(f)).as_bytes());
        }
        again.extend_from_slice(b"\r\n\r\n");
        again.extend_from_slice(&p.data);
        again.extend_from_slice(b"\r\n");
    }
    again.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let reparsed = multipart::parse(&again, &boundary).unwrap_or_else(|e| {
        panic!(
            "a written body does not parse: {e}\n{}",
            String::from_utf8_lossy(&again)
        )
    });
    assert_eq!(reparsed, parts);
}

// ---- JSON request bodies ---------------------------------------------------------------

/// A JSON body sent to one of the API's write routes (chosen by the first byte) on a fresh
/// copy of the demo database. The API must answer with JSON and never with a 5xx; whatever
/// it accepted must still export and import unchanged.
pub fn api_json(data: &[u8]) {
    let Some((route, body)) = data.split_first() else {
        return;
    };
    let fx = fixture();
    let (c, l, d, p, t, m) = (
        fx.customer,
        fx.license,
        fx.device,
        fx.plan,
        crate::web::http::url_encode(&fx.template),
        crate::web::http::url_encode(&fx.model),
    );
    let routes: [(Method, String); 19] = [
        (Method::Post, "/api/customers".into()),
        (Method::Patch, format!("/api/customers/{c}")),
        (Method::Post, format!("/api/customers/{c}/licenses")),
        (Method::Post, format!("/api/customers/{c}/devices")),
        (Method::Post, format!("/api/customers/{c}/events")),
        (Method::Post, "/api/tasks/delete".into()),
        (Method::Post, "/api/tasks/assign-template".into()),
        (Method::Post, "/api/tasks/deploy-policy".into()),
        (Method::Post, "/api/tasks/update-firmware".into()),
        (Method::Post, "/api/tasks/renew".into()),
        (Method::Post, "/api/tasks/suspend".into()),
        (Method::Post, "/api/tasks/reactivate".into()),
        (Method::Put, "/api/settings".into()),
        (Method::Post, "/api/plans".into()),
        (Method::Patch, format!("/api/plans/{p}")),
        (Method::Post, "/api/templates".into()),
        (Method::Patch, format!("/api/templates/{t}")),
        (Method::Patch, format!("/api/licenses/{l}")),
        (Method::Patch, format!("/api/devices/{d}")),
    ];
    let (method, path) = if usize::from(*route) < routes.len() {
        routes[usize::from(*route)].clone()
    } else {
        (Method::Put, format!("/api/firmware/{m}"))
    };
    let req = Request::new(method, &path)
        .expect("a route path")
        .with_header("Content-Type", "application/json")
        .with_body(body);
    let (_file, app) = fx.app();
    let res = app.handle(&req);
    assert_answered(&req, &res);
    if res.status != 204 {
        let v: serde_json::Value = serde_json::from_slice(&res.body)
            .unwrap_or_else(|e| panic!("{method} {path} answers {} without JSON: {e}", res.status));
        if res.status >= 400 {
            assert!(v["error"]["message"].is_string(), "no error message: {v}");
        }
    }
    if res.status < 300 {
        export_reimports_unchanged(&app.desk);
    }
}

/// A request was answered as a client error at worst: a 5xx on a healthy database is a bug.
fn assert_answered(req: &Request, res: &Response) {
    assert!(
        res.status < 500,
        "{} {} answers {}: {}",
        req.method,
        req.raw_path,
        res.status,
        String::from_utf8_lossy(&res.body)
    );
}

// ---- console forms ---------------------------------------------------------------------

/// A form posted to one of the console's write routes (chosen by the first byte) on a fresh
/// copy of the demo database: url-encoded, or for the last route a `multipart/form-data`
/// import with boundary `b`. The console must answer below 500 with UTF-8, and whatever it
/// accepted must still export and import unchanged.
pub fn console_form(data: &[u8]) {
    let Some((route, body)) = data.split_first() else {
        return;
    };
    let fx = fixture();
    let (c, l, d, o, p) = (fx.customer, fx.license, fx.device, fx.device_owner, fx.plan);
    let routes: [String; 20] = [
        "/customers".into(),
        format!("/customers/{c}"),
        format!("/customers/{c}/licenses"),
        format!("/customers/{c}/licenses/{l}"),
        format!("/customers/{o}/devices"),
        format!("/customers/{o}/devices/{d}"),
        format!("/customers/{c}/events"),
        "/tasks/delete".into(),
        "/tasks/assign-template/run".into(),
        "/tasks/deploy-policy/run".into(),
        "/tasks/renew/run".into(),
        "/tasks/suspend/run".into(),
        "/export".into(),
        "/settings".into(),
        "/plans".into(),
        format!("/plans/{p}"),
        "/templates".into(),
        "/templates/edit".into(),
        "/firmware".into(),
        "/import".into(),
    ];
    let (path, content_type) = match routes.get(usize::from(*route)) {
        Some(path) => (path.as_str(), "application/x-www-form-urlencoded"),
        None => ("/import", "multipart/form-data; boundary=b"),
    };
    let req = Request::new(Method::Post, path)
        .expect("a route path")
        .with_header("Content-Type", content_type)
        .with_body(body);
    let (_file, app) = fx.app();
    let mut res = app.handle(&req);
    assert_answered(&req, &res);
    // An import runs as a job: its page, once it is done, is the answer to judge.
    let job = res
        .header("location")
        .and_then(|to| to.strip_prefix("/import/")?.parse().ok())
        .and_then(|id| app.imports.get(id));
    if let Some(job) = job {
        assert!(
            job.wait(std::time::Duration::from_secs(600)),
            "an import never ends"
        );
        let page = Request::new(Method::Get, &format!("/import/{}", job.id)).expect("a path");
        res = app.handle(&page);
        assert_answered(&page, &res);
    }
    if res.status < 400 {
        export_reimports_unchanged(&app.desk);
    }
}

// ---- stored records --------------------------------------------------------------------

/// Arbitrary bytes as a stored record of the kind the first byte names. Decoding must fail
/// cleanly or give a value that encodes and decodes to itself.
pub fn record_decode(data: &[u8]) {
    let Some((kind, bytes)) = data.split_first() else {
        return;
    };
    macro_rules! round_trip {
        ($dec:path, $enc:path) => {
            if let Ok(value) = $dec(bytes) {
                let encoded = $enc(&value).expect("a decoded record encodes");
                let again = $dec(&encoded).expect("an encoded record decodes");
                assert_eq!(format!("{again:?}"), format!("{value:?}"));
            }
        };
    }
    match kind % 9 {
        0 => round_trip!(records::decode_customer, records::encode_customer),
        1 => round_trip!(records::decode_summary, records::encode_summary),
        2 => round_trip!(records::decode_plan, records::encode_plan),
        3 => round_trip!(records::decode_template, records::encode_template),
        4 => round_trip!(records::decode_event, records::encode_event),
        5 => round_trip!(records::decode_firmware, records::encode_firmware),
        6 => round_trip!(records::decode_outbox, records::encode_outbox),
        7 => round_trip!(records::decode_audit, records::encode_audit),
        _ => round_trip!(records::decode_settings, records::encode_settings),
    }
}

// ---- HTTP request head -----------------------------------------------------------------

/// The patched tiny_http's head parser on raw bytes: it never panics, never claims more
/// bytes than it was given, and a head it accepts, written out again in canonical form,
/// parses to the same method, target, version, header fields and framing.
pub fn http_head(data: &[u8]) {
    let Ok((head, used)) = tiny_http::parse_request_head(data) else {
        return;
    };
    assert!(
        used <= data.len(),
        "the head claims {used} of {} bytes",
        data.len()
    );
    let mut again = format!("{} {} HTTP/{}\r\n", head.method, head.target, head.version);
    for h in &head.headers {
        again.push_str(&format!("{h}\r\n"));
    }
    again.push_str("\r\n");
    let (back, used_again) = tiny_http::parse_request_head(again.as_bytes())
        .unwrap_or_else(|e| panic!("the canonical head {again:?} is refused: {e:?}"));
    assert_eq!(used_again, again.len());
    assert_eq!(
        (back.method, back.target, back.version, back.framing),
        (head.method, head.target, head.version, head.framing),
        "{again:?}"
    );
    let text =
        |hs: &[tiny_http::Header]| -> Vec<String> { hs.iter().map(|h| h.to_string()).collect() };
    assert_eq!(text(&back.headers), text(&head.headers), "{again:?}");
}
