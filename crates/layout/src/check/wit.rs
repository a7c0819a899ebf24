//! `from_c`: a WIT record proposed for an existing C struct, keeping its field
//! names and the widths the reference target's compiler gives them.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::ast::{EnumDef, Field, Header, RecordKind};
use super::ctype::{array_len, base_spelling, classify, element, is_fixed_width, widen, CType};
use super::probe::TargetLayout;
use super::target::{Compiler, REFERENCE};
use super::wit_names::{enumerators, kebab, type_name};
use super::CheckError;

/// Largest C array proposed as a `tuple`.
const MAX_TUPLE: u64 = 16;

struct Emitter<'a> {
    header: &'a Header,
    layout: &'a TargetLayout,
    /// WIT type name → the C type it was made from.
    names: HashMap<String, String>,
    /// Records and enums to emit (indices), in order; `true` for enums.
    queue: Vec<(bool, usize)>,
    out: String,
}

/// The WIT text for `wanted` structs and the records and enums they use.
pub(crate) fn propose(
    header: &Header,
    layout: &TargetLayout,
    wanted: &[String],
    shown: &str,
) -> Result<String, CheckError> {
    let mut e = Emitter {
        header,
        layout,
        names: HashMap::new(),
        queue: Vec::new(),
        out: String::new(),
    };
    for name in wanted {
        let tagged = [format!("struct {name}"), format!("union {name}")];
        let i = header
            .records
            .iter()
            .position(|r| r.name == *name || r.spelling == *name || tagged.contains(&r.name))
            .or_else(|| match classify(header, name) {
                CType::Record(i) => Some(i),
                _ => None,
            })
            .ok_or_else(|| CheckError::UnknownStruct {
                name: name.clone(),
                header: shown.into(),
                known: header
                    .records
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        e.push(false, i);
    }
    let triple = match REFERENCE.compiler {
        Compiler::Clang { triple } => triple,
        Compiler::Gcc { program, .. } => program,
    };
    let _ = writeln!(
        e.out,
        "// Proposed by `wasmbed layout from-c` from {shown}: field names kept, widths as the\n\
         // compiler lays them out on {} ({triple}). Read the comments before adopting it.",
        REFERENCE.name
    );
    let mut done = 0;
    while let Some(&(is_enum, i)) = e.queue.get(done) {
        done += 1;
        e.out.push('\n');
        match is_enum {
            false => e.record(i)?,
            true => e.enumeration(i),
        }
    }
    Ok(e.out)
}

impl Emitter<'_> {
    fn push(&mut self, is_enum: bool, i: usize) {
        if !self.queue.contains(&(is_enum, i)) {
            self.queue.push((is_enum, i));
        }
    }

    /// Claims a WIT type name for a C type, refusing two C types that map to one name.
    fn claim(&mut self, c: &str, record: &str) -> Result<String, CheckError> {
        let wit = type_name(c);
        match self.names.get(&wit) {
            Some(other) if other != c => Err(CheckError::Unportable {
                record: record.to_owned(),
                reason: format!("`{other}` and `{c}` would both be named `{wit}`"),
            }),
            _ => {
                self.names.insert(wit.clone(), c.to_owned());
                Ok(wit)
            }
        }
    }

    fn record(&mut self, i: usize) -> Result<(), CheckError> {
        let header = self.header;
        let Some(rec) = header.records.get(i) else {
            return Ok(());
        };
        let refuse = |reason: String| CheckError::Unportable {
            record: rec.name.clone(),
            reason,
        };
        if rec.kind == RecordKind::Union {
            return Err(refuse(
                "it is a union: WIT has no untagged union (a `variant` carries its tag)".into(),
            ));
        }
        let wit = self.claim(&rec.name, &rec.name)?;
        let mut body = String::new();
        let mut fields: HashMap<String, &str> = HashMap::new();
        for f in &rec.fields {
            let Some(name) = &f.name else {
                if f.members.is_some() {
                    return Err(refuse(
                        "it has an anonymous struct or union member: name it".into(),
                    ));
                }
                let w = f.bit_width.unwrap_or(0);
                let _ = writeln!(body, "    // (unnamed {w}-bit padding bitfield dropped)");
                continue;
            };
            let id = kebab(name);
            if let Some(other) = fields.insert(id.clone(), name) {
                return Err(refuse(format!(
                    "fields `{other}` and `{name}` would both be `{id}`"
                )));
            }
            let (ty, notes) = self.field(i, f, name).map_err(refuse)?;
            for note in notes {
                let _ = writeln!(body, "    // {note}");
            }
            let _ = writeln!(body, "    {id}: {ty},");
        }
        if fields.is_empty() {
            return Err(refuse(
                "it has no named field, and a WIT record needs one".into(),
            ));
        }
        let _ = writeln!(self.out, "// C `{}`", rec.name);
        let _ = write!(self.out, "record {wit} {{\n{body}}}\n");
        Ok(())
    }

    /// The WIT type of one field and the comments it needs.
    fn field(
        &mut self,
        rec: usize,
        f: &Field,
        name: &str,
    ) -> Result<(String, Vec<String>), String> {
        let pos = self
            .layout
            .records
            .get(rec)
            .and_then(|r| r.fields.iter().find(|(n, _)| n == name))
            .and_then(|(_, p)| Some((p.offset_bits, p.size_bits?)))
            .ok_or_else(|| format!("field `{name}` has no layout on {}", REFERENCE.name))?;
        let (offset_bits, size_bits) = pos;
        let ty = classify(self.header, &f.ty);
        let mut notes = Vec::new();
        if let Some(width) = f.bit_width {
            let wit = match ty {
                CType::Bool => "bool".to_owned(),
                CType::Int { .. } | CType::Enum(_) | CType::PlainChar if width == 1 => {
                    "bool".to_owned()
                }
                CType::Int { signed: true } => format!("s{}", widen(width)),
                CType::Int { .. } | CType::Enum(_) | CType::PlainChar => {
                    format!("u{}", widen(width))
                }
                _ => return Err(format!("field `{name}` is a bitfield of `{}`", f.ty)),
            };
            notes.push(format!(
                "C bitfield `{name}: {width}` (byte {}, bit {} on {}): a whole `{wit}` here; pack it yourself or use `flags`",
                offset_bits / 8,
                offset_bits % 8,
                REFERENCE.name
            ));
            return Ok((wit, notes));
        }
        let wit = self.wit_type(&ty, size_bits / 8, name, &f.ty, &mut notes)?;
        let spelled = base_spelling(&f.ty);
        if !is_fixed_width(&spelled) && matches!(element(&ty), CType::Int { .. } | CType::Float) {
            let bits = size_bits / array_len(&ty).max(1);
            notes.push(format!(
                "C `{spelled}` is {bits} bits on {}, but not on every target: see `wasmbed layout check`",
                REFERENCE.name
            ));
        }
        Ok((wit, notes))
    }

    fn wit_type(
        &mut self,
        ty: &CType,
        bytes: u64,
        name: &str,
        spelled: &str,
        notes: &mut Vec<String>,
    ) -> Result<String, String> {
        let int = |signed: bool| match bytes {
            1 | 2 | 4 | 8 => Ok(format!("{}{}", if signed { 's' } else { 'u' }, bytes * 8)),
            _ => Err(format!(
                "field `{name}` is a {}-byte integer, which WIT has no type for",
                bytes
            )),
        };
        match ty {
            CType::Int { signed } => int(*signed),
            CType::PlainChar => {
                notes.push("C `char` is signed on some targets and unsigned on others: proposed as `u8`".into());
                Ok("u8".into())
            }
            CType::Bool => Ok("bool".into()),
            CType::Float if bytes == 4 => Ok("f32".into()),
            CType::Float if bytes == 8 => Ok("f64".into()),
            CType::Float | CType::LongDouble => {
                Err(format!("field `{name}` is `{spelled}` ({bytes} bytes), which WIT has no float for"))
            }
            CType::Pointer => Err(format!(
                "field `{name}` is a pointer (`{spelled}`): an address means nothing outside one address space"
            )),
            CType::Array(_, None) | CType::Array(_, Some(0)) => {
                Err(format!("field `{name}` is a flexible or empty array, which has no WIT counterpart"))
            }
            CType::Array(_, Some(n)) if *n > MAX_TUPLE => Err(format!(
                "field `{name}` is an array of {n} elements: WIT has no fixed-size array, and tuples above {MAX_TUPLE} are unwieldy (use `list<…>` or split it)"
            )),
            CType::Array(elem, Some(n)) => {
                let one = self.wit_type(elem, bytes / n, name, spelled, notes)?;
                let items = vec![one; usize::try_from(*n).unwrap_or(0)];
                Ok(format!("tuple<{}>", items.join(", ")))
            }
            CType::Record(i) => {
                let rec = self.header.records.get(*i).ok_or_else(|| format!("field `{name}`: no record"))?;
                if rec.kind == RecordKind::Union {
                    return Err(format!(
                        "field `{name}` is a union (`{}`): WIT has no untagged union",
                        rec.name
                    ));
                }
                self.push(false, *i);
                Ok(type_name(&rec.name))
            }
            CType::Enum(i) => {
                let e = self.header.enums.get(*i).ok_or_else(|| format!("field `{name}`: no enum"))?;
                if is_dense(e) {
                    self.push(true, *i);
                    notes.push(format!(
                        "C `{}` is {bytes} bytes on {}; a WIT enum takes the fewest bytes that hold its cases",
                        e.name,
                        REFERENCE.name
                    ));
                    return Ok(type_name(&e.name));
                }
                let cases: Vec<String> = e.enumerators.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                notes.push(format!(
                    "C `{}` is {} bits on {}, but not on every target; its values: {}",
                    e.name,
                    bytes * 8,
                    REFERENCE.name,
                    cases.join(", ")
                ));
                int(e.enumerators.iter().any(|(_, v)| *v < 0))
            }
            CType::Other(t) if t.contains("(unnamed") || t.contains("(anonymous") => {
                Err(format!("field `{name}` has an unnamed struct type: name the struct"))
            }
            CType::Other(t) => Err(format!("field `{name}` has type `{t}`, which has no WIT counterpart")),
        }
    }

    fn enumeration(&mut self, i: usize) {
        let Some(e) = self.header.enums.get(i) else {
            return;
        };
        let names: Vec<&str> = e.enumerators.iter().map(|(n, _)| n.as_str()).collect();
        let cases = enumerators(&names);
        let wit = type_name(&e.name);
        self.names.insert(wit.clone(), e.name.clone());
        let _ = writeln!(self.out, "// C `{}`", e.name);
        let _ = writeln!(self.out, "enum {wit} {{");
        for (case, c) in cases.iter().zip(&names) {
            let _ = writeln!(self.out, "    {case}, // {c}");
        }
        let _ = writeln!(self.out, "}}");
    }
}

/// Values 0, 1, 2, … in order: what a WIT enum can stand for.
fn is_dense(e: &EnumDef) -> bool {
    !e.enumerators.is_empty()
        && e.enumerators
            .iter()
            .enumerate()
            .all(|(i, (_, v))| i128::try_from(i) == Ok(*v))
}
