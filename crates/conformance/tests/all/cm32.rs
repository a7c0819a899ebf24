//! The hand-written `cm32p2` guest: names, spilled parameters both ways, post-return, initialization.

use std::sync::Arc;

use wasmbed::{Engine, Guest, Limits, Val, Wamr, Wasmi, World};
use wasmbed_conformance::wasmbed_side::{call, plain_linker};
use wasmbed_conformance::{calc_host, events, repo_path, Behaviour, Event, Log};
use wasmtime::{format_err, Store};

use crate::{assert_same, export_calls, wasmtime_side};

const API: &str = "wasmbed:cm32/api@0.1.0";

fn calls() -> Vec<(String, Vec<Val>)> {
    let mut out = vec![("count".to_string(), vec![])];
    let long = "ß🦀".repeat(500);
    for name in ["", "wasmbed", "wörld", "日本", long.as_str()] {
        out.push((format!("{API}#greet"), vec![Val::String(name.into())]));
        out.push(("count".into(), vec![]));
    }
    for seed in [0u32, 1, 0xdead_beef, u32::MAX] {
        let mut args: Vec<Val> = (0..16)
            .map(|i| Val::U32(seed.wrapping_mul(i + 1)))
            .collect();
        args.push(Val::S64(-(i64::from(seed)) - 1));
        out.push((format!("{API}#total"), args));
    }
    out
}

fn world() -> World {
    wasmbed_wit::world_from_path(&repo_path("guests/cm32/calc.wit"), Some("calc"))
        .expect("guests/cm32/calc.wit loads")
}

fn run_wasmbed<E: Engine>(engine: &E, wasm: &[u8], calls: &[(String, Vec<Val>)]) -> Vec<Event> {
    let world = world();
    let log = Log::default();
    let behaviour: Behaviour = Arc::new(calc_host);
    let guest = Guest::new(engine, wasm, world.clone()).expect("guest loads");
    let mut inst = plain_linker(&world, &behaviour, &log)
        .instantiate(&guest, (), Limits::default())
        .expect("guest instantiates");
    for (f, args) in calls {
        call(&mut inst, f, args, &log);
    }
    events(&log)
}

/// The core module with the world embedded, as `wasm-tools component embed` would.
fn embedded(wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
    let loaded = wasmbed_wit::load_path(&repo_path("guests/cm32/calc.wit"))
        .map_err(|e| format_err!("{e}"))?;
    let id = loaded
        .resolve
        .select_world(&[loaded.package], Some("calc"))
        .map_err(|e| format_err!("{e:#}"))?;
    let mut bytes = wasm.to_vec();
    wit_component::embed_component_metadata(
        &mut bytes,
        &loaded.resolve,
        id,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .map_err(|e| format_err!("{e:#}"))?;
    Ok(bytes)
}

fn run_wasmtime(wasm: &[u8], calls: &[(String, Vec<Val>)]) -> wasmtime::Result<Vec<Event>> {
    let world = world();
    let log = Log::default();
    let behaviour: Behaviour = Arc::new(calc_host);
    let (engine, component) = wasmtime_side::component(&embedded(wasm)?)?;
    let linker = wasmtime_side::plain_linker(&engine, &world, &behaviour, &log)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component)?;
    for (f, args) in calls {
        wasmtime_side::call(&mut store, &instance, &world, f, args, &log)?;
    }
    Ok(events(&log))
}

#[test]
fn cm32p2_guest_behaves_as_on_wasmtime() {
    let wasm = std::fs::read(repo_path("guests/cm32/calc.wasm")).expect("guests/cm32/calc.wasm");
    let calls = calls();
    let ours = run_wasmbed(&Wasmi::new(), &wasm, &calls);
    let wamr = run_wasmbed(&Wamr::new(), &wasm, &calls);
    let theirs = run_wasmtime(&wasm, &calls).expect("wasmtime runs the guest");
    assert_same("guests/cm32/calc", &ours, &theirs);
    assert_same("guests/cm32/calc (WAMR)", &wamr, &theirs);
    assert!(ours
        .iter()
        .all(|e| !matches!(e, Event::Export { result: None, .. })));
    // Initialization ran once, and each `greet` had its post-return.
    let counts: Vec<_> = ours
        .iter()
        .filter_map(|e| match e {
            Event::Export {
                func,
                result: Some(Some(Val::U32(n))),
            } if func == "count" => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(counts, [100, 101, 102, 103, 104, 105]);
    let n = export_calls(&ours);
    println!("guests/cm32/calc: {n} export calls identical on wasmbed and wasmtime");
}
