//! Integration tests of the runtime, one behaviour per file, guests inline as WAT.

mod basic;
mod bindgen;
mod flat;
mod guards;
mod load;
mod malicious;
mod resources;
mod signals;
mod typed;

use wasmbed::{Guest, Instance, Limits, Linker, Wasmi, World};
use wasmbed_wit::wit_parser::Resolve;

/// The world `world` of WIT source `wit`.
pub fn world(wit: &str, world: &str) -> World {
    let mut r = Resolve::default();
    let pkg = r.push_str("test.wit", wit).expect("test WIT parses");
    let id = r.select_world(&[pkg], Some(world)).expect("world exists");
    wasmbed_wit::world_from_resolve(&r, id).expect("world converts")
}

/// `wat` checked against `world`.
pub fn guest(wat: &str, world: World) -> Result<Guest<Wasmi>, wasmbed::Error> {
    let wasm = wat::parse_str(wat).expect("test WAT parses");
    Guest::new(&Wasmi::new(), &wasm, world)
}

/// `wat` instantiated with `linker`.
pub fn instance(
    wat: &str,
    world: World,
    linker: &Linker,
) -> Result<Instance<Wasmi>, wasmbed::Error> {
    let g = guest(wat, world)?;
    linker.instantiate(&g, (), Limits::default())
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
