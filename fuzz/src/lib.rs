//! Arbitrary types and values for the fuzz targets.

use arbitrary::{Result, Unstructured};
use wasmbed_abi::{ResourceId, Type, Val};

/// How deep generated types nest.
pub const MAX_DEPTH: u32 = 5;

fn names(u: &mut Unstructured, max: usize) -> Result<Vec<String>> {
    let n = u.int_in_range(1..=max)?;
    Ok((0..n).map(|i| format!("n{i}")).collect())
}

fn opt_ty(u: &mut Unstructured, depth: u32) -> Result<Option<Type>> {
    if u.arbitrary()? {
        Ok(Some(ty(u, depth)?))
    } else {
        Ok(None)
    }
}

/// An arbitrary type no deeper than `depth` composite levels.
pub fn ty(u: &mut Unstructured, depth: u32) -> Result<Type> {
    let max = if depth == 0 { 13 } else { 22 };
    let d = depth.saturating_sub(1);
    Ok(match u.int_in_range(0..=max)? {
        0 => Type::Bool,
        1 => Type::S8,
        2 => Type::U8,
        3 => Type::S16,
        4 => Type::U16,
        5 => Type::S32,
        6 => Type::U32,
        7 => Type::S64,
        8 => Type::U64,
        9 => Type::F32,
        10 => Type::F64,
        11 => Type::Char,
        12 => Type::String,
        13 => Type::Own(ResourceId(0)),
        14 => Type::list(ty(u, d)?).unwrap(),
        15 => {
            let fields = names(u, 5)?
                .into_iter()
                .map(|n| Ok((n, ty(u, d)?)))
                .collect::<Result<Vec<_>>>()?;
            Type::record(fields).unwrap()
        }
        16 => {
            let n = u.int_in_range(1..=5)?;
            Type::tuple((0..n).map(|_| ty(u, d)).collect::<Result<Vec<_>>>()?).unwrap()
        }
        17 => {
            let cases = names(u, 5)?
                .into_iter()
                .map(|n| Ok((n, opt_ty(u, d)?)))
                .collect::<Result<Vec<_>>>()?;
            Type::variant(cases).unwrap()
        }
        18 => Type::enumeration(names(u, 300)?).unwrap(),
        19 => Type::option(ty(u, d)?).unwrap(),
        20 => Type::result(opt_ty(u, d)?, opt_ty(u, d)?).unwrap(),
        21 => Type::flags(names(u, 32)?).unwrap(),
        _ => Type::Borrow(ResourceId(1)),
    })
}

/// An arbitrary value of `ty`, with short strings and lists.
pub fn val(u: &mut Unstructured, ty: &Type) -> Result<Val> {
    Ok(match ty {
        Type::Bool => Val::Bool(u.arbitrary()?),
        Type::S8 => Val::S8(u.arbitrary()?),
        Type::U8 => Val::U8(u.arbitrary()?),
        Type::S16 => Val::S16(u.arbitrary()?),
        Type::U16 => Val::U16(u.arbitrary()?),
        Type::S32 => Val::S32(u.arbitrary()?),
        Type::U32 => Val::U32(u.arbitrary()?),
        Type::S64 => Val::S64(u.arbitrary()?),
        Type::U64 => Val::U64(u.arbitrary()?),
        Type::F32 => Val::F32(f32::from_bits(u.arbitrary()?)),
        Type::F64 => Val::F64(f64::from_bits(u.arbitrary()?)),
        Type::Char => Val::Char(u.arbitrary()?),
        Type::String => {
            let s: String = u.arbitrary()?;
            Val::String(s.chars().take(16).collect())
        }
        Type::List(l) => {
            let n = u.int_in_range(0..=8)?;
            Val::List((0..n).map(|_| val(u, l.elem())).collect::<Result<_>>()?)
        }
        Type::Record(r) => Val::Record(
            r.fields()
                .map(|(_, t, _)| val(u, t))
                .collect::<Result<_>>()?,
        ),
        Type::Tuple(t) => Val::Tuple(t.fields().map(|(t, _)| val(u, t)).collect::<Result<_>>()?),
        Type::Variant(v) => {
            let cases: Vec<Option<&Type>> = v.cases().map(|(_, t)| t).collect();
            let i = u.choose_index(cases.len())?;
            let payload = cases[i].map(|t| val(u, t)).transpose()?.map(Box::new);
            Val::Variant(i as u32, payload)
        }
        Type::Enum(e) => Val::Enum(u.choose_index(e.names().len())? as u32),
        Type::Option(o) => Val::Option(if u.arbitrary()? {
            Some(Box::new(val(u, o.some())?))
        } else {
            None
        }),
        Type::Result(r) => {
            if u.arbitrary()? {
                Val::Result(Ok(r.ok().map(|t| val(u, t)).transpose()?.map(Box::new)))
            } else {
                Val::Result(Err(r.err().map(|t| val(u, t)).transpose()?.map(Box::new)))
            }
        }
        Type::Flags(f) => Val::Flags(u.arbitrary::<u32>()? & f.mask()),
        Type::Own(_) => Val::Own(u.arbitrary()?),
        Type::Borrow(_) => Val::Borrow(u.arbitrary()?),
    })
}
