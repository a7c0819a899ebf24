//! Reading a world from the compact form, trusting nothing.

use alloc::string::String;
use alloc::vec::Vec;

use wasmbed_abi::{FuncType, ResourceId, Type, TypeError};

use super::error::{DecodeError, DecodeErrorKind as Kind};
use super::{
    checksum, tag, MAGIC, MAX_EXPANSION, MIN_BUDGET, PRIMITIVES, PRIMITIVE_COUNT, VERSION,
};
use crate::world::{Direction, Function, Interface, InterfaceName, Item, Resource, World};

/// The world in `bytes`, a compact world written by [`encode`](super::encode).
///
/// Every failure is a [`DecodeError`] with its offset: a truncated, corrupt
/// or forged file never panics, never allocates more than its size allows
/// and never recurses over its input.
pub fn decode(bytes: &[u8]) -> Result<World, DecodeError> {
    let body = header(bytes)?;
    let budget = (bytes.len() as u64)
        .saturating_mul(MAX_EXPANSION)
        .saturating_add(MIN_BUDGET);
    let mut d = Decoder {
        r: Reader {
            bytes: body,
            pos: MAGIC.len() + 1,
        },
        types: Vec::new(),
        resources: 0,
        spent: 0,
        budget,
        recent: Vec::new(),
    };
    let name = String::from(d.r.string("world name")?);
    let resources = d.resources()?;
    d.table()?;
    let imports = d.items("import")?;
    let exports = d.items("export")?;
    if d.r.pos != body.len() {
        return Err(DecodeError::new(d.r.pos, Kind::TrailingBytes));
    }
    Ok(World {
        name,
        imports,
        exports,
        resources,
    })
}

/// The bytes before the checksum, once the magic, the version and the checksum match.
fn header(bytes: &[u8]) -> Result<&[u8], DecodeError> {
    let end = |at| DecodeError::new(at, Kind::UnexpectedEnd("header"));
    let magic = bytes.get(..MAGIC.len()).unwrap_or(bytes);
    if !MAGIC.starts_with(magic) {
        return Err(DecodeError::new(0, Kind::BadMagic));
    }
    let version = *bytes.get(MAGIC.len()).ok_or(end(bytes.len()))?;
    if version != VERSION {
        return Err(DecodeError::new(
            MAGIC.len(),
            Kind::UnsupportedVersion(version),
        ));
    }
    let split = bytes.len().saturating_sub(4).max(MAGIC.len() + 1);
    let (body, crc) = bytes.split_at(split);
    let crc: [u8; 4] = crc
        .try_into()
        .map_err(|_| DecodeError::new(bytes.len(), Kind::UnexpectedEnd("checksum")))?;
    if checksum(body) != u32::from_le_bytes(crc) {
        return Err(DecodeError::new(split, Kind::BadChecksum));
    }
    Ok(body)
}

/// A cursor over the bytes, with LEB128 integers and names.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self, item: &'static str) -> Result<u8, DecodeError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or(DecodeError::new(self.pos, Kind::UnexpectedEnd(item)))?;
        self.pos += 1;
        Ok(b)
    }

    fn u32(&mut self, item: &'static str) -> Result<u32, DecodeError> {
        let start = self.pos;
        let mut v = 0u32;
        for shift in [0, 7, 14, 21, 28] {
            let b = self.byte(item)?;
            // The fifth byte holds the top 4 bits and ends the number.
            if shift == 28 && b > 0x0f {
                break;
            }
            v |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError::new(start, Kind::BadInteger(item)))
    }

    /// A count or length, which must fit in the bytes left (each element takes at least one).
    fn count(&mut self, item: &'static str) -> Result<usize, DecodeError> {
        let start = self.pos;
        let n = usize::try_from(self.u32(item)?).unwrap_or(usize::MAX);
        if n > self.bytes.len() - self.pos {
            return Err(DecodeError::new(start, Kind::TooLong(item)));
        }
        Ok(n)
    }

    fn string(&mut self, item: &'static str) -> Result<&'a str, DecodeError> {
        let start = self.pos;
        let n = self.count(item)?;
        let raw = self
            .bytes
            .get(self.pos..self.pos + n)
            .ok_or(DecodeError::new(start, Kind::TooLong(item)))?;
        let s =
            core::str::from_utf8(raw).map_err(|_| DecodeError::new(start, Kind::BadUtf8(item)))?;
        self.pos += n;
        Ok(s)
    }
}

struct Decoder<'a> {
    r: Reader<'a>,
    /// The type table so far: each entry with its cost (see [`MAX_EXPANSION`]).
    types: Vec<(Type, u64)>,
    /// How many resources the world has.
    resources: u32,
    /// The cost of the types built so far.
    spent: u64,
    budget: u64,
    /// The last few distinct function types, with their encoding: a function
    /// encoded alike shares the type (methods of one resource often read
    /// alike), so a device holds it once. A window, so decoding stays linear;
    /// bytes compared, not types, so a device links no deep comparison.
    recent: Vec<(&'a [u8], FuncType)>,
}

/// How many distinct function types [`Decoder::recent`] keeps.
const RECENT: usize = 8;

impl<'a> Decoder<'a> {
    fn charge(&mut self, at: usize, cost: u64) -> Result<(), DecodeError> {
        self.spent = self.spent.saturating_add(cost);
        if self.spent > self.budget {
            return Err(DecodeError::new(at, Kind::TooLarge));
        }
        Ok(())
    }

    /// The type reference `v` (read at `at`) and its cost, charged before it is cloned.
    fn resolve(&mut self, at: usize, v: u32) -> Result<(Type, u64), DecodeError> {
        if let Some(p) = PRIMITIVES.get(v as usize) {
            self.charge(at, 1)?;
            return Ok((p.clone(), 1));
        }
        let i = (v - PRIMITIVE_COUNT) as usize;
        let cost = match self.types.get(i) {
            Some((_, cost)) => *cost,
            None => return Err(DecodeError::new(at, Kind::UnknownType(v))),
        };
        self.charge(at, cost)?;
        Ok((self.types[i].0.clone(), cost))
    }

    fn type_ref(&mut self, item: &'static str) -> Result<(Type, u64), DecodeError> {
        let at = self.r.pos;
        let v = self.r.u32(item)?;
        self.resolve(at, v)
    }

    /// 0 for no type, else a type reference plus one.
    fn opt_type_ref(&mut self, item: &'static str) -> Result<(Option<Type>, u64), DecodeError> {
        let at = self.r.pos;
        match self.r.u32(item)? {
            0 => Ok((None, 0)),
            v => self.resolve(at, v - 1).map(|(t, c)| (Some(t), c)),
        }
    }

    fn resource(&mut self, item: &'static str) -> Result<ResourceId, DecodeError> {
        let at = self.r.pos;
        let v = self.r.u32(item)?;
        if v >= self.resources {
            return Err(DecodeError::new(at, Kind::UnknownResource(v)));
        }
        Ok(ResourceId(v))
    }

    /// An interface name after its tag `t` (read at `at`), with the name as a `str`.
    fn interface_name(
        &mut self,
        at: usize,
        t: u8,
        item: &'static str,
    ) -> Result<(&'a str, InterfaceName), DecodeError> {
        if t != tag::INLINE && t != tag::ID {
            return Err(DecodeError::new(at, Kind::BadTag(item, t)));
        }
        let s = self.r.string("interface name")?;
        let name = match t {
            tag::INLINE => InterfaceName::Inline(String::from(s)),
            _ => InterfaceName::Id(String::from(s)),
        };
        Ok((s, name))
    }

    fn resources(&mut self) -> Result<Vec<Resource>, DecodeError> {
        let n = self.r.count("resources")?;
        let mut out = Vec::new();
        for _ in 0..n {
            let name = String::from(self.r.string("resource name")?);
            let at = self.r.pos;
            let direction = match self.r.byte("resource direction")? {
                0 => Direction::Imported,
                1 => Direction::Exported,
                t => return Err(DecodeError::new(at, Kind::BadTag("resource direction", t))),
            };
            let at = self.r.pos;
            let interface = match self.r.byte("resource interface")? {
                tag::NO_INTERFACE => None,
                t => Some(self.interface_name(at, t, "resource interface")?.1),
            };
            out.push(Resource {
                name,
                interface,
                direction,
            });
        }
        self.resources = n as u32;
        out.shrink_to_fit();
        Ok(out)
    }

    fn table(&mut self) -> Result<(), DecodeError> {
        let n = self.r.count("type table")?;
        for _ in 0..n {
            let entry = self.entry()?;
            self.types.push(entry);
        }
        Ok(())
    }

    /// One entry of the type table, built by the validating constructors, with its cost.
    fn entry(&mut self) -> Result<(Type, u64), DecodeError> {
        let at = self.r.pos;
        let t = self.r.byte("type")?;
        // The entry's own cost (its node and names), then its children's (already charged).
        let mut own = 1u64;
        let mut children = 0u64;
        let built: Result<Type, TypeError> = match t {
            tag::LIST | tag::OPTION => {
                let (elem, c) = self.type_ref("type reference")?;
                children += c;
                match t {
                    tag::LIST => Type::list(elem),
                    _ => Type::option(elem),
                }
            }
            tag::RECORD | tag::VARIANT => {
                let n = self.r.count("fields or cases")?;
                let mut fields = Vec::new();
                let mut cases = Vec::new();
                for _ in 0..n {
                    let name = self.r.string("field or case name")?;
                    own += name.len() as u64;
                    if t == tag::RECORD {
                        let (ty, c) = self.type_ref("type reference")?;
                        children += c;
                        fields.push((name, ty));
                    } else {
                        let (ty, c) = self.opt_type_ref("type reference")?;
                        children += c;
                        cases.push((name, ty));
                    }
                }
                match t {
                    tag::RECORD => Type::record(fields),
                    _ => Type::variant(cases),
                }
            }
            tag::TUPLE => {
                let n = self.r.count("tuple")?;
                let mut types = Vec::new();
                for _ in 0..n {
                    let (ty, c) = self.type_ref("type reference")?;
                    children += c;
                    types.push(ty);
                }
                Type::tuple(types)
            }
            tag::ENUM | tag::FLAGS => {
                let n = self.r.count("names")?;
                let mut names = Vec::new();
                for _ in 0..n {
                    let name = self.r.string("case or label name")?;
                    own += name.len() as u64;
                    names.push(name);
                }
                match t {
                    tag::ENUM => Type::enumeration(names),
                    _ => Type::flags(names),
                }
            }
            tag::RESULT => {
                let (ok, c) = self.opt_type_ref("type reference")?;
                let (err, d) = self.opt_type_ref("type reference")?;
                children += c + d;
                Type::result(ok, err)
            }
            tag::OWN => Ok(Type::Own(self.resource("handle")?)),
            tag::BORROW => Ok(Type::Borrow(self.resource("handle")?)),
            _ => return Err(DecodeError::new(at, Kind::BadTag("type", t))),
        };
        let ty = built.map_err(|e| DecodeError::new(at, Kind::Type(e)))?;
        own += ty.flat().len() as u64;
        self.charge(at, own)?;
        Ok((ty, own.saturating_add(children)))
    }

    fn function(&mut self) -> Result<(&'a str, Function), DecodeError> {
        let name = self.r.string("function name")?;
        let at = self.r.pos;
        let n = self.r.count("parameters")?;
        let mut params = Vec::new();
        for _ in 0..n {
            params.push(self.type_ref("type reference")?.0);
        }
        let result = self.opt_type_ref("type reference")?.0;
        // The parameter count and the references, as encoded: one read alike
        // shares its type rather than building an equal one.
        let encoded = self.r.bytes.get(at..self.r.pos).unwrap_or_default();
        let ty = match self.recent.iter().find(|(e, _)| *e == encoded) {
            Some((_, same)) => same.clone(),
            None => {
                let ty = FuncType::new(params, result)
                    .map_err(|e| DecodeError::new(at, Kind::Type(e)))?;
                if self.recent.len() == RECENT {
                    self.recent.remove(0);
                }
                self.recent.push((encoded, ty.clone()));
                ty
            }
        };
        self.charge(
            at,
            (1 + ty.flat_params().len() + ty.flat_results().len()) as u64,
        )?;
        let f = Function {
            name: String::from(name),
            ty,
        };
        Ok((name, f))
    }

    fn items(&mut self, side: &'static str) -> Result<Vec<Item>, DecodeError> {
        let n = self.r.count(side)?;
        let mut out = Vec::new();
        let mut names = Names::default();
        for _ in 0..n {
            let at = self.r.pos;
            let (name, item) = match self.r.byte(side)? {
                tag::FUNCTION => {
                    let (name, f) = self.function()?;
                    (name, Item::Function(f))
                }
                t => {
                    let (key, name) = self.interface_name(at, t, side)?;
                    (key, Item::Interface(self.interface(name)?))
                }
            };
            names.push(name, at);
            out.push(item);
        }
        names.check(side)?;
        // A device keeps the world for the guest's life: no spare capacity.
        out.shrink_to_fit();
        Ok(out)
    }

    fn interface(&mut self, name: InterfaceName) -> Result<Interface, DecodeError> {
        let n = self.r.count("functions")?;
        let mut functions = Vec::new();
        let mut names = Names::default();
        for _ in 0..n {
            let at = self.r.pos;
            let (name, f) = self.function()?;
            names.push(name, at);
            functions.push(f);
        }
        names.check("function")?;
        let n = self.r.count("interface resources")?;
        let mut resources = Vec::new();
        for _ in 0..n {
            resources.push(self.resource("interface resource")?);
        }
        functions.shrink_to_fit();
        resources.shrink_to_fit();
        Ok(Interface {
            name,
            functions,
            resources,
        })
    }
}

/// Names of items with where each starts, to find duplicates once all are read.
#[derive(Default)]
struct Names<'a> {
    names: Vec<&'a str>,
    offsets: Vec<usize>,
}

impl<'a> Names<'a> {
    fn push(&mut self, name: &'a str, at: usize) {
        self.names.push(name);
        self.offsets.push(at);
    }

    /// A duplicate is an error at its second occurrence. Sorting `&str`s
    /// shares its code with the ABI's own check of field names; a set would
    /// add a B-tree to a device image.
    fn check(self, item: &'static str) -> Result<(), DecodeError> {
        let mut sorted = self.names.clone();
        sorted.sort_unstable();
        let Some(dup) = sorted.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]) else {
            return Ok(());
        };
        let at = self
            .names
            .iter()
            .zip(&self.offsets)
            .filter(|(n, _)| **n == dup)
            .nth(1)
            .map_or(0, |(_, at)| *at);
        Err(DecodeError::new(at, Kind::DuplicateName(item)))
    }
}
