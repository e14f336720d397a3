//! The customer page: profile, contact, licences, devices, events, policy lists, outbox
//! messages and history, with the forms that change licences, devices and events.

use super::layout::Col::{Actions, Head};
use super::layout::{self, license_badge, time, typed, typed_error, Draft, Field, Nav, Reply};
use crate::domain::derive::Reason;
use crate::domain::error::Error;
use crate::domain::model::{Actor, CustomerStatus, EventKind, Product, Severity};
use crate::domain::numbers;
use crate::domain::view::{
    AuditView, CustomerDetail, DeviceView, EventView, LicenseView, OutboxView, PlanView,
};
use crate::tasks::bulk::{BulkTask, Outcome, Selection};
use crate::tasks::desk::{parse_customer_ref, CustomerRef};
use crate::tasks::holdings::{DeviceInput, EventInput, Holding, LicenseChange};
use crate::web::app::App;
use crate::web::http::{Request, Response};
use maud::{html, Markup};

const BACK: (&str, &str) = ("/", "Back to the customer list");

/// Event categories offered as suggestions (any text is accepted).
const CATEGORIES: &[&str] = &[
    "antivirus",
    "spyware",
    "spam",
    "behavior-monitoring",
    "device-control",
    "web-reputation",
    "smart-scan",
    "component-update",
    "disk-space",
];

pub fn page(app: &App, req: &Request, key: &str) -> Reply {
    let pairs = layout::query(app, req)?;
    let id = app
        .desk
        .resolve(&parse_customer_ref(key))
        .map_err(layout::failed(app, BACK))?;
    render(app, id, layout::flash(&pairs).as_deref(), None, 200)
}

/// The page, with an optional rejected form (kept values and errors) and its status.
fn render(app: &App, id: u64, flash: Option<&str>, draft: Option<&Draft>, status: u16) -> Reply {
    let detail = app
        .desk
        .detail(&CustomerRef::Id(id))
        .map_err(layout::failed(app, BACK))?;
    let plans = app.desk.plans().map_err(layout::failed(app, BACK))?;
    let messages: Vec<OutboxView> = app.desk.outbox_for(id).unwrap_or_default();
    let c = &detail.customer;
    let body = html! {
        nav.breadcrumb aria-label="Breadcrumb" {
            ol { li { a href="/" { "Customers" } } li { span aria-current="page" { (c.company) } } }
        }
        div.detail-head {
            div {
                h1 #customer-name { (c.company) }
                p.muted {
                    (c.account_name) " · " (c.account_type.code()) " · "
                    @if c.status == CustomerStatus::Suspended {
                        span.badge.grey data-testid="customer-status" { "Suspended" }
                    } @else {
                        span.badge.green data-testid="customer-status" { "Active" }
                    }
                    " " (layout::license_badge_as(c.license_status, Some("license-status")))
                }
            }
            div.actions data-testid="customer-actions" {
                a.button #edit-customer href=(format!("/customers/{id}/edit")) { "Edit" }
                @if c.status == CustomerStatus::Suspended {
                    form method="post" action=(format!("/customers/{id}/reactivate")) {
                        button type="submit" #reactivate-customer { "Reactivate" }
                    }
                } @else {
                    form method="post" action=(format!("/customers/{id}/suspend")) {
                        button type="submit" #suspend-customer { "Suspend" }
                    }
                }
                form method="post" action="/export" {
                    input type="hidden" name="ids" value=(id);
                    button type="submit" #export-customer { "Export CSV" }
                }
                form method="post" action="/tasks/delete" {
                    input type="hidden" name="ids" value=(id);
                    input type="hidden" name="back_customer" value=(id);
                    button.danger type="submit" #delete-customer { "Delete…" }
                }
            }
        }
        @if let Some(d) = draft {
            div #detail-error .alert.error role="alert" tabindex="-1" data-testid="error-summary" {
                h2 { "That change was not made" }
                p { (layout::message_text(&d.error.to_string())) }
                p { a href=(format!("#{}", anchor_of(&d.form))) { "Go to the form" } }
            }
        }
        @if c.needs_attention {
            @let action = c.threat_system_action_required + c.license_action_required > 0;
            section #attention .attention-box.action[action].warning[!action] aria-labelledby="attention-heading"
                data-severity=(if action { "action_required" } else { "warning" }) {
                h2 #attention-heading { "Needs attention" }
                ul data-testid="attention-reasons" {
                    @for r in action_first(&c.attention_reasons) {
                        li data-severity=(r.severity.code()) {
                            @if r.severity == Severity::ActionRequired {
                                span.badge.red { "Action required" }
                            } @else {
                                span.badge.yellow { "Warning" }
                            }
                            " " (layout::message_text(&r.text))
                        }
                    }
                }
            }
        }
        div.grid2 {
            section #profile aria-labelledby="profile-heading" {
                h2 #profile-heading { "Profile" }
                dl.facts {
                    dt { "Company" } dd { (c.company) }
                    dt { "Account name" } dd { (c.account_name) }
                    dt { "Account type" } dd { (c.account_type.code()) }
                    dt { "Status" } dd { (c.status.code()) }
                    dt { "Time zone" } dd { (c.time_zone) }
                    dt { "Language" } dd { (c.language) }
                    dt { "WFBS-S template" } dd { (c.wfbs_template.as_deref().unwrap_or("None")) }
                    dt { "Cloud Edge template" } dd { (c.cloud_edge_template.as_deref().unwrap_or("None")) }
                    dt { "Created" } dd { (time(&c.created_at)) }
                    dt { "Last transaction" } dd { (time(&c.last_transaction)) }
                }
            }
            section #contact aria-labelledby="contact-heading" {
                h2 #contact-heading { "Contact" }
                dl.facts {
                    dt { "Name" } dd { (c.contact_first_name) " " (c.contact_last_name) }
                    dt { "Email" } dd { (c.email) }
                    dt { "Phone" } dd { @if c.phone.is_empty() { span.none { "None" } } @else { (c.phone) } }
                    dt { "Address" }
                    dd {
                        @if !c.address.is_empty() { (c.address) br; }
                        (c.postal_code) @if !c.postal_code.is_empty() { " " } (c.city) br;
                        (c.state) ", " (c.country)
                    }
                }
                @if !c.notes.is_empty() {
                    h3 { "Notes" }
                    p.pre data-testid="notes" { (c.notes) }
                }
            }
        }
        (licenses(id, &c.licenses, &plans, draft))
        (devices(id, &detail.devices, draft))
        (events(id, &detail.events, draft))
        (policies(id, &detail, c.licenses.iter().any(|l| l.product == Product::Wfbss.code())))
        @if !messages.is_empty() {
            section #messages aria-labelledby="messages-heading" {
                h2 #messages-heading { "Outbox messages" }
                ul {
                    @for m in &messages {
                        li {
                            (time(&m.created_at)) " · " (m.subject) " · "
                            a href=(format!("/outbox/{}.eml", m.id)) { "Download .eml" }
                        }
                    }
                }
            }
        }
        (history(&detail.history))
    };
    let title = match draft {
        Some(_) => format!("Error: {}", c.company),
        None => c.company.clone(),
    };
    layout::page(app, status, &title, Nav::Customers, flash, body)
}

/// The reasons with those that need action first (otherwise in the core's order).
fn action_first(reasons: &[Reason]) -> Vec<&Reason> {
    let mut list: Vec<&Reason> = reasons.iter().collect();
    list.sort_by_key(|r| r.severity != Severity::ActionRequired);
    list
}

fn anchor_of(form: &str) -> String {
    match form {
        "license-new" => "add-license".into(),
        "device-new" => "add-device".into(),
        "event-new" => "add-event".into(),
        other => format!("{other}-row"),
    }
}

fn licenses(id: u64, list: &[LicenseView], plans: &[PlanView], draft: Option<&Draft>) -> Markup {
    let mut plan_options = vec![(String::new(), "Choose a plan".to_string())];
    plan_options.extend(
        plans
            .iter()
            .filter(|p| p.enabled && !p.end_of_life)
            .map(|p| (p.name.clone(), layout::plan_label(p))),
    );
    html! {
        section #licenses aria-labelledby="licenses-heading" {
            h2 #licenses-heading { "Licenses" }
            (layout::table_or(list.is_empty(), html! { p.none data-testid="no-licenses" { "No licenses." } }, "license", &[
                Head("Plan"), Head("Product"), Head("Kind"), Head("Units"), Head("Used"),
                Head("Start"), Head("Expiry"), Head("Status"), Actions,
            ], html! {
                @for l in list {
                    @let form = format!("license-{}", l.id);
                    @let field = |name: &str, label: &str, stored: &str, kind: &'static str| {
                        Field::new(format!("{form}-{name}"), name, format!("{label} of {}", l.plan))
                            .value(typed(draft, &form, name, stored))
                            .error(typed_error(draft, &form, name))
                            .kind(kind)
                            .form(format!("{form}-form"))
                            .hidden_label()
                            .cell()
                    };
                    tr #(format!("{form}-row")) data-testid="license-row" data-id=(l.id) {
                        th scope="row" { (l.plan) }
                        td { (l.product) }
                        td { (l.kind) }
                        td.narrow { (field("units", "Units", &l.units.to_string(), "number")) }
                        td.narrow { (field("used", "Used units", &l.used.to_string(), "number")) }
                        td { (field("start", "Start date", &l.start, "date")) }
                        td { (field("expiry", "Expiry date", &l.expiry, "date")) }
                        td { (license_badge(l.status.code())) }
                        (row_actions((id, l.id), Holding::Licence, &l.plan,
                            &format!("Remove the license {} from this customer?", l.plan)))
                    }
                }
            }))
            @let form = "license-new";
            form #add-license .inline-form method="post" action=(format!("/customers/{id}/licenses")) data-testid="add-license" {
                h3 { "Add a license" }
                div.row {
                    (Field::new("license-new-plan", "plan", "Plan").required()
                        .value(typed(draft, form, "plan", "")).error(typed_error(draft, form, "plan"))
                        .select(&plan_options))
                    (Field::new("license-new-units", "units", "Units").required().kind("number").min("1")
                        .value(typed(draft, form, "units", "1")).error(typed_error(draft, form, "units")).input())
                    (Field::new("license-new-used", "used", "Used units").kind("number").min("0")
                        .value(typed(draft, form, "used", "0")).error(typed_error(draft, form, "used")).input())
                    (Field::new("license-new-start", "start", "Start date").kind("date").hint("Empty means today")
                        .value(typed(draft, form, "start", "")).error(typed_error(draft, form, "start")).input())
                    div.field.submit { button.primary type="submit" #add-license-button { "Add license" } }
                }
            }
        }
    }
}

/// The Save and Remove buttons of a licence's or device's row: Save submits the row's form
/// `{noun}-{item}-form`, which the row's inputs join.
fn row_actions((id, item): (u64, u64), holding: Holding, label: &str, confirm: &str) -> Markup {
    let noun = noun(holding);
    let path = format!("/customers/{id}/{noun}s/{item}");
    html! {
        td.row-actions {
            form id=(format!("{noun}-{item}-form")) method="post" action=(path) {
                button type="submit" data-testid=(format!("save-{noun}")) { "Save" span.vh { " " (label) } }
            }
            form method="post" action=(format!("{path}/remove")) {
                button.danger type="submit" data-testid=(format!("remove-{noun}")) data-confirm=(confirm) {
                    "Remove" span.vh { " " (label) }
                }
            }
        }
    }
}

fn devices(id: u64, list: &[DeviceView], draft: Option<&Draft>) -> Markup {
    let form = "device-new";
    let new_fields: Vec<Markup> = [
        ("name", "Name", None),
        ("serial", "Serial", Some("Unique; letters, digits, - and _")),
        ("model", "Model", None),
        (
            "firmware",
            "Firmware version",
            Some("Dotted numbers, e.g. 3.2.1"),
        ),
    ]
    .into_iter()
    .map(|(name, label, hint)| {
        let f = Field::new(format!("device-new-{name}"), name, label)
            .required()
            .value(typed(draft, form, name, ""))
            .error(typed_error(draft, form, name));
        match hint {
            Some(h) => f.hint(h).input(),
            None => f.input(),
        }
    })
    .collect();
    html! {
        section #devices aria-labelledby="devices-heading" {
            h2 #devices-heading { "Cloud Edge devices" }
            (layout::table_or(list.is_empty(), html! { p.none data-testid="no-devices" { "No devices." } }, "device", &[
                Head("Name"), Head("Serial"), Head("Model"), Head("Firmware"),
                Head("Latest"), Head("Update"), Actions,
            ], html! {
                @for d in list {
                    @let form = format!("device-{}", d.id);
                    @let field = |name: &str, label: &str, stored: &str| {
                        Field::new(format!("{form}-{name}"), name, format!("{label} of device {}", d.name))
                            .value(typed(draft, &form, name, stored))
                            .error(typed_error(draft, &form, name))
                            .form(format!("{form}-form"))
                            .hidden_label()
                            .cell()
                    };
                    tr #(format!("{form}-row")) data-testid="device-row" data-id=(d.id) {
                        td { (field("name", "Name", &d.name)) }
                        td { (field("serial", "Serial", &d.serial)) }
                        td { (field("model", "Model", &d.model)) }
                        td.narrow { (field("firmware", "Firmware", &d.firmware)) }
                        td { (d.latest_firmware.as_deref().unwrap_or("unknown")) }
                        td {
                            @if d.needs_update {
                                span.badge.yellow data-testid="needs-update" { "Needs update" }
                                @if let Some(v) = &d.notified_version { div.muted { "Customer notified about " (v) } }
                            } @else {
                                span.badge.green { "Up to date" }
                            }
                        }
                        (row_actions((id, d.id), Holding::Device, &d.name,
                            &format!("Remove the device {}?", d.name)))
                    }
                }
            }))
            form #add-device .inline-form method="post" action=(format!("/customers/{id}/devices")) data-testid="add-device" {
                h3 { "Add a device" }
                div.row {
                    @for f in &new_fields { (f) }
                    div.field.submit { button.primary type="submit" #add-device-button { "Add device" } }
                }
            }
        }
    }
}

fn events(id: u64, list: &[EventView], draft: Option<&Draft>) -> Markup {
    let form = "event-new";
    let kinds: Vec<(String, String)> = EventKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_string(),
                if *k == EventKind::Threat {
                    "Threat"
                } else {
                    "System"
                }
                .to_string(),
            )
        })
        .collect();
    let severities: Vec<(String, String)> = Severity::ALL
        .iter()
        .map(|s| (s.code().to_string(), severity_label(*s).to_string()))
        .collect();
    let open = list.iter().filter(|e| e.open).count();
    html! {
        section #events aria-labelledby="events-heading" {
            h2 #events-heading { "Events" }
            p.muted { (open) " open, " (list.len() - open) " resolved" }
            (layout::table_or(list.is_empty(), html! { p.none data-testid="no-events" { "No events." } }, "event", &[
                Head("Time"), Head("Kind"), Head("Severity"), Head("Category"),
                Head("Message"), Head("State"), Actions,
            ], html! {
                @for e in list {
                    tr #(format!("event-{}-row", e.id)) data-testid="event-row" data-id=(e.id) data-open=(e.open) {
                        td.nowrap { (time(&e.time)) }
                        td { (e.kind.code()) }
                        td {
                            @match e.severity {
                                Severity::ActionRequired => span.badge.red { "Action required" },
                                Severity::Warning => span.badge.yellow { "Warning" },
                            }
                        }
                        td { (e.category) }
                        td { (e.message) }
                        td {
                            @if e.open { strong { "Open" } }
                            @else { "Resolved " @if let Some(t) = &e.resolved_at { (time(t)) } }
                        }
                        td.row-actions {
                            form method="post" action=(format!("/customers/{id}/events/{}/{}", e.id, if e.open { "resolve" } else { "reopen" })) {
                                button type="submit" data-testid=(if e.open { "resolve-event" } else { "reopen-event" }) {
                                    @if e.open { "Resolve" } @else { "Reopen" }
                                    span.vh { " event " (e.category) ": " (e.message) }
                                }
                            }
                            form method="post" action=(format!("/customers/{id}/events/{}/remove", e.id)) {
                                button.danger type="submit" data-testid="remove-event" data-confirm="Remove this event?" {
                                    "Remove" span.vh { " event " (e.category) ": " (e.message) }
                                }
                            }
                        }
                    }
                }
            }))
            datalist #event-categories { @for c in CATEGORIES { option value=(c) {} } }
            form #add-event .inline-form method="post" action=(format!("/customers/{id}/events")) data-testid="add-event" {
                h3 { "Add an event" }
                div.row {
                    (Field::new("event-new-kind", "kind", "Kind").required()
                        .value(typed(draft, form, "kind", "threat")).error(typed_error(draft, form, "kind")).select(&kinds))
                    (Field::new("event-new-severity", "severity", "Severity").required()
                        .value(typed(draft, form, "severity", "warning")).error(typed_error(draft, form, "severity")).select(&severities))
                    (Field::new("event-new-category", "category", "Category").required().list("event-categories")
                        .value(typed(draft, form, "category", "")).error(typed_error(draft, form, "category")).input())
                    (Field::new("event-new-message", "message", "Message").required()
                        .value(typed(draft, form, "message", "")).error(typed_error(draft, form, "message")).input())
                    (Field::new("event-new-time", "time", "Time").placeholder("2026-11-27T08:00:00Z").hint("UTC; empty means now")
                        .value(typed(draft, form, "time", "")).error(typed_error(draft, form, "time")).input())
                    div.field.submit { button.primary type="submit" #add-event-button { "Add event" } }
                }
            }
        }
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Warning => "Warning",
        Severity::ActionRequired => "Action required",
    }
}

/// The WFBS-S policy lists, with the button that changes them, for a customer holding a
/// wfbss licence; otherwise only a note (and any entries still stored, read-only).
fn policies(id: u64, d: &CustomerDetail, holds_wfbss: bool) -> Markup {
    let stored = d.policies.iter().any(|(_, entries)| !entries.is_empty());
    html! {
        section #policies aria-labelledby="policies-heading" {
            h2 #policies-heading { "WFBS-S policy lists" }
            @if !holds_wfbss {
                p.none data-testid="no-wfbss" {
                    "No wfbss licence: policy lists apply to customers holding a "
                    "Worry-Free Business Security Services licence."
                }
            }
            @if holds_wfbss || stored {
                dl.facts.policies data-testid="policy-lists" {
                    @for (list, entries) in &d.policies {
                        @if holds_wfbss || !entries.is_empty() {
                            dt { (list) }
                            dd data-list=(list) {
                                @if entries.is_empty() { span.none { "Empty" } }
                                @else { ul { @for e in entries { li { code { (e) } } } } }
                            }
                        }
                    }
                }
            }
            @if holds_wfbss {
                form method="post" action="/tasks/deploy-policy" {
                    input type="hidden" name="ids" value=(id);
                    input type="hidden" name="back_customer" value=(id);
                    button type="submit" #deploy-policy-customer { "Change policy lists…" }
                }
            }
        }
    }
}

fn history(entries: &[AuditView]) -> Markup {
    html! {
        section #history aria-labelledby="history-heading" {
            h2 #history-heading { "History" }
            (layout::table_or(entries.is_empty(), html! { p.none { "No recorded changes." } }, "history", &[
                Head("Time"), Head("By"), Head("Task"), Head("Outcome"), Head("Changes"),
            ], html! {
                @for a in entries {
                    tr data-testid="history-row" {
                        td.nowrap { (time(&a.time)) }
                        td { (a.actor.code()) }
                        td { (a.task) }
                        td { (a.outcome) }
                        td { (changes(a)) }
                    }
                }
            }))
        }
    }
}

/// The changes of an audit entry: `field: old → new`.
pub fn changes(a: &AuditView) -> Markup {
    html! {
        @if !a.changes.is_empty() {
            ul.changes {
                @for ch in &a.changes {
                    li {
                        strong { (ch.field) } ": "
                        @if ch.old.is_empty() { span.none { "(empty)" } } @else { span.old { (ch.old) } }
                        span aria-hidden="true" { " → " } span.vh { " changed to " }
                        @if ch.new.is_empty() { span.none { "(empty)" } } @else { span.new { (ch.new) } }
                    }
                }
            }
        }
    }
}

/// The customer id of a path, checked to exist.
fn customer_id(app: &App, key: &str) -> Result<u64, Response> {
    let id = layout::id_of(app, "customer", key)?;
    app.desk
        .resolve(&CustomerRef::Id(id))
        .map_err(layout::failed(app, BACK))
}

/// The customer id and the holding id of a path, the holding checked to be the customer's.
fn held(app: &App, key: &str, holding: Holding, item: &str) -> Result<(u64, u64), Response> {
    let id = customer_id(app, key)?;
    let item = layout::id_of(app, holding.thing().noun(), item)?;
    match app.desk.held_by(id, holding, item) {
        Ok(()) => Ok((id, item)),
        Err(e @ Error::NotFound { .. }) => Err(layout::error_page(
            app,
            &e,
            (&format!("/customers/{id}"), "Back to the customer"),
        )),
        Err(e) => Err(layout::error_page(app, &e, BACK)),
    }
}

/// How the page's forms and flash codes name a holding.
fn noun(holding: Holding) -> &'static str {
    match holding {
        Holding::Licence => "license",
        Holding::Device => "device",
        Holding::Event => "event",
    }
}

/// Back to the customer page with the flash code `{noun}-{done}`, or the page again with the
/// rejected form: `{noun}-new`, or `{noun}-{item}` for a holding's row.
fn answer<T>(
    app: &App,
    (id, item): (u64, Option<u64>),
    holding: Holding,
    pairs: Vec<(String, String)>,
    result: Result<T, Error>,
    done: &str,
) -> Reply {
    let noun = noun(holding);
    let form = match item {
        Some(item) => format!("{noun}-{item}"),
        None => format!("{noun}-new"),
    };
    layout::after(
        result,
        (&format!("/customers/{id}"), &format!("{noun}-{done}")),
        form,
        pairs,
        |draft, status| render(app, id, None, Some(draft), status),
    )
}

pub fn set_status(app: &App, key: &str, action: &str) -> Reply {
    let id = customer_id(app, key)?;
    let task = if action == "suspend" {
        BulkTask::Suspend
    } else {
        BulkTask::Reactivate
    };
    let report = app
        .desk
        .run_bulk(
            app.desk.ctx(Actor::Web),
            &Selection::Ids(vec![id]),
            &task,
            false,
        )
        .map_err(layout::failed(app, BACK))?;
    let done = match report.results.first() {
        Some(r) if r.outcome == Outcome::Ok => {
            if action == "suspend" {
                "suspended"
            } else {
                "reactivated"
            }
        }
        Some(r) if r.outcome != Outcome::Skipped => {
            let e = Error::Refused(r.reason.clone().unwrap_or_default());
            return Err(layout::error_page(app, &e, BACK));
        }
        _ => "status-unchanged",
    };
    Ok(layout::see_other(&format!("/customers/{id}"), done))
}

/// A licence form's units and used units (empty used means none), or every field that is
/// not a whole number.
fn license_numbers(pairs: &[(String, String)]) -> Result<(u32, u32), Error> {
    let mut errors = Vec::new();
    let units = numbers::required("units", layout::value(pairs, "units"));
    let units = layout::kept(units, &mut errors);
    let used = numbers::optional("used", layout::value(pairs, "used"));
    let used = layout::kept(used, &mut errors).unwrap_or(0);
    if errors.is_empty() {
        Ok((units, used))
    } else {
        Err(Error::Invalid(errors))
    }
}

/// `POST /customers/{id}/{licenses|devices|events}`: adds a holding.
pub fn add(app: &App, req: &Request, key: &str, holding: Holding) -> Reply {
    let id = customer_id(app, key)?;
    let pairs = layout::form(app, req)?;
    let ctx = app.desk.ctx(Actor::Web);
    let result = match holding {
        Holding::Licence => license_numbers(&pairs).and_then(|(units, used)| {
            let plan = layout::value(&pairs, "plan").unwrap_or("");
            let start = layout::value(&pairs, "start");
            app.desk
                .add_license(ctx, id, plan, units, used, start)
                .map(drop)
        }),
        Holding::Device => app
            .desk
            .add_device(ctx, id, &device_input(&pairs))
            .map(drop),
        Holding::Event => app.desk.add_event(ctx, id, &event_input(&pairs)).map(drop),
    };
    answer(app, (id, None), holding, pairs, result, "added")
}

pub fn edit_license(app: &App, req: &Request, key: &str, item: &str) -> Reply {
    let (id, lid) = held(app, key, Holding::Licence, item)?;
    let pairs = layout::form(app, req)?;
    let result = license_numbers(&pairs).and_then(|(units, used)| {
        let change = LicenseChange {
            units: Some(units),
            used: Some(used),
            start: layout::value(&pairs, "start").map(str::to_string),
            expiry: layout::value(&pairs, "expiry").map(str::to_string),
        };
        app.desk
            .edit_license(app.desk.ctx(Actor::Web), lid, &change)
    });
    answer(
        app,
        (id, Some(lid)),
        Holding::Licence,
        pairs,
        result,
        "saved",
    )
}

pub fn edit_device(app: &App, req: &Request, key: &str, item: &str) -> Reply {
    let (id, did) = held(app, key, Holding::Device, item)?;
    let pairs = layout::form(app, req)?;
    let input = device_input(&pairs);
    let result = app.desk.edit_device(app.desk.ctx(Actor::Web), did, &input);
    answer(
        app,
        (id, Some(did)),
        Holding::Device,
        pairs,
        result,
        "saved",
    )
}

fn device_input(pairs: &[(String, String)]) -> DeviceInput {
    let get = |k: &str| layout::value(pairs, k).map(str::to_string);
    DeviceInput {
        name: get("name"),
        serial: get("serial"),
        model: get("model"),
        firmware: get("firmware"),
    }
}

fn event_input(pairs: &[(String, String)]) -> EventInput {
    let get = |k: &str| layout::value(pairs, k).unwrap_or("").to_string();
    EventInput {
        kind: get("kind"),
        severity: get("severity"),
        category: get("category"),
        message: get("message"),
        time: Some(get("time")).filter(|t| !t.trim().is_empty()),
    }
}

/// `POST /customers/{id}/{licenses|devices|events}/{item}/{action}`: removes a holding, or
/// resolves or reopens an event.
pub fn act(app: &App, key: &str, holding: Holding, item: &str, action: &str) -> Reply {
    let (id, item) = held(app, key, holding, item)?;
    let ctx = app.desk.ctx(Actor::Web);
    let (result, done) = match (holding, action) {
        (Holding::Event, "resolve") => (
            app.desk.set_event_open(ctx, item, false).map(drop),
            "resolved",
        ),
        (Holding::Event, "reopen") => (
            app.desk.set_event_open(ctx, item, true).map(drop),
            "reopened",
        ),
        (Holding::Licence, _) => (app.desk.remove_license(ctx, item), "removed"),
        (Holding::Device, _) => (app.desk.remove_device(ctx, item), "removed"),
        (Holding::Event, _) => (app.desk.remove_event(ctx, item), "removed"),
    };
    answer(app, (id, Some(item)), holding, Vec::new(), result, done)
}
