//! Shrunk modules on wasmi: the same results as the originals, the memory
//! claimed, and a stack overflow that traps instead of overwriting data.

use wasmbed_shrink::{features, shrink, Options, Report, CHECK_NAME};
use wasmi::{Config, Engine, Instance, Linker, Module, Store, TrapCode};
use wasmparser::{Name, Parser, Payload, Validator, WasmFeatures};

/// The repository's root.
fn repo() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A module in wasm-ld's default layout: 16 bytes of data at 1024, the stack
/// pointer's top at `top`, `__data_end` exported when given. `depth(n)` pushes
/// a 16-byte frame per level, stores `n` in it and returns the sum of what the
/// frames read back: n(n+1)/2 unless the stack overwrote itself or the data.
fn stack_user(top: u32, data_end: Option<u32>) -> Vec<u8> {
    let data_end = data_end.map_or(String::new(), |end| {
        format!(r#"(global (export "__data_end") i32 (i32.const {end}))"#)
    });
    wat::parse_str(format!(
        r#"(module
            (memory (export "memory") 2)
            (global $__stack_pointer (mut i32) (i32.const {top}))
            {data_end}
            (data (i32.const 1024) "0123456789abcdef")
            (func $depth (export "depth") (param $n i32) (result i32)
                (local $fp i32) (local $r i32)
                (local.set $fp (i32.sub (global.get $__stack_pointer) (i32.const 16)))
                (global.set $__stack_pointer (local.get $fp))
                (i32.store (local.get $fp) (local.get $n))
                (if (local.get $n)
                    (then (local.set $r (call $depth (i32.sub (local.get $n) (i32.const 1))))))
                (local.set $r (i32.add (local.get $r) (i32.load (local.get $fp))))
                (global.set $__stack_pointer (i32.add (local.get $fp) (i32.const 16)))
                (local.get $r))
            (func (export "data") (result i64) (i64.load (i32.const 1024))))"#
    ))
    .unwrap()
}

/// An instance of `wasm` on wasmi with custom page sizes.
fn instantiate(wasm: &[u8]) -> (Store<()>, Instance) {
    let mut config = Config::default();
    config.wasm_custom_page_sizes(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .unwrap();
    (store, instance)
}

/// `depth(n)`, then the first 8 data bytes.
fn run(wasm: &[u8], n: i32) -> (Result<i32, wasmi::Error>, i64) {
    let (mut store, instance) = instantiate(wasm);
    let depth = instance
        .get_typed_func::<i32, i32>(&store, "depth")
        .unwrap();
    let data = instance.get_typed_func::<(), i64>(&store, "data").unwrap();
    let result = depth.call(&mut store, n);
    (result, data.call(&mut store, ()).unwrap())
}

/// The only memory's (minimum, maximum, page size log2), and the stack check's name if named.
fn memory_and_check_name(wasm: &[u8]) -> ((u64, Option<u64>, u32), Option<String>) {
    let mut memory = None;
    let mut check_name = None;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            Payload::MemorySection(r) => {
                let m = r.into_iter().next().unwrap().unwrap();
                memory = Some((m.initial, m.maximum, m.page_size_log2.unwrap_or(16)));
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    for sub in names {
                        if let Name::Function(map) = sub.unwrap() {
                            check_name = map
                                .into_iter()
                                .map(|n| n.unwrap())
                                .find(|n| n.name == CHECK_NAME)
                                .map(|n| n.name.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (memory.unwrap(), check_name)
}

const DATA: i64 = i64::from_le_bytes(*b"01234567");

#[test]
fn a_shrunk_module_gives_the_originals_results_in_the_memory_it_claims() {
    // wasm-ld's default: data end 1040, a 64 KiB stack on top.
    let original = stack_user(1040 + 65536, None);
    let shrunk = shrink(&original, &Options { stack: Some(1024) }).unwrap();
    let r = &shrunk.report;
    assert_eq!((r.data_end, r.stack, r.memory_after), (1040, 1024, 2064));
    assert_eq!(r.memory_before, 2 * 65536);
    assert_eq!((r.stack_pointer, r.checked_functions), (Some(0), 1));
    let (memory, check_name) = memory_and_check_name(&shrunk.wasm);
    assert_eq!(memory, (2064, Some(2064), 0));
    assert_eq!(check_name.as_deref(), Some(CHECK_NAME));
    for n in [0, 1, 10, 60] {
        let (want, data) = run(&original, n);
        assert_eq!(data, DATA);
        assert_eq!(run(&shrunk.wasm, n).0.unwrap(), want.unwrap(), "depth({n})");
    }
}

#[test]
fn a_stack_too_small_traps_where_the_original_overwrote_its_data() {
    // Linked with a 64-byte stack: ten frames run over the data below it.
    let original = stack_user(1040 + 64, Some(1040));
    let (result, data) = run(&original, 10);
    assert_eq!(result.unwrap(), 55, "the overflow goes unnoticed");
    assert_ne!(data, DATA, "and overwrote the data");

    let shrunk = shrink(&original, &Options::default()).unwrap();
    assert_eq!(shrunk.report.memory_after, 1040 + 64);
    assert_eq!(run(&shrunk.wasm, 2).0.unwrap(), 3, "three frames fit");
    let (result, data) = run(&shrunk.wasm, 10);
    let e = result.unwrap_err();
    assert_eq!(
        e.as_trap_code(),
        Some(TrapCode::UnreachableCodeReached),
        "{e}"
    );
    assert_eq!(data, DATA, "the data is intact");
}

#[test]
fn the_output_needs_custom_page_sizes_and_validates_with_them() {
    let shrunk = shrink(&stack_user(1040 + 65536, None), &Options::default()).unwrap();
    Validator::new_with_features(features())
        .validate_all(&shrunk.wasm)
        .unwrap();
    let without = features() - WasmFeatures::CUSTOM_PAGE_SIZES;
    assert!(Validator::new_with_features(without)
        .validate_all(&shrunk.wasm)
        .is_err());
    // Shrinking again changes nothing.
    let again = shrink(&shrunk.wasm, &Options::default()).unwrap();
    assert_eq!(again.report.memory_before, shrunk.report.memory_after);
    assert_eq!(again.report.memory_after, shrunk.report.memory_after);
}

/// The committed freestanding guests: each shrinks, validates, and keeps its
/// custom sections byte for byte (the `name` section gains the check's name).
#[test]
fn committed_freestanding_guests_shrink_and_keep_their_custom_sections() {
    let guests: [(&str, Option<u32>); 5] = [
        ("guests/cm32/calc.wasm", Some(2048)),
        ("examples/pubsub/sensor.wasm", None),
        ("examples/pubsub/filter.wasm", Some(1024)),
        ("guests/pubsub/roundtrip.wasm", Some(1024)),
        ("guests/layout/writer.wasm", Some(256)),
    ];
    for (path, stack) in guests {
        let wasm = std::fs::read(repo().join(path)).unwrap();
        let out = shrink(&wasm, &Options { stack }).unwrap();
        let Report {
            memory_before,
            memory_after,
            data_end,
            stack: stack_bytes,
            ..
        } = out.report;
        let shrunk = out.wasm;
        assert!(memory_after < memory_before, "{path}");
        assert_eq!(memory_after, data_end + stack_bytes, "{path}");
        if let Some(stack) = stack {
            assert_eq!(stack_bytes, u64::from(stack), "{path}");
        }
        let (memory, _) = memory_and_check_name(&shrunk);
        assert_eq!(memory, (memory_after, Some(memory_after), 0), "{path}");
        let customs = |wasm: &[u8]| {
            Parser::new(0)
                .parse_all(wasm)
                .filter_map(|p| match p.unwrap() {
                    Payload::CustomSection(c) if c.name() != "name" => {
                        Some((c.name().to_string(), c.data().to_vec()))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(customs(&shrunk), customs(&wasm), "{path}");
    }
}

#[test]
fn the_wasi_libc_example_which_grows_memory_is_refused() {
    let wasm = std::fs::read(repo().join("examples/sensor/sensor.wasm")).unwrap();
    let e = shrink(&wasm, &Options { stack: Some(4096) })
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("function "), "{e}");
    assert!(e.contains("executes `memory."), "{e}");
}
