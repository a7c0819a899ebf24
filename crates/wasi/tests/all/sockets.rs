//! `wasi:sockets`, denied: a guest importing it links and runs, and every
//! socket operation says no (inline WAT, and a module importing every
//! function of the package).

use std::path::PathBuf;

use wasmbed::{Guest, Limits, Val, World};
use wasmbed_wasi::Policy;
use wasmbed_wit::wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve, WorldId};

use super::{engine, E};

/// The vendored WIT with a world of our own beside it: all seven sockets
/// interfaces imported, and the exports the WAT below defines.
fn resolve(world: &str) -> (Resolve, WorldId) {
    let mut resolve = Resolve::default();
    resolve
        .push_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../wit"))
        .unwrap();
    let pkg = resolve
        .push_source(
            "sockets-test.wit",
            r#"package test:sockets;
world guest {
  import wasi:sockets/network@0.2.12;
  import wasi:sockets/instance-network@0.2.12;
  import wasi:sockets/udp@0.2.12;
  import wasi:sockets/udp-create-socket@0.2.12;
  import wasi:sockets/tcp@0.2.12;
  import wasi:sockets/tcp-create-socket@0.2.12;
  import wasi:sockets/ip-name-lookup@0.2.12;
  export network: func() -> u32;
  export drop-network-twice: func();
  export create-tcp: func(family: u32) -> u32;
  export create-udp: func(family: u32) -> u32;
  export resolve: func() -> u32;
  export tcp-finish-bind: func(socket: u32) -> u32;
  export tcp-is-listening: func(socket: u32) -> u32;
  export network-as-tcp: func() -> u32;
}
world imports {
  include wasi:sockets/imports@0.2.12;
}"#,
        )
        .unwrap();
    let id = resolve.select_world(&[pkg], Some(world)).unwrap();
    (resolve, id)
}

/// A `result<T, error-code>` the guest saw, as its exports return it:
/// the case (0 `ok`, 1 `err`) times 256 plus the payload's low byte.
fn err(code: u32) -> Val {
    Val::U32(0x100 | code)
}

/// `error-code::access-denied`.
const ACCESS_DENIED: u32 = 1;

/// `ip-address-family::ipv4` and `ipv6`.
const FAMILIES: [u32; 2] = [0, 1];

const GUEST: &str = r#"(module
  (import "wasi:sockets/instance-network@0.2.12" "instance-network" (func $network (result i32)))
  (import "wasi:sockets/network@0.2.12" "[resource-drop]network" (func $drop_network (param i32)))
  (import "wasi:sockets/tcp-create-socket@0.2.12" "create-tcp-socket" (func $create_tcp (param i32 i32)))
  (import "wasi:sockets/udp-create-socket@0.2.12" "create-udp-socket" (func $create_udp (param i32 i32)))
  (import "wasi:sockets/ip-name-lookup@0.2.12" "resolve-addresses"
    (func $resolve (param i32 i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.12" "[method]tcp-socket.finish-bind" (func $finish_bind (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.12" "[method]tcp-socket.is-listening"
    (func $is_listening (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "example.com")
  ;; The result at 256: its case, and the low byte of its payload at +4.
  (func $outcome (result i32)
    (i32.or (i32.shl (i32.load8_u (i32.const 256)) (i32.const 8)) (i32.load8_u (i32.const 260))))
  (func (export "network") (result i32) (local i32)
    (local.set 0 (call $network))
    (call $drop_network (local.get 0))
    (local.get 0))
  (func (export "drop-network-twice") (local i32)
    (local.set 0 (call $network))
    (call $drop_network (local.get 0))
    (call $drop_network (local.get 0)))
  (func (export "create-tcp") (param i32) (result i32)
    (call $create_tcp (local.get 0) (i32.const 256))
    (call $outcome))
  (func (export "create-udp") (param i32) (result i32)
    (call $create_udp (local.get 0) (i32.const 256))
    (call $outcome))
  (func (export "resolve") (result i32) (local i32)
    (local.set 0 (call $network))
    (call $resolve (local.get 0) (i32.const 64) (i32.const 11) (i32.const 256))
    (call $drop_network (local.get 0))
    (call $outcome))
  (func (export "tcp-finish-bind") (param i32) (result i32)
    (call $finish_bind (local.get 0) (i32.const 256))
    (call $outcome))
  (func (export "tcp-is-listening") (param i32) (result i32)
    (call $is_listening (local.get 0)))
  (func (export "network-as-tcp") (result i32)
    (call $finish_bind (call $network) (i32.const 256))
    (call $outcome)))"#;

/// The guest above, instantiated with a policy that grants nothing.
fn instance() -> wasmbed::Instance<E, wasmbed_wasi::WasiCtx> {
    let (resolve, world) = resolve("guest");
    let world = wasmbed_wit::world_from_resolve(&resolve, world).unwrap();
    let g = Guest::new(&engine(), &wat::parse_str(GUEST).unwrap(), world).unwrap();
    let ctx = Policy::new().build().unwrap();
    wasmbed_wasi::instantiate(&g, ctx, Limits::default()).unwrap()
}

/// Calls `name`, which must trap: its one-line message; the instance is poisoned.
fn trap(name: &str, args: &[Val]) -> String {
    let mut inst = instance();
    let e = inst.call(name, args).unwrap_err();
    let msg = e.to_string();
    assert!(e.is_trap(), "not a trap: {msg}");
    assert!(!msg.contains('\n'), "a message of one line: {msg:?}");
    assert!(inst.is_poisoned(), "{msg}");
    msg
}

#[test]
fn instance_network_gives_a_handle_the_guest_drops() {
    let mut inst = instance();
    for _ in 0..3 {
        let Some(Val::U32(_)) = inst.call("network", &[]).unwrap() else {
            panic!("`network` returns the handle it dropped")
        };
    }
    // The first drop took the handle out of the guest's table.
    let msg = trap("drop-network-twice", &[]);
    assert!(
        msg.contains("[resource-drop]network`: unknown resource handle "),
        "{msg}"
    );
}

#[test]
fn creating_a_socket_is_access_denied() {
    let mut inst = instance();
    for family in FAMILIES {
        for f in ["create-tcp", "create-udp"] {
            let got = inst.call(f, &[Val::U32(family)]).unwrap();
            assert_eq!(got, Some(err(ACCESS_DENIED)), "{f}({family})");
        }
    }
}

#[test]
fn resolving_a_name_is_access_denied() {
    let mut inst = instance();
    let got = inst.call("resolve", &[]).unwrap();
    assert_eq!(got, Some(err(ACCESS_DENIED)));
}

#[test]
fn a_method_on_a_forged_socket_handle_traps() {
    const FINISH_BIND: &str = "wasi:sockets/tcp@0.2#[method]tcp-socket.finish-bind";
    const IS_LISTENING: &str = "wasi:sockets/tcp@0.2#[method]tcp-socket.is-listening";
    for (f, func) in [
        ("tcp-finish-bind", FINISH_BIND),
        ("tcp-is-listening", IS_LISTENING),
    ] {
        for handle in [0, 1, 12345] {
            let msg = trap(f, &[Val::U32(handle)]);
            assert_eq!(
                msg,
                format!("guest trapped in `{func}`: unknown resource handle {handle}")
            );
        }
    }
    // A live handle of another resource is no socket either (each resource
    // type has its own handle table).
    let msg = trap("network-as-tcp", &[]);
    let unknown = format!("guest trapped in `{FINISH_BIND}`: unknown resource handle ");
    assert!(msg.starts_with(&unknown), "{msg}");
}

#[test]
fn every_sockets_function_links_under_either_name_scheme() {
    let (resolve, world) = resolve("imports");
    for mangling in [
        ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
        ManglingAndAbi::Standard32,
    ] {
        let wasm = wit_component::dummy_module(&resolve, world, mangling);
        let w: World = wasmbed_wit::world_from_resolve(&resolve, world).unwrap();
        let g = Guest::new(&engine(), &wasm, w).unwrap();
        let sockets = g
            .imports()
            .iter()
            .filter(|i| i.module.contains("wasi:sockets/"))
            .count();
        assert_eq!(sockets, 52 + 6, "{mangling:?}: every function and drop");
        // The world's interfaces use `wasi:clocks/monotonic-clock` for its
        // `duration`, so the module imports the clock too.
        let ctx = Policy::new().allow_clocks().build().unwrap();
        wasmbed_wasi::instantiate(&g, ctx, Limits::default())
            .unwrap_or_else(|e| panic!("{mangling:?}: {e}"));
    }
}
