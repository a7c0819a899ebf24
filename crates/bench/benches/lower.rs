//! Components lowered by wasmbed-lower against the same components on
//! wasmtime's component runtime, one run:
//! `cargo bench -p wasmbed-bench --bench lower`.
//!
//! - `lower/*`: the time to lower each component (wit-component wraps the
//!   repository's guests; `+adapter` ones carry the preview 1 command adapter).
//!   Sizes are printed once at the start (`size:` lines).
//! - `sensor summarize`: the README's call on the lowered sensor component
//!   on wasmbed/wasmi and wasmbed/WAMR against wasmtime running the component.
//! - `sensor instantiate`: a new instance from a pre-linked guest (wasmbed
//!   `InstancePre`) against wasmtime's `InstancePre`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use wasmbed::{Engine, Guest, Instance, Limits, Linker, Val, Wamr, Wasmi};
use wasmbed_lower::{lower, Scheme};
use wasmtime::component::{Component, Linker as WtLinker, Val as W};

fn repo(rel: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel),
    )
    .expect("a committed guest")
}

/// `module` as wit-component wraps it, with the preview 1 command adapter if `adapt`.
fn component(module: &[u8], adapt: bool) -> Vec<u8> {
    let mut encoder = wit_component::ComponentEncoder::default();
    let e = encoder.module(module).unwrap().validate(true);
    if adapt {
        e.adapter(
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .unwrap();
    }
    e.encode().unwrap()
}

const SUMMARIZE: &str = "wasmbed:examples/filter@0.1.0#summarize";

fn readings() -> Vec<Val> {
    let r = |s: u32, c: f64| Val::Record(vec![Val::U32(s), Val::F64(c)]);
    vec![
        Val::List(vec![r(1, 21.5), r(2, 48.0), r(3, 19.0)]),
        Val::F64(0.0),
        Val::F64(40.0),
    ]
}

fn on_wasmbed<E: Engine>(engine: &E, core: &[u8]) -> Instance<E> {
    let world = wasmbed_wit::world_from_module(core).unwrap().unwrap();
    let guest = Guest::new(engine, core, world).unwrap();
    Linker::new()
        .instantiate(&guest, (), Limits::default())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let inputs = [
        (
            "sensor",
            component(&repo("examples/sensor/sensor.wasm"), false),
        ),
        ("types", component(&repo("guests/types/types.wasm"), false)),
        (
            "resources",
            component(&repo("guests/resources/resources.wasm"), false),
        ),
        (
            "hello+adapter",
            component(&repo("guests/wasi/hello.wasm"), true),
        ),
        (
            "mixed+adapter",
            component(&repo("guests/wasi-mixed/mixed.wasm"), true),
        ),
    ];
    let mut g = c.benchmark_group("lower");
    for (name, bytes) in &inputs {
        let out = lower(bytes, Scheme::Cm32p2).unwrap();
        println!(
            "size: {name}: component {} bytes -> core module {} bytes",
            bytes.len(),
            out.len()
        );
        g.bench_function(*name, |b| {
            b.iter(|| lower(black_box(bytes), Scheme::Cm32p2).unwrap())
        });
    }
    g.finish();

    let sensor = &inputs[0].1;
    let core = lower(sensor, Scheme::Cm32p2).unwrap();
    let args = readings();
    let mut wi = on_wasmbed(&Wasmi::new(), &core);
    let mut wa = on_wasmbed(&Wamr::new(), &core);
    let engine = wasmtime::Engine::default();
    let comp = Component::new(&engine, sensor).unwrap();
    let linker = WtLinker::<()>::new(&engine);
    let pre = linker.instantiate_pre(&comp).unwrap();
    let mut store = wasmtime::Store::new(&engine, ());
    let inst = pre.instantiate(&mut store).unwrap();
    let iface = inst
        .get_export_index(&mut store, None, "wasmbed:examples/filter@0.1.0")
        .unwrap();
    let fidx = inst
        .get_export_index(&mut store, Some(&iface), "summarize")
        .unwrap();
    let func = inst.get_func(&mut store, fidx).unwrap();
    let rec = |s: u32, c: f64| {
        W::Record(vec![
            ("sensor".into(), W::U32(s)),
            ("celsius".into(), W::Float64(c)),
        ])
    };
    let wt_args = [
        W::List(vec![rec(1, 21.5), rec(2, 48.0), rec(3, 19.0)]),
        W::Float64(0.0),
        W::Float64(40.0),
    ];
    let mut g = c.benchmark_group("sensor summarize");
    g.bench_function("wasmbed/wasmi lowered", |b| {
        b.iter(|| wi.call(SUMMARIZE, black_box(&args)).unwrap())
    });
    g.bench_function("wasmbed/wamr lowered", |b| {
        b.iter(|| wa.call(SUMMARIZE, black_box(&args)).unwrap())
    });
    g.bench_function("wasmtime component", |b| {
        b.iter(|| {
            let mut out = [W::Bool(false)];
            func.call(&mut store, black_box(&wt_args), &mut out)
                .unwrap();
            out
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sensor instantiate");
    let world = wasmbed_wit::world_from_module(&core).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), &core, world).unwrap();
    let wb_pre = Linker::<()>::new().instantiate_pre(&guest).unwrap();
    g.bench_function("wasmbed/wasmi lowered", |b| {
        b.iter(|| wb_pre.instantiate((), Limits::default()).unwrap())
    });
    g.bench_function("wasmtime component", |b| {
        b.iter(|| {
            let mut store = wasmtime::Store::new(&engine, ());
            pre.instantiate(&mut store).unwrap();
            store
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
