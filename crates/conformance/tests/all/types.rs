//! The `types` guest (wit-bindgen C): every WIT type kind through an export and an import, both runtimes.

use std::sync::Arc;

use wasmbed::{Engine, Guest, Limits, Val, Wamr, Wasmi};
use wasmbed_conformance::wasmbed_side::{call, plain_linker};
use wasmbed_conformance::{events, repo_path, types_host, Behaviour, Event, Log};
use wasmtime::Store;

use crate::{assert_same, export_calls, wasmtime_side};

const API: &str = "wasmbed:types/api@0.1.0";

fn b(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

fn s(x: &str) -> Val {
    Val::String(x.into())
}

fn point(x: i32, y: i32) -> Val {
    Val::Record(vec![Val::S32(x), Val::S32(y)])
}

/// Every export call of the run: `(function, arguments)`.
fn calls() -> Vec<(String, Vec<Val>)> {
    let mut out: Vec<(&str, Val)> = vec![];
    for x in [false, true] {
        out.push(("echo-bool", Val::Bool(x)));
    }
    for x in [0, 1, -1, i8::MIN, i8::MAX] {
        out.push(("echo-s8", Val::S8(x)));
    }
    for x in [0, 1, 0x80, u8::MAX] {
        out.push(("echo-u8", Val::U8(x)));
    }
    for x in [0, -1, i16::MIN, i16::MAX, 0x1234] {
        out.push(("echo-s16", Val::S16(x)));
    }
    for x in [0, 1, 0x8000, u16::MAX] {
        out.push(("echo-u16", Val::U16(x)));
    }
    for x in [0, -1, i32::MIN, i32::MAX, 0x1234_5678] {
        out.push(("echo-s32", Val::S32(x)));
    }
    for x in [0, 1, 0x8000_0000, u32::MAX] {
        out.push(("echo-u32", Val::U32(x)));
    }
    for x in [0, -1, i64::MIN, i64::MAX, 0x1234_5678_9abc_def0] {
        out.push(("echo-s64", Val::S64(x)));
    }
    for x in [0, 1, 1 << 63, u64::MAX] {
        out.push(("echo-u64", Val::U64(x)));
    }
    for x in [
        0.0,
        -0.0,
        1.5,
        f32::MIN_POSITIVE / 2.0,
        f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ] {
        out.push(("echo-f32", Val::F32(x)));
    }
    for x in [
        0.0,
        -0.0,
        -2.25,
        f64::MIN_POSITIVE / 2.0,
        f64::MAX,
        f64::INFINITY,
        f64::NAN,
    ] {
        out.push(("echo-f64", Val::F64(x)));
    }
    for x in ['a', 'Z', '\0', 'é', '\u{d7ff}', '\u{e000}', '🦀', char::MAX] {
        out.push(("echo-char", Val::Char(x)));
    }
    let long: String = "wörld 🦀 ".repeat(150);
    for x in ["", "a", "héllo wörld", "日本語", "🦀🦀", long.as_str()] {
        out.push(("echo-string", s(x)));
    }
    let bytes = |n: usize| Val::List((0..n).map(|i| Val::U8((i * 7) as u8)).collect());
    for n in [0, 1, 5, 1000] {
        out.push(("echo-bytes", bytes(n)));
    }
    let words = |n: u32| {
        Val::List(
            (0..n)
                .map(|i| Val::U32(i.wrapping_mul(2_654_435_761)))
                .collect(),
        )
    };
    for n in [0, 1, 3, 1000] {
        out.push(("echo-list", words(n)));
    }
    let strings = |xs: &[&str]| Val::List(xs.iter().map(|x| s(x)).collect());
    out.push(("echo-strings", strings(&[])));
    out.push(("echo-strings", strings(&["", "ab", "ü", "🦀x"])));
    let many: Vec<String> = (0..200).map(|i| format!("s{i}é")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    out.push(("echo-strings", strings(&many)));
    for (x, y) in [(0, 0), (1, -2), (i32::MIN, i32::MAX)] {
        out.push(("echo-point", point(x, y)));
    }
    let person = |name: &str, age: u8, tags: &[&str], home: Option<Val>| {
        Val::Record(vec![
            s(name),
            Val::U8(age),
            strings(tags),
            Val::Option(home.map(Box::new)),
        ])
    };
    out.push(("echo-person", person("", 0, &[], None)));
    out.push((
        "echo-person",
        person("Zoë", 41, &["a", "ß"], Some(point(3, -4))),
    ));
    out.push(("echo-person", person("x", 255, &["long tag ✓"; 20], None)));
    for (a, t, x) in [(0, "", 0.0), (7, "tüple", -1.25), (255, "z", f64::NAN)] {
        out.push((
            "echo-tuple",
            Val::Tuple(vec![Val::U8(a), s(t), Val::F64(x)]),
        ));
    }
    for v in [
        Val::Variant(0, b(Val::F32(2.5))),
        Val::Variant(0, b(Val::F32(-0.0))),
        Val::Variant(1, b(point(5, 6))),
        Val::Variant(2, None),
        Val::Variant(3, b(s("named ✓"))),
        Val::Variant(3, b(s(""))),
        Val::Variant(4, b(Val::U64(u64::MAX))),
    ] {
        out.push(("echo-shape", v));
    }
    for x in 0..3 {
        out.push(("echo-color", Val::Enum(x)));
    }
    for x in [0, 1, 0b101, 0b111] {
        out.push(("echo-perms", Val::Flags(x)));
    }
    for x in [0, 1, 0x200, 0x155, 0x3ff] {
        out.push(("echo-wide", Val::Flags(x)));
    }
    for x in [None, Some(""), Some("opt"), Some("ñ")] {
        out.push(("echo-option", Val::Option(x.map(|x| Box::new(s(x))))));
    }
    for r in [
        Ok(b(Val::U32(0))),
        Ok(b(Val::U32(u32::MAX))),
        Err(b(s(""))),
        Err(b(s("érr"))),
    ] {
        out.push(("echo-result", Val::Result(r)));
    }
    for r in [Ok(None), Err(b(Val::Enum(0))), Err(b(Val::Enum(2)))] {
        out.push(("echo-unit-result", Val::Result(r)));
    }
    let mut all: Vec<(String, Vec<Val>)> = out
        .into_iter()
        .map(|(f, v)| (format!("{API}#{f}"), vec![v]))
        .collect();
    for (i, text) in ["", "spilled ✓", &long].into_iter().enumerate() {
        let i = i as u8;
        all.push((format!("{API}#spill"), spill_args(i, text)));
    }
    for n in [0, 1, u32::MAX] {
        all.push(("tock".into(), vec![Val::U32(n)]));
    }
    all
}

fn spill_args(i: u8, text: &str) -> Vec<Val> {
    vec![
        Val::U8(200 + i),
        Val::S8(-5 - i as i8),
        Val::U16(60_000),
        Val::S16(-30_000),
        Val::U32(4_000_000_000),
        Val::S32(-2_000_000_000),
        Val::U64(u64::MAX - u64::from(i)),
        Val::S64(i64::MIN + 1),
        Val::F32(1.5 + f32::from(i)),
        Val::F64(-0.125),
        Val::Char(['x', 'ß', '🦀'][usize::from(i) % 3]),
        Val::Bool(i % 2 == 0),
        s(text),
        Val::List((0..u32::from(i) * 10).map(|x| Val::U8(x as u8)).collect()),
        point(-1, i32::from(i)),
    ]
}

fn run_wasmbed<E: Engine>(engine: &E, wasm: &[u8], calls: &[(String, Vec<Val>)]) -> Vec<Event> {
    let world = wasmbed_wit::world_from_module(wasm)
        .expect("component-type section reads")
        .expect("guest has a component-type section");
    let log = Log::default();
    let behaviour: Behaviour = Arc::new(types_host);
    let guest = Guest::new(engine, wasm, world.clone()).expect("guest loads");
    let mut inst = plain_linker(&world, &behaviour, &log)
        .instantiate(&guest, (), Limits::default())
        .expect("guest instantiates");
    for (f, args) in calls {
        call(&mut inst, f, args, &log);
    }
    events(&log)
}

fn run_wasmtime(wasm: &[u8], calls: &[(String, Vec<Val>)]) -> wasmtime::Result<Vec<Event>> {
    let world = wasmbed_wit::world_from_module(wasm)
        .expect("component-type section reads")
        .expect("guest has a component-type section");
    let log = Log::default();
    let behaviour: Behaviour = Arc::new(types_host);
    let (engine, component) = wasmtime_side::component(wasm)?;
    let linker = wasmtime_side::plain_linker(&engine, &world, &behaviour, &log)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component)?;
    for (f, args) in calls {
        wasmtime_side::call(&mut store, &instance, &world, f, args, &log)?;
    }
    Ok(events(&log))
}

#[test]
fn every_type_kind_crosses_both_ways_as_on_wasmtime() {
    let wasm =
        std::fs::read(repo_path("guests/types/types.wasm")).expect("guests/types/types.wasm");
    let calls = calls();
    let ours = run_wasmbed(&Wasmi::new(), &wasm, &calls);
    let wamr = run_wasmbed(&Wamr::new(), &wasm, &calls);
    let theirs = run_wasmtime(&wasm, &calls).expect("wasmtime runs the guest");
    assert_same("guests/types", &ours, &theirs);
    assert_same("guests/types (WAMR)", &wamr, &theirs);
    let failed = ours
        .iter()
        .filter(|e| matches!(e, Event::Export { result: None, .. }))
        .count();
    assert_eq!(failed, 0, "no export call fails");
    let n = export_calls(&ours);
    assert_eq!(n, calls.len());
    assert!(n >= 100);
    println!(
        "guests/types: {n} export calls and {} import calls identical on wasmbed and wasmtime",
        ours.len() - n
    );
}

/// The guest wrapped as a component by wit-component, then lowered back by
/// `wasmbed-lower` under both naming schemes: every call gives what
/// wasmtime gives running the component.
#[test]
fn the_guest_as_a_component_lowered_behaves_as_on_wasmtime() {
    let wasm =
        std::fs::read(repo_path("guests/types/types.wasm")).expect("guests/types/types.wasm");
    let component = crate::wasmtime_side::component_bytes(&wasm).unwrap();
    let calls = calls();
    let theirs = run_wasmtime(&wasm, &calls).expect("wasmtime runs the guest");
    for scheme in [wasmbed_lower::Scheme::Cm32p2, wasmbed_lower::Scheme::Legacy] {
        let lowered = wasmbed_lower::lower(&component, scheme).expect("the component lowers");
        let ours = run_wasmbed(&Wasmi::new(), &lowered, &calls);
        assert_same(
            &format!("guests/types lowered ({scheme:?})"),
            &ours,
            &theirs,
        );
        assert_eq!(export_calls(&ours), calls.len());
    }
    let lowered = wasmbed_lower::lower(&component, wasmbed_lower::Scheme::Cm32p2).unwrap();
    let wamr = run_wasmbed(&Wamr::new(), &lowered, &calls);
    assert_same("guests/types lowered, on WAMR", &wamr, &theirs);
}
