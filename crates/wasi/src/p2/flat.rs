//! The bulk-data functions over flat core values: bytes read in place and
//! written back through `realloc`, not lifted or lowered a `Val` per byte.
//!
//! Each lays out its `result` in the return area as the Canonical ABI does;
//! anything but the common success goes through the function's type as a `Val`.

use wasmbed::{Error, FlatCx};
use wasmbed_abi::{FlatVal, TypeKind, Val};

use super::io::{read_bytes, write, BLOCKING_WRITE_MAX};
use super::{err, ok};
use crate::ctx::WasiCtx;
use crate::preview1::mem::{u32_arg, u64_arg};

/// One flat function: the context, the calling guest, the core arguments and results.
pub(super) type FlatImpl =
    fn(&mut WasiCtx, &mut FlatCx<'_>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error>;

/// `wasi:io/streams`, flat.
pub(super) const STREAMS: &[(&str, FlatImpl)] = &[
    ("[method]input-stream.read", |c, cx, a, r| {
        read(c, cx, a, r, "input-stream.read")
    }),
    ("[method]input-stream.blocking-read", |c, cx, a, r| {
        read(c, cx, a, r, "input-stream.blocking-read")
    }),
    ("[method]output-stream.write", |c, cx, a, r| {
        write_flat(c, cx, a, r, None, "output-stream.write")
    }),
    (
        "[method]output-stream.blocking-write-and-flush",
        |c, cx, a, r| {
            let func = "output-stream.blocking-write-and-flush";
            write_flat(c, cx, a, r, Some(BLOCKING_WRITE_MAX), func)
        },
    ),
];

/// `wasi:filesystem/types`, flat.
pub(super) const DESCRIPTOR: &[(&str, FlatImpl)] = &[
    ("[method]descriptor.read", descriptor_read),
    ("[method]descriptor.write", descriptor_write),
];

/// `(self, len: u64, retptr)` → `result<list<u8>, stream-error>`.
fn read(
    c: &mut WasiCtx,
    cx: &mut FlatCx<'_>,
    a: &[FlatVal],
    r: &mut [FlatVal],
    func: &str,
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    match read_bytes(c, rep, u64_arg(a, 1), func)? {
        Ok(bytes) => {
            let (ptr, len) = cx.alloc_bytes(&bytes)?;
            store_ok_list(cx, u32_arg(a, 2), 12, ptr, len, &[])
        }
        Err(e) => cx.lower_result(a, e.as_ref(), r),
    }
}

/// `(self, ptr, len, retptr)` → `result<_, stream-error>`.
fn write_flat(
    c: &mut WasiCtx,
    cx: &mut FlatCx<'_>,
    a: &[FlatVal],
    r: &mut [FlatVal],
    max: Option<u64>,
    func: &str,
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    let bytes = cx.bytes(u32_arg(a, 1), u32_arg(a, 2))?;
    let result = write(c, rep, bytes, max, func)?;
    cx.lower_result(a, result.as_ref(), r)
}

/// The `ok` case of a `size`-byte `result` whose payload starts with a `list` at offset 4: `(ptr, len)`, then `tail`.
fn store_ok_list(
    cx: &mut FlatCx<'_>,
    retptr: u32,
    size: u32,
    ptr: u32,
    len: u32,
    tail: &[u8],
) -> Result<(), Error> {
    let mut area = [0u8; 16];
    area[4..8].copy_from_slice(&ptr.to_le_bytes());
    area[8..12].copy_from_slice(&len.to_le_bytes());
    area[12..12 + tail.len()].copy_from_slice(tail);
    cx.store(retptr, 4, size, TypeKind::Result, &area[..12 + tail.len()])
}

/// `(self, length: u64, offset: u64, retptr)` → `result<tuple<list<u8>, bool>, error-code>`.
fn descriptor_read(
    c: &mut WasiCtx,
    cx: &mut FlatCx<'_>,
    a: &[FlatVal],
    r: &mut [FlatVal],
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    match super::filesystem::read_bytes(c, rep, u64_arg(a, 1), u64_arg(a, 2)) {
        Ok((bytes, eof)) => {
            let (ptr, len) = cx.alloc_bytes(&bytes)?;
            store_ok_list(cx, u32_arg(a, 3), 16, ptr, len, &[u8::from(eof)])
        }
        Err(code) => cx.lower_result(a, err(Val::Enum(code)).as_ref(), r),
    }
}

/// `(self, ptr, len, offset: u64, retptr)` → `result<filesize, error-code>`.
fn descriptor_write(
    c: &mut WasiCtx,
    cx: &mut FlatCx<'_>,
    a: &[FlatVal],
    r: &mut [FlatVal],
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    let bytes = cx.bytes(u32_arg(a, 1), u32_arg(a, 2))?;
    let result = match super::filesystem::write_bytes(c, rep, bytes, u64_arg(a, 3)) {
        Ok(n) => ok(Some(Val::U64(n))),
        Err(code) => err(Val::Enum(code)),
    };
    cx.lower_result(a, result.as_ref(), r)
}
