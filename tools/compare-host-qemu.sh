#!/usr/bin/env bash
# Runs each Cortex-M program of firmware/ on the host and under QEMU on the four cores, and checks
# that every run succeeds and that its output under QEMU is the host build's, byte for byte: the
# same labels and bit-identical values. (That the host's labels are the expected ones is checked
# by cargo test: firmware/tests/cases.rs.)
#
#   tools/compare-host-qemu.sh [PROGRAM ...]      (default: mcu_sentiment mcu_motion mcu_imu)
#   TARGETS="thumbv6m-none-eabi ..." to choose the cores; FEATURES=defmt to build the firmware
#   with those features (with defmt, its output is decoded by defmt-print in firmware/qemu-run.sh);
#   INPUT=FILE to feed FILE to the program's standard input (to the guest's UART under QEMU,
#   e.g. INPUT=firmware/cases/serial-input.txt TARGETS=thumbv7m-none-eabi ... mcu_serial);
#   PROFILE=release-size to build the firmware with that cargo profile (default release);
#   outputs are kept in $OUT (default target/compare-host-qemu).
# Lines are `model<TAB>label<TAB>probability<TAB>input`. The programs print each f32 with `{}`,
# which core::fmt (the same code on the host and on the target, and in defmt-print) renders as
# the shortest decimal that parses back to the same f32: two values print the same text exactly
# when they have the same bits (NaN aside, which an `Output` never holds). So any difference in
# any line is a failure: first the labels are compared (a different label is reported as such),
# then the whole output, which makes every printed value bit-identical or the run fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(mcu_sentiment mcu_motion mcu_imu)
read -ra targets <<<"${TARGETS:-thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf}"
features=${FEATURES:-}
profile=${PROFILE:-release}
input=${INPUT:-/dev/null}
export STDIN=1 # firmware/qemu-run.sh: connect the guest's UART to our stdin
out=${OUT:-${CARGO_TARGET_DIR:-$root/target}/compare-host-qemu}
mkdir -p "$out"
status=0
for program in "${programs[@]}"; do
  echo "== $program: host"
  (cd firmware && cargo run --quiet --release --bin "$program") <"$input" >"$out/$program.host.txt"
  if [ ! -s "$out/$program.host.txt" ]; then
    echo "FAIL $program on the host: printed nothing"
    status=1
    continue
  fi
  cut -f1,2,4 "$out/$program.host.txt" >"$out/$program.host.labels"
  for target in "${targets[@]}"; do
    log=$out/$program.$target${features:+.$features}.txt
    if ! (cd firmware && cargo run --quiet --profile "$profile" --target "$target" \
      ${features:+--features "$features"} --bin "$program") <"$input" >"$log"; then
      echo "FAIL $program on $target${features:+ with $features}: the firmware failed (see $log)"
      status=1
      continue
    fi
    cut -f1,2,4 "$log" >"$log.labels"
    if ! diff -u "$out/$program.host.labels" "$log.labels"; then
      echo "FAIL $program on $target${features:+ with $features}: labels differ from the host's"
      status=1
    elif ! diff -u "$out/$program.host.txt" "$log"; then
      echo "FAIL $program on $target${features:+ with $features}: same labels, but printed values differ from the host's (not bit-identical)"
      status=1
    else
      echo "ok   $program on $target${features:+ with $features}: output identical to the host's, every value bit for bit ($(grep -c . "$log") lines)"
    fi
  done
done
exit $status
