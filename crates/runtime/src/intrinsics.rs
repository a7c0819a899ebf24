//! The core functions the runtime itself provides: resource drops and
//! intrinsics, and the guard every core import passes.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;

use wasmbed_abi::names::ResourceIntrinsic;
use wasmbed_abi::{FlatVal, ResourceId};

use crate::engine::{GuestAccess, GuestFunc, HostFn};
use crate::error::TrapReason;
use crate::host::{check_may_enter, HostCx};
use crate::linker::DtorFn;
use crate::Error;

/// A core import refuses to run while the host is in the guest's `realloc`, as world imports do.
///
/// A host function may hold its own state (a lock, say) while it calls
/// `realloc`; the guest reentering the host from there would find it taken.
pub(crate) fn guard_core<T: 'static>(module: &str, name: &str, f: &HostFn<T>) -> HostFn<T> {
    let (label, f) = (format!("{module}#{name}"), f.clone());
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], results: &mut [FlatVal]| {
            check_may_enter(access.state(), false, &label)?;
            f(access, args, results)
        },
    )
}

fn handle_arg(args: &[FlatVal]) -> u32 {
    match args.first() {
        Some(FlatVal::I32(h)) => *h as u32,
        _ => 0,
    }
}

/// The guest drops a handle to a resource the host implements: the host object goes too.
pub(crate) fn resource_drop<T: 'static>(r: ResourceId, name: &str) -> HostFn<T> {
    let name = String::from(name);
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], _: &mut [FlatVal]| {
            let state = access.state();
            check_may_enter(state, false, &name)?;
            match state.tables.drop_handle(r, handle_arg(args)) {
                Ok(Some(rep)) => {
                    state.objects.remove(rep);
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(t) => Err(Error::trap(&name, TrapReason::Abi(t))),
            }
        },
    )
}

/// The guest drops a handle to a host resource whose reps the host names: the host's destructor runs.
pub(crate) fn host_named_drop<T: 'static>(r: ResourceId, name: &str, dtor: DtorFn<T>) -> HostFn<T> {
    let name = String::from(name);
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], _: &mut [FlatVal]| {
            check_may_enter(access.state(), false, &name)?;
            match access.state().tables.drop_handle(r, handle_arg(args)) {
                Ok(Some(rep)) => dtor(&mut HostCx::new(access), rep),
                Ok(None) => Ok(()),
                Err(t) => Err(Error::trap(&name, TrapReason::Abi(t))),
            }
        },
    )
}

/// `resource.new`, `resource.rep` and `resource.drop` for a resource the guest exports.
pub(crate) fn intrinsic<T: 'static>(
    r: ResourceId,
    which: ResourceIntrinsic,
    name: &str,
) -> HostFn<T> {
    let name = String::from(name);
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], results: &mut [FlatVal]| {
            check_may_enter(access.state(), false, &name)?;
            let arg = handle_arg(args);
            let tables = &mut access.state().tables;
            let trap = |t| Error::trap(&name, TrapReason::Abi(t));
            match which {
                ResourceIntrinsic::New => {
                    let h = tables.new_own(r, arg).map_err(trap)?;
                    results[0] = FlatVal::I32(h as i32);
                }
                ResourceIntrinsic::Rep => {
                    let rep = tables.rep(r, arg).map_err(trap)?;
                    results[0] = FlatVal::I32(rep as i32);
                }
                ResourceIntrinsic::Drop => {
                    // The one call back into a running guest the build target allows.
                    if let Some(rep) = tables.drop_handle(r, arg).map_err(trap)? {
                        access.call_guest(
                            GuestFunc::Dtor(r),
                            &[FlatVal::I32(rep as i32)],
                            &mut [],
                        )?;
                    }
                }
            }
            Ok(())
        },
    )
}
