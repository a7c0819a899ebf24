//! The host's implementations of WIT interfaces, registered by interface
//! name once and shared by every instance: per-instance state lives in the
//! instance's host data `T`, which every host function reaches through its
//! context.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::names::canonicalize_interface_name;
use wasmbed_abi::{FlatType, FlatVal, FuncType, Val};
use wasmbed_wit::world::World;

use crate::engine::{Engine, Fast, GuestAccess, HostFn, Limits, Provided};
use crate::flat::{flat_import, FlatCx};
use crate::guest::Guest;
use crate::host::{dyn_import, HostCx};
use crate::instance::Instance;
use crate::pre::InstancePre;
use crate::typed::IntoHostFunc;
use crate::Error;

/// The host's side of a world: implementations of imported functions, over
/// host data `T` that each instance owns.
///
/// Interfaces are named as WIT names them (`wasi:cli/stdout@0.2.3`, or an
/// inline name); world-level functions use the empty name. Versions match
/// semver-compatibly, so a host for `@0.2.0` serves a guest built for `@0.2.3`.
/// A linker is built once: [`Linker::instantiate_pre`] resolves a guest's
/// imports against it, and the result instantiates any number of times.
pub struct Linker<T: 'static = ()> {
    pub(crate) funcs: Names<HostImpl<T>>,
    pub(crate) core: Names<CoreImpl<T>>,
    pub(crate) dtors: Names<DtorFn<T>>,
    /// Imports the host refuses on purpose, with the reason (a missing grant).
    pub(crate) denied: Names<String>,
    /// What uses `core` and `dtors` at link time, set by the first
    /// [`Linker::core_func`] and [`Linker::resource`]: a program that calls
    /// neither links none of it (`pre.rs`).
    pub(crate) hooks: Hooks<T>,
}

/// Link-time code reached only through a linker that has core functions or
/// host-named resources.
pub(crate) struct Hooks<T: 'static> {
    /// A core import's implementation, checked and guarded, when the linker has one.
    pub(crate) core: Option<CoreHook<T>>,
    /// A resource drop that runs the host's destructor, when the linker has one for it.
    pub(crate) dtor: Option<DtorHook<T>>,
}

/// See [`Hooks::core`].
pub(crate) type CoreHook<T> =
    fn(&Linker<T>, &crate::CoreImport) -> Option<Result<Provided<T>, Error>>;

/// See [`Hooks::dtor`].
pub(crate) type DtorHook<T> =
    fn(&Linker<T>, &World, wasmbed_abi::ResourceId, &str) -> Option<HostFn<T>>;

impl<T: 'static> Clone for Hooks<T> {
    fn clone(&self) -> Hooks<T> {
        Hooks {
            core: self.core,
            dtor: self.dtor,
        }
    }
}

/// A table by (interface or module, name), kept sorted and searched by
/// bisection: a lookup by `&str` allocates nothing, and the search is one
/// function for every value type (a B-tree per value type was 2 KB more of
/// a device's flash).
pub(crate) struct Names<V> {
    keys: Vec<(String, String)>,
    vals: Vec<V>,
}

impl<V: Clone> Clone for Names<V> {
    fn clone(&self) -> Names<V> {
        Names {
            keys: self.keys.clone(),
            vals: self.vals.clone(),
        }
    }
}

impl<V> Default for Names<V> {
    fn default() -> Names<V> {
        Names {
            keys: Vec::new(),
            vals: Vec::new(),
        }
    }
}

/// Where `(a, b)` is in `keys`, or where it would go.
fn search(keys: &[(String, String)], a: &str, b: &str) -> Result<usize, usize> {
    keys.binary_search_by(|(x, y)| (x.as_str(), y.as_str()).cmp(&(a, b)))
}

impl<V> Names<V> {
    /// The value under `(a, b)`.
    pub(crate) fn get(&self, a: &str, b: &str) -> Option<&V> {
        let i = search(&self.keys, a, b).ok()?;
        self.vals.get(i)
    }

    /// Sets the value under `(a, b)`, replacing any earlier one.
    fn insert(&mut self, a: String, b: String, v: V) {
        match search(&self.keys, &a, &b) {
            Ok(i) => self.vals[i] = v,
            Err(i) => {
                self.keys.insert(i, (a, b));
                self.vals.insert(i, v);
            }
        }
    }

    /// Removes the value under `(a, b)`, if any.
    fn remove(&mut self, a: &str, b: &str) {
        if let Ok(i) = search(&self.keys, a, b) {
            self.keys.remove(i);
            self.vals.remove(i);
        }
    }
}

impl<T: 'static> Clone for Linker<T> {
    fn clone(&self) -> Linker<T> {
        Linker {
            funcs: self.funcs.clone(),
            core: self.core.clone(),
            dtors: self.dtors.clone(),
            denied: self.denied.clone(),
            hooks: self.hooks.clone(),
        }
    }
}

impl<T: 'static> Default for Linker<T> {
    fn default() -> Linker<T> {
        Linker {
            funcs: Names::default(),
            core: Names::default(),
            dtors: Names::default(),
            denied: Names::default(),
            hooks: Hooks {
                core: None,
                dtor: None,
            },
        }
    }
}

/// What the host runs when the guest drops its `own` handle to a host resource whose reps the host names.
pub type DtorFn<T = ()> = Arc<dyn Fn(&mut HostCx<'_, T>, u32) -> Result<(), Error> + Send + Sync>;

/// The name that stands for every function of an interface in [`Linker::deny_interface`].
pub(crate) const ANY: &str = "*";

/// A core import's implementation with its parameter and result types.
pub(crate) type CoreImpl<T> = (Vec<FlatType>, Vec<FlatType>, HostFn<T>);

/// Checks a host implementation against the world's type of the function it implements.
pub(crate) type CheckFn = fn(&FuncType, &World) -> Result<(), String>;

/// Makes the core function for an import from its call name and WIT type, once per pre-linked guest.
pub(crate) type MakeFn<T> = Arc<dyn Fn(String, FuncType) -> HostFn<T> + Send + Sync>;

/// How the host implements a world function.
pub(crate) struct HostImpl<T: 'static> {
    /// The type check, for implementations with a static Rust signature.
    pub(crate) check: Option<CheckFn>,
    pub(crate) make: MakeFn<T>,
    /// The typed trampolines its core function may take.
    pub(crate) fast: Fast<T>,
}

impl<T: 'static> Clone for HostImpl<T> {
    fn clone(&self) -> HostImpl<T> {
        HostImpl {
            check: self.check,
            make: self.make.clone(),
            fast: self.fast,
        }
    }
}

/// The key an interface is registered under: its canonical name.
pub(crate) fn key(interface: &str) -> String {
    match canonicalize_interface_name(interface) {
        Ok(c) => c.into_owned(),
        Err(_) => String::from(interface),
    }
}

fn label(interface: &str, name: &str) -> String {
    if interface.is_empty() {
        String::from(name)
    } else {
        format!("{interface}#{name}")
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker: every import is missing until defined.
    pub fn new() -> Linker<T> {
        Linker::default()
    }

    /// Implements function `name` of `interface` with `host`, checked by `check` when linked.
    pub(crate) fn define(
        &mut self,
        interface: &str,
        name: &str,
        check: Option<CheckFn>,
        make: MakeFn<T>,
        fast: Fast<T>,
    ) -> &mut Linker<T> {
        let host = HostImpl { check, make, fast };
        self.funcs.insert(key(interface), name.into(), host);
        self
    }

    /// Implements function `name` of `interface` over dynamic values.
    pub fn func(
        &mut self,
        interface: &str,
        name: &str,
        f: impl Fn(&mut HostCx<'_, T>, &[Val]) -> Result<Option<Val>, Error> + Send + Sync + 'static,
    ) -> &mut Linker<T> {
        let f = Arc::new(f);
        self.define(
            interface,
            name,
            None,
            Arc::new(move |call, ty| dyn_import(call, ty, f.clone())),
            Fast::ANY,
        )
    }

    /// Implements function `name` of `interface` with a typed closure that allocates nothing per call.
    ///
    /// The closure takes `&mut HostCx` then the parameters (scalars,
    /// [`GuestStr`](crate::GuestStr), [`GuestBytes`](crate::GuestBytes)) and
    /// returns a scalar, `()`, or a `Result` of those.
    pub fn func_wrap<P: 'static, F: IntoHostFunc<T, P>>(
        &mut self,
        interface: &str,
        name: &str,
        f: F,
    ) -> &mut Linker<T> {
        let func = f.into_host_fn(label(interface, name));
        self.define(
            interface,
            name,
            Some(check_wrapped::<T, P, F>()),
            Arc::new(move |_, _| func.clone()),
            // The typed trampolines the closure may take, chosen at compile
            // time from its Rust types.
            const { Fast::of(F::FLAT.0, F::FLAT.1) },
        )
    }

    /// Implements function `name` of `interface` on the guest's flat core values, for hot paths.
    ///
    /// The closure gets the core arguments as the guest passed them (the
    /// return pointer last when the result travels through memory) and a
    /// [`FlatCx`] to resolve handles, read and write guest memory, and lower
    /// anything unusual from a `Val`: a `list<u8>` is then read in place
    /// rather than lifted a value per byte.
    pub fn func_flat(
        &mut self,
        interface: &str,
        name: &str,
        f: impl Fn(&mut FlatCx<'_, T>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error>
            + Send
            + Sync
            + 'static,
    ) -> &mut Linker<T> {
        let f = Arc::new(f);
        self.define(
            interface,
            name,
            None,
            Arc::new(move |call, ty| flat_import(call, ty, f.clone())),
            Fast::ANY,
        )
    }

    /// Implements a core import outside the world (for example `env`), at the core level.
    pub fn core_func(
        &mut self,
        module: &str,
        name: &str,
        params: Vec<FlatType>,
        results: Vec<FlatType>,
        f: impl Fn(&mut dyn GuestAccess<T>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error>
            + Send
            + Sync
            + 'static,
    ) -> &mut Linker<T> {
        self.core
            .insert(module.into(), name.into(), (params, results, Arc::new(f)));
        self.hooks.core = Some(crate::pre::core_hook::<T>);
        self
    }

    /// Names the reps of host resource `name` of `interface` itself, and runs `dtor` when the guest drops one.
    ///
    /// Without this, a host resource's rep is an object kept by the runtime
    /// ([`HostCx::new_resource`]); with it, the host keeps its own table (in
    /// its host data, say) and the rep is its index there.
    pub fn resource(
        &mut self,
        interface: &str,
        name: &str,
        dtor: impl Fn(&mut HostCx<'_, T>, u32) -> Result<(), Error> + Send + Sync + 'static,
    ) -> &mut Linker<T> {
        self.dtors
            .insert(key(interface), name.into(), Arc::new(dtor));
        self.hooks.dtor = Some(crate::pre::dtor_hook::<T>);
        self
    }

    /// Refuses every function of `interface`: linking a guest that imports one fails, naming `reason`.
    ///
    /// For capabilities denied statically, so the error says which grant is
    /// missing rather than that the host forgot a function.
    pub fn deny_interface(&mut self, interface: &str, reason: &str) -> &mut Linker<T> {
        self.denied
            .insert(key(interface), ANY.into(), reason.into());
        self
    }

    /// Refuses core import `module` `name`: linking a guest that imports it fails, naming `reason`.
    pub fn deny_core(&mut self, module: &str, name: &str, reason: &str) -> &mut Linker<T> {
        self.core.remove(module, name);
        self.denied
            .insert(format!("core:{module}"), name.into(), reason.into());
        self
    }

    /// Resolves every import of `guest` once: the result instantiates with no name lookup.
    pub fn instantiate_pre<E: Engine>(&self, guest: &Guest<E>) -> Result<InstancePre<E, T>, Error> {
        InstancePre::new(self, guest)
    }

    /// Links `guest`, instantiates it owning `data`, and runs its initialization once.
    pub fn instantiate<E: Engine>(
        &self,
        guest: &Guest<E>,
        data: T,
        limits: Limits,
    ) -> Result<Instance<E, T>, Error> {
        self.instantiate_pre(guest)?.instantiate(data, limits)
    }
}

/// The check of a typed closure's parameters and result against the world's type.
fn check_wrapped<T, P, F: IntoHostFunc<T, P>>() -> CheckFn {
    |ty, _| {
        if ty.params() != F::params().as_slice() || ty.result() != F::result().as_ref() {
            return Err("the host's typed implementation does not match the world's type".into());
        }
        Ok(())
    }
}
