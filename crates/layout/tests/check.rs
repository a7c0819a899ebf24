//! `check` and `from_c` against the real compilers.
//!
//! Every test runs the compilers that CI installs with `.ci/install-packages.sh`;
//! a missing compiler fails the test with that hint, it never skips it.

use std::path::{Path, PathBuf};

use wasmbed_layout::check::{
    check, from_c, parse_targets, CheckError, CompileOptions, Compiler, Diff, Report, Target,
    TARGETS,
};
use wasmbed_wit::wit_parser::Resolve;

fn header(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/headers")
        .join(name)
}

fn run(name: &str, targets: &[Target]) -> Report {
    check(&header(name), targets, &CompileOptions::default()).unwrap_or_else(|e| {
        panic!("{e} (are the compilers installed? run .ci/install-packages.sh)")
    })
}

/// Each struct of `divergent.h`: the fields that differ, how, and the targets
/// whose value differs from x86_64's.
#[allow(clippy::type_complexity)]
const DIVERGENT: &[(&str, &[(&str, &[Diff], &[&str])])] = {
    use Diff::{BitOrder, Offset, Size};
    const ALL_BUT_X86_64: &[&str] = &[
        "i686", "armv7", "thumbv6m", "riscv32", "xtensa", "avr", "msp430", "wasm32", "mips",
    ];
    &[
        (
            "u64_after_u8",
            &[("b", &[Offset], &["i686", "avr", "msp430"])],
        ),
        (
            "double_after_u32",
            &[("d", &[Offset, Size], &["i686", "avr", "msp430"])],
        ),
        ("lone_double", &[("d", &[Size], &["avr"])]),
        ("int_field", &[("b", &[Size], &["avr", "msp430"])]),
        ("long_field", &[("b", &[Offset, Size], ALL_BUT_X86_64)]),
        (
            "bitfields",
            &[
                ("a", &[BitOrder], &["mips"]),
                ("b", &[BitOrder], &["mips"]),
                ("c", &[Offset, BitOrder], &["avr", "msp430", "mips"]),
            ],
        ),
        (
            "packed_int",
            &[
                ("b", &[Size], &["avr", "msp430"]),
                ("c", &[Offset], &["avr", "msp430"]),
            ],
        ),
        ("pack2", &[("b", &[Offset], &["avr"])]),
        (
            "enum_field",
            &[
                ("m", &[Size], &["thumbv6m", "avr", "msp430"]),
                ("x", &[Offset], &["thumbv6m", "avr", "msp430"]),
            ],
        ),
        (
            "anonymous_union",
            &[
                ("u", &[Offset], &["avr", "msp430"]),
                ("f", &[Offset], &["avr", "msp430"]),
            ],
        ),
    ]
};

#[test]
fn every_known_divergence_is_found_on_its_targets() {
    let report = run("divergent.h", TARGETS);
    let names: Vec<&str> = report.structs.iter().map(|s| s.name.as_str()).collect();
    let expected: Vec<String> = DIVERGENT
        .iter()
        .map(|(n, _)| format!("struct {n}"))
        .collect();
    assert_eq!(names, expected);
    for (name, fields) in DIVERGENT {
        let st = report.get(name).unwrap();
        let found: Vec<(&str, &[Diff])> = st.divergences();
        let want: Vec<(&str, &[Diff])> = fields.iter().map(|(f, d, _)| (*f, *d)).collect();
        assert_eq!(found, want, "struct {name}");
        for (field, _, targets) in *fields {
            let row = st.field(field).unwrap();
            assert_eq!(report.targets_differing(row), *targets, "{name}.{field}");
        }
        assert!(st.size_differs(), "struct {name}: sizeof should differ");
    }
    assert!(report.differs());
}

#[test]
fn clean_structs_do_not_differ() {
    let report = run("clean.h", TARGETS);
    let names: Vec<&str> = report.structs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "struct clean_words",
            "struct clean_packed",
            "clean_point_t",
            "struct clean_nested",
            "struct clean_bytes",
            "union clean_union",
        ]
    );
    for st in &report.structs {
        assert_eq!(st.divergences(), [], "{}", st.name);
        assert!(!st.size_differs(), "{}", st.name);
    }
    assert!(!report.differs());
    // The packed struct is read as packed on every target: `d` at byte 7, 15 bytes in all.
    let packed = report.get("clean_packed").unwrap();
    let d = packed.field("d").unwrap();
    assert!(d.cells.iter().all(|c| c.unwrap().offset_bits == 7 * 8));
    assert!(packed.totals.iter().all(|t| t.size == 15 && t.align == 1));
    // Alignment differs (AVR aligns nothing) without being a divergence.
    let words = report.get("clean_words").unwrap();
    let aligns: Vec<u64> = words.totals.iter().map(|t| t.align).collect();
    assert_eq!(aligns, [4, 4, 4, 4, 4, 4, 1, 2, 4, 4]);
}

/// The GCC probe (assembly constants) and clang's layout dump are two readers;
/// on targets both compilers know they must agree, big-endian bitfields included.
/// The one exception is a real one: on bare-metal Arm, GCC (and rustc) give enums
/// their smallest size, clang 14 keeps them 4 bytes; `thumbv6m` follows GCC.
#[test]
fn gcc_probe_agrees_with_clang_dump() {
    let gcc = |name, program, args| Target {
        name,
        compiler: Compiler::Gcc { program, args },
    };
    let clang = |name, triple| Target {
        name,
        compiler: Compiler::Clang { triple },
    };
    let pairs = [
        (
            clang("mips", "mips-unknown-linux-gnu"),
            gcc("mips-gcc", "mips-linux-gnu-gcc", &[][..]),
            &[][..],
        ),
        (clang("avr", "avr"), gcc("avr-gcc", "avr-gcc", &[]), &[]),
        (
            clang("riscv32", "riscv32-unknown-elf"),
            gcc(
                "rv32-gcc",
                "riscv64-unknown-elf-gcc",
                &["-march=rv32imac", "-mabi=ilp32"],
            ),
            &[],
        ),
        (
            clang("thumbv6m-clang", "thumbv6m-none-eabi"),
            parse_targets(&["thumbv6m"]).unwrap()[0],
            &["struct enum_field: 2 fields differ (m: size, x: offset); size differs"],
        ),
    ];
    for (clang, gcc, expected) in pairs {
        for h in ["divergent.h", "clean.h"] {
            let report = run(h, &[clang, gcc]);
            let differing: Vec<String> = report
                .structs
                .iter()
                .filter(|s| s.differs())
                .map(|s| s.summary())
                .collect();
            let expected = if h == "clean.h" { &[][..] } else { expected };
            assert_eq!(differing, expected, "{} vs {}, {h}", clang.name, gcc.name);
        }
    }
}

#[test]
fn report_marks_rows_and_summarizes() {
    let targets = parse_targets(&["x86_64", "i686", "avr"]).unwrap();
    let text = run("divergent.h", &targets).render("divergent.h");
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "struct u64_after_u8")
        .take(6)
        .collect();
    assert_eq!(
        block,
        [
            "struct u64_after_u8",
            "    field    x86_64  i686   avr",
            "    a        0/1     0/1    0/1",
            "  * b        8/8     4/8*   1/8*",
            "  * (total)  16/8    12/4*  9/1*",
            "struct u64_after_u8: 1 field differs (b: offset); size differs",
        ]
    );
    assert!(text.contains("\nstruct bitfields: 1 field differs (c: offset); size differs\n"));
    assert!(text.ends_with("10 of 10 struct(s) differ between targets\n"));
}

#[test]
fn errors_are_one_line_and_name_the_culprit() {
    let opts = CompileOptions::default();
    let err = |r: Result<Report, CheckError>| r.unwrap_err().to_string();

    let missing = header("missing.h");
    let e = err(check(&missing, TARGETS, &opts));
    assert_eq!(e, format!("{}: no such file", missing.display()));

    let e = parse_targets(&["x86_64", "z80"]).unwrap_err().to_string();
    assert!(
        e.starts_with("unknown target `z80` (known: x86_64, i686, armv7,"),
        "{e}"
    );

    let ghost = Target {
        name: "ghost",
        compiler: Compiler::Gcc {
            program: "wasmbed-no-such-gcc",
            args: &[],
        },
    };
    let e = err(check(&header("clean.h"), &[ghost], &opts));
    assert_eq!(
        e,
        "compiler `wasmbed-no-such-gcc` not found: run .ci/install-packages.sh"
    );

    let broken = header("broken.h");
    let e = err(check(&broken, TARGETS, &opts));
    assert_eq!(
        e,
        format!(
            "`clang` failed for target `x86_64`: {}:4: error: expected ';' at end of declaration list",
            broken.display()
        )
    );
    assert!(!e.contains('\n'));

    let e = err(check(&header("clean.h"), &[], &opts));
    assert_eq!(e, "no target given");
}

fn parses_as_wit(wit: &str) {
    let pkg = format!("package test:x;\ninterface i {{\n{wit}}}\n");
    Resolve::default()
        .push_str("test.wit", &pkg)
        .unwrap_or_else(|e| panic!("{e:?}\n{pkg}"));
}

#[test]
fn from_c_proposes_parsable_wit_with_widths_kept() {
    let opts = CompileOptions::default();
    let wit = from_c(&header("sensor.h"), &["sensor_reading_t".into()], &opts).unwrap();
    parses_as_wit(&wit);
    let lines: Vec<&str> = wit.lines().map(str::trim).collect();
    for want in [
        "record sensor-reading {",
        "timestamp-ms: u32,",
        "raw-value: s16,",
        "channel-id: u8,",
        "valid: bool,",
        "state: sensor-state,",
        "unit: u32,",
        "cal: calibration,",
        "serial: tuple<u8, u8, u8, u8, u8, u8>,",
        "average: f64,",
        "count: s32,",
        "tag: u8,",
        "ready: bool,",
        "mode: u8,",
        "trim: s8,",
        "enum sensor-state {",
        "idle, // SENSOR_IDLE",
        "record calibration {",
        "gain: f32,",
        "// C `int` is 32 bits on x86_64, but not on every target: see `wasmbed layout check`",
    ] {
        assert!(lines.contains(&want), "missing `{want}` in\n{wit}");
    }
    // Fixed-width fields need no warning; `int`, `double`, enums, `char` and bitfields do.
    assert_eq!(wit.matches("\n    // ").count(), 8, "{wit}");

    // The nested struct alone, by its tag.
    let wit = from_c(&header("sensor.h"), &["calibration".into()], &opts).unwrap();
    parses_as_wit(&wit);
    assert!(!wit.contains("record sensor"));
}

#[test]
fn from_c_refuses_what_wit_cannot_hold() {
    let opts = CompileOptions::default();
    let refuse = |name: &str| {
        from_c(&header("sensor.h"), &[name.into()], &opts)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refuse("with_pointer"),
        "cannot propose WIT for `struct with_pointer`: field `data` is a pointer (`uint8_t *`): \
         an address means nothing outside one address space"
    );
    assert!(refuse("with_long_array").contains("field `name` is an array of 32 elements"));
    assert!(refuse("with_union").contains("field `r` is a union (`union raw`)"));
    let e = refuse("nope");
    assert!(e.starts_with("no struct `nope` in "), "{e}");
    assert!(e.ends_with("(known: struct calibration, struct sensor_reading, struct with_pointer, struct with_long_array, union raw, struct with_union)"), "{e}");
}
