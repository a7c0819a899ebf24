//! The C guests built with wit-bindgen, no libc and a `realloc` that traps:
//! if the host ever asked them for memory, these tests would fail.

use std::path::Path;

use wasmbed::{Guest, Wasmi};
use wasmbed_pubsub::{Bus, Grants, Publisher, Store, Subscriber, TopicConfig};

use crate::{broker, instance, join, linker, Host};

fn c_guest(rel: &str) -> Guest<Wasmi> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    let wasm = std::fs::read(&path).unwrap();
    let world = wasmbed_wit::world_from_module(&wasm)
        .unwrap()
        .expect("component-type section");
    Guest::new(&Wasmi::new(), &wasm, world).unwrap()
}

#[test]
fn sensor_to_filter_to_a_native_logger() {
    let b = broker(&[
        TopicConfig::new("frames", 16),
        TopicConfig::new("filtered", 12),
    ]);
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let l = linker();
    let sensor = join(
        &mut bus,
        instance(
            &l,
            &c_guest("examples/pubsub/sensor.wasm"),
            &b,
            Grants::none().publish("frames"),
        ),
    );
    let grants = Grants::none().subscribe("frames").publish("filtered");
    let filter = join(
        &mut bus,
        instance(&l, &c_guest("examples/pubsub/filter.wasm"), &b, grants),
    );
    let logger = Subscriber::open(
        &b,
        b.add_native(Grants::none().subscribe("filtered")),
        "filtered",
    )
    .unwrap();

    let mut summaries = Vec::new();
    let mut tick = 0;
    loop {
        let more = bus.step(sensor, tick).unwrap();
        bus.step(filter, tick).unwrap();
        while let Some(s) = logger.receive().unwrap() {
            let words: Vec<i64> = bus
                .read(&s, |b| {
                    b.chunks(4)
                        .map(|c| i32::from_le_bytes(c.try_into().unwrap()) as i64)
                        .collect()
                })
                .unwrap();
            summaries.push(words);
        }
        tick += 1;
        if !more {
            break;
        }
    }
    let expected: Vec<Vec<i64>> = [
        [0, 21000, 0],
        [1, 21150, 0],
        [2, 21300, 0],
        [3, 21950, 1],
        [4, 21600, 0],
        [5, 21750, 0],
        [6, 21900, 0],
        [7, 22050, 1],
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    assert_eq!(summaries, expected);
    let st = |t| b.stats(b.topic(t).unwrap());
    assert_eq!(
        (st("frames").published, st("frames").copies),
        (8, 8),
        "one copy into the filter per frame"
    );
    assert_eq!(
        (st("filtered").published, st("filtered").copies),
        (8, 0),
        "the logger reads in place"
    );
    assert_eq!(b.blocks_in_use(), 0);
}

#[test]
fn a_native_echo_answers_a_c_guest_without_a_single_copy() {
    let b = broker(&[TopicConfig::new("ping", 64), TopicConfig::new("pong", 64)]);
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let g = c_guest("guests/pubsub/roundtrip.wasm");
    let guest = join(
        &mut bus,
        instance(
            &linker(),
            &g,
            &b,
            Grants::none().publish("ping").subscribe("pong"),
        ),
    );
    let guest_part = bus.instance(guest).unwrap().data().ps.part();
    let native = b.add_native(Grants::all());
    let pings = Subscriber::open(&b, native, "ping").unwrap();
    let pongs = Publisher::open(&b, native, "pong").unwrap();

    for tick in 0..50u64 {
        bus.step(guest, tick).unwrap();
        let ping = pings.receive().unwrap().expect("one ping per step");
        let bytes = bus.read(&ping, |b| b.to_vec()).unwrap();
        let want: Vec<u8> = (0..64).map(|j| (tick as u8).wrapping_add(j)).collect();
        assert_eq!(bytes, want);
        // The answer is written straight into the guest's storage.
        let pong = pongs.loan(64).unwrap();
        assert_eq!(pong.block().store, Store::Guest(guest_part));
        bus.write(&pong, |w| w.copy_from_slice(&bytes)).unwrap();
        pong.publish(64).unwrap();
    }
    // The last pong is read by one more step (which pings once more).
    bus.step(guest, 50).unwrap();
    for (t, n) in [("ping", 51), ("pong", 50)] {
        let s = b.stats(b.topic(t).unwrap());
        assert_eq!((s.published, s.received, s.copies), (n, 50, 0), "{t}");
    }
    assert!(
        !bus.instance_mut(guest).unwrap().is_poisoned(),
        "realloc was never called"
    );
}
