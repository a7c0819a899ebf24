//! A composition of two components, each with its own memory (as
//! componentize-qjs builds): `$caller` imports what `$callee` exports, and
//! every call crosses between the two memories. wasmtime runs the
//! composition; wasmbed runs it lowered into one core module whose fused
//! adapters copy strings, lists, options and results between the memories
//! and check what crosses. Both must give the same results and trap on the
//! same bad values.

use wasmbed::{Guest, Limits, Linker, Val, Wamr, Wasmi};
use wasmbed_conformance::wasmbed_side::call;
use wasmbed_conformance::{events, Event, Log};
use wasmtime::component::Component;
use wasmtime::{Engine, Store};

use crate::{assert_same, wasmtime_side};

/// A bump allocator over a module's memory (it never frees: the test's
/// calls are few), shared by both components.
pub(crate) const REALLOC: &str = r#"
      (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))"#;

/// The 17 parameters of `wide`, passed in memory.
const WIDE: &str = r#"(param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32)
        (param "f" u32) (param "g" u32) (param "h" u32) (param "i" u32) (param "j" u32)
        (param "k" u32) (param "l" u32) (param "m" u32) (param "n" u32) (param "o" u32)
        (param "p" u32) (param "q" u32) (result u64)"#;

/// The interface between the two: each function's name, its type, whether
/// its lifts name the memory and `realloc`, and whether the callee's names
/// a post-return.
fn funcs() -> [(&'static str, String, bool, bool); 8] {
    [
        (
            "shout",
            r#"(param "s" string) (result string)"#.into(),
            true,
            true,
        ),
        (
            "total",
            r#"(param "xs" (list u32)) (result u32)"#.into(),
            true,
            false,
        ),
        (
            "split",
            r#"(param "o" (option string)) (result (result string (error string)))"#.into(),
            true,
            true,
        ),
        (
            "names",
            r#"(param "n" (list string)) (result (list string))"#.into(),
            true,
            false,
        ),
        (
            "code",
            r#"(param "c" char) (param "b" bool) (result char)"#.into(),
            false,
            false,
        ),
        ("wide", WIDE.into(), true, false),
        (
            "mix",
            r#"(param "r" (result f32 (error u64))) (result u64)"#.into(),
            false,
            false,
        ),
        ("posts", "(result u32)".into(), false, false),
    ]
}

/// The interface as `$caller` imports it.
fn api() -> String {
    funcs()
        .iter()
        .map(|(name, ty, _, _)| format!("\n      (export \"{name}\" (func {ty}))"))
        .collect()
}

/// The interface lifted from core instance `$i` over `$mem` and `$realloc`,
/// with the callee's post-returns (`$post`) when `post`.
fn lifts(post: bool) -> String {
    funcs()
        .iter()
        .map(|(name, ty, memory, has_post)| {
            let memory = if *memory { " (memory $mem) (realloc $realloc)" } else { "" };
            let post = if post && *has_post { " (post-return $post)" } else { "" };
            format!(
                "\n    (func (export \"{name}\") {ty}\n      (canon lift (core func $i \"{name}\"){memory}{post}))"
            )
        })
        .collect()
}

fn composition() -> String {
    format!(
        r#"(component
  (component $callee
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 1024))
      (global $posts (mut i32) (i32.const 0))
      (data (i32.const 16) "none")
      {REALLOC}
      (func (export "post") (param i32)
        (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
      (func (export "posts") (result i32) (global.get $posts))
      ;; s + "!"
      (func (export "shout") (param $p i32) (param $n i32) (result i32)
        (local $q i32)
        (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
          (i32.add (local.get $n) (i32.const 1))))
        (memory.copy (local.get $q) (local.get $p) (local.get $n))
        (i32.store8 (i32.add (local.get $q) (local.get $n)) (i32.const 33))
        (i32.store (i32.const 0) (local.get $q))
        (i32.store (i32.const 4) (i32.add (local.get $n) (i32.const 1)))
        (i32.const 0))
      (func (export "total") (param $p i32) (param $n i32) (result i32)
        (local $s i32)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (local.get $s))
      ;; some(s) -> ok(s), none -> err("none")
      (func (export "split") (param $d i32) (param $p i32) (param $n i32) (result i32)
        (if (local.get $d)
          (then (i32.store8 (i32.const 32) (i32.const 0))
                (i32.store (i32.const 36) (local.get $p))
                (i32.store (i32.const 40) (local.get $n)))
          (else (i32.store8 (i32.const 32) (i32.const 1))
                (i32.store (i32.const 36) (i32.const 16))
                (i32.store (i32.const 40) (i32.const 4))))
        (i32.const 32))
      ;; the list reversed
      (func (export "names") (param $p i32) (param $n i32) (result i32)
        (local $q i32) (local $i i32)
        (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 4)
          (i32.shl (local.get $n) (i32.const 3))))
        (block $done (loop $l
          (br_if $done (i32.eq (local.get $i) (local.get $n)))
          (i64.store
            (i32.add (local.get $q)
              (i32.shl (i32.sub (i32.sub (local.get $n) (local.get $i)) (i32.const 1)) (i32.const 3)))
            (i64.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (i32.store (i32.const 48) (local.get $q))
        (i32.store (i32.const 52) (local.get $n))
        (i32.const 48))
      (func (export "code") (param $c i32) (param $b i32) (result i32)
        (select (local.get $c) (i32.const 120) (local.get $b)))
      ;; ok(f32) arrives in the low half of the joined i64: its bits | 1 << 40; err(u64) as it is
      (func (export "mix") (param $d i32) (param $v i64) (result i64)
        (if (result i64) (local.get $d)
          (then (local.get $v))
          (else (i64.or (i64.and (local.get $v) (i64.const 0xffffffff)) (i64.const 0x10000000000)))))
      ;; the sum of 17 u32s passed in memory
      (func (export "wide") (param $p i32) (result i64)
        (local $i i32) (local $s i64)
        (block $done (loop $l
          (br_if $done (i32.eq (local.get $i) (i32.const 17)))
          (local.set $s (i64.add (local.get $s) (i64.extend_i32_u
            (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (local.get $s)))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (alias core export $i "post" (core func $post))
    {callee_lifts})

  (component $caller
    (import "api" (instance $api {api}))
    (core module $libc
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 1024))
      (data (i32.const 16) "\ff\fe")
      {REALLOC})
    (core instance $libc (instantiate $libc))
    (alias core export $libc "memory" (core memory $mem))
    (alias core export $libc "realloc" (core func $realloc))
    (core func $shout (canon lower (func $api "shout") (memory $mem) (realloc $realloc)))
    (core func $total (canon lower (func $api "total") (memory $mem)))
    (core func $split (canon lower (func $api "split") (memory $mem) (realloc $realloc)))
    (core func $names (canon lower (func $api "names") (memory $mem) (realloc $realloc)))
    (core func $code (canon lower (func $api "code")))
    (core func $wide (canon lower (func $api "wide") (memory $mem)))
    (core func $mix (canon lower (func $api "mix")))
    (core func $posts (canon lower (func $api "posts")))
    (core module $m
      (import "libc" "memory" (memory 1))
      (import "api" "shout" (func $shout (param i32 i32 i32)))
      (import "api" "total" (func $total (param i32 i32) (result i32)))
      (import "api" "split" (func $split (param i32 i32 i32 i32)))
      (import "api" "names" (func $names (param i32 i32 i32)))
      (import "api" "code" (func $code (param i32 i32) (result i32)))
      (import "api" "wide" (func $wide (param i32) (result i64)))
      (import "api" "mix" (func $mix (param i32 i64) (result i64)))
      (import "api" "posts" (func $posts (result i32)))
      ;; each call forwarded, results through a return area at 64
      (func (export "shout") (param i32 i32) (result i32)
        (call $shout (local.get 0) (local.get 1) (i32.const 64)) (i32.const 64))
      (func (export "total") (param i32 i32) (result i32)
        (call $total (local.get 0) (local.get 1)))
      (func (export "split") (param i32 i32 i32) (result i32)
        (call $split (local.get 0) (local.get 1) (local.get 2) (i32.const 64)) (i32.const 64))
      (func (export "names") (param i32 i32) (result i32)
        (call $names (local.get 0) (local.get 1) (i32.const 64)) (i32.const 64))
      (func (export "code") (param i32 i32) (result i32)
        (call $code (local.get 0) (local.get 1)))
      (func (export "wide") (param i32) (result i64) (call $wide (local.get 0)))
      (func (export "mix") (param i32 i64) (result i64) (call $mix (local.get 0) (local.get 1)))
      (func (export "posts") (result i32) (call $posts))
      ;; what a broken caller could hand over: a surrogate, bytes that are not UTF-8,
      ;; a list whose byte length overflows, a discriminant out of range
      (func (export "bad-char") (result i32) (call $code (i32.const 0xD800) (i32.const 1)))
      (func (export "bad-utf8") (result i32)
        (call $shout (i32.const 16) (i32.const 2) (i32.const 64)) (i32.const 64))
      (func (export "bad-length") (result i32) (call $total (i32.const 0) (i32.const 0x40000000)))
      (func (export "bad-option") (result i32)
        (call $split (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 64)) (i32.const 64)))
    (core instance $imports
      (export "shout" (func $shout)) (export "total" (func $total))
      (export "split" (func $split)) (export "names" (func $names))
      (export "code" (func $code)) (export "wide" (func $wide)) (export "mix" (func $mix))
      (export "posts" (func $posts)))
    (core instance $i (instantiate $m (with "libc" (instance $libc)) (with "api" (instance $imports))))
    {caller_lifts}
    (func (export "bad-char") (result char) (canon lift (core func $i "bad-char")))
    (func (export "bad-utf8") (result string)
      (canon lift (core func $i "bad-utf8") (memory $mem) (realloc $realloc)))
    (func (export "bad-length") (result u32) (canon lift (core func $i "bad-length")))
    (func (export "bad-option") (result (result string (error string)))
      (canon lift (core func $i "bad-option") (memory $mem) (realloc $realloc))))

  (instance $callee (instantiate $callee))
  (instance $caller (instantiate $caller (with "api" (instance $callee))))
  (export "shout" (func $caller "shout"))
  (export "total" (func $caller "total"))
  (export "split" (func $caller "split"))
  (export "names" (func $caller "names"))
  (export "code" (func $caller "code"))
  (export "wide" (func $caller "wide"))
  (export "mix" (func $caller "mix"))
  (export "posts" (func $caller "posts"))
  (export "bad-char" (func $caller "bad-char"))
  (export "bad-utf8" (func $caller "bad-utf8"))
  (export "bad-length" (func $caller "bad-length"))
  (export "bad-option" (func $caller "bad-option")))"#,
        api = api(),
        callee_lifts = lifts(true),
        caller_lifts = lifts(false),
    )
}

fn s(x: &str) -> Val {
    Val::String(x.into())
}

/// The calls that must succeed, in order (`posts` last: it counts the
/// callee's post-returns, so the adapters must have called them).
fn calls() -> Vec<(String, Vec<Val>)> {
    let strings = |xs: &[&str]| Val::List(xs.iter().map(|x| s(x)).collect());
    let mut out: Vec<(&str, Vec<Val>)> = vec![
        ("shout", vec![s("hello")]),
        ("shout", vec![s("")]),
        ("shout", vec![s("grüße, 🦀")]),
        ("total", vec![Val::List(vec![])]),
        ("total", vec![Val::List((1..=100).map(Val::U32).collect())]),
        ("split", vec![Val::Option(Some(Box::new(s("kept"))))]),
        ("split", vec![Val::Option(None)]),
        ("names", vec![strings(&[])]),
        ("names", vec![strings(&["a", "bé", "", "ccc"])]),
        ("code", vec![Val::Char('ß'), Val::Bool(true)]),
        ("code", vec![Val::Char('🦀'), Val::Bool(false)]),
        (
            "wide",
            (1..=17).map(|x| Val::U32(x * 250_000_000)).collect(),
        ),
        ("mix", vec![Val::Result(Ok(Some(Box::new(Val::F32(-1.5)))))]),
        (
            "mix",
            vec![Val::Result(Err(Some(Box::new(Val::U64(u64::MAX - 5)))))],
        ),
    ];
    out.push(("posts", vec![]));
    out.into_iter().map(|(f, a)| (f.to_string(), a)).collect()
}

/// The exports a broken caller reaches: each must trap on both runtimes.
const TRAPS: [&str; 4] = ["bad-char", "bad-utf8", "bad-length", "bad-option"];

fn lowered() -> Vec<u8> {
    let component = wat::parse_str(composition()).expect("the composition parses");
    wasmbed_lower::lower(&component, wasmbed_lower::Scheme::Cm32p2).expect("the composition lowers")
}

pub(crate) fn run_wasmbed(wasm: &[u8], calls: &[(String, Vec<Val>)]) -> Vec<Event> {
    let world = wasmbed_wit::world_from_module(wasm).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), wasm, world).expect("wasmi loads the lowered module");
    let mut inst = Linker::new()
        .instantiate(&guest, (), Limits::default())
        .expect("it instantiates");
    let log = Log::default();
    for (f, args) in calls {
        call(&mut inst, f, args, &log);
    }
    events(&log)
}

pub(crate) fn run_wasmtime(
    component: &[u8],
    world_from: &[u8],
    calls: &[(String, Vec<Val>)],
) -> Vec<Event> {
    let world = wasmbed_wit::world_from_module(world_from).unwrap().unwrap();
    let engine = Engine::default();
    let component = Component::new(&engine, component).expect("wasmtime compiles it");
    let linker = wasmtime::component::Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &component)
        .expect("wasmtime instantiates it");
    let log = Log::default();
    for (f, args) in calls {
        wasmtime_side::call(&mut store, &instance, &world, f, args, &log).unwrap();
    }
    events(&log)
}

#[test]
fn calls_between_two_memories_give_what_wasmtime_gives() {
    let component = wat::parse_str(composition()).unwrap();
    let lowered = lowered();
    let calls = calls();
    let ours = run_wasmbed(&lowered, &calls);
    let theirs = run_wasmtime(&component, &lowered, &calls);
    assert_same("the composition", &ours, &theirs);
    // Every call returned, and the values are the callee's work.
    let results: Vec<&Option<Val>> = ours
        .iter()
        .filter_map(|e| match e {
            Event::Export { result, .. } => Some(result.as_ref().expect("no call traps")),
            _ => None,
        })
        .collect();
    assert_eq!(results[0], &Some(s("hello!")));
    assert_eq!(results[2], &Some(s("grüße, 🦀!")));
    assert_eq!(results[4], &Some(Val::U32(5050)));
    assert_eq!(
        results[8],
        &Some(Val::List(vec![s("ccc"), s(""), s("bé"), s("a")]))
    );
    assert_eq!(results[11], &Some(Val::U64(250_000_000 * 153)));
    // The f32 through the joined i64 slot, both ways, bit for bit.
    let bits = u64::from((-1.5f32).to_bits());
    assert_eq!(results[12], &Some(Val::U64(bits | 1 << 40)));
    assert_eq!(results[13], &Some(Val::U64(u64::MAX - 5)));
    // shout ×3 and split ×2 name a post-return.
    assert_eq!(results.last().unwrap(), &&Some(Val::U32(5)));
}

/// Each export in `names`, called alone on a fresh instance of the lowered
/// module and of the composition, traps on both.
pub(crate) fn each_traps_on_both(component: &[u8], lowered: &[u8], names: &[&str]) {
    for name in names {
        let one = [(name.to_string(), vec![])];
        let ours = run_wasmbed(lowered, &one);
        let theirs = run_wasmtime(component, lowered, &one);
        assert_same(name, &ours, &theirs);
        assert!(
            matches!(&ours[..], [Event::Export { result: None, .. }]),
            "{name}: {ours:?}"
        );
    }
}

/// The composition lowered under the legacy names and wrapped back into a
/// component by wit-component runs `calls` on wasmtime as the composition
/// does, none of them trapping.
pub(crate) fn wrapped_back_runs_alike(component: &[u8], calls: &[(String, Vec<Val>)]) {
    let legacy = wasmbed_lower::lower(component, wasmbed_lower::Scheme::Legacy).unwrap();
    let wrapped = wasmtime_side::component_bytes(&legacy).expect("wit-component wraps it");
    let lowered = wasmbed_lower::lower(component, wasmbed_lower::Scheme::Cm32p2).unwrap();
    let direct = run_wasmtime(component, &lowered, calls);
    let wrapped = run_wasmtime(&wrapped, &lowered, calls);
    assert_same(
        "the composition lowered and wrapped back",
        &wrapped,
        &direct,
    );
    assert!(direct
        .iter()
        .all(|e| !matches!(e, Event::Export { result: None, .. })));
}

#[test]
fn a_bad_value_from_the_caller_traps_on_both() {
    let component = wat::parse_str(composition()).unwrap();
    each_traps_on_both(&component, &lowered(), &TRAPS);
}

/// The lowered module wrapped back into a component (wit-component, the
/// legacy names) runs on wasmtime as the composition does: the adapters are
/// ordinary core code to any component runtime.
#[test]
fn the_lowered_composition_wrapped_back_runs_on_wasmtime_alike() {
    let component = wat::parse_str(composition()).unwrap();
    wrapped_back_runs_alike(&component, &calls());
}

/// WAMR is built without multi-memory: the lowered composition is refused
/// when it is loaded, in one line, not run wrongly.
#[test]
fn wamr_refuses_two_memories_clearly() {
    let lowered = lowered();
    let world = wasmbed_wit::world_from_module(&lowered).unwrap().unwrap();
    let e = Guest::new(&Wamr::new(), &lowered, world)
        .err()
        .expect("WAMR refuses it")
        .to_string();
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains("memor"), "{e}");
}
