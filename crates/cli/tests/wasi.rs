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
        "error: guests/wasi/clock_random.wasm: import `wasi_snapshot_preview1` `clock_time_get` is denied: it needs the `clocks` grant, which the policy denies\n"
    );
}

#[test]
fn the_clocks_and_random_numbers_are_granted_from_the_command_line() {
    let (code, out, err) = wasmbed(&[
        "run",
        "guests/wasi/clock_random.wasm",
        "--clock",
        "--random",
    ]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("realtime ok=1\n"), "{out}");
    assert!(out.contains("getentropy=0 nonzero>32=1\n"), "{out}");
    // One grant alone still fails to link the other.
    let (code, _, err) = wasmbed(&["run", "guests/wasi/clock_random.wasm", "--clock"]);
    assert_eq!(code, 1);
    assert!(err.contains("needs the `random` grant"), "{err}");
    let (code, _, err) = wasmbed(&[
        "run",
        "guests/wasi/clock_random.wasm",
        "--clock",
        "--deny-clock",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn everything_after_the_module_is_the_guests() {
    let (code, out, err) = wasmbed(&["run", "guests/wasi/args_env.wasm", "one", "--two", "-3"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.starts_with("argc=4\narg[1]=one\narg[2]=--two\narg[3]=-3\n"),
        "{out}"
    );
    // `--` still works, and wasmbed's own flags may come first.
    let (code, out, _) = wasmbed(&["run", "--no-stdio", "guests/wasi/args_env.wasm", "--", "x"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = wasmbed(&["run", "guests/wasi/args_env.wasm", "--", "x"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("argc=2\narg[1]=x\n"), "{out}");
}

/// A WASI 0.2 command (`guests/wasip2/command.wasm`, which exports `wasi:cli/run`) in a scratch directory.
fn wasip2_command(with_input: bool) -> (tempfile::TempDir, PathBuf) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().expect("tempdir");
    let guest = dir.path().join("command.wasm");
    std::fs::copy(root.join("guests/wasip2/command.wasm"), &guest).expect("copy guest");
    std::fs::create_dir(dir.path().join("data")).expect("data dir");
    if with_input {
        std::fs::write(dir.path().join("data/input.txt"), "from the host\n").expect("input");
    }
    std::fs::write(
        dir.path().join("wasmbed.toml"),
        "[wasi]\nclocks = true\nrandom = true\nenv = { GREETING = \"hi\" }\n\n[[wasi.dir]]\nhost = \"data\"\nguest = \"/data\"\n",
    )
    .expect("manifest");
    (dir, guest)
}

#[test]
fn a_wasi_0_2_command_runs_and_exits_with_its_result() {
    let (dir, guest) = wasip2_command(true);
    let (code, out, err) = wasmbed(&["run", guest.to_str().unwrap(), "--", "x"]);
    assert_eq!((code, err.as_str()), (0, "a line on stderr\n"), "{out}");
    assert!(
        out.starts_with("hello from WASI 0.2\nwritten within the permit\narg: "),
        "{out}"
    );
    assert!(
        out.contains("arg: x\nGREETING=hi\nclocks: ok\nrandom: 16 bytes\n"),
        "{out}"
    );
    assert!(
        out.ends_with("from the host\nfirst five bytes: from \noutput.txt: written\n"),
        "{out}"
    );
    let written = std::fs::read_to_string(dir.path().join("data/output.txt")).unwrap();
    assert_eq!(written, "written through wasi:filesystem\n");
}

#[test]
fn a_wasi_0_2_command_that_returns_err_exits_with_1() {
    let (_dir, guest) = wasip2_command(false);
    let (code, out, _) = wasmbed(&["run", guest.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("open input.txt failed: 20\n"), "{out}");
}

#[test]
fn a_wasi_0_2_command_denied_the_clocks_fails_to_link() {
    let (_dir, guest) = wasip2_command(true);
    let (code, out, err) = wasmbed(&["run", guest.to_str().unwrap(), "--deny-clock"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("import `wasi:clocks/monotonic-clock@0.2#now` (core import `wasi:clocks/monotonic-clock@0.2.12` `now`) is denied: it needs the `clocks` grant"),
        "{err}"
    );
}
