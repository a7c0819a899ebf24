//! Engines and guests: a module compiled and checked against its world.

#[cfg(feature = "std")]
use core::ffi::c_char;

use alloc::format;
#[cfg(feature = "std")]
use wasmbed::World;
use wasmbed::{Guest, Wasmi};

/// The engine behind every handle: wasmi or WAMR chosen at run time when
/// the library has WAMR (feature `wamr`), else wasmi alone.
#[cfg(feature = "wamr")]
pub(crate) type Eng = wasmbed::AnyEngine;
/// The engine behind every handle: wasmi alone (no `wamr` feature).
#[cfg(not(feature = "wamr"))]
pub(crate) type Eng = Wasmi;

/// A wasmi engine as [`Eng`], metering fuel if `fuel`.
pub(crate) fn wasmi(fuel: bool) -> Eng {
    let e = match fuel {
        true => Wasmi::with_fuel(),
        false => Wasmi::new(),
    };
    #[cfg(feature = "wamr")]
    let e = wasmbed::AnyEngine::Wasmi(e);
    e
}
#[cfg(feature = "std")]
use wasmbed_wit::wit_parser::Resolve;

use crate::error::{guard, wasmbed_code_t, wasmbed_error_t, Fail};
use crate::ffi::{free_handle, handle, new_handle, out_ok, put, slice};
#[cfg(feature = "std")]
use crate::{error::Res, ffi::opt_text};

/// An engine: wasmi, metering fuel or not, or WAMR.
pub struct wasmbed_engine_t {
    pub(crate) engine: Eng,
}

/// A module checked against its world, ready to link; immutable.
pub struct wasmbed_guest_t {
    pub(crate) guest: Guest<Eng>,
}

/// Makes an engine into `*out`: one that meters fuel if `fuel` (needed for
/// `wasmbed_limits_t::fuel`), else the faster one without.
///
/// The caller owns the engine: free it with [`wasmbed_engine_delete`]. Guests
/// keep what they need of it, so it may be freed before them.
///
/// # Safety
/// `out` is null or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_engine_new(
    fuel: bool,
    out: *mut *mut wasmbed_engine_t,
) -> wasmbed_code_t {
    let body = || {
        out_ok(out, "out")?;
        let engine = wasmi(fuel);
        // SAFETY: `out` is valid for writing, as the caller guarantees.
        unsafe { put(out, new_handle(wasmbed_engine_t { engine }), "out") }
    };
    // SAFETY: no error is asked for (null); `out` is passed on as the caller guarantees.
    unsafe { guard(core::ptr::null_mut(), body) }
}

/// Makes a WAMR engine (its fast interpreter) into `*out`: the same guests,
/// host functions and calls as on wasmi; `wasmbed_limits_t::fuel` is then an
/// instruction budget for each call, and the fuel left cannot be read
/// (docs/wamr.md).
///
/// The caller owns the engine: free it with [`wasmbed_engine_delete`].
///
/// # Safety
/// `out` is null or valid for writing one pointer.
#[cfg(feature = "wamr")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_engine_new_wamr(
    out: *mut *mut wasmbed_engine_t,
) -> wasmbed_code_t {
    let body = || {
        out_ok(out, "out")?;
        let engine = wasmbed::AnyEngine::Wamr(wasmbed::Wamr::new());
        // SAFETY: `out` is valid for writing, as the caller guarantees.
        unsafe { put(out, new_handle(wasmbed_engine_t { engine }), "out") }
    };
    // SAFETY: no error is asked for (null); `out` is passed on as the caller guarantees.
    unsafe { guard(core::ptr::null_mut(), body) }
}

/// Frees `engine`; null is ignored.
///
/// # Safety
/// `engine` is null or an engine from [`wasmbed_engine_new`], not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_engine_delete(engine: *mut wasmbed_engine_t) {
    // SAFETY: passed on from the caller.
    unsafe { free_handle(engine) }
}

/// The world of `wasm`: from the WIT text `wit` (world `world`, or its only
/// one), else from the module's `component-type` section, else empty (a
/// WASI command such as a wasi-libc `main`).
#[cfg(feature = "std")]
fn world_of(wasm: &[u8], wit: Option<&str>, world: Option<&str>) -> Res<World> {
    let bad = |m: String| Fail::new(wasmbed_code_t::WASMBED_ERR_WORLD, m);
    if let Some(wit) = wit {
        let mut resolve = Resolve::default();
        let pkg = resolve
            .push_str("world.wit", wit)
            .map_err(|e| bad(format!("WIT: {e:#}")))?;
        let id = resolve
            .select_world(&[pkg], world)
            .map_err(|e| bad(format!("WIT: {e:#}")))?;
        return wasmbed_wit::world_from_resolve(&resolve, id).map_err(|e| bad(e.to_string()));
    }
    if world.is_some() {
        return Err(Fail::new(
            wasmbed_code_t::WASMBED_ERR_INVALID,
            "a world name is given without WIT text",
        ));
    }
    match wasmbed_wit::world_from_module(wasm).map_err(|e| bad(e.to_string()))? {
        Some(w) => Ok(w),
        None => Ok(World::empty("guest")),
    }
}

/// Compiles `len` bytes of a core module at `wasm` on `engine` and checks
/// it against its world: from the WIT text `wit` (NUL-terminated; world
/// `world`, or null for the package's only world) or, when `wit` is null,
/// from the module's `component-type` section; a module with neither is a
/// command with an empty world.
///
/// On success `*out` is a guest the caller owns (free it with
/// [`wasmbed_guest_delete`]); the bytes and texts are only borrowed during
/// the call. On failure `*out` is untouched and `*err`, if `err` is not null,
/// is an error the caller owns.
///
/// # Safety
/// `engine` is null or a live engine; `wasm` is null or valid for `len`
/// bytes; `wit` and `world` are null or NUL-terminated; `out` and `err` are
/// null or valid for writing one pointer.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_guest_new(
    engine: *const wasmbed_engine_t,
    wasm: *const u8,
    len: usize,
    wit: *const c_char,
    world: *const c_char,
    out: *mut *mut wasmbed_guest_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees it is.
        let (engine, wasm, wit, world) = unsafe {
            (
                handle(engine, "engine")?,
                slice(wasm, len, "wasm")?,
                opt_text(wit, "wit")?,
                opt_text(world, "world")?,
            )
        };
        out_ok(out, "out")?;
        let world = world_of(wasm, wit, world)?;
        let guest = Guest::new(&engine.engine, wasm, world)?;
        // SAFETY: `out` is valid for writing, as the caller guarantees.
        unsafe { put(out, new_handle(wasmbed_guest_t { guest }), "out") }
    };
    // SAFETY: `err` is passed on as the caller guarantees.
    unsafe { guard(err, body) }
}

/// [`wasmbed_guest_new`] on an engine of its own that meters fuel, with the
/// world from the module's `component-type` section.
///
/// # Safety
/// As for [`wasmbed_guest_new`].
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_guest_load(
    wasm: *const u8,
    len: usize,
    out: *mut *mut wasmbed_guest_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let engine = wasmbed_engine_t {
        engine: wasmi(true),
    };
    let null = core::ptr::null();
    // SAFETY: `engine` lives through the call; the rest is the caller's, as documented.
    unsafe { wasmbed_guest_new(&engine, wasm, len, null, null, out, err) }
}

/// [`wasmbed_guest_new`] on an engine of its own that meters fuel, with the
/// world from the WIT text `wit` (world `world`, or null for the only one).
///
/// # Safety
/// As for [`wasmbed_guest_new`].
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_guest_load_wit(
    wasm: *const u8,
    len: usize,
    wit: *const c_char,
    world: *const c_char,
    out: *mut *mut wasmbed_guest_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let engine = wasmbed_engine_t {
        engine: wasmi(true),
    };
    if wit.is_null() {
        // SAFETY: `err` is null or writable, as the caller guarantees.
        return unsafe { guard(err, || Err(Fail::null("wit"))) };
    }
    // SAFETY: `engine` lives through the call; the rest is the caller's, as documented.
    unsafe { wasmbed_guest_new(&engine, wasm, len, wit, world, out, err) }
}

/// Compiles `len` bytes of a core module at `wasm` on `engine` and checks
/// it against the world decoded from a compact world file (`wasmbed world
/// compile`, docs/world-format.md): `world_len` bytes at `world`, so no WIT
/// is parsed at run time. The way to load a guest without `std`.
///
/// On success `*out` is a guest the caller owns (free it with
/// [`wasmbed_guest_delete`]); the bytes are only borrowed during the call.
/// A truncated or corrupt world file is `WASMBED_ERR_WORLD`.
///
/// # Safety
/// `engine` is null or a live engine; `wasm` and `world` are null or valid
/// for `len` and `world_len` bytes; `out` and `err` are null or valid for
/// writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_guest_new_compact(
    engine: *const wasmbed_engine_t,
    wasm: *const u8,
    len: usize,
    world: *const u8,
    world_len: usize,
    out: *mut *mut wasmbed_guest_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees it is.
        let (engine, wasm, world) = unsafe {
            (
                handle(engine, "engine")?,
                slice(wasm, len, "wasm")?,
                slice(world, world_len, "world")?,
            )
        };
        out_ok(out, "out")?;
        let world = wasmbed_wit::compact::decode(world).map_err(|e| {
            Fail::new(
                wasmbed_code_t::WASMBED_ERR_WORLD,
                format!("compact world: {e}"),
            )
        })?;
        let guest = Guest::new(&engine.engine, wasm, world)?;
        // SAFETY: `out` is valid for writing, as the caller guarantees.
        unsafe { put(out, new_handle(wasmbed_guest_t { guest }), "out") }
    };
    // SAFETY: `err` is passed on as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Frees `guest`; null is ignored. Pre-linked guests and instances made from it keep what they need.
///
/// # Safety
/// `guest` is null or a guest from this library, not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_guest_delete(guest: *mut wasmbed_guest_t) {
    // SAFETY: passed on from the caller.
    unsafe { free_handle(guest) }
}
