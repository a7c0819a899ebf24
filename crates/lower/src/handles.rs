//! Handle tables for resources passed between the components of a
//! composition: each component instance that holds such handles gets a table
//! in a memory of its own (the guests' code never names it), and the
//! resource built-ins and the adapters go through four generated functions
//! over it, as the Canonical ABI's per-instance tables behave:
//! `resource.new` adds an own handle, `resource.rep` reads one, an own handle
//! passed in a call moves from the caller's table to the callee's, a borrow
//! becomes the representation itself for the resource's own component or a
//! borrow handle in the callee's table that the callee must drop before it
//! returns. A handle of the wrong resource, a freed or out-of-range index, an
//! own handle that is a borrow, a full table, a borrow left undropped and a
//! call re-entering a component instance all trap (`unreachable`).
//!
//! A table is [`TABLE_BYTES`] at `base`: a 16-byte header (slots used so
//! far, the first free slot, live borrow handles, whether the instance is in
//! a call) then 8-byte entries `(rep, tag)` for handles 1 to [`MAX_HANDLE`];
//! `tag` is `(resource + 1) << 1 | own`, 0 for a free entry, whose `rep` is
//! then the next free one.

use wasm_encoder::{BlockType, Function, Instruction as I, MemArg, ValType};

/// Bytes of one component instance's table: 510 handles.
pub(crate) const TABLE_BYTES: u32 = 4096;

/// The largest handle index a table holds.
pub(crate) const MAX_HANDLE: i32 = ((TABLE_BYTES - 16) / 8) as i32;

/// Header offsets.
const USED: u32 = 0;
const FREE: u32 = 4;
/// Live borrow handles the instance was lent for the call it is in.
pub(crate) const BORROWS: u32 = 8;
/// 1 while the instance is in a call through an adapter.
pub(crate) const ACTIVE: u32 = 12;
/// Entry `i` is at `base + 8 * i + ENTRY`: handle 1 right after the header.
const ENTRY: u32 = 8;

/// The four generated functions' indices, in the order [`bodies`] gives them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Funcs {
    /// `new(base, rep, tag) -> handle`
    pub(crate) new: u32,
    /// `rep(base, handle, resource + 1) -> rep`, checked.
    pub(crate) rep: u32,
    /// `take(base, handle, resource + 1) -> rep`: removes an own handle.
    pub(crate) take: u32,
    /// `free(base, handle) -> own`: removes a handle (checked before).
    pub(crate) free: u32,
}

impl Funcs {
    /// The four functions numbered from `first`.
    pub(crate) fn at(first: u32) -> Funcs {
        Funcs {
            new: first,
            rep: first + 1,
            take: first + 2,
            free: first + 3,
        }
    }
}

/// What a handle of `resource` is tagged with: the resource plus one
/// (so no tag is 0), and whether the handle owns.
pub(crate) fn tag(resource: u32, own: bool) -> i32 {
    (((resource + 1) << 1) | u32::from(own)) as i32
}

/// The resource part of a tag, as `rep` and `take` expect it.
pub(crate) fn resource_key(resource: u32) -> i32 {
    (resource + 1) as i32
}

/// Whether the model's type indices fit in a tag.
pub(crate) fn fits(resource: u32) -> bool {
    resource < (1 << 30)
}

/// An aligned `i32` access at `offset` in the tables' `memory`.
pub(crate) fn mem_arg(memory: u32, offset: u32) -> MemArg {
    crate::adapter::mem_arg(memory, offset, 2)
}

/// The four functions' signatures, in [`Funcs`] order.
pub(crate) fn signatures() -> [(Vec<ValType>, Vec<ValType>); 4] {
    let i = ValType::I32;
    [
        (vec![i, i, i], vec![i]),
        (vec![i, i, i], vec![i]),
        (vec![i, i, i], vec![i]),
        (vec![i, i], vec![i]),
    ]
}

fn trap_if(f: &mut Function) {
    f.instruction(&I::If(BlockType::Empty))
        .instruction(&I::Unreachable)
        .instruction(&I::End);
}

/// `base + 8 * handle` onto the stack (the entry, before [`ENTRY`]).
fn entry(f: &mut Function, base: u32, handle: u32) {
    f.instruction(&I::LocalGet(base))
        .instruction(&I::LocalGet(handle))
        .instruction(&I::I32Const(3))
        .instruction(&I::I32Shl)
        .instruction(&I::I32Add);
}

/// Adds `delta` to the header field at `offset` of table `base`.
fn bump(f: &mut Function, memory: u32, base: u32, offset: u32, delta: i32) {
    f.instruction(&I::LocalGet(base))
        .instruction(&I::LocalGet(base))
        .instruction(&I::I32Load(mem_arg(memory, offset)))
        .instruction(&I::I32Const(delta))
        .instruction(&I::I32Add)
        .instruction(&I::I32Store(mem_arg(memory, offset)));
}

/// The four functions' bodies over tables in `memory`, in [`Funcs`] order
/// (`funcs` for the calls between them).
pub(crate) fn bodies(memory: u32, funcs: Funcs) -> [Function; 4] {
    let m = |offset| mem_arg(memory, offset);
    // new(base, rep, tag) -> handle
    let mut new = Function::new([(1, ValType::I32)]);
    let (base, rep, tag, h) = (0, 1, 2, 3);
    new.instruction(&I::LocalGet(base))
        .instruction(&I::I32Load(m(FREE)))
        .instruction(&I::LocalTee(h))
        .instruction(&I::If(BlockType::Empty))
        // A free entry: the free list goes on from its `rep`.
        .instruction(&I::LocalGet(base));
    entry(&mut new, base, h);
    new.instruction(&I::I32Load(m(ENTRY)))
        .instruction(&I::I32Store(m(FREE)))
        .instruction(&I::Else)
        // A slot never used, while there is one.
        .instruction(&I::LocalGet(base))
        .instruction(&I::I32Load(m(USED)))
        .instruction(&I::I32Const(1))
        .instruction(&I::I32Add)
        .instruction(&I::LocalTee(h))
        .instruction(&I::I32Const(MAX_HANDLE))
        .instruction(&I::I32GtU);
    trap_if(&mut new);
    new.instruction(&I::LocalGet(base))
        .instruction(&I::LocalGet(h))
        .instruction(&I::I32Store(m(USED)))
        .instruction(&I::End);
    entry(&mut new, base, h);
    new.instruction(&I::LocalGet(rep))
        .instruction(&I::I32Store(m(ENTRY)));
    entry(&mut new, base, h);
    new.instruction(&I::LocalGet(tag))
        .instruction(&I::I32Store(m(ENTRY + 4)));
    // A borrow handle counts until the callee drops it.
    new.instruction(&I::LocalGet(tag))
        .instruction(&I::I32Const(1))
        .instruction(&I::I32And)
        .instruction(&I::I32Eqz)
        .instruction(&I::If(BlockType::Empty));
    bump(&mut new, memory, base, BORROWS, 1);
    new.instruction(&I::End)
        .instruction(&I::LocalGet(h))
        .instruction(&I::End);

    // rep(base, handle, key) -> rep
    let mut get = Function::new([]);
    let (base, h, key) = (0, 1, 2);
    get.instruction(&I::LocalGet(h))
        .instruction(&I::I32Const(1))
        .instruction(&I::I32Sub)
        .instruction(&I::I32Const(MAX_HANDLE))
        .instruction(&I::I32GeU);
    trap_if(&mut get);
    entry(&mut get, base, h);
    get.instruction(&I::I32Load(m(ENTRY + 4)))
        .instruction(&I::I32Const(1))
        .instruction(&I::I32ShrU)
        .instruction(&I::LocalGet(key))
        .instruction(&I::I32Ne);
    trap_if(&mut get);
    entry(&mut get, base, h);
    get.instruction(&I::I32Load(m(ENTRY))).instruction(&I::End);

    // take(base, handle, key) -> rep: an own handle, removed.
    let mut take = Function::new([(1, ValType::I32)]);
    let rep = 3;
    take.instruction(&I::LocalGet(base))
        .instruction(&I::LocalGet(h))
        .instruction(&I::LocalGet(key))
        .instruction(&I::Call(funcs.rep))
        .instruction(&I::LocalSet(rep))
        .instruction(&I::LocalGet(base))
        .instruction(&I::LocalGet(h))
        .instruction(&I::Call(funcs.free))
        .instruction(&I::I32Eqz);
    trap_if(&mut take);
    take.instruction(&I::LocalGet(rep)).instruction(&I::End);

    // free(base, handle) -> own
    let mut free = Function::new([(1, ValType::I32)]);
    let (base, h, old) = (0, 1, 2);
    entry(&mut free, base, h);
    free.instruction(&I::I32Load(m(ENTRY + 4)))
        .instruction(&I::LocalSet(old));
    entry(&mut free, base, h);
    free.instruction(&I::LocalGet(base))
        .instruction(&I::I32Load(m(FREE)))
        .instruction(&I::I32Store(m(ENTRY)));
    entry(&mut free, base, h);
    free.instruction(&I::I32Const(0))
        .instruction(&I::I32Store(m(ENTRY + 4)))
        .instruction(&I::LocalGet(base))
        .instruction(&I::LocalGet(h))
        .instruction(&I::I32Store(m(FREE)))
        .instruction(&I::LocalGet(old))
        .instruction(&I::I32Const(1))
        .instruction(&I::I32And)
        .instruction(&I::I32Eqz)
        .instruction(&I::If(BlockType::Empty));
    bump(&mut free, memory, base, BORROWS, -1);
    free.instruction(&I::End)
        .instruction(&I::LocalGet(old))
        .instruction(&I::I32Const(1))
        .instruction(&I::I32And)
        .instruction(&I::End);
    [new, get, take, free]
}

/// A resource built-in over a handle table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    /// `resource.new`: `(rep) -> handle`.
    New,
    /// `resource.rep`: `(handle) -> rep`.
    Rep,
    /// `resource.drop`: `(handle)`, calling the destructor ([`Dtor`]) when
    /// an own handle goes.
    Drop,
}

/// What a `resource.drop` of an own handle calls: the destructor, after
/// checking that the resource's own component is not in a call (`owner`:
/// its table's base, when that is another component's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dtor {
    pub(crate) func: u32,
    pub(crate) owner: Option<i32>,
}

impl Builtin {
    pub(crate) fn signature(self) -> (Vec<ValType>, Vec<ValType>) {
        match self {
            Builtin::New | Builtin::Rep => (vec![ValType::I32], vec![ValType::I32]),
            Builtin::Drop => (vec![ValType::I32], vec![]),
        }
    }

    /// The body for `resource` in the table at `base` (`dtor`: a drop's).
    pub(crate) fn body(
        self,
        memory: u32,
        funcs: Funcs,
        base: i32,
        resource: u32,
        dtor: Option<Dtor>,
    ) -> Function {
        let mut f = Function::new([(1, ValType::I32)]);
        f.instruction(&I::I32Const(base))
            .instruction(&I::LocalGet(0));
        match self {
            Builtin::New => {
                f.instruction(&I::I32Const(tag(resource, true)))
                    .instruction(&I::Call(funcs.new));
            }
            Builtin::Rep => {
                f.instruction(&I::I32Const(resource_key(resource)))
                    .instruction(&I::Call(funcs.rep));
            }
            Builtin::Drop => {
                let rep = 1;
                f.instruction(&I::I32Const(resource_key(resource)))
                    .instruction(&I::Call(funcs.rep))
                    .instruction(&I::LocalSet(rep))
                    .instruction(&I::I32Const(base))
                    .instruction(&I::LocalGet(0))
                    .instruction(&I::Call(funcs.free));
                match dtor {
                    Some(dtor) => {
                        f.instruction(&I::If(BlockType::Empty));
                        if let Some(b) = dtor.owner {
                            f.instruction(&I::I32Const(b))
                                .instruction(&I::I32Load(mem_arg(memory, ACTIVE)));
                            trap_if(&mut f);
                        }
                        f.instruction(&I::LocalGet(rep))
                            .instruction(&I::Call(dtor.func))
                            .instruction(&I::End);
                    }
                    None => {
                        f.instruction(&I::Drop);
                    }
                }
            }
        }
        f.instruction(&I::End);
        f
    }
}
