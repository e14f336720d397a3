//! The attention order (schema 3): a customer's attention weight depends on *today*, so the
//! index is kept for one day, the day stored under `meta` key `attention.day`, with
//! a second table saying when each customer's weight next changes.
//!
//! - `order_attention` holds (weight on that day, folded company, id): the order
//!   `Summary::compare` gives for the attention sort, so a page is a range read.
//! - `attention_due` holds (the first later day on which the weight may change, id) for every
//!   customer with a licence still to turn expiring-soon or expired. Moving the order to a
//!   later day (`Writer::roll_attention`) re-keys exactly the customers due by then: nobody
//!   else's weight can have changed, since open events and the firmware catalogue do not
//!   move with the days.
//! - `customer_day_facts` (`facts.rs`) holds each customer's `DayFacts` (licence status,
//!   reason categories) on that day, written and removed with the other two, so the
//!   licence, attention and category filters read it while the order is for *today*. They
//!   change only on the days `attention_due` names (`Summary::next_attention_change`).
//! - A firmware change can move the weight of any customer with a device, so it rebuilds
//!   the order at its day before the commit (`Writer::commit`).
//!
//! A file without a day (a schema-2 file just upgraded, one written before its first
//! writable open of a day) has an empty order; the desk builds it on a writable open. A
//! reader whose *today* is not the order's day derives the order from the summaries.

use super::facts::{DAY_FACTS, DAY_FACTS_COLUMN};
use super::order::Pending;
use super::{db_err, decode_summary, Error, Reader, Writer, META, SUMMARIES};
use crate::domain::date::Date;
use crate::domain::derive::Catalog;
use crate::domain::progress::{Progress, Quiet};
use crate::domain::summary::{DayFacts, Summary};
use redb::{ReadableTable, TableDefinition};

pub(super) const ORDER_ATTENTION: TableDefinition<(u64, &str, u64), ()> =
    TableDefinition::new("order_attention");
pub(super) const ATTENTION_DUE: TableDefinition<(i32, u64), ()> =
    TableDefinition::new("attention_due");
const DAY_KEY: &str = "attention.day";

/// What keys a summary in the attention order: the order's day and the catalogue whose
/// firmware decides which devices need an update.
pub(super) struct Basis {
    pub(super) day: Date,
    pub(super) catalog: Catalog,
}

/// A summary's attention entries: (weight, next change day, day facts).
pub(super) type Keys = (u64, Option<i32>, DayFacts);

impl Basis {
    pub(super) fn keys(&self, s: &Summary) -> Keys {
        (
            s.attention_weight(self.day, &self.catalog),
            s.next_attention_change(self.day),
            DayFacts::of(s, self.day, &self.catalog),
        )
    }
}

fn read_day(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<Option<Date>, Error> {
    Ok(meta
        .get(DAY_KEY)
        .map_err(db_err)?
        .and_then(|v| v.value().try_into().ok().map(i32::from_le_bytes))
        .and_then(Date::from_days))
}

impl Reader {
    /// The day the attention order is kept for; `None` when the file has none.
    pub fn attention_day(&self) -> Result<Option<Date>, Error> {
        if super::optional(&self.tx, ORDER_ATTENTION)?.is_none() {
            return Ok(None);
        }
        read_day(&self.tx.open_table(META).map_err(db_err)?)
    }
}

/// The customers whose weight may change on or before `day`.
fn due_by(due: &impl ReadableTable<(i32, u64), ()>, day: Date) -> Result<Vec<u64>, Error> {
    let rows = due.range(..=(day.days(), u64::MAX)).map_err(db_err)?;
    rows.map(|r| r.map(|(k, _)| k.value().1))
        .collect::<Result<_, _>>()
        .map_err(db_err)
}

/// An attention entry: (weight, folded company, id).
pub(super) type Entry = (u64, String, u64);

impl Reader {
    /// The ids of the attention order for `today`, in the asked direction, from the
    /// stored entries (`stored`, in that direction) of an order for an earlier day: the
    /// customers due since are taken out and merged back in with their weight on `today`,
    /// so a reader that cannot move the order forward still reads only what it shows plus
    /// the customers due. With `needs_attention`, `stored` holds only weights
    /// above (or at) zero, and so do the merged customers.
    pub(super) fn attention_on<'a>(
        &self,
        today: Date,
        descending: bool,
        stored: Box<dyn Iterator<Item = Result<Entry, Error>> + 'a>,
        needs_attention: Option<bool>,
    ) -> Result<Box<dyn Iterator<Item = Result<u64, Error>> + 'a>, Error> {
        let due = due_by(&self.tx.open_table(ATTENTION_DUE).map_err(db_err)?, today)?;
        let catalog = super::Read::catalog(self)?;
        let mut fresh: Vec<Entry> = Vec::with_capacity(due.len());
        self.summaries_of(&due, &mut |id, s| {
            if let Ok(s) = s {
                fresh.push((s.attention_weight(today, &catalog), s.company_key, id));
            }
        })?;
        fresh.retain(|e| needs_attention.is_none_or(|needs| (e.0 > 0) == needs));
        fresh.sort_unstable();
        if descending {
            fresh.reverse();
        }
        let moved: std::collections::HashSet<u64> = due.into_iter().collect();
        let stored = stored.filter(move |e| e.as_ref().map_or(true, |e| !moved.contains(&e.2)));
        Ok(Box::new(Merge {
            stored: stored.peekable(),
            fresh: fresh.into_iter().peekable(),
            descending,
        }))
    }

    /// Every customer's day facts on `today`, indexed by id (absent ids hold
    /// `DayFacts::default()`), from the column kept for the attention order's day: on a later
    /// day the customers due since get theirs derived anew from their summaries, as
    /// `attention_on` does for the order. `None` when the order is for a later day or the
    /// file has no column (an older file opened read-only): the caller scans.
    pub fn day_facts(&self, today: Date) -> Result<Option<Vec<DayFacts>>, Error> {
        let Some(day) = self.attention_day()?.filter(|&day| day <= today) else {
            return Ok(None);
        };
        let Some(cells) = DAY_FACTS_COLUMN.read(self)? else {
            return Ok(None);
        };
        let mut all: Vec<DayFacts> = cells.into_iter().map(|c| DayFacts(c as u8)).collect();
        if day < today {
            let mut due = due_by(&self.tx.open_table(ATTENTION_DUE).map_err(db_err)?, today)?;
            due.sort_unstable();
            let catalog = super::Read::catalog(self)?;
            self.summaries_of(&due, &mut |id, s| {
                let fresh = s.map_or_else(
                    |_| DayFacts::default(),
                    |s| DayFacts::of(&s, today, &catalog),
                );
                if let Some(cell) = usize::try_from(id).ok().and_then(|i| all.get_mut(i)) {
                    *cell = fresh;
                }
            })?;
        }
        Ok(Some(all))
    }

    /// How the attention order differs from one built afresh at its day (empty when they
    /// agree, or when the file keeps none): for tests, like `index_mismatches`.
    pub(super) fn attention_mismatches(&self) -> Result<Vec<String>, Error> {
        let Some(day) = self.attention_day()? else {
            return Ok(Vec::new());
        };
        let basis = Basis {
            day,
            catalog: super::Read::catalog(self)?,
        };
        let (mut want, mut have) = (Batch::default(), Batch::default());
        {
            let t = self.tx.open_table(SUMMARIES).map_err(db_err)?;
            for row in t.iter().map_err(db_err)? {
                let (_, v) = row.map_err(db_err)?;
                if let Ok(s) = decode_summary(v.value()) {
                    want.push(&s, basis.keys(&s));
                }
            }
        }
        want.order.sort_unstable();
        want.due.sort_unstable();
        let cells = DAY_FACTS_COLUMN.read(self)?.unwrap_or_default();
        have.day = (0u64..)
            .zip(cells)
            .filter(|&(_, c)| c != 0)
            .map(|(id, c)| (id, DayFacts(c as u8)))
            .collect();
        for row in self
            .tx
            .open_table(ORDER_ATTENTION)
            .map_err(db_err)?
            .iter()
            .map_err(db_err)?
        {
            let (k, _) = row.map_err(db_err)?;
            let (weight, company, id) = k.value();
            have.order.push((weight, company.to_string(), id));
        }
        for row in self
            .tx
            .open_table(ATTENTION_DUE)
            .map_err(db_err)?
            .iter()
            .map_err(db_err)?
        {
            have.due.push(row.map_err(db_err)?.0.value());
        }
        let mut out = Vec::new();
        if want.order != have.order {
            out.push("order_attention differs from a rebuild".to_string());
        }
        if want.due != have.due {
            out.push("attention_due differs from a rebuild".to_string());
        }
        if want.day != have.day {
            out.push("customer_day_facts differs from a rebuild".to_string());
        }
        Ok(out)
    }
}

impl Writer {
    /// The basis attention entries are written on in this transaction, read once; `None`
    /// while the file has no attention order.
    pub(super) fn with_basis<T>(&self, f: impl FnOnce(Option<&Basis>) -> T) -> Result<T, Error> {
        let mut cell = self.attention.borrow_mut();
        if cell.is_none() {
            let day = read_day(&self.tx.open_table(META).map_err(db_err)?)?;
            let basis = match day {
                Some(day) => Some(Basis {
                    day,
                    catalog: super::Read::catalog(self)?,
                }),
                None => None,
            };
            *cell = Some(basis);
        }
        Ok(f(cell.as_ref().and_then(Option::as_ref)))
    }

    /// Removes a customer's attention entries, keyed as `old` was written.
    pub(super) fn unindex_attention(&self, old: &Summary) -> Result<(), Error> {
        let Some((weight, due, _)) = self.with_basis(|b| b.map(|b| b.keys(old)))? else {
            return Ok(());
        };
        self.tx
            .open_table(ORDER_ATTENTION)
            .map_err(db_err)?
            .remove((weight, old.company_key.as_str(), old.id))
            .map_err(db_err)?;
        if let Some(day) = due {
            self.tx
                .open_table(ATTENTION_DUE)
                .map_err(db_err)?
                .remove((day, old.id))
                .map_err(db_err)?;
        }
        self.put_day_facts(std::iter::once((old.id, DayFacts::default())))
    }

    /// Removes every attention entry of `id`, whose summary cannot be read.
    pub(super) fn purge_attention(&self, id: u64) -> Result<(), Error> {
        self.tx
            .open_table(ORDER_ATTENTION)
            .map_err(db_err)?
            .retain(|k, _| k.2 != id)
            .map_err(db_err)?;
        self.tx
            .open_table(ATTENTION_DUE)
            .map_err(db_err)?
            .retain(|k, _| k.1 != id)
            .map_err(db_err)?;
        self.put_day_facts(std::iter::once((id, DayFacts::default())))
    }

    /// Builds the attention order afresh for `day` from the stored summaries; a summary
    /// that cannot be read gets no entries (`check` names it).
    pub fn build_attention(&self, day: Date) -> Result<(), Error> {
        self.build_attention_reporting(day, &Quiet)
    }

    /// [`Writer::build_attention`], reporting summaries read of all summaries to `progress`.
    fn build_attention_reporting(&self, day: Date, progress: &dyn Progress) -> Result<(), Error> {
        self.settle()?;
        self.flush_indexes()?;
        self.clear_attention()?;
        self.set_attention_day(day)?;
        let mut batch = Batch::default();
        let ticker = self.with_basis(|basis| {
            let basis = basis.expect("the day was just set");
            self.walk_summaries(progress, |s| {
                batch.push(&s, basis.keys(&s));
                if batch.order.len() >= Pending::CHUNK {
                    batch.write(self)?;
                }
                Ok(())
            })
        })??;
        batch.finish(self)?;
        ticker.finish();
        Ok(())
    }

    /// Builds the attention order (and the day facts with it) again at its day, if the
    /// file keeps one: a schema-3 file's first writable open.
    pub(super) fn rebuild_attention(&self, progress: &dyn Progress) -> Result<(), Error> {
        match self.with_basis(|b| b.map(|b| b.day))? {
            Some(day) => self.build_attention_reporting(day, progress),
            None => Ok(()),
        }
    }

    /// Moves the attention order forward to `day`, re-keying the customers whose weight may
    /// have changed since its day: those due on or before `day`. An earlier `day` is left
    /// alone (the order is derived from the summaries for it).
    pub fn roll_attention(&self, day: Date) -> Result<(), Error> {
        self.settle()?;
        self.flush_indexes()?;
        let Some(from) = self.with_basis(|b| b.map(|b| b.day))? else {
            return self.build_attention(day);
        };
        if day <= from {
            return Ok(());
        }
        let due = due_by(&self.tx.open_table(ATTENTION_DUE).map_err(db_err)?, day)?;
        let mut moved = Vec::with_capacity(due.len());
        for id in due {
            match self.stored_summary(id)? {
                Some(Ok(s)) => {
                    self.unindex_attention(&s)?;
                    moved.push(s);
                }
                _ => self.purge_attention(id)?,
            }
        }
        self.set_attention_day(day)?;
        let mut batch = Batch::default();
        self.with_basis(|basis| {
            let basis = basis.expect("the day was just set");
            for s in &moved {
                batch.push(s, basis.keys(s));
            }
        })?;
        batch.finish(self)
    }

    fn clear_attention(&self) -> Result<(), Error> {
        self.tx.delete_table(ORDER_ATTENTION).map_err(db_err)?;
        self.tx.delete_table(ATTENTION_DUE).map_err(db_err)?;
        self.tx.delete_table(DAY_FACTS).map_err(db_err)?;
        self.tx.open_table(ORDER_ATTENTION).map_err(db_err)?;
        self.tx.open_table(ATTENTION_DUE).map_err(db_err)?;
        self.tx.open_table(DAY_FACTS).map_err(db_err)?;
        Ok(())
    }

    /// Stores the order's day and drops the basis read for the old one.
    fn set_attention_day(&self, day: Date) -> Result<(), Error> {
        self.tx
            .open_table(META)
            .map_err(db_err)?
            .insert(DAY_KEY, day.days().to_le_bytes().as_slice())
            .map_err(db_err)?;
        *self.attention.borrow_mut() = None;
        Ok(())
    }

    /// The firmware catalogue changed: every entry may be stale. Entries stop being written
    /// now, and the order is built again at its day before the commit. Without customers no
    /// entry can be stale: the basis is only read again, with the new catalogue (so `demo`,
    /// which adds firmware first, writes the order as it goes instead of building it twice).
    pub(super) fn firmware_changed(&self) -> Result<(), Error> {
        let Some(day) = self.with_basis(|b| b.map(|b| b.day))? else {
            return Ok(());
        };
        if super::Read::customer_count(self)? == 0 {
            *self.attention.borrow_mut() = None;
            return Ok(());
        }
        self.flush_indexes()?;
        self.clear_attention()?;
        self.tx
            .open_table(META)
            .map_err(db_err)?
            .remove(DAY_KEY)
            .map_err(db_err)?;
        *self.attention.borrow_mut() = Some(None);
        self.rebuild_attention.set(Some(day));
        Ok(())
    }
}

/// Attention entries of a build or a roll, written out in key order per chunk.
#[derive(Default)]
struct Batch {
    order: Vec<(u64, String, u64)>,
    due: Vec<(i32, u64)>,
    day: Vec<(u64, DayFacts)>,
}

impl Batch {
    fn push(&mut self, s: &Summary, (weight, due, day): Keys) {
        self.order.push((weight, s.company_key.clone(), s.id));
        self.day.push((s.id, day));
        if let Some(day) = due {
            self.due.push((day, s.id));
        }
    }

    /// Hands the entries on: the order's to be sorted (`Writer::sort_into`), the day facts
    /// into their column.
    fn write(&mut self, w: &Writer) -> Result<(), Error> {
        let order = self
            .order
            .iter()
            .map(|(weight, company, id)| ((*weight, company.as_str(), *id), ()));
        w.sort_into(ORDER_ATTENTION, order)?;
        w.sort_into(ATTENTION_DUE, self.due.iter().map(|&key| (key, ())))?;
        self.order.clear();
        self.due.clear();
        self.day.sort_unstable_by_key(|&(id, _)| id);
        w.put_day_facts(self.day.drain(..))
    }

    /// Writes what is left and inserts the order's entries, in key order.
    fn finish(mut self, w: &Writer) -> Result<(), Error> {
        self.write(w)?;
        w.merge_sorted(ORDER_ATTENTION)?;
        w.merge_sorted(ATTENTION_DUE)
    }
}

/// Two attention streams, each in the asked direction, merged into one.
struct Merge<S: Iterator<Item = Result<Entry, Error>>> {
    stored: std::iter::Peekable<S>,
    fresh: std::iter::Peekable<std::vec::IntoIter<Entry>>,
    descending: bool,
}

impl<S: Iterator<Item = Result<Entry, Error>>> Iterator for Merge<S> {
    type Item = Result<u64, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let fresh_first = match (self.stored.peek(), self.fresh.peek()) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(Err(_)), Some(_)) => false,
            (Some(Ok(s)), Some(f)) => (f < s) != self.descending,
        };
        if fresh_first {
            self.fresh.next().map(|e| Ok(e.2))
        } else {
            self.stored.next().map(|e| e.map(|e| e.2))
        }
    }
}
