//! C identifiers to WIT identifiers: kebab-case, keywords escaped.

/// Words that wit-parser reads as keywords; a name equal to one is written `%name`.
const KEYWORDS: &[&str] = &[
    "use",
    "type",
    "func",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "resource",
    "own",
    "borrow",
    "record",
    "flags",
    "variant",
    "enum",
    "bool",
    "string",
    "option",
    "result",
    "future",
    "stream",
    "error-context",
    "list",
    "map",
    "as",
    "from",
    "static",
    "interface",
    "tuple",
    "world",
    "import",
    "export",
    "package",
    "constructor",
    "include",
    "with",
    "async",
];

/// `sensorValue`, `sensor_value` and `SENSOR_VALUE` all become `sensor-value`.
pub(crate) fn kebab(c: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in c.split('_') {
        let chars: Vec<char> = part.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut word = String::new();
        for (i, &ch) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j));
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| {
                ((p.is_ascii_lowercase() || p.is_ascii_digit()) && ch.is_ascii_uppercase())
                    || (p.is_ascii_uppercase()
                        && ch.is_ascii_uppercase()
                        && next.is_some_and(char::is_ascii_lowercase))
            });
            if boundary && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(ch.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    let mut id = words.join("-");
    if id.is_empty() {
        id.push_str("unnamed");
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.insert(0, 'n');
    }
    if KEYWORDS.contains(&id.as_str()) {
        id.insert(0, '%');
    }
    id
}

/// A type's WIT name: the C name without `struct `/`enum ` and without a `_t` suffix.
pub(crate) fn type_name(c: &str) -> String {
    let bare = c
        .strip_prefix("struct ")
        .or_else(|| c.strip_prefix("enum "))
        .or_else(|| c.strip_prefix("union "))
        .unwrap_or(c);
    let bare = bare
        .strip_suffix("_t")
        .filter(|b| !b.is_empty())
        .unwrap_or(bare);
    kebab(bare)
}

/// Enumerator names without the prefix they all share (`COLOR_RED` → `red`).
pub(crate) fn enumerators(names: &[&str]) -> Vec<String> {
    let split: Vec<Vec<&str>> = names.iter().map(|n| n.split('_').collect()).collect();
    let mut shared = 0;
    if names.len() > 1 {
        while split.iter().all(|words| {
            words.len() > shared + 1
                && words.get(shared) == split.first().and_then(|w| w.get(shared))
                && words
                    .get(shared + 1)
                    .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
        }) {
            shared += 1;
        }
    }
    split
        .iter()
        .map(|words| kebab(&words.get(shared..).unwrap_or_default().join("_")))
        .collect()
}
