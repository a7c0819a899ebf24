//! Compute-bound guests, the same C on every engine and natively, one run:
//! `cargo bench -p wasmbed-bench --bench compute`.
//!
//! `guests/compute/compute.c`: the CRC-32 of 64 KiB (table-driven, a load
//! and a few ALU operations per byte), and a sieve of Eratosthenes below
//! 65,536 (stores and branches). wasmbed/wasmi and wasmbed/WAMR call the
//! cm32p2 exports through wasmbed (one boundary crossing per iteration, far
//! below the work); wasmtime runs the same core module compiled by Cranelift;
//! native is the C compiled at -O2 for this machine (build.rs).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wasmbed::{Val, Wamr, Wasmi};
use wasmbed_bench::compute::{native, on_wasmbed, on_wasmtime};

const SEED: u32 = 0x5eed;
const LEN: u32 = 65536;
const LIMIT: u32 = 65536;

fn bench(c: &mut Criterion) {
    let mut wasmi = on_wasmbed(&Wasmi::new(), SEED);
    let mut wamr = on_wasmbed(&Wamr::new(), SEED);
    let (mut store, wt) = on_wasmtime(SEED);
    let wt_crc = wt
        .get_typed_func::<u32, u32>(&mut store, "cm32p2||crc32")
        .unwrap();
    let wt_primes = wt
        .get_typed_func::<u32, u32>(&mut store, "cm32p2||primes")
        .unwrap();
    native::crc32(SEED, LEN);

    let mut g = c.benchmark_group("crc32 64KiB");
    g.throughput(Throughput::Bytes(LEN.into()));
    let len = [Val::U32(LEN)];
    g.bench_function("wasmbed/wasmi", |b| {
        b.iter(|| wasmi.call("crc32", black_box(&len)).unwrap())
    });
    g.bench_function("wasmbed/wamr", |b| {
        b.iter(|| wamr.call("crc32", black_box(&len)).unwrap())
    });
    g.bench_function("wasmtime", |b| {
        b.iter(|| wt_crc.call(&mut store, black_box(LEN)).unwrap())
    });
    g.bench_function("native", |b| b.iter(|| native::crc32_again(black_box(LEN))));
    g.finish();

    let mut g = c.benchmark_group("primes below 65536");
    let limit = [Val::U32(LIMIT)];
    g.bench_function("wasmbed/wasmi", |b| {
        b.iter(|| wasmi.call("primes", black_box(&limit)).unwrap())
    });
    g.bench_function("wasmbed/wamr", |b| {
        b.iter(|| wamr.call("primes", black_box(&limit)).unwrap())
    });
    g.bench_function("wasmtime", |b| {
        b.iter(|| wt_primes.call(&mut store, black_box(LIMIT)).unwrap())
    });
    g.bench_function("native", |b| b.iter(|| native::primes(black_box(LIMIT))));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
