//! The console's CSV imports as jobs: `POST /import` starts one on its own thread and
//! answers at once; `/import/{job}` shows how far it is and then its result.
//!
//! The job runs `Desk::import_csv_with` like any other write: it takes the store's one write
//! transaction (so it waits for a write in progress, and writes that come later wait for
//! it), and its progress hook counts the input's lines read. At most one import runs at a
//! time — another is refused with the running one's id — and the table keeps the last
//! [`KEPT`] jobs (the running one included) for their pages, forgetting the oldest first.
//! Jobs live in memory only: a server that stops forgets them, and an import still running
//! then is dropped whole (nothing of it is written).

use crate::domain::error::Error;
use crate::domain::progress::Progress;
use crate::tasks::csv::{ImportOptions, ImportReport};
use crate::tasks::desk::{Ctx, Desk};
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Jobs kept for their pages, the running one included.
pub const KEPT: usize = 16;

/// The imports of one server.
#[derive(Default)]
pub struct Imports {
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    /// The id the next job gets (ids start at 1 and are never reused while the server runs).
    last: u64,
    /// Oldest first.
    jobs: VecDeque<Arc<Job>>,
}

/// One import: what it was asked to do, how far it is, and once done its outcome.
pub struct Job {
    pub id: u64,
    pub opts: ImportOptions,
    /// The CSV text to show again in the form (small inputs only; empty otherwise).
    pub kept: String,
    /// Lines of the input.
    pub lines: u64,
    started: Instant,
    lines_read: AtomicU64,
    outcome: Mutex<Option<Outcome>>,
    finished: Condvar,
}

/// A finished import: the report (or why it failed) and how long it took.
pub struct Outcome {
    pub result: Result<ImportReport, Error>,
    pub took: Duration,
}

/// What a job's page shows: how far it is, or how it ended.
pub enum State<'a> {
    Running(Running),
    Finished(&'a Outcome),
}

/// How far a running job is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Running {
    pub lines_read: u64,
    pub lines: u64,
    pub elapsed: Duration,
}

impl Running {
    /// Whole percent of the lines read, 0..=100.
    pub fn percent(&self) -> u64 {
        (self.lines_read.min(self.lines) * 100)
            .checked_div(self.lines)
            .unwrap_or(0)
    }

    /// Lines read per second so far, once there is something to measure.
    pub fn rate(&self) -> Option<u64> {
        let secs = self.elapsed.as_secs_f64();
        (self.lines_read > 0 && secs >= 0.05).then(|| (self.lines_read as f64 / secs) as u64)
    }

    /// Seconds left at the rate so far.
    pub fn left(&self) -> Option<u64> {
        let rate = self.rate().filter(|r| *r > 0)?;
        Some(self.lines.saturating_sub(self.lines_read).div_ceil(rate))
    }
}

/// Why an import could not start.
pub enum Refused {
    /// This import is still running.
    Busy(Arc<Job>),
    /// No thread could be started for it.
    NoThread(String),
}

impl Job {
    /// The job's state; `f` sees it while the outcome is held.
    pub fn with_state<T>(&self, f: impl FnOnce(State) -> T) -> T {
        let outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        match &*outcome {
            Some(done) => f(State::Finished(done)),
            None => f(State::Running(self.running())),
        }
    }

    pub fn running(&self) -> Running {
        Running {
            lines_read: self.lines_read.load(Ordering::Relaxed),
            lines: self.lines,
            elapsed: self.started.elapsed(),
        }
    }

    pub fn is_finished(&self) -> bool {
        self.with_state(|s| matches!(s, State::Finished(_)))
    }

    /// Waits until the job is finished, at most `limit`; true if it is.
    pub fn wait(&self, limit: Duration) -> bool {
        let outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        let (outcome, _) = self
            .finished
            .wait_timeout_while(outcome, limit, |o| o.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        outcome.is_some()
    }

    fn finish(&self, result: Result<ImportReport, Error>) {
        let done = Outcome {
            result,
            took: self.started.elapsed(),
        };
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(done);
        self.finished.notify_all();
    }
}

/// The lines of `csv`: its line ends, and one more for a last line without one.
fn lines_of(csv: &[u8]) -> u64 {
    let ends = csv.iter().filter(|b| **b == b'\n').count() as u64;
    ends + u64::from(csv.last().is_some_and(|b| *b != b'\n'))
}

impl Imports {
    /// Starts importing `csv` into `desk` on a new thread, unless an import is running.
    pub fn start(
        &self,
        desk: Arc<Desk>,
        ctx: Ctx,
        csv: Vec<u8>,
        opts: ImportOptions,
        kept: String,
    ) -> Result<Arc<Job>, Refused> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = table.jobs.iter().find(|j| !j.is_finished()) {
            return Err(Refused::Busy(running.clone()));
        }
        let job = Arc::new(Job {
            id: table.last + 1,
            opts,
            kept,
            lines: lines_of(&csv),
            started: Instant::now(),
            lines_read: AtomicU64::new(0),
            outcome: Mutex::new(None),
            finished: Condvar::new(),
        });
        let worker = job.clone();
        std::thread::Builder::new()
            .name(format!("clientele-import-{}", job.id))
            .spawn(move || run(&desk, ctx, &csv, &worker))
            .map_err(|e| Refused::NoThread(format!("cannot start the import: {e}")))?;
        table.last = job.id;
        table.jobs.push_back(job.clone());
        while table.jobs.len() > KEPT {
            table.jobs.pop_front();
        }
        Ok(job)
    }

    /// The job still running, if any.
    pub fn running(&self) -> Option<Arc<Job>> {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.jobs.iter().find(|j| !j.is_finished()).cloned()
    }

    /// The job `id`, while it is kept.
    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.jobs.iter().find(|j| j.id == id).cloned()
    }
}

/// The import itself, on the job's thread: its progress hook turns the bytes read into the
/// lines read, and whatever happens (a panic too) finishes the job.
fn run(desk: &Desk, ctx: Ctx, csv: &[u8], job: &Job) {
    let counted = std::cell::Cell::new((0usize, 0u64));
    let hook = |done: u64, _total: u64| {
        let (from, lines) = counted.get();
        let to = usize::try_from(done).unwrap_or(usize::MAX).min(csv.len());
        if to > from {
            let read = if to == csv.len() {
                job.lines
            } else {
                lines + csv[from..to].iter().filter(|b| **b == b'\n').count() as u64
            };
            counted.set((to, read));
            job.lines_read.store(read, Ordering::Relaxed);
        }
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        let size = csv.len() as u64;
        desk.import_csv_with(ctx, &mut &csv[..], job.opts, size, &hook as &dyn Progress)
    }))
    .unwrap_or_else(|_| Err(Error::Internal("the import stopped unexpectedly".into())));
    job.finish(result);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_with_or_without_a_last_line_end() {
        assert_eq!(lines_of(b""), 0);
        assert_eq!(lines_of(b"a"), 1);
        assert_eq!(lines_of(b"a\n"), 1);
        assert_eq!(lines_of(b"a\nb"), 2);
        assert_eq!(lines_of(b"a\r\nb\r\n"), 2);
    }

    #[test]
    fn how_far_a_running_job_is() {
        let at = |read, lines, ms| Running {
            lines_read: read,
            lines,
            elapsed: Duration::from_millis(ms),
        };
        assert_eq!(at(0, 0, 0).percent(), 0);
        assert_eq!(at(250, 1_000, 2_000).percent(), 25);
        assert_eq!(at(2_000, 1_000, 2_000).percent(), 100);
        assert_eq!(at(0, 1_000, 2_000).rate(), None);
        assert_eq!(at(250, 1_000, 10).rate(), None);
        assert_eq!(at(250, 1_000, 2_000).rate(), Some(125));
        assert_eq!(at(250, 1_000, 2_000).left(), Some(6));
    }
}
