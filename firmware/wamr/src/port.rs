//! WAMR's allocation, on the global allocator.
//!
//! WAMR frees without a size, and Rust's allocator needs the layout back:
//! each block carries its size in a header of `ALIGN` bytes before what
//! WAMR sees, so blocks stay aligned to 8 bytes (WAMR stores 64-bit values
//! in them).

use alloc::alloc::{alloc, dealloc, realloc, Layout};
use core::ffi::{c_uint, c_void};
use core::ptr;

/// The header's size and every block's alignment.
const ALIGN: usize = 8;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(ALIGN)?, ALIGN).ok()
}

/// `malloc` for WAMR: null when out of memory.
#[no_mangle]
pub extern "C" fn os_malloc(size: c_uint) -> *mut c_void {
    let size = size as usize;
    let Some(layout) = layout(size) else {
        return ptr::null_mut();
    };
    // SAFETY: the layout's size is at least `ALIGN`, never zero.
    let block = unsafe { alloc(layout) };
    if block.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the block holds `ALIGN + size` bytes aligned to `ALIGN`: the
    // header is in bounds and aligned for a `usize`, and so is what follows.
    unsafe {
        block.cast::<usize>().write(size);
        block.add(ALIGN).cast()
    }
}

/// `realloc` for WAMR: a null `ptr` allocates; null when out of memory, the
/// old block then left as it was.
///
/// # Safety
///
/// `ptr` is null or a block from `os_malloc`/`os_realloc` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn os_realloc(ptr: *mut c_void, size: c_uint) -> *mut c_void {
    if ptr.is_null() {
        return os_malloc(size);
    }
    let size = size as usize;
    // SAFETY: the caller's promise: the header sits `ALIGN` bytes before
    // `ptr` and holds the size it was allocated with.
    let (block, old) = unsafe {
        let block = ptr.cast::<u8>().sub(ALIGN);
        (block, block.cast::<usize>().read())
    };
    let (Some(old_layout), Some(_)) = (layout(old), layout(size)) else {
        return ptr::null_mut();
    };
    // SAFETY: `block` was allocated with `old_layout`; the new size plus the
    // header is non-zero and does not overflow (checked by `layout`).
    let block = unsafe { realloc(block, old_layout, size + ALIGN) };
    if block.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: as in `os_malloc`.
    unsafe {
        block.cast::<usize>().write(size);
        block.add(ALIGN).cast()
    }
}

/// `free` for WAMR: null is ignored.
///
/// # Safety
///
/// `ptr` is null or a block from `os_malloc`/`os_realloc` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn os_free(ptr: *mut c_void) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: the caller's promise, as in `os_realloc`.
    unsafe {
        let block = ptr.cast::<u8>().sub(ALIGN);
        let size = block.cast::<usize>().read();
        if let Some(layout) = layout(size) {
            dealloc(block, layout);
        }
    }
}
