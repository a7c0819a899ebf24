//! WASI preview 1, wasmbed/wasmi (`wasmbed-wasi`) against wasmtime with
//! wasmtime-wasi, same C modules (`guests/wasi/bench_*.c`), one run:
//! `cargo bench -p wasmbed-bench --bench wasi`.
//!
//! `bench_stdout` writes 1 MiB to stdout in 4 KiB `write`s; `bench_files`
//! opens, reads and closes 1000 small files in a read-only preopen. Each
//! module is compiled once and each runtime's preview 1 linker built once; a
//! `run` is what every fresh run costs (WASI context, instantiation through
//! the linker, `_start`), `_start` is the guest alone on an instance made
//! outside the timing. The `instantiate` group is instantiation alone, of
//! `bench_stdout` pre-linked once (`InstancePre` on both sides): a fresh WASI
//! context, then the instance. wasmtime-wasi runs twice: as configured
//! by default, and `on-thread` (`allow_blocking_current_thread`), where file
//! I/O stays on the calling thread instead of tokio's blocking pool. Both
//! sides write stdout into the same counting sink. Every run must exit 0 and
//! leave the expected byte count on stdout, so a failing run cannot pass for
//! a fast one.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, Throughput,
};
use wasmbed::{Guest, Instance, Limits, Linker, Wasmi, World};
use wasmbed_wasi::{Grants, Policy, WasiCtx};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Bytes `bench_stdout` writes.
const STDOUT_BYTES: u64 = 1 << 20;
/// Files `bench_files` reads.
const FILES: u32 = 1000;

/// A standard output that discards what it is given and counts the bytes, for both runtimes.
#[derive(Clone, Default)]
struct Count(Arc<AtomicU64>);

impl Count {
    fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl IsTerminal for Count {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Count {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for Count {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.add(bytes.len());
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(usize::MAX)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Count {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for Count {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.add(buf.len());
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// One guest, compiled once for each runtime, with what a correct run leaves behind.
struct Workload {
    name: &'static str,
    wasmbed: Guest<Wasmi>,
    wasmtime: wasmtime::Module,
    /// The host directory preopened read-only as `.`, if any.
    dir: Option<PathBuf>,
    /// Bytes a correct run writes to stdout.
    stdout: u64,
}

/// wasmbed's preview 1 linker, made once as an embedder would: each instance brings its own context.
struct Wasmbed {
    linker: Linker<WasiCtx>,
}

impl Wasmbed {
    fn new() -> Wasmbed {
        let mut linker = Linker::new();
        wasmbed_wasi::add_preview1_to_linker(&mut linker, Grants::default(), |c| c);
        Wasmbed { linker }
    }
}

/// wasmtime's engine and a preview 1 linker, made once as an embedder would.
struct Wasmtime {
    engine: wasmtime::Engine,
    linker: wasmtime::Linker<WasiP1Ctx>,
}

impl Wasmtime {
    fn new() -> Wasmtime {
        let engine = wasmtime::Engine::default();
        let mut linker = wasmtime::Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c| c)
            .expect("preview 1 links into an empty linker");
        Wasmtime { engine, linker }
    }
}

fn guests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guests/wasi")
}

impl Workload {
    fn new(wt: &Wasmtime, name: &'static str, dir: Option<&Path>, stdout: u64) -> Workload {
        let path = guests().join(format!("{name}.wasm"));
        let wasm = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (build it with guests/build.sh)", path.display()));
        Workload {
            name,
            wasmbed: Guest::new(&Wasmi::new(), &wasm, World::empty(name))
                .unwrap_or_else(|e| panic!("wasmbed compiles {name}: {e}")),
            wasmtime: wasmtime::Module::new(&wt.engine, &wasm)
                .unwrap_or_else(|e| panic!("wasmtime compiles {name}: {e}")),
            dir: dir.map(Path::to_path_buf),
            stdout,
        }
    }

    /// A fresh wasmbed instance, through the linker, and its stdout.
    fn wasmbed_instance(&self, wb: &Wasmbed) -> (Instance<Wasmi, WasiCtx>, Count) {
        let (ctx, out) = self.wasmbed_ctx();
        let instance = wb
            .linker
            .instantiate(&self.wasmbed, ctx, Limits::default())
            .unwrap_or_else(|e| panic!("wasmbed instantiates {}: {e}", self.name));
        (instance, out)
    }

    /// A fresh wasmbed WASI context and its stdout.
    fn wasmbed_ctx(&self) -> (WasiCtx, Count) {
        let out = Count::default();
        let mut policy = Policy::new()
            .arg(self.name)
            .stdout(out.clone())
            .stderr(io::stderr());
        if let Some(dir) = &self.dir {
            policy = policy.preopen_dir(dir, ".", true);
        }
        let ctx = policy.build().expect("the preopened directory exists");
        (ctx, out)
    }

    /// Runs `_start` on wasmbed and checks the run.
    fn wasmbed_start(&self, (mut instance, out): (Instance<Wasmi, WasiCtx>, Count)) {
        let code = match instance.call_core("_start") {
            Ok(()) => 0,
            Err(e) => e
                .exit_code()
                .unwrap_or_else(|| panic!("wasmbed {}: {e}", self.name)),
        };
        self.check("wasmbed", code, &out);
    }

    /// A fresh wasmtime store and instance, its `_start` and its stdout.
    ///
    /// `on_thread` lets wasmtime-wasi do blocking file I/O on the calling
    /// thread instead of handing each operation to tokio's blocking pool.
    fn wasmtime_instance(&self, wt: &Wasmtime, on_thread: bool) -> WasmtimeRun {
        let (ctx, out) = self.wasmtime_ctx(on_thread);
        let mut store = wasmtime::Store::new(&wt.engine, ctx);
        let instance = wt
            .linker
            .instantiate(&mut store, &self.wasmtime)
            .unwrap_or_else(|e| panic!("wasmtime instantiates {}: {e}", self.name));
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .unwrap_or_else(|e| panic!("wasmtime {}: `_start`: {e}", self.name));
        (store, start, out)
    }

    /// A fresh wasmtime-wasi preview 1 context with the same grants, and its stdout.
    fn wasmtime_ctx(&self, on_thread: bool) -> (WasiP1Ctx, Count) {
        let out = Count::default();
        let mut b = wasmtime_wasi::WasiCtxBuilder::new();
        b.arg(self.name)
            .stdout(out.clone())
            .inherit_stderr()
            .allow_blocking_current_thread(on_thread);
        if let Some(dir) = &self.dir {
            b.preopened_dir(dir, ".", wasmtime_wasi::FsPerms::ReadOnly)
                .expect("the preopened directory exists");
        }
        (b.build_p1(), out)
    }

    /// Runs `_start` on wasmtime and checks the run.
    fn wasmtime_start(&self, (mut store, start, out): WasmtimeRun) {
        let code = match start.call(&mut store, ()) {
            Ok(()) => 0,
            Err(e) => e
                .downcast_ref::<wasmtime_wasi::I32Exit>()
                .map(|x| x.0)
                .unwrap_or_else(|| panic!("wasmtime {}: {e}", self.name)),
        };
        self.check("wasmtime", code, &out);
    }

    fn check(&self, runtime: &str, code: i32, out: &Count) {
        assert_eq!(code, 0, "{runtime} {}: exit status", self.name);
        assert_eq!(
            out.get(),
            self.stdout,
            "{runtime} {}: stdout bytes",
            self.name
        );
    }
}

type WasmtimeRun = (
    wasmtime::Store<WasiP1Ctx>,
    wasmtime::TypedFunc<(), ()>,
    Count,
);

/// Measures `setup` then `start` together (`run`), and `start` alone on instances made outside the timing.
fn measure<S>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    runtime: &str,
    setup: impl Fn() -> S,
    start: impl Fn(S),
) {
    g.bench_function(format!("{runtime} run"), |b| b.iter(|| start(setup())));
    g.bench_function(format!("{runtime} _start"), |b| {
        b.iter_batched(&setup, &start, BatchSize::PerIteration)
    });
}

/// Measures one workload on wasmbed, on wasmtime-wasi as configured by
/// default, and on wasmtime-wasi allowed to do file I/O on the calling thread.
fn compare(
    c: &mut Criterion,
    (wb, wt): (&Wasmbed, &Wasmtime),
    w: &Workload,
    throughput: Throughput,
    samples: usize,
) {
    let mut g = c.benchmark_group(w.name);
    g.throughput(throughput).sample_size(samples);
    measure(
        &mut g,
        "wasmbed",
        || w.wasmbed_instance(wb),
        |r| w.wasmbed_start(r),
    );
    measure(
        &mut g,
        "wasmtime",
        || w.wasmtime_instance(wt, false),
        |r| w.wasmtime_start(r),
    );
    measure(
        &mut g,
        "wasmtime on-thread",
        || w.wasmtime_instance(wt, true),
        |r| w.wasmtime_start(r),
    );
    g.finish();
}

/// Instantiation alone: `w` pre-linked once on each runtime, then per
/// iteration a fresh WASI context and an instance of the pre-linked guest.
fn instantiate(c: &mut Criterion, (wb, wt): (&Wasmbed, &Wasmtime), w: &Workload) {
    let ours = wb
        .linker
        .instantiate_pre(&w.wasmbed)
        .unwrap_or_else(|e| panic!("wasmbed pre-links {}: {e}", w.name));
    let theirs = wt
        .linker
        .instantiate_pre(&w.wasmtime)
        .unwrap_or_else(|e| panic!("wasmtime pre-links {}: {e}", w.name));
    let wasmbed_new = || {
        let (ctx, out) = w.wasmbed_ctx();
        let instance = ours
            .instantiate(ctx, Limits::default())
            .unwrap_or_else(|e| panic!("wasmbed instantiates {}: {e}", w.name));
        (instance, out)
    };
    let wasmtime_new = || {
        let (ctx, out) = w.wasmtime_ctx(false);
        let mut store = wasmtime::Store::new(&wt.engine, ctx);
        let instance = theirs
            .instantiate(&mut store)
            .unwrap_or_else(|e| panic!("wasmtime instantiates {}: {e}", w.name));
        (store, instance, out)
    };
    // Each side's instance runs correctly once before it is timed.
    w.wasmbed_start(wasmbed_new());
    let (mut store, instance, out) = wasmtime_new();
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .unwrap_or_else(|e| panic!("wasmtime {}: `_start`: {e}", w.name));
    w.wasmtime_start((store, start, out));

    let mut g = c.benchmark_group("instantiate");
    g.bench_function(format!("wasmbed {}", w.name), |b| b.iter(wasmbed_new));
    g.bench_function(format!("wasmtime {}", w.name), |b| b.iter(wasmtime_new));
    g.finish();
}

fn bench(c: &mut Criterion) {
    let (wb, wt) = (Wasmbed::new(), Wasmtime::new());

    let stdout = Workload::new(&wt, "bench_stdout", None, STDOUT_BYTES);
    instantiate(c, (&wb, &wt), &stdout);
    compare(c, (&wb, &wt), &stdout, Throughput::Bytes(STDOUT_BYTES), 50);

    let dir = tempfile::tempdir().expect("a temporary directory");
    for i in 0..FILES {
        let name = format!("f{i:04}");
        std::fs::write(dir.path().join(&name), &name).expect("write a file to read");
    }
    let done = format!("{FILES} files\n");
    let files = Workload::new(&wt, "bench_files", Some(dir.path()), done.len() as u64);
    compare(
        c,
        (&wb, &wt),
        &files,
        Throughput::Elements(FILES.into()),
        20,
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
