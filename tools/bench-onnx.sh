#!/usr/bin/env bash
# tinyrnn against ONNX Runtime on the host, one thread, batch 1, same weights and token ids:
# runs `cargo bench --bench models` (criterion) and tools/bench_onnx.py (ONNX Runtime's CPU
# provider, 1 intra-op thread, in a venv it creates with pip) and the trainer's candle forward
# pass (tinyrnn-train/benches/candle.rs), and prints the table of medians and the ratios
# tinyrnn / ONNX Runtime and tinyrnn / candle (below 1: tinyrnn is faster).
#
#   tools/bench-onnx.sh                 (venv in target/bench-onnx/venv)
#   RUSTFLAGS="-C target-cpu=native" tools/bench-onnx.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
out=${CARGO_TARGET_DIR:-$root/target}/bench-onnx
venv=$out/venv
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import onnxruntime, onnx, numpy" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy onnx onnxruntime
fi
cargo bench --quiet --bench models -- --output-format bencher 2>/dev/null | tee "$out/tinyrnn.txt" >&2
# candle, the trainer's forward pass, on the same inputs (tinyrnn-train/benches/candle.rs).
cargo bench --quiet -p tinyrnn-train --bench candle -- --output-format bencher 2>/dev/null |
  tee "$out/candle.txt" >&2
"$venv/bin/python" tools/bench_onnx.py "$root" | tee "$out/onnxruntime.txt" >&2
echo "| model | tinyrnn (µs) | ONNX Runtime (µs) | candle (µs) | tinyrnn / ONNX Runtime | tinyrnn / candle |"
echo "|---|---:|---:|---:|---:|---:|"
# criterion's bencher format: `test NAME ... bench:   12,345 ns/iter (+/- 67)`; ONNX Runtime's
# lines are `NAME<TAB>ns`.
awk 'function us(x) { return x == "" ? "–" : sprintf("%.1f", x / 1000) }
  function ratio(a, b) { return b == "" ? "–" : sprintf("%.2f", a / b) }
  FILENAME ~ /onnxruntime/ { split($0, f, "\t"); ort[f[1]] = f[2]; next }
  FILENAME ~ /candle/ && /^test / { ns = $5; gsub(",", "", ns); cdl[$2] = ns; next }
  /^test / { ns = $5; gsub(",", "", ns)
    printf "| %s | %.1f | %s | %s | %s | %s |\n", $2, ns / 1000, us(ort[$2]), us(cdl[$2]),
      ratio(ns, ort[$2]), ratio(ns, cdl[$2]) }' \
  "$out/onnxruntime.txt" "$out/candle.txt" "$out/tinyrnn.txt"
