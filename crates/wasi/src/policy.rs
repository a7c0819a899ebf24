//! The capability policy: what a guest may reach, granted one by one, nothing by default.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::ctx::WasiCtx;

/// Bytes a guest writes to an output, kept in memory so tests and hosts can read them.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// An empty capture.
    pub fn new() -> Capture {
        Capture::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A host directory the guest sees under a name of its own.
#[derive(Clone, Debug)]
pub struct Preopen {
    /// The directory on the host.
    pub host: PathBuf,
    /// Its name inside the guest (`.`, `/data`, …).
    pub guest: String,
    /// Whether the guest may only read: no writes, creation, renames or removals.
    pub read_only: bool,
}

/// Why a [`Policy`] could not become a [`WasiCtx`].
#[derive(Debug)]
pub enum PolicyError {
    /// A preopened directory does not exist or is not a directory.
    Preopen {
        /// The host path.
        host: PathBuf,
        /// What the host file system said.
        reason: String,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Preopen { host, reason } => {
                write!(f, "preopened directory `{}`: {reason}", host.display())
            }
        }
    }
}

impl std::error::Error for PolicyError {}

/// The grants a linker settles once, for every instance: a guest importing a
/// function whose grant is not given fails to link, naming the grant.
///
/// An instance whose own [`WasiCtx`] lacks a grant its linker gives is still
/// refused per call (`ENOTCAPABLE` in preview 1, a trap in WASI 0.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// The wall and monotonic clocks.
    pub clocks: bool,
    /// Random numbers.
    pub random: bool,
}

impl Grants {
    /// Every static grant, for a linker shared by guests with different policies.
    pub fn all() -> Grants {
        Grants {
            clocks: true,
            random: true,
        }
    }
}

/// A grant a function needs before it may even be linked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Nothing static: denials, if any, happen per call.
    None,
    /// The clocks.
    Clocks,
    /// Random numbers.
    Random,
}

impl Grant {
    /// The grant's name (`clocks`, `random`) if it is needed but not in `given`.
    pub(crate) fn missing(self, given: Grants) -> Option<&'static str> {
        match self {
            Grant::Clocks if !given.clocks => Some("clocks"),
            Grant::Random if !given.random => Some("random"),
            _ => None,
        }
    }

    /// The message of a link error for a function whose grant `name` is missing.
    pub(crate) fn denied(name: &str) -> String {
        format!("it needs the `{name}` grant, which the policy denies")
    }
}

/// Limits that bound what one instance costs the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WasiLimits {
    /// Open descriptors per instance, stdio and preopens included.
    pub max_open_fds: u32,
    /// Bytes one `fd_write` passes on; a larger write is a short write.
    pub max_write_bytes: u32,
}

impl Default for WasiLimits {
    fn default() -> WasiLimits {
        WasiLimits {
            max_open_fds: 64,
            max_write_bytes: 64 * 1024,
        }
    }
}

/// What the application grants a guest; everything else is denied.
///
/// Clocks and random numbers are denied statically: a module importing
/// `clock_time_get`, `clock_res_get` or `random_get` without the grant fails
/// to link, naming the import and the grant. Stdio and paths are denied
/// dynamically: the call returns `EBADF` (no such stream) or `EPERM` (outside
/// the sandbox, or a write through a read-only preopen), and the host logs it.
#[derive(Default)]
pub struct Policy {
    pub(crate) preopens: Vec<Preopen>,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) stdin: Option<Box<dyn Read + Send>>,
    pub(crate) stdout: Option<Box<dyn Write + Send>>,
    pub(crate) stderr: Option<Box<dyn Write + Send>>,
    pub(crate) clocks: bool,
    pub(crate) random: bool,
    pub(crate) limits: WasiLimits,
}

impl Policy {
    /// A policy that grants nothing.
    pub fn new() -> Policy {
        Policy::default()
    }

    /// Grants `host` to the guest as directory `guest`, read-only if asked.
    pub fn preopen_dir(mut self, host: impl AsRef<Path>, guest: &str, read_only: bool) -> Policy {
        self.preopens.push(Preopen {
            host: host.as_ref().to_path_buf(),
            guest: guest.into(),
            read_only,
        });
        self
    }

    /// Appends one command-line argument (the first is the program's name).
    pub fn arg(mut self, arg: &str) -> Policy {
        self.args.push(arg.into());
        self
    }

    /// Appends command-line arguments.
    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Policy {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().into()));
        self
    }

    /// Grants one environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Policy {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Grants a standard input that reads from `r`.
    pub fn stdin(mut self, r: impl Read + Send + 'static) -> Policy {
        self.stdin = Some(Box::new(r));
        self
    }

    /// Grants a standard output that writes to `w`.
    pub fn stdout(mut self, w: impl Write + Send + 'static) -> Policy {
        self.stdout = Some(Box::new(w));
        self
    }

    /// Grants a standard error that writes to `w`.
    pub fn stderr(mut self, w: impl Write + Send + 'static) -> Policy {
        self.stderr = Some(Box::new(w));
        self
    }

    /// Grants the wall and monotonic clocks.
    pub fn allow_clocks(mut self) -> Policy {
        self.clocks = true;
        self
    }

    /// Grants random numbers from the host's generator.
    pub fn allow_random(mut self) -> Policy {
        self.random = true;
        self
    }

    /// Bounds the open descriptors of one instance.
    pub fn max_open_fds(mut self, n: u32) -> Policy {
        self.limits.max_open_fds = n;
        self
    }

    /// Bounds the bytes one write passes on.
    pub fn max_write_bytes(mut self, n: u32) -> Policy {
        self.limits.max_write_bytes = n.max(1);
        self
    }

    /// The static grants, for the linker: take them before [`Policy::build`] consumes the policy.
    pub fn grants(&self) -> Grants {
        Grants {
            clocks: self.clocks,
            random: self.random,
        }
    }

    /// The host state for one instance; fails if a preopened directory is missing.
    pub fn build(self) -> Result<WasiCtx, PolicyError> {
        WasiCtx::new(self)
    }
}
