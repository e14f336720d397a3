//! The web console, tested by calling `web::pages::handle` directly over a fresh database and
//! reading the HTML with `scraper`.

mod common;

use clientele::domain::date::Date;
use clientele::domain::filter::Filter;
use clientele::domain::limits::n as thousands;
use clientele::domain::model::Actor;
use clientele::domain::validate::{CustomerInput, LicenseInput};
use clientele::store::Access;
use clientele::tasks::bulk::{BulkTask, Selection};
use clientele::tasks::catalogs::{PlanInput, TemplateInput};
use clientele::tasks::csv::{ExportOptions, HEADER};
use clientele::tasks::desk::{CustomerRef, Desk};
use clientele::tasks::holdings::{DeviceInput, EventInput};
use clientele::web::app::App;
use clientele::web::http::{build_query, Method, Request, Response};
use clientele::web::pages::{handle, Route, Seg, Verb, ROUTES};
use scraper::{ElementRef, Html, Selector};

const EVIL: &str = "<script>alert(1)</script> & \"Co\"";

struct Fx {
    _dir: tempfile::TempDir,
    app: App,
    /// LMP, one expired WFBS-S licence.
    expired: u64,
    /// CLP, no licences, a hostile name.
    evil: u64,
    /// CLP holding a licence (cannot be deleted).
    holder: u64,
    /// LMP, a licence in good standing, a device and events.
    fresh: u64,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn customer(
    company: &str,
    account: &str,
    kind: &str,
    licenses: Vec<LicenseInput>,
) -> CustomerInput {
    CustomerInput {
        phone: Some("+351 21 000".into()),
        licenses: Some(licenses),
        ..common::lisboa_customer(company, account, kind)
    }
}

fn license(plan: &str, start: &str) -> LicenseInput {
    LicenseInput {
        plan: plan.into(),
        units: 5,
        start: Some(start.into()),
        ..LicenseInput::default()
    }
}

fn fx() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(
        &dir.path().join("console.redb"),
        Access::Write,
        Some(Date::parse("2026-11-27").unwrap()),
    )
    .unwrap();
    let ctx = desk.ctx(Actor::Cli);
    for (name, product, kind) in [
        ("WFBS-S Full", "wfbss", "full"),
        ("WFBS-S Trial", "wfbss", "trial"),
        ("Cloud Edge Full", "cloud-edge", "full"),
        ("HES Full", "hes", "full"),
    ] {
        desk.add_plan(
            ctx,
            &PlanInput {
                name: Some(name.into()),
                product: Some(product.into()),
                kind: Some(kind.into()),
                months: Some(12),
                ..PlanInput::default()
            },
        )
        .unwrap();
    }
    desk.add_template(
        ctx,
        &TemplateInput {
            name: Some("Strict".into()),
            product: Some("wfbss".into()),
            settings: Some([("scan".to_string(), "deep".to_string())].into()),
        },
    )
    .unwrap();
    let add = |c: CustomerInput| desk.add_customer(ctx, &c).unwrap().id;
    let expired = add(customer(
        "Expired Ltd",
        "expired-ltd",
        "LMP",
        vec![license("WFBS-S Full", "2025-01-01")],
    ));
    let evil = add(customer(EVIL, "evil-co", "CLP", vec![]));
    let holder = add(customer(
        "Holder GmbH",
        "holder-gmbh",
        "CLP",
        vec![license("HES Full", "2026-06-01")],
    ));
    let fresh = add(customer(
        "Fresh AG",
        "fresh-ag",
        "LMP",
        vec![
            license("WFBS-S Full", "2026-06-01"),
            license("Cloud Edge Full", "2026-06-01"),
        ],
    ));
    desk.set_firmware(ctx, "CE-100", "2.0.0").unwrap();
    desk.add_device(
        ctx,
        fresh,
        &DeviceInput {
            name: Some("Edge One".into()),
            serial: Some("SN-0001".into()),
            model: Some("CE-100".into()),
            firmware: Some("1.5.0".into()),
        },
    )
    .unwrap();
    desk.add_event(
        ctx,
        fresh,
        &EventInput {
            kind: "threat".into(),
            severity: "action_required".into(),
            category: "antivirus".into(),
            message: "Virus found on PC-7".into(),
            time: None,
        },
    )
    .unwrap();
    Fx {
        _dir: dir,
        app: App::new(desk),
        expired,
        evil,
        holder,
        fresh,
    }
}

impl Fx {
    fn get(&self, target: &str) -> Response {
        handle(&self.app, &Request::new(Method::Get, target).unwrap())
    }

    fn post(&self, target: &str, pairs: &[(&str, &str)]) -> Response {
        let req = Request::new(Method::Post, target)
            .unwrap()
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(build_query(pairs));
        handle(&self.app, &req)
    }

    /// Submits a preview's confirm form as a browser would (its hidden fields and the values
    /// its inputs hold), with the fields named in `extra` set to those values instead.
    fn confirm(&self, doc: &Html, extra: &[(&str, &str)]) -> Response {
        let form = one(doc, "form#confirm-form");
        let mut pairs = form_fields(form);
        pairs.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(form.value().attr("action").unwrap(), &refs)
    }

    /// `confirm`, which must answer 303 to the stored run, and that run's page.
    fn confirm_and_follow(&self, doc: &Html, extra: &[(&str, &str)]) -> (String, Html) {
        let to = location(&self.confirm(doc, extra));
        assert!(to.starts_with("/runs/"), "{to}");
        let page = self.page(&to);
        (to, page)
    }

    /// An import form's answer: a `303` to its job, whose page is read once the job is done.
    fn import_result(&self, r: &Response) -> Response {
        let to = location(r);
        let id: u64 = to
            .strip_prefix("/import/")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("not an import job: {to}"));
        let job = self.app.imports.get(id).expect("the job is kept");
        assert!(
            job.wait(std::time::Duration::from_secs(60)),
            "{to} never ends"
        );
        self.get(&to)
    }

    fn page(&self, target: &str) -> Html {
        let r = self.get(target);
        assert_eq!(r.status, 200, "GET {target}: {}", body(&r));
        html(&r)
    }

    fn expiry_of(&self, id: u64) -> String {
        self.app
            .desk
            .customer(&CustomerRef::Id(id))
            .unwrap()
            .licenses[0]
            .expiry
            .clone()
    }
}

fn body(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn html(r: &Response) -> Html {
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    Html::parse_document(&body(r))
}

fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector)).map(text).collect()
}

/// The first element `selector` finds; fails naming the selector when there is none.
#[track_caller]
fn one<'a>(doc: &'a Html, selector: &str) -> ElementRef<'a> {
    doc.select(&sel(selector))
        .next()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

/// What a form submits: named inputs (checked boxes only), text areas and selects.
fn form_fields(form: ElementRef) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in form.select(&sel("input[name], textarea[name], select[name]")) {
        let v = e.value();
        let name = v.attr("name").unwrap().to_string();
        match (v.name(), v.attr("type").unwrap_or("text")) {
            ("input", "checkbox" | "radio") => {
                if v.attr("checked").is_some() {
                    out.push((name, v.attr("value").unwrap_or("on").to_string()));
                }
            }
            ("input", "submit" | "button") => {}
            ("input", _) => out.push((name, v.attr("value").unwrap_or("").to_string())),
            ("textarea", _) => out.push((name, e.text().collect())),
            _ => {
                let chosen = e
                    .select(&sel("option[selected]"))
                    .next()
                    .or_else(|| e.select(&sel("option")).next());
                if let Some(o) = chosen {
                    out.push((name, o.value().attr("value").unwrap_or("").to_string()));
                }
            }
        }
    }
    out
}

fn location(r: &Response) -> String {
    assert_eq!(r.status, 303, "{}", body(r));
    r.header("location").unwrap().to_string()
}

fn row<'a>(doc: &'a Html, id: u64) -> ElementRef<'a> {
    doc.select(&sel(&format!(
        "tr[data-testid=customer-row][data-id=\"{id}\"]"
    )))
    .next()
    .unwrap_or_else(|| panic!("no row for customer {id}"))
}

#[test]
fn list_shows_the_seven_columns_a_checkbox_per_row_and_the_filter_form() {
    let f = fx();
    let doc = f.page("/");
    let headers = texts(&doc, "#customers thead th");
    let expected = [
        "Company",
        "Contact person",
        "Phone",
        "Products",
        "Threat & system events",
        "License events",
        "Last transaction",
    ];
    for name in expected {
        assert!(
            headers.iter().any(|h| h.starts_with(name)),
            "missing column {name} in {headers:?}"
        );
    }
    assert_eq!(headers.len(), 8, "select column + seven: {headers:?}");
    let rows: Vec<_> = doc.select(&sel("#customers tbody tr")).collect();
    assert_eq!(rows.len(), 4);
    for id in [f.expired, f.evil, f.holder, f.fresh] {
        let r = row(&doc, id);
        let boxes: Vec<_> = r.select(&sel("input[type=checkbox][name=ids]")).collect();
        assert_eq!(boxes.len(), 1);
        assert_eq!(
            boxes[0].value().attr("value"),
            Some(id.to_string().as_str())
        );
        assert_eq!(boxes[0].value().id(), Some(format!("select-{id}").as_str()));
        let link = r
            .select(&sel("a[data-testid=customer-link]"))
            .next()
            .unwrap();
        assert_eq!(
            link.value().attr("href"),
            Some(format!("/customers/{id}").as_str())
        );
    }
    assert!(doc.select(&sel("#select-all")).next().is_some());
    assert_eq!(
        texts(&doc, "#result-count")[0],
        "Showing 1–4 of 4 customers"
    );

    let form = one(&doc, "form#filter-form");
    assert_eq!(form.value().attr("method"), Some("get"));
    assert_eq!(form.value().attr("action"), Some("/"));
    for key in [
        "q",
        "account_type",
        "status",
        "product",
        "license",
        "attention",
        "managed",
        "sort",
        "limit",
    ] {
        assert!(
            form.select(&sel(&format!("[name={key}]"))).next().is_some(),
            "filter field {key} missing"
        );
    }
    assert_eq!(form.select(&sel("input[name=product]")).count(), 6);

    // Task buttons post the selection to their preview; Export All carries the filter.
    let list = one(&doc, "form#list-form");
    assert_eq!(list.value().attr("method"), Some("post"));
    for (id, action) in [
        ("task-delete", "/tasks/delete"),
        ("task-assign-template", "/tasks/assign-template"),
        ("task-deploy-policy", "/tasks/deploy-policy"),
        ("task-update-firmware", "/tasks/update-firmware"),
        ("task-renew", "/tasks/renew"),
        ("task-suspend", "/tasks/suspend"),
        ("task-reactivate", "/tasks/reactivate"),
        ("task-export", "/export"),
    ] {
        let b = list
            .select(&sel(&format!("button#{id}")))
            .next()
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(b.value().attr("formaction"), Some(action));
    }
    for id in ["task-new-customer", "task-export-all", "task-settings"] {
        assert!(
            doc.select(&sel(&format!("a#{id}"))).next().is_some(),
            "{id}"
        );
    }
}

#[test]
fn filters_sorting_paging_and_select_all_are_urls() {
    let f = fx();
    let doc = f.page("/?account_type=lmp&sort=-company");
    let ids: Vec<&str> = doc
        .select(&sel("#customers tbody tr"))
        .filter_map(|r| r.value().attr("data-id"))
        .collect();
    assert_eq!(ids, [f.fresh.to_string(), f.expired.to_string()]);
    assert_eq!(
        one(&doc, "#filter-account_type option[selected]")
            .value()
            .attr("value"),
        Some("lmp")
    );
    // The sorted column links to the other direction, keeping the filter.
    let company = one(&doc, "a[data-testid=sort-company]");
    assert_eq!(company.value().attr("href"), Some("/?account_type=lmp"));
    let th = one(&doc, "th[aria-sort]");
    assert_eq!(th.value().attr("aria-sort"), Some("descending"));
    let export_all = one(&doc, "#task-export-all");
    assert_eq!(
        export_all.value().attr("href"),
        Some("/export.csv?account_type=lmp&sort=-company")
    );

    let doc = f.page("/?limit=1&offset=1");
    assert_eq!(
        texts(&doc, "#result-count")[0],
        "Showing 2–2 of 4 customers"
    );
    let next = one(&doc, "a[data-testid=page-next]");
    assert_eq!(next.value().attr("href"), Some("/?limit=1&offset=2"));
    assert!(doc
        .select(&sel("a[data-testid=page-prev]"))
        .next()
        .is_some());

    let doc = f.page("/?select=all");
    assert_eq!(doc.select(&sel("input[name=ids][checked]")).count(), 4);
    let doc = f.page("/");
    assert_eq!(doc.select(&sel("input[name=ids][checked]")).count(), 0);

    let doc = f.page("/?attention=yes");
    let ids: Vec<&str> = doc
        .select(&sel("#customers tbody tr"))
        .filter_map(|r| r.value().attr("data-id"))
        .collect();
    assert_eq!(ids.len(), 2, "expired and fresh need attention: {ids:?}");
}

#[test]
fn bad_filter_values_answer_400_naming_the_field() {
    let f = fx();
    let r = f.get("/?limit=0&sort=size&q=x");
    assert_eq!(r.status, 400);
    let doc = html(&r);
    let msg = texts(&doc, "[data-testid=error]").join(" ");
    assert!(msg.contains("limit") && msg.contains("sort"), "{msg}");
    let back = one(&doc, "a[data-testid=back-link]");
    assert_eq!(back.value().attr("href"), Some("/?q=x"));
    assert_eq!(f.get("/export.csv?status=gone").status, 400);
}

#[test]
fn hostile_names_are_escaped() {
    let f = fx();
    let raw = body(&f.get("/"));
    assert!(
        !raw.contains("<script>alert"),
        "raw markup must escape the name"
    );
    let doc = Html::parse_document(&raw);
    for s in doc.select(&sel("script")) {
        assert_eq!(s.value().attr("src"), Some("/static/app.js"));
        assert_eq!(text(s), "");
    }
    let r = row(&doc, f.evil);
    let link = r
        .select(&sel("a[data-testid=customer-link]"))
        .next()
        .unwrap();
    assert_eq!(link.text().collect::<String>(), EVIL);
    let detail = f.page(&format!("/customers/{}", f.evil));
    assert_eq!(detail.select(&sel("script")).count(), 1);
    assert_eq!(
        texts(&detail, "h1#customer-name"),
        [EVIL.replace("  ", " ")]
    );
    let title = detail
        .select(&sel("title"))
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert!(title.starts_with(EVIL), "{title}");
}

#[test]
fn reasons_are_visible_for_an_expired_licence() {
    let f = fx();
    let doc = f.page("/");
    let r = row(&doc, f.expired);
    let reasons: Vec<String> = r
        .select(&sel("[data-testid=license-events-reasons] li"))
        .map(text)
        .collect();
    assert_eq!(reasons, ["licence WFBS-S Full expired on 2026-01-01"]);
    let badge = r
        .select(&sel("[data-testid=license-events] .badge.red"))
        .next()
        .unwrap();
    assert_eq!(text(badge), "1 action required");
    assert!(badge.value().attr("title").unwrap().contains("expired"));
    // Threat and device reasons go to the other column.
    let r = row(&doc, f.fresh);
    let system: Vec<String> = r
        .select(&sel("[data-testid=system-events-reasons] li"))
        .map(text)
        .collect();
    assert_eq!(system.len(), 2, "{system:?}");
    assert!(system.iter().any(|s| s.contains("Edge One")));
    assert!(r
        .select(&sel("[data-testid=license-events-reasons]"))
        .next()
        .is_none());
}

#[test]
fn renew_previews_without_writing_then_runs() {
    let f = fx();
    let ids = [
        ("ids", f.expired.to_string()),
        ("ids", f.evil.to_string()),
        ("back", "sort=-company".to_string()),
    ];
    let pairs: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = f.post("/tasks/renew", &pairs);
    assert_eq!(r.status, 200, "{}", body(&r));
    let doc = html(&r);
    let outcome = |doc: &Html, table: &str, id: u64| {
        let tr = doc
            .select(&sel(&format!("#{table} tr[data-id=\"{id}\"]")))
            .next()
            .unwrap_or_else(|| panic!("{id} not in {table}"));
        (
            tr.value().attr("data-outcome").unwrap().to_string(),
            text(tr),
        )
    };
    let (o, t) = outcome(&doc, "preview-table", f.expired);
    assert_eq!(o, "ok");
    // A dry run says what would happen.
    assert!(
        t.contains("would renew WFBS-S Full until 2027-11-27"),
        "{t}"
    );
    let (o, t) = outcome(&doc, "preview-table", f.evil);
    assert_eq!(o, "skipped");
    assert!(t.contains("LMP customers only"), "{t}");
    assert_eq!(
        f.expiry_of(f.expired),
        "2026-01-01",
        "a preview writes nothing"
    );
    // The options form and the confirm form both carry the selection.
    assert!(doc.select(&sel("#task-until")).next().is_some());
    let confirm = one(&doc, "form#confirm-form");
    assert_eq!(confirm.value().attr("action"), Some("/tasks/renew/run"));
    assert_eq!(
        confirm.select(&sel("input[type=hidden][name=ids]")).count(),
        2
    );
    assert!(confirm
        .select(&sel("button#confirm-button"))
        .next()
        .is_some());
    let back = one(&doc, "#cancel-task");
    assert_eq!(back.value().attr("href"), Some("/?sort=-company"));

    // A confirm whose options differ from the preview runs nothing: it is a new preview.
    let r = f.confirm(&doc, &[("until", "2028-01-31")]);
    assert_eq!(r.status, 200, "{}", body(&r));
    let changed = html(&r);
    one(&changed, "[data-testid=changed-notice]");
    assert_eq!(f.expiry_of(f.expired), "2026-01-01", "nothing ran");
    let runs_before = f.app.desk.task_runs(100, None).unwrap().len();

    let (at, doc) = f.confirm_and_follow(&doc, &[]);
    assert_eq!(outcome(&doc, "result-table", f.expired).0, "ok");
    assert_eq!(outcome(&doc, "result-table", f.evil).0, "skipped");
    assert_eq!(f.expiry_of(f.expired), "2027-11-27");
    // The result is a page of its own: reading it again runs nothing.
    let audit = f
        .app
        .desk
        .audit_log(1000, None, &Default::default())
        .unwrap()
        .len();
    let again = f.page(&at);
    assert_eq!(outcome(&again, "result-table", f.expired).0, "ok");
    assert_eq!(
        f.app
            .desk
            .audit_log(1000, None, &Default::default())
            .unwrap()
            .len(),
        audit
    );
    assert_eq!(
        f.app.desk.task_runs(100, None).unwrap().len(),
        runs_before + 1
    );
    let runs = f.page("/runs");
    assert!(runs
        .select(&sel("tr[data-testid=run-row]"))
        .next()
        .is_some());
}

#[test]
fn tasks_with_options_ask_for_them_and_report_errors() {
    let f = fx();
    let id = f.fresh.to_string();
    // First arrival: the options form, no errors, no preview yet.
    let r = f.post("/tasks/assign-template", &[("ids", &id)]);
    assert_eq!(r.status, 200);
    let doc = html(&r);
    assert!(doc.select(&sel("#task-template")).next().is_some());
    assert!(doc.select(&sel("#preview-table")).next().is_none());
    assert!(doc
        .select(&sel("[data-testid=error-summary]"))
        .next()
        .is_none());
    // Submitted without a template: an error next to the field.
    let r = f.post(
        "/tasks/assign-template",
        &[("ids", &id), ("options", "1"), ("template", "")],
    );
    assert_eq!(r.status, 422);
    let doc = html(&r);
    assert_eq!(
        one(&doc, "#task-template").value().attr("aria-invalid"),
        Some("true")
    );
    // With a template: a preview.
    let r = f.post(
        "/tasks/assign-template",
        &[("ids", &id), ("options", "1"), ("template", "Strict")],
    );
    let doc = html(&r);
    assert_eq!(
        doc.select(&sel("#preview-table tr[data-outcome=ok]"))
            .count(),
        1
    );
    // A bad policy entry rejects the whole task, naming the entry.
    let r = f.post(
        "/tasks/deploy-policy",
        &[
            ("ids", &id),
            ("options", "1"),
            ("list", "blocked-urls"),
            ("action", "append"),
            ("entries", "https://a.example/\nftp://x"),
        ],
    );
    assert_eq!(r.status, 422);
    let doc = html(&r);
    let err = texts(&doc, "#task-entries-error").join(" ");
    assert!(err.contains("entry 2"), "{err}");
    assert_eq!(
        one(&doc, "#task-entries").text().collect::<String>(),
        "https://a.example/\nftp://x"
    );
}

#[test]
fn empty_selection_explains_and_links_back() {
    let f = fx();
    for target in ["/tasks/renew", "/tasks/delete", "/export"] {
        let r = f.post(target, &[("back", "q=x")]);
        assert_eq!(r.status, 400, "{target}");
        let doc = html(&r);
        assert!(texts(&doc, "h1")[0].contains("No customers selected"));
        let back = one(&doc, "a[data-testid=back-link]");
        assert_eq!(back.value().attr("href"), Some("/?q=x"));
    }
    assert_eq!(f.post("/tasks/fly", &[("ids", "1")]).status, 404);
}

#[test]
fn delete_refuses_holders_and_needs_explicit_confirmation() {
    let f = fx();
    let holder = f.holder.to_string();
    let r = f.post("/tasks/delete", &[("ids", &holder)]);
    assert_eq!(r.status, 200);
    let doc = html(&r);
    let tr = doc
        .select(&sel(&format!(
            "#preview-table tr[data-id=\"{}\"]",
            f.holder
        )))
        .next()
        .unwrap();
    assert_eq!(tr.value().attr("data-outcome"), Some("skipped"));
    assert!(
        text(tr).contains("still holds 1 licence(s)"),
        "{}",
        text(tr)
    );
    assert!(
        doc.select(&sel("#confirm-button")).next().is_none(),
        "nothing to confirm"
    );
    assert!(doc
        .select(&sel("[data-testid=nothing-to-do]"))
        .next()
        .is_some());

    let evil = f.evil.to_string();
    let doc = html(&f.post("/tasks/delete", &[("ids", &evil)]));
    let confirm = one(&doc, "form#confirm-form");
    assert!(confirm
        .select(&sel(
            "input#confirm-delete[type=checkbox][name=confirm_delete]"
        ))
        .next()
        .is_some());
    // Without ticking the box nothing is deleted.
    let r = f.confirm(&doc, &[]);
    assert_eq!(r.status, 422);
    assert!(f.app.desk.customer(&CustomerRef::Id(f.evil)).is_ok());
    // Nor by posting the task without the preview's fingerprint.
    let r = f.post(
        "/tasks/delete/run",
        &[("ids", &evil), ("confirm_delete", "yes")],
    );
    assert_eq!(r.status, 200);
    one(&html(&r), "[data-testid=changed-notice]");
    assert!(f.app.desk.customer(&CustomerRef::Id(f.evil)).is_ok());
    let (_, doc) = f.confirm_and_follow(&doc, &[("confirm_delete", "yes")]);
    assert_eq!(
        doc.select(&sel("#result-table tr[data-outcome=ok]"))
            .count(),
        1
    );
    assert!(f.app.desk.customer(&CustomerRef::Id(f.evil)).is_err());
}

#[test]
fn new_customer_form_keeps_values_and_shows_errors() {
    let f = fx();
    let doc = f.page("/customers/new");
    assert!(
        doc.select(&sel("#plan-2")).next().is_some(),
        "at least three plan rows"
    );
    let r = f.post(
        "/customers",
        &[
            ("company", ""),
            ("account_name", "ab"),
            ("account_type", "LMP"),
            ("contact_first_name", "Zoë"),
            ("email", "not-an-email"),
            ("notes", "line one\r\n<b>two</b>"),
            ("plan-0", "WFBS-S Full"),
            ("units-0", "many"),
            ("start-0", ""),
            ("plan-1", ""),
            ("units-1", ""),
            ("start-1", ""),
        ],
    );
    assert_eq!(r.status, 422);
    assert_eq!(f.app.desk.count().unwrap(), 4, "nothing was created");
    let doc = html(&r);
    for field in [
        "company",
        "account_name",
        "email",
        "units-0",
        "contact_last_name",
        "city",
        "country",
    ] {
        let input = doc
            .select(&sel(&format!("#{field}")))
            .next()
            .unwrap_or_else(|| panic!("{field}"));
        assert_eq!(input.value().attr("aria-invalid"), Some("true"), "{field}");
        let described = input.value().attr("aria-describedby").unwrap();
        assert!(
            described.split(' ').any(|d| d == format!("{field}-error")),
            "{field}: {described}"
        );
        assert!(
            doc.select(&sel(&format!("#{field}-error")))
                .next()
                .is_some(),
            "{field}"
        );
    }
    assert_eq!(one(&doc, "#account_name").value().attr("value"), Some("ab"));
    assert_eq!(
        one(&doc, "#email").value().attr("value"),
        Some("not-an-email")
    );
    assert_eq!(
        one(&doc, "#contact_first_name").value().attr("value"),
        Some("Zoë")
    );
    assert!(one(&doc, "#contact_first_name")
        .value()
        .attr("aria-invalid")
        .is_none());
    assert_eq!(
        one(&doc, "#notes").text().collect::<String>(),
        "line one\n<b>two</b>"
    );
    assert_eq!(
        one(&doc, "#account_type-LMP").value().attr("checked"),
        Some("")
    );
    assert_eq!(
        one(&doc, "#plan-0 option[selected]").value().attr("value"),
        Some("WFBS-S Full")
    );
    assert_eq!(one(&doc, "#units-0").value().attr("value"), Some("many"));
    let summary = texts(&doc, "#error-summary li").join(" | ");
    assert!(summary.contains("Company"), "{summary}");
    assert!(texts(&doc, "title")[0].starts_with("Error:"));
}

/// Typed values survive the browser's Back: no field of the form says `autocomplete="off"`
/// (browsers do not restore such a field), and the account name, which no autofill token
/// describes, has no attribute at all, while the contact fields keep their tokens.
#[test]
fn new_customer_fields_are_restored_after_back() {
    let f = fx();
    for target in [
        "/customers/new".to_string(),
        format!("/customers/{}/edit", f.fresh),
    ] {
        let doc = f.page(&target);
        assert!(
            doc.select(&sel("[autocomplete=off]")).next().is_none(),
            "{target}"
        );
        let attr = |name: &str| {
            one(&doc, &format!("[name={name}]"))
                .value()
                .attr("autocomplete")
                .map(str::to_string)
        };
        assert_eq!(attr("account_name"), None, "{target}");
        assert_eq!(attr("contact_first_name").as_deref(), Some("given-name"));
        assert_eq!(attr("email").as_deref(), Some("email"));
    }
}

#[test]
fn new_customer_is_created_and_redirected() {
    let f = fx();
    let r = f.post(
        "/customers",
        &[
            ("company", "Nova & Co"),
            ("account_name", "nova-co"),
            ("account_type", "LMP"),
            ("contact_first_name", "Nina"),
            ("contact_last_name", "Nova"),
            ("email", "nina@nova.example"),
            ("city", "Porto"),
            ("state", "Porto"),
            ("country", "PT"),
            ("plan-0", "WFBS-S Full"),
            ("units-0", "10"),
            ("start-0", "2026-11-01"),
            ("plan-1", ""),
            ("units-1", ""),
            ("start-1", ""),
            ("wfbs_template", "Strict"),
            ("cloud_edge_template", ""),
        ],
    );
    let loc = location(&r);
    let id: u64 = loc
        .strip_prefix("/customers/")
        .unwrap()
        .strip_suffix("?done=created")
        .unwrap()
        .parse()
        .unwrap();
    let c = f.app.desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.licenses.len(), 1);
    assert_eq!(c.licenses[0].expiry, "2027-11-01");
    assert_eq!(c.wfbs_template.as_deref(), Some("Strict"));
    let doc = f.page(&loc);
    assert_eq!(texts(&doc, "#flash"), ["The customer was created."]);

    // A duplicate account name is a conflict shown next to the field.
    let r = f.post(
        "/customers",
        &[
            ("company", "Other"),
            ("account_name", "NOVA-CO"),
            ("account_type", "CLP"),
            ("contact_first_name", "A"),
            ("contact_last_name", "B"),
            ("email", "a@b.example"),
            ("city", "C"),
            ("state", "D"),
            ("country", "PT"),
        ],
    );
    assert_eq!(r.status, 409);
    let doc = html(&r);
    assert!(doc.select(&sel("#account_name-error")).next().is_some());
}

#[test]
fn edit_form_saves_and_history_shows_old_and_new() {
    let f = fx();
    let id = f.fresh;
    let doc = f.page(&format!("/customers/{id}/edit"));
    assert_eq!(
        one(&doc, "#company").value().attr("value"),
        Some("Fresh AG")
    );
    let ce = one(&doc, "#cloud_edge_template");
    assert!(
        ce.value().attr("readonly").is_some(),
        "cloud-edge template is read-only when editing"
    );
    // Post back every field as shown, with a new phone.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for input in doc.select(&sel(
        "#customer-form input[name], #customer-form textarea[name], #customer-form select[name]",
    )) {
        let v = input.value();
        let name = v.attr("name").unwrap().to_string();
        let value = match v.name() {
            "textarea" => input.text().collect(),
            "select" => input
                .select(&sel("option[selected]"))
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or("")
                .to_string(),
            _ if v.attr("type") == Some("radio") => {
                if v.attr("checked").is_none() {
                    continue;
                }
                v.attr("value").unwrap().to_string()
            }
            _ => v.attr("value").unwrap_or("").to_string(),
        };
        pairs.push((
            name,
            if value.starts_with("+351") {
                "+49 30 1234".into()
            } else {
                value
            },
        ));
    }
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = f.post(&format!("/customers/{id}"), &refs);
    assert_eq!(location(&r), format!("/customers/{id}?done=saved"));
    let c = f.app.desk.customer(&CustomerRef::Id(id)).unwrap();
    assert_eq!(c.phone, "+49 30 1234");
    assert_eq!(c.licenses.len(), 2, "licences are kept");
    let doc = f.page(&format!("/customers/{id}"));
    let history = texts(&doc, "#history-table tbody tr").join(" | ");
    assert!(
        history.contains("phone: +351 21 000 → changed to +49 30 1234"),
        "{history}"
    );

    // An invalid edit re-renders with the error and keeps the typed value.
    let r = f.post(&format!("/customers/{id}"), &[("email", "nope")]);
    assert_eq!(r.status, 422);
    let doc = html(&r);
    assert_eq!(one(&doc, "#email").value().attr("value"), Some("nope"));
    assert!(doc.select(&sel("#email-error")).next().is_some());
}

#[test]
fn detail_shows_licences_devices_events_policies_and_history() {
    let f = fx();
    let doc = f.page(&format!("/customers/{}", f.fresh));
    assert_eq!(
        doc.select(&sel("#license-table tr[data-testid=license-row]"))
            .count(),
        2
    );
    assert_eq!(texts(&doc, "#license-table .badge")[0], "Normal");
    let device = one(&doc, "#device-table tr[data-testid=device-row]");
    assert!(text(device).contains("Needs update"));
    assert_eq!(
        doc.select(&sel("input[name=serial][value=SN-0001]"))
            .count(),
        1
    );
    let event = one(&doc, "#event-table tr[data-testid=event-row]");
    assert!(text(event).contains("Virus found on PC-7"));
    assert_eq!(event.value().attr("data-open"), Some("true"));
    assert_eq!(doc.select(&sel("[data-testid=policy-lists] dt")).count(), 7);
    let history = texts(&doc, "#history-table tbody tr");
    assert!(
        history.iter().any(|h| h.contains("add customer")),
        "{history:?}"
    );
    assert!(
        history.iter().any(|h| h.contains("add device")),
        "{history:?}"
    );
    // The reasons name the open event by its category and message.
    let reasons = texts(&doc, "[data-testid=attention-reasons] li");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("antivirus") && r.contains("Virus found on PC-7")),
        "{reasons:?}"
    );

    let doc = f.page(&format!("/customers/{}", f.expired));
    assert_eq!(texts(&doc, "#license-table .badge")[0], "Expired");
    // Customers can also be opened by account name.
    assert_eq!(f.get("/customers/expired-ltd").status, 200);
    assert_eq!(f.get("/customers/999").status, 404);
}

#[test]
fn detail_attention_box_is_red_only_when_something_needs_action() {
    let f = fx();
    let attention = |id: u64| {
        let doc = f.page(&format!("/customers/{id}"));
        let section = doc.select(&sel("section#attention")).next();
        section.map(|s| {
            (
                s.value().attr("data-severity").unwrap().to_string(),
                s.value().classes().map(str::to_string).collect::<Vec<_>>(),
            )
        })
    };
    // An open action-required event: red.
    let (severity, classes) = attention(f.fresh).unwrap();
    assert_eq!(severity, "action_required");
    assert!(classes.contains(&"action".to_string()), "{classes:?}");
    // Nothing open: no box.
    assert!(attention(f.holder).is_none());
    // Warnings only: yellow, and each reason says its severity in words.
    f.app
        .desk
        .add_event(
            f.app.desk.ctx(Actor::Cli),
            f.holder,
            &EventInput {
                kind: "system".into(),
                severity: "warning".into(),
                category: "disk-space".into(),
                message: "Low disk space on `C:`".into(),
                time: None,
            },
        )
        .unwrap();
    let (severity, classes) = attention(f.holder).unwrap();
    assert_eq!(severity, "warning");
    assert!(classes.contains(&"warning".to_string()), "{classes:?}");
    assert!(!classes.contains(&"action".to_string()), "{classes:?}");
    let doc = f.page(&format!("/customers/{}", f.holder));
    let reasons = texts(&doc, "[data-testid=attention-reasons] li");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].starts_with("Warning "), "{reasons:?}");
    assert!(reasons[0].contains("disk-space"), "{reasons:?}");
}

#[test]
fn detail_head_status_badge_and_policy_lists_only_for_wfbss_holders() {
    let f = fx();
    let doc = f.page(&format!("/customers/{}", f.expired));
    let badge = one(&doc, ".detail-head [data-testid=license-status]");
    assert_eq!(badge.value().attr("data-status"), Some("expired"));
    assert_eq!(text(badge), "Expired");
    // A wfbss holder: the seven lists and the button that changes them.
    assert_eq!(doc.select(&sel("[data-testid=policy-lists] dt")).count(), 7);
    assert!(doc.select(&sel("#deploy-policy-customer")).next().is_some());
    assert!(doc.select(&sel("[data-testid=no-wfbss]")).next().is_none());
    // No licence at all, or only another product's: a note, no lists, no button.
    for id in [f.evil, f.holder] {
        let doc = f.page(&format!("/customers/{id}"));
        assert!(doc.select(&sel("#policies")).next().is_some(), "{id}");
        assert!(
            text(one(&doc, "[data-testid=no-wfbss]")).contains("No wfbss licence"),
            "{id}"
        );
        assert!(doc
            .select(&sel("[data-testid=policy-lists]"))
            .next()
            .is_none());
        assert!(doc.select(&sel("#deploy-policy-customer")).next().is_none());
        let badge = one(&doc, ".detail-head [data-testid=license-status]");
        assert_eq!(
            badge.value().attr("data-status"),
            Some(if id == f.evil { "none" } else { "normal" })
        );
    }
}

#[test]
fn core_messages_show_quoted_parts_as_code_never_as_markup() {
    let f = fx();
    let r = f.post(
        "/customers",
        &[
            ("company", "Acme"),
            ("account_name", "acme co"),
            ("account_type", "LMP"),
            ("email", "ana@<b>x</b>"),
            ("phone", "12`3"),
        ],
    );
    assert_eq!(r.status, 422);
    let doc = html(&r);
    let one = |s: &str| doc.select(&sel(s)).next().unwrap_or_else(|| panic!("{s}"));
    // A quoted blank is named, so it can be seen.
    let err = one("#account_name-error");
    assert_eq!(texts(&doc, "#account_name-error code.blank"), ["space"]);
    assert!(!text(err).contains('`'), "{}", text(err));
    // A quoted value with markup is text inside <code>.
    assert_eq!(texts(&doc, "#email-error code"), ["<b>x</b>"]);
    assert_eq!(doc.select(&sel("#email-error b")).count(), 0);
    assert!(!text(one("#email-error")).contains('`'));
    // A backtick inside a quoted value stays part of it.
    assert_eq!(texts(&doc, "#phone-error code"), ["`"]);
    // The error summary uses the same rendering.
    let summary = texts(&doc, "#error-summary code");
    assert!(summary.contains(&"space".to_string()), "{summary:?}");
    assert!(summary.contains(&"<b>x</b>".to_string()), "{summary:?}");
    assert_eq!(doc.select(&sel("#error-summary b")).count(), 0);
    // Free-text inputs carry no maxlength (browsers count UTF-16 units, the core characters).
    assert_eq!(doc.select(&sel("[maxlength]")).count(), 0);
    let doc = f.page("/customers/new");
    assert_eq!(doc.select(&sel("[maxlength]")).count(), 0);
}

#[test]
fn plan_choices_say_only_what_the_name_does_not() {
    let f = fx();
    let doc = f.page(&format!("/customers/{}", f.fresh));
    let options = texts(&doc, "#license-new-plan option");
    assert!(
        options.contains(&"WFBS-S Trial — 12 months".to_string()),
        "{options:?}"
    );
    assert!(
        options.contains(&"HES Full — 12 months".to_string()),
        "{options:?}"
    );
    let doc = f.page("/customers/new");
    assert!(texts(&doc, "#plan-0 option").contains(&"Cloud Edge Full — 12 months".to_string()));
}

#[test]
fn list_rows_are_compact_chips_and_two_reasons_then_more() {
    let f = fx();
    let ctx = f.app.desk.ctx(Actor::Cli);
    for (severity, message) in [("warning", "Spam wave"), ("action_required", "Ransomware")] {
        f.app
            .desk
            .add_event(
                ctx,
                f.fresh,
                &EventInput {
                    kind: "threat".into(),
                    severity: severity.into(),
                    category: "spam".into(),
                    message: message.into(),
                    time: None,
                },
            )
            .unwrap();
    }
    let doc = f.page("/");
    let r = row(&doc, f.fresh);
    // Products: short chips, the full name as title and for screen readers.
    let chips: Vec<_> = r.select(&sel(".chip")).collect();
    assert_eq!(chips.len(), 2);
    assert_eq!(
        chips[0].value().attr("title"),
        Some("Worry-Free Business Security Services")
    );
    let chip = text(chips[0]);
    assert!(chip.starts_with("WFBS-S"), "{chip}");
    assert_eq!(
        texts(&doc, &format!("tr[data-id=\"{}\"] .chip .vh", f.fresh)),
        ["Worry-Free Business Security Services", "Cloud Edge"]
    );
    // Four reasons, action required first, folded into a <details> whose summary is the
    // counts: the counts always show, the reasons open without script.
    let reasons = r
        .select(&sel(
            "[data-testid=system-events] > details[data-testid=system-events-reasons]",
        ))
        .next()
        .unwrap();
    let summary = reasons.select(&sel(":scope > summary")).next().unwrap();
    assert_eq!(text(summary), "2 action required 2 warnings, 4 reasons");
    assert_eq!(
        summary
            .select(&sel(".badge"))
            .map(|b| b.value().attr("data-count").unwrap())
            .collect::<Vec<_>>(),
        ["action_required", "warning"]
    );
    assert!(reasons.value().attr("open").is_none());
    let all: Vec<String> = reasons.select(&sel(":scope > ul > li")).map(text).collect();
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all[..2].iter().all(|s| !s.contains("Spam wave")), "{all:?}");
    assert!(all.iter().any(|s| s.contains("Spam wave")), "{all:?}");
    let severities: Vec<&str> = reasons
        .select(&sel(":scope > ul > li"))
        .map(|li| li.value().attr("data-severity").unwrap())
        .collect();
    assert_eq!(
        severities,
        ["action_required", "action_required", "warning", "warning"]
    );
    // A customer with nothing to report has counts and no disclosure.
    let quiet = row(&doc, f.expired);
    assert!(quiet
        .select(&sel(
            "[data-testid=system-events] details, [data-testid=system-events] summary"
        ))
        .next()
        .is_none());
    // The account line is its own element (not bold), the email may wrap only before `@`.
    assert_eq!(
        texts(&doc, &format!("tr[data-id=\"{}\"] th .account", f.fresh)),
        ["fresh-ag · LMP"]
    );
    let email = r.select(&sel(".email")).next().unwrap();
    assert_eq!(text(email), "ana@example.com");
    assert_eq!(email.select(&sel("wbr")).count(), 1);
}

#[test]
fn detail_forms_change_holdings() {
    let f = fx();
    let id = f.fresh;
    let base = format!("/customers/{id}");
    // Add a licence; a bad one re-renders with kept values.
    let r = f.post(
        &format!("{base}/licenses"),
        &[
            ("plan", "HES Full"),
            ("units", "0"),
            ("used", "0"),
            ("start", ""),
        ],
    );
    assert_eq!(r.status, 422);
    let doc = html(&r);
    assert_eq!(
        one(&doc, "#license-new-units").value().attr("aria-invalid"),
        Some("true")
    );
    assert_eq!(
        one(&doc, "#license-new-plan option[selected]")
            .value()
            .attr("value"),
        Some("HES Full")
    );
    let r = f.post(
        &format!("{base}/licenses"),
        &[
            ("plan", "HES Full"),
            ("units", "3"),
            ("used", "4"),
            ("start", "2026-11-01"),
        ],
    );
    assert_eq!(location(&r), format!("{base}?done=license-added"));
    let c = f.app.desk.customer(&CustomerRef::Id(id)).unwrap();
    let hes = c.licenses.iter().find(|l| l.plan == "HES Full").unwrap();
    assert_eq!(hes.status.code(), "exceeded_allocation");
    // Edit and remove it.
    let r = f.post(
        &format!("{base}/licenses/{}", hes.id),
        &[
            ("units", "9"),
            ("used", "4"),
            ("start", "2026-11-01"),
            ("expiry", "2027-11-01"),
        ],
    );
    assert_eq!(location(&r), format!("{base}?done=license-saved"));
    let r = f.post(
        &format!("{base}/licenses/{}", hes.id),
        &[
            ("units", "9"),
            ("used", "4"),
            ("start", "2026-11-01"),
            ("expiry", "2020-01-01"),
        ],
    );
    assert_eq!(r.status, 422);
    let doc = html(&r);
    let expiry = one(&doc, &format!("#license-{}-expiry", hes.id));
    assert_eq!(expiry.value().attr("value"), Some("2020-01-01"));
    assert_eq!(expiry.value().attr("aria-invalid"), Some("true"));
    let r = f.post(&format!("{base}/licenses/{}/remove", hes.id), &[]);
    assert_eq!(location(&r), format!("{base}?done=license-removed"));
    // A licence of another customer is not reachable through this customer's path.
    let other = f
        .app
        .desk
        .customer(&CustomerRef::Id(f.expired))
        .unwrap()
        .licenses[0]
        .id;
    assert_eq!(
        f.post(&format!("{base}/licenses/{other}/remove"), &[])
            .status,
        404
    );

    // Devices.
    let r = f.post(
        &format!("{base}/devices"),
        &[
            ("name", "Edge Two"),
            ("serial", "SN-0001"),
            ("model", "CE-100"),
            ("firmware", "2.0.0"),
        ],
    );
    assert_eq!(r.status, 409, "duplicate serial");
    let r = f.post(
        &format!("{base}/devices"),
        &[
            ("name", "Edge Two"),
            ("serial", "SN-0002"),
            ("model", "CE-100"),
            ("firmware", "2.0.0"),
        ],
    );
    assert_eq!(location(&r), format!("{base}?done=device-added"));
    let dev = f
        .app
        .desk
        .devices(Some(id))
        .unwrap()
        .into_iter()
        .find(|d| d.serial == "SN-0002")
        .unwrap();
    let r = f.post(
        &format!("{base}/devices/{}", dev.id),
        &[
            ("name", "Edge 2"),
            ("serial", "SN-0002"),
            ("model", "CE-100"),
            ("firmware", "2.0.1"),
        ],
    );
    assert_eq!(location(&r), format!("{base}?done=device-saved"));
    let r = f.post(&format!("{base}/devices/{}/remove", dev.id), &[]);
    assert_eq!(location(&r), format!("{base}?done=device-removed"));

    // Events.
    let r = f.post(
        &format!("{base}/events"),
        &[
            ("kind", "system"),
            ("severity", "warning"),
            ("category", "disk-space"),
            ("message", ""),
            ("time", ""),
        ],
    );
    assert_eq!(r.status, 422);
    let r = f.post(
        &format!("{base}/events"),
        &[
            ("kind", "system"),
            ("severity", "warning"),
            ("category", "disk-space"),
            ("message", "Disk 91% full"),
            ("time", ""),
        ],
    );
    assert_eq!(location(&r), format!("{base}?done=event-added"));
    let ev = f
        .app
        .desk
        .events(Some(id), true)
        .unwrap()
        .into_iter()
        .find(|e| e.message == "Disk 91% full")
        .unwrap();
    let r = f.post(&format!("{base}/events/{}/resolve", ev.id), &[]);
    assert_eq!(location(&r), format!("{base}?done=event-resolved"));
    assert!(
        !f.app
            .desk
            .events(Some(id), false)
            .unwrap()
            .iter()
            .find(|e| e.id == ev.id)
            .unwrap()
            .open
    );
    let r = f.post(&format!("{base}/events/{}/reopen", ev.id), &[]);
    assert_eq!(location(&r), format!("{base}?done=event-reopened"));
    let r = f.post(&format!("{base}/events/{}/remove", ev.id), &[]);
    assert_eq!(location(&r), format!("{base}?done=event-removed"));

    // Suspend and reactivate.
    assert_eq!(
        location(&f.post(&format!("{base}/suspend"), &[])),
        format!("{base}?done=suspended")
    );
    assert_eq!(
        location(&f.post(&format!("{base}/suspend"), &[])),
        format!("{base}?done=status-unchanged")
    );
    let doc = f.page(&format!("{base}?done=suspended"));
    assert_eq!(texts(&doc, "[data-testid=customer-status]"), ["Suspended"]);
    assert!(doc.select(&sel("#reactivate-customer")).next().is_some());
    assert_eq!(
        location(&f.post(&format!("{base}/reactivate"), &[])),
        format!("{base}?done=reactivated")
    );
}

#[test]
fn export_selected_and_export_all_are_csv() {
    let f = fx();
    let r = f.post(
        "/export",
        &[
            ("ids", &f.expired.to_string()),
            ("ids", &f.fresh.to_string()),
        ],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some(
            "attachment; filename=\"customers-2026-11-27.csv\"; \
             filename*=UTF-8''customers-2026-11-27.csv"
        )
    );
    let csv = body(&r);
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), HEADER.join(","));
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.contains("expired-ltd") && csv.contains("fresh-ag"));

    let r = f.get("/export.csv?account_type=clp");
    assert_eq!(r.status, 200);
    let csv = body(&r);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("holder-gmbh") && csv.contains("evil-co"));
    // Export All ignores paging.
    assert_eq!(body(&f.get("/export.csv?limit=1")).lines().count(), 5);
}

/// The Excel variant, as `export --excel`: a UTF-8 byte-order mark and CRLF line ends, under
/// the same dated name, from both exports; the list offers it beside each.
#[test]
fn exports_offer_the_excel_variant() {
    let f = fx();
    let doc = f.page("/?account_type=lmp");
    let button = one(&doc, "#task-export-excel");
    assert_eq!(
        (
            button.value().attr("formaction"),
            button.value().attr("name"),
            button.value().attr("value")
        ),
        (Some("/export"), Some("excel"), Some("yes"))
    );
    assert_eq!(
        one(&doc, "#task-export-all-excel").value().attr("href"),
        Some("/export.csv?account_type=lmp&excel=yes")
    );
    assert_eq!(
        one(&f.page("/"), "#task-export-all-excel")
            .value()
            .attr("href"),
        Some("/export.csv?excel=yes")
    );
    let ids = f.fresh.to_string();
    for r in [
        f.post("/export", &[("ids", &ids), ("excel", "yes")]),
        f.get("/export.csv?account_type=lmp&excel=yes"),
    ] {
        assert_eq!(r.status, 200);
        assert!(r.body.starts_with(b"\xEF\xBB\xBFid,company,"));
        let text = body(&r);
        assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'));
        assert!(text.contains("fresh-ag"));
        assert_eq!(
            r.header("content-disposition"),
            Some(
                "attachment; filename=\"customers-2026-11-27.csv\"; \
                 filename*=UTF-8''customers-2026-11-27.csv"
            )
        );
    }
    let plain = f.post("/export", &[("ids", &ids), ("excel", "no")]);
    assert!(plain.body.starts_with(b"id,company,") && !body(&plain).contains('\r'));
    assert_eq!(f.get("/export.csv?excel=maybe").status, 422);
}

#[test]
fn flash_messages_are_fixed_sentences() {
    let f = fx();
    let doc = f.page("/?done=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(doc.select(&sel("#flash")).next().is_none());
    let doc = f.page("/settings?done=settings-saved");
    assert_eq!(texts(&doc, "#flash"), ["The settings were saved."]);
}

#[test]
fn settings_plans_templates_firmware() {
    let f = fx();
    let r = f.post("/settings", &[("view", "managed")]);
    assert_eq!(location(&r), "/settings?done=settings-saved");
    assert_eq!(f.app.desk.settings().unwrap().view.code(), "managed");
    let doc = f.page("/");
    assert!(texts(&doc, "#result-count")[0].contains("managed customers only"));
    assert_eq!(f.post("/settings", &[("view", "some")]).status, 422);

    // Plans: add, refuse a duplicate, edit, refuse removing one in use, remove.
    let plan = [
        ("name", "Apex Full"),
        ("product", "apex-one"),
        ("kind", "full"),
        ("months", "24"),
        ("notice_days", "45"),
        ("managed", "yes"),
        ("enabled", "yes"),
    ];
    assert_eq!(location(&f.post("/plans", &plan)), "/plans?done=plan-added");
    let r = f.post("/plans", &plan);
    assert_eq!(r.status, 409);
    let doc = html(&r);
    assert_eq!(
        one(&doc, "#plan-name").value().attr("aria-invalid"),
        Some("true")
    );
    let r = f.post(
        "/plans",
        &[
            ("name", "X"),
            ("product", "hes"),
            ("kind", "full"),
            ("months", "a lot"),
        ],
    );
    assert_eq!(r.status, 422);
    let apex = f.app.desk.plan("Apex Full").unwrap();
    assert_eq!(
        (apex.months, apex.notice_days, apex.managed, apex.auto_renew),
        (24, 45, true, false)
    );
    let doc = f.page(&format!("/plans/{}", apex.id));
    assert_eq!(one(&doc, "#plan-months").value().attr("value"), Some("24"));
    let r = f.post(
        &format!("/plans/{}", apex.id),
        &[
            ("name", "Apex Full"),
            ("product", "apex-one"),
            ("kind", "full"),
            ("months", "12"),
            ("notice_days", "45"),
            ("enabled", "yes"),
        ],
    );
    assert_eq!(location(&r), format!("/plans/{}?done=plan-saved", apex.id));
    assert!(!f.app.desk.plan("Apex Full").unwrap().managed);
    let hes = f.app.desk.plan("HES Full").unwrap();
    let r = f.post(&format!("/plans/{}/remove", hes.id), &[]);
    assert_eq!(r.status, 409);
    assert!(body(&r).contains("remove those licences first"));
    assert_eq!(
        location(&f.post(&format!("/plans/{}/remove", apex.id), &[])),
        "/plans?done=plan-removed"
    );

    // Templates.
    let r = f.post(
        "/templates",
        &[
            ("name", "Loose"),
            ("product", "wfbss"),
            ("settings", "a=1\nbroken"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(body(&r).contains("line 2"));
    assert_eq!(
        location(&f.post(
            "/templates",
            &[
                ("name", "Loose & Edge"),
                ("product", "cloud-edge"),
                ("settings", "a=1\r\nb = two")
            ]
        )),
        "/templates?done=template-added"
    );
    let doc = f.page("/templates/edit?name=Loose%20%26%20Edge");
    assert_eq!(
        one(&doc, "#template-settings").text().collect::<String>(),
        "a=1\nb=two"
    );
    let r = f.post(
        "/templates/edit",
        &[("name", "Loose & Edge"), ("settings", "c=3")],
    );
    assert_eq!(location(&r), "/templates?done=template-saved");
    assert_eq!(
        f.app.desk.template("Loose & Edge").unwrap().settings.len(),
        1
    );
    assert_eq!(
        location(&f.post("/templates/remove", &[("name", "Loose & Edge")])),
        "/templates?done=template-removed"
    );

    // Firmware.
    assert_eq!(
        f.post(
            "/firmware",
            &[("new", "1"), ("model", "CE-200"), ("version", "v2")]
        )
        .status,
        422
    );
    assert_eq!(
        location(&f.post(
            "/firmware",
            &[("new", "1"), ("model", "CE-200"), ("version", "3.1")]
        )),
        "/firmware?done=firmware-set"
    );
    let doc = f.page("/firmware");
    assert_eq!(
        doc.select(&sel("#firmware-table tr[data-testid=firmware-row]"))
            .count(),
        2
    );
    assert_eq!(
        location(&f.post("/firmware/remove", &[("model", "CE-200")])),
        "/firmware?done=firmware-removed"
    );
}

#[test]
fn update_firmware_fills_the_outbox_and_messages_download_as_eml() {
    let f = fx();
    let id = f.fresh.to_string();
    let preview = html(&f.post("/tasks/update-firmware", &[("ids", &id)]));
    f.confirm_and_follow(&preview, &[]);
    let outbox = f.app.desk.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    let doc = f.page("/outbox");
    assert_eq!(
        doc.select(&sel("#outbox-table tr[data-testid=outbox-row]"))
            .count(),
        1
    );
    let company = one(&doc, "[data-testid=outbox-company] a");
    assert_eq!(text(company), "Fresh AG");
    assert_eq!(
        company.value().attr("href"),
        Some(format!("/customers/{}", f.fresh).as_str())
    );
    let day = &outbox[0].created_at[..10];
    let r = f.get(&format!("/outbox/{}.eml", outbox[0].id));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-disposition").unwrap(),
        format!(
            "attachment; filename=\"Fresh-AG-firmware-{day}.eml\"; \
             filename*=UTF-8''Fresh-AG-firmware-{day}.eml"
        )
    );
    assert!(body(&r).contains("To: ana@example.com"));
    assert_eq!(f.get("/outbox/999.eml").status, 404);
    let r = f.post(&format!("/outbox/{}/remove", outbox[0].id), &[]);
    assert_eq!(location(&r), "/outbox?done=message-removed");
    assert!(f.app.desk.outbox().unwrap().is_empty());
}

/// Runs update-firmware for the fresh customer, which queues one message; its id as text.
fn queue_firmware_message(f: &Fx) -> String {
    let id = f.fresh.to_string();
    let preview = html(&f.post("/tasks/update-firmware", &[("ids", &id)]));
    f.confirm_and_follow(&preview, &[]);
    id
}

/// Awkward companies: the outbox shows them escaped, and the `.eml` name keeps only what a
/// file name can hold — ASCII for `filename`, the own spelling percent-encoded for `filename*`,
/// `customer-ID` when nothing ASCII is left — so the header is always printable ASCII.
#[test]
fn eml_names_are_safe_for_awkward_companies() {
    let f = fx();
    let ctx = f.app.desk.ctx(Actor::Cli);
    let id = queue_firmware_message(&f);
    for (company, ascii, full) in [
        (
            "=HYPERLINK(\"x\"), Ltd;",
            "HYPERLINK-x-Ltd",
            "HYPERLINK%28-x-%29%2C-Ltd",
        ),
        (
            "東京システム 🚀",
            "customer-ID",
            "%E6%9D%B1%E4%BA%AC%E3%82%B7%E3%82%B9%E3%83%86%E3%83%A0-%F0%9F%9A%80",
        ),
        ("../..\\etc/passwd", "etc-passwd", "etc-passwd"),
    ] {
        let input = CustomerInput {
            company: Some(company.to_string()),
            ..CustomerInput::default()
        };
        f.app.desk.edit_customer(ctx, f.fresh, &input).unwrap();
        // The message names the customer's company as it is now.
        let m = &f.app.desk.outbox().unwrap()[0];
        assert_eq!(m.company.as_deref(), Some(company));
        let doc = f.page("/outbox");
        assert_eq!(text(one(&doc, "[data-testid=outbox-company] a")), company);
        let day = &m.created_at[..10];
        let ascii = ascii.replace("ID", &id);
        let full = full.replace("customer-ID", &format!("customer-{id}"));
        let header = f
            .get(&format!("/outbox/{}.eml", m.id))
            .header("content-disposition")
            .unwrap()
            .to_string();
        assert_eq!(
            header,
            format!(
                "attachment; filename=\"{ascii}-firmware-{day}.eml\"; \
                 filename*=UTF-8''{full}-firmware-{day}.eml"
            )
        );
        assert!(
            header.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{header}"
        );
    }
}

/// A message outlives its customer: the outbox then names the id, and the `.eml` file is
/// named after it.
#[test]
fn messages_of_deleted_customers_name_the_id() {
    let f = fx();
    let ctx = f.app.desk.ctx(Actor::Cli);
    let id = queue_firmware_message(&f);
    let desk = &f.app.desk;
    // Only a CLP customer without licences can be deleted here.
    for l in desk.customer(&CustomerRef::Id(f.fresh)).unwrap().licenses {
        desk.remove_license(ctx, l.id).unwrap();
    }
    let clp = CustomerInput {
        account_type: Some("CLP".into()),
        ..CustomerInput::default()
    };
    desk.edit_customer(ctx, f.fresh, &clp).unwrap();
    let report = desk
        .run_bulk(
            ctx,
            &Selection::Ids(vec![f.fresh]),
            &BulkTask::Delete,
            false,
        )
        .unwrap();
    assert_eq!(report.ok, 1);
    let m = &desk.outbox().unwrap()[0];
    assert_eq!(m.company, None);
    let doc = f.page("/outbox");
    let cell = one(&doc, "[data-testid=outbox-company]");
    assert!(cell.select(&sel("a")).next().is_none());
    assert_eq!(text(cell), format!("Customer {id} (deleted or unreadable)"));
    let day = &m.created_at[..10];
    assert_eq!(
        f.get(&format!("/outbox/{}.eml", m.id))
            .header("content-disposition")
            .unwrap(),
        format!(
            "attachment; filename=\"customer-{id}-firmware-{day}.eml\"; \
             filename*=UTF-8''customer-{id}-firmware-{day}.eml"
        )
    );
}

#[test]
fn audit_log_pages_with_before() {
    let f = fx();
    let doc = f.page("/audit");
    let rows = doc
        .select(&sel("#audit-table tr[data-testid=audit-row]"))
        .count();
    assert!(rows >= 10, "{rows}");
    let all = f
        .app
        .desk
        .audit_log(1000, None, &Default::default())
        .unwrap();
    let second = all[1].id;
    let doc = f.page(&format!("/audit?before={}", all[0].id));
    let first_id = one(&doc, "#audit-table tr[data-testid=audit-row]")
        .value()
        .attr("data-id")
        .unwrap()
        .to_string();
    assert_eq!(first_id, second.to_string());
    let doc = f.page(&format!("/audit?customer={}", f.fresh));
    assert!(doc.select(&sel("#audit-table tr")).count() >= 2);
    assert_eq!(f.get("/audit?before=x").status, 400);
}

fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let boundary = "----clienteleTestBoundary";
    let mut body = Vec::new();
    for (name, filename, data) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(data.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn import_checks_then_imports_an_uploaded_file() {
    let f = fx();
    let export = body(&f.post("/export", &[("ids", &f.fresh.to_string())]));
    let changed = export
        .replace("fresh-ag", "fresh-two")
        .replace("Fresh AG", "Fresh Two");
    let send = |action: &str, file: &str, text: &str| {
        let (ct, body) = multipart(&[
            ("file", Some("c.csv"), file),
            ("csv", None, text),
            ("action", None, action),
        ]);
        let req = Request::new(Method::Post, "/import")
            .unwrap()
            .with_header("content-type", &ct)
            .with_body(body);
        handle(&f.app, &req)
    };
    let r = f.import_result(&send("dry-run", &changed, ""));
    assert_eq!(r.status, 200, "{}", body(&r));
    let doc = html(&r);
    assert_eq!(texts(&doc, "[data-testid=created]"), ["1"]);
    assert_eq!(f.app.desk.count().unwrap(), 4, "a dry run writes nothing");
    // The checked CSV comes back in the text area for the real import.
    let kept = one(&doc, "#import-csv").text().collect::<String>();
    assert_eq!(kept, changed);
    let r = f.import_result(&send("import", "", &kept));
    assert_eq!(r.status, 200, "{}", body(&r));
    assert_eq!(f.app.desk.count().unwrap(), 5);
    let doc = html(&r);
    assert_eq!(
        texts(&doc, "#flash"),
        ["Import finished: 1 created, 0 updated, 0 unchanged."]
    );
    assert_eq!(texts(&doc, "[data-testid=created]"), ["1"]);
    // The address an earlier release redirected to still says so.
    let doc = f.page("/import?done=imported&created=1&updated=0&unchanged=0");
    assert_eq!(
        texts(&doc, "#flash"),
        ["Import finished: 1 created, 0 updated, 0 unchanged."]
    );

    // A bad row rejects everything, naming line and field.
    let bad = export.replace("ana@example.com", "broken");
    let r = f.import_result(&send("import", &bad, ""));
    assert_eq!(r.status, 422);
    let doc = html(&r);
    let cells = texts(&doc, "#import-errors tbody tr td");
    assert_eq!(cells[..3], ["2", "fresh-ag", "email"], "{cells:?}");
    // Not CSV at all; nothing given; a form without multipart.
    assert_eq!(
        f.import_result(&send("import", "just text", "")).status,
        400
    );
    assert_eq!(send("import", "", "  ").status, 422);
    let r = f.post("/import", &[("csv", &changed), ("action", "dry-run")]);
    assert_eq!(f.import_result(&r).status, 200);
}

#[test]
fn import_can_take_cells_exactly_as_written() {
    let f = fx();
    let doc = f.page("/import");
    assert_eq!(
        doc.select(&sel("#import-raw[type=checkbox][name=raw]"))
            .count(),
        1
    );
    let mut export = Vec::new();
    let raw = ExportOptions {
        raw: true,
        excel: false,
    };
    f.app
        .desk
        .export_csv(&Selection::Ids(vec![f.fresh]), raw, &mut export)
        .unwrap();
    let export = String::from_utf8(export).unwrap();
    // A company that itself starts with `'`: kept with raw=yes, stripped without.
    let quoted = export
        .replace("fresh-ag", "fresh-raw")
        .replace("Fresh AG", "'=Fresh Raw");
    let r = f.post(
        "/import",
        &[("csv", &quoted), ("action", "import"), ("raw", "yes")],
    );
    let doc = html(&f.import_result(&r));
    assert_eq!(texts(&doc, "[data-testid=created]"), ["1"]);
    let check = |raw: &str| {
        let r = f.post(
            "/import",
            &[("csv", &quoted), ("action", "dry-run"), ("raw", raw)],
        );
        let doc = html(&f.import_result(&r));
        (
            texts(&doc, "[data-testid=updated]"),
            texts(&doc, "[data-testid=unchanged]"),
            doc.select(&sel("#import-raw[checked]")).count(),
        )
    };
    assert_eq!(check("yes"), (vec!["0".into()], vec!["1".into()], 1));
    assert_eq!(check(""), (vec!["1".into()], vec!["0".into()], 0));
}

#[test]
fn unknown_paths_wrong_methods_and_static_files() {
    let f = fx();
    let r = f.get("/nowhere");
    assert_eq!(r.status, 404);
    assert!(!texts(&html(&r), "title")[0].is_empty());
    let r = f.get("/tasks/renew");
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    let r = f.post("/", &[]);
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    assert_eq!(f.get("/customers/abc/edit").status, 404);
    let css = f.get("/static/style.css");
    assert_eq!(
        (css.status, css.header("content-type")),
        (200, Some("text/css; charset=utf-8"))
    );
    assert!(body(&css).contains(":focus-visible"));
    let js = f.get("/static/app.js");
    assert_eq!(
        (js.status, js.header("content-type")),
        (200, Some("text/javascript; charset=utf-8"))
    );
    let head = handle(&f.app, &Request::new(Method::Head, "/").unwrap());
    assert_eq!(head.status, 200);
}

/// The sentence of the console's own 404, the answer for a path no route has.
const NO_ROUTE: &str = "There is no page at this address";

/// Whether `method target` reached a handler: neither a 405 nor the no-route 404 (a
/// handler's own 404 for an unknown id still counts as reached).
fn dispatched(f: &Fx, method: Method, target: &str) -> bool {
    let req = Request::new(method, target)
        .unwrap()
        .with_header("content-type", "application/x-www-form-urlencoded");
    let r = handle(&f.app, &req);
    r.status != 405 && !(r.status == 404 && body(&r).contains(NO_ROUTE))
}

/// The fixture's ids that route samples put into paths, read before any sample changes them.
struct Ids {
    customer: u64,
    licence: u64,
    device: u64,
    event: u64,
    plan: u64,
}

fn ids(f: &Fx) -> Ids {
    let desk = &f.app.desk;
    Ids {
        customer: f.fresh,
        licence: desk.customer(&CustomerRef::Id(f.fresh)).unwrap().licenses[0].id,
        device: desk.devices(Some(f.fresh)).unwrap()[0].id,
        event: desk.events(Some(f.fresh), false).unwrap()[0].id,
        plan: desk.plan("HES Full").unwrap().id,
    }
}

/// Concrete paths for a route of the table: the fixture's ids for its variables, one path per
/// word of a `{a|b}` segment.
fn samples(ids: &Ids, route: &Route) -> Vec<String> {
    let first = match route.path.first() {
        Some(Seg::Word(w)) => *w,
        _ => "",
    };
    let value = |name: &str| -> String {
        match (first, name) {
            ("customers", "id") => ids.customer.to_string(),
            ("customers", "lid" | "item") => ids.licence.to_string(),
            ("customers", "did") => ids.device.to_string(),
            ("customers", "eid") => ids.event.to_string(),
            ("plans", "id") => ids.plan.to_string(),
            ("outbox", "id") => "1".to_string(),
            ("tasks", "name") => "renew".to_string(),
            ("runs", "id") => "1".to_string(),
            ("import", "job") => "1".to_string(),
            other => panic!("no sample for {other:?} in {}", route.pattern()),
        }
    };
    let mut paths = vec![String::new()];
    for seg in route.path {
        let words: Vec<String> = match seg {
            Seg::Word(w) => vec![w.to_string()],
            Seg::Var(name) => vec![value(name)],
            Seg::OneOf(words) => words.iter().map(|w| w.to_string()).collect(),
            Seg::File(name, ending) => vec![format!("{}{ending}", value(name))],
        };
        paths = paths
            .iter()
            .flat_map(|p| words.iter().map(move |w| format!("{p}/{w}")))
            .collect();
    }
    paths
        .into_iter()
        .map(|p| if p.is_empty() { "/".into() } else { p })
        .collect()
}

#[test]
fn every_route_of_the_table_is_dispatched_and_no_other_path_is() {
    let f = fx();
    let ids = ids(&f);
    // Written by hand, so that a route lost from the table fails here as well.
    let (c, l, d, e) = (ids.customer, ids.licence, ids.device, ids.event);
    let known = [
        (Verb::Get, "/".to_string()),
        (Verb::Get, "/customers/new".to_string()),
        (Verb::Get, format!("/customers/{c}/edit")),
        (Verb::Post, format!("/customers/{c}/suspend")),
        (Verb::Post, format!("/customers/{c}/devices")),
        (Verb::Post, format!("/customers/{c}/devices/{d}")),
        (Verb::Post, format!("/customers/{c}/licenses/{l}/remove")),
        (Verb::Post, format!("/customers/{c}/events/{e}/reopen")),
        (Verb::Get, "/outbox/1.eml".to_string()),
        (Verb::Post, "/templates/remove".to_string()),
        (Verb::Post, "/tasks/renew/run".to_string()),
        (Verb::Get, "/export.csv".to_string()),
        (Verb::Get, "/static/app.js".to_string()),
    ];
    for (verb, path) in &known {
        let listed = ROUTES
            .iter()
            .any(|r| r.verb == *verb && samples(&ids, r).contains(path));
        assert!(listed, "{verb:?} {path} is missing from the route table");
    }
    // GET routes first: the POST routes change and remove what the samples name.
    let mut routes: Vec<&Route> = ROUTES.iter().collect();
    routes.sort_by_key(|r| r.verb == Verb::Post);
    for route in routes {
        let methods: &[Method] = match route.verb {
            Verb::Get => &[Method::Get, Method::Head],
            Verb::Post => &[Method::Post],
        };
        for path in samples(&ids, route) {
            for &m in methods {
                assert!(
                    dispatched(&f, m, &path),
                    "{m:?} {path} ({}) is not dispatched",
                    route.pattern()
                );
            }
        }
    }
    for path in [
        "/nowhere",
        "/customers/1/licenses/2/extra",
        "/customers/1/notes",
        "/outbox/1",
        "/static/other.css",
    ] {
        for m in [Method::Get, Method::Post] {
            let r = handle(&f.app, &Request::new(m, path).unwrap());
            assert_eq!(r.status, 404, "{m:?} {path}");
            assert!(body(&r).contains(NO_ROUTE), "{m:?} {path}: {}", body(&r));
        }
    }
    for (path, allow) in [
        ("/customers", "GET, HEAD, POST"),
        ("/customers/1/edit", "GET, HEAD"),
        ("/customers/1/licenses", "POST"),
        ("/customers/1/events/2/resolve", "POST"),
        ("/outbox/3.eml", "GET, HEAD"),
        ("/templates/edit", "GET, HEAD, POST"),
    ] {
        let r = handle(&f.app, &Request::new(Method::Delete, path).unwrap());
        assert_eq!((r.status, r.header("allow")), (405, Some(allow)), "{path}");
    }
}

/// Every GET page of the console, for the page-wide checks below.
fn all_pages(f: &Fx) -> Vec<(String, Html)> {
    let plan = f.app.desk.plan("HES Full").unwrap().id;
    let mut out: Vec<(String, Html)> = [
        "/".to_string(),
        "/?select=all&limit=2".to_string(),
        "/customers/new".to_string(),
        format!("/customers/{}", f.fresh),
        format!("/customers/{}", f.expired),
        format!("/customers/{}/edit", f.fresh),
        "/settings".to_string(),
        "/plans".to_string(),
        format!("/plans/{plan}"),
        "/templates".to_string(),
        "/templates/edit?name=Strict".to_string(),
        "/firmware".to_string(),
        "/outbox".to_string(),
        "/audit".to_string(),
        "/import".to_string(),
    ]
    .into_iter()
    .map(|t| {
        let doc = f.page(&t);
        (t, doc)
    })
    .collect();
    let id = f.fresh.to_string();
    for task in [
        "delete",
        "assign-template",
        "deploy-policy",
        "update-firmware",
        "renew",
        "suspend",
        "reactivate",
    ] {
        let r = f.post(&format!("/tasks/{task}"), &[("ids", &id)]);
        out.push((format!("/tasks/{task}"), html(&r)));
    }
    let r = f.post("/tasks/renew/run", &[("ids", &id)]);
    out.push(("/tasks/renew/run".into(), html(&r)));
    let preview = html(&f.post("/tasks/suspend", &[("ids", &id)]));
    let (run, doc) = f.confirm_and_follow(&preview, &[]);
    out.push((run, doc));
    out.push(("/runs".into(), f.page("/runs")));
    out.push(("/runway".into(), f.page("/runway")));
    let r = f.post("/customers", &[("company", "")]);
    out.push(("POST /customers".into(), html(&r)));
    out.push(("404".into(), html(&f.get("/missing"))));
    out
}

#[test]
fn every_page_has_a_title_landmarks_and_a_language() {
    let f = fx();
    for (path, doc) in all_pages(&f) {
        let title = texts(&doc, "head > title");
        assert_eq!(title.len(), 1, "{path}");
        assert!(
            title[0].ends_with("– clientele") && title[0].len() > "– clientele".len() + 1,
            "{path}: {title:?}"
        );
        assert_eq!(doc.select(&sel("html[lang=en]")).count(), 1, "{path}");
        // The server's `Referrer-Policy: no-referrer` must not be weakened by a page.
        assert_eq!(doc.select(&sel("meta[name=referrer]")).count(), 0, "{path}");
        assert_eq!(doc.select(&sel("h1")).count(), 1, "{path}: one h1");
        for landmark in ["header", "nav", "main#main", "a.skip-link[href=\"#main\"]"] {
            assert!(
                doc.select(&sel(landmark)).next().is_some(),
                "{path}: {landmark}"
            );
        }
        assert!(
            doc.select(&sel("[style]")).next().is_none(),
            "{path}: inline style"
        );
        assert!(
            doc.select(&sel("style")).next().is_none(),
            "{path}: style element"
        );
        for th in doc.select(&sel("table th")) {
            assert!(
                th.value().attr("scope").is_some(),
                "{path}: th without scope: {}",
                text(th)
            );
        }
    }
}

#[test]
fn every_control_has_a_label_and_ids_are_unique() {
    let f = fx();
    for (path, doc) in all_pages(&f) {
        let mut ids = std::collections::HashSet::new();
        for e in doc.select(&sel("[id]")) {
            let id = e.value().id().unwrap();
            assert!(ids.insert(id.to_string()), "{path}: duplicate id {id}");
        }
        for control in doc.select(&sel("input, select, textarea")) {
            let v = control.value();
            if matches!(v.attr("type"), Some("hidden" | "submit" | "button")) {
                continue;
            }
            if v.attr("aria-label").is_some_and(|l| !l.trim().is_empty()) {
                continue;
            }
            let id = v
                .id()
                .unwrap_or_else(|| panic!("{path}: control without id: {:?}", v));
            let label = doc
                .select(&sel(&format!("label[for=\"{id}\"]")))
                .next()
                .unwrap_or_else(|| panic!("{path}: no label for #{id}"));
            assert!(!text(label).is_empty(), "{path}: empty label for #{id}");
        }
        // Every form that changes something posts; only the two filters (list, audit log) get.
        for form in doc.select(&sel("form")) {
            let method = form.value().attr("method").unwrap_or("get");
            let action = form.value().attr("action").unwrap_or("");
            assert!(
                method == "post" || ["/", "/audit"].contains(&action),
                "{path}: form {action} uses {method}"
            );
        }
    }
}

#[test]
fn odd_requests_get_clear_answers_never_panics() {
    let f = fx();
    let gets = [
        "/customers/18446744073709551616",
        "/customers/%00",
        "/customers/-1/edit",
        "/plans/abc",
        "/plans/999",
        "/templates/edit",
        "/templates/edit?name=%F0%9F%98%80",
        "/outbox/.eml",
        "/outbox/x.eml.eml",
        "/?q=%ZZ",
        "/?offset=99999",
        "/?limit=1000&sort=-attention",
        "/audit?before=0",
        "/export.csv?product=wfbss,nope",
        "/static/missing.css",
    ];
    for target in gets {
        let r = f.get(target);
        assert!(
            [200, 400, 404].contains(&r.status),
            "GET {target}: {}",
            r.status
        );
        if r.header("content-type") == Some("text/html; charset=utf-8") {
            let doc = html(&r);
            assert_eq!(texts(&doc, "title").len(), 1, "{target}");
        }
    }
    // An unknown id is a failed row of the preview, not an error page.
    let doc = html(&f.post("/tasks/renew", &[("ids", "424242")]));
    assert_eq!(
        doc.select(&sel("#preview-table tr[data-outcome=failed]"))
            .count(),
        1
    );
    let posts: [(&str, &[(&str, &str)]); 11] = [
        ("/tasks/renew", &[("ids", "abc")]),
        ("/tasks/renew/run", &[("ids", "1"), ("until", "yesterday")]),
        (
            "/tasks/deploy-policy/run",
            &[
                ("ids", "1"),
                ("list", "nope"),
                ("action", "x"),
                ("entries", "y"),
            ],
        ),
        ("/export", &[("ids", "1,2,x")]),
        (
            "/customers/1/licenses",
            &[("plan", "nope"), ("units", "-3")],
        ),
        ("/customers/1/licenses/abc", &[]),
        ("/customers/1/devices/99/remove", &[]),
        ("/customers/1/events/99/resolve", &[]),
        ("/settings", &[]),
        ("/plans/999/remove", &[]),
        ("/firmware/remove", &[("model", "none")]),
    ];
    for (target, pairs) in posts {
        let r = f.post(target, pairs);
        assert!(
            [400, 404, 409, 422].contains(&r.status),
            "POST {target}: {} {}",
            r.status,
            body(&r)
        );
    }
    // Bodies that are not forms at all.
    for (ct, body) in [
        ("application/x-www-form-urlencoded", &b"a=%E0%A4%A"[..]),
        ("multipart/form-data; boundary=zz", &b"--zz\r\nbroken"[..]),
        ("multipart/form-data", &b"x"[..]),
    ] {
        let req = Request::new(Method::Post, "/import")
            .unwrap()
            .with_header("content-type", ct)
            .with_body(body.to_vec());
        let r = handle(&f.app, &req);
        assert!([400, 422].contains(&r.status), "{ct}: {}", r.status);
        let req = Request::new(Method::Post, "/customers")
            .unwrap()
            .with_header("content-type", ct)
            .with_body(body.to_vec());
        let r = handle(&f.app, &req);
        assert!([400, 422].contains(&r.status), "{ct}: {}", r.status);
    }
    assert_eq!(f.app.desk.count().unwrap(), 4);
}

#[test]
fn sign_out_is_offered_only_with_a_token() {
    let mut f = fx();
    assert!(f
        .page("/")
        .select(&sel("form[action=\"/logout\"]"))
        .next()
        .is_none());
    f.app.token_required = true;
    let doc = f.page("/");
    let form = one(&doc, "form[action=\"/logout\"]");
    assert_eq!(form.value().attr("method"), Some("post"));
}

/// The console says what is missing and links to the page that lists what exists; it never
/// names a command-line command.
#[test]
fn not_found_pages_link_to_where_to_look() {
    let f = fx();
    let r = f.get("/plans/4242");
    assert_eq!(r.status, 404);
    let doc = html(&r);
    let text = texts(&doc, "[data-testid=error]").join(" ");
    assert!(text.contains("there is no plan with id 4242"), "{text}");
    assert!(!text.contains("clientele "), "{text}");
    let link = doc
        .select(&sel("[data-testid=where-to-look]"))
        .next()
        .expect("a link to the plans");
    assert_eq!(link.value().attr("href"), Some("/plans"));
}

/// "Select all N matching this filter" runs the task on the whole filter, not the page: the
/// preview says how many, its groups are paged, and the stored run covers every customer.
#[test]
fn select_all_matching_works_on_the_whole_filter() {
    let dir = tempfile::tempdir().unwrap();
    let today = Date::parse("2026-11-27").unwrap();
    let desk = Desk::open(&dir.path().join("many.redb"), Access::Write, Some(today)).unwrap();
    clientele::demo::generate(&desk, desk.ctx(Actor::Cli), 260, 3).unwrap();
    let f = Fx {
        _dir: dir,
        app: App::new(desk),
        expired: 0,
        evil: 0,
        holder: 0,
        fresh: 0,
    };
    let all = f.app.desk.list(&Filter::default()).unwrap().total;
    let doc = f.page("/?account_type=clp&limit=20");
    let matching = f
        .app
        .desk
        .list(&Filter::from_pairs([("account_type", "clp")]).unwrap())
        .unwrap()
        .total;
    assert!(matching > 100 && matching < all, "{matching} of {all}");
    let box_ = one(&doc, "input#select-matching[name=match][value=all]");
    assert_eq!(
        box_.value().attr("data-total"),
        Some(thousands(matching).as_str())
    );
    assert!(one(&doc, "#select-matching-box")
        .value()
        .attr("hidden")
        .is_some());
    let shown = f.page("/?account_type=clp&limit=20&select=all");
    assert!(one(&shown, "#select-matching-box")
        .value()
        .attr("hidden")
        .is_none());

    let back = "account_type=clp&limit=20";
    let preview = html(&f.post("/tasks/suspend", &[("match", "all"), ("back", back)]));
    let said = text(one(&preview, "[data-testid=selected-count]"));
    assert!(
        said.contains(&format!("All {} customers matching", thousands(matching))),
        "{said}"
    );
    // The affected group shows 100 rows and pages through the rest.
    let rows = preview
        .select(&sel("[data-group=ok] tr[data-testid=task-row]"))
        .count();
    assert_eq!(rows, 100.min(matching));
    let next = one(&preview, "[data-group=ok] button[name=page]");
    assert_eq!(next.value().attr("value"), Some("ok:100"));
    // The paging button re-posts the form to the preview (its formaction), not to the run.
    assert_eq!(next.value().attr("formaction"), Some("/tasks/suspend"));
    let mut pairs = form_fields(one(&preview, "form#confirm-form"));
    pairs.push(("page".into(), "ok:100".into()));
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let page2 = html(&f.post("/tasks/suspend", &refs));
    assert!(
        text(one(&page2, "[data-group=ok] [data-testid=group-pager]")).starts_with("Showing 101–")
    );

    let suspended = || {
        let f_ = Filter::from_pairs([("account_type", "clp"), ("status", "suspended")]).unwrap();
        f.app.desk.list(&f_).unwrap().total
    };
    let already = suspended();
    let (_, result) = f.confirm_and_follow(&preview, &[]);
    let summary = text(one(&result, "[data-testid=result-summary]"));
    let done = matching - already;
    assert_eq!(
        summary,
        format!("{done} customers done, {already} skipped, 0 failed.")
    );
    assert_eq!(
        suspended(),
        matching,
        "every matching customer, not only the 20 shown"
    );
}

#[test]
fn runway_filter_keys_show_as_removable_chips_and_stay_in_the_filter_form() {
    let f = fx();
    // Fresh AG's licences started 2026-06-01 for 12 months: they expire in 2027-06.
    let doc = f.page("/?q=fresh&expires=2027-06&category=license_warning");
    let chips = texts(&doc, "[data-testid=filter-chips] a");
    assert_eq!(
        chips,
        [
            "Licences expiring 2027-06 × (remove this filter)",
            "Needs attention: licences: warning × (remove this filter)"
        ]
    );
    let href = |chip: &str| {
        one(&doc, &format!("[data-testid=chip-{chip}]"))
            .value()
            .attr("href")
            .unwrap()
            .to_string()
    };
    assert_eq!(href("expires"), "/?q=fresh&category=license_warning");
    assert_eq!(href("category"), "/?q=fresh&expires=2027-06");
    let hidden = |name: &str| {
        doc.select(&sel(&format!(
            "#filter-form input[type=hidden][name={name}]"
        )))
        .map(|e| e.value().attr("value").unwrap().to_string())
        .collect::<Vec<_>>()
    };
    assert_eq!(hidden("expires"), ["2027-06"]);
    assert_eq!(hidden("category"), ["license_warning"]);
    // The chip's link is the list without that key: Fresh AG is back without the category.
    let without = f.page(&href("category"));
    row(&without, f.fresh);
    assert!(texts(&without, "[data-testid=filter-chips] a")
        .iter()
        .all(|c| c.starts_with("Licences expiring 2027-06")));
    // Without those keys: no chips, no hidden inputs.
    let plain = f.page("/?q=fresh");
    assert!(plain
        .select(&sel("[data-testid=filter-chips]"))
        .next()
        .is_none());
    assert!(plain
        .select(&sel("#filter-form input[type=hidden]"))
        .next()
        .is_none());
}

#[test]
fn skip_links_lead_to_the_filter_and_the_list() {
    let f = fx();
    for target in ["/", "/?q=no-such-customer"] {
        let doc = f.page(target);
        let skips: Vec<String> = doc
            .select(&sel("body > a.skip-link"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect();
        assert_eq!(skips, ["#main", "#filters", "#customer-list"], "{target}");
        // They come before the main navigation, and each target takes the focus.
        let page = body(&f.get(target));
        assert!(page.find("#customer-list").unwrap() < page.find("aria-label=\"Main\"").unwrap());
        for id in ["filters", "customer-list"] {
            let e = one(&doc, &format!("#{id}"));
            assert_eq!(e.value().attr("tabindex"), Some("-1"), "{target} #{id}");
        }
        assert!(one(&doc, "#filters")
            .select(&sel("#filter-form"))
            .next()
            .is_some());
    }
    // The filter folds into a <details> (its summary shows on narrow screens).
    let doc = f.page("/");
    assert!(
        one(&doc, "#filters details.filter-box > summary")
            .text()
            .count()
            > 0
    );
    // Other pages keep the one skip link.
    let audit = f.page("/audit");
    assert_eq!(audit.select(&sel("body > a.skip-link")).count(), 1);
}

/// The audit log's filter form, paging and filters, over awkward names and values.
#[test]
fn audit_log_pages_and_filters() {
    use clientele::domain::date::Timestamp;
    use clientele::domain::model::View;
    let f = fx();
    let ctx = f.app.desk.ctx(Actor::Cli);
    let odd = f
        .app
        .desk
        .add_customer(
            ctx,
            &customer("Ōsaka \"Quote\", Ltd 🚀", "osaka-emoji", "CLP", vec![]),
        )
        .unwrap()
        .id;
    for i in 0..60 {
        let view = if i % 2 == 0 { View::Managed } else { View::All };
        f.app.desk.set_view(ctx, view).unwrap();
    }
    let ids = |doc: &Html| -> Vec<u64> {
        doc.select(&sel("[data-testid=audit-row]"))
            .map(|r| r.value().attr("data-id").unwrap().parse().unwrap())
            .collect()
    };
    let href = |doc: &Html, testid: &str| -> Option<String> {
        doc.select(&sel(&format!("[data-testid={testid}]")))
            .next()
            .map(|a| a.value().attr("href").unwrap().to_string())
    };
    // Fifty a page, newest first; older, then newer again.
    let first = f.page("/audit");
    let page1 = ids(&first);
    assert_eq!(page1.len(), 50);
    assert!(page1.windows(2).all(|w| w[0] > w[1]));
    assert_eq!(href(&first, "audit-newer"), None);
    assert_eq!(href(&first, "audit-newest"), None);
    let older = href(&first, "audit-older").unwrap();
    assert_eq!(older, format!("/audit?before={}", page1[49]));
    let second = f.page(&older);
    let page2 = ids(&second);
    assert!(!page2.is_empty() && page2[0] < page1[49]);
    assert_eq!(href(&second, "audit-newer").as_deref(), Some("/audit"));
    assert_eq!(href(&second, "audit-newest").as_deref(), Some("/audit"));
    // The task filter: the select offers every task name and keeps the chosen one.
    let doc = f.page("/audit?task=settings");
    let options = texts(&doc, "#audit-task option");
    assert_eq!(options[0], "Any");
    for t in [
        "add customer",
        "settings",
        "delete",
        "remove outbox message",
    ] {
        assert!(options.contains(&t.to_string()), "{options:?}");
    }
    assert_eq!(text(one(&doc, "#audit-task option[selected]")), "settings");
    assert_eq!(ids(&doc).len(), 50);
    assert!(texts(&doc, "[data-testid=audit-row] td:nth-child(3)")
        .iter()
        .all(|t| t == "settings"));
    let older = href(&doc, "audit-older").unwrap();
    assert!(older.starts_with("/audit?task=settings&before="), "{older}");
    let doc = f.page(&older);
    assert_eq!(ids(&doc).len(), 10);
    assert_eq!(href(&doc, "audit-older"), None);
    assert_eq!(
        href(&doc, "audit-newer").as_deref(),
        Some("/audit?task=settings")
    );
    // A customer by account name: its one entry; the typed value is kept.
    let doc = f.page("/audit?customer=osaka-emoji");
    assert_eq!(ids(&doc).len(), 1);
    assert_eq!(
        one(&doc, "#audit-customer").value().attr("value"),
        Some("osaka-emoji")
    );
    assert_eq!(
        texts(&doc, "[data-testid=audit-row] td:nth-child(4) a"),
        [odd.to_string()]
    );
    let doc = f.page(&format!("/audit?customer={odd}&task=add%20customer"));
    assert_eq!(ids(&doc).len(), 1);
    // An unknown task: an option of its own (awkward text escaped), no entries.
    let awkward = "a, \"b\" — ü 🚀 <i>";
    let doc = f.page(&format!("/audit?{}", build_query(&[("task", awkward)])));
    assert_eq!(text(one(&doc, "#audit-task option[selected]")), awkward);
    assert!(doc
        .select(&sel("[data-testid=empty-audit]"))
        .next()
        .is_some());
    // Days are UTC and inclusive: today holds every entry, tomorrow none.
    let today = Timestamp::now().date();
    let doc = f.page(&format!("/audit?from={today}&to={today}&task=settings"));
    assert_eq!(ids(&doc).len(), 50);
    let tomorrow = today.add_days(1).unwrap();
    let doc = f.page(&format!("/audit?from={tomorrow}"));
    assert!(ids(&doc).is_empty());
    // Refused values: the field is named, the typed values kept, no entries.
    let r = f.get("/audit?from=2026-13-01&customer=%22x%22");
    assert_eq!(r.status, 422);
    let doc = html(&r);
    assert!(text(one(&doc, "[data-testid=error]")).contains("from"));
    assert_eq!(
        one(&doc, "#audit-customer").value().attr("value"),
        Some("\"x\"")
    );
    let r = f.get("/audit?customer=no-such-account");
    assert_eq!(r.status, 404);
    assert!(ids(&html(&r)).is_empty());
}
