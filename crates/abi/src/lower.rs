//! Lowering: writing component values into core values and guest memory.

use alloc::vec::Vec;

use crate::lift::{canonical_f32, canonical_f64};
use crate::memory::{allocate, check_aligned, checked_range, GuestMemory, Handles};
use crate::scalar;
use crate::trap::Trap;
use crate::types::{FlatType, ListType, Product, Sum, Type, TypeKind};
use crate::val::{FlatVal, Val};

/// Stores `val` of type `ty` at `ptr` in guest memory (the specification's `store`).
///
/// Strings and lists are copied into blocks obtained from the guest's
/// `realloc`, whose results are checked. `ptr` must be aligned and the value
/// inside memory, else this traps.
pub fn store<M: GuestMemory + ?Sized, H: Handles + ?Sized>(
    ty: &Type,
    val: &Val,
    ptr: u32,
    mem: &mut M,
    handles: &mut H,
) -> Result<(), Trap> {
    let layout = ty.layout();
    check_aligned(ty.kind(), ptr, layout.align)?;
    checked_range(ty.kind(), ptr, layout.size.into(), mem.data().len())?;
    Lowerer { mem, handles }.store(ty, val, ptr)
}

/// Lowers `val` of type `ty` to core values appended to `out` (the specification's `lower_flat`).
///
/// Appends exactly `ty.flat().len()` values on success.
pub fn lower_flat<M: GuestMemory + ?Sized, H: Handles + ?Sized>(
    ty: &Type,
    val: &Val,
    mem: &mut M,
    handles: &mut H,
    out: &mut Vec<FlatVal>,
) -> Result<(), Trap> {
    Lowerer { mem, handles }.lower(ty, val, out)
}

pub(crate) struct Lowerer<'a, M: ?Sized, H: ?Sized> {
    pub(crate) mem: &'a mut M,
    pub(crate) handles: &'a mut H,
}

fn mismatch(ty: &Type) -> Trap {
    Trap::ValueMismatch {
        expected: ty.kind(),
    }
}

/// A case's payload type with the value for it.
type Selected<'t, 'v> = Option<(&'t Type, &'v Val)>;

/// The case index and payload a value selects in a sum type, checked against the type.
fn case_of<'v, 't>(ty: &Type, sum: &'t Sum, val: &'v Val) -> Result<(u32, Selected<'t, 'v>), Trap> {
    let (disc, payload): (u32, Option<&Val>) = match (ty, val) {
        (Type::Variant(_), Val::Variant(i, p)) => (*i, p.as_deref()),
        (Type::Enum(_), Val::Enum(i)) => (*i, None),
        (Type::Option(_), Val::Option(None)) => (0, None),
        (Type::Option(_), Val::Option(Some(v))) => (1, Some(v)),
        (Type::Result(_), Val::Result(Ok(p))) => (0, p.as_deref()),
        (Type::Result(_), Val::Result(Err(p))) => (1, p.as_deref()),
        _ => return Err(mismatch(ty)),
    };
    match (sum.cases.get(disc as usize), payload) {
        (Some(None), None) => Ok((disc, None)),
        (Some(Some(t)), Some(v)) => Ok((disc, Some((t, v)))),
        _ => Err(mismatch(ty)),
    }
}

fn sum_of(ty: &Type) -> Option<&Sum> {
    match ty {
        Type::Variant(v) => Some(&v.sum),
        Type::Enum(e) => Some(&e.sum),
        Type::Option(o) => Some(&o.sum),
        Type::Result(r) => Some(&r.sum),
        _ => None,
    }
}

fn product_vals<'t, 'v>(ty: &'t Type, val: &'v Val) -> Option<(&'v [Val], &'t Product)> {
    match (ty, val) {
        (Type::Record(r), Val::Record(v)) => Some((v, &r.product)),
        (Type::Tuple(t), Val::Tuple(v)) => Some((v, &t.product)),
        _ => None,
    }
}

impl<M: GuestMemory + ?Sized, H: Handles + ?Sized> Lowerer<'_, M, H> {
    fn write(&mut self, ty: TypeKind, ptr: u32, bytes: &[u8]) -> Result<(), Trap> {
        let data = self.mem.data_mut();
        let range = checked_range(ty, ptr, bytes.len() as u64, data.len())?;
        data[range].copy_from_slice(bytes);
        Ok(())
    }

    /// Copies `bytes` into a fresh guest block: the `(pointer, length)` of a string.
    fn store_string(&mut self, s: &str) -> Result<(u32, u32), Trap> {
        let len = u32::try_from(s.len()).map_err(|_| Trap::TooLong {
            ty: TypeKind::String,
            bytes: s.len() as u64,
        })?;
        let ptr = allocate(self.mem, 1, len)?;
        self.write(TypeKind::String, ptr, s.as_bytes())?;
        Ok((ptr, len))
    }

    /// Stores a list's elements in a fresh guest block: its `(pointer, length)`.
    fn store_list(&mut self, l: &ListType, elems: &[Val]) -> Result<(u32, u32), Trap> {
        let layout = l.elem().layout();
        let too_long = || Trap::TooLong {
            ty: TypeKind::List,
            bytes: elems.len() as u64 * u64::from(layout.size),
        };
        let len = u32::try_from(elems.len()).map_err(|_| too_long())?;
        let bytes = len.checked_mul(layout.size).ok_or_else(too_long)?;
        let ptr = allocate(self.mem, layout.align, bytes)?;
        // Scalar elements encode straight into the checked block.
        let data = self.mem.data_mut();
        let range = checked_range(TypeKind::List, ptr, bytes.into(), data.len())?;
        if let Some(r) = scalar::encode_all(l.elem(), elems, &mut data[range]) {
            return r.map(|()| (ptr, len));
        }
        let mut at = ptr;
        for e in elems {
            self.store(l.elem(), e, at)?;
            // Within the block `allocate` checked; wraps only past the last element.
            at = at.wrapping_add(layout.size);
        }
        Ok((ptr, len))
    }

    pub(crate) fn store(&mut self, ty: &Type, val: &Val, ptr: u32) -> Result<(), Trap> {
        let k = ty.kind();
        let size = ty.layout().size;
        let data = self.mem.data_mut();
        let range = checked_range(k, ptr, size.into(), data.len())?;
        if let Some(r) = scalar::encode(ty, val, &mut data[range]) {
            return r;
        }
        match (ty, val) {
            (Type::String, Val::String(s)) => {
                let (p, l) = self.store_string(s)?;
                self.write_pair(k, ptr, p, l)
            }
            (Type::List(l), Val::List(elems)) => {
                let (p, n) = self.store_list(l, elems)?;
                self.write_pair(k, ptr, p, n)
            }
            (Type::Record(_) | Type::Tuple(_), _) => {
                let (vals, product) = product_vals(ty, val).ok_or_else(|| mismatch(ty))?;
                if vals.len() != product.types.len() {
                    return Err(mismatch(ty));
                }
                for ((fty, offset), v) in product.fields().zip(vals) {
                    self.store(fty, v, ptr + offset)?;
                }
                Ok(())
            }
            (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
                let sum = sum_of(ty).ok_or_else(|| mismatch(ty))?;
                let (disc, payload) = case_of(ty, sum, val)?;
                match sum.disc.bytes() {
                    1 => self.write(k, ptr, &[disc as u8])?,
                    2 => self.write(k, ptr, &(disc as u16).to_le_bytes())?,
                    _ => self.write(k, ptr, &disc.to_le_bytes())?,
                }
                match payload {
                    Some((pty, v)) => self.store(pty, v, ptr + sum.payload_offset),
                    None => Ok(()),
                }
            }
            (Type::Flags(f), Val::Flags(bits)) => {
                let bits = bits & f.mask();
                match f.layout().size {
                    1 => self.write(k, ptr, &[bits as u8]),
                    2 => self.write(k, ptr, &(bits as u16).to_le_bytes()),
                    _ => self.write(k, ptr, &bits.to_le_bytes()),
                }
            }
            (Type::Own(r), Val::Own(rep)) => {
                let h = self.handles.lower_own(*r, *rep)?;
                self.write(k, ptr, &h.to_le_bytes())
            }
            (Type::Borrow(r), Val::Borrow(rep)) => {
                let h = self.handles.lower_borrow(*r, *rep)?;
                self.write(k, ptr, &h.to_le_bytes())
            }
            _ => Err(mismatch(ty)),
        }
    }

    fn write_pair(&mut self, ty: TypeKind, ptr: u32, p: u32, l: u32) -> Result<(), Trap> {
        let mut pair = [0u8; 8];
        pair[..4].copy_from_slice(&p.to_le_bytes());
        pair[4..].copy_from_slice(&l.to_le_bytes());
        self.write(ty, ptr, &pair)
    }

    pub(crate) fn lower(
        &mut self,
        ty: &Type,
        val: &Val,
        out: &mut Vec<FlatVal>,
    ) -> Result<(), Trap> {
        let v = match (ty, val) {
            (Type::Bool, Val::Bool(b)) => FlatVal::I32(i32::from(*b)),
            (Type::S8, Val::S8(v)) => FlatVal::I32(i32::from(*v)),
            (Type::U8, Val::U8(v)) => FlatVal::I32(i32::from(*v)),
            (Type::S16, Val::S16(v)) => FlatVal::I32(i32::from(*v)),
            (Type::U16, Val::U16(v)) => FlatVal::I32(i32::from(*v)),
            (Type::S32, Val::S32(v)) => FlatVal::I32(*v),
            (Type::U32, Val::U32(v)) => FlatVal::I32(*v as i32),
            (Type::S64, Val::S64(v)) => FlatVal::I64(*v),
            (Type::U64, Val::U64(v)) => FlatVal::I64(*v as i64),
            (Type::F32, Val::F32(v)) => FlatVal::F32(canonical_f32(*v)),
            (Type::F64, Val::F64(v)) => FlatVal::F64(canonical_f64(*v)),
            (Type::Char, Val::Char(c)) => FlatVal::I32(u32::from(*c) as i32),
            (Type::String, Val::String(s)) => {
                let (p, l) = self.store_string(s)?;
                out.extend([FlatVal::I32(p as i32), FlatVal::I32(l as i32)]);
                return Ok(());
            }
            (Type::List(l), Val::List(elems)) => {
                let (p, n) = self.store_list(l, elems)?;
                out.extend([FlatVal::I32(p as i32), FlatVal::I32(n as i32)]);
                return Ok(());
            }
            (Type::Record(_) | Type::Tuple(_), _) => {
                let (vals, product) = product_vals(ty, val).ok_or_else(|| mismatch(ty))?;
                if vals.len() != product.types.len() {
                    return Err(mismatch(ty));
                }
                for (fty, v) in product.types.iter().zip(vals) {
                    self.lower(fty, v, out)?;
                }
                return Ok(());
            }
            (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
                let sum = sum_of(ty).ok_or_else(|| mismatch(ty))?;
                return self.lower_sum(ty, sum, val, out);
            }
            (Type::Flags(f), Val::Flags(bits)) => FlatVal::I32((bits & f.mask()) as i32),
            (Type::Own(r), Val::Own(rep)) => FlatVal::I32(self.handles.lower_own(*r, *rep)? as i32),
            (Type::Borrow(r), Val::Borrow(rep)) => {
                FlatVal::I32(self.handles.lower_borrow(*r, *rep)? as i32)
            }
            _ => return Err(mismatch(ty)),
        };
        out.push(v);
        Ok(())
    }

    fn lower_sum(
        &mut self,
        ty: &Type,
        sum: &Sum,
        val: &Val,
        out: &mut Vec<FlatVal>,
    ) -> Result<(), Trap> {
        let (disc, payload) = case_of(ty, sum, val)?;
        out.push(FlatVal::I32(disc as i32));
        let start = out.len();
        if let Some((pty, v)) = payload {
            self.lower(pty, v, out)?;
        }
        let slots = &sum.flat[1..];
        for (i, want) in slots.iter().enumerate() {
            match out.get_mut(start + i) {
                Some(slot) => *slot = coerce(*slot, *want)?,
                None => out.push(FlatVal::zero(*want)),
            }
        }
        Ok(())
    }
}

/// A payload value widened into its variant slot.
fn coerce(v: FlatVal, want: FlatType) -> Result<FlatVal, Trap> {
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
