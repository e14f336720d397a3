//! New customers written in bulk: a load's new customers, summaries, events and owner
//! entries are collected and inserted one table at a time in key order, each table opened
//! once per chunk, instead of touching a random leaf of ten tables per customer; their
//! unique-index entries are collected in `Writer::sorted` and inserted in key order too.
//!
//! Only customers with freshly assigned ids go through here (`Writer::add_customer`), so none
//! of their keys can already be stored except through a clash in a unique index, which is
//! refused when the customer is added (against the stored index and the collected entries),
//! never at the flush. Every read of customer data in the same transaction, and every other
//! write to the customer tables, flushes first (`Writer::settle`), so the collected entries
//! are invisible to nothing; the unique-index look-ups answer from the collected entries
//! without a flush, so a load can check each row's names and go on collecting.
//!
//! Memory is bounded by [`Bulk::BYTES`] of encoded records, a full buffer being written out
//! and its allocations reused, plus an 8-byte hash per collected unique key (with the hash
//! set's spare room, 10 to 20 bytes: some 50 MiB for the three indexes of a million
//! customers): what a load needs to refuse a repeated name at once.
use super::{
    db_err, encode_customer, encode_event, encode_summary, Error, Writer, BY_ACCOUNT, BY_COMPANY,
    BY_SERIAL, CUSTOMERS, DEVICE_OWNER, EVENTS, EVENT_OWNER, LICENSE_OWNER, SUMMARIES,
};
use crate::domain::model::{Customer, Event};
use crate::domain::summary::{fold, Summary};
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

/// A unique, case-insensitive index of customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unique {
    Account,
    Company,
    Serial,
}

impl Unique {
    pub(super) fn table(self) -> TableDefinition<'static, &'static str, u64> {
        match self {
            Unique::Account => BY_ACCOUNT,
            Unique::Company => BY_COMPANY,
            Unique::Serial => BY_SERIAL,
        }
    }
}

/// Writes of new customers not yet in their tables.
#[derive(Default)]
pub(super) struct Bulk {
    customers: Vec<(u64, Vec<u8>)>,
    summaries: Vec<(u64, Vec<u8>)>,
    events: Vec<((u64, u64), Vec<u8>)>,
    event_owner: Vec<(u64, u64)>,
    license_owner: Vec<(u64, u64)>,
    device_owner: Vec<(u64, u64)>,
    /// Encoded bytes held.
    bytes: usize,
    /// Per unique index, the keys collected for it (in `Writer::sorted`) and not yet in its
    /// table, as a keyed hash of each folded key. A look-up that finds its hash here puts
    /// the collected keys in the table and asks the table, so a clash of two hashes costs
    /// time, never a wrong answer.
    unique: [HashSet<u64, BuildHasherDefault<Prehashed>>; 3],
    hasher: RandomState,
    /// Per unique index, whether its table held no key when first looked at in this
    /// transaction and has not been written since (`None`: not looked at since it was).
    empty: [Option<bool>; 3],
    /// Per unique index, the last folded key found in no customer (collected or stored) since
    /// the index was last written, if any: a load looks a row's names up several times
    /// (the import's row check, the customer's own check, the write), and only the first
    /// needs to read the table.
    /// (Whether the key holds, the key.)
    absent: [(bool, String); 3],
}

/// The identity hash of keys that are hashes already.
#[derive(Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Bulk {
    /// Encoded records held before they are inserted. Their keys are fresh ids, which only
    /// grow, so they append to their tables whatever the chunk: it can be small.
    const BYTES: usize = if cfg!(debug_assertions) {
        64 << 10
    } else {
        8 << 20
    };

    fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.events.is_empty()
    }
}

/// The clash of a unique index, worded as the one-by-one path words it.
fn clash(u: Unique, shown: &str, owner: u64) -> Error {
    match u {
        Unique::Serial => Error::conflict(
            "serial",
            format!("serial {shown} already belongs to customer {owner}; serials are unique"),
        ),
        Unique::Account | Unique::Company => {
            let field = if u == Unique::Account {
                "account_name"
            } else {
                "company"
            };
            Error::conflict(
                field,
                format!(
                    "`{shown}` is already used by customer {owner}; {field} must be unique (ignoring case)"
                ),
            )
        }
    }
}

impl Writer {
    /// The customer a unique index entry (a folded key) points to, collected or stored.
    pub(super) fn unique_owner(&self, u: Unique, folded: &str) -> Result<Option<u64>, Error> {
        let collected = {
            let b = self.bulk.borrow();
            let hash = b.hasher.hash_one(folded);
            let collected = b.unique[u as usize].contains(&hash);
            let (known, key) = &b.absent[u as usize];
            if !collected && ((*known && key == folded) || b.empty[u as usize] == Some(true)) {
                return Ok(None);
            }
            collected
        };
        if collected {
            // This key was collected, or another with the same hash: the table knows which.
            self.merge_unique(u)?;
        }
        let t = self.tx.open_table(u.table()).map_err(db_err)?;
        if self.bulk.borrow().empty[u as usize].is_none() {
            let empty = t.len().map_err(db_err)? == 0;
            self.bulk.borrow_mut().empty[u as usize] = Some(empty);
        }
        let v = t.get(folded).map_err(db_err)?;
        let owner = v.map(|v| v.value());
        if owner.is_none() {
            let (known, key) = &mut self.bulk.borrow_mut().absent[u as usize];
            *known = true;
            key.clear();
            key.push_str(folded);
        }
        Ok(owner)
    }

    /// Puts the keys collected for a unique index in its table, in key order.
    fn merge_unique(&self, u: Unique) -> Result<(), Error> {
        {
            let mut b = self.bulk.borrow_mut();
            b.unique[u as usize].clear();
            b.empty[u as usize] = None;
            b.absent[u as usize].0 = false;
        }
        self.merge_sorted(u.table())
    }

    /// Adds a customer whose ids (its own, its licences', devices' and `events'`) were just
    /// assigned, with its new events and its summary: checked against the unique indexes now,
    /// written with the other collected customers, in key order, when the buffer is full or
    /// before anything reads or changes customers. A clash fails as a conflict and adds
    /// nothing.
    pub fn add_customer(&self, c: &Customer, events: &[Event], s: &Summary) -> Result<(), Error> {
        let id = c.id;
        let mut keys: Vec<(Unique, String)> = Vec::with_capacity(2 + c.devices.len());
        for (u, shown) in [
            (Unique::Account, c.profile.account_name.as_str()),
            (Unique::Company, c.profile.company.as_str()),
        ]
        .into_iter()
        .chain(
            c.devices
                .iter()
                .map(|d| (Unique::Serial, d.serial.as_str())),
        ) {
            let key = fold(shown);
            if let Some(owner) = self.unique_owner(u, &key)? {
                if owner != id {
                    return Err(clash(u, shown, owner));
                }
            }
            keys.push((u, key));
        }
        let customer = encode_customer(c)?;
        let summary = encode_summary(s)?;
        let mut encoded = Vec::with_capacity(events.len());
        for e in events {
            encoded.push(((e.customer_id, e.id), encode_event(e)?));
        }
        self.count_new_customer()?;
        let full = {
            let mut b = self.bulk.borrow_mut();
            let b = &mut *b;
            b.bytes += customer.len() + summary.len();
            b.customers.push((id, customer));
            b.summaries.push((id, summary));
            for (key, bytes) in encoded {
                b.bytes += bytes.len();
                b.event_owner.push((key.1, key.0));
                b.events.push((key, bytes));
            }
            b.license_owner
                .extend(c.licenses.iter().map(|l| (l.id, id)));
            b.device_owner.extend(c.devices.iter().map(|d| (d.id, id)));
            for (u, key) in &keys {
                let hash = b.hasher.hash_one(key.as_str());
                b.unique[*u as usize].insert(hash);
            }
            b.bytes >= Bulk::BYTES
        };
        for (u, key) in &keys {
            self.sort_into(u.table(), [(key.as_str(), id)])?;
        }
        self.index(s)?;
        if full {
            self.flush_records()?;
        }
        Ok(())
    }

    /// Writes what is collected, if anything: before a read or change of customer data in
    /// this transaction, and before the commit.
    pub(super) fn settle(&self) -> Result<(), Error> {
        // What follows may write the unique indexes directly.
        for u in [Unique::Account, Unique::Company, Unique::Serial] {
            self.merge_unique(u)?;
        }
        if self.bulk.borrow().is_empty() {
            return Ok(());
        }
        self.flush_records()
    }

    /// Inserts the collected records and owner entries, one table at a time in key order.
    fn flush_records(&self) -> Result<(), Error> {
        let mut b = std::mem::take(&mut *self.bulk.borrow_mut());
        macro_rules! insert {
            ($def:expr, $rows:expr, |$k:ident, $v:ident| $key:expr, $value:expr) => {{
                $rows.sort_unstable_by_key(|($k, _)| *$k);
                self.insert_ascending($def, $rows.iter().map(|($k, $v)| ($key, $value)))?;
            }};
        }
        insert!(CUSTOMERS, b.customers, |k, v| *k, v.as_slice());
        insert!(SUMMARIES, b.summaries, |k, v| *k, v.as_slice());
        insert!(EVENTS, b.events, |k, v| *k, v.as_slice());
        insert!(EVENT_OWNER, b.event_owner, |k, v| *k, *v);
        insert!(LICENSE_OWNER, b.license_owner, |k, v| *k, *v);
        insert!(DEVICE_OWNER, b.device_owner, |k, v| *k, *v);
        b.customers.clear();
        b.summaries.clear();
        b.events.clear();
        b.event_owner.clear();
        b.license_owner.clear();
        b.device_owner.clear();
        b.bytes = 0;
        *self.bulk.borrow_mut() = b;
        Ok(())
    }
}
