//! Typed lifting and lowering: Rust types that know their WIT type move
//! between Rust values and core values or guest memory directly, without `Val`s.
//!
//! A Rust type is checked against the WIT [`Type`] once
//! ([`ComponentType::typecheck`], when a host function is linked or an export
//! handle is made); every call then walks the checked `Type` alongside the
//! value, which gives layouts, offsets, variant slots and resource ids. Every
//! check on guest data (bounds, alignment, UTF-8, discriminants, `char`s,
//! handles) is made as on the `Val` path, and fails with the same [`Trap`].
//!
//! ```
//! use wasmbed_abi::typed::{FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx};
//! use wasmbed_abi::{BumpMemory, RawHandles, Type};
//!
//! let ty = Type::tuple([Type::U32, Type::String]).unwrap();
//! let mut bytes = [0u8; 64];
//! let mut mem = BumpMemory::new(&mut bytes, 8);
//! let mut out = FlatBuf::new();
//! (7u32, "héllo").lower(&mut LowerCx::new(&mut mem, &mut RawHandles), &ty, &mut out).unwrap();
//! let flat = out.as_slice().to_vec();
//! let back: (u32, String) =
//!     Lift::lift(&mut LiftCx::new(mem.data(), &mut RawHandles), &ty, &mut FlatSrc::new(&flat)).unwrap();
//! assert_eq!(back, (7, "héllo".to_string()));
//! ```

mod compose;
mod impls;
mod resource;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use core::fmt;

use crate::memory::{allocate, check_aligned, checked_range, GuestMemory, Handles};
use crate::trap::Trap;
use crate::types::{FlatType, ResourceId, Type, TypeKind};
use crate::val::FlatVal;
use crate::{MAX_FLAT_PARAMS, MAX_LIST_BYTE_LENGTH};

pub use compose::{
    bad_case, lift_flags, load_flags, lower_case, lower_flags, store_case, store_case_plain,
    store_flags, store_flags_plain, typecheck_enum, typecheck_flags, typecheck_record,
    typecheck_variant, CaseLift, CaseLoad, Check, Fields,
};

pub use resource::Resource;

/// What a type check needs to know of resources: their names and who implements them.
pub trait ResourceNames {
    /// The name of resource `id`, and whether the guest implements (exports) it.
    fn resource(&self, id: ResourceId) -> Option<(&str, bool)>;
}

/// A world without resources, for types that hold none.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoResources;

impl ResourceNames for NoResources {
    fn resource(&self, _: ResourceId) -> Option<(&str, bool)> {
        None
    }
}

/// A Rust type that does not stand for the WIT type it was checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeMismatch {
    /// What the Rust type stands for (`u32`, ``record `point` ``, …).
    pub expected: &'static str,
    /// The kind of WIT type found instead.
    pub found: TypeKind,
}

impl TypeMismatch {
    /// `expected` where `ty` was found.
    #[cold]
    pub fn new(expected: &'static str, ty: &Type) -> TypeMismatch {
        TypeMismatch {
            expected,
            found: ty.kind(),
        }
    }
}

impl fmt::Display for TypeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, found `{}`", self.expected, self.found)
    }
}

impl core::error::Error for TypeMismatch {}

/// The core values a type flattens to, the same for every WIT type it
/// typechecks against: how many, and, when they fit in a call's 16 direct
/// parameters, which core type each is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flat {
    /// How many core values.
    pub count: usize,
    /// Whether `wide` and `float` describe them: `false` for more than 16,
    /// which no call passes directly.
    pub described: bool,
    /// Which are 64-bit, `i64` or `f64` (bit k for value k).
    pub wide: u16,
    /// Which are floats, `f32` or `f64`.
    pub float: u16,
}

impl Flat {
    /// `count` `i32`s.
    pub const fn i32s(count: usize) -> Flat {
        Flat::fitting(count, 0, 0)
    }

    /// One `i64`.
    pub const I64: Flat = Flat::fitting(1, 1, 0);

    /// One `f32`.
    pub const F32: Flat = Flat::fitting(1, 0, 1);

    /// One `f64`.
    pub const F64: Flat = Flat::fitting(1, 1, 1);

    /// What core values `types` are, for comparing with a compile-time
    /// flattening.
    pub fn of_core(types: &[FlatType]) -> Flat {
        let (mut wide, mut float) = (0u16, 0u16);
        for (k, t) in types.iter().take(MAX_FLAT_PARAMS).enumerate() {
            let (w, f) = match t {
                FlatType::I32 => (0, 0),
                FlatType::I64 => (1, 0),
                FlatType::F32 => (0, 1),
                FlatType::F64 => (1, 1),
            };
            wide |= w << k;
            float |= f << k;
        }
        Flat::fitting(types.len(), wide, float)
    }

    /// Whether every one is an `i32`.
    pub const fn all_i32(&self) -> bool {
        self.described && self.wide == 0 && self.float == 0
    }

    /// Value `k`'s core type: 0 for `i32`, 1 `i64`, 2 `f32`, 3 `f64`.
    pub const fn kind(&self, k: usize) -> u8 {
        ((self.wide >> k & 1) | (self.float >> k & 1) << 1) as u8
    }

    /// `count` values, described only when they fit in a call.
    const fn fitting(count: usize, wide: u16, float: u16) -> Flat {
        let fits = count <= crate::MAX_FLAT_PARAMS;
        Flat {
            count,
            described: fits,
            wide: if fits { wide } else { 0 },
            float: if fits { float } else { 0 },
        }
    }

    /// `a`'s values then `b`'s: known when both are.
    pub const fn then(a: Option<Flat>, b: Option<Flat>) -> Option<Flat> {
        let (Some(a), Some(b)) = (a, b) else {
            return None;
        };
        let count = a.count + b.count;
        if count > crate::MAX_FLAT_PARAMS {
            return Some(Flat::fitting(count, 0, 0));
        }
        // Both fit, so both are described; `b`'s bits land below bit 16
        // (shifted as a `u32`: `a` may be all 16).
        let (wide, float) = ((b.wide as u32) << a.count, (b.float as u32) << a.count);
        Some(Flat::fitting(
            count,
            a.wide | wide as u16,
            a.float | float as u16,
        ))
    }

    /// The payloads of two cases of one variant, position by position, as
    /// the Canonical ABI joins them: equal types stay, an `i32` and an `f32`
    /// make an `i32`, any other pair an `i64`.
    pub const fn either(a: Option<Flat>, b: Option<Flat>) -> Option<Flat> {
        let (Some(a), Some(b)) = (a, b) else {
            return None;
        };
        let count = if a.count > b.count { a.count } else { b.count };
        if count > crate::MAX_FLAT_PARAMS {
            return Some(Flat::fitting(count, 0, 0));
        }
        let (mut wide, mut float) = (0u16, 0u16);
        let mut k = 0;
        while k < count {
            let kind = match (k < a.count, k < b.count) {
                (true, false) => a.kind(k),
                (false, _) => b.kind(k),
                (true, true) => match (a.kind(k), b.kind(k)) {
                    (x, y) if x == y => x,
                    // `i32` with `f32`.
                    (0, 2) | (2, 0) => 0,
                    _ => 1,
                },
            };
            wide |= ((kind & 1) as u16) << k;
            float |= ((kind >> 1) as u16) << k;
            k += 1;
        }
        Some(Flat::fitting(count, wide, float))
    }

    /// A variant: its `i32` discriminant, then its cases' joined payloads.
    pub const fn tagged(payloads: Option<Flat>) -> Option<Flat> {
        Flat::then(Some(Flat::i32s(1)), payloads)
    }
}

/// A Rust type that stands for a WIT type.
pub trait ComponentType {
    /// What it flattens to, when known at compile time; `None` (the
    /// default) when not. An engine uses it to link only the host-call
    /// trampolines a program's imports can take.
    const FLAT: Option<Flat> = None;

    /// Checks that `ty` is the WIT type this Rust type stands for.
    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch>;

    /// Checks a variant case's payload; only `()` matches a case without one.
    fn typecheck_payload(
        payload: Option<&Type>,
        names: &dyn ResourceNames,
    ) -> Result<(), TypeMismatch> {
        match payload {
            Some(ty) => Self::typecheck(ty, names),
            None => Err(TypeMismatch {
                expected: "a payload",
                found: TypeKind::Tuple,
            }),
        }
    }
}

/// What lifting reads: the guest's memory (borrowed for `'m`) and its handle tables.
pub struct LiftCx<'m, 'h> {
    mem: &'m [u8],
    handles: &'h mut dyn Handles,
}

impl<'m, 'h> LiftCx<'m, 'h> {
    /// Lifts from `mem`, resolving handles through `handles`.
    pub fn new(mem: &'m [u8], handles: &'h mut dyn Handles) -> LiftCx<'m, 'h> {
        LiftCx { mem, handles }
    }

    /// The guest's linear memory.
    pub fn memory(&self) -> &'m [u8] {
        self.mem
    }

    /// The handle tables, for resources.
    pub fn handles(&mut self) -> &mut dyn Handles {
        self.handles
    }

    /// The `N` bytes at `ptr`, bounds-checked.
    pub(crate) fn bytes<const N: usize>(&self, ty: TypeKind, ptr: u32) -> Result<[u8; N], Trap> {
        let range = checked_range(ty, ptr, N as u64, self.mem.len())?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.mem[range]);
        Ok(out)
    }

    /// The `(pointer, length)` pair of a string or list stored at `ptr`.
    pub fn pair(&self, ty: TypeKind, ptr: u32) -> Result<(u32, u32), Trap> {
        let b: [u8; 8] = self.bytes(ty, ptr)?;
        let p = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let l = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        Ok((p, l))
    }
}

/// What lowering writes to: the guest's memory with its `realloc`, and its handle tables.
pub struct LowerCx<'a> {
    mem: &'a mut dyn GuestMemory,
    handles: &'a mut dyn Handles,
}

impl<'a> LowerCx<'a> {
    /// Lowers into `mem`, giving out handles through `handles`.
    pub fn new(mem: &'a mut dyn GuestMemory, handles: &'a mut dyn Handles) -> LowerCx<'a> {
        LowerCx { mem, handles }
    }

    /// The handle tables, for resources.
    pub fn handles(&mut self) -> &mut dyn Handles {
        self.handles
    }

    /// The guest's linear memory, writable (re-read after every `realloc`).
    pub fn memory_mut(&mut self) -> &mut [u8] {
        self.mem.data_mut()
    }

    /// Writes `bytes` at `ptr`, bounds-checked.
    pub fn write(&mut self, ty: TypeKind, ptr: u32, bytes: &[u8]) -> Result<(), Trap> {
        write_at(self.mem.data_mut(), ty, ptr, bytes)
    }

    /// A fresh block from the guest's `realloc`, checked for alignment and bounds.
    pub fn alloc(&mut self, align: u32, size: u32) -> Result<u32, Trap> {
        allocate(self.mem, align, size)
    }
}

/// Writes `bytes` at `ptr` in `mem`, bounds-checked.
pub(crate) fn write_at(mem: &mut [u8], ty: TypeKind, ptr: u32, bytes: &[u8]) -> Result<(), Trap> {
    let range = checked_range(ty, ptr, bytes.len() as u64, mem.len())?;
    mem[range].copy_from_slice(bytes);
    Ok(())
}

/// The core values of a call, read in order.
///
/// Values are converted by their bits to the core type asked for, as the
/// specification does for a variant's payload in a joined slot (an `i64`
/// slot read as `f32`, say); elsewhere the engine has already checked that
/// each value has its signature's type.
pub struct FlatSrc<'a> {
    vals: &'a [FlatVal],
    pos: usize,
}

impl<'a> FlatSrc<'a> {
    /// Reads `vals` from the first.
    pub fn new(vals: &'a [FlatVal]) -> FlatSrc<'a> {
        FlatSrc { vals, pos: 0 }
    }

    fn next(&mut self, want: FlatType) -> Result<FlatVal, Trap> {
        let v = *self.vals.get(self.pos).ok_or(Trap::FlatMismatch {
            expected: Some(want),
        })?;
        self.pos += 1;
        Ok(v)
    }

    /// The next value as an `i32`.
    pub fn i32(&mut self) -> Result<i32, Trap> {
        Ok(bits(self.next(FlatType::I32)?) as i32)
    }

    /// The next value as an `i64`.
    pub fn i64(&mut self) -> Result<i64, Trap> {
        Ok(bits(self.next(FlatType::I64)?) as i64)
    }

    /// The next value as an `f32`.
    pub fn f32(&mut self) -> Result<f32, Trap> {
        Ok(f32::from_bits(bits(self.next(FlatType::F32)?) as u32))
    }

    /// The next value as an `f64`.
    pub fn f64(&mut self) -> Result<f64, Trap> {
        Ok(f64::from_bits(bits(self.next(FlatType::F64)?)))
    }

    /// How many values were read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Skips to `pos`, past slots a variant case leaves unused.
    pub(crate) fn skip_to(&mut self, pos: usize) -> Result<(), Trap> {
        if pos > self.vals.len() || pos < self.pos {
            return Err(Trap::FlatMismatch { expected: None });
        }
        self.pos = pos;
        Ok(())
    }
}

/// A core value's bits, zero-extended to 64.
fn bits(v: FlatVal) -> u64 {
    match v {
        FlatVal::I32(i) => u64::from(i as u32),
        FlatVal::I64(i) => i as u64,
        FlatVal::F32(f) => u64::from(f.to_bits()),
        FlatVal::F64(f) => f.to_bits(),
    }
}

/// Core values being lowered, on the stack: a call passes at most [`MAX_FLAT_PARAMS`] directly.
#[derive(Clone, Copy, Debug)]
pub struct FlatBuf {
    vals: [FlatVal; MAX_FLAT_PARAMS],
    len: usize,
}

impl Default for FlatBuf {
    fn default() -> FlatBuf {
        FlatBuf::new()
    }
}

impl FlatBuf {
    /// An empty buffer.
    pub const fn new() -> FlatBuf {
        FlatBuf {
            vals: [FlatVal::I32(0); MAX_FLAT_PARAMS],
            len: 0,
        }
    }

    /// Appends `v`; more values than a call can pass directly is a mismatch.
    pub fn push(&mut self, v: FlatVal) -> Result<(), Trap> {
        let slot = self
            .vals
            .get_mut(self.len)
            .ok_or(Trap::FlatMismatch { expected: None })?;
        *slot = v;
        self.len += 1;
        Ok(())
    }

    /// The values so far.
    pub fn as_slice(&self) -> &[FlatVal] {
        &self.vals[..self.len]
    }

    /// How many values so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every value.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Widens the values from `start` into a variant's joined `slots`, padding with zeros.
    pub(crate) fn fill_slots(&mut self, start: usize, slots: &[FlatType]) -> Result<(), Trap> {
        if self.len > start + slots.len() {
            return Err(Trap::FlatMismatch { expected: None });
        }
        for (i, want) in slots.iter().enumerate() {
            let at = start + i;
            if at < self.len {
                self.vals[at] = widen(self.vals[at], *want)?;
            } else {
                self.push(FlatVal::zero(*want))?;
            }
        }
        Ok(())
    }
}

/// A payload value widened into its variant slot (the specification's `lower_flat_variant`).
fn widen(v: FlatVal, want: FlatType) -> Result<FlatVal, Trap> {
    Ok(match (v, want) {
        (FlatVal::F32(f), FlatType::I32) => FlatVal::I32(f.to_bits() as i32),
        (FlatVal::I32(i), FlatType::I64) => FlatVal::I64(i64::from(i as u32)),
        (FlatVal::F32(f), FlatType::I64) => FlatVal::I64(i64::from(f.to_bits())),
        (FlatVal::F64(f), FlatType::I64) => FlatVal::I64(f.to_bits() as i64),
        (v, want) if v.ty() == want => v,
        _ => {
            return Err(Trap::FlatMismatch {
                expected: Some(want),
            })
        }
    })
}

/// A Rust type read out of a guest: from core values or from linear memory.
///
/// `'m` is the guest memory's lifetime: `&'m str` and `&'m [u8]` borrow it.
pub trait Lift<'m>: ComponentType + Sized {
    /// Lifts from core values (the specification's `lift_flat`).
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Self, Trap>;

    /// Loads from memory at `ptr`, which the caller has aligned (the specification's `load`).
    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Self, Trap>;

    /// Loads `len` elements of type `elem` from `ptr`, checking the list as a whole first.
    fn load_list(
        cx: &mut LiftCx<'m, '_>,
        elem: &Type,
        ptr: u32,
        len: u32,
    ) -> Result<Vec<Self>, Trap> {
        let size = check_list(elem, ptr, len, cx.mem.len())?;
        // The range check bounds `len` by the memory size (`size` is at least one).
        let mut out = Vec::with_capacity(len as usize);
        let mut at = ptr;
        for _ in 0..len {
            out.push(Self::load(cx, elem, at)?);
            at = at.wrapping_add(size);
        }
        Ok(out)
    }

    /// The value of a variant case without payload; only `()` has one.
    #[doc(hidden)]
    fn unit() -> Option<Self> {
        None
    }
}

/// Checks a list at `ptr` of `len` elements of `elem` (limit, alignment, bounds): the element size.
pub(crate) fn check_list(elem: &Type, ptr: u32, len: u32, memory: usize) -> Result<u32, Trap> {
    let layout = elem.layout();
    let bytes = u64::from(len) * u64::from(layout.size);
    if bytes > u64::from(MAX_LIST_BYTE_LENGTH) {
        return Err(Trap::TooLong {
            ty: TypeKind::List,
            bytes,
        });
    }
    check_aligned(TypeKind::List, ptr, layout.align)?;
    checked_range(TypeKind::List, ptr, bytes, memory)?;
    Ok(layout.size.max(1))
}

/// A Rust value passed into a guest: as core values or into linear memory.
pub trait Lower: ComponentType {
    /// Lowers to core values appended to `out` (the specification's `lower_flat`).
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap>;

    /// Stores at `ptr`, which the caller has aligned (the specification's `store`).
    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap>;

    /// Stores into `mem` directly; only called for types with no string, list
    /// or handle in them, which need neither `realloc` nor the handle tables.
    fn store_plain(&self, ty: &Type, _mem: &mut [u8], _ptr: u32) -> Result<(), Trap> {
        Err(Trap::ValueMismatch {
            expected: ty.kind(),
        })
    }

    /// Stores `items` as a `list<elem>` in a fresh block: its `(pointer, length)`.
    fn store_list(items: &[Self], cx: &mut LowerCx<'_>, elem: &Type) -> Result<(u32, u32), Trap>
    where
        Self: Sized,
    {
        let (ptr, len, size) = alloc_list(cx, elem, items.len())?;
        let mut at = ptr;
        if is_plain(elem) {
            let mem = cx.memory_mut();
            for item in items {
                item.store_plain(elem, mem, at)?;
                at = at.wrapping_add(size);
            }
        } else {
            for item in items {
                item.store(cx, elem, at)?;
                at = at.wrapping_add(size);
            }
        }
        Ok((ptr, len))
    }

    /// Whether this is `()`, the payload of a case without one.
    #[doc(hidden)]
    fn is_unit(&self) -> bool {
        false
    }
}

/// A variant case's payload, lowered through a trait object (generated code builds these).
pub trait Payload {
    /// [`Lower::lower`].
    fn lower_payload(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf)
        -> Result<(), Trap>;
    /// [`Lower::store`].
    fn store_payload(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap>;
    /// [`Lower::store_plain`].
    fn store_payload_plain(&self, ty: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap>;
    /// Whether this is `()`.
    fn payload_is_unit(&self) -> bool;
}

impl<T: Lower + ?Sized> Payload for T {
    fn lower_payload(
        &self,
        cx: &mut LowerCx<'_>,
        ty: &Type,
        out: &mut FlatBuf,
    ) -> Result<(), Trap> {
        self.lower(cx, ty, out)
    }
    fn store_payload(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        self.store(cx, ty, ptr)
    }
    fn store_payload_plain(&self, ty: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
        self.store_plain(ty, mem, ptr)
    }
    fn payload_is_unit(&self) -> bool {
        self.is_unit()
    }
}

/// Whether values of `ty` can be stored with [`Lower::store_plain`].
pub fn is_plain(ty: &Type) -> bool {
    !ty.needs_memory() && !ty.has_handles()
}

/// A fresh block for `n` elements of `elem`: pointer, length and element size.
pub(crate) fn alloc_list(
    cx: &mut LowerCx<'_>,
    elem: &Type,
    n: usize,
) -> Result<(u32, u32, u32), Trap> {
    let layout = elem.layout();
    let too_long = || Trap::TooLong {
        ty: TypeKind::List,
        bytes: n as u64 * u64::from(layout.size),
    };
    let len = u32::try_from(n).map_err(|_| too_long())?;
    let bytes = len.checked_mul(layout.size).ok_or_else(too_long)?;
    let ptr = cx.alloc(layout.align, bytes)?;
    Ok((ptr, len, layout.size))
}
