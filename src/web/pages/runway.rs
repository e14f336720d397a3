//! `GET /runway`: the renewal runway as server-rendered SVG (no script, nothing external) with
//! the same figures as a table. Every bar and every count links to the customer list filtered
//! to exactly the customers it counts.

use super::layout::Col::{Head, Number};
use super::layout::{self, Nav, Reply};
use crate::domain::runway::{Period, Runway};
use crate::web::app::App;
use maud::{html, Markup, PreEscaped};

const BACK: (&str, &str) = ("/", "Back to the customer list");

/// Chart geometry, in SVG user units (the chart scales to its box).
const BAR: u32 = 52;
const GAP: u32 = 12;
const PLOT: u32 = 160;
const TOP: u32 = 24;
const BOTTOM: u32 = 56;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2027-03` → (`Mar`, `2027`); `expired` → (`Expired`, ``).
fn period_label(p: &Period) -> (String, String) {
    match p.period.split_once('-') {
        Some((year, month)) => {
            let m = month.parse::<usize>().unwrap_or(1).clamp(1, 12);
            (MONTHS[m - 1].to_string(), year.to_string())
        }
        None => ("Expired".to_string(), String::new()),
    }
}

fn link(p_filter: &str) -> String {
    format!("/?{p_filter}")
}

fn describe(p: &Period) -> String {
    let (month, year) = period_label(p);
    let when = if year.is_empty() {
        "Already expired".to_string()
    } else {
        format!("{month} {year}")
    };
    format!(
        "{when}: {} licences, {} units, {} customers",
        layout::thousands(p.licenses as usize),
        layout::thousands(p.units as usize),
        layout::thousands(p.customers as usize)
    )
}

/// The runway as bars: height by units, the expired bar first and marked.
fn chart(r: &Runway) -> Markup {
    let periods: Vec<&Period> = std::iter::once(&r.expired).chain(&r.months).collect();
    let most = periods.iter().map(|p| p.units).max().unwrap_or(0).max(1);
    let width = periods.len() as u32 * (BAR + GAP) + GAP;
    let height = TOP + PLOT + BOTTOM;
    let view_box = format!("0 0 {width} {height}");
    html! {
        svg.chart viewBox=(view_box) role="group" aria-labelledby="runway-heading"
            data-testid="runway-chart" xmlns="http://www.w3.org/2000/svg" {
            line.axis x1="0" y1=(TOP + PLOT) x2=(width) y2=(TOP + PLOT) {}
            @for (i, p) in periods.iter().enumerate() {
                @let x = GAP + i as u32 * (BAR + GAP);
                @let h = ((p.units as f64 / most as f64) * PLOT as f64).round() as u32;
                @let h = if p.units > 0 { h.max(2) } else { 0 };
                @let (month, year) = period_label(p);
                a href=(link(&p.filter)) data-testid="runway-bar"
                    data-period=(p.period) {
                    title { (describe(p)) }
                    rect.bar.expired[i == 0] x=(x) y=(TOP + PLOT - h) width=(BAR) height=(h) {}
                    // A transparent target over the whole column, so a short bar is easy to hit.
                    rect.hit x=(x) y=(TOP) width=(BAR) height=(PLOT) {}
                    text.value x=(x + BAR / 2) y=(TOP + PLOT - h - 6) text-anchor="middle" {
                        (layout::thousands(p.units as usize))
                    }
                    text.label x=(x + BAR / 2) y=(TOP + PLOT + 16) text-anchor="middle" { (month) }
                    text.label.year x=(x + BAR / 2) y=(TOP + PLOT + 32) text-anchor="middle" { (year) }
                    text.label.count x=(x + BAR / 2) y=(TOP + PLOT + 50) text-anchor="middle" {
                        (layout::thousands(p.customers as usize)) " cust."
                    }
                }
            }
        }
    }
}

/// Attention by category as horizontal bars, each linking to its customers.
fn attention(r: &Runway) -> Markup {
    let most = r
        .attention
        .iter()
        .map(|c| c.customers)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, plot_w, row_h) = (300u32, 360u32, 30u32);
    let height = r.attention.len() as u32 * row_h + 8;
    let view_box = format!("0 0 {} {height}", label_w + plot_w + 80);
    html! {
        svg.chart.categories viewBox=(view_box) role="group" aria-labelledby="attention-heading"
            data-testid="attention-chart" xmlns="http://www.w3.org/2000/svg" {
            @for (i, c) in r.attention.iter().enumerate() {
                @let y = 4 + i as u32 * row_h;
                @let w = ((c.customers as f64 / most as f64) * plot_w as f64).round() as u32;
                @let w = if c.customers > 0 { w.max(2) } else { 0 };
                @let text = format!("{}: {} customers", c.category.label(), layout::thousands(c.customers as usize));
                a href=(link(&c.filter)) data-testid="attention-bar"
                    data-category=(c.category.code()) {
                    title { (text) }
                    text.label x=(label_w - 8) y=(y + 19) text-anchor="end" { (c.category.label()) }
                    rect.bar.action[c.category.code().ends_with("action_required")]
                        x=(label_w) y=(y + 4) width=(w) height=(row_h - 10) {}
                    rect.hit x="0" y=(y) width=(label_w + plot_w) height=(row_h) {}
                    text.value x=(label_w + w + 6) y=(y + 19) { (layout::thousands(c.customers as usize)) }
                }
            }
        }
    }
}

fn table(r: &Runway) -> Markup {
    let rows = html! {
        @for p in std::iter::once(&r.expired).chain(&r.months) {
            @let (month, year) = period_label(p);
            tr data-testid="runway-row" data-period=(p.period) {
                th scope="row" { (month) " " (year) }
                td.num { (layout::thousands(p.licenses as usize)) }
                td.num { (layout::thousands(p.units as usize)) }
                td.num {
                    a href=(link(&p.filter)) data-testid="runway-customers" {
                        (layout::thousands(p.customers as usize))
                    }
                }
            }
        }
    };
    layout::table(
        "runway",
        &[
            Head("Expiry"),
            Number("Licences"),
            Number("Units"),
            Number("Customers"),
        ],
        rows,
    )
}

pub fn page(app: &App) -> Reply {
    let r = app.desk.runway().map_err(layout::failed(app, BACK))?;
    let body = html! {
        h1 { "Renewal runway" }
        p.lead {
            "Licences that have expired, and those that expire in each of the next twelve months, among the "
            (layout::thousands(r.customers as usize)) " customers the view setting shows. "
            "Choose a bar or a count to list those customers."
        }
        section aria-labelledby="runway-heading" {
            h2 #runway-heading { "Licence units and customers by expiry month" }
            p.hint { "Bar height: licence units. Under each month: the customers holding them." }
            div.chart-box { (chart(&r)) }
            details {
                summary { "The same figures as a table" }
                (table(&r))
            }
        }
        section aria-labelledby="attention-heading" {
            h2 #attention-heading { "Customers needing attention, by category" }
            div.chart-box { (attention(&r)) }
        }
        p { a href="/" { (PreEscaped("&larr; ")) "Back to the customer list" } }
    };
    layout::page(app, 200, "Renewal runway", Nav::Runway, None, body)
}
