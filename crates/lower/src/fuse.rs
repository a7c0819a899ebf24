//! Fuses a component's core module instances into one module: each module's
//! items appended in instantiation order with its indices remapped, each
//! core import resolved to what its instantiation argument names (another
//! instance's item, or a host import for a `canon lower`), the start
//! functions folded into one initialization export, and the lifts exported
//! under the scheme's names.

use std::collections::BTreeMap;
use std::convert::Infallible;

use wasm_encoder::reencode::{Error as ReError, Reencode};
use wasm_encoder::{
    CodeSection, DataCountSection, DataSection, ElementSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, ImportSection, Instruction,
    MemorySection, Module, TableSection, TypeSection, ValType,
};
use wasmbed_abi::names::{Owner, ResourceIntrinsic, Scheme};
use wasmparser::{ComponentExternalKind, ExternalKind, Payload, TypeRef};

use crate::adapter::{self, Side, Tables};
use crate::handles::{self, Builtin, Dtor, Funcs};
use crate::model::{CompFunc, CompInstance, CompType, CoreFunc, CoreInstance, Model, Options};
use crate::Error;

/// One core module, parsed enough to fuse it.
#[derive(Default)]
struct Parsed<'a> {
    types: Vec<wasmparser::RecGroup>,
    /// How many types each rec group holds, for index offsets.
    type_count: u32,
    imports: Vec<wasmparser::Import<'a>>,
    funcs: Vec<u32>,
    tables: Vec<wasmparser::Table<'a>>,
    memories: Vec<wasmparser::MemoryType>,
    globals: Vec<wasmparser::Global<'a>>,
    exports: Vec<wasmparser::Export<'a>>,
    start: Option<u32>,
    elements: Vec<wasmparser::Element<'a>>,
    data: Vec<wasmparser::Data<'a>>,
    bodies: Vec<wasmparser::FunctionBody<'a>>,
}

fn malformed(e: wasmparser::BinaryReaderError) -> Error {
    Error::Malformed(e.to_string())
}

impl<'a> Parsed<'a> {
    fn read(bytes: &'a [u8]) -> Result<Parsed<'a>, Error> {
        let mut p = Parsed::default();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload.map_err(malformed)? {
                Payload::TypeSection(r) => {
                    for g in r {
                        let g = g.map_err(malformed)?;
                        p.type_count += g.types().len() as u32;
                        p.types.push(g);
                    }
                }
                Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        p.imports.push(i.map_err(malformed)?);
                    }
                }
                Payload::FunctionSection(r) => {
                    for f in r {
                        p.funcs.push(f.map_err(malformed)?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        p.tables.push(t.map_err(malformed)?);
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r {
                        p.memories.push(m.map_err(malformed)?);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        p.globals.push(g.map_err(malformed)?);
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        p.exports.push(e.map_err(malformed)?);
                    }
                }
                Payload::StartSection { func, .. } => p.start = Some(func),
                Payload::ElementSection(r) => {
                    for e in r {
                        p.elements.push(e.map_err(malformed)?);
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        p.data.push(d.map_err(malformed)?);
                    }
                }
                Payload::CodeSectionEntry(b) => p.bodies.push(b),
                Payload::TagSection(_) => return Err(Error::Unsupported("exception tags".into())),
                _ => {}
            }
        }
        Ok(p)
    }

    /// Imports of `kind`, in order.
    fn imports_of(
        &self,
        kind: fn(&TypeRef) -> bool,
    ) -> impl Iterator<Item = &wasmparser::Import<'a>> {
        self.imports.iter().filter(move |i| kind(&i.ty))
    }

    fn export(&self, name: &str) -> Option<(ExternalKind, u32)> {
        self.exports
            .iter()
            .find(|e| e.name == name)
            .map(|e| (e.kind, e.index))
    }
}

fn is_func(t: &TypeRef) -> bool {
    matches!(t, TypeRef::Func(_) | TypeRef::FuncExact(_))
}
fn is_table(t: &TypeRef) -> bool {
    matches!(t, TypeRef::Table(_))
}
fn is_memory(t: &TypeRef) -> bool {
    matches!(t, TypeRef::Memory(_))
}
fn is_global(t: &TypeRef) -> bool {
    matches!(t, TypeRef::Global(_))
}

/// An item of the fused module before numbering: a host import, or an item
/// defined by (or imported into) a module instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    /// A lowered import: an index into `Fuser::lowers`.
    Host(usize),
    /// Instance (position among module instances), item index in its module's space.
    Local(usize, u32),
    /// A function lifted in one component and lowered in another: an index
    /// into `Fuser::adapters`.
    Adapter(usize),
    /// A resource built-in over a handle table: an index into `Fuser::builtins`.
    Builtin(usize),
}

/// A resource built-in of a resource whose handles live in the handle
/// tables (one the outermost component does not export): which, of what
/// resource (its type index), in which component instance.
#[derive(Clone, Copy, PartialEq, Eq)]
struct BuiltinPlan {
    which: Builtin,
    resource: u32,
    instance: u32,
}

/// A function lifted in one component and lowered in another, fused as an
/// adapter that copies between their memories.
struct Plan {
    /// The lifted component function.
    lift: u32,
    /// The lowering's options.
    options: Options,
    /// The component instance that lowers it.
    instance: u32,
    /// For messages: the core import it was lowered for.
    name: String,
}

/// What a lowered component function is.
enum Lowered {
    /// An import of the outermost component: the host's, under these names.
    Host(String, String),
    /// Lifted by a component inside.
    Lift,
}

/// The value of a constant expression, folded.
#[derive(Clone, Copy, Debug)]
enum Const {
    I32(i32),
    I64(i64),
}

/// The fused module's index maps for one module instance.
#[derive(Default)]
struct Maps {
    /// Immutable globals of the fused module whose value is a constant: a
    /// constant expression that reads one gets the value instead, since a
    /// fused module defines what the component's modules imported, and
    /// `global.get` of a defined global is no constant expression before GC.
    consts: BTreeMap<u32, Const>,
    types: u32,
    funcs: Vec<u32>,
    tables: Vec<u32>,
    memories: Vec<u32>,
    globals: Vec<u32>,
    elements: u32,
    data: u32,
}

impl Maps {
    /// `expr` folded to one value, if it reads only constants and globals
    /// with a known constant value through integer `add`, `sub` and `mul`.
    fn fold(&self, expr: &wasmparser::ConstExpr<'_>) -> Option<Const> {
        use wasmparser::Operator as O;
        let mut stack: Vec<Const> = Vec::new();
        let mut ops = expr.get_operators_reader();
        while !ops.eof() {
            let op = ops.read().ok()?;
            let (b, a) = match op {
                O::End => break,
                O::I32Const { value } => {
                    stack.push(Const::I32(value));
                    continue;
                }
                O::I64Const { value } => {
                    stack.push(Const::I64(value));
                    continue;
                }
                O::GlobalGet { global_index } => {
                    let fused = *self.globals.get(global_index as usize)?;
                    stack.push(*self.consts.get(&fused)?);
                    continue;
                }
                _ => (stack.pop()?, stack.pop()?),
            };
            stack.push(match (op, a, b) {
                (O::I32Add, Const::I32(a), Const::I32(b)) => Const::I32(a.wrapping_add(b)),
                (O::I32Sub, Const::I32(a), Const::I32(b)) => Const::I32(a.wrapping_sub(b)),
                (O::I32Mul, Const::I32(a), Const::I32(b)) => Const::I32(a.wrapping_mul(b)),
                (O::I64Add, Const::I64(a), Const::I64(b)) => Const::I64(a.wrapping_add(b)),
                (O::I64Sub, Const::I64(a), Const::I64(b)) => Const::I64(a.wrapping_sub(b)),
                (O::I64Mul, Const::I64(a), Const::I64(b)) => Const::I64(a.wrapping_mul(b)),
                _ => return None,
            });
        }
        match stack.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

impl Reencode for Maps {
    type Error = Infallible;

    fn const_expr(
        &mut self,
        expr: wasmparser::ConstExpr<'_>,
    ) -> Result<wasm_encoder::ConstExpr, ReError<Infallible>> {
        Ok(match self.fold(&expr) {
            Some(Const::I32(v)) => wasm_encoder::ConstExpr::i32_const(v),
            Some(Const::I64(v)) => wasm_encoder::ConstExpr::i64_const(v),
            None => wasm_encoder::reencode::utils::const_expr(self, expr)?,
        })
    }

    fn type_index(&mut self, ty: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.types + ty)
    }
    fn function_index(&mut self, f: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.funcs.get(f as usize).copied().unwrap_or(u32::MAX))
    }
    fn table_index(&mut self, t: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.tables.get(t as usize).copied().unwrap_or(u32::MAX))
    }
    fn memory_index(&mut self, m: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.memories.get(m as usize).copied().unwrap_or(u32::MAX))
    }
    fn global_index(&mut self, g: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.globals.get(g as usize).copied().unwrap_or(u32::MAX))
    }
    fn element_index(&mut self, e: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.elements + e)
    }
    fn data_index(&mut self, d: u32) -> Result<u32, ReError<Infallible>> {
        Ok(self.data + d)
    }
}

fn reencode_err(e: ReError<Infallible>) -> Error {
    Error::Malformed(e.to_string())
}

/// The kinds of item a core import or export can be, as this file needs them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Func,
    Table,
    Memory,
    Global,
}

impl Kind {
    fn of_ref(t: &TypeRef) -> Option<Kind> {
        match t {
            TypeRef::Func(_) | TypeRef::FuncExact(_) => Some(Kind::Func),
            TypeRef::Table(_) => Some(Kind::Table),
            TypeRef::Memory(_) => Some(Kind::Memory),
            TypeRef::Global(_) => Some(Kind::Global),
            TypeRef::Tag(_) => None,
        }
    }
    fn of_external(k: ExternalKind) -> Option<Kind> {
        match k {
            ExternalKind::Func | ExternalKind::FuncExact => Some(Kind::Func),
            ExternalKind::Table => Some(Kind::Table),
            ExternalKind::Memory => Some(Kind::Memory),
            ExternalKind::Global => Some(Kind::Global),
            ExternalKind::Tag => None,
        }
    }
}

/// A host import of the fused module: its names and the func type index
/// (in the fused type space) of the first import that resolved to it.
struct Host {
    module: String,
    name: String,
    ty: u32,
    /// Its core parameters, for a trampoline's `local.get`s.
    params: u32,
}

/// One `canon lower` (or resource built-in) as the fused module sees it: the
/// host import it calls and the `realloc` its options name. Lowers of the
/// same import with different reallocs are separate: each gets its own
/// trampoline when its `realloc` is not the lifts'.
struct Lower {
    host: usize,
    realloc: Option<u32>,
}

/// Where the host's `realloc` calls go when lowers name different ones: a
/// trampoline per such import sets a selector global around the call, and
/// the exported `realloc` dispatches on it (0: the lifts' `realloc`).
#[derive(Default)]
struct Reallocs {
    /// The `realloc` of the lifts (selector 0), then the others, by selector.
    targets: Vec<Item>,
    /// Per lower: the selector its trampoline sets, if it needs one.
    selector: Vec<Option<u32>>,
    /// Per lower: the function index of its trampoline.
    redirect: Vec<Option<u32>>,
}

struct Fuser<'m, 'a> {
    model: &'m Model<'a>,
    scheme: Scheme,
    /// Module instances in instantiation order: (core instance index, parsed module).
    instances: Vec<(u32, Parsed<'a>)>,
    /// What each import of each module instance resolves to, per kind, in import order.
    resolved: Vec<BTreeMap<(u8, u32), Item>>,
    hosts: Vec<Host>,
    lowers: Vec<Lower>,
    type_offsets: Vec<u32>,
    reallocs: Reallocs,
    adapters: Vec<Plan>,
    /// The fused index of the first adapter, and how many were numbered.
    adapter_base: u32,
    adapters_numbered: usize,
    /// The resources whose handles live in the handle tables, by type
    /// index: the component instance defining each.
    impls: BTreeMap<u32, u32>,
    builtins: Vec<BuiltinPlan>,
    /// The fused index of the first built-in, and how many were numbered.
    builtin_base: u32,
    builtins_numbered: usize,
    /// The handle tables' functions, when any table is needed.
    table_funcs: Option<Funcs>,
    /// The component instances with a handle table, in table order.
    tables: Vec<u32>,
    /// The lifts the host calls: [`exported_funcs`].
    exported: Vec<Exported<'a>>,
}

fn kind_tag(k: Kind) -> u8 {
    k as u8
}

impl<'m, 'a> Fuser<'m, 'a> {
    /// The module instance position of core instance `core`.
    fn position(&self, core: u32) -> Option<usize> {
        self.instances.iter().position(|(c, _)| *c == core)
    }

    /// What `name` of kind `kind` in core instance `inst` is.
    fn lookup(&mut self, inst: u32, name: &str, kind: Kind) -> Result<Item, Error> {
        match self.model.core_instances.get(inst as usize) {
            Some(CoreInstance::Module { .. }) => {
                let pos = self.position(inst).ok_or_else(|| {
                    Error::Malformed(format!("core instance {inst} used before it exists"))
                })?;
                let (k, index) = self.instances[pos].1.export(name).ok_or_else(|| {
                    Error::Malformed(format!("core instance {inst} exports no `{name}`"))
                })?;
                if Kind::of_external(k) != Some(kind) {
                    return Err(Error::Malformed(format!(
                        "core instance {inst}'s `{name}` is of another kind"
                    )));
                }
                Ok(Item::Local(pos, index))
            }
            Some(CoreInstance::Bag(items)) => {
                let (_, k, index) = items
                    .iter()
                    .find(|(n, _, _)| *n == name)
                    .copied()
                    .ok_or_else(|| {
                        Error::Malformed(format!("core instance {inst} has no `{name}`"))
                    })?;
                if Kind::of_external(k) != Some(kind) {
                    return Err(Error::Malformed(format!(
                        "`{name}` of core instance {inst} is of another kind"
                    )));
                }
                self.core_item(kind, index)
            }
            None => Err(Error::Malformed(format!("no core instance {inst}"))),
        }
    }

    /// Core item `index` of `kind` in the component's core index spaces.
    fn core_item(&mut self, kind: Kind, index: u32) -> Result<Item, Error> {
        let alias = |v: &Vec<(u32, &'a str)>| {
            v.get(index as usize)
                .copied()
                .ok_or_else(|| Error::Malformed(format!("no core item {index}")))
        };
        match kind {
            Kind::Func => match self.model.core_funcs.get(index as usize) {
                Some(CoreFunc::Export { instance, name }) => {
                    let (instance, name) = (*instance, *name);
                    self.lookup(instance, name, Kind::Func)
                }
                Some(CoreFunc::Lower {
                    func,
                    options,
                    instance,
                }) => match self.lowered(*func)? {
                    Lowered::Host(module, name) => Ok(self.host(module, name, options.realloc)),
                    Lowered::Lift => Ok(Item::Adapter(self.adapter(*func, options, *instance))),
                },
                Some(&CoreFunc::ResourceDrop { ty, instance }) => {
                    if let Some(b) = self.builtin(Builtin::Drop, ty, instance)? {
                        return Ok(b);
                    }
                    let (module, name) = self.drop_name(ty)?;
                    Ok(self.host(module, name, None))
                }
                Some(&CoreFunc::ResourceNew { ty, instance }) => {
                    if let Some(b) = self.builtin(Builtin::New, ty, instance)? {
                        return Ok(b);
                    }
                    let (module, name) = self.intrinsic_name(ty, ResourceIntrinsic::New)?;
                    Ok(self.host(module, name, None))
                }
                Some(&CoreFunc::ResourceRep { ty, instance }) => {
                    if let Some(b) = self.builtin(Builtin::Rep, ty, instance)? {
                        return Ok(b);
                    }
                    let (module, name) = self.intrinsic_name(ty, ResourceIntrinsic::Rep)?;
                    Ok(self.host(module, name, None))
                }
                None => Err(Error::Malformed(format!("no core function {index}"))),
            },
            Kind::Memory => {
                let (i, n) = alias(&self.model.core_memories)?;
                self.lookup(i, n, kind)
            }
            Kind::Table => {
                let (i, n) = alias(&self.model.core_tables)?;
                self.lookup(i, n, kind)
            }
            Kind::Global => {
                let (i, n) = alias(&self.model.core_globals)?;
                self.lookup(i, n, kind)
            }
        }
    }

    /// The adapter for lifted function `lift` lowered with `options` in
    /// component instance `instance` (made once per function, options and
    /// instance).
    fn adapter(&mut self, lift: u32, options: &Options, instance: u32) -> usize {
        let same = |p: &Plan| {
            p.lift == lift
                && p.instance == instance
                && p.options.memory == options.memory
                && p.options.realloc == options.realloc
        };
        match self.adapters.iter().position(same) {
            Some(k) => k,
            None => {
                self.adapters.push(Plan {
                    lift,
                    options: options.clone(),
                    instance,
                    name: format!("component function {lift}"),
                });
                self.adapters.len() - 1
            }
        }
    }

    /// The built-in `which` of resource type `ty` in component instance
    /// `instance`, when that resource's handles live in the handle tables
    /// (made once per built-in, resource and instance); `None` for a
    /// resource the host sees.
    fn builtin(&mut self, which: Builtin, ty: u32, instance: u32) -> Result<Option<Item>, Error> {
        let (resource, _) = self.root_type(ty)?;
        let Some(owner) = self.impls.get(&resource) else {
            return Ok(None);
        };
        if which != Builtin::Drop && *owner != instance {
            return Err(Error::Malformed(format!(
                "a resource built-in of type {ty} outside the component defining it"
            )));
        }
        let plan = BuiltinPlan {
            which,
            resource,
            instance,
        };
        let k = match self.builtins.iter().position(|b| *b == plan) {
            Some(k) => k,
            None => {
                self.builtins.push(plan);
                self.builtins.len() - 1
            }
        };
        Ok(Some(Item::Builtin(k)))
    }

    /// The base of component instance `instance`'s handle table in the
    /// tables' memory (made on first use).
    fn table(&mut self, instance: u32) -> i32 {
        let k = match self.tables.iter().position(|t| *t == instance) {
            Some(k) => k,
            None => {
                self.tables.push(instance);
                self.tables.len() - 1
            }
        };
        (k as u32 * handles::TABLE_BYTES) as i32
    }

    /// A lower of a host import (made once per name) with `realloc`.
    fn host(&mut self, module: String, name: String, realloc: Option<u32>) -> Item {
        let host = match self
            .hosts
            .iter()
            .position(|h| h.module == module && h.name == name)
        {
            Some(i) => i,
            None => {
                self.hosts.push(Host {
                    module,
                    name,
                    ty: u32::MAX,
                    params: 0,
                });
                self.hosts.len() - 1
            }
        };
        let lower = match self
            .lowers
            .iter()
            .position(|l| l.host == host && l.realloc == realloc)
        {
            Some(l) => l,
            None => {
                self.lowers.push(Lower { host, realloc });
                self.lowers.len() - 1
            }
        };
        Item::Host(lower)
    }

    fn owner(name: Option<&'a str>) -> Owner<'a> {
        match name {
            None => Owner::World,
            Some(n) if n.contains(':') => Owner::Interface(n),
            Some(n) => Owner::Inline(n),
        }
    }

    /// Whether lowered component function `func` is the host's.
    fn is_host_import(&self, func: u32) -> bool {
        matches!(
            self.model.funcs.get(func as usize),
            Some(CompFunc::Import { .. })
        )
    }

    /// What lowered component function `func` is.
    fn lowered(&self, func: u32) -> Result<Lowered, Error> {
        match self.model.funcs.get(func as usize) {
            Some(CompFunc::Import { owner, name }) => {
                let (module, name) = self
                    .scheme
                    .import_func(Self::owner(*owner), name)
                    .map_err(|_| Error::Malformed(format!("interface `{owner:?}`: bad version")))?;
                Ok(Lowered::Host(module, name))
            }
            Some(CompFunc::Lift { .. }) => Ok(Lowered::Lift),
            _ => Err(Error::Unsupported(format!(
                "a lowered function ({func}) that is not an import"
            ))),
        }
    }

    /// Type `ty` (the model gives one index to a type however often it is
    /// exported or aliased).
    fn root_type(&self, ty: u32) -> Result<(u32, &'m CompType<'a>), Error> {
        match self.model.types.get(ty as usize) {
            Some(c) => Ok((ty, c)),
            None => Err(Error::Malformed(format!("no component type {ty}"))),
        }
    }

    /// Where the component exports the resource it defines as type `ty`:
    /// the exporting instance's name (`None` for the world) and the resource's name.
    fn exported_resource(&self, ty: u32) -> Result<(Option<&'a str>, &'a str), Error> {
        let (root, _) = self.root_type(ty)?;
        for (name, kind, index) in &self.model.exports {
            match kind {
                ComponentExternalKind::Type if self.root_type(*index)?.0 == root => {
                    return Ok((None, name))
                }
                ComponentExternalKind::Instance => {
                    if let Some(CompInstance::Bag(items)) =
                        self.model.instances.get(*index as usize)
                    {
                        for (rname, k, i) in items {
                            if *k == ComponentExternalKind::Type && self.root_type(*i)?.0 == root {
                                return Ok((Some(name), rname));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Err(Error::Unsupported(format!(
            "a resource (type {ty}) the component defines but does not export"
        )))
    }

    /// The import names of `resource.drop` of component type `ty`.
    fn drop_name(&self, ty: u32) -> Result<(String, String), Error> {
        match self.root_type(ty)?.1 {
            CompType::ImportedResource { owner, name } => self
                .scheme
                .import_resource_drop(Self::owner(*owner), name)
                .map_err(|_| Error::Malformed(format!("interface `{owner:?}`: bad version"))),
            CompType::Defined { .. } => self.intrinsic_name(ty, ResourceIntrinsic::Drop),
            _ => Err(Error::Malformed(format!(
                "resource.drop of type {ty}, which is not a resource"
            ))),
        }
    }

    /// The import names of a `resource.new`, `.rep` or `.drop` of a resource the component exports.
    fn intrinsic_name(&self, ty: u32, which: ResourceIntrinsic) -> Result<(String, String), Error> {
        if !matches!(self.root_type(ty)?.1, CompType::Defined { .. }) {
            return Err(Error::Malformed(format!(
                "a resource built-in of type {ty}, which the component does not define"
            )));
        }
        let (owner, name) = self.exported_resource(ty)?;
        self.scheme
            .exported_resource_intrinsic(Self::owner(owner), name, which)
            .map_err(|_| Error::Malformed(format!("interface `{owner:?}`: bad version")))
    }

    /// `item` with imports followed to the item they resolve to, so equal
    /// items are the same function.
    fn canonical(&self, item: Item) -> Item {
        let mut it = item;
        while let Item::Local(pos, index) = it {
            let imported = self.instances[pos].1.imports_of(is_func).count();
            if index as usize >= imported {
                break;
            }
            match self.resolved[pos].get(&(kind_tag(Kind::Func), index)) {
                Some(next) => it = *next,
                None => break,
            }
        }
        it
    }

    /// The fused index of `item`, of `kind`, given each instance's maps so far.
    fn number(&self, item: Item, kind: Kind, maps: &[Maps]) -> Result<u32, Error> {
        match item {
            Item::Host(l) => {
                let lower = self
                    .lowers
                    .get(l)
                    .ok_or_else(|| Error::Malformed(format!("no lower {l}")))?;
                Ok(self
                    .reallocs
                    .redirect
                    .get(l)
                    .copied()
                    .flatten()
                    .unwrap_or(lower.host as u32))
            }
            Item::Adapter(k) if k < self.adapters_numbered => Ok(self.adapter_base + k as u32),
            Item::Adapter(_) => Err(Error::Unsupported(
                "a lifted function lowered where the lowering does not look for one".into(),
            )),
            Item::Builtin(k) if k < self.builtins_numbered => Ok(self.builtin_base + k as u32),
            Item::Builtin(_) => Err(Error::Unsupported(
                "a resource built-in where the lowering does not look for one".into(),
            )),
            Item::Local(pos, index) => {
                let m = maps.get(pos).ok_or_else(|| {
                    Error::Malformed(format!(
                        "module instance {pos} used before it is instantiated"
                    ))
                })?;
                let map = match kind {
                    Kind::Func => &m.funcs,
                    Kind::Table => &m.tables,
                    Kind::Memory => &m.memories,
                    Kind::Global => &m.globals,
                };
                map.get(index as usize).copied().ok_or_else(|| {
                    Error::Malformed(format!("an index out of range in module instance {pos}"))
                })
            }
        }
    }
}

/// Fuses `model`'s module instances into one core module named by `scheme`.
pub(crate) fn fuse(model: &Model<'_>, scheme: Scheme) -> Result<Vec<u8>, Error> {
    let mut f = Fuser {
        model,
        scheme,
        instances: Vec::new(),
        resolved: Vec::new(),
        hosts: Vec::new(),
        lowers: Vec::new(),
        type_offsets: Vec::new(),
        reallocs: Reallocs::default(),
        adapters: Vec::new(),
        adapter_base: 0,
        adapters_numbered: 0,
        impls: BTreeMap::new(),
        builtins: Vec::new(),
        builtin_base: 0,
        builtins_numbered: 0,
        table_funcs: None,
        tables: Vec::new(),
        exported: exported_funcs(model)?,
    };
    // The resources the host never sees (no export of the outermost
    // component names them): their handles live in the handle tables.
    for (t, ty) in model.types.iter().enumerate() {
        if let CompType::Defined { instance, .. } = ty {
            if f.exported_resource(t as u32).is_err() {
                if !handles::fits(t as u32) {
                    return Err(Error::Unsupported("more than 2^30 component types".into()));
                }
                f.impls.insert(t as u32, *instance);
            }
        }
    }
    // Resolve every import of every module instance, in instantiation order.
    let mut type_offset = 0;
    for (core, inst) in model.core_instances.iter().enumerate() {
        let CoreInstance::Module { module, args } = inst else {
            continue;
        };
        let bytes = model
            .modules
            .get(*module as usize)
            .ok_or_else(|| Error::Malformed(format!("no core module {module}")))?;
        let parsed = Parsed::read(bytes)?;
        let mut resolved = BTreeMap::new();
        let mut counts = [0u32; 4];
        for import in &parsed.imports {
            let kind = Kind::of_ref(&import.ty)
                .ok_or_else(|| Error::Unsupported("imported tags".into()))?;
            let arg = args
                .iter()
                .find(|(n, _)| *n == import.module)
                .map(|(_, i)| *i)
                .ok_or_else(|| {
                    Error::Malformed(format!(
                        "core module {module} imports `{}` `{}`, which its instantiation does not give",
                        import.module, import.name
                    ))
                })?;
            let item = f.lookup(arg, import.name, kind)?;
            if let Item::Adapter(k) = item {
                f.adapters[k].name = format!("{}#{}", import.module, import.name);
            }
            let n = &mut counts[kind as usize];
            resolved.insert((kind_tag(kind), *n), item);
            *n += 1;
        }
        f.type_offsets.push(type_offset);
        type_offset += parsed.type_count;
        f.instances.push((core as u32, parsed));
        f.resolved.push(resolved);
    }
    if f.instances.is_empty() {
        return Err(Error::Unsupported("a component with no core module".into()));
    }
    // The host imports' types: the first import that resolved to each.
    for (pos, (_, parsed)) in f.instances.iter().enumerate() {
        for (i, import) in parsed.imports_of(is_func).enumerate() {
            if let Some(Item::Host(l)) = f.resolved[pos].get(&(kind_tag(Kind::Func), i as u32)) {
                let (TypeRef::Func(ty) | TypeRef::FuncExact(ty)) = import.ty else {
                    continue;
                };
                let h = &f.lowers[*l].host;
                if f.hosts[*h].ty == u32::MAX {
                    f.hosts[*h].ty = f.type_offsets[pos] + ty;
                    f.hosts[*h].params = params_of(parsed, ty)?;
                }
            }
        }
    }
    plan_reallocs(&mut f)?;
    // Number every item: host imports first, then each instance's own items,
    // then the trampolines (redirected host imports point at them).
    let hosts = f.hosts.len() as u32;
    let defined: u32 = f.instances.iter().map(|(_, p)| p.funcs.len() as u32).sum();
    let mut t = hosts + defined;
    for l in 0..f.lowers.len() {
        if f.reallocs.selector[l].is_some() {
            f.reallocs.redirect[l] = Some(t);
            t += 1;
        }
    }
    f.adapter_base = t;
    f.adapters_numbered = f.adapters.len();
    t += f.adapters.len() as u32;
    f.builtin_base = t;
    f.builtins_numbered = f.builtins.len();
    t += f.builtins.len() as u32;
    let handles_cross = f.adapters.iter().any(|p| {
        matches!(model.funcs.get(p.lift as usize), Some(CompFunc::Lift { ty, .. })
            if matches!(model.types.get(*ty as usize), Some(CompType::Func(ft)) if ft.has_handles()))
    });
    if handles_cross || !f.builtins.is_empty() {
        f.table_funcs = Some(Funcs::at(t));
        t += 4;
    }
    // The memory the host sees is memory 0, wherever it is defined: every
    // load and store naming another memory carries its index, a byte more.
    let host_memory = host_memory(&mut f)?;
    let first_memory = u32::from(host_memory.is_some());
    let mut next = [hosts, 0, first_memory, 0]; // funcs, tables, memories, globals
    let (mut elements, mut data) = (0u32, 0u32);
    let mut maps: Vec<Maps> = Vec::new();
    for pos in 0..f.instances.len() {
        let parsed = &f.instances[pos].1;
        let mut m = Maps {
            types: f.type_offsets[pos],
            elements,
            data,
            ..Maps::default()
        };
        let kinds = [
            (
                Kind::Func,
                is_func as fn(&TypeRef) -> bool,
                parsed.funcs.len(),
            ),
            (Kind::Table, is_table, parsed.tables.len()),
            (Kind::Memory, is_memory, parsed.memories.len()),
            (Kind::Global, is_global, parsed.globals.len()),
        ];
        for (kind, is, defined) in kinds {
            let mut map = Vec::new();
            for i in 0..parsed.imports_of(is).count() {
                let item = f.resolved[pos][&(kind_tag(kind), i as u32)];
                map.push(f.number(item, kind, &maps)?);
            }
            let imported = map.len() as u32;
            for j in 0..defined as u32 {
                if kind == Kind::Memory && host_memory == Some((pos, imported + j)) {
                    map.push(0);
                    continue;
                }
                map.push(next[kind as usize]);
                next[kind as usize] += 1;
            }
            match kind {
                Kind::Func => m.funcs = map,
                Kind::Table => m.tables = map,
                Kind::Memory => m.memories = map,
                Kind::Global => m.globals = map,
            }
        }
        elements += parsed.elements.len() as u32;
        data += parsed.data.len() as u32;
        maps.push(m);
    }
    let ends = Ends {
        funcs: t,
        types: type_offset,
        globals: next[Kind::Global as usize],
        memories: next[Kind::Memory as usize],
        data,
    };
    emit(&mut f, &mut maps, ends)
}

/// The memory the host sees (the one the exported lifts' or the host
/// imports' options name), as the module instance that defines it and its
/// index there.
fn host_memory(f: &mut Fuser<'_, '_>) -> Result<Option<(usize, u32)>, Error> {
    let model = f.model;
    let lifts = f
        .exported
        .iter()
        .filter_map(|(_, _, l)| match model.funcs.get(*l as usize) {
            Some(CompFunc::Lift { options, .. }) => options.memory,
            _ => None,
        });
    let lowers = model.core_funcs.iter().filter_map(|cf| match cf {
        CoreFunc::Lower { func, options, .. } if f.is_host_import(*func) => options.memory,
        _ => None,
    });
    let Some(m) = lifts.chain(lowers).next() else {
        return Ok(None);
    };
    let mut item = f.core_item(Kind::Memory, m)?;
    // Imports resolve to earlier instances, so this ends.
    while let Item::Local(pos, index) = item {
        let imported = f.instances[pos].1.imports_of(is_memory).count() as u32;
        if index >= imported {
            return Ok(Some((pos, index)));
        }
        item = f.resolved[pos]
            .get(&(kind_tag(Kind::Memory), index))
            .copied()
            .ok_or_else(|| Error::Malformed(format!("memory import {index} unresolved")))?;
    }
    Ok(None)
}

/// Records `v` as the one memory the canonical options name.
fn one_memory(slot: &mut Option<u32>, v: u32) -> Result<(), Error> {
    match slot {
        Some(old) if *old != v => Err(Error::Unsupported(
            "several memories among the canonical options".into(),
        )),
        _ => {
            *slot = Some(v);
            Ok(())
        }
    }
}

/// The sizes of the fused index spaces before what `emit` adds.
struct Ends {
    /// Functions: imports, every module's, and the trampolines.
    funcs: u32,
    types: u32,
    globals: u32,
    /// Memories: the handle tables' memory, if any, is the next.
    memories: u32,
    data: u32,
}

/// The number of parameters of type `ty` of `parsed`, a function type.
fn params_of(parsed: &Parsed<'_>, ty: u32) -> Result<u32, Error> {
    let sub = parsed
        .types
        .iter()
        .flat_map(|g| g.types())
        .nth(ty as usize)
        .ok_or_else(|| Error::Malformed(format!("no type {ty}")))?;
    match &sub.composite_type.inner {
        wasmparser::CompositeInnerType::Func(f) => Ok(f.params().len() as u32),
        _ => Err(Error::Malformed(format!(
            "type {ty} is not a function type"
        ))),
    }
}

/// Which `realloc` each host import's lower names, and the trampolines the
/// imports whose `realloc` is not the lifts' need.
fn plan_reallocs(f: &mut Fuser<'_, '_>) -> Result<(), Error> {
    let model = f.model;
    let mut targets: Vec<Item> = Vec::new();
    let lifts: Vec<u32> = f.exported.iter().map(|(_, _, l)| *l).collect();
    for lift in lifts {
        if let Some(CompFunc::Lift {
            options: Options {
                realloc: Some(r), ..
            },
            ..
        }) = model.funcs.get(lift as usize)
        {
            let item = f.core_item(Kind::Func, *r)?;
            let item = f.canonical(item);
            match targets.first() {
                Some(p) if *p != item => {
                    return Err(Error::Unsupported(
                        "lifted functions that name different reallocs".into(),
                    ))
                }
                Some(_) => {}
                None => targets.push(item),
            }
        }
    }
    let mut selector = Vec::new();
    let mut l = 0;
    while l < f.lowers.len() {
        let sel = match f.lowers[l].realloc {
            Some(r) => {
                let item = f.core_item(Kind::Func, r)?;
                let item = f.canonical(item);
                let at = match targets.iter().position(|t| *t == item) {
                    Some(at) => at,
                    None => {
                        targets.push(item);
                        targets.len() - 1
                    }
                };
                (at != 0).then_some(at as u32)
            }
            None => None,
        };
        selector.push(sel);
        l += 1;
    }
    f.reallocs = Reallocs {
        targets,
        redirect: vec![None; selector.len()],
        selector,
    };
    Ok(())
}

/// An exported lift: its instance's name (`None` for the world), its name,
/// its component function.
type Exported<'a> = (Option<&'a str>, &'a str, u32);

/// The component functions the outermost component exports, directly or
/// in instances: the lifts the host calls, each with its instance's name
/// (`None` for the world) and its own; one line for an export the lowering
/// cannot follow.
fn exported_funcs<'a>(model: &Model<'a>) -> Result<Vec<Exported<'a>>, Error> {
    let mut out = Vec::new();
    for (name, kind, index) in &model.exports {
        match kind {
            ComponentExternalKind::Func => out.push((None, *name, *index)),
            ComponentExternalKind::Instance => {
                let Some(CompInstance::Bag(bag)) = model.instances.get(*index as usize) else {
                    return Err(Error::Unsupported(format!(
                        "export `{name}` of an instance the lowering cannot follow"
                    )));
                };
                out.extend(
                    bag.iter()
                        .filter(|(_, k, _)| *k == ComponentExternalKind::Func)
                        .map(|(fname, _, i)| (Some(*name), *fname, *i)),
                );
            }
            ComponentExternalKind::Type => {}
            _ => return Err(Error::Unsupported(format!("export `{name}` of this kind"))),
        }
    }
    Ok(out)
}

/// Writes the fused module.
fn emit(f: &mut Fuser<'_, '_>, maps: &mut [Maps], ends: Ends) -> Result<Vec<u8>, Error> {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let mut functions = FunctionSection::new();
    let mut tables = TableSection::new();
    let mut memories = MemorySection::new();
    let mut globals = GlobalSection::new();
    let mut exports = ExportSection::new();
    let mut elements = ElementSection::new();
    let mut code = CodeSection::new();
    let mut datas = DataSection::new();
    let mut starts = Vec::new();
    let mut consts: BTreeMap<u32, Const> = BTreeMap::new();
    // Each defined memory with its fused index, written in index order.
    let mut memory_types = Vec::new();
    for (pos, (_, parsed)) in f.instances.iter().enumerate() {
        let m = &mut maps[pos];
        for g in parsed.types.iter().cloned() {
            m.parse_recursive_type_group(types.ty(), g)
                .map_err(reencode_err)?;
        }
        for ty in &parsed.funcs {
            functions.function(m.type_index(*ty).map_err(reencode_err)?);
        }
        for t in parsed.tables.iter().cloned() {
            m.parse_table(&mut tables, t).map_err(reencode_err)?;
        }
        let imported_memories = parsed.imports_of(is_memory).count();
        for (j, mem) in parsed.memories.iter().enumerate() {
            let index = m.memories[imported_memories + j];
            memory_types.push((index, m.memory_type(*mem).map_err(reencode_err)?));
        }
        m.consts = consts.clone();
        let imported_globals = parsed.imports_of(is_global).count();
        for (j, g) in parsed.globals.iter().cloned().enumerate() {
            if !g.ty.mutable {
                if let Some(v) = m.fold(&g.init_expr) {
                    let fused = m.globals[imported_globals + j];
                    consts.insert(fused, v);
                    m.consts.insert(fused, v);
                }
            }
            m.parse_global(&mut globals, g).map_err(reencode_err)?;
        }
        for e in parsed.elements.iter().cloned() {
            m.parse_element(&mut elements, e).map_err(reencode_err)?;
        }
        for b in parsed.bodies.iter().cloned() {
            m.parse_function_body(&mut code, b).map_err(reencode_err)?;
        }
        for d in parsed.data.iter().cloned() {
            m.parse_data(&mut datas, d).map_err(reencode_err)?;
        }
        if let Some(s) = parsed.start {
            starts.push(m.function_index(s).map_err(reencode_err)?);
        }
    }
    memory_types.sort_by_key(|(index, _)| *index);
    for (_, ty) in memory_types {
        memories.memory(ty);
    }
    for h in &f.hosts {
        imports.import(&h.module, &h.name, EntityType::Function(h.ty));
    }
    // The lifts: every top-level export, through instance bags.
    let mut memory: Option<u32> = None;
    let mut named: Vec<(String, u32)> = Vec::new();
    let model = f.model;
    for (owner, name, func) in f.exported.clone() {
        lift(f, maps, owner, name, func, &mut memory, &mut named)?;
    }
    // The destructors of the resources the component defines and exports.
    for (t, ty) in model.types.iter().enumerate() {
        let CompType::Defined {
            dtor: Some(dtor), ..
        } = ty
        else {
            continue;
        };
        if f.impls.contains_key(&(t as u32)) {
            continue;
        }
        let (owner, name) = f.exported_resource(t as u32)?;
        let item = f.core_item(Kind::Func, *dtor)?;
        let func = f.number(item, Kind::Func, maps)?;
        let export = f
            .scheme
            .export_dtor(Fuser::owner(owner), name)
            .map_err(|_| Error::Malformed(format!("resource `{name}`: bad interface version")))?;
        named.push((export, func));
    }
    // The options of the lowers of host imports (an adapter's lower names
    // the memory of the component that calls it, not the host's).
    for cf in &model.core_funcs {
        if let CoreFunc::Lower { func, options, .. } = cf {
            if f.is_host_import(*func) {
                options_into(f, maps, options, &mut memory)?;
            }
        }
    }
    let scheme = f.scheme;
    for (name, func) in &named {
        exports.export(name, ExportKind::Func, *func);
    }
    if let Some(m) = memory {
        exports.export(scheme.memory(), ExportKind::Memory, m);
    }
    // The trampolines: set the selector around the host call, restore it after.
    let selector = ends.globals;
    let mut any = false;
    for (l, lower) in f.lowers.iter().enumerate() {
        let Some(sel) = f.reallocs.selector[l] else {
            continue;
        };
        let (h, host) = (lower.host, &f.hosts[lower.host]);
        any = true;
        functions.function(host.ty);
        let saved = host.params;
        let mut body = Function::new([(1, ValType::I32)]);
        body.instruction(&Instruction::GlobalGet(selector))
            .instruction(&Instruction::LocalSet(saved))
            .instruction(&Instruction::I32Const(sel as i32))
            .instruction(&Instruction::GlobalSet(selector));
        for p in 0..host.params {
            body.instruction(&Instruction::LocalGet(p));
        }
        body.instruction(&Instruction::Call(h as u32))
            .instruction(&Instruction::LocalGet(saved))
            .instruction(&Instruction::GlobalSet(selector))
            .instruction(&Instruction::End);
        code.function(&body);
    }
    let mut next_func = ends.funcs;
    let mut next_type = ends.types;
    // The adapters, numbered after the trampolines.
    let tables_memory = ends.memories;
    for k in 0..f.adapters_numbered {
        let (sig, body) = adapter_of(f, maps, k, tables_memory)?;
        types.ty().function(sig.0, sig.1);
        functions.function(next_type);
        next_type += 1;
        code.function(&body);
    }
    // The resource built-ins over the handle tables, then the tables' functions.
    for k in 0..f.builtins_numbered {
        let (sig, body) = builtin_of(f, maps, k, tables_memory)?;
        types.ty().function(sig.0, sig.1);
        functions.function(next_type);
        next_type += 1;
        code.function(&body);
    }
    if let Some(funcs) = f.table_funcs {
        let bodies = handles::bodies(tables_memory, funcs);
        for ((params, results), body) in handles::signatures().into_iter().zip(&bodies) {
            types.ty().function(params, results);
            functions.function(next_type);
            next_type += 1;
            code.function(body);
        }
        let bytes = u64::from(f.tables.len().max(1) as u32 * handles::TABLE_BYTES);
        memories.memory(wasm_encoder::MemoryType {
            minimum: bytes.div_ceil(65536),
            maximum: Some(bytes.div_ceil(65536)),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
    }
    // The `realloc` the host calls: the only one, or a dispatch on the selector.
    let targets: Vec<u32> = f
        .reallocs
        .targets
        .iter()
        .map(|t| f.number(*t, Kind::Func, maps))
        .collect::<Result<_, _>>()?;
    match targets.as_slice() {
        [] => {}
        [only] if !any => {
            exports.export(scheme.realloc(), ExportKind::Func, *only);
        }
        _ => {
            globals.global(
                wasm_encoder::GlobalType {
                    val_type: ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &wasm_encoder::ConstExpr::i32_const(0),
            );
            types.ty().function([ValType::I32; 4], [ValType::I32]);
            functions.function(next_type);
            next_type += 1;
            code.function(&dispatch(selector, &targets));
            exports.export(scheme.realloc(), ExportKind::Func, next_func);
            next_func += 1;
        }
    }
    // The start functions, in instantiation order, become the initialization export.
    if !starts.is_empty() {
        types.ty().function([], []);
        functions.function(next_type);
        let mut body = Function::new([]);
        for s in &starts {
            body.instruction(&Instruction::Call(*s));
        }
        body.instruction(&Instruction::End);
        code.function(&body);
        exports.export(scheme.initialize(), ExportKind::Func, next_func);
    }
    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&tables);
    module.section(&memories);
    module.section(&globals);
    module.section(&exports);
    module.section(&elements);
    module.section(&DataCountSection { count: ends.data });
    module.section(&code);
    module.section(&datas);
    Ok(module.finish())
}

/// A function's core signature and body.
type Generated = ((Vec<ValType>, Vec<ValType>), Function);

/// The signature and body of resource built-in `k`.
fn builtin_of(
    f: &mut Fuser<'_, '_>,
    maps: &[Maps],
    k: usize,
    tables_memory: u32,
) -> Result<Generated, Error> {
    let plan = f.builtins[k];
    let funcs = f.table_funcs.expect("built-ins have tables");
    let base = f.table(plan.instance);
    let dtor = match plan.which {
        Builtin::New | Builtin::Rep => None,
        Builtin::Drop => {
            let Some(CompType::Defined { dtor, instance }) =
                f.model.types.get(plan.resource as usize)
            else {
                return Err(Error::Malformed(format!(
                    "type {} is not a resource",
                    plan.resource
                )));
            };
            match dtor {
                Some(d) => {
                    let item = f.core_item(Kind::Func, *d)?;
                    Some(Dtor {
                        func: f.number(item, Kind::Func, maps)?,
                        owner: (*instance != plan.instance).then(|| f.table(*instance)),
                    })
                }
                None => None,
            }
        }
    };
    Ok((
        plan.which.signature(),
        plan.which
            .body(tables_memory, funcs, base, plan.resource, dtor),
    ))
}

/// The signature and body of adapter `k`.
fn adapter_of(
    f: &mut Fuser<'_, '_>,
    maps: &[Maps],
    k: usize,
    tables_memory: u32,
) -> Result<Generated, Error> {
    let model = f.model;
    let plan = &f.adapters[k];
    let (lift, lower, name, caller) = (
        plan.lift,
        plan.options.clone(),
        plan.name.clone(),
        plan.instance,
    );
    let Some(CompFunc::Lift {
        core,
        options,
        ty,
        instance: callee,
    }) = model.funcs.get(lift as usize)
    else {
        return Err(Error::Malformed(format!(
            "`{name}`: no lifted function {lift}"
        )));
    };
    let Some(CompType::Func(ty)) = model.types.get(*ty as usize) else {
        return Err(Error::Unsupported(format!(
            "`{name}`: a call between components whose type holds resources or types the adapters cannot copy"
        )));
    };
    let func = |f: &mut Fuser<'_, '_>, i: Option<u32>| -> Result<Option<u32>, Error> {
        i.map(|i| {
            let item = f.core_item(Kind::Func, i)?;
            f.number(item, Kind::Func, maps)
        })
        .transpose()
    };
    let callee_func = func(f, Some(*core))?.expect("a core function");
    let post_return = func(f, options.post_return)?;
    let callee_realloc = func(f, options.realloc)?;
    let caller_realloc = func(f, lower.realloc)?;
    let memory = |f: &mut Fuser<'_, '_>, m: Option<u32>| -> Result<Option<u32>, Error> {
        m.map(|m| {
            let item = f.core_item(Kind::Memory, m)?;
            f.number(item, Kind::Memory, maps)
        })
        .transpose()
    };
    let callee_memory = memory(f, options.memory)?;
    let caller_memory = memory(f, lower.memory)?;
    let handles = ty.has_handles();
    let table = |f: &mut Fuser<'_, '_>, instance: u32| handles.then(|| f.table(instance));
    let (callee_table, caller_table) = (table(f, *callee), table(f, caller));
    let tables = match (handles, f.table_funcs) {
        (true, Some(funcs)) => Some(Tables {
            memory: tables_memory,
            funcs,
            impls: &f.impls,
        }),
        _ => None,
    };
    let a = adapter::Adapter {
        ty,
        callee: callee_func,
        post_return,
        callee_side: Side {
            memory: callee_memory,
            realloc: callee_realloc,
            instance: *callee,
            table: callee_table,
        },
        caller_side: Side {
            memory: caller_memory,
            realloc: caller_realloc,
            instance: caller,
            table: caller_table,
        },
        name: &name,
        tables,
    };
    Ok((adapter::lowered_signature(ty), adapter::body(&a)?))
}

/// `realloc(old, align, size, new) -> ptr` calling `targets[selector]`.
fn dispatch(selector: u32, targets: &[u32]) -> Function {
    let mut body = Function::new([]);
    let call = |body: &mut Function, target: u32| {
        for p in 0..4 {
            body.instruction(&Instruction::LocalGet(p));
        }
        body.instruction(&Instruction::Call(target));
    };
    let result = wasm_encoder::BlockType::Result(ValType::I32);
    // if sel == 0 { t0 } else if sel == 1 { t1 } … else { last }
    let (last, rest) = targets.split_last().expect("at least two targets");
    for (i, t) in rest.iter().enumerate() {
        body.instruction(&Instruction::GlobalGet(selector))
            .instruction(&Instruction::I32Const(i as i32))
            .instruction(&Instruction::I32Eq)
            .instruction(&Instruction::If(result));
        call(&mut body, *t);
        body.instruction(&Instruction::Else);
    }
    call(&mut body, *last);
    for _ in rest {
        body.instruction(&Instruction::End);
    }
    body.instruction(&Instruction::End);
    body
}

/// Exports lifted function `index` (named `name`, of `owner`).
fn lift(
    f: &mut Fuser<'_, '_>,
    maps: &mut [Maps],
    owner: Option<&str>,
    name: &str,
    index: u32,
    memory: &mut Option<u32>,
    named: &mut Vec<(String, u32)>,
) -> Result<(), Error> {
    let (core, options) = match f.model.funcs.get(index as usize) {
        Some(CompFunc::Lift { core, options, .. }) => (*core, options),
        _ => {
            return Err(Error::Unsupported(format!(
                "export `{name}` that is not a lifted core function"
            )))
        }
    };
    let owner = match owner {
        None => Owner::World,
        Some(n) if n.contains(':') => Owner::Interface(n),
        Some(n) => Owner::Inline(n),
    };
    let bad = |_| Error::Malformed(format!("export `{name}`: bad interface version"));
    let item = f.core_item(Kind::Func, core)?;
    let func = f.number(item, Kind::Func, maps)?;
    named.push((f.scheme.export_func(owner, name).map_err(bad)?, func));
    if let Some(p) = options.post_return {
        let item = f.core_item(Kind::Func, p)?;
        let post = f.number(item, Kind::Func, maps)?;
        named.push((f.scheme.export_post_return(owner, name).map_err(bad)?, post));
    }
    options_into(f, maps, options, memory)
}

/// Records the memory and realloc a lift or lower names.
fn options_into(
    f: &mut Fuser<'_, '_>,
    maps: &mut [Maps],
    options: &Options,
    memory: &mut Option<u32>,
) -> Result<(), Error> {
    if let Some(m) = options.memory {
        let item = f.core_item(Kind::Memory, m)?;
        let m = f.number(item, Kind::Memory, maps)?;
        one_memory(memory, m)?;
    }
    Ok(())
}
