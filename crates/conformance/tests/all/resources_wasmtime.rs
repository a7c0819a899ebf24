//! wasmtime's driver for the `resources` guest: `ResourceAny`s mapped to normalized values and back.

use wasmbed::{Type, Val, World};
use wasmbed_conformance::{events, record, Event, Log};
use wasmtime::component::{Instance, Linker, Resource, ResourceAny, ResourceType, Val as W};
use wasmtime::{format_err, AsContextMut, Result, Store, StoreContextMut};

use crate::convert::{to_wasmbed, to_wasmtime};
use crate::resources::{Blobs, Driver, Token, STORE};
use crate::wasmtime_side::{component, export_func};
use wasmbed_conformance::wasmbed_side::export_type;

/// The store's data: the blobs, and each blob's token by rep (reps are never reused).
struct Host {
    blobs: Blobs,
    tokens: Vec<Option<Token>>,
    /// `own` handles made to lend a blob to an export, taken back after the call.
    lent: Vec<ResourceAny>,
}

impl Host {
    fn serial(&self, rep: u32) -> u32 {
        self.tokens
            .get(rep as usize)
            .and_then(|t| t.as_ref())
            .map_or(0, |t| t.serial)
    }

    fn rep(&self, serial: u32) -> u32 {
        let rep = self
            .tokens
            .iter()
            .position(|t| t.as_ref().is_some_and(|t| t.serial == serial));
        rep.map_or(u32::MAX, |r| r as u32)
    }
}

fn is_blob(world: &World, ty: &Type) -> bool {
    matches!(ty, Type::Own(id) | Type::Borrow(id) if world.resources[id.0 as usize].name == "blob")
}

/// A host blob as wasmtime sees it, normalized.
fn blob_in(store: &mut StoreContextMut<'_, Host>, any: ResourceAny) -> Result<Val> {
    let r: Resource<Token> = any.try_into_resource(&mut *store)?;
    let serial = store.data().serial(r.rep());
    Ok(if r.owned() {
        Val::Own(serial)
    } else {
        Val::Borrow(serial)
    })
}

/// A normalized host blob as wasmtime wants it; a serial not seen yet gets a new token.
fn blob_out(store: &mut StoreContextMut<'_, Host>, v: &Val) -> Result<W> {
    let (serial, own) = match v {
        Val::Own(s) => (*s, true),
        Val::Borrow(s) => (*s, false),
        _ => return Err(format_err!("not a blob: {v:?}")),
    };
    let mut rep = store.data().rep(serial);
    if rep == u32::MAX {
        let token = store.data().blobs.token(serial);
        store.data_mut().tokens.push(Some(token));
        rep = store.data().tokens.len() as u32 - 1;
    }
    // A borrow handle is made only inside a call: lend an `own` handle, taken back after the call.
    let any = Resource::<Token>::new_own(rep).try_into_resource_any(&mut *store)?;
    if !own {
        store.data_mut().lent.push(any);
    }
    Ok(W::Resource(any))
}

fn linker(engine: &wasmtime::Engine, world: &World) -> Result<Linker<Host>> {
    let mut linker = Linker::<Host>::new(engine);
    let mut store_iface = linker.instance(STORE)?;
    store_iface.resource("blob", ResourceType::host::<Token>(), |mut cx, rep| {
        if let Some(t) = cx.data_mut().tokens.get_mut(rep as usize) {
            *t = None;
        }
        Ok(())
    })?;
    let funcs = world.imports.iter().filter_map(|i| match i {
        wasmbed_wit::world::Item::Interface(i) => Some(i.functions.clone()),
        wasmbed_wit::world::Item::Function(_) => None,
    });
    for f in funcs.flatten() {
        let name = f.name.clone();
        store_iface.func_new(&f.name, move |mut store, _, params, results| {
            let mut args = Vec::with_capacity(params.len());
            for (p, t) in params.iter().zip(f.ty.params()) {
                args.push(to_wasmbed(p, t, &mut |any, _| blob_in(&mut store, any))?);
            }
            let answer = store
                .data_mut()
                .blobs
                .answer(&name, &args)
                .map_err(|e| format_err!("{e}"))?;
            if let (Some(v), Some(t), Some(slot)) = (answer, f.ty.result(), results.first_mut()) {
                *slot = to_wasmtime(&v, t, &mut |v, _| blob_out(&mut store, v))?;
            }
            Ok(())
        })?;
    }
    Ok(linker)
}

struct Wasmtime {
    store: Store<Host>,
    instance: Instance,
    world: World,
    log: Log,
    /// The guest's counters, in the order the host received them.
    counters: Vec<ResourceAny>,
}

impl Wasmtime {
    /// Converts the arguments, calls, converts the result: the store serves each step in turn.
    fn try_call(&mut self, func: &str, args: &[Val]) -> Result<Option<Val>> {
        let ty = export_type(&self.world, func)
            .ok_or_else(|| format_err!("no export `{func}`"))?
            .clone();
        let mut params = Vec::with_capacity(args.len());
        for (a, t) in args.iter().zip(ty.params()) {
            let (world, counters) = (&self.world, &self.counters);
            let mut cx = self.store.as_context_mut();
            params.push(to_wasmtime(a, t, &mut |v, ty| {
                if is_blob(world, ty) {
                    return blob_out(&mut cx, v);
                }
                let k = match v {
                    Val::Own(k) | Val::Borrow(k) => *k as usize,
                    _ => usize::MAX,
                };
                counters
                    .get(k)
                    .map(|r| W::Resource(*r))
                    .ok_or_else(|| format_err!("no counter {k}"))
            })?);
        }
        let f = export_func(&mut self.store, &self.instance, func)?;
        let mut results = vec![W::Bool(false); usize::from(ty.result().is_some())];
        let called = f.call(&mut self.store, &params, &mut results);
        for any in std::mem::take(&mut self.store.data_mut().lent) {
            let _: Resource<Token> = any.try_into_resource(&mut self.store)?;
        }
        called?;
        let (Some(rt), Some(r)) = (ty.result(), results.first()) else {
            return Ok(None);
        };
        let (world, counters) = (&self.world, &mut self.counters);
        let mut cx = self.store.as_context_mut();
        let v = to_wasmbed(r, rt, &mut |any, ty| {
            if is_blob(world, ty) {
                return blob_in(&mut cx, any);
            }
            counters.push(any);
            Ok(Val::Own(counters.len() as u32 - 1))
        })?;
        Ok(Some(v))
    }

    fn drop_consumed(&mut self) {
        let consumed = std::mem::take(&mut self.store.data_mut().blobs.consumed);
        for serial in consumed {
            let rep = self.store.data().rep(serial);
            if let Some(t) = self.store.data_mut().tokens.get_mut(rep as usize) {
                *t = None;
            }
        }
    }
}

impl Driver for Wasmtime {
    fn call(&mut self, func: &str, args: &[Val]) {
        let result = self.try_call(func, args).ok();
        record(
            &self.log,
            Event::Export {
                func: func.into(),
                result,
            },
        );
        self.drop_consumed();
    }

    fn drop_own(&mut self, resource: &str, handle: u32) {
        if resource == "blob" {
            let rep = self.store.data().rep(handle);
            if let Some(t) = self.store.data_mut().tokens.get_mut(rep as usize) {
                *t = None;
            }
        } else if let Some(r) = self.counters.get(handle as usize) {
            let _ = r.resource_drop(&mut self.store);
        }
    }

    fn live_host_objects(&mut self) -> usize {
        self.store
            .data()
            .tokens
            .iter()
            .filter(|t| t.is_some())
            .count()
    }
}

/// Runs `scenario` on wasmtime: the log and the host objects left alive.
pub(crate) fn run(wasm: &[u8], scenario: fn(&mut dyn Driver)) -> Result<(Vec<Event>, usize)> {
    let world = wasmbed_wit::world_from_module(wasm)
        .map_err(|e| format_err!("{e}"))?
        .ok_or_else(|| format_err!("no component-type section"))?;
    let log = Log::default();
    let (engine, component) = component(wasm)?;
    let linker = linker(&engine, &world)?;
    let mut store = Store::new(
        &engine,
        Host {
            blobs: Blobs::new(log.clone()),
            tokens: Vec::new(),
            lent: Vec::new(),
        },
    );
    let instance = linker.instantiate(&mut store, &component)?;
    let mut d = Wasmtime {
        store,
        instance,
        world,
        log: log.clone(),
        counters: Vec::new(),
    };
    scenario(&mut d);
    let live = d.live_host_objects();
    Ok((events(&log), live))
}
