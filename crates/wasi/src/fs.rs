//! File system operations on sandboxed handles, shared by preview 1 and WASI 0.2.
//!
//! Every operation takes an open [`Place`] (a cap-std `Dir`) or a [`Desc`],
//! never a host path: cap-std resolves the guest's path beneath the handle, so
//! nothing a host process does between two steps can lead an operation outside
//! its preopen (see [`crate::sandbox`]). Callers look descriptors up in their
//! own view of the table (preview 1 may not use a 0.2 handle's entries), decode
//! guest memory before, and encode the results after; every failure is an
//! [`Errno`], which a 0.2 layer maps to its `error-code`.

mod stat;

use std::fs::FileTimes;
use std::time::SystemTime;

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, SystemTimeSpec};
use cap_std::fs::{Dir, Metadata, OpenOptions};

use crate::ctx::{deny, Desc, Place};
use crate::errno::Errno;
use crate::sandbox::{check_path, host_err, writable};

pub(crate) use stat::{DirEntry, Kind, Stat};

/// How to open a path: preview 1's `oflags`, rights and `fdflags`, or 0.2's flags, decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct OpenHow {
    /// Read access; also given when write access is not asked, as a descriptor can always read.
    pub(crate) read: bool,
    /// Write access.
    pub(crate) write: bool,
    /// Writes go to the end; kept on the descriptor, since preview 1 may change it later.
    pub(crate) append: bool,
    /// Create the file if it is missing.
    pub(crate) create: bool,
    /// With `create`, fail if it exists.
    pub(crate) exclusive: bool,
    /// Truncate to zero length.
    pub(crate) truncate: bool,
    /// It must be a directory.
    pub(crate) directory: bool,
    /// Follow a symlink in the last component (those before it are always followed, inside).
    pub(crate) follow: bool,
}

impl OpenHow {
    /// Whether opening this way may change the file system, which a read-only preopen refuses.
    fn changes(&self) -> bool {
        self.write || self.append || self.create || self.truncate
    }
}

/// A time to set on a file, so callers need not know cap-std's or std's time types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SetTime {
    /// Leave it as it is.
    Keep,
    /// The host's current time.
    Now,
    /// This time.
    At(SystemTime),
}

impl SetTime {
    /// As cap-std's path-based setter takes it.
    fn spec(self) -> Option<SystemTimeSpec> {
        match self {
            SetTime::Keep => None,
            SetTime::Now => Some(SystemTimeSpec::SymbolicNow),
            SetTime::At(t) => Some(SystemTimeSpec::Absolute(
                cap_std::time::SystemTime::from_std(t),
            )),
        }
    }

    /// As std's handle-based setter takes it.
    fn std(self) -> Option<SystemTime> {
        match self {
            SetTime::Keep => None,
            SetTime::Now => Some(SystemTime::now()),
            SetTime::At(t) => Some(t),
        }
    }
}

/// A directory descriptor for a handle opened below `place`, inheriting its read-only flag.
fn dir_desc(dir: Dir, read_only: bool) -> Desc {
    Desc::Dir {
        preopen: None,
        place: Place { dir, read_only },
    }
}

/// Opens `path` below `dir` as `how` says; a directory becomes a directory descriptor.
///
/// The caller inserts the result in its table, so WASI 0.2 can mark its own entries.
pub(crate) fn open_at(dir: &Place, path: &str, how: &OpenHow, func: &str) -> Result<Desc, Errno> {
    let p = check_path(path, func)?;
    if how.changes() {
        writable(dir, func, path)?;
    }
    let err = |e| host_err(e, func, path);
    if how.directory {
        let sub = if how.follow {
            dir.dir.open_dir(p)
        } else {
            dir.dir.open_dir_nofollow(p)
        };
        let sub = match sub {
            Ok(d) => d,
            // cap-std opens a directory by `O_PATH`, which takes a symlink itself for `ENOTDIR`.
            Err(_) if !how.follow && is_symlink(dir, p) => return Err(Errno::Loop),
            Err(e) => return Err(err(e)),
        };
        if how.create && how.exclusive {
            return Err(Errno::Exist);
        }
        if how.write || how.append || how.truncate {
            return Err(Errno::Isdir);
        }
        return Ok(dir_desc(sub, dir.read_only));
    }
    let read = how.read || !how.write;
    let mut opts = OpenOptions::new();
    opts.read(read)
        .write(how.changes())
        .create(how.create)
        .create_new(how.create && how.exclusive)
        .truncate(how.truncate);
    if !how.follow {
        opts.follow(FollowSymlinks::No);
    }
    let file = dir.dir.open_with(p, &opts).map_err(err)?.into_std();
    // Only a read-only open succeeds on a directory; the host refuses writes with `EISDIR`.
    if file.metadata()?.is_dir() {
        return Ok(dir_desc(Dir::from_std_file(file), dir.read_only));
    }
    Ok(Desc::File {
        file,
        read,
        write: how.write || how.append,
        append: how.append,
        read_only: dir.read_only,
    })
}

/// Whether `p` below `dir` is a symlink, only to choose an errno.
fn is_symlink(dir: &Place, p: &std::path::Path) -> bool {
    dir.dir
        .symlink_metadata(p)
        .is_ok_and(|m| m.file_type().is_symlink())
}

/// What `desc` is; a standard stream has no file behind it and reads as zeros of kind `Unknown`.
pub(crate) fn stat(desc: &Desc) -> Result<Stat, Errno> {
    match desc {
        Desc::File { file, .. } => Ok(Stat::of(&Metadata::from_file(file)?)),
        Desc::Dir { place, .. } => Ok(Stat::of(&place.dir.dir_metadata()?)),
        Desc::Stdin | Desc::Stdout | Desc::Stderr => Ok(Stat::default()),
    }
}

/// What `path` below `dir` is, or its last symlink itself unless `follow`.
pub(crate) fn stat_at(dir: &Place, path: &str, follow: bool, func: &str) -> Result<Stat, Errno> {
    let p = check_path(path, func)?;
    let meta = if follow {
        dir.dir.metadata(p)
    } else {
        dir.dir.symlink_metadata(p)
    };
    Ok(Stat::of(&meta.map_err(|e| host_err(e, func, path))?))
}

/// Creates directory `path` below `dir`.
pub(crate) fn create_dir_at(dir: &Place, path: &str, func: &str) -> Result<(), Errno> {
    let p = check_path(path, func)?;
    writable(dir, func, path)?;
    dir.dir.create_dir(p).map_err(|e| host_err(e, func, path))
}

/// Removes empty directory `path` below `dir`.
pub(crate) fn remove_dir_at(dir: &Place, path: &str, func: &str) -> Result<(), Errno> {
    let p = check_path(path, func)?;
    writable(dir, func, path)?;
    dir.dir.remove_dir(p).map_err(|e| host_err(e, func, path))
}

/// Removes file or symlink `path` below `dir` (a symlink itself, never its target).
pub(crate) fn unlink_file_at(dir: &Place, path: &str, func: &str) -> Result<(), Errno> {
    let p = check_path(path, func)?;
    writable(dir, func, path)?;
    dir.dir
        .remove_file_or_symlink(p)
        .map_err(|e| host_err(e, func, path))
}

/// Renames `old` below `old_dir` to `new` below `new_dir`; both must be writable.
pub(crate) fn rename_at(
    old_dir: &Place,
    old: &str,
    new_dir: &Place,
    new: &str,
    func: &str,
) -> Result<(), Errno> {
    let (o, n) = (check_path(old, func)?, check_path(new, func)?);
    writable(old_dir, func, old)?;
    writable(new_dir, func, new)?;
    old_dir
        .dir
        .rename(o, &new_dir.dir, n)
        .map_err(|e| host_err(e, func, &format!("{old}` or `{new}")))
}

/// Creates symlink `path` below `dir` pointing to `target`.
///
/// An absolute target is `EPERM`, as wasmtime refuses it; a relative one that
/// climbs out is kept, as there, since following it is refused at every use.
pub(crate) fn symlink_at(dir: &Place, target: &str, path: &str, func: &str) -> Result<(), Errno> {
    let p = check_path(path, func)?;
    writable(dir, func, path)?;
    if target.contains('\0') {
        return Err(Errno::Inval);
    }
    let t = std::path::Path::new(target);
    if t.has_root() || t.is_absolute() {
        let what = format!("symlink `{path}` to absolute path `{target}`");
        return Err(deny(func, &what, Errno::Perm));
    }
    DirExt::symlink(&dir.dir, t, p).map_err(|e| host_err(e, func, path))
}

/// The target of symlink `path` below `dir`; an absolute target is `EPERM`, not shown to the guest.
pub(crate) fn readlink_at(dir: &Place, path: &str, func: &str) -> Result<String, Errno> {
    let p = check_path(path, func)?;
    let target = dir.dir.read_link(p).map_err(|e| host_err(e, func, path))?;
    target
        .into_os_string()
        .into_string()
        .map_err(|_| Errno::Ilseq)
}

/// Links `old` below `old_dir` as `new` below `new_dir`.
///
/// Both must be writable: a link out of a read-only preopen would make its
/// file writable through the other. Following a symlink in `old` is `EINVAL`,
/// as in wasmtime: the host links the entry itself.
pub(crate) fn link_at(
    old_dir: &Place,
    follow: bool,
    old: &str,
    new_dir: &Place,
    new: &str,
    func: &str,
) -> Result<(), Errno> {
    let (o, n) = (check_path(old, func)?, check_path(new, func)?);
    writable(old_dir, func, old)?;
    writable(new_dir, func, new)?;
    if follow {
        return Err(Errno::Inval);
    }
    old_dir
        .dir
        .hard_link(o, &new_dir.dir, n)
        .map_err(|e| host_err(e, func, &format!("{old}` or `{new}")))
}

/// Sets the access and modification times of `path` below `dir`, or of its last symlink unless `follow`.
pub(crate) fn set_times_at(
    dir: &Place,
    path: &str,
    follow: bool,
    atime: SetTime,
    mtime: SetTime,
    func: &str,
) -> Result<(), Errno> {
    let p = check_path(path, func)?;
    writable(dir, func, path)?;
    let r = if follow {
        dir.dir.set_times(p, atime.spec(), mtime.spec())
    } else {
        dir.dir.set_symlink_times(p, atime.spec(), mtime.spec())
    };
    r.map_err(|e| host_err(e, func, path))
}

/// Sets the access and modification times of the file or directory behind `desc`.
pub(crate) fn set_times(
    desc: &Desc,
    atime: SetTime,
    mtime: SetTime,
    func: &str,
) -> Result<(), Errno> {
    match desc {
        Desc::File {
            read_only: true, ..
        }
        | Desc::Dir {
            place: Place {
                read_only: true, ..
            },
            ..
        } => Err(deny(func, "times under a read-only preopen", Errno::Perm)),
        Desc::File { file, .. } => {
            let mut t = FileTimes::new();
            if let Some(a) = atime.std() {
                t = t.set_accessed(a);
            }
            if let Some(m) = mtime.std() {
                t = t.set_modified(m);
            }
            Ok(file.set_times(t)?)
        }
        Desc::Dir { place, .. } => Ok(place.dir.set_times(".", atime.spec(), mtime.spec())?),
        Desc::Stdin | Desc::Stdout | Desc::Stderr => Err(Errno::Badf),
    }
}

/// The entries of directory `dir` (no `.` or `..`), sorted by name; names that are not UTF-8 are left out.
pub(crate) fn read_dir(dir: &Place) -> Result<Vec<DirEntry>, Errno> {
    let mut out = Vec::new();
    for e in dir.dir.entries()? {
        let e = e?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        out.push(DirEntry::of(name, &e));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Truncates or extends the file behind `desc`, which must be open for writing.
pub(crate) fn set_size(desc: &Desc, size: u64) -> Result<(), Errno> {
    match desc {
        Desc::File {
            file, write: true, ..
        } => Ok(file.set_len(size)?),
        _ => Err(Errno::Badf),
    }
}

/// Flushes the file or directory behind `desc` to storage; its data only if `data_only`.
pub(crate) fn sync(desc: &Desc, data_only: bool) -> Result<(), Errno> {
    match desc {
        Desc::File { file, .. } if data_only => Ok(file.sync_data()?),
        Desc::File { file, .. } => Ok(file.sync_all()?),
        // A directory handle may be `O_PATH`, which cannot sync: sync one opened to read.
        Desc::Dir { place, .. } => Ok(place.dir.open(".")?.into_std().sync_all()?),
        Desc::Stdin | Desc::Stdout | Desc::Stderr => Err(Errno::Inval),
    }
}

#[cfg(test)]
mod tests;

/// Reads at `pos` without moving the file's offset, so streams and descriptors keep their own.
pub(crate) fn read_at(file: &std::fs::File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_at(file, buf, pos);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_read(file, buf, pos);
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, buf, pos);
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

/// Writes at `pos` without moving the file's offset; may write less than `buf`.
pub(crate) fn write_at(file: &std::fs::File, buf: &[u8], pos: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::write_at(file, buf, pos);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_write(file, buf, pos);
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, buf, pos);
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

/// Writes all of `buf` at `pos`, as [`write_at`] in a loop.
pub(crate) fn write_all_at(
    file: &std::fs::File,
    mut buf: &[u8],
    mut pos: u64,
) -> std::io::Result<()> {
    while !buf.is_empty() {
        match write_at(file, buf, pos)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                pos += n as u64;
            }
        }
    }
    Ok(())
}
