//! Resources passed between the components of a composition: `$impl`
//! defines `counter` (with a destructor), `$middle` borrows counters to read
//! them, `$user` makes, lends, gives away and drops them. None of it is seen
//! by the host, so the lowering keeps the handles in its own per-instance
//! tables: own handles move between the tables, borrows reach `$impl` as the
//! representation and `$middle` as borrow handles it must drop. wasmtime
//! runs the composition; wasmbed runs it lowered. Results, destructor calls
//! and every misuse's trap must be the same.

use wasmbed::Val;
use wasmbed_conformance::Event;

use crate::assert_same;
use crate::compose::{
    each_traps_on_both, run_wasmbed, run_wasmtime, wrapped_back_runs_alike, REALLOC,
};

fn composition() -> String {
    format!(
        r#"(component
  (component $impl
    (core module $state
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 1024))
      (global $dtors (export "dtors") (mut i32) (i32.const 0))
      {REALLOC}
      (func (export "dtor") (param i32)
        (global.set $dtors (i32.add (global.get $dtors) (i32.const 1)))))
    (core instance $state (instantiate $state))
    (alias core export $state "memory" (core memory $mem))
    (alias core export $state "realloc" (core func $realloc))
    (alias core export $state "dtor" (core func $dtor))
    (type $counter (resource (rep i32) (dtor (core func $dtor))))
    (core func $new (canon resource.new $counter))
    (core func $rep (canon resource.rep $counter))
    (core func $drop (canon resource.drop $counter))
    (core module $m
      (import "s" "memory" (memory 1))
      (import "s" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
      (import "s" "dtors" (global $dtors (mut i32)))
      (import "r" "new" (func $new (param i32) (result i32)))
      (import "r" "rep" (func $rep (param i32) (result i32)))
      (import "r" "drop" (func $drop (param i32)))
      ;; a counter is a cell holding its value; its rep is the cell's address
      (func $make (export "make") (param $v i32) (result i32)
        (local $p i32)
        (local.set $p (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 4)))
        (i32.store (local.get $p) (local.get $v))
        (call $new (local.get $p)))
      ;; a borrow of its own resource arrives as the rep
      (func (export "bump") (param $r i32) (result i32)
        (i32.store (local.get $r) (i32.add (i32.load (local.get $r)) (i32.const 1)))
        (i32.load (local.get $r)))
      (func (export "get") (param $r i32) (result i32) (i32.load (local.get $r)))
      ;; an own handle arrives as a handle: read through resource.rep, then dropped
      (func (export "consume") (param $h i32) (result i32)
        (local $v i32)
        (local.set $v (i32.load (call $rep (local.get $h))))
        (call $drop (local.get $h))
        (local.get $v))
      ;; two new counters, returned in memory
      (func (export "pair") (param $a i32) (param $b i32) (result i32)
        (i32.store (i32.const 32) (call $make (local.get $a)))
        (i32.store (i32.const 36) (call $make (local.get $b)))
        (i32.const 32))
      ;; the sum of a list of borrows (reps here)
      (func (export "sum") (param $p i32) (param $n i32) (result i32)
        (local $s i32)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $s (i32.add (local.get $s) (i32.load (i32.load (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (local.get $s))
      (func (export "dtors") (result i32) (global.get $dtors)))
    (core instance $r (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop)))
    (core instance $i (instantiate $m (with "s" (instance $state)) (with "r" (instance $r))))
    (export $c "counter" (type $counter))
    (func (export "make") (param "start" u32) (result (own $c)) (canon lift (core func $i "make")))
    (func (export "bump") (param "self" (borrow $c)) (result u32) (canon lift (core func $i "bump")))
    (func (export "get") (param "c" (borrow $c)) (result u32) (canon lift (core func $i "get")))
    (func (export "consume") (param "c" (own $c)) (result u32) (canon lift (core func $i "consume")))
    (func (export "pair") (param "a" u32) (param "b" u32) (result (tuple (own $c) (own $c)))
      (canon lift (core func $i "pair") (memory $mem)))
    (func (export "sum") (param "cs" (list (borrow $c))) (result u32)
      (canon lift (core func $i "sum") (memory $mem) (realloc $realloc)))
    (func (export "dtors") (result u32) (canon lift (core func $i "dtors"))))

  (component $middle
    (import "api" (instance $api
      (export "counter" (type $c (sub resource)))
      (export "get" (func (param "c" (borrow $c)) (result u32)))))
    (alias export $api "counter" (type $counter))
    (core func $get (canon lower (func $api "get")))
    (core func $drop (canon resource.drop $counter))
    (core module $m
      (import "api" "get" (func $get (param i32) (result i32)))
      (import "api" "drop" (func $drop (param i32)))
      ;; the borrow handle passed on to the counter's own component, then dropped
      (func (export "peek") (param $h i32) (result i32)
        (local $v i32)
        (local.set $v (call $get (local.get $h)))
        (call $drop (local.get $h))
        (local.get $v))
      ;; the borrow handle kept past the call
      (func (export "keep") (param $h i32) (result i32) (call $get (local.get $h))))
    (core instance $a (export "get" (func $get)) (export "drop" (func $drop)))
    (core instance $i (instantiate $m (with "api" (instance $a))))
    (func (export "peek") (param "c" (borrow $counter)) (result u32) (canon lift (core func $i "peek")))
    (func (export "keep") (param "c" (borrow $counter)) (result u32) (canon lift (core func $i "keep"))))

  (component $user
    (import "api" (instance $api
      (export "counter" (type $c (sub resource)))
      (export "make" (func (param "start" u32) (result (own $c))))
      (export "bump" (func (param "self" (borrow $c)) (result u32)))
      (export "get" (func (param "c" (borrow $c)) (result u32)))
      (export "consume" (func (param "c" (own $c)) (result u32)))
      (export "pair" (func (param "a" u32) (param "b" u32) (result (tuple (own $c) (own $c)))))
      (export "sum" (func (param "cs" (list (borrow $c))) (result u32)))
      (export "dtors" (func (result u32)))))
    (alias export $api "counter" (type $counter))
    (import "mid" (instance $mid
      (alias outer $user $counter (type $c))
      (export "peek" (func (param "c" (borrow $c)) (result u32)))
      (export "keep" (func (param "c" (borrow $c)) (result u32)))))
    (core module $libc
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 1024))
      {REALLOC})
    (core instance $libc (instantiate $libc))
    (alias core export $libc "memory" (core memory $mem))
    (alias core export $libc "realloc" (core func $realloc))
    (core func $make (canon lower (func $api "make")))
    (core func $bump (canon lower (func $api "bump")))
    (core func $get (canon lower (func $api "get")))
    (core func $consume (canon lower (func $api "consume")))
    (core func $pair (canon lower (func $api "pair") (memory $mem) (realloc $realloc)))
    (core func $sum (canon lower (func $api "sum") (memory $mem)))
    (core func $dtors (canon lower (func $api "dtors")))
    (core func $peek (canon lower (func $mid "peek")))
    (core func $keep (canon lower (func $mid "keep")))
    (core func $drop (canon resource.drop $counter))
    (core module $m
      (import "libc" "memory" (memory 1))
      (import "api" "make" (func $make (param i32) (result i32)))
      (import "api" "bump" (func $bump (param i32) (result i32)))
      (import "api" "get" (func $get (param i32) (result i32)))
      (import "api" "consume" (func $consume (param i32) (result i32)))
      (import "api" "pair" (func $pair (param i32 i32 i32)))
      (import "api" "sum" (func $sum (param i32 i32) (result i32)))
      (import "api" "dtors" (func $dtors (result i32)))
      (import "api" "peek" (func $peek (param i32) (result i32)))
      (import "api" "keep" (func $keep (param i32) (result i32)))
      (import "api" "drop" (func $drop (param i32)))
      ;; made at 5, bumped twice, read, dropped: 7
      (func (export "counting") (result i32)
        (local $h i32) (local $v i32)
        (local.set $h (call $make (i32.const 5)))
        (drop (call $bump (local.get $h)))
        (drop (call $bump (local.get $h)))
        (local.set $v (call $get (local.get $h)))
        (call $drop (local.get $h))
        (local.get $v))
      ;; given away: the counter's component reads and drops it
      (func (export "giving") (result i32) (call $consume (call $make (i32.const 40))))
      ;; two counters returned in memory, lent three times in a list: 1 + 2 + 1
      (func (export "listing") (result i32)
        (local $v i32)
        (call $pair (i32.const 1) (i32.const 2) (i32.const 64))
        (i32.store (i32.const 128) (i32.load (i32.const 64)))
        (i32.store (i32.const 132) (i32.load (i32.const 68)))
        (i32.store (i32.const 136) (i32.load (i32.const 64)))
        (local.set $v (call $sum (i32.const 128) (i32.const 3)))
        (call $drop (i32.load (i32.const 64)))
        (call $drop (i32.load (i32.const 68)))
        (local.get $v))
      ;; lent to a third component, which lends it on and drops its borrow
      (func (export "lending") (result i32)
        (local $h i32) (local $v i32)
        (local.set $h (call $make (i32.const 9)))
        (local.set $v (call $peek (local.get $h)))
        (call $drop (local.get $h))
        (local.get $v))
      ;; handles freed and made again reuse their slots
      (func (export "churn") (result i32)
        (local $i i32) (local $s i32) (local $h i32)
        (block $done (loop $l
          (br_if $done (i32.eq (local.get $i) (i32.const 2000)))
          (local.set $h (call $make (local.get $i)))
          (local.set $s (i32.add (local.get $s) (call $get (local.get $h))))
          (call $drop (local.get $h))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (local.get $s))
      (func (export "dtors") (result i32) (call $dtors))
      ;; misuse: each must trap
      (func (export "unknown-handle") (result i32) (call $get (i32.const 99)))
      (func (export "handle-zero") (result i32) (call $get (i32.const 0)))
      (func (export "after-drop") (result i32)
        (local $h i32)
        (local.set $h (call $make (i32.const 1)))
        (call $drop (local.get $h))
        (call $get (local.get $h)))
      (func (export "double-drop") (result i32)
        (local $h i32)
        (local.set $h (call $make (i32.const 1)))
        (call $drop (local.get $h))
        (call $drop (local.get $h))
        (i32.const 0))
      (func (export "after-giving") (result i32)
        (local $h i32)
        (local.set $h (call $make (i32.const 1)))
        (drop (call $consume (local.get $h)))
        (call $get (local.get $h)))
      (func (export "borrow-kept") (result i32) (call $keep (call $make (i32.const 3))))
      (func (export "too-many") (result i32)
        (loop $l (drop (call $make (i32.const 0))) (br $l))
        (i32.const 0)))
    (core instance $a
      (export "make" (func $make)) (export "bump" (func $bump)) (export "get" (func $get))
      (export "consume" (func $consume)) (export "pair" (func $pair)) (export "sum" (func $sum))
      (export "dtors" (func $dtors)) (export "peek" (func $peek)) (export "keep" (func $keep))
      (export "drop" (func $drop)))
    (core instance $i (instantiate $m (with "libc" (instance $libc)) (with "api" (instance $a))))
    {user_lifts})

  (instance $impl (instantiate $impl))
  (instance $middle (instantiate $middle (with "api" (instance $impl))))
  (instance $user (instantiate $user (with "api" (instance $impl)) (with "mid" (instance $middle))))
  {outer_exports})"#,
        user_lifts = exports()
            .map(|e| format!(
                "(func (export \"{e}\") (result u32) (canon lift (core func $i \"{e}\")))"
            ))
            .collect::<Vec<_>>()
            .join("\n    "),
        outer_exports = exports()
            .map(|e| format!("(export \"{e}\" (func $user \"{e}\"))"))
            .collect::<Vec<_>>()
            .join("\n  "),
    )
}

/// The calls that return, in order, and what each returns.
const WORKS: [(&str, u32); 6] = [
    ("counting", 7),
    ("giving", 40),
    ("listing", 4),
    ("lending", 9),
    ("churn", 1999 * 2000 / 2),
    // one destructor call per counter made and dropped: 1 + 1 + 2 + 1 + 2000
    ("dtors", 2005),
];

/// Misuse: each traps, on a fresh instance.
const TRAPS: [&str; 7] = [
    "unknown-handle",
    "handle-zero",
    "after-drop",
    "double-drop",
    "after-giving",
    "borrow-kept",
    "too-many",
];

/// What `$user` exports, each `() -> u32`: the calls that work, then the misuses.
fn exports() -> impl Iterator<Item = &'static str> {
    WORKS.iter().map(|(f, _)| *f).chain(TRAPS)
}

/// The calls that work, as the runners take them.
fn works() -> Vec<(String, Vec<Val>)> {
    WORKS.iter().map(|(f, _)| (f.to_string(), vec![])).collect()
}

fn lowered(component: &[u8]) -> Vec<u8> {
    wasmbed_lower::lower(component, wasmbed_lower::Scheme::Cm32p2).expect("the composition lowers")
}

#[test]
fn handles_between_components_behave_as_on_wasmtime() {
    let component = wat::parse_str(composition()).expect("the composition parses");
    let lowered = lowered(&component);
    let calls = works();
    let ours = run_wasmbed(&lowered, &calls);
    let theirs = run_wasmtime(&component, &lowered, &calls);
    assert_same("the resources composition", &ours, &theirs);
    let results: Vec<Option<Val>> = ours
        .iter()
        .filter_map(|e| match e {
            Event::Export { result, .. } => Some(result.clone().expect("no call traps")),
            _ => None,
        })
        .collect();
    let want: Vec<Option<Val>> = WORKS.iter().map(|(_, v)| Some(Val::U32(*v))).collect();
    assert_eq!(results, want);
}

#[test]
fn misusing_a_handle_traps_on_both() {
    let component = wat::parse_str(composition()).unwrap();
    each_traps_on_both(&component, &lowered(&component), &TRAPS);
}

/// The lowered module wrapped back into a component runs on wasmtime with
/// the same results: the tables are ordinary core code and memory.
#[test]
fn the_lowered_composition_wrapped_back_runs_on_wasmtime_alike() {
    let component = wat::parse_str(composition()).unwrap();
    wrapped_back_runs_alike(&component, &works());
}
