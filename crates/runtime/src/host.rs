//! What a host function sees while the guest waits: `HostCx`, and the
//! glue that lifts a guest's core arguments and lowers the host's result.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;

use wasmbed_abi::{read_bytes, read_str, FlatVal, FuncType, GuestMemory, Trap, Val};

use crate::engine::{GuestAccess, GuestFunc, HostFn};
use crate::error::TrapReason;
use crate::state::Tables;
use crate::{Error, State};

/// The calling guest, as a host function sees it: the instance's host data,
/// its memory and the host's resource objects.
pub struct HostCx<'a, T: 'static = ()> {
    access: &'a mut dyn GuestAccess<T>,
}

impl<'a, T: 'static> HostCx<'a, T> {
    pub(crate) fn new(access: &'a mut dyn GuestAccess<T>) -> HostCx<'a, T> {
        HostCx { access }
    }

    /// The host data of the calling instance.
    pub fn data(&self) -> &T {
        self.access.data()
    }

    /// The host data of the calling instance, writable.
    pub fn data_mut(&mut self) -> &mut T {
        self.access.data_mut()
    }

    /// The guest's memory and the host data at once, so a host function can read one and update the other.
    pub fn memory_and_data(&mut self) -> (&mut [u8], &mut T) {
        let (m, _, d) = self.access.parts();
        (m, d)
    }

    /// The guest's linear memory, read-only.
    pub fn memory(&self) -> &[u8] {
        self.access.memory()
    }

    /// A `string` the guest passed as `(pointer, length)`, borrowed and validated, not copied.
    pub fn str(&self, ptr: u32, len: u32) -> Result<&str, Error> {
        read_str(self.access.memory(), ptr, len)
            .map_err(|t| Error::trap("host", TrapReason::Abi(t)))
    }

    /// A `list<u8>` the guest passed as `(pointer, length)`, borrowed, not copied.
    pub fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], Error> {
        read_bytes(self.access.memory(), ptr, len)
            .map_err(|t| Error::trap("host", TrapReason::Abi(t)))
    }

    /// Keeps `obj` behind a new resource: the rep to return as `Val::Own`.
    pub fn new_resource<O: Any + Send>(&mut self, obj: O) -> u32 {
        self.access.state().objects.insert(Box::new(obj))
    }

    /// The host object behind rep `rep`, if it is a `T`.
    pub fn resource<O: Any + Send>(&mut self, rep: u32) -> Option<&mut O> {
        self.access.state().objects.get_mut(rep)?.downcast_mut()
    }
}

/// A host function over dynamic values.
pub(crate) type DynFn<T> =
    Arc<dyn Fn(&mut HostCx<'_, T>, &[Val]) -> Result<Option<Val>, Error> + Send + Sync>;

/// Guest memory for lowering into the guest during a host call: `realloc` goes through the engine.
pub(crate) struct ReallocMem<'a, T: 'static> {
    pub(crate) access: &'a mut dyn GuestAccess<T>,
    /// The engine's error when `realloc` itself failed, kept for the message.
    pub(crate) failure: Option<Error>,
}

impl<T: 'static> GuestMemory for ReallocMem<'_, T> {
    fn data(&self) -> &[u8] {
        self.access.memory()
    }

    fn data_mut(&mut self) -> &mut [u8] {
        self.access.memory_and_state().0
    }

    fn realloc(&mut self, old_ptr: u32, old_size: u32, align: u32, size: u32) -> Result<u32, Trap> {
        let args = [old_ptr, old_size, align, size].map(|v| FlatVal::I32(v as i32));
        let mut out = [FlatVal::I32(0)];
        self.access.state().in_realloc = true;
        let r = self.access.call_guest(GuestFunc::Realloc, &args, &mut out);
        self.access.state().in_realloc = false;
        match (r, out[0]) {
            (Ok(()), FlatVal::I32(p)) => Ok(p as u32),
            (Err(e), _) => {
                self.failure = Some(e);
                Err(Trap::ReallocFailed)
            }
            (Ok(()), _) => Err(Trap::ReallocFailed),
        }
    }
}

/// Lowers with the handle tables taken out of the state, so `realloc` can borrow the guest meanwhile.
///
/// Sound because the guest may call no import while its `realloc` runs.
pub(crate) fn with_tables<T: 'static, R>(
    access: &mut dyn GuestAccess<T>,
    f: impl FnOnce(&mut ReallocMem<'_, T>, &mut Tables) -> Result<R, Trap>,
    func: &str,
) -> Result<R, Error> {
    let mut tables = core::mem::take(&mut access.state().tables);
    let mut mem = ReallocMem {
        access,
        failure: None,
    };
    let r = f(&mut mem, &mut tables);
    let failure = mem.failure.take();
    mem.access.state().tables = tables;
    r.map_err(|t| failure.unwrap_or_else(|| Error::trap(func, TrapReason::Abi(t))))
}

/// Traps an import called while imports are forbidden.
pub(crate) fn check_may_enter(state: &State, needs_memory: bool, func: &str) -> Result<(), Error> {
    if state.in_handler {
        return Err(Error::trap(func, TrapReason::ImportInHandler));
    }
    if state.in_realloc {
        return Err(Error::trap(func, TrapReason::ImportDuringRealloc));
    }
    if state.in_start && needs_memory {
        return Err(Error::trap(func, TrapReason::ImportDuringStart));
    }
    Ok(())
}

/// The core function for a world import implemented over `Val`s.
pub(crate) fn dyn_import<T: 'static>(name: String, ty: FuncType, f: DynFn<T>) -> HostFn<T> {
    let needs_memory = ty.needs_memory();
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], results: &mut [FlatVal]| {
            check_may_enter(access.state(), needs_memory, &name)?;
            let vals = {
                let (mem, state) = access.memory_and_state();
                ty.lift_args(args, mem, &mut state.tables)
                    .map_err(|t| Error::trap(&name, TrapReason::Abi(t)))?
            };
            let result = f(&mut HostCx::new(access), &vals)?;
            if result.is_some() != ty.result().is_some() {
                return Err(Error::host(alloc::format!(
                    "`{name}` returned {} result, its type has {}",
                    if result.is_some() { "a" } else { "no" },
                    if ty.result().is_some() { "one" } else { "none" }
                )));
            }
            let mut out: Vec<FlatVal> = Vec::with_capacity(1);
            with_tables(
                access,
                |mem, tables| ty.lower_result(result.as_ref(), args, mem, tables, &mut out),
                &name,
            )?;
            for (r, o) in results.iter_mut().zip(out) {
                *r = o;
            }
            Ok(())
        },
    )
}
