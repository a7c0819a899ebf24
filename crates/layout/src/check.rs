//! Audit of existing C headers across targets, and WIT proposals for C structs.
//!
//! The same header gives different bytes on different machines: `uint64_t` is
//! 4-aligned on i686, `int` is 16 bits on AVR and MSP430, `double` is 32 bits
//! with avr-gcc's defaults, and bitfields are allocated from the other end on
//! big-endian targets. [`check`] asks each target's real compiler (clang's
//! record-layout dump, or a GCC probe for Xtensa, which clang 14 lacks, and
//! for bare-metal Arm, whose short enums clang 14 does not follow) where every
//! field lies and marks what differs; [`from_c`] proposes a WIT record for a struct, so a team
//! can move to a portable layout one struct at a time.
//!
//! Only offsets and sizes count as differences: alignment alone changes no
//! byte of a struct (it shows up as offsets in the structs that embed it), and
//! byte order applies to every scalar alike (it counts only for bitfields,
//! whose bits it moves).

mod asm;
mod ast;
mod compare;
mod compiler;
mod ctype;
mod dump;
mod error;
mod probe;
mod render;
mod target;
#[cfg(test)]
mod tests;
mod wit;
mod wit_names;

use std::path::Path;

pub use compare::{Diff, FieldRow, Report, StructReport, Total};
pub use compiler::CompileOptions;
pub use error::CheckError;
pub use probe::Position;
pub use target::{parse_targets, Compiler, Target, REFERENCE, TARGETS};

use ast::Header;
use compiler::{compile, HeaderPath};

/// Lays out every struct and union that `header` defines on each of `targets`
/// with that target's compiler, and compares them.
///
/// Compilers run in parallel, one per target. The first target is the column
/// the others are compared with.
pub fn check(
    header: &Path,
    targets: &[Target],
    opts: &CompileOptions,
) -> Result<Report, CheckError> {
    if targets.is_empty() {
        return Err(CheckError::NoTargets);
    }
    let path = HeaderPath::new(header)?;
    let ast = read_header(&path, opts)?;
    let layouts = std::thread::scope(|s| {
        let running: Vec<_> = targets
            .iter()
            .map(|t| {
                let (ast, path) = (&ast, &path);
                s.spawn(move || probe::layout(t, ast, path, opts))
            })
            .collect();
        running
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(compare::compare(&ast, targets, &layouts))
}

/// Proposes WIT for the named structs of `header` (and the records and enums
/// they use), with the field widths of the [`REFERENCE`] target.
///
/// A struct is found by its tag (`foo` or `struct foo`) or typedef name. A
/// field with no faithful WIT counterpart (a pointer, a union, a long array)
/// is an error naming it, not a silent guess.
pub fn from_c(
    header: &Path,
    structs: &[String],
    opts: &CompileOptions,
) -> Result<String, CheckError> {
    let path = HeaderPath::new(header)?;
    let ast = read_header(&path, opts)?;
    let layout = probe::layout(&REFERENCE, &ast, &path, opts)?;
    wit::propose(&ast, &layout, structs, &path.shown.display().to_string())
}

/// The header's declarations, from clang's JSON AST on the reference target.
fn read_header(path: &HeaderPath, opts: &CompileOptions) -> Result<Header, CheckError> {
    let out = compile(
        &REFERENCE,
        path,
        opts,
        &["-Xclang", "-ast-dump=json"],
        &path.include_line(),
    )?;
    let json: serde_json::Value = serde_json::from_str(&out).map_err(|e| CheckError::Output {
        compiler: REFERENCE.compiler.program().to_owned(),
        target: REFERENCE.name.to_owned(),
        what: format!("JSON AST: {e}"),
    })?;
    Ok(Header::from_json(&json))
}
