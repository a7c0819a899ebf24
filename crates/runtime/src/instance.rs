//! A running guest: calls to its exports, with the build target's guards.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::names::canonicalize_interface_name;
use wasmbed_abi::{FlatVal, FuncType, ResourceId, ResourceTrap, Trap, Val};
use wasmbed_wit::world::{Direction, Item, World};

use crate::engine::{Engine, EngineInstance, GuestAccess, GuestFunc};
use crate::error::TrapReason;
use crate::guest::Guest;
use crate::host::with_tables;
use crate::{Error, ErrorKind};

/// One exported function the host can call.
struct Export<F> {
    func: F,
    post: Option<F>,
    /// Shared so a call holds it without cloning the type.
    ty: Arc<FuncType>,
}

/// A live guest.
///
/// Exports are called by name: `f` for a function the world exports
/// directly, `iface#f` for one of an exported interface (`iface` as the
/// world names it, any semver-compatible version accepted). After a trap the
/// instance refuses every call.
pub struct Instance<E: Engine> {
    inner: E::Instance,
    world: Arc<World>,
    exports: BTreeMap<String, Export<<E::Instance as EngineInstance>::Func>>,
    flat: Vec<FlatVal>,
}

/// The call name of every function the world exports, with its `(item, func)` index.
fn call_names(world: &World) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (item, export) in world.exports.iter().enumerate() {
        match export {
            Item::Function(f) => out.push((f.name.clone(), item, 0)),
            Item::Interface(i) => {
                for (func, f) in i.functions.iter().enumerate() {
                    out.push((format!("{}#{}", i.name.as_str(), f.name), item, func));
                }
            }
        }
    }
    out
}

impl<E: Engine> Instance<E> {
    pub(crate) fn new(inner: E::Instance, guest: &Guest<E>) -> Result<Instance<E>, Error> {
        let mut exports = BTreeMap::new();
        for (name, item, func) in call_names(&guest.world) {
            let Some(e) = guest.exports.get(&(item, func)) else {
                continue;
            };
            let Some(f) = inner.func(&e.name) else {
                continue;
            };
            let post = e.post.as_deref().and_then(|p| inner.func(p));
            let ty = match guest.world.export_func(item, func) {
                Some(f) => Arc::new(f.ty.clone()),
                None => continue,
            };
            exports.insert(name, Export { func: f, post, ty });
        }
        let mut instance = Instance::<E> {
            inner,
            world: guest.world.clone(),
            exports,
            flat: Vec::with_capacity(16),
        };
        if let Some(init) = &guest.initialize {
            let f = instance
                .inner
                .func(init)
                .ok_or_else(|| Error::from(ErrorKind::Load(format!("export `{init}` vanished"))))?;
            instance.guarded(init, |inner| inner.call(&f, &[], &mut []))?;
        }
        Ok(instance)
    }

    /// The world this instance implements.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The exports the module provides, by call name, with their types.
    pub fn exports(&self) -> impl Iterator<Item = (&str, &FuncType)> + '_ {
        self.exports.iter().map(|(n, e)| (n.as_str(), &*e.ty))
    }

    /// The type of export `name`.
    pub fn func_type(&self, name: &str) -> Option<&FuncType> {
        let key = self.resolve(name)?;
        self.exports.get(key.as_ref()).map(|e| &*e.ty)
    }

    /// Whether a trap has poisoned this instance.
    pub fn is_poisoned(&mut self) -> bool {
        self.inner.state().poisoned
    }

    /// Fuel left, when the engine meters it.
    pub fn fuel(&self) -> Option<u64> {
        self.inner.fuel()
    }

    /// Live objects behind host resources (for tests and diagnostics).
    pub fn host_resources(&mut self) -> usize {
        self.inner.state().objects.len()
    }

    /// Keeps `obj` behind a new host resource of this instance: the rep to pass as `Val::Own` or `Val::Borrow`.
    pub fn new_resource<T: core::any::Any + Send>(&mut self, obj: T) -> u32 {
        self.inner
            .state()
            .objects
            .insert(alloc::boxed::Box::new(obj))
    }

    /// The host object behind rep `rep`, if it is a `T`.
    pub fn resource<T: core::any::Any + Send>(&mut self, rep: u32) -> Option<&mut T> {
        self.inner.state().objects.get_mut(rep)?.downcast_mut()
    }

    /// Drops a resource the host owns: for a resource the guest exports, the
    /// host's handle (as `Val::Own` gave it) goes and the guest's destructor
    /// runs; for one the host implements, the host object is dropped. A handle
    /// already dropped is an error, never a second destructor call.
    pub fn drop_resource(&mut self, resource: ResourceId, rep: u32) -> Result<(), Error> {
        let direction = self
            .world
            .resources
            .get(resource.0 as usize)
            .map(|r| r.direction);
        match direction {
            Some(Direction::Exported) => {
                let handle = rep;
                let rep = self
                    .inner
                    .state()
                    .tables
                    .host_remove(resource, handle)
                    .map_err(|_| {
                        Error::from(ErrorKind::BadArguments(format!(
                            "no live handle {handle} to a guest resource to drop"
                        )))
                    })?;
                self.guarded("destructor", |inner| {
                    inner.call_guest(
                        GuestFunc::Dtor(resource),
                        &[FlatVal::I32(rep as i32)],
                        &mut [],
                    )
                })
            }
            Some(Direction::Imported) => match self.inner.state().objects.remove(rep) {
                Some(_) => Ok(()),
                None => {
                    Err(ErrorKind::BadArguments(format!("no host object {rep} to drop")).into())
                }
            },
            None => Err(ErrorKind::BadArguments(format!("no resource type {}", resource.0)).into()),
        }
    }

    /// The call name for `name`, accepting any semver-compatible interface version.
    fn resolve<'n>(&self, name: &'n str) -> Option<Cow<'n, str>> {
        if self.exports.contains_key(name) {
            return Some(Cow::Borrowed(name));
        }
        let (iface, func) = name.split_once('#')?;
        let want = canonicalize_interface_name(iface).ok()?;
        self.exports.keys().find_map(|k| {
            let (i, f) = k.split_once('#')?;
            let same = f == func && canonicalize_interface_name(i).ok()? == want;
            same.then(|| Cow::Owned(k.clone()))
        })
    }

    /// The engine function, post-return and type of export `name`.
    pub(crate) fn export_parts(
        &self,
        name: &str,
    ) -> Result<crate::typed_export::ExportParts<<E::Instance as EngineInstance>::Func>, Error>
    {
        let key = self
            .resolve(name)
            .ok_or_else(|| Error::from(ErrorKind::UnknownExport(name.into())))?;
        let e = self
            .exports
            .get(key.as_ref())
            .ok_or_else(|| Error::from(ErrorKind::UnknownExport(name.into())))?;
        Ok((e.func.clone(), e.post.clone(), e.ty.clone()))
    }

    /// Runs `f` with the reentrance and poison guards; a trap poisons the instance.
    pub(crate) fn guarded<R>(
        &mut self,
        func: &str,
        f: impl FnOnce(&mut E::Instance) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let state = self.inner.state();
        if state.poisoned {
            return Err(ErrorKind::Poisoned.into());
        }
        if state.in_call {
            return Err(ErrorKind::Reentrance.into());
        }
        state.in_call = true;
        state.tables.borrows = 0;
        let r = f(&mut self.inner);
        let state = self.inner.state();
        state.in_call = false;
        r.map_err(|e| {
            if e.poisons() {
                state.poisoned = true;
            }
            e.in_func(func)
        })
    }

    /// Calls a core export outside the world that takes and returns nothing,
    /// such as a WASI preview 1 command's `_start`, with the same guards.
    pub fn call_core(&mut self, name: &str) -> Result<(), Error> {
        let f = self
            .inner
            .func(name)
            .ok_or_else(|| Error::from(ErrorKind::UnknownExport(name.into())))?;
        self.guarded(name, |inner| inner.call(&f, &[], &mut []))
    }

    /// Calls export `name` with `args`, returning its result.
    pub fn call(&mut self, name: &str, args: &[Val]) -> Result<Option<Val>, Error> {
        let key = self
            .resolve(name)
            .ok_or_else(|| Error::from(ErrorKind::UnknownExport(name.into())))?;
        let export = self
            .exports
            .get(key.as_ref())
            .ok_or_else(|| Error::from(ErrorKind::UnknownExport(name.into())))?;
        if args.len() != export.ty.params().len() {
            return Err(ErrorKind::BadArguments(format!(
                "`{key}` takes {} arguments, {} given",
                export.ty.params().len(),
                args.len()
            ))
            .into());
        }
        let (func, post, ty) = (export.func.clone(), export.post.clone(), export.ty.clone());
        let mut flat = core::mem::take(&mut self.flat);
        let r = self.guarded(&key, |inner| {
            call_export(inner, &func, post.as_ref(), &ty, args, &mut flat, &key)
        });
        flat.clear();
        self.flat = flat;
        r
    }
}

fn call_export<I: EngineInstance>(
    inner: &mut I,
    func: &I::Func,
    post: Option<&I::Func>,
    ty: &FuncType,
    args: &[Val],
    flat: &mut Vec<FlatVal>,
    name: &str,
) -> Result<Option<Val>, Error> {
    flat.clear();
    with_tables(
        inner,
        |mem, tables| ty.lower_args(args, mem, tables, flat),
        name,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::Trap {
            reason: TrapReason::Abi(Trap::ValueMismatch { expected }),
            ..
        } => ErrorKind::BadArguments(format!("`{name}`: an argument is not a `{expected}`")).into(),
        // The host's own handles are the host's mistake, not the guest's.
        ErrorKind::Trap {
            reason: TrapReason::Abi(Trap::Resource(r)),
            ..
        } => ErrorKind::BadArguments(format!("`{name}`: {r}")).into(),
        _ => e,
    })?;
    let mut results = [FlatVal::I32(0)];
    let n = if ty.results_spill() {
        1
    } else {
        ty.flat_results().len()
    };
    inner.call(func, flat, &mut results[..n])?;
    let result = {
        let (mem, state) = inner.memory_and_state();
        ty.lift_results(&results[..n], mem, &mut state.tables)
            .map_err(|t| Error::trap(name, TrapReason::Abi(t)))?
    };
    if let Some(post) = post {
        inner.call(post, &results[..n], &mut [])?;
    }
    let borrows = inner.state().tables.borrows;
    if borrows != 0 {
        return Err(Error::trap(
            name,
            TrapReason::Abi(ResourceTrap::BorrowsOutstanding { count: borrows }.into()),
        ));
    }
    Ok(result)
}
