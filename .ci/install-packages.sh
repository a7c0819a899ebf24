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
    rustc-web cargo-web rust-web-src
)
# QEMU's system emulators must match the installed qemu-utils: a machine
# whose qemu-utils comes from bookworm-backports (10.x, as the workplace's
# machines now have) cannot take bookworm's 7.2 emulators beside it
# ("qemu-utils : Breaks: qemu-system-common (< 1:8.0…)"), so they come from
# backports too.
qemu=(qemu-system-arm qemu-system-misc)
qemu_release=()
if dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null | grep -q 'bpo12'; then
    list=/etc/apt/sources.list.d/wasmbed-bookworm-backports.list
    [ -f "$list" ] || echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$list"
    qemu_release=(-t bookworm-backports)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
missing_qemu=()
for p in "${qemu[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_qemu+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_qemu[@]} -gt 0 ]; then
    apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
if [ ${#missing_qemu[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${qemu_release[@]}" "${missing_qemu[@]}"
fi
