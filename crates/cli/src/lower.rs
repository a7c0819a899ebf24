//! `wasmbed lower`: a component fused into one core module that any engine
//! backend runs, named for cm32p2 or for wit-bindgen.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use wasmbed_lower::{lower, Scheme};

/// The names the lowered module uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Names {
    /// The cm32p2 build target's names.
    Cm32p2,
    /// wit-bindgen's names of today (`cabi_realloc`, `iface#func`).
    Legacy,
}

#[derive(Args)]
pub(crate) struct LowerArgs {
    /// The component (`.wasm`).
    file: PathBuf,
    /// Where to write the core module.
    #[arg(short, long)]
    output: PathBuf,
    /// The naming scheme of the output.
    #[arg(long, value_enum, default_value_t = Names::Cm32p2)]
    names: Names,
}

pub(crate) fn run(args: LowerArgs) -> Result<ExitCode> {
    let input = args.file.display();
    let bytes = std::fs::read(&args.file).with_context(|| format!("{input}"))?;
    let scheme = match args.names {
        Names::Cm32p2 => Scheme::Cm32p2,
        Names::Legacy => Scheme::Legacy,
    };
    let module = lower(&bytes, scheme).with_context(|| format!("{input}"))?;
    std::fs::write(&args.output, &module).with_context(|| format!("{}", args.output.display()))?;
    println!(
        "{}: {} bytes (component {} bytes)",
        args.output.display(),
        module.len(),
        bytes.len()
    );
    Ok(ExitCode::SUCCESS)
}
