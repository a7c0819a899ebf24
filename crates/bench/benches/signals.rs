//! Signals: the latency from `Interrupt::raise` on another thread to the
//! guest's handler, and what running calls in fuel slices costs a
//! compute-bound guest. `cargo bench -p wasmbed-bench --bench signals`.
//!
//! Latency: the guest spins until its handler sets a flag (the handler
//! answers `resume`); another thread raises the signal while it spins and
//! notes the instant; the figure is from that instant to the call's return,
//! so it bounds raise → handler from above by one loop iteration. Medians
//! and p99 over many signals, for two slice sizes; the bound is the slice
//! in fuel units, converted to time with the fuel rate measured here.
//!
//! Slicing cost (criterion): the same `sum(n)` unmetered, metered without
//! slicing, and sliced.

use std::hint::black_box;
use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use wasmbed::signals::INTERRUPT;
use wasmbed::{Guest, Instance, Interrupt, Limits, Linker, SignalConfig, Val, Wasmi, World};
use wasmbed_wit::wit_parser::Resolve;

const WIT: &str = "package bench:sig;
world g {
  export wait-flag: func();
  export sum: func(n: u32) -> u64;
  export wasmbed:signals/handler@0.1.0;
}";

/// `sum`, shared with the signal tests.
const SUM: &str = include_str!("../../runtime/tests/sum.wat");

fn wat() -> String {
    format!(
        r#"(module
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2||wait-flag")
    (i32.store (i32.const 0) (i32.const 0))
    (loop $spin (br_if $spin (i32.eqz (i32.load (i32.const 0))))))
  {SUM}
  (func (export "cm32p2|wasmbed:signals/handler@0.1|on-signal") (param i32) (result i32)
    (i32.store (i32.const 0) (i32.const 1))
    (i32.const 0)))"#
    )
}

fn world() -> World {
    let mut r = Resolve::default();
    let signals = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/signals");
    r.push_path(&signals).unwrap();
    let pkg = r.push_str("bench.wit", WIT).unwrap();
    let id = r.select_world(&[pkg], Some("g")).unwrap();
    wasmbed_wit::world_from_resolve(&r, id).unwrap()
}

fn instance(engine: &Wasmi) -> Instance<Wasmi> {
    let wasm = wat::parse_str(wat()).unwrap();
    let guest = Guest::new(engine, &wasm, world()).unwrap();
    Linker::new()
        .instantiate(&guest, (), Limits::default())
        .unwrap()
}

/// Raise → return latencies of `n` signals with slices of `slice` fuel.
fn latencies(slice: u64, n: usize) -> Vec<Duration> {
    let mut inst = instance(&Wasmi::with_fuel());
    let interrupt = Interrupt::new();
    let config = SignalConfig {
        slice,
        ..SignalConfig::default()
    };
    inst.set_signals(interrupt.clone(), config).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let raised = Arc::new(Mutex::new(Instant::now()));
    let raiser = {
        let (barrier, raised, interrupt) = (barrier.clone(), raised.clone(), interrupt.clone());
        std::thread::spawn(move || {
            for k in 0..n {
                barrier.wait();
                // Let the guest get well into its loop, at a varying phase.
                std::thread::sleep(Duration::from_micros(200 + (k as u64 * 37) % 300));
                *raised.lock().unwrap() = Instant::now();
                interrupt.raise(INTERRUPT);
            }
        })
    };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        barrier.wait();
        inst.call("wait-flag", &[]).unwrap();
        out.push(raised.lock().unwrap().elapsed());
    }
    raiser.join().unwrap();
    out.sort();
    out
}

/// Fuel units per microsecond on this machine, from a sliced `sum`.
fn fuel_rate() -> f64 {
    let mut inst = instance(&Wasmi::with_fuel());
    inst.set_signals(Interrupt::new(), SignalConfig::default())
        .unwrap();
    let before = inst.fuel().unwrap();
    let start = Instant::now();
    inst.call("sum", &[Val::U32(20_000_000)]).unwrap();
    let took = start.elapsed();
    (before - inst.fuel().unwrap()) as f64 / took.as_secs_f64() / 1e6
}

fn latency_report() {
    let rate = fuel_rate();
    println!("fuel rate: {rate:.1} fuel units per µs (sliced `sum`)");
    for slice in [1_000u64, 10_000, 100_000] {
        let l = latencies(slice, 2_000);
        let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
        println!(
            "slice {slice:>7} fuel: raise → return median {:?}, p99 {:?}, max {:?}; bound one slice = {:.1} µs",
            pct(0.5),
            pct(0.99),
            l[l.len() - 1],
            slice as f64 / rate
        );
    }
}

fn slicing_cost(c: &mut Criterion) {
    const N: u32 = 1_000_000;
    let mut g = c.benchmark_group("sum(1e6)");
    g.throughput(Throughput::Elements(N.into()));
    let mut plain = instance(&Wasmi::new());
    g.bench_function("unmetered", |b| {
        b.iter(|| plain.call("sum", black_box(&[Val::U32(N)])).unwrap())
    });
    let mut metered = instance(&Wasmi::with_fuel());
    g.bench_function("metered, not sliced", |b| {
        b.iter(|| metered.call("sum", black_box(&[Val::U32(N)])).unwrap())
    });
    for slice in [10_000u64, 100_000] {
        let mut sliced = instance(&Wasmi::with_fuel());
        let config = SignalConfig {
            slice,
            ..SignalConfig::default()
        };
        sliced.set_signals(Interrupt::new(), config).unwrap();
        g.bench_function(format!("sliced every {slice} fuel"), |b| {
            b.iter(|| sliced.call("sum", black_box(&[Val::U32(N)])).unwrap())
        });
    }
    g.finish();
}

fn main() {
    latency_report();
    let mut c = Criterion::default().configure_from_args();
    slicing_cost(&mut c);
    c.final_summary();
}
