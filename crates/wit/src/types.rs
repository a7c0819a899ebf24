//! WIT types to `wasmbed-abi` types.

use std::collections::{HashMap, HashSet};

use wasmbed_abi::{ResourceId, Type};
use wit_parser::{Handle, InterfaceId, Resolve, TypeDefKind, TypeId, TypeOwner};

use crate::WitError;

/// Converts WIT types to ABI types, once per WIT type, numbering resources as it meets them.
///
/// Each original resource (not an alias made with `type x = y`) gets its own
/// [`ResourceId`], so every resource type has its own handle table. A world
/// that imports and exports the same interface has two copies of its
/// resources: types met while converting exports use the exported copy.
#[derive(Debug)]
pub struct TypeMap<'r> {
    resolve: &'r Resolve,
    cache: HashMap<(TypeId, bool), Type>,
    /// Original resource type and whether it is the exported copy.
    resources: Vec<(TypeId, bool)>,
    exported: HashSet<InterfaceId>,
    exporting: bool,
}

impl<'r> TypeMap<'r> {
    /// A map over the types of `resolve`.
    pub fn new(resolve: &'r Resolve) -> Self {
        TypeMap {
            resolve,
            cache: HashMap::new(),
            resources: Vec::new(),
            exported: HashSet::new(),
            exporting: false,
        }
    }

    /// Declares the interfaces a world exports, whose resources have an exported copy.
    pub fn set_exported_interfaces(&mut self, ids: impl IntoIterator<Item = InterfaceId>) {
        self.exported = ids.into_iter().collect();
    }

    /// From now on, converts types as seen by the world's exports (`true`) or imports.
    pub fn set_exporting(&mut self, exporting: bool) {
        self.exporting = exporting;
    }

    /// The ABI type of a WIT type.
    pub fn convert(&mut self, ty: &wit_parser::Type) -> Result<Type, WitError> {
        use wit_parser::Type as W;
        Ok(match ty {
            W::Bool => Type::Bool,
            W::U8 => Type::U8,
            W::U16 => Type::U16,
            W::U32 => Type::U32,
            W::U64 => Type::U64,
            W::S8 => Type::S8,
            W::S16 => Type::S16,
            W::S32 => Type::S32,
            W::S64 => Type::S64,
            W::F32 => Type::F32,
            W::F64 => Type::F64,
            W::Char => Type::Char,
            W::String => Type::String,
            W::ErrorContext => {
                return Err(WitError::Unsupported {
                    ty: "error-context".into(),
                    what: "`error-context`",
                })
            }
            W::Id(id) => self.convert_id(*id)?,
        })
    }

    /// The ABI type of a named or anonymous WIT type definition.
    pub fn convert_id(&mut self, id: TypeId) -> Result<Type, WitError> {
        if let Some(t) = self.cache.get(&(id, self.exporting)) {
            return Ok(t.clone());
        }
        let def = &self.resolve.types[id];
        let name = || self.type_name(id);
        let unsupported = |what| WitError::Unsupported { ty: name(), what };
        let built = match &def.kind {
            TypeDefKind::Record(r) => {
                let fields = r
                    .fields
                    .iter()
                    .map(|f| Ok((f.name.clone(), self.convert(&f.ty)?)))
                    .collect::<Result<Vec<_>, WitError>>()?;
                Type::record(fields)
            }
            TypeDefKind::Tuple(t) => {
                let types = t
                    .types
                    .iter()
                    .map(|t| self.convert(t))
                    .collect::<Result<Vec<_>, _>>()?;
                Type::tuple(types)
            }
            TypeDefKind::Variant(v) => {
                let cases = v
                    .cases
                    .iter()
                    .map(|c| Ok((c.name.clone(), self.convert_opt(c.ty.as_ref())?)))
                    .collect::<Result<Vec<_>, WitError>>()?;
                Type::variant(cases)
            }
            TypeDefKind::Enum(e) => Type::enumeration(e.cases.iter().map(|c| c.name.clone())),
            TypeDefKind::Flags(f) => Type::flags(f.flags.iter().map(|f| f.name.clone())),
            TypeDefKind::Option(t) => Type::option(self.convert(t)?),
            TypeDefKind::Result(r) => {
                let ok = self.convert_opt(r.ok.as_ref())?;
                let err = self.convert_opt(r.err.as_ref())?;
                Type::result(ok, err)
            }
            TypeDefKind::List(t) => Type::list(self.convert(t)?),
            TypeDefKind::Type(t) => Ok(self.convert(t)?),
            TypeDefKind::Handle(Handle::Own(r)) => Ok(Type::Own(self.resource_id(*r))),
            TypeDefKind::Handle(Handle::Borrow(r)) => Ok(Type::Borrow(self.resource_id(*r))),
            TypeDefKind::Resource => Ok(Type::Own(self.resource_id(id))),
            TypeDefKind::Map(..) => return Err(unsupported("`map`")),
            TypeDefKind::FixedLengthList(..) => return Err(unsupported("a fixed-length list")),
            TypeDefKind::Future(_) => return Err(unsupported("`future`")),
            TypeDefKind::Stream(_) => return Err(unsupported("`stream`")),
            TypeDefKind::Unknown => return Err(unsupported("an unresolved type")),
        };
        let built = built.map_err(|source| WitError::Type {
            ty: self.type_name(id),
            source,
        })?;
        self.cache.insert((id, self.exporting), built.clone());
        Ok(built)
    }

    fn convert_opt(&mut self, ty: Option<&wit_parser::Type>) -> Result<Option<Type>, WitError> {
        ty.map(|t| self.convert(t)).transpose()
    }

    /// The resource id of a resource type, following `type x = y` aliases to the original.
    pub fn resource_id(&mut self, mut id: TypeId) -> ResourceId {
        while let TypeDefKind::Type(wit_parser::Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        let exported_copy = self.exporting
            && matches!(self.resolve.types[id].owner, TypeOwner::Interface(i) if self.exported.contains(&i));
        let key = (id, exported_copy);
        let index = match self.resources.iter().position(|r| *r == key) {
            Some(i) => i,
            None => {
                self.resources.push(key);
                self.resources.len() - 1
            }
        };
        ResourceId(index as u32)
    }

    /// The WIT resource types met so far, indexed by their [`ResourceId`], with
    /// whether each is the exported copy.
    pub fn resources(&self) -> &[(TypeId, bool)] {
        &self.resources
    }

    /// A readable name for a type: `iface.name`, `name`, or its kind when anonymous.
    pub fn type_name(&self, id: TypeId) -> String {
        let def = &self.resolve.types[id];
        match (&def.name, def.owner) {
            (Some(n), TypeOwner::Interface(i)) => match &self.resolve.interfaces[i].name {
                Some(iface) => format!("{iface}.{n}"),
                None => n.clone(),
            },
            (Some(n), _) => n.clone(),
            (None, _) => String::from(def.kind.as_str()),
        }
    }
}
