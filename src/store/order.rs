//! The list's sort indexes (since schema 2), kept in step with the summaries in the same
//! write transaction — with the search and facts columns and the attention order, whose
//! entries are written from here too — so a page of the list is a range read and a write
//! touches only the entries of the customers it changes.
//!
//! Every sort index holds one entry per customer whose summary could be read when it was
//! written, keyed by the sort key, then the folded company, then the id — the order
//! `Summary::compare` gives, ties included — with no value. Descending is the same range
//! read backwards. Customers without a next expiry sort last in either direction, so that
//! index starts with a flag (0: has one, 1: has none) and is read in two parts.
//!
//! The orders by company and by account name need no index of their own (since schema 6):
//! both names are unique once folded, so the uniqueness tables (`customers_by_company`,
//! `customers_by_account_name`: folded name → id) already hold every customer in that
//! order, ties impossible.
//!
//! Only facts are indexed here. The attention order and the day facts column depend on
//! *today*; they are kept for one day at a time and moved forward by the customers whose
//! weight or verdicts change (`attention.rs`). On any other day the filters that depend on
//! *today* (licence status, attention, category) are judged at read time from the
//! summaries' facts (expiry dates, units, notice days, open events).

use super::attention::{Keys, ATTENTION_DUE, ORDER_ATTENTION};
use super::{db_err, decode_summary, Error, Reader, Writer, BY_ACCOUNT, BY_COMPANY, SUMMARIES};
use crate::domain::date::{Date, Month};
use crate::domain::derive::OpenEvents;
use crate::domain::filter::{Sort, SortKey};
use crate::domain::progress::Progress;
use crate::domain::summary::{Facts, Summary};
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};
use std::ops::Range;

/// The orders by company and by account name up to schema 5, which the uniqueness tables
/// give as they are: deleted on a file's first writable open under schema 6.
pub(super) const RETIRED_ORDER_COMPANY: TableDefinition<(&str, u64), ()> =
    TableDefinition::new("order_company");
pub(super) const RETIRED_ORDER_ACCOUNT: TableDefinition<(&str, &str, u64), ()> =
    TableDefinition::new("order_account_name");
/// (0 with a next expiry / 1 without, the expiry's day number, company, id).
pub(super) const ORDER_EXPIRY: TableDefinition<(u8, i32, &str, u64), ()> =
    TableDefinition::new("order_next_expiry");
pub(super) const ORDER_LAST_TRANSACTION: TableDefinition<(i64, &str, u64), ()> =
    TableDefinition::new("order_last_transaction");
/// (month number, id) for each month in which a customer holds a licence that expires
/// (schema 5): the customers an expiry-month filter (`expires`) looks at. Facts only — the
/// filter's "not expired yet" is judged at read time from those customers' summaries.
pub(super) const EXPIRY_MONTHS: TableDefinition<(i32, u64), ()> =
    TableDefinition::new("expiry_months");

/// A summary's keys in [`EXPIRY_MONTHS`]: (month number, id) for each month in which one of
/// its licences expires, each once.
fn expiry_months(s: &Summary) -> Vec<(i32, u64)> {
    let mut keys: Vec<(i32, u64)> = s
        .licenses
        .iter()
        .map(|l| (Month::of(l.expiry).number(), s.id))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The entries one summary has in the indexes, removed at once.
fn remove(w: &Writer, s: &Summary) -> Result<(), Error> {
    let (id, company) = (s.id, s.company_key.as_str());
    let expiry = expiry_key(s);
    macro_rules! entry {
        ($def:expr, $key:expr) => {
            w.tx.open_table($def)
                .map_err(db_err)?
                .remove($key)
                .map_err(db_err)?
        };
    }
    entry!(ORDER_EXPIRY, (expiry.0, expiry.1, company, id));
    entry!(ORDER_LAST_TRANSACTION, (s.last_transaction.0, company, id));
    for key in expiry_months(s) {
        entry!(EXPIRY_MONTHS, key);
    }
    w.remove_search(id)?;
    w.clear_columns(id)?;
    w.unindex_attention(s)
}

/// (0 with a next expiry / 1 without, the expiry's day number).
fn expiry_key(s: &Summary) -> (u8, i32) {
    match s.next_expiry() {
        Some(d) => (0, d.days()),
        None => (1, 0),
    }
}

/// Index entries of summaries written in this transaction but not yet inserted: a bulk load
/// collects them and inserts each index's entries in key order, each table opened once,
/// which keeps the B-tree's pages in cache and full instead of touching a random leaf of five
/// tables per customer. The texts live in one buffer, so an entry costs no allocation.
///
/// Memory is proportional to [`Pending::CHUNK`] entries, each its company and search text
/// (a few hundred bytes; some 20–40 MiB in all), never to the size of the load: a full
/// buffer is written out and reused.
#[derive(Default)]
pub(super) struct Pending {
    text: String,
    entries: Vec<Entry>,
    /// (month number, id) of the entries' expiry months.
    months: Vec<(i32, u64)>,
}

struct Entry {
    id: u64,
    company: Range<usize>,
    haystack: Range<usize>,
    expiry: (u8, i32),
    last: i64,
    /// Its attention entries, when the file keeps an attention order.
    attention: Option<Keys>,
    facts: Facts,
    open: OpenEvents,
}

impl Pending {
    /// A debug build flushes far more often, so tests of a few thousand customers cross it.
    pub(super) const CHUNK: usize = if cfg!(debug_assertions) {
        1_000
    } else {
        65_536
    };

    fn push(&mut self, s: &Summary, attention: Option<Keys>) {
        let mut put = |t: &str| {
            let start = self.text.len();
            self.text.push_str(t);
            start..self.text.len()
        };
        let company = put(&s.company_key);
        let haystack = put(&s.haystack);
        self.months.extend(expiry_months(s));
        self.entries.push(Entry {
            id: s.id,
            company,
            haystack,
            expiry: expiry_key(s),
            last: s.last_transaction.0,
            attention,
            facts: Facts::of(s),
            open: s.open,
        });
    }
}

impl Writer {
    /// Puts every collected index entry in its table: the sort and attention indexes in key
    /// order (`sorted.rs`), the columns by id.
    pub(super) fn flush_indexes(&self) -> Result<(), Error> {
        self.stage_indexes()?;
        self.merge_sorted(ORDER_EXPIRY)?;
        self.merge_sorted(ORDER_LAST_TRANSACTION)?;
        self.merge_sorted(EXPIRY_MONTHS)?;
        self.merge_sorted(ORDER_ATTENTION)?;
        self.merge_sorted(ATTENTION_DUE)
    }

    /// Moves the collected entries on: the sort and attention index entries to be sorted
    /// (`Writer::sort_into`), the search, facts and day-facts entries into their columns.
    fn stage_indexes(&self) -> Result<(), Error> {
        let Pending {
            mut text,
            mut entries,
            mut months,
        } = std::mem::take(&mut *self.pending.borrow_mut());
        if entries.is_empty() {
            return Ok(());
        }
        {
            let t = |r: &Range<usize>| &text[r.clone()];
            let all = || entries.iter();
            self.sort_into(
                ORDER_EXPIRY,
                all().map(|e| ((e.expiry.0, e.expiry.1, t(&e.company), e.id), ())),
            )?;
            self.sort_into(
                ORDER_LAST_TRANSACTION,
                all().map(|e| ((e.last, t(&e.company), e.id), ())),
            )?;
            self.sort_into(EXPIRY_MONTHS, months.iter().map(|&key| (key, ())))?;
            fn weighed(e: &Entry) -> Option<(Keys, &Entry)> {
                e.attention.map(|keys| (keys, e))
            }
            self.sort_into(
                ORDER_ATTENTION,
                all()
                    .filter_map(weighed)
                    .map(|((weight, ..), e)| ((weight, t(&e.company), e.id), ())),
            )?;
            self.sort_into(
                ATTENTION_DUE,
                all()
                    .filter_map(weighed)
                    .filter_map(|((_, due, _), e)| due.map(|day| ((day, e.id), ()))),
            )?;
            entries.sort_unstable_by_key(|e| e.id);
            self.put_search(entries.iter().map(|e| (e.id, t(&e.haystack).as_bytes())))?;
            self.put_facts(entries.iter().map(|e| (e.id, e.facts)))?;
            self.put_open(entries.iter().map(|e| (e.id, e.open)))?;
            if entries.iter().any(|e| e.attention.is_some()) {
                let day = |e: &Entry| e.attention.map(|(.., day)| (e.id, day));
                self.put_day_facts(entries.iter().filter_map(day))?;
            }
        }
        text.clear();
        entries.clear();
        months.clear();
        *self.pending.borrow_mut() = Pending {
            text,
            entries,
            months,
        };
        Ok(())
    }
}

impl Writer {
    /// Removes a customer's index entries, found through its stored summary; if that cannot
    /// be read, by walking the indexes for its id.
    pub(super) fn unindex(&self, id: u64) -> Result<(), Error> {
        let old = self.stored_summary(id)?;
        self.drop_entries(id, old)
    }

    /// The summary stored for `id` in this transaction; an unreadable one is the inner error.
    pub(super) fn stored_summary(&self, id: u64) -> Result<Option<Result<Summary, Error>>, Error> {
        self.settle()?;
        let t = self.tx.open_table(SUMMARIES).map_err(db_err)?;
        let v = t.get(id).map_err(db_err)?;
        Ok(v.map(|v| decode_summary(v.value())))
    }

    /// Removes the entries of customer `id`, whose stored summary was `old` (none, or one
    /// that cannot be read).
    pub(super) fn drop_entries(
        &self,
        id: u64,
        old: Option<Result<Summary, Error>>,
    ) -> Result<(), Error> {
        if old.is_some() {
            // Its entries may still be waiting to be inserted.
            self.flush_indexes()?;
        }
        match old {
            None => Ok(()),
            Some(Ok(old)) => remove(self, &old),
            Some(Err(_)) => {
                macro_rules! purge {
                    ($def:expr, $id:expr) => {
                        self.tx
                            .open_table($def)
                            .map_err(db_err)?
                            .retain($id)
                            .map_err(db_err)?
                    };
                }
                purge!(ORDER_EXPIRY, |k, _| k.3 != id);
                purge!(ORDER_LAST_TRANSACTION, |k, _| k.2 != id);
                purge!(EXPIRY_MONTHS, |k, _| k.1 != id);
                self.remove_search(id)?;
                self.clear_columns(id)?;
                self.purge_attention(id)
            }
        }
    }

    /// Adds a summary's index entries (its old ones are gone already): collected, and
    /// inserted in key order when enough are waiting or before the commit.
    pub(super) fn index(&self, s: &Summary) -> Result<(), Error> {
        let attention = self.with_basis(|b| b.map(|b| b.keys(s)))?;
        let full = {
            let mut p = self.pending.borrow_mut();
            p.push(s, attention);
            p.entries.len() >= Pending::CHUNK
        };
        if full {
            self.stage_indexes()?;
        }
        Ok(())
    }

    /// Builds the indexes from the stored summaries: a schema-1 file's first writable open
    /// under this release. A summary that cannot be read gets no entries (`check` names it).
    /// `progress` hears customers indexed of all customers.
    pub(super) fn build_indexes(&self, progress: &dyn Progress) -> Result<(), Error> {
        let ticker = self.walk_summaries(progress, |s| self.index(&s))?;
        self.flush_indexes()?;
        ticker.finish();
        Ok(())
    }
}

impl Writer {
    /// Builds the expiry-month index from the stored summaries: the first writable open of
    /// a schema 2–4 file (a schema-1 file gets it with the other indexes). A summary that
    /// cannot be read gets no entries (`check` names it).
    pub(super) fn build_expiry_months(&self, progress: &dyn Progress) -> Result<(), Error> {
        let ticker = self.walk_summaries(progress, |s| {
            self.sort_into(
                EXPIRY_MONTHS,
                expiry_months(&s).into_iter().map(|k| (k, ())),
            )
        })?;
        self.merge_sorted(EXPIRY_MONTHS)?;
        ticker.finish();
        Ok(())
    }
}

impl Reader {
    /// The customers holding a licence that expires in `month`, in id order; `None` when
    /// the file has no expiry-month index (before schema 5, opened read-only).
    pub fn expiring_in(&self, month: Month) -> Result<Option<Vec<u64>>, Error> {
        let Some(t) = super::optional(&self.tx, EXPIRY_MONTHS)? else {
            return Ok(None);
        };
        let m = month.number();
        let mut ids = Vec::new();
        for row in t.range((m, 0)..=(m, u64::MAX)).map_err(db_err)? {
            ids.push(row.map_err(db_err)?.0.value().1);
        }
        Ok(Some(ids))
    }

    /// Whether the file has the sort indexes (schema 2 on); a version-1 file opened read-only
    /// has not, and its list is computed from the summaries.
    pub fn has_indexes(&self) -> Result<bool, Error> {
        Ok(super::optional(&self.tx, ORDER_LAST_TRANSACTION)?.is_some())
    }

    /// How many customers the indexes hold, and the ids of the page `offset..offset+limit`
    /// in the given order among those `keep` accepts: a range read of one index, walking
    /// past the ids `keep` refuses. The attention order is for `today`; the caller checks
    /// that the stored one is not for a later day (`attention_day`). In that order,
    /// `needs_attention` keeps only customers with (or without) a reason: the range of
    /// weights above (or at) zero, walked whole, so the count is of those `keep` accepts —
    /// unless `counted` (the caller counts them from the columns): then the walk stops at
    /// the page's end and the count is 0.
    pub fn ordered_ids(
        &self,
        sort: Sort,
        today: Date,
        (offset, limit): (usize, usize),
        keep: &dyn Fn(u64) -> bool,
        (needs_attention, counted): (Option<bool>, bool),
    ) -> Result<(usize, Vec<u64>), Error> {
        type Ids<'a> = Box<dyn Iterator<Item = Result<u64, Error>> + 'a>;
        macro_rules! ids {
            ($t:expr, $rows:ident($($range:tt)*), $id:expr) => {{
                let rows = $t.$rows($($range)*).map_err(db_err)?;
                let rows = rows.map(|row| row.map(|(k, v)| $id(k.value(), v.value())).map_err(db_err));
                let ids: Box<dyn Iterator<Item = Result<_, Error>>> = if sort.descending {
                    Box::new(rows.rev())
                } else {
                    Box::new(rows)
                };
                ids
            }};
        }
        let collect = |ids: Ids| -> Result<Vec<u64>, Error> {
            let kept = ids.filter(|id| id.as_ref().map_or(true, |&id| keep(id)));
            kept.skip(offset).take(limit).collect()
        };
        macro_rules! page {
            ($def:expr, $id:expr) => {{
                let t = self.tx.open_table($def).map_err(db_err)?;
                let total = t.len().map_err(db_err)? as usize;
                (total, collect(ids!(t, iter(), $id))?)
            }};
        }
        Ok(match sort.key {
            // Folded name → id: unique names, so the table's order is the list's.
            SortKey::Company => page!(BY_COMPANY, |_, id: u64| id),
            SortKey::AccountName => page!(BY_ACCOUNT, |_, id: u64| id),
            SortKey::LastTransaction => {
                page!(ORDER_LAST_TRANSACTION, |k: (i64, &str, u64), _| k.2)
            }
            SortKey::Attention => {
                let t = self.tx.open_table(ORDER_ATTENTION).map_err(db_err)?;
                let first_weighed = (1u64, "", 0u64);
                macro_rules! weighed {
                    ($key:expr) => {
                        match needs_attention {
                            None => ids!(t, iter(), $key),
                            Some(true) => ids!(t, range(first_weighed..), $key),
                            Some(false) => ids!(t, range(..first_weighed), $key),
                        }
                    };
                }
                // The stored order as it is when it is for `today`; else merged with the
                // customers due since, which needs each entry's whole key.
                let ids: Ids = if self.attention_day()?.is_none_or(|day| day >= today) {
                    weighed!(|k: (u64, &str, u64), _| k.2)
                } else {
                    let stored = weighed!(|k: (u64, &str, u64), _| (k.0, k.1.to_string(), k.2));
                    self.attention_on(today, sort.descending, stored, needs_attention)?
                };
                if needs_attention.is_none() {
                    let total = t.len().map_err(db_err)? as usize;
                    (total, collect(ids)?)
                } else if counted {
                    (0, collect(ids)?)
                } else {
                    let mut total = 0;
                    let mut page = Vec::with_capacity(limit.min(1000));
                    for id in ids {
                        let id = id?;
                        if keep(id) {
                            if total >= offset && page.len() < limit {
                                page.push(id);
                            }
                            total += 1;
                        }
                    }
                    (total, page)
                }
            }
            SortKey::NextExpiry => {
                // Those with a next expiry, in the asked direction, then those without.
                let t = self.tx.open_table(ORDER_EXPIRY).map_err(db_err)?;
                let id = |k: (u8, i32, &str, u64), _| k.3;
                let split = (1u8, i32::MIN, "", 0u64);
                let dated = ids!(t, range(..split), id);
                let undated = ids!(t, range(split..), id);
                let total = t.len().map_err(db_err)? as usize;
                (total, collect(Box::new(dated.chain(undated)))?)
            }
        })
    }

    /// Calls `f` with the summary of each of `ids` that exists (an unreadable one as the
    /// inner error), the table opened once.
    pub fn summaries_of(
        &self,
        ids: &[u64],
        f: &mut dyn FnMut(u64, Result<Summary, Error>),
    ) -> Result<(), Error> {
        let t = self.tx.open_table(SUMMARIES).map_err(db_err)?;
        for &id in ids {
            if let Some(v) = t.get(id).map_err(db_err)? {
                f(id, decode_summary(v.value()));
            }
        }
        Ok(())
    }
}

impl Reader {
    /// How the stored indexes differ from ones built afresh from the summaries, one line per
    /// index that differs; empty when they agree. For tests and `check`-like tools: it reads
    /// every summary.
    #[doc(hidden)]
    pub fn index_mismatches(&self) -> Result<Vec<String>, Error> {
        type Keys = (
            Vec<(String, u64)>,
            Vec<(String, u64)>,
            Vec<(u8, i32, String, u64)>,
            Vec<(i64, String, u64)>,
            Vec<(u64, Vec<u8>)>,
            Vec<(u64, u16)>,
            Vec<(i32, u64)>,
            Vec<(u64, OpenEvents)>,
        );
        let mut want: Keys = Default::default();
        {
            let t = self.tx.open_table(SUMMARIES).map_err(db_err)?;
            for row in t.iter().map_err(db_err)? {
                let (_, v) = row.map_err(db_err)?;
                let Ok(s) = decode_summary(v.value()) else {
                    continue;
                };
                let c = s.company_key.clone();
                let (flag, day) = s.next_expiry().map_or((1, 0), |d| (0, d.days()));
                want.0.push((c.clone(), s.id));
                want.1.push((s.account_key.clone(), s.id));
                want.2.push((flag, day, c.clone(), s.id));
                want.3.push((s.last_transaction.0, c, s.id));
                want.5.push((s.id, Facts::of(&s).0));
                want.6.extend(expiry_months(&s));
                if s.open != OpenEvents::default() {
                    want.7.push((s.id, s.open));
                }
                want.4.push((s.id, s.haystack.into_bytes()));
            }
        }
        want.0.sort();
        want.1.sort();
        want.2.sort();
        want.3.sort();
        want.6.sort();
        let mut have: Keys = Default::default();
        macro_rules! read {
            ($def:expr, $into:expr, $own:expr) => {
                for row in self
                    .tx
                    .open_table($def)
                    .map_err(db_err)?
                    .iter()
                    .map_err(db_err)?
                {
                    let (k, v) = row.map_err(db_err)?;
                    $into.push($own(k.value(), v.value()));
                }
            };
        }
        read!(BY_COMPANY, have.0, |k: &str, id| (k.to_string(), id));
        read!(BY_ACCOUNT, have.1, |k: &str, id| (k.to_string(), id));
        read!(ORDER_EXPIRY, have.2, |k: (u8, i32, &str, u64), _| (
            k.0,
            k.1,
            k.2.to_string(),
            k.3
        ));
        read!(ORDER_LAST_TRANSACTION, have.3, |k: (i64, &str, u64), _| (
            k.0,
            k.1.to_string(),
            k.2
        ));
        if super::optional(&self.tx, EXPIRY_MONTHS)?.is_some() {
            read!(EXPIRY_MONTHS, have.6, |k: (i32, u64), _| k);
        }
        have.4 = self.search_texts()?;
        let facts = self.facts()?.unwrap_or_default();
        have.5 = (0u64..)
            .zip(facts)
            .filter(|(_, f)| f.0 != 0)
            .map(|(id, f)| (id, f.0))
            .collect();
        have.7 = self.open_cells()?;
        let mut out = Vec::new();
        let mut differ = |name: &str, same: bool| {
            if !same {
                out.push(format!("{name} differs from a rebuild"));
            }
        };
        differ("customers_by_company", want.0 == have.0);
        differ("customers_by_account_name", want.1 == have.1);
        differ("order_next_expiry", want.2 == have.2);
        differ("order_last_transaction", want.3 == have.3);
        differ("customer_search_blocks", want.4 == have.4);
        differ("customer_facts", want.5 == have.5);
        differ("expiry_months", want.6 == have.6);
        differ("customer_open_events", want.7 == have.7);
        out.extend(self.attention_mismatches()?);
        Ok(out)
    }
}
