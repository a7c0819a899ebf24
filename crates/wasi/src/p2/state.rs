//! WASI 0.2's own resources, kept beside preview 1's descriptor table in the one `WasiCtx`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::File;
use std::sync::Arc;
use std::time::Instant;

use crate::errno::Errno;
use crate::fs::DirEntry;

/// Host objects by rep; reps are not reused while live.
pub(crate) struct Table<T> {
    items: BTreeMap<u32, T>,
    next: u32,
}

impl<T> Default for Table<T> {
    fn default() -> Table<T> {
        Table {
            items: BTreeMap::new(),
            next: 0,
        }
    }
}

impl<T> Table<T> {
    /// Keeps `v` under a fresh rep.
    ///
    /// The guest holds at most the runtime's handle limit of each resource
    /// type, and every rep here is behind one of its handles, so the table is
    /// bounded by that limit.
    pub(crate) fn insert(&mut self, v: T) -> u32 {
        while self.items.contains_key(&self.next) {
            self.next = self.next.wrapping_add(1);
        }
        let rep = self.next;
        self.next = self.next.wrapping_add(1);
        self.items.insert(rep, v);
        rep
    }

    pub(crate) fn get(&self, rep: u32) -> Option<&T> {
        self.items.get(&rep)
    }

    pub(crate) fn get_mut(&mut self, rep: u32) -> Option<&mut T> {
        self.items.get_mut(&rep)
    }

    pub(crate) fn remove(&mut self, rep: u32) -> Option<T> {
        self.items.remove(&rep)
    }
}

/// What an `input-stream` or `output-stream` reads or writes.
pub(crate) enum Stream {
    /// The granted standard input (or, if none is granted, a closed stream).
    Stdin,
    /// The granted standard output: the same writer preview 1's descriptor 1 uses.
    Stdout,
    /// The granted standard error.
    Stderr,
    /// A file read from `pos` on, independently of its descriptor.
    FileRead { file: Arc<File>, pos: u64 },
    /// A file written from `pos` on.
    FileWrite { file: Arc<File>, pos: u64 },
    /// A file written at its end.
    FileAppend { file: Arc<File> },
    /// The stream failed or reached its end; every operation now reports `closed`.
    Closed,
}

/// What a `pollable` waits for.
#[derive(Clone, Copy)]
pub(crate) enum Pollable {
    /// Ready now and always: streams on blocking host I/O.
    Ready,
    /// Ready at this instant of the monotonic clock.
    At(Instant),
}

/// WASI 0.2's state in one instance's context.
#[derive(Default)]
pub(crate) struct P2 {
    /// Input and output streams (their resource types share the rep space).
    pub(crate) streams: Table<Stream>,
    /// Pollables.
    pub(crate) pollables: Table<Pollable>,
    /// `wasi:io/error` values: their debug strings and, for file I/O, the errno.
    pub(crate) errors: Table<(String, Option<Errno>)>,
    /// Directory listings being read, entries not yet handed out.
    pub(crate) dir_streams: Table<VecDeque<DirEntry>>,
    /// Descriptor numbers a 0.2 `descriptor` handle owns, which preview 1 may not use.
    pub(crate) owned_fds: BTreeSet<u32>,
}

impl P2 {
    /// Whether descriptor `fd` belongs to a WASI 0.2 handle.
    pub(crate) fn owns(&self, fd: u32) -> bool {
        self.owned_fds.contains(&fd)
    }

    /// A new `error` resource carrying `message` and maybe a file system error code.
    pub(crate) fn error(&mut self, message: String, code: Option<Errno>) -> u32 {
        self.errors.insert((message, code))
    }
}
