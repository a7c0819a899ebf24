use core::ptr::null_mut;

use wasmbed::{Type, Val};

use crate::error::{guard, wasmbed_code_t, Fail};
use crate::{wasmbed_error_code, wasmbed_error_delete, wasmbed_error_message};

#[test]
fn a_panic_stops_at_the_boundary_as_a_code_and_a_message() {
    let mut err = null_mut();
    // SAFETY: `err` is a valid out-pointer.
    let code = unsafe { guard(&mut err, || panic!("boom")) };
    assert_eq!(code, wasmbed_code_t::WASMBED_ERR_PANIC);
    // SAFETY: `err` is the error just returned, freed once.
    unsafe {
        assert_eq!(wasmbed_error_code(err), wasmbed_code_t::WASMBED_ERR_PANIC);
        let msg = core::ffi::CStr::from_ptr(wasmbed_error_message(err));
        assert_eq!(msg.to_str().unwrap(), "wasmbed panicked: boom");
        wasmbed_error_delete(err);
    }
}

#[test]
fn a_message_with_a_nul_keeps_what_comes_before_it() {
    let mut err = null_mut();
    let f = || Err(Fail::new(wasmbed_code_t::WASMBED_ERR_HOST, "before\0after"));
    // SAFETY: `err` is a valid out-pointer; then the error is read and freed once.
    unsafe {
        assert_eq!(guard(&mut err, f), wasmbed_code_t::WASMBED_ERR_HOST);
        let msg = core::ffi::CStr::from_ptr(wasmbed_error_message(err));
        assert_eq!(msg.to_str().unwrap(), "before");
        wasmbed_error_delete(err);
    }
}

#[test]
fn wave_text_round_trips_through_vals() {
    let ty = Type::list(Type::Char).unwrap();
    let v = crate::wave::parse(&ty, "['a', 'é']").unwrap();
    assert_eq!(v, Val::List(vec![Val::Char('a'), Val::Char('é')]));
    assert_eq!(crate::wave::show(&ty, &v).unwrap(), "['a', 'é']");
    assert_eq!(
        crate::wave::parse(&Type::U8, "300").unwrap_err().code,
        wasmbed_code_t::WASMBED_ERR_WAVE
    );
}
