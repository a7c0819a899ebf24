//! WIT for wasmbed: WIT files, parsed by wit-parser, become `wasmbed-abi` types.
//!
//! This is tooling: it runs on the developer's machine or a gateway with
//! `std`, never on the device, which receives types already built.
#![deny(missing_docs)]

mod error;
mod load;
mod types;

pub use error::WitError;
pub use load::{load_path, Loaded};
pub use types::TypeMap;

/// wit-parser's resolved WIT, re-exported so callers use the same version.
pub use wit_parser;

#[cfg(test)]
mod tests;
