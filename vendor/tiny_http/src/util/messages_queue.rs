//! The queue between connection threads and workers: finished requests in, workers out.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

enum Control<T> {
    Elem(T),
    Unblock,
}

struct State<T> {
    queue: VecDeque<Control<T>>,
    // set when the server goes away: nothing more is accepted
    closed: bool,
}

pub struct MessagesQueue<T>
where
    T: Send,
{
    state: Mutex<State<T>>,
    condvar: Condvar,
}

impl<T> MessagesQueue<T>
where
    T: Send,
{
    pub fn with_capacity(capacity: usize) -> Arc<MessagesQueue<T>> {
        Arc::new(MessagesQueue {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(capacity),
                closed: false,
            }),
            condvar: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The queue is consistent after every operation, so a panic elsewhere cannot break it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Pushes an element to the queue; gives it back if the queue is closed.
    pub fn push(&self, value: T) -> Result<(), T> {
        let mut state = self.lock();
        if state.closed {
            return Err(value);
        }
        state.queue.push_back(Control::Elem(value));
        self.condvar.notify_one();
        Ok(())
    }

    /// Refuses every later push and returns what was waiting.
    pub fn close(&self) -> Vec<T> {
        let mut state = self.lock();
        state.closed = true;
        let waiting = std::mem::take(&mut state.queue);
        waiting
            .into_iter()
            .filter_map(|c| match c {
                Control::Elem(value) => Some(value),
                Control::Unblock => None,
            })
            .collect()
    }

    /// Unblock one thread stuck in pop loop.
    pub fn unblock(&self) {
        let mut state = self.lock();
        state.queue.push_back(Control::Unblock);
        self.condvar.notify_one();
    }

    /// Pops an element. Blocks until one is available.
    /// Returns None in case unblock() was issued.
    pub fn pop(&self) -> Option<T> {
        let mut state = self.lock();

        loop {
            match state.queue.pop_front() {
                Some(Control::Elem(value)) => return Some(value),
                Some(Control::Unblock) => return None,
                None => (),
            }

            state = self
                .condvar
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Tries to pop an element without blocking.
    pub fn try_pop(&self) -> Option<T> {
        let mut state = self.lock();
        match state.queue.pop_front() {
            Some(Control::Elem(value)) => Some(value),
            Some(Control::Unblock) | None => None,
        }
    }

    /// Pops an element, waiting at most `timeout`; `None` on timeout or unblock().
    pub fn pop_timeout(&self, timeout: Duration) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            match state.queue.pop_front() {
                Some(Control::Elem(value)) => return Some(value),
                Some(Control::Unblock) => return None,
                None => (),
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            state = self
                .condvar
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}
