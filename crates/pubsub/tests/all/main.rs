//! wasmbed-pubsub: guests and native code on one bus.

mod c_guests;
mod copies;
mod faults;
mod malicious;
mod properties;

use std::path::Path;

use wasmbed::{Guest, Instance, Limits, Linker, Wasmi, World};
use wasmbed_pubsub::{Broker, Bus, Grants, PubSubCtx, TopicConfig};

/// The host data of a test guest: its pub/sub context, nothing else.
pub(crate) struct Host {
    pub(crate) ps: PubSubCtx,
}

pub(crate) fn world() -> World {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/pubsub/pubsub.wit");
    wasmbed_wit::world_from_path(&wit, Some("participant")).expect("wit/pubsub/pubsub.wit loads")
}

pub(crate) fn linker() -> Linker<Host> {
    let mut linker = Linker::new();
    wasmbed_pubsub::add_to_linker(&mut linker, |h: &mut Host| &mut h.ps);
    linker
}

/// The core imports of `wasmbed:pubsub/broker` in WAT, with legacy names
/// (shared with the bench, `crates/bench/benches/pubsub.rs`).
pub(crate) const IMPORTS: &str = include_str!("../imports.wat");

/// A relay with no `cabi_realloc`: every sample on `in` goes out on `out`.
///
/// Storage is 1024 bytes at 1024; the return area is at 64; topic names at 16.
/// `init` fails with the error code (+1) of the first step that fails.
pub(crate) fn relay_wat(input: &str, output: &str) -> String {
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 16) "{input}")
  (data (i32.const 40) "{output}")
  (global $pub (mut i32) (i32.const 0))
  (global $sub (mut i32) (i32.const 0))
  (func $ok (param $what i32) (result i32)
    ;; result<_, error-code> or result<handle, error-code> at 64: 0 when ok.
    (if (i32.load8_u (i32.const 64)) (then (return (i32.add (i32.load8_u (i32.const 68)) (i32.const 1)))))
    (i32.const 0))
  (func (export "wasmbed:pubsub/task@0.1.0#init") (result i32)
    (call $add_storage (i32.const 1024) (i32.const 1024) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then (i32.store8 (i32.const 96) (i32.const 1))
      (i32.store8 (i32.const 97) (i32.load8_u (i32.const 65))) (return (i32.const 96))))
    (call $sub_open (i32.const 16) (i32.const {ilen}) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then (i32.store8 (i32.const 96) (i32.const 1))
      (i32.store8 (i32.const 97) (i32.load8_u (i32.const 68))) (return (i32.const 96))))
    (global.set $sub (i32.load (i32.const 68)))
    (call $pub_open (i32.const 40) (i32.const {olen}) (i32.const 64))
    (if (i32.load8_u (i32.const 64)) (then (i32.store8 (i32.const 96) (i32.const 1))
      (i32.store8 (i32.const 97) (i32.load8_u (i32.const 68))) (return (i32.const 96))))
    (global.set $pub (i32.load (i32.const 68)))
    (i32.store8 (i32.const 96) (i32.const 0))
    (i32.const 96))
  (func (export "wasmbed:pubsub/task@0.1.0#step") (param i64) (result i32)
    (local $s i32) (local $len i32) (local $l i32)
    (block $done (loop $next
      (call $receive (global.get $sub) (i32.const 64))
      ;; an error, or none: done
      (br_if $done (i32.load8_u (i32.const 64)))
      (br_if $done (i32.eqz (i32.load8_u (i32.const 68))))
      (local.set $s (i32.load (i32.const 72)))
      (local.set $len (call $sample_len (local.get $s)))
      (call $loan (global.get $pub) (local.get $len) (i32.const 64))
      (if (i32.eqz (i32.load8_u (i32.const 64))) (then
        (local.set $l (i32.load (i32.const 68)))
        (memory.copy (call $loan_address (local.get $l))
                     (call $sample_address (local.get $s)) (local.get $len))
        (call $publish (global.get $pub) (local.get $l) (local.get $len) (i32.const 64))))
      (call $sample_drop (local.get $s))
      (br $next)))
    (i32.const 1))
)"#,
        ilen = input.len(),
        olen = output.len(),
    )
}

pub(crate) fn guest(wat: &str) -> Guest<Wasmi> {
    let wasm = wat::parse_str(wat).expect("test WAT parses");
    Guest::new(&Wasmi::new(), &wasm, world()).expect("guest loads")
}

/// A guest instance on `broker` with `grants`, its participant ready.
pub(crate) fn instance(
    linker: &Linker<Host>,
    guest: &Guest<Wasmi>,
    broker: &Broker,
    grants: Grants,
) -> Instance<Wasmi, Host> {
    let ps = PubSubCtx::new(broker, grants);
    linker
        .instantiate(guest, Host { ps }, Limits::default())
        .expect("instantiates")
}

/// Adds the instance to the bus and runs its `init`, which must succeed.
pub(crate) fn join(bus: &mut Bus<Wasmi, Host>, inst: Instance<Wasmi, Host>) -> usize {
    let part = inst.data().ps.part();
    let i = bus.add(inst, part);
    bus.init(i).expect("init runs").expect("init succeeds");
    i
}

pub(crate) fn broker(topics: &[TopicConfig]) -> Broker {
    let b = Broker::new();
    for t in topics {
        b.add_topic(t.clone()).unwrap();
    }
    b
}

/// A guest whose `init` lends 1024 bytes at 1024 and runs `init`, and
/// whose `step` runs `step` (both WAT instructions, with `IMPORTS` in
/// scope). Topic names: "in" at 16, "out" at 40, "secret" at 48; the
/// return area is at 64; `step` leaves what it wants the test to see at 200.
pub(crate) fn rogue(init: &str, step: &str) -> String {
    format!(
        r#"(module {IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 16) "in")
  (data (i32.const 40) "out")
  (data (i32.const 48) "secret")
  (global $pub (mut i32) (i32.const 0))
  (global $sub (mut i32) (i32.const 0))
  (global $h (mut i32) (i32.const 0))
  (func (export "wasmbed:pubsub/task@0.1.0#init") (result i32)
    (call $add_storage (i32.const 1024) (i32.const 1024) (i32.const 64))
    {init}
    (i32.store8 (i32.const 96) (i32.const 0))
    (i32.const 96))
  (func (export "wasmbed:pubsub/task@0.1.0#step") (param $tick i64) (result i32)
    {step}
    (i32.const 1))
)"#
    )
}

/// WAT: opens a publisher on "out" into `$pub`.
pub(crate) const OPEN_OUT: &str =
    "(call $pub_open (i32.const 40) (i32.const 3) (i32.const 64)) (global.set $pub (i32.load (i32.const 68)))";

/// WAT: opens a subscriber on "in" into `$sub`.
pub(crate) const OPEN_IN: &str =
    "(call $sub_open (i32.const 16) (i32.const 2) (i32.const 64)) (global.set $sub (i32.load (i32.const 68)))";
