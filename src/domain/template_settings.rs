//! The grammar of template settings as people type them: `KEY=VALUE` entries, one per
//! `--set` flag or one per line of the console's settings box. Both sides are trimmed, and a
//! key given twice is refused rather than silently won by the last one.

use super::error::{Error, FieldError};
use std::collections::BTreeMap;

/// Settings from separate entries (the CLI's repeated `--set`); each message quotes its entry.
pub fn parse_entries<S: AsRef<str>>(entries: &[S]) -> Result<BTreeMap<String, String>, Error> {
    collect(entries.iter().map(|e| (None, e.as_ref())))
}

/// Settings from a block of lines (the console's text box); blank lines are skipped and each
/// message names its line.
pub fn parse_lines(text: &str) -> Result<BTreeMap<String, String>, Error> {
    collect(text.lines().enumerate().map(|(i, l)| (Some(i + 1), l)))
}

fn collect<'a>(
    entries: impl Iterator<Item = (Option<usize>, &'a str)>,
) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (line, entry) in entries {
        let entry = entry.trim();
        if line.is_some() && entry.is_empty() {
            continue;
        }
        let at = line.map_or(String::new(), |n| format!("line {n}: "));
        match entry.split_once('=') {
            Some((k, v)) => {
                let k = k.trim();
                if out.insert(k.to_string(), v.trim().to_string()).is_some() {
                    errors.push(FieldError::new(
                        "settings",
                        format!("{at}the key `{k}` appears more than once"),
                    ));
                }
            }
            None => errors.push(FieldError::new(
                "settings",
                format!("{at}`{entry}` needs the form KEY=VALUE"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        super::limits::cap_errors(&mut errors);
        Err(Error::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(e: Error) -> Vec<String> {
        match e {
            Error::Invalid(errors) => errors.into_iter().map(|e| e.message).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn entries_and_lines_follow_one_grammar() {
        let from_entries = parse_entries(&[" deep = 1 ", "mode=a=b"]).unwrap();
        let from_lines = parse_lines(" deep = 1 \n\nmode=a=b\n").unwrap();
        assert_eq!(from_entries, from_lines);
        assert_eq!(from_entries["deep"], "1");
        assert_eq!(from_entries["mode"], "a=b");
    }

    #[test]
    fn duplicate_keys_and_bare_words_are_refused() {
        let e = parse_entries(&["deep=1", " deep=2", "oops"]).unwrap_err();
        assert_eq!(
            messages(e),
            [
                "the key `deep` appears more than once",
                "`oops` needs the form KEY=VALUE"
            ]
        );
        let e = parse_lines("deep=1\n deep=2\noops").unwrap_err();
        assert_eq!(
            messages(e),
            [
                "line 2: the key `deep` appears more than once",
                "line 3: `oops` needs the form KEY=VALUE"
            ]
        );
    }
}
