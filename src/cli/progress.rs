//! The progress bar of long commands (`import`, `export --output`, `demo`, `backup`, `check`,
//! and the one-time indexing of a schema-1 file on its first writable open): drawn on stderr
//! with its rate and time left when stderr is a terminal, hidden otherwise (pipes, files,
//! tests), so scripts see no more output than before. `serve` reports that indexing in a
//! pipe too, as a line now and then (`Lines`), since a server's log is where one looks.

use crate::domain::progress::Progress;
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::cell::Cell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// What the one-time indexing of a schema-1 file reports to under a command other than
/// `serve`: a bar on a terminal, nothing otherwise. The bar is cleared as soon as the
/// indexing is done, not when the hook goes (`serve` keeps it while it runs).
pub fn upgrade() -> Box<dyn Progress> {
    Box::new(Indexing(Bar::records("indexing", "customers")))
}

/// A bar over a count known from the start, cleared when the count is reached.
struct Indexing(Bar);

impl Progress for Indexing {
    fn update(&self, done: u64, total: u64) {
        self.0.update(done, total);
        if done >= total {
            self.0 .0.finish_and_clear();
        }
    }
}

/// What the one-time indexing reports to under `serve`: the bar on a terminal, otherwise a
/// line on stderr at the start, at most every [`Lines::EVERY`], and at the end.
pub fn upgrade_while_serving() -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() {
        upgrade()
    } else {
        Box::new(Lines::new("indexing customers"))
    }
}

/// Progress as lines on stderr (`WHAT: N of M`): the first report, then one at most every
/// `EVERY`, and the last (`done == total`) always.
pub struct Lines {
    what: &'static str,
    last: Cell<Option<Instant>>,
}

impl Lines {
    pub const EVERY: Duration = Duration::from_secs(5);

    pub fn new(what: &'static str) -> Lines {
        Lines {
            what,
            last: Cell::new(None),
        }
    }

    /// The line for `done` of `total`, when one is due at `now`.
    fn line(&self, done: u64, total: u64, now: Instant) -> Option<String> {
        let due = done >= total
            || self
                .last
                .get()
                .is_none_or(|at| now.duration_since(at) >= Self::EVERY);
        if !due {
            return None;
        }
        self.last.set(Some(now));
        Some(format!(
            "{}: {} of {}",
            self.what,
            HumanCount(done),
            HumanCount(total)
        ))
    }
}

impl Progress for Lines {
    fn update(&self, done: u64, total: u64) {
        if let Some(line) = self.line(done, total, Instant::now()) {
            eprintln!("{line}");
        }
    }
}

/// A bar over records, or over bytes of input; cleared when dropped.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar counting `unit` (a plural noun: "customers", "records").
    pub fn records(what: &str, unit: &str) -> Bar {
        Bar::new(
            what,
            &format!("{{human_pos}}/{{human_len}} {unit} ({{rate}}/s, {{eta}} left)"),
        )
    }

    /// A bar counting bytes read.
    pub fn bytes(what: &str) -> Bar {
        Bar::new(what, "{bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
    }

    fn new(what: &str, counts: &str) -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let template = format!("{what} [{{wide_bar}}] {{percent:>3}}% {counts}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            // Whole records a second: indicatif's own `{per_sec}` prints fractions of one.
            let rate = |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", HumanCount(s.per_sec() as u64));
            };
            bar.set_style(style.progress_chars("=> ").with_key("rate", rate));
        }
        Bar(bar)
    }
}

impl Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_at_the_start_every_few_seconds_and_at_the_end() {
        let lines = Lines::new("indexing customers");
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let said: Vec<Option<String>> = [(0, 1), (1_000, 2), (2_000, 6), (3_000, 7), (4_000, 12)]
            .iter()
            .map(|&(done, secs)| lines.line(done, 4_000, at(secs)))
            .collect();
        assert_eq!(
            said,
            [
                Some("indexing customers: 0 of 4,000".to_string()),
                None,
                Some("indexing customers: 2,000 of 4,000".to_string()),
                None,
                Some("indexing customers: 4,000 of 4,000".to_string()),
            ]
        );
    }
}
