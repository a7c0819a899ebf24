//! Path resolution inside a preopen: every component checked, nothing outside ever followed.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::ctx::{deny, Place};
use crate::errno::Errno;

/// Symlinks one resolution may follow, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINKS: u32 = 40;

/// Resolves guest `path` relative to directory `dir`, following symlinks only inside the preopen.
///
/// An absolute path, a `..` above the preopen's root, or a symlink whose
/// target is absolute or climbs above the root is `EPERM`, as wasmtime
/// reports it. The last component is followed only if `follow` is set.
/// The result has no `..` and no symlink but perhaps the last component.
pub(crate) fn resolve(dir: &Place, path: &str, follow: bool, func: &str) -> Result<Place, Errno> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.starts_with('/') {
        return Err(deny(func, &format!("absolute path `{path}`"), Errno::Perm));
    }
    let mut stack: Vec<OsString> = dir
        .rel
        .components()
        .map(|c| c.as_os_str().to_os_string())
        .collect();
    // Pending components, last first; a trailing `/` means the last must be a directory.
    let mut pending: Vec<OsString> = split(path);
    let must_be_dir = path.ends_with('/');
    let mut links = 0;
    while let Some(comp) = pending.pop() {
        if comp == ".." {
            if stack.pop().is_none() {
                return Err(deny(
                    func,
                    &format!("`{path}` leads outside the preopen"),
                    Errno::Perm,
                ));
            }
            continue;
        }
        let last = pending.is_empty();
        let mut host = dir.root.clone();
        host.extend(&stack);
        host.push(&comp);
        if last && !follow && !must_be_dir {
            stack.push(comp);
            break;
        }
        let meta = match std::fs::symlink_metadata(&host) {
            Ok(m) => m,
            Err(e) if last => {
                let _ = e;
                stack.push(comp);
                break;
            }
            Err(e) => return Err(e.into()),
        };
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::Loop);
            }
            let target = std::fs::read_link(&host)?;
            if target.has_root() || target.is_absolute() {
                let what = format!("`{path}` goes through a symlink to `{}`", target.display());
                return Err(deny(func, &what, Errno::Perm));
            }
            let Some(target) = target.to_str() else {
                return Err(Errno::Ilseq);
            };
            pending.extend(split(target));
            continue;
        }
        if !last && !meta.is_dir() {
            return Err(Errno::Notdir);
        }
        stack.push(comp);
    }
    let rel: PathBuf = stack.iter().collect();
    Ok(dir.at(rel))
}

/// The components of a relative guest path, last first, without `.` and empty ones.
fn split(path: &str) -> Vec<OsString> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .rev()
        .collect()
}

#[cfg(test)]
mod tests;
