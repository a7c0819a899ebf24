//! Why a module cannot be shrunk: one variant per refusal, one lowercase line each.

/// Why [`shrink`](crate::shrink) refused a module. Every message names the
/// item (a function, a global, a data segment) so the developer can fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShrinkError {
    /// The input is not a valid core module (wasmparser's message, with its offset).
    #[error("invalid module: {0}")]
    Invalid(String),
    /// A relocatable object file (a `linking` or `reloc.*` section): its layout is not final.
    #[error("a relocatable object file (custom section `{0}`): link it first")]
    Relocatable(String),
    /// The module defines and imports no memory.
    #[error("the module has no memory to shrink")]
    NoMemory,
    /// The memory is imported: its size is the embedder's, not the module's.
    #[error("memory 0 is imported: the embedder sizes it, shrink cannot")]
    ImportedMemory,
    /// More than one memory.
    #[error("the module has {0} memories: shrink handles exactly one")]
    MultipleMemories(u32),
    /// A shared memory (threads): its size is shared with other instances.
    #[error("memory 0 is shared: shrink handles unshared memories only")]
    SharedMemory,
    /// A 64-bit memory.
    #[error("memory 0 is 64-bit: shrink handles 32-bit memories only")]
    Memory64,
    /// A function changes or reads the memory's size, which shrinking fixes.
    #[error("function {func}{} executes `{instruction}`: a memory that grows or is measured cannot have a fixed size", name_suffix(.name))]
    Grows {
        /// The function's index in the function index space.
        func: u32,
        /// Its name from the `name` section, if any.
        name: Option<String>,
        /// `memory.grow` or `memory.size`.
        instruction: &'static str,
    },
    /// An active data segment whose offset is not an `i32.const`.
    #[error("data segment {0} has an offset that is not a constant")]
    DataOffset(u32),
    /// A global shrink reads or rewrites is imported, of the wrong type, or not a constant.
    #[error("global {index} (`{name}`) {problem}")]
    Global {
        /// The global's index.
        index: u32,
        /// What shrink took it for: `__stack_pointer`, `__data_end` or `__heap_base`.
        name: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// No stack pointer was found and no stack size was given.
    #[error("no `__stack_pointer` found (no global of that name, no wasm-ld layout): give the stack size (`--stack BYTES`)")]
    NoStackPointer,
    /// The stack lies below the static data (wasm-ld's `--stack-first`): moving it would move the data.
    #[error("the stack lies below the static data (wasm-ld `--stack-first`): shrink needs the default layout, data first")]
    StackFirst,
    /// The end of the static data (with `.bss`) cannot be told.
    #[error("cannot tell where the static data ends: export `__data_end` (`-Wl,--export=__data_end`) or keep it in the `name` section")]
    UnknownDataEnd,
    /// The memory would exceed 4 GiB.
    #[error("{0} bytes of memory do not fit a 32-bit memory")]
    TooLarge(u64),
    /// Shrink produced a module that does not validate: a bug in shrink, never the input's fault.
    #[error("internal error: the shrunk module does not validate: {0}")]
    Internal(String),
}

fn name_suffix(name: &Option<String>) -> String {
    name.as_ref().map_or(String::new(), |n| format!(" (`{n}`)"))
}
