//! The input fields of plans, licences, devices and events, defined once each: JSON name,
//! CLI flag, type, limits, required-ness and help. The tasks read their limits and messages
//! from here, the OpenAPI document builds its request bodies from it, and `tests/fields.rs`
//! checks the serde inputs and argh's flags against it. (The customer profile has its own
//! table, `fields::PROFILE`.)

use super::date::Date;
use super::limits;
use super::model::{EventKind, PlanKind, Product, Severity};
use super::validate;

/// What a field holds.
#[derive(Clone, Copy)]
pub enum Type {
    /// Trimmed text of `min..=max` characters.
    Text,
    /// A whole number in `min..=max`.
    Integer,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339 UTC, such as `2026-11-27T08:00:00Z`.
    DateTime,
    Boolean,
    /// One of a code list's text forms.
    Codes(fn() -> Vec<&'static str>),
}

/// How the CLI's `add` offers a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnAdd {
    /// As `flag`, like `edit`.
    Flag,
    /// As a switch that turns the default (`edit` takes `flag yes|no`).
    Switch(&'static str),
    /// Not at all; a new entry takes the default.
    Absent,
}

/// One input field.
pub struct Input {
    /// The key in the serde input and the JSON bodies.
    pub name: &'static str,
    /// The CLI flag (of `edit`, where `add` differs: see `on_add`).
    pub flag: &'static str,
    pub on_add: OnAdd,
    pub ty: Type,
    /// Characters (text) or value (integer).
    pub min: usize,
    pub max: usize,
    /// The shape as a regular expression, where one describes it (for schemas).
    pub pattern: Option<&'static str>,
    /// Whether a new entry must have it.
    pub required: bool,
    /// Whether a body that creates an entry may send `null` for it (an optional member
    /// whose default is not `null` refuses it).
    pub null_on_create: bool,
    /// One line for the OpenAPI description.
    pub help: &'static str,
}

impl Input {
    /// The field's CLI flag on `add`, if `add` offers one.
    pub fn add_flag(&self) -> Option<&'static str> {
        match self.on_add {
            OnAdd::Flag => Some(self.flag),
            OnAdd::Switch(s) => Some(s),
            OnAdd::Absent => None,
        }
    }

    /// Text within the field's lengths (`validate::text`).
    pub fn text(&self, v: &str) -> Result<String, String> {
        validate::text(v, self.min, self.max)
    }

    /// Whether a number is within the field's range.
    pub fn holds(&self, n: u32) -> bool {
        (self.min..=self.max).contains(&(n as usize))
    }

    /// A number within the field's range, or what is wrong with it.
    pub fn number(&self, n: u32) -> Result<u32, String> {
        let value = n as usize;
        if value < self.min {
            Err(format!("must be at least {}", self.min))
        } else if value > self.max {
            Err(format!("must be at most {}", limits::n(self.max)))
        } else {
            Ok(n)
        }
    }

    /// A date as `YYYY-MM-DD` (trimmed), or what is wrong with it.
    pub fn date(&self, s: &str) -> Result<Date, String> {
        Date::parse(s.trim()).ok_or_else(|| format!("`{s}` is not a date; use YYYY-MM-DD"))
    }
}

const fn field(
    name: &'static str,
    flag: &'static str,
    ty: Type,
    (min, max): (usize, usize),
    required: bool,
    help: &'static str,
) -> Input {
    Input {
        name,
        flag,
        on_add: OnAdd::Flag,
        ty,
        min,
        max,
        pattern: None,
        required,
        null_on_create: !required,
        help,
    }
}

const U32: usize = u32::MAX as usize;

fn products() -> Vec<&'static str> {
    Product::ALL.iter().map(|p| p.code()).collect()
}

fn plan_kinds() -> Vec<&'static str> {
    PlanKind::ALL.iter().map(|k| k.code()).collect()
}

fn event_kinds() -> Vec<&'static str> {
    EventKind::ALL.iter().map(|k| k.code()).collect()
}

fn severities() -> Vec<&'static str> {
    Severity::ALL.iter().map(|s| s.code()).collect()
}

// ---- plans -----------------------------------------------------------------------------

pub mod plan {
    use super::*;

    pub const NAME: Input = Input {
        pattern: Some("^[^:;/\\n\\r]*$"),
        ..field(
            "name",
            "--name",
            Type::Text,
            (1, limits::NAME),
            true,
            "1–64 characters without : or ;; unique ignoring case",
        )
    };
    pub const PRODUCT: Input = field(
        "product",
        "--product",
        Type::Codes(products),
        (0, 0),
        true,
        "the product the plan licenses",
    );
    pub const KIND: Input = Input {
        on_add: OnAdd::Switch("--trial"),
        ..field(
            "kind",
            "--trial",
            Type::Codes(plan_kinds),
            (0, 0),
            false,
            "trial or full (default full)",
        )
    };
    pub const MONTHS: Input = field(
        "months",
        "--months",
        Type::Integer,
        (1, 120),
        true,
        "licence period",
    );
    pub const NOTICE_DAYS: Input = field(
        "notice_days",
        "--notice-days",
        Type::Integer,
        (0, 365),
        false,
        "expiration notice (default 30)",
    );
    pub const AUTO_RENEW: Input = Input {
        on_add: OnAdd::Switch("--auto-renew"),
        ..field(
            "auto_renew",
            "--auto-renew",
            Type::Boolean,
            (0, 0),
            false,
            "default no",
        )
    };
    pub const MANAGED: Input = Input {
        on_add: OnAdd::Switch("--unmanaged"),
        ..field(
            "managed",
            "--managed",
            Type::Boolean,
            (0, 0),
            false,
            "managed from this console (default yes)",
        )
    };
    pub const ENABLED: Input = Input {
        on_add: OnAdd::Switch("--disabled"),
        ..field(
            "enabled",
            "--enabled",
            Type::Boolean,
            (0, 0),
            false,
            "default yes",
        )
    };
    pub const END_OF_LIFE: Input = Input {
        on_add: OnAdd::Absent,
        ..field(
            "end_of_life",
            "--end-of-life",
            Type::Boolean,
            (0, 0),
            false,
            "default no",
        )
    };

    /// `PlanInput`, in the order of its members.
    pub const FIELDS: &[Input] = &[
        NAME,
        PRODUCT,
        KIND,
        MONTHS,
        NOTICE_DAYS,
        AUTO_RENEW,
        MANAGED,
        ENABLED,
        END_OF_LIFE,
    ];
    /// Keys of a plan as read that a plan body accepts and ignores.
    pub const READ_ONLY: &[&str] = &["id", "product_name"];
}

// ---- licences --------------------------------------------------------------------------

pub mod license {
    use super::*;

    pub const PLAN: Input = field(
        "plan",
        "--plan",
        Type::Text,
        (1, limits::NAME),
        true,
        "the plan's name (ignoring case); enabled and not end of life for a new licence",
    );
    pub const UNITS: Input = field(
        "units",
        "--units",
        Type::Integer,
        (1, U32),
        true,
        "units provisioned",
    );
    pub const USED: Input = Input {
        null_on_create: false,
        ..field(
            "used",
            "--used",
            Type::Integer,
            (0, U32),
            false,
            "units used (default 0)",
        )
    };
    pub const START: Input = field(
        "start",
        "--start",
        Type::Date,
        (0, 0),
        false,
        "YYYY-MM-DD; default today",
    );
    pub const EXPIRY: Input = field(
        "expiry",
        "--expiry",
        Type::Date,
        (0, 0),
        false,
        "YYYY-MM-DD, not before start; default start + plan period",
    );

    /// A licence entry of a customer body (`validate::LicenseInput`).
    pub const ENTRY: &[Input] = &[PLAN, UNITS, USED, START, EXPIRY];
    /// A licence added to a customer (`POST /api/customers/{id}/licenses`, `license add`).
    pub const ADD: &[Input] = &[PLAN, UNITS, USED, START];
    /// A licence changed (`LicenseChange`, `license edit`).
    pub const CHANGE: &[Input] = &[UNITS, USED, START, EXPIRY];
    /// Keys of a licence as read that an entry accepts and ignores.
    pub const READ_ONLY: &[&str] = &["id", "plan_id", "product", "kind", "status"];
}

// ---- devices ---------------------------------------------------------------------------

pub mod device {
    use super::*;

    pub const NAME: Input = field(
        "name",
        "--name",
        Type::Text,
        (1, limits::DEVICE_TEXT),
        true,
        "1–64 characters; not the company name",
    );
    pub const SERIAL: Input = Input {
        pattern: Some("^[A-Za-z0-9_-]+$"),
        ..field(
            "serial",
            "--serial",
            Type::Text,
            (1, limits::DEVICE_TEXT),
            true,
            "1–64 letters, digits, - and _; unique across customers ignoring case",
        )
    };
    pub const MODEL: Input = field(
        "model",
        "--model",
        Type::Text,
        (1, limits::DEVICE_TEXT),
        true,
        "1–64 characters",
    );
    pub const FIRMWARE: Input = Input {
        pattern: Some(VERSION_PATTERN),
        ..field(
            "firmware",
            "--firmware",
            Type::Text,
            (1, limits::VERSION),
            true,
            "dotted numbers such as 3.2.1",
        )
    };

    /// `DeviceInput`.
    pub const FIELDS: &[Input] = &[NAME, SERIAL, MODEL, FIRMWARE];
}

/// A dotted firmware version, as `validate::version` accepts it.
pub const VERSION_PATTERN: &str = "^[0-9]{1,9}(\\.[0-9]{1,9})*$";

// ---- events ----------------------------------------------------------------------------

pub mod event {
    use super::*;

    pub const KIND: Input = field(
        "kind",
        "--kind",
        Type::Codes(event_kinds),
        (0, 0),
        true,
        "threat or system",
    );
    pub const SEVERITY: Input = field(
        "severity",
        "--severity",
        Type::Codes(severities),
        (0, 0),
        true,
        "warning or action_required",
    );
    pub const CATEGORY: Input = field(
        "category",
        "--category",
        Type::Text,
        (1, limits::EVENT_CATEGORY),
        true,
        "1–64 characters, e.g. antivirus, disk-space",
    );
    pub const MESSAGE: Input = field(
        "message",
        "--message",
        Type::Text,
        (1, limits::EVENT_MESSAGE),
        true,
        "1–1,000 characters",
    );
    pub const TIME: Input = field(
        "time",
        "--time",
        Type::DateTime,
        (0, 0),
        false,
        "RFC 3339 UTC such as 2026-11-27T08:00:00Z; default now",
    );

    /// `EventInput`.
    pub const FIELDS: &[Input] = &[KIND, SEVERITY, CATEGORY, MESSAGE, TIME];
}

/// A table's fields as an edit may name them: `(name, CLI flag)`, for
/// `Error::nothing_to_change`.
pub fn changeable(fields: &'static [Input]) -> impl Iterator<Item = (&'static str, &'static str)> {
    fields.iter().map(|f| (f.name, f.flag))
}

/// The names of a table's fields, in order.
pub fn names(fields: &[Input]) -> Vec<&'static str> {
    fields.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helps_state_the_lengths_and_flags_follow_names() {
        let tables = [plan::FIELDS, license::ENTRY, device::FIELDS, event::FIELDS];
        for f in tables.iter().flat_map(|t| t.iter()) {
            assert!(f.min <= f.max, "{}", f.name);
            // A licence's plan names a plan; a firmware version's shape says more.
            let states_length = !["plan", "firmware"].contains(&f.name);
            if matches!(f.ty, Type::Text) && states_length {
                let range = format!("{}–{}", f.min, limits::n(f.max));
                assert!(f.help.contains(&range), "{}: {}", f.name, f.help);
            }
            // A plan's kind is given as `--trial`.
            if f.flag != "--trial" {
                assert_eq!(f.flag, format!("--{}", f.name.replace('_', "-")));
            }
        }
    }
}
