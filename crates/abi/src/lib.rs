//! The Component Model's Canonical ABI for hosts that run core Wasm modules.
//!
//! A guest is untrusted: every value lifted or loaded out of its memory is
//! validated here, and anything invalid is a [`Trap`] naming the type and the
//! reason, never a panic or an out-of-bounds access.
//!
//! Types are plain data built by code ([`Type`]); their layout and flattening
//! are computed once, when the type is built, so a call never recomputes them.
//!
//! ```
//! use wasmbed_abi::{lift_flat, lower_flat, BumpMemory, RawHandles, Type, Val};
//!
//! let ty = Type::record([("id", Type::U32), ("name", Type::String)]).unwrap();
//! let value = Val::Record(vec![Val::U32(7), Val::String("héllo".into())]);
//!
//! let mut bytes = [0u8; 64];
//! let mut mem = BumpMemory::new(&mut bytes, 8);
//! let mut flat = Vec::new();
//! lower_flat(&ty, &value, &mut mem, &mut RawHandles, &mut flat).unwrap();
//! assert_eq!(flat.len(), ty.flat().len());
//!
//! let back = lift_flat(&ty, &flat, mem.data(), &mut RawHandles).unwrap();
//! assert_eq!(back, value);
//! ```
//!
//! The crate is `no_std` (with `alloc`) and has no features: it builds the
//! same for a microcontroller as for a server.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]

extern crate alloc;

mod func;
mod kind;
mod layout;
mod lift;
mod lower;
mod memory;
pub mod names;
mod scalar;
mod slices;
mod trap;
pub mod typed;
mod types;
mod val;
mod view;

pub use func::{flatten_functype, AbiContext, CoreSignature, FuncType};
pub use lift::{lift_flat, load};
pub use lower::{lower_flat, store};
pub use memory::{BumpMemory, GuestMemory, Handles, RawHandles};
pub use slices::{write_bytes, write_list, write_str};
pub use trap::{ResourceTrap, Trap};
pub use types::{
    flatten_type, DiscriminantSize, EnumType, FlagsType, FlatType, Layout, ListType, OptionType,
    RecordType, ResourceId, ResultType, TupleType, Type, TypeError, TypeKind, VariantType,
};
pub use val::{FlatVal, Val};
pub use view::{read_bytes, read_list, read_str, read_struct, Scalar};
/// The crate of the little-endian types that zero-copy views are made of.
pub use zerocopy;

/// Flat parameters passed directly before they spill into memory.
pub const MAX_FLAT_PARAMS: usize = 16;
/// Flat results returned directly before they spill into memory.
pub const MAX_FLAT_RESULTS: usize = 1;
/// Largest byte length of a string the ABI accepts (2^28 - 1).
pub const MAX_STRING_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// Largest byte length of a list the ABI accepts (2^28 - 1).
pub const MAX_LIST_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// Deepest nesting of composite types accepted, so lifting never exhausts the stack.
pub const MAX_TYPE_DEPTH: u32 = 100;
/// Most labels a `flags` type may have.
pub const MAX_FLAGS: usize = 32;

#[cfg(test)]
mod tests;
