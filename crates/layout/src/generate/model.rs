//! What to generate: the selected WIT types as items with their Canonical ABI layout.
//!
//! WIT gives the structure and the names (a field of type `point` refers to
//! the item `point`); `wasmbed-abi` gives every size, offset and alignment.
//! The items are built in `build.rs`.

use wasmbed_abi::Layout;

/// A scalar stored in little-endian bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scalar {
    Bool,
    U8,
    S8,
    U16,
    S16,
    U32,
    S32,
    U64,
    S64,
    F32,
    F64,
    Char,
}

impl Scalar {
    /// The WIT spelling.
    pub(crate) fn wit(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::U8 => "u8",
            Scalar::S8 => "s8",
            Scalar::U16 => "u16",
            Scalar::S16 => "s16",
            Scalar::U32 => "u32",
            Scalar::S32 => "s32",
            Scalar::U64 => "u64",
            Scalar::S64 => "s64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
            Scalar::Char => "char",
        }
    }
}

/// What a field, or a case's payload, holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldTy {
    Scalar(Scalar),
    /// Another generated item, by index.
    Item(usize),
    /// A `string` or `list` as its (pointer, length) pair; the WIT kind.
    Slice(&'static str),
    /// An `own` or `borrow` handle as its `u32` index; the WIT kind.
    Handle(&'static str),
}

/// One field of a record or tuple.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// Base for the member name: the WIT field name, or `f0`, `f1`, … for tuples.
    pub(crate) name: String,
    /// How WIT names it: the field name or the tuple index.
    pub(crate) wit: String,
    pub(crate) offset: u32,
    pub(crate) size: u32,
    pub(crate) ty: FieldTy,
    pub(crate) docs: Option<String>,
}

/// One case of a variant, option or result.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) name: String,
    /// The payload and its size.
    pub(crate) payload: Option<(FieldTy, u32)>,
}

#[derive(Clone, Debug)]
pub(crate) enum ItemKind {
    /// A record or tuple.
    Struct(Vec<Field>),
    /// A variant, option or result: a discriminant, then one case's payload.
    Sum {
        disc: u32,
        payload_offset: u32,
        payload_size: u32,
        cases: Vec<Case>,
    },
    Enum {
        disc: u32,
        cases: Vec<String>,
    },
    Flags {
        bytes: u32,
        labels: Vec<String>,
    },
    /// `type a = b`: another name for an item.
    Alias(FieldTy),
}

/// One generated type.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    /// Unique snake-case name, without prefix.
    pub(crate) name: String,
    /// The WIT keyword: `record`, `tuple`, `variant`, `option`, `result`, `enum`, `flags`, `type`.
    pub(crate) keyword: &'static str,
    /// The WIT name, or `parent.field` for an anonymous type.
    pub(crate) wit: String,
    pub(crate) layout: Layout,
    pub(crate) docs: Option<String>,
    pub(crate) kind: ItemKind,
}

/// Everything to generate, dependencies before their users.
#[derive(Debug)]
pub(crate) struct Model {
    /// The package, as WIT writes it (`vectors:cabi`).
    pub(crate) package: String,
    /// Snake-case prefix of C names (`vectors_cabi`).
    pub(crate) prefix: String,
    /// The selected interface or world, if any.
    pub(crate) scope: Option<String>,
    pub(crate) items: Vec<Item>,
    /// Name of the (pointer, length) pair type, when a field needs it.
    pub(crate) slice: Option<String>,
    /// One line per type that was skipped, and why.
    pub(crate) notes: Vec<String>,
}
