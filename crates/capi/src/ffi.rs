//! Reading and writing through the caller's pointers: every helper turns a
//! null pointer or invalid text into a [`Fail`] instead of undefined behaviour.
//!
//! # Safety
//! Each helper is `unsafe` for the same reason: a non-null pointer must be
//! valid for what the helper does with it (reading `len` items, writing one
//! item, living for `'a`). Each extern function's `# Safety` section passes
//! that requirement on to its C caller.

use alloc::boxed::Box;
use alloc::format;
use core::ffi::{c_char, CStr};

use crate::error::{wasmbed_code_t, Fail, Res};

/// The UTF-8 text of the NUL-terminated string `p`, argument `what`.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that lives for `'a`.
pub(crate) unsafe fn text<'a>(p: *const c_char, what: &str) -> Res<&'a str> {
    if p.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: `p` is non-null and, as the caller guarantees, NUL-terminated and live for `'a`.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|_| {
        Fail::new(
            wasmbed_code_t::WASMBED_ERR_UTF8,
            format!("`{what}` is not UTF-8"),
        )
    })
}

/// [`text`], or `None` for a null pointer.
///
/// # Safety
/// As for [`text`].
pub(crate) unsafe fn opt_text<'a>(p: *const c_char, what: &str) -> Res<Option<&'a str>> {
    match p.is_null() {
        true => Ok(None),
        // SAFETY: passed on from the caller.
        false => unsafe { text(p, what) }.map(Some),
    }
}

/// The `len` items at `p`, argument `what`; `p` may be null when `len` is 0.
///
/// # Safety
/// `p` is null or valid for reading `len` items of `T` that live for `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize, what: &str) -> Res<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: `p` is non-null and, as the caller guarantees, valid for `len` items for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}

/// The object behind handle `p`, argument `what`.
///
/// # Safety
/// `p` is null or a live handle of type `T` that this library made, not used mutably elsewhere during `'a`.
pub(crate) unsafe fn handle<'a, T>(p: *const T, what: &str) -> Res<&'a T> {
    // SAFETY: the caller guarantees `p` is null or a live `T`.
    unsafe { p.as_ref() }.ok_or_else(|| Fail::null(what))
}

/// The object behind handle `p`, mutably.
///
/// # Safety
/// `p` is null or a live handle of type `T`, used by no one else during `'a`.
pub(crate) unsafe fn handle_mut<'a, T>(p: *mut T, what: &str) -> Res<&'a mut T> {
    // SAFETY: the caller guarantees `p` is null or a live `T` it does not share during `'a`.
    unsafe { p.as_mut() }.ok_or_else(|| Fail::null(what))
}

/// Checks that out-pointer `p` (argument `what`) is not null, before any work is done.
pub(crate) fn out_ok<T>(p: *mut T, what: &str) -> Res {
    match p.is_null() {
        true => Err(Fail::null(what)),
        false => Ok(()),
    }
}

/// Writes `v` through out-pointer `p`, argument `what`.
///
/// # Safety
/// `p` is null or valid for writing one `T` (the old value is not dropped).
pub(crate) unsafe fn put<T>(p: *mut T, v: T, what: &str) -> Res {
    out_ok(p, what)?;
    // SAFETY: `p` is non-null and, as the caller guarantees, valid for writing.
    unsafe { p.write(v) };
    Ok(())
}

/// Moves `v` to the heap for C to hold: a handle.
pub(crate) fn new_handle<T>(v: T) -> *mut T {
    Box::into_raw(Box::new(v))
}

/// Frees handle `p`; null is ignored.
///
/// # Safety
/// `p` is null or a handle made by [`new_handle`] for a `T`, freed once.
pub(crate) unsafe fn free_handle<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: the caller hands back a box made by `new_handle`, once.
        let b = unsafe { Box::from_raw(p) };
        // A destructor that panics leaks what is left rather than unwinding into C.
        #[cfg(feature = "std")]
        let _ = std::panic::catch_unwind(core::panic::AssertUnwindSafe(move || drop(b)));
        #[cfg(not(feature = "std"))]
        drop(b);
    }
}
