//! Every maximum of clientele, defined once. The rules in `validate`, `customers`,
//! `holdings`, `catalogs`, `bulk` and the CSV import enforce these, and README's "Limits"
//! table lists them (a test keeps the two in step).
//!
//! The limits are far above what an MSP needs, and low enough that the largest record they
//! allow stays well below the size the store reads back (16 MiB). With every maximum reached
//! and four-byte characters everywhere, a customer encodes to about 3.4 MiB, an audit entry
//! (an edit of such a customer, with its snapshot) to 2.7 MiB, a template to 2.1 MiB, a
//! summary to 0.3 MiB (`store::records` test `maximal_records_fit_the_store` builds each).
//! The store checks every encoded value on write as well, so a rule missed here still cannot
//! commit an unreadable record.

use super::error::FieldError;

/// One documented maximum: the field (as interfaces name it), the limit and its unit.
pub struct Limit {
    pub field: &'static str,
    pub max: usize,
    pub unit: &'static str,
}

macro_rules! limits {
    ($($(#[$m:meta])* $name:ident = $max:literal, $field:literal, $unit:literal;)+) => {
        $( $(#[$m])* pub const $name: usize = $max; )+
        /// Every limit, in README order.
        pub const ALL: &[Limit] = &[$(Limit { field: $field, max: $max, unit: $unit }),+];
    };
}

limits! {
    COMPANY = 128, "company", "characters";
    ACCOUNT_NAME = 25, "account_name", "characters";
    CONTACT_NAME = 50, "contact_first_name, contact_last_name", "characters";
    EMAIL = 254, "email", "characters";
    PHONE = 32, "phone", "characters";
    ADDRESS = 128, "address", "characters";
    CITY_STATE = 64, "city, state", "characters";
    POSTAL_CODE = 10, "postal_code", "characters";
    TIME_ZONE = 64, "time_zone", "characters";
    LANGUAGE = 35, "language", "characters";
    NOTES = 4_000, "notes", "characters";
    /// Licences one customer holds.
    LICENSES = 1_000, "licenses (per customer)", "licences";
    /// Cloud Edge devices one customer holds.
    DEVICES = 1_000, "devices (per customer)", "devices";
    DEVICE_TEXT = 64, "device name, serial, model", "characters";
    VERSION = 32, "firmware version", "characters";
    /// Events (open and resolved) of one customer; each is its own record.
    EVENTS = 10_000, "events (per customer)", "events";
    EVENT_CATEGORY = 64, "event category", "characters";
    EVENT_MESSAGE = 1_000, "event message", "characters";
    POLICY_ENTRIES = 1_000, "policy list entries (per list)", "entries";
    POLICY_ENTRY = 2_048, "policy entry", "characters";
    /// All entries of one policy list together.
    POLICY_LIST = 100_000, "policy list (all entries together)", "characters";
    NAME = 64, "plan and template name", "characters";
    PLANS = 10_000, "plans", "plans";
    TEMPLATES = 10_000, "templates", "templates";
    TEMPLATE_SETTINGS = 500, "template settings (per template)", "settings";
    SETTING_KEY = 64, "template setting key", "characters";
    SETTING_VALUE = 1_024, "template setting value", "characters";
    FIRMWARE_MODELS = 10_000, "firmware catalogue", "models";
    /// Customers one file holds: every index and column grows with them (about 2 GB of
    /// file per million demo customers).
    CUSTOMERS = 10_000_000, "customers (per file)", "customers";
    /// Customer ids one audit entry lists; a larger import lists the first ones and the count.
    AUDIT_CUSTOMERS = 100_000, "customers named by one audit entry", "ids";
    /// Ids in one selection; a filter selects any number.
    SELECTION_IDS = 10_000, "ids per selection (a filter has no limit)", "ids";
    /// Customers a stored task run lists with their outcome; the rest are counted. The
    /// stored list also ends early once it holds 8 MiB of text, whichever comes first.
    RUN_RESULTS = 10_000, "customers listed per stored task run (the rest are counted)", "customers";
    IDEMPOTENCY_KEY = 255, "Idempotency-Key header", "characters";
    /// Errors one answer lists; the rest are counted.
    REPORTED_ERRORS = 100, "errors listed per answer (the rest are counted)", "errors";
}

/// Formats a count with thousands separators, as the messages and README write them.
pub fn n(value: impl ToString) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The message for a collection that would grow past its maximum.
pub fn too_many(what: &str, max: usize, got: usize, fix: &str) -> String {
    format!(
        "too many {what}: at most {} allowed, got {}; {fix}",
        n(max),
        n(got)
    )
}

/// Keeps the first [`REPORTED_ERRORS`] errors and sums up the rest in one more entry, so a
/// huge bad input gets an answer of bounded size.
pub fn cap_errors(errors: &mut Vec<FieldError>) {
    if errors.len() <= REPORTED_ERRORS {
        return;
    }
    let more = errors.len() - REPORTED_ERRORS;
    let field = errors[REPORTED_ERRORS].field.clone();
    errors.truncate(REPORTED_ERRORS);
    errors.push(FieldError::new(field, more_errors(more)));
}

/// "… and N more errors of this kind".
pub fn more_errors(more: usize) -> String {
    format!(
        "… and {} more error(s) of this kind; fix the ones listed and try again to see the rest",
        n(more)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_and_errors_capped() {
        assert_eq!(n(0), "0");
        assert_eq!(n(999), "999");
        assert_eq!(n(1_000), "1,000");
        assert_eq!(n(1_234_567), "1,234,567");
        let mut errors: Vec<FieldError> = (0..250)
            .map(|i| FieldError::new(format!("licenses[{i}].plan"), "unknown"))
            .collect();
        cap_errors(&mut errors);
        assert_eq!(errors.len(), REPORTED_ERRORS + 1);
        assert!(errors[REPORTED_ERRORS].message.contains("150 more"));
    }
}
