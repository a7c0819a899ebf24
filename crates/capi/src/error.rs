//! Error codes, error objects and the guard that keeps panics on the Rust side.

use alloc::boxed::Box;
use alloc::ffi::CString;
use alloc::format;
use alloc::string::{String, ToString};
use core::ffi::c_char;
use core::ptr;

use wasmbed::{Error, ErrorKind};

/// What every function returns: `WASMBED_OK` (zero) or what went wrong.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum wasmbed_code_t {
    /// Success.
    WASMBED_OK = 0,
    /// A pointer that must not be null was null.
    WASMBED_ERR_NULL,
    /// A string argument is not UTF-8, or not NUL-terminated where it must be.
    WASMBED_ERR_UTF8,
    /// The world could not be read: bad WIT text, an unknown world name, a bad `component-type` section.
    WASMBED_ERR_WORLD,
    /// The bytes are not a valid module for the engine.
    WASMBED_ERR_COMPILE,
    /// The module does not fit its world.
    WASMBED_ERR_LOAD,
    /// An import has no implementation, or a C host function's signature does not match the world.
    WASMBED_ERR_LINK,
    /// The guest trapped; its instance is poisoned.
    WASMBED_ERR_TRAP,
    /// The instance trapped before and runs no more guest code.
    WASMBED_ERR_POISONED,
    /// The guest exited (WASI `proc_exit`) with a nonzero status.
    WASMBED_ERR_EXIT,
    /// No export of that name in the world.
    WASMBED_ERR_UNKNOWN_EXPORT,
    /// Arguments or results do not match the function's type, or the type has no typed form.
    WASMBED_ERR_TYPE,
    /// WAVE text did not parse, or does not fit its type.
    WASMBED_ERR_WAVE,
    /// The instance is already in a call (a host function called back into it).
    WASMBED_ERR_BUSY,
    /// A limit or option is out of range (a world name without WIT text, a WASI variable that is not `KEY=VALUE`).
    WASMBED_ERR_INVALID,
    /// A host function failed.
    WASMBED_ERR_HOST,
    /// wasmbed panicked: a bug, caught at the boundary (with `std`; without it a panic ends the program).
    WASMBED_ERR_PANIC,
}

/// An error: its code and a one-line message.
///
/// Owned by the caller that received it; free it with [`wasmbed_error_delete`].
pub struct wasmbed_error_t {
    code: wasmbed_code_t,
    message: CString,
}

/// A failure inside the library, before it becomes a `wasmbed_error_t`.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) code: wasmbed_code_t,
    pub(crate) message: String,
}

impl Fail {
    pub(crate) fn new(code: wasmbed_code_t, message: impl Into<String>) -> Fail {
        Fail {
            code,
            message: message.into(),
        }
    }

    /// A required pointer argument `what` was null.
    pub(crate) fn null(what: &str) -> Fail {
        Fail::new(
            wasmbed_code_t::WASMBED_ERR_NULL,
            format!("`{what}` is null"),
        )
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        use wasmbed_code_t::*;
        let code = match e.kind() {
            ErrorKind::Compile(_) => WASMBED_ERR_COMPILE,
            ErrorKind::Load(_) => WASMBED_ERR_LOAD,
            ErrorKind::Link(_) => WASMBED_ERR_LINK,
            ErrorKind::Trap { .. } => WASMBED_ERR_TRAP,
            ErrorKind::Poisoned => WASMBED_ERR_POISONED,
            ErrorKind::Reentrance => WASMBED_ERR_BUSY,
            ErrorKind::UnknownExport(_) => WASMBED_ERR_UNKNOWN_EXPORT,
            ErrorKind::BadArguments(_) => WASMBED_ERR_TYPE,
            ErrorKind::Host(_) => WASMBED_ERR_HOST,
            ErrorKind::Exit(_) => WASMBED_ERR_EXIT,
            _ => WASMBED_ERR_HOST,
        };
        Fail::new(code, e.to_string())
    }
}

pub(crate) type Res<T = ()> = Result<T, Fail>;

/// Runs `f`, turning its failure or panic into a code and, if `err` is not null, an error object.
///
/// # Safety
/// `err` is null or valid for writing one pointer.
pub(crate) unsafe fn guard(
    err: *mut *mut wasmbed_error_t,
    f: impl FnOnce() -> Res,
) -> wasmbed_code_t {
    let (code, obj) = match catching(f) {
        Ok(()) => (wasmbed_code_t::WASMBED_OK, ptr::null_mut()),
        Err(f) => {
            // A message with a NUL in it (from guest text) keeps what comes before.
            let message = CString::new(f.message).unwrap_or_else(|e| {
                let n = e.nul_position();
                let mut bytes = e.into_vec();
                bytes.truncate(n);
                CString::new(bytes).unwrap_or_default()
            });
            let e = wasmbed_error_t {
                code: f.code,
                message,
            };
            (f.code, Box::into_raw(Box::new(e)))
        }
    };
    if !err.is_null() {
        // SAFETY: the caller guarantees `err` is null (checked) or valid for writing.
        unsafe { err.write(obj) };
    } else if !obj.is_null() {
        // SAFETY: `obj` came from `Box::into_raw` just above and was handed to no one.
        drop(unsafe { Box::from_raw(obj) });
    }
    code
}

/// Runs `f`; a panic becomes [`wasmbed_code_t::WASMBED_ERR_PANIC`].
#[cfg(feature = "std")]
fn catching(f: impl FnOnce() -> Res) -> Res {
    std::panic::catch_unwind(core::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Err(Fail::new(
            wasmbed_code_t::WASMBED_ERR_PANIC,
            format!("wasmbed panicked: {what}"),
        ))
    })
}

/// Runs `f`: without std nothing catches a panic, which ends the program.
#[cfg(not(feature = "std"))]
fn catching(f: impl FnOnce() -> Res) -> Res {
    f()
}

/// The message of `err`, NUL-terminated; null if `err` is null.
///
/// The text is borrowed from `err`: valid until [`wasmbed_error_delete`].
///
/// # Safety
/// `err` is null or an error this library returned and not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_error_message(err: *const wasmbed_error_t) -> *const c_char {
    // SAFETY: the caller guarantees `err` is null or a live error.
    match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => ptr::null(),
    }
}

/// The code of `err`; `WASMBED_ERR_NULL` if `err` is null.
///
/// # Safety
/// `err` is null or an error this library returned and not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_error_code(err: *const wasmbed_error_t) -> wasmbed_code_t {
    // SAFETY: the caller guarantees `err` is null or a live error.
    match unsafe { err.as_ref() } {
        Some(e) => e.code,
        None => wasmbed_code_t::WASMBED_ERR_NULL,
    }
}

/// Frees `err`; null is ignored.
///
/// # Safety
/// `err` is null or an error this library returned and not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_error_delete(err: *mut wasmbed_error_t) {
    if !err.is_null() {
        // SAFETY: the caller hands back an error made by `Box::into_raw` in `guard`, once.
        drop(unsafe { Box::from_raw(err) });
    }
}

/// Frees a string this library returned (a WAVE result); null is ignored.
///
/// # Safety
/// `s` is null or a string this library returned and not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_string_delete(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the caller hands back a string made by `CString::into_raw`, once.
        drop(unsafe { CString::from_raw(s) });
    }
}
