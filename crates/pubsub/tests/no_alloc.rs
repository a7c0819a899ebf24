//! Once warm, publishing, receiving and a guest's steps allocate nothing:
//! counted per thread with a global allocator, over the firmware's round
//! trip (the C guest publishes on "ping" into the storage it lends, native
//! code reads it in place and answers on "pong" into that storage).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;

use wasmbed::{Guest, Limits, Linker, Wasmi};
use wasmbed_pubsub::{Broker, Bus, Grants, PubSubCtx, Publisher, Subscriber, TopicConfig};

struct Counting;

thread_local! {
    /// This thread's allocations: tests run in parallel, each counts its own.
    static MINE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Allocations made by this thread so far.
fn allocated() -> usize {
    MINE.with(|c| c.get())
}

// SAFETY: forwards every call unchanged to the system allocator; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        MINE.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        MINE.with(|c| c.set(c.get() + 1));
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Host {
    ps: PubSubCtx,
}

#[test]
fn a_warm_round_trip_between_a_guest_and_native_code_allocates_nothing() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/pubsub/roundtrip.wasm");
    let wasm = std::fs::read(path).unwrap();
    let world = wasmbed_wit::world_from_module(&wasm)
        .unwrap()
        .expect("component-type section");
    let guest = Guest::new(&Wasmi::eager(), &wasm, world).unwrap();
    let mut linker: Linker<Host> = Linker::new();
    wasmbed_pubsub::add_to_linker(&mut linker, |h: &mut Host| &mut h.ps);
    let broker = Broker::new();
    for t in ["ping", "pong"] {
        broker.add_topic(TopicConfig::new(t, 64)).unwrap();
    }
    let ps = PubSubCtx::new(&broker, Grants::none().publish("ping").subscribe("pong"));
    let part = ps.part();
    let inst = linker
        .instantiate(&guest, Host { ps }, Limits::default())
        .unwrap();
    let mut bus = Bus::<Wasmi, Host>::new(&broker);
    let g = bus.add(inst, part);
    bus.init(g).unwrap().unwrap();
    let native = broker.add_native(Grants::all());
    let pings = Subscriber::open(&broker, native, "ping").unwrap();
    let pongs = Publisher::open(&broker, native, "pong").unwrap();

    let mut tick = |tick: u64| {
        bus.step(g, tick).unwrap();
        let ping = pings.receive().unwrap().expect("one ping per step");
        let mut bytes = [0u8; 64];
        let right = bus.read(&ping, |b| {
            bytes.copy_from_slice(b);
            b.iter()
                .enumerate()
                .all(|(j, x)| *x == (tick as u8).wrapping_add(j as u8))
        });
        assert_eq!(right, Some(true), "ping {tick}");
        drop(ping);
        let pong = pongs.loan(64).unwrap();
        bus.write(&pong, |w| w.copy_from_slice(&bytes)).unwrap();
        pong.publish(64).unwrap();
    };
    // Warm: the broker's books and the runtime's handle tables reach their size.
    for t in 0..4 {
        tick(t);
    }
    let before = allocated();
    for t in 4..104 {
        tick(t);
    }
    let allocations = allocated() - before;
    assert_eq!(
        allocations, 0,
        "100 round trips allocated {allocations} times"
    );
    let s = broker.stats(broker.topic("pong").unwrap());
    assert_eq!((s.published, s.copies), (104, 0));
}
