//! `wasmbed run`'s WASI grants: flags and the `wasmbed.toml` manifest, turned into a `Policy`.
//!
//! The CLI grants stdout and stderr and nothing else unless the manifest or a
//! flag says so; flags win over the manifest. See `docs/wasi.md`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use toml::Spanned;
use wasmbed::{Engine, Guest, World};
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
    /// Grants the clocks (wall clock, monotonic clock, their resolutions).
    #[arg(long, conflicts_with = "deny_clock")]
    clock: bool,
    /// Grants random numbers.
    #[arg(long, conflicts_with = "deny_random")]
    random: bool,
    /// Denies the clocks even if the manifest grants them.
    #[arg(long)]
    deny_clock: bool,
    /// Denies random numbers even if the manifest grants them.
    #[arg(long)]
    deny_random: bool,
    /// The manifest (default: `wasmbed.toml` next to the guest, if there is one).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Arguments for the guest: everything after the module (`--` before
    /// them is optional), as `wasmtime run` takes them.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    guest_args: Vec<String>,
}

/// `wasmbed.toml`: its `[wasi]` and `[threads]` tables.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Manifest {
    #[serde(default)]
    wasi: WasiSection,
    threads: Option<Spanned<crate::threads_args::ThreadsSection>>,
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
    env: BTreeMap<Spanned<String>, String>,
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
    host: Spanned<PathBuf>,
    guest: Option<String>,
    #[serde(default)]
    read_only: bool,
}

/// A preview 1 command module: one without a `component-type` section, checked against an empty world.
pub(crate) fn command_guest<E: Engine>(
    file: &Path,
    world: &WorldArgs,
    engine: &E,
) -> Result<Option<Guest<E>>> {
    if world.wit.is_some() {
        return Ok(None);
    }
    let wasm = crate::guest::module_bytes(file)?;
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
        let src = self.manifest(file)?;
        let w = &src.manifest.wasi;
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
            p = p.stderr(crate::GuestStderr);
        }
        if self.stdin || w.stdin {
            p = p.stdin(std::io::stdin());
        }
        if (w.clocks || self.clock) && !self.deny_clock {
            p = p.allow_clocks();
        }
        if (w.random || self.random) && !self.deny_random {
            p = p.allow_random();
        }
        for (k, v) in self.env(&src)? {
            p = p.env(&k, &v);
        }
        for d in self.preopens(&src)? {
            p = p.preopen_dir(d.host, &d.guest, d.read_only);
        }
        if let Some(n) = w.max_open_fds {
            p = p.max_open_fds(n);
        }
        if let Some(n) = w.max_write_bytes {
            p = p.max_write_bytes(n);
        }
        Ok(p.build()?)
    }

    /// The manifest's thread grants for `file`; none without a `[threads]` table.
    pub(crate) fn threads(&self, file: &Path) -> Result<Option<wasmbed_threads::Grants>> {
        let src = self.manifest(file)?;
        match &src.manifest.threads {
            None => Ok(None),
            Some(t) => t.get_ref().grants(&src.at(t.span())).map(Some),
        }
    }

    /// The environment: inherited, then the manifest's, then `--env`; a later value wins.
    fn env(&self, src: &Source) -> Result<BTreeMap<String, String>> {
        let w = &src.manifest.wasi;
        let mut env = BTreeMap::new();
        if self.inherit_env || w.inherit_env {
            for (k, v) in std::env::vars_os() {
                match (k.into_string(), v.into_string()) {
                    (Ok(k), Ok(v)) => drop(env.insert(k, v)),
                    (k, _) => tracing::warn!(
                        "inherit-env: `{}` is not Unicode; not granted",
                        k.unwrap_or_else(|k| k.to_string_lossy().into_owned())
                    ),
                }
            }
        }
        for (k, v) in &w.env {
            if let Some(why) = bad_env(k.get_ref(), v) {
                bail!("{}: `wasi.env`: {why}", src.at(k.span()));
            }
            env.insert(k.get_ref().clone(), v.clone());
        }
        for kv in &self.env {
            let Some((k, v)) = kv.split_once('=') else {
                bail!("--env `{kv}`: expected K=V");
            };
            if let Some(why) = bad_env(k, v) {
                bail!("--env `{kv}`: {why}");
            }
            env.insert(k.to_string(), v.to_string());
        }
        Ok(env)
    }

    /// The preopens: the manifest's, then `--dir`'s; a flag replaces a manifest
    /// directory with the same guest path. Each must be a directory.
    fn preopens(&self, src: &Source) -> Result<Vec<Preopen>> {
        let mut dirs: Vec<Preopen> = Vec::new();
        for d in &src.manifest.wasi.dir {
            let host = src.base().join(d.host.get_ref());
            is_dir(&host).with_context(|| {
                let at = src.at(d.host.span());
                format!("{at}: `wasi.dir` host `{}`", d.host.get_ref().display())
            })?;
            let guest = d
                .guest
                .clone()
                .unwrap_or_else(|| d.host.get_ref().display().to_string());
            dirs.push(Preopen {
                host,
                guest,
                read_only: d.read_only,
            });
        }
        for spec in &self.dirs {
            let (host, guest, read_only) = parse_dir(spec);
            is_dir(&host).with_context(|| format!("--dir `{spec}`"))?;
            let d = Preopen {
                host,
                guest,
                read_only,
            };
            match dirs.iter_mut().find(|m| m.guest == d.guest) {
                Some(m) => *m = d,
                None => dirs.push(d),
            }
        }
        Ok(dirs)
    }

    /// The manifest: `--manifest`, else `wasmbed.toml` next to the guest, else none.
    fn manifest(&self, file: &Path) -> Result<Source> {
        let next_to = file.parent().unwrap_or(Path::new(".")).join("wasmbed.toml");
        let path = match &self.manifest {
            Some(p) => p.clone(),
            None if next_to.is_file() => next_to,
            None => {
                return Ok(Source {
                    path: PathBuf::new(),
                    text: String::new(),
                    manifest: Manifest::default(),
                })
            }
        };
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        let mut src = Source {
            path,
            text,
            manifest: Manifest::default(),
        };
        src.manifest = toml::from_str(&src.text).map_err(|e| {
            let at = match e.span() {
                Some(span) => src.at(span),
                None => src.path.display().to_string(),
            };
            // toml's messages may span lines; ours are one.
            let msg: Vec<&str> = e.message().lines().map(str::trim).collect();
            anyhow!("{at}: {}", msg.join("; "))
        })?;
        Ok(src)
    }
}

/// A manifest with its file and text, to say where in it something is wrong
/// (without a manifest: the defaults, no path and no text).
struct Source {
    path: PathBuf,
    text: String,
    manifest: Manifest,
}

impl Source {
    /// `PATH:LINE:COLUMN` of a byte span, 1-based.
    fn at(&self, span: Range<usize>) -> String {
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        format!("{}:{line}:{column}", self.path.display())
    }

    /// The directory the manifest's paths are relative to.
    fn base(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// A directory to preopen.
struct Preopen {
    host: PathBuf,
    guest: String,
    read_only: bool,
}

/// Why `K=V` cannot be an environment variable, if it cannot.
fn bad_env(k: &str, v: &str) -> Option<String> {
    if k.is_empty() {
        Some("empty variable name".into())
    } else if k.contains('=') {
        Some(format!("variable name `{k}` contains `=`"))
    } else if k.contains('\0') || v.contains('\0') {
        Some(format!(
            "variable `{}` contains a NUL byte",
            k.escape_default()
        ))
    } else {
        None
    }
}

/// Fails unless `path` is a directory.
fn is_dir(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        bail!("not a directory");
    }
    Ok(())
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
