//! A running guest: calls to its exports, with the build target's guards,
//! and the host data `T` it owns.

use alloc::format;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::{FlatVal, FuncType, ResourceId, ResourceTrap, Trap, Val};
use wasmbed_wit::world::{Direction, World};

use crate::engine::{Engine, EngineInstance, GuestAccess, GuestFunc};
use crate::error::TrapReason;
use crate::exports::{ExportFunc, ExportTable};
use crate::host::with_tables;
use crate::{Error, ErrorKind};

/// The engine functions of one export in one instance: the function and its post-return.
pub(crate) type Funcs<F> = (F, Option<F>);

/// A live guest, owning its host data `T` as wasmtime's `Store<T>` does.
///
/// Exports are called by name: `f` for a function the world exports
/// directly, `iface#f` for one of an exported interface (`iface` as the
/// world names it, any semver-compatible version accepted), or through an
/// [`ExportFunc`] resolved once. After a trap the instance refuses every call.
pub struct Instance<E: Engine, T: 'static = ()> {
    pub(crate) inner: E::Instance<T>,
    world: Arc<World>,
    pub(crate) table: Arc<ExportTable>,
    pub(crate) funcs: Vec<Funcs<E::Func>>,
    flat: Vec<FlatVal>,
}

impl<E: Engine, T: 'static> Instance<E, T> {
    // Once per link or instance: out of line, as one inlined whole it is
    // 0.8 KB more of a device's flash (docs/benchmarks.md).
    #[inline(never)]
    pub(crate) fn new(
        inner: E::Instance<T>,
        world: Arc<World>,
        table: Arc<ExportTable>,
        initialize: Option<&str>,
    ) -> Result<Instance<E, T>, Error> {
        let mut funcs = Vec::with_capacity(table.entries.len());
        for e in &table.entries {
            let f = inner.func(&e.core).ok_or_else(|| {
                Error::from(ErrorKind::Load(format!("export `{}` vanished", e.core)))
            })?;
            let post = e.post.as_deref().and_then(|p| inner.func(p));
            funcs.push((f, post));
        }
        let mut instance = Instance::<E, T> {
            inner,
            world,
            table,
            funcs,
            flat: Vec::with_capacity(16),
        };
        if let Some(init) = initialize {
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

    /// The host data this instance owns.
    pub fn data(&self) -> &T {
        self.inner.data()
    }

    /// The host data this instance owns, writable (between calls).
    pub fn data_mut(&mut self) -> &mut T {
        self.inner.data_mut()
    }

    /// The guest's linear memory between calls (empty when it exports none),
    /// for hosts that read guest data in place.
    pub fn memory(&self) -> &[u8] {
        self.inner.memory()
    }

    /// The guest's linear memory between calls, writable, for hosts that
    /// write guest data in place.
    pub fn memory_mut(&mut self) -> &mut [u8] {
        self.inner.memory_and_state().0
    }

    /// Ends the instance, giving its host data back.
    pub fn into_data(self) -> T {
        self.inner.into_data()
    }

    /// The exports the module provides, by call name, with their types.
    pub fn exports(&self) -> impl Iterator<Item = (&str, &FuncType)> + '_ {
        self.table.entries.iter().map(|e| (e.call.as_str(), &e.ty))
    }

    /// The type of export `name`.
    pub fn func_type(&self, name: &str) -> Option<&FuncType> {
        let i = self.table.find(name)?;
        Some(&self.table.entries[i].ty)
    }

    /// Export `name`, resolved once for calls through [`Instance::call_func`] or a typed handle.
    pub fn export(&self, name: &str) -> Result<ExportFunc, Error> {
        ExportFunc::resolve(&self.table, name)
    }

    /// Runs this instance's calls in fuel slices so that `interrupt` can
    /// stop them from anywhere: at the next slice boundary the guest's
    /// `wasmbed:signals/handler` runs if it exports one, and its answer
    /// resumes or unwinds the call; without one the call unwinds.
    ///
    /// Needs an engine that runs calls in slices (`Wasmi::with_fuel`; not WAMR).
    pub fn set_signals(
        &mut self,
        interrupt: crate::Interrupt,
        config: crate::SignalConfig,
    ) -> Result<(), Error> {
        let handler = match self.table.find(crate::signals::HANDLER) {
            None => None,
            Some(i) => {
                let ty = &self.table.entries[i].ty;
                let action = matches!(ty.result(), Some(wasmbed_abi::Type::Enum(e))
                    if e.names().eq(["resume", "unwind"]));
                if ty.params() != [wasmbed_abi::Type::U32] || !action {
                    return Err(ErrorKind::Load(format!(
                        "`{}` must be `func(signal: u32) -> action`",
                        crate::signals::HANDLER
                    ))
                    .into());
                }
                Some(self.funcs[i].0.clone())
            }
        };
        let slicing = crate::signals::Slicing {
            interrupt,
            config,
            handler,
        };
        if !self.inner.set_slicing(Some(Arc::new(slicing))) {
            return Err(ErrorKind::Link(
                "signals need an engine that runs calls in slices (wasmi with fuel; WAMR cannot)"
                    .into(),
            )
            .into());
        }
        Ok(())
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
    pub fn new_resource<O: core::any::Any + Send>(&mut self, obj: O) -> u32 {
        self.inner
            .state()
            .objects
            .insert(alloc::boxed::Box::new(obj))
    }

    /// The host object behind rep `rep`, if it is a `O`.
    pub fn resource<O: core::any::Any + Send>(&mut self, rep: u32) -> Option<&mut O> {
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

    /// The engine functions and type of `func`, checking that it belongs to this instance's guest.
    pub(crate) fn parts_of(&self, func: &ExportFunc) -> Result<(&Funcs<E::Func>, FuncType), Error> {
        if !Arc::ptr_eq(&func.table, &self.table) {
            return Err(ErrorKind::BadArguments(format!(
                "export `{}` was resolved for another guest",
                func.name()
            ))
            .into());
        }
        Ok((&self.funcs[func.index], func.entry().ty.clone()))
    }

    /// Runs `f` with the reentrance and poison guards; a trap poisons the instance.
    pub(crate) fn guarded<R>(
        &mut self,
        func: &str,
        f: impl FnOnce(&mut E::Instance<T>) -> Result<R, Error>,
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
        let func = self.export(name)?;
        self.call_func(&func, args)
    }

    /// Calls export `func` with `args`, returning its result.
    pub fn call_func(&mut self, func: &ExportFunc, args: &[Val]) -> Result<Option<Val>, Error> {
        let ((f, post), ty) = self.parts_of(func)?;
        let (f, post) = (f.clone(), post.clone());
        let name = func.name();
        if args.len() != ty.params().len() {
            return Err(ErrorKind::BadArguments(format!(
                "`{name}` takes {} arguments, {} given",
                ty.params().len(),
                args.len()
            ))
            .into());
        }
        let mut flat = core::mem::take(&mut self.flat);
        let r = self.guarded(name, |inner| {
            call_export::<E, T>(inner, &f, post.as_ref(), &ty, args, &mut flat, name)
        });
        flat.clear();
        self.flat = flat;
        r
    }
}

/// A host-side lowering failure is the host's mistake, not the guest's: bad arguments.
pub(crate) fn host_arg_error(e: Error, name: &str) -> Error {
    match e.kind() {
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
    }
}

/// After a call's results are lifted: runs post-return, then checks every borrow was dropped.
pub(crate) fn finish_call<E: Engine, T: 'static>(
    inner: &mut E::Instance<T>,
    post: Option<&E::Func>,
    results: &[FlatVal],
    name: &str,
) -> Result<(), Error> {
    if let Some(post) = post {
        inner.call(post, results, &mut [])?;
    }
    let borrows = inner.state().tables.borrows;
    if borrows != 0 {
        return Err(Error::trap(
            name,
            TrapReason::Abi(ResourceTrap::BorrowsOutstanding { count: borrows }.into()),
        ));
    }
    Ok(())
}

fn call_export<E: Engine, T: 'static>(
    inner: &mut E::Instance<T>,
    func: &E::Func,
    post: Option<&E::Func>,
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
    .map_err(|e| host_arg_error(e, name))?;
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
    finish_call::<E, T>(inner, post, &results[..n], name)?;
    Ok(result)
}
