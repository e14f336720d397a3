//! Crash points for tests: with `CLIENTELE_FAILPOINT=NAME` a debug build aborts the process
//! at the point called NAME (`before-commit`, `after-commit`, `write-queued`), so a crash test knows where
//! its crash landed. Release builds compile the check away.

/// Aborts the process if the failpoint `name` is switched on (debug builds only). A line
/// on standard error tells the test that the abort was this one.
#[inline]
pub fn hit(name: &str) {
    if cfg!(debug_assertions) && std::env::var_os("CLIENTELE_FAILPOINT").is_some_and(|v| v == name)
    {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}
