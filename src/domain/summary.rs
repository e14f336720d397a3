//! The compact per-customer row that listing, filtering and sorting read instead of the full
//! record. It holds facts only (no *today*-dependent status), so it stays valid as days pass;
//! it is rewritten with its customer and whenever a plan or event of the customer changes.

use super::date::{Date, Timestamp};
use super::derive::{license_status, Catalog, OpenEvents};
use super::filter::{Filter, SortKey};
use super::model::{
    AccountType, Category, Customer, CustomerStatus, LicenseFilter, LicenseStatus, View,
};
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseFacts {
    pub expiry: Date,
    pub units: u32,
    pub used: u32,
    pub notice_days: u32,
    pub managed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub id: u64,
    /// Lower-case company, used for sorting and as the first part of `haystack`.
    pub company_key: String,
    pub account_key: String,
    /// Lower-case searchable text: company, account name, contact names, email, phone.
    pub haystack: String,
    pub account_type: AccountType,
    pub status: CustomerStatus,
    pub products: u8,
    pub licenses: Vec<LicenseFacts>,
    /// (model, firmware) of each device.
    pub devices: Vec<(String, String)>,
    pub open: OpenEvents,
    pub last_transaction: Timestamp,
}

/// A customer's reasons for attention, counted by category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttentionCounts {
    pub threat_system_action_required: u32,
    pub threat_system_warning: u32,
    pub license_action_required: u32,
    pub license_warning: u32,
}

impl AttentionCounts {
    pub fn of(&self, c: Category) -> u32 {
        match c {
            Category::ThreatSystemActionRequired => self.threat_system_action_required,
            Category::ThreatSystemWarning => self.threat_system_warning,
            Category::LicenseActionRequired => self.license_action_required,
            Category::LicenseWarning => self.license_warning,
        }
    }
}

/// The facts a customer is filtered on that do not move with the days — account type,
/// status, products, managed — packed into 16 bits, so a filter on them can be judged for a
/// million customers from a column of two bytes each. The bit layout is stored (the facts
/// column of the file): bits 0–5 the products (`Product::bit`), 6 CLP, 7 managed,
/// 8 suspended, 15 present (0 means no readable customer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts(pub u16);

impl Facts {
    const CLP: u16 = 1 << 6;
    const MANAGED: u16 = 1 << 7;
    const SUSPENDED: u16 = 1 << 8;
    const PRESENT: u16 = 1 << 15;

    pub fn of(s: &Summary) -> Facts {
        let mut bits = Facts::PRESENT | u16::from(s.products & 0x3f);
        if s.account_type == AccountType::Clp {
            bits |= Facts::CLP;
        }
        if s.managed() {
            bits |= Facts::MANAGED;
        }
        if s.status == CustomerStatus::Suspended {
            bits |= Facts::SUSPENDED;
        }
        Facts(bits)
    }

    pub fn present(self) -> bool {
        self.0 & Facts::PRESENT != 0
    }

    fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// Whether the view setting shows the customer (SPEC §2, view setting).
    pub fn visible_in(self, view: View) -> bool {
        view == View::All || self.has(Facts::CLP) || self.has(Facts::MANAGED)
    }

    /// Whether the customer passes the filter's criteria on these facts (account type,
    /// status, products, managed); the others are judged elsewhere.
    pub fn matches(self, f: &Filter) -> bool {
        let clp = self.has(Facts::CLP);
        let suspended = self.has(Facts::SUSPENDED);
        f.account_type
            .is_none_or(|t| (t == AccountType::Clp) == clp)
            && f.status
                .is_none_or(|s| (s == CustomerStatus::Suspended) == suspended)
            && f.managed.is_none_or(|m| m == self.has(Facts::MANAGED))
            && (f.products.is_empty()
                || f.products.iter().any(|p| self.0 & u16::from(p.bit()) != 0))
    }

    /// Whether these facts decide the filter alone: it has no keyword and no criterion that
    /// depends on *today*.
    pub fn decide(f: &Filter) -> bool {
        f.q.as_deref().is_none_or(str::is_empty)
            && f.license.is_none()
            && f.attention.is_none()
            && f.expires.is_none()
            && f.category.is_none()
    }
}

/// The verdicts on a customer that move with the days — its licence status and which
/// reason categories it has — for one *today*, in one byte, so a filter on them can be
/// judged for a million customers from a column of one byte each (kept for the attention
/// order's day). The layout is stored (the day facts column of the file): bits 0–2 the
/// licence status (0 no readable customer, 1 no licence, 2 normal, 3 expiring soon,
/// 4 exceeded allocation, 5 expired), bits 3–6 a reason of threat/system action required,
/// threat/system warning, licence action required, licence warning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayFacts(pub u8);

impl DayFacts {
    const STATUS: u8 = 0b111;

    pub fn of(s: &Summary, today: Date, catalog: &Catalog) -> DayFacts {
        let status = match s.license_status(today) {
            None => 1,
            Some(LicenseStatus::Normal) => 2,
            Some(LicenseStatus::ExpiringSoon) => 3,
            Some(LicenseStatus::ExceededAllocation) => 4,
            Some(LicenseStatus::Expired) => 5,
        };
        let counts = s.attention_counts(today, catalog);
        let reasons = Category::ALL
            .iter()
            .filter(|&&c| counts.of(c) > 0)
            .fold(0, |bits, &c| bits | DayFacts::bit(c));
        DayFacts(status | reasons)
    }

    fn bit(c: Category) -> u8 {
        match c {
            Category::ThreatSystemActionRequired => 1 << 3,
            Category::ThreatSystemWarning => 1 << 4,
            Category::LicenseActionRequired => 1 << 5,
            Category::LicenseWarning => 1 << 6,
        }
    }

    pub fn present(self) -> bool {
        self.0 & DayFacts::STATUS != 0
    }

    fn license(self) -> LicenseFilter {
        match self.0 & DayFacts::STATUS {
            2 => LicenseFilter::Normal,
            3 => LicenseFilter::ExpiringSoon,
            4 => LicenseFilter::ExceededAllocation,
            5 => LicenseFilter::Expired,
            _ => LicenseFilter::None,
        }
    }

    /// Whether the customer needs attention: it has a reason of some category, which is
    /// what makes [`Summary::attention_weight`] above zero.
    fn needs_attention(self) -> bool {
        Category::ALL
            .iter()
            .any(|&c| self.0 & DayFacts::bit(c) != 0)
    }

    /// Whether the customer passes the filter's criteria on these verdicts (licence status,
    /// attention, category); the others are judged elsewhere.
    pub fn matches(self, f: &Filter) -> bool {
        f.license.is_none_or(|l| l == self.license())
            && f.attention.is_none_or(|a| a == self.needs_attention())
            && f.category.is_none_or(|c| self.0 & DayFacts::bit(c) != 0)
    }

    /// Whether the filter judges any of these verdicts.
    pub fn judged(f: &Filter) -> bool {
        f.license.is_some() || f.attention.is_some() || f.category.is_some()
    }

    /// Whether these verdicts and [`Facts`] decide the filter together: it has one of these
    /// criteria, and no keyword and no expiry month.
    pub fn decide(f: &Filter) -> bool {
        DayFacts::judged(f) && f.q.as_deref().is_none_or(str::is_empty) && f.expires.is_none()
    }
}

/// A keyword filter prepared once for a scan over many summaries.
pub struct Query {
    finder: Option<memchr::memmem::Finder<'static>>,
}

impl Query {
    pub fn new(filter: &Filter) -> Query {
        let folded = filter.q.as_deref().map(fold).filter(|q| !q.is_empty());
        Query {
            finder: folded.map(|q| memchr::memmem::Finder::new(q.as_bytes()).into_owned()),
        }
    }

    fn finds(&self, haystack: &str) -> bool {
        self.finds_bytes(haystack.as_bytes())
    }

    /// Whether folded search text holds the keyword (always, without one).
    pub fn finds_bytes(&self, haystack: &[u8]) -> bool {
        self.finder
            .as_ref()
            .is_none_or(|f| f.find(haystack).is_some())
    }

    /// Where the keyword first occurs in folded text (at 0 without one).
    pub fn find_in(&self, haystack: &[u8]) -> Option<std::ops::Range<usize>> {
        match &self.finder {
            None => Some(0..0),
            Some(f) => f.find(haystack).map(|at| at..at + f.needle().len()),
        }
    }

    /// Whether there is a keyword to look for.
    pub fn is_some(&self) -> bool {
        self.finder.is_some()
    }
}

/// Lower-cases for case-insensitive matching (full Unicode, so `Ä` finds `ä`).
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

impl Summary {
    pub fn of(c: &Customer, open: OpenEvents, catalog: &Catalog) -> Summary {
        let p = &c.profile;
        let mut products = 0u8;
        let licenses = c
            .licenses
            .iter()
            .map(|l| {
                let plan = catalog.plan(l.plan_id);
                if let Some(plan) = plan {
                    products |= plan.product.bit();
                }
                LicenseFacts {
                    expiry: l.expiry,
                    units: l.units,
                    used: l.used,
                    notice_days: plan.map_or(30, |p| p.notice_days),
                    managed: plan.is_some_and(|p| p.managed),
                }
            })
            .collect();
        let haystack = fold(
            &[
                p.company.as_str(),
                &p.account_name,
                &p.contact_first_name,
                &p.contact_last_name,
                &p.email,
                &p.phone,
            ]
            .join("\u{1f}"),
        );
        Summary {
            id: c.id,
            company_key: fold(&p.company),
            account_key: fold(&p.account_name),
            haystack,
            account_type: p.account_type,
            status: c.status,
            products,
            licenses,
            devices: c
                .devices
                .iter()
                .map(|d| (d.model.clone(), d.firmware.clone()))
                .collect(),
            open,
            last_transaction: c.last_transaction,
        }
    }

    pub fn managed(&self) -> bool {
        self.licenses.iter().any(|l| l.managed)
    }

    pub fn license_status(&self, today: Date) -> Option<LicenseStatus> {
        self.licenses
            .iter()
            .map(|l| license_status(l.expiry, l.used, l.units, l.notice_days, today))
            .max()
    }

    pub fn next_expiry(&self) -> Option<Date> {
        self.licenses.iter().map(|l| l.expiry).min()
    }

    /// How many reasons of each [`Category`] the customer has, as `derive::derive` counts them.
    pub fn attention_counts(&self, today: Date, catalog: &Catalog) -> AttentionCounts {
        let mut n = AttentionCounts {
            threat_system_action_required: self.open.action_required,
            threat_system_warning: self.open.warning,
            ..AttentionCounts::default()
        };
        n.threat_system_warning += self
            .devices
            .iter()
            .filter(|(m, f)| catalog.update_for(m, f).is_some())
            .count() as u32;
        for l in &self.licenses {
            match license_status(l.expiry, l.used, l.units, l.notice_days, today) {
                LicenseStatus::Expired | LicenseStatus::ExceededAllocation => {
                    n.license_action_required += 1
                }
                LicenseStatus::ExpiringSoon => n.license_warning += 1,
                LicenseStatus::Normal => {}
            }
        }
        n
    }

    /// The attention sort weight, as `derive::Attention::weight` computes it.
    pub fn attention_weight(&self, today: Date, catalog: &Catalog) -> u64 {
        let n = self.attention_counts(today, catalog);
        let action = n.threat_system_action_required + n.license_action_required;
        let warning = n.threat_system_warning + n.license_warning;
        u64::from(action) * 1_000_000 + u64::from(warning)
    }

    /// The first day after `after` on which [`Summary::attention_weight`] — or the licence
    /// status, or [`DayFacts`] — may differ from its value on `after`, as a day number (`Date::days`): a licence turns expiring-soon
    /// `notice_days` before its expiry and expired the day after it. Open events and
    /// firmware do not move with the days. `None` when no licence changes status later.
    pub fn next_attention_change(&self, after: Date) -> Option<i32> {
        let after = i64::from(after.days());
        self.licenses
            .iter()
            .flat_map(|l| {
                let expiry = i64::from(l.expiry.days());
                [expiry - i64::from(l.notice_days), expiry + 1]
            })
            .filter(|&day| day > after)
            .min()
            .and_then(|day| i32::try_from(day).ok())
    }

    /// Whether the view setting shows this customer (SPEC §2, view setting).
    pub fn visible_in(&self, view: View) -> bool {
        Facts::of(self).visible_in(view)
    }

    /// Whether the customer passes every criterion of the filter (paging and sort aside);
    /// `q` is the filter's keyword, prepared with [`Query::new`].
    pub fn matches(&self, f: &Filter, q: &Query, today: Date, catalog: &Catalog) -> bool {
        if !q.finds(&self.haystack) {
            return false;
        }
        if !Facts::of(self).matches(f) {
            return false;
        }
        if DayFacts::judged(f) && !DayFacts::of(self, today, catalog).matches(f) {
            return false;
        }
        if let Some(month) = f.expires {
            let expiring = |l: &LicenseFacts| l.expiry >= today && month.contains(l.expiry);
            if !self.licenses.iter().any(expiring) {
                return false;
            }
        }
        true
    }

    /// Orders two rows by the filter's sort key; ties fall back to company, then id, so
    /// paging is stable. Customers without a next expiry sort last in either direction.
    pub fn compare(&self, other: &Summary, f: &Filter, today: Date, catalog: &Catalog) -> Ordering {
        let by_name = || {
            self.company_key
                .cmp(&other.company_key)
                .then(self.id.cmp(&other.id))
        };
        let primary = match f.sort.key {
            SortKey::Company => Ordering::Equal,
            SortKey::AccountName => self.account_key.cmp(&other.account_key),
            SortKey::NextExpiry => match (self.next_expiry(), other.next_expiry()) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            SortKey::LastTransaction => self.last_transaction.cmp(&other.last_transaction),
            SortKey::Attention => self
                .attention_weight(today, catalog)
                .cmp(&other.attention_weight(today, catalog)),
        };
        let ord = primary.then_with(by_name);
        if f.sort.descending {
            ord.reverse()
        } else {
            ord
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_matches_ignore_case_in_any_script() {
        let q = |s: &str| {
            Query::new(&Filter {
                q: Some(s.into()),
                ..Filter::default()
            })
        };
        assert!(q("MÜLLER").finds("bau müller gmbh"));
        assert!(q("東京").finds("株式会社東京"));
        assert!(!q("müllerx").finds("bau müller gmbh"));
        assert!(q("").finds("anything"), "an empty keyword matches everyone");
        assert!(Query::new(&Filter::default()).finds(""));
    }

    /// The weight, the day facts (licence status, reason categories) and the licence status
    /// stay what they are on `after` until the day `next_attention_change` names, for
    /// licences that expire, turn expiring-soon, exceed their units or never change.
    #[test]
    fn attention_weight_holds_until_the_next_change() {
        let day = |s: &str| Date::parse(s).unwrap();
        let licence = |expiry: &str, used: u32, notice_days: u32| LicenseFacts {
            expiry: day(expiry),
            units: 5,
            used,
            notice_days,
            managed: false,
        };
        let s = Summary {
            id: 1,
            company_key: "a".into(),
            account_key: "a".into(),
            haystack: "a".into(),
            account_type: AccountType::Lmp,
            status: CustomerStatus::Active,
            products: 0,
            licenses: vec![
                licence("2026-03-10", 0, 30),
                licence("2026-02-01", 9, 10),
                licence("2026-02-20", 1, 0),
                licence("2026-06-01", 2, 200),
            ],
            devices: vec![],
            open: OpenEvents::default(),
            last_transaction: Timestamp(0),
        };
        let catalog = Catalog::new(vec![], vec![]);
        let mut changes = 0;
        let mut after = day("2025-10-01");
        while after < day("2026-08-01") {
            // Everything the attention order and the day facts column keep for a day.
            let kept = |d: Date| {
                (
                    s.attention_weight(d, &catalog),
                    DayFacts::of(&s, d, &catalog),
                    s.license_status(d),
                )
            };
            let held = kept(after);
            let next = s.next_attention_change(after);
            let mut d = after.add_days(1).unwrap();
            while next.is_none_or(|n| d.days() < n) && d < day("2026-09-01") {
                assert_eq!(kept(d), held, "{after:?} → {d:?}");
                d = d.add_days(1).unwrap();
            }
            if next.is_some_and(|n| kept(Date::from_days(n).unwrap()) != held) {
                changes += 1;
            }
            after = after.add_days(1).unwrap();
        }
        assert!(
            changes > 100,
            "the weight changes on {changes} of the days walked"
        );
        assert_eq!(s.next_attention_change(day("2026-06-02")), None);
    }
}
