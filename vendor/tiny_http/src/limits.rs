//! What a connection may cost: deadlines, sizes, the number of open connections and the memory
//! that request bodies may hold, and the gate that decides whether a body is read at all.

use crate::head::HeadLimits;
use crate::{Request, ResponseBox};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Limits for every connection of a [`Server`](crate::Server).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest request line (414 beyond it).
    pub max_request_line: usize,
    /// Largest head: request line and header lines together (431 beyond it).
    pub max_head: usize,
    /// Time from a new connection, or from the first byte of a later request, until its head
    /// must be complete (408 and close otherwise).
    pub head_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// A body must have arrived at `body_min_rate` bytes per second, counted after this grace
    /// period (408 and close otherwise).
    pub body_grace: Duration,
    /// See `body_grace`.
    pub body_min_rate: u64,
    /// In every window of this length the client must take `write_min_rate` bytes per second
    /// of a response (or all of it, if less is left); otherwise the write fails and the
    /// connection ends.
    pub write_window: Duration,
    /// See `write_window`.
    pub write_min_rate: u64,
    /// More open connections than this and new ones are closed at once.
    pub max_connections: usize,
    /// Bodies longer than `small_body` share this many bytes of memory between all
    /// connections; a body that does not fit is answered 503.
    pub body_budget: usize,
    /// Bodies up to this length are read without the budget.
    pub small_body: usize,
    /// A refused request's body up to this length is read and dropped so the connection can
    /// stay open; a longer one closes the connection.
    pub discard_limit: usize,
    /// After a response that closes the connection, unread input is drained for at most
    /// this long, so the client sees the response before the connection is reset.
    pub linger: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_request_line: crate::head::DEFAULT_MAX_REQUEST_LINE,
            max_head: crate::head::DEFAULT_MAX_HEAD,
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            body_grace: Duration::from_secs(10),
            body_min_rate: 16 * 1024,
            write_window: Duration::from_secs(10),
            write_min_rate: 16 * 1024,
            max_connections: 512,
            body_budget: 64 * 1024 * 1024,
            small_body: 64 * 1024,
            discard_limit: 64 * 1024,
            linger: Duration::from_secs(2),
        }
    }
}

impl Limits {
    pub(crate) fn head(&self) -> HeadLimits {
        HeadLimits {
            max_request_line: self.max_request_line,
            max_head: self.max_head,
        }
    }
}

/// The gate's answer for a request whose head has been read.
pub enum Admission {
    /// Read a body of at most `max_body` bytes, then hand the request to a worker.
    Read { max_body: usize },
    /// Answer this without reading the body.
    Refuse(ResponseBox),
}

/// Decides, before any body is read, whether a request goes further. Called on the
/// connection's own thread, so it must be quick and must not block.
pub trait Gate: Send + Sync {
    /// `request` has its head but no body yet.
    fn admit(&self, request: &Request) -> Admission;
    /// The answer when a body turns out to be longer than the `max_body` that `admit` allowed.
    fn too_large(&self, request: &Request, max_body: usize) -> ResponseBox;
    /// The answer for an error the connection found itself (a malformed, oversized or slow
    /// request, 417, 503 when the body budget is spent), about `target` if it could be read.
    /// The connection closes after it.
    fn error(&self, status: u16, target: Option<&str>) -> ResponseBox {
        let _ = target;
        plain(status)
    }
}

/// A short plain-text answer.
pub(crate) fn plain(status: u16) -> ResponseBox {
    let code = crate::StatusCode(status);
    crate::Response::from_string(format!("{} {}\n", status, code.default_reason_phrase()))
        .with_status_code(code)
        .boxed()
}

/// A gate that reads every body up to 16 MiB; for servers built without one.
pub(crate) struct OpenGate;

impl Gate for OpenGate {
    fn admit(&self, _: &Request) -> Admission {
        Admission::Read {
            max_body: 16 * 1024 * 1024,
        }
    }
    fn too_large(&self, _: &Request, _: usize) -> ResponseBox {
        crate::Response::empty(413).boxed()
    }
}

/// A counter of bytes that may be taken up to a total.
#[derive(Debug)]
pub(crate) struct Budget {
    total: usize,
    used: AtomicUsize,
}

/// A share of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Budget {
    pub(crate) fn new(total: usize) -> Arc<Budget> {
        Arc::new(Budget {
            total,
            used: AtomicUsize::new(0),
        })
    }

    /// Takes `bytes` if that many are left.
    pub(crate) fn reserve(self: &Arc<Budget>, bytes: usize) -> Option<Reservation> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&n| n <= self.total)
            })
            .ok()
            .map(|_| Reservation {
                budget: Arc::clone(self),
                bytes,
            })
    }

    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_is_shared_and_given_back() {
        let budget = Budget::new(100);
        let a = budget.reserve(60).unwrap();
        assert!(budget.reserve(50).is_none());
        let b = budget.reserve(40).unwrap();
        assert_eq!(budget.used(), 100);
        drop(a);
        assert_eq!(budget.used(), 40);
        assert!(budget.reserve(usize::MAX).is_none());
        drop(b);
        assert_eq!(budget.used(), 0);
    }
}
