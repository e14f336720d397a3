//! The web application: one `Desk` shared by the worker threads, and the translation rules
//! both faces share (error → status code, request pairs → selection). The JSON API lives in
//! `api`, the console in `pages`; neither holds a business rule.

use super::http::{Method, Request, Response};
use super::imports::Imports;
use crate::domain::error::Error;
use crate::domain::filter::{Filter, FILTER_KEYS};
use crate::domain::model::YesNo;
use crate::tasks::bulk::{BulkTask, Selection};
use crate::tasks::desk::Desk;
use std::sync::Arc;

pub struct App {
    /// Shared with the console's import jobs, which run on their own threads.
    pub desk: Arc<Desk>,
    /// Whether the server asks for an access token (so the console shows "Sign out").
    pub token_required: bool,
    /// The console's CSV imports, running and recent.
    pub imports: Imports,
}

impl App {
    /// The application over `desk`, asking for no token, with no imports yet.
    pub fn new(desk: Desk) -> App {
        App {
            desk: Arc::new(desk),
            token_required: false,
            imports: Imports::default(),
        }
    }

    pub fn handle(&self, req: &Request) -> Response {
        if req.is_api() {
            super::api::handle(self, req)
        } else {
            super::pages::handle(self, req)
        }
    }
}

/// The HTTP status for a core error (SPEC §5.2).
pub fn status_of(e: &Error) -> u16 {
    match e {
        Error::Invalid(_) | Error::Import(_) => 422,
        Error::NotFound { .. } => 404,
        Error::Conflict { .. }
        | Error::Refused(_)
        | Error::NothingToChange { .. }
        | Error::Busy { .. } => 409,
        Error::Csv(_) => 400,
        Error::DiskFull(_) => 507,
        Error::Unusable { .. }
        | Error::Database(_)
        | Error::Damaged { .. }
        | Error::Io(_)
        | Error::Internal(_) => 500,
    }
}

/// The filter named by the grammar's keys among `pairs`; other keys are left to the caller.
pub fn filter_from_pairs(pairs: &[(String, String)]) -> Result<Filter, Error> {
    Filter::from_pairs(
        pairs
            .iter()
            .filter(|(k, _)| FILTER_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// `ids` (repeated, or comma-separated) select those customers; without ids the filter keys
/// select (the whole filter, unpaged).
pub fn selection_from_pairs(pairs: &[(String, String)]) -> Result<Selection, Error> {
    let mut ids = Vec::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k == "ids" || k == "id") {
        for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            ids.push(part.parse::<u64>().map_err(|_| {
                Error::invalid(
                    k,
                    format!("`{part}` is not a customer id; ids are whole numbers"),
                )
            })?);
        }
    }
    if ids.is_empty() {
        Ok(Selection::Filter(filter_from_pairs(pairs)?.unpaged()))
    } else {
        Ok(Selection::Ids(ids))
    }
}

/// The filter of the list a console form came from: its `back` query (none: no filter).
pub fn listed_filter(back: Option<&str>) -> Result<Filter, Error> {
    let query = back.unwrap_or("").trim_start_matches('?');
    let listed = Request::new(Method::Get, &format!("/?{query}"))
        .and_then(|r| r.query_pairs())
        .map_err(|_| Error::invalid("back", "the list's filter cannot be read"))?;
    filter_from_pairs(&listed)
}

/// A console form's selection: the ticked `ids`, or with `match=all` every customer of the
/// list's filter (the form's `back` query), however many pages it has; `None` when nothing
/// is selected.
pub fn form_selection(pairs: &[(String, String)]) -> Result<Option<Selection>, Error> {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if value("match") == Some("all") {
        return Ok(Some(Selection::Filter(
            listed_filter(value("back"))?.unpaged(),
        )));
    }
    Ok(match selection_from_pairs(pairs)? {
        Selection::Ids(ids) => Some(Selection::Ids(ids)),
        Selection::Filter(_) => None,
    })
}

/// A `yes`/`no` value (the last given; absent: no), as the domain reads it.
pub fn yes_no(pairs: &[(String, String)], key: &str) -> Result<bool, Error> {
    match pairs.iter().rev().find(|(k, _)| k == key) {
        None => Ok(false),
        Some((_, v)) => YesNo::parse(v)
            .map(YesNo::as_bool)
            .ok_or_else(|| Error::invalid(key, format!("`{v}` is not valid; use yes or no"))),
    }
}

/// A bulk task from its name and the options among `pairs`.
pub fn task_from_pairs(name: &str, pairs: &[(String, String)]) -> Result<BulkTask, Error> {
    BulkTask::parse(name, &|key| {
        pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    })
}

/// A CSV download; when customers were left out because their stored record cannot be read,
/// a header says how many (a count only, no customer data: `GET /api/check` lists them).
pub fn csv_download(body: Vec<u8>, done: &crate::tasks::csv::Exported) -> Response {
    let mut r = Response::csv(&done.file_name, body);
    if !done.unreadable.is_empty() {
        r.headers
            .push((UNREADABLE_HEADER, done.unreadable.len().to_string()));
    }
    r
}

/// The header naming how many selected customers an export left out as unreadable.
pub const UNREADABLE_HEADER: &str = "X-Clientele-Unreadable";
