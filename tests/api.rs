//! The JSON API end to end.
//!
//! Every scenario runs twice: `in_process` calls the router (`App::handle`) directly over a
//! fresh database, and `binary` spawns the real `clientele serve` on a free port and talks
//! HTTP/1.1 to it over a keep-alive connection. Both check every answer against the OpenAPI
//! document the server publishes: the status must be documented for the operation, the body
//! must match its schema, and a request the server accepted must match the documented request
//! schema and parameters. Server-level behaviour (Host, origin, size limits, keep-alive) is
//! tested against the binary only.

use clientele::domain::date::Date;
use clientele::store::Access;
use clientele::tasks::desk::Desk;
use clientele::web::api::{allow, openapi, ROUTES};
use clientele::web::app::App;
use clientele::web::http::{url_encode, Method, Request};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TODAY: &str = "2026-11-27";

// ---- responses and the two clients -----------------------------------------------------

#[derive(Debug, Clone)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    fn expect(self, status: u16) -> Resp {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }

    /// Asserts an API error with this status and field; returns the error object.
    #[track_caller]
    fn error(self, status: u16, field: Option<&str>) -> Value {
        self.error_in("the request", status, field)
    }

    /// [`Resp::error`] for one row of a table of requests: a failure names `row`.
    #[track_caller]
    fn error_in(self, row: &str, status: u16, field: Option<&str>) -> Value {
        assert_eq!(
            self.status,
            status,
            "{row}: unexpected status; body: {}",
            self.text()
        );
        let v = self.json();
        assert_eq!(v["error"]["field"].as_str(), field, "{row}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{row}: {v}"
        );
        v["error"].clone()
    }
}

trait Api {
    fn send(&mut self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp;

    /// The (path template, method) pairs answered with a success so far.
    fn successes(&self) -> &BTreeSet<(String, String)>;

    /// Whether requests cross a real socket (and so meet the server's request-line limit).
    fn over_http(&self) -> bool {
        false
    }

    fn get(&mut self, target: &str) -> Resp {
        self.send("GET", target, &[], b"")
    }

    fn delete(&mut self, target: &str) -> Resp {
        self.send("DELETE", target, &[], b"")
    }

    fn post(&mut self, target: &str, body: &Value) -> Resp {
        self.with_json("POST", target, body)
    }

    fn patch(&mut self, target: &str, body: &Value) -> Resp {
        self.with_json("PATCH", target, body)
    }

    fn put(&mut self, target: &str, body: &Value) -> Resp {
        self.with_json("PUT", target, body)
    }

    fn with_json(&mut self, method: &str, target: &str, body: &Value) -> Resp {
        self.send(
            method,
            target,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    fn post_empty(&mut self, target: &str) -> Resp {
        self.send("POST", target, &[], b"")
    }

    fn import(&mut self, target: &str, csv: &[u8]) -> Resp {
        self.send("POST", target, &[("Content-Type", "text/csv")], csv)
    }

    /// How many items a `GET` of a JSON list answers with.
    #[track_caller]
    fn count(&mut self, target: &str) -> usize {
        let v = self.get(target).expect(200).json();
        v.as_array()
            .unwrap_or_else(|| panic!("{target}: not a list: {v}"))
            .len()
    }

    /// `total` of a customer list query.
    #[track_caller]
    fn total(&mut self, query: &str) -> u64 {
        let v = self
            .get(&format!("/api/customers?{query}"))
            .expect(200)
            .json();
        v["total"].as_u64().unwrap()
    }
}

/// The router called directly, over a database in a temp dir.
struct InProc {
    _dir: tempfile::TempDir,
    app: App,
    ok: BTreeSet<(String, String)>,
}

impl InProc {
    fn new() -> InProc {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            &dir.path().join("t.redb"),
            Access::Write,
            Some(Date::parse(TODAY).unwrap()),
        )
        .unwrap();
        InProc {
            _dir: dir,
            app: App::new(desk),
            ok: BTreeSet::new(),
        }
    }
}

impl Api for InProc {
    fn send(&mut self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut req = Request::new(Method::parse(method), target).unwrap();
        for (n, v) in headers {
            req = req.with_header(n, v);
        }
        let req = req.with_body(body.to_vec());
        let r = self.app.handle(&req);
        let resp = Resp {
            status: r.status,
            headers: r
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
            body: r.body,
        };
        conform(method, target, headers, body, &resp, &mut self.ok);
        resp
    }

    fn successes(&self) -> &BTreeSet<(String, String)> {
        &self.ok
    }
}

/// `clientele serve` on a free port, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    conn: Option<Conn>,
    _dir: tempfile::TempDir,
    ok: BTreeSet<(String, String)>,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.redb");
        let mut child = Command::new(env!("CARGO_BIN_EXE_clientele"))
            .arg("--db")
            .arg(&db)
            .args(["--today", TODAY, "serve", "--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the clientele binary starts");
        let stdout = child.stdout.take().unwrap();
        // Drain stderr all along (a full pipe would block the server); keep it for messages.
        let stderr = child.stderr.take().unwrap();
        let errors = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = errors.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut e) = sink.lock() {
                    e.push_str(&line);
                    e.push('\n');
                }
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().ok());
                    return;
                }
            }
            let _ = tx.send(None);
        });
        let port = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(port)) => port,
            other => {
                let _ = child.kill();
                let status = child.wait();
                let err = errors.lock().map(|e| e.clone()).unwrap_or_default();
                panic!(
                    "`clientele serve` did not report its address ({other:?}, {status:?}); stderr: {err}"
                );
            }
        };
        Server {
            child,
            port,
            conn: None,
            _dir: dir,
            ok: BTreeSet::new(),
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn connect(&self) -> Conn {
        Conn::open(self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Api for Server {
    fn over_http(&self) -> bool {
        true
    }

    fn send(&mut self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let host = self.host();
        let mut all: Vec<(&str, &str)> = vec![("Host", host.as_str())];
        all.extend_from_slice(headers);
        // One keep-alive connection, reopened if the server closed it.
        for attempt in 0..2 {
            let mut conn = match self.conn.take() {
                Some(c) => c,
                None => self.connect(),
            };
            match conn.request(method, target, &all, body) {
                Ok(resp) => {
                    if !resp
                        .header("connection")
                        .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                    {
                        self.conn = Some(conn);
                    }
                    conform(method, target, headers, body, &resp, &mut self.ok);
                    return resp;
                }
                Err(e) if attempt == 0 => eprintln!("reconnecting after: {e}"),
                Err(e) => panic!("{method} {target}: {e}"),
            }
        }
        unreachable!()
    }

    fn successes(&self) -> &BTreeSet<(String, String)> {
        &self.ok
    }
}

/// A small HTTP/1.1 client over one keep-alive connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            reader: BufReader::new(stream),
        }
    }

    /// Sends one request (with `Content-Length` whenever there is a body or the method
    /// usually has one) and reads one response.
    fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Resp> {
        let mut head = format!("{method} {target} HTTP/1.1\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        stream.flush()?;
        self.read_response(method == "HEAD")
    }

    /// Sends raw bytes as they are (for malformed or oversized requests).
    fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<Resp> {
        self.reader.get_mut().write_all(bytes)?;
        self.read_response(false)
    }

    fn read_response(&mut self, head_only: bool) -> std::io::Result<Resp> {
        let eof = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed");
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(eof());
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(eof());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                headers.push((n.trim().to_string(), v.trim().to_string()));
            }
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _): &&(String, String)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        if head_only || status == 204 || status == 304 {
            // no body
        } else if let Some(len) = find("content-length") {
            let len: usize = len.parse().map_err(std::io::Error::other)?;
            body.resize(len, 0);
            self.reader.read_exact(&mut body)?;
        } else if find("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            self.reader.read_to_end(&mut body)?;
        }
        Ok(Resp {
            status,
            headers,
            body,
        })
    }
}

// ---- conformance with the OpenAPI document ---------------------------------------------

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// The document's path template matching a concrete path; literal matches win.
fn find_template<'a>(doc: &'a Value, path: &str) -> Option<(&'a str, &'a Value)> {
    let want = segments(path);
    let mut best: Option<(usize, &str, &Value)> = None;
    for (template, item) in doc["paths"].as_object()? {
        let t = segments(template);
        if t.len() != want.len() {
            continue;
        }
        let mut score = 0;
        let fits = t.iter().zip(&want).all(|(t, s)| {
            match t.strip_prefix('{').and_then(|t| t.split_once('}')) {
                Some((_, suffix)) => {
                    score += suffix.len();
                    s.ends_with(suffix) && s.len() > suffix.len()
                }
                None => {
                    score += 100;
                    t == s
                }
            }
        });
        if fits && best.is_none_or(|(b, _, _)| score > b) {
            best = Some((score, template, item));
        }
    }
    best.map(|(_, t, i)| (t, i))
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            doc,
            &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        ),
        None => schema,
    }
}

/// A small JSON Schema checker for the keywords the document uses.
fn check(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = names.iter().any(|t| match *t {
            "string" => v.is_string(),
            "integer" => v.is_u64() || v.is_i64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            _ => false,
        });
        if !fits {
            return Err(format!("{at}: {v} is not of type {types}"));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(v) {
            return Err(format!("{at}: {v} is not one of {values:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < min {
            return Err(format!("{at}: {n} < minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if n > max {
            return Err(format!("{at}: {n} > maximum {max}"));
        }
    }
    if let (Some(min), Some(s)) = (schema.get("minLength").and_then(Value::as_u64), v.as_str()) {
        if (s.chars().count() as u64) < min {
            return Err(format!("{at}: {v} is shorter than {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for key in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !obj.contains_key(key) {
                return Err(format!("{at}: `{key}` is missing"));
            }
        }
        for (key, value) in obj {
            match props.and_then(|p| p.get(key)) {
                Some(s) => check(doc, s, value, &format!("{at}.{key}"))?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        return Err(format!("{at}: `{key}` is not documented"))
                    }
                    Some(s @ Value::Object(_)) => check(doc, s, value, &format!("{at}.{key}"))?,
                    _ => {}
                },
            }
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                return Err(format!("{at}: fewer than {min} items"));
            }
        }
        if let Some(s) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(doc, s, item, &format!("{at}[{i}]"))?;
            }
        }
    }
    if let Some(all) = schema.get("oneOf").and_then(Value::as_array) {
        let n = all.iter().filter(|s| check(doc, s, v, at).is_ok()).count();
        if n != 1 {
            return Err(format!("{at}: matches {n} of oneOf"));
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        if !any.iter().any(|s| check(doc, s, v, at).is_ok()) {
            return Err(format!("{at}: matches none of anyOf"));
        }
    }
    if let Some(not) = schema.get("not") {
        if check(doc, not, v, at).is_ok() {
            return Err(format!("{at}: matches {not}, which it must not"));
        }
    }
    if let (Some(condition), Some(then)) = (schema.get("if"), schema.get("then")) {
        if check(doc, condition, v, at).is_ok() {
            check(doc, then, v, at)?;
        }
    }
    Ok(())
}

/// Checks an answer against the document (see the module comment) and records successes.
fn conform(
    method: &str,
    target: &str,
    req_headers: &[(&str, &str)],
    req_body: &[u8],
    r: &Resp,
    ok: &mut BTreeSet<(String, String)>,
) {
    let doc = openapi::document();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let ctx = format!("{method} {target} → {}", r.status);
    for (name, value) in &r.headers {
        assert!(
            value.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{ctx}: header {name} is not plain ASCII"
        );
    }
    let error_body = |r: &Resp| {
        let v = r.json();
        check(
            doc,
            &json!({ "$ref": "#/components/schemas/Error" }),
            &v,
            "error",
        )
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
    };
    if r.status == 421 || r.status == 403 || r.status == 413 {
        return error_body(r);
    }
    let Some((template, item)) = find_template(doc, path) else {
        assert_eq!(r.status, 404, "{ctx}: undocumented path answered");
        return error_body(r);
    };
    let lower = method.to_ascii_lowercase();
    let Some(op) = item.get(&lower) else {
        if method == "HEAD" && item.get("get").is_some() {
            return;
        }
        assert_eq!(r.status, 405, "{ctx}: undocumented method answered");
        assert!(r.header("allow").is_some(), "{ctx}: 405 without Allow");
        return error_body(r);
    };
    let Some(doc_resp) = op["responses"].get(r.status.to_string()) else {
        panic!("{ctx}: status not documented; body: {}", r.text());
    };
    match doc_resp.get("content").and_then(Value::as_object) {
        None => assert!(r.body.is_empty(), "{ctx}: body where none is documented"),
        Some(content) => {
            let (media, spec) = content.iter().next().unwrap();
            let ct = r.header("content-type").unwrap_or_default();
            assert!(
                ct.starts_with(media.as_str()),
                "{ctx}: content type {ct}, documented {media}"
            );
            if media == "application/json" {
                check(doc, &spec["schema"], &r.json(), "body")
                    .unwrap_or_else(|e| panic!("{ctx}: response does not fit: {e}"));
            }
        }
    }
    if !(200..300).contains(&r.status) {
        return;
    }
    // The server accepted this request, so the document must accept it too.
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let req = Request::new(Method::Get, &format!("/?{query}")).unwrap();
    for (key, value) in req.query_pairs().unwrap() {
        let Some(p) = params
            .iter()
            .find(|p| p["in"] == "query" && p["name"] == key.as_str())
        else {
            panic!("{ctx}: query parameter {key} is not documented");
        };
        let schema = &p["schema"];
        let v = if schema["type"] == "array" {
            Value::Array(
                value
                    .split(',')
                    .map(|s| typed(&schema["items"], s))
                    .collect(),
            )
        } else {
            typed(schema, &value)
        };
        check(doc, schema, &v, &key).unwrap_or_else(|e| panic!("{ctx}: accepted query {e}"));
    }
    for (name, value) in req_headers {
        if let Some(p) = params.iter().find(|p| {
            p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) {
            check(doc, &p["schema"], &json!(value), name)
                .unwrap_or_else(|e| panic!("{ctx}: accepted header {e}"));
        }
    }
    if r.header("Idempotent-Replayed").is_some() {
        assert!(
            doc_resp["headers"].get("Idempotent-Replayed").is_some(),
            "{ctx}: undocumented response header Idempotent-Replayed"
        );
    }
    if let Some(rb) = op.get("requestBody") {
        let ct = req_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| *v);
        if rb["content"].get("application/json").is_some() && ct.is_some() {
            let v: Value = serde_json::from_slice(req_body).unwrap();
            check(
                doc,
                &rb["content"]["application/json"]["schema"],
                &v,
                "request",
            )
            .unwrap_or_else(|e| panic!("{ctx}: accepted request does not fit the document: {e}"));
        }
    }
    ok.insert((template.to_string(), lower));
}

/// A query value as the JSON type its schema names.
fn typed(schema: &Value, s: &str) -> Value {
    if schema["type"] == "integer" {
        s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n))
    } else {
        json!(s)
    }
}

// ---- fixtures --------------------------------------------------------------------------

/// Plans, templates and a firmware entry, created through the API.
fn seed(api: &mut dyn Api) {
    for (name, product, kind, months, managed) in [
        ("WFBS-S Full", "wfbss", "full", 12, true),
        ("WFBS-S Trial", "wfbss", "trial", 1, true),
        ("Cloud Edge Full", "cloud-edge", "full", 12, true),
        ("HES Unmanaged", "hes", "full", 24, false),
    ] {
        api.post(
            "/api/plans",
            &json!({ "name": name, "product": product, "kind": kind, "months": months, "managed": managed }),
        )
        .expect(201);
    }
    api.post(
        "/api/templates",
        &json!({ "name": "Strict Mode", "product": "wfbss", "settings": { "scan": "deep" } }),
    )
    .expect(201);
    api.post(
        "/api/templates",
        &json!({ "name": "Edge Default", "product": "cloud-edge" }),
    )
    .expect(201);
    api.put("/api/firmware/CE-100", &json!({ "version": "3.2.0" }))
        .expect(200);
}

fn customer(company: &str, account: &str, kind: &str, licenses: Value) -> Value {
    json!({
        "company": company,
        "account_name": account,
        "account_type": kind,
        "contact_first_name": "Ana",
        "contact_last_name": "Lima",
        "email": "ana@example.com",
        "city": "Lisboa",
        "state": "Lisboa",
        "country": "PT",
        "licenses": licenses,
    })
}

fn lic(plan: &str, units: u32, used: u32, start: &str) -> Value {
    json!({ "plan": plan, "units": units, "used": used, "start": start })
}

/// Adds a customer and returns its id.
#[track_caller]
fn add(api: &mut dyn Api, body: &Value) -> u64 {
    api.post("/api/customers", body).expect(201).json()["id"]
        .as_u64()
        .unwrap()
}

/// A licence to add: plan, units, used, start.
type Licence<'a> = (&'a str, u32, u32, &'a str);

/// Adds a customer holding the given licences; returns its id.
#[track_caller]
fn add_holding(
    api: &mut dyn Api,
    company: &str,
    account: &str,
    kind: &str,
    licences: &[Licence],
) -> u64 {
    let licences: Vec<Value> = licences
        .iter()
        .map(|&(plan, units, used, start)| lic(plan, units, used, start))
        .collect();
    add(
        api,
        &customer(company, account, kind, Value::from(licences)),
    )
}

/// Sends each row's JSON body with `method` to its target and checks the error's status
/// and field; a failure names the row.
#[track_caller]
fn refuses_all(api: &mut dyn Api, method: &str, rows: &[(&str, Value, u16, Option<&str>)]) {
    for (target, body, status, field) in rows {
        api.with_json(method, target, body).error_in(
            &format!("{method} {target} {body}"),
            *status,
            *field,
        );
    }
}

/// Runs each scenario in process and against the binary.
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn in_process() {
                super::$name(&mut super::InProc::new());
            }
            #[test]
            fn binary() {
                super::$name(&mut super::Server::start());
            }
        }
    )*};
}

both!(
    awkward_data_round_trips_byte_exact,
    every_filter_counts_its_total,
    paging_and_sort,
    a_page_asked_for_again_shows_each_write,
    errors_name_the_field_and_fit_the_status,
    bulk_tasks_dry_run_then_real_run,
    delete_is_refused_while_licences_remain,
    csv_export_imports_back_unchanged,
    import_with_bad_rows_lists_their_lines,
    limits_answer_422_naming_the_field_and_the_limit,
    view_setting_applies_to_list_and_export,
    outbox_message_downloads_as_eml,
    audit_log_records_api_changes,
    reference_data_and_holdings,
    idempotency_key_replays_a_task_run,
    stored_runs_list_page_and_show,
    runway_counts_equal_the_list_totals,
);

// ---- scenarios -------------------------------------------------------------------------

fn awkward_data_round_trips_byte_exact(api: &mut dyn Api) {
    seed(api);
    let notes = "line one, with \"quotes\"; semicolons\nline two: مرحبا 你好 🎉\n=1+2\n<b>bold</b>";
    let mut body = customer(
        "=HYPERLINK(\"x\"), <script>alert('x')</script> & Söhne 🎉",
        "awkward_01",
        "LMP",
        json!([lic("WFBS-S Full", 10, 3, "2026-06-01")]),
    );
    body["contact_first_name"] = json!("Zoë \"Z\"");
    body["contact_last_name"] = json!("محمد");
    body["address"] = json!("1, \"Main\" St; 東京");
    body["city"] = json!("-Köln");
    body["state"] = json!("+NRW");
    body["notes"] = json!(notes);
    body["phone"] = json!("+49 (30) 123-45.6 x7");
    body["time_zone"] = json!("Europe/Berlin");
    body["language"] = json!("de-DE");
    body["wfbs_template"] = json!("Strict Mode");
    let created = api.post("/api/customers", &body).expect(201).json();
    let id = created["id"].as_u64().unwrap();
    let got = api.get(&format!("/api/customers/{id}")).expect(200).json();
    for key in [
        "company",
        "account_name",
        "account_type",
        "contact_first_name",
        "contact_last_name",
        "email",
        "phone",
        "address",
        "city",
        "state",
        "country",
        "time_zone",
        "language",
        "notes",
        "wfbs_template",
    ] {
        assert_eq!(got[key], body[key], "{key}");
        assert_eq!(created[key], body[key], "{key}");
    }
    assert_eq!(got["licenses"][0]["plan"], "WFBS-S Full");
    assert_eq!(got["licenses"][0]["expiry"], "2027-06-01");
    assert_eq!(got["license_status"], "normal");
    assert_eq!(got["status"], "active");
    assert!(got["devices"].as_array().unwrap().is_empty());
    assert!(got["history"].as_array().unwrap().len() == 1);

    // Surrounding whitespace of single-line fields is trimmed; inner text is kept.
    let mut spaced = customer("  Spaced  Out  ", "spaced_1", "CLP", json!([]));
    spaced["notes"] = json!("  keep me  \n");
    let v = api.post("/api/customers", &spaced).expect(201).json();
    assert_eq!(v["company"], "Spaced  Out");

    // The keyword search finds any of the awkward text.
    for q in ["<script>", "söhne", "🎉", "محمد", "=hyperlink"] {
        assert_eq!(api.total(&format!("q={}", url_encode(q))), 1, "{q}");
    }
    // The list item is the same as the detail's customer part.
    let listed = api.get("/api/customers?q=awkward").expect(200).json();
    assert_eq!(listed["items"][0]["company"], body["company"]);
    assert_eq!(listed["items"][0]["notes"], json!(notes));

    // PATCH with one field changes only that field.
    let patched = api
        .patch(
            &format!("/api/customers/{id}"),
            &json!({ "city": "Zürich, \"CH\"" }),
        )
        .expect(200)
        .json();
    assert_eq!(patched["city"], "Zürich, \"CH\"");
    assert_eq!(patched["company"], body["company"]);
    assert_eq!(patched["notes"], json!(notes));
    // An item read from the API can be sent back as it is.
    let back = api
        .patch(&format!("/api/customers/{id}"), &patched)
        .expect(200)
        .json();
    assert_eq!(back["updated_at"], patched["updated_at"]);
}

fn every_filter_counts_its_total(api: &mut dyn Api) {
    seed(api);
    // A: CLP, no licence. B: LMP expired. C: LMP normal. D: LMP unmanaged HES, normal.
    // E: CLP Cloud Edge expiring soon. F: LMP exceeded allocation.
    #[rustfmt::skip]
    let rows: [(&str, &str, &str, &[Licence]); 6] = [
        ("Alpha GmbH",  "alpha",   "CLP", &[]),
        ("Bravo Ltd",   "bravo",   "LMP", &[("WFBS-S Full", 5, 1, "2025-01-01")]),
        ("Charlie Inc", "charlie", "LMP", &[("WFBS-S Full", 5, 1, "2026-01-10")]),
        ("Delta AG",    "delta",   "LMP", &[("HES Unmanaged", 5, 1, "2025-01-10")]),
        ("Echo SA",     "echo",    "CLP", &[("Cloud Edge Full", 5, 1, "2025-12-15")]),
        ("Foxtrot BV",  "foxtrot", "LMP", &[("WFBS-S Full", 5, 9, "2026-06-01")]),
    ];
    let ids: Vec<u64> = rows
        .iter()
        .map(|&(company, account, kind, licences)| {
            add_holding(api, company, account, kind, licences)
        })
        .collect();
    let d = ids[3];
    for (query, total) in [
        ("", 6),
        ("q=alpha", 1),
        ("q=ALPHA", 1),
        ("q=ana%40example", 6),
        ("q=", 6),
        ("account_type=clp", 2),
        ("account_type=lmp", 4),
        ("status=active", 6),
        ("status=suspended", 0),
        ("product=wfbss", 3),
        ("product=wfbss&product=cloud-edge", 4),
        ("product=hes,cloud-edge", 2),
        ("license=expired", 1),
        ("license=exceeded_allocation", 1),
        ("license=expiring_soon", 1),
        ("license=normal", 2),
        ("license=none", 1),
        ("attention=yes", 3),
        ("attention=no", 3),
        ("managed=yes", 4),
        ("managed=no", 2),
        ("account_type=lmp&license=normal&managed=yes", 1),
        ("sort=-attention&limit=1", 6),
    ] {
        assert_eq!(api.total(query), total, "{query}");
    }
    api.post("/api/tasks/suspend", &json!({ "ids": [d] }))
        .expect(200);
    assert_eq!(api.total("status=suspended"), 1);
    let v = api
        .get("/api/customers?status=suspended")
        .expect(200)
        .json();
    assert_eq!(v["items"][0]["company"], "Delta AG");
    // The why of "needs attention" is given in words.
    let v = api.get("/api/customers?license=expired").expect(200).json();
    assert!(!v["items"][0]["attention_reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    // Unknown parameters and bad values are named.
    for (query, status, field) in [
        ("colour=red", 422, Some("colour")),
        ("license=lapsed", 422, Some("license")),
        ("limit=0", 422, Some("limit")),
        ("limit=1001", 422, Some("limit")),
        ("offset=-1", 422, Some("offset")),
        ("status=", 422, Some("status")),
        ("q=%zz", 400, None),
    ] {
        api.get(&format!("/api/customers?{query}"))
            .error_in(query, status, field);
    }
}

fn paging_and_sort(api: &mut dyn Api) {
    seed(api);
    // Created out of order; expiries spread so next_expiry differs.
    for i in [7, 3, 11, 0, 5, 9, 1, 10, 2, 8, 4, 6] {
        let start = format!("2026-{:02}-01", 12 - i % 12);
        add(
            api,
            &customer(
                &format!("Company {i:02}"),
                &format!("acct_{:02}", 11 - i),
                "LMP",
                json!([lic("WFBS-S Full", 5, 1, &start)]),
            ),
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["company"].as_str().unwrap().to_string())
            .collect()
    };
    let page = api.get("/api/customers?limit=5").expect(200).json();
    assert_eq!(
        (page["total"].as_u64(), page["limit"].as_u64()),
        (Some(12), Some(5))
    );
    assert_eq!(names(&page)[0], "Company 00");
    let page = api
        .get("/api/customers?limit=5&offset=10")
        .expect(200)
        .json();
    assert_eq!(names(&page), ["Company 10", "Company 11"]);
    assert_eq!(page["offset"], 10);
    let page = api
        .get("/api/customers?limit=5&offset=50")
        .expect(200)
        .json();
    assert_eq!((page["total"].as_u64(), names(&page).len()), (Some(12), 0));
    let page = api
        .get("/api/customers?sort=-company&limit=2")
        .expect(200)
        .json();
    assert_eq!(names(&page), ["Company 11", "Company 10"]);
    let page = api
        .get("/api/customers?sort=account_name&limit=2")
        .expect(200)
        .json();
    assert_eq!(names(&page), ["Company 11", "Company 10"]);
    let all = api
        .get("/api/customers?sort=next_expiry&limit=100")
        .expect(200)
        .json();
    let expiries: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["next_expiry"].as_str().unwrap())
        .collect();
    let mut sorted = expiries.clone();
    sorted.sort();
    assert_eq!(expiries, sorted);
    // Paging through a sorted list visits everyone once.
    let mut seen = Vec::new();
    for offset in (0..12).step_by(5) {
        let page = api
            .get(&format!(
                "/api/customers?sort=-next_expiry&limit=5&offset={offset}"
            ))
            .expect(200)
            .json();
        seen.extend(names(&page));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12);
    api.get("/api/customers?sort=size").error(422, Some("sort"));
}

/// The same page asked for again (which the server answers from what it kept) shows every
/// change committed in between: an edit, a new customer, a deletion.
fn a_page_asked_for_again_shows_each_write(api: &mut dyn Api) {
    let ids: Vec<u64> = ["B", "C", "D"]
        .iter()
        .map(|c| add(api, &customer(c, &format!("acct_{c}"), "CLP", json!([]))))
        .collect();
    let page = "/api/customers?limit=2";
    let shown = |api: &mut dyn Api| -> (u64, Vec<String>) {
        let first = api.get(page).expect(200);
        let again = api.get(page).expect(200);
        assert_eq!(first.body, again.body);
        let v = again.json();
        let names = v["items"].as_array().unwrap().iter();
        let names = names.map(|c| c["company"].as_str().unwrap().to_owned());
        (v["total"].as_u64().unwrap(), names.collect())
    };
    assert_eq!(shown(api), (3, vec!["B".into(), "C".into()]));
    api.patch(
        &format!("/api/customers/{}", ids[0]),
        &json!({ "company": "E" }),
    )
    .expect(200);
    assert_eq!(shown(api), (3, vec!["C".into(), "D".into()]));
    add(api, &customer("A", "acct_A", "CLP", json!([])));
    assert_eq!(shown(api), (4, vec!["A".into(), "C".into()]));
    api.delete(&format!("/api/customers/{}", ids[1]))
        .expect(204);
    assert_eq!(shown(api), (3, vec!["A".into(), "D".into()]));
}

fn errors_name_the_field_and_fit_the_status(api: &mut dyn Api) {
    seed(api);
    let good = customer("Good Co", "good_co", "CLP", json!([]));
    // Field rules: 422 with the field, every field error listed.
    let mut bad = good.clone();
    bad["email"] = json!("not-an-email");
    api.post("/api/customers", &bad).error(422, Some("email"));
    let mut bad = good.clone();
    bad["email"] = json!("x");
    bad["country"] = json!("de");
    bad["account_name"] = json!("a b");
    let e = api
        .post("/api/customers", &bad)
        .error(422, Some("account_name"));
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["account_name", "email", "country"]);
    assert!(e["message"].as_str().unwrap().contains("upper case"));
    api.post("/api/customers", &json!({}))
        .error(422, Some("company"));
    let mut bad = good.clone();
    bad["licenses"] = json!([{ "plan": "Nope", "units": 1 }]);
    api.post("/api/customers", &bad)
        .error(422, Some("licenses[0].plan"));
    let mut bad = good.clone();
    bad["licenses"] = json!([{ "plan": "WFBS-S Full", "units": 1, "colour": 1 }]);
    api.post("/api/customers", &bad)
        .error(422, Some("licenses[0].colour"));
    // Duplicates: 409 naming the field, ignoring case.
    let id = add(api, &good);
    let mut dup = good.clone();
    dup["account_name"] = json!("other_co");
    dup["company"] = json!("GOOD CO");
    api.post("/api/customers", &dup).error(409, Some("company"));
    let mut dup = good.clone();
    dup["company"] = json!("Other Co");
    dup["account_name"] = json!("GOOD_CO");
    api.post("/api/customers", &dup)
        .error(409, Some("account_name"));
    // JSON that cannot be read: 400 with serde's position; wrong types name the field.
    let r = api.send(
        "POST",
        "/api/customers",
        &[("Content-Type", "application/json")],
        b"{\"company\": \"x\",",
    );
    let e = r.error(400, None);
    assert!(
        e["message"].as_str().unwrap().contains("line 1 column"),
        "{e}"
    );
    let mut bad = good.clone();
    bad["company"] = json!(42);
    let e = api.post("/api/customers", &bad).error(400, Some("company"));
    assert_eq!(e["code"], "bad_json");
    let mut bad = good.clone();
    bad["favourite_colour"] = json!("red");
    let e = api
        .post("/api/customers", &bad)
        .error(422, Some("favourite_colour"));
    assert_eq!(e["code"], "unknown_field");
    api.post("/api/customers", &json!([1, 2])).error(400, None);
    // Media types.
    let body = good.to_string();
    api.send(
        "POST",
        "/api/customers",
        &[("Content-Type", "text/plain")],
        body.as_bytes(),
    )
    .error(415, None);
    api.send("POST", "/api/customers", &[], body.as_bytes())
        .error(415, None);
    api.send(
        "PATCH",
        &format!("/api/customers/{id}"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"city=x",
    )
    .error(415, None);
    api.post_empty("/api/customers").error(400, None);
    api.send(
        "POST",
        "/api/customers",
        &[("Content-Type", "application/json; charset=utf-8")],
        body.replace("Good Co", "Charset Co")
            .replace("good_co", "charset_co")
            .as_bytes(),
    )
    .expect(201);
    // Paths and methods.
    api.get("/api/nothing-here").error(404, None);
    api.get("/api/customers/999999").error(404, None);
    api.get("/api/customers/abc").error(404, Some("id"));
    api.delete("/api/customers/999999").error(404, None);
    api.patch("/api/customers/999999", &json!({ "city": "x" }))
        .error(404, None);
    let r = api.send(
        "PUT",
        "/api/customers",
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    r.error(405, None);
    let r = api.delete("/api/settings");
    assert_eq!(r.header("allow"), Some("GET, HEAD, PUT"));
    r.error(405, None);
    let r = api.delete("/api/outbox/1.eml");
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    r.error(405, None);
    let r = api.get("/api/tasks/delete");
    assert_eq!(r.header("allow"), Some("POST"));
    api.post("/api/tasks/explode", &json!({ "ids": [id] }))
        .error(404, None);
    // Query parameters where none are taken.
    api.get(&format!("/api/customers/{id}?verbose=yes"))
        .error(422, Some("verbose"));
    // Edits are validated like adds.
    let target = format!("/api/customers/{id}");
    #[rustfmt::skip]
    let rows = [
        (&target[..], json!({ "email": "nope" }),                      422, Some("email")),
        (&target[..], json!({ "status": "sleeping" }),                 422, Some("status")),
        (&target[..], json!({ "cloud_edge_template": "Edge Default" }), 422, Some("cloud_edge_template")),
    ];
    refuses_all(api, "PATCH", &rows);
}

fn bulk_tasks_dry_run_then_real_run(api: &mut dyn Api) {
    seed(api);
    let lmp_expired = add_holding(
        api,
        "Expired LMP",
        "exp_lmp",
        "LMP",
        &[("WFBS-S Full", 5, 1, "2025-01-01")],
    );
    let lmp_trial = add_holding(
        api,
        "Trial LMP",
        "trial_lmp",
        "LMP",
        &[("WFBS-S Trial", 5, 1, "2025-01-01")],
    );
    let clp = add(api, &customer("Plain CLP", "plain_clp", "CLP", json!([])));

    // Suspend: the dry run reports and writes nothing.
    let r = api
        .post(
            "/api/tasks/suspend",
            &json!({ "ids": [clp, lmp_expired], "dry_run": true }),
        )
        .expect(200)
        .json();
    assert_eq!(
        (r["task"].as_str(), r["dry_run"].as_bool()),
        (Some("suspend"), Some(true))
    );
    assert_eq!(r["ok"], 2);
    assert_eq!(api.total("status=suspended"), 0);
    let r = api
        .post("/api/tasks/suspend", &json!({ "ids": [clp, lmp_expired] }))
        .expect(200)
        .json();
    assert_eq!(
        (r["ok"].as_u64(), r["dry_run"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(api.total("status=suspended"), 2);
    let r = api
        .post(
            "/api/tasks/reactivate",
            &json!({ "filter": { "status": "suspended" } }),
        )
        .expect(200)
        .json();
    assert_eq!(r["ok"], 2);
    assert_eq!(api.total("status=suspended"), 0);

    // Renew by filter: one renewed, the trial skipped with its reason, CLP not selected.
    let select = json!({ "filter": { "license": "expired" }, "dry_run": true });
    let r = api.post("/api/tasks/renew", &select).expect(200).json();
    assert_eq!(
        (r["ok"].as_u64(), r["skipped"].as_u64()),
        (Some(1), Some(1))
    );
    let trial = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == lmp_trial)
        .unwrap();
    assert_eq!(trial["outcome"], "skipped");
    assert!(trial["reason"].as_str().unwrap().contains("trial"));
    assert_eq!(api.total("license=expired"), 2);
    let r = api
        .post(
            "/api/tasks/renew",
            &json!({ "filter": { "license": "expired", "account_type": "lmp" }, "until": "2027-12-31", "include_expiring": true }),
        )
        .expect(200)
        .json();
    assert_eq!(r["ok"], 1);
    let v = api
        .get(&format!("/api/customers/{lmp_expired}"))
        .expect(200)
        .json();
    assert_eq!(v["licenses"][0]["expiry"], "2027-12-31");
    assert_eq!(api.total("license=expired"), 1);

    // Assign template and deploy policy: LMP holding wfbss only; CLP skipped with a reason.
    let r = api
        .post(
            "/api/tasks/assign-template",
            &json!({ "ids": [lmp_expired, clp, 999_999], "template": "Strict Mode" }),
        )
        .expect(200)
        .json();
    let outcomes: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "skipped", "failed"]);
    assert!(r["results"][1]["reason"].as_str().unwrap().contains("LMP"));
    let deploy = json!({
        "ids": [lmp_expired],
        "list": "blocked-urls",
        "action": "append",
        "entries": "https://bad.example/;http://worse.example",
    });
    api.post("/api/tasks/deploy-policy", &deploy).expect(200);
    let v = api
        .get(&format!("/api/customers/{lmp_expired}"))
        .expect(200)
        .json();
    assert_eq!(
        v["policies"]["blocked-urls"],
        json!(["https://bad.example/", "http://worse.example"])
    );
    assert_eq!(v["wfbs_template"], "Strict Mode");
    let mut bad = deploy.clone();
    bad["entries"] = json!("https://ok.example/;ftp://nope");
    let e = api
        .post("/api/tasks/deploy-policy", &bad)
        .error(422, Some("entries"));
    assert!(e["message"].as_str().unwrap().contains("entry 2"));

    // Selection and option errors.
    let (suspend, assign) = ("/api/tasks/suspend", "/api/tasks/assign-template");
    #[rustfmt::skip]
    let rows = [
        (suspend, json!({ "dry_run": true }),                       422, Some("ids")),
        (suspend, json!({ "ids": [] }),                             422, Some("ids")),
        (suspend, json!({ "ids": [clp], "filter": {} }),            422, Some("ids")),
        (suspend, json!({ "ids": [clp], "template": "Strict Mode" }), 422, Some("template")),
        (suspend, json!({ "ids": [clp], "force": true }),           422, Some("force")),
        (suspend, json!({ "ids": "1,2" }),                          400, Some("ids")),
        (suspend, json!({ "ids": [clp], "dry_run": "yes" }),        400, Some("dry_run")),
        (assign,  json!({ "ids": [clp] }),                          422, Some("template")),
        (assign,  json!({ "ids": [clp], "template": "Edge Default" }), 422, Some("template")),
        ("/api/tasks/renew", json!({ "ids": [clp], "until": "2020-01-01" }), 422, Some("until")),
        (suspend, json!({ "filter": { "colour": "red" } }),         422, Some("filter.colour")),
        (suspend, json!({ "filter": { "limit": 5 } }),              422, Some("filter.limit")),
        (suspend, json!({ "filter": { "license": "lapsed" } }),     422, Some("filter.license")),
        (suspend, json!({ "filter": { "status": "" } }),            422, Some("filter.status")),
    ];
    refuses_all(api, "POST", &rows);
    // Filter values may be lists and booleans.
    let r = api
        .post(
            "/api/tasks/suspend",
            &json!({ "filter": { "product": ["wfbss", "hes"], "attention": true }, "dry_run": true }),
        )
        .expect(200)
        .json();
    assert_eq!(r["ok"], 1);
    // Update firmware with nothing to update: skipped, not failed.
    let r = api
        .post(
            "/api/tasks/update-firmware",
            &json!({ "ids": [lmp_expired] }),
        )
        .expect(200)
        .json();
    assert_eq!(r["skipped"], 1);
}

fn delete_is_refused_while_licences_remain(api: &mut dyn Api) {
    seed(api);
    let id = add_holding(
        api,
        "Leaving Ltd",
        "leaving",
        "CLP",
        &[("HES Unmanaged", 1, 0, "2026-01-01")],
    );
    let lmp = add(api, &customer("Staying LMP", "staying", "LMP", json!([])));
    let e = api.delete(&format!("/api/customers/{id}")).error(409, None);
    assert_eq!(e["code"], "refused");
    assert!(e["message"].as_str().unwrap().contains("licence"), "{e}");
    let e = api
        .delete(&format!("/api/customers/{lmp}"))
        .error(409, None);
    assert!(e["message"].as_str().unwrap().contains("LMP"), "{e}");
    // The bulk task says the same per customer, and its dry run deletes nothing.
    let r = api
        .post(
            "/api/tasks/delete",
            &json!({ "ids": [id, lmp], "dry_run": true }),
        )
        .expect(200)
        .json();
    assert_eq!(r["skipped"], 2);
    let licences = api
        .get(&format!("/api/customers/{id}/licenses"))
        .expect(200)
        .json();
    let licence = licences[0]["id"].as_u64().unwrap();
    api.delete(&format!("/api/licenses/{licence}")).expect(204);
    api.delete(&format!("/api/licenses/{licence}"))
        .error(404, None);
    api.delete(&format!("/api/customers/{id}")).expect(204);
    api.get(&format!("/api/customers/{id}")).error(404, None);
    api.delete(&format!("/api/customers/{id}")).error(404, None);
    // The audit log keeps the deleted customer's last full record.
    let log = api
        .get(&format!("/api/audit?customer={id}"))
        .expect(200)
        .json();
    let deleted = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["task"] == "delete")
        .unwrap();
    let snapshot: Value = serde_json::from_str(deleted["snapshot"].as_str().unwrap()).unwrap();
    assert_eq!(snapshot["company"], "Leaving Ltd");
    assert_eq!(deleted["actor"], "api");
}

fn csv_export_imports_back_unchanged(api: &mut dyn Api) {
    seed(api);
    let mut a = customer(
        "=cmd|' /C calc'!A0, \"Ltd\"",
        "csv_awkward",
        "LMP",
        json!([
            lic("WFBS-S Full", 10, 3, "2026-06-01"),
            lic("HES Unmanaged", 2, 2, "2025-03-01")
        ]),
    );
    a["notes"] = json!("multi\nline, \"quoted\"\n+1 and @home 🎉 العربية 中文");
    a["wfbs_template"] = json!("Strict Mode");
    let first = add(api, &a);
    let mut b = customer("Plain, Simple", "csv_plain", "CLP", json!([]));
    b["phone"] = json!("-1 555");
    add(api, &b);
    add_holding(
        api,
        "Edge Co",
        "csv_edge",
        "LMP",
        &[("Cloud Edge Full", 3, 1, "2026-02-28")],
    );

    let csv = api.get("/api/customers.csv").expect(200);
    assert_eq!(
        csv.header("content-disposition").unwrap(),
        format!("attachment; filename=\"customers-{TODAY}.csv\"; filename*=UTF-8''customers-{TODAY}.csv")
    );
    let text = csv.text();
    assert!(text.starts_with("id,company,account_name,"));
    assert_eq!(text.matches("csv_").count(), 3);
    assert!(
        text.contains("\"'=cmd|' /C calc'!A0, \"\"Ltd\"\"\""),
        "{text}"
    );
    assert!(text.contains("WFBS-S Full:10:3:2026-06-01:2027-06-01"));

    for target in ["/api/import?dry_run=yes", "/api/import"] {
        let r = api.import(target, &csv.body).expect(200).json();
        assert_eq!(
            (
                r["created"].as_u64(),
                r["updated"].as_u64(),
                r["unchanged"].as_u64(),
                r["rejected"].as_u64()
            ),
            (Some(0), Some(0), Some(3), Some(0)),
            "{target}: {r}"
        );
    }
    // Excel flavour: BOM and CRLF, and it imports back too.
    let excel = api.get("/api/customers.csv?excel=yes").expect(200);
    assert!(excel.body.starts_with(b"\xEF\xBB\xBFid,company"));
    assert!(excel.text().contains("\r\n"));
    assert_eq!(
        excel.header("content-disposition"),
        csv.header("content-disposition")
    );
    let r = api.import("/api/import", &excel.body).expect(200).json();
    assert_eq!(r["unchanged"], 3);
    // Raw: no guard, and raw=yes on import takes every cell as written, so a value that
    // itself starts with `'` survives the round trip (a guarded import would strip it).
    let raw = api.get("/api/customers.csv?raw=yes").expect(200).text();
    assert!(raw.contains("\"=cmd|"));
    let quoted = raw.replace("Plain, Simple", "'=Plain, Simple");
    let r = api
        .import("/api/import?raw=yes", quoted.as_bytes())
        .expect(200)
        .json();
    assert_eq!(
        (r["updated"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(2))
    );
    let again = api.get("/api/customers.csv?raw=yes").expect(200).text();
    assert!(again.contains("\"'=Plain, Simple\""), "{again}");
    let r = api
        .import("/api/import?raw=yes", again.as_bytes())
        .expect(200)
        .json();
    assert_eq!(r["unchanged"], 3);
    api.import("/api/import?raw=maybe", again.as_bytes())
        .error(422, Some("raw"));
    let r = api.import("/api/import", raw.as_bytes()).expect(200).json();
    assert_eq!(r["updated"], 1, "restores the company without the quote");
    // Ids select exactly those; filters select matches.
    let one = api
        .get(&format!("/api/customers.csv?ids={first}"))
        .expect(200)
        .text();
    assert_eq!(one.matches("csv_").count(), 1);
    assert!(one.contains("csv_awkward"));
    let lmp = api
        .get("/api/customers.csv?account_type=lmp")
        .expect(200)
        .text();
    assert!(lmp.contains("csv_edge") && !lmp.contains("csv_plain"));
    api.get(&format!("/api/customers.csv?ids={first}&account_type=lmp"))
        .error(422, Some("account_type"));
    api.get("/api/customers.csv?ids=x").error(422, Some("ids"));
    api.get("/api/customers.csv?ids=424242").error(404, None);
    api.get("/api/customers.csv?excel=maybe")
        .error(422, Some("excel"));

    // An edited export updates; a new row creates.
    let edited = csv.text().replace("Plain, Simple", "Plain, Simpler");
    let r = api
        .import("/api/import", edited.as_bytes())
        .expect(200)
        .json();
    assert_eq!(
        (r["updated"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(api.total("q=simpler"), 1);
    // Only CSV bodies.
    api.send(
        "POST",
        "/api/import",
        &[("Content-Type", "application/json")],
        b"{}",
    )
    .error(415, None);
    let e = api.import("/api/import", b"").error(400, None);
    assert_eq!(e["code"], "bad_csv");
    api.import("/api/import?dry_run=perhaps", &csv.body)
        .error(422, Some("dry_run"));
}

fn import_with_bad_rows_lists_their_lines(api: &mut dyn Api) {
    seed(api);
    add(api, &customer("Existing", "existing", "CLP", json!([])));
    let header = "id,company,account_name,account_type,status,contact_first_name,contact_last_name,email,phone,address,city,state,postal_code,country,time_zone,language,products,licenses,license_status,next_expiry,threat_system_action_required,threat_system_warning,license_action_required,license_warning,needs_attention,managed,wfbs_template,cloud_edge_template,last_transaction,created_at,notes";
    let row = |company: &str, account: &str, email: &str, licenses: &str, notes: &str| {
        format!(
            ",\"{company}\",{account},CLP,active,Ana,Lima,{email},,,Lisboa,Lisboa,,PT,UTC,en,,{licenses},,,,,,,,,,,,,\"{notes}\"\n"
        )
    };
    let csv = format!(
        "{header}\n{}{}{}{}",
        row("Good One", "good_one", "a@b.example", "", "two\nlines"),
        row("Bad Mail", "bad_mail", "nope", "", ""),
        row("Good Two", "good_two", "a@b.example", "", ""),
        row(
            "Bad Plan",
            "bad_plan",
            "a@b.example",
            "Platinum:1:0:2026-01-01:2027-01-01",
            ""
        ),
    );
    let e = api.import("/api/import", csv.as_bytes()).error(422, None);
    assert_eq!(e["code"], "import_rejected");
    let rows = e["rows"].as_array().unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [4, 6]);
    assert_eq!(rows[0]["account_name"], "bad_mail");
    assert_eq!(rows[0]["errors"][0]["field"], "email");
    assert_eq!(rows[1]["errors"][0]["field"], "licenses[0].plan");
    // Nothing was written.
    assert_eq!(api.total(""), 1);
    // A dry run reports the same rows with counts, as a 200.
    let r = api
        .import("/api/import?dry_run=yes", csv.as_bytes())
        .expect(200)
        .json();
    assert_eq!(
        (r["created"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(r["errors"].as_array().unwrap().len(), 2);
    assert_eq!(api.total(""), 1);
    // A wrong header is a 400 that says which column.
    let e = api
        .import("/api/import", b"id,name\n1,x\n")
        .error(400, None);
    assert!(e["message"].as_str().unwrap().contains("column 2"), "{e}");
}

fn limits_answer_422_naming_the_field_and_the_limit(api: &mut dyn Api) {
    seed(api);
    let id = add(
        api,
        &customer("Müller, \"Bau\" 東京", "mueller_bau", "LMP", json!([])),
    );
    // A customer with more licences than one may hold.
    let mut big = customer("Big 🚀", "big_co", "LMP", json!([]));
    big["licenses"] = json!(vec![lic("WFBS-S Full", 1, 0, "2026-01-01"); 1_001]);
    let e = api
        .post("/api/customers", &big)
        .error(422, Some("licenses"));
    let m = e["message"].as_str().unwrap();
    assert!(
        m.contains("at most 1,000") && m.contains("got 1,001"),
        "{m}"
    );
    // More ids than one selection takes: a filter is suggested.
    let ids: Vec<u64> = (1..=10_001).collect();
    let e = api
        .post(
            "/api/tasks/suspend",
            &json!({ "ids": ids, "dry_run": true }),
        )
        .error(422, Some("ids"));
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("10,000") && m.contains("filter"), "{m}");
    // At the cap, unknown ids beyond the first hundred share one result: the answer stays small.
    let ids: Vec<u64> = (1_000_001..=1_010_000).collect();
    let r = api
        .post(
            "/api/tasks/suspend",
            &json!({ "ids": ids, "dry_run": true }),
        )
        .expect(200)
        .json();
    assert_eq!(r["failed"], 10_000);
    assert_eq!(r["results"].as_array().unwrap().len(), 101);
    // Over HTTP, so many ids never fit in a request line (8 KiB): the line is refused first.
    let ids: Vec<String> = (1..=10_001).map(|i| i.to_string()).collect();
    let export = format!("/api/customers.csv?ids={}", ids.join(","));
    if api.over_http() {
        let e = api.get(&export).error(414, None);
        assert!(e["message"].as_str().unwrap().contains("8 KiB"), "{e}");
    } else {
        api.get(&export).error(422, Some("ids"));
    }
    // A policy list at its maximum takes no more entries: that customer fails, named.
    api.post(
        &format!("/api/customers/{id}/licenses"),
        &json!({ "plan": "WFBS-S Full", "units": 1 }),
    )
    .expect(201);
    let entries: Vec<String> = (0..1_000)
        .map(|i| format!("https://x{i}.example/ü"))
        .collect();
    let deploy = |entries: String| json!({ "ids": [id], "list": "blocked-urls", "action": "append", "entries": entries });
    let r = api
        .post("/api/tasks/deploy-policy", &deploy(entries.join(";")))
        .expect(200)
        .json();
    assert_eq!(r["ok"], 1, "{r}");
    let r = api
        .post(
            "/api/tasks/deploy-policy",
            &deploy("https://one-more.example/".into()),
        )
        .expect(200)
        .json();
    assert_eq!(r["results"][0]["outcome"], "failed", "{r}");
    assert!(
        r["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("1,001"),
        "{r}"
    );
    // 150 bad rows: 100 errors are listed and the rest counted.
    let header = "id,company,account_name,account_type,status,contact_first_name,contact_last_name,email,phone,address,city,state,postal_code,country,time_zone,language,products,licenses,license_status,next_expiry,threat_system_action_required,threat_system_warning,license_action_required,license_warning,needs_attention,managed,wfbs_template,cloud_edge_template,last_transaction,created_at,notes";
    let mut csv = format!("{header}\n");
    for i in 0..150 {
        csv.push_str(&format!(
            ",\"Bad, \"\"{i}\"\" 🚀\",bad_{i:03},CLP,active,Ana,Lima,a@b.example,,,Lisboa,Lisboa,,PT,UTC,en,,Platinum:1:0:2026-01-01:2027-01-01,,,,,,,,,,,,,\n"
        ));
    }
    let e = api.import("/api/import", csv.as_bytes()).error(422, None);
    assert_eq!(e["rows"].as_array().unwrap().len(), 100);
    assert_eq!(e["omitted"], 50);
    assert!(
        e["message"].as_str().unwrap().contains("… and 50 more"),
        "{e}"
    );
    let r = api
        .import("/api/import?dry_run=yes", csv.as_bytes())
        .expect(200)
        .json();
    assert_eq!(
        (r["rejected"].as_u64(), r["omitted"].as_u64()),
        (Some(150), Some(50))
    );
    let r = api.get("/api/check").expect(200).json();
    assert_eq!(r["ok"], true, "{r}");
    assert!(r["records"].as_u64().unwrap() > 0);
}

fn view_setting_applies_to_list_and_export(api: &mut dyn Api) {
    seed(api);
    add(api, &customer("Clp Co", "clp_co", "CLP", json!([])));
    add_holding(
        api,
        "Managed LMP",
        "managed_lmp",
        "LMP",
        &[("WFBS-S Full", 1, 0, "2026-06-01")],
    );
    let hidden = add_holding(
        api,
        "Unmanaged LMP",
        "unmanaged_lmp",
        "LMP",
        &[("HES Unmanaged", 1, 0, "2026-06-01")],
    );
    assert_eq!(
        api.get("/api/settings").expect(200).json(),
        json!({ "view": "all" })
    );
    assert_eq!(api.total(""), 3);
    let r = api
        .put("/api/settings", &json!({ "view": "managed" }))
        .expect(200)
        .json();
    assert_eq!(r, json!({ "view": "managed" }));
    assert_eq!(
        api.get("/api/settings").expect(200).json()["view"],
        "managed"
    );
    assert_eq!(api.total(""), 2);
    assert_eq!(api.total("q=unmanaged"), 0);
    let csv = api.get("/api/customers.csv").expect(200).text();
    assert_eq!(csv.lines().count(), 3);
    assert!(!csv.contains("unmanaged_lmp"));
    // Named ids are exported whatever the view.
    let one = api
        .get(&format!("/api/customers.csv?ids={hidden}"))
        .expect(200)
        .text();
    assert!(one.contains("unmanaged_lmp"));
    api.put("/api/settings", &json!({ "view": "some" }))
        .error(422, Some("view"));
    api.put("/api/settings", &json!({ "view": "all", "theme": "dark" }))
        .error(422, Some("theme"));
    api.put("/api/settings", &json!({}))
        .error(422, Some("view"));
    api.put("/api/settings", &json!({ "view": "all" }))
        .expect(200);
    assert_eq!(api.total(""), 3);
}

fn outbox_message_downloads_as_eml(api: &mut dyn Api) {
    seed(api);
    // A formula first, quotes, a comma, non-Latin letters and an emoji: the download's
    // name keeps what a file name can hold, and the header stays printable ASCII.
    let company = "=Ünïcode Edge \"Co\", 東京 🚀";
    let mut body = customer(
        company,
        "edge_eml",
        "LMP",
        json!([lic("Cloud Edge Full", 3, 1, "2026-02-01")]),
    );
    body["email"] = json!("it@edge.example");
    let id = add(api, &body);
    let device = api
        .post(
            &format!("/api/customers/{id}/devices"),
            &json!({ "name": "Gateway 1", "serial": "SN-0001", "model": "CE-100", "firmware": "3.1.0" }),
        )
        .expect(201)
        .json();
    assert_eq!(device["needs_update"], true);
    assert_eq!(device["latest_firmware"], "3.2.0");
    assert_eq!(api.total("attention=yes"), 1);
    let r = api
        .post("/api/tasks/update-firmware", &json!({ "ids": [id] }))
        .expect(200)
        .json();
    assert_eq!(r["ok"], 1);
    let outbox = api.get("/api/outbox").expect(200).json();
    let messages = outbox.as_array().unwrap();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(
        (m["customer_id"].as_u64(), m["to"].as_str()),
        (Some(id), Some("it@edge.example"))
    );
    assert_eq!(m["company"], company);
    let day = &m["created_at"].as_str().unwrap()[..10];
    let mid = m["id"].as_u64().unwrap();
    assert_eq!(
        api.get(&format!("/api/outbox/{mid}")).expect(200).json(),
        *m
    );
    let eml = api.get(&format!("/api/outbox/{mid}.eml")).expect(200);
    assert_eq!(eml.header("content-type"), Some("message/rfc822"));
    assert_eq!(
        eml.header("content-disposition").unwrap(),
        format!(
            "attachment; filename=\"n-code-Edge-Co-firmware-{day}.eml\"; \
             filename*=UTF-8''%C3%9Cn%C3%AFcode-Edge-Co-%2C-%E6%9D%B1%E4%BA%AC-%F0%9F%9A%80\
             -firmware-{day}.eml"
        )
    );
    let text = eml.text();
    assert!(text.contains("To: it@edge.example\r\n"), "{text}");
    assert!(text.contains("3.1.0 -> 3.2.0"), "{text}");
    assert!(text.contains("Subject: Firmware update"), "{text}");
    assert!(text.contains(company), "{text}");
    // Notified once: running again skips.
    let r = api
        .post("/api/tasks/update-firmware", &json!({ "ids": [id] }))
        .expect(200)
        .json();
    assert_eq!(r["skipped"], 1);
    api.delete(&format!("/api/outbox/{mid}")).expect(204);
    api.get(&format!("/api/outbox/{mid}")).error(404, None);
    api.get(&format!("/api/outbox/{mid}.eml")).error(404, None);
    api.get("/api/outbox/x.eml").error(404, Some("id"));
}

fn audit_log_records_api_changes(api: &mut dyn Api) {
    seed(api);
    let id = add(api, &customer("Audited", "audited", "CLP", json!([])));
    api.patch(&format!("/api/customers/{id}"), &json!({ "city": "Porto" }))
        .expect(200);
    let log = api.get("/api/audit?limit=2").expect(200).json();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["task"], "edit customer");
    assert_eq!(entries[0]["actor"], "api");
    assert_eq!(entries[0]["customers"], json!([id]));
    assert_eq!(
        entries[0]["changes"],
        json!([{ "field": "city", "old": "Lisboa", "new": "Porto" }])
    );
    assert_eq!(entries[1]["task"], "add customer");
    assert!(entries[0]["id"].as_u64() > entries[1]["id"].as_u64());
    // The next page continues below the last id.
    let before = entries[1]["id"].as_u64().unwrap();
    let next = api
        .get(&format!("/api/audit?limit=1000&before={before}"))
        .expect(200)
        .json();
    assert!(next
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["id"].as_u64().unwrap() < before));
    assert!(next
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["task"] == "add plan"));
    let mine = api
        .get(&format!("/api/audit?customer={id}"))
        .expect(200)
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 2);
    // The filter: a customer by account name, a task, UTC days (inclusive).
    let count = |api: &mut dyn Api, query: &str| {
        let v = api.get(&format!("/api/audit?{query}")).expect(200).json();
        v.as_array().unwrap().len()
    };
    assert_eq!(count(api, "customer=audited"), 2);
    assert_eq!(count(api, "customer=audited&task=edit%20customer"), 1);
    assert_eq!(count(api, "task=add%20plan"), 4);
    assert_eq!(
        count(api, "task=no%20such%20%22task%22%2C%20%F0%9F%9A%80"),
        0
    );
    let today = clientele::domain::date::Timestamp::now().date();
    let tomorrow = today.add_days(1).unwrap();
    assert_eq!(
        count(api, &format!("customer={id}&from={today}&to={today}")),
        2
    );
    assert_eq!(count(api, &format!("from={tomorrow}")), 0);
    assert_eq!(
        count(api, &format!("to={}", today.add_days(-1).unwrap())),
        0
    );
    api.get("/api/audit?from=2026-02-30")
        .error(422, Some("from"));
    api.get(&format!("/api/audit?from={tomorrow}&to={today}"))
        .error(422, Some("to"));
    api.get("/api/audit?customer=no-such-account")
        .error(404, None);
    refuses_bad_paging(api, "/api/audit");
}

/// A paged list (`limit` 1–1000, `before` an id) refuses other values and other keys.
fn refuses_bad_paging(api: &mut dyn Api, path: &str) {
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("before=x", "before"),
        ("page=2", "page"),
    ] {
        api.get(&format!("{path}?{query}")).error(422, Some(field));
    }
}

/// Plans, templates, firmware, licences, devices and events: every route once, with its
/// errors; at the end every documented operation has answered with a success.
fn reference_data_and_holdings(api: &mut dyn Api) {
    seed(api);
    // Plans.
    let plans = api.get("/api/plans").expect(200).json();
    assert_eq!(plans.as_array().unwrap().len(), 4);
    let full = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "WFBS-S Full")
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let p = api.get(&format!("/api/plans/{full}")).expect(200).json();
    assert_eq!(
        (p["product"].as_str(), p["kind"].as_str()),
        (Some("wfbss"), Some("full"))
    );
    let p = api
        .patch(&format!("/api/plans/{full}"), &json!({ "notice_days": 60 }))
        .expect(200)
        .json();
    assert_eq!(p["notice_days"], 60);
    api.post(
        "/api/plans",
        &json!({ "name": "wfbs-s full", "product": "wfbss", "months": 12 }),
    )
    .error(409, Some("name"));
    api.post(
        "/api/plans",
        &json!({ "name": "X", "product": "wfbss", "months": 0 }),
    )
    .error(422, Some("months"));
    api.post(
        "/api/plans",
        &json!({ "name": "X:Y", "product": "toaster", "months": 1 }),
    )
    .error(422, Some("name"));
    let spare = api
        .post(
            "/api/plans",
            &json!({ "name": "Spare", "product": "cas", "months": 6, "kind": "trial" }),
        )
        .expect(201)
        .json()["id"]
        .as_u64()
        .unwrap();
    let e = api.get("/api/plans/999999").error(404, None);
    assert_eq!(
        (e["kind"].as_str(), e["message"].as_str()),
        (Some("plan"), Some("there is no plan `999999`"))
    );
    api.get("/api/plans/spare").error(404, Some("id"));

    // Templates, by percent-encoded name.
    let t = api.get("/api/templates/Strict%20Mode").expect(200).json();
    assert_eq!(t["settings"], json!({ "scan": "deep" }));
    let t = api
        .patch(
            "/api/templates/Strict%20Mode",
            &json!({ "settings": { "scan": "quick", "usb": "block" } }),
        )
        .expect(200)
        .json();
    assert_eq!(t["settings"]["usb"], "block");
    api.patch(
        "/api/templates/Strict%20Mode",
        &json!({ "name": "Renamed" }),
    )
    .error(422, Some("name"));
    api.post(
        "/api/templates",
        &json!({ "name": "strict mode", "product": "wfbss" }),
    )
    .error(409, Some("name"));
    api.post(
        "/api/templates",
        &json!({ "name": "HES one", "product": "hes" }),
    )
    .error(422, Some("product"));
    assert_eq!(api.count("/api/templates"), 2);
    api.get("/api/templates/Nope").error(404, None);

    // Licences.
    let id = add_holding(
        api,
        "Holder GmbH",
        "holder",
        "LMP",
        &[("WFBS-S Full", 5, 1, "2026-01-01")],
    );
    let l = api
        .post(
            &format!("/api/customers/{id}/licenses"),
            &json!({ "plan": "HES Unmanaged", "units": 3, "start": "2026-02-01" }),
        )
        .expect(201)
        .json();
    assert_eq!(
        (l["expiry"].as_str(), l["used"].as_u64()),
        (Some("2028-02-01"), Some(0))
    );
    let lid = l["id"].as_u64().unwrap();
    let l = api
        .patch(&format!("/api/licenses/{lid}"), &json!({ "used": 4 }))
        .expect(200)
        .json();
    assert_eq!(l["status"], "exceeded_allocation");
    api.patch(&format!("/api/licenses/{lid}"), &json!({ "units": 0 }))
        .error(422, Some("units"));
    // A patch that names no field is refused, naming the fields it may give.
    let e = api
        .patch(&format!("/api/licenses/{lid}"), &json!({}))
        .error(409, None);
    assert_eq!(
        e["message"],
        "nothing to change; give units, used, start or expiry"
    );
    assert_eq!(e["code"], "refused");
    api.patch(
        &format!("/api/licenses/{lid}"),
        &json!({ "expiry": "2020-01-01" }),
    )
    .error(422, Some("expiry"));
    api.post(
        &format!("/api/customers/{id}/licenses"),
        &json!({ "plan": "Nope", "units": 1 }),
    )
    .error(422, Some("plan"));
    api.post(
        &format!("/api/customers/{id}/licenses"),
        &json!({ "units": 1 }),
    )
    .error(422, Some("plan"));
    api.post(
        "/api/customers/999999/licenses",
        &json!({ "plan": "Spare", "units": 1 }),
    )
    .error(404, None);
    let list = api
        .get(&format!("/api/customers/{id}/licenses"))
        .expect(200)
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // A plan in use cannot be removed; an unused one can.
    api.delete(&format!("/api/plans/{full}")).error(409, None);
    api.delete(&format!("/api/plans/{spare}")).expect(204);

    // Devices.
    let d = api
        .post(
            &format!("/api/customers/{id}/devices"),
            &json!({ "name": "Edge 1", "serial": "SER-1", "model": "CE-100", "firmware": "3.2.0" }),
        )
        .expect(201)
        .json();
    let did = d["id"].as_u64().unwrap();
    assert_eq!(d["needs_update"], false);
    let other = add(api, &customer("Other Co", "other_co", "CLP", json!([])));
    api.post(
        &format!("/api/customers/{other}/devices"),
        &json!({ "name": "Edge 2", "serial": "ser-1", "model": "CE-100", "firmware": "1.0" }),
    )
    .error(409, Some("serial"));
    api.post(
        &format!("/api/customers/{other}/devices"),
        &json!({ "name": "Other Co", "serial": "SER-2", "model": "CE-100", "firmware": "1.0" }),
    )
    .error(422, Some("name"));
    let d = api
        .patch(
            &format!("/api/devices/{did}"),
            &json!({ "firmware": "3.0.9" }),
        )
        .expect(200)
        .json();
    assert_eq!(d["needs_update"], true);
    assert_eq!(api.count("/api/devices"), 1);
    assert_eq!(
        api.get(&format!("/api/devices?customer={other}"))
            .expect(200)
            .json(),
        json!([])
    );
    assert_eq!(
        api.get(&format!("/api/customers/{id}/devices"))
            .expect(200)
            .json()[0]["serial"],
        "SER-1"
    );
    api.get("/api/devices?customer=999999").error(404, None);

    // Firmware catalogue.
    let fw = api
        .put("/api/firmware/CE%20200", &json!({ "version": "1.10" }))
        .expect(200)
        .json();
    assert_eq!(fw, json!({ "model": "CE 200", "version": "1.10" }));
    assert_eq!(api.count("/api/firmware"), 2);
    api.put("/api/firmware/CE-100", &json!({ "version": "three" }))
        .error(422, Some("version"));
    api.put("/api/firmware/CE-100", &json!({ "version": 3 }))
        .error(400, Some("version"));
    api.delete("/api/firmware/CE%20200").expect(204);
    api.delete("/api/firmware/CE%20200").error(404, None);

    // Events.
    let e = api
        .post(
            &format!("/api/customers/{id}/events"),
            &json!({ "kind": "threat", "severity": "action_required", "category": "antivirus", "message": "Trojan found on PC-7 🦠", "time": "2026-11-26T10:00:00Z" }),
        )
        .expect(201)
        .json();
    let eid = e["id"].as_u64().unwrap();
    assert_eq!(
        (e["open"].as_bool(), e["time"].as_str()),
        (Some(true), Some("2026-11-26T10:00:00Z"))
    );
    let c = api.get(&format!("/api/customers/{id}")).expect(200).json();
    assert_eq!(c["threat_system_action_required"], 1);
    let events = format!("/api/customers/{id}/events");
    #[rustfmt::skip]
    let rows = [
        (&events[..], json!({ "kind": "alien", "severity": "warning", "category": "x", "message": "y" }), 422, Some("kind")),
        (&events[..], json!({ "kind": "system", "severity": "warning", "category": "x" }), 422, Some("message")),
    ];
    refuses_all(api, "POST", &rows);
    assert_eq!(api.count(&format!("/api/events?customer={id}&open=yes")), 1);
    let e = api
        .post_empty(&format!("/api/events/{eid}/resolve"))
        .expect(200)
        .json();
    assert_eq!(e["open"], false);
    assert!(e["resolved_at"].is_string());
    assert_eq!(
        api.get("/api/events?open=yes").expect(200).json(),
        json!([])
    );
    assert_eq!(api.count(&format!("/api/customers/{id}/events")), 1);
    let e = api
        .post_empty(&format!("/api/events/{eid}/reopen"))
        .expect(200)
        .json();
    assert_eq!(e["open"], true);
    assert_eq!(
        api.count(&format!("/api/customers/{id}/events?open=yes")),
        1
    );
    api.delete(&format!("/api/events/{eid}")).expect(204);
    api.post_empty(&format!("/api/events/{eid}/resolve"))
        .error(404, None);

    // Devices and licences go; then the customer detail shows what is left.
    api.delete(&format!("/api/devices/{did}")).expect(204);
    api.delete(&format!("/api/devices/{did}")).error(404, None);
    api.delete(&format!("/api/licenses/{lid}")).expect(204);
    api.delete("/api/templates/Edge%20Default").expect(204);
    let c = api.get(&format!("/api/customers/{id}")).expect(200).json();
    assert_eq!(c["licenses"].as_array().unwrap().len(), 1);
    assert!(c["devices"].as_array().unwrap().is_empty());
    assert!(c["history"].as_array().unwrap().len() >= 8);

    // The rest of the routes, so that every documented operation answered once.
    api.patch(
        &format!("/api/customers/{id}"),
        &json!({ "phone": "+1 555 0100" }),
    )
    .expect(200);
    api.delete(&format!("/api/customers/{other}")).expect(204);
    api.put("/api/settings", &json!({ "view": "all" }))
        .expect(200);
    api.get("/api/settings").expect(200);
    api.get("/api/customers").expect(200);
    api.get("/api/customers.csv").expect(200);
    let csv = api.get("/api/customers.csv").expect(200);
    api.import("/api/import", &csv.body).expect(200);
    api.get("/api/audit").expect(200);
    api.get("/api/check").expect(200);
    api.get("/api/outbox").expect(200);
    api.get("/api/openapi.json").expect(200);
    for task in [
        "delete",
        "suspend",
        "reactivate",
        "update-firmware",
        "renew",
    ] {
        api.post(
            &format!("/api/tasks/{task}"),
            &json!({ "ids": [id], "dry_run": true }),
        )
        .expect(200);
    }
    api.post(
        "/api/tasks/assign-template",
        &json!({ "ids": [id], "dry_run": true, "template": "Strict Mode" }),
    )
    .expect(200);
    api.post(
        "/api/tasks/deploy-policy",
        &json!({ "ids": [id], "dry_run": true, "list": "ml-exceptions", "action": "overwrite", "entries": "a".repeat(40) }),
    )
    .expect(200);
    // An outbox message, to read, download and remove.
    api.post(
        &format!("/api/customers/{id}/devices"),
        &json!({ "name": "Edge 9", "serial": "SER-9", "model": "CE-100", "firmware": "1.0" }),
    )
    .expect(201);
    api.post("/api/tasks/update-firmware", &json!({ "ids": [id] }))
        .expect(200);
    let mid = api.get("/api/outbox").expect(200).json()[0]["id"]
        .as_u64()
        .unwrap();
    api.get(&format!("/api/outbox/{mid}")).expect(200);
    api.get(&format!("/api/outbox/{mid}.eml")).expect(200);
    api.delete(&format!("/api/outbox/{mid}")).expect(204);
    let run = api.get("/api/runs?limit=1").expect(200).json()[0]["id"]
        .as_u64()
        .unwrap();
    api.get(&format!("/api/runs/{run}")).expect(200);
    api.get("/api/runway").expect(200);

    let documented: BTreeSet<(String, String)> = openapi::operations().into_iter().collect();
    let missing: Vec<_> = documented.difference(api.successes()).collect();
    assert!(
        missing.is_empty(),
        "never answered with a success: {missing:?}"
    );
}

/// Two customers with awkward companies for the task-run scenarios; returns their ids.
fn awkward_pair(api: &mut dyn Api) -> [u64; 2] {
    seed(api);
    [
        add(
            api,
            &customer("\"Quoted\", Comma & Co", "quoted_co", "CLP", json!([])),
        ),
        add(
            api,
            &customer("株式会社 Ünïcødé 🚀", "unicode_kk", "CLP", json!([])),
        ),
    ]
}

const KEY: &str = "Idempotency-Key";

fn post_with_key(api: &mut dyn Api, target: &str, key: &str, body: &Value) -> Resp {
    api.send(
        "POST",
        target,
        &[("Content-Type", "application/json"), (KEY, key)],
        body.to_string().as_bytes(),
    )
}

fn idempotency_key_replays_a_task_run(api: &mut dyn Api) {
    let [a, b] = awkward_pair(api);
    let body = json!({ "ids": [a, b] });
    let key = "8c0f6a1e-2b1d-4c4e-9a57-0d6f0d3c5e21";
    let first = post_with_key(api, "/api/tasks/suspend", key, &body).expect(200);
    assert_eq!(first.header("Idempotent-Replayed"), None);
    let report = first.json();
    assert_eq!(
        (report["ok"].as_u64(), report["dry_run"].as_bool()),
        (Some(2), Some(false))
    );
    let run = report["run"].as_u64().expect("a confirmed run is stored");
    let audit = api.count("/api/audit?limit=1000");

    // The same request again: the stored answer, byte for byte, and nothing ran.
    let again = post_with_key(api, "/api/tasks/suspend", key, &body).expect(200);
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(again.text(), first.text());
    assert_eq!(api.count("/api/audit?limit=1000"), audit);
    assert_eq!(api.count("/api/runs"), 1);
    assert_eq!(
        api.get(&format!("/api/runs/{run}")).expect(200).json()["ok"],
        2
    );

    // The key with another request is a conflict; nothing runs.
    let e =
        post_with_key(api, "/api/tasks/suspend", key, &json!({ "ids": [a] })).error(409, Some(KEY));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains(&format!("task run {run}")),
        "{e}"
    );
    post_with_key(api, "/api/tasks/reactivate", key, &body).error(409, Some(KEY));
    assert_eq!(api.count("/api/audit?limit=1000"), audit);

    // Malformed keys are refused before anything runs.
    let long = "k".repeat(256);
    let mut bad = vec!["two words", long.as_str()];
    // Over HTTP the server already refuses a header that is not ASCII (400).
    if !api.over_http() {
        bad.push("ключ");
    }
    for key in bad {
        post_with_key(api, "/api/tasks/reactivate", key, &body).error(422, Some(KEY));
    }
    assert_eq!(api.count("/api/audit?limit=1000"), audit);
    assert_eq!(api.total("status=suspended"), 2);

    // 255 characters is a key; a dry run ignores the key and stores nothing.
    let longest = "k".repeat(255);
    let r = post_with_key(api, "/api/tasks/reactivate", &longest, &body).expect(200);
    assert_eq!(r.header("Idempotent-Replayed"), None);
    let r = post_with_key(
        api,
        "/api/tasks/suspend",
        "dry",
        &json!({ "ids": [a], "dry_run": true }),
    )
    .expect(200)
    .json();
    assert_eq!(r["run"], Value::Null);
    assert_eq!(api.count("/api/runs"), 2);
}

fn stored_runs_list_page_and_show(api: &mut dyn Api) {
    let [a, b] = awkward_pair(api);
    let first = api
        .post("/api/tasks/suspend", &json!({ "ids": [a, b, 424242] }))
        .expect(200)
        .json();
    let filtered = api
        .post(
            "/api/tasks/reactivate",
            &json!({ "filter": { "status": "suspended", "q": "ünïcødé" } }),
        )
        .expect(200)
        .json();
    let (r1, r2) = (
        first["run"].as_u64().unwrap(),
        filtered["run"].as_u64().unwrap(),
    );
    assert!(r2 > r1);

    let runs = api.get("/api/runs").expect(200).json();
    let ids: Vec<u64> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [r2, r1], "newest first");
    assert_eq!(api.get("/api/runs?limit=1").expect(200).json()[0]["id"], r2);
    let older = api
        .get(&format!("/api/runs?before={r2}"))
        .expect(200)
        .json();
    assert_eq!(older.as_array().unwrap().len(), 1);
    assert_eq!(older[0]["id"], r1);

    let one = api.get(&format!("/api/runs/{r1}")).expect(200).json();
    assert_eq!(one["task"], "suspend");
    assert_eq!(one["actor"], "api");
    assert_eq!(
        (one["ok"].as_u64(), one["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        one["selection"],
        json!([{ "key": "ids", "value": format!("{a},{b},424242") }])
    );
    assert_eq!(one["omitted"], 0);
    assert_eq!(one["results"], first["results"]);
    let companies: Vec<&str> = one["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["company"].as_str())
        .collect();
    assert!(
        companies.contains(&"\"Quoted\", Comma & Co") && companies.contains(&"株式会社 Ünïcødé 🚀"),
        "{one}"
    );
    let time = one["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );

    let other = api.get(&format!("/api/runs/{r2}")).expect(200).json();
    assert_eq!(other["task"], "reactivate");
    assert_eq!(
        other["selection"],
        json!([{ "key": "q", "value": "ünïcødé" }, { "key": "status", "value": "suspended" }])
    );
    assert_eq!(other["ok"], 1);

    api.get("/api/runs/424242").error(404, None);
    api.get("/api/runs/x").error(404, Some("id"));
    refuses_bad_paging(api, "/api/runs");
}

fn runway_counts_equal_the_list_totals(api: &mut dyn Api) {
    seed(api);
    #[rustfmt::skip]
    let rows: [(&str, &str, &str, &[Licence]); 5] = [
        ("\"Quoted\", Comma & Co", "quoted",  "CLP", &[]),
        ("Bravo Ltd",                "bravo",   "LMP", &[("WFBS-S Full", 5, 1, "2025-01-01")]),
        ("株式会社 Ünïcødé 🚀",       "unicode", "LMP", &[("WFBS-S Full", 5, 1, "2026-01-10"), ("Cloud Edge Full", 3, 1, "2026-01-20")]),
        ("Echo SA",                  "echo",    "CLP", &[("Cloud Edge Full", 5, 1, "2025-12-15")]),
        ("Foxtrot BV",               "foxtrot", "LMP", &[("WFBS-S Full", 5, 9, "2026-03-05"), ("WFBS-S Full", 2, 1, "2025-02-01")]),
    ];
    let ids: Vec<u64> = rows
        .iter()
        .map(|&(company, account, kind, licences)| {
            add_holding(api, company, account, kind, licences)
        })
        .collect();
    api.post(
        &format!("/api/customers/{}/events", ids[0]),
        &json!({ "kind": "system", "severity": "action_required", "category": "disk", "message": "full, \"really\"" }),
    )
    .expect(201);

    let r = api.get("/api/runway").expect(200).json();
    assert_eq!(r["today"], TODAY);
    assert_eq!(r["customers"], 5);
    let months = r["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["period"], "2026-11");
    let periods: Vec<&Value> = std::iter::once(&r["expired"]).chain(months).collect();
    for p in &periods {
        let filter = p["filter"].as_str().unwrap();
        assert_eq!(p["customers"].as_u64(), Some(api.total(filter)), "{p}");
    }
    for c in r["attention"].as_array().unwrap() {
        let filter = c["filter"].as_str().unwrap();
        assert_eq!(c["customers"].as_u64(), Some(api.total(filter)), "{c}");
    }
    // The figures themselves: two expired licences of two customers; January holds two
    // licences (8 units) of one customer.
    assert_eq!(
        (
            r["expired"]["licenses"].as_u64(),
            r["expired"]["customers"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let jan = months.iter().find(|m| m["period"] == "2027-01").unwrap();
    assert_eq!(
        (
            jan["licenses"].as_u64(),
            jan["units"].as_u64(),
            jan["customers"].as_u64()
        ),
        (Some(2), Some(8), Some(1))
    );
    let dec = months.iter().find(|m| m["period"] == "2026-12").unwrap();
    assert_eq!(dec["customers"], 1);
    assert_eq!(api.total("category=threat_system_action_required"), 1);
    api.get("/api/runway?x=1").error(422, Some("x"));
    api.get("/api/customers?expires=2027-13")
        .error(422, Some("expires"));
    api.get("/api/customers?category=urgent")
        .error(422, Some("category"));
}

// ---- the router against its route table ------------------------------------------------

#[test]
fn every_route_reaches_its_handler() {
    let mut api = InProc::new();
    for route in ROUTES {
        for method in allow(route.path).split(", ") {
            let path = route
                .path
                .replace("{id}", "424242")
                .replace("{name}", "nothing")
                .replace("{model}", "nothing");
            let (headers, body): (&[(&str, &str)], &[u8]) = match method {
                "POST" | "PUT" | "PATCH" => (&[("Content-Type", "application/json")], b"{}"),
                _ => (&[], b""),
            };
            let r = api.send(method, &path, headers, body);
            assert_ne!(r.status, 405, "{method} {path}");
            if r.status == 404 {
                let message = r.json()["error"]["message"].as_str().unwrap().to_string();
                assert!(
                    !message.starts_with("there is no such API path"),
                    "{method} {path} is in ROUTES but not routed"
                );
            }
        }
    }
    // And the other way round: paths not in ROUTES are not routed.
    for path in [
        "/api",
        "/api/",
        "/api/customer",
        "/api/customers/1/x",
        "/api/tasks",
    ] {
        api.get(path).error(404, None);
    }
}

#[test]
fn openapi_document_describes_every_route() {
    let mut api = InProc::new();
    let doc = api.get("/api/openapi.json").expect(200).json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/");
    let paths = doc["paths"].as_object().unwrap();
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (p.clone(), m.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.path.to_string(), r.openapi_method()))
        .collect();
    assert_eq!(documented, routed);
    // Every operation documents its error shape and the statuses the server sends.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for status in ["400", "401", "403", "413", "421", "422", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(responses.contains_key("415"), "{method} {path} lacks 415");
            }
            if path.contains('{') && !(path == "/api/firmware/{model}" && method == "put") {
                assert!(responses.contains_key("404"), "{method} {path} lacks 404");
            }
        }
    }
    // Filter enums come from the core's lists.
    let list = &paths["/api/customers"]["get"]["parameters"];
    let license = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "license")
        .unwrap();
    assert_eq!(
        license["schema"]["enum"],
        json!([
            "expired",
            "exceeded_allocation",
            "expiring_soon",
            "normal",
            "none"
        ])
    );
    // A task takes exactly one of ids and filter.
    let task = json!({ "$ref": "#/components/schemas/RenewTask" });
    for (body, fits) in [
        (json!({ "ids": [1] }), true),
        (json!({ "filter": { "attention": true } }), true),
        (json!({ "ids": [1], "filter": {} }), false),
        (json!({ "dry_run": true }), false),
    ] {
        assert_eq!(check(&doc, &task, &body, "task").is_ok(), fits, "{body}");
    }
    // Every filter key has a type, so generated clients get a model of the filter.
    for (key, schema) in doc["components"]["schemas"]["TaskFilter"]["properties"]
        .as_object()
        .unwrap()
    {
        let typed = |s: &Value| s.get("type").is_some();
        let branches = schema["anyOf"].as_array();
        assert!(
            typed(schema) || branches.is_some_and(|b| b.iter().all(typed)),
            "filter.{key} has no type"
        );
    }
    // Request bodies refuse unknown fields, as the server does.
    for name in [
        "CustomerCreate",
        "CustomerPatch",
        "PlanCreate",
        "DeleteTask",
        "LicenseInput",
    ] {
        assert_eq!(
            doc["components"]["schemas"][name]["additionalProperties"], false,
            "{name}"
        );
    }
}

// ---- the binary: what only a real server shows -----------------------------------------

#[test]
fn openapi_documents_idempotency_keys_runs_and_the_new_filters() {
    let doc = openapi::document();
    let paths = doc["paths"].as_object().unwrap();
    let tasks: Vec<&String> = paths
        .keys()
        .filter(|p| p.starts_with("/api/tasks/"))
        .collect();
    assert_eq!(tasks.len(), 7);
    for path in tasks {
        let op = &paths[path]["post"];
        let key = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Idempotency-Key")
            .unwrap_or_else(|| panic!("{path}: no Idempotency-Key"));
        assert_eq!(
            (key["in"].as_str(), key["required"].as_bool()),
            (Some("header"), Some(false))
        );
        assert_eq!(key["schema"]["maxLength"], 255, "{path}");
        let text = key["description"].as_str().unwrap();
        assert!(
            text.contains("409") && text.contains("422") && text.contains("255"),
            "{text}"
        );
        for status in ["409", "422"] {
            assert!(op["responses"].get(status).is_some(), "{path}: {status}");
        }
        assert!(op["responses"]["200"]["headers"]
            .get("Idempotent-Replayed")
            .is_some());
    }
    for path in ["/api/runs", "/api/runs/{id}", "/api/runway"] {
        assert!(paths[path].get("get").is_some(), "{path}");
    }
    let months = json!("^[0-9]{4}-(0[1-9]|1[0-2])$");
    let categories = json!([
        "threat_system_action_required",
        "threat_system_warning",
        "license_action_required",
        "license_warning"
    ]);
    for (path, method) in [("/api/customers", "get"), ("/api/customers.csv", "get")] {
        let params = paths[path][method]["parameters"].as_array().unwrap();
        let param = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{path}: {name}"))
        };
        assert_eq!(param("expires")["schema"]["pattern"], months);
        assert_eq!(param("category")["schema"]["enum"], categories);
    }
    let task_filter = &doc["components"]["schemas"]["TaskFilter"]["properties"];
    assert_eq!(task_filter["expires"]["pattern"], months);
    assert_eq!(task_filter["category"]["enum"], categories);
}

#[test]
fn binary_keep_alive_answers_many_requests_on_one_connection() {
    let mut server = Server::start();
    seed(&mut server);
    for i in 0..30 {
        add(
            &mut server,
            &customer(
                &format!("Keep {i:02}"),
                &format!("keep_{i:02}"),
                "CLP",
                json!([]),
            ),
        );
    }
    let host = server.host();
    let mut conn = server.connect();
    for i in 0..200 {
        let r = conn
            .request("GET", "/api/customers?limit=20", &[("Host", &host)], b"")
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(r.status, 200, "request {i}");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            (v["total"].as_u64(), v["items"].as_array().unwrap().len()),
            (Some(30), 20)
        );
    }
}

#[test]
fn binary_refuses_oversized_bodies_foreign_hosts_and_other_origins() {
    let mut server = Server::start();
    let host = server.host();
    // A body over the limit: 413 before it is read.
    let mut conn = server.connect();
    let head = format!(
        "POST /api/import HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        64 * 1024 * 1024
    );
    let r = conn.send_raw(head.as_bytes()).unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["code"], "payload_too_large");
    // DNS rebinding: a Host that is not this server.
    let r = server.send("GET", "/api/customers", &[], b"");
    assert_eq!(r.status, 200);
    let mut conn = server.connect();
    let r = conn
        .request("GET", "/api/customers", &[("Host", "evil.example")], b"")
        .unwrap();
    assert_eq!(r.status, 421);
    assert_eq!(r.json()["error"]["code"], "wrong_host");
    let mut conn = server.connect();
    let r = conn
        .request("GET", "/api/customers", &[("Host", "localhost:1")], b"")
        .unwrap();
    assert_eq!(r.status, 421);
    // A state change from another origin: 403, and nothing written.
    let body = customer("Cross Co", "cross_co", "CLP", json!([])).to_string();
    for headers in [
        vec![("Origin", "http://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
    ] {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend(headers);
        let r = server.send("POST", "/api/customers", &all, body.as_bytes());
        assert_eq!(r.status, 403, "{}", r.text());
        assert_eq!(r.json()["error"]["code"], "cross_origin");
    }
    assert_eq!(server.total(""), 0);
    // The same origin is fine.
    let origin = format!("http://{host}");
    let r = server.send(
        "POST",
        "/api/customers",
        &[("Content-Type", "application/json"), ("Origin", &origin)],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // Security headers on API answers; HEAD answers without a body.
    let r = server.get("/api/customers");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = server.send("HEAD", "/api/customers", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
}

#[test]
fn binary_serves_the_openapi_document() {
    let mut server = Server::start();
    let r = server.get("/api/openapi.json").expect(200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let doc = r.json();
    assert_eq!(&doc, openapi::document());
    // Every documented operation is answered by the running server's router (not looked up
    // in the table the document is built from): never 405, never "no such API path".
    for (path, item) in doc["paths"].as_object().unwrap() {
        let target = path
            .replace("{id}", "424242")
            .replace("{name}", "nothing")
            .replace("{model}", "nothing");
        for method in item.as_object().unwrap().keys() {
            let method = method.to_ascii_uppercase();
            let (headers, body): (&[(&str, &str)], &[u8]) = match method.as_str() {
                "POST" | "PUT" | "PATCH" => (&[("Content-Type", "application/json")], b"{}"),
                _ => (&[], b""),
            };
            let r = server.send(&method, &target, headers, body);
            assert_ne!(
                r.status, 405,
                "{method} {target} is documented but not routed"
            );
            if r.status == 404 {
                let message = r.json()["error"]["message"].as_str().unwrap().to_string();
                assert!(
                    !message.starts_with("there is no such API path"),
                    "{method} {target} is documented but not routed"
                );
            }
        }
    }
}

// ---- the derived schemas against what serde writes -------------------------------------

/// Walks a value serde wrote beside the schema the document gives it; every key must be a
/// property of its schema. Notes, per component schema, the keys seen.
fn walk_fields(
    doc: &Value,
    schema: &Value,
    v: &Value,
    at: &str,
    seen: &mut BTreeMap<String, BTreeSet<String>>,
) {
    let (name, schema) = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            seen.entry(name.to_string()).or_default();
            (Some(name), &doc["components"]["schemas"][name])
        }
        None => (None, schema),
    };
    match v {
        Value::Object(obj) => {
            let props = schema.get("properties").and_then(Value::as_object);
            for (key, value) in obj {
                let at = format!("{at}.{key}");
                let sub = match (props, &schema["additionalProperties"]) {
                    (Some(props), _) => props
                        .get(key)
                        .unwrap_or_else(|| panic!("{at} is not in the schema {name:?}")),
                    (None, s @ Value::Object(_)) => s,
                    _ => panic!("{at}: an object where the schema has no properties"),
                };
                if let (Some(name), Some(_)) = (name, props) {
                    seen.get_mut(name).unwrap().insert(key.clone());
                }
                walk_fields(doc, sub, value, &at, seen);
            }
        }
        Value::Array(items) => {
            let sub = schema
                .get("items")
                .unwrap_or_else(|| panic!("{at}: an array where the schema has no items"));
            for (i, item) in items.iter().enumerate() {
                walk_fields(doc, sub, item, &format!("{at}[{i}]"), seen);
            }
        }
        _ => {}
    }
}

/// The component schemas a success answer can reach.
fn answer_schemas(doc: &Value) -> BTreeSet<String> {
    fn refs(doc: &Value, v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    let name = r.trim_start_matches("#/components/schemas/");
                    if out.insert(name.to_string()) {
                        refs(doc, &doc["components"]["schemas"][name], out);
                    }
                }
                m.values().for_each(|v| refs(doc, v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(doc, v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') {
                    refs(doc, response, &mut out);
                }
            }
        }
    }
    out
}

/// The document's schema of a success answer.
fn success_schema<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let (_, item) = find_template(doc, path).unwrap();
    let responses = item[method]["responses"].as_object().unwrap();
    let (_, ok) = responses.iter().find(|(s, _)| s.starts_with('2')).unwrap();
    &ok["content"]["application/json"]["schema"]
}

#[test]
fn answers_hold_exactly_the_fields_of_their_schemas() {
    let mut api = InProc::new();
    seed(&mut api);
    let id = add(
        &mut api,
        &customer(
            "Fields Co",
            "fields_co",
            "LMP",
            json!([
                lic("WFBS-S Full", 5, 1, "2024-01-01"),
                lic("Cloud Edge Full", 2, 1, "2026-11-01"),
            ]),
        ),
    );
    api.patch(
        &format!("/api/customers/{id}"),
        &json!({ "phone": "+1 555 0100", "wfbs_template": "Strict Mode" }),
    )
    .expect(200);
    api.post(
        &format!("/api/customers/{id}/devices"),
        &json!({ "name": "Edge 1", "serial": "SER-1", "model": "CE-100", "firmware": "1.0" }),
    )
    .expect(201);
    let event = api
        .post(
            &format!("/api/customers/{id}/events"),
            &json!({ "kind": "threat", "severity": "warning", "category": "antivirus", "message": "found" }),
        )
        .expect(201)
        .json()["id"]
        .as_u64()
        .unwrap();
    api.post_empty(&format!("/api/events/{event}/resolve"))
        .expect(200);
    api.post(
        &format!("/api/customers/{id}/events"),
        &json!({ "kind": "system", "severity": "action_required", "category": "disk", "message": "full" }),
    )
    .expect(201);
    api.post("/api/tasks/update-firmware", &json!({ "ids": [id] }))
        .expect(200);
    let csv = api.get("/api/customers.csv").expect(200).text();
    let bad = csv.replace("ana@example.com", "not an address");

    let doc = openapi::document();
    let mut seen = BTreeMap::new();
    let mut answers: Vec<(&str, String, Value)> = Vec::new();
    for target in [
        "/api/customers".to_string(),
        format!("/api/customers/{id}"),
        format!("/api/customers/{id}/licenses"),
        "/api/devices".into(),
        "/api/events".into(),
        "/api/plans".into(),
        "/api/templates".into(),
        "/api/firmware".into(),
        "/api/outbox".into(),
        "/api/audit".into(),
        "/api/check".into(),
        "/api/settings".into(),
        "/api/runs".into(),
        "/api/runs/1".into(),
        "/api/runway".into(),
    ] {
        let v = api.get(&target).expect(200).json();
        answers.push(("get", target, v));
    }
    let v = api
        .post(
            "/api/tasks/renew",
            &json!({ "ids": [id, 999], "dry_run": true }),
        )
        .expect(200)
        .json();
    answers.push(("post", "/api/tasks/renew".into(), v));
    let v = api
        .import("/api/import?dry_run=yes", bad.as_bytes())
        .expect(200)
        .json();
    answers.push(("post", "/api/import".into(), v));
    for (method, target, v) in &answers {
        let schema = success_schema(doc, method, target.split('?').next().unwrap());
        walk_fields(doc, schema, v, target, &mut seen);
    }
    // What only a damaged file shows, as serde writes it.
    let page = clientele::domain::view::Page {
        total: 0,
        offset: 0,
        limit: 1,
        items: Vec::new(),
        unreadable: vec![7],
    };
    let report = clientele::domain::check::CheckReport {
        ok: false,
        records: 1,
        tables: 1,
        unreadable: vec![clientele::domain::check::Unreadable {
            table: "customers".into(),
            key: "7".into(),
            customer: Some(7),
            problem: "cannot be decoded".into(),
        }],
        omitted: 0,
    };
    for (name, v) in [
        ("Page", serde_json::to_value(&page).unwrap()),
        ("CheckReport", serde_json::to_value(&report).unwrap()),
    ] {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        walk_fields(doc, &schema, &v, name, &mut seen);
    }

    // And back: every property of every schema an answer can reach was written.
    let reachable = answer_schemas(doc);
    for name in &reachable {
        let schema = &doc["components"]["schemas"][name];
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let documented: BTreeSet<String> = props.keys().cloned().collect();
        assert_eq!(
            seen.get(name),
            Some(&documented),
            "{name}: the fields written differ from the schema's"
        );
    }
    assert!(reachable.contains("CustomerDetail") && reachable.contains("Unreadable"));
}
