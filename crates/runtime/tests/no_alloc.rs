//! Calls with scalar parameters and results, and typed host functions reading
//! strings in place, allocate nothing once warm: counted with a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmbed::{Guest, GuestStr, HostCx, Limits, Linker, Val, Wasmi};
use wasmbed_wit::wit_parser::Resolve;

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

const WIT: &str = "package test:alloc;
interface host {
  f: func(x: u32) -> u32;
  len: func(s: string) -> u32;
}
world w {
  import host;
  export g: func(x: u32) -> u32;
}";

const WAT: &str = r#"(module
  (import "cm32p2|test:alloc/host" "f" (func $f (param i32) (result i32)))
  (import "cm32p2|test:alloc/host" "len" (func $len (param i32 i32) (result i32)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 64) "sixteen byte str")
  (func (export "cm32p2||g") (param i32) (result i32)
    local.get 0 call $f
    i32.const 64 i32.const 16 call $len
    i32.add))"#;

#[test]
fn scalar_calls_and_typed_imports_allocate_nothing() {
    let mut r = Resolve::default();
    let pkg = r.push_str("w.wit", WIT).unwrap();
    let world =
        wasmbed_wit::world_from_resolve(&r, r.select_world(&[pkg], Some("w")).unwrap()).unwrap();
    let wasm = wat::parse_str(WAT).unwrap();
    let guest = Guest::new(&Wasmi::new(), &wasm, world).unwrap();
    let mut linker = Linker::new();
    linker
        .func_wrap("test:alloc/host", "f", |_: &mut HostCx<'_>, x: u32| x * 2)
        .func_wrap(
            "test:alloc/host",
            "len",
            |cx: &mut HostCx<'_>, s: GuestStr| cx.guest_str(s).map(|s| s.len() as u32),
        );
    let mut inst = linker.instantiate(&guest, (), Limits::default()).unwrap();
    let args = [Val::U32(20)];
    for _ in 0..10 {
        inst.call("g", &args).unwrap();
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut sum = 0;
    for _ in 0..1000 {
        if let Some(Val::U32(v)) = inst.call("g", &args).unwrap() {
            sum += v;
        }
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(sum, 1000 * (40 + 16));
    assert_eq!(allocations, 0, "1000 calls allocated {allocations} times");

    // The typed export handle: no name lookup and no `Val`s either.
    let g = inst.typed::<(u32,), u32>("g").unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut sum = 0;
    for _ in 0..1000 {
        sum += g.call(&mut inst, (20,)).unwrap();
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(sum, 1000 * (40 + 16));
    assert_eq!(
        allocations, 0,
        "1000 typed calls allocated {allocations} times"
    );
}
