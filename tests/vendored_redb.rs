//! The changes in the patched copy of redb (`vendor/redb`, listed in its README.clientele.md).
//! First, a commit reads the leaves its transaction already wrote out only to checksum them,
//! and does not write them a second time: measured on an in-memory backend that counts
//! writes, with a cache far smaller than the transaction, as a load of a million customers
//! is. Second, a cursor's insert runs reuse one buffer: checked entry by entry. Third, a
//! large commit checksums its pages on two threads: every test ends with redb's own check of
//! every checksum.

use redb::backends::InMemoryBackend;
use redb::{Builder, ReadableDatabase, ReadableTable, StorageBackend, TableDefinition};
use std::io::Result as BackendResult;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
struct Counting {
    inner: InMemoryBackend,
    written: Arc<AtomicU64>,
}

impl StorageBackend for Counting {
    fn len(&self) -> BackendResult<u64> {
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> BackendResult<()> {
        self.inner.read(offset, out)
    }
    fn set_len(&self, len: u64) -> BackendResult<()> {
        self.inner.set_len(len)
    }
    fn sync_data(&self) -> BackendResult<()> {
        self.inner.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> BackendResult<()> {
        self.written.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.inner.write(offset, data)
    }
}

const TABLE: TableDefinition<u64, &[u8]> = TableDefinition::new("t");

/// Bytes written by one transaction of `rows` values of 200 bytes, in key order, and
/// whether the file then passes redb's own check of every page's checksum.
fn load(rows: u64) -> (u64, u64, bool) {
    let backend = Counting::default();
    let written = backend.written.clone();
    let mut db = Builder::new()
        .set_cache_size(1 << 20)
        .create_with_backend(backend)
        .unwrap();
    let before = written.load(Ordering::Relaxed);
    let value = [0x5a_u8; 200];
    let tx = db.begin_write().unwrap();
    {
        let mut t = tx.open_table(TABLE).unwrap();
        for k in 0..rows {
            t.insert(k, &value[..]).unwrap();
        }
    }
    tx.commit().unwrap();
    let bytes = written.load(Ordering::Relaxed) - before;
    let stored = rows * (200 + 8);
    (bytes, stored, db.check_integrity().unwrap())
}

/// Unpatched, every leaf the write buffer evicted is read back as dirty at the commit and
/// written again: some 2x the stored bytes. Patched, each page is written about once.
#[test]
fn a_large_commit_writes_each_leaf_once_and_checksums_it_right() {
    let (bytes, stored, intact) = load(100_000);
    assert!(intact, "the committed file fails redb's checksum check");
    assert!(
        bytes < stored * 3 / 2,
        "the commit wrote {bytes} bytes for {stored} stored"
    );
    assert!(bytes > stored, "the commit wrote less than it stores");
}

/// A transaction that fits the cache: nothing is evicted, nothing read back.
#[test]
fn a_small_commit_checksums_its_leaves_right() {
    let (bytes, stored, intact) = load(500);
    assert!(intact);
    assert!(bytes >= stored);
}

/// The value stored under `k` in the cursor test: its length and bytes differ by key, so a
/// run that kept any byte of an earlier run would show.
fn value_of(k: u64) -> Vec<u8> {
    vec![(k % 251) as u8; 40 + (k % 300) as usize]
}

/// The second change: a cursor's pending inserts are flushed a MiB at a time, and each run
/// after the first fills the emptied buffer of the one before. A cursor inserting about
/// 12 MiB in ascending order and then some 2 MiB in descending order (so both kinds of run
/// reuse a buffer) leaves exactly the entries it inserted, and the file passes redb's check.
#[test]
fn cursor_runs_that_reuse_a_buffer_store_exactly_what_was_inserted() {
    const ASCENDING: u64 = 60_000;
    const DESCENDING: u64 = 10_000;
    let mut db = Builder::new()
        .create_with_backend(InMemoryBackend::new())
        .unwrap();
    let tx = db.begin_write().unwrap();
    {
        let mut t = tx.open_table(TABLE).unwrap();
        let mut c = t
            .upper_bound_mut(std::ops::Bound::<u64>::Unbounded)
            .unwrap();
        for k in 0..ASCENDING {
            c.insert_before(k * 2, value_of(k * 2).as_slice()).unwrap();
        }
        // Downwards from the top, each key below the one before and above the ascending ones.
        let top = ASCENDING * 2 + DESCENDING * 2;
        for i in 0..DESCENDING {
            let k = top - i * 2;
            c.insert_after(k, value_of(k).as_slice()).unwrap();
        }
        c.close().unwrap();
    }
    tx.commit().unwrap();
    let rd = db.begin_read().unwrap();
    let t = rd.open_table(TABLE).unwrap();
    let mut expected: Vec<u64> = (0..ASCENDING).map(|k| k * 2).collect();
    let top = ASCENDING * 2 + DESCENDING * 2;
    expected.extend((0..DESCENDING).rev().map(|i| top - i * 2));
    let mut n = 0;
    for (entry, want) in t.iter().unwrap().zip(&expected) {
        let (k, v) = entry.unwrap();
        assert_eq!(k.value(), *want);
        assert_eq!(v.value(), value_of(*want).as_slice(), "value of {want}");
        n += 1;
    }
    assert_eq!(n, expected.len());
    assert_eq!(
        redb::ReadableTableMetadata::len(&t).unwrap(),
        expected.len() as u64
    );
    drop((t, rd));
    assert!(db.check_integrity().unwrap());
}
