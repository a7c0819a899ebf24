//! A module checked against its world: every `cm32p2` or legacy name matched,
//! every type checked, once, before anything runs.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::names::{is_cm32p2, Scheme};
use wasmbed_abi::{AbiContext, CoreSignature, FlatType};
use wasmbed_wit::world::{CoreNames, ExportTarget, ImportTarget, World};

use crate::engine::{Engine, ModuleShape, Special};
use crate::exports::ExportTable;
use crate::{Error, ErrorKind};

/// A core import of the module, with what it is in the world (if anything).
#[derive(Clone, Debug)]
pub struct CoreImport {
    /// Import module name.
    pub module: String,
    /// Import field name.
    pub name: String,
    /// Its core signature.
    pub sig: CoreSignature,
    /// The world item it names; `None` for imports outside the world (served by other host modules).
    pub target: Option<ImportTarget>,
}

/// An exported world function the module provides.
#[derive(Clone, Debug)]
pub(crate) struct ExportFunc {
    /// Core export name.
    pub(crate) name: String,
    /// Core name of its post-return function, if exported.
    pub(crate) post: Option<String>,
}

/// A module that fits its world, compiled for engine `E`.
pub struct Guest<E: Engine> {
    /// The engine that compiled the module: the only one that may instantiate it.
    pub(crate) engine: E,
    pub(crate) module: E::Module,
    pub(crate) world: Arc<World>,
    pub(crate) scheme: Scheme,
    pub(crate) imports: Vec<CoreImport>,
    /// Sorted by (item, function).
    pub(crate) exports: Vec<((usize, usize), ExportFunc)>,
    pub(crate) special: Special,
    pub(crate) initialize: Option<String>,
    /// The exported functions by call name, shared by every instance.
    pub(crate) table: Arc<ExportTable>,
}

fn load_err(msg: String) -> Error {
    ErrorKind::Load(msg).into()
}

fn show(params: &[FlatType], results: &[FlatType]) -> String {
    let mut out = String::new();
    for (head, ts) in [("(param ", params), (") (result ", results)] {
        out.push_str(head);
        for (i, t) in ts.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(t.name());
        }
    }
    out.push(')');
    out
}

/// Where export `key` is in `exports` (sorted by key), or where it would go.
pub(crate) fn find_export(
    exports: &[((usize, usize), ExportFunc)],
    key: (usize, usize),
) -> Result<usize, usize> {
    exports.binary_search_by_key(&key, |(k, _)| *k)
}

const I32: FlatType = FlatType::I32;

/// The preamble of a component: magic, version 0x0d, layer 1.
const COMPONENT: [u8; 8] = *b"\0asm\x0d\0\x01\0";

impl<E: Engine> Guest<E> {
    /// Fails with one line saying what `wasm` is when it is a component,
    /// which core engines cannot load, rather than the engine's complaint
    /// about a binary version.
    pub fn check_core(wasm: &[u8]) -> Result<(), Error> {
        if wasm.starts_with(&COMPONENT) {
            return Err(ErrorKind::Compile(
                "a WebAssembly component, not a core module: lower it into one first \
                 (`wasmbed lower`, or the `wasmbed-lower` crate)"
                    .into(),
            )
            .into());
        }
        Ok(())
    }

    /// Compiles `wasm` and matches it against `world`, rejecting what the build target rejects.
    ///
    /// The module's imports and exports come from what the engine parsed,
    /// so a device links one Wasm parser, the engine's.
    // Once per guest: out of line, as inlined into its caller it is 1 KB
    // more of a device's flash (docs/benchmarks.md).
    #[inline(never)]
    pub fn new(engine: &E, wasm: &[u8], world: World) -> Result<Guest<E>, Error> {
        Self::check_core(wasm)?;
        let module = engine.compile(wasm)?;
        let parsed = engine.shape(&module);
        let scheme = Scheme::detect(
            parsed.imports.iter().map(|(m, _, _)| m.as_str()),
            parsed
                .funcs
                .iter()
                .map(|(n, _)| n.as_str())
                .chain(parsed.memories.iter().map(String::as_str)),
        );
        let names = world
            .core_names(scheme)
            .map_err(|e| load_err(format!("world `{}`: {e}", world.name)))?;
        let imports = match_imports(&world, &names, &parsed)?;
        let mut guest = Guest {
            engine: engine.clone(),
            module,
            world: Arc::new(world),
            scheme,
            imports,
            exports: Vec::new(),
            special: Special::default(),
            initialize: None,
            table: Arc::new(ExportTable::default()),
        };
        guest.match_exports(&names, &parsed)?;
        guest.check_memory_and_realloc(&parsed)?;
        guest.table = Arc::new(ExportTable::new(&guest.world, &guest.exports));
        Ok(guest)
    }

    /// The world the module was checked against.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The naming scheme the module uses.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Every core import, in module order.
    pub fn imports(&self) -> &[CoreImport] {
        &self.imports
    }

    /// Core names of the world's exported functions the module provides.
    pub fn exported_funcs(&self) -> impl Iterator<Item = (usize, usize, &str)> + '_ {
        self.exports
            .iter()
            .map(|((i, f), e)| (*i, *f, e.name.as_str()))
    }

    fn match_exports(&mut self, names: &CoreNames, parsed: &ModuleShape) -> Result<(), Error> {
        for (name, sig) in &parsed.funcs {
            let Some(target) = names.export(name) else {
                if self.scheme == Scheme::Cm32p2 && is_cm32p2(name) {
                    return Err(load_err(format!(
                        "export `{name}` is not in world `{}`",
                        self.world.name
                    )));
                }
                continue;
            };
            let sig = sig
                .clone()
                .ok_or_else(|| load_err(format!("export `{name}` has a non-numeric type")))?;
            let expect = |params: &[FlatType], results: &[FlatType]| -> Result<(), Error> {
                if sig.params != params || sig.results != results {
                    return Err(load_err(format!(
                        "export `{name}` has type {}, the world requires {}",
                        show(&sig.params, &sig.results),
                        show(params, results)
                    )));
                }
                Ok(())
            };
            match target {
                ExportTarget::Func { item, func } => {
                    let f = self
                        .world
                        .export_func(item, func)
                        .ok_or_else(|| load_err(format!("export `{name}`: no such function")))?;
                    let want = f.ty.core_signature(AbiContext::Lift);
                    expect(&want.params, &want.results)?;
                    let e = ExportFunc {
                        name: name.clone(),
                        post: None,
                    };
                    match find_export(&self.exports, (item, func)) {
                        Ok(i) => self.exports[i].1 = e,
                        Err(i) => self.exports.insert(i, ((item, func), e)),
                    }
                }
                ExportTarget::PostReturn { item, func } => {
                    let f = self
                        .world
                        .export_func(item, func)
                        .ok_or_else(|| load_err(format!("export `{name}`: no such function")))?;
                    let results = f.ty.core_signature(AbiContext::Lift).results;
                    // Attached below, once every function is in `exports`.
                    expect(&results, &[])?;
                }
                ExportTarget::Dtor(r) => {
                    expect(&[I32], &[])?;
                    let dtors = &mut self.special.dtors;
                    dtors.resize(self.world.resources.len(), None);
                    if let Some(d) = dtors.get_mut(r.0 as usize) {
                        *d = Some(name.clone());
                    }
                }
                ExportTarget::Realloc => {
                    expect(&[I32; 4], &[I32])?;
                    self.special.realloc = Some(name.clone());
                }
                ExportTarget::Initialize => {
                    expect(&[], &[])?;
                    self.initialize = Some(name.clone());
                }
                ExportTarget::Memory => {
                    return Err(load_err(format!(
                        "export `{name}` must be a memory, not a function"
                    )))
                }
            }
        }
        for (post, _) in &parsed.funcs {
            let Some(ExportTarget::PostReturn { item, func }) = names.export(post) else {
                continue;
            };
            match find_export(&self.exports, (item, func)) {
                Ok(i) => self.exports[i].1.post = Some(post.clone()),
                Err(_) => {
                    return Err(load_err(format!(
                        "export `{post}` has no function it belongs to"
                    )))
                }
            }
        }
        let memory_name = self.scheme.memory();
        self.special.memory = parsed.memories.iter().find(|m| *m == memory_name).cloned();
        for m in &parsed.memories {
            if is_cm32p2(m) && *m != memory_name {
                return Err(load_err(format!(
                    "export `{m}` is not in world `{}`",
                    self.world.name
                )));
            }
        }
        Ok(())
    }

    /// `memory` and `realloc` must be exported when any function in use needs them.
    fn check_memory_and_realloc(&self, _parsed: &ModuleShape) -> Result<(), Error> {
        let imports = self.imports.iter().filter_map(|i| match i.target {
            Some(ImportTarget::Func { item, func }) => self
                .world
                .import_func(item, func)
                .map(|f| (f, AbiContext::Lower)),
            _ => None,
        });
        let exports = self.exports.iter().filter_map(|((item, func), _)| {
            self.world
                .export_func(*item, *func)
                .map(|f| (f, AbiContext::Lift))
        });
        for (f, cx) in imports.chain(exports) {
            let (name, ty) = (&f.name, &f.ty);
            if ty.needs_memory() && self.special.memory.is_none() {
                return Err(load_err(format!(
                    "function `{name}` needs memory but the module exports no `{}`",
                    self.scheme.memory()
                )));
            }
            if ty.needs_realloc(cx) && self.special.realloc.is_none() {
                return Err(load_err(format!(
                    "function `{name}` needs `{}` but the module does not export it",
                    self.scheme.realloc()
                )));
            }
        }
        Ok(())
    }
}

fn match_imports(
    world: &World,
    names: &CoreNames,
    parsed: &ModuleShape,
) -> Result<Vec<CoreImport>, Error> {
    let mut out = Vec::with_capacity(parsed.imports.len());
    for (module, name, sig) in &parsed.imports {
        let sig = sig.clone().ok_or_else(|| {
            load_err(format!("import `{module}` `{name}` has a non-numeric type"))
        })?;
        let target = names.import(module, name);
        let owned: CoreSignature;
        let want: Option<(&[FlatType], &[FlatType])> = match target {
            Some(ImportTarget::Func { item, func }) => {
                let f = world.import_func(item, func).ok_or_else(|| {
                    load_err(format!("import `{module}` `{name}`: no such function"))
                })?;
                owned = f.ty.core_signature(AbiContext::Lower);
                Some((&owned.params, &owned.results))
            }
            Some(ImportTarget::ResourceDrop(_))
            | Some(ImportTarget::Intrinsic(_, wasmbed_abi::names::ResourceIntrinsic::Drop)) => {
                Some((&[I32], &[]))
            }
            Some(ImportTarget::Intrinsic(..)) => Some((&[I32], &[I32])),
            None if names.scheme() == Scheme::Cm32p2 && is_cm32p2(module) => {
                return Err(load_err(format!(
                    "import `{module}` `{name}` is not in world `{}`",
                    world.name
                )))
            }
            None => None,
        };
        if let Some((params, results)) = want {
            if sig.params != params || sig.results != results {
                return Err(load_err(format!(
                    "import `{module}` `{name}` has type {}, the world requires {}",
                    show(&sig.params, &sig.results),
                    show(params, results)
                )));
            }
        }
        out.push(CoreImport {
            module: module.clone(),
            name: name.clone(),
            sig,
            target,
        });
    }
    Ok(out)
}
