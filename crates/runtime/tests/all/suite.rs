// The suite every engine runs: included into `on_wasmi` and `on_wamr`,
// which define `E`, `engine()` and `metered()`.

#[path = "basic.rs"]
mod basic;
#[path = "bindgen.rs"]
mod bindgen;
#[path = "flat.rs"]
mod flat;
#[path = "guards.rs"]
mod guards;
#[path = "load.rs"]
mod load;
#[path = "malicious.rs"]
mod malicious;
#[path = "resources.rs"]
mod resources;
#[path = "typed.rs"]
mod typed;

#[allow(unused_imports)]
use crate::{world, REALLOC};
use wasmbed::{Guest, Instance, Limits, Linker, World};

/// `wat` checked against `world`.
pub(crate) fn guest(wat: &str, world: World) -> Result<Guest<E>, wasmbed::Error> {
    let wasm = wat::parse_str(wat).expect("test WAT parses");
    Guest::new(&engine(), &wasm, world)
}

/// `wat` instantiated with `linker`.
pub(crate) fn instance(
    wat: &str,
    world: World,
    linker: &Linker,
) -> Result<Instance<E>, wasmbed::Error> {
    let g = guest(wat, world)?;
    linker.instantiate(&g, (), Limits::default())
}

