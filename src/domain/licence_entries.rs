//! The grammar of licence entries as people type them: `NAME:UNITS`, `NAME:UNITS:START`, or
//! the full `NAME:UNITS:USED:START:EXPIRY` that export writes, NAME being the plan's name.
//! The CLI's `--plan` takes one entry per flag; the CSV `licenses` cell joins entries with
//! `;`. Plan names cannot hold `:` or `;`, so both separators are unambiguous. Dates stay
//! text: the licence rules check them.

use super::limits;
use super::validate::LicenseInput;

/// One entry. The message quotes the entry; the caller says where it stood.
pub fn parse_entry(entry: &str) -> Result<LicenseInput, String> {
    let parts: Vec<&str> = entry.split(':').map(str::trim).collect();
    let (plan, units, used, start, expiry) = match parts[..] {
        [plan, units] => (plan, units, None, None, None),
        [plan, units, start] => (plan, units, None, Some(start), None),
        [plan, units, used, start, expiry] => (plan, units, Some(used), Some(start), Some(expiry)),
        _ => ("", "", None, None, None),
    };
    if plan.is_empty() {
        return Err(format!(
            "`{entry}`: use NAME:UNITS or NAME:UNITS:START (START as YYYY-MM-DD), \
             or NAME:UNITS:USED:START:EXPIRY as in the CSV"
        ));
    }
    let number = |what: &str, v: &str| {
        v.parse::<u32>()
            .map_err(|_| format!("`{entry}`: {what} `{v}` is not a whole number"))
    };
    Ok(LicenseInput {
        plan: plan.to_string(),
        units: number("units", units)?,
        used: used.map(|u| number("used", u)).transpose()?.unwrap_or(0),
        start: start.map(str::to_string),
        expiry: expiry.map(str::to_string),
        ..LicenseInput::default()
    })
}

/// Refuses more licences than one customer may hold, however they were typed.
pub fn check_count(count: usize) -> Result<(), String> {
    if count <= limits::LICENSES {
        return Ok(());
    }
    Err(limits::too_many(
        "licences",
        limits::LICENSES,
        count,
        "one customer holds at most that many; remove licences that have ended",
    ))
}

/// A list of entries joined by `;` (the CSV `licenses` cell); empty entries are skipped.
pub fn parse_list(cell: &str) -> Result<Vec<LicenseInput>, String> {
    let entries = cell.split(';').map(str::trim).filter(|e| !e.is_empty());
    // Counted before anything is parsed, so a cell with a million entries costs one pass.
    check_count(entries.clone().count())?;
    entries
        .enumerate()
        .map(|(i, entry)| parse_entry(entry).map_err(|m| format!("entry {} {m}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_full_entries() {
        let l = parse_entry(" WFBS-S Full 12 : 25 ").unwrap();
        assert_eq!(
            (l.plan.as_str(), l.units, l.used),
            ("WFBS-S Full 12", 25, 0)
        );
        assert_eq!((l.start, l.expiry), (None, None));
        let l = parse_entry("HES:3:2026-01-01").unwrap();
        assert_eq!(l.start.as_deref(), Some("2026-01-01"));
        let l = parse_entry("HES:3:1:2026-01-01:2027-01-01").unwrap();
        assert_eq!((l.used, l.expiry.as_deref()), (1, Some("2027-01-01")));
    }

    #[test]
    fn malformed_entries_name_themselves() {
        for bad in ["HES", ":3", "HES:3:1:2026-01-01", "HES:3:1:2:3:4"] {
            let m = parse_entry(bad).unwrap_err();
            assert!(m.starts_with(&format!("`{bad}`: use NAME:UNITS")), "{m}");
        }
        assert_eq!(
            parse_entry("HES:x").unwrap_err(),
            "`HES:x`: units `x` is not a whole number"
        );
        assert_eq!(
            parse_list("HES:1; HES:2:y:2026-01-01:2027-01-01").unwrap_err(),
            "entry 2 `HES:2:y:2026-01-01:2027-01-01`: used `y` is not a whole number"
        );
    }
}
