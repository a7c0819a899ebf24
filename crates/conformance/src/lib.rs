//! Conformance of wasmbed with wasmtime's component runtime, call by call.
//!
//! The tests (in `tests/`) run the same guests on both runtimes with the
//! same host behaviour, record every value crossing the boundary as
//! [`Event`]s in wasmbed's [`Val`] form, and compare the two logs. This
//! library holds what does not depend on wasmtime: the log, value
//! comparison, the host behaviours and wasmbed's side of each run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use wasmbed::Val;

mod behaviour;
mod compare;
pub mod wasmbed_side;

pub use behaviour::{calc_host, types_host};
pub use compare::{first_difference, same_val};

/// What crossed the boundary, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The guest called host function `func` (`iface#name`, or `name` at world level) with `args`.
    Import {
        /// Which function.
        func: String,
        /// Its arguments.
        args: Vec<Val>,
    },
    /// The host called export `func`; it returned `result`, or trapped (`None`).
    Export {
        /// Which function.
        func: String,
        /// Its result, `None` when the call failed.
        result: Option<Option<Val>>,
    },
    /// A host resource object was destroyed (by its serial number).
    HostDrop(u32),
}

/// A log shared by the host functions of one run.
pub type Log = Arc<Mutex<Vec<Event>>>;

/// Appends `e` to `log` (a poisoned lock still records).
pub fn record(log: &Log, e: Event) {
    log.lock().unwrap_or_else(|p| p.into_inner()).push(e);
}

/// The events recorded so far.
pub fn events(log: &Log) -> Vec<Event> {
    log.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// How the host answers an import: by function name (`iface#name` or `name`) and arguments.
pub type Behaviour = Arc<dyn Fn(&str, &[Val]) -> Option<Val> + Send + Sync>;

/// A path from the repository's root.
pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}
