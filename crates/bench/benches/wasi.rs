//! WASI preview 1, wasmbed/wasmi (`wasmbed-wasi`) against wasmtime with
//! wasmtime-wasi, same C modules (`guests/wasi/bench_*.c`), one run:
//! `cargo bench -p wasmbed-bench --bench wasi`.
//!
//! `bench_stdout` writes 1 MiB to stdout in 4 KiB `write`s; `bench_files`
//! opens, reads and closes 1000 small files in a read-only preopen. Each
//! module is compiled once; a `run` is what every fresh run costs (WASI
//! context, instantiation, `_start`), `_start` is the guest alone on an
//! instance made outside the timing. wasmtime-wasi runs twice: as configured
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
use wasmbed_wasi::Policy;
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

    /// A fresh wasmbed instance and its stdout.
    fn wasmbed_instance(&self) -> (Instance<Wasmi>, Count) {
        let out = Count::default();
        let mut policy = Policy::new()
            .arg(self.name)
            .stdout(out.clone())
            .stderr(io::stderr());
        if let Some(dir) = &self.dir {
            policy = policy.preopen_dir(dir, ".", true);
        }
        let ctx = policy.build().expect("the preopened directory exists");
        let (instance, _) =
            wasmbed_wasi::instantiate(&self.wasmbed, &mut Linker::new(), ctx, Limits::default())
                .unwrap_or_else(|e| panic!("wasmbed instantiates {}: {e}", self.name));
        (instance, out)
    }

    /// Runs `_start` on wasmbed and checks the run.
    fn wasmbed_start(&self, (mut instance, out): (Instance<Wasmi>, Count)) {
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
        let mut store = wasmtime::Store::new(&wt.engine, b.build_p1());
        let instance = wt
            .linker
            .instantiate(&mut store, &self.wasmtime)
            .unwrap_or_else(|e| panic!("wasmtime instantiates {}: {e}", self.name));
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .unwrap_or_else(|e| panic!("wasmtime {}: `_start`: {e}", self.name));
        (store, start, out)
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
fn compare(c: &mut Criterion, wt: &Wasmtime, w: &Workload, throughput: Throughput, samples: usize) {
    let mut g = c.benchmark_group(w.name);
    g.throughput(throughput).sample_size(samples);
    measure(
        &mut g,
        "wasmbed",
        || w.wasmbed_instance(),
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

fn bench(c: &mut Criterion) {
    let wt = Wasmtime::new();

    let stdout = Workload::new(&wt, "bench_stdout", None, STDOUT_BYTES);
    compare(c, &wt, &stdout, Throughput::Bytes(STDOUT_BYTES), 50);

    let dir = tempfile::tempdir().expect("a temporary directory");
    for i in 0..FILES {
        let name = format!("f{i:04}");
        std::fs::write(dir.path().join(&name), &name).expect("write a file to read");
    }
    let done = format!("{FILES} files\n");
    let files = Workload::new(&wt, "bench_files", Some(dir.path()), done.len() as u64);
    compare(c, &wt, &files, Throughput::Elements(FILES.into()), 20);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
