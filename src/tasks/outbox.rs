//! The outbox: notifications clientele cannot send itself, kept until the user writes them
//! out as `.eml` files (RFC 5322) for their mail client.

use super::desk::{audit, Ctx, Desk};
use crate::domain::date::Timestamp;
use crate::domain::error::{Error, Key, Result, Thing};
use crate::domain::file_name::FileName;
use crate::domain::model::OutboxMessage;
use crate::domain::view::OutboxView;
use crate::store::Read;
use std::collections::HashMap;
use std::path::Path;

/// A customer's company, or `None` when the customer is gone or cannot be read (the message
/// is still listed).
fn company(r: &impl Read, customer: u64) -> Result<Option<String>> {
    Ok(match r.try_customer(customer)? {
        Some(Ok(c)) => Some(c.profile.company),
        Some(Err(_)) | None => None,
    })
}

/// The `.eml` file name of a message, dated with the day it was queued.
pub fn eml_file_name(m: &OutboxView) -> FileName {
    let day = Timestamp::parse(&m.created_at).unwrap_or_default().date();
    FileName::firmware_mail(m.company.as_deref(), m.customer_id, day)
}

impl Desk {
    pub fn outbox(&self) -> Result<Vec<OutboxView>> {
        self.outbox_where(|_| true)
    }

    /// The messages queued for one customer.
    pub fn outbox_for(&self, customer: u64) -> Result<Vec<OutboxView>> {
        self.outbox_where(|m| m.customer_id == customer)
    }

    /// The messages `keep` accepts, each with its customer's company (read once per customer).
    fn outbox_where(&self, keep: impl Fn(&OutboxMessage) -> bool) -> Result<Vec<OutboxView>> {
        let r = self.reader()?;
        let mut companies: HashMap<u64, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        for m in r.outbox()?.iter().filter(|m| keep(m)) {
            let company = match companies.get(&m.customer_id) {
                Some(c) => c.clone(),
                None => {
                    let c = company(&r, m.customer_id)?;
                    companies.insert(m.customer_id, c.clone());
                    c
                }
            };
            out.push(OutboxView::new(m, company));
        }
        Ok(out)
    }

    pub fn outbox_message(&self, id: u64) -> Result<OutboxView> {
        let r = self.reader()?;
        let m = r
            .outbox_message(id)?
            .ok_or_else(|| Error::not_found(Thing::OutboxMessage, Key::Id(id)))?;
        Ok(OutboxView::new(&m, company(&r, m.customer_id)?))
    }

    /// The message as an RFC 5322 `.eml` text.
    pub fn outbox_eml(&self, id: u64) -> Result<String> {
        Ok(eml(&self.outbox_message(id)?))
    }

    /// The message as an `.eml` file: its name (`<company>-firmware-<date>.eml`, the date the
    /// message was queued) and its text.
    pub fn outbox_eml_file(&self, id: u64) -> Result<(FileName, String)> {
        let m = self.outbox_message(id)?;
        Ok((eml_file_name(&m), eml(&m)))
    }

    /// Writes every message as `outbox-ID.eml` into `dir` (created if missing); returns the files.
    pub fn export_outbox(&self, dir: &Path) -> Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::invalid("dir", format!("cannot create {}: {e}", dir.display())))?;
        let mut files = Vec::new();
        for m in self.outbox()? {
            let path = dir.join(format!("outbox-{}.eml", m.id));
            std::fs::write(&path, eml(&m)).map_err(|e| {
                Error::invalid("dir", format!("cannot write {}: {e}", path.display()))
            })?;
            files.push(path);
        }
        Ok(files)
    }

    /// Removes a message once it has been sent.
    pub fn remove_outbox(&self, ctx: Ctx, id: u64) -> Result<()> {
        let w = self.writer()?;
        let m = w
            .outbox_message(id)?
            .ok_or_else(|| Error::not_found(Thing::OutboxMessage, Key::Id(id)))?;
        w.remove_outbox(id)?;
        audit(
            &w,
            ctx,
            "remove outbox message",
            vec![m.customer_id],
            &format!("message {id} removed"),
            vec![],
            None,
        )?;
        w.commit()
    }
}

/// Longest RFC 2047 encoded word (RFC 2047 §2); longer text is split into several words on
/// folded lines.
const ENCODED_WORD_MAX: usize = 75;

/// An unstructured header value (a subject): plain when it is printable ASCII, else RFC 2047
/// encoded words of at most 75 characters on folded lines, so no customer text can break out
/// of its header line and every mail client can decode it.
fn header_text(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    // "=?UTF-8?B?" + base64 + "?=": 4 base64 characters per 3 bytes.
    let max_bytes = (ENCODED_WORD_MAX - "=?UTF-8?B??=".len()) / 4 * 3;
    let mut words = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let mut cut = rest.len().min(max_bytes);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        words.push(format!("=?UTF-8?B?{}?=", base64(&rest.as_bytes()[..cut])));
        rest = &rest[cut..];
    }
    words.join("\r\n ")
}

/// An address header value. Encoded words are not allowed in addresses (RFC 2047 §5), so a
/// non-ASCII address is written as UTF-8 (RFC 6532), which the 8-bit message allows. Control
/// characters, which an address never holds, are dropped so the header line stays one line.
fn header_address(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Fri, 27 Nov 2026 08:00:00 +0000`
fn rfc5322_date(t: Timestamp) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = t.date();
    let (y, m, d) = date.ymd();
    let secs = t.0.rem_euclid(86_400);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} +0000",
        DAYS[date.days().rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

pub fn eml(m: &OutboxView) -> String {
    let created = Timestamp::parse(&m.created_at).unwrap_or_default();
    let body = m.body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "From: clientele <clientele@localhost>\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\n\
         Message-ID: <outbox-{}-{}@clientele.localhost>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        header_address(&m.to),
        header_text(&m.subject),
        rfc5322_date(created),
        m.id,
        created.0,
        body
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_dates() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        let t = Timestamp::parse("2026-11-27T08:00:00Z").unwrap();
        assert_eq!(rfc5322_date(t), "Fri, 27 Nov 2026 08:00:00 +0000");
    }

    #[test]
    fn long_subjects_become_folded_encoded_words() {
        let subject = "Firmware für Ihre Geräte 🚀 — ".repeat(6);
        let value = header_text(&subject);
        for word in value.split("\r\n ") {
            assert!(word.len() <= ENCODED_WORD_MAX, "{word}");
            assert!(
                word.starts_with("=?UTF-8?B?") && word.ends_with("?="),
                "{word}"
            );
        }
        assert!(value.matches("\r\n ").count() >= 3, "{value}");
        assert_eq!(header_text("Plain subject"), "Plain subject");
    }

    #[test]
    fn headers_cannot_be_injected() {
        let m = OutboxView {
            id: 1,
            customer_id: 2,
            company: Some("Acme".into()),
            to: "a@b.example".into(),
            subject: "Hi\r\nBcc: evil@x.example".into(),
            body: "line 1\nline 2".into(),
            created_at: "2026-11-27T08:00:00Z".into(),
        };
        let text = eml(&m);
        assert!(!text.contains("\r\nBcc:"));
        assert!(text.contains("line 1\r\nline 2"));
    }
}
