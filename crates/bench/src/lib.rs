//! One guest, two runtimes: the boundary-crossing guest and its world, ready
//! to run on wasmbed (wasmi) and on wasmtime's component runtime, so that
//! benchmarks compare the same work.

use std::hint::black_box;

use wasmbed::{Engine, Guest, GuestBytes, GuestStr, HostCx, Instance, Limits, Linker, Wasmi};
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

/// World `world` of the WIT text `wit`, resolved.
pub fn resolve_world(wit: &str, world: &str) -> (Resolve, wasmbed_wit::wit_parser::WorldId) {
    let mut r = Resolve::default();
    let pkg = r.push_str("bench.wit", wit).expect("bench WIT parses");
    let w = r
        .select_world(&[pkg], Some(world))
        .unwrap_or_else(|e| panic!("world `{world}`: {e}"));
    (r, w)
}

fn resolve() -> (Resolve, wasmbed_wit::wit_parser::WorldId) {
    resolve_world(WIT, "w")
}

/// The core module `wat` of world `w` wrapped into a component (wit-component), for wasmtime.
pub fn component_of(wat: &str, r: &Resolve, w: wasmbed_wit::wit_parser::WorldId) -> Vec<u8> {
    let mut wasm = wat::parse_str(wat).expect("bench WAT parses");
    wit_component::embed_component_metadata(
        &mut wasm,
        r,
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

/// The guest on wasmbed/wasmi, with typed host functions that read strings and bytes in place.
pub fn wasmbed_instance() -> Instance<Wasmi> {
    wasmbed_instance_on(&Wasmi::new())
}

/// The guest on wasmbed with `engine`, with the same host functions.
pub fn wasmbed_instance_on<E: Engine>(engine: &E) -> Instance<E> {
    let (r, w) = resolve();
    let world = wasmbed_wit::world_from_resolve(&r, w).expect("world converts");
    let wasm = wat::parse_str(WAT).expect("bench WAT parses");
    let guest = Guest::new(engine, &wasm, world).expect("guest loads");
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
    component_of(WAT, &r, w)
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

/// The typed-bindings guest (`benches/bindgen.rs`): records, lists of records
/// and variants, through `bindgen!` on both runtimes.
///
/// `api` exports `echo-*` (return the argument: an export crossing only) and
/// `loop-*` (call the host's `map-*` `n` times: import crossings only). `sc`
/// and `sv` own no heap data; `rec`, `list<pt>` and `v`'s `text` case do.
/// `map-pt`/`loop-pt` (import only) cross a scalar record whose core
/// signature is all `i32`.
/// Read from `crates/bench/wit/bg.wit`, which the `bindgen!` calls of [`bg_wasmbed`] and
/// [`bg_wasmtime`] read too.
pub const BG_WIT: &str = include_str!("../wit/bg.wit");

/// Points the guest's `loop-pts` hands the host per call.
pub const BG_POINTS: u32 = 1000;

/// The typed-bindings guest, `cm32p2` names, with a bump allocator reset by
/// each `_post` and before each import call.
///
/// Memory: return area at 32 (24 bytes), import result area at 96, a 16-byte
/// string at 128, [`BG_POINTS`] points at 1024 (zeros), heap from 16384.
/// `loop-*` return a checksum: `rec`, `sc`, `sv` the last `a`/`num` (`n`
/// after `n` calls, the host adds one), `pts` the total length returned,
/// `v` the sum of the returned discriminants (2 each, `text`); `loop-pt`
/// (record of two `u32`s, all-`i32` core signature) also returns `n`.
pub const BG_WAT: &str = r#"(module
  (import "cm32p2|bench:bg/host" "map-rec" (func $map-rec (param i32 f64 i32 i32 i32)))
  (import "cm32p2|bench:bg/host" "map-pts" (func $map-pts (param i32 i32 i32)))
  (import "cm32p2|bench:bg/host" "map-v" (func $map-v (param i32 i64 i32 i32)))
  (import "cm32p2|bench:bg/host" "map-sc" (func $map-sc (param i32 f64 i32)))
  (import "cm32p2|bench:bg/host" "map-sv" (func $map-sv (param i32 i64 i32 i32)))
  (import "cm32p2|bench:bg/host" "map-pt" (func $map-pt (param i32 i32 i32)))
  (memory (export "cm32p2_memory") 1)
  (global $heap (mut i32) (i32.const 16384))
  (data (i32.const 128) "sixteen byte str")
  (func (export "cm32p2_realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
    (local $r i32)
    (local.set $r (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $r) (local.get $size)))
    (local.get $r))
  (func $reset (param i32) (global.set $heap (i32.const 16384)))

  ;; echo: store the argument in the return area, as its record/variant layout.
  (func (export "cm32p2|bench:bg/api|echo-rec") (param $a i32) (param $b f64) (param $p i32) (param $l i32) (result i32)
    (i32.store (i32.const 32) (local.get $a))
    (f64.store (i32.const 40) (local.get $b))
    (i32.store (i32.const 48) (local.get $p))
    (i32.store (i32.const 52) (local.get $l))
    (i32.const 32))
  (export "cm32p2|bench:bg/api|echo-rec_post" (func $reset))
  (func (export "cm32p2|bench:bg/api|echo-pts") (param $p i32) (param $l i32) (result i32)
    (i32.store (i32.const 32) (local.get $p))
    (i32.store (i32.const 36) (local.get $l))
    (i32.const 32))
  (export "cm32p2|bench:bg/api|echo-pts_post" (func $reset))
  ;; v and sv flatten alike: discriminant, i64 (num, or text's pointer / pair's x), i32 (length / y).
  (func $echo-var (param $d i32) (param $p i64) (param $l i32) (result i32)
    (i32.store8 (i32.const 32) (local.get $d))
    (i64.store (i32.const 40) (local.get $p))
    (if (i32.eq (local.get $d) (i32.const 2))
      (then (i32.store (i32.const 44) (local.get $l))))
    (i32.const 32))
  (export "cm32p2|bench:bg/api|echo-v" (func $echo-var))
  (export "cm32p2|bench:bg/api|echo-v_post" (func $reset))
  (export "cm32p2|bench:bg/api|echo-sv" (func $echo-var))
  (func (export "cm32p2|bench:bg/api|echo-sc") (param $a i32) (param $b f64) (result i32)
    (i32.store (i32.const 32) (local.get $a))
    (f64.store (i32.const 40) (local.get $b))
    (i32.const 32))

  ;; loop: call the import n times; the heap is reset before each call.
  (func (export "cm32p2|bench:bg/api|loop-rec") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (global.set $heap (i32.const 16384))
      (call $map-rec (local.get $acc) (f64.const 2.5) (i32.const 128) (i32.const 16) (i32.const 96))
      (local.set $acc (i32.load (i32.const 96)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc))
  (func (export "cm32p2|bench:bg/api|loop-pts") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (global.set $heap (i32.const 16384))
      (call $map-pts (i32.const 1024) (i32.const 1000) (i32.const 96))
      (local.set $acc (i32.add (local.get $acc) (i32.load (i32.const 100))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc))
  (func (export "cm32p2|bench:bg/api|loop-v") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (global.set $heap (i32.const 16384))
      (call $map-v (i32.const 2) (i64.const 128) (i32.const 16) (i32.const 96))
      (local.set $acc (i32.add (local.get $acc) (i32.load8_u (i32.const 96))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc))
  (func (export "cm32p2|bench:bg/api|loop-sc") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (call $map-sc (local.get $acc) (f64.const 2.5) (i32.const 96))
      (local.set $acc (i32.load (i32.const 96)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc))
  (func (export "cm32p2|bench:bg/api|loop-sv") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (call $map-sv (i32.const 1) (i64.extend_i32_u (local.get $acc)) (i32.const 0) (i32.const 96))
      (local.set $acc (i32.wrap_i64 (i64.load (i32.const 104))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc))
  (func (export "cm32p2|bench:bg/api|loop-pt") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (call $map-pt (local.get $acc) (i32.const 0) (i32.const 96))
      (local.set $acc (i32.add (i32.load (i32.const 100)) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc)))"#;

fn bg_resolve() -> (Resolve, wasmbed_wit::wit_parser::WorldId) {
    resolve_world(BG_WIT, "bg")
}

/// The typed-bindings guest loaded by wasmbed on wasmi.
pub fn bg_guest() -> Guest<Wasmi> {
    let (r, w) = bg_resolve();
    let world = wasmbed_wit::world_from_resolve(&r, w).expect("world converts");
    let wasm = wat::parse_str(BG_WAT).expect("bindgen bench WAT parses");
    Guest::new(&Wasmi::new(), &wasm, world).expect("guest loads")
}

/// The same core module wrapped into a component (wit-component), for wasmtime.
pub fn bg_component_bytes() -> Vec<u8> {
    let (r, w) = bg_resolve();
    component_of(BG_WAT, &r, w)
}

/// The host's work, the same for both runtimes' generated `Host` traits:
/// move or copy the argument into a changed result, no more.
#[derive(Default)]
pub struct BgHost;

/// The host's work, written once and expanded in both runtimes' binding modules.
macro_rules! bg_host {
    () => {
        impl bench::bg::types::Host for BgHost {}

        impl bench::bg::host::Host for BgHost {
            fn map_rec(&mut self, r: Rec) -> Rec {
                Rec {
                    a: r.a.wrapping_add(1),
                    b: r.b * 2.0,
                    name: r.name,
                }
            }
            fn map_pts(&mut self, l: Vec<Pt>) -> Vec<Pt> {
                l.into_iter().map(|p| Pt { x: p.y, y: p.x }).collect()
            }
            fn map_v(&mut self, x: V) -> V {
                match x {
                    V::None => V::None,
                    V::Num(n) => V::Num(n.wrapping_add(1)),
                    V::Text(s) => V::Text(s),
                }
            }
            fn map_sc(&mut self, s: Sc) -> Sc {
                Sc {
                    a: s.a.wrapping_add(1),
                    b: s.b * 2.0,
                }
            }
            fn map_sv(&mut self, x: Sv) -> Sv {
                match x {
                    Sv::None => Sv::None,
                    Sv::Num(n) => Sv::Num(n.wrapping_add(1)),
                    Sv::Pair(p) => Sv::Pair(Pt { x: p.y, y: p.x }),
                }
            }
            fn map_pt(&mut self, p: Pt) -> Pt {
                Pt { x: p.y, y: p.x }
            }
        }
    };
}

/// `wasmbed::bindgen!` over [`BG_WIT`], and the typed-bindings host on wasmbed.
#[allow(missing_docs)]
pub mod bg_wasmbed {
    ::wasmbed::bindgen!({ world: "bg", path: "wit/bg.wit" });

    use self::bench::bg::types::{Pt, Rec, Sc, Sv, V};
    use super::BgHost;

    bg_host!();

    /// The linker with the host linked, built once.
    pub fn linker() -> ::wasmbed::Linker<BgHost> {
        let mut linker = ::wasmbed::Linker::new();
        Bg::add_to_linker(&mut linker, |h: &mut BgHost| h).expect("host links");
        linker
    }

    /// The bindings and an instance of [`super::bg_guest`].
    pub fn instance() -> (Bg, ::wasmbed::Instance<::wasmbed::Wasmi, BgHost>) {
        Bg::instantiate(
            &linker(),
            &super::bg_guest(),
            BgHost,
            ::wasmbed::Limits::default(),
        )
        .expect("instantiates")
    }
}

/// `wasmtime::component::bindgen!` over [`BG_WIT`], and the same host on wasmtime.
#[allow(missing_docs)]
pub mod bg_wasmtime {
    wasmtime::component::bindgen!({ world: "bg", path: "wit/bg.wit" });

    use self::bench::bg::types::{Pt, Rec, Sc, Sv, V};
    use super::BgHost;

    bg_host!();

    /// The bindings and a store holding an instance of [`super::bg_component_bytes`].
    pub fn instance() -> (Bg, wasmtime::Store<BgHost>) {
        let engine = wasmtime::Engine::default();
        let component = wasmtime::component::Component::new(&engine, super::bg_component_bytes())
            .expect("component compiles");
        let mut linker = wasmtime::component::Linker::<BgHost>::new(&engine);
        Bg::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |h| h)
            .expect("host links");
        let mut store = wasmtime::Store::new(&engine, BgHost);
        let bindings = Bg::instantiate(&mut store, &component, &linker).expect("instantiates");
        (bindings, store)
    }
}

/// The boundary guest ([`WAT`]) on wasmi alone, through wasmi's own `Linker`
/// with `func_wrap` host functions doing the same work as [`wasmbed_instance`]'s:
/// the floor under wasmbed, with no wasmbed layer.
pub fn raw_wasmi_instance() -> (wasmi::Store<RawHost>, wasmi::Instance) {
    let engine = wasmi::Engine::default();
    let wasm = wat::parse_str(WAT).expect("bench WAT parses");
    let module = wasmi::Module::new(&engine, &wasm).expect("module compiles");
    let mut linker = wasmi::Linker::<RawHost>::new(&engine);
    fn guest_slice<'a>(
        caller: &'a wasmi::Caller<'_, RawHost>,
        ptr: u32,
        len: u32,
    ) -> Result<&'a [u8], wasmi::Error> {
        let memory = caller.data().memory.expect("memory resolved");
        memory
            .data(caller)
            .get(ptr as usize..(ptr as usize).saturating_add(len as usize))
            .ok_or_else(|| wasmi::Error::new("out of bounds"))
    }
    linker
        .func_wrap(
            "cm32p2|bench:b/host",
            "f",
            |_: wasmi::Caller<'_, RawHost>, x: u32| x.wrapping_add(1),
        )
        .expect("f")
        .func_wrap(
            "cm32p2|bench:b/host",
            "s",
            |caller: wasmi::Caller<'_, RawHost>, ptr: u32, len: u32| {
                let s = core::str::from_utf8(guest_slice(&caller, ptr, len)?)
                    .map_err(|_| wasmi::Error::new("not UTF-8"))?;
                black_box(s.len());
                Ok(())
            },
        )
        .expect("s")
        .func_wrap(
            "cm32p2|bench:b/host",
            "l",
            |caller: wasmi::Caller<'_, RawHost>, ptr: u32, len: u32| {
                black_box(guest_slice(&caller, ptr, len)?.len());
                Ok(())
            },
        )
        .expect("l");
    let mut store = wasmi::Store::new(&engine, RawHost::default());
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .expect("instantiates");
    store.data_mut().memory = instance.get_memory(&store, "cm32p2_memory");
    (store, instance)
}

/// Host data of [`raw_wasmi_instance`]: the guest's memory, resolved once after instantiation.
#[derive(Default)]
pub struct RawHost {
    /// The guest's `cm32p2_memory`.
    pub memory: Option<wasmi::Memory>,
}

pub mod compute;
