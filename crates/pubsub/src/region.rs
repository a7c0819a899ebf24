//! Blocks inside one storage area: a guest's lent region, or a topic's
//! native blocks. First fit over a sorted list of taken blocks, so a
//! region holds samples of any size the topic allows, with no allocation
//! beyond one entry per live block (itself bounded by the topics' limits).

use alloc::vec::Vec;

/// Every block starts at a multiple of this, so a guest may cast it to a struct.
pub const BLOCK_ALIGN: u32 = 8;

/// A storage area split into blocks on demand.
#[derive(Clone, Debug)]
pub(crate) struct Region {
    base: u32,
    len: u32,
    /// Taken blocks, `(start, len)`, sorted by start.
    taken: Vec<(u32, u32)>,
}

impl Region {
    /// An area of `len` bytes at `base`; `base` is aligned by the caller.
    pub(crate) fn new(base: u32, len: u32) -> Region {
        Region {
            base,
            len,
            taken: Vec::new(),
        }
    }

    /// A free block of `len` bytes (at least one), or `None` when none fits.
    pub(crate) fn alloc(&mut self, len: u32) -> Option<u32> {
        let want = u64::from(len.max(1));
        let end = u64::from(self.base) + u64::from(self.len);
        let mut at = u64::from(self.base);
        let mut index = self.taken.len();
        for (i, &(start, size)) in self.taken.iter().enumerate() {
            if at + want <= u64::from(start) {
                index = i;
                break;
            }
            at = align_up(u64::from(start) + u64::from(size.max(1)));
        }
        if index == self.taken.len() && at + want > end {
            return None;
        }
        let start = u32::try_from(at).ok()?;
        self.taken.insert(index, (start, len));
        Some(start)
    }

    /// Returns the block starting at `start`; `false` if no block starts there.
    pub(crate) fn free(&mut self, start: u32) -> bool {
        match self.taken.binary_search_by_key(&start, |&(s, _)| s) {
            Ok(i) => {
                self.taken.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// How many blocks are taken.
    pub(crate) fn blocks(&self) -> usize {
        self.taken.len()
    }
}

fn align_up(v: u64) -> u64 {
    let a = u64::from(BLOCK_ALIGN);
    v.div_ceil(a) * a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_disjoint_and_reused() {
        let mut r = Region::new(64, 64);
        let a = r.alloc(10).unwrap();
        let b = r.alloc(20).unwrap();
        assert_eq!((a, b), (64, 80));
        assert_eq!(r.alloc(40), None, "only 24 bytes are left");
        let c = r.alloc(24).unwrap();
        assert_eq!(c, 104);
        assert!(r.free(a));
        assert!(!r.free(a), "a block is freed once");
        assert_eq!(r.alloc(16), Some(64), "the freed block is found first");
        assert_eq!(r.blocks(), 3);
    }

    #[test]
    fn a_region_at_the_top_of_the_address_space_never_wraps() {
        let mut r = Region::new(u32::MAX - 15, 16);
        assert_eq!(r.alloc(16), Some(u32::MAX - 15));
        assert_eq!(r.alloc(1), None);
    }
}
