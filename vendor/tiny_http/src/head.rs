//! The request head (request line and header fields) as a pure function of bytes.
//!
//! The connection reader collects bytes until [`head_end`] finds the blank line, refusing to
//! collect more than the limits allow, and then calls [`parse_head`] once. Nothing here
//! allocates more than the bytes it was given.

use crate::common::{HTTPVersion, Header, HeaderField, Method};
use ascii::AsciiString;

/// Default longest request line (method, target and version), in bytes.
pub const DEFAULT_MAX_REQUEST_LINE: usize = 8 * 1024;
/// Default largest head (request line and every header line), in bytes.
pub const DEFAULT_MAX_HEAD: usize = 64 * 1024;

/// How the body of a request is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    Empty,
    /// `Content-Length` bytes follow.
    Length(usize),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// A parsed request head.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub method: Method,
    pub target: String,
    pub version: HTTPVersion,
    pub headers: Vec<Header>,
    pub framing: Framing,
}

/// Why a head was refused. Every variant but `Incomplete` ends the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    /// The blank line that ends the head has not arrived yet.
    Incomplete,
    /// The request line is longer than allowed (414).
    RequestLineTooLong,
    /// The head is larger than allowed (431).
    HeadTooLarge,
    /// The request line is not `METHOD SP TARGET SP HTTP/x.y` in printable ASCII (400).
    BadRequestLine,
    /// A header line is malformed, folded or not ASCII (400).
    BadHeader,
    /// Conflicting or malformed `Content-Length` / `Transfer-Encoding` (400).
    BadFraming,
    /// A transfer coding other than `chunked` (501).
    UnsupportedTransferCoding,
    /// An HTTP version other than 1.0 and 1.1 (505).
    UnsupportedVersion,
}

impl HeadError {
    /// The status code that answers this error.
    pub fn status(self) -> u16 {
        match self {
            HeadError::RequestLineTooLong => 414,
            HeadError::HeadTooLarge => 431,
            HeadError::UnsupportedTransferCoding => 501,
            HeadError::UnsupportedVersion => 505,
            HeadError::Incomplete
            | HeadError::BadRequestLine
            | HeadError::BadHeader
            | HeadError::BadFraming => 400,
        }
    }
}

/// Size limits for a head.
#[derive(Debug, Clone, Copy)]
pub struct HeadLimits {
    pub max_request_line: usize,
    pub max_head: usize,
}

impl Default for HeadLimits {
    fn default() -> HeadLimits {
        HeadLimits {
            max_request_line: DEFAULT_MAX_REQUEST_LINE,
            max_head: DEFAULT_MAX_HEAD,
        }
    }
}

/// Parses a request head from the start of `bytes` with the default limits, returning it and
/// the number of bytes it took (the body or the next request starts there).
///
/// Exposed for fuzzing; the server calls the same code through [`parse_head`].
#[doc(hidden)]
pub fn parse_request_head(bytes: &[u8]) -> Result<(RequestHead, usize), HeadError> {
    parse_head(bytes, HeadLimits::default())
}

/// Parses a request head from the start of `bytes` (leading empty lines are skipped).
pub fn parse_head(bytes: &[u8], limits: HeadLimits) -> Result<(RequestHead, usize), HeadError> {
    let start = skip_empty_lines(bytes);
    let end = match head_end(&bytes[start..], 0, limits)? {
        Some(end) => start + end,
        None => return Err(HeadError::Incomplete),
    };
    let mut lines = bytes[start..end].split(|&b| b == b'\n').map(strip_cr);
    let (method, target, version) = parse_request_line(lines.next().unwrap_or(b""))?;
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        headers.push(parse_header(line)?);
    }
    let framing = framing(&headers, &version)?;
    let head = RequestHead {
        method,
        target,
        version,
        headers,
        framing,
    };
    Ok((head, end))
}

/// The number of leading bytes that are empty lines (RFC 9112 §2.2 lets a server skip them).
pub fn skip_empty_lines(bytes: &[u8]) -> usize {
    let mut i = 0;
    loop {
        match bytes.get(i..) {
            Some([b'\r', b'\n', ..]) => i += 2,
            Some([b'\n', ..]) => i += 1,
            _ => return i,
        }
    }
}

/// Finds the end of the head (just past its blank line) in `bytes`, which must start at the
/// request line; `scanned` bytes are known not to hold the end, so long heads are scanned once.
/// Refuses a request line or head over the limits as soon as the bytes show it.
pub fn head_end(
    bytes: &[u8],
    scanned: usize,
    limits: HeadLimits,
) -> Result<Option<usize>, HeadError> {
    let line_end = bytes.iter().position(|&b| b == b'\n');
    match line_end {
        Some(n) if strip_cr(&bytes[..n]).len() > limits.max_request_line => {
            return Err(HeadError::RequestLineTooLong)
        }
        None if bytes.len() > limits.max_request_line + 1 => {
            return Err(HeadError::RequestLineTooLong)
        }
        None => return Ok(None),
        Some(_) => {}
    }
    // The head ends at "\n\n" or "\n\r\n".
    let from = scanned.saturating_sub(2);
    let mut i = from;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'\n') {
        let n = i + offset;
        let end = match bytes.get(n + 1..) {
            Some([b'\n', ..]) => Some(n + 2),
            Some([b'\r', b'\n', ..]) => Some(n + 3),
            _ => None,
        };
        if let Some(end) = end {
            return if end > limits.max_head {
                Err(HeadError::HeadTooLarge)
            } else {
                Ok(Some(end))
            };
        }
        i = n + 1;
    }
    if bytes.len() > limits.max_head {
        return Err(HeadError::HeadTooLarge);
    }
    Ok(None)
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// RFC 9110 `tchar`: the characters of a method or a header name.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_request_line(line: &[u8]) -> Result<(Method, String, HTTPVersion), HeadError> {
    let mut parts = line.split(|&b| b == b' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(HeadError::BadRequestLine),
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(HeadError::BadRequestLine);
    }
    if target.is_empty() || !target.iter().all(|&b| (0x21..=0x7e).contains(&b)) {
        return Err(HeadError::BadRequestLine);
    }
    let version = match version {
        b"HTTP/1.1" => HTTPVersion(1, 1),
        b"HTTP/1.0" => HTTPVersion(1, 0),
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(HeadError::UnsupportedVersion)
        }
        _ => return Err(HeadError::BadRequestLine),
    };
    // Both were checked to be printable ASCII above.
    let method = std::str::from_utf8(method)
        .ok()
        .and_then(|m| m.parse().ok())
        .ok_or(HeadError::BadRequestLine)?;
    let target = String::from_utf8(target.to_vec()).map_err(|_| HeadError::BadRequestLine)?;
    Ok((method, target, version))
}

fn parse_header(line: &[u8]) -> Result<Header, HeadError> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(HeadError::BadHeader)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    // A name must be a token: this also refuses obsolete line folding and space before ':'.
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(HeadError::BadHeader);
    }
    let value = trim_ows(value);
    if !value
        .iter()
        .all(|&b| b == b'\t' || (0x20..=0x7e).contains(&b))
    {
        return Err(HeadError::BadHeader);
    }
    let field = HeaderField::from_bytes(name.to_vec()).map_err(|_| HeadError::BadHeader)?;
    let value = AsciiString::from_ascii(value.to_vec()).map_err(|_| HeadError::BadHeader)?;
    Ok(Header { field, value })
}

fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// RFC 9112 §6.3: one unambiguous body length or none.
fn framing(headers: &[Header], version: &HTTPVersion) -> Result<Framing, HeadError> {
    let mut length: Option<usize> = None;
    let mut transfer_encodings = 0;
    let mut chunked = false;
    for header in headers {
        if header.field.equiv("Content-Length") {
            // A list of identical values ("5, 5") is one length; anything else is refused.
            for item in header.value.as_str().split(',') {
                let item = item.trim_matches(|c| c == ' ' || c == '\t');
                if item.is_empty() || !item.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(HeadError::BadFraming);
                }
                let n = item
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or(HeadError::BadFraming)?;
                if length.is_some_and(|seen| seen != n) {
                    return Err(HeadError::BadFraming);
                }
                length = Some(n);
            }
        } else if header.field.equiv("Transfer-Encoding") {
            transfer_encodings += 1;
            chunked = header.value.as_str().trim().eq_ignore_ascii_case("chunked");
        }
    }
    if transfer_encodings > 0 {
        // A length beside a transfer coding is how request smuggling starts; HTTP/1.0 has no
        // transfer codings at all.
        if length.is_some() || *version == HTTPVersion(1, 0) {
            return Err(HeadError::BadFraming);
        }
        if transfer_encodings > 1 || !chunked {
            return Err(HeadError::UnsupportedTransferCoding);
        }
        return Ok(Framing::Chunked);
    }
    Ok(match length {
        None | Some(0) => Framing::Empty,
        Some(n) => Framing::Length(n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<RequestHead, HeadError> {
        parse_request_head(raw.as_bytes()).map(|(head, _)| head)
    }

    #[test]
    fn parses_a_request_and_reports_where_the_body_starts() {
        let raw = b"\r\nPOST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
        let (head, end) = parse_request_head(raw).unwrap();
        assert_eq!(&raw[end..], b"abc");
        assert_eq!(head.method, Method::Post);
        assert_eq!(head.target, "/a?b=1");
        assert_eq!(head.version, HTTPVersion(1, 1));
        assert_eq!(head.headers.len(), 2);
        assert_eq!(head.headers[0].value.as_str(), "x");
        assert_eq!(head.framing, Framing::Length(3));
        // Bare LF line ends are accepted.
        let (head, _) = parse_request_head(b"GET / HTTP/1.0\nA:  b \n\n").unwrap();
        assert_eq!(head.headers[0].value.as_str(), "b");
        assert_eq!(head.framing, Framing::Empty);
    }

    #[test]
    fn an_unfinished_head_is_incomplete() {
        assert_eq!(
            parse("GET / HTTP/1.1\r\nHost: x\r\n").unwrap_err(),
            HeadError::Incomplete
        );
        assert_eq!(parse("GET / HT").unwrap_err(), HeadError::Incomplete);
        assert_eq!(parse("").unwrap_err(), HeadError::Incomplete);
    }

    #[test]
    fn refuses_malformed_request_lines() {
        for raw in [
            "GET\rFAKE / HTTP/1.1\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 x\r\n\r\n",
            "GET /\r\n\r\n",
            "GET /a\u{7f} HTTP/1.1\r\n\r\n",
            "GET / http/1.1\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            "GET /é HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(
                parse(raw).unwrap_err(),
                HeadError::BadRequestLine,
                "{raw:?}"
            );
        }
        let raw = b"GET /\xff\xfe HTTP/1.1\r\n\r\n";
        assert_eq!(
            parse_request_head(raw).unwrap_err(),
            HeadError::BadRequestLine
        );
        assert_eq!(
            parse("GET / HTTP/2.0\r\n\r\n").unwrap_err(),
            HeadError::UnsupportedVersion
        );
    }

    #[test]
    fn refuses_malformed_headers() {
        for raw in [
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
            "GET / HTTP/1.1\r\nA: \u{e9}\r\n\r\n",
            "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
        ] {
            assert_eq!(parse(raw).unwrap_err(), HeadError::BadHeader, "{raw:?}");
        }
    }

    #[test]
    fn framing_follows_rfc_9112() {
        let head = |headers: &str| parse(&format!("POST / HTTP/1.1\r\n{headers}\r\n"));
        assert_eq!(
            head("Content-Length: 5\r\n").unwrap().framing,
            Framing::Length(5)
        );
        assert_eq!(
            head("Content-Length: 5\r\nContent-Length: 5\r\n")
                .unwrap()
                .framing,
            Framing::Length(5)
        );
        assert_eq!(
            head("Content-Length: 5, 5\r\n").unwrap().framing,
            Framing::Length(5)
        );
        assert_eq!(
            head("Content-Length: 0\r\n").unwrap().framing,
            Framing::Empty
        );
        assert_eq!(
            head("Transfer-Encoding: Chunked\r\n").unwrap().framing,
            Framing::Chunked
        );
        for bad in [
            "Content-Length: 5\r\nContent-Length: 6\r\n",
            "Content-Length: 5, 6\r\n",
            "Content-Length: +5\r\n",
            "Content-Length: -5\r\n",
            "Content-Length: 0x5\r\n",
            "Content-Length: \r\n",
            "Content-Length: 99999999999999999999999\r\n",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        ] {
            assert_eq!(head(bad).unwrap_err(), HeadError::BadFraming, "{bad:?}");
        }
        for unsupported in [
            "Transfer-Encoding: gzip, chunked\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        ] {
            assert_eq!(
                head(unsupported).unwrap_err(),
                HeadError::UnsupportedTransferCoding
            );
        }
        assert_eq!(
            parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap_err(),
            HeadError::BadFraming
        );
    }

    #[test]
    fn limits_are_enforced_before_the_head_is_complete() {
        let limits = HeadLimits {
            max_request_line: 16,
            max_head: 64,
        };
        let long_line = format!("GET /{} HTTP/1.1", "a".repeat(20));
        assert_eq!(
            head_end(long_line.as_bytes(), 0, limits),
            Err(HeadError::RequestLineTooLong)
        );
        assert_eq!(
            head_end(format!("{long_line}\r\n").as_bytes(), 0, limits),
            Err(HeadError::RequestLineTooLong)
        );
        assert_eq!(head_end(b"GET / HTTP/1.1", 0, limits), Ok(None));
        let many = format!("GET / HTTP/1.1\r\n{}", "A: b\r\n".repeat(10));
        assert_eq!(
            head_end(many.as_bytes(), 0, limits),
            Err(HeadError::HeadTooLarge)
        );
        let done = b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest";
        assert_eq!(head_end(done, 0, limits), Ok(Some(done.len() - 4)));
        // Scanning resumes where it stopped, and still finds an end split across reads.
        assert_eq!(head_end(done, 21, limits), Ok(Some(done.len() - 4)));
        let big = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(9000));
        assert_eq!(parse(&big).unwrap_err(), HeadError::RequestLineTooLong);
        let huge = format!("GET / HTTP/1.1\r\nA: {}\r\n\r\n", "b".repeat(70_000));
        assert_eq!(parse(&huge).unwrap_err(), HeadError::HeadTooLarge);
    }
}
