//! Guests that hand over bad values: each is a trap with a clear message, the
//! host keeps running, and the instance refuses every later call. (Out-of-bounds
//! strings are in `guards.rs`; handle misuse is in `resources.rs`.)

use wasmbed::{ErrorKind, Instance, Linker, Val};

use super::{instance, world, E};

const WIT: &str = "package test:evil;
interface host {
  ping: func() -> u32;
}
world evil {
  import host;
  export text: func() -> string;
  export pick: func() -> option<u32>;
  export echo: func(s: string) -> u32;
  export set-mode: func(m: u32);
}";

const WAT: &str = r#"(module
  (import "cm32p2|test:evil/host" "ping" (func $ping (result i32)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 200) "ok\ff\fe")
  (global $mode (mut i32) (i32.const 0))
  (func (export "cm32p2_realloc") (param i32 i32 i32 i32) (result i32)
    global.get $mode i32.const 1 i32.eq
    if (result i32) i32.const 0xffffff00
    else global.get $mode i32.const 2 i32.eq
      if (result i32) call $ping drop i32.const 1024
      else i32.const 1024 end
    end)
  (func (export "cm32p2||text") (result i32)
    i32.const 0 i32.const 200 i32.store
    i32.const 4 global.get $mode i32.const 3 i32.eq i32.const 2 i32.mul i32.const 2 i32.add i32.store
    i32.const 0)
  (func (export "cm32p2||pick") (result i32)
    i32.const 8 global.get $mode i32.store8
    i32.const 12 i32.const 99 i32.store
    i32.const 8)
  (func (export "cm32p2||echo") (param i32 i32) (result i32) local.get 1)
  (func (export "cm32p2||set-mode") (param i32) local.get 0 global.set $mode))"#;

fn evil() -> Instance<E> {
    let mut l = Linker::new();
    l.func("test:evil/host", "ping", |_, _| Ok(Some(Val::U32(1))));
    instance(WAT, world(WIT, "evil"), &l).unwrap()
}

/// Sets `mode`, calls `f`, and checks the trap message and the poisoning.
fn traps(mode: u32, f: &str, args: &[Val], message: &str) {
    let mut i = evil();
    i.call("set-mode", &[Val::U32(mode)]).unwrap();
    let err = i.call(f, args).unwrap_err();
    assert!(err.is_trap(), "{err}");
    assert_eq!(err.to_string(), message);
    assert!(i.is_poisoned());
    assert!(matches!(
        i.call("set-mode", &[Val::U32(0)]).unwrap_err().kind(),
        ErrorKind::Poisoned
    ));
    // The host goes on: a fresh instance works.
    assert_eq!(
        evil().call("echo", &[Val::String("fine".into())]).unwrap(),
        Some(Val::U32(4))
    );
}

#[test]
fn well_behaved_calls_work() {
    let mut i = evil();
    assert_eq!(i.call("text", &[]).unwrap(), Some(Val::String("ok".into())));
    assert_eq!(i.call("set-mode", &[Val::U32(1)]).unwrap(), None);
    assert_eq!(
        i.call("pick", &[]).unwrap(),
        Some(Val::Option(Some(Box::new(Val::U32(99)))))
    );
}

#[test]
fn invalid_utf8_in_a_returned_string() {
    traps(3, "text", &[], "guest trapped in `text`: invalid UTF-8 in `string` at 0xc8 (4 bytes): bad byte at offset 2");
}

#[test]
fn invalid_discriminant() {
    traps(
        5,
        "pick",
        &[],
        "guest trapped in `pick`: invalid discriminant 5 for `option` with 2 cases",
    );
}

#[test]
fn realloc_result_out_of_bounds() {
    traps(
        1,
        "echo",
        &[Val::String("hello".into())],
        "guest trapped in `echo`: `realloc` returned 0xffffff00 for 5 bytes aligned to 1, \
         which is misaligned or out of bounds of memory (65536 bytes)",
    );
}

#[test]
fn realloc_calling_back_into_the_host() {
    traps(
        2,
        "echo",
        &[Val::String("hello".into())],
        "guest trapped in `test:evil/host#ping`: import called from `realloc`",
    );
}
