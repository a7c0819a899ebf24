//! Values in WAVE text (the `wasm-wave` crate), converted to and from
//! wasmbed's `Val`s by their WIT `Type`: how `wasmbed run` and the C API read
//! arguments and write results, as wasmtime and wasm-tools do.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use wasm_wave::value::{Type as WType, Value};
use wasm_wave::wasm::{WasmTypeKind, WasmValue};
use wasmbed::{Type, Val};

/// Why a text or a value has no WAVE counterpart: one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WaveError(String);

/// This crate's results.
pub type Result<T, E = WaveError> = core::result::Result<T, E>;

impl From<wasm_wave::wasm::WasmValueError> for WaveError {
    fn from(e: wasm_wave::wasm::WasmValueError) -> WaveError {
        err(e)
    }
}

fn err(m: impl core::fmt::Display) -> WaveError {
    WaveError(m.to_string())
}

/// `Option::context` for this crate's errors.
trait Context<T> {
    fn context(self, what: &str) -> Result<T>;
}

impl<T> Context<T> for Option<T> {
    fn context(self, what: &str) -> Result<T> {
        self.ok_or_else(|| err(what))
    }
}

/// The WAVE type of `ty`; handles have none.
pub fn wave_type(ty: &Type) -> Result<WType> {
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
        Type::Record(r) => WType::record(
            r.fields()
                .map(|(n, t, _)| Ok((n.to_string(), wave_type(t)?)))
                .collect::<Result<Vec<_>>>()?,
        )
        .context("empty record")?,
        Type::Tuple(t) => WType::tuple(
            t.fields()
                .map(|(t, _)| wave_type(t))
                .collect::<Result<Vec<_>>>()?,
        )
        .context("empty tuple")?,
        Type::Variant(v) => WType::variant(
            v.cases()
                .map(|(n, t)| Ok((n.to_string(), t.map(wave_type).transpose()?)))
                .collect::<Result<Vec<_>>>()?,
        )
        .context("empty variant")?,
        Type::Enum(e) => WType::enum_ty(e.names().map(str::to_string)).context("empty enum")?,
        Type::Option(o) => WType::option(wave_type(o.some())?),
        Type::Result(r) => WType::result(
            r.ok().map(wave_type).transpose()?,
            r.err().map(wave_type).transpose()?,
        ),
        Type::Flags(f) => WType::flags(f.names().map(str::to_string)).context("empty flags")?,
        Type::Own(_) | Type::Borrow(_) => {
            return Err(err("resource handles have no WAVE text form"))
        }
    })
}

/// The `Val` of type `ty` that a parsed WAVE value denotes.
pub fn from_wave(ty: &Type, v: &Value) -> Result<Val> {
    let boxed = |t: &Type, v: &Value| from_wave(t, v).map(Box::new);
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
                .collect::<Result<_>>()?,
        ),
        Type::Record(r) => {
            let got: Vec<_> = v.unwrap_record().collect();
            Val::Record(
                r.fields()
                    .map(|(n, t, _)| {
                        let (_, fv) = got
                            .iter()
                            .find(|(k, _)| k == n)
                            .ok_or_else(|| err(format!("field `{n}` missing")))?;
                        from_wave(t, fv)
                    })
                    .collect::<Result<_>>()?,
            )
        }
        Type::Tuple(t) => Val::Tuple(
            t.fields()
                .zip(v.unwrap_tuple())
                .map(|((t, _), e)| from_wave(t, &e))
                .collect::<Result<_>>()?,
        ),
        Type::Variant(var) => {
            let (name, payload) = v.unwrap_variant();
            let (i, (_, t)) = var
                .cases()
                .enumerate()
                .find(|(_, (n, _))| *n == name)
                .context("unknown case")?;
            let payload = match (t, payload) {
                (Some(t), Some(p)) => Some(boxed(t, &p)?),
                _ => None,
            };
            Val::Variant(i as u32, payload)
        }
        Type::Enum(e) => {
            let name = v.unwrap_enum();
            Val::Enum(
                e.names()
                    .position(|n| n == name)
                    .context("unknown enum case")? as u32,
            )
        }
        Type::Option(o) => Val::Option(v.unwrap_option().map(|s| boxed(o.some(), &s)).transpose()?),
        Type::Result(r) => Val::Result(match v.unwrap_result() {
            Ok(p) => Ok(match (r.ok(), p) {
                (Some(t), Some(p)) => Some(boxed(t, &p)?),
                _ => None,
            }),
            Err(p) => Err(match (r.err(), p) {
                (Some(t), Some(p)) => Some(boxed(t, &p)?),
                _ => None,
            }),
        }),
        Type::Flags(f) => {
            let names: Vec<&str> = f.names().collect();
            let mut bits = 0u32;
            for set in v.unwrap_flags() {
                let i = names
                    .iter()
                    .position(|n| *n == set)
                    .context("unknown flag")?;
                bits |= 1 << i;
            }
            Val::Flags(bits)
        }
        Type::Own(_) | Type::Borrow(_) => {
            return Err(err("resource handles have no WAVE text form"))
        }
    })
}

/// The WAVE value of `val`, of type `ty`.
pub fn to_wave(ty: &Type, val: &Val) -> Result<Value> {
    let wty = wave_type(ty)?;
    let bad = || {
        err(format!(
            "value does not match its type `{}`",
            kind_name(&wty)
        ))
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
        (Type::List(l), Val::List(vs)) => Value::make_list(
            &wty,
            vs.iter()
                .map(|v| to_wave(l.elem(), v))
                .collect::<Result<Vec<_>>>()?,
        )?,
        (Type::Record(r), Val::Record(vs)) => {
            let fields = r
                .fields()
                .zip(vs)
                .map(|((n, t, _), v)| Ok((n, to_wave(t, v)?)))
                .collect::<Result<Vec<_>>>()?;
            Value::make_record(&wty, fields)?
        }
        (Type::Tuple(t), Val::Tuple(vs)) => Value::make_tuple(
            &wty,
            t.fields()
                .zip(vs)
                .map(|((t, _), v)| to_wave(t, v))
                .collect::<Result<Vec<_>>>()?,
        )?,
        (Type::Variant(var), Val::Variant(i, p)) => {
            let (name, t) = var.cases().nth(*i as usize).ok_or_else(bad)?;
            let payload = match (t, p) {
                (Some(t), Some(p)) => Some(to_wave(t, p)?),
                _ => None,
            };
            Value::make_variant(&wty, name, payload)?
        }
        (Type::Enum(e), Val::Enum(i)) => {
            Value::make_enum(&wty, e.names().nth(*i as usize).ok_or_else(bad)?)?
        }
        (Type::Option(o), Val::Option(p)) => Value::make_option(
            &wty,
            p.as_deref().map(|p| to_wave(o.some(), p)).transpose()?,
        )?,
        (Type::Result(r), Val::Result(res)) => {
            let side = |t: Option<&Type>, p: &Option<Box<Val>>| match (t, p) {
                (Some(t), Some(p)) => to_wave(t, p).map(Some),
                _ => Ok(None),
            };
            let res = match res {
                Ok(p) => Ok(side(r.ok(), p)?),
                Err(p) => Err(side(r.err(), p)?),
            };
            Value::make_result(&wty, res)?
        }
        (Type::Flags(f), Val::Flags(bits)) => {
            let set: Vec<&str> = f
                .names()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, n)| n)
                .collect();
            Value::make_flags(&wty, set)?
        }
        _ => return Err(bad()),
    })
}

fn kind_name(t: &WType) -> String {
    use wasm_wave::wasm::WasmType;
    let k: WasmTypeKind = t.kind();
    k.to_string()
}

/// Splits `name(args)` into the export name and the WAVE call text `f(args)`.
pub fn split_call(call: &str) -> Result<(&str, String)> {
    let open = call.find('(');
    let name = open.map(|o| call[..o].trim()).filter(|n| !n.is_empty());
    match (open, name) {
        (Some(open), Some(name)) => Ok((name, format!("f{}", &call[open..]))),
        _ => Err(err(format!("`{call}`: expected `name(arguments)`"))),
    }
}

/// Parses the arguments of `call` (WAVE, `f(args)`) as values of `params`.
pub fn parse_args(call: &str, params: &[Type]) -> Result<Vec<Val>> {
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(call).map_err(err)?;
    let types = params.iter().map(wave_type).collect::<Result<Vec<_>>>()?;
    let values: Vec<Value> = parsed.to_wasm_params(types.iter()).map_err(err)?;
    params
        .iter()
        .zip(&values)
        .map(|(t, v)| from_wave(t, v))
        .collect()
}

/// One value of type `ty` from its WAVE text.
pub fn parse(ty: &Type, text: &str) -> Result<Val> {
    let v: Value = wasm_wave::from_str(&wave_type(ty)?, text).map_err(err)?;
    from_wave(ty, &v)
}

/// The WAVE text of `val`.
pub fn show(ty: &Type, val: &Val) -> Result<String> {
    wasm_wave::to_string(&to_wave(ty, val)?).map_err(err)
}
