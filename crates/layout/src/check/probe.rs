//! Asking one target's compiler where every field of every record lies.
//!
//! Clang dumps its record layouts; a small generated C file (the probe) makes
//! it lay out every record and every field's type. GCC has no such dump, so
//! its probe is a table of `offsetof`/`sizeof` constants compiled to assembly,
//! plus one all-ones constant per bitfield whose set bits give its place.

use std::fmt::Write as _;

use super::ast::{Field, Header};
use super::compiler::{compile, CompileOptions, HeaderPath};
use super::target::{Compiler, Target};
use super::{asm, dump, CheckError};

/// Where a field lies on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// Offset from the start of the struct, in bits (bit-exact for bitfields).
    pub offset_bits: u64,
    /// Size in bits: the type's size, or a bitfield's width. `None` when the
    /// compiler placed a field that the reference target's AST does not have
    /// (conditional compilation), so no probe asked for its size.
    pub size_bits: Option<u64>,
    /// Whether the field is a bitfield.
    pub bitfield: bool,
    /// Whether bitfields are allocated from the most significant bit (big-endian targets).
    pub msb_first: bool,
}

/// One record's layout on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordLayout {
    pub(crate) size: u64,
    pub(crate) align: u64,
    /// Named fields in declaration order, members of anonymous members flattened.
    pub(crate) fields: Vec<(String, Position)>,
}

/// Every record's layout on one target, indexed like [`Header::records`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetLayout {
    pub(crate) big_endian: bool,
    pub(crate) records: Vec<RecordLayout>,
}

/// Compiles the probe for `target` and reads the layouts back.
pub(crate) fn layout(
    target: &Target,
    header: &Header,
    path: &HeaderPath,
    opts: &CompileOptions,
) -> Result<TargetLayout, CheckError> {
    let bad = |what: String| CheckError::Output {
        compiler: target.compiler.program().to_owned(),
        target: target.name.to_owned(),
        what,
    };
    match target.compiler {
        Compiler::Clang { .. } => {
            let source = clang_probe(header, path);
            let out = compile(
                target,
                path,
                opts,
                &["-Xclang", "-fdump-record-layouts"],
                &source,
            )?;
            dump::read(&out, header).map_err(bad)
        }
        Compiler::Gcc { .. } => {
            let source = gcc_probe(header, path);
            let out = compile(target, path, opts, &["-O0"], &source)?;
            asm::read(&out, header).map_err(bad)
        }
    }
}

/// The named fields of a record, as the probes index them.
pub(crate) fn named_fields(fields: &[Field]) -> Vec<&Field> {
    let mut out = Vec::new();
    Field::flatten(fields, &mut out);
    out
}

fn prelude(path: &HeaderPath) -> String {
    // `#pragma pack()` undoes a pack the header may leave on, which would pack the probes too.
    format!("{}\n#pragma pack()\n", path.include_line())
}

/// `struct wasmbed_rI { T v; }` lays out record I; `struct wasmbed_rI_fJ { typeof(field J) v; }`
/// gives field J's size; `wasmbed_endian` is 2 bytes on a big-endian target.
fn clang_probe(header: &Header, path: &HeaderPath) -> String {
    let mut s = prelude(path);
    let use_it = |s: &mut String, name: &str, body: &str| {
        let _ = writeln!(s, "struct {name} {{ {body} }};");
        let _ = writeln!(s, "typedef char {name}_use[sizeof(struct {name})];");
    };
    use_it(
        &mut s,
        "wasmbed_endian",
        "char v[__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 2 : 1];",
    );
    for (i, record) in header.records.iter().enumerate() {
        let ty = &record.spelling;
        use_it(&mut s, &format!("wasmbed_r{i}"), &format!("{ty} v;"));
        for (j, field) in named_fields(&record.fields).into_iter().enumerate() {
            if field.bit_width.is_some() || field.is_flexible() {
                continue;
            }
            let name = field.name.as_deref().unwrap_or_default();
            let body = format!("__typeof__((({ty} *)0)->{name}) v;");
            use_it(&mut s, &format!("wasmbed_r{i}_f{j}"), &body);
        }
    }
    s
}

/// `wasmbed_probe[]` holds: big-endian flag, then per record its size and
/// alignment and per non-bit field its offset and size. `wasmbed_bI_J` is
/// record I with bitfield J set to all ones.
fn gcc_probe(header: &Header, path: &HeaderPath) -> String {
    let mut s = prelude(path);
    let mut bits = String::new();
    s.push_str("const unsigned long wasmbed_probe[] = {\n");
    s.push_str("    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,\n");
    for (i, record) in header.records.iter().enumerate() {
        let ty = &record.spelling;
        let _ = writeln!(s, "    sizeof({ty}), _Alignof({ty}),");
        for (j, field) in named_fields(&record.fields).into_iter().enumerate() {
            let name = field.name.as_deref().unwrap_or_default();
            if field.bit_width.is_some() {
                let _ = writeln!(
                    bits,
                    "const union {{ {ty} s; unsigned char b[sizeof({ty})]; }} \
                     wasmbed_b{i}_{j} = {{ .s = {{ .{name} = -1 }} }};"
                );
                continue;
            }
            let size = if field.is_flexible() {
                "0".to_owned()
            } else {
                format!("sizeof((({ty} *)0)->{name})")
            };
            let _ = writeln!(s, "    __builtin_offsetof({ty}, {name}), {size},");
        }
    }
    s.push_str("};\n");
    s.push_str(&bits);
    s
}
