//! WAVE text to and from `Val`s by their WIT `Type`, for the generic value
//! path: `wasmbed-wave`'s conversions (the same as `wasmbed run`'s), with
//! their failures as [`wasmbed_code_t::WASMBED_ERR_WAVE`].

use wasm_wave::value::Type as WType;
use wasmbed::{Type, Val};

use crate::error::{wasmbed_code_t, Fail, Res};

fn fail(e: wasmbed_wave::WaveError) -> Fail {
    Fail::new(wasmbed_code_t::WASMBED_ERR_WAVE, e.to_string())
}

/// The WAVE type of `ty`; resource handles have none.
pub(crate) fn wave_type(ty: &Type) -> Res<WType> {
    wasmbed_wave::wave_type(ty).map_err(fail)
}

/// Splits `name(args)` into the export name and the WAVE call text `f(args)`.
pub(crate) fn split_call(call: &str) -> Res<(&str, String)> {
    wasmbed_wave::split_call(call).map_err(fail)
}

/// The arguments of `call` (WAVE, `f(args)`) as values of `params`.
pub(crate) fn parse_args(call: &str, params: &[Type]) -> Res<Vec<Val>> {
    wasmbed_wave::parse_args(call, params).map_err(fail)
}

/// One value of type `ty` from its WAVE text.
pub(crate) fn parse(ty: &Type, text: &str) -> Res<Val> {
    wasmbed_wave::parse(ty, text).map_err(fail)
}

/// The WAVE text of `val`, of type `ty`.
pub(crate) fn show(ty: &Type, val: &Val) -> Res<String> {
    wasmbed_wave::show(ty, val).map_err(fail)
}
