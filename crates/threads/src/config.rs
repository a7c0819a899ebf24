//! What an application may do with threads: granted, or denied by default.

use core::ops::RangeInclusive;

/// An application's thread grants, from its manifest's `[threads]` table.
/// The default grants no thread at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grants {
    /// Threads running at once besides the main one (`threads.max`).
    pub max_threads: u32,
    /// Priorities a thread may ask for (`threads.priorities`); 0 is the
    /// platform's normal priority, 1 to 99 real-time ones.
    pub priorities: RangeInclusive<u8>,
    /// Stack sizes in bytes a thread may ask for (`threads.stack`).
    pub stack: RangeInclusive<u32>,
    /// The stack of a thread that asks for 0 bytes (`threads.default-stack`).
    pub default_stack: u32,
    /// Named objects (mutexes, condition variables, semaphores, channels)
    /// the application may create (`threads.objects`).
    pub max_objects: u32,
    /// Bytes all channels' buffers may take together (`threads.channel-bytes`).
    pub channel_bytes: u32,
}

impl Default for Grants {
    /// No thread; objects are still usable by the main thread.
    fn default() -> Grants {
        Grants {
            max_threads: 0,
            priorities: 0..=0,
            stack: 64 * 1024..=2 * 1024 * 1024,
            default_stack: 512 * 1024,
            max_objects: 64,
            channel_bytes: 64 * 1024,
        }
    }
}

impl Grants {
    /// `n` threads at the normal priority, default stacks and objects.
    pub fn threads(n: u32) -> Grants {
        Grants {
            max_threads: n,
            ..Grants::default()
        }
    }

    /// Why `priority` and `stack` are refused, naming the grant, if they are.
    pub(crate) fn check(&self, priority: u8, stack: u32) -> Result<(), String> {
        if !self.priorities.contains(&priority) {
            return Err(format!(
                "priority {priority} is outside the granted `threads.priorities` {}..={}",
                self.priorities.start(),
                self.priorities.end()
            ));
        }
        if !self.stack.contains(&stack) {
            return Err(format!(
                "a stack of {stack} bytes is outside the granted `threads.stack` {}..={}",
                self.stack.start(),
                self.stack.end()
            ));
        }
        Ok(())
    }
}
