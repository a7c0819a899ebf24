//! WAVE text to and from `Val`s by their WIT `Type`, for the generic value path.
//!
//! The same conversions as `wasmbed run` (crates/cli/src/wave.rs), with
//! this crate's errors: the library may not use `anyhow`.

use wasm_wave::value::{Type as WType, Value};
use wasm_wave::wasm::WasmValue;
use wasmbed::{Type, Val};

use crate::error::{wasmbed_code_t, Fail, Res};

fn fail(m: impl core::fmt::Display) -> Fail {
    Fail::new(wasmbed_code_t::WASMBED_ERR_WAVE, m.to_string())
}

fn some<T>(v: Option<T>, what: &str) -> Res<T> {
    v.ok_or_else(|| fail(format!("{what} has no WAVE type")))
}

/// The WAVE type of `ty`; resource handles have none.
pub(crate) fn wave_type(ty: &Type) -> Res<WType> {
    Ok(match ty {
        Type::Bool => WType::BOOL,
        Type::S8 => WType::S8,
        Type::U8 => WType::U8,
        Type::S16 => WType::S16,
        Type::U16 => WType::U16,
        Type::S32 => WType::S32,
        Type::U32 => WType::U32,
        Type::S64 => WType::S64,
        Type::U64 => WType::U64,
        Type::F32 => WType::F32,
        Type::F64 => WType::F64,
        Type::Char => WType::CHAR,
        Type::String => WType::STRING,
        Type::List(l) => WType::list(wave_type(l.elem())?),
        Type::Record(r) => {
            let fields = r
                .fields()
                .map(|(n, t, _)| Ok((n.to_string(), wave_type(t)?)));
            some(
                WType::record(fields.collect::<Res<Vec<_>>>()?),
                "an empty record",
            )?
        }
        Type::Tuple(t) => {
            let fields = t.fields().map(|(t, _)| wave_type(t));
            some(
                WType::tuple(fields.collect::<Res<Vec<_>>>()?),
                "an empty tuple",
            )?
        }
        Type::Variant(v) => {
            let cases = v
                .cases()
                .map(|(n, t)| Ok((n.to_string(), t.map(wave_type).transpose()?)));
            some(
                WType::variant(cases.collect::<Res<Vec<_>>>()?),
                "an empty variant",
            )?
        }
        Type::Enum(e) => some(
            WType::enum_ty(e.names().map(str::to_string)),
            "an empty enum",
        )?,
        Type::Option(o) => WType::option(wave_type(o.some())?),
        Type::Result(r) => WType::result(
            r.ok().map(wave_type).transpose()?,
            r.err().map(wave_type).transpose()?,
        ),
        Type::Flags(f) => some(WType::flags(f.names().map(str::to_string)), "empty flags")?,
        Type::Own(_) | Type::Borrow(_) => {
            return Err(fail("resource handles have no WAVE text form"))
        }
    })
}

/// The `Val` of type `ty` that the WAVE value `v` (parsed against `ty`) denotes.
fn from_wave(ty: &Type, v: &Value) -> Res<Val> {
    let payload = |t: Option<&Type>, p: Option<std::borrow::Cow<'_, Value>>| match (t, p) {
        (Some(t), Some(p)) => from_wave(t, &p).map(|v| Some(Box::new(v))),
        _ => Ok(None),
    };
    Ok(match ty {
        Type::Bool => Val::Bool(v.unwrap_bool()),
        Type::S8 => Val::S8(v.unwrap_s8()),
        Type::U8 => Val::U8(v.unwrap_u8()),
        Type::S16 => Val::S16(v.unwrap_s16()),
        Type::U16 => Val::U16(v.unwrap_u16()),
        Type::S32 => Val::S32(v.unwrap_s32()),
        Type::U32 => Val::U32(v.unwrap_u32()),
        Type::S64 => Val::S64(v.unwrap_s64()),
        Type::U64 => Val::U64(v.unwrap_u64()),
        Type::F32 => Val::F32(v.unwrap_f32()),
        Type::F64 => Val::F64(v.unwrap_f64()),
        Type::Char => Val::Char(v.unwrap_char()),
        Type::String => Val::String(v.unwrap_string().into_owned()),
        Type::List(l) => Val::List(
            v.unwrap_list()
                .map(|e| from_wave(l.elem(), &e))
                .collect::<Res<_>>()?,
        ),
        Type::Record(r) => {
            let got: Vec<_> = v.unwrap_record().collect();
            let field = |n: &str, t: &Type| match got.iter().find(|(k, _)| k == n) {
                Some((_, fv)) => from_wave(t, fv),
                None => Err(fail(format!("field `{n}` missing"))),
            };
            Val::Record(
                r.fields()
                    .map(|(n, t, _)| field(n, t))
                    .collect::<Res<_>>()?,
            )
        }
        Type::Tuple(t) => Val::Tuple(
            t.fields()
                .zip(v.unwrap_tuple())
                .map(|((t, _), e)| from_wave(t, &e))
                .collect::<Res<_>>()?,
        ),
        Type::Variant(var) => {
            let (name, p) = v.unwrap_variant();
            let found = var.cases().enumerate().find(|(_, (n, _))| *n == name);
            let (i, (_, t)) = found.ok_or_else(|| fail(format!("unknown case `{name}`")))?;
            Val::Variant(i as u32, payload(t, p)?)
        }
        Type::Enum(e) => {
            let name = v.unwrap_enum();
            let i = e.names().position(|n| n == name);
            Val::Enum(i.ok_or_else(|| fail(format!("unknown enum case `{name}`")))? as u32)
        }
        Type::Option(o) => Val::Option(payload(Some(o.some()), v.unwrap_option())?),
        Type::Result(r) => Val::Result(match v.unwrap_result() {
            Ok(p) => Ok(payload(r.ok(), p)?),
            Err(p) => Err(payload(r.err(), p)?),
        }),
        Type::Flags(f) => {
            let mut bits = 0u32;
            for set in v.unwrap_flags() {
                let i = f.names().position(|n| n == set);
                bits |= 1 << i.ok_or_else(|| fail(format!("unknown flag `{set}`")))?;
            }
            Val::Flags(bits)
        }
        Type::Own(_) | Type::Borrow(_) => {
            return Err(fail("resource handles have no WAVE text form"))
        }
    })
}

/// The WAVE value of `val`, of type `ty`.
fn to_wave(ty: &Type, val: &Val) -> Res<Value> {
    let wty = wave_type(ty)?;
    let bad = || fail("a value does not match its type");
    let w = |r: Result<Value, wasm_wave::wasm::WasmValueError>| r.map_err(fail);
    let side = |t: Option<&Type>, p: &Option<Box<Val>>| match (t, p) {
        (Some(t), Some(p)) => to_wave(t, p).map(Some),
        _ => Ok(None),
    };
    Ok(match (ty, val) {
        (Type::Bool, Val::Bool(b)) => Value::make_bool(*b),
        (Type::S8, Val::S8(x)) => Value::make_s8(*x),
        (Type::U8, Val::U8(x)) => Value::make_u8(*x),
        (Type::S16, Val::S16(x)) => Value::make_s16(*x),
        (Type::U16, Val::U16(x)) => Value::make_u16(*x),
        (Type::S32, Val::S32(x)) => Value::make_s32(*x),
        (Type::U32, Val::U32(x)) => Value::make_u32(*x),
        (Type::S64, Val::S64(x)) => Value::make_s64(*x),
        (Type::U64, Val::U64(x)) => Value::make_u64(*x),
        (Type::F32, Val::F32(x)) => Value::make_f32(*x),
        (Type::F64, Val::F64(x)) => Value::make_f64(*x),
        (Type::Char, Val::Char(c)) => Value::make_char(*c),
        (Type::String, Val::String(s)) => Value::make_string(s.into()),
        (Type::List(l), Val::List(vs)) => {
            let items = vs.iter().map(|v| to_wave(l.elem(), v));
            w(Value::make_list(&wty, items.collect::<Res<Vec<_>>>()?))?
        }
        (Type::Record(r), Val::Record(vs)) => {
            let fields = r
                .fields()
                .zip(vs)
                .map(|((n, t, _), v)| Ok((n, to_wave(t, v)?)));
            w(Value::make_record(&wty, fields.collect::<Res<Vec<_>>>()?))?
        }
        (Type::Tuple(t), Val::Tuple(vs)) => {
            let items = t.fields().zip(vs).map(|((t, _), v)| to_wave(t, v));
            w(Value::make_tuple(&wty, items.collect::<Res<Vec<_>>>()?))?
        }
        (Type::Variant(var), Val::Variant(i, p)) => {
            let (name, t) = var.cases().nth(*i as usize).ok_or_else(bad)?;
            w(Value::make_variant(&wty, name, side(t, p)?))?
        }
        (Type::Enum(e), Val::Enum(i)) => w(Value::make_enum(
            &wty,
            e.names().nth(*i as usize).ok_or_else(bad)?,
        ))?,
        (Type::Option(o), Val::Option(p)) => w(Value::make_option(&wty, side(Some(o.some()), p)?))?,
        (Type::Result(r), Val::Result(res)) => {
            let res = match res {
                Ok(p) => Ok(side(r.ok(), p)?),
                Err(p) => Err(side(r.err(), p)?),
            };
            w(Value::make_result(&wty, res))?
        }
        (Type::Flags(f), Val::Flags(bits)) => {
            let set = f.names().enumerate().filter(|(i, _)| bits & (1 << i) != 0);
            w(Value::make_flags(
                &wty,
                set.map(|(_, n)| n).collect::<Vec<_>>(),
            ))?
        }
        _ => return Err(bad()),
    })
}

/// Splits `name(args)` into the export name and the WAVE call text `f(args)`.
pub(crate) fn split_call(call: &str) -> Res<(&str, String)> {
    let open = call.find('(');
    let name = open.map(|o| call[..o].trim()).filter(|n| !n.is_empty());
    match (open, name) {
        (Some(open), Some(name)) => Ok((name, format!("f{}", &call[open..]))),
        _ => Err(fail(format!("`{call}`: expected `name(arguments)`"))),
    }
}

/// The arguments of `call` (WAVE, `f(args)`) as values of `params`.
pub(crate) fn parse_args(call: &str, params: &[Type]) -> Res<Vec<Val>> {
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(call).map_err(fail)?;
    let types = params.iter().map(wave_type).collect::<Res<Vec<_>>>()?;
    let values: Vec<Value> = parsed.to_wasm_params(types.iter()).map_err(fail)?;
    let vals = params.iter().zip(&values).map(|(t, v)| from_wave(t, v));
    vals.collect()
}

/// One value of type `ty` from its WAVE text.
pub(crate) fn parse(ty: &Type, text: &str) -> Res<Val> {
    let v: Value = wasm_wave::from_str(&wave_type(ty)?, text).map_err(fail)?;
    from_wave(ty, &v)
}

/// The WAVE text of `val`, of type `ty`.
pub(crate) fn show(ty: &Type, val: &Val) -> Res<String> {
    wasm_wave::to_string(&to_wave(ty, val)?).map_err(fail)
}
