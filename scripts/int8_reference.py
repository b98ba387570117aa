#!/usr/bin/env python3
"""A second implementation of tinyrnn's int8 scheme (docs/quantization.md), in plain Python
(standard library only): reads a model file, quantises it the way `tinyrnn-build` does, runs the
integer forward pass and writes golden values that `tests/int8_golden.rs` compares with the
Rust runtime bit for bit (cargo test needs no Python).

    python3 scripts/int8_reference.py            # rewrites tests/fixtures/int8_golden.json

Written from the scheme's description, not from the Rust code: the bake-time arithmetic uses
exact or correctly rounded float64 operations only (products by powers of two, one division,
floor), so two IEEE implementations derive the same integers; the step is integer arithmetic.
"""

import json
import math
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PRE_LIMIT = 1 << 24
CELL_LIMIT = 1 << 22


# ---- the model file --------------------------------------------------------------------------

def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = json.loads(header.pop("__metadata__")["tinyrnn"])
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", name
        start, end = t["data_offsets"]
        count = (end - start) // 4
        tensors[name] = list(struct.unpack("<%df" % count, data[base + start : base + end]))
    return meta, tensors


# ---- bake time: float64, exact or correctly rounded ------------------------------------------

def round_half_away(x):
    return math.copysign(math.floor(abs(x) + 0.5), x)


def quantize_row(row):
    top = max(abs(v) for v in row)
    if top == 0.0:
        return [0] * len(row), 0.0
    scale = top / 127.0
    return [int(max(-127.0, min(127.0, round_half_away(v / scale)))) for v in row], scale


def multiplier(real):
    """real ~ m * 2^-shift with m in [2^15, 2^16), shift in 1..=62."""
    if real == 0.0:
        return 0, 1
    mantissa, exponent = math.frexp(real)
    m = int(math.floor(mantissa * 65536.0 + 0.5))
    shift = 16 - exponent
    if m == 1 << 16:
        m, shift = 1 << 15, shift - 1
    if shift > 62:
        return 0, 1
    assert shift >= 1, real
    return m, shift


def bias(b):
    return int(max(-PRE_LIMIT, min(PRE_LIMIT, round_half_away(b * 4096.0))))


def nibble_exponent(top):
    """The smallest k with round(top / 2^k) <= 7, i.e. top < 7.5 * 2^k (top > 0)."""
    k = math.floor(math.log2(top)) - 3
    while top >= 7.5 * 2.0 ** k:  # exact: a product by a power of two, a comparison
        k += 1
    while top < 7.5 * 2.0 ** (k - 1):
        k -= 1
    return k


def embedding4(emb, e, frac0):
    """4-bit rows with a power-of-two step 2^k per row, k within 3 of the largest and at least
    -frac0; the row's code is k - k_min, and a row's input vector is q << (k + frac0)."""
    rows = [emb[r * e : (r + 1) * e] for r in range(len(emb) // e)]
    tops = [max(abs(v) for v in row) for row in rows]
    ks = [nibble_exponent(top) if top > 0.0 else None for top in tops]
    lowest = max([k - 3 for k in ks if k is not None] + [-frac0])
    table, shifts = [], []
    for row, k in zip(rows, ks):
        k = lowest if k is None else max(k, lowest)
        assert k - lowest <= 3 and 0 <= k + frac0 <= 12, (k, lowest, frac0)
        table.append([int(max(-7.0, min(7.0, round_half_away(v * 2.0 ** -k)))) for v in row])
        shifts.append(k + frac0)
    return table, shifts


def quantize(meta, t, emb4=False):
    cell, h, layers = meta["cell"], meta["hidden_size"], meta["num_layers"]
    g = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    kind = meta["input"]
    q = {"kind": kind, "cell": cell, "g": g, "h": h}
    if kind == "one_hot":
        cols0, frac0 = len(meta["vocab"]), 0
    elif kind == "embedding":
        emb = t["embedding.weight"]
        e = len(emb) // len(meta["vocab"])
        top = max(abs(v) for v in emb)
        # At most Q15: the input sums are shifted to the recurrent side's Q15.
        frac0 = 0 if top == 0.0 else min(15, 14 - math.frexp(top)[1])
        q["table"], q["emb_scale"], q["emb_shift"] = [], [], None
        if emb4:
            q["table"], q["emb_shift"] = embedding4(emb, e, frac0)
        for r in range(0 if emb4 else len(meta["vocab"])):
            row, s = quantize_row(emb[r * e : (r + 1) * e])
            q["table"].append(row)
            q["emb_scale"].append(int(max(0.0, min(65535.0, round_half_away(s * 2.0 ** (frac0 + 8))))))
        cols0 = e
    else:
        cols0, frac0 = len(meta["mean"]), 12
        q["conv"] = []
        for j, layer in enumerate(meta.get("conv", [])):
            # PyTorch's [out, in, k]; one int8 scale per output channel, requantised to Q12.
            out, k = layer["out_channels"], layer["kernel_size"]
            w, b = t["conv.%d.weight" % j], t["conv.%d.bias" % j]
            ins = len(w) // (out * k)
            assert k * ins <= 511, "conv layer %d: %d products per output" % (j, k * ins)
            chans = []
            for o in range(out):
                qrow, s = quantize_row(w[o * ins * k : (o + 1) * ins * k])
                chans.append({"w": [qrow[i * k : (i + 1) * k] for i in range(ins)],  # [in][k]
                              "rq": multiplier(s), "b": bias(b[o])})
            q["conv"].append(dict(layer, chans=chans, ins=ins))
            cols0 = out
        q["shift"], q["mean"], q["inv_std"] = [], [], []
        for mu, sd in zip(meta["mean"], meta["std"]):
            mu, sd = f32(mu), f32(sd)
            k = 17 - math.frexp(sd)[1]
            std_fix = sd * 2.0 ** k
            q["shift"].append(k)
            q["mean"].append(int(round_half_away(mu * 2.0 ** k)))
            q["inv_std"].append(int(math.floor(2.0 ** 44 / std_fix + 0.5)))
    q["layers"] = []
    for k in range(layers):
        cols, frac = (cols0, frac0) if k == 0 else (h, 15)
        x_shift = 15 - frac
        # Each input column counts 2^x_shift columns of the joint sum (one-hot: one weight).
        wide = (1 if kind == "one_hot" and k == 0 else cols << x_shift) + h
        assert wide <= 511, "layer %d: %d columns in the joint sum" % (k, wide)
        w_ih, w_hh = t["rnn.weight_ih_l%d" % k], t["rnn.weight_hh_l%d" % k]
        b_ih, b_hh = t["rnn.bias_ih_l%d" % k], t["rnn.bias_hh_l%d" % k]
        rows = []
        for r in range(g * h):
            # One scale per row of [W_ih | W_hh].
            qrow, s = quantize_row(w_ih[r * cols : (r + 1) * cols] + w_hh[r * h : (r + 1) * h])
            separate = cell == "gru" and r // h == 2
            rows.append({
                "w_ih": qrow[:cols], "w_hh": qrow[cols:], "rq": multiplier(s * 2.0 ** (12 - 15)),
                "x_shift": x_shift,
                "b_x": bias(b_ih[r]) if separate else bias(b_ih[r] + b_hh[r]),
                "b_h": bias(b_hh[r]) if separate else 0,
                "separate": separate,
            })
        q["layers"].append(rows)
    head = t["head.weight"]
    q["head"] = [quantize_row(head[r * h : (r + 1) * h])[0] for r in range(len(head) // h)]
    return q


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


# ---- the integer step ------------------------------------------------------------------------

def shift_round(v, n):
    n = min(max(n, 1), 62)
    return (v + (1 << (n - 1))) >> n


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def requantize(acc, rq):
    m, shift = rq
    return clamp(shift_round(acc * m, shift), -PRE_LIMIT, PRE_LIMIT)


TANH = [min(32767, int(math.floor(math.tanh(k / 64) * 32768 + 0.5))) for k in range(513)]


def table_q13(x):
    """tanh(x / 8192) in Q15: the table at steps of 1/64, interpolated over 128 steps."""
    a = min(abs(x), 1 << 16)
    k, frac = a >> 7, a & 127
    lo = TANH[k] if k <= 512 else 32767
    hi = TANH[k + 1] if k + 1 <= 512 else 32767
    y = lo + (((hi - lo) * frac + 64) >> 7)
    return -y if x < 0 else y


def tanh_q12(x):
    return table_q13(clamp(2 * x, -(1 << 31), (1 << 31) - 1))


def sigmoid_q12(x):
    return (table_q13(x) + 32768) >> 1


def unit(cell, xs, hs, old_h, old_c):
    if cell == "rnn":
        return tanh_q12(xs[0]), 0
    if cell == "gru":
        r, z = sigmoid_q12(xs[0]), sigmoid_q12(xs[1])
        n = tanh_q12(xs[2] + shift_round(r * hs[2], 15))
        return clamp(n + ((z * (old_h - n) + (1 << 14)) >> 15), -32768, 32767), 0
    i, f, gg, o = sigmoid_q12(xs[0]), sigmoid_q12(xs[1]), tanh_q12(xs[2]), sigmoid_q12(xs[3])
    c = clamp(shift_round(f * old_c, 15) + shift_round(i * gg, 15), -CELL_LIMIT, CELL_LIMIT)
    return (o * tanh_q12(shift_round(c, 3)) + (1 << 14)) >> 15, c


def f32_to_fixed(bits, k):
    e, frac = (bits >> 23) & 0xFF, bits & 0x7FFFFF
    if e == 0xFF:
        return None
    mant, e2 = (frac, 1) if e == 0 else (frac | 0x800000, e)
    sh = e2 - 150 + k
    if sh >= 0:
        mag = 1 << 62 if sh > 38 else mant << sh
    elif sh < -25:
        mag = 0
    else:
        mag = (mant + (1 << (-sh - 1))) >> -sh
    return -mag if bits >> 31 else mag


def encode(q, item):
    """The first layer's input: ('one_hot', id) or ('dense', [i16...]); None for bad input."""
    if q["kind"] == "one_hot":
        return ("one_hot", item)
    if q["kind"] == "embedding" and q["emb_shift"] is not None:
        return ("dense", [w << q["emb_shift"][item] for w in q["table"][item]])
    if q["kind"] == "embedding":
        m = q["emb_scale"][item]
        return ("dense", [clamp((w * m + 128) >> 8, -32768, 32767) for w in q["table"][item]])
    out = []
    for bits, k, mean, inv in zip(item, q["shift"], q["mean"], q["inv_std"]):
        fixed = f32_to_fixed(bits, k)
        if fixed is None:
            return None
        d = clamp(clamp(fixed - mean, -(1 << 63), (1 << 63) - 1), -(1 << 21), 1 << 21)
        out.append(clamp(shift_round(d * inv, 32), -32768, 32767))
    return ("dense", out)


def conv_batch(layer, xs):
    """One int8 Conv1d (+ ReLU, max-pool) over the whole sequence `xs` (Q12 vectors), PyTorch's
    batch definition: pad, convolve every stride-th window, clamp to [0, 32767], pool in groups
    (an incomplete last group dropped)."""
    k, d, stride, pool = layer["kernel_size"], layer["dilation"], layer["stride"], layer["pool"]
    span = (k - 1) * d + 1
    padded = ([[0] * layer["ins"]] * (span - 1) if layer["padding"] == "causal" else []) + xs
    ys, t = [], 0
    while t + span <= len(padded):
        y = []
        for ch in layer["chans"]:
            acc = sum(ch["w"][i][tap] * padded[t + tap * d][i]
                      for tap in range(k) for i in range(layer["ins"]))
            assert abs(acc) < 1 << 31
            y.append(clamp(ch["b"] + requantize(acc, ch["rq"]), 0, 32767))
        ys.append(y)
        t += stride
    return [[max(col) for col in zip(*ys[g : g + pool])] for g in range(0, len(ys) - pool + 1, pool)]


def conv_front(q, state, x):
    """The recurrent layers' new input after one more sample, or None: the convolution stack
    recomputed in batch over every sample so far (a different route from the runtime's ring
    buffers), whose outputs beyond those already consumed are new."""
    state["samples"].append(x[1])
    ys = state["samples"]
    for layer in q["conv"]:
        ys = conv_batch(layer, ys)
    if len(ys) == state["steps"]:
        return None
    assert len(ys) == state["steps"] + 1
    state["steps"] += 1
    return ("dense", ys[-1])


def step(q, state, item):
    x = encode(q, item)
    if q.get("conv"):
        x = conv_front(q, state, x)
    for k, rows in enumerate(q["layers"] if x is not None else []):
        h_prev = state["h"][k]
        c_prev = state["c"][k] if q["cell"] == "lstm" else [0] * q["h"]
        new_h, new_c = [], []
        for u in range(q["h"]):
            xs, hs = [0] * q["g"], [0] * q["g"]
            for g in range(q["g"]):
                row = rows[g * q["h"] + u]
                if x[0] == "one_hot":
                    acc_x = row["w_ih"][x[1]]
                else:
                    acc_x = sum(w * v for w, v in zip(row["w_ih"], x[1]))
                acc_h = sum(w * v for w, v in zip(row["w_hh"], h_prev))
                # Both sums in Q15; one requantisation unless the gate keeps them apart.
                acc_x <<= row["x_shift"]
                assert abs(acc_x + acc_h) < 1 << 31
                if row["separate"]:
                    xs[g] = row["b_x"] + requantize(acc_x, row["rq"])
                    hs[g] = row["b_h"] + requantize(acc_h, row["rq"])
                else:
                    xs[g] = row["b_x"] + requantize(acc_x + acc_h, row["rq"])
            nh, nc = unit(q["cell"], xs, hs, h_prev[u], c_prev[u])
            new_h.append(nh)
            new_c.append(nc)
        state["h"][k] = new_h
        if q["cell"] == "lstm":
            state["c"][k] = new_c
        x = ("dense", new_h)
    top = state["h"][-1]
    return [sum(w * v for w, v in zip(row, top)) for row in q["head"]]


# ---- inputs ----------------------------------------------------------------------------------

def lcg(seed):
    while True:
        seed = (seed * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield seed >> 33


def token_sequences(vocab, count, seed):
    rng = lcg(seed)
    return [[next(rng) % vocab for _ in range(1 + next(rng) % 24)] for _ in range(count)]


def read_ts(path, count):
    series, data = [], False
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not data:
            data = line.lower() == "@data"
            continue
        dims = [[float(v) for v in d.split(",")] for d in line.split(":")[:-1]]
        series.append([[f32_bits(d[i]) for d in dims] for i in range(len(dims[0]))])
        if len(series) == count:
            break
    return series


def wave(features, n):
    """`n` samples of a fixed pattern in [-3.5, 3.5]."""
    return [[f32_bits(((i * 7 + j * 3) % 11 - 5) * 0.7) for j in range(features)] for i in range(n)]


def extreme_samples(features):
    """Samples that saturate: huge, tiny, subnormal, f32::MAX, signed zeros."""
    values = [1e30, -1e30, 3.4028235e38, -3.4028235e38, 1e-40, -0.0, 0.0, 50.0, -50.0, 7.0]
    return [[f32_bits(values[(i + j) % len(values)]) for j in range(features)] for i in range(30)]


CASES = [
    ("seed_int8", "models/seed.safetensors", lambda m: token_sequences(len(m["vocab"]), 8, 1)),
    # Baked with 4-bit embedding rows (build.rs: Quantize::Int8Embedding4).
    ("sentiment_int8", "models/sentiment.safetensors", lambda m: token_sequences(len(m["vocab"]), 8, 2),
     {"emb4": True}),
    ("motion_int8", "models/motion.safetensors",
     lambda m: read_ts(os.path.join(ROOT, "data/sensor/BasicMotions_TEST.ts"), 3) + [extreme_samples(len(m["mean"]))]),
    ("vowels_int8", "models/vowels.safetensors",
     lambda m: read_ts(os.path.join(ROOT, "data/sensor/JapaneseVowels_TEST.ts"), 4) + [extreme_samples(len(m["mean"]))]),
    ("exercise_int8", "models/exercise.safetensors",
     lambda m: read_ts(os.path.join(ROOT, "data/sensor/Watch_TEST.ts"), 3) + [extreme_samples(len(m["mean"]))]),
    # LSTM (no shipped model is one): conformance fixtures, baked for the tests by build.rs.
    ("lstm_2l_dense_int8", "conformance/fixtures/lstm_2l_dense.safetensors",
     lambda m: [wave(len(m["mean"]), 12), extreme_samples(len(m["mean"]))]),
    # Convolution front-ends with two layers, strides, dilation and pools (conformance fixtures,
    # also baked by build.rs; the shipped vowels has one layer).
    ("conv_gru_2c_int8", "conformance/fixtures/conv_gru_2c.safetensors",
     lambda m: [wave(len(m["mean"]), 23), wave(len(m["mean"]), 3), extreme_samples(len(m["mean"]))]),
    ("conv_lstm_2c_int8", "conformance/fixtures/conv_lstm_2c.safetensors",
     lambda m: [wave(len(m["mean"]), 25), extreme_samples(len(m["mean"]))]),
    ("lstm_1l_embedding_int8", "conformance/fixtures/lstm_1l_embedding.safetensors",
     lambda m: token_sequences(len(m["vocab"]), 6, 3)),
]


def main():
    out = {"about": "golden values of scripts/int8_reference.py; checked by tests/int8_golden.rs",
           "models": []}
    for name, path, inputs, *options in CASES:
        meta, tensors = load(os.path.join(ROOT, path))
        q = quantize(meta, tensors, **(options[0] if options else {}))
        sequences = []
        for seq in inputs(meta):
            state = {"h": [[0] * q["h"] for _ in q["layers"]], "c": [[0] * q["h"] for _ in q["layers"]],
                     "samples": [], "steps": 0}
            steps = []
            for item in seq:
                head = step(q, state, item)
                entry = {"h": [list(h) for h in state["h"]], "head": head}
                if q["cell"] == "lstm":
                    entry["c"] = [list(c) for c in state["c"]]
                if q.get("conv"):
                    entry["steps"] = state["steps"]
                steps.append(entry)
            sequences.append({"inputs": seq, "steps": steps})
        out["models"].append({"model": name, "sequences": sequences})
        print("%s: %d sequences, %d steps" % (name, len(sequences), sum(len(s["steps"]) for s in sequences)),
              file=sys.stderr)
    path = os.path.join(ROOT, "tests/fixtures/int8_golden.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
