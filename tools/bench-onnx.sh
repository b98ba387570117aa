#!/usr/bin/env bash
# tinyrnn against ONNX Runtime on the host, one thread, batch 1, same weights and token ids:
# runs `cargo bench --bench models` (criterion) and tools/bench_onnx.py (ONNX Runtime's CPU
# provider, 1 intra-op thread, in a venv it creates with pip) and prints the table of medians
# and the ratio tinyrnn / ONNX Runtime (below 1: tinyrnn is faster).
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
"$venv/bin/python" tools/bench_onnx.py "$root" | tee "$out/onnxruntime.txt" >&2
echo "| model | tinyrnn (µs) | ONNX Runtime (µs) | tinyrnn / ONNX Runtime |"
echo "|---|---:|---:|---:|"
# criterion's bencher format: `test NAME ... bench:   12,345 ns/iter (+/- 67)`
awk -F'\t' 'NR == FNR {ort[$1] = $2; next}
  /^test / {name = $2; ns = $5; gsub(",", "", ns)
    if (name in ort) printf "| %s | %.1f | %.1f | %.2f |\n", name, ns / 1000, ort[name] / 1000, ns / ort[name]
    else printf "| %s | %.1f | – | – |\n", name, ns / 1000}' \
  "$out/onnxruntime.txt" FS=' +' "$out/tinyrnn.txt"
