//! Why a value crossing the boundary was refused.

use core::fmt;

use crate::types::{FlatType, TypeKind};

/// A Canonical ABI trap: the guest handed over something invalid.
///
/// Each variant names the type involved and the reason; the runtime poisons
/// the instance that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trap {
    /// A variant, enum, option or result discriminant past the last case.
    InvalidDiscriminant {
        /// The type the discriminant belongs to.
        ty: TypeKind,
        /// The discriminant found.
        value: u32,
        /// How many cases the type has.
        cases: u32,
    },
    /// A `char` that is not a Unicode scalar value.
    InvalidChar {
        /// The code point found.
        value: u32,
    },
    /// String bytes that are not valid UTF-8.
    InvalidUtf8 {
        /// Where the string starts.
        ptr: u32,
        /// Its byte length.
        len: u32,
        /// Offset of the first invalid byte within the string.
        at: u32,
    },
    /// A string or list beyond the ABI's byte limit (2^28 - 1).
    TooLong {
        /// `string` or `list`.
        ty: TypeKind,
        /// The byte length asked for.
        bytes: u64,
    },
    /// A range that does not lie inside linear memory.
    OutOfBounds {
        /// The type whose bytes were to be read or written.
        ty: TypeKind,
        /// Start of the range.
        ptr: u32,
        /// Length of the range in bytes.
        len: u64,
        /// Size of linear memory in bytes.
        memory: u64,
    },
    /// A pointer that is not a multiple of the type's alignment.
    Misaligned {
        /// The type the pointer points to.
        ty: TypeKind,
        /// The pointer.
        ptr: u32,
        /// The alignment required.
        align: u32,
    },
    /// `realloc` returned a block that is misaligned or not inside memory.
    BadRealloc {
        /// What realloc returned.
        ptr: u32,
        /// Bytes asked for.
        size: u32,
        /// Alignment asked for.
        align: u32,
        /// Size of linear memory in bytes.
        memory: u64,
    },
    /// Calling `realloc` failed (the guest trapped, or there is no realloc).
    ReallocFailed,
    /// The host passed a value that does not match the type: a host bug, not a guest fault.
    ValueMismatch {
        /// The type expected.
        expected: TypeKind,
    },
    /// Core values of the wrong type or number.
    FlatMismatch {
        /// The core type expected, or `None` where a value was missing or extra.
        expected: Option<FlatType>,
    },
    /// An invalid resource handle.
    Resource(ResourceTrap),
}

/// Why a resource handle was refused (the runtime's handle tables report these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceTrap {
    /// No handle with this index exists in the table.
    UnknownHandle {
        /// The handle index.
        handle: u32,
    },
    /// The handle belongs to another resource type.
    WrongType {
        /// The handle index.
        handle: u32,
    },
    /// An `own` handle that is still lent out as a borrow.
    StillLent {
        /// The handle index.
        handle: u32,
    },
    /// A borrow handle given where an `own` handle is needed.
    NotOwned {
        /// The handle index.
        handle: u32,
    },
    /// A call returned while borrow handles it received were still not dropped.
    BorrowsOutstanding {
        /// How many borrows were left.
        count: u32,
    },
    /// The handle table is full.
    TableFull,
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Trap::InvalidDiscriminant { ty, value, cases } => write!(
                f,
                "invalid discriminant {value} for `{ty}` with {cases} cases"
            ),
            Trap::InvalidChar { value } => {
                write!(f, "invalid `char` {value:#x}: not a Unicode scalar value")
            }
            Trap::InvalidUtf8 { ptr, len, at } => write!(
                f,
                "invalid UTF-8 in `string` at {ptr:#x} ({len} bytes): bad byte at offset {at}"
            ),
            Trap::TooLong { ty, bytes } => write!(
                f,
                "`{ty}` of {bytes} bytes exceeds the limit of {} bytes",
                crate::MAX_STRING_BYTE_LENGTH
            ),
            Trap::OutOfBounds {
                ty,
                ptr,
                len,
                memory,
            } => write!(
                f,
                "`{ty}` at {ptr:#x} ({len} bytes) is out of bounds of memory ({memory} bytes)"
            ),
            Trap::Misaligned { ty, ptr, align } => {
                write!(f, "`{ty}` pointer {ptr:#x} is not aligned to {align} bytes")
            }
            Trap::BadRealloc {
                ptr,
                size,
                align,
                memory,
            } => write!(
                f,
                "`realloc` returned {ptr:#x} for {size} bytes aligned to {align}, \
                 which is misaligned or out of bounds of memory ({memory} bytes)"
            ),
            Trap::ReallocFailed => write!(f, "`realloc` failed"),
            Trap::ValueMismatch { expected } => {
                write!(f, "host value does not match type `{expected}`")
            }
            Trap::FlatMismatch { expected: Some(t) } => {
                write!(f, "core value of type `{t}` expected")
            }
            Trap::FlatMismatch { expected: None } => {
                write!(f, "wrong number of core values")
            }
            Trap::Resource(r) => fmt::Display::fmt(&r, f),
        }
    }
}

impl fmt::Display for ResourceTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ResourceTrap::UnknownHandle { handle } => write!(f, "unknown resource handle {handle}"),
            ResourceTrap::WrongType { handle } => {
                write!(f, "resource handle {handle} is of another resource type")
            }
            ResourceTrap::StillLent { handle } => {
                write!(f, "resource handle {handle} is still lent out")
            }
            ResourceTrap::NotOwned { handle } => {
                write!(f, "resource handle {handle} is a borrow, not an `own`")
            }
            ResourceTrap::BorrowsOutstanding { count } => {
                write!(f, "call returned with {count} borrowed handles not dropped")
            }
            ResourceTrap::TableFull => write!(f, "resource handle table is full"),
        }
    }
}

impl From<ResourceTrap> for Trap {
    fn from(r: ResourceTrap) -> Trap {
        Trap::Resource(r)
    }
}

impl core::error::Error for Trap {}

impl core::error::Error for ResourceTrap {}
