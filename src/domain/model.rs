//! The domain: customers and everything they hold, as the core sees them.
//!
//! These types are not stored as they are: `store::records` keeps frozen copies for the file
//! format, so that these may change freely.

use super::date::{Date, Timestamp};
use std::collections::BTreeMap;

/// Declares a closed set of codes with their text form, used everywhere a value crosses an
/// interface (CLI flags, JSON, CSV, form fields).
/// A closed set of values with text forms, for code that takes any of them.
pub trait Code: Sized {
    fn parse(s: &str) -> Option<Self>;
    /// The accepted values, for error messages.
    fn choices() -> String;
}

macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order (the order lists and forms show). Stored
            /// records do not depend on it: the store keeps its own frozen byte per value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The position in [`Self::ALL`], for in-memory sets such as a product bitmask.
            pub fn index(self) -> u8 {
                $name::ALL.iter().position(|v| *v == self).unwrap_or(0) as u8
            }

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the text form, ignoring ASCII case.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(s.trim()))
            }

            /// The accepted values, for error messages: `a, b or c`.
            pub fn choices() -> String {
                let all: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                match all.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {}", rest.join(", "), last),
                    _ => all.join(""),
                }
            }
        }

        impl Code for $name {
            fn parse(s: &str) -> Option<$name> {
                $name::parse(s)
            }
            fn choices() -> String {
                $name::choices()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        /// The text forms as a string enum, inlined where used.
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let codes: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                schemars::json_schema!({ "type": "string", "enum": codes })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!("`{s}` is not one of {}", $name::choices()))
                })
            }
        }
    };
}

codes!(
    /// The licensing portal a customer's account lives in; it decides which tasks apply.
    AccountType { Clp = "CLP", Lmp = "LMP" }
);
codes!(CustomerStatus { Active = "active", Suspended = "suspended" });
codes!(PlanKind { Trial = "trial", Full = "full" });
codes!(
    /// Ordered from best to worst, so `max` gives a customer's overall status.
    LicenseStatus {
        Normal = "normal",
        ExpiringSoon = "expiring_soon",
        ExceededAllocation = "exceeded_allocation",
        Expired = "expired",
    }
);
codes!(
    /// The `license` filter: a customer's license status, or `none` without licences.
    LicenseFilter {
        Expired = "expired",
        ExceededAllocation = "exceeded_allocation",
        ExpiringSoon = "expiring_soon",
        Normal = "normal",
        None = "none",
    }
);
codes!(EventKind { Threat = "threat", System = "system" });
codes!(Severity { Warning = "warning", ActionRequired = "action_required" });
codes!(
    /// The view setting: which customers the list and "Export All" show.
    View { All = "all", Managed = "managed" }
);
codes!(
    /// What needs attention, by the four counts of the Customers screen.
    Category {
        ThreatSystemActionRequired = "threat_system_action_required",
        ThreatSystemWarning = "threat_system_warning",
        LicenseActionRequired = "license_action_required",
        LicenseWarning = "license_warning",
    }
);
codes!(Actor { Cli = "cli", Web = "web", Api = "api" });
codes!(YesNo { Yes = "yes", No = "no" });
codes!(
    PolicyList {
        ApprovedUrls = "approved-urls",
        BlockedUrls = "blocked-urls",
        BehaviorApproved = "behavior-approved",
        BehaviorBlocked = "behavior-blocked",
        MlExceptions = "ml-exceptions",
        AvExclusionsWindows = "av-exclusions-windows",
        AvExclusionsMac = "av-exclusions-mac",
    }
);
codes!(PolicyAction { Append = "append", Delete = "delete", Overwrite = "overwrite" });
codes!(
    Product {
        Wfbss = "wfbss",
        Wfbs = "wfbs",
        CloudEdge = "cloud-edge",
        Hes = "hes",
        Cas = "cas",
        ApexOne = "apex-one",
    }
);

impl Product {
    pub fn name(self) -> &'static str {
        match self {
            Product::Wfbss => "Worry-Free Business Security Services",
            Product::Wfbs => "Worry-Free Business Security",
            Product::CloudEdge => "Cloud Edge",
            Product::Hes => "Hosted Email Security",
            Product::Cas => "Cloud App Security",
            Product::ApexOne => "Apex One as a Service",
        }
    }

    pub fn bit(self) -> u8 {
        1 << self.index()
    }

    /// Products that can carry a product template.
    pub fn has_templates(self) -> bool {
        matches!(self, Product::Wfbss | Product::CloudEdge)
    }
}

impl YesNo {
    pub fn from_bool(b: bool) -> YesNo {
        if b {
            YesNo::Yes
        } else {
            YesNo::No
        }
    }
    pub fn as_bool(self) -> bool {
        self == YesNo::Yes
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    pub id: u64,
    pub profile: Profile,
    pub status: CustomerStatus,
    pub licenses: Vec<License>,
    pub devices: Vec<Device>,
    pub wfbs_template: Option<String>,
    pub cloud_edge_template: Option<String>,
    pub policies: BTreeMap<PolicyList, Vec<String>>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_transaction: Timestamp,
}

/// The fields a person types in: everything of a customer that add and edit change.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Profile {
    pub company: String,
    pub account_name: String,
    pub account_type: AccountType,
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
    pub notes: String,
}

super::fields::by_name!(Profile, String);

// The `codes!` macro cannot mark a default variant, so this one is written out.
#[allow(clippy::derivable_impls)]
impl Default for AccountType {
    fn default() -> Self {
        AccountType::Clp
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct License {
    pub id: u64,
    pub plan_id: u64,
    pub units: u32,
    pub used: u32,
    pub start: Date,
    pub expiry: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: u64,
    pub name: String,
    pub serial: String,
    pub model: String,
    pub firmware: String,
    /// The latest firmware version the customer was told about, if any.
    pub notified_version: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub id: u64,
    pub name: String,
    pub product: Product,
    pub kind: PlanKind,
    pub months: u32,
    pub notice_days: u32,
    pub auto_renew: bool,
    pub managed: bool,
    pub enabled: bool,
    pub end_of_life: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    pub product: Product,
    pub settings: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: u64,
    pub customer_id: u64,
    pub kind: EventKind,
    pub severity: Severity,
    pub category: String,
    pub message: String,
    pub time: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Firmware {
    pub model: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: u64,
    pub customer_id: u64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: u64,
    pub time: Timestamp,
    pub actor: Actor,
    pub task: String,
    pub customers: Vec<u64>,
    pub outcome: String,
    pub changes: Vec<FieldChange>,
    /// The last full record of a deleted customer, as JSON.
    pub snapshot: Option<String>,
}

codes!(
    /// What a task did to one customer.
    Outcome { Ok = "ok", Skipped = "skipped", Failed = "failed" }
);

/// One customer's line of a task's report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct TaskResult {
    pub id: u64,
    pub company: String,
    pub outcome: Outcome,
    pub reason: Option<String>,
}

/// A bulk task that ran (not a preview), kept so its result can be shown again at its own
/// address and a retried API request with the same idempotency key gets the same answer
/// instead of running twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRun {
    pub id: u64,
    pub time: Timestamp,
    pub actor: Actor,
    pub task: String,
    /// The task's options and selection in one canonical text: the same request always gives
    /// the same text, so a retry can be told from a different request.
    pub request: String,
    /// The API client's `Idempotency-Key`, if it sent one.
    pub key: Option<String>,
    pub ok: u64,
    pub skipped: u64,
    pub failed: u64,
    /// The first results, at most `limits::RUN_RESULTS`.
    pub results: Vec<TaskResult>,
    /// Results not kept in `results`.
    pub omitted: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub view: View,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { view: View::All }
    }
}
