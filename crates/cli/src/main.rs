//! The `wasmbed` command.
//!
//! Every failure prints one line, `error: …`, naming what went wrong and
//! where, and exits with status 1; never a backtrace.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod guest;
mod inspect;
mod layout;
mod run;
mod wasi_args;
mod wave;
mod wit_text;

#[derive(Parser)]
#[command(
    name = "wasmbed",
    version,
    about = "WIT-defined WebAssembly on embeddable core engines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a guest and calls one of its exports.
    Run(run::RunArgs),
    /// Shows a guest's naming scheme, world, imports and exports with their WIT types.
    Inspect(inspect::InspectArgs),
    /// Struct layouts that are the same bytes on every architecture.
    Layout(layout::LayoutArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Layout(args) => layout::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // `{:#}` keeps anyhow's context chain on one line.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
