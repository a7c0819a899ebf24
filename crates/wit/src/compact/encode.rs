//! Writing a world in the compact form.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use wasmbed_abi::{FuncType, Type};

use super::{checksum, tag, MAGIC, PRIMITIVE_COUNT, VERSION};
use crate::world::{Direction, Function, InterfaceName, Item, World};

/// `world` in the compact form: header, name, resources, type table, imports, exports, CRC-32.
///
/// Each distinct composite type is written once, so a type a world names
/// many times (an error enum in every result) costs its bytes once.
/// [`decode`](super::decode) gives back an equal world when `world` is valid
/// (its resource indices in range, its names unique), as every world read
/// from WIT is.
///
/// # Panics
///
/// If a count or a length exceeds `u32::MAX`.
pub fn encode(world: &World) -> Vec<u8> {
    let mut types = Table::default();
    let mut items = Writer::default();
    for side in [&world.imports, &world.exports] {
        items.len(side.len());
        for item in side {
            match item {
                Item::Function(f) => {
                    items.byte(tag::FUNCTION);
                    function(&mut items, &mut types, f);
                }
                Item::Interface(i) => {
                    interface_name(&mut items, &i.name);
                    items.len(i.functions.len());
                    for f in &i.functions {
                        function(&mut items, &mut types, f);
                    }
                    items.len(i.resources.len());
                    for r in &i.resources {
                        items.u32(r.0);
                    }
                }
            }
        }
    }

    let mut out = Writer::default();
    out.0.extend_from_slice(&MAGIC);
    out.byte(VERSION);
    out.str(&world.name);
    out.len(world.resources.len());
    for r in &world.resources {
        out.str(&r.name);
        out.byte(match r.direction {
            Direction::Imported => 0,
            Direction::Exported => 1,
        });
        match &r.interface {
            None => out.byte(tag::NO_INTERFACE),
            Some(name) => interface_name(&mut out, name),
        }
    }
    out.u32(types.count);
    out.0.extend_from_slice(&types.bytes.0);
    out.0.extend_from_slice(&items.0);
    let crc = checksum(&out.0);
    out.0.extend_from_slice(&crc.to_le_bytes());
    out.0
}

fn interface_name(w: &mut Writer, name: &InterfaceName) {
    match name {
        InterfaceName::Inline(_) => w.byte(tag::INLINE),
        InterfaceName::Id(_) => w.byte(tag::ID),
    }
    w.str(name.as_str());
}

fn function(w: &mut Writer, types: &mut Table, f: &Function) {
    w.str(&f.name);
    func_type(w, types, &f.ty);
}

fn func_type(w: &mut Writer, types: &mut Table, ty: &FuncType) {
    w.len(ty.params().len());
    for p in ty.params() {
        let r = types.intern(p);
        w.u32(r);
    }
    let r = types.intern_opt(ty.result());
    w.u32(r);
}

/// A plain byte writer with LEB128 integers.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn u32(&mut self, mut v: u32) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }

    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("at most u32::MAX items"));
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// The type table being built: each distinct entry once, children first.
#[derive(Default)]
struct Table {
    /// Each entry's bytes, to its index.
    index: BTreeMap<Vec<u8>, u32>,
    bytes: Writer,
    count: u32,
}

impl Table {
    /// The reference number of `ty`, adding it (and its children) to the table if new.
    fn intern(&mut self, ty: &Type) -> u32 {
        let mut e = Writer::default();
        match ty {
            Type::List(l) => {
                e.byte(tag::LIST);
                e.u32(self.intern(l.elem()));
            }
            Type::Record(r) => {
                e.byte(tag::RECORD);
                e.len(r.fields().len());
                for (name, t, _) in r.fields() {
                    e.str(name);
                    e.u32(self.intern(t));
                }
            }
            Type::Tuple(t) => {
                e.byte(tag::TUPLE);
                e.len(t.fields().len());
                for (t, _) in t.fields() {
                    e.u32(self.intern(t));
                }
            }
            Type::Variant(v) => {
                e.byte(tag::VARIANT);
                e.len(v.cases().len());
                for (name, t) in v.cases() {
                    e.str(name);
                    e.u32(self.intern_opt(t));
                }
            }
            Type::Enum(n) => {
                e.byte(tag::ENUM);
                e.len(n.names().len());
                n.names().for_each(|n| e.str(n));
            }
            Type::Option(o) => {
                e.byte(tag::OPTION);
                e.u32(self.intern(o.some()));
            }
            Type::Result(r) => {
                e.byte(tag::RESULT);
                e.u32(self.intern_opt(r.ok()));
                e.u32(self.intern_opt(r.err()));
            }
            Type::Flags(f) => {
                e.byte(tag::FLAGS);
                e.len(f.names().len());
                f.names().for_each(|n| e.str(n));
            }
            Type::Own(r) => {
                e.byte(tag::OWN);
                e.u32(r.0);
            }
            Type::Borrow(r) => {
                e.byte(tag::BORROW);
                e.u32(r.0);
            }
            // In `PRIMITIVES` order.
            Type::Bool => return 0,
            Type::S8 => return 1,
            Type::U8 => return 2,
            Type::S16 => return 3,
            Type::U16 => return 4,
            Type::S32 => return 5,
            Type::U32 => return 6,
            Type::S64 => return 7,
            Type::U64 => return 8,
            Type::F32 => return 9,
            Type::F64 => return 10,
            Type::Char => return 11,
            Type::String => return 12,
        }
        let next = self.count;
        let i = *self.index.entry(e.0).or_insert_with_key(|bytes| {
            self.bytes.0.extend_from_slice(bytes);
            next
        });
        if i == next {
            self.count = next.checked_add(1).expect("at most u32::MAX types");
        }
        PRIMITIVE_COUNT + i
    }

    /// 0 for no type, else the reference number of `ty` plus one.
    fn intern_opt(&mut self, ty: Option<&Type>) -> u32 {
        ty.map_or(0, |t| self.intern(t) + 1)
    }
}
