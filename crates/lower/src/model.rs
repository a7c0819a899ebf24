//! A component read into flat index spaces: its nested components
//! instantiated in place (each instantiation's core modules, instances and
//! functions appended to one set of spaces, its imports bound to the
//! arguments it was given), what each core module instance is given, where
//! each core function comes from, and what the component imports and exports
//! by name. Nothing is fused here.

use std::sync::Arc;

use wasmbed_abi::{ResourceId, Type};
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentDefinedType,
    ComponentExternalKind, ComponentInstance, ComponentOuterAliasKind, ComponentType,
    ComponentTypeRef, ComponentValType, ExternalKind, Instance, InstantiationArgKind, Parser,
    Payload, PrimitiveValType,
};

use crate::Error;

/// How deep components may nest (wit-component nests three levels).
const MAX_DEPTH: usize = 16;

/// How many component instantiations a component may make in all: each
/// copies the nested component's modules, so a few bytes instantiating a
/// component twice at each of 16 levels would otherwise ask for 65,536 copies.
const MAX_INSTANTIATIONS: usize = 1000;

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
    /// A component function lowered with these options in component
    /// instance `instance`.
    Lower {
        func: u32,
        options: Options,
        instance: u32,
    },
    /// `resource.drop` of component type `ty` in component instance `instance`.
    ResourceDrop { ty: u32, instance: u32 },
    /// `resource.new` of component type `ty` (a resource the component defines).
    ResourceNew { ty: u32, instance: u32 },
    /// `resource.rep` of component type `ty` (a resource the component defines).
    ResourceRep { ty: u32, instance: u32 },
}

/// Where a component function comes from.
#[derive(Debug)]
pub(crate) enum CompFunc<'a> {
    /// Imported by the outermost component: `owner` is the imported
    /// instance's name, `None` for the world.
    Import {
        owner: Option<&'a str>,
        name: &'a str,
    },
    /// A core function lifted with these options, of component type `ty`,
    /// in component instance `instance`.
    Lift {
        core: u32,
        options: Options,
        ty: u32,
        instance: u32,
    },
    /// Something the lowering does not follow (an export of an instance
    /// nested in an import).
    Other,
}

/// A component instance.
#[derive(Debug)]
pub(crate) enum CompInstance<'a> {
    /// Imported by the outermost component under this name.
    Import(&'a str),
    /// A bag of component items `(name, kind, index)`: made from exports,
    /// or what an instantiated component exports.
    Bag(Vec<(&'a str, ComponentExternalKind, u32)>),
    /// Something else (an instance nested in an import).
    Other,
}

/// A component type, as far as resources and adapters need.
#[derive(Debug)]
pub(crate) enum CompType<'a> {
    /// Resource `name` of the imported instance `owner` (`None` for the world).
    ImportedResource {
        owner: Option<&'a str>,
        name: &'a str,
    },
    /// A resource component instance `instance` defines (0: the outermost),
    /// with its destructor's core function.
    Defined { dtor: Option<u32>, instance: u32 },
    /// A value type (what an adapter can copy); a handle's resource is the
    /// index of its resource type.
    Val(Type),
    /// A function type of such values.
    Func(Arc<FuncType>),
    /// Any other type.
    Other,
}

/// A component function's parameters and result.
#[derive(Debug)]
pub(crate) struct FuncType {
    pub(crate) params: Vec<Type>,
    pub(crate) result: Option<Type>,
}

impl FuncType {
    /// Whether a call passes handles (its adapter needs the handle tables).
    pub(crate) fn has_handles(&self) -> bool {
        self.params
            .iter()
            .chain(&self.result)
            .any(Type::has_handles)
    }
}

/// The outermost component, its nested components instantiated in place.
#[derive(Debug, Default)]
pub(crate) struct Model<'a> {
    pub(crate) modules: Vec<&'a [u8]>,
    pub(crate) core_instances: Vec<CoreInstance<'a>>,
    pub(crate) core_funcs: Vec<CoreFunc<'a>>,
    /// Memories, tables and globals: each an export of a core instance.
    pub(crate) core_memories: Vec<(u32, &'a str)>,
    pub(crate) core_tables: Vec<(u32, &'a str)>,
    pub(crate) core_globals: Vec<(u32, &'a str)>,
    pub(crate) funcs: Vec<CompFunc<'a>>,
    pub(crate) instances: Vec<CompInstance<'a>>,
    pub(crate) types: Vec<CompType<'a>>,
    /// The outermost component's exports: `(name, kind, index)`.
    pub(crate) exports: Vec<(&'a str, ComponentExternalKind, u32)>,
    /// Component instantiations made so far: each nested instance's
    /// number (the outermost component is instance 0).
    instantiations: usize,
}

/// One component's index spaces while it is read: each entry is an index
/// into the model's flat spaces.
#[derive(Default)]
struct Scope<'a> {
    modules: Vec<u32>,
    components: Vec<&'a [u8]>,
    core_instances: Vec<u32>,
    core_funcs: Vec<u32>,
    core_memories: Vec<u32>,
    core_tables: Vec<u32>,
    core_globals: Vec<u32>,
    funcs: Vec<u32>,
    instances: Vec<u32>,
    types: Vec<u32>,
    /// What this instantiation was given; `None` for the outermost component.
    args: Option<Vec<(&'a str, ComponentExternalKind, u32)>>,
    /// This component instance's number (0: the outermost).
    instance: u32,
    exports: Vec<(&'a str, ComponentExternalKind, u32)>,
}

/// `space[index]`, or a malformed-component error naming `what`.
fn at(space: &[u32], index: u32, what: &str) -> Result<u32, Error> {
    space
        .get(index as usize)
        .copied()
        .ok_or_else(|| Error::Malformed(format!("no {what} {index}")))
}

impl Scope<'_> {
    /// The space of component items of `kind`, if the lowering tracks it.
    fn space(&mut self, kind: ComponentExternalKind) -> Option<&mut Vec<u32>> {
        match kind {
            ComponentExternalKind::Func => Some(&mut self.funcs),
            ComponentExternalKind::Instance => Some(&mut self.instances),
            ComponentExternalKind::Type => Some(&mut self.types),
            ComponentExternalKind::Module => Some(&mut self.modules),
            ComponentExternalKind::Component | ComponentExternalKind::Value => None,
        }
    }

    /// The space of core items of `kind`.
    fn core_space(&self, kind: ExternalKind) -> Result<&Vec<u32>, Error> {
        match kind {
            ExternalKind::Func | ExternalKind::FuncExact => Ok(&self.core_funcs),
            ExternalKind::Memory => Ok(&self.core_memories),
            ExternalKind::Table => Ok(&self.core_tables),
            ExternalKind::Global => Ok(&self.core_globals),
            ExternalKind::Tag => Err(Error::Unsupported("exception tags".into())),
        }
    }
}

fn options(scope: &Scope<'_>, opts: &[CanonicalOption], what: &str) -> Result<Options, Error> {
    let mut o = Options::default();
    for opt in opts {
        match opt {
            CanonicalOption::UTF8 => {}
            CanonicalOption::UTF16 | CanonicalOption::CompactUTF16 => {
                return Err(Error::Unsupported(format!(
                    "{what}: string encodings other than UTF-8"
                )))
            }
            CanonicalOption::Memory(m) => o.memory = Some(at(&scope.core_memories, *m, "memory")?),
            CanonicalOption::Realloc(r) => {
                o.realloc = Some(at(&scope.core_funcs, *r, "core function")?)
            }
            CanonicalOption::PostReturn(p) => {
                o.post_return = Some(at(&scope.core_funcs, *p, "core function")?)
            }
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
        let mut top = Scope::default();
        m.component(bytes, &mut top, &[], true)?;
        m.exports = top.exports;
        Ok(m)
    }

    /// Reads one component's sections into `scope`; `parents` are the
    /// components it is nested in, outermost first (for outer aliases).
    fn component(
        &mut self,
        bytes: &'a [u8],
        scope: &mut Scope<'a>,
        parents: &[&Scope<'a>],
        outermost: bool,
    ) -> Result<(), Error> {
        // Depth inside a nested module or component, whose payloads are skipped here.
        let mut depth = 0usize;
        let mut is_component = false;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(malformed)?;
            if depth > 0 {
                match payload {
                    Payload::End(_) => depth -= 1,
                    Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
                    _ => {}
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
                    let module = bytes
                        .get(unchecked_range.start as usize..unchecked_range.end as usize)
                        .ok_or_else(|| Error::Malformed("a module past the end".into()))?;
                    scope.modules.push(self.modules.len() as u32);
                    self.modules.push(module);
                    depth += 1;
                }
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    let nested = bytes
                        .get(unchecked_range.start as usize..unchecked_range.end as usize)
                        .ok_or_else(|| Error::Malformed("a component past the end".into()))?;
                    scope.components.push(nested);
                    depth += 1;
                }
                Payload::InstanceSection(r) => {
                    for i in r {
                        self.core_instance(scope, i.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentAliasSection(r) => {
                    for a in r {
                        self.alias(scope, parents, a.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentCanonicalSection(r) => {
                    for c in r {
                        self.canonical(scope, c.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentImportSection(r) => {
                    for i in r {
                        let i = i.map_err(malformed)?;
                        self.import(scope, i.name.name, i.ty)?;
                    }
                }
                Payload::ComponentExportSection(r) => {
                    for e in r {
                        let e = e.map_err(malformed)?;
                        let Some(space) = scope.space(e.kind) else {
                            if outermost {
                                return Err(Error::Unsupported(format!(
                                    "export `{}` of this kind",
                                    e.name.name
                                )));
                            }
                            continue;
                        };
                        // An export is a new index for the same item.
                        let item = at(space, e.index, "exported item")?;
                        space.push(item);
                        scope.exports.push((e.name.name, e.kind, item));
                    }
                }
                Payload::ComponentInstanceSection(r) => {
                    for i in r {
                        let bag = match i.map_err(malformed)? {
                            ComponentInstance::FromExports(items) => {
                                let mut bag = Vec::new();
                                for e in items.iter() {
                                    if let Some(space) = scope.space(e.kind) {
                                        let item = at(space, e.index, "item")?;
                                        bag.push((e.name.name, e.kind, item));
                                    }
                                }
                                bag
                            }
                            ComponentInstance::Instantiate {
                                component_index,
                                args,
                            } => {
                                let nested = scope
                                    .components
                                    .get(component_index as usize)
                                    .copied()
                                    .ok_or_else(|| {
                                        Error::Malformed(format!("no component {component_index}"))
                                    })?;
                                if parents.len() + 1 >= MAX_DEPTH {
                                    return Err(Error::Unsupported(format!(
                                        "components nested more than {MAX_DEPTH} deep"
                                    )));
                                }
                                self.instantiations += 1;
                                if self.instantiations > MAX_INSTANTIATIONS {
                                    return Err(Error::Unsupported(format!(
                                        "more than {MAX_INSTANTIATIONS} component instantiations"
                                    )));
                                }
                                let mut given = Vec::new();
                                for a in args.iter() {
                                    if let Some(space) = scope.space(a.kind) {
                                        let item = at(space, a.index, "argument")?;
                                        given.push((a.name, a.kind, item));
                                    }
                                }
                                let mut inner = Scope {
                                    args: Some(given),
                                    instance: self.instantiations as u32,
                                    ..Scope::default()
                                };
                                let mut chain = parents.to_vec();
                                chain.push(&*scope);
                                self.component(nested, &mut inner, &chain, false)?;
                                inner.exports
                            }
                        };
                        scope.instances.push(self.instances.len() as u32);
                        self.instances.push(CompInstance::Bag(bag));
                    }
                }
                Payload::ComponentTypeSection(r) => {
                    for t in r {
                        let ty = match t.map_err(malformed)? {
                            ComponentType::Resource { dtor, .. } => CompType::Defined {
                                instance: scope.instance,
                                dtor: dtor
                                    .map(|d| at(&scope.core_funcs, d, "core function"))
                                    .transpose()?,
                            },
                            ComponentType::Defined(d) => match self.defined(scope, &d) {
                                Some(t) => CompType::Val(t),
                                None => CompType::Other,
                            },
                            ComponentType::Func(f) => {
                                let params: Option<Vec<Type>> =
                                    f.params.iter().map(|(_, t)| self.val(scope, t)).collect();
                                let result = match &f.result {
                                    Some(t) => self.val(scope, t).map(Some),
                                    None => Some(None),
                                };
                                match (params, result) {
                                    (Some(params), Some(result)) => {
                                        CompType::Func(Arc::new(FuncType { params, result }))
                                    }
                                    _ => CompType::Other,
                                }
                            }
                            _ => CompType::Other,
                        };
                        scope.types.push(self.types.len() as u32);
                        self.types.push(ty);
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
        Ok(())
    }

    /// A value type of `scope` as the ABI knows it.
    fn val(&self, scope: &Scope<'a>, t: &ComponentValType) -> Option<Type> {
        match t {
            ComponentValType::Primitive(p) => primitive(*p),
            ComponentValType::Type(i) => {
                match self.types.get(*scope.types.get(*i as usize)? as usize)? {
                    CompType::Val(t) => Some(t.clone()),
                    _ => None,
                }
            }
        }
    }

    /// A defined value type as the ABI knows it; a handle's resource is the
    /// model's index of its resource type.
    fn defined(&self, scope: &Scope<'a>, d: &ComponentDefinedType<'a>) -> Option<Type> {
        let val = |t: &ComponentValType| self.val(scope, t);
        let opt = |t: &Option<ComponentValType>| match t {
            Some(t) => val(t).map(Some),
            None => Some(None),
        };
        match d {
            ComponentDefinedType::Primitive(p) => primitive(*p),
            ComponentDefinedType::Record(fields) => {
                let fields: Option<Vec<(&str, Type)>> =
                    fields.iter().map(|(n, t)| Some((*n, val(t)?))).collect();
                Type::record(fields?).ok()
            }
            ComponentDefinedType::Variant(cases) => {
                let cases: Option<Vec<(&str, Option<Type>)>> =
                    cases.iter().map(|c| Some((c.name, opt(&c.ty)?))).collect();
                Type::variant(cases?).ok()
            }
            ComponentDefinedType::List(t) => Type::list(val(t)?).ok(),
            ComponentDefinedType::Tuple(ts) => {
                let ts: Option<Vec<Type>> = ts.iter().map(val).collect();
                Type::tuple(ts?).ok()
            }
            ComponentDefinedType::Flags(names) => Type::flags(names.iter().copied()).ok(),
            ComponentDefinedType::Enum(names) => Type::enumeration(names.iter().copied()).ok(),
            ComponentDefinedType::Option(t) => Type::option(val(t)?).ok(),
            ComponentDefinedType::Result { ok, err } => Type::result(opt(ok)?, opt(err)?).ok(),
            ComponentDefinedType::Own(t) | ComponentDefinedType::Borrow(t) => {
                let rt = *scope.types.get(*t as usize)?;
                match self.types.get(rt as usize)? {
                    CompType::Defined { .. } | CompType::ImportedResource { .. } => {}
                    _ => return None,
                }
                Some(match d {
                    ComponentDefinedType::Own(_) => Type::Own(ResourceId(rt)),
                    _ => Type::Borrow(ResourceId(rt)),
                })
            }
            _ => None,
        }
    }

    fn core_instance(&mut self, scope: &mut Scope<'a>, i: Instance<'a>) -> Result<(), Error> {
        let inst = match i {
            Instance::Instantiate { module_index, args } => {
                let module = at(&scope.modules, module_index, "core module")?;
                if self
                    .core_instances
                    .iter()
                    .any(|c| matches!(c, CoreInstance::Module { module: m, .. } if *m == module))
                {
                    return Err(Error::Unsupported(format!(
                        "core module {module_index} instantiated twice"
                    )));
                }
                let mut given = Vec::new();
                for a in args.iter() {
                    match a.kind {
                        InstantiationArgKind::Instance => given
                            .push((a.name, at(&scope.core_instances, a.index, "core instance")?)),
                    }
                }
                CoreInstance::Module {
                    module,
                    args: given,
                }
            }
            Instance::FromExports(items) => {
                let mut bag = Vec::new();
                for e in items.iter() {
                    let item = at(scope.core_space(e.kind)?, e.index, "core item")?;
                    bag.push((e.name, e.kind, item));
                }
                CoreInstance::Bag(bag)
            }
        };
        scope.core_instances.push(self.core_instances.len() as u32);
        self.core_instances.push(inst);
        Ok(())
    }

    fn alias(
        &mut self,
        scope: &mut Scope<'a>,
        parents: &[&Scope<'a>],
        a: ComponentAlias<'a>,
    ) -> Result<(), Error> {
        match a {
            ComponentAlias::CoreInstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let instance = at(&scope.core_instances, instance_index, "core instance")?;
                let item = (instance, name);
                let (space, index) = match kind {
                    ExternalKind::Func => {
                        self.core_funcs.push(CoreFunc::Export { instance, name });
                        (&mut scope.core_funcs, self.core_funcs.len() - 1)
                    }
                    ExternalKind::Memory => {
                        self.core_memories.push(item);
                        (&mut scope.core_memories, self.core_memories.len() - 1)
                    }
                    ExternalKind::Table => {
                        self.core_tables.push(item);
                        (&mut scope.core_tables, self.core_tables.len() - 1)
                    }
                    ExternalKind::Global => {
                        self.core_globals.push(item);
                        (&mut scope.core_globals, self.core_globals.len() - 1)
                    }
                    ExternalKind::Tag | ExternalKind::FuncExact => {
                        return Err(Error::Unsupported(format!("core alias of `{name}`")))
                    }
                };
                space.push(index as u32);
            }
            ComponentAlias::InstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let instance = at(&scope.instances, instance_index, "instance")?;
                let item = match self.instances.get(instance as usize) {
                    Some(CompInstance::Import(owner)) => {
                        let owner = Some(*owner);
                        match kind {
                            ComponentExternalKind::Func => {
                                self.funcs.push(CompFunc::Import { owner, name });
                                Some(self.funcs.len() - 1)
                            }
                            ComponentExternalKind::Type => {
                                self.types.push(CompType::ImportedResource { owner, name });
                                Some(self.types.len() - 1)
                            }
                            _ => None,
                        }
                    }
                    Some(CompInstance::Bag(items)) => {
                        let found = items.iter().find(|(n, _, _)| *n == name);
                        match found {
                            Some((_, k, i)) if *k == kind => Some(*i as usize),
                            Some(_) => {
                                return Err(Error::Malformed(format!(
                                    "`{name}` of instance {instance_index} is of another kind"
                                )))
                            }
                            // An export the lowering does not track (a value, a component).
                            None => None,
                        }
                    }
                    _ => None,
                };
                let item = match item {
                    Some(i) => i,
                    None => match kind {
                        ComponentExternalKind::Func => {
                            self.funcs.push(CompFunc::Other);
                            self.funcs.len() - 1
                        }
                        ComponentExternalKind::Type => {
                            self.types.push(CompType::Other);
                            self.types.len() - 1
                        }
                        ComponentExternalKind::Instance => {
                            self.instances.push(CompInstance::Other);
                            self.instances.len() - 1
                        }
                        ComponentExternalKind::Module | ComponentExternalKind::Component => {
                            return Err(Error::Unsupported(format!(
                                "`{name}`, a module or component exported by an instance"
                            )))
                        }
                        ComponentExternalKind::Value => return Ok(()),
                    },
                };
                if let Some(space) = scope.space(kind) {
                    space.push(item as u32);
                }
            }
            ComponentAlias::Outer { kind, count, index } => {
                let from: &Scope<'a> = match count {
                    0 => scope,
                    n => parents
                        .len()
                        .checked_sub(n as usize)
                        .and_then(|i| parents.get(i))
                        .copied()
                        .ok_or_else(|| Error::Malformed(format!("an outer alias {n} out")))?,
                };
                match kind {
                    ComponentOuterAliasKind::Type => {
                        let t = at(&from.types, index, "type")?;
                        scope.types.push(t);
                    }
                    ComponentOuterAliasKind::CoreModule => {
                        let m = at(&from.modules, index, "core module")?;
                        scope.modules.push(m);
                    }
                    ComponentOuterAliasKind::Component => {
                        let c = from
                            .components
                            .get(index as usize)
                            .copied()
                            .ok_or_else(|| Error::Malformed(format!("no component {index}")))?;
                        if count != 0 {
                            return Err(Error::Unsupported("outer aliases of components".into()));
                        }
                        scope.components.push(c);
                    }
                    ComponentOuterAliasKind::CoreType => {}
                }
            }
        }
        Ok(())
    }

    fn canonical(&mut self, scope: &mut Scope<'a>, c: CanonicalFunction) -> Result<(), Error> {
        let ty = |t: u32| at(&scope.types, t, "type");
        match c {
            CanonicalFunction::Lift {
                core_func_index,
                type_index,
                options: opts,
            } => {
                let f = CompFunc::Lift {
                    core: at(&scope.core_funcs, core_func_index, "core function")?,
                    options: options(scope, &opts, "a lifted function")?,
                    ty: ty(type_index)?,
                    instance: scope.instance,
                };
                scope.funcs.push(self.funcs.len() as u32);
                self.funcs.push(f);
                return Ok(());
            }
            other => {
                let f = match other {
                    CanonicalFunction::Lower {
                        func_index,
                        options: opts,
                    } => CoreFunc::Lower {
                        func: at(&scope.funcs, func_index, "function")?,
                        options: options(scope, &opts, "a lowered function")?,
                        instance: scope.instance,
                    },
                    CanonicalFunction::ResourceDrop { resource } => CoreFunc::ResourceDrop {
                        ty: ty(resource)?,
                        instance: scope.instance,
                    },
                    CanonicalFunction::ResourceNew { resource } => CoreFunc::ResourceNew {
                        ty: ty(resource)?,
                        instance: scope.instance,
                    },
                    CanonicalFunction::ResourceRep { resource } => CoreFunc::ResourceRep {
                        ty: ty(resource)?,
                        instance: scope.instance,
                    },
                    other => {
                        let name = format!("{other:?}");
                        let name = name.split([' ', '{', '(']).next().unwrap_or("");
                        return Err(Error::Unsupported(format!(
                            "the built-in `{}`",
                            text_name(name)
                        )));
                    }
                };
                scope.core_funcs.push(self.core_funcs.len() as u32);
                self.core_funcs.push(f);
            }
        }
        Ok(())
    }

    fn import(
        &mut self,
        scope: &mut Scope<'a>,
        name: &'a str,
        ty: ComponentTypeRef,
    ) -> Result<(), Error> {
        let kind = match ty {
            ComponentTypeRef::Instance(_) => ComponentExternalKind::Instance,
            ComponentTypeRef::Func(_) => ComponentExternalKind::Func,
            ComponentTypeRef::Type(_) => ComponentExternalKind::Type,
            ComponentTypeRef::Module(_) => ComponentExternalKind::Module,
            ComponentTypeRef::Component(_) => ComponentExternalKind::Component,
            ComponentTypeRef::Value(_) => {
                return Err(Error::Unsupported(format!("value import `{name}`")))
            }
        };
        if let Some(args) = &scope.args {
            // A nested component: the import is what its instantiation gave.
            let given = args
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|(_, k, i)| (*k, *i));
            let Some(space) = scope.space(kind) else {
                return Err(Error::Unsupported(format!(
                    "import `{name}` of a component"
                )));
            };
            match given {
                Some((k, item)) if k == kind => space.push(item),
                Some(_) => {
                    return Err(Error::Malformed(format!(
                        "argument `{name}` is of another kind"
                    )))
                }
                None => return Err(Error::Malformed(format!("no argument `{name}`"))),
            }
            return Ok(());
        }
        match kind {
            ComponentExternalKind::Instance => {
                scope.instances.push(self.instances.len() as u32);
                self.instances.push(CompInstance::Import(name));
            }
            ComponentExternalKind::Func => {
                scope.funcs.push(self.funcs.len() as u32);
                self.funcs.push(CompFunc::Import { owner: None, name });
            }
            ComponentExternalKind::Type => {
                scope.types.push(self.types.len() as u32);
                self.types
                    .push(CompType::ImportedResource { owner: None, name });
            }
            _ => return Err(Error::Unsupported(format!("import `{name}` of a module"))),
        }
        Ok(())
    }
}

/// A primitive value type as the ABI knows it.
fn primitive(p: PrimitiveValType) -> Option<Type> {
    Some(match p {
        PrimitiveValType::Bool => Type::Bool,
        PrimitiveValType::S8 => Type::S8,
        PrimitiveValType::U8 => Type::U8,
        PrimitiveValType::S16 => Type::S16,
        PrimitiveValType::U16 => Type::U16,
        PrimitiveValType::S32 => Type::S32,
        PrimitiveValType::U32 => Type::U32,
        PrimitiveValType::S64 => Type::S64,
        PrimitiveValType::U64 => Type::U64,
        PrimitiveValType::F32 => Type::F32,
        PrimitiveValType::F64 => Type::F64,
        PrimitiveValType::Char => Type::Char,
        PrimitiveValType::String => Type::String,
        PrimitiveValType::ErrorContext => return None,
    })
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
