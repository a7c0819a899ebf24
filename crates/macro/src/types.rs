//! Rust types for WIT types, with their `ComponentType`, `Lift` and `Lower`
//! impls written against `wasmbed-abi`'s building blocks (fields in a row,
//! a case and its payload, flag bits), so layout and checks live there once.

use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::{Handle, Type, TypeDefKind, TypeId, TypeOwner};

use crate::gen::Gen;
use crate::names::{camel, shouty, snake};

/// How a type is spelled where it appears.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Owned, as fields, results and host parameters are.
    Owned,
    /// A top-level parameter of an export call: `&str` and `&[T]` borrowed.
    Param,
}

impl Gen<'_> {
    /// The Rust type of `ty`, written in a module `depth` levels below the macro's.
    pub(crate) fn rust_ty(&self, ty: &Type, depth: usize, mode: Mode) -> syn::Result<TokenStream> {
        Ok(match ty {
            Type::Bool => quote!(bool),
            Type::U8 => quote!(u8),
            Type::U16 => quote!(u16),
            Type::U32 => quote!(u32),
            Type::U64 => quote!(u64),
            Type::S8 => quote!(i8),
            Type::S16 => quote!(i16),
            Type::S32 => quote!(i32),
            Type::S64 => quote!(i64),
            Type::F32 => quote!(f32),
            Type::F64 => quote!(f64),
            Type::Char => quote!(char),
            Type::String if mode == Mode::Param => quote!(&str),
            Type::String => quote!(::wasmbed::__private::String),
            Type::ErrorContext => return Err(self.unsupported("error-context")),
            Type::Id(id) => self.rust_id(*id, depth, mode)?,
        })
    }

    fn rust_id(&self, id: TypeId, depth: usize, mode: Mode) -> syn::Result<TokenStream> {
        let def = &self.resolve.types[id];
        if let (Some(name), false) = (&def.name, matches!(def.kind, TypeDefKind::Resource)) {
            let path = self.type_path(id, name, depth);
            // As wasmtime: an export call borrows a named value that owns heap data.
            if mode == Mode::Param && self.owns_heap(&Type::Id(id)) {
                return Ok(quote!(&#path));
            }
            return Ok(path);
        }
        self.anonymous(id, depth, mode)
    }

    /// The Rust type of `id` by its structure, ignoring any name it has.
    fn anonymous(&self, id: TypeId, depth: usize, mode: Mode) -> syn::Result<TokenStream> {
        let inner = |t: &Type| self.rust_ty(t, depth, mode);
        Ok(match &self.resolve.types[id].kind {
            TypeDefKind::Type(t) => self.rust_ty(t, depth, mode)?,
            TypeDefKind::Option(t) => {
                let t = inner(t)?;
                quote!(::core::option::Option<#t>)
            }
            TypeDefKind::Result(r) => {
                let ok = r.ok.as_ref().map(inner).transpose()?.unwrap_or(quote!(()));
                let err = r.err.as_ref().map(inner).transpose()?.unwrap_or(quote!(()));
                quote!(::core::result::Result<#ok, #err>)
            }
            TypeDefKind::Tuple(t) => {
                let ts = t.types.iter().map(inner).collect::<syn::Result<Vec<_>>>()?;
                quote!((#(#ts,)*))
            }
            TypeDefKind::List(t) => {
                let t = self.rust_ty(t, depth, Mode::Owned)?;
                match mode {
                    Mode::Param => quote!(&[#t]),
                    Mode::Owned => quote!(::wasmbed::__private::Vec<#t>),
                }
            }
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => self.handle_ty(*r, depth),
            TypeDefKind::Resource => self.handle_ty(id, depth),
            other => return Err(self.unsupported(other.as_str())),
        })
    }

    /// Whether values of `ty` own heap data (a string or list somewhere inside).
    pub(crate) fn owns_heap(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else {
            return matches!(ty, Type::String);
        };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.owns_heap(&f.ty)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .any(|c| c.ty.as_ref().is_some_and(|t| self.owns_heap(t))),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.owns_heap(t)),
            TypeDefKind::Option(t) | TypeDefKind::Type(t) => self.owns_heap(t),
            TypeDefKind::Result(r) => {
                r.ok.as_ref().is_some_and(|t| self.owns_heap(t))
                    || r.err.as_ref().is_some_and(|t| self.owns_heap(t))
            }
            TypeDefKind::List(_) => true,
            _ => false,
        }
    }

    /// `Resource<R>` for a resource the host implements, `ResourceAny` for one the guest implements.
    pub(crate) fn handle_ty(&self, r: TypeId, depth: usize) -> TokenStream {
        let r = self.base_resource(r);
        if self.guest_resource(r) {
            return quote!(::wasmbed::ResourceAny);
        }
        let name = self.resolve.types[r].name.clone().unwrap_or_default();
        let path = self.type_path(r, &name, depth);
        quote!(::wasmbed::Resource<#path>)
    }

    /// The resource a (possibly aliased) resource type stands for.
    pub(crate) fn base_resource(&self, mut r: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[r].kind {
            r = next;
        }
        r
    }

    /// Whether the guest implements resource `r` (it belongs to an exported interface).
    pub(crate) fn guest_resource(&self, r: TypeId) -> bool {
        match self.resolve.types[r].owner {
            TypeOwner::Interface(i) => self.exported.contains(&i),
            _ => false,
        }
    }

    fn type_path(&self, id: TypeId, name: &str, depth: usize) -> TokenStream {
        let name = camel(name);
        if let TypeOwner::Interface(i) = self.resolve.types[id].owner {
            if let Some(path) = self.external(i) {
                return quote!(#path::#name);
            }
        }
        let supers = (0..depth).map(|_| quote!(super::));
        let module = match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => self.module_of(i),
            _ => TokenStream::new(),
        };
        quote!(#(#supers)* #module #name)
    }

    /// The definition of named type `id`, in a module `depth` levels down.
    pub(crate) fn typedef(&self, id: TypeId, depth: usize) -> syn::Result<TokenStream> {
        let def = &self.resolve.types[id];
        let Some(wit_name) = def.name.as_deref() else {
            return Ok(TokenStream::new());
        };
        let name = camel(wit_name);
        let extra = &self.config.derives;
        let doc = docs(&def.docs.contents);
        match &def.kind {
            TypeDefKind::Record(r) => {
                let names: Vec<_> = r.fields.iter().map(|f| snake(&f.name)).collect();
                let wit: Vec<_> = r.fields.iter().map(|f| f.name.as_str()).collect();
                let tys = r
                    .fields
                    .iter()
                    .map(|f| self.rust_ty(&f.ty, depth, Mode::Owned))
                    .collect::<syn::Result<Vec<_>>>()?;
                let field_docs = r.fields.iter().map(|f| docs(&f.docs.contents));
                let what = format!("record `{wit_name}`");
                let copy = (!self.owns_heap(&Type::Id(id))).then(|| quote!(Copy,));
                Ok(quote! {
                    #doc
                    #[derive(Clone, #copy Debug, PartialEq #(, #extra)*)]
                    pub struct #name { #( #field_docs pub #names: #tys, )* }

                    impl ::wasmbed::__private::ComponentType for #name {
                        const FLAT: ::core::option::Option<::wasmbed::__private::Flat> = {
                            let flat = ::core::option::Option::Some(::wasmbed::__private::Flat::i32s(0));
                            #( let flat = ::wasmbed::__private::Flat::then(flat, <#tys as ::wasmbed::__private::ComponentType>::FLAT); )*
                            flat
                        };

                        fn typecheck(ty: &::wasmbed::__private::Type, names: &dyn ::wasmbed::__private::ResourceNames)
                            -> ::core::result::Result<(), ::wasmbed::__private::TypeMismatch> {
                            ::wasmbed::__private::typecheck_record(ty, #what,
                                &[#( (#wit, <#tys as ::wasmbed::__private::ComponentType>::typecheck) ),*], names)
                        }
                    }

                    impl<'m> ::wasmbed::__private::Lift<'m> for #name {
                        fn lift(cx: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type,
                                src: &mut ::wasmbed::__private::FlatSrc<'_>) -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                            let mut f = ::wasmbed::__private::Fields::of(ty)?;
                            ::core::result::Result::Ok(#name { #( #names: f.lift(cx, src)?, )* })
                        }
                        fn load(cx: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type, ptr: u32)
                            -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                            let mut f = ::wasmbed::__private::Fields::of(ty)?;
                            ::core::result::Result::Ok(#name { #( #names: f.load(cx, ptr)?, )* })
                        }
                    }

                    impl ::wasmbed::__private::Lower for #name {
                        fn lower(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type,
                                 out: &mut ::wasmbed::__private::FlatBuf) -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            let mut f = ::wasmbed::__private::Fields::of(ty)?;
                            #( f.lower(cx, &self.#names, out)?; )*
                            ::core::result::Result::Ok(())
                        }
                        fn store(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type, ptr: u32)
                            -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            let mut f = ::wasmbed::__private::Fields::of(ty)?;
                            #( f.store(cx, &self.#names, ptr)?; )*
                            ::core::result::Result::Ok(())
                        }
                        fn store_plain(&self, ty: &::wasmbed::__private::Type, mem: &mut [u8], ptr: u32)
                            -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            let mut f = ::wasmbed::__private::Fields::of(ty)?;
                            #( f.store_plain(&self.#names, mem, ptr)?; )*
                            ::core::result::Result::Ok(())
                        }
                    }
                })
            }
            TypeDefKind::Variant(v) => {
                let cases: Vec<(String, Option<Type>)> =
                    v.cases.iter().map(|c| (c.name.clone(), c.ty)).collect();
                let case_docs: Vec<_> = v.cases.iter().map(|c| docs(&c.docs.contents)).collect();
                self.variant(&name, wit_name, &cases, &case_docs, depth, doc)
            }
            TypeDefKind::Enum(e) => {
                let cases: Vec<_> = e.cases.iter().map(|c| camel(&c.name)).collect();
                let wit: Vec<_> = e.cases.iter().map(|c| c.name.as_str()).collect();
                let case_docs = e.cases.iter().map(|c| docs(&c.docs.contents));
                let idx: Vec<u32> = (0..cases.len() as u32).collect();
                let what = format!("enum `{wit_name}`");
                Ok(quote! {
                    #doc
                    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord #(, #extra)*)]
                    pub enum #name { #( #case_docs #cases, )* }

                    impl #name {
                        fn case_index(&self) -> u32 {
                            match self { #( #name::#cases => #idx, )* }
                        }
                    }

                    impl ::wasmbed::__private::ComponentType for #name {
                        const FLAT: ::core::option::Option<::wasmbed::__private::Flat> =
                            ::core::option::Option::Some(::wasmbed::__private::Flat::i32s(1));

                        fn typecheck(ty: &::wasmbed::__private::Type, _: &dyn ::wasmbed::__private::ResourceNames)
                            -> ::core::result::Result<(), ::wasmbed::__private::TypeMismatch> {
                            ::wasmbed::__private::typecheck_enum(ty, #what, &[#(#wit),*])
                        }
                    }

                    impl<'m> ::wasmbed::__private::Lift<'m> for #name {
                        fn lift(_: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type,
                                src: &mut ::wasmbed::__private::FlatSrc<'_>) -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                            let c = ::wasmbed::__private::CaseLift::read(ty, src)?;
                            let v = match c.index() {
                                #( #idx => #name::#cases, )*
                                d => return ::core::result::Result::Err(::wasmbed::__private::bad_case(ty, d)),
                            };
                            c.finish(src)?;
                            ::core::result::Result::Ok(v)
                        }
                        fn load(cx: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type, ptr: u32)
                            -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                            let c = ::wasmbed::__private::CaseLoad::read(cx, ty, ptr)?;
                            ::core::result::Result::Ok(match c.index() {
                                #( #idx => #name::#cases, )*
                                d => return ::core::result::Result::Err(::wasmbed::__private::bad_case(ty, d)),
                            })
                        }
                    }

                    impl ::wasmbed::__private::Lower for #name {
                        fn lower(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type,
                                 out: &mut ::wasmbed::__private::FlatBuf) -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::lower_case(cx, ty, self.case_index(), ::core::option::Option::None, out)
                        }
                        fn store(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type, ptr: u32)
                            -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::store_case(cx, ty, self.case_index(), ::core::option::Option::None, ptr)
                        }
                        fn store_plain(&self, ty: &::wasmbed::__private::Type, mem: &mut [u8], ptr: u32)
                            -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::store_case_plain(ty, self.case_index(), ::core::option::Option::None, mem, ptr)
                        }
                    }
                })
            }
            TypeDefKind::Flags(f) => {
                if f.flags.len() > 32 {
                    return Err(self.unsupported("flags with more than 32 labels"));
                }
                let consts: Vec<_> = f.flags.iter().map(|l| shouty(&l.name)).collect();
                let wit: Vec<_> = f.flags.iter().map(|l| l.name.as_str()).collect();
                let bits: Vec<u32> = (0..f.flags.len() as u32).map(|i| 1u32 << i).collect();
                let all: u32 = bits.iter().fold(0, |a, b| a | b);
                let what = format!("flags `{wit_name}`");
                Ok(quote! {
                    #doc
                    #[derive(Clone, Copy, PartialEq, Eq, Hash, Default #(, #extra)*)]
                    pub struct #name(u32);

                    impl #name {
                        #( #[doc = #wit] pub const #consts: #name = #name(#bits); )*
                        /// No flag set.
                        pub const fn empty() -> #name { #name(0) }
                        /// Every flag set.
                        pub const fn all() -> #name { #name(#all) }
                        /// The bits, flag `i` at bit `i`.
                        pub const fn bits(&self) -> u32 { self.0 }
                        /// From bits, dropping those past the last flag.
                        pub const fn from_bits_truncate(bits: u32) -> #name { #name(bits & #all) }
                        /// Whether every flag of `other` is set.
                        pub const fn contains(&self, other: #name) -> bool { self.0 & other.0 == other.0 }
                        /// Whether no flag is set.
                        pub const fn is_empty(&self) -> bool { self.0 == 0 }
                    }

                    impl ::core::ops::BitOr for #name {
                        type Output = #name;
                        fn bitor(self, o: #name) -> #name { #name(self.0 | o.0) }
                    }
                    impl ::core::ops::BitOrAssign for #name {
                        fn bitor_assign(&mut self, o: #name) { self.0 |= o.0 }
                    }
                    impl ::core::ops::BitAnd for #name {
                        type Output = #name;
                        fn bitand(self, o: #name) -> #name { #name(self.0 & o.0) }
                    }
                    impl ::core::ops::Not for #name {
                        type Output = #name;
                        fn not(self) -> #name { #name(!self.0 & #all) }
                    }
                    impl ::core::fmt::Debug for #name {
                        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                            let mut set = f.debug_set();
                            #( if self.contains(#name::#consts) { set.entry(&#wit); } )*
                            set.finish()
                        }
                    }

                    impl ::wasmbed::__private::ComponentType for #name {
                        const FLAT: ::core::option::Option<::wasmbed::__private::Flat> =
                            ::core::option::Option::Some(::wasmbed::__private::Flat::i32s(1));

                        fn typecheck(ty: &::wasmbed::__private::Type, _: &dyn ::wasmbed::__private::ResourceNames)
                            -> ::core::result::Result<(), ::wasmbed::__private::TypeMismatch> {
                            ::wasmbed::__private::typecheck_flags(ty, #what, &[#(#wit),*])
                        }
                    }

                    impl<'m> ::wasmbed::__private::Lift<'m> for #name {
                        fn lift(_: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type,
                                src: &mut ::wasmbed::__private::FlatSrc<'_>) -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::lift_flags(ty, src).map(#name)
                        }
                        fn load(cx: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type, ptr: u32)
                            -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::load_flags(cx, ty, ptr).map(#name)
                        }
                    }

                    impl ::wasmbed::__private::Lower for #name {
                        fn lower(&self, _: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type,
                                 out: &mut ::wasmbed::__private::FlatBuf) -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::lower_flags(ty, self.0, out)
                        }
                        fn store(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type, ptr: u32)
                            -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::store_flags(cx, ty, self.0, ptr)
                        }
                        fn store_plain(&self, ty: &::wasmbed::__private::Type, mem: &mut [u8], ptr: u32)
                            -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                            ::wasmbed::__private::store_flags_plain(ty, self.0, mem, ptr)
                        }
                    }
                })
            }
            TypeDefKind::Resource => {
                if self.guest_resource(id) {
                    return Ok(TokenStream::new());
                }
                Ok(quote! {
                    #doc
                    /// Marks `Resource<_>` handles of this host resource.
                    pub enum #name {}
                })
            }
            TypeDefKind::Type(_)
            | TypeDefKind::Option(_)
            | TypeDefKind::Result(_)
            | TypeDefKind::Tuple(_)
            | TypeDefKind::List(_)
            | TypeDefKind::Handle(_) => {
                // A named alias: the type it stands for, without its own name.
                let target = self.anonymous(id, depth, Mode::Owned)?;
                Ok(quote! { #doc pub type #name = #target; })
            }
            other => Err(self.unsupported(other.as_str())),
        }
    }

    /// A variant's Rust enum and impls.
    fn variant(
        &self,
        name: &proc_macro2::Ident,
        wit_name: &str,
        cases: &[(String, Option<Type>)],
        case_docs: &[TokenStream],
        depth: usize,
        docs: TokenStream,
    ) -> syn::Result<TokenStream> {
        let extra = &self.config.derives;
        let plain = cases
            .iter()
            .all(|(_, t)| t.as_ref().is_none_or(|t| !self.owns_heap(t)));
        let copy = plain.then(|| quote!(Copy,));
        let idents: Vec<_> = cases.iter().map(|(n, _)| camel(n)).collect();
        let wit: Vec<_> = cases.iter().map(|(n, _)| n.as_str()).collect();
        let payloads = cases
            .iter()
            .map(|(_, t)| {
                t.as_ref()
                    .map(|t| self.rust_ty(t, depth, Mode::Owned))
                    .transpose()
            })
            .collect::<syn::Result<Vec<_>>>()?;
        let idx: Vec<u32> = (0..cases.len() as u32).collect();
        let what = format!("variant `{wit_name}`");
        let decl = idents
            .iter()
            .zip(&payloads)
            .zip(case_docs)
            .map(|((c, p), d)| match p {
                Some(t) => quote!(#d #c(#t)),
                None => quote!(#d #c),
            });
        let flats = payloads.iter().map(|p| match p {
            Some(t) => quote!(<#t as ::wasmbed::__private::ComponentType>::FLAT),
            None => quote!(::core::option::Option::Some(
                ::wasmbed::__private::Flat::i32s(0)
            )),
        });
        let checks = payloads.iter().map(|p| match p {
            Some(t) => quote!(<#t as ::wasmbed::__private::ComponentType>::typecheck_payload),
            None => quote!(<() as ::wasmbed::__private::ComponentType>::typecheck_payload),
        });
        let lifts = idents
            .iter()
            .zip(&payloads)
            .zip(&idx)
            .map(|((c, p), i)| match p {
                Some(_) => quote!(#i => #name::#c(c.payload(cx, src)?),),
                None => quote!(#i => #name::#c,),
            });
        let loads = idents
            .iter()
            .zip(&payloads)
            .zip(&idx)
            .map(|((c, p), i)| match p {
                Some(_) => quote!(#i => #name::#c(c.payload(cx)?),),
                None => quote!(#i => #name::#c,),
            });
        let split = idents.iter().zip(&payloads).zip(&idx).map(|((c, p), i)| match p {
            Some(_) => quote!(#name::#c(p) => (#i, ::core::option::Option::Some(p as &dyn ::wasmbed::__private::Payload)),),
            None => quote!(#name::#c => (#i, ::core::option::Option::None),),
        });
        Ok(quote! {
            #docs
            #[derive(Clone, #copy Debug, PartialEq #(, #extra)*)]
            pub enum #name { #( #decl, )* }

            impl #name {
                fn case(&self) -> (u32, ::core::option::Option<&dyn ::wasmbed::__private::Payload>) {
                    match self { #( #split )* }
                }
            }

            impl ::wasmbed::__private::ComponentType for #name {
                const FLAT: ::core::option::Option<::wasmbed::__private::Flat> = {
                    let payloads = ::core::option::Option::Some(::wasmbed::__private::Flat::i32s(0));
                    #( let payloads = ::wasmbed::__private::Flat::either(payloads, #flats); )*
                    ::wasmbed::__private::Flat::tagged(payloads)
                };

                fn typecheck(ty: &::wasmbed::__private::Type, names: &dyn ::wasmbed::__private::ResourceNames)
                    -> ::core::result::Result<(), ::wasmbed::__private::TypeMismatch> {
                    ::wasmbed::__private::typecheck_variant(ty, #what, &[#( (#wit, #checks) ),*], names)
                }
            }

            impl<'m> ::wasmbed::__private::Lift<'m> for #name {
                fn lift(cx: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type,
                        src: &mut ::wasmbed::__private::FlatSrc<'_>) -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                    let c = ::wasmbed::__private::CaseLift::read(ty, src)?;
                    let v = match c.index() {
                        #( #lifts )*
                        d => return ::core::result::Result::Err(::wasmbed::__private::bad_case(ty, d)),
                    };
                    c.finish(src)?;
                    ::core::result::Result::Ok(v)
                }
                fn load(cx: &mut ::wasmbed::__private::LiftCx<'m, '_>, ty: &::wasmbed::__private::Type, ptr: u32)
                    -> ::core::result::Result<Self, ::wasmbed::__private::Trap> {
                    let c = ::wasmbed::__private::CaseLoad::read(cx, ty, ptr)?;
                    ::core::result::Result::Ok(match c.index() {
                        #( #loads )*
                        d => return ::core::result::Result::Err(::wasmbed::__private::bad_case(ty, d)),
                    })
                }
            }

            impl ::wasmbed::__private::Lower for #name {
                fn lower(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type,
                         out: &mut ::wasmbed::__private::FlatBuf) -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                    let (d, p) = self.case();
                    ::wasmbed::__private::lower_case(cx, ty, d, p, out)
                }
                fn store(&self, cx: &mut ::wasmbed::__private::LowerCx<'_>, ty: &::wasmbed::__private::Type, ptr: u32)
                    -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                    let (d, p) = self.case();
                    ::wasmbed::__private::store_case(cx, ty, d, p, ptr)
                }
                fn store_plain(&self, ty: &::wasmbed::__private::Type, mem: &mut [u8], ptr: u32)
                    -> ::core::result::Result<(), ::wasmbed::__private::Trap> {
                    let (d, p) = self.case();
                    ::wasmbed::__private::store_case_plain(ty, d, p, mem, ptr)
                }
            }
        })
    }
}

/// WIT doc comments as Rust doc attributes.
pub(crate) fn docs(text: &Option<String>) -> TokenStream {
    match text {
        Some(t) => {
            let lines = t.lines().map(|l| format!(" {l}"));
            quote!(#(#[doc = #lines])*)
        }
        None => TokenStream::new(),
    }
}
