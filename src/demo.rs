//! `demo`: fills an empty database with realistic, varied, deterministic customers, plans,
//! templates, Cloud Edge devices, firmware and events (SPEC §5.1), so that every status,
//! filter and task has something to show.
//!
//! Everything comes from a self-written SplitMix64 generator seeded by the user's seed, and
//! every date and timestamp is relative to `ctx.today` (timestamps lie before its start, never
//! read from the clock): the same seed and the same *today* give identical data, every licence
//! status exists on any day, and no event happens after a pinned *today*.
//!
//! Speed (a million customers is the benchmark size): customers are built directly, not through
//! the per-customer tasks, by a generator thread (which also stages each summary), while the
//! calling thread hands them to the tasks' bulk loader (`tasks::load`), which assigns ids from
//! reserved blocks and writes each customer with its summary and events. The generator makes
//! the names of a batch first and the rest of each customer in the order of the folded company
//! names, so the unique name indexes are filled nearly in key order; within a batch, ids therefore follow the company names, as after an
//! import of an alphabetical list.
//!
//! One write transaction holds everything: reference data (plans, templates, firmware), every
//! customer and the `demo` audit entry, so an interrupted demo leaves nothing behind. Its
//! memory stays bounded all the same: the loader writes customers out in sorted chunks
//! (`store::bulk`, `store::order`), and redb keeps at most half its cache as dirty pages,
//! writing the rest to the file before the commit. One transaction also keeps the file
//! small: no pages are copied and freed by intermediate commits.
//!
//! The data it draws on (name pools, locales, awkward names, event messages, plans, templates,
//! device models) is plain text in `demo_data.txt`, parsed once by its `data` module.

use crate::domain::changes::change;
use crate::domain::date::{Date, Timestamp};
use crate::domain::derive::{Catalog, OpenEvents};
use crate::domain::error::{Error, Result};
use crate::domain::limits::n as thousands;
use crate::domain::model::*;
use crate::domain::progress::{Progress, Quiet, Ticker};
use crate::domain::summary::fold;
use crate::domain::threads;
use crate::store::{Read, Writer};
use crate::tasks::desk::{audit, Ctx, Desk};
use crate::tasks::load::{self, Loader, Staged};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

/// Customers whose names are made first and sorted together (see `Gen::run`); it fixes the
/// order ids are given in, so changing it changes the data a seed gives.
pub const BATCH: u64 = 100_000;

/// The most customers one demo run generates.
pub const MAX_CUSTOMERS: u64 = crate::domain::limits::CUSTOMERS as u64;

/// What a demo run generated.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoReport {
    pub seed: u64,
    /// The *today* every date is relative to.
    pub today: String,
    pub customers: u64,
    pub clp: u64,
    pub lmp: u64,
    pub suspended: u64,
    /// Service plans created (plans that already existed by the same name are reused).
    pub plans: u64,
    /// Product templates created.
    pub templates: u64,
    /// Firmware catalogue entries (device models) created.
    pub firmware_models: u64,
    pub licenses: u64,
    pub devices: u64,
    pub devices_needing_update: u64,
    pub events: u64,
    pub open_events: u64,
    /// Write transactions used.
    pub transactions: u64,
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Generated {} from seed {} ({} CLP, {} LMP, {} suspended), holding {}, {} ({} {} a firmware \
             update) and {} ({} open); {}, {} and {} were added. Dates are relative to {}, so every \
             licence status is present; the same seed gives the same data.",
            count(self.customers, "demo customer", "demo customers"),
            self.seed,
            thousands(self.clp),
            thousands(self.lmp),
            thousands(self.suspended),
            count(self.licenses, "licence", "licences"),
            count(self.devices, "Cloud Edge device", "Cloud Edge devices"),
            thousands(self.devices_needing_update),
            if self.devices_needing_update == 1 { "needs" } else { "need" },
            count(self.events, "event", "events"),
            thousands(self.open_events),
            count(self.plans, "service plan", "service plans"),
            count(self.templates, "product template", "product templates"),
            count(self.firmware_models, "firmware model", "firmware models"),
            self.today,
        )
    }
}

/// Fills an empty database with `customers` demo customers generated from `seed`.
/// Refuses when the database already holds customers.
pub fn generate(desk: &Desk, ctx: Ctx, customers: u64, seed: u64) -> Result<DemoReport> {
    generate_with(desk, ctx, customers, seed, &Quiet)
}

/// [`generate`], reporting the customers stored of `customers` to `progress`.
pub fn generate_with(
    desk: &Desk,
    ctx: Ctx,
    customers: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<DemoReport> {
    if customers > MAX_CUSTOMERS {
        return Err(Error::invalid(
            "customers",
            format!(
                "demo generates at most {} customers",
                thousands(MAX_CUSTOMERS)
            ),
        ));
    }
    let w = desk.writer()?;
    let existing = w.customer_count()?;
    if existing > 0 {
        return Err(Error::Refused(format!(
            "the database already holds {existing} customers; demo data fills an empty database only; use another database file"
        )));
    }
    let mut report = DemoReport {
        seed,
        today: ctx.today.to_string(),
        transactions: 1,
        ..DemoReport::default()
    };
    let refs = reference_data(&w, &mut report)?;
    let catalog = w.catalog()?;
    let maker = Gen::new(seed, ctx, refs, customers);
    let catalog = &catalog;
    std::thread::scope(|scope| {
        let (items, received) = mpsc::sync_channel(QUEUE);
        let (recycle, recycled) = mpsc::channel();
        threads::scoped(scope, "demo-maker", move || {
            maker.run(customers, catalog, items, recycled)
        })?;
        // On an error `received` is dropped, which stops the generator; the scope joins it.
        let mut ticker = Ticker::records(progress, customers);
        store_all(
            &w,
            customers,
            received,
            recycle,
            catalog,
            &mut report,
            &mut ticker,
        )?;
        ticker.finish();
        Ok::<_, Error>(())
    })?;
    let changes = vec![
        change("customers", 0, report.customers),
        change("licences", 0, report.licenses),
        change("devices", 0, report.devices),
        change("events", 0, report.events),
        change("plans", 0, report.plans),
        change("templates", 0, report.templates),
        change("firmware models", 0, report.firmware_models),
        change("seed", "", report.seed),
    ];
    audit(&w, ctx, "demo", vec![], &report.to_string(), changes, None)?;
    w.commit()?;
    Ok(report)
}

/// Customers waiting between the generator and the writer.
const QUEUE: usize = 1024;

/// A blank customer for the generator to fill; its buffers are reused from one to the next.
fn blank_item() -> Box<Staged> {
    Box::new(Staged::new(
        blank_customer(),
        Vec::with_capacity(8),
        OpenEvents::default(),
        &Catalog::default(),
    ))
}

/// The names of a customer, made first so that a batch can be sorted by company.
struct Head {
    /// The customer's number in generation order.
    i: u64,
    locale: u8,
    /// The customer's generator after the names.
    state: u64,
    /// The folded company name: the company index key.
    key: String,
    company: String,
    account_name: String,
    roman: String,
}

/// The writer's side: hands each customer to the loader (which assigns the ids and writes it
/// with its summary and events) in the one write transaction `w`; the caller commits.
#[allow(clippy::too_many_arguments)]
fn store_all(
    w: &Writer,
    customers: u64,
    received: Receiver<Box<Staged>>,
    recycle: Sender<Box<Staged>>,
    catalog: &Catalog,
    report: &mut DemoReport,
    ticker: &mut Ticker,
) -> Result<()> {
    let mut loader = Loader::new();
    for _ in 0..customers {
        let Ok(mut item) = received.recv() else {
            return Err(Error::Internal("the demo generator stopped early".into()));
        };
        loader.put(w, &mut item, None)?;
        let Staged {
            customer: c,
            events,
            summary,
        } = &*item;
        report.customers += 1;
        match c.profile.account_type {
            AccountType::Clp => report.clp += 1,
            AccountType::Lmp => report.lmp += 1,
        }
        if c.status == CustomerStatus::Suspended {
            report.suspended += 1;
        }
        report.licenses += c.licenses.len() as u64;
        report.devices += c.devices.len() as u64;
        report.devices_needing_update += c
            .devices
            .iter()
            .filter(|d| catalog.device_update(d).is_some())
            .count() as u64;
        report.events += events.len() as u64;
        report.open_events += u64::from(summary.open.action_required + summary.open.warning);
        // The generator reuses the buffers; it may have finished already.
        let _ = recycle.send(item);
        ticker.tick();
    }
    loader.finish(w)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The generator

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for demo data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x6A09_E667_F3BC_C908);
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the tiny bias does not matter here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn one(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }

    /// An index into `weights`, chosen in proportion to them.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }
}

/// FNV-1a: a stable 64-bit hash for the uniqueness sets. A collision only adds a number to a
/// name that did not need one; the store's unique indexes remain the final guard.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// A bijection on 32 bits, so distinct device ids give distinct serials that look random.
fn scramble(x: u32, key: u32) -> u32 {
    let mut x = x.wrapping_mul(0x9E37_79B1) ^ key;
    x ^= x >> 15;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^ (x >> 13)
}

/// Splits a pool entry `native|roman`; Latin-script entries have no `|`.
fn split(entry: &str) -> (&str, Option<&str>) {
    match entry.split_once('|') {
        Some((native, roman)) => (native, Some(roman)),
        None => (entry, None),
    }
}

/// Writes an ASCII form of `s`: common Latin letters lose their accents, other scripts and
/// symbols become word breaks.
fn translit(s: &str, out: &mut String) {
    for ch in s.chars() {
        if ch.is_ascii() {
            out.push(ch);
            continue;
        }
        out.push_str(match ch {
            'ä' | 'æ' => "ae",
            'ö' | 'œ' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'Ä' | 'Æ' => "Ae",
            'Ö' | 'Œ' => "Oe",
            'Ü' => "Ue",
            'à' | 'á' | 'â' | 'ã' | 'å' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Å' | 'Ą' => "A",
            'ç' | 'ć' => "c",
            'Ç' | 'Ć' => "C",
            'è' | 'é' | 'ê' | 'ë' | 'ę' => "e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ę' => "E",
            'ì' | 'í' | 'î' | 'ï' | 'ı' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' => "I",
            'ñ' | 'ń' => "n",
            'Ñ' | 'Ń' => "N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'º' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => "O",
            'ù' | 'ú' | 'û' => "u",
            'Ù' | 'Ú' | 'Û' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' => "Y",
            'ł' => "l",
            'Ł' => "L",
            'ś' | 'ş' => "s",
            'Ś' | 'Ş' => "S",
            'ź' | 'ż' => "z",
            'Ź' | 'Ż' => "Z",
            'ğ' => "g",
            'Ğ' => "G",
            '’' => "'",
            _ => " ",
        });
    }
}

/// Rewrites ASCII text as lower-case words separated by single spaces; apostrophes join.
fn words_of(roman: &str, out: &mut String) {
    out.clear();
    let mut gap = false;
    for ch in roman.chars() {
        if ch.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(ch);
        } else if ch != '\'' {
            gap = true;
        }
    }
}

/// Expands a pattern: `#` a digit (not 0 at the start of a number), `%` a digit 2–9, `@` a
/// capital letter; anything else as is.
fn fill(rng: &mut Rng, pattern: &str, out: &mut String) {
    for ch in pattern.chars() {
        match ch {
            '#' if !out.ends_with(|c: char| c.is_ascii_digit()) => {
                out.push((b'1' + rng.below(9) as u8) as char)
            }
            '#' => out.push((b'0' + rng.below(10) as u8) as char),
            '%' => out.push((b'2' + rng.below(8) as u8) as char),
            '@' => out.push((b'A' + rng.below(26) as u8) as char),
            _ => out.push(ch),
        }
    }
}

/// A licence status to aim for when generating a licence.
#[derive(Clone, Copy)]
enum Aim {
    Expired,
    Exceeded,
    ExpiringSoon,
    Normal,
}

struct PlanSlot {
    id: u64,
    product: Product,
    kind: PlanKind,
    months: u32,
    notice: u32,
}

struct Refs {
    plans: Vec<PlanSlot>,
    plan_weights: Vec<u32>,
    wfbss_templates: Vec<String>,
    cloud_edge_templates: Vec<String>,
}

struct Gen {
    /// The current customer's generator: each customer has its own stream, so that its
    /// details can be made after its batch is sorted.
    rng: Rng,
    seed: u64,
    /// Cloud Edge devices made so far; numbers their serials.
    devices_made: u32,
    today: Date,
    /// The start of `today`: every timestamp lies before it, whatever the clock says.
    now: i64,
    refs: Refs,
    locale_weights: Vec<u32>,
    model_weights: Vec<u32>,
    companies: HashSet<u64>,
    accounts: HashSet<u64>,
    roman: String,
    words: String,
}

fn blank_customer() -> Customer {
    let s = |n: usize| String::with_capacity(n);
    Customer {
        id: 0,
        profile: Profile {
            company: s(64),
            account_name: s(32),
            account_type: AccountType::Clp,
            contact_first_name: s(32),
            contact_last_name: s(32),
            email: s(64),
            phone: s(32),
            address: s(64),
            city: s(32),
            state: s(32),
            postal_code: s(12),
            country: s(2),
            time_zone: s(32),
            language: s(12),
            notes: s(128),
        },
        status: CustomerStatus::Active,
        licenses: Vec::with_capacity(4),
        devices: Vec::with_capacity(3),
        wfbs_template: None,
        cloud_edge_template: None,
        policies: BTreeMap::new(),
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
        last_transaction: Timestamp(0),
    }
}

impl Gen {
    fn new(seed: u64, ctx: Ctx, refs: Refs, customers: u64) -> Gen {
        let capacity = usize::try_from(customers)
            .unwrap_or(0)
            .min(MAX_CUSTOMERS as usize);
        Gen {
            rng: Rng::new(seed),
            seed,
            devices_made: 0,
            today: ctx.today,
            now: Timestamp::at_midnight(ctx.today).0,
            refs,
            locale_weights: LOCALES.iter().map(|l| l.weight).collect(),
            model_weights: MODELS.iter().map(|m| m.weight).collect(),
            companies: HashSet::with_capacity(capacity),
            accounts: HashSet::with_capacity(capacity),
            roman: String::with_capacity(128),
            words: String::with_capacity(128),
        }
    }

    /// Makes every customer, a batch at a time: first the names of the batch (which need the
    /// uniqueness sets, so strictly in order), then the rest of each customer in the order of
    /// the folded company names, so that the writer inserts the name indexes nearly in key
    /// order. Stops when the writer hangs up.
    fn run(
        mut self,
        customers: u64,
        catalog: &Catalog,
        items: SyncSender<Box<Staged>>,
        recycled: Receiver<Box<Staged>>,
    ) {
        let mut master = Rng::new(self.seed);
        let mut heads: Vec<Head> = Vec::new();
        let mut start = 0;
        while start < customers {
            let end = customers.min(start + BATCH);
            heads.clear();
            heads.reserve((end - start) as usize);
            for i in start..end {
                heads.push(self.head(i, master.next()));
            }
            heads.sort_unstable_by(|a, b| a.key.cmp(&b.key));
            for head in heads.drain(..) {
                let mut item = recycled.try_recv().unwrap_or_else(|_| blank_item());
                self.body(head, catalog, &mut item);
                if items.send(item).is_err() {
                    return;
                }
            }
            start = end;
        }
    }

    /// The names of customer number `i`: locale, company and account name.
    fn head(&mut self, i: u64, stream: u64) -> Head {
        self.rng = Rng(stream);
        let mut locale = self.rng.weighted(&self.locale_weights);
        let awkward = self.awkward(i);
        if let Some(country) = awkward.and_then(|a| a.country) {
            locale = LOCALES
                .iter()
                .position(|l| l.country == country)
                .unwrap_or(locale);
        }
        let mut company = String::with_capacity(48);
        let mut account_name = String::with_capacity(25);
        let key = self.company(
            &LOCALES[locale],
            awkward.map(|a| a.company),
            i,
            &mut company,
        );
        self.account_name(i, &mut account_name);
        Head {
            i,
            locale: locale as u8,
            state: self.rng.0,
            key,
            company,
            account_name,
            roman: self.roman.clone(),
        }
    }

    fn awkward(&self, i: u64) -> Option<&'static Awkward> {
        (i % 3 == self.seed % 3)
            .then(|| AWKWARD.get((i / 3) as usize))
            .flatten()
    }

    /// Everything else of a customer, into `item` (whose buffers are reused). Ids stay 0: the
    /// writer assigns them.
    fn body(&mut self, head: Head, catalog: &Catalog, item: &mut Staged) {
        let Staged {
            customer: c,
            events,
            ..
        } = item;
        self.rng = Rng(head.state);
        self.roman = head.roman;
        let loc = &LOCALES[usize::from(head.locale)];
        c.id = 0;
        c.profile.company = head.company;
        c.profile.account_name = head.account_name;
        self.profile(loc, &mut c.profile);
        if let Some(a) = self.awkward(head.i) {
            if let Some(notes) = a.notes {
                c.profile.notes.clear();
                c.profile.notes.push_str(notes);
            }
            if let Some((first, last, email)) = a.contact {
                let p = &mut c.profile;
                p.contact_first_name.clear();
                p.contact_first_name.push_str(first);
                p.contact_last_name.clear();
                p.contact_last_name.push_str(last);
                p.email.clear();
                p.email.push_str(email);
            }
        }
        c.profile.account_type = if self.rng.percent(40) {
            AccountType::Clp
        } else {
            AccountType::Lmp
        };
        c.status = if self.rng.percent(5) {
            CustomerStatus::Suspended
        } else {
            CustomerStatus::Active
        };
        self.licenses(&mut c.licenses);
        let holds = |p: Product| {
            c.licenses
                .iter()
                .any(|l| catalog.plan(l.plan_id).is_some_and(|x| x.product == p))
        };
        let (wfbss, cloud_edge) = (holds(Product::Wfbss), holds(Product::CloudEdge));
        c.wfbs_template = (wfbss && !self.refs.wfbss_templates.is_empty() && self.rng.percent(60))
            .then(|| self.rng.pick(&self.refs.wfbss_templates).clone());
        c.cloud_edge_template =
            (cloud_edge && !self.refs.cloud_edge_templates.is_empty() && self.rng.percent(50))
                .then(|| self.rng.pick(&self.refs.cloud_edge_templates).clone());
        c.devices.clear();
        if cloud_edge && self.rng.percent(80) {
            self.devices(catalog, &c.profile.company, &mut c.devices);
        }
        c.policies.clear();
        if wfbss && self.rng.percent(35) {
            self.policies(&c.profile.email, &mut c.policies);
        }
        self.events(events);
        self.times(c, events);
        item.summarize(OpenEvents::default(), catalog);
    }

    /// Writes a unique company name and returns its folded form (the index key).
    fn company(&mut self, loc: &Locale, awkward: Option<&str>, i: u64, out: &mut String) -> String {
        out.clear();
        self.roman.clear();
        match awkward {
            Some(entry) => {
                let (native, roman) = split(entry);
                out.push_str(native);
                match roman {
                    Some(r) => self.roman.push_str(r),
                    None => translit(native, &mut self.roman),
                }
            }
            None => {
                let pattern = *self.rng.pick(loc.patterns);
                expand(&mut self.rng, loc, pattern, out, &mut self.roman);
            }
        }
        let key = fold(out);
        if self.companies.insert(fnv(key.as_bytes())) {
            return key;
        }
        let base_len = out.len();
        let mut attempt = 0u64;
        loop {
            out.truncate(base_len);
            let n = if attempt < 6 {
                self.rng.range(2, 9999) as u64
            } else {
                10_000 + i + attempt
            };
            out.push(' ');
            out.push_str(&n.to_string());
            let key = fold(out);
            if self.companies.insert(fnv(key.as_bytes())) {
                return key;
            }
            attempt += 1;
        }
    }

    /// An account name from the company's ASCII words in one of a few house styles; a number
    /// is appended when the name is taken.
    fn account_name(&mut self, i: u64, out: &mut String) {
        words_of(&self.roman, &mut self.words);
        let style = self.rng.weighted(&[40, 25, 20, 15]);
        let sep = match style {
            2 => "-",
            3 => "_",
            _ => "",
        };
        out.clear();
        for (k, word) in self
            .words
            .split(' ')
            .filter(|w| !w.is_empty())
            .take(3)
            .enumerate()
        {
            if k > 0 {
                out.push_str(sep);
            }
            match style {
                0 => {
                    let mut chars = word.chars();
                    if let Some(first) = chars.next() {
                        out.push(first.to_ascii_uppercase());
                        out.push_str(chars.as_str());
                    }
                }
                3 => out.push_str(&word.to_ascii_uppercase()),
                _ => out.push_str(&word.to_ascii_lowercase()),
            }
        }
        out.truncate(18);
        while out.ends_with(['-', '_']) {
            out.pop();
        }
        if out.len() < 4 {
            out.push_str(match style {
                0 => "Desk",
                1 => "desk",
                2 => "-desk",
                _ => "_DESK",
            });
        }
        let key = |s: &str| fnv(s.to_ascii_lowercase().as_bytes());
        if self.accounts.insert(key(out)) {
            return;
        }
        let base = out.clone();
        let mut attempt = 0u64;
        loop {
            let n = if attempt < 6 {
                let digits = 2 + attempt / 2;
                self.rng
                    .range(10i64.pow(digits as u32 - 1), 10i64.pow(digits as u32) - 1)
                    as u64
            } else {
                i + attempt
            };
            let suffix = format!("{sep}{n}");
            out.clear();
            out.push_str(&base[..base.len().min(25 - suffix.len())]);
            while out.ends_with(['-', '_']) {
                out.pop();
            }
            out.push_str(&suffix);
            if self.accounts.insert(key(out)) {
                return;
            }
            attempt += 1;
        }
    }

    /// Everything of the profile but company and account: contact, address, locale.
    fn profile(&mut self, loc: &Locale, p: &mut Profile) {
        let rng = &mut self.rng;
        let (first, first_roman) = split(rng.one(loc.first));
        let (last, last_roman) = split(rng.one(loc.last));
        p.contact_first_name.clear();
        p.contact_first_name.push_str(first);
        p.contact_last_name.clear();
        p.contact_last_name.push_str(last);

        // Email: a local part from the contact's name at a domain made from the company.
        let local = local_part;
        p.email.clear();
        let form = rng.weighted(&[45, 15, 10, 10, 8, 12]);
        match form {
            0 | 4 => {
                local(first, first_roman, &mut p.email);
                p.email.push('.');
                local(last, last_roman, &mut p.email);
            }
            1 => {
                local(first, first_roman, &mut p.email);
                p.email
                    .truncate(p.email.chars().next().map_or(0, char::len_utf8));
                p.email.push('.');
                local(last, last_roman, &mut p.email);
            }
            2 => local(first, first_roman, &mut p.email),
            _ => p.email.push_str(rng.one(loc.generic_mail)),
        }
        if p.email.is_empty() || p.email.starts_with('.') || p.email.ends_with('.') {
            p.email.clear();
            p.email.push_str(rng.one(loc.generic_mail));
        }
        if form == 4 {
            p.email.push_str(&rng.range(1, 99).to_string());
            p.email.push('@');
            p.email.push_str(rng.one(loc.freemail));
        } else {
            p.email.push('@');
            words_of(&self.roman, &mut self.words);
            let before = p.email.len();
            for word in self.words.split(' ').filter(|w| !w.is_empty()).take(2) {
                if p.email.len() > before {
                    p.email.push('-');
                }
                p.email.push_str(&word.to_ascii_lowercase());
            }
            if p.email.len() == before {
                p.email.push_str("customer");
            }
            p.email.push('.');
            p.email.push_str(loc.tld);
        }

        p.phone.clear();
        if !rng.percent(8) {
            let pattern = *rng.pick(loc.phones);
            fill(rng, pattern, &mut p.phone);
            if rng.percent(8) && p.phone.len() <= 28 {
                p.phone.push_str(" x");
                let ext = rng.range(2, 3) as u32;
                p.phone.push_str(
                    &rng.range(10i64.pow(ext - 1), 10i64.pow(ext) - 1)
                        .to_string(),
                );
            }
        }
        p.address.clear();
        if !rng.percent(6) {
            let pattern = *rng.pick(loc.streets);
            fill(rng, pattern, &mut p.address);
        }
        let (city, state, zone) = *rng.pick(loc.cities);
        p.city.clear();
        p.city.push_str(split(city).0);
        p.state.clear();
        p.state.push_str(state);
        p.postal_code.clear();
        if !loc.postal.is_empty() && !rng.percent(3) {
            let pattern = *rng.pick(loc.postal);
            fill(rng, pattern, &mut p.postal_code);
        }
        p.country.clear();
        p.country.push_str(loc.country);
        p.time_zone.clear();
        p.time_zone
            .push_str(if rng.percent(3) { "UTC" } else { zone });
        p.language.clear();
        p.language.push_str(if rng.percent(70) {
            loc.languages[0]
        } else {
            rng.one(loc.languages)
        });
        p.notes.clear();
        if rng.percent(25) {
            p.notes.push_str(rng.one(*NOTES));
        }
    }

    fn licenses(&mut self, out: &mut Vec<License>) {
        out.clear();
        let n = self.rng.weighted(&[12, 35, 28, 15, 10]);
        let mut held = 0u8;
        for _ in 0..n {
            // Mostly one licence per product; a second one of a product happens (renewals).
            let mut slot = self.rng.weighted(&self.refs.plan_weights);
            for _ in 0..3 {
                if held & self.refs.plans[slot].product.bit() == 0 {
                    break;
                }
                slot = self.rng.weighted(&self.refs.plan_weights);
            }
            let plan = &self.refs.plans[slot];
            held |= plan.product.bit();
            let trial = plan.kind == PlanKind::Trial;
            let aim = match self.rng.weighted(if trial {
                &[35, 3, 20, 42]
            } else {
                &[8, 6, 10, 76]
            }) {
                0 => Aim::Expired,
                1 => Aim::Exceeded,
                2 => Aim::ExpiringSoon,
                _ => Aim::Normal,
            };
            let notice = i64::from(plan.notice.max(3));
            let period = i64::from(plan.months) * 30;
            let normal = |rng: &mut Rng| rng.range(notice + 4, (period - 1).max(notice + 4));
            // Days from today to the expiry. Rebuilding the expiry from a start date may move
            // it up to three days earlier (month ends), so the ranges keep that margin.
            let days = match aim {
                Aim::Expired => -self.rng.range(1, if trial { 240 } else { 720 }),
                Aim::ExpiringSoon => self.rng.range(3, notice),
                Aim::Normal => normal(&mut self.rng),
                Aim::Exceeded if self.rng.percent(30) => self.rng.range(3, notice),
                Aim::Exceeded => normal(&mut self.rng),
            };
            // Near the end of the calendar a licence is cut to end on its last day.
            let months = i64::from(plan.months);
            let expiry = self.today.add_days(days).unwrap_or(Date::LAST);
            let start = expiry.add_months(-months).unwrap_or(Date::FIRST);
            let units = if trial {
                *self.rng.pick(&[5u32, 5, 10, 10, 25])
            } else {
                *self
                    .rng
                    .pick(&[5u32, 10, 10, 15, 20, 25, 25, 30, 40, 50, 75, 100, 150, 250])
            };
            let used = match aim {
                Aim::Exceeded => units + self.rng.range(1, i64::from(units / 4).max(1)) as u32,
                _ if self.rng.percent(10) => 0,
                _ => self.rng.range(i64::from(units) / 2, i64::from(units)) as u32,
            };
            out.push(License {
                id: 0,
                plan_id: plan.id,
                units,
                used,
                start,
                expiry: start.add_months(months).unwrap_or(Date::LAST),
            });
        }
    }

    fn devices(&mut self, catalog: &Catalog, company: &str, out: &mut Vec<Device>) {
        let n = 1 + self.rng.weighted(&[60, 30, 10]);
        let key = self.seed as u32 ^ (self.seed >> 32) as u32;
        for k in 1..=n {
            let model = &MODELS[self.rng.weighted(&self.model_weights)];
            let firmware = model.versions[self.rng.weighted(model.version_weights)];
            self.devices_made = self.devices_made.wrapping_add(1);
            let mut name = format!(
                "{} {} {k}",
                self.rng.one(*DEVICE_ROLES),
                self.rng.one(*DEVICE_PLACES)
            );
            if name.eq_ignore_ascii_case(company) {
                name.push_str(" (edge)");
            }
            let latest = catalog.update_for(model.name, firmware).map(str::to_string);
            out.push(Device {
                id: 0,
                name,
                // Unique: `scramble` is a bijection and the store holds no devices yet.
                serial: format!(
                    "{}-{:08X}",
                    model.serial_prefix,
                    scramble(self.devices_made, key)
                ),
                model: model.name.to_string(),
                firmware: firmware.to_string(),
                notified_version: latest.filter(|_| self.rng.percent(20)),
            });
        }
    }

    fn policies(&mut self, email: &str, out: &mut BTreeMap<PolicyList, Vec<String>>) {
        let domain = email.rsplit('@').next().unwrap_or("example.com");
        let rng = &mut self.rng;
        for &list in PolicyList::ALL {
            // At least one list: the blocked URLs when nothing came before them.
            let forced = list == PolicyList::BlockedUrls && out.is_empty();
            if !forced && !rng.percent(45) {
                continue;
            }
            let n = rng.range(1, 4) as usize;
            let mut entries: Vec<String> = Vec::with_capacity(n);
            for _ in 0..n {
                let entry = match list {
                    PolicyList::ApprovedUrls => rng.one(*APPROVED_URLS).replace("{D}", domain),
                    PolicyList::BlockedUrls => rng.one(*BLOCKED_URLS).to_string(),
                    PolicyList::BehaviorApproved => rng.one(*BEHAVIOR_APPROVED).to_string(),
                    PolicyList::BehaviorBlocked => rng.one(*BEHAVIOR_BLOCKED).to_string(),
                    PolicyList::MlExceptions => format!(
                        "{:016x}{:016x}{:08x}",
                        rng.next(),
                        rng.next(),
                        rng.next() as u32
                    ),
                    PolicyList::AvExclusionsWindows => rng.one(*AV_WINDOWS).to_string(),
                    PolicyList::AvExclusionsMac => rng.one(*AV_MAC).to_string(),
                };
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            out.insert(list, entries);
        }
    }

    fn events(&mut self, out: &mut Vec<Event>) {
        out.clear();
        let n = match self.rng.weighted(&[55, 22, 12, 6, 5]) {
            4 => self.rng.range(4, 6) as usize,
            k => k,
        };
        for _ in 0..n {
            let kind = if self.rng.percent(60) {
                EventKind::Threat
            } else {
                EventKind::System
            };
            let categories = if kind == EventKind::Threat {
                *THREAT_CATEGORIES
            } else {
                *SYSTEM_CATEGORIES
            };
            let (category, templates) = *self.rng.pick(categories);
            let severity = if self.rng.percent(30) {
                Severity::ActionRequired
            } else {
                Severity::Warning
            };
            let mut message = String::with_capacity(96);
            let template = *self.rng.pick(templates);
            self.message(template, &mut message);
            let time = self.now - self.rng.range(60, 60 * 86_400);
            let resolved_at = (!self.rng.percent(35))
                .then(|| Timestamp((time + self.rng.range(300, 3 * 86_400)).min(self.now)));
            out.push(Event {
                id: 0,
                customer_id: 0,
                kind,
                severity,
                category: category.to_string(),
                message,
                time: Timestamp(time),
                resolved_at,
            });
        }
    }

    fn message(&mut self, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let token = &rest[open + 1..open + close];
            let pool: &[&str] = match token {
                "HOST" => *HOSTS,
                "MAL" => *MALWARE,
                "SPY" => *GRAYWARE,
                "USER" => *USERS,
                "DOMAIN" => *BAD_DOMAINS,
                "PROC" => *PROCESSES,
                _ => &["%", "%#", "1%#"],
            };
            let pattern = *self.rng.pick(pool);
            fill(&mut self.rng, pattern, out);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
    }

    /// created_at, updated_at and last_transaction, consistent with the licences and events.
    fn times(&mut self, c: &mut Customer, events: &[Event]) {
        let now = self.now;
        let at = |d: Date, rng: &mut Rng| {
            (Timestamp::at_midnight(d).0 + rng.range(7 * 3600, 18 * 3600)).min(now)
        };
        let mut created = now - self.rng.range(86_400, 6 * 365 * 86_400);
        let mut last = None::<i64>;
        for l in &c.licenses {
            let t = at(l.start, &mut self.rng);
            created = created.min(t - self.rng.range(3600, 30 * 86_400));
            last = last.max(Some(t));
        }
        for e in events {
            created = created.min(e.time.0 - self.rng.range(3600, 90 * 86_400));
            last = last.max(Some(e.resolved_at.unwrap_or(e.time).0));
        }
        let last = last.unwrap_or(created).max(created);
        let updated = created + self.rng.range(0, now - created);
        c.created_at = Timestamp(created);
        c.updated_at = Timestamp(updated.max(created));
        c.last_transaction = Timestamp(last);
    }
}

/// Appends the lower-case ASCII form of a name (`María José` → `maria-jose`) to an email.
fn local_part(name: &str, roman: Option<&str>, out: &mut String) {
    let mut ascii = String::with_capacity(name.len());
    match roman {
        Some(r) => ascii.push_str(r),
        None => translit(name, &mut ascii),
    }
    let start = out.len();
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if (ch == ' ' || ch == '-') && out.len() > start && !out.ends_with(['-', '.']) {
            out.push('-');
        }
    }
    while out.len() > start && out.ends_with('-') {
        out.pop();
    }
}

/// Expands a company-name pattern: `{L}`/`{M}` family names, `{I}` a trade, `{F}` a legal
/// form, `{C}` a city, `{B}` a brand word. The ASCII form goes to `roman`, one space per part.
fn expand(rng: &mut Rng, loc: &Locale, pattern: &str, out: &mut String, roman: &mut String) {
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let literal = &rest[..open];
        out.push_str(literal);
        translit(literal, roman);
        let token = rest.as_bytes().get(open + 1).copied().unwrap_or(b'?');
        let entry = match token {
            b'L' | b'M' => rng.one(loc.last),
            b'I' => *rng.pick(loc.industries),
            b'F' => *rng.pick(loc.legal),
            b'C' => rng.pick(loc.cities).0,
            _ => *rng.pick(loc.brands),
        };
        let (mut native, roman_part) = split(entry);
        if token == b'C' {
            // 大阪市 → 大阪 inside a company name.
            native = native.strip_suffix('市').unwrap_or(native);
        }
        out.push_str(native);
        roman.push(' ');
        match roman_part {
            Some(r) => roman.push_str(r),
            None => translit(native, roman),
        }
        rest = &rest[(open + 3).min(rest.len())..];
    }
    out.push_str(rest);
    translit(rest, roman);
}

/// Plans, templates and firmware, created in the first transaction. Reference data that exists
/// already by the same name is reused as it is.
fn reference_data(w: &Writer, report: &mut DemoReport) -> Result<Refs> {
    let existing = w.plans()?;
    let mut plans = Vec::with_capacity(PLANS.len());
    let mut plan_weights = Vec::with_capacity(PLANS.len());
    let mut taken: Vec<String> = existing.iter().map(|p| p.name.to_lowercase()).collect();
    for spec in *PLANS {
        let mut name = spec.name.to_string();
        let mut n = 1;
        let plan = loop {
            if let Some(p) = existing.iter().find(|p| p.name.eq_ignore_ascii_case(&name)) {
                if p.product == spec.product {
                    break p.clone();
                }
            } else if !taken.contains(&name.to_lowercase()) {
                let p = Plan {
                    id: 0,
                    name: name.clone(),
                    product: spec.product,
                    kind: spec.kind,
                    months: spec.months,
                    notice_days: spec.notice,
                    auto_renew: spec.auto_renew,
                    managed: spec.managed,
                    enabled: spec.enabled,
                    end_of_life: spec.end_of_life,
                };
                let p = load::new_plan(w, p)?;
                taken.push(name.to_lowercase());
                report.plans += 1;
                break p;
            }
            name = if n == 1 {
                format!("{} (demo)", spec.name)
            } else {
                format!("{} (demo {n})", spec.name)
            };
            n += 1;
        };
        plans.push(PlanSlot {
            id: plan.id,
            product: plan.product,
            kind: plan.kind,
            months: plan.months.max(1),
            notice: plan.notice_days,
        });
        plan_weights.push(spec.weight);
    }
    let mut wfbss_templates = Vec::new();
    let mut cloud_edge_templates = Vec::new();
    for spec in *TEMPLATES {
        let mut name = spec.name.to_string();
        let mut n = 1;
        loop {
            match w.template(&name)? {
                Some(t) if t.product == spec.product => {
                    name = t.name;
                    break;
                }
                Some(_) => {
                    name = if n == 1 {
                        format!("{} (demo)", spec.name)
                    } else {
                        format!("{} (demo {n})", spec.name)
                    };
                    n += 1;
                }
                None => {
                    let t = Template {
                        name: name.clone(),
                        product: spec.product,
                        settings: spec
                            .settings
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                    };
                    load::new_template(w, &t)?;
                    report.templates += 1;
                    break;
                }
            }
        }
        match spec.product {
            Product::CloudEdge => cloud_edge_templates.push(name),
            _ => wfbss_templates.push(name),
        }
    }
    let firmware = w.firmware()?;
    for m in *MODELS {
        let Some(latest) = m.latest else { continue };
        if !firmware
            .iter()
            .any(|f| f.model.eq_ignore_ascii_case(m.name))
        {
            load::firmware(
                w,
                &Firmware {
                    model: m.name.to_string(),
                    version: latest.to_string(),
                },
            )?;
            report.firmware_models += 1;
        }
    }
    Ok(Refs {
        plans,
        plan_weights,
        wfbss_templates,
        cloud_edge_templates,
    })
}

// ---------------------------------------------------------------------------------------------
// Reference data

struct PlanSpec {
    name: &'static str,
    product: Product,
    kind: PlanKind,
    months: u32,
    notice: u32,
    auto_renew: bool,
    managed: bool,
    enabled: bool,
    end_of_life: bool,
    /// How often customers hold it.
    weight: u32,
}

struct TemplateSpec {
    name: &'static str,
    product: Product,
    settings: &'static [(&'static str, &'static str)],
}

struct Model {
    name: &'static str,
    serial_prefix: &'static str,
    /// The catalogue's latest firmware; `None` for a model the catalogue does not list.
    latest: Option<&'static str>,
    versions: &'static [&'static str],
    version_weights: &'static [u32],
    weight: u32,
}

struct Awkward {
    /// `native|roman` for names without Latin letters.
    company: &'static str,
    /// The locale of the rest of the customer, when the name suggests one.
    country: Option<&'static str>,
    contact: Option<(&'static str, &'static str, &'static str)>,
    notes: Option<&'static str>,
}

// ---------------------------------------------------------------------------------------------
// Locales: names, places and formats per country. Entries in non-Latin scripts carry an ASCII
// reading after `|`, used for account names and email addresses.

struct Locale {
    country: &'static str,
    weight: u32,
    tld: &'static str,
    languages: &'static [&'static str],
    /// (city, state or region, IANA time zone)
    cities: &'static [(&'static str, &'static str, &'static str)],
    first: &'static [&'static str],
    last: &'static [&'static str],
    industries: &'static [&'static str],
    brands: &'static [&'static str],
    legal: &'static [&'static str],
    patterns: &'static [&'static str],
    streets: &'static [&'static str],
    postal: &'static [&'static str],
    phones: &'static [&'static str],
    freemail: &'static [&'static str],
    generic_mail: &'static [&'static str],
}

/// The data tables of `demo_data.txt` (its opening note gives the format), read once.
mod data {
    use super::*;
    use std::sync::LazyLock;

    /// One `[KIND argument]` section: its entries, with `\n` and `\t` turned into the characters.
    struct Section {
        kind: &'static str,
        argument: &'static str,
        entries: &'static [&'static str],
    }

    static SECTIONS: LazyLock<Vec<Section>> =
        LazyLock::new(|| sections(include_str!("demo_data.txt")));

    /// The file's sections; lines before the first are its note.
    fn sections(text: &'static str) -> Vec<Section> {
        let mut found: Vec<(&'static str, &'static str, Vec<&'static str>)> = Vec::new();
        for line in text.lines() {
            if let Some(head) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let (kind, argument) = head.split_once(' ').unwrap_or((head, ""));
                found.push((kind, argument, Vec::new()));
            } else if let Some((_, _, entries)) = found.last_mut().filter(|_| !line.is_empty()) {
                entries.push(unescape(line));
            }
        }
        let section = |(kind, argument, entries): (_, _, Vec<_>)| Section {
            kind,
            argument,
            entries: entries.leak(),
        };
        found.into_iter().map(section).collect()
    }

    /// `\n` and `\t` as the characters; only an entry that holds them is copied.
    fn unescape(entry: &'static str) -> &'static str {
        if entry.contains("\\n") || entry.contains("\\t") {
            entry.replace("\\n", "\n").replace("\\t", "\t").leak()
        } else {
            entry
        }
    }

    /// The sections `[kind …]`, in the file's order.
    fn of_kind(kind: &'static str) -> impl Iterator<Item = &'static Section> {
        SECTIONS.iter().filter(move |s| s.kind == kind)
    }

    /// The entries of the section `[name]`.
    fn pool(name: &str) -> &'static [&'static str] {
        SECTIONS
            .iter()
            .find(|s| s.kind == name && s.argument.is_empty())
            .unwrap_or_else(|| panic!("demo_data.txt has no [{name}]"))
            .entries
    }

    fn fields(entry: &'static str) -> Vec<&'static str> {
        entry.split(" | ").collect()
    }

    /// `-` or a field left out at the end of the entry is none.
    fn optional(fields: &[&'static str], i: usize) -> Option<&'static str> {
        fields.get(i).copied().filter(|f| *f != "-")
    }

    fn number<T: std::str::FromStr>(field: &str) -> T {
        field
            .parse()
            .unwrap_or_else(|_| panic!("demo_data.txt: `{field}` is not a number"))
    }

    /// One static per pool the generator names, read from the section of the same name.
    macro_rules! pools {
        ($($name:ident),* $(,)?) => {
            $(pub(super) static $name: LazyLock<&'static [&'static str]> =
                LazyLock::new(|| pool(stringify!($name)));)*
            /// The pools the generator names.
            #[cfg(test)]
            const NAMED: &[&str] = &[$(stringify!($name)),*];
        };
    }

    pools!(
        DEVICE_ROLES,
        DEVICE_PLACES,
        HOSTS,
        MALWARE,
        GRAYWARE,
        USERS,
        BAD_DOMAINS,
        PROCESSES,
        APPROVED_URLS,
        BLOCKED_URLS,
        BEHAVIOR_APPROVED,
        BEHAVIOR_BLOCKED,
        AV_WINDOWS,
        AV_MAC,
        NOTES,
    );

    type Categories = &'static [(&'static str, &'static [&'static str])];

    fn categories(kind: &'static str) -> Categories {
        of_kind(kind)
            .map(|s| (s.argument, s.entries))
            .collect::<Vec<_>>()
            .leak()
    }

    pub(super) static THREAT_CATEGORIES: LazyLock<Categories> =
        LazyLock::new(|| categories("THREAT"));
    pub(super) static SYSTEM_CATEGORIES: LazyLock<Categories> =
        LazyLock::new(|| categories("SYSTEM"));

    /// Names and notes that trip careless code: quoting, separators, markup, spreadsheet formulas,
    /// emoji, scripts with special case rules. Every run of about 70 customers or more holds all.
    pub(super) static AWKWARD: LazyLock<&'static [Awkward]> = LazyLock::new(|| {
        pool("AWKWARD")
            .iter()
            .map(|entry| {
                let f = fields(entry);
                let contact = optional(&f, 2).map(|first| (first, f[3], f[4]));
                Awkward {
                    company: f[0],
                    country: optional(&f, 1),
                    contact,
                    notes: optional(&f, 5),
                }
            })
            .collect::<Vec<_>>()
            .leak()
    });

    pub(super) static LOCALES: LazyLock<&'static [Locale]> =
        LazyLock::new(|| of_kind("LOCALE").map(locale).collect::<Vec<_>>().leak());

    fn locale(section: &'static Section) -> Locale {
        let mut cities = Vec::new();
        let mut lists = std::collections::HashMap::new();
        for entry in section.entries {
            if let Some((key, values)) = entry.split_once(" | ") {
                if key == "city" {
                    let f = fields(values);
                    cities.push((f[0], f[1], f[2]));
                } else {
                    lists.insert(key, &*fields(values).leak());
                }
            } else if let Some((key, name)) = entry.split_once(" = ") {
                lists.insert(key, pool(name));
            } else {
                lists.insert(*entry, &[][..]);
            }
        }
        let mut list = |key: &str| {
            lists.remove(key).unwrap_or_else(|| {
                panic!("demo_data.txt: [LOCALE {}] has no {key}", section.argument)
            })
        };
        Locale {
            country: section.argument,
            weight: number(list("weight")[0]),
            tld: list("tld")[0],
            languages: list("languages"),
            cities: cities.leak(),
            first: list("first"),
            last: list("last"),
            industries: list("industries"),
            brands: list("brands"),
            legal: list("legal"),
            patterns: list("patterns"),
            streets: list("streets"),
            postal: list("postal"),
            phones: list("phones"),
            freemail: list("freemail"),
            generic_mail: list("generic_mail"),
        }
    }

    pub(super) static PLANS: LazyLock<&'static [PlanSpec]> = LazyLock::new(|| {
        pool("PLANS")
            .iter()
            .map(|entry| {
                let f = fields(entry);
                let flag = |name: &str| f[6..].contains(&name);
                PlanSpec {
                    name: f[0],
                    product: Product::parse(f[1]).expect("a product code"),
                    kind: PlanKind::parse(f[2]).expect("a plan kind"),
                    months: number(f[3]),
                    notice: number(f[4]),
                    weight: number(f[5]),
                    auto_renew: flag("auto-renew"),
                    managed: !flag("unmanaged"),
                    enabled: !flag("disabled"),
                    end_of_life: flag("end-of-life"),
                }
            })
            .collect::<Vec<_>>()
            .leak()
    });

    pub(super) static TEMPLATES: LazyLock<&'static [TemplateSpec]> = LazyLock::new(|| {
        of_kind("TEMPLATE")
            .map(|s| {
                let (product, name) = s.argument.split_once(' ').expect("[TEMPLATE product name]");
                let settings = s
                    .entries
                    .iter()
                    .map(|e| e.split_once(" | ").expect("setting | value"));
                TemplateSpec {
                    name,
                    product: Product::parse(product).expect("a product code"),
                    settings: settings.collect::<Vec<_>>().leak(),
                }
            })
            .collect::<Vec<_>>()
            .leak()
    });

    pub(super) static MODELS: LazyLock<&'static [Model]> = LazyLock::new(|| {
        pool("MODELS")
            .iter()
            .map(|entry| {
                let f = fields(entry);
                let (versions, weights): (Vec<_>, Vec<u32>) = f[4..]
                    .iter()
                    .map(|v| v.split_once('=').expect("version=weight"))
                    .map(|(v, w)| (v, number::<u32>(w)))
                    .unzip();
                Model {
                    name: f[0],
                    serial_prefix: f[1],
                    latest: optional(&f, 2),
                    weight: number(f[3]),
                    versions: versions.leak(),
                    version_weights: weights.leak(),
                }
            })
            .collect::<Vec<_>>()
            .leak()
    });

    /// Every section of the file is read: a misspelt name would otherwise be skipped silently.
    #[test]
    fn every_section_is_read() {
        let read = [
            "THREAT", "SYSTEM", "AWKWARD", "LOCALE", "PLANS", "TEMPLATE", "MODELS",
        ];
        let referenced: Vec<&str> = of_kind("LOCALE")
            .flat_map(|s| s.entries.iter())
            .filter(|e| !e.contains(" | "))
            .filter_map(|e| e.split_once(" = ").map(|(_, pool)| pool))
            .collect();
        for s in SECTIONS.iter() {
            assert!(
                read.contains(&s.kind) || NAMED.contains(&s.kind) || referenced.contains(&s.kind),
                "[{} {}] is read by nothing",
                s.kind,
                s.argument
            );
        }
        assert_eq!(LOCALES.len(), of_kind("LOCALE").count());
        assert!(MODELS
            .iter()
            .all(|m| m.versions.len() == m.version_weights.len()));
    }
}
use data::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filter::Filter;
    use crate::domain::validate::{self, CustomerInput};
    use crate::store::Access;
    use std::collections::HashSet;

    fn ctx() -> Ctx {
        Ctx {
            actor: Actor::Cli,
            today: Date::parse("2026-11-27").unwrap(),
            now: Timestamp::parse("2026-11-27T08:00:00Z").unwrap(),
        }
    }

    fn fresh(customers: u64, seed: u64) -> (tempfile::TempDir, Desk, DemoReport) {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            &dir.path().join("demo.redb"),
            Access::Write,
            Some(ctx().today),
        )
        .unwrap();
        let report = generate(&desk, ctx(), customers, seed).unwrap();
        (dir, desk, report)
    }

    fn all_customers(desk: &Desk) -> Vec<Customer> {
        let mut out = Vec::new();
        desk.store()
            .read()
            .unwrap()
            .each_customer(&mut |c| {
                out.push(c);
                Ok(true)
            })
            .unwrap();
        out
    }

    /// Everything a user can see, as JSON.
    fn snapshot(desk: &Desk) -> String {
        let mut parts = Vec::new();
        let mut f = Filter {
            limit: 1000,
            ..Filter::default()
        };
        loop {
            let page = desk.list(&f).unwrap();
            let done = f.offset + page.items.len() >= page.total;
            parts.push(serde_json::to_string(&page).unwrap());
            if done {
                break;
            }
            f.offset += 1000;
        }
        parts.push(serde_json::to_string(&desk.devices(None).unwrap()).unwrap());
        parts.push(serde_json::to_string(&desk.events(None, false).unwrap()).unwrap());
        parts.push(serde_json::to_string(&desk.plans().unwrap()).unwrap());
        parts.push(serde_json::to_string(&desk.templates().unwrap()).unwrap());
        parts.push(serde_json::to_string(&desk.firmware().unwrap()).unwrap());
        parts.push(
            serde_json::to_string(&desk.audit_log(10, None, &Default::default()).unwrap()).unwrap(),
        );
        for c in all_customers(desk) {
            parts.push(format!("{:?}", c.policies));
        }
        parts.join("\n")
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let (_a, desk_a, report_a) = fresh(300, 7);
        let (_b, desk_b, report_b) = fresh(300, 7);
        let (_c, desk_c, report_c) = fresh(300, 8);
        assert_eq!(report_a, report_b);
        let (a, b, c) = (snapshot(&desk_a), snapshot(&desk_b), snapshot(&desk_c));
        assert!(a == b, "the same seed must give the same data");
        assert_ne!(a, c);
        assert_ne!(report_a, report_c);
        assert_eq!(report_a.customers, 300);
    }

    #[test]
    fn every_generated_customer_is_valid() {
        let (_dir, desk, report) = fresh(2000, 42);
        let r = desk.store().read().unwrap();
        let catalog = r.catalog().unwrap();
        let templates = r.templates().unwrap();
        let customers = all_customers(&desk);
        assert_eq!(customers.len(), 2000);
        assert_eq!(report.customers, 2000);
        let (mut companies, mut accounts, mut serials) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        let (mut licenses, mut devices) = (0, 0);
        for c in &customers {
            let p = &c.profile;
            let mut input = CustomerInput {
                account_type: Some(p.account_type.code().to_string()),
                status: Some(c.status.code().to_string()),
                ..CustomerInput::default()
            };
            for name in Profile::TEXT_FIELDS {
                *input.text_mut(name).unwrap() = p.text(name).cloned();
            }
            match validate::profile(&input, None) {
                Ok(valid) => {
                    assert_eq!(&valid, p, "validation must not change a generated profile")
                }
                Err(e) => panic!("customer {} ({}) is invalid: {e:?}", c.id, p.company),
            }
            assert!(
                companies.insert(fold(&p.company)),
                "duplicate company {}",
                p.company
            );
            assert!(
                accounts.insert(fold(&p.account_name)),
                "duplicate account {}",
                p.account_name
            );
            assert!(c.licenses.len() <= 4);
            for l in &c.licenses {
                let plan = catalog.plan(l.plan_id).expect("licence on a known plan");
                assert!(l.units >= 1 && l.start <= l.expiry, "{l:?}");
                assert_eq!(Some(l.expiry), l.start.add_months(i64::from(plan.months)));
            }
            let holds = |product| {
                c.licenses
                    .iter()
                    .any(|l| catalog.plan(l.plan_id).unwrap().product == product)
            };
            if let Some(t) = &c.wfbs_template {
                assert!(holds(Product::Wfbss));
                assert!(templates
                    .iter()
                    .any(|x| &x.name == t && x.product == Product::Wfbss));
            }
            if let Some(t) = &c.cloud_edge_template {
                assert!(holds(Product::CloudEdge));
                assert!(templates
                    .iter()
                    .any(|x| &x.name == t && x.product == Product::CloudEdge));
            }
            for d in &c.devices {
                assert!(
                    serials.insert(d.serial.to_lowercase()),
                    "duplicate serial {}",
                    d.serial
                );
                assert!(!d.name.eq_ignore_ascii_case(&p.company));
                assert!(validate::version(&d.firmware).is_ok());
                assert!(d
                    .serial
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'));
                assert!(
                    validate::text(&d.name, 1, 64).is_ok()
                        && validate::text(&d.model, 1, 64).is_ok()
                );
            }
            if !c.policies.is_empty() {
                assert!(holds(Product::Wfbss));
            }
            for (list, entries) in &c.policies {
                let parsed = validate::policy_entries(*list, &entries.join("\n")).unwrap();
                assert_eq!(&parsed, entries);
            }
            assert!(c.created_at <= c.updated_at && c.updated_at <= ctx().now);
            assert!(c.created_at <= c.last_transaction && c.last_transaction <= ctx().now);
            for e in r.events(Some(c.id)).unwrap() {
                assert!(
                    validate::text(&e.category, 1, 64).is_ok()
                        && validate::text(&e.message, 1, 1000).is_ok()
                );
                assert!(
                    e.time <= ctx().now
                        && e.resolved_at.is_none_or(|t| t >= e.time && t <= ctx().now)
                );
                assert!(e.time <= c.last_transaction);
            }
            licenses += c.licenses.len() as u64;
            devices += c.devices.len() as u64;
        }
        assert_eq!((licenses, devices), (report.licenses, report.devices));
        for p in r.plans().unwrap() {
            assert!(validate::plan_name(&p.name).is_ok());
        }
        for t in &templates {
            assert!(
                validate::plan_name(&t.name).is_ok()
                    && t.product.has_templates()
                    && !t.settings.is_empty()
            );
        }
        for f in r.firmware().unwrap() {
            assert!(validate::version(&f.version).is_ok());
        }
        assert!(
            AWKWARD.iter().any(|a| a.company.chars().count() == 128),
            "one name at the 128-character limit"
        );
        for a in *AWKWARD {
            let name = split(a.company).0;
            assert!(validate::text(name, 1, 128).is_ok(), "{name}");
            assert!(
                customers.iter().any(|c| c.profile.company == name),
                "{name} missing"
            );
        }
        let entries = desk.audit_log(10, None, &Default::default()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].task, "demo");
    }

    #[test]
    fn every_status_and_filter_has_matches() {
        let (_dir, desk, report) = fresh(500, 1);
        let total = |set: &dyn Fn(&mut Filter)| {
            let mut f = Filter {
                limit: 1,
                ..Filter::default()
            };
            set(&mut f);
            desk.list(&f).unwrap().total
        };
        assert_eq!(total(&|_| {}), 500);
        for &p in Product::ALL {
            assert!(total(&|f| f.products = vec![p]) > 0, "product {p}");
        }
        for &l in LicenseFilter::ALL {
            assert!(total(&|f| f.license = Some(l)) > 0, "license {l}");
        }
        for &t in AccountType::ALL {
            assert!(total(&|f| f.account_type = Some(t)) > 0, "account type {t}");
        }
        for &s in CustomerStatus::ALL {
            assert!(total(&|f| f.status = Some(s)) > 0, "status {s}");
        }
        for b in [true, false] {
            assert!(total(&|f| f.attention = Some(b)) > 0, "attention {b}");
            assert!(total(&|f| f.managed = Some(b)) > 0, "managed {b}");
        }
        let clp = total(&|f| f.account_type = Some(AccountType::Clp));
        assert!((120..=280).contains(&clp), "about 40% CLP, got {clp}");
        let devices = desk.devices(None).unwrap();
        assert!(devices.iter().any(|d| d.needs_update) && devices.iter().any(|d| !d.needs_update));
        assert!(
            devices.iter().any(|d| d.latest_firmware.is_none()),
            "a model outside the catalogue"
        );
        let events = desk.events(None, false).unwrap();
        for &kind in EventKind::ALL {
            for &severity in Severity::ALL {
                assert!(
                    events
                        .iter()
                        .any(|e| e.open && e.kind == kind && e.severity == severity),
                    "open {kind} {severity}"
                );
            }
        }
        assert!(events.iter().any(|e| !e.open));
        let plans = desk.plans().unwrap();
        for &p in Product::ALL {
            for kind in ["trial", "full"] {
                assert!(
                    plans
                        .iter()
                        .any(|x| x.product == p && x.kind.code() == kind),
                    "{p} {kind}"
                );
            }
        }
        let plans = desk.store().read().unwrap().plans().unwrap();
        assert!(plans.iter().any(|p| !p.enabled));
        assert!(plans.iter().any(|p| p.end_of_life));
        assert!(plans.iter().any(|p| !p.managed));
        let customers = all_customers(&desk);
        assert!(customers.iter().any(|c| !c.policies.is_empty()));
        assert!(customers.iter().any(|c| c.wfbs_template.is_some()));
        assert!(customers.iter().any(|c| c.cloud_edge_template.is_some()));
        assert!(customers.iter().any(|c| c.profile.notes.contains('\n')));
        assert!(customers.iter().any(|c| c.licenses.len() == 4));
        assert_eq!(report.templates, TEMPLATES.len() as u64);
        assert_eq!(report.plans, PLANS.len() as u64);
        let text = report.to_string();
        assert!(
            text.starts_with("Generated 500 demo customers from seed 1"),
            "{text}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["customers"], 500);
    }

    #[test]
    fn refuses_a_database_with_customers() {
        let (_dir, desk, _) = fresh(10, 3);
        match generate(&desk, ctx(), 10, 4) {
            Err(Error::Refused(m)) => {
                assert_eq!(
                    m,
                    "the database already holds 10 customers; demo data fills an empty database only; use another database file"
                )
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(desk.count().unwrap(), 10);
        assert!(matches!(
            generate(&desk, ctx(), MAX_CUSTOMERS + 1, 4),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn reference_data_is_reused_and_zero_customers_work() {
        let (_dir, desk, first) = fresh(0, 1);
        assert_eq!((first.customers, first.plans), (0, PLANS.len() as u64));
        let second = generate(&desk, ctx(), 50, 1).unwrap();
        assert_eq!(
            (
                second.customers,
                second.plans,
                second.templates,
                second.firmware_models
            ),
            (50, 0, 0, 0)
        );
        assert_eq!(desk.plans().unwrap().len(), PLANS.len());
    }

    /// A pinned *today* far from the clock: no timestamp lies after its end, whatever the
    /// real date is, and the same seed and *today* give the same data at any hour.
    #[test]
    fn timestamps_follow_the_pinned_today_not_the_clock() {
        for day in ["2031-05-10", "2019-02-01"] {
            let today = Date::parse(day).unwrap();
            let end = Timestamp::at_midnight(today.add_days(1).unwrap());
            let dir = tempfile::tempdir().unwrap();
            let desk =
                Desk::open(&dir.path().join("demo.redb"), Access::Write, Some(today)).unwrap();
            generate(&desk, desk.ctx(Actor::Cli), 300, 5).unwrap();
            let r = desk.store().read().unwrap();
            let customers = all_customers(&desk);
            assert_eq!(customers.len(), 300);
            for c in &customers {
                for (what, t) in [
                    ("created_at", c.created_at),
                    ("updated_at", c.updated_at),
                    ("last_transaction", c.last_transaction),
                ] {
                    assert!(t < end, "{day}: customer {} {what} {t}", c.id);
                }
                for e in r.events(Some(c.id)).unwrap() {
                    assert!(e.time < end, "{day}: event {} at {}", e.id, e.time);
                    assert!(
                        e.resolved_at.is_none_or(|t| t < end),
                        "{day}: event {}",
                        e.id
                    );
                }
            }
            let other = tempfile::tempdir().unwrap();
            let again =
                Desk::open(&other.path().join("demo.redb"), Access::Write, Some(today)).unwrap();
            let noon = Ctx {
                now: Timestamp(end.0 - 12 * 3600),
                ..again.ctx(Actor::Cli)
            };
            generate(&again, noon, 300, 5).unwrap();
            let data = |d: &Desk| {
                let events = serde_json::to_string(&d.events(None, false).unwrap()).unwrap();
                format!("{:?}\n{events}", all_customers(d))
            };
            assert!(
                data(&desk) == data(&again),
                "{day}: the clock changed the data"
            );
        }
    }

    #[test]
    fn helpers_behave() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        let mut seen = HashSet::new();
        for x in 0..100_000u32 {
            assert!(seen.insert(scramble(x, 0xDEAD_BEEF)));
        }
        let mut s = String::new();
        translit("Müller & Söhne Łódź", &mut s);
        assert_eq!(s, "Mueller & Soehne Lodz");
        let mut words = String::new();
        words_of("O'Connor's  Pub & Grill", &mut words);
        assert_eq!(words, "OConnors Pub Grill");
    }
}
