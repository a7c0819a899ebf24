//! WASI 0.2 over `Linker::func`: cli, clocks, random, io and filesystem, sharing
//! preview 1's host state (one stdout, one descriptor table).
//!
//! Every resource is host-named ([`Linker::resource`]): a rep is an index in
//! one of [`P2`]'s tables, or, for a `descriptor`, its number in the
//! descriptor table preview 1 uses too.

mod cli;
mod clocks;
mod filesystem;
mod flat;
mod io;
mod random;
mod state;

use std::sync::{Arc, Mutex};

use wasmbed::{Error, HostCx, Linker, Val};

use crate::ctx::WasiCtx;

pub(crate) use state::{Pollable, Stream, P2};

/// The WASI version whose WIT (`wit/deps/`) these interfaces implement; any `0.2.x` links.
pub const VERSION: &str = "0.2.12";

/// One function: the instance's context, the calling guest, the lifted arguments.
type Impl = fn(&mut WasiCtx, &mut HostCx<'_>, &[Val]) -> Result<Option<Val>, Error>;

/// What the guest dropping a resource's last `own` handle does to the context.
type Dtor = fn(&mut WasiCtx, u32);

/// One interface's functions by WIT name (`[method]output-stream.write`, …).
type Defs = &'static [(&'static str, Impl)];

/// `wasi:PACKAGE/NAME@VERSION`.
fn iface(name: &str) -> String {
    format!("wasi:{name}@{VERSION}")
}

/// Defines WASI 0.2 in `linker`, statically denying what the context's policy does not grant.
pub(crate) fn add(linker: &mut Linker, ctx: &Arc<Mutex<WasiCtx>>) {
    let (clocks_ok, random_ok) = {
        let c = ctx.lock().unwrap_or_else(|e| e.into_inner());
        (c.clocks, c.random)
    };
    let groups: [(&str, Defs, bool, &str); 19] = [
        ("cli/environment", cli::ENVIRONMENT, true, ""),
        ("cli/exit", cli::EXIT, true, ""),
        ("cli/stdin", cli::STDIN, true, ""),
        ("cli/stdout", cli::STDOUT, true, ""),
        ("cli/stderr", cli::STDERR, true, ""),
        ("cli/terminal-stdin", cli::TERMINAL_STDIN, true, ""),
        ("cli/terminal-stdout", cli::TERMINAL_STDOUT, true, ""),
        ("cli/terminal-stderr", cli::TERMINAL_STDERR, true, ""),
        ("io/error", io::ERROR, true, ""),
        ("io/poll", io::POLL, true, ""),
        ("io/streams", io::STREAMS, true, ""),
        ("filesystem/types", filesystem::TYPES, true, ""),
        ("filesystem/types", filesystem::DESCRIPTOR, true, ""),
        ("filesystem/preopens", filesystem::PREOPENS, true, ""),
        (
            "clocks/monotonic-clock",
            clocks::MONOTONIC,
            clocks_ok,
            "clocks",
        ),
        ("clocks/wall-clock", clocks::WALL, clocks_ok, "clocks"),
        ("random/random", random::RANDOM, random_ok, "random"),
        ("random/insecure", random::INSECURE, random_ok, "random"),
        (
            "random/insecure-seed",
            random::INSECURE_SEED,
            random_ok,
            "random",
        ),
    ];
    for (name, defs, granted, grant) in groups {
        let name = iface(name);
        if !granted {
            let why = format!("it needs the `{grant}` grant, which the policy denies");
            linker.deny_interface(&name, &why);
            continue;
        }
        for &(func, f) in defs {
            let ctx = ctx.clone();
            linker.func(&name, func, move |cx, args| {
                let mut wasi = ctx.lock().unwrap_or_else(|e| e.into_inner());
                f(&mut wasi, cx, args)
            });
        }
    }
    let flat = [
        ("io/streams", flat::STREAMS),
        ("filesystem/types", flat::DESCRIPTOR),
    ];
    for (name, defs) in flat {
        for &(func, f) in defs {
            let ctx = ctx.clone();
            linker.func_flat(&iface(name), func, move |cx, args, results| {
                let mut wasi = ctx.lock().unwrap_or_else(|e| e.into_inner());
                f(&mut wasi, cx, args, results)
            });
        }
    }
    // The rep of every resource is an index into the context's own tables.
    let dtors: [(&str, &str, Dtor); 6] = [
        (
            "filesystem/types",
            "descriptor",
            filesystem::drop_descriptor,
        ),
        ("filesystem/types", "directory-entry-stream", |c, rep| {
            c.p2.dir_streams.remove(rep);
        }),
        ("io/error", "error", |c, rep| {
            c.p2.errors.remove(rep);
        }),
        ("io/poll", "pollable", |c, rep| {
            c.p2.pollables.remove(rep);
        }),
        ("io/streams", "input-stream", |c, rep| {
            c.p2.streams.remove(rep);
        }),
        ("io/streams", "output-stream", |c, rep| {
            c.p2.streams.remove(rep);
        }),
    ];
    for (name, resource, dtor) in dtors {
        let ctx = ctx.clone();
        linker.resource(&iface(name), resource, move |_, rep| {
            dtor(&mut ctx.lock().unwrap_or_else(|e| e.into_inner()), rep);
            Ok(())
        });
    }
}

/// The `u64` argument at `i`.
fn u64_at(args: &[Val], i: usize) -> u64 {
    match args.get(i) {
        Some(Val::U64(v)) => *v,
        _ => 0,
    }
}

/// The rep of the resource argument (`self` or a handle) at `i`.
fn rep_at(args: &[Val], i: usize) -> u32 {
    match args.get(i) {
        Some(Val::Borrow(r) | Val::Own(r)) => *r,
        _ => u32::MAX,
    }
}

/// `list<u8>` as a value.
fn bytes_val(bytes: &[u8]) -> Val {
    Val::List(bytes.iter().map(|b| Val::U8(*b)).collect())
}

fn ok(v: Option<Val>) -> Option<Val> {
    Some(Val::Result(Ok(v.map(Box::new))))
}

fn err(v: Val) -> Option<Val> {
    Some(Val::Result(Err(Some(Box::new(v)))))
}

/// A host-named rep the guest handed over that names nothing here: a host bug or a stale rep.
fn gone(func: &str, what: &str, rep: u32) -> Error {
    Error::guest_trap(func, format!("no live {what} {rep}"))
}
