//! Building the [`Model`] from WIT: names from WIT, layout from `wasmbed-abi`.

use std::collections::HashMap;

use wasmbed_abi::{Layout, Type};
use wasmbed_wit::wit_parser::{self, Handle, Resolve, TypeDefKind, TypeId, TypeOwner};
use wasmbed_wit::TypeMap;

use super::fixed::why_not_fixed;
use super::model::{Case, Field, FieldTy, Item, ItemKind, Model, Scalar};
use super::names::{snake, Registry};

const SLICE_NAME: &str = "guest_slice";

impl Model {
    /// The items for `roots` (named types), skipping those without a fixed-size layout.
    pub(crate) fn build(
        resolve: &Resolve,
        package: &wit_parser::PackageName,
        scope: Option<String>,
        roots: &[TypeId],
        allow_guest_pointers: bool,
    ) -> Model {
        let mut b = Builder {
            resolve,
            map: TypeMap::new(resolve),
            names: Registry::default(),
            built: HashMap::new(),
            preferred: HashMap::new(),
            items: Vec::new(),
            slice_used: false,
        };
        if allow_guest_pointers {
            b.names.reserve(SLICE_NAME);
        }
        // `type maybe = option<u32>` names the anonymous option `maybe`.
        for &id in roots {
            if let (Some(name), wit_parser::Type::Id(target)) =
                (&resolve.types[id].name, b.follow(&wit_parser::Type::Id(id)))
            {
                if resolve.types[target].name.is_none() {
                    b.preferred.entry(target).or_insert_with(|| name.clone());
                }
            }
        }
        let mut notes = Vec::new();
        for &id in roots {
            if let Err(reason) = b.root(id, allow_guest_pointers) {
                let name = resolve.types[id].name.clone().unwrap_or_default();
                notes.push(format!("skipped `{name}`: {reason}"));
            }
        }
        Model {
            package: format!("{}:{}", package.namespace, package.name),
            prefix: format!("{}_{}", snake(&package.namespace), snake(&package.name)),
            scope,
            items: b.items,
            slice: b.slice_used.then(|| SLICE_NAME.to_owned()),
            notes,
        }
    }
}

struct Builder<'r> {
    resolve: &'r Resolve,
    map: TypeMap<'r>,
    names: Registry,
    built: HashMap<TypeId, usize>,
    preferred: HashMap<TypeId, String>,
    items: Vec<Item>,
    slice_used: bool,
}

/// Where an anonymous type sits, to name it: `(snake name, WIT path)`.
type Place = (String, String);

impl Builder<'_> {
    /// `ty` with `type a = b` aliases followed to the original.
    fn follow(&self, ty: &wit_parser::Type) -> wit_parser::Type {
        let mut ty = *ty;
        while let wit_parser::Type::Id(id) = ty {
            match &self.resolve.types[id].kind {
                TypeDefKind::Type(next) => ty = *next,
                _ => break,
            }
        }
        ty
    }

    /// Generates a named type and what it needs, or says why not.
    fn root(&mut self, id: TypeId, allow: bool) -> Result<(), String> {
        let resolve = self.resolve;
        let def = &resolve.types[id];
        let name = def.name.clone().unwrap_or_default();
        let target = match self.follow(&wit_parser::Type::Id(id)) {
            wit_parser::Type::Id(t) => t,
            wit_parser::Type::String => return self.slice_alias(id, &name, allow, "string"),
            // An alias of a scalar is not a struct: fields of its type are scalars.
            _ => return Ok(()),
        };
        match &resolve.types[target].kind {
            TypeDefKind::Resource | TypeDefKind::Handle(_) => return Ok(()),
            TypeDefKind::List(_) => return self.slice_alias(id, &name, allow, "list"),
            _ => {}
        }
        let abi = self.map.convert_id(id).map_err(|e| e.to_string())?;
        if let Some(reason) = why_not_fixed(&abi, allow) {
            return Err(reason);
        }
        let place = (snake(&name), name.clone());
        let index = self.item(target, &abi, place)?;
        // A renaming alias (`type b = a`, `use i.{a as b}`) becomes a typedef.
        if target != id && self.items[index].wit != name {
            let alias = self
                .names
                .claim(snake(&name), self.qualifier(id).as_deref());
            self.items.push(Item {
                name: alias,
                keyword: "type",
                wit: name,
                layout: abi.layout(),
                docs: def.docs.contents.clone(),
                kind: ItemKind::Alias(FieldTy::Item(index)),
            });
        }
        Ok(())
    }

    /// `type bytes = list<u8>`: the pair type under another name, when allowed.
    fn slice_alias(
        &mut self,
        id: TypeId,
        name: &str,
        allow: bool,
        kind: &'static str,
    ) -> Result<(), String> {
        if !allow {
            return Err(format!(
                "it is a `{kind}` (use --allow-guest-pointers for its (pointer, length) form)"
            ));
        }
        self.slice_used = true;
        let alias = self.names.claim(snake(name), self.qualifier(id).as_deref());
        self.items.push(Item {
            name: alias,
            keyword: "type",
            wit: name.to_owned(),
            layout: Layout::POINTER_PAIR,
            docs: self.resolve.types[id].docs.contents.clone(),
            kind: ItemKind::Alias(FieldTy::Slice(kind)),
        });
        Ok(())
    }

    /// The interface that owns a type, to tell apart two types of the same name.
    fn qualifier(&self, id: TypeId) -> Option<String> {
        match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => self.resolve.interfaces[i].name.as_deref().map(snake),
            TypeOwner::World(w) => Some(snake(&self.resolve.worlds[w].name)),
            TypeOwner::None => None,
        }
    }

    /// The item of a type definition (not an alias), built with its dependencies first.
    fn item(&mut self, id: TypeId, abi: &Type, place: Place) -> Result<usize, String> {
        if let Some(&i) = self.built.get(&id) {
            return Ok(i);
        }
        let resolve = self.resolve;
        let def = &resolve.types[id];
        let (base, wit) = match (&def.name, self.preferred.get(&id)) {
            (Some(n), _) | (None, Some(n)) => (snake(n), n.clone()),
            (None, None) => place,
        };
        let name = self.names.claim(base, self.qualifier(id).as_deref());
        let here = (name.clone(), wit.clone());
        let (keyword, kind) = match (&def.kind, abi) {
            (TypeDefKind::Record(r), Type::Record(rt)) if r.fields.len() == rt.fields().len() => {
                let mut fields = Vec::new();
                for (f, (_, t, offset)) in r.fields.iter().zip(rt.fields()) {
                    fields.push(Field {
                        name: f.name.clone(),
                        wit: f.name.clone(),
                        offset,
                        size: t.layout().size,
                        ty: self.field(&f.ty, t, &here, &f.name)?,
                        docs: f.docs.contents.clone(),
                    });
                }
                ("record", ItemKind::Struct(fields))
            }
            (TypeDefKind::Tuple(w), Type::Tuple(tt)) if w.types.len() == tt.fields().len() => {
                let mut fields = Vec::new();
                for (i, (w, (t, offset))) in w.types.iter().zip(tt.fields()).enumerate() {
                    fields.push(Field {
                        name: format!("f{i}"),
                        wit: i.to_string(),
                        offset,
                        size: t.layout().size,
                        ty: self.field(w, t, &here, &i.to_string())?,
                        docs: None,
                    });
                }
                ("tuple", ItemKind::Struct(fields))
            }
            (TypeDefKind::Variant(v), Type::Variant(vt)) if v.cases.len() == vt.cases().len() => {
                let mut cases = Vec::new();
                for (c, (_, t)) in v.cases.iter().zip(vt.cases()) {
                    cases.push(self.case(&c.name, c.ty.as_ref(), t, &here)?);
                }
                ("variant", self.sum(cases, abi)?)
            }
            (TypeDefKind::Option(w), Type::Option(ot)) => {
                let cases = vec![
                    self.case("none", None, None, &here)?,
                    self.case("some", Some(w), Some(ot.some()), &here)?,
                ];
                ("option", self.sum(cases, abi)?)
            }
            (TypeDefKind::Result(w), Type::Result(rt)) => {
                let cases = vec![
                    self.case("ok", w.ok.as_ref(), rt.ok(), &here)?,
                    self.case("err", w.err.as_ref(), rt.err(), &here)?,
                ];
                ("result", self.sum(cases, abi)?)
            }
            (TypeDefKind::Enum(e), Type::Enum(et)) => (
                "enum",
                ItemKind::Enum {
                    disc: et.discriminant().bytes(),
                    cases: e.cases.iter().map(|c| c.name.clone()).collect(),
                },
            ),
            (TypeDefKind::Flags(f), Type::Flags(_)) => (
                "flags",
                ItemKind::Flags {
                    bytes: abi.layout().size,
                    labels: f.flags.iter().map(|f| f.name.clone()).collect(),
                },
            ),
            (kind, _) => {
                return Err(format!(
                    "its `{}` has no struct form in wasmbed layout",
                    kind.as_str()
                ))
            }
        };
        self.items.push(Item {
            name,
            keyword,
            wit,
            layout: abi.layout(),
            docs: def.docs.contents.clone(),
            kind,
        });
        let index = self.items.len() - 1;
        self.built.insert(id, index);
        Ok(index)
    }

    /// What a field of WIT type `w` (ABI type `abi`) holds, building its item if it has one.
    fn field(
        &mut self,
        w: &wit_parser::Type,
        abi: &Type,
        parent: &Place,
        field: &str,
    ) -> Result<FieldTy, String> {
        use wit_parser::Type as W;
        let resolve = self.resolve;
        let scalar = |s| Ok(FieldTy::Scalar(s));
        match self.follow(w) {
            W::Bool => scalar(Scalar::Bool),
            W::U8 => scalar(Scalar::U8),
            W::S8 => scalar(Scalar::S8),
            W::U16 => scalar(Scalar::U16),
            W::S16 => scalar(Scalar::S16),
            W::U32 => scalar(Scalar::U32),
            W::S32 => scalar(Scalar::S32),
            W::U64 => scalar(Scalar::U64),
            W::S64 => scalar(Scalar::S64),
            W::F32 => scalar(Scalar::F32),
            W::F64 => scalar(Scalar::F64),
            W::Char => scalar(Scalar::Char),
            W::String => self.slice("string"),
            W::ErrorContext => Err(format!("field `{field}` is an `error-context`")),
            W::Id(id) => match &resolve.types[id].kind {
                TypeDefKind::List(_) => self.slice("list"),
                TypeDefKind::Handle(Handle::Borrow(_)) => Ok(FieldTy::Handle("borrow")),
                TypeDefKind::Handle(Handle::Own(_)) | TypeDefKind::Resource => {
                    Ok(FieldTy::Handle("own"))
                }
                _ => {
                    let place = (
                        format!("{}_{}", parent.0, snake(field)),
                        format!("{}.{field}", parent.1),
                    );
                    Ok(FieldTy::Item(self.item(id, abi, place)?))
                }
            },
        }
    }

    fn slice(&mut self, kind: &'static str) -> Result<FieldTy, String> {
        self.slice_used = true;
        Ok(FieldTy::Slice(kind))
    }

    fn case(
        &mut self,
        name: &str,
        w: Option<&wit_parser::Type>,
        abi: Option<&Type>,
        parent: &Place,
    ) -> Result<Case, String> {
        let payload = match (w, abi) {
            (Some(w), Some(abi)) => Some((self.field(w, abi, parent, name)?, abi.layout().size)),
            _ => None,
        };
        Ok(Case {
            name: name.to_owned(),
            payload,
        })
    }

    /// A sum's layout, taken from the ABI: a variant with the same cases lays out the same.
    fn sum(&self, cases: Vec<Case>, abi: &Type) -> Result<ItemKind, String> {
        let (disc, payload_offset) = match abi {
            Type::Variant(v) => (v.discriminant().bytes(), v.payload_offset()),
            Type::Option(o) => same_as_variant([None, Some(o.some().clone())])?,
            Type::Result(r) => same_as_variant([r.ok().cloned(), r.err().cloned()])?,
            other => return Err(format!("`{}` is not a variant", other.kind())),
        };
        let payload_size = cases
            .iter()
            .filter_map(|c| c.payload.as_ref().map(|p| p.1))
            .max()
            .unwrap_or(0);
        Ok(ItemKind::Sum {
            disc,
            payload_offset,
            payload_size,
            cases,
        })
    }
}

/// Discriminant width and payload offset of a two-case sum.
fn same_as_variant(cases: [Option<Type>; 2]) -> Result<(u32, u32), String> {
    match Type::variant([("a", cases[0].clone()), ("b", cases[1].clone())]) {
        Ok(Type::Variant(v)) => Ok((v.discriminant().bytes(), v.payload_offset())),
        Ok(_) => Err(String::from("its layout could not be computed")),
        Err(e) => Err(e.to_string()),
    }
}
