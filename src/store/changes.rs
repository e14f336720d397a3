//! Which customers each recent commit gave a new search text (or took it away), so that a
//! reader holding keyword hits found at an earlier commit brings them up to date by those
//! customers alone instead of searching the whole column again.
//!
//! An entry is written *before* its transaction commits: whatever snapshot a reader then
//! holds, every commit it can see is in the log, and a listed customer is simply looked at
//! again in that snapshot (an entry whose commit failed costs a look, nothing more). The log
//! is bounded: the last [`COMMITS`] commits and [`IDS`] customers in all; anything older or
//! larger, a reopened file, or a transaction that rebuilt the column answers "unknown", and
//! the reader searches afresh.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Commits remembered.
pub const COMMITS: usize = 64;
/// Customers remembered over all those commits; a transaction changing more is "unknown".
pub const IDS: usize = 65_536;

#[derive(Default)]
pub struct ChangeLog {
    /// (the generation the commit makes, its customers; `None`: unknown), oldest first.
    entries: VecDeque<(u64, Option<Vec<u64>>)>,
    ids: usize,
}

/// Logs `ids` (`None`: unknown) for the commit that will make the next generation; called
/// before that generation is counted.
pub fn log_next(log: &Mutex<ChangeLog>, generation: &AtomicU64, ids: Option<Vec<u64>>) {
    let next = generation.load(Ordering::Acquire) + 1;
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(next, ids);
}

impl ChangeLog {
    /// Records the customers of the commit that makes `generation`; an entry already there
    /// for it or later (a commit that failed) is replaced.
    pub fn push(&mut self, generation: u64, ids: Option<Vec<u64>>) {
        while self.entries.back().is_some_and(|(g, _)| *g >= generation) {
            self.pop(false);
        }
        self.ids += ids.as_ref().map_or(0, Vec::len);
        self.entries.push_back((generation, ids));
        while self.entries.len() > COMMITS || self.ids > IDS {
            self.pop(true);
        }
    }

    fn pop(&mut self, oldest: bool) {
        let gone = if oldest {
            self.entries.pop_front()
        } else {
            self.entries.pop_back()
        };
        if let Some((_, Some(ids))) = gone {
            self.ids -= ids.len();
        }
    }

    /// Every customer changed by the commits after generation `from` up to `current` (and
    /// any logged beyond it, not yet counted), sorted; `None` when the log cannot tell.
    pub fn since(&self, from: u64, current: u64) -> Option<Vec<u64>> {
        let mut out = Vec::new();
        let mut next = from + 1;
        for (g, ids) in self.entries.iter().filter(|(g, _)| *g > from) {
            if *g != next {
                return None;
            }
            out.extend_from_slice(ids.as_deref()?);
            next += 1;
        }
        if next <= current {
            return None;
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_answers_only_what_it_holds_in_full() {
        let mut log = ChangeLog::default();
        assert_eq!(log.since(0, 0), Some(vec![]));
        assert_eq!(log.since(0, 1), None, "a commit it never saw");
        log.push(1, Some(vec![5, 3]));
        log.push(2, Some(vec![3, 9]));
        assert_eq!(log.since(0, 2), Some(vec![3, 5, 9]));
        assert_eq!(log.since(1, 2), Some(vec![3, 9]));
        assert_eq!(log.since(2, 2), Some(vec![]));
        // Logged before its commit is counted: already part of the answer.
        log.push(3, Some(vec![1]));
        assert_eq!(log.since(2, 2), Some(vec![1]));
        // That commit failed; the next one takes its generation.
        log.push(3, Some(vec![7]));
        assert_eq!(log.since(2, 3), Some(vec![7]));
        // A reopen or a rebuild: unknown from before it on.
        log.push(4, None);
        assert_eq!(log.since(2, 4), None);
        assert_eq!(log.since(4, 4), Some(vec![]));
        // A generation counted without an entry (a reopen) is a gap.
        assert_eq!(log.since(4, 5), None);
    }

    #[test]
    fn the_log_forgets_the_oldest_beyond_its_bounds() {
        let mut log = ChangeLog::default();
        for g in 1..=COMMITS as u64 + 1 {
            log.push(g, Some(vec![g]));
        }
        assert_eq!(
            log.since(0, COMMITS as u64 + 1),
            None,
            "the first commit is gone"
        );
        assert_eq!(
            log.since(1, COMMITS as u64 + 1).map(|v| v.len()),
            Some(COMMITS)
        );
        log.push(COMMITS as u64 + 2, Some((0..IDS as u64).collect()));
        assert_eq!(log.ids, IDS);
        assert_eq!(
            log.since(COMMITS as u64 + 1, COMMITS as u64 + 2)
                .map(|v| v.len()),
            Some(IDS)
        );
        assert_eq!(log.since(COMMITS as u64, COMMITS as u64 + 2), None);
    }
}
