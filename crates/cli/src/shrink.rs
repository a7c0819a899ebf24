//! `wasmbed shrink`: a core module's memory fixed at what it uses, in 1-byte
//! pages, so a small guest costs a device a few KB of RAM instead of 64 KiB pages.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use wasmbed_shrink::{shrink, Options};

#[derive(Args)]
pub(crate) struct ShrinkArgs {
    /// The core module (`.wasm`) to shrink; it must never execute `memory.grow` or `memory.size`.
    file: PathBuf,
    /// Where to write the shrunk module.
    #[arg(short, long)]
    output: PathBuf,
    /// The stack's size in bytes (rounded up to 16); default: the linker's.
    /// A module without `__stack_pointer` needs it: the bytes it uses beyond its static data.
    #[arg(long, value_name = "BYTES")]
    stack: Option<u32>,
}

pub(crate) fn run(args: ShrinkArgs) -> Result<ExitCode> {
    let input = args.file.display();
    let wasm = std::fs::read(&args.file).with_context(|| format!("{input}"))?;
    let shrunk =
        shrink(&wasm, &Options { stack: args.stack }).with_context(|| format!("{input}"))?;
    std::fs::write(&args.output, &shrunk.wasm)
        .with_context(|| format!("{}", args.output.display()))?;
    let r = &shrunk.report;
    println!(
        "{}: linear memory {} -> {} bytes (static data to {}, stack {}), page size 1",
        args.output.display(),
        r.memory_before,
        r.memory_after,
        r.data_end,
        r.stack
    );
    match r.check {
        Some(f) => println!(
            "stack check: function {f} traps on overflow; {} function(s) set the stack pointer through it",
            r.checked_functions
        ),
        None => println!("stack check: none (no function sets a stack pointer)"),
    }
    for name in &r.dropped {
        println!("dropped custom section `{name}` (it addresses the code that changed)");
    }
    Ok(ExitCode::SUCCESS)
}
