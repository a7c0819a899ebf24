//! WIT for wasmbed: WIT files, parsed by wit-parser, become `wasmbed-abi` types.
//!
//! Reading WIT is tooling: with the `std` feature (default) it runs on the
//! developer's machine or a gateway. Without it, only [`World`] and its core
//! name tables remain, plain `no_std` data a device can hold, and
//! [`compact`], the binary form a device decodes a world from.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod compact;
pub mod world;
pub use world::World;

#[cfg(feature = "std")]
mod convert;
#[cfg(feature = "std")]
mod error;
#[cfg(feature = "std")]
mod load;
#[cfg(feature = "std")]
mod module;
#[cfg(feature = "std")]
mod select;
#[cfg(feature = "std")]
mod types;

#[cfg(feature = "std")]
pub use convert::world_from_resolve;
#[cfg(feature = "std")]
pub use error::WitError;
#[cfg(feature = "std")]
pub use load::{load_path, Loaded};
#[cfg(feature = "std")]
pub use module::{world_from_module, world_from_path};
#[cfg(feature = "std")]
pub use select::{named_types, SelectError, Selection};
#[cfg(feature = "std")]
pub use types::TypeMap;

/// wit-parser's resolved WIT, re-exported so callers use the same version.
#[cfg(feature = "std")]
pub use wit_parser;

#[cfg(all(test, feature = "std"))]
mod tests;
