//! An engine chosen at run time: one type for hosts that pick the backend
//! from a flag or a C call (`wasmbed run --engine`, the C API), so their code
//! is written once over [`Engine`] and never names a backend past the choice.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::FlatVal;

use super::wamr::{Wamr, WamrFunc, WamrInstance, WamrLinked, WamrModule};
use super::wasmi::{Wasmi, WasmiInstance, WasmiLinked};
use super::{
    Engine, EngineImport, EngineInstance, GuestAccess, GuestFunc, Limits, ModuleShape, Special,
};
use crate::signals::Slicing;
use crate::{Error, ErrorKind, State};

/// wasmi or WAMR, chosen when the engine is made.
#[derive(Clone)]
pub enum AnyEngine {
    /// wasmi.
    Wasmi(Wasmi),
    /// WAMR's fast interpreter.
    Wamr(Wamr),
}

/// A module compiled by either backend.
#[derive(Clone)]
pub enum AnyModule {
    /// Compiled by wasmi.
    Wasmi(wasmi::Module),
    /// Compiled by WAMR.
    Wamr(WamrModule),
}

/// An export of an instance of either backend.
#[derive(Clone)]
pub enum AnyFunc {
    /// A wasmi function.
    Wasmi(wasmi::Func),
    /// A WAMR function.
    Wamr(WamrFunc),
}

/// Imports linked for either backend.
pub enum AnyLinked<T: 'static> {
    /// For wasmi.
    Wasmi(WasmiLinked<T>),
    /// For WAMR.
    Wamr(WamrLinked<T>),
}

/// An instance of either backend.
pub enum AnyInstance<T: 'static> {
    /// On wasmi (boxed: its store is inline, about 1.7 KB).
    Wasmi(Box<WasmiInstance<T>>),
    /// On WAMR.
    Wamr(WamrInstance<T>),
}

/// A module, linked set or function handed to the other backend's engine.
fn mismatch() -> Error {
    ErrorKind::Link("a module compiled by one engine was used with another".into()).into()
}

impl Engine for AnyEngine {
    type Module = AnyModule;
    type Func = AnyFunc;
    type Linked<T: 'static> = AnyLinked<T>;
    type Instance<T: 'static> = AnyInstance<T>;

    fn compile(&self, wasm: &[u8]) -> Result<AnyModule, Error> {
        Ok(match self {
            AnyEngine::Wasmi(e) => AnyModule::Wasmi(e.compile(wasm)?),
            AnyEngine::Wamr(e) => AnyModule::Wamr(e.compile(wasm)?),
        })
    }

    fn shape(&self, module: &AnyModule) -> ModuleShape {
        match (self, module) {
            (AnyEngine::Wasmi(e), AnyModule::Wasmi(m)) => e.shape(m),
            (AnyEngine::Wamr(e), AnyModule::Wamr(m)) => e.shape(m),
            // A module only ever comes from this engine's `compile`.
            _ => ModuleShape::default(),
        }
    }

    fn link<T: 'static>(&self, imports: Vec<EngineImport<'_, T>>) -> Result<AnyLinked<T>, Error> {
        Ok(match self {
            AnyEngine::Wasmi(e) => AnyLinked::Wasmi(e.link(imports)?),
            AnyEngine::Wamr(e) => AnyLinked::Wamr(e.link(imports)?),
        })
    }

    fn instantiate<T: 'static>(
        &self,
        module: &AnyModule,
        linked: &AnyLinked<T>,
        special: &Special,
        state: State,
        data: T,
        limits: &Limits,
    ) -> Result<AnyInstance<T>, Error> {
        Ok(match (self, module, linked) {
            (AnyEngine::Wasmi(e), AnyModule::Wasmi(m), AnyLinked::Wasmi(l)) => {
                AnyInstance::Wasmi(Box::new(e.instantiate(m, l, special, state, data, limits)?))
            }
            (AnyEngine::Wamr(e), AnyModule::Wamr(m), AnyLinked::Wamr(l)) => {
                AnyInstance::Wamr(e.instantiate(m, l, special, state, data, limits)?)
            }
            _ => return Err(mismatch()),
        })
    }
}

/// The same call on whichever backend `$inst` holds.
macro_rules! each {
    ($inst:expr, $i:ident => $body:expr) => {
        match $inst {
            AnyInstance::Wasmi($i) => $body,
            AnyInstance::Wamr($i) => $body,
        }
    };
}

impl<T: 'static> GuestAccess<T> for AnyInstance<T> {
    fn memory(&self) -> &[u8] {
        each!(self, i => i.memory())
    }

    fn parts(&mut self) -> (&mut [u8], &mut State, &mut T) {
        each!(self, i => i.parts())
    }

    fn state(&mut self) -> &mut State {
        each!(self, i => i.state())
    }

    fn data(&self) -> &T {
        each!(self, i => i.data())
    }

    fn data_mut(&mut self) -> &mut T {
        each!(self, i => i.data_mut())
    }

    fn call_guest(
        &mut self,
        func: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        each!(self, i => i.call_guest(func, args, results))
    }
}

impl<T: 'static> EngineInstance<T> for AnyInstance<T> {
    type Func = AnyFunc;

    fn func(&self, name: &str) -> Option<AnyFunc> {
        match self {
            AnyInstance::Wasmi(i) => i.func(name).map(AnyFunc::Wasmi),
            AnyInstance::Wamr(i) => i.func(name).map(AnyFunc::Wamr),
        }
    }

    fn call(
        &mut self,
        func: &AnyFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        match (self, func) {
            (AnyInstance::Wasmi(i), AnyFunc::Wasmi(f)) => i.call(f, args, results),
            (AnyInstance::Wamr(i), AnyFunc::Wamr(f)) => i.call(f, args, results),
            _ => Err(mismatch()),
        }
    }

    fn fuel(&self) -> Option<u64> {
        each!(self, i => i.fuel())
    }

    fn set_fuel(&mut self, fuel: u64) {
        each!(self, i => i.set_fuel(fuel))
    }

    fn set_slicing(&mut self, slicing: Option<Arc<Slicing<AnyFunc>>>) -> bool {
        // Each backend answers for itself, given the slicing in its own terms.
        match self {
            AnyInstance::Wasmi(i) => match narrow(slicing, |f| match f {
                AnyFunc::Wasmi(f) => Some(*f),
                AnyFunc::Wamr(_) => None,
            }) {
                Some(s) => i.set_slicing(s),
                None => false,
            },
            AnyInstance::Wamr(i) => match narrow(slicing, |f| match f {
                AnyFunc::Wamr(f) => Some(f.clone()),
                AnyFunc::Wasmi(_) => None,
            }) {
                Some(s) => i.set_slicing(s),
                None => false,
            },
        }
    }

    fn into_data(self) -> T {
        match self {
            AnyInstance::Wasmi(i) => i.into_data(),
            AnyInstance::Wamr(i) => i.into_data(),
        }
    }
}

/// `slicing` with its handler as one backend's function; `None` when the
/// handler belongs to the other backend.
fn narrow<F>(
    slicing: Option<Arc<Slicing<AnyFunc>>>,
    pick: impl Fn(&AnyFunc) -> Option<F>,
) -> Option<Option<Arc<Slicing<F>>>> {
    let Some(s) = slicing else {
        return Some(None);
    };
    let handler = match &s.handler {
        Some(f) => Some(pick(f)?),
        None => None,
    };
    Some(Some(Arc::new(Slicing {
        interrupt: s.interrupt.clone(),
        config: s.config,
        handler,
    })))
}
