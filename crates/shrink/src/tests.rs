//! The layout decisions and refusals, on small inline modules.

use crate::plan::{plan, WASM_LD_STACK_SIZE};
use crate::scan::scan;
use crate::{shrink, Options, ShrinkError};

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

fn refusal(text: &str, stack: Option<u32>) -> String {
    shrink(&wasm(text), &Options { stack })
        .unwrap_err()
        .to_string()
}

/// A wasm-ld-like module: data at 1024, `.bss` up to `data_end`, a default
/// stack on top, with the stack pointer named or not.
fn wasm_ld(data_end: u32, names: bool) -> String {
    let top = data_end.div_ceil(16) * 16 + WASM_LD_STACK_SIZE as u32;
    let sp = if names { "$__stack_pointer" } else { "" };
    let set = if names { "$__stack_pointer" } else { "0" };
    format!(
        r#"(module (memory 2) (global {sp} (mut i32) (i32.const {top}))
            (data (i32.const 1024) "abcd")
            (func (global.set {set} (i32.const 0))))"#
    )
}

#[test]
fn without_data_end_the_default_stack_size_tells_where_bss_ends() {
    for names in [true, false] {
        let f = scan(&wasm(&wasm_ld(1100, names))).unwrap();
        let p = plan(&f, &Options::default()).unwrap();
        assert_eq!(p.data_end, 1104, "names: {names}");
        assert_eq!(p.stack, WASM_LD_STACK_SIZE);
        let sp = p.stack_pointer.unwrap();
        assert_eq!(
            (sp.bottom, sp.top, p.memory),
            (1104, 1104 + 65536, 1104 + 65536)
        );
        assert_eq!(sp.setters, vec![0]);
    }
}

#[test]
fn an_exported_data_end_and_heap_base_are_used_and_the_heap_base_moves() {
    let text = r#"(module (memory 2)
        (global $sp (mut i32) (i32.const 70000))
        (global (export "__data_end") i32 (i32.const 3000))
        (global (export "__heap_base") i32 (i32.const 70000))
        (data (i32.const 1024) "abcd"))"#;
    let f = scan(&wasm(text)).unwrap();
    // Named `$sp`, not `__stack_pointer`: the name section rules it out.
    assert_eq!(
        plan(&f, &Options::default()).unwrap_err(),
        ShrinkError::NoStackPointer
    );
    let text = text.replace("$sp", "$__stack_pointer");
    let f = scan(&wasm(&text)).unwrap();
    let p = plan(&f, &Options { stack: Some(100) }).unwrap();
    assert_eq!((p.data_end, p.stack, p.memory), (3008, 112, 3120));
    assert_eq!(p.heap_base, Some(2));
}

#[test]
fn a_module_without_stack_pointer_needs_a_stack_size() {
    let text = r#"(module (memory 1) (data (i32.const 16) "hello, ")
        (global $heap (mut i32) (i32.const 1024)))"#;
    assert_eq!(
        refusal(text, None),
        "no `__stack_pointer` found (no global of that name, no wasm-ld layout): give the stack size (`--stack BYTES`)"
    );
    let f = scan(&wasm(text)).unwrap();
    let p = plan(&f, &Options { stack: Some(1000) }).unwrap();
    assert_eq!((p.data_end, p.stack, p.memory), (32, 1008, 1040));
    assert!(p.stack_pointer.is_none());
}

#[test]
fn growing_or_measuring_memory_is_refused_with_the_function() {
    let text = r#"(module (memory 1)
        (func $quiet)
        (func $grows (drop (memory.grow (i32.const 1)))))"#;
    assert_eq!(
        refusal(text, Some(64)),
        "function 1 (`grows`) executes `memory.grow`: a memory that grows or is measured cannot have a fixed size"
    );
    let text = r#"(module (import "m" "f" (func)) (memory 1)
        (func (drop (memory.size))))"#;
    assert_eq!(
        refusal(text, Some(64)),
        "function 1 executes `memory.size`: a memory that grows or is measured cannot have a fixed size"
    );
}

#[test]
fn memories_shrink_cannot_size_are_refused() {
    let cases = [
        (
            r#"(module (import "env" "memory" (memory 1)))"#,
            "memory 0 is imported: the embedder sizes it, shrink cannot",
        ),
        (
            r#"(module (memory 1) (memory 1))"#,
            "the module has 2 memories: shrink handles exactly one",
        ),
        (
            r#"(module (memory 1 1 shared))"#,
            "memory 0 is shared: shrink handles unshared memories only",
        ),
        (
            r#"(module (memory i64 1))"#,
            "memory 0 is 64-bit: shrink handles 32-bit memories only",
        ),
        (r#"(module)"#, "the module has no memory to shrink"),
        (
            r#"(module (import "env" "base" (global i32)) (memory 1)
                (data (global.get 0) "x"))"#,
            "data segment 0 has an offset that is not a constant",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(refusal(text, Some(64)), message, "{text}");
    }
}

#[test]
fn a_stack_pointer_shrink_cannot_move_is_refused() {
    let cases = [
        (
            r#"(module (import "env" "__stack_pointer" (global $__stack_pointer (mut i32))) (memory 1))"#,
            "global 0 (`__stack_pointer`) is imported",
        ),
        (
            r#"(module (global $__stack_pointer (mut i32) (i32.add (i32.const 1) (i32.const 2))) (memory 1))"#,
            "global 0 (`__stack_pointer`) has an initial value that is not an `i32.const`",
        ),
        (
            r#"(module (global $__stack_pointer i32 (i32.const 70000)) (memory 2))"#,
            "global 0 (`__stack_pointer`) is not mutable",
        ),
        (
            // --stack-first: the stack below the data.
            r#"(module (global $__stack_pointer (mut i32) (i32.const 65536)) (memory 2)
                (data (i32.const 65536) "x"))"#,
            "the stack lies below the static data (wasm-ld `--stack-first`): shrink needs the default layout, data first",
        ),
        (
            // A stack of 4 KiB (`-z stack-size=4096`) without `__data_end`.
            r#"(module (global $__stack_pointer (mut i32) (i32.const 5136)) (memory 1)
                (data (i32.const 1024) "x"))"#,
            "cannot tell where the static data ends: export `__data_end` (`-Wl,--export=__data_end`) or keep it in the `name` section",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(refusal(text, None), message, "{text}");
    }
}

#[test]
fn invalid_input_and_object_files_are_errors_not_panics() {
    for bytes in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x05\x03\x01",
        b"garbage",
    ] {
        let e = shrink(bytes, &Options::default()).unwrap_err();
        assert!(matches!(e, ShrinkError::Invalid(_)), "{e}");
    }
    let mut object = wasm("(module (memory 1))");
    // A custom section by hand: id 0, size 8, the name `linking`, no contents.
    object.extend([0, 8, 7]);
    object.extend(b"linking");
    assert_eq!(
        shrink(&object, &Options { stack: Some(16) })
            .unwrap_err()
            .to_string(),
        "a relocatable object file (custom section `linking`): link it first"
    );
}

#[test]
fn a_stack_too_large_for_32_bits_is_refused() {
    let text = r#"(module (memory 1) (data (i32.const 0) "x"))"#;
    assert_eq!(
        refusal(text, Some(u32::MAX)),
        "4294967312 bytes of memory do not fit a 32-bit memory"
    );
}
