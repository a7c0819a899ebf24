//! What lifting and lowering need from the guest: its memory, its allocator, its handle tables.

use core::ops::Range;

use crate::trap::Trap;
use crate::types::{ResourceId, TypeKind};

/// A guest's linear memory together with its `realloc`.
///
/// The engine provides it; lowering asks `realloc` for space and then writes
/// through `data_mut`, re-reading the view after each call because `realloc`
/// may grow the memory.
pub trait GuestMemory {
    /// The whole linear memory.
    fn data(&self) -> &[u8];
    /// The whole linear memory, writable.
    fn data_mut(&mut self) -> &mut [u8];
    /// Calls the guest's `realloc(old_ptr, old_size, align, new_size)`.
    ///
    /// The result is untrusted: the caller checks alignment and bounds.
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap>;
}

/// A memory whose `realloc` hands out blocks from a bump cursor and never frees.
///
/// Lets a host lower values into a scratch region it manages itself, so a
/// guest with no allocator still works; tests use it as the reference
/// allocator of the specification's vectors. Like those, it never fails: a
/// block past the end of memory is caught by the caller's bounds check.
#[derive(Debug)]
pub struct BumpMemory<'a> {
    bytes: &'a mut [u8],
    cursor: u64,
}

impl<'a> BumpMemory<'a> {
    /// A view of `bytes` allocating from `cursor` upwards.
    pub fn new(bytes: &'a mut [u8], cursor: u32) -> Self {
        BumpMemory {
            bytes,
            cursor: u64::from(cursor),
        }
    }

    /// The whole memory.
    pub fn data(&self) -> &[u8] {
        self.bytes
    }

    /// Where the next allocation starts (before alignment).
    pub fn cursor(&self) -> u64 {
        self.cursor
    }
}

impl GuestMemory for BumpMemory<'_> {
    fn data(&self) -> &[u8] {
        self.bytes
    }

    fn data_mut(&mut self) -> &mut [u8] {
        self.bytes
    }

    fn realloc(
        &mut self,
        _old_ptr: u32,
        _old_size: u32,
        align: u32,
        size: u32,
    ) -> Result<u32, Trap> {
        let align = u64::from(align.max(1));
        let ptr = self.cursor.div_ceil(align) * align;
        let ptr32 = u32::try_from(ptr).map_err(|_| Trap::ReallocFailed)?;
        self.cursor = ptr + u64::from(size);
        Ok(ptr32)
    }
}

/// The runtime's resource handle tables, consulted for every `own` and `borrow`.
///
/// Lifting takes a guest handle and yields what the host sees (a
/// representation or host handle); lowering does the reverse.
pub trait Handles {
    /// Moves an `own` handle out of the guest's table.
    fn lift_own(&mut self, resource: ResourceId, handle: u32) -> Result<u32, Trap>;
    /// Reads a `borrow` handle (or an `own` handle lent for this call).
    fn lift_borrow(&mut self, resource: ResourceId, handle: u32) -> Result<u32, Trap>;
    /// Gives the guest a new `own` handle.
    fn lower_own(&mut self, resource: ResourceId, rep: u32) -> Result<u32, Trap>;
    /// Lends the guest a `borrow` handle for the current call.
    fn lower_borrow(&mut self, resource: ResourceId, rep: u32) -> Result<u32, Trap>;
}

/// Handles passed through unchanged: for types without resources, and for tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawHandles;

impl Handles for RawHandles {
    fn lift_own(&mut self, _: ResourceId, handle: u32) -> Result<u32, Trap> {
        Ok(handle)
    }
    fn lift_borrow(&mut self, _: ResourceId, handle: u32) -> Result<u32, Trap> {
        Ok(handle)
    }
    fn lower_own(&mut self, _: ResourceId, rep: u32) -> Result<u32, Trap> {
        Ok(rep)
    }
    fn lower_borrow(&mut self, _: ResourceId, rep: u32) -> Result<u32, Trap> {
        Ok(rep)
    }
}

/// The byte range `ptr .. ptr + len` if it lies inside a memory of `memory` bytes.
pub(crate) fn checked_range(
    ty: TypeKind,
    ptr: u32,
    len: u64,
    memory: usize,
) -> Result<Range<usize>, Trap> {
    let end = u64::from(ptr).checked_add(len);
    let Some(end) = end.filter(|&end| end <= memory as u64) else {
        return Err(Trap::OutOfBounds {
            ty,
            ptr,
            len,
            memory: memory as u64,
        });
    };
    // `end` fits in usize because it is at most `memory`.
    Ok(ptr as usize..end as usize)
}

/// Fails unless `ptr` is a multiple of `align`.
pub(crate) fn check_aligned(ty: TypeKind, ptr: u32, align: u32) -> Result<(), Trap> {
    if ptr % align != 0 {
        return Err(Trap::Misaligned { ty, ptr, align });
    }
    Ok(())
}

/// Calls `realloc` for a fresh block and checks what comes back.
pub(crate) fn allocate<M: GuestMemory + ?Sized>(
    mem: &mut M,
    align: u32,
    size: u32,
) -> Result<u32, Trap> {
    let ptr = mem.realloc(0, 0, align, size)?;
    let memory = mem.data().len() as u64;
    if ptr % align != 0 || u64::from(ptr) + u64::from(size) > memory {
        return Err(Trap::BadRealloc {
            ptr,
            size,
            align,
            memory,
        });
    }
    Ok(ptr)
}
