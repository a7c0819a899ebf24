//! 1 MiB to stdout in 4 KiB writes on wasmbed: WASI 0.2
//! `blocking-write-and-flush` (a flat host function, bytes read in place)
//! against preview 1 `fd_write`, one module importing both:
//! `cargo bench -p wasmbed-bench --bench wasi_p2`.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wasmbed::{Guest, Limits, Wasmi};
use wasmbed_wasi::Policy;

const WAT: &str = r#"(module
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $out (result i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush"
    (func $w (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.12" "[resource-drop]output-stream" (func $drop (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fw (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "p2") (local $h i32) (local $i i32)
    call $out local.set $h
    (loop $l
      local.get $h i32.const 1024 i32.const 4096 i32.const 0 call $w
      ;; the result's discriminant: 0 is ok
      (if (i32.load8_u (i32.const 0)) (then unreachable))
      local.get $i i32.const 1 i32.add local.tee $i i32.const 256 i32.lt_u br_if $l)
    local.get $h call $drop)
  (func (export "p1") (local $i i32)
    (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (i32.const 4096))
    (loop $l
      (if (call $fw (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)) (then unreachable))
      (if (i32.ne (i32.load (i32.const 8)) (i32.const 4096)) (then unreachable))
      local.get $i i32.const 1 i32.add local.tee $i i32.const 256 i32.lt_u br_if $l)))"#;

/// A stdout that discards and counts.
#[derive(Clone, Default)]
struct Count(Arc<AtomicU64>);

impl io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn guest() -> Guest<Wasmi> {
    let wit = concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit");
    let mut resolve = wasmbed_wit::wit_parser::Resolve::default();
    let (pkg, _) = resolve.push_dir(wit).expect("the vendored WIT parses");
    let world = resolve
        .select_world(&[pkg], Some("imports"))
        .expect("world `imports`");
    let world = wasmbed_wit::world_from_resolve(&resolve, world).expect("world converts");
    let wasm = wat::parse_str(WAT).expect("WAT parses");
    Guest::new(&Wasmi::new(), &wasm, world).expect("guest loads")
}

fn stdout(c: &mut Criterion) {
    let g = guest();
    let mut group = c.benchmark_group("stdout_1MiB_4KiB_writes");
    group.throughput(Throughput::Bytes(1 << 20));
    for (label, export) in [
        ("wasi 0.2 blocking-write-and-flush", "p2"),
        ("preview 1 fd_write", "p1"),
    ] {
        let out = Count::default();
        let ctx = Policy::new().stdout(out.clone()).build().expect("policy");
        let mut inst = wasmbed_wasi::instantiate(&g, ctx, Limits::default()).expect("instantiates");
        group.bench_function(label, |b| {
            b.iter(|| inst.call_core(export).expect("the guest writes 1 MiB"))
        });
        assert!(
            out.0.load(Ordering::Relaxed) >= 1 << 20,
            "{label}: stdout got the bytes"
        );
    }
    group.finish();
}

criterion_group!(benches, stdout);
criterion_main!(benches);
