//! Everything decided from a request's head, before any of its body is read: header count,
//! Host, the request address, cross-origin state changes, the token or session (with wrong
//! tokens throttled) and only then the declared body length. The connection thread asks this
//! gate, so a refused request never reaches a worker and its body is never read.

use super::login::{check_token, has_session};
use super::origin::{cross_origin, host_allowed};
use super::responses::{error_response, to_tiny};
use super::throttle::retry_after;
use super::{access_log, Shared};
use crate::web::http::{is_api_path, DecodeError, Method, Request, Response};
use std::net::IpAddr;
use std::sync::Weak;
use std::time::{Duration, Instant};

/// Largest body of a request that is not signed in: the login form holds a token and little
/// else, so a stranger cannot make the server hold megabytes.
pub(super) const ANONYMOUS_MAX_BODY: usize = 4 * 1024;

/// The gate tiny_http asks on each connection's thread. It holds the server's state weakly so
/// that a connection outliving the server cannot keep the database open.
pub(super) struct Gatekeeper(pub(super) Weak<Shared>);

impl tiny_http::Gate for Gatekeeper {
    fn admit(&self, rq: &tiny_http::Request) -> tiny_http::Admission {
        let Some(shared) = self.0.upgrade() else {
            return tiny_http::Admission::Refuse(tiny_http::Response::empty(503).boxed());
        };
        let started = Instant::now();
        match admit(&shared, rq) {
            Ok(max_body) => tiny_http::Admission::Read { max_body },
            Err(response) => {
                access_log::request(&shared, rq, response.status, started);
                tiny_http::Admission::Refuse(to_tiny(&shared, response).boxed())
            }
        }
    }

    fn too_large(&self, rq: &tiny_http::Request, max_body: usize) -> tiny_http::ResponseBox {
        let response = too_large(is_api_path(rq.url()), max_body);
        match self.0.upgrade() {
            Some(shared) => {
                access_log::request(&shared, rq, response.status, Instant::now());
                to_tiny(&shared, response).boxed()
            }
            None => tiny_http::Response::empty(413).boxed(),
        }
    }

    fn error(&self, status: u16, target: Option<&str>) -> tiny_http::ResponseBox {
        let Some(shared) = self.0.upgrade() else {
            return tiny_http::Response::empty(status).boxed();
        };
        let (code, message) = match status {
            408 => ("request_timeout", "the request did not arrive in time"),
            414 => (
                "uri_too_long",
                "the request line is longer than the server accepts (8 KiB)",
            ),
            417 => (
                "expectation_failed",
                "the only expectation the server meets is \"Expect: 100-continue\"",
            ),
            431 => (
                "headers_too_large",
                "the request headers are larger than the server accepts (64 KiB)",
            ),
            501 => (
                "not_implemented",
                "the only transfer coding the server accepts is \"chunked\"",
            ),
            503 => (
                "busy",
                "the server is receiving too many large requests at once; try again shortly",
            ),
            505 => (
                "http_version_not_supported",
                "the server speaks HTTP/1.0 and HTTP/1.1",
            ),
            _ => (
                "bad_request",
                "the request could not be read: its request line, a header, or the length of \
                 its body is malformed or ambiguous",
            ),
        };
        let target = target.unwrap_or("-");
        access_log::unreadable(&shared, "-", target, status, Instant::now());
        to_tiny(
            &shared,
            error_response(is_api_path(target), status, code, message),
        )
        .boxed()
    }
}

/// Our request for a tiny_http request's head (the body is added once read).
pub(super) fn head_request(rq: &tiny_http::Request) -> Result<Request, DecodeError> {
    let mut req = Request::new(Method::parse(rq.method().as_str()), rq.url())?;
    req.headers = rq
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    Ok(req)
}

/// The largest body this request may send, or the answer that refuses it.
fn admit(shared: &Shared, rq: &tiny_http::Request) -> Result<usize, Response> {
    let api = is_api_path(rq.url());
    let refuse = |status, code, message: &str| error_response(api, status, code, message);

    if rq.headers().len() > shared.max_headers {
        return Err(refuse(
            431,
            "headers_too_large",
            &format!(
                "the request has more than {} header lines",
                shared.max_headers
            ),
        ));
    }

    let mut hosts = rq.headers().iter().filter(|h| h.field.equiv("Host"));
    let host = match (hosts.next(), hosts.next()) {
        (Some(h), None) => h.value.as_str(),
        _ => "",
    };
    if !host_allowed(host, shared.bound, shared.token.is_some()) {
        return Err(refuse(
            421,
            "wrong_host",
            &format!(
                "this server answers only to http://{}/ and http://localhost:{}/ \
                 (the Host header names another server); open one of those addresses, or \
                 start the server with --token to accept other names",
                shared.bound,
                shared.bound.port()
            ),
        ));
    }

    let req = head_request(rq).map_err(|e| {
        refuse(
            400,
            "bad_request",
            &format!("the request address is not valid: {e}"),
        )
    })?;

    if cross_origin(&req) {
        return Err(refuse(
            403,
            "cross_origin",
            "this request came from another web site, so it was refused; use the clientele \
             console itself to make changes",
        ));
    }

    let signed_in = match &shared.token {
        None => true,
        Some(token) => authorize(shared, token, &req, rq.remote_addr().map(|a| a.ip()))?,
    };
    let max_body = if signed_in {
        shared.max_body
    } else {
        ANONYMOUS_MAX_BODY
    };
    if rq.body_length().is_some_and(|n| n > max_body) {
        return Err(too_large(api, max_body));
    }
    Ok(max_body)
}

/// With a token configured: `Ok(true)` for a live session or the right bearer token,
/// `Ok(false)` for the pages anyone may see (the login form), otherwise the refusal.
fn authorize(
    shared: &Shared,
    token: &str,
    req: &Request,
    peer: Option<IpAddr>,
) -> Result<bool, Response> {
    if has_session(shared, req) {
        return Ok(true);
    }
    let bearer = req.header("authorization").and_then(|v| {
        let (scheme, rest) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
    });
    let presents_token =
        (req.is_api() && bearer.is_some()) || (req.method == Method::Post && req.path == "/login");
    if presents_token {
        if let Some(wait) = peer.and_then(|peer| shared.throttle.wait(peer)) {
            return Err(too_many_attempts(req.is_api(), wait));
        }
    }
    if req.is_api() {
        if bearer.is_some_and(|given| check_token(shared, token, given, peer)) {
            return Ok(true);
        }
        return Err(Response::api_error(
            401,
            "unauthorized",
            "this server needs an access token: send the header \
             \"Authorization: Bearer TOKEN\" with the token the server was started with",
            None,
        )
        .with_header("WWW-Authenticate", "Bearer"));
    }
    let public = matches!(
        (req.method, req.path.as_str()),
        (_, "/login") | (Method::Post, "/logout")
    ) || (req.method.is_safe()
        && (req.path.starts_with("/static/") || req.path == "/favicon.ico"));
    if public {
        Ok(false)
    } else {
        Err(Response::redirect_see_other("/login"))
    }
}

fn too_many_attempts(api: bool, wait: Duration) -> Response {
    let seconds = retry_after(wait);
    error_response(
        api,
        429,
        "too_many_attempts",
        &format!(
            "too many wrong access tokens came from this address; try again in {seconds} \
             second{}",
            if seconds == 1 { "" } else { "s" }
        ),
    )
    .with_header("Retry-After", seconds.to_string())
}

pub(super) fn too_large(api: bool, max_body: usize) -> Response {
    let limit = if max_body.is_multiple_of(1024 * 1024) {
        format!("{} MiB", max_body / (1024 * 1024))
    } else {
        format!("{max_body} bytes")
    };
    error_response(
        api,
        413,
        "payload_too_large",
        &format!("the request body is larger than the limit of {limit}"),
    )
}
