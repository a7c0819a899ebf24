//! The host state one instance shares between preview 1 and WASI 0.2: streams and descriptors.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use cap_std::fs::Dir;

use crate::errno::Errno;
use crate::policy::{Grants, Policy, PolicyError, WasiLimits};

/// An open directory of the sandbox: every path operation is relative to its handle.
#[derive(Debug)]
pub(crate) struct Place {
    /// The directory, opened once; cap-std resolves paths beneath it and nowhere else.
    pub(crate) dir: Dir,
    /// Whether it lies under a read-only preopen (directories opened through it inherit this).
    pub(crate) read_only: bool,
}

/// One entry of the descriptor table.
pub(crate) enum Desc {
    /// Standard input.
    Stdin,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// A directory; `preopen` is its guest name when the application granted it.
    Dir {
        /// The guest's name for a preopen.
        preopen: Option<String>,
        /// Where it is.
        place: Place,
    },
    /// An open regular file.
    File {
        /// The host file.
        file: File,
        /// Whether it was opened for reading.
        read: bool,
        /// Whether it was opened for writing.
        write: bool,
        /// Whether writes go to the end.
        append: bool,
        /// Whether its preopen is read-only.
        read_only: bool,
    },
}

/// The host state of one instance: granted streams, the descriptor table, the other grants.
pub struct WasiCtx {
    pub(crate) fds: BTreeMap<u32, Desc>,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) stdin: Option<Box<dyn Read + Send>>,
    pub(crate) stdout: Option<Box<dyn Write + Send>>,
    pub(crate) stderr: Option<Box<dyn Write + Send>>,
    pub(crate) clocks: bool,
    pub(crate) random: bool,
    pub(crate) limits: WasiLimits,
    pub(crate) started: Instant,
    /// WASI 0.2's resources: streams, pollables, errors, and which descriptors its handles own.
    pub(crate) p2: crate::p2::P2,
}

impl WasiCtx {
    pub(crate) fn new(p: Policy) -> Result<WasiCtx, PolicyError> {
        let mut fds = BTreeMap::new();
        if p.stdin.is_some() {
            fds.insert(0, Desc::Stdin);
        }
        if p.stdout.is_some() {
            fds.insert(1, Desc::Stdout);
        }
        if p.stderr.is_some() {
            fds.insert(2, Desc::Stderr);
        }
        for (i, pre) in p.preopens.iter().enumerate() {
            let place = Place {
                dir: open_preopen(&pre.host)?,
                read_only: pre.read_only,
            };
            let preopen = Some(pre.guest.clone());
            fds.insert(3 + i as u32, Desc::Dir { preopen, place });
        }
        Ok(WasiCtx {
            fds,
            args: p.args,
            env: p.env.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
            stdin: p.stdin,
            stdout: p.stdout,
            stderr: p.stderr,
            clocks: p.clocks,
            random: p.random,
            limits: p.limits,
            started: Instant::now(),
            p2: crate::p2::P2::default(),
        })
    }

    /// The static grants of the policy this context was built from.
    pub fn grants(&self) -> Grants {
        Grants {
            clocks: self.clocks,
            random: self.random,
        }
    }

    /// Whether the policy grants the clocks.
    pub fn clocks_granted(&self) -> bool {
        self.clocks
    }

    /// Whether the policy grants random numbers.
    pub fn random_granted(&self) -> bool {
        self.random
    }

    /// Open descriptors, stdio and preopens included.
    pub fn open_fds(&self) -> usize {
        self.fds.len()
    }

    /// Flushes the output streams, for the host to call when the guest is done.
    pub fn flush(&mut self) {
        for w in [&mut self.stdout, &mut self.stderr].into_iter().flatten() {
            let _ = w.flush();
        }
    }

    /// Preview 1's view of descriptor `fd`: entries a WASI 0.2 handle owns are not its to use.
    pub(crate) fn get(&mut self, fd: u32, func: &str) -> Result<&mut Desc, Errno> {
        self.check(fd, func)?;
        self.fds.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// Preview 1's view of descriptor `fd`, shared: several may be borrowed at once.
    pub(crate) fn desc(&self, fd: u32, func: &str) -> Result<&Desc, Errno> {
        self.check(fd, func)?;
        self.fds.get(&fd).ok_or(Errno::Badf)
    }

    /// Whether preview 1 may use `fd`; a missing standard stream is a denial, and logged.
    fn check(&self, fd: u32, func: &str) -> Result<(), Errno> {
        if self.p2.owns(fd) {
            return Err(Errno::Badf);
        }
        if !self.fds.contains_key(&fd) {
            if fd <= 2 {
                tracing::warn!(func, fd, "wasi: standard stream {fd} is not granted");
            }
            return Err(Errno::Badf);
        }
        Ok(())
    }

    /// The directory behind `fd`, for a path operation.
    pub(crate) fn dir(&self, fd: u32, func: &str) -> Result<&Place, Errno> {
        match self.desc(fd, func)? {
            Desc::Dir { place, .. } => Ok(place),
            _ => Err(Errno::Notdir),
        }
    }

    /// Puts `desc` at the lowest free number past the standard streams, within the limit.
    pub(crate) fn insert(&mut self, desc: Desc, func: &str) -> Result<u32, Errno> {
        if self.fds.len() >= self.limits.max_open_fds as usize {
            tracing::warn!(
                func,
                limit = self.limits.max_open_fds,
                "wasi: descriptor limit reached"
            );
            return Err(Errno::Mfile);
        }
        let mut fd = 3;
        while self.fds.contains_key(&fd) {
            fd = fd.checked_add(1).ok_or(Errno::Mfile)?;
        }
        self.fds.insert(fd, desc);
        Ok(fd)
    }
}

/// Opens a preopen once: the only use of ambient authority, turning the policy's grant into a handle.
fn open_preopen(host: &Path) -> Result<Dir, PolicyError> {
    Dir::open_ambient_dir(host, cap_std::ambient_authority()).map_err(|e| PolicyError::Preopen {
        host: host.to_path_buf(),
        reason: if e.kind() == std::io::ErrorKind::NotADirectory {
            "not a directory".into()
        } else {
            e.to_string()
        },
    })
}

/// Logs a request the policy refuses and returns its errno.
pub(crate) fn deny(func: &str, what: &str, errno: Errno) -> Errno {
    tracing::warn!(func, "wasi: denied: {what}");
    errno
}
