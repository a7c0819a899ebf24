//! wasmbed against wasmtime's component runtime, one behaviour per file; every
//! guest runs on both of wasmbed's engines (wasmi, WAMR), each compared with
//! wasmtime. (`bindgen` compares the generated bindings on wasmi only: the
//! runtime's own `bindgen` tests run them on both engines.)

mod bindgen;
mod cm32;
mod compose;
mod convert;
mod handles;
mod resources;
mod resources_wasmbed;
mod resources_wasmtime;
mod types;
mod wasmtime_side;

use wasmbed_conformance::{first_difference, Event};

/// Panics with both sides at the first event where the runtimes differ.
pub(crate) fn assert_same(guest: &str, wasmbed: &[Event], wasmtime: &[Event]) {
    if let Some((i, a, b)) = first_difference(wasmbed, wasmtime) {
        panic!("{guest}: event {i} differs\n  wasmbed:  {a:?}\n  wasmtime: {b:?}");
    }
}

/// The number of export calls in a log.
pub(crate) fn export_calls(log: &[Event]) -> usize {
    log.iter()
        .filter(|e| matches!(e, Event::Export { .. }))
        .count()
}
