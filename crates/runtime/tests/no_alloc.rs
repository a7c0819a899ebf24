//! Calls with scalar parameters and results, typed host functions reading
//! strings in place, and generated bindings over records of scalars with the
//! host's state in the instance's data, allocate nothing once warm: counted
//! per thread with a global allocator.
//!
//! Each test runs on wasmi and, with the `wamr` feature, on WAMR. On WAMR the
//! count covers wasmbed's side (the trampoline, the call path, the host
//! functions); WAMR's own C allocations go through `malloc`, which this
//! allocator does not see.
//!
//! Known limit: an import whose core signature a typed trampoline does not
//! take (more than three parameters with a float among them, more than four
//! with an `i64`, more than eight, or more than one result) is linked through wasmi's
//! `func_new`, which allocates once per call; these tests pin the paths
//! that do not.

use std::alloc::{GlobalAlloc, Layout, System};

use wasmbed::{Engine, Guest, GuestStr, HostCx, Limits, Linker, Val, Wasmi};
use wasmbed_wit::wit_parser::Resolve;

struct Counting;

thread_local! {
    /// This thread's allocations: tests run in parallel, each counts its own.
    static MINE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn count() {
    MINE.with(|c| c.set(c.get() + 1));
}

/// Allocations made by this thread so far.
fn allocated() -> usize {
    MINE.with(|c| c.get())
}

// SAFETY: forwards every call unchanged to the system allocator; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        count();
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WIT: &str = "package test:alloc;
interface host {
  f: func(x: u32) -> u32;
  len: func(s: string) -> u32;
  both: func(a: string, b: string, n: u32) -> u32;
  now: func() -> u64;
  wait: func(ns: u64) -> u32;
  wait-on: func(id: u32, ns: u64) -> u32;
  scale: func(x: f32, by: f64) -> f64;
}
world w {
  import host;
  export g: func(x: u32) -> u32;
}";

const WAT: &str = r#"(module
  (import "cm32p2|test:alloc/host" "f" (func $f (param i32) (result i32)))
  (import "cm32p2|test:alloc/host" "len" (func $len (param i32 i32) (result i32)))
  (import "cm32p2|test:alloc/host" "both" (func $both (param i32 i32 i32 i32 i32) (result i32)))
  (import "cm32p2|test:alloc/host" "now" (func $now (result i64)))
  (import "cm32p2|test:alloc/host" "wait" (func $wait (param i64) (result i32)))
  (import "cm32p2|test:alloc/host" "wait-on" (func $wait_on (param i32 i64) (result i32)))
  (import "cm32p2|test:alloc/host" "scale" (func $scale (param f32 f64) (result f64)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 64) "sixteen byte str")
  (func (export "cm32p2||g") (param i32) (result i32)
    local.get 0 call $f
    i32.const 64 i32.const 16 call $len
    i32.add
    i32.const 64 i32.const 16 i32.const 64 i32.const 7 i32.const 1 call $both
    i32.add
    call $now call $wait
    i32.add
    i32.const 5 call $now call $wait_on
    i32.add
    f32.const 1.5 f64.const 4 call $scale i32.trunc_f64_u
    i32.add))"#;

/// What `g(20)` returns: `f(20)`, `len` of 16 bytes, `both` over 16 and
/// 7 bytes plus one (five core parameters: still a typed trampoline), and
/// `wait(now())`, the high half of `NOW` (an `i64` each way), and
/// `wait-on(5, now())`, that half plus 5, and `scale(1.5, 4.0)`.
const G20: u32 = 40 + 16 + (16 + 7 + 1) + 3 + (3 + 5) + 6;

/// What `now` returns.
const NOW: u64 = 3 << 32 | 17;

/// World `w` of `WIT`.
fn world() -> wasmbed::World {
    let mut r = Resolve::default();
    let pkg = r.push_str("w.wit", WIT).unwrap();
    wasmbed_wit::world_from_resolve(&r, r.select_world(&[pkg], Some("w")).unwrap()).unwrap()
}

/// `f` doubles, `len` reads a string in place.
fn linker() -> Linker<()> {
    let mut linker = Linker::new();
    linker
        .func_wrap("test:alloc/host", "f", |_: &mut HostCx<'_>, x: u32| x * 2)
        .func_wrap(
            "test:alloc/host",
            "len",
            |cx: &mut HostCx<'_>, s: GuestStr| cx.guest_str(s).map(|s| s.len() as u32),
        )
        .func_wrap(
            "test:alloc/host",
            "both",
            |cx: &mut HostCx<'_>, a: GuestStr, b: GuestStr, n: u32| {
                Ok(cx.guest_str(a)?.len() as u32 + cx.guest_str(b)?.len() as u32 + n)
            },
        )
        .func_wrap("test:alloc/host", "now", |_: &mut HostCx<'_>| NOW)
        .func_wrap("test:alloc/host", "wait", |_: &mut HostCx<'_>, ns: u64| {
            (ns >> 32) as u32
        })
        .func_wrap(
            "test:alloc/host",
            "wait-on",
            |_: &mut HostCx<'_>, id: u32, ns: u64| id + (ns >> 32) as u32,
        )
        .func_wrap(
            "test:alloc/host",
            "scale",
            |_: &mut HostCx<'_>, x: f32, by: f64| f64::from(x) * by,
        );
    linker
}

#[test]
fn scalar_calls_and_typed_imports_allocate_nothing_on_wasmi() {
    scalar_calls_and_typed_imports_allocate_nothing(&Wasmi::new());
}

#[cfg(feature = "wamr")]
#[test]
fn scalar_calls_and_typed_imports_allocate_nothing_on_wamr() {
    scalar_calls_and_typed_imports_allocate_nothing(&wasmbed::Wamr::new());
}

fn scalar_calls_and_typed_imports_allocate_nothing<E: Engine>(engine: &E) {
    let wasm = wat::parse_str(WAT).unwrap();
    let guest = Guest::new(engine, &wasm, world()).unwrap();
    let linker = linker();
    let mut inst = linker.instantiate(&guest, (), Limits::default()).unwrap();
    let args = [Val::U32(20)];
    for _ in 0..10 {
        inst.call("g", &args).unwrap();
    }
    let before = allocated();
    let mut sum = 0;
    for _ in 0..1000 {
        if let Some(Val::U32(v)) = inst.call("g", &args).unwrap() {
            sum += v;
        }
    }
    let allocations = allocated() - before;
    assert_eq!(sum, 1000 * G20);
    assert_eq!(allocations, 0, "1000 calls allocated {allocations} times");

    // The typed export handle: no name lookup and no `Val`s either.
    let g = inst.typed::<(u32,), u32>("g").unwrap();
    let before = allocated();
    let mut sum = 0;
    for _ in 0..1000 {
        sum += g.call(&mut inst, (20,)).unwrap();
    }
    let allocations = allocated() - before;
    assert_eq!(sum, 1000 * G20);
    assert_eq!(
        allocations, 0,
        "1000 typed calls allocated {allocations} times"
    );
}

/// Allocations made by the first typed call of `g` on a freshly compiled
/// guest, once the engine has run another (so its call stack is cached).
fn first_call_allocations(engine: &Wasmi) -> usize {
    let (world, linker) = (world(), linker());
    let mut counts = Vec::new();
    for _ in 0..2 {
        let guest = Guest::new(engine, &wat::parse_str(WAT).unwrap(), world.clone()).unwrap();
        let mut inst = linker.instantiate(&guest, (), Limits::default()).unwrap();
        let g = inst.typed::<(u32,), u32>("g").unwrap();
        let before = allocated();
        assert_eq!(g.call(&mut inst, (20,)).unwrap(), G20);
        counts.push(allocated() - before);
    }
    counts[1]
}

/// `Wasmi::eager` translates at compile time, so not even a guest's first
/// call allocates; with lazy translation (`Wasmi::new`) the first call
/// translates `g`, which allocates.
#[test]
fn on_an_eager_engine_even_the_first_call_allocates_nothing() {
    assert_eq!(first_call_allocations(&Wasmi::eager()), 0);
    assert!(first_call_allocations(&Wasmi::new()) > 0);
}

mod gen {
    ::wasmbed::bindgen!({ inline: "
        package test:alloc;
        interface rec {
          record pt { x: u32, y: u32 }
          swap: func(p: pt) -> pt;
        }
        interface api {
          use rec.{pt};
          bump: func(p: pt) -> pt;
        }
        world w2 { import rec; export api; }
    " });
}

use gen::test::alloc::rec::{Host as RecHost, Pt};

/// Per-instance host data: reached through the context, no lock, no allocation.
#[derive(Default)]
struct Counter {
    calls: u32,
}

impl RecHost for Counter {
    fn swap(&mut self, p: Pt) -> Pt {
        self.calls += 1;
        Pt {
            x: p.x + 1,
            y: p.y * 2,
        }
    }
}

const WAT2: &str = r#"(module
  (import "cm32p2|test:alloc/rec" "swap" (func $swap (param i32 i32 i32)))
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2|test:alloc/api|bump") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.const 128 call $swap
    i32.const 128))"#;

#[test]
fn generated_bindings_and_host_data_allocate_nothing_per_call_on_wasmi() {
    generated_bindings_and_host_data_allocate_nothing_per_call(&Wasmi::new());
}

#[cfg(feature = "wamr")]
#[test]
fn generated_bindings_and_host_data_allocate_nothing_per_call_on_wamr() {
    generated_bindings_and_host_data_allocate_nothing_per_call(&wasmbed::Wamr::new());
}

fn generated_bindings_and_host_data_allocate_nothing_per_call<E: Engine>(engine: &E) {
    let mut r = Resolve::default();
    let src = "package test:alloc;
        interface rec { record pt { x: u32, y: u32 } swap: func(p: pt) -> pt; }
        interface api { use rec.{pt}; bump: func(p: pt) -> pt; }
        world w2 { import rec; export api; }";
    let pkg = r.push_str("w2.wit", src).unwrap();
    let world =
        wasmbed_wit::world_from_resolve(&r, r.select_world(&[pkg], Some("w2")).unwrap()).unwrap();
    let wasm = wat::parse_str(WAT2).unwrap();
    let guest = Guest::new(engine, &wasm, world).unwrap();
    let mut linker: Linker<Counter> = Linker::new();
    gen::W2::add_to_linker(&mut linker, |c: &mut Counter| c).unwrap();
    let (b, mut inst) =
        gen::W2::instantiate(&linker, &guest, Counter::default(), Limits::default()).unwrap();
    let api = b.test_alloc_api();
    let p = Pt { x: 1, y: 5 };
    for _ in 0..10 {
        api.call_bump(&mut inst, p).unwrap();
    }
    let before = allocated();
    let mut last = Pt { x: 0, y: 0 };
    for _ in 0..1000 {
        last = api.call_bump(&mut inst, p).unwrap();
    }
    let allocations = allocated() - before;
    assert_eq!(last, Pt { x: 2, y: 10 });
    assert_eq!(inst.data().calls, 1010);
    assert_eq!(
        allocations, 0,
        "1000 generated calls allocated {allocations} times"
    );
}
