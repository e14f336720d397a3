//! One client connection on its own thread: reads each request's head within its deadline and
//! size limits, asks the gate, reads the whole body at a minimum rate, hands the finished
//! request to the workers and waits for the answer before reading the next one.
//!
//! A connection owns exactly one descriptor and one thread, and both end when it ends: every
//! wait has a deadline, and no refused body is ever drained on another thread.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{HTTPVersion, Header};
use crate::head::{head_end, parse_head, skip_empty_lines, Framing, RequestHead};
use crate::limits::{Admission, Budget, Gate, Limits, Reservation};
use crate::util::MessagesQueue;
use crate::{Message, Request};

/// How much is read from the socket at once.
const READ_CHUNK: usize = 8 * 1024;
/// Longest chunk-size line of a chunked body (size and extensions).
const MAX_CHUNK_LINE: usize = 1024;
/// At most this much unread input is drained before a connection is closed.
const MAX_LINGER_BYTES: usize = 1024 * 1024;
/// How much of a request line is looked at to name the target of a refused head.
const MAX_TARGET_HINT: usize = 256;

/// What every connection of a server shares.
pub(crate) struct Context {
    pub limits: Limits,
    pub gate: Arc<dyn Gate>,
    pub messages: Arc<MessagesQueue<Message>>,
    pub budget: Arc<Budget>,
    pub open: AtomicUsize,
    pub closing: AtomicBool,
}

/// Counts a connection as open until dropped.
pub(crate) struct OpenConnection(Arc<Context>);

impl OpenConnection {
    pub(crate) fn new(ctx: &Arc<Context>) -> OpenConnection {
        ctx.open.fetch_add(1, Ordering::AcqRel);
        OpenConnection(Arc::clone(ctx))
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The writing side of a connection for one response, shared with the request being
/// answered. In every `window` the client must take `min_bytes` of the response (or all of it,
/// if less is left); one that reads slower, or stops reading, cannot hold a worker. Bytes the
/// kernel buffers count only for the window they were written in. A failed write marks the
/// connection broken.
struct StreamWriter {
    stream: Arc<TcpStream>,
    window: Duration,
    min_bytes: usize,
    /// Set by the first write: a response may wait in the queue before it is written.
    window_end: Option<Instant>,
    window_bytes: usize,
    broken: Arc<AtomicBool>,
}

impl StreamWriter {
    fn write_once(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            let now = Instant::now();
            let window_end = *self.window_end.get_or_insert(now + self.window);
            if now >= window_end {
                if self.window_bytes < self.min_bytes {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client takes the response too slowly",
                    ));
                }
                self.window_end = Some(now + self.window);
                self.window_bytes = 0;
                continue;
            }
            self.stream.set_write_timeout(Some(window_end - now))?;
            match (&*self.stream).write(buf) {
                Ok(n) => {
                    self.window_bytes += n;
                    return Ok(n);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Write for StreamWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.write_once(buf);
        if result.is_err() {
            self.broken.store(true, Ordering::Release);
        }
        result
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.stream).flush()
    }
}

/// How long `bytes` take at `rate` bytes per second (a day if there is no rate).
fn at_rate(bytes: usize, rate: u64) -> Duration {
    if rate == 0 {
        Duration::from_secs(24 * 3600)
    } else {
        Duration::from_secs_f64(bytes as f64 / rate as f64)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum ReadError {
    /// The deadline passed.
    TimedOut,
    /// The client closed the connection or it failed.
    Gone,
}

#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    TooLarge,
    TimedOut,
    Malformed,
    /// The body budget is spent.
    Busy,
    Gone,
}

impl From<ReadError> for BodyError {
    fn from(e: ReadError) -> BodyError {
        match e {
            ReadError::TimedOut => BodyError::TimedOut,
            ReadError::Gone => BodyError::Gone,
        }
    }
}

/// What to do after a request.
enum Next {
    KeepAlive,
    Close,
}

struct Connection {
    stream: Arc<TcpStream>,
    /// Set when a response could not be written: the connection must end.
    broken: Arc<AtomicBool>,
    remote_addr: Option<SocketAddr>,
    /// Bytes read but not used yet (the rest of a body, the next request).
    buf: Vec<u8>,
    ctx: Arc<Context>,
}

/// Serves one connection until it ends.
pub(crate) fn serve(stream: TcpStream, ctx: Arc<Context>, _open: OpenConnection) {
    let remote_addr = stream.peer_addr().ok();
    let mut conn = Connection {
        stream: Arc::new(stream),
        broken: Arc::new(AtomicBool::new(false)),
        remote_addr,
        buf: Vec::new(),
        ctx,
    };
    let mut first = true;
    while let Next::KeepAlive = conn.next_request(first) {
        first = false;
    }
}

impl Connection {
    fn limits(&self) -> &Limits {
        &self.ctx.limits
    }

    /// Reads more input into `buf`, waiting until `deadline` at most.
    fn fill(&mut self, deadline: Instant) -> Result<usize, ReadError> {
        let mut chunk = [0u8; READ_CHUNK];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(ReadError::TimedOut);
            }
            self.stream
                .set_read_timeout(Some(deadline - now))
                .map_err(|_| ReadError::Gone)?;
            match (&*self.stream).read(&mut chunk) {
                Ok(0) => return Err(ReadError::Gone),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::TimedOut => {}
                Err(_) => return Err(ReadError::Gone),
            }
        }
    }

    fn stream_writer(&self) -> StreamWriter {
        let limits = self.limits();
        let window = limits.write_window;
        StreamWriter {
            stream: Arc::clone(&self.stream),
            window,
            min_bytes: (limits.write_min_rate as f64 * window.as_secs_f64()) as usize,
            window_end: None,
            window_bytes: 0,
            broken: Arc::clone(&self.broken),
        }
    }

    fn writer(&self) -> Box<dyn Write + Send + 'static> {
        Box::new(io::BufWriter::with_capacity(8 * 1024, self.stream_writer()))
    }

    fn next_request(&mut self, first: bool) -> Next {
        let head = match self.read_head(first) {
            Ok(head) => head,
            Err(None) => return Next::Close,
            Err(Some(status)) => {
                let target = target_hint(&self.buf).map(str::to_owned);
                self.answer_and_close(status, target.as_deref());
                return Next::Close;
            }
        };
        if self.ctx.closing.load(Ordering::Acquire) {
            return Next::Close;
        }
        let keep_alive = wants_keep_alive(&head);
        let framing = head.framing;
        let expect = head
            .headers
            .iter()
            .find(|h| h.field.equiv("Expect"))
            .map(|h| h.value.as_str().to_ascii_lowercase());
        let expects_continue = match expect.as_deref() {
            None => false,
            Some("100-continue") => head.version == HTTPVersion(1, 1),
            Some(_) => {
                self.answer_and_close(417, Some(&head.target));
                return Next::Close;
            }
        };

        let (notify, responded) = mpsc::channel();
        let mut request = crate::request::from_head(head, self.remote_addr, self.writer(), notify);
        let max_body = match self.ctx.gate.admit(&request) {
            Admission::Read { max_body } => max_body,
            Admission::Refuse(response) => {
                return self.refuse(request, response, framing, expects_continue, keep_alive)
            }
        };

        if framing != Framing::Empty && expects_continue {
            let mut writer = self.stream_writer();
            if writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
                return Next::Close;
            }
        }
        match self.read_body(framing, max_body) {
            Ok((body, reservation)) => request.set_body(body, reservation),
            Err(e) => {
                let gate = &self.ctx.gate;
                let response = match e {
                    BodyError::Gone => return Next::Close,
                    BodyError::TooLarge => gate.too_large(&request, max_body),
                    BodyError::TimedOut => gate.error(408, Some(request.url())),
                    BodyError::Malformed => gate.error(400, Some(request.url())),
                    BodyError::Busy => gate
                        .error(503, Some(request.url()))
                        .with_header(Header::from_bytes("Retry-After", "1").expect("ASCII")),
                };
                let _ = request.respond(response.with_connection_close());
                self.linger();
                return Next::Close;
            }
        }

        if let Err(message) = self.ctx.messages.push(request.into()) {
            // The server is shutting down; dropping the request answers 500.
            drop(message);
            return Next::Close;
        }
        if responded.recv().is_err() || self.broken.load(Ordering::Acquire) {
            return Next::Close;
        }
        if !keep_alive {
            self.linger();
            return Next::Close;
        }
        Next::KeepAlive
    }

    /// Reads a head. `Err(None)`: close without a word (the client left or stayed idle);
    /// `Err(Some(status))`: answer with `status`, then close.
    fn read_head(&mut self, first: bool) -> Result<RequestHead, Option<u16>> {
        let limits = self.limits().clone();
        let waiting_since = Instant::now();
        let first_byte_by = waiting_since
            + if first {
                limits.head_timeout
            } else {
                limits.idle_timeout
            };
        loop {
            let blank = skip_empty_lines(&self.buf);
            self.buf.drain(..blank);
            if !self.buf.is_empty() {
                break;
            }
            self.fill(first_byte_by).map_err(|_| None)?;
        }
        // A new connection's head is due `head_timeout` after it opened; a later request's
        // head is due `head_timeout` after its first byte.
        let deadline = if first { waiting_since } else { Instant::now() } + limits.head_timeout;
        let mut scanned = 0;
        loop {
            match head_end(&self.buf, scanned, limits.head()) {
                Err(e) => return Err(Some(e.status())),
                Ok(Some(end)) => {
                    let (head, used) = parse_head(&self.buf[..end], limits.head())
                        .map_err(|e| Some(e.status()))?;
                    self.buf.drain(..used);
                    // An idle connection keeps a small buffer, whatever its last head took.
                    self.buf.shrink_to(2 * READ_CHUNK);
                    return Ok(head);
                }
                Ok(None) => {
                    scanned = self.buf.len();
                    match self.fill(deadline) {
                        Ok(_) => {}
                        Err(ReadError::TimedOut) => return Err(Some(408)),
                        Err(ReadError::Gone) => return Err(None),
                    }
                }
            }
        }
    }

    /// Answers a request the gate refused. Its body is never handed to anyone: a short one is
    /// read and dropped so the connection can serve the next request, anything else closes it.
    fn refuse(
        &mut self,
        request: Request,
        response: crate::ResponseBox,
        framing: Framing,
        expects_continue: bool,
        keep_alive: bool,
    ) -> Next {
        let discardable = match framing {
            Framing::Empty => true,
            Framing::Length(n) => n <= self.limits().discard_limit && !expects_continue,
            Framing::Chunked => false,
        };
        if discardable && keep_alive && self.read_body(framing, self.limits().discard_limit).is_ok()
        {
            return match request.respond(response) {
                Ok(()) if !self.broken.load(Ordering::Acquire) => Next::KeepAlive,
                _ => Next::Close,
            };
        }
        let _ = request.respond(response.with_connection_close());
        self.linger();
        Next::Close
    }

    /// The deadline by which a body with `received` bytes so far must have grown.
    fn body_deadline(&self, started: Instant, received: usize) -> Instant {
        let limits = self.limits();
        started + limits.body_grace + at_rate(received, limits.body_min_rate)
    }

    fn read_body(
        &mut self,
        framing: Framing,
        max_body: usize,
    ) -> Result<(Vec<u8>, Option<Reservation>), BodyError> {
        let started = Instant::now();
        match framing {
            Framing::Empty => Ok((Vec::new(), None)),
            Framing::Length(n) => {
                if n > max_body {
                    return Err(BodyError::TooLarge);
                }
                let reservation = self.reserve(n)?;
                let mut body = Vec::with_capacity(n);
                self.read_exact_into(&mut body, n, started)?;
                Ok((body, reservation))
            }
            Framing::Chunked => self.read_chunked(max_body, started),
        }
    }

    fn reserve(&self, bytes: usize) -> Result<Option<Reservation>, BodyError> {
        if bytes <= self.limits().small_body {
            return Ok(None);
        }
        match self.ctx.budget.reserve(bytes) {
            Some(reservation) => Ok(Some(reservation)),
            None => Err(BodyError::Busy),
        }
    }

    /// Moves `n` more bytes of input onto `body`.
    fn read_exact_into(
        &mut self,
        body: &mut Vec<u8>,
        n: usize,
        started: Instant,
    ) -> Result<(), BodyError> {
        let target = body.len() + n;
        while body.len() < target {
            if self.buf.is_empty() {
                let deadline = self.body_deadline(started, body.len());
                self.fill(deadline)?;
            }
            let take = (target - body.len()).min(self.buf.len());
            body.extend_from_slice(&self.buf[..take]);
            self.buf.drain(..take);
        }
        Ok(())
    }

    /// Takes one line (without its line end) of at most `max` bytes from the input.
    fn read_line(
        &mut self,
        max: usize,
        started: Instant,
        received: usize,
    ) -> Result<Vec<u8>, BodyError> {
        let mut scanned = 0;
        loop {
            if let Some(n) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + n;
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() > max {
                return Err(BodyError::Malformed);
            }
            scanned = self.buf.len();
            let deadline = self.body_deadline(started, received);
            self.fill(deadline)?;
        }
    }

    fn read_chunked(
        &mut self,
        max_body: usize,
        started: Instant,
    ) -> Result<(Vec<u8>, Option<Reservation>), BodyError> {
        let mut body = Vec::new();
        let mut reservation = None;
        loop {
            let line = self.read_line(MAX_CHUNK_LINE, started, body.len())?;
            let size = chunk_size(&line).ok_or(BodyError::Malformed)?;
            if size == 0 {
                break;
            }
            if size > max_body - body.len() {
                return Err(BodyError::TooLarge);
            }
            if reservation.is_none() && body.len() + size > self.limits().small_body {
                // The final length is unknown: hold room for the largest allowed body.
                reservation = self.reserve(max_body)?;
            }
            self.read_exact_into(&mut body, size, started)?;
            if !self.read_line(2, started, body.len())?.is_empty() {
                return Err(BodyError::Malformed);
            }
        }
        // Trailer fields are read and ignored, within the head's size limit.
        let mut trailers = 0;
        loop {
            let line = self.read_line(self.limits().max_head, started, body.len())?;
            if line.is_empty() {
                return Ok((body, reservation));
            }
            trailers += line.len();
            if trailers > self.limits().max_head {
                return Err(BodyError::Malformed);
            }
        }
    }

    /// Answers `status` before any request could be built, then closes.
    fn answer_and_close(&mut self, status: u16, target: Option<&str>) {
        let mut writer = self.writer();
        let sent = self
            .ctx
            .gate
            .error(status, target)
            .with_connection_close()
            .raw_print(&mut writer, HTTPVersion(1, 1), &[], false, None)
            .and_then(|()| writer.flush());
        drop(writer);
        if sent.is_ok() {
            self.linger();
        }
    }

    /// Ends the connection so that the client reads the whole response: no more writes, then
    /// unread input is drained for a short while (closing with unread input makes the kernel
    /// reset the connection, which can destroy the response before the client reads it).
    fn linger(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
        let deadline = Instant::now() + self.limits().linger;
        let mut drained = 0;
        while drained < MAX_LINGER_BYTES {
            self.buf.clear();
            match self.fill(deadline) {
                Ok(n) => drained += n,
                Err(_) => break,
            }
        }
        self.buf = Vec::new();
    }
}

/// The request target at the start of `buf` if it is readable: what an error found while
/// reading a head is about (e.g. to answer in the API's format).
fn target_hint(buf: &[u8]) -> Option<&str> {
    let line = &buf[skip_empty_lines(buf)..];
    let line = &line[..line.len().min(MAX_TARGET_HINT)];
    let start = line.iter().position(|&b| b == b' ')? + 1;
    let len = line[start..]
        .iter()
        .position(|&b| !(0x21..=0x7e).contains(&b))
        .unwrap_or(line.len() - start);
    std::str::from_utf8(&line[start..start + len]).ok()
}

/// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless told to keep it.
fn wants_keep_alive(head: &RequestHead) -> bool {
    let connection = head
        .headers
        .iter()
        .filter(|h| h.field.equiv("Connection"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    let has = |token: &str| connection.split(',').any(|t| t.trim() == token);
    if has("close") || has("upgrade") {
        return false;
    }
    head.version == HTTPVersion(1, 1) || has("keep-alive")
}

/// The size of a chunk from its size line (`1a;ext=x`); `None` if malformed or too large.
fn chunk_size(line: &[u8]) -> Option<usize> {
    let digits = line.split(|&b| b == b';').next()?;
    let digits = trim_spaces(digits);
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    usize::from_str_radix(text, 16).ok()
}

fn trim_spaces(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_hints() {
        assert_eq!(target_hint(b"GET /api/x?y HTTP/1.1\r\n"), Some("/api/x?y"));
        assert_eq!(target_hint(b"\r\nGET /api/"), Some("/api/"));
        assert_eq!(target_hint(b"GET /a\xff HTTP/1.1"), Some("/a"));
        assert_eq!(target_hint(b"GET"), None);
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_size(b"1a"), Some(26));
        assert_eq!(chunk_size(b"1A;name=value"), Some(26));
        assert_eq!(chunk_size(b" 0 "), Some(0));
        for bad in [&b""[..], b"x", b"-1", b"+1", b"1 2", b"ffffffffffffffffff"] {
            assert_eq!(chunk_size(bad), None, "{:?}", bad);
        }
    }
}
