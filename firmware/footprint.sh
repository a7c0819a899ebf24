#!/usr/bin/env bash
# Checks one firmware build against its budget in firmware/footprint.budget:
#     bash firmware/footprint.sh NAME ELF SIZE-TOOL QEMU-OUTPUT
# NAME is the budget's row; ELF the image; SIZE-TOOL the target's `size`
# (arm-none-eabi-size, riscv64-unknown-elf-size); QEMU-OUTPUT what the
# firmware printed (its heap lines). Prints the measured row, and fails when a
# figure exceeds its budget by more than 2%; for thumbv7em builds also the
# layer over bare wasmi, once both builds are measured. The budgets are the figures
# measured when they were set (docs/benchmarks.md, "Footprint on a
# microcontroller"); a change that makes an image smaller lowers them by hand.
set -euo pipefail
name=$1 elf=$2 size=$3 out=$4
budget_file="$(dirname "$0")/footprint.budget"

section() { "$size" -A "$elf" | awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }'; }
flash=0
for s in .vector_table .init .init.rust .text .rodata .data; do
    flash=$((flash + $(section "$s")))
done
static_ram=$(($(section .data) + $(section .bss)))
heap() { sed -n "s/^heap in use $1: \([0-9]*\) bytes.*/\1/p" "$out" | head -n1; }
heap_inst=$(heap "after instantiation")
heap_calls=$(heap "after the calls")
[ -n "$heap_inst" ] && [ -n "$heap_calls" ] || { echo "footprint: $name: no heap lines in $out" >&2; exit 1; }

echo "footprint: $name: flash $flash, static RAM $static_ram, heap $heap_inst after instantiation, $heap_calls after the calls"
row=$(awk -v n="$name" '$1 == n' "$budget_file")
[ -n "$row" ] || { echo "footprint: $name: no budget in $budget_file" >&2; exit 1; }
read -r _ b_flash b_static b_inst b_calls <<<"$row"
status=0
check() {
    local what=$1 got=$2 budget=$3
    # More than 2% over: got * 100 > budget * 102.
    if [ $((got * 100)) -gt $((budget * 102)) ]; then
        echo "footprint: $name: $what $got exceeds its budget $budget by more than 2%" >&2
        status=1
    fi
}
check flash "$flash" "$b_flash"
check "static RAM" "$static_ram" "$b_static"
check "heap after instantiation" "$heap_inst" "$b_inst"
check "heap after the calls" "$heap_calls" "$b_calls"

# wasmbed's layer: a thumbv7em build's flash less the bare build's of the same
# opt-level (thumbv7em and thumbv7em-bare, thumbv7em-z and thumbv7em-bare-z),
# checked against the row thumbv7em-layer (or -layer-z) once both are measured.
# Each build leaves its flash in target/footprint/ for the other.
seen="$(dirname "$0")/target/footprint"
mkdir -p "$seen"
echo "$flash" >"$seen/$name"
case $name in
    thumbv7em | thumbv7em-z) full=$name bare=${name/thumbv7em/thumbv7em-bare} ;;
    thumbv7em-bare | thumbv7em-bare-z) full=${name/-bare/} bare=$name ;;
    *) exit $status ;;
esac
if [ -f "$seen/$full" ] && [ -f "$seen/$bare" ]; then
    layer=$(($(cat "$seen/$full") - $(cat "$seen/$bare")))
    lname=${full/thumbv7em/thumbv7em-layer}
    echo "footprint: $lname: wasmbed's layer $layer ($full less $bare)"
    b_layer=$(awk -v n="$lname" '$1 == n { print $2 }' "$budget_file")
    [ -n "$b_layer" ] || { echo "footprint: $lname: no budget in $budget_file" >&2; exit 1; }
    name=$lname check "layer" "$layer" "$b_layer"
fi
exit $status
