//! `wasmbed shrink`: the pub/sub demo runs the same on shrunk guests, the
//! memory is what the command says, a module that grows memory is refused,
//! and a stack too small traps.

mod common;

use common::{repo, wasmbed};
use std::path::Path;
use wasmbed_shrink::wasmparser;

/// `wasmbed shrink` of the demo's `sensor` and `filter` into `dir` with
/// `stack`, beside a copy of the demo's manifest: the manifest's path and
/// what the command printed.
fn shrunk_demo(dir: &Path, stack: &str) -> (String, String) {
    let mut printed = String::new();
    for g in ["sensor", "filter"] {
        let out = dir.join(format!("{g}.wasm")).display().to_string();
        let input = format!("examples/pubsub/{g}.wasm");
        let (code, stdout, err) = wasmbed(&["shrink", &input, "-o", &out, "--stack", stack]);
        assert_eq!(code, 0, "{err}");
        printed += &stdout;
    }
    let app = dir.join("app.toml");
    std::fs::copy(repo().join("examples/pubsub/app.toml"), &app).unwrap();
    (app.display().to_string(), printed)
}

/// The only memory of `wasm`: (minimum, maximum, page size in bytes).
fn memory(wasm: &[u8]) -> (u64, Option<u64>, u32) {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .find_map(|p| match p.unwrap() {
            wasmparser::Payload::MemorySection(r) => {
                let m = r.into_iter().next().unwrap().unwrap();
                Some((m.initial, m.maximum, m.page_size()))
            }
            _ => None,
        })
        .unwrap()
}

#[test]
fn the_pubsub_demo_prints_the_same_on_shrunk_guests() {
    let (code, want, err) = wasmbed(&["run", "examples/pubsub/app.toml"]);
    assert_eq!(code, 0, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let (app, printed) = shrunk_demo(dir.path(), "1024");
    let (code, got, err) = wasmbed(&["run", &app]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got, want);
    assert!(want.contains("logger: filtered"), "{want}");

    // The memory is what the command printed: "OUT: linear memory A -> B bytes".
    for g in ["sensor", "filter"] {
        let path = dir.path().join(format!("{g}.wasm"));
        let line = printed
            .lines()
            .find(|l| l.starts_with(&path.display().to_string()))
            .unwrap_or_else(|| panic!("{printed}"));
        let bytes: Vec<u64> = line
            .split(' ')
            .filter_map(|w| w.parse().ok())
            .take(2)
            .collect();
        let (before, after) = (bytes[0], bytes[1]);
        let original =
            memory(&std::fs::read(repo().join(format!("examples/pubsub/{g}.wasm"))).unwrap());
        assert_eq!(before, original.0 * u64::from(original.2), "{line}");
        assert!(after < 4096, "{line}");
        assert_eq!(
            memory(&std::fs::read(&path).unwrap()),
            (after, Some(after), 1)
        );
        // `inspect` says the page size rather than counting bytes as 64 KiB pages.
        let (code, shown, err) = wasmbed(&["inspect", &path.display().to_string()]);
        assert_eq!(code, 0, "{err}");
        let want = format!("memory: {after} page(s) of 1 byte(s) initial, {after} maximum;");
        assert!(shown.lines().any(|l| l.starts_with(&want)), "{shown}");
    }
}

#[test]
fn a_stack_too_small_traps_in_the_guest_instead_of_overwriting_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = shrunk_demo(dir.path(), "16");
    let (code, out, err) = wasmbed(&["run", &app]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        err.trim_end(),
        "error: guest `sensor`: init: guest trapped in `wasmbed:pubsub/task@0.1.0#init`: wasm `unreachable` instruction executed"
    );
}

#[test]
fn a_module_that_grows_its_memory_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    let out = out.display().to_string();
    // Built against wasi-libc: its `sbrk` measures and grows the memory.
    let (code, stdout, err) = wasmbed(&["shrink", "examples/sensor/sensor.wasm", "-o", &out]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: examples/sensor/sensor.wasm: function ")
            && err.contains("executes `memory.")
            && err.contains("a memory that grows or is measured cannot have a fixed size"),
        "{err}"
    );
    assert!(!Path::new(&out).exists());

    let grows = dir.path().join("grows.wasm");
    std::fs::write(
        &grows,
        wat::parse_str(r#"(module (memory 1) (func $more (export "more") (result i32) (memory.grow (i32.const 1))))"#).unwrap(),
    )
    .unwrap();
    let (code, _, err) = wasmbed(&[
        "shrink",
        &grows.display().to_string(),
        "-o",
        &out,
        "--stack",
        "64",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        format!(
            "error: {}: function 0 (`more`) executes `memory.grow`: a memory that grows or is measured cannot have a fixed size",
            grows.display()
        )
    );
}

#[test]
fn a_module_without_stack_pointer_needs_the_stack_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("calc.wasm").display().to_string();
    let (code, _, err) = wasmbed(&["shrink", "guests/cm32/calc.wasm", "-o", &out]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "error: guests/cm32/calc.wasm: no `__stack_pointer` found (no global of that name, no wasm-ld layout): give the stack size (`--stack BYTES`)"
    );
    let (code, stdout, err) = wasmbed(&[
        "shrink",
        "guests/cm32/calc.wasm",
        "-o",
        &out,
        "--stack",
        "2048",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("linear memory 65536 -> 2080 bytes"),
        "{stdout}"
    );
    assert_eq!(memory(&std::fs::read(&out).unwrap()), (2080, Some(2080), 1));
}
