//! The page shell and the small pieces every page uses: navigation, flash messages, error
//! pages, form fields with their errors, badges, times, query strings.

use crate::domain::derive::Reason;
use crate::domain::error::{Error, FieldError, Thing};
use crate::domain::filter::Filter;
use crate::web::app::{status_of, App};
use crate::web::http::{build_query, Request, Response};
use maud::{html, Markup, DOCTYPE};

/// Which main navigation entry a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Customers,
    Runway,
    NewCustomer,
    Import,
    Plans,
    Templates,
    Firmware,
    Outbox,
    Audit,
    Settings,
    None,
}

const NAV: &[(Nav, &str, &str, &str)] = &[
    (Nav::Customers, "/", "Customers", "nav-customers"),
    (Nav::Runway, "/runway", "Runway", "nav-runway"),
    (
        Nav::NewCustomer,
        "/customers/new",
        "New customer",
        "nav-new-customer",
    ),
    (Nav::Import, "/import", "Import", "nav-import"),
    (Nav::Plans, "/plans", "Plans", "nav-plans"),
    (Nav::Templates, "/templates", "Templates", "nav-templates"),
    (Nav::Firmware, "/firmware", "Firmware", "nav-firmware"),
    (Nav::Outbox, "/outbox", "Outbox", "nav-outbox"),
    (Nav::Audit, "/audit", "Audit log", "nav-audit"),
    (Nav::Settings, "/settings", "Settings", "nav-settings"),
];

/// A whole HTML document: header with navigation, a skip link, the flash message and `main`.
pub fn document(app: &App, title: &str, nav: Nav, flash: Option<&str>, body: Markup) -> Markup {
    document_with_skips(app, title, nav, flash, &[], body)
}

/// [`document`] with more skip links after "Skip to main content": (`#target`, label), each
/// the target of an element of `body` that takes the focus (`tabindex="-1"`).
pub fn document_with_skips(
    app: &App,
    title: &str,
    nav: Nav,
    flash: Option<&str>,
    skips: &[(&str, &str)],
    body: Markup,
) -> Markup {
    shell(app, title, nav, flash, skips, None, body)
}

/// A page that loads itself again every `seconds` (a `<meta http-equiv="refresh">`, which
/// needs no script): a running import's progress.
pub fn page_refreshing(
    app: &App,
    status: u16,
    title: &str,
    nav: Nav,
    seconds: u32,
    body: Markup,
) -> Reply {
    Ok(html(
        status,
        shell(app, title, nav, None, &[], Some(seconds), body),
    ))
}

fn shell(
    app: &App,
    title: &str,
    nav: Nav,
    flash: Option<&str>,
    skips: &[(&str, &str)],
    refresh: Option<u32>,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(seconds) = refresh {
                    meta http-equiv="refresh" content=(seconds);
                }
                title { (title) " – clientele" }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/static/style.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to main content" }
                @for (target, label) in skips {
                    a.skip-link href=(target) { (label) }
                }
                header.top {
                    a.brand href="/" { "clientele" }
                    nav aria-label="Main" {
                        ul {
                            @for (entry, href, label, testid) in NAV {
                                li {
                                    a href=(href) data-testid=(testid)
                                        aria-current=[(*entry == nav).then_some("page")] { (label) }
                                }
                            }
                        }
                    }
                    @if app.token_required {
                        form.signout method="post" action="/logout" {
                            button.link type="submit" data-testid="sign-out" { "Sign out" }
                        }
                    }
                }
                main #main tabindex="-1" {
                    @if let Some(text) = flash {
                        div #flash .flash role="status" data-testid="flash" { (message_text(text)) }
                    }
                    (body)
                }
                footer.foot {
                    "clientele · today is " (app.desk.today().to_string())
                }
            }
        }
    }
}

/// What a page handler answers: the page, or (through `?`) the page that stops it, such as
/// a 400 for an unreadable form or a 404 for an unknown id. The dispatch sends either.
pub type Reply = Result<Response, Response>;

/// A whole page as a handler answers it: [`document`] with `status`.
pub fn page(
    app: &App,
    status: u16,
    title: &str,
    nav: Nav,
    flash: Option<&str>,
    body: Markup,
) -> Reply {
    Ok(html(status, document(app, title, nav, flash, body)))
}

pub fn html(status: u16, markup: Markup) -> Response {
    Response::html(status, markup.into_string())
}

/// A small page with a heading, one message and one link onwards.
pub fn message_page(
    app: &App,
    status: u16,
    title: &str,
    message: &str,
    back: (&str, &str),
) -> Response {
    let body = html! {
        h1 { (title) }
        p.lead data-testid="message" { (message_text(message)) }
        p { a href=(back.0) data-testid="back-link" { (back.1) } }
    };
    html(status, document(app, title, Nav::None, None, body))
}

/// The page for a core error: its message (and field or row details) with the status of
/// `app::status_of`.
pub fn error_page(app: &App, e: &Error, back: (&str, &str)) -> Response {
    let status = status_of(e);
    let title = error_title(e);
    let body = html! {
        h1 { (title) }
        (error_block(e))
        p { a href=(back.0) data-testid="back-link" { (back.1) } }
    };
    html(status, document(app, title, Nav::None, None, body))
}

/// `error_page` for `map_err`: `app.desk.plans().map_err(failed(app, back))?`.
pub fn failed<'a>(app: &'a App, back: (&'a str, &'a str)) -> impl Fn(Error) -> Response + 'a {
    move |e| error_page(app, &e, back)
}

/// After a change: a `303` to `path` with the flash code `done`, or the page again (`again`)
/// with the rejected form `form` — its typed values and the error — and the error's status.
pub fn after<T>(
    result: Result<T, Error>,
    (path, done): (&str, &str),
    form: impl Into<String>,
    pairs: Vec<(String, String)>,
    again: impl FnOnce(&Draft, u16) -> Reply,
) -> Reply {
    match result {
        Ok(_) => Ok(see_other(path, done)),
        Err(e) => {
            let status = status_of(&e);
            again(&Draft::new(form, pairs, e), status)
        }
    }
}

pub fn error_title(e: &Error) -> &'static str {
    match e {
        Error::Invalid(_) => "Please correct the input",
        Error::NotFound { .. } => "Not found",
        Error::Conflict { .. } => "Already in use",
        Error::Refused(_) => "Not possible",
        Error::NothingToChange { .. } => "Nothing to change",
        Error::Import(_) => "Import rejected",
        Error::Csv(_) => "The CSV cannot be read",
        Error::Busy { .. } => "The database is busy",
        Error::Unusable { .. } | Error::Database(_) => "Database problem",
        Error::Damaged { .. } => "A record cannot be read",
        Error::DiskFull(_) => "The disk is full",
        Error::Io(_) => "Input/output problem",
        Error::Internal(_) => "Internal error",
    }
}

/// A core error as an alert box.
pub fn error_block(e: &Error) -> Markup {
    html! {
        div.alert.error role="alert" data-testid="error" {
            @match e {
                Error::Invalid(errors) => {
                    ul { @for fe in errors { li { strong { (fe.field) } ": " (message_text(&fe.message)) } } }
                }
                Error::Import(rows) => {
                    p { "Nothing was written. Fix these rows and import again." }
                    (import_rows(rows))
                    (omitted_errors(rows.omitted))
                }
                Error::NotFound { thing, .. } => {
                    p { (message_text(&e.to_string())) }
                    @if let Some((href, label)) = where_to_look(*thing) {
                        p { a href=(href) data-testid="where-to-look" { (label) } }
                    }
                }
                other => p { (message_text(&other.to_string())) }
            }
        }
    }
}

/// The console page that shows what exists, for a thing the user named wrongly.
fn where_to_look(thing: Thing) -> Option<(&'static str, &'static str)> {
    match thing {
        Thing::Customer => Some(("/", "The customer list shows every customer")),
        Thing::Plan => Some(("/plans", "The plans page lists every plan")),
        Thing::Template => Some(("/templates", "The templates page lists every template")),
        Thing::Firmware => Some(("/firmware", "The firmware page lists every model")),
        Thing::OutboxMessage => Some(("/outbox", "The outbox lists every message")),
        Thing::TaskRun => Some(("/runs", "The task runs page lists every run")),
        Thing::Licence | Thing::Device | Thing::Event | Thing::Task => None,
    }
}

/// The line under a capped error list that counts the errors not listed.
pub fn omitted_errors(omitted: usize) -> Markup {
    html! {
        @if omitted > 0 {
            p data-testid="omitted-errors" { (crate::domain::limits::more_errors(omitted)) }
        }
    }
}

pub fn import_rows(rows: &[crate::domain::error::RowError]) -> Markup {
    html! {
        div.table-wrap {
            table #import-errors data-testid="import-errors" {
                caption { "Rejected rows" }
                thead { tr { th scope="col" { "Line" } th scope="col" { "Account" } th scope="col" { "Field" } th scope="col" { "Problem" } } }
                tbody {
                    @for row in rows {
                        @for fe in &row.errors {
                            tr {
                                td.num { (row.line) }
                                td { (row.account_name) }
                                td { code { (fe.field) } }
                                td { (message_text(&fe.message)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A column heading of `table`.
pub enum Col {
    Head(&'static str),
    /// Right-aligned, for numbers.
    Number(&'static str),
    /// The column of row buttons, named for screen readers only.
    Actions,
}

/// A data table `#{name}-table` (also its test id) with its column headings, in a wrapper
/// that scrolls sideways on a narrow screen.
pub fn table(name: &str, columns: &[Col], rows: Markup) -> Markup {
    let id = format!("{name}-table");
    html! {
        div.table-wrap {
            table id=(id) data-testid=(id) {
                thead {
                    tr {
                        @for c in columns {
                            @match c {
                                Col::Head(h) => th scope="col" { (h) },
                                Col::Number(h) => th.num scope="col" { (h) },
                                Col::Actions => th scope="col" { span.vh { "Actions" } },
                            }
                        }
                    }
                }
                tbody { (rows) }
            }
        }
    }
}

/// [`table`], or `none` (the note that there is nothing to list) when `empty`.
pub fn table_or(empty: bool, none: Markup, name: &str, columns: &[Col], rows: Markup) -> Markup {
    if empty {
        none
    } else {
        table(name, columns, rows)
    }
}

/// A 400 page for a request whose query or form cannot be decoded at all.
pub fn bad_request(app: &App, why: &str) -> Response {
    message_page(
        app,
        400,
        "Bad request",
        why,
        ("/", "Back to the customer list"),
    )
}

/// The decoded query pairs, or the 400 page.
pub fn query(app: &App, req: &Request) -> Result<Vec<(String, String)>, Response> {
    req.query_pairs()
        .map_err(|e| bad_request(app, &format!("The address cannot be read: {e}.")))
}

/// The decoded form pairs, or the 400 page.
pub fn form(app: &App, req: &Request) -> Result<Vec<(String, String)>, Response> {
    req.form_pairs()
        .map_err(|e| bad_request(app, &format!("The form cannot be read: {e}.")))
}

/// The first value of a key.
pub fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A form value read by a domain parser, or its default with the error noted, so that one
/// answer reports every field.
pub fn kept<T: Default>(read: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> T {
    read.unwrap_or_else(|e| {
        errors.push(e);
        T::default()
    })
}

/// A path id: a whole number, or the 404 page.
pub fn id_of(app: &App, what: &str, s: &str) -> Result<u64, Response> {
    s.parse::<u64>().map_err(|_| {
        message_page(
            app,
            404,
            "Not found",
            &format!("`{s}` is not a {what} id; ids are whole numbers."),
            ("/", "Back to the customer list"),
        )
    })
}

/// A `303` to one of our own paths with a flash code.
pub fn see_other(path: &str, done: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Response::redirect_see_other(&format!("{path}{sep}done={done}"))
}

/// The fixed sentence for a flash code; unknown codes show nothing.
pub fn flash(pairs: &[(String, String)]) -> Option<String> {
    let code = value(pairs, "done")?;
    let number = |key: &str| {
        value(pairs, key)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Some(
        match code {
            "created" => "The customer was created.",
            "saved" => "Your changes were saved.",
            "suspended" => "The customer is now suspended.",
            "reactivated" => "The customer is active again.",
            "status-unchanged" => "The customer already had that status; nothing changed.",
            "license-added" => "The license was added.",
            "license-saved" => "The license was saved.",
            "license-removed" => "The license was removed.",
            "device-added" => "The device was added.",
            "device-saved" => "The device was saved.",
            "device-removed" => "The device was removed.",
            "event-added" => "The event was added.",
            "event-resolved" => "The event was resolved.",
            "event-reopened" => "The event was reopened.",
            "event-removed" => "The event was removed.",
            "plan-added" => "The plan was added.",
            "plan-saved" => "The plan was saved.",
            "plan-removed" => "The plan was removed.",
            "template-added" => "The template was added.",
            "template-saved" => "The template was saved.",
            "template-removed" => "The template was removed.",
            "firmware-set" => "The latest firmware version was recorded.",
            "firmware-removed" => "The firmware entry was removed.",
            "message-removed" => "The message was removed from the outbox.",
            "settings-saved" => "The settings were saved.",
            "imported" => {
                return Some(format!(
                    "Import finished: {} created, {} updated, {} unchanged.",
                    number("created"),
                    number("updated"),
                    number("unchanged")
                ))
            }
            _ => return None,
        }
        .to_string(),
    )
}

/// `?a=b&c=d` for a filter (defaults left out), or an empty string.
pub fn filter_query(f: &Filter) -> String {
    let pairs = f.to_pairs();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if refs.is_empty() {
        String::new()
    } else {
        format!("?{}", build_query(&refs))
    }
}

/// A link back to the list that was shown: `back` is a filter query sent along with a form;
/// it is parsed as a filter and rebuilt, so only a valid filter ever becomes a link.
pub fn list_link(back: Option<&str>) -> String {
    match crate::web::app::listed_filter(back) {
        Ok(f) => format!("/{}", filter_query(&f)),
        Err(_) => "/".to_string(),
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    crate::domain::limits::n(n)
}

/// An RFC 3339 UTC timestamp as `2026-11-27 08:00 UTC` in a `<time>` element.
pub fn time(ts: &str) -> Markup {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(d), Some(t)) if ts.len() >= 16 => html! {
            time datetime=(ts) { span.nowrap { (d) } " " span.nowrap { (t) " UTC" } }
        },
        _ => html! { time datetime=(ts) { (ts) } },
    }
}

/// A licence status badge: red for action required, yellow for a warning.
pub fn license_badge(code: &str) -> Markup {
    license_badge_as(code, None)
}

/// A licence status badge with a `data-testid`.
pub fn license_badge_as(code: &str, testid: Option<&str>) -> Markup {
    let (class, label) = match code {
        "expired" => ("badge red", "Expired"),
        "exceeded_allocation" => ("badge red", "Exceeded allocation"),
        "expiring_soon" => ("badge yellow", "Expiring soon"),
        "normal" => ("badge green", "Normal"),
        _ => ("badge grey", "No license"),
    };
    html! { span class=(class) data-status=(code) data-testid=[testid] { (label) } }
}

/// A red "N action required" and a yellow "N warning" count, each only when non-zero, always
/// in view. The reasons behind them (in the order given) fold into a `<details>` whose summary
/// is the counts: one click, or Enter on the focused summary, opens them, without script.
pub fn counts(red: u32, yellow: u32, reasons: &[&Reason], testid: &str) -> Markup {
    let title = reasons
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let badges = html! {
        @if red > 0 {
            span.badge.red title=(title) data-count="action_required" {
                (red) " action required"
            }
            " "
        }
        @if yellow > 0 {
            span.badge.yellow title=(title) data-count="warning" {
                (yellow) @if yellow == 1 { " warning" } @else { " warnings" }
            }
        }
        @if red == 0 && yellow == 0 {
            span.none { "None" }
        }
    };
    html! {
        div.counts data-testid=(testid) {
            @if reasons.is_empty() {
                (badges)
            } @else {
                details.reasons data-testid=(format!("{testid}-reasons")) {
                    summary {
                        (badges)
                        span.vh { ", " (reasons.len()) @if reasons.len() == 1 { " reason" } @else { " reasons" } }
                    }
                    ul { @for r in reasons { (reason_item(r)) } }
                }
            }
        }
    }
}

/// One reason as a list item; its severity colours the bullet (the counts above say it in
/// words).
fn reason_item(r: &Reason) -> Markup {
    html! { li data-severity=(r.severity.code()) { (message_text(&r.text)) } }
}

/// A message of the core with its `backtick-quoted` parts shown as `<code>` (a quoted blank
/// is named, e.g. "space", so it can be seen). All text is escaped; a backtick only opens a
/// quote at the start of a word and only closes one at the end of a word, so a backtick
/// inside a quoted value stays part of it.
pub fn message_text(text: &str) -> Markup {
    html! {
        @for (quoted, part) in split_quoted(text) {
            @if !quoted {
                (part)
            } @else if part.chars().all(char::is_whitespace) {
                code.blank { (blank_name(part)) }
            } @else {
                code { (part) }
            }
        }
    }
}

/// `a `b` c` → `[(false, "a "), (true, "b"), (false, " c")]`.
fn split_quoted(text: &str) -> Vec<(bool, &str)> {
    let ticks: Vec<usize> = text.match_indices('`').map(|(i, _)| i).collect();
    let opens = |i: usize| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "([{\"'“‘".contains(c))
    };
    let closes = |i: usize| {
        text[i + 1..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || ",.;:!?)]}\"'”’".contains(c))
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut k = 0;
    while k < ticks.len() {
        let i = ticks[k];
        let close = if opens(i) {
            (k + 1..ticks.len()).find(|&m| closes(ticks[m]))
        } else {
            None
        };
        match close {
            Some(m) => {
                if start < i {
                    out.push((false, &text[start..i]));
                }
                out.push((true, &text[i + 1..ticks[m]]));
                start = ticks[m] + 1;
                k = m + 1;
            }
            None => k += 1,
        }
    }
    if start < text.len() {
        out.push((false, &text[start..]));
    }
    out
}

/// Names for a quoted run of blanks: `space`, `tab`, `U+2003`; `empty` for nothing.
fn blank_name(s: &str) -> String {
    if s.is_empty() {
        return "empty".to_string();
    }
    s.chars()
        .map(|c| match c {
            ' ' => "space".to_string(),
            '\t' => "tab".to_string(),
            '\n' => "line break".to_string(),
            '\u{a0}' => "no-break space".to_string(),
            other => format!("U+{:04X}", u32::from(other)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A plan as a choice: its name, then only what the name does not already say
/// ("Name — Product, 12 months, trial").
pub fn plan_label(p: &crate::domain::view::PlanView) -> String {
    describe_plan(
        &p.name,
        p.product,
        p.months,
        p.kind == crate::domain::model::PlanKind::Trial,
    )
}

fn describe_plan(
    name: &str,
    product: crate::domain::model::Product,
    months: u32,
    trial: bool,
) -> String {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let name_words = words(name);
    let says = |phrase: &str| {
        let phrase = words(phrase);
        !phrase.is_empty() && name_words.windows(phrase.len()).any(|w| w == phrase)
    };
    let mut extra = Vec::new();
    if ![product.name(), product.code(), product_short(product)]
        .iter()
        .any(|p| says(p))
    {
        extra.push(product.name().to_string());
    }
    if !says(&format!("{months} month")) && !says(&format!("{months} months")) {
        extra.push(if months == 1 {
            "1 month".to_string()
        } else {
            format!("{months} months")
        });
    }
    if trial && !says("trial") {
        extra.push("trial".to_string());
    }
    if extra.is_empty() {
        name.to_string()
    } else {
        format!("{name} — {}", extra.join(", "))
    }
}

/// The short label of a product (chips, the filter pane); `Product::name` is the full one.
pub fn product_short(p: crate::domain::model::Product) -> &'static str {
    use crate::domain::model::Product;
    match p {
        Product::Wfbss => "WFBS-S",
        Product::Wfbs => "WFBS",
        Product::CloudEdge => "Cloud Edge",
        Product::Hes => "HES",
        Product::Cas => "CAS",
        Product::ApexOne => "Apex One",
    }
}

/// What a rejected form keeps: which form on the page it was, the typed values and the error.
pub struct Draft {
    pub form: String,
    pub values: Vec<(String, String)>,
    pub error: Error,
}

impl Draft {
    pub fn new(form: impl Into<String>, values: Vec<(String, String)>, error: Error) -> Draft {
        Draft {
            form: form.into(),
            values,
            error,
        }
    }

    /// The typed value of a field of `form`, when this draft belongs to it and the field was
    /// sent (fields that were not sent show their stored value).
    pub fn value(&self, form: &str, name: &str) -> Option<&str> {
        if self.form == form {
            value(&self.values, name)
        } else {
            None
        }
    }

    /// The error message for a field of `form`.
    pub fn field_error(&self, form: &str, name: &str) -> Option<String> {
        if self.form != form {
            return None;
        }
        let messages: Vec<String> = field_errors(&self.error)
            .into_iter()
            .filter(|fe| fe.field == name)
            .map(|fe| fe.message)
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }
}

/// Field-level errors of an error (an invalid input or a uniqueness conflict).
pub fn field_errors(e: &Error) -> Vec<FieldError> {
    match e {
        Error::Invalid(errors) => errors.clone(),
        Error::Conflict { field, message } => vec![FieldError::new(field.clone(), message.clone())],
        _ => Vec::new(),
    }
}

/// Shorthand used by the page renderers: a field's current value (typed, or stored).
pub fn typed(draft: Option<&Draft>, form: &str, name: &str, stored: &str) -> String {
    draft
        .and_then(|d| d.value(form, name))
        .unwrap_or(stored)
        .to_string()
}

pub fn typed_error(draft: Option<&Draft>, form: &str, name: &str) -> Option<String> {
    draft.and_then(|d| d.field_error(form, name))
}

/// An error summary for a form: every field error, linked to its field.
/// `ids` maps an error's field name onto the id of the input showing it (or `None`).
pub fn error_summary(
    e: &Error,
    ids: &dyn Fn(&str) -> Option<String>,
    label: &dyn Fn(&str) -> String,
) -> Markup {
    let fields = field_errors(e);
    html! {
        div #error-summary .alert.error role="alert" tabindex="-1" data-testid="error-summary" {
            h2 { "There is a problem" }
            @if fields.is_empty() {
                p { (message_text(&e.to_string())) }
            } @else {
                ul {
                    @for fe in &fields {
                        li {
                            @match ids(&fe.field) {
                                Some(id) => a href=(format!("#{id}")) { (label(&fe.field)) ": " (message_text(&fe.message)) },
                                None => { strong { (label(&fe.field)) } ": " (message_text(&fe.message)) },
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `Field`'s builder methods: `name(text)` and `name(&'static str)` set an optional attribute,
/// `name()` turns a flag on.
macro_rules! field_setters {
    (text: $($text:ident),*; fixed: $($fixed:ident),*; flags: $($flag:ident),*;) => {
        $(pub fn $text(mut self, v: impl Into<String>) -> Field {
            self.$text = Some(v.into());
            self
        })*
        $(pub fn $fixed(mut self, v: &'static str) -> Field {
            self.$fixed = Some(v);
            self
        })*
        $(pub fn $flag(mut self) -> Field {
            self.$flag = true;
            self
        })*
    };
}

/// One labelled form control with its hint and error, accessible by `for`/`aria-describedby`.
pub struct Field {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub hint: Option<String>,
    pub required: bool,
    pub kind: &'static str,
    pub autocomplete: Option<&'static str>,
    pub min: Option<String>,
    pub max: Option<String>,
    /// The id of the `<form>` the control belongs to when it sits outside it (table rows).
    pub form: Option<String>,
    /// Label only for assistive technology (compact table cells).
    pub hidden_label: bool,
    pub readonly: bool,
    pub list: Option<&'static str>,
    pub placeholder: Option<String>,
}

impl Field {
    pub fn new(id: impl Into<String>, name: impl Into<String>, label: impl Into<String>) -> Field {
        Field {
            id: id.into(),
            name: name.into(),
            label: label.into(),
            value: String::new(),
            error: None,
            hint: None,
            required: false,
            kind: "text",
            autocomplete: None,
            min: None,
            max: None,
            form: None,
            hidden_label: false,
            readonly: false,
            list: None,
            placeholder: None,
        }
    }
    pub fn value(mut self, v: impl Into<String>) -> Field {
        self.value = v.into();
        self
    }
    pub fn error(mut self, e: Option<String>) -> Field {
        self.error = e;
        self
    }
    pub fn kind(mut self, k: &'static str) -> Field {
        self.kind = k;
        self
    }
    field_setters! {
        text: hint, min, max, form, placeholder;
        fixed: autocomplete, list;
        flags: required, hidden_label, readonly;
    }

    fn hint_id(&self) -> String {
        format!("{}-hint", self.id)
    }

    fn error_id(&self) -> String {
        format!("{}-error", self.id)
    }

    fn described_by(&self) -> Option<String> {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(self.hint_id());
        }
        if self.error.is_some() {
            ids.push(self.error_id());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn label(&self) -> Markup {
        html! {
            label for=(self.id) class=[self.hidden_label.then_some("vh")] {
                (self.label)
                @if self.required { span.req aria-hidden="true" { " *" } }
            }
        }
    }

    fn notes(&self) -> Markup {
        html! {
            @if let Some(h) = &self.hint { span.hint id=(self.hint_id()) { (h) } }
            @if let Some(e) = &self.error {
                span.field-error id=(self.error_id()) data-testid="field-error" { (message_text(e)) }
            }
        }
    }

    fn wrap(&self, control: Markup) -> Markup {
        self.wrap_class(control, "field")
    }

    fn wrap_class(&self, control: Markup, class: &str) -> Markup {
        let class = if self.error.is_some() {
            format!("{class} invalid")
        } else {
            class.to_string()
        };
        html! {
            div class=(class) {
                (self.label())
                (control)
                (self.notes())
            }
        }
    }

    /// The bare `<input>` (for table cells, where the label is hidden and the error follows).
    pub fn input_control(&self) -> Markup {
        html! {
            input id=(self.id) name=(self.name) type=(self.kind) value=(self.value)
                required[self.required] readonly[self.readonly]
                autocomplete=[self.autocomplete]
                min=[self.min.as_deref()] max=[self.max.as_deref()] form=[self.form.as_deref()]
                list=[self.list] placeholder=[self.placeholder.as_deref()]
                aria-invalid=[self.error.as_ref().map(|_| "true")]
                aria-describedby=[self.described_by()];
        }
    }

    pub fn input(&self) -> Markup {
        self.wrap(self.input_control())
    }

    /// A cell-sized input: hidden label, control, error.
    pub fn cell(&self) -> Markup {
        html! { (self.label()) (self.input_control()) (self.notes()) }
    }

    pub fn select_control(&self, options: &[(String, String)]) -> Markup {
        html! {
            select id=(self.id) name=(self.name) required[self.required] form=[self.form.as_deref()]
                aria-invalid=[self.error.as_ref().map(|_| "true")]
                aria-describedby=[self.described_by()] {
                @for (v, label) in options {
                    option value=(v) selected[*v == self.value] { (label) }
                }
            }
        }
    }

    pub fn select(&self, options: &[(String, String)]) -> Markup {
        self.wrap(self.select_control(options))
    }

    pub fn select_cell(&self, options: &[(String, String)]) -> Markup {
        html! { (self.label()) (self.select_control(options)) (self.notes()) }
    }

    pub fn textarea(&self, rows: u32) -> Markup {
        self.wrap_class(
            html! {
                textarea id=(self.id) name=(self.name) rows=(rows) required[self.required]
                    readonly[self.readonly] form=[self.form.as_deref()]
                    placeholder=[self.placeholder.as_deref()]
                    aria-invalid=[self.error.as_ref().map(|_| "true")]
                    aria-describedby=[self.described_by()] {
                    // A parser drops one newline right after `<textarea>`; this one, so that a
                    // value starting with a newline survives the round trip.
                    "\n" (self.value)
                }
            },
            "field wide",
        )
    }

    /// A check box with its label after it.
    pub fn checkbox(&self, checked: bool) -> Markup {
        html! {
            div class=(if self.error.is_some() { "check invalid" } else { "check" }) {
                input id=(self.id) name=(self.name) type="checkbox" value="yes" checked[checked]
                    form=[self.form.as_deref()]
                    aria-invalid=[self.error.as_ref().map(|_| "true")]
                    aria-describedby=[self.described_by()];
                label for=(self.id) { (self.label) }
                (self.notes())
            }
        }
    }
}

/// Owned `(value, label)` pairs from borrowed ones.
pub fn options(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times() {
        // The grouping itself is the domain's (`limits::n`), tested there.
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(
            time("2026-11-27T08:00:00Z").into_string(),
            "<time datetime=\"2026-11-27T08:00:00Z\"><span class=\"nowrap\">2026-11-27</span> <span class=\"nowrap\">08:00 UTC</span></time>"
        );
    }

    #[test]
    fn quoted_parts_of_messages() {
        let html = |s: &str| message_text(s).into_string();
        assert_eq!(
            html("must contain exactly one `@`, as in a@b.c"),
            "must contain exactly one <code>@</code>, as in a@b.c"
        );
        assert_eq!(
            html("` ` is not allowed"),
            "<code class=\"blank\">space</code> is not allowed"
        );
        assert_eq!(
            html("`` is empty"),
            "<code class=\"blank\">empty</code> is empty"
        );
        assert_eq!(
            html("the domain `<b>x`y</b>` needs a dot"),
            "the domain <code>&lt;b&gt;x`y&lt;/b&gt;</code> needs a dot"
        );
        assert_eq!(html("no quote`s here"), "no quote`s here");
        assert_eq!(html("one `open only"), "one `open only");
        assert_eq!(html("(`a`)."), "(<code>a</code>).");
        assert_eq!(html(""), "");
    }

    #[test]
    fn plan_choices_leave_out_what_the_name_says() {
        use crate::domain::model::Product;
        for (name, product, months, trial, shown) in [
            (
                "Apex One SaaS Trial (1 month)",
                Product::ApexOne,
                1,
                true,
                "Apex One SaaS Trial (1 month)",
            ),
            (
                "Standard",
                Product::Wfbss,
                1,
                true,
                "Standard — Worry-Free Business Security Services, 1 month, trial",
            ),
            (
                "WFBS-S Promo 6 months",
                Product::Wfbss,
                6,
                false,
                "WFBS-S Promo 6 months",
            ),
            // `WFBS` is not `WFBS-S`, and `12 months` does not say `2 months`.
            (
                "WFBS-S Legacy 12 months",
                Product::Wfbs,
                2,
                false,
                "WFBS-S Legacy 12 months — Worry-Free Business Security, 2 months",
            ),
            ("HES Full", Product::Hes, 12, false, "HES Full — 12 months"),
        ] {
            assert_eq!(describe_plan(name, product, months, trial), shown);
        }
    }

    #[test]
    fn back_links_are_rebuilt_filters() {
        assert_eq!(
            list_link(Some("q=a%20b&sort=-company")),
            "/?q=a%20b&sort=-company"
        );
        assert_eq!(list_link(Some("javascript:alert(1)")), "/");
        assert_eq!(list_link(Some("//evil.example")), "/");
        assert_eq!(list_link(None), "/");
    }
}
