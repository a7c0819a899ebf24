#!/usr/bin/env bash
# Builds every firmware configuration, runs each under QEMU and prints one
# table row per build (docs/benchmarks.md, "Footprint on a microcontroller"):
#     bash firmware/table.sh [NAME...]      # all rows, or the named ones
# NAME is a row of firmware/footprint.budget (thumbv7em, thumbv7em-bare, …);
# each row is also checked against its budget by footprint.sh (`.ci/run`
# runs the opt-level s rows). The sections and what the firmware printed go
# to stderr, the rows to stdout. Needs what .ci/install-packages.sh
# installs. Takes about 25 minutes for every row.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
Q=(-nographic -semihosting-config enable=on,target=native -kernel)
M4=(qemu-system-arm -cpu cortex-m4 -machine mps2-an386)
M3=(qemu-system-arm -cpu cortex-m3 -machine mps2-an385)
RV=(qemu-system-riscv32 -machine virt -bios none)
V6=(targets/thumbv6m-none-eabi-cas.json -Zjson-target-spec)

# name | target dir | size tool | QEMU | opt-level | cargo target and features
rows=(
    "thumbv7em|thumbv7em-none-eabihf|arm-none-eabi-size|M4|s|thumbv7em-none-eabihf"
    "thumbv7em-bare|thumbv7em-none-eabihf|arm-none-eabi-size|M4|s|thumbv7em-none-eabihf --no-default-features --features bare"
    "thumbv7em-pubsub|thumbv7em-none-eabihf|arm-none-eabi-size|M4|s|thumbv7em-none-eabihf --features pubsub"
    "thumbv7em-z|thumbv7em-none-eabihf|arm-none-eabi-size|M4|z|thumbv7em-none-eabihf"
    "thumbv7em-bare-z|thumbv7em-none-eabihf|arm-none-eabi-size|M4|z|thumbv7em-none-eabihf --no-default-features --features bare"
    "thumbv6m|thumbv6m-none-eabi-cas|arm-none-eabi-size|M3|s|V6"
    "riscv32imac|riscv32imac-unknown-none-elf|riscv64-unknown-elf-size|RV|s|riscv32imac-unknown-none-elf"
    "thumbv7em-wamr|thumbv7em-none-eabihf|arm-none-eabi-size|M4|s|thumbv7em-none-eabihf --no-default-features --features wamr"
    "thumbv6m-wamr|thumbv6m-none-eabi-cas|arm-none-eabi-size|M3|s|V6 --no-default-features --features wamr"
)
status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for row in "${rows[@]}"; do
    IFS='|' read -r name dir size qemu opt args <<<"$row"
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
        continue
    fi
    read -r -a a <<<"$args"
    [ "${a[0]}" = V6 ] && a=("${V6[@]}" "${a[@]:1}")
    # opt-level z builds in a directory of its own, so the s builds stay cached.
    tdir=target
    [ "$opt" = z ] && tdir=target/z
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt /usr/bin/cargo build --release --locked \
        -Zbuild-std=core,alloc --target-dir "$tdir" --target "${a[@]}" >&2
    elf=$tdir/$dir/release/wasmbed-firmware
    case $qemu in M4) q=("${M4[@]}") ;; M3) q=("${M3[@]}") ;; RV) q=("${RV[@]}") ;; esac
    "$size" -A "$elf" | grep -E '^\.(vector_table|text|init\.rust|rodata|data|bss) ' >&2
    timeout 120 "${q[@]}" "${Q[@]}" "$elf" | tee "$out" >&2
    bash footprint.sh "$name" "$elf" "$size" "$out" || status=1
done
exit $status
