//! The host state one instance shares between preview 1 (and later WASI 0.2): streams and descriptors.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::errno::Errno;
use crate::policy::{Policy, PolicyError, WasiLimits};

/// Where a descriptor's path lives: its preopen's root and the path below it.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    /// The preopen's canonical host directory.
    pub(crate) root: PathBuf,
    /// The path below the root, free of `..` and symlinks except maybe the last component.
    pub(crate) rel: PathBuf,
    /// Whether the preopen is read-only.
    pub(crate) read_only: bool,
}

impl Place {
    /// The host path.
    pub(crate) fn host(&self) -> PathBuf {
        self.root.join(&self.rel)
    }

    /// The same preopen at another path below it.
    pub(crate) fn at(&self, rel: PathBuf) -> Place {
        Place {
            root: self.root.clone(),
            rel,
            read_only: self.read_only,
        }
    }
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
            let root = canonical_dir(&pre.host)?;
            let place = Place {
                root,
                rel: PathBuf::new(),
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
        })
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

    pub(crate) fn get(&mut self, fd: u32, func: &str) -> Result<&mut Desc, Errno> {
        match self.fds.get_mut(&fd) {
            Some(d) => Ok(d),
            None => {
                if fd <= 2 {
                    tracing::warn!(func, fd, "wasi: standard stream {fd} is not granted");
                }
                Err(Errno::Badf)
            }
        }
    }

    /// The directory behind `fd`, for a path operation.
    pub(crate) fn dir(&mut self, fd: u32, func: &str) -> Result<Place, Errno> {
        match self.get(fd, func)? {
            Desc::Dir { place, .. } => Ok(place.clone()),
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

fn canonical_dir(host: &Path) -> Result<PathBuf, PolicyError> {
    let err = |reason: String| PolicyError::Preopen {
        host: host.to_path_buf(),
        reason,
    };
    let root = host.canonicalize().map_err(|e| err(e.to_string()))?;
    if !root.is_dir() {
        return Err(err("not a directory".into()));
    }
    Ok(root)
}

/// Logs a request the policy refuses and returns its errno.
pub(crate) fn deny(func: &str, what: &str, errno: Errno) -> Errno {
    tracing::warn!(func, "wasi: denied: {what}");
    errno
}
