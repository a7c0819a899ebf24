//! The suite on wasmi, plus signals (calls in slices, which only wasmi runs).

/// The engine under test.
pub(crate) type E = wasmbed::Wasmi;
/// An engine without metering.
pub(crate) fn engine() -> E {
    E::new()
}
/// An engine that meters fuel.
pub(crate) fn metered() -> E {
    E::with_fuel()
}

include!("suite.rs");

#[path = "signals.rs"]
mod signals;
