//! WASI 0.2: a wit-bindgen C command built against the vendored WIT (no
//! preview 1 at all) on wasmbed, and the same module wrapped as a component on
//! wasmtime-wasi; every function of the hosted interfaces links; denials.

use std::path::{Path, PathBuf};

use wasmbed::{Guest, Limits, Val};
use wasmbed_wasi::{Capture, Policy};

use super::{engine, E};
use crate::harness::{exit_status, run_component, snapshot, wit_world, Outcome};

const RUN: &str = "wasi:cli/run@0.2.12#run";

fn wasm() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guests/wasip2/command.wasm");
    std::fs::read(p).unwrap()
}

fn setup(dir: &Path) {
    std::fs::write(
        dir.join("input.txt"),
        "first line\nsecond line, longer than a chunk\n",
    )
    .unwrap();
}

fn outcome(out: Vec<u8>, err: Vec<u8>, code: i32, dir: &Path) -> Outcome {
    Outcome {
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
        code,
        files: snapshot(dir),
    }
}

fn guest(wasm: &[u8]) -> Guest<E> {
    let world = wasmbed_wit::world_from_module(wasm)
        .unwrap()
        .expect("the guest carries its world");
    Guest::new(&engine(), wasm, world).unwrap()
}

fn policy(out: &Capture, err: &Capture, dir: &Path) -> Policy {
    Policy::new()
        .args(["command", "--flag", "two words"])
        .env("GREETING", "hej")
        .stdout(out.clone())
        .stderr(err.clone())
        .preopen_dir(dir, "/data", false)
        .allow_clocks()
        .allow_random()
}

fn on_wasmbed(dir: &Path) -> Outcome {
    let (out, err) = (Capture::new(), Capture::new());
    let ctx = policy(&out, &err, dir).build().unwrap();
    let g = guest(&wasm());
    let mut inst = wasmbed_wasi::instantiate(&g, ctx, Limits::default()).unwrap();
    let code = match inst.call(RUN, &[]) {
        Ok(Some(Val::Result(Ok(_)))) => 0,
        Ok(_) => 1,
        Err(e) => e.exit_code().unwrap_or_else(|| panic!("{e}")),
    };
    outcome(out.contents(), err.contents(), code, dir)
}

/// The same module, wrapped as a component (what `wasm-tools component new` does), on wasmtime-wasi.
fn on_wasmtime(dir: &Path) -> Outcome {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let component = wit_component::ComponentEncoder::default()
        .module(&wasm())
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    let (out, err) = (
        MemoryOutputPipe::new(1 << 20),
        MemoryOutputPipe::new(1 << 20),
    );
    let mut b = wasmtime_wasi::WasiCtxBuilder::new();
    b.args(&["command", "--flag", "two words"])
        .env("GREETING", "hej")
        .stdout(out.clone())
        .stderr(err.clone());
    b.preopened_dir(dir, "/data", wasmtime_wasi::FsPerms::ReadWrite)
        .unwrap();
    let code = exit_status(run_component(&component, &mut b));
    outcome(out.contents().to_vec(), err.contents().to_vec(), code, dir)
}

#[test]
fn a_wit_bindgen_command_agrees_with_wasmtime_wasi() {
    let run = |f: fn(&Path) -> Outcome| {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        f(dir.path())
    };
    let ours = run(on_wasmbed);
    assert_eq!(ours, run(on_wasmtime), "wasmbed vs wasmtime-wasi");
    assert_eq!(ours.code, 0, "{ours:?}");
    assert!(
        ours.stdout
            .contains("arg: two words\nGREETING=hej\nclocks: ok\n"),
        "{}",
        ours.stdout
    );
    assert!(
        ours.stdout.contains("second line, longer than a chunk\n"),
        "{}",
        ours.stdout
    );
    assert!(ours
        .stdout
        .contains("hello from WASI 0.2\nwritten within the permit\n"));
    assert!(
        ours.stdout.contains("\nfirst five bytes: first\n"),
        "{}",
        ours.stdout
    );
    assert_eq!(ours.stderr, "a line on stderr\n");
    assert!(ours.files.contains(&(
        "output.txt".into(),
        "written through wasi:filesystem\n".into()
    )));
}

#[test]
fn the_guest_imports_no_preview1() {
    let g = guest(&wasm());
    assert!(
        g.imports().iter().all(|i| i.module.starts_with("wasi:")),
        "{:?}",
        g.imports().iter().map(|i| &i.module).collect::<Vec<_>>()
    );
}

#[test]
fn a_missing_file_fails_the_command_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let ours = on_wasmbed(dir.path());
    let theirs = on_wasmtime(dir.path());
    assert_eq!(ours.code, 1);
    assert_eq!(ours.stdout, theirs.stdout);
    assert!(
        ours.stdout.contains("open input.txt failed: 20\n"),
        "no-entry is case 20: {}",
        ours.stdout
    );
}

/// A module importing every function of every interface wasmbed hosts (wit/wasmbed.wit, world `imports`).
fn every_import() -> (Vec<u8>, wasmbed::World) {
    let (resolve, world) = wit_world("imports");
    let wasm = wit_component::dummy_module(
        &resolve,
        world,
        wasmbed_wit::wit_parser::ManglingAndAbi::Legacy(
            wasmbed_wit::wit_parser::LiftLowerAbi::Sync,
        ),
    );
    let w = wasmbed_wit::world_from_resolve(&resolve, world).unwrap();
    (wasm, w)
}

#[test]
fn every_function_of_the_hosted_interfaces_links() {
    let (wasm, world) = every_import();
    let g = Guest::new(&engine(), &wasm, world).unwrap();
    let n = g.imports().len();
    assert!(
        n >= 79,
        "the dummy imports every function and resource drop: {n}"
    );
    let ctx = Policy::new().allow_clocks().allow_random().build().unwrap();
    wasmbed_wasi::instantiate(&g, ctx, Limits::default()).unwrap();
}

#[test]
fn denied_clocks_are_a_link_error_naming_the_grant() {
    let (wasm, world) = every_import();
    let g = Guest::new(&engine(), &wasm, world).unwrap();
    let ctx = Policy::new().allow_random().build().unwrap();
    let e = wasmbed_wasi::instantiate(&g, ctx, Limits::default())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(e.contains("wasi:clocks/"), "{e}");
    assert!(
        e.contains("is denied: it needs the `clocks` grant, which the policy denies"),
        "{e}"
    );
}
