//! Core import and export names of WIT items, under both naming schemes.
//!
//! `cm32p2` is the Component Model's core module build target
//! (`BuildTargets.md`); `Legacy` is what wit-bindgen emits today. A host
//! builds the names of its world once and matches a module's names by string
//! equality, as the build target intends.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use core::fmt;

/// The prefix of every `cm32p2` name.
pub const CM32P2: &str = "cm32p2";

/// How a module names the imports and exports of its world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// The `cm32p2` build target.
    Cm32p2,
    /// wit-bindgen's names (`$root`, `iface#func`, `cabi_realloc`, …).
    Legacy,
}

/// Where a function or resource lives: the world itself, or an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner<'a> {
    /// Imported or exported directly by the world.
    World,
    /// An interface named inline in the world (`import j: interface { … }`): its plain name.
    Inline(&'a str),
    /// A package interface: its full id with version, `ns:pkg/iface@1.2.3`.
    Interface(&'a str),
}

/// One of the intrinsics a module imports for a resource it exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceIntrinsic {
    /// `resource.new`: `(i32) -> i32`.
    New,
    /// `resource.rep`: `(i32) -> i32`.
    Rep,
    /// `resource.drop`: `(i32)`.
    Drop,
}

/// An interface name whose version is not valid semver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadVersion;

impl fmt::Display for BadVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interface version is not `major.minor.patch[-pre][+build]`")
    }
}

impl core::error::Error for BadVersion {}

/// Canonicalizes an interface name for `cm32p2`: `a:b/c@1.2.3` → `a:b/c@1`.
///
/// Keeps a pre-release version whole, drops build metadata, and keeps only
/// the version parts that semver compatibility depends on. Two legacy names
/// are semver-compatible exactly when their canonical forms are equal.
pub fn canonicalize_interface_name(name: &str) -> Result<Cow<'_, str>, BadVersion> {
    let Some((base, version)) = name.split_once('@') else {
        return Ok(Cow::Borrowed(name));
    };
    let version = version.split_once('+').map_or(version, |(v, _build)| v);
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) if !pre.is_empty() => (core, Some(pre)),
        Some(_) => return Err(BadVersion),
        None => (version, None),
    };
    let mut parts = core.split('.');
    let (Some(major), Some(minor), Some(patch), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BadVersion);
    };
    for part in [major, minor, patch] {
        let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !digits || (part.len() > 1 && part.starts_with('0')) {
            return Err(BadVersion);
        }
    }
    // What is kept is always the start of the version, so of `name`.
    let kept = match (pre, major, minor) {
        // `core-pre`
        (Some(_), ..) => version.len(),
        // `0.0.patch`
        (None, "0", "0") => core.len(),
        // `0.minor`
        (None, "0", _) => "0.".len() + minor.len(),
        (None, ..) => major.len(),
    };
    // Always a character boundary (after an ASCII digit, or before `+` or
    // the end): `get` never fails, and links no panic.
    name.get(..base.len() + "@".len() + kept)
        .map(Cow::Borrowed)
        .ok_or(BadVersion)
}

/// Whether a core name belongs to the `cm32p2` target (and so must be in the target world).
pub fn is_cm32p2(name: &str) -> bool {
    name.strip_prefix(CM32P2)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('|') || rest.starts_with('_'))
}

impl Scheme {
    /// The interface part of a name: canonical for `cm32p2`, as written for legacy.
    fn interface<'a>(self, owner: Owner<'a>) -> Result<Cow<'a, str>, BadVersion> {
        match (self, owner) {
            (_, Owner::World) => Ok(Cow::Borrowed("")),
            (_, Owner::Inline(name)) => Ok(Cow::Borrowed(name)),
            (Scheme::Cm32p2, Owner::Interface(id)) => canonicalize_interface_name(id),
            (Scheme::Legacy, Owner::Interface(id)) => Ok(Cow::Borrowed(id)),
        }
    }

    /// The module name under which a world's imported functions of `owner` are imported.
    pub fn import_module(self, owner: Owner<'_>) -> Result<String, BadVersion> {
        let iface = self.interface(owner)?;
        Ok(match (self, owner) {
            (Scheme::Cm32p2, Owner::World) => String::from(CM32P2),
            (Scheme::Cm32p2, _) => format!("{CM32P2}|{iface}"),
            (Scheme::Legacy, Owner::World) => String::from("$root"),
            (Scheme::Legacy, _) => iface.into_owned(),
        })
    }

    /// `(module, name)` of the import of function `func` (WIT name, with any `[method]…` decoration).
    pub fn import_func(self, owner: Owner<'_>, func: &str) -> Result<(String, String), BadVersion> {
        Ok((self.import_module(owner)?, String::from(func)))
    }

    /// `(module, name)` of the drop of an imported resource.
    pub fn import_resource_drop(
        self,
        owner: Owner<'_>,
        resource: &str,
    ) -> Result<(String, String), BadVersion> {
        let name = match self {
            Scheme::Cm32p2 => format!("{resource}_drop"),
            Scheme::Legacy => format!("[resource-drop]{resource}"),
        };
        Ok((self.import_module(owner)?, name))
    }

    /// `(module, name)` of an intrinsic the module imports for a resource it exports.
    pub fn exported_resource_intrinsic(
        self,
        owner: Owner<'_>,
        resource: &str,
        which: ResourceIntrinsic,
    ) -> Result<(String, String), BadVersion> {
        let iface = self.interface(owner)?;
        Ok(match self {
            Scheme::Cm32p2 => {
                let suffix = match which {
                    ResourceIntrinsic::New => "new",
                    ResourceIntrinsic::Rep => "rep",
                    ResourceIntrinsic::Drop => "drop",
                };
                (
                    format!("{CM32P2}|_ex_{iface}"),
                    format!("{resource}_{suffix}"),
                )
            }
            Scheme::Legacy => {
                let module = match owner {
                    Owner::World => String::from("[export]$root"),
                    _ => format!("[export]{iface}"),
                };
                let op = match which {
                    ResourceIntrinsic::New => "new",
                    ResourceIntrinsic::Rep => "rep",
                    ResourceIntrinsic::Drop => "drop",
                };
                (module, format!("[resource-{op}]{resource}"))
            }
        })
    }

    /// Export name of function `func` that the world exports.
    pub fn export_func(self, owner: Owner<'_>, func: &str) -> Result<String, BadVersion> {
        let iface = self.interface(owner)?;
        Ok(match (self, owner) {
            (Scheme::Cm32p2, _) => format!("{CM32P2}|{iface}|{func}"),
            (Scheme::Legacy, Owner::World) => String::from(func),
            (Scheme::Legacy, _) => format!("{iface}#{func}"),
        })
    }

    /// Export name of the post-return function of an exported function.
    pub fn export_post_return(self, owner: Owner<'_>, func: &str) -> Result<String, BadVersion> {
        let export = self.export_func(owner, func)?;
        Ok(match self {
            Scheme::Cm32p2 => format!("{export}_post"),
            Scheme::Legacy => format!("cabi_post_{export}"),
        })
    }

    /// Export name of the destructor of an exported resource.
    pub fn export_dtor(self, owner: Owner<'_>, resource: &str) -> Result<String, BadVersion> {
        let iface = self.interface(owner)?;
        Ok(match (self, owner) {
            (Scheme::Cm32p2, _) => format!("{CM32P2}|{iface}|{resource}_dtor"),
            (Scheme::Legacy, Owner::World) => format!("[dtor]{resource}"),
            (Scheme::Legacy, _) => format!("{iface}#[dtor]{resource}"),
        })
    }

    /// Export name of the linear memory.
    pub fn memory(self) -> &'static str {
        match self {
            Scheme::Cm32p2 => "cm32p2_memory",
            Scheme::Legacy => "memory",
        }
    }

    /// Export name of `realloc`.
    pub fn realloc(self) -> &'static str {
        match self {
            Scheme::Cm32p2 => "cm32p2_realloc",
            Scheme::Legacy => "cabi_realloc",
        }
    }

    /// Export name of the initialization function, called once before anything else.
    pub fn initialize(self) -> &'static str {
        match self {
            Scheme::Cm32p2 => "cm32p2_initialize",
            Scheme::Legacy => "_initialize",
        }
    }

    /// The scheme a module uses, judged from its import modules and export names.
    ///
    /// Any `cm32p2` name makes it `cm32p2`; otherwise it is legacy.
    pub fn detect<'a>(
        import_modules: impl IntoIterator<Item = &'a str>,
        export_names: impl IntoIterator<Item = &'a str>,
    ) -> Scheme {
        let mut names = import_modules.into_iter().chain(export_names);
        if names.any(is_cm32p2) {
            Scheme::Cm32p2
        } else {
            Scheme::Legacy
        }
    }
}

#[cfg(test)]
mod tests;
