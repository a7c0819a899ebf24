//! Threads: what a guest thread costs next to a native one, in one run.
//! `cargo bench -p wasmbed-bench --bench threads`.
//!
//! - spawn + join: the guest (`guests/threads/worker.wasm`) spawns `count(1)`
//!   (a new instance on a new host thread: one lock, one host call, one
//!   unlock) and joins it, against `std::thread::spawn` + `join` of the same
//!   work on a native `Mutex`;
//! - hand-off: two guest threads pass the turn back and forth through two
//!   host semaphores (`run-ping-pong`), against two native threads doing the
//!   same through `std` mutexes and condition variables. The figure is per
//!   round trip, two hand-offs.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use criterion::{Criterion, Throughput};
use wasmbed::{Guest, Instance, Limits, Linker, SignalConfig, Val, Wasmi};
use wasmbed_threads::{Grants, Threads, ThreadsCtx};

struct Host {
    threads: ThreadsCtx,
    cell: Arc<AtomicU64>,
}

const CELL: &str = "wasmbed:threads-test/cell";

/// The worker guest's main instance, with two threads granted.
fn main_instance() -> Instance<Wasmi, Host> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/threads/worker.wasm");
    let wasm = std::fs::read(path).unwrap();
    let world = wasmbed_wit::world_from_module(&wasm).unwrap().unwrap();
    let guest = Guest::new(&Wasmi::with_fuel(), &wasm, world).unwrap();
    let mut l = Linker::new();
    wasmbed_threads::add_to_linker(&mut l, |h: &mut Host| &mut h.threads);
    l.func_typed(CELL, "get", |cx, (): ()| {
        Ok(cx.data().cell.load(Ordering::Relaxed))
    });
    l.func_typed(CELL, "set", |cx, (v,): (u64,)| {
        cx.data().cell.store(v, Ordering::Relaxed);
        Ok(())
    });
    let threads = Threads::new(Grants::threads(2));
    let cell = Arc::new(AtomicU64::new(0));
    let pre = l.instantiate_pre(&guest).unwrap();
    let make = move |threads| {
        Ok(Host {
            threads,
            cell: cell.clone(),
        })
    };
    let main = pre
        .instantiate(make(threads.main()).unwrap(), Limits::default())
        .unwrap();
    threads
        .serve(pre, make, Limits::default(), SignalConfig::default())
        .unwrap();
    main
}

fn call(main: &mut Instance<Wasmi, Host>, name: &str, arg: u64) -> u64 {
    match main.call(name, &[Val::U64(arg)]) {
        Ok(Some(Val::U64(v))) => v,
        other => panic!("{name}: {other:?}"),
    }
}

/// Two native threads passing the turn through a flag under a mutex, with a condition variable each way.
struct Turn {
    ping: Mutex<bool>,
    ping_cv: Condvar,
    pong: Mutex<bool>,
    pong_cv: Condvar,
}

fn give(m: &Mutex<bool>, cv: &Condvar) {
    *m.lock().unwrap() = true;
    cv.notify_one();
}

fn take(m: &Mutex<bool>, cv: &Condvar) {
    let mut g = m.lock().unwrap();
    while !*g {
        g = cv.wait(g).unwrap();
    }
    *g = false;
}

fn native_ping_pong(n: u64) {
    let t = Arc::new(Turn {
        ping: Mutex::new(false),
        ping_cv: Condvar::new(),
        pong: Mutex::new(false),
        pong_cv: Condvar::new(),
    });
    let other = t.clone();
    let h = std::thread::spawn(move || {
        for _ in 0..n {
            take(&other.ping, &other.ping_cv);
            give(&other.pong, &other.pong_cv);
        }
    });
    for _ in 0..n {
        give(&t.ping, &t.ping_cv);
        take(&t.pong, &t.pong_cv);
    }
    h.join().unwrap();
}

fn bench(c: &mut Criterion) {
    let mut main = main_instance();
    let mut g = c.benchmark_group("threads/spawn+join");
    g.bench_function("wasmbed guest thread", |b| {
        b.iter(|| assert_eq!(call(&mut main, "try-spawn", 0), 1))
    });
    let counter = Arc::new(Mutex::new(0u64));
    g.bench_function("native std::thread", |b| {
        b.iter(|| {
            let c = counter.clone();
            std::thread::spawn(move || *c.lock().unwrap() += 1)
                .join()
                .unwrap();
        })
    });
    g.finish();

    let n = 1000;
    let mut g = c.benchmark_group("threads/hand-off");
    g.throughput(Throughput::Elements(n));
    g.bench_function("wasmbed guest threads (semaphores)", |b| {
        b.iter(|| assert_eq!(call(&mut main, "run-ping-pong", black_box(n)), n))
    });
    g.bench_function("native threads (mutex + condvar)", |b| {
        b.iter(|| native_ping_pong(black_box(n)))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
