//! The targets a header is audited on, and the compiler that speaks for each.

use super::CheckError;

/// How to get a target's layouts from a real compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compiler {
    /// `clang --target=TRIPLE`, read from its record-layout dump.
    Clang {
        /// The LLVM triple.
        triple: &'static str,
    },
    /// A GCC cross compiler, read from the constants of a probe compiled to assembly
    /// (for targets that clang 14 cannot compile for).
    Gcc {
        /// The program name, looked up in `PATH`.
        program: &'static str,
        /// Flags that select the ABI (`-mabi=ilp32`).
        args: &'static [&'static str],
    },
}

impl Compiler {
    /// The program that runs, for messages.
    pub fn program(&self) -> &'static str {
        match self {
            Compiler::Clang { .. } => "clang",
            Compiler::Gcc { program, .. } => program,
        }
    }
}

/// One architecture a shared struct may be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The short name used on the command line (`i686`).
    pub name: &'static str,
    /// The compiler whose answers are the truth for this target.
    pub compiler: Compiler,
}

/// Every known target, in the default order (the first is the reference column).
pub const TARGETS: &[Target] = &[
    clang("x86_64", "x86_64-unknown-linux-gnu"),
    clang("i686", "i686-unknown-linux-gnu"),
    clang("armv7", "armv7-unknown-linux-gnueabihf"),
    // arm-none-eabi-gcc, not clang 14: bare-metal EABI gives enums their smallest
    // size (as rustc's thumb targets do), and clang 14 keeps them 4 bytes.
    Target {
        name: "thumbv6m",
        compiler: Compiler::Gcc {
            program: "arm-none-eabi-gcc",
            args: &["-mcpu=cortex-m0", "-mthumb"],
        },
    },
    clang("riscv32", "riscv32-unknown-elf"),
    Target {
        name: "xtensa",
        compiler: Compiler::Gcc {
            program: "xtensa-lx106-elf-gcc",
            args: &[],
        },
    },
    clang("avr", "avr"),
    clang("msp430", "msp430-unknown-elf"),
    clang("wasm32", "wasm32-unknown-unknown"),
    clang("mips", "mips-unknown-linux-gnu"),
];

/// The target whose widths `from_c` keeps.
pub const REFERENCE: Target = TARGETS[0];

const fn clang(name: &'static str, triple: &'static str) -> Target {
    Target {
        name,
        compiler: Compiler::Clang { triple },
    }
}

/// Looks up target names, so a typo fails before any compiler runs.
///
/// An empty list means every target.
pub fn parse_targets<S: AsRef<str>>(names: &[S]) -> Result<Vec<Target>, CheckError> {
    if names.is_empty() {
        return Ok(TARGETS.to_vec());
    }
    let mut out: Vec<Target> = Vec::new();
    for name in names {
        let name = name.as_ref().trim();
        let target =
            TARGETS
                .iter()
                .find(|t| t.name == name)
                .ok_or_else(|| CheckError::UnknownTarget {
                    name: name.to_owned(),
                    known: TARGETS
                        .iter()
                        .map(|t| t.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
        if !out.contains(target) {
            out.push(*target);
        }
    }
    Ok(out)
}
