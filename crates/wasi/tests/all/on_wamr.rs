//! The suite on WAMR.

/// The engine under test.
pub(crate) type E = wasmbed::Wamr;
/// A new engine.
pub(crate) fn engine() -> E {
    E::new()
}

include!("suite.rs");
