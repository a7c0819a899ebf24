//! Whether a type's bytes are all inside the value, or point elsewhere in a guest's memory.

use wasmbed_abi::{Type, TypeKind};

/// Why `ty` has no fixed-size layout, or `None` when it has one.
///
/// Strings and lists point into one guest's memory and handles index one
/// guest's tables; `allow_guest_pointers` accepts them in their
/// (pointer, length) and index forms.
pub(crate) fn why_not_fixed(ty: &Type, allow_guest_pointers: bool) -> Option<String> {
    if allow_guest_pointers {
        return None;
    }
    let mut path = Vec::new();
    let kind = find(ty, &mut path)?;
    let place = if path.is_empty() {
        String::from("it")
    } else {
        format!("field `{}`", path.join("."))
    };
    Some(match kind {
        TypeKind::Own | TypeKind::Borrow => format!(
            "{place} is {} `{kind}` handle (use --allow-guest-pointers for its handle index)",
            if kind == TypeKind::Own { "an" } else { "a" }
        ),
        _ => format!(
            "{place} is a `{kind}` (use --allow-guest-pointers for its (pointer, length) form)"
        ),
    })
}

/// The first string, list or handle inside `ty`, with the path of names leading to it.
fn find(ty: &Type, path: &mut Vec<String>) -> Option<TypeKind> {
    let mut within = |name: String, ty: &Type| {
        path.push(name);
        let found = find(ty, path);
        if found.is_none() {
            path.pop();
        }
        found
    };
    match ty {
        Type::String | Type::List(_) | Type::Own(_) | Type::Borrow(_) => Some(ty.kind()),
        Type::Record(r) => r.fields().find_map(|(n, t, _)| within(n.into(), t)),
        Type::Tuple(t) => t
            .fields()
            .enumerate()
            .find_map(|(i, (t, _))| within(i.to_string(), t)),
        Type::Variant(v) => v
            .cases()
            .find_map(|(n, t)| t.and_then(|t| within(n.into(), t))),
        Type::Option(o) => within("some".into(), o.some()),
        Type::Result(r) => r
            .ok()
            .and_then(|t| within("ok".into(), t))
            .or_else(|| r.err().and_then(|t| within("err".into(), t))),
        _ => None,
    }
}
