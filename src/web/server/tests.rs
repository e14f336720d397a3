//! The server against real sockets, and its pure checks.

use super::login::constant_time_eq;
use super::sessions::random_hex;
use super::*;
use crate::web::http::Method;
use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread::JoinHandle;

#[path = "../../../tests/common/raw_http.rs"]
mod raw_http;
use raw_http::{Conn, Reply};

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
    let cases: &[(bool, &[(&str, &str)])] = &[
        // No Origin, no Sec-Fetch-Site: curl, scripts, old browsers.
        (false, &[host]),
        (false, &[host, ("Origin", "http://127.0.0.1:8080")]),
        (false, &[host, ("Origin", "HTTP://127.0.0.1:8080")]),
        (false, &[host, ("Sec-Fetch-Site", "same-origin")]),
        (false, &[host, ("Sec-Fetch-Site", "none")]),
        (true, &[host, ("Origin", "http://evil.example")]),
        (true, &[host, ("Origin", "null")]),
        // What Chromium sends for our own forms under `Referrer-Policy: no-referrer`.
        (
            false,
            &[host, ("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
        ),
        (
            true,
            &[host, ("Origin", "null"), ("Sec-Fetch-Site", "cross-site")],
        ),
        (true, &[host, ("Origin", "https://127.0.0.1:8080")]),
        (true, &[host, ("Origin", "http://127.0.0.1:8081")]),
        (true, &[host, ("Origin", "http://127.0.0.1:8080.evil")]),
        (true, &[host, ("Origin", "http://")]),
        (true, &[("Origin", "http://")]),
        (true, &[host, ("Origin", "http://é")]),
        (true, &[host, ("Sec-Fetch-Site", "cross-site")]),
        (true, &[host, ("Sec-Fetch-Site", "same-site")]),
        (true, &[host, ("Sec-Fetch-Site", "something-new")]),
        // Either signal is enough.
        (
            true,
            &[
                host,
                ("Origin", "http://127.0.0.1:8080"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        ),
    ];
    for (cross, headers) in cases {
        assert_eq!(cross_origin(&post(headers)), *cross, "{headers:?}");
    }
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

    fn client(&self) -> Conn {
        Conn::connect(self.addr, Duration::from_secs(30))
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

/// The console's path gets an HTML page and the API's path a JSON error with `code`, both
/// with `status`.
fn assert_error_answers(c: &mut Conn, (console, api): (&str, &str), status: u16, code: &str) {
    let r = c.get(console, &[]);
    assert_eq!(r.status, status);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_security_headers(&r);
    let r = c.get(api, &[]);
    assert_eq!(r.status, status);
    assert_eq!(r.json()["error"]["code"], code);
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
    assert_error_answers(
        &mut c,
        ("/customers/%zz", "/api/customers/%C3"),
        400,
        "bad_request",
    );

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
        assert_error_answers(&mut c, ("/panic", "/api/panic"), 500, "internal");
    }
    // More panics than workers, and everyone still gets answers.
    assert_eq!(c.get("/", &[]).status, 200);
    assert_eq!(server.client().get("/", &[]).status, 200);
}

#[test]
fn token_protects_api_and_console() {
    let server = TestServer::start(ServerConfig {
        token: Some("s3cret-token-0123".into()),
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
        c.get(
            "/api/customers",
            &["Authorization: Bearer s3cret-token-0123"]
        )
        .status,
        200
    );
    assert_eq!(
        c.get(
            "/api/customers",
            &["Authorization: bearer s3cret-token-0123"]
        )
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
    c.send("POST", "/login", &form, b"token=s3cret-token-0123");
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
        b"token=s3cret-token-0123",
    );
    assert_eq!(c.reply().status, 403);

    // Logout forgets the session.
    c.send("POST", "/logout", &[&with_cookie], b"");
    let r = c.reply();
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(c.get("/", &[&with_cookie]).status, 303);

    // With a token, other host names are fine (the token protects).
    c.send_raw(b"GET /api/customers HTTP/1.1\r\nHost: desk.lan:8080\r\nAuthorization: Bearer s3cret-token-0123\r\n\r\n");
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

    // A token short enough to guess is refused with the reason and the minimum.
    let e = start(ServerConfig {
        token: Some("fifteen-chars-x".into()),
        ..ServerConfig::new("0.0.0.0:0")
    })
    .unwrap_err();
    assert!(e.contains("too short (15 characters)"), "{e}");
    assert!(e.contains("at least 16"), "{e}");

    // With a token any address may be used; a set stop flag returns at once.
    let config = ServerConfig {
        token: Some("t0ken-long-enough-0".into()),
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
