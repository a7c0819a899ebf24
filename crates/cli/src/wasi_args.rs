//! `wasmbed run`'s WASI grants: flags and the `wasmbed.toml` manifest, turned into a `Policy`.
//!
//! The CLI grants stdout and stderr and nothing else unless the manifest or a
//! flag says so; flags win over the manifest. See `docs/wasi.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use wasmbed::{Guest, Wasmi, World};
use wasmbed_wasi::{Policy, WasiCtx};

use crate::guest::WorldArgs;

/// WASI grants on the command line.
#[derive(clap::Args)]
pub(crate) struct WasiArgs {
    /// Grants a host directory: `HOST[::GUEST][:ro]` (GUEST defaults to HOST).
    #[arg(long = "dir", value_name = "HOST[::GUEST][:ro]")]
    dirs: Vec<String>,
    /// Grants an environment variable `K=V`.
    #[arg(long = "env", value_name = "K=V")]
    env: Vec<String>,
    /// Grants every variable of wasmbed's own environment.
    #[arg(long)]
    inherit_env: bool,
    /// Grants standard input.
    #[arg(long)]
    stdin: bool,
    /// Denies stdout and stderr.
    #[arg(long)]
    no_stdio: bool,
    /// Denies the clocks even if the manifest grants them.
    #[arg(long)]
    deny_clock: bool,
    /// Denies random numbers even if the manifest grants them.
    #[arg(long)]
    deny_random: bool,
    /// The manifest (default: `wasmbed.toml` next to the guest, if there is one).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Arguments for the guest, after `--`.
    #[arg(last = true)]
    guest_args: Vec<String>,
}

/// The `[wasi]` table of `wasmbed.toml`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Manifest {
    #[serde(default)]
    wasi: WasiSection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WasiSection {
    #[serde(default)]
    stdin: bool,
    #[serde(default = "yes")]
    stdout: bool,
    #[serde(default = "yes")]
    stderr: bool,
    #[serde(default)]
    clocks: bool,
    #[serde(default)]
    random: bool,
    #[serde(default)]
    inherit_env: bool,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    dir: Vec<DirGrant>,
    max_open_fds: Option<u32>,
    max_write_bytes: Option<u32>,
}

impl Default for WasiSection {
    fn default() -> WasiSection {
        WasiSection {
            stdin: false,
            stdout: true,
            stderr: true,
            clocks: false,
            random: false,
            inherit_env: false,
            env: BTreeMap::new(),
            args: Vec::new(),
            dir: Vec::new(),
            max_open_fds: None,
            max_write_bytes: None,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DirGrant {
    host: PathBuf,
    guest: Option<String>,
    #[serde(default)]
    read_only: bool,
}

/// A preview 1 command module: one without a `component-type` section, checked against an empty world.
pub(crate) fn command_guest(
    file: &Path,
    world: &WorldArgs,
    engine: &Wasmi,
) -> Result<Option<Guest<Wasmi>>> {
    if world.wit.is_some() {
        return Ok(None);
    }
    let wasm = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let wasm = match file.extension().is_some_and(|e| e == "wat") {
        true => wat::parse_bytes(&wasm)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("{}", file.display()))?
            .into_owned(),
        false => wasm,
    };
    let world =
        wasmbed_wit::world_from_module(&wasm).with_context(|| format!("{}", file.display()))?;
    // Not a module at all: `load` reports that in one line.
    if world.is_some() || !wasm.starts_with(b"\0asm") {
        return Ok(None);
    }
    let name = file
        .file_stem()
        .map_or("guest".into(), |s| s.to_string_lossy());
    let guest = Guest::new(engine, &wasm, World::empty(&name))
        .with_context(|| format!("{}", file.display()))?;
    Ok(Some(guest))
}

impl WasiArgs {
    /// The grants for `file`: the manifest's, then the flags'.
    pub(crate) fn context(&self, file: &Path) -> Result<WasiCtx> {
        let (m, base) = self.manifest(file)?;
        let w = m.wasi;
        let name = file.display().to_string();
        let mut p = Policy::new()
            .arg(&name)
            .args(&w.args)
            .args(&self.guest_args);
        let stdio = !self.no_stdio;
        if stdio && w.stdout {
            p = p.stdout(std::io::stdout());
        }
        if stdio && w.stderr {
            p = p.stderr(std::io::stderr());
        }
        if self.stdin || w.stdin {
            p = p.stdin(std::io::stdin());
        }
        if w.clocks && !self.deny_clock {
            p = p.allow_clocks();
        }
        if w.random && !self.deny_random {
            p = p.allow_random();
        }
        if self.inherit_env || w.inherit_env {
            for (k, v) in std::env::vars() {
                p = p.env(&k, &v);
            }
        }
        for (k, v) in &w.env {
            p = p.env(k, v);
        }
        for kv in &self.env {
            let Some((k, v)) = kv.split_once('=') else {
                bail!("--env `{kv}`: expected K=V");
            };
            p = p.env(k, v);
        }
        for d in &w.dir {
            let guest = d
                .guest
                .clone()
                .unwrap_or_else(|| d.host.display().to_string());
            p = p.preopen_dir(base.join(&d.host), &guest, d.read_only);
        }
        for d in &self.dirs {
            let (host, guest, ro) = parse_dir(d);
            p = p.preopen_dir(host, &guest, ro);
        }
        if let Some(n) = w.max_open_fds {
            p = p.max_open_fds(n);
        }
        if let Some(n) = w.max_write_bytes {
            p = p.max_write_bytes(n);
        }
        Ok(p.build()?)
    }

    fn manifest(&self, file: &Path) -> Result<(Manifest, PathBuf)> {
        let next_to = file.parent().unwrap_or(Path::new(".")).join("wasmbed.toml");
        let path = match &self.manifest {
            Some(p) => p.clone(),
            None if next_to.is_file() => next_to,
            None => return Ok((Manifest::default(), PathBuf::from("."))),
        };
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        let m = toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok((m, base))
    }
}

/// `HOST[::GUEST][:ro]`.
fn parse_dir(spec: &str) -> (PathBuf, String, bool) {
    let (spec, ro) = match spec.strip_suffix(":ro") {
        Some(s) => (s, true),
        None => (spec, false),
    };
    match spec.split_once("::") {
        Some((h, g)) => (PathBuf::from(h), g.to_string(), ro),
        None => (PathBuf::from(spec), spec.to_string(), ro),
    }
}
