//! Read models: a customer as every interface shows it (the API item, the CSV row, the
//! console row), built once from stored facts and *today*.

use super::date::Date;
use super::derive::{derive, license_of, Catalog, OpenEvents, Reason};
use super::model::*;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq, JsonSchema)]
#[schemars(rename = "License")]
pub struct LicenseView {
    pub id: u64,
    pub plan: String,
    pub plan_id: u64,
    pub product: String,
    pub kind: String,
    pub units: u32,
    pub used: u32,
    #[schemars(extend("format" = "date"))]
    pub start: String,
    #[schemars(extend("format" = "date"))]
    pub expiry: String,
    pub status: LicenseStatus,
}

/// One customer with everything SPEC §4 exports, as snake_case keys.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Customer")]
pub struct CustomerView {
    pub id: u64,
    pub company: String,
    pub account_name: String,
    pub account_type: AccountType,
    pub status: CustomerStatus,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub time_zone: String,
    pub language: String,
    /// Product names, distinct and sorted.
    #[schemars(extend("items" = { "type": "string", "enum": Product::ALL.iter().map(|p| p.name()).collect::<Vec<_>>() }))]
    pub products: Vec<&'static str>,
    pub licenses: Vec<LicenseView>,
    /// The worst licence status, or `none`.
    #[schemars(with = "LicenseFilter")]
    pub license_status: &'static str,
    #[schemars(extend("format" = "date"))]
    pub next_expiry: Option<String>,
    pub threat_system_action_required: u32,
    pub threat_system_warning: u32,
    pub license_action_required: u32,
    pub license_warning: u32,
    pub needs_attention: bool,
    pub attention_reasons: Vec<Reason>,
    pub managed: bool,
    pub wfbs_template: Option<String>,
    pub cloud_edge_template: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    pub last_transaction: String,
    #[schemars(extend("format" = "date-time"))]
    pub created_at: String,
    #[schemars(extend("format" = "date-time"))]
    pub updated_at: String,
    pub notes: String,
}

super::fields::by_name!(CustomerView, String);

impl CustomerView {
    /// The view from event counts alone (reasons count open events).
    pub fn of(c: &Customer, open: OpenEvents, catalog: &Catalog, today: Date) -> CustomerView {
        CustomerView::build(c, open, None, catalog, today)
    }

    /// The view with the customer's events at hand, so reasons name each open event.
    pub fn with_events(
        c: &Customer,
        events: &[Event],
        catalog: &Catalog,
        today: Date,
    ) -> CustomerView {
        let open = OpenEvents::of(events);
        CustomerView::build(c, open, Some(events), catalog, today)
    }

    fn build(
        c: &Customer,
        open: OpenEvents,
        events: Option<&[Event]>,
        catalog: &Catalog,
        today: Date,
    ) -> CustomerView {
        let d = derive(c, open, events, catalog, today);
        let p = c.profile.clone();
        CustomerView {
            id: c.id,
            company: p.company,
            account_name: p.account_name,
            account_type: p.account_type,
            status: c.status,
            contact_first_name: p.contact_first_name,
            contact_last_name: p.contact_last_name,
            email: p.email,
            phone: p.phone,
            address: p.address,
            city: p.city,
            state: p.state,
            postal_code: p.postal_code,
            country: p.country,
            time_zone: p.time_zone,
            language: p.language,
            products: d.products.iter().map(|p| p.name()).collect(),
            licenses: c
                .licenses
                .iter()
                .map(|l| license_view(l, catalog, today))
                .collect(),
            license_status: d.license_status.map_or("none", LicenseStatus::code),
            next_expiry: d.next_expiry.map(|d| d.to_string()),
            threat_system_action_required: d.attention.threat_system_action_required,
            threat_system_warning: d.attention.threat_system_warning,
            license_action_required: d.attention.license_action_required,
            license_warning: d.attention.license_warning,
            needs_attention: d.attention.needs_attention(),
            attention_reasons: d.attention.reasons,
            managed: d.managed,
            wfbs_template: c.wfbs_template.clone(),
            cloud_edge_template: c.cloud_edge_template.clone(),
            last_transaction: c.last_transaction.to_string(),
            created_at: c.created_at.to_string(),
            updated_at: c.updated_at.to_string(),
            notes: p.notes,
        }
    }
}

pub fn license_view(l: &License, catalog: &Catalog, today: Date) -> LicenseView {
    let plan = catalog.plan(l.plan_id);
    LicenseView {
        id: l.id,
        plan: plan.map_or_else(|| format!("plan {}", l.plan_id), |p| p.name.clone()),
        plan_id: l.plan_id,
        product: plan.map_or("", |p| p.product.code()).to_string(),
        kind: plan.map_or("", |p| p.kind.code()).to_string(),
        units: l.units,
        used: l.used,
        start: l.start.to_string(),
        expiry: l.expiry.to_string(),
        status: license_of(l, plan, today),
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Device")]
pub struct DeviceView {
    pub id: u64,
    pub customer_id: u64,
    pub name: String,
    pub serial: String,
    pub model: String,
    pub firmware: String,
    pub latest_firmware: Option<String>,
    pub needs_update: bool,
    pub notified_version: Option<String>,
}

pub fn device_view(customer_id: u64, d: &Device, catalog: &Catalog) -> DeviceView {
    let latest = catalog.firmware.get(&d.model.to_lowercase()).cloned();
    DeviceView {
        id: d.id,
        customer_id,
        name: d.name.clone(),
        serial: d.serial.clone(),
        model: d.model.clone(),
        firmware: d.firmware.clone(),
        needs_update: catalog.device_update(d).is_some(),
        latest_firmware: latest,
        notified_version: d.notified_version.clone(),
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Event")]
pub struct EventView {
    pub id: u64,
    pub customer_id: u64,
    pub kind: EventKind,
    pub severity: Severity,
    pub category: String,
    pub message: String,
    #[schemars(extend("format" = "date-time"))]
    pub time: String,
    pub open: bool,
    #[schemars(extend("format" = "date-time"))]
    pub resolved_at: Option<String>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            id: e.id,
            customer_id: e.customer_id,
            kind: e.kind,
            severity: e.severity,
            category: e.category.clone(),
            message: e.message.clone(),
            time: e.time.to_string(),
            open: e.resolved_at.is_none(),
            resolved_at: e.resolved_at.map(|t| t.to_string()),
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Plan")]
pub struct PlanView {
    pub id: u64,
    pub name: String,
    pub product: Product,
    #[schemars(extend("enum" = Product::ALL.iter().map(|p| p.name()).collect::<Vec<_>>()))]
    pub product_name: &'static str,
    pub kind: PlanKind,
    pub months: u32,
    pub notice_days: u32,
    pub auto_renew: bool,
    pub managed: bool,
    pub enabled: bool,
    pub end_of_life: bool,
}

impl From<&Plan> for PlanView {
    fn from(p: &Plan) -> Self {
        PlanView {
            id: p.id,
            name: p.name.clone(),
            product: p.product,
            product_name: p.product.name(),
            kind: p.kind,
            months: p.months,
            notice_days: p.notice_days,
            auto_renew: p.auto_renew,
            managed: p.managed,
            enabled: p.enabled,
            end_of_life: p.end_of_life,
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Template")]
pub struct TemplateView {
    pub name: String,
    pub product: Product,
    pub settings: std::collections::BTreeMap<String, String>,
}

impl From<&Template> for TemplateView {
    fn from(t: &Template) -> Self {
        TemplateView {
            name: t.name.clone(),
            product: t.product,
            settings: t.settings.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Firmware")]
pub struct FirmwareView {
    pub model: String,
    pub version: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "OutboxMessage")]
pub struct OutboxView {
    pub id: u64,
    pub customer_id: u64,
    /// The customer's company; `null` once the customer is deleted or unreadable.
    pub company: Option<String>,
    pub to: String,
    pub subject: String,
    pub body: String,
    #[schemars(extend("format" = "date-time"))]
    pub created_at: String,
}

impl OutboxView {
    /// A message with its customer's company, if the customer can still be read.
    pub fn new(m: &OutboxMessage, company: Option<String>) -> Self {
        OutboxView {
            id: m.id,
            customer_id: m.customer_id,
            company,
            to: m.to.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            created_at: m.created_at.to_string(),
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "Change")]
pub struct ChangeView {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(rename = "AuditEntry")]
pub struct AuditView {
    pub id: u64,
    #[schemars(extend("format" = "date-time"))]
    pub time: String,
    pub actor: Actor,
    pub task: String,
    pub customers: Vec<u64>,
    pub outcome: String,
    pub changes: Vec<ChangeView>,
    pub snapshot: Option<String>,
}

impl From<&AuditEntry> for AuditView {
    fn from(a: &AuditEntry) -> Self {
        AuditView {
            id: a.id,
            time: a.time.to_string(),
            actor: a.actor,
            task: a.task.clone(),
            customers: a.customers.clone(),
            outcome: a.outcome.clone(),
            changes: a
                .changes
                .iter()
                .map(|c| ChangeView {
                    field: c.field.clone(),
                    old: c.old.clone(),
                    new: c.new.clone(),
                })
                .collect(),
            snapshot: a.snapshot.clone(),
        }
    }
}

/// A customer with everything the detail page and `show` present.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub customer: CustomerView,
    pub devices: Vec<DeviceView>,
    pub events: Vec<EventView>,
    pub policies: std::collections::BTreeMap<&'static str, Vec<String>>,
    pub history: Vec<AuditView>,
}

/// A page of customers and the number of all matches.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Page {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub items: Vec<CustomerView>,
    /// Customers whose stored record cannot be read, so they are left out (present only
    /// when there are any; the check lists the damage).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<u64>,
}
