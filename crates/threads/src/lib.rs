//! Host threads for wasmbed guests: a guest spawns one of its exports on a
//! new host thread, with a priority and a stack size, joins it with a
//! deadline, and shares named mutexes, condition variables, semaphores and
//! bounded channels with its other threads (the WIT is
//! `wit/threads/threads.wit`).
//!
//! Each thread runs in its own instance of the same guest, so no instance is
//! ever entered by two threads and the Component Model's rules hold in each.
//! The application's [`Grants`] bound the number of threads, their
//! priorities and their stacks; everything else is denied. A [`Scheduler`]
//! starts the host threads: [`StdScheduler`] uses `std` threads with
//! real-time priorities on Linux, and an RTOS port implements the same trait
//! (see `docs/threads.md`). A thread that traps is poisoned alone: the mutexes
//! it held are released, its `join` returns `trapped`, the others go on.
//!
//! Every wait (join, lock, condition, semaphore, channel, sleep) goes through
//! [`wasmbed::signals::block_on`], so a signal raised for a waiting thread's
//! instance (a deadline, say) ends the wait and reaches the guest's handler.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

/// Types and export calls generated from `wit/threads/threads.wit`.
pub mod bindings {
    ::wasmbed::bindgen!({ world: "app", path: "../../wit/threads/threads.wit" });
}
mod config;
mod host;
mod objects;
mod sched;
mod threads;
mod waiters;

pub use bindings::wasmbed::threads::types::ErrorCode;
pub use config::Grants;
pub use host::{add_to_linker, INTERFACES};
pub use sched::{Policy, Scheduler, Spec, StdScheduler};
pub use threads::{Outcome, ThreadStats, Threads, ThreadsCtx};
