//! A small `multipart/form-data` reader (RFC 7578) for the import form: enough for a few text
//! fields and one file, with every malformed input reported instead of guessed at.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// At most this many parts are read; a form of ours has four.
const MAX_PARTS: usize = 64;

/// The boundary of a `multipart/form-data` content type, or `None` for any other type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params_of(params)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// `a=1; b="x;y"` → [(a, 1), (b, x;y)]; quoted values may hold `;` and `\"`.
fn params_of(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ';' || c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            key.push(c);
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ';' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        }
        out.push((key.trim().to_string(), value.trim_end().to_string()));
    }
    out
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    memchr::memmem::find(&haystack[from..], needle).map(|p| p + from)
}

/// Splits a body into its parts.
pub fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let bad = |why: &str| Err(format!("the uploaded form is malformed: {why}"));
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let Some(first) = find(body, dash.as_bytes(), 0) else {
        return bad("the boundary is missing");
    };
    let mut at = first + dash.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return bad("a boundary is not followed by a line break");
        }
        at += 2;
        let Some(end) = find(body, delimiter.as_bytes(), at) else {
            return bad("the last part is not closed");
        };
        let part = &body[at..end];
        let Some(split) =
            find(part, b"\r\n\r\n", 0).or_else(|| part.starts_with(b"\r\n").then_some(0))
        else {
            return bad("a part has no header block");
        };
        let (head, data) = if split == 0 && part.starts_with(b"\r\n") {
            (&part[..0], &part[2..])
        } else {
            (&part[..split], &part[split + 4..])
        };
        let Ok(head) = std::str::from_utf8(head) else {
            return bad("a part header is not UTF-8");
        };
        let mut name = None;
        let mut filename = None;
        for line in head.split("\r\n") {
            let Some((field, value)) = line.split_once(':') else {
                continue;
            };
            if field.trim().eq_ignore_ascii_case("content-disposition") {
                let (kind, params) = value.split_once(';').unwrap_or((value, ""));
                if !kind.trim().eq_ignore_ascii_case("form-data") {
                    return bad("a part is not form data");
                }
                for (k, v) in params_of(params) {
                    if k.eq_ignore_ascii_case("name") {
                        name = Some(v);
                    } else if k.eq_ignore_ascii_case("filename") {
                        filename = Some(v);
                    }
                }
            }
        }
        let Some(name) = name else {
            return bad("a part has no name");
        };
        parts.push(Part {
            name,
            filename,
            data: data.to_vec(),
        });
        if parts.len() > MAX_PARTS {
            return bad("it has too many parts");
        }
        at = end + delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let ct = "multipart/form-data; boundary=----x1";
        let b = boundary(ct).unwrap();
        assert_eq!(b, "----x1");
        let body = b"------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.csv\"\r\nContent-Type: text/csv\r\n\r\nid,company\n1,\"A\r\nB\"\n\r\n------x1\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nimport\r\n------x1--\r\n";
        let parts = parse(body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "file");
        assert_eq!(parts[0].filename.as_deref(), Some("a;b.csv"));
        assert_eq!(parts[0].data, b"id,company\n1,\"A\r\nB\"\n");
        assert_eq!(parts[1].name, "action");
        assert_eq!(parts[1].data, b"import");
    }

    #[test]
    fn empty_parts_and_bad_bodies() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n\r\n--b--";
        let parts = parse(body, "b").unwrap();
        assert_eq!(parts[0].data, b"");
        assert!(parse(b"nothing here", "b").is_err());
        assert!(parse(
            b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunclosed",
            "b"
        )
        .is_err());
        assert!(parse(b"--b\r\nX: y\r\n\r\nv\r\n--b--", "b").is_err());
        assert!(boundary("application/x-www-form-urlencoded").is_none());
        assert_eq!(
            boundary("multipart/form-data; boundary=\"q;z\"").as_deref(),
            Some("q;z")
        );
    }
}
