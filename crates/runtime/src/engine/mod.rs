//! The engine boundary: what wasmbed needs from a core Wasm engine, and nothing more.
//!
//! Everything above this module works with these traits only; each backend
//! is one feature-gated file.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::typed::Flat;
use wasmbed_abi::{
    CoreSignature, FlatType, FlatVal, ResourceId, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
};

use crate::signals::Slicing;
use crate::{Error, State};

#[cfg(all(feature = "wasmi", feature = "wamr"))]
pub mod any;
#[cfg(feature = "wamr")]
#[allow(unsafe_code)]
pub mod wamr;
#[cfg(feature = "wasmi")]
pub mod wasmi;

/// A guest function the runtime itself calls during a host call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestFunc {
    /// The exported `realloc`.
    Realloc,
    /// The destructor of an exported resource.
    Dtor(ResourceId),
}

/// What the runtime sees of a running guest: its memory, its state, the
/// host data `T` the instance owns, and the functions it calls back.
pub trait GuestAccess<T: 'static> {
    /// The linear memory (empty when the module exports none).
    fn memory(&self) -> &[u8];
    /// The linear memory, the instance state and the host data, all at once.
    fn parts(&mut self) -> (&mut [u8], &mut State, &mut T);
    /// The instance state.
    fn state(&mut self) -> &mut State;
    /// The host data.
    fn data(&self) -> &T;
    /// The host data, writable.
    fn data_mut(&mut self) -> &mut T;
    /// Calls `realloc` or a destructor inside the guest.
    fn call_guest(
        &mut self,
        func: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error>;

    /// The linear memory, writable, together with the instance state.
    fn memory_and_state(&mut self) -> (&mut [u8], &mut State) {
        let (m, s, _) = self.parts();
        (m, s)
    }
}

/// A host function at the core level: flat arguments in, flat results out.
pub type HostFn<T> = Arc<
    dyn Fn(&mut dyn GuestAccess<T>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error> + Send + Sync,
>;

/// One core import the engine must provide, borrowed from the guest's
/// imports (an engine that keeps a part copies it).
pub struct EngineImport<'a, T> {
    /// Import module name.
    pub module: &'a str,
    /// Import field name.
    pub name: &'a str,
    /// Core parameter types.
    pub params: &'a [FlatType],
    /// Core result types.
    pub results: &'a [FlatType],
    /// The implementation.
    pub func: HostFn<T>,
    /// The statically typed trampolines it may take.
    #[cfg_attr(not(feature = "wasmi"), allow(dead_code))]
    pub(crate) fast: Fast<T>,
}

/// An import's function with the typed trampolines it may take.
pub(crate) type Provided<T> = (HostFn<T>, Fast<T>);

/// wasmi's statically typed trampoline maker (`Func::wrap`, which unlike
/// `Func::new` allocates nothing per call).
#[cfg(feature = "wasmi")]
type TypedFn<T> = wasmi::TypedFn<T>;
#[cfg(not(feature = "wasmi"))]
type TypedFn<T> = fn(core::marker::PhantomData<T>);

/// wasmi's trampoline for any core type (`Func::new`, which allocates once
/// per call).
#[cfg(feature = "wasmi")]
type DynamicFn<T> = wasmi::DynamicFn<T>;
#[cfg(not(feature = "wasmi"))]
type DynamicFn<T> = fn(core::marker::PhantomData<T>);

/// Which statically typed trampolines an import's function may take,
/// chosen where its core type is known: at compile time for typed host
/// functions and the runtime's own functions, so a program links only the
/// trampolines its imports can take (each is about 0.5 KB of a device's flash).
#[cfg_attr(not(feature = "wasmi"), allow(dead_code))]
pub(crate) struct Fast<T> {
    /// The one core type it serves, its parameters and results (after
    /// spilling); `None` for any.
    pub(crate) shape: Option<(Flat, Flat)>,
    /// The maker, `None` for no typed trampoline.
    pub(crate) make: Option<TypedFn<T>>,
    /// The maker for any core type, `None` where a typed trampoline is
    /// chosen at compile time: a program whose imports all know their core
    /// types then links no `Func::new` (about 1.4 KB of a device's flash).
    pub(crate) dynamic: Option<DynamicFn<T>>,
}

impl<T> Clone for Fast<T> {
    fn clone(&self) -> Fast<T> {
        *self
    }
}

impl<T> Copy for Fast<T> {}

impl<T: 'static> Fast<T> {
    /// No typed trampoline: always `Func::new`'s.
    pub(crate) const NONE: Fast<T> = Fast {
        shape: None,
        make: None,
        dynamic: Fast::<T>::DYNAMIC,
    };

    /// Any typed trampoline, chosen at run time from the import's core
    /// type, or `Func::new`'s when none takes it.
    pub(crate) const ANY: Fast<T> = Fast {
        shape: None,
        #[cfg(feature = "wasmi")]
        make: Some(wasmi::typed_any::<T>),
        #[cfg(not(feature = "wasmi"))]
        make: None,
        dynamic: Fast::<T>::DYNAMIC,
    };

    #[cfg(feature = "wasmi")]
    const DYNAMIC: Option<DynamicFn<T>> = Some(wasmi::dynamic_import::<T>);
    #[cfg(not(feature = "wasmi"))]
    const DYNAMIC: Option<DynamicFn<T>> = None;

    /// For the runtime's own functions that take one `i32` and return nothing (`resource.drop`).
    pub(crate) const I32_TO_NONE: Fast<T> = Fast::of(Some(Flat::i32s(1)), Some(Flat::i32s(0)));

    /// For the runtime's own functions that take one `i32` and return one
    /// (`resource.new`, `resource.rep`).
    pub(crate) const I32_TO_I32: Fast<T> = Fast::of(Some(Flat::i32s(1)), Some(Flat::i32s(1)));

    /// The typed trampoline for an import whose parameters flatten to
    /// `params` and whose result to `result` (before spilling), if one takes
    /// it; any when either is not known. Meant for `const`s: the choice
    /// links only the trampoline chosen.
    pub(crate) const fn of(params: Option<Flat>, result: Option<Flat>) -> Fast<T> {
        let (Some(mut params), Some(mut results)) = (params, result) else {
            return Fast::ANY;
        };
        if params.count > MAX_FLAT_PARAMS {
            params = Flat::i32s(1);
        }
        if results.count > MAX_FLAT_RESULTS {
            // An import's spilled result: a return pointer after the parameters.
            params = Flat::then(Some(params), Some(Flat::i32s(1))).unwrap();
            results = Flat::i32s(0);
        }
        #[cfg(feature = "wasmi")]
        {
            wasmi::typed_of::<T>(params, results)
        }
        #[cfg(not(feature = "wasmi"))]
        {
            let _ = (params, results);
            Fast::NONE
        }
    }
}

/// The guest exports the runtime calls by itself, by their core names.
#[derive(Clone, Debug, Default)]
pub struct Special {
    /// The exported memory.
    pub memory: Option<String>,
    /// `realloc`.
    pub realloc: Option<String>,
    /// Destructors, indexed by resource id.
    pub dtors: Vec<Option<String>>,
}

/// Explicit limits for one instance: nothing grows without bound.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Fuel for the instance's whole life; `None` for no metering.
    pub fuel: Option<u64>,
    /// Largest linear memory, in 64 KiB pages.
    pub max_memory_pages: u32,
    /// Most live handles in each resource table.
    pub max_handles: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: None,
            max_memory_pages: 256,
            max_handles: 1024,
        }
    }
}

/// What the runtime checks of a compiled module against its world, read
/// from what the engine parsed: a device links no second Wasm parser.
#[derive(Clone, Debug, Default)]
pub struct ModuleShape {
    /// Function imports in module order: module, name, and the signature
    /// (`None` when it has a type outside `i32 i64 f32 f64`).
    pub imports: Vec<(String, String, Option<CoreSignature>)>,
    /// Exported functions with their signatures.
    pub funcs: Vec<(String, Option<CoreSignature>)>,
    /// Names of exported memories.
    pub memories: Vec<String>,
}

/// A core Wasm engine. Cloning is cheap and shares the engine.
pub trait Engine: Clone {
    /// A compiled module.
    type Module: Clone;
    /// An exported function of a live instance.
    type Func: Clone;
    /// Every import of one module resolved, ready for any number of instances with host data `T`.
    type Linked<T: 'static>;
    /// A live instance owning host data `T`.
    type Instance<T: 'static>: EngineInstance<T, Func = Self::Func>;

    /// Compiles and validates `wasm`.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module, Error>;

    /// The imports and exports of a compiled module.
    fn shape(&self, module: &Self::Module) -> ModuleShape;

    /// Prepares `imports`, in the module's import order, once for every later instance.
    fn link<T: 'static>(&self, imports: Vec<EngineImport<'_, T>>)
        -> Result<Self::Linked<T>, Error>;

    /// Instantiates with `linked`, running the `start` function with `State::in_start` set.
    fn instantiate<T: 'static>(
        &self,
        module: &Self::Module,
        linked: &Self::Linked<T>,
        special: &Special,
        state: State,
        data: T,
        limits: &Limits,
    ) -> Result<Self::Instance<T>, Error>;
}

/// A live instance: calls to its exports, plus [`GuestAccess`] between calls.
pub trait EngineInstance<T: 'static>: GuestAccess<T> {
    /// A handle to an exported function.
    type Func: Clone;

    /// The exported function `name`.
    fn func(&self, name: &str) -> Option<Self::Func>;

    /// Calls an exported function with core arguments.
    fn call(
        &mut self,
        func: &Self::Func,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error>;

    /// Fuel left, when metering.
    fn fuel(&self) -> Option<u64>;

    /// Sets the fuel left (the lifetime budget between calls); ignored when not metering.
    fn set_fuel(&mut self, fuel: u64) {
        let _ = fuel;
    }

    /// Runs every later call in slices, delivering signals between them;
    /// `false` when this engine cannot (no fuel metering, or no resumable calls).
    fn set_slicing(&mut self, slicing: Option<Arc<Slicing<Self::Func>>>) -> bool {
        slicing.is_none()
    }

    /// Ends the instance, giving its host data back.
    fn into_data(self) -> T;
}
