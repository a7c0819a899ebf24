//! Where the static data ends, where the stack goes, and how many bytes the
//! memory keeps: decided from the module's facts before anything is rewritten.

use wasmparser::ValType;

use crate::scan::Facts;
use crate::{Options, ShrinkError};

/// Where wasm-ld puts the first data segment unless told otherwise (`--global-base`).
pub(crate) const WASM_LD_GLOBAL_BASE: u64 = 1024;
/// wasm-ld's stack size unless told otherwise (`-z stack-size`).
pub(crate) const WASM_LD_STACK_SIZE: u64 = 65536;
/// The stack pointer's alignment in wasm-ld's layout and the C ABI.
pub(crate) const STACK_ALIGN: u64 = 16;

/// The stack pointer and its new bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StackPointer {
    /// Its index in the global index space.
    pub(crate) global: u32,
    /// Its new initial value: the top of the stack.
    pub(crate) top: u32,
    /// The lowest value it may take: the end of the static data.
    pub(crate) bottom: u32,
    /// The functions that set it.
    pub(crate) setters: Vec<u32>,
}

/// What the shrunk module looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The memory's size in bytes, minimum and maximum (page size 1).
    pub(crate) memory: u32,
    /// The end of the static data, 16-aligned.
    pub(crate) data_end: u64,
    /// The stack's size in bytes.
    pub(crate) stack: u64,
    /// The stack pointer, if the module has one.
    pub(crate) stack_pointer: Option<StackPointer>,
    /// `__heap_base`, if the module has it as a defined global: rewritten to the stack's top.
    pub(crate) heap_base: Option<u32>,
}

fn align(n: u64) -> u64 {
    n.div_ceil(STACK_ALIGN) * STACK_ALIGN
}

/// The constant value of a defined, immutable or mutable `i32` global named `name`.
fn value_of(f: &Facts, index: u32, name: &'static str) -> Result<u32, ShrinkError> {
    let problem = |problem| ShrinkError::Global {
        index,
        name,
        problem,
    };
    let g = f.global(index).ok_or_else(|| problem("is imported"))?;
    if g.ty != ValType::I32 {
        return Err(problem("is not an `i32`"));
    }
    g.init
        .map(|v| v as u32)
        .ok_or_else(|| problem("has an initial value that is not an `i32.const`"))
}

/// The stack pointer: the global named `__stack_pointer` (exported or in the
/// `name` section), or, in a module without global names, the first mutable
/// `i32` global when it sits where wasm-ld puts the stack's top: 16-aligned,
/// above every data segment, which start at or above wasm-ld's global base.
fn find_stack_pointer(f: &Facts) -> Option<u32> {
    if let Some(index) = f.named("__stack_pointer") {
        return Some(index);
    }
    if f.global_names.is_some() {
        return None;
    }
    let (i, g) = f
        .globals
        .iter()
        .enumerate()
        .find(|(_, g)| g.mutable && g.ty == ValType::I32)?;
    let top = u64::from(g.init? as u32);
    let data_above_base = f.data_start.is_none_or(|s| s >= WASM_LD_GLOBAL_BASE);
    (top % STACK_ALIGN == 0 && top >= f.data_end && data_above_base)
        .then_some(f.imported_globals + i as u32)
}

/// Decides the shrunk layout of a module with exactly one defined memory.
pub(crate) fn plan(f: &Facts, options: &Options) -> Result<Plan, ShrinkError> {
    let data_end_global = match f.named("__data_end") {
        Some(i) => Some(value_of(f, i, "__data_end")?),
        None => None,
    };
    let heap_base = match f.named("__heap_base") {
        Some(i) => value_of(f, i, "__heap_base").map(|_| i).map(Some)?,
        None => None,
    };
    let Some(sp) = find_stack_pointer(f) else {
        let stack = options.stack.ok_or(ShrinkError::NoStackPointer)?;
        let data_end = align(f.data_end.max(data_end_global.map_or(0, u64::from)));
        let stack = align(u64::from(stack));
        return Ok(Plan {
            memory: fit(data_end + stack)?,
            data_end,
            stack,
            stack_pointer: None,
            heap_base,
        });
    };
    let old_top = u64::from(value_of(f, sp, "__stack_pointer")?);
    let sp_global = f.global(sp).filter(|g| g.mutable);
    if sp_global.is_none() {
        return Err(ShrinkError::Global {
            index: sp,
            name: "__stack_pointer",
            problem: "is not mutable",
        });
    }
    if f.data_start.is_some_and(|s| s >= old_top) {
        return Err(ShrinkError::StackFirst);
    }
    // Without `__data_end`, wasm-ld's default layout puts the top of its
    // default-sized stack right above the 16-aligned end of data and `.bss`.
    let data_end = match data_end_global {
        Some(end) => u64::from(end),
        None => old_top
            .checked_sub(WASM_LD_STACK_SIZE)
            .filter(|&end| end >= f.data_end.max(WASM_LD_GLOBAL_BASE))
            .ok_or(ShrinkError::UnknownDataEnd)?,
    };
    let data_end = align(data_end.max(f.data_end));
    if data_end > old_top {
        return Err(ShrinkError::StackFirst);
    }
    let stack = options
        .stack
        .map_or(old_top - data_end, |s| align(u64::from(s)));
    let top = fit(data_end + stack)?;
    Ok(Plan {
        memory: top,
        data_end,
        stack,
        stack_pointer: Some(StackPointer {
            global: sp,
            top,
            // `data_end <= top`, which fits.
            bottom: data_end as u32,
            setters: f.setters.get(&sp).cloned().unwrap_or_default(),
        }),
        heap_base,
    })
}

/// `bytes` as a 32-bit memory's size.
fn fit(bytes: u64) -> Result<u32, ShrinkError> {
    u32::try_from(bytes).map_err(|_| ShrinkError::TooLarge(bytes))
}
