//! The redb file: tables, indexes, the schema version and marker, transactions, locking.
//! Only this module (with `records` and `codec`) knows redb and bincode.

mod attention;
mod backup;
mod bulk;
mod changes;
mod codec;
mod codes;
mod export_scan;
mod facts;
mod failpoint;
mod file;
mod holder;
mod open;
mod order;
pub mod records;
mod search;
mod sorted;
mod write_behind;

use crate::domain::audit::AuditMatch;
use crate::domain::check::{CheckReport, Unreadable};
use crate::domain::derive::{Catalog, OpenEvents};
use crate::domain::error::Error;
use crate::domain::model::*;
use crate::domain::progress::{Progress, Ticker};
use crate::domain::summary::{fold, Summary};
use attention::{ATTENTION_DUE, ORDER_ATTENTION};
pub use export_scan::ExportRow;
pub use facts::OpenColumn;
use facts::{DAY_FACTS, FACTS, OPEN};
use file::Fault;
use order::{EXPIRY_MONTHS, ORDER_EXPIRY, ORDER_LAST_TRANSACTION};
use records::*;
use redb::{
    Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, ReadableTable,
    ReadableTableMetadata, TableDefinition, TableHandle, WriteTransaction,
};
pub use search::Hit;
use search::SEARCH;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The file's schema: bumped when tables change shape. Record formats version themselves.
pub const SCHEMA_VERSION: u32 = 7;
/// The schema files written before the sort indexes have: opened for writing, they get
/// their indexes built once and move to `SCHEMA_VERSION`; opened read-only, their list is
/// computed from the summaries as before.
pub const SCHEMA_WITHOUT_INDEXES: u32 = 1;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const CUSTOMERS: TableDefinition<u64, &[u8]> = TableDefinition::new("customers");
const SUMMARIES: TableDefinition<u64, &[u8]> = TableDefinition::new("customer_summaries");
const BY_ACCOUNT: TableDefinition<&str, u64> = TableDefinition::new("customers_by_account_name");
const BY_COMPANY: TableDefinition<&str, u64> = TableDefinition::new("customers_by_company");
const BY_SERIAL: TableDefinition<&str, u64> = TableDefinition::new("devices_by_serial");
const PLANS: TableDefinition<u64, &[u8]> = TableDefinition::new("plans");
const TEMPLATES: TableDefinition<&str, &[u8]> = TableDefinition::new("templates");
const FIRMWARE: TableDefinition<&str, &[u8]> = TableDefinition::new("firmware");
const EVENTS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("events");
const EVENT_OWNER: TableDefinition<u64, u64> = TableDefinition::new("event_owner");
const LICENSE_OWNER: TableDefinition<u64, u64> = TableDefinition::new("license_owner");
const DEVICE_OWNER: TableDefinition<u64, u64> = TableDefinition::new("device_owner");
const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");
const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Bulk task runs, by id. Added after the first release: files older releases wrote lack it
/// (and `RUN_KEYS`) until their first writable open creates them.
const TASK_RUNS: TableDefinition<u64, &[u8]> = TableDefinition::new("task_runs");
/// Idempotency key → the run it started.
const RUN_KEYS: TableDefinition<&str, u64> = TableDefinition::new("task_run_keys");

/// Expands `$apply!(…)` over every table of the file, so the lists cannot drift apart.
macro_rules! with_tables {
    ($apply:ident) => {
        $apply!(
            META,
            CUSTOMERS,
            SUMMARIES,
            BY_ACCOUNT,
            BY_COMPANY,
            BY_SERIAL,
            PLANS,
            TEMPLATES,
            FIRMWARE,
            EVENTS,
            EVENT_OWNER,
            LICENSE_OWNER,
            DEVICE_OWNER,
            OUTBOX,
            AUDIT,
            TASK_RUNS,
            RUN_KEYS,
            ORDER_EXPIRY,
            ORDER_LAST_TRANSACTION,
            EXPIRY_MONTHS,
            SEARCH,
            FACTS,
            ORDER_ATTENTION,
            ATTENTION_DUE,
            DAY_FACTS,
            OPEN
        )
    };
}
use with_tables;

/// Expands `$apply!(…)` over the tables of earlier schemas that this one no longer has
/// (schema 2's search column, schemas 2–5's orders by name): a file keeps them until its
/// first writable open moves it on (`open.rs`); until then they are clientele's own, and a
/// backup copies them, so the copy is of the file's schema and its release opens it.
macro_rules! with_retired_tables {
    ($apply:ident) => {
        $apply!(
            search::SEARCH_V2,
            order::RETIRED_ORDER_COMPANY,
            order::RETIRED_ORDER_ACCOUNT
        )
    };
}
use with_retired_tables;

/// The `meta` key and value that mark a file as clientele's, written with the schema
/// version in a new file's first transaction.
const MARKER_KEY: &str = "application";
const MARKER: &[u8] = b"clientele";

/// Any redb error (or message) as a core error: a full disk names its file, other I/O
/// failures say so, the rest is a fault.
fn db_err<E: std::fmt::Display + 'static>(e: E) -> Error {
    match file::classify(&e) {
        Fault::DiskFull(path) => Error::DiskFull(path),
        Fault::Reopen => Error::Io(format!(
            "reading or writing the database file failed ({e}); nothing was changed, try again"
        )),
        Fault::Other => Error::Internal(format!("database: {e}")),
    }
}

/// How a command wants the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read and write; a missing file is created.
    Write,
    /// Read only; the file must exist. Works while another process writes.
    Read,
}

enum Handle {
    Write(Database),
    Read(ReadOnlyDatabase),
}

pub struct Store {
    /// The open file. After an I/O error redb refuses every later call until the handle is
    /// dropped and the file opened again, so the handle is replaceable; `None` while a
    /// reopen has failed (e.g. the disk is still full), and the next call tries again.
    handle: RwLock<Option<Arc<Handle>>>,
    path: PathBuf,
    access: Access,
    cache_bytes: usize,
    /// Counts commits made through this store (and reopens, after which the file may hold
    /// less than the old handle showed), so readers can tell whether a cache built from an
    /// earlier snapshot is still current. Exact only for the (single) writer.
    generation: Arc<AtomicU64>,
    /// Set for files made before the marker existed: the next commit adds it.
    needs_marker: Arc<AtomicBool>,
    /// The most customers the file may hold (`limits::CUSTOMERS`; lower in tests).
    customer_limit: u64,
    /// The customers whose search text recent commits changed (`changes.rs`).
    changes: Arc<std::sync::Mutex<changes::ChangeLog>>,
}

impl Store {
    /// A lower customer limit, so tests reach it.
    #[cfg(test)]
    pub(crate) fn set_customer_limit(&mut self, n: u64) {
        self.customer_limit = n;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The customers whose search text changed in the commits after generation `from`,
    /// sorted (commits in progress may be included); `None` when that is not known.
    pub fn search_changed_since(&self, from: u64) -> Option<Vec<u64>> {
        let log = self
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        log.since(from, self.generation())
    }

    pub fn is_read_only(&self) -> bool {
        self.access == Access::Read
    }

    pub fn read(&self) -> Result<Reader, Error> {
        let tx = self.begin(|h| match h {
            Handle::Write(db) => db.begin_read(),
            Handle::Read(db) => db.begin_read(),
        })?;
        Ok(Reader { tx })
    }

    pub fn write(&self) -> Result<Writer, Error> {
        if self.is_read_only() {
            return Err(holder::busy(&self.path));
        }
        let tx = self.begin(|h| match h {
            Handle::Write(db) => db.begin_write(),
            Handle::Read(_) => unreachable!("a read-only store has no writable handle"),
        })?;
        Ok(Writer {
            tx,
            generation: self.generation.clone(),
            needs_marker: self.needs_marker.clone(),
            pending: std::cell::RefCell::default(),
            attention: std::cell::RefCell::default(),
            rebuild_attention: std::cell::Cell::default(),
            bulk: std::cell::RefCell::default(),
            customers: std::cell::Cell::default(),
            customer_limit: self.customer_limit,
            changes: self.changes.clone(),
            searched: std::cell::RefCell::new(Some(Vec::new())),
            sorted: std::cell::RefCell::new(sorted::Sorted::new(&self.path)),
        })
    }

    /// Begins a transaction on the current handle; if redb says the handle is spent (an
    /// I/O error, now or before), opens the file again and begins once more.
    fn begin<T, E: std::fmt::Display + 'static>(
        &self,
        begin: impl Fn(&Handle) -> Result<T, E>,
    ) -> Result<T, Error> {
        let handle = self.handle()?;
        match begin(&handle) {
            Err(e) if matches!(file::classify(&e), Fault::Reopen) => {
                // Only a weak reference is kept: the file stays locked until the last
                // strong one is gone, and the reopen waits for exactly that.
                let spent = Arc::downgrade(&handle);
                drop(handle);
                self.reopen(spent)?;
                begin(&*self.handle()?).map_err(db_err)
            }
            other => other.map_err(db_err),
        }
    }
}

pub struct Reader {
    tx: ReadTransaction,
}

impl Reader {
    /// A read transaction has no collected writes (`Writer::settle`).
    #[allow(clippy::unnecessary_wraps, clippy::unused_self)]
    fn settle(&self) -> Result<(), Error> {
        Ok(())
    }

    /// The customer a unique index entry (a folded key) points to.
    fn unique_owner(&self, u: bulk::Unique, folded: &str) -> Result<Option<u64>, Error> {
        let t = self.tx.open_table(u.table()).map_err(db_err)?;
        let v = t.get(folded).map_err(db_err)?;
        Ok(v.map(|v| v.value()))
    }
}

impl Reader {
    /// Reads every stored record once and reports those that cannot be read.
    pub fn check(&self) -> Result<CheckReport, Error> {
        check_tables(&self.tx, &crate::domain::progress::Quiet)
    }

    /// [`Reader::check`], reporting the records read of all records to `progress`.
    pub fn check_with(
        &self,
        progress: &dyn crate::domain::progress::Progress,
    ) -> Result<CheckReport, Error> {
        check_tables(&self.tx, progress)
    }
}

pub struct Writer {
    tx: WriteTransaction,
    generation: Arc<AtomicU64>,
    needs_marker: Arc<AtomicBool>,
    /// Sort-index and search entries of new summaries not yet in their tables
    /// (`order::Pending`); written in key order before the commit.
    pending: std::cell::RefCell<order::Pending>,
    /// What attention entries are keyed on in this transaction, read on first use: `None`
    /// before that, `Some(None)` while the file keeps no attention order.
    attention: std::cell::RefCell<Option<Option<attention::Basis>>>,
    /// The day to build the attention order again for before the commit (after a firmware
    /// change).
    rebuild_attention: std::cell::Cell<Option<crate::domain::date::Date>>,
    /// New customers' records and index entries not yet in their tables (`bulk::Bulk`);
    /// written in key order before anything reads or changes customers, and before the commit.
    bulk: std::cell::RefCell<bulk::Bulk>,
    /// The customers the file holds in this transaction, counted from the first new one on.
    customers: std::cell::Cell<Option<u64>>,
    customer_limit: u64,
    changes: Arc<std::sync::Mutex<changes::ChangeLog>>,
    /// The customers whose search text this transaction wrote or removed; `None` past
    /// `changes::IDS` (the log then says "unknown").
    searched: std::cell::RefCell<Option<Vec<u64>>>,
    /// Index entries waiting to be inserted in key order (`sorted.rs`).
    sorted: std::cell::RefCell<sorted::Sorted>,
}

/// Queries shared by read and write transactions.
pub trait Read {
    /// A customer; a stored record that cannot be read is an error naming the id.
    fn customer(&self, id: u64) -> Result<Option<Customer>, Error> {
        self.try_customer(id)?.transpose()
    }
    /// A customer, with an unreadable record as the inner error, so callers that walk many
    /// customers can skip it and go on.
    fn try_customer(&self, id: u64) -> Result<Option<Result<Customer, Error>>, Error>;
    /// Whether a customer record exists, without reading it.
    fn has_customer(&self, id: u64) -> Result<bool, Error>;
    /// How many events (open and resolved) a customer has.
    fn event_count(&self, customer: u64) -> Result<u64, Error>;
    fn template_count(&self) -> Result<u64, Error>;
    fn customer_count(&self) -> Result<u64, Error>;
    fn id_by_account(&self, account_name: &str) -> Result<Option<u64>, Error>;
    fn id_by_company(&self, company: &str) -> Result<Option<u64>, Error>;
    fn owner_of_serial(&self, serial: &str) -> Result<Option<u64>, Error>;
    /// The customer holding a licence, by licence id.
    fn license_owner(&self, license: u64) -> Result<Option<u64>, Error>;
    /// The customer holding a device, by device id.
    fn device_owner(&self, device: u64) -> Result<Option<u64>, Error>;
    /// Calls `f` for each summary in id order until it returns `false`; `bad` gets the id of
    /// each summary that cannot be read.
    fn each_summary(
        &self,
        f: &mut dyn FnMut(Summary) -> Result<bool, Error>,
        bad: &mut dyn FnMut(u64),
    ) -> Result<(), Error>;
    /// Calls `f` for each customer in id order until it returns `false`. An unreadable
    /// record is an error naming its id.
    fn each_customer(
        &self,
        f: &mut dyn FnMut(Customer) -> Result<bool, Error>,
    ) -> Result<(), Error>;
    /// Walks summaries and customers side by side in id order; `f` gets the full customer
    /// only for summaries `want` accepts (so filtered walks skip decoding the rest). `bad`
    /// gets the id of each customer whose summary or record cannot be read.
    fn each_pair(
        &self,
        want: &mut dyn FnMut(&Summary) -> bool,
        f: &mut dyn FnMut(Summary, Customer) -> Result<bool, Error>,
        bad: &mut dyn FnMut(u64),
    ) -> Result<(), Error>;

    fn plans(&self) -> Result<Vec<Plan>, Error>;
    fn templates(&self) -> Result<Vec<Template>, Error>;
    fn template(&self, name: &str) -> Result<Option<Template>, Error>;
    fn firmware(&self) -> Result<Vec<Firmware>, Error>;
    fn settings(&self) -> Result<Settings, Error>;
    /// Events of one customer, or of all when `None`, oldest first.
    fn events(&self, customer: Option<u64>) -> Result<Vec<Event>, Error>;
    fn event(&self, id: u64) -> Result<Option<Event>, Error>;
    fn open_events(&self, customer: u64) -> Result<OpenEvents, Error>;
    fn outbox(&self) -> Result<Vec<OutboxMessage>, Error>;
    fn outbox_message(&self, id: u64) -> Result<Option<OutboxMessage>, Error>;
    /// Up to `limit` audit entries that `filter` matches, newest first, older than `before`
    /// when given.
    fn audit(
        &self,
        limit: usize,
        before: Option<u64>,
        filter: &AuditMatch,
    ) -> Result<Vec<AuditEntry>, Error>;
    /// The ids of up to `limit` audit entries that `filter` matches, newer than `after`,
    /// oldest first (the console's link to the newer page).
    fn audit_ids_after(
        &self,
        limit: usize,
        after: u64,
        filter: &AuditMatch,
    ) -> Result<Vec<u64>, Error>;

    fn catalog(&self) -> Result<Catalog, Error> {
        Ok(Catalog::new(
            self.plans()?,
            self.firmware()?
                .into_iter()
                .map(|f| (f.model, f.version))
                .collect(),
        ))
    }
}

fn out_of_step() -> Error {
    Error::Database(
        "customer summaries are out of step with customers; the file is damaged (restore a backup)"
            .into(),
    )
}

fn all_values<K, T>(
    table: &impl ReadableTable<K, &'static [u8]>,
    what: &str,
    decode: fn(&[u8]) -> Result<T, Error>,
) -> Result<Vec<T>, Error>
where
    K: redb::Key + 'static,
    for<'a> K::SelfType<'a>: std::fmt::Display,
{
    let mut out = Vec::new();
    for row in table.iter().map_err(db_err)? {
        let (k, v) = row.map_err(db_err)?;
        out.push(decode(v.value()).map_err(|e| damaged(what, k.value(), e))?);
    }
    Ok(out)
}

/// Names a record (other than a customer) that cannot be read.
fn damaged(what: &str, key: impl std::fmt::Display, e: Error) -> Error {
    Error::Damaged {
        record: format!("{what} {key}"),
        problem: e.to_string(),
        customer: None,
    }
}

/// Names the customer whose stored record cannot be read: deleting it by id removes it.
fn damaged_customer(id: u64, e: Error) -> Error {
    Error::Damaged {
        record: format!("customer {id}"),
        problem: e.to_string(),
        customer: Some(id),
    }
}

/// Decodes every value of every table; what cannot be read is reported, never returned as
/// an error, so one bad record cannot hide the others.
fn check_tables(
    tx: &ReadTransaction,
    progress: &dyn crate::domain::progress::Progress,
) -> Result<CheckReport, Error> {
    let mut report = CheckReport::default();
    let mut total = 0;
    macro_rules! count {
        ($($def:expr),+) => {$(
            if let Some(t) = optional(tx, $def)? {
                total += t.len().map_err(db_err)?;
            }
        )+};
    }
    count!(
        CUSTOMERS, SUMMARIES, EVENTS, PLANS, TEMPLATES, FIRMWARE, OUTBOX, AUDIT, TASK_RUNS, META,
        SEARCH, FACTS, DAY_FACTS, OPEN
    );
    let mut ticker = crate::domain::progress::Ticker::records(progress, total);
    // Reads every value of a table with its decoder; `name` maps a key to its text and the
    // customer it belongs to, if any.
    macro_rules! scan {
        ($def:expr, $table:literal, $decode:expr, $name:expr) => {{
            report.tables += 1;
            for row in tx
                .open_table($def)
                .map_err(db_err)?
                .iter()
                .map_err(db_err)?
            {
                let (k, v) = row.map_err(db_err)?;
                report.records += 1;
                ticker.tick();
                if let Err(e) = $decode(v.value()) {
                    let (key, customer) = $name(k.value());
                    report.push(Unreadable {
                        table: $table.to_string(),
                        key,
                        customer,
                        problem: e.to_string(),
                    });
                }
            }
        }};
    }
    let customer = |id: u64| (id.to_string(), Some(id));
    let other = |id: u64| (id.to_string(), None);
    let named = |name: &str| (name.to_string(), None);
    scan!(CUSTOMERS, "customers", decode_customer, customer);
    scan!(SUMMARIES, "customer_summaries", decode_summary, customer);
    scan!(EVENTS, "events", decode_event, |(c, e): (u64, u64)| (
        format!("{c}/{e}"),
        Some(c)
    ));
    scan!(PLANS, "plans", decode_plan, other);
    scan!(TEMPLATES, "templates", decode_template, named);
    scan!(FIRMWARE, "firmware", decode_firmware, named);
    scan!(OUTBOX, "outbox", decode_outbox, other);
    scan!(AUDIT, "audit", decode_audit, other);
    if optional(tx, TASK_RUNS)?.is_some() {
        scan!(TASK_RUNS, "task_runs", decode_task_run, other);
    }
    // The column blocks are read too: a damaged one would fail a keyword, facts or
    // licence/attention/category filter, or give an export wrong open event counts.
    if optional(tx, SEARCH)?.is_some() {
        scan!(SEARCH, "customer_search_blocks", search::check_block, other);
    }
    if optional(tx, FACTS)?.is_some() {
        let check = |b: &[u8]| facts::FACTS_COLUMN.check_block(b);
        scan!(FACTS, "customer_facts", check, other);
    }
    if optional(tx, DAY_FACTS)?.is_some() {
        let check = |b: &[u8]| facts::DAY_FACTS_COLUMN.check_block(b);
        scan!(DAY_FACTS, "customer_day_facts", check, other);
    }
    if optional(tx, OPEN)?.is_some() {
        let check = |b: &[u8]| facts::OPEN_COLUMN.check_block(b);
        scan!(OPEN, "customer_open_events", check, other);
    }
    // The settings record is decoded; the schema and id counters are fixed-width numbers.
    let meta = |key: &str, value: &[u8]| -> Result<(), Error> {
        let width_ok = match key {
            "settings" => return decode_settings(value).map(drop),
            "schema" => value.len() == 4,
            k if k.starts_with("next.") => value.len() == 8,
            _ => true,
        };
        if width_ok {
            Ok(())
        } else {
            Err(Error::Database(format!(
                "`{key}` has {} bytes, which is not a number of the right width",
                value.len()
            )))
        }
    };
    report.tables += 1;
    for row in tx
        .open_table(META)
        .map_err(db_err)?
        .iter()
        .map_err(db_err)?
    {
        let (k, v) = row.map_err(db_err)?;
        report.records += 1;
        ticker.tick();
        if let Err(e) = meta(k.value(), v.value()) {
            report.push(Unreadable {
                table: "meta".into(),
                key: k.value().to_string(),
                customer: None,
                problem: e.to_string(),
            });
        }
    }
    // The index tables hold names and numbers, which always read: counted, not decoded
    // (each is in the file from the schema that added it on).
    macro_rules! present {
        ($($def:expr),+) => {$(
            report.tables += usize::from(optional(tx, $def)?.is_some());
        )+};
    }
    present!(
        BY_ACCOUNT,
        BY_COMPANY,
        BY_SERIAL,
        EVENT_OWNER,
        LICENSE_OWNER,
        DEVICE_OWNER,
        RUN_KEYS,
        ORDER_EXPIRY,
        ORDER_LAST_TRANSACTION,
        EXPIRY_MONTHS,
        ORDER_ATTENTION,
        ATTENTION_DUE
    );
    ticker.finish();
    Ok(report)
}

macro_rules! impl_read {
    ($ty:ty) => {
        impl Read for $ty {
            fn try_customer(&self, id: u64) -> Result<Option<Result<Customer, Error>>, Error> {
                self.settle()?;
                let t = self.tx.open_table(CUSTOMERS).map_err(db_err)?;
                let v = t.get(id).map_err(db_err)?;
                Ok(v.map(|v| decode_customer(v.value()).map_err(|e| damaged_customer(id, e))))
            }

            fn has_customer(&self, id: u64) -> Result<bool, Error> {
                self.settle()?;
                let t = self.tx.open_table(CUSTOMERS).map_err(db_err)?;
                let found = t.get(id).map_err(db_err)?.is_some();
                Ok(found)
            }

            fn event_count(&self, customer: u64) -> Result<u64, Error> {
                self.settle()?;
                let t = self.tx.open_table(EVENTS).map_err(db_err)?;
                let range = t
                    .range((customer, 0)..=(customer, u64::MAX))
                    .map_err(db_err)?;
                Ok(range.count() as u64)
            }

            fn template_count(&self) -> Result<u64, Error> {
                self.tx
                    .open_table(TEMPLATES)
                    .map_err(db_err)?
                    .len()
                    .map_err(db_err)
            }

            fn customer_count(&self) -> Result<u64, Error> {
                self.settle()?;
                self.tx
                    .open_table(CUSTOMERS)
                    .map_err(db_err)?
                    .len()
                    .map_err(db_err)
            }

            fn id_by_account(&self, account_name: &str) -> Result<Option<u64>, Error> {
                self.unique_owner(bulk::Unique::Account, &fold(account_name))
            }

            fn id_by_company(&self, company: &str) -> Result<Option<u64>, Error> {
                self.unique_owner(bulk::Unique::Company, &fold(company))
            }

            fn owner_of_serial(&self, serial: &str) -> Result<Option<u64>, Error> {
                self.unique_owner(bulk::Unique::Serial, &fold(serial))
            }

            fn license_owner(&self, license: u64) -> Result<Option<u64>, Error> {
                self.settle()?;
                let t = self.tx.open_table(LICENSE_OWNER).map_err(db_err)?;
                let v = t.get(license).map_err(db_err)?;
                Ok(v.map(|v| v.value()))
            }

            fn device_owner(&self, device: u64) -> Result<Option<u64>, Error> {
                self.settle()?;
                let t = self.tx.open_table(DEVICE_OWNER).map_err(db_err)?;
                let v = t.get(device).map_err(db_err)?;
                Ok(v.map(|v| v.value()))
            }

            fn each_summary(
                &self,
                f: &mut dyn FnMut(Summary) -> Result<bool, Error>,
                bad: &mut dyn FnMut(u64),
            ) -> Result<(), Error> {
                self.settle()?;
                let t = self.tx.open_table(SUMMARIES).map_err(db_err)?;
                for row in t.iter().map_err(db_err)? {
                    let (k, v) = row.map_err(db_err)?;
                    match decode_summary(v.value()) {
                        Ok(s) => {
                            if !f(s)? {
                                break;
                            }
                        }
                        Err(_) => bad(k.value()),
                    }
                }
                Ok(())
            }

            fn each_customer(
                &self,
                f: &mut dyn FnMut(Customer) -> Result<bool, Error>,
            ) -> Result<(), Error> {
                self.settle()?;
                let t = self.tx.open_table(CUSTOMERS).map_err(db_err)?;
                for row in t.iter().map_err(db_err)? {
                    let (k, v) = row.map_err(db_err)?;
                    let c =
                        decode_customer(v.value()).map_err(|e| damaged_customer(k.value(), e))?;
                    if !f(c)? {
                        break;
                    }
                }
                Ok(())
            }

            fn each_pair(
                &self,
                want: &mut dyn FnMut(&Summary) -> bool,
                f: &mut dyn FnMut(Summary, Customer) -> Result<bool, Error>,
                bad: &mut dyn FnMut(u64),
            ) -> Result<(), Error> {
                self.settle()?;
                let summaries = self.tx.open_table(SUMMARIES).map_err(db_err)?;
                let customers = self.tx.open_table(CUSTOMERS).map_err(db_err)?;
                let mut rows = customers.iter().map_err(db_err)?;
                for s in summaries.iter().map_err(db_err)? {
                    let (sid, sv) = s.map_err(db_err)?;
                    let (cid, cv) = rows.next().ok_or_else(out_of_step)?.map_err(db_err)?;
                    if sid.value() != cid.value() {
                        return Err(out_of_step());
                    }
                    let Ok(summary) = decode_summary(sv.value()) else {
                        bad(sid.value());
                        continue;
                    };
                    if !want(&summary) {
                        continue;
                    }
                    match decode_customer(cv.value()) {
                        Ok(c) => {
                            if !f(summary, c)? {
                                break;
                            }
                        }
                        Err(_) => bad(cid.value()),
                    }
                }
                Ok(())
            }

            fn plans(&self) -> Result<Vec<Plan>, Error> {
                all_values(
                    &self.tx.open_table(PLANS).map_err(db_err)?,
                    "plan",
                    decode_plan,
                )
            }

            fn templates(&self) -> Result<Vec<Template>, Error> {
                all_values(
                    &self.tx.open_table(TEMPLATES).map_err(db_err)?,
                    "template",
                    decode_template,
                )
            }

            fn template(&self, name: &str) -> Result<Option<Template>, Error> {
                let t = self.tx.open_table(TEMPLATES).map_err(db_err)?;
                let v = t.get(fold(name).as_str()).map_err(db_err)?;
                v.map(|v| decode_template(v.value())).transpose()
            }

            fn firmware(&self) -> Result<Vec<Firmware>, Error> {
                all_values(
                    &self.tx.open_table(FIRMWARE).map_err(db_err)?,
                    "firmware entry",
                    decode_firmware,
                )
            }

            fn settings(&self) -> Result<Settings, Error> {
                let t = self.tx.open_table(META).map_err(db_err)?;
                let v = t.get("settings").map_err(db_err)?;
                Ok(v.map(|v| decode_settings(v.value()))
                    .transpose()?
                    .unwrap_or_default())
            }

            fn events(&self, customer: Option<u64>) -> Result<Vec<Event>, Error> {
                self.settle()?;
                let t = self.tx.open_table(EVENTS).map_err(db_err)?;
                let range = match customer {
                    Some(c) => t.range((c, 0)..=(c, u64::MAX)),
                    None => t.range((0, 0)..=(u64::MAX, u64::MAX)),
                }
                .map_err(db_err)?;
                let mut out = Vec::new();
                for row in range {
                    let (k, v) = row.map_err(db_err)?;
                    let (c, e) = k.value();
                    out.push(
                        decode_event(v.value())
                            .map_err(|err| damaged("event", format!("{c}/{e}"), err))?,
                    );
                }
                if customer.is_none() {
                    out.sort_by_key(|e: &Event| e.id);
                }
                Ok(out)
            }

            fn event(&self, id: u64) -> Result<Option<Event>, Error> {
                self.settle()?;
                let owner = self.tx.open_table(EVENT_OWNER).map_err(db_err)?;
                let Some(c) = owner.get(id).map_err(db_err)?.map(|v| v.value()) else {
                    return Ok(None);
                };
                let t = self.tx.open_table(EVENTS).map_err(db_err)?;
                let v = t.get((c, id)).map_err(db_err)?;
                v.map(|v| decode_event(v.value())).transpose()
            }

            fn open_events(&self, customer: u64) -> Result<OpenEvents, Error> {
                Ok(OpenEvents::of(&self.events(Some(customer))?))
            }

            fn outbox(&self) -> Result<Vec<OutboxMessage>, Error> {
                all_values(
                    &self.tx.open_table(OUTBOX).map_err(db_err)?,
                    "outbox message",
                    decode_outbox,
                )
            }

            fn outbox_message(&self, id: u64) -> Result<Option<OutboxMessage>, Error> {
                let t = self.tx.open_table(OUTBOX).map_err(db_err)?;
                let v = t.get(id).map_err(db_err)?;
                v.map(|v| decode_outbox(v.value())).transpose()
            }

            fn audit(
                &self,
                limit: usize,
                before: Option<u64>,
                filter: &AuditMatch,
            ) -> Result<Vec<AuditEntry>, Error> {
                let t = self.tx.open_table(AUDIT).map_err(db_err)?;
                let mut out = Vec::new();
                // The walk goes from `before` (or the newest entry) towards the oldest and
                // stops after `limit` matches; only a filter that matches fewer than `limit`
                // entries older than `before` reads to the start of the table. A `from` day
                // cannot end it early: entry times follow the clock, which may step back.
                for row in t.range(..before.unwrap_or(u64::MAX)).map_err(db_err)?.rev() {
                    if out.len() >= limit {
                        break;
                    }
                    let entry = decode_audit(row.map_err(db_err)?.1.value())?;
                    if filter.matches(&entry) {
                        out.push(entry);
                    }
                }
                Ok(out)
            }

            fn audit_ids_after(
                &self,
                limit: usize,
                after: u64,
                filter: &AuditMatch,
            ) -> Result<Vec<u64>, Error> {
                let t = self.tx.open_table(AUDIT).map_err(db_err)?;
                let mut out = Vec::new();
                // Bounded like `audit`, walking the other way: `limit` matches or the end.
                for row in t.range(after.saturating_add(1)..).map_err(db_err)? {
                    if out.len() >= limit {
                        break;
                    }
                    let (k, v) = row.map_err(db_err)?;
                    if filter.matches(&decode_audit(v.value())?) {
                        out.push(k.value());
                    }
                }
                Ok(out)
            }
        }
    };
}

impl_read!(Reader);
impl_read!(Writer);

/// A table in a read transaction, or `None` where a file from an older release lacks it.
pub(super) fn optional<K: redb::Key + 'static, V: redb::Value + 'static>(
    tx: &ReadTransaction,
    def: TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, Error> {
    match tx.open_table(def) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(db_err(e)),
    }
}

impl Reader {
    /// A stored task run.
    pub fn task_run(&self, id: u64) -> Result<Option<TaskRun>, Error> {
        let Some(t) = optional(&self.tx, TASK_RUNS)? else {
            return Ok(None);
        };
        let v = t.get(id).map_err(db_err)?;
        v.map(|v| decode_task_run(v.value())).transpose()
    }

    /// Up to `limit` runs, newest first, older than `before` when given.
    pub fn task_runs(&self, limit: usize, before: Option<u64>) -> Result<Vec<TaskRun>, Error> {
        let Some(t) = optional(&self.tx, TASK_RUNS)? else {
            return Ok(Vec::new());
        };
        let rows = t.range(..before.unwrap_or(u64::MAX)).map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows.rev().take(limit) {
            out.push(decode_task_run(row.map_err(db_err)?.1.value())?);
        }
        Ok(out)
    }
}

impl Writer {
    /// Hands the stored summaries of the ids in `ids` to `f` as their stored bytes, in id
    /// order, counting each on a ticker over all summaries that reports to `progress`; the
    /// caller finishes the ticker once its work is done (an upgrade's walks report so).
    pub(super) fn walk_summary_bytes<'p>(
        &self,
        ids: impl std::ops::RangeBounds<u64>,
        progress: &'p dyn Progress,
        mut f: impl FnMut(u64, &[u8]) -> Result<(), Error>,
    ) -> Result<Ticker<'p>, Error> {
        let t = self.tx.open_table(SUMMARIES).map_err(db_err)?;
        let mut ticker = Ticker::records(progress, t.len().map_err(db_err)?);
        for row in t.range(ids).map_err(db_err)? {
            let (id, v) = row.map_err(db_err)?;
            f(id.value(), v.value())?;
            ticker.tick();
        }
        Ok(ticker)
    }

    /// [`Writer::walk_summary_bytes`] over every summary, decoded; one that cannot be read
    /// is passed over (`check` names it).
    pub(super) fn walk_summaries<'p>(
        &self,
        progress: &'p dyn Progress,
        mut f: impl FnMut(Summary) -> Result<(), Error>,
    ) -> Result<Ticker<'p>, Error> {
        self.walk_summary_bytes(.., progress, |_, v| match decode_summary(v) {
            Ok(s) => f(s),
            Err(_) => Ok(()),
        })
    }
    /// Stores a run, assigning its id, and its idempotency key if it has one.
    pub fn save_task_run(&self, mut run: TaskRun) -> Result<u64, Error> {
        run.id = self.next_id("task_run")?;
        self.put(TASK_RUNS, run.id, encode_task_run(&run)?.as_slice())?;
        if let Some(key) = &run.key {
            self.put(RUN_KEYS, key.as_str(), run.id)?;
        }
        Ok(run.id)
    }

    /// The run an idempotency key started, if any.
    pub fn task_run_by_key(&self, key: &str) -> Result<Option<TaskRun>, Error> {
        let keys = self.tx.open_table(RUN_KEYS).map_err(db_err)?;
        let Some(id) = keys.get(key).map_err(db_err)?.map(|v| v.value()) else {
            return Ok(None);
        };
        let runs = self.tx.open_table(TASK_RUNS).map_err(db_err)?;
        let v = runs.get(id).map_err(db_err)?;
        v.map(|v| decode_task_run(v.value())).transpose()
    }

    /// Creates the tables a file from an older release lacks; `true` if there were any.
    fn add_missing_tables(&self) -> Result<bool, Error> {
        let have: Vec<String> = self
            .tx
            .list_tables()
            .map_err(db_err)?
            .map(|t| t.name().to_string())
            .collect();
        let mut added = false;
        macro_rules! create {
            ($($def:expr),+) => {$(
                if !have.iter().any(|n| n == $def.name()) {
                    self.tx.open_table($def).map_err(db_err)?;
                    added = true;
                }
            )+};
        }
        with_tables!(create);
        Ok(added)
    }
}

impl Writer {
    /// Creates every table and writes the schema version and the marker: the first
    /// transaction of a new file.
    fn init(&self) -> Result<(), Error> {
        macro_rules! create {
            ($($def:expr),+) => {$( self.tx.open_table($def).map_err(db_err)?; )+};
        }
        with_tables!(create);
        let mut meta = self.tx.open_table(META).map_err(db_err)?;
        meta.insert("schema", SCHEMA_VERSION.to_le_bytes().as_slice())
            .map_err(db_err)?;
        meta.insert(MARKER_KEY, MARKER).map_err(db_err)?;
        Ok(())
    }

    pub fn commit(self) -> Result<(), Error> {
        self.settle()?;
        if let Some(day) = self.rebuild_attention.take() {
            self.build_attention(day)?;
        }
        self.flush_indexes()?;
        self.sorted.borrow().left_over()?;
        failpoint::hit("before-commit");
        if self.needs_marker.load(Ordering::Acquire) {
            self.tx
                .open_table(META)
                .map_err(db_err)?
                .insert(MARKER_KEY, MARKER)
                .map_err(db_err)?;
        }
        // Logged before the commit, so a reader sees every commit its snapshot holds listed.
        changes::log_next(&self.changes, &self.generation, self.searched.take());
        self.tx.commit().map_err(db_err)?;
        self.needs_marker.store(false, Ordering::Release);
        self.generation.fetch_add(1, Ordering::AcqRel);
        failpoint::hit("after-commit");
        Ok(())
    }

    /// The next id of a sequence (`customer`, `license`, …); ids are never reused.
    pub fn next_id(&self, sequence: &str) -> Result<u64, Error> {
        self.reserve_ids(sequence, 1)
    }

    /// Returns the unused ids `from..to` of the last reservation, if nothing was reserved
    /// after it (the counter still stands at `to`).
    pub fn give_back_ids(&self, sequence: &str, from: u64, to: u64) -> Result<(), Error> {
        let key = format!("next.{sequence}");
        let mut meta = self.tx.open_table(META).map_err(db_err)?;
        let current = meta
            .get(key.as_str())
            .map_err(db_err)?
            .map(|v| u64::from_le_bytes(v.value().try_into().unwrap_or([0; 8])));
        if from < to && current == Some(to) {
            meta.insert(key.as_str(), from.to_le_bytes().as_slice())
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// Reserves `n` consecutive ids of a sequence and returns the first. Ids reserved but
    /// not used are simply never handed out.
    pub fn reserve_ids(&self, sequence: &str, n: u64) -> Result<u64, Error> {
        let key = format!("next.{sequence}");
        let mut meta = self.tx.open_table(META).map_err(db_err)?;
        let next = meta
            .get(key.as_str())
            .map_err(db_err)?
            .map(|v| u64::from_le_bytes(v.value().try_into().unwrap_or([0; 8])))
            .unwrap_or(1);
        meta.insert(key.as_str(), (next + n).to_le_bytes().as_slice())
            .map_err(db_err)?;
        Ok(next)
    }

    /// Writes one value under its key; every save of a record comes down to this.
    fn put<'k, 'v, K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
        key: impl std::borrow::Borrow<K::SelfType<'k>>,
        value: impl std::borrow::Borrow<V::SelfType<'v>>,
    ) -> Result<(), Error> {
        self.tx
            .open_table(def)
            .map_err(db_err)?
            .insert(key, value)
            .map_err(db_err)?;
        Ok(())
    }

    /// Removes the value under a key, if there is one.
    fn delete<'k, K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
        key: impl std::borrow::Borrow<K::SelfType<'k>>,
    ) -> Result<(), Error> {
        self.tx
            .open_table(def)
            .map_err(db_err)?
            .remove(key)
            .map_err(db_err)?;
        Ok(())
    }

    /// Writes a customer with its summary and unique indexes. `old` is the stored version
    /// (if any), whose index entries are replaced. Index clashes are refused as conflicts.
    pub fn save_customer(
        &self,
        c: &Customer,
        old: Option<&Customer>,
        summary: &Summary,
    ) -> Result<(), Error> {
        self.settle()?;
        {
            let unique: [(_, _, ProfileText); 2] = [
                (BY_ACCOUNT, "account_name", |p| &p.account_name),
                (BY_COMPANY, "company", |p| &p.company),
            ];
            for (def, field, value) in unique {
                let mut idx = self.tx.open_table(def).map_err(db_err)?;
                let was = old.map(|o| value(&o.profile));
                reindex(&mut idx, c.id, was, value(&c.profile), field)?;
            }
            let mut idx = self.tx.open_table(BY_SERIAL).map_err(db_err)?;
            if let Some(old) = old {
                for d in &old.devices {
                    idx.remove(fold(&d.serial).as_str()).map_err(db_err)?;
                }
            }
            for d in &c.devices {
                let key = fold(&d.serial);
                if let Some(owner) = idx.get(key.as_str()).map_err(db_err)?.map(|v| v.value()) {
                    if owner != c.id {
                        return Err(Error::conflict(
                            "serial",
                            format!(
                                "serial {} already belongs to customer {owner}; serials are unique",
                                d.serial
                            ),
                        ));
                    }
                }
                idx.insert(key.as_str(), c.id).map_err(db_err)?;
            }
        }
        if old.is_none() {
            self.count_new_customer()?;
        }
        self.reown(c.id, old, Some(c))?;
        self.put(CUSTOMERS, c.id, encode_customer(c)?.as_slice())?;
        self.save_summary(summary)
    }

    /// Writes a summary and moves its customer's entries in the sort indexes.
    pub fn save_summary(&self, s: &Summary) -> Result<(), Error> {
        self.settle()?;
        let bytes = encode_summary(s)?;
        // The insert hands back the old summary, whose entries go: one lookup, not two.
        let old = self
            .tx
            .open_table(SUMMARIES)
            .map_err(db_err)?
            .insert(s.id, bytes.as_slice())
            .map_err(db_err)?
            .map(|v| decode_summary(v.value()));
        self.drop_entries(s.id, old)?;
        self.index(s)
    }

    /// Points the licence and device owner indexes from `old`'s holdings to `new`'s.
    fn reown(&self, id: u64, old: Option<&Customer>, new: Option<&Customer>) -> Result<(), Error> {
        let mut licenses = self.tx.open_table(LICENSE_OWNER).map_err(db_err)?;
        let mut devices = self.tx.open_table(DEVICE_OWNER).map_err(db_err)?;
        if let Some(old) = old {
            for l in &old.licenses {
                licenses.remove(l.id).map_err(db_err)?;
            }
            for d in &old.devices {
                devices.remove(d.id).map_err(db_err)?;
            }
        }
        if let Some(new) = new {
            for l in &new.licenses {
                licenses.insert(l.id, id).map_err(db_err)?;
            }
            for d in &new.devices {
                devices.insert(d.id, id).map_err(db_err)?;
            }
        }
        Ok(())
    }

    /// Counts one customer more in the file, refusing it beyond `limits::CUSTOMERS`.
    fn count_new_customer(&self) -> Result<(), Error> {
        let held = match self.customers.get() {
            Some(n) => n,
            None => Read::customer_count(self)?,
        };
        if held >= self.customer_limit {
            return Err(Error::Refused(format!(
                "the file holds {} customers, the most one file may hold (limit: customers per \
                 file); delete customers or start another database file",
                crate::domain::limits::n(held)
            )));
        }
        self.customers.set(Some(held + 1));
        Ok(())
    }

    /// Removes a customer, its indexes, summary and events.
    pub fn remove_customer(&self, c: &Customer) -> Result<(), Error> {
        self.settle()?;
        if let Some(n) = self.customers.get() {
            self.customers.set(Some(n.saturating_sub(1)));
        }
        self.reown(c.id, Some(c), None)?;
        let folded = [
            (BY_ACCOUNT, fold(&c.profile.account_name)),
            (BY_COMPANY, fold(&c.profile.company)),
        ];
        for (def, key) in folded {
            self.delete(def, key.as_str())?;
        }
        let mut serials = self.tx.open_table(BY_SERIAL).map_err(db_err)?;
        for d in &c.devices {
            serials.remove(fold(&d.serial).as_str()).map_err(db_err)?;
        }
        self.delete(CUSTOMERS, c.id)?;
        self.unindex(c.id)?;
        self.delete(SUMMARIES, c.id)?;
        self.remove_events_of(c.id)
    }

    /// Removes every event of a customer by key, without reading them (one may be damaged).
    fn remove_events_of(&self, customer: u64) -> Result<(), Error> {
        let mut ids = Vec::new();
        self.tx
            .open_table(EVENTS)
            .map_err(db_err)?
            .retain_in((customer, 0)..=(customer, u64::MAX), |(_, e), _| {
                ids.push(e);
                false
            })
            .map_err(db_err)?;
        let mut owner = self.tx.open_table(EVENT_OWNER).map_err(db_err)?;
        for e in ids {
            owner.remove(e).map_err(db_err)?;
        }
        Ok(())
    }

    /// Removes a customer whose record cannot be read: the row, its summary, every index
    /// entry that points to it and its events, all found by id without decoding anything.
    pub fn remove_unreadable_customer(&self, id: u64) -> Result<(), Error> {
        self.settle()?;
        for def in [BY_ACCOUNT, BY_COMPANY, BY_SERIAL] {
            self.tx
                .open_table(def)
                .map_err(db_err)?
                .retain(|_, owner| owner != id)
                .map_err(db_err)?;
        }
        for def in [LICENSE_OWNER, DEVICE_OWNER] {
            self.tx
                .open_table(def)
                .map_err(db_err)?
                .retain(|_, owner| owner != id)
                .map_err(db_err)?;
        }
        self.remove_events_of(id)?;
        self.unindex(id)?;
        for def in [CUSTOMERS, SUMMARIES] {
            self.delete(def, id)?;
        }
        Ok(())
    }

    pub fn save_plan(&self, p: &Plan) -> Result<(), Error> {
        self.put(PLANS, p.id, encode_plan(p)?.as_slice())
    }

    pub fn remove_plan(&self, id: u64) -> Result<(), Error> {
        self.delete(PLANS, id)
    }

    pub fn save_template(&self, t: &Template, old_name: Option<&str>) -> Result<(), Error> {
        if let Some(old) = old_name {
            self.remove_template(old)?;
        }
        self.put_named(TEMPLATES, &t.name, &encode_template(t)?)
    }

    pub fn remove_template(&self, name: &str) -> Result<(), Error> {
        self.delete_named(TEMPLATES, name)
    }

    pub fn save_firmware(&self, f: &Firmware) -> Result<(), Error> {
        self.put_named(FIRMWARE, &f.model, &encode_firmware(f)?)?;
        self.firmware_changed()
    }

    pub fn remove_firmware(&self, model: &str) -> Result<(), Error> {
        self.delete_named(FIRMWARE, model)?;
        self.firmware_changed()
    }

    /// Templates and firmware entries are keyed by their name folded (`fold`), so a name is
    /// found, and unique, whatever its case.
    fn put_named(
        &self,
        def: TableDefinition<&str, &[u8]>,
        name: &str,
        record: &[u8],
    ) -> Result<(), Error> {
        self.put(def, fold(name).as_str(), record)
    }

    fn delete_named(&self, def: TableDefinition<&str, &[u8]>, name: &str) -> Result<(), Error> {
        self.delete(def, fold(name).as_str())
    }

    pub fn save_event(&self, e: &Event) -> Result<(), Error> {
        self.save_events(std::slice::from_ref(e))
    }

    /// Writes events, each of the two tables opened once.
    pub fn save_events(&self, events: &[Event]) -> Result<(), Error> {
        self.settle()?;
        if events.is_empty() {
            return Ok(());
        }
        let mut records = self.tx.open_table(EVENTS).map_err(db_err)?;
        for e in events {
            let key = (e.customer_id, e.id);
            records
                .insert(key, encode_event(e)?.as_slice())
                .map_err(db_err)?;
        }
        let mut owners = self.tx.open_table(EVENT_OWNER).map_err(db_err)?;
        for e in events {
            owners.insert(e.id, e.customer_id).map_err(db_err)?;
        }
        Ok(())
    }

    pub fn remove_event(&self, e: &Event) -> Result<(), Error> {
        self.settle()?;
        self.delete(EVENTS, (e.customer_id, e.id))?;
        self.delete(EVENT_OWNER, e.id)
    }

    pub fn save_outbox(&self, m: &OutboxMessage) -> Result<(), Error> {
        self.put(OUTBOX, m.id, encode_outbox(m)?.as_slice())
    }

    pub fn remove_outbox(&self, id: u64) -> Result<(), Error> {
        self.delete(OUTBOX, id)
    }

    /// Appends an audit entry, assigning its id.
    pub fn append_audit(&self, mut entry: AuditEntry) -> Result<u64, Error> {
        entry.id = self.next_id("audit")?;
        self.put(AUDIT, entry.id, encode_audit(&entry)?.as_slice())?;
        Ok(entry.id)
    }

    pub fn save_settings(&self, s: &Settings) -> Result<(), Error> {
        self.put(META, "settings", encode_settings(s)?.as_slice())
    }
}

/// A profile field a unique index is kept on.
type ProfileText = fn(&Profile) -> &str;

/// Moves a unique, case-insensitive index entry from `old` to `new` for customer `id`.
fn reindex(
    idx: &mut redb::Table<&str, u64>,
    id: u64,
    old: Option<&str>,
    new: &str,
    field: &str,
) -> Result<(), Error> {
    let key = fold(new);
    if let Some(owner) = idx.get(key.as_str()).map_err(db_err)?.map(|v| v.value()) {
        if owner != id {
            return Err(Error::conflict(field, format!(
                "`{new}` is already used by customer {owner}; {field} must be unique (ignoring case)"
            )));
        }
    }
    if let Some(old) = old {
        idx.remove(fold(old).as_str()).map_err(db_err)?;
    }
    idx.insert(key.as_str(), id).map_err(db_err)?;
    Ok(())
}
