//! Preopens, directory listings and path functions: guest memory in, [`crate::fs`] out.

use wasmbed_abi::FlatVal;

use super::fd::times;
use super::mem::{u32_arg, u64_arg, Mem};
use super::types::*;
use super::{Def, Fail, Grant, Ret};
use crate::ctx::{Desc, WasiCtx};
use crate::errno::Errno;
use crate::fs::{self, OpenHow};

/// The functions of this module.
pub(crate) const DEFS: &[Def] = &[
    ("fd_prestat_get", "ii", Grant::None, fd_prestat_get),
    (
        "fd_prestat_dir_name",
        "iii",
        Grant::None,
        fd_prestat_dir_name,
    ),
    ("fd_readdir", "iiiIi", Grant::None, fd_readdir),
    (
        "path_create_directory",
        "iii",
        Grant::None,
        path_create_directory,
    ),
    ("path_filestat_get", "iiiii", Grant::None, path_filestat_get),
    (
        "path_filestat_set_times",
        "iiiiIIi",
        Grant::None,
        path_filestat_set_times,
    ),
    ("path_link", "iiiiiii", Grant::None, path_link),
    ("path_open", "iiiiiIIii", Grant::None, path_open),
    ("path_readlink", "iiiiii", Grant::None, path_readlink),
    (
        "path_remove_directory",
        "iii",
        Grant::None,
        path_remove_directory,
    ),
    ("path_rename", "iiiiii", Grant::None, path_rename),
    ("path_symlink", "iiiii", Grant::None, path_symlink),
    ("path_unlink_file", "iii", Grant::None, path_unlink_file),
];

fn preopen_name(c: &WasiCtx, fd: u32) -> Result<String, Errno> {
    match c.desc(fd, "fd_prestat_get")? {
        Desc::Dir {
            preopen: Some(n), ..
        } => Ok(n.clone()),
        _ => Err(Errno::Badf),
    }
}

fn fd_prestat_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let name = preopen_name(c, u32_arg(a, 0))?;
    let mut b = [0u8; 8];
    b[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
    m.put(u32_arg(a, 1), &b, 4)?;
    Ok(())
}

fn fd_prestat_dir_name(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let name = preopen_name(c, u32_arg(a, 0))?;
    if (u32_arg(a, 2) as usize) < name.len() {
        return Err(Errno::Nametoolong.into());
    }
    m.put(u32_arg(a, 1), name.as_bytes(), 1)?;
    Ok(())
}

/// Lists `.`, `..` and the entries sorted by name; the cookie is the index of the next entry.
fn fd_readdir(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (buf, len, cookie, used) = (u32_arg(a, 1), u32_arg(a, 2), u64_arg(a, 3), u32_arg(a, 4));
    let desc = c.desc(u32_arg(a, 0), m.func)?;
    let Desc::Dir { place, .. } = desc else {
        return Err(Errno::Notdir.into());
    };
    let mut entries = vec![
        (".".to_string(), FT_DIR, fs::stat(desc)?.ino),
        ("..".to_string(), FT_DIR, 0),
    ];
    for e in fs::read_dir(place)? {
        entries.push((e.name, filetype(e.kind), e.ino));
    }
    let mut out = Vec::new();
    for (i, (name, ft, ino)) in entries
        .iter()
        .enumerate()
        .skip(cookie.min(u32::MAX.into()) as usize)
    {
        if out.len() >= len as usize {
            break;
        }
        let mut d = [0u8; 24];
        d[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        d[8..16].copy_from_slice(&ino.to_le_bytes());
        d[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        d[20] = *ft;
        out.extend_from_slice(&d);
        out.extend_from_slice(name.as_bytes());
    }
    out.truncate(len as usize);
    m.put(buf, &out, 1)?;
    m.put_u32(used, out.len() as u32)?;
    Ok(())
}

/// The guest path at `(ptr, len)`: out of bounds traps, not UTF-8 is `EILSEQ`.
fn path(m: &Mem<'_>, ptr: u32, len: u32) -> Result<String, Fail> {
    Ok(m.str(ptr, len)??)
}

fn path_create_directory(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 1), u32_arg(a, 2))?;
    Ok(fs::create_dir_at(dir, &p, m.func)?)
}

fn path_filestat_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let follow = u32_arg(a, 1) & LOOKUP_FOLLOW != 0;
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 2), u32_arg(a, 3))?;
    let stat = fs::stat_at(dir, &p, follow, m.func)?;
    m.put(u32_arg(a, 4), &filestat(&stat), 8)?;
    Ok(())
}

fn path_filestat_set_times(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (atime, mtime) = times(u64_arg(a, 4), u64_arg(a, 5), u32_arg(a, 6))?;
    let follow = u32_arg(a, 1) & LOOKUP_FOLLOW != 0;
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 2), u32_arg(a, 3))?;
    Ok(fs::set_times_at(dir, &p, follow, atime, mtime, m.func)?)
}

fn path_link(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let follow = u32_arg(a, 1) & LOOKUP_FOLLOW != 0;
    let old_dir = c.dir(u32_arg(a, 0), m.func)?;
    let old = path(m, u32_arg(a, 2), u32_arg(a, 3))?;
    let new_dir = c.dir(u32_arg(a, 4), m.func)?;
    let new = path(m, u32_arg(a, 5), u32_arg(a, 6))?;
    Ok(fs::link_at(old_dir, follow, &old, new_dir, &new, m.func)?)
}

fn path_open(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let (oflags, rights, fdflags) = (u32_arg(a, 4), u64_arg(a, 5), u32_arg(a, 7));
    let write_rights = RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_SET_SIZE | RIGHT_FD_DATASYNC;
    let how = OpenHow {
        read: rights & (RIGHT_FD_READ | RIGHT_FD_READDIR) != 0,
        write: rights & write_rights != 0,
        append: fdflags & FDFLAG_APPEND != 0,
        create: oflags & O_CREAT != 0,
        exclusive: oflags & O_EXCL != 0,
        truncate: oflags & O_TRUNC != 0,
        directory: oflags & O_DIRECTORY != 0,
        follow: u32_arg(a, 1) & LOOKUP_FOLLOW != 0,
    };
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 2), u32_arg(a, 3))?;
    let desc = fs::open_at(dir, &p, &how, m.func)?;
    let fd = c.insert(desc, m.func)?;
    m.put_u32(u32_arg(a, 8), fd)?;
    Ok(())
}

fn path_readlink(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 1), u32_arg(a, 2))?;
    let link = fs::readlink_at(dir, &p, m.func)?;
    let n = link.len().min(u32_arg(a, 4) as usize);
    m.put(u32_arg(a, 3), &link.as_bytes()[..n], 1)?;
    m.put_u32(u32_arg(a, 5), n as u32)?;
    Ok(())
}

fn path_remove_directory(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 1), u32_arg(a, 2))?;
    Ok(fs::remove_dir_at(dir, &p, m.func)?)
}

fn path_rename(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let old_dir = c.dir(u32_arg(a, 0), m.func)?;
    let old = path(m, u32_arg(a, 1), u32_arg(a, 2))?;
    let new_dir = c.dir(u32_arg(a, 3), m.func)?;
    let new = path(m, u32_arg(a, 4), u32_arg(a, 5))?;
    Ok(fs::rename_at(old_dir, &old, new_dir, &new, m.func)?)
}

fn path_symlink(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let target = path(m, u32_arg(a, 0), u32_arg(a, 1))?;
    let dir = c.dir(u32_arg(a, 2), m.func)?;
    let p = path(m, u32_arg(a, 3), u32_arg(a, 4))?;
    Ok(fs::symlink_at(dir, &target, &p, m.func)?)
}

fn path_unlink_file(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let dir = c.dir(u32_arg(a, 0), m.func)?;
    let p = path(m, u32_arg(a, 1), u32_arg(a, 2))?;
    Ok(fs::unlink_file_at(dir, &p, m.func)?)
}
