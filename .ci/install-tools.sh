#!/usr/bin/env bash
# Cargo-installed tools that rebuild the committed guests: wit-bindgen's C
# generator (pinned, as its output is committed). Idempotent.
set -euo pipefail
want="wit-bindgen-cli 0.63.0"
if ! wit-bindgen --version 2>/dev/null | grep -q "0.63.0"; then
    echo "installing $want"
    cargo install --locked wit-bindgen-cli@0.63.0
fi
