//! Typed host functions over any WIT type: the guest's arguments lifted
//! straight into Rust values and the host's result lowered straight back,
//! through `wasmbed-abi`'s typed traits, never through `Val`s. The Rust
//! signature is checked against the world's type once, when linked.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;

use wasmbed_abi::typed::{
    Check, Flat, FlatBuf, FlatSrc, Lift, LiftCx, Lower, LowerCx, ResourceNames, TypeMismatch,
};
use wasmbed_abi::{
    FlatType, FlatVal, FuncType, Trap, Type, TypeKind, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
};
use wasmbed_wit::World;

use crate::engine::{Fast, GuestAccess, HostFn};
use crate::error::TrapReason;
use crate::host::{check_may_enter, with_tables, HostCx};
use crate::linker::Linker;
use crate::Error;

/// The parameters of a typed host function: a tuple of owned values that lift.
pub trait ImportParams: Sized {
    /// What they flatten to, when known at compile time (see
    /// [`ComponentType::FLAT`](wasmbed_abi::typed::ComponentType::FLAT)).
    const FLAT: Option<Flat> = None;

    /// Checks them against the import's parameter types: the index and reason of the first mismatch.
    fn typecheck(params: &[Type], names: &dyn ResourceNames) -> Result<(), (usize, TypeMismatch)>;
    /// Lifts them from the guest's core arguments.
    fn lift(cx: &mut LiftCx<'_, '_>, params: &[Type], src: &mut FlatSrc<'_>) -> Result<Self, Trap>;
    /// Loads them from the spilled tuple at `ptr`.
    fn load(
        cx: &mut LiftCx<'_, '_>,
        params: &[Type],
        offsets: &[u32],
        ptr: u32,
    ) -> Result<Self, Trap>;
}

/// Checks `params` one by one against `checks`, one per Rust parameter:
/// the index and reason of the first mismatch, or of a count that differs.
pub(crate) fn typecheck_params(
    params: &[Type],
    checks: &[Check],
    names: &dyn ResourceNames,
) -> Result<(), (usize, TypeMismatch)> {
    for (i, check) in checks.iter().enumerate() {
        let ty = params.get(i).ok_or((
            i,
            TypeMismatch {
                expected: "another parameter",
                found: TypeKind::Tuple,
            },
        ))?;
        check(ty, names).map_err(|e| (i, e))?;
    }
    match params.get(checks.len()) {
        None => Ok(()),
        Some(t) => Err((checks.len(), TypeMismatch::new("no more parameters", t))),
    }
}

/// How many identifiers.
macro_rules! count {
    () => { 0usize };
    ($h:ident $(, $t:ident)*) => { 1usize + count!($($t),*) };
}
pub(crate) use count;

// Each takes its types (and offsets) as one slice of the tuple's length,
// checked once: no check per element.
macro_rules! import_params {
    ($($a:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<$($a: for<'m> Lift<'m>),*> ImportParams for ($($a,)*) {
            const FLAT: Option<Flat> = {
                let flat = Some(Flat::i32s(0));
                $(let flat = Flat::then(flat, $a::FLAT);)*
                flat
            };

            fn typecheck(params: &[Type], names: &dyn ResourceNames) -> Result<(), (usize, TypeMismatch)> {
                typecheck_params(params, &[$($a::typecheck),*], names)
            }

            fn lift(cx: &mut LiftCx<'_, '_>, params: &[Type], src: &mut FlatSrc<'_>) -> Result<Self, Trap> {
                let Some(tys) = params.get(..count!($($a),*)) else {
                    return Err(Trap::FlatMismatch { expected: None });
                };
                let mut i = 0;
                Ok(($({
                    i += 1;
                    $a::lift(cx, &tys[i - 1], src)?
                },)*))
            }

            fn load(cx: &mut LiftCx<'_, '_>, params: &[Type], offsets: &[u32], ptr: u32) -> Result<Self, Trap> {
                let n = count!($($a),*);
                let (Some(tys), Some(offs)) = (params.get(..n), offsets.get(..n)) else {
                    return Err(Trap::FlatMismatch { expected: None });
                };
                let mut i = 0;
                Ok(($({
                    i += 1;
                    $a::load(cx, &tys[i - 1], ptr.wrapping_add(offs[i - 1]))?
                },)*))
            }
        }
    };
}

import_params!();
import_params!(A1);
import_params!(A1, A2);
import_params!(A1, A2, A3);
import_params!(A1, A2, A3, A4);
import_params!(A1, A2, A3, A4, A5);
import_params!(A1, A2, A3, A4, A5, A6);
import_params!(A1, A2, A3, A4, A5, A6, A7);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17);
import_params!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, A18);
import_params!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, A18, A19
);
import_params!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, A18, A19, A20
);

/// Checks `P -> R` against `ty`: the first mismatch, for the link error.
fn typecheck<P: ImportParams, R: Lower>(ty: &FuncType, world: &World) -> Result<(), String> {
    describe_mismatch(
        P::typecheck(ty.params(), world),
        R::typecheck_payload(ty.result(), world),
    )
}

/// The link error for the first mismatch, if any: the parameters', else the
/// result's (one function for every signature).
fn describe_mismatch(
    params: Result<(), (usize, TypeMismatch)>,
    result: Result<(), TypeMismatch>,
) -> Result<(), String> {
    params.map_err(|(i, e)| {
        format!("the host's parameter {i} does not match the world's type: {e}")
    })?;
    result.map_err(|e| format!("the host's result does not match the world's type: {e}"))
}

impl<T: 'static> Linker<T> {
    /// Implements function `name` of `interface` with a closure over Rust values of any WIT type.
    ///
    /// The closure takes the instance's context and the parameters as a
    /// tuple (records, variants, lists, strings, options, results, resource
    /// handles: any type with [`Lift`]) and returns the result (any type with
    /// [`Lower`], `()` for none). Generated bindings link through this.
    pub fn func_typed<P, R, F>(&mut self, interface: &str, name: &str, f: F) -> &mut Linker<T>
    where
        P: ImportParams + 'static,
        R: Lower + 'static,
        F: Fn(&mut HostCx<'_, T>, P) -> Result<R, Error> + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        self.define(
            interface,
            name,
            Some(typecheck::<P, R>),
            Arc::new(move |call, ty| typed_import::<T, P, R, F>(call, ty, f.clone())),
            // The typed trampolines `P -> R` may take, chosen at compile time.
            const { Fast::of(P::FLAT, R::FLAT) },
        )
    }
}

/// The return pointer: the last core argument when the result travels through memory.
fn split_ret(ty: &FuncType, args: &[FlatVal]) -> Result<(Option<u32>, usize), Trap> {
    if !ty.results_spill() {
        return Ok((None, args.len()));
    }
    match args.last() {
        Some(FlatVal::I32(p)) => Ok((Some(*p as u32), args.len() - 1)),
        _ => Err(Trap::FlatMismatch {
            expected: Some(FlatType::I32),
        }),
    }
}

/// Whether values flattening to `flat` spill past `max` core values: `None` when not known statically.
pub(crate) const fn spills(flat: Option<Flat>, max: usize) -> Option<bool> {
    match flat {
        Some(f) => Some(f.count > max),
        None => None,
    }
}

/// Where a value lies when it spilled (`spilled`), agreeing with whether its
/// Rust type spills when that is known at compile time (`known`, see
/// [`spills`]): the type check makes them agree, so a disagreement is a
/// trap, and with `known` given only the path taken is compiled.
#[inline(always)]
pub(crate) fn agree<S>(spilled: Option<S>, known: Option<bool>) -> Result<Option<S>, Trap> {
    match (spilled, known) {
        (Some(s), Some(true) | None) => Ok(Some(s)),
        (None, Some(false) | None) => Ok(None),
        _ => Err(Trap::FlatMismatch { expected: None }),
    }
}

fn lift_params<P: ImportParams>(
    ty: &FuncType,
    cx: &mut LiftCx<'_, '_>,
    args: &[FlatVal],
) -> Result<P, Trap> {
    let known = const { spills(P::FLAT, MAX_FLAT_PARAMS) };
    if agree(ty.params_spill().then_some(()), known)?.is_some() {
        let ptr = FlatSrc::new(args).i32()? as u32;
        ty.check_spilled_params(ptr, cx.memory().len())?;
        P::load(cx, ty.params(), ty.param_offsets(), ptr)
    } else {
        P::lift(cx, ty.params(), &mut FlatSrc::new(args))
    }
}

fn typed_import<T, P, R, F>(name: String, ty: FuncType, f: Arc<F>) -> HostFn<T>
where
    T: 'static,
    P: ImportParams + 'static,
    R: Lower + 'static,
    F: Fn(&mut HostCx<'_, T>, P) -> Result<R, Error> + Send + Sync + 'static,
{
    let needs_memory = ty.needs_memory();
    Arc::new(
        move |access: &mut dyn GuestAccess<T>, args: &[FlatVal], results: &mut [FlatVal]| {
            // Only lifting `P`, the call and lowering `R` are compiled per
            // signature; the checks around them once per host data.
            let mut params = None;
            let ret = enter(access, &ty, needs_memory, &name, args, &mut |cx, args| {
                params = Some(lift_params::<P>(&ty, cx, args)?);
                Ok(())
            })?;
            let Some(params) = params else {
                return Err(Error::trap(
                    &name,
                    TrapReason::Abi(Trap::FlatMismatch { expected: None }),
                ));
            };
            let result = f(&mut HostCx::new(access), params)?;
            leave(
                access,
                &ty,
                &name,
                ret,
                results,
                &|cx, rty, ret, out| match agree(ret, const { spills(R::FLAT, MAX_FLAT_RESULTS) })?
                {
                    Some(ptr) => result.store(cx, rty, ptr),
                    None => result.lower(cx, rty, out),
                },
            )
        },
    )
}

/// Lifts an import's parameters from its core arguments (the return pointer left out).
type LiftParams<'p> = dyn FnMut(&mut LiftCx<'_, '_>, &[FlatVal]) -> Result<(), Trap> + 'p;

/// Lowers an import's result: stored at the return pointer when given, else to the flat results.
type LowerResult<'r> =
    dyn Fn(&mut LowerCx<'_>, &Type, Option<u32>, &mut FlatBuf) -> Result<(), Trap> + 'r;

/// The checks of an import call and its parameters lifted by `lift`: the return pointer, if any.
fn enter<T: 'static>(
    access: &mut dyn GuestAccess<T>,
    ty: &FuncType,
    needs_memory: bool,
    name: &str,
    args: &[FlatVal],
    lift: &mut LiftParams<'_>,
) -> Result<Option<u32>, Error> {
    check_may_enter(access.state(), needs_memory, name)?;
    let trap = |t| Error::trap(name, TrapReason::Abi(t));
    let (ret, n) = split_ret(ty, args).map_err(trap)?;
    if needs_memory {
        let (mem, state, _) = access.parts();
        lift(&mut LiftCx::new(mem, &mut state.tables), &args[..n]).map_err(trap)?;
    } else {
        // Nothing to read from memory: skip looking it up.
        let tables = &mut access.state().tables;
        lift(&mut LiftCx::new(&[], tables), &args[..n]).map_err(trap)?;
    }
    Ok(ret)
}

/// The host's result lowered by `lower`: stored at `ret` or written to `results`.
fn leave<T: 'static>(
    access: &mut dyn GuestAccess<T>,
    ty: &FuncType,
    name: &str,
    ret: Option<u32>,
    results: &mut [FlatVal],
    lower: &LowerResult<'_>,
) -> Result<(), Error> {
    let Some(rty) = ty.result() else {
        return Ok(());
    };
    with_tables(
        access,
        |mem, tables| {
            let mut cx = LowerCx::new(mem, tables);
            match ret {
                Some(ptr) => {
                    let len = cx.memory_mut().len();
                    ty.check_spilled_result(ptr, len)?;
                    lower(&mut cx, rty, Some(ptr), &mut FlatBuf::new())
                }
                None => {
                    let mut out = FlatBuf::new();
                    lower(&mut cx, rty, None, &mut out)?;
                    for (r, o) in results.iter_mut().zip(out.as_slice()) {
                        *r = *o;
                    }
                    Ok(())
                }
            }
        },
        name,
    )
}

#[cfg(all(test, feature = "wasmi"))]
mod tests {
    use alloc::string::String;

    use super::{ImportParams, Lower};
    use crate::engine::Fast;
    use crate::Resource;
    use wasmbed_abi::typed::Flat;

    /// Seventeen parameters: more than a core function takes, so they spill.
    #[rustfmt::skip]
    type P17 = (u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32, u64);

    /// The typed trampoline each import `P -> R` may take: its core type
    /// (how many parameters, which are 64-bit, which are floats, and its
    /// result: none, or one of `Flat::kind` plus one), or none.
    fn shape<P: ImportParams, R: Lower>() -> Option<Option<(usize, u16, u16, u8)>> {
        let fast = const { Fast::<()>::of(P::FLAT, R::FLAT) };
        let result = |r: Flat| if r.count == 0 { 0 } else { r.kind(0) + 1 };
        let kind = |(p, r): (Flat, Flat)| (p.count, p.wide, p.float, result(r));
        fast.make.map(|_| fast.shape.map(kind))
    }

    #[test]
    fn a_typed_import_takes_the_trampoline_of_its_core_type() {
        assert_eq!(shape::<(u32,), u32>(), Some(Some((1, 0, 0, 1))));
        assert_eq!(shape::<(), ()>(), Some(Some((0, 0, 0, 0))));
        assert_eq!(shape::<(String, u8), ()>(), Some(Some((3, 0, 0, 0))));
        assert_eq!(shape::<(Resource<()>,), bool>(), Some(Some((1, 0, 0, 1))));
        // A spilled result: its pointer is a third parameter.
        assert_eq!(shape::<(String,), String>(), Some(Some((3, 0, 0, 0))));
        // Seventeen spill: one pointer.
        assert_eq!(shape::<P17, u32>(), Some(Some((1, 0, 0, 1))));
        // Two strings and the result's pointer: five.
        assert_eq!(
            shape::<(String, String), String>(),
            Some(Some((5, 0, 0, 0)))
        );
        assert_eq!(
            shape::<(String, String, String, String), ()>(),
            Some(Some((8, 0, 0, 0)))
        );
    }

    #[test]
    fn an_import_no_typed_trampoline_takes_links_none() {
        // Nine parameters: more than a typed trampoline takes.
        assert_eq!(shape::<(String, String, String, String, u32), ()>(), None);
        // More than four with an `i64` among them, or four with a float.
        assert_eq!(shape::<(u64, u32, u32, u32, u32), ()>(), None);
        assert_eq!(shape::<(u32, u32, u32, f32), ()>(), None);
        assert_eq!(shape::<(u32,), (u64, u64)>(), Some(Some((2, 0, 0, 0))));
    }

    #[test]
    fn i64_results_and_up_to_four_parameters_with_i64s_take_a_typed_trampoline() {
        assert_eq!(shape::<(), u64>(), Some(Some((0, 0, 0, 2))));
        assert_eq!(shape::<(String, u32), i64>(), Some(Some((3, 0, 0, 2))));
        assert_eq!(shape::<P17, u64>(), Some(Some((1, 0, 0, 2))));
        assert_eq!(shape::<(u64,), ()>(), Some(Some((1, 1, 0, 0))));
        assert_eq!(shape::<(u64,), u32>(), Some(Some((1, 1, 0, 1))));
        assert_eq!(shape::<(i64,), u64>(), Some(Some((1, 1, 0, 2))));
        // A handle then a duration; with a spilled result, its pointer after.
        assert_eq!(
            shape::<(Resource<()>, u64), u32>(),
            Some(Some((2, 2, 0, 1)))
        );
        assert_eq!(
            shape::<(Resource<()>, u64), String>(),
            Some(Some((3, 2, 0, 0)))
        );
        assert_eq!(
            shape::<(u64, u32, u64, u32), ()>(),
            Some(Some((4, 5, 0, 0)))
        );
        // A result joining an `i32` with an `i64`: a discriminant and an
        // `i64` as a parameter; a pointer after the parameters as a result.
        assert_eq!(shape::<(Result<u32, u64>,), ()>(), Some(Some((2, 2, 0, 0))));
        assert_eq!(
            shape::<(u32,), Result<u32, u64>>(),
            Some(Some((2, 0, 0, 0)))
        );
    }

    #[test]
    fn floats_take_a_typed_trampoline() {
        assert_eq!(shape::<(f64,), ()>(), Some(Some((1, 1, 1, 0))));
        assert_eq!(shape::<(u32,), f32>(), Some(Some((1, 0, 0, 3))));
        assert_eq!(shape::<(f32, u64), f64>(), Some(Some((2, 2, 1, 4))));
        // A result joining an `i32` with an `f32` is an `i32`.
        assert_eq!(shape::<(Result<u32, f32>,), ()>(), Some(Some((2, 0, 0, 0))));
        // A record of a `u32` and an `f64`, and its spilled result's pointer.
        assert_eq!(
            shape::<((u32, f64),), (u32, f64)>(),
            Some(Some((3, 2, 2, 0)))
        );
    }

    #[test]
    fn an_import_of_types_not_known_statically_may_take_any() {
        let any = const { Fast::<()>::of(None, Some(Flat::i32s(1))) };
        assert!(any.make.is_some() && any.shape.is_none() && any.dynamic.is_some());
    }

    #[test]
    fn options_and_results_of_i32s_are_known_statically() {
        assert_eq!(shape::<(Option<u32>,), ()>(), Some(Some((2, 0, 0, 0))));
        // Two result values spill: a pointer after the parameter.
        assert_eq!(
            shape::<(u32,), Result<u32, u32>>(),
            Some(Some((2, 0, 0, 0)))
        );
        assert_eq!(
            shape::<(Result<(), String>,), u32>(),
            Some(Some((3, 0, 0, 1)))
        );
    }
}
