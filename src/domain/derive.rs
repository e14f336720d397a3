//! What SPEC §1.2 and §1.6 derive from stored facts for a given *today*: licence status,
//! attention counts and their reasons. Nothing derived is ever stored as truth.

use super::date::Date;
use super::model::{Customer, Device, Event, License, LicenseStatus, Plan, Product, Severity};
use super::validate::compare_versions;
use std::collections::HashMap;

/// Reference data a derivation needs: plans by id and the latest firmware per model.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub plans: HashMap<u64, Plan>,
    /// Latest firmware version keyed by lower-case model name.
    pub firmware: HashMap<String, String>,
}

impl Catalog {
    pub fn new(plans: Vec<Plan>, firmware: Vec<(String, String)>) -> Catalog {
        Catalog {
            plans: plans.into_iter().map(|p| (p.id, p)).collect(),
            firmware: firmware
                .into_iter()
                .map(|(m, v)| (m.to_lowercase(), v))
                .collect(),
        }
    }

    pub fn plan(&self, id: u64) -> Option<&Plan> {
        self.plans.get(&id)
    }

    pub fn plan_named(&self, name: &str) -> Option<&Plan> {
        self.plans
            .values()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The latest firmware for a device's model when the device runs something older.
    pub fn update_for(&self, model: &str, firmware: &str) -> Option<&str> {
        let latest = self.firmware.get(&model.to_lowercase())?;
        (compare_versions(firmware, latest) == std::cmp::Ordering::Less).then_some(latest.as_str())
    }

    pub fn device_update(&self, d: &Device) -> Option<&str> {
        self.update_for(&d.model, &d.firmware)
    }
}

/// SPEC §1.2: a licence's status; `notice_days` comes from its plan.
pub fn license_status(
    expiry: Date,
    used: u32,
    units: u32,
    notice_days: u32,
    today: Date,
) -> LicenseStatus {
    if today > expiry {
        LicenseStatus::Expired
    } else if used > units {
        LicenseStatus::ExceededAllocation
    } else if i64::from(today.days_until(expiry)) <= i64::from(notice_days) {
        LicenseStatus::ExpiringSoon
    } else {
        LicenseStatus::Normal
    }
}

/// Which column of the Customers screen a reason belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    ThreatSystem,
    License,
}

/// One reason a customer needs attention, in words, with its column and severity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Reason {
    pub kind: ReasonKind,
    pub severity: Severity,
    pub text: String,
}

/// The four counts of SPEC §1.6 and the reasons behind them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attention {
    pub threat_system_action_required: u32,
    pub threat_system_warning: u32,
    pub license_action_required: u32,
    pub license_warning: u32,
    pub reasons: Vec<Reason>,
}

impl Attention {
    pub fn needs_attention(&self) -> bool {
        self.threat_system_action_required
            + self.threat_system_warning
            + self.license_action_required
            + self.license_warning
            > 0
    }

    /// Sort key for `sort=attention`: the most pressing customers have the largest key.
    pub fn weight(&self) -> u64 {
        u64::from(self.threat_system_action_required + self.license_action_required) * 1_000_000
            + u64::from(self.threat_system_warning + self.license_warning)
    }
}

/// Open event counts of one customer, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenEvents {
    pub action_required: u32,
    pub warning: u32,
}

impl OpenEvents {
    pub fn of(events: &[Event]) -> OpenEvents {
        let mut open = OpenEvents::default();
        for e in events.iter().filter(|e| e.resolved_at.is_none()) {
            match e.severity {
                Severity::ActionRequired => open.action_required += 1,
                Severity::Warning => open.warning += 1,
            }
        }
        open
    }
}

/// Everything derived about one customer.
#[derive(Clone, Debug)]
pub struct Derived {
    pub license_statuses: Vec<LicenseStatus>,
    pub license_status: Option<LicenseStatus>,
    pub next_expiry: Option<Date>,
    pub products: Vec<Product>,
    pub managed: bool,
    pub attention: Attention,
}

/// `open_events`, when given, names each open event in the reasons; without it the reasons
/// only count them.
pub fn derive(
    c: &Customer,
    events: OpenEvents,
    open_events: Option<&[Event]>,
    catalog: &Catalog,
    today: Date,
) -> Derived {
    derive_with(c, events, open_events, catalog, today, true)
}

/// [`derive`] without the reasons' words (`attention.reasons` stays empty; the counts are the
/// same): what a CSV export needs, which writes counts and never reasons.
pub fn derive_counts(c: &Customer, events: OpenEvents, catalog: &Catalog, today: Date) -> Derived {
    derive_with(c, events, None, catalog, today, false)
}

fn derive_with(
    c: &Customer,
    events: OpenEvents,
    open_events: Option<&[Event]>,
    catalog: &Catalog,
    today: Date,
    words: bool,
) -> Derived {
    let mut attention = Attention {
        threat_system_action_required: events.action_required,
        threat_system_warning: events.warning,
        ..Attention::default()
    };
    let mut reason = |kind, severity, text: &dyn Fn() -> String| {
        if words {
            attention.reasons.push(Reason {
                kind,
                severity,
                text: text(),
            })
        }
    };
    match open_events {
        Some(list) => {
            for e in list.iter().filter(|e| e.resolved_at.is_none()) {
                let text = || format!("{} {}: {}", e.kind, e.category, e.message);
                reason(ReasonKind::ThreatSystem, e.severity, &text);
            }
        }
        None if !words => {}
        None => {
            if events.action_required > 0 {
                let text = || {
                    plural(
                        events.action_required,
                        "open event needs action",
                        "open events need action",
                    )
                };
                reason(ReasonKind::ThreatSystem, Severity::ActionRequired, &text);
            }
            if events.warning > 0 {
                let text = || plural(events.warning, "open warning event", "open warning events");
                reason(ReasonKind::ThreatSystem, Severity::Warning, &text);
            }
        }
    }
    let mut outdated = 0;
    for d in &c.devices {
        if let Some(latest) = catalog.device_update(d) {
            outdated += 1;
            let text = || {
                format!(
                    "device {} runs firmware {}, latest is {latest}",
                    d.name, d.firmware
                )
            };
            reason(ReasonKind::ThreatSystem, Severity::Warning, &text);
        }
    }
    attention.threat_system_warning += outdated;
    let mut statuses = Vec::with_capacity(c.licenses.len());
    let mut products = Vec::new();
    let mut managed = false;
    for l in &c.licenses {
        let plan = catalog.plan(l.plan_id);
        let status = license_of(l, plan, today);
        statuses.push(status);
        let plan_name = plan.map_or("(unknown plan)", |p| p.name.as_str());
        if let Some(p) = plan {
            products.push(p.product);
            managed |= p.managed;
        }
        let severity = match status {
            LicenseStatus::Expired | LicenseStatus::ExceededAllocation => Severity::ActionRequired,
            LicenseStatus::ExpiringSoon => Severity::Warning,
            LicenseStatus::Normal => continue,
        };
        match severity {
            Severity::ActionRequired => attention.license_action_required += 1,
            Severity::Warning => attention.license_warning += 1,
        }
        if !words {
            continue;
        }
        let text = match status {
            LicenseStatus::Expired => format!("licence {plan_name} expired on {}", l.expiry),
            LicenseStatus::ExceededAllocation => {
                format!("licence {plan_name} uses {} of {} units", l.used, l.units)
            }
            _ => format!("licence {plan_name} expires on {}", l.expiry),
        };
        attention.reasons.push(Reason {
            kind: ReasonKind::License,
            severity,
            text,
        });
    }
    products.sort_by_key(|p| p.name());
    products.dedup();
    Derived {
        license_status: statuses.iter().copied().max(),
        license_statuses: statuses,
        next_expiry: c.licenses.iter().map(|l| l.expiry).min(),
        products,
        managed,
        attention,
    }
}

pub fn license_of(l: &License, plan: Option<&Plan>, today: Date) -> LicenseStatus {
    let notice = plan.map_or(30, |p| p.notice_days);
    license_status(l.expiry, l.used, l.units, notice, today)
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_order_follows_the_spec() {
        let d = |s| Date::parse(s).unwrap();
        let today = d("2026-11-27");
        // (expiry, used, units, notice days) → status
        let cases = [
            ("2026-11-26", 9, 1, 30, LicenseStatus::Expired),
            ("2026-11-27", 2, 1, 30, LicenseStatus::ExceededAllocation),
            ("2026-12-27", 1, 1, 30, LicenseStatus::ExpiringSoon),
            ("2026-12-28", 1, 1, 30, LicenseStatus::Normal),
            ("2026-11-27", 0, 1, 0, LicenseStatus::ExpiringSoon),
        ];
        for (expiry, used, units, notice, want) in cases {
            assert_eq!(
                license_status(d(expiry), used, units, notice, today),
                want,
                "{expiry}"
            );
        }
        assert!(LicenseStatus::Expired > LicenseStatus::ExceededAllocation);
        assert!(LicenseStatus::ExceededAllocation > LicenseStatus::ExpiringSoon);
    }
}
