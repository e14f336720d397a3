//! Every customer in id order for the CSV export, read without building a `Customer`: the
//! summaries and customers tables are walked side by side once, each customer is read by
//! its borrowing twin (`records::decode_customer_ref`) and, unless a filter needs the whole
//! summary, only the summary's open event counts are read.

use super::records::{decode_customer_ref, decode_summary, decode_summary_open, CustomerRef};
use super::{db_err, out_of_step, Reader, CUSTOMERS, SUMMARIES};
use crate::domain::derive::OpenEvents;
use crate::domain::error::Error;
use crate::domain::summary::Summary;
use redb::ReadableTable;

/// One customer as the export reads it: the stored record (text borrowed from the file's
/// page) and its open event counts from the summary.
pub struct ExportRow<'a> {
    pub customer: CustomerRef<'a>,
    pub open: OpenEvents,
}

impl Reader {
    /// Calls `row` for every customer in id order. With `judge`, each summary is decoded in
    /// full and only the customers it accepts are read; without, every customer is. `seen`
    /// is called once per customer looked at. A customer whose summary or record cannot be
    /// read is handed to `bad` and left out.
    pub fn each_export_row(
        &self,
        mut judge: Option<&mut dyn FnMut(&Summary) -> bool>,
        seen: &mut dyn FnMut(),
        row: &mut dyn FnMut(&ExportRow<'_>) -> Result<(), Error>,
        bad: &mut dyn FnMut(u64),
    ) -> Result<(), Error> {
        let summaries = self.tx.open_table(SUMMARIES).map_err(db_err)?;
        let customers = self.tx.open_table(CUSTOMERS).map_err(db_err)?;
        let mut rows = customers.iter().map_err(db_err)?;
        for s in summaries.iter().map_err(db_err)? {
            seen();
            let (sid, sv) = s.map_err(db_err)?;
            let (cid, cv) = rows.next().ok_or_else(out_of_step)?.map_err(db_err)?;
            let id = sid.value();
            if id != cid.value() {
                return Err(out_of_step());
            }
            let open = match judge.as_mut() {
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
            let bytes = cv.value();
            match decode_customer_ref(bytes) {
                Ok(customer) => row(&ExportRow { customer, open })?,
                Err(_) => bad(id),
            }
        }
        Ok(())
    }
}
