//! Rust names for WIT names, as wasmtime's `bindgen!` spells them.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn ident(s: String) -> Ident {
    let s = if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    };
    Ident::new(&s, Span::call_site())
}

/// `snake_case`, for functions, fields, parameters and modules.
pub(crate) fn snake(name: &str) -> Ident {
    ident(name.to_snake_case())
}

/// `UpperCamelCase`, for types and cases.
pub(crate) fn camel(name: &str) -> Ident {
    ident(name.to_upper_camel_case())
}

/// `SHOUTY_SNAKE_CASE`, for flags.
pub(crate) fn shouty(name: &str) -> Ident {
    ident(name.to_shouty_snake_case())
}

/// A plain identifier from generated text.
pub(crate) fn raw(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}
