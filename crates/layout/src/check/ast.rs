//! The structs, enums and typedefs a header declares, read from clang's JSON AST.
//!
//! Only names and declared types come from here; every number comes from the
//! layout of each target.

use std::collections::HashMap;

use serde_json::Value;

/// `struct` or `union`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    Struct,
    Union,
}

/// A struct or union defined in the audited header.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// How reports name it: `struct foo`, `union bar`, or a typedef name for an unnamed struct.
    pub(crate) name: String,
    /// How C code names the type (`struct foo` or the typedef name).
    pub(crate) spelling: String,
    pub(crate) kind: RecordKind,
    pub(crate) fields: Vec<Field>,
    id: String,
}

/// One member of a record.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// `None` for padding bitfields and anonymous struct/union members.
    pub(crate) name: Option<String>,
    /// The type as written (`uint8_t[8]`).
    pub(crate) ty: String,
    /// The type without its outer typedef, as clang prints it.
    pub(crate) canonical: String,
    /// The declared width of a bitfield.
    pub(crate) bit_width: Option<u64>,
    /// The members of an anonymous struct or union member, reachable by name from the parent.
    pub(crate) members: Option<(RecordKind, Vec<Field>)>,
}

impl Field {
    /// The named members reachable from the enclosing record, flattening anonymous members.
    pub(crate) fn flatten<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
        for f in fields {
            match (&f.name, &f.members) {
                (None, Some((_, inner))) => Field::flatten(inner, out),
                (Some(_), _) => out.push(f),
                (None, None) => {}
            }
        }
    }

    /// A flexible array member (`int data[];`) has no size of its own.
    pub(crate) fn is_flexible(&self) -> bool {
        self.canonical.trim_end().ends_with("[]")
    }
}

/// An enum defined in the audited header.
#[derive(Debug, Clone)]
pub(crate) struct EnumDef {
    /// `enum foo`, or the typedef name of an unnamed enum.
    pub(crate) name: String,
    pub(crate) enumerators: Vec<(String, i128)>,
    id: String,
}

/// What the header declares.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) records: Vec<Record>,
    pub(crate) enums: Vec<EnumDef>,
    /// Every typedef in scope (the header's and its includes'), name → type.
    pub(crate) typedefs: HashMap<String, String>,
}

impl Header {
    /// Reads clang's `-ast-dump=json` of a translation unit that includes the header from standard input.
    pub(crate) fn from_json(root: &Value) -> Header {
        let mut header = Header::default();
        for node in children(root) {
            match kind(node) {
                "RecordDecl" if in_header(node) => header.add_record(node, None),
                "EnumDecl" if in_header(node) => header.add_enum(node),
                "TypedefDecl" => header.add_typedef(node),
                _ => {}
            }
        }
        header.records.retain(|r| !r.name.is_empty());
        header.enums.retain(|e| !e.name.is_empty());
        header
    }

    fn add_record(&mut self, node: &Value, tag: Option<RecordKind>) {
        if node.get("completeDefinition").and_then(Value::as_bool) != Some(true) {
            return;
        }
        let kind = tag.unwrap_or_else(|| record_kind(node));
        let name = str_of(node, "name").unwrap_or_default();
        let word = if kind == RecordKind::Union {
            "union"
        } else {
            "struct"
        };
        let spelled = if name.is_empty() {
            String::new()
        } else {
            format!("{word} {name}")
        };
        let fields = self.fields(node);
        self.records.push(Record {
            name: spelled.clone(),
            spelling: spelled,
            kind,
            fields,
            id: str_of(node, "id").unwrap_or_default(),
        });
    }

    /// The fields of a record; named records nested in it are file-scope in C and added too.
    fn fields(&mut self, node: &Value) -> Vec<Field> {
        let mut fields = Vec::new();
        let mut unnamed: Option<&Value> = None;
        for child in children(node) {
            match kind(child) {
                "RecordDecl" if str_of(child, "name").is_some_and(|n| !n.is_empty()) => {
                    self.add_record(child, None);
                }
                "RecordDecl" => unnamed = Some(child),
                "FieldDecl" => {
                    let name = str_of(child, "name").filter(|n| !n.is_empty());
                    let is_bitfield =
                        child.get("isBitfield").and_then(Value::as_bool) == Some(true);
                    let members = match (&name, is_bitfield, unnamed.take()) {
                        (None, false, Some(rec)) => Some((record_kind(rec), self.fields(rec))),
                        _ => None,
                    };
                    let ty = child.get("type");
                    let spelled = ty.and_then(|t| str_of(t, "qualType")).unwrap_or_default();
                    let canonical = ty
                        .and_then(|t| str_of(t, "desugaredQualType"))
                        .unwrap_or_else(|| spelled.clone());
                    fields.push(Field {
                        name,
                        ty: spelled,
                        canonical,
                        bit_width: is_bitfield.then(|| constant(child)).flatten(),
                        members,
                    });
                }
                _ => {}
            }
        }
        fields
    }

    fn add_enum(&mut self, node: &Value) {
        let mut enumerators = Vec::new();
        let mut next: i128 = 0;
        for child in children(node).filter(|c| kind(c) == "EnumConstantDecl") {
            let value = child
                .get("inner")
                .and_then(Value::as_array)
                .and_then(|inner| inner.iter().find_map(|e| str_of(e, "value")))
                .and_then(|v| v.parse::<i128>().ok())
                .unwrap_or(next);
            enumerators.push((str_of(child, "name").unwrap_or_default(), value));
            next = value.saturating_add(1);
        }
        let name = str_of(node, "name")
            .filter(|n| !n.is_empty())
            .map(|n| format!("enum {n}"))
            .unwrap_or_default();
        self.enums.push(EnumDef {
            name,
            enumerators,
            id: str_of(node, "id").unwrap_or_default(),
        });
    }

    fn add_typedef(&mut self, node: &Value) {
        let Some(name) = str_of(node, "name") else {
            return;
        };
        let ty = node.get("type");
        let target = ty
            .and_then(|t| str_of(t, "desugaredQualType"))
            .or_else(|| ty.and_then(|t| str_of(t, "qualType")))
            .unwrap_or_default();
        // `typedef struct { … } name;` gives the unnamed struct its name.
        if let Some(id) = owned_tag(node) {
            if let Some(r) = self
                .records
                .iter_mut()
                .find(|r| r.id == id && r.name.is_empty())
            {
                r.name.clone_from(&name);
                r.spelling.clone_from(&name);
            }
            if let Some(e) = self
                .enums
                .iter_mut()
                .find(|e| e.id == id && e.name.is_empty())
            {
                e.name.clone_from(&name);
            }
        }
        self.typedefs.insert(name, target);
    }
}

fn children(node: &Value) -> impl Iterator<Item = &Value> {
    node.get("inner")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn kind(node: &Value) -> &str {
    node.get("kind").and_then(Value::as_str).unwrap_or_default()
}

fn str_of(node: &Value, key: &str) -> Option<String> {
    node.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn record_kind(node: &Value) -> RecordKind {
    match node.get("tagUsed").and_then(Value::as_str) {
        Some("union") => RecordKind::Union,
        _ => RecordKind::Struct,
    }
}

/// Whether a declaration is written in the header itself (included from the probe on standard input).
fn in_header(node: &Value) -> bool {
    let Some(loc) = node.get("loc") else {
        return false;
    };
    let loc = loc.get("expansionLoc").unwrap_or(loc);
    loc.get("includedFrom")
        .and_then(|f| f.get("file"))
        .and_then(Value::as_str)
        == Some("<stdin>")
}

/// The value of the first constant expression below a node (a bitfield's width).
fn constant(node: &Value) -> Option<u64> {
    children(node).find_map(|c| {
        str_of(c, "value")
            .and_then(|v| v.parse().ok())
            .or_else(|| constant(c))
    })
}

/// The id of the struct or enum a typedef defines inline.
fn owned_tag(node: &Value) -> Option<String> {
    children(node).find_map(|c| {
        c.get("ownedTagDecl")
            .and_then(|d| str_of(d, "id"))
            .or_else(|| owned_tag(c))
    })
}
