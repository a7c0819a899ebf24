//! The generated items: modules per interface (types, `Host` traits and
//! `add_to_linker` for imports; a `Guest` with typed calls for exports) and
//! the world's struct, as wasmtime's `bindgen!` lays them out.

use std::collections::{BTreeMap, HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use wit_parser::{
    Function, FunctionKind, InterfaceId, Resolve, Type, TypeDefKind, TypeId, WorldId, WorldItem,
    WorldKey,
};

use crate::config::Config;
use crate::names::{camel, raw, snake};
use crate::types::{docs, Mode};

/// What generation needs to know of the whole world.
pub(crate) struct Gen<'a> {
    pub(crate) resolve: &'a Resolve,
    pub(crate) config: &'a Config,
    /// Interfaces the guest implements.
    pub(crate) exported: HashSet<InterfaceId>,
    /// Module path of each interface, from the macro's module.
    paths: HashMap<InterfaceId, Vec<Ident>>,
}

/// Modules being assembled: items, then child modules by name.
#[derive(Default)]
struct Module {
    items: TokenStream,
    children: BTreeMap<String, Module>,
}

impl Module {
    fn at(&mut self, path: &[Ident]) -> &mut Module {
        path.iter()
            .fold(self, |m, p| m.children.entry(p.to_string()).or_default())
    }

    fn render(self) -> TokenStream {
        let items = self.items;
        let children = self.children.into_iter().map(|(name, m)| {
            let name = raw(&name);
            let body = m.render();
            quote! {
                #[allow(clippy::all, missing_docs, unused_imports, dead_code, non_camel_case_types)]
                pub mod #name { #body }
            }
        });
        quote!(#items #(#children)*)
    }
}

/// A function as the host or guest sees it: its Rust name and where it goes.
struct Func<'f> {
    f: &'f Function,
    /// The Rust method name.
    method: Ident,
    /// The resource it belongs to, for constructors, methods and statics.
    resource: Option<TypeId>,
}

fn func_of(f: &Function) -> Func<'_> {
    let after_dot = |n: &str| snake(n.split_once('.').map_or(n, |(_, m)| m));
    let (method, resource) = match &f.kind {
        FunctionKind::Constructor(r) => (raw("new"), Some(*r)),
        FunctionKind::Method(r) | FunctionKind::AsyncMethod(r) => (after_dot(&f.name), Some(*r)),
        FunctionKind::Static(r) | FunctionKind::AsyncStatic(r) => (after_dot(&f.name), Some(*r)),
        _ => (snake(&f.name), None),
    };
    Func {
        f,
        method,
        resource,
    }
}

pub(crate) fn generate(
    config: &Config,
    resolve: &Resolve,
    world: WorldId,
) -> syn::Result<TokenStream> {
    let w = &resolve.worlds[world];
    let mut gen = Gen {
        resolve,
        config,
        exported: HashSet::new(),
        paths: HashMap::new(),
    };
    for (key, item) in &w.exports {
        if let WorldItem::Interface { id, .. } = item {
            gen.exported.insert(*id);
            let mut path = vec![raw("exports")];
            path.extend(gen.iface_path(key, *id));
            gen.paths.insert(*id, path);
        }
    }
    for (key, item) in &w.imports {
        if let WorldItem::Interface { id, .. } = item {
            let path = gen.iface_path(key, *id);
            gen.paths.insert(*id, path);
        }
    }
    let mut root = Module::default();
    let world_name = camel(&w.name);
    let mut world_types = TokenStream::new();
    let mut world_imports = Vec::new();
    let mut import_bounds = Vec::new();
    let mut import_links = Vec::new();
    for (key, item) in &w.imports {
        match item {
            WorldItem::Interface { id, .. } => {
                let name = gen.iface_name(key, *id);
                if let Some(path) = gen.with_path(&name) {
                    import_bounds.push(quote!(#path::Host));
                    import_links.push(quote!(#path::add_to_linker(linker, get)?;));
                    continue;
                }
                let path = gen.paths[id].clone();
                let tokens = gen.import_interface(&name, *id, path.len())?;
                root.at(&path).items.extend(tokens);
                import_bounds.push(quote!(#(#path::)* Host));
                import_links.push(quote!(#(#path::)* add_to_linker(linker, get)?;));
            }
            WorldItem::Function(f) => world_imports.push(f),
            WorldItem::Type { id, .. } => world_types.extend(gen.typedef(*id, 0)?),
        }
    }
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut methods = Vec::new();
    for (key, item) in &w.exports {
        match item {
            WorldItem::Interface { id, .. } => {
                let name = gen.iface_name(key, *id);
                let path = gen.paths[id].clone();
                let tokens = gen.export_interface(&name, *id, path.len())?;
                root.at(&path).items.extend(tokens);
                let field = gen.accessor(key, *id);
                fields.push(quote!(#field: #(#path::)* Guest));
                inits.push(quote!(#field: #(#path::)* Guest::new(instance)?));
                methods.push(quote! {
                    /// The calls into this exported interface.
                    pub fn #field(&self) -> &#(#path::)* Guest { &self.#field }
                });
            }
            WorldItem::Function(f) => {
                let (field, init, call) = gen.export_func(&func_of(f), f.name.clone(), 0)?;
                fields.push(field);
                inits.push(init);
                methods.push(call);
            }
            WorldItem::Type { id, .. } => world_types.extend(gen.typedef(*id, 0)?),
        }
    }
    let imports_trait = raw(&format!("{world_name}Imports"));
    let mut world_trait = TokenStream::new();
    if !world_imports.is_empty() {
        let funcs: Vec<_> = world_imports.iter().map(|f| func_of(f)).collect();
        let sigs = funcs
            .iter()
            .map(|f| gen.host_sig(f, 0))
            .collect::<syn::Result<Vec<_>>>()?;
        world_trait = quote! {
            /// The world's own imported functions, as the host implements them.
            pub trait #imports_trait { #(#sigs;)* }
        };
        import_bounds.push(quote!(#imports_trait));
        for f in &funcs {
            import_links.push(gen.link_func(f, "", &imports_trait, 0)?);
        }
    }
    let world_docs = docs(&w.docs.contents);
    let body = quote! {
        #world_types
        #world_trait

        #world_docs
        /// Typed calls into a guest of this world; one value serves every instance of the same guest.
        pub struct #world_name { #(#fields,)* }

        impl #world_name {
            /// Resolves and type-checks every export of `instance`'s guest, once.
            pub fn new<E: ::wasmbed::Engine, T: 'static>(instance: &::wasmbed::Instance<E, T>)
                -> ::core::result::Result<#world_name, ::wasmbed::Error> {
                ::core::result::Result::Ok(#world_name { #(#inits,)* })
            }

            /// Instantiates `guest` with `linker`, owning `data`, and resolves its exports.
            pub fn instantiate<E: ::wasmbed::Engine, T: 'static>(
                linker: &::wasmbed::Linker<T>,
                guest: &::wasmbed::Guest<E>,
                data: T,
                limits: ::wasmbed::Limits,
            ) -> ::core::result::Result<(#world_name, ::wasmbed::Instance<E, T>), ::wasmbed::Error> {
                let instance = linker.instantiate(guest, data, limits)?;
                ::core::result::Result::Ok((#world_name::new(&instance)?, instance))
            }

            /// Links every import of the world to the host data's implementation, which `get` selects.
            #[allow(unused_variables)]
            pub fn add_to_linker<T: 'static, U: 'static #(+ #import_bounds)*>(
                linker: &mut ::wasmbed::Linker<T>,
                get: fn(&mut T) -> &mut U,
            ) -> ::core::result::Result<(), ::wasmbed::Error> {
                #(#import_links)*
                ::core::result::Result::Ok(())
            }

            #(#methods)*
        }
    };
    root.items.extend(body);
    Ok(root.render())
}

impl Gen<'_> {
    pub(crate) fn unsupported(&self, what: &str) -> syn::Error {
        syn::Error::new(
            Span::call_site(),
            format!("`bindgen!`: WIT `{what}` is not supported by wasmbed"),
        )
    }

    /// `ns::pkg::iface` for an interface with an id, its plain name otherwise.
    fn iface_path(&self, key: &WorldKey, id: InterfaceId) -> Vec<Ident> {
        let iface = &self.resolve.interfaces[id];
        match (key, iface.package, &iface.name) {
            (WorldKey::Interface(_), Some(pkg), Some(name)) => {
                let p = &self.resolve.packages[pkg].name;
                vec![snake(&p.namespace), snake(&p.name), snake(name)]
            }
            (WorldKey::Name(n), _, _) => vec![snake(n)],
            (_, _, name) => vec![snake(name.as_deref().unwrap_or("interface"))],
        }
    }

    /// The name the world and the linker know the interface by.
    fn iface_name(&self, key: &WorldKey, id: InterfaceId) -> String {
        match key {
            WorldKey::Name(n) => n.clone(),
            WorldKey::Interface(_) => self.resolve.id_of(id).unwrap_or_default(),
        }
    }

    /// The world struct's accessor for an exported interface (`ns_pkg_iface`).
    fn accessor(&self, key: &WorldKey, id: InterfaceId) -> Ident {
        let path = self.iface_path(key, id);
        raw(&path
            .iter()
            .map(|p| p.to_string().trim_end_matches('_').to_string())
            .collect::<Vec<_>>()
            .join("_"))
    }

    fn with_path(&self, name: &str) -> Option<&syn::Path> {
        self.config.with.get(name).or_else(|| {
            let unversioned = name.split('@').next()?;
            self.config.with.get(unversioned)
        })
    }

    /// The module holding interface `i`'s items, as a path prefix ending in `::`.
    pub(crate) fn module_of(&self, i: InterfaceId) -> TokenStream {
        match self.paths.get(&i) {
            Some(p) => quote!(#(#p::)*),
            None => TokenStream::new(),
        }
    }

    /// Whether type paths to interface `i` start from the user's `with` path rather than the macro's module.
    pub(crate) fn external(&self, i: InterfaceId) -> Option<&syn::Path> {
        let name = self.resolve.id_of(i)?;
        self.with_path(&name)
    }

    fn types_of(&self, id: InterfaceId, depth: usize) -> syn::Result<TokenStream> {
        let mut out = TokenStream::new();
        for (_, t) in &self.resolve.interfaces[id].types {
            out.extend(self.typedef(*t, depth)?);
        }
        Ok(out)
    }

    /// The host's method signature for `f`.
    fn host_sig(&self, f: &Func<'_>, depth: usize) -> syn::Result<TokenStream> {
        let method = &f.method;
        let params =
            f.f.params
                .iter()
                .map(|p| {
                    let name = snake(&p.name);
                    let ty = self.rust_ty(&p.ty, depth, Mode::Owned)?;
                    Ok(quote!(#name: #ty))
                })
                .collect::<syn::Result<Vec<_>>>()?;
        let ret = self.ret(f.f.result.as_ref(), depth)?;
        let ret = if self.config.trappable {
            quote!(::core::result::Result<#ret, ::wasmbed::Error>)
        } else {
            ret
        };
        let docs = docs(&f.f.docs.contents);
        Ok(quote!(#docs fn #method(&mut self, #(#params),*) -> #ret))
    }

    /// Numbered names (`p0`, `arg0`, …) and Rust types for `f`'s parameters.
    fn params(
        &self,
        f: &Func<'_>,
        prefix: &str,
        depth: usize,
        mode: Mode,
    ) -> syn::Result<(Vec<Ident>, Vec<TokenStream>)> {
        let names = (0..f.f.params.len())
            .map(|i| raw(&format!("{prefix}{i}")))
            .collect();
        let tys =
            f.f.params
                .iter()
                .map(|p| self.rust_ty(&p.ty, depth, mode))
                .collect::<syn::Result<Vec<_>>>()?;
        Ok((names, tys))
    }

    fn ret(&self, t: Option<&Type>, depth: usize) -> syn::Result<TokenStream> {
        match t {
            Some(t) => self.rust_ty(t, depth, Mode::Owned),
            None => Ok(quote!(())),
        }
    }

    /// `linker.func_typed(…)` for host function `f` of `iface`, implemented by trait `tr`.
    fn link_func(
        &self,
        f: &Func<'_>,
        iface: &str,
        tr: &Ident,
        depth: usize,
    ) -> syn::Result<TokenStream> {
        let wit = &f.f.name;
        let method = &f.method;
        let (names, tys) = self.params(f, "p", depth, Mode::Owned)?;
        let call = quote!(<U as #tr>::#method(get(cx.data_mut()), #(#names),*));
        let body = if self.config.trappable {
            call
        } else {
            quote!(::core::result::Result::Ok(#call))
        };
        Ok(quote! {
            linker.func_typed(#iface, #wit, move |cx: &mut ::wasmbed::HostCx<'_, T>, (#(#names,)*): (#(#tys,)*)| { #body });
        })
    }

    fn import_interface(
        &self,
        name: &str,
        id: InterfaceId,
        depth: usize,
    ) -> syn::Result<TokenStream> {
        let iface = &self.resolve.interfaces[id];
        let types = self.types_of(id, depth)?;
        let funcs: Vec<_> = iface.functions.values().map(func_of).collect();
        let mut traits = TokenStream::new();
        let mut supertraits = Vec::new();
        let mut links = Vec::new();
        let host = raw("Host");
        for (rname, rid) in &iface.types {
            if !matches!(self.resolve.types[*rid].kind, TypeDefKind::Resource) {
                continue;
            }
            let tr = raw(&format!("Host{}", camel(rname)));
            let marker = camel(rname);
            let members: Vec<_> = funcs.iter().filter(|f| f.resource == Some(*rid)).collect();
            let sigs = members
                .iter()
                .map(|f| self.host_sig(f, depth))
                .collect::<syn::Result<Vec<_>>>()?;
            traits.extend(quote! {
                /// The host's implementation of this resource.
                pub trait #tr {
                    #(#sigs;)*
                    /// The guest dropped its last handle to `rep`.
                    fn drop(&mut self, rep: ::wasmbed::Resource<#marker>) -> ::core::result::Result<(), ::wasmbed::Error>;
                }
            });
            for f in &members {
                links.push(self.link_func(f, name, &tr, depth)?);
            }
            links.push(quote! {
                linker.resource(#name, #rname, move |cx: &mut ::wasmbed::HostCx<'_, T>, rep: u32| {
                    <U as #tr>::drop(get(cx.data_mut()), ::wasmbed::Resource::new_own(rep))
                });
            });
            supertraits.push(tr);
        }
        let free: Vec<_> = funcs.iter().filter(|f| f.resource.is_none()).collect();
        let sigs = free
            .iter()
            .map(|f| self.host_sig(f, depth))
            .collect::<syn::Result<Vec<_>>>()?;
        for f in &free {
            links.push(self.link_func(f, name, &host, depth)?);
        }
        let colon = (!supertraits.is_empty()).then(|| quote!(:));
        let docs = docs(&iface.docs.contents);
        Ok(quote! {
            #types
            #traits
            #docs
            /// The host's implementation of this interface.
            pub trait Host #colon #(#supertraits)+* { #(#sigs;)* }

            /// Links this interface's functions to the implementation `get` selects from the host data.
            pub fn add_to_linker<T: 'static, U: Host + 'static>(
                linker: &mut ::wasmbed::Linker<T>,
                get: fn(&mut T) -> &mut U,
            ) -> ::core::result::Result<(), ::wasmbed::Error> {
                #(#links)*
                ::core::result::Result::Ok(())
            }
        })
    }

    /// A field holding export `f`, its initialization, and its `call_` method.
    fn export_func(
        &self,
        f: &Func<'_>,
        call_name: String,
        depth: usize,
    ) -> syn::Result<(TokenStream, TokenStream, TokenStream)> {
        let field = match f.resource {
            Some(r) => {
                let rname = self.resolve.types[r].name.clone().unwrap_or_default();
                raw(&format!(
                    "{}_{}",
                    snake(&rname).to_string().trim_end_matches('_'),
                    f.method.to_string().trim_end_matches('_')
                ))
            }
            None => f.method.clone(),
        };
        let call = raw(&format!(
            "call_{}",
            if f.resource.is_some() && f.method == "new" {
                "constructor".to_string()
            } else {
                f.method.to_string().trim_end_matches('_').to_string()
            }
        ));
        let (names, ptys) = self.params(f, "arg", depth, Mode::Param)?;
        let ret = self.ret(f.f.result.as_ref(), depth)?;
        let docs = docs(&f.f.docs.contents);
        Ok((
            quote!(#field: ::wasmbed::ExportFunc),
            quote!(#field: {
                let f = instance.export(#call_name)?;
                f.typecheck::<(#(#ptys,)*), #ret>(instance.world())?;
                f
            }),
            quote! {
                #docs
                pub fn #call<E: ::wasmbed::Engine, T: 'static>(
                    &self,
                    instance: &mut ::wasmbed::Instance<E, T>,
                    #(#names: #ptys),*
                ) -> ::core::result::Result<#ret, ::wasmbed::Error> {
                    self.#field.call_typed(instance, (#(#names,)*))
                }
            },
        ))
    }

    fn export_interface(
        &self,
        name: &str,
        id: InterfaceId,
        depth: usize,
    ) -> syn::Result<TokenStream> {
        let iface = &self.resolve.interfaces[id];
        let types = self.types_of(id, depth)?;
        let mut fields = Vec::new();
        let mut inits = Vec::new();
        let mut calls = Vec::new();
        let mut by_resource: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
        for f in iface.functions.values() {
            let func = func_of(f);
            let (field, init, call) =
                self.export_func(&func, format!("{name}#{}", f.name), depth)?;
            fields.push(field);
            inits.push(init);
            match func.resource {
                Some(r) => by_resource
                    .entry(self.resolve.types[r].name.clone().unwrap_or_default())
                    .or_default()
                    .push(call),
                None => calls.push(call),
            }
        }
        let mut resources = TokenStream::new();
        for (rname, rcalls) in by_resource {
            let ty = raw(&format!("Guest{}", camel(&rname)));
            let acc = snake(&rname);
            resources.extend(quote! {
                /// The calls into resource `#rname` of this interface.
                pub struct #ty<'a>(&'a Guest);
                impl core::ops::Deref for #ty<'_> {
                    type Target = Guest;
                    fn deref(&self) -> &Guest { self.0 }
                }
                impl #ty<'_> { #(#rcalls)* }
                impl Guest {
                    /// The calls into this resource.
                    pub fn #acc(&self) -> #ty<'_> { #ty(self) }
                }
            });
        }
        let docs = docs(&iface.docs.contents);
        Ok(quote! {
            #types
            #docs
            /// Typed calls into the guest's implementation of this interface.
            pub struct Guest { #(#fields,)* }

            impl Guest {
                /// Resolves and type-checks every function of this interface, once.
                pub fn new<E: ::wasmbed::Engine, T: 'static>(instance: &::wasmbed::Instance<E, T>)
                    -> ::core::result::Result<Guest, ::wasmbed::Error> {
                    ::core::result::Result::Ok(Guest { #(#inits,)* })
                }
                #(#calls)*
            }
            #resources
        })
    }
}
