//! CSV export and import in the format of SPEC §4. Export streams row by row; import checks
//! every row inside one write transaction, writes it through the bulk loader, and commits only
//! when all rows are good.

use crate::domain::date::{Date, Timestamp};
use crate::domain::derive::{license_of, Attention, Catalog};
use crate::domain::error::{Error, FieldError, ImportErrors, Result, RowError};
use crate::domain::file_name::FileName;
use crate::domain::model::{Customer, License, LicenseStatus, Plan, Product, Profile, View, YesNo};
use crate::domain::numbers::decimal;
use crate::domain::progress::{Progress, Quiet, Ticker};
use crate::domain::summary::{fold, Query, Summary};
use crate::domain::{limits, validate};
use crate::store::records::CustomerRef;
use crate::store::{ExportRow, Read};
use crate::tasks::bulk::Selection;
use crate::tasks::customers::{build, Assign, Known, Templates};
use crate::tasks::desk::{audit, Ctx, Desk};
use crate::tasks::import_rows::{self, Parsed, Row};
use crate::tasks::in_order::in_order;
use crate::tasks::load::Loader;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

pub const HEADER: [&str; 31] = [
    "id",
    "company",
    "account_name",
    "account_type",
    "status",
    "contact_first_name",
    "contact_last_name",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "time_zone",
    "language",
    "products",
    "licenses",
    "license_status",
    "next_expiry",
    "threat_system_action_required",
    "threat_system_warning",
    "license_action_required",
    "license_warning",
    "needs_attention",
    "managed",
    "wfbs_template",
    "cloud_edge_template",
    "last_transaction",
    "created_at",
    "notes",
];

#[derive(Clone, Copy, Debug, Default)]
pub struct ExportOptions {
    /// Write cells exactly as stored, without the spreadsheet guard.
    pub raw: bool,
    /// A UTF-8 byte-order mark and CRLF line ends, as spreadsheet programs expect.
    pub excel: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Check every row and report, but write nothing.
    pub dry_run: bool,
    /// Take cells exactly as written: no `'` of the spreadsheet guard is removed, so
    /// `export --raw` followed by `import --raw` changes nothing.
    pub raw: bool,
}

/// Whether a cell would be read as a formula by a spreadsheet (OWASP CSV injection), or is a
/// guarded cell already (so that guarding stays reversible).
fn needs_guard(cell: &str) -> bool {
    needs_guard_bytes(cell.as_bytes())
}

/// [`needs_guard`] of a cell's UTF-8 bytes.
fn needs_guard_bytes(cell: &[u8]) -> bool {
    match cell.split_first() {
        Some((b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', _)) => true,
        Some((b'\'', rest)) => needs_guard_bytes(rest),
        _ => false,
    }
}

/// Prefixes a cell with `'` when a spreadsheet would execute it.
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Removes the one `'` that [`guard`] added.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

fn yes_no(b: bool) -> &'static str {
    YesNo::from_bool(b).code()
}

/// CSV text as the csv crate's writer writes it (quotes only where a cell needs them, `"`
/// doubled inside), gathered in one buffer that the caller writes out in large writes. Cells
/// are written straight from the stored bytes: no cell is copied into a record first.
#[derive(Clone)]
struct CsvOut {
    buf: Vec<u8>,
    terminator: &'static [u8],
    /// Whether the next cell starts a row.
    row_start: bool,
}

/// The buffer goes out when it holds this much.
const WRITE_AT: usize = 256 << 10;

/// Customer ids per part of an export formatted on its own ([`in_order`]): about 2 MB of
/// CSV. Small in debug builds, so tests with a few customers cut their exports in parts.
const EXPORT_PART: u64 = if cfg!(debug_assertions) { 4 } else { 4096 };

/// The bytes that make the csv crate quote a cell: the delimiter, the quote and line ends.
const QUOTED: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Whether a cell holds a byte of [`QUOTED`], eight bytes at a time.
#[inline]
fn needs_quotes(cell: &[u8]) -> bool {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI != 0;
    let mut words = cell.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if has_zero(w ^ (LO * u64::from(b',')))
            || has_zero(w ^ (LO * u64::from(b'"')))
            || has_zero(w ^ (LO * u64::from(b'\r')))
            || has_zero(w ^ (LO * u64::from(b'\n')))
        {
            return true;
        }
    }
    words.remainder().iter().any(|&b| QUOTED[usize::from(b)])
}

impl CsvOut {
    /// One cell: `prefix` (the guard's `'`, or nothing) and `cell`.
    #[inline]
    fn cell(&mut self, prefix: &[u8], cell: &[u8]) {
        if !self.row_start {
            self.buf.push(b',');
        }
        self.row_start = false;
        if !needs_quotes(cell) {
            if !prefix.is_empty() {
                self.buf.extend_from_slice(prefix);
            }
            self.buf.extend_from_slice(cell);
            return;
        }
        self.buf.push(b'"');
        self.buf.extend_from_slice(prefix);
        for part in cell.split_inclusive(|&b| b == b'"') {
            self.buf.extend_from_slice(part);
            if part.last() == Some(&b'"') {
                self.buf.push(b'"');
            }
        }
        self.buf.push(b'"');
    }

    fn end_row(&mut self) {
        self.buf.extend_from_slice(self.terminator);
        self.row_start = true;
    }

    /// Writes the buffer to `out` and empties it; with `full`, only once it holds [`WRITE_AT`].
    fn write_to(&mut self, out: &mut dyn Write, full: bool) -> Result<()> {
        if full && self.buf.len() < WRITE_AT {
            return Ok(());
        }
        out.write_all(&self.buf).map_err(write_error)?;
        self.buf.clear();
        Ok(())
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::Io(format!("cannot write the CSV: {e}"))
}

/// Dates as `YYYY-MM-DD` bytes, remembered by day (a slot for each day of about 90 years):
/// dates repeat across customers, so most are copied rather than formatted.
#[derive(Clone)]
struct Dates {
    slots: Vec<(i32, [u8; 10])>,
}

impl Dates {
    const SLOTS: usize = 1 << 15;

    fn new() -> Dates {
        Dates {
            slots: vec![(i32::MIN, [0; 10]); Self::SLOTS],
        }
    }

    fn iso(&mut self, date: Date) -> [u8; 10] {
        let days = date.days();
        let slot = &mut self.slots[days.rem_euclid(Self::SLOTS as i32) as usize];
        if slot.0 != days {
            let mut text = String::with_capacity(10);
            date.push_to(&mut text);
            slot.1.copy_from_slice(&text.as_bytes()[..10]);
            slot.0 = days;
        }
        slot.1
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as `Timestamp::push_to` writes it.
    fn instant(&mut self, t: Timestamp) -> [u8; 20] {
        let mut b = *b"0000-00-00T00:00:00Z";
        b[..10].copy_from_slice(&self.iso(t.date()));
        let secs = t.0.rem_euclid(86_400) as u32;
        for (at, n) in [(11, secs / 3600), (14, secs % 3600 / 60), (17, secs % 60)] {
            b[at] = b'0' + (n / 10) as u8;
            b[at + 1] = b'0' + (n % 10) as u8;
        }
        b
    }
}

/// Streams customers as CSV rows, cell by cell from the stored record's own text (borrowed
/// from the file, never copied into a `String`); numbers, dates and the joined cells are
/// formatted into one reused buffer, so a row allocates nothing beyond its licence list.
/// The counts are derived as `derive_counts` derives them, without the reasons' words.
#[derive(Clone)]
struct RowWriter {
    csv: CsvOut,
    opts: ExportOptions,
    catalog: Catalog,
    today: Date,
    rows: usize,
    dates: Dates,
    /// The joined cell being formatted.
    cell: Vec<u8>,
    /// The catalogue's plans by id, for ids below [`PLAN_TABLE`] (others are looked up).
    plans: Vec<Option<Plan>>,
    /// The products of the row's licences.
    products: Vec<Product>,
    /// Whether a device's (model, firmware) has an update in the catalogue, by [`device_key`].
    outdated: HashMap<Vec<u8>, bool>,
    key: Vec<u8>,
}

/// Plans with an id below this are found by position rather than by hashing.
const PLAN_TABLE: u64 = 1 << 16;

/// The catalogue's plan `id` (`Catalog::plan`), from `table` when the id is below [`PLAN_TABLE`].
fn plan<'c>(table: &'c [Option<Plan>], catalog: &'c Catalog, id: u64) -> Option<&'c Plan> {
    if id < PLAN_TABLE {
        table.get(id as usize).and_then(Option::as_ref)
    } else {
        catalog.plan(id)
    }
}

/// At most this many (model, firmware) pairs are remembered; others are looked up each time.
const REMEMBERED_DEVICES: usize = 4096;

/// A key that tells every (model, firmware) pair apart.
fn device_key(key: &mut Vec<u8>, model: &[u8], firmware: &[u8]) {
    key.clear();
    key.extend_from_slice(&(model.len() as u64).to_le_bytes());
    key.extend_from_slice(model);
    key.extend_from_slice(firmware);
}

impl RowWriter {
    fn new(opts: ExportOptions, catalog: Catalog, today: Date) -> RowWriter {
        let mut plans = Vec::new();
        for p in catalog.plans.values().filter(|p| p.id < PLAN_TABLE) {
            let at = p.id as usize;
            if plans.len() <= at {
                plans.resize(at + 1, None);
            }
            plans[at] = Some(p.clone());
        }
        RowWriter {
            csv: CsvOut {
                buf: Vec::with_capacity(WRITE_AT + (64 << 10)),
                terminator: if opts.excel { b"\r\n" } else { b"\n" },
                row_start: true,
            },
            opts,
            plans,
            catalog,
            today,
            rows: 0,
            dates: Dates::new(),
            cell: Vec::new(),
            products: Vec::new(),
            outdated: HashMap::new(),
            key: Vec::new(),
        }
    }

    /// Writes one cell, guarded unless the export is raw.
    #[inline]
    fn text(&mut self, cell: &[u8]) {
        let guard = !self.opts.raw && needs_guard_bytes(cell);
        self.csv.cell(if guard { b"'" } else { b"" }, cell);
    }

    /// Writes the joined cell gathered in `self.cell`.
    fn joined(&mut self) {
        let cell = std::mem::take(&mut self.cell);
        self.text(&cell);
        self.cell = cell;
    }

    fn number(&mut self, n: impl Into<u64>) {
        let mut digits = [0; 20];
        self.csv.cell(b"", decimal(&mut digits, n.into()));
    }

    /// Whether the catalogue has newer firmware for a device (`Catalog::device_update`).
    fn outdated(&mut self, model: &[u8], firmware: &[u8]) -> bool {
        device_key(&mut self.key, model, firmware);
        if let Some(&known) = self.outdated.get(&self.key) {
            return known;
        }
        // The store has checked that stored text is UTF-8.
        let (Ok(model), Ok(firmware)) = (std::str::from_utf8(model), std::str::from_utf8(firmware))
        else {
            return false;
        };
        let outdated = self.catalog.update_for(model, firmware).is_some();
        if self.outdated.len() < REMEMBERED_DEVICES {
            self.outdated.insert(self.key.clone(), outdated);
        }
        outdated
    }

    /// The licences cell as `changes::write_licenses_text` writes it:
    /// `PLAN:UNITS:USED:START:EXPIRY`, joined by `; `, `plan ID` for a plan not in the catalogue.
    fn licences(&mut self, licenses: &[License]) {
        self.cell.clear();
        let mut digits = [0; 20];
        for (i, l) in licenses.iter().enumerate() {
            if i > 0 {
                self.cell.extend_from_slice(b"; ");
            }
            match plan(&self.plans, &self.catalog, l.plan_id) {
                Some(p) => self.cell.extend_from_slice(p.name.as_bytes()),
                None => {
                    self.cell.extend_from_slice(b"plan ");
                    self.cell.extend_from_slice(decimal(&mut digits, l.plan_id));
                }
            }
            for n in [l.units, l.used] {
                self.cell.push(b':');
                self.cell
                    .extend_from_slice(decimal(&mut digits, u64::from(n)));
            }
            self.cell.push(b':');
            self.cell.extend_from_slice(&self.dates.iso(l.start));
            self.cell.push(b':');
            self.cell.extend_from_slice(&self.dates.iso(l.expiry));
        }
        self.joined();
    }

    /// The 31 cells of one customer, in [`HEADER`] order.
    fn write(&mut self, row: &ExportRow<'_>) {
        let c = &row.customer;
        let r = &c.record;
        // As `derive_counts`: open events and outdated devices, then each licence's status.
        let mut a = Attention {
            threat_system_action_required: row.open.action_required,
            threat_system_warning: row.open.warning,
            ..Attention::default()
        };
        for d in &r.devices {
            if self.outdated(d.model, d.firmware) {
                a.threat_system_warning += 1;
            }
        }
        let mut status = None;
        let mut managed = false;
        self.products.clear();
        for l in &c.licenses {
            let plan = plan(&self.plans, &self.catalog, l.plan_id);
            let s = license_of(l, plan, self.today);
            status = status.max(Some(s));
            if let Some(p) = plan {
                self.products.push(p.product);
                managed |= p.managed;
            }
            match s {
                LicenseStatus::Expired | LicenseStatus::ExceededAllocation => {
                    a.license_action_required += 1
                }
                LicenseStatus::ExpiringSoon => a.license_warning += 1,
                LicenseStatus::Normal => {}
            }
        }
        self.products.sort_by_key(|p| p.name());
        self.products.dedup();
        let next_expiry = c.licenses.iter().map(|l| l.expiry).min();

        self.number(r.id);
        self.text(r.company);
        self.text(r.account_name);
        self.text(c.account_type.code().as_bytes());
        self.text(c.status.code().as_bytes());
        self.text(r.contact_first_name);
        self.text(r.contact_last_name);
        self.text(r.email);
        self.text(r.phone);
        self.text(r.address);
        self.text(r.city);
        self.text(r.state);
        self.text(r.postal_code);
        self.text(r.country);
        self.text(r.time_zone);
        self.text(r.language);
        self.cell.clear();
        for (i, product) in self.products.iter().enumerate() {
            if i > 0 {
                self.cell.extend_from_slice(b"; ");
            }
            self.cell.extend_from_slice(product.name().as_bytes());
        }
        self.joined();
        self.licences(&c.licenses);
        self.text(status.map_or("none", LicenseStatus::code).as_bytes());
        match next_expiry {
            Some(date) => {
                let iso = self.dates.iso(date);
                self.text(&iso);
            }
            None => self.text(b""),
        }
        self.number(a.threat_system_action_required);
        self.number(a.threat_system_warning);
        self.number(a.license_action_required);
        self.number(a.license_warning);
        self.text(yes_no(a.needs_attention()).as_bytes());
        self.text(yes_no(managed).as_bytes());
        self.text(r.wfbs_template.unwrap_or_default());
        self.text(r.cloud_edge_template.unwrap_or_default());
        let at = self.dates.instant(Timestamp(r.last_transaction));
        self.text(&at);
        let at = self.dates.instant(Timestamp(r.created_at));
        self.text(&at);
        self.text(r.notes);
        self.csv.end_row();
        self.rows += 1;
    }
}

/// The accounts and companies an import's earlier rows hold, to name the line a repeat
/// first appeared on (each may appear once per file). A row that reached the store is found
/// through the store's own unique indexes (its customer's id, then the line that wrote or
/// kept it), so a million-row file costs one id and line per row rather than two folded
/// names; only a refused row, which never reaches the store, keeps its folded names.
#[derive(Default)]
struct EarlierRows {
    /// The line of the row that wrote (or kept unchanged) each customer.
    lines: Lines,
    refused_accounts: HashMap<String, u64>,
    refused_companies: HashMap<String, u64>,
}

impl EarlierRows {
    /// The customer holding `account` now, and the earlier line of this file that holds
    /// the account (if any).
    fn account(&self, w: &impl Read, account: &str) -> Result<(Option<u64>, Option<u64>)> {
        let id = w.id_by_account(account)?;
        let line = match refused(&self.refused_accounts, account) {
            Some(line) => Some(line),
            None => id.and_then(|id| self.lines.get(id)),
        };
        Ok((id, line))
    }

    /// Whether an earlier line of this file holds `company`, or else who holds it now.
    fn company(&self, w: &impl Read, company: &str) -> Result<Company> {
        if company.is_empty() {
            return Ok(Company::Unchecked);
        }
        if let Some(line) = refused(&self.refused_companies, company) {
            return Ok(Company::Earlier(line));
        }
        let holder = w.id_by_company(company)?;
        Ok(match holder.and_then(|id| self.lines.get(id)) {
            Some(line) => Company::Earlier(line),
            None => Company::Held(holder),
        })
    }

    fn wrote(&mut self, id: u64, line: u64) {
        self.lines.insert(id, line);
    }

    /// A row refused after its account was checked still holds its account and company
    /// for the rows after it.
    fn refused(&mut self, account: &str, company: &str, line: u64) {
        self.refused_accounts.entry(fold(account)).or_insert(line);
        if !company.is_empty() {
            self.refused_companies.entry(fold(company)).or_insert(line);
        }
    }
}

/// What the rows before a row say of its company.
enum Company {
    /// It is empty: nothing was looked up.
    Unchecked,
    /// The line of an earlier row that holds it.
    Earlier(u64),
    /// No earlier row holds it; the customer that holds it now, if any.
    Held(Option<u64>),
}

/// The line of the refused row that holds `name` (folded), without folding it when no row
/// was refused (as in every import that goes in).
fn refused(lines: &HashMap<String, u64>, name: &str) -> Option<u64> {
    if lines.is_empty() {
        return None;
    }
    lines.get(&fold(name)).copied()
}

/// Customer id → line, keeping the first line given for an id. New customers' ids are given
/// in ascending order, so they go in a sorted list at 16 bytes each (a hash map takes twice
/// that and more); an existing customer's id, which may come in any order, in a map.
#[derive(Default)]
struct Lines {
    ascending: Vec<(u64, u64)>,
    other: HashMap<u64, u64>,
}

impl Lines {
    fn get(&self, id: u64) -> Option<u64> {
        match self.ascending.binary_search_by_key(&id, |&(id, _)| id) {
            Ok(i) => Some(self.ascending[i].1),
            Err(_) => self.other.get(&id).copied(),
        }
    }

    fn insert(&mut self, id: u64, line: u64) {
        // An id past the sorted list's last is not in it: no search (a new customer's).
        let past = self.ascending.last().is_none_or(|&(last, _)| last < id);
        if past && !self.other.contains_key(&id) {
            self.ascending.push((id, line));
        } else if !past && self.get(id).is_none() {
            self.other.insert(id, line);
        }
    }
}

impl Desk {
    /// Writes the selected customers as CSV. A filter selection exports every match under
    /// the view setting ("Export All"), in id order. Customers whose stored record cannot be
    /// read are left out and named in the answer, so one damaged record never stops an export.
    pub fn export_csv(
        &self,
        selection: &Selection,
        opts: ExportOptions,
        out: &mut dyn Write,
    ) -> Result<Exported> {
        self.export_csv_with(selection, opts, out, &Quiet)
    }

    /// [`Desk::export_csv`], reporting the customers looked at of all it will look at (the
    /// selected ids, or every customer for a filter) to `progress`.
    pub fn export_csv_with(
        &self,
        selection: &Selection,
        opts: ExportOptions,
        out: &mut dyn Write,
        progress: &dyn Progress,
    ) -> Result<Exported> {
        selection.check()?;
        let r = self.reader()?;
        let today = self.today();
        let catalog = r.catalog()?;
        let view = r.settings()?.view;
        let mut w = RowWriter::new(opts, catalog, today);
        if opts.excel {
            w.csv.buf.extend_from_slice(b"\xEF\xBB\xBF");
        }
        for cell in HEADER {
            w.csv.cell(b"", cell.as_bytes());
        }
        w.csv.end_row();
        let mut unreadable = Vec::new();
        let total = match selection {
            Selection::Ids(ids) => ids.len() as u64,
            Selection::Filter(_) => r.customer_count()?,
        };
        let mut ticker = Ticker::records(progress, total);
        let mut rows = 0;
        match selection {
            Selection::Ids(ids) => {
                for id in ids {
                    ticker.tick();
                    let c = match r.try_customer(*id)? {
                        Some(Ok(c)) => c,
                        Some(Err(_)) => {
                            unreadable.push(*id);
                            continue;
                        }
                        None => crate::tasks::desk::load(&r, *id)?,
                    };
                    // A damaged event leaves out its customer only, like a damaged record.
                    let Ok(open) = r.open_events(*id) else {
                        unreadable.push(*id);
                        continue;
                    };
                    let customer = CustomerRef::of(&c);
                    w.write(&ExportRow { customer, open });
                    w.csv.write_to(out, true)?;
                }
                rows = w.rows;
            }
            Selection::Filter(f) => {
                let q = Query::new(f);
                let catalog = &w.catalog;
                let judge = |s: &Summary| s.visible_in(view) && s.matches(f, &q, today, catalog);
                // Every customer passes "all" unfiltered: only the summaries' open counts are read.
                let judge: Option<&(dyn Fn(&Summary) -> bool + Sync)> =
                    if f.is_unfiltered() && view == View::All {
                        None
                    } else {
                        Some(&judge)
                    };
                w.csv.write_to(out, false)?;
                let tables = r.export_tables()?;
                let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
                // Emptied buffers go back to the formatting threads.
                let spare = std::sync::Mutex::new(Vec::new());
                in_order(
                    tables.id_end()?.div_ceil(EXPORT_PART),
                    threads.clamp(2, 4),
                    || w.clone(),
                    |w, part| {
                        if let Some(buf) = spare.lock().ok().and_then(|mut s| s.pop()) {
                            w.csv.buf = buf;
                        }
                        let mut bad = Vec::new();
                        let start = part * EXPORT_PART;
                        let seen = tables.each_row(
                            start..start.saturating_add(EXPORT_PART),
                            judge.map(|j| j as &dyn Fn(&Summary) -> bool),
                            &mut |row| w.write(row),
                            &mut |id| bad.push(id),
                        )?;
                        let rows = std::mem::take(&mut w.rows);
                        Ok((std::mem::take(&mut w.csv.buf), rows, seen, bad))
                    },
                    |(mut buf, part_rows, seen, bad): (Vec<u8>, usize, u64, Vec<u64>)| {
                        out.write_all(&buf).map_err(write_error)?;
                        buf.clear();
                        if let Ok(mut s) = spare.lock() {
                            s.push(buf);
                        }
                        rows += part_rows;
                        unreadable.extend(bad);
                        ticker.add(seen);
                        Ok(())
                    },
                )?;
            }
        }
        w.csv.write_to(out, false)?;
        out.flush().map_err(write_error)?;
        ticker.finish();
        Ok(Exported {
            rows,
            file_name: FileName::customers_csv(today),
            unreadable,
        })
    }

    /// Imports CSV rows as an upsert by account_name. All rows are checked in one
    /// transaction; any bad row rejects the whole file (nothing is written) and every bad row
    /// is reported. A dry run reports what would happen and writes nothing.
    pub fn import_csv(
        &self,
        ctx: Ctx,
        input: &mut (dyn std::io::Read + Send),
        opts: ImportOptions,
    ) -> Result<ImportReport> {
        self.import_csv_with(ctx, input, opts, 0, &Quiet)
    }

    /// [`Desk::import_csv`], reporting the bytes read of `size` (the input's length, when
    /// known; 0 otherwise) to `progress`.
    pub fn import_csv_with(
        &self,
        ctx: Ctx,
        input: &mut (dyn std::io::Read + Send),
        opts: ImportOptions,
        size: u64,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let mut ticker = Ticker::bytes(progress, size);
        let dry_run = opts.dry_run;
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        let mut earlier = EarlierRows::default();
        let mut touched = Vec::new();
        let mut loader = Loader::new();
        // No template changes during an import: each is read once.
        let templates = Templates::default();
        import_rows::each_batch(input, opts.raw, |batch| {
            // The rows are read in place and left in the batch: the parser frees them.
            for parsed in &mut batch.rows {
                let row = match parsed {
                    Parsed::Row(row) => row,
                    Parsed::Bad { line, error } => {
                        report.reject(*line, "", vec![error.clone()]);
                        continue;
                    }
                };
                let Row {
                    line,
                    input,
                    errors,
                    profile,
                } = &mut **row;
                let line = *line;
                let account = input.account_name.as_deref().unwrap_or_default().trim();
                let company = input.company.as_deref().unwrap_or_default().trim();
                let (held_by, again) = earlier.account(&w, account)?;
                if let Some(first) = again {
                    report.reject(line, account, vec![FieldError::new(
                        "account_name",
                        format!("`{account}` appears again (first on line {first}); each account may appear once"),
                    )]);
                    continue;
                }
                // Checked here, so a clash names the line rather than the id an earlier row
                // of this (rejected) file would have been given.
                let known_company = match earlier.company(&w, company)? {
                    Company::Earlier(first) => {
                        earlier.refused(account, "", line);
                        report.reject(line, account, vec![FieldError::new(
                            "company",
                            format!("`{company}` appears again (first on line {first}); each company may appear once"),
                        )]);
                        continue;
                    }
                    Company::Held(holder) => Some((company, holder)),
                    Company::Unchecked => None,
                };
                if !errors.is_empty() {
                    earlier.refused(account, company, line);
                    report.reject(line, account, std::mem::take(errors));
                    continue;
                }
                let existing = match held_by {
                    Some(id) => w.customer(id)?,
                    None => None,
                };
                let profile = match &existing {
                    None => std::mem::replace(profile, Ok(Profile::default())),
                    Some(old) => validate::profile(input, Some(&old.profile)),
                };
                let built = build(
                    &w,
                    ctx,
                    &catalog,
                    &templates,
                    existing.as_ref(),
                    input,
                    profile,
                    Assign::Restore,
                    Known {
                        account: Some((account, held_by)),
                        company: known_company,
                    },
                )
                .and_then(|c| {
                    if existing.as_ref().is_some_and(|o| same(o, &c)) {
                        return Ok(None);
                    }
                    loader.upsert(&w, c, existing.as_ref(), &catalog).map(Some)
                });
                match built {
                    Ok(None) => {
                        // Only an existing customer is left unchanged.
                        if let Some(c) = &existing {
                            earlier.wrote(c.id, line);
                        }
                        report.unchanged += 1
                    }
                    Ok(Some(c)) => {
                        earlier.wrote(c.id, line);
                        touched.push(c.id);
                        if existing.is_some() {
                            report.updated += 1;
                        } else {
                            report.created += 1;
                        }
                        batch.spent.push(c);
                    }
                    Err(Error::Invalid(errors)) => {
                        earlier.refused(account, company, line);
                        report.reject(line, account, errors)
                    }
                    Err(Error::Conflict { field, message }) => {
                        earlier.refused(account, company, line);
                        report.reject(line, account, vec![FieldError::new(field, message)])
                    }
                    Err(other) => return Err(other),
                }
            }
            ticker.to(batch.read);
            Ok(())
        })?;
        if !report.errors.is_empty() {
            if dry_run {
                ticker.finish();
                return Ok(report);
            }
            return Err(Error::Import(ImportErrors {
                rows: report.errors,
                omitted: report.omitted,
            }));
        }
        if !dry_run && !touched.is_empty() {
            let outcome = format!(
                "{} created, {} updated, {} unchanged",
                report.created, report.updated, report.unchanged
            );
            loader.finish(&w)?;
            audit(&w, ctx, "import", touched, &outcome, vec![], None)?;
            w.commit()?;
        }
        ticker.finish();
        Ok(report)
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub rows: usize,
    /// The name to save the file under: `customers-YYYY-MM-DD.csv`, dated with *today*.
    pub file_name: FileName,
    /// Selected customers left out because their stored record cannot be read.
    pub unreadable: Vec<u64>,
}

impl Exported {
    /// The warning to show beside the file, if any customer was left out.
    pub fn warning(&self) -> Option<String> {
        crate::domain::check::unreadable_warning(&self.unreadable)
    }
}

#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// The first rejected rows' errors (at most `limits::REPORTED_ERRORS` in all).
    pub errors: Vec<RowError>,
    /// Errors of rejected rows beyond those listed.
    pub omitted: usize,
}

impl ImportReport {
    fn reject(&mut self, line: u64, account_name: &str, errors: Vec<FieldError>) {
        self.rejected += 1;
        let mut listed = ImportErrors {
            rows: std::mem::take(&mut self.errors),
            omitted: self.omitted,
        };
        listed.push(line, account_name.to_string(), errors);
        self.errors = listed.rows;
        self.omitted = listed.omitted;
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{} created, {} updated, {} unchanged, {} rejected",
            if self.dry_run {
                "dry run (nothing was written): "
            } else {
                ""
            },
            self.created,
            self.updated,
            self.unchanged,
            self.rejected
        )?;
        for row in &self.errors {
            for e in &row.errors {
                write!(f, "\n  line {}: {}: {}", row.line, e.field, e.message)?;
            }
        }
        if self.omitted > 0 {
            write!(f, "\n  {}", limits::more_errors(self.omitted))?;
        }
        Ok(())
    }
}

/// Whether an imported row leaves a customer as it was (timestamps and licence ids aside).
fn same(old: &Customer, new: &Customer) -> bool {
    let facts = |l: &[License]| -> Vec<(u64, u32, u32, Date, Date)> {
        l.iter()
            .map(|l| (l.plan_id, l.units, l.used, l.start, l.expiry))
            .collect()
    };
    old.profile == new.profile
        && old.status == new.status
        && old.wfbs_template == new.wfbs_template
        && old.cloud_edge_template == new.cloud_edge_template
        && facts(&old.licenses) == facts(&new.licenses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Cells that exercise the quoting: the bytes it looks for, in words of eight and in the
    /// tail, beside text of every script.
    fn cell() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            vec(
                prop_oneof![
                    Just(b','),
                    Just(b'"'),
                    Just(b'\r'),
                    Just(b'\n'),
                    Just(b'\''),
                    Just(b'='),
                    any::<u8>()
                ],
                0..24
            ),
            "\\PC{0,20}".prop_map(String::into_bytes),
        ]
    }

    proptest! {
        /// `Lines` answers as a map that keeps the first line per id, whether the ids come
        /// ascending (new customers), in any order (existing ones), or both.
        #[test]
        fn lines_keep_the_first_line_per_id(
            ids in vec(prop_oneof![0u64..40, 1_000u64..1_040], 0..200),
            ascending in any::<bool>(),
        ) {
            let mut ids = ids;
            if ascending {
                ids.sort_unstable();
            }
            let (mut lines, mut model) = (Lines::default(), HashMap::new());
            for (line, &id) in ids.iter().enumerate() {
                lines.insert(id, line as u64);
                model.entry(id).or_insert(line as u64);
            }
            for id in (0..40).chain(1_000..1_040) {
                prop_assert_eq!(lines.get(id), model.get(&id).copied());
            }
        }

        /// `CsvOut` writes exactly what the csv crate's writer writes, for any cells and both
        /// line ends, with and without the guard's prefix.
        #[test]
        fn cells_are_written_as_the_csv_crate_writes_them(
            rows in vec(vec(cell(), 1..6), 1..5),
            crlf in any::<bool>(),
            guarded in any::<bool>(),
        ) {
            let mut ours = CsvOut {
                buf: Vec::new(),
                terminator: if crlf { b"\r\n" } else { b"\n" },
                row_start: true,
            };
            let mut theirs = csv::WriterBuilder::new()
                .flexible(true)
                .terminator(if crlf {
                    csv::Terminator::CRLF
                } else {
                    csv::Terminator::Any(b'\n')
                })
                .from_writer(Vec::new());
            for row in &rows {
                // The csv crate quotes a row of one empty cell; an export row has 31 cells.
                prop_assume!(row.len() > 1 || !row[0].is_empty());
                for cell in row {
                    let prefix: &[u8] = if guarded { b"'" } else { b"" };
                    ours.cell(prefix, cell);
                    theirs.write_field([prefix, cell].concat()).unwrap();
                }
                ours.end_row();
                theirs.write_record(None::<&[u8]>).unwrap();
            }
            prop_assert_eq!(ours.buf, theirs.into_inner().unwrap());
        }
    }
}
