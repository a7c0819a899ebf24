#!/usr/bin/env bash
# Rebuilds every committed guest under guests/ and examples/ from its sources, deterministically:
# running it twice gives the same bytes, and on a clean tree
#     bash guests/build.sh && git diff --exit-code guests/ examples/
# shows nothing. Each guest directory `guests/NAME` has a function `build_NAME`
# below; a directory without one is an error, so no guest is left stale.
# Needs clang, wasm-ld and wasi-libc (.ci/install-packages.sh), wit-bindgen
# (.ci/install-tools.sh) and cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

CLANG=${CLANG:-clang}
# Freestanding wasm32, no libc: see /work/shared/design/GUESTS.md. No debug
# information, so no path or time ends up in the binary.
WASM_CFLAGS=(--target=wasm32 -O2 -std=c11 -Wall -Wextra -Werror
             -nostdlib -ffreestanding -Wl,--no-entry)

# The wasmbed command, built from this tree.
wasmbed() {
    cargo run --quiet --locked -p wasmbed-cli -- "$@"
}

# guests/layout: a C guest that writes a struct through a header generated from WIT.
build_layout() {
    local dir=guests/layout
    wasmbed layout "$dir/layout.wit" --lang c -o "$dir/layout.h"
    wasmbed layout "$dir/layout.wit" --lang rust -o "$dir/layout.rs"
    (cd "$dir" && "$CLANG" "${WASM_CFLAGS[@]}" -Wl,--export=write_reading \
        writer.c -o writer.wasm)
}

# examples/sensor: the README's example, a wit-bindgen C guest (legacy names,
# world in its `component-type` section) built against wasi-libc as a reactor.
build_example_sensor() {
    local dir=examples/sensor gen
    gen=$(mktemp -d)
    wit-bindgen c "$dir/sensor.wit" --out-dir "$gen" >/dev/null 2>&1
    "$CLANG" --target=wasm32-wasi -Os -mexec-model=reactor -Wl,--strip-debug -I"$gen" \
        "$dir/sensor.c" "$gen/sensor.c" "$gen/sensor_component_type.o" -o "$dir/sensor.wasm"
    rm -rf "$gen"
}

# A `participant` guest of wit/pubsub/pubsub.wit: wit-bindgen C bindings, freestanding,
# no libc and no allocator (examples/pubsub/noalloc.c: realloc traps), with the
# world in its `component-type` section. Arguments: the output and the C sources.
build_pubsub_guest() {
    local out=$1 gen
    shift
    gen=$(mktemp -d)
    wit-bindgen c wit/pubsub/pubsub.wit --world participant --out-dir "$gen" >/dev/null 2>&1
    "$CLANG" "${WASM_CFLAGS[@]}" -Wl,--strip-debug -I/usr/include/wasm32-wasi -I"$gen" -Iexamples/pubsub \
        "$@" examples/pubsub/noalloc.c "$gen/participant.c" "$gen/participant_component_type.o" \
        -o "$out"
    rm -rf "$gen"
}

# examples/pubsub: the pubsub demo's guests, sensor (publishes frames) and
# filter (reads them in place, publishes summaries).
build_example_pubsub() {
    local name
    for name in sensor filter; do
        build_pubsub_guest "examples/pubsub/$name.wasm" "examples/pubsub/$name.c"
    done
}

# A guest of a world that includes wit/threads's `app` through DIR/wit/deps:
# wit-bindgen C bindings, no libc, no allocator (examples/pubsub/noalloc.c).
# Arguments: the directory, the world, and the C source and output's stem.
build_threads_guest() {
    local dir=$1 world=$2 stem=$3 gen
    gen=$(mktemp -d)
    wit-bindgen c "$dir/wit" --world "$world" --out-dir "$gen" >/dev/null 2>&1
    "$CLANG" "${WASM_CFLAGS[@]}" -Wl,--strip-debug -I/usr/include/wasm32-wasi -I"$gen" \
        "$dir/$stem.c" examples/pubsub/noalloc.c "$gen/$world.c" "$gen/${world}_component_type.o" \
        -o "$dir/$stem.wasm"
    rm -rf "$gen"
}

# guests/threads: the threads test guest (crates/threads/tests).
build_threads() {
    build_threads_guest guests/threads worker worker
}

# examples/threads: `wasmbed run`'s threads example.
build_example_threads() {
    build_threads_guest examples/threads sum sum
}

# examples/c-host: a native C host of the C API, not a guest; nothing to build
# here (examples/c-host/run.sh builds and runs it, in CI).
build_example_c_host() {
    :
}

# A wit-bindgen C guest of guests/NAME/NAME.wit and NAME.c, built against wasi-libc
# as a reactor (legacy names, world in its `component-type` section).
build_bindgen_c_guest() {
    local dir=guests/$1 gen
    gen=$(mktemp -d)
    wit-bindgen c "$dir/$1.wit" --out-dir "$gen" >/dev/null 2>&1
    "$CLANG" --target=wasm32-wasi -Os -mexec-model=reactor -Wl,--strip-debug \
        -Wall -Wextra -Werror -I"$gen" \
        "$dir/$1.c" "$gen/$1.c" "$gen/$1_component_type.o" -o "$dir/$1.wasm"
    rm -rf "$gen"
}

# guests/types: every WIT type kind through an import and an export (crates/conformance).
build_types() {
    build_bindgen_c_guest types
}

# guests/resources: an imported host resource and an exported guest resource (crates/conformance).
build_resources() {
    build_bindgen_c_guest resources
}

# guests/pubsub: roundtrip publishes on "ping" and reads what arrives on "pong" (crates/pubsub).
build_pubsub() {
    # -flto, as a device build would: the bindings' wrappers (one function per
    # import) are inlined, leaving 5 functions instead of 24. Each function is
    # an entry in the engine's tables, and wasmi's function arena grows 32 at
    # a time: the guest's 11 imports and 24 functions took two. On the
    # firmware, 26,464 -> 24,180 bytes of heap after instantiation
    # (docs/benchmarks.md).
    build_pubsub_guest guests/pubsub/roundtrip.wasm -flto guests/pubsub/roundtrip.c
    # The firmware's pub/sub guest (`firmware --features pubsub`): memory fixed
    # at its data plus 1 KiB of stack, and its world in the compact form the
    # device decodes without WIT (docs/world-format.md).
    wasmbed shrink guests/pubsub/roundtrip.wasm -o guests/pubsub/roundtrip.small.wasm --stack 1024 >/dev/null
    wasmbed world compile guests/pubsub/roundtrip.wasm -o guests/pubsub/participant.bin >/dev/null
}

# guests/cm32: hand-written `cm32p2` guests in WAT; each WIT beside its WAT is their world.
build_cm32() {
    local wat
    for wat in guests/cm32/*.wat; do
        wasm-tools parse "$wat" -o "${wat%.wat}.wasm"
    done
    # The firmware's guest: calc with its memory fixed at its data plus 2 KiB
    # (1-byte pages, docs/shrink.md), so an instance fits a few KB of RAM.
    wasmbed shrink guests/cm32/calc.wasm -o guests/cm32/calc.small.wasm --stack 2048 >/dev/null
}

# guests/wasi: C programs on wasi-libc (preview 1 commands), run by crates/wasi's
# tests on wasmbed, on wasmtime and natively; escape.c is the malicious one.
build_wasi() {
    local c
    for c in guests/wasi/*.c; do
        "$CLANG" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-debug \
            "$c" -o "${c%.c}.wasm"
    done
}

# guests/wasip2: a WASI 0.2 command written with wit-bindgen against the vendored
# WIT (wit/), with wasi-libc only for malloc and string functions: it imports no
# preview 1 at all (crates/wasi/tests/all/p2.rs checks). escape.c is the malicious
# one, on the same world (crates/wasi/tests/all/p2_malicious.rs).
build_wasip2() {
    local dir=guests/wasip2 gen name
    gen=$(mktemp -d)
    wit-bindgen c wit/ --world wasmbed:wasi/command --out-dir "$gen" >/dev/null 2>&1
    for name in command escape; do
        "$CLANG" --target=wasm32-wasi -Os -mexec-model=reactor -Wl,--strip-debug \
            -Wall -Wextra -Werror -I"$gen" \
            "$dir/$name.c" "$gen/command.c" "$gen/command_component_type.o" -o "$dir/$name.wasm"
    done
    rm -rf "$gen"
}

# guests/wasi-mixed: a preview 1 command on wasi-libc (`main`, `_start`) that also
# imports WASI 0.2 through wit-bindgen (wit/mixed.wit, its deps linked to the
# vendored WIT); crates/wasi/tests/all/mixed.rs checks the two share one host
# state. mixed.c brings its own `_start` (see there), hence -nostartfiles.
build_wasi_mixed() {
    local dir=guests/wasi-mixed gen
    gen=$(mktemp -d)
    wit-bindgen c "$dir/wit" --out-dir "$gen" >/dev/null 2>&1
    "$CLANG" --target=wasm32-wasi -Os -nostartfiles -Wl,--strip-debug \
        -Wall -Wextra -Werror -I"$gen" \
        "$dir/mixed.c" "$gen/mixed.c" "$gen/mixed_component_type.o" -o "$dir/mixed.wasm"
    rm -rf "$gen"
}

# guests/compute: CRC-32 and a sieve in freestanding C, for the engine
# comparison (crates/bench/benches/compute.rs), which also builds it natively.
build_compute() {
    local dir=guests/compute
    "$CLANG" "${WASM_CFLAGS[@]}" -Wl,--strip-debug "$dir/compute.c" -o "$dir/compute.wasm"
}

status=0
for dir in examples/*/; do
    name=$(basename "$dir")
    if declare -F "build_example_${name//-/_}" >/dev/null; then
        echo "example $name"
        "build_example_${name//-/_}"
    else
        echo "guests/build.sh: no build_example_${name//-/_} function for examples/$name" >&2
        status=1
    fi
done
for dir in guests/*/; do
    name=$(basename "$dir")
    if declare -F "build_${name//-/_}" >/dev/null; then
        echo "guest $name"
        "build_${name//-/_}"
    else
        echo "guests/build.sh: no build_${name//-/_} function for guests/$name" >&2
        status=1
    fi
done
exit $status
