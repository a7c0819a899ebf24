//! Preopens, directory listings and path functions, all resolved inside the sandbox.

use std::fs::OpenOptions;

use wasmbed_abi::FlatVal;

use super::fd::times;
use super::mem::{u32_arg, u64_arg, Mem};
use super::types::*;
use super::{Def, Fail, Grant, Ret};
use crate::ctx::{deny, Desc, Place, WasiCtx};
use crate::errno::Errno;
use crate::sandbox::resolve;

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

fn preopen_name(c: &mut WasiCtx, fd: u32) -> Result<String, Errno> {
    match c.get(fd, "fd_prestat_get")? {
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
    let place = match c.get(u32_arg(a, 0), "fd_readdir")? {
        Desc::Dir { place, .. } => place.clone(),
        _ => return Err(Errno::Notdir.into()),
    };
    let host = place.host();
    let ino = |p: &std::path::Path| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::symlink_metadata(p).map_or(0, |m| m.ino())
        }
        #[cfg(not(unix))]
        0
    };
    let mut entries = vec![
        (".".to_string(), FT_DIR, ino(&host)),
        ("..".to_string(), FT_DIR, 0),
    ];
    let mut rest = Vec::new();
    for e in std::fs::read_dir(&host)? {
        let e = e?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        let ft = e.file_type().map_or(FT_UNKNOWN, filetype);
        rest.push((name, ft, ino(&e.path())));
    }
    rest.sort();
    entries.extend(rest);
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

/// The directory `fd` and the guest path at `(ptr, len)`, resolved.
fn target(
    c: &mut WasiCtx,
    m: &Mem<'_>,
    fd: u32,
    ptr: u32,
    len: u32,
    follow: bool,
) -> Result<Place, Fail> {
    let dir = c.dir(fd, m.func)?;
    let path = m.str(ptr, len)??;
    Ok(resolve(&dir, &path, follow, m.func)?)
}

/// Refuses a change to the file system under a read-only preopen.
fn writable(p: &Place, func: &str) -> Result<(), Errno> {
    if p.read_only {
        return Err(deny(func, "change under a read-only preopen", Errno::Perm));
    }
    Ok(())
}

fn path_create_directory(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 1), u32_arg(a, 2), false)?;
    writable(&p, m.func)?;
    Ok(std::fs::create_dir(p.host())?)
}

fn path_filestat_get(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let follow = u32_arg(a, 1) & LOOKUP_FOLLOW != 0;
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 2), u32_arg(a, 3), follow)?;
    let meta = std::fs::symlink_metadata(p.host())?;
    m.put(u32_arg(a, 4), &filestat(Some(&meta)), 8)?;
    Ok(())
}

fn path_filestat_set_times(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let t = times(u64_arg(a, 4), u64_arg(a, 5), u32_arg(a, 6))?;
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 2), u32_arg(a, 3), true)?;
    writable(&p, m.func)?;
    Ok(std::fs::File::open(p.host())?.set_times(t)?)
}

fn path_link(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let follow = u32_arg(a, 1) & LOOKUP_FOLLOW != 0;
    let old = target(c, m, u32_arg(a, 0), u32_arg(a, 2), u32_arg(a, 3), follow)?;
    let new = target(c, m, u32_arg(a, 4), u32_arg(a, 5), u32_arg(a, 6), false)?;
    writable(&new, m.func)?;
    Ok(std::fs::hard_link(old.host(), new.host())?)
}

fn path_open(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let follow = u32_arg(a, 1) & LOOKUP_FOLLOW != 0;
    let (oflags, rights, fdflags) = (u32_arg(a, 4), u64_arg(a, 5), u32_arg(a, 7));
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 2), u32_arg(a, 3), follow)?;
    let read = rights & (RIGHT_FD_READ | RIGHT_FD_READDIR) != 0;
    let write =
        rights & (RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_SET_SIZE | RIGHT_FD_DATASYNC) != 0;
    let append = fdflags & FDFLAG_APPEND != 0;
    if write || append || oflags & (O_CREAT | O_TRUNC) != 0 {
        writable(&p, m.func)?;
    }
    let host = p.host();
    let meta = std::fs::symlink_metadata(&host);
    if let Ok(meta) = &meta {
        if meta.file_type().is_symlink() {
            return Err(Errno::Loop.into());
        }
        if oflags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL {
            return Err(Errno::Exist.into());
        }
        if meta.is_dir() {
            if write || append || oflags & O_TRUNC != 0 {
                return Err(Errno::Isdir.into());
            }
            let desc = Desc::Dir {
                preopen: None,
                place: p,
            };
            let fd = c.insert(desc, m.func)?;
            return Ok(m.put_u32(u32_arg(a, 8), fd)?);
        }
    }
    if oflags & O_DIRECTORY != 0 {
        return Err(if meta.is_ok() {
            Errno::Notdir
        } else {
            Errno::Noent
        }
        .into());
    }
    let creates = oflags & (O_CREAT | O_TRUNC) != 0;
    let file = OpenOptions::new()
        .read(read || !write)
        .write(write || append || creates)
        .create(oflags & O_CREAT != 0)
        .create_new(oflags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL)
        .truncate(oflags & O_TRUNC != 0)
        .open(&host)?;
    let desc = Desc::File {
        file,
        read: read || !write,
        write: write || append,
        append,
        read_only: p.read_only,
    };
    let fd = c.insert(desc, m.func)?;
    m.put_u32(u32_arg(a, 8), fd)?;
    Ok(())
}

fn path_readlink(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 1), u32_arg(a, 2), false)?;
    let link = std::fs::read_link(p.host())?;
    let bytes = link.to_str().ok_or(Errno::Ilseq)?.as_bytes();
    let n = bytes.len().min(u32_arg(a, 4) as usize);
    m.put(u32_arg(a, 3), &bytes[..n], 1)?;
    m.put_u32(u32_arg(a, 5), n as u32)?;
    Ok(())
}

fn path_remove_directory(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 1), u32_arg(a, 2), false)?;
    writable(&p, m.func)?;
    Ok(std::fs::remove_dir(p.host())?)
}

fn path_rename(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let old = target(c, m, u32_arg(a, 0), u32_arg(a, 1), u32_arg(a, 2), false)?;
    let new = target(c, m, u32_arg(a, 3), u32_arg(a, 4), u32_arg(a, 5), false)?;
    writable(&old, m.func)?;
    writable(&new, m.func)?;
    Ok(std::fs::rename(old.host(), new.host())?)
}

/// Creates a symlink; an absolute target or one climbing out of the preopen is refused.
fn path_symlink(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let contents = m.str(u32_arg(a, 0), u32_arg(a, 1))??;
    let new = target(c, m, u32_arg(a, 2), u32_arg(a, 3), u32_arg(a, 4), false)?;
    writable(&new, m.func)?;
    if contents.starts_with('/') {
        return Err(deny(m.func, "symlink to an absolute path", Errno::Perm).into());
    }
    #[cfg(unix)]
    {
        Ok(std::os::unix::fs::symlink(&contents, new.host())?)
    }
    #[cfg(not(unix))]
    Err(Errno::Notsup.into())
}

fn path_unlink_file(c: &mut WasiCtx, m: &mut Mem<'_>, a: &[FlatVal]) -> Ret {
    let p = target(c, m, u32_arg(a, 0), u32_arg(a, 1), u32_arg(a, 2), false)?;
    writable(&p, m.func)?;
    Ok(std::fs::remove_file(p.host())?)
}
