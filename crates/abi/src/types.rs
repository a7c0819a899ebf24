//! Component value types with their layout and flattening computed once.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

pub use crate::kind::{TypeError, TypeKind};
use crate::layout::check_depth;
pub use crate::layout::{DiscriminantSize, FlatType, Layout};
pub(crate) use crate::layout::{Product, Sum};
use crate::MAX_FLAGS;

/// Identifies a resource type; the runtime assigns the numbers and owns the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId(pub u32);

/// A component value type.
///
/// Build composite types with the constructors ([`Type::record`], …); they
/// check the type and compute its layout and flattening once. A composite
/// type is shared: cloning it counts a reference, so a world whose ten
/// functions return one `error-code` holds its names once (on a device, the
/// heap a world takes).
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Type {
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
    List(Arc<ListType>),
    Record(Arc<RecordType>),
    Tuple(Arc<TupleType>),
    Variant(Arc<VariantType>),
    Enum(Arc<EnumType>),
    Option(Arc<OptionType>),
    Result(Arc<ResultType>),
    Flags(Arc<FlagsType>),
    Own(ResourceId),
    Borrow(ResourceId),
}

/// `list<T>`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListType {
    elem: Type,
    depth: u32,
}

impl ListType {
    /// The element type.
    pub fn elem(&self) -> &Type {
        &self.elem
    }
}

fn check_unique<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    kind: TypeKind,
) -> Result<(), TypeError> {
    let all: Vec<&str> = names.collect();
    let mut sorted = all.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(TypeError::DuplicateName(kind));
    }
    Ok(())
}

/// `record { name: T, … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordType {
    names: Box<[Box<str>]>,
    pub(crate) product: Product,
}

impl RecordType {
    /// Each field's name, type and byte offset, in declaration order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&str, &Type, u32)> + '_ {
        self.names
            .iter()
            .zip(self.product.fields())
            .map(|(n, (t, o))| (&**n, t, o))
    }
}

/// `tuple<T, …>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TupleType {
    pub(crate) product: Product,
}

impl TupleType {
    /// Each element's type and byte offset.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&Type, u32)> + '_ {
        self.product.fields()
    }
}

/// `variant { name(T), name, … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantType {
    names: Box<[Box<str>]>,
    pub(crate) sum: Sum,
}

impl VariantType {
    /// Each case's name and payload type.
    pub fn cases(&self) -> impl ExactSizeIterator<Item = (&str, Option<&Type>)> + '_ {
        self.names
            .iter()
            .zip(self.sum.cases.iter())
            .map(|(n, t)| (&**n, t.as_ref()))
    }
    /// Width of the discriminant in memory.
    pub fn discriminant(&self) -> DiscriminantSize {
        self.sum.disc
    }
    /// Offset of the payload from the start of the value.
    pub fn payload_offset(&self) -> u32 {
        self.sum.payload_offset
    }
}

/// `enum { name, … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumType {
    names: Box<[Box<str>]>,
    pub(crate) sum: Sum,
}

impl EnumType {
    /// The case names in order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.iter().map(|n| &**n)
    }
    /// Width of the discriminant in memory.
    pub fn discriminant(&self) -> DiscriminantSize {
        self.sum.disc
    }
}

/// `option<T>`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionType {
    pub(crate) sum: Sum,
}

impl OptionType {
    /// The type of the `some` payload.
    pub fn some(&self) -> &Type {
        self.sum.cases[1]
            .as_ref()
            .expect("option has a payload by construction")
    }
}

/// `result<T, E>`, either side possibly without payload.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultType {
    pub(crate) sum: Sum,
}

impl ResultType {
    /// The `ok` payload type, if any.
    pub fn ok(&self) -> Option<&Type> {
        self.sum.cases[0].as_ref()
    }
    /// The `err` payload type, if any.
    pub fn err(&self) -> Option<&Type> {
        self.sum.cases[1].as_ref()
    }
}

/// `flags { name, … }`: 1 to 32 labels packed into one integer.
#[derive(Clone, Debug, PartialEq)]
pub struct FlagsType {
    names: Box<[Box<str>]>,
}

impl FlagsType {
    /// The label names; label `i` is bit `i`.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.iter().map(|n| &**n)
    }
    /// The mask of bits that have a label.
    pub fn mask(&self) -> u32 {
        match self.names.len() {
            32 => u32::MAX,
            n => (1u32 << n) - 1,
        }
    }
    pub(crate) fn layout(&self) -> Layout {
        match self.names.len() {
            0..=8 => Layout::SCALAR1,
            9..=16 => Layout::SCALAR2,
            _ => Layout::SCALAR4,
        }
    }
}

const FLAT_I32: &[FlatType] = &[FlatType::I32];
const FLAT_I64: &[FlatType] = &[FlatType::I64];
const FLAT_F32: &[FlatType] = &[FlatType::F32];
const FLAT_F64: &[FlatType] = &[FlatType::F64];
const FLAT_PAIR: &[FlatType] = &[FlatType::I32, FlatType::I32];

/// The core values `ty` flattens to (the specification's `flatten_type`).
pub fn flatten_type(ty: &Type) -> &[FlatType] {
    ty.flat()
}

impl Type {
    /// `list<elem>`.
    pub fn list(elem: Type) -> Result<Type, TypeError> {
        let depth = check_depth(elem.depth())?;
        Ok(Type::List(Arc::new(ListType { elem, depth })))
    }

    /// `record { name: T, … }` with at least one field.
    pub fn record<N: Into<Box<str>>>(
        fields: impl IntoIterator<Item = (N, Type)>,
    ) -> Result<Type, TypeError> {
        let (names, types): (Vec<Box<str>>, Vec<Type>) =
            fields.into_iter().map(|(n, t)| (n.into(), t)).unzip();
        if names.is_empty() {
            return Err(TypeError::Empty(TypeKind::Record));
        }
        check_unique(names.iter().map(|n| &**n), TypeKind::Record)?;
        let product = Product::new(types, TypeKind::Record)?;
        Ok(Type::Record(Arc::new(RecordType {
            names: names.into(),
            product,
        })))
    }

    /// `tuple<T, …>` with at least one element.
    pub fn tuple(types: impl IntoIterator<Item = Type>) -> Result<Type, TypeError> {
        let types: Vec<Type> = types.into_iter().collect();
        if types.is_empty() {
            return Err(TypeError::Empty(TypeKind::Tuple));
        }
        let product = Product::new(types, TypeKind::Tuple)?;
        Ok(Type::Tuple(Arc::new(TupleType { product })))
    }

    /// `variant { name(T), name, … }` with at least one case.
    pub fn variant<N: Into<Box<str>>>(
        cases: impl IntoIterator<Item = (N, Option<Type>)>,
    ) -> Result<Type, TypeError> {
        let (names, types): (Vec<Box<str>>, Vec<Option<Type>>) =
            cases.into_iter().map(|(n, t)| (n.into(), t)).unzip();
        check_unique(names.iter().map(|n| &**n), TypeKind::Variant)?;
        let sum = Sum::new(types, TypeKind::Variant)?;
        Ok(Type::Variant(Arc::new(VariantType {
            names: names.into(),
            sum,
        })))
    }

    /// `enum { name, … }` with at least one case.
    pub fn enumeration<N: Into<Box<str>>>(
        names: impl IntoIterator<Item = N>,
    ) -> Result<Type, TypeError> {
        let names: Vec<Box<str>> = names.into_iter().map(Into::into).collect();
        check_unique(names.iter().map(|n| &**n), TypeKind::Enum)?;
        let sum = Sum::new(names.iter().map(|_| None).collect(), TypeKind::Enum)?;
        Ok(Type::Enum(Arc::new(EnumType {
            names: names.into(),
            sum,
        })))
    }

    /// `option<some>`.
    pub fn option(some: Type) -> Result<Type, TypeError> {
        let sum = Sum::new(alloc::vec![None, Some(some)], TypeKind::Option)?;
        Ok(Type::Option(Arc::new(OptionType { sum })))
    }

    /// `result<ok, err>`; `None` is a side without payload.
    pub fn result(ok: Option<Type>, err: Option<Type>) -> Result<Type, TypeError> {
        let sum = Sum::new(alloc::vec![ok, err], TypeKind::Result)?;
        Ok(Type::Result(Arc::new(ResultType { sum })))
    }

    /// `flags { name, … }` with 1 to 32 labels.
    pub fn flags<N: Into<Box<str>>>(names: impl IntoIterator<Item = N>) -> Result<Type, TypeError> {
        let names: Vec<Box<str>> = names.into_iter().map(Into::into).collect();
        if names.is_empty() {
            return Err(TypeError::Empty(TypeKind::Flags));
        }
        if names.len() > MAX_FLAGS {
            return Err(TypeError::TooManyFlags(names.len()));
        }
        check_unique(names.iter().map(|n| &**n), TypeKind::Flags)?;
        Ok(Type::Flags(Arc::new(FlagsType {
            names: names.into(),
        })))
    }

    /// What kind of type this is.
    pub fn kind(&self) -> TypeKind {
        match self {
            Type::Bool => TypeKind::Bool,
            Type::S8 => TypeKind::S8,
            Type::U8 => TypeKind::U8,
            Type::S16 => TypeKind::S16,
            Type::U16 => TypeKind::U16,
            Type::S32 => TypeKind::S32,
            Type::U32 => TypeKind::U32,
            Type::S64 => TypeKind::S64,
            Type::U64 => TypeKind::U64,
            Type::F32 => TypeKind::F32,
            Type::F64 => TypeKind::F64,
            Type::Char => TypeKind::Char,
            Type::String => TypeKind::String,
            Type::List(_) => TypeKind::List,
            Type::Record(_) => TypeKind::Record,
            Type::Tuple(_) => TypeKind::Tuple,
            Type::Variant(_) => TypeKind::Variant,
            Type::Enum(_) => TypeKind::Enum,
            Type::Option(_) => TypeKind::Option,
            Type::Result(_) => TypeKind::Result,
            Type::Flags(_) => TypeKind::Flags,
            Type::Own(_) => TypeKind::Own,
            Type::Borrow(_) => TypeKind::Borrow,
        }
    }

    /// Size and alignment in linear memory.
    pub fn layout(&self) -> Layout {
        match self {
            Type::Bool | Type::S8 | Type::U8 => Layout::SCALAR1,
            Type::S16 | Type::U16 => Layout::SCALAR2,
            Type::S32 | Type::U32 | Type::F32 | Type::Char => Layout::SCALAR4,
            Type::Own(_) | Type::Borrow(_) => Layout::SCALAR4,
            Type::S64 | Type::U64 | Type::F64 => Layout::SCALAR8,
            Type::String | Type::List(_) => Layout::POINTER_PAIR,
            Type::Record(r) => r.product.layout,
            Type::Tuple(t) => t.product.layout,
            Type::Variant(v) => v.sum.layout,
            Type::Enum(e) => e.sum.layout,
            Type::Option(o) => o.sum.layout,
            Type::Result(r) => r.sum.layout,
            Type::Flags(f) => f.layout(),
        }
    }

    /// The core values this type flattens to.
    pub fn flat(&self) -> &[FlatType] {
        match self {
            Type::Bool | Type::S8 | Type::U8 | Type::S16 | Type::U16 | Type::S32 | Type::U32 => {
                FLAT_I32
            }
            Type::Char | Type::Flags(_) | Type::Own(_) | Type::Borrow(_) => FLAT_I32,
            Type::S64 | Type::U64 => FLAT_I64,
            Type::F32 => FLAT_F32,
            Type::F64 => FLAT_F64,
            Type::String | Type::List(_) => FLAT_PAIR,
            Type::Record(r) => &r.product.flat,
            Type::Tuple(t) => &t.product.flat,
            Type::Variant(v) => &v.sum.flat,
            Type::Enum(e) => &e.sum.flat,
            Type::Option(o) => &o.sum.flat,
            Type::Result(r) => &r.sum.flat,
        }
    }

    /// Nesting depth: 0 for scalars and strings.
    pub fn depth(&self) -> u32 {
        match self {
            Type::List(l) => l.depth,
            Type::Record(r) => r.product.depth,
            Type::Tuple(t) => t.product.depth,
            Type::Variant(v) => v.sum.depth,
            Type::Enum(e) => e.sum.depth,
            Type::Option(o) => o.sum.depth,
            Type::Result(r) => r.sum.depth,
            _ => 0,
        }
    }

    /// Whether values of this type reach into linear memory (strings or lists anywhere).
    pub fn needs_memory(&self) -> bool {
        match self {
            Type::String | Type::List(_) => true,
            Type::Record(r) => r.product.types.iter().any(Type::needs_memory),
            Type::Tuple(t) => t.product.types.iter().any(Type::needs_memory),
            Type::Variant(v) => v.sum.cases.iter().flatten().any(Type::needs_memory),
            Type::Option(o) => o.some().needs_memory(),
            Type::Result(r) => r.sum.cases.iter().flatten().any(Type::needs_memory),
            _ => false,
        }
    }

    /// Whether this type holds an `own` or `borrow` handle anywhere.
    pub fn has_handles(&self) -> bool {
        match self {
            Type::Own(_) | Type::Borrow(_) => true,
            Type::List(l) => l.elem.has_handles(),
            Type::Record(r) => r.product.types.iter().any(Type::has_handles),
            Type::Tuple(t) => t.product.types.iter().any(Type::has_handles),
            Type::Variant(v) => v.sum.cases.iter().flatten().any(Type::has_handles),
            Type::Option(o) => o.some().has_handles(),
            Type::Result(r) => r.sum.cases.iter().flatten().any(Type::has_handles),
            _ => false,
        }
    }
}
