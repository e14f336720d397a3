//! The HTTP server: binding, the worker pool, request limits, the Host, cross-origin and token
//! checks, security headers and a clean stop on Ctrl-C / SIGTERM.
//!
//! **Architecture Invariant:** only this module knows tiny_http. Everything above it (router,
//! API, pages) sees [`Request`] and returns [`Response`], and never has to think about limits,
//! authentication, DNS rebinding, CSRF or security headers: a request that reaches the handler
//! has passed all of them.
//!
//! tiny_http is our patched copy (`vendor/tiny_http`): each connection has its own thread that
//! reads a request's head within a deadline and size limits, asks [`admission`] whether to read
//! the body, reads the whole body at a minimum rate, and only then hands the request to a
//! worker. Slow or hostile clients therefore hold a connection thread (capped by the
//! descriptor limit) but never a worker. The listening socket gets `TCP_NODELAY` (accepted
//! sockets inherit it) or keep-alive responses wait ~40 ms for a delayed ACK.
//!
//! - `listener`: address checks, binding, the connection cap from `RLIMIT_NOFILE`;
//! - `admission`: the checks before a body is read; `origin`: Host and cross-origin rules;
//! - `login`, `sessions`, `throttle`: the access token, console sessions, wrong-token delays;
//! - `responses`: our error pages and the security headers; `access_log`; `signals`.

mod access_log;
mod admission;
mod listener;
mod login;
mod origin;
mod responses;
mod sessions;
mod signals;
#[cfg(test)]
mod tests;
mod throttle;

pub use origin::{cross_origin, host_allowed};

use crate::web::http::{Request, Response};
use admission::{head_request, Gatekeeper};
use responses::{error_response, to_tiny, FIXED_HEADERS};
use sessions::Sessions;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use throttle::Throttle;

/// What the router provides: one answer per request. It runs on several worker threads at once.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
pub const DEFAULT_MAX_HEADERS: usize = 64;
/// The console's session cookie, set by `POST /login` when a token is configured.
pub const SESSION_COOKIE: &str = "clientele_session";
/// Shorter tokens are refused at start-up: the token is the only lock on a server that other
/// machines can reach.
pub const MIN_TOKEN_LEN: usize = 16;

/// How often the main thread looks for a stop request.
const STOP_POLL: Duration = Duration::from_millis(100);

/// Settings for [`run`]. The README's "HTTP limits" section explains each default.
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
    /// Time a new connection has to send a complete request head (and a later request, from
    /// its first byte).
    pub head_timeout: Duration,
    /// How long a kept-alive connection may sit between requests.
    pub idle_timeout: Duration,
    /// A body must arrive at [`ServerConfig::body_min_rate`] bytes per second after this grace.
    pub body_grace: Duration,
    /// See `body_grace`.
    pub body_min_rate: u64,
    /// Open connections at most; `None` derives it from the descriptor limit.
    pub max_connections: Option<usize>,
    /// A console session ends after this long unused…
    pub session_idle: Duration,
    /// …and at the latest this long after sign-in.
    pub session_lifetime: Duration,
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
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
            body_grace: Duration::from_secs(10),
            body_min_rate: 16 * 1024,
            max_connections: None,
            session_idle: Duration::from_secs(30 * 60),
            session_lifetime: Duration::from_secs(12 * 3600),
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
            .field("head_timeout", &self.head_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("body_grace", &self.body_grace)
            .field("body_min_rate", &self.body_min_rate)
            .field("max_connections", &self.max_connections)
            .field("session_idle", &self.session_idle)
            .field("session_lifetime", &self.session_lifetime)
            .finish()
    }
}

/// Serves until Ctrl-C or SIGTERM, then stops the workers (requests already received are
/// answered) and returns `Ok(())` so the caller can close the database cleanly. A second Ctrl-C
/// ends the process at once (exit code 130).
///
/// `on_ready` is called with the bound address once requests are being answered.
/// Errors (address in use, bad address, missing or short token) are sentences for the user.
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

/// Everything the workers and the gate need.
struct Shared {
    handler: Handler,
    bound: SocketAddr,
    token: Option<String>,
    max_body: usize,
    max_headers: usize,
    sessions: Sessions,
    throttle: Throttle,
    security_headers: Vec<tiny_http::Header>,
    log: bool,
    stopping: AtomicBool,
}

/// Refuses a token that cannot travel in a header or is short enough to guess.
pub fn check_token_setting(token: &str) -> Result<(), String> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "the access token must be non-empty printable ASCII without spaces \
             (it is sent in an HTTP header)"
                .to_owned(),
        );
    }
    let len = token.len();
    if len < MIN_TOKEN_LEN {
        return Err(format!(
            "the access token is too short ({len} characters): use at least {MIN_TOKEN_LEN} \
             random characters, e.g. from `head -c 18 /dev/urandom | base64`"
        ));
    }
    Ok(())
}

fn connection_limits(config: &ServerConfig) -> tiny_http::Limits {
    tiny_http::Limits {
        head_timeout: config.head_timeout,
        idle_timeout: config.idle_timeout,
        body_grace: config.body_grace,
        body_min_rate: config.body_min_rate,
        max_connections: config
            .max_connections
            .unwrap_or_else(listener::connection_cap),
        // Four bodies of the largest size at once; smaller ones do not count.
        body_budget: config.max_body.saturating_mul(4),
        ..tiny_http::Limits::default()
    }
}

fn serve(
    config: ServerConfig,
    handler: Handler,
    on_ready: impl FnOnce(SocketAddr),
    stop: Stop,
) -> Result<(), String> {
    if let Some(token) = &config.token {
        check_token_setting(token)?;
    }
    let listener = listener::bind(&config.addr, config.token.is_some())?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let limits = connection_limits(&config);

    let shared = Arc::new(Shared {
        handler,
        bound,
        token: config.token,
        max_body: config.max_body,
        max_headers: config.max_headers,
        sessions: Sessions::new(config.session_idle, config.session_lifetime),
        throttle: Throttle::new(),
        security_headers: FIXED_HEADERS
            .iter()
            .filter_map(|(n, v)| tiny_http::Header::from_bytes(*n, *v).ok())
            .collect(),
        log: std::env::var_os("CLIENTELE_LOG").is_some(),
        stopping: AtomicBool::new(false),
    });
    let gate = Arc::new(Gatekeeper(Arc::downgrade(&shared)));
    let server = Arc::new(
        tiny_http::Server::with_limits(listener, limits, gate)
            .map_err(|e| format!("cannot listen on {bound}: {e}"))?,
    );

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

fn worker(server: &tiny_http::Server, shared: &Shared) {
    loop {
        match server.recv() {
            Ok(request) => {
                // `dispatch` catches handler panics itself; this catches our own bugs so that a
                // worker never dies (tiny_http then answers the dropped request with a 500).
                if catch_unwind(AssertUnwindSafe(|| process(shared, request))).is_err() {
                    eprintln!("clientele: internal error in the HTTP server; request dropped");
                }
            }
            Err(_) if shared.stopping.load(Ordering::SeqCst) => return,
            Err(e) => {
                eprintln!(
                    "clientele: the HTTP server can no longer accept connections: {e}. \
                     Stopping, so that nothing goes on without listening."
                );
                std::process::exit(2);
            }
        }
    }
}

/// Answers a request the gate let in; its whole body has been read already.
fn process(shared: &Shared, mut rq: tiny_http::Request) {
    let started = Instant::now();
    let peer = rq.remote_addr().map(|a| a.ip());
    let response = match head_request(&rq) {
        Ok(mut req) => {
            req.body = rq.take_body();
            dispatch(shared, &req, peer)
            // `req` and its body are dropped here, before the answer is written.
        }
        // The gate refuses these; kept so a mistake there cannot panic here.
        Err(e) => error_response(
            crate::web::http::is_api_path(rq.url()),
            400,
            "bad_request",
            &format!("the request address is not valid: {e}"),
        ),
    };
    access_log::request(shared, &rq, response.status, started);
    let _ = rq.respond(to_tiny(shared, response));
}

/// `/login` and `/logout` are ours; everything else goes to the handler.
fn dispatch(shared: &Shared, req: &Request, peer: Option<IpAddr>) -> Response {
    if let Some(response) = login::session_routes(shared, req, peer) {
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
