//! Responses the server makes itself, and the translation of every response to tiny_http with
//! the security headers no handler can change.

use super::Shared;
use crate::web::http::Response;

/// Sent on every response, errors included; a handler cannot override them.
pub(super) const FIXED_HEADERS: [(&str, &str); 6] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("Server", "clientele"),
];

/// An error in the caller's format: the API error object under `/api/`, a small page elsewhere.
pub(super) fn error_response(api: bool, status: u16, code: &str, message: &str) -> Response {
    if api {
        return Response::api_error(status, code, message, None);
    }
    let title = match status {
        400 => "Bad request",
        401 => "Not signed in",
        403 => "Refused",
        404 => "Not found",
        405 => "Method not allowed",
        408 => "Request timeout",
        414 => "Request address too long",
        417 => "Expectation failed",
        413 => "Request too large",
        429 => "Too many attempts",
        421 => "Wrong address",
        431 => "Request headers too large",
        500 => "Internal error",
        501 => "Not implemented",
        503 => "Busy",
        505 => "HTTP version not supported",
        _ => "Error",
    };
    let main = maud::html! {
        h1 { (title) }
        p { (message) }
        p { a href="/" { "Back to the customer list" } }
    };
    bare_page(status, title, main)
}

/// A page the server answers by itself, outside the console's layout (no navigation, no
/// style sheet: it must work before anyone has signed in).
pub(super) fn bare_page(status: u16, title: &str, main: maud::Markup) -> Response {
    let markup = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – clientele" }
            }
            body { main { (main) } }
        }
    };
    Response::html(status, markup.into_string())
}

pub(super) fn to_tiny(
    shared: &Shared,
    response: Response,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let mut out = tiny_http::Response::from_data(response.body)
        .with_status_code(response.status)
        // Our bodies are in memory: always send Content-Length, never chunks.
        .with_chunked_threshold(usize::MAX);
    for (name, value) in &response.headers {
        if FIXED_HEADERS
            .iter()
            .any(|(ours, _)| ours.eq_ignore_ascii_case(name))
            || name.eq_ignore_ascii_case("Content-Length")
            || name.eq_ignore_ascii_case("Transfer-Encoding")
        {
            continue;
        }
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        let valid_value = value
            .bytes()
            .all(|b| b == b'\t' || (0x20..=0x7e).contains(&b));
        match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(header) if valid_name && valid_value => out.add_header(header),
            _ => eprintln!("clientele: dropped an invalid response header {name:?}"),
        }
    }
    for header in &shared.security_headers {
        out.add_header(header.clone());
    }
    out
}
