//! Hostile clients against a real `clientele serve` child process: raw sockets, no fixed ports,
//! short deadlines set through hidden `serve` options, descriptors, threads and memory read
//! from `/proc/<pid>`. Every socket has a read timeout, so no test can hang.
#![cfg(target_os = "linux")]

mod common;
#[path = "common/raw_http.rs"]
mod raw_http;

use common::Sandbox;
use raw_http::{Conn, Reply};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "hostile-test-token-0123456789";
/// The longest any single read in these tests may wait.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

struct Server {
    child: Child,
    addr: SocketAddr,
    _sandbox: Sandbox,
}

impl Server {
    /// Starts `clientele serve` on a free loopback port with `args`, under a descriptor limit
    /// of `nofile` if given.
    fn start(args: &[&str], nofile: Option<u64>) -> Server {
        let sandbox = Sandbox::new();
        let mut cmd = Command::new(common::bin());
        cmd.current_dir(sandbox.dir.path())
            .arg("--db")
            .arg(&sandbox.db)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("CLIENTELE_TOKEN")
            .env_remove("CLIENTELE_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(n) = nofile {
            // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: n,
                        rlim_max: n,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().expect("start clientele serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the serving line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server {
            child,
            addr,
            _sandbox: sandbox,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn count(&self, what: &str) -> usize {
        std::fs::read_dir(format!("/proc/{}/{what}", self.pid()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    fn descriptors(&self) -> usize {
        self.count("fd")
    }

    fn threads(&self) -> usize {
        self.count("task")
    }

    /// Resident memory in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmRSS")
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn connect(&self) -> Conn {
        Conn::connect(self.addr, READ_TIMEOUT)
    }

    /// A plain request on a fresh connection.
    fn get(&self, target: &str, headers: &[&str]) -> Reply {
        let mut c = self.connect();
        c.send("GET", target, headers, b"");
        c.reply()
    }

    /// True if a fresh connection gets a 200 for `GET /` (false if it is closed unanswered).
    fn answers(&self) -> bool {
        let mut c = self.connect();
        c.send("GET", "/", &[], b"");
        let mut line = String::new();
        c.reader.read_line(&mut line).is_ok() && line.starts_with("HTTP/1.1 200 ")
    }

    /// Polls until `f` holds (up to `within`), so counts can settle after clients leave.
    fn settles(&self, within: Duration, f: impl Fn(&Server) -> bool) -> bool {
        let end = Instant::now() + within;
        loop {
            if f(self) {
                return true;
            }
            if Instant::now() > end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bearer() -> String {
    format!("Authorization: Bearer {TOKEN}")
}

#[test]
fn refused_huge_bodies_leak_no_thread_and_no_descriptor() {
    let server = Server::start(&["--token", TOKEN], None);
    assert_eq!(server.get("/api/customers", &[&bearer()]).status, 200);
    let (fds, threads) = (server.descriptors(), server.threads());

    for _ in 0..40 {
        // Without the token: refused before the length is even judged.
        let mut c = server.connect();
        c.send("POST", "/api/import", &["Content-Length: 2147483648"], b"");
        assert_eq!(c.reply().status, 401);
        assert!(c.closed());

        // With the token: a normal JSON 413, and the connection ends.
        let mut c = server.connect();
        c.send(
            "POST",
            "/api/import",
            &[&bearer(), "Content-Length: 2147483648"],
            b"",
        );
        let r = c.reply();
        assert_eq!(r.status, 413);
        assert_eq!(r.json()["error"]["code"], "payload_too_large");
        assert_eq!(r.header("connection"), Some("close"));
        assert!(c.closed());
    }
    assert!(
        server.settles(Duration::from_secs(5), |s| s.descriptors() <= fds
            && s.threads() <= threads),
        "descriptors {fds} -> {}, threads {threads} -> {}",
        server.descriptors(),
        server.threads()
    );
}

#[test]
fn slow_heads_get_408_within_the_deadline() {
    let server = Server::start(&["--head-timeout", "1"], None);
    let started = Instant::now();
    let mut c = server.connect();
    // Trickling bytes does not move the deadline.
    for b in b"GET / HTTP/1.1\r\nX-Slow: " {
        c.send_raw(&[*b]);
        std::thread::sleep(Duration::from_millis(30));
    }
    let r = c.reply();
    assert_eq!(r.status, 408);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(c.closed());
    assert!(started.elapsed() < Duration::from_secs(4));

    // A connection that sends nothing at all is closed too.
    let mut idle = server.connect();
    assert!(idle.closed());
    assert_eq!(server.get("/", &[]).status, 200);
}

#[test]
fn slow_bodies_never_occupy_the_workers() {
    let server = Server::start(
        &["--token", TOKEN, "--workers", "2", "--body-grace", "1"],
        None,
    );
    assert_eq!(server.get("/api/customers", &[&bearer()]).status, 200);
    let (fds, threads) = (server.descriptors(), server.threads());
    // Twice as many slow bodies as workers, half of them on /login without the token.
    let mut slow = Vec::new();
    for i in 0..4 {
        let mut c = server.connect();
        let (target, auth) = if i % 2 == 0 {
            ("/login", String::from("X-Anonymous: yes"))
        } else {
            ("/api/customers", bearer())
        };
        c.send(
            "POST",
            target,
            &[
                &auth,
                "Content-Type: application/x-www-form-urlencoded",
                "Content-Length: 1000",
            ],
            b"",
        );
        c.send_raw(b"t");
        slow.push(c);
    }
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(server.get("/api/customers", &[&bearer()]).status, 200);
        assert!(started.elapsed() < Duration::from_millis(1000));
        for c in &mut slow {
            let _ = c.stream.write_all(b"x");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Below the minimum rate once the grace is over: 408, connection closed.
    for mut c in slow {
        let r = c.reply();
        assert_eq!(r.status, 408);
        assert!(c.closed());
    }
    assert!(
        server.settles(Duration::from_secs(5), |s| s.descriptors() <= fds
            && s.threads() <= threads)
    );
}

#[test]
fn idle_connections_are_closed() {
    let server = Server::start(&["--idle-timeout", "1"], None);
    let (fds, threads) = (server.descriptors(), server.threads());
    let mut c = server.connect();
    let started = Instant::now();
    c.send("GET", "/", &[], b"");
    assert_eq!(c.reply().status, 200);
    assert!(c.closed(), "kept-alive connection closed when idle");
    let idle = started.elapsed();
    assert!(
        idle >= Duration::from_millis(900) && idle < Duration::from_secs(4),
        "{idle:?}"
    );
    assert!(
        server.settles(Duration::from_secs(5), |s| s.descriptors() <= fds
            && s.threads() <= threads)
    );
}

#[test]
fn long_request_lines_and_heads_are_refused_before_they_are_read() {
    let server = Server::start(&[], None);
    let rss = server.rss_kib();

    let mut c = server.connect();
    c.send("GET", &format!("/api/{}", "a".repeat(9 * 1024)), &[], b"");
    let r = c.reply();
    assert_eq!(r.status, 414);
    assert_eq!(r.json()["error"]["code"], "uri_too_long");
    assert!(c.closed());

    // 64 MiB of request line: the server answers after 8 KiB and stops reading.
    let mut c = server.connect();
    c.send_raw(b"GET /");
    let chunk = vec![b'a'; 1024 * 1024];
    for _ in 0..64 {
        if c.stream.write_all(&chunk).is_err() {
            break;
        }
    }
    assert_eq!(c.reply().status, 414);

    // A 70 KiB header block in few lines.
    let mut c = server.connect();
    let big = format!("X-Big: {}", "b".repeat(35 * 1024));
    c.send("GET", "/", &[&big, &big], b"");
    assert_eq!(c.reply().status, 431);
    assert!(c.closed());

    assert!(
        server.rss_kib() < rss + 16 * 1024,
        "RSS grew from {rss} KiB"
    );
    assert_eq!(server.get("/", &[]).status, 200);
}

#[test]
fn ambiguous_framing_is_refused_and_the_connection_closed() {
    let server = Server::start(&[], None);
    for framing in [
        "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: 5, 6",
        "Content-Length: -5",
        "Content-Length: +5",
        "Content-Length: 99999999999999999999999",
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nContent-Length: 5",
    ] {
        let mut c = server.connect();
        // What follows would be a second request if the first body's length were guessed.
        let raw = format!(
            "POST /api/customers HTTP/1.1\r\nHost: {}\r\n{framing}\r\n\r\nhelloGET / HTTP/1.1\r\nHost: {}\r\n\r\n",
            c.host, c.host
        );
        c.send_raw(raw.as_bytes());
        let r = c.reply();
        assert_eq!(r.status, 400, "{framing}");
        // An error like any other: JSON under /api/, with the security headers.
        assert_eq!(r.json()["error"]["code"], "bad_request", "{framing}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(c.closed(), "{framing}: a second answer came");
    }
    for head in [
        &b"GET /\xff\xfe HTTP/1.1\r\n\r\n"[..],
        b"GET\rFAKE / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
    ] {
        let mut c = server.connect();
        c.send_raw(head);
        assert_eq!(c.reply().status, 400, "{head:?}");
        assert!(c.closed());
    }
}

#[test]
fn wrong_tokens_are_throttled_and_the_right_one_gets_back_in() {
    let server = Server::start(&["--token", TOKEN], None);
    let wrong = "Authorization: Bearer wrong-token-wrong-token";
    let mut c = server.connect();
    for _ in 0..6 {
        c.send("GET", "/api/customers", &[wrong], b"");
        assert_eq!(c.reply().status, 401);
    }
    c.send("GET", "/api/customers", &[wrong], b"");
    let r = c.reply();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.json()["error"]["code"], "too_many_attempts");
    // While the wait lasts, even the right token and the login form are refused…
    c.send("GET", "/api/customers", &[&bearer()], b"");
    assert_eq!(c.reply().status, 429);
    let form = "Content-Type: application/x-www-form-urlencoded";
    c.send(
        "POST",
        "/login",
        &[form],
        format!("token={TOKEN}").as_bytes(),
    );
    assert_eq!(c.reply().status, 429);
    // …but only for a moment.
    std::thread::sleep(Duration::from_millis(1100));
    c.send("GET", "/api/customers", &[&bearer()], b"");
    assert_eq!(c.reply().status, 200);

    // Wrong tokens on the login form count too, and the waits grow.
    for _ in 0..6 {
        c.send("POST", "/login", &[form], b"token=nope");
        assert_eq!(c.reply().status, 401);
    }
    c.send("POST", "/login", &[form], b"token=nope");
    assert_eq!(c.reply().status, 429);
    std::thread::sleep(Duration::from_millis(1100));
    c.send("POST", "/login", &[form], b"token=nope");
    assert_eq!(c.reply().status, 401);
    c.send("GET", "/api/customers", &[&bearer()], b"");
    let r = c.reply();
    assert_eq!((r.status, r.header("retry-after")), (429, Some("2")));
}

#[test]
fn short_tokens_are_refused_at_start_up() {
    let sandbox = Sandbox::new();
    let db = sandbox.db.to_str().unwrap();
    let out = common::run(
        sandbox.dir.path(),
        &[
            "--db",
            db,
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--token",
            "short",
        ],
        None,
        &[],
    );
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("too short (5 characters)"), "{out:?}");
    assert!(out.stderr.contains("at least 16"), "{out:?}");
    assert!(!sandbox.db.exists(), "refused before the database was made");
    let out = common::run(
        sandbox.dir.path(),
        &["--db", db, "serve", "--addr", "127.0.0.1:0"],
        None,
        &[("CLIENTELE_TOKEN", "fifteen-chars-x")],
    );
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("too short (15 characters)"), "{out:?}");
}

fn sign_in(server: &Server) -> String {
    let mut c = server.connect();
    c.send(
        "POST",
        "/login",
        &["Content-Type: application/x-www-form-urlencoded"],
        format!("token={TOKEN}").as_bytes(),
    );
    let r = c.reply();
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").expect("a session cookie");
    format!("Cookie: {}", cookie.split(';').next().unwrap())
}

#[test]
fn sessions_expire_when_idle_at_their_lifetime_and_at_logout() {
    let server = Server::start(
        &[
            "--token",
            TOKEN,
            "--session-idle",
            "2",
            "--session-lifetime",
            "4",
        ],
        None,
    );
    let signed_out = |cookie: &str| {
        let r = server.get("/", &[cookie]);
        r.status == 303 && r.header("location") == Some("/login")
    };

    let cookie = sign_in(&server);
    assert_eq!(server.get("/", &[&cookie]).status, 200);
    std::thread::sleep(Duration::from_millis(2200));
    assert!(signed_out(&cookie), "idle for longer than the idle limit");

    let cookie = sign_in(&server);
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(3300) {
        assert_eq!(server.get("/", &[&cookie]).status, 200);
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(
        Duration::from_secs(4).saturating_sub(started.elapsed()) + Duration::from_millis(200),
    );
    assert!(signed_out(&cookie), "used all along, but past its lifetime");

    let cookie = sign_in(&server);
    let page = server.get("/", &[&cookie]);
    let page = String::from_utf8_lossy(&page.body).into_owned();
    assert!(page.contains("action=\"/logout\""), "a sign-out button");
    let mut c = server.connect();
    c.send("POST", "/logout", &[&cookie], b"");
    let r = c.reply();
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
    assert!(signed_out(&cookie), "ended by logout");
}

#[test]
fn a_connection_flood_is_capped_and_survived() {
    // 64 descriptors: at most 32 connections, the rest closed at once.
    let server = Server::start(&[], Some(64));
    let flood: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(server.addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.descriptors() < 64, "{} open", server.descriptors());
    let mut extra = server.connect();
    extra.send("GET", "/", &[], b"");
    assert!(
        extra.closed(),
        "a connection over the cap is closed at once"
    );
    drop(flood);
    assert!(server.settles(Duration::from_secs(5), |s| s.answers()));
}

#[test]
fn running_out_of_descriptors_is_survived() {
    // A cap above what the descriptor limit allows makes accept fail with EMFILE.
    let mut server = Server::start(&["--max-connections", "1000"], Some(48));
    let flood: Vec<TcpStream> = (0..120)
        .filter_map(|_| TcpStream::connect(server.addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.alive());
    drop(flood);
    // The accept loop backed off instead of dying: the server listens and answers.
    assert!(server.settles(Duration::from_secs(10), |s| s.answers()));
    assert!(server.alive());
}

/// The process never takes transparent huge pages, whatever the system's setting, so its
/// memory is what the limits say.
#[test]
fn the_server_takes_no_huge_pages() {
    let server = Server::start(&[], None);
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let thp = status.lines().find_map(|l| l.strip_prefix("THP_enabled:"));
    // Kernels before 5.0 do not report it.
    if let Some(thp) = thp {
        assert_eq!(thp.trim(), "0", "{status}");
    }
}

#[test]
fn memory_goes_back_after_large_bodies() {
    let server = Server::start(&["--token", TOKEN], None);
    assert_eq!(server.get("/api/customers", &[&bearer()]).status, 200);
    let rss = server.rss_kib();
    let body = vec![b'x'; 15 * 1024 * 1024];
    for _ in 0..3 {
        let senders: Vec<_> = (0..4)
            .map(|_| {
                let mut c = server.connect();
                let body = body.clone();
                std::thread::spawn(move || {
                    c.send("POST", "/api/no-such-thing", &[&bearer()], &body);
                    c.reply().status
                })
            })
            .collect();
        for s in senders {
            assert_eq!(s.join().unwrap(), 404);
        }
    }
    assert!(
        server.settles(Duration::from_secs(5), |s| s.rss_kib() < rss + 24 * 1024),
        "RSS {rss} KiB -> {} KiB",
        server.rss_kib()
    );
}
