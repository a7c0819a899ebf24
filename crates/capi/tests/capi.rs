//! The C API called as C calls it: handles, error codes and messages, host functions.

use core::ffi::{c_char, c_void, CStr};
use core::ptr::{null, null_mut};

use wasmbed_capi::wasmbed_code_t::*;
use wasmbed_capi::*;

const SENSOR: &[u8] = include_bytes!("../../../examples/sensor/sensor.wasm");
const CALC: &[u8] = include_bytes!("../../../guests/cm32/calc.wasm");
const CALC_WIT: &CStr = {
    const TEXT: &str = concat!(include_str!("../../../guests/cm32/calc.wit"), "\0");
    match CStr::from_bytes_with_nul(TEXT.as_bytes()) {
        Ok(c) => c,
        Err(_) => panic!("calc.wit has a NUL"),
    }
};
const ARGS_ENV: &[u8] = include_bytes!("../../../guests/wasi/args_env.wasm");
const SUMMARIZE: &CStr = c"wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 21.5}, {sensor: 2, celsius: 48.0}, {sensor: 3, celsius: 19.0}], 0.0, 40.0)";
const HOST: &CStr = c"wasmbed:cm32/host@0.1.0";

/// An error's code and message, the error freed.
fn take(err: *mut wasmbed_error_t) -> (wasmbed_code_t, String) {
    // SAFETY: `err` is null or an error the library returned, freed once here.
    unsafe {
        let code = wasmbed_error_code(err);
        let msg = wasmbed_error_message(err);
        let msg = match msg.is_null() {
            true => String::new(),
            false => CStr::from_ptr(msg).to_string_lossy().into_owned(),
        };
        wasmbed_error_delete(err);
        (code, msg)
    }
}

fn load(wasm: &[u8], wit: Option<&CStr>) -> *mut wasmbed_guest_t {
    let (mut g, mut err) = (null_mut(), null_mut());
    // SAFETY: valid bytes, text and out-pointers.
    let code = unsafe {
        match wit {
            Some(w) => wasmbed_guest_load_wit(
                wasm.as_ptr(),
                wasm.len(),
                w.as_ptr(),
                null(),
                &mut g,
                &mut err,
            ),
            None => wasmbed_guest_load(wasm.as_ptr(), wasm.len(), &mut g, &mut err),
        }
    };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    g
}

fn linker() -> *mut wasmbed_linker_t {
    let mut l = null_mut();
    // SAFETY: a valid out-pointer.
    assert_eq!(unsafe { wasmbed_linker_new(&mut l) }, WASMBED_OK);
    l
}

fn instantiate(
    l: *const wasmbed_linker_t,
    g: *const wasmbed_guest_t,
    data: *mut c_void,
    limits: Option<wasmbed_limits_t>,
) -> Result<*mut wasmbed_instance_t, (wasmbed_code_t, String)> {
    let (mut i, mut err) = (null_mut(), null_mut());
    let lim = limits.as_ref().map_or(null(), |l| l as *const _);
    // SAFETY: live handles and valid out-pointers.
    match unsafe { wasmbed_instantiate(l, g, data, lim, &mut i, &mut err) } {
        WASMBED_OK => Ok(i),
        _ => Err(take(err)),
    }
}

fn call_wave(
    i: *const wasmbed_instance_t,
    call: &CStr,
) -> Result<Option<String>, (wasmbed_code_t, String)> {
    let (mut out, mut err) = (null_mut(), null_mut());
    // SAFETY: a live instance, NUL-terminated text and valid out-pointers.
    match unsafe { wasmbed_instance_call_wave(i, call.as_ptr(), &mut out, &mut err) } {
        WASMBED_OK if out.is_null() => Ok(None),
        WASMBED_OK => {
            // SAFETY: `out` is a string the library returned, freed once.
            let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
            // SAFETY: as above.
            unsafe { wasmbed_string_delete(out) };
            Ok(Some(s))
        }
        _ => Err(take(err)),
    }
}

fn free(l: *mut wasmbed_linker_t, g: *mut wasmbed_guest_t, i: *mut wasmbed_instance_t) {
    // SAFETY: each is null or a live handle, freed once.
    unsafe {
        wasmbed_instance_delete(i);
        wasmbed_guest_delete(g);
        wasmbed_linker_delete(l);
    }
}

#[test]
fn sensor_through_wave_prints_what_wasmbed_run_prints() {
    let (g, l) = (load(SENSOR, None), linker());
    let i = instantiate(l, g, null_mut(), None).unwrap();
    let out = call_wave(i, SUMMARIZE).unwrap();
    assert_eq!(
        out.as_deref(),
        Some(r#"{count: 3, mean: 29.5, out-of-range: [2], label: "check sensors"}"#)
    );
    free(l, g, i);
}

#[test]
fn bad_input_is_an_error_code_with_a_message() {
    let (mut g, mut err) = (null_mut(), null_mut());
    // SAFETY: null pointers are what is under test; the rest is valid.
    unsafe {
        assert_eq!(
            wasmbed_guest_load(null(), 8, &mut g, &mut err),
            WASMBED_ERR_NULL
        );
        assert_eq!(take(err).1, "`wasm` is null");
        assert_eq!(
            wasmbed_guest_load(SENSOR.as_ptr(), SENSOR.len(), null_mut(), &mut err),
            WASMBED_ERR_NULL
        );
        assert_eq!(take(err).1, "`out` is null");
        // No error object asked for: the code alone.
        assert_eq!(
            wasmbed_guest_load(b"nope".as_ptr(), 4, &mut g, null_mut()),
            WASMBED_ERR_COMPILE
        );
        assert!(g.is_null());
        assert_eq!(
            wasmbed_guest_load_wit(
                SENSOR.as_ptr(),
                SENSOR.len(),
                c"world w {".as_ptr(),
                null(),
                &mut g,
                &mut err
            ),
            WASMBED_ERR_WORLD
        );
        assert!(take(err).1.starts_with("WIT: "));
        assert_eq!(
            wasmbed_guest_load_wit(
                SENSOR.as_ptr(),
                SENSOR.len(),
                null(),
                null(),
                &mut g,
                &mut err
            ),
            WASMBED_ERR_NULL
        );
        take(err);
        let bad_utf8 = [0x66u8, 0xff, 0x28, 0x29, 0];
        let mut e2 = null_mut();
        let wit = bad_utf8.as_ptr() as *const c_char;
        assert_eq!(
            wasmbed_guest_load_wit(SENSOR.as_ptr(), SENSOR.len(), wit, null(), &mut g, &mut e2),
            WASMBED_ERR_UTF8
        );
        assert_eq!(take(e2).1, "`wit` is not UTF-8");
        // Getters and destructors take null.
        assert!(wasmbed_error_message(null()).is_null());
        assert_eq!(wasmbed_error_code(null()), WASMBED_ERR_NULL);
        wasmbed_error_delete(null_mut());
        wasmbed_string_delete(null_mut());
        wasmbed_engine_delete(null_mut());
        wasmbed_instance_pre_delete(null_mut());
        free(null_mut(), null_mut(), null_mut());
        assert_eq!(wasmbed_linker_new(null_mut()), WASMBED_ERR_NULL);
        assert_eq!(wasmbed_engine_new(true, null_mut()), WASMBED_ERR_NULL);
    }
    let (g, l) = (load(SENSOR, None), linker());
    let i = instantiate(l, g, null_mut(), None).unwrap();
    assert_eq!(
        call_wave(i, c"nothing(1)").unwrap_err().0,
        WASMBED_ERR_UNKNOWN_EXPORT
    );
    assert_eq!(
        call_wave(i, c"no parenthesis").unwrap_err().0,
        WASMBED_ERR_WAVE
    );
    let bad = c"wasmbed:examples/filter@0.1.0#summarize([{sensor: 1}], 0.0, 40.0)";
    assert_eq!(call_wave(i, bad).unwrap_err().0, WASMBED_ERR_WAVE);
    let bytes = [0x66u8, 0xff, 0x28, 0x29, 0];
    let mut err = null_mut();
    let mut out = null_mut();
    // SAFETY: a NUL-terminated, non-UTF-8 call text; the rest valid.
    let code = unsafe { wasmbed_instance_call_wave(i, bytes.as_ptr() as _, &mut out, &mut err) };
    assert_eq!((code, take(err).0), (WASMBED_ERR_UTF8, WASMBED_ERR_UTF8));
    // SAFETY: a null instance is what is under test.
    let code =
        unsafe { wasmbed_instance_call_wave(null(), SUMMARIZE.as_ptr(), &mut out, null_mut()) };
    assert_eq!(code, WASMBED_ERR_NULL);
    // The typed path refuses a record: its result has no typed form.
    let mut r = wasmbed_val_t {
        kind: wasmbed_kind_t::WASMBED_U32,
        of: wasmbed_valunion_t { u32: 0 },
    };
    let name = c"wasmbed:examples/filter@0.1.0#summarize";
    // SAFETY: valid handles and pointers; the argument count is what is under test.
    let code = unsafe { wasmbed_instance_call(i, name.as_ptr(), null(), 0, &mut r, &mut err) };
    assert_eq!(
        take(err),
        (
            WASMBED_ERR_TYPE,
            format!("`{}` takes 3 arguments, 0 given", name.to_str().unwrap())
        )
    );
    assert_eq!(code, WASMBED_ERR_TYPE);
    free(l, g, i);
}

#[test]
fn fuel_limits_stop_the_guest_and_an_engine_without_metering_refuses_them() {
    let (g, l) = (load(SENSOR, None), linker());
    let limits = wasmbed_limits_t {
        fuel: 50,
        ..wasmbed_limits_default()
    };
    let i = instantiate(l, g, null_mut(), Some(limits)).unwrap();
    assert_eq!(call_wave(i, SUMMARIZE).unwrap_err().0, WASMBED_ERR_TRAP);
    assert_eq!(call_wave(i, SUMMARIZE).unwrap_err().0, WASMBED_ERR_POISONED);
    free(null_mut(), null_mut(), i);
    let limits = wasmbed_limits_t {
        fuel: 10_000_000,
        ..wasmbed_limits_default()
    };
    let i = instantiate(l, g, null_mut(), Some(limits)).unwrap();
    call_wave(i, SUMMARIZE).unwrap();
    let mut fuel = 0;
    // SAFETY: a live instance and a valid out-pointer.
    assert_eq!(
        unsafe { wasmbed_instance_fuel(i, &mut fuel, null_mut()) },
        WASMBED_OK
    );
    assert!(fuel > 0 && fuel < 10_000_000, "{fuel}");
    free(null_mut(), g, i);

    let (mut e, mut g, mut err) = (null_mut(), null_mut(), null_mut());
    // SAFETY: valid pointers throughout.
    unsafe {
        assert_eq!(wasmbed_engine_new(false, &mut e), WASMBED_OK);
        let code = wasmbed_guest_new(
            e,
            SENSOR.as_ptr(),
            SENSOR.len(),
            null(),
            null(),
            &mut g,
            &mut err,
        );
        assert_eq!(code, WASMBED_OK);
        wasmbed_engine_delete(e);
    }
    let limits = wasmbed_limits_t {
        fuel: 1000,
        ..wasmbed_limits_default()
    };
    let (code, msg) = instantiate(l, g, null_mut(), Some(limits)).unwrap_err();
    assert_eq!(code, WASMBED_ERR_LINK, "{msg}");
    let i = instantiate(l, g, null_mut(), None).unwrap();
    // SAFETY: as above.
    assert_eq!(
        unsafe { wasmbed_instance_fuel(i, &mut fuel, null_mut()) },
        WASMBED_OK
    );
    assert_eq!(fuel, u64::MAX);
    free(l, g, i);
}

/// What the calc test's host functions keep: a count of calls and the last result.
struct Calc {
    calls: u32,
    text: Vec<u8>,
    wave: std::ffi::CString,
}

/// `concat(a: string, b: string) -> string`, typed, as a C host would write it.
unsafe extern "C" fn concat(
    _env: *mut c_void,
    data: *mut c_void,
    args: *const wasmbed_val_t,
    nargs: usize,
    result: *mut wasmbed_val_t,
) -> i32 {
    // SAFETY: `data` is the `Calc` the test instantiated with; `args` holds `nargs` values
    // of the declared kinds; `result` is writable: the contract of `wasmbed_host_fn_t`.
    unsafe {
        let calc = &mut *(data as *mut Calc);
        calc.calls += 1;
        calc.text.clear();
        for a in std::slice::from_raw_parts(args, nargs) {
            assert_eq!(a.kind, wasmbed_kind_t::WASMBED_STRING);
            calc.text
                .extend_from_slice(std::slice::from_raw_parts(a.of.bytes.data, a.of.bytes.len));
        }
        (*result).of.bytes = wasmbed_bytes_t {
            data: calc.text.as_ptr(),
            len: calc.text.len(),
        };
    }
    0
}

/// `sum17(...) -> u64` over WAVE text.
unsafe extern "C" fn sum17(
    _env: *mut c_void,
    data: *mut c_void,
    args: *const *const c_char,
    nargs: usize,
    result: *mut *const c_char,
) -> i32 {
    // SAFETY: as for `concat`, by `wasmbed_wave_fn_t`'s contract.
    unsafe {
        let calc = &mut *(data as *mut Calc);
        let mut sum: i128 = 0;
        for a in std::slice::from_raw_parts(args, nargs) {
            sum += CStr::from_ptr(*a)
                .to_str()
                .unwrap()
                .parse::<i128>()
                .unwrap();
        }
        calc.wave = std::ffi::CString::new(sum.to_string()).unwrap();
        *result = calc.wave.as_ptr();
    }
    0
}

/// A host function that fails: the guest traps.
unsafe extern "C" fn refuse(
    _: *mut c_void,
    _: *mut c_void,
    _: *const wasmbed_val_t,
    _: usize,
    _: *mut wasmbed_val_t,
) -> i32 {
    7
}

fn define_calc(
    l: *mut wasmbed_linker_t,
    typed: wasmbed_host_fn_t,
    result: wasmbed_kind_t,
) -> wasmbed_code_t {
    let params = [wasmbed_kind_t::WASMBED_STRING; 2];
    let mut err = null_mut();
    // SAFETY: a live linker, NUL-terminated names, a 2-kind array and a valid out-pointer.
    let code = unsafe {
        wasmbed_linker_define(
            l,
            HOST.as_ptr(),
            c"concat".as_ptr(),
            params.as_ptr(),
            2,
            &result,
            typed,
            null_mut(),
            &mut err,
        )
    };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    // SAFETY: as above.
    unsafe {
        wasmbed_linker_define_wave(
            l,
            HOST.as_ptr(),
            c"sum17".as_ptr(),
            Some(sum17),
            null_mut(),
            null_mut(),
        )
    }
}

#[test]
fn host_functions_in_c_typed_and_by_wave() {
    let (g, l) = (load(CALC, Some(CALC_WIT)), linker());
    assert_eq!(
        define_calc(l, Some(concat), wasmbed_kind_t::WASMBED_STRING),
        WASMBED_OK
    );
    let mut calc = Calc {
        calls: 0,
        text: Vec::new(),
        wave: Default::default(),
    };
    let i = instantiate(l, g, &mut calc as *mut Calc as *mut c_void, None).unwrap();
    let greet = c"wasmbed:cm32/api@0.1.0#greet(\"world\")";
    assert_eq!(
        call_wave(i, greet).unwrap().as_deref(),
        Some("\"hello, world\"")
    );
    let total =
        c"wasmbed:cm32/api@0.1.0#total(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -17)";
    assert_eq!(call_wave(i, total).unwrap().as_deref(), Some("120"));
    // The typed fast path: `count` is 100, plus one per post-return of `greet`.
    let mut r = wasmbed_val_t {
        kind: wasmbed_kind_t::WASMBED_BOOL,
        of: wasmbed_valunion_t { u64: 0 },
    };
    let mut err = null_mut();
    // SAFETY: a live instance and valid pointers.
    let code = unsafe { wasmbed_instance_call(i, c"count".as_ptr(), null(), 0, &mut r, &mut err) };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    assert_eq!(r.kind, wasmbed_kind_t::WASMBED_U32);
    // SAFETY: the kind says `u32`.
    assert_eq!(unsafe { r.of.u32 }, 101);
    // A typed argument of the right kind and count, through strings.
    let name = wasmbed_val_t {
        kind: wasmbed_kind_t::WASMBED_STRING,
        of: wasmbed_valunion_t {
            bytes: wasmbed_bytes_t {
                data: b"C".as_ptr(),
                len: 1,
            },
        },
    };
    let greet = c"wasmbed:cm32/api@0.1.0#greet";
    // SAFETY: as above; the result is a string, which the typed path refuses.
    let code = unsafe { wasmbed_instance_call(i, greet.as_ptr(), &name, 1, &mut r, &mut err) };
    assert_eq!((code, take(err).0), (WASMBED_ERR_TYPE, WASMBED_ERR_TYPE));
    let wrong = wasmbed_val_t {
        kind: wasmbed_kind_t::WASMBED_U32,
        of: wasmbed_valunion_t { u32: 1 },
    };
    // SAFETY: as above; `count` takes no arguments, and summarize's kinds are checked.
    let code =
        unsafe { wasmbed_instance_call(i, c"count".as_ptr(), &wrong, 1, &mut r, null_mut()) };
    assert_eq!(code, WASMBED_ERR_TYPE);
    assert_eq!(calc.calls, 1);
    free(l, g, i);
}

#[test]
fn a_c_signature_that_differs_from_the_world_fails_to_link() {
    let (g, l) = (load(CALC, Some(CALC_WIT)), linker());
    assert_eq!(
        define_calc(l, Some(concat), wasmbed_kind_t::WASMBED_U32),
        WASMBED_OK
    );
    let (code, msg) = instantiate(l, g, null_mut(), None).unwrap_err();
    assert_eq!(code, WASMBED_ERR_LINK);
    assert!(msg.contains("`(string, string) -> u32`"), "{msg}");
    // SAFETY: a null function is what is under test.
    let code = unsafe {
        wasmbed_linker_define(
            l,
            HOST.as_ptr(),
            c"x".as_ptr(),
            null(),
            0,
            null(),
            None,
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(code, WASMBED_ERR_NULL);
    // A missing import names itself.
    let l2 = linker();
    let (code, msg) = instantiate(l2, g, null_mut(), None).unwrap_err();
    assert_eq!(code, WASMBED_ERR_LINK, "{msg}");
    free(l2, null_mut(), null_mut());
    free(l, g, null_mut());
}

#[test]
fn a_failing_host_function_traps_the_guest() {
    let (g, l) = (load(CALC, Some(CALC_WIT)), linker());
    assert_eq!(
        define_calc(l, Some(refuse), wasmbed_kind_t::WASMBED_STRING),
        WASMBED_OK
    );
    let i = instantiate(l, g, null_mut(), None).unwrap();
    let (code, msg) = call_wave(i, c"wasmbed:cm32/api@0.1.0#greet(\"x\")").unwrap_err();
    assert_eq!(code, WASMBED_ERR_HOST);
    assert!(msg.contains("failed with status 7"), "{msg}");
    assert_eq!(
        call_wave(i, c"count()").unwrap_err().0,
        WASMBED_ERR_POISONED
    );
    free(l, g, i);
}

/// A host function that calls back into the instance calling it, through `env`.
unsafe extern "C" fn reenter(
    env: *mut c_void,
    _: *mut c_void,
    _: *const wasmbed_val_t,
    _: usize,
    r: *mut wasmbed_val_t,
) -> i32 {
    // SAFETY: `env` is the test's `(instance, code)` pair; `r` is writable.
    unsafe {
        let slot = &mut *(env as *mut (*const wasmbed_instance_t, wasmbed_code_t));
        let mut out = null_mut();
        slot.1 = wasmbed_instance_call_wave(slot.0, c"count()".as_ptr(), &mut out, null_mut());
        (*r).of.bytes = wasmbed_bytes_t {
            data: null(),
            len: 0,
        };
    }
    0
}

#[test]
fn a_call_back_into_a_busy_instance_is_refused() {
    let (g, l) = (load(CALC, Some(CALC_WIT)), linker());
    let mut slot: (*const wasmbed_instance_t, wasmbed_code_t) = (null(), WASMBED_OK);
    let params = [wasmbed_kind_t::WASMBED_STRING; 2];
    let env = &mut slot as *mut _ as *mut c_void;
    // SAFETY: valid pointers; `slot` outlives the instance.
    let code = unsafe {
        wasmbed_linker_define(
            l,
            HOST.as_ptr(),
            c"concat".as_ptr(),
            params.as_ptr(),
            2,
            &wasmbed_kind_t::WASMBED_STRING,
            Some(reenter),
            env,
            null_mut(),
        )
    };
    assert_eq!(code, WASMBED_OK);
    // SAFETY: as above.
    unsafe {
        wasmbed_linker_define_wave(
            l,
            HOST.as_ptr(),
            c"sum17".as_ptr(),
            Some(sum17),
            null_mut(),
            null_mut(),
        )
    };
    let i = instantiate(l, g, null_mut(), None).unwrap();
    slot.0 = i;
    assert_eq!(
        call_wave(i, c"wasmbed:cm32/api@0.1.0#greet(\"x\")")
            .unwrap()
            .as_deref(),
        Some("\"\"")
    );
    assert_eq!(slot.1, WASMBED_ERR_BUSY);
    free(l, g, i);
}

#[test]
fn wasi_commands_run_with_args_and_env_and_fail_to_link_without() {
    let (g, l) = (load(ARGS_ENV, None), linker());
    let (code, msg) = instantiate(l, g, null_mut(), None).unwrap_err();
    assert_eq!(code, WASMBED_ERR_LINK, "{msg}");
    let args = [c"args_env".as_ptr(), c"one".as_ptr()];
    let env = [c"WASMBED_GREETING=hi".as_ptr()];
    let mut err = null_mut();
    // SAFETY: a live linker and arrays of NUL-terminated strings.
    let code = unsafe { wasmbed_linker_add_wasi(l, args.as_ptr(), 2, env.as_ptr(), 1, &mut err) };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    let i = instantiate(l, g, null_mut(), None).unwrap();
    let mut status = -1;
    // SAFETY: a live instance and a valid out-pointer.
    let code = unsafe { wasmbed_instance_run(i, &mut status, &mut err) };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    assert_eq!(status, 0);
    let bad = [c"NOEQUALS".as_ptr()];
    // SAFETY: as above; a variable without `=` is what is under test.
    let code = unsafe { wasmbed_linker_add_wasi(l, null(), 0, bad.as_ptr(), 1, null_mut()) };
    assert_eq!(code, WASMBED_ERR_INVALID);
    free(l, g, i);
}

#[test]
fn a_pre_linked_guest_instantiates_many_times_after_its_linker_and_guest_are_gone() {
    let (g, l) = (load(SENSOR, None), linker());
    let (mut pre, mut err) = (null_mut(), null_mut());
    // SAFETY: live handles and valid out-pointers.
    let code = unsafe { wasmbed_linker_instantiate_pre(l, g, &mut pre, &mut err) };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    free(l, g, null_mut());
    for _ in 0..2 {
        let mut i = null_mut();
        // SAFETY: a live pre-linked guest; null limits are the defaults.
        let code =
            unsafe { wasmbed_instance_pre_instantiate(pre, null_mut(), null(), &mut i, &mut err) };
        assert_eq!(code, WASMBED_OK, "{:?}", take(err));
        assert!(call_wave(i, SUMMARIZE).unwrap().is_some());
        free(null_mut(), null_mut(), i);
    }
    // SAFETY: freed once.
    unsafe { wasmbed_instance_pre_delete(pre) };
}

#[test]
fn a_compact_world_stands_for_the_component_type_section() {
    let world = wasmbed_wit::world_from_module(SENSOR).unwrap().unwrap();
    let bytes = wasmbed_wit::compact::encode(&world);
    let (mut e, mut g, mut err) = (null_mut(), null_mut(), null_mut());
    // SAFETY: valid pointers throughout; the engine is freed once, before the guest.
    unsafe {
        assert_eq!(wasmbed_engine_new(false, &mut e), WASMBED_OK);
        let code = wasmbed_guest_new_compact(
            e,
            SENSOR.as_ptr(),
            SENSOR.len(),
            bytes.as_ptr(),
            bytes.len() - 1,
            &mut g,
            &mut err,
        );
        assert_eq!(code, WASMBED_ERR_WORLD);
        assert!(take(err).1.starts_with("compact world: "));
        let code = wasmbed_guest_new_compact(
            e,
            SENSOR.as_ptr(),
            SENSOR.len(),
            bytes.as_ptr(),
            bytes.len(),
            &mut g,
            &mut err,
        );
        assert_eq!(code, WASMBED_OK);
        wasmbed_engine_delete(e);
    }
    let l = linker();
    let i = instantiate(l, g, null_mut(), None).unwrap();
    assert!(call_wave(i, SUMMARIZE)
        .unwrap()
        .unwrap()
        .starts_with("{count: 3, mean: 29.5"));
    free(l, g, i);
}

const MIX_WIT: &CStr = c"package test:c@0.1.0;
interface host { mix: func(a: u8, b: s64, c: f32, d: char, e: bool, f: list<u8>) -> f64; }
world w { import host; export run: func() -> f64; }";

const MIX_WAT: &str = r#"(module
  (import "cm32p2|test:c/host@0.1" "mix" (func $mix (param i32 i64 f32 i32 i32 i32 i32) (result f64)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 8) "\01\02\03")
  (func (export "cm32p2||run") (result f64)
    i32.const 200 i64.const -5 f32.const 1.5 i32.const 0x263A i32.const 1 i32.const 8 i32.const 3
    call $mix))"#;

/// `mix`: every scalar kind in, a float out.
unsafe extern "C" fn mix(
    _: *mut c_void,
    _: *mut c_void,
    args: *const wasmbed_val_t,
    n: usize,
    r: *mut wasmbed_val_t,
) -> i32 {
    // SAFETY: `args` holds `n` values of the declared kinds and `r` is writable,
    // by `wasmbed_host_fn_t`'s contract; each field read is the one its kind names.
    unsafe {
        let a = std::slice::from_raw_parts(args, n);
        let bytes = std::slice::from_raw_parts(a[5].of.bytes.data, a[5].of.bytes.len);
        let smile = char::from_u32(a[3].of.u32) == Some('☺');
        (*r).of.f64 = f64::from(a[0].of.u32)
            + a[1].of.i64 as f64
            + f64::from(a[2].of.f32)
            + if smile { 1000.0 } else { 0.0 }
            + if a[4].of.b { 10000.0 } else { 0.0 }
            + bytes.iter().map(|b| f64::from(*b)).sum::<f64>();
    }
    0
}

#[test]
fn a_typed_host_function_takes_every_scalar_kind_and_returns_a_float() {
    use wasmbed_kind_t::*;
    let wasm = wat::parse_str(MIX_WAT).unwrap();
    let (g, l) = (load(&wasm, Some(MIX_WIT)), linker());
    let params = [
        WASMBED_U8,
        WASMBED_S64,
        WASMBED_F32,
        WASMBED_CHAR,
        WASMBED_BOOL,
        WASMBED_BYTES,
    ];
    let iface = c"test:c/host@0.1.0";
    // SAFETY: a live linker, NUL-terminated names and a 6-kind array.
    let code = unsafe {
        wasmbed_linker_define(
            l,
            iface.as_ptr(),
            c"mix".as_ptr(),
            params.as_ptr(),
            6,
            &WASMBED_F64,
            Some(mix),
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(code, WASMBED_OK);
    let i = instantiate(l, g, null_mut(), None).unwrap();
    let mut r = wasmbed_val_t {
        kind: WASMBED_BOOL,
        of: wasmbed_valunion_t { u64: 0 },
    };
    // SAFETY: a live instance and valid pointers.
    let code = unsafe { wasmbed_instance_call(i, c"run".as_ptr(), null(), 0, &mut r, null_mut()) };
    assert_eq!(code, WASMBED_OK);
    assert_eq!(r.kind, WASMBED_F64);
    // SAFETY: the kind says `f64`.
    assert_eq!(
        unsafe { r.of.f64 },
        200.0 - 5.0 + 1.5 + 1000.0 + 10000.0 + 6.0
    );
    assert_eq!(call_wave(i, c"run()").unwrap().as_deref(), Some("11202.5"));
    free(l, g, i);
}

const SPILL_WIT: &CStr = c"package test:c@0.1.0;
interface host {
  spill: func(a: u8, b: s64, c: f32, d: char, e: bool, f: list<u8>, g: string, h: s16, i: f64,
              j: string, k: u32, l: string, m: string) -> string;
}
world w { import host; export run: func() -> u32; }";

/// 18 core parameters: the guest stores them as a tuple at 64 (the Canonical
/// ABI's offsets) and passes its address; the result comes back through 32.
const SPILL_WAT: &str = r#"(module
  (import "cm32p2|test:c/host@0.1" "spill" (func $spill (param i32 i32)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 256) "\01\02\03\00hi\00\00yo\00\00ab")
  (global $bump (mut i32) (i32.const 1024))
  (func (export "cm32p2_realloc") (param i32 i32 i32 i32) (result i32)
    global.get $bump
    global.get $bump local.get 3 i32.add global.set $bump)
  (func (export "cm32p2||run") (result i32)
    (i32.store8 (i32.const 64) (i32.const 200))
    (i64.store (i32.const 72) (i64.const -5))
    (f32.store (i32.const 80) (f32.const 1.5))
    (i32.store (i32.const 84) (i32.const 0x263A))
    (i32.store8 (i32.const 88) (i32.const 1))
    (i32.store (i32.const 92) (i32.const 256)) (i32.store (i32.const 96) (i32.const 3))
    (i32.store (i32.const 100) (i32.const 260)) (i32.store (i32.const 104) (i32.const 2))
    (i32.store16 (i32.const 108) (i32.const -3))
    (f64.store (i32.const 112) (f64.const 2.25))
    (i32.store (i32.const 120) (i32.const 264)) (i32.store (i32.const 124) (i32.const 2))
    (i32.store (i32.const 128) (i32.const 7))
    (i32.store (i32.const 132) (i32.const 268)) (i32.store (i32.const 136) (i32.const 1))
    (i32.store (i32.const 140) (i32.const 269)) (i32.store (i32.const 144) (i32.const 1))
    (call $spill (i32.const 64) (i32.const 32))
    (i32.load (i32.const 36))))"#;

/// `spill`: the 13 arguments as text, which is also its result.
unsafe extern "C" fn spill(
    _: *mut c_void,
    data: *mut c_void,
    args: *const wasmbed_val_t,
    n: usize,
    r: *mut wasmbed_val_t,
) -> i32 {
    // SAFETY: `data` is the test's `Vec<u8>`; `args` holds `n` values of the declared
    // kinds and `r` is writable, by `wasmbed_host_fn_t`'s contract; each field read
    // is the one its kind names.
    unsafe {
        let text = &mut *(data as *mut Vec<u8>);
        let a = std::slice::from_raw_parts(args, n);
        let bytes = |v: &wasmbed_val_t| std::slice::from_raw_parts(v.of.bytes.data, v.of.bytes.len);
        let s = |v: &wasmbed_val_t| String::from_utf8_lossy(bytes(v)).into_owned();
        let described = format!(
            "{} {} {} {} {} {:?} {} {} {} {} {} {} {}",
            a[0].of.u32,
            a[1].of.i64,
            a[2].of.f32,
            char::from_u32(a[3].of.u32).unwrap(),
            a[4].of.b,
            bytes(&a[5]),
            s(&a[6]),
            a[7].of.i32,
            a[8].of.f64,
            s(&a[9]),
            a[10].of.u32,
            s(&a[11]),
            s(&a[12]),
        );
        *text = described.into_bytes();
        (*r).of.bytes = wasmbed_bytes_t {
            data: text.as_ptr(),
            len: text.len(),
        };
    }
    0
}

#[test]
fn a_typed_host_function_past_16_core_parameters_reads_them_from_guest_memory() {
    use wasmbed_kind_t::*;
    let wasm = wat::parse_str(SPILL_WAT).unwrap();
    let (g, l) = (load(&wasm, Some(SPILL_WIT)), linker());
    let params = [
        WASMBED_U8,
        WASMBED_S64,
        WASMBED_F32,
        WASMBED_CHAR,
        WASMBED_BOOL,
        WASMBED_BYTES,
        WASMBED_STRING,
        WASMBED_S16,
        WASMBED_F64,
        WASMBED_STRING,
        WASMBED_U32,
        WASMBED_STRING,
        WASMBED_STRING,
    ];
    let iface = c"test:c/host@0.1.0";
    // SAFETY: a live linker, NUL-terminated names and a 13-kind array.
    let code = unsafe {
        wasmbed_linker_define(
            l,
            iface.as_ptr(),
            c"spill".as_ptr(),
            params.as_ptr(),
            params.len(),
            &WASMBED_STRING,
            Some(spill),
            null_mut(),
            null_mut(),
        )
    };
    assert_eq!(code, WASMBED_OK);
    let mut text: Vec<u8> = Vec::new();
    let i = instantiate(l, g, &mut text as *mut Vec<u8> as *mut c_void, None).unwrap();
    let mut r = wasmbed_val_t {
        kind: WASMBED_BOOL,
        of: wasmbed_valunion_t { u64: 0 },
    };
    let mut err = null_mut();
    // SAFETY: a live instance and valid pointers.
    let code = unsafe { wasmbed_instance_call(i, c"run".as_ptr(), null(), 0, &mut r, &mut err) };
    assert_eq!(code, WASMBED_OK, "{:?}", take(err));
    let expected = "200 -5 1.5 ☺ true [1, 2, 3] hi -3 2.25 yo 7 a b";
    assert_eq!(String::from_utf8_lossy(&text), expected);
    // SAFETY: `run` returns a `u32`: the length of the string it got back.
    assert_eq!(unsafe { r.of.u32 } as usize, expected.len());
    free(l, g, i);
}

#[test]
fn a_wamr_engine_runs_the_same_guest_to_the_same_result() {
    let (mut e, mut g, mut err) = (null_mut(), null_mut(), null_mut());
    // SAFETY: valid pointers throughout; each handle freed once.
    unsafe {
        assert_eq!(wasmbed_engine_new_wamr(null_mut()), WASMBED_ERR_NULL);
        assert_eq!(wasmbed_engine_new_wamr(&mut e), WASMBED_OK);
        let code = wasmbed_guest_new(
            e,
            SENSOR.as_ptr(),
            SENSOR.len(),
            null(),
            null(),
            &mut g,
            &mut err,
        );
        assert_eq!(code, WASMBED_OK, "{:?}", take(err));
        wasmbed_engine_delete(e);
    }
    let l = linker();
    let i = instantiate(l, g, null_mut(), None).unwrap();
    let out = call_wave(i, SUMMARIZE).unwrap();
    assert_eq!(
        out.as_deref(),
        Some(r#"{count: 3, mean: 29.5, out-of-range: [2], label: "check sensors"}"#)
    );
    // WAMR's fuel is a budget per call: ten instructions stop this one.
    let limits = wasmbed_limits_t {
        fuel: 10,
        ..wasmbed_limits_default()
    };
    let j = instantiate(l, g, null_mut(), Some(limits)).unwrap();
    let (code, msg) = call_wave(j, SUMMARIZE).unwrap_err();
    assert_eq!(code, WASMBED_ERR_TRAP, "{msg}");
    assert!(msg.contains("all fuel consumed"), "{msg}");
    // SAFETY: a live instance, freed once.
    unsafe { wasmbed_instance_delete(j) };
    free(l, g, i);
}
