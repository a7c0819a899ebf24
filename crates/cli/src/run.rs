//! `wasmbed run`: load a guest, link it, call an export, print the result in WAVE.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use wasmbed::signals::{DEADLINE, INTERRUPT, MAX_SIGNAL};
use wasmbed::{AnyEngine, Guest, Limits, Linker, SignalConfig, Val, Wamr, Wasmi};
use wasmbed_threads::{Threads, ThreadsCtx};
use wasmbed_wasi::{Policy, WasiCtx};
use wasmbed_wave as wave;

use crate::guest::{load, WorldArgs};
use crate::threads_args::imports_threads;
use crate::wasi_args::{command_guest, WasiArgs};

/// The engine backends `wasmbed run` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EngineKind {
    /// wasmi: fuel for the instance's life, signals and deadlines, threads.
    Wasmi,
    /// WAMR's fast interpreter: `--fuel` bounds each call; no signals (docs/wamr.md).
    Wamr,
}

#[derive(Args)]
pub(crate) struct RunArgs {
    /// The guest: a core module (`.wasm`, or `.wat` text), or an application manifest (`app.toml`).
    file: PathBuf,
    /// The engine that runs the guest.
    #[arg(long, value_enum, default_value_t = EngineKind::Wasmi)]
    engine: EngineKind,
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
        if args.engine != EngineKind::Wasmi {
            bail!(
                "{}: applications run on wasmi only (--engine wasmi)",
                args.file.display()
            );
        }
        return crate::app::run(&args.file);
    }
    let kind = args.engine;
    // WAMR meters instructions in every build.
    let engine = move |metered| match (kind, metered) {
        (EngineKind::Wasmi, true) => AnyEngine::Wasmi(Wasmi::with_fuel()),
        (EngineKind::Wasmi, false) => AnyEngine::Wasmi(Wasmi::new()),
        (EngineKind::Wamr, _) => AnyEngine::Wamr(Wamr::new()),
    };
    let sliced = args.timeout.is_some() || args.signal_after.is_some();
    let file = args.file.display().to_string();
    let metered = args.fuel.is_some() || sliced;
    let mut guest = load_guest(&args, &engine(metered))?;
    // Threads run sliced, so that signals reach them: that needs fuel.
    let threaded = imports_threads(&guest);
    if threaded && !metered {
        guest = load_guest(&args, &engine(true))?;
    }
    let limits = Limits {
        fuel: args.fuel,
        max_memory_pages: args.max_memory_pages,
        ..Limits::default()
    };
    // A guest importing no WASI gets a context granting nothing, which no import reaches.
    let wasi = wasmbed_wasi::imports_wasi(&guest);
    let ctx = match wasi {
        true => args.wasi.context(&args.file),
        false => Policy::new().build().map_err(Into::into),
    };
    let ctx = ctx.with_context(|| file.clone())?;
    let grants = match threaded {
        true => args.wasi.threads(&args.file)?,
        false => None,
    };
    let threads = Threads::new(grants.clone().unwrap_or_default());
    let mut linker = Linker::<Host>::new();
    wasmbed_wasi::add_imported_to_linker(&mut linker, &guest, ctx.grants(), |h| &mut h.wasi);
    match &grants {
        Some(_) => drop(wasmbed_threads::add_to_linker(&mut linker, |h| {
            &mut h.threads
        })),
        None => {
            for i in wasmbed_threads::INTERFACES {
                linker.deny_interface(i, "the manifest grants no threads (no `[threads]` table)");
            }
        }
    }
    let pre = linker
        .instantiate_pre(&guest)
        .with_context(|| file.clone())?;
    let data = Host {
        wasi: ctx,
        threads: threads.main(),
    };
    let mut instance = pre
        .instantiate(data, limits)
        .with_context(|| file.clone())?;
    if grants.is_some() {
        // Each thread gets the same WASI grants, in a context of its own.
        let (path, wasi_args) = (args.file.clone(), Arc::new(args.wasi));
        let make = move |threads| {
            let wasi = match wasi {
                true => wasi_args.context(&path),
                false => Policy::new().build().map_err(Into::into),
            };
            let wasi = wasi.map_err(|e| format!("{e:#}"))?;
            Ok(Host { wasi, threads })
        };
        threads
            .serve(pre, make, limits, SignalConfig::default())
            .map_err(|e| anyhow::anyhow!("{file}: threads: {e:?}"))?;
    }
    if sliced || threaded {
        instance
            .set_signals(threads.main_interrupt(), SignalConfig::default())
            .with_context(|| file.clone())?;
        // Watchdogs: each raises its signal once, for every thread still running.
        if let Some(after) = args.timeout {
            raise_after(&threads, after, DEADLINE);
        }
        if let Some((after, signal)) = args.signal_after {
            raise_after(&threads, after, signal);
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
        instance.data_mut().wasi.flush();
        stop_threads(&threads);
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
    let result = instance.call(name, &params);
    stop_threads(&threads);
    let result = result.with_context(|| file.clone())?;
    if let (Some(t), Some(v)) = (ty.result(), result) {
        println!("{}", wave::show(t, &v)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// Raises `signal` for every running thread of `threads` after `after`, from a thread of its own.
fn raise_after(threads: &Threads, after: Duration, signal: u32) {
    let threads = threads.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        threads.raise_all(signal);
    });
}

/// The main call returned: like a process whose `main` returns, the
/// application ends. Threads still running are interrupted (signal 2) and
/// given a moment to unwind.
fn stop_threads(threads: &Threads) {
    let n = threads.running();
    if n == 0 {
        return;
    }
    tracing::warn!(
        "threads: {n} thread(s) still running when the call returned; interrupting them"
    );
    threads.raise_all(INTERRUPT);
    threads.wait_idle(Some(Instant::now() + Duration::from_secs(1)));
}

/// The guest on `engine`.
fn load_guest(args: &RunArgs, engine: &AnyEngine) -> Result<Guest<AnyEngine>> {
    match command_guest(&args.file, &args.world, engine)? {
        Some(g) => Ok(g),
        None => load(&args.file, &args.world, engine),
    }
}

/// An instance's host data under `wasmbed run`: its WASI context and its
/// place among the application's threads.
struct Host {
    wasi: WasiCtx,
    threads: ThreadsCtx,
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
