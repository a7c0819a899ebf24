//! Function types: core signatures, and parameters and results with spilling.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::lift::{lift_flat, load};
use crate::lower::Lowerer;
use crate::memory::{allocate, check_aligned, checked_range, GuestMemory, Handles};
use crate::trap::Trap;
use crate::types::{FlatType, Product, Type, TypeError, TypeKind};
use crate::val::{FlatVal, Val};
use crate::{MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};

/// Which side of the boundary a core function is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbiContext {
    /// `canon lift`: a guest export, called by the host.
    Lift,
    /// `canon lower`: a host import, called by the guest.
    Lower,
}

/// The core Wasm signature of a component function in one context.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CoreSignature {
    /// Core parameter types.
    pub params: Vec<FlatType>,
    /// Core result types (at most one).
    pub results: Vec<FlatType>,
}

/// A component function type with its flattening computed once.
///
/// Shared: cloning counts a reference (a world's types are cloned into
/// every host function and export table that uses them).
#[derive(Clone, PartialEq)]
pub struct FuncType(Arc<Parts>);

/// What a [`FuncType`] shares.
#[derive(PartialEq)]
struct Parts {
    params: Product,
    results: Product,
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FuncType")
            .field("params", &self.0.params)
            .field("results", &self.0.results)
            .finish()
    }
}

impl FuncType {
    /// A function taking `params` and returning `result`, if any.
    pub fn new(params: Vec<Type>, result: Option<Type>) -> Result<FuncType, TypeError> {
        Ok(FuncType(Arc::new(Parts {
            params: Product::new(params, TypeKind::Tuple)?,
            results: Product::new(result.into_iter().collect(), TypeKind::Tuple)?,
        })))
    }

    /// Whether `self` and `other` are one shared type, not two equal ones:
    /// what a decoder that shares equal types (the compact world) promises.
    pub fn is_shared_with(&self, other: &FuncType) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The parameter types.
    pub fn params(&self) -> &[Type] {
        &self.0.params.types
    }

    /// The result type, if any.
    pub fn result(&self) -> Option<&Type> {
        self.0.results.types.first()
    }

    /// All parameters flattened, before spilling.
    pub fn flat_params(&self) -> &[FlatType] {
        &self.0.params.flat
    }

    /// The result flattened, before spilling.
    pub fn flat_results(&self) -> &[FlatType] {
        &self.0.results.flat
    }

    /// Whether the parameters travel through memory as one tuple.
    pub fn params_spill(&self) -> bool {
        self.0.params.flat.len() > MAX_FLAT_PARAMS
    }

    /// Whether the result travels through memory.
    pub fn results_spill(&self) -> bool {
        self.0.results.flat.len() > MAX_FLAT_RESULTS
    }

    /// Each parameter's offset in the tuple that spilled parameters are stored as.
    pub fn param_offsets(&self) -> &[u32] {
        &self.0.params.offsets
    }

    /// Size and alignment of the tuple that spilled parameters are stored as.
    pub fn params_layout(&self) -> crate::Layout {
        self.0.params.layout
    }

    /// Checks where spilled parameters lie: aligned and inside a memory of `memory` bytes.
    pub fn check_spilled_params(&self, ptr: u32, memory: usize) -> Result<(), Trap> {
        check_tuple(&self.0.params, ptr, memory)
    }

    /// Checks where a spilled result lies: aligned and inside a memory of `memory` bytes.
    pub fn check_spilled_result(&self, ptr: u32, memory: usize) -> Result<(), Trap> {
        check_tuple(&self.0.results, ptr, memory)
    }

    /// The core signature in `cx` (the specification's `flatten_functype`).
    pub fn core_signature(&self, cx: AbiContext) -> CoreSignature {
        let mut params = if self.params_spill() {
            alloc::vec![FlatType::I32]
        } else {
            self.0.params.flat.to_vec()
        };
        let mut results = self.0.results.flat.to_vec();
        if self.results_spill() {
            match cx {
                AbiContext::Lift => results = alloc::vec![FlatType::I32],
                AbiContext::Lower => {
                    params.push(FlatType::I32);
                    results.clear();
                }
            }
        }
        CoreSignature { params, results }
    }

    /// Whether calls need the guest's memory: a string or list anywhere, or spilling.
    pub fn needs_memory(&self) -> bool {
        self.params_spill()
            || self.results_spill()
            || self
                .params()
                .iter()
                .chain(self.result())
                .any(Type::needs_memory)
    }

    /// Whether calls in `cx` need the guest's `realloc` to pass values into it.
    pub fn needs_realloc(&self, cx: AbiContext) -> bool {
        match cx {
            AbiContext::Lift => self.params_spill() || self.params().iter().any(Type::needs_memory),
            AbiContext::Lower => self.result().is_some_and(Type::needs_memory),
        }
    }

    /// Host calling an export: lowers `args` into the core arguments, spilling through `realloc`.
    pub fn lower_args<M: GuestMemory + ?Sized, H: Handles + ?Sized>(
        &self,
        args: &[Val],
        mem: &mut M,
        handles: &mut H,
        out: &mut Vec<FlatVal>,
    ) -> Result<(), Trap> {
        lower_values(
            &self.0.params,
            MAX_FLAT_PARAMS,
            args,
            None,
            mem,
            handles,
            out,
        )
    }

    /// Host calling an export: lifts the core results the export returned.
    pub fn lift_results<H: Handles + ?Sized>(
        &self,
        flat: &[FlatVal],
        mem: &[u8],
        handles: &mut H,
    ) -> Result<Option<Val>, Trap> {
        // At most one result: lifted directly, without the tuple path's `Vec`.
        let Some(ty) = self.result() else {
            return match flat {
                [] => Ok(None),
                _ => Err(Trap::FlatMismatch { expected: None }),
            };
        };
        if !self.results_spill() {
            return lift_flat(ty, flat, mem, handles).map(Some);
        }
        let ptr = match flat {
            [FlatVal::I32(p)] => *p as u32,
            _ => {
                return Err(Trap::FlatMismatch {
                    expected: Some(FlatType::I32),
                })
            }
        };
        check_tuple(&self.0.results, ptr, mem.len())?;
        load(ty, mem, ptr, handles).map(Some)
    }

    /// Guest calling an import: lifts the arguments from its core arguments.
    ///
    /// When the result spills, `flat` ends with the return pointer, which is not lifted.
    pub fn lift_args<H: Handles + ?Sized>(
        &self,
        flat: &[FlatVal],
        mem: &[u8],
        handles: &mut H,
    ) -> Result<Vec<Val>, Trap> {
        let flat = match (self.results_spill(), flat.split_last()) {
            (true, Some((_, rest))) => rest,
            (true, None) => {
                return Err(Trap::FlatMismatch {
                    expected: Some(FlatType::I32),
                })
            }
            (false, _) => flat,
        };
        lift_values(&self.0.params, MAX_FLAT_PARAMS, flat, mem, handles)
    }

    /// Guest calling an import: lowers the host's result, to `out` or through the return pointer.
    ///
    /// `args` are the core arguments the guest passed; when the result
    /// spills, the last is the return pointer, checked before the store.
    pub fn lower_result<M: GuestMemory + ?Sized, H: Handles + ?Sized>(
        &self,
        result: Option<&Val>,
        args: &[FlatVal],
        mem: &mut M,
        handles: &mut H,
        out: &mut Vec<FlatVal>,
    ) -> Result<(), Trap> {
        let vals = result.map(core::slice::from_ref).unwrap_or_default();
        let out_ptr = match (self.results_spill(), args.last()) {
            (true, Some(FlatVal::I32(p))) => Some(*p as u32),
            (true, _) => {
                return Err(Trap::FlatMismatch {
                    expected: Some(FlatType::I32),
                })
            }
            (false, _) => None,
        };
        lower_values(
            &self.0.results,
            MAX_FLAT_RESULTS,
            vals,
            out_ptr,
            mem,
            handles,
            out,
        )
    }
}

/// The core signature of `ft` in `cx`.
pub fn flatten_functype(ft: &FuncType, cx: AbiContext) -> CoreSignature {
    ft.core_signature(cx)
}

/// The specification's `lift_flat_values`.
fn lift_values<H: Handles + ?Sized>(
    tys: &Product,
    max_flat: usize,
    flat: &[FlatVal],
    mem: &[u8],
    handles: &mut H,
) -> Result<Vec<Val>, Trap> {
    if tys.flat.len() > max_flat {
        let ptr = match flat {
            [FlatVal::I32(p)] => *p as u32,
            _ => {
                return Err(Trap::FlatMismatch {
                    expected: Some(FlatType::I32),
                })
            }
        };
        check_tuple(tys, ptr, mem.len())?;
        let mut out = Vec::with_capacity(tys.types.len());
        for (ty, offset) in tys.fields() {
            out.push(load(ty, mem, ptr + offset, handles)?);
        }
        return Ok(out);
    }
    if flat.len() != tys.flat.len() {
        return Err(Trap::FlatMismatch { expected: None });
    }
    let mut out = Vec::with_capacity(tys.types.len());
    let mut at = 0;
    for ty in tys.types.iter() {
        let n = ty.flat().len();
        out.push(lift_flat(ty, &flat[at..at + n], mem, handles)?);
        at += n;
    }
    Ok(out)
}

/// The specification's `lower_flat_values`.
fn lower_values<M: GuestMemory + ?Sized, H: Handles + ?Sized>(
    tys: &Product,
    max_flat: usize,
    vals: &[Val],
    out_ptr: Option<u32>,
    mem: &mut M,
    handles: &mut H,
    out: &mut Vec<FlatVal>,
) -> Result<(), Trap> {
    if vals.len() != tys.types.len() {
        return Err(Trap::ValueMismatch {
            expected: TypeKind::Tuple,
        });
    }
    let mut lowerer = Lowerer { mem, handles };
    if tys.flat.len() > max_flat {
        let ptr = match out_ptr {
            Some(p) => p,
            None => {
                let ptr = allocate(lowerer.mem, tys.layout.align, tys.layout.size)?;
                out.push(FlatVal::I32(ptr as i32));
                ptr
            }
        };
        check_tuple(tys, ptr, lowerer.mem.data().len())?;
        for ((ty, offset), v) in tys.fields().zip(vals) {
            lowerer.store(ty, v, ptr + offset)?;
        }
        return Ok(());
    }
    for (ty, v) in tys.types.iter().zip(vals) {
        lowerer.lower(ty, v, out)?;
    }
    Ok(())
}

/// Spilled values: the tuple at `ptr` must be aligned and inside memory.
fn check_tuple(tys: &Product, ptr: u32, memory: usize) -> Result<(), Trap> {
    check_aligned(TypeKind::Tuple, ptr, tys.layout.align)?;
    checked_range(TypeKind::Tuple, ptr, tys.layout.size.into(), memory)?;
    Ok(())
}
