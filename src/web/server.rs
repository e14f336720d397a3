//! The HTTP server loop: binding, the worker pool, request limits, the Host, cross-origin and
//! token checks, security headers and a clean stop on Ctrl-C / SIGTERM.
//!
//! **Architecture Invariant:** this is the only file that knows tiny_http. Everything above it
//! (router, API, pages) sees [`Request`] and returns [`Response`], and never has to think about
//! limits, authentication, DNS rebinding, CSRF or security headers: a request that reaches the
//! handler has passed all of them.
//!
//! tiny_http 0.12 has sharp edges this file works around:
//! - it writes headers and body in two segments, so the listening socket gets `TCP_NODELAY`
//!   (accepted sockets inherit it) or every keep-alive response waits ~40 ms for a delayed ACK;
//! - a request dropped with a large unread `Content-Length` is drained on drop after allocating a
//!   buffer of that size (a huge value aborts the process), so refused requests with an unread
//!   body are answered on a short-lived thread, and absurd lengths are never dropped at all;
//! - it silently drops a `Connection` response header, so a refused body cannot force the
//!   connection closed; the drain above keeps the connection usable instead;
//! - its accept loop ends for good on an error (e.g. EMFILE); a `recv()` error therefore ends the
//!   process with exit code 2 rather than leaving a server that no longer answers.

use crate::web::http::{is_api_path, Method, Request, Response};
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the router provides: one answer per request. It runs on several worker threads at once.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
pub const DEFAULT_MAX_HEADERS: usize = 64;
/// The console's session cookie, set by `POST /login` when a token is configured.
pub const SESSION_COOKIE: &str = "clientele_session";

/// How often the main thread looks for a stop request.
const STOP_POLL: Duration = Duration::from_millis(100);
/// Refused requests whose unread body is at most this long (or `max_body`, if larger) are
/// drained; longer ones are never dropped (tiny_http would allocate their whole length, which
/// aborts the process when the allocation fails).
const DRAIN_LIMIT: usize = 1024 * 1024 * 1024;
/// More live console sessions than this and all of them are forgotten (everyone logs in again).
const MAX_SESSIONS: usize = 10_000;

/// Sent on every response, errors included; a handler cannot override them.
const FIXED_HEADERS: [(&str, &str); 6] = [
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

/// Settings for [`run`].
#[derive(Clone)]
pub struct ServerConfig {
    /// `IP:PORT` (or `localhost:PORT`); port 0 picks a free port.
    pub addr: String,
    /// Number of worker threads answering requests.
    pub workers: usize,
    /// Access token. Required for any address other than loopback.
    pub token: Option<String>,
    /// Largest accepted request body in bytes.
    pub max_body: usize,
    /// Largest accepted number of request header lines.
    pub max_headers: usize,
}

impl ServerConfig {
    /// Defaults (see [`Default`]) with another address.
    pub fn new(addr: impl Into<String>) -> ServerConfig {
        ServerConfig {
            addr: addr.into(),
            ..ServerConfig::default()
        }
    }
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        ServerConfig {
            addr: DEFAULT_ADDR.to_owned(),
            workers: (cpus * 2).clamp(4, 16),
            token: None,
            max_body: DEFAULT_MAX_BODY,
            max_headers: DEFAULT_MAX_HEADERS,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("addr", &self.addr)
            .field("workers", &self.workers)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("max_body", &self.max_body)
            .field("max_headers", &self.max_headers)
            .finish()
    }
}

/// Serves until Ctrl-C or SIGTERM, then stops the workers (requests already received are
/// answered) and returns `Ok(())` so the caller can close the database cleanly. A second Ctrl-C
/// ends the process at once (exit code 130).
///
/// `on_ready` is called with the bound address once requests are being answered.
/// Errors (address in use, bad address, missing token) are sentences for the user.
pub fn run(
    config: ServerConfig,
    handler: Handler,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    serve(config, handler, on_ready, Stop::Signals)
}

/// Like [`run`], but stops when `stop` becomes true instead of on signals (tests, embedding).
pub fn run_with_shutdown(
    config: ServerConfig,
    handler: Handler,
    on_ready: impl FnOnce(SocketAddr),
    stop: Arc<AtomicBool>,
) -> Result<(), String> {
    serve(config, handler, on_ready, Stop::Flag(stop))
}

enum Stop {
    Signals,
    Flag(Arc<AtomicBool>),
}

impl Stop {
    fn requested(&self) -> bool {
        match self {
            Stop::Signals => signals::received(),
            Stop::Flag(flag) => flag.load(Ordering::SeqCst),
        }
    }
}

/// Everything a worker needs.
struct Shared {
    handler: Handler,
    bound: SocketAddr,
    token: Option<String>,
    max_body: usize,
    max_headers: usize,
    sessions: Mutex<HashSet<String>>,
    security_headers: Vec<tiny_http::Header>,
    log: bool,
    stopping: AtomicBool,
}

fn serve(
    config: ServerConfig,
    handler: Handler,
    on_ready: impl FnOnce(SocketAddr),
    stop: Stop,
) -> Result<(), String> {
    if let Some(token) = &config.token {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "the access token must be non-empty printable ASCII without spaces \
                        (it is sent in an HTTP header)"
                    .to_owned(),
            );
        }
    }
    let addrs: Vec<SocketAddr> = match config.addr.to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(_) => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(format!(
            "{:?} is not an address to listen on; write it as IP:PORT, e.g. --addr {DEFAULT_ADDR}",
            config.addr
        ));
    }
    if config.token.is_none() && !addrs.iter().all(|a| is_loopback(a.ip())) {
        return Err(format!(
            "listening on {} needs --token TOKEN: other machines can reach that address, so \
             they must present an access token (the console asks for it at /login, the API \
             expects \"Authorization: Bearer TOKEN\"); or keep the default --addr {DEFAULT_ADDR}",
            config.addr
        ));
    }
    let listener =
        TcpListener::bind(&addrs[..]).map_err(|e| bind_error(&config.addr, &addrs, &e))?;
    set_nodelay(&listener);
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let server = Arc::new(
        tiny_http::Server::from_listener(listener, None)
            .map_err(|e| format!("cannot listen on {bound}: {e}"))?,
    );

    let shared = Arc::new(Shared {
        handler,
        bound,
        token: config.token,
        max_body: config.max_body,
        max_headers: config.max_headers,
        sessions: Mutex::new(HashSet::new()),
        security_headers: FIXED_HEADERS
            .iter()
            .filter_map(|(n, v)| tiny_http::Header::from_bytes(*n, *v).ok())
            .collect(),
        log: std::env::var_os("CLIENTELE_LOG").is_some(),
        stopping: AtomicBool::new(false),
    });

    let mut workers = Vec::new();
    let mut spawn_error = None;
    for n in 0..config.workers.max(1) {
        let server = Arc::clone(&server);
        let shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name(format!("clientele-http-{n}"))
            .spawn(move || worker(&server, &shared));
        match spawned {
            Ok(handle) => workers.push(handle),
            Err(e) => {
                spawn_error = Some(format!("cannot start the HTTP worker threads: {e}"));
                break;
            }
        }
    }

    let signals = matches!(stop, Stop::Signals);
    if spawn_error.is_none() {
        if signals {
            signals::install();
        }
        on_ready(bound);
        while !stop.requested() {
            std::thread::sleep(STOP_POLL);
        }
    }

    // Each worker takes one "unblock" from the queue after the requests already waiting there.
    shared.stopping.store(true, Ordering::SeqCst);
    for _ in &workers {
        server.unblock();
    }
    for handle in workers {
        let _ = handle.join();
    }
    if signals {
        signals::restore();
    }
    match spawn_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn bind_error(addr: &str, addrs: &[SocketAddr], e: &std::io::Error) -> String {
    let first = addrs[0];
    let mut other = first;
    other.set_port(match first.port() {
        0 | u16::MAX => 8081,
        port => port + 1,
    });
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "address {addr} is already in use; choose another with --addr, e.g. --addr {other}"
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "not allowed to listen on {addr} (ports below 1024 need extra privileges); \
             choose another with --addr, e.g. --addr {DEFAULT_ADDR}"
        ),
        std::io::ErrorKind::AddrNotAvailable => format!(
            "{addr} is not an address of this machine; choose another with --addr, \
             e.g. --addr {DEFAULT_ADDR}"
        ),
        _ => format!("cannot listen on {addr}: {e}"),
    }
}

/// tiny_http writes headers and body separately; without TCP_NODELAY every keep-alive response
/// waits for the peer's delayed ACK (~40 ms). Accepted sockets inherit the option on Linux.
#[cfg(unix)]
fn set_nodelay(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    let one: libc::c_int = 1;
    // SAFETY: a valid socket descriptor, a pointer to a live c_int and its exact size.
    let rc = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            std::ptr::from_ref(&one).cast::<libc::c_void>(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        eprintln!(
            "clientele: could not set TCP_NODELAY ({}); responses may be slow",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(unix))]
fn set_nodelay(_listener: &TcpListener) {}

fn worker(server: &tiny_http::Server, shared: &Shared) {
    loop {
        match server.recv() {
            Ok(request) => {
                // `process` catches handler panics itself; this catches our own bugs so that a
                // worker never dies (tiny_http then answers the dropped request with a 500).
                if catch_unwind(AssertUnwindSafe(|| process(shared, request))).is_err() {
                    eprintln!("clientele: internal error in the HTTP server; request dropped");
                }
            }
            Err(_) if shared.stopping.load(Ordering::SeqCst) => return,
            Err(e) => {
                eprintln!(
                    "clientele: the HTTP server can no longer accept connections: {e}. \
                     Stopping. (\"Too many open files\" means the limit from `ulimit -n` \
                     is too low.)"
                );
                std::process::exit(2);
            }
        }
    }
}

/// Why a request is answered without reaching the handler.
struct Refusal {
    response: Response,
    /// The body was not read: tiny_http would drain it when the request is dropped.
    body_unread: bool,
}

fn process(shared: &Shared, mut rq: tiny_http::Request) {
    let started = shared.log.then(Instant::now);
    let log_head = shared
        .log
        .then(|| format!("{} {:?}", rq.method(), rq.url()));
    let (response, body_unread) = match admit(shared, &mut rq) {
        Ok(req) => (dispatch(shared, &req), false),
        Err(refusal) => (refusal.response, refusal.body_unread),
    };
    if let (Some(head), Some(started)) = (log_head, started) {
        eprintln!(
            "{head} {} {}µs",
            response.status,
            started.elapsed().as_micros()
        );
    }
    send(shared, rq, response, body_unread);
}

/// All checks that come before the handler, and reading the body.
fn admit(shared: &Shared, rq: &mut tiny_http::Request) -> Result<Request, Refusal> {
    let api = is_api_path(rq.url());
    let refuse = |status, code, message: &str| Refusal {
        response: error_response(api, status, code, message),
        body_unread: true,
    };

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

    if rq.body_length().is_some_and(|n| n > shared.max_body) {
        return Err(too_large(api, shared.max_body, true));
    }

    let method = Method::parse(rq.method().as_str());
    let mut req = match Request::new(method, rq.url()) {
        Ok(req) => req,
        Err(e) => {
            return Err(refuse(
                400,
                "bad_request",
                &format!("the request address is not valid: {e}"),
            ))
        }
    };
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

    if cross_origin(&req) {
        return Err(refuse(
            403,
            "cross_origin",
            "this request came from another web site, so it was refused; use the clientele \
             console itself to make changes",
        ));
    }

    if let Some(token) = &shared.token {
        if let Some(response) = authorize(shared, token, &req) {
            return Err(Refusal {
                response,
                body_unread: true,
            });
        }
    }

    let declared = rq.body_length().unwrap_or(0);
    let mut body = Vec::with_capacity(declared.min(64 * 1024));
    let limit = u64::try_from(shared.max_body)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if let Err(e) = rq.as_reader().take(limit).read_to_end(&mut body) {
        return Err(refuse(
            400,
            "bad_request",
            &format!("could not read the request body: {e}"),
        ));
    }
    if body.len() > shared.max_body {
        // Only a chunked body gets here; its unread rest is not drained by tiny_http.
        return Err(too_large(api, shared.max_body, false));
    }
    req.body = body;
    Ok(req)
}

fn too_large(api: bool, max_body: usize, body_unread: bool) -> Refusal {
    let limit = if max_body.is_multiple_of(1024 * 1024) {
        format!("{} MiB", max_body / (1024 * 1024))
    } else {
        format!("{max_body} bytes")
    };
    Refusal {
        response: error_response(
            api,
            413,
            "payload_too_large",
            &format!("the request body is larger than the limit of {limit}"),
        ),
        body_unread,
    }
}

/// Returns the answer for a request that is not allowed in (only called with a token).
fn authorize(shared: &Shared, token: &str, req: &Request) -> Option<Response> {
    if has_session(shared, req) {
        return None;
    }
    if req.is_api() {
        let bearer = req.header("authorization").and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
        });
        if bearer.is_some_and(|given| constant_time_eq(given.as_bytes(), token.as_bytes())) {
            return None;
        }
        return Some(
            Response::api_error(
                401,
                "unauthorized",
                "this server needs an access token: send the header \
                 \"Authorization: Bearer TOKEN\" with the token the server was started with",
                None,
            )
            .with_header("WWW-Authenticate", "Bearer"),
        );
    }
    let public = matches!(
        (req.method, req.path.as_str()),
        (_, "/login") | (Method::Post, "/logout")
    ) || (req.method.is_safe()
        && (req.path.starts_with("/static/") || req.path == "/favicon.ico"));
    if public {
        None
    } else {
        Some(Response::redirect_see_other("/login"))
    }
}

fn has_session(shared: &Shared, req: &Request) -> bool {
    match req.cookie(SESSION_COOKIE) {
        Some(id) if !id.is_empty() => lock_sessions(shared).contains(id),
        _ => false,
    }
}

fn lock_sessions(shared: &Shared) -> std::sync::MutexGuard<'_, HashSet<String>> {
    // A panic while holding this lock cannot leave the set half-updated.
    shared
        .sessions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `/login` and `/logout` are ours; everything else goes to the handler.
fn dispatch(shared: &Shared, req: &Request) -> Response {
    if let Some(response) = session_routes(shared, req) {
        return response;
    }
    match catch_unwind(AssertUnwindSafe(|| (shared.handler)(req))) {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("unknown panic");
            eprintln!(
                "clientele: internal error while answering {} {:?}: {what}",
                req.method, req.raw_path
            );
            error_response(
                req.is_api(),
                500,
                "internal",
                "the server hit an internal error while answering this request; nothing was \
                 changed by the failed part, and the error was logged",
            )
        }
    }
}

fn session_routes(shared: &Shared, req: &Request) -> Option<Response> {
    let Some(token) = &shared.token else {
        return match (req.method, req.path.as_str()) {
            (Method::Get | Method::Head, "/login") | (Method::Post, "/logout") => {
                Some(Response::redirect_see_other("/"))
            }
            _ => None,
        };
    };
    match (req.method, req.path.as_str()) {
        (Method::Get | Method::Head, "/login") => Some(if has_session(shared, req) {
            Response::redirect_see_other("/")
        } else {
            login_page(200, None)
        }),
        (Method::Post, "/login") => Some(login(shared, token, req)),
        (_, "/login") => Some(
            error_response(
                false,
                405,
                "method_not_allowed",
                "use GET or POST for /login",
            )
            .with_header("Allow", "GET, HEAD, POST"),
        ),
        (Method::Post, "/logout") => {
            if let Some(id) = req.cookie(SESSION_COOKIE) {
                lock_sessions(shared).remove(id);
            }
            Some(Response::redirect_see_other("/login").with_header(
                "Set-Cookie",
                format!("{SESSION_COOKIE}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/"),
            ))
        }
        _ => None,
    }
}

fn login(shared: &Shared, token: &str, req: &Request) -> Response {
    let Ok(pairs) = req.form_pairs() else {
        return login_page(400, Some("The form could not be read; please try again."));
    };
    let given = pairs
        .iter()
        .find(|(name, _)| name == "token")
        .map_or("", |(_, value)| value.as_str());
    if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
        return login_page(
            401,
            Some("That is not the access token this server was started with."),
        );
    }
    let id = match random_hex() {
        Ok(id) => id,
        Err(e) => {
            eprintln!("clientele: cannot read /dev/urandom for a session id: {e}");
            return error_response(
                false,
                500,
                "internal",
                "the server could not create a session (no random numbers available)",
            );
        }
    };
    {
        let mut sessions = lock_sessions(shared);
        if sessions.len() >= MAX_SESSIONS {
            sessions.clear();
        }
        sessions.insert(id.clone());
    }
    Response::redirect_see_other("/").with_header(
        "Set-Cookie",
        format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/"),
    )
}

/// 16 bytes from the kernel's random source as 32 lower-case hex characters.
fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares without an early exit, so the time taken does not reveal how much of a guess was
/// right (only the secret's length shapes it).
fn constant_time_eq(given: &[u8], secret: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != secret.len());
    for (i, s) in secret.iter().enumerate() {
        diff |= given.get(i).copied().unwrap_or(!s) ^ s;
    }
    std::hint::black_box(diff) == 0
}

fn login_page(status: u16, error: Option<&str>) -> Response {
    let markup = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Sign in – clientele" }
            }
            body {
                main {
                    h1 { "clientele" }
                    p { "This customer desk is protected by an access token. Enter the token the server was started with." }
                    @if let Some(error) = error {
                        p id="login-error" role="alert" { strong { (error) } }
                    }
                    form method="post" action="/login" {
                        p {
                            label for="token" { "Access token" }
                            " "
                            input id="token" name="token" type="password"
                                autocomplete="current-password" required autofocus
                                aria-describedby=[error.map(|_| "login-error")];
                        }
                        p { button type="submit" { "Sign in" } }
                    }
                }
            }
        }
    };
    Response::html(status, markup.into_string())
}

/// An error in the caller's format: the API error object under `/api/`, a small page elsewhere.
fn error_response(api: bool, status: u16, code: &str, message: &str) -> Response {
    if api {
        return Response::api_error(status, code, message, None);
    }
    let title = match status {
        400 => "Bad request",
        401 => "Not signed in",
        403 => "Refused",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Request too large",
        421 => "Wrong address",
        431 => "Request headers too large",
        500 => "Internal error",
        _ => "Error",
    };
    let markup = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – clientele" }
            }
            body {
                main {
                    h1 { (title) }
                    p { (message) }
                    p { a href="/" { "Back to the customer list" } }
                }
            }
        }
    };
    Response::html(status, markup.into_string())
}

/// Writes the response with the security headers. A refused request whose body was never read
/// must not be dropped on a worker (tiny_http reads the rest of the body on drop).
fn send(shared: &Shared, rq: tiny_http::Request, response: Response, body_unread: bool) {
    let response = to_tiny(shared, response);
    let pending = rq.body_length().filter(|&n| {
        body_unread && (n > 1024 || rq.headers().iter().any(|h| h.field.equiv("Expect")))
    });
    match pending {
        None => {
            let _ = rq.respond(response);
        }
        Some(n) if n > DRAIN_LIMIT.max(shared.max_body) => {
            // Dropping this request would make tiny_http allocate `n` bytes (aborting the
            // process for absurd lengths), so it is never dropped: `upgrade` writes the answer
            // (without a body or Content-Length, so the client reads until the connection
            // ends) and hands over the reader, which is leaked; then the socket is shut down so
            // the client sees the end. Costs one idle thread and descriptor per such request.
            let peer = rq.remote_addr().copied();
            std::mem::forget(rq.upgrade("close", response));
            if let Some(peer) = peer {
                shutdown_connection(shared.bound, peer);
            }
        }
        Some(_) => {
            // tiny_http drains the rest of the body when the request is dropped, which blocks
            // until the client sends it or hangs up; do that off the worker pool.
            let spawned = std::thread::Builder::new()
                .name("clientele-drain".to_owned())
                .spawn(move || {
                    let _ = rq.respond(response);
                });
            if let Err(e) = spawned {
                eprintln!("clientele: cannot start a thread to refuse a request body: {e}");
            }
        }
    }
}

/// Shuts down (without closing) our socket connected to `peer`, found among this process's
/// descriptors. Only used for connections whose request had to be leaked.
#[cfg(target_os = "linux")]
fn shutdown_connection(bound: SocketAddr, peer: SocketAddr) {
    type AddrFn =
        unsafe extern "C" fn(libc::c_int, *mut libc::sockaddr, *mut libc::socklen_t) -> libc::c_int;
    fn address(fd: libc::c_int, get: AddrFn) -> Option<SocketAddr> {
        // SAFETY: sockaddr_storage is plain data, large enough for any address; the length
        // tells the kernel its size.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: valid pointers to the storage and its length.
        let rc = unsafe { get(fd, std::ptr::from_mut(&mut storage).cast(), &mut len) };
        if rc != 0 {
            return None;
        }
        match libc::c_int::from(storage.ss_family) {
            libc::AF_INET => {
                // SAFETY: the kernel wrote a sockaddr_in (family AF_INET).
                let a: libc::sockaddr_in = unsafe {
                    std::ptr::from_ref(&storage)
                        .cast::<libc::sockaddr_in>()
                        .read()
                };
                let ip = Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
                Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(a.sin_port)))
            }
            libc::AF_INET6 => {
                // SAFETY: the kernel wrote a sockaddr_in6 (family AF_INET6).
                let a: libc::sockaddr_in6 = unsafe {
                    std::ptr::from_ref(&storage)
                        .cast::<libc::sockaddr_in6>()
                        .read()
                };
                let ip = Ipv6Addr::from(a.sin6_addr.s6_addr);
                Some(SocketAddr::new(IpAddr::V6(ip), u16::from_be(a.sin6_port)))
            }
            _ => None,
        }
    }
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in dir.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<libc::c_int>().ok())
        else {
            continue;
        };
        if address(fd, libc::getpeername) == Some(peer)
            && address(fd, libc::getsockname).is_some_and(|local| local.port() == bound.port())
        {
            // SAFETY: shutting down a connected socket of ours; the descriptor stays open.
            unsafe { libc::shutdown(fd, libc::SHUT_RDWR) };
            return;
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn shutdown_connection(_bound: SocketAddr, _peer: SocketAddr) {}

fn to_tiny(shared: &Shared, response: Response) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
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

/// True if a request with this `Host` header may be answered (DNS-rebinding defence).
///
/// Without a token only the bound address and the loopback names are accepted, with the bound
/// port: `127.0.0.1:P`, `localhost:P`, `[::1]:P`, the bound `IP:P` (a missing port means 80).
/// With a token any host is accepted: the token check protects the server.
pub fn host_allowed(host: &str, bound: SocketAddr, token: bool) -> bool {
    if token {
        return true;
    }
    let host = host.trim();
    let (name, port, bracketed) = if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if after.is_empty() {
            (inside, None, true)
        } else if let Some(port) = after.strip_prefix(':') {
            (inside, Some(port), true)
        } else {
            return false;
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port), false),
            None => (host, None, false),
        }
    };
    let port = match port {
        None => 80,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => match p.parse() {
            Ok(port) => port,
            Err(_) => return false,
        },
        Some(_) => return false,
    };
    if port != bound.port() {
        return false;
    }
    if !bracketed && name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let ip = if bracketed {
        name.parse::<Ipv6Addr>().map(IpAddr::V6).ok()
    } else {
        name.parse::<Ipv4Addr>().map(IpAddr::V4).ok()
    };
    // An IP literal cannot be rebound by DNS, so any loopback literal is as safe as the bound one.
    ip.is_some_and(|ip| ip == bound.ip() || is_loopback(ip))
}

/// True if a state-changing request (anything but GET and HEAD) says it comes from another
/// origin: an `Origin` other than `http://<Host>`, or a `Sec-Fetch-Site` other than
/// `same-origin` or `none` (`cross-site`, `same-site`, or a value we do not know).
pub fn cross_origin(req: &Request) -> bool {
    if req.method.is_safe() {
        return false;
    }
    if let Some(site) = req.header("sec-fetch-site") {
        let site = site.trim();
        if !site.eq_ignore_ascii_case("same-origin") && !site.eq_ignore_ascii_case("none") {
            return true;
        }
    }
    if let Some(origin) = req.header("origin") {
        let host = req.header("host").unwrap_or("").trim();
        let origin = origin.trim();
        // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even for a form
        // on our own page; the browser's `Sec-Fetch-Site: same-origin` (checked above) then
        // vouches for it. Without that header an opaque origin is refused.
        if origin == "null" {
            return req.header("sec-fetch-site").is_none();
        }
        let same = !host.is_empty()
            && origin
                .get(.."http://".len())
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
            && origin
                .get("http://".len()..)
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host));
        if !same {
            return true;
        }
    }
    false
}

#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    static RECEIVED: AtomicBool = AtomicBool::new(false);
    static PREVIOUS: Mutex<Vec<(libc::c_int, libc::sigaction)>> = Mutex::new(Vec::new());
    const SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

    extern "C" fn on_signal(_signal: libc::c_int) {
        if RECEIVED.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: the user does not want to wait for a clean stop.
            // SAFETY: _exit is async-signal-safe.
            unsafe { libc::_exit(130) };
        }
    }

    pub(super) fn install() {
        RECEIVED.store(false, Ordering::SeqCst);
        let mut previous = PREVIOUS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for signal in SIGNALS {
            // SAFETY: sigaction is plain data (all-zero is a valid value); the handler only
            // touches an atomic and calls _exit, both async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
    }

    pub(super) fn restore() {
        let mut previous = PREVIOUS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (signal, old) in previous.drain(..) {
            // SAFETY: restores an action the kernel gave us.
            unsafe {
                libc::sigaction(signal, &old, std::ptr::null_mut());
            }
        }
    }

    pub(super) fn received() -> bool {
        RECEIVED.load(Ordering::SeqCst)
    }
}

#[cfg(not(unix))]
mod signals {
    pub(super) fn install() {}
    pub(super) fn restore() {}
    pub(super) fn received() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpStream;
    use std::sync::mpsc;
    use std::thread::JoinHandle;

    // ---- pure checks -------------------------------------------------------------------

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn host_check_without_token() {
        let bound = addr("127.0.0.1:8080");
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LocalHost:8080",
            "[::1]:8080",
            "127.0.0.2:8080",
            " localhost:8080 ",
        ] {
            assert!(host_allowed(ok, bound, false), "{ok:?}");
        }
        for bad in [
            "",
            "evil.example:8080",
            "evil.example",
            "localhost",
            "localhost:8081",
            "localhost:",
            "localhost:80:8080",
            "127.0.0.1",
            "10.0.0.1:8080",
            "[::1]",
            "[::1]x",
            "[::1:8080",
            "localhost.evil.example:8080",
            "127.0.0.1.nip.io:8080",
            "::1:8080",
            "localhost:+8080",
        ] {
            assert!(!host_allowed(bad, bound, false), "{bad:?}");
        }
        // Port 80 may be left out, as browsers do.
        assert!(host_allowed("localhost", addr("127.0.0.1:80"), false));
        // The bound address itself, IPv6 included.
        assert!(host_allowed("[::1]:9000", addr("[::1]:9000"), false));
        assert!(host_allowed(
            "[0:0:0:0:0:0:0:1]:9000",
            addr("[::1]:9000"),
            false
        ));
        assert!(host_allowed("localhost:9000", addr("[::1]:9000"), false));
        assert!(!host_allowed("localhost:9001", addr("[::1]:9000"), false));
    }

    #[test]
    fn host_check_with_token_accepts_any_name() {
        let bound = addr("0.0.0.0:8080");
        assert!(host_allowed("desk.lan:8080", bound, true));
        assert!(host_allowed("", bound, true));
        assert!(!host_allowed("desk.lan:8080", bound, false));
        assert!(host_allowed("localhost:8080", bound, false));
    }

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut r = Request::new(Method::Post, "/customers").unwrap();
        for (n, v) in headers {
            r = r.with_header(n, v);
        }
        r
    }

    #[test]
    fn cross_origin_check() {
        let host = ("Host", "127.0.0.1:8080");
        // No Origin, no Sec-Fetch-Site: curl, scripts, old browsers.
        assert!(!cross_origin(&post(&[host])));
        assert!(!cross_origin(&post(&[
            host,
            ("Origin", "http://127.0.0.1:8080")
        ])));
        assert!(!cross_origin(&post(&[
            host,
            ("Origin", "HTTP://127.0.0.1:8080")
        ])));
        assert!(!cross_origin(&post(&[
            host,
            ("Sec-Fetch-Site", "same-origin")
        ])));
        assert!(!cross_origin(&post(&[host, ("Sec-Fetch-Site", "none")])));
        assert!(cross_origin(&post(&[
            host,
            ("Origin", "http://evil.example")
        ])));
        assert!(cross_origin(&post(&[host, ("Origin", "null")])));
        // What Chromium sends for our own forms under `Referrer-Policy: no-referrer`.
        assert!(!cross_origin(&post(&[
            host,
            ("Origin", "null"),
            ("Sec-Fetch-Site", "same-origin")
        ])));
        assert!(cross_origin(&post(&[
            host,
            ("Origin", "null"),
            ("Sec-Fetch-Site", "cross-site")
        ])));
        assert!(cross_origin(&post(&[
            host,
            ("Origin", "https://127.0.0.1:8080")
        ])));
        assert!(cross_origin(&post(&[
            host,
            ("Origin", "http://127.0.0.1:8081")
        ])));
        assert!(cross_origin(&post(&[
            host,
            ("Origin", "http://127.0.0.1:8080.evil")
        ])));
        assert!(cross_origin(&post(&[host, ("Origin", "http://")])));
        assert!(cross_origin(&post(&[("Origin", "http://")])));
        assert!(cross_origin(&post(&[host, ("Origin", "http://é")])));
        assert!(cross_origin(&post(&[
            host,
            ("Sec-Fetch-Site", "cross-site")
        ])));
        assert!(cross_origin(&post(&[
            host,
            ("Sec-Fetch-Site", "same-site")
        ])));
        assert!(cross_origin(&post(&[
            host,
            ("Sec-Fetch-Site", "something-new")
        ])));
        // Either signal is enough.
        assert!(cross_origin(&post(&[
            host,
            ("Origin", "http://127.0.0.1:8080"),
            ("Sec-Fetch-Site", "cross-site")
        ])));
        // Safe methods are never refused; other methods are checked.
        for method in [Method::Get, Method::Head] {
            let mut r = post(&[host, ("Origin", "http://evil.example")]);
            r.method = method;
            assert!(!cross_origin(&r));
        }
        for method in [Method::Put, Method::Patch, Method::Delete, Method::Other] {
            let mut r = post(&[host, ("Sec-Fetch-Site", "cross-site")]);
            r.method = method;
            assert!(cross_origin(&r));
        }
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secreT", b"secret"));
        assert!(!constant_time_eq(b"secre", b"secret"));
        assert!(!constant_time_eq(b"secrets", b"secret"));
        assert!(!constant_time_eq(b"", b"secret"));
        assert!(!constant_time_eq(b"\xff", b""));
    }

    #[test]
    fn session_ids_are_random_hex() {
        let a = random_hex().unwrap();
        let b = random_hex().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    // ---- a real server -----------------------------------------------------------------

    struct TestServer {
        addr: SocketAddr,
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<Result<(), String>>>,
    }

    impl TestServer {
        fn start(config: ServerConfig) -> TestServer {
            let handler: Handler = Arc::new(|req: &Request| match req.path.as_str() {
                "/panic" | "/api/panic" => panic!("test handler panics on purpose"),
                "/echo" => Response::text(
                    200,
                    &format!(
                        "{} {} {}",
                        req.method,
                        req.path,
                        String::from_utf8_lossy(&req.body)
                    ),
                ),
                "/header" => Response::text(200, "x")
                    .with_header("X-Bad", "a\r\nSet-Cookie: injected=1")
                    .with_header("X-Good", "fine")
                    .with_header("X-Frame-Options", "ALLOWALL"),
                _ => Response::text(200, "hello"),
            });
            let (tx, rx) = mpsc::channel();
            let stop = Arc::new(AtomicBool::new(false));
            let stop_flag = Arc::clone(&stop);
            let thread = std::thread::spawn(move || {
                run_with_shutdown(
                    config,
                    handler,
                    move |addr| tx.send(addr).unwrap(),
                    stop_flag,
                )
            });
            match rx.recv() {
                Ok(addr) => TestServer {
                    addr,
                    stop,
                    thread: Some(thread),
                },
                Err(_) => panic!("server did not start: {:?}", thread.join()),
            }
        }

        fn client(&self) -> Client {
            let stream = TcpStream::connect(self.addr).unwrap();
            // A safety net so a broken server fails the test instead of hanging it.
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            Client {
                reader: BufReader::new(stream.try_clone().unwrap()),
                writer: stream,
                host: self.addr.to_string(),
            }
        }
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            if let Some(thread) = self.thread.take() {
                let result = thread.join().expect("server thread panicked");
                if !std::thread::panicking() {
                    assert_eq!(result, Ok(()));
                }
            }
        }
    }

    struct Client {
        reader: BufReader<TcpStream>,
        writer: TcpStream,
        host: String,
    }

    #[derive(Debug)]
    struct Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Reply {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.body).into_owned()
        }
        fn json(&self) -> serde_json::Value {
            serde_json::from_slice(&self.body).expect("a JSON body")
        }
    }

    impl Client {
        fn send_raw(&mut self, raw: &[u8]) {
            self.writer.write_all(raw).unwrap();
        }

        /// Sends `METHOD target` with a correct Host header, extra header lines and a body.
        fn send(&mut self, method: &str, target: &str, extra: &[&str], body: &[u8]) {
            let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host);
            for line in extra {
                head.push_str(line);
                head.push_str("\r\n");
            }
            if !body.is_empty() {
                head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            head.push_str("\r\n");
            let mut raw = head.into_bytes();
            raw.extend_from_slice(body);
            self.send_raw(&raw);
        }

        fn reply(&mut self) -> Reply {
            self.reply_head(true)
        }

        fn reply_head(&mut self, with_body: bool) -> Reply {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let status = line
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("bad status line {line:?}"));
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                self.reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (n, v) = line.split_once(':').unwrap();
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
            let mut reply = Reply {
                status,
                headers,
                body: Vec::new(),
            };
            if with_body {
                let len: usize = reply
                    .header("content-length")
                    .expect("a Content-Length")
                    .parse()
                    .unwrap();
                reply.body = vec![0; len];
                self.reader.read_exact(&mut reply.body).unwrap();
            }
            reply
        }

        fn get(&mut self, target: &str, extra: &[&str]) -> Reply {
            self.send("GET", target, extra, b"");
            self.reply()
        }
    }

    fn assert_security_headers(reply: &Reply) {
        for (name, value) in FIXED_HEADERS {
            assert_eq!(reply.header(name), Some(value), "{name} on {reply:?}");
        }
        assert_eq!(
            reply
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("X-Frame-Options"))
                .count(),
            1
        );
    }

    fn local() -> ServerConfig {
        ServerConfig {
            workers: 2,
            ..ServerConfig::new("127.0.0.1:0")
        }
    }

    #[test]
    fn serves_keep_alive_and_refuses_bad_requests() {
        let server = TestServer::start(local());
        let mut c = server.client();

        // Keep-alive: several requests on one connection.
        for _ in 0..3 {
            let r = c.get("/", &[]);
            assert_eq!(r.status, 200);
            assert_eq!(r.text(), "hello");
            assert_security_headers(&r);
        }
        let r = c.get("/%2e%2E/caf%C3%A9", &[]);
        assert_eq!(r.status, 200);

        // A body over 1 KiB (tiny_http streams those) reaches the handler intact.
        let big = vec![b'x'; 5000];
        c.send("POST", "/echo", &[], &big);
        let r = c.reply();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), format!("POST /echo {}", "x".repeat(5000)));

        // Bad percent-encoding in the path: 400, as HTML for the console, JSON for the API.
        let r = c.get("/customers/%zz", &[]);
        assert_eq!(r.status, 400);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert_security_headers(&r);
        let r = c.get("/api/customers/%C3", &[]);
        assert_eq!(r.status, 400);
        assert_eq!(r.json()["error"]["code"], "bad_request");

        // Response headers that could inject are dropped; ours cannot be overridden.
        let r = c.get("/header", &[]);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-good"), Some("fine"));
        assert_eq!(r.header("x-bad"), None);
        assert_eq!(r.header("set-cookie"), None);
        assert_security_headers(&r);

        // Without a token, /login is not a page of its own.
        let r = c.get("/login", &[]);
        assert_eq!((r.status, r.header("location")), (303, Some("/")));

        // The same connection still works after all of that.
        assert_eq!(c.get("/", &[]).status, 200);
    }

    #[test]
    fn refuses_oversized_requests() {
        let server = TestServer::start(local());

        // A 20 MiB Content-Length is refused before the body is read.
        let mut c = server.client();
        c.send("POST", "/echo", &["Content-Length: 20971520"], b"");
        let r = c.reply();
        assert_eq!(r.status, 413);
        assert!(r.text().contains("16 MiB"), "{}", r.text());
        assert_security_headers(&r);
        drop(c);

        // An absurd length (tiny_http would try to allocate it) is refused too, the connection
        // ends, and the process survives.
        let mut c = server.client();
        c.send(
            "POST",
            "/api/import",
            &["Content-Length: 99999999999999"],
            b"",
        );
        let r = c.reply_head(false);
        assert_eq!(r.status, 413);
        let mut rest = Vec::new();
        c.reader.read_to_end(&mut rest).unwrap();
        drop(c);

        // 70 header lines: 431.
        let mut c = server.client();
        let many: Vec<String> = (0..70).map(|i| format!("X-Filler-{i}: {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let r = c.get("/", &many);
        assert_eq!(r.status, 431);
        assert_security_headers(&r);
        assert_eq!(c.get("/", &[]).status, 200);

        assert_eq!(server.client().get("/", &[]).status, 200);
    }

    #[test]
    fn refuses_chunked_bodies_over_the_limit() {
        let server = TestServer::start(ServerConfig {
            max_body: 1000,
            ..local()
        });
        let mut c = server.client();
        let chunk = "x".repeat(600);
        let raw = format!(
            "POST /echo HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\r\n\
             258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n",
            c.host
        );
        c.send_raw(raw.as_bytes());
        let r = c.reply();
        assert_eq!(r.status, 413);
        assert!(r.text().contains("1000 bytes"), "{}", r.text());

        let mut c = server.client();
        let raw = format!(
            "POST /echo HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\r\n\
             258\r\n{chunk}\r\n0\r\n\r\n",
            c.host
        );
        c.send_raw(raw.as_bytes());
        let r = c.reply();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), format!("POST /echo {chunk}"));
    }

    #[test]
    fn refuses_foreign_hosts_and_cross_origin_posts() {
        let server = TestServer::start(local());
        let mut c = server.client();

        // DNS rebinding: a name that is not ours.
        c.send_raw(b"GET / HTTP/1.1\r\nHost: evil.example:80\r\n\r\n");
        let r = c.reply();
        assert_eq!(r.status, 421);
        assert_security_headers(&r);
        c.send_raw(b"GET /api/customers HTTP/1.1\r\nHost: evil.example\r\n\r\n");
        let r = c.reply();
        assert_eq!(r.status, 421);
        assert_eq!(r.json()["error"]["code"], "wrong_host");
        // No Host at all (HTTP/1.0 style).
        let mut c0 = server.client();
        c0.send_raw(b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(c0.reply().status, 421);
        // localhost with our port is fine.
        let port = server.addr.port();
        c.send_raw(format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes());
        assert_eq!(c.reply().status, 200);

        // Cross-origin state changes.
        c.send("POST", "/echo", &["Origin: http://evil.example"], b"a=1");
        let r = c.reply();
        assert_eq!(r.status, 403);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert_security_headers(&r);
        c.send(
            "DELETE",
            "/api/customers/1",
            &["Sec-Fetch-Site: cross-site"],
            b"",
        );
        let r = c.reply();
        assert_eq!(r.status, 403);
        let v = r.json();
        assert_eq!(v["error"]["code"], "cross_origin");
        assert!(v["error"]["field"].is_null());
        // A cross-origin GET is fine; a same-origin POST is fine.
        assert_eq!(c.get("/", &["Origin: http://evil.example"]).status, 200);
        let origin = format!("Origin: http://{}", c.host);
        c.send(
            "POST",
            "/echo",
            &[&origin, "Sec-Fetch-Site: same-origin"],
            b"a=1",
        );
        let r = c.reply();
        assert_eq!((r.status, r.text()), (200, "POST /echo a=1".to_owned()));
    }

    #[test]
    fn a_panicking_handler_gives_500_and_the_server_keeps_serving() {
        let server = TestServer::start(local());
        let mut c = server.client();
        for _ in 0..3 {
            let r = c.get("/panic", &[]);
            assert_eq!(r.status, 500);
            assert!(r.header("content-type").unwrap().starts_with("text/html"));
            assert_security_headers(&r);
            let r = c.get("/api/panic", &[]);
            assert_eq!(r.status, 500);
            assert_eq!(r.json()["error"]["code"], "internal");
        }
        // More panics than workers, and everyone still gets answers.
        assert_eq!(c.get("/", &[]).status, 200);
        assert_eq!(server.client().get("/", &[]).status, 200);
    }

    #[test]
    fn token_protects_api_and_console() {
        let server = TestServer::start(ServerConfig {
            token: Some("s3cret-token".into()),
            ..local()
        });
        let mut c = server.client();

        // API: bearer token required.
        let r = c.get("/api/customers", &[]);
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error"]["code"], "unauthorized");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        assert_security_headers(&r);
        assert_eq!(
            c.get("/api/customers", &["Authorization: Bearer wrong"])
                .status,
            401
        );
        assert_eq!(
            c.get("/api/customers", &["Authorization: Bearer s3cret-token"])
                .status,
            200
        );
        assert_eq!(
            c.get("/api/customers", &["Authorization: bearer s3cret-token"])
                .status,
            200
        );
        // An oversized body without a token is refused before anything is read.
        c.send(
            "POST",
            "/api/import",
            &["Content-Length: 5000"],
            &[b'a'; 5000],
        );
        assert_eq!(c.reply().status, 401);

        // Console: redirected to the login form until signed in.
        let r = c.get("/", &[]);
        assert_eq!((r.status, r.header("location")), (303, Some("/login")));
        let r = c.get("/login", &[]);
        assert_eq!(r.status, 200);
        let page = r.text();
        assert!(
            page.contains("<label for=\"token\">Access token</label>"),
            "{page}"
        );
        assert!(page.contains("type=\"password\""));
        assert!(page.contains("action=\"/login\""));
        assert_security_headers(&r);

        // A wrong token shows the form again with an error.
        let form = ["Content-Type: application/x-www-form-urlencoded"];
        c.send("POST", "/login", &form, b"token=nope");
        let r = c.reply();
        assert_eq!(r.status, 401);
        assert!(r.text().contains("role=\"alert\""));
        assert_eq!(r.header("set-cookie"), None);

        // The right token sets a session cookie and goes to the list.
        c.send("POST", "/login", &form, b"token=s3cret-token");
        let r = c.reply();
        assert_eq!((r.status, r.header("location")), (303, Some("/")));
        let cookie = r.header("set-cookie").unwrap().to_owned();
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Strict"));
        assert!(cookie.contains("Path=/"));
        let session = cookie.split(';').next().unwrap().to_owned();
        let (name, id) = session.split_once('=').unwrap();
        assert_eq!(name, SESSION_COOKIE);
        assert_eq!(id.len(), 32);
        let with_cookie = format!("Cookie: {session}");

        let r = c.get("/", &[&with_cookie]);
        assert_eq!((r.status, r.text()), (200, "hello".to_owned()));
        // The console session also works for API links (CSV export) from the console.
        assert_eq!(c.get("/api/customers", &[&with_cookie]).status, 200);
        // A forged session id does not.
        let forged = format!("Cookie: {SESSION_COOKIE}={}", "0".repeat(32));
        assert_eq!(c.get("/", &[&forged]).status, 303);
        let r = c.get("/login", &[&with_cookie]);
        assert_eq!((r.status, r.header("location")), (303, Some("/")));

        // Logging in from another site is refused (login CSRF).
        c.send(
            "POST",
            "/login",
            &[form[0], "Origin: http://evil.example"],
            b"token=s3cret-token",
        );
        assert_eq!(c.reply().status, 403);

        // Logout forgets the session.
        c.send("POST", "/logout", &[&with_cookie], b"");
        let r = c.reply();
        assert_eq!((r.status, r.header("location")), (303, Some("/login")));
        assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
        assert_eq!(c.get("/", &[&with_cookie]).status, 303);

        // With a token, other host names are fine (the token protects).
        c.send_raw(b"GET /api/customers HTTP/1.1\r\nHost: desk.lan:8080\r\nAuthorization: Bearer s3cret-token\r\n\r\n");
        assert_eq!(c.reply().status, 200);
    }

    #[test]
    fn start_up_errors_are_sentences() {
        let handler: Handler = Arc::new(|_: &Request| Response::text(200, "x"));
        let never = Arc::new(AtomicBool::new(true));
        let start = |config: ServerConfig| {
            run_with_shutdown(config, Arc::clone(&handler), |_| {}, Arc::clone(&never))
        };

        let e = start(ServerConfig::new("0.0.0.0:0")).unwrap_err();
        assert!(
            e.starts_with("listening on 0.0.0.0:0 needs --token TOKEN"),
            "{e}"
        );

        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let e = start(ServerConfig::new(addr.to_string())).unwrap_err();
        assert_eq!(
            e,
            format!(
                "address {addr} is already in use; choose another with --addr, e.g. --addr 127.0.0.1:{}",
                addr.port() + 1
            )
        );

        let e = start(ServerConfig::new("nonsense")).unwrap_err();
        assert!(e.contains("IP:PORT"), "{e}");

        let e = start(ServerConfig {
            token: Some(String::new()),
            ..ServerConfig::new("127.0.0.1:0")
        })
        .unwrap_err();
        assert!(e.contains("access token"), "{e}");

        // With a token any address may be used; a set stop flag returns at once.
        let config = ServerConfig {
            token: Some("t0ken".into()),
            ..ServerConfig::new("0.0.0.0:0")
        };
        assert_eq!(start(config), Ok(()));
        // localhost is loopback.
        assert_eq!(start(ServerConfig::new("localhost:0")), Ok(()));

        let debug = format!(
            "{:?}",
            ServerConfig {
                token: Some("hide-me".into()),
                ..ServerConfig::default()
            }
        );
        assert!(!debug.contains("hide-me"));
    }
}
