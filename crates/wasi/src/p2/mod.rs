//! WASI 0.2 over `Linker::func`: cli, clocks, random, io and filesystem, sharing
//! preview 1's host state (one stdout, one descriptor table); sockets, denied.
//!
//! Every resource is host-named ([`Linker::resource`]): a rep is an index in
//! one of [`P2`]'s tables, or, for a `descriptor`, its number in the
//! descriptor table preview 1 uses too; every `network` has the same rep
//! (`sockets.rs`).

mod cli;
mod clocks;
mod filesystem;
mod flat;
mod io;
mod random;
mod sockets;
mod state;

use wasmbed::{Error, Linker, Val};

use crate::ctx::WasiCtx;
use crate::policy::{Grant, Grants};
use crate::GetCtx;

pub(crate) use state::{Pollable, Stream, P2};

/// The WASI version whose WIT (`wit/deps/`) these interfaces implement; any `0.2.x` links.
pub const VERSION: &str = "0.2.12";

/// One function: the instance's context and the lifted arguments.
type Impl = fn(&mut WasiCtx, &[Val]) -> Result<Option<Val>, Error>;

/// What the guest dropping a resource's last `own` handle does to the context.
type Dtor = fn(&mut WasiCtx, u32);

/// One interface's functions by WIT name (`[method]output-stream.write`, …).
type Defs = &'static [(&'static str, Impl)];

/// `wasi:PACKAGE/NAME@VERSION`.
fn iface(name: &str) -> String {
    format!("wasi:{name}@{VERSION}")
}

/// Every interface's functions over `Val`s, with the grant each needs.
const GROUPS: [(&str, Defs, Grant); 19] = [
    ("cli/environment", cli::ENVIRONMENT, Grant::None),
    ("cli/exit", cli::EXIT, Grant::None),
    ("cli/stdin", cli::STDIN, Grant::None),
    ("cli/stdout", cli::STDOUT, Grant::None),
    ("cli/stderr", cli::STDERR, Grant::None),
    ("cli/terminal-stdin", cli::TERMINAL_STDIN, Grant::None),
    ("cli/terminal-stdout", cli::TERMINAL_STDOUT, Grant::None),
    ("cli/terminal-stderr", cli::TERMINAL_STDERR, Grant::None),
    ("io/error", io::ERROR, Grant::None),
    ("io/poll", io::POLL, Grant::None),
    ("io/streams", io::STREAMS, Grant::None),
    ("filesystem/types", filesystem::TYPES, Grant::None),
    ("filesystem/types", filesystem::DESCRIPTOR, Grant::None),
    ("filesystem/preopens", filesystem::PREOPENS, Grant::None),
    ("clocks/monotonic-clock", clocks::MONOTONIC, Grant::Clocks),
    ("clocks/wall-clock", clocks::WALL, Grant::Clocks),
    ("random/random", random::RANDOM, Grant::Random),
    ("random/insecure", random::INSECURE, Grant::Random),
    ("random/insecure-seed", random::INSECURE_SEED, Grant::Random),
];

/// The resources, all host-named: a rep is an index into the context's own tables.
const DTORS: [(&str, &str, Dtor); 6] = [
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

/// Defines WASI 0.2 in `linker`, denying the interfaces whose grant is not in `grants`.
pub(crate) fn add<T: 'static>(linker: &mut Linker<T>, grants: Grants, get: GetCtx<T>) {
    for (name, defs, grant) in GROUPS {
        let full = iface(name);
        if let Some(g) = grant.missing(grants) {
            linker.deny_interface(&full, &Grant::denied(g));
            continue;
        }
        for &(func, f) in defs {
            linker.func(&full, func, move |cx, args| {
                let wasi = get(cx.data_mut());
                if let Some(g) = grant.missing(wasi.grants()) {
                    // The linker grants more than this instance's policy does, and
                    // the interface has no error to say so: the guest stops here.
                    let why = format!("the instance's policy denies the `{g}` grant");
                    return Err(Error::guest_trap(&format!("{}#{func}", iface(name)), why));
                }
                f(wasi, args)
            });
        }
    }
    for (name, func, f) in flat::defs::<T>() {
        linker.func_flat(&iface(name), func, move |cx, args, results| {
            f(cx, get, args, results)
        });
    }
    // No grant enables sockets: linked whatever `grants` says, every call denied.
    sockets::add(linker);
    for (name, resource, dtor) in DTORS {
        linker.resource(&iface(name), resource, move |cx, rep| {
            dtor(get(cx.data_mut()), rep);
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
