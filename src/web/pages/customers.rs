//! The Customers screen: the list with its filter pane, task buttons, sorting and paging, and
//! the two exports.

use super::layout::{self, counts, document, filter_query, thousands, time, Nav, Reply};
use crate::domain::derive::{Reason, ReasonKind};
use crate::domain::error::Error;
use crate::domain::filter::{Filter, Sort, SortKey, MAX_LIMIT};
use crate::domain::model::{AccountType, CustomerStatus, LicenseFilter, Product, Severity, View};
use crate::domain::view::{CustomerView, Page};
use crate::tasks::bulk::Selection;
use crate::tasks::csv::ExportOptions;
use crate::web::app::{filter_from_pairs, form_selection, yes_no, App};
use crate::web::http::{build_query, Request, Response};
use maud::{html, Markup};

/// The task buttons of the list, in the order of the vendor console: (task, label, id).
const TASKS: &[(&str, &str)] = &[
    ("delete", "Delete"),
    ("assign-template", "Assign Template"),
    ("deploy-policy", "Policy Settings"),
    ("update-firmware", "Update Firmware"),
    ("renew", "Renew License"),
    ("suspend", "Suspend"),
    ("reactivate", "Reactivate"),
];

pub fn list(app: &App, req: &Request) -> Reply {
    let pairs = layout::query(app, req)?;
    let filter = filter_from_pairs(&pairs).map_err(|e| bad_filter(app, &e, &pairs))?;
    let page = app
        .desk
        .list(&filter)
        .map_err(layout::failed(app, ("/", "Back to the customer list")))?;
    let view = app.desk.settings().map(|s| s.view).unwrap_or(View::All);
    let select_all = layout::value(&pairs, "select") == Some("all");
    let flash = layout::flash(&pairs);
    let body = html! {
        div.list-layout {
            section.list-main aria-labelledby="list-heading" {
                div.list-head {
                    h1 #list-heading { "Customers" }
                    (summary_line(&page, view, &filter))
                }
                (filter_chips(&filter))
                @if let Some(warning) = crate::domain::check::unreadable_warning(&page.unreadable) {
                    div.alert.error role="alert" data-testid="unreadable" {
                        p { (layout::message_text(&warning)) " " a href="/check" { "Check the stored records" } }
                    }
                }
                (list_form(&page, &filter, select_all))
                (paging(&page, &filter))
            }
            (filter_pane(&filter))
        }
    };
    let skips = [
        ("#filters", "Skip to the filter"),
        ("#customer-list", "Skip to the customer list"),
    ];
    Ok(layout::html(
        200,
        layout::document_with_skips(
            app,
            "Customers",
            Nav::Customers,
            flash.as_deref(),
            &skips,
            body,
        ),
    ))
}

/// The filter keys the pane has no control for (links from the runway page), each as a chip
/// that names it in words and links to the same list without it.
fn filter_chips(filter: &Filter) -> Markup {
    let mut chips = Vec::new();
    if let Some(m) = filter.expires {
        let without = Filter {
            expires: None,
            offset: 0,
            ..filter.clone()
        };
        chips.push(("expires", format!("Licences expiring {m}"), without));
    }
    if let Some(c) = filter.category {
        let without = Filter {
            category: None,
            offset: 0,
            ..filter.clone()
        };
        chips.push((
            "category",
            format!("Needs attention: {}", c.label()),
            without,
        ));
    }
    if chips.is_empty() {
        return html! {};
    }
    html! {
        ul.filter-chips aria-label="Also filtered by" data-testid="filter-chips" {
            @for (key, label, without) in &chips {
                li {
                    a.filter-chip href=(format!("/{}", filter_query(without))) data-testid=(format!("chip-{key}")) {
                        (label) span aria-hidden="true" { " ×" } span.vh { " (remove this filter)" }
                    }
                }
            }
        }
    }
}

/// 400 for filter values the grammar refuses, naming each field, with a link to the same
/// list without the bad keys.
fn bad_filter(app: &App, e: &Error, pairs: &[(String, String)]) -> Response {
    let bad: Vec<String> = layout::field_errors(e)
        .into_iter()
        .map(|fe| fe.field)
        .collect();
    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !bad.contains(k))
        .cloned()
        .collect();
    let back = match filter_from_pairs(&kept) {
        Ok(f) => format!("/{}", filter_query(&f)),
        Err(_) => "/".to_string(),
    };
    let body = html! {
        h1 { "This filter cannot be used" }
        p.lead { "The address asks for a filter value the customer list does not know:" }
        (layout::error_block(e))
        p { a href=(back) data-testid="back-link" { "Show the list without the bad filter values" } }
    };
    layout::html(400, document(app, "Bad filter", Nav::Customers, None, body))
}

fn summary_line(page: &Page, view: View, filter: &Filter) -> Markup {
    let start = if page.items.is_empty() {
        0
    } else {
        page.offset + 1
    };
    let end = page.offset + page.items.len();
    html! {
        p.summary #result-count data-testid="result-count" aria-live="polite" {
            @if page.total == 0 {
                "No customers match."
            } @else {
                "Showing " (thousands(start)) "–" (thousands(end)) " of " (thousands(page.total))
                @if page.total == 1 { " customer" } @else { " customers" }
            }
            @if !filter.is_unfiltered() {
                " (filtered · " a href="/" { "clear filter" } ")"
            }
            @if view == View::Managed {
                " · View: managed customers only ("
                a href="/settings" { "change" }
                ")"
            }
            span #selected-count .selected-count {}
        }
    }
}

fn list_form(page: &Page, filter: &Filter, select_all: bool) -> Markup {
    let back = filter.to_pairs();
    let back_refs: Vec<(&str, &str)> = back.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let back = build_query(&back_refs);
    let export_all = format!(
        "/export.csv{}",
        filter_query(&Filter {
            limit: Filter::default().limit,
            offset: 0,
            ..filter.clone()
        })
    );
    let select_link = {
        let mut pairs = back_refs.clone();
        if !select_all {
            pairs.push(("select", "all"));
        }
        if pairs.is_empty() {
            "/".to_string()
        } else {
            format!("/?{}", build_query(&pairs))
        }
    };
    html! {
        form #list-form method="post" action="/tasks/delete" data-testid="list-form" {
            input type="hidden" name="back" value=(back);
            div.toolbar aria-label="Tasks" role="group" {
                a.button.primary #task-new-customer href="/customers/new" { "New Customer" }
                @for (task, label) in TASKS {
                    button type="submit" id=(format!("task-{task}")) formaction=(format!("/tasks/{task}"))
                        data-task=(task) data-needs-selection { (label) }
                }
                button type="submit" #task-export formaction="/export" data-needs-selection { "Export" }
                a.button #task-export-all href=(export_all) { "Export All" }
                button type="submit" #task-export-excel formaction="/export" name="excel" value="yes"
                    data-needs-selection { "Export for Excel" }
                a.button #task-export-all-excel href=(excel_link(&export_all)) { "Export All for Excel" }
                a.button #task-settings href="/settings" { "Settings" }
            }
            p.hint #tasks-hint {
                "Tick customers, then choose a task: you will see a preview of who is affected before anything changes. "
                "Export All exports every customer the current filter shows. "
                "The Excel variants add the byte-order mark and line ends Excel expects."
            }
            @if page.total > page.items.len() {
                p.select-matching #select-matching-box hidden[!select_all] data-testid="select-matching" {
                    input type="checkbox" name="match" value="all" #select-matching
                        data-total=(thousands(page.total));
                    " "
                    label for="select-matching" {
                        "Select all " strong { (thousands(page.total)) } " customers matching this filter, not only the "
                        (page.items.len()) " shown"
                    }
                }
            }
            @if page.items.is_empty() {
                div.empty #customer-list tabindex="-1" data-testid="empty-list" {
                    @if filter.is_unfiltered() && page.offset == 0 {
                        p { "There are no customers yet." }
                        p { a href="/customers/new" { "Add a customer" } " or " a href="/import" { "import a CSV file" } "." }
                    } @else {
                        p { "No customers match this filter." }
                        p { a href="/" { "Show all customers" } }
                    }
                }
            } @else {
                div.table-wrap #customer-list tabindex="-1" {
                    table #customers .customers data-testid="customer-table" {
                        caption.vh { "Customers" }
                        thead {
                            tr {
                                th scope="col" .select {
                                    input #select-all type="checkbox" hidden aria-label="Select all shown"
                                        data-testid="select-all" checked[select_all];
                                    a #select-all-link href=(select_link) data-testid="select-all-link" {
                                        @if select_all { "Clear selection" } @else { "Select all shown" }
                                    }
                                }
                                (sort_header(filter, "Company", Some((SortKey::Company, false))))
                                th scope="col" { "Contact person" }
                                th scope="col" { "Phone" }
                                th scope="col" { "Products" }
                                (sort_header(filter, "Threat & system events", Some((SortKey::Attention, true))))
                                (sort_header(filter, "License events", Some((SortKey::NextExpiry, false))))
                                (sort_header(filter, "Last transaction", Some((SortKey::LastTransaction, true))))
                            }
                        }
                        tbody {
                            @for c in &page.items { (row(c, select_all)) }
                        }
                    }
                }
            }
        }
    }
}

/// A column header; sortable ones link to the same list sorted by their key (toggling the
/// direction when already sorted by it). `first_descending` picks the first click's direction.
fn sort_header(filter: &Filter, label: &str, key: Option<(SortKey, bool)>) -> Markup {
    let Some((key, first_descending)) = key else {
        return html! { th scope="col" { (label) } };
    };
    let active = filter.sort.key == key;
    let next = Sort {
        key,
        descending: if active {
            !filter.sort.descending
        } else {
            first_descending
        },
    };
    let href = format!(
        "/{}",
        filter_query(&Filter {
            sort: next,
            offset: 0,
            ..filter.clone()
        })
    );
    let aria_sort = active.then_some(if filter.sort.descending {
        "descending"
    } else {
        "ascending"
    });
    let direction = if next.descending {
        "descending"
    } else {
        "ascending"
    };
    html! {
        th scope="col" aria-sort=[aria_sort] {
            a.sort href=(href) data-testid=(format!("sort-{}", key.code())) {
                (label)
                span.vh { ", sort " (direction) }
                @if active {
                    span.arrow aria-hidden="true" { @if filter.sort.descending { " ▼" } @else { " ▲" } }
                }
            }
        }
    }
}

/// Splits the attention reasons onto the two columns (the rest, and licence reasons), each
/// with those that need action first.
fn reasons(c: &CustomerView) -> (Vec<&Reason>, Vec<&Reason>) {
    let of = |kind| {
        let mut list: Vec<&Reason> = c
            .attention_reasons
            .iter()
            .filter(|r| r.kind == kind)
            .collect();
        list.sort_by_key(|r| r.severity != Severity::ActionRequired);
        list
    };
    (of(ReasonKind::ThreatSystem), of(ReasonKind::License))
}

/// The row marker: red when something needs action, yellow for warnings only.
fn attention_class(c: &CustomerView) -> Option<&'static str> {
    if c.threat_system_action_required + c.license_action_required > 0 {
        Some("attention-red")
    } else if c.needs_attention {
        Some("attention-yellow")
    } else {
        None
    }
}

fn row(c: &CustomerView, checked: bool) -> Markup {
    let (system, license) = reasons(c);
    let select_id = format!("select-{}", c.id);
    html! {
        tr data-testid="customer-row" data-id=(c.id) class=[attention_class(c)] {
            td.select {
                input type="checkbox" name="ids" value=(c.id) id=(select_id) checked[checked]
                    data-testid=(select_id);
                label.vh for=(select_id) { "Select " (c.company) }
            }
            th scope="row" .company {
                a.clip href=(format!("/customers/{}", c.id)) data-testid="customer-link" { (c.company) }
                div.account.clip {
                    span.nowrap { (c.account_name) } " · " (c.account_type.code())
                    @if c.status == CustomerStatus::Suspended {
                        " " span.badge.grey { "Suspended" }
                    }
                }
            }
            td.contact {
                span.clip { (c.contact_first_name) " " (c.contact_last_name) }
                div.email.clip { (email(&c.email)) }
            }
            td.phone { (c.phone) }
            td.product-cell {
                @if c.products.is_empty() {
                    span.none { "None" }
                } @else {
                    ul.products { @for p in chip_order(&c.products) { li { (product_chip(p)) } } }
                }
            }
            td.events { (counts(c.threat_system_action_required, c.threat_system_warning, &system, "system-events")) }
            td.events {
                (counts(c.license_action_required, c.license_warning, &license, "license-events"))
                @if let Some(d) = &c.next_expiry {
                    div.muted { "Next expiry " span.nowrap { (d) } }
                }
            }
            td.when { (time(&c.last_transaction)) }
        }
    }
}

fn paging(page: &Page, filter: &Filter) -> Markup {
    if page.total <= page.limit && page.offset == 0 {
        return html! {};
    }
    let at = |offset: usize| {
        format!(
            "/{}",
            filter_query(&Filter {
                offset,
                ..filter.clone()
            })
        )
    };
    let last_offset = if page.total == 0 {
        0
    } else {
        (page.total - 1) / page.limit * page.limit
    };
    let prev = (page.offset > 0).then(|| page.offset.saturating_sub(page.limit));
    let next = (page.offset + page.limit < page.total).then_some(page.offset + page.limit);
    let current = page.offset / page.limit + 1;
    let pages = page.total.div_ceil(page.limit).max(1);
    html! {
        nav.paging aria-label="Pages" data-testid="paging" {
            @if let Some(p) = prev {
                a href=(at(0)) data-testid="page-first" { "« First" }
                a href=(at(p)) rel="prev" data-testid="page-prev" { "‹ Previous" }
            }
            span.page-of { "Page " (thousands(current)) " of " (thousands(pages)) }
            @if let Some(n) = next {
                a href=(at(n)) rel="next" data-testid="page-next" { "Next ›" }
                a href=(at(last_offset)) data-testid="page-last" { "Last »" }
            }
        }
    }
}

fn filter_pane(f: &Filter) -> Markup {
    let any = |label: &str| (String::new(), label.to_string());
    let mut account = vec![any("Any")];
    account.extend(
        AccountType::ALL
            .iter()
            .map(|t| (t.code().to_ascii_lowercase(), t.code().to_string())),
    );
    let mut status = vec![any("Any")];
    status.extend(
        CustomerStatus::ALL
            .iter()
            .map(|s| (s.code().to_string(), capitalise(s.code()))),
    );
    let mut license = vec![any("Any")];
    license.extend(LicenseFilter::ALL.iter().map(|l| {
        let label = match l {
            LicenseFilter::Expired => "Expired",
            LicenseFilter::ExceededAllocation => "Exceeded allocation",
            LicenseFilter::ExpiringSoon => "Expiring soon",
            LicenseFilter::Normal => "Normal",
            LicenseFilter::None => "No licenses",
        };
        (l.code().to_string(), label.to_string())
    }));
    let yes_no = vec![
        any("Any"),
        ("yes".to_string(), "Yes".to_string()),
        ("no".to_string(), "No".to_string()),
    ];
    let mut sorts = Vec::new();
    for key in SortKey::ALL {
        // Short enough for the narrow pane: the direction in plain words.
        let (up, down) = match key {
            SortKey::Company => ("Company, A–Z", "Company, Z–A"),
            SortKey::AccountName => ("Account name, A–Z", "Account name, Z–A"),
            SortKey::NextExpiry => ("Next expiry, soonest", "Next expiry, latest"),
            SortKey::LastTransaction => ("Last transaction, oldest", "Last transaction, newest"),
            SortKey::Attention => ("Attention, least first", "Attention, most first"),
        };
        sorts.push((key.code().to_string(), up.to_string()));
        sorts.push((format!("-{}", key.code()), down.to_string()));
    }
    let yn = |b: Option<bool>| {
        b.map_or(
            String::new(),
            |b| if b { "yes".into() } else { "no".into() },
        )
    };
    let select = |id: &str, name: &str, label: &str, value: String, opts: &[(String, String)]| {
        layout::Field::new(id, name, label)
            .value(value)
            .select(opts)
    };
    html! {
        // Open beside the list on wide screens (the stylesheet shows the contents whether the
        // box is open or not and hides its summary); folded above the list on narrow ones.
        aside.filters #filters tabindex="-1" aria-labelledby="filter-heading" {
            h2 #filter-heading { "Filter" }
            details.filter-box {
                summary { span { "Filter" } span.hint { "Search, account type, products, status, sorting" } }
                form #filter-form method="get" action="/" role="search" data-testid="filter-form" {
                    @if let Some(m) = f.expires { input type="hidden" name="expires" value=(m.to_string()); }
                    @if let Some(c) = f.category { input type="hidden" name="category" value=(c.code()); }
                    (layout::Field::new("filter-q", "q", "Search")
                        .value(f.q.clone().unwrap_or_default())
                        .kind("search")
                        .hint("Company, account, contact, email or phone")
                        .input())
                    div.pair {
                        (select("filter-account_type", "account_type", "Account type",
                            f.account_type.map(|t| t.code().to_ascii_lowercase()).unwrap_or_default(), &account))
                        (select("filter-status", "status", "Status",
                            f.status.map(|s| s.code().to_string()).unwrap_or_default(), &status))
                    }
                    fieldset.products-filter {
                        legend { "Products" }
                        ul.check-grid {
                            @for p in Product::ALL {
                                @let id = format!("filter-product-{}", p.code());
                                @let short = layout::product_short(*p);
                                li.check {
                                    input type="checkbox" name="product" value=(p.code()) id=(id)
                                        checked[f.products.contains(p)];
                                    label for=(id) title=(p.name()) {
                                        (short)
                                        @if short != p.name() { span.vh { " – " (p.name()) } }
                                    }
                                }
                            }
                        }
                    }
                    (select("filter-license", "license", "License status",
                        f.license.map(|l| l.code().to_string()).unwrap_or_default(), &license))
                    div.pair {
                        (select("filter-attention", "attention", "Needs attention", yn(f.attention), &yes_no))
                        (select("filter-managed", "managed", "Managed", yn(f.managed), &yes_no))
                    }
                    (select("filter-sort", "sort", "Sort by", f.sort.code(), &sorts))
                    (layout::Field::new("filter-limit", "limit", "Rows per page")
                        .value(f.limit.to_string())
                        .kind("number")
                        .min("1")
                        .max(MAX_LIMIT.to_string())
                        .input())
                    div.actions.apply {
                        button.primary type="submit" #filter-apply { "Apply filter" }
                        a.button #filter-reset href="/" { "Reset" }
                    }
                }
                h3 { "Quick views" }
                ul.quick data-testid="quick-views" {
                    li { a href="/?attention=yes&sort=-attention" { "Needs attention" } }
                    li { a href="/?license=expired" { "Expired licenses" } }
                    li { a href="/?license=expiring_soon&sort=next_expiry" { "Expiring soon" } }
                    li { a href="/?status=suspended" { "Suspended" } }
                }
            }
        }
    }
}

/// Product names in the order of `Product::ALL` (the filter pane's order), unknown ones last.
fn chip_order<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut sorted = names.to_vec();
    sorted.sort_by_key(|n| {
        Product::ALL
            .iter()
            .position(|p| p.name() == *n)
            .unwrap_or(usize::MAX)
    });
    sorted
}

/// A product as a short chip (its code); the full name is its `title` and what a screen
/// reader reads.
fn product_chip(name: &str) -> Markup {
    let product = Product::ALL.iter().find(|p| p.name() == name);
    let short = match product {
        Some(Product::Wfbss) => "WFBS-S",
        Some(Product::Wfbs) => "WFBS",
        Some(Product::CloudEdge) => "CE",
        Some(Product::Hes) => "HES",
        Some(Product::Cas) => "CAS",
        Some(Product::ApexOne) => "A1",
        None => name,
    };
    html! {
        span.chip title=(name) data-product=[product.map(|p| p.code())] {
            span aria-hidden="true" { (short) }
            span.vh { (name) }
        }
    }
}

/// An email address that may wrap before its `@`, and nowhere else.
fn email(address: &str) -> Markup {
    match address.find('@') {
        Some(at) if at > 0 => html! {
            span.part { (&address[..at]) } wbr; span.part { (&address[at..]) }
        },
        _ => html! { span.part { (address) } },
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `POST /export` with selected `ids`: those customers as CSV.
pub fn export_selected(app: &App, req: &Request) -> Reply {
    let pairs = layout::form(app, req)?;
    let back = layout::list_link(layout::value(&pairs, "back"));
    let selection = match form_selection(&pairs) {
        Ok(Some(selection)) => selection,
        Ok(None) => return Err(no_selection(app, "Export", &back)),
        Err(e) => {
            return Err(layout::error_page(
                app,
                &e,
                (&back, "Back to the customer list"),
            ))
        }
    };
    csv(app, &selection, &pairs, &back)
}

/// `GET /export.csv?FILTER`: every customer the filter and the view setting show ("Export All").
pub fn export_all(app: &App, req: &Request) -> Reply {
    let pairs = layout::query(app, req)?;
    let f = filter_from_pairs(&pairs).map_err(|e| bad_filter(app, &e, &pairs))?;
    let back = format!("/{}", filter_query(&f));
    csv(app, &Selection::Filter(f.unpaged()), &pairs, &back)
}

/// An Export All link asking for the Excel variant.
fn excel_link(export_all: &str) -> String {
    let joiner = if export_all.contains('?') { '&' } else { '?' };
    format!("{export_all}{joiner}excel=yes")
}

/// The export as CSV; `excel=yes` asks for the spreadsheet variant (`export --excel`).
fn csv(app: &App, selection: &Selection, pairs: &[(String, String)], back: &str) -> Reply {
    let back = (back, "Back to the customer list");
    let opts = ExportOptions {
        raw: false,
        excel: yes_no(pairs, "excel").map_err(layout::failed(app, back))?,
    };
    let mut out = Vec::new();
    let done = app
        .desk
        .export_csv(selection, opts, &mut out)
        .map_err(layout::failed(app, back))?;
    Ok(crate::web::app::csv_download(out, &done))
}

/// The page for a task or export started with no customer ticked.
pub fn no_selection(app: &App, task: &str, back: &str) -> Response {
    let body = html! {
        h1 { "No customers selected" }
        p.lead data-testid="message" {
            (task) " needs at least one customer. Tick the check boxes of the customers in the list "
            "(or use “Select all shown”), then choose the task again."
        }
        p { a href=(back) data-testid="back-link" { "Back to the customer list" } }
    };
    layout::html(
        400,
        document(app, "No customers selected", Nav::Customers, None, body),
    )
}
