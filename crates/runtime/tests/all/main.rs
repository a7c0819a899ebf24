//! Integration tests of the runtime, one behaviour per file, guests inline as
//! WAT. Every file but `signals` runs once per engine backend (`on_wasmi`,
//! `on_wamr`, and `on_any` through `AnyEngine`): the same guests give the
//! same results, traps and messages.
#![allow(
    clippy::duplicate_mod,
    reason = "each engine's suite includes the same test files"
)]

use wasmbed::World;
use wasmbed_wit::wit_parser::Resolve;

/// The suite on the engine chosen at run time.
#[cfg(feature = "wamr")]
mod on_any;
/// The suite on WAMR.
#[cfg(feature = "wamr")]
mod on_wamr;
/// The suite on wasmi.
mod on_wasmi;

/// The `types` world's bindings, engine-agnostic, shared by every suite's `bindgen` tests.
mod types {
    ::wasmbed::bindgen!({ world: "types", path: "../../guests/types/types.wit" });
}

/// The world `world` of WIT source `wit`.
pub fn world(wit: &str, world: &str) -> World {
    let mut r = Resolve::default();
    let pkg = r.push_str("test.wit", wit).expect("test WIT parses");
    let id = r.select_world(&[pkg], Some(world)).expect("world exists");
    wasmbed_wit::world_from_resolve(&r, id).expect("world converts")
}

/// A bump-allocating `cm32p2_realloc` from address 1024, for WAT guests.
pub const REALLOC: &str = r#"
  (global $heap (mut i32) (i32.const 1024))
  (func (export "cm32p2_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    global.get $heap
    local.get 2 i32.add i32.const 1 i32.sub
    i32.const 0 local.get 2 i32.sub i32.and
    local.tee $p
    local.get 3 i32.add global.set $heap
    local.get $p)
"#;
