//! What to do when `accept` fails: most failures pass, running out of descriptors or memory
//! passes after a pause, and only a broken listening socket ends the accept loop.

use std::io;
use std::time::Duration;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AcceptError {
    /// The failure belonged to one connection; accept the next at once.
    Retry,
    /// The process or system is out of a resource; wait, then try again.
    BackOff,
    /// The listening socket itself is unusable.
    Fatal,
}

pub(crate) fn classify(e: &io::Error) -> AcceptError {
    match e.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => AcceptError::BackOff,
        Some(libc::EBADF | libc::EINVAL | libc::ENOTSOCK | libc::EFAULT | libc::EOPNOTSUPP) => {
            AcceptError::Fatal
        }
        // accept(2): network errors of the new connection (ECONNABORTED, EPROTO, ENETDOWN,
        // EHOSTUNREACH, …) and EINTR are retried at once.
        Some(
            libc::ECONNABORTED
            | libc::EINTR
            | libc::EAGAIN
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENOPROTOOPT
            | libc::EHOSTDOWN
            | libc::ENONET
            | libc::EHOSTUNREACH
            | libc::ENETUNREACH
            | libc::ETIMEDOUT,
        ) => AcceptError::Retry,
        // Anything unknown: never spin, never give up.
        _ => AcceptError::BackOff,
    }
}

/// Pauses that double from 10 ms up to one second.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    last: Option<Duration>,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    pub(crate) fn next_delay(&mut self) -> Duration {
        let next = match self.last {
            None => Self::FIRST,
            Some(last) => (last * 2).min(Self::MAX),
        };
        self.last = Some(next);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_exhaustion_backs_off_and_a_broken_listener_is_fatal() {
        let os = io::Error::from_raw_os_error;
        assert_eq!(classify(&os(libc::EMFILE)), AcceptError::BackOff);
        assert_eq!(classify(&os(libc::ENFILE)), AcceptError::BackOff);
        assert_eq!(classify(&os(libc::ECONNABORTED)), AcceptError::Retry);
        assert_eq!(classify(&os(libc::EBADF)), AcceptError::Fatal);
        assert_eq!(classify(&io::Error::other("?")), AcceptError::BackOff);
        let mut backoff = Backoff::default();
        let delays: Vec<_> = (0..10).map(|_| backoff.next_delay()).collect();
        assert_eq!(delays[0], Duration::from_millis(10));
        assert_eq!(delays[1], Duration::from_millis(20));
        assert_eq!(delays[9], Duration::from_secs(1));
    }
}
