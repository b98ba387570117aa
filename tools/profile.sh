#!/usr/bin/env bash
# Where the instructions of one inference go: builds firmware/src/bin/mcu_cost.rs with one
# model (as tools/cost-card.sh does), runs it under QEMU with the regioninsn plugin asked for a
# profile (tools/qemu/regioninsn.c `profile=`: an exact count per instruction address between
# the firmware's `insn_region_start`/`insn_region_end` markers, i.e. one inference plus one more
# step) and prints
#   - the instructions per function (inlined code counts in its caller),
#   - the hottest straight-line runs (consecutive instructions executed equally often: a loop
#     body or a basic block), with their share, and
#   - writes the disassembly annotated with the counts to target/profile/TARGET-MODEL.s.
# The total is checked against the plugin's own inline count of the same regions (the cost
# card's "instructions / inference" + "instructions / extra step").
#
#   tools/profile.sh TARGET MODEL [RUNS]   e.g. tools/profile.sh thumbv7em-none-eabihf motion_int8
#   PROFILE=release-size FEATURES=compact tools/profile.sh ...   (as in cost-card.sh)
# Needs qemu-system-arm, gcc (for the plugin), llvm-objdump (or arm-none-eabi-objdump).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
target=${1:?usage: tools/profile.sh TARGET MODEL [RUNS]}
model=${2:?usage: tools/profile.sh TARGET MODEL [RUNS]}
runs=${3:-15}
profile=${PROFILE:-release}
features=${FEATURES:-}
target_dir=${CARGO_TARGET_DIR:-$root/target}
work=$target_dir/profile
mkdir -p "$work/$target"
objdump=$(command -v llvm-objdump || command -v arm-none-eabi-objdump) ||
  { echo "profile.sh: needs llvm-objdump or arm-none-eabi-objdump" >&2; exit 2; }
# The core, for llvm-objdump: without it the M33's floating-point instructions show as
# `<unknown>` and the rest of the function is decoded out of step.
case $target in
  thumbv6m*) mcpu=cortex-m0 ;;
  thumbv7m*) mcpu=cortex-m3 ;;
  thumbv7em*) mcpu=cortex-m4 ;;
  thumbv8m.main*) mcpu=cortex-m33 ;;
  *) mcpu= ;;
esac
disassemble=("$objdump" -d --no-show-raw-insn -C)
if [ -n "$mcpu" ] && [[ $objdump == *llvm-objdump* ]]; then
  disassemble+=(--mcpu="$mcpu")
fi

(cd firmware && TINYRNN_COST_MODEL=$model cargo build --quiet --profile "$profile" \
  ${features:+--features "$features"} --target "$target" --bin mcu_cost)
elf=$work/$target/mcu_cost-$model.elf # firmware/qemu-run.sh reads the target from the path
cp "$target_dir/$target/$profile/mcu_cost" "$elf"
counts=$work/$target-$model.counts
COUNT=1 COUNT_LOG="$work/$target-$model.regions" COUNT_PROFILE=$counts firmware/qemu-run.sh "$elf" >/dev/null
total=$(awk '$1 != "other" {s += $2} END {print s + 0}' "$counts")
# The per-address counts against the inline count of the same regions: they must agree exactly.
regions=$(awk '/^regions: / {print $5}' "$work/$target-$model.regions")
if [ "$total" != "$regions" ]; then
  echo "profile.sh: $total instructions profiled, but the regions count $regions" >&2
  exit 1
fi

# Annotated disassembly: "COUNT ADDR: INSTRUCTION" for every instruction ("-": never executed
# in the regions), functions as headers.
annotated=$work/$target-$model.s
# Rust's legacy symbol escapes made readable ($LT$ <, $GT$ >, $C$ ",", $u20$ " ", .. ::, $u7b$ {,
# $u7d$ }), the trailing hash dropped.
"${disassemble[@]}" "$elf" |
  sed -E '/^[0-9a-f]+ </{s/\$LT\$/</g; s/\$GT\$/>/g; s/\$C\$/,/g; s/\$u20\$/ /g; s/\$u7b\$/{/g; s/\$u7d\$/}/g; s/\.\./::/g; s/<_</<</; s/::h[0-9a-f]{16}>:$/>:/}' |
  awk -v counts="$counts" '
  BEGIN { while ((getline l < counts) > 0) { split(l, f, " "); if (f[1] != "other") n[f[1]] = f[2] } }
  /^[0-9a-f]+ <.*>:$/ { print; next }
  /^ *[0-9a-f]+:/ { a = $1; sub(/:$/, "", a); sub(/^0+/, "", a); printf "%10s %s\n", (a in n ? n[a] : "-"), $0; next }
  { print }' >"$annotated"

echo "$target $model: $total instructions in the measured regions (one inference + one step)"
echo
echo "per function:"
awk -v t="$total" '
  /^[0-9a-f]+ <[^$].*>:$/ { f = $0; sub(/^[0-9a-f]+ </, "", f); sub(/>:$/, "", f); next }
  $2 ~ /^[0-9a-f]+:$/ && $1 ~ /^[0-9]+$/ { s[f] += $1 }
  END { for (f in s) printf "%12d %5.1f%%  %s\n", s[f], 100 * s[f] / t, f }' "$annotated" |
  sort -rn | head -n "$runs"
echo
echo "hottest runs of instructions executed equally often (count x length = instructions):"
awk -v t="$total" '
  function flush() { if (len) printf "%12d %5.1f%%  %8d x %3d  at %s  %s\n", cnt * len, 100 * cnt * len / t, cnt, len, first, fn; len = 0 }
  /^[0-9a-f]+ <[^$].*>:$/ { flush(); fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn); next }
  $2 ~ /^[0-9a-f]+:$/ && $1 ~ /^[0-9]+$/ {
    c = $1 + 0; a = $2; sub(/:$/, "", a)
    if (len && c == cnt) { len++; next }
    flush(); cnt = c; len = 1; first = a; next }
  { flush() }
  END { flush() }' "$annotated" | sort -rn | head -n "$runs"
echo
echo "annotated disassembly: $annotated"
