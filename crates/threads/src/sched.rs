//! Where threads come from: a [`Scheduler`] starts a host thread with a
//! priority and a stack. [`StdScheduler`] is `std::thread` with Linux
//! real-time priorities; an RTOS port implements the trait over its own
//! task API (`docs/threads.md`).

use std::sync::mpsc;

use thread_priority::{
    set_thread_priority_and_policy, thread_native_id, RealtimeThreadSchedulePolicy, ThreadPriority,
    ThreadPriorityValue, ThreadSchedulePolicy,
};

/// What a new thread needs from the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The thread's number in the application, for its name.
    pub id: u32,
    /// 0: the platform's normal priority; 1 (lowest) to 99: real-time.
    pub priority: u8,
    /// Stack bytes.
    pub stack: usize,
}

/// Starts host threads; the one place that knows the platform's threads.
pub trait Scheduler: Send + Sync {
    /// Runs `run` on a new thread as `spec` says, or says why it cannot
    /// (one line). `run` must not start when the priority cannot be set.
    fn spawn(&self, spec: &Spec, run: Box<dyn FnOnce() + Send>) -> Result<(), String>;
}

/// The real-time policy for priorities 1 to 99.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// `SCHED_FIFO`: a thread runs until it blocks or a higher priority wakes.
    #[default]
    Fifo,
    /// `SCHED_RR`: as FIFO, with time slices among equal priorities.
    RoundRobin,
}

/// `std::thread`s; priorities above 0 become `SCHED_FIFO` (or `SCHED_RR`)
/// priorities on Linux, set by the new thread before it runs anything.
#[derive(Clone, Copy, Debug, Default)]
pub struct StdScheduler {
    /// The policy for real-time priorities.
    pub policy: Policy,
}

impl StdScheduler {
    /// Gives the calling thread `priority` (above 0).
    fn set_priority(&self, priority: u8) -> Result<(), String> {
        let value = ThreadPriorityValue::try_from(priority).map_err(|e| e.to_string())?;
        let (policy, name) = match self.policy {
            Policy::Fifo => (RealtimeThreadSchedulePolicy::Fifo, "SCHED_FIFO"),
            Policy::RoundRobin => (RealtimeThreadSchedulePolicy::RoundRobin, "SCHED_RR"),
        };
        set_thread_priority_and_policy(
            thread_native_id(),
            ThreadPriority::Crossplatform(value),
            ThreadSchedulePolicy::Realtime(policy),
        )
        .map_err(|e| match e {
            thread_priority::Error::OS(1) => format!(
                "priority {priority} needs {name}, which this process may not set \
                 (EPERM: it needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least {priority})"
            ),
            e => format!("priority {priority} ({name}): {e}"),
        })
    }
}

impl Scheduler for StdScheduler {
    fn spawn(&self, spec: &Spec, run: Box<dyn FnOnce() + Send>) -> Result<(), String> {
        let (tx, rx) = mpsc::sync_channel::<Result<(), String>>(1);
        let me = *self;
        let priority = spec.priority;
        std::thread::Builder::new()
            .name(format!("wasmbed-thread-{}", spec.id))
            .stack_size(spec.stack)
            .spawn(move || {
                let set = if priority == 0 {
                    Ok(())
                } else {
                    me.set_priority(priority)
                };
                let ok = set.is_ok();
                // The spawner waits for this answer; it cannot have gone.
                let _ = tx.send(set);
                if ok {
                    run();
                }
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        rx.recv()
            .unwrap_or_else(|_| Err("the new thread ended before it started".into()))
    }
}
