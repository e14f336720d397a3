//! CSV export and import in the format of SPEC §4. Export streams row by row; import checks
//! every row inside one write transaction, writes it through the bulk loader, and commits only
//! when all rows are good.

use crate::domain::changes::write_licenses_text;
use crate::domain::date::Date;
use crate::domain::derive::{derive_counts, Catalog};
use crate::domain::error::{Error, FieldError, ImportErrors, Result, RowError};
use crate::domain::file_name::FileName;
use crate::domain::model::{Customer, License, LicenseStatus, YesNo};
use crate::domain::numbers::push_decimal;
use crate::domain::progress::{Progress, Quiet, Ticker};
use crate::domain::summary::{fold, Query, Summary};
use crate::domain::validate::CustomerInput;
use crate::domain::{licence_entries, limits};
use crate::store::Read;
use crate::tasks::bulk::Selection;
use crate::tasks::customers::{build, Assign};
use crate::tasks::desk::{audit, Ctx, Desk};
use crate::tasks::load::Loader;
use serde::Serialize;
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
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => true,
        Some(b'\'') => needs_guard(&cell[1..]),
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

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(format!("cannot write the CSV: {io}")),
        other => Error::Internal(format!("CSV writer: {other:?}")),
    }
}

/// Streams customers as CSV rows, cell by cell from the customer's own strings: numbers,
/// dates and the joined cells are formatted into one reused buffer, so a row allocates
/// nothing once the buffers have grown.
struct RowWriter<'a> {
    csv: csv::Writer<&'a mut dyn Write>,
    opts: ExportOptions,
    catalog: Catalog,
    today: crate::domain::date::Date,
    rows: usize,
    /// The cell being formatted.
    cell: String,
    /// A guarded copy of a cell (`'` and the cell).
    guarded: String,
}

impl RowWriter<'_> {
    /// Writes one cell, guarded unless the export is raw.
    fn text(&mut self, cell: &str) -> Result<()> {
        let cell = if !self.opts.raw && needs_guard(cell) {
            self.guarded.clear();
            self.guarded.push('\'');
            self.guarded.push_str(cell);
            &self.guarded
        } else {
            cell
        };
        self.csv.write_field(cell).map_err(csv_err)
    }

    /// Writes the cell `fill` formats into the reused buffer.
    fn formatted(&mut self, fill: impl FnOnce(&mut String)) -> Result<()> {
        let mut cell = std::mem::take(&mut self.cell);
        cell.clear();
        fill(&mut cell);
        let done = self.text(&cell);
        self.cell = cell;
        done
    }

    fn number(&mut self, n: impl Into<u64>) -> Result<()> {
        let n = n.into();
        self.formatted(|s| push_decimal(s, n))
    }

    /// The 31 cells of one customer, in [`HEADER`] order.
    fn write(&mut self, c: &Customer, s: &Summary) -> Result<()> {
        let d = derive_counts(c, s.open, &self.catalog, self.today);
        let p = &c.profile;
        let a = &d.attention;
        self.number(c.id)?;
        self.text(&p.company)?;
        self.text(&p.account_name)?;
        self.text(p.account_type.code())?;
        self.text(c.status.code())?;
        self.text(&p.contact_first_name)?;
        self.text(&p.contact_last_name)?;
        self.text(&p.email)?;
        self.text(&p.phone)?;
        self.text(&p.address)?;
        self.text(&p.city)?;
        self.text(&p.state)?;
        self.text(&p.postal_code)?;
        self.text(&p.country)?;
        self.text(&p.time_zone)?;
        self.text(&p.language)?;
        self.formatted(|s| {
            for (i, product) in d.products.iter().enumerate() {
                if i > 0 {
                    s.push_str("; ");
                }
                s.push_str(product.name());
            }
        })?;
        let catalog = std::mem::take(&mut self.catalog);
        let licenses = self.formatted(|s| write_licenses_text(s, &c.licenses, &catalog));
        self.catalog = catalog;
        licenses?;
        self.text(d.license_status.map_or("none", LicenseStatus::code))?;
        match d.next_expiry {
            Some(date) => self.formatted(|s| date.push_to(s))?,
            None => self.text("")?,
        }
        self.number(a.threat_system_action_required)?;
        self.number(a.threat_system_warning)?;
        self.number(a.license_action_required)?;
        self.number(a.license_warning)?;
        self.text(yes_no(a.needs_attention()))?;
        self.text(yes_no(d.managed))?;
        self.text(c.wfbs_template.as_deref().unwrap_or_default())?;
        self.text(c.cloud_edge_template.as_deref().unwrap_or_default())?;
        self.formatted(|s| c.last_transaction.push_to(s))?;
        self.formatted(|s| c.created_at.push_to(s))?;
        self.text(&p.notes)?;
        self.csv.write_record(None::<&[u8]>).map_err(csv_err)?;
        self.rows += 1;
        Ok(())
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
        if opts.excel {
            out.write_all(b"\xEF\xBB\xBF")
                .map_err(|e| Error::Io(format!("cannot write the CSV: {e}")))?;
        }
        let terminator = if opts.excel {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let csv = csv::WriterBuilder::new()
            .terminator(terminator)
            .buffer_capacity(256 << 10)
            .from_writer(out);
        let mut w = RowWriter {
            csv,
            opts,
            catalog,
            today,
            rows: 0,
            cell: String::new(),
            guarded: String::new(),
        };
        w.csv.write_record(HEADER).map_err(csv_err)?;
        let mut unreadable = Vec::new();
        let total = match selection {
            Selection::Ids(ids) => ids.len() as u64,
            Selection::Filter(_) => r.customer_count()?,
        };
        let mut ticker = Ticker::records(progress, total);
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
                    w.write(&c, &Summary::of(&c, open, &w.catalog))?;
                }
            }
            Selection::Filter(f) => {
                let q = Query::new(f);
                let catalog = w.catalog.clone();
                r.each_pair(
                    &mut |s| {
                        ticker.tick();
                        s.visible_in(view) && s.matches(f, &q, today, &catalog)
                    },
                    &mut |s, c| {
                        w.write(&c, &s)?;
                        Ok(true)
                    },
                    &mut |id| unreadable.push(id),
                )?;
            }
        }
        w.csv
            .flush()
            .map_err(|e| Error::Io(format!("cannot write the CSV: {e}")))?;
        ticker.finish();
        Ok(Exported {
            rows: w.rows,
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
        input: &mut dyn std::io::Read,
        opts: ImportOptions,
    ) -> Result<ImportReport> {
        self.import_csv_with(ctx, input, opts, 0, &Quiet)
    }

    /// [`Desk::import_csv`], reporting the bytes read of `size` (the input's length, when
    /// known; 0 otherwise) to `progress`.
    pub fn import_csv_with(
        &self,
        ctx: Ctx,
        input: &mut dyn std::io::Read,
        opts: ImportOptions,
        size: u64,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let mut ticker = Ticker::bytes(progress, size);
        let dry_run = opts.dry_run;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let mut report = ImportReport {
            dry_run,
            ..ImportReport::default()
        };
        let mut record = csv::ByteRecord::new();
        let mut seen = std::collections::HashMap::new();
        let mut companies = std::collections::HashMap::new();
        let mut header_seen = false;
        let mut touched = Vec::new();
        let mut loader = Loader::new();
        loop {
            let more = reader.read_byte_record(&mut record).map_err(read_error)?;
            if !more {
                break;
            }
            let line = record.position().map_or(0, |p| p.line());
            ticker.to(reader.position().byte());
            if !header_seen {
                check_header(&record)?;
                header_seen = true;
                continue;
            }
            let mut errors = Vec::new();
            let cells = match cells(&record, opts.raw) {
                Ok(c) => c,
                Err(e) => {
                    report.reject(line, String::new(), vec![e]);
                    continue;
                }
            };
            let account = cells[2].trim().to_string();
            if let Some(first) = seen.insert(fold(&account), line) {
                report.reject(line, account.clone(), vec![FieldError::new(
                    "account_name",
                    format!("`{account}` appears again (first on line {first}); each account may appear once"),
                )]);
                continue;
            }
            // Checked here, so a clash names the line rather than the id an earlier row of
            // this (rejected) file would have been given.
            let company = cells[1].trim();
            let again = (!company.is_empty())
                .then(|| companies.insert(fold(company), line))
                .flatten();
            if let Some(first) = again {
                report.reject(line, account.clone(), vec![FieldError::new(
                    "company",
                    format!("`{company}` appears again (first on line {first}); each company may appear once"),
                )]);
                continue;
            }
            let input = input_from(&cells, &mut errors);
            if !errors.is_empty() {
                report.reject(line, account, errors);
                continue;
            }
            let existing = match w.id_by_account(&account)? {
                Some(id) => w.customer(id)?,
                None => None,
            };
            let built = build(
                &w,
                ctx,
                &catalog,
                existing.as_ref(),
                &input,
                Assign::Restore,
            )
            .and_then(|c| {
                if existing.as_ref().is_some_and(|o| same(o, &c)) {
                    return Ok(None);
                }
                loader.upsert(&w, c, existing.as_ref(), &catalog).map(Some)
            });
            match built {
                Ok(None) => report.unchanged += 1,
                Ok(Some(c)) => {
                    touched.push(c.id);
                    if existing.is_some() {
                        report.updated += 1;
                    } else {
                        report.created += 1;
                    }
                }
                Err(Error::Invalid(errors)) => report.reject(line, account, errors),
                Err(Error::Conflict { field, message }) => {
                    report.reject(line, account, vec![FieldError::new(field, message)])
                }
                Err(other) => return Err(other),
            }
        }
        if !header_seen {
            return Err(Error::Csv(format!(
                "the CSV is empty; it needs the header row: {}",
                HEADER.join(",")
            )));
        }
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
    fn reject(&mut self, line: u64, account_name: String, errors: Vec<FieldError>) {
        self.rejected += 1;
        let mut listed = ImportErrors {
            rows: std::mem::take(&mut self.errors),
            omitted: self.omitted,
        };
        listed.push(line, account_name, errors);
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

fn check_header(record: &csv::ByteRecord) -> Result<()> {
    let got: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let s = String::from_utf8_lossy(f).into_owned();
            if i == 0 {
                s.trim_start_matches('\u{feff}').to_string()
            } else {
                s
            }
        })
        .collect();
    if got.iter().map(|s| s.trim()).eq(HEADER.iter().copied()) {
        return Ok(());
    }
    let at = HEADER
        .iter()
        .zip(got.iter())
        .position(|(want, have)| want != &have.trim())
        .unwrap_or(got.len().min(HEADER.len()));
    let problem = match (HEADER.get(at), got.get(at)) {
        (Some(want), Some(have)) => format!("column {} is `{have}` but must be `{want}`", at + 1),
        (Some(want), None) => format!("column {} `{want}` is missing", at + 1),
        (None, Some(have)) => format!("column {} `{have}` is not expected", at + 1),
        (None, None) => String::new(),
    };
    Err(Error::Csv(format!(
        "line 1: the header row does not match ({problem}); it must be exactly: {}",
        HEADER.join(",")
    )))
}

/// Why the CSV stopped: the input could not be read at all, or a line is malformed.
fn read_error(e: csv::Error) -> Error {
    if let csv::ErrorKind::Io(io) = e.kind() {
        return Error::Io(match io.raw_os_error() {
            Some(libc::EISDIR) => "the input is a directory; give a CSV file".to_string(),
            _ => format!("the CSV cannot be read: {io}"),
        });
    }
    let line = e.position().map_or(1, |p| p.line());
    Error::Csv(format!(
        "line {line}: the CSV cannot be read ({e}); check the quoting"
    ))
}

fn cells(record: &csv::ByteRecord, raw: bool) -> std::result::Result<Vec<String>, FieldError> {
    if record.len() != HEADER.len() {
        return Err(FieldError::new(
            "row",
            format!(
                "has {} cells but the header has {}; check commas and quotes",
                record.len(),
                HEADER.len()
            ),
        ));
    }
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f)
                .map(|s| if raw { s } else { unguard(s) }.to_string())
                .map_err(|_| {
                    FieldError::new(HEADER[i], "is not valid UTF-8; save the file as UTF-8")
                })
        })
        .collect()
}

fn input_from(c: &[String], errors: &mut Vec<FieldError>) -> CustomerInput {
    let s = |i: usize| Some(c[i].clone());
    let licenses = match licence_entries::parse_list(&c[17]) {
        Ok(l) => Some(l),
        Err(m) => {
            errors.push(FieldError::new("licenses", m));
            None
        }
    };
    CustomerInput {
        company: s(1),
        account_name: s(2),
        account_type: s(3),
        status: s(4),
        contact_first_name: s(5),
        contact_last_name: s(6),
        email: s(7),
        phone: s(8),
        address: s(9),
        city: s(10),
        state: s(11),
        postal_code: s(12),
        country: s(13),
        time_zone: s(14),
        language: s(15),
        licenses,
        wfbs_template: s(26),
        cloud_edge_template: s(27),
        notes: s(30),
        ..CustomerInput::default()
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
