//! New customers written in bulk: a load's new customers, summaries, events, owner entries
//! and unique-index entries are collected and inserted one table at a time in key order, each
//! table opened once per chunk, instead of touching a random leaf of ten tables per customer.
//!
//! Only customers with freshly assigned ids go through here (`Writer::add_customer`), so none
//! of their keys can already be stored except through a clash in a unique index, which is
//! refused when the customer is added (against the stored index and the collected entries),
//! never at the flush. Every read of customer data in the same transaction, and every other
//! write to the customer tables, flushes first (`Writer::settle`), so the collected entries
//! are invisible to nothing; the unique-index look-ups answer from the collected entries
//! without a flush, so a load can check each row's names and go on collecting.
//!
//! Memory is bounded by [`Bulk::BYTES`] of encoded records and [`Bulk::CHUNK`] entries per
//! unique index (some 8 + 15 MiB), never by the size of the load: a full buffer is written
//! out and its allocations reused. Records are keyed by fresh ids and only append, so their
//! buffer is small; unique keys arrive in random order and are sorted in larger chunks.

use super::{
    db_err, encode_customer, encode_event, encode_summary, Error, Writer, BY_ACCOUNT, BY_COMPANY,
    BY_SERIAL, CUSTOMERS, DEVICE_OWNER, EVENTS, EVENT_OWNER, LICENSE_OWNER, SUMMARIES,
};
use crate::domain::model::{Customer, Event};
use crate::domain::summary::{fold, Summary};
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};
use std::collections::HashMap;

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
    /// Folded key → customer id, one map per unique index.
    unique: [HashMap<String, u64>; 3],
    /// Encoded bytes held.
    bytes: usize,
    /// Per unique index, the last folded key found in no customer (collected or stored) since
    /// the index was last written, if any: a load looks a row's names up several times
    /// (the import's row check, the customer's own check, the write), and only the first
    /// needs to read the table.
    /// (Whether the key holds, the key.)
    absent: [(bool, String); 3],
    /// Per unique index, the keys this transaction has added to it, when that is all it holds.
    seen: [Seen; 3],
}

/// What a unique index holds beyond the keys this transaction's bulk path added.
#[derive(Default)]
enum Seen {
    /// Not looked at yet in this transaction.
    #[default]
    Unknown,
    /// Nothing else: the index was empty when first looked at, and every key since came
    /// through `add_customer`, which sets the key's bits in this filter (a Bloom filter of
    /// [`FILTER_BITS`] bits). A key whose bits are not all set is not in the index, so a
    /// load into a fresh file checks its names without reading the index; a key whose bits
    /// are set is looked up as usual.
    Filter(Vec<u64>),
    /// Anything: the index held keys, or was written another way in this transaction.
    Off,
}

/// 2 MiB per index: at a million keys, one absent key in some 200 still reads the index.
const FILTER_BITS: u64 = 1 << 24;

/// The filter bits of a key: three probes by double hashing over a 64-bit FNV-1a hash,
/// mixed (SplitMix64's finaliser) so its low bits are usable.
fn probes(key: &str) -> [u64; 3] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (h1, h2) = (mix(h), mix(h ^ 0x9e37_79b9_7f4a_7c15) | 1);
    [0, 1, 2].map(|i| h1.wrapping_add(h2.wrapping_mul(i)) % FILTER_BITS)
}

fn may_hold(bits: &[u64], key: &str) -> bool {
    probes(key)
        .iter()
        .all(|&p| bits[(p / 64) as usize] & (1 << (p % 64)) != 0)
}

fn remember(bits: &mut [u64], key: &str) {
    for p in probes(key) {
        bits[(p / 64) as usize] |= 1 << (p % 64);
    }
}

impl Bulk {
    /// Unique-index entries held per index before they are inserted: their keys arrive in
    /// random order, so the more are sorted together, the fewer leaves each pass rewrites.
    /// A debug build flushes far more often, so tests of a few thousand customers cross it.
    const CHUNK: usize = if cfg!(debug_assertions) { 700 } else { 65_536 };
    /// Encoded records held before they are inserted. Their keys are fresh ids, which only
    /// grow, so they append to their tables whatever the chunk: it can be small.
    const BYTES: usize = if cfg!(debug_assertions) {
        64 << 10
    } else {
        8 << 20
    };

    fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.events.is_empty() && self.unique_len() == 0
    }

    fn unique_len(&self) -> usize {
        self.unique.iter().map(HashMap::len).max().unwrap_or(0)
    }

    fn map(&self, u: Unique) -> &HashMap<String, u64> {
        &self.unique[u as usize]
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
        {
            let b = self.bulk.borrow();
            if let Some(id) = b.map(u).get(folded) {
                return Ok(Some(*id));
            }
            let (known, key) = &b.absent[u as usize];
            if *known && key == folded {
                return Ok(None);
            }
            if let Seen::Filter(bits) = &b.seen[u as usize] {
                if !may_hold(bits, folded) {
                    return Ok(None);
                }
            }
        }
        let t = self.tx.open_table(u.table()).map_err(db_err)?;
        if matches!(self.bulk.borrow().seen[u as usize], Seen::Unknown) {
            let empty = t.len().map_err(db_err)? == 0;
            self.bulk.borrow_mut().seen[u as usize] = if empty {
                Seen::Filter(vec![0; (FILTER_BITS / 64) as usize])
            } else {
                Seen::Off
            };
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

    /// Forgets the keys found absent: a unique index is about to be written.
    fn forget_absent(&self) {
        for (known, _) in &mut self.bulk.borrow_mut().absent {
            *known = false;
        }
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
            for (u, key) in keys {
                if let Seen::Filter(bits) = &mut b.seen[u as usize] {
                    remember(bits, &key);
                }
                b.unique[u as usize].insert(key, id);
            }
            (b.bytes >= Bulk::BYTES, b.unique_len() >= Bulk::CHUNK)
        };
        self.index(s)?;
        if full.0 || full.1 {
            self.flush_bulk(full.0, full.1)?;
        }
        Ok(())
    }

    /// Writes what is collected, if anything: before a read or change of customer data in
    /// this transaction, and before the commit.
    pub(super) fn settle(&self) -> Result<(), Error> {
        self.forget_absent();
        // What follows may write the unique indexes directly: the filters stop holding.
        for seen in &mut self.bulk.borrow_mut().seen {
            *seen = Seen::Off;
        }
        if self.bulk.borrow().is_empty() {
            return Ok(());
        }
        self.flush_bulk(true, true)
    }

    /// Inserts the collected records and owner entries (`records`) and the unique-index
    /// entries (`unique`), one table at a time in its key order.
    fn flush_bulk(&self, records: bool, unique: bool) -> Result<(), Error> {
        if unique {
            self.forget_absent();
        }
        let mut b = std::mem::take(&mut *self.bulk.borrow_mut());
        if records {
            self.flush_records(&mut b)?;
        }
        if unique {
            self.flush_unique(&mut b)?;
        }
        *self.bulk.borrow_mut() = b;
        Ok(())
    }

    fn flush_records(&self, b: &mut Bulk) -> Result<(), Error> {
        macro_rules! insert {
            ($def:expr, $rows:expr, |$k:ident, $v:ident| $key:expr, $value:expr) => {{
                $rows.sort_unstable_by_key(|($k, _)| *$k);
                let mut t = self.tx.open_table($def).map_err(db_err)?;
                for ($k, $v) in &$rows {
                    t.insert($key, $value).map_err(db_err)?;
                }
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
        Ok(())
    }

    fn flush_unique(&self, b: &mut Bulk) -> Result<(), Error> {
        let mut sorted: Vec<(String, u64)> = Vec::new();
        for u in [Unique::Account, Unique::Company, Unique::Serial] {
            sorted.extend(b.unique[u as usize].drain());
            sorted.sort_unstable();
            let mut t = self.tx.open_table(u.table()).map_err(db_err)?;
            for (key, id) in &sorted {
                t.insert(key.as_str(), *id).map_err(db_err)?;
            }
            sorted.clear();
        }
        Ok(())
    }
}
