//! Core rules tested directly on a `Desk` over a fresh database in a temp dir.

mod common;

use clientele::domain::audit::{AuditCustomer, AuditFilter};
use clientele::domain::date::Date;
use clientele::domain::error::{Error, Key, Thing, Unusable};
use clientele::domain::filter::Filter;
use clientele::domain::inputs;
use clientele::domain::model::*;
use clientele::domain::validate::{CustomerInput, LicenseInput};
use clientele::tasks::bulk::{BulkTask, Outcome, Selection};
use clientele::tasks::catalogs::{PlanInput, TemplateInput};
use clientele::tasks::csv::{ExportOptions, ImportOptions};
use clientele::tasks::desk::{Ctx, CustomerRef, Desk};
use clientele::tasks::holdings::{DeviceInput, EventInput, LicenseChange};

const DRY_RUN: ImportOptions = ImportOptions {
    dry_run: true,
    raw: false,
};
use clientele::store::Access;
use proptest::prelude::*;

const TODAY: &str = "2026-11-27";

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    desk: Desk,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.redb");
        let desk = Desk::open(&path, Access::Write, Some(today())).unwrap();
        let f = Fixture {
            _dir: dir,
            path,
            desk,
        };
        for (name, product, kind, months) in [
            ("WFBS-S Full", "wfbss", "full", 12),
            ("WFBS-S Trial", "wfbss", "trial", 1),
            ("Cloud Edge Full", "cloud-edge", "full", 12),
            ("HES Full", "hes", "full", 24),
        ] {
            f.desk
                .add_plan(
                    f.ctx(),
                    &PlanInput {
                        name: Some(name.into()),
                        product: Some(product.into()),
                        kind: Some(kind.into()),
                        months: Some(months),
                        ..PlanInput::default()
                    },
                )
                .unwrap();
        }
        f.add_template("Strict", "wfbss");
        f
    }

    fn add_template(&self, name: &str, product: &str) {
        self.desk
            .add_template(
                self.ctx(),
                &TemplateInput {
                    name: Some(name.into()),
                    product: Some(product.into()),
                    settings: None,
                },
            )
            .unwrap();
    }

    fn ctx(&self) -> Ctx {
        self.desk.ctx(Actor::Cli)
    }

    /// Every customer as CSV, written with `opts`.
    fn export_all(&self, opts: ExportOptions) -> Vec<u8> {
        let mut out = Vec::new();
        self.desk
            .export_csv(&Selection::Filter(Filter::default()), opts, &mut out)
            .unwrap();
        out
    }

    fn add(&self, company: &str, account: &str, kind: &str, licenses: &[(&str, u32, &str)]) -> u64 {
        self.desk
            .add_customer(self.ctx(), &input(company, account, kind, licenses))
            .unwrap()
            .id
    }
}

fn input(
    company: &str,
    account: &str,
    kind: &str,
    licenses: &[(&str, u32, &str)],
) -> CustomerInput {
    CustomerInput {
        licenses: Some(
            licenses
                .iter()
                .map(|(plan, units, start)| LicenseInput {
                    plan: plan.to_string(),
                    units: *units,
                    start: Some(start.to_string()),
                    ..LicenseInput::default()
                })
                .collect(),
        ),
        ..common::lisboa_customer(company, account, kind)
    }
}

fn fields(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(errs) => errs.into_iter().map(|e| e.field).collect(),
        Error::Conflict { field, .. } => vec![field],
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn add_validates_every_field_and_reports_them_all() {
    let f = Fixture::new();
    let bad = CustomerInput {
        company: Some("  ".into()),
        account_name: Some("a b".into()),
        account_type: Some("XYZ".into()),
        email: Some("nope".into()),
        phone: Some("call me".into()),
        country: Some("Germany".into()),
        time_zone: Some("Berlin".into()),
        language: Some("??".into()),
        ..CustomerInput::default()
    };
    let got = fields(f.desk.add_customer(f.ctx(), &bad).unwrap_err());
    for want in [
        "company",
        "account_name",
        "account_type",
        "contact_first_name",
        "contact_last_name",
        "email",
        "phone",
        "city",
        "state",
        "country",
        "time_zone",
        "language",
    ] {
        assert!(got.iter().any(|g| g == want), "{want} missing in {got:?}");
    }
    assert_eq!(f.desk.count().unwrap(), 0);
}

#[test]
fn unique_names_ignore_case_and_survive_edits() {
    let f = Fixture::new();
    let a = f.add("Ærø Bygg AS", "aero-bygg", "CLP", &[]);
    let dup = f
        .desk
        .add_customer(f.ctx(), &input("ærø bygg as", "other", "CLP", &[]))
        .unwrap_err();
    assert_eq!(fields(dup), ["company"]);
    let dup = f
        .desk
        .add_customer(f.ctx(), &input("Other", "AERO-BYGG", "CLP", &[]))
        .unwrap_err();
    assert_eq!(fields(dup), ["account_name"]);
    let b = f.add("Other", "other-co", "CLP", &[]);
    let clash = CustomerInput {
        company: Some("ÆRØ BYGG AS".into()),
        ..CustomerInput::default()
    };
    assert_eq!(
        fields(f.desk.edit_customer(f.ctx(), b, &clash).unwrap_err()),
        ["company"]
    );
    // Renaming frees the old name.
    let rename = CustomerInput {
        account_name: Some("aero-2".into()),
        ..CustomerInput::default()
    };
    f.desk.edit_customer(f.ctx(), a, &rename).unwrap();
    f.add("Third", "aero-bygg", "CLP", &[]);
}

#[test]
fn licences_derive_status_and_expiry() {
    let f = Fixture::new();
    let id = f.add(
        "Acme",
        "acme",
        "LMP",
        &[
            ("WFBS-S Full", 10, "2025-11-01"),
            ("HES Full", 5, "2026-01-01"),
        ],
    );
    let c = f.desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.licenses[0].expiry, "2026-11-01");
    assert_eq!(c.licenses[0].status, LicenseStatus::Expired);
    assert_eq!(c.licenses[1].expiry, "2028-01-01");
    assert_eq!(c.license_status, "expired");
    assert_eq!(c.next_expiry.as_deref(), Some("2026-11-01"));
    assert_eq!(c.license_action_required, 1);
    assert!(c.needs_attention);
    assert!(c
        .attention_reasons
        .iter()
        .any(|r| r.text.contains("expired on 2026-11-01")));
    assert_eq!(
        c.products,
        [
            "Hosted Email Security",
            "Worry-Free Business Security Services"
        ]
    );
}

#[test]
fn disabled_and_end_of_life_plans_cannot_be_assigned() {
    let f = Fixture::new();
    f.desk
        .edit_plan(
            f.ctx(),
            "HES Full",
            &PlanInput {
                end_of_life: Some(true),
                ..PlanInput::default()
            },
        )
        .unwrap();
    let e = f
        .desk
        .add_customer(
            f.ctx(),
            &input("A", "acme", "CLP", &[("HES Full", 1, TODAY)]),
        )
        .unwrap_err();
    assert_eq!(fields(e), ["licenses[0].plan"]);
    let e = f
        .desk
        .add_customer(f.ctx(), &input("A", "acme", "CLP", &[("Nope", 1, TODAY)]))
        .unwrap_err();
    assert_eq!(fields(e), ["licenses[0].plan"]);
}

#[test]
fn delete_only_clp_without_licences_and_dry_run_writes_nothing() {
    let f = Fixture::new();
    let free = f.add("Free", "free-co", "CLP", &[]);
    let held = f.add("Held", "held-co", "CLP", &[("HES Full", 1, TODAY)]);
    let lmp = f.add("Lmp", "lmp-co", "LMP", &[]);
    let sel = Selection::Ids(vec![free, held, lmp, 999]);
    let dry = f
        .desk
        .run_bulk(f.ctx(), &sel, &BulkTask::Delete, true)
        .unwrap();
    let outcomes: Vec<Outcome> = dry.results.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Ok,
            Outcome::Skipped,
            Outcome::Skipped,
            Outcome::Failed
        ]
    );
    assert!(dry.results[1]
        .reason
        .as_deref()
        .unwrap()
        .contains("licence"));
    assert!(dry.results[2].reason.as_deref().unwrap().contains("LMP"));
    assert_eq!(f.desk.count().unwrap(), 3);
    let real = f
        .desk
        .run_bulk(f.ctx(), &sel, &BulkTask::Delete, false)
        .unwrap();
    assert_eq!(real.ok, 1);
    assert_eq!(f.desk.count().unwrap(), 2);
    let log = f
        .desk
        .audit_log(
            10,
            None,
            &AuditFilter {
                customer: Some(AuditCustomer::Id(free)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(log[0].snapshot.as_deref().unwrap().contains("free-co"));
    // The freed names can be used again; the id is never reused.
    let again = f.add("Free", "free-co", "CLP", &[]);
    assert!(again > lmp);
}

#[test]
fn renew_follows_plan_rules() {
    let f = Fixture::new();
    let id = f.add(
        "Acme",
        "acme",
        "LMP",
        &[
            ("WFBS-S Full", 10, "2025-11-01"),
            ("WFBS-S Trial", 1, "2026-09-01"),
            ("HES Full", 1, "2025-01-01"),
        ],
    );
    let clp = f.add("Clp", "clp-co", "CLP", &[("WFBS-S Full", 10, "2025-11-01")]);
    let task = BulkTask::Renew {
        until: None,
        include_expiring: false,
    };
    let r = f
        .desk
        .run_bulk(f.ctx(), &Selection::Ids(vec![id, clp]), &task, false)
        .unwrap();
    assert_eq!(r.results[0].outcome, Outcome::Ok, "{:?}", r.results[0]);
    assert!(r.results[0].reason.as_deref().unwrap().contains("trial"));
    assert_eq!(r.results[1].outcome, Outcome::Skipped);
    let c = f.desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.licenses[0].expiry, "2027-11-27");
    assert_eq!(
        c.licenses[1].status,
        LicenseStatus::Expired,
        "trial stays expired"
    );
    let past = BulkTask::Renew {
        until: Some(today()),
        include_expiring: false,
    };
    assert!(matches!(
        f.desk
            .run_bulk(f.ctx(), &Selection::Ids(vec![id]), &past, false),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn policy_and_template_tasks_apply_to_lmp_wfbss_customers() {
    let f = Fixture::new();
    let yes = f.add("Yes", "yes-co", "LMP", &[("WFBS-S Full", 1, TODAY)]);
    let no_licence = f.add("No", "no-co", "LMP", &[("HES Full", 1, TODAY)]);
    let clp = f.add("Clp", "clp-co", "CLP", &[("WFBS-S Full", 1, TODAY)]);
    let sel = Selection::Ids(vec![yes, no_licence, clp]);
    let t = BulkTask::AssignTemplate {
        template: "strict".into(),
    };
    let r = f.desk.run_bulk(f.ctx(), &sel, &t, false).unwrap();
    assert_eq!(r.ok, 1);
    assert_eq!(
        f.desk
            .customer(&CustomerRef::Id(yes))
            .unwrap()
            .wfbs_template
            .as_deref(),
        Some("Strict")
    );
    let bad = BulkTask::DeployPolicy {
        list: PolicyList::BlockedUrls,
        action: PolicyAction::Append,
        entries: "https://a.example/;ftp://b.example".into(),
    };
    let e = f.desk.run_bulk(f.ctx(), &sel, &bad, false).unwrap_err();
    assert!(e.to_string().contains("entry 2"), "{e}");
    let good = BulkTask::DeployPolicy {
        list: PolicyList::BlockedUrls,
        action: PolicyAction::Append,
        entries: "https://a.example/\nhttps://b.example/".into(),
    };
    assert_eq!(f.desk.run_bulk(f.ctx(), &sel, &good, false).unwrap().ok, 1);
    let del = BulkTask::DeployPolicy {
        list: PolicyList::BlockedUrls,
        action: PolicyAction::Delete,
        entries: "https://a.example/;https://missing.example/".into(),
    };
    f.desk.run_bulk(f.ctx(), &sel, &del, false).unwrap();
    let d = f.desk.detail(&CustomerRef::Id(yes)).unwrap();
    assert_eq!(d.policies["blocked-urls"], ["https://b.example/"]);
}

#[test]
fn firmware_notifications_go_to_the_outbox_once() {
    let f = Fixture::new();
    let id = f.add(
        "Edge Co",
        "edge-co",
        "LMP",
        &[("Cloud Edge Full", 1, TODAY)],
    );
    let dev = |name: &str, serial: &str, fw: &str| DeviceInput {
        name: Some(name.into()),
        serial: Some(serial.into()),
        model: Some("CE100".into()),
        firmware: Some(fw.into()),
    };
    f.desk
        .add_device(f.ctx(), id, &dev("Gate", "SN-1", "1.9.0"))
        .unwrap();
    f.desk
        .add_device(f.ctx(), id, &dev("Gate 2", "SN-2", "1.10.0"))
        .unwrap();
    let e = f
        .desk
        .add_device(f.ctx(), id, &dev("Gate 3", "sn-1", "1.0"))
        .unwrap_err();
    assert_eq!(fields(e), ["serial"]);
    let e = f
        .desk
        .add_device(f.ctx(), id, &dev("edge co", "SN-3", "1.0"))
        .unwrap_err();
    assert_eq!(fields(e), ["name"]);
    f.desk.set_firmware(f.ctx(), "CE100", "1.10.0").unwrap();
    let c = f.desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.threat_system_warning, 1, "1.9.0 < 1.10.0 numerically");
    let sel = Selection::Ids(vec![id]);
    let r = f
        .desk
        .run_bulk(f.ctx(), &sel, &BulkTask::UpdateFirmware, false)
        .unwrap();
    assert_eq!(r.ok, 1);
    let out = f.desk.outbox().unwrap();
    assert_eq!(out.len(), 1);
    assert!(out[0].body.contains("1.9.0 -> 1.10.0"));
    let again = f
        .desk
        .run_bulk(f.ctx(), &sel, &BulkTask::UpdateFirmware, false)
        .unwrap();
    assert_eq!(again.skipped, 1);
    let eml = f.desk.outbox_eml(out[0].id).unwrap();
    assert!(eml.starts_with("From: "));
    assert!(eml.contains("To: ana@example.com\r\n"));
}

#[test]
fn events_count_towards_attention_until_resolved() {
    let f = Fixture::new();
    let id = f.add("Evt", "evt-co", "CLP", &[]);
    let ev = f
        .desk
        .add_event(
            f.ctx(),
            id,
            &EventInput {
                kind: "threat".into(),
                severity: "action_required".into(),
                category: "antivirus".into(),
                message: "EICAR found".into(),
                time: None,
            },
        )
        .unwrap();
    let filter = Filter::from_pairs([("attention", "yes")]).unwrap();
    assert_eq!(f.desk.list(&filter).unwrap().total, 1);
    f.desk.set_event_open(f.ctx(), ev.id, false).unwrap();
    assert_eq!(f.desk.list(&filter).unwrap().total, 0);
    let c = f.desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.threat_system_action_required, 0);
}

#[test]
fn view_setting_hides_unmanaged_lmp_customers() {
    let f = Fixture::new();
    f.desk
        .add_plan(
            f.ctx(),
            &PlanInput {
                name: Some("Unmanaged".into()),
                product: Some("cas".into()),
                months: Some(12),
                managed: Some(false),
                ..PlanInput::default()
            },
        )
        .unwrap();
    f.add("Managed", "managed-co", "LMP", &[("HES Full", 1, TODAY)]);
    f.add(
        "Unmanaged",
        "unmanaged-co",
        "LMP",
        &[("Unmanaged", 1, TODAY)],
    );
    f.add("Bare Lmp", "bare-co", "LMP", &[]);
    f.add("Clp", "clp-co", "CLP", &[]);
    assert_eq!(f.desk.list(&Filter::default()).unwrap().total, 4);
    f.desk.set_view(f.ctx(), View::Managed).unwrap();
    let names: Vec<String> = f
        .desk
        .list(&Filter::default())
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.company)
        .collect();
    assert_eq!(names, ["Clp", "Managed"]);
    let out = f.export_all(ExportOptions::default());
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
}

#[test]
fn list_json_is_the_serialised_list() {
    let f = Fixture::new();
    for i in 0..12 {
        let id = f.add(
            &format!("Ünïcode \"{i}\", <b>"),
            &format!("acct-{i:02}"),
            "LMP",
            &[("HES Full", 2, "2025-01-01")],
        );
        if i % 3 == 0 {
            let e = EventInput {
                kind: "system".into(),
                severity: "warning".into(),
                category: "disk-space".into(),
                message: "C: is 95% full\n\"really\"".into(),
                time: None,
            };
            f.desk.add_event(f.ctx(), id, &e).unwrap();
        }
    }
    for pairs in [
        vec![("limit", "5")],
        vec![("sort", "-company"), ("offset", "3")],
        vec![("q", "ünï"), ("limit", "1000")],
    ] {
        let filter = Filter::from_pairs(pairs).unwrap();
        for _ in 0..2 {
            // Twice: once built, once from what the desk kept.
            let json = f.desk.list_json(&filter).unwrap();
            assert_eq!(
                json,
                serde_json::to_vec(&f.desk.list(&filter).unwrap()).unwrap()
            );
        }
    }
    // A change is seen at once, on a page the desk kept too.
    f.add("Zz New", "zz-new", "CLP", &[]);
    let all = Filter::from_pairs([("limit", "1000")]).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&f.desk.list_json(&all).unwrap()).unwrap();
    assert_eq!(v["total"], 13);
    let kept = Filter::from_pairs([("limit", "5")]).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&f.desk.list_json(&kept).unwrap()).unwrap();
    assert_eq!(v["total"], 13);
}

#[test]
fn sorting_and_paging_are_stable() {
    let f = Fixture::new();
    for i in 0..30 {
        f.add(
            &format!("Company {:02}", 29 - i),
            &format!("acct-{i:02}"),
            "CLP",
            &[],
        );
    }
    let page = |o: &str, sort: &str| {
        let filter = Filter::from_pairs([("limit", "7"), ("offset", o), ("sort", sort)]).unwrap();
        f.desk.list(&filter).unwrap()
    };
    let p = page("7", "company");
    assert_eq!(p.total, 30);
    assert_eq!(p.items[0].company, "Company 07");
    let p = page("28", "-account_name");
    let names: Vec<&str> = p.items.iter().map(|c| c.account_name.as_str()).collect();
    assert_eq!(names, ["acct-01", "acct-00"]);
    assert!(page("40", "company").items.is_empty());
}

#[test]
fn import_rejects_the_whole_file_and_names_each_bad_line() {
    let f = Fixture::new();
    f.add("Keep", "keep-co", "CLP", &[]);
    let out = f.export_all(ExportOptions::default());
    let text = String::from_utf8(out).unwrap();
    let header = text.lines().next().unwrap();
    let good = text
        .lines()
        .nth(1)
        .unwrap()
        .replace("keep-co", "new-co")
        .replace("Keep", "New");
    let bad1 = good.replace("new-co", "bad co").replace("New", "Bad1");
    let bad2 = good
        .replace("new-co", "bad2-co")
        .replace("New", "Bad2")
        .replace("ana@example.com", "nope");
    let file = format!("{header}\n{good}\n{bad1}\n{bad2}\n");
    let e = f
        .desk
        .import_csv(f.ctx(), &mut file.as_bytes(), ImportOptions::default())
        .unwrap_err();
    let Error::Import(rows) = e else { panic!() };
    let lines: Vec<(u64, &str)> = rows
        .iter()
        .map(|r| (r.line, r.errors[0].field.as_str()))
        .collect();
    assert_eq!(lines, [(3, "account_name"), (4, "email")]);
    assert_eq!(f.desk.count().unwrap(), 1, "nothing written");
    let dry = f
        .desk
        .import_csv(f.ctx(), &mut file.as_bytes(), DRY_RUN)
        .unwrap();
    assert_eq!((dry.created, dry.rejected), (1, 2));
    // A company twice in one file names the line it came first on, not a customer id.
    let twin = good.replace("new-co", "twin-co");
    let file = format!("{header}\n{good}\n{twin}\n");
    let Error::Import(rows) = f
        .desk
        .import_csv(f.ctx(), &mut file.as_bytes(), ImportOptions::default())
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(
        (rows.rows[0].line, rows.rows[0].errors[0].field.as_str()),
        (3, "company")
    );
    let message = &rows.rows[0].errors[0].message;
    assert!(
        message.contains("first on line 2") && !message.contains("customer"),
        "{message}"
    );
    // A stored customer's company on a row that is wrong besides: both are named.
    let taken = bad2.replace("Bad2", "Keep");
    let file = format!("{header}\n{taken}\n");
    let Error::Import(rows) = f
        .desk
        .import_csv(f.ctx(), &mut file.as_bytes(), ImportOptions::default())
        .unwrap_err()
    else {
        panic!()
    };
    let fields: Vec<&str> = rows.rows[0]
        .errors
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["email", "company"]);
    assert!(
        rows.rows[0].errors[1]
            .message
            .contains("already used by customer 1"),
        "{:?}",
        rows.rows[0].errors
    );
    let e = f
        .desk
        .import_csv(
            f.ctx(),
            &mut "a,b\n1,2\n".as_bytes(),
            ImportOptions::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
}

/// An import names templates in any case and with spaces around, stores each under its own
/// name, and refuses per row a template of the other product or of no template at all.
#[test]
fn import_names_templates_in_any_case_and_refuses_wrong_ones() {
    let f = Fixture::new();
    f.add_template("Edge 東京 \"=1\"", "cloud-edge");
    f.add("Shape", "shape-co", "LMP", &[("WFBS-S Full", 1, TODAY)]);
    let exported = f.export_all(ExportOptions::default());
    let mut reader = csv::Reader::from_reader(exported.as_slice());
    let header = reader.headers().unwrap().clone();
    let shape = reader.records().next().unwrap().unwrap();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let file = |rows: &[(&str, &str, &str)]| {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).unwrap();
        for (account, company, template) in rows {
            let mut cells: Vec<String> = shape.iter().map(str::to_string).collect();
            cells[at("id")] = String::new();
            cells[at("account_name")] = account.to_string();
            cells[at("company")] = company.to_string();
            cells[at("wfbs_template")] = template.to_string();
            w.write_record(&cells).unwrap();
        }
        w.into_inner().unwrap()
    };
    let good = file(&[
        ("tpl-a", "Tpl, A", "strict"),
        ("tpl-b", "Tpl \"B\"", "  STRICT "),
        ("tpl-c", "Tpl C", "Strict"),
    ]);
    let report = f
        .desk
        .import_csv(f.ctx(), &mut good.as_slice(), ImportOptions::default())
        .unwrap();
    assert_eq!((report.created, report.rejected), (3, 0));
    for account in ["tpl-a", "tpl-b", "tpl-c"] {
        let c = f
            .desk
            .customer(&CustomerRef::Account(account.into()))
            .unwrap();
        assert_eq!(c.wfbs_template.as_deref(), Some("Strict"), "{account}");
    }
    let bad = file(&[
        ("tpl-d", "Tpl D", "strict"),
        ("tpl-e", "Tpl E", "edge 東京 \"=1\""),
        ("tpl-f", "Tpl F", "Nope"),
        ("tpl-g", "Tpl G", "EDGE 東京 \"=1\""),
    ]);
    let Error::Import(rows) = f
        .desk
        .import_csv(f.ctx(), &mut bad.as_slice(), ImportOptions::default())
        .unwrap_err()
    else {
        panic!("expected the import to be refused")
    };
    let got: Vec<(u64, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.line,
                r.errors[0].field.as_str(),
                r.errors[0].message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                3,
                "wfbs_template",
                "template `Edge 東京 \"=1\"` is for cloud-edge, not wfbss"
            ),
            (
                4,
                "wfbs_template",
                "there is no template `Nope`; choose one of the templates that exist"
            ),
            (
                5,
                "wfbs_template",
                "template `Edge 東京 \"=1\"` is for cloud-edge, not wfbss"
            ),
        ]
    );
    assert!(f
        .desk
        .customer(&CustomerRef::Account("tpl-d".into()))
        .is_err());
}

/// The grammars people type (template settings, licence entries) and "nothing to change"
/// are decided here once; tests/cli.rs shows the command line giving the same answers.
#[test]
fn typed_grammars_and_empty_edits_are_decided_by_the_core() {
    use clientele::domain::{licence_entries, template_settings};
    let f = Fixture::new();
    // Settings: keys and values are trimmed, a repeated key is refused, never silently won.
    let settings = template_settings::parse_entries(&[" deep=1", "mode = a=b "]).unwrap();
    assert_eq!(settings["deep"], "1");
    assert_eq!(settings["mode"], "a=b");
    let Error::Invalid(e) = template_settings::parse_entries(&["deep=1", "deep =2"]).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(
        (e[0].field.as_str(), e[0].message.as_str()),
        ("settings", "the key `deep` appears more than once")
    );
    let lines = template_settings::parse_lines("deep=1\n\n deep=2").unwrap_err();
    assert!(
        lines
            .to_string()
            .contains("line 3: the key `deep` appears more than once"),
        "{lines}"
    );
    let t = f
        .desk
        .add_template(
            f.ctx(),
            &TemplateInput {
                name: Some("Deep".into()),
                product: Some("wfbss".into()),
                settings: Some(settings),
            },
        )
        .unwrap();
    assert_eq!(t.settings.keys().collect::<Vec<_>>(), ["deep", "mode"]);

    // Licence entries: the short forms of `--plan` and the full form of the CSV cell are one
    // grammar; the CSV names the entry's place, the message is the entry's own.
    let short = licence_entries::parse_entry(" WFBS-S Full : 3 : 2026-01-01 ").unwrap();
    assert_eq!(
        (short.plan.as_str(), short.units, short.used),
        ("WFBS-S Full", 3, 0)
    );
    assert_eq!(short.start.as_deref(), Some("2026-01-01"));
    let bad = licence_entries::parse_entry("WFBS-S Full:x").unwrap_err();
    assert_eq!(bad, "`WFBS-S Full:x`: units `x` is not a whole number");
    let cell = licence_entries::parse_list("HES Full:1:0:2026-01-01:2027-01-01;WFBS-S Full:x");
    assert_eq!(cell.unwrap_err(), format!("entry 2 {bad}"));

    // An edit that names no field is refused by the task, for every kind of record alike,
    // naming the fields it could give (before looking the record up).
    let id = f.add("Edit Me", "edit-me", "CLP", &[]);
    let names = |e: Error| match e {
        Error::NothingToChange { fields } => fields.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let e = f
        .desk
        .edit_customer(f.ctx(), id, &CustomerInput::default())
        .unwrap_err();
    assert!(
        e.to_string().starts_with("nothing to change; give company"),
        "{e}"
    );
    assert!(names(e).contains(&"licenses"));
    let plan = f.desk.edit_plan(f.ctx(), "HES Full", &PlanInput::default());
    let plan = plan.unwrap_err();
    assert!(plan.to_string().starts_with("nothing to change"), "{plan}");
    assert_eq!(names(plan), inputs::names(inputs::plan::FIELDS));
    let e = f.desk.edit_license(f.ctx(), 999, &LicenseChange::default());
    assert_eq!(
        names(e.unwrap_err()),
        inputs::names(inputs::license::CHANGE)
    );
    let e = f.desk.edit_device(f.ctx(), 999, &DeviceInput::default());
    let e = e.unwrap_err();
    assert_eq!(
        e.to_string(),
        "nothing to change; give name, serial, model or firmware"
    );
    assert_eq!(names(e), inputs::names(inputs::device::FIELDS));
    let e = f
        .desk
        .edit_template(f.ctx(), "Deep", &TemplateInput::default());
    assert_eq!(names(e.unwrap_err()), ["settings"]);
}

#[test]
fn a_newer_file_is_refused_with_a_clear_message() {
    let f = Fixture::new();
    let path = f.path.clone();
    drop(f.desk);
    {
        let db = redb::Database::create(&path).unwrap();
        let w = db.begin_write().unwrap();
        {
            let mut t = w
                .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
                .unwrap();
            t.insert("schema", 99u32.to_le_bytes().as_slice()).unwrap();
        }
        w.commit().unwrap();
    }
    let e = Desk::open(&path, Access::Write, None).err().unwrap();
    assert!(e.to_string().contains("newer clientele"), "{e}");
    std::fs::write(&path, b"not a database at all").unwrap();
    let e = Desk::open(&path, Access::Read, None).err().unwrap();
    assert!(
        matches!(
            e,
            Error::Unusable {
                why: Unusable::NotADatabase,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn read_only_access_follows_a_writer() {
    let f = Fixture::new();
    f.add("Seen", "seen-co", "CLP", &[]);
    let reader = Desk::open(&f.path, Access::Read, Some(today())).unwrap();
    assert_eq!(reader.count().unwrap(), 1);
    // Each commit is seen by the next read: the writer's header is on the file when its
    // commit returns.
    for n in 2..=12u64 {
        f.add(&format!("Later {n}"), &format!("later-{n}"), "CLP", &[]);
        assert_eq!(reader.count().unwrap(), n);
    }
    let second = Desk::open(&f.path, Access::Write, None).err().unwrap();
    assert!(matches!(second, Error::Busy { .. }), "{second:?}");
}

#[test]
fn backup_is_a_readable_copy() {
    let f = Fixture::new();
    f.add("Backed", "backed-co", "CLP", &[("HES Full", 2, TODAY)]);
    let to = f._dir.path().join("copy.redb");
    f.desk.backup(&to).unwrap();
    let copy = Desk::open(&to, Access::Read, Some(today())).unwrap();
    assert_eq!(
        copy.list(&Filter::default()).unwrap().items[0]
            .licenses
            .len(),
        1
    );
    assert!(f.desk.backup(&to).is_err(), "never overwrites");
}

fn awkward_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        " ",
        ",",
        ";",
        "\"",
        "'",
        "=",
        "+",
        "-",
        "@",
        "\n",
        "\r\n",
        "\t",
        "ü",
        "東京",
        "مرحبا",
        "🚀",
        "<b>",
        "&",
        ":",
    ]);
    prop::collection::vec(pieces, 1..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// SPEC §4: an export imported into the same database changes nothing, and into a fresh
    /// database with the same plans reproduces the same rows.
    #[test]
    fn csv_round_trip(companies in prop::collection::vec(awkward_text(), 1..5), notes in awkward_text(), raw_phone in "[+0-9 ()x.-]{0,20}") {
        let f = Fixture::new();
        let mut made = 0;
        for (i, company) in companies.iter().enumerate() {
            let mut c = input(&format!("{company} {i}"), &format!("acct-{i:03}"), if i % 2 == 0 { "LMP" } else { "CLP" }, &[("WFBS-S Full", 3, "2026-01-31")]);
            c.notes = Some(notes.clone());
            c.address = Some(company.clone());
            c.phone = Some(raw_phone.clone());
            c.contact_last_name = Some(format!("={company}"));
            match f.desk.add_customer(f.ctx(), &c) {
                Ok(_) => made += 1,
                Err(Error::Invalid(_)) => {} // e.g. a company that trims to an over-long value
                Err(e) => panic!("{e}"),
            }
        }
        prop_assume!(made > 0);
        let guarded = ImportOptions::default();
        let raw = ImportOptions { raw: true, ..guarded };
        for (opts, back) in [
            (ExportOptions::default(), guarded),
            (ExportOptions { raw: false, excel: true }, guarded),
            (ExportOptions { raw: true, excel: false }, raw),
        ] {
            let first = f.export_all(opts);
            let same = f.desk.import_csv(f.ctx(), &mut first.as_slice(), back).unwrap();
            prop_assert_eq!((same.created, same.updated, same.unchanged), (0, 0, made));

            let g = Fixture::new();
            let fresh = g.desk.import_csv(g.ctx(), &mut first.as_slice(), back).unwrap();
            prop_assert_eq!(fresh.created, made);
            let second = g.export_all(opts);
            let strip = |b: &[u8]| -> Vec<Vec<String>> {
                let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(b);
                r.records().map(|rec| {
                    let rec = rec.unwrap();
                    // id, last_transaction and created_at may differ in a fresh database.
                    rec.iter().enumerate().filter(|(i, _)| ![0, 28, 29].contains(i)).map(|(_, s)| s.to_string()).collect()
                }).collect()
            };
            prop_assert_eq!(strip(&first), strip(&second));
        }
    }

    #[test]
    fn guard_round_trips(s in ".*") {
        let guarded = clientele::tasks::csv::guard(&s);
        prop_assert_eq!(clientele::tasks::csv::unguard(&guarded), s.as_str());
        prop_assert!(!matches!(guarded.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')));
    }

    #[test]
    fn licences_cell_round_trips(units in 1u32..100_000, used in 0u32..100_000, name in "[A-Za-z0-9 _().-]{1,30}") {
        let name = name.trim().to_string();
        prop_assume!(!name.is_empty());
        let cell = format!("{name}:{units}:{used}:2026-01-31:2027-01-31; Other:1:0:2026-02-01:2026-03-01");
        let parsed = clientele::domain::licence_entries::parse_list(&cell).unwrap();
        prop_assert_eq!(parsed.len(), 2);
        prop_assert_eq!(&parsed[0].plan, &name);
        prop_assert_eq!((parsed[0].units, parsed[0].used), (units, used));
    }
}

#[test]
fn licences_and_devices_are_found_by_id_until_they_are_gone() {
    use clientele::tasks::holdings::LicenseChange;
    let f = Fixture::new();
    let id = f.add("Holder", "holder-co", "CLP", &[("HES Full", 2, TODAY)]);
    let lic = f.desk.customer(&CustomerRef::Id(id)).unwrap().licenses[0].id;
    let more = LicenseChange {
        units: Some(5),
        ..LicenseChange::default()
    };
    assert_eq!(f.desk.edit_license(f.ctx(), lic, &more).unwrap().units, 5);
    let dev = DeviceInput {
        name: Some("Gate".into()),
        serial: Some("SN-9".into()),
        model: Some("CE100".into()),
        firmware: Some("1.0".into()),
    };
    let d = f.desk.add_device(f.ctx(), id, &dev).unwrap();
    // Replacing the licence set through an edit retires the old licence id.
    let edit = CustomerInput {
        licenses: Some(vec![LicenseInput {
            plan: "WFBS-S Full".into(),
            units: 1,
            start: Some(TODAY.into()),
            ..LicenseInput::default()
        }]),
        ..CustomerInput::default()
    };
    f.desk.edit_customer(f.ctx(), id, &edit).unwrap();
    assert!(matches!(
        f.desk.edit_license(f.ctx(), lic, &more),
        Err(Error::NotFound { thing: Thing::Licence, key: Key::Id(k) }) if k == lic
    ));
    f.desk.remove_device(f.ctx(), d.id).unwrap();
    assert!(matches!(
        f.desk.remove_device(f.ctx(), d.id),
        Err(Error::NotFound { thing: Thing::Device, key: Key::Id(k) }) if k == d.id
    ));
    let new_lic = f.desk.customer(&CustomerRef::Id(id)).unwrap().licenses[0].id;
    f.desk.remove_license(f.ctx(), new_lic).unwrap();
    f.desk
        .run_bulk(f.ctx(), &Selection::Ids(vec![id]), &BulkTask::Delete, false)
        .unwrap();
    assert!(matches!(
        f.desk.remove_license(f.ctx(), new_lic),
        Err(Error::NotFound { thing: Thing::Licence, key: Key::Id(k) }) if k == new_lic
    ));
}

/// What a mail client reads from an `.eml` file: the recipient's address (UTF-8 per RFC 6532,
/// never an encoded word) and a subject of folded encoded words, each decoded back exactly.
#[test]
fn outbox_messages_parse_back_in_a_mail_client() {
    use clientele::domain::view::OutboxView;
    use clientele::tasks::outbox::eml;
    for (to, subject) in [
        (
            "ana@example.com",
            "Firmware update available for 2 Cloud Edge device(s)",
        ),
        ("müller@bücher.example", "Plain subject"),
        (
            "用户@例子.广告",
            &"Firmware für Geräte 🚀 — 東京 Ltd. ".repeat(5),
        ),
    ] {
        let m = OutboxView {
            id: 7,
            customer_id: 3,
            company: None,
            to: to.into(),
            subject: subject.to_string(),
            body: "Line 1\nLine 2 ✓".into(),
            created_at: "2026-11-27T08:00:00Z".into(),
        };
        let text = eml(&m);
        for line in text.split("\r\n").take_while(|l| !l.is_empty()) {
            assert!(line.len() <= 998, "{line}");
        }
        let parsed = mail_parser::MessageParser::default()
            .parse(text.as_bytes())
            .expect("a message");
        let address = parsed
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address());
        assert_eq!(address, Some(to), "{text}");
        assert_eq!(parsed.subject(), Some(subject), "{text}");
        assert_eq!(
            parsed.body_text(0).as_deref(),
            Some("Line 1\r\nLine 2 ✓\r\n")
        );
    }
}

/// Every runway figure equals a recomputation from the customers' own licences, and the filter
/// each figure names lists exactly the customers it counts.
#[test]
fn the_runway_counts_what_its_filters_list() {
    let f = Fixture::new();
    clientele::demo::generate(&f.desk, f.ctx(), 400, 11).unwrap();
    let runway = f.desk.runway().unwrap();
    let all = f.desk.list(&Filter::default().unpaged()).unwrap().items;
    assert_eq!(runway.customers as usize, all.len());
    assert_eq!(runway.months.len(), 12);
    assert_eq!(runway.months[0].period, &today().to_string()[..7]);

    let total_of = |query: &str| {
        let pairs: Vec<(&str, &str)> = query
            .split('&')
            .map(|kv| kv.split_once('=').unwrap())
            .collect();
        f.desk
            .list(&Filter::from_pairs(pairs).unwrap())
            .unwrap()
            .total as u32
    };
    let mut periods = vec![&runway.expired];
    periods.extend(&runway.months);
    for p in periods {
        let in_period = |expiry: &str| {
            if p.period == "expired" {
                expiry < today().to_string().as_str()
            } else {
                expiry >= today().to_string().as_str() && expiry.starts_with(&p.period)
            }
        };
        let licences: Vec<(u64, u32)> = all
            .iter()
            .flat_map(|c| c.licenses.iter().map(move |l| (c.id, l)))
            .filter(|(_, l)| in_period(&l.expiry))
            .map(|(id, l)| (id, l.units))
            .collect();
        let mut holders: Vec<u64> = licences.iter().map(|(id, _)| *id).collect();
        holders.dedup();
        assert_eq!(p.licenses as usize, licences.len(), "{}", p.period);
        assert_eq!(
            p.units,
            licences.iter().map(|(_, u)| u64::from(*u)).sum::<u64>()
        );
        assert_eq!(p.customers as usize, holders.len(), "{}", p.period);
        assert_eq!(total_of(&p.filter), p.customers, "{}", p.filter);
    }
    assert!(
        runway.expired.customers > 0,
        "the demo has expired licences"
    );
    assert!(runway.months.iter().any(|m| m.customers > 0));

    for c in &runway.attention {
        let count = all
            .iter()
            .filter(|v| {
                let n = match c.category {
                    Category::ThreatSystemActionRequired => v.threat_system_action_required,
                    Category::ThreatSystemWarning => v.threat_system_warning,
                    Category::LicenseActionRequired => v.license_action_required,
                    Category::LicenseWarning => v.license_warning,
                };
                n > 0
            })
            .count();
        assert_eq!(c.customers as usize, count, "{:?}", c.category);
        assert_eq!(total_of(&c.filter), c.customers, "{}", c.filter);
    }
}

/// A run is stored under its own id; a retry with the same key returns that run's report and
/// runs nothing; the key with another request is refused; dry runs store nothing.
#[test]
fn a_task_runs_once_per_idempotency_key() {
    let f = Fixture::new();
    let a = f.add("Ärger & Co, \"Ltd\"", "aerger-co", "LMP", &[]);
    let b = f.add("東京 商事 🚀", "tokyo-shoji", "CLP", &[]);
    let suspend = Selection::Ids(vec![a, b, 999]);
    let audit_len = || {
        f.desk
            .audit_log(1000, None, &Default::default())
            .unwrap()
            .len()
    };

    let dry = f
        .desk
        .run_bulk_once(f.ctx(), &suspend, &BulkTask::Suspend, true, Some("k1"))
        .unwrap();
    assert_eq!((dry.0.run, dry.1), (None, false), "a dry run is not stored");
    assert!(f.desk.task_runs(10, None).unwrap().is_empty());

    let before = audit_len();
    let (first, replayed) = f
        .desk
        .run_bulk_once(f.ctx(), &suspend, &BulkTask::Suspend, false, Some("k1"))
        .unwrap();
    assert!(!replayed);
    assert_eq!((first.ok, first.failed), (2, 1));
    let grown = audit_len();
    assert!(grown > before);

    let (again, replayed) = f
        .desk
        .run_bulk_once(f.ctx(), &suspend, &BulkTask::Suspend, false, Some("k1"))
        .unwrap();
    assert!(replayed);
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&first).unwrap()
    );
    assert_eq!(audit_len(), grown, "a replay runs nothing");

    let other = f
        .desk
        .run_bulk_once(
            f.ctx(),
            &Selection::Ids(vec![a]),
            &BulkTask::Suspend,
            false,
            Some("k1"),
        )
        .unwrap_err();
    assert!(
        matches!(&other, Error::Conflict { field, .. } if field == "Idempotency-Key"),
        "{other:?}"
    );
    for bad in ["", "has space", &"x".repeat(256), "ключ"] {
        let e = f
            .desk
            .run_bulk_once(f.ctx(), &suspend, &BulkTask::Reactivate, false, Some(bad))
            .unwrap_err();
        assert_eq!(e.field(), Some("Idempotency-Key"), "{bad:?}");
    }
    let longest = "k".repeat(255);
    assert!(f
        .desk
        .run_bulk_once(
            f.ctx(),
            &suspend,
            &BulkTask::Reactivate,
            false,
            Some(&longest)
        )
        .is_ok());

    let id = first.run.unwrap();
    let stored = f.desk.task_run(id).unwrap();
    assert_eq!(stored.report.results[0].company, "Ärger & Co, \"Ltd\"");
    assert_eq!(
        stored.selection,
        vec![("ids".to_string(), format!("{a},{b},999"))]
    );
    let runs = f.desk.task_runs(10, None).unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs[0].report.run > runs[1].report.run, "newest first");
    assert!(matches!(
        f.desk.task_run(id + 100),
        Err(Error::NotFound {
            thing: Thing::TaskRun,
            ..
        })
    ));
}

/// A stored run lists at most 10,000 customers and counts the rest.
#[test]
fn a_stored_run_lists_at_most_ten_thousand_customers() {
    let f = Fixture::new();
    clientele::demo::generate(&f.desk, f.ctx(), 10_001, 5).unwrap();
    let all = Selection::Filter(Filter::default());
    let report = f
        .desk
        .run_bulk(f.ctx(), &all, &BulkTask::Suspend, false)
        .unwrap();
    assert_eq!(report.results.len(), 10_001);
    let stored = f.desk.task_run(report.run.unwrap()).unwrap().report;
    assert_eq!(stored.results.len(), 10_000);
    assert_eq!(stored.omitted, 1);
    assert_eq!(stored.ok + stored.skipped + stored.failed, 10_001);
}

/// A file written before task runs were stored (no run tables) still reads, checks and backs
/// up; the first writable open adds the tables.
#[test]
fn files_without_the_run_tables_open() {
    let f = Fixture::new();
    f.add("Old Co", "old-co", "CLP", &[]);
    let path = f.path.clone();
    let dir = f._dir;
    drop(f.desk);
    {
        let db = redb::Database::create(&path).unwrap();
        let w = db.begin_write().unwrap();
        for name in ["task_runs", "task_run_keys"] {
            assert!(w
                .delete_table(redb::TableDefinition::<u64, u64>::new(name))
                .unwrap());
        }
        w.commit().unwrap();
    }
    let reader = Desk::open(&path, Access::Read, Some(today())).unwrap();
    assert!(reader.task_runs(10, None).unwrap().is_empty());
    assert!(reader.check().unwrap().ok);
    reader.backup(&dir.path().join("copy.redb")).unwrap();
    drop(reader);
    let writer = Desk::open(&path, Access::Write, Some(today())).unwrap();
    let report = writer
        .run_bulk(
            writer.ctx(Actor::Cli),
            &Selection::Filter(Filter::default()),
            &BulkTask::Suspend,
            false,
        )
        .unwrap();
    assert_eq!(writer.task_run(report.run.unwrap()).unwrap().report.ok, 1);
}

/// Previews name what an overwrite loses and what a template replaces, and group the
/// customers a task skips by reason, largest group first.
#[test]
fn previews_say_what_is_lost_and_group_skipped_customers() {
    let f = Fixture::new();
    let lmp = f.add(
        "Lmp One",
        "lmp-one",
        "LMP",
        &[("WFBS-S Full", 5, "2027-06-30")],
    );
    let plain = f.add("Lmp Two", "lmp-two", "LMP", &[]);
    let clp: Vec<u64> = (0..3)
        .map(|i| f.add(&format!("Clp {i}"), &format!("clp-{i}"), "CLP", &[]))
        .collect();
    let mut ids = vec![lmp, plain];
    ids.extend(&clp);
    let sel = Selection::Ids(ids);
    let deploy = |action: &str, entries: &str| {
        BulkTask::parse("deploy-policy", &|k: &str| match k {
            "list" => Some("approved-urls".into()),
            "action" => Some(action.into()),
            "entries" => Some(entries.into()),
            _ => None,
        })
        .unwrap()
    };
    f.desk
        .run_bulk(
            f.ctx(),
            &sel,
            &deploy("append", "https://a.example/;https://b.example/"),
            false,
        )
        .unwrap();
    let preview = f
        .desk
        .run_bulk(
            f.ctx(),
            &sel,
            &deploy("overwrite", "https://b.example/"),
            true,
        )
        .unwrap();
    let note = preview
        .results
        .iter()
        .find(|r| r.id == lmp)
        .unwrap()
        .reason
        .clone()
        .unwrap();
    assert!(note.contains("1 of its 2 entries would be lost"), "{note}");

    let groups = preview.by_reason(Outcome::Skipped);
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert_eq!(groups[0].1.len(), 3, "the three CLP customers first");
    assert!(
        groups[0].0.contains("LMP customers only"),
        "{}",
        groups[0].0
    );
    assert_eq!(groups[1].1[0].id, plain);

    let assign = |name: &str| BulkTask::AssignTemplate {
        template: name.into(),
    };
    let first = f
        .desk
        .run_bulk(f.ctx(), &Selection::Ids(vec![lmp]), &assign("Strict"), true)
        .unwrap();
    assert!(first.results[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("(now no template)"));
    f.desk
        .run_bulk(
            f.ctx(),
            &Selection::Ids(vec![lmp]),
            &assign("Strict"),
            false,
        )
        .unwrap();
    f.desk
        .add_template(
            f.ctx(),
            &TemplateInput {
                name: Some("Relaxed".into()),
                product: Some("wfbss".into()),
                ..TemplateInput::default()
            },
        )
        .unwrap();
    let change = f
        .desk
        .run_bulk(
            f.ctx(),
            &Selection::Ids(vec![lmp]),
            &assign("Relaxed"),
            true,
        )
        .unwrap();
    assert_eq!(
        change.results[0].reason.as_deref(),
        Some("would assign template Relaxed (now template Strict)")
    );
}

/// One answer names every problem of a new customer: a malformed field and a name already
/// taken come back together, not one per submit.
#[test]
fn format_errors_and_clashes_come_in_one_answer() {
    let f = Fixture::new();
    f.add("Taken Co", "taken-co", "CLP", &[]);
    let mut bad = input("TAKEN co", "Taken-Co", "CLP", &[]);
    bad.email = Some("not an address".into());
    let Err(Error::Invalid(errors)) = f.desk.add_customer(f.ctx(), &bad) else {
        panic!("expected field errors")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "account_name", "company"]);
    // One clash alone stays a conflict (HTTP 409).
    let e = f
        .desk
        .add_customer(f.ctx(), &input("Other Co", "taken-co", "CLP", &[]))
        .unwrap_err();
    assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
}

/// The audit filter at its edges: a one-day range keeps that UTC day from its first second to
/// its last, `before` the first id is an empty page, an unknown task matches nothing, a
/// customer is found by id (also once deleted) or account name, and the newer-page link
/// lands where the older link came from.
#[test]
fn audit_filter_edges() {
    use clientele::domain::date::Timestamp;
    let f = Fixture::new();
    let at = |s: &str| Ctx {
        now: Timestamp::parse(s).unwrap(),
        ..f.ctx()
    };
    let add = |when: &str, company: &str, account: &str| {
        f.desk
            .add_customer(at(when), &input(company, account, "CLP", &[]))
            .unwrap()
            .id
    };
    let a = add("2026-11-01T23:59:59Z", "Ōsaka \"Quotes\", Ltd", "osaka-1");
    let b = add("2026-11-02T00:00:00Z", "Café 🚀", "cafe-2");
    let c = add("2026-11-02T23:59:59Z", "Третий", "third-3");
    let _d = add("2026-11-03T00:00:00Z", "Later", "later-4");
    let filter =
        |customer: Option<&str>, task: Option<&str>, from: Option<&str>, to: Option<&str>| {
            AuditFilter::parse(customer, task, from, to).unwrap()
        };
    let customers = |before: Option<u64>, fl: &AuditFilter| -> Vec<u64> {
        f.desk
            .audit_log(100, before, fl)
            .unwrap()
            .iter()
            .flat_map(|e| e.customers.clone())
            .collect()
    };
    let day = filter(None, None, Some("2026-11-02"), Some("2026-11-02"));
    assert_eq!(customers(None, &day), [c, b]);
    let from_on = filter(None, Some("add customer"), Some("2026-11-02"), None);
    assert_eq!(customers(None, &from_on).len(), 3);
    let up_to = filter(None, Some("add customer"), None, Some("2026-11-01"));
    assert_eq!(customers(None, &up_to), [a]);
    assert!(f
        .desk
        .audit_log(100, None, &filter(None, Some("no such task"), None, None))
        .unwrap()
        .is_empty());
    // `before` the first id there is: nothing older.
    let all = f
        .desk
        .audit_log(1000, None, &AuditFilter::default())
        .unwrap();
    let first = all.last().unwrap().id;
    assert!(f
        .desk
        .audit_log(100, Some(first), &AuditFilter::default())
        .unwrap()
        .is_empty());
    assert_eq!(
        f.desk
            .audit_log(100, Some(first + 1), &AuditFilter::default())
            .unwrap()
            .len(),
        1
    );
    // A customer by account name or id; a deleted one by id only.
    assert_eq!(
        customers(None, &filter(Some("cafe-2"), None, None, None)),
        [b]
    );
    assert_eq!(
        customers(None, &filter(Some(&b.to_string()), None, None, None)),
        [b]
    );
    f.desk
        .run_bulk(f.ctx(), &Selection::Ids(vec![b]), &BulkTask::Delete, false)
        .unwrap();
    let by_id = f
        .desk
        .audit_log(100, None, &filter(Some(&b.to_string()), None, None, None))
        .unwrap();
    assert_eq!(
        by_id.iter().map(|e| e.task.as_str()).collect::<Vec<_>>(),
        ["delete", "add customer"]
    );
    assert!(matches!(
        f.desk
            .audit_log(100, None, &filter(Some("cafe-2"), None, None, None)),
        Err(Error::NotFound {
            thing: Thing::Customer,
            ..
        })
    ));
    // Refused filters name their field.
    assert_eq!(
        fields(AuditFilter::parse(None, None, Some("2026-11-03"), Some("2026-11-02")).unwrap_err()),
        ["to"]
    );
    assert_eq!(
        fields(AuditFilter::parse(None, None, Some("02/11/2026"), None).unwrap_err()),
        ["from"]
    );
    // Pages of one entry: the newer link of the second page leads back to the first page.
    let tasks = filter(None, Some("add customer"), None, None);
    let page = |before| f.desk.audit_log(1, before, &tasks).unwrap();
    let newest = page(None);
    let second = page(Some(newest[0].id));
    assert_eq!(
        f.desk.audit_newer(1, second[0].id, &tasks).unwrap(),
        Some(None)
    );
    let third = page(Some(second[0].id));
    assert_eq!(
        f.desk.audit_newer(1, third[0].id, &tasks).unwrap(),
        Some(Some(newest[0].id))
    );
    assert_eq!(f.desk.audit_newer(1, newest[0].id, &tasks).unwrap(), None);
}

/// The long tasks report through their progress hook: from 0, at a bounded rate, never going
/// back, and ending with `done == total`.
#[test]
fn long_tasks_report_progress_up_to_the_total() {
    use std::cell::RefCell;
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(&dir.path().join("p.redb"), Access::Write, Some(today())).unwrap();
    let calls = RefCell::new(Vec::new());
    let hook = |done: u64, total: u64| calls.borrow_mut().push((done, total));
    // `step`: the units between two reports (records, or bytes of an import).
    let check = |what: &str, at_least: usize, step: u64| {
        let c = calls.take();
        assert!(c.len() >= at_least, "{what}: {c:?}");
        assert_eq!(c[0].0, 0, "{what}: {c:?}");
        assert!(c.windows(2).all(|w| w[0].0 <= w[1].0), "{what}: {c:?}");
        assert!(c.iter().all(|&(d, t)| d <= t), "{what}: {c:?}");
        let last = *c.last().unwrap();
        assert_eq!(last.0, last.1, "{what}: {c:?}");
        assert!(
            c.len() as u64 <= 2 + last.1 / step,
            "{what}: {} calls",
            c.len()
        );
        last.1
    };
    clientele::demo::generate_with(&desk, desk.ctx(Actor::Cli), 2_500, 3, &hook).unwrap();
    assert_eq!(check("demo", 4, 1_000), 2_500);
    let mut csv = Vec::new();
    let all = Selection::Filter(Filter::default());
    desk.export_csv_with(&all, ExportOptions::default(), &mut csv, &hook)
        .unwrap();
    assert_eq!(check("export", 4, 1_000), 2_500);
    let records = desk
        .backup_with(&dir.path().join("copy.redb"), &hook)
        .unwrap();
    assert_eq!(check("backup", 4, 1_000), records);
    let report = desk.check_with(&hook).unwrap();
    assert_eq!(check("check", 4, 1_000), report.records as u64);
    let size = csv.len() as u64;
    desk.import_csv_with(
        desk.ctx(Actor::Cli),
        &mut csv.as_slice(),
        DRY_RUN,
        size,
        &hook,
    )
    .unwrap();
    assert_eq!(check("import", 2, 1 << 20), size);
}

/// The 31 cells of one customer as the export wrote them before it wrote cells straight from
/// the stored customer: through the API's view, one `String` each.
fn reference_row(v: &clientele::domain::view::CustomerView, licenses: &str) -> [String; 31] {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let yes_no = |b: bool| YesNo::from_bool(b).code().to_string();
    [
        v.id.to_string(),
        v.company.clone(),
        v.account_name.clone(),
        v.account_type.code().to_string(),
        v.status.code().to_string(),
        v.contact_first_name.clone(),
        v.contact_last_name.clone(),
        v.email.clone(),
        v.phone.clone(),
        v.address.clone(),
        v.city.clone(),
        v.state.clone(),
        v.postal_code.clone(),
        v.country.clone(),
        v.time_zone.clone(),
        v.language.clone(),
        v.products.join("; "),
        licenses.to_string(),
        v.license_status.to_string(),
        opt(&v.next_expiry),
        v.threat_system_action_required.to_string(),
        v.threat_system_warning.to_string(),
        v.license_action_required.to_string(),
        v.license_warning.to_string(),
        yes_no(v.needs_attention),
        yes_no(v.managed),
        opt(&v.wfbs_template),
        opt(&v.cloud_edge_template),
        v.last_transaction.clone(),
        v.created_at.clone(),
        v.notes.clone(),
    ]
}

/// Every customer as the export wrote it before: view, 31 strings, each guarded into a copy.
fn reference_export(desk: &Desk, opts: ExportOptions) -> Vec<u8> {
    use clientele::domain::changes::licenses_text;
    use clientele::domain::view::CustomerView;
    use clientele::store::Read;
    use clientele::tasks::csv::{guard, HEADER};
    let mut out = Vec::new();
    if opts.excel {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(if opts.excel {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(&mut out);
    w.write_record(HEADER).unwrap();
    let r = desk.store().read().unwrap();
    let catalog = r.catalog().unwrap();
    r.each_pair(
        &mut |_| true,
        &mut |s, c| {
            let view = CustomerView::of(&c, s.open, &catalog, desk.today());
            let cells = reference_row(&view, &licenses_text(&c.licenses, &catalog));
            if opts.raw {
                w.write_record(&cells)
            } else {
                w.write_record(cells.iter().map(|c| guard(c).into_owned()))
            }
            .unwrap();
            Ok(true)
        },
        &mut |id| panic!("customer {id} unreadable"),
    )
    .unwrap();
    w.flush().unwrap();
    drop(w);
    out
}

/// The export writes exactly the bytes the view-and-strings export wrote, for demo customers
/// (licences in every status, outdated devices, open events) and for awkward text: quotes,
/// commas, line breaks, non-Latin script, emoji and formula-like cells, in every variant.
#[test]
fn export_bytes_match_the_view_based_rows() {
    let f = Fixture::new();
    clientele::demo::generate(&f.desk, f.ctx(), 400, 3).unwrap();
    let awkward = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1 555, \"quoted\"",
        "-2\nline two\r\nline three",
        "@SUM(A1:A2)",
        "'=already guarded",
        "東京 مرحبا 🚀 ü",
        "\"\"",
        "plain, with comma; and semicolon",
        "\ttab first",
    ];
    for (i, text) in awkward.iter().enumerate() {
        let mut c = input(
            &format!("{text} {i}"),
            &format!("awk-{i:03}"),
            if i % 2 == 0 { "LMP" } else { "CLP" },
            &[
                ("WFBS-S Full", 3, "2025-11-30"),
                ("HES Full", 1, "2026-11-01"),
            ],
        );
        c.notes = Some(text.to_string());
        c.address = Some(text.to_string());
        c.contact_first_name = Some(format!("={i}"));
        c.contact_last_name = Some(text.to_string());
        c.city = Some(text.to_string());
        let id = f.desk.add_customer(f.ctx(), &c).unwrap().id;
        if i % 3 == 0 {
            let e = EventInput {
                kind: "threat".into(),
                severity: "warning".into(),
                category: "antivirus".into(),
                message: text.to_string(),
                time: None,
            };
            f.desk.add_event(f.ctx(), id, &e).unwrap();
        }
    }
    for raw in [false, true] {
        for excel in [false, true] {
            let opts = ExportOptions { raw, excel };
            let new = f.export_all(opts);
            let old = reference_export(&f.desk, opts);
            assert!(new == old, "raw {raw}, excel {excel}: the bytes differ");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    /// The export, written straight from the stored bytes, gives exactly the bytes of the
    /// view-and-strings rows for any awkward text (quotes, commas, line breaks, formula-like
    /// starts, any script), in every variant.
    #[test]
    fn export_bytes_match_the_view_based_rows_for_any_text(
        texts in prop::collection::vec(awkward_text(), 1..5),
        notes in awkward_text(),
    ) {
        let f = Fixture::new();
        for (i, text) in texts.iter().enumerate() {
            let mut c = input(
                &format!("{text} {i}"),
                &format!("acct-{i:03}"),
                if i % 2 == 0 { "LMP" } else { "CLP" },
                &[("WFBS-S Full", 3, "2025-11-30"), ("HES Full", 1, "2026-11-01")],
            );
            c.notes = Some(notes.clone());
            c.address = Some(text.clone());
            c.city = Some(text.clone());
            c.contact_first_name = Some(format!("={text}"));
            c.contact_last_name = Some(text.clone());
            let Ok(added) = f.desk.add_customer(f.ctx(), &c) else {
                continue; // e.g. a company that trims to an over-long value
            };
            if i % 2 == 1 {
                let e = EventInput {
                    kind: "threat".into(),
                    severity: "warning".into(),
                    category: "antivirus".into(),
                    message: text.clone(),
                    time: None,
                };
                f.desk.add_event(f.ctx(), added.id, &e).unwrap();
            }
        }
        for raw in [false, true] {
            for excel in [false, true] {
                let opts = ExportOptions { raw, excel };
                prop_assert!(f.export_all(opts) == reference_export(&f.desk, opts));
            }
        }
    }
}

/// One import row of the repeat test: account and company from small pools (in any case),
/// the email good or not.
fn repeat_row() -> impl Strategy<Value = (usize, bool, usize, bool, bool)> {
    (
        0..5usize,
        any::<bool>(),
        0..6usize,
        any::<bool>(),
        any::<bool>(),
    )
}

/// What an import must answer for rows over a store holding `acc0..acc2` with `co0..co2`,
/// worked out row by row with one map per column of the names the file has used so far:
/// for each rejected line, the field and the line the name first appeared on (for repeats).
fn repeat_model(rows: &[(String, String, bool)]) -> Vec<(u64, String, Option<u64>)> {
    use std::collections::HashMap;
    let mut store: HashMap<String, String> = (0..3)
        .map(|i| (format!("acc{i}"), format!("co{i}")))
        .collect();
    let (mut accounts, mut companies) = (HashMap::new(), HashMap::new());
    let mut out = Vec::new();
    for (i, (account, company, good_email)) in rows.iter().enumerate() {
        let line = i as u64 + 2;
        let (account, company) = (account.to_lowercase(), company.to_lowercase());
        if let Some(&first) = accounts.get(&account) {
            out.push((line, "account_name".into(), Some(first)));
            continue;
        }
        accounts.insert(account.clone(), line);
        if !company.is_empty() {
            if let Some(&first) = companies.get(&company) {
                out.push((line, "company".into(), Some(first)));
                continue;
            }
            companies.insert(company.clone(), line);
        }
        if company.is_empty() {
            out.push((line, "company".into(), None));
        } else if !good_email {
            out.push((line, "email".into(), None));
        } else if store.iter().any(|(a, c)| *c == company && *a != account) {
            out.push((line, "company".into(), None));
        } else {
            store.insert(account, company);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// An account or company that appears again in one file is refused naming the line it
    /// first appeared on — whether that row was written, left unchanged or refused — and
    /// only repeats within the file are called repeats.
    #[test]
    fn import_names_the_first_line_of_a_repeated_name(
        picks in prop::collection::vec(repeat_row(), 1..12),
    ) {
        let f = Fixture::new();
        for i in 0..3 {
            f.add(&format!("co{i}"), &format!("acc{i}"), "CLP", &[]);
        }
        let text = String::from_utf8(f.export_all(ExportOptions::default())).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let mut template = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(lines.next().unwrap().as_bytes());
        let template = template.records().next().unwrap().unwrap();
        let case = |s: String, upper: bool| if upper { s.to_uppercase() } else { s };
        let rows: Vec<(String, String, bool)> = picks
            .iter()
            .map(|&(a, au, c, cu, good)| {
                let company = if c == 5 { String::new() } else { format!("co{c}") };
                (case(format!("acc{a}"), au), case(company, cu), good)
            })
            .collect();
        let mut out = csv::Writer::from_writer(Vec::new());
        for (account, company, good) in &rows {
            let mut cells: Vec<String> = template.iter().map(String::from).collect();
            cells[1] = company.clone();
            cells[2] = account.clone();
            cells[7] = if *good { "x@example.com".into() } else { "nope".into() };
            out.write_record(&cells).unwrap();
        }
        let body = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let file = format!("{header}\n{body}");
        let want = repeat_model(&rows);
        let got: Vec<(u64, String, Option<u64>)> =
            match f.desk.import_csv(f.ctx(), &mut file.as_bytes(), ImportOptions::default()) {
                Ok(_) => Vec::new(),
                Err(Error::Import(rows)) => rows
                    .iter()
                    .map(|r| {
                        let e = &r.errors[0];
                        let first = e
                            .message
                            .split("first on line ")
                            .nth(1)
                            .map(|n| n.split(')').next().unwrap().parse().unwrap());
                        (r.line, e.field.clone(), first)
                    })
                    .collect(),
                Err(other) => panic!("{other}"),
            };
        prop_assert_eq!(got, want);
    }
}
