//! Where bytes are copied, and where not: the counts the issue asks for.

use wasmbed::Wasmi;
use wasmbed_pubsub::{Bus, Grants, Publisher, Store, Subscriber, TopicConfig};

use crate::{broker, guest, instance, join, linker, relay_wat, Host};

fn topics() -> Vec<TopicConfig> {
    ["in", "mid", "out"]
        .map(|n| TopicConfig::new(n, 64))
        .to_vec()
}

fn relay_grants(i: &str, o: &str) -> Grants {
    Grants::none().subscribe(i).publish(o)
}

fn payload(n: u8) -> Vec<u8> {
    (0..64).map(|j| n.wrapping_mul(7).wrapping_add(j)).collect()
}

#[test]
fn native_to_guest_to_native_copies_nothing() {
    let b = broker(&topics());
    let linker = linker();
    let g = guest(&relay_wat("in", "out"));
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let relay = join(
        &mut bus,
        instance(&linker, &g, &b, relay_grants("in", "out")),
    );
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let rx = Subscriber::open(&b, native, "out").unwrap();
    let relay_part = bus.instance(relay).unwrap().data().ps.part();

    for n in 0..10u8 {
        let loan = tx.loan(64).unwrap();
        // The native publisher writes straight into the relay's storage.
        assert_eq!(loan.block().store, Store::Guest(relay_part));
        bus.write(&loan, |bytes| bytes.copy_from_slice(&payload(n)))
            .unwrap();
        loan.publish(64).unwrap();
        assert!(bus.step(relay, n.into()).unwrap());
        let sample = rx
            .receive()
            .unwrap()
            .expect("the relay forwarded the sample");
        // The native subscriber reads the relay's memory in place.
        assert_eq!(sample.block().store, Store::Guest(relay_part));
        assert_eq!(bus.read(&sample, |b| b.to_vec()).unwrap(), payload(n));
    }
    for t in ["in", "out"] {
        let s = b.stats(b.topic(t).unwrap());
        assert_eq!(
            (s.published, s.received, s.copies, s.dropped),
            (10, 10, 0, 0),
            "{t}"
        );
    }
}

#[test]
fn guest_to_guest_costs_one_copy_per_receiving_guest() {
    let b = broker(&topics());
    let linker = linker();
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let first = join(
        &mut bus,
        instance(
            &linker,
            &guest(&relay_wat("in", "mid")),
            &b,
            relay_grants("in", "mid"),
        ),
    );
    let second = join(
        &mut bus,
        instance(
            &linker,
            &guest(&relay_wat("mid", "out")),
            &b,
            relay_grants("mid", "out"),
        ),
    );
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let rx = Subscriber::open(&b, native, "out").unwrap();

    for n in 0..5u8 {
        let loan = tx.loan(64).unwrap();
        bus.write(&loan, |bytes| bytes.copy_from_slice(&payload(n)))
            .unwrap();
        loan.publish(64).unwrap();
        bus.step(first, 0).unwrap();
        bus.step(second, 0).unwrap();
        let sample = rx.receive().unwrap().expect("through both relays");
        assert_eq!(bus.read(&sample, |b| b.to_vec()).unwrap(), payload(n));
    }
    let stat = |t| b.stats(b.topic(t).unwrap());
    assert_eq!(
        (stat("in").copies, stat("mid").copies, stat("out").copies),
        (0, 5, 0)
    );
    assert_eq!(stat("mid").copied_bytes, 5 * 64);
    // Regression (found by the pub/sub bench): copies made stayed on the
    // list of copies owed, which grew by one per sample and slowed every pump.
    assert_eq!(b.pending_copies(), 0);
}

#[test]
fn native_to_several_guests_copies_once_per_extra_guest() {
    let b = broker(&topics());
    let linker = linker();
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let g = guest(&relay_wat("in", "out"));
    let relays: Vec<usize> = (0..3)
        .map(|_| {
            join(
                &mut bus,
                instance(&linker, &g, &b, relay_grants("in", "out")),
            )
        })
        .collect();
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let rx = Subscriber::open(&b, native, "out").unwrap();

    let loan = tx.loan(64).unwrap();
    bus.write(&loan, |bytes| bytes.copy_from_slice(&payload(9)))
        .unwrap();
    loan.publish(64).unwrap();
    for &r in &relays {
        bus.step(r, 0).unwrap();
    }
    // The first guest reads the sample where the native publisher wrote it; the other two get a copy each.
    assert_eq!(b.stats(b.topic("in").unwrap()).copies, 2);
    for _ in &relays {
        let s = rx.receive().unwrap().expect("each relay forwards its copy");
        assert_eq!(bus.read(&s, |b| b.to_vec()).unwrap(), payload(9));
    }
    assert!(rx.receive().unwrap().is_none());
}

#[test]
fn native_to_native_uses_the_topics_own_blocks_and_copies_nothing() {
    let b = broker(&topics());
    let bus = Bus::<Wasmi, Host>::new(&b);
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let rx1 = Subscriber::open(&b, native, "in").unwrap();
    let rx2 = Subscriber::open(&b, native, "in").unwrap();
    let mut bus = bus;
    let loan = tx.loan(5).unwrap();
    assert!(matches!(loan.block().store, Store::Native(_)));
    bus.write(&loan, |w| w.copy_from_slice(b"hello")).unwrap();
    loan.publish(5).unwrap();
    let (s1, s2) = (
        rx1.receive().unwrap().unwrap(),
        rx2.receive().unwrap().unwrap(),
    );
    assert_eq!(s1.block(), s2.block(), "both read the same block");
    assert_eq!(bus.read(&s1, |b| b.to_vec()).unwrap(), b"hello");
    // The broker stays usable while a sample's bytes are borrowed.
    let seen = bus.read(&s1, |bytes| {
        (bytes.len(), b.stats(b.topic("in").unwrap()).received)
    });
    assert_eq!(seen, Some((5, 2)));
    let mut buf = [0u8; 8];
    assert_eq!(bus.copy_out(&s2, &mut buf), Some(5));
    assert_eq!(&buf[..5], b"hello");
    let s = b.stats(b.topic("in").unwrap());
    assert_eq!(
        (s.copies, s.copied_bytes),
        (1, 5),
        "only the copy asked for counts"
    );
    drop((s1, s2));
    assert_eq!(b.blocks_in_use(), 0, "released samples return their block");
}

/// A topic whose samples always live in a guest's storage keeps no
/// host-side blocks (`native_blocks(0)`, as the firmware configures its
/// topics): a native publisher with no guest to write into gets an error,
/// not a panic, and no heap block.
#[test]
fn a_topic_without_native_blocks_refuses_a_native_only_loan() {
    let b = broker(&[TopicConfig::new("in", 64).native_blocks(0)]);
    let native = b.add_native(Grants::all());
    let tx = Publisher::open(&b, native, "in").unwrap();
    let _rx = Subscriber::open(&b, native, "in").unwrap();
    assert!(matches!(
        tx.loan(5),
        Err(wasmbed_pubsub::PubSubError::PoolExhausted)
    ));
    assert_eq!(b.blocks_in_use(), 0);
}
