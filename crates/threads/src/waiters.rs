//! The threads waiting on a host object, so that whoever changes the object
//! wakes them (`unpark`); each waiter re-checks what it waits for.

use std::thread::{Thread, ThreadId};

/// Threads parked on one object; a waiter adds itself before it parks and
/// removes itself when it stops waiting.
#[derive(Default)]
pub(crate) struct Waiters(Vec<Thread>);

impl Waiters {
    /// Room for `n` waiters up front, so waiting allocates nothing after.
    pub(crate) fn with_capacity(n: usize) -> Waiters {
        Waiters(Vec::with_capacity(n))
    }

    /// Adds `t` unless it waits already.
    pub(crate) fn add(&mut self, t: &Thread) {
        if !self.0.iter().any(|w| w.id() == t.id()) {
            self.0.push(t.clone());
        }
    }

    /// Removes the waiter `id`, if it waits.
    pub(crate) fn remove(&mut self, id: ThreadId) {
        self.0.retain(|w| w.id() != id);
    }

    /// Wakes every waiter.
    pub(crate) fn wake(&self) {
        for t in &self.0 {
            t.unpark();
        }
    }
}
