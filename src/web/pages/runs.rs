//! Stored task runs: `GET /runs/{id}` shows what a confirmed task did, read from what was
//! stored when it ran, so reloading, going Back or sharing the address never runs anything;
//! `GET /runs` lists the runs, newest first.

use super::layout::Col::{Head, Number};
use super::layout::{self, Nav, Reply};
use super::tasks::{meta, pair_words, report_sections, totals, Mode};
use crate::tasks::runs::RunRecord;
use crate::web::app::App;
use crate::web::http::{url_encode, Request};
use maud::{html, Markup};

const BACK: (&str, &str) = ("/runs", "Back to the task runs");

/// Where the task was started from, carried to its result page: `?customer=ID`, or the list's
/// filter as `?back=…` (re-read through the filter grammar, so only its own encoding goes
/// into the `Location`).
pub(super) fn back_query(pairs: &[(String, String)]) -> String {
    if let Some(id) = layout::value(pairs, "back_customer").and_then(|v| v.parse::<u64>().ok()) {
        return format!("?customer={id}");
    }
    match layout::list_link(layout::value(pairs, "back")).strip_prefix("/?") {
        Some(query) => format!("?back={}", url_encode(query)),
        None => String::new(),
    }
}

/// The "back" link of a result page: the customer it was started from (unless deleted), or
/// the list with the filter it showed.
fn back_link(pairs: &[(String, String)], task: &str) -> (String, &'static str) {
    match layout::value(pairs, "customer").and_then(|v| v.parse::<u64>().ok()) {
        Some(id) if task != "delete" => (format!("/customers/{id}"), "Back to the customer"),
        _ => (
            layout::list_link(layout::value(pairs, "back")),
            "Back to the customer list",
        ),
    }
}
const PAGE: usize = 50;

/// How the run chose its customers, with a link to the list of that filter.
fn selection(r: &RunRecord) -> Markup {
    let ids = r.selection.iter().find(|(k, _)| k == "ids");
    let query: Vec<(&str, &str)> = r
        .selection
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    html! {
        @match ids {
            Some((_, list)) => {
                (layout::thousands(list.split(',').count())) " customers chosen by id."
            }
            None if query.is_empty() => { "Every customer the view showed." }
            None => {
                "The customers matching "
                a href=(format!("/?{}", crate::web::http::build_query(&query))) data-testid="run-filter" {
                    (pair_words(query.iter().copied()))
                }
                "."
            }
        }
    }
}

pub fn page(app: &App, req: &Request, id: &str) -> Reply {
    let id = layout::id_of(app, "task run", id)?;
    let run = app.desk.task_run(id).map_err(layout::failed(app, BACK))?;
    let pairs = layout::query(app, req)?;
    let r = &run.report;
    let m = meta(r.task);
    let back = back_link(&pairs, r.task);
    let body = html! {
        h1 { (m.title) ": result" }
        p.lead data-testid="run-facts" {
            "Run " (id) " · " (layout::time(&run.time.to_string())) " · from the " (run.actor.code()) ". "
            (selection(&run))
        }
        @if !run.options.is_empty() {
            dl.facts data-testid="run-options" {
                @for (k, v) in &run.options {
                    dt { (k.replace('_', " ")) } dd { (layout::message_text(v)) }
                }
            }
        }
        (totals(r, false))
        p.actions {
            a.button.primary href=(back.0) #back-to-list { (back.1) }
            a.button href="/runs" { "All task runs" }
            a.button href="/audit" { "Audit log" }
            @if r.task == "update-firmware" && r.ok > 0 { a.button href="/outbox" { "Open the outbox" } }
        }
        h2 { "Per customer" }
        (report_sections(r, Mode::Run { id, task: r.task }, layout::value(&pairs, "page")))
    };
    let title = format!("{} – run {id}", m.title);
    layout::page(app, 200, &title, Nav::Audit, None, body)
}

pub fn list(app: &App, req: &Request) -> Reply {
    let pairs = layout::query(app, req)?;
    let before = match layout::value(&pairs, "before") {
        Some(b) => Some(layout::id_of(app, "task run", b)?),
        None => None,
    };
    let runs = app
        .desk
        .task_runs(PAGE + 1, before)
        .map_err(layout::failed(app, ("/", "Back to the customer list")))?;
    let more = runs.len() > PAGE;
    let runs = &runs[..runs.len().min(PAGE)];
    let rows = html! {
        @for run in runs {
            @let id = run.report.run.unwrap_or_default();
            tr data-testid="run-row" data-id=(id) {
                th scope="row" { a href=(format!("/runs/{id}")) { "Run " (id) } }
                td { (layout::time(&run.time.to_string())) }
                td { (run.actor.code()) }
                td { (meta(run.report.task).title) }
                td.num { (layout::thousands(run.report.ok)) }
                td.num { (layout::thousands(run.report.skipped)) }
                td.num { (layout::thousands(run.report.failed)) }
                td { (selection(run)) }
            }
        }
    };
    let body = html! {
        h1 { "Task runs" }
        p.lead { "Every bulk task that ran, newest first, with what it did to each customer. The audit log has each change." }
        (layout::table_or(
            runs.is_empty(),
            html! { p.empty data-testid="no-runs" { "No task has run yet." } },
            "runs",
            &[Head("Run"), Head("Time"), Head("From"), Head("Task"), Number("Done"), Number("Skipped"), Number("Failed"), Head("Customers")],
            rows,
        ))
        @if more {
            @if let Some(last) = runs.last().and_then(|r| r.report.run) {
                p { a href=(format!("/runs?before={last}")) data-testid="older-runs" { "Older runs" } }
            }
        }
    };
    layout::page(app, 200, "Task runs", Nav::Audit, None, body)
}
