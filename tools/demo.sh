#!/usr/bin/env bash
# The main job in one command: classify texts with the shipped sentiment model on the host, then
# run the same no_std forward pass as Cortex-M4F firmware under QEMU
# (firmware/src/bin/mcu_sentiment.rs, which classifies its fixed list of sentences).
#
#   tools/demo.sh ["a text to classify" ...]
#
# Installs what it needs when it can: the thumbv7em-none-eabihf target through rustup, and
# qemu-system-arm through apt-get when run as root (otherwise it says what to install).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

texts=("$@")
if [ ${#texts[@]} -eq 0 ]; then
  texts=("i am very happy" "this is not good at all" "What a great little phone!" "The plot was boring and far too long.")
fi

echo "== host: cargo run --release --example classify"
cargo run --quiet --release --example classify -- "${texts[@]}"

target=thumbv7em-none-eabihf
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"
if ! command -v qemu-system-arm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq qemu-system-arm >/dev/null
  else
    echo "error: qemu-system-arm is missing; install it (Debian/Ubuntu: sudo apt-get install qemu-system-arm)" >&2
    exit 1
  fi
fi
echo
echo "== Cortex-M4F under QEMU (mps2-an386): cd firmware && cargo run --release --target $target --bin mcu_sentiment"
cd firmware
cargo run --quiet --release --target "$target" --bin mcu_sentiment
