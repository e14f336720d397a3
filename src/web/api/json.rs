//! The HTTP half of the API's translation: reading query strings and JSON bodies, and turning
//! core errors into the error object. Nothing here decides whether a value is valid for the
//! domain; it only decides whether the request could be read at all.

use crate::domain::error::Error;
use crate::domain::model::YesNo;
use crate::web::app::status_of;
use crate::web::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// An answer that is not the success the handler hoped for: an error response, ready to send.
#[derive(Debug)]
pub struct ApiError(pub Response);

/// What every handler returns.
pub type Answer = Result<Response, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(core_error(&e))
    }
}

/// An error of the API layer itself (the request could not be read or routed).
pub fn error(status: u16, code: &str, message: &str, field: Option<&str>) -> ApiError {
    ApiError(Response::api_error(status, code, message, field))
}

/// A 422 naming one field, worded like the core's field errors.
pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    Error::invalid(field, message).into()
}

/// The error object for a core error, with the status `app::status_of` gives it. Field errors
/// are all listed under `errors` (the first is also `field`); a rejected import lists its rows.
pub fn core_error(e: &Error) -> Response {
    let status = status_of(e);
    if status >= 500 {
        eprintln!("clientele: API request failed: {e}");
    }
    let mut inner = Map::new();
    inner.insert("code".into(), json!(e.code()));
    inner.insert("message".into(), json!(e.to_string()));
    inner.insert("field".into(), json!(e.field()));
    match e {
        Error::Invalid(errors) => {
            inner.insert("errors".into(), json!(errors));
        }
        Error::NotFound { thing, .. } => {
            inner.insert("kind".into(), json!(thing.noun()));
        }
        Error::Import(rows) => {
            inner.insert("rows".into(), json!(rows.rows));
            if rows.omitted > 0 {
                inner.insert("omitted".into(), json!(rows.omitted));
            }
        }
        _ => {}
    }
    Response::json(status, &json!({ "error": inner }))
}

/// A `204 No Content` answer (deletes).
pub fn no_content() -> Response {
    Response {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// The media type of the request body, lower case, without parameters.
pub fn media_type(req: &Request) -> Option<String> {
    req.header("content-type").map(|v| {
        v.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

/// The decoded query pairs, refusing any key this path does not know (422 naming it).
pub fn query(req: &Request, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    if req.query.is_empty() {
        return Ok(Vec::new());
    }
    let pairs = req.query_pairs().map_err(|e| {
        error(
            400,
            "bad_request",
            &format!("the query string cannot be read: {e}"),
            None,
        )
    })?;
    if let Some((key, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        let known = if allowed.is_empty() {
            "this path takes no query parameters".to_string()
        } else {
            format!("this path accepts {}", allowed.join(", "))
        };
        return Err(invalid(key, format!("unknown query parameter; {known}")));
    }
    Ok(pairs)
}

/// Refuses an empty value for any key but those in `may_be_empty`: in the API an empty
/// parameter is a mistake (an HTML form sends every field; an API client need not).
pub fn no_empty_values(pairs: &[(String, String)], may_be_empty: &[&str]) -> Result<(), ApiError> {
    match pairs
        .iter()
        .find(|(k, v)| v.trim().is_empty() && !may_be_empty.contains(&k.as_str()))
    {
        Some((k, _)) => Err(invalid(
            k,
            "is empty; give a value or leave the parameter out",
        )),
        None => Ok(()),
    }
}

/// The last value of a query key.
pub fn last<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A `yes`/`no` query flag; missing means no.
pub fn flag(pairs: &[(String, String)], key: &str) -> Result<bool, ApiError> {
    match last(pairs, key) {
        None => Ok(false),
        Some(v) => YesNo::parse(v)
            .map(YesNo::as_bool)
            .ok_or_else(|| invalid(key, format!("`{v}` is not valid; use yes or no"))),
    }
}

/// A whole-number query value (an id, a count), if given.
pub fn number(pairs: &[(String, String)], key: &str) -> Result<Option<u64>, ApiError> {
    match last(pairs, key) {
        None => Ok(None),
        Some(v) => digits(v)
            .map(Some)
            .ok_or_else(|| invalid(key, format!("`{v}` is not valid; use a whole number"))),
    }
}

/// Parses plain decimal digits (no sign, no spaces) as a u64.
pub fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Checks that a body is declared as JSON (415 otherwise) and not empty (400).
fn json_body(req: &Request) -> Result<&[u8], ApiError> {
    match media_type(req).as_deref() {
        Some("application/json") => {}
        None if req.body.is_empty() => {}
        Some(other) => {
            return Err(error(
                415,
                "unsupported_media_type",
                &format!(
                "the body is sent as `{other}`; send JSON with \"Content-Type: application/json\""
            ),
                None,
            ))
        }
        None => {
            return Err(error(
                415,
                "unsupported_media_type",
                "the body has no Content-Type; send JSON with \"Content-Type: application/json\"",
                None,
            ))
        }
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(error(
            400,
            "bad_json",
            "the request body is empty; send a JSON object",
            None,
        ));
    }
    Ok(&req.body)
}

/// Reads a JSON body into `T`. Malformed JSON and wrong types are 400 with serde's message
/// (which gives line and column); unknown and missing fields are 422 naming the field by its
/// path (`inner.a`, `licenses[0].units`).
pub fn body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes = json_body(req)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(input) => {
            de.end().map_err(|e| bad_json(&e))?;
            Ok(input)
        }
        Err(e) => {
            // JSON has one number type: `5.0` is the whole number 5 (JSON Schema agrees), but
            // serde will not read it as an integer. Retry with such numbers made integers.
            if e.inner().classify() == serde_json::error::Category::Data {
                if let Ok(mut value) = serde_json::from_slice::<Value>(bytes) {
                    if integral_floats_to_integers(&mut value) {
                        if let Ok(input) = serde_json::from_value(value) {
                            return Ok(input);
                        }
                    }
                }
            }
            Err(json_error(&e))
        }
    }
}

fn bad_json(e: &serde_json::Error) -> ApiError {
    error(
        400,
        "bad_json",
        &format!("the body is not valid JSON: {e}"),
        None,
    )
}

/// Converts every value (no short cut: all of them are visited); true if any changed.
fn every<'a>(values: impl Iterator<Item = &'a mut Value>) -> bool {
    let mut any = false;
    for v in values {
        any |= integral_floats_to_integers(v);
    }
    any
}

/// Turns every float with no fractional part (within ±2^64) into an integer; true if any.
pub fn integral_floats_to_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            let Some(f) = n.as_f64() else { return false };
            if f.fract() != 0.0 || !f.is_finite() {
                return false;
            }
            let whole = if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                json!(f as u64)
            } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
                json!(f as i64)
            } else {
                return false;
            };
            *value = whole;
            true
        }
        Value::Array(items) => every(items.iter_mut()),
        Value::Object(map) => every(map.values_mut()),
        _ => false,
    }
}

/// Like [`body`], also returning the parsed document for checks serde cannot express.
pub fn body_and_value<T: DeserializeOwned>(req: &Request) -> Result<(T, Value), ApiError> {
    let input = body::<T>(req)?;
    let value = serde_json::from_slice(&req.body).map_err(|e| bad_json(&e))?;
    Ok((input, value))
}

/// serde's message without its ` at line L column C` tail.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// The name between the first pair of backticks after `prefix`, as in ``unknown field `x` ``.
fn named_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    let (name, _) = rest.split_once('`')?;
    Some(name)
}

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let message = e.inner().to_string();
    match e.inner().classify() {
        Category::Io | Category::Syntax | Category::Eof => bad_json(e.inner()),
        Category::Data => {
            let plain = without_position(&message);
            let unknown = named_after(plain, "unknown field `");
            let missing = named_after(plain, "missing field `");
            // The path ends at an unknown key or a wrong value, and at the object that lacks
            // a missing key.
            // A body that is an array where an object belongs has no field to name.
            let at = e.path().to_string();
            let at = (at != "." && !at.starts_with('[')).then_some(at);
            let field = match (missing, at) {
                (Some(name), Some(parent)) => Some(format!("{parent}.{name}")),
                (Some(name), None) => Some(name.to_string()),
                (None, at) => at,
            };
            let field = field.as_deref();
            if unknown.is_some() {
                error(422, "unknown_field", &message, field)
            } else if missing.is_some() {
                error(422, "invalid", &format!("required: {message}"), field)
            } else {
                error(
                    400,
                    "bad_json",
                    &format!("the body does not fit: {message}"),
                    field,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::http::Method;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        name: String,
        count: Option<u32>,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        a: u32,
    }

    fn post(body: &str) -> Request {
        Request::new(Method::Post, "/api/x")
            .unwrap()
            .with_header("Content-Type", "application/json; charset=utf-8")
            .with_body(body)
    }

    fn fail(body: &str) -> (u16, Value) {
        let Err(ApiError(r)) = super::body::<Probe>(&post(body)) else {
            panic!("{body} was accepted")
        };
        (r.status, serde_json::from_slice(&r.body).unwrap())
    }

    #[test]
    fn bodies_are_read_or_refused_with_the_field() {
        assert!(super::body::<Probe>(&post(r#"{"name":"x","count":3}"#)).is_ok());
        let (status, v) = fail(r#"{"name":"x","count":"3"}"#);
        assert_eq!((status, v["error"]["field"].as_str()), (400, Some("count")));
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column"));
        let (status, v) = fail(r#"{"name":"x","colour":"red"}"#);
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (422, Some("colour"))
        );
        let (status, v) = fail(r#"{"count":1}"#);
        assert_eq!((status, v["error"]["field"].as_str()), (422, Some("name")));
        let (status, v) = fail(r#"{"name":"x","inner":{"b":1}}"#);
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (422, Some("inner.b"))
        );
        let (status, v) = fail(r#"{"count":1,"inner":{"a":1}}"#);
        assert_eq!((status, v["error"]["field"].as_str()), (422, Some("name")));
        let (status, v) = fail(r#"{"name":"x","inner":{}}"#);
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (422, Some("inner.a"))
        );
        let (status, v) = fail(r#"{"name":"x","inner":{"a":"1"}}"#);
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (400, Some("inner.a"))
        );
        let (status, v) = fail(r#"{"name":"x","list":[{"a":1},{"a":-1}]}"#);
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (400, Some("list[1].a"))
        );
        let ok: Probe = super::body(&post(r#"{"name":"x","count":3.0}"#)).unwrap();
        assert_eq!(ok.count, Some(3));
        let (status, v) = fail(r#"{"name":"x","count":3.5}"#);
        assert_eq!((status, v["error"]["field"].as_str()), (400, Some("count")));
        let (status, _) = fail(r#"{"name":"x""#);
        assert_eq!(status, 400);
        let (status, _) = fail("[1]");
        assert_eq!(status, 400);
        let (status, _) = fail("  ");
        assert_eq!(status, 400);
    }

    #[test]
    fn content_type_is_checked() {
        let req = Request::new(Method::Post, "/api/x")
            .unwrap()
            .with_header("Content-Type", "text/plain")
            .with_body(r#"{"name":"x"}"#);
        assert_eq!(super::body::<Probe>(&req).unwrap_err().0.status, 415);
        let req = Request::new(Method::Post, "/api/x")
            .unwrap()
            .with_body(r#"{"name":"x"}"#);
        assert_eq!(super::body::<Probe>(&req).unwrap_err().0.status, 415);
        let req = Request::new(Method::Post, "/api/x").unwrap();
        assert_eq!(super::body::<Probe>(&req).unwrap_err().0.status, 400);
    }

    #[test]
    fn queries_name_unknown_keys() {
        let req = Request::new(Method::Get, "/api/x?limit=5&colour=red").unwrap();
        let Err(ApiError(r)) = query(&req, &["limit"]) else {
            panic!()
        };
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            (r.status, v["error"]["field"].as_str()),
            (422, Some("colour"))
        );
        let req = Request::new(Method::Get, "/api/x?limit=%zz").unwrap();
        assert_eq!(query(&req, &["limit"]).unwrap_err().0.status, 400);
        assert_eq!(digits("12"), Some(12));
        assert_eq!(digits("+12"), None);
        assert_eq!(digits(""), None);
        assert_eq!(digits("99999999999999999999999"), None);
    }
}
