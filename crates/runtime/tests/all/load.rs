//! What the build target rejects at load time, each with one line naming the item.

use wasmbed::Linker;

use super::basic::WIT;
use super::{guest, instance, world, REALLOC};

fn load_error(wat: &str) -> String {
    match guest(wat, world(WIT, "guest")) {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_cm32p2_names_are_rejected() {
    let e = load_error(r#"(module (func (export "cm32p2||nope")))"#);
    assert_eq!(
        e,
        "export `cm32p2||nope` is not in world `test:rt@0.1.0/guest`"
    );
    let e = load_error(r#"(module (import "cm32p2|test:rt/host@0.1" "shout" (func)))"#);
    assert_eq!(
        e,
        "import `cm32p2|test:rt/host@0.1` `shout` is not in world `test:rt@0.1.0/guest`"
    );
    // Not canonical, so not a name of the world.
    let e = load_error(
        r#"(module (import "cm32p2|test:rt/host@0.1.0" "add" (func (param i32 i32) (result i32))))"#,
    );
    assert_eq!(
        e,
        "import `cm32p2|test:rt/host@0.1.0` `add` is not in world `test:rt@0.1.0/guest`"
    );
}

#[test]
fn wrong_core_types_are_rejected() {
    let e = load_error(r#"(module (func (export "cm32p2||version") (result i64) i64.const 1))"#);
    assert_eq!(e, "export `cm32p2||version` has type (param ) (result i64), the world requires (param ) (result i32)");
    let e = load_error(
        r#"(module (import "cm32p2|test:rt/host@0.1" "add" (func (param i32) (result i32))))"#,
    );
    assert!(
        e.starts_with("import `cm32p2|test:rt/host@0.1` `add` has type"),
        "{e}"
    );
}

#[test]
fn post_return_needs_its_function() {
    let e = load_error(r#"(module (func (export "cm32p2||version_post") (param i32)))"#);
    assert_eq!(
        e,
        "export `cm32p2||version_post` has no function it belongs to"
    );
}

#[test]
fn memory_and_realloc_are_required_when_needed() {
    let e = load_error(
        r#"(module (func (export "cm32p2|test:rt/api@0.1|run") (param i32 i32) (result i32) i32.const 0))"#,
    );
    assert_eq!(
        e,
        "function `run` needs memory but the module exports no `cm32p2_memory`"
    );
    let e = load_error(
        r#"(module (memory (export "cm32p2_memory") 1)
           (func (export "cm32p2|test:rt/api@0.1|run") (param i32 i32) (result i32) i32.const 0))"#,
    );
    assert_eq!(
        e,
        "function `run` needs `cm32p2_realloc` but the module does not export it"
    );
    // A module using only scalar functions needs neither.
    assert!(guest(
        r#"(module (func (export "cm32p2||version") (result i32) i32.const 1))"#,
        world(WIT, "guest")
    )
    .is_ok());
    let _ = REALLOC;
}

#[test]
fn missing_imports_are_link_errors_naming_them() {
    let wat =
        r#"(module (import "cm32p2|test:rt/host@0.1" "add" (func (param i32 i32) (result i32))))"#;
    let e = instance(wat, world(WIT, "guest"), &Linker::new())
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "missing import `test:rt/host@0.1#add` (core import `cm32p2|test:rt/host@0.1` `add`)"
    );
    let wat = r#"(module (import "env" "tick" (func)))"#;
    let e = instance(wat, world(WIT, "guest"), &Linker::new())
        .err()
        .unwrap();
    assert_eq!(e.to_string(), "missing import `env` `tick`");
}

#[test]
fn a_component_is_refused_saying_what_it_is() {
    // The smallest component: its preamble alone.
    let component = b"\0asm\x0d\0\x01\0";
    let Err(e) = wasmbed::Guest::new(&super::engine(), component, world(WIT, "guest")) else {
        panic!("a component loaded as a core module");
    };
    assert!(
        e.to_string().contains("a WebAssembly component, not a core module"),
        "{e}"
    );
}
