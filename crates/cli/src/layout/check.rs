//! `wasmbed layout check` and `wasmbed layout from-c` (stubs, to be filled in).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// The C header to audit.
    pub(crate) header: PathBuf,
    /// Comma-separated targets: x86_64,i686,armv7,thumbv6m,riscv32,xtensa,avr,msp430,wasm32,mips
    #[arg(long, value_delimiter = ',')]
    pub(crate) targets: Vec<String>,
}

#[derive(Args)]
pub(crate) struct FromCArgs {
    /// The C header that defines the structs.
    pub(crate) header: PathBuf,
    /// The structs to turn into WIT records.
    #[arg(required = true)]
    pub(crate) structs: Vec<String>,
}

pub(crate) fn run_check(_args: CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wasmbed layout check` is not implemented yet")
}

pub(crate) fn run_from_c(_args: FromCArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wasmbed layout from-c` is not implemented yet")
}
