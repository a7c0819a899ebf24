//! A topic bridged to iceoryx2: a C guest's pings go out through the
//! transport and pongs from another iceoryx2 node come back in, one copy
//! each way, and the guest's `realloc` (which traps) is never called.
#![cfg(feature = "iceoryx2")]

use std::path::Path;

use wasmbed::{Guest, Limits, Linker, Wasmi};
use wasmbed_pubsub::transport::iceoryx2::Iceoryx2;
use wasmbed_pubsub::{Broker, Bus, Grants, PubSubCtx, Receiver, Sender, TopicConfig, Transport};

struct Host {
    ps: PubSubCtx,
}

#[test]
fn a_guest_talks_to_another_iceoryx2_node_through_a_bridged_topic() {
    let prefix = format!("wasmbed-test/bridge/{}", std::process::id());
    let topics = [TopicConfig::new("ping", 64), TopicConfig::new("pong", 64)];
    let b = Broker::new();
    for t in &topics {
        b.add_topic(t.clone()).unwrap();
    }
    let wasm = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/pubsub/roundtrip.wasm"),
    )
    .unwrap();
    let world = wasmbed_wit::world_from_module(&wasm).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::new(), &wasm, world).unwrap();
    let mut linker = Linker::new();
    wasmbed_pubsub::add_to_linker(&mut linker, |h: &mut Host| &mut h.ps);
    let ps = PubSubCtx::new(&b, Grants::none().publish("ping").subscribe("pong"));
    let part = ps.part();
    let inst = linker
        .instantiate(&guest, Host { ps }, Limits::default())
        .unwrap();
    let mut bus = Bus::<Wasmi, Host>::new(&b);
    let g = bus.add(inst, part);
    bus.init(g).unwrap().unwrap();

    let mut here = Iceoryx2::with_prefix(&prefix).unwrap();
    bus.bridge("ping", &mut here, true, false).unwrap();
    bus.bridge("pong", &mut here, false, true).unwrap();
    // The other side: a second node, as another process would have.
    let mut there = Iceoryx2::with_prefix(&prefix).unwrap();
    let mut pings = there.receiver(&topics[0]).unwrap();
    let mut pongs = there.sender(&topics[1]).unwrap();

    for tick in 0..20u64 {
        bus.step(g, tick).unwrap();
        let mut got = Vec::new();
        assert!(
            pings.receive_with(&mut |b| got = b.to_vec()).unwrap(),
            "ping {tick} went out"
        );
        let want: Vec<u8> = (0..64).map(|j| (tick as u8).wrapping_add(j)).collect();
        assert_eq!(got, want);
        pongs
            .send_with(64, &mut |w| w.copy_from_slice(&got))
            .unwrap();
        bus.pump();
    }
    bus.step(g, 20).unwrap();
    let ping = b.stats(b.topic("ping").unwrap());
    let pong = b.stats(b.topic("pong").unwrap());
    assert_eq!(
        (ping.published, ping.copies),
        (21, 21),
        "one copy into the transport per ping"
    );
    assert_eq!(
        (pong.published, pong.received, pong.copies),
        (20, 20, 20),
        "one copy out of it per pong"
    );
    assert!(!bus.instance_mut(g).unwrap().is_poisoned());
}
