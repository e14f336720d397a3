//! `demo`: fills an empty database with realistic, varied, deterministic customers, plans,
//! templates, Cloud Edge devices, firmware and events (SPEC §5.1), so that every status,
//! filter and task has something to show.
//!
//! Everything comes from a self-written SplitMix64 generator seeded by the user's seed, and
//! every date is relative to `ctx.today` (timestamps to `ctx.now`): the same seed and the same
//! context give identical data, and every licence status exists on any day.
//!
//! Speed (a million customers is the benchmark size): customers are built directly, not through
//! the per-customer tasks, by a generator thread (which also stages each summary), while the
//! calling thread hands them to the tasks' bulk loader (`tasks::load`), which assigns ids from
//! reserved blocks and writes each customer with its summary and events. The generator makes
//! the names of a batch first and the rest of each customer in the order of the folded company
//! names, so the unique name indexes are filled nearly in key order; within a batch, ids therefore follow the company names, as after an
//! import of an alphabetical list.
//!
//! Transactions: reference data (plans, templates, firmware) and the first batch of customers
//! share the first transaction; after that a transaction is committed every [`BATCH`]
//! customers, so that a million customers do not pile up as dirty pages in memory. The one
//! `demo` audit entry is written in the last transaction: an interrupted demo leaves whole
//! batches behind and no audit entry, and is best redone into a new file.

use crate::domain::changes::change;
use crate::domain::date::{Date, Timestamp};
use crate::domain::derive::{Catalog, OpenEvents};
use crate::domain::error::{Error, Result};
use crate::domain::limits::n as thousands;
use crate::domain::model::*;
use crate::domain::summary::fold;
use crate::store::{Read, Writer};
use crate::tasks::desk::{audit, Ctx, Desk};
use crate::tasks::load::{self, Loader, Staged};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

/// Customers per write transaction.
pub const BATCH: u64 = 100_000;

/// The most customers one demo run generates.
pub const MAX_CUSTOMERS: u64 = 10_000_000;

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
            "the database already holds {existing} customers; demo fills an empty database — use another --db file"
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
    let w = std::thread::scope(|scope| {
        let (items, received) = mpsc::sync_channel(QUEUE);
        let (recycle, recycled) = mpsc::channel();
        scope.spawn(move || maker.run(customers, catalog, items, recycled));
        // On an error `received` is dropped, which stops the generator; the scope joins it.
        store_all(desk, w, customers, received, recycle, catalog, &mut report)
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
/// with its summary and events), committing every [`BATCH`] customers. Returns the open writer.
fn store_all(
    desk: &Desk,
    mut w: Writer,
    customers: u64,
    received: Receiver<Box<Staged>>,
    recycle: Sender<Box<Staged>>,
    catalog: &Catalog,
    report: &mut DemoReport,
) -> Result<Writer> {
    let mut loader = Loader::new();
    for n in 0..customers {
        if n > 0 && n % BATCH == 0 {
            w.commit()?;
            w = desk.writer()?;
            report.transactions += 1;
        }
        let Ok(mut item) = received.recv() else {
            return Err(Error::Internal("the demo generator stopped early".into()));
        };
        loader.put(&w, &mut item, None)?;
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
    }
    loader.finish(&w)?;
    Ok(w)
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
            now: ctx.now.0,
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
            p.notes.push_str(rng.one(NOTES));
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
                self.rng.one(DEVICE_ROLES),
                self.rng.one(DEVICE_PLACES)
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
                    PolicyList::ApprovedUrls => rng.one(APPROVED_URLS).replace("{D}", domain),
                    PolicyList::BlockedUrls => rng.one(BLOCKED_URLS).to_string(),
                    PolicyList::BehaviorApproved => rng.one(BEHAVIOR_APPROVED).to_string(),
                    PolicyList::BehaviorBlocked => rng.one(BEHAVIOR_BLOCKED).to_string(),
                    PolicyList::MlExceptions => format!(
                        "{:016x}{:016x}{:08x}",
                        rng.next(),
                        rng.next(),
                        rng.next() as u32
                    ),
                    PolicyList::AvExclusionsWindows => rng.one(AV_WINDOWS).to_string(),
                    PolicyList::AvExclusionsMac => rng.one(AV_MAC).to_string(),
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
                THREAT_CATEGORIES
            } else {
                SYSTEM_CATEGORIES
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
                "HOST" => HOSTS,
                "MAL" => MALWARE,
                "SPY" => GRAYWARE,
                "USER" => USERS,
                "DOMAIN" => BAD_DOMAINS,
                "PROC" => PROCESSES,
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
    for spec in PLANS {
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
    for spec in TEMPLATES {
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
    for m in MODELS {
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

const fn plan(
    name: &'static str,
    product: Product,
    kind: PlanKind,
    months: u32,
    notice: u32,
    weight: u32,
) -> PlanSpec {
    PlanSpec {
        name,
        product,
        kind,
        months,
        notice,
        auto_renew: false,
        managed: true,
        enabled: true,
        end_of_life: false,
        weight,
    }
}

use PlanKind::{Full, Trial};
use Product::{ApexOne, Cas, CloudEdge, Hes, Wfbs, Wfbss};

const PLANS: &[PlanSpec] = &[
    PlanSpec {
        auto_renew: true,
        ..plan("WFBS-S Standard 12 months", Wfbss, Full, 12, 30, 14)
    },
    PlanSpec {
        auto_renew: true,
        ..plan("WFBS-S Advanced 12 months", Wfbss, Full, 12, 30, 10)
    },
    plan("WFBS-S Advanced 36 months", Wfbss, Full, 36, 60, 5),
    plan("WFBS-S Trial (1 month)", Wfbss, Trial, 1, 7, 3),
    PlanSpec {
        enabled: false,
        ..plan("WFBS-S Promo 6 months", Wfbss, Full, 6, 30, 2)
    },
    PlanSpec {
        managed: false,
        ..plan(
            "WFBS Advanced 12 months (on-premises)",
            Wfbs,
            Full,
            12,
            30,
            7,
        )
    },
    PlanSpec {
        managed: false,
        ..plan("WFBS Standard Trial (1 month)", Wfbs, Trial, 1, 7, 1)
    },
    PlanSpec {
        auto_renew: true,
        ..plan("Cloud Edge 50 12 months", CloudEdge, Full, 12, 45, 8)
    },
    plan("Cloud Edge 100 36 months", CloudEdge, Full, 36, 60, 5),
    plan("Cloud Edge Trial (1 month)", CloudEdge, Trial, 1, 7, 2),
    PlanSpec {
        auto_renew: true,
        ..plan("Hosted Email Security 12 months", Hes, Full, 12, 30, 12)
    },
    plan(
        "Hosted Email Security Trial (1 month)",
        Hes,
        Trial,
        1,
        14,
        2,
    ),
    plan("Cloud App Security 12 months", Cas, Full, 12, 30, 8),
    PlanSpec {
        end_of_life: true,
        ..plan("Cloud App Security Legacy 12 months", Cas, Full, 12, 30, 3)
    },
    plan("Cloud App Security Trial (1 month)", Cas, Trial, 1, 14, 1),
    PlanSpec {
        auto_renew: true,
        ..plan("Apex One SaaS 12 months", ApexOne, Full, 12, 30, 10)
    },
    plan("Apex One SaaS 24 months", ApexOne, Full, 24, 45, 5),
    plan("Apex One SaaS Trial (1 month)", ApexOne, Trial, 1, 14, 2),
];

struct TemplateSpec {
    name: &'static str,
    product: Product,
    settings: &'static [(&'static str, &'static str)],
}

const TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        name: "Standard Office",
        product: Wfbss,
        settings: &[
            ("behavior_monitoring", "enabled"),
            ("device_control", "usb-read-only"),
            ("realtime_scan", "enabled"),
            ("scheduled_scan", "Friday 12:30"),
            ("smart_scan", "enabled"),
            ("update_interval", "every 3 hours"),
            ("web_reputation", "medium"),
        ],
    },
    TemplateSpec {
        name: "Strict (Healthcare)",
        product: Wfbss,
        settings: &[
            ("data_loss_prevention", "HIPAA, PCI-DSS"),
            ("device_control", "usb-blocked"),
            ("firewall", "high security"),
            ("ransomware_protection", "enabled"),
            ("realtime_scan", "enabled"),
            ("scheduled_scan", "daily 02:00"),
            ("web_reputation", "high"),
        ],
    },
    TemplateSpec {
        name: "Retail POS Lockdown",
        product: Wfbss,
        settings: &[
            ("application_control", "allow-list only"),
            ("device_control", "usb-blocked"),
            ("realtime_scan", "enabled"),
            ("web_reputation", "high"),
        ],
    },
    TemplateSpec {
        name: "Kanzlei – Datenschutz",
        product: Wfbss,
        settings: &[
            ("data_loss_prevention", "DSGVO"),
            ("email_scan", "enabled"),
            ("realtime_scan", "enabled"),
            ("scheduled_scan", "Sonntag 03:00"),
            ("web_reputation", "hoch"),
        ],
    },
    TemplateSpec {
        name: "Branch Office Gateway",
        product: CloudEdge,
        settings: &[
            ("anti_spam", "enabled"),
            ("bandwidth_limit_mbps", "100"),
            ("ips", "enabled"),
            ("mode", "gateway"),
            ("url_filtering", "business"),
            ("vpn", "site-to-site"),
        ],
    },
    TemplateSpec {
        name: "Small Retail Bridge",
        product: CloudEdge,
        settings: &[
            ("guest_wifi_isolation", "yes"),
            ("ips", "enabled"),
            ("mode", "bridge"),
            ("url_filtering", "strict"),
        ],
    },
];

struct Model {
    name: &'static str,
    serial_prefix: &'static str,
    /// The catalogue's latest firmware; `None` for a model the catalogue does not list.
    latest: Option<&'static str>,
    versions: &'static [&'static str],
    version_weights: &'static [u32],
    weight: u32,
}

const MODELS: &[Model] = &[
    Model {
        name: "CE50",
        serial_prefix: "TMCE50",
        latest: Some("3.2.1045"),
        versions: &["3.2.1045", "3.1.980", "3.0.877", "2.9.711"],
        version_weights: &[55, 25, 12, 8],
        weight: 40,
    },
    Model {
        // 3.10 is newer than 3.9: a numeric comparison trap.
        name: "CE100",
        serial_prefix: "TMCE100",
        latest: Some("3.10.2"),
        versions: &["3.10.2", "3.10.0", "3.9.88"],
        version_weights: &[55, 25, 20],
        weight: 30,
    },
    Model {
        name: "CE200",
        serial_prefix: "TMCE200",
        latest: Some("4.0.12"),
        versions: &["4.0.12", "4.0.9", "3.8.4"],
        version_weights: &[60, 30, 10],
        weight: 15,
    },
    Model {
        name: "CE-VA (virtual)",
        serial_prefix: "TMCEVA",
        latest: Some("2.5.3300"),
        versions: &["2.5.3300", "2.5.3100", "2.4.2911"],
        version_weights: &[50, 30, 20],
        weight: 10,
    },
    Model {
        name: "CE20 (legacy)",
        serial_prefix: "TMCE20",
        latest: None,
        versions: &["1.6.5", "1.6.2"],
        version_weights: &[70, 30],
        weight: 5,
    },
];

struct Awkward {
    /// `native|roman` for names without Latin letters.
    company: &'static str,
    /// The locale of the rest of the customer, when the name suggests one.
    country: Option<&'static str>,
    contact: Option<(&'static str, &'static str, &'static str)>,
    notes: Option<&'static str>,
}

const fn awkward(company: &'static str, country: Option<&'static str>) -> Awkward {
    Awkward {
        company,
        country,
        contact: None,
        notes: None,
    }
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

/// The data pools, laid out by hand as tables (rustfmt would put every entry on its own line).
#[rustfmt::skip]
mod data {
    use super::*;

    pub(super) const DEVICE_ROLES: &[&str] = &["Gateway", "Edge", "Firewall", "Cloud Edge", "UTM"];
    pub(super) const DEVICE_PLACES: &[&str] = &["HQ", "Office", "Branch", "Warehouse", "Store", "Lab", "Reception", "Plant"];

    pub(super) const THREAT_CATEGORIES: &[(&str, &[&str])] = &[
        ("antivirus", &[
            "Virus/Malware {MAL} detected on {HOST}; file quarantined",
            "Virus/Malware {MAL} detected on {HOST}; cleaning failed, manual action needed",
            "{N} infected files found during the scheduled scan on {HOST}",
        ]),
        ("spyware", &[
            "Spyware/Grayware {SPY} found on {HOST}; removed",
            "Spyware/Grayware {SPY} found on {HOST}; restart required to finish the clean-up",
        ]),
        ("spam", &[
            "{N} spam messages blocked in the last 24 hours",
            "Phishing outbreak: {N} messages from {DOMAIN} quarantined",
            "Mailbox {USER} received {N} messages with malicious attachments",
        ]),
        ("behavior-monitoring", &[
            "Unauthorized change blocked: {PROC} tried to modify the registry on {HOST}",
            "Ransomware behaviour stopped on {HOST}: {PROC} was encrypting documents",
            "Suspicious program {PROC} blocked on {HOST}",
        ]),
        ("device-control", &[
            "USB storage device blocked on {HOST} (user {USER})",
            "Unapproved mobile device connected to {HOST}",
        ]),
        ("web-reputation", &[
            "Access to a dangerous URL blocked on {HOST}: http://{DOMAIN}/",
            "{N} attempts to reach a known C&C server ({DOMAIN}) blocked",
        ]),
    ];

    pub(super) const SYSTEM_CATEGORIES: &[(&str, &[&str])] = &[
        ("smart-scan", &[
            "Smart Scan server unreachable from {N} agents",
            "{HOST} fell back to conventional scan",
        ]),
        ("component-update", &[
            "Pattern file outdated on {N} agents (older than 3 days)",
            "Scan engine update failed on {HOST}: not enough permissions",
        ]),
        ("disk-space", &[
            "Low disk space on {HOST}: {N} GB used on C:, 2 GB free",
            "Quarantine folder on {HOST} is almost full",
        ]),
        ("agent-offline", &[
            "{N} agents have not connected for 7 days",
            "{HOST} has been offline since its last update",
        ]),
    ];

    pub(super) const HOSTS: &[&str] = &[
        "PC-%##", "LAPTOP-%#", "SRV-FILE0%", "DC0%", "RECEPTION-PC", "MAC-MINI-%", "POS-%#", "WS-%##",
    ];
    pub(super) const MALWARE: &[&str] = &[
        "TROJ_GEN.R002C0DKF2%", "Ransom.Win32.LOCKBIT.YXDB", "Backdoor.Win32.COBEACON.A", "Trojan.W97M.EMOTET.SMD",
        "TrojanSpy.Win64.QAKBOT.YXBD", "HackTool.Win32.Mimikatz.CNFW", "Coinminer.Win64.MALXMR.TIAOODBZ",
    ];
    pub(super) const GRAYWARE: &[&str] = &[
        "Adware.Win32.OpenCandy", "TrackingCookie.DoubleClick", "Spyware.Keylogger.Generic", "PUA.Win32.Toolbar.Ask",
    ];
    pub(super) const USERS: &[&str] = &["j.smith", "admin", "reception", "m.mueller", "buchhaltung", "kenta.s", "compta"];
    pub(super) const BAD_DOMAINS: &[&str] = &[
        "invoice-update.example", "login-microsoft.example.net", "dhl-tracking.example.org",
        "cdn-free-download.example.com", "paypa1-secure.example",
    ];
    pub(super) const PROCESSES: &[&str] = &[
        "C:\\Users\\Public\\svch0st.exe", "%AppData%\\updater.exe", "powershell.exe -enc JAB…",
        "C:\\ProgramData\\x64\\rundll.exe", "wscript.exe invoice.js",
    ];

    pub(super) const APPROVED_URLS: &[&str] = &[
        "https://intranet.{D}/", "https://{D}/*", "https://portal.office.com/", "https://*.sharepoint.com/",
        "https://banking.example-bank.de/login", "http://192.168.1.10:8080/",
    ];
    pub(super) const BLOCKED_URLS: &[&str] = &[
        "http://malware-test.example/", "https://phish.example.net/login", "http://*.torrent-tracker.example/",
        "https://free-games.example.com/?ref=ads", "http://invoice-update.example/pay",
    ];
    pub(super) const BEHAVIOR_APPROVED: &[&str] = &[
        "%ProgramFiles%\\DATEV\\*.exe", "%ProgramFiles(x86)%\\Sage\\Accounts\\sage?.exe", "C:\\Tools\\backup?.exe",
        "%ProgramFiles%\\Veeam\\Backup\\*",
    ];
    pub(super) const BEHAVIOR_BLOCKED: &[&str] = &[
        "%AppData%\\*\\updater.exe", "%Temp%\\*.scr", "C:\\Users\\*\\Downloads\\*.js", "%LocalAppData%\\Temp\\?.exe",
    ];
    pub(super) const AV_WINDOWS: &[&str] = &[
        "C:\\Data\\*.mdb", "D:\\SQL\\*.ldf", "%ProgramData%\\Veeam\\*", "C:\\Program Files\\Microsoft SQL Server\\",
        "E:\\Backups\\",
    ];
    pub(super) const AV_MAC: &[&str] = &[
        "/Users/*/Library/Caches/", "/Applications/FileMaker Pro.app", "/Volumes/Backup/", "/opt/homebrew/",
    ];

    pub(super) const NOTES: &[&str] = &[
        "Prefers contact by phone before 10:00.",
        "Backup window: Fri 22:00–Sat 02:00.\nDo not reboot servers during month-end closing.",
        "Contract renewal is handled by the owner; send quotes to the office manager.",
        "Kunde wünscht Rechnungen per Post.\nAnsprechpartner ist bis Monatsende im Urlaub.",
        "Accès au serveur uniquement après 18 h ; prévenir l'accueil.",
        "VIP – escalate tickets directly to the account manager.",
        "Firewall rules are documented on the share: \\\\fs01\\it\\firewall.xlsx",
        "Migrated from on-premises WFBS in 2023.\n3 legacy Windows 7 PCs remain in the warehouse.",
        "請求書は月末締め翌月払い。",
        "注意：周末不要打电话。",
        "يرجى التواصل عبر البريد الإلكتروني فقط.",
        "Wi-Fi password rotates quarterly; \"Guest\" network is isolated; printers on VLAN 20, 21, 22.",
        "=SUM(1;2) — ask Frank about the spreadsheet macro",
        "Pago por transferencia a 30 días.",
    ];

    /// Names and notes that trip careless code: quoting, separators, markup, spreadsheet formulas,
    /// emoji, scripts with special case rules. Every run of about 70 customers or more holds all.
    pub(super) const AWKWARD: &[Awkward] = &[
        Awkward {
            company: "Smith \"The Fixer\" & Sons, Ltd.",
            country: Some("GB"),
            contact: Some(("Jean-Luc", "O'Brien-Smith", "jl.o'brien+it@smith-fixer.co.uk")),
            notes: Some("Line one\nLine two with \"quotes\"; a semicolon, a comma\n<script>alert(\"x\")</script>"),
        },
        awkward("Alpha; Beta; Gamma Trading", None),
        awkward("<b>Bold</b> & Brave Networks", Some("US")),
        awkward("=HYPERLINK(\"https://example.com\",\"Click me\")", None),
        awkward("+49 Telecom Solutions GmbH", Some("DE")),
        awkward("-Minus Design Studio", None),
        awkward("@Home Networks Inc.", Some("US")),
        awkward("🚀 Rocket Café ☕ GmbH", Some("DE")),
        awkward("O'Connor's Pub & Grill", Some("US")),
        awkward("'Single Quoted' Bakery", Some("GB")),
        awkward("\"Quoted\" Start Inc.", Some("CA")),
        awkward("Back\\slash & Co", None),
        awkward("100% Secure IT", None),
        awkward("Smith & Wesley-Jones #1 IT", Some("GB")),
        awkward("株式会社テスト・データ|Test Data KK", Some("JP")),
        awkward("شركة \"النخبة\" للتجارة|Al Nokhba Trading", Some("AE")),
        awkward("ΣΟΦΟΣ Πληροφορική Α.Ε.|Sofos Pliroforiki", None),
        awkward("İstanbul Bilişim A.Ş.", Some("DE")),
        awkward("Null & Void \"NULL\" Ltd", Some("GB")),
        Awkward {
            company: "Internationale Gesellschaft für Informationstechnologie, Datenschutz, \
                      Netzwerksicherheit & digitale Transformation GmbH & Co. KG",
            country: Some("DE"),
            contact: None,
            notes: Some(LONG_NOTE),
        },
        Awkward {
            company: "Ünal & Öztürk Bilgisayar Ltd. Şti.",
            country: Some("DE"),
            contact: None,
            notes: Some("Tab\tseparated\tnote\nand a second line"),
        },
    ];

    pub(super) const LONG_NOTE: &str = "\
        Onboarding checklist (kept here because the customer insists on one place for everything):\n\
        1. Collect admin credentials for the Microsoft 365 tenant, the firewall and the NAS; store them in the vault, \
        never in email.\n\
        2. Deploy agents to every Windows PC and Mac; the two CAD workstations need the performance exclusions from \
        the template.\n\
        3. Check the backup job every Monday; the offsite copy rotates on the first of each month.\n\
        4. Printers: the plotter on the second floor needs its own VLAN; the receptionist's label printer is USB only.\n\
        5. Patching: workstations Wednesday night, servers on the second Saturday of the month, never during payroll \
        week.\n\
        6. Contacts: the owner approves purchases above 500; the office manager approves everything else; the \
        accountant must be copied on renewals.\n\
        7. Known quirks: the ERP client breaks when the real-time scan inspects its temp folder; the exclusion is \
        documented in the policy list.\n\
        8. Escalation: phone first, then email; never text the owner on weekends unless the site is down.\n\
        Remember: \"quotes\", commas, semicolons; and <angle brackets> must survive every export and import.";

    // Name pools. Entries in non-Latin scripts carry an ASCII reading after `|`.

    pub(super) const EN_FIRST: &[&str] = &[
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
        "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen", "Daniel", "Lisa",
        "Matthew", "Nancy", "Anthony", "Mark", "Sandra", "Steven", "Ashley", "Andrew", "Emily", "Kevin", "Michelle",
        "Brian", "Amanda", "Olivia", "Noah", "Liam", "Emma", "Chloe", "Siobhan", "Seamus", "Priya", "Raj", "Mei",
        "Jamal", "Aaliyah", "DeShawn", "Zoë", "Renée",
    ];
    pub(super) const EN_LAST: &[&str] = &[
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Wilson",
        "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
        "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
        "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
        "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "O'Brien", "O'Connor", "McDonald", "Fitzgerald",
        "Nguyen", "Patel", "Kowalski", "Schultz", "MacLeod", "Okafor",
    ];
    pub(super) const EN_INDUSTRIES: &[&str] = &[
        "Dental", "Plumbing", "Accounting", "Legal", "Logistics", "Construction", "Realty", "Insurance",
        "Veterinary Clinic", "Family Practice", "Auto Repair", "Landscaping", "Architects", "Engineering", "Marketing",
        "Printing", "Bakery", "Brewing", "Roofing", "Electric", "HVAC", "Consulting", "Pharmacy", "Optometry",
        "Chiropractic", "Property Management", "Self Storage", "Trucking", "Catering", "Fitness",
    ];
    pub(super) const EN_BRANDS: &[&str] = &[
        "Summit", "Pinnacle", "Bluebird", "Redwood", "Keystone", "Lakeside", "Northstar", "Silverline", "Evergreen",
        "Harbor", "Ironwood", "Copperfield", "Granite", "Meadowbrook",
    ];
    pub(super) const EN_STREETS_US: &[&str] = &[
        "### Main Street", "#### Oak Avenue", "## Elm Street, Suite %##", "%## Maple Drive", "#### Commerce Parkway",
        "%# Broadway, Floor %", "P.O. Box ####", "### Martin Luther King Jr. Blvd",
    ];
    pub(super) const EN_STREETS_GB: &[&str] = &[
        "## High Street", "% Station Road", "Unit ##, Riverside Business Park", "%# Church Lane",
        "Flat %, ## Victoria Road", "### London Road",
    ];
    pub(super) const EN_MAIL: &[&str] = &["info", "office", "it", "admin", "billing"];

    pub(super) const DE_FIRST: &[&str] = &[
        "Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Maximilian", "Elias", "Anna", "Lena", "Hannah", "Marie",
        "Sophie", "Emma", "Mia", "Laura", "Jürgen", "Klaus", "Uwe", "Sabine", "Petra", "Birgit", "Günter", "Jörg",
        "Katrin", "Stefanie", "Özlem", "Mehmet", "Björn", "Kai", "Hans-Peter", "Anne-Kathrin",
    ];
    pub(super) const DE_LAST: &[&str] = &[
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
        "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
        "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs",
        "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Yılmaz", "Öztürk",
    ];
    pub(super) const DE_INDUSTRIES: &[&str] = &[
        "Bau", "Elektrotechnik", "Steuerberatung", "Zahnarztpraxis", "Sanitär", "Spedition", "Immobilien", "Metallbau",
        "Druckerei", "Bäckerei", "Autohaus", "Gartenbau", "Ingenieurbüro", "Architekten", "Malerbetrieb",
        "Dachdeckerei", "Versicherungsmakler", "Rechtsanwälte", "Physiotherapie", "Optik", "Haustechnik", "Logistik",
        "Schreinerei", "Apotheke", "Werbeagentur", "Hausverwaltung", "Brauerei", "Feinkost", "Systemhaus",
    ];
    pub(super) const DE_BRANDS: &[&str] = &[
        "Nordlicht", "Alpenblick", "Rheinland", "Elbtal", "Spreewald", "Sonnenhof", "Eichenwald", "Blautal",
        "Weitblick", "Morgenstern", "Lindenhof", "Bergquell",
    ];
    pub(super) const DE_PATTERNS: &[&str] = &[
        "{L} {I} {F}", "{I} {L} {F}", "{L} & {M} {F}", "{L} {I}", "{B} {I} {F}", "{I} {C} {F}",
    ];
    pub(super) const DE_STREETS: &[&str] = &[
        "Hauptstraße ##", "Bahnhofstraße %", "Goethestraße ##a", "Schillerweg %", "Am Marktplatz %",
        "Industriestraße ###", "Lindenallee ##", "Friedrich-Ebert-Straße ##", "Gewerbepark Süd %", "Mühlenweg ##b",
        "Königstraße ##",
    ];

    pub(super) const FR_FIRST: &[&str] = &[
        "Jean", "Marie", "Pierre", "Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Théo", "Inès",
        "Gabriel", "Zoé", "Élodie", "Mathilde", "François", "Hélène", "Jérôme", "Cécile", "Benoît", "Noémie",
        "Aurélien", "Gaëlle", "Karim", "Yasmine", "Jean-Baptiste", "Anne-Sophie",
    ];
    pub(super) const FR_LAST: &[&str] = &[
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
        "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
        "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Chevalier", "Boyer",
        "Gauthier", "Lemaître", "Rousseau", "Blanc", "Guérin", "Faure", "N'Diaye",
    ];
    pub(super) const FR_INDUSTRIES: &[&str] = &[
        "Boulangerie", "Cabinet d'avocats", "Plomberie", "Transports", "Immobilier", "Électricité", "Pharmacie",
        "Architecture", "Expertise Comptable", "Menuiserie", "Garage", "Imprimerie", "Assurances", "Cabinet Dentaire",
        "Conseil", "Traiteur", "Bâtiment", "Informatique", "Paysagiste", "Optique",
    ];
    pub(super) const FR_BRANDS: &[&str] = &[
        "Azur", "Horizon", "Soleil", "Étoile", "Lumière", "Arc-en-Ciel", "Alliance", "Avenir", "Océane", "Mistral",
    ];

    pub(super) const ES_FIRST: &[&str] = &[
        "Antonio", "Manuel", "José", "Francisco", "David", "Javier", "Lucía", "María", "Carmen", "Sofía", "Paula",
        "Alejandro", "Pablo", "Álvaro", "Nuria", "Begoña", "Íñigo", "Iñaki", "Ainhoa", "Montserrat", "Jordi", "Raúl",
        "Sergio", "María José", "Juan Carlos", "Guadalupe",
    ];
    pub(super) const ES_LAST: &[&str] = &[
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
        "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez",
        "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina",
        "Castillo", "Ortega", "Rubio", "Núñez", "Iglesias", "Ibáñez", "Etxeberria", "Puig",
    ];
    pub(super) const ES_INDUSTRIES: &[&str] = &[
        "Construcciones", "Asesoría", "Transportes", "Inmobiliaria", "Clínica Dental", "Abogados", "Electricidad",
        "Fontanería", "Farmacia", "Talleres", "Panadería", "Gestoría", "Distribuciones", "Arquitectos", "Seguros",
        "Óptica", "Informática", "Hostelería",
    ];
    pub(super) const ES_MAIL: &[&str] = &["info", "administracion", "contacto", "informatica", "ventas"];

    pub(super) const IT_FIRST: &[&str] = &[
        "Giuseppe", "Giovanni", "Antonio", "Marco", "Luca", "Francesca", "Giulia", "Chiara", "Sara", "Alessandro",
        "Matteo", "Lorenzo", "Federica", "Niccolò", "Elisa", "Gian Luca",
    ];
    pub(super) const IT_LAST: &[&str] = &[
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno",
        "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "D'Angelo",
        "Fabbri", "Caruso", "Santoro",
    ];
    pub(super) const IT_INDUSTRIES: &[&str] = &[
        "Costruzioni", "Trasporti", "Studio Legale", "Studio Dentistico", "Immobiliare", "Impianti Elettrici",
        "Farmacia", "Panificio", "Commercialisti", "Tipografia", "Officina", "Assicurazioni", "Arredamenti",
        "Informatica",
    ];

    pub(super) const PT_FIRST: &[&str] = &[
        "João", "Maria", "José", "Ana", "Francisco", "Antônio", "Gabriel", "Lucas", "Júlia", "Beatriz", "Letícia",
        "Rafael", "Thiago", "Camila", "Conceição", "Vitória",
    ];
    pub(super) const PT_LAST: &[&str] = &[
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa",
        "Ribeiro", "Martins", "Carvalho", "Araújo", "Almeida", "Gonçalves", "Nascimento", "Magalhães", "Conceição",
    ];
    pub(super) const PT_INDUSTRIES: &[&str] = &[
        "Construtora", "Transportes", "Contabilidade", "Advocacia", "Clínica Odontológica", "Imobiliária", "Farmácia",
        "Padaria", "Comércio", "Engenharia", "Informática", "Gráfica", "Distribuidora",
    ];

    pub(super) const NL_FIRST: &[&str] = &[
        "Daan", "Sem", "Lucas", "Emma", "Julia", "Sanne", "Bram", "Femke", "Joost", "Pieter", "Anouk", "Thijs",
        "Maaike", "Ruud",
    ];
    pub(super) const NL_LAST: &[&str] = &[
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
        "van 't Hof", "IJzerman",
    ];
    pub(super) const NL_INDUSTRIES: &[&str] = &[
        "Bouw", "Installatietechniek", "Transport", "Accountants", "Advocaten", "Tandartspraktijk", "Makelaardij",
        "Schilders", "Drukkerij", "Bakkerij", "Autobedrijf", "Hoveniers", "Automatisering",
    ];

    pub(super) const PL_FIRST: &[&str] = &[
        "Piotr", "Krzysztof", "Anna", "Katarzyna", "Małgorzata", "Tomasz", "Paweł", "Agnieszka", "Michał", "Łukasz",
        "Magdalena", "Grzegorz",
    ];
    pub(super) const PL_LAST: &[&str] = &[
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański",
        "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk",
    ];
    pub(super) const PL_INDUSTRIES: &[&str] = &[
        "Budownictwo", "Transport", "Biuro Rachunkowe", "Kancelaria Prawna", "Gabinet Stomatologiczny",
        "Nieruchomości", "Elektroinstalacje", "Apteka", "Piekarnia", "Informatyka",
    ];

    pub(super) const JA_FIRST: &[&str] = &[
        "翔太|Shota", "健太|Kenta", "大輔|Daisuke", "拓也|Takuya", "直樹|Naoki", "陽菜|Hina", "美咲|Misaki", "葵|Aoi",
        "結衣|Yui", "さくら|Sakura", "優子|Yuko", "恵|Megumi", "浩二|Koji", "誠|Makoto", "由美|Yumi", "蓮|Ren",
    ];
    pub(super) const JA_LAST: &[&str] = &[
        "佐藤|Sato", "鈴木|Suzuki", "高橋|Takahashi", "田中|Tanaka", "伊藤|Ito", "渡辺|Watanabe", "山本|Yamamoto",
        "中村|Nakamura", "小林|Kobayashi", "加藤|Kato", "吉田|Yoshida", "山田|Yamada", "佐々木|Sasaki",
        "山口|Yamaguchi", "松本|Matsumoto", "井上|Inoue", "木村|Kimura", "林|Hayashi", "斎藤|Saito", "清水|Shimizu",
    ];
    pub(super) const JA_INDUSTRIES: &[&str] = &[
        "建設|Kensetsu", "商事|Shoji", "工業|Kogyo", "運輸|Unyu", "不動産|Fudosan", "歯科医院|Shika",
        "会計事務所|Kaikei", "法律事務所|Horitsu", "電機|Denki", "印刷|Insatsu", "食品|Shokuhin",
        "製作所|Seisakusho", "薬局|Yakkyoku", "設計|Sekkei", "物流|Butsuryu",
    ];

    pub(super) const ZH_FIRST: &[&str] = &[
        "伟|Wei", "芳|Fang", "娜|Na", "秀英|Xiuying", "敏|Min", "静|Jing", "丽|Li", "强|Qiang", "磊|Lei", "军|Jun",
        "洋|Yang", "勇|Yong", "艳|Yan", "杰|Jie", "娟|Juan", "涛|Tao", "明|Ming", "超|Chao", "秀兰|Xiulan", "霞|Xia",
    ];
    pub(super) const ZH_LAST: &[&str] = &[
        "王|Wang", "李|Li", "张|Zhang", "刘|Liu", "陈|Chen", "杨|Yang", "黄|Huang", "赵|Zhao", "吴|Wu", "周|Zhou",
        "徐|Xu", "孙|Sun", "马|Ma", "朱|Zhu", "胡|Hu", "郭|Guo", "何|He", "林|Lin", "罗|Luo", "高|Gao",
    ];

    pub(super) const AR_FIRST: &[&str] = &[
        "محمد|Mohammed", "أحمد|Ahmed", "علي|Ali", "عمر|Omar", "خالد|Khaled", "يوسف|Youssef", "فاطمة|Fatima",
        "عائشة|Aisha", "مريم|Mariam", "نور|Nour", "سارة|Sara", "ليلى|Layla", "حسن|Hassan", "إبراهيم|Ibrahim",
        "ريم|Reem", "سلمى|Salma",
    ];
    pub(super) const AR_LAST: &[&str] = &[
        "العلي|Al-Ali", "الحسن|Al-Hassan", "المنصوري|Al-Mansouri", "الشامسي|Al-Shamsi", "الهاشمي|Al-Hashimi",
        "القاسمي|Al-Qasimi", "السعيد|Al-Saeed", "الراشد|Al-Rashid", "النعيمي|Al-Nuaimi", "الفارس|Al-Fares",
        "حداد|Haddad", "خوري|Khoury", "منصور|Mansour", "عبدالله|Abdullah", "الزهراني|Al-Zahrani",
    ];
    pub(super) const AR_INDUSTRIES: &[&str] = &[
        "للتجارة|Trading", "للمقاولات|Contracting", "للتقنية|Technology", "للاستشارات|Consulting", "للنقل|Transport",
        "للعقارات|Real Estate", "للخدمات الطبية|Medical Services", "للأغذية|Foods", "للهندسة|Engineering",
    ];
    pub(super) const AR_BRANDS: &[&str] = &[
        "النخبة|Elite", "الخليج|Gulf", "الصحراء|Sahara", "النور|Al Noor", "الأفق|Horizon", "الواحة|Oasis",
        "المستقبل|Future",
    ];
    pub(super) const AR_LEGAL: &[&str] = &["ذ.م.م|LLC", "ش.م.م|LLC", "المحدودة|Ltd", "ش.م.ع|PJSC"];
    pub(super) const AR_PATTERNS: &[&str] = &["شركة {L} {I}", "{B} {I} {F}", "مؤسسة {L} {I}", "مجموعة {B} {I}"];
    pub(super) const AR_MAIL: &[&str] = &["info", "admin", "it", "sales"];

    pub(super) const LOCALES: &[Locale] = &[
        Locale {
            country: "US",
            weight: 16,
            tld: "com",
            languages: &["en-US", "en", "es-US"],
            cities: &[
                ("New York", "NY", "America/New_York"),
                ("Brooklyn", "NY", "America/New_York"),
                ("Boston", "MA", "America/New_York"),
                ("Philadelphia", "PA", "America/New_York"),
                ("Miami", "FL", "America/New_York"),
                ("Atlanta", "GA", "America/New_York"),
                ("Detroit", "MI", "America/Detroit"),
                ("Indianapolis", "IN", "America/Indiana/Indianapolis"),
                ("Chicago", "IL", "America/Chicago"),
                ("Houston", "TX", "America/Chicago"),
                ("Austin", "TX", "America/Chicago"),
                ("Minneapolis", "MN", "America/Chicago"),
                ("Nashville", "TN", "America/Chicago"),
                ("Denver", "CO", "America/Denver"),
                ("Boise", "ID", "America/Boise"),
                ("Phoenix", "AZ", "America/Phoenix"),
                ("Los Angeles", "CA", "America/Los_Angeles"),
                ("San Francisco", "CA", "America/Los_Angeles"),
                ("Seattle", "WA", "America/Los_Angeles"),
                ("Portland", "OR", "America/Los_Angeles"),
                ("Coeur d'Alene", "ID", "America/Los_Angeles"),
                ("Anchorage", "AK", "America/Anchorage"),
                ("Honolulu", "HI", "Pacific/Honolulu"),
            ],
            first: EN_FIRST,
            last: EN_LAST,
            industries: EN_INDUSTRIES,
            brands: EN_BRANDS,
            legal: &["Inc.", "LLC", "Corp.", "Co.", "LLP", "PLLC", "Group"],
            patterns: &[
                "{L} {I}", "{L} {I} {F}", "{L} & {M} {F}", "{C} {I} {F}", "{B} {I}", "{B} {I} {F}", "{L} {I} of {C}",
            ],
            streets: EN_STREETS_US,
            postal: &["%####", "%####-####"],
            phones: &["+1 (%##) 555-01##", "(%##) 555-01##", "+1 %##-555-01##"],
            freemail: &["gmail.com", "outlook.com", "yahoo.com", "icloud.com"],
            generic_mail: EN_MAIL,
        },
        Locale {
            country: "CA",
            weight: 4,
            tld: "ca",
            languages: &["en-CA", "fr-CA", "en"],
            cities: &[
                ("Toronto", "Ontario", "America/Toronto"),
                ("Ottawa", "Ontario", "America/Toronto"),
                ("Montréal", "Québec", "America/Toronto"),
                ("Québec", "Québec", "America/Toronto"),
                ("Vancouver", "British Columbia", "America/Vancouver"),
                ("Calgary", "Alberta", "America/Edmonton"),
                ("Edmonton", "Alberta", "America/Edmonton"),
                ("Winnipeg", "Manitoba", "America/Winnipeg"),
                ("Regina", "Saskatchewan", "America/Regina"),
                ("Halifax", "Nova Scotia", "America/Halifax"),
                ("St. John's", "Newfoundland and Labrador", "America/St_Johns"),
            ],
            first: EN_FIRST,
            last: EN_LAST,
            industries: EN_INDUSTRIES,
            brands: EN_BRANDS,
            legal: &["Inc.", "Ltd.", "Ltée", "Corp.", "ULC"],
            patterns: &["{L} {I} {F}", "{B} {I} {F}", "{C} {I} {F}", "{L} & {M} {F}"],
            streets: EN_STREETS_US,
            postal: &["@#@ #@#"],
            phones: &["+1 (%##) 555-01##", "+1 %##-555-01##"],
            freemail: &["gmail.com", "outlook.com", "videotron.ca", "shaw.ca"],
            generic_mail: EN_MAIL,
        },
        Locale {
            country: "GB",
            weight: 8,
            tld: "co.uk",
            languages: &["en-GB", "en", "cy-GB"],
            cities: &[
                ("London", "Greater London", "Europe/London"),
                ("Manchester", "Greater Manchester", "Europe/London"),
                ("Birmingham", "West Midlands", "Europe/London"),
                ("Leeds", "West Yorkshire", "Europe/London"),
                ("Sheffield", "South Yorkshire", "Europe/London"),
                ("Bristol", "Bristol", "Europe/London"),
                ("Brighton", "East Sussex", "Europe/London"),
                ("Glasgow", "Scotland", "Europe/London"),
                ("Edinburgh", "Scotland", "Europe/London"),
                ("Aberdeen", "Scotland", "Europe/London"),
                ("Cardiff", "Wales", "Europe/London"),
                ("Swansea", "Wales", "Europe/London"),
                ("Belfast", "Northern Ireland", "Europe/London"),
                ("Milton Keynes", "Buckinghamshire", "Europe/London"),
                ("Stoke-on-Trent", "Staffordshire", "Europe/London"),
            ],
            first: EN_FIRST,
            last: EN_LAST,
            industries: EN_INDUSTRIES,
            brands: EN_BRANDS,
            legal: &["Ltd", "Limited", "LLP", "PLC", "& Co"],
            patterns: &[
                "{L} & {M} {F}", "{C} {I} {F}", "{L} {I} {F}", "{B} {I} {F}", "{L} {I}",
            ],
            streets: EN_STREETS_GB,
            postal: &["@@# #@@", "@# #@@", "@@#@ #@@"],
            phones: &[
                "+44 20 7946 0###", "+44 161 496 0###", "+44 113 496 0###", "020 7946 0###",
            ],
            freemail: &["gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"],
            generic_mail: &["info", "office", "accounts", "it"],
        },
        Locale {
            country: "DE",
            weight: 12,
            tld: "de",
            languages: &["de-DE", "de", "en"],
            cities: &[
                ("Berlin", "Berlin", "Europe/Berlin"),
                ("Hamburg", "Hamburg", "Europe/Berlin"),
                ("München", "Bayern", "Europe/Berlin"),
                ("Köln", "Nordrhein-Westfalen", "Europe/Berlin"),
                ("Frankfurt am Main", "Hessen", "Europe/Berlin"),
                ("Stuttgart", "Baden-Württemberg", "Europe/Berlin"),
                ("Düsseldorf", "Nordrhein-Westfalen", "Europe/Berlin"),
                ("Leipzig", "Sachsen", "Europe/Berlin"),
                ("Dortmund", "Nordrhein-Westfalen", "Europe/Berlin"),
                ("Bremen", "Bremen", "Europe/Berlin"),
                ("Dresden", "Sachsen", "Europe/Berlin"),
                ("Hannover", "Niedersachsen", "Europe/Berlin"),
                ("Nürnberg", "Bayern", "Europe/Berlin"),
                ("Freiburg im Breisgau", "Baden-Württemberg", "Europe/Berlin"),
                ("Görlitz", "Sachsen", "Europe/Berlin"),
                ("Lübeck", "Schleswig-Holstein", "Europe/Berlin"),
                ("Mainz", "Rheinland-Pfalz", "Europe/Berlin"),
                ("Saarbrücken", "Saarland", "Europe/Berlin"),
                ("Erfurt", "Thüringen", "Europe/Berlin"),
            ],
            first: DE_FIRST,
            last: DE_LAST,
            industries: DE_INDUSTRIES,
            brands: DE_BRANDS,
            legal: &[
                "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "OHG", "UG (haftungsbeschränkt)", "GbR",
            ],
            patterns: DE_PATTERNS,
            streets: DE_STREETS,
            postal: &["%####"],
            phones: &[
                "+49 30 #######", "+49 89 ########", "+49 %## ######-##", "0%## #######", "+49 1%# ########",
            ],
            freemail: &["gmx.de", "web.de", "t-online.de", "gmail.com"],
            generic_mail: &["info", "kontakt", "buero", "it", "verwaltung"],
        },
        Locale {
            country: "AT",
            weight: 3,
            tld: "at",
            languages: &["de-AT", "de", "en"],
            cities: &[
                ("Wien", "Wien", "Europe/Vienna"),
                ("Graz", "Steiermark", "Europe/Vienna"),
                ("Linz", "Oberösterreich", "Europe/Vienna"),
                ("Salzburg", "Salzburg", "Europe/Vienna"),
                ("Innsbruck", "Tirol", "Europe/Vienna"),
                ("Klagenfurt am Wörthersee", "Kärnten", "Europe/Vienna"),
                ("Bregenz", "Vorarlberg", "Europe/Vienna"),
                ("St. Pölten", "Niederösterreich", "Europe/Vienna"),
            ],
            first: DE_FIRST,
            last: DE_LAST,
            industries: DE_INDUSTRIES,
            brands: DE_BRANDS,
            legal: &["GmbH", "KG", "OG", "e.U.", "AG"],
            patterns: DE_PATTERNS,
            streets: DE_STREETS,
            postal: &["%###"],
            phones: &["+43 1 ### ## ##", "+43 %## ######", "+43 664 #######"],
            freemail: &["gmx.at", "aon.at", "gmail.com"],
            generic_mail: &["office", "info", "kontakt", "it"],
        },
        Locale {
            country: "CH",
            weight: 3,
            tld: "ch",
            languages: &["de-CH", "fr-CH", "it-CH", "gsw-CH", "rm"],
            cities: &[
                ("Zürich", "Zürich", "Europe/Zurich"),
                ("Genève", "Genève", "Europe/Zurich"),
                ("Basel", "Basel-Stadt", "Europe/Zurich"),
                ("Bern", "Bern", "Europe/Zurich"),
                ("Lausanne", "Vaud", "Europe/Zurich"),
                ("Luzern", "Luzern", "Europe/Zurich"),
                ("St. Gallen", "St. Gallen", "Europe/Zurich"),
                ("Lugano", "Ticino", "Europe/Zurich"),
                ("Biel/Bienne", "Bern", "Europe/Zurich"),
            ],
            first: DE_FIRST,
            last: DE_LAST,
            industries: DE_INDUSTRIES,
            brands: DE_BRANDS,
            legal: &["AG", "GmbH", "SA", "Sàrl", "Genossenschaft"],
            patterns: DE_PATTERNS,
            streets: DE_STREETS,
            postal: &["%###"],
            phones: &["+41 44 ### ## ##", "+41 %# ### ## ##", "+41 7% ### ## ##"],
            freemail: &["bluewin.ch", "gmail.com", "gmx.ch"],
            generic_mail: &["info", "kontakt", "office", "it"],
        },
        Locale {
            country: "FR",
            weight: 9,
            tld: "fr",
            languages: &["fr-FR", "fr", "en", "br-FR"],
            cities: &[
                ("Paris", "Île-de-France", "Europe/Paris"),
                ("Lyon", "Auvergne-Rhône-Alpes", "Europe/Paris"),
                ("Marseille", "Provence-Alpes-Côte d'Azur", "Europe/Paris"),
                ("Toulouse", "Occitanie", "Europe/Paris"),
                ("Nice", "Provence-Alpes-Côte d'Azur", "Europe/Paris"),
                ("Nantes", "Pays de la Loire", "Europe/Paris"),
                ("Strasbourg", "Grand Est", "Europe/Paris"),
                ("Montpellier", "Occitanie", "Europe/Paris"),
                ("Bordeaux", "Nouvelle-Aquitaine", "Europe/Paris"),
                ("Lille", "Hauts-de-France", "Europe/Paris"),
                ("Rennes", "Bretagne", "Europe/Paris"),
                ("Saint-Étienne", "Auvergne-Rhône-Alpes", "Europe/Paris"),
                ("Besançon", "Bourgogne-Franche-Comté", "Europe/Paris"),
                ("Orléans", "Centre-Val de Loire", "Europe/Paris"),
                ("Saint-Denis", "La Réunion", "Indian/Reunion"),
            ],
            first: FR_FIRST,
            last: FR_LAST,
            industries: FR_INDUSTRIES,
            brands: FR_BRANDS,
            legal: &["SARL", "SAS", "SA", "EURL", "SNC", "SASU"],
            patterns: &[
                "{I} {L}", "{I} {L} {F}", "{L} {F}", "{L} & {M}", "{I} de {C}", "{B} {I} {F}",
            ],
            streets: &[
                "## rue de la République", "% avenue des Champs-Élysées", "### boulevard Saint-Germain",
                "## place Bellecour", "% impasse des Lilas", "## quai des Chartrons", "%# allée des Tilleuls",
                "## rue du Faubourg Saint-Honoré",
            ],
            postal: &["%####"],
            phones: &[
                "+33 1 ## ## ## ##", "+33 4 ## ## ## ##", "0% ## ## ## ##", "+33 6 ## ## ## ##",
            ],
            freemail: &["orange.fr", "free.fr", "laposte.net", "gmail.com"],
            generic_mail: &["contact", "info", "accueil", "informatique"],
        },
        Locale {
            country: "ES",
            weight: 6,
            tld: "es",
            languages: &["es-ES", "es", "ca-ES", "eu-ES", "gl-ES", "en"],
            cities: &[
                ("Madrid", "Comunidad de Madrid", "Europe/Madrid"),
                ("Barcelona", "Cataluña", "Europe/Madrid"),
                ("Valencia", "Comunitat Valenciana", "Europe/Madrid"),
                ("Sevilla", "Andalucía", "Europe/Madrid"),
                ("Zaragoza", "Aragón", "Europe/Madrid"),
                ("Málaga", "Andalucía", "Europe/Madrid"),
                ("Bilbao", "País Vasco", "Europe/Madrid"),
                ("A Coruña", "Galicia", "Europe/Madrid"),
                ("Palma", "Illes Balears", "Europe/Madrid"),
                ("Las Palmas de Gran Canaria", "Canarias", "Atlantic/Canary"),
                ("Santa Cruz de Tenerife", "Canarias", "Atlantic/Canary"),
                ("Ceuta", "Ceuta", "Africa/Ceuta"),
            ],
            first: ES_FIRST,
            last: ES_LAST,
            industries: ES_INDUSTRIES,
            brands: &[
                "Sol", "Mediterráneo", "Ibérica", "Atlántico", "Levante", "Cierzo", "Alhambra", "Cantábrico",
            ],
            legal: &["S.L.", "S.A.", "S.L.U.", "S.Coop."],
            patterns: &[
                "{I} {L} {F}", "{L} {I} {F}", "{L} y {M} {F}", "{I} {C} {F}", "{B} {I} {F}", "{L} Hermanos {F}",
            ],
            streets: &[
                "Calle Mayor, ##", "Avenida de la Constitución, ###", "Plaza de España, %", "Calle de Alcalá, ###, %º @",
                "Paseo de Gracia, ##", "Polígono Industrial Las Torres, nave ##",
            ],
            postal: &["%####"],
            phones: &[
                "+34 91 ### ## ##", "+34 93 ### ## ##", "+34 6## ### ###", "9## ### ###",
            ],
            freemail: &["gmail.com", "hotmail.es", "telefonica.net"],
            generic_mail: ES_MAIL,
        },
        Locale {
            country: "MX",
            weight: 4,
            tld: "com.mx",
            languages: &["es-MX", "es-419", "es", "en"],
            cities: &[
                ("Ciudad de México", "CDMX", "America/Mexico_City"),
                ("Guadalajara", "Jalisco", "America/Mexico_City"),
                ("Monterrey", "Nuevo León", "America/Monterrey"),
                ("Puebla", "Puebla", "America/Mexico_City"),
                ("Tijuana", "Baja California", "America/Tijuana"),
                ("Mérida", "Yucatán", "America/Merida"),
                ("Cancún", "Quintana Roo", "America/Cancun"),
                ("Hermosillo", "Sonora", "America/Hermosillo"),
                ("Chihuahua", "Chihuahua", "America/Chihuahua"),
            ],
            first: ES_FIRST,
            last: ES_LAST,
            industries: ES_INDUSTRIES,
            brands: &[
                "Azteca", "Maya", "Sierra Madre", "Pacífico", "Del Bajío", "Norteña",
            ],
            legal: &[
                "S.A. de C.V.", "S. de R.L. de C.V.", "S.C.", "S.A.P.I. de C.V.",
            ],
            patterns: &["{I} {L} {F}", "{L} {I} {F}", "{B} {I} {F}", "{I} {C} {F}"],
            streets: &[
                "Av. Insurgentes Sur ####", "Calle Reforma ###, Col. Centro", "Blvd. Kukulcán km %.#",
                "Av. Juárez ###, Int. %",
            ],
            postal: &["#####"],
            phones: &["+52 55 #### ####", "+52 33 #### ####", "+52 81 #### ####"],
            freemail: &["gmail.com", "hotmail.com", "prodigy.net.mx"],
            generic_mail: ES_MAIL,
        },
        Locale {
            country: "AR",
            weight: 2,
            tld: "com.ar",
            languages: &["es-AR", "es", "en"],
            cities: &[
                ("Buenos Aires", "Ciudad Autónoma de Buenos Aires", "America/Argentina/Buenos_Aires"),
                ("Córdoba", "Córdoba", "America/Argentina/Cordoba"),
                ("Rosario", "Santa Fe", "America/Argentina/Cordoba"),
                ("Mendoza", "Mendoza", "America/Argentina/Mendoza"),
                ("San Miguel de Tucumán", "Tucumán", "America/Argentina/Tucuman"),
                ("Ushuaia", "Tierra del Fuego", "America/Argentina/Ushuaia"),
            ],
            first: ES_FIRST,
            last: ES_LAST,
            industries: ES_INDUSTRIES,
            brands: &["Pampa", "Austral", "Andina", "Del Plata", "Patagonia"],
            legal: &["S.A.", "S.R.L.", "S.A.S."],
            patterns: &[
                "{I} {L} {F}", "{L} {I} {F}", "{B} {I} {F}", "{L} Hermanos {F}",
            ],
            streets: &[
                "Av. Corrientes ####", "Florida ###, piso %", "Av. Santa Fe ####, %º @", "Bv. Oroño ###",
            ],
            postal: &["@####@@@"],
            phones: &["+54 11 ####-####", "+54 351 ###-####", "+54 9 11 ####-####"],
            freemail: &["gmail.com", "hotmail.com.ar", "fibertel.com.ar"],
            generic_mail: ES_MAIL,
        },
        Locale {
            country: "IT",
            weight: 5,
            tld: "it",
            languages: &["it-IT", "it", "de-IT", "en"],
            cities: &[
                ("Roma", "Lazio", "Europe/Rome"),
                ("Milano", "Lombardia", "Europe/Rome"),
                ("Napoli", "Campania", "Europe/Rome"),
                ("Torino", "Piemonte", "Europe/Rome"),
                ("Bologna", "Emilia-Romagna", "Europe/Rome"),
                ("Firenze", "Toscana", "Europe/Rome"),
                ("Bari", "Puglia", "Europe/Rome"),
                ("Palermo", "Sicilia", "Europe/Rome"),
                ("Genova", "Liguria", "Europe/Rome"),
                ("Verona", "Veneto", "Europe/Rome"),
                ("Reggio nell'Emilia", "Emilia-Romagna", "Europe/Rome"),
                ("Bolzano", "Trentino-Alto Adige", "Europe/Rome"),
            ],
            first: IT_FIRST,
            last: IT_LAST,
            industries: IT_INDUSTRIES,
            brands: &[
                "Aurora", "Stella", "Adriatica", "Tirreno", "Dolomiti", "Vesuvio", "Arno", "Laguna",
            ],
            legal: &["S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "S.r.l.s."],
            patterns: &[
                "{L} {I} {F}", "{I} {L} {F}", "{L} & {M} {F}", "{B} {I} {F}", "{I} {C} {F}", "{L} & Figli {F}",
            ],
            streets: &[
                "Via Roma ##", "Corso Vittorio Emanuele II ###", "Piazza del Duomo %", "Viale Europa ##/@",
                "Via Giuseppe Garibaldi ##", "Largo dei Lombardi %",
            ],
            postal: &["%####"],
            phones: &[
                "+39 02 #### ####", "+39 06 #### ####", "+39 3## ### ####", "+39 0%# ######",
            ],
            freemail: &["libero.it", "gmail.com", "virgilio.it", "tim.it"],
            generic_mail: &["info", "amministrazione", "ufficio", "it"],
        },
        Locale {
            country: "BR",
            weight: 4,
            tld: "com.br",
            languages: &["pt-BR", "pt", "en"],
            cities: &[
                ("São Paulo", "SP", "America/Sao_Paulo"),
                ("Campinas", "SP", "America/Sao_Paulo"),
                ("Rio de Janeiro", "RJ", "America/Sao_Paulo"),
                ("Belo Horizonte", "MG", "America/Sao_Paulo"),
                ("Curitiba", "PR", "America/Sao_Paulo"),
                ("Porto Alegre", "RS", "America/Sao_Paulo"),
                ("Florianópolis", "SC", "America/Sao_Paulo"),
                ("Brasília", "DF", "America/Sao_Paulo"),
                ("Salvador", "BA", "America/Bahia"),
                ("Recife", "PE", "America/Recife"),
                ("Fortaleza", "CE", "America/Fortaleza"),
                ("Belém", "PA", "America/Belem"),
                ("Manaus", "AM", "America/Manaus"),
                ("Cuiabá", "MT", "America/Cuiaba"),
                ("Rio Branco", "AC", "America/Rio_Branco"),
            ],
            first: PT_FIRST,
            last: PT_LAST,
            industries: PT_INDUSTRIES,
            brands: &[
                "Aurora", "Tropical", "Horizonte", "Cristal", "Estrela", "Cerrado", "Atlântica", "Ipê",
            ],
            legal: &["Ltda.", "S.A.", "ME", "EIRELI", "& Filhos"],
            patterns: &[
                "{I} {L} {F}", "{L} & {M} {F}", "{B} {I} {F}", "{L} {I} {F}", "{I} {C} {F}",
            ],
            streets: &[
                "Rua Augusta, ###", "Avenida Paulista, ####, conj. ##", "Rua das Flores, ##, sala ##",
                "Avenida Atlântica, ####", "Rua XV de Novembro, ###",
            ],
            postal: &["#####-###"],
            phones: &["+55 11 9####-####", "+55 21 ####-####", "(%#) 9####-####"],
            freemail: &["gmail.com", "uol.com.br", "bol.com.br", "hotmail.com"],
            generic_mail: &["contato", "financeiro", "ti", "comercial"],
        },
        Locale {
            country: "NL",
            weight: 3,
            tld: "nl",
            languages: &["nl-NL", "nl", "fy-NL", "en"],
            cities: &[
                ("Amsterdam", "Noord-Holland", "Europe/Amsterdam"),
                ("Rotterdam", "Zuid-Holland", "Europe/Amsterdam"),
                ("Den Haag", "Zuid-Holland", "Europe/Amsterdam"),
                ("Utrecht", "Utrecht", "Europe/Amsterdam"),
                ("Eindhoven", "Noord-Brabant", "Europe/Amsterdam"),
                ("'s-Hertogenbosch", "Noord-Brabant", "Europe/Amsterdam"),
                ("Groningen", "Groningen", "Europe/Amsterdam"),
                ("Maastricht", "Limburg", "Europe/Amsterdam"),
                ("Zwolle", "Overijssel", "Europe/Amsterdam"),
                ("Leeuwarden", "Friesland", "Europe/Amsterdam"),
            ],
            first: NL_FIRST,
            last: NL_LAST,
            industries: NL_INDUSTRIES,
            brands: &[
                "Noorderlicht", "Polder", "Tulp", "Molen", "Duinzicht", "Waddenzee", "Oranje", "Lage Landen",
            ],
            legal: &["B.V.", "V.O.F.", "N.V.", "& Zn."],
            patterns: &[
                "{L} {I} {F}", "{B} {I} {F}", "{I} {L} {F}", "{L} & {M} {F}", "{I} {C}",
            ],
            streets: &[
                "Keizersgracht ###", "Dorpsstraat ##", "Stationsplein %", "Industrieweg ##-@", "Kerkstraat %#",
                "Havenkade ##",
            ],
            postal: &["%### @@"],
            phones: &[
                "+31 20 ### ####", "+31 10 ### ####", "+31 6 ########", "0%# ### ####",
            ],
            freemail: &["ziggo.nl", "kpnmail.nl", "gmail.com", "hotmail.nl"],
            generic_mail: &["info", "administratie", "ict", "kantoor"],
        },
        Locale {
            country: "PL",
            weight: 3,
            tld: "pl",
            languages: &["pl-PL", "pl", "en"],
            cities: &[
                ("Warszawa", "mazowieckie", "Europe/Warsaw"),
                ("Kraków", "małopolskie", "Europe/Warsaw"),
                ("Łódź", "łódzkie", "Europe/Warsaw"),
                ("Wrocław", "dolnośląskie", "Europe/Warsaw"),
                ("Poznań", "wielkopolskie", "Europe/Warsaw"),
                ("Gdańsk", "pomorskie", "Europe/Warsaw"),
                ("Szczecin", "zachodniopomorskie", "Europe/Warsaw"),
                ("Lublin", "lubelskie", "Europe/Warsaw"),
                ("Katowice", "śląskie", "Europe/Warsaw"),
                ("Białystok", "podlaskie", "Europe/Warsaw"),
                ("Rzeszów", "podkarpackie", "Europe/Warsaw"),
            ],
            first: PL_FIRST,
            last: PL_LAST,
            industries: PL_INDUSTRIES,
            brands: &[
                "Orzeł", "Wisła", "Bałtyk", "Tatry", "Mazowsze", "Polonia", "Jantar", "Sokół",
            ],
            legal: &["Sp. z o.o.", "S.A.", "s.c.", "Sp.j.", "Sp.k."],
            patterns: &[
                "{I} {L} {F}", "{L} {I} {F}", "{B} {F}", "{B} {I} {F}", "{L} i {M} {F}",
            ],
            streets: &[
                "ul. Marszałkowska ###", "ul. Długa ##/%", "al. Jerozolimskie ###", "ul. Piotrkowska ###",
                "pl. Grunwaldzki %", "ul. Świętokrzyska ##",
            ],
            postal: &["%#-###"],
            phones: &["+48 22 ### ## ##", "+48 12 ### ## ##", "+48 %## ### ###"],
            freemail: &["wp.pl", "onet.pl", "o2.pl", "gmail.com"],
            generic_mail: &["biuro", "kontakt", "it", "sekretariat"],
        },
        Locale {
            country: "JP",
            weight: 7,
            tld: "co.jp",
            languages: &["ja-JP", "ja", "en"],
            cities: &[
                ("渋谷区|Shibuya", "東京都", "Asia/Tokyo"),
                ("千代田区|Chiyoda", "東京都", "Asia/Tokyo"),
                ("大阪市|Osaka", "大阪府", "Asia/Tokyo"),
                ("横浜市|Yokohama", "神奈川県", "Asia/Tokyo"),
                ("名古屋市|Nagoya", "愛知県", "Asia/Tokyo"),
                ("札幌市|Sapporo", "北海道", "Asia/Tokyo"),
                ("福岡市|Fukuoka", "福岡県", "Asia/Tokyo"),
                ("京都市|Kyoto", "京都府", "Asia/Tokyo"),
                ("神戸市|Kobe", "兵庫県", "Asia/Tokyo"),
                ("仙台市|Sendai", "宮城県", "Asia/Tokyo"),
                ("那覇市|Naha", "沖縄県", "Asia/Tokyo"),
            ],
            first: JA_FIRST,
            last: JA_LAST,
            industries: JA_INDUSTRIES,
            brands: &[
                "日本|Nihon", "東洋|Toyo", "大和|Yamato", "富士|Fuji", "桜|Sakura", "三和|Sanwa", "光|Hikari",
                "未来|Mirai", "アオバ|Aoba", "ミドリ|Midori",
            ],
            legal: &["株式会社|", "有限会社|", "合同会社|"],
            patterns: &[
                "{F}{L}{I}", "{L}{I}{F}", "{F}{B}{I}", "{B}{I}{F}", "{C}{L}{I}",
            ],
            streets: &[
                "道玄坂%-##-%", "梅田%丁目%-##", "銀座%-%-%", "栄%丁目##番%号", "本町%-%-## ##ビル%F",
            ],
            postal: &["%##-####"],
            phones: &[
                "+81 3-####-####", "03-####-####", "+81 6-####-####", "+81 90-####-####",
            ],
            freemail: &["gmail.com", "yahoo.co.jp", "docomo.ne.jp"],
            generic_mail: &["info", "soumu", "it", "support"],
        },
        Locale {
            country: "CN",
            weight: 5,
            tld: "com.cn",
            languages: &["zh-CN", "zh-Hans-CN", "zh", "en"],
            cities: &[
                ("上海市|Shanghai", "上海市", "Asia/Shanghai"),
                ("北京市|Beijing", "北京市", "Asia/Shanghai"),
                ("深圳市|Shenzhen", "广东省", "Asia/Shanghai"),
                ("广州市|Guangzhou", "广东省", "Asia/Shanghai"),
                ("杭州市|Hangzhou", "浙江省", "Asia/Shanghai"),
                ("成都市|Chengdu", "四川省", "Asia/Shanghai"),
                ("武汉市|Wuhan", "湖北省", "Asia/Shanghai"),
                ("南京市|Nanjing", "江苏省", "Asia/Shanghai"),
                ("乌鲁木齐市|Urumqi", "新疆维吾尔自治区", "Asia/Urumqi"),
            ],
            first: ZH_FIRST,
            last: ZH_LAST,
            industries: &[
                "科技|Keji", "贸易|Maoyi", "建筑|Jianzhu", "物流|Wuliu", "电子|Dianzi", "医疗器械|Yiliao", "会计师事务所|Kuaiji",
                "律师事务所|Lvshi", "餐饮|Canyin", "印刷|Yinshua", "软件|Ruanjian", "机械|Jixie",
            ],
            brands: &[
                "华信|Huaxin", "恒通|Hengtong", "鑫达|Xinda", "宏远|Hongyuan", "瑞丰|Ruifeng", "泰和|Taihe", "盛世|Shengshi",
                "嘉禾|Jiahe", "天成|Tiancheng", "金桥|Jinqiao", "东方|Dongfang", "新源|Xinyuan",
            ],
            legal: &["有限公司|", "股份有限公司|", "集团有限公司|Group"],
            patterns: &["{C}{B}{I}{F}", "{B}{I}{F}", "{C}{B}{I}{F}"],
            streets: &[
                "浦东新区世纪大道###号", "朝阳区建国路##号院%号楼", "南山区科技园%栋##室", "中山路###号",
            ],
            postal: &["%#####"],
            phones: &[
                "+86 21 #### ####", "+86 10 #### ####", "+86 1%# #### ####", "+86 755 #### ####",
            ],
            freemail: &["qq.com", "163.com", "126.com"],
            generic_mail: &["info", "admin", "it", "service"],
        },
        Locale {
            country: "AE",
            weight: 3,
            tld: "ae",
            languages: &["ar-AE", "en-AE", "ar", "en"],
            cities: &[
                ("Dubai", "Dubai", "Asia/Dubai"),
                ("Abu Dhabi", "Abu Dhabi", "Asia/Dubai"),
                ("Sharjah", "Sharjah", "Asia/Dubai"),
                ("Ajman", "Ajman", "Asia/Dubai"),
                ("Ras Al Khaimah", "Ras Al Khaimah", "Asia/Dubai"),
            ],
            first: AR_FIRST,
            last: AR_LAST,
            industries: AR_INDUSTRIES,
            brands: AR_BRANDS,
            legal: AR_LEGAL,
            patterns: AR_PATTERNS,
            streets: &[
                "Office %##, Sheikh Zayed Road", "Villa ##, Al Wasl Road", "Floor ##, Business Bay Tower %",
                "P.O. Box #####",
            ],
            postal: &[],
            phones: &["+971 4 ### ####", "+971 2 ### ####", "+971 5% ### ####"],
            freemail: &["gmail.com", "outlook.com", "emirates.net.ae"],
            generic_mail: AR_MAIL,
        },
        Locale {
            country: "SA",
            weight: 2,
            tld: "com.sa",
            languages: &["ar-SA", "ar", "en"],
            cities: &[
                ("الرياض|Riyadh", "منطقة الرياض", "Asia/Riyadh"),
                ("جدة|Jeddah", "منطقة مكة المكرمة", "Asia/Riyadh"),
                ("الدمام|Dammam", "المنطقة الشرقية", "Asia/Riyadh"),
                ("المدينة المنورة|Medina", "منطقة المدينة المنورة", "Asia/Riyadh"),
            ],
            first: AR_FIRST,
            last: AR_LAST,
            industries: AR_INDUSTRIES,
            brands: AR_BRANDS,
            legal: AR_LEGAL,
            patterns: AR_PATTERNS,
            streets: &[
                "طريق الملك فهد، مبنى ##", "شارع التحلية ##", "حي العليا، ###",
            ],
            postal: &["%####", "%####-####"],
            phones: &["+966 11 ### ####", "+966 5# ### ####"],
            freemail: &["gmail.com", "outlook.sa", "hotmail.com"],
            generic_mail: AR_MAIL,
        },
        Locale {
            country: "EG",
            weight: 1,
            tld: "com.eg",
            languages: &["ar-EG", "ar", "en"],
            cities: &[
                ("القاهرة|Cairo", "محافظة القاهرة", "Africa/Cairo"),
                ("الإسكندرية|Alexandria", "محافظة الإسكندرية", "Africa/Cairo"),
                ("الجيزة|Giza", "محافظة الجيزة", "Africa/Cairo"),
            ],
            first: AR_FIRST,
            last: AR_LAST,
            industries: AR_INDUSTRIES,
            brands: AR_BRANDS,
            legal: AR_LEGAL,
            patterns: AR_PATTERNS,
            streets: &[
                "## شارع التحرير", "### شارع الهرم", "## شارع جامعة الدول العربية",
            ],
            postal: &["%####"],
            phones: &["+20 2 #### ####", "+20 1% #### ####"],
            freemail: &["gmail.com", "yahoo.com", "hotmail.com"],
            generic_mail: AR_MAIL,
        },
    ];
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
        parts.push(serde_json::to_string(&desk.audit_log(10, None, None).unwrap()).unwrap());
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
            let input = CustomerInput {
                company: Some(p.company.clone()),
                account_name: Some(p.account_name.clone()),
                account_type: Some(p.account_type.code().to_string()),
                status: Some(c.status.code().to_string()),
                contact_first_name: Some(p.contact_first_name.clone()),
                contact_last_name: Some(p.contact_last_name.clone()),
                email: Some(p.email.clone()),
                phone: Some(p.phone.clone()),
                address: Some(p.address.clone()),
                city: Some(p.city.clone()),
                state: Some(p.state.clone()),
                postal_code: Some(p.postal_code.clone()),
                country: Some(p.country.clone()),
                time_zone: Some(p.time_zone.clone()),
                language: Some(p.language.clone()),
                notes: Some(p.notes.clone()),
                ..CustomerInput::default()
            };
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
        for a in AWKWARD {
            let name = split(a.company).0;
            assert!(validate::text(name, 1, 128).is_ok(), "{name}");
            assert!(
                customers.iter().any(|c| c.profile.company == name),
                "{name} missing"
            );
        }
        let entries = desk.audit_log(10, None, None).unwrap();
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
                    "the database already holds 10 customers; demo fills an empty database — use another --db file"
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
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            &dir.path().join("demo.redb"),
            Access::Write,
            Some(ctx().today),
        )
        .unwrap();
        let first = generate(&desk, ctx(), 0, 1).unwrap();
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
