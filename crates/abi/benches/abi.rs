//! Lower+lift costs of typical values, the zero-copy read, and `memcpy` for scale.
//!
//! Run: `cargo bench -p wasmbed-abi --bench abi`. Figures go to `docs/benchmarks.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wasmbed_abi::{
    lift_flat, lower_flat, read_bytes, write_bytes, BumpMemory, FlatVal, RawHandles, Type, Val,
};

const MEMORY: usize = 1 << 16;
const HEAP: u32 = 64;

/// Lowers `v` into a fresh bump heap and lifts it back, as a host call's argument would go.
fn lower_lift(ty: &Type, v: &Val, bytes: &mut [u8], flat: &mut Vec<FlatVal>) -> Val {
    flat.clear();
    let mut mem = BumpMemory::new(bytes, HEAP);
    lower_flat(ty, v, &mut mem, &mut RawHandles, flat).unwrap();
    lift_flat(ty, flat, mem.data(), &mut RawHandles).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut bytes = vec![0u8; MEMORY];
    let mut flat = Vec::with_capacity(8);

    let mut g = c.benchmark_group("lower+lift");

    let record =
        Type::record([("id", Type::U32), ("x", Type::F64), ("name", Type::String)]).unwrap();
    let record_val = Val::Record(vec![
        Val::U32(42),
        Val::F64(1.5),
        Val::String("sixteen-byte-str".into()),
    ]);
    g.bench_function("record{u32,f64,string16}", |b| {
        b.iter(|| lower_lift(&record, black_box(&record_val), &mut bytes, &mut flat))
    });

    let list_u8 = Type::list(Type::U8).unwrap();
    let payload: Vec<u8> = (0..4096u32).map(|i| i as u8).collect();
    let list_u8_val = Val::List(payload.iter().map(|b| Val::U8(*b)).collect());
    g.throughput(Throughput::Bytes(4096));
    g.bench_function("list<u8>/4KiB Val", |b| {
        b.iter(|| lower_lift(&list_u8, black_box(&list_u8_val), &mut bytes, &mut flat))
    });
    g.bench_function("list<u8>/4KiB slice", |b| {
        b.iter(|| {
            let mut mem = BumpMemory::new(&mut bytes, HEAP);
            let (p, n) = write_bytes(&mut mem, black_box(&payload)).unwrap();
            black_box(read_bytes(mem.data(), p, n).unwrap().len())
        })
    });

    let pair = Type::record([("a", Type::U32), ("b", Type::U32)]).unwrap();
    let list_pairs = Type::list(pair).unwrap();
    let pairs_val = Val::List(
        (0..1000u32)
            .map(|i| Val::Record(vec![Val::U32(i), Val::U32(!i)]))
            .collect(),
    );
    g.throughput(Throughput::Elements(1000));
    g.bench_function("list<record{u32,u32}>/1000", |b| {
        b.iter(|| lower_lift(&list_pairs, black_box(&pairs_val), &mut bytes, &mut flat))
    });
    g.finish();

    let mut g = c.benchmark_group("4KiB");
    g.throughput(Throughput::Bytes(4096));
    let mut mem = BumpMemory::new(&mut bytes, HEAP);
    let (p, n) = write_bytes(&mut mem, &payload).unwrap();
    let data = mem.data().to_vec();
    g.bench_function("zero-copy read list<u8>", |b| {
        b.iter(|| black_box(read_bytes(black_box(&data), black_box(p), black_box(n)).unwrap()))
    });
    let mut dst = vec![0u8; 4096];
    g.bench_function("memcpy", |b| {
        b.iter(|| {
            dst.copy_from_slice(black_box(&payload));
            black_box(&mut dst);
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
