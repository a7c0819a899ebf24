//! wasmbed's driver for the `resources` guest: reps mapped to normalized values and back.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use wasmbed::{Engine, Error, Guest, HostCx, Instance, Limits, Linker, Type, Val, World};
use wasmbed_abi::ResourceId;
use wasmbed_conformance::wasmbed_side::export_type;
use wasmbed_conformance::{events, record, Event, Log};

use crate::resources::{Blobs, Driver, Token, STORE};

/// Host state shared by the host functions and the driver.
struct Shared {
    blobs: Blobs,
    /// Serial → rep of each blob's host object.
    rep_of: BTreeMap<u32, u32>,
}

type SharedRef = Arc<Mutex<Shared>>;

fn lock(s: &SharedRef) -> std::sync::MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

fn resource_id(world: &World, name: &str) -> ResourceId {
    let i = world
        .resources
        .iter()
        .position(|r| r.name == name)
        .expect("resource in the world");
    ResourceId(i as u32)
}

/// A host function argument with blob reps replaced by serials.
fn normalize_arg(cx: &mut HostCx<'_>, v: &Val) -> Val {
    let serial = |cx: &mut HostCx<'_>, rep: u32| cx.resource::<Token>(rep).map_or(0, |t| t.serial);
    match v {
        Val::Own(rep) => Val::Own(serial(cx, *rep)),
        Val::Borrow(rep) => Val::Borrow(serial(cx, *rep)),
        other => other.clone(),
    }
}

fn linker(world: &World, shared: &SharedRef) -> Linker {
    let mut linker = Linker::new();
    let names: Vec<String> = world
        .imports
        .iter()
        .filter_map(|i| match i {
            wasmbed_wit::world::Item::Interface(i) => Some(
                i.functions
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>(),
            ),
            wasmbed_wit::world::Item::Function(_) => None,
        })
        .flatten()
        .collect();
    for name in names {
        let shared = shared.clone();
        let n = name.clone();
        linker.func(STORE, &name, move |cx, args| {
            let args: Vec<Val> = args.iter().map(|a| normalize_arg(cx, a)).collect();
            let mut s = lock(&shared);
            let answer = s.blobs.answer(&n, &args).map_err(Error::host)?;
            Ok(match answer {
                Some(Val::Own(serial)) => {
                    let rep = cx.new_resource(s.blobs.token(serial));
                    // A rep is reused once its object is gone: it now means this blob only.
                    s.rep_of.retain(|_, r| *r != rep);
                    s.rep_of.insert(serial, rep);
                    Some(Val::Own(rep))
                }
                other => other,
            })
        });
    }
    linker
}

struct Wasmbed<E: Engine> {
    inst: Instance<E>,
    world: World,
    shared: SharedRef,
    log: Log,
    /// Reps of the guest's counters, in the order the host received them.
    counters: Vec<u32>,
}

impl<E: Engine> Wasmbed<E> {
    /// A normalized argument of type `ty` as wasmbed wants it.
    fn arg(&self, v: &Val, ty: &Type) -> Val {
        let rep = |id: &ResourceId, k: u32| {
            if self.world.resources[id.0 as usize].name == "blob" {
                lock(&self.shared)
                    .rep_of
                    .get(&k)
                    .copied()
                    .unwrap_or(u32::MAX)
            } else {
                self.counters.get(k as usize).copied().unwrap_or(u32::MAX)
            }
        };
        match (v, ty) {
            (Val::Own(k), Type::Own(id)) => Val::Own(rep(id, *k)),
            (Val::Borrow(k), Type::Borrow(id)) => Val::Borrow(rep(id, *k)),
            _ => v.clone(),
        }
    }

    /// A result of type `ty` in normalized form.
    fn result(&mut self, v: Val, ty: Option<&Type>) -> Val {
        match (v, ty) {
            (Val::Own(rep), Some(Type::Own(id)))
                if self.world.resources[id.0 as usize].name == "blob" =>
            {
                let s = lock(&self.shared);
                Val::Own(
                    s.rep_of
                        .iter()
                        .find(|(_, r)| **r == rep)
                        .map_or(0, |(serial, _)| *serial),
                )
            }
            (Val::Own(rep), Some(Type::Own(_))) => {
                self.counters.push(rep);
                Val::Own(self.counters.len() as u32 - 1)
            }
            (v, _) => v,
        }
    }

    fn drop_consumed(&mut self) {
        let blob = resource_id(&self.world, "blob");
        let consumed = std::mem::take(&mut lock(&self.shared).blobs.consumed);
        for serial in consumed {
            let rep = lock(&self.shared).rep_of.get(&serial).copied();
            if let Some(rep) = rep {
                let _ = self.inst.drop_resource(blob, rep);
            }
        }
    }
}

impl<E: Engine> Driver for Wasmbed<E> {
    fn call(&mut self, func: &str, args: &[Val]) {
        let ty = export_type(&self.world, func)
            .expect("export in the world")
            .clone();
        let args: Vec<Val> = args
            .iter()
            .zip(ty.params())
            .map(|(a, t)| self.arg(a, t))
            .collect();
        let result = match self.inst.call(func, &args) {
            Ok(r) => Some(r.map(|v| self.result(v, ty.result()))),
            Err(_) => None,
        };
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
        let ty = Type::Own(resource_id(&self.world, resource));
        if let Val::Own(rep) = self.arg(&Val::Own(handle), &ty) {
            let _ = self
                .inst
                .drop_resource(resource_id(&self.world, resource), rep);
        }
    }

    fn live_host_objects(&mut self) -> usize {
        self.inst.host_resources()
    }
}

/// Runs `scenario` on wasmbed: the log and the host objects left alive.
pub(crate) fn run<E: Engine>(
    engine: &E,
    wasm: &[u8],
    scenario: fn(&mut dyn Driver),
) -> (Vec<Event>, usize) {
    let world = wasmbed_wit::world_from_module(wasm)
        .expect("component-type section reads")
        .expect("guest has a component-type section");
    let log = Log::default();
    let shared = Arc::new(Mutex::new(Shared {
        blobs: Blobs::new(log.clone()),
        rep_of: BTreeMap::new(),
    }));
    let guest = Guest::new(engine, wasm, world.clone()).expect("guest loads");
    let inst = linker(&world, &shared)
        .instantiate(&guest, (), Limits::default())
        .expect("guest instantiates");
    let mut d = Wasmbed {
        inst,
        world,
        shared,
        log: log.clone(),
        counters: Vec::new(),
    };
    scenario(&mut d);
    let live = d.live_host_objects();
    (events(&log), live)
}
