//! The reference-data and housekeeping pages: settings, plans, templates, firmware, outbox,
//! audit log and CSV import.

use super::detail::changes;
use super::layout::Col::{Actions, Head, Number};
use super::layout::{self, error_summary, time, typed, typed_error, Draft, Field, Nav, Reply};
use super::multipart;
use crate::domain::audit::AuditFilter;
use crate::domain::error::{Error, Key, Thing};
use crate::domain::model::{Actor, PlanKind, Product, View};
use crate::domain::numbers;
use crate::domain::view::{PlanView, TemplateView};
use crate::tasks::catalogs::{PlanInput, TemplateInput};
use crate::tasks::csv::{ImportOptions, ImportReport, HEADER};
use crate::tasks::desk::audit_tasks;
use crate::web::app::{status_of, App};
use crate::web::http::{build_query, url_encode, Request, Response};
use crate::web::imports::{Job, Outcome, Refused, Running, State, KEPT};
use maud::{html, Markup};

fn yes(pairs: &[(String, String)], key: &str) -> bool {
    matches!(layout::value(pairs, key), Some("yes" | "on" | "true" | "1"))
}

fn flash_of(app: &App, req: &Request) -> Result<Option<String>, Response> {
    Ok(layout::flash(&layout::query(app, req)?))
}

/// A page as a link or a redirect shows it: with the flash its query names, no draft, 200.
fn first_shown(
    app: &App,
    req: &Request,
    render: fn(&App, Option<&str>, Option<&Draft>, u16) -> Reply,
) -> Reply {
    render(app, flash_of(app, req)?.as_deref(), None, 200)
}

/// The error summary of a draft, linking field errors to `{prefix}{field}` inputs.
fn summary_for(draft: Option<&Draft>, form: &str, prefix: &str, fields: &[&str]) -> Markup {
    match draft {
        Some(d) if d.form == form => {
            let ids = |f: &str| fields.contains(&f).then(|| format!("{prefix}{f}"));
            error_summary(&d.error, &ids, &|f: &str| f.replace('_', " "))
        }
        _ => html! {},
    }
}

const BACK: (&str, &str) = ("/", "Back to the customer list");
const TEMPLATES: (&str, &str) = ("/templates", "Back to the templates");
const OUTBOX: (&str, &str) = ("/outbox", "Back to the outbox");

// ---------------------------------------------------------------- settings

pub fn settings(app: &App, req: &Request) -> Reply {
    first_shown(app, req, render_settings)
}

fn render_settings(app: &App, flash: Option<&str>, draft: Option<&Draft>, status: u16) -> Reply {
    let current = app.desk.settings().map_err(layout::failed(app, BACK))?.view;
    let chosen = typed(draft, "settings", "view", current.code());
    let count = app.desk.count().unwrap_or(0);
    let body = html! {
        h1 { "Settings" }
        (summary_for(draft, "settings", "view-", &[]))
        form #settings-form .stack method="post" action="/settings" data-testid="settings-form" {
            fieldset {
                legend { "Customer view" }
                p.hint #view-hint {
                    "Which customers the customer list and Export All show. "
                    "CLP customers are always listed."
                }
                @for (v, label) in [(View::All, "All customers"), (View::Managed, "Managed customers only: LMP customers are listed only when at least one license is on a managed plan")] {
                    div.check {
                        input type="radio" name="view" value=(v.code()) id=(format!("view-{}", v.code()))
                            checked[chosen == v.code()] aria-describedby="view-hint";
                        label for=(format!("view-{}", v.code())) { (label) }
                    }
                }
                @if let Some(e) = typed_error(draft, "settings", "view") { span.field-error data-testid="field-error" { (layout::message_text(&e)) } }
            }
            div.actions { button.primary type="submit" #save-settings { "Save settings" } }
        }
        section aria-labelledby="about-heading" {
            h2 #about-heading { "About this desk" }
            dl.facts {
                dt { "Customers stored" } dd data-testid="customer-count" { (layout::thousands(count as usize)) }
                dt { "Today" } dd { (app.desk.today().to_string()) }
            }
            p { a href="/check" data-testid="check-link" { "Check that every stored record can be read" } }
        }
    };
    layout::page(app, status, "Settings", Nav::Settings, flash, body)
}

pub fn save_settings(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let raw = layout::value(&pairs, "view").unwrap_or("");
    let result = match View::parse(raw) {
        Some(view) => app
            .desk
            .set_view(app.desk.ctx(Actor::Web), view)
            .map(|_| ()),
        None => Err(Error::invalid(
            "view",
            format!("`{raw}` is not a view; choose all or managed"),
        )),
    };
    layout::after(
        result,
        ("/settings", "settings-saved"),
        "settings",
        pairs,
        |d, status| render_settings(app, None, Some(d), status),
    )
}

// ---------------------------------------------------------------- plans

const PLAN_FIELDS: &[&str] = &["name", "product", "kind", "months", "notice_days"];

fn product_options() -> Vec<(String, String)> {
    Product::ALL
        .iter()
        .map(|p| (p.code().to_string(), format!("{} ({})", p.name(), p.code())))
        .collect()
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

pub fn plans(app: &App, req: &Request) -> Reply {
    first_shown(app, req, render_plans)
}

fn render_plans(app: &App, flash: Option<&str>, draft: Option<&Draft>, status: u16) -> Reply {
    let list = app.desk.plans().map_err(layout::failed(app, BACK))?;
    let body = html! {
        h1 { "Service plans" }
        (layout::table_or(list.is_empty(), html! { p.none data-testid="no-plans" { "No plans yet. Add the first one below." } }, "plan", &[
            Head("Name"), Head("Product"), Head("Kind"), Number("Months"),
            Number("Notice days"), Head("Auto-renew"), Head("Managed"), Head("Enabled"),
            Head("End of life"),
        ], html! {
            @for p in &list {
                tr data-testid="plan-row" data-id=(p.id) {
                    th scope="row" { a href=(format!("/plans/{}", p.id)) { (p.name) } }
                    td { (p.product_name) }
                    td { (p.kind.code()) }
                    td.num { (p.months) }
                    td.num { (p.notice_days) }
                    td { (yes_no(p.auto_renew)) }
                    td { (yes_no(p.managed)) }
                    td { (yes_no(p.enabled)) }
                    td { (yes_no(p.end_of_life)) }
                }
            }
        }))
        section #add-plan aria-labelledby="add-plan-heading" {
            h2 #add-plan-heading { "Add a plan" }
            (summary_for(draft, "plan-new", "plan-", PLAN_FIELDS))
            (plan_form("plan-new", "/plans", None, draft, "Add plan"))
        }
    };
    layout::page(app, status, "Plans", Nav::Plans, flash, body)
}

fn plan_form(
    form: &str,
    action: &str,
    plan: Option<&PlanView>,
    draft: Option<&Draft>,
    submit: &str,
) -> Markup {
    let submitted = draft.is_some_and(|d| d.form == form);
    let val = |name: &str, stored: String| typed(draft, form, name, &stored);
    let err = |name: &str| typed_error(draft, form, name);
    let flag = |name: &str, stored: bool| {
        if submitted {
            draft.is_some_and(|d| yes(&d.values, name))
        } else {
            stored
        }
    };
    html! {
        form.stack method="post" action=(action) data-testid=(form) #(format!("{form}-form")) {
            div.row {
                (Field::new("plan-name", "name", "Name").required()
                    .value(val("name", plan.map(|p| p.name.clone()).unwrap_or_default())).error(err("name"))
                    .hint("Unique; no : or ;").input())
                (Field::new("plan-product", "product", "Product").required()
                    .value(val("product", plan.map_or("wfbss", |p| p.product.code()).to_string())).error(err("product"))
                    .select(&product_options()))
                (Field::new("plan-kind", "kind", "Kind").required()
                    .value(val("kind", plan.map_or("full", |p| p.kind.code()).to_string())).error(err("kind"))
                    .select(&layout::options(&[(PlanKind::Full.code(), "Full"), (PlanKind::Trial.code(), "Trial")])))
                (Field::new("plan-months", "months", "License period (months)").required().kind("number").min("1").max("120")
                    .value(val("months", plan.map_or("12".into(), |p| p.months.to_string()))).error(err("months")).input())
                (Field::new("plan-notice_days", "notice_days", "Expiration notice (days)").kind("number").min("0").max("365")
                    .value(val("notice_days", plan.map_or("30".into(), |p| p.notice_days.to_string()))).error(err("notice_days")).input())
            }
            fieldset.inline {
                legend { "Options" }
                (Field::new("plan-auto_renew", "auto_renew", "Auto-renew").checkbox(flag("auto_renew", plan.is_some_and(|p| p.auto_renew))))
                (Field::new("plan-managed", "managed", "Managed from this console").checkbox(flag("managed", plan.is_none_or(|p| p.managed))))
                (Field::new("plan-enabled", "enabled", "Enabled").checkbox(flag("enabled", plan.is_none_or(|p| p.enabled))))
                (Field::new("plan-end_of_life", "end_of_life", "End of life").checkbox(flag("end_of_life", plan.is_some_and(|p| p.end_of_life))))
            }
            div.actions { button.primary type="submit" #save-plan { (submit) } }
        }
    }
}

fn plan_input(pairs: &[(String, String)]) -> Result<PlanInput, Error> {
    let mut errors = Vec::new();
    let mut number = |key: &str| {
        layout::kept(
            numbers::optional(key, layout::value(pairs, key)),
            &mut errors,
        )
    };
    let months = number("months");
    let notice_days = number("notice_days");
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let text = |key: &str| layout::value(pairs, key).map(str::to_string);
    Ok(PlanInput {
        name: text("name"),
        product: text("product"),
        kind: text("kind"),
        months,
        notice_days,
        auto_renew: Some(yes(pairs, "auto_renew")),
        managed: Some(yes(pairs, "managed")),
        enabled: Some(yes(pairs, "enabled")),
        end_of_life: Some(yes(pairs, "end_of_life")),
        ..PlanInput::default()
    })
}

pub fn add_plan(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let result =
        plan_input(&pairs).and_then(|input| app.desk.add_plan(app.desk.ctx(Actor::Web), &input));
    layout::after(
        result,
        ("/plans", "plan-added"),
        "plan-new",
        pairs,
        |d, status| render_plans(app, None, Some(d), status),
    )
}

pub fn plan_page(app: &App, req: &Request, id: &str) -> Reply {
    let flash = flash_of(app, req)?;
    render_plan(app, id, flash.as_deref(), None, 200)
}

fn find_plan(app: &App, id: &str) -> Result<PlanView, Response> {
    let id = layout::id_of(app, "plan", id)?;
    app.desk
        .plan(&id.to_string())
        .ok()
        .filter(|p| p.id == id)
        .ok_or_else(|| {
            layout::error_page(
                app,
                &Error::not_found(Thing::Plan, Key::Id(id)),
                ("/plans", "Back to the plans"),
            )
        })
}

fn render_plan(
    app: &App,
    id: &str,
    flash: Option<&str>,
    draft: Option<&Draft>,
    status: u16,
) -> Reply {
    let plan = find_plan(app, id)?;
    let body = html! {
        nav.breadcrumb aria-label="Breadcrumb" {
            ol { li { a href="/plans" { "Plans" } } li { span aria-current="page" { (plan.name) } } }
        }
        h1 { "Plan " (plan.name) }
        @if let Some(d) = draft.filter(|d| d.form == "plan-remove") {
            (layout::error_block(&d.error))
        }
        (summary_for(draft, "plan-edit", "plan-", PLAN_FIELDS))
        (plan_form("plan-edit", &format!("/plans/{}", plan.id), Some(&plan), draft, "Save plan"))
        section aria-labelledby="remove-plan-heading" {
            h2 #remove-plan-heading { "Remove" }
            p { "A plan can be removed only while no customer holds a license of it. Otherwise mark it end of life." }
            form method="post" action=(format!("/plans/{}/remove", plan.id)) {
                button.danger type="submit" #remove-plan data-confirm=(format!("Remove the plan {}?", plan.name)) { "Remove plan" }
            }
        }
    };
    let title = format!("Plan {}", plan.name);
    layout::page(app, status, &title, Nav::Plans, flash, body)
}

pub fn save_plan(app: &App, req: &Request, id: &str) -> Reply {
    let plan = find_plan(app, id)?;
    let pairs = layout::form(app, req)?;
    let result = plan_input(&pairs).and_then(|input| {
        app.desk
            .edit_plan(app.desk.ctx(Actor::Web), &plan.id.to_string(), &input)
    });
    let path = format!("/plans/{}", plan.id);
    layout::after(
        result,
        (&path, "plan-saved"),
        "plan-edit",
        pairs,
        |d, status| render_plan(app, id, None, Some(d), status),
    )
}

pub fn remove_plan(app: &App, id: &str) -> Reply {
    let plan = find_plan(app, id)?;
    let result = app
        .desk
        .remove_plan(app.desk.ctx(Actor::Web), &plan.id.to_string());
    layout::after(
        result,
        ("/plans", "plan-removed"),
        "plan-remove",
        Vec::new(),
        |d, status| render_plan(app, id, None, Some(d), status),
    )
}

// ---------------------------------------------------------------- templates

const TEMPLATE_FIELDS: &[&str] = &["name", "product", "settings"];

fn settings_text(t: &TemplateView) -> String {
    t.settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn templates(app: &App, req: &Request) -> Reply {
    first_shown(app, req, render_templates)
}

fn render_templates(app: &App, flash: Option<&str>, draft: Option<&Draft>, status: u16) -> Reply {
    let list = app.desk.templates().map_err(layout::failed(app, BACK))?;
    let form = "template-new";
    let products = layout::options(&[
        ("wfbss", "Worry-Free Business Security Services (wfbss)"),
        ("cloud-edge", "Cloud Edge (cloud-edge)"),
    ]);
    let body = html! {
        h1 { "Product templates" }
        p.lead { "Default product settings for Worry-Free Business Security Services and Cloud Edge customers." }
        (layout::table_or(list.is_empty(), html! { p.none data-testid="no-templates" { "No templates yet." } }, "template", &[Head("Name"), Head("Product"), Head("Settings")], html! {
            @for t in &list {
                tr data-testid="template-row" {
                    th scope="row" { a href=(format!("/templates/edit?name={}", url_encode(&t.name))) { (t.name) } }
                    td { (t.product.name()) }
                    td {
                        @if t.settings.is_empty() { span.none { "None" } }
                        @else { ul.settings { @for (k, v) in &t.settings { li { code { (k) "=" (v) } } } } }
                    }
                }
            }
        }))
        section #add-template aria-labelledby="add-template-heading" {
            h2 #add-template-heading { "Add a template" }
            (summary_for(draft, form, "template-", TEMPLATE_FIELDS))
            form.stack #template-new-form method="post" action="/templates" data-testid="template-new" {
                div.row {
                    (Field::new("template-name", "name", "Name").required()
                        .value(typed(draft, form, "name", "")).error(typed_error(draft, form, "name")).input())
                    (Field::new("template-product", "product", "Product").required()
                        .value(typed(draft, form, "product", "wfbss")).error(typed_error(draft, form, "product")).select(&products))
                }
                (Field::new("template-settings", "settings", "Settings")
                    .value(typed(draft, form, "settings", "")).error(typed_error(draft, form, "settings"))
                    .hint("One key=value per line")
                    .textarea(5))
                div.actions { button.primary type="submit" #save-template { "Add template" } }
            }
        }
    };
    layout::page(app, status, "Templates", Nav::Templates, flash, body)
}

/// A template form's input; `new` reads the name and product too (an edit keeps them).
fn template_input(pairs: &[(String, String)], new: bool) -> Result<TemplateInput, Error> {
    let settings = crate::domain::template_settings::parse_lines(
        layout::value(pairs, "settings").unwrap_or(""),
    )?;
    let text = |key: &str| {
        layout::value(pairs, key)
            .filter(|_| new)
            .map(str::to_string)
    };
    Ok(TemplateInput {
        name: text("name"),
        product: text("product"),
        settings: Some(settings),
    })
}

pub fn add_template(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let result = template_input(&pairs, true)
        .and_then(|input| app.desk.add_template(app.desk.ctx(Actor::Web), &input));
    layout::after(
        result,
        ("/templates", "template-added"),
        "template-new",
        pairs,
        |d, status| render_templates(app, None, Some(d), status),
    )
}

pub fn template_page(app: &App, req: &Request) -> Reply {
    let pairs = layout::query(app, req)?;
    let name = layout::value(&pairs, "name").unwrap_or("").to_string();
    render_template(app, &name, layout::flash(&pairs).as_deref(), None, 200)
}

fn render_template(
    app: &App,
    name: &str,
    flash: Option<&str>,
    draft: Option<&Draft>,
    status: u16,
) -> Reply {
    let t = app
        .desk
        .template(name)
        .map_err(layout::failed(app, TEMPLATES))?;
    let form = "template-edit";
    let body = html! {
        nav.breadcrumb aria-label="Breadcrumb" {
            ol { li { a href="/templates" { "Templates" } } li { span aria-current="page" { (t.name) } } }
        }
        h1 { "Template " (t.name) }
        p.muted { (t.product.name()) }
        @if let Some(d) = draft.filter(|d| d.form == "template-remove") {
            (layout::error_block(&d.error))
        }
        (summary_for(draft, form, "template-", TEMPLATE_FIELDS))
        form.stack #template-edit-form method="post" action="/templates/edit" data-testid="template-edit" {
            input type="hidden" name="name" value=(t.name);
            (Field::new("template-settings", "settings", "Settings")
                .value(typed(draft, form, "settings", &settings_text(&t))).error(typed_error(draft, form, "settings"))
                .hint("One key=value per line")
                .textarea(8))
            div.actions { button.primary type="submit" #save-template { "Save template" } }
        }
        section aria-labelledby="remove-template-heading" {
            h2 #remove-template-heading { "Remove" }
            p { "A template can be removed only while no customer uses it." }
            form method="post" action="/templates/remove" {
                input type="hidden" name="name" value=(t.name);
                button.danger type="submit" #remove-template data-confirm=(format!("Remove the template {}?", t.name)) { "Remove template" }
            }
        }
    };
    let title = format!("Template {}", t.name);
    layout::page(app, status, &title, Nav::Templates, flash, body)
}

pub fn save_template(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let name = layout::value(&pairs, "name").unwrap_or("").to_string();
    let result = template_input(&pairs, false).and_then(|input| {
        app.desk
            .edit_template(app.desk.ctx(Actor::Web), &name, &input)
    });
    // The redirect goes to the list: a template name is request data and stays out of headers.
    layout::after(
        result,
        ("/templates", "template-saved"),
        "template-edit",
        pairs,
        |d, status| render_template(app, &name, None, Some(d), status),
    )
}

pub fn remove_template(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let name = layout::value(&pairs, "name").unwrap_or("").to_string();
    let result = match app.desk.remove_template(app.desk.ctx(Actor::Web), &name) {
        Err(e @ Error::NotFound { .. }) => return Err(layout::error_page(app, &e, TEMPLATES)),
        other => other,
    };
    let form = "template-remove";
    layout::after(
        result,
        ("/templates", "template-removed"),
        form,
        Vec::new(),
        |d, status| render_template(app, &name, None, Some(d), status),
    )
}

// ---------------------------------------------------------------- firmware

pub fn firmware(app: &App, req: &Request) -> Reply {
    first_shown(app, req, render_firmware)
}

fn render_firmware(app: &App, flash: Option<&str>, draft: Option<&Draft>, status: u16) -> Reply {
    let list = app.desk.firmware().map_err(layout::failed(app, BACK))?;
    let form = "firmware-new";
    let body = html! {
        h1 { "Firmware catalogue" }
        p.lead { "The latest firmware version per Cloud Edge model. Devices running an older version need an update." }
        @if let Some(d) = draft.filter(|d| d.form != form) {
            (layout::error_block(&d.error))
        }
        (layout::table_or(list.is_empty(), html! { p.none data-testid="no-firmware" { "No firmware versions recorded yet." } }, "firmware", &[Head("Model"), Head("Latest version"), Actions], html! {
            @for (i, f) in list.iter().enumerate() {
                @let row_form = format!("firmware:{}", f.model);
                tr data-testid="firmware-row" {
                    th scope="row" { (f.model) }
                    td {
                        form.cell-form method="post" action="/firmware" {
                            input type="hidden" name="model" value=(f.model);
                            (Field::new(format!("firmware-{i}-version"), "version", format!("Latest version of {}", f.model))
                                .value(typed(draft, &row_form, "version", &f.version))
                                .error(typed_error(draft, &row_form, "version"))
                                .hidden_label().cell())
                            button type="submit" data-testid="set-firmware" { "Save" span.vh { " " (f.model) } }
                        }
                    }
                    td.row-actions {
                        form method="post" action="/firmware/remove" {
                            input type="hidden" name="model" value=(f.model);
                            button.danger type="submit" data-testid="remove-firmware"
                                data-confirm=(format!("Remove the firmware entry for {}?", f.model)) {
                                "Remove" span.vh { " " (f.model) }
                            }
                        }
                    }
                }
            }
        }))
        section #add-firmware aria-labelledby="add-firmware-heading" {
            h2 #add-firmware-heading { "Record a firmware version" }
            (summary_for(draft, form, "firmware-", &["model", "version"]))
            form.stack #firmware-new-form method="post" action="/firmware" data-testid="firmware-new" {
                input type="hidden" name="new" value="1";
                div.row {
                    (Field::new("firmware-model", "model", "Model").required()
                        .value(typed(draft, form, "model", "")).error(typed_error(draft, form, "model")).input())
                    (Field::new("firmware-version", "version", "Latest version").required().hint("Dotted numbers, e.g. 3.2.1")
                        .value(typed(draft, form, "version", "")).error(typed_error(draft, form, "version")).input())
                    div.field.submit { button.primary type="submit" #save-firmware { "Save version" } }
                }
            }
        }
    };
    layout::page(app, status, "Firmware", Nav::Firmware, flash, body)
}

pub fn set_firmware(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let model = layout::value(&pairs, "model").unwrap_or("").to_string();
    let version = layout::value(&pairs, "version").unwrap_or("");
    let form = if layout::value(&pairs, "new").is_some() {
        "firmware-new".to_string()
    } else {
        format!("firmware:{model}")
    };
    let result = app
        .desk
        .set_firmware(app.desk.ctx(Actor::Web), &model, version);
    layout::after(
        result,
        ("/firmware", "firmware-set"),
        form,
        pairs,
        |d, status| render_firmware(app, None, Some(d), status),
    )
}

pub fn remove_firmware(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let model = layout::value(&pairs, "model").unwrap_or("");
    let back = ("/firmware", "Back to the firmware catalogue");
    app.desk
        .remove_firmware(app.desk.ctx(Actor::Web), model)
        .map_err(layout::failed(app, back))?;
    Ok(layout::see_other("/firmware", "firmware-removed"))
}

// ---------------------------------------------------------------- outbox

pub fn outbox(app: &App, req: &Request) -> Reply {
    let flash = flash_of(app, req)?;
    let list = app.desk.outbox().map_err(layout::failed(app, BACK))?;
    let body = html! {
        h1 { "Outbox" }
        p.lead {
            "clientele cannot send mail. Download each message as an .eml file, open it in your mail client "
            "and send it; then remove it here."
        }
        (layout::table_or(list.is_empty(), html! { p.none data-testid="empty-outbox" { "The outbox is empty." } }, "outbox", &[
            Head("Created"), Head("To"), Head("Subject"), Head("Customer"), Actions,
        ], html! {
            @for m in &list {
                tr data-testid="outbox-row" data-id=(m.id) {
                    td.nowrap { (time(&m.created_at)) }
                    td { (m.to) }
                    td {
                        details {
                            summary { (m.subject) }
                            pre.body { (m.body) }
                        }
                    }
                    td data-testid="outbox-company" {
                        @match &m.company {
                            Some(company) => a href=(format!("/customers/{}", m.customer_id)) { (company) },
                            None => { "Customer " (m.customer_id) " (deleted or unreadable)" },
                        }
                    }
                    td.row-actions {
                        a.button href=(format!("/outbox/{}.eml", m.id)) data-testid="download-eml" {
                            "Download .eml" span.vh { " " (m.subject) }
                        }
                        form method="post" action=(format!("/outbox/{}/remove", m.id)) {
                            button.danger type="submit" data-testid="remove-message" data-confirm="Remove this message from the outbox?" {
                                "Remove" span.vh { " " (m.subject) }
                            }
                        }
                    }
                }
            }
        }))
    };
    layout::page(app, 200, "Outbox", Nav::Outbox, flash.as_deref(), body)
}

pub fn eml(app: &App, file: &str) -> Reply {
    let id = layout::id_of(app, "message", file.strip_suffix(".eml").unwrap_or(file))?;
    let (name, text) = app
        .desk
        .outbox_eml_file(id)
        .map_err(layout::failed(app, OUTBOX))?;
    Ok(Response::download(
        "message/rfc822",
        &name,
        text.into_bytes(),
    ))
}

pub fn remove_outbox(app: &App, id: &str) -> Reply {
    let id = layout::id_of(app, "message", id)?;
    app.desk
        .remove_outbox(app.desk.ctx(Actor::Web), id)
        .map_err(layout::failed(app, OUTBOX))?;
    Ok(layout::see_other("/outbox", "message-removed"))
}

// ---------------------------------------------------------------- audit log

const AUDIT_PAGE: usize = 50;

pub fn audit(app: &App, req: &Request) -> Reply {
    let pairs = layout::query(app, req)?;
    let text = |key: &str| layout::value(&pairs, key);
    let before = numbers::optional::<u64>("before", text("before")).map_err(|e| {
        let why = format!("{}: {}.", e.field, e.message);
        let back = ("/audit", "Show the newest entries");
        layout::message_page(app, 400, "Bad request", &why, back)
    })?;
    // A filter the core refuses (a bad date, an unknown account name) is shown above the
    // form, every typed value kept, with no entries.
    let parsed = AuditFilter::parse(text("customer"), text("task"), text("from"), text("to"));
    let filter = parsed.clone().unwrap_or_default();
    let found = parsed.and_then(|f| {
        let mut entries = app.desk.audit_log(AUDIT_PAGE + 1, before, &f)?;
        let older = entries.len() > AUDIT_PAGE;
        entries.truncate(AUDIT_PAGE);
        let newer = match (before, entries.first()) {
            (None, _) => None,
            (Some(_), Some(first)) => app.desk.audit_newer(AUDIT_PAGE, first.id, &f)?,
            // Past the oldest match: the newer page is the one that ends at `before`.
            (Some(b), None) => app.desk.audit_newer(AUDIT_PAGE, b.saturating_sub(1), &f)?,
        };
        Ok((entries, older, newer))
    });
    let (status, error, (entries, older, newer)) = match found {
        Ok(found) => (200, None, found),
        Err(e) => (status_of(&e), Some(e), (Vec::new(), false, None)),
    };
    let link = |before: Option<u64>| {
        let b = before.map(|b| b.to_string());
        let kept = filter.to_pairs();
        let mut q: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(b) = &b {
            q.push(("before", b));
        }
        if q.is_empty() {
            "/audit".to_string()
        } else {
            format!("/audit?{}", build_query(&q))
        }
    };
    let body = html! {
        h1 { "Audit log" }
        p.lead {
            "Every change, newest first: when, by which interface, which task, the customers touched and the outcome."
        }
        @if let Some(e) = &error { (layout::error_block(e)) }
        (audit_filter(&pairs))
        (layout::table_or(entries.is_empty(), html! { p.none data-testid="empty-audit" { "No entries." } }, "audit", &[
            Head("Time"), Head("By"), Head("Task"), Head("Customers"), Head("Outcome"),
            Head("Changes"),
        ], html! {
            @for a in &entries {
                tr data-testid="audit-row" data-id=(a.id) {
                    td.nowrap { (time(&a.time)) }
                    td { (a.actor.code()) }
                    td { (a.task) }
                    td {
                        @for (i, c) in a.customers.iter().take(20).enumerate() {
                            @if i > 0 { ", " }
                            a href=(format!("/customers/{c}")) { (c) }
                        }
                        @if a.customers.len() > 20 { " and " (a.customers.len() - 20) " more" }
                    }
                    td { (a.outcome) }
                    td {
                        (changes(a))
                        @if let Some(s) = &a.snapshot {
                            details { summary { "Last record" } pre.body { (s) } }
                        }
                    }
                }
            }
        }))
        nav.paging aria-label="Audit pages" data-testid="audit-paging" {
            @if before.is_some() { a href=(link(None)) data-testid="audit-newest" { "« Newest" } }
            @if let Some(b) = newer {
                a href=(link(b)) rel="prev" data-testid="audit-newer" { "‹ Newer entries" }
            }
            @if older {
                @if let Some(last) = entries.last() {
                    a href=(link(Some(last.id))) rel="next" data-testid="audit-older" { "Older entries ›" }
                }
            }
        }
    };
    layout::page(app, status, "Audit log", Nav::Audit, None, body)
}

/// The audit log's filter form, showing the values as typed.
fn audit_filter(pairs: &[(String, String)]) -> Markup {
    let typed = |key: &str| layout::value(pairs, key).unwrap_or_default().to_string();
    let task = typed("task");
    let known = audit_tasks();
    let mut tasks = vec![(String::new(), "Any".to_string())];
    tasks.extend(known.iter().map(|t| (t.to_string(), t.to_string())));
    if !task.trim().is_empty() && !known.contains(&task.as_str()) {
        tasks.push((task.clone(), task.clone()));
    }
    html! {
        form.stack.audit-filter #audit-filter method="get" action="/audit" role="search"
            aria-label="Filter the audit log" data-testid="audit-filter" {
            div.row {
                (Field::new("audit-customer", "customer", "Customer").value(typed("customer"))
                    .hint("Id or account name").input())
                (Field::new("audit-task", "task", "Task").value(task).select(&tasks))
                (Field::new("audit-from", "from", "From").value(typed("from")).kind("date")
                    .hint("UTC day, inclusive").input())
                (Field::new("audit-to", "to", "To").value(typed("to")).kind("date")
                    .hint("UTC day, inclusive").input())
                div.field.submit {
                    div.actions {
                        button.primary type="submit" #audit-apply { "Apply filter" }
                        a.button #audit-reset href="/audit" { "Reset" }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- import

/// CSV text up to this size is put back into the text area after a dry run.
const KEEP_TEXT: usize = 1 << 20;

pub fn import_page(app: &App, req: &Request) -> Reply {
    let flash = flash_of(app, req)?;
    render_import(
        app,
        flash.as_deref(),
        &ImportForm::default(),
        None,
        None,
        200,
    )
}

fn render_import(
    app: &App,
    flash: Option<&str>,
    form: &ImportForm,
    report: Option<&ImportReport>,
    error: Option<&Error>,
    status: u16,
) -> Reply {
    let body = html! {
        h1 { "Import customers" }
        p.lead {
            "Import a CSV file in the export format: customers are matched by account name; new ones are "
            "created, changed ones updated. Every row is checked first; if any row is bad, nothing is written."
        }
        @if let Some(e) = error {
            (layout::error_block(e))
        }
        @if let Some(r) = report {
            section #import-report .alert.info aria-labelledby="report-heading" data-testid="import-report" {
                h2 #report-heading { @if r.dry_run { "Dry run: nothing was written" } @else { "Imported" } }
                dl.facts.counts-list {
                    dt { @if r.dry_run { "Would be created" } @else { "Created" } } dd data-testid="created" { (r.created) }
                    dt { @if r.dry_run { "Would be updated" } @else { "Updated" } } dd data-testid="updated" { (r.updated) }
                    dt { "Unchanged" } dd data-testid="unchanged" { (r.unchanged) }
                    dt { "Rejected" } dd data-testid="rejected" { (r.rejected) }
                }
                @if !r.errors.is_empty() {
                    (layout::import_rows(&r.errors))
                    (layout::omitted_errors(r.omitted))
                } @else if r.dry_run {
                    p { "All rows are valid. Press Import to write them." }
                }
            }
        }
        form #import-form .stack method="post" action="/import" enctype="multipart/form-data" data-testid="import-form" {
            (Field::new("import-file", "file", "CSV file").kind("file").hint("UTF-8, comma-separated, with the header row").input())
            (Field::new("import-csv", "csv", "…or paste the CSV here")
                .value(&form.kept)
                .hint(format!("The header must be: {}", HEADER.join(",")))
                .textarea(10))
            (Field::new("import-raw", "raw", "Take cells exactly as written")
                .hint("For files exported with raw cells: a leading ' is kept as data instead of being removed")
                .checkbox(form.raw))
            div.actions {
                button type="submit" name="action" value="dry-run" #import-dry-run { "Check (dry run)" }
                button.primary type="submit" name="action" value="import" #import-run { "Import" }
            }
        }
    };
    layout::page(app, status, "Import", Nav::Import, flash, body)
}

/// What an import form sent, multipart or url-encoded.
#[derive(Default)]
struct ImportForm {
    csv: Vec<u8>,
    action: String,
    raw: bool,
    /// The pasted or uploaded text shown again in the form (small inputs only).
    kept: String,
}

fn import_form(req: &Request) -> Result<ImportForm, String> {
    let content_type = req.header("content-type").unwrap_or("");
    let mut file = Vec::new();
    let mut text = Vec::new();
    let mut form = ImportForm::default();
    if let Some(b) = multipart::boundary(content_type) {
        for part in multipart::parse(&req.body, &b)? {
            match part.name.as_str() {
                "file" => file = part.data,
                "csv" => text = part.data,
                "action" => form.action = String::from_utf8_lossy(&part.data).into_owned(),
                "raw" => form.raw = part.data == b"yes",
                _ => {}
            }
        }
    } else {
        let pairs = req
            .form_pairs()
            .map_err(|e| format!("the form cannot be read: {e}"))?;
        text = layout::value(&pairs, "csv")
            .unwrap_or("")
            .as_bytes()
            .to_vec();
        form.action = layout::value(&pairs, "action").unwrap_or("").to_string();
        form.raw = layout::value(&pairs, "raw") == Some("yes");
    }
    form.csv = if file.iter().any(|b| !b.is_ascii_whitespace()) {
        file
    } else {
        text
    };
    if form.csv.len() <= KEEP_TEXT {
        form.kept = String::from_utf8(form.csv.clone()).unwrap_or_default();
    }
    Ok(form)
}

/// How long `POST /import` waits for its job before answering.
const SHORT_IMPORT: std::time::Duration = std::time::Duration::from_millis(250);

/// `POST /import`: checks that the form holds CSV, starts the import as a job and answers
/// `303` to its page; refused with `409` while another import runs.
pub fn import(app: &App, req: &Request) -> Reply {
    let form = match import_form(req) {
        Ok(x) => x,
        Err(why) => {
            let e = Error::Csv(why);
            return render_import(app, None, &ImportForm::default(), None, Some(&e), 400);
        }
    };
    if form.csv.iter().all(u8::is_ascii_whitespace) {
        let e = Error::invalid("csv", "choose a CSV file or paste CSV text, then try again");
        return render_import(app, None, &form, None, Some(&e), 422);
    }
    let opts = ImportOptions {
        dry_run: form.action != "import",
        raw: form.raw,
    };
    let ctx = app.desk.ctx(Actor::Web);
    match app
        .imports
        .start(app.desk.clone(), ctx, form.csv, opts, form.kept)
    {
        Ok(job) => {
            // A short import is done by then, and its page shows the result at once.
            job.wait(SHORT_IMPORT);
            Ok(Response::redirect_see_other(&format!("/import/{}", job.id)))
        }
        Err(Refused::Busy(running)) => Err(import_busy(app, &running)),
        Err(Refused::NoThread(why)) => Err(layout::error_page(
            app,
            &Error::Internal(why),
            ("/import", "Back to the import page"),
        )),
    }
}

/// The answer to an import started while another runs: which one, and how far it is.
fn import_busy(app: &App, running: &Job) -> Response {
    let id = running.id;
    let r = running.running();
    let body = html! {
        h1 { "Another import is running" }
        p.lead data-testid="import-busy" {
            "Import " (id) " is still running (" (r.percent()) "% of its lines read). "
            "One import runs at a time: wait until it is done, then send this file again."
        }
        p { a href=(format!("/import/{id}")) data-testid="running-import" { "See how far import " (id) " is" } }
    };
    layout::html(
        409,
        layout::document(app, "Another import is running", Nav::Import, None, body),
    )
}

/// `GET /import/{job}`: how far the import is, refreshing itself until it is done, then its
/// result — the report of a dry run, the counts of an import, or the rows that refused it.
pub fn import_job(app: &App, req: &Request, id: &str) -> Reply {
    let refresh = layout::value(&layout::query(app, req)?, "refresh") != Some("off");
    let job = layout::id_of(app, "import", id)
        .ok()
        .and_then(|id| app.imports.get(id))
        .ok_or_else(|| {
            layout::message_page(
                app,
                404,
                "Import not found",
                &format!(
                    "No import {id} is kept: the console keeps the last {KEPT} imports until the server stops."
                ),
                ("/import", "Back to the import page"),
            )
        })?;
    job.with_state(|state| match state {
        State::Running(r) => render_running(app, &job, r, refresh),
        State::Finished(done) => render_finished(app, &job, done),
    })
}

/// Seconds between two loads of a running import's page.
const REFRESH_SECONDS: u32 = 2;

/// A running import's page: a labelled bar and the same in words in a live region. It
/// reloads itself every `REFRESH_SECONDS` unless `refresh` is off (`?refresh=off`, the
/// first link on the page), which leaves reloading to the reader: a page that reloads
/// itself must offer to stop (WCAG 2.2.1).
fn render_running(app: &App, job: &Job, r: Running, refresh: bool) -> Reply {
    let title = if job.opts.dry_run {
        format!("Checking import {}", job.id)
    } else {
        format!("Import {} running", job.id)
    };
    let read = layout::thousands(r.lines_read as usize);
    let lines = layout::thousands(r.lines as usize);
    let body = html! {
        h1 { (title) }
        p.lead {
            @if job.opts.dry_run { "Every row is checked; nothing is written. " }
            @else { "Every row is checked first; if any row is bad, nothing is written. " }
            @if refresh { "This page reloads itself every " (REFRESH_SECONDS) " seconds until it shows the result." }
            @else { "This page shows the result when the import is done; it does not reload itself." }
        }
        p {
            @if refresh {
                a href=(format!("/import/{}?refresh=off", job.id)) data-testid="stop-refreshing" { "Stop reloading this page" }
            } @else {
                a href=(format!("/import/{}?refresh=off", job.id)) data-testid="check-again" { "Check again" }
                " · "
                a href=(format!("/import/{}", job.id)) data-testid="resume-refreshing" { "Reload it by itself again" }
            }
        }
        div.stack {
            label #import-progress-label for="import-progress" { "Lines read" }
            progress #import-progress data-testid="import-progress" max=(r.lines) value=(r.lines_read.min(r.lines)) aria-describedby="import-status" {
                (r.percent()) "%"
            }
            p #import-status role="status" aria-live="polite" data-testid="import-status" {
                (read) " of " (lines) " lines read (" (r.percent()) "%)"
                @if r.lines_read >= r.lines {
                    @if job.opts.dry_run { "; finishing the check…" } @else { "; writing the customers…" }
                } @else if let Some(rate) = r.rate() {
                    ", " (layout::thousands(rate as usize)) " lines a second"
                    @if let Some(left) = r.left() { ", about " (left) " s left" }
                    "."
                } @else {
                    "."
                }
            }
        }
    };
    if refresh {
        layout::page_refreshing(app, 200, &title, Nav::Import, REFRESH_SECONDS, body)
    } else {
        layout::page(app, 200, &title, Nav::Import, None, body)
    }
}

fn render_finished(app: &App, job: &Job, done: &Outcome) -> Reply {
    let form = ImportForm {
        raw: job.opts.raw,
        kept: job.kept.clone(),
        ..ImportForm::default()
    };
    match &done.result {
        Ok(report) if report.dry_run => {
            let status = if report.rejected > 0 { 422 } else { 200 };
            render_import(app, None, &form, Some(report), None, status)
        }
        Ok(report) => {
            let flash = format!(
                "Import finished: {} created, {} updated, {} unchanged.",
                report.created, report.updated, report.unchanged
            );
            let empty = ImportForm::default();
            render_import(app, Some(&flash), &empty, Some(report), None, 200)
        }
        Err(e) => render_import(app, None, &form, None, Some(e), status_of(e)),
    }
}

/// `GET /check`: every stored record that cannot be read (`clientele check`, `GET /api/check`).
pub fn check(app: &App, req: &Request) -> Reply {
    layout::query(app, req)?;
    let report = app
        .desk
        .check()
        .map_err(layout::failed(app, ("/settings", "Back to the settings")))?;
    let body = html! {
        h1 { "Stored records" }
        p.lead data-testid="check-summary" {
            "Read " (layout::thousands(report.records as usize)) " records in " (report.tables) " tables: "
            @if report.ok { "every record can be read." }
            @else { (layout::thousands(report.bad())) " cannot be read." }
        }
        @if !report.ok {
            div.table-wrap {
                table data-testid="unreadable-records" {
                    caption { "Records that cannot be read" }
                    thead { tr { th scope="col" { "Table" } th scope="col" { "Key" } th scope="col" { "Customer" } th scope="col" { "Problem" } th scope="col" { "Repair" } } }
                    tbody {
                        @for u in &report.unreadable {
                            tr {
                                td { (u.table) }
                                td { (u.key) }
                                td { @if let Some(id) = u.customer { (id) } }
                                td { (layout::message_text(&u.problem)) }
                                td {
                                    @if let Some(id) = u.customer {
                                        form method="post" action="/tasks/delete" {
                                            input type="hidden" name="ids" value=(id);
                                            button type="submit" data-testid="delete-damaged" { "Delete customer " (id) "…" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if report.omitted > 0 {
                p { "… and " (layout::thousands(report.omitted)) " more." }
            }
            p {
                "Deleting a damaged customer removes what is left of it (a preview comes first); "
                "other records come back from a backup."
            }
        }
    };
    layout::page(app, 200, "Stored records", Nav::Settings, None, body)
}
