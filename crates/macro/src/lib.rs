//! `bindgen!` for wasmbed: Rust types, `Host` traits and typed export calls
//! generated from WIT, with the macro input and generated names of wasmtime's
//! `bindgen!`, so a wasmtime host ports by passing the instance where it
//! passed the store. The generated code is `no_std` + `alloc`.
//!
//! Use it through `wasmbed::bindgen!`.

mod config;
mod gen;
mod names;
mod types;

use proc_macro::TokenStream;

/// Generates bindings for a WIT world: see the `wasmbed` crate's documentation.
#[proc_macro]
pub fn bindgen(input: TokenStream) -> TokenStream {
    let config = syn::parse_macro_input!(input as config::Config);
    match config
        .load()
        .and_then(|(resolve, world)| gen::generate(&config, &resolve, world))
    {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}
