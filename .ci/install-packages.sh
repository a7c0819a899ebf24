#!/usr/bin/env bash
# Debian packages the tests need, beyond the Rust toolchain: clang and
# wasi-libc for test guests; cmake and libclang, which build WAMR (wamrx-sys);
# the cross compilers and qemu-user for layout checks across architectures; Debian's rustc-web (1.96) with its standard
# library sources, which builds the no_std crates and firmware/ for Cortex-M
# and RISC-V targets, and qemu-system-arm and qemu-system-misc
# (qemu-system-riscv32), which run that firmware (rustup here has no
# bare-metal targets); rustup's cargo stays first on PATH.
# Idempotent; needs root (CI and developer machines here run as root).
set -euo pipefail
packages=(
    clang libclang-dev cmake lld wasi-libc libclang-rt-dev-wasm32
    gcc-arm-none-eabi gcc-riscv64-unknown-elf gcc-xtensa-lx106 gcc-avr avr-libc
    gcc-mips-linux-gnu binutils-mips-linux-gnu qemu-user
    rustc-web cargo-web rust-web-src qemu-system-arm qemu-system-misc
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
