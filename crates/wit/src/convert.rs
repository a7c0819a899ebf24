//! A world of wit-parser's `Resolve` turned into a [`World`].

use wasmbed_abi::FuncType;
use wit_parser::{FunctionKind, Resolve, TypeDefKind, WorldId, WorldItem, WorldKey};

use crate::world::{Direction, Function, Interface, InterfaceName, Item, Resource, World};
use crate::{TypeMap, WitError};

/// The world `world` of `resolve` with every function's ABI type.
pub fn world_from_resolve(resolve: &Resolve, world: WorldId) -> Result<World, WitError> {
    let w = &resolve.worlds[world];
    let mut map = TypeMap::new(resolve);
    map.set_exported_interfaces(w.exports.values().filter_map(|item| match item {
        WorldItem::Interface { id, .. } => Some(*id),
        _ => None,
    }));
    let imports = items(resolve, &mut map, w.imports.iter(), false)?;
    let exports = items(resolve, &mut map, w.exports.iter(), true)?;
    let resources = map
        .resources()
        .iter()
        .map(|(id, exported)| {
            let def = &resolve.types[*id];
            let interface = match def.owner {
                wit_parser::TypeOwner::Interface(i) => {
                    Some(interface_name(resolve, i, w, *exported))
                }
                _ => None,
            };
            Resource {
                name: def.name.clone().unwrap_or_default(),
                interface,
                direction: if *exported {
                    Direction::Exported
                } else {
                    Direction::Imported
                },
            }
        })
        .collect();
    let name = match w.package {
        Some(p) => format!("{}/{}", resolve.packages[p].name, w.name),
        None => w.name.clone(),
    };
    Ok(World {
        name,
        imports,
        exports,
        resources,
    })
}

/// How the world names interface `id`: by its key in the world's imports or exports.
fn interface_name(
    resolve: &Resolve,
    id: wit_parser::InterfaceId,
    w: &wit_parser::World,
    exported: bool,
) -> InterfaceName {
    let side = if exported { &w.exports } else { &w.imports };
    let key = side
        .iter()
        .find(|(_, item)| matches!(item, WorldItem::Interface { id: i, .. } if *i == id))
        .map(|(k, _)| k);
    match key {
        Some(WorldKey::Name(n)) => InterfaceName::Inline(n.clone()),
        _ => InterfaceName::Id(resolve.id_of(id).unwrap_or_default()),
    }
}

fn items<'a>(
    resolve: &Resolve,
    map: &mut TypeMap<'_>,
    items: impl Iterator<Item = (&'a WorldKey, &'a WorldItem)>,
    exporting: bool,
) -> Result<Vec<Item>, WitError> {
    map.set_exporting(exporting);
    let mut out = Vec::new();
    for (key, item) in items {
        match item {
            WorldItem::Function(f) => out.push(Item::Function(function(map, f)?)),
            WorldItem::Interface { id, .. } => {
                let iface = &resolve.interfaces[*id];
                let name = match key {
                    WorldKey::Name(n) => InterfaceName::Inline(n.clone()),
                    WorldKey::Interface(i) => {
                        InterfaceName::Id(resolve.id_of(*i).unwrap_or_default())
                    }
                };
                let resources = iface
                    .types
                    .values()
                    .filter(|t| matches!(resolve.types[**t].kind, TypeDefKind::Resource))
                    .map(|t| map.resource_id(*t))
                    .collect();
                let functions = iface
                    .functions
                    .values()
                    .map(|f| function(map, f))
                    .collect::<Result<_, _>>()?;
                out.push(Item::Interface(Interface {
                    name,
                    functions,
                    resources,
                }));
            }
            // Types are reached through the functions that use them.
            WorldItem::Type { .. } => {}
        }
    }
    Ok(out)
}

fn function(map: &mut TypeMap<'_>, f: &wit_parser::Function) -> Result<Function, WitError> {
    if matches!(
        f.kind,
        FunctionKind::AsyncFreestanding
            | FunctionKind::AsyncMethod(_)
            | FunctionKind::AsyncStatic(_)
    ) {
        return Err(WitError::Unsupported {
            ty: f.name.clone(),
            what: "`async`",
        });
    }
    let params = f
        .params
        .iter()
        .map(|p| map.convert(&p.ty))
        .collect::<Result<Vec<_>, _>>()?;
    let result = f.result.as_ref().map(|t| map.convert(t)).transpose()?;
    let ty = FuncType::new(params, result).map_err(|source| WitError::Type {
        ty: f.name.clone(),
        source,
    })?;
    Ok(Function {
        name: f.name.clone(),
        ty,
    })
}
