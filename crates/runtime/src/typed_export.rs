//! Typed export calls: Rust values lowered straight into the guest and its
//! result lifted straight out, through `wasmbed-abi`'s typed traits. The
//! types are checked once, when the handle is made; a call then does no name
//! lookup, builds no `Val` and allocates only what its Rust values own.

use alloc::format;
use core::marker::PhantomData;

use wasmbed_abi::typed::{
    ComponentType, Flat, FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx, ResourceNames,
    TypeMismatch,
};
use wasmbed_abi::{FlatType, FlatVal, FuncType, Trap, Type, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};

use crate::engine::{Engine, EngineInstance, GuestAccess};
use crate::error::TrapReason;
use crate::exports::ExportFunc;
use crate::host::with_tables;
use crate::instance::{finish_call, host_arg_error, Instance};
use crate::typed_import::{agree, count, spills, typecheck_params};
use crate::{Error, ErrorKind};

/// The parameters of a typed export call: a tuple of values that lower.
pub trait ExportParams {
    /// What they flatten to, when known at compile time (see [`ComponentType::FLAT`]).
    const FLAT: Option<Flat> = None;

    /// Checks them against the export's parameter types: the index and reason of the first mismatch.
    fn typecheck(params: &[Type], names: &dyn ResourceNames) -> Result<(), (usize, TypeMismatch)>;
    /// Lowers them to core values.
    fn lower(&self, cx: &mut LowerCx<'_>, params: &[Type], out: &mut FlatBuf) -> Result<(), Trap>;
    /// Stores them as the spilled tuple at `ptr`.
    fn store(
        &self,
        cx: &mut LowerCx<'_>,
        params: &[Type],
        offsets: &[u32],
        ptr: u32,
    ) -> Result<(), Trap>;
}

/// The result of a typed export call: `()` for none, else a value that lifts.
pub trait ExportResult: Sized {
    /// What it flattens to, when known at compile time (see [`ExportParams::FLAT`]).
    const FLAT: Option<Flat> = None;

    /// Checks it against the export's result type.
    fn typecheck(result: Option<&Type>, names: &dyn ResourceNames) -> Result<(), TypeMismatch>;
    /// Lifts it from the core result.
    fn lift(
        cx: &mut LiftCx<'_, '_>,
        result: Option<&Type>,
        src: &mut FlatSrc<'_>,
    ) -> Result<Self, Trap>;
    /// Loads it from the spilled result at `ptr`.
    fn load(cx: &mut LiftCx<'_, '_>, result: &Type, ptr: u32) -> Result<Self, Trap>;
}

impl<R: for<'m> Lift<'m>> ExportResult for R {
    const FLAT: Option<Flat> = <R as ComponentType>::FLAT;

    fn typecheck(result: Option<&Type>, names: &dyn ResourceNames) -> Result<(), TypeMismatch> {
        R::typecheck_payload(result, names)
    }

    fn lift(
        cx: &mut LiftCx<'_, '_>,
        result: Option<&Type>,
        src: &mut FlatSrc<'_>,
    ) -> Result<R, Trap> {
        match result {
            Some(ty) => R::lift(cx, ty, src),
            None => R::unit().ok_or(Trap::FlatMismatch { expected: None }),
        }
    }

    fn load(cx: &mut LiftCx<'_, '_>, result: &Type, ptr: u32) -> Result<R, Trap> {
        R::load(cx, result, ptr)
    }
}

// Each takes its types (and offsets) as one slice of the tuple's length,
// checked once: no check per element.
macro_rules! export_params {
    ($($a:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<$($a: Lower),*> ExportParams for ($($a,)*) {
            const FLAT: Option<Flat> = {
                let flat = Some(Flat::i32s(0));
                $(let flat = Flat::then(flat, $a::FLAT);)*
                flat
            };

            fn typecheck(params: &[Type], names: &dyn ResourceNames) -> Result<(), (usize, TypeMismatch)> {
                typecheck_params(params, &[$($a::typecheck),*], names)
            }

            fn lower(&self, cx: &mut LowerCx<'_>, params: &[Type], out: &mut FlatBuf) -> Result<(), Trap> {
                let ($($a,)*) = self;
                let Some(tys) = params.get(..count!($($a),*)) else {
                    return Err(Trap::FlatMismatch { expected: None });
                };
                let mut i = 0;
                $(
                    i += 1;
                    $a.lower(cx, &tys[i - 1], out)?;
                )*
                Ok(())
            }

            fn store(&self, cx: &mut LowerCx<'_>, params: &[Type], offsets: &[u32], ptr: u32) -> Result<(), Trap> {
                let ($($a,)*) = self;
                let n = count!($($a),*);
                let (Some(tys), Some(offs)) = (params.get(..n), offsets.get(..n)) else {
                    return Err(Trap::FlatMismatch { expected: None });
                };
                let mut i = 0;
                $(
                    i += 1;
                    $a.store(cx, &tys[i - 1], ptr.wrapping_add(offs[i - 1]))?;
                )*
                Ok(())
            }
        }
    };
}

export_params!();
export_params!(A1);
export_params!(A1, A2);
export_params!(A1, A2, A3);
export_params!(A1, A2, A3, A4);
export_params!(A1, A2, A3, A4, A5);
export_params!(A1, A2, A3, A4, A5, A6);
export_params!(A1, A2, A3, A4, A5, A6, A7);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16);
export_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17);

/// Checks `P -> R` against `ty`, naming the export and the first mismatch.
pub(crate) fn typecheck_export<P: ExportParams, R: ExportResult>(
    name: &str,
    ty: &FuncType,
    names: &dyn ResourceNames,
) -> Result<(), Error> {
    describe_mismatch(
        name,
        P::typecheck(ty.params(), names),
        R::typecheck(ty.result(), names),
    )
}

/// The error for the first mismatch, if any: the parameters', else the
/// result's (one function for every signature).
fn describe_mismatch(
    name: &str,
    params: Result<(), (usize, TypeMismatch)>,
    result: Result<(), TypeMismatch>,
) -> Result<(), Error> {
    let bad = |what: alloc::string::String| -> Error {
        ErrorKind::BadArguments(format!(
            "export `{name}` does not have the requested typed signature: {what}"
        ))
        .into()
    };
    params.map_err(|(i, e)| bad(format!("parameter {i}: {e}")))?;
    result.map_err(|e| bad(format!("result: {e}")))
}

impl ExportFunc {
    /// Checks that this export has the Rust signature `P -> R`, as [`ExportFunc::call_typed`] needs.
    pub fn typecheck<P: ExportParams, R: ExportResult>(
        &self,
        names: &dyn ResourceNames,
    ) -> Result<(), Error> {
        typecheck_export::<P, R>(self.name(), self.ty(), names)
    }

    /// Calls the export on `instance` with Rust values, for a signature already
    /// checked with [`ExportFunc::typecheck`] (generated bindings check it when
    /// they are made). A value that does not fit the WIT type is refused with
    /// an error, never misread.
    pub fn call_typed<E: Engine, T: 'static, P: ExportParams, R: ExportResult>(
        &self,
        instance: &mut Instance<E, T>,
        params: P,
    ) -> Result<R, Error> {
        // Only lowering `P` and lifting `R` are compiled per signature; the
        // call around them is compiled once per engine and host data.
        let mut result = None;
        call_export::<E, T>(
            self,
            instance,
            // Only the paths `P` and `R` take are compiled, when known
            // statically: the type check makes the export's type agree.
            &|cx, ty, spill, out| match agree(spill, const { spills(P::FLAT, MAX_FLAT_PARAMS) })? {
                Some(ptr) => params.store(cx, ty.params(), ty.param_offsets(), ptr),
                None => params.lower(cx, ty.params(), out),
            },
            &mut |cx, ty, spilled, flat| {
                let known = const { spills(R::FLAT, MAX_FLAT_RESULTS) };
                result = Some(match agree(spilled, known)? {
                    Some((rty, ptr)) => R::load(cx, rty, ptr)?,
                    None => R::lift(cx, ty.result(), &mut FlatSrc::new(flat))?,
                });
                Ok(())
            },
        )?;
        result.ok_or_else(|| {
            Error::trap(
                self.name(),
                TrapReason::Abi(Trap::FlatMismatch { expected: None }),
            )
        })
    }
}

/// Lowers a call's arguments: into the spilled tuple at `ptr` when given, else to `out`.
type LowerArgs<'p> =
    dyn Fn(&mut LowerCx<'_>, &FuncType, Option<u32>, &mut FlatBuf) -> Result<(), Trap> + 'p;

/// Lifts a call's result: from the spilled result (its type and pointer) when given, else from the flat results.
type LiftResult<'r> = dyn FnMut(&mut LiftCx<'_, '_>, &FuncType, Option<(&Type, u32)>, &[FlatVal]) -> Result<(), Trap>
    + 'r;

/// A typed export call with the guards, the arguments lowered and the result lifted by the callers' closures.
fn call_export<E: Engine, T: 'static>(
    export: &ExportFunc,
    instance: &mut Instance<E, T>,
    lower: &LowerArgs<'_>,
    lift: &mut LiftResult<'_>,
) -> Result<(), Error> {
    let ((func, post), ty) = instance.parts_of(export)?;
    let (func, post) = (func.clone(), post.clone());
    let name = export.name();
    instance.guarded(name, |inner| {
        call_inner::<E, T>(inner, &func, post.as_ref(), &ty, lower, lift, name)
    })
}

fn call_inner<E: Engine, T: 'static>(
    inner: &mut E::Instance<T>,
    func: &E::Func,
    post: Option<&E::Func>,
    ty: &FuncType,
    lower: &LowerArgs<'_>,
    lift: &mut LiftResult<'_>,
    name: &str,
) -> Result<(), Error> {
    let mut args = FlatBuf::new();
    with_tables(
        inner,
        |mem, tables| {
            let mut cx = LowerCx::new(mem, tables);
            if ty.params_spill() {
                let layout = ty.params_layout();
                let ptr = cx.alloc(layout.align, layout.size)?;
                lower(&mut cx, ty, Some(ptr), &mut args)?;
                args.push(FlatVal::I32(ptr as i32))
            } else {
                lower(&mut cx, ty, None, &mut args)
            }
        },
        name,
    )
    .map_err(|e| host_arg_error(e, name))?;
    let mut results = [FlatVal::I32(0)];
    let n = if ty.results_spill() {
        1
    } else {
        ty.flat_results().len()
    };
    inner.call(func, args.as_slice(), &mut results[..n])?;
    {
        // A result with no string, list or spill reads no memory: skip looking it up.
        let (mem, tables) = if ty.needs_memory() {
            let (mem, state, _) = inner.parts();
            (&*mem, &mut state.tables)
        } else {
            (&[][..], &mut inner.state().tables)
        };
        let mut cx = LiftCx::new(mem, tables);
        let r = if ty.results_spill() {
            match (results[0], ty.result()) {
                (FlatVal::I32(p), Some(rty)) => ty
                    .check_spilled_result(p as u32, cx.memory().len())
                    .and_then(|()| lift(&mut cx, ty, Some((rty, p as u32)), &[])),
                _ => Err(Trap::FlatMismatch {
                    expected: Some(FlatType::I32),
                }),
            }
        } else {
            lift(&mut cx, ty, None, &results[..n])
        };
        r.map_err(|t| Error::trap(name, TrapReason::Abi(t)))?;
    }
    finish_call::<E, T>(inner, post, &results[..n], name)
}

/// An export resolved and type-checked once, called with Rust values.
pub struct TypedExport<P, R> {
    func: ExportFunc,
    _types: PhantomData<fn(P) -> R>,
}

impl<E: Engine, T: 'static> Instance<E, T> {
    /// A typed handle to export `name`, if its WIT type is `P -> R`; valid for every instance of this guest.
    pub fn typed<P: ExportParams, R: ExportResult>(
        &self,
        name: &str,
    ) -> Result<TypedExport<P, R>, Error> {
        let func = self.export(name)?;
        func.typecheck::<P, R>(self.world())?;
        Ok(TypedExport {
            func,
            _types: PhantomData,
        })
    }
}

impl<P: ExportParams, R: ExportResult> TypedExport<P, R> {
    /// Calls the export on `instance` (any instance of the guest it was made for).
    pub fn call<E: Engine, T: 'static>(
        &self,
        instance: &mut Instance<E, T>,
        params: P,
    ) -> Result<R, Error> {
        self.func.call_typed(instance, params)
    }
}
