//! A guest that hands the threads host bad pointers, bad text and bad
//! lengths: each is a trap with a clear message that poisons the instance,
//! never a host panic or an access outside its memory.

use std::path::Path;

use wasmbed::{Guest, Instance, Limits, Linker, Val, Wasmi};
use wasmbed_threads::{Grants, Threads, ThreadsCtx};
use wasmbed_wit::wit_parser::Resolve;

const WIT: &str = "package test:bad;
world bad {
  import wasmbed:threads/threads@0.1.0;
  import wasmbed:threads/sync@0.1.0;
  export open-q: func() -> u32;
  export receive: func(q: u32, address: u32, capacity: u32) -> u32;
  export spawn-raw: func(name: u32, len: u32) -> u32;
  export send-raw: func(q: u32, address: u32, len: u32) -> u32;
}";

/// Core calls with whatever numbers the test gives. The return area is at 64,
/// the name "q" at 16, invalid UTF-8 at 32.
const WAT: &str = r#"(module
  (import "wasmbed:threads/sync@0.1.0" "[static]channel.open"
    (func $open (param i32 i32 i32 i32 i32)))
  (import "wasmbed:threads/sync@0.1.0" "[method]channel.receive"
    (func $receive (param i32 i32 i32 i32 i64 i32)))
  (import "wasmbed:threads/sync@0.1.0" "[method]channel.send"
    (func $send (param i32 i32 i32 i32 i64 i32)))
  (import "wasmbed:threads/threads@0.1.0" "spawn"
    (func $spawn (param i32 i32 i64 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "q")
  (data (i32.const 32) "\ff\fe")
  (func (export "open-q") (result i32)
    (call $open (i32.const 16) (i32.const 1) (i32.const 4) (i32.const 8) (i32.const 64))
    (i32.load (i32.const 68)))
  (func (export "receive") (param $q i32) (param $at i32) (param $cap i32) (result i32)
    (call $receive (local.get $q) (local.get $at) (local.get $cap) (i32.const 1) (i64.const 0) (i32.const 64))
    (i32.load8_u (i32.const 64)))
  (func (export "spawn-raw") (param $p i32) (param $l i32) (result i32)
    (call $spawn (local.get $p) (local.get $l) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 64))
    (i32.load8_u (i32.const 64)))
  (func (export "send-raw") (param $q i32) (param $p i32) (param $l i32) (result i32)
    (call $send (local.get $q) (local.get $p) (local.get $l) (i32.const 1) (i64.const 0) (i32.const 64))
    (i32.load8_u (i32.const 64))))"#;

struct Host {
    threads: ThreadsCtx,
}

fn instance() -> Instance<Wasmi, Host> {
    let mut r = Resolve::default();
    r.push_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/threads"))
        .unwrap();
    let pkg = r.push_str("bad.wit", WIT).unwrap();
    let world =
        wasmbed_wit::world_from_resolve(&r, r.select_world(&[pkg], Some("bad")).unwrap()).unwrap();
    let guest = Guest::new(&Wasmi::new(), &wat::parse_str(WAT).unwrap(), world).unwrap();
    let mut l = Linker::new();
    wasmbed_threads::add_to_linker(&mut l, |h: &mut Host| &mut h.threads);
    let threads = Threads::new(Grants::threads(1));
    l.instantiate(
        &guest,
        Host {
            threads: threads.main(),
        },
        Limits::default(),
    )
    .unwrap()
}

/// Opens channel "q": its handle.
fn open_q(inst: &mut Instance<Wasmi, Host>) -> u32 {
    match inst.call("open-q", &[]).unwrap() {
        Some(Val::U32(q)) => q,
        other => panic!("open-q: {other:?}"),
    }
}

fn u32s(args: &[u32]) -> Vec<Val> {
    args.iter().map(|&a| Val::U32(a)).collect()
}

/// Calls `f`, expects a trap whose message has `says`, then finds the instance poisoned.
fn traps(inst: &mut Instance<Wasmi, Host>, f: &str, args: &[u32], says: &str) {
    let e = inst.call(f, &u32s(args)).unwrap_err().to_string();
    assert!(e.contains(says), "{f}{args:?}: {e}");
    let again = inst.call("open-q", &[]).unwrap_err().to_string();
    assert!(again.contains("trapped earlier"), "{again}");
}

#[test]
fn a_receive_buffer_outside_memory_traps() {
    for (at, cap) in [(65_530, 64), (u32::MAX - 3, 8), (8, u32::MAX)] {
        let mut inst = instance();
        let q = open_q(&mut inst);
        // A message waits, so the host reaches the copy.
        assert_eq!(
            inst.call("send-raw", &u32s(&[q, 16, 1])).unwrap(),
            Some(Val::U32(0))
        );
        traps(&mut inst, "receive", &[q, at, cap], "outside linear memory");
    }
}

#[test]
fn a_good_receive_copies_the_message() {
    let mut inst = instance();
    let q = open_q(&mut inst);
    assert_eq!(
        inst.call("send-raw", &u32s(&[q, 16, 1])).unwrap(),
        Some(Val::U32(0))
    );
    assert_eq!(
        inst.call("receive", &u32s(&[q, 200, 8])).unwrap(),
        Some(Val::U32(0))
    );
    assert_eq!(inst.memory()[200], b'q');
}

#[test]
fn a_name_that_is_not_utf8_traps() {
    traps(&mut instance(), "spawn-raw", &[32, 2], "UTF-8");
}

#[test]
fn a_name_or_message_outside_memory_traps() {
    traps(&mut instance(), "spawn-raw", &[65_535, 2], "out of bounds");
    let mut inst = instance();
    let q = open_q(&mut inst);
    traps(&mut inst, "send-raw", &[q, 65_000, 1000], "out of bounds");
}

#[test]
fn a_forged_handle_traps() {
    let mut inst = instance();
    traps(&mut inst, "receive", &[7, 200, 8], "handle");
}
