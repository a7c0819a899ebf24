//! A guest with every import resolved against a linker, once: instantiating
//! it does no name lookup and no type check, as wasmtime's `InstancePre`.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::names::ResourceIntrinsic;
use wasmbed_abi::ResourceId;
use wasmbed_wit::world::{ImportTarget, InterfaceName, Item, World};

use crate::engine::{Engine, EngineImport, Fast, HostFn, Limits, Provided, Special};
use crate::exports::ExportTable;
use crate::guest::Guest;
use crate::instance::Instance;
use crate::intrinsics::{guard_core, host_named_drop, intrinsic, resource_drop};
use crate::linker::{key, DtorFn, Linker, ANY};
use crate::{Error, ErrorKind, State};

/// A guest linked against a [`Linker`]: instantiate it any number of times, each instance with its own host data.
pub struct InstancePre<E: Engine, T: 'static> {
    engine: E,
    module: E::Module,
    linked: E::Linked<T>,
    special: Special,
    world: Arc<World>,
    table: Arc<ExportTable>,
    initialize: Option<String>,
}

impl<E: Engine, T: 'static> InstancePre<E, T> {
    // Once per link or instance: out of line, as one inlined whole it is
    // 0.8 KB more of a device's flash (docs/benchmarks.md).
    #[inline(never)]
    pub(crate) fn new(linker: &Linker<T>, guest: &Guest<E>) -> Result<InstancePre<E, T>, Error> {
        let world = &guest.world;
        let mut imports = Vec::with_capacity(guest.imports.len());
        for import in &guest.imports {
            let (func, fast) = match import.target {
                Some(ImportTarget::Func { item, func }) => {
                    world_func(linker, world, item, func, &import.module, &import.name)?
                }
                Some(ImportTarget::ResourceDrop(r)) => {
                    let named = linker
                        .hooks
                        .dtor
                        .and_then(|h| h(linker, world, r, &import.name));
                    let func = named.unwrap_or_else(|| resource_drop(r, &import.name));
                    (func, Fast::I32_TO_NONE)
                }
                Some(ImportTarget::Intrinsic(r, which)) => {
                    let fast = match which {
                        ResourceIntrinsic::Drop => Fast::I32_TO_NONE,
                        _ => Fast::I32_TO_I32,
                    };
                    (intrinsic(r, which, &import.name), fast)
                }
                None => core_import(linker, import)?,
            };
            imports.push(EngineImport {
                module: &import.module,
                name: &import.name,
                params: &import.sig.params,
                results: &import.sig.results,
                func,
                fast,
            });
        }
        Ok(InstancePre {
            engine: guest.engine.clone(),
            module: guest.module.clone(),
            linked: guest.engine.link(imports)?,
            special: guest.special.clone(),
            world: guest.world.clone(),
            table: guest.table.clone(),
            initialize: guest.initialize.clone(),
        })
    }

    /// The world the guest implements.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// A new instance owning `data`, its initialization run once.
    // Once per link or instance: out of line, as one inlined whole it is
    // 0.8 KB more of a device's flash (docs/benchmarks.md).
    #[inline(never)]
    pub fn instantiate(&self, data: T, limits: Limits) -> Result<Instance<E, T>, Error> {
        let state = State::new(&self.world, limits.max_handles);
        let inner = self.engine.instantiate(
            &self.module,
            &self.linked,
            &self.special,
            state,
            data,
            &limits,
        )?;
        Instance::new(
            inner,
            self.world.clone(),
            self.table.clone(),
            self.initialize.as_deref(),
        )
    }
}

fn what_of(iface: &str, func: &str) -> String {
    if iface.is_empty() {
        String::from(func)
    } else {
        format!("{iface}#{func}")
    }
}

fn denial<'l, T: 'static>(linker: &'l Linker<T>, iface: &str, func: &str) -> Option<&'l String> {
    linker
        .denied
        .get(iface, func)
        .or_else(|| linker.denied.get(iface, ANY))
}

fn link_err(msg: String) -> Error {
    ErrorKind::Link(msg).into()
}

/// The host's implementation of world function `item`/`func`, checked against its type, with the typed trampolines it may take.
// Once per link or instance: out of line, as one inlined whole it is
// 0.8 KB more of a device's flash (docs/benchmarks.md).
#[inline(never)]
fn world_func<T: 'static>(
    linker: &Linker<T>,
    world: &World,
    item: usize,
    func: usize,
    module: &str,
    name: &str,
) -> Result<Provided<T>, Error> {
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
    let what = what_of(&iface, &f.name);
    if let Some(reason) = denial(linker, &iface, &f.name) {
        return Err(link_err(format!(
            "import `{what}` (core import `{module}` `{name}`) is denied: {reason}"
        )));
    }
    let Some(host) = linker.funcs.get(&iface, &f.name) else {
        return Err(link_err(format!(
            "missing import `{what}` (core import `{module}` `{name}`)"
        )));
    };
    if let Some(check) = host.check {
        check(&f.ty, world).map_err(|e| link_err(format!("import `{what}`: {e}")))?;
    }
    Ok(((host.make)(what, f.ty.clone()), host.fast))
}

/// The host's implementation of a core import outside the world, with the typed trampolines it may take.
// Once per link or instance: out of line, as one inlined whole it is
// 0.8 KB more of a device's flash (docs/benchmarks.md).
#[inline(never)]
fn core_import<T: 'static>(
    linker: &Linker<T>,
    import: &crate::CoreImport,
) -> Result<Provided<T>, Error> {
    if let Some(found) = linker.hooks.core.and_then(|h| h(linker, import)) {
        return found;
    }
    let (module, name) = (import.module.as_str(), import.name.as_str());
    match denial(linker, &format!("core:{module}"), name) {
        Some(reason) => Err(link_err(format!(
            "import `{module}` `{name}` is denied: {reason}"
        ))),
        None => Err(link_err(format!("missing import `{module}` `{name}`"))),
    }
}

/// The linker's implementation of core import `import`, guarded, if it has one (or an error if it has another type).
pub(crate) fn core_hook<T: 'static>(
    linker: &Linker<T>,
    import: &crate::CoreImport,
) -> Option<Result<Provided<T>, Error>> {
    let (module, name) = (import.module.as_str(), import.name.as_str());
    let (p, r, f) = linker.core.get(module, name)?;
    Some(if *p == import.sig.params && *r == import.sig.results {
        Ok((guard_core(module, name, f), Fast::ANY))
    } else {
        Err(link_err(format!(
            "import `{module}` `{name}`: the host's implementation has another type"
        )))
    })
}

/// A drop of imported resource `r` that runs the host's destructor, if the linker has one for it.
pub(crate) fn dtor_hook<T: 'static>(
    linker: &Linker<T>,
    world: &World,
    r: ResourceId,
    name: &str,
) -> Option<HostFn<T>> {
    dtor(linker, world, r).map(|d| host_named_drop(r, name, d))
}

/// The host's destructor for imported resource `r`, when the host names its reps.
// Once per link or instance: out of line, as one inlined whole it is
// 0.8 KB more of a device's flash (docs/benchmarks.md).
#[inline(never)]
fn dtor<T: 'static>(linker: &Linker<T>, world: &World, r: ResourceId) -> Option<DtorFn<T>> {
    let res = world.resources.get(r.0 as usize)?;
    let iface = match &res.interface {
        Some(InterfaceName::Id(id)) => key(id),
        Some(InterfaceName::Inline(n)) => n.clone(),
        None => String::new(),
    };
    linker.dtors.get(&iface, &res.name).cloned()
}
