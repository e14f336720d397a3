//! Customers in id order for the CSV export, read without building a `Customer`: the
//! customers table is walked over a range of ids and each customer read by its borrowing
//! twin (`records::decode_customer_ref`). Unless a filter needs the whole summary, its open
//! event counts come from the open-events column (a schema-7 file; an older one opened
//! read-only has none, and only the counts of each summary are read instead). With a
//! filter, the summaries are walked beside the customers. The tables are opened once and
//! may be read from several threads, one id range each.

use super::records::{decode_customer_ref, decode_summary, decode_summary_open, CustomerRef};
use super::{db_err, out_of_step, OpenColumn, Reader, CUSTOMERS, SUMMARIES};
use crate::domain::derive::OpenEvents;
use crate::domain::error::Error;
use crate::domain::summary::Summary;
use redb::{ReadOnlyTable, ReadableTable};
use std::ops::Range;

/// One customer as the export reads it: the stored record (text borrowed from the file's
/// page) and its open event counts from the summary.
pub struct ExportRow<'a> {
    pub customer: CustomerRef<'a>,
    pub open: OpenEvents,
}

/// The two tables an export reads, open in one read transaction.
pub struct ExportTables {
    summaries: ReadOnlyTable<u64, &'static [u8]>,
    customers: ReadOnlyTable<u64, &'static [u8]>,
    open: Option<OpenColumn>,
}

impl Reader {
    pub fn export_tables(&self) -> Result<ExportTables, Error> {
        Ok(ExportTables {
            summaries: self.tx.open_table(SUMMARIES).map_err(db_err)?,
            customers: self.tx.open_table(CUSTOMERS).map_err(db_err)?,
            open: self.open_column()?,
        })
    }
}

impl ExportTables {
    /// One past the largest customer id (0 for an empty file): every id is below it.
    pub fn id_end(&self) -> Result<u64, Error> {
        let last = self.summaries.last().map_err(db_err)?;
        Ok(last.map_or(0, |(k, _)| k.value().saturating_add(1)))
    }

    /// Calls `row` for every customer with an id in `ids`, in id order, and answers how many
    /// customers it looked at. With `judge`, each summary is decoded in full and only the
    /// customers it accepts are read; without, every customer is. A customer whose summary
    /// or record cannot be read is handed to `bad` and left out.
    pub fn each_row(
        &self,
        ids: Range<u64>,
        judge: Option<&dyn Fn(&Summary) -> bool>,
        row: &mut dyn FnMut(&ExportRow<'_>),
        bad: &mut dyn FnMut(u64),
    ) -> Result<u64, Error> {
        if let (None, Some(column)) = (judge, &self.open) {
            if let Some(open) = column.of(ids.clone())? {
                return self.each_row_with_open(ids, &open, row, bad);
            }
        }
        let mut rows = self.customers.range(ids.clone()).map_err(db_err)?;
        let mut seen = 0;
        for s in self.summaries.range(ids).map_err(db_err)? {
            seen += 1;
            let (sid, sv) = s.map_err(db_err)?;
            let (cid, cv) = rows.next().ok_or_else(out_of_step)?.map_err(db_err)?;
            let id = sid.value();
            if id != cid.value() {
                return Err(out_of_step());
            }
            let open = match judge {
                Some(judge) => match decode_summary(sv.value()) {
                    Ok(summary) if judge(&summary) => summary.open,
                    Ok(_) => continue,
                    Err(_) => {
                        bad(id);
                        continue;
                    }
                },
                None => match decode_summary_open(sv.value()) {
                    Ok(open) => open,
                    Err(_) => {
                        bad(id);
                        continue;
                    }
                },
            };
            emit(id, cv.value(), open, row, bad);
        }
        Ok(seen)
    }

    /// [`ExportTables::each_row`] without a filter, given the open event counts of `ids`
    /// from their column: the summaries are not read at all.
    fn each_row_with_open(
        &self,
        ids: Range<u64>,
        open: &[OpenEvents],
        row: &mut dyn FnMut(&ExportRow<'_>),
        bad: &mut dyn FnMut(u64),
    ) -> Result<u64, Error> {
        let mut seen = 0;
        for c in self.customers.range(ids.clone()).map_err(db_err)? {
            seen += 1;
            let (id, cv) = c.map_err(db_err)?;
            let id = id.value();
            let open = usize::try_from(id - ids.start)
                .ok()
                .and_then(|at| open.get(at).copied())
                .ok_or_else(out_of_step)?;
            emit(id, cv.value(), open, row, bad);
        }
        Ok(seen)
    }
}

/// Hands customer `id` (its stored `record`, with its `open` event counts) to `row`, or its
/// id to `bad` when the record cannot be read.
fn emit(
    id: u64,
    record: &[u8],
    open: OpenEvents,
    row: &mut dyn FnMut(&ExportRow<'_>),
    bad: &mut dyn FnMut(u64),
) {
    match decode_customer_ref(record) {
        Ok(customer) => row(&ExportRow { customer, open }),
        Err(_) => bad(id),
    }
}
