//! wasmbed's side of a run: a linker over a [`Behaviour`] that logs every import call.

use wasmbed::{Engine, Error, Instance, Linker, Val, World};
use wasmbed_wit::world::Item;

use crate::{record, Behaviour, Event, Log};

/// Every function `world` imports, as `(interface, name, call name)`; interface "" at world level.
pub fn import_funcs(world: &World) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for item in &world.imports {
        match item {
            Item::Function(f) => out.push((String::new(), f.name.clone(), f.name.clone())),
            Item::Interface(i) => {
                for f in &i.functions {
                    let iface = i.name.as_str();
                    out.push((iface.into(), f.name.clone(), format!("{iface}#{}", f.name)));
                }
            }
        }
    }
    out
}

/// A linker answering every import of `world` with `behaviour`, logging each call to `log`.
pub fn plain_linker(world: &World, behaviour: &Behaviour, log: &Log) -> Linker {
    let mut linker = Linker::new();
    for (iface, name, call) in import_funcs(world) {
        let (behaviour, log) = (behaviour.clone(), log.clone());
        linker.func(&iface, &name, move |_, args| {
            record(
                &log,
                Event::Import {
                    func: call.clone(),
                    args: args.to_vec(),
                },
            );
            match behaviour(&call, args) {
                Some(v) => Ok(Some(v)),
                None => Err(Error::host(format!("no answer for `{call}` {args:?}"))),
            }
        });
    }
    linker
}

/// Calls export `func` and logs its result (or its failure).
pub fn call<E: Engine>(instance: &mut Instance<E>, func: &str, args: &[Val], log: &Log) {
    let result = instance.call(func, args).ok();
    record(
        log,
        Event::Export {
            func: func.into(),
            result,
        },
    );
}

/// The type of export `name` (`iface#f` or `f`) in `world`.
pub fn export_type<'w>(world: &'w World, name: &str) -> Option<&'w wasmbed_abi::FuncType> {
    let (iface, func) = name.split_once('#').unwrap_or(("", name));
    world.exports.iter().find_map(|item| match item {
        Item::Function(f) if iface.is_empty() && f.name == func => Some(&f.ty),
        Item::Interface(i) if i.name.as_str() == iface => {
            i.functions.iter().find(|f| f.name == func).map(|f| &f.ty)
        }
        _ => None,
    })
}
