#!/usr/bin/env python3
"""Generate the tinyrnn conformance fixtures (reference models and outputs).

Purpose
-------
For every cell in {rnn, lstm, gru} x num_layers in {1, 2} x input in
{embedding, one_hot, dense} (18 models) this script

* draws small random weights from a fixed, per-model seed (derived from the
  model name with SHA-256, so it never depends on Python's hash randomisation);
* writes ``conformance/fixtures/{cell}_{layers}l_{input}.safetensors`` exactly
  as described in ``docs/model-format.md`` (PyTorch ``state_dict`` names and
  gate orders, F32 tensors, JSON metadata under the ``tinyrnn`` key);
* builds an equivalent ONNX graph (Gather / one-hot input / Sub+Div, then one
  ONNX RNN, LSTM or GRU node per layer with the gates reordered to ONNX's
  order, then the head and its activation) and runs it with ONNX Runtime on
  the CPU to obtain the reference outputs, both after the last step
  ("final") and after every step ("per_step");
* cross-checks every ONNX Runtime result against an independent plain-numpy
  forward pass written from PyTorch's equations as given in the format doc,
  and stops with an error if they differ by more than 1e-5;
* adds four dense models with a 1D convolution front-end (format version 2:
  ``conv.{j}.weight`` [out, in, k] / ``conv.{j}.bias``, each layer followed by
  ReLU and an optional max-pool, ``valid`` or ``causal`` (left) padding,
  strides and dilations) in front of GRU / LSTM / RNN layers, named
  ``conv_{cell}_{n}c``; their ONNX graph uses ``Conv`` (with ``pads`` =
  [window - 1, 0] for causal padding), ``Relu`` and ``MaxPool`` and their
  per-step outputs are those of the recurrent steps (one per output of the
  last convolution layer);
* adds six bidirectional models (format version 2: ``"bidirectional": true``,
  ``max_steps``, PyTorch's ``weight_ih_l{k}_reverse`` etc.; layer k+1 reads
  the 2H outputs of both directions; the head reads the top layer's ``h_n``
  for both directions, ``cat(h_n[-2], h_n[-1])``), RNN / LSTM / GRU with one
  and two layers, named ``bidi_{cell}_{layers}l_{input}``; their ONNX graph
  uses one ``direction="bidirectional"`` node per layer and they have a final
  output only (a backward direction cannot stream). When PyTorch is
  installed, they are also checked against ``nn.RNN/LSTM/GRU(...,
  bidirectional=True)`` loaded with the same ``state_dict``;
* writes ``conformance/fixtures/{name}.json`` with the input sequences and the
  reference outputs, and ``conformance/fixtures/text_cases.json`` with
  tokenizer-level cases (text -> token ids -> final output) for
  ``gru_1l_embedding``.

The output is deterministic: running the script twice produces byte-identical
files (for the same numpy / onnxruntime versions; the ONNX Runtime version is
recorded in every JSON fixture).

Rerun it from the repository root with::

    python3 scripts/make_fixtures.py

(it resolves its paths relative to its own location, so the working directory
does not matter).

Requirements (PyTorch is *not* needed)::

    pip install numpy onnx onnxruntime safetensors
"""

import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from safetensors import safe_open
from safetensors.numpy import save_file

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "conformance", "fixtures")
GENERATOR = "scripts/make_fixtures.py"

CELLS = ("rnn", "lstm", "gru")
LAYERS = (1, 2)
INPUTS = ("embedding", "one_hot", "dense")
OUTPUTS = ("softmax", "sigmoid", "identity")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}

E = 5  # embedding size
F = 4  # dense features
H = 8  # hidden size
LABELS = ["alpha", "beta", "gamma"]
C = len(LABELS)
VOCAB = [
    "<pad>", "<unk>",
    "the", "movie", "was", "not", "good", "bad", "very", "isn't", "boring",
    "i", "liked", "it", "plot", "really", "fun", "great", "and", "10",
]
V = len(VOCAB)
PAD_ID = 0
UNK_ID = 1
TOKENIZER = {"lowercase": True, "split": "words"}
SEQ_LENGTHS = (1, 2, 5, 9, 17)
WEIGHT_RANGE = 0.8
TOLERANCE = 1e-5
OPSET = 17

# The convolution front-ends: (name, cell, recurrent layers, conv layers, output, task).
# Each conv layer: out_channels, kernel_size, stride, dilation, padding, pool.
def conv_layer(out, k, stride=1, dilation=1, padding="valid", pool=1):
    return {"out_channels": out, "kernel_size": k, "stride": stride, "dilation": dilation,
            "padding": padding, "pool": pool}


CONV_MODELS = (
    ("conv_gru_1c", "gru", 1, [conv_layer(6, 3)], "softmax", "classify"),
    ("conv_gru_2c", "gru", 2,
     [conv_layer(6, 3, padding="causal"), conv_layer(5, 3, dilation=2, pool=2)],
     "softmax", "tag"),
    ("conv_lstm_2c", "lstm", 1,
     [conv_layer(6, 2, stride=2, padding="causal"), conv_layer(6, 3, padding="causal", pool=3)],
     "sigmoid", "classify"),
    ("conv_rnn_1c", "rnn", 2, [conv_layer(7, 3, stride=2, dilation=2, pool=2)],
     "identity", "regress"),
)

# The bidirectional models: (name, cell, layers, input, output, task). max_steps is the
# longest reference sequence, so that the runtime's state is exactly full once.
BIDI_MODELS = (
    ("bidi_rnn_1l_dense", "rnn", 1, "dense", "identity", "regress"),
    ("bidi_rnn_2l_embedding", "rnn", 2, "embedding", "softmax", "classify"),
    ("bidi_lstm_1l_one_hot", "lstm", 1, "one_hot", "sigmoid", "classify"),
    ("bidi_lstm_2l_dense", "lstm", 2, "dense", "softmax", "classify"),
    ("bidi_gru_1l_embedding", "gru", 1, "embedding", "sigmoid", "classify"),
    ("bidi_gru_2l_dense", "gru", 2, "dense", "softmax", "classify"),
)
MAX_STEPS = max(SEQ_LENGTHS)

assert V == 20 and len(set(VOCAB)) == V
assert all(w == w.lower() for w in VOCAB)


# --------------------------------------------------------------------------
# Model definition
# --------------------------------------------------------------------------

def model_name(cell, layers, inp):
    return f"{cell}_{layers}l_{inp}"


def seed_for(name):
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def all_model_specs():
    """(name, cell, layers, input, output, task) for the 18 models.

    The output rotates with a shift every three models so that each input kind
    and each cell sees every output activation; the task is chosen to be
    consistent with the output (identity -> regress; softmax and sigmoid
    alternate between classify and tag).
    """
    specs = []
    seen = {o: 0 for o in OUTPUTS}
    i = 0
    for cell in CELLS:
        for layers in LAYERS:
            for inp in INPUTS:
                output = OUTPUTS[(i + i // 3) % 3]
                k = seen[output]
                seen[output] += 1
                if output == "identity":
                    task = "regress"
                elif output == "softmax":
                    task = "classify" if k % 2 == 0 else "tag"
                else:  # sigmoid (multi-label)
                    task = "tag" if k % 2 == 0 else "classify"
                specs.append((model_name(cell, layers, inp), cell, layers, inp, output, task))
                i += 1
    return specs


def f32(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32))


def softmax_head(tensors, rng, u, outputs, hidden):
    """A head over `outputs` tokens, wider than the layers so that the scores are well apart
    (the generative and sequence-to-sequence fixtures pick tokens by them)."""
    tensors["head.weight"] = f32(3.0 * rng.uniform(-1.0, 1.0, size=(outputs, hidden)))
    tensors["head.bias"] = u(outputs)


def token_meta(cell, layers, hidden, inp, task, labels, vocab, **rest):
    """Metadata of a version-1 model over tokens with a softmax head; `rest` follows `unk_id`."""
    return {
        "format_version": 1,
        "cell": cell,
        "num_layers": layers,
        "hidden_size": hidden,
        "input": inp,
        "task": task,
        "output": "softmax",
        "labels": list(labels),
        "vocab": list(vocab),
        "unk_id": 1,
        **rest,
    }


def window(layer):
    return (layer["kernel_size"] - 1) * layer["dilation"] + 1


def min_samples(conv):
    """The fewest samples that give the recurrent layers one input."""
    n = 1
    for layer in reversed(conv):
        outputs = n * layer["pool"]
        first = window(layer) if layer["padding"] == "valid" else 1
        n = first + (outputs - 1) * layer["stride"]
    return n


def make_model(name, cell, layers, inp, output, task, conv=None, bidi=False):
    """Return (tensors: dict name -> f32 array, meta: dict, rng)."""
    rng = np.random.default_rng(seed_for(name))
    G = GATES[cell]
    u = lambda *shape: f32(rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=shape))
    tensors = {}
    meta = {
        "format_version": 2 if conv or bidi else 1,
        "cell": cell,
        "num_layers": layers,
        "hidden_size": H,
        "input": inp,
        "task": task,
        "output": output,
        "labels": list(LABELS),
    }
    if inp == "embedding":
        tensors["embedding.weight"] = u(V, E)
        in0 = E
    elif inp == "one_hot":
        in0 = V
    else:
        in0 = F
    for j, layer in enumerate(conv or []):
        # PyTorch's nn.Conv1d: weight [out, in, k], bias [out]
        tensors[f"conv.{j}.weight"] = u(layer["out_channels"], in0, layer["kernel_size"])
        tensors[f"conv.{j}.bias"] = u(layer["out_channels"])
        in0 = layer["out_channels"]
    directions = ("", "_reverse") if bidi else ("",)
    width = H * len(directions)  # what the layer above and the head read
    for k in range(layers):
        ik = in0 if k == 0 else width
        for d in directions:
            tensors[f"rnn.weight_ih_l{k}{d}"] = u(G * H, ik)
            tensors[f"rnn.weight_hh_l{k}{d}"] = u(G * H, H)
            tensors[f"rnn.bias_ih_l{k}{d}"] = u(G * H)
            tensors[f"rnn.bias_hh_l{k}{d}"] = u(G * H)
    tensors["head.weight"] = u(C, width)
    tensors["head.bias"] = u(C)
    if inp == "dense":
        # Stored as exact float32 values so that JSON -> f32 is lossless.
        meta["mean"] = [float(v) for v in f32(rng.uniform(-2.0, 2.0, size=F))]
        meta["std"] = [float(v) for v in f32(rng.uniform(0.5, 3.0, size=F))]
    else:
        meta["vocab"] = list(VOCAB)
        meta["unk_id"] = UNK_ID
        meta["pad_id"] = PAD_ID
        meta["tokenizer"] = dict(TOKENIZER)
    if conv:
        meta["conv"] = [dict(layer) for layer in conv]
    if bidi:
        meta["bidirectional"] = True
        meta["max_steps"] = MAX_STEPS
    return tensors, meta, rng


def make_sequences(inp, meta, rng):
    seqs = []
    lengths = SEQ_LENGTHS
    if "conv" in meta:
        shortest = min_samples(meta["conv"])
        lengths = (shortest, shortest + 1, shortest + 7, 2 * shortest + 13, 3 * shortest + 29)
    for n, length in enumerate(lengths):
        if inp == "dense":
            mean = np.array(meta["mean"], dtype=np.float64)
            std = np.array(meta["std"], dtype=np.float64)
            x = f32(mean + std * rng.uniform(-2.0, 2.0, size=(length, F)))
            seqs.append(x)
        else:
            ids = rng.integers(1, V, size=length)  # 1..V-1: never pad (0)
            if length >= 5:
                # make sure the unknown-word id shows up in the longer sequences
                ids[int(rng.integers(0, length))] = UNK_ID
            seqs.append(ids.astype(np.int64))
    return seqs


# --------------------------------------------------------------------------
# Plain numpy reference (PyTorch's equations, as written in the format doc)
# --------------------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activate(y, output):
    if output == "softmax":
        e = np.exp(y - np.max(y, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
    if output == "sigmoid":
        return sigmoid(y)
    return y


def conv_forward(t, conv, xs):
    """nn.Conv1d (+ left zero padding for causal) -> ReLU -> MaxPool1d, layer by layer."""
    x = np.stack(xs) if xs else np.zeros((0, F))  # [L, in]
    for j, layer in enumerate(conv):
        w, b = t[f"conv.{j}.weight"], t[f"conv.{j}.bias"]
        k, d, s, span = layer["kernel_size"], layer["dilation"], layer["stride"], window(layer)
        if layer["padding"] == "causal":
            x = np.concatenate([np.zeros((span - 1, x.shape[1])), x])
        outputs = (x.shape[0] - span) // s + 1 if x.shape[0] >= span else 0
        y = np.zeros((outputs, w.shape[0]))
        for t_out in range(outputs):
            taps = x[t_out * s + np.arange(k) * d]  # [k, in]
            y[t_out] = b + np.einsum("oik,ki->o", w, taps)
        y = np.maximum(y, 0.0)
        p = layer["pool"]
        if p > 1:
            groups = y.shape[0] // p
            y = y[:groups * p].reshape(groups, p, y.shape[1]).max(axis=1, initial=-np.inf)
        x = y
    return list(x)


def numpy_forward(tensors, meta, seq):
    """Return (final [C], per_step [T, C]) in float64."""
    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    cell, layers, inp = meta["cell"], meta["num_layers"], meta["input"]
    # layer-0 inputs
    if inp == "embedding":
        xs = [t["embedding.weight"][int(tok)] for tok in seq]
    elif inp == "one_hot":
        xs = []
        for tok in seq:
            v = np.zeros(V)
            v[int(tok)] = 1.0
            xs.append(v)
    else:
        mean = np.array(meta["mean"], dtype=np.float64)
        std = np.array(meta["std"], dtype=np.float64)
        xs = [(np.asarray(x, dtype=np.float64) - mean) / std for x in seq]
    if "conv" in meta:
        xs = conv_forward(t, meta["conv"], xs)
    if meta.get("bidirectional"):
        # Each layer: forward over xs, backward over reversed xs; step t of the layer above
        # reads [forward h_t, backward h_t]; the head reads [forward h after the last step,
        # backward h after the first] (PyTorch's h_n[-2], h_n[-1]).
        for k in range(layers):
            fwd = run_direction(t, cell, f"l{k}", xs)
            bwd = run_direction(t, cell, f"l{k}_reverse", xs[::-1])[::-1]
            last = np.concatenate([fwd[-1], bwd[0]])
            xs = [np.concatenate([f, b]) for f, b in zip(fwd, bwd)]
        final = activate(t["head.weight"] @ last + t["head.bias"], meta["output"])
        return final, None
    for k in range(layers):
        xs = run_direction(t, cell, f"l{k}", xs)
    per_step = np.stack([activate(t["head.weight"] @ h + t["head.bias"], meta["output"]) for h in xs])
    return per_step[-1], per_step


def run_direction(t, cell, suffix, xs, h0=None):
    """One layer (one direction) over xs from h0 (zero by default; c always starts at zero):
    its h after every step."""
    W_ih, W_hh = t[f"rnn.weight_ih_{suffix}"], t[f"rnn.weight_hh_{suffix}"]
    b_ih, b_hh = t[f"rnn.bias_ih_{suffix}"], t[f"rnn.bias_hh_{suffix}"]
    H = W_hh.shape[1]
    h = np.zeros(H) if h0 is None else h0.copy()
    c = np.zeros(H)
    ys = []
    for x in xs:
        if cell == "rnn":
            h = np.tanh(W_ih @ x + b_ih + W_hh @ h + b_hh)
        elif cell == "lstm":
            a = W_ih @ x + b_ih + W_hh @ h + b_hh
            i, f, g, o = a[0:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:4 * H]
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        else:  # gru
            gi = W_ih @ x + b_ih
            gh = W_hh @ h + b_hh
            r = sigmoid(gi[0:H] + gh[0:H])
            z = sigmoid(gi[H:2 * H] + gh[H:2 * H])
            n = np.tanh(gi[2 * H:3 * H] + r * gh[2 * H:3 * H])
            h = (1.0 - z) * n + z * h
        ys.append(h)
    return ys


def torch_forward(tensors, meta, seq):
    """The final output of a bidirectional model from PyTorch itself (nn.RNN/LSTM/GRU with
    bidirectional=True and the file's state_dict), or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    cell, inp = meta["cell"], meta["input"]
    in0 = {"embedding": E, "one_hot": V, "dense": F}[inp]
    kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    rnn = kind(in0, H, num_layers=meta["num_layers"], bidirectional=True).double()
    rnn.load_state_dict({k[4:]: torch.from_numpy(v.astype(np.float64))
                         for k, v in tensors.items() if k.startswith("rnn.")})
    if inp == "embedding":
        x = tensors["embedding.weight"].astype(np.float64)[np.asarray(seq, dtype=np.int64)]
    elif inp == "one_hot":
        x = np.eye(V)[np.asarray(seq, dtype=np.int64)]
    else:
        x = (np.asarray(seq, dtype=np.float64) - np.array(meta["mean"])) / np.array(meta["std"])
    with torch.no_grad():
        _, h_n = rnn(torch.from_numpy(x)[:, None, :])
        if cell == "lstm":
            h_n = h_n[0]
        last = torch.cat((h_n[-2], h_n[-1]), dim=1)[0].numpy()
    return activate(tensors["head.weight"].astype(np.float64) @ last + tensors["head.bias"],
                    meta["output"])


# --------------------------------------------------------------------------
# ONNX graph + ONNX Runtime
# --------------------------------------------------------------------------

def to_onnx_gate_order(w, cell):
    """Reorder the row blocks of a PyTorch weight/bias to ONNX's gate order."""
    G = GATES[cell]
    blocks = np.split(w, G, axis=0)
    if cell == "lstm":  # PyTorch i, f, g, o -> ONNX i, o, f, c
        i, f, g, o = blocks
        blocks = [i, o, f, g]
    elif cell == "gru":  # PyTorch r, z, n -> ONNX z, r, h
        r, z, n = blocks
        blocks = [z, r, n]
    return f32(np.concatenate(blocks, axis=0))


def build_onnx(tensors, meta):
    cell, layers, inp = meta["cell"], meta["num_layers"], meta["input"]
    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    if inp == "embedding":
        x_in = helper.make_tensor_value_info("x", TensorProto.INT64, ["seq", 1])
        init("embedding", tensors["embedding.weight"])
        nodes.append(helper.make_node("Gather", ["embedding", "x"], ["x0"], axis=0))
    elif inp == "one_hot":
        x_in = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", 1, V])
        nodes.append(helper.make_node("Identity", ["x"], ["x0"]))
    else:
        x_in = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", 1, F])
        init("mean", f32(meta["mean"]))
        init("std", f32(meta["std"]))
        nodes.append(helper.make_node("Sub", ["x", "mean"], ["x_centered"]))
        nodes.append(helper.make_node("Div", ["x_centered", "std"], ["x0"]))
    if "conv" in meta:
        # [seq, 1, F] -> [1, F, seq] (N, C, L) for Conv -> ... -> back to [L', 1, C]
        nodes.append(helper.make_node("Transpose", ["x0"], ["c_in"], perm=[1, 2, 0]))
        src = "c_in"
        for j, layer in enumerate(meta["conv"]):
            span = window(layer)
            pads = [span - 1, 0] if layer["padding"] == "causal" else [0, 0]
            nodes.append(helper.make_node(
                "Conv",
                [src, init(f"conv{j}_w", tensors[f"conv.{j}.weight"]),
                 init(f"conv{j}_b", tensors[f"conv.{j}.bias"])],
                [f"conv{j}"],
                kernel_shape=[layer["kernel_size"]], strides=[layer["stride"]],
                dilations=[layer["dilation"]], pads=pads))
            nodes.append(helper.make_node("Relu", [f"conv{j}"], [f"relu{j}"]))
            src = f"relu{j}"
            if layer["pool"] > 1:
                nodes.append(helper.make_node(
                    "MaxPool", [src], [f"pool{j}"],
                    kernel_shape=[layer["pool"]], strides=[layer["pool"]]))
                src = f"pool{j}"
        nodes.append(helper.make_node("Transpose", [src], ["x0_conv"], perm=[2, 0, 1]))

    op = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[cell]
    layer_in = "x0_conv" if "conv" in meta else "x0"
    if meta.get("bidirectional"):
        return finish_onnx(x_in, nodes, inits, meta,
                           bidirectional_layers(tensors, meta, op, layer_in, init, nodes))
    init("axis1", np.array([1], dtype=np.int64))
    init("axis0", np.array([0], dtype=np.int64))
    for k in range(layers):
        recurrent_node(tensors, cell, op, k, [f"l{k}"], layer_in, init, nodes)
        # Y: [seq, num_directions=1, batch=1, H] -> [seq, 1, H]
        nodes.append(helper.make_node("Squeeze", [f"Y{k}", "axis1"], [f"Ys{k}"]))
        layer_in = f"Ys{k}"
    top = layers - 1

    init("head_wT", f32(tensors["head.weight"].T))
    init("head_w", tensors["head.weight"])
    init("head_b", tensors["head.bias"])
    # every step: [seq, 1, H] @ [H, C] + [C]
    nodes.append(helper.make_node("MatMul", [f"Ys{top}", "head_wT"], ["step_mm"]))
    nodes.append(helper.make_node("Add", ["step_mm", "head_b"], ["step_logits"]))
    # last step, from the top layer's Y_h: [1, 1, H] -> [1, H] -> Gemm -> [1, C]
    nodes.append(helper.make_node("Squeeze", [f"Yh{top}", "axis0"], ["h_last"]))
    nodes.append(helper.make_node("Gemm", ["h_last", "head_w", "head_b"], ["final_logits"], transB=1))
    return finish_onnx(x_in, nodes, inits, meta, "final_logits", "step_logits")


def recurrent_node(tensors, cell, op, k, directions, layer_in, init, nodes, initial_h=None):
    """Layer k as one ONNX RNN/LSTM/GRU node with outputs Y{k}, Yh{k}: one direction
    (["l0"]) or both (["l0", "l0_reverse"], direction="bidirectional"), stacked in that order
    along ONNX's num_directions axis; from the state named `initial_h` if given (else zero)."""
    def stacked(name):
        return f32(np.stack([to_onnx_gate_order(tensors[f"rnn.{name}_{d}"], cell)
                             for d in directions]))
    W, R = stacked("weight_ih"), stacked("weight_hh")
    B = np.concatenate([stacked("bias_ih"), stacked("bias_hh")], axis=1)
    attrs = {"hidden_size": R.shape[2]}
    if len(directions) == 2:
        attrs["direction"] = "bidirectional"
    if cell == "gru":
        attrs["linear_before_reset"] = 1
    nodes.append(helper.make_node(
        op,
        [layer_in, init(f"W{k}", W), init(f"R{k}", R), init(f"B{k}", B)]
        + (["", initial_h] if initial_h else []),  # no sequence_lens
        [f"Y{k}", f"Yh{k}"],
        name=f"layer{k}", **attrs))


def bidirectional_layers(tensors, meta, op, layer_in, init, nodes):
    """One direction="bidirectional" node per layer; returns the final logits' name."""
    cell = meta["cell"]
    init("shape_steps", np.array([0, 1, 2 * H], dtype=np.int64))
    init("shape_last", np.array([1, 2 * H], dtype=np.int64))
    for k in range(meta["num_layers"]):
        # num_directions = 2: forward first, then `_reverse`
        recurrent_node(tensors, cell, op, k, [f"l{k}", f"l{k}_reverse"], layer_in, init, nodes)
        # Y: [seq, 2, batch=1, H] -> [seq, 1, 2, H] -> [seq, 1, 2H] (forward h, backward h)
        nodes.append(helper.make_node("Transpose", [f"Y{k}"], [f"Yt{k}"], perm=[0, 2, 1, 3]))
        nodes.append(helper.make_node("Reshape", [f"Yt{k}", "shape_steps"], [f"Ys{k}"]))
        layer_in = f"Ys{k}"
    top = meta["num_layers"] - 1
    # Y_h: [2, 1, H] (forward after the last step, backward after the first) -> [1, 2H]
    nodes.append(helper.make_node("Transpose", [f"Yh{top}"], ["h_t"], perm=[1, 0, 2]))
    nodes.append(helper.make_node("Reshape", ["h_t", "shape_last"], ["h_last"]))
    init("head_w", tensors["head.weight"])
    init("head_b", tensors["head.bias"])
    nodes.append(helper.make_node("Gemm", ["h_last", "head_w", "head_b"], ["final_logits"], transB=1))
    return "final_logits"


def finish_onnx(x_in, nodes, inits, meta, final_logits, step_logits=None):
    """The head's activation on the logits, and the checked model."""
    pairs = ([(step_logits, "per_step")] if step_logits else []) + [(final_logits, "final")]
    for src, dst in pairs:
        if meta["output"] == "softmax":
            nodes.append(helper.make_node("Softmax", [src], [dst], axis=-1))
        elif meta["output"] == "sigmoid":
            nodes.append(helper.make_node("Sigmoid", [src], [dst]))
        else:
            nodes.append(helper.make_node("Identity", [src], [dst]))

    outputs = [helper.make_tensor_value_info("final", TensorProto.FLOAT, [1, C])]
    if step_logits:
        outputs.append(helper.make_tensor_value_info("per_step", TensorProto.FLOAT, ["seq", 1, C]))
    graph = helper.make_graph(nodes, "tinyrnn_reference", [x_in], outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tinyrnn make_fixtures.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def make_session(model):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model.SerializeToString(), sess_options=opts,
                                providers=["CPUExecutionProvider"])


def ort_forward(sess, inp, seq):
    """Return (final [C], per_step [T, C]) as float32 from ONNX Runtime."""
    if inp == "embedding":
        x = np.asarray(seq, dtype=np.int64).reshape(-1, 1)
    elif inp == "one_hot":
        x = np.zeros((len(seq), 1, V), dtype=np.float32)
        for s, tok in enumerate(seq):
            x[s, 0, int(tok)] = 1.0
    else:
        x = f32(seq).reshape(-1, 1, F)
    if len(sess.get_outputs()) == 1:  # bidirectional: no output per step
        (final,) = sess.run(["final"], {"x": x})
        return final.reshape(C), None
    final, per_step = sess.run(["final", "per_step"], {"x": x})
    return final.reshape(C), per_step.reshape(-1, C)


# --------------------------------------------------------------------------
# Tokenizer (docs/model-format.md, split "words", lowercase)
# --------------------------------------------------------------------------

def tokenize_words(text, lowercase=True):
    # Python's str.isalnum and Rust's char::is_alphanumeric agree on ASCII; on
    # other scripts they can differ, so only ASCII text is accepted here.
    assert text.isascii(), "fixture texts must be ASCII"
    if lowercase:
        text = "".join(ch.lower() for ch in text)
    tokens, cur = [], []
    for i, ch in enumerate(text):
        keep = ch.isalnum() or (
            ch == "'" and 0 < i < len(text) - 1
            and text[i - 1].isalnum() and text[i + 1].isalnum())
        if keep:
            cur.append(ch)
        elif cur:
            tokens.append("".join(cur))
            cur = []
    if cur:
        tokens.append("".join(cur))
    return tokens


def token_ids(text):
    index = {w: i for i, w in enumerate(VOCAB)}
    return [index.get(tok, UNK_ID) for tok in tokenize_words(text, TOKENIZER["lowercase"])]


def _self_test_tokenizer():
    assert tokenize_words("isn't") == ["isn't"]
    assert tokenize_words("'quoted'") == ["quoted"]
    assert tokenize_words("Rock'n'Roll") == ["rock'n'roll"]
    assert tokenize_words("isn''t") == ["isn", "t"]
    assert tokenize_words("a '  b' c'") == ["a", "b", "c"]
    assert tokenize_words("  Hello,World!!  x2  ") == ["hello", "world", "x2"]
    assert tokenize_words("") == []


TEXTS = [
    "The movie was GOOD!",
    "It isn't   boring,   really...",
    "'Great' plot -- and VERY fun; I liked it.",
    "Zebras weren't in the movie; it's NOT bad",
    "10/10 isn''t a score, 'isn't' is",
    "\tthe  PLOT\nwas   not   great ",
]


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def floats(a):
    a = np.asarray(a)
    if a.ndim == 0:
        return float(a)
    return [floats(v) for v in a]


def dump_json(obj):
    """Deterministic JSON: one top-level key per line, one list element per line."""
    def compact(v):
        return json.dumps(v, ensure_ascii=True, separators=(", ", ": "))
    lines = []
    for key, val in obj.items():
        if isinstance(val, list) and val and isinstance(val[0], (list, dict)):
            inner = ",\n".join("    " + compact(v) for v in val)
            lines.append(f"  {json.dumps(key)}: [\n{inner}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {compact(val)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def check_file(path, tensors, meta):
    """Read the safetensors file back and check it against the doc's contract."""
    with safe_open(path, framework="numpy") as fh:
        md = fh.metadata()
        assert set(md) == {"tinyrnn"}, md
        assert json.loads(md["tinyrnn"]) == meta
        assert set(fh.keys()) == set(tensors)
        loaded = {k: fh.get_tensor(k) for k in fh.keys()}
    G = GATES[meta["cell"]]
    in0 = {"embedding": E, "one_hot": V, "dense": F}[meta["input"]]
    for j, layer in enumerate(meta.get("conv", [])):
        assert loaded[f"conv.{j}.weight"].shape == (layer["out_channels"], in0, layer["kernel_size"])
        assert loaded[f"conv.{j}.bias"].shape == (layer["out_channels"],)
        in0 = layer["out_channels"]
    directions = ("", "_reverse") if meta.get("bidirectional") else ("",)
    width = H * len(directions)
    for k in range(meta["num_layers"]):
        for d in directions:
            assert loaded[f"rnn.weight_ih_l{k}{d}"].shape == (G * H, in0 if k == 0 else width)
            assert loaded[f"rnn.weight_hh_l{k}{d}"].shape == (G * H, H)
            assert loaded[f"rnn.bias_ih_l{k}{d}"].shape == (G * H,)
            assert loaded[f"rnn.bias_hh_l{k}{d}"].shape == (G * H,)
    assert loaded["head.weight"].shape == (C, width) and loaded["head.bias"].shape == (C,)
    for name, arr in loaded.items():
        assert arr.dtype == np.float32 and np.array_equal(arr, tensors[name]), name
        assert np.all(np.isfinite(arr)), name
    return loaded


def main():
    _self_test_tokenizer()
    os.makedirs(OUT_DIR, exist_ok=True)
    max_diff = 0.0
    summary = []
    text_model = None
    specs = [(*spec, None, False) for spec in all_model_specs()] + [
        (name, cell, layers, "dense", output, task, conv, False)
        for name, cell, layers, conv, output, task in CONV_MODELS] + [
        (*spec, None, True) for spec in BIDI_MODELS]
    torch_checked = 0
    for name, cell, layers, inp, output, task, conv, bidi in specs:
        tensors, meta, rng = make_model(name, cell, layers, inp, output, task, conv, bidi)
        st_path = os.path.join(OUT_DIR, name + ".safetensors")
        save_file(tensors, st_path, metadata={"tinyrnn": json.dumps(meta)})
        os.chmod(st_path, 0o644)  # safetensors creates the file with mode 0600
        tensors = check_file(st_path, tensors, meta)  # use what was actually written

        sess = make_session(build_onnx(tensors, meta))
        seqs = make_sequences(inp, meta, rng)
        finals, per_steps = [], []
        for seq in seqs:
            if inp != "dense":
                assert np.all((seq >= 1) & (seq < V)), seq
            o_final, o_steps = ort_forward(sess, inp, seq)
            n_final, n_steps = numpy_forward(tensors, meta, seq)
            if bidi:
                d = float(np.max(np.abs(o_final - n_final)))
                t_final = torch_forward(tensors, meta, seq)
                if t_final is not None:
                    d = max(d, float(np.max(np.abs(o_final - t_final))))
                    torch_checked += 1
                if not d <= TOLERANCE:
                    sys.exit(f"FATAL: {name}: the references disagree by {d:.3g} "
                             f"(> {TOLERANCE}) on a sequence of length {len(seq)}")
                assert np.all(np.isfinite(o_final)), name
                max_diff = max(max_diff, d)
                finals.append(o_final)
                continue
            d = max(float(np.max(np.abs(o_final - n_final))),
                    float(np.max(np.abs(o_steps - n_steps))))
            if not d <= TOLERANCE:
                sys.exit(f"FATAL: {name}: numpy and ONNX Runtime disagree by {d:.3g} "
                         f"(> {TOLERANCE}) on a sequence of length {len(seq)}")
            if conv and len(seq) == min_samples(conv):
                # min_samples is tight: one recurrent step, and none with a sample less
                assert len(o_steps) == 1, name
                t64 = {k: v.astype(np.float64) for k, v in tensors.items()}
                assert not conv_forward(t64, conv, list(seq[:-1])), name
            # the two ORT paths (Y_h + Gemm vs. Y + MatMul) must agree too
            assert np.max(np.abs(o_final - o_steps[-1])) <= 1e-6, name
            assert np.all(np.isfinite(o_steps)), name
            max_diff = max(max_diff, d)
            finals.append(o_final)
            per_steps.append(o_steps)

        fixture = {
            "model": name + ".safetensors",
            "cell": cell,
            "num_layers": layers,
            "input": inp,
            "output": output,
            "task": task,
            **({"conv": conv, "min_samples": min_samples(conv)} if conv else {}),
            **({"max_steps": MAX_STEPS} if bidi else {}),
            "sequences": [floats(s) if inp == "dense" else [int(t) for t in s] for s in seqs],
            "final": [floats(f) for f in finals],
            **({} if bidi else {"per_step": [floats(p) for p in per_steps]}),
            "generator": GENERATOR,
            "onnxruntime_version": ort.__version__,
        }
        write_text(os.path.join(OUT_DIR, name + ".json"), dump_json(fixture))
        summary.append((name, output, task))
        if name == "gru_1l_embedding":
            text_model = (tensors, meta, sess)

    # tokenizer-level fixture
    tensors, meta, sess = text_model
    cases = []
    for text in TEXTS:
        ids = token_ids(text)
        assert ids, f"text {text!r} yields no tokens"
        assert PAD_ID not in ids
        o_final, _ = ort_forward(sess, "embedding", np.array(ids, dtype=np.int64))
        n_final, _ = numpy_forward(tensors, meta, ids)
        d = float(np.max(np.abs(o_final - n_final)))
        if not d <= TOLERANCE:
            sys.exit(f"FATAL: text case {text!r}: numpy and ONNX Runtime disagree by {d:.3g}")
        max_diff = max(max_diff, d)
        cases.append({"text": text, "tokens": ids, "final": floats(o_final)})
    text_fixture = {
        "model": "gru_1l_embedding.safetensors",
        "output": meta["output"],
        "task": meta["task"],
        "cases": cases,
        "generator": GENERATOR,
        "onnxruntime_version": ort.__version__,
    }
    write_text(os.path.join(OUT_DIR, "text_cases.json"), dump_json(text_fixture))

    for name, output, task in summary:
        print(f"{name:20s} output={output:9s} task={task}")
    print(f"onnxruntime {ort.__version__}; max |numpy - ORT| = {max_diff:.3g}; "
          f"{torch_checked} bidirectional sequences also checked against PyTorch")


if __name__ == "__main__":
    main()
