//! Host slices written into guest memory read back through the zero-copy views,
//! and the ABI's checks apply to the block `realloc` returns.

use wasmbed_abi::zerocopy::little_endian::U32;
use wasmbed_abi::{
    read_bytes, read_list, read_str, write_bytes, write_list, write_str, BumpMemory, GuestMemory,
    Trap,
};

#[test]
fn written_slices_read_back_in_place() {
    let mut bytes = vec![0u8; 256];
    let mut mem = BumpMemory::new(&mut bytes, 3);
    let (p, n) = write_str(&mut mem, "grüße").unwrap();
    assert_eq!((p, n), (3, 7));
    assert_eq!(read_str(mem.data(), p, n).unwrap(), "grüße");

    let (p, n) = write_bytes(&mut mem, &[1, 2, 3]).unwrap();
    assert_eq!(read_bytes(mem.data(), p, n).unwrap(), [1, 2, 3]);

    let words = [U32::new(7), U32::new(0xdead_beef)];
    let (p, n) = write_list::<u32, _>(&mut mem, &words).unwrap();
    assert_eq!(p % 4, 0, "realloc was asked for the element alignment");
    assert_eq!(n, 2);
    assert_eq!(read_list::<u32>(mem.data(), p, n).unwrap(), words);
    assert_eq!(&mem.data()[p as usize..p as usize + 4], &7u32.to_le_bytes());
}

/// A guest whose `realloc` returns whatever it likes.
struct Liar<'a>(&'a mut [u8], u32);

impl GuestMemory for Liar<'_> {
    fn data(&self) -> &[u8] {
        self.0
    }
    fn data_mut(&mut self) -> &mut [u8] {
        self.0
    }
    fn realloc(&mut self, _: u32, _: u32, _: u32, _: u32) -> Result<u32, Trap> {
        Ok(self.1)
    }
}

#[test]
fn a_lying_realloc_is_a_trap_not_a_write() {
    let mut bytes = vec![0u8; 64];
    let err = write_bytes(&mut Liar(&mut bytes, 60), &[9; 8]).unwrap_err();
    assert!(
        matches!(
            err,
            Trap::BadRealloc {
                ptr: 60,
                size: 8,
                ..
            }
        ),
        "{err}"
    );
    let err = write_list::<u32, _>(&mut Liar(&mut bytes, 2), &[U32::new(1)]).unwrap_err();
    assert!(
        matches!(
            err,
            Trap::BadRealloc {
                ptr: 2,
                align: 4,
                ..
            }
        ),
        "{err}"
    );
    let err = write_str(&mut Liar(&mut bytes, u32::MAX), "x").unwrap_err();
    assert!(matches!(err, Trap::BadRealloc { .. }), "{err}");
    assert!(bytes.iter().all(|b| *b == 0), "nothing was written");
}
