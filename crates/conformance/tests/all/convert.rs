//! wasmtime's `Val`s to wasmbed's and back, guided by the world's types (names come from there).

use wasmbed::{Type, Val as B};
use wasmtime::component::{ResourceAny, Val as W};
use wasmtime::{bail, format_err, Result};

/// Turns a resource into wasmbed's form (`Own`/`Borrow` of some number the test chooses).
pub(crate) type FromResource<'a> = &'a mut dyn FnMut(ResourceAny, &Type) -> Result<B>;
/// Turns wasmbed's form of a resource into wasmtime's.
pub(crate) type ToResource<'a> = &'a mut dyn FnMut(&B, &Type) -> Result<W>;

/// Resources where none may appear.
pub(crate) fn no_resource_in(_: ResourceAny, ty: &Type) -> Result<B> {
    bail!("unexpected resource of type {ty:?}")
}

/// Resources where none may appear.
pub(crate) fn no_resource_out(v: &B, _: &Type) -> Result<W> {
    bail!("unexpected resource {v:?}")
}

fn index(names: impl Iterator<Item = impl AsRef<str>>, name: &str) -> Result<u32> {
    let mut names = names;
    names
        .position(|n| n.as_ref() == name)
        .map(|i| i as u32)
        .ok_or_else(|| format_err!("no case or label `{name}`"))
}

/// wasmtime's value `v` of type `ty` in wasmbed's form.
pub(crate) fn to_wasmbed(v: &W, ty: &Type, res: FromResource<'_>) -> Result<B> {
    Ok(match (v, ty) {
        (W::Bool(x), Type::Bool) => B::Bool(*x),
        (W::S8(x), Type::S8) => B::S8(*x),
        (W::U8(x), Type::U8) => B::U8(*x),
        (W::S16(x), Type::S16) => B::S16(*x),
        (W::U16(x), Type::U16) => B::U16(*x),
        (W::S32(x), Type::S32) => B::S32(*x),
        (W::U32(x), Type::U32) => B::U32(*x),
        (W::S64(x), Type::S64) => B::S64(*x),
        (W::U64(x), Type::U64) => B::U64(*x),
        (W::Float32(x), Type::F32) => B::F32(*x),
        (W::Float64(x), Type::F64) => B::F64(*x),
        (W::Char(x), Type::Char) => B::Char(*x),
        (W::String(x), Type::String) => B::String(x.clone()),
        (W::List(xs), Type::List(t)) => B::List(
            xs.iter()
                .map(|x| to_wasmbed(x, t.elem(), res))
                .collect::<Result<_>>()?,
        ),
        (W::Record(fs), Type::Record(t)) => {
            let mut out = Vec::with_capacity(fs.len());
            for ((name, x), (want, fty, _)) in fs.iter().zip(t.fields()) {
                if name != want {
                    bail!("record field `{name}` where `{want}` was expected");
                }
                out.push(to_wasmbed(x, fty, res)?);
            }
            B::Record(out)
        }
        (W::Tuple(xs), Type::Tuple(t)) => B::Tuple(
            xs.iter()
                .zip(t.fields())
                .map(|(x, (fty, _))| to_wasmbed(x, fty, res))
                .collect::<Result<_>>()?,
        ),
        (W::Variant(name, payload), Type::Variant(t)) => {
            let i = index(t.cases().map(|(n, _)| n), name)?;
            let pty = t.cases().nth(i as usize).and_then(|(_, p)| p);
            let payload = match (payload, pty) {
                (Some(p), Some(pty)) => Some(Box::new(to_wasmbed(p, pty, res)?)),
                (None, None) => None,
                _ => bail!("variant case `{name}` payload mismatch"),
            };
            B::Variant(i, payload)
        }
        (W::Enum(name), Type::Enum(t)) => B::Enum(index(t.names(), name)?),
        (W::Option(x), Type::Option(t)) => B::Option(match x {
            Some(x) => Some(Box::new(to_wasmbed(x, t.some(), res)?)),
            None => None,
        }),
        (W::Result(r), Type::Result(t)) => {
            let mut side = |x: &Option<Box<W>>, pty: Option<&Type>| -> Result<Option<Box<B>>> {
                match (x, pty) {
                    (Some(x), Some(pty)) => Ok(Some(Box::new(to_wasmbed(x, pty, res)?))),
                    (None, None) => Ok(None),
                    _ => bail!("result payload mismatch"),
                }
            };
            B::Result(match r {
                Ok(x) => Ok(side(x, t.ok())?),
                Err(x) => Err(side(x, t.err())?),
            })
        }
        (W::Flags(names), Type::Flags(t)) => {
            let mut bits = 0u32;
            for n in names {
                bits |= 1 << index(t.names(), n)?;
            }
            B::Flags(bits)
        }
        (W::Resource(r), Type::Own(_) | Type::Borrow(_)) => res(*r, ty)?,
        _ => bail!("value {v:?} is not of type {ty:?}"),
    })
}

/// wasmbed's value `v` of type `ty` in wasmtime's form.
pub(crate) fn to_wasmtime(v: &B, ty: &Type, res: ToResource<'_>) -> Result<W> {
    let name = |mut names: Box<dyn Iterator<Item = &str> + '_>, i: u32| -> Result<String> {
        names
            .nth(i as usize)
            .map(String::from)
            .ok_or_else(|| format_err!("no case {i}"))
    };
    Ok(match (v, ty) {
        (B::Bool(x), Type::Bool) => W::Bool(*x),
        (B::S8(x), Type::S8) => W::S8(*x),
        (B::U8(x), Type::U8) => W::U8(*x),
        (B::S16(x), Type::S16) => W::S16(*x),
        (B::U16(x), Type::U16) => W::U16(*x),
        (B::S32(x), Type::S32) => W::S32(*x),
        (B::U32(x), Type::U32) => W::U32(*x),
        (B::S64(x), Type::S64) => W::S64(*x),
        (B::U64(x), Type::U64) => W::U64(*x),
        (B::F32(x), Type::F32) => W::Float32(*x),
        (B::F64(x), Type::F64) => W::Float64(*x),
        (B::Char(x), Type::Char) => W::Char(*x),
        (B::String(x), Type::String) => W::String(x.clone()),
        (B::List(xs), Type::List(t)) => W::List(
            xs.iter()
                .map(|x| to_wasmtime(x, t.elem(), res))
                .collect::<Result<_>>()?,
        ),
        (B::Record(xs), Type::Record(t)) => W::Record(
            xs.iter()
                .zip(t.fields())
                .map(|(x, (n, fty, _))| Ok((String::from(n), to_wasmtime(x, fty, res)?)))
                .collect::<Result<_>>()?,
        ),
        (B::Tuple(xs), Type::Tuple(t)) => W::Tuple(
            xs.iter()
                .zip(t.fields())
                .map(|(x, (fty, _))| to_wasmtime(x, fty, res))
                .collect::<Result<_>>()?,
        ),
        (B::Variant(i, payload), Type::Variant(t)) => {
            let pty = t.cases().nth(*i as usize).and_then(|(_, p)| p);
            let payload = match (payload, pty) {
                (Some(p), Some(pty)) => Some(Box::new(to_wasmtime(p, pty, res)?)),
                (None, None) => None,
                _ => bail!("variant case {i} payload mismatch"),
            };
            W::Variant(name(Box::new(t.cases().map(|(n, _)| n)), *i)?, payload)
        }
        (B::Enum(i), Type::Enum(t)) => W::Enum(name(Box::new(t.names()), *i)?),
        (B::Option(x), Type::Option(t)) => W::Option(match x {
            Some(x) => Some(Box::new(to_wasmtime(x, t.some(), res)?)),
            None => None,
        }),
        (B::Result(r), Type::Result(t)) => {
            let mut side = |x: &Option<Box<B>>, pty: Option<&Type>| -> Result<Option<Box<W>>> {
                match (x, pty) {
                    (Some(x), Some(pty)) => Ok(Some(Box::new(to_wasmtime(x, pty, res)?))),
                    (None, None) => Ok(None),
                    _ => bail!("result payload mismatch"),
                }
            };
            W::Result(match r {
                Ok(x) => Ok(side(x, t.ok())?),
                Err(x) => Err(side(x, t.err())?),
            })
        }
        (B::Flags(bits), Type::Flags(t)) => W::Flags(
            t.names()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, n)| String::from(n))
                .collect(),
        ),
        (B::Own(_) | B::Borrow(_), Type::Own(_) | Type::Borrow(_)) => res(v, ty)?,
        _ => bail!("value {v:?} is not of type {ty:?}"),
    })
}
