//! Scalars to and from their little-endian bytes: one place for both the
//! single-value paths and the fast paths over whole lists.

use crate::lift::{canonical_f32, canonical_f64};
use crate::trap::Trap;
use crate::types::Type;
use crate::val::Val;

fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&b[..N]);
    out
}

/// Decodes a scalar of type `ty` from `b` (exactly its size); `None` if `ty` is not a scalar.
pub(crate) fn decode(ty: &Type, b: &[u8]) -> Option<Result<Val, Trap>> {
    Some(Ok(match ty {
        Type::Bool => Val::Bool(b[0] != 0),
        Type::S8 => Val::S8(b[0] as i8),
        Type::U8 => Val::U8(b[0]),
        Type::S16 => Val::S16(i16::from_le_bytes(arr(b))),
        Type::U16 => Val::U16(u16::from_le_bytes(arr(b))),
        Type::S32 => Val::S32(i32::from_le_bytes(arr(b))),
        Type::U32 => Val::U32(u32::from_le_bytes(arr(b))),
        Type::S64 => Val::S64(i64::from_le_bytes(arr(b))),
        Type::U64 => Val::U64(u64::from_le_bytes(arr(b))),
        Type::F32 => Val::F32(canonical_f32(f32::from_le_bytes(arr(b)))),
        Type::F64 => Val::F64(canonical_f64(f64::from_le_bytes(arr(b)))),
        Type::Char => {
            let v = u32::from_le_bytes(arr(b));
            match char::from_u32(v) {
                Some(c) => Val::Char(c),
                None => return Some(Err(Trap::InvalidChar { value: v })),
            }
        }
        _ => return None,
    }))
}

/// Encodes scalar `val` of type `ty` into `b` (exactly its size).
///
/// `None` if `ty` is not a scalar; `Some(Err)` if `val` is not a `ty`.
pub(crate) fn encode(ty: &Type, val: &Val, b: &mut [u8]) -> Option<Result<(), Trap>> {
    match (ty, val) {
        (Type::Bool, Val::Bool(v)) => b[0] = u8::from(*v),
        (Type::S8, Val::S8(v)) => b[0] = *v as u8,
        (Type::U8, Val::U8(v)) => b[0] = *v,
        (Type::S16, Val::S16(v)) => b.copy_from_slice(&v.to_le_bytes()),
        (Type::U16, Val::U16(v)) => b.copy_from_slice(&v.to_le_bytes()),
        (Type::S32, Val::S32(v)) => b.copy_from_slice(&v.to_le_bytes()),
        (Type::U32, Val::U32(v)) => b.copy_from_slice(&v.to_le_bytes()),
        (Type::S64, Val::S64(v)) => b.copy_from_slice(&v.to_le_bytes()),
        (Type::U64, Val::U64(v)) => b.copy_from_slice(&v.to_le_bytes()),
        (Type::F32, Val::F32(v)) => b.copy_from_slice(&canonical_f32(*v).to_le_bytes()),
        (Type::F64, Val::F64(v)) => b.copy_from_slice(&canonical_f64(*v).to_le_bytes()),
        (Type::Char, Val::Char(c)) => b.copy_from_slice(&u32::from(*c).to_le_bytes()),
        (
            Type::Bool
            | Type::S8
            | Type::U8
            | Type::S16
            | Type::U16
            | Type::S32
            | Type::U32
            | Type::S64
            | Type::U64
            | Type::F32
            | Type::F64
            | Type::Char,
            _,
        ) => {
            return Some(Err(Trap::ValueMismatch {
                expected: ty.kind(),
            }))
        }
        _ => return None,
    }
    Some(Ok(()))
}

macro_rules! decode_chunks {
    ($bytes:expr, $out:expr, $n:literal, $variant:ident, $t:ty, $map:expr) => {{
        $out.extend(
            $bytes
                .chunks_exact($n)
                .map(|c| Val::$variant($map(<$t>::from_le_bytes(arr::<$n>(c))))),
        );
    }};
}

/// Decodes a whole list of scalars of type `ty` from `bytes`, dispatching on
/// the type once; `None` if `ty` is not a scalar.
pub(crate) fn decode_all(
    ty: &Type,
    bytes: &[u8],
    out: &mut alloc::vec::Vec<Val>,
) -> Option<Result<(), Trap>> {
    match ty {
        Type::Bool => out.extend(bytes.iter().map(|b| Val::Bool(*b != 0))),
        Type::S8 => out.extend(bytes.iter().map(|b| Val::S8(*b as i8))),
        Type::U8 => out.extend(bytes.iter().map(|b| Val::U8(*b))),
        Type::S16 => decode_chunks!(bytes, out, 2, S16, i16, core::convert::identity),
        Type::U16 => decode_chunks!(bytes, out, 2, U16, u16, core::convert::identity),
        Type::S32 => decode_chunks!(bytes, out, 4, S32, i32, core::convert::identity),
        Type::U32 => decode_chunks!(bytes, out, 4, U32, u32, core::convert::identity),
        Type::S64 => decode_chunks!(bytes, out, 8, S64, i64, core::convert::identity),
        Type::U64 => decode_chunks!(bytes, out, 8, U64, u64, core::convert::identity),
        Type::F32 => decode_chunks!(bytes, out, 4, F32, f32, canonical_f32),
        Type::F64 => decode_chunks!(bytes, out, 8, F64, f64, canonical_f64),
        Type::Char => {
            for c in bytes.chunks_exact(4) {
                let v = u32::from_le_bytes(arr(c));
                match char::from_u32(v) {
                    Some(ch) => out.push(Val::Char(ch)),
                    None => return Some(Err(Trap::InvalidChar { value: v })),
                }
            }
        }
        _ => return None,
    }
    Some(Ok(()))
}

macro_rules! encode_chunks {
    ($ty:expr, $vals:expr, $bytes:expr, $n:literal, $variant:ident, $map:expr) => {{
        for (c, v) in $bytes.chunks_exact_mut($n).zip($vals) {
            match v {
                Val::$variant(x) => c.copy_from_slice(&$map(*x).to_le_bytes()),
                _ => {
                    return Some(Err(Trap::ValueMismatch {
                        expected: $ty.kind(),
                    }))
                }
            }
        }
    }};
}

/// Encodes a whole list of scalars of type `ty` into `bytes`, dispatching on
/// the type once; `None` if `ty` is not a scalar.
pub(crate) fn encode_all(ty: &Type, vals: &[Val], bytes: &mut [u8]) -> Option<Result<(), Trap>> {
    match ty {
        Type::Bool => encode_chunks!(ty, vals, bytes, 1, Bool, u8::from),
        Type::S8 => encode_chunks!(ty, vals, bytes, 1, S8, core::convert::identity),
        Type::U8 => encode_chunks!(ty, vals, bytes, 1, U8, core::convert::identity),
        Type::S16 => encode_chunks!(ty, vals, bytes, 2, S16, core::convert::identity),
        Type::U16 => encode_chunks!(ty, vals, bytes, 2, U16, core::convert::identity),
        Type::S32 => encode_chunks!(ty, vals, bytes, 4, S32, core::convert::identity),
        Type::U32 => encode_chunks!(ty, vals, bytes, 4, U32, core::convert::identity),
        Type::S64 => encode_chunks!(ty, vals, bytes, 8, S64, core::convert::identity),
        Type::U64 => encode_chunks!(ty, vals, bytes, 8, U64, core::convert::identity),
        Type::F32 => encode_chunks!(ty, vals, bytes, 4, F32, canonical_f32),
        Type::F64 => encode_chunks!(ty, vals, bytes, 8, F64, canonical_f64),
        Type::Char => encode_chunks!(ty, vals, bytes, 4, Char, u32::from),
        _ => return None,
    }
    Some(Ok(()))
}
