#!/usr/bin/env bash
# Regenerates the recorded inputs of the Cortex-M programs from data/ and the models that
# firmware/build.rs bakes (run it after adding or retraining a model, then commit the two files):
#   firmware/cases/sentences.rs  (mcu_sentiment: sentences and expected labels)
#   firmware/cases/series.rs     (mcu_motion, mcu_imu, mcu_minimal, mcu_cost: sensor series)
# An input is kept only if the host build gives it its true label, so that the host test
# firmware/tests/cases.rs holds; the program prints what was left out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo run --quiet -p tinyrnn-firmware --example regenerate_cases
