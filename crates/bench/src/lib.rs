//! One guest, two runtimes: the boundary-crossing guest and its world, ready
//! to run on wasmbed (wasmi) and on wasmtime's component runtime, so that
//! benchmarks compare the same work.

use std::hint::black_box;

use wasmbed::{Guest, GuestBytes, GuestStr, HostCx, Instance, Limits, Linker, Wasmi};
use wasmbed_wit::wit_parser::Resolve;
use wasmtime::component::{Component, Linker as WtLinker, WasmList, WasmStr};

/// The world: a host interface with trivial bodies, and exports that cross into it `n` times.
pub const WIT: &str = "package bench:b;
interface host {
  f: func(x: u32) -> u32;
  s: func(s: string);
  l: func(b: list<u8>);
}
world w {
  import host;
  export g: func(x: u32) -> u32;
  export loop-f: func(n: u32) -> u32;
  export loop-s: func(n: u32);
  export loop-l: func(n: u32);
}";

/// The guest, with `cm32p2` names: each `loop-*` export calls its import `n` times.
pub const WAT: &str = r#"(module
  (import "cm32p2|bench:b/host" "f" (func $f (param i32) (result i32)))
  (import "cm32p2|bench:b/host" "s" (func $s (param i32 i32)))
  (import "cm32p2|bench:b/host" "l" (func $l (param i32 i32)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 64) "sixteen byte str")
  (func (export "cm32p2||g") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "cm32p2||loop-f") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      local.get $n i32.eqz br_if 1
      local.get $acc call $f local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br 0))
    local.get $acc)
  (func (export "cm32p2||loop-s") (param $n i32)
    (block (loop
      local.get $n i32.eqz br_if 1
      i32.const 64 i32.const 16 call $s
      local.get $n i32.const 1 i32.sub local.set $n
      br 0)))
  (func (export "cm32p2||loop-l") (param $n i32)
    (block (loop
      local.get $n i32.eqz br_if 1
      i32.const 4096 i32.const 4096 call $l
      local.get $n i32.const 1 i32.sub local.set $n
      br 0))))"#;

fn resolve() -> (Resolve, wasmbed_wit::wit_parser::WorldId) {
    let mut r = Resolve::default();
    let pkg = r.push_str("bench.wit", WIT).expect("bench WIT parses");
    let w = r.select_world(&[pkg], Some("w")).expect("world `w`");
    (r, w)
}

/// The guest on wasmbed, with typed host functions that read strings and bytes in place.
pub fn wasmbed_instance() -> Instance<Wasmi> {
    let (r, w) = resolve();
    let world = wasmbed_wit::world_from_resolve(&r, w).expect("world converts");
    let wasm = wat::parse_str(WAT).expect("bench WAT parses");
    let guest = Guest::new(&Wasmi::new(), &wasm, world).expect("guest loads");
    let mut linker = Linker::new();
    linker
        .func_wrap("bench:b/host", "f", |_: &mut HostCx<'_>, x: u32| {
            x.wrapping_add(1)
        })
        .func_wrap("bench:b/host", "s", |cx: &mut HostCx<'_>, s: GuestStr| {
            black_box(cx.guest_str(s)?.len());
            Ok::<(), wasmbed::Error>(())
        })
        .func_wrap("bench:b/host", "l", |cx: &mut HostCx<'_>, b: GuestBytes| {
            black_box(cx.guest_bytes(b)?.len());
            Ok::<(), wasmbed::Error>(())
        });
    linker
        .instantiate(&guest, (), Limits::default())
        .expect("instantiates")
}

/// The same core module wrapped into a component (wit-component), for wasmtime.
pub fn component_bytes() -> Vec<u8> {
    let (r, w) = resolve();
    let mut wasm = wat::parse_str(WAT).expect("bench WAT parses");
    wit_component::embed_component_metadata(
        &mut wasm,
        &r,
        w,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .expect("metadata embeds");
    wit_component::ComponentEncoder::default()
        .module(&wasm)
        .expect("module accepted")
        .encode()
        .expect("component encodes")
}

/// The guest on wasmtime's component runtime with equivalent typed host
/// functions, borrowing strings and lists (`WasmStr`, `WasmList`) as wasmbed does.
pub fn wasmtime_instance() -> (wasmtime::Store<()>, wasmtime::component::Instance) {
    let engine = wasmtime::Engine::default();
    let component = Component::new(&engine, component_bytes()).expect("component compiles");
    let mut linker = WtLinker::<()>::new(&engine);
    let mut host = linker.instance("bench:b/host").expect("host instance");
    host.func_wrap("f", |_, (x,): (u32,)| Ok((x.wrapping_add(1),)))
        .expect("f");
    host.func_wrap("s", |store, (s,): (WasmStr,)| {
        black_box(s.to_str(&store)?.len());
        Ok(())
    })
    .expect("s");
    host.func_wrap("l", |store, (b,): (WasmList<u8>,)| {
        black_box(b.as_le_slice(&store).len());
        Ok(())
    })
    .expect("l");
    let mut store = wasmtime::Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .expect("instantiates");
    (store, instance)
}
