//! Puts the target's memory map where the runtime crate's `link.x` looks for
//! it, as `memory.x` (`memory/mps2.x`: cortex-m-rt on QEMU's mps2 boards,
//! `memory/virt.x`: riscv-rt on QEMU's `virt`), and sets `cfg(armv6m)` for
//! `src/sync.rs`. No `memory.x` lies in the crate's root: the linker would
//! find that one first.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets the target arch");
    let map = if arch == "riscv32" {
        "memory/virt.x"
    } else {
        "memory/mps2.x"
    };
    fs::copy(map, out.join("memory.x")).expect("the memory map copies");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");

    // A custom target's TARGET is the path of its JSON file: use its stem.
    let target = env::var("TARGET").expect("cargo sets TARGET");
    let name = PathBuf::from(&target)
        .file_stem()
        .map_or(target.clone(), |s| s.to_string_lossy().into_owned());
    println!("cargo:rustc-check-cfg=cfg(armv6m)");
    if name.starts_with("thumbv6m-") {
        println!("cargo:rustc-cfg=armv6m");
    }
}
