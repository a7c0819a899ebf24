//! Runs one C program three ways — wasmbed, wasmtime-wasi preview 1, native — and snapshots what it left.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use wasmbed::{Engine, Guest, Limits, Linker, Wamr, Wasmi, World};
use wasmbed_wasi::{Capture, Policy, WasiCtx};

/// The guests' directory.
pub(crate) fn guests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guests/wasi")
}

/// What a program is given.
#[derive(Default, Clone)]
pub(crate) struct Input {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) stdin: Option<Vec<u8>>,
    pub(crate) clocks_and_random: bool,
}

/// What a program did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) code: i32,
    pub(crate) files: Vec<(String, String)>,
}

/// Every file and directory under `dir`, sorted, with file contents.
pub(crate) fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                out.push((rel + "/", String::new()));
                todo.push(p);
            } else {
                out.push((
                    rel,
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Runs `name.wasm` on wasmbed with `engine` and `dir` preopened as `.`.
pub(crate) fn wasmbed<E: Engine>(engine: &E, name: &str, input: &Input, dir: &Path) -> Outcome {
    let wasm = std::fs::read(guests().join(format!("{name}.wasm"))).unwrap();
    let (out, err) = (Capture::new(), Capture::new());
    let mut policy = policy(name, input, dir, &out, &err);
    if input.clocks_and_random {
        policy = policy.allow_clocks().allow_random();
    }
    let guest = Guest::new(engine, &wasm, World::empty(name)).unwrap();
    let mut linker = Linker::new();
    wasmbed_wasi::add_to_linker(&mut linker, policy.grants(), |c: &mut WasiCtx| c);
    let ctx = policy.build().unwrap();
    let mut inst = linker.instantiate(&guest, ctx, Limits::default()).unwrap();
    let code = match inst.call_core("_start") {
        Ok(()) => 0,
        Err(e) => e.exit_code().unwrap_or_else(|| panic!("{name}: {e}")),
    };
    outcome(out.contents(), err.contents(), code, dir)
}

/// The grants `input` asks for, with `dir` preopened as `.` (clocks and random aside).
fn policy(name: &str, input: &Input, dir: &Path, out: &Capture, err: &Capture) -> Policy {
    let mut policy = Policy::new()
        .arg(name)
        .args(&input.args)
        .stdout(out.clone())
        .stderr(err.clone())
        .preopen_dir(dir, ".", false);
    for (k, v) in &input.env {
        policy = policy.env(k, v);
    }
    if let Some(s) = &input.stdin {
        policy = policy.stdin(std::io::Cursor::new(s.clone()));
    }
    policy
}

fn outcome(out: Vec<u8>, err: Vec<u8>, code: i32, dir: &Path) -> Outcome {
    Outcome {
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
        code,
        files: snapshot(dir),
    }
}

/// wasmtime-wasi's grants for what `input` asks, `dir` preopened as `.`.
fn wasmtime_ctx(
    name: &str,
    input: &Input,
    dir: &Path,
    out: &wasmtime_wasi::p2::pipe::MemoryOutputPipe,
    err: &wasmtime_wasi::p2::pipe::MemoryOutputPipe,
) -> wasmtime_wasi::WasiCtxBuilder {
    let mut b = wasmtime_wasi::WasiCtxBuilder::new();
    b.arg(name)
        .args(&input.args)
        .stdout(out.clone())
        .stderr(err.clone());
    for (k, v) in &input.env {
        b.env(k, v);
    }
    if let Some(s) = &input.stdin {
        b.stdin(wasmtime_wasi::p2::pipe::MemoryInputPipe::new(s.clone()));
    }
    b.preopened_dir(dir, ".", wasmtime_wasi::FsPerms::ReadWrite)
        .unwrap();
    b
}

/// Runs `name.wasm` on wasmtime-wasi's preview 1 with the same grants.
pub(crate) fn wasmtime(name: &str, input: &Input, dir: &Path) -> Outcome {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let engine = wasmtime::Engine::default();
    let module =
        wasmtime::Module::from_file(&engine, guests().join(format!("{name}.wasm"))).unwrap();
    let (out, err) = (
        MemoryOutputPipe::new(1 << 20),
        MemoryOutputPipe::new(1 << 20),
    );
    let mut b = wasmtime_ctx(name, input, dir, &out, &err);
    let mut store = wasmtime::Store::new(&engine, b.build_p1());
    let mut linker = wasmtime::Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c| c).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let start = inst.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
    let code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => e
            .downcast_ref::<wasmtime_wasi::I32Exit>()
            .map(|x| x.0)
            .unwrap_or_else(|| panic!("{name}: {e}")),
    };
    outcome(out.contents().to_vec(), err.contents().to_vec(), code, dir)
}

/// Compiles `name.c` with the system C compiler and runs it in `dir`.
pub(crate) fn native(name: &str, input: &Input, dir: &Path) -> Outcome {
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = bin_dir.path().join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let st = Command::new(cc)
        .args(["-O2", "-o"])
        .arg(&bin)
        .arg(guests().join(format!("{name}.c")))
        .status()
        .unwrap();
    assert!(st.success(), "cc {name}.c");
    let mut cmd = Command::new(&bin);
    cmd.args(&input.args).current_dir(dir).env_clear();
    cmd.envs(input.env.iter().map(|(k, v)| (k, v)));
    cmd.stdin(if input.stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(s) = &input.stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    outcome(o.stdout, o.stderr, o.status.code().unwrap_or(-1), dir)
}

/// Runs `name` on wasmbed (wasmi and WAMR), wasmtime and natively, and as a
/// component lowered by wasmbed-lower against wasmtime running the
/// component, each in a fresh directory prepared by `setup`, and asserts they
/// all agree.
pub(crate) fn agree(name: &str, input: &Input, setup: impl Fn(&Path)) -> Outcome {
    let run = |f: &dyn Fn(&str, &Input, &Path) -> Outcome| {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        f(name, input, dir.path())
    };
    let ours = run(&|n, i, d| wasmbed(&Wasmi::new(), n, i, d));
    let wamr = run(&|n, i, d| wasmbed(&Wamr::new(), n, i, d));
    assert_eq!(ours, wamr, "{name}: wasmbed on wasmi vs on WAMR");
    assert_eq!(ours, run(&wasmtime), "{name}: wasmbed vs wasmtime");
    assert_eq!(ours, run(&native), "{name}: wasmbed vs native");
    // The program as a component (the preview 1 command adapter), lowered
    // by wasmbed-lower, against wasmtime running the component. A WASI 0.2
    // command exits 0 or 1 (`wasi:cli/exit` takes a result), the rest is
    // the same as the module's.
    let lowered = run(&lowered_on_wasmbed);
    assert_eq!(
        lowered,
        run(&component_on_wasmtime),
        "{name}: lowered vs wasmtime's component"
    );
    let as_command = Outcome {
        code: i32::from(ours.code != 0),
        ..ours.clone()
    };
    assert_eq!(lowered, as_command, "{name}: lowered vs the module");
    ours
}

/// `name.wasm` wrapped with the preview 1 command adapter.
fn component(name: &str) -> Vec<u8> {
    command_component(&std::fs::read(guests().join(format!("{name}.wasm"))).unwrap())
}

/// `wasm` wrapped with the preview 1 command adapter, as
/// `wasm-tools component new --adapt` does.
pub(crate) fn command_component(wasm: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .module(wasm)
        .unwrap()
        .adapter(
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

/// The component lowered by wasmbed-lower, run on wasmbed as a WASI 0.2 command.
fn lowered_on_wasmbed(name: &str, input: &Input, dir: &Path) -> Outcome {
    let core = wasmbed_lower::lower(&component(name), wasmbed_lower::Scheme::Cm32p2)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let world = wasmbed_wit::world_from_module(&core).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), &core, world).unwrap();
    let (out, err) = (Capture::new(), Capture::new());
    let ctx = policy(name, input, dir, &out, &err)
        .allow_clocks()
        .allow_random()
        .build()
        .unwrap();
    let mut inst = wasmbed_wasi::instantiate(&guest, ctx, Limits::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let code = match inst.call("wasi:cli/run@0.2.0#run", &[]) {
        Ok(Some(wasmbed::Val::Result(Ok(_)))) => 0,
        Ok(_) => 1,
        Err(e) => e.exit_code().unwrap_or_else(|| panic!("{name}: {e}")),
    };
    outcome(out.contents(), err.contents(), code, dir)
}

/// The same component on wasmtime-wasi's WASI 0.2 with the same grants.
fn component_on_wasmtime(name: &str, input: &Input, dir: &Path) -> Outcome {
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    let (out, err) = (
        MemoryOutputPipe::new(1 << 20),
        MemoryOutputPipe::new(1 << 20),
    );
    let mut b = wasmtime_ctx(name, input, dir, &out, &err);
    let code = exit_status(run_component(&component(name), &mut b));
    outcome(out.contents().to_vec(), err.contents().to_vec(), code, dir)
}

/// The vendored WIT (`wit/`): its resolve and world `name` (`imports`, `command`).
pub(crate) fn wit_world(
    name: &str,
) -> (
    wasmbed_wit::wit_parser::Resolve,
    wasmbed_wit::wit_parser::WorldId,
) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit");
    let mut resolve = wasmbed_wit::wit_parser::Resolve::default();
    let (pkg, _) = resolve.push_dir(dir).unwrap();
    let world = resolve.select_world(&[pkg], Some(name)).unwrap();
    (resolve, world)
}

/// wasmtime-wasi's state for one component instance.
struct Host {
    ctx: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for Host {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// Calls `wasi:cli/run` of command `component` on wasmtime-wasi p2 with `b`'s grants.
pub(crate) fn run_component(
    component: &[u8],
    b: &mut wasmtime_wasi::WasiCtxBuilder,
) -> wasmtime::Result<Result<(), ()>> {
    let engine = wasmtime::Engine::default();
    let component = wasmtime::component::Component::new(&engine, component).unwrap();
    let host = Host {
        ctx: b.build(),
        table: Default::default(),
    };
    let mut store = wasmtime::Store::new(&engine, host);
    let mut linker = wasmtime::component::Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    let cmd =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, &component, &linker)
            .unwrap();
    cmd.wasi_cli_run().call_run(&mut store)
}

/// A command's exit status on wasmtime-wasi: ok 0, err 1, or its `exit` code.
pub(crate) fn exit_status(r: wasmtime::Result<Result<(), ()>>) -> i32 {
    match r {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => e
            .downcast_ref::<wasmtime_wasi::I32Exit>()
            .map(|x| x.0)
            .unwrap_or_else(|| panic!("{e}")),
    }
}
