//! Field rules of SPEC §1, each a small function that names the field and says how to fix it.

use super::error::FieldError;
use super::fields::{self, FieldSpec, Group, Rule};
use super::inputs;
use super::limits;
use super::model::{AccountType, PolicyList, Profile};
use serde::de::IgnoredAny;
use serde::Deserialize;

/// A customer as typed by a person or sent as JSON: every field optional, so the same type
/// serves "add" (missing means default or required) and "edit" (missing means unchanged).
/// The derived keys of a customer item are accepted and ignored, so an item read from the API
/// can be sent back as it is.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub company: Option<String>,
    pub account_name: Option<String>,
    pub account_type: Option<String>,
    pub status: Option<String>,
    pub contact_first_name: Option<String>,
    pub contact_last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub time_zone: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    /// Template names; an empty string clears.
    pub wfbs_template: Option<String>,
    pub cloud_edge_template: Option<String>,
    /// On add: the plans to assign. On edit and import: the complete new set of licences.
    pub licenses: Option<Vec<LicenseInput>>,
    #[serde(default, rename = "id")]
    pub _id: Option<IgnoredAny>,
    #[serde(default, rename = "products")]
    pub _products: Option<IgnoredAny>,
    #[serde(default, rename = "license_status")]
    pub _license_status: Option<IgnoredAny>,
    #[serde(default, rename = "next_expiry")]
    pub _next_expiry: Option<IgnoredAny>,
    #[serde(default, rename = "threat_system_action_required")]
    pub _tsar: Option<IgnoredAny>,
    #[serde(default, rename = "threat_system_warning")]
    pub _tsw: Option<IgnoredAny>,
    #[serde(default, rename = "license_action_required")]
    pub _lar: Option<IgnoredAny>,
    #[serde(default, rename = "license_warning")]
    pub _lw: Option<IgnoredAny>,
    #[serde(default, rename = "needs_attention")]
    pub _needs_attention: Option<IgnoredAny>,
    #[serde(default, rename = "attention_reasons")]
    pub _attention_reasons: Option<IgnoredAny>,
    #[serde(default, rename = "managed")]
    pub _managed: Option<IgnoredAny>,
    #[serde(default, rename = "last_transaction")]
    pub _last_transaction: Option<IgnoredAny>,
    #[serde(default, rename = "created_at")]
    pub _created_at: Option<IgnoredAny>,
    #[serde(default, rename = "updated_at")]
    pub _updated_at: Option<IgnoredAny>,
}

fields::by_name!(CustomerInput, Option<String>);

/// The derived keys of a customer item that `CustomerInput` accepts and ignores (its
/// `IgnoredAny` members; tests/fields.rs keeps the two in step).
pub const CUSTOMER_READ_ONLY: &[&str] = &[
    "id",
    "products",
    "license_status",
    "next_expiry",
    "threat_system_action_required",
    "threat_system_warning",
    "license_action_required",
    "license_warning",
    "needs_attention",
    "attention_reasons",
    "managed",
    "last_transaction",
    "created_at",
    "updated_at",
];

/// A licence as typed: a plan by name with units; dates default from the plan.
/// Unknown keys are not refused here: the API checks them itself so it can name
/// `licenses[i].key` exactly.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LicenseInput {
    pub plan: String,
    pub units: u32,
    #[serde(default)]
    pub used: u32,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub expiry: Option<String>,
    /// Accepted and ignored, like the derived customer keys.
    #[serde(default, rename = "id")]
    pub _id: Option<IgnoredAny>,
    #[serde(default, rename = "plan_id")]
    pub _plan_id: Option<IgnoredAny>,
    #[serde(default, rename = "product")]
    pub _product: Option<IgnoredAny>,
    #[serde(default, rename = "kind")]
    pub _kind: Option<IgnoredAny>,
    #[serde(default, rename = "status")]
    pub _status: Option<IgnoredAny>,
}

/// Builds a valid profile from typed input over an optional existing one, collecting every
/// field error at once so a form can show them all.
pub fn profile(input: &CustomerInput, base: Option<&Profile>) -> Result<Profile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let empty = Profile::default();
    let old = base.unwrap_or(&empty);
    let is_add = base.is_none();
    let mut out = Profile::default();
    for spec in fields::PROFILE {
        // Every table field is a member of both (tests/fields.rs checks the member lists).
        let (Some(given), Some(old), Some(slot)) = (
            input.text(spec.name),
            old.text(spec.name),
            out.text_mut(spec.name),
        ) else {
            unreachable!("`{}` is in the field table but not a member", spec.name)
        };
        *slot = match given {
            Some(v) => check(spec, v).unwrap_or_else(|message| {
                errors.push(FieldError::new(spec.name, message));
                v.clone()
            }),
            None if is_add => check(spec, "").unwrap_or_else(|message| {
                errors.push(FieldError::new(spec.name, message));
                String::new()
            }),
            None => old.clone(),
        };
    }
    out.account_type = match &input.account_type {
        None if !is_add => old.account_type,
        given => {
            let v = given.as_deref().unwrap_or_default();
            AccountType::parse(v).unwrap_or_else(|| {
                // In form order: the account type ends the profile group.
                let at = errors
                    .iter()
                    .take_while(|e| {
                        fields::find(&e.field).is_some_and(|f| f.group == Group::Profile)
                    })
                    .count();
                let message = if v.trim().is_empty() {
                    "required: CLP or LMP".to_string()
                } else {
                    format!("`{}` is not valid; use CLP or LMP", v.trim())
                };
                errors.insert(at, FieldError::new("account_type", message));
                AccountType::default()
            })
        }
    };
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A profile field's rule, with the lengths of its spec.
pub fn check(spec: &FieldSpec, v: &str) -> Result<String, String> {
    match spec.rule {
        Rule::Text => text(v, spec.min, spec.max),
        Rule::AccountName => account_name(v),
        Rule::Email => email(v),
        Rule::Phone => phone(v),
        Rule::Country => country(v),
        Rule::TimeZone => time_zone(v),
        Rule::Language => language(v),
        Rule::Notes => notes(v),
    }
}

/// Free text: trimmed, `min..=max` characters, no control characters but newlines and tabs.
pub fn text(v: &str, min: usize, max: usize) -> Result<String, String> {
    let v = v.trim();
    let n = v.chars().count();
    if n < min {
        return Err(if min == 1 {
            "required: enter a value".to_string()
        } else {
            format!("too short: at least {min} characters, got {n}")
        });
    }
    if n > max {
        return Err(format!("too long: at most {max} characters, got {n}"));
    }
    if let Some(c) = v
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t' && *c != '\r')
    {
        return Err(format!(
            "contains the control character U+{:04X}; remove it",
            c as u32
        ));
    }
    Ok(v.to_string())
}

pub fn account_name(v: &str) -> Result<String, String> {
    let spec = &fields::ACCOUNT_NAME;
    let v = v.trim();
    let n = v.chars().count();
    if n == 0 {
        return Err(format!("required: {} of A-Z a-z 0-9 - _", spec.length()));
    }
    if let Some(c) = v
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "`{c}` is not allowed: use only A-Z a-z 0-9 - _ ({})",
            spec.length()
        ));
    }
    if !(spec.min..=spec.max).contains(&n) {
        return Err(format!("must be {} long, got {n}", spec.length()));
    }
    Ok(v.to_string())
}

/// The longest local part (before `@`) of an address, in bytes (RFC 5321 §4.5.3.1.1).
const EMAIL_LOCAL_PART: usize = 64;

pub fn email(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() {
        return Err("required: an address such as name@example.com".into());
    }
    if v.chars().count() > fields::EMAIL.max {
        return Err(format!(
            "too long: at most {} characters",
            fields::EMAIL.max
        ));
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces; use an address such as name@example.com".into());
    }
    let mut parts = v.split('@');
    let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
        (Some(l), Some(d), None) => (l, d),
        _ => return Err("must contain exactly one `@`, as in name@example.com".into()),
    };
    if local.is_empty() {
        return Err("the part before `@` is empty; use an address such as name@example.com".into());
    }
    if local.len() > EMAIL_LOCAL_PART {
        return Err(format!(
            "the part before `@` is {} bytes long; an address allows at most {EMAIL_LOCAL_PART} (RFC 5321)",
            local.len()
        ));
    }
    let dot_ok = domain.split('.').all(|label| !label.is_empty()) && domain.contains('.');
    if !dot_ok {
        return Err(format!(
            "the domain `{domain}` needs a dot between non-empty parts, as in example.com"
        ));
    }
    Ok(v.to_string())
}

pub fn phone(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.chars().count() > fields::PHONE.max {
        return Err(format!(
            "too long: at most {} characters",
            fields::PHONE.max
        ));
    }
    if let Some(c) = v
        .chars()
        .find(|c| !(c.is_ascii_digit() || " +-().x".contains(*c)))
    {
        return Err(format!(
            "`{c}` is not allowed: use digits, spaces and + - ( ) . x"
        ));
    }
    Ok(v.to_string())
}

/// ISO 3166-1 alpha-2 codes currently assigned.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM \
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC \
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE \
NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD \
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA \
UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Whether `code` is one of [`COUNTRIES`] (sorted codes three bytes apart: a binary search,
/// since every imported row asks).
fn is_country(code: &str) -> bool {
    let table = COUNTRIES.as_bytes();
    if code.len() != 2 {
        return false;
    }
    let (mut lo, mut hi) = (0, table.len().div_ceil(3));
    while lo < hi {
        let mid = (lo + hi) / 2;
        match table[3 * mid..3 * mid + 2].cmp(code.as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

pub fn country(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() {
        return Err("required: a two-letter ISO 3166-1 code such as DE or US".into());
    }
    if is_country(v) {
        return Ok(v.to_string());
    }
    let upper = v.to_ascii_uppercase();
    if upper != v && is_country(&upper) {
        return Err(format!("write country codes in upper case: `{upper}`"));
    }
    Err(format!(
        "`{v}` is not an ISO 3166-1 alpha-2 country code; use two capital letters such as DE or US"
    ))
}

/// An IANA time-zone name such as `Europe/Berlin` or `UTC`, as the tz database spells it.
pub fn time_zone(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok("UTC".into());
    }
    let hint = "use an IANA time-zone name such as Europe/Berlin, America/New_York or UTC";
    if v.chars().count() > fields::TIME_ZONE.max {
        return Err(format!(
            "too long: at most {} characters; {hint}",
            fields::TIME_ZONE.max
        ));
    }
    if super::time_zones::is_known(v) {
        return Ok(v.to_string());
    }
    // A known name in other letter case is named, so the fix is obvious.
    if let Some(known) = super::time_zones::NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(v))
    {
        return Err(format!(
            "`{v}` is spelled `{known}` in the time-zone database"
        ));
    }
    Err(format!("`{v}` is not a time-zone name; {hint}"))
}

/// A BCP 47 language tag: a 2–3 letter language, then subtags of 1–8 letters or digits.
pub fn language(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok("en".into());
    }
    let mut subtags = v.split('-');
    let primary = subtags.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok && v.len() <= fields::LANGUAGE.max {
        Ok(v.to_string())
    } else {
        Err(format!(
            "`{v}` is not a BCP 47 language tag; use one such as en, de-DE or pt-BR"
        ))
    }
}

pub fn notes(v: &str) -> Result<String, String> {
    let n = v.chars().count();
    if n > fields::NOTES.max {
        return Err(format!(
            "too long: at most {} characters, got {}",
            limits::n(fields::NOTES.max),
            limits::n(n)
        ));
    }
    if let Some(c) = v
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(format!(
            "contains the control character U+{:04X}; remove it",
            c as u32
        ));
    }
    Ok(v.to_string())
}

/// Plan and template names: 1–64 characters without `:` or `;` (they separate CSV entries).
pub fn plan_name(v: &str) -> Result<String, String> {
    let v = inputs::plan::NAME.text(v)?;
    if v.contains([':', ';', '/', '\n', '\r']) {
        return Err("must not contain `:`, `;`, `/` or line breaks".into());
    }
    Ok(v)
}

/// A dotted firmware version such as `2.5.1034`.
pub fn version(v: &str) -> Result<String, String> {
    let v = v.trim();
    let ok = !v.is_empty()
        && v.len() <= limits::VERSION
        && v.split('.')
            .all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "`{v}` is not a firmware version; use dotted numbers such as 3.2.1"
        ))
    }
}

/// Compares dotted version numbers numerically (`1.10` is newer than `1.9`; `1.2` equals `1.2.0`).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| -> Vec<u64> { s.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    let (mut x, mut y) = (parse(a), parse(b));
    let n = x.len().max(y.len());
    x.resize(n, 0);
    y.resize(n, 0);
    x.cmp(&y)
}

/// Splits policy entries on `;` and newlines, drops empty ones and checks each against the
/// list's format. The error names the entry's position (1-based) and the entry itself.
pub fn policy_entries(list: PolicyList, raw: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let entries = raw
        .split([';', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty());
    for (i, entry) in entries.clone().enumerate() {
        if i == limits::POLICY_ENTRIES {
            return Err(limits::too_many(
                "entries",
                limits::POLICY_ENTRIES,
                entries.count(),
                "a policy list holds at most that many; deploy fewer entries",
            ));
        }
        policy_entry(list, entry).map_err(|why| format!("entry {} `{entry}`: {why}", i + 1))?;
        if !out.iter().any(|e: &String| e == entry) {
            out.push(entry.to_string());
        }
    }
    if out.is_empty() {
        return Err("no entries given; separate entries with `;` or new lines".into());
    }
    policy_list_fits(&out)?;
    Ok(out)
}

/// Whether a whole policy list stays within its maxima (entries and characters together).
pub fn policy_list_fits(entries: &[String]) -> Result<(), String> {
    if entries.len() > limits::POLICY_ENTRIES {
        return Err(limits::too_many(
            "entries",
            limits::POLICY_ENTRIES,
            entries.len(),
            "delete entries that are no longer needed, or overwrite the list with a shorter one",
        ));
    }
    let chars: usize = entries.iter().map(|e| e.chars().count()).sum();
    if chars > limits::POLICY_LIST {
        return Err(format!(
            "too long: a policy list holds at most {} characters in all, this one would hold {}; \
             delete entries that are no longer needed, or overwrite the list with a shorter one",
            limits::n(limits::POLICY_LIST),
            limits::n(chars)
        ));
    }
    Ok(())
}

fn policy_entry(list: PolicyList, e: &str) -> Result<(), String> {
    let n = e.chars().count();
    if n > limits::POLICY_ENTRY {
        return Err(format!(
            "too long: at most {} characters, got {}",
            limits::n(limits::POLICY_ENTRY),
            limits::n(n)
        ));
    }
    if e.chars().any(char::is_control) {
        return Err("contains control characters; remove them".into());
    }
    match list {
        PolicyList::ApprovedUrls | PolicyList::BlockedUrls => {
            let lower = e.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("http://")
                .or_else(|| lower.strip_prefix("https://"))
                .ok_or("a URL must start with http:// or https://")?;
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            if host.is_empty() || e.contains(char::is_whitespace) {
                return Err(
                    "a URL needs a host name and no spaces, as in https://example.com/".into(),
                );
            }
            Ok(())
        }
        PolicyList::BehaviorApproved | PolicyList::BehaviorBlocked => {
            if e.contains(['<', '>', '|', '"']) {
                return Err(
                    "a program path must not contain < > | or \"; use *, ? and %VAR% for wildcards"
                        .into(),
                );
            }
            if e.matches('%').count() % 2 == 1 {
                return Err(
                    "an environment variable needs a closing `%`, as in %ProgramFiles%".into(),
                );
            }
            Ok(())
        }
        PolicyList::MlExceptions => {
            if e.len() == 40 && e.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(())
            } else {
                Err("must be a SHA-1 hash: exactly 40 hexadecimal digits".into())
            }
        }
        PolicyList::AvExclusionsWindows | PolicyList::AvExclusionsMac => {
            if e.contains(['<', '>', '|', '"']) {
                Err("an exclusion must not contain < > | or \"".into())
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_search_finds_every_listed_code_and_nothing_else() {
        let codes: Vec<&str> = COUNTRIES.split(' ').collect();
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "COUNTRIES must stay sorted"
        );
        assert!(codes.iter().all(|c| c.len() == 2));
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap();
                assert_eq!(is_country(&code), codes.contains(&code.as_str()), "{code}");
            }
        }
        for odd in ["", "D", "DEU", "de", "D E"] {
            assert!(!is_country(odd), "{odd}");
        }
    }

    #[test]
    fn field_rules_accept_and_refuse() {
        fn check(rule: fn(&str) -> Result<String, String>, good: &[&str], bad: &[&str]) {
            for v in good {
                assert!(rule(v).is_ok(), "refused `{v}`: {:?}", rule(v));
            }
            for v in bad {
                assert!(rule(v).is_err(), "accepted `{v}`");
            }
        }
        let local_part = |s: &str, n| format!("{}@example.com", s.repeat(n));
        check(
            account_name,
            &["ab_c-9"],
            &["abc", "a b c d", &"a".repeat(26)],
        );
        check(
            email,
            &["a@b.co", &local_part("a", 64)],
            // 33 × ü is 66 bytes.
            &["a@@b.co", "a@bco", "a b@c.de", "a@b.", &local_part("ü", 33)],
        );
        check(phone, &["+49 (30) 123-45.6 x7"], &["12a"]);
        check(country, &["DE"], &["XX"]);
        check(
            time_zone,
            &[
                "Europe/Berlin",
                "America/Argentina/Buenos_Aires",
                "Asia/Calcutta",
            ],
            &[
                "Mars/Olympus",
                "Europe/Atlantis",
                &format!("Europe{}", "/Berlin".repeat(20)),
            ],
        );
        check(
            language,
            &["de-DE"],
            &["deutsch!", &format!("en{}", "-abc".repeat(20))],
        );
        check(plan_name, &["Gold 12"], &["Gold: 12"]);
        assert!(country("de").unwrap_err().contains("upper case"));
        let e = time_zone("europe/berlin").unwrap_err();
        assert!(e.contains("`Europe/Berlin`"), "{e}");
        let e = email(&local_part("a", 65)).unwrap_err();
        assert!(e.contains("64") && e.contains("65"), "{e}");
        assert_eq!(
            text("  Müller & Söhne, \"GmbH\"  ", 1, 128).unwrap(),
            "Müller & Söhne, \"GmbH\""
        );
        assert!(text(&"ü".repeat(128), 1, 128).is_ok());
        assert!(text(&"ü".repeat(129), 1, 128).is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("1.10", "1.9"), Greater);
        assert_eq!(compare_versions("1.2", "1.2.0"), Equal);
        assert_eq!(compare_versions("2.0.1", "10.0"), Less);
    }

    #[test]
    fn policy_entries_split_and_check() {
        let ok = policy_entries(
            PolicyList::BlockedUrls,
            "https://a.example/;\n\nhttp://b.example ;",
        )
        .unwrap();
        assert_eq!(ok, vec!["https://a.example/", "http://b.example"]);
        let err =
            policy_entries(PolicyList::BlockedUrls, "https://a.example/;ftp://x").unwrap_err();
        assert!(err.starts_with("entry 2 `ftp://x`"), "{err}");
        assert!(policy_entries(PolicyList::MlExceptions, &"a".repeat(40)).is_ok());
        assert!(policy_entries(PolicyList::MlExceptions, &"g".repeat(40)).is_err());
        assert!(policy_entries(PolicyList::BehaviorBlocked, "%ProgramFiles%\\*\\x?.exe").is_ok());
        assert!(policy_entries(PolicyList::BehaviorBlocked, "%ProgramFiles\\x.exe").is_err());
    }
}
