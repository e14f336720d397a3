//! The customer profile's text fields, defined once: name, label, CLI flag, limits, pattern,
//! required-ness and help. Validation reads its lengths from here, the console builds its
//! form fields and the OpenAPI document its request properties from it, and `tests/fields.rs`
//! checks the faces that cannot be generated (argh's flags, the CSV header) against it.

use super::limits;

/// One profile field.
pub struct FieldSpec {
    /// The key in `CustomerInput`, the JSON bodies, the form and the CSV header.
    pub name: &'static str,
    /// The console's label.
    pub label: &'static str,
    /// The CLI flag of `add` and `edit`.
    pub flag: &'static str,
    /// Characters after trimming; `min` 0 lets the field be empty.
    pub min: usize,
    pub max: usize,
    /// The shape as a regular expression where one describes it, for schemas and generators;
    /// validation applies `rule`, whose messages say what is wrong.
    pub pattern: Option<&'static str>,
    /// Whether a new customer must have it.
    pub required: bool,
    /// One line for every face (CLI help, form hint, OpenAPI description), lower case first
    /// as argh wants it.
    pub help: &'static str,
    pub rule: Rule,
    /// What kind of value it holds, so a form can offer the right control.
    pub kind: Kind,
    /// The WHATWG autofill token: what a browser may fill in, if anything. A field about the
    /// customer with no token of its own has none (no `autocomplete` attribute) rather than
    /// `off`: browsers do not restore an `off` field's typed value on Back, and password
    /// managers ignore `off` anyway. Without a token a browser only suggests what was typed
    /// into the same field before, never the signed-in user's own details.
    pub autofill: Option<&'static str>,
    pub group: Group,
}

/// The check `validate::check` applies beyond the length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Text,
    AccountName,
    Email,
    Phone,
    Country,
    TimeZone,
    Language,
    Notes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Phone,
    /// Several lines.
    Lines,
}

/// Where the field belongs in a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Profile,
    Contact,
    Address,
    Preferences,
    Notes,
}

impl FieldSpec {
    /// The allowed length in words: "4 to 25 characters" or "up to 4,000 characters".
    pub fn length(&self) -> String {
        if self.min == 0 {
            format!("up to {} characters", limits::n(self.max))
        } else {
            format!("{} to {} characters", self.min, limits::n(self.max))
        }
    }
}

/// `text`'s `autofill` for a field with no WHATWG token: no `autocomplete` attribute.
const NO_TOKEN: &str = "";

/// A plain text field's spec; the others spell every part.
const fn text(
    name: &'static str,
    label: &'static str,
    flag: &'static str,
    (min, max): (usize, usize),
    help: &'static str,
    autofill: &'static str,
    group: Group,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        flag,
        min,
        max,
        pattern: None,
        required: min > 0,
        help,
        rule: Rule::Text,
        kind: Kind::Text,
        autofill: if autofill.is_empty() {
            None
        } else {
            Some(autofill)
        },
        group,
    }
}

pub const COMPANY: FieldSpec = text(
    "company",
    "Company",
    "--company",
    (1, limits::COMPANY),
    "company name, 1 to 128 characters, unique",
    "organization",
    Group::Profile,
);
pub const ACCOUNT_NAME: FieldSpec = FieldSpec {
    pattern: Some("^[A-Za-z0-9_-]+$"),
    rule: Rule::AccountName,
    ..text(
        "account_name",
        "Account name",
        "--account-name",
        (4, limits::ACCOUNT_NAME),
        "account name, 4 to 25 characters of A-Z a-z 0-9 - _, unique",
        NO_TOKEN,
        Group::Profile,
    )
};
pub const CONTACT_FIRST_NAME: FieldSpec = text(
    "contact_first_name",
    "First name",
    "--contact-first-name",
    (1, limits::CONTACT_NAME),
    "contact's first name, 1 to 50 characters",
    "given-name",
    Group::Contact,
);
pub const CONTACT_LAST_NAME: FieldSpec = text(
    "contact_last_name",
    "Last name",
    "--contact-last-name",
    (1, limits::CONTACT_NAME),
    "contact's last name, 1 to 50 characters",
    "family-name",
    Group::Contact,
);
pub const EMAIL: FieldSpec = FieldSpec {
    pattern: Some("^[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+$"),
    rule: Rule::Email,
    kind: Kind::Email,
    ..text(
        "email",
        "Email",
        "--email",
        (1, limits::EMAIL),
        "contact e-mail address such as name@example.com",
        "email",
        Group::Contact,
    )
};
pub const PHONE: FieldSpec = FieldSpec {
    pattern: Some("^[0-9 +().x-]*$"),
    rule: Rule::Phone,
    kind: Kind::Phone,
    ..text(
        "phone",
        "Phone",
        "--phone",
        (0, limits::PHONE),
        "phone number: digits, spaces and + - ( ) . x, up to 32 characters",
        "tel",
        Group::Contact,
    )
};
pub const ADDRESS: FieldSpec = text(
    "address",
    "Street address",
    "--address",
    (0, limits::ADDRESS),
    "street address, up to 128 characters",
    "street-address",
    Group::Address,
);
pub const CITY: FieldSpec = text(
    "city",
    "City",
    "--city",
    (1, limits::CITY_STATE),
    "city, 1 to 64 characters",
    "address-level2",
    Group::Address,
);
pub const STATE: FieldSpec = text(
    "state",
    "State or region",
    "--state",
    (1, limits::CITY_STATE),
    "state or region, 1 to 64 characters",
    "address-level1",
    Group::Address,
);
pub const POSTAL_CODE: FieldSpec = text(
    "postal_code",
    "Postal code",
    "--postal-code",
    (0, limits::POSTAL_CODE),
    "postal code, up to 10 characters",
    "postal-code",
    Group::Address,
);
pub const COUNTRY: FieldSpec = FieldSpec {
    pattern: Some("^[A-Z]{2}$"),
    rule: Rule::Country,
    // An ISO 3166-1 alpha-2 code is two letters by definition, not by a limit of ours.
    ..text(
        "country",
        "Country",
        "--country",
        (2, 2),
        "two-letter ISO 3166-1 country code in capitals, e.g. DE or US",
        "country",
        Group::Address,
    )
};
pub const TIME_ZONE: FieldSpec = FieldSpec {
    rule: Rule::TimeZone,
    ..text(
        "time_zone",
        "Time zone",
        "--time-zone",
        (0, limits::TIME_ZONE),
        "IANA time zone such as Europe/Berlin; empty means UTC",
        NO_TOKEN,
        Group::Preferences,
    )
};
pub const LANGUAGE: FieldSpec = FieldSpec {
    pattern: Some("^([A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*)?$"),
    rule: Rule::Language,
    ..text(
        "language",
        "Language",
        "--language",
        (0, limits::LANGUAGE),
        "BCP 47 language tag such as en or de-DE; empty means en",
        NO_TOKEN,
        Group::Preferences,
    )
};
pub const NOTES: FieldSpec = FieldSpec {
    rule: Rule::Notes,
    kind: Kind::Lines,
    autofill: None,
    ..text(
        "notes",
        "Notes",
        "--notes",
        (0, limits::NOTES),
        "free notes, up to 4,000 characters, newlines allowed",
        NO_TOKEN,
        Group::Notes,
    )
};

/// Every profile text field, in the order of SPEC §1.1 and of the form.
pub const PROFILE: &[FieldSpec] = &[
    COMPANY,
    ACCOUNT_NAME,
    CONTACT_FIRST_NAME,
    CONTACT_LAST_NAME,
    EMAIL,
    PHONE,
    ADDRESS,
    CITY,
    STATE,
    POSTAL_CODE,
    COUNTRY,
    TIME_ZONE,
    LANGUAGE,
    NOTES,
];

/// `text(name)` and `text_mut(name)` for a type with one `$ty` member per profile field,
/// named as in [`PROFILE`] (a test keeps this list and the table in step).
macro_rules! by_name {
    ($name:ty, $ty:ty) => {
        $crate::domain::fields::by_name!(@impl $name, $ty; company, account_name, contact_first_name, contact_last_name, email, phone, address, city, state, postal_code, country, time_zone, language, notes);
    };
    (@impl $name:ty, $ty:ty; $($member:ident),*) => {
        impl $name {
            /// The members `text` knows, in order.
            pub const TEXT_FIELDS: &'static [&'static str] = &[$(stringify!($member)),*];

            /// A profile field's member by its name in `fields::PROFILE`.
            pub fn text(&self, name: &str) -> Option<&$ty> {
                match name {
                    $(stringify!($member) => Some(&self.$member),)*
                    _ => None,
                }
            }

            pub fn text_mut(&mut self, name: &str) -> Option<&mut $ty> {
                match name {
                    $(stringify!($member) => Some(&mut self.$member),)*
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use by_name;

/// The spec of a profile field by name.
pub fn find(name: &str) -> Option<&'static FieldSpec> {
    PROFILE.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_states_the_length_and_flags_follow_names() {
        for f in PROFILE {
            assert_eq!(
                f.flag,
                format!("--{}", f.name.replace('_', "-")),
                "{}",
                f.name
            );
            assert!(f.min <= f.max, "{}", f.name);
            let states_length = !matches!(
                f.rule,
                Rule::Email | Rule::Country | Rule::TimeZone | Rule::Language
            );
            if states_length {
                assert!(f.help.contains(&f.length()), "{}: {}", f.name, f.help);
            }
        }
    }
}
