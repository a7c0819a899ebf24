//! What shrinking needs to know about a module, read in one pass over a
//! module that has already been validated.

use std::collections::BTreeMap;

use wasmparser::{
    ConstExpr, DataKind, ExternalKind, KnownCustom, MemoryType, Name, Operator, Parser, Payload,
    TypeRef, ValType,
};

use crate::ShrinkError;

/// A defined global: its type and its initial value when that is an `i32.const`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Global {
    /// The value type.
    pub(crate) ty: ValType,
    /// Whether `global.set` may change it.
    pub(crate) mutable: bool,
    /// The initial value, if an `i32.const`.
    pub(crate) init: Option<i32>,
}

/// The facts about a module that shrinking decides from.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Imported functions (they come first in the function index space).
    pub(crate) imported_funcs: u32,
    /// Defined functions.
    pub(crate) defined_funcs: u32,
    /// Entries in the type index space.
    pub(crate) types: u32,
    /// Imported globals (they come first in the global index space).
    pub(crate) imported_globals: u32,
    /// Defined globals, in order.
    pub(crate) globals: Vec<Global>,
    /// Imported memories.
    pub(crate) imported_memories: u32,
    /// Defined memories.
    pub(crate) memories: Vec<MemoryType>,
    /// Lowest start of an active data segment.
    pub(crate) data_start: Option<u64>,
    /// Highest end of an active data segment (0 without any).
    pub(crate) data_end: u64,
    /// The first active data segment whose offset is not a constant.
    pub(crate) data_offset_not_const: Option<u32>,
    /// Exported globals by name.
    pub(crate) exported_globals: BTreeMap<String, u32>,
    /// Global names from the `name` section; `None` without that subsection.
    pub(crate) global_names: Option<BTreeMap<u32, String>>,
    /// Function names from the `name` section.
    pub(crate) func_names: BTreeMap<u32, String>,
    /// The first function executing `memory.grow` or `memory.size`, and which.
    pub(crate) grows: Option<(u32, &'static str)>,
    /// For each global that some function sets, those functions (function indices).
    pub(crate) setters: BTreeMap<u32, Vec<u32>>,
    /// A `linking` or `reloc.*` custom section, if any.
    pub(crate) relocatable: Option<String>,
}

impl Facts {
    /// A global by name: exported, or else named in the `name` section.
    pub(crate) fn named(&self, name: &str) -> Option<u32> {
        self.exported_globals.get(name).copied().or_else(|| {
            self.global_names
                .as_ref()?
                .iter()
                .find(|(_, n)| n.as_str() == name)
                .map(|(i, _)| *i)
        })
    }

    /// A defined global, by its index in the global index space.
    pub(crate) fn global(&self, index: u32) -> Option<&Global> {
        let defined = index.checked_sub(self.imported_globals)?;
        self.globals.get(defined as usize)
    }
}

/// The value of a constant expression that is exactly one `i32.const`.
pub(crate) fn const_i32(expr: &ConstExpr<'_>) -> Option<i32> {
    let mut ops = expr.get_operators_reader();
    let value = match ops.read().ok()? {
        Operator::I32Const { value } => value,
        _ => return None,
    };
    match ops.read().ok()? {
        Operator::End if ops.eof() => Some(value),
        _ => None,
    }
}

/// Reads the facts of `wasm`.
pub(crate) fn scan(wasm: &[u8]) -> Result<Facts, ShrinkError> {
    let bad = |e: wasmparser::BinaryReaderError| ShrinkError::Invalid(e.to_string());
    let mut f = Facts::default();
    let mut next_func = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(bad)? {
            Payload::TypeSection(r) => {
                for group in r {
                    f.types += group.map_err(bad)?.types().len() as u32;
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    match import.map_err(bad)?.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => f.imported_funcs += 1,
                        TypeRef::Global(_) => f.imported_globals += 1,
                        TypeRef::Memory(_) => f.imported_memories += 1,
                        _ => {}
                    }
                }
                next_func = f.imported_funcs;
            }
            Payload::FunctionSection(r) => f.defined_funcs = r.count(),
            Payload::MemorySection(r) => {
                for m in r {
                    f.memories.push(m.map_err(bad)?);
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.map_err(bad)?;
                    f.globals.push(Global {
                        ty: g.ty.content_type,
                        mutable: g.ty.mutable,
                        init: const_i32(&g.init_expr),
                    });
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(bad)?;
                    if e.kind == ExternalKind::Global {
                        f.exported_globals.insert(e.name.into(), e.index);
                    }
                }
            }
            Payload::DataSection(r) => {
                for (i, d) in r.into_iter().enumerate() {
                    let d = d.map_err(bad)?;
                    let DataKind::Active { offset_expr, .. } = d.kind else {
                        continue;
                    };
                    let Some(start) = const_i32(&offset_expr) else {
                        f.data_offset_not_const.get_or_insert(i as u32);
                        continue;
                    };
                    let start = u64::from(start as u32);
                    f.data_start = Some(f.data_start.map_or(start, |s| s.min(start)));
                    f.data_end = f.data_end.max(start + d.data.len() as u64);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let func = next_func;
                next_func += 1;
                let mut ops = body.get_operators_reader().map_err(bad)?;
                while !ops.eof() {
                    match ops.read().map_err(bad)? {
                        Operator::MemoryGrow { .. } => {
                            f.grows.get_or_insert((func, "memory.grow"));
                        }
                        Operator::MemorySize { .. } => {
                            f.grows.get_or_insert((func, "memory.size"));
                        }
                        Operator::GlobalSet { global_index } => {
                            let setters = f.setters.entry(global_index).or_default();
                            if setters.last() != Some(&func) {
                                setters.push(func);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Payload::CustomSection(c) => match c.as_known() {
                KnownCustom::Name(names) => read_names(&mut f, names)?,
                _ if c.name() == "linking" || c.name().starts_with("reloc.") => {
                    f.relocatable.get_or_insert_with(|| c.name().into());
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(f)
}

/// The function and global names of a `name` section.
fn read_names(f: &mut Facts, names: wasmparser::NameSectionReader<'_>) -> Result<(), ShrinkError> {
    let bad = |e: wasmparser::BinaryReaderError| ShrinkError::Invalid(e.to_string());
    for sub in names {
        let (map, globals) = match sub.map_err(bad)? {
            Name::Function(map) => (map, false),
            Name::Global(map) => (map, true),
            _ => continue,
        };
        let mut out = BTreeMap::new();
        for naming in map {
            let naming = naming.map_err(bad)?;
            out.insert(naming.index, naming.name.to_string());
        }
        match globals {
            true => f.global_names = Some(out),
            false => f.func_names = out,
        }
    }
    Ok(())
}
