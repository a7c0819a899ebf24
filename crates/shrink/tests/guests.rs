//! The committed `calc` guest on wasmbed, shrunk and not: the same results,
//! and a memory too small for what its allocator hands out traps cleanly.

use wasmbed::{Guest, Limits, Linker, Wasmi};
use wasmbed_shrink::{shrink, Options};

mod calc {
    ::wasmbed::bindgen!({ world: "calc", path: "../../guests/cm32/calc.wit" });
}

/// The host side of `calc`: concatenates, and sums its seventeen arguments.
struct Host;

impl calc::wasmbed::cm32::host::Host for Host {
    fn concat(&mut self, a: String, b: String) -> String {
        a + &b
    }
    #[allow(clippy::too_many_arguments)]
    fn sum17(
        &mut self,
        a0: u32,
        a1: u32,
        a2: u32,
        a3: u32,
        a4: u32,
        a5: u32,
        a6: u32,
        a7: u32,
        a8: u32,
        a9: u32,
        a10: u32,
        a11: u32,
        a12: u32,
        a13: u32,
        a14: u32,
        a15: u32,
        a16: i64,
    ) -> u64 {
        let words = [
            a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15,
        ];
        words
            .iter()
            .map(|&w| u64::from(w))
            .sum::<u64>()
            .wrapping_add(a16 as u64)
    }
}

fn calc_wasm() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/cm32/calc.wasm");
    std::fs::read(path).unwrap()
}

/// `greet(name)` for each name, `total` of a fixed tuple and `count()`, in one instance.
fn calls(wasm: &[u8], names: &[&str]) -> Result<(Vec<String>, u64, u32), wasmbed::Error> {
    let world = wasmbed_wit::world_from_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../guests/cm32/calc.wit")
            .as_path(),
        Some("calc"),
    )
    .unwrap();
    let guest = Guest::new(&Wasmi::new(), wasm, world)?;
    let mut linker: Linker<Host> = Linker::new();
    calc::Calc::add_to_linker(&mut linker, |h: &mut Host| h)?;
    let (b, mut inst) = calc::Calc::instantiate(&linker, &guest, Host, Limits::default())?;
    let mut greetings = Vec::new();
    for name in names {
        greetings.push(b.wasmbed_cm32_api().call_greet(&mut inst, name)?);
    }
    let total = b.wasmbed_cm32_api().call_total(
        &mut inst, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -17,
    )?;
    Ok((greetings, total, b.call_count(&mut inst)?))
}

#[test]
fn the_shrunk_calc_guest_answers_as_the_original() {
    let names = ["world", "wörld", "日本"];
    let want = calls(&calc_wasm(), &names).unwrap();
    assert_eq!(want.0[0], "hello, world");
    let shrunk = shrink(&calc_wasm(), &Options { stack: Some(2048) }).unwrap();
    assert_eq!(shrunk.report.memory_before, 65536);
    assert_eq!(shrunk.report.memory_after, 2080);
    assert_eq!(calls(&shrunk.wasm, &names).unwrap(), want);
}

#[test]
fn a_calc_guest_shrunk_below_what_its_allocator_hands_out_traps() {
    // calc's bump allocator starts at 1024: with 64 bytes past its data the
    // first string the host lowers lands outside the memory.
    let shrunk = shrink(&calc_wasm(), &Options { stack: Some(64) }).unwrap();
    assert_eq!(shrunk.report.memory_after, 96);
    let e = calls(&shrunk.wasm, &["world"]).unwrap_err().to_string();
    assert!(e.contains("out of bounds of memory (96 bytes)"), "{e}");
}
