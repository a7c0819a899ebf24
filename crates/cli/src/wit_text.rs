//! Types and functions written as WIT, for `inspect`.

use wasmbed::{Type, World};
use wasmbed_abi::FuncType;

/// `ty` as WIT writes it (records and variants spelled out).
pub(crate) fn ty(world: &World, t: &Type) -> String {
    let list = |ts: Vec<String>| ts.join(", ");
    match t {
        Type::List(l) => format!("list<{}>", ty(world, l.elem())),
        Type::Option(o) => format!("option<{}>", ty(world, o.some())),
        Type::Result(r) => match (r.ok(), r.err()) {
            (None, None) => "result".into(),
            (Some(o), None) => format!("result<{}>", ty(world, o)),
            (o, Some(e)) => format!(
                "result<{}, {}>",
                o.map_or("_".into(), |o| ty(world, o)),
                ty(world, e)
            ),
        },
        Type::Tuple(tt) => format!(
            "tuple<{}>",
            list(tt.fields().map(|(t, _)| ty(world, t)).collect())
        ),
        Type::Record(r) => format!(
            "record {{ {} }}",
            list(
                r.fields()
                    .map(|(n, t, _)| format!("{n}: {}", ty(world, t)))
                    .collect()
            )
        ),
        Type::Variant(v) => format!(
            "variant {{ {} }}",
            list(
                v.cases()
                    .map(|(n, t)| match t {
                        Some(t) => format!("{n}({})", ty(world, t)),
                        None => n.to_string(),
                    })
                    .collect()
            )
        ),
        Type::Enum(e) => format!(
            "enum {{ {} }}",
            list(e.names().map(str::to_string).collect())
        ),
        Type::Flags(f) => format!(
            "flags {{ {} }}",
            list(f.names().map(str::to_string).collect())
        ),
        Type::Own(r) | Type::Borrow(r) => {
            let name = world
                .resources
                .get(r.0 as usize)
                .map_or("?", |r| r.name.as_str());
            if matches!(t, Type::Own(_)) {
                name.to_string()
            } else {
                format!("borrow<{name}>")
            }
        }
        other => other.kind().to_string(),
    }
}

/// `func(…) -> …` for a function type.
pub(crate) fn func(world: &World, f: &FuncType) -> String {
    let params: Vec<String> = f.params().iter().map(|p| ty(world, p)).collect();
    match f.result() {
        Some(r) => format!("func({}) -> {}", params.join(", "), ty(world, r)),
        None => format!("func({})", params.join(", ")),
    }
}
