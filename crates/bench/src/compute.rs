//! `guests/compute` (CRC-32 and a sieve, in C) on every engine and natively:
//! the same code, so the gaps are what each engine costs.

use wasmbed::{Engine, Guest, Instance, Limits, Linker, Val};

/// The guest's path from the repository root.
const WASM: &str = "guests/compute/compute.wasm";

/// The repository's root.
fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The guest's bytes.
pub fn wasm() -> Vec<u8> {
    std::fs::read(root().join(WASM)).expect("guests/compute/compute.wasm (guests/build.sh)")
}

/// The guest on wasmbed with `engine`, its buffer filled from `seed`.
pub fn on_wasmbed<E: Engine>(engine: &E, seed: u32) -> Instance<E> {
    let world = wasmbed_wit::world_from_path(&root().join("guests/compute/compute.wit"), None)
        .expect("compute.wit loads");
    let guest = Guest::new(engine, &wasm(), world).expect("guest loads");
    let mut inst = Linker::new()
        .instantiate(&guest, (), Limits::default())
        .expect("instantiates");
    inst.call("fill", &[Val::U32(seed)]).expect("fill");
    inst
}

/// The core module on wasmtime (Cranelift), its buffer filled from `seed`.
pub fn on_wasmtime(seed: u32) -> (wasmtime::Store<()>, wasmtime::Instance) {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, wasm()).expect("wasmtime compiles");
    let mut store = wasmtime::Store::new(&engine, ());
    let inst = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiates");
    let fill = inst
        .get_typed_func::<u32, ()>(&mut store, "cm32p2||fill")
        .expect("fill");
    fill.call(&mut store, seed).expect("fill runs");
    (store, inst)
}

/// The same C compiled for this machine by the build script.
pub mod native {
    extern "C" {
        fn compute_fill(seed: u32);
        fn compute_crc32(len: u32) -> u32;
        fn compute_primes(limit: u32) -> u32;
    }

    /// The native kernels share one static buffer: one caller at a time.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// Fills the buffer from `seed`, then the CRC-32 of its first `len` bytes.
    pub fn crc32(seed: u32, len: u32) -> u32 {
        let _one = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: plain C over its own static buffers, serialised by `LOCK`.
        unsafe {
            compute_fill(seed);
            compute_crc32(len)
        }
    }

    /// The CRC-32 of the buffer as the last `fill` left it (for the bench loop).
    pub fn crc32_again(len: u32) -> u32 {
        let _one = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: as in `crc32`.
        unsafe { compute_crc32(len) }
    }

    /// The number of primes below `limit`.
    pub fn primes(limit: u32) -> u32 {
        let _one = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: as in `crc32`.
        unsafe { compute_primes(limit) }
    }
}
