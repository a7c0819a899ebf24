//! `wasmbed run` on a wasi-libc command: its output and exit status, and a denied grant.

use std::path::PathBuf;
use std::process::Command;

fn wasmbed(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wasmbed"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .expect("wasmbed runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn hello_prints_and_exits_with_the_guest_status() {
    let (code, out, err) = wasmbed(&["run", "guests/wasi/hello.wasm"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (3, "hello from wasi\n", "to stderr\n")
    );
}

#[test]
fn a_denied_grant_is_one_line_and_a_failure() {
    let (code, out, err) = wasmbed(&["run", "guests/wasi/clock_random.wasm"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "error: guests/wasi/clock_random.wasm: import `wasi_snapshot_preview1` `clock_time_get` needs the `clocks` grant, which the policy denies\n"
    );
}
