#!/usr/bin/env bash
# Regenerates include/wasmbed.h from crates/capi with cbindgen (see cbindgen.toml).
# CI runs it, then `git diff --exit-code -- include/wasmbed.h`: the committed header must be current.
set -euo pipefail
cd "$(dirname "$0")"
cbindgen --quiet --config cbindgen.toml --crate wasmbed-capi --output ../../include/wasmbed.h
