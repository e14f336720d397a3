//! Every customer in id order for the CSV export, read without building a `Customer`: the
//! summaries and customers tables are walked side by side once and each customer's stored
//! values are copied out in batches ([`Batch`]), which other threads can read — each
//! customer by its borrowing twin (`records::decode_customer_ref`) and, unless a filter
//! needed the whole summary, only the summary's open event counts.

use super::records::{decode_customer_ref, decode_summary, decode_summary_open, CustomerRef};
use super::{db_err, out_of_step, Reader, CUSTOMERS, SUMMARIES};
use crate::domain::derive::OpenEvents;
use crate::domain::error::Error;
use crate::domain::summary::Summary;
use redb::ReadableTable;
use std::ops::Range;

/// One customer as the export reads it: the stored record (text borrowed from the batch)
/// and its open event counts from the summary.
pub struct ExportRow<'a> {
    pub customer: CustomerRef<'a>,
    pub open: OpenEvents,
}

/// Where a batched customer's open counts come from.
enum Open {
    /// Read from the full summary that judged the customer.
    Known(OpenEvents),
    /// To be read from the stored summary at this range of the batch's bytes.
    Stored(Range<usize>),
}

/// Consecutive customers' stored values, copied out of the file.
#[derive(Default)]
pub struct Batch {
    bytes: Vec<u8>,
    rows: Vec<(u64, Open, Range<usize>)>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Reads the customers in id order: `row` gets each readable one, `bad` the id of each
    /// whose summary or record cannot be read.
    pub fn each(&self, row: &mut dyn FnMut(&ExportRow<'_>), bad: &mut dyn FnMut(u64)) {
        for (id, open, customer) in &self.rows {
            let open = match open {
                Open::Known(open) => Ok(*open),
                Open::Stored(at) => decode_summary_open(&self.bytes[at.clone()]),
            };
            let read = open.and_then(|open| {
                decode_customer_ref(&self.bytes[customer.clone()])
                    .map(|customer| ExportRow { customer, open })
            });
            match read {
                Ok(r) => row(&r),
                Err(_) => bad(*id),
            }
        }
    }

    fn push(&mut self, id: u64, open: Option<OpenEvents>, summary: &[u8], customer: &[u8]) {
        let open = match open {
            Some(open) => Open::Known(open),
            None => {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(summary);
                Open::Stored(start..self.bytes.len())
            }
        };
        let start = self.bytes.len();
        self.bytes.extend_from_slice(customer);
        self.rows.push((id, open, start..self.bytes.len()));
    }
}

impl Reader {
    /// Hands every customer in id order to `batch`, `rows` customers at a time. With
    /// `judge`, each summary is decoded here in full and only the customers it accepts are
    /// copied (a summary that cannot be read goes to `bad`); without, every customer is, its
    /// summary unread. `seen` is called once per customer looked at.
    pub fn export_batches(
        &self,
        mut judge: Option<&mut dyn FnMut(&Summary) -> bool>,
        rows: usize,
        seen: &mut dyn FnMut(),
        batch: &mut dyn FnMut(Batch) -> Result<(), Error>,
        bad: &mut dyn FnMut(u64),
    ) -> Result<(), Error> {
        let summaries = self.tx.open_table(SUMMARIES).map_err(db_err)?;
        let customers = self.tx.open_table(CUSTOMERS).map_err(db_err)?;
        let mut values = customers.iter().map_err(db_err)?;
        let mut next = Batch::default();
        for s in summaries.iter().map_err(db_err)? {
            seen();
            let (sid, sv) = s.map_err(db_err)?;
            let (cid, cv) = values.next().ok_or_else(out_of_step)?.map_err(db_err)?;
            let id = sid.value();
            if id != cid.value() {
                return Err(out_of_step());
            }
            let open = match judge.as_mut() {
                Some(judge) => match decode_summary(sv.value()) {
                    Ok(summary) if judge(&summary) => Some(summary.open),
                    Ok(_) => continue,
                    Err(_) => {
                        bad(id);
                        continue;
                    }
                },
                None => None,
            };
            next.push(id, open, sv.value(), cv.value());
            if next.len() >= rows {
                batch(std::mem::take(&mut next))?;
            }
        }
        if !next.is_empty() {
            batch(next)?;
        }
        Ok(())
    }
}
