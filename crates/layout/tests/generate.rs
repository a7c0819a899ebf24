//! Golden tests of `wasmbed layout` generation.
//!
//! Each `tests/golden/CASE/` has an `input.wit`, optional `args` (command-line
//! options), and the expected `out.h`, `out.rs` and `notes.txt`, or
//! `error.txt` when generation fails. The guest's header and module
//! (`guests/layout/layout.{h,rs}`) are checked the same way. `BLESS=1`
//! rewrites the expected files. Every header is then compiled for ten
//! targets, and every module is compiled here, with its const assertions.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasmbed_layout::generate::{generate_path, GenerateError, Generated, Lang, Options, Selection};

#[path = "golden/vectors/cross_check.rs"]
mod cross_check;

// The generated modules, compiled into this test with their const assertions.
#[allow(dead_code, unreachable_pub)]
mod golden_guest_pointers {
    include!("golden/guest-pointers/out.rs");
}
#[allow(dead_code, unreachable_pub)]
mod golden_vectors {
    include!("golden/vectors/out.rs");
}
#[allow(dead_code, unreachable_pub)]
mod golden_world {
    include!("golden/world/out.rs");
}
/// The cases whose `out.rs` is included above.
const INCLUDED: &[&str] = &["guest-pointers", "vectors", "world"];

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
const GUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/layout");

/// One generation to check: where the input is and where each output goes.
struct Case {
    name: String,
    input: PathBuf,
    args: Vec<String>,
    out_h: PathBuf,
    out_rs: PathBuf,
    notes: Option<PathBuf>,
    error: Option<PathBuf>,
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(GOLDEN)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut cases: Vec<Case> = dirs
        .into_iter()
        .map(|dir| {
            let args = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
            Case {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                input: dir.join("input.wit"),
                args: args.split_whitespace().map(str::to_owned).collect(),
                out_h: dir.join("out.h"),
                out_rs: dir.join("out.rs"),
                notes: Some(dir.join("notes.txt")),
                error: Some(dir.join("error.txt")),
            }
        })
        .collect();
    let guest = Path::new(GUEST);
    cases.push(Case {
        name: String::from("guests/layout"),
        input: guest.join("layout.wit"),
        args: Vec::new(),
        out_h: guest.join("layout.h"),
        out_rs: guest.join("layout.rs"),
        notes: None,
        error: None,
    });
    cases
}

fn options(case: &Case, lang: Lang) -> Options {
    let mut options = Options::new(lang);
    let mut args = case.args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("an option's value").clone();
        options = match arg.as_str() {
            "--allow-guest-pointers" => options.allow_guest_pointers(true),
            "--interface" => options.selection(Selection::Interface(value())),
            "--world" => options.selection(Selection::World(value())),
            other => panic!("{}: unknown option `{other}` in `args`", case.name),
        };
    }
    options
}

/// Compares `actual` with the file at `path` (absent when `None`), or writes it under `BLESS`.
fn check(path: Option<&Path>, actual: Option<&str>, failures: &mut Vec<String>) {
    let bless = std::env::var_os("BLESS").is_some();
    let Some(path) = path else {
        if let Some(actual) = actual {
            failures.push(format!("expected nothing, got:\n{actual}"));
        }
        return;
    };
    if bless {
        match actual {
            Some(text) => std::fs::write(path, text).unwrap(),
            None if path.exists() => std::fs::remove_file(path).unwrap(),
            None => {}
        }
        return;
    }
    let expected = std::fs::read_to_string(path).ok();
    if expected.as_deref() == actual {
        return;
    }
    let what = match (&expected, actual) {
        (None, _) => String::from("is missing"),
        (Some(_), None) => String::from("should not exist"),
        (Some(e), Some(a)) => {
            let line = e.lines().zip(a.lines()).position(|(x, y)| x != y);
            let line = line.unwrap_or_else(|| e.lines().count().min(a.lines().count()));
            format!(
                "differs from line {}: expected {:?}, got {:?}",
                line + 1,
                e.lines().nth(line).unwrap_or("<end>"),
                a.lines().nth(line).unwrap_or("<end>")
            )
        }
    };
    failures.push(format!("{} {what}", path.display()));
}

fn joined(notes: &[String]) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("\n") + "\n")
}

#[test]
fn golden_outputs_match() {
    let mut failures = Vec::new();
    for case in cases() {
        let c = generate_path(&case.input, &options(&case, Lang::C));
        let rust = generate_path(&case.input, &options(&case, Lang::Rust));
        match (c, rust) {
            (Ok(c), Ok(rust)) => {
                assert_eq!(
                    c.notes, rust.notes,
                    "{}: notes differ by language",
                    case.name
                );
                check(Some(&case.out_h), Some(&c.code), &mut failures);
                check(Some(&case.out_rs), Some(&rust.code), &mut failures);
                check(
                    case.notes.as_deref(),
                    joined(&c.notes).as_deref(),
                    &mut failures,
                );
                check(case.error.as_deref(), None, &mut failures);
            }
            (Err(c), Err(rust)) => {
                assert_eq!(c.to_string(), rust.to_string(), "{}", case.name);
                let text = format!("{c}\n");
                check(case.error.as_deref(), Some(&text), &mut failures);
                for path in [&case.out_h, &case.out_rs] {
                    check(Some(path), None, &mut failures);
                }
                check(case.notes.as_deref(), None, &mut failures);
            }
            (c, rust) => panic!("{}: C gave {c:?}, Rust gave {rust:?}", case.name),
        }
    }
    assert!(
        failures.is_empty(),
        "golden files differ (run with BLESS=1 to accept):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_golden_rust_module_is_compiled_here() {
    let with_rs: Vec<String> = cases()
        .into_iter()
        .filter(|c| c.error.is_some() && c.out_rs.exists())
        .map(|c| c.name)
        .collect();
    assert_eq!(with_rs, INCLUDED, "add an `include!` module for each case");
}

#[test]
fn errors_name_what_and_where() {
    let input = Path::new(GOLDEN).join("vectors/input.wit");
    let err = generate_path(
        &input,
        &Options::new(Lang::C).selection(Selection::World("nope".into())),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no world `nope` in package `vectors:cabi` (known: none)"
    );
    let missing = generate_path(Path::new("/nonexistent.wit"), &Options::new(Lang::C));
    assert!(matches!(missing, Err(GenerateError::Wit(_))));
    assert!(missing
        .unwrap_err()
        .to_string()
        .contains("/nonexistent.wit"));
}

#[test]
fn notes_report_skipped_types_and_generation_goes_on() {
    let input = Path::new(GOLDEN).join("vectors/input.wit");
    let Generated { code, notes } = generate_path(&input, &Options::new(Lang::Rust)).unwrap();
    assert_eq!(
        notes,
        ["skipped `named`: field `name` is a `string` (use --allow-guest-pointers for its (pointer, length) form)"]
    );
    assert!(code.contains("pub struct Padded"));
    assert!(!code.contains("pub struct Named"));
}

/// A compiler configuration of the compile test: command and its target flags.
const COMPILERS: &[(&str, &[&str])] = &[
    ("xtensa-lx106-elf-gcc", &[]),
    ("arm-none-eabi-gcc", &[]),
    (
        "riscv64-unknown-elf-gcc",
        &["-march=rv32imac", "-mabi=ilp32"],
    ),
    ("avr-gcc", &["-mmcu=atmega328p"]),
    ("clang", &["--target=x86_64-unknown-none-elf"]),
    ("clang", &["--target=i686-unknown-none-elf"]),
    ("clang", &["--target=wasm32-unknown-unknown"]),
    ("clang", &["--target=msp430-unknown-elf"]),
    ("clang", &["--target=mips-unknown-none-elf"]),
    ("clang", &["--target=aarch64-unknown-none-elf"]),
];

const C_FLAGS: &[&str] = &[
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-ffreestanding",
    "-O2",
    "-c",
];

#[test]
fn golden_headers_compile_on_every_target() {
    let headers: Vec<(String, PathBuf)> = cases()
        .into_iter()
        .filter(|c| c.out_h.exists())
        .map(|c| (c.name.replace('/', "-"), c.out_h))
        .collect();
    assert!(headers.len() >= 4, "too few headers: {headers:?}");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("layout-headers");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut sources = Vec::new();
    for (name, header) in &headers {
        let src = tmp.join(format!("{name}.c"));
        let text = format!(
            "#include \"{}\"\ntypedef int wasmbed_layout_header_compiles;\n",
            header.display()
        );
        std::fs::write(&src, text).unwrap();
        sources.push(src);
    }
    let failures: Vec<String> = std::thread::scope(|s| {
        let jobs: Vec<_> = COMPILERS
            .iter()
            .enumerate()
            .map(|(i, (cc, target))| {
                let (sources, tmp) = (&sources, &tmp);
                s.spawn(move || compile_all(cc, target, sources, &tmp.join(i.to_string())))
            })
            .collect();
        jobs.into_iter().flat_map(|j| j.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Compiles each source with one compiler configuration; returns the failures.
fn compile_all(cc: &str, target: &[&str], sources: &[PathBuf], out: &Path) -> Vec<String> {
    std::fs::create_dir_all(out).unwrap();
    let mut failures = Vec::new();
    for src in sources {
        let result = Command::new(cc)
            .args(target)
            .args(C_FLAGS)
            .arg(src)
            .arg("-o")
            .arg(out.join("out.o"))
            .output();
        let output = match result {
            Ok(o) => o,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("`{cc}` is missing: run `.ci/install-packages.sh`")
            }
            Err(e) => panic!("cannot run `{cc}`: {e}"),
        };
        if !output.status.success() || !output.stderr.is_empty() {
            failures.push(format!(
                "{cc} {} {}:\n{}",
                target.join(" "),
                src.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    failures
}
