//! `wasmbed run` and `wasmbed inspect` on the bundled example, and their one-line errors.

mod common;

use common::wasmbed;

const EXAMPLE: &str = "examples/sensor/sensor.wasm";

#[test]
fn run_calls_the_example_and_prints_wave() {
    let (code, out, err) = wasmbed(&[
        "run",
        EXAMPLE,
        "--invoke",
        "wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 21.5}, {sensor: 2, celsius: 48.0}, {sensor: 3, celsius: 19.0}], 0.0, 40.0)",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "{count: 3, mean: 29.5, out-of-range: [2], label: \"check sensors\"}\n"
    );
    let (code, out, _) = wasmbed(&[
        "run",
        EXAMPLE,
        "--invoke",
        "wasmbed:examples/filter@0.1.0#summarize([], 0.0, 1.0)",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "{count: 0, mean: 0, out-of-range: [], label: \"all in range\"}\n"
    );
}

#[test]
fn inspect_shows_scheme_world_and_types() {
    let (code, out, _) = wasmbed(&["inspect", EXAMPLE]);
    assert_eq!(code, 0);
    assert!(out.contains("naming: legacy (wit-bindgen names)"), "{out}");
    assert!(out.contains(
        "wasmbed:examples/filter@0.1.0#summarize: func(list<record { sensor: u32, celsius: f64 }>, f64, f64) -> record { count: u32, mean: f64, out-of-range: list<u32>, label: string }"
    ), "{out}");
}

#[test]
fn errors_are_one_line_with_a_nonzero_exit() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "nope.wasm", "--invoke", "f()"],
            "error: nope.wasm: No such file or directory (os error 2)\n",
        ),
        (
            &["run", EXAMPLE, "--invoke", "missing()"],
            "error: examples/sensor/sensor.wasm: no export `missing` in the world\n",
        ),
        (
            &[
                "run",
                EXAMPLE,
                "--invoke",
                "wasmbed:examples/filter@0.1.0#summarize(1)",
            ],
            "",
        ),
        (&["run", "README.md", "--invoke", "f()"], ""),
        (&["run", EXAMPLE], ""),
    ];
    for (args, want) in cases {
        let (code, out, err) = wasmbed(args);
        assert_eq!(code, 1, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
        if !want.is_empty() {
            assert_eq!(err, *want);
        }
    }
}

#[test]
fn a_component_runs_lowered_on_the_fly_on_both_engines() {
    let module = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sensor/sensor.wasm"),
    )
    .unwrap();
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sensor.component.wasm");
    std::fs::write(&file, component).unwrap();
    let file = file.to_str().unwrap();
    let call = "wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 21.5}, {sensor: 2, celsius: 48.0}], 0.0, 40.0)";
    let want = "{count: 2, mean: 34.75, out-of-range: [2], label: \"check sensors\"}\n";
    for engine in ["wasmi", "wamr"] {
        let (code, out, err) = wasmbed(&["run", "--engine", engine, file, "--invoke", call]);
        assert_eq!((code, err.as_str()), (0, ""), "{engine}");
        assert_eq!(out, want, "{engine}");
    }
    let (code, out, _) = wasmbed(&["inspect", file]);
    assert_eq!(code, 0);
    assert!(out.contains("naming: cm32p2"), "{out}");
    let lowered = dir.path().join("sensor.core.wasm");
    let (code, out, err) = wasmbed(&[
        "lower",
        file,
        "-o",
        lowered.to_str().unwrap(),
        "--names",
        "legacy",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("bytes (component"), "{out}");
    let (code, out, _) = wasmbed(&["inspect", lowered.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("naming: legacy"), "{out}");
}

#[test]
fn a_component_the_lowering_cannot_express_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.wasm");
    let wat = r#"(component
      (core module $m)
      (core instance (instantiate $m))
      (core instance (instantiate $m)))"#;
    std::fs::write(&file, wat::parse_str(wat).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    for args in [
        &["run", file, "--invoke", "f()"][..],
        &["inspect", file][..],
    ] {
        let (code, _, err) = wasmbed(args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(
            err,
            format!("error: {file}: lowering the component: not supported yet: core module 0 instantiated twice\n")
        );
    }
}

#[test]
fn a_reader_that_stops_early_ends_it_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmbed"))
        .args(["inspect", EXAMPLE])
        .current_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first line is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(
        matches!(out.status.code(), Some(0 | 141)),
        "{:?}",
        out.status
    );
}
