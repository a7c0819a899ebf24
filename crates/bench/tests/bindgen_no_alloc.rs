//! Calls through `wasmbed::bindgen!` bindings of functions whose types own no
//! heap data (a record of scalars, a variant of scalars), counted with a
//! global allocator once warm.
//!
//! Exports allocate nothing, and neither do these imports: each takes a
//! statically typed wasmi trampoline (`typed_of` in
//! `crates/runtime/src/engine/wasmi.rs`), where wasmi's dynamically typed
//! host functions (`Func::new`) clone a `Box<[Val]>` parameter buffer on
//! every call. `map-pt` is all `i32`; `map-sc` takes the record's `f64` and
//! `map-sv` the variant's joined `i64`, each with the result's pointer after
//! (both allocated once per call before floats and `i64`s had typed
//! trampolines).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmbed_bench::bg_wasmbed::{
    self,
    bench::bg::types::{Pt, Sc, Sv},
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call unchanged to the system allocator; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f`.
fn count(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    f();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn scalar_records_and_variants_cross_both_ways_without_allocating() {
    let (bindings, mut inst) = bg_wasmbed::instance();
    let api = bindings.bench_bg_api();
    // Warm up every path once.
    for _ in 0..10 {
        api.call_echo_sc(&mut inst, Sc { a: 1, b: 2.0 }).unwrap();
        api.call_echo_sv(&mut inst, Sv::Num(1)).unwrap();
        api.call_echo_sv(&mut inst, Sv::Pair(Pt { x: 1, y: 2 }))
            .unwrap();
        api.call_loop_sc(&mut inst, 10).unwrap();
        api.call_loop_sv(&mut inst, 10).unwrap();
        api.call_loop_pt(&mut inst, 10).unwrap();
    }

    let mut sum = 0u64;
    let echo_sc = count(|| {
        for i in 0..1000u32 {
            let r = api.call_echo_sc(&mut inst, Sc { a: i, b: 0.5 }).unwrap();
            sum += u64::from(r.a);
        }
    });
    let echo_sv = count(|| {
        for i in 0..1000u32 {
            let v = if i % 2 == 0 {
                Sv::Num(u64::from(i))
            } else {
                Sv::Pair(Pt { x: i, y: 1 })
            };
            match api.call_echo_sv(&mut inst, v).unwrap() {
                Sv::Num(n) => sum += n,
                Sv::Pair(p) => sum += u64::from(p.x),
                Sv::None => {}
            }
        }
    });
    // One export call each, crossing the import 1000 times.
    let mut loops = (0, 0);
    let loop_sc = count(|| loops.0 = api.call_loop_sc(&mut inst, 1000).unwrap());
    let loop_sv = count(|| loops.1 = api.call_loop_sv(&mut inst, 1000).unwrap());
    let mut loop_pt_result = 0;
    let loop_pt = count(|| loop_pt_result = api.call_loop_pt(&mut inst, 1000).unwrap());

    // Each of the two loops sums 0..1000 back.
    assert_eq!(sum, 2 * (0..1000u64).sum::<u64>());
    assert_eq!((loops.0, loops.1, loop_pt_result), (1000, 1000, 1000));
    eprintln!(
        "allocations per 1000 calls: export echo-sc {echo_sc}, export echo-sv {echo_sv}, \
         import map-pt {loop_pt}, import map-sc {loop_sc}, import map-sv {loop_sv}"
    );
    assert_eq!(
        (echo_sc, echo_sv, loop_pt, loop_sc, loop_sv),
        (0, 0, 0, 0, 0),
        "allocations: 1000 calls of echo-sc, 1000 of echo-sv, 1000 imports of map-pt, map-sc, map-sv"
    );
}
