//! Kinds of types, for messages, and why a type could not be built.

use core::fmt;

use crate::{MAX_FLAGS, MAX_TYPE_DEPTH};

/// What kind of type a value or a trap is about, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum TypeKind {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    List,
    Record,
    Tuple,
    Variant,
    Enum,
    Option,
    Result,
    Flags,
    Own,
    Borrow,
}

impl fmt::Display for TypeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TypeKind::Bool => "bool",
            TypeKind::S8 => "s8",
            TypeKind::U8 => "u8",
            TypeKind::S16 => "s16",
            TypeKind::U16 => "u16",
            TypeKind::S32 => "s32",
            TypeKind::U32 => "u32",
            TypeKind::S64 => "s64",
            TypeKind::U64 => "u64",
            TypeKind::F32 => "f32",
            TypeKind::F64 => "f64",
            TypeKind::Char => "char",
            TypeKind::String => "string",
            TypeKind::List => "list",
            TypeKind::Record => "record",
            TypeKind::Tuple => "tuple",
            TypeKind::Variant => "variant",
            TypeKind::Enum => "enum",
            TypeKind::Option => "option",
            TypeKind::Result => "result",
            TypeKind::Flags => "flags",
            TypeKind::Own => "own",
            TypeKind::Borrow => "borrow",
        })
    }
}

/// Why a type could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypeError {
    /// A record, tuple, variant, enum or flags with nothing in it.
    Empty(TypeKind),
    /// Two fields, cases or labels with the same name.
    DuplicateName(TypeKind),
    /// More than 32 flags.
    TooManyFlags(usize),
    /// Size beyond what a 32-bit memory can hold.
    TooLarge(TypeKind),
    /// Nested deeper than [`MAX_TYPE_DEPTH`].
    TooDeep,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::Empty(k) => write!(f, "`{k}` type must not be empty"),
            TypeError::DuplicateName(k) => write!(f, "`{k}` type has a duplicate name"),
            TypeError::TooManyFlags(n) => {
                write!(
                    f,
                    "`flags` type has {n} labels, at most {MAX_FLAGS} are allowed"
                )
            }
            TypeError::TooLarge(k) => write!(f, "`{k}` type is too large for a 32-bit memory"),
            TypeError::TooDeep => write!(f, "type is nested deeper than {MAX_TYPE_DEPTH} levels"),
        }
    }
}

impl core::error::Error for TypeError {}
