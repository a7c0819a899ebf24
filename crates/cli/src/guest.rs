//! Reading a guest and its world from the command line's arguments.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use wasmbed::{Engine, Guest, World};

/// Where the world comes from.
#[derive(clap::Args)]
pub(crate) struct WorldArgs {
    /// WIT file or directory with the world (default: the module's `component-type` section).
    #[arg(long)]
    pub(crate) wit: Option<PathBuf>,
    /// The world to use, when the WIT has several.
    #[arg(long)]
    pub(crate) world: Option<String>,
}

/// A core module's bytes, from `.wasm` or `.wat`; a component is lowered
/// into one (cm32p2 names, its WIT in a `component-type` section).
pub(crate) fn module_bytes(file: &Path) -> Result<Vec<u8>> {
    let wasm = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let wasm = if file.extension().is_some_and(|e| e == "wat") {
        wat::parse_bytes(&wasm)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("{}", file.display()))?
            .into_owned()
    } else {
        wasm
    };
    if wasmbed_lower::is_component(&wasm) {
        return wasmbed_lower::lower(&wasm, wasmbed_lower::Scheme::Cm32p2)
            .with_context(|| format!("{}: lowering the component", file.display()));
    }
    Ok(wasm)
}

/// The module's bytes and its world.
pub(crate) fn read(file: &Path, args: &WorldArgs) -> Result<(Vec<u8>, World)> {
    let wasm = module_bytes(file)?;
    let world = match &args.wit {
        Some(wit) => wasmbed_wit::world_from_path(wit, args.world.as_deref())?,
        None => match wasmbed_wit::world_from_module(&wasm)
            .with_context(|| format!("{}", file.display()))?
        {
            Some(w) => w,
            None => bail!(
                "{}: no `component-type` section to read the world from; pass --wit",
                file.display()
            ),
        },
    };
    Ok((wasm, world))
}

/// The module checked against its world.
pub(crate) fn load<E: Engine>(file: &Path, args: &WorldArgs, engine: &E) -> Result<Guest<E>> {
    let (wasm, world) = read(file, args)?;
    Guest::new(engine, &wasm, world).with_context(|| format!("{}", file.display()))
}
