//! Reference data: service plans, product templates and the firmware catalogue.

use super::desk::{audit, refresh_summary, Ctx, Desk, Field};
use super::load;
use crate::domain::changes::change;
use crate::domain::error::{Error, FieldError, Key, Result, Thing};
use crate::domain::inputs;
use crate::domain::inputs::plan::{KIND, MONTHS, NAME, NOTICE_DAYS, PRODUCT};
use crate::domain::limits;
use crate::domain::model::*;
use crate::domain::validate;
use crate::domain::view::{FirmwareView, PlanView, TemplateView};
use crate::store::{Read, Writer};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A plan as typed; on edit, missing fields keep their value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub name: Option<String>,
    pub product: Option<String>,
    /// `trial` or `full`.
    pub kind: Option<String>,
    pub months: Option<u32>,
    pub notice_days: Option<u32>,
    pub auto_renew: Option<bool>,
    pub managed: Option<bool>,
    pub enabled: Option<bool>,
    pub end_of_life: Option<bool>,
    #[serde(default, rename = "id")]
    pub _id: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "product_name")]
    pub _product_name: Option<serde::de::IgnoredAny>,
}

impl PlanInput {
    fn names_a_field(&self) -> bool {
        let texts = [&self.name, &self.product, &self.kind];
        let numbers = [self.months, self.notice_days];
        let flags = [
            self.auto_renew,
            self.managed,
            self.enabled,
            self.end_of_life,
        ];
        texts.iter().any(|t| t.is_some())
            || numbers.iter().any(Option::is_some)
            || flags.iter().any(Option::is_some)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub product: Option<String>,
    pub settings: Option<BTreeMap<String, String>>,
}

/// The name of a plan or template: the same rule for both catalogues.
fn entry_name(
    errors: &mut Vec<FieldError>,
    given: &Option<String>,
    old: Option<&String>,
) -> String {
    Field::new(errors, NAME.name, String::new()).read(
        given,
        old.cloned(),
        validate::plan_name,
        Err(format!(
            "required: {} to {} characters without `:` or `;`",
            NAME.min, NAME.max
        )),
    )
}

fn plan_from(input: &PlanInput, old: Option<&Plan>) -> Result<Plan> {
    let mut errors = Vec::new();
    let name = entry_name(&mut errors, &input.name, old.map(|o| &o.name));
    let product = Field::new(&mut errors, PRODUCT.name, Product::Wfbss).read(
        &input.product,
        old.map(|o| o.product),
        |p| {
            Product::parse(p)
                .ok_or_else(|| format!("`{p}` is not a product; use {}", Product::choices()))
        },
        Err(format!("required: {}", Product::choices())),
    );
    let kind = Field::new(&mut errors, KIND.name, PlanKind::Full).read(
        &input.kind,
        old.map(|o| o.kind),
        |k| PlanKind::parse(k).ok_or_else(|| format!("use {}", PlanKind::choices())),
        Ok(PlanKind::Full),
    );
    let months = input.months.or(old.map(|o| o.months)).unwrap_or(0);
    if !MONTHS.holds(months) {
        errors.push(FieldError::new(
            MONTHS.name,
            format!(
                "the licence period must be {} to {} months",
                MONTHS.min, MONTHS.max
            ),
        ));
    }
    let notice_days = input
        .notice_days
        .or(old.map(|o| o.notice_days))
        .unwrap_or(30);
    if !NOTICE_DAYS.holds(notice_days) {
        errors.push(FieldError::new(
            NOTICE_DAYS.name,
            format!("at most {} days", NOTICE_DAYS.max),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let flag =
        |given: Option<bool>, old: Option<bool>, default: bool| given.or(old).unwrap_or(default);
    Ok(Plan {
        id: old.map_or(0, |o| o.id),
        name,
        product,
        kind,
        months,
        notice_days,
        auto_renew: flag(input.auto_renew, old.map(|o| o.auto_renew), false),
        managed: flag(input.managed, old.map(|o| o.managed), true),
        enabled: flag(input.enabled, old.map(|o| o.enabled), true),
        end_of_life: flag(input.end_of_life, old.map(|o| o.end_of_life), false),
    })
}

fn find_plan(r: &impl Read, key: &str) -> Result<Plan> {
    let plans = r.plans()?;
    let by_id = key.trim().parse::<u64>().ok();
    let found = match plans.iter().position(|p| Some(p.id) == by_id) {
        Some(i) => Some(i),
        None => plans
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(key.trim())),
    };
    found
        .map(|i| plans[i].clone())
        .ok_or_else(|| Error::not_found(Thing::Plan, Key::Name(key.trim().to_string())))
}

/// Refuses a plan name that another plan than `except` has (ignoring case).
fn name_free(plans: &[Plan], name: &str, except: Option<u64>) -> Result<()> {
    let taken = plans
        .iter()
        .any(|p| Some(p.id) != except && p.name.eq_ignore_ascii_case(name));
    if !taken {
        return Ok(());
    }
    Err(Error::conflict(
        NAME.name,
        format!("a plan named `{name}` exists already; plan names are unique"),
    ))
}

/// Rewrites the summary of every customer holding the plan (its notice days or managed flag
/// feed the summaries).
fn refresh_plan_holders(w: &Writer, plan_id: u64) -> Result<()> {
    let catalog = w.catalog()?;
    let mut holders = Vec::new();
    w.each_customer(&mut |c| {
        if c.licenses.iter().any(|l| l.plan_id == plan_id) {
            holders.push(c);
        }
        Ok(true)
    })?;
    for c in holders {
        refresh_summary(w, &c, &catalog)?;
    }
    Ok(())
}

impl Desk {
    pub fn plans(&self) -> Result<Vec<PlanView>> {
        let mut plans = self.reader()?.plans()?;
        plans.sort_by_key(|p| p.name.to_lowercase());
        Ok(plans.iter().map(PlanView::from).collect())
    }

    pub fn plan(&self, key: &str) -> Result<PlanView> {
        Ok(PlanView::from(&find_plan(&self.reader()?, key)?))
    }

    pub fn add_plan(&self, ctx: Ctx, input: &PlanInput) -> Result<PlanView> {
        let w = self.writer()?;
        let plan = plan_from(input, None)?;
        let plans = w.plans()?;
        catalogue_room(
            plans.len(),
            limits::PLANS,
            "plans",
            "remove plans no longer sold",
        )?;
        name_free(&plans, &plan.name, None)?;
        let plan = load::new_plan(&w, plan)?;
        commit_entry(w, ctx, Entry::Added, "plan", &plan.name, vec![])?;
        Ok(PlanView::from(&plan))
    }

    /// Changes the given fields; an edit that names no field is refused, as for customers.
    pub fn edit_plan(&self, ctx: Ctx, key: &str, input: &PlanInput) -> Result<PlanView> {
        if !input.names_a_field() {
            return Err(Error::nothing_to_change(inputs::changeable(
                inputs::plan::FIELDS,
            )));
        }
        let w = self.writer()?;
        let old = find_plan(&w, key)?;
        let plan = plan_from(input, Some(&old))?;
        name_free(&w.plans()?, &plan.name, Some(plan.id))?;
        if plan.product != old.product && plan_in_use(&w, plan.id)? {
            return Err(Error::invalid(
                "product",
                "customers hold licences of this plan; its product cannot change",
            ));
        }
        if plan != old {
            w.save_plan(&plan)?;
            refresh_plan_holders(&w, plan.id)?;
            let changes = vec![change("plan", format!("{old:?}"), format!("{plan:?}"))];
            commit_entry(w, ctx, Entry::Changed, "plan", &plan.name, changes)?;
        }
        Ok(PlanView::from(&plan))
    }

    pub fn remove_plan(&self, ctx: Ctx, key: &str) -> Result<()> {
        let w = self.writer()?;
        let plan = find_plan(&w, key)?;
        if plan_in_use(&w, plan.id)? {
            return Err(Error::Refused(format!(
                "customers still hold licences of plan `{}`; remove those licences first, or mark the plan end of life",
                plan.name
            )));
        }
        w.remove_plan(plan.id)?;
        commit_entry(w, ctx, Entry::Removed, "plan", &plan.name, vec![])
    }

    pub fn templates(&self) -> Result<Vec<TemplateView>> {
        Ok(self
            .reader()?
            .templates()?
            .iter()
            .map(TemplateView::from)
            .collect())
    }

    pub fn template(&self, name: &str) -> Result<TemplateView> {
        self.reader()?
            .template(name)?
            .map(|t| TemplateView::from(&t))
            .ok_or_else(|| Error::not_found(Thing::Template, Key::Name(name.to_string())))
    }

    pub fn add_template(&self, ctx: Ctx, input: &TemplateInput) -> Result<TemplateView> {
        let w = self.writer()?;
        let t = template_from(input, None)?;
        catalogue_room(
            w.template_count()? as usize,
            limits::TEMPLATES,
            "templates",
            "remove templates no longer used",
        )?;
        if w.template(&t.name)?.is_some() {
            return Err(Error::conflict(
                "name",
                format!("a template named `{}` exists already", t.name),
            ));
        }
        load::new_template(&w, &t)?;
        commit_entry(w, ctx, Entry::Added, "template", &t.name, vec![])?;
        Ok(TemplateView::from(&t))
    }

    pub fn edit_template(
        &self,
        ctx: Ctx,
        name: &str,
        input: &TemplateInput,
    ) -> Result<TemplateView> {
        if input.name.is_none() && input.product.is_none() && input.settings.is_none() {
            // Only the settings of a template can change.
            return Err(Error::nothing_to_change([("settings", "--set")]));
        }
        let w = self.writer()?;
        let old = w
            .template(name)?
            .ok_or_else(|| Error::not_found(Thing::Template, Key::Name(name.to_string())))?;
        let t = template_from(input, Some(&old))?;
        if t.name != old.name {
            return Err(Error::invalid(
                "name",
                "a template cannot be renamed; add a new one instead",
            ));
        }
        if t.product != old.product {
            return Err(Error::invalid(
                "product",
                "a template's product cannot change; add a new one instead",
            ));
        }
        w.save_template(&t, Some(&old.name))?;
        commit_entry(w, ctx, Entry::Changed, "template", &t.name, vec![])?;
        Ok(TemplateView::from(&t))
    }

    pub fn remove_template(&self, ctx: Ctx, name: &str) -> Result<()> {
        let w = self.writer()?;
        let t = w
            .template(name)?
            .ok_or_else(|| Error::not_found(Thing::Template, Key::Name(name.to_string())))?;
        let mut users = 0;
        w.each_customer(&mut |c| {
            if c.wfbs_template.as_deref() == Some(&t.name)
                || c.cloud_edge_template.as_deref() == Some(&t.name)
            {
                users += 1;
            }
            Ok(true)
        })?;
        if users > 0 {
            return Err(Error::Refused(format!(
                "{users} customer(s) use template `{}`; assign another template to them first",
                t.name
            )));
        }
        w.remove_template(&t.name)?;
        commit_entry(w, ctx, Entry::Removed, "template", &t.name, vec![])
    }

    pub fn firmware(&self) -> Result<Vec<FirmwareView>> {
        Ok(self
            .reader()?
            .firmware()?
            .into_iter()
            .map(|f| FirmwareView {
                model: f.model,
                version: f.version,
            })
            .collect())
    }

    /// Records the latest firmware of a device model. Summaries hold each device's own
    /// version, so nothing else needs rewriting.
    pub fn set_firmware(&self, ctx: Ctx, model: &str, version: &str) -> Result<FirmwareView> {
        let model = inputs::device::MODEL
            .text(model)
            .and_then(|m| {
                if m.contains(['/', '\n', '\r']) {
                    Err("must not contain `/` or line breaks".to_string())
                } else {
                    Ok(m)
                }
            })
            .map_err(|m| Error::invalid("model", m))?;
        let version = validate::version(version).map_err(|m| Error::invalid("version", m))?;
        let w = self.writer()?;
        let models = w.firmware()?;
        let n = models.len();
        let old = models
            .into_iter()
            .find(|f| f.model.eq_ignore_ascii_case(&model));
        if old.is_none() {
            catalogue_room(
                n,
                limits::FIRMWARE_MODELS,
                "firmware models",
                "remove entries for models no longer in use",
            )?;
        }
        let f = Firmware {
            model: model.clone(),
            version: version.clone(),
        };
        w.save_firmware(&f)?;
        let changes = vec![change(
            &format!("firmware {model}"),
            old.map(|o| o.version).unwrap_or_default(),
            &version,
        )];
        let outcome = format!("latest firmware for {model} is {version}");
        commit_catalogue(w, ctx, "set firmware", &outcome, changes)?;
        Ok(FirmwareView { model, version })
    }

    pub fn remove_firmware(&self, ctx: Ctx, model: &str) -> Result<()> {
        let w = self.writer()?;
        let Some(f) = w
            .firmware()?
            .into_iter()
            .find(|f| f.model.eq_ignore_ascii_case(model.trim()))
        else {
            return Err(Error::not_found(
                Thing::Firmware,
                Key::Name(model.trim().to_string()),
            ));
        };
        w.remove_firmware(&f.model)?;
        let outcome = format!("firmware entry for {} removed", f.model);
        commit_catalogue(w, ctx, "remove firmware", &outcome, vec![])
    }
}

/// What became of a plan or template, as its audit entry says it.
#[derive(Clone, Copy)]
enum Entry {
    Added,
    Changed,
    Removed,
}

/// Records what became of the plan or template `what` named `name` — the task ("add plan")
/// and the outcome ("plan Basic added") — and commits it.
fn commit_entry(
    w: Writer,
    ctx: Ctx,
    entry: Entry,
    what: &str,
    name: &str,
    changes: Vec<FieldChange>,
) -> Result<()> {
    let (task, done) = match entry {
        Entry::Added => ("add", "added"),
        Entry::Changed => ("edit", "changed"),
        Entry::Removed => ("remove", "removed"),
    };
    let task = format!("{task} {what}");
    commit_catalogue(w, ctx, &task, &format!("{what} {name} {done}"), changes)
}

/// Records a change to the reference data (it concerns no customer) and commits it.
fn commit_catalogue(
    w: Writer,
    ctx: Ctx,
    task: &str,
    outcome: &str,
    changes: Vec<FieldChange>,
) -> Result<()> {
    audit(&w, ctx, task, vec![], outcome, changes, None)?;
    w.commit()
}

/// Refuses a new catalogue entry once the catalogue holds its maximum.
fn catalogue_room(len: usize, max: usize, what: &str, fix: &str) -> Result<()> {
    if len < max {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "there are {} {what} already, the most clientele keeps; {fix} first",
        limits::n(len)
    )))
}

fn plan_in_use(w: &Writer, plan_id: u64) -> Result<bool> {
    let mut used = false;
    w.each_customer(&mut |c| {
        used = c.licenses.iter().any(|l| l.plan_id == plan_id);
        Ok(!used)
    })?;
    Ok(used)
}

fn template_from(input: &TemplateInput, old: Option<&Template>) -> Result<Template> {
    let mut errors = Vec::new();
    let name = entry_name(&mut errors, &input.name, old.map(|o| &o.name));
    let product = Field::new(&mut errors, "product", Product::Wfbss).read(
        &input.product,
        old.map(|o| o.product),
        |p| match Product::parse(p) {
            Some(p) if p.has_templates() => Ok(p),
            _ => Err("templates exist for wfbss and cloud-edge only".to_string()),
        },
        Err("required: wfbss or cloud-edge".to_string()),
    );
    let settings = input
        .settings
        .clone()
        .or_else(|| old.map(|o| o.settings.clone()))
        .unwrap_or_default();
    if settings.len() > limits::TEMPLATE_SETTINGS {
        errors.push(FieldError::new(
            "settings",
            limits::too_many(
                "settings",
                limits::TEMPLATE_SETTINGS,
                settings.len(),
                "a template holds at most that many; leave out settings that keep their default",
            ),
        ));
    } else {
        for (k, v) in &settings {
            if k.trim().is_empty()
                || k.chars().count() > limits::SETTING_KEY
                || v.chars().count() > limits::SETTING_VALUE
            {
                errors.push(FieldError::new(
                    "settings",
                    format!(
                        "setting `{k}`: keys are 1 to {} characters, values at most {}",
                        limits::SETTING_KEY,
                        limits::SETTING_VALUE
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        limits::cap_errors(&mut errors);
        return Err(Error::Invalid(errors));
    }
    Ok(Template {
        name,
        product,
        settings,
    })
}
