//! `wasmbed world compile`: a world in the compact binary form a device
//! decodes without parsing WIT (`wasmbed_wit::compact`, `docs/world-format.md`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use wasmbed_wit::compact;
use wasmbed_wit::world::{Item, World};

#[derive(Args)]
pub(crate) struct WorldArgs {
    #[command(subcommand)]
    command: WorldCommand,
}

#[derive(Subcommand)]
enum WorldCommand {
    /// Writes a world in the compact binary form a no_std device decodes.
    Compile(CompileArgs),
}

#[derive(Args)]
struct CompileArgs {
    /// A WIT file or directory, or a core module (`.wasm`, `.wat`) with a `component-type` section.
    input: PathBuf,
    /// The world to compile, when the WIT has several.
    #[arg(long)]
    world: Option<String>,
    /// Where to write the compact world.
    #[arg(short, long)]
    output: PathBuf,
}

pub(crate) fn run(args: WorldArgs) -> Result<ExitCode> {
    match args.command {
        WorldCommand::Compile(a) => compile(a),
    }
}

fn compile(args: CompileArgs) -> Result<ExitCode> {
    let world = read(&args.input, args.world.as_deref())?;
    let bytes = compact::encode(&world);
    // What the device will see: a world that does not come back equal is a bug here.
    match compact::decode(&bytes) {
        Ok(back) if back == world => {}
        Ok(_) => bail!("world `{}` does not survive its compact form", world.name),
        Err(e) => bail!(
            "world `{}` does not survive its compact form: {e}",
            world.name
        ),
    }
    std::fs::write(&args.output, &bytes).with_context(|| format!("{}", args.output.display()))?;
    let functions: usize = [&world.imports, &world.exports]
        .into_iter()
        .flatten()
        .map(|i| match i {
            Item::Function(_) => 1,
            Item::Interface(i) => i.functions.len(),
        })
        .sum();
    println!(
        "{}: world `{}`, {} bytes ({} imports, {} exports, {functions} functions, {} resources)",
        args.output.display(),
        world.name,
        bytes.len(),
        world.imports.len(),
        world.exports.len(),
        world.resources.len(),
    );
    Ok(ExitCode::SUCCESS)
}

/// The world of `input`: WIT (a `.wit` file or a directory), or a module's `component-type` section.
fn read(input: &Path, world: Option<&str>) -> Result<World> {
    let shown = input.display();
    let is_wit = input.is_dir() || input.extension().is_some_and(|e| e == "wit");
    if is_wit {
        return wasmbed_wit::world_from_path(input, world)
            .map_err(|e| anyhow::anyhow!("{}", one_line(&e.to_string())))
            .with_context(|| format!("{shown}"));
    }
    let bytes = std::fs::read(input).with_context(|| format!("{shown}"))?;
    let wasm = if input.extension().is_some_and(|e| e == "wat") {
        wat::parse_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{}", one_line(&e.to_string())))
            .with_context(|| format!("{shown}"))?
            .into_owned()
    } else {
        bytes
    };
    if world.is_some() {
        bail!("{shown}: --world names a world of WIT; a module carries one world");
    }
    match wasmbed_wit::world_from_module(&wasm).with_context(|| format!("{shown}"))? {
        Some(w) => Ok(w),
        None => bail!("{shown}: no `component-type` section to read the world from"),
    }
}

/// A parser's message on one line: the message and its location, without the source excerpt.
fn one_line(msg: &str) -> String {
    msg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.contains(" | ") && *l != "|")
        .map(|l| l.trim_start_matches("--> "))
        .collect::<Vec<_>>()
        .join(" ")
}
