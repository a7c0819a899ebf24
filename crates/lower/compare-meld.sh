#!/usr/bin/env bash
# `wasmbed lower` against Meld (github.com/pulseengine/meld, `meld fuse`) on the
# same components: size, time, validity and whether the output runs on wasmbed.
# The table in docs/lower-toolchains.md ("Meld on the same inputs") is its output.
#
#     crates/lower/compare-meld.sh /path/to/meld [EXTRA.wasm ...]
#
# The inputs are the repository's guests wrapped as crates/bench/benches/lower.rs
# wraps them (wit-component through `wasm-tools component new`, the preview 1
# command adapter of the wasi-preview1-component-adapter-provider version in
# Cargo.lock for the preview 1 programs), plus guests/wasip2/command.wasm wrapped
# the same way (it is a wit-bindgen core module, not a component). EXTRA
# components (componentize-py, componentize-qjs: docs/lower-toolchains.md) are
# added as they are; one exporting `greet` is called with `greet("x")`.
#
# Needs: wasm-tools, GNU time (/usr/bin/time), the CLI (`cargo build -p
# wasmbed-cli`; WASMBED overrides target/debug/wasmbed), and the adapter in
# cargo's registry cache (`cargo fetch` puts it there; ADAPTER overrides).
# Work files go to OUT (default /tmp/meldcmp); the per-input details (error
# lines, first imports and exports) to OUT/details.txt. Meld runs with its
# defaults (`meld fuse IN -o OUT`), and again without the sections it adds
# (`--no-attestation --no-component-provenance --dwarf strip`, "bare"); both
# outputs are also compared with every custom section stripped (`wasm-tools
# strip`: code and data only). Meld's output has no component-type section, so
# wasmbed runs it twice: as it is, and with `--wit` the WIT `wasm-tools
# component wit` reads from the input component.
set -uo pipefail

[ $# -ge 1 ] || { sed -n '2,/^set /{/^set /!p}' "$0"; exit 2; }
MELD=$(realpath "$1")
shift
extras=()
for extra in "$@"; do extras+=("$(realpath "$extra")"); done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=${WASMBED:-$ROOT/target/debug/wasmbed}
OUT=${OUT:-/tmp/meldcmp}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
cd "$OUT"   # Meld records the input path in its output: relative names keep its size independent of OUT

ver=$(awk '/^name = "wasi-preview1-component-adapter-provider"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
ADAPTER=${ADAPTER:-$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasi-preview1-component-adapter-provider-"$ver"/artefacts/wasi_snapshot_preview1.command.wasm 2>/dev/null | head -1)}
[ -f "$ADAPTER" ] || { echo "no preview 1 command adapter $ver in the registry cache: run cargo fetch" >&2; exit 1; }
[ -x "$W" ] || { echo "no $W: cargo build -p wasmbed-cli" >&2; exit 1; }

echo "meld: $("$MELD" --version)   wasmbed: $(git -C "$ROOT" rev-parse --short HEAD)   $(wasm-tools --version)   adapter: $ver" | tee "$OUT/details.txt"

# The inputs.
wrap() { wasm-tools component new "$ROOT/$1" -o "$2.wasm" "${@:3}"; }
wrap examples/sensor/sensor.wasm sensor
wrap guests/types/types.wasm types
wrap guests/resources/resources.wasm resources
wrap guests/wasi/hello.wasm hello --adapt "wasi_snapshot_preview1=$ADAPTER"
wrap guests/wasi-mixed/mixed.wasm mixed --adapt "wasi_snapshot_preview1=$ADAPTER"
wrap guests/wasip2/command.wasm command
names=(sensor types resources hello mixed command)
for extra in "${extras[@]}"; do
    n=$(basename "$extra" .wasm)
    cp "$extra" "$n.wasm"
    names+=("$n")
done

SUMMARIZE='wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 21.5}, {sensor: 2, celsius: 48.0}, {sensor: 3, celsius: 19.0}], 0.0, 40.0)'

# One line saying whether `wasmbed run` runs module $2 (input $1) as the repository's
# tests expect; extra `wasmbed run` options (`--wit F`) follow.
runs() {
    local n=$1 m=$2 d log rc
    shift 2
    d=$(mktemp -d "$OUT/run.XXXX")
    log=$d/log
    case $n in
    sensor)
        "$W" run "$@" "$m" --invoke "$SUMMARIZE" >"$log" 2>&1
        rc=$?
        [ $rc = 0 ] && grep -q '{count: 3, mean: 29.5, out-of-range: \[2\], label: "check sensors"}' "$log" ;;
    hello)   # prints a line and returns 3 from main: the adapter's wasi:cli/run returns err, exit 1
        "$W" run "$@" "$m" >"$log" 2>&1
        rc=$?
        [ $rc = 1 ] && grep -q '^hello from wasi$' "$log" ;;
    mixed)   # crates/wasi/tests/all/mixed.rs: a.txt and b.txt in the preopen `.`
        mkdir "$d/dir" && printf 'alpha\n' >"$d/dir/a.txt" && printf 'bravo\n' >"$d/dir/b.txt"
        "$W" run --dir "$d/dir::." "$@" "$m" >"$log" 2>&1
        rc=$?
        [ $rc = 0 ] && grep -q '^failed checks: 0$' "$log" ;;
    command) # crates/cli/tests/wasi.rs: data/input.txt at /data
        mkdir -p "$d/data" && printf 'from the host\n' >"$d/data/input.txt"
        "$W" run --clock --random --env GREETING=hi --dir "$d/data::/data" "$@" "$m" x >"$log" 2>&1
        rc=$?
        [ $rc = 0 ] && grep -q '^output.txt: written$' "$log" ;;
    *)
        if wasm-tools component wit "$n.wasm" 2>/dev/null | grep -q '^  export greet: func'; then
            "$W" run --clock --random "$@" "$m" --invoke 'greet("x")' >"$log" 2>&1
            rc=$?
            [ $rc = 0 ] && grep -q '"Hello, x!"' "$log"
        else
            "$W" run "$@" "$m" >"$log" 2>&1
            rc=$?
            [ $rc = 0 ]
        fi ;;
    esac
    if [ $? = 0 ]; then
        echo yes
    else   # the first error line without `error: FILE: `; a guest's own unterminated stderr line kept before it
        echo "no: $(grep -m1 'error: ' "$log" | sed -E 's/error: [^ ]+: //' || tail -n1 "$log")"
    fi
    rm -rf "$d"
}

valid() {
    local e
    if e=$(wasm-tools validate "$@" 2>&1); then echo yes; else echo "no: $(head -n1 <<<"$e" | sed 's/^error: //')"; fi
}

# Meld's error: the line after "Caused by:", else its last `Error` line.
meld_error() {
    awk '/^Caused by:/ { getline; sub(/^ +/, ""); print; found = 1; exit } END { }' "$1" | grep . ||
        grep -m1 '^Error' "$1"
}

names_of() {
    wasm-tools print "$1" | grep -E '^  \((import|export)' | sed -E 's/ \((func|table|memory|global) .*//' | head -n 12
}

W2='--features=wasm2,extended-const,multi-memory'
stripped() { wasm-tools strip --all "$1" | wc -c; }
echo
echo "| input | component | wasmbed-lower | time | valid (default; wasm2 set) | runs (wasmi; wamr) | Meld | Meld bare | time | valid (default; wasm2 set) | runs as it is | runs with --wit (wasmi; wamr) | stripped: wasmbed; Meld |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${names[@]}"; do
    in=$n.wasm ours=$n.wasmbed.wasm theirs=$n.meld.wasm bare=$n.meld-bare.wasm
    rm -f "$ours" "$theirs" "$bare"
    {
        echo
        echo "== $n ($(stat -c %s "$in") bytes)"
    } >>details.txt

    if /usr/bin/time -f %e -o t "$W" lower "$in" -o "$ours" >lower.log 2>&1; then
        o_size=$(stat -c %s "$ours") o_strip=$(stripped "$ours")
        o_valid="$(valid "$ours"); $(valid $W2 "$ours")"
        o_runs="$(runs "$n" "$ours"); $(runs "$n" "$ours" --engine wamr)"
        names_of "$ours" | sed 's/^/  wasmbed: /' >>details.txt
    else
        o_size="— ($(grep -m1 'error: ' lower.log | sed -E 's/error: [^ ]+: //'))" o_valid="—" o_runs="—" o_strip="—"
    fi
    o_time=$(tail -n1 t)

    if /usr/bin/time -f %e -o t "$MELD" fuse "$in" -o "$theirs" >meld.log 2>&1; then
        t_size=$(stat -c %s "$theirs")
        "$MELD" fuse --no-attestation --no-component-provenance --dwarf strip "$in" -o "$bare" >/dev/null 2>&1
        t_bare=$(stat -c %s "$bare") t_strip=$(stripped "$theirs")
        t_valid="$(valid "$theirs"); $(valid $W2 "$theirs")"
        t_runs=$(runs "$n" "$theirs")
        wasm-tools component wit "$in" -o "$n.wit"
        t_wit="$(runs "$n" "$theirs" --wit "$n.wit"); $(runs "$n" "$theirs" --wit "$n.wit" --engine wamr)"
        names_of "$theirs" | sed 's/^/  meld: /' >>details.txt
        grep -E '^(Fusing|note|Memory strategy)' meld.log | sed 's/^/  meld says: /' >>details.txt
    else
        t_size="— ($(meld_error meld.log))" t_bare="—" t_valid="—" t_runs="—" t_wit="—" t_strip="—"
    fi
    t_time=$(tail -n1 t)

    echo "| $n | $(stat -c %s "$in") | $o_size | $o_time s | $o_valid | $o_runs | $t_size | $t_bare | $t_time s | $t_valid | $t_runs | $t_wit | $o_strip; $t_strip |"
done
rm -f t lower.log meld.log
