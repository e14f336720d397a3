//! Our own small HTTP request and response types.
//!
//! The router and the handlers see only these types, never tiny_http's, so they can be tested by
//! building a [`Request`] by hand and looking at the [`Response`] that comes back.
//!
//! **Architecture Invariant:** nothing taken from a request or from a customer record is ever
//! written into a response header unescaped. Header names are `&'static str`; the constructors
//! below fill in values we chose ourselves (content types, redirect paths we built) or escape
//! what they take (a download's name: the ASCII-only form, and the full form percent-encoded),
//! and the server drops any header value that is not plain printable ASCII before it reaches
//! the wire.

use crate::domain::file_name::FileName;
use serde::Serialize;
use std::fmt;

/// RFC 5987 `value-chars`: every byte but `attr-char` (letters, digits and
/// ``!#$&+-.^_`|~``) as `%XX`, so the result is printable ASCII without quotes, spaces,
/// separators or `%` of its own.
pub fn percent_encode_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request method. Methods we do not route are all [`Method::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Other,
}

impl Method {
    /// Maps a method name (case-sensitive, as HTTP defines it) onto a [`Method`].
    pub fn parse(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => Method::Other,
        }
    }

    /// `GET` and `HEAD` never change state; everything else may.
    pub fn is_safe(self) -> bool {
        matches!(self, Method::Get | Method::Head)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Other => "OTHER",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a URL path, query string or form body could not be decoded. Callers answer 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hexadecimal digits.
    BadPercent,
    /// The decoded bytes are not UTF-8.
    InvalidUtf8,
    /// A path contains `%2F`: an encoded `/` would make the path segments ambiguous.
    EncodedSlash,
    /// The request target is not a path starting with `/` (e.g. `*` or an absolute URL).
    NotAPath,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecodeError::BadPercent => {
                "malformed percent-encoding: every % must be followed by two hexadecimal digits"
            }
            DecodeError::InvalidUtf8 => "the percent-encoded text is not valid UTF-8",
            DecodeError::EncodedSlash => "an encoded slash (%2F) is not allowed in a path",
            DecodeError::NotAPath => "the request target must be a path starting with /",
        })
    }
}

impl std::error::Error for DecodeError {}

/// One HTTP request as the router sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// The percent-decoded path, without the query string (`/customers/a b`).
    pub path: String,
    /// The path exactly as sent (`/customers/a%20b`).
    pub raw_path: String,
    /// The raw query string, without the `?` (may be empty).
    pub query: String,
    /// Header names in lower case, values as sent, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// Builds a request from a method and a request target such as `/api/customers?limit=20`,
    /// with no headers and an empty body. The path must start with `/`; its percent-encoding
    /// must be well formed UTF-8 and must not encode `/`.
    pub fn new(method: Method, target: &str) -> Result<Request, DecodeError> {
        if !target.starts_with('/') {
            return Err(DecodeError::NotAPath);
        }
        let (raw_path, query) = match target.split_once('?') {
            Some((path, query)) => (path, query),
            None => (target, ""),
        };
        if contains_encoded_slash(raw_path) {
            return Err(DecodeError::EncodedSlash);
        }
        let path = url_decode(raw_path)?;
        Ok(Request {
            method,
            path,
            raw_path: raw_path.to_owned(),
            query: query.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// Adds a header (the name is stored in lower case). Meant for tests and for the server.
    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Replaces the body. Meant for tests.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }

    /// The query string as decoded `application/x-www-form-urlencoded` pairs, in order.
    /// A key without `=` gets an empty value; empty pieces (`a=1&&b=2`) are skipped.
    pub fn query_pairs(&self) -> Result<Vec<(String, String)>, DecodeError> {
        parse_pairs(self.query.as_bytes())
    }

    /// The body as decoded `application/x-www-form-urlencoded` pairs, in order.
    pub fn form_pairs(&self) -> Result<Vec<(String, String)>, DecodeError> {
        parse_pairs(&self.body)
    }

    /// The value of the first cookie with this name (names are case-sensitive), without any
    /// surrounding double quotes.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| {
                let v = v.trim();
                v.strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v)
            })
    }

    /// The non-empty segments of the decoded path: `/api/customers/7/` gives
    /// `["api", "customers", "7"]`, `/` gives `[]`.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// True for `/api` and everything under `/api/`: those get JSON errors and token auth.
    pub fn is_api(&self) -> bool {
        is_api_path(&self.raw_path)
    }
}

/// True for `/api` and everything under `/api/` (a raw path, query allowed after it).
pub fn is_api_path(target: &str) -> bool {
    match target.strip_prefix("/api") {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'),
        None => false,
    }
}

fn contains_encoded_slash(raw: &str) -> bool {
    raw.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'2' && (w[2] == b'f' || w[2] == b'F'))
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_bytes(input: &[u8], plus_is_space: bool) -> Result<String, DecodeError> {
    if !input
        .iter()
        .any(|&b| b == b'%' || (plus_is_space && b == b'+'))
    {
        return std::str::from_utf8(input)
            .map(str::to_owned)
            .map_err(|_| DecodeError::InvalidUtf8);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' => {
                let hi = input.get(i + 1).copied().and_then(hex_value);
                let lo = input.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push((hi << 4) | lo),
                    _ => return Err(DecodeError::BadPercent),
                }
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| DecodeError::InvalidUtf8)
}

/// Percent-decodes a URL component or path (`+` stays `+`).
pub fn url_decode(s: &str) -> Result<String, DecodeError> {
    decode_bytes(s.as_bytes(), false)
}

/// Decodes one `application/x-www-form-urlencoded` name or value (`+` is a space).
pub fn form_decode(s: &str) -> Result<String, DecodeError> {
    decode_bytes(s.as_bytes(), true)
}

fn parse_pairs(input: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
    input
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &[][..]),
            };
            Ok((decode_bytes(name, true)?, decode_bytes(value, true)?))
        })
        .collect()
}

/// Percent-encodes a URL component: everything except `A-Z a-z 0-9 - . _ ~` becomes `%XX`
/// (UTF-8 bytes, upper-case hex), so the result is safe in a path segment or a query value.
pub fn url_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Builds a query string (without `?`) from name/value pairs: `a=1&b=x%20y`.
pub fn build_query(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&url_encode(name));
        out.push('=');
        out.push_str(&url_encode(value));
    }
    out
}

/// One HTTP response. The server adds the security headers, `Content-Length`, `Date` and
/// `Server`; handlers set the rest through the constructors below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub const CONTENT_TYPE_HTML: &str = "text/html; charset=utf-8";
pub const CONTENT_TYPE_JSON: &str = "application/json";
pub const CONTENT_TYPE_TEXT: &str = "text/plain; charset=utf-8";
pub const CONTENT_TYPE_CSV: &str = "text/csv; charset=utf-8";

impl Response {
    /// A response with a body of the given content type.
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body,
        }
    }

    /// An HTML page (`text/html; charset=utf-8`).
    pub fn html(status: u16, body: String) -> Response {
        Response::new(status, CONTENT_TYPE_HTML, body.into_bytes())
    }

    /// A JSON document. Serialising our own types cannot fail in practice; if it does, the answer
    /// is a 500 with the usual error object instead of a panic.
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Response {
        match serde_json::to_vec(value) {
            Ok(body) => Response::new(status, CONTENT_TYPE_JSON, body),
            Err(_) => Response::api_error(
                500,
                "internal",
                "the server could not encode its answer as JSON",
                None,
            ),
        }
    }

    /// Plain text (`text/plain; charset=utf-8`).
    pub fn text(status: u16, body: &str) -> Response {
        Response::new(status, CONTENT_TYPE_TEXT, body.as_bytes().to_vec())
    }

    /// The API error object: `{"error":{"code":…,"message":…,"field":…}}`.
    pub fn api_error(status: u16, code: &str, message: &str, field: Option<&str>) -> Response {
        #[derive(Serialize)]
        struct Inner<'a> {
            code: &'a str,
            message: &'a str,
            field: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Outer<'a> {
            error: Inner<'a>,
        }
        let value = Outer {
            error: Inner {
                code,
                message,
                field,
            },
        };
        // Three strings always serialise.
        let body = serde_json::to_vec(&value).unwrap_or_default();
        Response::new(status, CONTENT_TYPE_JSON, body)
    }

    /// A CSV download under the name the export task gave it.
    pub fn csv(name: &FileName, body: Vec<u8>) -> Response {
        Response::download(CONTENT_TYPE_CSV, name, body)
    }

    /// A download (`Content-Disposition: attachment`) under a name a task made (RFC 6266):
    /// `filename="…"` holds the ASCII form, re-checked here (anything but ASCII letters,
    /// digits, `.`, `-` or `_` makes it `download`), and `filename*=UTF-8''…` the full form,
    /// every byte outside RFC 5987's `attr-char` percent-encoded. So the header value is
    /// printable ASCII with no quote or separator from customer text, whatever the name holds.
    pub fn download(content_type: &'static str, name: &FileName, body: Vec<u8>) -> Response {
        let safe = !name.ascii.is_empty()
            && name
                .ascii
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        let ascii = if safe {
            name.ascii.as_str()
        } else {
            "download"
        };
        let full = if name.full.is_empty() {
            ascii
        } else {
            name.full.as_str()
        };
        Response::new(200, content_type, body).with_header(
            "Content-Disposition",
            format!(
                "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                percent_encode_attr(full)
            ),
        )
    }

    /// A `303 See Other` to a path on this server. Anything that is not a plain local path
    /// (`//host`, `/\host`, `https://…`, control characters, spaces) becomes `/`, so this can
    /// never be turned into an open redirect or a header injection.
    pub fn redirect_see_other(location: &str) -> Response {
        let bytes = location.as_bytes();
        let local = bytes.first() == Some(&b'/')
            && !matches!(bytes.get(1), Some(b'/' | b'\\'))
            && bytes.iter().all(|&b| (0x21..=0x7e).contains(&b));
        let location = if local { location } else { "/" };
        Response::text(303, "See Other").with_header("Location", location.to_owned())
    }

    /// Adds a header. The value must be our own text, never request or customer data.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }
}

/// The value of the first of `headers` named `name` (case-insensitive).
fn first_header<'a>(headers: &'a [(impl AsRef<str>, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn url_decode_handles_percent_and_plus() {
        assert_eq!(url_decode("a%20b").unwrap(), "a b");
        assert_eq!(url_decode("a+b").unwrap(), "a+b");
        assert_eq!(form_decode("a+b%2Bc").unwrap(), "a b+c");
        assert_eq!(url_decode("%7e%7E").unwrap(), "~~");
        assert_eq!(url_decode("").unwrap(), "");
        assert_eq!(url_decode("plain").unwrap(), "plain");
    }

    #[test]
    fn url_decode_rejects_bad_percent_sequences() {
        for bad in ["%", "%2", "a%zz", "%g0", "abc%", "%%20", "%2 "] {
            assert_eq!(url_decode(bad), Err(DecodeError::BadPercent), "{bad:?}");
        }
    }

    #[test]
    fn url_decode_handles_utf8() {
        assert_eq!(url_decode("caf%C3%A9").unwrap(), "café");
        assert_eq!(url_decode("%E2%82%AC%F0%9F%98%80").unwrap(), "€😀");
        // Already-decoded multi-byte characters pass through.
        assert_eq!(form_decode("Müller+&+Söhne").unwrap(), "Müller & Söhne");
    }

    #[test]
    fn url_decode_rejects_invalid_utf8() {
        assert_eq!(url_decode("%C3"), Err(DecodeError::InvalidUtf8));
        assert_eq!(url_decode("%FF%FE"), Err(DecodeError::InvalidUtf8));
        assert_eq!(url_decode("%C3%28"), Err(DecodeError::InvalidUtf8));
        // An overlong encoding of '/'.
        assert_eq!(url_decode("%C0%AF"), Err(DecodeError::InvalidUtf8));
    }

    #[test]
    fn url_encode_round_trips() {
        assert_eq!(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(url_encode("AZaz09-._~"), "AZaz09-._~");
        for s in ["", "Müller & Söhne", "100%", "a+b", "😀?#[]"] {
            assert_eq!(url_decode(&url_encode(s)).unwrap(), s);
            assert_eq!(form_decode(&url_encode(s)).unwrap(), s);
        }
        assert_eq!(
            build_query(&[("q", "a b"), ("page", "2")]),
            "q=a%20b&page=2"
        );
    }

    #[test]
    fn request_splits_and_decodes_the_target() {
        let r = Request::new(Method::Get, "/customers/a%20b?x=1&y=%C3%A9").unwrap();
        assert_eq!(r.path, "/customers/a b");
        assert_eq!(r.raw_path, "/customers/a%20b");
        assert_eq!(r.query, "x=1&y=%C3%A9");
        assert_eq!(r.segments(), vec!["customers", "a b"]);
        assert_eq!(r.query_pairs().unwrap(), pairs(&[("x", "1"), ("y", "é")]));

        let r = Request::new(Method::Get, "/").unwrap();
        assert!(r.segments().is_empty());
        assert_eq!(r.query, "");
        let r = Request::new(Method::Get, "/api/customers/7/").unwrap();
        assert_eq!(r.segments(), vec!["api", "customers", "7"]);

        for (method, target, error) in [
            (Method::Get, "/a%zz", DecodeError::BadPercent),
            (Method::Get, "/a%2fb", DecodeError::EncodedSlash),
            (Method::Get, "/%FF", DecodeError::InvalidUtf8),
            (Method::Get, "http://x/", DecodeError::NotAPath),
            (Method::Other, "*", DecodeError::NotAPath),
        ] {
            assert_eq!(Request::new(method, target).unwrap_err(), error, "{target}");
        }
        // A bad query does not make the request invalid; only parsing it fails.
        let r = Request::new(Method::Get, "/x?a=%zz").unwrap();
        assert_eq!(r.query_pairs(), Err(DecodeError::BadPercent));
    }

    #[test]
    fn query_and_form_pairs() {
        let r = Request::new(Method::Get, "/?a=1&&b&c=&=d&e=x+y%2Bz&a=2").unwrap();
        assert_eq!(
            r.query_pairs().unwrap(),
            pairs(&[
                ("a", "1"),
                ("b", ""),
                ("c", ""),
                ("", "d"),
                ("e", "x y+z"),
                ("a", "2")
            ])
        );
        let r = Request::new(Method::Post, "/login")
            .unwrap()
            .with_body("token=s%C3%A9cret+1&x=a=b");
        assert_eq!(
            r.form_pairs().unwrap(),
            pairs(&[("token", "sécret 1"), ("x", "a=b")])
        );
        let r = Request::new(Method::Post, "/")
            .unwrap()
            .with_body(vec![b'a', b'=', 0xff]);
        assert_eq!(r.form_pairs(), Err(DecodeError::InvalidUtf8));
        let r = Request::new(Method::Post, "/").unwrap().with_body("a=%C3");
        assert_eq!(r.form_pairs(), Err(DecodeError::InvalidUtf8));
        let r = Request::new(Method::Post, "/").unwrap().with_body("a=%");
        assert_eq!(r.form_pairs(), Err(DecodeError::BadPercent));
        let r = Request::new(Method::Post, "/").unwrap();
        assert!(r.form_pairs().unwrap().is_empty());
    }

    #[test]
    fn headers_and_cookies() {
        let r = Request::new(Method::Get, "/")
            .unwrap()
            .with_header("Host", "localhost:8080")
            .with_header(
                "Cookie",
                "theme=dark; clientele_session=abc123 ;x=\"quoted\"",
            )
            .with_header("cookie", "late=1; clientele_session=second");
        assert_eq!(r.header("host"), Some("localhost:8080"));
        assert_eq!(r.header("HOST"), Some("localhost:8080"));
        assert_eq!(r.header("origin"), None);
        assert_eq!(r.cookie("clientele_session"), Some("abc123"));
        assert_eq!(r.cookie("theme"), Some("dark"));
        assert_eq!(r.cookie("x"), Some("quoted"));
        assert_eq!(r.cookie("late"), Some("1"));
        assert_eq!(r.cookie("Theme"), None);
        assert_eq!(r.cookie("missing"), None);
        let r = Request::new(Method::Get, "/")
            .unwrap()
            .with_header("Cookie", "novalue; a=");
        assert_eq!(r.cookie("novalue"), None);
        assert_eq!(r.cookie("a"), Some(""));
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/"));
        assert!(is_api_path("/api/customers?x=1"));
        assert!(is_api_path("/api?x"));
        assert!(!is_api_path("/apis"));
        assert!(!is_api_path("/"));
        assert!(!is_api_path("/customers/api"));
    }

    #[test]
    fn response_constructors() {
        let name = FileName {
            ascii: "customers.csv".into(),
            full: "customers.csv".into(),
        };
        let r = Response::csv(&name, b"a,b\n".to_vec());
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(
            r.header("Content-Disposition"),
            Some("attachment; filename=\"customers.csv\"; filename*=UTF-8''customers.csv")
        );
        let name = FileName {
            ascii: "a\"b\r\n.eml".into(),
            full: "Ö \"x\"; \r\n/🚀.eml".into(),
        };
        let r = Response::download("message/rfc822", &name, Vec::new());
        assert_eq!(
            r.header("Content-Disposition"),
            Some(
                "attachment; filename=\"download\"; \
                 filename*=UTF-8''%C3%96%20%22x%22%3B%20%0D%0A%2F%F0%9F%9A%80.eml"
            )
        );
        let r = Response::json(201, &serde_json::json!({"id": 7}));
        assert_eq!(r.status, 201);
        assert_eq!(r.body, br#"{"id":7}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = Response::api_error(404, "not_found", "no customer 7", Some("id"));
        assert_eq!(
            r.body,
            br#"{"error":{"code":"not_found","message":"no customer 7","field":"id"}}"#
        );
        let r = Response::api_error(400, "bad", "say \"hi\"", None);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"]["message"], "say \"hi\"");
        assert!(v["error"]["field"].is_null());
        let r = Response::html(200, "<p>x</p>".into());
        assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"));
        let r = Response::text(418, "tea");
        assert_eq!((r.status, r.body.as_slice()), (418, &b"tea"[..]));
    }

    #[test]
    fn redirects_stay_local() {
        let loc = |l: &str| {
            let r = Response::redirect_see_other(l);
            assert_eq!(r.status, 303);
            r.header("location").unwrap().to_owned()
        };
        assert_eq!(loc("/customers?page=2"), "/customers?page=2");
        assert_eq!(loc("/"), "/");
        for bad in [
            "",
            "customers",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/a\r\nSet-Cookie: x=1",
            "/a b",
            "/é",
            "javascript:alert(1)",
        ] {
            assert_eq!(loc(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn method_parsing() {
        assert_eq!(Method::parse("GET"), Method::Get);
        assert_eq!(Method::parse("PATCH"), Method::Patch);
        assert_eq!(Method::parse("get"), Method::Other);
        assert_eq!(Method::parse("OPTIONS"), Method::Other);
        assert!(Method::Head.is_safe());
        assert!(!Method::Other.is_safe());
    }
}
