//! Components built by real toolchains, lowered and run on wasmbed/wasmi
//! against the same component on wasmtime's component runtime (with
//! wasmtime-wasi 0.2), in one run:
//!
//! ```sh
//! WASMBED_COMPONENTS=/tmp/toolchains/py/greet/greet.wasm \
//!     cargo bench -p wasmbed-bench --bench toolchains
//! ```
//!
//! Each component exports `greet: func(name: string) -> string`, as the
//! componentize-py recipe of docs/lower-toolchains.md (section 2) builds it;
//! `WASMBED_COMPONENTS` lists their paths, `:`-separated. They are 18 MB each
//! and need Python's toolchain, so they are not in the repository: without
//! the variable this bench says so and measures nothing.
//!
//! Per component: `size:` lines (component, lowered module), then
//! - `lower`: the time to lower it;
//! - `instantiate`: a new instance from a pre-linked guest (wasmbed
//!   `InstancePre`, wasmtime `InstancePre`), with its initialization: for
//!   componentize-py, the Python interpreter's start;
//! - `greet`: one call on a live instance.
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

fn wt_host() -> WtHost {
    WtHost {
        ctx: wasmtime_wasi::WasiCtxBuilder::new().build(),
        table: Default::default(),
    }
}

fn policy() -> Policy {
    Policy::new().allow_clocks().allow_random()
}

fn wasi_ctx() -> WasiCtx {
    policy().build().expect("the policy builds")
}

/// The lowered module pre-linked on wasmbed/wasmi with WASI.
fn wasmbed_pre(core: &[u8]) -> InstancePre<Wasmi, WasiCtx> {
    let world = wasmbed_wit::world_from_module(core)
        .expect("the component-type section reads")
        .expect("the lowered module carries its world");
    let guest = Guest::new(&Wasmi::new(), core, world).expect("the lowered module loads");
    let mut linker = Linker::new();
    wasmbed_wasi::add_imported_to_linker(&mut linker, &guest, policy().grants(), |c| c);
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

        // Compiling is outside every measurement; printed once for scale.
        let t = Instant::now();
        let wb_pre = wasmbed_pre(&core);
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
            b.iter(|| wb_pre.instantiate(wasi_ctx(), limits()).unwrap())
        });
        g.bench_function("wasmtime component", |b| {
            b.iter(|| {
                let mut store = wasmtime::Store::new(&engine, wt_host());
                let inst = wt_pre.instantiate(&mut store).unwrap();
                (store, inst)
            })
        });
        g.finish();

        let mut wb = wb_pre.instantiate(wasi_ctx(), limits()).unwrap();
        let arg = [Val::String("x".into())];
        let greeting = wb.call("greet", &arg).expect("greet runs on wasmbed");
        let mut store = wasmtime::Store::new(&engine, wt_host());
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
