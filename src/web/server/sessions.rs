//! Console sessions: random ids that end after a while without use, after an absolute
//! lifetime, or at logout.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How many sessions may live at once; beyond it the least recently used one ends.
const MAX_SESSIONS: usize = 10_000;

pub(super) struct Sessions {
    live: Mutex<HashMap<String, Session>>,
    idle: Duration,
    lifetime: Duration,
}

struct Session {
    created: Instant,
    last_used: Instant,
}

impl Sessions {
    pub(super) fn new(idle: Duration, lifetime: Duration) -> Sessions {
        Sessions {
            live: Mutex::new(HashMap::new()),
            idle,
            lifetime,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // Every change is a single map operation, so a panic cannot leave it half-done.
        self.live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn expired(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.last_used) >= self.idle
            || now.duration_since(session.created) >= self.lifetime
    }

    /// True if `id` names a live session; using it keeps it alive for another idle period.
    pub(super) fn check(&self, id: &str) -> bool {
        self.check_at(id, Instant::now())
    }

    fn check_at(&self, id: &str, now: Instant) -> bool {
        let mut live = self.lock();
        match live.get_mut(id) {
            Some(session) if !self.expired(session, now) => {
                session.last_used = now;
                true
            }
            Some(_) => {
                live.remove(id);
                false
            }
            None => false,
        }
    }

    /// Starts a session and returns its id (32 hex characters from the kernel's random source).
    pub(super) fn start(&self) -> std::io::Result<String> {
        let id = random_hex()?;
        self.insert_at(id.clone(), Instant::now());
        Ok(id)
    }

    fn insert_at(&self, id: String, now: Instant) {
        let mut live = self.lock();
        if live.len() >= MAX_SESSIONS {
            live.retain(|_, session| !self.expired(session, now));
        }
        if live.len() >= MAX_SESSIONS {
            let oldest = live
                .iter()
                .min_by_key(|(_, session)| session.last_used)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                live.remove(&oldest);
            }
        }
        live.insert(
            id,
            Session {
                created: now,
                last_used: now,
            },
        );
    }

    pub(super) fn end(&self, id: &str) {
        self.lock().remove(id);
    }
}

/// 16 bytes from the kernel's random source as 32 lower-case hex characters.
pub(super) fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_when_idle_too_long_at_their_lifetime_and_on_logout() {
        let sessions = Sessions::new(Duration::from_secs(10), Duration::from_secs(25));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        sessions.insert_at("a".into(), t0);
        assert!(sessions.check_at("a", at(9)));
        // Use keeps it alive past the first idle period…
        assert!(sessions.check_at("a", at(18)));
        assert!(sessions.check_at("a", at(24)));
        // …but not past its lifetime.
        assert!(!sessions.check_at("a", at(25)));
        assert!(
            !sessions.check_at("a", at(1)),
            "an ended session stays ended"
        );

        sessions.insert_at("b".into(), t0);
        assert!(
            !sessions.check_at("b", at(10)),
            "idle for the whole idle period"
        );

        sessions.insert_at("c".into(), t0);
        sessions.end("c");
        assert!(!sessions.check_at("c", t0));
        assert!(!sessions.check_at("never-issued", t0));
    }

    #[test]
    fn a_full_table_drops_the_least_recently_used_session() {
        let sessions = Sessions::new(Duration::from_secs(3600), Duration::from_secs(7200));
        let t0 = Instant::now();
        for i in 0..MAX_SESSIONS {
            sessions.insert_at(format!("s{i}"), t0 + Duration::from_millis(i as u64));
        }
        let later = t0 + Duration::from_secs(20);
        assert!(sessions.check_at("s0", later));
        sessions.insert_at("new".into(), later);
        assert_eq!(sessions.lock().len(), MAX_SESSIONS);
        assert!(sessions.check_at("s0", later), "recently used, so kept");
        assert!(
            !sessions.check_at("s1", later),
            "the least recently used went"
        );
        assert!(sessions.check_at("new", later));
    }
}
