//! A guest that traps gives back what it held; the others lose nothing.

use wasmbed::Wasmi;
use wasmbed_pubsub::{Bus, Grants, Publisher, Subscriber, TopicConfig};

use crate::{broker, guest, instance, join, linker, rogue, Host, OPEN_IN, OPEN_OUT};

#[test]
fn a_trapping_guest_loses_its_loans_and_samples_and_the_others_lose_nothing() {
    let b = broker(&["in", "out"].map(|n| TopicConfig::new(n, 64)));
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    // Holds a received sample and a loan, then traps.
    let step = r#"
      (call $receive (global.get $sub) (i32.const 64))
      (call $loan (global.get $pub) (i32.const 32) (i32.const 64))
      unreachable"#;
    let g = guest(&rogue(&format!("{OPEN_IN} {OPEN_OUT}"), step));
    let grants = Grants::none().subscribe("in").publish("out");
    let i = join(&mut bus, instance(&linker(), &g, &b, grants));
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let rx = Subscriber::open(&b, native, "in").unwrap();

    let loan = tx.loan(5).unwrap();
    bus.write(&loan, |w| w.copy_from_slice(b"first")).unwrap();
    loan.publish(5).unwrap();
    let msg = bus.step(i, 0).unwrap_err().to_string();
    assert!(msg.contains("unreachable"), "{msg}");

    // The native subscriber still reads its sample, which lives in the
    // trapped guest's storage: that memory stays while the bus does.
    let s = rx
        .receive()
        .unwrap()
        .expect("the native subscriber lost nothing");
    assert_eq!(bus.read(&s, |b| b.to_vec()).unwrap(), b"first");
    let (loans, _, held) = b.census();
    assert_eq!(
        (loans, held),
        (0, 1),
        "only the native subscriber's sample is held"
    );
    drop(s);

    // New samples reach the living subscriber only, from the topic's own blocks.
    let loan = tx.loan(6).unwrap();
    bus.write(&loan, |w| w.copy_from_slice(b"second")).unwrap();
    loan.publish(6).unwrap();
    let s = rx.receive().unwrap().unwrap();
    assert_eq!(bus.read(&s, |b| b.to_vec()).unwrap(), b"second");
    drop(s);
    assert_eq!(b.census(), (0, 0, 0));
    assert_eq!(b.blocks_in_use(), 0, "every block went back");
    let st = b.stats(b.topic("in").unwrap());
    assert_eq!((st.published, st.delivered, st.received), (2, 3, 3));
}

#[test]
fn a_guest_without_storage_gets_no_storage_and_a_full_queue_refuses_or_drops() {
    use wasmbed_pubsub::{Overflow, PubSubError};
    let b = broker(&[
        TopicConfig::new("drop", 8).queue_depth(2),
        TopicConfig::new("refuse", 8)
            .queue_depth(2)
            .overflow(Overflow::Refuse),
    ]);
    let native = b.add_native(Grants::all());
    for (topic, third) in [("drop", Ok(())), ("refuse", Err(PubSubError::QueueFull))] {
        let tx = Publisher::open(&b, native, topic).unwrap();
        let rx = Subscriber::open(&b, native, topic).unwrap();
        tx.loan(8).unwrap().publish(8).unwrap();
        tx.loan(8).unwrap().publish(8).unwrap();
        assert_eq!(tx.loan(8).unwrap().publish(8), third, "{topic}");
        let st = b.stats(b.topic(topic).unwrap());
        assert_eq!(
            (st.dropped, st.refused),
            if third.is_ok() { (1, 0) } else { (0, 1) }
        );
        drop(rx);
    }
    assert_eq!(b.blocks_in_use(), 0);
    // A guest participant that lent nothing cannot loan.
    let g = b.add_guest(Grants::all());
    let p = b.open_publisher(g, "drop").unwrap();
    assert_eq!(b.loan(p, g, 8), Err(PubSubError::NoStorage));
}

/// Regression (fuzz, pubsub_broker): a guest subscriber with no room for a
/// copy lost the sample without it being counted as delivered, so the books
/// did not balance; and a guest with no storage could subscribe at all.
#[test]
fn a_sample_with_no_room_in_a_guest_is_delivered_and_dropped_in_the_books() {
    use wasmbed_pubsub::PubSubError;
    let b = broker(&[TopicConfig::new("a", 64).queue_depth(4)]);
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "a").unwrap();
    let g = b.add_guest(Grants::all());
    assert_eq!(
        b.open_subscriber(g, "a").err(),
        Some(PubSubError::NoStorage)
    );
    // Storage for one 64-byte block only.
    b.add_storage(g, 1024, 64, 65536).unwrap();
    let s = b.open_subscriber(g, "a").unwrap();
    // The first lands in the guest's storage; the second must drop the first.
    tx.loan(64).unwrap().publish(64).unwrap();
    let held = b.receive(s, g).unwrap().expect("the first sample");
    // Now the guest holds the only block: a copy has no room at all.
    let other = b.add_native(Grants::all());
    let _keep = Subscriber::open(&b, other, "a").unwrap();
    tx.loan(64).unwrap().publish(64).unwrap();
    let t = b.topic("a").unwrap();
    let st = b.stats(t);
    assert_eq!(
        st.delivered,
        st.received + st.dropped + st.discarded + b.queued(t) as u64
    );
    b.release(held, g).unwrap();
}

#[test]
fn a_signal_wakes_a_guest_waiting_for_a_sample() {
    use std::time::{Duration, Instant};
    use wasmbed::{Guest, Interrupt, Limits, SignalConfig};
    let b = broker(&[TopicConfig::new("in", 8)]);
    let wasm = wat::parse_str(rogue(
        OPEN_IN,
        // Wait up to 10 s for a sample that never comes, forever.
        r#"(loop $again
             (call $wait (global.get $sub) (i64.const 10000000000) (i32.const 64))
             (br $again))"#,
    ))
    .unwrap();
    let guest = Guest::new(&Wasmi::with_fuel(), &wasm, crate::world()).unwrap();
    let ps = wasmbed_pubsub::PubSubCtx::new(&b, Grants::all());
    let part = ps.part();
    let mut inst = linker()
        .instantiate(&guest, Host { ps }, Limits::default())
        .unwrap();
    let interrupt = Interrupt::new();
    inst.set_signals(interrupt.clone(), SignalConfig::default())
        .unwrap();
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let i = bus.add(inst, part);
    bus.init(i).unwrap().unwrap();
    let raiser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        interrupt.raise(wasmbed::signals::INTERRUPT);
    });
    let start = Instant::now();
    let e = bus.step(i, 0).unwrap_err().to_string();
    raiser.join().unwrap();
    assert!(e.contains("interrupted by signal 2"), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        b.census(),
        (0, 0, 0),
        "the interrupted guest gave everything back"
    );
}
