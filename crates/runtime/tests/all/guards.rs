//! Poisoning after a trap, the start-function rule, fuel and memory limits, initialization.

use std::sync::{Arc, Mutex};

use wasmbed::{Engine, ErrorKind, Guest, Limits, Linker, TrapReason, Val};

use super::basic::{host, WIT};
use super::{engine, instance, metered, world, REALLOC};

const BAD_WIT: &str = "package test:bad;
world bad {
  export text: func() -> string;
  export spin: func();
  export ok: func() -> u32;
}";

fn bad_wat(text_ptr: i32, text_len: i32) -> String {
    format!(
        r#"(module
  (memory (export "cm32p2_memory") 1)
  {REALLOC}
  (func (export "cm32p2||text") (result i32)
    i32.const 0 i32.const {text_ptr} i32.store
    i32.const 4 i32.const {text_len} i32.store
    i32.const 0)
  (func (export "cm32p2||spin") (loop br 0))
  (func (export "cm32p2||ok") (result i32) i32.const 1))"#
    )
}

#[test]
fn a_trap_poisons_the_instance() {
    let mut inst = instance(&bad_wat(65530, 100), world(BAD_WIT, "bad"), &Linker::new()).unwrap();
    assert_eq!(inst.call("ok", &[]).unwrap(), Some(Val::U32(1)));
    let err = inst.call("text", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "guest trapped in `text`: `string` at 0xfffa (100 bytes) is out of bounds of memory (65536 bytes)"
    );
    assert!(inst.is_poisoned());
    let err = inst.call("ok", &[]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Poisoned), "{err}");
}

#[test]
fn fuel_stops_a_runaway_guest() {
    let engine = metered();
    let wasm = wat::parse_str(bad_wat(0, 0)).unwrap();
    let guest = Guest::new(&engine, &wasm, world(BAD_WIT, "bad")).unwrap();
    let limits = Limits {
        fuel: Some(100_000),
        ..Limits::default()
    };
    let mut inst = Linker::new().instantiate(&guest, (), limits).unwrap();
    let err = inst.call("spin", &[]).unwrap_err();
    match err.kind() {
        ErrorKind::Trap {
            reason: TrapReason::OutOfFuel,
            ..
        } => assert!(err.to_string().contains("all fuel consumed"), "{err}"),
        _ => panic!("{err}"),
    }
    assert!(inst.is_poisoned());
}

#[test]
fn memory_limit_is_enforced() {
    let engine = engine();
    let wasm = wat::parse_str(
        r#"(module (memory (export "cm32p2_memory") 4)
        (func (export "cm32p2||ok") (result i32) i32.const 1 memory.grow))"#,
    )
    .unwrap();
    let guest = Guest::new(&engine, &wasm, world(BAD_WIT, "bad")).unwrap();
    let small = Limits {
        max_memory_pages: 2,
        ..Limits::default()
    };
    assert!(
        Linker::new().instantiate(&guest, (), small).is_err(),
        "4 initial pages exceed 2"
    );
    let limits = Limits {
        max_memory_pages: 4,
        ..Limits::default()
    };
    let mut inst = Linker::new().instantiate(&guest, (), limits).unwrap();
    // memory.grow fails (-1) rather than passing the limit.
    assert_eq!(inst.call("ok", &[]).unwrap(), Some(Val::U32(u32::MAX)));
}

#[test]
fn imports_that_need_memory_trap_during_start() {
    let wat = format!(
        r#"(module
  (import "cm32p2|test:rt/host@0.1" "log" (func $log (param i32 i32)))
  (import "cm32p2|test:rt/host@0.1" "add" (func $add (param i32 i32) (result i32)))
  (memory (export "cm32p2_memory") 1)
  {REALLOC}
  (func $start i32.const 0 i32.const 0 call $log)
  (start $start))"#
    );
    let err = instance(
        &wat,
        world(WIT, "guest"),
        &host(Arc::new(Mutex::new(Vec::new()))),
    )
    .err()
    .unwrap();
    assert_eq!(err.to_string(), "guest trapped in `test:rt/host@0.1#log`: import that needs memory called during the `start` function");
    // A scalar import is fine during start.
    let wat = r#"(module
  (import "cm32p2|test:rt/host@0.1" "add" (func $add (param i32 i32) (result i32)))
  (func $start i32.const 1 i32.const 2 call $add drop)
  (start $start))"#;
    assert!(instance(
        wat,
        world(WIT, "guest"),
        &host(Arc::new(Mutex::new(Vec::new())))
    )
    .is_ok());
}

#[test]
fn initialize_runs_once_before_any_call() {
    let wat = r#"(module
  (global $n (mut i32) (i32.const 0))
  (func (export "cm32p2_initialize") global.get $n i32.const 1 i32.add global.set $n)
  (func (export "cm32p2||ok") (result i32) global.get $n))"#;
    let mut inst = instance(wat, world(BAD_WIT, "bad"), &Linker::new()).unwrap();
    assert_eq!(inst.call("ok", &[]).unwrap(), Some(Val::U32(1)));
    assert_eq!(inst.call("ok", &[]).unwrap(), Some(Val::U32(1)));
    let _ = engine().compile(&[]).is_err();
}

#[test]
fn a_host_function_can_end_the_guest_with_an_exit_status() {
    let wat = r#"(module
  (import "env" "exit" (func $exit (param i32)))
  (func (export "_start") i32.const 3 call $exit unreachable))"#;
    let mut l = Linker::new();
    l.core_func(
        "env",
        "exit",
        vec![wasmbed_abi::FlatType::I32],
        vec![],
        |_, args, _| match args {
            [wasmbed_abi::FlatVal::I32(code)] => Err(wasmbed::Error::exit(*code)),
            _ => Err(wasmbed::Error::host("bad arguments")),
        },
    );
    let mut inst = instance(wat, wasmbed::World::empty("none"), &l).unwrap();
    let err = inst.call_core("_start").unwrap_err();
    assert_eq!(err.exit_code(), Some(3));
    assert_eq!(err.to_string(), "guest exited with status 3");
    assert!(inst.is_poisoned(), "an exited instance runs no more code");
    assert!(matches!(
        inst.call_core("nope").unwrap_err().kind(),
        ErrorKind::UnknownExport(_)
    ));
}
