//! Adding and editing customers, shared by the form, the API, the CLI and CSV import.

use super::desk::{audit, load, Ctx, Desk};
use super::load::Loader;
use crate::domain::changes::diff;
use crate::domain::date::Date;
use crate::domain::derive::Catalog;
use crate::domain::error::{Error, FieldError, Result};
use crate::domain::inputs::license;
use crate::domain::model::*;
use crate::domain::validate::{self, CustomerInput, LicenseInput};
use crate::domain::view::CustomerView;
use crate::domain::{fields, licence_entries, limits};
use crate::store::{Read, Writer};
use std::collections::HashMap;

/// How strictly plan assignments are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assign {
    /// New assignments need an enabled plan that is not end of life (add, edit).
    New,
    /// Restoring recorded licences (import): the plan must only exist.
    Restore,
}

impl Desk {
    pub fn add_customer(&self, ctx: Ctx, input: &CustomerInput) -> Result<CustomerView> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let c = build(
            &w,
            ctx,
            &catalog,
            &Templates::default(),
            None,
            input,
            validate::profile(input, None),
            Assign::New,
            Known::default(),
        )?;
        let mut loader = Loader::new();
        let c = loader.upsert(&w, c, None, &catalog)?;
        loader.finish(&w)?;
        audit(&w, ctx, "add customer", vec![c.id], "ok", vec![], None)?;
        w.commit()?;
        Ok(CustomerView::of(
            &c,
            Default::default(),
            &catalog,
            ctx.today,
        ))
    }

    /// Changes the given fields; fields left out keep their value. Returns the customer as
    /// stored afterwards; an edit that changes nothing writes nothing, and one that names no
    /// field is refused (on every face alike), since it is almost always a forgotten flag.
    pub fn edit_customer(&self, ctx: Ctx, id: u64, input: &CustomerInput) -> Result<CustomerView> {
        if !names_a_field(input) {
            return Err(nothing_to_change());
        }
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let old = load(&w, id)?;
        let new = build(
            &w,
            ctx,
            &catalog,
            &Templates::default(),
            Some(&old),
            input,
            validate::profile(input, Some(&old.profile)),
            Assign::New,
            Known::default(),
        )?;
        let changes = diff(&old, &new, &catalog);
        let open = w.open_events(id)?;
        if changes.is_empty() {
            return Ok(CustomerView::of(&old, open, &catalog, ctx.today));
        }
        let mut loader = Loader::new();
        let new = loader.upsert(&w, new, Some(&old), &catalog)?;
        loader.finish(&w)?;
        audit(&w, ctx, "edit customer", vec![id], "ok", changes, None)?;
        w.commit()?;
        Ok(CustomerView::of(&new, open, &catalog, ctx.today))
    }
}

/// The answer to an edit that names no field: the profile fields and the others, with
/// their CLI flags.
fn nothing_to_change() -> Error {
    let profile = fields::PROFILE.iter().map(|f| (f.name, f.flag));
    Error::nothing_to_change(profile.chain([
        ("account_type", "--account-type"),
        ("status", "--status"),
        ("wfbs_template", "--wfbs-template"),
        ("cloud_edge_template", "--cloud-edge-template"),
        ("licenses", "--plan"),
    ]))
}

fn names_a_field(i: &CustomerInput) -> bool {
    let profile = fields::PROFILE
        .iter()
        .any(|f| i.text(f.name).is_some_and(Option::is_some));
    let others = [
        &i.account_type,
        &i.status,
        &i.wfbs_template,
        &i.cloud_edge_template,
    ];
    profile || others.iter().any(|f| f.is_some()) || i.licenses.is_some()
}

/// Names the caller has looked up in this transaction already, each with the customer that
/// holds it (an import checks every row's against the rows before it first), so that
/// [`build`] need not fold and look them up again.
#[derive(Clone, Copy, Default)]
pub(crate) struct Known<'a> {
    pub account: Option<(&'a str, Option<u64>)>,
    pub company: Option<(&'a str, Option<u64>)>,
}

/// Builds the customer an input describes, over `old` when editing, from its `profile` as
/// `validate::profile` checked it against `old` (an import checks a new row's profile on its
/// reading thread, beside the storing one). Every field error is collected; uniqueness
/// clashes are reported as conflicts. New ids stay 0: `load::Loader` assigns them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    w: &Writer,
    ctx: Ctx,
    catalog: &Catalog,
    templates: &Templates,
    old: Option<&Customer>,
    input: &CustomerInput,
    profile: std::result::Result<Profile, Vec<FieldError>>,
    assign: Assign,
    known: Known,
) -> Result<Customer> {
    let (profile, mut errors) = match profile {
        Ok(p) => (p, Vec::new()),
        Err(e) => (Profile::default(), e),
    };
    let status = match &input.status {
        None => old.map_or(CustomerStatus::Active, |o| o.status),
        Some(s) if s.trim().is_empty() => old.map_or(CustomerStatus::Active, |o| o.status),
        Some(s) => CustomerStatus::parse(s).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "status",
                format!("`{s}` is not valid; use active or suspended"),
            ));
            CustomerStatus::Active
        }),
    };
    let old_licenses = old.map_or(&[][..], |o| &o.licenses[..]);
    let licenses = match &input.licenses {
        None => old_licenses.to_vec(),
        Some(list) => licenses(catalog, old_licenses, list, ctx.today, assign, &mut errors)?,
    };
    let holds = |product: Product| {
        licenses.iter().any(|l| {
            catalog
                .plan(l.plan_id)
                .is_some_and(|p| p.product == product)
        })
    };
    let wfbs_template = template_field(
        w,
        templates,
        "wfbs_template",
        &input.wfbs_template,
        old.and_then(|o| o.wfbs_template.clone()),
        Product::Wfbss,
        &mut errors,
    )?;
    if wfbs_template.is_some() && !holds(Product::Wfbss) {
        errors.push(FieldError::new(
            "wfbs_template",
            "a Worry-Free Business Security Services template needs a wfbss licence; assign a wfbss plan too",
        ));
    }
    let old_ce = old.and_then(|o| o.cloud_edge_template.clone());
    let cloud_edge_template = template_field(
        w,
        templates,
        "cloud_edge_template",
        &input.cloud_edge_template,
        old_ce.clone(),
        Product::CloudEdge,
        &mut errors,
    )?;
    if old.is_some() && cloud_edge_template != old_ce {
        errors.push(FieldError::new(
            "cloud_edge_template",
            "the Cloud Edge template can only be chosen when the customer is created",
        ));
    } else if old.is_none() && cloud_edge_template.is_some() && !holds(Product::CloudEdge) {
        errors.push(FieldError::new(
            "cloud_edge_template",
            "a Cloud Edge template needs a cloud-edge licence; assign a cloud-edge plan too",
        ));
    }
    // A new customer (and a new licence) gets its id when the loader stores it.
    let id = old.map_or(0, |o| o.id);
    // Uniqueness is checked even when other fields are wrong, so one answer names every
    // problem; a field that is itself invalid is not looked up.
    let typed = |given: &Option<String>, kept: Option<&String>| {
        given
            .as_deref()
            .map(str::trim)
            .or(kept.map(String::as_str))
            .unwrap_or_default()
            .to_string()
    };
    let mut clashes = Vec::new();
    for (field, value) in [
        (
            "account_name",
            typed(&input.account_name, old.map(|o| &o.profile.account_name)),
        ),
        (
            "company",
            typed(&input.company, old.map(|o| &o.profile.company)),
        ),
    ] {
        if value.is_empty() || errors.iter().any(|e| e.field == field) {
            continue;
        }
        let found = match (field, known.account, known.company) {
            ("account_name", Some((name, holder)), _) if name == value => holder,
            ("company", _, Some((name, holder))) if name == value => holder,
            ("account_name", ..) => w.id_by_account(&value)?,
            _ => w.id_by_company(&value)?,
        };
        if let Some(other) = found.filter(|other| *other != id) {
            clashes.push(FieldError::new(
                field,
                format!("`{value}` is already used by customer {other}; {field} must be unique (ignoring case)"),
            ));
        }
    }
    if errors.is_empty() && clashes.len() == 1 {
        let clash = clashes.remove(0);
        return Err(Error::conflict(&clash.field, clash.message));
    }
    errors.extend(clashes);
    if !errors.is_empty() {
        limits::cap_errors(&mut errors);
        return Err(Error::Invalid(errors));
    }
    let licenses_changed = old.is_some_and(|o| o.licenses != licenses);
    Ok(Customer {
        id,
        profile,
        status,
        licenses,
        devices: old.map(|o| o.devices.clone()).unwrap_or_default(),
        wfbs_template,
        cloud_edge_template,
        policies: old.map(|o| o.policies.clone()).unwrap_or_default(),
        created_at: old.map_or(ctx.now, |o| o.created_at),
        updated_at: ctx.now,
        last_transaction: match old {
            Some(o) if !licenses_changed => o.last_transaction,
            _ => ctx.now,
        },
    })
}

/// The templates a write transaction has found by name (as given, trimmed): their name and
/// product, read from the store once. An import names the same few on most of its rows.
/// Names of no template are not kept, so a file naming many costs no memory; the found ones
/// are at most every template there is.
#[derive(Default)]
pub(crate) struct Templates(std::cell::RefCell<HashMap<String, (String, Product)>>);

impl Templates {
    fn get(&self, r: &impl Read, name: &str) -> Result<Option<(String, Product)>> {
        if let Some(t) = self.0.borrow().get(name) {
            return Ok(Some(t.clone()));
        }
        let found = r.template(name)?.map(|t| (t.name, t.product));
        if let Some(t) = &found {
            self.0.borrow_mut().insert(name.to_string(), t.clone());
        }
        Ok(found)
    }
}

fn template_field(
    r: &impl Read,
    templates: &Templates,
    field: &str,
    given: &Option<String>,
    old: Option<String>,
    product: Product,
    errors: &mut Vec<FieldError>,
) -> Result<Option<String>> {
    let name = match given {
        None => return Ok(old),
        Some(n) if n.trim().is_empty() => return Ok(None),
        Some(n) => n.trim(),
    };
    match templates.get(r, name)? {
        Some((name, p)) if p == product => Ok(Some(name)),
        Some((name, p)) => {
            errors.push(FieldError::new(
                field,
                format!(
                    "template `{name}` is for {}, not {}",
                    p.code(),
                    product.code()
                ),
            ));
            Ok(None)
        }
        None => {
            errors.push(FieldError::new(
                field,
                format!("there is no template `{name}`; choose one of the templates that exist"),
            ));
            Ok(None)
        }
    }
}

/// The plan a licence names (ignoring case and surrounding space), or why there is none.
pub(crate) fn named_plan<'c>(catalog: &'c Catalog, name: &str) -> Result<&'c Plan, String> {
    let name = name.trim();
    catalog
        .plan_named(name)
        .ok_or_else(|| format!("there is no plan `{name}`; choose one of the plans that exist"))
}

/// Whether a new licence may be of `plan` (SPEC §2: enabled and not end of life), and why not.
pub(crate) fn assignable(plan: &Plan) -> Result<(), String> {
    if !plan.enabled {
        return Err(format!(
            "plan `{}` is disabled; enable it or pick another",
            plan.name
        ));
    }
    if plan.end_of_life {
        return Err(format!(
            "plan `{}` is end of life; pick another plan",
            plan.name
        ));
    }
    Ok(())
}

/// When a licence of `plan` from `start` expires: after the plan's period, unless that
/// would be past the last date.
pub(crate) fn plan_expiry(start: Date, plan: &Plan) -> Result<Date, String> {
    start.add_months(i64::from(plan.months)).ok_or_else(|| {
        format!(
            "the licence would end after {}; choose an earlier start",
            Date::LAST
        )
    })
}

/// Turns licence inputs into licences, keeping the ids of unchanged ones (same plan and start);
/// a new licence's id stays 0 until the loader stores it.
fn licenses(
    catalog: &Catalog,
    old: &[License],
    list: &[LicenseInput],
    today: Date,
    assign: Assign,
    errors: &mut Vec<FieldError>,
) -> Result<Vec<License>> {
    if let Err(m) = licence_entries::check_count(list.len()) {
        errors.push(FieldError::new("licenses", m));
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, l) in list.iter().enumerate() {
        let field = |name: &str| format!("licenses[{i}].{name}");
        let before = errors.len();
        let plan = match named_plan(catalog, &l.plan) {
            Ok(plan) => plan,
            Err(m) => {
                errors.push(FieldError::new(field(license::PLAN.name), m));
                continue;
            }
        };
        let start = match l.start.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => today,
            Some(s) => license::START.date(s).unwrap_or_else(|m| {
                errors.push(FieldError::new(field(license::START.name), m));
                today
            }),
        };
        let expiry = match l.expiry.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => plan_expiry(start, plan).unwrap_or_else(|m| {
                errors.push(FieldError::new(field(license::START.name), m));
                start
            }),
            Some(s) => match license::EXPIRY.date(s) {
                Ok(d) if d >= start => d,
                Ok(_) => {
                    errors.push(FieldError::new(
                        field(license::EXPIRY.name),
                        format!("{s} is before the start date {start}"),
                    ));
                    start
                }
                Err(m) => {
                    errors.push(FieldError::new(field(license::EXPIRY.name), m));
                    start
                }
            },
        };
        if let Err(m) = license::UNITS.number(l.units) {
            errors.push(FieldError::new(field(license::UNITS.name), m));
        }
        let existing = old.iter().find(|o| {
            o.plan_id == plan.id && o.start == start && !out.iter().any(|n: &License| n.id == o.id)
        });
        if existing.is_none() && assign == Assign::New {
            if let Err(m) = assignable(plan) {
                errors.push(FieldError::new(field(license::PLAN.name), m));
            }
        }
        if errors.len() > before {
            continue;
        }
        out.push(License {
            id: match existing {
                Some(o) => o.id,
                None => 0,
            },
            plan_id: plan.id,
            units: l.units,
            used: l.used,
            start,
            expiry,
        });
    }
    Ok(out)
}
