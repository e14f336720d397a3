//! The renewal runway: licences that expired or expire in each of the next twelve months,
//! and how many customers need attention for each reason. Every figure names the filter that
//! lists exactly the customers it counts, so a chart bar can link to them.

use super::date::{Date, Month};
use super::derive::Catalog;
use super::filter::Filter;
use super::model::{Category, LicenseFilter};
use super::summary::Summary;
use schemars::JsonSchema;
use serde::Serialize;

/// How many months ahead the runway looks, the current one included.
pub const MONTHS: usize = 12;

/// Licences in one period and the customers that hold them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Period {
    /// `expired`, or the month as `YYYY-MM`.
    pub period: String,
    pub licenses: u32,
    pub units: u64,
    pub customers: u32,
    /// The list filter that selects exactly these customers, as a URL query.
    pub filter: String,
}

/// The customers with at least one reason of a category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CategoryCount {
    pub category: Category,
    pub customers: u32,
    /// The list filter that selects exactly these customers, as a URL query.
    pub filter: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(rename = "Runway")]
pub struct Runway {
    #[schemars(extend("format" = "date"))]
    pub today: String,
    /// Customers the view setting shows; every other figure counts among them.
    pub customers: u32,
    /// Licences that have expired (before today).
    pub expired: Period,
    /// The current month and the eleven after it; licences that expire today or later.
    pub months: Vec<Period>,
    pub attention: Vec<CategoryCount>,
}

fn query(f: &Filter) -> String {
    f.to_pairs()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The runway over `rows` (the customers the view setting shows).
pub fn runway<'a>(
    rows: impl IntoIterator<Item = &'a Summary>,
    today: Date,
    catalog: &Catalog,
) -> Runway {
    let mut months: Vec<Month> = Vec::with_capacity(MONTHS);
    let mut m = Some(Month::of(today));
    while let (Some(month), true) = (m, months.len() < MONTHS) {
        months.push(month);
        m = month.next();
    }
    let period_of = |name: String, filter: Filter| Period {
        period: name,
        filter: query(&filter),
        ..Period::default()
    };
    let mut expired = period_of(
        "expired".into(),
        Filter {
            license: Some(LicenseFilter::Expired),
            ..Filter::default()
        },
    );
    let mut ahead: Vec<Period> = months
        .iter()
        .map(|&month| {
            let f = Filter {
                expires: Some(month),
                ..Filter::default()
            };
            period_of(month.to_string(), f)
        })
        .collect();
    let mut attention: Vec<CategoryCount> = Category::ALL
        .iter()
        .map(|&category| CategoryCount {
            category,
            customers: 0,
            filter: query(&Filter {
                category: Some(category),
                ..Filter::default()
            }),
        })
        .collect();
    let mut customers = 0u32;
    let mut touched = vec![false; months.len() + 1];
    for s in rows {
        customers += 1;
        touched.iter_mut().for_each(|t| *t = false);
        for l in &s.licenses {
            let (slot, period) = if l.expiry < today {
                (0, &mut expired)
            } else {
                match months.iter().position(|m| m.contains(l.expiry)) {
                    Some(i) => (i + 1, &mut ahead[i]),
                    None => continue,
                }
            };
            period.licenses += 1;
            period.units += u64::from(l.units);
            if !touched[slot] {
                touched[slot] = true;
                period.customers += 1;
            }
        }
        let counts = s.attention_counts(today, catalog);
        for c in attention.iter_mut() {
            if counts.of(c.category) > 0 {
                c.customers += 1;
            }
        }
    }
    Runway {
        today: today.to_string(),
        customers,
        expired,
        months: ahead,
        attention,
    }
}

impl Category {
    /// The words the console and the CLI table show.
    pub fn label(self) -> &'static str {
        match self {
            Category::ThreatSystemActionRequired => "threats and system: action required",
            Category::ThreatSystemWarning => "threats and system: warning",
            Category::LicenseActionRequired => "licences: action required",
            Category::LicenseWarning => "licences: warning",
        }
    }
}
