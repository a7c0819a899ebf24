//! `wasi:io/error`, `poll` and `streams`: stdio on the writers preview 1 uses, files at their own offsets.

use std::io::{Read, Write};
use std::time::Instant;

use wasmbed::{Error, Val};

use super::{err, gone, ok, rep_at, u64_at, Defs, Pollable, Stream};
use crate::ctx::WasiCtx;
use crate::fs;

/// Bytes `blocking-write-and-flush` takes at most, as the interface specifies.
pub(super) const BLOCKING_WRITE_MAX: u64 = 4096;

pub(super) const ERROR: Defs = &[("[method]error.to-debug-string", |c, a| {
    let rep = rep_at(a, 0);
    let (msg, _) =
        c.p2.errors
            .get(rep)
            .ok_or_else(|| gone("error.to-debug-string", "error", rep))?;
    Ok(Some(Val::String(msg.clone())))
})];

pub(super) const POLL: Defs = &[
    ("[method]pollable.ready", |c, a| {
        let p = pollable(c, rep_at(a, 0), "pollable.ready")?;
        Ok(Some(Val::Bool(is_ready(p, Instant::now()))))
    }),
    ("[method]pollable.block", |c, a| {
        let p = pollable(c, rep_at(a, 0), "pollable.block")?;
        wait_until(p);
        Ok(None)
    }),
    ("poll", poll),
];

pub(super) const STREAMS: Defs = &[
    // `read`, `blocking-read`, `write` and `blocking-write-and-flush` are flat: see `flat.rs`.
    ("[method]input-stream.skip", |c, a| {
        skip(c, a, "input-stream.skip")
    }),
    ("[method]input-stream.blocking-skip", |c, a| {
        skip(c, a, "input-stream.blocking-skip")
    }),
    ("[method]input-stream.subscribe", subscribe),
    ("[method]output-stream.check-write", check_write),
    ("[method]output-stream.flush", |c, a| {
        flush(c, rep_at(a, 0), "output-stream.flush")
    }),
    ("[method]output-stream.blocking-flush", |c, a| {
        flush(c, rep_at(a, 0), "output-stream.blocking-flush")
    }),
    ("[method]output-stream.subscribe", subscribe),
    ("[method]output-stream.write-zeroes", |c, a| {
        zeroes(c, a, None, "output-stream.write-zeroes")
    }),
    (
        "[method]output-stream.blocking-write-zeroes-and-flush",
        |c, a| {
            let func = "output-stream.blocking-write-zeroes-and-flush";
            zeroes(c, a, Some(BLOCKING_WRITE_MAX), func)
        },
    ),
    ("[method]output-stream.splice", |c, a| {
        splice(c, a, "output-stream.splice")
    }),
    ("[method]output-stream.blocking-splice", |c, a| {
        splice(c, a, "output-stream.blocking-splice")
    }),
];

fn pollable(c: &WasiCtx, rep: u32, func: &str) -> Result<Pollable, Error> {
    c.p2.pollables
        .get(rep)
        .copied()
        .ok_or_else(|| gone(func, "pollable", rep))
}

fn is_ready(p: Pollable, now: Instant) -> bool {
    match p {
        Pollable::Ready => true,
        Pollable::At(t) => t <= now,
    }
}

/// Sleeps until `p` is ready; `true` when a signal for this instance woke it first.
fn wait_until(p: Pollable) -> bool {
    if let Pollable::At(t) = p {
        let now = Instant::now();
        if t > now {
            return wasmbed::signals::sleep(t - now);
        }
    }
    false
}

/// Waits until one of the pollables is ready; returns the indices of all ready ones.
fn poll(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let Some(Val::List(items)) = a.first() else {
        return Ok(Some(Val::List(Vec::new())));
    };
    if items.is_empty() {
        return Err(Error::guest_trap(
            "poll",
            "poll needs at least one pollable",
        ));
    }
    let mut ps = Vec::with_capacity(items.len());
    for (i, _) in items.iter().enumerate() {
        ps.push(pollable(c, rep_at(items, i), "poll")?);
    }
    loop {
        let now = Instant::now();
        let ready: Vec<Val> = (0..ps.len() as u32)
            .filter(|&i| is_ready(ps[i as usize], now))
            .map(Val::U32)
            .collect();
        if !ready.is_empty() {
            return Ok(Some(Val::List(ready)));
        }
        let earliest = ps.iter().filter_map(|p| match p {
            Pollable::At(t) => Some(*t),
            Pollable::Ready => None,
        });
        if let Some(t) = earliest.min() {
            if wait_until(Pollable::At(t)) {
                // Woken by a signal: back to the guest (and the runtime, which
                // delivers it) with nothing ready, as `poll` with EINTR.
                return Ok(Some(Val::List(Vec::new())));
            }
        }
    }
}

/// Streams on blocking host I/O are always ready.
fn subscribe(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let rep = rep_at(a, 0);
    c.p2.streams
        .get(rep)
        .ok_or_else(|| gone("subscribe", "stream", rep))?;
    Ok(Some(Val::Own(c.p2.pollables.insert(Pollable::Ready))))
}

/// `stream-error.closed`.
fn closed() -> Option<Val> {
    err(Val::Variant(1, None))
}

/// `stream-error.last-operation-failed` with an `error` carrying the host's error.
fn failed(c: &mut WasiCtx, func: &str, e: std::io::Error) -> Option<Val> {
    let message = format!("{func}: {e}");
    let e = c.p2.error(message, Some(e.into()));
    err(Val::Variant(0, Some(Box::new(Val::Own(e)))))
}

fn stream<'c>(c: &'c mut WasiCtx, rep: u32, func: &str) -> Result<&'c mut Stream, Error> {
    c.p2.streams
        .get_mut(rep)
        .ok_or_else(|| gone(func, "stream", rep))
}

/// Skips up to `len` bytes, at most the per-operation limit, blocking until some arrive.
fn skip(c: &mut WasiCtx, a: &[Val], func: &str) -> Result<Option<Val>, Error> {
    match read_bytes(c, rep_at(a, 0), u64_at(a, 1), func)? {
        Ok(bytes) => Ok(ok(Some(Val::U64(bytes.len() as u64)))),
        Err(e) => Ok(e),
    }
}

/// Reads up to `len` bytes (at most the per-operation limit) from stream `rep`, blocking until some arrive: the bytes, or the `stream-error` result to return.
pub(super) fn read_bytes(
    c: &mut WasiCtx,
    rep: u32,
    len: u64,
    func: &str,
) -> Result<Result<Vec<u8>, Option<Val>>, Error> {
    let len = len.min(u64::from(c.limits.max_write_bytes)) as usize;
    let mut buf = vec![0u8; len];
    let got = match stream(c, rep, func)? {
        Stream::Closed => return Ok(Err(closed())),
        Stream::Stdin => match c.stdin.as_mut() {
            Some(r) => r.read(&mut buf),
            None => {
                tracing::warn!(func, "wasi: standard input is not granted");
                return Ok(Err(closed()));
            }
        },
        Stream::FileRead { file, pos } => {
            let r = fs::read_at(file, &mut buf, *pos);
            if let Ok(n) = r {
                *pos += n as u64;
            }
            r
        }
        _ => return Err(Error::guest_trap(func, "not an input stream")),
    };
    match got {
        Ok(0) if len > 0 => {
            *stream(c, rep, func)? = Stream::Closed;
            Ok(Err(closed()))
        }
        Ok(n) => {
            buf.truncate(n);
            Ok(Ok(buf))
        }
        Err(e) => Ok(Err(failed(c, func, e))),
    }
}

/// How many bytes the next write may carry: the policy's bound on one write.
fn check_write(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let permit = u64::from(c.limits.max_write_bytes);
    match stream(c, rep_at(a, 0), "output-stream.check-write")? {
        Stream::Closed => Ok(closed()),
        _ => Ok(ok(Some(Val::U64(permit)))),
    }
}

/// Writes all of `bytes`; more than the stream permits is a trap, as the interface specifies.
pub(super) fn write(
    c: &mut WasiCtx,
    rep: u32,
    bytes: &[u8],
    max: Option<u64>,
    func: &str,
) -> Result<Option<Val>, Error> {
    let max = max.unwrap_or(u64::from(c.limits.max_write_bytes));
    if bytes.len() as u64 > max {
        return Err(Error::guest_trap(
            func,
            format!(
                "a write of {} bytes exceeds the permitted {max}",
                bytes.len()
            ),
        ));
    }
    let done = match stream(c, rep, func)? {
        Stream::Closed => return Ok(closed()),
        Stream::Stdout => out(&mut c.stdout, bytes, "output", func),
        Stream::Stderr => out(&mut c.stderr, bytes, "error", func),
        Stream::FileWrite { file, pos } => {
            let r = fs::write_all_at(file, bytes, *pos);
            if r.is_ok() {
                *pos += bytes.len() as u64;
            }
            r
        }
        Stream::FileAppend { file } => file
            .metadata()
            .and_then(|m| fs::write_all_at(file, bytes, m.len())),
        _ => return Err(Error::guest_trap(func, "not an output stream")),
    };
    match done {
        Ok(()) => Ok(ok(None)),
        Err(e) => Ok(failed(c, func, e)),
    }
}

fn out(
    w: &mut Option<Box<dyn Write + Send>>,
    bytes: &[u8],
    which: &str,
    func: &str,
) -> std::io::Result<()> {
    match w {
        Some(w) => w.write_all(bytes).and_then(|()| w.flush()),
        None => {
            tracing::warn!(func, "wasi: standard {which} is not granted");
            Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("standard {which} is not granted"),
            ))
        }
    }
}

fn flush(c: &mut WasiCtx, rep: u32, func: &str) -> Result<Option<Val>, Error> {
    let r = match stream(c, rep, func)? {
        Stream::Closed => return Ok(closed()),
        Stream::Stdout => c.stdout.as_mut().map_or(Ok(()), |w| w.flush()),
        Stream::Stderr => c.stderr.as_mut().map_or(Ok(()), |w| w.flush()),
        _ => Ok(()),
    };
    match r {
        Ok(()) => Ok(ok(None)),
        Err(e) => Ok(failed(c, func, e)),
    }
}

fn zeroes(c: &mut WasiCtx, a: &[Val], max: Option<u64>, func: &str) -> Result<Option<Val>, Error> {
    let len = u64_at(a, 1);
    let max = max.unwrap_or(u64::from(c.limits.max_write_bytes));
    if len > max {
        return Err(Error::guest_trap(
            func,
            format!("a write of {len} bytes exceeds the permitted {max}"),
        ));
    }
    write(c, rep_at(a, 0), &vec![0u8; len as usize], Some(max), func)
}

/// Moves up to `len` bytes (at most one write's worth) from an input stream to this output stream.
fn splice(c: &mut WasiCtx, a: &[Val], func: &str) -> Result<Option<Val>, Error> {
    let (dst, src) = (rep_at(a, 0), rep_at(a, 1));
    let len = u64_at(a, 2).min(u64::from(c.limits.max_write_bytes));
    let bytes = match read_bytes(c, src, len, func)? {
        Ok(bytes) => bytes,
        Err(e) => return Ok(e),
    };
    match write(c, dst, &bytes, None, func)? {
        Some(Val::Result(Ok(_))) => Ok(ok(Some(Val::U64(bytes.len() as u64)))),
        other => Ok(other),
    }
}
