//! WIT to C headers and Rust types whose bytes are the Canonical ABI's on every architecture.
//!
//! Every record, tuple, variant, option, result, enum and flags type of the
//! selection whose layout is fixed-size becomes a type made only of bytes
//! (C: `uint8_t` arrays with explicit padding and little-endian accessors;
//! Rust: `zerocopy`'s little-endian integers in a `#[repr(C)]` struct), so a
//! compiler has nothing to pad or align and the bytes are the guest's. Static
//! assertions on the size and every offset make a compiler that disagrees
//! refuse to build.
//!
//! ```
//! use wasmbed_layout::generate::{generate, Lang, Options};
//! use wasmbed_wit::wit_parser::Resolve;
//!
//! let mut resolve = Resolve::default();
//! let pkg = resolve
//!     .push_str("t.wit", "package a:b; interface t { record point { x: u8, y: u32 } }")
//!     .unwrap();
//! let out = generate(&resolve, pkg, &Options::new(Lang::C)).unwrap();
//! assert!(out.code.contains("_Static_assert(offsetof(a_b_point_t, y) == 4"));
//! ```

use std::path::Path;

use wasmbed_wit::wit_parser::{PackageId, Resolve};
use wasmbed_wit::{named_types, SelectError, WitError};

mod build;
mod c;
mod c_prelude;
mod fixed;
mod model;
mod names;
mod rust;

pub use wasmbed_wit::Selection;

/// The language to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// One C11 header, freestanding: `<stdint.h>` and `<stddef.h>` only.
    C,
    /// One Rust module: `core` and `zerocopy` 0.8 only.
    Rust,
}

/// What to generate, and from which part of the package.
#[derive(Clone, Debug)]
pub struct Options {
    lang: Lang,
    selection: Selection,
    allow_guest_pointers: bool,
}

impl Options {
    /// Every named type of the package, in `lang`, skipping strings, lists and handles.
    pub fn new(lang: Lang) -> Self {
        Options {
            lang,
            selection: Selection::Package,
            allow_guest_pointers: false,
        }
    }

    /// Only the types of one interface, or those one world uses.
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// Keeps strings and lists as (pointer, length) pairs and handles as `u32` indices.
    ///
    /// Such fields mean something only inside one guest's memory and tables.
    pub fn allow_guest_pointers(mut self, allow: bool) -> Self {
        self.allow_guest_pointers = allow;
        self
    }
}

/// Generated source, and the types left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The header or module.
    pub code: String,
    /// One line per skipped type: `skipped `pair`: field `b` is a `string` (…)`.
    pub notes: Vec<String>,
}

/// Why nothing was generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The WIT did not load.
    #[error(transparent)]
    Wit(#[from] WitError),
    /// The interface or world asked for does not exist.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// Every selected type was skipped, or there was none.
    #[error("{}", nothing_message(notes))]
    Nothing {
        /// Why each type was skipped.
        notes: Vec<String>,
    },
}

fn nothing_message(notes: &[String]) -> String {
    match notes {
        [] => String::from(
            "no record, tuple, variant, option, result, enum or flags type to generate",
        ),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (and {} more types skipped)", rest.len()),
    }
}

/// Generates from a `.wit` file or a directory of them (with its `deps/`).
pub fn generate_path(path: &Path, options: &Options) -> Result<Generated, GenerateError> {
    let loaded = wasmbed_wit::load_path(path)?;
    generate(&loaded.resolve, loaded.package, options)
}

/// Generates from a package already resolved.
pub fn generate(
    resolve: &Resolve,
    package: PackageId,
    options: &Options,
) -> Result<Generated, GenerateError> {
    let roots = named_types(resolve, package, &options.selection)?;
    let scope = match &options.selection {
        Selection::Package => None,
        Selection::Interface(n) | Selection::World(n) => Some(n.clone()),
    };
    let model = model::Model::build(
        resolve,
        &resolve.packages[package].name,
        scope,
        &roots,
        options.allow_guest_pointers,
    );
    if model.items.is_empty() {
        return Err(GenerateError::Nothing { notes: model.notes });
    }
    let code = match options.lang {
        Lang::C => c::header(&model),
        Lang::Rust => rust::module(&model),
    };
    Ok(Generated {
        code,
        notes: model.notes,
    })
}
