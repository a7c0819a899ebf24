//! WASI for wasmbed guests, behind capabilities the application grants one by one.
//!
//! Built on the runtime's public [`Linker`] only, as any third party would
//! build a host interface. A [`Policy`] grants nothing by default; it becomes
//! the [`WasiCtx`] of one instance, the one host state (streams, descriptor
//! table) that WASI preview 1 (and, later, WASI 0.2) share.
//!
//! ```
//! use wasmbed::{Guest, Limits, Linker, Wasmi, World};
//! use wasmbed_wasi::{Capture, Policy};
//!
//! let wasm = wat::parse_str(r#"(module
//!   (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
//!   (memory (export "memory") 1)
//!   (data (i32.const 16) "hi\n")
//!   (data (i32.const 0) "\10\00\00\00\03\00\00\00")
//!   (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#).unwrap();
//! let out = Capture::new();
//! let ctx = Policy::new().stdout(out.clone()).build().unwrap();
//! let guest = Guest::new(&Wasmi::new(), &wasm, World::empty("hello")).unwrap();
//! let mut linker = Linker::new();
//! let (mut instance, _ctx) = wasmbed_wasi::instantiate(&guest, &mut linker, ctx, Limits::default()).unwrap();
//! instance.call_core("_start").unwrap();
//! assert_eq!(out.contents(), b"hi\n");
//! ```
#![deny(missing_docs)]

mod ctx;
mod errno;
mod fs;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod p2;
mod policy;
mod preview1;
mod sandbox;

use std::sync::{Arc, Mutex};

use wasmbed::{CoreImport, Engine, Error, Guest, Instance, Limits, Linker};

pub use ctx::WasiCtx;
pub use errno::Errno;
pub use p2::VERSION as P2_VERSION;
pub use policy::{Capture, Policy, PolicyError, Preopen, WasiLimits};
pub use preview1::MODULE as PREVIEW1;

/// One instance's WASI state, shared by the linker's closures and the application.
pub type SharedCtx = Arc<Mutex<WasiCtx>>;

/// Whether a guest imports WASI preview 1, WASI 0.2, or both, and so needs a [`WasiCtx`].
pub fn imports_wasi<E: Engine>(guest: &Guest<E>) -> bool {
    let (p1, p2) = apis(guest.imports());
    p1 || p2
}

/// Which of preview 1 and 0.2 these core imports use (0.2 under legacy or `cm32p2` names).
fn apis(imports: &[CoreImport]) -> (bool, bool) {
    let p1 = imports.iter().any(|i| i.module == PREVIEW1);
    let p2 = imports
        .iter()
        .any(|i| i.module.starts_with("wasi:") || i.module.starts_with("cm32p2|wasi:"));
    (p1, p2)
}

/// Defines WASI preview 1 and WASI 0.2 in `linker`, over one shared context.
///
/// What the policy denies statically (clocks, random) is denied in the
/// linker, so a module importing it fails to link with an error naming the
/// import and the missing grant.
pub fn add_to_linker(linker: &mut Linker, ctx: WasiCtx) -> SharedCtx {
    let shared = Arc::new(Mutex::new(ctx));
    preview1::add(linker, &shared);
    p2::add(linker, &shared);
    shared
}

/// Adds the WASI `guest` imports (preview 1, 0.2 or both) over `ctx` to `linker` and instantiates `guest`.
pub fn instantiate<E: Engine>(
    guest: &Guest<E>,
    linker: &mut Linker,
    ctx: WasiCtx,
    limits: Limits,
) -> Result<(Instance<E>, SharedCtx), Error> {
    let shared = Arc::new(Mutex::new(ctx));
    // Defining only what the guest imports keeps instantiation cheap: WASI
    // 0.2's functions cost more to define than preview 1's.
    let (p1, p2) = apis(guest.imports());
    if p1 {
        preview1::add(linker, &shared);
    }
    if p2 {
        p2::add(linker, &shared);
    }
    let instance = linker.instantiate(guest, limits)?;
    Ok((instance, shared))
}
