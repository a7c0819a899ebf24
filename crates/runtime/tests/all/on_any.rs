//! The suite on `AnyEngine`, the backend chosen at run time: WAMR where a
//! test wants a plain engine, wasmi where it wants fuel, so both of its
//! variants dispatch every call the suite makes.

/// The engine under test.
pub(crate) type E = wasmbed::AnyEngine;
/// A plain engine: WAMR behind `AnyEngine`.
pub(crate) fn engine() -> E {
    E::Wamr(wasmbed::Wamr::new())
}
/// A metering engine: wasmi behind `AnyEngine`.
pub(crate) fn metered() -> E {
    E::Wasmi(wasmbed::Wasmi::with_fuel())
}

include!("suite.rs");
