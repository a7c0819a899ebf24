//! Reading WIT from disk.

use std::path::Path;

use wit_parser::{PackageId, Resolve};

use crate::WitError;

/// WIT read from a file or directory: everything resolved, and the package the path names.
#[derive(Debug)]
pub struct Loaded {
    /// All packages, the main one and its dependencies (`deps/`).
    pub resolve: Resolve,
    /// The package defined by the path itself.
    pub package: PackageId,
}

/// Reads a `.wit` file, or a directory of them with its `deps/`.
pub fn load_path(path: &Path) -> Result<Loaded, WitError> {
    if !path.exists() {
        return Err(WitError::Parse(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    let mut resolve = Resolve::default();
    let (package, _) = resolve
        .push_path(path)
        .map_err(|e| WitError::Parse(format!("{e:#}")))?;
    Ok(Loaded { resolve, package })
}
