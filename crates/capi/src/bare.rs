//! What a static library for a bare-metal target brings that std would:
//! its heap is the C program's (`malloc`, `free`), and a panic, which is a
//! bug, ends in C's `abort`.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    fn memalign(align: usize, size: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
    fn abort() -> !;
}

/// The alignment C's `malloc` guarantees: two words (newlib's and picolibc's
/// `MALLOC_ALIGN` on 32-bit targets is 8). Larger alignments go to `memalign`.
const MALLOC_ALIGN: usize = 2 * core::mem::size_of::<usize>();

/// Rust's allocations, from the C library's heap.
struct CHeap;

// SAFETY: C's allocator returns null or a block of at least `size` bytes
// aligned to `MALLOC_ALIGN` (`malloc`, `realloc`) or to `align` (`memalign`),
// unused elsewhere until it is freed; blocks are freed with `free` only.
unsafe impl GlobalAlloc for CHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: C's allocator has no precondition on its arguments.
        unsafe {
            match layout.align() <= MALLOC_ALIGN {
                true => malloc(layout.size()).cast(),
                false => memalign(layout.align(), layout.size()).cast(),
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `alloc` or `realloc` above, as `GlobalAlloc` requires.
        unsafe { free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() > MALLOC_ALIGN {
            // SAFETY: passed on: the default moves the block through `alloc` and `dealloc`.
            return unsafe { default_realloc(self, ptr, layout, new_size) };
        }
        // SAFETY: `ptr` came from `malloc` (its alignment is `malloc`'s), as `GlobalAlloc` requires.
        unsafe { realloc(ptr.cast(), new_size).cast() }
    }
}

/// `GlobalAlloc`'s own `realloc`: a new block, the bytes copied, the old block freed.
///
/// # Safety
/// As for [`GlobalAlloc::realloc`].
unsafe fn default_realloc(heap: &CHeap, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    // SAFETY: the caller passes `GlobalAlloc::realloc`'s guarantees: `new_size`
    // rounded up to the alignment does not overflow, and `ptr` is a live block of `layout`.
    unsafe {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        let p = heap.alloc(new);
        if !p.is_null() {
            core::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
            heap.dealloc(ptr, layout);
        }
        p
    }
}

#[global_allocator]
static HEAP: CHeap = CHeap;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `abort` has no precondition; it does not return.
    unsafe { abort() }
}
