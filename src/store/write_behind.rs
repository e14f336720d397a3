//! Positioned writes handed to a thread of their own, so the caller goes on computing while
//! the system copies the bytes into its page cache.
//!
//! A large load writes a gigabyte through redb, and each `pwrite` costs the writing thread
//! the kernel's copy and its page-cache bookkeeping: a fifth of an import's time on the one
//! thread that builds the B-trees. A [`WriteBehind`] queues each write (at most
//! [`PENDING_BYTES`] at a time; a writer waits for room), lands them in the order they came
//! on a second thread, and answers reads of bytes still queued from the queue. What a caller
//! sees is what it would see with direct writes: a read returns the last bytes written to
//! each offset, [`WriteBehind::drain`] (called before every sync, length change and close)
//! returns once every queued write has landed, and the first failed write is reported by
//! that call and every later one. Writes land in order, so another process reading the file
//! never sees a later write without the earlier ones, as with direct writes.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Bytes queued and not yet written, at most; a write that would pass it waits.
pub const PENDING_BYTES: usize = if cfg!(debug_assertions) {
    64 << 10
} else {
    8 << 20
};

/// A write waiting for its turn.
struct Queued {
    offset: u64,
    seq: u64,
    data: Arc<[u8]>,
}

#[derive(Default)]
struct State {
    /// Writes in the order they came, not yet taken by the writing thread.
    queue: VecDeque<Queued>,
    /// Every write not yet landed (queued or being written), by offset and order: what a
    /// read must see.
    pending: BTreeMap<(u64, u64), Arc<[u8]>>,
    /// Bytes in `queue` and in the write being made.
    bytes: usize,
    /// The longest write ever queued: how far before a read a write can start and reach it.
    longest: usize,
    next_seq: u64,
    /// Whether the writing thread holds a write it took from the queue.
    writing: bool,
    /// The first failed write: every later call reports it.
    failed: Option<(io::ErrorKind, Option<i32>, String)>,
    closing: bool,
    #[cfg(test)]
    delay: std::time::Duration,
}

struct Shared {
    file: File,
    state: Mutex<State>,
    /// Writes not yet landed, as `State::pending` holds them: a read finds none without the
    /// lock (always, on a handle only read, which several threads may read at once).
    unlanded: AtomicUsize,
    /// Signalled when a write is queued or the queue closes.
    work: Condvar,
    /// Signalled when a write has landed.
    landed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A file written from a thread of its own (see the module's documentation).
pub struct WriteBehind {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for WriteBehind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBehind").finish_non_exhaustive()
    }
}

impl WriteBehind {
    /// Writes to `file` (its own handle: the caller may keep reading through another). The
    /// thread starts with the first write, so a file only read never has one.
    pub fn new(file: File) -> WriteBehind {
        WriteBehind {
            shared: Arc::new(Shared {
                file,
                state: Mutex::new(State::default()),
                unlanded: AtomicUsize::new(0),
                work: Condvar::new(),
                landed: Condvar::new(),
            }),
            thread: Mutex::new(None),
        }
    }

    /// Queues `data` to be written at `offset`, waiting while the queue is full.
    pub fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.start()?;
        let data: Arc<[u8]> = Arc::from(data);
        let mut s = self.shared.lock();
        while s.failed.is_none() && s.bytes > 0 && s.bytes + data.len() > PENDING_BYTES {
            s = wait(&self.shared.landed, s);
        }
        if let Some(e) = &s.failed {
            return Err(rebuild(e));
        }
        let seq = s.next_seq;
        s.next_seq += 1;
        s.bytes += data.len();
        s.longest = s.longest.max(data.len());
        s.pending.insert((offset, seq), Arc::clone(&data));
        self.shared
            .unlanded
            .store(s.pending.len(), Ordering::Release);
        s.queue.push_back(Queued { offset, seq, data });
        drop(s);
        self.shared.work.notify_one();
        Ok(())
    }

    /// Fills `out` with the bytes at `offset` as direct writes would have left them: reads
    /// the file with `read_file`, then lays over it every write not yet landed that `out`
    /// overlaps, oldest first. Those writes are picked before the file is read: one that
    /// lands in between is then both read and laid over, never missed.
    pub fn read(
        &self,
        offset: u64,
        out: &mut [u8],
        read_file: impl FnOnce(&mut [u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        if self.shared.unlanded.load(Ordering::Acquire) == 0 {
            return read_file(out);
        }
        let end = offset + out.len() as u64;
        let mut hits: Vec<(u64, u64, Arc<[u8]>)> = {
            let s = self.shared.lock();
            let from = offset.saturating_sub(s.longest as u64);
            s.pending
                .range((from, 0)..(end, 0))
                .filter(|(&(at, _), d)| at + d.len() as u64 > offset)
                .map(|(&(at, seq), d)| (seq, at, Arc::clone(d)))
                .collect()
        };
        read_file(out)?;
        hits.sort_unstable_by_key(|h| h.0);
        for (_, at, d) in hits {
            let lo = at.max(offset);
            let hi = (at + d.len() as u64).min(end);
            out[(lo - offset) as usize..(hi - offset) as usize]
                .copy_from_slice(&d[(lo - at) as usize..(hi - at) as usize]);
        }
        Ok(())
    }

    /// Waits until every queued write has landed; the first failed write's error, if any.
    pub fn drain(&self) -> io::Result<()> {
        let mut s = self.shared.lock();
        while s.failed.is_none() && (s.writing || !s.queue.is_empty()) {
            s = wait(&self.shared.landed, s);
        }
        match &s.failed {
            Some(e) => Err(rebuild(e)),
            None => Ok(()),
        }
    }

    /// Makes the writing thread wait `delay` before each write, so a test can tell a write
    /// that landed from one still queued.
    #[cfg(test)]
    pub fn land_slowly_for_test(&self, delay: std::time::Duration) {
        self.shared.lock().delay = delay;
    }

    fn start(&self) -> io::Result<()> {
        let mut t = self.thread.lock().unwrap_or_else(|p| p.into_inner());
        if t.is_none() {
            let shared = Arc::clone(&self.shared);
            *t = Some(
                std::thread::Builder::new()
                    .name("file-writer".into())
                    .spawn(move || land(&shared))?,
            );
        }
        Ok(())
    }
}

impl Drop for WriteBehind {
    /// Lands what is queued (as direct writes would have) and stops the thread.
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.work.notify_one();
        let t = self.thread.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = t.take() {
            let _ = t.join();
        }
    }
}

fn wait<'a>(c: &Condvar, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    c.wait(g).unwrap_or_else(|p| p.into_inner())
}

/// An I/O error again from what was kept of it (`io::Error` is not `Clone`); the OS code is
/// kept, so a full disk is still recognised as one.
fn rebuild((kind, code, message): &(io::ErrorKind, Option<i32>, String)) -> io::Error {
    match code {
        Some(c) => io::Error::from_raw_os_error(*c),
        None => io::Error::new(*kind, message.clone()),
    }
}

/// The writing thread: lands queued writes in order until the queue closes and is empty.
/// After a failure it drops what is queued: the file is to be given up.
fn land(shared: &Shared) {
    let mut s = shared.lock();
    loop {
        let Some(w) = s.queue.pop_front() else {
            if s.closing {
                return;
            }
            s = wait(&shared.work, s);
            continue;
        };
        s.writing = true;
        #[cfg(test)]
        let delay = s.delay;
        drop(s);
        #[cfg(test)]
        std::thread::sleep(delay);
        let result = write_at(&shared.file, &w.data, w.offset);
        s = shared.lock();
        s.writing = false;
        s.bytes -= w.data.len();
        s.pending.remove(&(w.offset, w.seq));
        if let Err(e) = result {
            if s.failed.is_none() {
                s.failed = Some((e.kind(), e.raw_os_error(), e.to_string()));
            }
            s.queue.clear();
            s.pending.clear();
            s.bytes = 0;
        }
        shared.unlanded.store(s.pending.len(), Ordering::Release);
        shared.landed.notify_all();
    }
}

fn write_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(test)]
    if offset == tests::FAIL_OFFSET {
        return Err(io::Error::from_raw_os_error(libc::ENOSPC));
    }
    file.write_all_at(data, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A write to this offset fails as on a full disk (no test writes there for real).
    pub(super) const FAIL_OFFSET: u64 = 1 << 40;

    /// Reads as redb's backend does; bytes past the end of the file read as zeros.
    fn read(file: &File, w: &WriteBehind, offset: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        w.read(offset, &mut out, |buf| {
            let n = file.read_at(buf, offset)?;
            buf[n..].fill(0);
            Ok(())
        })
        .unwrap();
        out
    }

    proptest! {
        /// Any mix of overlapping writes and reads, of any length, reads back as a plain
        /// byte array written directly would, before and after the queue drains.
        #[test]
        fn reads_see_every_write_as_direct_writes_would(
            ops in prop::collection::vec((0u64..600, 1usize..300, any::<u8>(), any::<bool>()), 1..200)
        ) {
            let file = tempfile::tempfile().unwrap();
            let w = WriteBehind::new(file.try_clone().unwrap());
            let mut model = vec![0u8; 1024];
            for (offset, len, byte, is_read) in ops {
                let (o, l) = (offset as usize, len);
                if is_read {
                    prop_assert_eq!(read(&file, &w, offset, len), &model[o..o + l]);
                } else {
                    let data: Vec<u8> = (0..l).map(|i| byte.wrapping_add(i as u8)).collect();
                    w.write(offset, &data).unwrap();
                    model[o..o + l].copy_from_slice(&data);
                }
            }
            w.drain().unwrap();
            prop_assert_eq!(read(&file, &w, 0, 1024), model.clone());
            drop(w);
            let mut direct = vec![0u8; 1024];
            let n = file.read_at(&mut direct, 0).unwrap();
            direct[n..].fill(0);
            prop_assert_eq!(direct, model);
        }
    }

    #[test]
    fn writes_past_the_bound_wait_for_room_and_all_land() {
        let file = tempfile::tempfile().unwrap();
        let w = WriteBehind::new(file.try_clone().unwrap());
        let chunk = vec![7u8; 4096];
        let n = 4 * PENDING_BYTES / chunk.len();
        for i in 0..n {
            w.write((i * chunk.len()) as u64, &chunk).unwrap();
            assert!(w.shared.lock().bytes <= PENDING_BYTES);
        }
        w.drain().unwrap();
        assert_eq!(file.metadata().unwrap().len(), (n * chunk.len()) as u64);
        let s = w.shared.lock();
        assert!(s.pending.is_empty() && s.queue.is_empty() && s.bytes == 0);
    }

    #[test]
    fn a_failed_write_is_reported_by_drain_and_every_later_call() {
        let file = tempfile::tempfile().unwrap();
        let w = WriteBehind::new(file.try_clone().unwrap());
        w.write(0, b"kept").unwrap();
        w.write(FAIL_OFFSET, b"lost").unwrap();
        let e = w.drain().unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
        let again = w.write(8, b"more").unwrap_err();
        assert_eq!(again.raw_os_error(), Some(libc::ENOSPC));
        assert_eq!(w.drain().unwrap_err().raw_os_error(), Some(libc::ENOSPC));
        let mut head = [0u8; 4];
        file.read_exact_at(&mut head, 0).unwrap();
        assert_eq!(&head, b"kept");
    }

    #[test]
    fn dropping_lands_what_is_queued() {
        let file = tempfile::tempfile().unwrap();
        let w = WriteBehind::new(file.try_clone().unwrap());
        for i in 0..100u64 {
            w.write(i * 10, b"0123456789").unwrap();
        }
        drop(w);
        assert_eq!(file.metadata().unwrap().len(), 1000);
    }

    #[test]
    fn a_file_only_read_starts_no_thread() {
        let w = WriteBehind::new(tempfile::tempfile().unwrap());
        let mut out = [1u8; 8];
        w.read(0, &mut out, |_| Ok(())).unwrap();
        w.drain().unwrap();
        assert!(w.thread.lock().unwrap().is_none());
        assert_eq!(out, [1u8; 8]);
    }
}
