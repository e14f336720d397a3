//! Bulk tasks: `POST /tasks/{name}` shows the task's options and a dry run (who is affected,
//! who is skipped and why); `POST /tasks/{name}/run` runs it and shows the outcome per customer.

use super::customers::no_selection;
use super::layout::{
    self, document, error_summary, field_errors, typed_error, Draft, Field, Nav, Reply,
};
use crate::domain::error::{Error, Key, Thing};
use crate::domain::model::{Actor, PolicyAction, PolicyList, Product};
use crate::domain::numbers;
use crate::tasks::bulk::{BulkReport, BulkTask, Outcome, Selection};
use crate::web::app::{selection_from_pairs, status_of, task_from_pairs, App};
use crate::web::http::{Request, Response};
use maud::{html, Markup};

/// The option keys of all tasks; the confirm form carries them over exactly as previewed.
const OPTION_KEYS: &[&str] = BulkTask::OPTIONS;

struct Meta {
    title: &'static str,
    verb: &'static str,
    about: &'static str,
}

fn meta(name: &str) -> Meta {
    let (title, verb, about) = match name {
        "delete" => (
            "Delete customers",
            "Delete",
            "Deletes CLP customers that hold no licenses. This cannot be undone. LMP customers are deleted in the Licensing Management Platform and are skipped here.",
        ),
        "assign-template" => (
            "Assign template",
            "Assign the template to",
            "Gives LMP customers that hold a Worry-Free Business Security Services (wfbss) license a product template.",
        ),
        "deploy-policy" => (
            "Policy settings",
            "Deploy the policy to",
            "Changes one WFBS-S policy list of LMP customers that hold a wfbss license: append entries, delete entries, or overwrite the whole list.",
        ),
        "update-firmware" => (
            "Update firmware",
            "Queue firmware notifications for",
            "For LMP customers whose Cloud Edge devices run outdated firmware, queues one notification per customer in the outbox, naming each device with its current and latest firmware.",
        ),
        "renew" => (
            "Renew licenses",
            "Renew the licenses of",
            "Renews the expired licenses of LMP customers: the new expiry is today plus the plan's license period, or the date you give. Trial and end-of-life plans are not renewed.",
        ),
        "suspend" => ("Suspend customers", "Suspend", "Marks the selected customers as suspended."),
        _ => ("Reactivate customers", "Reactivate", "Marks the selected customers as active again."),
    };
    Meta { title, verb, about }
}

/// What a task page starts from: the form pairs, the selected ids and where "back" leads.
struct Start {
    pairs: Vec<(String, String)>,
    ids: Vec<u64>,
    back: String,
}

fn start(app: &App, req: &Request, name: &str) -> Result<Start, Response> {
    if !BulkTask::NAMES.contains(&name) {
        let e = Error::not_found(Thing::Task, Key::Name(name.to_string()));
        return Err(layout::error_page(
            app,
            &e,
            ("/", "Back to the customer list"),
        ));
    }
    let pairs = layout::form(app, req)?;
    let back =
        match layout::value(&pairs, "back_customer").and_then(|v| numbers::whole::<u64>(v).ok()) {
            Some(id) => format!("/customers/{id}"),
            None => layout::list_link(layout::value(&pairs, "back")),
        };
    let ids = match selection_from_pairs(&pairs) {
        Ok(Selection::Ids(ids)) => {
            let mut seen = std::collections::HashSet::new();
            ids.into_iter().filter(|id| seen.insert(*id)).collect()
        }
        Ok(Selection::Filter(_)) => return Err(no_selection(app, meta(name).title, &back)),
        Err(e) => return Err(layout::error_page(app, &e, (&back, "Back"))),
    };
    Ok(Start { pairs, ids, back })
}

/// Whether the person already submitted the options form (so missing options are errors).
fn options_given(pairs: &[(String, String)]) -> bool {
    layout::value(pairs, "options") == Some("1")
}

pub fn preview(app: &App, req: &Request, name: &str) -> Reply {
    let s = start(app, req, name)?;
    match task_from_pairs(name, &s.pairs) {
        Ok(task) => match app.desk.run_bulk(
            app.desk.ctx(Actor::Web),
            &Selection::Ids(s.ids.clone()),
            &task,
            true,
        ) {
            Ok(report) => render_preview(app, name, &s, Some(&report), None, 200),
            Err(e) => {
                let status = status_of(&e);
                render_preview(app, name, &s, None, Some(&e), status)
            }
        },
        Err(_) if !options_given(&s.pairs) => render_preview(app, name, &s, None, None, 200),
        Err(e) => {
            let status = status_of(&e);
            render_preview(app, name, &s, None, Some(&e), status)
        }
    }
}

pub fn run(app: &App, req: &Request, name: &str) -> Reply {
    let s = start(app, req, name)?;
    let task = match task_from_pairs(name, &s.pairs) {
        Ok(t) => t,
        Err(e) => {
            let status = status_of(&e);
            return render_preview(app, name, &s, None, Some(&e), status);
        }
    };
    let ctx = app.desk.ctx(Actor::Web);
    if matches!(task, BulkTask::Delete) && layout::value(&s.pairs, "confirm_delete") != Some("yes")
    {
        let e = Error::invalid(
            "confirm_delete",
            "tick the box to confirm that the customers are deleted for good",
        );
        let report = app
            .desk
            .run_bulk(ctx, &Selection::Ids(s.ids.clone()), &task, true)
            .ok();
        return render_preview(app, name, &s, report.as_ref(), Some(&e), 422);
    }
    match app
        .desk
        .run_bulk(ctx, &Selection::Ids(s.ids.clone()), &task, false)
    {
        Ok(report) => Ok(render_result(app, name, &s, &report)),
        Err(e) => {
            let status = status_of(&e);
            render_preview(app, name, &s, None, Some(&e), status)
        }
    }
}

fn hidden_selection(s: &Start) -> Markup {
    html! {
        @for id in &s.ids { input type="hidden" name="ids" value=(id); }
        @if let Some(b) = layout::value(&s.pairs, "back") { input type="hidden" name="back" value=(b); }
        @if let Some(b) = layout::value(&s.pairs, "back_customer") { input type="hidden" name="back_customer" value=(b); }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        layout::thousands(n),
        if n == 1 { one } else { many }
    )
}

fn render_preview(
    app: &App,
    name: &str,
    s: &Start,
    report: Option<&BulkReport>,
    error: Option<&Error>,
    status: u16,
) -> Reply {
    let m = meta(name);
    let draft = error.map(|e| Draft::new("task", s.pairs.clone(), e.clone()));
    let draft = draft.as_ref();
    let options =
        options_form(app, name, s, draft).map_err(layout::failed(app, (&s.back, "Back")))?;
    let body = html! {
        h1 { (m.title) ": preview" }
        p.lead { (m.about) }
        p data-testid="selected-count" { (plural(s.ids.len(), "customer", "customers")) " selected." }
        @if let Some(e) = error {
            @let ids = |f: &str| OPTION_KEYS.contains(&f).then(|| option_id(f));
            @let confirm_ids = |f: &str| if f == "confirm_delete" { Some("confirm-delete".to_string()) } else { ids(f) };
            @if field_errors(e).is_empty() {
                (layout::error_block(e))
            } @else {
                (error_summary(e, &confirm_ids, &|f: &str| f.replace('_', " ")))
            }
        }
        (options)
        @if let Some(r) = report {
            section #preview aria-labelledby="preview-heading" {
                h2 #preview-heading { "What would happen" }
                p.summary data-testid="preview-summary" {
                    strong { (plural(r.ok, "customer", "customers")) " affected" } ", "
                    (plural(r.skipped, "skipped", "skipped")) ", "
                    (plural(r.failed, "failed", "failed")) ". "
                    "Nothing has been changed yet."
                }
                (results_table(r, "preview-table", true, name))
                @if r.ok > 0 {
                    form #confirm-form .confirm method="post" action=(format!("/tasks/{name}/run")) data-testid="confirm-form" {
                        (hidden_selection(s))
                        @for key in OPTION_KEYS {
                            @if let Some(v) = layout::value(&s.pairs, key) { input type="hidden" name=(key) value=(v); }
                        }
                        @if name == "delete" {
                            div.alert.warning {
                                p { strong { "Deleting is permanent." } " The customers' last records are kept in the audit log only." }
                                (Field::new("confirm-delete", "confirm_delete",
                                    format!("Yes, delete {} for good", plural(r.ok, "customer", "customers")))
                                    .error(typed_error(draft, "task", "confirm_delete"))
                                    .checkbox(false))
                            }
                        }
                        @if name == "deploy-policy" && layout::value(&s.pairs, "action") == Some("overwrite") {
                            p.alert.warning { strong { "Overwrite replaces the whole list and cannot be undone." } }
                        }
                        div.actions {
                            button type="submit" #confirm-button data-testid="confirm-button"
                                class=(if name == "delete" { "danger" } else { "primary" }) {
                                "Confirm: " (m.verb) " " (plural(r.ok, "customer", "customers"))
                            }
                            a.button href=(s.back) #cancel-task { "Cancel" }
                        }
                    }
                } @else {
                    p.alert.info data-testid="nothing-to-do" { "Nothing to do: none of the selected customers would change." }
                    p { a href=(s.back) #cancel-task { "Back" } }
                }
            }
        } @else {
            p { a href=(s.back) #cancel-task { "Cancel and go back" } }
        }
    };
    let title = if error.is_some() {
        format!("Error: {} – preview", m.title)
    } else {
        format!("{} – preview", m.title)
    };
    Ok(layout::html(
        status,
        document(app, &title, Nav::Customers, None, body),
    ))
}

fn option_id(key: &str) -> String {
    match key {
        "action" => "task-action-append".into(),
        "include_expiring" => "task-include-expiring".into(),
        other => format!("task-{other}"),
    }
}

/// The options form of tasks that take options; empty for the others.
fn options_form(app: &App, name: &str, s: &Start, draft: Option<&Draft>) -> Result<Markup, Error> {
    let val = |key: &str, default: &str| {
        draft
            .and_then(|d| d.value("task", key).map(str::to_string))
            .or_else(|| layout::value(&s.pairs, key).map(str::to_string))
            .unwrap_or_else(|| default.to_string())
    };
    let err = |key: &str| typed_error(draft, "task", key);
    let fields = match name {
        "assign-template" => {
            let templates: Vec<(String, String)> = app
                .desk
                .templates()?
                .into_iter()
                .filter(|t| t.product == Product::Wfbss)
                .map(|t| (t.name.clone(), t.name))
                .collect();
            if templates.is_empty() {
                html! { p.alert.info { "There is no wfbss template yet. " a href="/templates" { "Add a template" } " first." } }
            } else {
                let mut opts = vec![(String::new(), "Choose a template".to_string())];
                opts.extend(templates);
                Field::new("task-template", "template", "Template")
                    .required()
                    .value(val("template", ""))
                    .error(err("template"))
                    .select(&opts)
            }
        }
        "deploy-policy" => {
            let mut lists = vec![(String::new(), "Choose a list".to_string())];
            lists.extend(
                PolicyList::ALL
                    .iter()
                    .map(|l| (l.code().to_string(), l.code().to_string())),
            );
            let action = val("action", "append");
            html! {
                (Field::new("task-list", "list", "Policy list").required().value(val("list", "")).error(err("list")).select(&lists))
                fieldset.inline {
                    legend { "Action" }
                    @for a in PolicyAction::ALL {
                        div.check {
                            input type="radio" name="action" value=(a.code()) id=(format!("task-action-{}", a.code()))
                                checked[action == a.code()];
                            label for=(format!("task-action-{}", a.code())) {
                                @match a {
                                    PolicyAction::Append => "Append (add the entries)",
                                    PolicyAction::Delete => "Delete (remove the entries)",
                                    PolicyAction::Overwrite => "Overwrite (replace the list; cannot be undone)",
                                }
                            }
                        }
                    }
                    @if let Some(e) = err("action") { span.field-error data-testid="field-error" { (layout::message_text(&e)) } }
                }
                (Field::new("task-entries", "entries", "Entries").required().value(val("entries", "")).error(err("entries"))
                    .hint("One entry per line, or separated by ;. URLs start with http:// or https://; ML exceptions are SHA-1 hashes; program paths may use *, ? and %VAR%.")
                    .textarea(6))
            }
        }
        "renew" => html! {
            (Field::new("task-until", "until", "Renew until").kind("date").value(val("until", "")).error(err("until"))
                .hint("Optional. Empty means today plus the plan's license period.").input())
            (Field::new("task-include-expiring", "include_expiring", "Also renew licenses that expire soon")
                .error(err("include_expiring"))
                .checkbox(matches!(val("include_expiring", "").as_str(), "yes" | "on" | "true" | "1")))
        },
        _ => return Ok(html! {}),
    };
    Ok(html! {
        form #task-options .stack method="post" action=(format!("/tasks/{name}")) data-testid="task-options" {
            (hidden_selection(s))
            input type="hidden" name="options" value="1";
            fieldset {
                legend { "Options" }
                (fields)
            }
            div.actions { button type="submit" #preview-button { "Preview" } }
        }
    })
}

fn outcome_badge(o: Outcome, preview: bool) -> Markup {
    let (class, text, code) = match o {
        Outcome::Ok if preview => ("badge green", "Affected", "ok"),
        Outcome::Ok => ("badge green", "Done", "ok"),
        Outcome::Skipped => ("badge grey", "Skipped", "skipped"),
        Outcome::Failed => ("badge red", "Failed", "failed"),
    };
    html! { span class=(class) data-outcome=(code) { (text) } }
}

fn results_table(r: &BulkReport, id: &str, preview: bool, name: &str) -> Markup {
    let deleted = |o: Outcome| !preview && name == "delete" && o == Outcome::Ok;
    html! {
        div.table-wrap {
            table id=(id) data-testid=(id) {
                caption.vh { @if preview { "Preview per customer" } @else { "Result per customer" } }
                thead {
                    tr {
                        th scope="col" { "Customer" }
                        th scope="col" { "Outcome" }
                        th scope="col" { @if preview { "What would happen, or why not" } @else { "Details" } }
                    }
                }
                tbody {
                    @for t in &r.results {
                        tr data-testid="task-row" data-id=(t.id) data-outcome=(match t.outcome { Outcome::Ok => "ok", Outcome::Skipped => "skipped", Outcome::Failed => "failed" }) {
                            th scope="row" {
                                @if t.company.is_empty() {
                                    "Customer " (t.id)
                                } @else if deleted(t.outcome) {
                                    (t.company)
                                } @else {
                                    a href=(format!("/customers/{}", t.id)) { (t.company) }
                                }
                            }
                            td { (outcome_badge(t.outcome, preview)) }
                            td { (layout::message_text(t.reason.as_deref().unwrap_or(""))) }
                        }
                    }
                }
            }
        }
    }
}

fn render_result(app: &App, name: &str, s: &Start, r: &BulkReport) -> Response {
    let m = meta(name);
    // After a delete the customer page is gone; go back to the list instead.
    let back = if name == "delete" && s.back.starts_with("/customers/") {
        "/".to_string()
    } else {
        s.back.clone()
    };
    let body = html! {
        h1 { (m.title) ": result" }
        p.summary role="status" data-testid="result-summary" {
            strong { (plural(r.ok, "customer", "customers")) " done" } ", "
            (plural(r.skipped, "skipped", "skipped")) ", "
            (plural(r.failed, "failed", "failed")) "."
        }
        (results_table(r, "result-table", false, name))
        p.actions {
            a.button.primary href=(back) #back-to-list { @if back.starts_with("/customers/") { "Back to the customer" } @else { "Back to the customer list" } }
            a.button href="/audit" { "Audit log" }
            @if name == "update-firmware" && r.ok > 0 { a.button href="/outbox" { "Open the outbox" } }
        }
    };
    layout::html(
        200,
        document(
            app,
            &format!("{} – result", m.title),
            Nav::Customers,
            None,
            body,
        ),
    )
}
