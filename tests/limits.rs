//! Bounded records, bounded selections, capped error reports, and unreadable records, at
//! every boundary: the core directly, the real binary's command line, the JSON API over
//! HTTP, and the console.

mod common;

use clientele::domain::date::Date;
use clientele::domain::error::Error;
use clientele::domain::limits;
use clientele::domain::model::*;
use clientele::domain::summary::Summary;
use clientele::domain::validate::{CustomerInput, LicenseInput};
use clientele::store::{Access, Read, Writer};
use clientele::tasks::bulk::{BulkTask, Outcome, Selection};
use clientele::tasks::catalogs::{PlanInput, TemplateInput};
use clientele::tasks::csv::{ExportOptions, ImportOptions, HEADER};
use clientele::tasks::desk::{Ctx, CustomerRef, Desk};
use clientele::tasks::holdings::{DeviceInput, EventInput};
use clientele::web::app::App;
use clientele::web::http::{Method, Request};
use common::{run, Output, Sandbox};
use redb::ReadableTable;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::path::Path;
use std::time::Duration;

const TODAY: &str = "2026-11-27";
/// A plan name with quotes, a comma and non-Latin text (`:` and `;` are not allowed).
const PLAN_SAFE: &str = "WFBS-S Full, \"Gold\" 東京 🚀";

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

fn open(path: &Path) -> Desk {
    Desk::open(path, Access::Write, Some(today())).unwrap()
}

fn ctx(desk: &Desk) -> Ctx {
    desk.ctx(Actor::Cli)
}

fn add_plan(desk: &Desk) {
    desk.add_plan(
        ctx(desk),
        &PlanInput {
            name: Some(PLAN_SAFE.into()),
            product: Some("wfbss".into()),
            months: Some(12),
            ..PlanInput::default()
        },
    )
    .unwrap();
}

fn customer(company: &str, account: &str, kind: &str, licenses: usize) -> CustomerInput {
    CustomerInput {
        company: Some(company.into()),
        account_name: Some(account.into()),
        account_type: Some(kind.into()),
        contact_first_name: Some("Zoë".into()),
        contact_last_name: Some("O'Neil, \"Jr\"".into()),
        email: Some("zoe@example.com".into()),
        city: Some("東京".into()),
        state: Some("Tōkyō".into()),
        country: Some("JP".into()),
        notes: Some("=SUM(A1), \"quoted\"\n🚀".into()),
        licenses: Some(
            (0..licenses)
                .map(|_| LicenseInput {
                    plan: PLAN_SAFE.into(),
                    units: 1,
                    start: Some("2026-01-01".into()),
                    ..LicenseInput::default()
                })
                .collect(),
        ),
        ..CustomerInput::default()
    }
}

/// The single field error of an `Invalid` answer.
#[track_caller]
fn field_error(e: Error) -> (String, String) {
    match e {
        Error::Invalid(mut errors) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            let e = errors.remove(0);
            (e.field, e.message)
        }
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// A CSV row for `account` whose `licenses` cell holds `cell`; every cell is quoted.
fn csv_row(account: &str, cell: &str) -> String {
    let mut cells = vec![String::new(); HEADER.len()];
    cells[1] = format!("Ünïcode, \"{account}\" Ltd");
    cells[2] = account.into();
    cells[3] = "LMP".into();
    cells[5] = "Zoë".into();
    cells[6] = "Lima".into();
    cells[7] = "zoe@example.com".into();
    cells[10] = "Lisboa".into();
    cells[11] = "Lisboa".into();
    cells[13] = "PT".into();
    cells[17] = cell.into();
    cells
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

fn licence_cell(n: usize) -> String {
    vec![format!("{PLAN_SAFE}:1:0:2026-01-01:2026-12-31"); n].join("; ")
}

fn csv(rows: &[String]) -> String {
    format!("{}\n{}\n", HEADER.join(","), rows.join("\n"))
}

/// Saves `c` over `old` straight through the store, past every rule of the tasks.
fn save_raw(w: &Writer, c: &Customer, old: &Customer) -> Result<(), Error> {
    let catalog = w.catalog().unwrap();
    w.save_customer(c, Some(old), &Summary::of(c, Default::default(), &catalog))
}

/// A CSV file of 150 rows (`bad-000` …), each naming a plan that does not exist.
fn unknown_plan_csv() -> String {
    let rows: Vec<String> = (0..150)
        .map(|i| {
            csv_row(
                &format!("bad-{i:03}"),
                "No Such Plan:1:0:2026-01-01:2026-12-31",
            )
        })
        .collect();
    csv(&rows)
}

/// Overwrites one value of a table with bytes no clientele can read, as a bit flip or an
/// older bug would leave it. The database must not be open.
fn corrupt(db: &Path, table: &str, id: u64) {
    let file = redb::Database::open(db).unwrap();
    let w = file.begin_write().unwrap();
    {
        let def: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new(table);
        let mut t = w.open_table(def).unwrap();
        assert!(t.get(id).unwrap().is_some(), "{table} {id} exists");
        t.insert(id, [1u8, 0xff, 0xff, 0xff, 0xff, 0xff].as_slice())
            .unwrap();
    }
    w.commit().unwrap();
}

/// Overwrites one event (keyed by customer and event id) with unreadable bytes.
fn corrupt_event(db: &Path, customer: u64, event: u64) {
    let file = redb::Database::open(db).unwrap();
    let w = file.begin_write().unwrap();
    {
        let def: redb::TableDefinition<(u64, u64), &[u8]> = redb::TableDefinition::new("events");
        let mut t = w.open_table(def).unwrap();
        assert!(t.get((customer, event)).unwrap().is_some());
        t.insert((customer, event), [9u8].as_slice()).unwrap();
    }
    w.commit().unwrap();
}

// ---- the core ------------------------------------------------------------------------

#[test]
fn core_caps_licences_on_add_holdings_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir.path().join("t.redb"));
    add_plan(&desk);
    let e = desk
        .add_customer(
            ctx(&desk),
            &customer("Too Many", "too-many", "LMP", limits::LICENSES + 1),
        )
        .unwrap_err();
    let (field, message) = field_error(e);
    assert_eq!(field, "licenses");
    assert!(
        message.contains("at most 1,000") && message.contains("got 1,001"),
        "{message}"
    );
    assert_eq!(desk.count().unwrap(), 0, "nothing written");

    let full = desk
        .add_customer(
            ctx(&desk),
            &customer("Full, \"Inc\"", "full-inc", "LMP", limits::LICENSES),
        )
        .unwrap();
    assert_eq!(full.licenses.len(), limits::LICENSES);
    let e = desk
        .add_license(ctx(&desk), full.id, PLAN_SAFE, 1, 0, None)
        .unwrap_err();
    let (field, message) = field_error(e);
    assert_eq!(field, "licenses");
    assert!(message.contains("already holds 1,000"), "{message}");

    // One CSV cell holding 200,000 entries is refused after one pass, naming the field.
    let file = csv(&[
        csv_row("ok-row", &licence_cell(2)),
        csv_row("huge-row", &licence_cell(200_000)),
    ]);
    let e = desk
        .import_csv(ctx(&desk), &mut file.as_bytes(), ImportOptions::default())
        .unwrap_err();
    let Error::Import(rows) = e else {
        panic!("{e:?}")
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].line, rows[0].errors[0].field.as_str()),
        (3, "licenses")
    );
    assert!(rows[0].errors[0].message.contains("got 200,000"));
    assert_eq!(desk.count().unwrap(), 1, "import is all or nothing");
}

#[test]
fn core_caps_devices_events_policies_and_template_settings() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir.path().join("t.redb"));
    add_plan(&desk);
    let id = desk
        .add_customer(ctx(&desk), &customer("Edge, \"Co\"", "edge-co", "LMP", 1))
        .unwrap()
        .id;
    // Fill devices and events to their maxima in one transaction, through the store.
    {
        let w = desk.store().write().unwrap();
        let old = w.customer(id).unwrap().unwrap();
        let mut c = old.clone();
        c.devices = (0..limits::DEVICES as u64)
            .map(|i| Device {
                id: 10_000 + i,
                name: format!("Edge {i} 🚀"),
                serial: format!("SER-{i}"),
                model: "CE-100".into(),
                firmware: "1.0".into(),
                notified_version: None,
            })
            .collect();
        for i in 0..limits::EVENTS as u64 {
            w.save_event(&Event {
                id: 100_000 + i,
                customer_id: id,
                kind: EventKind::System,
                severity: Severity::Warning,
                category: "disk-space".into(),
                message: "full, \"again\"".into(),
                time: clientele::domain::date::Timestamp(0),
                resolved_at: Some(clientele::domain::date::Timestamp(1)),
            })
            .unwrap();
        }
        save_raw(&w, &c, &old).unwrap();
        w.commit().unwrap();
    }
    let device = DeviceInput {
        name: Some("One more".into()),
        serial: Some("SER-X".into()),
        model: Some("CE-100".into()),
        firmware: Some("1.0".into()),
    };
    let (field, message) = field_error(desk.add_device(ctx(&desk), id, &device).unwrap_err());
    assert_eq!(field, "devices");
    assert!(message.contains("1,000 devices"), "{message}");
    let event = EventInput {
        kind: "threat".into(),
        severity: "warning".into(),
        category: "spam".into(),
        message: "one more".into(),
        time: None,
    };
    let (field, message) = field_error(desk.add_event(ctx(&desk), id, &event).unwrap_err());
    assert_eq!(field, "events");
    assert!(message.contains("10,000 events"), "{message}");

    // A policy list: the entries of one deployment, then the list as it would become.
    let deploy = |entries: String| BulkTask::DeployPolicy {
        list: PolicyList::BlockedUrls,
        action: PolicyAction::Append,
        entries,
    };
    let urls = |from: usize, n: usize| {
        (from..from + n)
            .map(|i| format!("https://bad{i}.example/ü"))
            .collect::<Vec<_>>()
            .join(";")
    };
    let sel = Selection::Ids(vec![id]);
    let (field, message) = field_error(
        desk.run_bulk(ctx(&desk), &sel, &deploy(urls(0, 1_001)), true)
            .unwrap_err(),
    );
    assert_eq!(field, "entries");
    assert!(message.contains("at most 1,000"), "{message}");
    let r = desk
        .run_bulk(ctx(&desk), &sel, &deploy(urls(0, 1_000)), false)
        .unwrap();
    assert_eq!(r.ok, 1, "{:?}", r.results);
    let r = desk
        .run_bulk(ctx(&desk), &sel, &deploy(urls(5_000, 1)), false)
        .unwrap();
    assert_eq!(r.results[0].outcome, Outcome::Failed);
    let reason = r.results[0].reason.clone().unwrap();
    assert!(
        reason.contains("blocked-urls") && reason.contains("1,001"),
        "{reason}"
    );
    let detail = desk.detail(&CustomerRef::Id(id)).unwrap();
    let blocked = detail
        .policies
        .iter()
        .find(|(l, _)| *l == &"blocked-urls")
        .unwrap();
    assert_eq!(blocked.1.len(), 1_000, "the list is unchanged");

    let settings = (0..=limits::TEMPLATE_SETTINGS)
        .map(|i| (format!("key {i}"), "välue, \"x\"".to_string()))
        .collect();
    let e = desk
        .add_template(
            ctx(&desk),
            &TemplateInput {
                name: Some("Huge".into()),
                product: Some("wfbss".into()),
                settings: Some(settings),
            },
        )
        .unwrap_err();
    let (field, message) = field_error(e);
    assert_eq!(field, "settings");
    assert!(
        message.contains("at most 500") && message.contains("got 501"),
        "{message}"
    );
}

#[test]
fn core_caps_ids_per_selection_but_not_filters() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir.path().join("t.redb"));
    let ids: Vec<u64> = (1..=limits::SELECTION_IDS as u64 + 1).collect();
    let e = desk
        .run_bulk(
            ctx(&desk),
            &Selection::Ids(ids.clone()),
            &BulkTask::Suspend,
            true,
        )
        .unwrap_err();
    let (field, message) = field_error(e);
    assert_eq!(field, "ids");
    assert!(
        message.contains("10,000") && message.contains("filter"),
        "{message}"
    );
    // The core's words name no face's syntax (no flag, no JSON key).
    assert!(
        !message.contains("--") && !message.contains('"'),
        "{message}"
    );
    let e = desk
        .export_csv(
            &Selection::Ids(ids),
            ExportOptions::default(),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(field_error(e).0, "ids");
    // At the cap, unknown ids are answered one line each, so the answer stays bounded.
    let ids: Vec<u64> = (1..=limits::SELECTION_IDS as u64).collect();
    let r = desk
        .run_bulk(ctx(&desk), &Selection::Ids(ids), &BulkTask::Suspend, true)
        .unwrap();
    assert_eq!(r.failed, limits::SELECTION_IDS);
    assert_eq!(r.results.len(), limits::REPORTED_ERRORS + 1);
    let last = r.results.last().unwrap().reason.clone().unwrap();
    assert!(
        last.contains("there is no customer with id 101, nor with 9,899 more"),
        "{last}"
    );
    let filter = clientele::domain::filter::Filter::default().unpaged();
    assert!(desk
        .run_bulk(
            ctx(&desk),
            &Selection::Filter(filter),
            &BulkTask::Suspend,
            true
        )
        .is_ok());
}

#[test]
fn core_caps_the_import_error_report() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir.path().join("t.redb"));
    add_plan(&desk);
    // 150 rows, each naming a plan that does not exist.
    let file = unknown_plan_csv();
    let e = desk
        .import_csv(ctx(&desk), &mut file.as_bytes(), ImportOptions::default())
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("… and 50 more error(s) of this kind"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + limits::REPORTED_ERRORS + 1);
    let Error::Import(rows) = e else { panic!() };
    assert_eq!((rows.len(), rows.omitted), (limits::REPORTED_ERRORS, 50));
    let dry = desk
        .import_csv(
            ctx(&desk),
            &mut file.as_bytes(),
            ImportOptions {
                dry_run: true,
                raw: false,
            },
        )
        .unwrap();
    assert_eq!(
        (dry.rejected, dry.errors.len(), dry.omitted),
        (150, 100, 50)
    );
    // One API customer with a thousand bad licences: a hundred are listed, the rest counted.
    let mut input = customer("Bad Plans", "bad-plans", "LMP", 0);
    input.licenses = Some(
        (0..limits::LICENSES)
            .map(|_| LicenseInput {
                plan: "No Such Plan".into(),
                units: 1,
                ..LicenseInput::default()
            })
            .collect(),
    );
    let Error::Invalid(errors) = desk.add_customer(ctx(&desk), &input).unwrap_err() else {
        panic!()
    };
    assert_eq!(errors.len(), limits::REPORTED_ERRORS + 1);
    assert!(errors[limits::REPORTED_ERRORS].message.contains("900 more"));
}

#[test]
fn core_refuses_an_oversized_record_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(&dir.path().join("t.redb"));
    let id = desk
        .add_customer(ctx(&desk), &customer("Small", "small-co", "CLP", 0))
        .unwrap()
        .id;
    // Past every rule: a record the store could not read back must not be written.
    {
        let w = desk.store().write().unwrap();
        let old = w.customer(id).unwrap().unwrap();
        let mut c = old.clone();
        c.profile.notes = "ü".repeat(9 << 20);
        let e = save_raw(&w, &c, &old).unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{e:?}");
        assert!(e.to_string().contains("16 MiB"), "{e}");
        // The task fails here: the transaction is dropped, never committed.
    }
    let c = desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.notes, "=SUM(A1), \"quoted\"\n🚀");
    assert!(desk.check().unwrap().ok);
}

#[test]
fn core_skips_and_names_unreadable_records_and_deletes_them_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let ids = damaged_db(&path);
    let event = {
        let desk = open(&path);
        let input = EventInput {
            kind: "threat".into(),
            severity: "warning".into(),
            category: "spam".into(),
            message: "\"Viagra\", 東京 🚀".into(),
            time: None,
        };
        desk.add_event(ctx(&desk), ids[3], &input).unwrap().id
    };
    corrupt_event(&path, ids[3], event);
    let desk = open(&path);
    let page = desk.list(&Default::default()).unwrap();
    let shown: Vec<u64> = page.items.iter().map(|v| v.id).collect();
    assert_eq!(shown, [ids[0]]);
    assert_eq!(page.unreadable, [ids[1], ids[2], ids[3]]);
    let e = desk
        .detail(&CustomerRef::Id(ids[3]))
        .unwrap_err()
        .to_string();
    assert!(e.contains(&format!("event {}/{event}", ids[3])), "{e}");
    let json: Value =
        serde_json::from_slice(&desk.list_json(&Default::default()).unwrap()).unwrap();
    assert_eq!(json, serde_json::to_value(&page).unwrap());

    let mut out = Vec::new();
    let all = Selection::Filter(Default::default());
    let done = desk
        .export_csv(&all, ExportOptions::default(), &mut out)
        .unwrap();
    // Exporting every customer reads the records and the open-events column, not the
    // summaries: a customer whose summary is damaged is exported, as by its id.
    assert_eq!((done.rows, done.unreadable.clone()), (3, vec![ids[1]]));
    let done = desk
        .export_csv(
            &Selection::Ids(ids.clone()),
            ExportOptions::default(),
            &mut Vec::new(),
        )
        .unwrap();
    assert_eq!((done.rows, done.unreadable), (2, vec![ids[1], ids[3]]));

    assert!(desk.detail(&CustomerRef::Id(ids[0])).is_ok());
    let e = desk
        .detail(&CustomerRef::Id(ids[1]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("customer {}", ids[1])) && e.contains("checking the database lists"),
        "{e}"
    );

    let report = desk.check().unwrap();
    assert!(!report.ok);
    let bad: Vec<(&str, Option<u64>)> = report
        .unreadable
        .iter()
        .map(|u| (u.table.as_str(), u.customer))
        .collect();
    assert_eq!(
        bad,
        [
            ("customers", Some(ids[1])),
            ("customer_summaries", Some(ids[2])),
            ("events", Some(ids[3])),
        ]
    );

    // Another task fails for the damaged customer and goes on with the rest.
    let r = desk
        .run_bulk(
            ctx(&desk),
            &Selection::Ids(ids.clone()),
            &BulkTask::Suspend,
            false,
        )
        .unwrap();
    assert_eq!((r.ok, r.failed), (2, 2), "{:?}", r.results);
    let reason = r.results[3].reason.clone().unwrap();
    assert!(
        reason.contains(&format!("event {}/{event}", ids[3])),
        "{reason}"
    );
    // Delete by id removes what is left of all three (events go by key, unread), and the
    // file is whole again.
    let sel = Selection::Ids(vec![ids[1], ids[2], ids[3]]);
    let r = desk
        .run_bulk(ctx(&desk), &sel, &BulkTask::Delete, false)
        .unwrap();
    assert_eq!(r.ok, 3, "{:?}", r.results);
    assert!(desk.check().unwrap().ok);
    assert_eq!(desk.count().unwrap(), 1);
    let page = desk.list(&Default::default()).unwrap();
    assert!(page.unreadable.is_empty());
    // The names are free again: the index entries went with the records.
    desk.add_customer(ctx(&desk), &customer("Beta 東京", "acct-1", "CLP", 0))
        .unwrap();
}

/// The open event counts an export of every customer writes come from the open-events
/// column; where a block of it is damaged, from the summaries, so the counts stay right;
/// and the next write to a damaged block of it, or of the facts column, builds the block
/// again from the summaries.
#[test]
fn export_takes_open_events_from_the_summaries_where_their_column_is_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let id = {
        let desk = open(&path);
        let id = desk
            .add_customer(
                ctx(&desk),
                &customer("Événement, \"E\"", "acct-e", "CLP", 0),
            )
            .unwrap()
            .id;
        for severity in ["warning", "warning", "action_required"] {
            let input = EventInput {
                kind: "threat".into(),
                severity: severity.into(),
                category: "spam".into(),
                message: "=cmd|' /C calc'!A0, 東京 🚀".into(),
                time: None,
            };
            desk.add_event(ctx(&desk), id, &input).unwrap();
        }
        id
    };
    let counts = |desk: &Desk| {
        let mut out = Vec::new();
        let all = Selection::Filter(Default::default());
        let done = desk
            .export_csv(&all, ExportOptions::default(), &mut out)
            .unwrap();
        assert_eq!((done.rows, done.unreadable), (1, vec![]));
        let mut rows = csv::Reader::from_reader(out.as_slice());
        let header = rows.headers().unwrap().clone();
        let row = rows.records().next().unwrap().unwrap();
        let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
        (
            cell("threat_system_action_required"),
            cell("threat_system_warning"),
        )
    };
    let want = ("1".to_string(), "2".to_string());
    assert_eq!(counts(&open(&path)), want, "from the column");
    corrupt(&path, "customer_open_events", id / 4096);
    corrupt(&path, "customer_facts", id / 4096);
    assert_eq!(counts(&open(&path)), want, "from the summaries");
    let report = open(&path).check().unwrap();
    let damaged: Vec<&str> = report.unreadable.iter().map(|u| u.table.as_str()).collect();
    assert_eq!(damaged, ["customer_facts", "customer_open_events"]);
    // The next write to the block builds it again from the summaries: a new customer's
    // cells and the first one's, which its write did not touch.
    {
        let desk = open(&path);
        desk.add_customer(ctx(&desk), &customer("Zweite", "acct-z", "LMP", 0))
            .unwrap();
        let report = desk.check().unwrap();
        assert!(report.ok, "{:?}", report.unreadable);
        let r = desk.store().read().unwrap();
        assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
    }
    let desk = open(&path);
    let mut out = Vec::new();
    let all = Selection::Filter(Default::default());
    desk.export_csv(&all, ExportOptions::default(), &mut out)
        .unwrap();
    let mut rows = csv::Reader::from_reader(out.as_slice());
    let header = rows.headers().unwrap().clone();
    let warning = header
        .iter()
        .position(|h| h == "threat_system_warning")
        .unwrap();
    let first = rows.records().next().unwrap().unwrap();
    assert_eq!(&first[warning], "2", "kept through the rebuilt block");
}

#[test]
fn core_check_reads_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    {
        let desk = open(&path);
        add_plan(&desk);
        desk.add_template(
            ctx(&desk),
            &TemplateInput {
                name: Some("Strict, \"Ü\"".into()),
                product: Some("wfbss".into()),
                settings: None,
            },
        )
        .unwrap();
        desk.set_view(ctx(&desk), View::Managed).unwrap();
        desk.add_customer(ctx(&desk), &customer("Gamma", "acct-9", "CLP", 0))
            .unwrap();
        assert!(desk.check().unwrap().ok);
    }
    corrupt(&path, "plans", 1);
    corrupt(&path, "audit", 1);
    corrupt(&path, "customer_search_blocks", 0);
    corrupt(&path, "customer_facts", 0);
    corrupt(&path, "customer_day_facts", 0);
    corrupt(&path, "customer_open_events", 0);
    {
        let file = redb::Database::open(&path).unwrap();
        let w = file.begin_write().unwrap();
        for (table, key) in [("templates", "strict, \"ü\""), ("meta", "settings")] {
            let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new(table);
            let mut t = w.open_table(def).unwrap();
            assert!(t.get(key).unwrap().is_some(), "{table} {key}");
            t.insert(key, [].as_slice()).unwrap();
        }
        w.commit().unwrap();
    }
    // Every table of the file, as redb lists them.
    let tables = common::table_names(&path).len();
    let desk = Desk::open(&path, Access::Read, Some(today())).unwrap();
    let report = desk.check().unwrap();
    let bad: Vec<(&str, &str)> = report
        .unreadable
        .iter()
        .map(|u| (u.table.as_str(), u.key.as_str()))
        .collect();
    assert_eq!(
        bad,
        [
            ("plans", "1"),
            ("templates", "strict, \"ü\""),
            ("audit", "1"),
            ("customer_search_blocks", "0"),
            ("customer_facts", "0"),
            ("customer_day_facts", "0"),
            ("customer_open_events", "0"),
            ("meta", "settings")
        ]
    );
    assert_eq!((report.tables, report.ok), (tables, false));
    assert_eq!(tables, 26);
    // Whatever reads the plans names the damaged one.
    let e = desk.plans().unwrap_err().to_string();
    assert!(
        e.contains("plan 1:") && e.contains("checking the database lists"),
        "{e}"
    );
}

// ---- the command line --------------------------------------------------------------

struct Cli {
    sb: Sandbox,
}

impl Cli {
    fn new() -> Cli {
        Cli { sb: Sandbox::new() }
    }

    fn run(&self, args: &[&str]) -> Output {
        let db = self.sb.db.to_str().unwrap().to_string();
        let mut all = vec!["--db", db.as_str(), "--today", TODAY];
        all.extend_from_slice(args);
        run(self.sb.dir.path(), &all, None, &[])
    }

    fn add(&self, company: &str, account: &str) {
        let contact = [
            ("--contact-first-name", "Zoë"),
            ("--contact-last-name", "O'Neil"),
            ("--email", "zoe@example.com"),
            ("--city", "東京"),
            ("--state", "Tōkyō"),
            ("--country", "JP"),
        ];
        self.run(&common::add_args(company, account, &contact)).ok();
    }
}

#[test]
fn cli_refuses_oversized_collections_and_caps_reports_and_selections() {
    let cli = Cli::new();
    cli.run(&[
        "plan",
        "add",
        "--name",
        PLAN_SAFE,
        "--product",
        "wfbss",
        "--months",
        "12",
    ])
    .ok();
    // A licence cell over the limit.
    let file = cli.sb.path("big, \"ü\".csv");
    std::fs::write(&file, csv(&[csv_row("huge-row", &licence_cell(1_001))])).unwrap();
    let out = cli.run(&["import", file.to_str().unwrap()]);
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("line 2: licenses: too many licences: at most 1,000 allowed, got 1,001"),
        "{}",
        out.stderr
    );
    // Too many ids.
    let ids: Vec<String> = (1..=10_001).map(|i| i.to_string()).collect();
    let mut args = vec!["renew", "--dry-run"];
    args.extend(ids.iter().map(String::as_str));
    let out = cli.run(&args);
    out.expect_code(1);
    assert!(
        out.stderr.contains("--ids") || out.stderr.contains("ids"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("10,000") && out.stderr.contains("filter"),
        "{}",
        out.stderr
    );
    // A hundred listed errors and a count of the rest.
    std::fs::write(&file, unknown_plan_csv()).unwrap();
    let out = cli.run(&["import", file.to_str().unwrap()]);
    out.expect_code(1);
    assert!(
        out.stderr.lines().count() <= limits::REPORTED_ERRORS + 3,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("… and 50 more error(s) of this kind"),
        "{}",
        out.stderr
    );
    // A template with too many settings, through --set.
    let sets: Vec<String> = (0..=500).map(|i| format!("k{i}=v")).collect();
    let mut args = vec!["template", "add", "--name", "Huge", "--product", "wfbss"];
    for s in &sets {
        args.extend(["--set", s.as_str()]);
    }
    let out = cli.run(&args);
    out.expect_code(1);
    assert!(
        out.stderr.contains("--set") && out.stderr.contains("at most 500"),
        "{}",
        out.stderr
    );
}

#[test]
fn cli_lists_exports_and_checks_around_an_unreadable_customer() {
    let cli = Cli::new();
    for (company, account) in [
        ("Alpha, \"A\"", "acct-a"),
        ("Beta 東京", "acct-b"),
        ("Gamma 🚀", "acct-c"),
    ] {
        cli.add(company, account);
    }
    let out = cli.run(&["check"]);
    out.ok();
    assert!(
        out.stdout.contains("every record can be read"),
        "{}",
        out.stdout
    );
    corrupt(&cli.sb.db, "customers", 2);
    corrupt(&cli.sb.db, "customer_summaries", 3);

    let out = cli.run(&["list"]);
    out.ok();
    assert!(
        out.stdout.contains("Alpha") && !out.stdout.contains("Beta"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .starts_with("warning: the stored record of customer(s) 2, 3 cannot be read"),
        "{}",
        out.stderr
    );
    let out = cli.run(&["list", "--format", "json"]);
    let v: Value = serde_json::from_str(&out.ok().stdout).unwrap();
    assert_eq!(v["unreadable"], serde_json::json!([2, 3]));

    // Exporting every customer reads records and the open-events column, not summaries:
    // customer 3, whose summary is damaged, is exported; 2, whose record is, is named.
    let out = cli.run(&["export", "--all"]);
    out.ok();
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    assert!(out.stdout.contains("Gamma 🚀"), "{}", out.stdout);
    assert!(
        out.stderr.contains("customer(s) 2 ") && !out.stderr.contains("2, 3"),
        "{}",
        out.stderr
    );

    cli.run(&["show", "1"]).ok();
    let out = cli.run(&["show", "2"]);
    out.expect_code(1);
    assert!(
        out.stderr.contains("customer 2:") && out.stderr.contains("clientele check"),
        "{}",
        out.stderr
    );

    let out = cli.run(&["check"]);
    out.expect_code(1);
    assert!(
        out.stdout.contains("customers 2:") && out.stdout.contains("customer_summaries 3:"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("2 stored record(s) cannot be read"),
        "{}",
        out.stderr
    );
    let out = cli.run(&["check", "--format", "json"]);
    out.expect_code(1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["unreadable"][0]["customer"], 2);

    let out = cli.run(&["delete", "2", "3", "--yes"]);
    out.ok();
    assert!(out.stdout.contains("could not be read"), "{}", out.stdout);
    cli.run(&["check"]).ok();
    let out = cli.run(&["list"]);
    out.ok();
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(cli.run(&["log"]).ok().stdout.contains("could not be read"));
}

// ---- the JSON API over HTTP and the console -----------------------------------------

/// `clientele serve` on a free port over an existing database, killed when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(db: &Path) -> Server {
        let mut child = std::process::Command::new(common::bin())
            .arg("--db")
            .arg(db)
            .args(["--today", TODAY, "serve", "--addr", "127.0.0.1:0"])
            .env_remove("CLIENTELE_TOKEN")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().ok());
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .ok()
            .flatten()
            .expect("the server reports its address");
        Server { child, port }
    }

    /// One request on its own connection: status, headers (lower-case names) and body.
    fn send(&self, method: &str, target: &str, body: &str) -> (u16, String, String) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let head = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head.to_ascii_lowercase(), body.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database with four customers, the second's record and the third's summary damaged.
fn damaged_db(path: &Path) -> Vec<u64> {
    let ids: Vec<u64> = {
        let desk = open(path);
        ["Alpha, \"A\"", "Beta 東京", "Gamma 🚀", "Delta"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let account = format!("acct-{i}");
                desk.add_customer(ctx(&desk), &customer(name, &account, "CLP", 0))
                    .unwrap()
                    .id
            })
            .collect()
    };
    corrupt(path, "customers", ids[1]);
    corrupt(path, "customer_summaries", ids[2]);
    ids
}

#[test]
fn api_over_http_names_unreadable_records_and_deletes_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.redb");
    let ids = damaged_db(&db);
    let server = Server::start(&db);
    let json = |body: &str| -> Value { serde_json::from_str(body).unwrap() };

    let (status, _, body) = server.send("GET", "/api/customers", "");
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert_eq!(v["unreadable"], serde_json::json!([ids[1], ids[2]]));

    // The export of every customer leaves out only the one whose record is damaged.
    let (status, head, body) = server.send("GET", "/api/customers.csv", "");
    assert_eq!(status, 200);
    assert_eq!(body.matches(",acct-").count(), 3, "{body}");
    assert!(head.contains("x-clientele-unreadable: 1"), "{head}");

    let (status, _, body) = server.send("GET", &format!("/api/customers/{}", ids[0]), "");
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = server.send("GET", &format!("/api/customers/{}", ids[1]), "");
    assert_eq!(status, 500);
    let message = json(&body)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(&format!("customer {}:", ids[1])),
        "{message}"
    );

    let (status, _, body) = server.send("GET", "/api/check", "");
    assert_eq!(status, 200);
    let v = json(&body);
    assert_eq!(v["ok"], false);
    assert_eq!(v["unreadable"][0]["table"], "customers");
    assert_eq!(v["unreadable"][1]["customer"], ids[2]);

    // Limits answer 422 naming the field and the limit.
    let many: Vec<u64> = (1..=10_001).collect();
    let task = serde_json::json!({ "ids": many, "dry_run": true }).to_string();
    let (status, _, body) = server.send("POST", "/api/tasks/suspend", &task);
    assert_eq!(status, 422, "{body}");
    let e = &json(&body)["error"];
    assert_eq!(e["field"], "ids");
    assert!(e["message"].as_str().unwrap().contains("10,000"), "{e}");
    let mut big = serde_json::json!({
        "company": "Big, \"Co\"", "account_name": "big-co", "account_type": "LMP",
        "contact_first_name": "Zoë", "contact_last_name": "Lima", "email": "z@example.com",
        "city": "東京", "state": "Tōkyō", "country": "JP",
    });
    big["licenses"] = serde_json::json!(vec![
        serde_json::json!({ "plan": "Nope", "units": 1 });
        1_001
    ]);
    let (status, _, body) = server.send("POST", "/api/customers", &big.to_string());
    assert_eq!(status, 422, "{body}");
    let e = &json(&body)["error"];
    assert_eq!(e["field"], "licenses");
    assert!(
        e["message"].as_str().unwrap().contains("at most 1,000"),
        "{e}"
    );

    for id in [ids[1], ids[2]] {
        let (status, _, body) = server.send("DELETE", &format!("/api/customers/{id}"), "");
        assert_eq!(status, 204, "{body}");
    }
    let (_, _, body) = server.send("GET", "/api/check", "");
    assert_eq!(json(&body)["ok"], true);
    let (_, _, body) = server.send("GET", "/api/customers", "");
    assert!(json(&body).get("unreadable").is_none(), "{body}");
}

#[test]
fn console_warns_about_unreadable_records_and_offers_their_removal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.redb");
    let ids = damaged_db(&db);
    let app = App::new(open(&db));
    let get = |target: &str| {
        let r = app.handle(&Request::new(Method::Get, target).unwrap());
        (
            r.status,
            String::from_utf8_lossy(&r.body).into_owned(),
            r.headers,
        )
    };
    let (status, html, _) = get("/");
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"unreadable\""), "{html}");
    assert!(html.contains(&format!("customer(s) {}, {}", ids[1], ids[2])));
    assert!(html.contains("Alpha, &quot;A&quot;") && !html.contains("Beta"));

    // Only the customer whose record is damaged is left out of an export of every one.
    let (status, _, headers) = get("/export.csv");
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("x-clientele-unreadable") && v == "1"));

    let (status, html, _) = get("/check");
    assert_eq!(status, 200);
    assert!(html.contains("2 cannot be read"), "{html}");
    assert!(html.contains("data-testid=\"delete-damaged\""));
    let (status, html, _) = get(&format!("/customers/{}", ids[1]));
    assert_eq!(status, 500);
    assert!(html.contains(&format!("customer {}:", ids[1])));

    // The removal the page offers: the delete task's preview names what would happen.
    let req = Request::new(Method::Post, "/tasks/delete")
        .unwrap()
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_body(format!("ids={}", ids[1]).into_bytes());
    let r = app.handle(&req);
    let html = String::from_utf8_lossy(&r.body);
    assert!(html.contains("its stored record cannot be read"), "{html}");
}

#[test]
fn console_import_lists_a_hundred_errors_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(open(&dir.path().join("t.redb")));
    add_plan(&app.desk);
    let file = unknown_plan_csv();
    for action in ["import", "dry-run"] {
        let req = Request::new(Method::Post, "/import")
            .unwrap()
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(clientele::web::http::build_query(&[
                ("csv", &file),
                ("action", action),
            ]));
        // The form starts a job; its page, once it is done, shows the result.
        let started = app.handle(&req);
        let to = started
            .header("location")
            .expect("a job's page")
            .to_string();
        let id = to.trim_start_matches("/import/").parse().unwrap();
        let job = app.imports.get(id).unwrap();
        assert!(job.wait(std::time::Duration::from_secs(60)), "{to}");
        let r = app.handle(&Request::new(Method::Get, &to).unwrap());
        let html = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, 422, "{action}");
        assert_eq!(
            html.matches("there is no plan").count(),
            limits::REPORTED_ERRORS,
            "{action}"
        );
        assert!(
            html.contains("… and 50 more error(s) of this kind"),
            "{action}"
        );
    }
}

// ---- the documentation ---------------------------------------------------------------

#[test]
fn readme_lists_every_limit() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Limits")
        .nth(1)
        .expect("README has a Limits section");
    for l in limits::ALL {
        let row = format!("| {} | {} {} |", l.field, limits::n(l.max), l.unit);
        assert!(
            section.contains(&row),
            "README's Limits table lacks `{row}`"
        );
    }
    let rows = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| field"))
        .count();
    assert_eq!(
        rows,
        limits::ALL.len(),
        "README lists a limit the code does not have"
    );
}
