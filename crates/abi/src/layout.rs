//! Layout math: core types, sizes and alignments, and the two shapes every
//! composite type is laid out as (fields in a row, or a discriminated union).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use crate::types::{Type, TypeError, TypeKind};
use crate::MAX_TYPE_DEPTH;

/// A core Wasm value type, the unit of flattening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlatType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl FlatType {
    /// The type of a variant slot shared by two cases (the specification's `join`).
    pub const fn join(self, other: FlatType) -> FlatType {
        match (self, other) {
            (FlatType::I32, FlatType::I32) => FlatType::I32,
            (FlatType::I64, FlatType::I64) => FlatType::I64,
            (FlatType::F32, FlatType::F32) => FlatType::F32,
            (FlatType::F64, FlatType::F64) => FlatType::F64,
            (FlatType::I32, FlatType::F32) | (FlatType::F32, FlatType::I32) => FlatType::I32,
            _ => FlatType::I64,
        }
    }
}

impl FlatType {
    /// Its name in the text format: `i32`, `i64`, `f32` or `f64`.
    pub const fn name(self) -> &'static str {
        match self {
            FlatType::I32 => "i32",
            FlatType::I64 => "i64",
            FlatType::F32 => "f32",
            FlatType::F64 => "f64",
        }
    }
}

impl fmt::Display for FlatType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Size and alignment of a type in linear memory (wasm32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// Bytes the value occupies, a multiple of `align`.
    pub size: u32,
    /// Alignment in bytes: 1, 2, 4 or 8.
    pub align: u32,
}

impl Layout {
    /// Layout of a one-byte scalar.
    pub const SCALAR1: Layout = Layout { size: 1, align: 1 };
    /// Layout of a two-byte scalar.
    pub const SCALAR2: Layout = Layout { size: 2, align: 2 };
    /// Layout of a four-byte scalar.
    pub const SCALAR4: Layout = Layout { size: 4, align: 4 };
    /// Layout of an eight-byte scalar.
    pub const SCALAR8: Layout = Layout { size: 8, align: 8 };
    /// Layout of a `(pointer, length)` pair: strings and lists.
    pub const POINTER_PAIR: Layout = Layout { size: 8, align: 4 };
}

/// `offset` rounded up to `align` (a power of two), or `None` on overflow.
pub(crate) const fn align_to(offset: u32, align: u32) -> Option<u32> {
    match offset.checked_add(align - 1) {
        Some(v) => Some(v & !(align - 1)),
        None => None,
    }
}

/// Width of a variant's discriminant, chosen by its number of cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiscriminantSize {
    /// Up to 256 cases.
    U8,
    /// Up to 65536 cases.
    U16,
    /// More cases.
    U32,
}

impl DiscriminantSize {
    /// The width needed for `cases` cases.
    pub const fn for_cases(cases: usize) -> DiscriminantSize {
        if cases <= 1 << 8 {
            DiscriminantSize::U8
        } else if cases <= 1 << 16 {
            DiscriminantSize::U16
        } else {
            DiscriminantSize::U32
        }
    }

    /// Bytes in memory (also the alignment).
    pub const fn bytes(self) -> u32 {
        match self {
            DiscriminantSize::U8 => 1,
            DiscriminantSize::U16 => 2,
            DiscriminantSize::U32 => 4,
        }
    }
}

/// Fields laid out one after another: records, tuples and spilled parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Product {
    pub(crate) types: Box<[Type]>,
    pub(crate) offsets: Box<[u32]>,
    pub(crate) layout: Layout,
    pub(crate) flat: Box<[FlatType]>,
    pub(crate) depth: u32,
}

impl Product {
    /// Lays out `types` in order; an empty product has size 0.
    pub(crate) fn new(types: Vec<Type>, kind: TypeKind) -> Result<Product, TypeError> {
        let mut offsets = Vec::with_capacity(types.len());
        let mut size = 0u32;
        let mut align = 1u32;
        let mut flat = Vec::new();
        let mut depth = 0;
        for ty in &types {
            let l = ty.layout();
            let at = align_to(size, l.align).ok_or(TypeError::TooLarge(kind))?;
            offsets.push(at);
            size = at.checked_add(l.size).ok_or(TypeError::TooLarge(kind))?;
            align = align.max(l.align);
            flat.extend_from_slice(ty.flat());
            depth = depth.max(ty.depth());
        }
        let size = align_to(size, align).ok_or(TypeError::TooLarge(kind))?;
        Ok(Product {
            types: types.into(),
            offsets: offsets.into(),
            layout: Layout { size, align },
            flat: flat.into(),
            depth: check_depth(depth)?,
        })
    }

    /// Each field's type with its byte offset.
    pub(crate) fn fields(&self) -> impl ExactSizeIterator<Item = (&Type, u32)> + '_ {
        self.types.iter().zip(self.offsets.iter().copied())
    }
}

/// A discriminant followed by one of several payloads: variants, enums, options, results.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sum {
    pub(crate) cases: Box<[Option<Type>]>,
    pub(crate) disc: DiscriminantSize,
    pub(crate) payload_offset: u32,
    pub(crate) layout: Layout,
    /// The discriminant's `i32` followed by the joined payload slots.
    pub(crate) flat: Box<[FlatType]>,
    pub(crate) depth: u32,
}

impl Sum {
    pub(crate) fn new(cases: Vec<Option<Type>>, kind: TypeKind) -> Result<Sum, TypeError> {
        if cases.is_empty() {
            return Err(TypeError::Empty(kind));
        }
        let disc = DiscriminantSize::for_cases(cases.len());
        let mut payload_size = 0u32;
        let mut payload_align = 1u32;
        let mut flat = alloc::vec![FlatType::I32];
        let mut depth = 0;
        for ty in cases.iter().flatten() {
            let l = ty.layout();
            payload_size = payload_size.max(l.size);
            payload_align = payload_align.max(l.align);
            for (i, ft) in ty.flat().iter().enumerate() {
                match flat.get_mut(i + 1) {
                    Some(slot) => *slot = slot.join(*ft),
                    None => flat.push(*ft),
                }
            }
            depth = depth.max(ty.depth());
        }
        let payload_offset =
            align_to(disc.bytes(), payload_align).ok_or(TypeError::TooLarge(kind))?;
        let align = payload_align.max(disc.bytes());
        let end = payload_offset
            .checked_add(payload_size)
            .ok_or(TypeError::TooLarge(kind))?;
        let size = align_to(end, align).ok_or(TypeError::TooLarge(kind))?;
        Ok(Sum {
            cases: cases.into(),
            disc,
            payload_offset,
            layout: Layout { size, align },
            flat: flat.into(),
            depth: check_depth(depth)?,
        })
    }
}

/// The depth of a composite over children of depth `children`, if allowed.
pub(crate) fn check_depth(children: u32) -> Result<u32, TypeError> {
    let depth = children + 1;
    if depth > MAX_TYPE_DEPTH {
        Err(TypeError::TooDeep)
    } else {
        Ok(depth)
    }
}
