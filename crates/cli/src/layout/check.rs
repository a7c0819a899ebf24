//! `wasmbed layout check` and `wasmbed layout from-c`: audit existing C headers.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wasmbed_layout::check::{self, CompileOptions};

/// Exit status when some struct's layout differs between targets.
const DIFFERS: u8 = 2;

#[derive(Args)]
#[command(
    after_help = "Exit status: 0 if every struct has the same field offsets and sizes \
    on every target, 2 if any differs, 1 on error (missing header or compiler, compile error).\n\
    Layouts come from each target's real compiler: clang, except xtensa-lx106-elf-gcc \
    for xtensa and arm-none-eabi-gcc for thumbv6m."
)]
pub(crate) struct CheckArgs {
    /// The C header to audit.
    pub(crate) header: PathBuf,
    /// Comma-separated targets: x86_64,i686,armv7,thumbv6m,riscv32,xtensa,avr,msp430,wasm32,mips (default: all; the first is the reference column)
    #[arg(long, value_delimiter = ',')]
    pub(crate) targets: Vec<String>,
    #[command(flatten)]
    pub(crate) cc: CcArgs,
}

#[derive(Args)]
#[command(
    after_help = "Field widths are those clang gives on x86_64; the output notes every \
    field whose C type is not the same width everywhere. Pointers, unions, anonymous members \
    and arrays of more than 16 elements are refused with the reason."
)]
pub(crate) struct FromCArgs {
    /// The C header that defines the structs.
    pub(crate) header: PathBuf,
    /// The structs to turn into WIT records (`foo`, `struct foo` or a typedef name).
    #[arg(required = true)]
    pub(crate) structs: Vec<String>,
    #[command(flatten)]
    pub(crate) cc: CcArgs,
}

/// Preprocessor flags passed to every compiler.
#[derive(Args)]
pub(crate) struct CcArgs {
    /// Add a directory to the `#include` search path.
    #[arg(short = 'I', long = "include-dir", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// Define a macro (`NAME` or `NAME=VALUE`).
    #[arg(short = 'D', long = "define", value_name = "NAME[=VALUE]")]
    defines: Vec<String>,
}

impl CcArgs {
    fn options(self) -> CompileOptions {
        CompileOptions {
            include_dirs: self.include_dirs,
            defines: self.defines,
        }
    }
}

pub(crate) fn run_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let targets = check::parse_targets(&args.targets)?;
    let report = check::check(&args.header, &targets, &args.cc.options())?;
    print!("{}", report.render(&args.header.display().to_string()));
    Ok(match report.differs() {
        true => ExitCode::from(DIFFERS),
        false => ExitCode::SUCCESS,
    })
}

pub(crate) fn run_from_c(args: FromCArgs) -> anyhow::Result<ExitCode> {
    let wit = check::from_c(&args.header, &args.structs, &args.cc.options())?;
    print!("{wit}");
    Ok(ExitCode::SUCCESS)
}
