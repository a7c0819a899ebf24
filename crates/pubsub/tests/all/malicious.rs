//! Guests that misuse the interface get an error value or a one-line trap,
//! never a host panic, and the other parties on the bus go on.

use wasmbed::Wasmi;
use wasmbed_pubsub::{Broker, Bus, Grants, Publisher, Subscriber, TopicConfig};

use crate::{broker, guest, instance, join, linker, relay_wat, rogue, Host, OPEN_IN, OPEN_OUT};

fn setup() -> (Broker, Bus<Wasmi, Host>, usize) {
    let b = broker(&["in", "out", "secret"].map(|n| TopicConfig::new(n, 64).max_loans(2)));
    let mut bus = Bus::new(&b);
    let relay = guest(&relay_wat("in", "out"));
    let r = join(
        &mut bus,
        instance(
            &linker(),
            &relay,
            &b,
            Grants::none().subscribe("in").publish("out"),
        ),
    );
    (b, bus, r)
}

/// Adds a rogue guest (granted "in" and "out" only) and runs its `step`.
fn run_rogue(
    bus: &mut Bus<Wasmi, Host>,
    init: &str,
    step: &str,
) -> (usize, Result<bool, wasmbed::Error>) {
    let b = bus.broker().clone();
    let g = guest(&rogue(init, step));
    let i = join(
        bus,
        instance(
            &linker(),
            &g,
            &b,
            Grants::none().subscribe("in").publish("out"),
        ),
    );
    let r = bus.step(i, 0);
    (i, r)
}

/// The byte the rogue left at `at`.
fn byte(bus: &Bus<Wasmi, Host>, i: usize, at: usize) -> u8 {
    bus.instance(i).unwrap().memory()[at]
}

/// The relay still forwards a sample from "in" to "out", byte for byte.
fn relay_still_works(b: &Broker, bus: &mut Bus<Wasmi, Host>, relay: usize) {
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(b, native, "in").unwrap();
    let rx = Subscriber::open(b, native, "out").unwrap();
    let loan = tx.loan(3).unwrap();
    bus.write(&loan, |w| w.copy_from_slice(b"abc")).unwrap();
    loan.publish(3).unwrap();
    bus.step(relay, 1).unwrap();
    let mut last = None;
    while let Some(s) = rx.receive().unwrap() {
        last = bus.read(&s, |b| b.to_vec());
    }
    assert_eq!(last.expect("the relay forwards"), b"abc");
}

/// A trap's message: one line, naming what went wrong.
fn one_line_trap(r: Result<bool, wasmbed::Error>, needle: &str) {
    let msg = r.expect_err("the guest traps").to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert!(msg.contains(needle), "`{needle}` in: {msg}");
}

#[test]
fn bad_storage_regions_are_error_values() {
    let (b, mut bus, relay) = setup();
    // Past the end of memory, misaligned, empty, and a second region.
    let step = r#"
      (call $add_storage (i32.const 65528) (i32.const 16) (i32.const 64))
      (i32.store8 (i32.const 200) (i32.load8_u (i32.const 64)))
      (i32.store8 (i32.const 201) (i32.load8_u (i32.const 65)))
      (call $add_storage (i32.const 4097) (i32.const 8) (i32.const 64))
      (i32.store8 (i32.const 202) (i32.load8_u (i32.const 65)))
      (call $add_storage (i32.const 4096) (i32.const 0) (i32.const 64))
      (i32.store8 (i32.const 203) (i32.load8_u (i32.const 65)))
      (call $add_storage (i32.const 4096) (i32.const 64) (i32.const 64))
      (i32.store8 (i32.const 204) (i32.load8_u (i32.const 65)))
      (call $add_storage (i32.const -8) (i32.const 16) (i32.const 64))
      (i32.store8 (i32.const 205) (i32.load8_u (i32.const 65)))"#;
    let (i, r) = run_rogue(&mut bus, "", step);
    assert!(r.unwrap());
    const BAD_REGION: u8 = 7;
    assert_eq!(byte(&bus, i, 200), 1, "an error, not ok");
    for at in 201..=205 {
        assert_eq!(byte(&bus, i, at), BAD_REGION, "case at {at}");
    }
    relay_still_works(&b, &mut bus, relay);
}

#[test]
fn publishing_past_the_loan_is_too_large_and_the_loan_is_gone() {
    let (b, mut bus, relay) = setup();
    let step = r#"
      (call $loan (global.get $pub) (i32.const 8) (i32.const 64))
      (call $publish (global.get $pub) (i32.load (i32.const 68)) (i32.const 9) (i32.const 64))
      (i32.store8 (i32.const 200) (i32.load8_u (i32.const 64)))
      (i32.store8 (i32.const 201) (i32.load8_u (i32.const 65)))
      ;; more than the topic's maximum payload
      (call $loan (global.get $pub) (i32.const 65) (i32.const 64))
      (i32.store8 (i32.const 202) (i32.load8_u (i32.const 68)))
      ;; more loans than the topic allows (2)
      (call $loan (global.get $pub) (i32.const 8) (i32.const 64))
      (call $loan (global.get $pub) (i32.const 8) (i32.const 64))
      (call $loan (global.get $pub) (i32.const 8) (i32.const 64))
      (i32.store8 (i32.const 203) (i32.load8_u (i32.const 68)))"#;
    let (i, r) = run_rogue(&mut bus, OPEN_OUT, step);
    assert!(r.unwrap());
    const TOO_LARGE: u8 = 2;
    const POOL_EXHAUSTED: u8 = 3;
    assert_eq!((byte(&bus, i, 200), byte(&bus, i, 201)), (1, TOO_LARGE));
    assert_eq!(byte(&bus, i, 202), TOO_LARGE);
    assert_eq!(byte(&bus, i, 203), POOL_EXHAUSTED);
    assert_eq!(
        b.census().0,
        2,
        "the refused publish consumed its loan; two are out"
    );
    relay_still_works(&b, &mut bus, relay);
}

#[test]
fn publishing_a_loan_twice_traps_and_gives_its_loans_back() {
    let (b, mut bus, relay) = setup();
    let step = r#"
      (call $loan (global.get $pub) (i32.const 8) (i32.const 64))
      (global.set $h (i32.load (i32.const 68)))
      (call $loan (global.get $pub) (i32.const 8) (i32.const 64))
      (call $publish (global.get $pub) (global.get $h) (i32.const 8) (i32.const 64))
      (call $publish (global.get $pub) (global.get $h) (i32.const 8) (i32.const 64))"#;
    let (i, r) = run_rogue(&mut bus, OPEN_OUT, step);
    one_line_trap(r, "handle");
    assert!(bus.step(i, 1).is_err(), "a trapped guest stays poisoned");
    assert_eq!(b.census().0, 0, "the trapped guest's other loan went back");
    relay_still_works(&b, &mut bus, relay);
}

#[test]
fn a_forged_or_foreign_loan_handle_traps() {
    let (b, mut bus, relay) = setup();
    // Another guest holds a loan; this one names handles it was never given.
    let (_, r) = run_rogue(
        &mut bus,
        OPEN_OUT,
        "(call $loan (global.get $pub) (i32.const 8) (i32.const 64))",
    );
    assert!(r.unwrap());
    let (_, r) = run_rogue(
        &mut bus,
        OPEN_OUT,
        "(drop (call $loan_address (i32.const 1)))",
    );
    one_line_trap(r, "handle");
    let (_, r) = run_rogue(
        &mut bus,
        OPEN_OUT,
        "(call $publish (global.get $pub) (i32.const 77) (i32.const 8) (i32.const 64))",
    );
    one_line_trap(r, "handle");
    assert_eq!(b.census().0, 1, "the honest guest's loan is untouched");
    relay_still_works(&b, &mut bus, relay);
}

#[test]
fn a_sample_used_after_release_traps() {
    let (b, mut bus, relay) = setup();
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let step = r#"
      (call $receive (global.get $sub) (i32.const 64))
      (global.set $h (i32.load (i32.const 72)))
      (i32.store8 (i32.const 200) (i32.load8_u (i32.const 68)))
      (call $sample_drop (global.get $h))
      (drop (call $sample_address (global.get $h)))"#;
    let g = guest(&rogue(OPEN_IN, step));
    let i = join(
        &mut bus,
        instance(&linker(), &g, &b, Grants::none().subscribe("in")),
    );
    let loan = tx.loan(4).unwrap();
    loan.publish(4).unwrap();
    one_line_trap(bus.step(i, 0), "handle");
    assert_eq!(byte(&bus, i, 200), 1, "it had received the sample");
    relay_still_works(&b, &mut bus, relay);
}

#[test]
fn topics_not_granted_or_unknown_are_error_values() {
    let (b, mut bus, relay) = setup();
    let step = r#"
      (call $pub_open (i32.const 48) (i32.const 6) (i32.const 64))
      (i32.store8 (i32.const 200) (i32.load8_u (i32.const 68)))
      (call $sub_open (i32.const 48) (i32.const 6) (i32.const 64))
      (i32.store8 (i32.const 201) (i32.load8_u (i32.const 68)))
      (call $sub_open (i32.const 48) (i32.const 3) (i32.const 64))
      (i32.store8 (i32.const 202) (i32.load8_u (i32.const 68)))
      ;; a topic name that is not UTF-8 is a trap
      (i32.store8 (i32.const 56) (i32.const 255))
      (call $sub_open (i32.const 56) (i32.const 1) (i32.const 64))"#;
    let (i, r) = run_rogue(&mut bus, "", step);
    one_line_trap(r, "UTF-8");
    const DENIED: u8 = 0;
    const NO_SUCH_TOPIC: u8 = 1;
    assert_eq!((byte(&bus, i, 200), byte(&bus, i, 201)), (DENIED, DENIED));
    assert_eq!(byte(&bus, i, 202), NO_SUCH_TOPIC);
    relay_still_works(&b, &mut bus, relay);
}
