//! WASI preview 1 (`wasi_snapshot_preview1`) over `Linker::core_func`: every function wasi-libc calls.

mod fd;
pub(crate) mod mem;
mod misc;
mod path;
mod types;

use wasmbed::engine::GuestAccess;
use wasmbed::{Error, Linker};
use wasmbed_abi::{FlatType, FlatVal};

use crate::ctx::{deny, WasiCtx};
use crate::errno::Errno;
pub(crate) use crate::policy::Grant;
use crate::policy::Grants;
use crate::GetCtx;
use mem::Mem;

/// The import module of preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// How a preview 1 function fails: an errno for the guest, or a trap that ends it.
pub(crate) enum Fail {
    /// Returned to the guest.
    Errno(Errno),
    /// Traps the guest (a bad pointer), or ends it (`proc_exit`).
    Trap(Error),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Trap(e)
    }
}

impl From<std::io::Error> for Fail {
    fn from(e: std::io::Error) -> Fail {
        Fail::Errno(e.into())
    }
}

/// What a preview 1 function returns before it becomes the guest's errno.
pub(crate) type Ret = Result<(), Fail>;

/// One preview 1 function: the context, the guest's memory, the flat arguments.
pub(crate) type Impl = fn(&mut WasiCtx, &mut Mem<'_>, &[FlatVal]) -> Ret;

/// One function of the module: name, parameters (`i` = i32, `I` = i64), grant, implementation.
pub(crate) type Def = (&'static str, &'static str, Grant, Impl);

pub(crate) fn all() -> impl Iterator<Item = &'static Def> {
    misc::DEFS.iter().chain(fd::DEFS).chain(path::DEFS)
}

fn flat(sig: &str) -> Vec<FlatType> {
    sig.chars()
        .map(|c| {
            if c == 'I' {
                FlatType::I64
            } else {
                FlatType::I32
            }
        })
        .collect()
}

/// Runs function `f` (named `name`) over guest memory `data`: the guest's errno, or the
/// error that traps it (or ends it, for `proc_exit`) after the output streams are flushed.
pub(crate) fn invoke(
    wasi: &mut WasiCtx,
    data: &mut [u8],
    name: &'static str,
    f: Impl,
    args: &[FlatVal],
) -> Result<Errno, Error> {
    let mut mem = Mem { data, func: name };
    match f(wasi, &mut mem, args) {
        Ok(()) => Ok(Errno::Success),
        Err(Fail::Errno(e)) => Ok(e),
        Err(Fail::Trap(e)) => {
            wasi.flush();
            Err(e)
        }
    }
}

/// Defines every preview 1 function in `linker`, denying those whose grant is not in `grants`.
pub(crate) fn add<T: 'static>(linker: &mut Linker<T>, grants: Grants, get: GetCtx<T>) {
    for &(name, sig, grant, f) in all() {
        if let Some(g) = grant.missing(grants) {
            linker.deny_core(MODULE, name, &Grant::denied(g));
            continue;
        }
        let call = move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], out: &mut [FlatVal]| {
            let (memory, _, data) = access.parts();
            let wasi = get(data);
            let errno = match grant.missing(wasi.grants()) {
                // The linker grants more than this instance's policy does.
                Some(g) => deny(name, &format!("no `{g}` grant"), Errno::Notcapable),
                None => invoke(wasi, memory, name, f, args)?,
            };
            if let Some(slot) = out.first_mut() {
                *slot = FlatVal::I32(errno.raw());
            }
            Ok(())
        };
        let results = if name == "proc_exit" {
            vec![]
        } else {
            vec![FlatType::I32]
        };
        linker.core_func(MODULE, name, flat(sig), results, call);
    }
}
