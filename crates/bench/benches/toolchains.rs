//! Components built by real toolchains, lowered and run on wasmbed/wasmi
//! against the same component on wasmtime's component runtime (with
//! wasmtime-wasi 0.2), in one run:
//!
//! ```sh
//! WASMBED_COMPONENTS=/tmp/toolchains/py/greet/greet.wasm \
//!     cargo bench -p wasmbed-bench --bench toolchains
//! ```
//!
//! Each component either exports `greet: func(name: string) -> string` (the
//! componentize-py and componentize-qjs greeters of `toolchains/`) or is a
//! WASI command exporting `wasi:cli/run` (the Rust `wasm32-wasip2` program of
//! `toolchains/rust`, which writes and reads a file in `/data`);
//! `WASMBED_COMPONENTS` lists their paths, `:`-separated. `bash
//! toolchains/check.sh` builds them into `target/toolchains/` (they are build
//! output, 18 MB for Python's): without the variable this bench says so and
//! measures nothing.
//!
//! Per component: `size:` lines (component, lowered module), then
//! - `lower`: the time to lower it;
//! - `instantiate`: a new instance from a pre-linked guest (wasmbed
//!   `InstancePre`, wasmtime `InstancePre`), with its initialization: for
//!   componentize-py, the Python interpreter's start;
//! - `greet`: one call on a live instance; for a command, `run`: a new
//!   instance running the program to its end (output discarded).
//!
//! Both sides grant the clocks and random numbers (libpython imports them)
//! and nothing else; wasmbed denies `wasi:sockets`, wasmtime-wasi's default
//! context allows no network address either.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use wasmbed::{Guest, InstancePre, Limits, Linker, Val, Wasmi};
use wasmbed_lower::{lower, Scheme};
use wasmbed_wasi::{Policy, WasiCtx};
use wasmtime::component::{Component, Linker as WtLinker, Val as W};

/// The guest's linear memory may grow to this many pages (componentize-py's
/// needs 197 at start).
const MAX_PAGES: u32 = 1024;

/// wasmtime-wasi's state for one component instance.
struct WtHost {
    ctx: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for WtHost {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

fn wt_host(command: Option<&CommandSetup>) -> WtHost {
    let mut b = wasmtime_wasi::WasiCtxBuilder::new();
    if let Some(c) = command {
        b.preopened_dir(c.data.path(), "/data", wasmtime_wasi::FsPerms::ReadWrite)
            .expect("wasmtime-wasi opens /data")
            .args(&["hello.wasm", "arg1", "arg2"])
            .env("GREETING", "hi");
    }
    WtHost {
        ctx: b.build(),
        table: Default::default(),
    }
}

/// The name of the `wasi:cli/run` export of a command's world, if it is one.
fn run_export(core: &[u8]) -> Option<String> {
    let world = wasmbed_wit::world_from_module(core).ok()??;
    world.exports.iter().find_map(|item| match item {
        wasmbed_wit::world::Item::Interface(i) if i.name.as_str().starts_with("wasi:cli/run@") => {
            Some(i.name.as_str().to_string())
        }
        _ => None,
    })
}

/// What the toolchains' command is given: `/data` (a directory of its own),
/// its arguments and `GREETING`.
struct CommandSetup {
    data: tempfile::TempDir,
}

fn policy(command: Option<&CommandSetup>) -> Policy {
    let p = Policy::new().allow_clocks().allow_random();
    match command {
        None => p,
        Some(c) => p
            .preopen_dir(c.data.path(), "/data", false)
            .args(["hello.wasm", "arg1", "arg2"])
            .env("GREETING", "hi")
            .stdout(std::io::sink()),
    }
}

fn wasi_ctx(command: Option<&CommandSetup>) -> WasiCtx {
    policy(command).build().expect("the policy builds")
}

/// The lowered module pre-linked on wasmbed/wasmi with WASI.
fn wasmbed_pre(core: &[u8], command: Option<&CommandSetup>) -> InstancePre<Wasmi, WasiCtx> {
    let world = wasmbed_wit::world_from_module(core)
        .expect("the component-type section reads")
        .expect("the lowered module carries its world");
    let guest = Guest::new(&Wasmi::new(), core, world).expect("the lowered module loads");
    let mut linker = Linker::new();
    wasmbed_wasi::add_imported_to_linker(&mut linker, &guest, policy(command).grants(), |c| c);
    linker.instantiate_pre(&guest).expect("WASI links")
}

fn limits() -> Limits {
    Limits {
        max_memory_pages: MAX_PAGES,
        ..Limits::default()
    }
}

fn bench(c: &mut Criterion) {
    let Ok(paths) = std::env::var("WASMBED_COMPONENTS") else {
        println!(
            "toolchains: WASMBED_COMPONENTS is not set: no component to measure \
             (see the doc comment of crates/bench/benches/toolchains.rs)"
        );
        return;
    };
    let engine = wasmtime::Engine::default();
    for path in paths.split(':').filter(|p| !p.is_empty()) {
        let name = std::path::Path::new(path)
            .file_name()
            .map_or(path.to_string(), |n| n.to_string_lossy().into_owned());
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let core = lower(&bytes, Scheme::Cm32p2).expect("the component lowers");
        println!(
            "size: {name}: component {} bytes -> core module {} bytes",
            bytes.len(),
            core.len()
        );

        let mut g = c.benchmark_group(format!("{name}/lower"));
        g.sample_size(10);
        g.bench_function("wasmbed-lower", |b| {
            b.iter(|| lower(black_box(&bytes), Scheme::Cm32p2).unwrap())
        });
        g.finish();

        let run = run_export(&core);
        let setup = run.as_ref().map(|_| CommandSetup {
            data: tempfile::tempdir().expect("a directory for /data"),
        });
        let cmd = setup.as_ref();
        // Compiling is outside every measurement; printed once for scale.
        let t = Instant::now();
        let wb_pre = wasmbed_pre(&core, cmd);
        println!("compile: {name}: wasmbed/wasmi {:?}", t.elapsed());
        let t = Instant::now();
        let comp = Component::new(&engine, &bytes).expect("wasmtime compiles the component");
        let mut linker = WtLinker::<WtHost>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("wasmtime-wasi links");
        let wt_pre = linker.instantiate_pre(&comp).expect("wasmtime pre-links");
        println!("compile: {name}: wasmtime {:?}", t.elapsed());

        let mut g = c.benchmark_group(format!("{name}/instantiate"));
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        g.bench_function("wasmbed/wasmi lowered", |b| {
            b.iter(|| wb_pre.instantiate(wasi_ctx(cmd), limits()).unwrap())
        });
        g.bench_function("wasmtime component", |b| {
            b.iter(|| {
                let mut store = wasmtime::Store::new(&engine, wt_host(cmd));
                let inst = wt_pre.instantiate(&mut store).unwrap();
                (store, inst)
            })
        });
        g.finish();

        if let Some(iface) = &run {
            let wb_run = |ctx| {
                let mut wb = wb_pre.instantiate(ctx, limits()).unwrap();
                wb.call(&format!("{iface}#run"), &[]).unwrap()
            };
            let wt_run = || {
                let mut store = wasmtime::Store::new(&engine, wt_host(cmd));
                let inst = wt_pre.instantiate(&mut store).unwrap();
                let i = inst.get_export_index(&mut store, None, iface).unwrap();
                let f = inst.get_export_index(&mut store, Some(&i), "run").unwrap();
                let func = inst.get_func(&mut store, f).unwrap();
                let mut out = [W::Bool(false)];
                func.call(&mut store, &[], &mut out).unwrap();
                out
            };
            assert_eq!(
                (wb_run(wasi_ctx(cmd)), &wt_run()[0]),
                (Some(Val::Result(Ok(None))), &W::Result(Ok(None))),
                "both runtimes run the command to success"
            );
            let mut g = c.benchmark_group(format!("{name}/run"));
            g.sample_size(20);
            g.bench_function("wasmbed/wasmi lowered", |b| {
                b.iter(|| wb_run(wasi_ctx(cmd)))
            });
            g.bench_function("wasmtime component", |b| b.iter(wt_run));
            g.finish();
            continue;
        }

        let mut wb = wb_pre.instantiate(wasi_ctx(cmd), limits()).unwrap();
        let arg = [Val::String("x".into())];
        let greeting = wb.call("greet", &arg).expect("greet runs on wasmbed");
        let mut store = wasmtime::Store::new(&engine, wt_host(cmd));
        let inst = wt_pre.instantiate(&mut store).unwrap();
        let func = inst
            .get_func(&mut store, "greet")
            .expect("the component exports greet");
        let wt_arg = [W::String("x".into())];
        let mut out = [W::Bool(false)];
        func.call(&mut store, &wt_arg, &mut out).unwrap();
        assert_eq!(
            (greeting, &out[0]),
            (
                Some(Val::String("Hello, x!".into())),
                &W::String("Hello, x!".into())
            ),
            "both runtimes greet alike"
        );

        let mut g = c.benchmark_group(format!("{name}/greet"));
        g.bench_function("wasmbed/wasmi lowered", |b| {
            b.iter(|| wb.call("greet", black_box(&arg)).unwrap())
        });
        g.bench_function("wasmtime component", |b| {
            b.iter(|| {
                let mut out = [W::Bool(false)];
                func.call(&mut store, black_box(&wt_arg), &mut out).unwrap();
                out
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
