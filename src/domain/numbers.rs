//! Whole numbers as people type them, in a form field, a query or a command-line flag: white
//! space around the digits is ignored, and every face refuses anything else with the same words.

use super::error::FieldError;
use std::str::FromStr;

/// `text` as a whole number, or why it is not one.
pub fn whole<T: FromStr>(text: &str) -> Result<T, String> {
    let text = text.trim();
    text.parse()
        .map_err(|_| format!("`{text}` is not a whole number; use digits only, e.g. 12"))
}

/// The whole number of an optional field; empty or absent is `None`.
pub fn optional<T: FromStr>(field: &str, text: Option<&str>) -> Result<Option<T>, FieldError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => whole(t).map(Some).map_err(|m| FieldError::new(field, m)),
    }
}

/// The whole number of a field that must be given.
pub fn required<T: FromStr>(field: &str, text: Option<&str>) -> Result<T, FieldError> {
    optional(field, text)?.ok_or_else(|| FieldError::new(field, "required: a whole number"))
}

/// The decimal digits of `n`, as `Display` writes them, at the end of `digits`.
pub fn decimal(digits: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &digits[at..];
        }
    }
}

/// Appends `n` in decimal digits, as `Display` writes it, without the formatting machinery
/// (an export writes millions).
pub fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    out.push_str(std::str::from_utf8(decimal(&mut digits, n)).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_with_white_space_around_them_are_a_number() {
        assert_eq!(whole::<u32>(" 12 "), Ok(12));
        assert_eq!(optional::<u64>("units", Some("7")), Ok(Some(7)));
        assert_eq!(required::<u32>("units", Some("0")), Ok(0));
    }

    #[test]
    fn empty_is_absent_and_refused_only_where_required() {
        assert_eq!(optional::<u32>("used", Some("  ")), Ok(None));
        assert_eq!(optional::<u32>("used", None), Ok(None));
        assert_eq!(
            required::<u32>("units", Some("")),
            Err(FieldError::new("units", "required: a whole number"))
        );
    }

    #[test]
    fn anything_else_is_refused_naming_the_field_and_the_text() {
        let message = "`-1` is not a whole number; use digits only, e.g. 12";
        assert_eq!(whole::<u32>("-1"), Err(message.to_string()));
        assert_eq!(
            required::<u32>("units", Some(" -1")),
            Err(FieldError::new("units", message))
        );
        assert!(whole::<u32>("4294967296").is_err());
        assert!(whole::<u64>("1.5").is_err());
    }

    #[test]
    fn decimal_digits_are_what_display_writes() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut s = String::from("x");
            push_decimal(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
