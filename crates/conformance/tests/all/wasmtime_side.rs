//! wasmtime's side of a run: the guest wrapped into a component, host functions over wasmtime's `Val`s.

use std::sync::Arc;

use wasmbed::{Val as B, World};
use wasmbed_conformance::wasmbed_side::export_type;
use wasmbed_conformance::{record, Behaviour, Event, Log};
use wasmbed_wit::world::Item;
use wasmtime::component::{Component, Func, Instance, Linker, Val as W};
use wasmtime::{format_err, Engine, Result, Store};

use crate::convert::{no_resource_in, no_resource_out, to_wasmbed, to_wasmtime};

/// `core` (a module with a `component-type` section) as wit-component wraps it.
pub(crate) fn component_bytes(core: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .module(core)
        .map_err(|e| format_err!("{e:#}"))?
        .validate(true)
        .encode()
        .map_err(|e| format_err!("{e:#}"))
}

/// `core` (a module with a `component-type` section) as a component on a new engine.
pub(crate) fn component(core: &[u8]) -> Result<(Engine, Component)> {
    let bytes = component_bytes(core)?;
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes)?;
    Ok((engine, component))
}

/// A linker answering every import of `world` (no resources) with `behaviour`, logging to `log`.
pub(crate) fn plain_linker(
    engine: &Engine,
    world: &World,
    behaviour: &Behaviour,
    log: &Log,
) -> Result<Linker<()>> {
    let mut linker = Linker::new(engine);
    for item in &world.imports {
        let (iface, funcs) = match item {
            Item::Function(f) => (None, std::slice::from_ref(f)),
            Item::Interface(i) => (Some(i.name.as_str()), i.functions.as_slice()),
        };
        let mut inst = match iface {
            Some(name) => linker.instance(name)?,
            None => linker.root(),
        };
        for f in funcs {
            let call = match iface {
                Some(i) => format!("{i}#{}", f.name),
                None => f.name.clone(),
            };
            let (ty, behaviour, log) = (Arc::new(f.ty.clone()), behaviour.clone(), log.clone());
            inst.func_new(&f.name, move |_, _, params, results| {
                let args = params
                    .iter()
                    .zip(ty.params())
                    .map(|(p, t)| to_wasmbed(p, t, &mut no_resource_in))
                    .collect::<Result<Vec<B>>>()?;
                record(
                    &log,
                    Event::Import {
                        func: call.clone(),
                        args: args.clone(),
                    },
                );
                let r = behaviour(&call, &args)
                    .ok_or_else(|| format_err!("no answer for `{call}` {args:?}"))?;
                if let (Some(rt), Some(slot)) = (ty.result(), results.first_mut()) {
                    *slot = to_wasmtime(&r, rt, &mut no_resource_out)?;
                }
                Ok(())
            })?;
        }
    }
    Ok(linker)
}

/// Export `name` (`iface#f` or `f`) of `instance`.
pub(crate) fn export_func<T>(
    store: &mut Store<T>,
    instance: &Instance,
    name: &str,
) -> Result<Func> {
    let index = match name.split_once('#') {
        Some((iface, f)) => {
            let i = instance
                .get_export_index(&mut *store, None, iface)
                .ok_or_else(|| format_err!("no export `{iface}`"))?;
            instance.get_export_index(&mut *store, Some(&i), f)
        }
        None => instance.get_export_index(&mut *store, None, name),
    }
    .ok_or_else(|| format_err!("no export `{name}`"))?;
    instance
        .get_func(&mut *store, index)
        .ok_or_else(|| format_err!("export `{name}` is not a function"))
}

/// Calls export `name` (no resources) with wasmbed-form `args`; logs the result.
pub(crate) fn call<T>(
    store: &mut Store<T>,
    instance: &Instance,
    world: &World,
    name: &str,
    args: &[B],
    log: &Log,
) -> Result<()> {
    let ty =
        export_type(world, name).ok_or_else(|| format_err!("no export `{name}` in the world"))?;
    let func = export_func(store, instance, name)?;
    let params = args
        .iter()
        .zip(ty.params())
        .map(|(a, t)| to_wasmtime(a, t, &mut no_resource_out))
        .collect::<Result<Vec<W>>>()?;
    let mut results = vec![W::Bool(false); usize::from(ty.result().is_some())];
    let result = match func.call(&mut *store, &params, &mut results) {
        Ok(()) => Some(match (ty.result(), results.first()) {
            (Some(rt), Some(r)) => Some(to_wasmbed(r, rt, &mut no_resource_in)?),
            _ => None,
        }),
        Err(_) => None,
    };
    record(
        log,
        Event::Export {
            func: name.into(),
            result,
        },
    );
    Ok(())
}
