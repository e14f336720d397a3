//! The connection handling against real sockets: what the gate sees, `Expect: 100-continue`,
//! pipelined requests, the body budget and the connection cap.

use crate::{Admission, Gate, Limits, Request, ResponseBox, Server};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Refuses `/refuse`, allows 100 bytes of body elsewhere, and counts what it saw.
struct TestGate {
    seen: AtomicUsize,
}

impl Gate for TestGate {
    fn admit(&self, request: &Request) -> Admission {
        self.seen.fetch_add(1, Ordering::SeqCst);
        if request.url() == "/refuse" {
            return Admission::Refuse(
                crate::Response::from_string("no")
                    .with_status_code(403)
                    .boxed(),
            );
        }
        Admission::Read { max_body: 100 }
    }
    fn too_large(&self, _: &Request, max_body: usize) -> ResponseBox {
        crate::Response::from_string(format!("over {max_body}"))
            .with_status_code(413)
            .boxed()
    }
}

/// A server whose single worker echoes each body with its URL (and answers `/big` with
/// 64 MiB).
fn start(limits: Limits) -> (Arc<Server>, std::net::SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let gate = Arc::new(TestGate {
        seen: AtomicUsize::new(0),
    });
    let server = Arc::new(Server::with_limits(listener, limits, gate).unwrap());
    let worker = Arc::clone(&server);
    std::thread::spawn(move || {
        while let Ok(mut rq) = worker.recv() {
            if rq.url() == "/big" {
                let _ = rq.respond(crate::Response::from_data(vec![b'b'; 64 * 1024 * 1024]));
                continue;
            }
            let body = rq.take_body();
            let text = format!("{} {}", rq.url(), String::from_utf8_lossy(&body));
            let _ = rq.respond(crate::Response::from_string(text));
        }
    });
    (server, addr)
}

fn connect(addr: std::net::SocketAddr) -> (TcpStream, BufReader<TcpStream>) {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let reader = BufReader::new(stream.try_clone().unwrap());
    (stream, reader)
}

/// Status and body of the next response.
fn reply(reader: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header.trim().is_empty() {
            break;
        }
        if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

/// True if the server ends the connection (EOF or reset) without sending anything more.
fn closed(reader: &mut BufReader<TcpStream>) -> bool {
    let mut rest = Vec::new();
    match reader.read_to_end(&mut rest) {
        Ok(_) => rest.is_empty(),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn pipelined_requests_are_answered_in_order_and_bodies_are_complete() {
    let (_server, addr) = start(Limits::default());
    let (mut s, mut r) = connect(addr);
    s.write_all(
        b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPOST /b HTTP/1.1\r\n\
          Transfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n1;ext=1\r\nz\r\n0\r\nTrailer: t\r\n\r\n\
          GET /c HTTP/1.1\r\n\r\n",
    )
    .unwrap();
    assert_eq!(reply(&mut r), (200, "/a abc".to_owned()));
    assert_eq!(reply(&mut r), (200, "/b xyz".to_owned()));
    assert_eq!(reply(&mut r), (200, "/c ".to_owned()));
}

#[test]
fn a_refused_body_is_never_read_and_a_long_one_ends_the_connection() {
    let (_server, addr) = start(Limits::default());
    // A short refused body is dropped and the connection goes on.
    let (mut s, mut r) = connect(addr);
    s.write_all(
        b"POST /refuse HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n\r\n",
    )
    .unwrap();
    assert_eq!(reply(&mut r).0, 403);
    assert_eq!(reply(&mut r), (200, "/next ".to_owned()));
    // A long one ends it at once.
    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /refuse HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
        .unwrap();
    assert_eq!(reply(&mut r).0, 403);
    assert!(closed(&mut r));
    // Over the gate's limit: its own answer, and the connection ends.
    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n")
        .unwrap();
    assert_eq!(reply(&mut r), (413, "over 100".to_owned()));
    assert!(closed(&mut r));
}

#[test]
fn expect_continue_is_answered_only_once_the_gate_agrees() {
    let (_server, addr) = start(Limits::default());
    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        .unwrap();
    assert_eq!(reply(&mut r).0, 100);
    s.write_all(b"ok").unwrap();
    assert_eq!(reply(&mut r), (200, "/a ok".to_owned()));

    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /refuse HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        .unwrap();
    assert_eq!(reply(&mut r).0, 403);
    assert!(closed(&mut r));

    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /a HTTP/1.1\r\nExpect: something-else\r\n\r\n")
        .unwrap();
    assert_eq!(reply(&mut r).0, 417);
}

#[test]
fn large_bodies_share_a_budget() {
    let (_server, addr) = start(Limits {
        small_body: 10,
        body_budget: 60,
        ..Limits::default()
    });
    // The first body holds 50 of 60 bytes while it is still arriving…
    let (mut first, mut first_reply) = connect(addr);
    first
        .write_all(b"POST /a HTTP/1.1\r\nContent-Length: 50\r\n\r\nhalf")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // …so a second one does not fit, and small ones do not count.
    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /b HTTP/1.1\r\nContent-Length: 20\r\n\r\n")
        .unwrap();
    let (status, _) = reply(&mut r);
    assert_eq!(status, 503);
    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nsmall")
        .unwrap();
    assert_eq!(reply(&mut r), (200, "/c small".to_owned()));
    first.write_all(&[b'x'; 46]).unwrap();
    assert_eq!(reply(&mut first_reply).0, 200);
    // Answered, so its share is back.
    let (mut s, mut r) = connect(addr);
    s.write_all(b"POST /d HTTP/1.1\r\nContent-Length: 20\r\n\r\n01234567890123456789")
        .unwrap();
    assert_eq!(reply(&mut r).0, 200);
}

#[test]
fn connections_over_the_cap_are_closed_at_once() {
    let (server, addr) = start(Limits {
        max_connections: 2,
        ..Limits::default()
    });
    let held: Vec<_> = (0..2).map(|_| connect(addr)).collect();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.num_connections(), 2);
    let (mut s, mut r) = connect(addr);
    let _ = s.write_all(b"GET / HTTP/1.1\r\n\r\n");
    assert!(closed(&mut r));
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.num_connections(), 0);
    let (mut s, mut r) = connect(addr);
    s.write_all(b"GET /again HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(reply(&mut r).0, 200);
}

#[test]
fn a_client_that_stops_reading_cannot_hold_the_worker() {
    let (_server, addr) = start(Limits {
        write_window: Duration::from_secs(1),
        write_min_rate: 1024 * 1024,
        ..Limits::default()
    });
    let (mut stalled, _never_read) = connect(addr);
    stalled.write_all(b"GET /big HTTP/1.1\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // The only worker is writing to a client that does not read; it gives up in two windows.
    let started = std::time::Instant::now();
    let (mut s, mut r) = connect(addr);
    s.write_all(b"GET /next HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(reply(&mut r), (200, "/next ".to_owned()));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_server_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Server>();
}
