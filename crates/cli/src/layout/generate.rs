//! `wasmbed layout FILE.wit|DIR --lang c|rust`: portable struct layouts generated from WIT.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use wasmbed_layout::generate::{self as gen, GenerateError, Options, Selection};

/// Output language.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Lang {
    C,
    Rust,
}

#[derive(Args)]
pub(crate) struct GenArgs {
    /// A `.wit` file or a directory of them.
    #[arg(required = true)]
    pub(crate) wit: Option<PathBuf>,
    /// Only the types used by this world.
    #[arg(long, conflicts_with = "interface")]
    pub(crate) world: Option<String>,
    /// Only the types of this interface.
    #[arg(long)]
    pub(crate) interface: Option<String>,
    /// The language to generate.
    #[arg(long, value_enum, required = true)]
    pub(crate) lang: Option<Lang>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Emit strings, lists and handles as their (pointer, length) or index form, valid only inside one guest's memory.
    #[arg(long)]
    pub(crate) allow_guest_pointers: bool,
}

pub(crate) fn run(args: GenArgs) -> anyhow::Result<ExitCode> {
    let (Some(wit), Some(lang)) = (args.wit, args.lang) else {
        anyhow::bail!("`wasmbed layout` needs a WIT path and `--lang c|rust`");
    };
    let lang = match lang {
        Lang::C => gen::Lang::C,
        Lang::Rust => gen::Lang::Rust,
    };
    let selection = match (args.world, args.interface) {
        (Some(w), _) => Selection::World(w),
        (None, Some(i)) => Selection::Interface(i),
        (None, None) => Selection::Package,
    };
    let options = Options::new(lang)
        .selection(selection)
        .allow_guest_pointers(args.allow_guest_pointers);
    let generated = match gen::generate_path(&wit, &options) {
        Ok(g) => g,
        Err(GenerateError::Nothing { notes }) if notes.len() > 1 => {
            for note in &notes {
                eprintln!("note: {note}");
            }
            anyhow::bail!(
                "nothing to generate from {}: every type was skipped",
                wit.display()
            );
        }
        Err(e) => return Err(e.into()),
    };
    for note in &generated.notes {
        eprintln!("note: {note}");
    }
    match &args.output {
        Some(path) => std::fs::write(path, &generated.code)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{}", generated.code),
    }
    Ok(ExitCode::SUCCESS)
}
