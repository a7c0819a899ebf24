//! Picking the named types of a package, an interface or a world.

use wit_parser::{Function, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeId, WorldItem};

/// Which part of a package a tool works on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// Every named type of the package: its interfaces' and its worlds' own.
    #[default]
    Package,
    /// The named types of one interface of the package, by name.
    Interface(String),
    /// The named types a world of the package uses: its interfaces', and those its functions take or return.
    World(String),
}

/// Why a selection names nothing in the package.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// No interface of that name.
    #[error("no interface `{name}` in package `{package}` (known: {known})")]
    NoInterface {
        /// The name asked for.
        name: String,
        /// The package searched.
        package: String,
        /// Its interfaces, comma-separated.
        known: String,
    },
    /// No world of that name.
    #[error("no world `{name}` in package `{package}` (known: {known})")]
    NoWorld {
        /// The name asked for.
        name: String,
        /// The package searched.
        package: String,
        /// Its worlds, comma-separated.
        known: String,
    },
}

/// The named types of `selection` in `package`, in declaration order, each once.
///
/// Types of functions are included when they are named; anonymous types
/// (`option<point>`) contribute the named types inside them. Aliases made by
/// `use` are included as they are: callers follow them to the original.
pub fn named_types(
    resolve: &Resolve,
    package: PackageId,
    selection: &Selection,
) -> Result<Vec<TypeId>, SelectError> {
    let pkg = &resolve.packages[package];
    let mut out = Collector {
        resolve,
        types: Vec::new(),
    };
    match selection {
        Selection::Package => {
            for &iface in pkg.interfaces.values() {
                out.interface(iface);
            }
            for &world in pkg.worlds.values() {
                let world = &resolve.worlds[world];
                for item in world.imports.values().chain(world.exports.values()) {
                    if let WorldItem::Type { id, .. } = item {
                        out.push(*id);
                    }
                }
            }
        }
        Selection::Interface(name) => {
            let Some(&iface) = pkg.interfaces.get(name) else {
                return Err(SelectError::NoInterface {
                    name: name.clone(),
                    package: pkg.name.to_string(),
                    known: known(pkg.interfaces.keys()),
                });
            };
            out.interface(iface);
        }
        Selection::World(name) => {
            let Some(&world) = pkg.worlds.get(name) else {
                return Err(SelectError::NoWorld {
                    name: name.clone(),
                    package: pkg.name.to_string(),
                    known: known(pkg.worlds.keys()),
                });
            };
            let world = &resolve.worlds[world];
            for item in world.imports.values().chain(world.exports.values()) {
                match item {
                    WorldItem::Interface { id, .. } => out.interface(*id),
                    WorldItem::Function(f) => out.function(f),
                    WorldItem::Type { id, .. } => out.push(*id),
                }
            }
        }
    }
    Ok(out.types)
}

fn known<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        String::from("none")
    } else {
        names.join(", ")
    }
}

struct Collector<'r> {
    resolve: &'r Resolve,
    types: Vec<TypeId>,
}

impl Collector<'_> {
    fn push(&mut self, id: TypeId) {
        if !self.types.contains(&id) {
            self.types.push(id);
        }
    }

    fn interface(&mut self, iface: InterfaceId) {
        let iface = &self.resolve.interfaces[iface];
        for &id in iface.types.values() {
            self.push(id);
        }
        for f in iface.functions.values() {
            self.function(f);
        }
    }

    fn function(&mut self, f: &Function) {
        for p in &f.params {
            self.ty(&p.ty);
        }
        if let Some(r) = &f.result {
            self.ty(r);
        }
    }

    /// Adds a named type, or the named types inside an anonymous one.
    fn ty(&mut self, ty: &Type) {
        let Type::Id(id) = ty else { return };
        let def = &self.resolve.types[*id];
        if def.name.is_some() {
            self.push(*id);
            return;
        }
        match &def.kind {
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => self.ty(t),
            TypeDefKind::Result(r) => {
                for t in r.ok.iter().chain(r.err.iter()) {
                    self.ty(t);
                }
            }
            TypeDefKind::Tuple(t) => {
                for t in &t.types {
                    self.ty(t);
                }
            }
            _ => {}
        }
    }
}
