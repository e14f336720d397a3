//! A bare tiny_http server answering every request with a fixed body: the baseline the
//! benchmark compares `GET /api/customers?limit=20` against. Same socket setup as clientele
//! (TCP_NODELAY on the listening socket, a fixed pool of worker threads).
//!
//! `cargo run --release --example bare_http -- 127.0.0.1:0`

use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::sync::Arc;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr).expect("bind");
    let one: libc::c_int = 1;
    // SAFETY: setsockopt reads `one` for the given length on a valid socket descriptor.
    unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    println!(
        "bare tiny_http at http://{}/",
        listener.local_addr().expect("addr")
    );
    let server = Arc::new(tiny_http::Server::from_listener(listener, None).expect("server"));
    let body = Arc::new(r#"{"total":0,"offset":0,"limit":20,"items":[]}"#.as_bytes().to_vec());
    let workers: Vec<_> = (0..std::thread::available_parallelism().map_or(2, |n| n.get()))
        .map(|_| {
            let (server, body) = (server.clone(), body.clone());
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    let header = tiny_http::Header::from_bytes("Content-Type", "application/json")
                        .expect("header");
                    let _ = req
                        .respond(tiny_http::Response::from_data(body.to_vec()).with_header(header));
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}
