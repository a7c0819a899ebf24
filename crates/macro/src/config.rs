//! The macro's input, as wasmtime's `bindgen!` takes it: `"world"`,
//! `"world" in "path"`, or `{ world: …, path: …, inline: …, with: {…},
//! trappable_imports: … }`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{braced, Ident, LitBool, LitStr, Token};
use wit_parser::{Resolve, WorldId};

/// What the macro was asked to generate.
pub(crate) struct Config {
    world: Option<String>,
    paths: Vec<String>,
    inline: Option<String>,
    /// Host functions return `Result<_, wasmbed::Error>` to trap.
    pub(crate) trappable: bool,
    /// Interfaces whose bindings exist already: WIT name to Rust path.
    pub(crate) with: BTreeMap<String, syn::Path>,
    /// Extra derives on every generated type.
    pub(crate) derives: Vec<syn::Path>,
    span: Span,
}

impl Parse for Config {
    fn parse(input: ParseStream<'_>) -> syn::Result<Config> {
        let mut c = Config {
            world: None,
            paths: Vec::new(),
            inline: None,
            trappable: false,
            with: BTreeMap::new(),
            derives: Vec::new(),
            span: input.span(),
        };
        if input.peek(LitStr) {
            c.world = Some(input.parse::<LitStr>()?.value());
            if input.peek(Token![in]) {
                input.parse::<Token![in]>()?;
                c.paths.push(input.parse::<LitStr>()?.value());
            }
            return Ok(c);
        }
        if input.is_empty() {
            return Ok(c);
        }
        let body;
        braced!(body in input);
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            match key.to_string().as_str() {
                "world" => c.world = Some(body.parse::<LitStr>()?.value()),
                "path" => {
                    if body.peek(syn::token::Bracket) {
                        let list;
                        syn::bracketed!(list in body);
                        let paths = list.parse_terminated(|p| p.parse::<LitStr>(), Token![,])?;
                        c.paths.extend(paths.into_iter().map(|p| p.value()));
                    } else {
                        c.paths.push(body.parse::<LitStr>()?.value());
                    }
                }
                "inline" => c.inline = Some(body.parse::<LitStr>()?.value()),
                "trappable_imports" => c.trappable = body.parse::<LitBool>()?.value,
                "imports" => {
                    // wasmtime 48's `imports: { default: trappable }`.
                    let inner;
                    braced!(inner in body);
                    while !inner.is_empty() {
                        let _: Ident = inner.parse()?;
                        inner.parse::<Token![:]>()?;
                        let flags = inner.parse::<syn::Expr>()?;
                        let text = quote::quote!(#flags).to_string();
                        c.trappable |= text.contains("trappable");
                        if inner.peek(Token![,]) {
                            inner.parse::<Token![,]>()?;
                        }
                    }
                }
                "with" => {
                    let inner;
                    braced!(inner in body);
                    while !inner.is_empty() {
                        let name: LitStr = inner.parse()?;
                        inner.parse::<Token![:]>()?;
                        let path: syn::Path = inner.parse()?;
                        c.with.insert(name.value(), path);
                        if inner.peek(Token![,]) {
                            inner.parse::<Token![,]>()?;
                        }
                    }
                }
                "additional_derives" => {
                    let list;
                    syn::bracketed!(list in body);
                    let ds = list.parse_terminated(syn::Path::parse, Token![,])?;
                    c.derives.extend(ds);
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown `bindgen!` option `{other}` (known: world, path, inline, with, trappable_imports, imports, additional_derives)"),
                    ))
                }
            }
            if body.peek(Token![,]) {
                body.parse::<Token![,]>()?;
            }
        }
        Ok(c)
    }
}

impl Config {
    /// Reads the WIT and selects the world, as compile errors naming the file.
    pub(crate) fn load(&self) -> syn::Result<(Resolve, WorldId)> {
        let err = |msg: String| syn::Error::new(self.span, msg);
        let root = std::env::var("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_default();
        let mut resolve = Resolve::default();
        let mut packages = Vec::new();
        let paths: Vec<String> = match (&self.inline, self.paths.is_empty()) {
            (Some(_), true) => Vec::new(),
            (None, true) => vec!["wit".into()],
            _ => self.paths.clone(),
        };
        for p in &paths {
            let full = root.join(p);
            let (pkg, _) = resolve.push_path(&full).map_err(|e| {
                err(format!(
                    "failed to read WIT `{}`: {}",
                    full.display(),
                    chain(&e)
                ))
            })?;
            packages.push(pkg);
        }
        if let Some(src) = &self.inline {
            let pkg = resolve.push_str("inline.wit", src).map_err(|e| {
                let at = located(&resolve, e.downcast_ref(), e.downcast_ref());
                err(format!("failed to parse inline WIT: {}{at}", chain(&e)))
            })?;
            packages.push(pkg);
        }
        let world = resolve
            .select_world(&packages, self.world.as_deref())
            .map_err(|e| {
                err(format!(
                    "{} (in {})",
                    chain(&e),
                    where_(&paths, &self.inline)
                ))
            })?;
        Ok((resolve, world))
    }
}

fn where_(paths: &[String], inline: &Option<String>) -> String {
    let mut parts: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    if inline.is_some() {
        parts.push("the inline WIT".into());
    }
    parts.join(", ")
}

/// ` (at file:line:col)` for a WIT error that knows where it is.
fn located(
    resolve: &Resolve,
    parse: Option<&wit_parser::ParseError>,
    semantic: Option<&wit_parser::ResolveError>,
) -> String {
    let span = match (parse, semantic) {
        (Some(p), _) => p.kind().span(),
        (None, Some(r)) => r.kind().span(),
        (None, None) => return String::new(),
    };
    format!(" (at {})", resolve.source_map.render_location(span))
}

/// An error with its causes, on one line.
fn chain(e: &impl std::fmt::Display) -> String {
    format!("{e:#}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
