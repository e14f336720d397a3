//! What changed between two versions of a record, as the audit log keeps it.

use super::derive::Catalog;
use super::fields::{FieldSpec, Group, PROFILE};
use super::model::{Customer, FieldChange, License};
use super::numbers::push_decimal;

/// One changed field, old and new value as text.
pub fn change(field: &str, old: impl ToString, new: impl ToString) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        old: old.to_string(),
        new: new.to_string(),
    }
}

/// The audit changes between two versions of a customer, one per changed field.
pub fn diff(old: &Customer, new: &Customer, catalog: &Catalog) -> Vec<FieldChange> {
    let (a, b) = (&old.profile, &new.profile);
    let mut out = Vec::new();
    let mut field = |name: &str, x: &str, y: &str| {
        if x != y {
            out.push(change(name, x, y));
        }
    };
    // The account's type and status follow its profile group, as in the form.
    let split = PROFILE
        .iter()
        .position(|f| f.group != Group::Profile)
        .unwrap_or(PROFILE.len());
    let (head, rest) = PROFILE.split_at(split);
    let texts = |fields: &'static [FieldSpec]| {
        fields
            .iter()
            .filter_map(|f| Some((f.name, a.text(f.name)?.as_str(), b.text(f.name)?.as_str())))
    };
    let account = [
        ("account_type", a.account_type.code(), b.account_type.code()),
        ("status", old.status.code(), new.status.code()),
    ];
    for (name, x, y) in texts(head).chain(account).chain(texts(rest)) {
        field(name, x, y);
    }
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    field(
        "wfbs_template",
        &opt(&old.wfbs_template),
        &opt(&new.wfbs_template),
    );
    field(
        "cloud_edge_template",
        &opt(&old.cloud_edge_template),
        &opt(&new.cloud_edge_template),
    );
    field(
        "licenses",
        &licenses_text(&old.licenses, catalog),
        &licenses_text(&new.licenses, catalog),
    );
    out
}

/// The SPEC §4 `licenses` cell: `PLAN NAME:UNITS:USED:START:EXPIRY` joined by `; `.
pub fn licenses_text(licenses: &[License], catalog: &Catalog) -> String {
    let mut out = String::new();
    write_licenses_text(&mut out, licenses, catalog);
    out
}

/// [`licenses_text`] appended to `out` (an export reuses one buffer for every row).
pub fn write_licenses_text(out: &mut String, licenses: &[License], catalog: &Catalog) {
    for (i, l) in licenses.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        match catalog.plan(l.plan_id) {
            Some(p) => out.push_str(&p.name),
            None => {
                out.push_str("plan ");
                push_decimal(out, l.plan_id);
            }
        }
        out.push(':');
        push_decimal(out, l.units.into());
        out.push(':');
        push_decimal(out, l.used.into());
        out.push(':');
        l.start.push_to(out);
        out.push(':');
        l.expiry.push_to(out);
    }
}
