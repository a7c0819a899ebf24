//! wasmbed-wasi's integration tests: C programs on wasmbed (on every engine
//! backend), wasmtime and natively; malicious guests. The files in `suite.rs`
//! run once per engine (`on_wasmi`, `on_wamr`); `programs` compares every
//! engine with wasmtime and native in each test.
#![allow(
    clippy::duplicate_mod,
    reason = "each engine's suite includes the same test files"
)]

mod harness;
mod programs;

/// The suite on WAMR.
mod on_wamr;
/// The suite on wasmi.
mod on_wasmi;
