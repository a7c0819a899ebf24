//! The rewrite itself, with wasm-encoder's `reencode`: the memory type, the
//! stack pointer's and `__heap_base`'s initial values, every
//! `global.set $__stack_pointer` turned into a call of an added check, and the
//! check itself at the end of the function index space (no index shifts).
//! Function bodies that do not set the stack pointer are copied byte for byte.

use std::convert::Infallible;

use wasm_encoder::reencode::{self, utils, Reencode};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, Function, FunctionSection, GlobalSection,
    Instruction, MemoryType, Module, NameMap, NameSection, TypeSection, ValType,
};

use crate::plan::Plan;

/// The added stack check's name in the `name` section, where the module has function names.
pub const CHECK_NAME: &str = "wasmbed_stack_check";

/// The added stack check: its function index and its type's index.
#[derive(Clone, Copy)]
struct Check {
    func: u32,
    ty: u32,
}

/// A reencoder carrying the plan and where it is in the index spaces.
struct Shrinker<'p> {
    plan: &'p Plan,
    check: Option<Check>,
    /// The next defined global's index.
    next_global: u32,
    /// The next defined function's index.
    next_func: u32,
    /// Custom sections left out, by name.
    dropped: Vec<String>,
}

/// The rewritten module and the custom sections it left out.
pub(crate) fn rewrite(
    wasm: &[u8],
    plan: &Plan,
    imported_funcs: u32,
    defined_funcs: u32,
    imported_globals: u32,
    types: u32,
) -> Result<(Vec<u8>, Vec<String>), reencode::Error> {
    let check = plan
        .stack_pointer
        .as_ref()
        .filter(|sp| !sp.setters.is_empty())
        .map(|_| Check {
            func: imported_funcs + defined_funcs,
            ty: types,
        });
    let mut s = Shrinker {
        plan,
        check,
        next_global: imported_globals,
        next_func: imported_funcs,
        dropped: Vec::new(),
    };
    let mut module = Module::new();
    s.parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)?;
    Ok((module.finish(), s.dropped))
}

impl Shrinker<'_> {
    /// `if (value - bottom) > (top - bottom) unreachable; global.set $sp value`:
    /// one unsigned comparison catches both an overflow below the data end
    /// and a value above the top (a wrapped subtraction).
    fn check_body(&self) -> Function {
        let mut f = Function::new([]);
        if let Some(sp) = &self.plan.stack_pointer {
            let span = sp.top - sp.bottom;
            for i in [
                Instruction::LocalGet(0),
                Instruction::I32Const(sp.bottom as i32),
                Instruction::I32Sub,
                Instruction::I32Const(span as i32),
                Instruction::I32GtU,
                Instruction::If(BlockType::Empty),
                Instruction::Unreachable,
                Instruction::End,
                Instruction::LocalGet(0),
                Instruction::GlobalSet(sp.global),
                Instruction::End,
            ] {
                f.instruction(&i);
            }
        }
        f
    }

    fn sets_stack_pointer(&self, func: u32) -> bool {
        self.check.is_some()
            && self
                .plan
                .stack_pointer
                .as_ref()
                .is_some_and(|sp| sp.setters.contains(&func))
    }
}

impl Reencode for Shrinker<'_> {
    type Error = Infallible;

    fn memory_type(
        &mut self,
        _memory: wasmparser::MemoryType,
    ) -> Result<MemoryType, reencode::Error<Infallible>> {
        let bytes = u64::from(self.plan.memory);
        Ok(MemoryType {
            minimum: bytes,
            maximum: Some(bytes),
            memory64: false,
            shared: false,
            page_size_log2: Some(0),
        })
    }

    fn parse_type_section(
        &mut self,
        types: &mut TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        utils::parse_type_section(self, types, section)?;
        if self.check.is_some() {
            types.ty().function([ValType::I32], []);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        utils::parse_function_section(self, functions, section)?;
        if let Some(check) = self.check {
            functions.function(check.ty);
        }
        Ok(())
    }

    fn parse_global(
        &mut self,
        globals: &mut GlobalSection,
        global: wasmparser::Global<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        let index = self.next_global;
        self.next_global += 1;
        let sp = self.plan.stack_pointer.as_ref();
        let top = match sp {
            Some(sp) if sp.global == index => Some(sp.top),
            _ if self.plan.heap_base == Some(index) => Some(self.plan.memory),
            _ => None,
        };
        match top {
            Some(top) => {
                globals.global(
                    self.global_type(global.ty)?,
                    &ConstExpr::i32_const(top as i32),
                );
                Ok(())
            }
            None => utils::parse_global(self, globals, global),
        }
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        utils::parse_code_section(self, code, section)?;
        if self.check.is_some() {
            code.function(&self.check_body());
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        let index = self.next_func;
        self.next_func += 1;
        match self.sets_stack_pointer(index) {
            true => utils::parse_function_body(self, code, func),
            false => {
                code.raw(func.as_bytes());
                Ok(())
            }
        }
    }

    fn instruction<'a>(
        &mut self,
        op: wasmparser::Operator<'a>,
    ) -> Result<Instruction<'a>, reencode::Error<Infallible>> {
        if let (wasmparser::Operator::GlobalSet { global_index }, Some(check), Some(sp)) =
            (&op, self.check, &self.plan.stack_pointer)
        {
            if *global_index == sp.global {
                return Ok(Instruction::Call(check.func));
            }
        }
        utils::instruction(self, op)
    }

    fn parse_custom_section(
        &mut self,
        module: &mut Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        let name = section.name();
        // DWARF addresses code by offset, and rewritten bodies move the code.
        if self.check.is_some() && name.starts_with(".debug_") {
            self.dropped.push(name.into());
            return Ok(());
        }
        match (self.check, section.as_known()) {
            (Some(_), wasmparser::KnownCustom::Name(names)) => {
                module.section(&self.custom_name_section(names)?);
            }
            _ => {
                module.section(&CustomSection {
                    name: name.into(),
                    data: section.data().into(),
                });
            }
        }
        Ok(())
    }

    fn parse_custom_name_subsection(
        &mut self,
        names: &mut NameSection,
        section: wasmparser::Name<'_>,
    ) -> Result<(), reencode::Error<Infallible>> {
        match (section, self.check) {
            (wasmparser::Name::Function(map), Some(check)) => {
                let mut out = NameMap::new();
                for naming in map {
                    let naming = naming?;
                    out.append(naming.index, naming.name);
                }
                // The highest function index: the map stays sorted.
                out.append(check.func, CHECK_NAME);
                names.functions(&out);
                Ok(())
            }
            (section, _) => utils::parse_custom_name_subsection(self, names, section),
        }
    }
}
