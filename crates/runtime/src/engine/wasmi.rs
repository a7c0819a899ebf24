//! The wasmi backend: the default engine, small enough for microcontrollers.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use wasmbed_abi::typed::Flat;
use wasmbed_abi::{CoreSignature, FlatType, FlatVal};
use wasmi::{
    AsContextMut, Caller, Config, Extern, ExternType, Func, Memory, Store, StoreContextMut,
    StoreLimits, StoreLimitsBuilder, ValType,
};

use super::{
    Engine, EngineImport, EngineInstance, Fast, GuestAccess, GuestFunc, HostFn, Limits,
    ModuleShape, Special,
};
use crate::error::TrapReason;
use crate::signals::Slicing;
use crate::{Error, ErrorKind, State};

/// The wasmi engine.
#[derive(Clone)]
pub struct Wasmi {
    engine: wasmi::Engine,
    fuel: bool,
}

impl Wasmi {
    /// An engine without fuel metering (fastest).
    pub fn new() -> Wasmi {
        Wasmi {
            engine: wasmi::Engine::new(&base_config()),
            fuel: false,
        }
    }

    /// An engine that translates every function when a module is compiled,
    /// rather than at its first call: what a small guest on a device wants,
    /// wasmi then keeps no lazy-translation state, and no call stops to
    /// translate (docs/benchmarks.md, "Footprint on a microcontroller").
    pub fn eager() -> Wasmi {
        let mut config = base_config();
        config.compilation_mode(wasmi::CompilationMode::Eager);
        Wasmi {
            engine: wasmi::Engine::new(&config),
            fuel: false,
        }
    }

    /// An engine that meters fuel, so [`Limits::fuel`] can stop a runaway
    /// guest and calls can run in slices that signals interrupt
    /// ([`Instance::set_signals`](crate::Instance::set_signals)).
    ///
    /// Modules are translated eagerly: running out of fuel while wasmi
    /// translates a function lazily could not be resumed.
    pub fn with_fuel() -> Wasmi {
        let mut config = base_config();
        config.consume_fuel(true);
        config.compilation_mode(wasmi::CompilationMode::Eager);
        Wasmi {
            engine: wasmi::Engine::new(&config),
            fuel: true,
        }
    }
}

/// What both engines share, sized for a small device.
fn base_config() -> Config {
    let mut config = Config::default();
    // Memories of 1-byte pages: what `wasmbed shrink` writes (docs/shrink.md).
    config.wasm_custom_page_sizes(true);
    // A value stack that starts at 256 bytes and grows as a call needs
    // (wasmi starts at 1,000), and one kept for reuse rather than two: a
    // small guest's instance then fits 16 KB of heap (docs/benchmarks.md).
    config.set_min_stack_height(256);
    config.set_max_cached_stacks(1);
    // wasmbed reads a module's custom sections (its `component-type`) from
    // the bytes, never from wasmi; kept, they would cost every module a copy
    // of them (the pub/sub guest's name and component-type: 4 KB of heap).
    config.ignore_custom_sections(true);
    config
}

impl Default for Wasmi {
    fn default() -> Wasmi {
        Wasmi::new()
    }
}

/// What the store holds: the runtime's state, the exports it calls itself, and the host data.
pub struct Data<T> {
    state: State,
    memory: Option<Memory>,
    realloc: Option<Func>,
    dtors: Vec<Option<Func>>,
    limits: StoreLimits,
    host: T,
}

/// A wasmi instance owning host data `T`.
pub struct WasmiInstance<T> {
    store: Store<Data<T>>,
    instance: wasmi::Instance,
    /// The signals' slicing, with the call that runs in slices: reached
    /// through this pointer, set only by `set_slicing`, so a program that
    /// never sets signals links none of the sliced call (3 KB of a device's
    /// flash).
    slicing: Option<(Arc<Slicing<Func>>, SlicedCall<T>)>,
}

/// [`call_sliced`] for host data `T`.
type SlicedCall<T> = fn(
    &mut WasmiInstance<T>,
    &Slicing<Func>,
    &Func,
    &[FlatVal],
    &mut [FlatVal],
) -> Result<(), Error>;

/// A module's imports resolved once, in its import order: each instance makes its functions from these.
pub struct WasmiLinked<T> {
    makers: Vec<Maker<T>>,
}

/// A host function's error carried through wasmi back to the runtime.
#[derive(Debug)]
struct HostFail(Error);

impl fmt::Display for HostFail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl wasmi::errors::HostError for HostFail {}

fn val_type(t: FlatType) -> ValType {
    match t {
        FlatType::I32 => ValType::I32,
        FlatType::I64 => ValType::I64,
        FlatType::F32 => ValType::F32,
        FlatType::F64 => ValType::F64,
    }
}

fn to_wasmi(v: FlatVal) -> wasmi::Val {
    match v {
        FlatVal::I32(i) => wasmi::Val::I32(i),
        FlatVal::I64(i) => wasmi::Val::I64(i),
        FlatVal::F32(f) => wasmi::Val::F32(f.into()),
        FlatVal::F64(f) => wasmi::Val::F64(f.into()),
    }
}

fn from_wasmi(v: &wasmi::Val) -> FlatVal {
    match v {
        wasmi::Val::I32(i) => FlatVal::I32(*i),
        wasmi::Val::I64(i) => FlatVal::I64(*i),
        wasmi::Val::F32(f) => FlatVal::F32(f32::from(*f)),
        wasmi::Val::F64(f) => FlatVal::F64(f64::from(*f)),
        // The world's signatures have only numbers; validation ensured the rest.
        _ => FlatVal::I32(0),
    }
}

/// A wasmi error as a runtime error: a host function's own error, or an engine trap.
fn from_wasmi_error(e: wasmi::Error, func: &str) -> Error {
    if e.downcast_ref::<HostFail>().is_none() {
        if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) {
            return Error::trap(func, TrapReason::OutOfFuel);
        }
        return Error::trap(func, TrapReason::Engine(e.to_string()));
    }
    match e.downcast::<HostFail>() {
        Some(HostFail(inner)) => inner,
        None => Error::trap(func, TrapReason::Engine("host function failed".into())),
    }
}

/// `msg` on one line: every run of ASCII whitespace one space, none at the ends.
fn one_line(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut word = None;
    for (i, b) in msg.bytes().chain([b' ']).enumerate() {
        match (b.is_ascii_whitespace(), word) {
            (false, None) => word = Some(i),
            (true, Some(start)) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                // Both ends are at ASCII bytes: character boundaries.
                out.push_str(msg.get(start..i).unwrap_or_default());
                word = None;
            }
            _ => {}
        }
    }
    out
}

/// Guest access through a store context: the store's, or a host function's
/// `Caller`'s (one implementation for both).
struct Access<'c, T>(StoreContextMut<'c, Data<T>>);

impl<T: 'static> GuestAccess<T> for Access<'_, T> {
    fn memory(&self) -> &[u8] {
        match self.0.data().memory {
            Some(m) => m.data(&self.0),
            None => &[],
        }
    }

    fn parts(&mut self) -> (&mut [u8], &mut State, &mut T) {
        let (bytes, data) = match self.0.data().memory {
            Some(m) => m.data_and_store_mut(&mut self.0),
            None => (&mut [][..], self.0.data_mut()),
        };
        (bytes, &mut data.state, &mut data.host)
    }

    fn state(&mut self) -> &mut State {
        &mut self.0.data_mut().state
    }

    fn data(&self) -> &T {
        &self.0.data().host
    }

    fn data_mut(&mut self) -> &mut T {
        &mut self.0.data_mut().host
    }

    fn call_guest(
        &mut self,
        which: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        let data = self.0.data();
        let (func, name) = match which {
            GuestFunc::Realloc => (data.realloc, "realloc"),
            GuestFunc::Dtor(r) => match data.dtors.get(r.0 as usize).copied().flatten() {
                Some(f) => (Some(f), "destructor"),
                // A destructor is optional: without one, dropping does nothing more.
                None => return Ok(()),
            },
        };
        let func = func.ok_or_else(|| {
            Error::trap(
                name,
                TrapReason::Engine(format!("the module exports no `{name}`")),
            )
        })?;
        call_func(self.0.as_context_mut(), &func, args, results, name)
    }
}

fn call_func<T>(
    mut cx: StoreContextMut<'_, Data<T>>,
    func: &Func,
    args: &[FlatVal],
    results: &mut [FlatVal],
    name: &str,
) -> Result<(), Error> {
    with_wasmi_vals(args, results, &mut |inputs, outputs| {
        func.call(&mut cx, inputs, outputs)
            .map_err(|e| from_wasmi_error(e, name))
    })
}

/// A call over wasmi values: arguments in, results out.
type WasmiCall<'f> = dyn FnMut(&[wasmi::Val], &mut [wasmi::Val]) -> Result<(), Error> + 'f;

/// Runs `f` on `args` and `results` as wasmi values, then copies the results
/// back: on the stack for a world function (at most 17 core arguments and
/// one result), on the heap only for imports outside the world.
///
/// One function for both kinds of call (`f` behind `&mut dyn`).
fn with_wasmi_vals(
    args: &[FlatVal],
    results: &mut [FlatVal],
    f: &mut WasmiCall<'_>,
) -> Result<(), Error> {
    // Arguments then results, in one buffer.
    const STACK: usize = 18;
    let n = args.len() + results.len();
    let mut stack: [wasmi::Val; STACK] = core::array::from_fn(|_| wasmi::Val::I32(0));
    let mut heap: Vec<wasmi::Val>;
    let vals: &mut [wasmi::Val] = match stack.get_mut(..n) {
        Some(vals) => vals,
        None => {
            heap = alloc::vec![wasmi::Val::I32(0); n];
            &mut heap
        }
    };
    for (v, a) in vals.iter_mut().zip(args.iter().chain(results.iter())) {
        *v = to_wasmi(*a);
    }
    let (inputs, outputs) = vals.split_at_mut(args.len());
    f(inputs, outputs)?;
    for (r, o) in results.iter_mut().zip(outputs.iter()) {
        *r = from_wasmi(o);
    }
    Ok(())
}

/// Calls `func` in slices of fuel, delivering signals at each boundary
/// (`signals::at_boundary`); between slices the store's fuel is the
/// instance's lifetime budget left, as outside calls.
fn call_sliced<T: 'static>(
    inst: &mut WasmiInstance<T>,
    s: &Slicing<Func>,
    func: &Func,
    args: &[FlatVal],
    results: &mut [FlatVal],
) -> Result<(), Error> {
    let name = "export";
    // Host calls that sleep under this call wake on its signals.
    #[cfg(feature = "std")]
    let _current = crate::signals::enter(&s.interrupt);
    with_wasmi_vals(args, results, &mut |inputs, outputs| {
        let mut life = inst.store.get_fuel().unwrap_or(u64::MAX);
        let mut give = s.config.slice.min(life);
        let _ = inst.store.set_fuel(give);
        let mut call = func
            .call_resumable(&mut inst.store, inputs, outputs)
            .map_err(|e| from_wasmi_error(e, name));
        loop {
            let used = give - inst.store.get_fuel().unwrap_or(0).min(give);
            life -= used;
            let _ = inst.store.set_fuel(life);
            match call? {
                // Returning is a boundary too: a signal raised during the
                // last slice (one that cut a host wait short, say) is
                // delivered before the result counts.
                wasmi::ResumableCall::Finished => return crate::signals::at_boundary(inst, s),
                wasmi::ResumableCall::HostTrap(trap) => {
                    return Err(from_wasmi_error(trap.into_host_error(), name))
                }
                wasmi::ResumableCall::OutOfFuel(suspended) => {
                    if life < suspended.required_fuel() {
                        return Err(Error::trap(name, TrapReason::OutOfFuel));
                    }
                    crate::signals::at_boundary(inst, s)?;
                    life = inst.store.get_fuel().unwrap_or(0);
                    give = s.config.slice.max(suspended.required_fuel()).min(life);
                    let _ = inst.store.set_fuel(give);
                    call = suspended
                        .resume(&mut inst.store, outputs)
                        .map_err(|e| from_wasmi_error(e, name));
                }
            }
        }
    })
}

/// The most `i32` parameters a statically typed trampoline takes when it is
/// chosen at compile time: two strings or lists and a return pointer need five.
const TYPED_PARAMS: usize = 8;
/// The most when it is chosen at run time, which links every trampoline it
/// may choose (each about 0.5 KB of a device's flash).
const TYPED_PARAMS_ANY: usize = 4;

/// Calls a host function from a statically typed wasmi trampoline (one
/// function for every core type: at most [`TYPED_PARAMS`] arguments and one
/// result).
fn call_typed<T: 'static>(
    func: &HostFn<T>,
    caller: &mut Caller<'_, Data<T>>,
    args: &[FlatVal],
    results: usize,
) -> Result<FlatVal, wasmi::Error> {
    let mut out = [FlatVal::I32(0)];
    func(
        &mut Access(caller.as_context_mut()),
        args,
        &mut out[..results],
    )
    .map_err(|e| wasmi::Error::host(HostFail(e)))?;
    Ok(out[0])
}

/// One import, resolved once: each new instance's store makes its function from it.
struct Maker<T> {
    func: HostFn<T>,
    how: How<T>,
}

/// How an import's function is made.
enum How<T> {
    /// For an import whose core type a statically typed trampoline takes
    /// (up to eight `i32` parameters, four integers or three of any core
    /// type, and at most one result), which unlike `Func::new` allocates
    /// nothing per call: this many parameters, whether one result.
    Typed(TypedFn<T>, usize, bool),
    /// Any other import, through `Func::new` (which allocates once per call).
    Dynamic(DynamicFn<T>, wasmi::FuncType),
}

/// Makes an import's function in a store through a statically typed
/// trampoline. Chosen at run time it takes `i32` parameters (this many) and
/// whether one `i32` result; chosen at compile time it knows its core type.
pub(crate) type TypedFn<T> = fn(&mut Store<Data<T>>, HostFn<T>, usize, bool) -> Func;

/// Makes an import's function in a store for any core type.
pub(crate) type DynamicFn<T> = fn(&mut Store<Data<T>>, wasmi::FuncType, HostFn<T>) -> Func;

/// A typed trampoline over `f` with the parameters named and typed,
/// returning nothing (`$r` 0) or one `i32` (1), `i64` (2), `f32` (3) or
/// `f64` (4).
macro_rules! wrap {
    ($store:expr, $f:expr, $r:expr, $($a:ident: $t:ty),*) => {{
        let f = $f;
        macro_rules! returning {
            ($ty:ty, $v:ident, $zero:expr) => {
                Func::wrap($store, move |mut caller: Caller<'_, Data<T>>, $($a: $t),*| -> Result<$ty, wasmi::Error> {
                    Ok(match call_typed(&f, &mut caller, &[$(Into::<FlatVal>::into($a)),*], 1)? {
                        FlatVal::$v(v) => v,
                        _ => $zero,
                    })
                })
            };
        }
        match $r {
            0 => Func::wrap($store, move |mut caller: Caller<'_, Data<T>>, $($a: $t),*| -> Result<(), wasmi::Error> {
                call_typed(&f, &mut caller, &[$(Into::<FlatVal>::into($a)),*], 0).map(|_| ())
            }),
            1 => returning!(i32, I32, 0),
            2 => returning!(i64, I64, 0),
            3 => returning!(f32, F32, 0.0),
            _ => returning!(f64, F64, 0.0),
        }
    }};
}

/// The typed trampoline for `n` `i32` parameters (at most
/// [`TYPED_PARAMS_ANY`]) and `result`, chosen at run time.
pub(crate) fn typed_any<T: 'static>(
    store: &mut Store<Data<T>>,
    f: HostFn<T>,
    n: usize,
    result: bool,
) -> Func {
    // `Maker::new` gives it no more: bounded, the larger ones are not linked;
    // nor are those of `i64` results, which only a compile-time choice takes.
    let n = n.min(TYPED_PARAMS_ANY);
    match result {
        false => typed::<T, 0>(store, f, n),
        true => typed::<T, 1>(store, f, n),
    }
}

/// The typed trampoline for `N` `i32` parameters and result `R` (see
/// [`wrap!`]), chosen at compile time.
fn typed_one<T: 'static, const N: usize, const R: u8>(
    store: &mut Store<Data<T>>,
    f: HostFn<T>,
    _: usize,
    _: bool,
) -> Func {
    const { assert!(N <= TYPED_PARAMS) };
    typed::<T, R>(store, f, N)
}

/// A core parameter of kind `K` (see [`Flat::kind`]).
struct Core<const K: u8>;

/// The Rust type of a [`Core`].
trait CoreTy {
    type Ty: wasmi::WasmTy + Into<FlatVal>;
}

impl CoreTy for Core<0> {
    type Ty = i32;
}

impl CoreTy for Core<1> {
    type Ty = i64;
}

impl CoreTy for Core<2> {
    type Ty = f32;
}

impl CoreTy for Core<3> {
    type Ty = f64;
}

/// The Rust type of a parameter of kind `K`.
type P<const K: u8> = <Core<K> as CoreTy>::Ty;

/// The most parameters a typed trampoline with other types than `i32`
/// among them takes: four integers, or three with floats among them.
const MIXED_PARAMS: usize = 4;

/// The typed trampoline for `N` parameters (at most [`MIXED_PARAMS`]) of
/// kinds `A`, `B`, `C`, `D` (see [`Flat::kind`]) and result `R` (see
/// [`wrap!`]), chosen at compile time.
fn typed_mixed<
    T: 'static,
    const N: usize,
    const A: u8,
    const B: u8,
    const C: u8,
    const D: u8,
    const R: u8,
>(
    store: &mut Store<Data<T>>,
    f: HostFn<T>,
    _: usize,
    _: bool,
) -> Func
where
    Core<A>: CoreTy,
    Core<B>: CoreTy,
    Core<C>: CoreTy,
    Core<D>: CoreTy,
{
    const { assert!(N <= MIXED_PARAMS) };
    match N {
        0 => wrap!(store, f, R,),
        1 => wrap!(store, f, R, a: P<A>),
        2 => wrap!(store, f, R, a: P<A>, b: P<B>),
        3 => wrap!(store, f, R, a: P<A>, b: P<B>, c: P<C>),
        _ => wrap!(store, f, R, a: P<A>, b: P<B>, c: P<C>, d: P<D>),
    }
}

/// The typed trampoline for `n` `i32` parameters and result `R`.
#[inline(always)]
fn typed<T: 'static, const R: u8>(store: &mut Store<Data<T>>, f: HostFn<T>, n: usize) -> Func {
    // Up to four: the very trampolines `typed_mixed` makes of `i32`s, so an
    // image with both choices links each once.
    match n {
        0 => typed_mixed::<T, 0, 0, 0, 0, 0, R>(store, f, 0, false),
        1 => typed_mixed::<T, 1, 0, 0, 0, 0, R>(store, f, 1, false),
        2 => typed_mixed::<T, 2, 0, 0, 0, 0, R>(store, f, 2, false),
        3 => typed_mixed::<T, 3, 0, 0, 0, 0, R>(store, f, 3, false),
        4 => typed_mixed::<T, 4, 0, 0, 0, 0, R>(store, f, 4, false),
        5 => wrap!(store, f, R, a: i32, b: i32, c: i32, d: i32, e: i32),
        6 => wrap!(store, f, R, a: i32, b: i32, c: i32, d: i32, e: i32, g: i32),
        7 => wrap!(store, f, R, a: i32, b: i32, c: i32, d: i32, e: i32, g: i32, h: i32),
        // No typed trampoline takes more than `TYPED_PARAMS`.
        _ => wrap!(store, f, R, a: i32, b: i32, c: i32, d: i32, e: i32, g: i32, h: i32, i: i32),
    }
}

/// The typed trampoline for core parameters `params` and results
/// `results`, if one takes them (see [`Fast::of`]).
pub(crate) const fn typed_of<T: 'static>(params: Flat, results: Flat) -> Fast<T> {
    if !params.described || !results.described || results.count > 1 {
        return Fast::NONE;
    }
    // No result, or one of kind `Flat::kind` plus one.
    let r = match results.count {
        0 => 0,
        _ => results.kind(0) + 1,
    };
    macro_rules! by_result {
        ($make:ident $(, $c:literal)*) => {
            match r {
                0 => $make::<T, $($c,)* 0>,
                1 => $make::<T, $($c,)* 1>,
                2 => $make::<T, $($c,)* 2>,
                3 => $make::<T, $($c,)* 3>,
                _ => $make::<T, $($c,)* 4>,
            }
        };
    }
    // Up to three parameters of any core types, four integers, or eight
    // `i32`s: (how many, which are 64-bit, which are floats).
    let make: TypedFn<T> = match (params.count, params.wide, params.float) {
        (0, 0, 0) => by_result!(typed_mixed, 0, 0, 0, 0, 0),
        (1, 0, 0) => by_result!(typed_mixed, 1, 0, 0, 0, 0),
        (1, 1, 0) => by_result!(typed_mixed, 1, 1, 0, 0, 0),
        (1, 0, 1) => by_result!(typed_mixed, 1, 2, 0, 0, 0),
        (1, 1, 1) => by_result!(typed_mixed, 1, 3, 0, 0, 0),
        (2, 0, 0) => by_result!(typed_mixed, 2, 0, 0, 0, 0),
        (2, 1, 0) => by_result!(typed_mixed, 2, 1, 0, 0, 0),
        (2, 2, 0) => by_result!(typed_mixed, 2, 0, 1, 0, 0),
        (2, 3, 0) => by_result!(typed_mixed, 2, 1, 1, 0, 0),
        (2, 0, 1) => by_result!(typed_mixed, 2, 2, 0, 0, 0),
        (2, 1, 1) => by_result!(typed_mixed, 2, 3, 0, 0, 0),
        (2, 2, 1) => by_result!(typed_mixed, 2, 2, 1, 0, 0),
        (2, 3, 1) => by_result!(typed_mixed, 2, 3, 1, 0, 0),
        (2, 0, 2) => by_result!(typed_mixed, 2, 0, 2, 0, 0),
        (2, 1, 2) => by_result!(typed_mixed, 2, 1, 2, 0, 0),
        (2, 2, 2) => by_result!(typed_mixed, 2, 0, 3, 0, 0),
        (2, 3, 2) => by_result!(typed_mixed, 2, 1, 3, 0, 0),
        (2, 0, 3) => by_result!(typed_mixed, 2, 2, 2, 0, 0),
        (2, 1, 3) => by_result!(typed_mixed, 2, 3, 2, 0, 0),
        (2, 2, 3) => by_result!(typed_mixed, 2, 2, 3, 0, 0),
        (2, 3, 3) => by_result!(typed_mixed, 2, 3, 3, 0, 0),
        (3, 0, 0) => by_result!(typed_mixed, 3, 0, 0, 0, 0),
        (3, 1, 0) => by_result!(typed_mixed, 3, 1, 0, 0, 0),
        (3, 2, 0) => by_result!(typed_mixed, 3, 0, 1, 0, 0),
        (3, 3, 0) => by_result!(typed_mixed, 3, 1, 1, 0, 0),
        (3, 4, 0) => by_result!(typed_mixed, 3, 0, 0, 1, 0),
        (3, 5, 0) => by_result!(typed_mixed, 3, 1, 0, 1, 0),
        (3, 6, 0) => by_result!(typed_mixed, 3, 0, 1, 1, 0),
        (3, 7, 0) => by_result!(typed_mixed, 3, 1, 1, 1, 0),
        (3, 0, 1) => by_result!(typed_mixed, 3, 2, 0, 0, 0),
        (3, 1, 1) => by_result!(typed_mixed, 3, 3, 0, 0, 0),
        (3, 2, 1) => by_result!(typed_mixed, 3, 2, 1, 0, 0),
        (3, 3, 1) => by_result!(typed_mixed, 3, 3, 1, 0, 0),
        (3, 4, 1) => by_result!(typed_mixed, 3, 2, 0, 1, 0),
        (3, 5, 1) => by_result!(typed_mixed, 3, 3, 0, 1, 0),
        (3, 6, 1) => by_result!(typed_mixed, 3, 2, 1, 1, 0),
        (3, 7, 1) => by_result!(typed_mixed, 3, 3, 1, 1, 0),
        (3, 0, 2) => by_result!(typed_mixed, 3, 0, 2, 0, 0),
        (3, 1, 2) => by_result!(typed_mixed, 3, 1, 2, 0, 0),
        (3, 2, 2) => by_result!(typed_mixed, 3, 0, 3, 0, 0),
        (3, 3, 2) => by_result!(typed_mixed, 3, 1, 3, 0, 0),
        (3, 4, 2) => by_result!(typed_mixed, 3, 0, 2, 1, 0),
        (3, 5, 2) => by_result!(typed_mixed, 3, 1, 2, 1, 0),
        (3, 6, 2) => by_result!(typed_mixed, 3, 0, 3, 1, 0),
        (3, 7, 2) => by_result!(typed_mixed, 3, 1, 3, 1, 0),
        (3, 0, 3) => by_result!(typed_mixed, 3, 2, 2, 0, 0),
        (3, 1, 3) => by_result!(typed_mixed, 3, 3, 2, 0, 0),
        (3, 2, 3) => by_result!(typed_mixed, 3, 2, 3, 0, 0),
        (3, 3, 3) => by_result!(typed_mixed, 3, 3, 3, 0, 0),
        (3, 4, 3) => by_result!(typed_mixed, 3, 2, 2, 1, 0),
        (3, 5, 3) => by_result!(typed_mixed, 3, 3, 2, 1, 0),
        (3, 6, 3) => by_result!(typed_mixed, 3, 2, 3, 1, 0),
        (3, 7, 3) => by_result!(typed_mixed, 3, 3, 3, 1, 0),
        (3, 0, 4) => by_result!(typed_mixed, 3, 0, 0, 2, 0),
        (3, 1, 4) => by_result!(typed_mixed, 3, 1, 0, 2, 0),
        (3, 2, 4) => by_result!(typed_mixed, 3, 0, 1, 2, 0),
        (3, 3, 4) => by_result!(typed_mixed, 3, 1, 1, 2, 0),
        (3, 4, 4) => by_result!(typed_mixed, 3, 0, 0, 3, 0),
        (3, 5, 4) => by_result!(typed_mixed, 3, 1, 0, 3, 0),
        (3, 6, 4) => by_result!(typed_mixed, 3, 0, 1, 3, 0),
        (3, 7, 4) => by_result!(typed_mixed, 3, 1, 1, 3, 0),
        (3, 0, 5) => by_result!(typed_mixed, 3, 2, 0, 2, 0),
        (3, 1, 5) => by_result!(typed_mixed, 3, 3, 0, 2, 0),
        (3, 2, 5) => by_result!(typed_mixed, 3, 2, 1, 2, 0),
        (3, 3, 5) => by_result!(typed_mixed, 3, 3, 1, 2, 0),
        (3, 4, 5) => by_result!(typed_mixed, 3, 2, 0, 3, 0),
        (3, 5, 5) => by_result!(typed_mixed, 3, 3, 0, 3, 0),
        (3, 6, 5) => by_result!(typed_mixed, 3, 2, 1, 3, 0),
        (3, 7, 5) => by_result!(typed_mixed, 3, 3, 1, 3, 0),
        (3, 0, 6) => by_result!(typed_mixed, 3, 0, 2, 2, 0),
        (3, 1, 6) => by_result!(typed_mixed, 3, 1, 2, 2, 0),
        (3, 2, 6) => by_result!(typed_mixed, 3, 0, 3, 2, 0),
        (3, 3, 6) => by_result!(typed_mixed, 3, 1, 3, 2, 0),
        (3, 4, 6) => by_result!(typed_mixed, 3, 0, 2, 3, 0),
        (3, 5, 6) => by_result!(typed_mixed, 3, 1, 2, 3, 0),
        (3, 6, 6) => by_result!(typed_mixed, 3, 0, 3, 3, 0),
        (3, 7, 6) => by_result!(typed_mixed, 3, 1, 3, 3, 0),
        (3, 0, 7) => by_result!(typed_mixed, 3, 2, 2, 2, 0),
        (3, 1, 7) => by_result!(typed_mixed, 3, 3, 2, 2, 0),
        (3, 2, 7) => by_result!(typed_mixed, 3, 2, 3, 2, 0),
        (3, 3, 7) => by_result!(typed_mixed, 3, 3, 3, 2, 0),
        (3, 4, 7) => by_result!(typed_mixed, 3, 2, 2, 3, 0),
        (3, 5, 7) => by_result!(typed_mixed, 3, 3, 2, 3, 0),
        (3, 6, 7) => by_result!(typed_mixed, 3, 2, 3, 3, 0),
        (3, 7, 7) => by_result!(typed_mixed, 3, 3, 3, 3, 0),
        (4, 0, 0) => by_result!(typed_mixed, 4, 0, 0, 0, 0),
        (4, 1, 0) => by_result!(typed_mixed, 4, 1, 0, 0, 0),
        (4, 2, 0) => by_result!(typed_mixed, 4, 0, 1, 0, 0),
        (4, 3, 0) => by_result!(typed_mixed, 4, 1, 1, 0, 0),
        (4, 4, 0) => by_result!(typed_mixed, 4, 0, 0, 1, 0),
        (4, 5, 0) => by_result!(typed_mixed, 4, 1, 0, 1, 0),
        (4, 6, 0) => by_result!(typed_mixed, 4, 0, 1, 1, 0),
        (4, 7, 0) => by_result!(typed_mixed, 4, 1, 1, 1, 0),
        (4, 8, 0) => by_result!(typed_mixed, 4, 0, 0, 0, 1),
        (4, 9, 0) => by_result!(typed_mixed, 4, 1, 0, 0, 1),
        (4, 10, 0) => by_result!(typed_mixed, 4, 0, 1, 0, 1),
        (4, 11, 0) => by_result!(typed_mixed, 4, 1, 1, 0, 1),
        (4, 12, 0) => by_result!(typed_mixed, 4, 0, 0, 1, 1),
        (4, 13, 0) => by_result!(typed_mixed, 4, 1, 0, 1, 1),
        (4, 14, 0) => by_result!(typed_mixed, 4, 0, 1, 1, 1),
        (4, 15, 0) => by_result!(typed_mixed, 4, 1, 1, 1, 1),
        (5, 0, 0) => by_result!(typed_one, 5),
        (6, 0, 0) => by_result!(typed_one, 6),
        (7, 0, 0) => by_result!(typed_one, 7),
        (8, 0, 0) => by_result!(typed_one, 8),
        _ => return Fast::NONE,
    };
    Fast {
        shape: Some((params, results)),
        make: Some(make),
        dynamic: None,
    }
}

/// Whether core types `types` are the ones `flat` describes (compared in
/// place: building a `Flat::of_core` of each costs a device 116 bytes more).
fn described(flat: Flat, types: &[FlatType]) -> bool {
    flat.described
        && flat.count == types.len()
        && types.iter().enumerate().all(|(k, t)| {
            *t == match flat.kind(k) {
                0 => FlatType::I32,
                1 => FlatType::I64,
                2 => FlatType::F32,
                _ => FlatType::F64,
            }
        })
}

impl<T: 'static> Maker<T> {
    /// Resolves `import` once: typed when its core type and its function
    /// allow. An import whose trampoline was chosen at compile time has no
    /// other: a core type that disagrees with it (which the world's type
    /// check rules out) is a link error.
    fn new(import: EngineImport<'_, T>) -> Result<Maker<T>, Error> {
        // A trampoline chosen at compile time names its core type; one
        // chosen at run time takes `i32`s, fewer of them.
        let typed = match import.fast.shape {
            Some((params, results)) => {
                described(params, import.params) && described(results, import.results)
            }
            None => {
                let all_i32 = |ts: &[FlatType]| ts.iter().all(|t| *t == FlatType::I32);
                all_i32(import.params)
                    && all_i32(import.results)
                    && import.results.len() <= 1
                    && import.params.len() <= TYPED_PARAMS_ANY
            }
        };
        let shape = (import.params.len(), import.results.len() == 1);
        let how = match (import.fast.make, import.fast.dynamic) {
            (Some(make), _) if typed => How::Typed(make, shape.0, shape.1),
            (_, Some(dynamic)) => How::Dynamic(
                dynamic,
                wasmi::FuncType::new(
                    import.params.iter().map(|t| val_type(*t)),
                    import.results.iter().map(|t| val_type(*t)),
                ),
            ),
            (_, None) => {
                return Err(ErrorKind::Link(format!(
                    "import `{}` `{}`: its core type is not the one its host function's types flatten to",
                    import.module, import.name
                ))
                .into())
            }
        };
        Ok(Maker {
            func: import.func,
            how,
        })
    }

    /// The import's function in `store`.
    // Once per import and instance: out of line, 0.2 KB less of a device's
    // flash than inlined into `instantiate`.
    #[inline(never)]
    fn make(&self, store: &mut Store<Data<T>>) -> Func {
        let f = self.func.clone();
        match &self.how {
            How::Typed(make, n, r) => make(store, f, *n, *r),
            How::Dynamic(dynamic, ty) => dynamic(store, ty.clone(), f),
        }
    }
}

/// An import through `Func::new`.
pub(crate) fn dynamic_import<T: 'static>(
    store: &mut Store<Data<T>>,
    ty: wasmi::FuncType,
    func: HostFn<T>,
) -> Func {
    Func::new(
        store,
        ty,
        move |mut caller: Caller<'_, Data<T>>, params, results| {
            // World functions take at most 17 core arguments; only
            // imports outside the world may need the heap.
            let mut stack = [FlatVal::I32(0); 17];
            let heap: Vec<FlatVal>;
            let args: &[FlatVal] = if params.len() <= stack.len() {
                for (a, p) in stack.iter_mut().zip(params) {
                    *a = from_wasmi(p);
                }
                &stack[..params.len()]
            } else {
                heap = params.iter().map(from_wasmi).collect();
                &heap
            };
            let mut out = [FlatVal::I32(0)];
            let n = results.len().min(1);
            if let Some(r) = results.first() {
                out[0] = from_wasmi(r);
            }
            func(&mut Access(caller.as_context_mut()), args, &mut out[..n])
                .map_err(|e| wasmi::Error::host(HostFail(e)))?;
            if let Some(r) = results.first_mut() {
                *r = to_wasmi(out[0]);
            }
            Ok(())
        },
    )
}

impl Engine for Wasmi {
    type Module = wasmi::Module;
    type Func = Func;
    type Linked<T: 'static> = WasmiLinked<T>;
    type Instance<T: 'static> = WasmiInstance<T>;

    fn shape(&self, module: &wasmi::Module) -> ModuleShape {
        let sig = |f: &wasmi::FuncType| {
            let flat = |t: &ValType| match t {
                ValType::I32 => Some(FlatType::I32),
                ValType::I64 => Some(FlatType::I64),
                ValType::F32 => Some(FlatType::F32),
                ValType::F64 => Some(FlatType::F64),
                _ => None,
            };
            Some(CoreSignature {
                params: f.params().iter().map(flat).collect::<Option<_>>()?,
                results: f.results().iter().map(flat).collect::<Option<_>>()?,
            })
        };
        let mut shape = ModuleShape::default();
        for i in module.imports() {
            if let ExternType::Func(f) = i.ty() {
                let import = (i.module().into(), i.name().into(), sig(f));
                shape.imports.push(import);
            }
        }
        for e in module.exports() {
            match e.ty() {
                ExternType::Func(f) => shape.funcs.push((e.name().into(), sig(f))),
                ExternType::Memory(_) => shape.memories.push(e.name().into()),
                _ => {}
            }
        }
        shape
    }

    #[inline(never)]
    fn compile(&self, wasm: &[u8]) -> Result<wasmi::Module, Error> {
        wasmi::Module::new(&self.engine, wasm)
            // One line, whatever the engine's message looks like.
            .map_err(|e| ErrorKind::Compile(one_line(&e.to_string())).into())
    }

    // Once per link or instance: out of line, as one inlined whole it is
    // 0.8 KB more of a device's flash (docs/benchmarks.md).
    #[inline(never)]
    fn link<T: 'static>(&self, imports: Vec<EngineImport<'_, T>>) -> Result<WasmiLinked<T>, Error> {
        let makers = imports
            .into_iter()
            .map(Maker::new)
            .collect::<Result<_, _>>()?;
        Ok(WasmiLinked { makers })
    }

    // Once per link or instance: out of line, as one inlined whole it is
    // 0.8 KB more of a device's flash (docs/benchmarks.md).
    #[inline(never)]
    fn instantiate<T: 'static>(
        &self,
        module: &wasmi::Module,
        linked: &WasmiLinked<T>,
        special: &Special,
        state: State,
        data: T,
        limits: &Limits,
    ) -> Result<WasmiInstance<T>, Error> {
        let data = Data {
            state,
            memory: None,
            realloc: None,
            dtors: Vec::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(limits.max_memory_pages as usize * 65536)
                .instances(1)
                .build(),
            host: data,
        };
        let mut store = Store::new(&self.engine, data);
        store.limiter(|d| &mut d.limits);
        match (limits.fuel, self.fuel) {
            (Some(fuel), true) => store
                .set_fuel(fuel)
                .map_err(|e| ErrorKind::Link(e.to_string()))?,
            (Some(_), false) => {
                return Err(ErrorKind::Link(
                    "fuel limit set on an engine without fuel metering (use `Wasmi::with_fuel`)"
                        .into(),
                )
                .into())
            }
            // Metering without a limit: the lifetime budget is all there is.
            (None, true) => store
                .set_fuel(u64::MAX)
                .map_err(|e| ErrorKind::Link(e.to_string()))?,
            (None, false) => {}
        }
        store.data_mut().state.in_start = true;
        // The imports in the module's order: no name is looked up here.
        let externs: Vec<Extern> = linked
            .makers
            .iter()
            .map(|m| Extern::Func(m.make(&mut store)))
            .collect();
        let instance = wasmi::Instance::new(&mut store, module, &externs)
            .map_err(|e| from_wasmi_error(e, "start"))?;
        let memory = special
            .memory
            .as_deref()
            .and_then(|n| instance.get_memory(&store, n));
        let realloc = special
            .realloc
            .as_deref()
            .and_then(|n| instance.get_func(&store, n));
        let dtors = special
            .dtors
            .iter()
            .map(|d| d.as_deref().and_then(|n| instance.get_func(&store, n)))
            .collect();
        let data = store.data_mut();
        data.state.in_start = false;
        data.memory = memory;
        data.realloc = realloc;
        data.dtors = dtors;
        Ok(WasmiInstance {
            store,
            instance,
            slicing: None,
        })
    }
}

impl<T: 'static> GuestAccess<T> for WasmiInstance<T> {
    fn memory(&self) -> &[u8] {
        match self.store.data().memory {
            Some(m) => m.data(&self.store),
            None => &[],
        }
    }

    fn parts(&mut self) -> (&mut [u8], &mut State, &mut T) {
        let (bytes, data) = match self.store.data().memory {
            Some(m) => m.data_and_store_mut(&mut self.store),
            None => (&mut [][..], self.store.data_mut()),
        };
        (bytes, &mut data.state, &mut data.host)
    }

    fn state(&mut self) -> &mut State {
        &mut self.store.data_mut().state
    }

    fn data(&self) -> &T {
        &self.store.data().host
    }

    fn data_mut(&mut self) -> &mut T {
        &mut self.store.data_mut().host
    }

    fn call_guest(
        &mut self,
        func: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        Access(self.store.as_context_mut()).call_guest(func, args, results)
    }
}

impl<T: 'static> EngineInstance<T> for WasmiInstance<T> {
    type Func = Func;

    fn func(&self, name: &str) -> Option<Func> {
        self.instance.get_func(&self.store, name)
    }

    fn call(
        &mut self,
        func: &Func,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        // Taken out for the call, so the handler (called from a boundary)
        // runs whole, on its own budget: no signal is delivered meanwhile.
        match self.slicing.take() {
            Some((s, sliced)) => {
                let r = sliced(self, &s, func, args, results);
                self.slicing = Some((s, sliced));
                r
            }
            None => call_func(self.store.as_context_mut(), func, args, results, "export"),
        }
    }

    fn fuel(&self) -> Option<u64> {
        self.store.get_fuel().ok()
    }

    fn set_fuel(&mut self, fuel: u64) {
        let _ = self.store.set_fuel(fuel);
    }

    fn set_slicing(&mut self, slicing: Option<Arc<Slicing<Func>>>) -> bool {
        if slicing.is_some() && self.store.get_fuel().is_err() {
            return false;
        }
        self.slicing = slicing.map(|s| (s, call_sliced::<T> as SlicedCall<T>));
        true
    }

    fn into_data(self) -> T {
        self.store.into_data().host
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::sync::Arc;

    use wasmbed_abi::typed::Flat;
    use wasmbed_abi::FlatType;

    use super::{one_line, typed_of, EngineImport, Maker};
    use crate::engine::Fast;

    /// An import of `params -> results` whose trampoline was chosen for one
    /// `i32` each way.
    fn maker(params: &[FlatType], results: &[FlatType]) -> Result<(), alloc::string::String> {
        let fast: Fast<()> = const { typed_of::<()>(Flat::i32s(1), Flat::i32s(1)) };
        let import = EngineImport {
            module: "m",
            name: "f",
            params,
            results,
            func: Arc::new(|_, _, _| Ok(())),
            fast,
        };
        Maker::new(import).map(|_| ()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_trampoline_chosen_at_compile_time_serves_its_core_type_only() {
        assert_eq!(maker(&[FlatType::I32], &[FlatType::I32]), Ok(()));
        // No `Func::new` to fall back on: a link error, never a mismatched call.
        let err = maker(&[FlatType::I64], &[FlatType::I32]).unwrap_err();
        assert!(
            err.contains("import `m` `f`: its core type is not"),
            "{err}"
        );
        assert!(maker(&[FlatType::I32], &[]).is_err());
    }

    #[test]
    fn an_engine_message_is_one_line() {
        assert_eq!(one_line(""), "");
        assert_eq!(one_line(" \n\t "), "");
        assert_eq!(
            one_line("  failed to parse:\n\t  bad\r\nbyte 0x0 é  "),
            "failed to parse: bad byte 0x0 é"
        );
    }
}
