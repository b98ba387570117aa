#!/usr/bin/env bash
# Link-time proof that the inference path (`classify_text`, `feed_text`, `classify`, `step`,
# `step_output`, `output`) of every model the firmware bakes cannot panic on a Cortex-M core:
# firmware/src/bin/mcu_no_panic.rs links with `panic-never`, whose panic handler references an
# undefined symbol, so the link fails if the optimised firmware keeps any panicking branch.
# Checked with the default activations, with `--features exact-activations` and with the rolled
# kernels of `--features compact`; each firmware is
# then run under QEMU (it exits with failure if an entry point returned an unexpected result).
#
#   tools/check-no-panic.sh [TARGET]     (default: thumbv7em-none-eabihf)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
cd firmware
target=${1:-thumbv7em-none-eabihf}
# The f32 models with both activations, then the int8 models (TINYRNN_NO_PANIC=int8: the two sets
# do not fit the M0 board's flash together), then the generative model's generation path
# (TINYRNN_NO_PANIC=generate) and the sequence-to-sequence model's (TINYRNN_NO_PANIC=seq2seq).
for run in "f32 " "f32 exact-activations" "f32 compact" "int8 " "generate " "seq2seq "; do
  read -r models features <<<"$run"
  export TINYRNN_NO_PANIC=$models
  what="$target, $models models${features:+ --features $features}"
  if ! cargo build --quiet --release --target "$target" --bin mcu_no_panic ${features:+--features "$features"}; then
    cat >&2 <<MSG
FAIL ($what): the inference path keeps a panicking branch ("error(panic-never)" above).
To find it, build firmware/src/bin/mcu_sentiment.rs the same way and look for the callers of
core::panicking::* / core::slice::index::* in its disassembly (llvm-objdump from the
llvm-tools component): the function that calls one of them is the culprit.
MSG
    exit 1
  fi
  cargo run --quiet --release --target "$target" --bin mcu_no_panic ${features:+--features "$features"}
  echo "ok: no panic path in the inference path ($what): linked with panic-never, and ran under QEMU"
done
