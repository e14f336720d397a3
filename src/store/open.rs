//! Opening the file: telling clientele's own files from others (which are refused without
//! a byte changed), recovering a file a crash left behind, and opening again after redb
//! reports an I/O error.

use super::order::{RETIRED_ORDER_ACCOUNT, RETIRED_ORDER_COMPANY};
use super::*;
use crate::domain::error::Unusable;
use crate::domain::progress::{Progress, Quiet};
use redb::{Builder, ConcurrencyMode, DatabaseError, TableError, TableHandle};
use std::cell::RefCell;
use std::sync::{PoisonError, Weak};
use std::time::{Duration, Instant};

/// How long a reopen waits for transactions of the spent handle to let go of the file.
const REOPEN_PATIENCE: Duration = Duration::from_secs(10);

fn builder(cache_bytes: usize) -> Builder {
    let mut b = Builder::new();
    // SingleWriter lets read-only commands follow a running server's commits.
    b.set_concurrency_mode(ConcurrencyMode::SingleWriter);
    b.set_cache_size(cache_bytes);
    b
}

/// What an existing file holds, judged from a read transaction.
enum Kind {
    /// clientele's: it carries the marker.
    Ours,
    /// clientele's from before the marker existed: the schema version row and nothing but
    /// clientele's tables. Accepted; its next commit adds the marker.
    Unmarked,
    /// A redb database without a single table: what a crash between creating a file and
    /// its first commit leaves. There is nothing in it to lose, so it is taken.
    Blank,
    /// Another program's database.
    Foreign,
}

fn identify(tx: &ReadTransaction) -> Result<Kind, Error> {
    let tables: Vec<String> = tx
        .list_tables()
        .map_err(db_err)?
        .map(|t| t.name().to_string())
        .collect();
    let multimaps = tx.list_multimap_tables().map_err(db_err)?.count();
    if tables.is_empty() && multimaps == 0 {
        return Ok(Kind::Blank);
    }
    let meta = match tx.open_table(META) {
        Ok(meta) => meta,
        Err(TableError::Storage(e)) => return Err(db_err(e)),
        // Missing, or a `meta` of other key or value types.
        Err(_) => return Ok(Kind::Foreign),
    };
    if meta
        .get(MARKER_KEY)
        .map_err(db_err)?
        .is_some_and(|v| v.value() == MARKER)
    {
        return Ok(Kind::Ours);
    }
    macro_rules! names {
        ($($def:expr),+) => { [$($def.name()),+] };
    }
    let ours = with_tables!(names);
    let retired = with_retired_tables!(names);
    let unmarked = multimaps == 0
        && meta.get("schema").map_err(db_err)?.is_some()
        && tables
            .iter()
            .all(|t| ours.contains(&t.as_str()) || retired.contains(&t.as_str()));
    Ok(if unmarked {
        Kind::Unmarked
    } else {
        Kind::Foreign
    })
}

thread_local! {
    /// Where an upgrade on this thread reports its progress (`Store::reporting_upgrade`).
    static UPGRADE_PROGRESS: RefCell<Option<Box<dyn Progress>>> = const { RefCell::new(None) };
}

/// One walk of an upgrade over the stored summaries, building what an older schema lacks.
/// A summary that cannot be read gets nothing (`check` names it).
type Step = fn(&Writer, &dyn Progress) -> Result<(), Error>;

/// The walks that bring a file of the older `schema` up to this release's, in order.
fn upgrade_steps(schema: u32) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    match schema {
        // A version-1 file gets every index at once.
        SCHEMA_WITHOUT_INDEXES => steps.push(|w, p| w.build_indexes(p)),
        // Schema 2 kept one search entry per customer; 3 keeps blocks, and facts.
        2 => {
            steps.push(|w, p| {
                w.drop_search_v2()?;
                w.build_search(p)
            });
            steps.push(|w, p| w.build_facts(p));
        }
        // Schema 3 kept no day facts: built once with the attention order.
        3 => steps.push(|w, p| w.rebuild_attention(p)),
        _ => {}
    }
    if (2..=4).contains(&schema) {
        // Schemas 2 to 4 kept no expiry months.
        steps.push(|w, p| w.build_expiry_months(p));
    }
    if schema > SCHEMA_WITHOUT_INDEXES {
        // Schemas 2 to 6 kept no open-events column.
        steps.push(|w, p| w.build_open(p));
    }
    steps
}

/// Step `k` of an upgrade's `n`, reporting to the one hook of the whole upgrade: its
/// summaries read count as a share of all, so the hook hears customers of all customers,
/// never going down, and the end only once, at the end of the last step.
struct Share<'a> {
    to: &'a dyn Progress,
    k: u64,
    n: u64,
}

impl Progress for Share<'_> {
    fn update(&self, done: u64, total: u64) {
        let whole = (self.k * total + done.min(total)) / self.n;
        if whole < total || self.k + 1 == self.n {
            self.to.update(whole, total);
        }
    }
}

/// Runs `steps` on `w`, reporting to the hook this thread set (`Store::reporting_upgrade`).
fn run_upgrade(w: &Writer, steps: &[Step]) -> Result<(), Error> {
    UPGRADE_PROGRESS.with(|hook| {
        let to = hook.borrow();
        let to = to.as_deref().unwrap_or(&Quiet);
        let n = steps.len() as u64;
        (0..n)
            .zip(steps)
            .try_for_each(|(k, step)| step(w, &Share { to, k, n }))
    })
}

impl Store {
    /// Runs `open` with `progress` receiving how far the one-time upgrade of an older file
    /// is (its walks over the customers, as one count of customers of all customers) when a
    /// writable open on this thread upgrades one; any other open reports nothing. The hook
    /// is dropped when `open` returns.
    pub fn reporting_upgrade<T>(progress: Box<dyn Progress>, open: impl FnOnce() -> T) -> T {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                UPGRADE_PROGRESS.with(|hook| hook.borrow_mut().take());
            }
        }
        UPGRADE_PROGRESS.with(|hook| *hook.borrow_mut() = Some(progress));
        let _reset = Reset;
        open()
    }

    /// Opens (or, for `Access::Write`, creates) the database at `path`. A file that is not
    /// clientele's is refused before anything is written to it.
    pub fn open(path: &Path, access: Access, cache_bytes: usize) -> Result<Store, Error> {
        let store = Store {
            handle: RwLock::new(None),
            path: path.to_path_buf(),
            access,
            cache_bytes,
            generation: Arc::new(AtomicU64::new(0)),
            needs_marker: Arc::new(AtomicBool::new(false)),
            customer_limit: crate::domain::limits::CUSTOMERS as u64,
            changes: Arc::default(),
        };
        let existed = match std::fs::metadata(path) {
            Ok(m) => Some(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(store.cannot_open(e)),
        };
        match store.open_checked(existed) {
            Ok(()) => Ok(store),
            Err(e) => {
                drop(store);
                if access == Access::Write && existed.is_none() {
                    // Never leave a file behind that this call made and could not set up.
                    let _ = std::fs::remove_file(path);
                }
                Err(e)
            }
        }
    }

    fn open_checked(&self, existed: Option<u64>) -> Result<(), Error> {
        match (self.access, existed) {
            (Access::Read, None) => return Err(self.unusable(Unusable::Missing)),
            (Access::Read, Some(0)) => return Err(self.empty()),
            // Judged through a read-only handle first: opening for writing changes the file.
            (Access::Write, Some(len)) if len > 0 => self.refuse_foreign()?,
            _ => {}
        }
        let handle = Arc::new(self.open_handle()?);
        *self.handle.write().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        let kind = identify(&self.read()?.tx)?;
        match kind {
            Kind::Foreign => Err(self.foreign()),
            Kind::Blank if self.access == Access::Write => {
                let w = self.write()?;
                w.init()?;
                w.commit()
            }
            Kind::Blank => Err(self.empty()),
            Kind::Ours | Kind::Unmarked => {
                self.check_schema()?;
                let unmarked = matches!(kind, Kind::Unmarked);
                self.needs_marker.store(unmarked, Ordering::Release);
                if self.access == Access::Write {
                    let w = self.write()?;
                    let added = w.add_missing_tables()?;
                    // An older file gets what its schema lacks once, in one transaction;
                    // the desk builds a missing attention order when it is first needed.
                    let schema = self.schema()?;
                    let upgrade = schema < Some(SCHEMA_VERSION);
                    if let Some(old) = schema.filter(|_| upgrade) {
                        run_upgrade(&w, &upgrade_steps(old))?;
                    }
                    if upgrade {
                        // Schemas 2 to 5 kept the orders by name the uniqueness tables give.
                        w.tx.delete_table(RETIRED_ORDER_COMPANY).map_err(db_err)?;
                        w.tx.delete_table(RETIRED_ORDER_ACCOUNT).map_err(db_err)?;
                        w.tx.open_table(META)
                            .map_err(db_err)?
                            .insert("schema", SCHEMA_VERSION.to_le_bytes().as_slice())
                            .map_err(db_err)?;
                    }
                    if added || upgrade {
                        w.commit()?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Refuses a file that is not clientele's, reading it through a read-only handle. A
    /// file a crash left unfinished cannot be read without redb's recovery, so it is
    /// judged after the writable open has recovered it.
    fn refuse_foreign(&self) -> Result<(), Error> {
        let b = builder(self.cache_bytes);
        match b.open_read_only_with_backend(self.file(false)?) {
            Ok(db) => {
                let tx = db.begin_read().map_err(db_err)?;
                match identify(&tx)? {
                    Kind::Foreign => Err(self.foreign()),
                    _ => Ok(()),
                }
            }
            Err(DatabaseError::RepairAborted) => Ok(()),
            Err(e) => Err(self.open_err(e)),
        }
    }

    /// The schema version the file records.
    fn schema(&self) -> Result<Option<u32>, Error> {
        let r = self.read()?;
        let meta = r.tx.open_table(META).map_err(db_err)?;
        let stored = meta
            .get("schema")
            .map_err(db_err)?
            .map(|v| u32::from_le_bytes(v.value().try_into().unwrap_or([0; 4])));
        Ok(stored)
    }

    /// Accepts this schema and the older ones (upgraded on a writable open; read as they
    /// are otherwise).
    fn check_schema(&self) -> Result<(), Error> {
        match self.schema()? {
            Some(v) if (SCHEMA_WITHOUT_INDEXES..=SCHEMA_VERSION).contains(&v) => Ok(()),
            Some(v) if v > SCHEMA_VERSION => Err(Error::Database(format!(
                "{} was written by a newer clientele (schema {v}; this one knows {SCHEMA_VERSION}); \
                 upgrade clientele to open it",
                self.path.display()
            ))),
            v => Err(Error::Database(format!(
                "{} has schema {}, which this clientele cannot upgrade",
                self.path.display(),
                v.unwrap_or(0)
            ))),
        }
    }

    /// The current handle, opening the file if a reopen failed earlier.
    pub(super) fn handle(&self) -> Result<Arc<Handle>, Error> {
        if let Some(h) = &*self.handle.read().unwrap_or_else(PoisonError::into_inner) {
            return Ok(h.clone());
        }
        let mut slot = self.handle.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(h) = &*slot {
            return Ok(h.clone());
        }
        let h = Arc::new(self.open_again()?);
        *slot = Some(h.clone());
        Ok(h)
    }

    /// Replaces `spent`, a handle redb refuses after an I/O error, with a fresh one (unless
    /// another thread already did).
    pub(super) fn reopen(&self, spent: Weak<Handle>) -> Result<(), Error> {
        let mut slot = self.handle.write().unwrap_or_else(PoisonError::into_inner);
        if slot
            .as_ref()
            .is_some_and(|h| Weak::ptr_eq(&Arc::downgrade(h), &spent))
        {
            *slot = None;
        }
        if slot.is_none() {
            *slot = Some(Arc::new(self.open_again()?));
        }
        Ok(())
    }

    /// Opens the file again. Transactions still running on the old handle hold the file for
    /// a moment (they fail fast now), so a busy file is retried for a while.
    fn open_again(&self) -> Result<Handle, Error> {
        let deadline = Instant::now() + REOPEN_PATIENCE;
        loop {
            match self.open_handle() {
                Err(Error::Busy { .. }) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(h) => {
                    // The file may hold less than the old handle showed (a commit that failed
                    // half-way is rolled back): caches built before are stale.
                    changes::log_next(&self.changes, &self.generation, None);
                    self.generation.fetch_add(1, Ordering::AcqRel);
                    return Ok(h);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn open_handle(&self) -> Result<Handle, Error> {
        let b = builder(self.cache_bytes);
        match self.access {
            Access::Write => b
                .create_with_backend(self.file(true)?)
                .map(Handle::Write)
                .map_err(|e| self.open_err(e)),
            Access::Read => match b.open_read_only_with_backend(self.file(false)?) {
                Ok(db) => Ok(Handle::Read(db)),
                // A read-only handle cannot recover a file a crash left behind; a writable
                // open does (in memory, back to the last commit), and its handle is kept for
                // reading: on a full disk the recovery cannot be written back, but the
                // file can still be read. No other process writes meanwhile (it would hold
                // the file), and `Store::write` still refuses.
                Err(DatabaseError::RepairAborted) => b
                    .create_with_backend(self.file(true)?)
                    .map(Handle::Write)
                    .map_err(|e| self.open_err(e)),
                Err(e) => Err(self.open_err(e)),
            },
        }
    }

    fn file(&self, writable: bool) -> Result<file::File, Error> {
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(writable)
            .create(writable)
            .truncate(false)
            .open(&self.path)
            .map_err(|e| self.cannot_open(e))?;
        file::File::new(f, &self.path)
    }

    fn open_err(&self, e: DatabaseError) -> Error {
        let shown = self.path.display();
        match e {
            // LockProtocolMismatch: held by a program with another redb version.
            DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => {
                holder::busy(&self.path)
            }
            DatabaseError::UpgradeRequired(_) | DatabaseError::RepairAborted => {
                Error::Database(format!("{shown} cannot be opened: {e}"))
            }
            DatabaseError::Storage(s) => match file::classify(&s) {
                Fault::DiskFull(path) => Error::DiskFull(path),
                _ => match s {
                    redb::StorageError::Io(io) if io.kind() != std::io::ErrorKind::InvalidData => {
                        self.cannot_open(io)
                    }
                    _ => self.not_redb(),
                },
            },
            _ => self.not_redb(),
        }
    }

    fn cannot_open(&self, e: std::io::Error) -> Error {
        if file::is_disk_full(&e) {
            return Error::DiskFull(self.path.clone());
        }
        Error::Database(format!("{} cannot be opened: {e}", self.path.display()))
    }

    fn foreign(&self) -> Error {
        self.unusable(Unusable::Foreign)
    }

    fn not_redb(&self) -> Error {
        self.unusable(Unusable::NotADatabase)
    }

    fn empty(&self) -> Error {
        self.unusable(Unusable::Empty)
    }

    fn unusable(&self, why: Unusable) -> Error {
        Error::Unusable {
            path: self.path.clone(),
            why,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Progress, Share};
    use std::cell::RefCell;

    /// What three steps over `total` customers, each reporting its start and end, make
    /// the upgrade's hook hear.
    fn heard(total: u64) -> Vec<(u64, u64)> {
        let calls = RefCell::new(Vec::new());
        let hook = |done, total| calls.borrow_mut().push((done, total));
        for k in 0..3 {
            let step = Share { to: &hook, k, n: 3 };
            step.update(0, total);
            step.update(total, total);
        }
        calls.into_inner()
    }

    #[test]
    fn steps_add_up_to_one_count_that_ends_once() {
        assert_eq!(
            heard(30),
            [(0, 30), (10, 30), (10, 30), (20, 30), (20, 30), (30, 30)]
        );
        // A file without customers: only the last step's end is the upgrade's.
        assert_eq!(heard(0), [(0, 0), (0, 0)]);
    }
}
