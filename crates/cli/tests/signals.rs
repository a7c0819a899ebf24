//! `wasmbed run --timeout` and `--signal-after`: a guest in an endless loop
//! is stopped at its deadline after its handler ran, in one line.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{repo, wasmbed};

const WIT: &str = "package test:spin;
world g {
  export spin: func();
  export sum: func(n: u32) -> u64;
  export wasmbed:signals/handler@0.1.0;
}";

/// `spin` loops forever; `sum` adds 0..n; the handler answers unwind for
/// the deadline and resume for anything else, and counts what it saw in
/// memory at 0 (a byte per signal).
/// `sum`, shared with the runtime's signal tests.
const SUM: &str = include_str!("../../runtime/tests/sum.wat");

fn wat() -> String {
    format!(
        r#"(module
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2||spin") (loop $forever (br $forever)))
  {SUM}
  (func (export "cm32p2|wasmbed:signals/handler@0.1|on-signal") (param $s i32) (result i32)
    (i32.store8 (local.get $s) (i32.add (i32.load8_u (local.get $s)) (i32.const 1)))
    (i32.eq (local.get $s) (i32.const 1))))"#
    )
}

/// The guest and its WIT (with `wit/signals` as a dependency) in `dir`.
fn guest(dir: &Path) -> (String, String) {
    let wit = dir.join("wit");
    std::fs::create_dir_all(wit.join("deps/signals")).unwrap();
    std::fs::write(wit.join("spin.wit"), WIT).unwrap();
    std::fs::copy(
        repo().join("wit/signals/signals.wit"),
        wit.join("deps/signals/signals.wit"),
    )
    .unwrap();
    let file = dir.join("spin.wat");
    std::fs::write(&file, wat()).unwrap();
    (file.display().to_string(), wit.display().to_string())
}

#[test]
fn a_deadline_stops_an_endless_loop_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (wat, wit) = guest(dir.path());
    let start = Instant::now();
    let (code, out, err) = wasmbed(&[
        "run",
        &wat,
        "--wit",
        &wit,
        "--invoke",
        "spin()",
        "--timeout",
        "100ms",
    ]);
    let took = start.elapsed();
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("deadline") && err.contains("`spin`"),
        "{err}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_signal_the_handler_resumes_lets_the_call_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (wat, wit) = guest(dir.path());
    let (code, out, err) = wasmbed(&[
        "run",
        &wat,
        "--wit",
        &wit,
        "--invoke",
        "sum(3000000)",
        "--signal-after",
        "1ms:16",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), (3_000_000u64 * 2_999_999 / 2).to_string());
}

#[test]
fn bad_durations_and_signals_are_usage_errors_naming_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let (wat, wit) = guest(dir.path());
    for (flag, value, needle) in [
        (
            "--timeout",
            "100",
            "`100`: the unit is one of ns, us, ms, s, m",
        ),
        ("--timeout", "fast", "`fast`: expected a number and a unit"),
        ("--timeout", "5h", "the unit is one of"),
        ("--signal-after", "1ms:40", "signals are 1 to 31"),
    ] {
        let (code, _, err) = wasmbed(&[
            "run", &wat, "--wit", &wit, "--invoke", "spin()", flag, value,
        ]);
        assert_eq!(code, 2, "{flag} {value}: clap's usage error: {err}");
        assert!(err.contains(needle), "{flag} {value}: {err}");
    }
}

/// A WASI preview 1 command that sleeps 10 s at a time, forever, through `poll_oneoff`.
const SLEEPER: &str = r#"(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; one subscription at 0: userdata 7, tag 0 (clock), monotonic, 10 s, relative
  (data (i32.const 0) "\07\00\00\00\00\00\00\00")
  (data (i32.const 16) "\01\00\00\00")
  (data (i32.const 24) "\00\e4\0b\54\02\00\00\00")
  (func (export "_start")
    (loop $again
      (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
      (br $again))))"#;

#[test]
fn a_deadline_also_stops_a_guest_asleep_in_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("sleeper.wat");
    std::fs::write(&wat, SLEEPER).unwrap();
    std::fs::write(dir.path().join("wasmbed.toml"), "[wasi]\nclocks = true\n").unwrap();
    let start = Instant::now();
    let (code, out, err) = wasmbed(&["run", wat.to_str().unwrap(), "--timeout", "200ms"]);
    let took = start.elapsed();
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("interrupted by signal 1 (deadline)"), "{err}");
    assert!(
        took < Duration::from_secs(5),
        "a 10 s sleep was cut short: {took:?}"
    );
}
