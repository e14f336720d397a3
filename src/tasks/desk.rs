//! `Desk`: the one entry point every interface calls. Each public method is one task and
//! runs in one transaction; write tasks append to the audit log in that same transaction.

use crate::domain::audit::{AuditCustomer, AuditFilter, AuditMatch};
use crate::domain::changes::change;
use crate::domain::date::{Date, Month, Timestamp};
use crate::domain::derive::Catalog;
use crate::domain::error::{Error, FieldError, Key, Result, Thing};
use crate::domain::filter::{Filter, SortKey};
use crate::domain::model::*;
use crate::domain::runway::{self, Runway};
use crate::domain::summary::{DayFacts, Facts, Query, Summary};
use crate::domain::view::*;
use crate::store::{Access, Read, Reader, Store, Writer};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Who acts and when: every task takes one.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub actor: Actor,
    pub today: Date,
    pub now: Timestamp,
}

pub struct Desk {
    store: Store,
    /// A fixed *today* (from `--today` / `CLIENTELE_TODAY`), or `None` for the local date.
    today: Option<Date>,
    /// Customers as last shown, tagged with the store generation and *today* they were
    /// built for. Kept only by a writable desk: it sees every commit, so the tag is exact.
    /// A commit empties it; nothing else is kept between requests, so nothing is rebuilt.
    cache: Mutex<ShownCache>,
    /// Keyword hits, brought up to date by the customers each commit changed.
    hits: crate::tasks::hits::KeptHits,
}

/// The customer views and pages a writable desk has built since its last commit.
#[derive(Default)]
struct ShownCache {
    generation: u64,
    today: Option<Date>,
    views: std::collections::HashMap<u64, Arc<Shown>>,
    pages: std::collections::HashMap<Filter, Listed>,
    /// The bytes of every page's JSON kept in `pages`.
    json_bytes: usize,
}

/// A page as built for its filter.
struct Listed {
    total: usize,
    /// The ids shown, in order.
    ids: Vec<u64>,
    /// The ids found unreadable.
    unreadable: Vec<u64>,
    /// The whole page as [`Desk::list_json`] writes it, once asked for: answering the same
    /// page again is then one copy.
    json: Option<Arc<[u8]>>,
}

/// A customer view with its JSON, built once per store generation.
struct Shown {
    view: CustomerView,
    json: Box<str>,
}

/// At most this many built customer views are kept per generation (a few MiB).
const VIEW_CACHE_LIMIT: usize = 20_000;
/// At most this many pages are kept per generation.
const PAGE_CACHE_LIMIT: usize = 256;
/// At most this many bytes of pages' JSON are kept per generation (a page of 1,000
/// customers is about 1.3 MB).
const PAGE_JSON_LIMIT: usize = 8 << 20;

/// How a command names a customer: by id or by account name.
pub fn parse_customer_ref(s: &str) -> CustomerRef {
    match s.trim().parse::<u64>() {
        Ok(id) => CustomerRef::Id(id),
        Err(_) => CustomerRef::Account(s.trim().to_string()),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomerRef {
    Id(u64),
    Account(String),
}

/// redb's page cache for a read-only desk (a one-shot CLI command reads a page or two).
const READ_CACHE: usize = 16 << 20;
/// For a writable desk: a server's keyword scans and pages stay in memory at a million
/// customers.
const WRITE_CACHE: usize = 256 << 20;
/// For a bulk load (CLI `import` and `demo`): its writes stream through once, so a larger
/// cache only holds memory (measured: the same speed at 32, 64 and 256 MiB).
const LOAD_CACHE: usize = 32 << 20;

impl Desk {
    pub fn open(path: &Path, access: Access, today: Option<Date>) -> Result<Desk> {
        let cache = match access {
            Access::Read => READ_CACHE,
            Access::Write => WRITE_CACHE,
        };
        Self::open_with(path, access, today, cache)
    }

    /// A writable desk for one bulk load: a smaller page cache.
    pub fn open_for_load(path: &Path, today: Option<Date>) -> Result<Desk> {
        Self::open_with(path, Access::Write, today, LOAD_CACHE)
    }

    fn open_with(path: &Path, access: Access, today: Option<Date>, cache: usize) -> Result<Desk> {
        let desk = Desk {
            store: Store::open(path, access, cache)?,
            today,
            cache: Mutex::new(ShownCache::default()),
            hits: Default::default(),
        };
        // An empty file keeps its attention order from its first customer on (building it
        // costs nothing yet), so a file a bulk load fills never needs a full build.
        if !desk.store.is_read_only() && desk.reader()?.customer_count()? == 0 {
            desk.keep_attention_current()?;
        }
        Ok(desk)
    }

    /// Brings the stored attention order (and the day facts with it) to *today* on a
    /// writable desk, before a page in that order or on licence status, attention or
    /// category (not on open, so `serve` answers at once): built where the file has none
    /// yet, moved forward where it is for an earlier day (re-keying only the customers due
    /// since), left alone where it is for a later one (then the order is derived from the
    /// summaries).
    fn keep_attention_current(&self) -> Result<()> {
        if self.store.is_read_only() {
            return Ok(());
        }
        let today = self.today();
        let r = self.reader()?;
        if !r.has_indexes()? {
            return Ok(());
        }
        match r.attention_day()? {
            Some(day) if day >= today => Ok(()),
            stored => {
                drop(r);
                let w = self.writer()?;
                match stored {
                    None => w.build_attention(today)?,
                    Some(_) => w.roll_attention(today)?,
                }
                w.commit()
            }
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn today(&self) -> Date {
        self.today.unwrap_or_else(Date::local_today)
    }

    pub fn ctx(&self, actor: Actor) -> Ctx {
        Ctx {
            actor,
            today: self.today(),
            now: Timestamp::now(),
        }
    }

    pub(crate) fn reader(&self) -> Result<Reader> {
        self.store.read()
    }

    pub(crate) fn writer(&self) -> Result<Writer> {
        self.store.write()
    }

    pub fn settings(&self) -> Result<Settings> {
        self.reader()?.settings()
    }

    pub fn set_view(&self, ctx: Ctx, view: View) -> Result<Settings> {
        let w = self.writer()?;
        let old = w.settings()?;
        let new = Settings { view };
        if old != new {
            w.save_settings(&new)?;
            audit(
                &w,
                ctx,
                "settings",
                vec![],
                "ok",
                vec![change("view", old.view.code(), view.code())],
                None,
            )?;
            w.commit()?;
        }
        Ok(new)
    }

    /// How many customers a filter keeps under the view setting, the first `best` of them in
    /// the filter's order, and the ids of those whose summary cannot be read. The keyword is
    /// looked up in the search column first (where the file has one), and an expiry month in
    /// its index (schema 5), so only the summaries of customers they find are decoded; any
    /// other filter, and the orders that depend on
    /// *today*, read every summary and judge it at read time. At most about twice `best`
    /// summaries are held at a time.
    fn scan(
        &self,
        (r, generation): (&Reader, u64),
        filter: &Filter,
        today: Date,
        best: usize,
    ) -> Result<(usize, Vec<Summary>, Vec<u64>)> {
        let catalog = r.catalog()?;
        let view = r.settings()?.view;
        let q = Query::new(filter);
        let cmp = |a: &Summary, b: &Summary| a.compare(b, filter, today, &catalog);
        let mut total = 0;
        let mut rows = Vec::new();
        let mut unreadable = Vec::new();
        let mut keep = |s: Summary| {
            if s.visible_in(view) && s.matches(filter, &q, today, &catalog) {
                total += 1;
                rows.push(s);
                if rows.len() >= best.saturating_mul(2).max(1024) {
                    rows.select_nth_unstable_by(best, cmp);
                    rows.truncate(best);
                }
            }
        };
        let hits = match filter.q.as_deref() {
            Some(word) if q.is_some() => self.keyword_hits(r, word, &q, generation)?,
            _ => None,
        };
        let hits = hits.map(|h| h.iter().map(|(id, _)| *id).collect::<Vec<u64>>());
        // An expiry month looks only at the customers with a licence expiring in it; in a
        // month gone by, every such licence has expired.
        let expiring = match filter.expires {
            Some(month) if month < Month::of(today) => Some(Vec::new()),
            Some(month) => r.expiring_in(month)?,
            None => None,
        };
        let found = match (hits, expiring) {
            (Some(hits), Some(expiring)) => Some(both(&hits, &expiring)),
            (hits, expiring) => hits.or(expiring),
        };
        if let Some(found) = found {
            r.summaries_of(&found, &mut |id, s| match s {
                Ok(s) => keep(s),
                Err(_) => unreadable.push(id),
            })?;
        } else {
            r.each_summary(
                &mut |s| {
                    keep(s);
                    Ok(true)
                },
                &mut |id| unreadable.push(id),
            )?;
        }
        if best < rows.len() {
            rows.select_nth_unstable_by(best, cmp);
            rows.truncate(best);
        }
        rows.sort_by(cmp);
        Ok((total, rows, unreadable))
    }

    /// Customers matching the filter under the view setting, sorted and paged, with the total.
    pub fn list(&self, filter: &Filter) -> Result<Page> {
        let (total, shown, unreadable) = self.page(filter)?;
        Ok(Page {
            total,
            offset: filter.offset,
            limit: filter.limit,
            items: shown.iter().map(|s| s.view.clone()).collect(),
            unreadable,
        })
    }

    /// Exactly `serde_json::to_vec(&self.list(filter)?)`, assembled from the JSON kept with
    /// each shown customer (the API's hot path).
    pub fn list_json(&self, filter: &Filter) -> Result<Vec<u8>> {
        // Read before the page is, like in `page`: a commit in between leaves the page
        // tagged older than it is, so it is never kept under the newer generation.
        let (generation, today) = (self.store.generation(), self.today());
        if let Some(json) = self.kept_json(filter, generation, today)? {
            return Ok(json.to_vec());
        }
        let (total, shown, unreadable) = self.page(filter)?;
        let mut out =
            Vec::with_capacity(64 + shown.iter().map(|s| s.json.len() + 1).sum::<usize>());
        out.extend_from_slice(
            format!(
                "{{\"total\":{total},\"offset\":{},\"limit\":{},\"items\":[",
                filter.offset, filter.limit
            )
            .as_bytes(),
        );
        for (i, s) in shown.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(s.json.as_bytes());
        }
        out.push(b']');
        if !unreadable.is_empty() {
            let ids =
                serde_json::to_string(&unreadable).map_err(|e| Error::Internal(e.to_string()))?;
            out.extend_from_slice(format!(",\"unreadable\":{ids}").as_bytes());
        }
        out.push(b'}');
        self.keep_json(filter, generation, today, &out)?;
        Ok(out)
    }

    /// The JSON of a page kept for this generation and *today*.
    fn kept_json(
        &self,
        filter: &Filter,
        generation: u64,
        today: Date,
    ) -> Result<Option<Arc<[u8]>>> {
        if self.store.is_read_only() {
            return Ok(None);
        }
        let cache = self.cache.lock().map_err(poisoned)?;
        if cache.generation != generation || cache.today != Some(today) {
            return Ok(None);
        }
        Ok(cache.pages.get(filter).and_then(|p| p.json.clone()))
    }

    /// Keeps a page's JSON with the page `page` kept, if that is still of this generation
    /// and *today* and the JSON fits.
    fn keep_json(&self, filter: &Filter, generation: u64, today: Date, json: &[u8]) -> Result<()> {
        let mut cache = self.cache.lock().map_err(poisoned)?;
        if cache.generation != generation
            || cache.today != Some(today)
            || cache.json_bytes.saturating_add(json.len()) > PAGE_JSON_LIMIT
        {
            return Ok(());
        }
        if let Some(page) = cache.pages.get_mut(filter) {
            if page.json.is_none() {
                page.json = Some(json.into());
                cache.json_bytes += json.len();
            }
        }
        Ok(())
    }

    /// The page's customers with the total, and the ids of customers that cannot be read
    /// (every unreadable summary, and unreadable records the page would have shown).
    fn page(&self, filter: &Filter) -> Result<(usize, Vec<Arc<Shown>>, Vec<u64>)> {
        let today = self.today();
        // Read before the read transaction begins, so a commit in between can only make
        // the views look older than they are, never newer.
        let generation = self.store.generation();
        if !self.store.is_read_only() {
            // The same page again, with nothing committed since and the same *today*.
            let cache = self.cache.lock().map_err(poisoned)?;
            if cache.generation == generation && cache.today == Some(today) {
                if let Some(page) = cache.pages.get(filter) {
                    let shown: Option<Vec<_>> = page
                        .ids
                        .iter()
                        .map(|id| cache.views.get(id).cloned())
                        .collect();
                    if let Some(shown) = shown {
                        return Ok((page.total, shown, page.unreadable.clone()));
                    }
                }
            }
        }
        // The day facts column is kept with the attention order, for its day.
        let by_day = DayFacts::decide(filter);
        if filter.sort.key == SortKey::Attention || by_day {
            self.keep_attention_current()?;
        }
        let r = self.reader()?;
        let catalog = r.catalog()?;
        let view = r.settings()?.view;
        let plain = filter.is_unfiltered() && view == View::All;
        // Licence status, attention and category judged from the day facts column (kept
        // for the attention order's day; on a later day, read-only, with the customers due
        // since derived anew); for an earlier day, or an older file read-only, a scan.
        let days = if by_day && r.has_indexes()? {
            r.day_facts(today)?
        } else {
            None
        };
        let indexed = (Facts::decide(filter) || attention_by_order(filter) || days.is_some())
            && r.has_indexes()?
            && (filter.sort.key != SortKey::Attention
                || r.attention_day()?.is_some_and(|day| day <= today));
        // A filter on facts (or the view "managed") keeps the ids whose facts pass, counted
        // from the facts column; without one, every id the index holds.
        let facts = if indexed && !plain || keyword_by_company(filter) {
            r.facts()?
        } else {
            None
        };
        let passes = |f: Facts| f.present() && f.visible_in(view) && f.matches(filter);
        let day_passes = |id: u64| {
            days.as_deref()
                .is_none_or(|all| cell(all, id).present() && cell(all, id).matches(filter))
        };
        let chosen = if indexed && (plain || facts.is_some()) {
            let keep = |id: u64| {
                facts.as_deref().is_none_or(|all| passes(cell(all, id))) && day_passes(id)
            };
            // A range read of the order's index.
            let (sort, page) = (filter.sort, (filter.offset, filter.limit));
            // With the attention filter in the attention order and no day facts, the walk
            // of the order's range counts what it keeps; otherwise the columns count it.
            let walked =
                filter.attention.is_some() && sort.key == SortKey::Attention && days.is_none();
            let attention = (filter.attention, !walked);
            let (held, ids) = r.ordered_ids(sort, today, page, &keep, attention)?;
            let total = match &facts {
                Some(all) if !walked => (0u64..)
                    .zip(all)
                    .filter(|&(id, &f)| passes(f) && day_passes(id))
                    .count(),
                _ => held,
            };
            Some((total, ids))
        } else if let (Some(all), true) = (&facts, keyword_by_company(filter)) {
            // The search texts start with the folded company: the page is chosen from the
            // keyword's hits without reading their summaries.
            let q = Query::new(filter);
            let word = filter.q.as_deref().unwrap_or_default();
            self.keyword_hits(&r, word, &q, generation)?.map(|hits| {
                let mut rows: Vec<(&str, u64)> = hits
                    .iter()
                    .filter(|(id, _)| passes(cell(all, *id)))
                    .map(|(id, company)| (&**company, *id))
                    .collect();
                let total = rows.len();
                if filter.sort.descending {
                    rows.sort_unstable_by(|a, b| b.cmp(a));
                } else {
                    rows.sort_unstable();
                }
                let shown = rows.iter().skip(filter.offset).take(filter.limit);
                (total, shown.map(|r| r.1).collect())
            })
        } else {
            None
        };
        let (total, page, mut unreadable) = if let Some((total, ids)) = chosen {
            // The shown customers' summaries.
            let mut page = Vec::with_capacity(ids.len());
            let mut unreadable = Vec::new();
            r.summaries_of(&ids, &mut |id, s| match s {
                Ok(s) => page.push(s),
                Err(_) => unreadable.push(id),
            })?;
            (total, page, unreadable)
        } else {
            let end = filter.offset.saturating_add(filter.limit);
            let (total, mut matches, unreadable) =
                self.scan((&r, generation), filter, today, end)?;
            let start = filter.offset.min(matches.len());
            (total, matches.split_off(start), unreadable)
        };
        let catalog = &catalog;
        let mut items = Vec::with_capacity(page.len());
        // Only a writable desk keeps views: it sees every commit.
        let mut cache = self.cache.lock().map_err(poisoned)?;
        if self.store.is_read_only() || cache.generation != generation || cache.today != Some(today)
        {
            *cache = ShownCache {
                generation,
                today: Some(today),
                ..ShownCache::default()
            };
        }
        let cached = !self.store.is_read_only();
        let views = &mut cache.views;
        for s in page {
            if let Some(shown) = views.get(&s.id) {
                items.push(shown.clone());
                continue;
            }
            let c = match r.try_customer(s.id)? {
                Some(Ok(c)) => c,
                Some(Err(_)) => {
                    unreadable.push(s.id);
                    continue;
                }
                None => continue,
            };
            // Only customers with open events need theirs read, to name them.
            let view = if s.open == Default::default() {
                CustomerView::of(&c, s.open, catalog, today)
            } else {
                // A damaged event hides only its own customer, like a damaged record.
                let Ok(events) = r.events(Some(s.id)) else {
                    unreadable.push(s.id);
                    continue;
                };
                CustomerView::with_events(&c, &events, catalog, today)
            };
            let json = serde_json::to_string(&view).map_err(|e| Error::Internal(e.to_string()))?;
            let shown = Arc::new(Shown {
                view,
                json: json.into(),
            });
            if cached && views.len() < VIEW_CACHE_LIMIT {
                views.insert(s.id, shown.clone());
            }
            items.push(shown);
        }
        unreadable.sort_unstable();
        if cached && cache.pages.len() < PAGE_CACHE_LIMIT {
            let ids = items.iter().map(|s| s.view.id).collect();
            let page = Listed {
                total,
                ids,
                unreadable: unreadable.clone(),
                json: None,
            };
            if let Some(old) = cache.pages.insert(filter.clone(), page) {
                cache.json_bytes -= old.json.map_or(0, |j| j.len());
            }
        }
        Ok((total, items, unreadable))
    }

    /// The renewal runway over the customers the view setting shows.
    pub fn runway(&self) -> Result<Runway> {
        let today = self.today();
        let r = self.reader()?;
        let (catalog, view) = (r.catalog()?, r.settings()?.view);
        let mut shown = Vec::new();
        r.each_summary(
            &mut |s| {
                if s.visible_in(view) {
                    shown.push(s);
                }
                Ok(true)
            },
            &mut |_| {},
        )?;
        Ok(runway::runway(shown.iter(), today, &catalog))
    }

    /// The customers whose search text holds `word` (`q` finds it), in id order, from the
    /// kept hits brought up to date where this desk writes; `None` without a search column.
    fn keyword_hits(
        &self,
        r: &Reader,
        word: &str,
        q: &Query,
        generation: u64,
    ) -> Result<Option<Arc<[crate::store::Hit]>>> {
        let folded = crate::domain::summary::fold(word);
        self.hits.find(&self.store, r, &folded, q, generation)
    }

    /// The ids of every customer a filter selects (no paging), in the filter's order.
    pub fn select_ids(&self, filter: &Filter) -> Result<Vec<u64>> {
        let today = self.today();
        // Read before the read transaction begins (see `KeptHits::find`).
        let generation = self.store.generation();
        let r = self.reader()?;
        let (_, matches, _) = self.scan((&r, generation), filter, today, usize::MAX)?;
        Ok(matches.into_iter().map(|s| s.id).collect())
    }

    pub fn resolve(&self, r: &CustomerRef) -> Result<u64> {
        resolve_in(&self.reader()?, r)
    }

    pub fn customer(&self, r: &CustomerRef) -> Result<CustomerView> {
        let rd = self.reader()?;
        let id = resolve_in(&rd, r)?;
        let c = load(&rd, id)?;
        let events = rd.events(Some(id))?;
        Ok(CustomerView::with_events(
            &c,
            &events,
            &rd.catalog()?,
            self.today(),
        ))
    }

    pub fn detail(&self, r: &CustomerRef) -> Result<CustomerDetail> {
        let rd = self.reader()?;
        let id = resolve_in(&rd, r)?;
        let c = load(&rd, id)?;
        let catalog = rd.catalog()?;
        let events = rd.events(Some(id))?;
        Ok(CustomerDetail {
            customer: CustomerView::with_events(&c, &events, &catalog, self.today()),
            devices: c
                .devices
                .iter()
                .map(|d| device_view(id, d, &catalog))
                .collect(),
            events: events.iter().rev().map(EventView::from).collect(),
            policies: PolicyList::ALL
                .iter()
                .map(|l| (l.code(), c.policies.get(l).cloned().unwrap_or_default()))
                .collect(),
            history: rd
                .audit(200, None, &AuditMatch::customer(id))?
                .iter()
                .map(AuditView::from)
                .collect(),
        })
    }

    /// Up to `limit` entries the filter keeps, newest first, older than the entry `before`.
    /// A customer named by account name must exist; one named by id need not (a deleted
    /// customer's entries stay findable by its id).
    pub fn audit_log(
        &self,
        limit: usize,
        before: Option<u64>,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditView>> {
        let rd = self.reader()?;
        let filter = audit_match(&rd, filter)?;
        Ok(rd
            .audit(limit, before, &filter)?
            .iter()
            .map(AuditView::from)
            .collect())
    }

    /// Where the page of `limit` entries newer than the entry `first` starts: `Some(None)` for
    /// the newest entries, `Some(Some(id))` for those before `id`, `None` when nothing the
    /// filter keeps is newer than `first`.
    pub fn audit_newer(
        &self,
        limit: usize,
        first: u64,
        filter: &AuditFilter,
    ) -> Result<Option<Option<u64>>> {
        let rd = self.reader()?;
        let ids = rd.audit_ids_after(limit + 1, first, &audit_match(&rd, filter)?)?;
        Ok(match ids.len() {
            0 => None,
            n if n <= limit => Some(None),
            _ => Some(Some(ids[limit])),
        })
    }

    pub fn count(&self) -> Result<u64> {
        self.reader()?.customer_count()
    }

    /// Writes a consistent copy of the database to a new file.
    pub fn backup(&self, to: &Path) -> Result<u64> {
        self.store.backup(to)
    }

    /// [`Desk::backup`], reporting the rows copied of all rows to `progress`.
    pub fn backup_with(
        &self,
        to: &Path,
        progress: &dyn crate::domain::progress::Progress,
    ) -> Result<u64> {
        self.store.backup_with(to, progress)
    }
}

/// The ids in both ascending lists.
fn both(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                (i, j) = (i + 1, j + 1);
            }
        }
    }
    out
}

/// The cell of `id` in a column read by id (the default past its end).
fn cell<T: Copy + Default>(all: &[T], id: u64) -> T {
    let at = usize::try_from(id).ok();
    at.and_then(|i| all.get(i)).copied().unwrap_or_default()
}

/// Whether a filter is "needs attention" (yes or no) sorted by attention, with no other
/// criterion but facts: its page and total come from a range of the attention order.
fn attention_by_order(filter: &Filter) -> bool {
    let rest = Filter {
        attention: None,
        ..filter.clone()
    };
    filter.attention.is_some() && filter.sort.key == SortKey::Attention && Facts::decide(&rest)
}

/// Whether a filter is a keyword, sorted by company, with no criterion but facts: its page
/// can be chosen from the search column's texts, which start with the folded company.
fn keyword_by_company(filter: &Filter) -> bool {
    let rest = Filter {
        q: None,
        ..filter.clone()
    };
    filter.q.as_deref().is_some_and(|q| !q.is_empty())
        && filter.sort.key == SortKey::Company
        && Facts::decide(&rest)
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> Error {
    Error::Internal("the customer list cache was poisoned by an earlier panic".into())
}

/// The filter with its customer as an id; an account name must name a stored customer.
fn audit_match(rd: &impl Read, filter: &AuditFilter) -> Result<AuditMatch> {
    let customer = match &filter.customer {
        None => None,
        Some(AuditCustomer::Id(id)) => Some(*id),
        Some(AuditCustomer::Account(name)) => Some(
            rd.id_by_account(name)?
                .ok_or_else(|| Error::not_found(Thing::Customer, Key::Name(name.clone())))?,
        ),
    };
    Ok(filter.resolved(customer))
}

pub(crate) fn resolve_in(r: &impl Read, c: &CustomerRef) -> Result<u64> {
    match c {
        CustomerRef::Id(id) => {
            if r.has_customer(*id)? {
                Ok(*id)
            } else {
                Err(Error::not_found(Thing::Customer, Key::Id(*id)))
            }
        }
        CustomerRef::Account(name) => r
            .id_by_account(name)?
            .ok_or_else(|| Error::not_found(Thing::Customer, Key::Name(name.clone()))),
    }
}

pub(crate) fn load(r: &impl Read, id: u64) -> Result<Customer> {
    r.customer(id)?
        .ok_or_else(|| Error::not_found(Thing::Customer, Key::Id(id)))
}

/// Saves a customer with a fresh summary. `old` is what was stored before, if anything.
pub(crate) fn save(
    w: &Writer,
    c: &Customer,
    old: Option<&Customer>,
    catalog: &Catalog,
) -> Result<()> {
    let open = if old.is_some() {
        w.open_events(c.id)?
    } else {
        Default::default()
    };
    w.save_customer(c, old, &Summary::of(c, open, catalog))
}

/// Rewrites a customer's summary after its events changed.
pub(crate) fn refresh_summary(w: &Writer, c: &Customer, catalog: &Catalog) -> Result<()> {
    w.save_summary(&Summary::of(c, w.open_events(c.id)?, catalog))
}

/// Every task name the audit log holds entries of: the bulk tasks', then the others.
pub fn audit_tasks() -> Vec<&'static str> {
    let mut all = crate::tasks::bulk::BulkTask::NAMES.to_vec();
    all.extend(crate::domain::audit::TASKS);
    all
}

pub(crate) fn audit(
    w: &Writer,
    ctx: Ctx,
    task: &str,
    customers: Vec<u64>,
    outcome: &str,
    changes: Vec<FieldChange>,
    snapshot: Option<String>,
) -> Result<u64> {
    let mut customers = customers;
    let mut outcome = outcome.to_string();
    if customers.len() > crate::domain::limits::AUDIT_CUSTOMERS {
        // A huge import is recorded with its first customers and the count, so the entry
        // stays a small record.
        outcome.push_str(&format!(
            " ({} customers; the first {} are listed)",
            crate::domain::limits::n(customers.len()),
            crate::domain::limits::n(crate::domain::limits::AUDIT_CUSTOMERS)
        ));
        customers.truncate(crate::domain::limits::AUDIT_CUSTOMERS);
    }
    debug_assert!(
        audit_tasks().contains(&task),
        "audit task `{task}` is missing from domain::audit::TASKS"
    );
    w.append_audit(AuditEntry {
        id: 0,
        time: ctx.now,
        actor: ctx.actor,
        task: task.to_string(),
        customers,
        outcome,
        changes,
        snapshot,
    })
}

/// One field of a plan, template or device being added or edited, collecting its error.
pub(crate) struct Field<'e, T> {
    errors: &'e mut Vec<FieldError>,
    name: &'static str,
    /// Stands in for a bad value so every other field is still checked.
    placeholder: T,
}

impl<'e, T> Field<'e, T> {
    pub(crate) fn new(errors: &'e mut Vec<FieldError>, name: &'static str, placeholder: T) -> Self {
        Field {
            errors,
            name,
            placeholder,
        }
    }

    /// The given text parsed, else the old entry's value (on edit), else `missing`: a default,
    /// or the message of a required field.
    pub(crate) fn read(
        self,
        given: &Option<String>,
        old: Option<T>,
        parse: impl FnOnce(&str) -> std::result::Result<T, String>,
        missing: std::result::Result<T, String>,
    ) -> T {
        let value = match (given, old) {
            (Some(v), _) => parse(v),
            (None, Some(o)) => Ok(o),
            (None, None) => missing,
        };
        value.unwrap_or_else(|m| {
            self.errors.push(FieldError::new(self.name, m));
            self.placeholder
        })
    }
}
