//! Pub/sub latency and throughput, in one run:
//! `cargo bench -p wasmbed-bench --bench pubsub`.
//!
//! Latency of one 64-byte message (loan, write, publish, receive, read,
//! release, with the guest calls that do it): guest → native, native →
//! guest, guest → guest on one wasmbed bus; the anchor is iceoryx2 native →
//! native between two processes, ping-pong as iceoryx2's own benchmarks do
//! (this bench run again as the echo peer), one way = half a round trip.
//!
//! Throughput of 1 MiB messages native → guest: pub/sub (the host writes the
//! bytes in place in the guest's storage, the guest reads them there)
//! against passing the same bytes as `list<u8>` to an ordinary export (the
//! guest's `realloc`, then a copy) on wasmbed and on wasmtime; the guest
//! reads the first and last byte. Twice: with the host writing every byte
//! each time (a producer: a memset of 1 MiB), and with the bytes already
//! there ("transfer only": what moving them costs).
//! Copy counts are printed from the broker's statistics.

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use wasmbed::{Guest, Limits, Linker, Wasmi};
use wasmbed_bench::{component_of, resolve_world};
use wasmbed_pubsub::transport::iceoryx2::Iceoryx2;
use wasmbed_pubsub::{
    Broker, Bus, Grants, PubSubCtx, Publisher, Receiver, Sender, Subscriber, TopicConfig, Transport,
};

const MIB: u32 = 1 << 20;

/// The broker's imports in WAT, as the pub/sub tests declare them.
const IMPORTS: &str = include_str!("../../pubsub/tests/imports.wat");
const ECHO_ENV: &str = "WASMBED_BENCH_ECHO";

struct Host {
    ps: PubSubCtx,
}

/// A guest with no `cabi_realloc`: `init` lends 2 MiB + 64 KiB at 64 KiB,
/// subscribes to `sub` and opens a publisher on `publ` (either may be
/// empty); each `step` publishes one `size`-byte sample filled with the
/// tick (when publishing) and reads the first and last byte of every
/// queued sample, then drops it.
fn node_wat(publ: &str, sub: &str, size: u32) -> String {
    format!(
        r#"(module
  {IMPORTS}
  (memory (export "memory") 36)
  (data (i32.const 16) "{publ}")
  (data (i32.const 40) "{sub}")
  (global $pub (mut i32) (i32.const 0))
  (global $sub (mut i32) (i32.const 0))
  (global $sum (mut i32) (i32.const 0))
  (func (export "wasmbed:pubsub/task@0.1.0#init") (result i32)
    (call $add_storage (i32.const 65536) (i32.const {storage}) (i32.const 64))
    (if (i32.const {plen}) (then
      (call $pub_open (i32.const 16) (i32.const {plen}) (i32.const 64))
      (global.set $pub (i32.load (i32.const 68)))))
    (if (i32.const {slen}) (then
      (call $sub_open (i32.const 40) (i32.const {slen}) (i32.const 64))
      (global.set $sub (i32.load (i32.const 68)))))
    (i32.store8 (i32.const 96) (i32.const 0))
    (i32.const 96))
  (func (export "wasmbed:pubsub/task@0.1.0#step") (param $tick i64) (result i32)
    (local $s i32) (local $a i32) (local $l i32)
    (if (i32.const {plen}) (then
      (call $loan (global.get $pub) (i32.const {size}) (i32.const 64))
      (local.set $l (i32.load (i32.const 68)))
      (memory.fill (call $loan_address (local.get $l)) (i32.wrap_i64 (local.get $tick)) (i32.const {size}))
      (call $publish (global.get $pub) (local.get $l) (i32.const {size}) (i32.const 64))))
    (if (i32.const {slen}) (then
      (block $done (loop $next
        (call $receive (global.get $sub) (i32.const 64))
        (br_if $done (i32.load8_u (i32.const 64)))
        (br_if $done (i32.eqz (i32.load8_u (i32.const 68))))
        (local.set $s (i32.load (i32.const 72)))
        (local.set $a (call $sample_address (local.get $s)))
        (global.set $sum (i32.add (global.get $sum) (i32.add (i32.load8_u (local.get $a))
          (i32.load8_u (i32.sub (i32.add (local.get $a) (call $sample_len (local.get $s))) (i32.const 1))))))
        (call $sample_drop (local.get $s))
        (br $next)))))
    (i32.const 1))
)"#,
        plen = publ.len(),
        slen = sub.len(),
        storage = 2 * MIB + 65536,
    )
}

fn topics() -> Vec<TopicConfig> {
    let small = |n: &str| TopicConfig::new(n, 64).queue_depth(2);
    vec![
        small("g2n"),
        small("n2g"),
        small("g2g"),
        TopicConfig::new("big", MIB)
            .queue_depth(1)
            .max_loans(1)
            .native_blocks(1),
    ]
}

struct Setup {
    broker: Broker,
    bus: Bus<Wasmi, Host>,
    linker: Linker<Host>,
}

impl Setup {
    fn new() -> Setup {
        let broker = Broker::new();
        for t in topics() {
            broker.add_topic(t).unwrap();
        }
        let mut linker = Linker::new();
        wasmbed_pubsub::add_to_linker(&mut linker, |h: &mut Host| &mut h.ps);
        Setup {
            bus: Bus::new(&broker),
            broker,
            linker,
        }
    }

    fn guest(&mut self, publ: &str, sub: &str, size: u32) -> usize {
        let wit = concat!(env!("CARGO_MANIFEST_DIR"), "/../../wit/pubsub/pubsub.wit");
        let world = wasmbed_wit::world_from_path(wit.as_ref(), Some("participant")).unwrap();
        let wasm = wat::parse_str(node_wat(publ, sub, size)).unwrap();
        let guest = Guest::new(&Wasmi::new(), &wasm, world).unwrap();
        let ps = PubSubCtx::new(&self.broker, Grants::all());
        let part = ps.part();
        let limits = Limits::default();
        let inst = self
            .linker
            .instantiate(&guest, Host { ps }, limits)
            .unwrap();
        let i = self.bus.add(inst, part);
        self.bus.init(i).unwrap().unwrap();
        i
    }

    fn copies(&self, topic: &str) -> (u64, u64) {
        let s = self.broker.stats(self.broker.topic(topic).unwrap());
        (s.published, s.copies)
    }
}

fn latency(c: &mut Criterion) {
    let mut s = Setup::new();
    let g_pub = s.guest("g2n", "", 64);
    let g_sub = s.guest("", "n2g", 64);
    let g2g_pub = s.guest("g2g", "", 64);
    let g2g_sub = s.guest("", "g2g", 64);
    let native = s.broker.add_native(Grants::all());
    let rx = Subscriber::open(&s.broker, native, "g2n").unwrap();
    let tx = Publisher::open(&s.broker, native, "n2g").unwrap();

    let mut g = c.benchmark_group("pubsub 64 B one way");
    g.bench_function("guest to native", |b| {
        b.iter(|| {
            s.bus.step(g_pub, 7).unwrap();
            let sample = rx.receive().unwrap().unwrap();
            black_box(s.bus.read(&sample, |b| b[0] ^ b[63]));
        })
    });
    g.bench_function("native to guest", |b| {
        b.iter(|| {
            let loan = tx.loan(64).unwrap();
            s.bus.write(&loan, |w| w.fill(7)).unwrap();
            loan.publish(64).unwrap();
            s.bus.step(g_sub, 0).unwrap();
        })
    });
    g.bench_function("guest to guest", |b| {
        b.iter(|| {
            s.bus.step(g2g_pub, 7).unwrap();
            s.bus.step(g2g_sub, 0).unwrap();
        })
    });
    iceoryx2_anchor(&mut g);
    g.finish();
    println!(
        "copies (published, copies): g2n {:?}, n2g {:?}, g2g {:?}",
        s.copies("g2n"),
        s.copies("n2g"),
        s.copies("g2g")
    );
}

/// Native → native between two processes: this binary again as the echo peer.
fn iceoryx2_anchor(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let prefix = format!("wasmbed-bench/{}", std::process::id());
    let mut node = Iceoryx2::with_prefix(&prefix).unwrap();
    let mut ping = node.sender(&TopicConfig::new("ping", 64)).unwrap();
    let mut pong = node.receiver(&TopicConfig::new("pong", 64)).unwrap();
    let mut child = spawn_echo(&prefix);
    g.bench_function("iceoryx2 native to native, two processes", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for i in 0..iters {
                ping.send_with(64, &mut |w| w[0] = i as u8).unwrap();
                while !pong
                    .receive_with(&mut |r| {
                        black_box(r[0]);
                    })
                    .unwrap()
                {}
            }
            // One way is half a round trip.
            start.elapsed() / 2
        })
    });
    ping.send_with(1, &mut |w| w[0] = 0xFF).unwrap();
    let _ = child.wait();
}

fn spawn_echo(prefix: &str) -> Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(ECHO_ENV, prefix)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    child
}

/// The echo peer: every `ping` back as `pong` until a one-byte 0xFF.
fn echo(prefix: &str) {
    let mut node = Iceoryx2::with_prefix(prefix).unwrap();
    let mut ping = node.receiver(&TopicConfig::new("ping", 64)).unwrap();
    let mut pong = node.sender(&TopicConfig::new("pong", 64)).unwrap();
    println!("ready");
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut stop = false;
    while !stop && Instant::now() < deadline {
        let mut got = [0u8; 64];
        let mut n = 0;
        if ping
            .receive_with(&mut |r| {
                n = r.len();
                got[..n].copy_from_slice(r);
            })
            .unwrap()
        {
            if n == 1 && got[0] == 0xFF {
                stop = true;
            } else {
                pong.send_with(n, &mut |w| w.copy_from_slice(&got[..n]))
                    .unwrap();
            }
        }
    }
}

/// The `list<u8>` guest: `consume(data) -> u32` returns the first plus the last byte; `cm32p2` names, bump `realloc`.
const LIST_WIT: &str = "package bench:ps;
world w {
  export consume: func(data: list<u8>) -> u32;
}";

const LIST_WAT: &str = r#"(module
  (memory (export "cm32p2_memory") 36)
  (global $heap (mut i32) (i32.const 65536))
  (func (export "cm32p2_realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
    (local $r i32)
    (local.set $r (global.get $heap))
    (global.set $heap (i32.add (local.get $r) (local.get $size)))
    (local.get $r))
  (func (export "cm32p2||consume") (param $p i32) (param $l i32) (result i32)
    (global.set $heap (i32.const 65536))
    (i32.add (i32.load8_u (local.get $p))
             (i32.load8_u (i32.sub (i32.add (local.get $p) (local.get $l)) (i32.const 1))))))"#;

fn throughput(c: &mut Criterion) {
    let mut s = Setup::new();
    let g_big = s.guest("", "big", MIB);
    let native = s.broker.add_native(Grants::all());
    let tx = Publisher::open(&s.broker, native, "big").unwrap();

    let (r, w) = resolve_world(LIST_WIT, "w");
    let world = wasmbed_wit::world_from_resolve(&r, w).unwrap();
    let wasm = wat::parse_str(LIST_WAT).unwrap();
    let guest = Guest::new(&Wasmi::new(), &wasm, world).unwrap();
    let mut wb = Linker::new()
        .instantiate(&guest, (), Limits::default())
        .unwrap();

    let component = component_of(LIST_WAT, &r, w);
    let engine = wasmtime::Engine::default();
    let component = wasmtime::component::Component::new(&engine, component).unwrap();
    let mut store = wasmtime::Store::new(&engine, ());
    let wt = wasmtime::component::Linker::<()>::new(&engine)
        .instantiate(&mut store, &component)
        .unwrap();
    let wt_consume = wt
        .get_typed_func::<(&[u8],), (u32,)>(&mut store, "consume")
        .unwrap();

    let mut data = vec![0u8; MIB as usize];
    let mut g = c.benchmark_group("1 MiB native to guest");
    g.throughput(Throughput::Bytes(MIB.into()));
    g.sample_size(30);
    g.bench_function("pubsub (written in place)", |b| {
        b.iter(|| {
            let loan = tx.loan(MIB).unwrap();
            s.bus.write(&loan, |w| w.fill(7)).unwrap();
            loan.publish(MIB).unwrap();
            s.bus.step(g_big, 0).unwrap();
        })
    });
    g.bench_function("list<u8> export, wasmbed", |b| {
        b.iter(|| {
            data.fill(7);
            // Resolved per call (the handle's type borrows `data`): a lookup, against a 1 MiB copy.
            let consume = wb.typed::<(&[u8],), u32>("consume").unwrap();
            black_box(consume.call(&mut wb, (&data,)).unwrap());
        })
    });
    g.bench_function("list<u8> export, wasmtime", |b| {
        b.iter(|| {
            data.fill(7);
            let (r,) = wt_consume.call(&mut store, (&data,)).unwrap();
            black_box(r);
        })
    });
    // The bytes already there: what the transfer itself costs.
    data.fill(7);
    g.bench_function("pubsub, transfer only", |b| {
        b.iter(|| {
            let loan = tx.loan(MIB).unwrap();
            loan.publish(MIB).unwrap();
            s.bus.step(g_big, 0).unwrap();
        })
    });
    g.bench_function("list<u8> export, wasmbed, transfer only", |b| {
        b.iter(|| {
            let consume = wb.typed::<(&[u8],), u32>("consume").unwrap();
            black_box(consume.call(&mut wb, (&data,)).unwrap());
        })
    });
    g.bench_function("list<u8> export, wasmtime, transfer only", |b| {
        b.iter(|| {
            let (r,) = wt_consume.call(&mut store, (&data,)).unwrap();
            black_box(r);
        })
    });
    g.finish();
    println!("copies (published, copies): big {:?}", s.copies("big"));
}

fn main() {
    if let Ok(prefix) = std::env::var(ECHO_ENV) {
        echo(&prefix);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    latency(&mut c);
    throughput(&mut c);
    c.final_summary();
}
