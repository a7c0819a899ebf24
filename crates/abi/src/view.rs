//! Zero-copy reads: validated, borrowed views of guest memory instead of copies.

use zerocopy::{little_endian as le, FromBytes, Immutable, KnownLayout, Unaligned};

use crate::memory::{check_aligned, checked_range};
use crate::trap::Trap;
use crate::types::TypeKind;
use crate::{MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH};

/// A scalar whose `list<T>` can be read in place.
///
/// `Le` is its little-endian, alignment-1 representation, so the view is
/// correct on any host, whatever its byte order or alignment rules.
pub trait Scalar: sealed::Sealed {
    /// The in-memory representation, read without copying.
    type Le: FromBytes + Immutable + KnownLayout + Unaligned;
    /// Size and Canonical ABI alignment of one element.
    const SIZE: u32;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! scalar {
    ($($t:ty => $le:ty),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl Scalar for $t {
            type Le = $le;
            const SIZE: u32 = core::mem::size_of::<$t>() as u32;
        }
    )*};
}

scalar! {
    u8 => u8,
    i8 => i8,
    u16 => le::U16,
    i16 => le::I16,
    u32 => le::U32,
    i32 => le::I32,
    u64 => le::U64,
    i64 => le::I64,
    f32 => le::F32,
    f64 => le::F64,
}

/// Borrows the elements of a `list<T>` of scalars at `ptr` with `len` elements.
///
/// Applies the Canonical ABI's checks (byte limit, alignment, bounds) and
/// copies nothing. NaNs are not canonicalized: the caller sees the guest's bits.
pub fn read_list<T: Scalar>(mem: &[u8], ptr: u32, len: u32) -> Result<&[T::Le], Trap> {
    let bytes = u64::from(len) * u64::from(T::SIZE);
    if bytes > u64::from(MAX_LIST_BYTE_LENGTH) {
        return Err(Trap::TooLong {
            ty: TypeKind::List,
            bytes,
        });
    }
    check_aligned(TypeKind::List, ptr, T::SIZE)?;
    let range = checked_range(TypeKind::List, ptr, bytes, mem.len())?;
    <[T::Le]>::ref_from_bytes(&mem[range]).map_err(|_| Trap::OutOfBounds {
        ty: TypeKind::List,
        ptr,
        len: bytes,
        memory: mem.len() as u64,
    })
}

/// Borrows a `list<u8>` at `ptr` with `len` bytes.
pub fn read_bytes(mem: &[u8], ptr: u32, len: u32) -> Result<&[u8], Trap> {
    read_list::<u8>(mem, ptr, len)
}

/// Borrows a `string` at `ptr` with `len` bytes, validated as UTF-8.
pub fn read_str(mem: &[u8], ptr: u32, len: u32) -> Result<&str, Trap> {
    if len > MAX_STRING_BYTE_LENGTH {
        return Err(Trap::TooLong {
            ty: TypeKind::String,
            bytes: len.into(),
        });
    }
    let range = checked_range(TypeKind::String, ptr, len.into(), mem.len())?;
    core::str::from_utf8(&mem[range]).map_err(|e| Trap::InvalidUtf8 {
        ptr,
        len,
        at: e.valid_up_to() as u32,
    })
}

/// Borrows a fixed-size struct `T` at `ptr`, such as one `wasmbed layout --lang rust` generates.
///
/// `align` is the Canonical ABI alignment of the WIT type (`T::ALIGN` on a
/// generated type): `T` itself is made of alignment-1 little-endian fields,
/// so the check the ABI requires is made here. A misaligned pointer is
/// [`Trap::Misaligned`], a range past the memory [`Trap::OutOfBounds`]; both
/// name the type as a `record`. Nothing is copied: the result points into `mem`.
pub fn read_struct<T>(mem: &[u8], ptr: u32, align: u32) -> Result<&T, Trap>
where
    T: FromBytes + KnownLayout + Immutable + Unaligned,
{
    let size = core::mem::size_of::<T>() as u64;
    check_aligned(TypeKind::Record, ptr, align.max(1))?;
    let range = checked_range(TypeKind::Record, ptr, size, mem.len())?;
    T::ref_from_bytes(&mem[range]).map_err(|_| Trap::OutOfBounds {
        ty: TypeKind::Record,
        ptr,
        len: size,
        memory: mem.len() as u64,
    })
}
