//! Helper threads started so that a thread the system refuses is an error the task answers
//! (and nothing is changed), never a panic.

use super::error::{Error, Result};
use std::thread::{Scope, ScopedJoinHandle};

/// Starts `f` on a thread named `name` within `scope`.
pub fn scoped<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn_scoped(scope, f)
        .map_err(|e| {
            Error::Internal(format!(
                "the system refused a thread ({name}: {e}); nothing was changed; close other \
                 programs and try again"
            ))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_started_thread_runs_and_is_joined() {
        let n = std::thread::scope(|s| super::scoped(s, "test", || 6 * 7).unwrap().join());
        assert_eq!(n.unwrap(), 42);
    }
}
