//! Identifiers for C and Rust from WIT's kebab-case names.

use std::collections::HashSet;

/// C11 keywords, C23's new ones, and names the header itself relies on.
const C_RESERVED: &[&str] = &[
    "alignas",
    "alignof",
    "auto",
    "bool",
    "break",
    "case",
    "char",
    "const",
    "constexpr",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "false",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "nullptr",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "struct",
    "switch",
    "thread_local",
    "true",
    "typedef",
    "typeof",
    "typeof_unqual",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
];

/// Rust keywords (strict, reserved and edition-dependent).
const RUST_RESERVED: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `kebab-case` to `snake_case`.
pub(crate) fn snake(kebab: &str) -> String {
    kebab.replace('-', "_").to_ascii_lowercase()
}

/// `kebab-case` to `SHOUTY_CASE`.
pub(crate) fn shouty(kebab: &str) -> String {
    kebab.replace('-', "_").to_ascii_uppercase()
}

/// `kebab-case` (or `snake_case`) to `UpperCamelCase`.
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split(['-', '_']).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// A C member name for a WIT field or case: snake case, keywords get a trailing `_`.
pub(crate) fn c_member(kebab: &str) -> String {
    escape(snake(kebab), C_RESERVED)
}

/// A C name for a variant case: as [`c_member`], and `tag` is taken by the discriminant's accessors.
pub(crate) fn c_case(kebab: &str) -> String {
    match c_member(kebab) {
        name if name == "tag" => name + "_",
        name => name,
    }
}

/// A Rust field or method-suffix name: snake case, keywords get a trailing `_`.
pub(crate) fn rust_member(kebab: &str) -> String {
    escape(snake(kebab), RUST_RESERVED)
}

/// A Rust associated constant for a case or label; `ALIGN` and `CASES` are taken.
pub(crate) fn rust_const(kebab: &str) -> String {
    let name = shouty(kebab);
    match name.as_str() {
        "ALIGN" | "CASES" => name + "_",
        _ => name,
    }
}

fn escape(name: String, reserved: &[&str]) -> String {
    if reserved.contains(&name.as_str()) {
        name + "_"
    } else {
        name
    }
}

/// Hands out item names, each once: a clash is qualified, then numbered.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    taken: HashSet<String>,
}

impl Registry {
    /// Takes `name` (snake case) for good.
    pub(crate) fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// `name` if free, else `qualifier_name` (when given), else `name_2`, `name_3`, ….
    pub(crate) fn claim(&mut self, name: String, qualifier: Option<&str>) -> String {
        let mut candidates = vec![name.clone()];
        if let Some(q) = qualifier {
            candidates.push(format!("{q}_{name}"));
        }
        for c in candidates {
            if self.taken.insert(c.clone()) {
                return c;
            }
        }
        let mut n = 2u32;
        loop {
            let c = format!("{name}_{n}");
            if self.taken.insert(c.clone()) {
                return c;
            }
            n += 1;
        }
    }
}
