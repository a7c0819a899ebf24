//! Stores and lowers arbitrary values through a guest `realloc` that returns
//! whatever the input says: every outcome must be a value or a `Trap`, and a
//! value the ABI accepted must load back unchanged.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasmbed_abi::{lift_flat, load, lower_flat, store, GuestMemory, RawHandles, Trap};
use wasmbed_fuzz::{ty, val, MAX_DEPTH};

/// A guest whose `realloc` answers from a script, then from a bump cursor.
///
/// A scripted answer may overlap live data: the guest then corrupts its own
/// memory, which the ABI cannot detect, so round trips are only required
/// when every answer came from the cursor.
struct Scripted {
    bytes: Vec<u8>,
    answers: Vec<u32>,
    cursor: u32,
    lied: bool,
}

impl GuestMemory for Scripted {
    fn data(&self) -> &[u8] {
        &self.bytes
    }
    fn data_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
    fn realloc(&mut self, _: u32, _: u32, align: u32, size: u32) -> Result<u32, Trap> {
        if let Some(p) = self.answers.pop() {
            self.lied = true;
            return Ok(p);
        }
        let p = self.cursor.div_ceil(align) * align;
        self.cursor = p.saturating_add(size);
        Ok(p)
    }
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let ty = ty(&mut u, MAX_DEPTH)?;
    let v = val(&mut u, &ty)?;
    let mem_len = u.int_in_range(0..=4096usize)?;
    let answers: Vec<u32> = u.arbitrary()?;
    let ptr: u32 = if u.arbitrary()? {
        u.int_in_range(0..=mem_len as u32)?
    } else {
        u.arbitrary()?
    };
    // The honest cursor starts past the stored value, so blocks never overlap it.
    let end = ptr.saturating_add(ty.layout().size);
    let mut mem = Scripted {
        bytes: vec![0; mem_len],
        answers: answers.clone(),
        cursor: end.max(mem_len as u32 / 2),
        lied: false,
    };
    if store(&ty, &v, ptr, &mut mem, &mut RawHandles).is_ok() {
        let back = load(&ty, &mem.bytes, ptr, &mut RawHandles);
        if !mem.lied {
            let back = back.expect("a stored value loads");
            // `Debug` prints every NaN alike, so this tolerates NaN canonicalization.
            assert_eq!(format!("{back:?}"), format!("{v:?}"));
        }
    }
    let mut mem = Scripted {
        bytes: vec![0; mem_len],
        answers,
        cursor: 0,
        lied: false,
    };
    let mut flat = Vec::new();
    if lower_flat(&ty, &v, &mut mem, &mut RawHandles, &mut flat).is_ok() {
        let back = lift_flat(&ty, &flat, &mem.bytes, &mut RawHandles);
        if !mem.lied {
            let back = back.expect("a lowered value lifts");
            assert_eq!(format!("{back:?}"), format!("{v:?}"));
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
