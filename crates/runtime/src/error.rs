//! Everything that can go wrong, each as one line naming what and where.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use wasmbed_abi::Trap;

/// A wasmbed error: loading, linking, or a call that trapped.
///
/// Boxed so that `Result<T, Error>` stays one word wide on the hot path.
pub struct Error(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not a valid module for the engine.
    Compile(String),
    /// The module does not fit the world: an unknown `cm32p2` name, a wrong type, a missing export.
    Load(String),
    /// An import has no implementation, or an implementation has the wrong type.
    Link(String),
    /// The guest trapped, or handed over an invalid value.
    Trap {
        /// The function being called (export or import), for the message.
        func: String,
        /// The reason.
        reason: TrapReason,
    },
    /// The instance trapped before and runs no more guest code.
    Poisoned,
    /// The host tried to call into an instance that is already running.
    Reentrance,
    /// No export of that name in the world.
    UnknownExport(String),
    /// The host passed arguments that do not match the function's type.
    BadArguments(String),
    /// A host function failed; its message.
    Host(String),
    /// The guest asked to exit (WASI `proc_exit`, `wasi:cli/exit`) with this status.
    Exit(i32),
}

/// Why a guest call trapped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrapReason {
    /// A Canonical ABI check failed on a value the guest handed over.
    Abi(Trap),
    /// The engine trapped (unreachable, out-of-bounds access, out of fuel, …): its message.
    Engine(String),
    /// An import that needs memory was called while the module's `start` function ran.
    ImportDuringStart,
    /// The guest called an import while the host was calling its `realloc`.
    ImportDuringRealloc,
    /// A host function trapped the guest on purpose: its message.
    Host(String),
    /// The instance's fuel ran out.
    OutOfFuel,
    /// The call unwound on this signal: the handler asked to, or the guest has none.
    Signal(u32),
    /// The signal handler used up its fuel budget for this signal.
    HandlerBudget(u32),
    /// The signal handler answered with no `action` the WIT knows.
    BadAction(u32),
    /// The guest called an import from its signal handler.
    ImportInHandler,
}

impl Error {
    /// Wraps a kind.
    #[cold]
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Whether the guest trapped (and its instance is now poisoned).
    pub fn is_trap(&self) -> bool {
        matches!(*self.0, ErrorKind::Trap { .. })
    }

    #[cold]
    pub(crate) fn trap(func: &str, reason: TrapReason) -> Error {
        Error::new(ErrorKind::Trap {
            func: func.into(),
            reason,
        })
    }

    /// Names the export a trap happened under, where the engine could not.
    pub(crate) fn in_func(mut self, name: &str) -> Error {
        if let ErrorKind::Trap { func, .. } = &mut *self.0 {
            if func == "export" {
                *func = name.into();
            }
        }
        self
    }

    /// Whether the guest ran out of fuel.
    pub(crate) fn is_out_of_fuel(&self) -> bool {
        matches!(
            &*self.0,
            ErrorKind::Trap {
                reason: TrapReason::OutOfFuel,
                ..
            }
        )
    }

    /// Whether the guest ran into trouble (a trap, or a host function failing under it).
    pub(crate) fn poisons(&self) -> bool {
        matches!(
            *self.0,
            ErrorKind::Trap { .. } | ErrorKind::Host(_) | ErrorKind::Exit(_)
        )
    }

    /// The guest's request to exit with `code`, unwinding it like a trap.
    #[cold]
    pub fn exit(code: i32) -> Error {
        Error::new(ErrorKind::Exit(code))
    }

    /// The exit status, when the guest exited rather than failed.
    pub fn exit_code(&self) -> Option<i32> {
        match *self.0 {
            ErrorKind::Exit(code) => Some(code),
            _ => None,
        }
    }

    /// A host function traps the calling guest on purpose (a bad pointer, say), with its own message.
    #[cold]
    pub fn guest_trap(func: &str, message: impl Into<String>) -> Error {
        Error::trap(func, TrapReason::Host(message.into()))
    }

    /// A host function's failure, which traps the calling guest.
    #[cold]
    pub fn host(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Host(message.into()))
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl fmt::Display for TrapReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapReason::Abi(t) => fmt::Display::fmt(t, f),
            TrapReason::Engine(m) | TrapReason::Host(m) => f.write_str(m),
            TrapReason::ImportDuringStart => {
                f.write_str("import that needs memory called during the `start` function")
            }
            TrapReason::ImportDuringRealloc => f.write_str("import called from `realloc`"),
            TrapReason::OutOfFuel => f.write_str("all fuel consumed by WebAssembly"),
            TrapReason::Signal(s) => write!(
                f,
                "interrupted by signal {s} ({})",
                crate::signals::signal_name(*s)
            ),
            TrapReason::HandlerBudget(s) => {
                write!(f, "the handler of signal {s} used up its fuel budget")
            }
            TrapReason::BadAction(s) => {
                write!(f, "the handler of signal {s} answered with no known `action`")
            }
            TrapReason::ImportInHandler => f.write_str(
                "import called from the signal handler, which may only touch its own memory and globals",
            ),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Compile(m) => write!(f, "invalid module: {m}"),
            ErrorKind::Load(m) | ErrorKind::Link(m) => f.write_str(m),
            ErrorKind::Trap { func, reason } => write!(f, "guest trapped in `{func}`: {reason}"),
            ErrorKind::Poisoned => {
                f.write_str("instance trapped earlier and refuses further calls")
            }
            ErrorKind::Reentrance => {
                f.write_str("reentrance: the host called into an instance that is already running")
            }
            ErrorKind::UnknownExport(n) => write!(f, "no export `{n}` in the world"),
            ErrorKind::BadArguments(m) => write!(f, "bad arguments: {m}"),
            ErrorKind::Host(m) => write!(f, "host function failed: {m}"),
            ErrorKind::Exit(code) => write!(f, "guest exited with status {code}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for Error {}
