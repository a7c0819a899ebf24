//! The compute guest gives the same answers on wasmi, WAMR, wasmtime and
//! natively, and they are the right ones: the bench compares equal work.

use wasmbed::{Val, Wamr, Wasmi};
use wasmbed_bench::compute::{native, on_wasmbed, on_wasmtime};

const SEED: u32 = 0x5eed;
const LEN: u32 = 65536;

/// The buffer `fill(seed)` writes, computed here.
fn buffer(seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..LEN)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn every_engine_and_native_agree_with_the_reference() {
    let crc = crc32fast::hash(&buffer(SEED));
    let primes = 6542; // below 65536
    let calls = [("crc32", LEN, crc), ("primes", 65536, primes)];
    let mut wasmi = on_wasmbed(&Wasmi::new(), SEED);
    let mut wamr = on_wasmbed(&Wamr::new(), SEED);
    let (mut store, wt) = on_wasmtime(SEED);
    for (f, arg, want) in &calls {
        assert_eq!(
            wasmi.call(f, &[Val::U32(*arg)]).unwrap(),
            Some(Val::U32(*want)),
            "wasmi {f}"
        );
        assert_eq!(
            wamr.call(f, &[Val::U32(*arg)]).unwrap(),
            Some(Val::U32(*want)),
            "WAMR {f}"
        );
        let func = wt
            .get_typed_func::<u32, u32>(&mut store, &format!("cm32p2||{f}"))
            .unwrap();
        assert_eq!(func.call(&mut store, *arg).unwrap(), *want, "wasmtime {f}");
    }
    assert_eq!(native::crc32(SEED, LEN), crc, "native crc32");
    assert_eq!(native::primes(65536), primes, "native primes");
}
