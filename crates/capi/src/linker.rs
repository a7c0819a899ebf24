//! Linkers: C host functions and WASI, resolved against a guest when pre-linked.

#[cfg(feature = "std")]
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};

use wasmbed::Linker;
use wasmbed_abi::names::canonicalize_interface_name;
use wasmbed_abi::FuncType;
use wasmbed_wit::world::{Item, World};

use crate::error::{guard, wasmbed_code_t, wasmbed_error_t, Fail, Res};
use crate::ffi::{free_handle, handle, handle_mut, new_handle, opt_text, out_ok, put, slice, text};
use crate::guest::wasmbed_guest_t;
#[cfg(feature = "std")]
use crate::host::wasmbed_wave_fn_t;
use crate::host::{define, wasmbed_host_fn_t, CFunc, CHost, Env};
use crate::instance::wasmbed_instance_pre_t;
use crate::val::wasmbed_kind_t;

/// The host's side: C host functions by interface and name, and WASI if added.
///
/// Owned by its creator; pre-linked guests copy what they need, so it may be
/// freed or changed afterwards.
pub struct wasmbed_linker_t {
    defs: Vec<(String, String, CFunc, Env)>,
    #[cfg(feature = "std")]
    wasi: Option<WasiConfig>,
}

/// What `wasmbed_linker_add_wasi` grants each instance.
#[cfg(feature = "std")]
#[derive(Clone, Default)]
pub(crate) struct WasiConfig {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
}

/// Makes an empty linker into `*out`; free it with [`wasmbed_linker_delete`].
///
/// # Safety
/// `out` is null or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_linker_new(out: *mut *mut wasmbed_linker_t) -> wasmbed_code_t {
    let body = || {
        let l = wasmbed_linker_t {
            defs: Vec::new(),
            #[cfg(feature = "std")]
            wasi: None,
        };
        // SAFETY: `out` is null or writable, as the caller guarantees.
        unsafe { put(out, new_handle(l), "out") }
    };
    // SAFETY: no error is asked for; `out` is checked by `put`.
    unsafe { guard(core::ptr::null_mut(), body) }
}

/// Frees `linker`; null is ignored.
///
/// # Safety
/// `linker` is null or a linker from [`wasmbed_linker_new`], not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_linker_delete(linker: *mut wasmbed_linker_t) {
    // SAFETY: passed on from the caller.
    unsafe { free_handle(linker) }
}

/// Adds a C function, replacing any of the same interface and name.
///
/// # Safety
/// `linker` and `err` as for [`wasmbed_linker_define`]; `iface` and `name` null or NUL-terminated.
unsafe fn add(
    linker: *mut wasmbed_linker_t,
    iface: *const c_char,
    name: *const c_char,
    func: impl FnOnce() -> Res<CFunc>,
    env: *mut c_void,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees.
        let (linker, iface, name) = unsafe {
            (
                handle_mut(linker, "linker")?,
                opt_text(iface, "interface")?.unwrap_or(""),
                text(name, "name")?,
            )
        };
        let func = func()?;
        linker
            .defs
            .retain(|(i, n, _, _)| (i.as_str(), n.as_str()) != (iface, name));
        linker
            .defs
            .push((iface.into(), name.into(), func, Env(env)));
        Ok(())
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Implements import `name` of interface `iface` (as WIT names it, such as
/// `wasmbed:cm32/host@0.1.0`; null or `""` for a world-level function) with
/// the typed C function `f`, of `nparams` parameters of the kinds at
/// `params` and a result of kind `*result` (null for none).
///
/// The signature is checked against each guest's world when pre-linked
/// (`WASMBED_ERR_LINK` if it differs). Past 16 core parameters (a string or
/// byte list counts two) the guest passes them through its memory, where
/// `f`'s strings and byte lists are borrowed as well.
/// `env` is handed to every call of `f`; it must stay valid, and usable from
/// any thread that calls instances, as long as a pre-linked guest or
/// instance made from this linker lives. Texts and arrays are copied.
///
/// # Safety
/// `linker` is null or a live linker not in use elsewhere; `iface` and
/// `name` are null or NUL-terminated; `params` is null or valid for
/// `nparams` enumerators of `wasmbed_kind_t`; `result` is null or points to
/// one; `err` is null or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_linker_define(
    linker: *mut wasmbed_linker_t,
    iface: *const c_char,
    name: *const c_char,
    params: *const wasmbed_kind_t,
    nparams: usize,
    result: *const wasmbed_kind_t,
    f: wasmbed_host_fn_t,
    env: *mut c_void,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let func = || {
        let f = f.ok_or_else(|| Fail::null("f"))?;
        // SAFETY: `params` and `result` are what the caller guarantees.
        let (params, result) =
            unsafe { (slice(params, nparams, "params")?, result.as_ref().copied()) };
        Ok(CFunc::Typed {
            params: params.to_vec(),
            result,
            f,
        })
    };
    // SAFETY: passed on from the caller.
    unsafe { add(linker, iface, name, func, env, err) }
}

/// Implements import `name` of interface `iface` with `f`, over WAVE text:
/// any WIT type but resource handles. Otherwise as [`wasmbed_linker_define`].
/// Needs `std`.
///
/// # Safety
/// As for [`wasmbed_linker_define`].
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_linker_define_wave(
    linker: *mut wasmbed_linker_t,
    iface: *const c_char,
    name: *const c_char,
    f: wasmbed_wave_fn_t,
    env: *mut c_void,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let func = || {
        Ok(CFunc::Wave {
            f: f.ok_or_else(|| Fail::null("f"))?,
        })
    };
    // SAFETY: passed on from the caller.
    unsafe { add(linker, iface, name, func, env, err) }
}

/// Adds WASI (preview 1 and 0.2, as each guest imports them) with a minimal
/// grant set: the process's stdout and stderr, the `nargs` arguments at
/// `args` (the first is the program's name) and the `nenv` variables at
/// `env`, each `KEY=VALUE`. Nothing else: no stdin, files, clocks or random
/// numbers (a guest importing clocks or random fails to link, naming the grant).
///
/// The strings are copied. Calling it again replaces the arguments and variables.
/// Needs `std`.
///
/// # Safety
/// `linker` is null or a live linker not in use elsewhere; `args` and `env`
/// are null or valid for `nargs` and `nenv` NUL-terminated strings; `err` is
/// null or valid for writing one pointer.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_linker_add_wasi(
    linker: *mut wasmbed_linker_t,
    args: *const *const c_char,
    nargs: usize,
    env: *const *const c_char,
    nenv: usize,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees.
        let (linker, args, env) = unsafe {
            (
                handle_mut(linker, "linker")?,
                slice(args, nargs, "args")?,
                slice(env, nenv, "env")?,
            )
        };
        let mut config = WasiConfig::default();
        for a in args {
            // SAFETY: each entry is a NUL-terminated string, as the caller guarantees.
            config.args.push(unsafe { text(*a, "args[i]") }?.into());
        }
        for e in env {
            // SAFETY: as for `args`.
            let kv = unsafe { text(*e, "env[i]") }?;
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                Fail::new(
                    wasmbed_code_t::WASMBED_ERR_INVALID,
                    format!("`{kv}`: expected `KEY=VALUE`"),
                )
            })?;
            config.env.push((k.into(), v.into()));
        }
        linker.wasi = Some(config);
        Ok(())
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// The type of import `name` of `iface` in `world`, if the world imports it.
fn import_type<'w>(world: &'w World, iface: &str, name: &str) -> Option<&'w FuncType> {
    let canon = |s: &str| {
        canonicalize_interface_name(s)
            .map(|c| c.into_owned())
            .unwrap_or_else(|_| s.into())
    };
    let want = canon(iface);
    world.imports.iter().find_map(|item| match item {
        Item::Function(f) if iface.is_empty() && f.name == name => Some(&f.ty),
        Item::Interface(i) if !iface.is_empty() && canon(i.name.as_str()) == want => {
            i.functions.iter().find(|f| f.name == name).map(|f| &f.ty)
        }
        _ => None,
    })
}

/// Resolves `guest`'s imports against `linker` once, checking each C
/// function's signature against the world: `*out` is then a pre-linked guest
/// the caller owns (free it with [`wasmbed_instance_pre_delete`]), which
/// instantiates any number of times. Neither `linker` nor `guest` is kept:
/// either may be freed afterwards.
///
/// # Safety
/// `linker` and `guest` are null or live handles; `out` and `err` are null or
/// valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_linker_instantiate_pre(
    linker: *const wasmbed_linker_t,
    guest: *const wasmbed_guest_t,
    out: *mut *mut wasmbed_instance_pre_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees.
        let (linker, guest) =
            unsafe { (handle(linker, "linker")?, &handle(guest, "guest")?.guest) };
        out_ok(out, "out")?;
        let link = |m: String| Fail::new(wasmbed_code_t::WASMBED_ERR_LINK, m);
        let mut l = Linker::<CHost>::new();
        #[cfg(feature = "std")]
        if linker.wasi.is_some() {
            let grants = wasmbed_wasi::Grants::default();
            wasmbed_wasi::add_imported_to_linker(&mut l, guest, grants, |h| &mut h.wasi);
        }
        for (iface, name, func, env) in &linker.defs {
            if let Some(ty) = import_type(guest.world(), iface, name) {
                define(&mut l, iface, name, ty, func, *env).map_err(link)?;
            }
        }
        let pre = l.instantiate_pre(guest)?;
        let pre = wasmbed_instance_pre_t {
            pre,
            #[cfg(feature = "std")]
            wasi: linker.wasi.clone(),
        };
        // SAFETY: `out` is writable, as the caller guarantees.
        unsafe { put(out, new_handle(pre), "out") }
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}
