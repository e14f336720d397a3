//! How far a long task is: the hook through which `import`, `export`, `demo`, `backup` and
//! `check` report their progress. The tasks only count; each face decides whether and how to
//! show it (the CLI draws a bar on a terminal, and nothing elsewhere).

/// Receives `done` of `total` units of work (records, or bytes of an import's input). Calls
/// come at a bounded rate (a [`Ticker`] step apart), `done` never goes down, and a task that
/// finishes ends with one call where `done == total`.
pub trait Progress {
    fn update(&self, done: u64, total: u64);
}

impl<F: Fn(u64, u64)> Progress for F {
    fn update(&self, done: u64, total: u64) {
        self(done, total)
    }
}

/// Reports nothing: what every task reports to unless a face asks for more.
pub struct Quiet;

impl Progress for Quiet {
    fn update(&self, _: u64, _: u64) {}
}

/// Records between two reports.
pub const RECORDS: u64 = 1_000;
/// Bytes of input between two reports.
pub const BYTES: u64 = 1 << 20;

/// Counts units of work and reports them to a [`Progress`] once every `step` units, so a task
/// can tick per record without calling the hook per record.
pub struct Ticker<'a> {
    hook: &'a dyn Progress,
    total: u64,
    done: u64,
    next: u64,
    step: u64,
}

impl<'a> Ticker<'a> {
    /// A ticker over `total` records; reports `0` of `total` at once.
    pub fn records(hook: &'a dyn Progress, total: u64) -> Self {
        Self::new(hook, total, RECORDS)
    }

    /// A ticker over `total` bytes of input; reports `0` of `total` at once.
    pub fn bytes(hook: &'a dyn Progress, total: u64) -> Self {
        Self::new(hook, total, BYTES)
    }

    fn new(hook: &'a dyn Progress, total: u64, step: u64) -> Self {
        hook.update(0, total);
        Self {
            hook,
            total,
            done: 0,
            next: step,
            step,
        }
    }

    /// One more unit done.
    pub fn tick(&mut self) {
        self.add(1);
    }

    /// `n` more units done.
    pub fn add(&mut self, n: u64) {
        self.to(self.done.saturating_add(n));
    }

    /// `done` units done so far (a reader's position); a smaller number than before is ignored.
    /// A total that turns out too small grows with `done`.
    pub fn to(&mut self, done: u64) {
        self.done = self.done.max(done);
        if self.done >= self.next {
            self.total = self.total.max(self.done);
            self.hook.update(self.done, self.total);
            self.next = self.done.saturating_add(self.step);
        }
    }

    /// The work is done: reports `done == total` (the larger of the two).
    pub fn finish(self) {
        let total = self.total.max(self.done);
        self.hook.update(total, total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn run(total: u64, work: impl FnOnce(&mut Ticker)) -> Vec<(u64, u64)> {
        let calls = RefCell::new(Vec::new());
        let hook = |done, total| calls.borrow_mut().push((done, total));
        let mut t = Ticker::records(&hook, total);
        work(&mut t);
        t.finish();
        calls.into_inner()
    }

    #[test]
    fn reports_every_step_and_ends_at_the_total() {
        let calls = run(2_500, |t| (0..2_500).for_each(|_| t.tick()));
        assert_eq!(
            calls,
            [(0, 2_500), (1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]
        );
    }

    #[test]
    fn positions_never_go_back_and_a_short_total_grows() {
        let calls = run(1_500, |t| {
            for p in [900, 1_200, 800, 2_300, 3_000] {
                t.to(p);
            }
        });
        assert_eq!(
            calls,
            [(0, 1_500), (1_200, 1_500), (2_300, 2_300), (3_000, 3_000)]
        );
        let dones: Vec<u64> = calls.iter().map(|c| c.0).collect();
        assert!(dones.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn nothing_to_do_still_ends_at_the_total() {
        assert_eq!(run(0, |_| {}), [(0, 0), (0, 0)]);
    }
}
