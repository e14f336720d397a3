//! # Simple usage
//!
//! ## Creating the server
//!
//! The easiest way to create a server is to call `Server::http()`.
//!
//! The `http()` function returns an `IoResult<Server>` which will return an error
//! in the case where the server creation fails (for example if the listening port is already
//! occupied).
//!
//! ```no_run
//! let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! ```
//!
//! A newly-created `Server` will immediately start listening for incoming connections and HTTP
//! requests.
//!
//! ## Receiving requests
//!
//! Calling `server.recv()` will block until the next request is available.
//! This function returns an `IoResult<Request>`, so you need to handle the possible errors.
//!
//! ```no_run
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//!
//! loop {
//!     // blocks until the next request is received
//!     let request = match server.recv() {
//!         Ok(rq) => rq,
//!         Err(e) => { println!("error: {}", e); break }
//!     };
//!
//!     // do something with the request
//!     // ...
//! }
//! ```
//!
//! In a real-case scenario, you will probably want to spawn multiple worker tasks and call
//! `server.recv()` on all of them. Like this:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use std::thread;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! let server = Arc::new(server);
//! let mut guards = Vec::with_capacity(4);
//!
//! for _ in (0 .. 4) {
//!     let server = server.clone();
//!
//!     let guard = thread::spawn(move || {
//!         loop {
//!             let rq = server.recv().unwrap();
//!
//!             // ...
//!         }
//!     });
//!
//!     guards.push(guard);
//! }
//! ```
//!
//! If you don't want to block, you can call `server.try_recv()` instead.
//!
//! ## Handling requests
//!
//! The `Request` object returned by `server.recv()` contains informations about the client's request.
//! The most useful methods are probably `request.method()` and `request.url()` which return
//! the requested method (`GET`, `POST`, etc.) and url.
//!
//! To handle a request, you need to create a `Response` object. See the docs of this object for
//! more infos. Here is an example of creating a `Response` from a file:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! ```
//!
//! All that remains to do is call `request.respond()`:
//!
//! ```no_run
//! # use std::fs::File;
//! # use std::path::Path;
//! # let server = tiny_http::Server::http("0.0.0.0:0").unwrap();
//! # let request = server.recv().unwrap();
//! # let response = tiny_http::Response::from_file(File::open(&Path::new("image.png")).unwrap());
//! let _ = request.respond(response);
//! ```
#![forbid(unsafe_code)]
#![deny(rust_2018_idioms)]
#![allow(clippy::match_like_matches_macro)]

use std::error::Error;
use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use client::{Context, OpenConnection};
use util::MessagesQueue;

pub use common::{HTTPVersion, Header, HeaderField, Method, StatusCode};
#[doc(hidden)]
pub use head::{parse_request_head, Framing, HeadError, RequestHead};
pub use limits::{Admission, Gate, Limits};
pub use request::{ReadWrite, Request};
pub use response::{Response, ResponseBox};

mod accept;
mod client;
mod common;
mod head;
mod limits;
mod request;
mod response;
#[cfg(test)]
mod tests;
mod util;

/// Stack size of a connection thread: it parses heads and copies bodies, nothing deep.
const CONNECTION_STACK: usize = 256 * 1024;

/// The main class of this library.
///
/// Dropping it stops accepting connections; requests waiting for a worker are answered 500.
pub struct Server {
    ctx: Arc<Context>,

    // queue for messages received by child threads
    messages: Arc<MessagesQueue<Message>>,

    // result of TcpListener::local_addr()
    listening_addr: SocketAddr,
}

/// Certificate and key for HTTPS, which this copy does not serve (kept for the 0.12 API).
#[derive(Debug, Clone)]
pub struct SslConfig {
    pub certificate: Vec<u8>,
    pub private_key: Vec<u8>,
}

pub(crate) enum Message {
    Error(IoError),
    NewRequest(Request),
}

impl From<IoError> for Message {
    fn from(e: IoError) -> Message {
        Message::Error(e)
    }
}

impl From<Request> for Message {
    fn from(rq: Request) -> Message {
        Message::NewRequest(rq)
    }
}

pub struct IncomingRequests<'a> {
    server: &'a Server,
}

impl Server {
    /// Shortcut for a simple server on a specific address, with default limits.
    #[inline]
    pub fn http<A>(addr: A) -> Result<Server, Box<dyn Error + Send + Sync + 'static>>
    where
        A: ToSocketAddrs,
    {
        Server::from_listener(TcpListener::bind(addr)?, None)
    }

    /// Builds a server on this listener with default limits that reads every body up to
    /// 16 MiB. `ssl_config` is kept for the 0.12 signature: this copy serves plain HTTP only.
    pub fn from_listener(
        listener: TcpListener,
        ssl_config: Option<SslConfig>,
    ) -> Result<Server, Box<dyn Error + Send + Sync + 'static>> {
        if ssl_config.is_some() {
            return Err("this copy of tiny_http serves plain HTTP only".into());
        }
        Ok(Server::with_limits(
            listener,
            Limits::default(),
            Arc::new(limits::OpenGate),
        )?)
    }

    /// Builds a server on this listener: every connection keeps to `limits`, and `gate`
    /// decides for every request, before its body is read, whether it goes further.
    pub fn with_limits(
        listener: TcpListener,
        limits: Limits,
        gate: Arc<dyn Gate>,
    ) -> IoResult<Server> {
        let local_addr = listener.local_addr()?;
        let messages = MessagesQueue::with_capacity(8);
        let ctx = Arc::new(Context {
            budget: limits::Budget::new(limits.body_budget),
            limits,
            gate,
            messages: Arc::clone(&messages),
            open: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
        });
        let accept_ctx = Arc::clone(&ctx);
        thread::Builder::new()
            .name("http-accept".to_owned())
            .spawn(move || accept_loop(&listener, &accept_ctx))?;
        Ok(Server {
            ctx,
            messages,
            listening_addr: local_addr,
        })
    }

    /// Returns an iterator for all the incoming requests.
    ///
    /// The iterator will return `None` if the server socket is shutdown.
    #[inline]
    pub fn incoming_requests(&self) -> IncomingRequests<'_> {
        IncomingRequests { server: self }
    }

    /// Returns the address the server is listening to.
    #[inline]
    pub fn server_addr(&self) -> SocketAddr {
        self.listening_addr
    }

    /// Returns the number of clients currently connected to the server.
    pub fn num_connections(&self) -> usize {
        self.ctx.open.load(Ordering::Acquire)
    }

    /// Blocks until an HTTP request has been submitted and returns it.
    pub fn recv(&self) -> IoResult<Request> {
        match self.messages.pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(rq),
            None => Err(IoError::other("thread unblocked")),
        }
    }

    /// Same as `recv()` but doesn't block longer than timeout
    pub fn recv_timeout(&self, timeout: Duration) -> IoResult<Option<Request>> {
        match self.messages.pop_timeout(timeout) {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Same as `recv()` but doesn't block.
    pub fn try_recv(&self) -> IoResult<Option<Request>> {
        match self.messages.try_pop() {
            Some(Message::Error(err)) => Err(err),
            Some(Message::NewRequest(rq)) => Ok(Some(rq)),
            None => Ok(None),
        }
    }

    /// Unblock thread stuck in recv() or incoming_requests().
    /// If there are several such threads, only one is unblocked.
    /// This method allows graceful shutdown of server.
    pub fn unblock(&self) {
        self.messages.unblock();
    }
}

impl Iterator for IncomingRequests<'_> {
    type Item = Request;
    fn next(&mut self) -> Option<Request> {
        self.server.recv().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.ctx.closing.store(true, Ordering::Release);
        // Requests nobody will take are answered (500) as they are dropped, which lets their
        // connections end.
        drop(self.messages.close());
        // Connect briefly to ourselves to unblock the accept thread
        if let Ok(stream) = TcpStream::connect(self.listening_addr) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// Tells the workers if the accept loop ends while the server still wants it, so that the
/// process never goes on without listening.
struct AcceptLoopGuard<'a>(&'a Context);

impl Drop for AcceptLoopGuard<'_> {
    fn drop(&mut self) {
        if !self.0.closing.load(Ordering::Acquire) {
            let _ = self.0.messages.push(Message::Error(IoError::other(
                "the HTTP accept loop stopped",
            )));
        }
    }
}

fn accept_loop(listener: &TcpListener, ctx: &Arc<Context>) {
    let _guard = AcceptLoopGuard(ctx);
    let mut backoff = accept::Backoff::default();
    while !ctx.closing.load(Ordering::Acquire) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => match accept::classify(&e) {
                accept::AcceptError::Retry => continue,
                accept::AcceptError::BackOff => {
                    thread::sleep(backoff.next_delay());
                    continue;
                }
                accept::AcceptError::Fatal => {
                    let _ = ctx.messages.push(Message::Error(e));
                    return;
                }
            },
        };
        backoff = accept::Backoff::default();
        if ctx.closing.load(Ordering::Acquire) {
            return;
        }
        if ctx.open.load(Ordering::Acquire) >= ctx.limits.max_connections {
            // Over the cap: closed at once, costing nothing that lasts.
            drop(stream);
            continue;
        }
        let open = OpenConnection::new(ctx);
        let conn_ctx = Arc::clone(ctx);
        let spawned = thread::Builder::new()
            .name("http-connection".to_owned())
            .stack_size(CONNECTION_STACK)
            .spawn(move || client::serve(stream, conn_ctx, open));
        if spawned.is_err() {
            // No thread to serve it (the connection was closed as the closure dropped).
            thread::sleep(backoff.next_delay());
        }
    }
}
