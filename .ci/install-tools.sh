#!/usr/bin/env bash
# Cargo-installed tools that rebuild the committed guests: wit-bindgen's C
# generator and wasm-tools (WAT to Wasm), pinned because their output is
# committed, and cbindgen, which writes the committed include/wasmbed.h. Idempotent.
set -euo pipefail
if ! wit-bindgen --version 2>/dev/null | grep -q "0.63.0"; then
    cargo install --locked wit-bindgen-cli@0.63.0
fi
if ! wasm-tools --version 2>/dev/null | grep -q "1.263.0"; then
    cargo install --locked wasm-tools@1.263.0
fi
if ! cbindgen --version 2>/dev/null | grep -q "0.29.4"; then
    cargo install --locked cbindgen@0.29.4
fi
