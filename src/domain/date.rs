//! Calendar dates and UTC timestamps without a time-zone database.
//!
//! A `Date` is a count of days since 1970-01-01 (proleptic Gregorian); a `Timestamp` is whole
//! seconds since the Unix epoch in UTC. Both order and compare as plain integers.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
/// Only the constructors below make one, so every `Date` lies in 0001-01-01..=9999-12-31.
pub struct Date(i32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    /// The first and last dates clientele reads and writes (`YYYY-MM-DD` has four year digits).
    pub const FIRST: Date = Date(-719_162);
    pub const LAST: Date = Date(2_932_896);

    /// The date `days` after 1970-01-01, if it lies between [`Date::FIRST`] and [`Date::LAST`].
    pub fn from_days(days: i32) -> Option<Date> {
        (Date::FIRST.0..=Date::LAST.0)
            .contains(&days)
            .then_some(Date(days))
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days(self) -> i32 {
        self.0
    }

    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=9999).contains(&y) || !(1..=12).contains(&m) {
            return None;
        }
        if d == 0 || d > days_in_month(i64::from(y), m) {
            return None;
        }
        Some(Date(days_from_civil(i64::from(y), m, d) as i32))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(i64::from(self.0));
        (y as i32, m, d)
    }

    /// Parses `YYYY-MM-DD` strictly (four-digit year, two-digit month and day).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// The same day `months` later (earlier when negative); the day is clamped to the end of a
    /// shorter month (2026-01-31 + 1 month = 2026-02-28). `None` past either end of the range.
    pub fn add_months(self, months: i64) -> Option<Date> {
        let (y, m, d) = self.ymd();
        let total = (i64::from(y) * 12 + i64::from(m - 1)).checked_add(months)?;
        let ny = i32::try_from(total.div_euclid(12)).ok()?;
        let nm = (total.rem_euclid(12) + 1) as u32;
        Date::from_ymd(ny, nm, d.min(days_in_month(i64::from(ny), nm)))
    }

    /// The date `days` later (earlier when negative); `None` past either end of the range.
    pub fn add_days(self, days: i64) -> Option<Date> {
        let target = i64::from(self.0).checked_add(days)?;
        Date::from_days(i32::try_from(target).ok()?)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i32 {
        other.0 - self.0
    }

    /// Today's date in the machine's local time zone.
    pub fn local_today() -> Date {
        let now = Timestamp::now().0;
        Date(((now + local_utc_offset_seconds(now)).div_euclid(86_400)) as i32)
    }
}

/// A calendar month, written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn of(d: Date) -> Month {
        let (year, month, _) = d.ymd();
        Month { year, month }
    }

    /// Parses `YYYY-MM` strictly, within the years a [`Date`] can hold.
    pub fn parse(s: &str) -> Option<Month> {
        let day = Date::parse(&format!("{s}-01")).filter(|_| s.len() == 7)?;
        Some(Month::of(day))
    }

    /// The month after this one, while it lies within the years a [`Date`] can hold.
    pub fn next(self) -> Option<Month> {
        self.first().add_months(1).map(Month::of)
    }

    pub fn first(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or(Date::LAST)
    }

    pub fn contains(self, d: Date) -> bool {
        Month::of(d) == self
    }

    /// Months since year 0, so that later months are larger numbers: an index key.
    pub fn number(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The local time zone's offset from UTC at the given instant, from the C library
/// (which reads `TZ` and `/etc/localtime`).
fn local_utc_offset_seconds(at: i64) -> i64 {
    let t = at as libc::time_t;
    // SAFETY: localtime_r writes only into the zeroed `tm` we pass and reads `t`.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            0
        } else {
            tm.tm_gmtoff
        }
    }
}

/// Two decimal digits of `n` (below 100) into `out[0..2]`.
fn two_digits(out: &mut [u8], n: u32) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// The text of ASCII digits and separators.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

impl Date {
    /// `YYYY-MM-DD`, the form [`Display`](fmt::Display) writes.
    fn iso(self) -> [u8; 10] {
        let (y, m, d) = self.ymd();
        let mut b = *b"0000-00-00";
        two_digits(&mut b[0..2], y.unsigned_abs() / 100);
        two_digits(&mut b[2..4], y.unsigned_abs() % 100);
        two_digits(&mut b[5..7], m);
        two_digits(&mut b[8..10], d);
        b
    }

    /// Appends the date as [`Display`](fmt::Display) writes it, without the formatting
    /// machinery (an export writes millions).
    pub fn push_to(self, out: &mut String) {
        out.push_str(ascii(&self.iso()));
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ascii(&self.iso()))
    }
}

impl Timestamp {
    pub fn now() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp(secs)
    }

    /// The UTC date of this instant. Timestamps are made by clocks, not typed by users; one
    /// outside the calendar range shows as the nearest end of it.
    pub fn date(self) -> Date {
        let days = self.0.div_euclid(86_400);
        Date(days.clamp(i64::from(Date::FIRST.0), i64::from(Date::LAST.0)) as i32)
    }

    pub fn at_midnight(date: Date) -> Timestamp {
        Timestamp(i64::from(date.0) * 86_400)
    }

    /// Parses RFC 3339 UTC timestamps of the form `2026-11-27T08:00:00Z`, with optional
    /// fractional seconds (`2026-11-27T08:00:00.000Z`, as JavaScript's `toISOString` writes),
    /// which are dropped: clientele keeps whole seconds.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        let fraction = s.get(19..s.len().checked_sub(1)?)?;
        let fraction_ok = fraction.is_empty()
            || (fraction.len() >= 2
                && fraction.len() <= 10
                && fraction.starts_with('.')
                && fraction[1..].bytes().all(|c| c.is_ascii_digit()));
        if b.len() < 20
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[b.len() - 1] != b'Z'
            || !fraction_ok
        {
            return None;
        }
        let date = Date::parse(&s[..10])?;
        let two = |i: usize| -> Option<i64> {
            let p = &s[i..i + 2];
            p.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| p.parse().ok())?
        };
        let (h, mi, se) = (two(11)?, two(14)?, two(17)?);
        if h > 23 || mi > 59 || se > 59 {
            return None;
        }
        Some(Timestamp(
            i64::from(date.0) * 86_400 + h * 3600 + mi * 60 + se,
        ))
    }
}

impl Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`, the form [`Display`](fmt::Display) writes.
    fn iso(self) -> [u8; 20] {
        let secs = self.0.rem_euclid(86_400) as u32;
        let mut b = *b"0000-00-00T00:00:00Z";
        b[..10].copy_from_slice(&self.date().iso());
        two_digits(&mut b[11..13], secs / 3600);
        two_digits(&mut b[14..16], secs % 3600 / 60);
        two_digits(&mut b[17..19], secs % 60);
        b
    }

    /// Appends the instant as [`Display`](fmt::Display) writes it, without the formatting
    /// machinery.
    pub fn push_to(self, out: &mut String) {
        out.push_str(ascii(&self.iso()));
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ascii(&self.iso()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_parse() {
        for d in -800_000..800_000 {
            let date = Date(d);
            let (y, m, dd) = date.ymd();
            if (1..=9999).contains(&y) {
                assert_eq!(Date::from_ymd(y, m, dd), Some(date));
                assert_eq!(Date::parse(&date.to_string()), Some(date));
            }
        }
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2028-02-29").unwrap().to_string(), "2028-02-29");
        assert_eq!(Date::parse("2026-1-01"), None);
        assert_eq!(Date::parse("+026-01-01"), None);
    }

    #[test]
    fn last_date_is_the_end_of_year_9999() {
        assert_eq!(Date::LAST.to_string(), "9999-12-31");
        assert_eq!(Date::parse("9999-12-31"), Some(Date::LAST));
    }

    #[test]
    fn first_date_is_the_start_of_year_1() {
        assert_eq!(Date::FIRST.to_string(), "0001-01-01");
        assert_eq!(Date::parse("0001-01-01"), Some(Date::FIRST));
        assert_eq!(Date::from_days(Date::FIRST.0 - 1), None);
        assert_eq!(Date::from_days(Date::LAST.0 + 1), None);
        assert_eq!(Date::from_days(Date::LAST.0), Some(Date::LAST));
    }

    #[test]
    fn months_clamp_to_month_end() {
        let d = Date::parse("2026-01-31").unwrap();
        let plus = |n| d.add_months(n).unwrap().to_string();
        assert_eq!(plus(1), "2026-02-28");
        assert_eq!(plus(12), "2027-01-31");
        assert_eq!(plus(25), "2028-02-29");
        assert_eq!(plus(-1), "2025-12-31");
        assert_eq!(plus(-11), "2025-02-28");
        assert_eq!(plus(-13), "2024-12-31");
    }

    #[test]
    fn arithmetic_stops_at_the_ends_of_the_range() {
        assert_eq!(Date::LAST.add_months(1), None);
        assert_eq!(Date::LAST.add_days(1), None);
        assert_eq!(Date::FIRST.add_months(-1), None);
        assert_eq!(Date::FIRST.add_days(-1), None);
        assert_eq!(Date::LAST.add_months(i64::MAX), None);
        assert_eq!(Date::FIRST.add_days(i64::MIN), None);
        let late = Date::parse("9999-11-30").unwrap();
        assert_eq!(late.add_months(1), Date::parse("9999-12-30"));
        assert_eq!(late.add_days(31), Some(Date::LAST));
        assert_eq!(
            Date::parse("9999-10-31").unwrap().add_months(2),
            Some(Date::LAST)
        );
        assert_eq!(Timestamp(i64::MAX).date(), Date::LAST);
        assert_eq!(Timestamp(i64::MIN).date(), Date::FIRST);
    }

    proptest::proptest! {
        #[test]
        fn month_arithmetic_is_checked(
            days in Date::FIRST.0..=Date::LAST.0,
            months in -130_000i64..130_000,
        ) {
            let d = Date(days);
            let (y, m, day) = d.ymd();
            let total = i64::from(y) * 12 + i64::from(m - 1) + months;
            let year = total.div_euclid(12);
            match d.add_months(months) {
                None => proptest::prop_assert!(!(1..=9999).contains(&year)),
                Some(r) => {
                    let (ry, rm, rd) = r.ymd();
                    proptest::prop_assert_eq!(i64::from(ry), year);
                    proptest::prop_assert_eq!(i64::from(rm), total.rem_euclid(12) + 1);
                    proptest::prop_assert!(rd <= day && (rd == day || rd >= 28));
                }
            }
        }
    }

    #[test]
    fn timestamps_format_and_parse() {
        let t = Timestamp::parse("2026-11-27T08:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-27T08:00:00Z");
        assert_eq!(Timestamp::parse("2026-11-27T24:00:00Z"), None);
        assert_eq!(Timestamp::parse("2026-11-27T08:00:00.000Z"), Some(t));
        assert_eq!(Timestamp::parse("2026-11-27T08:00:00.999999999Z"), Some(t));
        for bad in [
            "2026-11-27T08:00:00.Z",
            "2026-11-27T08:00:00.0000000000Z",
            "2026-11-27T08:00:00,000Z",
            "2026-11-27T08:00:00.1a2Z",
            "2026-11-27T08:00:00.000",
            "2026-11-27T08:00:00+00:00",
            "2026-11-27T08:00:00ZZ",
            "2026-11-27T08:00:00.é0Z",
            "",
            "Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn iso_forms_are_the_padded_calendar_fields() {
        for d in [Date::FIRST, Date::LAST, Date::parse("2026-01-09").unwrap()] {
            let (y, m, dd) = d.ymd();
            let mut s = String::new();
            d.push_to(&mut s);
            assert_eq!(s, format!("{y:04}-{m:02}-{dd:02}"));
            assert_eq!(d.to_string(), s);
        }
        for t in [
            0,
            59,
            3_599,
            86_399,
            1_764_230_400 + 3_723,
            -1,
            i64::MAX,
            i64::MIN,
        ] {
            let t = Timestamp(t);
            let secs = t.0.rem_euclid(86_400);
            let want = format!(
                "{}T{:02}:{:02}:{:02}Z",
                t.date(),
                secs / 3600,
                secs % 3600 / 60,
                secs % 60
            );
            let mut s = String::new();
            t.push_to(&mut s);
            assert_eq!(s, want);
            assert_eq!(t.to_string(), want);
        }
    }
}
