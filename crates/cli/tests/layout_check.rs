//! `wasmbed layout check` and `from-c` as a user runs them: output, exit status, errors.

use std::path::PathBuf;
use std::process::{Command, Output};

fn headers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../layout/tests/headers")
}

fn wasmbed(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmbed"))
        .args(args)
        .current_dir(headers())
        .output()
        .expect("run the wasmbed binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn clean_header_exits_zero() {
    let out = wasmbed(&["layout", "check", "clean.h"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}{stdout}", text(&out.stderr));
    assert!(
        stdout.contains("\nstruct clean_words: no field differs\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 of 6 struct(s) differ between targets\n"),
        "{stdout}"
    );
}

#[test]
fn divergence_exits_two() {
    let out = wasmbed(&["layout", "check", "divergent.h", "--targets", "x86_64,i686"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{}{stdout}", text(&out.stderr));
    assert!(stdout.contains("\n  * b        8/8     4/8*\n"), "{stdout}");
    assert!(stdout.contains("struct u64_after_u8: 1 field differs (b: offset); size differs"));
}

#[test]
fn errors_are_one_line_with_status_one() {
    for (args, want) in [
        (&["layout", "check", "nothere.h"][..], "error: nothere.h: no such file\n"),
        (
            &["layout", "check", "clean.h", "--targets", "x86_64,z80"],
            "error: unknown target `z80` (known: x86_64, i686, armv7, thumbv6m, riscv32, xtensa, avr, msp430, wasm32, mips)\n",
        ),
        (
            &["layout", "check", "broken.h"],
            "error: `clang` failed for target `x86_64`: broken.h:4: error: expected ';' at end of declaration list\n",
        ),
        (
            &["layout", "from-c", "sensor.h", "with_pointer"],
            "error: cannot propose WIT for `struct with_pointer`: field `data` is a pointer (`uint8_t *`): an address means nothing outside one address space\n",
        ),
    ] {
        let out = wasmbed(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(text(&out.stderr), want, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn from_c_prints_wit() {
    let out = wasmbed(&["layout", "from-c", "sensor.h", "calibration"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("record calibration {\n    gain: f32,\n    offset: f32,\n}\n"),
        "{stdout}"
    );
}

#[test]
fn help_documents_exit_status() {
    let out = wasmbed(&["layout", "check", "--help"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Exit status: 0 if every struct"),
        "{stdout}"
    );
    assert!(stdout.contains("2 if any differs"), "{stdout}");
}
