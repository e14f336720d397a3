//! The names downloads are saved under: `customers-2026-11-27.csv`, `Acme-Corp-firmware-2026-11-27.eml`.
//!
//! A name comes in two forms: `ascii`, which every program can take as a file name (ASCII
//! letters, digits, `.`, `-` and `_` only), and `full`, which keeps the customer's own spelling
//! (non-Latin letters, emoji, spaces) for clients that read RFC 6266's `filename*`. Neither
//! ever holds a path separator, a quote or a control character, and neither is empty.

use super::date::Date;

/// The most characters a name part taken from customer text keeps.
pub const PART_MAX: usize = 60;

/// A download's file name in its two forms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileName {
    /// ASCII letters, digits, `.`, `-` and `_`: safe in any header and on any file system.
    pub ascii: String,
    /// The same name keeping the customer's own characters; only what a file name cannot
    /// hold (separators, quotes, reserved and control characters) is replaced.
    pub full: String,
}

impl FileName {
    /// `customers-YYYY-MM-DD.csv`, dated with the desk's *today*.
    pub fn customers_csv(today: Date) -> FileName {
        let name = format!("customers-{today}.csv");
        FileName {
            ascii: name.clone(),
            full: name,
        }
    }

    /// `<company>-firmware-<YYYY-MM-DD>.eml`; `customer-<id>` stands in for a company that
    /// is unknown (a deleted customer) or leaves nothing once made safe.
    pub fn firmware_mail(company: Option<&str>, customer_id: u64, date: Date) -> FileName {
        let fallback = || format!("customer-{customer_id}");
        let company = company.unwrap_or("");
        let ascii = Some(ascii_part(company))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(fallback);
        let full = Some(full_part(company))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(fallback);
        FileName {
            ascii: format!("{ascii}-firmware-{date}.eml"),
            full: format!("{full}-firmware-{date}.eml"),
        }
    }
}

/// Customer text as a file name part of ASCII letters, digits, `-` and `_`: every other
/// character becomes `-`, runs of `-` collapse, `-` is trimmed from both ends, and at most
/// [`PART_MAX`] characters are kept. May be empty.
pub fn ascii_part(text: &str) -> String {
    part(text, |c| c.is_ascii_alphanumeric() || c == '_')
}

/// Customer text as a file name part keeping letters, digits, emoji and spaces of any
/// script: control characters, path separators, quotes, the characters Windows reserves
/// (`: * ? < > |`), `%`, `;` and `=` become `-`; otherwise as [`ascii_part`]. May be empty.
pub fn full_part(text: &str) -> String {
    let part = part(text, |c| {
        !c.is_control()
            && !c.is_whitespace()
            && !matches!(
                c,
                '/' | '\\' | '"' | '\'' | ':' | '*' | '?' | '<' | '>' | '|' | '%' | ';' | '='
            )
            && !('\u{200b}'..='\u{200f}').contains(&c)
            && !('\u{2028}'..='\u{202e}').contains(&c)
            && !('\u{2066}'..='\u{2069}').contains(&c)
            && c != '\u{feff}'
    });
    part.trim_matches(['.', '-']).to_string()
}

fn part(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for c in text.chars() {
        let c = if keep(c) { c } else { '-' };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        if chars == PART_MAX {
            break;
        }
        out.push(c);
        chars += 1;
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> Date {
        Date::parse("2026-11-27").unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(
            FileName::customers_csv(day()).ascii,
            "customers-2026-11-27.csv"
        );
        let n = FileName::firmware_mail(Some("Müller & Söhne GmbH"), 3, day());
        assert_eq!(n.ascii, "M-ller-S-hne-GmbH-firmware-2026-11-27.eml");
        assert_eq!(n.full, "Müller-&-Söhne-GmbH-firmware-2026-11-27.eml");
        let n = FileName::firmware_mail(Some("=\"/\\..\""), 7, day());
        assert_eq!(n.ascii, "customer-7-firmware-2026-11-27.eml");
        assert_eq!(n.full, "customer-7-firmware-2026-11-27.eml");
        let n = FileName::firmware_mail(Some("東京システム 🚀"), 9, day());
        assert_eq!(n.ascii, "customer-9-firmware-2026-11-27.eml");
        assert_eq!(n.full, "東京システム-🚀-firmware-2026-11-27.eml");
        let n = FileName::firmware_mail(None, 4, day());
        assert_eq!(n.ascii, "customer-4-firmware-2026-11-27.eml");
        assert_eq!(ascii_part(&"a".repeat(200)).len(), PART_MAX);
        assert_eq!(ascii_part("--Acme,  \"Corp\"--"), "Acme-Corp");
    }

    /// Whatever the company, both forms are non-empty, bounded, hold no separator, quote or
    /// control character, and the ASCII form is only letters, digits, `.`, `-` and `_`.
    #[test]
    fn any_company_gives_a_safe_name() {
        let mut seed = 0x5eed_u64;
        let mut next = move || {
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let alphabet: Vec<char> =
            "aZ09-_ .,;:=\"'/\\%*?<>|\t\r\n\u{0}\u{7f}\u{202e}\u{feff}éß東京🚀ـ\u{301}"
                .chars()
                .collect();
        for round in 0..5000 {
            let len = (next() % 150) as usize;
            let company: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let n = FileName::firmware_mail(Some(&company), round, day());
            for name in [&n.ascii, &n.full] {
                assert!(!name.is_empty(), "{company:?}");
                assert!(name.chars().count() <= PART_MAX + 30, "{company:?}");
                assert!(
                    !name.contains(['/', '\\', '"', '\'', '%', ';', '='])
                        && !name.chars().any(char::is_control)
                        && !name.starts_with(['.', '-']),
                    "{company:?} → {name:?}"
                );
            }
            assert!(
                n.ascii
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')),
                "{company:?} → {:?}",
                n.ascii
            );
        }
    }
}
