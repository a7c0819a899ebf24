//! Dynamic component values and core (flat) values.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::types::{FlatType, TypeKind};

/// A component value whose type is known only at run time.
///
/// Composite values hold positions, not names: a record's fields are in
/// declaration order, a variant or enum case is its index, and flags are a
/// bit set (label `i` is bit `i`). The [`Type`](crate::Type) carries the names.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Val {
    Bool(bool),
    S8(i8),
    U8(u8),
    S16(i16),
    U16(u16),
    S32(i32),
    U32(u32),
    S64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Char(char),
    String(String),
    List(Vec<Val>),
    /// Field values in declaration order.
    Record(Vec<Val>),
    Tuple(Vec<Val>),
    /// Case index and payload.
    Variant(u32, Option<Box<Val>>),
    /// Case index.
    Enum(u32),
    Option(Option<Box<Val>>),
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// Bit `i` set means label `i` is set.
    Flags(u32),
    /// An owned resource: a handle index or representation, as the runtime's tables decide.
    Own(u32),
    /// A borrowed resource, likewise.
    Borrow(u32),
}

impl Val {
    /// The kind of type this value has.
    pub fn kind(&self) -> TypeKind {
        match self {
            Val::Bool(_) => TypeKind::Bool,
            Val::S8(_) => TypeKind::S8,
            Val::U8(_) => TypeKind::U8,
            Val::S16(_) => TypeKind::S16,
            Val::U16(_) => TypeKind::U16,
            Val::S32(_) => TypeKind::S32,
            Val::U32(_) => TypeKind::U32,
            Val::S64(_) => TypeKind::S64,
            Val::U64(_) => TypeKind::U64,
            Val::F32(_) => TypeKind::F32,
            Val::F64(_) => TypeKind::F64,
            Val::Char(_) => TypeKind::Char,
            Val::String(_) => TypeKind::String,
            Val::List(_) => TypeKind::List,
            Val::Record(_) => TypeKind::Record,
            Val::Tuple(_) => TypeKind::Tuple,
            Val::Variant(..) => TypeKind::Variant,
            Val::Enum(_) => TypeKind::Enum,
            Val::Option(_) => TypeKind::Option,
            Val::Result(_) => TypeKind::Result,
            Val::Flags(_) => TypeKind::Flags,
            Val::Own(_) => TypeKind::Own,
            Val::Borrow(_) => TypeKind::Borrow,
        }
    }
}

/// A core Wasm value, as passed to and from a core function.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum FlatVal {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

/// A core value from the Rust type it is passed as.
macro_rules! flat_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for FlatVal {
            fn from(v: $t) -> FlatVal {
                FlatVal::$v(v)
            }
        }
    )*};
}

flat_from!(i32 => I32, i64 => I64, f32 => F32, f64 => F64);

impl FlatVal {
    /// The core type of this value.
    pub fn ty(&self) -> FlatType {
        match self {
            FlatVal::I32(_) => FlatType::I32,
            FlatVal::I64(_) => FlatType::I64,
            FlatVal::F32(_) => FlatType::F32,
            FlatVal::F64(_) => FlatType::F64,
        }
    }

    /// The zero value of a core type.
    pub fn zero(ty: FlatType) -> FlatVal {
        match ty {
            FlatType::I32 => FlatVal::I32(0),
            FlatType::I64 => FlatVal::I64(0),
            FlatType::F32 => FlatVal::F32(0.0),
            FlatType::F64 => FlatVal::F64(0.0),
        }
    }

    /// Compares type and bit pattern (unlike `==`, a NaN equals itself).
    pub fn bits_eq(&self, other: &FlatVal) -> bool {
        match (self, other) {
            (FlatVal::I32(a), FlatVal::I32(b)) => a == b,
            (FlatVal::I64(a), FlatVal::I64(b)) => a == b,
            (FlatVal::F32(a), FlatVal::F32(b)) => a.to_bits() == b.to_bits(),
            (FlatVal::F64(a), FlatVal::F64(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}
