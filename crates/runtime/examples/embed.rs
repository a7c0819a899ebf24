//! A complete embedding with generated bindings: the bundled sensor guest's
//! `summarize` called with Rust values, no `Val`s. Run from the repository
//! root: `cargo run -p wasmbed --example embed`.

mod bindings {
    ::wasmbed::bindgen!({ world: "sensor", path: "../../examples/sensor/sensor.wit" });
}

use bindings::exports::wasmbed::examples::filter::Reading;
use bindings::Sensor;
use wasmbed::{Guest, Limits, Linker, Wasmi};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wasm = std::fs::read("examples/sensor/sensor.wasm")?;
    // The guest's world travels in its `component-type` section.
    let world = wasmbed_wit::world_from_module(&wasm)?.ok_or("no component-type section")?;
    let guest = Guest::new(&Wasmi::new(), &wasm, world)?;
    // Built once for any number of instances, each owning its host data (here
    // none: the sensor world imports nothing; `Sensor::add_to_linker` links a
    // world's imports to the host's `Host` trait implementations).
    let linker: Linker<()> = Linker::new();
    let (sensor, mut instance) = Sensor::instantiate(&linker, &guest, (), Limits::default())?;
    let readings =
        [(1, 21.5), (2, 48.0), (3, 19.0)].map(|(sensor, celsius)| Reading { sensor, celsius });
    let summary =
        sensor
            .wasmbed_examples_filter()
            .call_summarize(&mut instance, &readings, 0.0, 40.0)?;
    println!("{summary:?}");
    assert_eq!((summary.count, summary.out_of_range), (3, vec![2]));
    Ok(())
}
