//! What stops the components real toolchains build (docs/lower-toolchains.md),
//! each shown on a small hand-written component with the same construct.
//!
//! - componentize-py and componentize-qjs link shared libraries (wit-dylib,
//!   libpython's extension modules) whose constant expressions read
//!   `env.__memory_base` / `env.__table_base`, imported globals another core
//!   module defines. Fused, those globals are defined in the same module, and
//!   `global.get` of a defined global in a constant expression is valid only
//!   with the GC proposal's relaxed rule, which wasmi and WAMR do not
//!   implement: the lowered module passed `wasm-tools validate` (every
//!   feature) but neither engine loaded it. Fixed: such expressions are now
//!   folded to the globals' constant values (regression test below).
//! - componentize-qjs composes two components, each with its own memory:
//!   lowered into a module with both memories and a fused adapter.
//! - componentize-qjs without `--sync` brings the async built-ins: refused,
//!   naming the first one.

use wasmbed::{Guest, Wasmi};
use wasmbed_lower::{lower, Scheme};

fn refusal(wat: &str) -> String {
    let bytes = wat::parse_str(wat).unwrap();
    match lower(&bytes, Scheme::Cm32p2) {
        Ok(_) => panic!("lowered what it should refuse"),
        Err(e) => e.to_string(),
    }
}

/// The features of the engines wasmbed runs on: Wasm 2.0 with
/// extended-const, no GC (so no `global.get` of a defined global in a
/// constant expression).
fn engine_features() -> wasmparser::WasmFeatures {
    wasmparser::WasmFeatures::WASM2 | wasmparser::WasmFeatures::EXTENDED_CONST
}

/// What a dynamically linked library looks like once wit-component links
/// it: `$env` defines the memory, the table and the bases; `$lib` imports
/// them and places its data, its table entries and a global at those bases.
/// `f` returns 42 (read at `__memory_base`) + 7 (read through a global
/// `__memory_base + 4`) + 7 (called through the table at `__table_base`) = 56.
const DYLIB: &str = r#"(component
  (core module $env
    (memory (export "memory") 1)
    (table (export "__indirect_function_table") 2 funcref)
    (global (export "__memory_base") i32 (i32.const 1024))
    (global (export "__table_base") i32 (i32.const 1)))
  (core module $lib
    (import "env" "memory" (memory 1))
    (import "env" "__indirect_function_table" (table 2 funcref))
    (import "env" "__memory_base" (global $mb i32))
    (import "env" "__table_base" (global $tb i32))
    (global $seven_at i32 (i32.add (global.get $mb) (i32.const 4)))
    (data (global.get $mb) "\2a\00\00\00\07\00\00\00")
    (elem (global.get $tb) func $seven)
    (type $t (func (result i32)))
    (func $seven (result i32) i32.const 7)
    (func (export "f") (result i32)
      (i32.add
        (i32.add (i32.load (global.get $mb)) (i32.load (global.get $seven_at)))
        (call_indirect (type $t) (global.get $tb)))))
  (core instance $env (instantiate $env))
  (core instance $lib (instantiate $lib (with "env" (instance $env))))
  (alias core export $lib "f" (core func $f))
  (func (export "f") (result u32) (canon lift (core func $f))))"#;

/// Regression (docs/lower-toolchains.md): a constant expression reading an
/// imported global that another core module defines was copied as it was,
/// so the fused module read a defined global there, valid only with GC's
/// relaxed rule. The lowering now folds such expressions to the global's
/// constant: the module validates for the engines and `f` returns 56 on both.
#[test]
fn constant_expressions_reading_fused_globals_are_folded() {
    let comp = wat::parse_str(DYLIB).unwrap();
    let lowered = lower(&comp, Scheme::Cm32p2).expect("lowers");
    wasmparser::Validator::new_with_features(engine_features())
        .validate_all(&lowered)
        .expect("valid for the engines");
    let world = wasmbed_wit::world_from_module(&lowered).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), &lowered, world.clone()).expect("wasmi loads it");
    let mut inst = wasmbed::Linker::new()
        .instantiate(&guest, (), wasmbed::Limits::default())
        .unwrap();
    assert_eq!(inst.call("f", &[]).unwrap(), Some(wasmbed::Val::U32(56)));
    let guest = Guest::new(&wasmbed::Wamr::new(), &lowered, world).expect("WAMR loads it");
    let mut inst = wasmbed::Linker::new()
        .instantiate(&guest, (), wasmbed::Limits::default())
        .unwrap();
    assert_eq!(inst.call("f", &[]).unwrap(), Some(wasmbed::Val::U32(56)));
}

/// componentize-qjs: the QuickJS component imports `local:init/module-loader`
/// from a second component with its own memory, and the outer component
/// instantiates both. Lowered, the two memories stay two and the call
/// between them becomes a fused adapter copying the path across; `run`
/// returns the path's length as the loader counted it (wasmtime's side of
/// such calls: crates/conformance/tests/all/compose.rs).
#[test]
fn a_composition_of_two_components_lowers_and_runs() {
    let composed = r#"(component
      (component $loader
        (core module $m
          (memory (export "memory") 1)
          (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 64)
          (func (export "load") (param i32 i32) (result i32) local.get 1))
        (core instance $i (instantiate $m))
        (alias core export $i "memory" (core memory $mem))
        (alias core export $i "realloc" (core func $r))
        (alias core export $i "load" (core func $load))
        (func $load (param "path" string) (result u32)
          (canon lift (core func $load) (memory $mem) (realloc $r)))
        (instance $api (export "load" (func $load)))
        (export "local:init/module-loader" (instance $api)))
      (component $main
        (import "local:init/module-loader" (instance $l
          (export "load" (func (param "path" string) (result u32)))))
        (core module $memory (memory (export "memory") 1) (data (i32.const 8) "/app/main.js"))
        (core module $m
          (import "env" "memory" (memory 1))
          (import "loader" "load" (func $load (param i32 i32) (result i32)))
          (func (export "run") (result i32) (call $load (i32.const 8) (i32.const 12))))
        (core instance $env (instantiate $memory))
        (alias core export $env "memory" (core memory $mem))
        (alias export $l "load" (func $lf))
        (core func $lowered (canon lower (func $lf) (memory $mem)))
        (core instance $args (export "load" (func $lowered)))
        (core instance $i (instantiate $m (with "env" (instance $env)) (with "loader" (instance $args))))
        (alias core export $i "run" (core func $run))
        (func (export "run") (result u32) (canon lift (core func $run) (memory $mem))))
      (instance $li (instantiate $loader))
      (alias export $li "local:init/module-loader" (instance $api))
      (instance $mi (instantiate $main (with "local:init/module-loader" (instance $api))))
      (alias export $mi "run" (func $run))
      (export "run" (func $run)))"#;
    let lowered = lower(&wat::parse_str(composed).unwrap(), Scheme::Cm32p2).expect("lowers");
    // The memory the host sees is memory 0 although the loader's is defined
    // first: loads and stores of memory 0 carry no memory index.
    let exported_memory = wasmparser::Parser::new(0)
        .parse_all(&lowered)
        .find_map(|p| match p.unwrap() {
            wasmparser::Payload::ExportSection(r) => r
                .into_iter()
                .map(Result::unwrap)
                .find(|e| e.name == "cm32p2_memory")
                .map(|e| e.index),
            _ => None,
        });
    assert_eq!(exported_memory, Some(0));
    let world = wasmbed_wit::world_from_module(&lowered).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), &lowered, world).expect("wasmi loads it");
    let mut inst = wasmbed::Linker::new()
        .instantiate(&guest, (), wasmbed::Limits::default())
        .unwrap();
    assert_eq!(inst.call("run", &[]).unwrap(), Some(wasmbed::Val::U32(12)));
}

/// componentize-qjs without `--sync`: the runtime imports the async
/// built-ins (`task.cancel`, `context.get`/`set`, `waitable-set.new`, …)
/// although no lift or lower is async. Refused naming the first one as the
/// text format names it.
#[test]
fn async_built_ins_are_refused_naming_the_first() {
    let task_cancel = r#"(component
      (core func (canon task.cancel))
      (core func (canon context.get i32 0)))"#;
    assert_eq!(
        refusal(task_cancel),
        "not supported yet: the built-in `task.cancel`"
    );
    let context_get = r#"(component
      (core func (canon context.get i32 0)))"#;
    assert_eq!(
        refusal(context_get),
        "not supported yet: the built-in `context.get`"
    );
}
