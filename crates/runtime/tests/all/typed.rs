//! Typed host functions: checked once at link time, no `Val`s per call.

use std::sync::{Arc, Mutex};

use wasmbed::{ErrorKind, GuestBytes, GuestStr, HostCx, Linker, Val};

use super::{instance, world, REALLOC};

const WIT: &str = "package test:typed;
interface host {
  add: func(a: u32, b: u32) -> u32;
  log: func(msg: string);
  sum: func(data: list<u8>) -> u64;
}
world w {
  import host;
  export go: func(which: u32) -> u64;
}";

/// `go(0)`: add(40, 2); `go(1)`: log a valid string; `go(2)`: sum of 4 bytes; `go(3)`: log bad UTF-8.
fn wat() -> String {
    format!(
        r#"(module
  (import "cm32p2|test:typed/host" "add" (func $add (param i32 i32) (result i32)))
  (import "cm32p2|test:typed/host" "log" (func $log (param i32 i32)))
  (import "cm32p2|test:typed/host" "sum" (func $sum (param i32 i32) (result i64)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 100) "h\c3\a9llo\ff\fe")
  {REALLOC}
  (func (export "cm32p2||go") (param i32) (result i64)
    local.get 0 i32.const 0 i32.eq
    if (result i64) i32.const 40 i32.const 2 call $add i64.extend_i32_u
    else local.get 0 i32.const 1 i32.eq
      if (result i64) i32.const 100 i32.const 6 call $log i64.const 0
      else local.get 0 i32.const 2 i32.eq
        if (result i64) i32.const 100 i32.const 4 call $sum
        else i32.const 104 i32.const 3 call $log i64.const 0 end
      end
    end))"#
    )
}

fn linker(log: Arc<Mutex<Vec<String>>>) -> Linker {
    let mut l = Linker::new();
    l.func_wrap(
        "test:typed/host",
        "add",
        |_: &mut HostCx<'_>, a: u32, b: u32| a + b,
    )
    .func_wrap(
        "test:typed/host",
        "log",
        move |cx: &mut HostCx<'_>, s: GuestStr| {
            log.lock().unwrap().push(cx.guest_str(s)?.to_owned());
            Ok::<(), wasmbed::Error>(())
        },
    )
    .func_wrap(
        "test:typed/host",
        "sum",
        |cx: &mut HostCx<'_>, b: GuestBytes| {
            Ok::<u64, wasmbed::Error>(cx.guest_bytes(b)?.iter().map(|x| u64::from(*x)).sum())
        },
    );
    l
}

#[test]
fn typed_functions_read_guest_memory_in_place() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut inst = instance(&wat(), world(WIT, "w"), &linker(log.clone())).unwrap();
    assert_eq!(inst.call("go", &[Val::U32(0)]).unwrap(), Some(Val::U64(42)));
    assert_eq!(inst.call("go", &[Val::U32(1)]).unwrap(), Some(Val::U64(0)));
    assert_eq!(log.lock().unwrap().as_slice(), ["héllo"]);
    let want: u64 = "hél".bytes().map(u64::from).sum();
    assert_eq!(
        inst.call("go", &[Val::U32(2)]).unwrap(),
        Some(Val::U64(want))
    );
}

#[test]
fn invalid_utf8_traps_on_entry() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut inst = instance(&wat(), world(WIT, "w"), &linker(log.clone())).unwrap();
    let err = inst.call("go", &[Val::U32(3)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "guest trapped in `test:typed/host#log`: invalid UTF-8 in `string` at 0x68 (3 bytes): bad byte at offset 2"
    );
    assert!(
        log.lock().unwrap().is_empty(),
        "the host function never ran"
    );
    assert!(matches!(
        inst.call("go", &[Val::U32(0)]).unwrap_err().kind(),
        ErrorKind::Poisoned
    ));
}

#[test]
fn a_typed_function_of_the_wrong_type_is_a_link_error() {
    let mut l = linker(Arc::new(Mutex::new(Vec::new())));
    l.func_wrap("test:typed/host", "add", |_: &mut HostCx<'_>, a: u64| a);
    let err = instance(&wat(), world(WIT, "w"), &l).err().unwrap();
    assert_eq!(
        err.to_string(),
        "import `test:typed/host#add`: the host's typed implementation does not match the world's type"
    );
}

#[test]
fn typed_exports_are_checked_once_and_called_with_scalars() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut inst = instance(&wat(), world(WIT, "w"), &linker(log)).unwrap();
    let go = inst.typed::<(u32,), u64>("go").unwrap();
    assert_eq!(go.call(&mut inst, (0,)).unwrap(), 42);
    assert_eq!(
        go.call(&mut inst, (2,)).unwrap(),
        "hél".bytes().map(u64::from).sum::<u64>()
    );
    let wrong = inst.typed::<(u32,), u32>("go").err().unwrap();
    assert_eq!(
        wrong.to_string(),
        "bad arguments: export `go` does not have the requested typed signature: result: expected u32, found `u64`"
    );
    assert!(inst.typed::<(), ()>("nope").is_err());
    // A trap through a typed call poisons the instance like any other.
    assert!(go.call(&mut inst, (3,)).unwrap_err().is_trap());
    assert!(matches!(
        go.call(&mut inst, (0,)).unwrap_err().kind(),
        ErrorKind::Poisoned
    ));
}
