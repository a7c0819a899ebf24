//! Pre-linked guests, instances with limits, and calls by typed values or WAVE text.

#[cfg(feature = "std")]
use alloc::ffi::CString;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, UnsafeCell};
use core::ffi::{c_char, c_void};

use wasmbed::{ErrorKind, Instance, InstancePre, Limits};

use crate::guest::Eng;
#[cfg(feature = "std")]
use wasmbed_wasi::{Policy, WasiCtx};

use crate::error::{guard, wasmbed_code_t, wasmbed_error_t, Fail, Res};
use crate::ffi::{free_handle, handle, new_handle, out_ok, put, slice, text};
use crate::guest::wasmbed_guest_t;
use crate::host::CHost;
#[cfg(feature = "std")]
use crate::linker::WasiConfig;
use crate::linker::{wasmbed_linker_instantiate_pre, wasmbed_linker_t};
use crate::val::{scalar_of, to_val, wasmbed_kind_t, wasmbed_val_t};
#[cfg(feature = "std")]
use crate::wave;

/// A guest whose imports are resolved: instantiates with no name lookup. Immutable.
pub struct wasmbed_instance_pre_t {
    pub(crate) pre: InstancePre<Eng, CHost>,
    #[cfg(feature = "std")]
    pub(crate) wasi: Option<WasiConfig>,
}

/// A running guest: its memory, its host data and its exports.
///
/// Used by one thread at a time; a host function calling back into the
/// instance that called it gets `WASMBED_ERR_BUSY`.
pub struct wasmbed_instance_t {
    inner: UnsafeCell<Instance<Eng, CHost>>,
    busy: Cell<bool>,
}

/// What one instance may use.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct wasmbed_limits_t {
    /// Fuel for the instance's whole life (instructions, roughly); 0 for no
    /// limit. Needs an engine that meters fuel (`wasmbed_engine_new(true, ...)`;
    /// `wasmbed_guest_load` uses one).
    pub fuel: u64,
    /// Largest linear memory, in 64 KiB pages.
    pub max_memory_pages: u32,
    /// Most live handles in each resource table.
    pub max_handles: u32,
}

/// The default limits: no fuel limit, 256 pages (16 MiB), 1024 handles.
#[no_mangle]
pub extern "C" fn wasmbed_limits_default() -> wasmbed_limits_t {
    let d = Limits::default();
    wasmbed_limits_t {
        fuel: 0,
        max_memory_pages: d.max_memory_pages,
        max_handles: d.max_handles,
    }
}

/// Frees `pre`; null is ignored. Instances made from it live on.
///
/// # Safety
/// `pre` is null or a pre-linked guest from this library, not yet deleted.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_pre_delete(pre: *mut wasmbed_instance_pre_t) {
    // SAFETY: passed on from the caller.
    unsafe { free_handle(pre) }
}

#[cfg(feature = "std")]
fn wasi_ctx(config: Option<&WasiConfig>) -> Res<WasiCtx> {
    let policy = match config {
        None => Policy::new(),
        Some(c) => {
            let mut p = Policy::new()
                .args(&c.args)
                .stdout(std::io::stdout())
                .stderr(std::io::stderr());
            for (k, v) in &c.env {
                p = p.env(k, v);
            }
            p
        }
    };
    policy
        .build()
        .map_err(|e| Fail::new(wasmbed_code_t::WASMBED_ERR_LINK, format!("WASI: {e}")))
}

/// Instantiates `pre` into `*out`, owning the host data pointer `host_data`
/// (handed to every host function; wasmbed never dereferences or frees it),
/// within `*limits` (null for [`wasmbed_limits_default`]), and runs the
/// guest's initialization once.
///
/// The caller owns the instance: free it with [`wasmbed_instance_delete`].
/// `host_data` must stay valid as long as the instance lives.
///
/// # Safety
/// `pre` is null or a live pre-linked guest; `limits` is null or points to
/// limits; `out` and `err` are null or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_pre_instantiate(
    pre: *const wasmbed_instance_pre_t,
    host_data: *mut c_void,
    limits: *const wasmbed_limits_t,
    out: *mut *mut wasmbed_instance_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees.
        let (pre, limits) = unsafe { (handle(pre, "pre")?, limits.as_ref().copied()) };
        out_ok(out, "out")?;
        let l = limits.unwrap_or_else(|| wasmbed_limits_default());
        let limits = Limits {
            fuel: (l.fuel != 0).then_some(l.fuel),
            max_memory_pages: l.max_memory_pages,
            max_handles: l.max_handles,
        };
        let host = CHost {
            data: host_data,
            #[cfg(feature = "std")]
            wasi: wasi_ctx(pre.wasi.as_ref())?,
        };
        let inst = pre.pre.instantiate(host, limits);
        #[cfg(feature = "std")]
        let inst = inst.map(|mut i| {
            i.data_mut().wasi.flush();
            i
        });
        let inst = wasmbed_instance_t {
            inner: UnsafeCell::new(inst?),
            busy: Cell::new(false),
        };
        // SAFETY: `out` is writable, as the caller guarantees.
        unsafe { put(out, new_handle(inst), "out") }
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Pre-links `guest` with `linker` and instantiates it once: the
/// pre-linked guest is not kept. Otherwise as [`wasmbed_instance_pre_instantiate`].
///
/// # Safety
/// As for [`wasmbed_linker_instantiate_pre`] and [`wasmbed_instance_pre_instantiate`].
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instantiate(
    linker: *const wasmbed_linker_t,
    guest: *const wasmbed_guest_t,
    host_data: *mut c_void,
    limits: *const wasmbed_limits_t,
    out: *mut *mut wasmbed_instance_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let mut pre = core::ptr::null_mut();
    // SAFETY: passed on from the caller; `pre` is a local pointer to write.
    let code = unsafe { wasmbed_linker_instantiate_pre(linker, guest, &mut pre, err) };
    if code != wasmbed_code_t::WASMBED_OK {
        return code;
    }
    // SAFETY: `pre` was just made; the rest is the caller's.
    let code = unsafe { wasmbed_instance_pre_instantiate(pre, host_data, limits, out, err) };
    // SAFETY: `pre` was made above and is freed once.
    unsafe { wasmbed_instance_pre_delete(pre) };
    code
}

/// Frees `instance`; null is ignored. Not while one of its calls runs.
///
/// # Safety
/// `instance` is null or an instance from this library, not yet deleted and not in a call.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_delete(instance: *mut wasmbed_instance_t) {
    // SAFETY: passed on from the caller.
    unsafe { free_handle(instance) }
}

/// Clears the busy flag when the call ends, also by a panic.
struct Busy<'a>(&'a Cell<bool>);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// Runs `f` on the instance behind `p`, refusing a call into an instance already in one.
///
/// # Safety
/// `p` is null or a live instance, used by this thread only.
unsafe fn with<R>(
    p: *const wasmbed_instance_t,
    f: impl FnOnce(&mut Instance<Eng, CHost>) -> Res<R>,
) -> Res<R> {
    // SAFETY: passed on from the caller; only `busy` and the cell are touched through it.
    let i = unsafe { handle(p, "instance")? };
    if i.busy.replace(true) {
        return Err(Fail::new(
            wasmbed_code_t::WASMBED_ERR_BUSY,
            "the instance is in a call already",
        ));
    }
    let _busy = Busy(&i.busy);
    // SAFETY: the busy flag, set above until `_busy` drops, makes this the only
    // reference to the instance; the instance is used by this thread only.
    let inst = unsafe { &mut *i.inner.get() };
    let r = f(inst);
    #[cfg(feature = "std")]
    inst.data_mut().wasi.flush();
    r
}

/// Calls export `name` (`f`, or `ns:pkg/iface@1.2.3#f`) with the `nargs`
/// typed values at `args` and writes its result to `*result`: the typed path,
/// for functions whose parameters are scalars, strings or byte lists and
/// whose result is a scalar or none. `result` may be null for a function
/// without a result. Arguments are borrowed during the call.
///
/// # Safety
/// `instance` is null or a live instance used by this thread only; `name` is
/// null or NUL-terminated; `args` is null or valid for `nargs` values (their
/// strings and bytes as [`wasmbed_bytes_t`](crate::wasmbed_bytes_t) says);
/// `result` and `err` are null or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_call(
    instance: *const wasmbed_instance_t,
    name: *const c_char,
    args: *const wasmbed_val_t,
    nargs: usize,
    result: *mut wasmbed_val_t,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: each pointer is what the caller guarantees.
        let (name, args) = unsafe { (text(name, "name")?, slice(args, nargs, "args")?) };
        let type_err = |m: String| Fail::new(wasmbed_code_t::WASMBED_ERR_TYPE, m);
        let call = |inst: &mut Instance<Eng, CHost>| {
            let ty = inst.func_type(name).ok_or_else(|| {
                Fail::new(
                    wasmbed_code_t::WASMBED_ERR_UNKNOWN_EXPORT,
                    format!("no export `{name}` in the world"),
                )
            })?;
            if ty.params().len() != nargs {
                return Err(type_err(format!(
                    "`{name}` takes {} arguments, {nargs} given",
                    ty.params().len()
                )));
            }
            if let Some(r) = ty.result() {
                match wasmbed_kind_t::of(r) {
                    Some(wasmbed_kind_t::WASMBED_STRING | wasmbed_kind_t::WASMBED_BYTES) | None => {
                        return Err(type_err(format!(
                            "`{name}`: its result has no typed form; use the WAVE path"
                        )))
                    }
                    Some(_) => out_ok(result, "result")?,
                }
            }
            let mut vals = Vec::with_capacity(nargs);
            for (i, (t, a)) in ty.params().iter().zip(args).enumerate() {
                // SAFETY: the caller guarantees each argument's bytes are valid.
                vals.push(unsafe { to_val(t, a, ARG[i.min(ARG.len() - 1)]) }?);
            }
            Ok(inst.call(name, &vals)?)
        };
        // SAFETY: `instance` is what the caller guarantees.
        let r = unsafe { with(instance, call) }?;
        match r.as_ref().and_then(scalar_of) {
            // SAFETY: `result` was checked non-null above for a function with a result.
            Some(v) => unsafe { put(result, v, "result") },
            None => Ok(()),
        }
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Calls an export by WAVE text, as `wasmbed run --invoke` does:
/// `call` is `name(arguments)`, e.g. `add(1, 2)` or
/// `ns:pkg/iface@1.2.3#f("x")`. On success `*result` is the result's WAVE
/// text, NUL-terminated and owned by the caller (free it with
/// [`wasmbed_string_delete`](crate::wasmbed_string_delete)), or null for a
/// function without a result. Needs `std`.
///
/// # Safety
/// `instance` is null or a live instance used by this thread only; `call` is
/// null or NUL-terminated; `result` and `err` are null or valid for writing one pointer.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_call_wave(
    instance: *const wasmbed_instance_t,
    call: *const c_char,
    result: *mut *mut c_char,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: `call` is what the caller guarantees.
        let call = unsafe { text(call, "call")? };
        out_ok(result, "result")?;
        let (name, args) = wave::split_call(call)?;
        // SAFETY: `instance` is what the caller guarantees.
        let text = unsafe {
            with(instance, |inst| {
                let ty = inst.func_type(name).cloned().ok_or_else(|| {
                    Fail::new(
                        wasmbed_code_t::WASMBED_ERR_UNKNOWN_EXPORT,
                        format!("no export `{name}` in the world"),
                    )
                })?;
                let vals = wave::parse_args(&args, ty.params())?;
                let r = inst.call(name, &vals)?;
                match (ty.result(), r) {
                    (Some(t), Some(v)) => wave::show(t, &v).map(Some),
                    _ => Ok(None),
                }
            })
        }?;
        let out = match text {
            // WAVE text escapes NUL, so the text has none.
            Some(t) => CString::new(t).unwrap_or_default().into_raw(),
            None => core::ptr::null_mut(),
        };
        // SAFETY: `result` is writable, as the caller guarantees.
        unsafe { put(result, out, "result") }
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Runs a WASI command (a wasi-libc `main`): its core export `_start`.
/// `*status` is the exit status: 0 when `main` returns 0 or the guest
/// exits with 0, else the status it exits with.
///
/// # Safety
/// `instance` is null or a live instance used by this thread only; `status`
/// and `err` are null or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_run(
    instance: *const wasmbed_instance_t,
    status: *mut i32,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        out_ok(status, "status")?;
        // SAFETY: `instance` is what the caller guarantees.
        let code = unsafe {
            with(instance, |inst| match inst.call_core("_start") {
                Ok(()) => Ok(0),
                Err(e) => match e.kind() {
                    ErrorKind::Exit(code) => Ok(*code),
                    _ => Err(e.into()),
                },
            })
        }?;
        // SAFETY: `status` is writable, as the caller guarantees.
        unsafe { put(status, code, "status") }
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Writes the fuel `instance` has left to `*fuel`: `UINT64_MAX` when its engine meters none.
///
/// # Safety
/// `instance` is null or a live instance used by this thread only; `fuel`
/// and `err` are null or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn wasmbed_instance_fuel(
    instance: *const wasmbed_instance_t,
    fuel: *mut u64,
    err: *mut *mut wasmbed_error_t,
) -> wasmbed_code_t {
    let body = || {
        // SAFETY: `instance` is what the caller guarantees.
        let left = unsafe { with(instance, |inst| Ok(inst.fuel())) }?;
        // SAFETY: `fuel` is null or writable, as the caller guarantees.
        unsafe { put(fuel, left.unwrap_or(u64::MAX), "fuel") }
    };
    // SAFETY: `err` is null or writable, as the caller guarantees.
    unsafe { guard(err, body) }
}

/// Argument names for messages, without formatting on the typed path.
const ARG: [&str; 17] = [
    "argument 0",
    "argument 1",
    "argument 2",
    "argument 3",
    "argument 4",
    "argument 5",
    "argument 6",
    "argument 7",
    "argument 8",
    "argument 9",
    "argument 10",
    "argument 11",
    "argument 12",
    "argument 13",
    "argument 14",
    "argument 15",
    "an argument past 15",
];
