//! Shrinks a core module's linear memory to what it uses.
//!
//! Toolchains declare memories in 64 KiB pages, so a guest with 40 bytes of
//! data and a 1 KiB stack still costs a device 64 KiB or 128 KiB of RAM. The
//! custom-page-sizes proposal lets a memory have 1-byte pages; [`shrink`]
//! rewrites a module's memory to page size 1 with a fixed size (minimum =
//! maximum) of its static data end plus its stack, for modules that never
//! execute `memory.grow` or `memory.size` (checked in every function body).
//!
//! The stack: the `__stack_pointer` global (named in the `name` section or
//! exported, or the first mutable `i32` global where wasm-ld's default layout
//! puts the stack's top) keeps its current size unless
//! [`Options::stack`] gives another. In wasm-ld's default layout the stack
//! grows down towards the data, so an overflow would silently overwrite it:
//! every `global.set $__stack_pointer` becomes a call of an added function
//! that traps (`unreachable`) on a value below the data's end or above the
//! stack's top, then sets the global. Added last in the function index space,
//! it shifts no index; every custom section (`component-type` included) is
//! kept, except DWARF `.debug_*` sections when code changed (they address
//! code by offset), which [`Report::dropped`] lists.
//!
//! ```
//! let wasm = wat::parse_str(r#"(module
//!     (memory (export "memory") 2)
//!     (global $__stack_pointer (mut i32) (i32.const 67632))
//!     (data (i32.const 1024) "hello")
//!     (func (export "f") (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (i32.const 16)))))"#)?;
//! let shrunk = wasmbed_shrink::shrink(&wasm, &wasmbed_shrink::Options { stack: Some(512) })?;
//! // Data up to 2096 (wasm-ld's default 64 KiB stack sat on top of it), then 512 bytes of stack.
//! assert_eq!((shrunk.report.memory_before, shrunk.report.memory_after), (131072, 2608));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod error;
mod plan;
mod rewrite;
mod scan;
#[cfg(test)]
mod tests;

pub use error::ShrinkError;
pub use rewrite::CHECK_NAME;
/// The wasmparser whose [`WasmFeatures`] [`features`] returns, to read the output with.
pub use wasmparser;

use wasmparser::{Validator, WasmFeatures};

/// How to shrink.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The stack's size in bytes (rounded up to 16). `None` keeps the size the
    /// linker gave it; a module without a stack pointer needs it, as the bytes
    /// it may use beyond its static data.
    pub stack: Option<u32>,
}

/// What shrinking did, in bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The memory's initial size before.
    pub memory_before: u64,
    /// The memory's size after (minimum and maximum).
    pub memory_after: u64,
    /// The end of the static data (with `.bss`), rounded up to 16.
    pub data_end: u64,
    /// The stack's size.
    pub stack: u64,
    /// The stack pointer's global index, if the module has one.
    pub stack_pointer: Option<u32>,
    /// The function index of the added stack check, if any function sets the stack pointer.
    pub check: Option<u32>,
    /// How many functions set the stack pointer through the check now.
    pub checked_functions: usize,
    /// Custom sections left out, by name.
    pub dropped: Vec<String>,
}

/// A shrunk module and what was done to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shrunk {
    /// The shrunk module's bytes.
    pub wasm: Vec<u8>,
    /// What changed.
    pub report: Report,
}

/// The features shrink accepts and emits: the defaults plus custom page sizes.
pub fn features() -> WasmFeatures {
    WasmFeatures::default() | WasmFeatures::CUSTOM_PAGE_SIZES
}

/// Shrinks `wasm`'s memory to page size 1, data end plus stack, or says why it cannot.
pub fn shrink(wasm: &[u8], options: &Options) -> Result<Shrunk, ShrinkError> {
    Validator::new_with_features(features())
        .validate_all(wasm)
        .map_err(|e| ShrinkError::Invalid(e.to_string()))?;
    let facts = scan::scan(wasm)?;
    if let Some(name) = &facts.relocatable {
        return Err(ShrinkError::Relocatable(name.clone()));
    }
    let memory = match (facts.imported_memories, facts.memories.as_slice()) {
        (0, []) => return Err(ShrinkError::NoMemory),
        (0, [m]) => *m,
        (1, []) => return Err(ShrinkError::ImportedMemory),
        (i, m) => return Err(ShrinkError::MultipleMemories(i + m.len() as u32)),
    };
    if memory.shared {
        return Err(ShrinkError::SharedMemory);
    }
    if memory.memory64 {
        return Err(ShrinkError::Memory64);
    }
    if let Some((func, instruction)) = facts.grows {
        return Err(ShrinkError::Grows {
            func,
            name: facts.func_names.get(&func).cloned(),
            instruction,
        });
    }
    if let Some(segment) = facts.data_offset_not_const {
        return Err(ShrinkError::DataOffset(segment));
    }
    let plan = plan::plan(&facts, options)?;
    let (out, dropped) = rewrite::rewrite(
        wasm,
        &plan,
        facts.imported_funcs,
        facts.defined_funcs,
        facts.imported_globals,
        facts.types,
    )
    .map_err(|e| ShrinkError::Invalid(e.to_string()))?;
    Validator::new_with_features(features())
        .validate_all(&out)
        .map_err(|e| ShrinkError::Internal(e.to_string()))?;
    let sp = plan.stack_pointer.as_ref();
    let checked_functions = sp.map_or(0, |sp| sp.setters.len());
    Ok(Shrunk {
        wasm: out,
        report: Report {
            memory_before: memory.initial.saturating_mul(memory.page_size().into()),
            memory_after: u64::from(plan.memory),
            data_end: plan.data_end,
            stack: plan.stack,
            stack_pointer: sp.map(|sp| sp.global),
            check: (checked_functions > 0).then_some(facts.imported_funcs + facts.defined_funcs),
            checked_functions,
            dropped,
        },
    })
}
