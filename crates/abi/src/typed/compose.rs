//! Building blocks for the typed impls of composite types: records and
//! tuples (fields in a row), variants, enums, options and results (a case
//! and its payload), and flags. Generated bindings call these, so layout,
//! slots and checks live here once.

use crate::layout::{Product, Sum};
use crate::trap::Trap;
use crate::types::{Type, TypeKind};
use crate::val::FlatVal;

use super::{write_at, ComponentType, FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx};
use super::{Flat, Payload, ResourceNames, TypeMismatch};

/// A type check of one field or payload, as [`ComponentType::typecheck`] is.
pub type Check = fn(&Type, &dyn ResourceNames) -> Result<(), TypeMismatch>;

/// A type check of a case's payload, as [`ComponentType::typecheck_payload`] is.
type PayloadCheck = fn(Option<&Type>, &dyn ResourceNames) -> Result<(), TypeMismatch>;

/// Checks a record: the same field names, in order, each of its type.
pub fn typecheck_record(
    ty: &Type,
    expected: &'static str,
    fields: &[(&str, Check)],
    names: &dyn ResourceNames,
) -> Result<(), TypeMismatch> {
    let Type::Record(r) = ty else {
        return Err(TypeMismatch::new(expected, ty));
    };
    if r.fields().len() != fields.len() {
        return Err(TypeMismatch::new(expected, ty));
    }
    for ((name, fty, _), (want, check)) in r.fields().zip(fields) {
        if name != *want {
            return Err(TypeMismatch::new(expected, ty));
        }
        check(fty, names)?;
    }
    Ok(())
}

/// Checks a variant: the same case names, in order, each with its payload.
pub fn typecheck_variant(
    ty: &Type,
    expected: &'static str,
    cases: &[(&str, PayloadCheck)],
    names: &dyn ResourceNames,
) -> Result<(), TypeMismatch> {
    let Type::Variant(v) = ty else {
        return Err(TypeMismatch::new(expected, ty));
    };
    if v.cases().len() != cases.len() {
        return Err(TypeMismatch::new(expected, ty));
    }
    for ((name, payload), (want, check)) in v.cases().zip(cases) {
        if name != *want {
            return Err(TypeMismatch::new(expected, ty));
        }
        check(payload, names)?;
    }
    Ok(())
}

/// Checks an enum: the same case names, in order.
pub fn typecheck_enum(
    ty: &Type,
    expected: &'static str,
    cases: &[&str],
) -> Result<(), TypeMismatch> {
    match ty {
        Type::Enum(e) if e.names().eq(cases.iter().copied()) => Ok(()),
        _ => Err(TypeMismatch::new(expected, ty)),
    }
}

/// Checks a flags type: the same labels, in order.
pub fn typecheck_flags(
    ty: &Type,
    expected: &'static str,
    labels: &[&str],
) -> Result<(), TypeMismatch> {
    match ty {
        Type::Flags(f) if f.names().eq(labels.iter().copied()) => Ok(()),
        _ => Err(TypeMismatch::new(expected, ty)),
    }
}

fn mismatch(ty: &Type) -> Trap {
    Trap::ValueMismatch {
        expected: ty.kind(),
    }
}

fn offset(ty: TypeKind, ptr: u32, off: u32) -> Result<u32, Trap> {
    ptr.checked_add(off).ok_or(Trap::OutOfBounds {
        ty,
        ptr,
        len: u64::from(off),
        memory: 0,
    })
}

/// The fields of a record or tuple, taken one after another with their types and offsets.
pub struct Fields<'t> {
    product: &'t Product,
    kind: TypeKind,
    next: usize,
}

impl<'t> Fields<'t> {
    /// The fields of `ty`, a record or tuple.
    pub fn of(ty: &'t Type) -> Result<Fields<'t>, Trap> {
        let product = match ty {
            Type::Record(r) => &r.product,
            Type::Tuple(t) => &t.product,
            _ => return Err(mismatch(ty)),
        };
        Ok(Fields {
            product,
            kind: ty.kind(),
            next: 0,
        })
    }

    fn take(&mut self) -> Result<(&'t Type, u32), Trap> {
        let i = self.next;
        let ty = self.product.types.get(i).ok_or(Trap::ValueMismatch {
            expected: self.kind,
        })?;
        self.next += 1;
        Ok((ty, self.product.offsets[i]))
    }

    /// Lifts the next field from core values.
    pub fn lift<'m, T: Lift<'m>>(
        &mut self,
        cx: &mut LiftCx<'m, '_>,
        src: &mut FlatSrc<'_>,
    ) -> Result<T, Trap> {
        let (ty, _) = self.take()?;
        T::lift(cx, ty, src)
    }

    /// Loads the next field of the record at `ptr`.
    pub fn load<'m, T: Lift<'m>>(&mut self, cx: &mut LiftCx<'m, '_>, ptr: u32) -> Result<T, Trap> {
        let (ty, off) = self.take()?;
        T::load(cx, ty, offset(self.kind, ptr, off)?)
    }

    /// Lowers `v` as the next field.
    pub fn lower<T: Lower + ?Sized>(
        &mut self,
        cx: &mut LowerCx<'_>,
        v: &T,
        out: &mut FlatBuf,
    ) -> Result<(), Trap> {
        let (ty, _) = self.take()?;
        v.lower(cx, ty, out)
    }

    /// Stores `v` as the next field of the record at `ptr`.
    pub fn store<T: Lower + ?Sized>(
        &mut self,
        cx: &mut LowerCx<'_>,
        v: &T,
        ptr: u32,
    ) -> Result<(), Trap> {
        let (ty, off) = self.take()?;
        v.store(cx, ty, offset(self.kind, ptr, off)?)
    }

    /// Stores `v` as the next field of the plain record at `ptr` in `mem`.
    pub fn store_plain<T: Lower + ?Sized>(
        &mut self,
        v: &T,
        mem: &mut [u8],
        ptr: u32,
    ) -> Result<(), Trap> {
        let (ty, off) = self.take()?;
        v.store_plain(ty, mem, offset(self.kind, ptr, off)?)
    }
}

fn sum_of(ty: &Type) -> Result<&Sum, Trap> {
    match ty {
        Type::Variant(v) => Ok(&v.sum),
        Type::Enum(e) => Ok(&e.sum),
        Type::Option(o) => Ok(&o.sum),
        Type::Result(r) => Ok(&r.sum),
        _ => Err(mismatch(ty)),
    }
}

fn case_of(sum: &Sum, ty: TypeKind, disc: u32) -> Result<Option<&Type>, Trap> {
    match sum.cases.get(disc as usize) {
        Some(case) => Ok(case.as_ref()),
        None => Err(Trap::InvalidDiscriminant {
            ty,
            value: disc,
            cases: sum.cases.len() as u32,
        }),
    }
}

/// The trap for a discriminant past the cases of `ty` (which lifting already rules out).
#[cold]
pub fn bad_case(ty: &Type, disc: u32) -> Trap {
    let cases = sum_of(ty).map(|s| s.cases.len() as u32).unwrap_or(0);
    Trap::InvalidDiscriminant {
        ty: ty.kind(),
        value: disc,
        cases,
    }
}

fn payload_of<'m, T: Lift<'m>>(payload: Option<&Type>) -> Result<Option<&Type>, T> {
    match payload {
        Some(t) => Ok(Some(t)),
        None => T::unit().map_or(Ok(None), Err),
    }
}

/// A case lifted from core values: its index, then its payload, then [`CaseLift::finish`].
pub struct CaseLift<'t> {
    index: u32,
    payload: Option<&'t Type>,
    end: usize,
}

impl<'t> CaseLift<'t> {
    /// Reads the discriminant of `ty` (a variant, enum, option or result), checking it.
    pub fn read(ty: &'t Type, src: &mut FlatSrc<'_>) -> Result<CaseLift<'t>, Trap> {
        let sum = sum_of(ty)?;
        let end = src.position() + sum.flat.len();
        let index = src.i32()? as u32;
        let payload = case_of(sum, ty.kind(), index)?;
        Ok(CaseLift {
            index,
            payload,
            end,
        })
    }

    /// The case.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Lifts the case's payload (`()` for a case without one).
    pub fn payload<'m, T: Lift<'m>>(
        &self,
        cx: &mut LiftCx<'m, '_>,
        src: &mut FlatSrc<'_>,
    ) -> Result<T, Trap> {
        match payload_of::<T>(self.payload) {
            Ok(Some(ty)) => T::lift(cx, ty, src),
            Ok(None) => Err(Trap::ValueMismatch {
                expected: TypeKind::Variant,
            }),
            Err(unit) => Ok(unit),
        }
    }

    /// Skips the slots the case leaves unused.
    pub fn finish(self, src: &mut FlatSrc<'_>) -> Result<(), Trap> {
        src.skip_to(self.end)
    }
}

/// A case loaded from memory: its index, then its payload.
pub struct CaseLoad<'t> {
    index: u32,
    payload: Option<&'t Type>,
    at: u32,
}

impl<'t> CaseLoad<'t> {
    /// Reads the discriminant of `ty` stored at `ptr`, checking it.
    pub fn read(cx: &LiftCx<'_, '_>, ty: &'t Type, ptr: u32) -> Result<CaseLoad<'t>, Trap> {
        let sum = sum_of(ty)?;
        let k = ty.kind();
        let index = match sum.disc.bytes() {
            1 => u32::from(cx.bytes::<1>(k, ptr)?[0]),
            2 => u32::from(u16::from_le_bytes(cx.bytes(k, ptr)?)),
            _ => u32::from_le_bytes(cx.bytes(k, ptr)?),
        };
        let payload = case_of(sum, k, index)?;
        Ok(CaseLoad {
            index,
            payload,
            at: offset(k, ptr, sum.payload_offset)?,
        })
    }

    /// The case.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Loads the case's payload (`()` for a case without one).
    pub fn payload<'m, T: Lift<'m>>(&self, cx: &mut LiftCx<'m, '_>) -> Result<T, Trap> {
        match payload_of::<T>(self.payload) {
            Ok(Some(ty)) => T::load(cx, ty, self.at),
            Ok(None) => Err(Trap::ValueMismatch {
                expected: TypeKind::Variant,
            }),
            Err(unit) => Ok(unit),
        }
    }
}

/// The payload type of case `disc` of `ty`, checked against the payload given.
fn selected<'t>(
    ty: &'t Type,
    disc: u32,
    payload: Option<&dyn Payload>,
) -> Result<(&'t Sum, Option<&'t Type>), Trap> {
    let sum = sum_of(ty)?;
    let case = sum.cases.get(disc as usize).ok_or_else(|| mismatch(ty))?;
    match (case, payload) {
        (Some(t), Some(_)) => Ok((sum, Some(t))),
        (None, None) => Ok((sum, None)),
        (None, Some(p)) if p.payload_is_unit() => Ok((sum, None)),
        _ => Err(mismatch(ty)),
    }
}

/// Lowers case `disc` of `ty` with its payload, filling the variant's slots.
pub fn lower_case(
    cx: &mut LowerCx<'_>,
    ty: &Type,
    disc: u32,
    payload: Option<&dyn Payload>,
    out: &mut FlatBuf,
) -> Result<(), Trap> {
    let (sum, case) = selected(ty, disc, payload)?;
    out.push(FlatVal::I32(disc as i32))?;
    let start = out.len();
    if let (Some(t), Some(p)) = (case, payload) {
        p.lower_payload(cx, t, out)?;
    }
    out.fill_slots(start, &sum.flat[1..])
}

fn disc_bytes(sum: &Sum, disc: u32) -> ([u8; 4], usize) {
    let n = sum.disc.bytes() as usize;
    (disc.to_le_bytes(), n)
}

/// Stores case `disc` of `ty` with its payload at `ptr`.
pub fn store_case(
    cx: &mut LowerCx<'_>,
    ty: &Type,
    disc: u32,
    payload: Option<&dyn Payload>,
    ptr: u32,
) -> Result<(), Trap> {
    let (sum, case) = selected(ty, disc, payload)?;
    let (bytes, n) = disc_bytes(sum, disc);
    cx.write(ty.kind(), ptr, &bytes[..n])?;
    match (case, payload) {
        (Some(t), Some(p)) => p.store_payload(cx, t, offset(ty.kind(), ptr, sum.payload_offset)?),
        _ => Ok(()),
    }
}

/// Stores case `disc` of the plain type `ty` with its payload at `ptr` in `mem`.
pub fn store_case_plain(
    ty: &Type,
    disc: u32,
    payload: Option<&dyn Payload>,
    mem: &mut [u8],
    ptr: u32,
) -> Result<(), Trap> {
    let (sum, case) = selected(ty, disc, payload)?;
    let (bytes, n) = disc_bytes(sum, disc);
    write_at(mem, ty.kind(), ptr, &bytes[..n])?;
    match (case, payload) {
        (Some(t), Some(p)) => {
            p.store_payload_plain(t, mem, offset(ty.kind(), ptr, sum.payload_offset)?)
        }
        _ => Ok(()),
    }
}

fn flags_mask(ty: &Type) -> Result<(u32, u32), Trap> {
    match ty {
        Type::Flags(f) => Ok((f.mask(), f.layout().size)),
        _ => Err(mismatch(ty)),
    }
}

/// Lifts a flags value of `ty`: its bits, labels past the last ignored.
pub fn lift_flags(ty: &Type, src: &mut FlatSrc<'_>) -> Result<u32, Trap> {
    let (mask, _) = flags_mask(ty)?;
    Ok(src.i32()? as u32 & mask)
}

/// Loads a flags value of `ty` at `ptr`.
pub fn load_flags(cx: &LiftCx<'_, '_>, ty: &Type, ptr: u32) -> Result<u32, Trap> {
    let (mask, size) = flags_mask(ty)?;
    let k = TypeKind::Flags;
    let bits = match size {
        1 => u32::from(cx.bytes::<1>(k, ptr)?[0]),
        2 => u32::from(u16::from_le_bytes(cx.bytes(k, ptr)?)),
        _ => u32::from_le_bytes(cx.bytes(k, ptr)?),
    };
    Ok(bits & mask)
}

/// Lowers the flags `bits` of `ty`.
pub fn lower_flags(ty: &Type, bits: u32, out: &mut FlatBuf) -> Result<(), Trap> {
    let (mask, _) = flags_mask(ty)?;
    out.push(FlatVal::I32((bits & mask) as i32))
}

/// Stores the flags `bits` of `ty` at `ptr`.
pub fn store_flags(cx: &mut LowerCx<'_>, ty: &Type, bits: u32, ptr: u32) -> Result<(), Trap> {
    store_flags_plain(ty, bits, cx.memory_mut(), ptr)
}

/// Stores the flags `bits` of `ty` at `ptr` in `mem`.
pub fn store_flags_plain(ty: &Type, bits: u32, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
    let (mask, size) = flags_mask(ty)?;
    let b = (bits & mask).to_le_bytes();
    write_at(mem, TypeKind::Flags, ptr, &b[..size as usize])
}

impl ComponentType for () {
    const FLAT: Option<Flat> = Some(Flat::i32s(0));

    fn typecheck(ty: &Type, _: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        Err(TypeMismatch::new("no payload", ty))
    }

    fn typecheck_payload(
        payload: Option<&Type>,
        _: &dyn ResourceNames,
    ) -> Result<(), TypeMismatch> {
        match payload {
            None => Ok(()),
            Some(ty) => Err(TypeMismatch::new("no payload", ty)),
        }
    }
}

impl<'m> Lift<'m> for () {
    fn lift(_: &mut LiftCx<'m, '_>, ty: &Type, _: &mut FlatSrc<'_>) -> Result<(), Trap> {
        Err(mismatch(ty))
    }

    fn load(_: &mut LiftCx<'m, '_>, ty: &Type, _: u32) -> Result<(), Trap> {
        Err(mismatch(ty))
    }

    fn unit() -> Option<()> {
        Some(())
    }
}

impl Lower for () {
    fn lower(&self, _: &mut LowerCx<'_>, ty: &Type, _: &mut FlatBuf) -> Result<(), Trap> {
        Err(mismatch(ty))
    }

    fn store(&self, _: &mut LowerCx<'_>, ty: &Type, _: u32) -> Result<(), Trap> {
        Err(mismatch(ty))
    }

    fn is_unit(&self) -> bool {
        true
    }
}
