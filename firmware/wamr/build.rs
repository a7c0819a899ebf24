//! Builds WAMR 2.4.3's core for a bare-metal target with the port in
//! `platform/`, and the bindings wamrx-sys 0.3 has, for that target.
//!
//! The C sources are the ones wamrx-sys 0.3.0 vendors, read from cargo's
//! registry (`$CARGO_HOME/registry/src/*/wamrx-sys-0.3.0/wasm-micro-runtime`,
//! there once the main workspace has been built or fetched), or from
//! `WAMR_ROOT`. WAMR's configuration is the workspace's (wamrx-sys's build
//! with its default features and `.cargo/config.toml`'s instruction
//! metering): the fast interpreter, no AOT or JIT, no libc-builtin or WASI,
//! bulk memory and reference types, software bounds checks. On top, for a
//! device: no WAMR debug build (`BH_DEBUG=0`).
use std::env;
use std::path::{Path, PathBuf};

/// WAMR's sources for the interpreter-only runtime, as WAMR's CMake build
/// (`vmlib`) lists them for this configuration, less the application entry
/// points (`wasm_application.c`), which wasmbed does not call, and what only
/// features left out here use (`wasm_shared_memory.c`, `ems_gc.c`,
/// `runtime_timer.c`). The linker keeps what is called: of the wasm-c-api,
/// `wasm_trap_delete` and what it needs.
const SOURCES: &[&str] = &[
    "core/iwasm/common/wasm_blocking_op.c",
    "core/iwasm/common/wasm_c_api.c",
    "core/iwasm/common/wasm_exec_env.c",
    "core/iwasm/common/wasm_loader_common.c",
    "core/iwasm/common/wasm_memory.c",
    "core/iwasm/common/wasm_native.c",
    "core/iwasm/common/wasm_runtime_common.c",
    "core/iwasm/interpreter/wasm_interp_fast.c",
    "core/iwasm/interpreter/wasm_loader.c",
    "core/iwasm/interpreter/wasm_runtime.c",
    "core/shared/mem-alloc/ems/ems_alloc.c",
    "core/shared/mem-alloc/ems/ems_hmu.c",
    "core/shared/mem-alloc/ems/ems_kfc.c",
    "core/shared/mem-alloc/mem_alloc.c",
    "core/shared/utils/bh_assert.c",
    "core/shared/utils/bh_bitmap.c",
    "core/shared/utils/bh_common.c",
    "core/shared/utils/bh_hashmap.c",
    "core/shared/utils/bh_leb128.c",
    "core/shared/utils/bh_list.c",
    "core/shared/utils/bh_log.c",
    "core/shared/utils/bh_queue.c",
    "core/shared/utils/bh_vector.c",
];

const INCLUDES: &[&str] = &[
    "core/iwasm/interpreter",
    "core/iwasm/include",
    "core/iwasm/common",
    "core/shared/platform/include",
    "core/shared/mem-alloc",
    "core/shared/utils",
    "core/shared/utils/uncommon",
];

/// How WAMR is built for one kind of target.
struct Arch {
    /// WAMR's `BUILD_TARGET_*` define and its name.
    define: &'static str,
    name: &'static str,
    /// The assembly that calls a native with its arguments.
    invoke: &'static str,
    /// The C cross compiler, and the target for bindgen's clang.
    cc: &'static str,
    clang: &'static str,
    /// The compiler's own flags selecting its libgcc, when WAMR needs one:
    /// GCC's Thumb-1 code calls `__gnu_thumb1_case_*` for its switch tables.
    libgcc: Option<&'static [&'static str]>,
}

/// The build for a Rust target (a built-in one, or a JSON file's stem).
fn arch(target: &str) -> Arch {
    if target.starts_with("thumbv7em-") && target.ends_with("eabihf") {
        Arch {
            define: "BUILD_TARGET_THUMB_VFP",
            name: "THUMBV7EM",
            invoke: "invokeNative_thumb_vfp.s",
            cc: "arm-none-eabi-gcc",
            clang: "thumbv7em-none-eabihf",
            libgcc: None,
        }
    } else if target.starts_with("thumbv6m-") {
        Arch {
            define: "BUILD_TARGET_THUMB",
            name: "THUMBV6M",
            invoke: "invokeNative_thumb.s",
            cc: "arm-none-eabi-gcc",
            clang: "thumbv6m-none-eabi",
            libgcc: Some(&["-mthumb", "-march=armv6s-m", "-mfloat-abi=soft"]),
        }
    } else {
        panic!("wamrx-sys (firmware port): no WAMR build for `{target}`")
    }
}

fn wamr_root() -> PathBuf {
    println!("cargo:rerun-if-env-changed=WAMR_ROOT");
    if let Some(root) = env::var_os("WAMR_ROOT") {
        return PathBuf::from(root);
    }
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("CARGO_HOME or HOME is set");
    let registry = home.join("registry/src");
    let found = std::fs::read_dir(&registry).ok().and_then(|dirs| {
        dirs.flatten()
            .map(|d| d.path().join("wamrx-sys-0.3.0/wasm-micro-runtime"))
            .find(|p| p.join("core/config.h").exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "WAMR's sources (wamrx-sys 0.3.0) are not under {}: run `cargo fetch` in the \
             repository's root (its Cargo.lock has wamrx-sys 0.3.0), or set WAMR_ROOT",
            registry.display()
        )
    })
}

fn main() {
    let root = wamr_root();
    let target = env::var("TARGET").expect("cargo sets TARGET");
    // A custom target's TARGET is the path of its JSON file: use its stem.
    let name = Path::new(&target)
        .file_stem()
        .map_or(target.clone(), |s| s.to_string_lossy().into_owned());
    let arch = arch(&name);
    let feature = |f: &str| {
        let var = format!("CARGO_FEATURE_{}", f.to_uppercase().replace('-', "_"));
        if env::var_os(var).is_some() {
            "1"
        } else {
            "0"
        }
    };

    let mut cc = cc::Build::new();
    cc.compiler(arch.cc)
        .files(SOURCES.iter().map(|s| root.join(s)))
        .file(root.join("core/iwasm/common/arch").join(arch.invoke))
        .file("platform/port.c")
        .file("platform/libc.c")
        .include("platform")
        .includes(INCLUDES.iter().map(|i| root.join(i)))
        // bindgen's clang lays enums out as `int`; arm-none-eabi-gcc's
        // default is the smallest type, which would change WAMR's structs.
        .flag("-fno-short-enums")
        .flag("-std=gnu99")
        // WAMR's own build's warnings, and no implicit declarations.
        .flag("-Wno-unused")
        .flag("-Wno-unused-parameter")
        .flag("-Werror=implicit-function-declaration")
        .define(arch.define, None)
        .define("BUILD_TARGET", Some(format!("\"{}\"", arch.name).as_str()))
        .define("BH_MALLOC", "wasm_runtime_malloc")
        .define("BH_FREE", "wasm_runtime_free")
        .define("BH_DEBUG", "0")
        .define("WASM_ENABLE_INTERP", "1")
        .define("WASM_ENABLE_FAST_INTERP", "1")
        .define("WASM_ENABLE_AOT", "0")
        .define("WASM_ENABLE_JIT", "0")
        .define("WASM_ENABLE_FAST_JIT", "0")
        .define("WASM_ENABLE_LIBC_BUILTIN", "0")
        .define("WASM_ENABLE_LIBC_WASI", "0")
        .define("WASM_ENABLE_MULTI_MODULE", "0")
        .define("WASM_ENABLE_MINI_LOADER", "0")
        .define("WASM_ENABLE_SHARED_MEMORY", "0")
        .define("WASM_ENABLE_THREAD_MGR", "0")
        .define("WASM_ENABLE_QUICK_AOT_ENTRY", "0")
        .define("WASM_ENABLE_AOT_INTRINSICS", "0")
        .define("WASM_ENABLE_BULK_MEMORY", feature("bulk-memory"))
        .define("WASM_ENABLE_BULK_MEMORY_OPT", feature("bulk-memory"))
        .define("WASM_ENABLE_REF_TYPES", feature("reference-types"))
        .define(
            "WASM_ENABLE_CALL_INDIRECT_OVERLONG",
            feature("reference-types"),
        )
        .define("WASM_ENABLE_SHRUNK_MEMORY", "1")
        .define("WASM_ENABLE_INSTRUCTION_METERING", "1")
        .define("WASM_DISABLE_HW_BOUND_CHECK", "1")
        .define("WASM_DISABLE_STACK_HW_BOUND_CHECK", "1")
        .define("WASM_HAVE_MREMAP", "1")
        .compile("iwasm");

    if let Some(flags) = arch.libgcc {
        let out = std::process::Command::new(arch.cc)
            .args(flags)
            .arg("-print-libgcc-file-name")
            .output()
            .expect("the C cross compiler runs");
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let dir = path.parent().expect("libgcc.a is in a directory");
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-lib=static=gcc");
    }

    bindings(&root, arch.clang);

    println!("cargo:rerun-if-changed=platform");
    println!("cargo:rerun-if-changed=build.rs");
}

/// The bindings wamrx-sys 0.3's build script generates, for the target.
fn bindings(root: &Path, clang_target: &str) {
    let bindings = bindgen::Builder::default()
        .header_contents("wrapper.h", "#include \"wasm_export.h\"\n")
        .clang_arg(format!("--target={clang_target}"))
        .clang_arg(format!("-I{}", root.join("core/iwasm/include").display()))
        .clang_arg("-ffreestanding")
        .use_core()
        .ctypes_prefix("::core::ffi")
        .generate_comments(false)
        .derive_default(true)
        .derive_debug(true)
        .allowlist_function("wasm_.*")
        .allowlist_type("wasm_.*")
        .allowlist_type("NativeSymbol")
        .allowlist_type("RuntimeInitArgs")
        .allowlist_type("RunningMode")
        .allowlist_type("mem_alloc_type_t")
        .allowlist_type("package_type_t")
        .allowlist_var("WASM_.*")
        .prepend_enum_name(false)
        .generate()
        .expect("bindgen generates WAMR's bindings");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings
        .write_to_file(out.join("bindings.rs"))
        .expect("bindings.rs is written");
}
