//! `wasmbed run` with a guest that imports `wasmbed:threads`: the
//! `[threads]` table of `wasmbed.toml` grants it threads, or it does not link.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{repo, wasmbed};

/// `examples/threads/sum.wasm` in `dir` with `manifest` as `wasmbed.toml` beside it.
fn sum_with_manifest(dir: &Path, manifest: &str) -> String {
    let file = dir.join("sum.wasm");
    std::fs::copy(repo().join("examples/threads/sum.wasm"), &file).unwrap();
    std::fs::write(dir.join("wasmbed.toml"), manifest).unwrap();
    file.display().to_string()
}

#[test]
fn the_example_sums_over_four_guest_threads() {
    let n: u64 = 10_000;
    let call = format!("sum-squares({n})");
    let (code, out, err) = wasmbed(&["run", "examples/threads/sum.wasm", "--invoke", &call]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, format!("{}\n", (0..n).map(|i| i * i).sum::<u64>()));
}

#[test]
fn without_a_threads_table_the_guest_does_not_link() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sum_with_manifest(tmp.path(), "[wasi]\n");
    let (code, out, err) = wasmbed(&["run", &file, "--invoke", "sum-squares(10)"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("wasmbed:threads/"),
        "{err}"
    );
    assert!(
        err.contains("grants no threads (no `[threads]` table)"),
        "{err}"
    );
}

#[test]
fn a_spawn_beyond_the_grant_is_refused_and_logged_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sum_with_manifest(tmp.path(), "[threads]\nmax = 0\n");
    let (code, out, err) = wasmbed(&["run", &file, "--invoke", "sum-squares(10)"]);
    // The guest sees `denied` (error code 0) and returns 1000 plus it.
    assert_eq!((code, out.as_str()), (0, "1000\n"));
    assert_eq!(
        err,
        "wasmbed: warning: threads: spawn denied: 0 threads run already and `threads.max` grants 0\n"
    );
}

#[test]
fn a_bad_threads_table_is_one_line_naming_the_place() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = "[threads]\nmax = 2\nstack = [65536, 131072]\ndefault-stack = 262144\n";
    let file = sum_with_manifest(tmp.path(), manifest);
    let (code, out, err) = wasmbed(&["run", &file, "--invoke", "sum-squares(10)"]);
    assert_eq!((code, out.as_str()), (1, ""));
    let wanted = "wasmbed.toml:1:1: `threads.default-stack` 262144 is outside `threads.stack` 65536..=131072\n";
    assert!(err.starts_with("error: ") && err.ends_with(wanted), "{err}");
}

#[test]
fn a_deadline_stops_the_main_thread_and_its_spinning_threads() {
    let start = Instant::now();
    // Far more work than the deadline allows.
    let (code, out, err) = wasmbed(&[
        "run",
        "examples/threads/sum.wasm",
        "--invoke",
        "sum-squares(1000000000000)",
        "--timeout",
        "300ms",
    ]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20));
    // The main thread's call unwinds at the deadline; its four threads too.
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains("deadline"),
        "{err}"
    );
    assert_eq!(
        err.lines()
            .filter(
                |l| l.starts_with("wasmbed: warning: threads: thread ") && l.contains("deadline")
            )
            .count(),
        4,
        "{err}"
    );
}
