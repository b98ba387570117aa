#!/usr/bin/env python3
"""Calibration of the int8 convolution range (docs/quantization.md): runs the first convolution
layer of an `f32` model file (+ ReLU), with the model's own normalisation, over every series of a
`.ts` file and prints how its outputs spread against the int8 saturation at 8.0.

    python3 scripts/conv_range.py models/vowels.safetensors data/sensor/JapaneseVowels_TRAIN.ts

Needs numpy.
"""

import json
import struct
import sys

import numpy as np


def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = json.loads(header.pop("__metadata__")["tinyrnn"])
    base = 8 + n
    tensors = {k: np.frombuffer(data[base + v["data_offsets"][0] : base + v["data_offsets"][1]],
                                dtype="<f4").reshape(v["shape"]) for k, v in header.items()}
    return meta, tensors


def read_ts(path):
    series, data = [], False
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not data:
            data = line.lower() == "@data"
            continue
        dims = [[float(v) for v in d.split(",")] for d in line.split(":")[:-1]]
        series.append(np.array(dims, dtype=np.float32).T)
    return series


def main():
    meta, t = load(sys.argv[1])
    layer = meta["conv"][0]
    w, b = t["conv.0.weight"], t["conv.0.bias"]
    k, d, stride = layer["kernel_size"], layer["dilation"], layer["stride"]
    span = (k - 1) * d + 1
    mean, std = np.array(meta["mean"], np.float32), np.array(meta["std"], np.float32)
    values = []
    for s in read_ts(sys.argv[2]):
        x = (s - mean) / std
        if layer["padding"] == "causal":
            x = np.concatenate([np.zeros((span - 1, x.shape[1]), np.float32), x])
        for t0 in range(0, len(x) - span + 1, stride):
            y = b + np.einsum("oik,ki->o", w, x[t0 : t0 + span : d])
            values.append(np.maximum(y, 0))
    v = np.array(values)
    print("conv layer 0: %d outputs, max %.3f, 99.9th percentile %.3f, %d at or above 8.0"
          % (v.size, v.max(), np.percentile(v, 99.9), int((v >= 8.0).sum())))


if __name__ == "__main__":
    main()
