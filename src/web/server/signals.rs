//! Ctrl-C and SIGTERM ask for a clean stop; a second Ctrl-C ends the process at once.

pub(super) use imp::{install, received, restore};

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    static RECEIVED: AtomicBool = AtomicBool::new(false);
    static PREVIOUS: Mutex<Vec<(libc::c_int, libc::sigaction)>> = Mutex::new(Vec::new());
    const SIGNALS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

    extern "C" fn on_signal(_signal: libc::c_int) {
        if RECEIVED.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: the user does not want to wait for a clean stop.
            // SAFETY: _exit is async-signal-safe.
            unsafe { libc::_exit(130) };
        }
    }

    pub(crate) fn install() {
        RECEIVED.store(false, Ordering::SeqCst);
        let mut previous = PREVIOUS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for signal in SIGNALS {
            // SAFETY: sigaction is plain data (all-zero is a valid value); the handler only
            // touches an atomic and calls _exit, both async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
    }

    pub(crate) fn restore() {
        let mut previous = PREVIOUS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (signal, old) in previous.drain(..) {
            // SAFETY: restores an action the kernel gave us.
            unsafe {
                libc::sigaction(signal, &old, std::ptr::null_mut());
            }
        }
    }

    pub(crate) fn received() -> bool {
        RECEIVED.load(Ordering::SeqCst)
    }
}

#[cfg(not(unix))]
mod imp {
    pub(crate) fn install() {}
    pub(crate) fn restore() {}
    pub(crate) fn received() -> bool {
        false
    }
}
