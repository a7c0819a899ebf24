//! wasmbed: WIT-defined guests on embeddable core Wasm engines.
//!
//! Data flows one way: a [`World`] (from WIT) and a module make a [`Guest`],
//! checked once; a [`Linker`] holds the host's implementations; instantiating
//! gives an [`Instance`] whose exports are called with [`Val`]s. Every value
//! the guest hands over is validated by `wasmbed-abi`; a trap poisons the
//! instance.
//!
//! ```
//! # #[cfg(feature = "wasmi")] {
//! use wasmbed::{Guest, Limits, Linker, Val, Wasmi};
//! use wasmbed_wit::world::{Function, Item, World};
//! use wasmbed_abi::{FuncType, Type};
//!
//! let world = World {
//!     name: "demo".into(),
//!     imports: vec![],
//!     exports: vec![Item::Function(Function {
//!         name: "double".into(),
//!         ty: FuncType::new(vec![Type::U32], Some(Type::U32)).unwrap(),
//!     })],
//!     resources: vec![],
//! };
//! let wasm = wat::parse_str(
//!     r#"(module (func (export "cm32p2||double") (param i32) (result i32)
//!          local.get 0 local.get 0 i32.add))"#,
//! ).unwrap();
//! let engine = Wasmi::new();
//! let guest = Guest::new(&engine, &wasm, world).unwrap();
//! let mut instance = Linker::new().instantiate(&guest, (), Limits::default()).unwrap();
//! assert_eq!(instance.call("double", &[Val::U32(21)]).unwrap(), Some(Val::U32(42)));
//! # }
//! ```
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | reading worlds from WIT and modules (through `wasmbed-wit`) |
//! | `wasmi` | yes | the wasmi engine backend |
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod engine;
mod error;
mod exports;
mod flat;
mod guest;
mod host;
mod instance;
mod intrinsics;
mod linker;
mod pre;
mod state;
mod typed;
mod typed_export;
mod typed_import;

#[cfg(feature = "wasmi")]
pub use engine::wasmi::Wasmi;
pub use engine::{Engine, Limits};
pub use error::{Error, ErrorKind, TrapReason};
pub use exports::ExportFunc;
pub use flat::FlatCx;
pub use guest::{CoreImport, Guest, MemoryNeeds};
pub use host::HostCx;
pub use instance::Instance;
pub use linker::{DtorFn, Linker};
pub use pre::InstancePre;
pub use state::State;
pub use typed::{GuestBytes, GuestStr, HostArg, HostResult, IntoHostFunc};
pub use typed_export::{ExportParams, ExportResult, TypedExport};
pub use typed_import::ImportParams;
pub use wasmbed_abi::typed::{Resource, ResourceAny};
pub use wasmbed_abi::{Type, Val};
pub use wasmbed_wit::World;
