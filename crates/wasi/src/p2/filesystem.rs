//! `wasi:filesystem/types` and `preopens` on the descriptor table preview 1 uses, through the shared `fs` layer.
//!
//! A `descriptor`'s rep is its number in that table; the entries a 0.2
//! handle owns are out of preview 1's reach, and the handle's drop closes them.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasmbed::{Error, Val};

use super::{err, ok, rep_at, u64_at, Defs, Stream};
use crate::ctx::{deny, Desc, Place, WasiCtx};
use crate::errno::Errno;
use crate::fs::{self, Kind, OpenHow, SetTime, Stat};

/// What a failed filesystem function returns: an `error-code`, or a trap.
enum Fail {
    Code(Errno),
    Trap(Error),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Code(e)
    }
}

impl From<std::io::Error> for Fail {
    fn from(e: std::io::Error) -> Fail {
        Fail::Code(e.into())
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Trap(e)
    }
}

/// A filesystem function before its outcome becomes `result<T, error-code>`.
type Op = fn(&mut WasiCtx, &[Val], &str) -> Result<Option<Val>, Fail>;

/// Runs `op` and lowers its outcome as `result<T, error-code>`.
fn run(c: &mut WasiCtx, a: &[Val], name: &str, op: Op) -> Result<Option<Val>, Error> {
    match op(c, a, name) {
        Ok(v) => Ok(ok(v)),
        Err(Fail::Code(e)) => Ok(err(Val::Enum(error_code(e)))),
        Err(Fail::Trap(e)) => Err(e),
    }
}

macro_rules! ops {
    ($($name:literal => $op:expr),* $(,)?) => {
        &[$(($name, |c: &mut WasiCtx, a: &[Val]| run(c, a, $name, $op))),*]
    };
}

pub(super) const TYPES: Defs = &[
    ("[method]descriptor.is-same-object", is_same_object),
    (
        "[method]directory-entry-stream.read-directory-entry",
        read_directory_entry,
    ),
    ("filesystem-error-code", filesystem_error_code),
];

pub(super) const DESCRIPTOR: Defs = ops! {
    "[method]descriptor.read-via-stream" => |c, a, f| via_stream(c, a, f, StreamKind::Read),
    "[method]descriptor.write-via-stream" => |c, a, f| via_stream(c, a, f, StreamKind::Write),
    "[method]descriptor.append-via-stream" => |c, a, f| via_stream(c, a, f, StreamKind::Append),
    "[method]descriptor.advise" => |c, a, _| { desc(c, rep_at(a, 0))?; Ok(None) },
    "[method]descriptor.sync-data" => |c, a, _| { fs::sync(desc(c, rep_at(a, 0))?, true)?; Ok(None) },
    "[method]descriptor.sync" => |c, a, _| { fs::sync(desc(c, rep_at(a, 0))?, false)?; Ok(None) },
    "[method]descriptor.get-flags" => get_flags,
    "[method]descriptor.get-type" => |c, a, _| Ok(Some(kind(fs::stat(desc(c, rep_at(a, 0))?)?.kind))),
    "[method]descriptor.set-size" => |c, a, f| {
        fs::set_size(changeable(desc(c, rep_at(a, 0))?, f)?, u64_at(a, 1))?;
        Ok(None)
    },
    "[method]descriptor.set-times" => |c, a, f| {
        fs::set_times(desc(c, rep_at(a, 0))?, new_time(a.get(1)), new_time(a.get(2)), f)?;
        Ok(None)
    },
    // `read` and `write` are flat: see `flat.rs`.
    "[method]descriptor.read-directory" => read_directory,
    "[method]descriptor.create-directory-at" => |c, a, f| {
        fs::create_dir_at(dir(c, rep_at(a, 0))?, str_at(a, 1), f)?;
        Ok(None)
    },
    "[method]descriptor.stat" => |c, a, _| Ok(Some(stat_val(&fs::stat(desc(c, rep_at(a, 0))?)?))),
    "[method]descriptor.stat-at" => |c, a, f| {
        let s = fs::stat_at(dir(c, rep_at(a, 0))?, str_at(a, 2), follow(a, 1), f)?;
        Ok(Some(stat_val(&s)))
    },
    "[method]descriptor.set-times-at" => |c, a, f| {
        let (atime, mtime) = (new_time(a.get(3)), new_time(a.get(4)));
        fs::set_times_at(dir(c, rep_at(a, 0))?, str_at(a, 2), follow(a, 1), atime, mtime, f)?;
        Ok(None)
    },
    "[method]descriptor.link-at" => |c, a, f| {
        let (old, new) = (dir(c, rep_at(a, 0))?, dir(c, rep_at(a, 3))?);
        fs::link_at(old, follow(a, 1), str_at(a, 2), new, str_at(a, 4), f)?;
        Ok(None)
    },
    "[method]descriptor.open-at" => open_at,
    "[method]descriptor.readlink-at" => |c, a, f| {
        Ok(Some(Val::String(fs::readlink_at(dir(c, rep_at(a, 0))?, str_at(a, 1), f)?)))
    },
    "[method]descriptor.remove-directory-at" => |c, a, f| {
        fs::remove_dir_at(dir(c, rep_at(a, 0))?, str_at(a, 1), f)?;
        Ok(None)
    },
    "[method]descriptor.rename-at" => |c, a, f| {
        let (old, new) = (dir(c, rep_at(a, 0))?, dir(c, rep_at(a, 2))?);
        fs::rename_at(old, str_at(a, 1), new, str_at(a, 3), f)?;
        Ok(None)
    },
    "[method]descriptor.symlink-at" => |c, a, f| {
        fs::symlink_at(dir(c, rep_at(a, 0))?, str_at(a, 1), str_at(a, 2), f)?;
        Ok(None)
    },
    "[method]descriptor.unlink-file-at" => |c, a, f| {
        fs::unlink_file_at(dir(c, rep_at(a, 0))?, str_at(a, 1), f)?;
        Ok(None)
    },
    "[method]descriptor.metadata-hash" => |c, a, _| Ok(Some(hash(&fs::stat(desc(c, rep_at(a, 0))?)?))),
    "[method]descriptor.metadata-hash-at" => |c, a, f| {
        Ok(Some(hash(&fs::stat_at(dir(c, rep_at(a, 0))?, str_at(a, 2), follow(a, 1), f)?)))
    },
};

pub(super) const PREOPENS: Defs = &[("get-directories", get_directories)];

/// The descriptor behind a 0.2 handle's rep; only entries a 0.2 handle owns.
fn desc(c: &WasiCtx, rep: u32) -> Result<&Desc, Fail> {
    match c.fds.get(&rep) {
        Some(d) if c.p2.owns(rep) => Ok(d),
        _ => Err(Errno::Badf.into()),
    }
}

/// `d`, unless it is a file under a read-only preopen: changing one is
/// `not-permitted`, as wasmtime reports it (and as `set-times` does), before
/// its open mode is looked at (`bad-descriptor`, as on a writable preopen).
fn changeable<'d>(d: &'d Desc, func: &str) -> Result<&'d Desc, Fail> {
    match d {
        Desc::File {
            read_only: true, ..
        } => Err(deny(
            func,
            "change to a file under a read-only preopen",
            Errno::Perm,
        )
        .into()),
        _ => Ok(d),
    }
}

/// The directory behind a descriptor, for an `…-at` function.
fn dir(c: &WasiCtx, rep: u32) -> Result<&Place, Fail> {
    match desc(c, rep)? {
        Desc::Dir { place, .. } => Ok(place),
        _ => Err(Errno::Notdir.into()),
    }
}

fn str_at(a: &[Val], i: usize) -> &str {
    match a.get(i) {
        Some(Val::String(s)) => s,
        _ => "",
    }
}

fn flags_at(a: &[Val], i: usize) -> u32 {
    match a.get(i) {
        Some(Val::Flags(f)) => *f,
        _ => 0,
    }
}

/// `path-flags.symlink-follow`.
fn follow(a: &[Val], i: usize) -> bool {
    flags_at(a, i) & 1 != 0
}

/// Puts `d` in the one descriptor table as an entry a 0.2 handle owns; its number is the rep.
pub(super) fn own(c: &mut WasiCtx, d: Desc, func: &str) -> Result<u32, Errno> {
    let fd = c.insert(d, func)?;
    c.p2.owned_fds.insert(fd);
    Ok(fd)
}

/// The guest dropped its descriptor: the entry leaves the table, closing the file.
pub(super) fn drop_descriptor(c: &mut WasiCtx, rep: u32) {
    if c.p2.owned_fds.remove(&rep) {
        c.fds.remove(&rep);
    }
}

/// Every preopen, as a fresh descriptor each call (each its own entry, as the guest owns it).
fn get_directories(c: &mut WasiCtx, _: &[Val]) -> Result<Option<Val>, Error> {
    let mut pre = Vec::new();
    for (fd, d) in &c.fds {
        if let Desc::Dir {
            preopen: Some(name),
            place,
        } = d
        {
            if !c.p2.owns(*fd) {
                let dup = place.dir.try_clone().map_err(|e| {
                    Error::host(format!(
                        "wasi:filesystem/preopens: cannot share preopen `{name}`: {e}"
                    ))
                })?;
                pre.push((
                    name.clone(),
                    Place {
                        dir: dup,
                        read_only: place.read_only,
                    },
                ));
            }
        }
    }
    let mut out = Vec::with_capacity(pre.len());
    for (name, place) in pre {
        let d = Desc::Dir {
            preopen: None,
            place,
        };
        // Past the descriptor limit the guest sees fewer preopens, and the host logs why.
        if let Ok(fd) = own(c, d, "get-directories") {
            out.push(Val::Tuple(vec![Val::Own(fd), Val::String(name)]));
        }
    }
    Ok(Some(Val::List(out)))
}

fn open_at(c: &mut WasiCtx, a: &[Val], func: &str) -> Result<Option<Val>, Fail> {
    let (open, flags) = (flags_at(a, 3), flags_at(a, 4));
    let how = OpenHow {
        read: flags & 1 != 0,
        write: flags & 2 != 0,
        append: false,
        create: open & 1 != 0,
        directory: open & 2 != 0,
        exclusive: open & 4 != 0,
        truncate: open & 8 != 0,
        follow: follow(a, 1),
    };
    let d = fs::open_at(dir(c, rep_at(a, 0))?, str_at(a, 2), &how, func)?;
    Ok(Some(Val::Own(own(c, d, func)?)))
}

fn get_flags(c: &mut WasiCtx, a: &[Val], _: &str) -> Result<Option<Val>, Fail> {
    let bits = match desc(c, rep_at(a, 0))? {
        Desc::File { read, write, .. } => u32::from(*read) | (u32::from(*write) << 1),
        // A directory reads; it mutates unless its preopen is read-only.
        Desc::Dir { place, .. } => 1 | (u32::from(!place.read_only) << 5),
        Desc::Stdin => 1,
        Desc::Stdout | Desc::Stderr => 2,
    };
    Ok(Some(Val::Flags(bits)))
}

#[derive(Clone, Copy)]
enum StreamKind {
    Read,
    Write,
    Append,
}

/// A stream over the descriptor's file at its own offset, sharing the open file.
fn via_stream(c: &mut WasiCtx, a: &[Val], f: &str, kind: StreamKind) -> Result<Option<Val>, Fail> {
    let offset = u64_at(a, 1);
    let d = match kind {
        StreamKind::Read => desc(c, rep_at(a, 0))?,
        StreamKind::Write | StreamKind::Append => changeable(desc(c, rep_at(a, 0))?, f)?,
    };
    let stream = match d {
        Desc::File {
            file, read, write, ..
        } => {
            let allowed = match kind {
                StreamKind::Read => *read,
                StreamKind::Write | StreamKind::Append => *write,
            };
            if !allowed {
                return Err(Errno::Badf.into());
            }
            let file = Arc::new(file.try_clone()?);
            match kind {
                StreamKind::Read => Stream::FileRead { file, pos: offset },
                StreamKind::Write => Stream::FileWrite { file, pos: offset },
                StreamKind::Append => Stream::FileAppend { file },
            }
        }
        Desc::Dir { .. } => return Err(Errno::Isdir.into()),
        _ => return Err(Errno::Badf.into()),
    };
    Ok(Some(Val::Own(c.p2.streams.insert(stream))))
}

/// Reads up to `len` bytes (at most one write's worth) at `offset`: the bytes and whether the file ended.
pub(super) fn read_bytes(
    c: &mut WasiCtx,
    rep: u32,
    len: u64,
    offset: u64,
) -> Result<(Vec<u8>, bool), u32> {
    let len = len.min(u64::from(c.limits.max_write_bytes)) as usize;
    let mut buf = vec![0u8; len];
    let n = match desc(c, rep).map_err(code)? {
        Desc::File {
            file, read: true, ..
        } => fs::read_at(file, &mut buf, offset).map_err(|e| error_code(e.into()))?,
        Desc::Dir { .. } => return Err(error_code(Errno::Isdir)),
        _ => return Err(error_code(Errno::Badf)),
    };
    buf.truncate(n);
    Ok((buf, n < len))
}

/// Writes `bytes` at `offset`: how many were written.
pub(super) fn write_bytes(
    c: &mut WasiCtx,
    rep: u32,
    bytes: &[u8],
    offset: u64,
) -> Result<u64, u32> {
    let d = desc(c, rep).map_err(code)?;
    match changeable(d, "descriptor.write").map_err(code)? {
        Desc::File {
            file, write: true, ..
        } => fs::write_all_at(file, bytes, offset).map_err(|e| error_code(e.into()))?,
        Desc::Dir { .. } => return Err(error_code(Errno::Isdir)),
        _ => return Err(error_code(Errno::Badf)),
    }
    Ok(bytes.len() as u64)
}

/// The `error-code` of a failure that is not a trap.
fn code(f: Fail) -> u32 {
    match f {
        Fail::Code(e) => error_code(e),
        Fail::Trap(_) => error_code(Errno::Io),
    }
}

fn read_directory(c: &mut WasiCtx, a: &[Val], _: &str) -> Result<Option<Val>, Fail> {
    let mut entries = fs::read_dir(dir(c, rep_at(a, 0))?)?;
    entries.sort_by(|x, y| x.name.cmp(&y.name));
    let rep =
        c.p2.dir_streams
            .insert(entries.into_iter().collect::<VecDeque<_>>());
    Ok(Some(Val::Own(rep)))
}

fn read_directory_entry(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let rep = rep_at(a, 0);
    let func = "directory-entry-stream.read-directory-entry";
    let stream =
        c.p2.dir_streams
            .get_mut(rep)
            .ok_or_else(|| super::gone(func, "directory-entry-stream", rep))?;
    let entry = stream
        .pop_front()
        .map(|e| Box::new(Val::Record(vec![kind(e.kind), Val::String(e.name)])));
    Ok(ok(Some(Val::Option(entry))))
}

fn is_same_object(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let stat = |c: &WasiCtx, rep| desc(c, rep).ok().and_then(|d| fs::stat(d).ok());
    let same = match (stat(c, rep_at(a, 0)), stat(c, rep_at(a, 1))) {
        (Some(x), Some(y)) => x.kind != Kind::Unknown && (x.dev, x.ino) == (y.dev, y.ino),
        _ => false,
    };
    Ok(Some(Val::Bool(same)))
}

/// The `error-code` of an I/O error on a file stream, when there is one.
fn filesystem_error_code(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let rep = rep_at(a, 0);
    let (_, code) =
        c.p2.errors
            .get(rep)
            .ok_or_else(|| super::gone("filesystem-error-code", "error", rep))?;
    Ok(Some(Val::Option(
        code.map(|e| Box::new(Val::Enum(error_code(e)))),
    )))
}

/// `descriptor-type`, in the order of [`Kind`].
fn kind(k: Kind) -> Val {
    Val::Enum(match k {
        Kind::Unknown => 0,
        Kind::BlockDevice => 1,
        Kind::CharacterDevice => 2,
        Kind::Directory => 3,
        Kind::Fifo => 4,
        Kind::SymbolicLink => 5,
        Kind::RegularFile => 6,
        Kind::Socket => 7,
    })
}

/// `option<datetime>`.
fn datetime(t: Option<SystemTime>) -> Val {
    Val::Option(t.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| {
        Box::new(Val::Record(vec![
            Val::U64(d.as_secs()),
            Val::U32(d.subsec_nanos()),
        ]))
    }))
}

/// `descriptor-stat`.
fn stat_val(s: &Stat) -> Val {
    Val::Record(vec![
        kind(s.kind),
        Val::U64(s.nlink),
        Val::U64(s.size),
        datetime(s.atime),
        datetime(s.mtime),
        datetime(s.ctime),
    ])
}

/// `metadata-hash-value`: device and inode, which name the object on this host.
fn hash(s: &Stat) -> Val {
    Val::Record(vec![Val::U64(s.ino), Val::U64(s.dev)])
}

/// `new-timestamp`.
fn new_time(v: Option<&Val>) -> SetTime {
    match v {
        Some(Val::Variant(1, _)) => SetTime::Now,
        Some(Val::Variant(2, Some(t))) => match &**t {
            Val::Record(f) => match (f.first(), f.get(1)) {
                (Some(Val::U64(s)), Some(Val::U32(n))) => UNIX_EPOCH
                    .checked_add(Duration::new(*s, 0))
                    .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(*n))))
                    .map_or(SetTime::Keep, SetTime::At),
                _ => SetTime::Keep,
            },
            _ => SetTime::Keep,
        },
        _ => SetTime::Keep,
    }
}

/// Preview 1's errno as 0.2's `error-code` case index.
pub(super) fn error_code(e: Errno) -> u32 {
    match e {
        Errno::Acces => 0,
        Errno::Again => 1,
        Errno::Badf => 3,
        Errno::Busy => 4,
        Errno::Exist => 7,
        Errno::Fbig => 8,
        Errno::Ilseq => 9,
        Errno::Intr => 11,
        Errno::Inval => 12,
        Errno::Io => 13,
        Errno::Isdir => 14,
        Errno::Loop => 15,
        Errno::Mlink => 16,
        Errno::Nametoolong => 18,
        Errno::Noent => 20,
        Errno::Nomem | Errno::Mfile => 22,
        Errno::Nospc => 23,
        Errno::Notdir => 24,
        Errno::Notempty => 25,
        Errno::Notsup | Errno::Nosys => 27,
        Errno::Overflow => 30,
        Errno::Perm | Errno::Notcapable => 31,
        Errno::Pipe => 32,
        Errno::Rofs => 33,
        Errno::Spipe => 34,
        Errno::Xdev => 36,
        _ => 13,
    }
}
