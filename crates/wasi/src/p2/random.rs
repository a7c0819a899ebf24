//! `wasi:random/random`, `insecure` and `insecure-seed`, from the host's generator.

use wasmbed::{Error, Val};

use super::{bytes_val, u64_at, Defs};
use crate::ctx::WasiCtx;

/// Bytes one call may ask for: the host builds the list in memory before lowering it.
const MAX_BYTES: u64 = 1 << 20;

pub(super) const RANDOM: Defs = &[
    ("get-random-bytes", |c, a| bytes(c, a, "get-random-bytes")),
    ("get-random-u64", |_, _| Ok(Some(Val::U64(u64()?)))),
];

pub(super) const INSECURE: Defs = &[
    ("get-insecure-random-bytes", |c, a| {
        bytes(c, a, "get-insecure-random-bytes")
    }),
    ("get-insecure-random-u64", |_, _| Ok(Some(Val::U64(u64()?)))),
];

pub(super) const INSECURE_SEED: Defs = &[("insecure-seed", |_, _| {
    Ok(Some(Val::Tuple(vec![Val::U64(u64()?), Val::U64(u64()?)])))
})];

fn fill(buf: &mut [u8]) -> Result<(), Error> {
    // The interface cannot fail; a host without entropy cannot serve it.
    getrandom::fill(buf)
        .map_err(|e| Error::host(format!("wasi:random: the host's generator failed: {e}")))
}

fn u64() -> Result<u64, Error> {
    let mut b = [0u8; 8];
    fill(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn bytes(_: &mut WasiCtx, a: &[Val], func: &str) -> Result<Option<Val>, Error> {
    let len = u64_at(a, 0);
    if len > MAX_BYTES {
        return Err(Error::guest_trap(
            func,
            format!("asked for {len} random bytes, more than the host's bound of {MAX_BYTES}"),
        ));
    }
    let mut buf = vec![0u8; len as usize];
    fill(&mut buf)?;
    Ok(Some(bytes_val(&buf)))
}
