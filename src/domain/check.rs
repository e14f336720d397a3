//! `clientele check`: which stored records cannot be read. One undecodable record (an older
//! bug, a bit flip) must never hide the others, so listing and export skip such records and
//! name them, and this report lists every one of them, in every table, for every face.

use super::limits;
use serde::Serialize;

/// The result of reading every stored record once.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    /// Whether every record could be read.
    pub ok: bool,
    /// Records read, in all tables.
    pub records: u64,
    pub tables: usize,
    /// The records that cannot be read (at most [`limits::REPORTED_ERRORS`]).
    pub unreadable: Vec<Unreadable>,
    /// Unreadable records beyond those listed.
    pub omitted: usize,
}

/// One record that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Unreadable {
    /// The table (`customers`, `customer_summaries`, `events`, `plans`, …).
    pub table: String,
    /// The record's key as text (an id, a name, `customer/event` for events).
    pub key: String,
    /// The customer the record belongs to, where there is one: it can be deleted by id.
    pub customer: Option<u64>,
    pub problem: String,
}

impl CheckReport {
    /// Adds one unreadable record, listing it while there is room.
    pub fn push(&mut self, u: Unreadable) {
        if self.unreadable.len() < limits::REPORTED_ERRORS {
            self.unreadable.push(u);
        } else {
            self.omitted += 1;
        }
    }

    pub fn bad(&self) -> usize {
        self.unreadable.len() + self.omitted
    }
}

impl std::fmt::Display for CheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "checked {} record(s) in {} tables: ",
            limits::n(self.records as usize),
            self.tables
        )?;
        if self.ok {
            return write!(f, "every record can be read");
        }
        write!(f, "{} cannot be read", limits::n(self.bad()))?;
        for u in &self.unreadable {
            write!(f, "\n  {} {}: {}", u.table, u.key, u.problem)?;
        }
        if self.omitted > 0 {
            write!(f, "\n  … and {} more", limits::n(self.omitted))?;
        }
        let customers: Vec<String> = self
            .unreadable
            .iter()
            .filter_map(|u| u.customer)
            .map(|id| id.to_string())
            .collect();
        if !customers.is_empty() {
            write!(
                f,
                "\ndelete a damaged customer by id (customer {} is one) or restore a backup",
                customers[0]
            )?;
        } else {
            write!(f, "\nrestore a backup to get these records back")?;
        }
        Ok(())
    }
}

/// The warning every face shows when a list or export left out unreadable customers.
pub fn unreadable_warning(ids: &[u64]) -> Option<String> {
    if ids.is_empty() {
        return None;
    }
    let shown: Vec<String> = ids
        .iter()
        .take(limits::REPORTED_ERRORS)
        .map(u64::to_string)
        .collect();
    let more = ids.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {} more", limits::n(more))
    } else {
        String::new()
    };
    Some(format!(
        "the stored record of customer(s) {}{more} cannot be read, so they were left out; \
         delete a damaged customer by id or restore a backup",
        shown.join(", ")
    ))
}
