//! Host functions written in C, made into the runtime's host functions.

#[cfg(feature = "std")]
use alloc::ffi::CString;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
#[cfg(feature = "std")]
use core::ffi::c_char;
use core::ffi::c_void;

use wasmbed::{Error, FlatCx, Linker, Type};
#[cfg(feature = "std")]
use wasmbed::{HostCx, Val};
use wasmbed_abi::{FlatVal, FuncType, MAX_FLAT_PARAMS};
#[cfg(feature = "std")]
use wasmbed_wasi::WasiCtx;

use crate::val::{lift, load, lower_scalar, wasmbed_kind_t, wasmbed_val_t};
#[cfg(feature = "std")]
use crate::wave;

/// A typed host function: `nargs` arguments at `args`, the result (if the
/// function has one) written to `*result`, whose `kind` is already set.
///
/// `env` is the pointer given when the function was defined; `host_data`
/// the calling instance's. Strings and byte lists in `args` point into guest
/// memory and are valid only until the function returns. A `string` or
/// `list<u8>` result's bytes must still be valid when the function returns
/// (static storage, or storage the host data owns): wasmbed copies them into
/// the guest then. Returns 0 on success; anything else traps the guest.
pub type wasmbed_host_fn_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        host_data: *mut c_void,
        args: *const wasmbed_val_t,
        nargs: usize,
        result: *mut wasmbed_val_t,
    ) -> i32,
>;

/// A host function over WAVE text: `nargs` NUL-terminated WAVE values at
/// `args`, valid until it returns; it sets `*result` to the WAVE text of its
/// result (if the function has one), which must still be valid when it
/// returns (wasmbed parses it then). Returns 0 on success; anything else
/// traps the guest. Needs `std`.
#[cfg(feature = "std")]
pub type wasmbed_wave_fn_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        host_data: *mut c_void,
        args: *const *const c_char,
        nargs: usize,
        result: *mut *const c_char,
    ) -> i32,
>;

/// An instance's host data: the C pointer and the WASI context.
pub(crate) struct CHost {
    pub(crate) data: *mut c_void,
    #[cfg(feature = "std")]
    pub(crate) wasi: WasiCtx,
}

/// The C caller's `env` pointer, carried by host functions.
#[derive(Clone, Copy)]
pub(crate) struct Env(pub(crate) *mut c_void);

// SAFETY: wasmbed never dereferences `env`; it hands it back to the C function it
// came with, on the thread that calls the instance. `docs/capi.md` and
// `wasmbed_linker_define` require it to be usable from any thread that calls instances.
unsafe impl Send for Env {}
// SAFETY: as for `Send`: wasmbed only copies the pointer.
unsafe impl Sync for Env {}

/// A C host function and its declared signature.
#[derive(Clone)]
pub(crate) enum CFunc {
    Typed {
        params: Vec<wasmbed_kind_t>,
        result: Option<wasmbed_kind_t>,
        f: unsafe extern "C" fn(
            *mut c_void,
            *mut c_void,
            *const wasmbed_val_t,
            usize,
            *mut wasmbed_val_t,
        ) -> i32,
    },
    #[cfg(feature = "std")]
    Wave {
        f: unsafe extern "C" fn(
            *mut c_void,
            *mut c_void,
            *const *const c_char,
            usize,
            *mut *const c_char,
        ) -> i32,
    },
}

fn failed(label: &str, status: i32) -> Error {
    Error::host(format!(
        "`{label}`: the host function failed with status {status}"
    ))
}

fn sig(params: &[wasmbed_kind_t], result: Option<wasmbed_kind_t>) -> String {
    let p: Vec<&str> = params.iter().map(|k| k.name()).collect();
    match result {
        Some(r) => format!("({}) -> {}", p.join(", "), r.name()),
        None => format!("({})", p.join(", ")),
    }
}

/// Whether `ty` is what a typed C function of this signature implements; else the message.
fn check(
    label: &str,
    ty: &FuncType,
    params: &[wasmbed_kind_t],
    result: Option<wasmbed_kind_t>,
) -> Result<(), String> {
    let same = ty.params().len() == params.len()
        && ty
            .params()
            .iter()
            .zip(params)
            .all(|(t, k)| wasmbed_kind_t::of(t) == Some(*k))
        && ty.result().map(wasmbed_kind_t::of) == result.map(Some);
    match same {
        true => Ok(()),
        false => Err(format!(
            "`{label}`: the C host function is `{}`, the world's type is another",
            sig(params, result)
        )),
    }
}

/// Defines `func` in `linker` as `iface`#`name` of type `ty`, after checking the type.
pub(crate) fn define(
    linker: &mut Linker<CHost>,
    iface: &str,
    name: &str,
    ty: &FuncType,
    func: &CFunc,
    env: Env,
) -> Result<(), String> {
    let label = match iface {
        "" => name.to_string(),
        _ => format!("{iface}#{name}"),
    };
    match func.clone() {
        CFunc::Typed { params, result, f } => {
            check(&label, ty, &params, result)?;
            let ty = ty.clone();
            linker.func_flat(iface, name, move |cx, args, results| {
                typed_call(cx, args, results, (&ty, &params, result, f, env), &label)
            });
        }
        #[cfg(feature = "std")]
        CFunc::Wave { f } => {
            let ty = ty.clone();
            for t in ty.params().iter().chain(ty.result()) {
                wave::wave_type(t).map_err(|e| format!("`{label}`: {}", e.message))?;
            }
            linker.func(iface, name, move |cx, args| {
                wave_call(cx, args, &ty, f, env, &label)
            });
        }
    }
    Ok(())
}

type Typed<'a> = (
    &'a FuncType,
    &'a [wasmbed_kind_t],
    Option<wasmbed_kind_t>,
    unsafe extern "C" fn(
        *mut c_void,
        *mut c_void,
        *const wasmbed_val_t,
        usize,
        *mut wasmbed_val_t,
    ) -> i32,
    Env,
);

fn typed_call(
    cx: &mut FlatCx<'_, CHost>,
    args: &[FlatVal],
    results: &mut [FlatVal],
    (ty, params, result, f, env): Typed<'_>,
    label: &str,
) -> Result<(), Error> {
    // Up to 16 arguments stay on the stack; more take the heap.
    let mut few = [wasmbed_val_t::ZERO; MAX_FLAT_PARAMS];
    let mut many = Vec::new();
    let vals = match params.len() <= MAX_FLAT_PARAMS {
        true => &mut few[..params.len()],
        false => {
            many.resize(params.len(), wasmbed_val_t::ZERO);
            &mut many[..]
        }
    };
    let mut out = wasmbed_val_t::ZERO;
    let status = {
        let (mem, host) = cx.memory_and_data();
        let trap = |m: String| Error::guest_trap(label, m);
        if ty.params_spill() {
            // Past 16 core values the guest stores the arguments as a tuple and passes its address.
            let ptr = match args.first() {
                Some(FlatVal::I32(p)) => *p as u32,
                _ => return Err(trap("no address of the spilled arguments".into())),
            };
            ty.check_spilled_params(ptr, mem.len())
                .map_err(|t| trap(t.to_string()))?;
            for ((v, k), at) in vals.iter_mut().zip(params).zip(ty.param_offsets()) {
                *v = load(*k, mem, ptr as usize + *at as usize).map_err(trap)?;
            }
        } else {
            let mut at = 0;
            for (v, k) in vals.iter_mut().zip(params) {
                let flat = args.get(at..).unwrap_or(&[]);
                *v = lift(*k, flat, mem).map_err(trap)?;
                at += k.flat();
            }
        }
        out.kind = result.unwrap_or(wasmbed_kind_t::WASMBED_U64);
        // SAFETY: `f` is the C function given for this import, called as its type
        // `wasmbed_host_fn_t` documents: `vals` holds `params.len()` values whose
        // strings and bytes point into guest memory, which nothing changes until it returns.
        unsafe { f(env.0, host.data, vals.as_ptr(), vals.len(), &mut out) }
    };
    if status != 0 {
        return Err(failed(label, status));
    }
    let Some(k) = result else { return Ok(()) };
    if out.kind != k {
        return Err(Error::host(format!(
            "`{label}`: the host function returned a `{}`, its type says `{}`",
            out.kind.name(),
            k.name()
        )));
    }
    let bad = |e: crate::error::Fail| Error::host(format!("`{label}`: result: {}", e.message));
    match k {
        wasmbed_kind_t::WASMBED_STRING | wasmbed_kind_t::WASMBED_BYTES => {
            let rty = cx.func_type().result().unwrap_or(&Type::String);
            // SAFETY: `out.kind` is a string or byte list, whose bytes the C function
            // promised (`wasmbed_host_fn_t`) to keep valid past its return.
            let v = unsafe { crate::val::to_val(rty, &out, "result") }.map_err(bad)?;
            cx.lower_result(args, Some(&v), results)
        }
        _ => {
            // SAFETY: `out.kind == k` was checked just above, and `k` is a scalar.
            results[0] = unsafe { lower_scalar(&out, "result") }.map_err(bad)?;
            Ok(())
        }
    }
}

#[cfg(feature = "std")]
fn wave_call(
    cx: &mut HostCx<'_, CHost>,
    args: &[Val],
    ty: &FuncType,
    f: unsafe extern "C" fn(
        *mut c_void,
        *mut c_void,
        *const *const c_char,
        usize,
        *mut *const c_char,
    ) -> i32,
    env: Env,
    label: &str,
) -> Result<Option<Val>, Error> {
    let bad = |e: crate::error::Fail| Error::host(format!("`{label}`: {}", e.message));
    let texts = ty
        .params()
        .iter()
        .zip(args)
        .map(|(t, v)| wave::show(t, v).map(|s| CString::new(s).unwrap_or_default()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let ptrs: Vec<*const c_char> = texts.iter().map(|c| c.as_ptr()).collect();
    let mut result: *const c_char = core::ptr::null();
    // SAFETY: `f` is the C function given for this import, called as its type
    // `wasmbed_wave_fn_t` documents: `ptrs` holds `args.len()` NUL-terminated strings
    // that live until it returns.
    let status = unsafe {
        f(
            env.0,
            cx.data().data,
            ptrs.as_ptr(),
            ptrs.len(),
            &mut result,
        )
    };
    if status != 0 {
        return Err(failed(label, status));
    }
    let Some(rty) = ty.result() else {
        return Ok(None);
    };
    // SAFETY: the C function promised (`wasmbed_wave_fn_t`) that `result` is null or a
    // NUL-terminated string still valid now.
    let text = unsafe { crate::ffi::text(result, "result") }.map_err(bad)?;
    wave::parse(rty, text).map(Some).map_err(bad)
}
