//! Lifts and loads arbitrary bytes as arbitrary types.
//!
//! Every outcome must be a value or a `Trap`; a panic, an overflow or an
//! out-of-bounds access is a bug. A value that lifts must also survive a
//! store/load round trip unchanged.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmbed_abi::{lift_flat, load, store, BumpMemory, FlatType, FlatVal, RawHandles};
use wasmbed_fuzz::{ty, MAX_DEPTH};

/// A core value, often small enough to be a pointer or length into `mem_len` bytes.
fn flat(u: &mut Unstructured, t: FlatType, mem_len: usize) -> Result<FlatVal> {
    Ok(match t {
        FlatType::I32 if u.arbitrary()? => FlatVal::I32(u.int_in_range(0..=mem_len as i32 + 8)?),
        FlatType::I32 => FlatVal::I32(u.arbitrary()?),
        FlatType::I64 => FlatVal::I64(u.arbitrary()?),
        FlatType::F32 => FlatVal::F32(f32::from_bits(u.arbitrary()?)),
        FlatType::F64 => FlatVal::F64(f64::from_bits(u.arbitrary()?)),
    })
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let ty = ty(&mut u, MAX_DEPTH)?;
    let mem_len = u.int_in_range(0..=2048usize)?;
    let mut flats = Vec::new();
    for t in ty.flat() {
        flats.push(flat(&mut u, *t, mem_len)?);
    }
    let ptr = if u.arbitrary()? {
        u.int_in_range(0..=mem_len as u32)?
    } else {
        u.arbitrary()?
    };
    let mut mem = u.bytes(u.len().min(mem_len))?.to_vec();
    mem.resize(mem_len, 0);

    let lifted = lift_flat(&ty, &flats, &mem, &mut RawHandles);
    let loaded = load(&ty, &mem, ptr, &mut RawHandles);

    // Whatever lifted must store and load back to itself.
    for value in [lifted, loaded].into_iter().flatten() {
        let mut bytes = vec![0u8; 1 << 16];
        let size = ty.layout().size;
        if size > 1 << 15 {
            continue;
        }
        let mut scratch = BumpMemory::new(&mut bytes, 1 << 15);
        if store(&ty, &value, 0, &mut scratch, &mut RawHandles).is_ok() {
            let back = load(&ty, scratch.data(), 0, &mut RawHandles).expect("stored value loads");
            assert!(
                format!("{back:?}") == format!("{value:?}"),
                "round trip changed the value"
            );
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
