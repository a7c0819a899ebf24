//! `wasi:cli`: environment, exit, the standard streams (shared with preview 1) and terminals.

use wasmbed::{Error, Val};

use super::{Defs, Stream};
use crate::ctx::WasiCtx;

pub(super) const ENVIRONMENT: Defs = &[
    ("get-environment", get_environment),
    ("get-arguments", |c, _| {
        Ok(Some(Val::List(
            c.args.iter().map(|a| Val::String(a.clone())).collect(),
        )))
    }),
    ("initial-cwd", |_, _| Ok(Some(Val::Option(None)))),
];

pub(super) const EXIT: Defs = &[("exit", exit), ("exit-with-code", exit_with_code)];

pub(super) const STDIN: Defs = &[("get-stdin", |c, _| stream(c, Stream::Stdin))];
pub(super) const STDOUT: Defs = &[("get-stdout", |c, _| stream(c, Stream::Stdout))];
pub(super) const STDERR: Defs = &[("get-stderr", |c, _| stream(c, Stream::Stderr))];

// No terminal is ever granted: the streams are pipes or files to the guest.
pub(super) const TERMINAL_STDIN: Defs = &[("get-terminal-stdin", |_, _| none())];
pub(super) const TERMINAL_STDOUT: Defs = &[("get-terminal-stdout", |_, _| none())];
pub(super) const TERMINAL_STDERR: Defs = &[("get-terminal-stderr", |_, _| none())];

fn none() -> Result<Option<Val>, Error> {
    Ok(Some(Val::Option(None)))
}

fn stream(c: &mut WasiCtx, s: Stream) -> Result<Option<Val>, Error> {
    Ok(Some(Val::Own(c.p2.streams.insert(s))))
}

fn get_environment(c: &mut WasiCtx, _: &[Val]) -> Result<Option<Val>, Error> {
    let pairs = c.env.iter().map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        Val::Tuple(vec![Val::String(k.into()), Val::String(v.into())])
    });
    Ok(Some(Val::List(pairs.collect())))
}

/// `exit(ok)` is status 0, `exit(err)` status 1, as wasmtime reports them.
fn exit(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let ok = matches!(a.first(), Some(Val::Result(Ok(_))));
    exit_with(c, if ok { 0 } else { 1 })
}

/// Flushes the guest's output and ends it with `code`.
fn exit_with(c: &mut WasiCtx, code: i32) -> Result<Option<Val>, Error> {
    c.flush();
    Err(Error::exit(code))
}

/// `exit-with-code(n)` is status `n`.
fn exit_with_code(c: &mut WasiCtx, a: &[Val]) -> Result<Option<Val>, Error> {
    let code = match a.first() {
        Some(Val::U8(n)) => i32::from(*n),
        _ => 1,
    };
    exit_with(c, code)
}
