//! Interrupting a running guest: fuel slices, the guest's signal handler,
//! deadlines from another thread, and what a handler may not do.

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;

use wasmbed::signals::{DEADLINE, INTERRUPT};
use wasmbed::{Guest, Instance, Interrupt, Limits, Linker, SignalConfig, Val, Wasmi, World};
use wasmbed_wit::wit_parser::Resolve;

/// `sum`, shared with the CLI's signal tests and the bench.
const SUM: &str = include_str!("../sum.wat");

const WIT: &str = "package test:s;
interface host { ping: func(); }
world with-handler {
  import host;
  export spin: func();
  export sum: func(n: u32) -> u64;
  export set-answer: func(a: u32);
  export count: func() -> u32;
  export mask: func() -> u32;
  export wasmbed:signals/handler@0.1.0;
}
world without-handler {
  export spin: func();
}";

fn world(name: &str) -> World {
    let mut r = Resolve::default();
    let signals = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/signals");
    r.push_path(&signals).expect("wit/signals parses");
    let pkg = r.push_str("test.wit", WIT).expect("test WIT parses");
    let id = r.select_world(&[pkg], Some(name)).expect("world exists");
    wasmbed_wit::world_from_resolve(&r, id).expect("world converts")
}

/// `spin` loops forever; `sum(n)` adds 0..n; the handler counts signals,
/// records them in a mask and answers `$answer` (0 resume, 1 unwind),
/// except 2: loop forever, and 3: call the `ping` import.
fn wat(handler: bool) -> String {
    let handler = if handler {
        format!(
            r#"
  (import "cm32p2|test:s/host" "ping" (func $ping))
  (global $answer (mut i32) (i32.const 0))
  (global $count (mut i32) (i32.const 0))
  (global $mask (mut i32) (i32.const 0))
  {SUM}
  (func (export "cm32p2||set-answer") (param i32) (global.set $answer (local.get 0)))
  (func (export "cm32p2||count") (result i32) (global.get $count))
  (func (export "cm32p2||mask") (result i32) (global.get $mask))
  (func (export "cm32p2|wasmbed:signals/handler@0.1|on-signal") (param $s i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.set $mask (i32.or (global.get $mask) (i32.shl (i32.const 1) (local.get $s))))
    (if (i32.eq (global.get $answer) (i32.const 2)) (then (loop $forever (br $forever))))
    (if (i32.eq (global.get $answer) (i32.const 3)) (then (call $ping)))
    (global.get $answer))"#
        )
    } else {
        String::new()
    };
    format!(
        r#"(module {handler}
  (memory (export "cm32p2_memory") 1)
  (func (export "cm32p2||spin") (loop $forever (br $forever))))"#
    )
}

fn instance(handler: bool, limits: Limits) -> Instance<Wasmi> {
    let name = if handler {
        "with-handler"
    } else {
        "without-handler"
    };
    let wasm = wat::parse_str(wat(handler)).unwrap();
    let guest = Guest::new(&Wasmi::with_fuel(), &wasm, world(name)).unwrap();
    let mut linker = Linker::new();
    linker.func_wrap("test:s/host", "ping", |_: &mut wasmbed::HostCx<'_>| ());
    linker.instantiate(&guest, (), limits).unwrap()
}

/// Raises `signal` on `i` after `after`, from another thread.
fn raise_after(i: &Interrupt, after: Duration, signal: u32) -> std::thread::JoinHandle<()> {
    let i = i.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        i.raise(signal);
    })
}

fn u32_of(inst: &mut Instance<Wasmi>, f: &str) -> u32 {
    match inst.call(f, &[]).unwrap() {
        Some(Val::U32(v)) => v,
        other => panic!("{f}: {other:?}"),
    }
}

#[test]
fn an_endless_loop_without_a_handler_unwinds_at_the_next_slice() {
    let mut inst = instance(false, Limits::default());
    let i = Interrupt::new();
    inst.set_signals(i.clone(), SignalConfig::default())
        .unwrap();
    let t = raise_after(&i, Duration::from_millis(20), INTERRUPT);
    let start = Instant::now();
    let e = inst.call("spin", &[]).unwrap_err().to_string();
    let took = start.elapsed();
    t.join().unwrap();
    assert!(
        e.contains("`spin`") && e.contains("interrupted by signal 2 (interrupt)"),
        "{e}"
    );
    assert!(
        took < Duration::from_millis(20 + 500),
        "stopped after {took:?}"
    );
    assert!(inst.is_poisoned());
}

#[test]
fn a_handler_that_resumes_lets_the_call_finish_with_the_right_result() {
    let mut inst = instance(true, Limits::default());
    let i = Interrupt::new();
    inst.set_signals(i.clone(), SignalConfig::default())
        .unwrap();
    i.raise(INTERRUPT);
    let n = 200_000u64;
    let r = inst.call("sum", &[Val::U32(n as u32)]).unwrap();
    assert_eq!(r, Some(Val::U64(n * (n - 1) / 2)));
    assert_eq!(u32_of(&mut inst, "count"), 1);
    assert_eq!(u32_of(&mut inst, "mask"), 1 << INTERRUPT);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Any set of application signals, raised from another thread in any
    /// order and at any pace while the guest computes: each runs the
    /// handler exactly once, none is lost, and every call's result is right.
    #[test]
    fn signals_from_another_thread_each_run_the_handler_exactly_once(
        raised in proptest::sample::subsequence((16u32..=31).collect::<Vec<_>>(), 1..=16)
            .prop_shuffle(),
        gaps in proptest::collection::vec(0u64..400, 16),
    ) {
        let mut inst = instance(true, Limits::default());
        let i = Interrupt::new();
        let config = SignalConfig {
            slice: 1_000,
            ..SignalConfig::default()
        };
        inst.set_signals(i.clone(), config).unwrap();
        let raiser = {
            let (i, raised, gaps) = (i.clone(), raised.clone(), gaps.clone());
            std::thread::spawn(move || {
                for (s, gap) in raised.iter().zip(gaps) {
                    // Distinct signals: raising one never finds it pending.
                    assert!(i.raise(*s));
                    std::thread::sleep(Duration::from_micros(gap));
                }
            })
        };
        // Keep the guest busy until every signal has been delivered.
        let all: u32 = raised.iter().map(|s| 1u32 << s).sum();
        let deadline = Instant::now() + Duration::from_secs(60);
        while u32_of(&mut inst, "mask") != all && Instant::now() < deadline {
            let r = inst.call("sum", &[Val::U32(20_000)]).unwrap();
            proptest::prop_assert_eq!(r, Some(Val::U64(20_000 * 19_999 / 2)));
        }
        raiser.join().unwrap();
        proptest::prop_assert_eq!(u32_of(&mut inst, "mask"), all, "none lost");
        proptest::prop_assert_eq!(u32_of(&mut inst, "count") as usize, raised.len(), "none run twice");
    }
}

#[test]
fn a_handler_that_unwinds_names_the_signal() {
    let mut inst = instance(true, Limits::default());
    let i = Interrupt::new();
    inst.set_signals(i.clone(), SignalConfig::default())
        .unwrap();
    inst.call("set-answer", &[Val::U32(1)]).unwrap();
    let t = raise_after(&i, Duration::from_millis(10), 17);
    let e = inst.call("spin", &[]).unwrap_err().to_string();
    t.join().unwrap();
    assert!(e.contains("interrupted by signal 17 (application)"), "{e}");
}

#[test]
fn a_handler_that_loops_forever_is_trapped_at_its_budget() {
    let mut inst = instance(true, Limits::default());
    let i = Interrupt::new();
    inst.set_signals(i.clone(), SignalConfig::default())
        .unwrap();
    inst.call("set-answer", &[Val::U32(2)]).unwrap();
    i.raise(DEADLINE);
    let e = inst.call("spin", &[]).unwrap_err().to_string();
    assert!(
        e.contains("the handler of signal 1 used up its fuel budget"),
        "{e}"
    );
    assert!(inst.is_poisoned());
}

#[test]
fn a_handler_may_call_no_import() {
    let mut inst = instance(true, Limits::default());
    let i = Interrupt::new();
    inst.set_signals(i.clone(), SignalConfig::default())
        .unwrap();
    inst.call("set-answer", &[Val::U32(3)]).unwrap();
    i.raise(INTERRUPT);
    let e = inst.call("spin", &[]).unwrap_err().to_string();
    assert!(e.contains("import called from the signal handler"), "{e}");
}

#[test]
fn the_lifetime_fuel_budget_still_ends_a_sliced_call() {
    let limits = Limits {
        fuel: Some(1_000_000),
        ..Limits::default()
    };
    let mut inst = instance(false, limits);
    inst.set_signals(Interrupt::new(), SignalConfig::default())
        .unwrap();
    let e = inst.call("spin", &[]).unwrap_err().to_string();
    assert!(e.contains("all fuel consumed"), "{e}");
    // Less than the next basic block needs is left.
    assert!(inst.fuel().unwrap() < 100, "{:?}", inst.fuel());
}

#[test]
fn signals_need_an_engine_that_runs_calls_in_slices() {
    let wasm = wat::parse_str(wat(false)).unwrap();
    let guest = Guest::new(&Wasmi::new(), &wasm, world("without-handler")).unwrap();
    let mut inst = Linker::new()
        .instantiate(&guest, (), Limits::default())
        .unwrap();
    let e = inst
        .set_signals(Interrupt::new(), SignalConfig::default())
        .unwrap_err();
    assert!(e.to_string().contains("runs calls in slices"), "{e}");
}
