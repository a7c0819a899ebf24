//! Boundary crossing with trivial bodies, wasmbed on wasmi and on WAMR
//! against wasmtime's component runtime, same guest, one run:
//! `cargo bench -p wasmbed-bench --bench boundary`.
//!
//! `raw-wasmi` is the floor: the same core module on wasmi alone, host
//! functions linked with wasmi's own `Linker::func_wrap` doing the same work,
//! exports called through wasmi `TypedFunc`s; what wasmbed adds is the gap.
//!
//! Import crossings are measured by a guest loop of `N` calls, so per call is
//! the figure divided by `N`; the export is called from the host each time.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wasmbed::{Val, Wamr};
use wasmbed_bench::{raw_wasmi_instance, wasmbed_instance, wasmbed_instance_on, wasmtime_instance};

const N: u32 = 1000;

fn bench(c: &mut Criterion) {
    let mut wb = wasmbed_instance();
    let mut wm = wasmbed_instance_on(&Wamr::new());
    let (mut store, wt) = wasmtime_instance();
    let (mut raw_store, raw) = raw_wasmi_instance();
    let raw_func = |name: &str| {
        raw.get_typed_func::<u32, u32>(&raw_store, name)
            .expect("raw export")
    };
    let (raw_loop_f, raw_g) = (raw_func("cm32p2||loop-f"), raw_func("cm32p2||g"));
    let raw_unit = |name: &str| {
        raw.get_typed_func::<u32, ()>(&raw_store, name)
            .expect("raw export")
    };
    let (raw_loop_s, raw_loop_l) = (raw_unit("cm32p2||loop-s"), raw_unit("cm32p2||loop-l"));

    let mut g = c.benchmark_group("import f(u32)->u32");
    g.throughput(Throughput::Elements(N.into()));
    let n = [Val::U32(N)];
    g.bench_function("wasmbed", |b| {
        b.iter(|| wb.call("loop-f", black_box(&n)).unwrap())
    });
    g.bench_function("wasmbed/wamr", |b| {
        b.iter(|| wm.call("loop-f", black_box(&n)).unwrap())
    });
    let f = wt
        .get_typed_func::<(u32,), (u32,)>(&mut store, "loop-f")
        .unwrap();
    g.bench_function("wasmtime", |b| {
        b.iter(|| f.call(&mut store, black_box((N,))).unwrap())
    });
    let f = raw_loop_f;
    g.bench_function("raw-wasmi", |b| {
        b.iter(|| f.call(&mut raw_store, black_box(N)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("import f(string16)");
    g.throughput(Throughput::Elements(N.into()));
    g.bench_function("wasmbed", |b| {
        b.iter(|| wb.call("loop-s", black_box(&n)).unwrap())
    });
    g.bench_function("wasmbed/wamr", |b| {
        b.iter(|| wm.call("loop-s", black_box(&n)).unwrap())
    });
    let f = wt
        .get_typed_func::<(u32,), ()>(&mut store, "loop-s")
        .unwrap();
    g.bench_function("wasmtime", |b| {
        b.iter(|| f.call(&mut store, black_box((N,))).unwrap())
    });
    let f = raw_loop_s;
    g.bench_function("raw-wasmi", |b| {
        b.iter(|| f.call(&mut raw_store, black_box(N)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("import f(list<u8> 4KiB)");
    g.throughput(Throughput::Elements(N.into()));
    g.bench_function("wasmbed", |b| {
        b.iter(|| wb.call("loop-l", black_box(&n)).unwrap())
    });
    g.bench_function("wasmbed/wamr", |b| {
        b.iter(|| wm.call("loop-l", black_box(&n)).unwrap())
    });
    let f = wt
        .get_typed_func::<(u32,), ()>(&mut store, "loop-l")
        .unwrap();
    g.bench_function("wasmtime", |b| {
        b.iter(|| f.call(&mut store, black_box((N,))).unwrap())
    });
    let f = raw_loop_l;
    g.bench_function("raw-wasmi", |b| {
        b.iter(|| f.call(&mut raw_store, black_box(N)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("export g(u32)->u32");
    let x = [Val::U32(7)];
    g.bench_function("wasmbed Val", |b| {
        b.iter(|| wb.call("g", black_box(&x)).unwrap())
    });
    let typed = wb.typed::<(u32,), u32>("g").unwrap();
    g.bench_function("wasmbed typed", |b| {
        b.iter(|| typed.call(&mut wb, black_box((7,))).unwrap())
    });
    g.bench_function("wasmbed/wamr Val", |b| {
        b.iter(|| wm.call("g", black_box(&x)).unwrap())
    });
    let typed = wm.typed::<(u32,), u32>("g").unwrap();
    g.bench_function("wasmbed/wamr typed", |b| {
        b.iter(|| typed.call(&mut wm, black_box((7,))).unwrap())
    });
    let f = wt
        .get_typed_func::<(u32,), (u32,)>(&mut store, "g")
        .unwrap();
    g.bench_function("wasmtime", |b| {
        b.iter(|| f.call(&mut store, black_box((7,))).unwrap())
    });
    let f = raw_g;
    g.bench_function("raw-wasmi", |b| {
        b.iter(|| f.call(&mut raw_store, black_box(7)).unwrap())
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
