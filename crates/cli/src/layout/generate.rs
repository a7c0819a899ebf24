//! `wasmbed layout FILE.wit|DIR --lang c|rust` (stub, to be filled in).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

/// Output language.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Lang {
    C,
    Rust,
}

#[derive(Args)]
pub(crate) struct GenArgs {
    /// A `.wit` file or a directory of them.
    #[arg(required = true)]
    pub(crate) wit: Option<PathBuf>,
    /// Only the types used by this world.
    #[arg(long, conflicts_with = "interface")]
    pub(crate) world: Option<String>,
    /// Only the types of this interface.
    #[arg(long)]
    pub(crate) interface: Option<String>,
    /// The language to generate.
    #[arg(long, value_enum, required = true)]
    pub(crate) lang: Option<Lang>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Emit strings, lists and handles as their (pointer, length) or index form, valid only inside one guest's memory.
    #[arg(long)]
    pub(crate) allow_guest_pointers: bool,
}

pub(crate) fn run(_args: GenArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wasmbed layout` generation is not implemented yet")
}
