//! The fuzzers' way into preview 1: one function called on a byte slice, without an engine.
//!
//! Only with the `fuzzing` feature, and hidden from the docs: it is no part
//! of the API. A call runs exactly what the linked import runs (the same
//! decoding of guest memory, the same flush before a trap); only the engine,
//! which would hand over the memory and the flat arguments, is left out.

use wasmbed::Error;
use wasmbed_abi::FlatVal;

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::preview1;

/// What one call did.
#[derive(Debug)]
pub enum Outcome {
    /// The errno the guest would see (`Success` included).
    Errno(Errno),
    /// The error its instance would end with: a trap, or `proc_exit`'s exit.
    Trap(Error),
    /// The policy denies the function's grant, so the linker would not have defined it.
    Unlinked,
}

/// How many preview 1 functions there are.
pub fn count() -> usize {
    preview1::all().count()
}

/// The name and parameters (`i` = i32, `I` = i64) of function `index % count()`.
pub fn function(index: usize) -> (&'static str, &'static str) {
    let (name, sig, _, _) = def(index);
    (name, sig)
}

fn def(index: usize) -> &'static preview1::Def {
    let n = count();
    preview1::all()
        .nth(index % n)
        .expect("the index is below the count")
}

/// Calls preview 1 function `index % count()` with `args` over guest memory `memory`.
///
/// Each argument is cut to its parameter's type (`i` takes the low 32 bits);
/// missing ones are zero, extra ones ignored.
pub fn call_preview1(ctx: &mut WasiCtx, memory: &mut [u8], index: usize, args: &[u64]) -> Outcome {
    let &(name, sig, grant, f) = def(index);
    if grant.missing(ctx.grants()).is_some() {
        return Outcome::Unlinked;
    }
    let flat: Vec<FlatVal> = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let v = args.get(i).copied().unwrap_or(0);
            if c == 'I' {
                FlatVal::I64(v as i64)
            } else {
                FlatVal::I32(v as u32 as i32)
            }
        })
        .collect();
    match preview1::invoke(ctx, memory, name, f, &flat) {
        Ok(errno) => Outcome::Errno(errno),
        Err(e) => Outcome::Trap(e),
    }
}

#[cfg(test)]
mod tests;
