//! The list's sort indexes under random writes: after every step each index equals one
//! rebuilt from the summaries, and every sorted or filtered page equals the same page
//! computed independently from all customers' views.

mod common;

use clientele::domain::date::{Date, Month};
use clientele::domain::error::Error;
use clientele::domain::filter::{Filter, Sort, SortKey};
use clientele::domain::model::{
    AccountType, Actor, Category, CustomerStatus, LicenseFilter, Product, View,
};
use clientele::domain::validate::{CustomerInput, LicenseInput};
use clientele::domain::view::CustomerView;
use clientele::store::Access;
use clientele::tasks::bulk::{BulkTask, Selection};
use clientele::tasks::catalogs::PlanInput;
use clientele::tasks::csv::{ExportOptions, ImportOptions};
use clientele::tasks::desk::{Ctx, CustomerRef, Desk};
use clientele::tasks::holdings::{DeviceInput, EventInput, LicenseChange};
use proptest::prelude::*;

const TODAY: &str = "2026-11-27";

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

/// Company names that collide once case is folded, sort apart only by case, or use other
/// scripts.
const NAMES: &[&str] = &[
    "alpha", "Alpha", "ÄLPHA", "beta", "Beta", "東京", "zeta", "émile", "ΟΔΟΣ",
];
const PLANS: &[&str] = &["Full", "Trial"];
const STARTS: &[&str] = &["2025-06-01", "2025-12-15", "2026-11-01", "2026-12-20"];
const FIRMWARE: &[&str] = &["1.0", "2.0", "3.0"];

#[derive(Clone, Debug)]
enum Op {
    Add {
        name: usize,
        n: u8,
        plan: Option<(usize, usize)>,
        clp: bool,
    },
    Rename {
        who: usize,
        name: usize,
        n: u8,
    },
    Delete {
        who: usize,
    },
    Suspend {
        who: usize,
        suspended: bool,
    },
    Import {
        who: usize,
        name: usize,
        n: u8,
    },
    AddLicence {
        who: usize,
        plan: usize,
        start: usize,
    },
    Expiry {
        who: usize,
        start: usize,
    },
    Renew {
        who: usize,
    },
    Notice {
        plan: usize,
        days: u32,
    },
    Event {
        who: usize,
    },
    SetView {
        managed: bool,
    },
    /// The desk opened again this many days later (or earlier): the attention order moves
    /// forward, or is derived from the summaries for an earlier day.
    Days {
        delta: i16,
    },
    /// A device with an old or a current firmware on a customer.
    Device {
        who: usize,
        old: bool,
    },
    /// The catalogue's latest firmware for the devices' model.
    Firmware {
        version: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let name = 0..NAMES.len();
    prop_oneof![
        4 => (name.clone(), 0u8..4, prop::option::of((0..PLANS.len(), 0..STARTS.len())), any::<bool>())
            .prop_map(|(name, n, plan, clp)| Op::Add { name, n, plan, clp }),
        2 => (any::<usize>(), name.clone(), 0u8..4).prop_map(|(who, name, n)| Op::Rename { who, name, n }),
        1 => any::<usize>().prop_map(|who| Op::Delete { who }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(who, suspended)| Op::Suspend { who, suspended }),
        1 => (any::<usize>(), name, 0u8..4).prop_map(|(who, name, n)| Op::Import { who, name, n }),
        2 => (any::<usize>(), 0..PLANS.len(), 0..STARTS.len())
            .prop_map(|(who, plan, start)| Op::AddLicence { who, plan, start }),
        1 => (any::<usize>(), 0..STARTS.len()).prop_map(|(who, start)| Op::Expiry { who, start }),
        1 => any::<usize>().prop_map(|who| Op::Renew { who }),
        1 => (0..PLANS.len(), 1u32..200).prop_map(|(plan, days)| Op::Notice { plan, days }),
        1 => any::<usize>().prop_map(|who| Op::Event { who }),
        1 => any::<bool>().prop_map(|managed| Op::SetView { managed }),
        2 => prop_oneof![-40i16..0, 1i16..400].prop_map(|delta| Op::Days { delta }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(who, old)| Op::Device { who, old }),
        1 => (0..FIRMWARE.len()).prop_map(|version| Op::Firmware { version }),
    ]
}

struct World {
    _dir: tempfile::TempDir,
    desk: Desk,
    /// Every id ever made, deleted ones too (an op on a deleted one is refused).
    ids: Vec<u64>,
    today: Date,
    /// The database file.
    file: std::path::PathBuf,
    /// Devices made so far, for unique serial numbers.
    devices: u32,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let dir_file = dir.path().join("t.redb");
        let desk = Desk::open(&dir_file, Access::Write, Some(today())).unwrap();
        let w = World {
            _dir: dir,
            desk,
            ids: Vec::new(),
            today: today(),
            file: dir_file,
            devices: 0,
        };
        for (name, months, managed) in [("Full", 12, true), ("Trial", 1, false)] {
            w.desk
                .add_plan(
                    w.ctx(),
                    &PlanInput {
                        name: Some(name.into()),
                        product: Some(if months == 1 { "hes" } else { "wfbss" }.into()),
                        kind: Some(if months == 1 { "trial" } else { "full" }.into()),
                        months: Some(months),
                        managed: Some(managed),
                        ..PlanInput::default()
                    },
                )
                .unwrap();
        }
        w
    }

    fn ctx(&self) -> Ctx {
        self.desk.ctx(Actor::Cli)
    }

    fn pick(&self, who: usize) -> u64 {
        if self.ids.is_empty() {
            1
        } else {
            self.ids[who % self.ids.len()]
        }
    }

    /// Runs one step; refusals (clashing names, deleted customers) are part of the game.
    fn apply(&mut self, op: &Op) {
        let ctx = self.ctx();
        let company = |name: usize, n: u8| format!("{} {n}", NAMES[name]);
        let done: Result<(), Error> = match op {
            Op::Add { name, n, plan, clp } => {
                let account = format!("acct-{}", self.ids.len() + 1);
                let mut input = common::lisboa_customer(
                    &company(*name, *n),
                    &account,
                    if *clp { "CLP" } else { "LMP" },
                );
                input.licenses = plan.map(|(p, s)| {
                    vec![LicenseInput {
                        plan: PLANS[p].into(),
                        units: 3,
                        start: Some(STARTS[s].into()),
                        ..LicenseInput::default()
                    }]
                });
                self.desk
                    .add_customer(ctx, &input)
                    .map(|v| self.ids.push(v.id))
            }
            Op::Rename { who, name, n } => {
                let input = CustomerInput {
                    company: Some(company(*name, *n)),
                    ..CustomerInput::default()
                };
                self.desk
                    .edit_customer(ctx, self.pick(*who), &input)
                    .map(drop)
            }
            Op::Suspend { who, suspended } => {
                let input = CustomerInput {
                    status: Some(if *suspended { "suspended" } else { "active" }.into()),
                    ..CustomerInput::default()
                };
                self.desk
                    .edit_customer(ctx, self.pick(*who), &input)
                    .map(drop)
            }
            Op::Delete { who } => self
                .desk
                .run_bulk(
                    ctx,
                    &Selection::Ids(vec![self.pick(*who)]),
                    &BulkTask::Delete,
                    false,
                )
                .map(drop),
            Op::Import { who, name, n } => {
                // One existing customer's row with a new company, and a new customer.
                let mut out = Vec::new();
                let sel = Selection::Ids(vec![self.pick(*who)]);
                if self
                    .desk
                    .export_csv(&sel, ExportOptions::default(), &mut out)
                    .is_err()
                {
                    return;
                }
                let mut rows = csv::Reader::from_reader(out.as_slice());
                let header = rows.headers().unwrap().clone();
                let col = |name: &str| header.iter().position(|h| h == name).unwrap();
                let mut records: Vec<Vec<String>> = rows
                    .records()
                    .map(|r| r.unwrap().iter().map(str::to_string).collect())
                    .collect();
                let mut fresh = records.first().cloned().unwrap_or_else(|| {
                    header
                        .iter()
                        .map(|h| match h {
                            "account_type" => "CLP".to_string(),
                            "country" => "PT".to_string(),
                            _ => String::new(),
                        })
                        .collect()
                });
                for r in &mut records {
                    r[col("company")] = company(*name, *n);
                }
                fresh[col("company")] = format!("{} import", company(*name, *n));
                fresh[col("account_name")] = format!("imp-{}", self.ids.len() + 1);
                fresh[col("id")] = String::new();
                records.push(fresh);
                let mut csv = csv::Writer::from_writer(Vec::new());
                csv.write_record(&header).unwrap();
                for r in &records {
                    csv.write_record(r).unwrap();
                }
                let bytes = csv.into_inner().unwrap();
                self.desk
                    .import_csv(ctx, &mut bytes.as_slice(), ImportOptions::default())
                    .map(|_| {
                        let max = self.desk.count().unwrap() + 1000;
                        for id in 1..=max {
                            if !self.ids.contains(&id)
                                && self.desk.resolve(&CustomerRef::Id(id)).is_ok()
                            {
                                self.ids.push(id);
                            }
                        }
                    })
            }
            Op::AddLicence { who, plan, start } => self
                .desk
                .add_license(
                    ctx,
                    self.pick(*who),
                    PLANS[*plan],
                    2,
                    0,
                    Some(STARTS[*start]),
                )
                .map(drop),
            Op::Expiry { who, start } => {
                match self.desk.customer(&CustomerRef::Id(self.pick(*who))) {
                    Ok(c) if !c.licenses.is_empty() => {
                        let change = LicenseChange {
                            expiry: Some(STARTS[*start].into()),
                            ..LicenseChange::default()
                        };
                        self.desk
                            .edit_license(ctx, c.licenses[0].id, &change)
                            .map(drop)
                    }
                    _ => Ok(()),
                }
            }
            Op::Renew { who } => self
                .desk
                .run_bulk(
                    ctx,
                    &Selection::Ids(vec![self.pick(*who)]),
                    &BulkTask::Renew {
                        until: None,
                        include_expiring: true,
                    },
                    false,
                )
                .map(drop),
            Op::Notice { plan, days } => {
                let input = PlanInput {
                    notice_days: Some(*days),
                    ..PlanInput::default()
                };
                self.desk.edit_plan(ctx, PLANS[*plan], &input).map(drop)
            }
            Op::Event { who } => {
                let input = EventInput {
                    kind: "threat".into(),
                    severity: "action_required".into(),
                    category: "virus".into(),
                    message: "found".into(),
                    time: None,
                };
                self.desk.add_event(ctx, self.pick(*who), &input).map(drop)
            }
            Op::SetView { managed } => {
                let view = if *managed { View::Managed } else { View::All };
                self.desk.set_view(ctx, view).map(drop)
            }
            Op::Days { delta } => {
                self.today = self.today.add_days(i64::from(*delta)).unwrap();
                // The old desk lets go of the file before the new one opens it.
                self.desk =
                    Desk::open(&self._dir.path().join("swap.redb"), Access::Write, None).unwrap();
                self.desk = Desk::open(&self.file, Access::Write, Some(self.today)).unwrap();
                Ok(())
            }
            Op::Device { who, old } => {
                self.devices += 1;
                let input = DeviceInput {
                    name: Some(format!("edge {}", self.devices)),
                    serial: Some(format!("SN{:06}", self.devices)),
                    model: Some("CE-100".into()),
                    firmware: Some(if *old { "0.9" } else { "2.5" }.into()),
                };
                self.desk.add_device(ctx, self.pick(*who), &input).map(drop)
            }
            Op::Firmware { version } => self
                .desk
                .set_firmware(ctx, "ce-100", FIRMWARE[*version])
                .map(drop),
        };
        match done {
            Ok(()) | Err(Error::Conflict { .. } | Error::NotFound { .. } | Error::Invalid(_)) => {}
            Err(Error::Import(_) | Error::Refused(_) | Error::NothingToChange { .. }) => {}
            Err(e) => panic!("{op:?}: {e}"),
        }
    }

    /// Every customer's view, read one by one.
    fn all(&self) -> Vec<CustomerView> {
        views(&self.desk, &self.ids)
    }
}

/// The views of `ids` as `desk` shows them (on its *today*), read one by one.
fn views(desk: &Desk, ids: &[u64]) -> Vec<CustomerView> {
    ids.iter()
        .filter_map(|&id| desk.customer(&CustomerRef::Id(id)).ok())
        .collect()
}

fn weight(c: &CustomerView) -> u64 {
    u64::from(c.threat_system_action_required + c.license_action_required) * 1_000_000
        + u64::from(c.threat_system_warning + c.license_warning)
}

fn reasons(c: &CustomerView, k: Category) -> u32 {
    match k {
        Category::ThreatSystemActionRequired => c.threat_system_action_required,
        Category::ThreatSystemWarning => c.threat_system_warning,
        Category::LicenseActionRequired => c.license_action_required,
        Category::LicenseWarning => c.license_warning,
    }
}

/// Filters on what changes with the days — licence status, attention, category — alone and
/// with facts; pages of them come from the day facts column while it is for *today*.
fn day_filters() -> Vec<Filter> {
    vec![
        Filter {
            license: Some(LicenseFilter::Expired),
            ..Filter::default()
        },
        Filter {
            license: Some(LicenseFilter::ExpiringSoon),
            account_type: Some(AccountType::Lmp),
            ..Filter::default()
        },
        Filter {
            license: Some(LicenseFilter::None),
            ..Filter::default()
        },
        Filter {
            category: Some(Category::LicenseWarning),
            ..Filter::default()
        },
        Filter {
            category: Some(Category::ThreatSystemWarning),
            attention: Some(true),
            status: Some(CustomerStatus::Active),
            ..Filter::default()
        },
        Filter {
            attention: Some(true),
            products: vec![Product::Wfbss],
            ..Filter::default()
        },
        // An expiry month: its index, then each found customer judged for *today*.
        Filter {
            expires: Some(Month::of(today())),
            ..Filter::default()
        },
        Filter {
            expires: Month::of(today()).next(),
            q: Some("e".into()),
            ..Filter::default()
        },
    ]
}

/// The page a filter should show, computed from the views alone.
fn expected(all: &[CustomerView], f: &Filter, view: View, today: Date) -> (usize, Vec<u64>) {
    let q = f.q.as_deref().map(str::to_lowercase);
    // A licence not expired yet (its last day is today or later) that ends in the month.
    let (today, month) = (today.to_string(), f.expires.map(|m| m.to_string()));
    let mut rows: Vec<&CustomerView> = all
        .iter()
        .filter(|c| view == View::All || c.account_type.code() == "CLP" || c.managed)
        .filter(|c| {
            q.as_deref().is_none_or(|q| {
                [
                    &c.company,
                    &c.account_name,
                    &c.contact_first_name,
                    &c.contact_last_name,
                    &c.email,
                    &c.phone,
                ]
                .iter()
                .any(|t| t.to_lowercase().contains(q))
            })
        })
        .filter(|c| {
            month.as_deref().is_none_or(|m| {
                c.licenses
                    .iter()
                    .any(|l| l.expiry >= today && l.expiry.starts_with(m))
            })
        })
        .filter(|c| f.attention.is_none_or(|a| a == c.needs_attention))
        .filter(|c| f.license.is_none_or(|l| l.code() == c.license_status))
        .filter(|c| f.category.is_none_or(|k| reasons(c, k) > 0))
        .filter(|c| f.account_type.is_none_or(|t| t == c.account_type))
        .filter(|c| f.status.is_none_or(|s| s == c.status))
        .filter(|c| f.managed.is_none_or(|m| m == c.managed))
        .filter(|c| {
            f.products.is_empty() || f.products.iter().any(|p| c.products.contains(&p.name()))
        })
        .collect();
    let name = |c: &CustomerView| (c.company.to_lowercase(), c.id);
    rows.sort_by(|a, b| {
        use std::cmp::Ordering::*;
        let primary = match f.sort.key {
            SortKey::Company => Equal,
            SortKey::AccountName => a
                .account_name
                .to_lowercase()
                .cmp(&b.account_name.to_lowercase()),
            SortKey::LastTransaction => a.last_transaction.cmp(&b.last_transaction),
            SortKey::Attention => weight(a).cmp(&weight(b)),
            SortKey::NextExpiry => match (&a.next_expiry, &b.next_expiry) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => return Less,
                (None, Some(_)) => return Greater,
                (None, None) => Equal,
            },
        };
        let ord = primary.then_with(|| name(a).cmp(&name(b)));
        if f.sort.descending {
            ord.reverse()
        } else {
            ord
        }
    });
    let total = rows.len();
    let ids = rows
        .into_iter()
        .skip(f.offset)
        .take(f.limit)
        .map(|c| c.id)
        .collect();
    (total, ids)
}

/// Keyword pages after every write: the desk's kept hits, brought up to date by the
/// customers each commit changed, give what an independent look at the views gives.
fn keywords(w: &World) -> Result<(), TestCaseError> {
    let all = w.all();
    let view = w.desk.settings().unwrap().view;
    for word in ["LPH", "e", "ta"] {
        for (key, descending) in [(SortKey::Company, false), (SortKey::AccountName, true)] {
            let f = Filter {
                q: Some(word.into()),
                sort: Sort { key, descending },
                limit: 1000,
                ..Filter::default()
            };
            let page = w.desk.list(&f).unwrap();
            let ids: Vec<u64> = page.items.iter().map(|c| c.id).collect();
            prop_assert_eq!(
                (page.total, ids),
                expected(&all, &f, view, w.today),
                "{:?}",
                f
            );
        }
    }
    Ok(())
}

fn compare(w: &World) -> Result<(), TestCaseError> {
    let r = w.desk.store().read().unwrap();
    prop_assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
    let all = w.all();
    let view = w.desk.settings().unwrap().view;
    for &key in SortKey::ALL {
        for descending in [false, true] {
            let facts = [
                Filter {
                    account_type: Some(AccountType::Clp),
                    ..Filter::default()
                },
                Filter {
                    status: Some(CustomerStatus::Active),
                    managed: Some(false),
                    ..Filter::default()
                },
                Filter {
                    products: vec![Product::Wfbss, Product::CloudEdge],
                    ..Filter::default()
                },
                Filter {
                    products: vec![Product::Hes],
                    status: Some(CustomerStatus::Suspended),
                    ..Filter::default()
                },
            ];
            let keyword = Filter {
                q: Some("LPH".into()),
                ..Filter::default()
            };
            let attention = Filter {
                attention: Some(true),
                ..Filter::default()
            };
            let calm = Filter {
                attention: Some(false),
                account_type: Some(AccountType::Lmp),
                ..Filter::default()
            };
            let filters = [Filter::default(), keyword, attention, calm]
                .into_iter()
                .chain(facts)
                .chain(day_filters());
            for base in filters {
                for (offset, limit) in [(0, 1000), (0, 3), (2, 2), (5, 4)] {
                    let f = Filter {
                        sort: Sort { key, descending },
                        offset,
                        limit,
                        ..base.clone()
                    };
                    let page = w.desk.list(&f).unwrap();
                    let ids: Vec<u64> = page.items.iter().map(|c| c.id).collect();
                    prop_assert_eq!(
                        (page.total, ids),
                        expected(&all, &f, view, w.today),
                        "{:?}",
                        f
                    );
                    prop_assert!(page.unreadable.is_empty());
                    // Asked again with nothing committed in between: the kept page.
                    let again = w.desk.list(&f).unwrap();
                    let json = |p| serde_json::to_value(p).unwrap();
                    prop_assert_eq!(json(&again), json(&page));
                }
            }
        }
    }
    // A reader that cannot move the attention order forward (read-only, some days on):
    // the stored order, and the day facts column, with the customers due since derived
    // anew.
    for days in [0, 1, 45, 400] {
        let later = w.today.add_days(days).unwrap();
        let ro = Desk::open(&w.file, Access::Read, Some(later)).unwrap();
        let all = views(&ro, &w.ids);
        let mut cases = Vec::new();
        for sort in [
            Sort::default(),
            Sort {
                key: SortKey::NextExpiry,
                descending: true,
            },
            Sort {
                key: SortKey::Attention,
                descending: false,
            },
        ] {
            for base in day_filters() {
                for (offset, limit) in [(0, 1000), (1, 2)] {
                    cases.push(Filter {
                        sort,
                        offset,
                        limit,
                        ..base.clone()
                    });
                }
            }
        }
        for descending in [false, true] {
            for (base, offset, limit) in [
                (Filter::default(), 0, 1000),
                (Filter::default(), 1, 3),
                (
                    Filter {
                        account_type: Some(AccountType::Lmp),
                        ..Filter::default()
                    },
                    0,
                    1000,
                ),
                (
                    Filter {
                        attention: Some(true),
                        ..Filter::default()
                    },
                    1,
                    1000,
                ),
                (
                    Filter {
                        attention: Some(false),
                        ..Filter::default()
                    },
                    0,
                    2,
                ),
            ] {
                cases.push(Filter {
                    sort: Sort {
                        key: SortKey::Attention,
                        descending,
                    },
                    offset,
                    limit,
                    ..base
                });
            }
        }
        for f in cases {
            let page = ro.list(&f).unwrap();
            let ids: Vec<u64> = page.items.iter().map(|c| c.id).collect();
            prop_assert_eq!(
                (page.total, ids),
                expected(&all, &f, view, later),
                "read-only {} days on, {:?}",
                days,
                f
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn random_writes_keep_every_index_equal_to_a_rebuild(ops in prop::collection::vec(op(), 1..40)) {
        let mut w = World::new();
        for (i, op) in ops.iter().enumerate() {
            w.apply(op);
            keywords(&w)?;
            if i % 8 == 7 {
                compare(&w)?;
            }
        }
        compare(&w)?;
    }
}

/// Every sorted page of the first hundred customers.
fn pages(desk: &Desk) -> Vec<(usize, Vec<u64>)> {
    let mut out = Vec::new();
    for &key in SortKey::ALL {
        for descending in [false, true] {
            let f = Filter {
                sort: Sort { key, descending },
                limit: 100,
                ..Filter::default()
            };
            let page = desk.list(&f).unwrap();
            out.push((page.total, page.items.iter().map(|c| c.id).collect()));
        }
    }
    // A keyword: the search column once the file has one, the summaries before.
    let f = Filter {
        q: Some("E".into()),
        limit: 100,
        ..Filter::default()
    };
    let page = desk.list(&f).unwrap();
    assert!(page.total > 0);
    out.push((page.total, page.items.iter().map(|c| c.id).collect()));
    // Expiry months: their index once the file has one, the summaries before; alone and
    // with a keyword.
    let mut expiring = 0;
    for month in [
        "2026-10", "2026-11", "2026-12", "2027-01", "2027-03", "2027-11", "2028-11",
    ] {
        for q in [None, Some("E")] {
            let f = Filter {
                expires: Some(Month::parse(month).unwrap()),
                q: q.map(Into::into),
                limit: 100,
                ..Filter::default()
            };
            let page = desk.list(&f).unwrap();
            expiring += page.total;
            out.push((page.total, page.items.iter().map(|c| c.id).collect()));
        }
    }
    assert!(expiring > 0, "no expiry month found a customer");
    // Licence status and attention: the day facts column once the file has one for the
    // day, the summaries before.
    for f in day_filters() {
        let page = desk.list(&f).unwrap();
        out.push((page.total, page.items.iter().map(|c| c.id).collect()));
    }
    out
}

/// Files older releases wrote with
/// `clientele --today 2026-11-27 demo --customers 12 --seed 3`: schema 1 (no sort indexes),
/// schema 2 (sort indexes, no attention order), schema 3 (an attention order, no day
/// facts), schema 4 (day facts, no expiry-month index), schema 5 (orders by company and
/// account name of their own) and schema 6 (no open-events column). Read-only each lists
/// and exports as it is, without a byte changed; the first writable open builds what it
/// lacks, drops what is retired and moves it to the current schema; both give the same
/// pages and export, and later writes keep the indexes in step.
#[test]
fn a_schema_1_file_is_listed_read_only_and_indexed_on_its_first_writable_open() {
    upgrades("schema-1.redb", 1);
}

#[test]
fn a_schema_2_file_gets_its_attention_order_on_its_first_writable_open() {
    upgrades("schema-2.redb", 2);
}

#[test]
fn a_schema_3_file_gets_its_day_facts_on_its_first_writable_open() {
    upgrades("schema-3.redb", 3);
}

#[test]
fn a_schema_4_file_gets_its_expiry_months_on_its_first_writable_open() {
    upgrades("schema-4.redb", 4);
}

#[test]
fn a_schema_5_file_drops_its_orders_by_name_on_its_first_writable_open() {
    upgrades("schema-5.redb", 5);
}

#[test]
fn a_schema_6_file_gets_its_open_events_column_on_its_first_writable_open() {
    upgrades("schema-6.redb", 6);
}

/// Every customer as an unfiltered export writes it: open event counts from the summaries
/// in a file without the open-events column, from the column in one with it.
fn export_all(desk: &Desk) -> Vec<u8> {
    let mut out = Vec::new();
    let all = Selection::Filter(Filter::default());
    let done = desk
        .export_csv(&all, ExportOptions::default(), &mut out)
        .unwrap();
    assert!(done.unreadable.is_empty());
    out
}

fn upgrades(sample: &str, version: u32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.redb");
    let sample = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/files")
            .join(sample),
    )
    .unwrap();
    std::fs::write(&path, &sample).unwrap();
    assert_eq!(common::stored_schema(&path), version);
    let sample = std::fs::read(&path).unwrap();

    let before = {
        let desk = Desk::open(&path, Access::Read, Some(today())).unwrap();
        let r = desk.store().read().unwrap();
        assert_eq!(r.has_indexes().unwrap(), version >= 2);
        assert_eq!(r.attention_day().unwrap(), (version >= 3).then(today));
        // Schema 4 has day facts for its day; older files are scanned.
        assert_eq!(r.day_facts(today()).unwrap().is_some(), version >= 4);
        let months = r.expiring_in(Month::of(today())).unwrap();
        assert_eq!(months.is_some(), version >= 5, "scanned before schema 5");
        drop(r);
        (pages(&desk), export_all(&desk))
    };
    let (before, exported) = before;
    assert_eq!(before[0].0, 12);
    let open_column = |path: &std::path::Path| {
        common::table_names(path)
            .iter()
            .any(|t| t == "customer_open_events")
    };
    assert!(
        std::fs::read(&path).unwrap() == sample,
        "a read-only open wrote"
    );
    assert_eq!(open_column(&path), version >= 7);
    // A backup of the file as it is holds every table it has, the retired ones too, so
    // the release that wrote it can open the copy.
    let copy = dir.path().join("copy.redb");
    Desk::open(&path, Access::Read, Some(today()))
        .unwrap()
        .backup(&copy)
        .unwrap();
    assert_eq!(common::table_names(&copy), common::table_names(&path));
    assert_eq!(common::stored_schema(&copy), version);

    let desk = Desk::open(&path, Access::Write, Some(today())).unwrap();
    let r = desk.store().read().unwrap();
    assert!(r.has_indexes().unwrap());
    // Schema 3's order is kept, its day facts built with it; older files get both from
    // the first page that reads them.
    assert_eq!(
        r.attention_day().unwrap(),
        (version >= 3).then(today),
        "built by the first attention page"
    );
    assert_eq!(r.day_facts(today()).unwrap().is_some(), version >= 3);
    assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
    drop(r);
    assert_eq!(pages(&desk), before);
    // The column gives every customer's open events as the summaries did.
    assert_eq!(
        export_all(&desk),
        exported,
        "the export changed with the upgrade"
    );
    let r = desk.store().read().unwrap();
    assert_eq!(r.attention_day().unwrap(), Some(today()));
    assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
    drop(r);
    let mut w = World {
        _dir: dir,
        desk,
        ids: (1..=12).collect(),
        today: today(),
        file: path.clone(),
        devices: 0,
    };
    compare(&w).unwrap();
    for op in [
        Op::Add {
            name: 1,
            n: 0,
            plan: Some((0, 2)),
            clp: false,
        },
        Op::Rename {
            who: 3,
            name: 5,
            n: 1,
        },
        Op::Delete { who: 0 },
        Op::Event { who: 7 },
    ] {
        w.apply(&op);
    }
    compare(&w).unwrap();
    let path = w._dir.path().join("old.redb");
    drop(w.desk);
    assert_eq!(
        common::stored_schema(&path),
        clientele::store::SCHEMA_VERSION
    );
    // The orders by name of schemas 2 to 5 are gone; the uniqueness tables give them.
    let tables = common::table_names(&path);
    for retired in ["order_company", "order_account_name"] {
        assert!(!tables.iter().any(|t| t == retired), "{retired} is left");
    }
    assert!(tables.iter().any(|t| t == "customers_by_company"));
    assert!(open_column(&path));
}

/// The bulk paths: a demo load, an import of its export into a fresh file, and an import
/// that changes some of the same customers back into the first file. Each writes more
/// customers than the loader collects index entries for at a time (1,000 in a debug build),
/// so entries are inserted in several sorted chunks and, on update, flushed before a
/// customer's old entries are removed; every index must still equal a rebuild.
#[test]
fn bulk_loads_keep_every_index_equal_to_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let open =
        |name: &str| Desk::open(&dir.path().join(name), Access::Write, Some(today())).unwrap();
    let exact = |desk: &Desk| {
        let r = desk.store().read().unwrap();
        // A new file keeps its attention order from the start, so the loads write it too.
        assert_eq!(r.attention_day().unwrap(), Some(today()));
        assert_eq!(r.index_mismatches().unwrap(), Vec::<String>::new());
    };
    let demo = open("demo.redb");
    clientele::demo::generate(&demo, demo.ctx(Actor::Cli), 2_500, 3).unwrap();
    exact(&demo);
    let mut csv = Vec::new();
    let all = Selection::Filter(Filter::default());
    demo.export_csv(&all, ExportOptions::default(), &mut csv)
        .unwrap();

    // A fresh file with the demo's plans and templates, but no customers.
    let fresh = open("fresh.redb");
    clientele::demo::generate(&fresh, fresh.ctx(Actor::Cli), 0, 3).unwrap();
    let import = |desk: &Desk, bytes: &[u8]| {
        let mut input = bytes;
        desk.import_csv(desk.ctx(Actor::Cli), &mut input, ImportOptions::default())
            .unwrap()
    };
    assert_eq!(import(&fresh, &csv).created, 2_500);
    exact(&fresh);
    assert_eq!(pages(&fresh)[0].0, 2_500);

    // Every third row gets a new company: updates, each removing its old entries while the
    // new entries of the updates before it are still waiting, and unchanged rows.
    let mut rows = csv::Reader::from_reader(csv.as_slice());
    let header = rows.headers().unwrap().clone();
    let company = header.iter().position(|h| h == "company").unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for (i, r) in rows.records().enumerate() {
        let mut r: Vec<String> = r.unwrap().iter().map(str::to_string).collect();
        if i % 3 == 0 {
            r[company] = format!("Renamed {i}");
        }
        out.write_record(&r).unwrap();
    }
    let changed = out.into_inner().unwrap();
    assert_eq!(import(&demo, &changed).updated, 834);
    exact(&demo);
}
