//! The same guest and calls on wasmi alone, without wasmbed (feature
//! `bare`): the baseline whose image, beside the wasmbed build's, prices
//! wasmbed's layer with the same guest, engine configuration and profile
//! (docs/benchmarks.md). The Canonical ABI of calc's two imports and four
//! exports is written out by hand, with only the bounds checks wasmi's
//! memory accessors make: a measurement, not a host to copy.

use alloc::string::String;
use alloc::vec;

use wasmi::{Caller, Config, Engine, Error, Func, Instance, Memory, Module, Store, TypedFunc};

use crate::{calc_results, fail, heap_line};

/// calc's memory and allocator exports (cm32p2 names).
const MEMORY: &str = "cm32p2_memory";
const REALLOC: &str = "cm32p2_realloc";

/// `sum17`'s spilled parameters: sixteen `u32`s, then an `s64` at offset 64.
const SPILLED: usize = 72;

/// The host's state, in wasmi's store.
#[derive(Default)]
struct Device {
    calls: u32,
}

/// The engine configured as wasmbed's `Wasmi::eager` does (1-byte pages, the
/// small value stack, no custom sections kept, every function translated at
/// compile time), so both images carry the same engine.
fn engine() -> Engine {
    let mut config = Config::default();
    config.wasm_custom_page_sizes(true);
    config.set_min_stack_height(256);
    config.set_max_cached_stacks(1);
    config.ignore_custom_sections(true);
    config.compilation_mode(wasmi::CompilationMode::Eager);
    Engine::new(&config)
}

fn memory_of(caller: &Caller<'_, Device>) -> Result<Memory, Error> {
    caller
        .get_export(MEMORY)
        .and_then(|e| e.into_memory())
        .ok_or_else(|| Error::new("the guest exports no memory"))
}

fn read_u32(mem: &[u8], at: usize) -> Result<u32, Error> {
    mem.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| Error::new("out of bounds"))
}

/// `concat(a, b) -> string`: two strings in, one out through realloc and
/// the return pointer.
fn concat(
    mut caller: Caller<'_, Device>,
    a: i32,
    a_len: i32,
    b: i32,
    b_len: i32,
    ret: i32,
) -> Result<(), Error> {
    caller.data_mut().calls += 1;
    let memory = memory_of(&caller)?;
    let (a, a_len, b, b_len) = (a as usize, a_len as usize, b as usize, b_len as usize);
    let mut joined = vec![0u8; a_len + b_len];
    memory.read(&caller, a, &mut joined[..a_len])?;
    memory.read(&caller, b, &mut joined[a_len..])?;
    let realloc = caller
        .get_export(REALLOC)
        .and_then(|e| e.into_func())
        .ok_or_else(|| Error::new("the guest exports no realloc"))?
        .typed::<(i32, i32, i32, i32), i32>(&caller)?;
    let to = realloc.call(&mut caller, (0, 0, 1, joined.len() as i32))?;
    memory.write(&mut caller, to as usize, &joined)?;
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&to.to_le_bytes());
    out[4..].copy_from_slice(&(joined.len() as u32).to_le_bytes());
    memory.write(&mut caller, ret as usize, &out)?;
    Ok(())
}

/// `sum17(a0..a15: u32, a16: s64) -> u64`, its parameters spilled at `ptr`.
fn sum17(mut caller: Caller<'_, Device>, ptr: i32) -> Result<i64, Error> {
    caller.data_mut().calls += 1;
    let memory = memory_of(&caller)?;
    let mut args = [0u8; SPILLED];
    memory.read(&caller, ptr as usize, &mut args)?;
    let mut sum = u64::from_le_bytes(args[64..72].try_into().unwrap_or([0; 8]));
    for i in 0..16 {
        sum = sum.wrapping_add(u64::from(read_u32(&args, i * 4)?));
    }
    Ok(sum as i64)
}

fn export<P: wasmi::WasmParams, R: wasmi::WasmResults>(
    instance: &Instance,
    store: &Store<Device>,
    name: &str,
) -> TypedFunc<P, R> {
    instance
        .get_typed_func::<P, R>(store, name)
        .unwrap_or_else(|_| fail("an export is missing"))
}

/// Instantiates `guest`, makes the three calls and prints their results:
/// whether they are right.
pub(crate) fn calls(guest: &[u8]) -> bool {
    let engine = engine();
    let module = Module::new(&engine, guest).unwrap_or_else(|_| fail("invalid guest"));
    let mut store = Store::new(&engine, Device::default());
    let imports = [
        Func::wrap(&mut store, concat).into(),
        Func::wrap(&mut store, sum17).into(),
    ];
    let instance =
        Instance::new(&mut store, &module, &imports).unwrap_or_else(|_| fail("instantiate"));
    export::<(), ()>(&instance, &store, "cm32p2_initialize")
        .call(&mut store, ())
        .unwrap_or_else(|_| fail("initialize"));
    heap_line("after instantiation");

    let memory = instance
        .get_memory(&store, MEMORY)
        .unwrap_or_else(|| fail("no memory"));
    let realloc = export::<(i32, i32, i32, i32), i32>(&instance, &store, REALLOC);
    let greet = export::<(i32, i32), i32>(&instance, &store, "cm32p2|wasmbed:cm32/api@0.1|greet");
    let greet_post = export::<i32, ()>(&instance, &store, "cm32p2|wasmbed:cm32/api@0.1|greet_post");
    let total = export::<i32, i64>(&instance, &store, "cm32p2|wasmbed:cm32/api@0.1|total");
    let count = export::<(), i32>(&instance, &store, "cm32p2||count");

    let run = |store: &mut Store<Device>| -> Result<(String, u64, u32), Error> {
        // greet("cortex-m"): the name copied in, the result read out, then post-return.
        let name = b"cortex-m";
        let at = realloc.call(&mut *store, (0, 0, 1, name.len() as i32))?;
        memory.write(&mut *store, at as usize, name)?;
        let ret = greet.call(&mut *store, (at, name.len() as i32))?;
        let mut pair = [0u8; 8];
        memory.read(&*store, ret as usize, &mut pair)?;
        let (ptr, len) = (read_u32(&pair, 0)? as usize, read_u32(&pair, 4)? as usize);
        let mut bytes = vec![0u8; len];
        memory.read(&*store, ptr, &mut bytes)?;
        let greeting = String::from_utf8(bytes).map_err(|_| Error::new("not UTF-8"))?;
        greet_post.call(&mut *store, ret)?;

        // total(1, …, 16, -1): seventeen parameters spilled into guest memory.
        let mut args = [0u8; SPILLED];
        for i in 0..16 {
            args[i * 4..i * 4 + 4].copy_from_slice(&(i as u32 + 1).to_le_bytes());
        }
        args[64..].copy_from_slice(&(-1i64).to_le_bytes());
        let at = realloc.call(&mut *store, (0, 0, 8, SPILLED as i32))?;
        memory.write(&mut *store, at as usize, &args)?;
        let sum = total.call(&mut *store, at)? as u64;

        let n = count.call(&mut *store, ())? as u32;
        Ok((greeting, sum, n))
    };
    let result = run(&mut store);
    heap_line("after the calls");
    match result {
        Ok((greet, total, count)) => calc_results(&greet, total, count, store.data().calls),
        Err(_) => fail("a call failed"),
    }
}
