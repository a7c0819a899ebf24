//! `wasmbed run`: load a guest, link it, call an export, print the result in WAVE.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use wasmbed::signals::{DEADLINE, INTERRUPT, MAX_SIGNAL};
use wasmbed::{Interrupt, Limits, SignalConfig, Val, Wasmi};
use wasmbed_wasi::Policy;

use crate::guest::{load, WorldArgs};
use crate::wasi_args::{command_guest, WasiArgs};
use crate::wave;

#[derive(Args)]
pub(crate) struct RunArgs {
    /// The guest: a core module (`.wasm`, or `.wat` text), or an application manifest (`app.toml`).
    file: PathBuf,
    #[command(flatten)]
    world: WorldArgs,
    /// The export to call with its arguments in WAVE, e.g. `add(1, 2)` or `ns:pkg/iface#f("x")`.
    #[arg(long)]
    invoke: Option<String>,
    /// Stop the guest after this much fuel (instructions, roughly).
    #[arg(long)]
    fuel: Option<u64>,
    /// Stop the call at this deadline (`100ms`, `2s`): the guest's signal
    /// handler runs with signal 1, then the call unwinds.
    #[arg(long, value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Deliver a signal (default 2) once, this long after the call starts:
    /// `DURATION[:SIGNAL]`; the guest's handler decides whether the call goes on.
    #[arg(long, value_parser = parse_signal_after)]
    signal_after: Option<(Duration, u32)>,
    /// Largest linear memory in 64 KiB pages.
    #[arg(long, default_value_t = Limits::default().max_memory_pages)]
    max_memory_pages: u32,
    #[command(flatten)]
    wasi: WasiArgs,
}

pub(crate) fn run(args: RunArgs) -> Result<ExitCode> {
    if crate::app::is_app(&args.file) {
        return crate::app::run(&args.file);
    }
    let sliced = args.timeout.is_some() || args.signal_after.is_some();
    let engine = if args.fuel.is_some() || sliced {
        Wasmi::with_fuel()
    } else {
        Wasmi::new()
    };
    let guest = match command_guest(&args.file, &args.world, &engine)? {
        Some(g) => g,
        None => load(&args.file, &args.world, &engine)?,
    };
    let limits = Limits {
        fuel: args.fuel,
        max_memory_pages: args.max_memory_pages,
        ..Limits::default()
    };
    let file = args.file.display().to_string();
    // A guest importing no WASI gets a context granting nothing, which no import reaches.
    let ctx = if wasmbed_wasi::imports_wasi(&guest) {
        args.wasi.context(&args.file)
    } else {
        Policy::new().build().map_err(Into::into)
    };
    let ctx = ctx.with_context(|| file.clone())?;
    let mut instance =
        wasmbed_wasi::instantiate(&guest, ctx, limits).with_context(|| file.clone())?;
    if sliced {
        let interrupt = Interrupt::new();
        instance
            .set_signals(interrupt.clone(), SignalConfig::default())
            .with_context(|| file.clone())?;
        // Watchdogs: each raises its signal once, whether or not the call is still running.
        if let Some(after) = args.timeout {
            raise_after(&interrupt, after, DEADLINE);
        }
        if let Some((after, signal)) = args.signal_after {
            raise_after(&interrupt, after, signal);
        }
    }
    let command = match (&args.invoke, guest.world().exports.is_empty()) {
        (None, true) => Some(Command::Start),
        (None, false) => instance.func_type(RUN).is_some().then_some(Command::Run),
        _ => None,
    };
    if let Some(command) = command {
        let r = match command {
            Command::Start => instance.call_core("_start").map(|()| true),
            // `run` returns `result`: ok is status 0, err status 1.
            Command::Run => instance
                .call(RUN, &[])
                .map(|v| matches!(v, Some(Val::Result(Ok(_))))),
        };
        instance.data_mut().flush();
        return match r {
            Ok(true) => Ok(ExitCode::SUCCESS),
            Ok(false) => Ok(ExitCode::FAILURE),
            Err(e) => match e.exit_code() {
                Some(code) => Ok(ExitCode::from(code as u8)),
                None => Err(e).with_context(|| file.clone()),
            },
        };
    }
    let Some(call) = args.invoke else {
        let names: Vec<&str> = instance.exports().map(|(n, _)| n).collect();
        bail!(
            "{file}: nothing to run; pass --invoke with one of: {}",
            names.join(", ")
        );
    };
    let (name, call_text) = wave::split_call(&call)?;
    let ty = instance
        .func_type(name)
        .with_context(|| format!("{file}: no export `{name}` in the world"))?
        .clone();
    let params =
        wave::parse_args(&call_text, ty.params()).with_context(|| format!("--invoke `{call}`"))?;
    let result = instance.call(name, &params).with_context(|| file.clone())?;
    if let (Some(t), Some(v)) = (ty.result(), result) {
        println!("{}", wave::show(t, &v)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// Raises `signal` on `interrupt` after `after`, from a thread of its own.
fn raise_after(interrupt: &Interrupt, after: Duration, signal: u32) {
    let interrupt = interrupt.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        interrupt.raise(signal);
    });
}

/// `100ms`, `2s`, `500us`, `1m`, `250ns`: a number and a unit.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (n, unit) = text.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{text}`: expected a number and a unit, such as `100ms` or `2s`"))?;
    Ok(match unit {
        "ns" => Duration::from_nanos(n),
        "us" => Duration::from_micros(n),
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("`{text}`: the unit is one of ns, us, ms, s, m")),
    })
}

/// `DURATION[:SIGNAL]`, the signal 2 (interrupt) unless given.
fn parse_signal_after(text: &str) -> Result<(Duration, u32), String> {
    let (d, s) = match text.split_once(':') {
        Some((d, s)) => (
            d,
            s.parse()
                .map_err(|_| format!("`{s}`: not a signal number"))?,
        ),
        None => (text, INTERRUPT),
    };
    if !(1..=MAX_SIGNAL).contains(&s) {
        return Err(format!("signal {s}: signals are 1 to {MAX_SIGNAL}"));
    }
    Ok((parse_duration(d)?, s))
}

/// The export that makes a guest a WASI 0.2 command (any `0.2.x` matches).
const RUN: &str = "wasi:cli/run@0.2.0#run";

/// How a guest runs without `--invoke`.
enum Command {
    /// A preview 1 command: `_start`.
    Start,
    /// A WASI 0.2 command: `wasi:cli/run#run`.
    Run,
}
