//! wasmbed's C API: opaque handles, an error code from every function, and
//! errors readable as text.
//!
//! The header is `include/wasmbed.h`, generated from this crate by cbindgen;
//! `docs/capi.md` says how to build, link and use it. The flow mirrors the
//! Rust API: a guest (a module and its world) is checked once; a linker holds
//! host functions written in C; pre-linking resolves a guest's imports, and
//! the result instantiates with limits into instances whose exports are
//! called with typed scalars or WAVE text.
//!
//! Every function taking pointers is `unsafe`: its `# Safety` section says
//! what it borrows and what it hands over. No function aborts on bad input
//! (null pointers, invalid UTF-8, unknown names, wrong types): each returns a
//! [`wasmbed_code_t`] and, when asked, a [`wasmbed_error_t`] with a message. A
//! panic is caught at the boundary and reported as
//! [`wasmbed_code_t::WASMBED_ERR_PANIC`] (with `std`; without it a panic
//! ends the program).
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | worlds from WIT text and `component-type` sections, WAVE text (calls and host functions), WASI, panics caught at the boundary |
//!
//! Without `std` the library is `no_std` + `alloc` (`firmware-c/` builds it for
//! a Cortex-M4F): guests take their world from a compact world file
//! (`wasmbed_guest_new_compact`), host functions are typed, calls take typed
//! values and return scalars. On a bare-metal target (`target_os = "none"`)
//! it uses the C program's heap (`malloc`, `free`) and a panic calls C's
//! `abort`; C code that includes `wasmbed.h` defines `WASMBED_NO_STD` first,
//! which leaves out the functions that need `std`.
//!
//! Rust sees this crate as an `rlib` too, so its tests call the functions as C does:
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use core::ptr;
//! use wasmbed_capi::*;
//!
//! let wasm = include_bytes!("../../../examples/sensor/sensor.wasm");
//! let (mut guest, mut linker, mut instance) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
//! let mut result = ptr::null_mut();
//! let call = c"wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 50.0}], 0.0, 40.0)";
//! // SAFETY: every pointer is valid or null as each function's `# Safety` asks.
//! unsafe {
//!     assert_eq!(wasmbed_guest_load(wasm.as_ptr(), wasm.len(), &mut guest, ptr::null_mut()), wasmbed_code_t::WASMBED_OK);
//!     assert_eq!(wasmbed_linker_new(&mut linker), wasmbed_code_t::WASMBED_OK);
//!     let code = wasmbed_instantiate(linker, guest, ptr::null_mut(), ptr::null(), &mut instance, ptr::null_mut());
//!     assert_eq!(code, wasmbed_code_t::WASMBED_OK);
//!     let code = wasmbed_instance_call_wave(instance, call.as_ptr(), &mut result, ptr::null_mut());
//!     assert_eq!(code, wasmbed_code_t::WASMBED_OK);
//!     let text = core::ffi::CStr::from_ptr(result).to_str().unwrap();
//!     assert_eq!(text, r#"{count: 1, mean: 50, out-of-range: [1], label: "check sensors"}"#);
//!     wasmbed_string_delete(result);
//!     wasmbed_instance_delete(instance);
//!     wasmbed_linker_delete(linker);
//!     wasmbed_guest_delete(guest);
//! }
//! # }
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
// The names are C's: `wasmbed_guest_t`, `WASMBED_OK`.
#![allow(non_camel_case_types)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]

extern crate alloc;

// Without `std` on a target that has one, the static library still needs what
// every Rust program gets from std (an allocator, a panic handler, unwinding):
// std is linked for that, under no name the code could use.
#[cfg(all(not(feature = "std"), not(target_os = "none")))]
extern crate std as _;

// C's `malloc`, `free` and `abort`, which `bare` declares, are no part of the header:
/// cbindgen:ignore
#[cfg(all(not(feature = "std"), target_os = "none"))]
mod bare;
mod error;
mod ffi;
mod guest;
mod host;
mod instance;
mod linker;
mod val;
#[cfg(feature = "std")]
mod wave;

pub use error::{
    wasmbed_code_t, wasmbed_error_code, wasmbed_error_delete, wasmbed_error_message,
    wasmbed_error_t, wasmbed_string_delete,
};
#[cfg(feature = "wamr")]
pub use guest::wasmbed_engine_new_wamr;
pub use guest::{
    wasmbed_engine_delete, wasmbed_engine_new, wasmbed_engine_t, wasmbed_guest_delete,
    wasmbed_guest_new_compact, wasmbed_guest_t,
};
#[cfg(feature = "std")]
pub use guest::{wasmbed_guest_load, wasmbed_guest_load_wit, wasmbed_guest_new};
pub use host::wasmbed_host_fn_t;
#[cfg(feature = "std")]
pub use host::wasmbed_wave_fn_t;
#[cfg(feature = "std")]
pub use instance::wasmbed_instance_call_wave;
pub use instance::{
    wasmbed_instance_call, wasmbed_instance_delete, wasmbed_instance_fuel,
    wasmbed_instance_pre_delete, wasmbed_instance_pre_instantiate, wasmbed_instance_pre_t,
    wasmbed_instance_run, wasmbed_instance_t, wasmbed_instantiate, wasmbed_limits_default,
    wasmbed_limits_t,
};
#[cfg(feature = "std")]
pub use linker::{wasmbed_linker_add_wasi, wasmbed_linker_define_wave};
pub use linker::{
    wasmbed_linker_define, wasmbed_linker_delete, wasmbed_linker_instantiate_pre,
    wasmbed_linker_new, wasmbed_linker_t,
};
pub use val::{wasmbed_bytes_t, wasmbed_kind_t, wasmbed_val_t, wasmbed_valunion_t};

#[cfg(all(test, feature = "std"))]
mod tests;
