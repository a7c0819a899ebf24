//! Calls both ways through a `cm32p2` guest: scalars, strings, spilled results, realloc.

use std::sync::{Arc, Mutex};

use wasmbed::{Linker, Val};

use super::{instance, world, REALLOC};

pub(crate) const WIT: &str = "package test:rt@0.1.0;
interface host {
  log: func(msg: string);
  add: func(a: u32, b: u32) -> u32;
  greet: func(name: string) -> string;
}
interface api {
  run: func(input: string) -> string;
  sum: func(a: u32, b: u32) -> u32;
}
world guest {
  import host;
  export api;
  export version: func() -> u32;
}";

pub(crate) fn wat() -> String {
    format!(
        r#"(module
  (import "cm32p2|test:rt/host@0.1" "log" (func $log (param i32 i32)))
  (import "cm32p2|test:rt/host@0.1" "add" (func $add (param i32 i32) (result i32)))
  (import "cm32p2|test:rt/host@0.1" "greet" (func $greet (param i32 i32 i32)))
  (memory (export "cm32p2_memory") 1)
  {REALLOC}
  (func (export "cm32p2|test:rt/api@0.1|run") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $log
    local.get 0 local.get 1 i32.const 16 call $greet
    i32.const 16)
  (func (export "cm32p2|test:rt/api@0.1|sum") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $add)
  (func (export "cm32p2||version") (result i32) i32.const 7)
)"#
    )
}

pub(crate) fn host(log: Arc<Mutex<Vec<String>>>) -> Linker {
    let mut linker = Linker::new();
    linker
        .func("test:rt/host@0.1.0", "log", move |_, args| {
            if let [Val::String(s)] = args {
                log.lock().unwrap().push(s.clone());
            }
            Ok(None)
        })
        .func("test:rt/host@0.1.0", "add", |_, args| match args {
            [Val::U32(a), Val::U32(b)] => Ok(Some(Val::U32(a.wrapping_add(*b)))),
            _ => Err(wasmbed::Error::host("bad arguments")),
        })
        .func("test:rt/host@0.1.0", "greet", |_, args| match args {
            [Val::String(s)] => Ok(Some(Val::String(format!("hello, {s}")))),
            _ => Err(wasmbed::Error::host("bad arguments")),
        });
    linker
}

#[test]
fn exports_and_imports_carry_values_both_ways() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut inst = instance(&wat(), world(WIT, "guest"), &host(log.clone())).unwrap();
    assert_eq!(inst.call("version", &[]).unwrap(), Some(Val::U32(7)));
    assert_eq!(
        inst.call("test:rt/api@0.1.0#sum", &[Val::U32(40), Val::U32(2)])
            .unwrap(),
        Some(Val::U32(42))
    );
    let out = inst
        .call("test:rt/api@0.1.0#run", &[Val::String("wörld".into())])
        .unwrap();
    assert_eq!(out, Some(Val::String("hello, wörld".into())));
    assert_eq!(log.lock().unwrap().as_slice(), ["wörld"]);
    // Exports may be called repeatedly and in any order.
    for i in 0..50u32 {
        let r = inst
            .call("test:rt/api@0.1.0#sum", &[Val::U32(i), Val::U32(1)])
            .unwrap();
        assert_eq!(r, Some(Val::U32(i + 1)));
    }
}

#[test]
fn semver_compatible_names_find_the_export() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut inst = instance(&wat(), world(WIT, "guest"), &host(log)).unwrap();
    let r = inst
        .call("test:rt/api@0.1.9#sum", &[Val::U32(1), Val::U32(1)])
        .unwrap();
    assert_eq!(r, Some(Val::U32(2)));
    let err = inst
        .call("test:rt/api@0.2.0#sum", &[Val::U32(1), Val::U32(1)])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no export `test:rt/api@0.2.0#sum` in the world"
    );
    let err = inst.call("version", &[Val::U32(1)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad arguments: `version` takes 0 arguments, 1 given"
    );
    let err = inst
        .call(
            "test:rt/api@0.1.0#sum",
            &[Val::U32(1), Val::String("x".into())],
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad arguments: `test:rt/api@0.1.0#sum`: an argument is not a `u32`"
    );
    // Host mistakes do not poison the instance.
    assert!(!inst.is_poisoned());
    assert_eq!(inst.call("version", &[]).unwrap(), Some(Val::U32(7)));
}
