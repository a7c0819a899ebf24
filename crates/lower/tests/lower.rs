//! `wasmbed-lower` on components wit-component makes from the repository's
//! guests, on hand-written components it must refuse, and on broken bytes.

use wasmbed::{Guest, Limits, Linker, Val, Wasmi};
use wasmbed_lower::{lower, Error, Scheme};

fn repo(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `module` (with its `component-type` section) as wit-component wraps it.
fn component(module: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

fn validate(module: &[u8]) {
    wasmparser::Validator::new()
        .validate_all(module)
        .expect("the lowered module validates");
}

const SUMMARIZE: &str = "wasmbed:examples/filter@0.1.0#summarize";

#[test]
fn the_sensor_example_lowered_runs_as_the_module_it_was_made_from() {
    let original = repo("examples/sensor/sensor.wasm");
    let comp = component(&original);
    let reading = |s: u32, c: f64| Val::Record(vec![Val::U32(s), Val::F64(c)]);
    let args = [
        Val::List(vec![reading(1, 21.5), reading(2, 48.0), reading(3, 19.0)]),
        Val::F64(0.0),
        Val::F64(40.0),
    ];
    let run = |wasm: &[u8]| {
        let world = wasmbed_wit::world_from_module(wasm).unwrap().unwrap();
        let guest = Guest::new(&Wasmi::new(), wasm, world).unwrap();
        let mut inst = Linker::new()
            .instantiate(&guest, (), Limits::default())
            .unwrap();
        inst.call(SUMMARIZE, &args).unwrap()
    };
    let want = run(&original);
    for scheme in [Scheme::Cm32p2, Scheme::Legacy] {
        let lowered = lower(&comp, scheme).unwrap();
        validate(&lowered);
        assert_eq!(run(&lowered), want, "{scheme:?}");
        assert!(lowered.len() < comp.len());
    }
}

#[test]
fn exports_and_imports_get_the_schemes_names() {
    let comp = component(&repo("guests/types/types.wasm"));
    let names = |scheme| {
        let lowered = lower(&comp, scheme).unwrap();
        let mut imports = Vec::new();
        let mut exports = Vec::new();
        for p in wasmparser::Parser::new(0).parse_all(&lowered) {
            match p.unwrap() {
                wasmparser::Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        let i = i.unwrap();
                        imports.push(format!("{} {}", i.module, i.name));
                    }
                }
                wasmparser::Payload::ExportSection(r) => {
                    for e in r {
                        exports.push(e.unwrap().name.to_string());
                    }
                }
                _ => {}
            }
        }
        (imports, exports)
    };
    let (imports, exports) = names(Scheme::Cm32p2);
    assert!(
        imports.iter().all(|i| i.starts_with("cm32p2")),
        "{imports:?}"
    );
    assert!(imports.contains(&"cm32p2 tick".to_string()), "{imports:?}");
    assert!(
        exports.contains(&"cm32p2_memory".to_string()),
        "{exports:?}"
    );
    assert!(
        exports.contains(&"cm32p2_realloc".to_string()),
        "{exports:?}"
    );
    assert!(
        exports.contains(&"cm32p2_initialize".to_string()),
        "{exports:?}"
    );
    assert!(
        exports
            .iter()
            .any(|e| e.starts_with("cm32p2|wasmbed:types/api@0.1|")),
        "{exports:?}"
    );
    let (imports, exports) = names(Scheme::Legacy);
    assert!(
        imports.iter().all(|i| !i.starts_with("cm32p2")),
        "{imports:?}"
    );
    assert!(exports.contains(&"memory".to_string()), "{exports:?}");
    assert!(exports.contains(&"cabi_realloc".to_string()), "{exports:?}");
    assert!(exports.contains(&"_initialize".to_string()), "{exports:?}");
}

fn refusal(wat: &str) -> String {
    let bytes = wat::parse_str(wat).unwrap();
    match lower(&bytes, Scheme::Cm32p2) {
        Ok(_) => panic!("lowered what it should refuse"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn what_is_out_of_scope_is_refused_naming_it() {
    let utf16 = r#"(component
      (core module $m (memory (export "memory") 1)
        (func (export "f") (param i32 i32))
        (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
      (core instance $i (instantiate $m))
      (alias core export $i "memory" (core memory $mem))
      (alias core export $i "f" (core func $f))
      (alias core export $i "realloc" (core func $r))
      (func (export "f") (param "s" string)
        (canon lift (core func $f) (memory $mem) (realloc $r) string-encoding=utf16)))"#;
    assert_eq!(
        refusal(utf16),
        "not supported yet: a lifted function: string encodings other than UTF-8"
    );
    let twice = r#"(component
      (core module $m)
      (core instance (instantiate $m))
      (core instance (instantiate $m)))"#;
    assert_eq!(
        refusal(twice),
        "not supported yet: core module 0 instantiated twice"
    );
    // Two memories the host would both have to see: cm32p2 gives it one.
    let two_host_memories = r#"(component
      (import "f" (func $f (param "s" string)))
      (core module $a (memory (export "m") 1))
      (core module $b (memory (export "m") 1))
      (core instance $a (instantiate $a))
      (core instance $b (instantiate $b))
      (alias core export $a "m" (core memory $ma))
      (alias core export $b "m" (core memory $mb))
      (core func (canon lower (func $f) (memory $ma)))
      (core func (canon lower (func $f) (memory $mb))))"#;
    assert_eq!(
        refusal(two_host_memories),
        "not supported yet: several memories among the canonical options"
    );
    // A handle of a resource the host sees, passed between two components:
    // the host's table is not the components' (crates/lower/src/handles.rs).
    let host_handle = r#"(component
      (import "r" (type $r (sub resource)))
      (component $a
        (import "r" (type $r (sub resource)))
        (core module $m (func (export "f") (param i32)))
        (core instance $i (instantiate $m))
        (func (export "f") (param "x" (own $r)) (canon lift (core func $i "f"))))
      (component $b
        (import "r" (type $r (sub resource)))
        (import "f" (func $f (param "x" (own $r))))
        (core func $g (canon lower (func $f)))
        (core module $m (import "" "f" (func (param i32))))
        (core instance (instantiate $m (with "" (instance (export "f" (func $g)))))))
      (instance $ia (instantiate $a (with "r" (type $r))))
      (instance (instantiate $b (with "r" (type $r)) (with "f" (func $ia "f")))))"#;
    assert_eq!(
        refusal(host_handle),
        "not supported yet: `#f`: handles of a resource the host sees (type 0) passed between components"
    );
    // A resource a nested component defines gets a handle table of that
    // component's own, in a memory of the lowered module's own.
    let nested_resource = r#"(component
      (component $c
        (type $r (resource (rep i32)))
        (core func $drop (canon resource.drop $r))
        (core module $m (import "" "drop" (func (param i32))))
        (core instance (instantiate $m (with "" (instance (export "drop" (func $drop)))))))
      (instance (instantiate $c)))"#;
    let core = lower(&wat::parse_str(nested_resource).unwrap(), Scheme::Cm32p2)
        .expect("a nested component's resource lowers");
    let imports = wasmparser::Parser::new(0)
        .parse_all(&core)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::ImportSection(r) => Some(r.into_imports().count()),
            _ => None,
        })
        .sum::<usize>();
    assert_eq!(
        imports, 0,
        "its drop is the lowered module's own, not the host's"
    );
    let module = wat::parse_str("(module)").unwrap();
    assert!(matches!(
        lower(&module, Scheme::Cm32p2),
        Err(Error::NotAComponent)
    ));
}

/// Regression (fuzz target `lower`): a core module using a proposal outside
/// the standard set (legacy exceptions' `try`) passed the component's
/// validation and produced a module that did not validate.
/// Memories no canonical option names (each module's own) are kept: the
/// output has several, which wasmi runs (multi-memory).
#[test]
fn memories_the_host_does_not_see_are_kept() {
    let wat = r#"(component
      (core module $a (memory (export "m") 1))
      (core module $b (memory (export "m") 2))
      (core instance (instantiate $a))
      (core instance (instantiate $b)))"#;
    let lowered = lower(&wat::parse_str(wat).unwrap(), Scheme::Cm32p2).unwrap();
    validate(&lowered);
    let memories: u32 = wasmparser::Parser::new(0)
        .parse_all(&lowered)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::MemorySection(r) => Some(r.count()),
            _ => None,
        })
        .sum();
    assert_eq!(memories, 2);
}

#[test]
fn a_proposal_outside_the_standard_set_is_refused() {
    let wat = r#"(component
      (core module $m (func (export "f") try catch_all end))
      (core instance (instantiate $m)))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let e = lower(&bytes, Scheme::Cm32p2).unwrap_err().to_string();
    assert!(
        e.starts_with("malformed component: legacy_exceptions"),
        "{e}"
    );
}

#[test]
fn broken_components_are_errors_never_panics() {
    let comp = component(&repo("guests/types/types.wasm"));
    // Every truncation, in steps: an error, or (cut at a section boundary)
    // a smaller component whose lowering validates.
    let mut refused = 0;
    for end in (0..comp.len()).step_by(97) {
        match lower(&comp[..end], Scheme::Cm32p2) {
            Ok(m) => validate(&m),
            Err(_) => refused += 1,
        }
    }
    assert!(refused > comp.len() / 97 / 2, "{refused}");
    // Bytes changed here and there: an error or a valid module, never a panic.
    let mut x: u32 = 0x1234_5678;
    for _ in 0..300 {
        let mut bytes = comp.clone();
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let at = 8 + (x as usize) % (bytes.len() - 8);
            bytes[at] = (x >> 8) as u8;
        }
        if let Ok(m) = lower(&bytes, Scheme::Cm32p2) {
            validate(&m);
        }
    }
}

/// Each instantiation copies a nested component's modules: a component
/// that instantiates the one before it twice, ten levels deep, would make
/// 1,024 copies of the innermost module from a few hundred bytes. Refused
/// past 1,000 instantiations, at once.
#[test]
fn instantiations_that_multiply_are_refused() {
    let mut wat =
        String::from("(component $c0 (core module $m (func)) (core instance (instantiate $m)))");
    for level in 1..=10 {
        let prev = level - 1;
        wat = format!(
            "(component $c{level} {wat} (instance (instantiate $c{prev})) (instance (instantiate $c{prev})))"
        );
    }
    let wat = format!("(component {wat} (instance (instantiate $c10)))");
    let bytes = wat::parse_str(&wat).unwrap();
    let e = lower(&bytes, Scheme::Cm32p2).unwrap_err().to_string();
    assert_eq!(
        e,
        "not supported yet: more than 1000 component instantiations"
    );
}
