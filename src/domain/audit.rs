//! Which audit entries a reader asks for: the one filter of the audit log, read the same way
//! from the console's query, the API's query and the CLI's flags.

use super::date::Date;
use super::error::{Error, FieldError, Result};
use super::model::AuditEntry;

/// The task names an audit entry is written with, besides those of the bulk tasks
/// (`tasks::bulk::BulkTask::NAMES`); `tasks::desk::audit_tasks` gives them all, and the
/// audit helper of the tasks checks in debug builds that the name it writes is among them.
pub const TASKS: &[&str] = &[
    "add customer",
    "edit customer",
    "import",
    "add licence",
    "edit licence",
    "remove licence",
    "add device",
    "edit device",
    "remove device",
    "add event",
    "resolve event",
    "reopen event",
    "remove event",
    "add plan",
    "edit plan",
    "remove plan",
    "add template",
    "edit template",
    "remove template",
    "set firmware",
    "remove firmware",
    "remove outbox message",
    "settings",
    "demo",
];

/// The customer an audit filter names: a whole number is an id (a deleted customer's entries
/// stay findable by it), anything else an account name of a stored customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditCustomer {
    Id(u64),
    Account(String),
}

/// The audit log's filter. Every part is optional; an entry is kept when it matches all given.
/// As typed, the customer is an [`AuditCustomer`]; as the store walks it ([`AuditMatch`]), an id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFilter<C = AuditCustomer> {
    pub customer: Option<C>,
    /// The entry's task name, exactly (a name no entry has simply matches nothing).
    pub task: Option<String>,
    /// First UTC day, inclusive.
    pub from: Option<Date>,
    /// Last UTC day, inclusive.
    pub to: Option<Date>,
}

/// An audit filter ready to test entries: the customer is an id.
pub type AuditMatch = AuditFilter<u64>;

impl<C> Default for AuditFilter<C> {
    fn default() -> Self {
        AuditFilter {
            customer: None,
            task: None,
            from: None,
            to: None,
        }
    }
}

impl AuditFilter {
    /// Reads the filter from text values as typed (`None` or blank = not given), naming each
    /// bad field: `customer`, `task`, `from`, `to` (`YYYY-MM-DD`, `from` not after `to`).
    pub fn parse(
        customer: Option<&str>,
        task: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<AuditFilter> {
        let mut errors = Vec::new();
        let mut day = |field: &str, v: Option<&str>| {
            let v = given(v)?;
            let d = Date::parse(v);
            if d.is_none() {
                errors.push(FieldError::new(
                    field,
                    format!("`{v}` is not a date; use YYYY-MM-DD, as in 2026-11-27"),
                ));
            }
            d
        };
        let (from, to) = (day("from", from), day("to", to));
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                errors.push(FieldError::new(
                    "to",
                    format!("`{t}` is before the first day `{f}`; swap the dates"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(AuditFilter {
            customer: given(customer).map(|c| match c.parse::<u64>() {
                Ok(id) => AuditCustomer::Id(id),
                Err(_) => AuditCustomer::Account(c.to_string()),
            }),
            task: given(task).map(str::to_string),
            from,
            to,
        })
    }

    /// The filter with its customer resolved to an id (`customer`), as the store walks it.
    pub fn resolved(&self, customer: Option<u64>) -> AuditMatch {
        AuditFilter {
            customer,
            task: self.task.clone(),
            from: self.from,
            to: self.to,
        }
    }

    /// The filter as query pairs in a fixed order (console links), leaving out what is not set.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        match &self.customer {
            Some(AuditCustomer::Id(id)) => out.push(("customer", id.to_string())),
            Some(AuditCustomer::Account(a)) => out.push(("customer", a.clone())),
            None => {}
        }
        if let Some(t) = &self.task {
            out.push(("task", t.clone()));
        }
        if let Some(d) = self.from {
            out.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            out.push(("to", d.to_string()));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }
}

/// A value that was typed: trimmed, and `None` when blank.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl AuditMatch {
    /// Only entries touching this customer.
    pub fn customer(id: u64) -> AuditMatch {
        AuditFilter {
            customer: Some(id),
            ..AuditMatch::default()
        }
    }

    pub fn matches(&self, e: &AuditEntry) -> bool {
        let day = e.time.date();
        self.customer.is_none_or(|c| e.customers.contains(&c))
            && self.task.as_deref().is_none_or(|t| e.task == t)
            && self.from.is_none_or(|f| day >= f)
            && self.to.is_none_or(|t| day <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_each_bad_field() {
        let f = AuditFilter::parse(Some(" 12 "), Some(""), Some("2026-11-01"), None).unwrap();
        assert_eq!(f.customer, Some(AuditCustomer::Id(12)));
        assert_eq!(f.task, None);
        assert_eq!(
            f.to_pairs(),
            [("customer", "12".into()), ("from", "2026-11-01".into())]
        );
        let Err(Error::Invalid(e)) = AuditFilter::parse(None, None, Some("2026-13-01"), Some("x"))
        else {
            panic!("bad dates are refused")
        };
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["from", "to"]
        );
        assert!(AuditFilter::parse(None, None, Some("2026-11-02"), Some("2026-11-01")).is_err());
        assert!(AuditFilter::parse(None, None, Some("2026-11-02"), Some("2026-11-02")).is_ok());
    }
}
