//! Flat host functions (`Linker::func_flat`): bytes read in place, written back
//! through `realloc` and a return area, handles resolved, the rest lowered from `Val`s.

use wasmbed::{FlatCx, Linker, Val};
use wasmbed_abi::{FlatVal, TypeKind};

use super::{instance, world, REALLOC};

const WIT: &str = "package test:flat;
interface io {
  resource sink {
    constructor();
    send: func(data: list<u8>) -> u32;
  }
  fetch: func(n: u32) -> result<list<u8>, string>;
}
world w {
  import io;
  export run: func(ptr: u32, len: u32, ret: u32) -> u32;
  export get: func(n: u32, ret: u32) -> u32;
}";

fn wat() -> String {
    format!(
        r#"(module
  (import "cm32p2|test:flat/io" "[constructor]sink" (func $new (result i32)))
  (import "cm32p2|test:flat/io" "[method]sink.send" (func $send (param i32 i32 i32) (result i32)))
  (import "cm32p2|test:flat/io" "fetch" (func $fetch (param i32 i32)))
  (memory (export "cm32p2_memory") 1)
  (data (i32.const 64) "\01\02\03\04\05")
  {REALLOC}
  (func (export "cm32p2||run") (param $p i32) (param $l i32) (param $ret i32) (result i32)
    call $new local.get $p local.get $l call $send)
  (func (export "cm32p2||get") (param $n i32) (param $ret i32) (result i32)
    local.get $n local.get $ret call $fetch
    ;; the list's length, or 1000 + the string's length on err
    local.get $ret i32.load8_u
    if (result i32) local.get $ret i32.load offset=8 i32.const 1000 i32.add
    else local.get $ret i32.load offset=8 end))"#
    )
}

fn i32_at(a: &[FlatVal], i: usize) -> u32 {
    match a[i] {
        FlatVal::I32(v) => v as u32,
        _ => panic!("not an i32"),
    }
}

fn host() -> Linker {
    let mut l = Linker::new();
    l.func("test:flat/io", "[constructor]sink", |_, _| {
        Ok(Some(Val::Own(7)))
    })
    .resource("test:flat/io", "sink", |_, _| Ok(()))
    .func_flat(
        "test:flat/io",
        "[method]sink.send",
        |cx: &mut FlatCx<'_>, a, r| {
            assert_eq!(
                cx.rep(0, i32_at(a, 0))?,
                7,
                "the handle resolves to the host's rep"
            );
            let sum: u32 = cx
                .bytes(i32_at(a, 1), i32_at(a, 2))?
                .iter()
                .map(|&b| u32::from(b))
                .sum();
            r[0] = FlatVal::I32(sum as i32);
            Ok(())
        },
    )
    .func_flat("test:flat/io", "fetch", |cx, a, r| {
        let n = i32_at(a, 0);
        if n > 100 {
            let e = Val::Result(Err(Some(Box::new(Val::String("too many".into())))));
            return cx.lower_result(a, Some(&e), r);
        }
        let bytes: Vec<u8> = (0..n as u8).collect();
        let (ptr, len) = cx.alloc_bytes(&bytes)?;
        let mut area = [0u8; 12];
        area[4..8].copy_from_slice(&ptr.to_le_bytes());
        area[8..12].copy_from_slice(&len.to_le_bytes());
        cx.store(i32_at(a, 1), 4, 12, TypeKind::Result, &area)
    });
    l
}

fn run(f: &str, args: &[Val]) -> Result<Option<Val>, wasmbed::Error> {
    let mut i = instance(&wat(), world(WIT, "w"), &host())?;
    i.call(f, args)
}

#[test]
fn bytes_are_read_in_place_and_written_back_through_realloc() {
    let r = run("run", &[Val::U32(64), Val::U32(5), Val::U32(0)]).unwrap();
    assert_eq!(r, Some(Val::U32(15)));
    let r = run("get", &[Val::U32(9), Val::U32(16)]).unwrap();
    assert_eq!(r, Some(Val::U32(9)));
    let r = run("get", &[Val::U32(500), Val::U32(16)]).unwrap();
    assert_eq!(r, Some(Val::U32(1008)), "the err case lowered from a Val");
}

#[test]
fn out_of_bounds_bytes_and_return_areas_trap() {
    let e = run("run", &[Val::U32(65530), Val::U32(100), Val::U32(0)]).unwrap_err();
    assert!(e.is_trap(), "{e}");
    assert!(e.to_string().contains("out of bounds"), "{e}");
    let e = run("get", &[Val::U32(3), Val::U32(65532)]).unwrap_err();
    assert!(e.to_string().contains("is out of bounds of memory"), "{e}");
    let e = run("get", &[Val::U32(3), Val::U32(18)]).unwrap_err();
    assert!(e.to_string().contains("not aligned to 4"), "{e}");
}
