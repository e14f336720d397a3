//! One line per request on standard error when `CLIENTELE_LOG` is set. Whatever the client
//! sent is escaped, so no request can write control characters to the operator's terminal.

use super::Shared;
use std::time::Instant;

pub(super) fn request(shared: &Shared, rq: &tiny_http::Request, status: u16, started: Instant) {
    unreadable(shared, rq.method().as_str(), rq.url(), status, started);
}

/// A request known only in part (its head could not be read): `-` stands for what is missing.
pub(super) fn unreadable(
    shared: &Shared,
    method: &str,
    target: &str,
    status: u16,
    started: Instant,
) {
    if shared.log {
        eprintln!("{}", line(method, target, status, started));
    }
}

fn line(method: &str, target: &str, status: u16, started: Instant) -> String {
    format!(
        "{} \"{}\" {status} {}µs",
        method.escape_debug(),
        target.escape_debug(),
        started.elapsed().as_micros()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        let line = super::line("GET\rFAKE", "/a\u{1b}[2J\"", 400, std::time::Instant::now());
        assert!(
            line.starts_with(r#"GET\rFAKE "/a\u{1b}[2J\"" 400 "#),
            "{line}"
        );
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}
