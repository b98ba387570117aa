#!/usr/bin/env bash
# Instructions per call of tinyrnn's activations (src/math.rs) and of libm's, on each core with
# an FPU, counted exactly by the regioninsn QEMU plugin (firmware/src/bin/mcu_activations.rs:
# a loop of 64 calls over [-12, 12], minus the same loop copying its input).
#
#   tools/activation-cost.sh [TARGET ...]   (default: thumbv7em-none-eabihf thumbv8m.main-none-eabihf)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(thumbv7em-none-eabihf thumbv8m.main-none-eabihf)
target_dir=${CARGO_TARGET_DIR:-$root/target}
echo "| target | tinyrnn tanh | tinyrnn sigmoid | libm tanhf | 1/(1+libm expf(-x)) |"
echo "|---|---:|---:|---:|---:|"
for target in "${targets[@]}"; do
  (cd firmware && cargo build --quiet --release --target "$target" --bin mcu_activations)
  log=$(mktemp)
  COUNT=1 COUNT_LOG=$log firmware/qemu-run.sh "$target_dir/$target/release/mcu_activations"
  awk -v t="$target" '/^region [0-9]+ insns:/ {n[$2] = $4}
    END {printf "| %s | %.1f | %.1f | %.1f | %.1f |\n", t,
      (n[1] - n[0]) / 64, (n[2] - n[0]) / 64, (n[3] - n[0]) / 64, (n[4] - n[0]) / 64}' "$log"
  rm -f "$log"
done
