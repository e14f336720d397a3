//! The file under a redb database, and how its I/O errors become clientele errors.
//!
//! redb reports a full disk as a bare `io::Error` deep inside whatever call hit it, without
//! the file's name. `File` wraps redb's own file backend and tags ENOSPC/EDQUOT with the path
//! the user knows, so `classify` can turn any redb error that carries it into
//! `Error::DiskFull(path)`, wherever in a task it surfaces. Its writes go through a
//! [`WriteBehind`], so the thread building B-trees does not wait for the system's copies.

use super::write_behind::WriteBehind;
use crate::domain::error::Error;
use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend, StorageError};
use std::any::Any;
use std::fmt;
use std::io;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// redb's file backend, with disk-full errors tagged by `shown` (the name to report) and
/// writes landed by a thread of their own. Every call that redb orders after its writes
/// (sync, length, close) first waits for them to land.
#[derive(Debug)]
pub struct File {
    /// Dropped first: it lands what is queued while `inner` still holds the file's lock.
    behind: WriteBehind,
    inner: FileBackend,
    shown: PathBuf,
    /// Writes since the last sync, for the failpoint `write-queued`.
    unsynced: AtomicU64,
}

/// The write since the last sync at which the failpoint `write-queued` aborts: only a
/// commit of many pages (a load's) gets there, and it dies with part of its pages queued
/// or written and its header not.
const CRASH_AT_WRITE: u64 = 40;

impl File {
    pub fn new(file: std::fs::File, shown: &Path) -> Result<File, Error> {
        let cannot = |e: &dyn fmt::Display| {
            Error::Database(format!("{} cannot be opened: {e}", shown.display()))
        };
        let behind = WriteBehind::new(file.try_clone().map_err(|e| cannot(&e))?);
        let inner = FileBackend::new(file).map_err(|e| cannot(&e))?;
        Ok(File {
            behind,
            inner,
            shown: shown.to_path_buf(),
            unsynced: AtomicU64::new(0),
        })
    }

    fn tag<T>(&self, r: io::Result<T>) -> io::Result<T> {
        r.map_err(|e| {
            if is_disk_full(&e) {
                io::Error::new(io::ErrorKind::StorageFull, DiskFull(self.shown.clone(), e))
            } else {
                e
            }
        })
    }
}

/// Whether an I/O error means the disk (or the user's quota on it) is full.
pub fn is_disk_full(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// The payload of a tagged disk-full `io::Error`.
#[derive(Debug)]
struct DiskFull(PathBuf, io::Error);

impl fmt::Display for DiskFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.display(), self.1)
    }
}

impl std::error::Error for DiskFull {}

impl StorageBackend for File {
    fn len(&self) -> io::Result<u64> {
        self.tag(self.behind.drain())?;
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        match self
            .behind
            .read(offset, out, |buf| self.inner.read(offset, buf))
        {
            // redb sets the length before it writes past the end, so this is not expected;
            // should a queued write reach past the end, the read waits for it to land.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.tag(self.behind.drain())?;
                self.inner.read(offset, out)
            }
            r => r,
        }
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.tag(self.behind.drain().and_then(|()| self.inner.set_len(len)))
    }
    fn sync_data(&self) -> io::Result<()> {
        self.unsynced.store(0, Ordering::Relaxed);
        self.tag(self.behind.drain().and_then(|()| self.inner.sync_data()))
    }
    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.tag(self.behind.write(offset, data))?;
        if offset == 0 {
            // The header: another process reads it as soon as redb lets go of its lock on
            // it, and a reader beside a running server takes the commit it names from there.
            // So it is on the file before this returns, after every write queued before it.
            self.tag(self.behind.drain())?;
        }
        if cfg!(debug_assertions) && self.unsynced.fetch_add(1, Ordering::Relaxed) == CRASH_AT_WRITE
        {
            super::failpoint::hit("write-queued");
        }
        Ok(())
    }
    fn close(&self) -> io::Result<()> {
        self.tag(self.behind.drain())?;
        self.inner.close()
    }
    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }
    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }
    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }
    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }
    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }
    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

/// What a redb error means for the store.
pub enum Fault {
    /// The disk holding this file is full.
    DiskFull(PathBuf),
    /// An I/O error, now or earlier: the handle must be dropped and the file opened again.
    Reopen,
    /// Anything else.
    Other,
}

/// Sorts any redb error (or anything else displayable) into a `Fault`.
pub fn classify<E: 'static>(e: &E) -> Fault {
    match storage_error(e) {
        Some(StorageError::Io(io)) => match io.get_ref().and_then(|i| i.downcast_ref()) {
            Some(DiskFull(path, _)) => Fault::DiskFull(path.clone()),
            None => Fault::Reopen,
        },
        Some(StorageError::PreviousIo | StorageError::DatabaseClosed) => Fault::Reopen,
        _ => Fault::Other,
    }
}

/// The storage error inside any of redb's error types.
fn storage_error<E: 'static>(e: &E) -> Option<&StorageError> {
    let any = e as &dyn Any;
    if let Some(s) = any.downcast_ref::<StorageError>() {
        return Some(s);
    }
    if let Some(redb::TableError::Storage(s)) = any.downcast_ref() {
        return Some(s);
    }
    if let Some(redb::TransactionError::Storage(s)) = any.downcast_ref() {
        return Some(s);
    }
    if let Some(redb::CommitError::Storage(s)) = any.downcast_ref() {
        return Some(s);
    }
    if let Some(redb::DatabaseError::Storage(s)) = any.downcast_ref() {
        return Some(s);
    }
    if let Some(redb::SavepointError::Storage(s)) = any.downcast_ref() {
        return Some(s);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tagged(path: &str) -> StorageError {
        let enospc = io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(is_disk_full(&enospc));
        StorageError::Io(io::Error::new(
            io::ErrorKind::StorageFull,
            DiskFull(PathBuf::from(path), enospc),
        ))
    }

    #[test]
    fn the_header_is_on_the_file_when_its_write_returns_and_pages_may_follow() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.redb");
        let file = std::fs::File::create_new(&path).unwrap();
        let f = File::new(file, &path).unwrap();
        // Each write lands two seconds after it is taken: far longer than this test takes
        // between a write and the read after it, however busy the machine.
        f.behind.land_slowly_for_test(Duration::from_secs(2));
        let peer = std::fs::File::open(&path).unwrap();
        let on_file = |offset: u64| {
            let mut b = [0u8; 4];
            let n = std::os::unix::fs::FileExt::read_at(&peer, &mut b, offset).unwrap();
            b[n..].fill(0);
            b
        };
        f.write(8192, b"page").unwrap();
        assert_eq!(on_file(8192), [0; 4], "a page lands behind the caller");
        f.write(0, b"head").unwrap();
        // What the header names was written before it, so it is there as well.
        assert_eq!(on_file(0), *b"head");
        assert_eq!(on_file(8192), *b"page");
    }

    #[test]
    fn a_tagged_disk_full_error_is_found_inside_every_redb_error() {
        let full = |f: Fault| matches!(f, Fault::DiskFull(p) if p == Path::new("d/c.redb"));
        assert!(full(classify(&tagged("d/c.redb"))));
        assert!(full(classify(&redb::CommitError::Storage(tagged(
            "d/c.redb"
        )))));
        assert!(full(classify(&redb::TableError::Storage(tagged(
            "d/c.redb"
        )))));
        assert!(full(classify(&redb::DatabaseError::Storage(tagged(
            "d/c.redb"
        )))));
    }

    #[test]
    fn other_io_errors_ask_for_a_reopen_and_the_rest_is_a_fault() {
        let eio = StorageError::Io(io::Error::from_raw_os_error(libc::EIO));
        assert!(matches!(classify(&eio), Fault::Reopen));
        let previous = redb::TransactionError::Storage(StorageError::PreviousIo);
        assert!(matches!(classify(&previous), Fault::Reopen));
        let corrupt = StorageError::Corrupted("bad page".into());
        assert!(matches!(classify(&corrupt), Fault::Other));
        assert!(matches!(classify(&"a message"), Fault::Other));
        assert!(!is_disk_full(&io::Error::from_raw_os_error(libc::EIO)));
        assert!(is_disk_full(&io::Error::from_raw_os_error(libc::EDQUOT)));
    }
}
