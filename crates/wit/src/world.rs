//! A world as the runtime needs it: ABI function types and the core names of every item.
//!
//! Plain data (no wit-parser), so a device can hold a world built elsewhere.

use alloc::string::String;
use alloc::vec::Vec;

use wasmbed_abi::names::{
    canonicalize_interface_name, BadVersion, Owner, ResourceIntrinsic, Scheme,
};
use wasmbed_abi::{FuncType, ResourceId};

/// What a guest imports and exports.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// The world's name, `ns:pkg/world` where it has a package.
    pub name: String,
    /// Imported functions and interfaces.
    pub imports: Vec<Item>,
    /// Exported functions and interfaces.
    pub exports: Vec<Item>,
    /// Every resource type, indexed by [`ResourceId`].
    pub resources: Vec<Resource>,
}

/// One import or export of a world.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A function imported or exported by the world itself.
    Function(Function),
    /// An interface.
    Interface(Interface),
}

/// An interface of a world.
#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    /// How the world names it.
    pub name: InterfaceName,
    /// Its functions, with their WIT names (`[method]r.m`, …).
    pub functions: Vec<Function>,
    /// The resources it defines itself (not aliases).
    pub resources: Vec<ResourceId>,
}

/// How a world names an interface.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InterfaceName {
    /// Declared inline in the world: `import j: interface { … }`.
    Inline(String),
    /// A package interface, full id with any version: `ns:pkg/iface@1.2.3`.
    Id(String),
}

impl InterfaceName {
    /// The name as WIT writes it.
    pub fn as_str(&self) -> &str {
        match self {
            InterfaceName::Inline(s) | InterfaceName::Id(s) => s,
        }
    }

    fn owner(&self) -> Owner<'_> {
        match self {
            InterfaceName::Inline(s) => Owner::Inline(s),
            InterfaceName::Id(s) => Owner::Interface(s),
        }
    }
}

/// A function with its type.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The WIT name, with its decoration: `f`, `[constructor]r`, `[method]r.m`, `[static]r.s`.
    pub name: String,
    /// Its parameters and result.
    pub ty: FuncType,
}

/// Which side implements a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The host implements it; the guest holds handles.
    Imported,
    /// The guest implements it; the host holds handles to the guest's representations.
    Exported,
}

/// A resource type of the world.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Its WIT name.
    pub name: String,
    /// The interface defining it (`None` for a world-level resource).
    pub interface: Option<InterfaceName>,
    /// Who implements it.
    pub direction: Direction,
}

/// What a core import is, in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportTarget {
    /// Function `func` of import `item` (for a world-level function, `func` is 0).
    Func {
        /// Index into [`World::imports`].
        item: usize,
        /// Index into the interface's functions.
        func: usize,
    },
    /// `resource.drop` of an imported resource.
    ResourceDrop(ResourceId),
    /// `resource.new`/`rep`/`drop` of a resource the guest exports.
    Intrinsic(ResourceId, ResourceIntrinsic),
}

/// What a core export is, in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportTarget {
    /// Function `func` of export `item`.
    Func {
        /// Index into [`World::exports`].
        item: usize,
        /// Index into the interface's functions.
        func: usize,
    },
    /// The post-return function of that function.
    PostReturn {
        /// Index into [`World::exports`].
        item: usize,
        /// Index into the interface's functions.
        func: usize,
    },
    /// The destructor of an exported resource.
    Dtor(ResourceId),
    /// The linear memory.
    Memory,
    /// `realloc`.
    Realloc,
    /// The initialization function.
    Initialize,
}

/// Every core name a world defines under one scheme, for matching a module's imports and exports.
///
/// Each table is a vector sorted by name, searched by bisection: on a device
/// the code of two B-tree maps (insert, search, drop) is flash the lookups
/// of a few dozen names do not need, and a lookup by `&str` allocates nothing.
#[derive(Clone, Debug)]
pub struct CoreNames {
    scheme: Scheme,
    imports: Vec<((String, String), ImportTarget)>,
    /// Legacy only: imports keyed by the canonical form of their module, for semver-compatible matches.
    loose: Vec<((String, String), ImportTarget)>,
    exports: Vec<(String, ExportTarget)>,
}

/// The entry of sorted `table` whose key compares equal by `cmp`.
fn find<K, V: Copy>(table: &[(K, V)], cmp: impl Fn(&K) -> core::cmp::Ordering) -> Option<V> {
    table
        .binary_search_by(|(k, _)| cmp(k))
        .ok()
        .map(|i| table[i].1)
}

/// Puts `key` → `value` into sorted `table`, replacing an equal key.
fn put<K: Ord, V>(table: &mut Vec<(K, V)>, key: K, value: V) {
    match table.binary_search_by(|(k, _)| k.cmp(&key)) {
        Ok(i) => table[i].1 = value,
        Err(i) => table.insert(i, (key, value)),
    }
}

/// The order of a `(module, name)` key against borrowed names.
fn pair_cmp((m, n): &(String, String), module: &str, name: &str) -> core::cmp::Ordering {
    (m.as_str(), n.as_str()).cmp(&(module, name))
}

impl CoreNames {
    /// The scheme these names follow.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The world item a core import names, if any.
    ///
    /// `cm32p2` names match exactly; legacy names first exactly, then any
    /// semver-compatible version (`@1.2.3` binds `@1.2.4`).
    pub fn import(&self, module: &str, name: &str) -> Option<ImportTarget> {
        if let Some(t) = find(&self.imports, |k| pair_cmp(k, module, name)) {
            return Some(t);
        }
        if self.scheme == Scheme::Legacy {
            let canonical = canonicalize_interface_name(module).ok()?;
            return find(&self.loose, |k| pair_cmp(k, &canonical, name));
        }
        None
    }

    /// The world item a core export names, if any.
    pub fn export(&self, name: &str) -> Option<ExportTarget> {
        find(&self.exports, |k| k.as_str().cmp(name))
    }

    /// Every import name, in order.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, ImportTarget)> + '_ {
        self.imports
            .iter()
            .map(|((m, n), t)| (m.as_str(), n.as_str(), *t))
    }

    /// Every export name, in order.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExportTarget)> + '_ {
        self.exports.iter().map(|(n, t)| (n.as_str(), *t))
    }

    fn add_import(
        &mut self,
        (module, name): (String, String),
        t: ImportTarget,
    ) -> Result<(), BadVersion> {
        if self.scheme == Scheme::Legacy {
            let canonical = canonicalize_interface_name(&module)?.into_owned();
            put(&mut self.loose, (canonical, name.clone()), t);
        }
        put(&mut self.imports, (module, name), t);
        Ok(())
    }
}

impl World {
    /// A world with nothing in it: for modules that only use imports outside
    /// any world, such as WASI preview 1 programs.
    pub fn empty(name: &str) -> World {
        World {
            name: String::from(name),
            imports: Vec::new(),
            exports: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// The function an import target names.
    pub fn import_func(&self, item: usize, func: usize) -> Option<&Function> {
        item_func(self.imports.get(item)?, func)
    }

    /// The function an export target names.
    pub fn export_func(&self, item: usize, func: usize) -> Option<&Function> {
        item_func(self.exports.get(item)?, func)
    }

    /// All core names of this world under `scheme`.
    pub fn core_names(&self, scheme: Scheme) -> Result<CoreNames, BadVersion> {
        let mut names = CoreNames {
            scheme,
            imports: Vec::new(),
            loose: Vec::new(),
            exports: Vec::new(),
        };
        for (item, import) in self.imports.iter().enumerate() {
            match import {
                Item::Function(f) => {
                    let key = scheme.import_func(Owner::World, &f.name)?;
                    names.add_import(key, ImportTarget::Func { item, func: 0 })?;
                }
                Item::Interface(i) => {
                    for (func, f) in i.functions.iter().enumerate() {
                        let key = scheme.import_func(i.name.owner(), &f.name)?;
                        names.add_import(key, ImportTarget::Func { item, func })?;
                    }
                    for r in &i.resources {
                        let name = &self.resources[r.0 as usize].name;
                        let key = scheme.import_resource_drop(i.name.owner(), name)?;
                        names.add_import(key, ImportTarget::ResourceDrop(*r))?;
                    }
                }
            }
        }
        for (item, export) in self.exports.iter().enumerate() {
            let (owner, functions, resources): (Owner<'_>, &[Function], &[ResourceId]) =
                match export {
                    Item::Function(f) => (Owner::World, core::slice::from_ref(f), &[]),
                    Item::Interface(i) => (i.name.owner(), &i.functions, &i.resources),
                };
            for (func, f) in functions.iter().enumerate() {
                put(
                    &mut names.exports,
                    scheme.export_func(owner, &f.name)?,
                    ExportTarget::Func { item, func },
                );
                put(
                    &mut names.exports,
                    scheme.export_post_return(owner, &f.name)?,
                    ExportTarget::PostReturn { item, func },
                );
            }
            for r in resources {
                let name = &self.resources[r.0 as usize].name;
                put(
                    &mut names.exports,
                    scheme.export_dtor(owner, name)?,
                    ExportTarget::Dtor(*r),
                );
                for which in [
                    ResourceIntrinsic::New,
                    ResourceIntrinsic::Rep,
                    ResourceIntrinsic::Drop,
                ] {
                    let key = scheme.exported_resource_intrinsic(owner, name, which)?;
                    names.add_import(key, ImportTarget::Intrinsic(*r, which))?;
                }
            }
        }
        for (name, target) in [
            (scheme.memory(), ExportTarget::Memory),
            (scheme.realloc(), ExportTarget::Realloc),
            (scheme.initialize(), ExportTarget::Initialize),
        ] {
            put(&mut names.exports, name.into(), target);
        }
        Ok(names)
    }
}

fn item_func(item: &Item, func: usize) -> Option<&Function> {
    match item {
        Item::Function(f) if func == 0 => Some(f),
        Item::Function(_) => None,
        Item::Interface(i) => i.functions.get(func),
    }
}

/// Resource names and directions, for checking typed bindings against the world.
impl wasmbed_abi::typed::ResourceNames for World {
    fn resource(&self, id: ResourceId) -> Option<(&str, bool)> {
        let r = self.resources.get(id.0 as usize)?;
        Some((&r.name, r.direction == Direction::Exported))
    }
}
