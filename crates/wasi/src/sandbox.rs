//! The sandbox's edge: cap-std confines every path beneath an open directory; this names what it refuses.
//!
//! No path is ever resolved here. Each operation hands a guest path to a
//! cap-std `Dir` method, which resolves it beneath that handle
//! (`openat2(RESOLVE_BENEATH)` on Linux, a checked walk elsewhere), so a `..`,
//! an absolute path or a symlink leading outside fails however the host changes
//! the tree concurrently. This module checks what can be refused before the
//! host is asked, and turns cap-std's refusal into the guest's `EPERM`.

use std::io;
use std::path::Path;

use crate::ctx::{deny, Place};
use crate::errno::Errno;

/// Whether cap-std refused `e` because a path led outside its directory.
///
/// cap-std reports every escape (`..` above the handle, an absolute path, a
/// symlink out, an absolute symlink target) as `PermissionDenied` without an
/// OS error code; a host's own `EACCES` always carries one.
pub(crate) fn is_escape(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied && e.raw_os_error().is_none()
}

/// The guest's errno for host error `e` on `path`: an escape is `EPERM`, as wasmtime reports it, and logged.
pub(crate) fn host_err(e: io::Error, func: &str, path: &str) -> Errno {
    if is_escape(&e) {
        return deny(
            func,
            &format!("`{path}` leads outside the preopen"),
            Errno::Perm,
        );
    }
    e.into()
}

/// A guest path, checked before the host sees it: empty is `ENOENT`, a NUL `EINVAL`, absolute `EPERM`.
///
/// cap-std refuses an absolute path too; refusing it here names it in the log.
pub(crate) fn check_path<'p>(path: &'p str, func: &str) -> Result<&'p Path, Errno> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    let p = Path::new(path);
    if p.has_root() || p.is_absolute() {
        return Err(deny(func, &format!("absolute path `{path}`"), Errno::Perm));
    }
    Ok(p)
}

/// Refuses a change to the file system under a read-only preopen with `EPERM`, logged.
pub(crate) fn writable(place: &Place, func: &str, path: &str) -> Result<(), Errno> {
    if place.read_only {
        return Err(deny(
            func,
            &format!("change to `{path}` under a read-only preopen"),
            Errno::Perm,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
