//! WASI preview 1 (`wasi_snapshot_preview1`) over `Linker::core_func`: every function wasi-libc calls.

mod fd;
pub(crate) mod mem;
mod misc;
mod path;
mod types;

use std::sync::{Arc, Mutex};

use wasmbed::engine::GuestAccess;
use wasmbed::{Error, Linker};
use wasmbed_abi::{FlatType, FlatVal};

use crate::ctx::WasiCtx;
use crate::errno::Errno;
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

/// A grant a function needs before it may even be linked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Nothing static: denials, if any, happen per call.
    None,
    /// The clocks.
    Clocks,
    /// Random numbers.
    Random,
}

impl Grant {
    /// The grant's name if it is needed but not given (`clocks`, `random`): the function is not linked.
    pub(crate) fn missing(self, clocks: bool, random: bool) -> Option<&'static str> {
        match self {
            Grant::Clocks if !clocks => Some("clocks"),
            Grant::Random if !random => Some("random"),
            _ => None,
        }
    }
}

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

/// Defines every preview 1 function the context's policy allows in `linker`.
pub(crate) fn add(linker: &mut Linker, ctx: &Arc<Mutex<WasiCtx>>) {
    let (clocks, random) = {
        let c = ctx.lock().unwrap_or_else(|e| e.into_inner());
        (c.clocks, c.random)
    };
    for &(name, sig, grant, f) in all() {
        if let Some(g) = grant.missing(clocks, random) {
            let why = format!("it needs the `{g}` grant, which the policy denies");
            linker.deny_core(MODULE, name, &why);
            continue;
        }
        let ctx = ctx.clone();
        let call = move |access: &mut dyn GuestAccess, args: &[FlatVal], out: &mut [FlatVal]| {
            let mut wasi = ctx.lock().unwrap_or_else(|e| e.into_inner());
            let errno = invoke(&mut wasi, access.memory_and_state().0, name, f, args)?;
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
