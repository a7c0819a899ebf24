//! The WAMR backend: the interpreter embedded products ship, through `wamrx-sys`.
//!
//! WAMR resolves a module's native imports when it loads it, from one
//! process-wide table keyed by import module and name. Every wasmbed import
//! is registered there once, as a *raw* native pointing at one trampoline,
//! with a key number as its attachment. Per instance, the trampoline finds
//! the host functions through the instance's custom data: a linked table
//! that maps key numbers to the imports of that module, in that module's order.
//!
//! Limits map onto WAMR as follows: [`Limits::max_memory_pages`] caps the
//! memory when instantiating; [`Limits::fuel`] is an instruction budget for
//! every entry into the guest (each export call, each `realloc` or destructor
//! the host calls): WAMR counts down a copy of the budget for each entry and
//! cannot report what an entry used, so the budget bounds each call rather
//! than the instance's life, [`EngineInstance::fuel`] is `None`, and calls do
//! not run in slices (no signals). Budgets above `i32::MAX` are capped there.
//!
//! The backend needs `alloc` only. With `std`, a host function's panic is
//! caught in the trampoline and resumed on the host side of the call, and
//! the process-wide state sits behind std's `Mutex`. Without `std` (a
//! firmware, on WAMR's bare-metal port in `firmware/wamr/`), no panic is
//! caught: under `panic = "abort"` it ends in the panic handler as anywhere
//! else, and an unwinding one aborts where it would leave the `extern "C"`
//! trampoline; and that state sits behind a spin lock, so the engine is used
//! from one thread of execution, not from interrupt handlers (see `lock.rs`).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::ffi::CString;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void, CStr};
use core::ptr::{self, NonNull};

use wamrx_sys as sys;
use wasmbed_abi::{CoreSignature, FlatType, FlatVal};

use super::{
    Engine, EngineImport, EngineInstance, GuestAccess, GuestFunc, HostFn, Limits, ModuleShape,
    Special,
};
use crate::error::TrapReason;
use crate::{Error, ErrorKind, State};
use lock::Lock;

mod lock;

/// The WAMR engine (fast interpreter, instruction metering built in).
#[derive(Clone, Debug)]
pub struct Wamr {
    stack: u32,
}

impl Wamr {
    /// An engine whose instances get a 64 KiB operand stack.
    pub fn new() -> Wamr {
        Wamr::with_stack(64 * 1024)
    }

    /// An engine whose instances get a Wasm operand and frame stack of `bytes`.
    pub fn with_stack(bytes: u32) -> Wamr {
        runtime();
        Wamr { stack: bytes }
    }
}

impl Default for Wamr {
    fn default() -> Wamr {
        Wamr::new()
    }
}

/// Initialises WAMR once for the process, quietly: wasmbed reports errors itself.
fn runtime() {
    static INIT: Lock<Option<bool>> = Lock::new(None);
    let mut init = INIT.lock();
    let ok = *init.get_or_insert_with(|| {
        // SAFETY: `wasm_runtime_init` runs once, before any other WAMR call
        // (every public way in goes through `Wamr::with_stack`).
        unsafe {
            let ok = sys::wasm_runtime_init();
            sys::wasm_runtime_set_log_level(sys::WASM_LOG_LEVEL_FATAL);
            ok
        }
    });
    assert!(ok, "WAMR failed to initialise (out of memory)");
}

/// Keys of the natives registered with WAMR, for the life of the process.
struct Registry {
    keys: BTreeMap<(String, String), u32>,
}

static REGISTRY: Lock<Registry> = Lock::new(Registry {
    keys: BTreeMap::new(),
});

impl Registry {
    /// Registers the trampoline for every `(module, name)` not yet known.
    fn register(&mut self, imports: &[(String, String)]) -> Result<(), Error> {
        let mut fresh: Vec<(&str, Vec<&str>)> = Vec::new();
        for (module, name) in imports {
            if self.keys.contains_key(&(module.clone(), name.clone())) {
                continue;
            }
            match fresh.iter_mut().find(|(m, _)| *m == module) {
                Some((_, names)) if !names.contains(&name.as_str()) => names.push(name),
                Some(_) => {}
                None => fresh.push((module, alloc::vec![name])),
            }
        }
        for (module, names) in fresh {
            let c_module = c_string(module)?;
            let mut symbols = Vec::with_capacity(names.len());
            let first = self.keys.len() as u32;
            for (i, name) in names.iter().enumerate() {
                symbols.push(sys::NativeSymbol {
                    symbol: Box::leak(c_string(name)?.into_boxed_c_str()).as_ptr(),
                    func_ptr: trampoline as *mut c_void,
                    // Raw natives are typed by the module; the runtime
                    // checked each import's type against its world.
                    signature: ptr::null(),
                    attachment: (first as usize + i) as *mut c_void,
                });
            }
            // WAMR keeps both for the process's life.
            let module_ptr = Box::leak(c_module.into_boxed_c_str()).as_ptr();
            let symbols = Box::leak(symbols.into_boxed_slice());
            // SAFETY: `module_ptr` and `symbols` are leaked, so they live
            // forever and stay writable (WAMR sorts the array in place);
            // each symbol is a NUL-terminated leaked string.
            let ok = unsafe {
                sys::wasm_runtime_register_natives_raw(
                    module_ptr,
                    symbols.as_mut_ptr(),
                    symbols.len() as u32,
                )
            };
            if !ok {
                return Err(ErrorKind::Link("WAMR refused to register natives".into()).into());
            }
            for (i, name) in names.iter().enumerate() {
                let key = (module.to_string(), name.to_string());
                self.keys.insert(key, first + i as u32);
            }
        }
        Ok(())
    }
}

fn c_string(s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| load_err(format!("name `{s}` contains a NUL byte")))
}

fn load_err(msg: String) -> Error {
    ErrorKind::Compile(msg).into()
}

/// A loaded module and the bytes WAMR reads from for its life.
struct Loaded {
    module: sys::wasm_module_t,
    _bytes: Box<[u8]>,
    shape: ModuleShape,
    /// The largest initial size of an exported memory, in pages.
    min_pages: u32,
    /// Serialises instantiation: WAMR reads the module's shared state while it instantiates.
    instantiate: Lock<()>,
}

// SAFETY: a loaded WAMR module is immutable after `wasm_runtime_load` and
// `wasm_runtime_resolve_symbols` (both done before a `Loaded` is shared);
// instantiation from several threads is serialised by `instantiate`.
unsafe impl Send for Loaded {}
// SAFETY: as for `Send`: shared use only reads it, or instantiates under the lock.
unsafe impl Sync for Loaded {}

impl Drop for Loaded {
    fn drop(&mut self) {
        // SAFETY: every instance holds an `Arc` of this module, so none is
        // left; the bytes are dropped after the module.
        unsafe { sys::wasm_runtime_unload(self.module) }
    }
}

/// A compiled module (shared, cheap to clone).
#[derive(Clone)]
pub struct WamrModule(Arc<Loaded>);

/// An exported function of an instance, with its core type.
#[derive(Clone)]
pub struct WamrFunc {
    func: sys::wasm_function_inst_t,
}

// SAFETY: a function handle is a pointer into an instance that never moves;
// it is only used through that instance, which is `Send` on its own terms.
unsafe impl Send for WamrFunc {}
// SAFETY: as for `Send`: the handle itself is never written.
unsafe impl Sync for WamrFunc {}

/// A module's imports resolved once: key number to host function.
pub struct WamrLinked<T>(Arc<Table<T>>);

struct Table<T> {
    /// By key number: the index into `imports`, or `u32::MAX`.
    by_key: Vec<u32>,
    imports: Vec<Import<T>>,
}

struct Import<T> {
    func: HostFn<T>,
    params: Vec<FlatType>,
    results: Vec<FlatType>,
}

/// What the trampoline finds through an instance's custom data, whatever `T`.
#[repr(C)]
struct Header {
    dispatch: unsafe fn(NonNull<Header>, sys::wasm_exec_env_t, u32, *mut u64),
}

/// One instance's runtime state; `Header` first, so a pointer to it is a pointer to this.
#[repr(C)]
struct Inner<T: 'static> {
    header: Header,
    table: Arc<Table<T>>,
    inst: sys::wasm_module_inst_t,
    memory: sys::wasm_memory_inst_t,
    realloc: sys::wasm_function_inst_t,
    dtors: Vec<sys::wasm_function_inst_t>,
    /// The error a host function failed with, for the call that unwinds.
    error: Option<Error>,
    /// A host function's panic, resumed on the host side of the call.
    panic: Option<Panic>,
    budget: Option<i32>,
    state: State,
    host: T,
}

/// A live WAMR instance owning host data `T`.
pub struct WamrInstance<T: 'static> {
    inner: NonNull<Inner<T>>,
    exec_env: sys::wasm_exec_env_t,
    _module: WamrModule,
}

// SAFETY: the instance, its execution environment and `Inner` are owned by
// this value alone; WAMR ties none of them to a thread (hardware bounds
// checks are off, and each call records the calling thread's stack).
unsafe impl<T: Send + 'static> Send for WamrInstance<T> {}

fn kind(t: FlatType) -> sys::wasm_valkind_t {
    (match t {
        FlatType::I32 => sys::WASM_I32,
        FlatType::I64 => sys::WASM_I64,
        FlatType::F32 => sys::WASM_F32,
        FlatType::F64 => sys::WASM_F64,
    }) as sys::wasm_valkind_t
}

fn flat(k: sys::wasm_valkind_t) -> Option<FlatType> {
    match k as u32 {
        sys::WASM_I32 => Some(FlatType::I32),
        sys::WASM_I64 => Some(FlatType::I64),
        sys::WASM_F32 => Some(FlatType::F32),
        sys::WASM_F64 => Some(FlatType::F64),
        _ => None,
    }
}

/// The core signature of a function type, `None` beyond numbers.
///
/// # Safety
/// `ty` is a function type of a loaded module.
unsafe fn signature(ty: sys::wasm_func_type_t) -> Option<CoreSignature> {
    // SAFETY: the caller's promise; the indices stay below the counts.
    unsafe {
        let params = (0..sys::wasm_func_type_get_param_count(ty))
            .map(|i| flat(sys::wasm_func_type_get_param_valkind(ty, i)))
            .collect::<Option<_>>()?;
        let results = (0..sys::wasm_func_type_get_result_count(ty))
            .map(|i| flat(sys::wasm_func_type_get_result_valkind(ty, i)))
            .collect::<Option<_>>()?;
        Some(CoreSignature { params, results })
    }
}

/// A NUL-terminated string from WAMR, as text.
///
/// # Safety
/// `s` is null or a NUL-terminated string that outlives the call.
unsafe fn text(s: *const c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: the caller's promise.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

/// Reads what a loaded module imports and exports, and the largest initial
/// size of its exported memories.
///
/// # Safety
/// `module` is a loaded module.
unsafe fn read_shape(module: sys::wasm_module_t) -> (ModuleShape, u32) {
    let mut shape = ModuleShape::default();
    let mut pages = 0;
    // SAFETY: the caller's promise; indices stay below WAMR's counts and the
    // names WAMR returns live as long as the module.
    unsafe {
        for i in 0..sys::wasm_runtime_get_import_count(module) {
            let mut import = sys::wasm_import_t::default();
            sys::wasm_runtime_get_import_type(module, i, &mut import);
            if import.kind == sys::WASM_IMPORT_EXPORT_KIND_FUNC {
                shape.imports.push((
                    text(import.module_name),
                    text(import.name),
                    signature(import.u.func_type),
                ));
            }
        }
        for i in 0..sys::wasm_runtime_get_export_count(module) {
            let mut export = sys::wasm_export_t::default();
            sys::wasm_runtime_get_export_type(module, i, &mut export);
            match export.kind {
                sys::WASM_IMPORT_EXPORT_KIND_FUNC => shape
                    .funcs
                    .push((text(export.name), signature(export.u.func_type))),
                sys::WASM_IMPORT_EXPORT_KIND_MEMORY => {
                    shape.memories.push(text(export.name));
                    let min = sys::wasm_memory_type_get_init_page_count(export.u.memory_type);
                    pages = pages.max(min);
                }
                _ => {}
            }
        }
    }
    (shape, pages)
}

/// The message WAMR left in `error_buf`, on one line.
fn buf_text(buf: &[u8]) -> String {
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Engine for Wamr {
    type Module = WamrModule;
    type Func = WamrFunc;
    type Linked<T: 'static> = WamrLinked<T>;
    type Instance<T: 'static> = WamrInstance<T>;

    fn compile(&self, wasm: &[u8]) -> Result<WamrModule, Error> {
        let size = u32::try_from(wasm.len()).map_err(|_| load_err("module too large".into()))?;
        let mut bytes: Box<[u8]> = wasm.into();
        let mut error = [0u8; 256];
        // The registry lock is held from load to resolve, so no other module
        // registers natives in between.
        let mut reg = REGISTRY.lock();
        // SAFETY: `bytes` is writable and moves into the `Loaded` that owns
        // the module (its heap address does not change); `error` is writable
        // for its length.
        let module = unsafe {
            sys::wasm_runtime_load(
                bytes.as_mut_ptr(),
                size,
                error.as_mut_ptr().cast(),
                error.len() as u32,
            )
        };
        if module.is_null() {
            return Err(load_err(buf_text(&error)));
        }
        // SAFETY: `module` was just loaded.
        let (shape, min_pages) = unsafe { read_shape(module) };
        let loaded = Loaded {
            module,
            _bytes: bytes,
            shape,
            min_pages,
            instantiate: Lock::new(()),
        };
        let names: Vec<(String, String)> = loaded
            .shape
            .imports
            .iter()
            .map(|(m, n, _)| (m.clone(), n.clone()))
            .collect();
        reg.register(&names)?;
        // Links the imports registered after the load (this module's new ones).
        // SAFETY: `module` is loaded and not yet shared.
        unsafe { sys::wasm_runtime_resolve_symbols(module) };
        Ok(WamrModule(Arc::new(loaded)))
    }

    fn shape(&self, module: &WamrModule) -> ModuleShape {
        module.0.shape.clone()
    }

    fn link<T: 'static>(&self, imports: Vec<EngineImport<'_, T>>) -> Result<WamrLinked<T>, Error> {
        let reg = REGISTRY.lock();
        let mut by_key = alloc::vec![u32::MAX; reg.keys.len()];
        let mut table = Vec::with_capacity(imports.len());
        for (i, import) in imports.into_iter().enumerate() {
            let key = reg.keys.get(&(import.module.into(), import.name.into()));
            let key = *key.ok_or_else(|| {
                ErrorKind::Link(format!(
                    "import `{}` `{}` is not in a module this engine compiled",
                    import.module, import.name
                ))
            })?;
            by_key[key as usize] = i as u32;
            table.push(Import {
                func: import.func,
                params: import.params.to_vec(),
                results: import.results.to_vec(),
            });
        }
        Ok(WamrLinked(Arc::new(Table {
            by_key,
            imports: table,
        })))
    }

    fn instantiate<T: 'static>(
        &self,
        module: &WamrModule,
        linked: &WamrLinked<T>,
        special: &Special,
        mut state: State,
        data: T,
        limits: &Limits,
    ) -> Result<WamrInstance<T>, Error> {
        // WAMR lowers the maximum to the limit but starts a larger memory
        // anyway: refuse, as wasmi does.
        if module.0.min_pages > limits.max_memory_pages {
            return Err(ErrorKind::Link(format!(
                "the module's memory starts at {} pages, over the limit of {}",
                module.0.min_pages, limits.max_memory_pages
            ))
            .into());
        }
        state.in_start = true;
        let budget = limits.fuel.map(|f| f.min(i32::MAX as u64) as i32);
        let inner = Box::new(Inner {
            header: Header {
                dispatch: dispatch::<T>,
            },
            table: linked.0.clone(),
            inst: ptr::null_mut(),
            memory: ptr::null_mut(),
            realloc: ptr::null_mut(),
            dtors: Vec::new(),
            error: None,
            panic: None,
            budget,
            state,
            host: data,
        });
        let inner = NonNull::from(Box::leak(inner));
        let mut error = [0u8; 256];
        let inst = {
            let _one = module.0.instantiate.lock();
            let mut args: *mut sys::InstantiationArgs2 = ptr::null_mut();
            // SAFETY: `args` is created, filled and destroyed here; the custom
            // data points at `inner`, which outlives the instance (it is freed
            // after `wasm_runtime_deinstantiate`); `error` is writable for its length.
            unsafe {
                if !sys::wasm_runtime_instantiation_args_create(&mut args) {
                    drop(Box::from_raw(inner.as_ptr()));
                    return Err(ErrorKind::Link("WAMR: out of memory".into()).into());
                }
                sys::wasm_runtime_instantiation_args_set_default_stack_size(args, self.stack);
                sys::wasm_runtime_instantiation_args_set_host_managed_heap_size(args, 0);
                sys::wasm_runtime_instantiation_args_set_max_memory_pages(
                    args,
                    limits.max_memory_pages,
                );
                sys::wasm_runtime_instantiation_args_set_custom_data(args, inner.as_ptr().cast());
                let inst = sys::wasm_runtime_instantiate_ex2(
                    module.0.module,
                    args,
                    error.as_mut_ptr().cast(),
                    error.len() as u32,
                );
                sys::wasm_runtime_instantiation_args_destroy(args);
                inst
            }
        };
        if inst.is_null() {
            // SAFETY: no instance refers to `inner` any more.
            let mut inner = unsafe { Box::from_raw(inner.as_ptr()) };
            if let Some(p) = inner.panic.take() {
                resume(p);
            }
            return Err(match inner.error.take() {
                Some(e) => e,
                None => start_error(&buf_text(&error)),
            });
        }
        // SAFETY: `inst` is live; the names are NUL-terminated for the calls.
        let exec_env = unsafe { sys::wasm_runtime_create_exec_env(inst, self.stack) };
        let instance = WamrInstance {
            inner,
            exec_env,
            _module: module.clone(),
        };
        // SAFETY: from here `instance` owns `inst` (through `inner`) and
        // `exec_env`; its `Drop` releases them.
        unsafe {
            let i = &mut *inner.as_ptr();
            i.inst = inst;
            if exec_env.is_null() {
                drop(instance);
                return Err(ErrorKind::Link("WAMR: out of memory".into()).into());
            }
            let find = |name: &Option<String>| match name.as_deref().map(c_string) {
                Some(Ok(n)) => sys::wasm_runtime_lookup_function(inst, n.as_ptr()),
                _ => ptr::null_mut(),
            };
            i.memory = match special.memory.as_deref().map(c_string) {
                Some(Ok(n)) => sys::wasm_runtime_lookup_memory(inst, n.as_ptr()),
                _ => ptr::null_mut(),
            };
            i.realloc = find(&special.realloc);
            i.dtors = special.dtors.iter().map(find).collect();
            i.state.in_start = false;
        }
        Ok(instance)
    }
}

/// A failure while instantiating: a trap in `start`, or a link error.
fn start_error(msg: &str) -> Error {
    match msg.strip_prefix("Exception: ") {
        Some(trap) => Error::trap("start", engine_trap(trap)),
        None => ErrorKind::Link(msg.into()).into(),
    }
}

/// WAMR's exception text as a trap reason.
fn engine_trap(msg: &str) -> TrapReason {
    match msg {
        "instruction limit exceeded" => TrapReason::OutOfFuel,
        _ => TrapReason::Engine(msg.into()),
    }
}

/// The one native WAMR calls for every wasmbed import.
unsafe extern "C" fn trampoline(exec_env: sys::wasm_exec_env_t, args: *mut u64) {
    // SAFETY: WAMR calls natives with the running instance's execution
    // environment; the attachment is the key number registered with this
    // trampoline, and the custom data of every instance wasmbed creates is
    // its `Inner`, whose `Header` comes first.
    unsafe {
        let key = sys::wasm_runtime_get_function_attachment(exec_env) as usize as u32;
        let inst = sys::wasm_runtime_get_module_inst(exec_env);
        let Some(header) = NonNull::new(sys::wasm_runtime_get_custom_data(inst).cast::<Header>())
        else {
            let msg = c"wasmbed: host function called outside a wasmbed instance";
            sys::wasm_runtime_set_exception(inst, msg.as_ptr());
            return;
        };
        (header.as_ref().dispatch)(header, exec_env, key, args);
    }
}

/// The trampoline's typed half: runs host function `key` of an `Inner<T>`.
///
/// # Safety
/// `header` is the `Header` of a live `Inner<T>` whose instance is running
/// in `exec_env`; `args` holds one 64-bit slot per parameter of the import
/// (at least one), and takes the result in its first slot.
unsafe fn dispatch<T: 'static>(
    header: NonNull<Header>,
    exec_env: sys::wasm_exec_env_t,
    key: u32,
    args: *mut u64,
) {
    let inner = header.cast::<Inner<T>>();
    // Borrowed, not cloned (no atomic count per call): `Inner` holds its
    // `Arc` for the instance's life and never replaces it, and the instance
    // outlives this call.
    // SAFETY: the caller's promise that `inner` is live; the table is read only.
    let table: &Table<T> = unsafe { &*Arc::as_ptr(&inner.as_ref().table) };
    let Some(import) = table
        .by_key
        .get(key as usize)
        .and_then(|i| table.imports.get(*i as usize))
    else {
        // SAFETY: as above; the instance is live.
        unsafe {
            fail(
                inner,
                exec_env,
                Error::host("WAMR called an import this instance did not link"),
            )
        };
        return;
    };
    let mut stack = [FlatVal::I32(0); 17];
    let mut heap = Vec::new();
    let params: &mut [FlatVal] = if import.params.len() <= stack.len() {
        &mut stack[..import.params.len()]
    } else {
        heap.resize(import.params.len(), FlatVal::I32(0));
        &mut heap
    };
    for (i, (p, t)) in params.iter_mut().zip(&import.params).enumerate() {
        // SAFETY: one slot per parameter (the caller's promise).
        let slot = unsafe { args.add(i).read() };
        *p = match t {
            FlatType::I32 => FlatVal::I32(slot as u32 as i32),
            FlatType::I64 => FlatVal::I64(slot as i64),
            FlatType::F32 => FlatVal::F32(f32::from_bits(slot as u32)),
            FlatType::F64 => FlatVal::F64(f64::from_bits(slot)),
        };
    }
    let mut out = [FlatVal::I32(0)];
    let n = import.results.len().min(1);
    let mut access = Access { inner, exec_env };
    match run_host(|| (import.func)(&mut access, params, &mut out[..n])) {
        Ok(Ok(())) => {
            if n == 1 {
                // SAFETY: the first slot takes the result, written at its
                // start as WAMR reads it back.
                unsafe {
                    match out[0] {
                        FlatVal::I32(v) => args.cast::<i32>().write(v),
                        FlatVal::I64(v) => args.cast::<i64>().write(v),
                        FlatVal::F32(v) => args.cast::<f32>().write(v),
                        FlatVal::F64(v) => args.cast::<f64>().write(v),
                    }
                }
            }
        }
        // SAFETY: the instance is live (the caller's promise).
        Ok(Err(e)) => unsafe { fail(inner, exec_env, e) },
        Err(p) => {
            // SAFETY: as above.
            unsafe {
                (*inner.as_ptr()).panic = Some(p);
                fail(inner, exec_env, Error::host("host function panicked"));
            }
        }
    }
}

/// A host function's panic, caught to be resumed on the host side of the call.
#[cfg(feature = "std")]
type Panic = Box<dyn core::any::Any + Send>;
/// Without std no panic is caught (see the module's docs).
#[cfg(not(feature = "std"))]
type Panic = core::convert::Infallible;

/// Runs a host function, catching its panic.
#[cfg(feature = "std")]
fn run_host(f: impl FnOnce() -> Result<(), Error>) -> Result<Result<(), Error>, Panic> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
}

/// Runs a host function.
#[cfg(not(feature = "std"))]
fn run_host(f: impl FnOnce() -> Result<(), Error>) -> Result<Result<(), Error>, Panic> {
    Ok(f())
}

/// Resumes a host function's panic once WAMR has unwound the guest.
#[cfg(feature = "std")]
fn resume(p: Panic) -> ! {
    std::panic::resume_unwind(p)
}

/// Nothing to resume: without std no panic is caught.
#[cfg(not(feature = "std"))]
fn resume(p: Panic) -> ! {
    match p {}
}

/// Unwinds the running guest with `e`, kept for the host side of the call.
///
/// # Safety
/// `inner` is a live `Inner<T>` whose instance is running in `exec_env`
/// (during `start`, before `Inner` knows its instance).
unsafe fn fail<T: 'static>(inner: NonNull<Inner<T>>, exec_env: sys::wasm_exec_env_t, e: Error) {
    // SAFETY: the caller's promise; no other reference to `Inner` is live
    // while WAMR runs a native.
    unsafe {
        (*inner.as_ptr()).error.get_or_insert(e);
        let inst = sys::wasm_runtime_get_module_inst(exec_env);
        sys::wasm_runtime_set_exception(inst, c"wasmbed: host call failed".as_ptr());
    }
}

/// Guest access from inside a host call or between calls.
struct Access<T: 'static> {
    inner: NonNull<Inner<T>>,
    exec_env: sys::wasm_exec_env_t,
}

impl<T: 'static> Access<T> {
    fn inner(&self) -> &Inner<T> {
        // SAFETY: `inner` is live for the access (an instance or a running
        // host call owns it), and references to it are bounded by `&self`.
        unsafe { self.inner.as_ref() }
    }

    fn inner_mut(&mut self) -> &mut Inner<T> {
        // SAFETY: as in `inner`, exclusively through `&mut self`.
        unsafe { self.inner.as_mut() }
    }

    /// The memory's base and length now (memory may have grown since).
    fn raw_memory(&self) -> (*mut u8, usize) {
        let mem = self.inner().memory;
        if mem.is_null() {
            return (ptr::null_mut(), 0);
        }
        // SAFETY: `mem` is a memory of the live instance.
        unsafe {
            let base = sys::wasm_memory_get_base_address(mem).cast::<u8>();
            let len = sys::wasm_memory_get_cur_page_count(mem)
                .saturating_mul(sys::wasm_memory_get_bytes_per_page(mem));
            (base, usize::try_from(len).unwrap_or(0))
        }
    }

    /// Calls a guest function on the running (or idle) instance.
    fn call(
        &mut self,
        func: sys::wasm_function_inst_t,
        args: &[FlatVal],
        results: &mut [FlatVal],
        name: &str,
    ) -> Result<(), Error> {
        // SAFETY: `exec_env` belongs to this instance (or runs its `start`).
        let inst = unsafe { sys::wasm_runtime_get_module_inst(self.exec_env) };
        if let Some(budget) = self.inner().budget {
            // SAFETY: `exec_env` belongs to this instance.
            unsafe { sys::wasm_runtime_set_instruction_count_limit(self.exec_env, budget) };
        }
        // On the stack for a world function (at most 17 core arguments and
        // one result), on the heap only for functions outside the world.
        const STACK: usize = 17;
        let zero = to_val(FlatVal::I32(0));
        let (mut stack_in, mut stack_out) = ([zero; STACK], [zero; 1]);
        let (mut heap_in, mut heap_out) = (Vec::new(), Vec::new());
        let vals: &mut [sys::wasm_val_t] = if args.len() <= STACK {
            &mut stack_in[..args.len()]
        } else {
            heap_in.resize(args.len(), zero);
            &mut heap_in
        };
        let outs: &mut [sys::wasm_val_t] = if results.len() <= 1 {
            &mut stack_out[..results.len()]
        } else {
            heap_out.resize(results.len(), zero);
            &mut heap_out
        };
        for (v, a) in vals.iter_mut().zip(args) {
            *v = to_val(*a);
        }
        for (o, r) in outs.iter_mut().zip(results.iter()) {
            *o = to_val(*r);
        }
        // SAFETY: `func` belongs to this instance; the value arrays are
        // valid for their lengths; WAMR checks their count and kinds against
        // the function's type.
        let ok = unsafe {
            sys::wasm_runtime_call_wasm_a(
                self.exec_env,
                func,
                outs.len() as u32,
                outs.as_mut_ptr(),
                vals.len() as u32,
                vals.as_mut_ptr(),
            )
        };
        if ok {
            for (r, o) in results.iter_mut().zip(outs.iter()) {
                *r = from_val(o);
            }
            return Ok(());
        }
        // SAFETY: `inst` is live; the exception text is copied before it is cleared.
        let msg = unsafe {
            let m = text(sys::wasm_runtime_get_exception(inst));
            sys::wasm_runtime_clear_exception(inst);
            m
        };
        let i = self.inner_mut();
        if let Some(p) = i.panic.take() {
            resume(p);
        }
        Err(match i.error.take() {
            Some(e) => e,
            None => Error::trap(
                name,
                engine_trap(msg.strip_prefix("Exception: ").unwrap_or(&msg)),
            ),
        })
    }
}

fn to_val(v: FlatVal) -> sys::wasm_val_t {
    let (kind, of) = match v {
        FlatVal::I32(i) => (FlatType::I32, sys::wasm_val_t__bindgen_ty_1 { i32_: i }),
        FlatVal::I64(i) => (FlatType::I64, sys::wasm_val_t__bindgen_ty_1 { i64_: i }),
        FlatVal::F32(f) => (FlatType::F32, sys::wasm_val_t__bindgen_ty_1 { f32_: f }),
        FlatVal::F64(f) => (FlatType::F64, sys::wasm_val_t__bindgen_ty_1 { f64_: f }),
    };
    sys::wasm_val_t {
        kind: self::kind(kind),
        _paddings: [0; 7],
        of,
    }
}

fn from_val(v: &sys::wasm_val_t) -> FlatVal {
    // SAFETY: the union field read is the one `kind` names, as WAMR wrote it.
    unsafe {
        match flat(v.kind) {
            Some(FlatType::I64) => FlatVal::I64(v.of.i64_),
            Some(FlatType::F32) => FlatVal::F32(v.of.f32_),
            Some(FlatType::F64) => FlatVal::F64(v.of.f64_),
            // The world's signatures have only numbers; WAMR checked the kinds.
            _ => FlatVal::I32(v.of.i32_),
        }
    }
}

impl<T: 'static> GuestAccess<T> for Access<T> {
    fn memory(&self) -> &[u8] {
        match self.raw_memory() {
            (base, len) if !base.is_null() && len > 0 => {
                // SAFETY: WAMR's memory is `len` bytes at `base` until the
                // guest runs again, which takes `&mut self`; it is a separate
                // allocation from `Inner`.
                unsafe { core::slice::from_raw_parts(base, len) }
            }
            _ => &[],
        }
    }

    fn parts(&mut self) -> (&mut [u8], &mut State, &mut T) {
        let memory: &mut [u8] = match self.raw_memory() {
            (base, len) if !base.is_null() && len > 0 => {
                // SAFETY: as in `memory`, exclusively through `&mut self`;
                // disjoint from `Inner`, whose fields are borrowed below.
                unsafe { core::slice::from_raw_parts_mut(base, len) }
            }
            _ => &mut [],
        };
        let i = self.inner_mut();
        (memory, &mut i.state, &mut i.host)
    }

    fn state(&mut self) -> &mut State {
        &mut self.inner_mut().state
    }

    fn data(&self) -> &T {
        &self.inner().host
    }

    fn data_mut(&mut self) -> &mut T {
        &mut self.inner_mut().host
    }

    fn call_guest(
        &mut self,
        which: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        let (func, name) = match which {
            GuestFunc::Realloc => (self.inner().realloc, "realloc"),
            GuestFunc::Dtor(r) => match self.inner().dtors.get(r.0 as usize).copied() {
                Some(f) if !f.is_null() => (f, "destructor"),
                // A destructor is optional: without one, dropping does nothing more.
                _ => return Ok(()),
            },
        };
        if func.is_null() {
            return Err(Error::trap(
                name,
                TrapReason::Engine(format!("the module exports no `{name}`")),
            ));
        }
        self.call(func, args, results, name)
    }
}

impl<T: 'static> WamrInstance<T> {
    fn access(&self) -> Access<T> {
        Access {
            inner: self.inner,
            exec_env: self.exec_env,
        }
    }

    fn with<R>(&mut self, f: impl FnOnce(&mut Access<T>) -> R) -> R {
        f(&mut self.access())
    }
}

impl<T: 'static> GuestAccess<T> for WamrInstance<T> {
    fn memory(&self) -> &[u8] {
        let (base, len) = self.access().raw_memory();
        if base.is_null() || len == 0 {
            return &[];
        }
        // SAFETY: as in `Access::memory`, bounded by `&self`.
        unsafe { core::slice::from_raw_parts(base, len) }
    }

    fn parts(&mut self) -> (&mut [u8], &mut State, &mut T) {
        let (base, len) = self.access().raw_memory();
        let memory: &mut [u8] = if base.is_null() || len == 0 {
            &mut []
        } else {
            // SAFETY: as in `Access::parts`, bounded by `&mut self`.
            unsafe { core::slice::from_raw_parts_mut(base, len) }
        };
        // SAFETY: `inner` is owned by `self`; borrowed through `&mut self`.
        let i = unsafe { self.inner.as_mut() };
        (memory, &mut i.state, &mut i.host)
    }

    fn state(&mut self) -> &mut State {
        // SAFETY: `inner` is owned by `self`.
        &mut unsafe { self.inner.as_mut() }.state
    }

    fn data(&self) -> &T {
        // SAFETY: `inner` is owned by `self`.
        &unsafe { self.inner.as_ref() }.host
    }

    fn data_mut(&mut self) -> &mut T {
        // SAFETY: `inner` is owned by `self`.
        &mut unsafe { self.inner.as_mut() }.host
    }

    fn call_guest(
        &mut self,
        func: GuestFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        self.with(|a| a.call_guest(func, args, results))
    }
}

impl<T: 'static> EngineInstance<T> for WamrInstance<T> {
    type Func = WamrFunc;

    fn func(&self, name: &str) -> Option<WamrFunc> {
        let name = CString::new(name).ok()?;
        // SAFETY: the instance is live; `name` is NUL-terminated.
        let func =
            unsafe { sys::wasm_runtime_lookup_function(self.access().inner().inst, name.as_ptr()) };
        (!func.is_null()).then_some(WamrFunc { func })
    }

    fn call(
        &mut self,
        func: &WamrFunc,
        args: &[FlatVal],
        results: &mut [FlatVal],
    ) -> Result<(), Error> {
        self.with(|a| a.call(func.func, args, results, "export"))
    }

    fn fuel(&self) -> Option<u64> {
        None
    }

    fn into_data(self) -> T {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is not dropped; its resources are released here once.
        unsafe {
            this.release();
            let inner = Box::from_raw(this.inner.as_ptr());
            drop(ptr::read(&this._module));
            inner.host
        }
    }
}

impl<T: 'static> WamrInstance<T> {
    /// Destroys the execution environment and the instance.
    ///
    /// # Safety
    /// Called once, with no call running.
    unsafe fn release(&self) {
        // SAFETY: the caller's promise; both were created by `instantiate`.
        unsafe {
            if !self.exec_env.is_null() {
                sys::wasm_runtime_destroy_exec_env(self.exec_env);
            }
            sys::wasm_runtime_deinstantiate(self.inner.as_ref().inst);
        }
    }
}

impl<T: 'static> Drop for WamrInstance<T> {
    fn drop(&mut self) {
        // SAFETY: dropping runs once, with no call running (calls borrow the
        // instance); `inner` is freed after the instance that points at it.
        unsafe {
            self.release();
            drop(Box::from_raw(self.inner.as_ptr()));
        }
    }
}
