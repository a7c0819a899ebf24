//! Lifting: reading component values out of core values and guest memory, validating all of it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::memory::{check_aligned, checked_range, Handles};
use crate::scalar;
use crate::trap::Trap;
use crate::types::{FlatType, ListType, Product, Sum, Type, TypeKind};
use crate::val::{FlatVal, Val};
use crate::view::read_str;
use crate::MAX_LIST_BYTE_LENGTH;

const CANONICAL_NAN32: u32 = 0x7fc0_0000;
const CANONICAL_NAN64: u64 = 0x7ff8_0000_0000_0000;

/// Any NaN becomes the canonical NaN, as lifting requires.
pub(crate) fn canonical_f32(f: f32) -> f32 {
    if f.is_nan() {
        f32::from_bits(CANONICAL_NAN32)
    } else {
        f
    }
}

/// Any NaN becomes the canonical NaN, as lifting requires.
pub(crate) fn canonical_f64(f: f64) -> f64 {
    if f.is_nan() {
        f64::from_bits(CANONICAL_NAN64)
    } else {
        f
    }
}

/// Loads a value of type `ty` stored at `ptr` in `mem` (the specification's `load`).
///
/// `ptr` must be aligned and the value inside memory, else this traps.
pub fn load<H: Handles + ?Sized>(
    ty: &Type,
    mem: &[u8],
    ptr: u32,
    handles: &mut H,
) -> Result<Val, Trap> {
    let layout = ty.layout();
    check_aligned(ty.kind(), ptr, layout.align)?;
    checked_range(ty.kind(), ptr, layout.size.into(), mem.len())?;
    Lifter { mem, handles }.load(ty, ptr)
}

/// Lifts a value of type `ty` from exactly `ty.flat().len()` core values (the specification's `lift_flat`).
///
/// `mem` is read for strings and lists the values point to.
pub fn lift_flat<H: Handles + ?Sized>(
    ty: &Type,
    flat: &[FlatVal],
    mem: &[u8],
    handles: &mut H,
) -> Result<Val, Trap> {
    if flat.len() != ty.flat().len() {
        return Err(Trap::FlatMismatch { expected: None });
    }
    let mut src = Exact { vals: flat, pos: 0 };
    Lifter { mem, handles }.lift(ty, &mut src)
}

/// A supply of core values, asked for one at a time with the type wanted.
pub(crate) trait FlatSource {
    fn next(&mut self, want: FlatType) -> Result<FlatVal, Trap>;
}

/// Core values that must have exactly the types asked for.
pub(crate) struct Exact<'a> {
    pub(crate) vals: &'a [FlatVal],
    pub(crate) pos: usize,
}

impl FlatSource for Exact<'_> {
    fn next(&mut self, want: FlatType) -> Result<FlatVal, Trap> {
        let v = *self.vals.get(self.pos).ok_or(Trap::FlatMismatch {
            expected: Some(want),
        })?;
        if v.ty() != want {
            return Err(Trap::FlatMismatch {
                expected: Some(want),
            });
        }
        self.pos += 1;
        Ok(v)
    }
}

/// A variant payload read through the variant's joined slots (the specification's `CoerceValueIter`).
struct Coerce<'s, 't> {
    inner: &'s mut dyn FlatSource,
    have: &'t [FlatType],
    pos: usize,
}

impl FlatSource for Coerce<'_, '_> {
    fn next(&mut self, want: FlatType) -> Result<FlatVal, Trap> {
        let have = *self.have.get(self.pos).ok_or(Trap::FlatMismatch {
            expected: Some(want),
        })?;
        self.pos += 1;
        let x = self.inner.next(have)?;
        Ok(match (x, want) {
            (FlatVal::I32(i), FlatType::F32) => FlatVal::F32(f32::from_bits(i as u32)),
            (FlatVal::I64(i), FlatType::I32) => FlatVal::I32(i as i32),
            (FlatVal::I64(i), FlatType::F32) => FlatVal::F32(f32::from_bits(i as u32)),
            (FlatVal::I64(i), FlatType::F64) => FlatVal::F64(f64::from_bits(i as u64)),
            (x, want) if x.ty() == want => x,
            _ => {
                return Err(Trap::FlatMismatch {
                    expected: Some(want),
                })
            }
        })
    }
}

struct Lifter<'a, H: ?Sized> {
    mem: &'a [u8],
    handles: &'a mut H,
}

fn i32_of(v: FlatVal) -> i32 {
    match v {
        FlatVal::I32(i) => i,
        _ => 0,
    }
}

impl<H: Handles + ?Sized> Lifter<'_, H> {
    fn bytes<const N: usize>(&self, ty: TypeKind, ptr: u32) -> Result<[u8; N], Trap> {
        let range = checked_range(ty, ptr, N as u64, self.mem.len())?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.mem[range]);
        Ok(out)
    }

    fn u32_at(&self, ty: TypeKind, ptr: u32) -> Result<u32, Trap> {
        Ok(u32::from_le_bytes(self.bytes(ty, ptr)?))
    }

    /// The `(pointer, length)` pair of a string or list stored at `ptr`.
    fn pair(&self, ty: TypeKind, ptr: u32) -> Result<(u32, u32), Trap> {
        let p = self.u32_at(ty, ptr)?;
        let l = self.u32_at(
            ty,
            ptr.checked_add(4).ok_or(Trap::OutOfBounds {
                ty,
                ptr,
                len: 8,
                memory: self.mem.len() as u64,
            })?,
        )?;
        Ok((p, l))
    }

    fn load(&mut self, ty: &Type, ptr: u32) -> Result<Val, Trap> {
        let k = ty.kind();
        let size = ty.layout().size;
        let range = checked_range(k, ptr, size.into(), self.mem.len())?;
        if let Some(v) = scalar::decode(ty, &self.mem[range]) {
            return v;
        }
        Ok(match ty {
            Type::String => {
                let (p, l) = self.pair(k, ptr)?;
                Val::String(String::from(read_str(self.mem, p, l)?))
            }
            Type::List(l) => {
                let (p, n) = self.pair(k, ptr)?;
                self.list(l, p, n)?
            }
            Type::Record(r) => Val::Record(self.load_product(&r.product, ptr)?),
            Type::Tuple(t) => Val::Tuple(self.load_product(&t.product, ptr)?),
            Type::Variant(v) => {
                let (i, p) = self.load_sum(&v.sum, k, ptr)?;
                Val::Variant(i, p.map(Box::new))
            }
            Type::Enum(e) => Val::Enum(self.load_sum(&e.sum, k, ptr)?.0),
            Type::Option(o) => option_of(self.load_sum(&o.sum, k, ptr)?),
            Type::Result(r) => result_of(self.load_sum(&r.sum, k, ptr)?),
            Type::Flags(f) => {
                let bits = match f.layout().size {
                    1 => u32::from(self.bytes::<1>(k, ptr)?[0]),
                    2 => u32::from(u16::from_le_bytes(self.bytes(k, ptr)?)),
                    _ => self.u32_at(k, ptr)?,
                };
                Val::Flags(bits & f.mask())
            }
            Type::Own(r) => Val::Own(self.handles.lift_own(*r, self.u32_at(k, ptr)?)?),
            Type::Borrow(r) => Val::Borrow(self.handles.lift_borrow(*r, self.u32_at(k, ptr)?)?),
            // Scalars were decoded above.
            _ => return Err(Trap::ValueMismatch { expected: k }),
        })
    }

    fn load_product(&mut self, p: &Product, ptr: u32) -> Result<Vec<Val>, Trap> {
        let mut out = Vec::with_capacity(p.types.len());
        for (ty, offset) in p.fields() {
            out.push(self.load(ty, offset_ptr(ty.kind(), ptr, offset)?)?);
        }
        Ok(out)
    }

    fn load_sum(&mut self, s: &Sum, k: TypeKind, ptr: u32) -> Result<(u32, Option<Val>), Trap> {
        let disc = match s.disc.bytes() {
            1 => u32::from(self.bytes::<1>(k, ptr)?[0]),
            2 => u32::from(u16::from_le_bytes(self.bytes(k, ptr)?)),
            _ => self.u32_at(k, ptr)?,
        };
        let case = case_of(s, k, disc)?;
        let payload = match case {
            Some(ty) => Some(self.load(ty, offset_ptr(k, ptr, s.payload_offset)?)?),
            None => None,
        };
        Ok((disc, payload))
    }

    fn list(&mut self, l: &ListType, ptr: u32, len: u32) -> Result<Val, Trap> {
        let elem = l.elem();
        let layout = elem.layout();
        let bytes = u64::from(len) * u64::from(layout.size);
        if bytes > u64::from(MAX_LIST_BYTE_LENGTH) {
            return Err(Trap::TooLong {
                ty: TypeKind::List,
                bytes,
            });
        }
        check_aligned(TypeKind::List, ptr, layout.align)?;
        let range = checked_range(TypeKind::List, ptr, bytes, self.mem.len())?;
        // The range check bounds `len` by the memory size: every element has at least one byte.
        let mut out = Vec::with_capacity(len as usize);
        // Scalar elements decode straight from the checked range.
        if let Some(r) = scalar::decode_all(elem, &self.mem[range], &mut out) {
            return r.map(|()| Val::List(out));
        }
        let mut at = ptr;
        for _ in 0..len {
            out.push(self.load(elem, at)?);
            at = at.wrapping_add(layout.size);
        }
        Ok(Val::List(out))
    }

    fn lift(&mut self, ty: &Type, src: &mut dyn FlatSource) -> Result<Val, Trap> {
        let k = ty.kind();
        Ok(match ty {
            Type::Bool => Val::Bool(i32_of(src.next(FlatType::I32)?) != 0),
            Type::S8 => Val::S8(i32_of(src.next(FlatType::I32)?) as i8),
            Type::U8 => Val::U8(i32_of(src.next(FlatType::I32)?) as u8),
            Type::S16 => Val::S16(i32_of(src.next(FlatType::I32)?) as i16),
            Type::U16 => Val::U16(i32_of(src.next(FlatType::I32)?) as u16),
            Type::S32 => Val::S32(i32_of(src.next(FlatType::I32)?)),
            Type::U32 => Val::U32(i32_of(src.next(FlatType::I32)?) as u32),
            Type::S64 | Type::U64 => {
                let v = match src.next(FlatType::I64)? {
                    FlatVal::I64(v) => v,
                    _ => 0,
                };
                if let Type::S64 = ty {
                    Val::S64(v)
                } else {
                    Val::U64(v as u64)
                }
            }
            Type::F32 => match src.next(FlatType::F32)? {
                FlatVal::F32(f) => Val::F32(canonical_f32(f)),
                _ => {
                    return Err(Trap::FlatMismatch {
                        expected: Some(FlatType::F32),
                    })
                }
            },
            Type::F64 => match src.next(FlatType::F64)? {
                FlatVal::F64(f) => Val::F64(canonical_f64(f)),
                _ => {
                    return Err(Trap::FlatMismatch {
                        expected: Some(FlatType::F64),
                    })
                }
            },
            Type::Char => Val::Char(char_of(i32_of(src.next(FlatType::I32)?) as u32)?),
            Type::String => {
                let p = i32_of(src.next(FlatType::I32)?) as u32;
                let l = i32_of(src.next(FlatType::I32)?) as u32;
                Val::String(String::from(read_str(self.mem, p, l)?))
            }
            Type::List(l) => {
                let p = i32_of(src.next(FlatType::I32)?) as u32;
                let n = i32_of(src.next(FlatType::I32)?) as u32;
                self.list(l, p, n)?
            }
            Type::Record(r) => Val::Record(self.lift_product(&r.product, src)?),
            Type::Tuple(t) => Val::Tuple(self.lift_product(&t.product, src)?),
            Type::Variant(v) => {
                let (i, p) = self.lift_sum(&v.sum, k, src)?;
                Val::Variant(i, p.map(Box::new))
            }
            Type::Enum(e) => Val::Enum(self.lift_sum(&e.sum, k, src)?.0),
            Type::Option(o) => option_of(self.lift_sum(&o.sum, k, src)?),
            Type::Result(r) => result_of(self.lift_sum(&r.sum, k, src)?),
            Type::Flags(f) => Val::Flags(i32_of(src.next(FlatType::I32)?) as u32 & f.mask()),
            Type::Own(r) => {
                let h = i32_of(src.next(FlatType::I32)?) as u32;
                Val::Own(self.handles.lift_own(*r, h)?)
            }
            Type::Borrow(r) => {
                let h = i32_of(src.next(FlatType::I32)?) as u32;
                Val::Borrow(self.handles.lift_borrow(*r, h)?)
            }
        })
    }

    fn lift_product(&mut self, p: &Product, src: &mut dyn FlatSource) -> Result<Vec<Val>, Trap> {
        let mut out = Vec::with_capacity(p.types.len());
        for ty in p.types.iter() {
            out.push(self.lift(ty, src)?);
        }
        Ok(out)
    }

    fn lift_sum(
        &mut self,
        s: &Sum,
        k: TypeKind,
        src: &mut dyn FlatSource,
    ) -> Result<(u32, Option<Val>), Trap> {
        let disc = i32_of(src.next(FlatType::I32)?) as u32;
        let case = case_of(s, k, disc)?;
        let slots = &s.flat[1..];
        let mut payload_src = Coerce {
            inner: src,
            have: slots,
            pos: 0,
        };
        let payload = match case {
            Some(ty) => Some(self.lift(ty, &mut payload_src)?),
            None => None,
        };
        // Slots the case does not use are consumed without being looked at.
        let used = payload_src.pos;
        for have in &slots[used..] {
            payload_src.inner.next(*have)?;
        }
        Ok((disc, payload))
    }
}

fn char_of(v: u32) -> Result<char, Trap> {
    char::from_u32(v).ok_or(Trap::InvalidChar { value: v })
}

fn case_of(s: &Sum, ty: TypeKind, disc: u32) -> Result<Option<&Type>, Trap> {
    match s.cases.get(disc as usize) {
        Some(case) => Ok(case.as_ref()),
        None => Err(Trap::InvalidDiscriminant {
            ty,
            value: disc,
            cases: s.cases.len() as u32,
        }),
    }
}

fn offset_ptr(ty: TypeKind, ptr: u32, offset: u32) -> Result<u32, Trap> {
    ptr.checked_add(offset).ok_or(Trap::OutOfBounds {
        ty,
        ptr,
        len: u64::from(offset),
        memory: 0,
    })
}

fn option_of((disc, payload): (u32, Option<Val>)) -> Val {
    match (disc, payload) {
        (1, Some(v)) => Val::Option(Some(Box::new(v))),
        _ => Val::Option(None),
    }
}

fn result_of((disc, payload): (u32, Option<Val>)) -> Val {
    let payload = payload.map(Box::new);
    if disc == 0 {
        Val::Result(Ok(payload))
    } else {
        Val::Result(Err(payload))
    }
}
