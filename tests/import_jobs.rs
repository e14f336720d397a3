//! The console's import as a job: `POST /import` answers `303` to `/import/{job}`, which shows
//! how far the import is (a labelled `<progress>`, the status in a live region, a refresh
//! without script) and then the same result as before. One import runs at a time; the last
//! `KEPT` jobs are kept. In-process tests hold the store's write transaction to keep a job
//! running for as long as they look at it; one test goes through a real `clientele serve`.

mod common;
#[path = "common/raw_http.rs"]
mod raw_http;
#[path = "common/serve.rs"]
mod serve;

use clientele::domain::date::Date;
use clientele::domain::model::Actor;
use clientele::store::Access;
use clientele::tasks::bulk::Selection;
use clientele::tasks::csv::ExportOptions;
use clientele::tasks::desk::Desk;
use clientele::web::app::App;
use clientele::web::http::{build_query, Method, Request, Response};
use clientele::web::imports::KEPT;
use clientele::web::pages::handle;
use scraper::{Html, Selector};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-27";

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn attr(doc: &Html, selector: &str, name: &str) -> Option<String> {
    doc.select(&sel(selector))
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_string))
}

fn open(dir: &std::path::Path, name: &str) -> Desk {
    Desk::open(&dir.join(name), Access::Write, Date::parse(TODAY)).unwrap()
}

/// The CSV of `n` customers (`acct-0001`, …), as the export writes it.
fn csv_of(n: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path(), "source.redb");
    let ctx = desk.ctx(Actor::Cli);
    for i in 1..=n {
        let c = common::lisboa_customer(&format!("Company {i:04}"), &format!("acct-{i:04}"), "CLP");
        desk.add_customer(ctx, &c).unwrap();
    }
    let mut out = Vec::new();
    let all = Selection::Filter(clientele::domain::filter::Filter::default().unpaged());
    desk.export_csv(&all, ExportOptions::default(), &mut out)
        .unwrap();
    String::from_utf8(out).unwrap()
}

struct Fx {
    _dir: tempfile::TempDir,
    app: App,
}

fn fx() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(open(dir.path(), "desk.redb"));
    Fx { _dir: dir, app }
}

impl Fx {
    fn get(&self, target: &str) -> Response {
        handle(&self.app, &Request::new(Method::Get, target).unwrap())
    }

    /// Imports through the console, waits (at most 60 s) for the job the answer names, and
    /// returns its page's address.
    fn import_done(&self, csv: &str, action: &str) -> String {
        let to = location(&self.import(csv, action));
        let job = self.app.imports.get(job_id(&to)).unwrap();
        assert!(job.wait(Duration::from_secs(60)), "{to} did not finish");
        to
    }

    fn import(&self, csv: &str, action: &str) -> Response {
        let req = Request::new(Method::Post, "/import")
            .unwrap()
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(build_query(&[("csv", csv), ("action", action)]));
        handle(&self.app, &req)
    }
}

fn location(r: &Response) -> String {
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    r.header("location").unwrap().to_string()
}

fn doc(r: &Response) -> Html {
    Html::parse_document(&String::from_utf8_lossy(&r.body))
}

fn job_id(to: &str) -> u64 {
    to.strip_prefix("/import/").unwrap().parse().unwrap()
}

/// While another write holds the store, the import waits and its page says how far it is;
/// a second import is refused naming it; once the write is over, the page shows the result.
#[test]
fn a_running_import_shows_its_progress_and_then_its_result() {
    let f = fx();
    let csv = csv_of(3);
    let held = f.app.desk.store().write().unwrap();
    let to = location(&f.import(&csv, "import"));
    assert_eq!(to, "/import/1");

    let page = f.get(&to);
    assert_eq!(page.status, 200);
    let d = doc(&page);
    assert_eq!(
        attr(&d, "head meta[http-equiv=refresh]", "content").as_deref(),
        Some("2"),
        "a running import's page refreshes itself"
    );
    // …and first offers to stop that; then it stays put and offers to check again.
    assert_eq!(
        attr(&d, "main a", "href").as_deref(),
        Some("/import/1?refresh=off")
    );
    let still = doc(&f.get("/import/1?refresh=off"));
    assert!(still
        .select(&sel("meta[http-equiv=refresh]"))
        .next()
        .is_none());
    assert_eq!(texts(&still, "progress#import-progress").len(), 1);
    assert_eq!(
        attr(&still, "a[data-testid=resume-refreshing]", "href").as_deref(),
        Some("/import/1")
    );
    // A labelled progress bar over the input's lines, and the same in words in a live region.
    assert_eq!(
        attr(&d, "progress#import-progress", "max").as_deref(),
        Some("4")
    );
    assert_eq!(
        attr(&d, "progress#import-progress", "value").as_deref(),
        Some("0")
    );
    assert_eq!(texts(&d, "label[for=import-progress]"), ["Lines read"]);
    let status = "#import-status[role=status][aria-live=polite]";
    assert_eq!(texts(&d, status), ["0 of 4 lines read (0%)."]);
    assert_eq!(
        attr(&d, "progress#import-progress", "aria-describedby").as_deref(),
        Some("import-status")
    );

    // One import at a time: the second is refused and told which one runs.
    let busy = f.import(&csv, "dry-run");
    assert_eq!(busy.status, 409);
    let b = doc(&busy);
    assert!(texts(&b, "[data-testid=import-busy]")[0].contains("Import 1 is still running"));
    assert_eq!(
        attr(&b, "a[data-testid=running-import]", "href").as_deref(),
        Some("/import/1")
    );

    drop(held);
    let job = f.app.imports.get(1).unwrap();
    assert!(job.wait(Duration::from_secs(60)));
    let done = f.get(&to);
    assert_eq!(done.status, 200);
    let d = doc(&done);
    assert!(d.select(&sel("meta[http-equiv=refresh]")).next().is_none());
    assert!(d.select(&sel("progress")).next().is_none());
    assert_eq!(
        texts(&d, "#flash"),
        ["Import finished: 3 created, 0 updated, 0 unchanged."]
    );
    assert_eq!(f.app.desk.count().unwrap(), 3);
    // The page stays as it is: reading it again imports nothing.
    assert_eq!(f.get(&to).status, 200);
    assert_eq!(f.app.desk.count().unwrap(), 3);
}

/// A refused import shows its rows with their line numbers, like before; a dry run shows its
/// report and the CSV again in the form.
#[test]
fn a_finished_import_shows_the_same_result_as_before() {
    let f = fx();
    let csv = csv_of(2);
    let bad = csv.replace(
        "acct-0002,CLP,active,Ana,Lima,ana@example.com",
        "acct-0002,CLP,active,Ana,Lima,broken",
    );
    assert_ne!(bad, csv);
    let to = f.import_done(&bad, "import");
    let r = f.get(&to);
    assert_eq!(r.status, 422);
    let cells = texts(&doc(&r), "#import-errors tbody tr td");
    assert_eq!(cells[..3], ["3", "acct-0002", "email"], "{cells:?}");
    assert_eq!(f.app.desk.count().unwrap(), 0);

    let to = f.import_done(&csv, "dry-run");
    let d = doc(&f.get(&to));
    assert_eq!(texts(&d, "[data-testid=created]"), ["2"]);
    assert_eq!(texts(&d, "#import-csv"), [csv.trim()]);
    assert_eq!(f.app.desk.count().unwrap(), 0);
}

/// The table keeps the last `KEPT` jobs; an older or unknown one is a 404 that says so.
#[test]
fn old_jobs_are_forgotten() {
    let f = fx();
    let csv = csv_of(1);
    for n in 1..=KEPT as u64 + 1 {
        let to = location(&f.import(&csv, "dry-run"));
        assert_eq!(job_id(&to), n);
        assert!(f.app.imports.get(n).unwrap().wait(Duration::from_secs(60)));
    }
    let gone = f.get("/import/1");
    assert_eq!(gone.status, 404);
    let said = texts(&doc(&gone), "[data-testid=message]").join("");
    assert!(said.contains(&format!("the last {KEPT} imports")), "{said}");
    assert_eq!(f.get("/import/2").status, 200);
    assert_eq!(f.get("/import/999").status, 404);
    assert_eq!(f.get("/import/x").status, 404);
}

/// Through a real server: the upload answers 303, and following it — refreshing as the page
/// asks, until it stops asking — reaches the result.
#[test]
fn an_upload_through_the_server_reaches_its_result() {
    let sb = common::Sandbox::new();
    let server = serve::Server::start(&sb.db, TODAY, &[]);
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", server.port).parse().unwrap();
    let csv = csv_of(400);
    let boundary = "----clientele-test";
    let mut body = Vec::new();
    for (name, file, data) in [
        ("file", Some("all.csv"), csv.as_str()),
        ("action", None, "import"),
    ] {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match file {
            Some(f) => format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(data.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut conn = raw_http::Conn::connect(addr, Duration::from_secs(30));
    let content_type = format!("Content-Type: multipart/form-data; boundary={boundary}");
    conn.send("POST", "/import", &[&content_type], &body);
    let posted = conn.reply();
    assert_eq!(posted.status, 303, "{}", posted.text());
    let to = posted.header("location").unwrap().to_string();
    assert!(to.starts_with("/import/"), "{to}");

    let deadline = Instant::now() + Duration::from_secs(120);
    let result = loop {
        let page = conn.get(&to, &[]);
        assert_eq!(page.status, 200, "{}", page.text());
        let d = Html::parse_document(&page.text());
        let Some(wait) = attr(&d, "meta[http-equiv=refresh]", "content") else {
            break d;
        };
        // Still running: the page says how far, in a labelled bar and in words.
        let max: u64 = attr(&d, "progress#import-progress", "max")
            .unwrap()
            .parse()
            .unwrap();
        let value: u64 = attr(&d, "progress#import-progress", "value")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(max, csv.lines().count() as u64);
        assert!(value <= max);
        assert!(texts(&d, "#import-status[aria-live=polite]")[0].contains(" lines read ("));
        assert!(Instant::now() < deadline, "the import never ended");
        std::thread::sleep(Duration::from_secs(wait.parse().unwrap()));
    };
    assert_eq!(
        texts(&result, "#flash"),
        ["Import finished: 400 created, 0 updated, 0 unchanged."]
    );
    let listed = server.request("GET", "/api/customers?limit=1", None);
    assert_eq!(listed.json()["total"], 400);
}
