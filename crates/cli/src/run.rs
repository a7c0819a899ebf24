//! `wasmbed run`: load a guest, link it, call an export, print the result in WAVE.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use wasmbed::{Limits, Val, Wasmi};
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
    let engine = if args.fuel.is_some() {
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

/// The export that makes a guest a WASI 0.2 command (any `0.2.x` matches).
const RUN: &str = "wasi:cli/run@0.2.0#run";

/// How a guest runs without `--invoke`.
enum Command {
    /// A preview 1 command: `_start`.
    Start,
    /// A WASI 0.2 command: `wasi:cli/run#run`.
    Run,
}
