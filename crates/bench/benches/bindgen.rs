//! Generated bindings, wasmbed/wasmi (`wasmbed::bindgen!`) against wasmtime 48's
//! component runtime (`wasmtime::component::bindgen!`), on the same core module
//! (`wasmbed_bench::BG_WAT`, wrapped into a component by wit-component for
//! wasmtime) with the same host logic, one run:
//! `cargo bench -p wasmbed-bench --bench bindgen`.
//!
//! For each type, `export` is one host call of `echo-*` (arguments lowered
//! into the guest, the result lifted back, post-return), and `import` is one
//! call of `loop-*`, in which the guest calls the host's `map-*` `N` times
//! (arguments lifted to Rust values, the result lowered back): per import
//! call, divide by `N`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use wasmbed_bench::{bg_wasmbed, bg_wasmtime, BG_POINTS};

const N: u32 = 1000;

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
    elements: u64,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(elements));
    g
}

fn bench(c: &mut Criterion) {
    let (wb, mut inst) = bg_wasmbed::instance();
    let (wt, mut store) = bg_wasmtime::instance();
    let wb = wb.bench_bg_api();
    let wt = wt.bench_bg_api();

    // Exports: the host calls echo-* once per iteration.
    {
        use bg_wasmbed::bench::bg::types as b;
        use bg_wasmtime::bench::bg::types as t;
        let name = "sixteen byte str";

        let mut g = group(c, "export rec{u32,f64,string16}", 1);
        g.bench_function("wasmbed", |bn| {
            bn.iter(|| {
                let r = b::Rec {
                    a: 1,
                    b: 2.5,
                    name: black_box(name).into(),
                };
                wb.call_echo_rec(&mut inst, &r).unwrap()
            })
        });
        g.bench_function("wasmtime", |bn| {
            bn.iter(|| {
                let r = t::Rec {
                    a: 1,
                    b: 2.5,
                    name: black_box(name).into(),
                };
                wt.call_echo_rec(&mut store, &r).unwrap()
            })
        });
        g.finish();

        let wb_pts: Vec<b::Pt> = (0..BG_POINTS).map(|i| b::Pt { x: i, y: !i }).collect();
        let wt_pts: Vec<t::Pt> = (0..BG_POINTS).map(|i| t::Pt { x: i, y: !i }).collect();
        let mut g = group(c, "export list<pt{u32,u32}> 1000", 1);
        g.bench_function("wasmbed", |bn| {
            bn.iter(|| wb.call_echo_pts(&mut inst, black_box(&wb_pts)).unwrap())
        });
        g.bench_function("wasmtime", |bn| {
            bn.iter(|| wt.call_echo_pts(&mut store, black_box(&wt_pts)).unwrap())
        });
        g.finish();

        let mut g = group(c, "export variant v text(string16)", 1);
        g.bench_function("wasmbed", |bn| {
            bn.iter(|| {
                let v = b::V::Text(black_box(name).into());
                wb.call_echo_v(&mut inst, &v).unwrap()
            })
        });
        g.bench_function("wasmtime", |bn| {
            bn.iter(|| {
                let v = t::V::Text(black_box(name).into());
                wt.call_echo_v(&mut store, &v).unwrap()
            })
        });
        g.finish();

        let mut g = group(c, "export rec{u32,f64} (no heap)", 1);
        g.bench_function("wasmbed", |bn| {
            bn.iter(|| {
                wb.call_echo_sc(&mut inst, black_box(b::Sc { a: 1, b: 2.5 }))
                    .unwrap()
            })
        });
        g.bench_function("wasmtime", |bn| {
            bn.iter(|| {
                wt.call_echo_sc(&mut store, black_box(t::Sc { a: 1, b: 2.5 }))
                    .unwrap()
            })
        });
        g.finish();

        let mut g = group(c, "export variant sv num(u64) (no heap)", 1);
        g.bench_function("wasmbed", |bn| {
            bn.iter(|| {
                wb.call_echo_sv(&mut inst, black_box(b::Sv::Num(7)))
                    .unwrap()
            })
        });
        g.bench_function("wasmtime", |bn| {
            bn.iter(|| {
                wt.call_echo_sv(&mut store, black_box(t::Sv::Num(7)))
                    .unwrap()
            })
        });
        g.finish();
    }

    // Imports: one loop-* call is N guest calls of map-*.
    macro_rules! imports {
        ($group:expr, $call:ident) => {{
            let mut g = group(c, $group, N.into());
            g.bench_function("wasmbed", |bn| {
                bn.iter(|| wb.$call(&mut inst, black_box(N)).unwrap())
            });
            g.bench_function("wasmtime", |bn| {
                bn.iter(|| wt.$call(&mut store, black_box(N)).unwrap())
            });
            g.finish();
        }};
    }
    imports!("import rec{u32,f64,string16} x1000", call_loop_rec);
    imports!("import list<pt{u32,u32}> 1000 x1000", call_loop_pts);
    imports!("import variant v text(string16) x1000", call_loop_v);
    imports!("import rec{u32,f64} (no heap) x1000", call_loop_sc);
    imports!("import variant sv num(u64) (no heap) x1000", call_loop_sv);
    // A record of two u32s: no heap data and an all-i32 core signature, which
    // wasmbed links through a statically typed wasmi trampoline (the f64 and
    // i64 signatures above go through wasmi's dynamically typed `Func::new`).
    imports!("import rec{u32,u32} (no heap, all-i32) x1000", call_loop_pt);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
