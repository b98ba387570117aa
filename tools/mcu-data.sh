#!/usr/bin/env bash
# Regenerates the inputs of the Cortex-M examples from data/ and the shipped models (run it after
# adding or retraining a model, then commit the two files):
#   examples/mcu/sentiment_cases.rs  (mcu_sentiment: sentences and expected labels)
#   examples/mcu/motion_cases.rs     (mcu_motion, mcu_imu, mcu_cost: recorded sensor series)
# An input is kept only if the host build gives it its true label, so the firmware's check
# "every label as expected" also holds on the host; the examples print what was left out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo run --quiet --release --example mcu_sentiment -- --regenerate
cargo run --quiet --release --example mcu_motion -- --regenerate
