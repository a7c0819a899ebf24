//! `wasmbed run` logs what a guest is denied while it runs: one line each on
//! stderr, never inside a line of the guest's own stderr; `WASMBED_LOG` filters.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `wasmbed` from the repository with `WASMBED_LOG` set to `log` (or unset).
fn wasmbed(args: &[&str], log: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasmbed"));
    cmd.args(args).current_dir(repo()).env_remove("WASMBED_LOG");
    if let Some(v) = log {
        cmd.env("WASMBED_LOG", v);
    }
    let out = cmd.output().expect("wasmbed runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A command that writes `abc` to stderr, opens `path` in its preopen (fd 3),
/// writes to stdin (fd 0, never granted), then ends the line with `def`.
fn guest(dir: &Path, path: &str) -> String {
    let wat = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "abc")
  (data (i32.const 32) "def\n")
  (data (i32.const 64) "{path}")
  (func $write_to (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $write_to (i32.const 2) (i32.const 16) (i32.const 3))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const {len})
      (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 12)))
    (call $write_to (i32.const 0) (i32.const 16) (i32.const 3))
    (call $write_to (i32.const 2) (i32.const 32) (i32.const 4))))"#,
        path = path.escape_default(),
        len = path.len(),
    );
    let file = dir.join("guest.wat");
    std::fs::write(&file, wat).unwrap();
    file.display().to_string()
}

fn run_guest(path: &str, log: Option<&str>) -> (i32, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = guest(tmp.path(), path);
    let dir = format!("{}::.", tmp.path().display());
    wasmbed(&["run", &file, "--dir", &dir], log)
}

#[test]
fn a_denial_is_one_line_of_its_own_between_the_guests_lines() {
    let (code, out, err) = run_guest("/etc/passwd", None);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(
        err,
        "abc\n\
         wasmbed: warning: wasi: denied: absolute path `/etc/passwd` func=\"path_open\"\n\
         wasmbed: warning: wasi: standard stream 0 is not granted func=\"fd_write\" fd=0\n\
         def\n"
    );
}

#[test]
fn wasmbed_log_off_silences_denials() {
    let (code, _, err) = run_guest("/etc/passwd", Some("off"));
    assert_eq!((code, err.as_str()), (0, "abcdef\n"));
    // `error` is above the denials' level, too.
    let (_, _, err) = run_guest("/etc/passwd", Some("error"));
    assert_eq!(err, "abcdef\n");
    // An empty value is the default.
    let (_, _, err) = run_guest("/etc/passwd", Some(""));
    assert!(err.contains("wasmbed: warning: wasi: denied:"), "{err}");
}

#[test]
fn a_guest_cannot_forge_log_lines() {
    let (code, _, err) = run_guest("/x\nwasmbed: error: \x1b[31mforged", None);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[1],
        "wasmbed: warning: wasi: denied: absolute path `/x\\nwasmbed: error: \\x1b[31mforged` func=\"path_open\""
    );
    assert_eq!(lines.len(), 4, "{err}");
}

#[test]
fn a_bad_wasmbed_log_is_one_line_and_a_failure() {
    let (code, out, err) = wasmbed(&["run", "guests/wasi/hello.wasm"], Some("wasi=loud"));
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.starts_with("error: WASMBED_LOG `wasi=loud`: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// The C guest that tries to leave its sandbox (`guests/wasi/escape.c`): every
/// attempt that reaches the host is logged, and its output is unchanged.
#[test]
fn escape_attempts_are_logged() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("box/sub")).unwrap();
    std::fs::create_dir(tmp.path().join("ro")).unwrap();
    std::fs::write(tmp.path().join("ro/secret.txt"), "read me").unwrap();
    let boxed = format!("{}::.", tmp.path().join("box").display());
    let ro = format!("{}::ro:ro", tmp.path().join("ro").display());
    let args = [
        "run",
        "guests/wasi/escape.wasm",
        "--dir",
        &boxed,
        "--dir",
        &ro,
    ];
    let (code, out, err) = wasmbed(&args, None);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("open ../outside.txt: Operation not permitted\n"),
        "{out}"
    );
    for line in [
        "wasmbed: warning: wasi: denied: `../outside.txt` leads outside the preopen func=\"path_open\"",
        "wasmbed: warning: wasi: denied: `sub/../../outside.txt` leads outside the preopen func=\"path_open\"",
    ] {
        assert!(err.lines().any(|l| l == line), "no `{line}` in:\n{err}");
    }
    assert!(
        err.lines()
            .any(|l| l.starts_with("wasmbed: warning: wasi: denied: ")
                && l.ends_with("under a read-only preopen func=\"path_open\"")),
        "no read-only denial in:\n{err}"
    );
    assert!(err.lines().all(|l| l.starts_with("wasmbed: ")), "{err}");
    let (code, out2, err) = wasmbed(&args, Some("off"));
    assert_eq!((code, out2, err.as_str()), (0, out, ""));
}
