//! Typed lowering of host slices: one `realloc` and one copy, no per-element work.

use zerocopy::IntoBytes;

use crate::memory::{allocate, checked_range, GuestMemory};
use crate::trap::Trap;
use crate::types::TypeKind;
use crate::view::Scalar;

/// Copies `bytes` into a fresh guest block as a `list<u8>`: its `(pointer, length)`.
pub fn write_bytes<M: GuestMemory + ?Sized>(mem: &mut M, bytes: &[u8]) -> Result<(u32, u32), Trap> {
    write_raw(mem, TypeKind::List, 1, bytes)
}

/// Copies `s` into a fresh guest block as a `string`: its `(pointer, length)`.
pub fn write_str<M: GuestMemory + ?Sized>(mem: &mut M, s: &str) -> Result<(u32, u32), Trap> {
    write_raw(mem, TypeKind::String, 1, s.as_bytes())
}

/// Copies little-endian scalars into a fresh guest block as a `list<T>`: its `(pointer, length)`.
pub fn write_list<T: Scalar, M: GuestMemory + ?Sized>(
    mem: &mut M,
    elems: &[T::Le],
) -> Result<(u32, u32), Trap>
where
    T::Le: IntoBytes,
{
    let (ptr, _) = write_raw(mem, TypeKind::List, T::SIZE, elems.as_bytes())?;
    // The byte length fit in a u32, so the element count does too.
    Ok((ptr, elems.len() as u32))
}

fn write_raw<M: GuestMemory + ?Sized>(
    mem: &mut M,
    ty: TypeKind,
    align: u32,
    bytes: &[u8],
) -> Result<(u32, u32), Trap> {
    let len = u32::try_from(bytes.len()).map_err(|_| Trap::TooLong {
        ty,
        bytes: bytes.len() as u64,
    })?;
    let ptr = allocate(mem, align, len)?;
    let data = mem.data_mut();
    let range = checked_range(ty, ptr, len.into(), data.len())?;
    data[range].copy_from_slice(bytes);
    Ok((ptr, len))
}
