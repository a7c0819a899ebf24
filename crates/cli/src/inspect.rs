//! `wasmbed inspect`: what a guest is, imports and exports with their WIT types.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use wasmbed::Wasmi;
use wasmbed_abi::names::Scheme;
use wasmbed_wit::world::{ImportTarget, Item};

use crate::guest::{load, WorldArgs};
use crate::wit_text;

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// The guest: a core module (`.wasm`, or `.wat` text).
    file: PathBuf,
    #[command(flatten)]
    world: WorldArgs,
}

pub(crate) fn run(args: InspectArgs) -> Result<ExitCode> {
    let guest = load(&args.file, &args.world, &Wasmi::new())?;
    let world = guest.world();
    println!("file:   {}", args.file.display());
    println!(
        "naming: {}",
        match guest.scheme() {
            Scheme::Cm32p2 => "cm32p2 (core module build target)",
            Scheme::Legacy => "legacy (wit-bindgen names)",
        }
    );
    println!("world:  {}", world.name);
    println!("imports:");
    for i in guest.imports() {
        let what = match i.target {
            Some(ImportTarget::Func { item, func }) => {
                let f = world.import_func(item, func);
                let iface = match &world.imports[item] {
                    Item::Interface(i) => format!("{}#", i.name.as_str()),
                    Item::Function(_) => String::new(),
                };
                f.map(|f| format!("{iface}{}: {}", f.name, wit_text::func(world, &f.ty)))
            }
            Some(ImportTarget::ResourceDrop(r)) => world
                .resources
                .get(r.0 as usize)
                .map(|r| format!("drop of resource `{}`", r.name)),
            Some(ImportTarget::Intrinsic(r, w)) => world
                .resources
                .get(r.0 as usize)
                .map(|r| format!("{w:?} of exported resource `{}`", r.name).to_lowercase()),
            None => Some("outside the world (a host module must provide it)".into()),
        };
        println!(
            "  {:<40} {}",
            format!("{} {}", i.module, i.name),
            what.unwrap_or_default()
        );
    }
    println!("exports:");
    for (item, func, core) in guest.exported_funcs() {
        if let (Some(f), Some(export)) = (world.export_func(item, func), world.exports.get(item)) {
            let iface = match export {
                Item::Interface(i) => format!("{}#", i.name.as_str()),
                Item::Function(_) => String::new(),
            };
            println!(
                "  {:<40} {iface}{}: {}",
                core,
                f.name,
                wit_text::func(world, &f.ty)
            );
        }
    }
    let n = guest.needs();
    let max = n
        .max_pages
        .map_or("no maximum".into(), |m| format!("{m} maximum"));
    let memory = match n.page_size_log2 {
        None | Some(16) => format!("{} page(s) initial, {max}", n.min_pages),
        Some(log2) => format!(
            "{} page(s) of {} byte(s) initial, {max}",
            n.min_pages,
            1u64 << log2.min(63)
        ),
    };
    println!(
        "memory: {memory}; tables: {} ({} elements)",
        n.tables, n.table_elements
    );
    Ok(ExitCode::SUCCESS)
}
