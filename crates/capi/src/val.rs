//! Typed values as C sees them: scalars, and strings and byte lists as borrowed (pointer, length).

use alloc::format;
use alloc::string::{String, ToString};

use wasmbed::{Type, Val};
use wasmbed_abi::FlatVal;

use crate::error::{wasmbed_code_t, Fail, Res};

/// The WIT types the typed paths take: scalars, `string` and `list<u8>`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum wasmbed_kind_t {
    /// `bool`, in `of.b`.
    WASMBED_BOOL,
    /// `s8`, in `of.i32`.
    WASMBED_S8,
    /// `u8`, in `of.u32`.
    WASMBED_U8,
    /// `s16`, in `of.i32`.
    WASMBED_S16,
    /// `u16`, in `of.u32`.
    WASMBED_U16,
    /// `s32`, in `of.i32`.
    WASMBED_S32,
    /// `u32`, in `of.u32`.
    WASMBED_U32,
    /// `s64`, in `of.i64`.
    WASMBED_S64,
    /// `u64`, in `of.u64`.
    WASMBED_U64,
    /// `f32`, in `of.f32`.
    WASMBED_F32,
    /// `f64`, in `of.f64`.
    WASMBED_F64,
    /// `char`, a Unicode scalar value in `of.u32`.
    WASMBED_CHAR,
    /// `string`, UTF-8 in `of.bytes` (not NUL-terminated).
    WASMBED_STRING,
    /// `list<u8>`, in `of.bytes`.
    WASMBED_BYTES,
}

/// Bytes borrowed for the duration of one call: `len` bytes at `data`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct wasmbed_bytes_t {
    /// The first byte; may be null when `len` is 0.
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// The payload of a [`wasmbed_val_t`]: the field its kind names.
#[repr(C)]
#[derive(Clone, Copy)]
pub union wasmbed_valunion_t {
    /// `bool`.
    pub b: bool,
    /// `s8`, `s16`, `s32`.
    pub i32: i32,
    /// `u8`, `u16`, `u32`, `char`.
    pub u32: u32,
    /// `s64`.
    pub i64: i64,
    /// `u64`.
    pub u64: u64,
    /// `f32`.
    pub f32: f32,
    /// `f64`.
    pub f64: f64,
    /// `string`, `list<u8>`.
    pub bytes: wasmbed_bytes_t,
}

/// A typed value: its kind and the payload field the kind names.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasmbed_val_t {
    /// Which field of `of` holds the value.
    pub kind: wasmbed_kind_t,
    /// The value.
    pub of: wasmbed_valunion_t,
}

impl wasmbed_val_t {
    pub(crate) const ZERO: wasmbed_val_t = wasmbed_val_t {
        kind: wasmbed_kind_t::WASMBED_U64,
        of: wasmbed_valunion_t { u64: 0 },
    };

    fn new(kind: wasmbed_kind_t, of: wasmbed_valunion_t) -> wasmbed_val_t {
        wasmbed_val_t { kind, of }
    }
}

impl wasmbed_kind_t {
    /// The kind of WIT type `ty`, if it has a typed form.
    pub(crate) fn of(ty: &Type) -> Option<wasmbed_kind_t> {
        use wasmbed_kind_t::*;
        Some(match ty {
            Type::Bool => WASMBED_BOOL,
            Type::S8 => WASMBED_S8,
            Type::U8 => WASMBED_U8,
            Type::S16 => WASMBED_S16,
            Type::U16 => WASMBED_U16,
            Type::S32 => WASMBED_S32,
            Type::U32 => WASMBED_U32,
            Type::S64 => WASMBED_S64,
            Type::U64 => WASMBED_U64,
            Type::F32 => WASMBED_F32,
            Type::F64 => WASMBED_F64,
            Type::Char => WASMBED_CHAR,
            Type::String => WASMBED_STRING,
            Type::List(l) if *l.elem() == Type::U8 => WASMBED_BYTES,
            _ => return None,
        })
    }

    /// Its WIT name, for messages.
    pub(crate) fn name(self) -> &'static str {
        use wasmbed_kind_t::*;
        match self {
            WASMBED_BOOL => "bool",
            WASMBED_S8 => "s8",
            WASMBED_U8 => "u8",
            WASMBED_S16 => "s16",
            WASMBED_U16 => "u16",
            WASMBED_S32 => "s32",
            WASMBED_U32 => "u32",
            WASMBED_S64 => "s64",
            WASMBED_U64 => "u64",
            WASMBED_F32 => "f32",
            WASMBED_F64 => "f64",
            WASMBED_CHAR => "char",
            WASMBED_STRING => "string",
            WASMBED_BYTES => "list<u8>",
        }
    }

    /// How many core values it flattens to.
    pub(crate) fn flat(self) -> usize {
        match self {
            wasmbed_kind_t::WASMBED_STRING | wasmbed_kind_t::WASMBED_BYTES => 2,
            _ => 1,
        }
    }
}

fn type_err(msg: String) -> Fail {
    Fail::new(wasmbed_code_t::WASMBED_ERR_TYPE, msg)
}

/// The typed value of `v` (a scalar), or `None` for types the typed path does not return.
pub(crate) fn scalar_of(v: &Val) -> Option<wasmbed_val_t> {
    use wasmbed_kind_t::*;
    let (k, of) = match *v {
        Val::Bool(b) => (WASMBED_BOOL, wasmbed_valunion_t { b }),
        Val::S8(x) => (WASMBED_S8, wasmbed_valunion_t { i32: x.into() }),
        Val::U8(x) => (WASMBED_U8, wasmbed_valunion_t { u32: x.into() }),
        Val::S16(x) => (WASMBED_S16, wasmbed_valunion_t { i32: x.into() }),
        Val::U16(x) => (WASMBED_U16, wasmbed_valunion_t { u32: x.into() }),
        Val::S32(x) => (WASMBED_S32, wasmbed_valunion_t { i32: x }),
        Val::U32(x) => (WASMBED_U32, wasmbed_valunion_t { u32: x }),
        Val::S64(x) => (WASMBED_S64, wasmbed_valunion_t { i64: x }),
        Val::U64(x) => (WASMBED_U64, wasmbed_valunion_t { u64: x }),
        Val::F32(x) => (WASMBED_F32, wasmbed_valunion_t { f32: x }),
        Val::F64(x) => (WASMBED_F64, wasmbed_valunion_t { f64: x }),
        Val::Char(c) => (WASMBED_CHAR, wasmbed_valunion_t { u32: c.into() }),
        _ => return None,
    };
    Some(wasmbed_val_t::new(k, of))
}

/// The bytes a `string` or `list<u8>` value borrows.
///
/// # Safety
/// `b.data` is null or valid for reading `b.len` bytes for `'a`.
unsafe fn bytes_of<'a>(b: wasmbed_bytes_t) -> Res<&'a [u8]> {
    // SAFETY: passed on from the caller.
    unsafe { crate::ffi::slice(b.data, b.len, "bytes.data") }
}

/// The `Val` of type `ty` that C's `v` stands for (strings and bytes copied).
///
/// # Safety
/// If `v.kind` is `WASMBED_STRING` or `WASMBED_BYTES`, `v.of.bytes` is valid as [`wasmbed_bytes_t`] says.
pub(crate) unsafe fn to_val(ty: &Type, v: &wasmbed_val_t, what: &str) -> Res<Val> {
    use wasmbed_kind_t::*;
    let want = wasmbed_kind_t::of(ty).ok_or_else(|| {
        type_err(format!(
            "{what}: its type has no typed form; use the WAVE path"
        ))
    })?;
    if want != v.kind {
        return Err(type_err(format!(
            "{what}: expected `{}`, got `{}`",
            want.name(),
            v.kind.name()
        )));
    }
    let range = || type_err(format!("{what}: out of range for `{}`", want.name()));
    // SAFETY: `kind` was checked to name the field read in each arm; every bit pattern of
    // the integer and float fields is a value, and a `bool` field written by C is 0 or 1.
    let val = unsafe {
        match v.kind {
            WASMBED_BOOL => Val::Bool(v.of.b),
            WASMBED_S8 => Val::S8(v.of.i32.try_into().map_err(|_| range())?),
            WASMBED_U8 => Val::U8(v.of.u32.try_into().map_err(|_| range())?),
            WASMBED_S16 => Val::S16(v.of.i32.try_into().map_err(|_| range())?),
            WASMBED_U16 => Val::U16(v.of.u32.try_into().map_err(|_| range())?),
            WASMBED_S32 => Val::S32(v.of.i32),
            WASMBED_U32 => Val::U32(v.of.u32),
            WASMBED_S64 => Val::S64(v.of.i64),
            WASMBED_U64 => Val::U64(v.of.u64),
            WASMBED_F32 => Val::F32(v.of.f32),
            WASMBED_F64 => Val::F64(v.of.f64),
            WASMBED_CHAR => Val::Char(char::from_u32(v.of.u32).ok_or_else(|| {
                type_err(format!(
                    "{what}: {:#x} is not a Unicode scalar value",
                    v.of.u32
                ))
            })?),
            WASMBED_STRING => {
                let b = bytes_of(v.of.bytes)?;
                let s = core::str::from_utf8(b).map_err(|_| {
                    Fail::new(
                        wasmbed_code_t::WASMBED_ERR_UTF8,
                        format!("{what}: not UTF-8"),
                    )
                })?;
                Val::String(s.into())
            }
            WASMBED_BYTES => Val::List(bytes_of(v.of.bytes)?.iter().map(|b| Val::U8(*b)).collect()),
        }
    };
    Ok(val)
}

/// The core value a scalar of kind `k` lowers to, from C's `v` (already checked to be of kind `k`).
///
/// # Safety
/// `v.kind == k`, and `k` is a scalar kind.
pub(crate) unsafe fn lower_scalar(v: &wasmbed_val_t, what: &str) -> Res<FlatVal> {
    use wasmbed_kind_t::*;
    let range = || type_err(format!("{what}: out of range for `{}`", v.kind.name()));
    // SAFETY: the caller checked that `kind` names the field read in each arm.
    let flat = unsafe {
        match v.kind {
            WASMBED_BOOL => FlatVal::I32(v.of.b.into()),
            WASMBED_S8 => FlatVal::I32(i8::try_from(v.of.i32).map_err(|_| range())?.into()),
            WASMBED_S16 => FlatVal::I32(i16::try_from(v.of.i32).map_err(|_| range())?.into()),
            WASMBED_S32 => FlatVal::I32(v.of.i32),
            WASMBED_U8 => FlatVal::I32(u8::try_from(v.of.u32).map_err(|_| range())?.into()),
            WASMBED_U16 => FlatVal::I32(u16::try_from(v.of.u32).map_err(|_| range())?.into()),
            WASMBED_U32 => FlatVal::I32(v.of.u32 as i32),
            WASMBED_CHAR => match char::from_u32(v.of.u32) {
                Some(c) => FlatVal::I32(u32::from(c) as i32),
                None => return Err(range()),
            },
            WASMBED_S64 => FlatVal::I64(v.of.i64),
            WASMBED_U64 => FlatVal::I64(v.of.u64 as i64),
            WASMBED_F32 => FlatVal::F32(v.of.f32),
            WASMBED_F64 => FlatVal::F64(v.of.f64),
            WASMBED_STRING | WASMBED_BYTES => return Err(range()),
        }
    };
    Ok(flat)
}

/// The typed value of kind `k` the guest passed as core values `flat`, strings and bytes borrowed from `mem`.
pub(crate) fn lift(
    k: wasmbed_kind_t,
    flat: &[FlatVal],
    mem: &[u8],
) -> Result<wasmbed_val_t, String> {
    use wasmbed_kind_t::*;
    let i32_at = |i: usize| match flat.get(i) {
        Some(FlatVal::I32(v)) => *v,
        _ => 0,
    };
    let of = match (k, flat.first()) {
        (WASMBED_BOOL, _) => wasmbed_valunion_t { b: i32_at(0) != 0 },
        (WASMBED_S8, _) => wasmbed_valunion_t {
            i32: (i32_at(0) as i8).into(),
        },
        (WASMBED_S16, _) => wasmbed_valunion_t {
            i32: (i32_at(0) as i16).into(),
        },
        (WASMBED_S32, _) => wasmbed_valunion_t { i32: i32_at(0) },
        (WASMBED_U8, _) => wasmbed_valunion_t {
            u32: (i32_at(0) as u8).into(),
        },
        (WASMBED_U16, _) => wasmbed_valunion_t {
            u32: (i32_at(0) as u16).into(),
        },
        (WASMBED_U32, _) => wasmbed_valunion_t {
            u32: i32_at(0) as u32,
        },
        (WASMBED_CHAR, _) => {
            let c = i32_at(0) as u32;
            if char::from_u32(c).is_none() {
                return Err(format!("invalid `char` {c:#x}"));
            }
            wasmbed_valunion_t { u32: c }
        }
        (WASMBED_S64, Some(FlatVal::I64(v))) => wasmbed_valunion_t { i64: *v },
        (WASMBED_U64, Some(FlatVal::I64(v))) => wasmbed_valunion_t { u64: *v as u64 },
        (WASMBED_F32, Some(FlatVal::F32(v))) => wasmbed_valunion_t { f32: *v },
        (WASMBED_F64, Some(FlatVal::F64(v))) => wasmbed_valunion_t { f64: *v },
        (WASMBED_STRING | WASMBED_BYTES, _) => {
            let (ptr, len) = (i32_at(0) as u32, i32_at(1) as u32);
            let b = wasmbed_abi::read_bytes(mem, ptr, len).map_err(|t| t.to_string())?;
            if k == WASMBED_STRING && core::str::from_utf8(b).is_err() {
                return Err(format!("string at {ptr:#x} is not UTF-8"));
            }
            wasmbed_valunion_t {
                bytes: wasmbed_bytes_t {
                    data: b.as_ptr(),
                    len: b.len(),
                },
            }
        }
        _ => return Err(format!("core values of the wrong type for `{}`", k.name())),
    };
    Ok(wasmbed_val_t::new(k, of))
}

/// The typed value of kind `k` stored at `at` in `mem` (a spilled argument),
/// as [`lift`] takes it from the core values the guest would have passed.
pub(crate) fn load(k: wasmbed_kind_t, mem: &[u8], at: usize) -> Result<wasmbed_val_t, String> {
    use wasmbed_kind_t::*;
    // The `n`-byte little-endian integer at `at + off`.
    let le = |off: usize, n: usize| -> Result<u64, String> {
        let start = at + off;
        let b = mem
            .get(start..start + n)
            .ok_or_else(|| format!("argument at {start:#x} is out of bounds"))?;
        Ok(b.iter().rev().fold(0, |v, x| v << 8 | u64::from(*x)))
    };
    let one = |v: FlatVal| [v, FlatVal::I32(0)];
    let flat = match k {
        WASMBED_BOOL | WASMBED_S8 | WASMBED_U8 => one(FlatVal::I32(le(0, 1)? as i32)),
        WASMBED_S16 | WASMBED_U16 => one(FlatVal::I32(le(0, 2)? as i32)),
        WASMBED_S32 | WASMBED_U32 | WASMBED_CHAR => one(FlatVal::I32(le(0, 4)? as u32 as i32)),
        WASMBED_F32 => one(FlatVal::F32(f32::from_bits(le(0, 4)? as u32))),
        WASMBED_S64 | WASMBED_U64 => one(FlatVal::I64(le(0, 8)? as i64)),
        WASMBED_F64 => one(FlatVal::F64(f64::from_bits(le(0, 8)?))),
        WASMBED_STRING | WASMBED_BYTES => [
            FlatVal::I32(le(0, 4)? as u32 as i32),
            FlatVal::I32(le(4, 4)? as u32 as i32),
        ],
    };
    lift(k, &flat, mem)
}
