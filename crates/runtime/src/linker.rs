//! Host implementations of WIT interfaces, registered by interface name, and instantiation.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::names::{canonicalize_interface_name, ResourceIntrinsic};
use wasmbed_abi::{FlatType, FlatVal, ResourceId, Type, Val};
use wasmbed_wit::world::{ImportTarget, InterfaceName, Item, World};

use crate::engine::{Engine, EngineImport, GuestAccess, GuestFunc, HostFn, Limits};
use crate::error::TrapReason;
use crate::flat::{flat_import, FlatCx, FlatFn};
use crate::guest::Guest;
use crate::host::{check_may_enter, dyn_import, DynFn, HostCx};
use crate::instance::Instance;
use crate::typed::IntoHostFunc;
use crate::{Error, ErrorKind, State};

/// The host's side of a world: implementations of imported functions.
///
/// Interfaces are named as WIT names them (`wasi:cli/stdout@0.2.3`, or an
/// inline name); world-level functions use the empty name. Versions match
/// semver-compatibly, so a host for `@0.2.0` serves a guest built for `@0.2.3`.
#[derive(Clone, Default)]
pub struct Linker {
    funcs: BTreeMap<(String, String), HostImpl>,
    core: BTreeMap<(String, String), CoreImpl>,
    dtors: BTreeMap<(String, String), DtorFn>,
    /// Imports the host refuses on purpose, with the reason (a missing grant).
    denied: BTreeMap<(String, String), String>,
}

/// What the host runs when the guest drops its `own` handle to a host resource whose reps the host names.
pub type DtorFn = Arc<dyn Fn(&mut HostCx<'_>, u32) -> Result<(), Error> + Send + Sync>;

/// The name that stands for every function of an interface in [`Linker::deny_interface`].
const ANY: &str = "*";

/// A core import's implementation with its parameter and result types.
type CoreImpl = (Vec<FlatType>, Vec<FlatType>, HostFn);

/// How the host implements a world function.
#[derive(Clone)]
enum HostImpl {
    /// Over dynamic values.
    Dyn(DynFn),
    /// Over the guest's flat core values.
    Flat(FlatFn),
    /// A typed closure, checked against the world's type when linked.
    Typed {
        params: Vec<Type>,
        result: Option<Type>,
        func: HostFn,
    },
}

fn key(interface: &str) -> String {
    match canonicalize_interface_name(interface) {
        Ok(c) => c.into_owned(),
        Err(_) => String::from(interface),
    }
}

impl Linker {
    /// An empty linker: every import is missing until defined.
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Implements function `name` of `interface` over dynamic values.
    pub fn func(
        &mut self,
        interface: &str,
        name: &str,
        f: impl Fn(&mut HostCx<'_>, &[Val]) -> Result<Option<Val>, Error> + Send + Sync + 'static,
    ) -> &mut Linker {
        self.funcs
            .insert((key(interface), name.into()), HostImpl::Dyn(Arc::new(f)));
        self
    }

    /// Implements function `name` of `interface` with a typed closure that allocates nothing per call.
    ///
    /// The closure takes `&mut HostCx` then the parameters (scalars,
    /// [`GuestStr`](crate::GuestStr), [`GuestBytes`](crate::GuestBytes)) and
    /// returns a scalar, `()`, or a `Result` of those.
    pub fn func_wrap<P>(
        &mut self,
        interface: &str,
        name: &str,
        f: impl IntoHostFunc<P>,
    ) -> &mut Linker {
        let label = if interface.is_empty() {
            String::from(name)
        } else {
            format!("{interface}#{name}")
        };
        let params = host_params(&f);
        let result = host_result(&f);
        let func = f.into_host_fn(label);
        self.funcs.insert(
            (key(interface), name.into()),
            HostImpl::Typed {
                params,
                result,
                func,
            },
        );
        self
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
        f: impl Fn(&mut FlatCx<'_>, &[FlatVal], &mut [FlatVal]) -> Result<(), Error>
            + Send
            + Sync
            + 'static,
    ) -> &mut Linker {
        self.funcs
            .insert((key(interface), name.into()), HostImpl::Flat(Arc::new(f)));
        self
    }

    /// Implements a core import outside the world (for example `env`), at the core level.
    pub fn core_func(
        &mut self,
        module: &str,
        name: &str,
        params: Vec<FlatType>,
        results: Vec<FlatType>,
        f: impl Fn(&mut dyn GuestAccess, &[FlatVal], &mut [FlatVal]) -> Result<(), Error>
            + Send
            + Sync
            + 'static,
    ) -> &mut Linker {
        self.core
            .insert((module.into(), name.into()), (params, results, Arc::new(f)));
        self
    }

    /// Names the reps of host resource `name` of `interface` itself, and runs `dtor` when the guest drops one.
    ///
    /// Without this, a host resource's rep is an object kept by the runtime
    /// ([`HostCx::new_resource`]); with it, the host keeps its own table (one
    /// shared with other interfaces, say) and the rep is its index there.
    pub fn resource(
        &mut self,
        interface: &str,
        name: &str,
        dtor: impl Fn(&mut HostCx<'_>, u32) -> Result<(), Error> + Send + Sync + 'static,
    ) -> &mut Linker {
        self.dtors
            .insert((key(interface), name.into()), Arc::new(dtor));
        self
    }

    /// Refuses every function of `interface`: linking a guest that imports one fails, naming `reason`.
    ///
    /// For capabilities denied statically, so the error says which grant is
    /// missing rather than that the host forgot a function.
    pub fn deny_interface(&mut self, interface: &str, reason: &str) -> &mut Linker {
        self.denied
            .insert((key(interface), ANY.into()), reason.into());
        self
    }

    /// Refuses core import `module` `name`: linking a guest that imports it fails, naming `reason`.
    pub fn deny_core(&mut self, module: &str, name: &str, reason: &str) -> &mut Linker {
        self.core.remove(&(module.into(), name.into()));
        self.denied
            .insert((format!("core:{module}"), name.into()), reason.into());
        self
    }

    fn denial(&self, iface: &str, func: &str) -> Option<&String> {
        self.denied
            .get(&(iface.into(), func.into()))
            .or_else(|| self.denied.get(&(iface.into(), ANY.into())))
    }

    /// Instantiates `guest`, links every import, and runs its initialization once.
    pub fn instantiate<E: Engine>(
        &self,
        guest: &Guest<E>,
        limits: Limits,
    ) -> Result<Instance<E>, Error> {
        let world = &guest.world;
        let mut imports = Vec::with_capacity(guest.imports.len());
        for import in &guest.imports {
            let func = match import.target {
                Some(ImportTarget::Func { item, func }) => {
                    self.world_func(world, item, func, &import.module, &import.name)?
                }
                Some(ImportTarget::ResourceDrop(r)) => match self.dtor(world, r) {
                    Some(dtor) => host_named_drop(r, &import.name, dtor),
                    None => resource_drop(r, &import.name),
                },
                Some(ImportTarget::Intrinsic(r, which)) => intrinsic(r, which, &import.name),
                None => self.core_import(
                    &import.module,
                    &import.name,
                    &import.sig.params,
                    &import.sig.results,
                )?,
            };
            imports.push(EngineImport {
                module: import.module.clone(),
                name: import.name.clone(),
                params: import.sig.params.clone(),
                results: import.sig.results.clone(),
                func,
            });
        }
        let state = State::new(world, limits.max_handles);
        let inner = guest.engine.instantiate(
            &guest.module,
            imports,
            guest.special.clone(),
            state,
            &limits,
        )?;
        Instance::new(inner, guest)
    }

    fn world_func(
        &self,
        world: &World,
        item: usize,
        func: usize,
        module: &str,
        name: &str,
    ) -> Result<HostFn, Error> {
        let (iface, f) = match &world.imports[item] {
            Item::Function(f) => (String::new(), f),
            Item::Interface(i) => (
                match &i.name {
                    InterfaceName::Inline(n) => n.clone(),
                    InterfaceName::Id(id) => key(id),
                },
                &i.functions[func],
            ),
        };
        if let Some(reason) = self.denial(&iface, &f.name) {
            let what = what_of(&iface, &f.name);
            return Err(ErrorKind::Link(format!(
                "import `{what}` (core import `{module}` `{name}`) is denied: {reason}"
            ))
            .into());
        }
        let Some(host) = self.funcs.get(&(iface.clone(), f.name.clone())) else {
            let what = what_of(&iface, &f.name);
            return Err(ErrorKind::Link(format!(
                "missing import `{what}` (core import `{module}` `{name}`)"
            ))
            .into());
        };
        match host {
            HostImpl::Dyn(d) => Ok(dyn_import(
                what_of(&iface, &f.name),
                f.ty.clone(),
                d.clone(),
            )),
            HostImpl::Flat(flat) => Ok(flat_import(
                what_of(&iface, &f.name),
                f.ty.clone(),
                flat.clone(),
            )),
            HostImpl::Typed {
                params,
                result,
                func,
            } => {
                if f.ty.params() != params.as_slice() || f.ty.result() != result.as_ref() {
                    return Err(ErrorKind::Link(format!(
                        "import `{}`: the host's typed implementation does not match the world's type",
                        what_of(&iface, &f.name)
                    ))
                    .into());
                }
                Ok(func.clone())
            }
        }
    }

    fn core_import(
        &self,
        module: &str,
        name: &str,
        params: &[FlatType],
        results: &[FlatType],
    ) -> Result<HostFn, Error> {
        match self.core.get(&(module.into(), name.into())) {
            Some((p, r, f)) if p == params && r == results => Ok(guard_core(module, name, f)),
            Some(_) => Err(ErrorKind::Link(format!(
                "import `{module}` `{name}`: the host's implementation has another type"
            ))
            .into()),
            None => match self.denial(&format!("core:{module}"), name) {
                Some(reason) => Err(ErrorKind::Link(format!(
                    "import `{module}` `{name}` is denied: {reason}"
                ))
                .into()),
                None => Err(ErrorKind::Link(format!("missing import `{module}` `{name}`")).into()),
            },
        }
    }

    /// The host's destructor for imported resource `r`, when the host names its reps.
    fn dtor(&self, world: &World, r: ResourceId) -> Option<DtorFn> {
        let res = world.resources.get(r.0 as usize)?;
        let iface = match &res.interface {
            Some(InterfaceName::Id(id)) => key(id),
            Some(InterfaceName::Inline(n)) => n.clone(),
            None => String::new(),
        };
        self.dtors.get(&(iface, res.name.clone())).cloned()
    }
}

/// A core import refuses to run while the host is in the guest's `realloc`, as world imports do.
///
/// A host function may hold its own state (a lock, say) while it calls
/// `realloc`; the guest reentering the host from there would find it taken.
fn guard_core(module: &str, name: &str, f: &HostFn) -> HostFn {
    let (label, f) = (format!("{module}#{name}"), f.clone());
    Arc::new(
        move |access: &mut dyn GuestAccess, args: &[FlatVal], results: &mut [FlatVal]| {
            check_may_enter(access.state(), false, &label)?;
            f(access, args, results)
        },
    )
}

fn what_of(iface: &str, func: &str) -> String {
    if iface.is_empty() {
        String::from(func)
    } else {
        format!("{iface}#{func}")
    }
}

fn host_params<P, F: IntoHostFunc<P>>(_: &F) -> Vec<Type> {
    F::params()
}

fn host_result<P, F: IntoHostFunc<P>>(_: &F) -> Option<Type> {
    F::result()
}

fn handle_arg(args: &[FlatVal]) -> u32 {
    match args.first() {
        Some(FlatVal::I32(h)) => *h as u32,
        _ => 0,
    }
}

/// The guest drops a handle to a resource the host implements: the host object goes too.
fn resource_drop(r: ResourceId, name: &str) -> HostFn {
    let name = String::from(name);
    Arc::new(
        move |access: &mut dyn GuestAccess, args: &[FlatVal], _: &mut [FlatVal]| {
            let state = access.state();
            check_may_enter(state, false, &name)?;
            match state.tables.drop_handle(r, handle_arg(args)) {
                Ok(Some(rep)) => {
                    state.objects.remove(rep);
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(t) => Err(Error::trap(&name, TrapReason::Abi(t))),
            }
        },
    )
}

/// The guest drops a handle to a host resource whose reps the host names: the host's destructor runs.
fn host_named_drop(r: ResourceId, name: &str, dtor: DtorFn) -> HostFn {
    let name = String::from(name);
    Arc::new(
        move |access: &mut dyn GuestAccess, args: &[FlatVal], _: &mut [FlatVal]| {
            check_may_enter(access.state(), false, &name)?;
            match access.state().tables.drop_handle(r, handle_arg(args)) {
                Ok(Some(rep)) => dtor(&mut HostCx::new(access), rep),
                Ok(None) => Ok(()),
                Err(t) => Err(Error::trap(&name, TrapReason::Abi(t))),
            }
        },
    )
}

/// `resource.new`, `resource.rep` and `resource.drop` for a resource the guest exports.
fn intrinsic(r: ResourceId, which: ResourceIntrinsic, name: &str) -> HostFn {
    let name = String::from(name);
    Arc::new(
        move |access: &mut dyn GuestAccess, args: &[FlatVal], results: &mut [FlatVal]| {
            check_may_enter(access.state(), false, &name)?;
            let arg = handle_arg(args);
            let tables = &mut access.state().tables;
            let trap = |t| Error::trap(&name, TrapReason::Abi(t));
            match which {
                ResourceIntrinsic::New => {
                    let h = tables.new_own(r, arg).map_err(trap)?;
                    results[0] = FlatVal::I32(h as i32);
                }
                ResourceIntrinsic::Rep => {
                    let rep = tables.rep(r, arg).map_err(trap)?;
                    results[0] = FlatVal::I32(rep as i32);
                }
                ResourceIntrinsic::Drop => {
                    // The one call back into a running guest the build target allows.
                    if let Some(rep) = tables.drop_handle(r, arg).map_err(trap)? {
                        access.call_guest(
                            GuestFunc::Dtor(r),
                            &[FlatVal::I32(rep as i32)],
                            &mut [],
                        )?;
                    }
                }
            }
            Ok(())
        },
    )
}
