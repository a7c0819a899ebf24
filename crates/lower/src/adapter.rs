//! Fused adapters: a component function lifted in one component and lowered
//! in another, each with its own memory, becomes one core function of the
//! fused module that copies the arguments into the callee's memory (through
//! its `realloc`), calls the lifted function, copies the results back into
//! the caller's memory (through the lowering's `realloc`) and calls the
//! post-return. Every value crossing is checked as the Canonical ABI lifts
//! it (discriminants, `char`s, UTF-8, alignment, lengths); a bad one traps
//! (`unreachable`), so neither side reads what the other did not mean.

use std::collections::BTreeMap;

use wasm_encoder::{BlockType, Function, Instruction as I, MemArg, MemArgTarget, ValType};
use wasmbed_abi::{DiscriminantSize, FlatType, Type};

use crate::handles::{self, Funcs};
use crate::model::FuncType;
use crate::Error;

/// The Canonical ABI's limits on flat parameters and results.
const MAX_FLAT_PARAMS: usize = 16;
const MAX_FLAT_RESULTS: usize = 1;

/// The largest string the Canonical ABI copies, in bytes.
const MAX_STRING_BYTES: i32 = i32::MAX;

/// Where one side's values live: its memory and the `realloc` that
/// allocates there (fused indices), its component instance and the base of
/// its handle table, when handles cross.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Side {
    pub(crate) memory: Option<u32>,
    pub(crate) realloc: Option<u32>,
    pub(crate) instance: u32,
    pub(crate) table: Option<i32>,
}

/// The handle tables, for an adapter whose values hold handles.
#[derive(Clone, Copy)]
pub(crate) struct Tables<'t> {
    /// The tables' memory.
    pub(crate) memory: u32,
    pub(crate) funcs: Funcs,
    /// The component instance defining each resource whose handles may
    /// cross, by the model's index of its type.
    pub(crate) impls: &'t BTreeMap<u32, u32>,
}

/// One adapter to generate.
pub(crate) struct Adapter<'t> {
    pub(crate) ty: &'t FuncType,
    /// The lifted core function and its post-return.
    pub(crate) callee: u32,
    pub(crate) post_return: Option<u32>,
    /// The lift's options, and the lowering's.
    pub(crate) callee_side: Side,
    pub(crate) caller_side: Side,
    /// For messages: the function's name.
    pub(crate) name: &'t str,
    /// The handle tables, when the type holds handles.
    pub(crate) tables: Option<Tables<'t>>,
}

fn val_type(f: FlatType) -> ValType {
    match f {
        FlatType::I32 => ValType::I32,
        FlatType::I64 => ValType::I64,
        FlatType::F32 => ValType::F32,
        FlatType::F64 => ValType::F64,
    }
}

fn flat_params(ty: &FuncType) -> Vec<FlatType> {
    ty.params
        .iter()
        .flat_map(|p| p.flat().iter().copied())
        .collect()
}

/// The core signature a module lowering `ty` imports it with.
pub(crate) fn lowered_signature(ty: &FuncType) -> (Vec<ValType>, Vec<ValType>) {
    let flat = flat_params(ty);
    let mut params: Vec<ValType> = match flat.len() > MAX_FLAT_PARAMS {
        true => vec![ValType::I32],
        false => flat.into_iter().map(val_type).collect(),
    };
    let results = ty.result.as_ref().map(|r| r.flat()).unwrap_or(&[]);
    let results = match results.len() > MAX_FLAT_RESULTS {
        true => {
            params.push(ValType::I32);
            Vec::new()
        }
        false => results.iter().copied().map(val_type).collect(),
    };
    (params, results)
}

/// Which way values are copied: from where, into where, allocated by
/// whom, and between which handle tables.
#[derive(Clone, Copy)]
struct Dir {
    src: Option<u32>,
    dst: Option<u32>,
    realloc: Option<u32>,
    from: Side,
    to: Side,
}

/// A value in memory: the local holding a base address, plus an offset.
#[derive(Clone, Copy)]
struct Loc {
    addr: u32,
    offset: u32,
}

impl Loc {
    fn at(self, more: u32) -> Loc {
        Loc {
            addr: self.addr,
            offset: self.offset + more,
        }
    }
}

/// The instructions and locals of one adapter being generated.
struct Gen<'t> {
    params: u32,
    locals: Vec<ValType>,
    code: Vec<I<'static>>,
    name: &'t str,
    tables: Option<Tables<'t>>,
}

/// The cases of a sum type: each case's payload, the discriminant's width,
/// the payload's offset in memory.
fn sum(ty: &Type) -> Option<(Vec<Option<Type>>, DiscriminantSize, u32)> {
    let align_to = |n: u32, a: u32| n.div_ceil(a) * a;
    let max_align = |cases: &[Option<Type>]| {
        cases
            .iter()
            .flatten()
            .map(|t| t.layout().align)
            .max()
            .unwrap_or(1)
    };
    match ty {
        Type::Variant(v) => Some((
            v.cases().map(|(_, t)| t.cloned()).collect(),
            v.discriminant(),
            v.payload_offset(),
        )),
        Type::Enum(e) => Some((vec![None; e.names().len()], e.discriminant(), 0)),
        Type::Option(o) => {
            let cases = vec![None, Some(o.some().clone())];
            let off = align_to(1, max_align(&cases));
            Some((cases, DiscriminantSize::U8, off))
        }
        Type::Result(r) => {
            let cases = vec![r.ok().cloned(), r.err().cloned()];
            let off = align_to(1, max_align(&cases));
            Some((cases, DiscriminantSize::U8, off))
        }
        _ => None,
    }
}

/// Whether a value of `ty` is copied by copying its bytes: integers and
/// floats, in records and tuples (nothing to check, nothing pointing).
fn plain(ty: &Type) -> bool {
    match ty {
        Type::U8 | Type::S8 | Type::U16 | Type::S16 | Type::U32 | Type::S32 => true,
        Type::U64 | Type::S64 | Type::F32 | Type::F64 => true,
        Type::Record(r) => r.fields().all(|(_, t, _)| plain(t)),
        Type::Tuple(t) => t.fields().all(|(t, _)| plain(t)),
        _ => false,
    }
}

/// A load or store instruction, given its immediate.
type MemOp = fn(MemArg) -> I<'static>;

pub(crate) fn mem_arg(memory: u32, offset: u32, align_log2: u32) -> MemArg {
    MemArg {
        offset: offset.into(),
        align: align_log2,
        target: MemArgTarget::Memory(memory),
        ordering: None,
    }
}

impl<'t> Gen<'t> {
    fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.params + self.locals.len() as u32 - 1
    }

    fn op(&mut self, i: I<'static>) -> &mut Self {
        self.code.push(i);
        self
    }

    /// Traps when the i32 on the stack is not zero.
    fn trap_if(&mut self) {
        self.op(I::If(BlockType::Empty))
            .op(I::Unreachable)
            .op(I::End);
    }

    /// Traps unless local `ptr` is a multiple of `align`.
    fn check_align(&mut self, ptr: u32, align: u32) {
        if align > 1 {
            self.op(I::LocalGet(ptr))
                .op(I::I32Const(align as i32 - 1))
                .op(I::I32And);
            self.trap_if();
        }
    }

    fn memory(&self, m: Option<u32>, what: &str) -> Result<u32, Error> {
        m.ok_or_else(|| {
            Error::Malformed(format!(
                "`{}`: {what} without a memory among its options",
                self.name
            ))
        })
    }

    /// `realloc(0, 0, align, local size)` of `dir`'s destination, checked
    /// for alignment; the new address in a fresh local.
    fn alloc(&mut self, dir: Dir, align: u32, size: u32) -> Result<u32, Error> {
        let realloc = dir.realloc.ok_or_else(|| {
            Error::Malformed(format!(
                "`{}`: a value to allocate without a realloc among the options",
                self.name
            ))
        })?;
        let out = self.local(ValType::I32);
        self.op(I::I32Const(0))
            .op(I::I32Const(0))
            .op(I::I32Const(align as i32))
            .op(I::LocalGet(size))
            .op(I::Call(realloc))
            .op(I::LocalSet(out));
        self.check_align(out, align);
        Ok(out)
    }

    /// Copies `len` bytes of a string at `ptr` in `dir.src` into a new
    /// allocation in `dir.dst`, checks them as UTF-8; returns the local
    /// holding the new address.
    fn string(&mut self, dir: Dir, ptr: u32, len: u32) -> Result<u32, Error> {
        let (src, dst) = (
            self.memory(dir.src, "a string")?,
            self.memory(dir.dst, "a string")?,
        );
        self.op(I::LocalGet(len))
            .op(I::I32Const(MAX_STRING_BYTES))
            .op(I::I32GtU);
        self.trap_if();
        let out = self.alloc(dir, 1, len)?;
        self.op(I::LocalGet(out))
            .op(I::LocalGet(ptr))
            .op(I::LocalGet(len))
            .op(I::MemoryCopy {
                src_mem: src,
                dst_mem: dst,
            });
        self.utf8(dst, out, len);
        Ok(out)
    }

    /// Traps unless the `len` bytes at `ptr` in `memory` are UTF-8.
    fn utf8(&mut self, memory: u32, ptr: u32, len: u32) {
        let (i, b, need, lo, hi) = (
            self.local(ValType::I32),
            self.local(ValType::I32),
            self.local(ValType::I32),
            self.local(ValType::I32),
            self.local(ValType::I32),
        );
        let byte = |g: &mut Self, at: u32| {
            g.op(I::LocalGet(ptr))
                .op(I::LocalGet(i))
                .op(I::I32Add)
                .op(I::I32Load8U(mem_arg(memory, at, 0)));
        };
        // Sets `need`, `lo`, `hi` when `b` is below `below`.
        let lead = |g: &mut Self, n: i32, l: (i32, i32, i32), h: (i32, i32, i32)| {
            g.op(I::I32Const(n)).op(I::LocalSet(need));
            for (local, (special, when, otherwise)) in [(lo, l), (hi, h)] {
                g.op(I::I32Const(when))
                    .op(I::I32Const(otherwise))
                    .op(I::LocalGet(b))
                    .op(I::I32Const(special))
                    .op(I::I32Eq)
                    .op(I::Select)
                    .op(I::LocalSet(local));
            }
        };
        self.op(I::I32Const(0)).op(I::LocalSet(i));
        self.op(I::Block(BlockType::Empty))
            .op(I::Loop(BlockType::Empty));
        self.op(I::LocalGet(i))
            .op(I::LocalGet(len))
            .op(I::I32GeU)
            .op(I::BrIf(1));
        byte(self, 0);
        self.op(I::LocalTee(b))
            .op(I::I32Const(0x80))
            .op(I::I32LtU)
            .op(I::If(BlockType::Empty))
            .op(I::LocalGet(i))
            .op(I::I32Const(1))
            .op(I::I32Add)
            .op(I::LocalSet(i))
            .op(I::Br(1))
            .op(I::End);
        // Leads below C2 are continuation bytes or overlong; F5 and up are out of range.
        self.op(I::LocalGet(b)).op(I::I32Const(0xC2)).op(I::I32LtU);
        self.trap_if();
        self.op(I::LocalGet(b)).op(I::I32Const(0xF5)).op(I::I32GeU);
        self.trap_if();
        // The second byte's range depends on the lead (no overlongs, no
        // surrogates, nothing above U+10FFFF); the others are 80..BF.
        self.op(I::LocalGet(b))
            .op(I::I32Const(0xE0))
            .op(I::I32LtU)
            .op(I::If(BlockType::Empty));
        lead(self, 1, (0, 0x80, 0x80), (0, 0xBF, 0xBF));
        self.op(I::Else)
            .op(I::LocalGet(b))
            .op(I::I32Const(0xF0))
            .op(I::I32LtU)
            .op(I::If(BlockType::Empty));
        lead(self, 2, (0xE0, 0xA0, 0x80), (0xED, 0x9F, 0xBF));
        self.op(I::Else);
        lead(self, 3, (0xF0, 0x90, 0x80), (0xF4, 0x8F, 0xBF));
        self.op(I::End).op(I::End);
        // The whole sequence within the string.
        self.op(I::LocalGet(i))
            .op(I::LocalGet(need))
            .op(I::I32Add)
            .op(I::LocalGet(len))
            .op(I::I32GeU);
        self.trap_if();
        // The second byte.
        byte(self, 1);
        self.op(I::LocalTee(b))
            .op(I::LocalGet(lo))
            .op(I::I32LtU)
            .op(I::LocalGet(b))
            .op(I::LocalGet(hi))
            .op(I::I32GtU)
            .op(I::I32Or);
        self.trap_if();
        // The third and fourth, when there are.
        for k in 2..=3 {
            self.op(I::LocalGet(need))
                .op(I::I32Const(k))
                .op(I::I32GeU)
                .op(I::If(BlockType::Empty));
            byte(self, k as u32);
            self.op(I::I32Const(0xC0))
                .op(I::I32And)
                .op(I::I32Const(0x80))
                .op(I::I32Ne);
            self.trap_if();
            self.op(I::End);
        }
        self.op(I::LocalGet(i))
            .op(I::LocalGet(need))
            .op(I::I32Add)
            .op(I::I32Const(1))
            .op(I::I32Add)
            .op(I::LocalSet(i))
            .op(I::Br(0))
            .op(I::End)
            .op(I::End);
    }

    /// Copies a list of `elem` at `ptr` (`len` elements) from `dir.src` into
    /// a new allocation in `dir.dst`; returns the local holding its address.
    fn list(&mut self, dir: Dir, elem: &Type, ptr: u32, len: u32) -> Result<u32, Error> {
        let (src, dst) = (
            self.memory(dir.src, "a list")?,
            self.memory(dir.dst, "a list")?,
        );
        let layout = elem.layout();
        self.check_align(ptr, layout.align);
        // The byte length, which must fit in 32 bits.
        let (wide, bytes) = (self.local(ValType::I64), self.local(ValType::I32));
        self.op(I::LocalGet(len))
            .op(I::I64ExtendI32U)
            .op(I::I64Const(layout.size.into()))
            .op(I::I64Mul)
            .op(I::LocalTee(wide))
            .op(I::I64Const(u32::MAX.into()))
            .op(I::I64GtU);
        self.trap_if();
        self.op(I::LocalGet(wide))
            .op(I::I32WrapI64)
            .op(I::LocalSet(bytes));
        let out = self.alloc(dir, layout.align, bytes)?;
        if plain(elem) {
            self.op(I::LocalGet(out))
                .op(I::LocalGet(ptr))
                .op(I::LocalGet(bytes))
                .op(I::MemoryCopy {
                    src_mem: src,
                    dst_mem: dst,
                });
            return Ok(out);
        }
        // Element by element: `s` and `d` walk both lists, `n` counts down.
        let (s, d, n) = (
            self.local(ValType::I32),
            self.local(ValType::I32),
            self.local(ValType::I32),
        );
        self.op(I::LocalGet(ptr))
            .op(I::LocalSet(s))
            .op(I::LocalGet(out))
            .op(I::LocalSet(d))
            .op(I::LocalGet(len))
            .op(I::LocalSet(n));
        self.op(I::Block(BlockType::Empty))
            .op(I::Loop(BlockType::Empty))
            .op(I::LocalGet(n))
            .op(I::I32Eqz)
            .op(I::BrIf(1));
        self.mem(
            dir,
            elem,
            Loc { addr: s, offset: 0 },
            Loc { addr: d, offset: 0 },
        )?;
        for (local, step) in [(s, layout.size as i32), (d, layout.size as i32), (n, -1)] {
            self.op(I::LocalGet(local))
                .op(I::I32Const(step))
                .op(I::I32Add)
                .op(I::LocalSet(local));
        }
        self.op(I::Br(0)).op(I::End).op(I::End);
        Ok(out)
    }

    /// Copies a value of `ty` at `from` in `dir.src` to `to` in `dir.dst`.
    fn mem(&mut self, dir: Dir, ty: &Type, from: Loc, to: Loc) -> Result<(), Error> {
        let (src, dst) = (
            self.memory(dir.src, "a value in memory")?,
            self.memory(dir.dst, "a value in memory")?,
        );
        let load = |g: &mut Self, at: Loc, op: MemOp, log2: u32| {
            g.op(I::LocalGet(at.addr))
                .op(op(mem_arg(src, at.offset, log2)));
        };
        // Stores the value in `v` at `to`.
        let store = |g: &mut Self, v: u32, op: MemOp, log2: u32| {
            g.op(I::LocalGet(to.addr))
                .op(I::LocalGet(v))
                .op(op(mem_arg(dst, to.offset, log2)));
        };
        // Integers of each width, loaded and stored unchanged.
        let width = |size: u32| -> (MemOp, MemOp, u32) {
            match size {
                1 => (I::I32Load8U, I::I32Store8, 0),
                2 => (I::I32Load16U, I::I32Store16, 1),
                _ => (I::I32Load, I::I32Store, 2),
            }
        };
        match ty {
            Type::U64 | Type::S64 | Type::F64 => {
                let v = self.local(ValType::I64);
                load(self, from, I::I64Load, 3);
                self.op(I::LocalSet(v));
                store(self, v, I::I64Store, 3);
            }
            Type::U8 | Type::S8 | Type::U16 | Type::S16 | Type::U32 | Type::S32 | Type::F32 => {
                let (l, s, log2) = width(ty.layout().size);
                let v = self.local(ValType::I32);
                load(self, from, l, log2);
                self.op(I::LocalSet(v));
                store(self, v, s, log2);
            }
            Type::Bool => {
                let v = self.local(ValType::I32);
                load(self, from, I::I32Load8U, 0);
                self.op(I::I32Const(0)).op(I::I32Ne).op(I::LocalSet(v));
                store(self, v, I::I32Store8, 0);
            }
            Type::Char => {
                let v = self.local(ValType::I32);
                load(self, from, I::I32Load, 2);
                self.op(I::LocalSet(v));
                self.check_char(v);
                store(self, v, I::I32Store, 2);
            }
            Type::Flags(f) => {
                let (l, s, log2) = width(ty.layout().size);
                let v = self.local(ValType::I32);
                load(self, from, l, log2);
                self.op(I::I32Const(f.mask() as i32))
                    .op(I::I32And)
                    .op(I::LocalSet(v));
                store(self, v, s, log2);
            }
            Type::String | Type::List(_) => {
                let (ptr, len) = (self.local(ValType::I32), self.local(ValType::I32));
                load(self, from, I::I32Load, 2);
                self.op(I::LocalSet(ptr));
                load(self, from.at(4), I::I32Load, 2);
                self.op(I::LocalSet(len));
                let out = match ty {
                    Type::List(l) => self.list(dir, l.elem(), ptr, len)?,
                    _ => self.string(dir, ptr, len)?,
                };
                store(self, out, I::I32Store, 2);
                let to4 = to.at(4);
                self.op(I::LocalGet(to4.addr))
                    .op(I::LocalGet(len))
                    .op(I::I32Store(mem_arg(dst, to4.offset, 2)));
            }
            Type::Record(r) => {
                for (_, t, off) in r.fields() {
                    self.mem(dir, t, from.at(off), to.at(off))?;
                }
            }
            Type::Tuple(tu) => {
                for (t, off) in tu.fields() {
                    self.mem(dir, t, from.at(off), to.at(off))?;
                }
            }
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
                let (cases, disc, payload) = sum(ty).expect("a sum type");
                let size = match disc {
                    DiscriminantSize::U8 => 1,
                    DiscriminantSize::U16 => 2,
                    DiscriminantSize::U32 => 4,
                };
                let (l, s, log2) = width(size);
                let v = self.local(ValType::I32);
                load(self, from, l, log2);
                self.op(I::LocalTee(v))
                    .op(I::I32Const(cases.len() as i32))
                    .op(I::I32GeU);
                self.trap_if();
                store(self, v, s, log2);
                let payloads: Vec<(usize, Type)> = cases
                    .into_iter()
                    .enumerate()
                    .filter_map(|(k, t)| Some((k, t?)))
                    .collect();
                for (k, t) in payloads {
                    self.op(I::LocalGet(v))
                        .op(I::I32Const(k as i32))
                        .op(I::I32Eq)
                        .op(I::If(BlockType::Empty));
                    self.mem(dir, &t, from.at(payload), to.at(payload))?;
                    self.op(I::End);
                }
            }
            Type::Own(_) | Type::Borrow(_) => {
                let v = self.local(ValType::I32);
                load(self, from, I::I32Load, 2);
                self.op(I::LocalSet(v));
                let out = self.handle(dir, ty, v)?;
                store(self, out, I::I32Store, 2);
            }
        }
        Ok(())
    }

    /// The handle in local `v`, of `ty`, from `dir.from`'s table as
    /// `dir.to` receives it: an own handle moves between the tables; a
    /// borrow is the representation for the resource's own component, else
    /// a borrow handle in the callee's table. Returns the local holding it.
    fn handle(&mut self, dir: Dir, ty: &Type, v: u32) -> Result<u32, Error> {
        let (Type::Own(rt) | Type::Borrow(rt)) = ty else {
            unreachable!("a handle type")
        };
        let rt = rt.0;
        let unsupported = |what: &str| {
            Error::Unsupported(format!(
                "`{}`: handles of {what} (type {rt}) passed between components",
                self.name
            ))
        };
        let t = self.tables.ok_or_else(|| unsupported("a resource"))?;
        let owner = *t
            .impls
            .get(&rt)
            .ok_or_else(|| unsupported("a resource the host sees"))?;
        let (Some(from), Some(to)) = (dir.from.table, dir.to.table) else {
            return Err(unsupported("a resource"));
        };
        let (rep, out) = (self.local(ValType::I32), self.local(ValType::I32));
        let own = matches!(ty, Type::Own(_));
        self.op(I::I32Const(from))
            .op(I::LocalGet(v))
            .op(I::I32Const(handles::resource_key(rt)))
            .op(I::Call(if own { t.funcs.take } else { t.funcs.rep }))
            .op(I::LocalSet(rep));
        if !own && dir.to.instance == owner {
            return Ok(rep);
        }
        self.op(I::I32Const(to))
            .op(I::LocalGet(rep))
            .op(I::I32Const(handles::tag(rt, own)))
            .op(I::Call(t.funcs.new))
            .op(I::LocalSet(out));
        Ok(out)
    }

    /// Traps unless local `v` is a Unicode scalar value.
    fn check_char(&mut self, v: u32) {
        // v >= 0x110000 || (0xD800 <= v < 0xE000)
        self.op(I::LocalGet(v))
            .op(I::I32Const(0x11_0000))
            .op(I::I32GeU)
            .op(I::LocalGet(v))
            .op(I::I32Const(0xD800))
            .op(I::I32Sub)
            .op(I::I32Const(0x800))
            .op(I::I32LtU)
            .op(I::I32Or);
        self.trap_if();
    }

    /// Translates a value of `ty` held in the locals `src` (its flat form)
    /// into locals of the same flat form for the other side.
    fn flat(&mut self, dir: Dir, ty: &Type, src: &[u32]) -> Result<Vec<u32>, Error> {
        let one = |g: &mut Self, op: Vec<I<'static>>| {
            let out = g.local(ValType::I32);
            g.op(I::LocalGet(src[0]));
            for i in op {
                g.op(i);
            }
            g.op(I::LocalSet(out));
            vec![out]
        };
        Ok(match ty {
            Type::U32 | Type::S32 | Type::U64 | Type::S64 | Type::F32 | Type::F64 => src.to_vec(),
            Type::Bool => one(self, vec![I::I32Const(0), I::I32Ne]),
            Type::U8 => one(self, vec![I::I32Const(0xFF), I::I32And]),
            Type::U16 => one(self, vec![I::I32Const(0xFFFF), I::I32And]),
            Type::S8 => one(self, vec![I::I32Extend8S]),
            Type::S16 => one(self, vec![I::I32Extend16S]),
            Type::Flags(f) => one(self, vec![I::I32Const(f.mask() as i32), I::I32And]),
            Type::Char => {
                self.check_char(src[0]);
                src.to_vec()
            }
            Type::String => vec![self.string(dir, src[0], src[1])?, src[1]],
            Type::List(l) => vec![self.list(dir, l.elem(), src[0], src[1])?, src[1]],
            Type::Record(r) => {
                let mut out = Vec::new();
                let mut at = 0;
                for (_, t, _) in r.fields() {
                    let n = t.flat().len();
                    out.extend(self.flat(dir, t, &src[at..at + n])?);
                    at += n;
                }
                out
            }
            Type::Tuple(tu) => {
                let mut out = Vec::new();
                let mut at = 0;
                for (t, _) in tu.fields() {
                    let n = t.flat().len();
                    out.extend(self.flat(dir, t, &src[at..at + n])?);
                    at += n;
                }
                out
            }
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
                let (cases, _, _) = sum(ty).expect("a sum type");
                let joined = ty.flat();
                let disc = src[0];
                self.op(I::LocalGet(disc))
                    .op(I::I32Const(cases.len() as i32))
                    .op(I::I32GeU);
                self.trap_if();
                // The joined slots, zero unless the case writes them.
                let out: Vec<u32> = joined[1..]
                    .iter()
                    .map(|f| self.local(val_type(*f)))
                    .collect();
                for (k, case) in cases.iter().enumerate() {
                    let Some(t) = case else { continue };
                    self.op(I::LocalGet(disc))
                        .op(I::I32Const(k as i32))
                        .op(I::I32Eq)
                        .op(I::If(BlockType::Empty));
                    let mut payload = Vec::new();
                    for (j, want) in t.flat().iter().enumerate() {
                        let have = joined[1 + j];
                        let l = self.local(val_type(*want));
                        self.op(I::LocalGet(src[1 + j]));
                        coerce_down(self, have, *want);
                        self.op(I::LocalSet(l));
                        payload.push(l);
                    }
                    let translated = self.flat(dir, t, &payload)?;
                    for (j, (v, have)) in translated.iter().zip(t.flat()).enumerate() {
                        self.op(I::LocalGet(*v));
                        coerce_up(self, *have, joined[1 + j]);
                        self.op(I::LocalSet(out[j]));
                    }
                    self.op(I::End);
                }
                let mut all = vec![disc];
                all.extend(out);
                all
            }
            Type::Own(_) | Type::Borrow(_) => vec![self.handle(dir, ty, src[0])?],
        })
    }
}

/// A joined slot of type `have` read as the case's `want` (the
/// specification's `CoerceValueIter`).
fn coerce_down(g: &mut Gen<'_>, have: FlatType, want: FlatType) {
    use FlatType as F;
    match (have, want) {
        (F::I32, F::F32) => {
            g.op(I::F32ReinterpretI32);
        }
        (F::I64, F::I32) => {
            g.op(I::I32WrapI64);
        }
        (F::I64, F::F32) => {
            g.op(I::I32WrapI64).op(I::F32ReinterpretI32);
        }
        (F::I64, F::F64) => {
            g.op(I::F64ReinterpretI64);
        }
        _ => {}
    }
}

/// A case's value of type `have` written into a joined slot of type `want`.
fn coerce_up(g: &mut Gen<'_>, have: FlatType, want: FlatType) {
    use FlatType as F;
    match (have, want) {
        (F::F32, F::I32) => {
            g.op(I::I32ReinterpretF32);
        }
        (F::I32, F::I64) => {
            g.op(I::I64ExtendI32U);
        }
        (F::F32, F::I64) => {
            g.op(I::I32ReinterpretF32).op(I::I64ExtendI32U);
        }
        (F::F64, F::I64) => {
            g.op(I::I64ReinterpretF64);
        }
        _ => {}
    }
}

/// The adapter's body: its signature is [`lowered_signature`] of its type.
pub(crate) fn body(a: &Adapter<'_>) -> Result<Function, Error> {
    let (params, _) = lowered_signature(a.ty);
    let mut g = Gen {
        params: params.len() as u32,
        locals: Vec::new(),
        code: Vec::new(),
        name: a.name,
        tables: a.tables,
    };
    let there = Dir {
        src: a.caller_side.memory,
        dst: a.callee_side.memory,
        realloc: a.callee_side.realloc,
        from: a.caller_side,
        to: a.callee_side,
    };
    let back = Dir {
        src: a.callee_side.memory,
        dst: a.caller_side.memory,
        realloc: a.caller_side.realloc,
        from: a.callee_side,
        to: a.caller_side,
    };
    // A callee with a handle table is not re-entered: it is marked in a
    // call from here until its post-return.
    let callee_table = a.tables.zip(a.callee_side.table);
    if let Some((t, base)) = callee_table {
        let active = handles::mem_arg(t.memory, handles::ACTIVE);
        g.op(I::I32Const(base)).op(I::I32Load(active));
        g.trap_if();
        g.op(I::I32Const(base))
            .op(I::I32Const(1))
            .op(I::I32Store(active));
    }
    // The arguments, in the callee's form.
    let mut args: Vec<u32> = Vec::new();
    if flat_params(a.ty).len() <= MAX_FLAT_PARAMS {
        let mut at = 0u32;
        for p in &a.ty.params {
            let n = p.flat().len() as u32;
            let src: Vec<u32> = (at..at + n).collect();
            args.extend(g.flat(there, p, &src)?);
            at += n;
        }
    } else {
        // Passed in memory as a tuple, on both sides.
        let tuple = Type::tuple(a.ty.params.iter().cloned())
            .map_err(|e| Error::Unsupported(format!("`{}`: {e}", a.name)))?;
        let layout = tuple.layout();
        g.check_align(0, layout.align);
        let size = g.local(ValType::I32);
        g.op(I::I32Const(layout.size as i32)).op(I::LocalSet(size));
        let dst = g.alloc(there, layout.align, size)?;
        g.mem(
            there,
            &tuple,
            Loc { addr: 0, offset: 0 },
            Loc {
                addr: dst,
                offset: 0,
            },
        )?;
        args.push(dst);
    }
    for v in &args {
        g.op(I::LocalGet(*v));
    }
    g.op(I::Call(a.callee));
    // The callee must have dropped every borrow handle it was lent.
    if let Some((t, base)) = callee_table {
        g.op(I::I32Const(base))
            .op(I::I32Load(handles::mem_arg(t.memory, handles::BORROWS)));
        g.trap_if();
    }
    // The results, in the caller's form.
    let flat = a.ty.result.as_ref().map(|r| r.flat()).unwrap_or(&[]);
    match (&a.ty.result, flat.len()) {
        (None, _) | (_, 0) => {
            if let Some(p) = a.post_return {
                g.op(I::Call(p));
            }
        }
        (Some(r), 1) => {
            let v = g.local(val_type(flat[0]));
            g.op(I::LocalSet(v));
            let out = g.flat(back, r, &[v])?;
            if let Some(p) = a.post_return {
                g.op(I::LocalGet(v)).op(I::Call(p));
            }
            g.op(I::LocalGet(out[0]));
        }
        (Some(r), _) => {
            let layout = r.layout();
            let from = g.local(ValType::I32);
            g.op(I::LocalSet(from));
            g.check_align(from, layout.align);
            let retptr = g.params - 1;
            g.check_align(retptr, layout.align);
            g.mem(
                back,
                r,
                Loc {
                    addr: from,
                    offset: 0,
                },
                Loc {
                    addr: retptr,
                    offset: 0,
                },
            )?;
            if let Some(p) = a.post_return {
                g.op(I::LocalGet(from)).op(I::Call(p));
            }
        }
    }
    if let Some((t, base)) = callee_table {
        g.op(I::I32Const(base))
            .op(I::I32Const(0))
            .op(I::I32Store(handles::mem_arg(t.memory, handles::ACTIVE)));
    }
    g.op(I::End);
    let mut f = Function::new_with_locals_types(g.locals.iter().copied());
    for i in &g.code {
        f.instruction(i);
    }
    Ok(f)
}
