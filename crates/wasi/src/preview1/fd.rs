//! Descriptor functions: reading, writing, seeking and describing streams and files.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, UNIX_EPOCH};

use wasmbed_abi::FlatVal;

use super::mem::{u32_arg, u64_arg, Mem};
use super::types::*;
use super::{Def, Grant, Ret};
use crate::ctx::{Desc, WasiCtx};
use crate::errno::Errno;
use crate::fs::{self, SetTime};

/// The functions of this module.
pub(crate) const DEFS: &[Def] = &[
    ("fd_advise", "iIIi", Grant::None, fd_advise),
    ("fd_allocate", "iII", Grant::None, fd_allocate),
    ("fd_close", "i", Grant::None, fd_close),
    ("fd_datasync", "i", Grant::None, fd_datasync),
    ("fd_fdstat_get", "ii", Grant::None, fd_fdstat_get),
    (
        "fd_fdstat_set_flags",
        "ii",
        Grant::None,
        fd_fdstat_set_flags,
    ),
    (
        "fd_fdstat_set_rights",
        "iII",
        Grant::None,
        fd_fdstat_set_rights,
    ),
    ("fd_filestat_get", "ii", Grant::None, fd_filestat_get),
    (
        "fd_filestat_set_size",
        "iI",
        Grant::None,
        fd_filestat_set_size,
    ),
    (
        "fd_filestat_set_times",
        "iIIi",
        Grant::None,
        fd_filestat_set_times,
    ),
    ("fd_pread", "iiiIi", Grant::None, fd_pread),
    ("fd_pwrite", "iiiIi", Grant::None, fd_pwrite),
    ("fd_read", "iiii", Grant::None, fd_read),
    ("fd_renumber", "ii", Grant::None, fd_renumber),
    ("fd_seek", "iIii", Grant::None, fd_seek),
    ("fd_sync", "i", Grant::None, fd_sync),
    ("fd_tell", "ii", Grant::None, fd_tell),
    ("fd_write", "iiii", Grant::None, fd_write),
];

/// The open file behind `fd`, or `EBADF`.
fn file<'c>(c: &'c mut WasiCtx, fd: u32, func: &str) -> Result<&'c mut Desc, Errno> {
    match c.get(fd, func)? {
        d @ Desc::File { .. } => Ok(d),
        _ => Err(Errno::Badf),
    }
}

fn fd_advise(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    file(c, u32_arg(a, 0), "fd_advise")?;
    Ok(())
}

fn fd_allocate(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    file(c, u32_arg(a, 0), "fd_allocate")?;
    Err(Errno::Notsup.into())
}

fn fd_close(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let fd = u32_arg(a, 0);
    c.get(fd, "fd_close")?;
    c.fds.remove(&fd);
    Ok(())
}

fn fd_sync(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    Ok(fs::sync(c.desc(u32_arg(a, 0), m.func)?, false)?)
}

fn fd_datasync(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    Ok(fs::sync(c.desc(u32_arg(a, 0), m.func)?, true)?)
}

fn fd_fdstat_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (ft, flags, base, inheriting) = match c.get(u32_arg(a, 0), "fd_fdstat_get")? {
        Desc::Stdin => (FT_UNKNOWN, 0, RIGHT_FD_READ, RIGHT_FD_READ),
        Desc::Stdout | Desc::Stderr => (FT_UNKNOWN, 0, RIGHT_FD_WRITE, RIGHT_FD_WRITE),
        Desc::Dir { .. } => (FT_DIR, 0, RIGHTS_ALL & !RIGHT_FD_SEEK, RIGHTS_ALL),
        Desc::File {
            read,
            write,
            append,
            ..
        } => {
            let mut r = RIGHTS_ALL;
            if !*read {
                r &= !(RIGHT_FD_READ | RIGHT_FD_READDIR);
            }
            if !*write {
                r &= !RIGHT_FD_WRITE;
            }
            let flags = if *append { FDFLAG_APPEND as u16 } else { 0 };
            (FT_FILE, flags, r, r)
        }
    };
    let mut b = [0u8; 24];
    b[0] = ft;
    b[2..4].copy_from_slice(&flags.to_le_bytes());
    b[8..16].copy_from_slice(&base.to_le_bytes());
    b[16..24].copy_from_slice(&inheriting.to_le_bytes());
    m.put(u32_arg(a, 1), &b, 8)?;
    Ok(())
}

fn fd_fdstat_set_flags(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let flags = u32_arg(a, 1);
    match c.get(u32_arg(a, 0), "fd_fdstat_set_flags")? {
        Desc::File { append, .. } if flags & !(FDFLAG_APPEND | 4) == 0 => {
            *append = flags & FDFLAG_APPEND != 0;
            Ok(())
        }
        _ if flags & !4 == 0 => Ok(()),
        _ => Err(Errno::Notsup.into()),
    }
}

fn fd_fdstat_set_rights(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    c.get(u32_arg(a, 0), "fd_fdstat_set_rights")?;
    Ok(())
}

fn fd_filestat_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let stat = fs::stat(c.desc(u32_arg(a, 0), m.func)?)?;
    m.put(u32_arg(a, 1), &filestat(&stat), 8)?;
    Ok(())
}

fn fd_filestat_set_size(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    Ok(fs::set_size(c.desc(u32_arg(a, 0), m.func)?, u64_arg(a, 1))?)
}

/// The times of `fst_flags` (`ATIM` 1, `ATIM_NOW` 2, `MTIM` 4, `MTIM_NOW` 8).
pub(super) fn times(atim: u64, mtim: u64, flags: u32) -> Result<(SetTime, SetTime), Errno> {
    if flags & 3 == 3 || flags & 12 == 12 || flags & !15 != 0 {
        return Err(Errno::Inval);
    }
    let one = |ns: u64, set: u32, now: u32| {
        if flags & set != 0 {
            UNIX_EPOCH
                .checked_add(Duration::from_nanos(ns))
                .map(SetTime::At)
                .ok_or(Errno::Inval)
        } else if flags & now != 0 {
            Ok(SetTime::Now)
        } else {
            Ok(SetTime::Keep)
        }
    };
    Ok((one(atim, 1, 2)?, one(mtim, 4, 8)?))
}

fn fd_filestat_set_times(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (atime, mtime) = times(u64_arg(a, 1), u64_arg(a, 2), u32_arg(a, 3))?;
    Ok(fs::set_times(
        c.desc(u32_arg(a, 0), m.func)?,
        atime,
        mtime,
        m.func,
    )?)
}

fn fd_read(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    read_impl(c, m, a, None)
}

fn fd_pread(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    read_impl(c, m, a, Some(u64_arg(a, 3)))
}

fn read_impl(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal], at: Option<u64>) -> Ret {
    let iovs = m.iovs(u32_arg(a, 1), u32_arg(a, 2))?;
    let out = u32_arg(a, if at.is_some() { 4 } else { 3 });
    let fd = u32_arg(a, 0);
    let mut total = 0u64;
    for (ptr, len) in iovs {
        let buf = m.bytes_mut(ptr, len)?;
        let n = match c.get(fd, "fd_read")? {
            Desc::Stdin if at.is_some() => return Err(Errno::Spipe.into()),
            Desc::Stdin => match c.stdin.as_mut() {
                Some(r) => r.read(buf)?,
                None => return Err(Errno::Badf.into()),
            },
            Desc::File {
                file, read: true, ..
            } => match at {
                Some(off) => fs::read_at(file, buf, off + total)?,
                None => file.read(buf)?,
            },
            Desc::Dir { .. } => return Err(Errno::Isdir.into()),
            _ => return Err(Errno::Badf.into()),
        };
        total += n as u64;
        if n < len as usize {
            break;
        }
    }
    m.put_u32(out, total as u32)?;
    Ok(())
}

fn fd_write(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    write_impl(c, m, a, None)
}

fn fd_pwrite(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    write_impl(c, m, a, Some(u64_arg(a, 3)))
}

/// Writes at most the policy's `max_write_bytes`; more is a short write, which libc loops over.
fn write_impl(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal], at: Option<u64>) -> Ret {
    let iovs = m.iovs(u32_arg(a, 1), u32_arg(a, 2))?;
    let out = u32_arg(a, if at.is_some() { 4 } else { 3 });
    let limit = c.limits.max_write_bytes as usize;
    // One buffer, the common case, is written from guest memory in place; several are gathered.
    let gathered;
    let data: &[u8] = match iovs.as_slice() {
        [(ptr, len)] => {
            let b = m.bytes(*ptr, *len)?;
            &b[..b.len().min(limit)]
        }
        _ => {
            let mut v = Vec::new();
            for &(ptr, len) in &iovs {
                let b = m.bytes(ptr, len)?;
                let take = b.len().min(limit - v.len());
                v.extend_from_slice(&b[..take]);
                if v.len() == limit {
                    break;
                }
            }
            gathered = v;
            &gathered
        }
    };
    let fd = u32_arg(a, 0);
    let n = match c.get(fd, "fd_write")? {
        Desc::Stdout | Desc::Stderr if at.is_some() => return Err(Errno::Spipe.into()),
        Desc::Stdout => stream(c.stdout.as_mut(), data)?,
        Desc::Stderr => stream(c.stderr.as_mut(), data)?,
        Desc::File {
            file,
            write: true,
            append,
            ..
        } => match at {
            Some(off) => fs::write_at(file, data, off)?,
            None => {
                if *append {
                    file.seek(SeekFrom::End(0))?;
                }
                file.write(data)?
            }
        },
        Desc::Dir { .. } => return Err(Errno::Isdir.into()),
        _ => return Err(Errno::Badf.into()),
    };
    m.put_u32(out, n as u32)?;
    Ok(())
}

fn stream(w: Option<&mut Box<dyn Write + Send>>, data: &[u8]) -> Result<usize, Errno> {
    let w = w.ok_or(Errno::Badf)?;
    w.write_all(data)?;
    Ok(data.len())
}

fn fd_renumber(c: &mut WasiCtx, _: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (from, to) = (u32_arg(a, 0), u32_arg(a, 1));
    // Both must be preview 1's: a WASI 0.2 handle's entry is neither moved nor replaced.
    c.get(to, "fd_renumber")?;
    c.get(from, "fd_renumber")?;
    let d = c.fds.remove(&from).ok_or(Errno::Badf)?;
    c.fds.insert(to, d);
    Ok(())
}

fn fd_seek(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let off = u64_arg(a, 1) as i64;
    let to = match u32_arg(a, 2) {
        0 => SeekFrom::Start(u64::try_from(off).map_err(|_| Errno::Inval)?),
        1 => SeekFrom::Current(off),
        2 => SeekFrom::End(off),
        _ => return Err(Errno::Inval.into()),
    };
    let pos = seek(c, u32_arg(a, 0), to)?;
    m.put_u64(u32_arg(a, 3), pos)?;
    Ok(())
}

fn fd_tell(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let pos = seek(c, u32_arg(a, 0), SeekFrom::Current(0))?;
    m.put_u64(u32_arg(a, 1), pos)?;
    Ok(())
}

fn seek(c: &mut WasiCtx, fd: u32, to: SeekFrom) -> Result<u64, Errno> {
    match c.get(fd, "fd_seek")? {
        Desc::File { file, .. } => Ok(file.seek(to)?),
        Desc::Dir { .. } => Err(Errno::Badf),
        _ => Err(Errno::Spipe),
    }
}
