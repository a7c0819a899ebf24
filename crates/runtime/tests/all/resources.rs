//! Resources: a host resource the guest creates, uses and drops; a guest
//! resource the host holds, borrows back and destroys; and the guards on both.

use wasmbed::{ErrorKind, HostCx, Instance, Linker, Val};
use wasmbed_abi::ResourceId;

use super::{instance, world, E};

pub(crate) const WIT: &str = "package test:res;
interface store {
  resource counter {
    constructor(start: u32);
    add: func(n: u32) -> u32;
    peek: static func(c: borrow<counter>) -> u32;
  }
}
interface api {
  use store.{counter};
  resource blob {
    constructor(n: u32);
    size: func() -> u32;
  }
  make: func() -> u32;
  use-counter: func(c: borrow<counter>) -> u32;
  keep: func(c: borrow<counter>);
  stash: func(c: borrow<counter>);
  reuse: func() -> u32;
  double-drop: func();
  take: func(b: blob) -> u32;
  dtors: func() -> u32;
}
world w {
  import store;
  export api;
}";

pub(crate) const WAT: &str = r#"(module
  (import "cm32p2|test:res/store" "[constructor]counter" (func $new (param i32) (result i32)))
  (import "cm32p2|test:res/store" "[method]counter.add" (func $add (param i32 i32) (result i32)))
  (import "cm32p2|test:res/store" "[static]counter.peek" (func $peek (param i32) (result i32)))
  (import "cm32p2|test:res/store" "counter_drop" (func $drop (param i32)))
  (import "cm32p2|_ex_test:res/api" "blob_new" (func $blob_new (param i32) (result i32)))
  (import "cm32p2|_ex_test:res/api" "blob_rep" (func $blob_rep (param i32) (result i32)))
  (import "cm32p2|_ex_test:res/api" "blob_drop" (func $blob_drop (param i32)))
  (global $stashed (mut i32) (i32.const 0))
  (global $dtors (mut i32) (i32.const 0))
  (func (export "cm32p2|test:res/api|make") (result i32)
    (local $h i32) (local $r i32)
    i32.const 10 call $new local.set $h
    local.get $h i32.const 5 call $add local.set $r
    local.get $h call $drop
    local.get $r)
  (func (export "cm32p2|test:res/api|use-counter") (param $c i32) (result i32)
    (local $r i32)
    local.get $c call $peek local.set $r
    local.get $c call $drop
    local.get $r)
  (func (export "cm32p2|test:res/api|keep") (param $c i32))
  (func (export "cm32p2|test:res/api|stash") (param $c i32)
    local.get $c global.set $stashed
    local.get $c call $drop)
  (func (export "cm32p2|test:res/api|reuse") (result i32)
    global.get $stashed call $peek)
  (func (export "cm32p2|test:res/api|double-drop")
    (local $h i32)
    i32.const 1 call $new local.set $h
    local.get $h call $drop
    local.get $h call $drop)
  (func (export "cm32p2|test:res/api|[constructor]blob") (param $n i32) (result i32)
    local.get $n call $blob_new)
  (func (export "cm32p2|test:res/api|[method]blob.size") (param $self i32) (result i32)
    local.get $self i32.const 2 i32.mul)
  (func (export "cm32p2|test:res/api|take") (param $b i32) (result i32)
    (local $rep i32)
    local.get $b call $blob_rep local.set $rep
    local.get $b call $blob_drop
    local.get $rep)
  (func (export "cm32p2|test:res/api|blob_dtor") (param $rep i32)
    global.get $dtors local.get $rep i32.add global.set $dtors)
  (func (export "cm32p2|test:res/api|dtors") (result i32) global.get $dtors))"#;

struct Counter(u32);

fn counter<'c>(cx: &'c mut HostCx<'_>, rep: &Val) -> Result<&'c mut Counter, wasmbed::Error> {
    let Val::Borrow(rep) = rep else {
        return Err(wasmbed::Error::host("not a borrow"));
    };
    cx.resource::<Counter>(*rep)
        .ok_or_else(|| wasmbed::Error::host("no such counter"))
}

pub(crate) fn host() -> Linker {
    let mut l = Linker::new();
    l.func(
        "test:res/store",
        "[constructor]counter",
        |cx, args| match args {
            [Val::U32(start)] => Ok(Some(Val::Own(cx.new_resource(Counter(*start))))),
            _ => Err(wasmbed::Error::host("bad arguments")),
        },
    )
    .func(
        "test:res/store",
        "[method]counter.add",
        |cx, args| match args {
            [c, Val::U32(n)] => {
                let c = counter(cx, c)?;
                c.0 += n;
                Ok(Some(Val::U32(c.0)))
            }
            _ => Err(wasmbed::Error::host("bad arguments")),
        },
    )
    .func(
        "test:res/store",
        "[static]counter.peek",
        |cx, args| match args {
            [c] => Ok(Some(Val::U32(counter(cx, c)?.0))),
            _ => Err(wasmbed::Error::host("bad arguments")),
        },
    );
    l
}

fn fresh() -> Instance<E> {
    instance(WAT, world(WIT, "w"), &host()).unwrap()
}

const API: &str = "test:res/api";

fn call(i: &mut Instance<E>, f: &str, args: &[Val]) -> Result<Option<Val>, wasmbed::Error> {
    i.call(&format!("{API}#{f}"), args)
}

#[test]
fn host_resources_live_until_the_guest_drops_them() {
    let mut i = fresh();
    assert_eq!(call(&mut i, "make", &[]).unwrap(), Some(Val::U32(15)));
    assert_eq!(
        i.host_resources(),
        0,
        "the guest's drop dropped the host object"
    );
}

#[test]
fn the_host_lends_a_borrow_for_one_call() {
    let mut i = fresh();
    let rep = i.new_resource(Counter(7));
    assert_eq!(
        call(&mut i, "use-counter", &[Val::Borrow(rep)]).unwrap(),
        Some(Val::U32(7))
    );
    assert_eq!(
        i.resource::<Counter>(rep).map(|c| c.0),
        Some(7),
        "a borrow leaves the object with the host"
    );
    assert_eq!(i.host_resources(), 1);
}

#[test]
fn guest_resources_round_trip_through_the_host() {
    let mut i = fresh();
    let Some(Val::Own(blob)) = call(&mut i, "[constructor]blob", &[Val::U32(21)]).unwrap() else {
        panic!("the constructor returns an own handle")
    };
    // `self` of a method on the guest's own resource arrives in the guest as the rep (21).
    assert_eq!(
        call(&mut i, "[method]blob.size", &[Val::Borrow(blob)]).unwrap(),
        Some(Val::U32(42))
    );
    // Passing ownership back: the guest drops it, which runs its destructor.
    assert_eq!(
        call(&mut i, "take", &[Val::Own(blob)]).unwrap(),
        Some(Val::U32(21))
    );
    assert_eq!(call(&mut i, "dtors", &[]).unwrap(), Some(Val::U32(21)));
    // The host dropping one it owns runs the destructor too.
    let Some(Val::Own(other)) = call(&mut i, "[constructor]blob", &[Val::U32(100)]).unwrap() else {
        panic!("the constructor returns an own handle")
    };
    i.drop_resource(blob_id(&i), other).unwrap();
    assert_eq!(call(&mut i, "dtors", &[]).unwrap(), Some(Val::U32(121)));
}

fn blob_id(i: &Instance<E>) -> ResourceId {
    ResourceId(
        i.world()
            .resources
            .iter()
            .position(|r| r.name == "blob")
            .unwrap() as u32,
    )
}

/// Found by the wasmtime comparison: the host names guest resources by handle,
/// so a dropped one is refused rather than destroyed twice or used after free.
#[test]
fn a_guest_resource_the_host_dropped_is_gone() {
    let mut i = fresh();
    let Some(Val::Own(blob)) = call(&mut i, "[constructor]blob", &[Val::U32(5)]).unwrap() else {
        panic!("the constructor returns an own handle")
    };
    i.drop_resource(blob_id(&i), blob).unwrap();
    let err = i.drop_resource(blob_id(&i), blob).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("bad arguments: no live handle {blob} to a guest resource to drop")
    );
    assert_eq!(
        call(&mut i, "dtors", &[]).unwrap(),
        Some(Val::U32(5)),
        "one destructor call"
    );
    let err = call(&mut i, "[method]blob.size", &[Val::Borrow(blob)]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with(&format!("unknown resource handle {blob}")),
        "{err}"
    );
    let err = call(&mut i, "take", &[Val::Own(blob)]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with(&format!("unknown resource handle {blob}")),
        "{err}"
    );
}

#[test]
fn dropping_a_handle_twice_traps() {
    let mut i = fresh();
    let err = call(&mut i, "double-drop", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "guest trapped in `counter_drop`: unknown resource handle 1"
    );
    assert!(matches!(
        call(&mut i, "make", &[]).unwrap_err().kind(),
        ErrorKind::Poisoned
    ));
}

#[test]
fn returning_while_still_holding_a_borrow_traps() {
    let mut i = fresh();
    let rep = i.new_resource(Counter(1));
    let err = call(&mut i, "keep", &[Val::Borrow(rep)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "guest trapped in `test:res/api#keep`: call returned with 1 borrowed handles not dropped"
    );
    assert!(i.is_poisoned());
}

#[test]
fn a_borrow_used_after_its_call_traps() {
    let mut i = fresh();
    let rep = i.new_resource(Counter(3));
    call(&mut i, "stash", &[Val::Borrow(rep)]).unwrap();
    let err = call(&mut i, "reuse", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "guest trapped in `test:res/store#[static]counter.peek`: unknown resource handle 1"
    );
}

/// A host that names its counters' reps itself, keeping them in its own table.
fn host_named(dropped: std::sync::Arc<std::sync::Mutex<Vec<u32>>>) -> Linker {
    use std::sync::{Arc, Mutex};
    let table: Arc<Mutex<std::collections::BTreeMap<u32, u32>>> = Arc::default();
    let mut l = Linker::new();
    let (t1, t2, t3) = (table.clone(), table.clone(), table.clone());
    let next = std::sync::atomic::AtomicU32::new(100);
    l.func(
        "test:res/store",
        "[constructor]counter",
        move |_, args| match args {
            [Val::U32(start)] => {
                // Reps from 100 up, never reused, so none is confused with a runtime object index.
                let rep = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                t1.lock().unwrap().insert(rep, *start);
                Ok(Some(Val::Own(rep)))
            }
            _ => Err(wasmbed::Error::host("bad arguments")),
        },
    )
    .func(
        "test:res/store",
        "[method]counter.add",
        move |_, args| match args {
            [Val::Borrow(rep), Val::U32(n)] => {
                let mut t = t2.lock().unwrap();
                let c = t.get_mut(rep).ok_or(wasmbed::Error::host("no counter"))?;
                *c += n;
                Ok(Some(Val::U32(*c)))
            }
            _ => Err(wasmbed::Error::host("bad arguments")),
        },
    )
    .func("test:res/store", "[static]counter.peek", |_, _| {
        Ok(Some(Val::U32(0)))
    })
    .resource("test:res/store", "counter", move |_, rep| {
        t3.lock().unwrap().remove(&rep);
        dropped.lock().unwrap().push(rep);
        Ok(())
    });
    l
}

#[test]
fn a_host_named_resource_runs_the_hosts_destructor() {
    let dropped = std::sync::Arc::default();
    let mut i = instance(
        WAT,
        world(WIT, "w"),
        &host_named(std::sync::Arc::clone(&dropped)),
    )
    .unwrap();
    assert_eq!(call(&mut i, "make", &[]).unwrap(), Some(Val::U32(15)));
    assert_eq!(*dropped.lock().unwrap(), vec![100]);
    assert_eq!(
        i.host_resources(),
        0,
        "the runtime kept no object of its own"
    );
    let err = call(&mut i, "double-drop", &[]).unwrap_err();
    assert!(err.to_string().contains("unknown resource handle"), "{err}");
    assert_eq!(
        *dropped.lock().unwrap(),
        vec![100, 101],
        "a second drop of the same handle never reaches the host"
    );
}

#[test]
fn a_denied_interface_names_the_reason_at_link_time() {
    let mut l = host();
    l.deny_interface("test:res/store", "needs the `counters` grant");
    let err = instance(WAT, world(WIT, "w"), &l).map(|_| ()).unwrap_err();
    assert!(
        err.to_string()
            .contains("is denied: needs the `counters` grant"),
        "{err}"
    );
    let mut l = Linker::new();
    l.deny_core("env", "tick", "needs the `clock` grant");
    let wat = r#"(module (import "env" "tick" (func)))"#;
    let err = instance(wat, wasmbed::World::empty("w"), &l)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "import `env` `tick` is denied: needs the `clock` grant"
    );
}
