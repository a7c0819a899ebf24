#!/usr/bin/env bash
# Builds the C API's static library and this C host with gcc, then runs it on
# the sensor and calc guests. With --check, compares its output with expected.txt
# (CI does). Works with any CARGO_TARGET_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cargo build -q -p wasmbed-capi --release --locked
target="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
out="$target/c-host"
mkdir -p "$out"
gcc -std=c11 -Wall -Wextra -Werror -O2 -I include examples/c-host/main.c \
    -L "$target/release" -lwasmbed_capi -lpthread -ldl -lm -o "$out/c-host"
run() { "$out/c-host" examples/sensor/sensor.wasm guests/cm32/calc.wasm guests/cm32/calc.wit; }
if [ "${1:-}" = "--check" ]; then
    diff -u examples/c-host/expected.txt <(run)
    echo "c-host: output as expected"
else
    run
fi
