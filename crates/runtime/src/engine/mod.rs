//! The engine boundary: what wasmbed needs from a core Wasm engine, and nothing more.
//!
//! Everything above this module works with these traits only; each backend
//! is one feature-gated file.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::{FlatType, FlatVal, ResourceId};

use crate::{Error, State};

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

/// What the runtime sees of a running guest: its memory, its state, the functions it calls back.
pub trait GuestAccess {
    /// The linear memory (empty when the module exports none).
    fn memory(&self) -> &[u8];
    /// The linear memory, writable, together with the instance state.
    fn memory_and_state(&mut self) -> (&mut [u8], &mut State);
    /// Calls `realloc` or a destructor inside the guest.
    fn call_guest(
        &mut self,
        func: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error>;

    /// The instance state.
    fn state(&mut self) -> &mut State {
        self.memory_and_state().1
    }
}

/// A host function at the core level: flat arguments in, flat results out.
pub type HostFn = Arc<
    dyn Fn(&mut dyn GuestAccess, &[FlatVal], &mut [FlatVal]) -> Result<(), Error> + Send + Sync,
>;

/// One core import the engine must provide.
pub struct EngineImport {
    /// Import module name.
    pub module: String,
    /// Import field name.
    pub name: String,
    /// Core parameter types.
    pub params: Vec<FlatType>,
    /// Core result types.
    pub results: Vec<FlatType>,
    /// The implementation.
    pub func: HostFn,
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

/// A core Wasm engine. Cloning is cheap and shares the engine.
pub trait Engine: Clone {
    /// A compiled module.
    type Module;
    /// A live instance.
    type Instance: EngineInstance;

    /// Compiles and validates `wasm`.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module, Error>;

    /// Instantiates with `imports`, running the `start` function with `State::in_start` set.
    fn instantiate(
        &self,
        module: &Self::Module,
        imports: Vec<EngineImport>,
        special: Special,
        state: State,
        limits: &Limits,
    ) -> Result<Self::Instance, Error>;
}

/// A live instance: calls to its exports, plus [`GuestAccess`] between calls.
pub trait EngineInstance: GuestAccess {
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
}
