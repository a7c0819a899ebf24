//! WASI for wasmbed guests, behind capabilities the application grants one by one.
//!
//! Built on the runtime's public [`Linker`] only, as any third party would
//! build a host interface. A [`Policy`] grants nothing by default; it becomes
//! the [`WasiCtx`] of one instance, the one host state (streams, descriptor
//! table) that WASI preview 1 and WASI 0.2 share. The context lives in the
//! instance's host data: [`add_to_linker`] defines WASI once per linker, with
//! a function that finds the context in the data, and every instance of that
//! linker brings its own.
//!
//! ```
//! use wasmbed::{Guest, Limits, Linker, Wasmi, World};
//! use wasmbed_wasi::{Capture, Grants, Policy, WasiCtx};
//!
//! let wasm = wat::parse_str(r#"(module
//!   (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
//!   (memory (export "memory") 1)
//!   (data (i32.const 16) "hi\n")
//!   (data (i32.const 0) "\10\00\00\00\03\00\00\00")
//!   (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#).unwrap();
//! let guest = Guest::new(&Wasmi::new(), &wasm, World::empty("hello")).unwrap();
//!
//! // The host data of each instance; here it holds nothing but WASI's context.
//! struct Host {
//!     wasi: WasiCtx,
//! }
//!
//! // Once: the linker, and the guest resolved against it.
//! let mut linker = Linker::<Host>::new();
//! wasmbed_wasi::add_to_linker(&mut linker, Grants::default(), |h| &mut h.wasi);
//! let pre = linker.instantiate_pre(&guest).unwrap();
//!
//! // Per instance: its own context, with its own stdout.
//! for _ in 0..3 {
//!     let out = Capture::new();
//!     let wasi = Policy::new().stdout(out.clone()).build().unwrap();
//!     let mut instance = pre.instantiate(Host { wasi }, Limits::default()).unwrap();
//!     instance.call_core("_start").unwrap();
//!     assert_eq!(out.contents(), b"hi\n");
//!     assert_eq!(instance.data().wasi.open_fds(), 1);
//! }
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

use wasmbed::{CoreImport, Engine, Error, Guest, Instance, Limits, Linker};

pub use ctx::WasiCtx;
pub use errno::Errno;
pub use p2::VERSION as P2_VERSION;
pub use policy::{Capture, Grants, Policy, PolicyError, Preopen, WasiLimits};
pub use preview1::MODULE as PREVIEW1;

/// How WASI's functions find an instance's [`WasiCtx`] in its host data `T`.
type GetCtx<T> = fn(&mut T) -> &mut WasiCtx;

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

/// Defines WASI preview 1 and WASI 0.2 in `linker`, over the context `get` finds in each instance's data.
///
/// What `grants` leaves out (clocks, random) is denied in the linker, so a
/// module importing it fails to link with an error naming the import and the
/// missing grant. Preview 1 and 0.2 share the one context: one stdout, one
/// descriptor table.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    grants: Grants,
    get: fn(&mut T) -> &mut WasiCtx,
) {
    add_preview1_to_linker(linker, grants, get);
    add_p2_to_linker(linker, grants, get);
}

/// Defines WASI preview 1 (`wasi_snapshot_preview1`) only, as [`add_to_linker`] does.
pub fn add_preview1_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    grants: Grants,
    get: fn(&mut T) -> &mut WasiCtx,
) {
    preview1::add(linker, grants, get);
}

/// Defines WASI 0.2 only (cli, clocks, random, io, filesystem; sockets, denied), as [`add_to_linker`] does.
pub fn add_p2_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    grants: Grants,
    get: fn(&mut T) -> &mut WasiCtx,
) {
    p2::add(linker, grants, get);
}

/// Instantiates `guest` once, owning `ctx`, on a linker made for it: WASI as the guest imports it and `ctx` grants it.
///
/// For a single run (the command line); a host running many guests builds
/// one linker with [`add_to_linker`] and instantiates from it.
pub fn instantiate<E: Engine>(
    guest: &Guest<E>,
    ctx: WasiCtx,
    limits: Limits,
) -> Result<Instance<E, WasiCtx>, Error> {
    let mut linker = Linker::new();
    add_imported_to_linker(&mut linker, guest, ctx.grants(), |c| c);
    linker.instantiate(guest, ctx, limits)
}

/// Defines what of WASI `guest` imports (preview 1, 0.2, both or neither),
/// as [`add_to_linker`] does: defining only that keeps linking cheap, as
/// WASI 0.2's functions cost more to define than preview 1's.
pub fn add_imported_to_linker<E: Engine, T: 'static>(
    linker: &mut Linker<T>,
    guest: &Guest<E>,
    grants: Grants,
    get: fn(&mut T) -> &mut WasiCtx,
) {
    let (p1, p2) = apis(guest.imports());
    if p1 {
        add_preview1_to_linker(linker, grants, get);
    }
    if p2 {
        add_p2_to_linker(linker, grants, get);
    }
}
