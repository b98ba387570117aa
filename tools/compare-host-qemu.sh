#!/usr/bin/env bash
# Runs each Cortex-M example on the host and under QEMU on the four cores, and checks that every
# run succeeds (all labels as expected) and that the labels printed under QEMU are those of the
# host build, line by line.
#
#   tools/compare-host-qemu.sh [EXAMPLE ...]      (default: mcu_sentiment mcu_motion mcu_imu)
#   TARGETS="thumbv6m-none-eabi ..." to choose the cores; FEATURES=defmt to build the firmware
#   with those features (with defmt, its output is decoded by defmt-print in tools/qemu-run.sh);
#   INPUT=FILE to feed FILE to the program's standard input (to the guest's UART under QEMU,
#   e.g. INPUT=examples/mcu/serial-input.txt TARGETS=thumbv7m-none-eabi ... mcu_serial);
#   outputs are kept in $OUT (default target/compare-host-qemu).
# Lines are `model<TAB>label<TAB>probability<TAB>input`: the labels must be identical; a
# difference in the printed probability is reported but is not an error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
examples=("$@")
[ ${#examples[@]} -gt 0 ] || examples=(mcu_sentiment mcu_motion mcu_imu)
read -ra targets <<<"${TARGETS:-thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf}"
features=${FEATURES:-}
input=${INPUT:-/dev/null}
export STDIN=1 # tools/qemu-run.sh: connect the guest's UART to our stdin
out=${OUT:-${CARGO_TARGET_DIR:-target}/compare-host-qemu}
mkdir -p "$out"
status=0
for example in "${examples[@]}"; do
  echo "== $example: host"
  cargo run --quiet --release --example "$example" <"$input" >"$out/$example.host.txt"
  cut -f1,2,4 "$out/$example.host.txt" >"$out/$example.host.labels"
  for target in "${targets[@]}"; do
    log=$out/$example.$target${features:+.$features}.txt
    if ! cargo run --quiet --release --target "$target" ${features:+--features "$features"} \
      --example "$example" <"$input" >"$log"; then
      echo "FAIL $example on $target${features:+ with $features}: the firmware failed (see $log)"
      status=1
      continue
    fi
    cut -f1,2,4 "$log" >"$log.labels"
    if ! diff -u "$out/$example.host.labels" "$log.labels"; then
      echo "FAIL $example on $target${features:+ with $features}: labels differ from the host's"
      status=1
    elif ! cmp -s "$out/$example.host.txt" "$log"; then
      echo "ok   $example on $target${features:+ with $features}: same labels as the host ($(grep -c . "$log") lines; some probabilities differ)"
    else
      echo "ok   $example on $target${features:+ with $features}: output identical to the host's ($(grep -c . "$log") lines)"
    fi
  done
done
exit $status
