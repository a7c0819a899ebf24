//! A world in a small binary form that a `no_std` device decodes without wit-parser.
//!
//! [`encode`] writes a [`World`] (on the developer's machine, `wasmbed world
//! compile`); [`decode`] reads it back on the device. The format is
//! described byte by byte in `docs/world-format.md`:
//!
//! - a header, `\0wbw` and a version byte ([`VERSION`]);
//! - the world's name, its resources, a table of the composite types its
//!   functions use (each written once and referred to by index, children
//!   before parents), its imports and its exports, with LEB128 counts,
//!   lengths and indices;
//! - a CRC-32 of everything before it, so a corrupt file is an error.
//!
//! Decoding trusts nothing: every length is bounded by the bytes left, every
//! index by what came before, the types a file expands to by its size
//! ([`MAX_EXPANSION`]), and every type is built with the validating
//! constructors ([`Type::list`](wasmbed_abi::Type::list), …), so a decoded
//! world is as checked as a parsed one. Nothing recurses over the input.
//!
//! ```
//! use wasmbed_abi::{FuncType, Type};
//! use wasmbed_wit::compact::{decode, encode};
//! use wasmbed_wit::world::{Function, Item, World};
//!
//! let mut world = World::empty("a:b/w");
//! let point = Type::record([("x", Type::F32), ("y", Type::F32)]).unwrap();
//! let ty = FuncType::new(vec![point.clone(), point], Some(Type::F32)).unwrap();
//! world.exports.push(Item::Function(Function { name: "distance".into(), ty }));
//!
//! let bytes = encode(&world);
//! assert_eq!(decode(&bytes).unwrap(), world);
//! assert!(decode(&bytes[..bytes.len() - 1]).is_err());
//! ```

mod decode;
mod encode;
mod error;

pub use decode::decode;
pub use encode::encode;
pub use error::{DecodeError, DecodeErrorKind};

use wasmbed_abi::Type;

/// The first four bytes of every compact world.
pub const MAGIC: [u8; 4] = *b"\0wbw";

/// The format version this crate writes and reads.
pub const VERSION: u8 = 1;

/// The decoded types may cost at most this many times the file's size (plus
/// [`MIN_BUDGET`]), counting one unit per type node, per byte of names and
/// per flat core value. A type table lets a small file name a type many
/// times; this bounds what a forged one makes the device allocate.
pub const MAX_EXPANSION: u64 = 64;

/// What any file may expand to, however small.
pub const MIN_BUDGET: u64 = 4096;

/// Type references below this are the primitive types, in [`PRIMITIVES`] order;
/// `PRIMITIVE_COUNT + i` is entry `i` of the type table.
const PRIMITIVE_COUNT: u32 = 13;

/// The primitive types by reference number.
const PRIMITIVES: [Type; PRIMITIVE_COUNT as usize] = [
    Type::Bool,
    Type::S8,
    Type::U8,
    Type::S16,
    Type::U16,
    Type::S32,
    Type::U32,
    Type::S64,
    Type::U64,
    Type::F32,
    Type::F64,
    Type::Char,
    Type::String,
];

/// Tags of the type table's entries.
mod tag {
    pub(super) const LIST: u8 = 0;
    pub(super) const RECORD: u8 = 1;
    pub(super) const TUPLE: u8 = 2;
    pub(super) const VARIANT: u8 = 3;
    pub(super) const ENUM: u8 = 4;
    pub(super) const OPTION: u8 = 5;
    pub(super) const RESULT: u8 = 6;
    pub(super) const FLAGS: u8 = 7;
    pub(super) const OWN: u8 = 8;
    pub(super) const BORROW: u8 = 9;

    /// An item that is a function of the world itself.
    pub(super) const FUNCTION: u8 = 0;
    /// An interface name (or item) declared inline in the world.
    pub(super) const INLINE: u8 = 1;
    /// An interface name (or item) that is a package interface id.
    pub(super) const ID: u8 = 2;
    /// A resource of the world itself, in no interface.
    pub(super) const NO_INTERFACE: u8 = 0;
}

/// The CRC-32 (IEEE 802.3, as zlib and PNG compute it) a compact world ends with.
pub fn checksum(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests;
