//! The JSON API of SPEC §5.2: one route table ([`ROUTES`]) from which the router
//! ([`handle`]), the 405s' `Allow` and the OpenAPI paths come; handlers turn HTTP requests
//! into task calls, and the tasks' answers into JSON.
//!
//! **Architecture Invariant:** no rule lives here. Validation, selection, outcomes and their
//! wording come from `core`; this module only reads requests (query pairs, JSON bodies, CSV
//! bodies) and writes responses. The conventions, all described in `/api/openapi.json`
//! ([`openapi`]):
//! - success bodies are the core's read models (`core::view`, `BulkReport`, `ImportReport`)
//!   serialised as they are; deletes answer `204 No Content`;
//! - errors are `{"error":{"code","message","field"}}` with the status of `app::status_of`;
//!   a 422 also lists every field error under `errors`, a rejected import its rows under `rows`;
//! - request bodies are `application/json` (`text/csv` for `/api/import`); unknown body
//!   fields and unknown query parameters are refused with 422 naming them;
//! - a path that exists with another method answers 405 with a fixed `Allow` header
//!   (from [`ROUTES`]); any other path 404.

mod json;
pub mod openapi;
mod routes;
mod schema;

use routes::Found;
pub use routes::{allow, Route, ROUTES};

use self::json::{
    body, body_and_value, digits, error, flag, invalid, last, media_type, no_content,
    no_empty_values, number, query, Answer, ApiError,
};
use super::app::{self, App};
use super::http::{Method, Request, Response};
use crate::domain::audit::AuditFilter;
use crate::domain::error::{Error, Key, Thing};
use crate::domain::filter::FILTER_KEYS;
use crate::domain::model::{Actor, View};
use crate::domain::validate::CustomerInput;
use crate::tasks::bulk::{BulkTask, Outcome, Selection};
use crate::tasks::catalogs::{PlanInput, TemplateInput};
use crate::tasks::csv::{ExportOptions, ImportOptions};
use crate::tasks::desk::{Ctx, CustomerRef};
use crate::tasks::holdings::{DeviceInput, EventInput, LicenseChange};
use crate::tasks::runs::{self, RunView};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The options each bulk task takes besides the selection and `dry_run` (SPEC §2).
pub const TASK_OPTIONS: &[(&str, &[&str])] = &[
    ("delete", &[]),
    ("assign-template", &["template"]),
    ("deploy-policy", &["list", "action", "entries"]),
    ("update-firmware", &[]),
    ("renew", &["until", "include_expiring"]),
    ("suspend", &[]),
    ("reactivate", &[]),
];

/// Query keys of the CSV export besides the filter keys.
pub const EXPORT_KEYS: &[&str] = &["ids", "raw", "excel"];

/// Answers every request under `/api/` by its row of [`ROUTES`]: 405 with the path's `Allow`
/// when only the method is wrong, else 404.
pub fn handle(app: &App, req: &Request) -> Response {
    let segments = req.segments();
    let rest = match segments.split_first() {
        Some((&"api", rest)) => rest,
        _ => &[][..],
    };
    let answer = match routes::find(req.method, rest) {
        Found::Route(route, params) => route.call(app, req, &params),
        Found::OtherMethods(allow) => Err(method_not_allowed(req, allow)),
        // An unknown task gets the list of tasks in its 404.
        Found::NoPath if req.method == Method::Post && matches!(rest, ["tasks", _]) => {
            run_task(app, req, rest[1])
        }
        Found::NoPath => Err(error(
            404,
            "not_found",
            "there is no such API path; GET /api/openapi.json lists them all",
            None,
        )),
    };
    answer.unwrap_or_else(|ApiError(response)| response)
}

fn method_not_allowed(req: &Request, allow: String) -> ApiError {
    let ApiError(response) = error(
        405,
        "method_not_allowed",
        &format!(
            "{} is not allowed here; this path answers {allow}",
            match req.method {
                Method::Other => "this method",
                m => m.as_str(),
            },
        ),
        None,
    );
    ApiError(response.with_header("Allow", allow))
}

fn openapi_json(req: &Request) -> Answer {
    no_query(req)?;
    Ok(Response::new(
        200,
        super::http::CONTENT_TYPE_JSON,
        openapi::document_bytes().to_vec(),
    ))
}

fn ok<T: serde::Serialize + ?Sized>(value: &T) -> Answer {
    Ok(Response::json(200, value))
}

fn created<T: serde::Serialize + ?Sized>(value: &T) -> Answer {
    Ok(Response::json(201, value))
}

fn ctx(app: &App) -> Ctx {
    app.desk.ctx(Actor::Api)
}

/// Refuses query parameters on paths that take none.
fn no_query(req: &Request) -> Result<(), ApiError> {
    query(req, &[]).map(|_| ())
}

/// An id from the path; anything but a whole number names nothing that exists (404).
fn path_id(segment: &str, what: &str) -> Result<u64, ApiError> {
    digits(segment).ok_or_else(|| {
        error(
            404,
            "not_found",
            &format!("there is no {what} `{segment}`; {what} ids are whole numbers"),
            Some("id"),
        )
    })
}

fn customer_id(segment: &str) -> Result<u64, ApiError> {
    path_id(segment, "customer")
}

/// The id in the path and the JSON body of a request that takes no query, checked in that
/// order.
fn id_and_body<T: serde::de::DeserializeOwned>(
    req: &Request,
    segment: &str,
    what: &str,
) -> Result<(u64, T), ApiError> {
    no_query(req)?;
    let id = path_id(segment, what)?;
    Ok((id, body(req)?))
}

/// The JSON body of a request whose path takes no query.
fn query_free_body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    no_query(req)?;
    body(req)
}

/// Removes what the id in the path names, for a path that takes no query: 204 No Content.
fn removed(
    req: &Request,
    segment: &str,
    what: &str,
    remove: impl FnOnce(u64) -> crate::domain::error::Result<()>,
) -> Answer {
    no_query(req)?;
    remove(path_id(segment, what)?)?;
    Ok(no_content())
}

// ---- customers -------------------------------------------------------------------------

fn list_customers(app: &App, req: &Request) -> Answer {
    let pairs = query(req, FILTER_KEYS)?;
    no_empty_values(&pairs, &["q"])?;
    let filter = app::filter_from_pairs(&pairs)?;
    Ok(Response::new(
        200,
        super::http::CONTENT_TYPE_JSON,
        app.desk.list_json(&filter)?,
    ))
}

/// The keys a licence object in a customer body may have (`LicenseInput` does not refuse
/// unknown keys itself).
const LICENSE_KEYS: &[&str] = &[
    "plan", "units", "used", "start", "expiry", "id", "plan_id", "product", "kind", "status",
];

fn customer_body(req: &Request) -> Result<CustomerInput, ApiError> {
    let (input, value) = body_and_value::<CustomerInput>(req)?;
    if let Some(Value::Array(licenses)) = value.get("licenses") {
        for (i, l) in licenses.iter().enumerate() {
            if let Some(key) = l
                .as_object()
                .and_then(|o| o.keys().find(|k| !LICENSE_KEYS.contains(&k.as_str())))
            {
                return Err(error(
                    422,
                    "unknown_field",
                    &format!(
                        "unknown field `{key}` in licence {i}; a licence has {}",
                        LICENSE_KEYS[..5].join(", ")
                    ),
                    Some(&format!("licenses[{i}].{key}")),
                ));
            }
        }
    }
    Ok(input)
}

fn add_customer(app: &App, req: &Request) -> Answer {
    no_query(req)?;
    let input = customer_body(req)?;
    created(&app.desk.add_customer(ctx(app), &input)?)
}

fn customer_detail(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    let id = customer_id(id)?;
    ok(&app.desk.detail(&CustomerRef::Id(id))?)
}

fn edit_customer(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    let id = customer_id(id)?;
    let input = customer_body(req)?;
    ok(&app.desk.edit_customer(ctx(app), id, &input)?)
}

/// The core's bulk delete on one customer (not a dry run): 204 when deleted, 409 with the
/// core's reason when skipped, 404 when there is no such customer.
fn delete_customer(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    let id = customer_id(id)?;
    let report = app.desk.run_bulk(
        ctx(app),
        &Selection::Ids(vec![id]),
        &BulkTask::Delete,
        false,
    )?;
    match report.results.first() {
        Some(r) if r.outcome == Outcome::Ok => Ok(no_content()),
        Some(r) if r.outcome == Outcome::Skipped => Err(Error::Refused(
            r.reason
                .clone()
                .unwrap_or_else(|| "the customer was not deleted".into()),
        )
        .into()),
        Some(_) | None => Err(Error::not_found(Thing::Customer, Key::Id(id)).into()),
    }
}

fn export_csv(app: &App, req: &Request) -> Answer {
    let allowed: Vec<&str> = FILTER_KEYS.iter().chain(EXPORT_KEYS).copied().collect();
    let pairs = query(req, &allowed)?;
    no_empty_values(&pairs, &["q"])?;
    let opts = ExportOptions {
        raw: flag(&pairs, "raw")?,
        excel: flag(&pairs, "excel")?,
    };
    if last(&pairs, "ids").is_some() {
        if let Some((key, _)) = pairs
            .iter()
            .find(|(k, _)| !matches!(k.as_str(), "ids" | "raw" | "excel"))
        {
            return Err(invalid(
                key,
                "give either ids or filters, not both; ids export exactly those customers",
            ));
        }
    }
    let selection = app::selection_from_pairs(&pairs)?;
    let mut out = Vec::with_capacity(64 * 1024);
    let done = app.desk.export_csv(&selection, opts, &mut out)?;
    Ok(app::csv_download(out, &done))
}

/// `GET /api/check`: every stored record that cannot be read (200 either way; `ok` says).
fn check(app: &App, req: &Request) -> Answer {
    query(req, &[])?;
    ok(&app.desk.check()?)
}

fn import_csv(app: &App, req: &Request) -> Answer {
    let pairs = query(req, &["dry_run", "raw"])?;
    let opts = ImportOptions {
        dry_run: flag(&pairs, "dry_run")?,
        raw: flag(&pairs, "raw")?,
    };
    match media_type(req).as_deref() {
        None | Some("text/csv") => {}
        Some(other) => {
            return Err(error(
                415,
                "unsupported_media_type",
                &format!(
                "the body is sent as `{other}`; send the CSV file with \"Content-Type: text/csv\""
            ),
                None,
            ))
        }
    }
    ok(&app
        .desk
        .import_csv(ctx(app), &mut req.body.as_slice(), opts)?)
}

// ---- bulk tasks ------------------------------------------------------------------------

/// `POST /api/tasks/{name}`: `{"ids":[…]}` or `{"filter":{…}}`, `"dry_run"` and the task's
/// options. Read key by key (not with serde) because a key's presence matters: an option the
/// task does not take is refused even when it is `null`.
fn run_task(app: &App, req: &Request, name: &str) -> Answer {
    no_query(req)?;
    let Some((_, options)) = TASK_OPTIONS.iter().find(|(n, _)| *n == name) else {
        return Err(error(
            404,
            "not_found",
            &format!(
                "there is no task `{name}`; the tasks are {}",
                BulkTask::NAMES.join(", ")
            ),
            None,
        ));
    };
    let Value::Object(fields) = body::<Value>(req)? else {
        return Err(error(
            400,
            "bad_json",
            "the body must be a JSON object such as {\"ids\": [1, 2], \"dry_run\": true}",
            None,
        ));
    };
    let wrong_type = |key: &str, what: &str| {
        error(
            400,
            "bad_json",
            &format!("`{key}` must be {what}"),
            Some(key),
        )
    };
    let (mut ids, mut filter, mut dry_run, mut given) = (None, None, false, Vec::new());
    for (key, value) in &fields {
        match (key.as_str(), value) {
            ("ids", v) => {
                let mut v = v.clone();
                json::integral_floats_to_integers(&mut v);
                ids = Some(
                    serde_json::from_value::<Vec<u64>>(v)
                        .map_err(|_| wrong_type(key, "a list of customer ids (whole numbers)"))?,
                )
            }
            ("filter", Value::Object(f)) => filter = Some(f),
            ("filter", _) => return Err(wrong_type(key, "an object of filter keys")),
            ("dry_run", Value::Bool(b)) => dry_run = *b,
            ("dry_run", _) => return Err(wrong_type(key, "true or false")),
            (k, v) if BulkTask::OPTIONS.contains(&k) => {
                if !options.contains(&k) {
                    let takes = if options.is_empty() {
                        "it takes no options".to_string()
                    } else {
                        format!("its options are {}", options.join(", "))
                    };
                    return Err(invalid(
                        k,
                        format!("is not an option of the {name} task; {takes}"),
                    ));
                }
                match (k, v) {
                    ("until" | "include_expiring", Value::Null) => {}
                    ("include_expiring", Value::Bool(b)) => {
                        given.push((k.to_string(), if *b { "yes" } else { "no" }.to_string()))
                    }
                    ("include_expiring", _) => return Err(wrong_type(k, "true or false")),
                    (_, Value::String(s)) => given.push((k.to_string(), s.clone())),
                    _ => return Err(wrong_type(k, "a string")),
                }
            }
            (k, _) => {
                let mut known = vec!["ids", "filter", "dry_run"];
                known.extend(options.iter());
                return Err(error(
                    422,
                    "unknown_field",
                    &format!(
                        "unknown field `{k}`; the {name} task takes {}",
                        known.join(", ")
                    ),
                    Some(k),
                ));
            }
        }
    }
    let selection = match (ids, filter) {
        (Some(_), Some(_)) => return Err(invalid("ids", "give either ids or a filter, not both")),
        (None, None) => {
            return Err(invalid(
                "ids",
                "required: the customers to act on, as \"ids\": [1, 2] or \"filter\": {…}",
            ))
        }
        (Some(ids), None) if ids.is_empty() => {
            return Err(invalid(
                "ids",
                "is empty; give at least one customer id (or a filter)",
            ))
        }
        (Some(ids), None) => Selection::Ids(ids),
        (None, Some(filter)) => Selection::Filter(task_filter(filter)?),
    };
    let task = app::task_from_pairs(name, &given)?;
    let key = req.header(IDEMPOTENCY_KEY);
    let (report, replayed) = app
        .desk
        .run_bulk_once(ctx(app), &selection, &task, dry_run, key)?;
    let answer = Response::json(200, &report);
    Ok(if replayed {
        answer.with_header(REPLAYED, "true")
    } else {
        answer
    })
}

/// The request header that makes a task run at most once per key.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The response header of an answer replayed from a stored run.
pub const REPLAYED: &str = "Idempotent-Replayed";

/// A task's `filter` object → the filter grammar's pairs → the core's filter (unpaged).
/// Values are strings (`product` may be a list; `attention`/`managed` may be booleans).
fn task_filter(filter: &Map<String, Value>) -> Result<crate::domain::filter::Filter, ApiError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in filter {
        let field = format!("filter.{key}");
        if matches!(key.as_str(), "limit" | "offset") {
            return Err(invalid(
                &field,
                "paging does not apply to a task: it acts on every match; leave it out",
            ));
        }
        match (key.as_str(), value) {
            (_, Value::String(s)) => pairs.push((key.clone(), s.clone())),
            ("attention" | "managed", Value::Bool(b)) => {
                pairs.push((key.clone(), if *b { "yes" } else { "no" }.into()))
            }
            ("product", Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::String(s) => pairs.push((key.clone(), s.clone())),
                        _ => return Err(invalid(&field, "must be a list of product codes")),
                    }
                }
            }
            _ => return Err(invalid(&field, "must be a string")),
        }
    }
    if let Some((key, _)) = pairs.iter().find(|(k, v)| v.trim().is_empty() && k != "q") {
        return Err(invalid(
            &format!("filter.{key}"),
            "is empty; give a value or leave the key out",
        ));
    }
    crate::domain::filter::Filter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map(|f| f.unpaged())
        .map_err(|e| match e {
            Error::Invalid(errors) => Error::Invalid(
                errors
                    .into_iter()
                    .map(|mut fe| {
                        fe.field = format!("filter.{}", fe.field);
                        fe
                    })
                    .collect(),
            )
            .into(),
            other => other.into(),
        })
}

// ---- settings --------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    view: String,
}

fn settings(app: &App, req: &Request) -> Answer {
    no_query(req)?;
    let s = app.desk.settings()?;
    ok(&json!({ "view": s.view.code() }))
}

fn set_settings(app: &App, req: &Request) -> Answer {
    let b: SettingsBody = query_free_body(req)?;
    let view = View::parse(&b.view).ok_or_else(|| {
        invalid(
            "view",
            format!("`{}` is not valid; use {}", b.view, View::choices()),
        )
    })?;
    let s = app.desk.set_view(ctx(app), view)?;
    ok(&json!({ "view": s.view.code() }))
}

// ---- plans and templates ---------------------------------------------------------------

fn plan_key(segment: &str) -> Result<&str, ApiError> {
    path_id(segment, "plan").map(|_| segment)
}

fn plan(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    ok(&app.desk.plan(plan_key(id)?)?)
}

fn add_plan(app: &App, req: &Request) -> Answer {
    let input: PlanInput = query_free_body(req)?;
    created(&app.desk.add_plan(ctx(app), &input)?)
}

fn edit_plan(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    let key = plan_key(id)?;
    let input: PlanInput = body(req)?;
    ok(&app.desk.edit_plan(ctx(app), key, &input)?)
}

fn remove_plan(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    app.desk.remove_plan(ctx(app), plan_key(id)?)?;
    Ok(no_content())
}

fn add_template(app: &App, req: &Request) -> Answer {
    let input: TemplateInput = query_free_body(req)?;
    created(&app.desk.add_template(ctx(app), &input)?)
}

fn edit_template(app: &App, req: &Request, name: &str) -> Answer {
    let input: TemplateInput = query_free_body(req)?;
    ok(&app.desk.edit_template(ctx(app), name, &input)?)
}

fn remove_template(app: &App, req: &Request, name: &str) -> Answer {
    no_query(req)?;
    app.desk.remove_template(ctx(app), name)?;
    Ok(no_content())
}

// ---- licences, devices, events ---------------------------------------------------------

/// `POST /api/customers/{id}/licenses`: a plan assignment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LicenseBody {
    plan: String,
    units: u32,
    #[serde(default)]
    used: u32,
    start: Option<String>,
}

fn customer_licenses(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    let id = customer_id(id)?;
    ok(&app.desk.customer(&CustomerRef::Id(id))?.licenses)
}

fn add_license(app: &App, req: &Request, id: &str) -> Answer {
    let (id, b): (_, LicenseBody) = id_and_body(req, id, "customer")?;
    created(
        &app.desk
            .add_license(ctx(app), id, &b.plan, b.units, b.used, b.start.as_deref())?,
    )
}

fn edit_license(app: &App, req: &Request, id: &str) -> Answer {
    let (id, input): (_, LicenseChange) = id_and_body(req, id, "licence")?;
    ok(&app.desk.edit_license(ctx(app), id, &input)?)
}

fn remove_license(app: &App, req: &Request, id: &str) -> Answer {
    removed(req, id, "licence", |id| {
        app.desk.remove_license(ctx(app), id)
    })
}

fn devices(app: &App, req: &Request) -> Answer {
    let pairs = query(req, &["customer"])?;
    ok(&app.desk.devices(number(&pairs, "customer")?)?)
}

fn customer_devices(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    ok(&app.desk.devices(Some(customer_id(id)?))?)
}

fn add_device(app: &App, req: &Request, id: &str) -> Answer {
    let (id, input): (_, DeviceInput) = id_and_body(req, id, "customer")?;
    created(&app.desk.add_device(ctx(app), id, &input)?)
}

fn edit_device(app: &App, req: &Request, id: &str) -> Answer {
    let (id, input): (_, DeviceInput) = id_and_body(req, id, "device")?;
    ok(&app.desk.edit_device(ctx(app), id, &input)?)
}

fn remove_device(app: &App, req: &Request, id: &str) -> Answer {
    removed(req, id, "device", |id| app.desk.remove_device(ctx(app), id))
}

fn events(app: &App, req: &Request) -> Answer {
    let pairs = query(req, &["customer", "open"])?;
    ok(&app
        .desk
        .events(number(&pairs, "customer")?, flag(&pairs, "open")?)?)
}

fn customer_events(app: &App, req: &Request, id: &str) -> Answer {
    let pairs = query(req, &["open"])?;
    ok(&app
        .desk
        .events(Some(customer_id(id)?), flag(&pairs, "open")?)?)
}

fn add_event(app: &App, req: &Request, id: &str) -> Answer {
    let (id, input): (_, EventInput) = id_and_body(req, id, "customer")?;
    created(&app.desk.add_event(ctx(app), id, &input)?)
}

fn set_event_open(app: &App, req: &Request, id: &str, open: bool) -> Answer {
    no_query(req)?;
    let id = path_id(id, "event")?;
    ok(&app.desk.set_event_open(ctx(app), id, open)?)
}

fn remove_event(app: &App, req: &Request, id: &str) -> Answer {
    removed(req, id, "event", |id| app.desk.remove_event(ctx(app), id))
}

// ---- firmware, outbox, audit -----------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FirmwareBody {
    version: String,
}

fn set_firmware(app: &App, req: &Request, model: &str) -> Answer {
    let b: FirmwareBody = query_free_body(req)?;
    ok(&app.desk.set_firmware(ctx(app), model, &b.version)?)
}

fn remove_firmware(app: &App, req: &Request, model: &str) -> Answer {
    no_query(req)?;
    app.desk.remove_firmware(ctx(app), model)?;
    Ok(no_content())
}

fn outbox_message(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    ok(&app.desk.outbox_message(path_id(id, "outbox message")?)?)
}

/// The message as an `.eml` download, under the name the task gives it.
fn outbox_eml(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    let (name, eml) = app.desk.outbox_eml_file(path_id(id, "outbox message")?)?;
    Ok(Response::download(
        "message/rfc822",
        &name,
        eml.into_bytes(),
    ))
}

fn remove_outbox(app: &App, req: &Request, id: &str) -> Answer {
    removed(req, id, "outbox message", |id| {
        app.desk.remove_outbox(ctx(app), id)
    })
}

/// Audit entries, newest first: `limit` (1–1000, default 100), `before` (an entry id, for the
/// next page), and the audit filter: `customer` (id or account name), `task`, `from`, `to`.
fn audit(app: &App, req: &Request) -> Answer {
    let pairs = query(req, &["limit", "before", "customer", "task", "from", "to"])?;
    let limit = page_limit(&pairs, AUDIT_LIMIT, AUDIT_MAX)?;
    let text = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let filter = AuditFilter::parse(text("customer"), text("task"), text("from"), text("to"))?;
    ok(&app
        .desk
        .audit_log(limit, number(&pairs, "before")?, &filter)?)
}

// ---- stored task runs and the renewal runway ---------------------------------------------

/// Stored task runs, newest first: `limit` (1–1000, default 50), `before` (a run id).
fn task_runs(app: &App, req: &Request) -> Answer {
    let pairs = query(req, &["limit", "before"])?;
    let limit = page_limit(&pairs, RUNS_LIMIT, RUNS_MAX)?;
    let runs = app.desk.task_runs(limit, number(&pairs, "before")?)?;
    ok(&runs.iter().map(RunView::from).collect::<Vec<_>>())
}

/// The `limit` of a paged list: `default` when not given, else 1 to `max`.
fn page_limit(pairs: &[(String, String)], default: u64, max: u64) -> Result<usize, ApiError> {
    match number(pairs, "limit")? {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(invalid(
            "limit",
            format!("`{n}` is not valid; use a whole number from 1 to {max}"),
        )),
    }
    .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn task_run(app: &App, req: &Request, id: &str) -> Answer {
    no_query(req)?;
    ok(&RunView::from(
        &app.desk.task_run(path_id(id, "task run")?)?,
    ))
}

fn runway(app: &App, req: &Request) -> Answer {
    no_query(req)?;
    ok(&app.desk.runway()?)
}

pub const RUNS_LIMIT: u64 = runs::PAGE as u64;
pub const RUNS_MAX: u64 = runs::MAX_PAGE as u64;

pub const AUDIT_LIMIT: u64 = 100;
pub const AUDIT_MAX: u64 = 1000;
