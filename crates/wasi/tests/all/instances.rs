//! One linker, built once, serves many instances: each finds its own `WasiCtx`
//! in its host data, and a grant the linker gives is still refused to an
//! instance whose own policy denies it.

use wasmbed::{Guest, Limits, Linker, Val, World};
use wasmbed_wasi::{Capture, Grants, Policy, WasiCtx};

use super::engine;
use crate::harness::{guests, wit_world};

/// Instances made from the one linker.
const INSTANCES: usize = 128;

/// Host data with more in it than WASI's context, as an application's would be.
struct Host {
    id: usize,
    wasi: WasiCtx,
}

#[test]
fn one_linker_serves_many_instances_each_with_its_own_context() {
    let wasm = std::fs::read(guests().join("args_env.wasm")).unwrap();
    let guest = Guest::new(&engine(), &wasm, World::empty("args_env")).unwrap();
    let mut linker = Linker::<Host>::new();
    wasmbed_wasi::add_preview1_to_linker(&mut linker, Grants::default(), |h| &mut h.wasi);
    let pre = linker.instantiate_pre(&guest).unwrap();

    // Every instance is alive before any runs, and they run in reverse order.
    let mut live = Vec::new();
    for id in 0..INSTANCES {
        let out = Capture::new();
        let wasi = Policy::new()
            .arg("args_env")
            .arg(&format!("guest-{id}"))
            .env("WASMBED_GREETING", &format!("hello {id}"))
            .stdout(out.clone())
            .build()
            .unwrap();
        let instance = pre
            .instantiate(Host { id, wasi }, Limits::default())
            .unwrap();
        live.push((instance, out));
    }
    for (id, (mut instance, out)) in live.into_iter().enumerate().rev() {
        match instance.call_core("_start") {
            Ok(()) => {}
            Err(e) => assert_eq!(e.exit_code(), Some(0), "instance {id}: {e}"),
        }
        let expect = format!(
            "argc=2\narg[1]=guest-{id}\nenv WASMBED_GREETING=hello {id}\ngetenv=hello {id}\n"
        );
        assert_eq!(String::from_utf8(out.contents()).unwrap(), expect);
        let host = instance.into_data();
        assert_eq!(host.id, id);
        assert_eq!(host.wasi.open_fds(), 1, "only stdout is granted");
    }
}

/// `_start` exits with the errno of `clock_time_get`.
const CLOCK_P1: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (call $time (i32.const 0) (i64.const 1) (i32.const 8)))))"#;

#[test]
fn a_grant_the_linker_gives_and_the_policy_denies_is_refused_per_call_in_preview_1() {
    let wasm = wat::parse_str(CLOCK_P1).unwrap();
    let guest = Guest::new(&engine(), &wasm, World::empty("clock")).unwrap();
    let mut linker = Linker::new();
    wasmbed_wasi::add_to_linker(&mut linker, Grants::all(), |c: &mut WasiCtx| c);
    let pre = linker.instantiate_pre(&guest).unwrap();
    let status = |policy: Policy| {
        let mut i = pre
            .instantiate(policy.build().unwrap(), Limits::default())
            .unwrap();
        i.call_core("_start").unwrap_err().exit_code()
    };
    assert_eq!(status(Policy::new()), Some(76), "ENOTCAPABLE");
    assert_eq!(status(Policy::new().allow_clocks()), Some(0));
}

#[test]
fn a_grant_the_linker_gives_and_the_policy_denies_traps_in_wasi_0_2() {
    let wasm = wat::parse_str(
        r#"(module
  (import "wasi:clocks/wall-clock@0.2.12" "now" (func $now (param i32)))
  (memory (export "memory") 1)
  (func (export "wasi:cli/run@0.2.12#run") (result i32) (call $now (i32.const 64)) (i32.const 0)))"#,
    )
    .unwrap();
    let (resolve, world) = wit_world("command");
    let world = wasmbed_wit::world_from_resolve(&resolve, world).unwrap();
    let guest = Guest::new(&engine(), &wasm, world).unwrap();
    let mut linker = Linker::new();
    wasmbed_wasi::add_p2_to_linker(&mut linker, Grants::all(), |c: &mut WasiCtx| c);
    let pre = linker.instantiate_pre(&guest).unwrap();
    let run = |policy: Policy| {
        let mut i = pre
            .instantiate(policy.build().unwrap(), Limits::default())
            .unwrap();
        i.call("wasi:cli/run@0.2.12#run", &[])
    };
    let e = run(Policy::new()).unwrap_err().to_string();
    assert!(
        e.contains("wasi:clocks/wall-clock@0.2.12#now")
            && e.contains("the instance's policy denies the `clocks` grant"),
        "{e}"
    );
    let ok = run(Policy::new().allow_clocks()).unwrap();
    assert!(matches!(ok, Some(Val::Result(Ok(None)))), "{ok:?}");
}

#[test]
fn a_linker_without_a_grant_refuses_the_guest_whatever_its_policy() {
    let wasm = wat::parse_str(CLOCK_P1).unwrap();
    let guest = Guest::new(&engine(), &wasm, World::empty("clock")).unwrap();
    let mut linker = Linker::<WasiCtx>::new();
    wasmbed_wasi::add_to_linker(&mut linker, Policy::new().grants(), |c| c);
    let e = linker.instantiate_pre(&guest).map(|_| ()).unwrap_err();
    assert!(
        e.to_string()
            .contains("is denied: it needs the `clocks` grant, which the policy denies"),
        "{e}"
    );
}
