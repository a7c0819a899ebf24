//! Inputs the fuzzers found, kept as tests.

use wasmbed_abi::{load, store, GuestMemory, RawHandles, Trap, Type, Val};

/// A guest whose `realloc` always returns the same address.
struct Fixed {
    bytes: Vec<u8>,
    answer: u32,
}

impl GuestMemory for Fixed {
    fn data(&self) -> &[u8] {
        &self.bytes
    }
    fn data_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
    fn realloc(&mut self, _: u32, _: u32, _: u32, _: u32) -> Result<u32, Trap> {
        Ok(self.answer)
    }
}

/// fuzz `store`: a `realloc` block that overlaps the slot being stored. The
/// string's byte lands at 0, then its `(pointer, length)` pair overwrites it.
/// The ABI cannot know which guest memory is live, so this is the guest
/// corrupting itself: the store succeeds, the host stays in bounds, and the
/// value read back is the guest's garbage, not a panic.
#[test]
fn overlapping_realloc_corrupts_only_guest_memory() {
    let mut mem = Fixed {
        bytes: vec![0; 16],
        answer: 0,
    };
    store(
        &Type::String,
        &Val::String(";".into()),
        0,
        &mut mem,
        &mut RawHandles,
    )
    .unwrap();
    assert_eq!(&mem.bytes[..8], &[0, 0, 0, 0, 1, 0, 0, 0]);
    let back = load(&Type::String, &mem.bytes, 0, &mut RawHandles).unwrap();
    assert_eq!(back, Val::String("\0".into()));
}
