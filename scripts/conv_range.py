#!/usr/bin/env python3
"""Calibration of the int8 convolution range (docs/quantization.md): runs the first convolution
layer of an `f32` model file (+ ReLU), with the model's own normalisation, over every series of a
`.ts` file and prints how its outputs spread against the int8 saturation at 8.0.

    python3 scripts/conv_range.py models/vowels.safetensors data/sensor/JapaneseVowels_TRAIN.ts

Needs numpy.
"""

import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from int8_reference import load, read_ts  # noqa: E402  (the same readers as the reference)


def main():
    meta, t = load(sys.argv[1])
    layer = meta["conv"][0]
    out, k = layer["out_channels"], layer["kernel_size"]
    w = np.array(t["conv.0.weight"], np.float32).reshape(out, -1, k)
    b = np.array(t["conv.0.bias"], np.float32)
    d, stride = layer["dilation"], layer["stride"]
    span = (k - 1) * d + 1
    mean, std = np.array(meta["mean"], np.float32), np.array(meta["std"], np.float32)
    values = []
    for bits in read_ts(sys.argv[2], None):
        s = np.array([[struct.unpack("<f", struct.pack("<I", v))[0] for v in row] for row in bits],
                     np.float32)
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
