//! Slows down guessing of the access token: after a few wrong tokens from one peer, every
//! further attempt from it is refused (429) for a delay that doubles with each wrong token, up
//! to a short maximum, so the right token is never locked out for long.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Wrong tokens a peer may send before it has to wait.
const FREE_ATTEMPTS: u32 = 5;
/// The first wait; each further wrong token doubles it.
const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest wait, which is also the longest the right token can be kept out.
const MAX_DELAY: Duration = Duration::from_secs(60);
/// A peer's wrong tokens are forgotten this long after its last one.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Peers remembered at once; beyond it the one with the oldest wrong token is forgotten.
const MAX_PEERS: usize = 4096;

pub(super) struct Throttle {
    peers: Mutex<HashMap<IpAddr, Peer>>,
}

struct Peer {
    failures: u32,
    last_failure: Instant,
    blocked_until: Option<Instant>,
}

impl Throttle {
    pub(super) fn new() -> Throttle {
        Throttle {
            peers: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, Peer>> {
        self.peers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long `peer` must still wait before it may present a token again.
    pub(super) fn wait(&self, peer: IpAddr) -> Option<Duration> {
        self.wait_at(peer, Instant::now())
    }

    fn wait_at(&self, peer: IpAddr, now: Instant) -> Option<Duration> {
        let until = self.lock().get(&key(peer))?.blocked_until?;
        until.checked_duration_since(now).filter(|d| !d.is_zero())
    }

    /// Records a wrong token.
    pub(super) fn failure(&self, peer: IpAddr) {
        self.failure_at(peer, Instant::now());
    }

    fn failure_at(&self, peer: IpAddr, now: Instant) {
        let mut peers = self.lock();
        let peer = key(peer);
        if !peers.contains_key(&peer) && peers.len() >= MAX_PEERS {
            peers.retain(|_, p| now.duration_since(p.last_failure) < FORGET_AFTER);
            if peers.len() >= MAX_PEERS {
                let oldest = peers
                    .iter()
                    .min_by_key(|(_, p)| p.last_failure)
                    .map(|(ip, _)| *ip);
                if let Some(oldest) = oldest {
                    peers.remove(&oldest);
                }
            }
        }
        let entry = peers.entry(peer).or_insert(Peer {
            failures: 0,
            last_failure: now,
            blocked_until: None,
        });
        if now.duration_since(entry.last_failure) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure = now;
        if let Some(over) = entry.failures.checked_sub(FREE_ATTEMPTS).filter(|&n| n > 0) {
            let delay = FIRST_DELAY
                .saturating_mul(1 << (over - 1).min(16))
                .min(MAX_DELAY);
            entry.blocked_until = Some(now + delay);
        }
    }

    /// The right token: the peer starts afresh.
    pub(super) fn success(&self, peer: IpAddr) {
        self.lock().remove(&key(peer));
    }
}

/// One entry per IPv4 address and per IPv6 /64 (what one IPv6 host usually has to itself).
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// The `Retry-After` value for a wait: whole seconds, rounded up.
pub(super) fn retry_after(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_attempts_and_the_right_token_resets() {
        let throttle = Throttle::new();
        let peer: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..FREE_ATTEMPTS {
            throttle.failure_at(peer, t0);
            assert_eq!(throttle.wait_at(peer, t0), None);
        }
        let mut expected = FIRST_DELAY;
        for _ in 0..10 {
            throttle.failure_at(peer, t0);
            assert_eq!(throttle.wait_at(peer, t0), Some(expected));
            expected = (expected * 2).min(MAX_DELAY);
        }
        assert_eq!(throttle.wait_at(peer, t0), Some(MAX_DELAY));
        assert_eq!(throttle.wait_at(peer, t0 + MAX_DELAY), None);
        assert_eq!(throttle.wait_at(other, t0), None);
        throttle.success(peer);
        throttle.failure_at(peer, t0);
        assert_eq!(throttle.wait_at(peer, t0), None);
    }

    #[test]
    fn old_failures_are_forgotten_and_the_table_is_bounded() {
        let throttle = Throttle::new();
        let peer: IpAddr = "192.0.2.7".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..FREE_ATTEMPTS {
            throttle.failure_at(peer, t0);
        }
        throttle.failure_at(peer, t0 + FORGET_AFTER);
        assert_eq!(throttle.wait_at(peer, t0 + FORGET_AFTER), None);

        for i in 0..(MAX_PEERS as u32 + 10) {
            throttle.failure_at(IpAddr::V4(i.into()), t0);
        }
        assert!(throttle.lock().len() <= MAX_PEERS);
    }

    #[test]
    fn ipv6_peers_are_counted_per_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
        assert_eq!(retry_after(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after(Duration::from_secs(3)), 3);
    }
}
