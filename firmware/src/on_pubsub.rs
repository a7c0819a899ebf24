//! The pub/sub guest through wasmbed-pubsub (feature `pubsub`): the guest
//! lends the broker 512 bytes of its memory, publishes 64 bytes on "ping"
//! each step, and reads what arrives on "pong"; native code checks each ping
//! and answers on "pong", writing straight into the guest's storage. The
//! world comes from `guests/pubsub/participant.bin`, the compact form the
//! device decodes without WIT (docs/world-format.md).

use wasmbed::{Guest, Limits, Linker, Wasmi};
use wasmbed_pubsub::{Broker, Bus, Grants, PubSubCtx, Publisher, Store, Subscriber, TopicConfig};

use crate::{fail, heap_line};

/// The guest's world, as `wasmbed world compile` writes it.
static WORLD: &[u8] = include_bytes!("../../guests/pubsub/participant.bin");

/// Bytes per ping, as `guests/pubsub/roundtrip.c` publishes them.
const PING: u32 = 64;
/// Round trips: a ping out, a pong back.
const TICKS: u64 = 50;

/// The host data of the guest: its pub/sub context.
struct Host {
    ps: PubSubCtx,
}

/// Instantiates `guest`, runs the round trips and prints the topics'
/// counts: whether every ping was right and no byte was copied.
pub(crate) fn calls(guest: &[u8]) -> bool {
    let world = wasmbed_wit::compact::decode(WORLD).unwrap_or_else(|_| fail("corrupt world"));
    let engine = Wasmi::eager();
    let guest =
        Guest::new(&engine, guest, world).unwrap_or_else(|_| fail("guest does not fit its world"));
    let mut linker: Linker<Host> = Linker::new();
    wasmbed_pubsub::add_to_linker(&mut linker, |h: &mut Host| &mut h.ps);

    let broker = Broker::new();
    for topic in ["ping", "pong"] {
        broker
            // Every sample lives in the guest's storage (the pongs too: the
            // guest subscribes), so the topics keep no host-side blocks.
            .add_topic(TopicConfig::new(topic, PING).native_blocks(0))
            .unwrap_or_else(|_| fail("topic"));
    }
    let ps = PubSubCtx::new(&broker, Grants::none().publish("ping").subscribe("pong"));
    let part = ps.part();
    let inst = linker
        .instantiate(&guest, Host { ps }, Limits::default())
        .unwrap_or_else(|_| fail("instantiate"));
    // What only linking needed: the instance keeps the compiled module and
    // its world, not the guest's name tables nor the linker's.
    drop(guest);
    drop(linker);
    let mut bus = Bus::<Wasmi, Host>::new(&broker);
    let g = bus.add(inst, part);
    if !matches!(bus.init(g), Ok(Ok(()))) {
        fail("init");
    }
    let native = broker.add_native(Grants::all());
    let pings = Subscriber::open(&broker, native, "ping").unwrap_or_else(|_| fail("subscribe"));
    let pongs = Publisher::open(&broker, native, "pong").unwrap_or_else(|_| fail("publish"));
    heap_line("after instantiation");

    let mut right = true;
    for tick in 0..TICKS {
        if bus.step(g, tick).is_err() {
            fail("step");
        }
        let Ok(Some(ping)) = pings.receive() else {
            fail("no ping")
        };
        // Read in place, in the guest's storage: the broker copies nothing.
        let mut bytes = [0u8; PING as usize];
        let read = bus.read(&ping, |b| {
            let ok = b.len() == bytes.len()
                && b.iter()
                    .enumerate()
                    .all(|(j, x)| *x == (tick as u8).wrapping_add(j as u8));
            if ok {
                bytes.copy_from_slice(b);
            }
            ok
        });
        right &= read == Some(true);
        drop(ping);
        // The answer goes straight into the storage the guest lent.
        let pong = pongs.loan(PING).unwrap_or_else(|_| fail("loan"));
        right &= pong.block().store == Store::Guest(part);
        right &= bus.write(&pong, |w| w.copy_from_slice(&bytes)).is_some();
        pong.publish(PING).unwrap_or_else(|_| fail("publish"));
    }
    // One more step reads the last pong (and pings once more).
    if bus.step(g, TICKS).is_err() {
        fail("step");
    }
    heap_line("after the calls");
    let stats = |t| broker.stats(broker.topic(t).unwrap_or_else(|| fail("topic")));
    let (ping, pong) = (stats("ping"), stats("pong"));
    say!(
        "ping: {} published, {} received, {} copies",
        ping.published,
        ping.received,
        ping.copies
    );
    say!(
        "pong: {} published, {} received, {} copies",
        pong.published,
        pong.received,
        pong.copies
    );
    right
        && (ping.published, ping.received, ping.copies) == (TICKS + 1, TICKS, 0)
        && (pong.published, pong.received, pong.copies) == (TICKS, TICKS, 0)
}
