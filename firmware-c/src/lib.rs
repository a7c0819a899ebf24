//! The wasmbed C API built without `std`, as the one static library that
//! `main.c` links: `libwasmbed_firmware_c.a`.
//!
//! Everything is wasmbed-capi's. On a bare-metal target it takes its heap
//! from the C library (`malloc`, `free`) and ends a panic in `abort`, so
//! this crate only gives the build its own lock file and a release profile
//! for flash (opt-level `s`, LTO, `panic = "abort"`), as `firmware/` does.
#![no_std]

pub use wasmbed_capi::*;
