//! wamrx-sys 0.3's raw bindings for bare-metal targets: WAMR's embedding API
//! (`wasm_export.h`) as bindgen writes it for the target, over WAMR's core
//! built by `build.rs` with the port in `platform/`.
//!
//! The port's memory comes from here: `os_malloc`, `os_realloc` and
//! `os_free` allocate from the firmware's global allocator, so the heap the
//! firmware reports includes everything WAMR holds (its runtime, modules,
//! instances, operand stacks and linear memories).
#![no_std]
#![allow(non_upper_case_globals)]
#![allow(non_camel_case_types)]
#![allow(non_snake_case)]
#![allow(missing_docs)]
#![allow(clippy::all)]

extern crate alloc;

mod port;

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
