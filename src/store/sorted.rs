//! Index entries of a large write, sorted outside the B-tree and inserted in key order.
//!
//! A load's index keys (names, sort keys) arrive in random order. Inserted as they come, a
//! million of them rewrite every leaf of their table many times over, and the splits leave
//! the leaves half full; inserted in key order, each leaf is written once and packed. So the
//! entries of an index table are collected here, sorted a run at a time, and merged into the
//! table in one ordered pass (`Writer::merge_sorted`) before anything reads or changes it.
//!
//! Memory is bounded whatever the size of the write: a table's collected entries are sorted
//! and written to an unnamed temporary file beside the database once they hold [`RUN_BYTES`],
//! and a merge reads each run through a [`READ_BYTES`] buffer. The file holds each entry
//! once (some 60 bytes) and disappears when the transaction ends, even on a crash. A write
//! whose entries fit one run, such as every single-customer task, never creates it.

use super::write_behind::WriteBehind;
use super::{db_err, Error, Writer};
use crate::domain::threads;
use redb::{CursorError, Key, ReadableTable, TableDefinition, TableHandle, Value};
use std::cmp::Ordering;
use std::fs::File;
use std::ops::Bound;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// An entry as its table encodes it: key and value.
pub(super) type Encoded<'a> = (&'a [u8], &'a [u8]);

/// How a table orders its keys: the table's `redb::Key::compare`.
pub(super) type Compare = fn(&[u8], &[u8]) -> Ordering;

/// Encoded bytes a table collects before they are sorted and spilled as a run. A dozen
/// tables collect at once, each with its slots and the sort's scratch beside its bytes, so
/// this sets most of a load's memory (2 MiB: an import of 1,000,000 rows peaks at 210 MiB
/// against 235 MiB with 4 MiB, at the same speed). A debug build spills far sooner, so tests
/// of a few thousand customers merge runs.
pub(super) const RUN_BYTES: usize = if cfg!(debug_assertions) {
    4 << 10
} else {
    2 << 20
};

/// The read buffer of each run during a merge.
const READ_BYTES: usize = if cfg!(debug_assertions) {
    256
} else {
    64 << 10
};

/// One collected entry: where its key and value start in the bytes, and their lengths.
#[derive(Clone, Copy)]
struct Slot {
    start: u32,
    key: u32,
    value: u32,
}

/// A sorted run in the spill file.
#[derive(Clone, Copy)]
struct Run {
    offset: u64,
    end: u64,
}

/// The collected entries of one table.
pub(super) struct Sorter {
    table: String,
    compare: Compare,
    bytes: Vec<u8>,
    slots: Vec<Slot>,
    runs: Vec<Run>,
}

impl Sorter {
    fn sort(&mut self) {
        let (bytes, compare) = (&self.bytes, self.compare);
        let key = |s: &Slot| &bytes[s.start as usize..(s.start + s.key) as usize];
        // Stable: equal keys stay in the order they came, so the last one written wins.
        self.slots.sort_by(|a, b| compare(key(a), key(b)));
    }

    fn entry(&self, s: Slot) -> (&[u8], &[u8]) {
        let (start, mid) = (s.start as usize, (s.start + s.key) as usize);
        (
            &self.bytes[start..mid],
            &self.bytes[mid..mid + s.value as usize],
        )
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.slots.clear();
        self.runs.clear();
    }
}

/// Every table's collected entries in one write transaction, and the file their runs spill
/// to: written from a thread of its own while the next run fills, read once they landed.
pub(super) struct Sorted {
    dir: PathBuf,
    file: Option<(File, WriteBehind)>,
    /// Where the next run goes in the file.
    end: u64,
    sorters: Vec<Sorter>,
    /// A run as it is written, kept for the next one.
    out: Vec<u8>,
}

impl Sorted {
    /// Collects entries that spill beside the database file `db`.
    pub(super) fn new(db: &Path) -> Sorted {
        let dir = match db.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Sorted {
            dir,
            file: None,
            end: 0,
            sorters: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Adds one entry (a key and value as the table encodes them) to `table`'s collection.
    pub(super) fn push(
        &mut self,
        table: &str,
        compare: Compare,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), Error> {
        let i = match self.sorters.iter().position(|s| s.table == table) {
            Some(i) => i,
            None => {
                self.sorters.push(Sorter {
                    table: table.to_string(),
                    compare,
                    bytes: Vec::new(),
                    slots: Vec::new(),
                    runs: Vec::new(),
                });
                self.sorters.len() - 1
            }
        };
        let (k, v) = (len32(key)?, len32(value)?);
        // Spilled before it would pass the bound, so the buffer never grows past it.
        let s = &self.sorters[i];
        if !s.slots.is_empty() && s.bytes.len() + key.len() + value.len() > RUN_BYTES {
            self.spill(i)?;
        }
        let s = &mut self.sorters[i];
        let start = u32::try_from(s.bytes.len()).map_err(|_| too_long())?;
        s.bytes.extend_from_slice(key);
        s.bytes.extend_from_slice(value);
        s.slots.push(Slot {
            start,
            key: k,
            value: v,
        });
        Ok(())
    }

    /// Whether `table` has entries waiting.
    pub(super) fn holds(&self, table: &str) -> bool {
        self.sorters
            .iter()
            .any(|s| s.table == table && !(s.slots.is_empty() && s.runs.is_empty()))
    }

    /// An error naming a table whose entries were collected and never inserted: a commit
    /// must not leave an index short of them.
    pub(super) fn left_over(&self) -> Result<(), Error> {
        match self
            .sorters
            .iter()
            .find(|s| !(s.slots.is_empty() && s.runs.is_empty()))
        {
            Some(s) => Err(Error::Internal(format!(
                "index entries for {} were collected and not inserted; nothing was changed",
                s.table
            ))),
            None => Ok(()),
        }
    }

    /// Sorts sorter `i`'s entries and writes them to the file as a run.
    fn spill(&mut self, i: usize) -> Result<(), Error> {
        if self.file.is_none() {
            let file = temporary(&self.dir)?;
            let behind = file.try_clone().map_err(|e| spill_err(&self.dir, &e))?;
            self.file = Some((file, WriteBehind::new(behind)));
        }
        let s = &mut self.sorters[i];
        s.sort();
        let out = &mut self.out;
        out.clear();
        for &slot in &s.slots {
            let (k, v) = s.entry(slot);
            put_framed(out, k, v);
        }
        let (_, behind) = self.file.as_ref().expect("created above");
        behind
            .write(self.end, out)
            .map_err(|e| spill_err(&self.dir, &e))?;
        s.runs.push(Run {
            offset: self.end,
            end: self.end + out.len() as u64,
        });
        self.end += out.len() as u64;
        s.bytes.clear();
        s.slots.clear();
        Ok(())
    }

    /// Hands `table`'s entries to `f` as one stream in key order ([`Merged`]), then forgets
    /// them. Runs spilled to the file are merged on a thread of their own, a batch ahead of
    /// `f` ([`Batches`]): the merge's comparisons and reads then cost the inserting thread
    /// nothing.
    pub(super) fn drain(
        &mut self,
        table: &str,
        f: &mut dyn FnMut(&mut dyn Stream) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let Some(i) = self.sorters.iter().position(|s| s.table == table) else {
            return Ok(());
        };
        self.sorters[i].sort();
        // The runs are read once every write of them has landed.
        let result = match &self.file {
            Some((file, behind)) => behind
                .drain()
                .map(|()| Some(file))
                .map_err(|e| spill_err(&self.dir, &e)),
            None => Ok(None),
        }
        .and_then(|file| Merged::new(file, &self.dir, &self.sorters[i]))
        .and_then(|mut m| {
            if self.sorters[i].runs.is_empty() {
                f(&mut m)
            } else {
                Batches::run(m, f)
            }
        });
        self.sorters[i].clear();
        if self.sorters.iter().all(|s| s.runs.is_empty()) {
            self.end = 0;
        }
        result
    }
}

impl Writer {
    /// Collects entries for the table `def`, inserted in key order by [`Writer::merge_sorted`].
    pub(super) fn sort_into<'a, K: Key + 'static, V: Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
        entries: impl IntoIterator<Item = (K::SelfType<'a>, V::SelfType<'a>)>,
    ) -> Result<(), Error> {
        let mut sorted = self.sorted.borrow_mut();
        for (k, v) in entries {
            let (k, v) = (K::as_bytes(&k), V::as_bytes(&v));
            sorted.push(def.name(), K::compare, k.as_ref(), v.as_ref())?;
        }
        Ok(())
    }

    /// Inserts the entries collected for `def`, in key order. When they all sort after the
    /// table's last key (always, for a table a load starts empty) they go in through a
    /// cursor at its end, which packs them into full leaves a run at a time instead of
    /// descending the tree once per entry.
    pub(super) fn merge_sorted<K: Key + 'static, V: Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
    ) -> Result<(), Error> {
        let mut sorted = self.sorted.borrow_mut();
        if !sorted.holds(def.name()) {
            return Ok(());
        }
        let mut t = self.tx.open_table(def).map_err(db_err)?;
        let last = last_key(&t)?;
        sorted.drain(def.name(), &mut |m| {
            let Some((k, v)) = m.next()? else {
                return Ok(());
            };
            if !after::<K>(k, last.as_deref()) {
                t.insert(K::from_bytes(k), V::from_bytes(v))
                    .map_err(db_err)?;
                while let Some((k, v)) = m.next()? {
                    t.insert(K::from_bytes(k), V::from_bytes(v))
                        .map_err(db_err)?;
                }
                return Ok(());
            }
            let mut end = t
                .upper_bound_mut(Bound::<K::SelfType<'_>>::Unbounded)
                .map_err(db_err)?;
            end.insert_before(K::from_bytes(k), V::from_bytes(v))
                .map_err(cursor_err)?;
            while let Some((k, v)) = m.next()? {
                end.insert_before(K::from_bytes(k), V::from_bytes(v))
                    .map_err(cursor_err)?;
            }
            end.close().map_err(db_err)
        })
    }
}

impl Writer {
    /// Inserts `rows`, given in ascending key order, into the table `def`: through a cursor
    /// at its end when they all sort after its last key (a load's new ids), which packs them
    /// into full leaves a run at a time, else one by one.
    pub(super) fn insert_ascending<'a, K: Key + 'static, V: Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
        rows: impl IntoIterator<Item = (K::SelfType<'a>, V::SelfType<'a>)>,
    ) -> Result<(), Error> {
        let mut rows = rows.into_iter().peekable();
        let Some((first, _)) = rows.peek() else {
            return Ok(());
        };
        let mut t = self.tx.open_table(def).map_err(db_err)?;
        if !after::<K>(K::as_bytes(first).as_ref(), last_key(&t)?.as_deref()) {
            for (k, v) in rows {
                t.insert(k, v).map_err(db_err)?;
            }
            return Ok(());
        }
        let mut end = t
            .upper_bound_mut(Bound::<K::SelfType<'_>>::Unbounded)
            .map_err(db_err)?;
        for (k, v) in rows {
            end.insert_before(k, v).map_err(cursor_err)?;
        }
        end.close().map_err(db_err)
    }
}

/// The greatest key of a table, encoded.
fn last_key<K: Key + 'static, V: Value + 'static>(
    t: &redb::Table<K, V>,
) -> Result<Option<Vec<u8>>, Error> {
    let last = t.last().map_err(db_err)?;
    Ok(last.map(|(k, _)| K::as_bytes(&k.value()).as_ref().to_vec()))
}

/// Whether the encoded key `k` sorts after `last` (any key does when there is none).
fn after<K: Key>(k: &[u8], last: Option<&[u8]>) -> bool {
    last.is_none_or(|last| K::compare(k, last) == Ordering::Greater)
}

fn cursor_err(e: CursorError) -> Error {
    match e {
        CursorError::Storage(s) => db_err(s),
        other => Error::Internal(format!("sorted index entries: {other}")),
    }
}

fn len32(b: &[u8]) -> Result<u32, Error> {
    u32::try_from(b.len()).map_err(|_| too_long())
}

fn too_long() -> Error {
    Error::Internal("an index entry is longer than 4 GiB".into())
}

/// Appends an entry as runs and merge batches hold it: key length and value length (u32,
/// little-endian), key, value. The lengths fit: `Sorted::push` takes no longer entry.
fn put_framed(out: &mut Vec<u8>, k: &[u8], v: &[u8]) {
    out.extend_from_slice(&(k.len() as u32).to_le_bytes());
    out.extend_from_slice(&(v.len() as u32).to_le_bytes());
    out.extend_from_slice(k);
    out.extend_from_slice(v);
}

/// The key and value lengths of the entry framed at `at` in `buf` ([`put_framed`]).
fn framed_lengths(buf: &[u8], at: usize) -> (usize, usize) {
    let word = |i: usize| u32::from_le_bytes(buf[i..i + 4].try_into().expect("4 bytes")) as usize;
    (word(at), word(at + 4))
}

/// An unnamed file in `dir` (the system's temporary directory if `dir` refuses one), gone
/// when closed.
fn temporary(dir: &Path) -> Result<File, Error> {
    tempfile::tempfile_in(dir)
        .or_else(|_| tempfile::tempfile())
        .map_err(|e| spill_err(dir, &e))
}

fn spill_err(dir: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::StorageFull {
        return Error::DiskFull(dir.to_path_buf());
    }
    Error::Io(format!(
        "the temporary file that sorts index entries in {} failed ({e}); nothing was changed, try again",
        dir.display()
    ))
}

/// A run read back through a buffer.
struct Reader<'f> {
    file: &'f File,
    next: u64,
    end: u64,
    buf: Vec<u8>,
    /// The current entry's place in `buf`: start, key length, value length.
    at: Option<(usize, usize, usize)>,
    /// Where the bytes after the current entry start in `buf`.
    rest: usize,
}

impl<'f> Reader<'f> {
    fn new(file: &'f File, run: Run) -> Reader<'f> {
        Reader {
            file,
            next: run.offset,
            end: run.end,
            buf: Vec::with_capacity(READ_BYTES),
            at: None,
            rest: 0,
        }
    }

    /// Makes `n` bytes from `rest` on available, reading more of the run; false at its end.
    fn fill(&mut self, n: usize) -> std::io::Result<bool> {
        if self.buf.len() - self.rest >= n {
            return Ok(true);
        }
        self.buf.drain(..self.rest);
        self.rest = 0;
        let want = (n.max(READ_BYTES) - self.buf.len()) as u64;
        let take = want.min(self.end - self.next) as usize;
        let old = self.buf.len();
        self.buf.resize(old + take, 0);
        self.file.read_exact_at(&mut self.buf[old..], self.next)?;
        self.next += take as u64;
        Ok(self.buf.len() >= n)
    }

    /// Moves to the next entry; `false` at the end of the run.
    fn advance(&mut self) -> std::io::Result<bool> {
        self.at = None;
        if !self.fill(8)? {
            return Ok(false);
        }
        let (k, v) = framed_lengths(&self.buf, self.rest);
        if !self.fill(8 + k + v)? {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "a sorted run ends inside an entry",
            ));
        }
        self.at = Some((self.rest + 8, k, v));
        self.rest += 8 + k + v;
        Ok(true)
    }

    fn entry(&self) -> (&[u8], &[u8]) {
        let (s, k, v) = self.at.expect("a current entry");
        (&self.buf[s..s + k], &self.buf[s + k..s + k + v])
    }
}

/// Where a merge takes its next entry from: a run in the file, or the sorted entries still
/// in memory.
enum Source<'a> {
    Run(Reader<'a>),
    Memory(&'a Sorter, usize),
}

impl Source<'_> {
    fn entry(&self) -> (&[u8], &[u8]) {
        match self {
            Source::Run(r) => r.entry(),
            Source::Memory(s, i) => s.entry(s.slots[*i]),
        }
    }

    fn advance(&mut self) -> std::io::Result<bool> {
        match self {
            Source::Run(r) => r.advance(),
            Source::Memory(s, i) => {
                *i += 1;
                Ok(*i < s.slots.len())
            }
        }
    }
}

/// The runs of one table and its sorted entries still in memory, merged into one stream in
/// key order through a binary heap of the sources' current entries. Of entries with equal
/// keys only the last collected comes out (ties go to the earlier source: the earlier run,
/// then memory), as if each had been inserted in turn.
pub(super) struct Merged<'a> {
    dir: &'a Path,
    compare: Compare,
    sources: Vec<Source<'a>>,
    heap: Vec<usize>,
    /// The entry taken from the sources but not yet handed out (key, value), if `held`.
    next: (Vec<u8>, Vec<u8>),
    held: bool,
    /// The entry handed out last.
    out: (Vec<u8>, Vec<u8>),
}

impl<'a> Merged<'a> {
    fn new(file: Option<&'a File>, dir: &'a Path, s: &'a Sorter) -> Result<Merged<'a>, Error> {
        let io = |e: std::io::Error| spill_err(dir, &e);
        let mut sources: Vec<Source> = match file {
            Some(file) => s
                .runs
                .iter()
                .map(|&r| Source::Run(Reader::new(file, r)))
                .collect(),
            None => Vec::new(),
        };
        if !s.slots.is_empty() {
            sources.push(Source::Memory(s, 0));
        }
        let mut heap: Vec<usize> = Vec::with_capacity(sources.len());
        for (i, src) in sources.iter_mut().enumerate() {
            let ready = match src {
                Source::Run(r) => r.advance().map_err(io)?,
                Source::Memory(..) => true,
            };
            if ready {
                heap.push(i);
            }
        }
        let mut m = Merged {
            dir,
            compare: s.compare,
            sources,
            heap,
            next: (Vec::new(), Vec::new()),
            held: false,
            out: (Vec::new(), Vec::new()),
        };
        for i in (0..m.heap.len() / 2).rev() {
            m.sift_down(i);
        }
        Ok(m)
    }

    fn less(&self, a: usize, b: usize) -> bool {
        let (sa, sb) = (&self.sources[a], &self.sources[b]);
        match (self.compare)(sa.entry().0, sb.entry().0) {
            Ordering::Less => true,
            Ordering::Equal => a < b,
            Ordering::Greater => false,
        }
    }

    /// Restores the heap order below `i`.
    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut min = i;
            if l < self.heap.len() && self.less(self.heap[l], self.heap[min]) {
                min = l;
            }
            if r < self.heap.len() && self.less(self.heap[r], self.heap[min]) {
                min = r;
            }
            if min == i {
                return;
            }
            self.heap.swap(i, min);
            i = min;
        }
    }

    /// Takes the smallest current entry into `next`; `false` once every source is spent.
    fn take(&mut self) -> Result<bool, Error> {
        let Some(&top) = self.heap.first() else {
            return Ok(false);
        };
        let (k, v) = self.sources[top].entry();
        self.next.0.clear();
        self.next.0.extend_from_slice(k);
        self.next.1.clear();
        self.next.1.extend_from_slice(v);
        let more = self.sources[top]
            .advance()
            .map_err(|e| spill_err(self.dir, &e))?;
        if !more {
            let last = self.heap.pop().expect("not empty");
            if self.heap.is_empty() {
                return Ok(true);
            }
            self.heap[0] = last;
        }
        self.sift_down(0);
        Ok(true)
    }
}

/// Entries in key order, one at a time.
pub(super) trait Stream {
    /// The next entry, or `None` at the end.
    fn next(&mut self) -> Result<Option<Encoded<'_>>, Error>;
}

impl Stream for Merged<'_> {
    fn next(&mut self) -> Result<Option<Encoded<'_>>, Error> {
        if !self.held {
            if !self.take()? {
                return Ok(None);
            }
            self.held = true;
        }
        std::mem::swap(&mut self.out, &mut self.next);
        self.held = false;
        while self.take()? {
            if (self.compare)(&self.next.0, &self.out.0) != Ordering::Equal {
                self.held = true;
                break;
            }
            // A later entry with the same key replaces the one about to go out.
            std::mem::swap(&mut self.out, &mut self.next);
        }
        Ok(Some((&self.out.0, &self.out.1)))
    }
}

/// Bytes of entries the merging thread packs into one batch for the inserting one.
const BATCH_BYTES: usize = if cfg!(debug_assertions) {
    512
} else {
    64 << 10
};

/// Batches the merging thread may hold ready, so the two threads stay at most this far apart.
const BATCHES_AHEAD: usize = 4;

/// What the merging thread hands over.
enum Handed {
    /// Entries framed as in a run ([`put_framed`]).
    Batch(Vec<u8>),
    /// Every entry has been handed over.
    End,
    Failed(Error),
}

/// A merge's entries, as the merging thread hands them over in batches.
struct Batches {
    from: Receiver<Handed>,
    /// Read batches, back to the merging thread to be filled again.
    back: SyncSender<Vec<u8>>,
    batch: Vec<u8>,
    /// Where the next entry starts in `batch` (never empty once received).
    at: usize,
    ended: bool,
}

impl Batches {
    /// Merges `m` on a new thread and hands its entries to `f` as they come.
    fn run(
        mut m: Merged<'_>,
        f: &mut dyn FnMut(&mut dyn Stream) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (to, from) = sync_channel(BATCHES_AHEAD);
        let (back, spare) = sync_channel::<Vec<u8>>(BATCHES_AHEAD + 1);
        std::thread::scope(|scope| {
            threads::scoped(scope, "index-merge", move || {
                let mut batch = Vec::with_capacity(BATCH_BYTES);
                loop {
                    let handed = match m.next() {
                        Ok(Some((k, v))) => {
                            put_framed(&mut batch, k, v);
                            if batch.len() < BATCH_BYTES {
                                continue;
                            }
                            let next = spare.try_recv().unwrap_or_default();
                            Handed::Batch(std::mem::replace(&mut batch, next))
                        }
                        Ok(None) if batch.is_empty() => Handed::End,
                        Ok(None) => Handed::Batch(std::mem::take(&mut batch)),
                        Err(e) => Handed::Failed(e),
                    };
                    let last = matches!(handed, Handed::End | Handed::Failed(_));
                    // A closed channel means the inserting side stopped: so does this one.
                    if to.send(handed).is_err() || last {
                        return;
                    }
                }
            })?;
            f(&mut Batches {
                from,
                back,
                batch: Vec::new(),
                at: 0,
                ended: false,
            })
        })
    }
}

impl Stream for Batches {
    fn next(&mut self) -> Result<Option<Encoded<'_>>, Error> {
        if self.at == self.batch.len() {
            if self.ended {
                return Ok(None);
            }
            match self.from.recv() {
                Ok(Handed::Batch(b)) => {
                    let mut read = std::mem::replace(&mut self.batch, b);
                    read.clear();
                    let _ = self.back.try_send(read);
                    self.at = 0;
                }
                Ok(Handed::End) => {
                    self.ended = true;
                    return Ok(None);
                }
                Ok(Handed::Failed(e)) => return Err(e),
                Err(_) => {
                    return Err(Error::Internal(
                        "the merge of sorted index entries stopped; nothing was changed".into(),
                    ))
                }
            }
        }
        let (k, v) = framed_lengths(&self.batch, self.at);
        let s = self.at + 8;
        self.at = s + k + v;
        Ok(Some((&self.batch[s..s + k], &self.batch[s + k..s + k + v])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bytes_order(a: &[u8], b: &[u8]) -> Ordering {
        a.cmp(b)
    }

    fn drained(sorted: &mut Sorted, table: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        sorted
            .drain(table, &mut |m| {
                while let Some((k, v)) = m.next()? {
                    out.push((k.to_vec(), v.to_vec()));
                }
                Ok(())
            })
            .unwrap();
        out
    }

    proptest! {
        /// Whatever the sizes, entries come out in key order, of equal keys the last one
        /// collected, and nothing else is lost or made up; spilled runs included.
        #[test]
        fn entries_come_out_sorted_and_whole(
            entries in proptest::collection::vec(
                (proptest::collection::vec(0u8..4, 0..6), proptest::collection::vec(any::<u8>(), 0..40)),
                0..1500,
            ),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut sorted = Sorted::new(&dir.path().join("db.redb"));
            for (k, v) in &entries {
                sorted.push("t", bytes_order, k, v).unwrap();
                // A run is spilled before it would pass its bound, not after.
                prop_assert!(sorted.sorters[0].bytes.len() <= RUN_BYTES);
            }
            let mut want: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            for (k, v) in &entries {
                match want.iter_mut().find(|(wk, _)| wk == k) {
                    Some(w) => w.1 = v.clone(),
                    None => want.push((k.clone(), v.clone())),
                }
            }
            want.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(drained(&mut sorted, "t"), want);
            prop_assert!(!sorted.holds("t"));
        }
    }

    #[test]
    fn a_run_larger_than_the_read_buffer_and_tables_apart() {
        let dir = tempfile::tempdir().unwrap();
        let mut sorted = Sorted::new(&dir.path().join("db.redb"));
        let big = vec![7u8; READ_BYTES * 3];
        sorted.push("a", bytes_order, b"m", &big).unwrap();
        for i in (0..2000u32).rev() {
            sorted
                .push("a", bytes_order, &i.to_be_bytes(), b"x")
                .unwrap();
            sorted
                .push("b", bytes_order, &i.to_be_bytes(), b"y")
                .unwrap();
        }
        assert!(sorted.file.is_some(), "the entries spilled");
        let a = drained(&mut sorted, "a");
        assert_eq!(a.len(), 2001);
        assert!(a.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(a.last().unwrap(), &(b"m".to_vec(), big));
        assert!(sorted.holds("b"));
        let b = drained(&mut sorted, "b");
        assert_eq!(b.len(), 2000);
        assert!(b.iter().all(|(_, v)| v == b"y"));
        assert_eq!(sorted.end, 0, "the file is reused once every run is merged");
    }

    #[test]
    fn an_insert_that_fails_stops_the_merging_thread_and_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let mut sorted = Sorted::new(&dir.path().join("db.redb"));
        for i in 0..20_000u32 {
            sorted
                .push("a", bytes_order, &i.to_le_bytes(), b"value")
                .unwrap();
        }
        assert!(
            sorted.sorters[0].runs.len() > 1,
            "the merge runs on its own thread"
        );
        let mut seen = 0;
        let e = sorted
            .drain("a", &mut |m| {
                while m.next()?.is_some() {
                    seen += 1;
                    if seen == 3 {
                        return Err(Error::Internal("the insert failed".into()));
                    }
                }
                Ok(())
            })
            .unwrap_err();
        assert!(e.to_string().contains("the insert failed"), "{e}");
        assert!(!sorted.holds("a"), "the entries are forgotten");
    }
}
