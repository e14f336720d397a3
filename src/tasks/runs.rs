//! Stored task runs: what a confirmed bulk task did, kept under its own id so the console can
//! show the result at its own address (reloading it runs nothing) and an API client can retry
//! a request with the same `Idempotency-Key` without running the task twice.

use super::bulk::{BulkReport, BulkTask, Selection};
use super::desk::{Ctx, Desk};
use crate::domain::error::{Error, Key, Result, Thing};
use crate::domain::filter::Filter;
use crate::domain::limits;
use crate::domain::model::TaskRun;
use crate::store::Writer;

/// Runs listed per page by default, and at most.
pub const PAGE: usize = 50;
pub const MAX_PAGE: usize = 1000;

/// Text kept per stored run beyond which further results are only counted.
const RESULT_TEXT: usize = 8 << 20;

/// An idempotency key as the client sent it, if it is one: 1 to 255 printable ASCII
/// characters.
pub(super) fn check_key(key: &str) -> Result<&str> {
    let printable = key.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if key.is_empty() || key.len() > limits::IDEMPOTENCY_KEY || !printable {
        return Err(Error::invalid(
            "Idempotency-Key",
            format!(
                "use 1 to {} printable ASCII characters without spaces, e.g. a UUID",
                limits::IDEMPOTENCY_KEY
            ),
        ));
    }
    Ok(key)
}

/// The filter keys that decide which customers a filter selects (its order and paging do not).
pub fn selecting_pairs(f: &Filter) -> Vec<(&'static str, String)> {
    f.to_pairs()
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "sort" | "limit" | "offset"))
        .collect()
}

/// The task's options and selection as one canonical text: equal requests give equal text.
pub fn request_text(task: &BulkTask, selection: &Selection) -> String {
    let selection: Vec<(&str, String)> = match selection {
        Selection::Ids(ids) => {
            let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
            vec![("ids", ids.join(","))]
        }
        Selection::Filter(f) => selecting_pairs(f),
    };
    serde_json::json!({
        "task": task.name(),
        "options": task.options(),
        "selection": selection,
    })
    .to_string()
}

/// A short, stable digest of [`request_text`] (64-bit FNV-1a, hex): a preview carries it, and a
/// confirm whose task, options or selection differ from what was previewed does not match.
pub fn fingerprint(task: &BulkTask, selection: &Selection) -> String {
    let digest = request_text(task, selection)
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("{digest:016x}")
}

/// The stored report of the run `key` started, if `request` is the one it ran.
pub(super) fn replay(run: TaskRun, key: &str, request: &str) -> Result<BulkReport> {
    if run.request != request {
        return Err(Error::conflict(
            "Idempotency-Key",
            format!(
                "`{key}` was already used for a different request (task run {}); \
                 send a new key with a new request",
                run.id
            ),
        ));
    }
    report_of(run)
}

/// Stores what a run did and returns the run's id.
pub(super) fn save(
    w: &Writer,
    ctx: Ctx,
    report: &BulkReport,
    request: String,
    key: Option<&str>,
) -> Result<u64> {
    let mut text = 0;
    let kept = report
        .results
        .iter()
        .take(limits::RUN_RESULTS)
        .take_while(|r| {
            text += r.company.len() + r.reason.as_ref().map_or(0, String::len);
            text <= RESULT_TEXT
        })
        .count();
    w.save_task_run(TaskRun {
        id: 0,
        time: ctx.now,
        actor: ctx.actor,
        task: report.task.to_string(),
        request,
        key: key.map(str::to_string),
        ok: report.ok as u64,
        skipped: report.skipped as u64,
        failed: report.failed as u64,
        results: report.results[..kept].to_vec(),
        omitted: (report.results.len() - kept) as u64,
    })
}

/// A stored run as the report its task gave.
fn report_of(run: TaskRun) -> Result<BulkReport> {
    let task = BulkTask::NAMES
        .iter()
        .copied()
        .find(|n| *n == run.task)
        .ok_or_else(|| Error::Database(format!("task run {} names no task", run.id)))?;
    Ok(BulkReport {
        task,
        dry_run: false,
        run: Some(run.id),
        ok: run.ok as usize,
        skipped: run.skipped as usize,
        failed: run.failed as usize,
        results: run.results,
        omitted: run.omitted,
    })
}

/// A run as its pages show it: the report plus who ran it, when, and what it was asked.
#[derive(Clone, Debug)]
pub struct RunRecord {
    pub report: BulkReport,
    pub time: crate::domain::date::Timestamp,
    pub actor: crate::domain::model::Actor,
    /// The task's options, as [`BulkTask::options`] names them.
    pub options: Vec<(String, String)>,
    /// How the customers were selected: `ids` or the filter's keys.
    pub selection: Vec<(String, String)>,
}

/// One `key=value` of a run's options or selection.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct RunSetting {
    pub key: String,
    pub value: String,
}

/// A stored run as the API and `clientele runs --format json` answer it.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "TaskRun")]
pub struct RunView {
    pub id: u64,
    #[schemars(extend("format" = "date-time"))]
    pub time: String,
    pub actor: crate::domain::model::Actor,
    #[schemars(extend("enum" = BulkTask::NAMES))]
    pub task: &'static str,
    /// The task's options as given.
    pub options: Vec<RunSetting>,
    /// How the customers were selected: `ids` (comma-separated) or the filter's keys.
    pub selection: Vec<RunSetting>,
    pub ok: usize,
    pub skipped: usize,
    pub failed: usize,
    pub results: Vec<super::bulk::TaskResult>,
    /// Results left out of `results`: a stored run keeps the first 10,000.
    pub omitted: u64,
}

impl From<&RunRecord> for RunView {
    fn from(r: &RunRecord) -> Self {
        let settings = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(key, value)| RunSetting {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect()
        };
        RunView {
            id: r.report.run.unwrap_or_default(),
            time: r.time.to_string(),
            actor: r.actor,
            task: r.report.task,
            options: settings(&r.options),
            selection: settings(&r.selection),
            ok: r.report.ok,
            skipped: r.report.skipped,
            failed: r.report.failed,
            results: r.report.results.clone(),
            omitted: r.report.omitted,
        }
    }
}

fn record_of(run: TaskRun) -> Result<RunRecord> {
    let (time, actor) = (run.time, run.actor);
    let request: serde_json::Value = serde_json::from_str(&run.request)
        .map_err(|e| Error::Database(format!("task run {}: {e}", run.id)))?;
    let pairs = |key: &str| -> Vec<(String, String)> {
        serde_json::from_value(request[key].clone()).unwrap_or_default()
    };
    let (options, selection) = (pairs("options"), pairs("selection"));
    Ok(RunRecord {
        report: report_of(run)?,
        time,
        actor,
        options,
        selection,
    })
}

impl Desk {
    /// A stored task run by id.
    pub fn task_run(&self, id: u64) -> Result<RunRecord> {
        match self.reader()?.task_run(id)? {
            Some(run) => record_of(run),
            None => Err(Error::not_found(Thing::TaskRun, Key::Id(id))),
        }
    }

    /// Up to `limit` stored runs, newest first, older than run `before` when given.
    pub fn task_runs(&self, limit: usize, before: Option<u64>) -> Result<Vec<RunRecord>> {
        self.reader()?
            .task_runs(limit, before)?
            .into_iter()
            .map(record_of)
            .collect()
    }
}
