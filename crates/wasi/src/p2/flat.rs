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
use crate::GetCtx;

/// One flat function: the calling guest, the way to its context, the core arguments and results.
type FlatImpl<T> =
    fn(&mut FlatCx<'_, T>, GetCtx<T>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error>;

/// The flat functions of `wasi:io/streams` and `wasi:filesystem/types`: interface, name, implementation.
pub(super) fn defs<T: 'static>() -> [(&'static str, &'static str, FlatImpl<T>); 6] {
    [
        (
            "io/streams",
            "[method]input-stream.read",
            |cx, get, a, r| read(cx, get, a, r, "input-stream.read"),
        ),
        (
            "io/streams",
            "[method]input-stream.blocking-read",
            |cx, get, a, r| read(cx, get, a, r, "input-stream.blocking-read"),
        ),
        (
            "io/streams",
            "[method]output-stream.write",
            |cx, get, a, r| write_flat(cx, get, a, r, None, "output-stream.write"),
        ),
        (
            "io/streams",
            "[method]output-stream.blocking-write-and-flush",
            |cx, get, a, r| {
                let func = "output-stream.blocking-write-and-flush";
                write_flat(cx, get, a, r, Some(BLOCKING_WRITE_MAX), func)
            },
        ),
        (
            "filesystem/types",
            "[method]descriptor.read",
            descriptor_read,
        ),
        (
            "filesystem/types",
            "[method]descriptor.write",
            descriptor_write,
        ),
    ]
}

/// The bytes of the `list<u8>` at `(ptr, len)` and the context at once, so a write copies nothing.
fn bytes_and_ctx<'c, T>(
    cx: &'c mut FlatCx<'_, T>,
    get: GetCtx<T>,
    ptr: u32,
    len: u32,
) -> Result<(&'c [u8], &'c mut WasiCtx), Error> {
    // Bounds-checked here, trapping as lifting the list would; then borrowed beside the data.
    cx.bytes(ptr, len)?;
    let (memory, data) = cx.memory_and_data();
    Ok((&memory[ptr as usize..][..len as usize], get(data)))
}

/// `(self, len: u64, retptr)` → `result<list<u8>, stream-error>`.
fn read<T>(
    cx: &mut FlatCx<'_, T>,
    get: GetCtx<T>,
    a: &[FlatVal],
    r: &mut [FlatVal],
    func: &str,
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    match read_bytes(get(cx.data_mut()), rep, u64_arg(a, 1), func)? {
        Ok(bytes) => {
            let (ptr, len) = cx.alloc_bytes(&bytes)?;
            store_ok_list(cx, u32_arg(a, 2), 12, ptr, len, &[])
        }
        Err(e) => cx.lower_result(a, e.as_ref(), r),
    }
}

/// `(self, ptr, len, retptr)` → `result<_, stream-error>`.
fn write_flat<T>(
    cx: &mut FlatCx<'_, T>,
    get: GetCtx<T>,
    a: &[FlatVal],
    r: &mut [FlatVal],
    max: Option<u64>,
    func: &str,
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    let (bytes, c) = bytes_and_ctx(cx, get, u32_arg(a, 1), u32_arg(a, 2))?;
    let result = write(c, rep, bytes, max, func)?;
    cx.lower_result(a, result.as_ref(), r)
}

/// The `ok` case of a `size`-byte `result` whose payload starts with a `list` at offset 4: `(ptr, len)`, then `tail`.
fn store_ok_list<T>(
    cx: &mut FlatCx<'_, T>,
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
fn descriptor_read<T>(
    cx: &mut FlatCx<'_, T>,
    get: GetCtx<T>,
    a: &[FlatVal],
    r: &mut [FlatVal],
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    match super::filesystem::read_bytes(get(cx.data_mut()), rep, u64_arg(a, 1), u64_arg(a, 2)) {
        Ok((bytes, eof)) => {
            let (ptr, len) = cx.alloc_bytes(&bytes)?;
            store_ok_list(cx, u32_arg(a, 3), 16, ptr, len, &[u8::from(eof)])
        }
        Err(code) => cx.lower_result(a, err(Val::Enum(code)).as_ref(), r),
    }
}

/// `(self, ptr, len, offset: u64, retptr)` → `result<filesize, error-code>`.
fn descriptor_write<T>(
    cx: &mut FlatCx<'_, T>,
    get: GetCtx<T>,
    a: &[FlatVal],
    r: &mut [FlatVal],
) -> Result<(), Error> {
    let rep = cx.rep(0, u32_arg(a, 0))?;
    let (bytes, c) = bytes_and_ctx(cx, get, u32_arg(a, 1), u32_arg(a, 2))?;
    let result = match super::filesystem::write_bytes(c, rep, bytes, u64_arg(a, 3)) {
        Ok(n) => ok(Some(Val::U64(n))),
        Err(code) => err(Val::Enum(code)),
    };
    cx.lower_result(a, result.as_ref(), r)
}
