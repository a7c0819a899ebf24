//! Running the real compilers: one process per target, in parallel.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::target::{Compiler, Target};
use super::CheckError;

/// Extra preprocessor flags, so a header that needs `-I`/`-D` to compile can be audited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Directories searched by `#include`, as `-I`.
    pub include_dirs: Vec<PathBuf>,
    /// Macros, as `-D NAME` or `-D NAME=VALUE`.
    pub defines: Vec<String>,
}

/// The header being audited: the path as the user gave it (for messages) and
/// the absolute path (for `#include` in probes).
pub(crate) struct HeaderPath {
    pub(crate) shown: PathBuf,
    pub(crate) absolute: PathBuf,
}

impl HeaderPath {
    pub(crate) fn new(path: &Path) -> Result<Self, CheckError> {
        let missing = || CheckError::NoSuchHeader(path.to_path_buf());
        if !path.is_file() {
            return Err(missing());
        }
        let absolute = path.canonicalize().map_err(|_| missing())?;
        Ok(HeaderPath {
            shown: path.to_path_buf(),
            absolute,
        })
    }

    /// `#include "…"` with the absolute path, escaped for a C string.
    pub(crate) fn include_line(&self) -> String {
        let p = self.absolute.to_string_lossy();
        format!(
            "#include \"{}\"\n",
            p.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

/// Compiles `source` (given on standard input) for `target`, returning standard output.
///
/// Clang runs with `-fsyntax-only` and dumps record layouts; GCC compiles to assembly.
pub(crate) fn compile(
    target: &Target,
    header: &HeaderPath,
    opts: &CompileOptions,
    extra: &[&str],
    source: &str,
) -> Result<String, CheckError> {
    let program = target.compiler.program();
    let mut cmd = Command::new(program);
    match target.compiler {
        Compiler::Clang { triple } => {
            cmd.arg(format!("--target={triple}"))
                .args(["-fsyntax-only", "-fno-color-diagnostics"]);
        }
        Compiler::Gcc { args, .. } => {
            cmd.args(["-S", "-o", "-", "-fdiagnostics-color=never"])
                .args(args);
        }
    }
    cmd.args(["-ffreestanding", "-w"]).args(extra);
    if let Some(dir) = header.absolute.parent() {
        cmd.arg("-I").arg(dir);
    }
    for dir in &opts.include_dirs {
        cmd.arg("-I").arg(dir);
    }
    for def in &opts.defines {
        cmd.arg(format!("-D{def}"));
    }
    cmd.args(["-x", "c", "-"]);
    run(cmd, program, target.name, header, source)
}

fn run(
    mut cmd: Command,
    program: &str,
    target: &str,
    header: &HeaderPath,
    source: &str,
) -> Result<String, CheckError> {
    let io = |e: std::io::Error| CheckError::CompilerIo {
        compiler: program.to_owned(),
        message: e.to_string(),
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => CheckError::CompilerMissing(program.to_owned()),
            _ => io(e),
        })?;
    let mut stdin = child.stdin.take();
    // Write from another thread: the compiler may fill its output pipes first.
    let output = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut pipe) = stdin.take() {
                // A write error means the compiler exited early; its status says why.
                let _ = pipe.write_all(source.as_bytes());
            }
        });
        child.wait_with_output()
    })
    .map_err(io)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(CheckError::Compile {
            compiler: program.to_owned(),
            target: target.to_owned(),
            diagnostic: summarize(&stderr, header)
                .unwrap_or_else(|| format!("exited with {}", output.status)),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| CheckError::Output {
        compiler: program.to_owned(),
        target: target.to_owned(),
        what: "standard output is not UTF-8".to_owned(),
    })
}

/// The first error of a compiler's diagnostics as `file:line: error: message`,
/// with the header named as the user named it.
pub(crate) fn summarize(stderr: &str, header: &HeaderPath) -> Option<String> {
    let line = stderr
        .lines()
        .find(|l| l.contains(" error: ") || l.starts_with("error: "))?;
    let abs = header.absolute.to_string_lossy();
    let line = line.replace(abs.as_ref(), &header.shown.to_string_lossy());
    let line = line.replace("<stdin>", "(probe)");
    // `file:line:col: error: …` → `file:line: error: …`
    let Some(at) = line
        .find(": error: ")
        .or_else(|| line.find(": fatal error: "))
    else {
        return Some(line.trim().to_owned());
    };
    let (place, rest) = line.split_at(at);
    let mut parts: Vec<&str> = place.rsplitn(3, ':').collect();
    parts.reverse();
    let place = match parts.as_slice() {
        [file, line_no, col]
            if col.bytes().all(|b| b.is_ascii_digit())
                && line_no.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{file}:{line_no}")
        }
        _ => place.to_owned(),
    };
    Some(format!("{place}{rest}").trim().to_owned())
}
