#!/usr/bin/env bash
# Checks that the M0 build of `mcu_sentiment` (seed_int8 + sentiment_int8) leaves at least half of the
# micro:bit's 256 KB of flash free (issue 10): its flash, .text + .data as `size` prints them
# (.data's initial values are in flash too), must be at most 131,072 bytes, in the default build
# and with the ASCII-only tokenizer (`--features ascii-tokenizer`, without Unicode's tables).
#
#   tools/check-m0-size.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/firmware-env.sh"
target=thumbv6m-none-eabi
limit=$((256 * 1024 / 2))
elf=${CARGO_TARGET_DIR:-$root/target}/$target/release/mcu_sentiment
flash() { # FEATURES -> flash bytes of mcu_sentiment built with them
  (cd firmware && cargo build --quiet --release --target "$target" ${1:+--features "$1"} --bin mcu_sentiment)
  size "$elf" | awk 'NR == 2 {print $1 + $2}'
}
default=$(flash "")
ascii=$(flash ascii-tokenizer)
echo "mcu_sentiment on the M0 ($target): $default B of flash (default), $ascii B with --features ascii-tokenizer; limit $limit B"
for build in default ascii; do
  if [ "${!build}" -gt "$limit" ]; then
    echo "FAIL: mcu_sentiment ($build build) takes ${!build} B, more than half of the micro:bit's flash ($limit B)" >&2
    exit 1
  fi
done
