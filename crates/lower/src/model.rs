//! A component's top level read into index spaces: what each core module
//! instance is given, where each core function comes from, and what the
//! component imports and exports by name. Nothing is fused here.

use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind, ComponentInstance,
    ComponentOuterAliasKind, ComponentType, ComponentTypeRef, ExternalKind, Instance,
    InstantiationArgKind, Parser, Payload,
};

use crate::Error;

/// The canonical options of a lift or a lower, as indices into core spaces.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    pub(crate) memory: Option<u32>,
    pub(crate) realloc: Option<u32>,
    pub(crate) post_return: Option<u32>,
}

/// A core instance.
#[derive(Debug)]
pub(crate) enum CoreInstance<'a> {
    /// Module `module` instantiated with these named instances.
    Module {
        module: u32,
        args: Vec<(&'a str, u32)>,
    },
    /// A bag of core items, each `(name, kind, index)`.
    Bag(Vec<(&'a str, ExternalKind, u32)>),
}

/// Where a core function comes from.
#[derive(Debug)]
pub(crate) enum CoreFunc<'a> {
    /// An export of a core instance.
    Export { instance: u32, name: &'a str },
    /// A component function lowered with these options.
    Lower { func: u32, options: Options },
    /// `resource.drop` of component type `ty`.
    ResourceDrop { ty: u32 },
    /// `resource.new` of component type `ty` (a resource the component defines).
    ResourceNew { ty: u32 },
    /// `resource.rep` of component type `ty` (a resource the component defines).
    ResourceRep { ty: u32 },
}

/// Where a component function comes from.
#[derive(Debug)]
pub(crate) enum CompFunc<'a> {
    /// Imported: `owner` is the imported instance's name, `None` for the world.
    Import {
        owner: Option<&'a str>,
        name: &'a str,
    },
    /// A core function lifted with these options.
    Lift { core: u32, options: Options },
    /// The same function as another index (an export gives a new index).
    Same(u32),
    /// Something the lowering does not follow (an export of an instance it
    /// does not know).
    Other,
}

/// A component instance.
#[derive(Debug)]
pub(crate) enum CompInstance<'a> {
    /// Imported under this name.
    Import(&'a str),
    /// A bag of component items `(name, kind, index)`.
    Bag(Vec<(&'a str, ComponentExternalKind, u32)>),
    /// Something else (an export re-indexed, say).
    Other,
}

/// A component type, as far as resources need.
#[derive(Debug)]
pub(crate) enum CompType<'a> {
    /// Resource `name` of the imported instance `owner` (`None` for the world).
    ImportedResource {
        owner: Option<&'a str>,
        name: &'a str,
    },
    /// A resource the component defines (it exports it), with its destructor's core function.
    Defined { dtor: Option<u32> },
    /// The same type as another index (an export gives a new index).
    Same(u32),
    /// Any other type.
    Other,
}

/// A nested component that only re-exports what it is given, under type
/// ascriptions (wit-component wraps each exported interface in one): each
/// export's name and the import it passes on.
#[derive(Debug)]
pub(crate) struct Shim<'a> {
    exports: Vec<(&'a str, ComponentExternalKind, &'a str)>,
}

impl<'a> Shim<'a> {
    /// Reads a nested component; refuses one that does more than re-export.
    fn read(bytes: &'a [u8]) -> Result<Shim<'a>, Error> {
        let not_shim = || Error::Unsupported("nested components beyond re-exports".into());
        // The function index space: `Some(import name)` for a function it imports.
        let mut funcs: Vec<Option<&'a str>> = Vec::new();
        // The type index space, the same way (types it defines are `None`).
        let mut types: Vec<Option<&'a str>> = Vec::new();
        let mut exports = Vec::new();
        let mut depth = 0usize;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(malformed)?;
            if depth > 0 {
                if let Payload::End(_) = payload {
                    depth -= 1;
                }
                continue;
            }
            match payload {
                Payload::ComponentImportSection(r) => {
                    for i in r {
                        let i = i.map_err(malformed)?;
                        match i.ty {
                            ComponentTypeRef::Func(_) => funcs.push(Some(i.name.name)),
                            ComponentTypeRef::Type(_) => types.push(Some(i.name.name)),
                            _ => {}
                        }
                    }
                }
                Payload::ComponentExportSection(r) => {
                    for e in r {
                        let e = e.map_err(malformed)?;
                        match e.kind {
                            ComponentExternalKind::Func => {
                                let from = funcs
                                    .get(e.index as usize)
                                    .copied()
                                    .flatten()
                                    .ok_or_else(not_shim)?;
                                exports.push((e.name.name, e.kind, from));
                                funcs.push(Some(from));
                            }
                            ComponentExternalKind::Type => {
                                let from = types.get(e.index as usize).copied().flatten();
                                // A type it defines itself (a record, say) names no resource.
                                if let Some(from) = from {
                                    exports.push((e.name.name, e.kind, from));
                                }
                                types.push(from);
                            }
                            _ => {}
                        }
                    }
                }
                Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                    return Err(not_shim())
                }
                Payload::ComponentCanonicalSection(_)
                | Payload::InstanceSection(_)
                | Payload::ComponentInstanceSection(_) => return Err(not_shim()),
                Payload::ComponentAliasSection(r) => {
                    for a in r {
                        match a.map_err(malformed)? {
                            ComponentAlias::InstanceExport {
                                kind: ComponentExternalKind::Func,
                                ..
                            } => funcs.push(None),
                            ComponentAlias::InstanceExport {
                                kind: ComponentExternalKind::Type,
                                ..
                            }
                            | ComponentAlias::Outer {
                                kind: ComponentOuterAliasKind::Type,
                                ..
                            } => types.push(None),
                            _ => {}
                        }
                    }
                }
                Payload::ComponentTypeSection(r) => {
                    for _ in 0..r.count() {
                        types.push(None);
                    }
                }
                _ => {}
            }
        }
        Ok(Shim { exports })
    }
}

/// The component's top level.
#[derive(Debug, Default)]
pub(crate) struct Model<'a> {
    pub(crate) modules: Vec<&'a [u8]>,
    pub(crate) components: Vec<Shim<'a>>,
    pub(crate) core_instances: Vec<CoreInstance<'a>>,
    pub(crate) core_funcs: Vec<CoreFunc<'a>>,
    /// Memories, tables and globals: each an export of a core instance.
    pub(crate) core_memories: Vec<(u32, &'a str)>,
    pub(crate) core_tables: Vec<(u32, &'a str)>,
    pub(crate) core_globals: Vec<(u32, &'a str)>,
    pub(crate) funcs: Vec<CompFunc<'a>>,
    pub(crate) instances: Vec<CompInstance<'a>>,
    pub(crate) types: Vec<CompType<'a>>,
    /// Top-level exports: `(name, kind, index)`.
    pub(crate) exports: Vec<(&'a str, ComponentExternalKind, u32)>,
}

fn options(opts: &[CanonicalOption], what: &str) -> Result<Options, Error> {
    let mut o = Options::default();
    for opt in opts {
        match opt {
            CanonicalOption::UTF8 => {}
            CanonicalOption::UTF16 | CanonicalOption::CompactUTF16 => {
                return Err(Error::Unsupported(format!(
                    "{what}: string encodings other than UTF-8"
                )))
            }
            CanonicalOption::Memory(m) => o.memory = Some(*m),
            CanonicalOption::Realloc(r) => o.realloc = Some(*r),
            CanonicalOption::PostReturn(p) => o.post_return = Some(*p),
            CanonicalOption::Async | CanonicalOption::Callback(_) => {
                return Err(Error::Unsupported(format!("{what}: async")))
            }
            CanonicalOption::CoreType(_) | CanonicalOption::Gc => {
                return Err(Error::Unsupported(format!("{what}: GC options")))
            }
        }
    }
    Ok(o)
}

impl<'a> Model<'a> {
    /// Reads `bytes`, a component; refuses what the lowering cannot express.
    pub(crate) fn read(bytes: &'a [u8]) -> Result<Model<'a>, Error> {
        let mut m = Model::default();
        // Depth inside a core module's own payloads, which are skipped here.
        let mut depth = 0usize;
        let mut is_component = false;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| Error::Malformed(e.to_string()))?;
            if depth > 0 {
                if let Payload::End(_) = payload {
                    depth -= 1;
                }
                continue;
            }
            match payload {
                Payload::Version { encoding, .. } => {
                    is_component = encoding == wasmparser::Encoding::Component;
                    if !is_component {
                        return Err(Error::NotAComponent);
                    }
                }
                Payload::ModuleSection {
                    unchecked_range, ..
                } => {
                    let (start, end) =
                        (unchecked_range.start as usize, unchecked_range.end as usize);
                    let module = bytes
                        .get(start..end)
                        .ok_or_else(|| Error::Malformed("a module past the end".into()))?;
                    m.modules.push(module);
                    depth += 1;
                }
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    let (start, end) =
                        (unchecked_range.start as usize, unchecked_range.end as usize);
                    let nested = bytes
                        .get(start..end)
                        .ok_or_else(|| Error::Malformed("a component past the end".into()))?;
                    m.components.push(Shim::read(nested)?);
                    depth += 1;
                }
                Payload::InstanceSection(r) => {
                    for i in r {
                        m.core_instance(i.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentAliasSection(r) => {
                    for a in r {
                        m.alias(a.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentCanonicalSection(r) => {
                    for c in r {
                        m.canonical(c.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentImportSection(r) => {
                    for i in r {
                        let i = i.map_err(malformed)?;
                        m.import(i.name.name, i.ty)?;
                    }
                }
                Payload::ComponentExportSection(r) => {
                    for e in r {
                        let e = e.map_err(malformed)?;
                        m.exports.push((e.name.name, e.kind, e.index));
                        // An export is a new index in its space too.
                        m.push_alias_like(e.kind, e.index);
                    }
                }
                Payload::ComponentInstanceSection(r) => {
                    for i in r {
                        match i.map_err(malformed)? {
                            ComponentInstance::FromExports(items) => {
                                m.instances.push(CompInstance::Bag(
                                    items
                                        .iter()
                                        .map(|e| (e.name.name, e.kind, e.index))
                                        .collect(),
                                ))
                            }
                            ComponentInstance::Instantiate {
                                component_index,
                                args,
                            } => {
                                let shim = m.components.get(component_index as usize).ok_or_else(
                                    || Error::Malformed(format!("no component {component_index}")),
                                )?;
                                let mut items = Vec::new();
                                for (name, kind, import) in &shim.exports {
                                    let arg = args.iter().find(|a| a.name == *import).ok_or_else(
                                        || Error::Malformed(format!("no argument `{import}`")),
                                    )?;
                                    if arg.kind != *kind {
                                        return Err(Error::Malformed(format!(
                                            "argument `{import}` is of another kind"
                                        )));
                                    }
                                    items.push((*name, arg.kind, arg.index));
                                }
                                m.instances.push(CompInstance::Bag(items));
                            }
                        }
                    }
                }
                Payload::ComponentTypeSection(r) => {
                    for t in r {
                        m.types.push(match t.map_err(malformed)? {
                            ComponentType::Resource { dtor, .. } => CompType::Defined { dtor },
                            _ => CompType::Other,
                        });
                    }
                }
                Payload::ComponentStartSection { .. } => {
                    return Err(Error::Unsupported("component start functions".into()))
                }
                _ => {}
            }
        }
        if !is_component {
            return Err(Error::NotAComponent);
        }
        Ok(m)
    }

    fn core_instance(&mut self, i: Instance<'a>) -> Result<(), Error> {
        self.core_instances.push(match i {
            Instance::Instantiate { module_index, args } => {
                if self.core_instances.iter().any(
                    |c| matches!(c, CoreInstance::Module { module, .. } if *module == module_index),
                ) {
                    return Err(Error::Unsupported(format!(
                        "core module {module_index} instantiated twice"
                    )));
                }
                let args = args
                    .iter()
                    .map(|a| match a.kind {
                        InstantiationArgKind::Instance => (a.name, a.index),
                    })
                    .collect();
                CoreInstance::Module {
                    module: module_index,
                    args,
                }
            }
            Instance::FromExports(items) => {
                CoreInstance::Bag(items.iter().map(|e| (e.name, e.kind, e.index)).collect())
            }
        });
        Ok(())
    }

    fn alias(&mut self, a: ComponentAlias<'a>) -> Result<(), Error> {
        match a {
            ComponentAlias::CoreInstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let item = (instance_index, name);
                match kind {
                    ExternalKind::Func => self.core_funcs.push(CoreFunc::Export {
                        instance: instance_index,
                        name,
                    }),
                    ExternalKind::Memory => self.core_memories.push(item),
                    ExternalKind::Table => self.core_tables.push(item),
                    ExternalKind::Global => self.core_globals.push(item),
                    ExternalKind::Tag | ExternalKind::FuncExact => {
                        return Err(Error::Unsupported(format!("core alias of `{name}`")))
                    }
                }
            }
            ComponentAlias::InstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let owner = match self.instances.get(instance_index as usize) {
                    Some(CompInstance::Import(owner)) => Some(*owner),
                    _ => None,
                };
                match kind {
                    ComponentExternalKind::Func => self.funcs.push(match owner {
                        Some(o) => CompFunc::Import {
                            owner: Some(o),
                            name,
                        },
                        None => CompFunc::Other,
                    }),
                    ComponentExternalKind::Type => self.types.push(match owner {
                        Some(o) => CompType::ImportedResource {
                            owner: Some(o),
                            name,
                        },
                        None => CompType::Other,
                    }),
                    ComponentExternalKind::Instance => self.instances.push(CompInstance::Other),
                    _ => {}
                }
            }
            ComponentAlias::Outer { kind, .. } => match kind {
                ComponentOuterAliasKind::Type => self.types.push(CompType::Other),
                ComponentOuterAliasKind::CoreModule | ComponentOuterAliasKind::Component => {
                    return Err(Error::Unsupported("outer aliases of modules".into()))
                }
                ComponentOuterAliasKind::CoreType => {}
            },
        }
        Ok(())
    }

    fn canonical(&mut self, c: CanonicalFunction) -> Result<(), Error> {
        match c {
            CanonicalFunction::Lift {
                core_func_index,
                options: opts,
                ..
            } => self.funcs.push(CompFunc::Lift {
                core: core_func_index,
                options: options(&opts, "a lifted function")?,
            }),
            CanonicalFunction::Lower {
                func_index,
                options: opts,
            } => self.core_funcs.push(CoreFunc::Lower {
                func: func_index,
                options: options(&opts, "a lowered function")?,
            }),
            CanonicalFunction::ResourceDrop { resource } => self
                .core_funcs
                .push(CoreFunc::ResourceDrop { ty: resource }),
            CanonicalFunction::ResourceNew { resource } => {
                self.core_funcs.push(CoreFunc::ResourceNew { ty: resource })
            }
            CanonicalFunction::ResourceRep { resource } => {
                self.core_funcs.push(CoreFunc::ResourceRep { ty: resource })
            }
            other => {
                let name = format!("{other:?}");
                let name = name.split([' ', '{', '(']).next().unwrap_or("");
                return Err(Error::Unsupported(format!(
                    "the built-in `{}`",
                    text_name(name)
                )));
            }
        }
        Ok(())
    }

    fn import(&mut self, name: &'a str, ty: ComponentTypeRef) -> Result<(), Error> {
        match ty {
            ComponentTypeRef::Instance(_) => self.instances.push(CompInstance::Import(name)),
            ComponentTypeRef::Func(_) => self.funcs.push(CompFunc::Import { owner: None, name }),
            ComponentTypeRef::Type(_) => self
                .types
                .push(CompType::ImportedResource { owner: None, name }),
            ComponentTypeRef::Module(_) | ComponentTypeRef::Component(_) => {
                return Err(Error::Unsupported(format!("import `{name}` of a module")))
            }
            ComponentTypeRef::Value(_) => {
                return Err(Error::Unsupported(format!("value import `{name}`")))
            }
        }
        Ok(())
    }

    /// A new index an export creates in its kind's space.
    fn push_alias_like(&mut self, kind: ComponentExternalKind, index: u32) {
        match kind {
            ComponentExternalKind::Func => self.funcs.push(CompFunc::Same(index)),
            ComponentExternalKind::Instance => self.instances.push(CompInstance::Other),
            ComponentExternalKind::Type => self.types.push(CompType::Same(index)),
            _ => {}
        }
    }
}

fn malformed(e: wasmparser::BinaryReaderError) -> Error {
    Error::Malformed(e.to_string())
}

/// A built-in's name in the text format (`task.cancel`, `waitable-set.new`,
/// `thread.spawn-ref`) from wasmparser's variant name (`TaskCancel`, …): the
/// name a component's author wrote, not the parser's.
fn text_name(variant: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for c in variant.chars() {
        match words.last_mut() {
            Some(w) if !c.is_ascii_uppercase() => w.push(c),
            _ => words.push(c.to_ascii_lowercase().to_string()),
        }
    }
    // The two-word families; every other built-in's family is its first word.
    let family = match words.as_slice() {
        [a, b, ..] if (a == "waitable" && b == "set") || (a == "error" && b == "context") => 2,
        _ => 1,
    };
    let rest = words.split_off(family.min(words.len()));
    match rest.is_empty() {
        true => words.join("-"),
        false => format!("{}.{}", words.join("-"), rest.join("-")),
    }
}

#[cfg(test)]
mod tests {
    use super::text_name;

    #[test]
    fn built_ins_are_named_as_the_text_format_names_them() {
        for (variant, text) in [
            ("TaskCancel", "task.cancel"),
            ("ContextGet", "context.get"),
            ("WaitableSetNew", "waitable-set.new"),
            ("ErrorContextDebugMessage", "error-context.debug-message"),
            ("ThreadSpawnRef", "thread.spawn-ref"),
            ("StreamCancelRead", "stream.cancel-read"),
            ("WaitableJoin", "waitable.join"),
            ("SubtaskDrop", "subtask.drop"),
        ] {
            assert_eq!(text_name(variant), text, "{variant}");
        }
    }
}
