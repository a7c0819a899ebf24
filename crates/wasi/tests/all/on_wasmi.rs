//! The suite on wasmi.

/// The engine under test.
pub(crate) type E = wasmbed::Wasmi;
/// A new engine.
pub(crate) fn engine() -> E {
    E::new()
}

include!("suite.rs");
