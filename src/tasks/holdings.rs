//! What a customer holds: licences, Cloud Edge devices and events. Every change here moves
//! the customer's `last_transaction`.

use super::customers::{assignable, named_plan, plan_expiry};
use super::desk::{audit, load, save, Ctx, Desk, Field};
use crate::domain::changes::change;
use crate::domain::date::Timestamp;
use crate::domain::derive::Catalog;
use crate::domain::error::{Error, FieldError, Key, Result, Thing};
use crate::domain::inputs::{changeable, device, event, license, Input};
use crate::domain::limits;
use crate::domain::model::*;
use crate::domain::validate;
use crate::domain::view::{device_view, license_view, DeviceView, EventView, LicenseView};
use crate::store::{Read, Writer};
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseChange {
    pub units: Option<u32>,
    pub used: Option<u32>,
    pub start: Option<String>,
    pub expiry: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInput {
    pub name: Option<String>,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
}

impl LicenseChange {
    fn names_a_field(&self) -> bool {
        let numbers = [self.units, self.used];
        let dates = [&self.start, &self.expiry];
        numbers.iter().any(Option::is_some) || dates.iter().any(|d| d.is_some())
    }
}

impl DeviceInput {
    fn names_a_field(&self) -> bool {
        [&self.name, &self.serial, &self.model, &self.firmware]
            .iter()
            .any(|f| f.is_some())
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub kind: String,
    pub severity: String,
    pub category: String,
    pub message: String,
    /// RFC 3339 UTC; default now.
    #[serde(default)]
    pub time: Option<String>,
}

/// A licence field's value as `check` reads it, or the field's error.
fn license_field<T>(spec: &Input, check: impl FnOnce(&Input) -> Result<T, String>) -> Result<T> {
    check(spec).map_err(|m| Error::invalid(spec.name, m))
}

/// Saves a customer whose holdings changed: `last_transaction` moves, the record and its
/// summary are rewritten, the one change is audited under `task`, and the task commits.
fn commit_holding(
    w: Writer,
    ctx: Ctx,
    catalog: &Catalog,
    mut c: Customer,
    old: &Customer,
    task: &str,
    what: FieldChange,
) -> Result<()> {
    c.last_transaction = ctx.now;
    c.updated_at = ctx.now;
    save(&w, &c, Some(old), catalog)?;
    audit(&w, ctx, task, vec![c.id], "ok", vec![what], None)?;
    w.commit()
}

fn license_text(l: &License, catalog: &Catalog) -> String {
    crate::domain::changes::licenses_text(std::slice::from_ref(l), catalog)
}

/// The customer holding a licence (by licence id) and the licence's position in its list.
fn license_holder(w: &Writer, license: u64) -> Result<(Customer, usize)> {
    holder(w, Thing::Licence, license, w.license_owner(license)?, |c| {
        c.licenses.iter().position(|l| l.id == license)
    })
}

/// The customer holding a device (by device id) and the device's position in its list.
fn device_holder(w: &Writer, device: u64) -> Result<(Customer, usize)> {
    holder(w, Thing::Device, device, w.device_owner(device)?, |c| {
        c.devices.iter().position(|d| d.id == device)
    })
}

/// Loads the customer an owner index names and finds the holding in it; either missing
/// means `what` does not exist.
fn holder(
    w: &Writer,
    thing: Thing,
    id: u64,
    owner: Option<u64>,
    find: impl Fn(&Customer) -> Option<usize>,
) -> Result<(Customer, usize)> {
    let missing = || Error::not_found(thing, Key::Id(id));
    let c = load(w, owner.ok_or_else(missing)?)?;
    let pos = find(&c).ok_or_else(missing)?;
    Ok((c, pos))
}

/// What a customer holds, as a path names it below the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    Licence,
    Device,
    Event,
}

impl Holding {
    pub fn thing(self) -> Thing {
        match self {
            Holding::Licence => Thing::Licence,
            Holding::Device => Thing::Device,
            Holding::Event => Thing::Event,
        }
    }

    /// Refuses to add one more to a customer who holds `len`, the most one customer may hold.
    fn room(self, len: usize) -> Result<()> {
        let (max, field, what, fix) = match self {
            Holding::Licence => (
                limits::LICENSES,
                "licenses",
                "licences",
                "remove a licence that has ended first",
            ),
            Holding::Device => (
                limits::DEVICES,
                "devices",
                "devices",
                "remove a device that is no longer in use first",
            ),
            Holding::Event => (
                limits::EVENTS,
                "events",
                "events",
                "remove resolved events first",
            ),
        };
        if len < max {
            return Ok(());
        }
        Err(Error::invalid(
            field,
            format!(
                "the customer already holds {} {what}, the most one customer may hold; {fix}",
                limits::n(len)
            ),
        ))
    }
}

impl Desk {
    /// Whether licence, device or event `id` is held by `customer`: an address that names a
    /// customer and a holding must not reach another customer's. Otherwise not found, as the
    /// holding of that customer.
    pub fn held_by(&self, customer: u64, holding: Holding, id: u64) -> Result<()> {
        let r = self.reader()?;
        let owner = match holding {
            Holding::Licence => r.license_owner(id)?,
            Holding::Device => r.device_owner(id)?,
            Holding::Event => r.event(id)?.map(|e| e.customer_id),
        };
        if owner == Some(customer) {
            return Ok(());
        }
        Err(Error::not_found(
            holding.thing(),
            Key::OfCustomer { customer, id },
        ))
    }

    /// Assigns a plan to a customer (SPEC §2: the plan must be enabled and not end of life).
    pub fn add_license(
        &self,
        ctx: Ctx,
        customer: u64,
        plan: &str,
        units: u32,
        used: u32,
        start: Option<&str>,
    ) -> Result<LicenseView> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let mut c = load(&w, customer)?;
        Holding::Licence.room(c.licenses.len())?;
        let old = c.clone();
        let p = license_field(&license::PLAN, |_| {
            let p = named_plan(&catalog, plan)?;
            assignable(p).map(|()| p)
        })?;
        license_field(&license::UNITS, |f| f.number(units))?;
        let start = match start.filter(|s| !s.trim().is_empty()) {
            Some(s) => license_field(&license::START, |f| f.date(s))?,
            None => ctx.today,
        };
        let expiry = license_field(&license::START, |_| plan_expiry(start, p))?;
        let l = License {
            id: w.next_id("license")?,
            plan_id: p.id,
            units,
            used,
            start,
            expiry,
        };
        c.licenses.push(l.clone());
        let what = change("licence", "", license_text(&l, &catalog));
        commit_holding(w, ctx, &catalog, c, &old, "add licence", what)?;
        Ok(license_view(&l, &catalog, ctx.today))
    }

    pub fn edit_license(
        &self,
        ctx: Ctx,
        license: u64,
        input: &LicenseChange,
    ) -> Result<LicenseView> {
        if !input.names_a_field() {
            return Err(Error::nothing_to_change(changeable(license::CHANGE)));
        }
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let (mut c, pos) = license_holder(&w, license)?;
        let old = c.clone();
        let l = &mut c.licenses[pos];
        let before = l.clone();
        if let Some(u) = input.units {
            l.units = license_field(&license::UNITS, |f| f.number(u))?;
        }
        if let Some(u) = input.used {
            l.used = u;
        }
        if let Some(s) = &input.start {
            l.start = license_field(&license::START, |f| f.date(s))?;
        }
        if let Some(s) = &input.expiry {
            l.expiry = license_field(&license::EXPIRY, |f| f.date(s))?;
        }
        if l.expiry < l.start {
            return Err(Error::invalid(
                "expiry",
                format!("{} is before the start date {}", l.expiry, l.start),
            ));
        }
        let after = l.clone();
        if after != before {
            let what = change(
                "licence",
                license_text(&before, &catalog),
                license_text(&after, &catalog),
            );
            commit_holding(w, ctx, &catalog, c, &old, "edit licence", what)?;
        }
        Ok(license_view(&after, &catalog, ctx.today))
    }

    pub fn remove_license(&self, ctx: Ctx, license: u64) -> Result<()> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let (mut c, pos) = license_holder(&w, license)?;
        let old = c.clone();
        let l = c.licenses.remove(pos);
        if c.wfbs_template.is_some()
            && !c.licenses.iter().any(|l| {
                catalog
                    .plan(l.plan_id)
                    .is_some_and(|p| p.product == Product::Wfbss)
            })
        {
            c.wfbs_template = None;
        }
        let what = change("licence", license_text(&l, &catalog), "");
        commit_holding(w, ctx, &catalog, c, &old, "remove licence", what)
    }

    pub fn devices(&self, customer: Option<u64>) -> Result<Vec<DeviceView>> {
        let r = self.reader()?;
        let catalog = r.catalog()?;
        let mut out = Vec::new();
        let mut push =
            |c: &Customer| out.extend(c.devices.iter().map(|d| device_view(c.id, d, &catalog)));
        match customer {
            Some(id) => push(&load(&r, id)?),
            None => r.each_customer(&mut |c| {
                push(&c);
                Ok(true)
            })?,
        }
        Ok(out)
    }

    pub fn add_device(&self, ctx: Ctx, customer: u64, input: &DeviceInput) -> Result<DeviceView> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let mut c = load(&w, customer)?;
        Holding::Device.room(c.devices.len())?;
        let old = c.clone();
        let d = device_from(&w, &c, input, None)?;
        let d = Device {
            id: w.next_id("device")?,
            ..d
        };
        c.devices.push(d.clone());
        let what = change("device", "", device_text(&d));
        commit_holding(w, ctx, &catalog, c, &old, "add device", what)?;
        Ok(device_view(customer, &d, &catalog))
    }

    pub fn edit_device(&self, ctx: Ctx, device: u64, input: &DeviceInput) -> Result<DeviceView> {
        if !input.names_a_field() {
            return Err(Error::nothing_to_change(changeable(device::FIELDS)));
        }
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let (mut c, pos) = device_holder(&w, device)?;
        let old = c.clone();
        let before = c.devices[pos].clone();
        let mut d = device_from(&w, &c, input, Some(&before))?;
        if d.firmware != before.firmware {
            d.notified_version = None;
        }
        c.devices[pos] = d.clone();
        let id = c.id;
        if d != before {
            let what = change("device", device_text(&before), device_text(&d));
            commit_holding(w, ctx, &catalog, c, &old, "edit device", what)?;
        }
        Ok(device_view(id, &d, &catalog))
    }

    pub fn remove_device(&self, ctx: Ctx, device: u64) -> Result<()> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let (mut c, pos) = device_holder(&w, device)?;
        let old = c.clone();
        let d = c.devices.remove(pos);
        let what = change("device", device_text(&d), "");
        commit_holding(w, ctx, &catalog, c, &old, "remove device", what)
    }

    pub fn events(&self, customer: Option<u64>, open_only: bool) -> Result<Vec<EventView>> {
        let r = self.reader()?;
        if let Some(id) = customer {
            load(&r, id)?;
        }
        Ok(r.events(customer)?
            .iter()
            .filter(|e| !open_only || e.resolved_at.is_none())
            .map(EventView::from)
            .collect())
    }

    pub fn add_event(&self, ctx: Ctx, customer: u64, input: &EventInput) -> Result<EventView> {
        let mut errors = Vec::new();
        let kind = EventKind::parse(&input.kind).unwrap_or_else(|| {
            errors.push(FieldError::new(
                event::KIND.name,
                format!(
                    "`{}` is not valid; use {}",
                    input.kind,
                    EventKind::choices()
                ),
            ));
            EventKind::System
        });
        let severity = Severity::parse(&input.severity).unwrap_or_else(|| {
            errors.push(FieldError::new(
                event::SEVERITY.name,
                format!(
                    "`{}` is not valid; use {}",
                    input.severity,
                    Severity::choices()
                ),
            ));
            Severity::Warning
        });
        let mut text = |spec: &Input, v: &str| {
            spec.text(v).unwrap_or_else(|m| {
                errors.push(FieldError::new(spec.name, m));
                String::new()
            })
        };
        let category = text(&event::CATEGORY, &input.category);
        let message = text(&event::MESSAGE, &input.message);
        let time = match input.time.as_deref().filter(|t| !t.trim().is_empty()) {
            None => ctx.now,
            Some(t) => Timestamp::parse(t.trim()).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    event::TIME.name,
                    format!("`{t}` is not a time; use 2026-11-27T08:00:00Z"),
                ));
                ctx.now
            }),
        };
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let mut c = load(&w, customer)?;
        Holding::Event.room(w.event_count(customer)? as usize)?;
        let e = Event {
            id: w.next_id("event")?,
            customer_id: customer,
            kind,
            severity,
            category,
            message,
            time,
            resolved_at: None,
        };
        w.save_event(&e)?;
        self.touch(&w, ctx, &mut c, &catalog)?;
        audit(
            &w,
            ctx,
            "add event",
            vec![customer],
            "ok",
            vec![change("event", "", event_text(&e))],
            None,
        )?;
        w.commit()?;
        Ok(EventView::from(&e))
    }

    /// Resolves (or, with `open`, reopens) an event.
    pub fn set_event_open(&self, ctx: Ctx, event: u64, open: bool) -> Result<EventView> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let mut e = w
            .event(event)?
            .ok_or_else(|| Error::not_found(Thing::Event, Key::Id(event)))?;
        if e.resolved_at.is_none() == open {
            return Ok(EventView::from(&e));
        }
        e.resolved_at = if open { None } else { Some(ctx.now) };
        w.save_event(&e)?;
        let mut c = load(&w, e.customer_id)?;
        self.touch(&w, ctx, &mut c, &catalog)?;
        let task = if open {
            "reopen event"
        } else {
            "resolve event"
        };
        audit(
            &w,
            ctx,
            task,
            vec![c.id],
            "ok",
            vec![change(
                "event",
                event_text(&e),
                if open { "open" } else { "resolved" },
            )],
            None,
        )?;
        w.commit()?;
        Ok(EventView::from(&e))
    }

    pub fn remove_event(&self, ctx: Ctx, event: u64) -> Result<()> {
        let w = self.writer()?;
        let catalog = w.catalog()?;
        let e = w
            .event(event)?
            .ok_or_else(|| Error::not_found(Thing::Event, Key::Id(event)))?;
        w.remove_event(&e)?;
        let mut c = load(&w, e.customer_id)?;
        self.touch(&w, ctx, &mut c, &catalog)?;
        audit(
            &w,
            ctx,
            "remove event",
            vec![c.id],
            "ok",
            vec![change("event", event_text(&e), "")],
            None,
        )?;
        w.commit()
    }

    /// Moves `last_transaction` after an event change and rewrites the summary.
    fn touch(&self, w: &Writer, ctx: Ctx, c: &mut Customer, catalog: &Catalog) -> Result<()> {
        let old = c.clone();
        c.last_transaction = ctx.now;
        save(w, c, Some(&old), catalog)
    }
}

fn device_from(
    r: &impl Read,
    c: &Customer,
    input: &DeviceInput,
    old: Option<&Device>,
) -> Result<Device> {
    let mut errors = Vec::new();
    // A bad value given stands in as typed, so the company-name check below still sees it.
    let mut field = |spec: &Input, rule: Rule, given: &Option<String>, was: Was| {
        Field::new(&mut errors, spec.name, given.clone().unwrap_or_default()).read(
            given,
            old.map(was).cloned(),
            |v| rule(spec, v),
            rule(spec, ""),
        )
    };
    let name = field(&device::NAME, Input::text, &input.name, |d| &d.name);
    let serial = field(&device::SERIAL, serial, &input.serial, |d| &d.serial);
    let model = field(&device::MODEL, Input::text, &input.model, |d| &d.model);
    let firmware = field(&device::FIRMWARE, version, &input.firmware, |d| &d.firmware);
    if name.trim().eq_ignore_ascii_case(c.profile.company.trim()) {
        errors.push(FieldError::new(
            device::NAME.name,
            "a device name must differ from the company name",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if let Some(owner) = r.owner_of_serial(&serial)? {
        let same_device =
            old.is_some_and(|o| o.serial.eq_ignore_ascii_case(&serial)) && owner == c.id;
        if !same_device {
            return Err(Error::conflict(
                "serial",
                format!(
                    "serial {serial} is already registered to customer {owner}; serials are unique"
                ),
            ));
        }
    }
    Ok(Device {
        id: old.map_or(0, |o| o.id),
        name,
        serial,
        model,
        firmware,
        notified_version: old.and_then(|o| o.notified_version.clone()),
    })
}

/// A device field's rule: the value as kept, or what is wrong with it.
type Rule = fn(&Input, &str) -> Result<String, String>;

/// Where a device keeps a field's value.
type Was = fn(&Device) -> &String;

/// A serial number: the text rule, and letters, digits, `-` and `_` only.
fn serial(spec: &Input, v: &str) -> Result<String, String> {
    let v = spec.text(v)?;
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(v)
    } else {
        Err("use letters, digits, - and _ only".into())
    }
}

/// A firmware version (`validate::version`).
fn version(_: &Input, v: &str) -> Result<String, String> {
    validate::version(v)
}

fn device_text(d: &Device) -> String {
    format!(
        "{} ({} {}, firmware {})",
        d.name, d.model, d.serial, d.firmware
    )
}

fn event_text(e: &Event) -> String {
    format!("{} {} {}: {}", e.kind, e.severity, e.category, e.message)
}
