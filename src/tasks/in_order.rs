//! Work cut into numbered parts, done on a few threads and handed back in number order: the
//! export formats its rows on every core while one thread writes them, in id order. Each
//! thread takes every `threads`-th part and runs at most [`AHEAD`] parts ahead of the one
//! being handed back, so the parts held at once are bounded whatever the size of the work.

use crate::domain::error::{Error, Result};
use crate::domain::threads;
use std::sync::mpsc::sync_channel;

/// Finished parts a thread may hold while it waits for its turn.
pub const AHEAD: usize = 2;

/// Runs `work(state, part)` for every part in `0..parts` on `threads` threads (each with its
/// own `state()`), and `take`s the results in part order on the calling thread. The first
/// error (from `work` or `take`) stops the work and is answered.
pub fn in_order<S, T: Send>(
    parts: u64,
    threads: usize,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, u64) -> Result<T> + Sync,
    mut take: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let threads = threads.max(1);
    if threads == 1 || parts <= 1 {
        let mut s = state();
        for part in 0..parts {
            take(work(&mut s, part)?)?;
        }
        return Ok(());
    }
    let (state, work) = (&state, &work);
    std::thread::scope(|scope| {
        // On a refused thread the receivers are dropped: the threads started stop.
        let mut done = Vec::with_capacity(threads);
        for first in 0..threads as u64 {
            let (tx, rx) = sync_channel(AHEAD);
            threads::scoped(scope, "in-order", move || {
                let mut s = state();
                for part in (first..parts).step_by(threads) {
                    let result = work(&mut s, part);
                    let failed = result.is_err();
                    // A closed channel means the caller stopped: so does this thread.
                    if tx.send(result).is_err() || failed {
                        return;
                    }
                }
            })?;
            done.push(rx);
        }
        for part in 0..parts {
            let result = done[(part % threads as u64) as usize]
                .recv()
                .map_err(|_| Error::Internal(format!("the thread for part {part} stopped")))?;
            take(result?)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn collect(parts: u64, threads: usize) -> Vec<u64> {
        let mut got = Vec::new();
        in_order(
            parts,
            threads,
            || 0u64,
            |n, p| {
                *n += 1;
                Ok(p * 10 + 1)
            },
            |t| {
                got.push(t);
                Ok(())
            },
        )
        .unwrap();
        got
    }

    #[test]
    fn parts_come_back_in_order_on_any_number_of_threads() {
        for threads in [0, 1, 2, 3, 8] {
            for parts in [0, 1, 2, 7, 100] {
                let want: Vec<u64> = (0..parts).map(|p| p * 10 + 1).collect();
                assert_eq!(
                    collect(parts, threads),
                    want,
                    "{parts} parts, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn an_error_stops_the_work_and_is_answered() {
        let ran = AtomicUsize::new(0);
        let mut taken = Vec::new();
        let err = in_order(
            1000,
            2,
            || (),
            |_, p| {
                ran.fetch_add(1, Ordering::Relaxed);
                if p == 5 {
                    Err(Error::Internal("part 5".into()))
                } else {
                    Ok(p)
                }
            },
            |p| {
                taken.push(p);
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            Error::Internal("part 5".into()).to_string()
        );
        assert_eq!(taken, vec![0, 1, 2, 3, 4]);
        // Each thread runs at most AHEAD parts past the one waited for, plus the one it holds.
        assert!(
            ran.load(Ordering::Relaxed) <= 6 + 2 * (AHEAD + 2),
            "{ran:?}"
        );
    }

    #[test]
    fn a_failed_take_stops_the_threads() {
        let ran = AtomicUsize::new(0);
        let err = in_order(
            1000,
            2,
            || (),
            |_, p| {
                ran.fetch_add(1, Ordering::Relaxed);
                Ok(p)
            },
            |p| {
                if p == 3 {
                    Err(Error::Io("disk full".into()))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("disk full"));
        assert!(
            ran.load(Ordering::Relaxed) <= 4 + 2 * (AHEAD + 2),
            "{ran:?}"
        );
    }
}
