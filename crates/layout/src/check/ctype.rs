//! C types as clang spells them, classified for `from_c` (typedefs followed).

use super::ast::Header;

/// A C type, as far as WIT cares.
pub(crate) enum CType {
    Int { signed: bool },
    PlainChar,
    Bool,
    Float,
    LongDouble,
    Pointer,
    Array(Box<CType>, Option<u64>),
    Record(usize),
    Enum(usize),
    Other(String),
}

/// The smallest WIT integer width that holds a bitfield.
pub(crate) fn widen(bits: u64) -> u64 {
    [8, 16, 32, 64]
        .into_iter()
        .find(|w| *w >= bits)
        .unwrap_or(64)
}

/// The element type of a (possibly nested) array.
pub(crate) fn element(ty: &CType) -> &CType {
    match ty {
        CType::Array(e, _) => element(e),
        other => other,
    }
}

/// How many elements a (possibly nested) array holds in all; 1 for a scalar.
pub(crate) fn array_len(ty: &CType) -> u64 {
    match ty {
        CType::Array(e, n) => n.unwrap_or(0) * array_len(e).max(1),
        _ => 1,
    }
}

/// The type as written, without qualifiers and array bounds (`uint8_t`).
pub(crate) fn base_spelling(ty: &str) -> String {
    let t = strip_qualifiers(ty);
    t.split('[').next().unwrap_or_default().trim().to_owned()
}

/// Types that are the same width on every C target (`char` is 8 bits on all of ours).
pub(crate) fn is_fixed_width(t: &str) -> bool {
    let fixed = [
        "bool",
        "_Bool",
        "float",
        "signed char",
        "unsigned char",
        "char",
    ];
    let intn = t
        .strip_prefix('u')
        .unwrap_or(t)
        .strip_prefix("int")
        .and_then(|r| r.strip_suffix("_t"));
    fixed.contains(&t) || matches!(intn, Some("8" | "16" | "32" | "64"))
}

/// The type without `const`, `volatile` and the like, which change no byte.
pub(crate) fn strip_qualifiers(t: &str) -> String {
    t.split_whitespace()
        .filter(|w| {
            !matches!(
                *w,
                "const" | "volatile" | "restrict" | "__restrict" | "_Atomic"
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a C type string is, following typedefs.
pub(crate) fn classify(header: &Header, ty: &str) -> CType {
    let t = strip_qualifiers(ty);
    if let Some(open) = t.strip_suffix(']').and_then(|s| s.rfind('[')) {
        let (elem, dim) = t.split_at(open);
        let n = dim
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim()
            .parse()
            .ok();
        return CType::Array(Box::new(classify(header, elem.trim())), n);
    }
    if t.contains('*') || t.contains('^') {
        return CType::Pointer;
    }
    if let Some(i) = header
        .records
        .iter()
        .position(|r| r.spelling == t || r.name == t)
    {
        return CType::Record(i);
    }
    if let Some(i) = header.enums.iter().position(|e| e.name == t) {
        return CType::Enum(i);
    }
    match t.as_str() {
        "char" => return CType::PlainChar,
        "_Bool" | "bool" => return CType::Bool,
        "float" | "double" => return CType::Float,
        "long double" => return CType::LongDouble,
        _ => {}
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let int_words = ["signed", "unsigned", "char", "short", "int", "long"];
    if !words.is_empty() && words.iter().all(|w| int_words.contains(w)) {
        return CType::Int {
            signed: !words.contains(&"unsigned"),
        };
    }
    match header.typedefs.get(t.as_str()) {
        Some(next) if *next != t => classify(header, next),
        _ => CType::Other(t),
    }
}
