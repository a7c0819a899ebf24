//! A guest's exports, resolved once per guest: call names, core names and
//! types in one table that every instance of the guest shares, so a typed
//! handle made once works for all of them without a name lookup per call.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmbed_abi::names::canonicalize_interface_name;
use wasmbed_abi::FuncType;
use wasmbed_wit::world::{Item, World};

use crate::guest::{find_export, ExportFunc as CoreExport};
use crate::{Error, ErrorKind};

/// One exported function: its call name, its core names and its type.
pub(crate) struct ExportEntry {
    /// `f`, or `iface#f` as the world names the interface.
    pub(crate) call: String,
    /// The core export.
    pub(crate) core: String,
    /// The core post-return export.
    pub(crate) post: Option<String>,
    /// Shared (a `FuncType` is): a call holds it without copying the type.
    pub(crate) ty: FuncType,
}

/// The exports of one guest, sorted by call name.
#[derive(Default)]
pub(crate) struct ExportTable {
    pub(crate) entries: Vec<ExportEntry>,
}

impl ExportTable {
    /// Every world function the module exports, with its call name.
    pub(crate) fn new(world: &World, provided: &[((usize, usize), CoreExport)]) -> ExportTable {
        let mut entries = Vec::new();
        for (item, export) in world.exports.iter().enumerate() {
            let (iface, count) = match export {
                Item::Function(_) => (None, 1),
                Item::Interface(i) => (Some(i), i.functions.len()),
            };
            for func in 0..count {
                let e = find_export(provided, (item, func))
                    .ok()
                    .map(|i| &provided[i].1);
                let (Some(e), Some(f)) = (e, world.export_func(item, func)) else {
                    continue;
                };
                // The name calls use: the function's, qualified by its interface.
                let call = match iface {
                    None => f.name.clone(),
                    Some(i) => format!("{}#{}", i.name.as_str(), f.name),
                };
                // Kept sorted as it is built: call names are unique, and
                // a bisection and an insert are less code than a sort (on a
                // device, 2.8 KB of flash) for a table of a few dozen.
                let at = entries.partition_point(|x: &ExportEntry| x.call < call);
                entries.insert(
                    at,
                    ExportEntry {
                        call,
                        core: e.name.clone(),
                        post: e.post.clone(),
                        ty: f.ty.clone(),
                    },
                );
            }
        }
        ExportTable { entries }
    }

    /// The entry for `name`, accepting any semver-compatible interface version.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        if let Ok(i) = self.entries.binary_search_by(|e| e.call.as_str().cmp(name)) {
            return Some(i);
        }
        let (iface, func) = name.split_once('#')?;
        let want = canonicalize_interface_name(iface).ok()?;
        self.entries.iter().position(|e| {
            e.call.split_once('#').is_some_and(|(i, f)| {
                f == func && canonicalize_interface_name(i).is_ok_and(|c| c == want)
            })
        })
    }
}

/// An export of one guest, resolved by name once: valid for every instance of that guest.
#[derive(Clone)]
pub struct ExportFunc {
    pub(crate) index: usize,
    pub(crate) table: Arc<ExportTable>,
}

impl ExportFunc {
    pub(crate) fn resolve(table: &Arc<ExportTable>, name: &str) -> Result<ExportFunc, Error> {
        let index = table
            .find(name)
            .ok_or_else(|| Error::from(ErrorKind::UnknownExport(name.into())))?;
        Ok(ExportFunc {
            index,
            table: table.clone(),
        })
    }

    /// Its WIT type.
    pub fn ty(&self) -> &FuncType {
        &self.table.entries[self.index].ty
    }

    /// Its call name (`f`, or `iface#f`).
    pub fn name(&self) -> &str {
        &self.table.entries[self.index].call
    }

    pub(crate) fn entry(&self) -> &ExportEntry {
        &self.table.entries[self.index]
    }
}

impl core::fmt::Debug for ExportFunc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ExportFunc({})", self.name())
    }
}
