//! `wasmbed world compile`: the compact world it writes decodes to the world
//! of the WIT or module it read, and every refusal is one line.

mod common;

use common::{repo, wasmbed};
use wasmbed_wit::compact::decode;

/// Compiles `args` (input first) to a file in a fresh directory: its bytes and what the command printed.
fn compile(args: &[&str]) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("world.bin").display().to_string();
    let mut all = vec!["world", "compile"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", &out]);
    let (code, stdout, err) = wasmbed(&all);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    (std::fs::read(&out).unwrap(), stdout)
}

/// Runs `wasmbed world compile` expecting a one-line refusal: the line.
fn refused(args: &[&str]) -> String {
    let mut all = vec!["world", "compile"];
    all.extend_from_slice(args);
    let (code, stdout, err) = wasmbed(&all);
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("backtrace"), "{err}");
    err.trim_end().to_string()
}

#[test]
fn a_wit_file_compiles_to_its_world_and_the_size_is_printed() {
    let (bytes, stdout) = compile(&["guests/cm32/calc.wit"]);
    let want = wasmbed_wit::world_from_path(&repo().join("guests/cm32/calc.wit"), None).unwrap();
    assert_eq!(decode(&bytes).unwrap(), want);
    assert!(
        stdout.contains(&format!(
            "world `wasmbed:cm32@0.1.0/calc`, {} bytes (1 imports, 2 exports, 5 functions, 0 resources)",
            bytes.len()
        )),
        "{stdout}"
    );
}

#[test]
fn a_guest_compiles_to_the_world_in_its_component_type_section() {
    let (bytes, _) = compile(&["guests/resources/resources.wasm"]);
    let wasm = std::fs::read(repo().join("guests/resources/resources.wasm")).unwrap();
    let want = wasmbed_wit::world_from_module(&wasm).unwrap().unwrap();
    let got = decode(&bytes).unwrap();
    assert!(!got.resources.is_empty());
    assert_eq!(got, want);
}

#[test]
fn a_directory_with_several_worlds_needs_world() {
    let (bytes, stdout) = compile(&["wit", "--world", "command"]);
    assert_eq!(decode(&bytes).unwrap().name, "wasmbed:wasi@0.1.0/command");
    assert!(
        stdout.contains("world `wasmbed:wasi@0.1.0/command`"),
        "{stdout}"
    );
    let err = refused(&["wit", "-o", "/dev/null"]);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("world"), "{err}");
}

#[test]
fn refusals_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w.bin").display().to_string();
    let err = refused(&["no/such.wit", "-o", &out]);
    assert_eq!(
        err,
        "error: no/such.wit: no/such.wit: no such file or directory"
    );
    let err = refused(&["guests/wasi/cat.wasm", "-o", &out]);
    assert_eq!(
        err,
        "error: guests/wasi/cat.wasm: no `component-type` section to read the world from"
    );
    let err = refused(&[
        "guests/resources/resources.wasm",
        "--world",
        "x",
        "-o",
        &out,
    ]);
    assert!(err.contains("--world"), "{err}");

    let bad = dir.path().join("bad.wit");
    std::fs::write(&bad, "package a:b;\ninterface i {\n  f: func(;\n}\n").unwrap();
    let err = refused(&[&bad.display().to_string(), "-o", &out]);
    assert!(err.contains("bad.wit: expected"), "{err}");
    assert!(!std::path::Path::new(&out).exists());
}
