//! Text for people: aligned tables and the renderings of the core's views. Every value that
//! came from a user passes through [`clean`], so no stored text can move the cursor, clear
//! the screen or break a table row.

use crate::domain::model::Product;
use crate::domain::runway::Runway;
use crate::domain::view::*;
use crate::tasks::bulk::{BulkReport, Outcome};
use crate::tasks::runs::RunRecord;
use std::fmt::Write as _;

/// Makes text safe and single-line for a table cell: line breaks become `↵`, tabs a space,
/// other control characters `\u{..}` escapes (a terminal must never receive them raw).
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push('↵'),
            '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Like [`clean`] but keeps line breaks: for multi-line text shown as a block (notes, mail).
pub fn clean_block(s: &str) -> String {
    s.replace("\r\n", "\n")
        .split('\n')
        .map(clean)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Explicit direction overrides could reorder what a terminal shows (Trojan Source).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Display columns of a character in a terminal (0 for combining marks, 2 for wide East
/// Asian characters and emoji), by the Unicode tables of the `unicode-width` crate.
fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Shortens text to at most `max` columns, marking the cut with `…`.
pub fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A table with a header row; columns are two spaces apart, the last one is not padded.
pub struct Table {
    headers: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            right: vec![false; headers.len()],
            rows: Vec::new(),
        }
    }

    /// Right-aligns the named columns (numbers).
    pub fn right(mut self, columns: &[&str]) -> Table {
        for (i, h) in self.headers.iter().enumerate() {
            if columns.contains(h) {
                self.right[i] = true;
            }
        }
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.iter().map(|c| clean(c)).collect());
    }

    /// A table of what customers hold (devices, events, outbox messages): the thing's ID and
    /// its CUSTOMER lead, right-aligned, then `columns`.
    pub fn held(columns: &[&'static str]) -> Table {
        let headers = [&["ID", "CUSTOMER"], columns].concat();
        Table::new(&headers).right(&["ID", "CUSTOMER"])
    }

    /// A row of a `held` table: the thing's id, its customer's, then `cells`.
    pub fn held_row<const N: usize>(&mut self, id: u64, customer: u64, cells: [String; N]) {
        let lead = [id.to_string(), customer.to_string()];
        self.row(lead.into_iter().chain(cells).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders the table, fitted to the terminal's width when standard output is one.
    pub fn render(&self, out: &mut String) {
        self.render_within(out, terminal_width());
    }

    /// Renders the table; with `max` columns, the widest text columns are cut (`…`) until
    /// every line fits.
    pub fn render_within(&self, out: &mut String, max: Option<usize>) {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(width(c));
            }
        }
        if let Some(max) = max {
            self.fit(&mut widths, max);
        }
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for r in std::iter::once(&header).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, &w) in widths.iter().enumerate() {
                let full = r.get(i).map_or("", String::as_str);
                let clipped = clip(full, w);
                let cell = clipped.as_str();
                let pad = w.saturating_sub(width(cell));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right[i] {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if i + 1 < n {
                        line.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }

    /// Narrows the widest text column, one column at a time, until the table fits in `max`
    /// columns or every text column is down to its header (numbers are never cut).
    fn fit(&self, widths: &mut [usize], max: usize) {
        let gaps = 2 * widths.len().saturating_sub(1);
        let floor = |i: usize| width(self.headers[i]).max(MIN_COLUMN);
        while widths.iter().sum::<usize>() + gaps > max {
            let widest = (0..widths.len())
                .filter(|&i| !self.right[i] && widths[i] > floor(i))
                .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
}

/// No text column is cut narrower than this (or its header).
const MIN_COLUMN: usize = 6;

/// The terminal's width in columns when standard output is a terminal, else `None` (pipes
/// and files get whole lines). `COLUMNS` overrides what the terminal reports.
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return Some(n).filter(|&n: &usize| n > 0);
    }
    // SAFETY: TIOCGWINSZ only writes the `winsize` we pass.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// `2026-11-27T08:00:00Z` → `2026-11-27 08:00`.
pub fn short_time(t: &str) -> String {
    if t.len() >= 16 && t.as_bytes()[10] == b'T' {
        format!("{} {}", &t[..10], &t[11..16])
    } else {
        t.to_string()
    }
}

fn product_codes(v: &CustomerView) -> String {
    let codes: Vec<&str> = Product::ALL
        .iter()
        .filter(|p| v.products.contains(&p.name()))
        .map(|p| p.code())
        .collect();
    if codes.is_empty() {
        "-".into()
    } else {
        codes.join(",")
    }
}

/// `!  E 1/2  L 0/1`: the attention marker and the counts (action required / warning).
fn attention(v: &CustomerView) -> String {
    if !v.needs_attention {
        return String::new();
    }
    let mut parts = vec!["!".to_string()];
    if v.threat_system_action_required + v.threat_system_warning > 0 {
        parts.push(format!(
            "E{}/{}",
            v.threat_system_action_required, v.threat_system_warning
        ));
    }
    if v.license_action_required + v.license_warning > 0 {
        parts.push(format!(
            "L{}/{}",
            v.license_action_required, v.license_warning
        ));
    }
    parts.join(" ")
}

pub fn customer_page(page: &Page) -> String {
    let mut out = String::new();
    if page.items.is_empty() {
        if page.total == 0 {
            out.push_str(
                "no customers match; loosen the filters or `clientele list` without filters\n",
            );
        } else {
            let _ = writeln!(
                out,
                "no customers on this page: {} match, and --offset {} skips them all; use a smaller --offset",
                page.total, page.offset
            );
        }
        return out;
    }
    let mut t = Table::new(&[
        "ID",
        "COMPANY",
        "ACCOUNT",
        "TYPE",
        "STATUS",
        "PRODUCTS",
        "LICENCE",
        "NEXT EXPIRY",
        "ATTENTION",
        "LAST TRANSACTION",
    ])
    .right(&["ID"]);
    for v in &page.items {
        t.row(vec![
            v.id.to_string(),
            clip(&clean(&v.company), 40),
            v.account_name.clone(),
            v.account_type.to_string(),
            v.status.to_string(),
            product_codes(v),
            v.license_status.to_string(),
            v.next_expiry.clone().unwrap_or_else(|| "-".into()),
            attention(v),
            short_time(&v.last_transaction),
        ]);
    }
    t.render(&mut out);
    let first = page.offset + 1;
    let last = page.offset + page.items.len();
    let _ = write!(out, "showing {first}–{last} of {}", page.total);
    if last < page.total {
        let _ = write!(out, "; next page: --offset {last}");
    }
    out.push('\n');
    if page.items.iter().any(|v| v.needs_attention) {
        out.push_str("! needs attention; E = threat & system events, L = licence events (action required/warning)\n");
    }
    out
}

pub fn customer_detail(d: &CustomerDetail) -> String {
    let v = &d.customer;
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "{label:<21}{}", clean(&value));
    };
    line("company", v.company.clone());
    line("id", v.id.to_string());
    line(
        "account",
        format!("{} ({})", v.account_name, v.account_type),
    );
    line("status", v.status.to_string());
    let mut contact = format!(
        "{} {} <{}>",
        v.contact_first_name, v.contact_last_name, v.email
    );
    if !v.phone.is_empty() {
        contact.push_str(&format!(", {}", v.phone));
    }
    line("contact", contact);
    let place: Vec<&str> = [
        v.address.as_str(),
        &v.postal_code,
        &v.city,
        &v.state,
        &v.country,
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    line("address", place.join(", "));
    line("time zone", v.time_zone.clone());
    line("language", v.language.clone());
    line(
        "products",
        if v.products.is_empty() {
            "-".into()
        } else {
            v.products.join("; ")
        },
    );
    line(
        "licence status",
        match &v.next_expiry {
            Some(e) => format!("{} (next expiry {e})", v.license_status),
            None => v.license_status.to_string(),
        },
    );
    line(
        "managed",
        if v.managed { "yes".into() } else { "no".into() },
    );
    line(
        "wfbss template",
        v.wfbs_template.clone().unwrap_or_else(|| "-".into()),
    );
    line(
        "cloud-edge template",
        v.cloud_edge_template.clone().unwrap_or_else(|| "-".into()),
    );
    line(
        "attention",
        if v.needs_attention {
            format!(
                "! threat & system {} action required, {} warning; licences {} action required, {} warning",
                v.threat_system_action_required,
                v.threat_system_warning,
                v.license_action_required,
                v.license_warning
            )
        } else {
            "none".into()
        },
    );
    for r in &v.attention_reasons {
        line("", format!("- {}", r.text));
    }
    line("created", v.created_at.clone());
    line("updated", v.updated_at.clone());
    line("last transaction", v.last_transaction.clone());

    let none_yet = "none; add one with `clientele license add`";
    section(&mut out, "licences", &v.licenses, licenses, none_yet);
    section(&mut out, "devices", &d.devices, devices, "none");
    section(&mut out, "events", &d.events, events, "none");
    out.push_str("\npolicies\n");
    for (list, entries) in &d.policies {
        let shown = if entries.is_empty() {
            "-".to_string()
        } else {
            entries.join("; ")
        };
        let _ = writeln!(out, "  {list:<22}{}", clean(&shown));
    }
    out.push_str("\nnotes\n");
    if v.notes.is_empty() {
        out.push_str("  -\n");
    } else {
        for l in clean_block(&v.notes).lines() {
            let _ = writeln!(out, "  {l}");
        }
    }
    out.push_str("\nhistory (newest first)\n");
    if d.history.is_empty() {
        out.push_str("  none\n");
    } else {
        indent(&mut out, &audit(&d.history[..d.history.len().min(20)]));
        if d.history.len() > 20 {
            let _ = writeln!(out, "  … see `clientele log --customer {}` for more", v.id);
        }
    }
    out
}

/// A titled part of a customer's detail: its table indented, or `none` when there is no row.
fn section<T>(out: &mut String, title: &str, list: &[T], table: fn(&[T]) -> String, none: &str) {
    let _ = writeln!(out, "\n{title}");
    if list.is_empty() {
        let _ = writeln!(out, "  {none}");
    } else {
        indent(out, &table(list));
    }
}

fn indent(out: &mut String, text: &str) {
    for l in text.lines() {
        let _ = writeln!(out, "  {l}");
    }
}

pub fn licenses(list: &[LicenseView]) -> String {
    let mut t = Table::new(&[
        "ID", "PLAN", "PRODUCT", "KIND", "UNITS", "USED", "START", "EXPIRY", "STATUS",
    ])
    .right(&["ID", "UNITS", "USED"]);
    for l in list {
        t.row(vec![
            l.id.to_string(),
            l.plan.clone(),
            l.product.clone(),
            l.kind.clone(),
            l.units.to_string(),
            l.used.to_string(),
            l.start.clone(),
            l.expiry.clone(),
            l.status.to_string(),
        ]);
    }
    rendered(t, "no licences")
}

pub fn devices(list: &[DeviceView]) -> String {
    let mut t = Table::held(&["NAME", "SERIAL", "MODEL", "FIRMWARE", "LATEST", "UPDATE"]);
    for d in list {
        let update = match (d.needs_update, &d.notified_version) {
            (false, _) => "-".to_string(),
            (true, Some(v)) if Some(v) == d.latest_firmware.as_ref() => "needed (notified)".into(),
            (true, _) => "needed".into(),
        };
        t.held_row(
            d.id,
            d.customer_id,
            [
                d.name.clone(),
                d.serial.clone(),
                d.model.clone(),
                d.firmware.clone(),
                d.latest_firmware.clone().unwrap_or_else(|| "-".into()),
                update,
            ],
        );
    }
    rendered(t, "no devices")
}

pub fn events(list: &[EventView]) -> String {
    let mut t = Table::held(&["TIME", "KIND", "SEVERITY", "CATEGORY", "STATE", "MESSAGE"]);
    for e in list {
        t.held_row(
            e.id,
            e.customer_id,
            [
                short_time(&e.time),
                e.kind.to_string(),
                e.severity.to_string(),
                e.category.clone(),
                if e.open {
                    "open".into()
                } else {
                    "resolved".into()
                },
                clip(&clean(&e.message), 60),
            ],
        );
    }
    rendered(t, "no events")
}

pub fn plans(list: &[PlanView]) -> String {
    let mut t = Table::new(&[
        "ID",
        "NAME",
        "PRODUCT",
        "KIND",
        "MONTHS",
        "NOTICE",
        "AUTO-RENEW",
        "MANAGED",
        "ENABLED",
        "END OF LIFE",
    ])
    .right(&["ID", "MONTHS", "NOTICE"]);
    let yn = |b: bool| {
        if b {
            "yes".to_string()
        } else {
            "no".to_string()
        }
    };
    for p in list {
        t.row(vec![
            p.id.to_string(),
            p.name.clone(),
            p.product.to_string(),
            p.kind.to_string(),
            p.months.to_string(),
            format!("{}d", p.notice_days),
            yn(p.auto_renew),
            yn(p.managed),
            yn(p.enabled),
            yn(p.end_of_life),
        ]);
    }
    rendered(
        t,
        "no plans; add one with `clientele plan add --name NAME --product CODE --months M`",
    )
}

pub fn templates(list: &[TemplateView]) -> String {
    let mut t = Table::new(&["NAME", "PRODUCT", "SETTINGS"]).right(&["SETTINGS"]);
    for x in list {
        t.row(vec![
            x.name.clone(),
            x.product.to_string(),
            x.settings.len().to_string(),
        ]);
    }
    rendered(
        t,
        "no templates; add one with `clientele template add --name NAME --product wfbss`",
    )
}

pub fn template(x: &TemplateView) -> String {
    let mut out = format!("template {} ({})\n", clean(&x.name), x.product);
    if x.settings.is_empty() {
        out.push_str("no settings; add some with `clientele template edit NAME --set KEY=VALUE`\n");
    } else {
        let mut t = Table::new(&["SETTING", "VALUE"]);
        for (k, v) in &x.settings {
            t.row(vec![k.clone(), v.clone()]);
        }
        t.render(&mut out);
    }
    out
}

pub fn firmware(list: &[FirmwareView]) -> String {
    let mut t = Table::new(&["MODEL", "LATEST"]);
    for f in list {
        t.row(vec![f.model.clone(), f.version.clone()]);
    }
    rendered(
        t,
        "no firmware recorded; add with `clientele firmware set --model M --version V`",
    )
}

pub fn outbox(list: &[OutboxView]) -> String {
    let mut t = Table::held(&["COMPANY", "CREATED", "TO", "SUBJECT"]);
    for m in list {
        t.held_row(
            m.id,
            m.customer_id,
            [
                clip(&clean(m.company.as_deref().unwrap_or("-")), 40),
                short_time(&m.created_at),
                m.to.clone(),
                clip(&clean(&m.subject), 70),
            ],
        );
    }
    rendered(t, "the outbox is empty")
}

pub fn audit(list: &[AuditView]) -> String {
    if list.is_empty() {
        return "no log entries\n".into();
    }
    let mut t = Table::new(&["ID", "TIME", "ACTOR", "TASK", "CUSTOMERS", "OUTCOME"]).right(&["ID"]);
    let mut out = String::new();
    // Render each entry with its changes below it, so rows and changes stay together.
    for a in list {
        let customers = match a.customers.len() {
            0 => "-".to_string(),
            1..=5 => a
                .customers
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            n => format!("{n} customers"),
        };
        t.row(vec![
            a.id.to_string(),
            short_time(&a.time),
            a.actor.to_string(),
            a.task.clone(),
            customers,
            clip(&clean(&a.outcome), 80),
        ]);
    }
    let mut table = String::new();
    t.render(&mut table);
    let mut lines = table.lines();
    if let Some(h) = lines.next() {
        let _ = writeln!(out, "{h}");
    }
    for (a, l) in list.iter().zip(lines) {
        let _ = writeln!(out, "{l}");
        for c in &a.changes {
            let show = |s: &str| {
                if s.is_empty() {
                    "(empty)".to_string()
                } else {
                    clip(&clean(s), 100)
                }
            };
            let _ = writeln!(
                out,
                "      {}: {} → {}",
                clean(&c.field),
                show(&c.old),
                show(&c.new)
            );
        }
    }
    out
}

pub fn bulk(r: &BulkReport) -> String {
    let mut out = String::new();
    if r.results.is_empty() {
        out.push_str("no customers selected; nothing to do\n");
    } else {
        let mut t = Table::new(&["OUTCOME", "ID", "COMPANY", "REASON"]).right(&["ID"]);
        for x in &r.results {
            t.row(vec![
                match x.outcome {
                    Outcome::Ok => "ok",
                    Outcome::Skipped => "skipped",
                    Outcome::Failed => "failed",
                }
                .to_string(),
                x.id.to_string(),
                clip(&clean(&x.company), 40),
                x.reason.clone().unwrap_or_default(),
            ]);
        }
        t.render(&mut out);
    }
    let _ = writeln!(
        out,
        "{}: {} ok, {} skipped, {} failed",
        r.task, r.ok, r.skipped, r.failed
    );
    if r.dry_run {
        out.push_str("dry run: nothing was changed\n");
    }
    if let Some(run) = r.run {
        let _ = writeln!(
            out,
            "run {run} stored; `clientele runs {run}` shows it again"
        );
    }
    out
}

/// A filter's `key=value` pairs as the `clientele list` flags that give them:
/// `license=expired` → `--license expired`.
pub fn list_flags<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{} {}", super::flag_name(k), clean(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a run selected its customers: `ids 1,2,3` or the filter flags.
fn run_selection(r: &RunRecord) -> String {
    match r.selection.as_slice() {
        [(k, ids)] if k == "ids" => format!("ids {}", clean(ids)),
        [] => "--all".into(),
        pairs => list_flags(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    }
}

pub fn runs(list: &[RunRecord]) -> String {
    let mut t = Table::new(&[
        "ID",
        "TIME",
        "ACTOR",
        "TASK",
        "OK",
        "SKIPPED",
        "FAILED",
        "SELECTION",
    ])
    .right(&["ID", "OK", "SKIPPED", "FAILED"]);
    for r in list {
        t.row(vec![
            r.report.run.unwrap_or_default().to_string(),
            short_time(&r.time.to_string()),
            r.actor.to_string(),
            r.report.task.to_string(),
            r.report.ok.to_string(),
            r.report.skipped.to_string(),
            r.report.failed.to_string(),
            clip(&run_selection(r), 80),
        ]);
    }
    rendered(t, "no stored task runs")
}

/// One run: who ran what on which customers, then its customers grouped by outcome and
/// reason, largest group first.
pub fn run(r: &RunRecord) -> String {
    let b = &r.report;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {}: {} by {} at {}",
        b.run.unwrap_or_default(),
        b.task,
        r.actor,
        short_time(&r.time.to_string())
    );
    let _ = writeln!(out, "selection: {}", run_selection(r));
    if !r.options.is_empty() {
        let options: Vec<String> = r
            .options
            .iter()
            .map(|(k, v)| format!("{k}={}", clip(&clean(v), 60)))
            .collect();
        let _ = writeln!(out, "options: {}", options.join(" "));
    }
    let _ = writeln!(
        out,
        "{} ok, {} skipped, {} failed",
        b.ok, b.skipped, b.failed
    );
    for outcome in [Outcome::Failed, Outcome::Skipped, Outcome::Ok] {
        for (reason, results) in b.by_reason(outcome) {
            out.push('\n');
            let _ = match reason {
                "" => writeln!(out, "{} {outcome}", results.len()),
                _ => writeln!(out, "{} {outcome}: {}", results.len(), clean(reason)),
            };
            let mut t = Table::new(&["ID", "COMPANY"]).right(&["ID"]);
            for x in results {
                t.row(vec![x.id.to_string(), clip(&clean(&x.company), 60)]);
            }
            let mut table = String::new();
            t.render(&mut table);
            for line in table.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    if b.omitted > 0 {
        let _ = writeln!(
            out,
            "\n{} more customers were counted but not kept",
            b.omitted
        );
    }
    out
}

/// The renewal runway: one row per period, then the attention categories, each with the
/// `clientele list` flags that list the customers it counts.
pub fn runway(r: &Runway) -> String {
    let flags =
        |filter: &str| list_flags(filter.split('&').filter_map(|pair| pair.split_once('=')));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "renewal runway on {} ({} customers)",
        r.today, r.customers
    );
    let mut t = Table::new(&["PERIOD", "LICENCES", "UNITS", "CUSTOMERS", "LIST"]).right(&[
        "LICENCES",
        "UNITS",
        "CUSTOMERS",
    ]);
    for p in std::iter::once(&r.expired).chain(&r.months) {
        t.row(vec![
            p.period.clone(),
            p.licenses.to_string(),
            p.units.to_string(),
            p.customers.to_string(),
            format!("clientele list {}", flags(&p.filter)),
        ]);
    }
    t.render(&mut out);
    out.push('\n');
    let mut t = Table::new(&["ATTENTION", "CUSTOMERS", "LIST"]).right(&["CUSTOMERS"]);
    for c in &r.attention {
        t.row(vec![
            c.category.label().to_string(),
            c.customers.to_string(),
            format!("clientele list {}", flags(&c.filter)),
        ]);
    }
    t.render(&mut out);
    out
}

fn rendered(t: Table, empty: &str) -> String {
    let mut out = String::new();
    if t.is_empty() {
        out.push_str(empty);
        out.push('\n');
    } else {
        t.render(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cleaned_and_measured() {
        assert_eq!(clean("a\nb\tc\u{1b}[2J"), "a↵b c\\u{1b}[2J");
        assert_eq!(width("株式会社"), 8);
        assert_eq!(width("née"), 3);
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("株式会社", 5), "株式…");
    }

    #[test]
    fn emoji_of_every_block_are_two_columns_wide() {
        assert_eq!(width("🚀"), 2);
        assert_eq!(width("🎉"), 2);
        assert_eq!(width("🛡"), 1, "text presentation by default");
        assert_eq!(width("🚀 ok"), 5);
        assert_eq!(width("e\u{301}"), 1);
    }

    #[test]
    fn tables_fit_the_terminal_by_cutting_the_widest_text_column() {
        let mut t = Table::new(&["ID", "COMPANY", "CITY"]).right(&["ID"]);
        t.row(vec![
            "1234".into(),
            "A very long company name 🚀 GmbH".into(),
            "Köln".into(),
        ]);
        t.row(vec!["7".into(), "Short".into(), "東京".into()]);
        let mut whole = String::new();
        t.render_within(&mut whole, None);
        assert!(
            whole.contains("A very long company name 🚀 GmbH"),
            "{whole}"
        );
        for max in [30, 24, 20] {
            let mut out = String::new();
            t.render_within(&mut out, Some(max));
            for line in out.lines() {
                assert!(width(line) <= max, "{max}: {line:?} in\n{out}");
            }
            assert!(out.contains('…') && out.contains("1234"), "{out}");
        }
        // Too narrow for even the headers: columns stop at their floor instead of vanishing.
        let mut out = String::new();
        t.render_within(&mut out, Some(5));
        assert!(out.starts_with("  ID  COMPANY  CITY"), "{out}");
    }

    #[test]
    fn tables_align() {
        let mut t = Table::new(&["ID", "NAME"]).right(&["ID"]);
        t.row(vec!["7".into(), "株式".into()]);
        t.row(vec!["12".into(), "x".into()]);
        let mut out = String::new();
        t.render(&mut out);
        assert_eq!(out, "ID  NAME\n 7  株式\n12  x\n");
    }
}
