//! `wasmbed inspect`: what a guest is, imports and exports with their WIT types.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use anyhow::Result;
use clap::Args;
use wasmbed::{Guest, Wasmi};
use wasmbed_abi::names::Scheme;
use wasmbed_wit::world::{ImportTarget, Item};

use crate::guest::{read, WorldArgs};
use crate::wit_text;

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// The guest: a core module (`.wasm`, or `.wat` text).
    file: PathBuf,
    #[command(flatten)]
    world: WorldArgs,
}

pub(crate) fn run(args: InspectArgs) -> Result<ExitCode> {
    let (wasm, world) = read(&args.file, &args.world)?;
    let guest = Guest::new(&Wasmi::new(), &wasm, world)
        .with_context(|| format!("{}", args.file.display()))?;
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
    println!("{}", needs(&wasm)?);
    Ok(ExitCode::SUCCESS)
}

/// Memory 0's size and the tables' initial elements, as the module declares them.
fn needs(wasm: &[u8]) -> Result<String> {
    use wasmparser::{Parser, Payload, TypeRef};
    let mut memory = None;
    let (mut tables, mut elements) = (0u32, 0u64);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    match i?.ty {
                        TypeRef::Memory(m) => drop(memory.get_or_insert(m)),
                        TypeRef::Table(t) => {
                            (tables, elements) = (tables + 1, elements + t.initial)
                        }
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    memory.get_or_insert(m?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    (tables, elements) = (tables + 1, elements + t?.ty.initial);
                }
            }
            _ => {}
        }
    }
    let memory = match memory {
        None => "none".into(),
        Some(m) => {
            let max = m
                .maximum
                .map_or("no maximum".into(), |m| format!("{m} maximum"));
            match m.page_size_log2 {
                None | Some(16) => format!("{} page(s) initial, {max}", m.initial),
                Some(log2) => format!(
                    "{} page(s) of {} byte(s) initial, {max}",
                    m.initial,
                    1u64 << log2.min(63)
                ),
            }
        }
    };
    Ok(format!(
        "memory: {memory}; tables: {tables} ({elements} elements)"
    ))
}
