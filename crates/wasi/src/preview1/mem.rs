//! Checked access to guest memory for preview 1: a pointer out of bounds or misaligned traps, as wasmtime does.

use wasmbed::Error;
use wasmbed_abi::{read_bytes, FlatVal};

/// The guest's memory during one preview 1 call, named after the call for its traps.
pub(crate) struct Mem<'a> {
    pub(crate) data: &'a mut [u8],
    pub(crate) func: &'static str,
}

/// Argument `i` as an unsigned 32-bit value (pointers, lengths, descriptors).
pub(crate) fn u32_arg(args: &[FlatVal], i: usize) -> u32 {
    match args.get(i) {
        Some(FlatVal::I32(v)) => *v as u32,
        Some(FlatVal::I64(v)) => *v as u32,
        _ => 0,
    }
}

/// Argument `i` as a 64-bit value (offsets, timestamps, rights).
pub(crate) fn u64_arg(args: &[FlatVal], i: usize) -> u64 {
    match args.get(i) {
        Some(FlatVal::I64(v)) => *v as u64,
        Some(FlatVal::I32(v)) => *v as u32 as u64,
        _ => 0,
    }
}

impl Mem<'_> {
    #[cold]
    fn fault(&self, ptr: u32, len: u64) -> Error {
        Error::host(format!(
            "`{}`: guest pointer {ptr:#x} with {len} bytes is outside memory ({} bytes) or misaligned",
            self.func,
            self.data.len()
        ))
    }

    fn range(&self, ptr: u32, len: u64, align: u32) -> Result<std::ops::Range<usize>, Error> {
        let end = u64::from(ptr) + len;
        if ptr % align != 0 || end > self.data.len() as u64 {
            return Err(self.fault(ptr, len));
        }
        Ok(ptr as usize..end as usize)
    }

    /// `len` bytes at `ptr`, borrowed.
    pub(crate) fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], Error> {
        read_bytes(self.data, ptr, len).map_err(|_| self.fault(ptr, len.into()))
    }

    /// `len` writable bytes at `ptr`.
    pub(crate) fn bytes_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Error> {
        let r = self.range(ptr, len.into(), 1)?;
        Ok(&mut self.data[r])
    }

    /// A path argument: bounds trap; bytes that are not UTF-8 are `EILSEQ`, as wasmtime says.
    pub(crate) fn str(&self, ptr: u32, len: u32) -> Result<Result<String, crate::Errno>, Error> {
        let b = self.bytes(ptr, len)?;
        Ok(std::str::from_utf8(b)
            .map(String::from)
            .map_err(|_| crate::Errno::Ilseq))
    }

    /// A little-endian `u32` at `ptr`, 4-aligned.
    pub(crate) fn u32(&self, ptr: u32) -> Result<u32, Error> {
        let r = self.range(ptr, 4, 4)?;
        let mut b = [0; 4];
        b.copy_from_slice(&self.data[r]);
        Ok(u32::from_le_bytes(b))
    }

    /// Stores `bytes` at `ptr` with alignment `align`.
    pub(crate) fn put(&mut self, ptr: u32, bytes: &[u8], align: u32) -> Result<(), Error> {
        let r = self.range(ptr, bytes.len() as u64, align)?;
        self.data[r].copy_from_slice(bytes);
        Ok(())
    }

    /// Stores a little-endian `u32` at `ptr`.
    pub(crate) fn put_u32(&mut self, ptr: u32, v: u32) -> Result<(), Error> {
        self.put(ptr, &v.to_le_bytes(), 4)
    }

    /// Stores a little-endian `u64` at `ptr`.
    pub(crate) fn put_u64(&mut self, ptr: u32, v: u64) -> Result<(), Error> {
        self.put(ptr, &v.to_le_bytes(), 8)
    }

    /// The `(pointer, length)` pairs of an iovec array, each checked.
    pub(crate) fn iovs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Error> {
        let len = u64::from(count) * 8;
        self.range(ptr, len, 4)?;
        let mut out = Vec::with_capacity(count.min(1024) as usize);
        for i in 0..count {
            let at = ptr + i * 8;
            let (p, l) = (self.u32(at)?, self.u32(at + 4)?);
            self.range(p, l.into(), 1)?;
            out.push((p, l));
        }
        Ok(out)
    }
}
