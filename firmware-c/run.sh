#!/usr/bin/env bash
# Builds the C firmware and runs it under QEMU (mps2-an386, a Cortex-M4F):
# the wasmbed C API without std (this directory's Rust crate, for
# thumbv7em-none-eabihf with Debian's rustc, as firmware/ is built), main.c and
# startup.c compiled with arm-none-eabi-gcc against newlib-nano, and the calc
# guest with its world compiled by `wasmbed world compile`. Prints the image's
# size; the firmware prints its results and, on lines starting "footprint:",
# its heap and stack. With --check, compares the rest of its output with
# expected.txt (CI does). Fails when the firmware exits nonzero.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dir=firmware-c
out="$dir/target/c"
mkdir -p "$out"

# The world, compiled on the host (with whatever CARGO_TARGET_DIR is set).
cargo run -q --locked -p wasmbed-cli -- world compile guests/cm32/calc.wit -o "$out/calc.world"

# The library: in firmware-c/target whatever CARGO_TARGET_DIR says.
(cd "$dir" && CARGO_TARGET_DIR=target RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    /usr/bin/cargo build -q --release --locked -Zbuild-std=core,alloc --target thumbv7em-none-eabihf)

arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
    -std=c11 -Os -Wall -Wextra -Werror -ffunction-sections -fdata-sections -I include \
    -DGUEST="\"$root/guests/cm32/calc.small.wasm\"" -DWORLD="\"$root/$out/calc.world\"" \
    --specs=nano.specs -nostartfiles -T "$dir/mps2-an386.ld" -Wl,--gc-sections,-z,noexecstack \
    "$dir/main.c" "$dir/startup.c" "$dir/embed.S" \
    -L "$dir/target/thumbv7em-none-eabihf/release" -lwasmbed_firmware_c -o "$out/firmware-c.elf"
arm-none-eabi-size -A "$out/firmware-c.elf" | grep -E '^\.(vectors|text|rodata|ARM\.exidx|data|bss) '

run() {
    timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
        -semihosting-config enable=on,target=native -kernel "$out/firmware-c.elf"
}
if [ "${1:-}" = "--check" ]; then
    run | tee "$out/output.txt"
    diff -u "$dir/expected.txt" <(grep -v '^footprint:' "$out/output.txt")
    echo "firmware-c: output as expected"
else
    run
fi
