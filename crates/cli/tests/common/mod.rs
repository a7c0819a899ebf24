//! What the CLI's test binaries share: the repository, and `wasmbed` run from it.

use std::path::PathBuf;
use std::process::Command;

/// The repository's root.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `wasmbed` from the repository (so relative paths in arguments
/// resolve there, and paths in a manifest elsewhere resolve against the
/// manifest), with the default log filter: exit status, stdout, stderr.
pub(crate) fn wasmbed(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wasmbed"))
        .args(args)
        .current_dir(repo())
        .env_remove("WASMBED_LOG")
        .output()
        .expect("wasmbed runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
