//! World functions the host implements on the guest's core values, for hot paths.
//!
//! Lifting a `list<u8>` to `Val`s costs a value per byte; a host that moves
//! bulk data (a stream write, a file read) reads it in place instead and
//! writes results back itself, and still lowers anything unusual from a
//! `Val` through the function's own type.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::{read_bytes, write_bytes, FlatVal, FuncType, Handles, Trap, Type, TypeKind, Val};

use crate::engine::{GuestAccess, HostFn};
use crate::error::TrapReason;
use crate::host::{check_may_enter, with_tables};
use crate::Error;

/// A host function over the guest's flat core values.
pub(crate) type FlatFn<T> =
    Arc<dyn Fn(&mut FlatCx<'_, T>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error> + Send + Sync>;

/// The calling guest, as a flat host function sees it: its memory, its handles,
/// the function's type and the instance's host data.
pub struct FlatCx<'a, T: 'static = ()> {
    access: &'a mut dyn GuestAccess<T>,
    ty: &'a FuncType,
    name: &'a str,
}

impl<T: 'static> FlatCx<'_, T> {
    /// The host data of the calling instance.
    pub fn data_mut(&mut self) -> &mut T {
        self.access.data_mut()
    }

    /// The guest's memory and the host data at once.
    pub fn memory_and_data(&mut self) -> (&mut [u8], &mut T) {
        let (m, _, d) = self.access.parts();
        (m, d)
    }

    fn trap(&self, t: Trap) -> Error {
        Error::trap(self.name, TrapReason::Abi(t))
    }

    /// The function's WIT type, to know which parameter is which.
    pub fn func_type(&self) -> &FuncType {
        self.ty
    }

    /// The host's rep behind `handle`, passed as parameter `param` (a `borrow` or `own` of a host resource).
    ///
    /// An `own` handle moves to the host, as lifting it would.
    pub fn rep(&mut self, param: usize, handle: u32) -> Result<u32, Error> {
        let tables = &mut self.access.state().tables;
        let r = match self.ty.params().get(param) {
            Some(Type::Borrow(r)) => tables.lift_borrow(*r, handle),
            Some(Type::Own(r)) => tables.lift_own(*r, handle),
            _ => {
                return Err(Error::host(alloc::format!(
                    "`{}`: parameter {param} is not a resource handle",
                    self.name
                )))
            }
        };
        r.map_err(|t| self.trap(t))
    }

    /// A `list<u8>` or string's bytes at `(ptr, len)`, bounds-checked and borrowed in place.
    pub fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], Error> {
        read_bytes(self.access.memory(), ptr, len).map_err(|t| self.trap(t))
    }

    /// Copies `bytes` into a block the guest's `realloc` hands out: the list's `(pointer, length)`.
    pub fn alloc_bytes(&mut self, bytes: &[u8]) -> Result<(u32, u32), Error> {
        let name = self.name;
        with_tables(self.access, |mem, _| write_bytes(mem, bytes), name)
    }

    /// Writes `bytes` at the start of the `size`-byte return area at `ptr` for a value of kind `ty`.
    ///
    /// Checks, as lowering would, that the whole area is aligned to `align`
    /// and inside memory; bytes past `bytes` (padding, other cases) stay as they are.
    pub fn store(
        &mut self,
        ptr: u32,
        align: u32,
        size: u32,
        ty: TypeKind,
        bytes: &[u8],
    ) -> Result<(), Error> {
        if align == 0 || ptr % align != 0 {
            return Err(self.trap(Trap::Misaligned { ty, ptr, align }));
        }
        let mem = self.access.memory_and_state().0;
        let len = u64::from(size).max(bytes.len() as u64);
        let end = u64::from(ptr) + len;
        if end > mem.len() as u64 {
            let memory = mem.len() as u64;
            return Err(self.trap(Trap::OutOfBounds {
                ty,
                ptr,
                len,
                memory,
            }));
        }
        let start = ptr as usize;
        mem[start..start + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// Lowers `result` through the function's own result type, as a `Val`-level host function would.
    pub fn lower_result(
        &mut self,
        args: &[FlatVal],
        result: Option<&Val>,
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        let mut out: Vec<FlatVal> = Vec::with_capacity(1);
        let ty = self.ty;
        with_tables(
            self.access,
            |mem, tables| ty.lower_result(result, args, mem, tables, &mut out),
            self.name,
        )?;
        for (r, o) in results.iter_mut().zip(out) {
            *r = o;
        }
        Ok(())
    }
}

/// The core function for a world import implemented over flat values.
pub(crate) fn flat_import<T: 'static>(name: String, ty: FuncType, f: FlatFn<T>) -> HostFn<T> {
    let needs_memory = ty.needs_memory();
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], results: &mut [FlatVal]| {
            check_may_enter(access.state(), needs_memory, &name)?;
            f(
                &mut FlatCx {
                    access,
                    ty: &ty,
                    name: &name,
                },
                args,
                results,
            )
        },
    )
}
