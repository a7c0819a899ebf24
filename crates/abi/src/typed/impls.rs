//! Typed impls for Rust's own types: scalars, strings, lists, options,
//! results and tuples, as wasmtime maps them (`string` is `String` or `&str`,
//! `list<T>` is `Vec<T>` or `&[T]`, `list<u8>` also `&[u8]` borrowed in place).

use alloc::string::String;
use alloc::vec::Vec;

use crate::lift::{canonical_f32, canonical_f64};
use crate::trap::Trap;
use crate::types::{Type, TypeKind};
use crate::val::FlatVal;
use crate::view::{read_bytes, read_str};

use super::compose::{lower_case, store_case, store_case_plain, CaseLift, CaseLoad, Fields};
use super::{
    alloc_list, check_list, write_at, ComponentType, Flat, FlatBuf, FlatSrc, Lift, LiftCx, Lower,
    LowerCx, Payload, ResourceNames, TypeMismatch,
};

fn mismatch(ty: &Type) -> Trap {
    Trap::ValueMismatch {
        expected: ty.kind(),
    }
}

macro_rules! scalar {
    ($($t:ty => $wit:ident, $name:literal, $n:literal,
        lift($src:ident) $lift:expr, lower($v:ident) $lower:expr,
        decode($b:ident) $decode:expr, encode($e:ident) $encode:expr;)*) => {$(
        impl ComponentType for $t {
            const FLAT: Option<Flat> = Some(match TypeKind::$wit {
                TypeKind::U64 | TypeKind::S64 => Flat::I64,
                TypeKind::F32 => Flat::F32,
                TypeKind::F64 => Flat::F64,
                _ => Flat::i32s(1),
            });

            fn typecheck(ty: &Type, _: &dyn ResourceNames) -> Result<(), TypeMismatch> {
                match ty {
                    Type::$wit => Ok(()),
                    _ => Err(TypeMismatch::new($name, ty)),
                }
            }
        }

        impl<'m> Lift<'m> for $t {
            #[inline]
            fn lift(_: &mut LiftCx<'m, '_>, _: &Type, $src: &mut FlatSrc<'_>) -> Result<$t, Trap> {
                $lift
            }

            #[inline]
            fn load(cx: &mut LiftCx<'m, '_>, _: &Type, ptr: u32) -> Result<$t, Trap> {
                let $b: [u8; $n] = cx.bytes(TypeKind::$wit, ptr)?;
                $decode
            }

            fn load_list(cx: &mut LiftCx<'m, '_>, elem: &Type, ptr: u32, len: u32) -> Result<Vec<$t>, Trap> {
                check_list(elem, ptr, len, cx.memory().len())?;
                let start = ptr as usize;
                let bytes = &cx.memory()[start..start + len as usize * $n];
                bytes
                    .chunks_exact($n)
                    .map(|c| {
                        let mut $b = [0u8; $n];
                        $b.copy_from_slice(c);
                        $decode
                    })
                    .collect()
            }
        }

        impl Lower for $t {
            #[inline]
            fn lower(&self, _: &mut LowerCx<'_>, _: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
                let $v = *self;
                out.push($lower)
            }

            #[inline]
            fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
                self.store_plain(ty, cx.memory_mut(), ptr)
            }

            #[inline]
            fn store_plain(&self, _: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
                let $e = *self;
                write_at(mem, TypeKind::$wit, ptr, &$encode)
            }

            fn store_list(items: &[$t], cx: &mut LowerCx<'_>, elem: &Type) -> Result<(u32, u32), Trap> {
                let (ptr, len, _) = alloc_list(cx, elem, items.len())?;
                let mem = cx.memory_mut();
                let start = ptr as usize;
                let block = mem
                    .get_mut(start..start + items.len() * $n)
                    .ok_or(Trap::OutOfBounds {
                        ty: TypeKind::List,
                        ptr,
                        len: (items.len() * $n) as u64,
                        memory: 0,
                    })?;
                for (c, &$e) in block.chunks_exact_mut($n).zip(items) {
                    c.copy_from_slice(&$encode);
                }
                Ok((ptr, len))
            }
        }
    )*};
}

scalar! {
    bool => Bool, "bool", 1,
        lift(s) Ok(s.i32()? != 0), lower(v) FlatVal::I32(i32::from(v)),
        decode(b) Ok(b[0] != 0), encode(v) [u8::from(v)];
    u8 => U8, "u8", 1,
        lift(s) Ok(s.i32()? as u8), lower(v) FlatVal::I32(i32::from(v)),
        decode(b) Ok(b[0]), encode(v) [v];
    i8 => S8, "s8", 1,
        lift(s) Ok(s.i32()? as i8), lower(v) FlatVal::I32(i32::from(v)),
        decode(b) Ok(b[0] as i8), encode(v) [v as u8];
    u16 => U16, "u16", 2,
        lift(s) Ok(s.i32()? as u16), lower(v) FlatVal::I32(i32::from(v)),
        decode(b) Ok(u16::from_le_bytes(b)), encode(v) v.to_le_bytes();
    i16 => S16, "s16", 2,
        lift(s) Ok(s.i32()? as i16), lower(v) FlatVal::I32(i32::from(v)),
        decode(b) Ok(i16::from_le_bytes(b)), encode(v) v.to_le_bytes();
    u32 => U32, "u32", 4,
        lift(s) Ok(s.i32()? as u32), lower(v) FlatVal::I32(v as i32),
        decode(b) Ok(u32::from_le_bytes(b)), encode(v) v.to_le_bytes();
    i32 => S32, "s32", 4,
        lift(s) s.i32(), lower(v) FlatVal::I32(v),
        decode(b) Ok(i32::from_le_bytes(b)), encode(v) v.to_le_bytes();
    u64 => U64, "u64", 8,
        lift(s) Ok(s.i64()? as u64), lower(v) FlatVal::I64(v as i64),
        decode(b) Ok(u64::from_le_bytes(b)), encode(v) v.to_le_bytes();
    i64 => S64, "s64", 8,
        lift(s) s.i64(), lower(v) FlatVal::I64(v),
        decode(b) Ok(i64::from_le_bytes(b)), encode(v) v.to_le_bytes();
    f32 => F32, "f32", 4,
        lift(s) Ok(canonical_f32(s.f32()?)), lower(v) FlatVal::F32(canonical_f32(v)),
        decode(b) Ok(canonical_f32(f32::from_le_bytes(b))), encode(v) canonical_f32(v).to_le_bytes();
    f64 => F64, "f64", 8,
        lift(s) Ok(canonical_f64(s.f64()?)), lower(v) FlatVal::F64(canonical_f64(v)),
        decode(b) Ok(canonical_f64(f64::from_le_bytes(b))), encode(v) canonical_f64(v).to_le_bytes();
    char => Char, "char", 4,
        lift(s) char_of(s.i32()? as u32), lower(v) FlatVal::I32(u32::from(v) as i32),
        decode(b) char_of(u32::from_le_bytes(b)), encode(v) u32::from(v).to_le_bytes();
}

fn char_of(v: u32) -> Result<char, Trap> {
    char::from_u32(v).ok_or(Trap::InvalidChar { value: v })
}

fn pair(src: &mut FlatSrc<'_>) -> Result<(u32, u32), Trap> {
    Ok((src.i32()? as u32, src.i32()? as u32))
}

fn push_pair(out: &mut FlatBuf, (p, l): (u32, u32)) -> Result<(), Trap> {
    out.push(FlatVal::I32(p as i32))?;
    out.push(FlatVal::I32(l as i32))
}

fn write_pair(
    cx: &mut LowerCx<'_>,
    ty: TypeKind,
    ptr: u32,
    (p, l): (u32, u32),
) -> Result<(), Trap> {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&p.to_le_bytes());
    b[4..].copy_from_slice(&l.to_le_bytes());
    cx.write(ty, ptr, &b)
}

/// Copies `s` into a fresh guest block.
fn store_str(cx: &mut LowerCx<'_>, s: &str) -> Result<(u32, u32), Trap> {
    let len = u32::try_from(s.len()).map_err(|_| Trap::TooLong {
        ty: TypeKind::String,
        bytes: s.len() as u64,
    })?;
    let ptr = cx.alloc(1, len)?;
    cx.write(TypeKind::String, ptr, s.as_bytes())?;
    Ok((ptr, len))
}

impl ComponentType for str {
    const FLAT: Option<Flat> = Some(Flat::i32s(2));

    fn typecheck(ty: &Type, _: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        match ty {
            Type::String => Ok(()),
            _ => Err(TypeMismatch::new("string", ty)),
        }
    }
}

impl ComponentType for String {
    const FLAT: Option<Flat> = Some(Flat::i32s(2));

    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        str::typecheck(ty, names)
    }
}

impl<'m> Lift<'m> for &'m str {
    fn lift(cx: &mut LiftCx<'m, '_>, _: &Type, src: &mut FlatSrc<'_>) -> Result<&'m str, Trap> {
        let (p, l) = pair(src)?;
        read_str(cx.memory(), p, l)
    }

    fn load(cx: &mut LiftCx<'m, '_>, _: &Type, ptr: u32) -> Result<&'m str, Trap> {
        let (p, l) = cx.pair(TypeKind::String, ptr)?;
        read_str(cx.memory(), p, l)
    }
}

impl<'m> Lift<'m> for String {
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<String, Trap> {
        <&str>::lift(cx, ty, src).map(String::from)
    }

    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<String, Trap> {
        <&str>::load(cx, ty, ptr).map(String::from)
    }
}

impl Lower for str {
    fn lower(&self, cx: &mut LowerCx<'_>, _: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        let pl = store_str(cx, self)?;
        push_pair(out, pl)
    }

    fn store(&self, cx: &mut LowerCx<'_>, _: &Type, ptr: u32) -> Result<(), Trap> {
        let pl = store_str(cx, self)?;
        write_pair(cx, TypeKind::String, ptr, pl)
    }
}

impl Lower for String {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        self.as_str().lower(cx, ty, out)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        self.as_str().store(cx, ty, ptr)
    }
}

fn list_elem(ty: &Type) -> Result<&Type, Trap> {
    match ty {
        Type::List(l) => Ok(l.elem()),
        _ => Err(mismatch(ty)),
    }
}

impl<T: ComponentType> ComponentType for [T] {
    const FLAT: Option<Flat> = Some(Flat::i32s(2));

    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        match ty {
            Type::List(l) => T::typecheck(l.elem(), names),
            _ => Err(TypeMismatch::new("list", ty)),
        }
    }
}

impl<T: ComponentType> ComponentType for Vec<T> {
    const FLAT: Option<Flat> = Some(Flat::i32s(2));

    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        <[T]>::typecheck(ty, names)
    }
}

impl<'m, T: Lift<'m>> Lift<'m> for Vec<T> {
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Vec<T>, Trap> {
        let (p, n) = pair(src)?;
        T::load_list(cx, list_elem(ty)?, p, n)
    }

    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Vec<T>, Trap> {
        let (p, n) = cx.pair(TypeKind::List, ptr)?;
        T::load_list(cx, list_elem(ty)?, p, n)
    }
}

impl<'m> Lift<'m> for &'m [u8] {
    fn lift(cx: &mut LiftCx<'m, '_>, _: &Type, src: &mut FlatSrc<'_>) -> Result<&'m [u8], Trap> {
        let (p, n) = pair(src)?;
        read_bytes(cx.memory(), p, n)
    }

    fn load(cx: &mut LiftCx<'m, '_>, _: &Type, ptr: u32) -> Result<&'m [u8], Trap> {
        let (p, n) = cx.pair(TypeKind::List, ptr)?;
        read_bytes(cx.memory(), p, n)
    }
}

impl<T: Lower> Lower for [T] {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        let pl = T::store_list(self, cx, list_elem(ty)?)?;
        push_pair(out, pl)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        let pl = T::store_list(self, cx, list_elem(ty)?)?;
        write_pair(cx, TypeKind::List, ptr, pl)
    }
}

impl<T: Lower> Lower for Vec<T> {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        self.as_slice().lower(cx, ty, out)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        self.as_slice().store(cx, ty, ptr)
    }
}

impl<T: ComponentType + ?Sized> ComponentType for &T {
    const FLAT: Option<Flat> = T::FLAT;

    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        T::typecheck(ty, names)
    }
}

impl<T: Lower + ?Sized> Lower for &T {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        (**self).lower(cx, ty, out)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        (**self).store(cx, ty, ptr)
    }

    fn store_plain(&self, ty: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
        (**self).store_plain(ty, mem, ptr)
    }
}

impl<T: ComponentType> ComponentType for Option<T> {
    // Only `some` has a payload, so it keeps its core types unjoined.
    const FLAT: Option<Flat> = Flat::tagged(T::FLAT);

    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        match ty {
            Type::Option(o) => T::typecheck(o.some(), names),
            _ => Err(TypeMismatch::new("option", ty)),
        }
    }
}

impl<'m, T: Lift<'m>> Lift<'m> for Option<T> {
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Self, Trap> {
        let c = CaseLift::read(ty, src)?;
        let v = match c.index() {
            0 => None,
            _ => Some(c.payload(cx, src)?),
        };
        c.finish(src)?;
        Ok(v)
    }

    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Self, Trap> {
        let c = CaseLoad::read(cx, ty, ptr)?;
        Ok(match c.index() {
            0 => None,
            _ => Some(c.payload(cx)?),
        })
    }
}

fn option_case<T: Lower>(v: &Option<T>) -> (u32, Option<&dyn Payload>) {
    match v {
        None => (0, None),
        Some(x) => (1, Some(x)),
    }
}

impl<T: Lower> Lower for Option<T> {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        let (d, p) = option_case(self);
        lower_case(cx, ty, d, p, out)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        let (d, p) = option_case(self);
        store_case(cx, ty, d, p, ptr)
    }

    fn store_plain(&self, ty: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
        let (d, p) = option_case(self);
        store_case_plain(ty, d, p, mem, ptr)
    }
}

impl<T: ComponentType, E: ComponentType> ComponentType for Result<T, E> {
    const FLAT: Option<Flat> = Flat::tagged(Flat::either(T::FLAT, E::FLAT));

    fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        match ty {
            Type::Result(r) => {
                T::typecheck_payload(r.ok(), names)?;
                E::typecheck_payload(r.err(), names)
            }
            _ => Err(TypeMismatch::new("result", ty)),
        }
    }
}

impl<'m, T: Lift<'m>, E: Lift<'m>> Lift<'m> for Result<T, E> {
    fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Self, Trap> {
        let c = CaseLift::read(ty, src)?;
        let v = match c.index() {
            0 => Ok(c.payload(cx, src)?),
            _ => Err(c.payload(cx, src)?),
        };
        c.finish(src)?;
        Ok(v)
    }

    fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Self, Trap> {
        let c = CaseLoad::read(cx, ty, ptr)?;
        Ok(match c.index() {
            0 => Ok(c.payload(cx)?),
            _ => Err(c.payload(cx)?),
        })
    }
}

fn result_case<T: Lower, E: Lower>(v: &Result<T, E>) -> (u32, Option<&dyn Payload>) {
    match v {
        Ok(x) => (0, Some(x)),
        Err(e) => (1, Some(e)),
    }
}

impl<T: Lower, E: Lower> Lower for Result<T, E> {
    fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
        let (d, p) = result_case(self);
        lower_case(cx, ty, d, p, out)
    }

    fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
        let (d, p) = result_case(self);
        store_case(cx, ty, d, p, ptr)
    }

    fn store_plain(&self, ty: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
        let (d, p) = result_case(self);
        store_case_plain(ty, d, p, mem, ptr)
    }
}

macro_rules! tuple {
    ($n:literal: $($a:ident),+) => {
        impl<$($a: ComponentType),+> ComponentType for ($($a,)+) {
            const FLAT: Option<Flat> = {
                let flat = Some(Flat::i32s(0));
                $(let flat = Flat::then(flat, $a::FLAT);)+
                flat
            };

            fn typecheck(ty: &Type, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
                match ty {
                    Type::Tuple(t) if t.fields().len() == $n => {
                        let mut fields = t.fields();
                        $(
                            if let Some((fty, _)) = fields.next() {
                                $a::typecheck(fty, names)?;
                            }
                        )+
                        Ok(())
                    }
                    _ => Err(TypeMismatch::new(concat!("tuple of ", $n), ty)),
                }
            }
        }

        impl<'m, $($a: Lift<'m>),+> Lift<'m> for ($($a,)+) {
            fn lift(cx: &mut LiftCx<'m, '_>, ty: &Type, src: &mut FlatSrc<'_>) -> Result<Self, Trap> {
                let mut f = Fields::of(ty)?;
                Ok(($(f.lift::<$a>(cx, src)?,)+))
            }

            fn load(cx: &mut LiftCx<'m, '_>, ty: &Type, ptr: u32) -> Result<Self, Trap> {
                let mut f = Fields::of(ty)?;
                Ok(($(f.load::<$a>(cx, ptr)?,)+))
            }
        }

        #[allow(non_snake_case)]
        impl<$($a: Lower),+> Lower for ($($a,)+) {
            fn lower(&self, cx: &mut LowerCx<'_>, ty: &Type, out: &mut FlatBuf) -> Result<(), Trap> {
                let mut f = Fields::of(ty)?;
                let ($($a,)+) = self;
                $(f.lower(cx, $a, out)?;)+
                Ok(())
            }

            fn store(&self, cx: &mut LowerCx<'_>, ty: &Type, ptr: u32) -> Result<(), Trap> {
                let mut f = Fields::of(ty)?;
                let ($($a,)+) = self;
                $(f.store(cx, $a, ptr)?;)+
                Ok(())
            }

            fn store_plain(&self, ty: &Type, mem: &mut [u8], ptr: u32) -> Result<(), Trap> {
                let mut f = Fields::of(ty)?;
                let ($($a,)+) = self;
                $(f.store_plain($a, mem, ptr)?;)+
                Ok(())
            }
        }
    };
}

tuple!(1: A1);
tuple!(2: A1, A2);
tuple!(3: A1, A2, A3);
tuple!(4: A1, A2, A3, A4);
tuple!(5: A1, A2, A3, A4, A5);
tuple!(6: A1, A2, A3, A4, A5, A6);
tuple!(7: A1, A2, A3, A4, A5, A6, A7);
tuple!(8: A1, A2, A3, A4, A5, A6, A7, A8);
tuple!(9: A1, A2, A3, A4, A5, A6, A7, A8, A9);
tuple!(10: A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
tuple!(11: A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
tuple!(12: A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
