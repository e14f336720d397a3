//! The customer form: new (`GET /customers/new`, `POST /customers`) and edit
//! (`GET /customers/{id}/edit`, `POST /customers/{id}`).

use super::layout::{self, error_summary, field_errors, Field, Nav, Reply};
use crate::domain::error::{Error, FieldError};
use crate::domain::fields::{self, FieldSpec, Group, Kind};
use crate::domain::model::{Actor, Product};
use crate::domain::numbers;
use crate::domain::validate::{CustomerInput, LicenseInput};
use crate::domain::view::{CustomerView, PlanView, TemplateView};
use crate::tasks::desk::CustomerRef;
use crate::web::app::{status_of, App};
use crate::web::http::Request;
use maud::html;

const BACK: (&str, &str) = ("/", "Back to the customer list");
/// Plan rows the new-customer form always offers.
const MIN_PLAN_ROWS: usize = 3;
/// Plan rows read from a posted form at most.
const MAX_PLAN_ROWS: usize = 100;

/// A profile field as its spec describes it. No `maxlength`: the domain counts characters
/// where a browser counts UTF-16 units (an emoji is two), so the browser could cut valid
/// input; the server checks lengths and explains.
fn field(spec: &FieldSpec) -> Field {
    let f = Field::new(spec.name, spec.name, spec.label)
        .kind(match spec.kind {
            Kind::Email => "email",
            Kind::Phone => "tel",
            Kind::Text | Kind::Lines => "text",
        })
        .hint(sentence(spec.help));
    let f = match spec.autofill {
        Some(a) => f.autocomplete(a),
        None => f,
    };
    if spec.required {
        f.required()
    } else {
        f
    }
}

/// The help line as a hint: capitalised, since argh wants it lower case.
fn sentence(help: &str) -> String {
    let mut chars = help.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Human labels for error-summary entries.
fn label_of(field: &str) -> String {
    if let Some(spec) = fields::find(field) {
        return spec.label.to_string();
    }
    match field {
        "account_type" => "Account type".into(),
        "wfbs_template" => "Worry-Free Business Security Services template".into(),
        "cloud_edge_template" => "Cloud Edge template".into(),
        "status" => "Status".into(),
        other => match plan_field(other) {
            Some((row, part)) => format!("Plan row {} {}", row + 1, part),
            None => other.to_string(),
        },
    }
}

/// `plan-2` → (2, "plan").
fn plan_field(id: &str) -> Option<(usize, &str)> {
    let (part, row) = id.rsplit_once('-')?;
    matches!(part, "plan" | "units" | "start").then_some(())?;
    Some((row.parse().ok()?, part))
}

/// What the form needs from the catalogue.
struct Choices {
    plans: Vec<PlanView>,
    templates: Vec<TemplateView>,
}

fn choices(app: &App) -> Result<Choices, Error> {
    Ok(Choices {
        plans: app.desk.plans()?,
        templates: app.desk.templates()?,
    })
}

pub fn new_form(app: &App) -> Reply {
    render(app, None, None, 200)
}

pub fn edit_form(app: &App, id: &str) -> Reply {
    let id = layout::id_of(app, "customer", id)?;
    let c = app
        .desk
        .customer(&CustomerRef::Id(id))
        .map_err(layout::failed(app, BACK))?;
    render(app, Some(&c), None, 200)
}

/// A posted form: the core input, plus which form row each licence input came from and the
/// errors found while reading the form itself.
struct Posted {
    input: CustomerInput,
    rows: Vec<usize>,
    errors: Vec<FieldError>,
}

fn read(pairs: &[(String, String)], editing: bool) -> Posted {
    let get = |k: &str| layout::value(pairs, k).map(str::to_string);
    let mut errors = Vec::new();
    let mut licenses = Vec::new();
    let mut rows = Vec::new();
    if !editing {
        for row in 0..MAX_PLAN_ROWS {
            let plan = get(&format!("plan-{row}"));
            let units = get(&format!("units-{row}"));
            let start = get(&format!("start-{row}"));
            if plan.is_none() && units.is_none() && start.is_none() {
                break;
            }
            let plan = plan.unwrap_or_default();
            let filled = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
            if plan.trim().is_empty() {
                if !filled(&units) && !filled(&start) {
                    continue;
                }
                // Kept as a licence without a plan, so the core refuses the whole form too and
                // reports every other field at the same time.
                errors.push(FieldError::new(
                    format!("plan-{row}"),
                    "choose a plan for this row, or clear its units and start date",
                ));
            }
            // A units value that cannot be read is sent as 0, which the core refuses as well.
            let field = format!("units-{row}");
            let units = layout::kept(numbers::required(&field, units.as_deref()), &mut errors);
            rows.push(row);
            licenses.push(LicenseInput {
                plan,
                units,
                start: start.filter(|s| !s.trim().is_empty()),
                ..LicenseInput::default()
            });
        }
    }
    let mut input = CustomerInput {
        account_type: get("account_type"),
        wfbs_template: get("wfbs_template"),
        // Only chosen when the customer is created; the edit form shows it read-only.
        cloud_edge_template: if editing {
            None
        } else {
            get("cloud_edge_template")
        },
        licenses: if editing { None } else { Some(licenses) },
        ..CustomerInput::default()
    };
    for spec in fields::PROFILE {
        let value = get(spec.name);
        if let Some(slot) = input.text_mut(spec.name) {
            // Browsers send CRLF line breaks; the domain keeps LF.
            *slot = match spec.kind {
                Kind::Lines => value.map(|v| v.replace("\r\n", "\n")),
                _ => value,
            };
        }
    }
    Posted {
        input,
        rows,
        errors,
    }
}

/// Renames the core's `licenses[k].part` fields onto the form's row inputs and merges in the
/// form's own errors (which win for the same input).
fn form_errors(e: Error, posted: &Posted) -> Error {
    let mut errors: Vec<FieldError> = posted.errors.clone();
    for mut fe in field_errors(&e) {
        if let Some(rest) = fe.field.strip_prefix("licenses[") {
            if let Some((k, part)) = rest.split_once("].") {
                if let Some(row) = k.parse::<usize>().ok().and_then(|k| posted.rows.get(k)) {
                    let part = if part == "expiry" { "start" } else { part };
                    fe.field = format!("{part}-{row}");
                }
            }
        }
        if !errors.iter().any(|mine| mine.field == fe.field) {
            errors.push(fe);
        }
    }
    match e {
        Error::Invalid(_) => Error::Invalid(errors),
        Error::Conflict { .. } if errors.len() == 1 => e,
        Error::Conflict { .. } => Error::Invalid(errors),
        other if posted.errors.is_empty() => other,
        _ => Error::Invalid(errors),
    }
}

pub fn create(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let posted = read(&pairs, false);
    let result = app
        .desk
        .add_customer(app.desk.ctx(Actor::Web), &posted.input);
    match result {
        Ok(c) => Ok(layout::see_other(
            &format!("/customers/{}", c.id),
            "created",
        )),
        Err(e) => {
            let e = form_errors(e, &posted);
            let status = status_of(&e);
            let draft = layout::Draft::new("customer", pairs, e);
            render(app, None, Some(&draft), status)
        }
    }
}

pub fn update(app: &App, req: &Request, id: &str) -> Reply {
    let id = layout::id_of(app, "customer", id)?;
    let pairs = layout::form(app, req)?;
    let posted = read(&pairs, true);
    match app
        .desk
        .edit_customer(app.desk.ctx(Actor::Web), id, &posted.input)
    {
        Ok(_) => Ok(layout::see_other(&format!("/customers/{id}"), "saved")),
        Err(e @ Error::NotFound { .. }) => Err(layout::error_page(app, &e, BACK)),
        Err(e) => {
            let current = app
                .desk
                .customer(&CustomerRef::Id(id))
                .map_err(layout::failed(app, BACK))?;
            let e = form_errors(e, &posted);
            let status = status_of(&e);
            let draft = layout::Draft::new("customer", pairs, e);
            render(app, Some(&current), Some(&draft), status)
        }
    }
}

/// The form, for a new customer (`current` is `None`) or an edit, with an optional rejected draft.
fn render(
    app: &App,
    current: Option<&CustomerView>,
    draft: Option<&layout::Draft>,
    status: u16,
) -> Reply {
    let choices = choices(app).map_err(layout::failed(app, BACK))?;
    let editing = current.is_some();
    let stored = |name: &str| -> String {
        let Some(c) = current else {
            return String::new();
        };
        if let Some(text) = c.text(name) {
            return text.clone();
        }
        match name {
            "account_type" => c.account_type.code().to_string(),
            "wfbs_template" => c.wfbs_template.clone().unwrap_or_default(),
            "cloud_edge_template" => c.cloud_edge_template.clone().unwrap_or_default(),
            _ => String::new(),
        }
    };
    let val = |name: &str| layout::typed(draft, "customer", name, &stored(name));
    let err = |name: &str| layout::typed_error(draft, "customer", name);
    let text = |spec: &FieldSpec| {
        let f = field(spec).value(val(spec.name)).error(err(spec.name));
        match spec.kind {
            Kind::Lines => f.textarea(4),
            _ => f.input(),
        }
    };
    let group = |g: Group| fields::PROFILE.iter().filter(move |f| f.group == g);
    let (title, action, heading) = match current {
        Some(c) => (
            format!("Edit {}", c.company),
            format!("/customers/{}", c.id),
            html! { "Edit " (c.company) },
        ),
        None => (
            "New customer".to_string(),
            "/customers".to_string(),
            html! { "New customer" },
        ),
    };
    let account_type = val("account_type").to_ascii_uppercase();
    let template_options = |product: Product| {
        let mut opts = vec![(String::new(), "None".to_string())];
        opts.extend(
            choices
                .templates
                .iter()
                .filter(|t| t.product == product)
                .map(|t| (t.name.clone(), t.name.clone())),
        );
        opts
    };
    let mut plan_options = vec![(String::new(), "No plan".to_string())];
    plan_options.extend(
        choices
            .plans
            .iter()
            .filter(|p| p.enabled && !p.end_of_life)
            .map(|p| (p.name.clone(), layout::plan_label(p))),
    );
    let rows = {
        let posted_rows = draft
            .filter(|d| d.form == "customer")
            .map(|d| {
                (0..MAX_PLAN_ROWS)
                    .take_while(|r| layout::value(&d.values, &format!("plan-{r}")).is_some())
                    .count()
            })
            .unwrap_or(0);
        posted_rows.max(MIN_PLAN_ROWS)
    };
    let ids = |field: &str| -> Option<String> {
        let known = fields::find(field).is_some()
            || matches!(field, "account_type" | "wfbs_template")
            || (field == "cloud_edge_template" && !editing)
            || plan_field(field).is_some();
        known.then(|| {
            if field == "account_type" {
                "account_type-CLP".to_string()
            } else {
                field.to_string()
            }
        })
    };
    let body = html! {
        h1 { (heading) }
        @if let Some(d) = draft {
            (error_summary(&d.error, &ids, &label_of))
        }
        p.hint { "Fields marked " span aria-hidden="true" { "*" } span.vh { "with an asterisk" } " are required." }
        form #customer-form .stack method="post" action=(action) novalidate data-testid="customer-form" {
            fieldset {
                legend { "Profile" }
                div.grid-fields { @for spec in group(Group::Profile) { (text(spec)) } }
                fieldset.inline.invalid[err("account_type").is_some()] {
                    legend { "Account type" span.req aria-hidden="true" { " *" } }
                    @for (code, label) in [("CLP", "CLP – Customer Licensing Portal"), ("LMP", "LMP – Licensing Management Platform")] {
                        div.check {
                            input type="radio" name="account_type" value=(code) id=(format!("account_type-{code}"))
                                checked[account_type == code]
                                aria-describedby=[err("account_type").map(|_| "account_type-error")];
                            label for=(format!("account_type-{code}")) { (label) }
                        }
                    }
                    @if let Some(e) = err("account_type") {
                        span.field-error #account_type-error data-testid="field-error" { (layout::message_text(&e)) }
                    }
                }
            }
            fieldset {
                legend { "Contact" }
                div.grid-fields { @for spec in group(Group::Contact) { (text(spec)) } }
            }
            fieldset {
                legend { "Address" }
                div.grid-fields { @for spec in group(Group::Address) { (text(spec)) } }
            }
            fieldset {
                legend { "Preferences" }
                div.grid-fields { @for spec in group(Group::Preferences) { (text(spec)) } }
            }
            @for spec in group(Group::Notes) { (text(spec)) }
            @if editing {
                section.note {
                    h2 { "Licenses" }
                    p { "Licenses, devices and events are managed on the customer page." }
                }
            } @else {
                fieldset #plans {
                    legend { "Plans" }
                    p.hint { "Assign service plans now (optional). Rows without a plan are ignored; the expiry date follows from the plan's licence period. An empty start date means today." }
                    table.plan-rows {
                        thead { tr { th scope="col" { "Plan" } th scope="col" { "Units" } th scope="col" { "Start date" } } }
                        tbody {
                            @for row in 0..rows {
                                tr {
                                    td { (Field::new(format!("plan-{row}"), format!("plan-{row}"), format!("Plan, row {}", row + 1))
                                        .value(val(&format!("plan-{row}"))).error(err(&format!("plan-{row}"))).hidden_label().select_cell(&plan_options)) }
                                    td { (Field::new(format!("units-{row}"), format!("units-{row}"), format!("Units, row {}", row + 1))
                                        .value(val(&format!("units-{row}"))).error(err(&format!("units-{row}"))).kind("number").min("1").hidden_label().cell()) }
                                    td { (Field::new(format!("start-{row}"), format!("start-{row}"), format!("Start date, row {}", row + 1))
                                        .value(val(&format!("start-{row}"))).error(err(&format!("start-{row}"))).kind("date").hidden_label().cell()) }
                                }
                            }
                        }
                    }
                    @if choices.plans.iter().all(|p| !p.enabled || p.end_of_life) {
                        p.hint { "No plan can be assigned yet. " a href="/plans" { "Add a plan" } " first." }
                    }
                }
            }
            fieldset {
                legend { "Default product settings" }
                (Field::new("wfbs_template", "wfbs_template", "Worry-Free Business Security Services template")
                    .value(val("wfbs_template"))
                    .error(err("wfbs_template"))
                    .hint("Needs a wfbss plan")
                    .select(&template_options(Product::Wfbss)))
                @if editing {
                    (Field::new("cloud_edge_template", "cloud_edge_template_shown", "Cloud Edge template")
                        .value(current.and_then(|c| c.cloud_edge_template.clone()).unwrap_or_else(|| "None".into()))
                        .readonly()
                        .hint("Chosen when the customer is created; it cannot be changed")
                        .input())
                } @else {
                    (Field::new("cloud_edge_template", "cloud_edge_template", "Cloud Edge template")
                        .value(val("cloud_edge_template"))
                        .error(err("cloud_edge_template"))
                        .hint("Needs a cloud-edge plan; cannot be changed later")
                        .select(&template_options(Product::CloudEdge)))
                }
            }
            div.actions {
                button.primary type="submit" #save-customer {
                    @if editing { "Save changes" } @else { "Create customer" }
                }
                @match current {
                    Some(c) => a.button href=(format!("/customers/{}", c.id)) #cancel { "Cancel" },
                    None => a.button href="/" #cancel { "Cancel" },
                }
            }
        }
    };
    let nav = if editing {
        Nav::Customers
    } else {
        Nav::NewCustomer
    };
    let title = if draft.is_some() {
        format!("Error: {title}")
    } else {
        title
    };
    layout::page(app, status, &title, nav, None, body)
}
