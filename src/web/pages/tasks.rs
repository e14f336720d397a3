//! Bulk tasks: `POST /tasks/{name}` shows the task's options and a dry run (totals and Confirm
//! first, then who is affected, then who is skipped or fails, grouped by reason);
//! `POST /tasks/{name}/run` runs exactly what was previewed and answers `303` to the stored run
//! (`GET /runs/{id}`, in `runs.rs`), so reloading a result never runs anything.

use super::customers::no_selection;
use super::layout::{self, error_summary, field_errors, typed_error, Draft, Field, Nav, Reply};
use super::runs;
use crate::domain::error::{Error, Key, Thing};
use crate::domain::filter::Filter;
use crate::domain::model::{Actor, PolicyAction, PolicyList, Product, TaskResult};
use crate::domain::numbers;
use crate::tasks::bulk::{BulkReport, BulkTask, Outcome, Selection};
use crate::tasks::runs::fingerprint;
use crate::web::app::{form_selection, status_of, task_from_pairs, App};
use crate::web::http::{Request, Response};
use maud::{html, Markup};

/// The option keys of all tasks; the confirm form carries them over exactly as previewed.
const OPTION_KEYS: &[&str] = BulkTask::OPTIONS;

pub(super) struct Meta {
    pub(super) title: &'static str,
    verb: &'static str,
    about: &'static str,
}

pub(super) fn meta(name: &str) -> Meta {
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

/// What a task page starts from: the form pairs, the customers chosen and where "back" leads.
struct Start {
    pairs: Vec<(String, String)>,
    selection: Selection,
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
    let selection = match form_selection(&pairs) {
        Ok(Some(Selection::Ids(ids))) => {
            let mut seen = std::collections::HashSet::new();
            Selection::Ids(ids.into_iter().filter(|id| seen.insert(*id)).collect())
        }
        Ok(Some(filter)) => filter,
        Ok(None) => return Err(no_selection(app, meta(name).title, &back)),
        Err(e) => return Err(layout::error_page(app, &e, (&back, "Back"))),
    };
    Ok(Start {
        pairs,
        selection,
        back,
    })
}

/// Whether the person already submitted the options form (so missing options are errors).
fn options_given(pairs: &[(String, String)]) -> bool {
    layout::value(pairs, "options") == Some("1")
}

/// Why a preview is shown instead of a result.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Notice {
    None,
    /// Confirm was pressed after the options (or selection) changed: nothing ran.
    Changed,
}

pub fn preview(app: &App, req: &Request, name: &str) -> Reply {
    let s = start(app, req, name)?;
    show_preview(app, name, &s, Notice::None)
}

fn show_preview(app: &App, name: &str, s: &Start, notice: Notice) -> Reply {
    match task_from_pairs(name, &s.pairs) {
        Ok(task) => match app
            .desk
            .run_bulk(app.desk.ctx(Actor::Web), &s.selection, &task, true)
        {
            Ok(report) => render_preview(app, name, s, Some((&task, &report)), None, notice, 200),
            Err(e) => {
                let status = status_of(&e);
                render_preview(app, name, s, None, Some(&e), notice, status)
            }
        },
        Err(_) if !options_given(&s.pairs) => render_preview(app, name, s, None, None, notice, 200),
        Err(e) => {
            let status = status_of(&e);
            render_preview(app, name, s, None, Some(&e), notice, status)
        }
    }
}

/// Runs what the preview showed: the form carries the preview's fingerprint, and anything
/// else (options edited after the preview, another selection) gets a new preview instead.
/// A run answers `303` to its stored result, so a reload or Back never runs it again.
pub fn run(app: &App, req: &Request, name: &str) -> Reply {
    let s = start(app, req, name)?;
    let task = match task_from_pairs(name, &s.pairs) {
        Ok(t) => t,
        Err(e) => {
            let status = status_of(&e);
            return render_preview(app, name, &s, None, Some(&e), Notice::None, status);
        }
    };
    if layout::value(&s.pairs, "previewed") != Some(fingerprint(&task, &s.selection).as_str()) {
        return show_preview(app, name, &s, Notice::Changed);
    }
    let ctx = app.desk.ctx(Actor::Web);
    if matches!(task, BulkTask::Delete) && layout::value(&s.pairs, "confirm_delete") != Some("yes")
    {
        let e = Error::invalid(
            "confirm_delete",
            "tick the box to confirm that the customers are deleted for good",
        );
        let report = app.desk.run_bulk(ctx, &s.selection, &task, true).ok();
        let shown = report.as_ref().map(|r| (&task, r));
        return render_preview(app, name, &s, shown, Some(&e), Notice::None, 422);
    }
    match app.desk.run_bulk(ctx, &s.selection, &task, false) {
        Ok(BulkReport { run: Some(id), .. }) => Ok(Response::redirect_see_other(&format!(
            "/runs/{id}{}",
            runs::back_query(&s.pairs)
        ))),
        Ok(_) => Err(layout::error_page(
            app,
            &Error::Internal("a confirmed run was not stored".into()),
            (&s.back, "Back"),
        )),
        Err(e) => {
            let status = status_of(&e);
            render_preview(app, name, &s, None, Some(&e), Notice::None, status)
        }
    }
}

fn hidden_selection(s: &Start) -> Markup {
    html! {
        @match &s.selection {
            Selection::Ids(ids) => { @for id in ids { input type="hidden" name="ids" value=(id); } }
            Selection::Filter(_) => { input type="hidden" name="match" value="all"; }
        }
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

/// "3 customers selected." or "All 812 customers matching account type LMP, licence expired."
fn selection_line(app: &App, s: &Start, report: Option<&BulkReport>) -> Markup {
    let count = |f: &Filter| match report {
        Some(r) => r.ok + r.skipped + r.failed,
        None => app
            .desk
            .list(&Filter {
                limit: 1,
                ..f.clone()
            })
            .map_or(0, |p| p.total),
    };
    html! {
        p data-testid="selected-count" {
            @match &s.selection {
                Selection::Ids(ids) => { (plural(ids.len(), "customer", "customers")) " selected." }
                Selection::Filter(f) => {
                    "All " strong { (plural(count(f), "customer", "customers")) } " matching "
                    @if f.is_unfiltered() { "no filter (every customer the view shows)" }
                    @else { a href=(format!("/{}", layout::filter_query(f))) { (filter_words(f)) } }
                    "."
                }
            }
        }
    }
}

/// The filter's keys as words: `license: expired, account type: LMP`.
fn filter_words(f: &Filter) -> String {
    let pairs = crate::tasks::runs::selecting_pairs(f);
    pair_words(pairs.iter().map(|(k, v)| (*k, v.as_str())))
}

/// `key=value` pairs as words: `license: expired, account type: LMP`.
pub(super) fn pair_words<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}: {v}", k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[allow(clippy::too_many_arguments)]
fn render_preview(
    app: &App,
    name: &str,
    s: &Start,
    shown: Option<(&BulkTask, &BulkReport)>,
    error: Option<&Error>,
    notice: Notice,
    status: u16,
) -> Reply {
    let m = meta(name);
    let draft = error.map(|e| Draft::new("task", s.pairs.clone(), e.clone()));
    let draft = draft.as_ref();
    let fields =
        option_fields(app, name, s, draft).map_err(layout::failed(app, (&s.back, "Back")))?;
    let report = shown.map(|(_, r)| r);
    let errors = html! {
        @if let Some(e) = error {
            @let ids = |f: &str| OPTION_KEYS.contains(&f).then(|| option_id(f));
            @let confirm_ids = |f: &str| if f == "confirm_delete" { Some("confirm-delete".to_string()) } else { ids(f) };
            @if field_errors(e).is_empty() {
                (layout::error_block(e))
            } @else {
                (error_summary(e, &confirm_ids, &|f: &str| f.replace('_', " ")))
            }
        }
    };
    let options = html! {
        @if let Some(fields) = &fields {
            input type="hidden" name="options" value="1";
            fieldset { legend { "Options" } (fields) }
        }
    };
    let body = html! {
        h1 { (m.title) ": preview" }
        p.lead { (m.about) }
        (selection_line(app, s, report))
        @if notice == Notice::Changed {
            div.alert.warning role="alert" data-testid="changed-notice" {
                p { strong { "Nothing was run." } " The options or the selection changed after the preview, so this is a new preview of what you chose now. Check it, then confirm again." }
            }
        }
        (errors)
        @match shown {
            Some((task, r)) if r.ok > 0 => {
                form #confirm-form .stack method="post" action=(format!("/tasks/{name}/run")) data-testid="confirm-form" {
                    (hidden_selection(s))
                    input type="hidden" name="previewed" value=(fingerprint(task, &s.selection));
                    (options)
                    @if fields.is_some() {
                        div.actions {
                            button type="submit" #preview-button formaction=(format!("/tasks/{name}")) { "Preview again" }
                            span.hint { "Changed an option? Preview again before you confirm." }
                        }
                    }
                    section.preview-top aria-labelledby="preview-heading" {
                        h2 #preview-heading { "What would happen" }
                        (totals(r, true))
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
                            p.alert.warning { strong { "Overwrite replaces the whole list and cannot be undone." } " Each affected customer below says how many entries it loses." }
                        }
                        div.actions {
                            button type="submit" #confirm-button data-testid="confirm-button"
                                class=(if name == "delete" { "danger" } else { "primary" }) {
                                "Confirm: " (m.verb) " " (plural(r.ok, "customer", "customers"))
                            }
                            a.button href=(s.back) #cancel-task { "Cancel" }
                        }
                    }
                    (report_sections(r, Mode::Preview { name }, layout::value(&s.pairs, "page")))
                }
            }
            _ => {
                @if fields.is_some() {
                    form #task-options .stack method="post" action=(format!("/tasks/{name}")) data-testid="task-options" {
                        (hidden_selection(s))
                        (options)
                        div.actions { button type="submit" #preview-button { "Preview" } }
                    }
                }
                @if let Some(r) = report {
                    section aria-labelledby="preview-heading" {
                        h2 #preview-heading { "What would happen" }
                        (totals(r, true))
                        p.alert.info data-testid="nothing-to-do" { "Nothing to do: none of the selected customers would change." }
                        p { a href=(s.back) #cancel-task { "Back" } }
                        form method="post" action=(format!("/tasks/{name}")) {
                            (hidden_selection(s))
                            @for key in OPTION_KEYS {
                                @if let Some(v) = layout::value(&s.pairs, key) { input type="hidden" name=(key) value=(v); }
                            }
                            (report_sections(r, Mode::Preview { name }, layout::value(&s.pairs, "page")))
                        }
                    }
                } @else {
                    p { a href=(s.back) #cancel-task { "Cancel and go back" } }
                }
            }
        }
    };
    let title = if error.is_some() {
        format!("Error: {} – preview", m.title)
    } else {
        format!("{} – preview", m.title)
    };
    layout::page(app, status, &title, Nav::Customers, None, body)
}

/// "63 customers affected, 937 skipped, 0 failed."
pub(super) fn totals(r: &BulkReport, preview: bool) -> Markup {
    let testid = if preview {
        "preview-summary"
    } else {
        "result-summary"
    };
    html! {
        p.summary role="status" data-testid=(testid) {
            strong { (plural(r.ok, "customer", "customers")) @if preview { " affected" } @else { " done" } } ", "
            (plural(r.skipped, "skipped", "skipped")) ", "
            (plural(r.failed, "failed", "failed")) "."
            @if preview { " Nothing has been changed yet." }
        }
    }
}

fn option_id(key: &str) -> String {
    match key {
        "action" => "task-action-append".into(),
        "include_expiring" => "task-include-expiring".into(),
        other => format!("task-{other}"),
    }
}

/// The option fields of tasks that take options; `None` for the others.
fn option_fields(
    app: &App,
    name: &str,
    s: &Start,
    draft: Option<&Draft>,
) -> Result<Option<Markup>, Error> {
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
        _ => return Ok(None),
    };
    Ok(Some(fields))
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

/// Where a report is shown: a preview (paged by re-posting its form) or a stored run (paged by
/// links).
#[derive(Clone, Copy)]
pub(super) enum Mode<'a> {
    Preview { name: &'a str },
    Run { id: u64, task: &'a str },
}

/// Rows shown per group before paging.
const ROWS: usize = 100;

/// The report: affected customers first, then the skipped and the failed ones grouped by
/// reason (largest group first), each group collapsible and paged by [`ROWS`]. `page` is
/// `group:from` of the group being paged.
pub(super) fn report_sections(r: &BulkReport, mode: Mode, page: Option<&str>) -> Markup {
    let preview = matches!(mode, Mode::Preview { .. });
    let (paged, from) = page
        .and_then(|p| p.rsplit_once(':'))
        .and_then(|(g, f)| Some((g, f.parse::<usize>().ok()?)))
        .unwrap_or(("", 0));
    let mut groups: Vec<(String, String, Vec<&TaskResult>)> = Vec::new();
    let ok: Vec<&TaskResult> = r
        .results
        .iter()
        .filter(|t| t.outcome == Outcome::Ok)
        .collect();
    if !ok.is_empty() {
        let title = if preview {
            format!("{} affected", plural(ok.len(), "customer", "customers"))
        } else {
            format!("{} done", plural(ok.len(), "customer", "customers"))
        };
        groups.push(("ok".into(), title, ok));
    }
    for (outcome, word) in [(Outcome::Skipped, "skipped"), (Outcome::Failed, "failed")] {
        for (i, (reason, rows)) in r.by_reason(outcome).into_iter().enumerate() {
            let title = format!("{} {word}: {reason}", layout::thousands(rows.len()));
            groups.push((format!("{word}-{i}"), title, rows));
        }
    }
    let id = if preview {
        "preview-table"
    } else {
        "result-table"
    };
    let task = match mode {
        Mode::Preview { name } | Mode::Run { task: name, .. } => name,
    };
    html! {
        div.task-groups #(id) data-testid=(id) {
            @for (key, title, rows) in &groups {
                @let start = if key == paged { from.min(rows.len().saturating_sub(1) / ROWS * ROWS) } else { 0 };
                @let shown = &rows[start..(start + ROWS).min(rows.len())];
                @let table = group_table(shown, preview, task);
                @if key == "ok" {
                    section.task-group aria-label=(title) data-testid="task-group" data-group=(key) {
                        h3 { (title) }
                        (table)
                        (pager(mode, key, start, rows.len()))
                    }
                } @else {
                    details.task-group data-testid="task-group" data-group=(key) open[key == paged || groups.len() == 1] {
                        summary { (layout::message_text(title)) }
                        (table)
                        (pager(mode, key, start, rows.len()))
                    }
                }
            }
            @if r.omitted > 0 {
                p.hint data-testid="omitted-results" {
                    (layout::thousands(r.omitted as usize)) " more customers are counted above but not listed: a stored run lists the first "
                    (layout::thousands(crate::domain::limits::RUN_RESULTS)) "."
                }
            }
        }
    }
}

fn group_table(rows: &[&TaskResult], preview: bool, task: &str) -> Markup {
    let deleted = |o: Outcome| !preview && task == "delete" && o == Outcome::Ok;
    html! {
        div.table-wrap {
            table.task-table {
                thead {
                    tr {
                        th scope="col" { "Customer" }
                        th scope="col" { "Outcome" }
                        th scope="col" { @if preview { "What would happen, or why not" } @else { "Details" } }
                    }
                }
                tbody {
                    @for t in rows {
                        tr data-testid="task-row" data-id=(t.id) data-outcome=(t.outcome.code()) {
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

/// "Showing 101–200 of 812" with the previous and next pages of one group.
fn pager(mode: Mode, key: &str, start: usize, total: usize) -> Markup {
    if total <= ROWS {
        return html! {};
    }
    let end = (start + ROWS).min(total);
    let prev = (start > 0).then(|| start.saturating_sub(ROWS));
    let next = (end < total).then_some(end);
    let control = |to: usize, label: &str| match mode {
        Mode::Preview { name } => html! {
            button.link type="submit" name="page" value=(format!("{key}:{to}"))
                formaction=(format!("/tasks/{name}")) { (label) }
        },
        Mode::Run { id, .. } => html! {
            a href=(format!("/runs/{id}?page={key}:{to}")) { (label) }
        },
    };
    html! {
        p.pager data-testid="group-pager" {
            "Showing " (layout::thousands(start + 1)) "–" (layout::thousands(end)) " of " (layout::thousands(total)) ". "
            @if let Some(p) = prev { (control(p, "Previous")) " " }
            @if let Some(n) = next { (control(n, "Next")) }
        }
    }
}
