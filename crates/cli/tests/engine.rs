//! `wasmbed run --engine`: the same guests print the same on wasmi and WAMR,
//! and what WAMR cannot do is refused on one line.

mod common;

use common::wasmbed;

const EXAMPLE: &str = "examples/sensor/sensor.wasm";
const SUMMARIZE: &str = "wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 21.5}, {sensor: 2, celsius: 48.0}, {sensor: 3, celsius: 19.0}], 0.0, 40.0)";

#[test]
fn the_example_prints_the_same_on_both_engines() {
    let wasmi = wasmbed(&["run", EXAMPLE, "--invoke", SUMMARIZE]);
    let wamr = wasmbed(&["run", "--engine", "wamr", EXAMPLE, "--invoke", SUMMARIZE]);
    assert_eq!(wasmi.0, 0, "{}", wasmi.2);
    assert_eq!(wamr, wasmi);
    assert!(wamr.1.starts_with("{count: 3, mean: 29.5"), "{}", wamr.1);
}

#[test]
fn a_wasi_command_exits_with_its_status_on_wamr() {
    let (code, out, err) = wasmbed(&["run", "--engine", "wamr", "guests/wasi/hello.wasm"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (3, "hello from wasi\n", "to stderr\n")
    );
}

#[test]
fn fuel_stops_a_runaway_call_on_both_engines() {
    for engine in ["wasmi", "wamr"] {
        let (code, _, err) = wasmbed(&[
            "run", "--engine", engine, EXAMPLE, "--fuel", "10", "--invoke", SUMMARIZE,
        ]);
        assert_eq!(code, 1, "{engine}: {err}");
        assert!(err.contains("all fuel consumed"), "{engine}: {err}");
        assert_eq!(err.lines().count(), 1, "{engine}: {err}");
    }
}

#[test]
fn what_wamr_cannot_do_is_one_line() {
    let (code, _, err) = wasmbed(&[
        "run",
        "--engine",
        "wamr",
        EXAMPLE,
        "--timeout",
        "1s",
        "--invoke",
        SUMMARIZE,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: examples/sensor/sensor.wasm: signals need an engine that runs calls in slices (wasmi with fuel; WAMR cannot)\n"
    );
    let (code, _, err) = wasmbed(&["run", "--engine", "wamr", "examples/pubsub/app.toml"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: examples/pubsub/app.toml: applications run on wasmi only (--engine wasmi)\n"
    );
    let (code, _, err) = wasmbed(&["run", "--engine", "v8", EXAMPLE]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid value 'v8'"), "{err}");
}
