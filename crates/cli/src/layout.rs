//! `wasmbed layout`: generate portable layouts from WIT, or audit existing C headers.

use std::process::ExitCode;

use clap::{Args, Subcommand};

mod check;
mod generate;

/// `wasmbed layout FILE.wit|DIR …`, `wasmbed layout check …`, `wasmbed layout from-c …`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct LayoutArgs {
    #[command(subcommand)]
    command: Option<LayoutCommand>,
    #[command(flatten)]
    generate: generate::GenArgs,
}

#[derive(Subcommand)]
enum LayoutCommand {
    /// Size, alignment and field offsets of a C header's structs on each target, with divergences marked.
    Check(check::CheckArgs),
    /// Proposes a WIT record for existing C structs, keeping field names and widths.
    FromC(check::FromCArgs),
}

pub(crate) fn run(args: LayoutArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(LayoutCommand::Check(a)) => check::run_check(a),
        Some(LayoutCommand::FromC(a)) => check::run_from_c(a),
        None => generate::run(args.generate),
    }
}
