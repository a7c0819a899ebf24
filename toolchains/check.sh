#!/usr/bin/env bash
# Builds one component with each real toolchain from the sources beside this
# script, runs each through `wasmbed run` (lowered on the fly, on wasmi) and
# checks what it prints (docs/lower-toolchains.md):
#   - rust/: a Rust wasm32-wasip2 command (Debian's rustc, -Zbuild-std);
#   - py/:   componentize-py 0.25.1, exports greet (18 MB, so never committed);
#   - qjs/:  componentize-qjs 0.4.5 --sync, exports greet (two components,
#            two memories: fused adapters), and the same with --stub-wasi
#            (resources passed between components: handle tables).
# Everything it builds goes to target/toolchains/. CI runs it after the tests.
# Needs Debian's rustc-web and rust-web-src, wasi-libc (.ci/install-packages.sh),
# Python 3 with venv, Node.js with npm, and the network for PyPI and npm.
#   bash toolchains/check.sh [rust|py|qjs ...]     (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/toolchains
mkdir -p "$out"
cargo build --quiet --locked -p wasmbed-cli
wasmbed=$root/target/debug/wasmbed

# expect NAME WANT GOT: fails showing both unless they are equal.
expect() {
    if [ "$2" != "$3" ]; then
        printf '%s: expected\n%s\n-- got\n%s\n' "$1" "$2" "$3" >&2
        exit 1
    fi
    echo "$1: ok"
}

rust() {
    local t0=$SECONDS
    (cd toolchains/rust &&
        RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
        RUSTFLAGS="-C link-self-contained=no -L native=/usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1.o" \
        CARGO_TARGET_DIR="$out/rust" \
        /usr/bin/cargo build --quiet --release -Zbuild-std=std,panic_abort --target wasm32-wasip2)
    cp "$out/rust/wasm32-wasip2/release/hello.wasm" "$out/hello.wasm"
    echo "rust: built in $((SECONDS - t0)) s, $(stat -c %s "$out/hello.wasm") bytes"
    local data
    data=$(mktemp -d)
    echo "already here" > "$data/before.txt"
    local got
    got=$(cd "$out" && "$wasmbed" run --dir "$data::/data" --env GREETING=hi --clock \
        hello.wasm arg1 arg2)
    expect "rust: wasmbed run hello.wasm" 'hello from wasm32-wasip2
args: ["hello.wasm", "arg1", "arg2"]
GREETING=hi
read back: written by the guest, 3 args
clock sane: true
entries in /data: 2' "$got"
    expect "rust: the file it wrote" "written by the guest, 3 args" "$(cat "$data/out.txt")"
    rm -rf "$data"
}

py() {
    local t0=$SECONDS
    [ -x "$out/py-venv/bin/componentize-py" ] || {
        python3 -m venv "$out/py-venv"
        "$out/py-venv/bin/pip" install --quiet 'componentize-py==0.25.1'
    }
    (cd toolchains/py &&
        "$out/py-venv/bin/componentize-py" -d wit -w greeter componentize app -o "$out/greet-py.wasm" >/dev/null)
    echo "py: built in $((SECONDS - t0)) s, $(stat -c %s "$out/greet-py.wasm") bytes"
    expect "py: greet" '"Hello, ci!"' \
        "$("$wasmbed" run --clock --random "$out/greet-py.wasm" --invoke 'greet("ci")')"
}

qjs() {
    local t0=$SECONDS
    [ -x "$out/qjs-npm/node_modules/.bin/componentize-qjs" ] ||
        npm install --silent --prefix "$out/qjs-npm" componentize-qjs@0.4.5 >/dev/null
    (cd toolchains/qjs &&
        "$out/qjs-npm/node_modules/.bin/componentize-qjs" --wit wit --js app.js \
            --world greeter --sync -o "$out/greet-qjs.wasm" >/dev/null)
    echo "qjs: built in $((SECONDS - t0)) s, $(stat -c %s "$out/greet-qjs.wasm") bytes"
    expect "qjs: greet" '"Hello, ünïcødé 🦀!"' \
        "$("$wasmbed" run --clock --random "$out/greet-qjs.wasm" --invoke 'greet("ünïcødé 🦀")')"
    # --stub-wasi: a WASI stub component defines 7 resources that the
    # runtime component uses; their handles live in the lowered module's
    # handle tables (a memory of its own).
    (cd toolchains/qjs &&
        "$out/qjs-npm/node_modules/.bin/componentize-qjs" --wit wit --js app.js \
            --world greeter --sync --stub-wasi -o "$out/greet-qjs-stub.wasm" >/dev/null)
    expect "qjs: greet, WASI stubbed" '"Hello, stub 🦀!"' \
        "$("$wasmbed" run "$out/greet-qjs-stub.wasm" --invoke 'greet("stub 🦀")')"
    # WAMR has no multi-memory: one line saying so, not a wrong run.
    local err
    err=$("$wasmbed" run --engine wamr --clock --random "$out/greet-qjs.wasm" \
        --invoke 'greet("x")' 2>&1 || true)
    expect "qjs: on WAMR" "error: $out/greet-qjs.wasm: invalid module: WASM module load failed: multiple memories" "$err"
}

for t in "${@:-rust py qjs}"; do
    for one in $t; do
        "$one"
    done
done
