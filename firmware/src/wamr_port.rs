//! What WAMR's platform port (`wamr/platform/`) asks of the firmware: a
//! console for its log lines and the lowest address the stack may reach.

use core::ffi::c_char;

/// Writes WAMR's output on the board's console.
///
/// # Safety
///
/// `bytes` points at `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn wamr_port_write(bytes: *const c_char, len: usize) {
    // SAFETY: the caller's promise.
    let bytes = unsafe { core::slice::from_raw_parts(bytes.cast::<u8>(), len) };
    crate::board::print(bytes);
}

/// The stack's lowest address: WAMR traps a guest call that would take the
/// stack below it (plus its guard of 1 KiB) instead of running into the
/// statics and the heap.
#[no_mangle]
pub extern "C" fn wamr_port_stack_boundary() -> *mut u8 {
    crate::board::stack_end()
}
