#!/usr/bin/env python3
"""Generate the conformance fixtures of generative (1->N) models.

Purpose
-------
For two small class-conditioned language models -- a 2-layer GRU reading an
embedding and a 1-layer LSTM reading one-hot tokens -- this script

* draws random weights from a fixed seed (SHA-256 of the model name) and
  writes ``conformance/fixtures/{name}.safetensors`` as docs/model-format.md
  describes a ``"task": "generate"`` file: the PyTorch ``state_dict`` names,
  plus ``condition.weight`` of shape [K, L*H] whose row k is h0 of every
  layer (layer 0 first; an LSTM's c0 is zero), with ``conditions``,
  ``start_id`` and ``end_id`` in the metadata;
* builds an ONNX graph that gathers the condition's row, slices it into each
  layer's ``initial_h`` and runs ONNX Runtime's GRU / LSTM operators (gates
  reordered to ONNX's order), the head and a softmax after every step;
* cross-checks ONNX Runtime against a plain-numpy float64 forward pass of
  PyTorch's equations (stops if they differ by more than 1e-5);
* records, per model, the per-step next-token distributions for fixed
  (condition, token sequence) cases, and the greedy decoder loop run with
  ONNX Runtime (feed the most likely token back until the end token or 12
  tokens), refusing a case whose top two probabilities are closer than 1e-4
  (a near-tie that float rounding could flip);
* writes ``conformance/fixtures/{name}.json``.

Deterministic: rerunning gives byte-identical files (for the same numpy and
onnxruntime versions; the latter is recorded in each JSON file).

Rerun from anywhere with::

    python3 scripts/make_generate_fixtures.py

Requirements (PyTorch is not needed)::

    pip install numpy onnx onnxruntime safetensors
"""

import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from safetensors.numpy import save_file

# The cell equations, the ONNX node and the session, written once (scripts/ is on the path
# when this script runs).
from make_fixtures import (GATES, f32, make_session, recurrent_node, run_direction, seed_for,
                           softmax_head, token_meta)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "conformance", "fixtures")
GENERATOR = "scripts/make_generate_fixtures.py"

H = 8
E = 5
VOCAB = ["<s>", "<unk>", "C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5", "rest", "<end>"]
V = len(VOCAB)
CONDITIONS = ["reel", "jig", "polka"]
K = len(CONDITIONS)
WEIGHT_RANGE = 0.9
TOLERANCE = 1e-5
MIN_MARGIN = 1e-4
GREEDY_LIMIT = 12
OPSET = 17

# (name, cell, layers, input, start_id, end_id)
MODELS = [
    ("generate_gru_2l", "gru", 2, "embedding", 0, 11),
    ("generate_lstm_1l", "lstm", 1, "one_hot", 0, 0),
]


def make_model(name, cell, layers, inp, start_id, end_id):
    rng = np.random.default_rng(seed_for(name))
    G = GATES[cell]
    u = lambda *shape: f32(rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=shape))
    tensors = {}
    if inp == "embedding":
        tensors["embedding.weight"] = u(V, E)
        in0 = E
    else:
        in0 = V
    for k in range(layers):
        ik = in0 if k == 0 else H
        tensors[f"rnn.weight_ih_l{k}"] = u(G * H, ik)
        tensors[f"rnn.weight_hh_l{k}"] = u(G * H, H)
        tensors[f"rnn.bias_ih_l{k}"] = u(G * H)
        tensors[f"rnn.bias_hh_l{k}"] = u(G * H)
    softmax_head(tensors, rng, u, V, H)
    tensors["condition.weight"] = f32(rng.uniform(-1.0, 1.0, size=(K, layers * H)))
    meta = token_meta(cell, layers, H, inp, "generate", VOCAB, VOCAB,
                      tokenizer={"lowercase": False, "split": "whitespace"},
                      conditions=list(CONDITIONS), start_id=start_id, end_id=end_id)
    return tensors, meta, rng


# --------------------------------------------------------------------------
# Plain numpy reference (PyTorch's equations, h0 from the condition)
# --------------------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(y):
    e = np.exp(y - np.max(y))
    return e / np.sum(e)


def numpy_forward(tensors, meta, cls, seq):
    """Per-step softmax [T, V] in float64."""
    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    cell, layers = meta["cell"], meta["num_layers"]
    if meta["input"] == "embedding":
        xs = [t["embedding.weight"][tok] for tok in seq]
    else:
        xs = [np.eye(V)[tok] for tok in seq]
    h0 = t["condition.weight"][cls].reshape(layers, H)
    for k in range(layers):
        xs = run_direction(t, cell, f"l{k}", xs, h0[k])
    return np.stack([softmax(t["head.weight"] @ h + t["head.bias"]) for h in xs])


# --------------------------------------------------------------------------
# ONNX graph + ONNX Runtime
# --------------------------------------------------------------------------

def build_onnx(tensors, meta):
    cell, layers = meta["cell"], meta["num_layers"]
    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    cls_in = helper.make_tensor_value_info("cls", TensorProto.INT64, [1])
    if meta["input"] == "embedding":
        x_in = helper.make_tensor_value_info("x", TensorProto.INT64, ["seq", 1])
        init("embedding", tensors["embedding.weight"])
        nodes.append(helper.make_node("Gather", ["embedding", "x"], ["x0"], axis=0))
    else:
        x_in = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", 1, V])
        nodes.append(helper.make_node("Identity", ["x"], ["x0"]))
    # h0 of every layer: condition.weight[cls] -> [1, L, H]
    init("condition", tensors["condition.weight"])
    nodes.append(helper.make_node("Gather", ["condition", "cls"], ["h0_flat"], axis=0))
    init("h0_shape", np.array([1, layers, H], dtype=np.int64))
    nodes.append(helper.make_node("Reshape", ["h0_flat", "h0_shape"], ["h0_all"]))
    init("axis1", np.array([1], dtype=np.int64))
    op = {"lstm": "LSTM", "gru": "GRU"}[cell]
    layer_in = "x0"
    for k in range(layers):
        init(f"start{k}", np.array([k], dtype=np.int64))
        init(f"end{k}", np.array([k + 1], dtype=np.int64))
        # [1, 1, H]: (num_directions, batch, H)
        nodes.append(helper.make_node("Slice", ["h0_all", f"start{k}", f"end{k}", "axis1"],
                                      [f"h0_{k}"]))
        recurrent_node(tensors, cell, op, k, [f"l{k}"], layer_in, init, nodes, f"h0_{k}")
        nodes.append(helper.make_node("Squeeze", [f"Y{k}", "axis1"], [f"Ys{k}"]))
        layer_in = f"Ys{k}"
    init("head_wT", f32(tensors["head.weight"].T))
    init("head_b", tensors["head.bias"])
    nodes.append(helper.make_node("MatMul", [layer_in, "head_wT"], ["step_mm"]))
    nodes.append(helper.make_node("Add", ["step_mm", "head_b"], ["step_logits"]))
    nodes.append(helper.make_node("Softmax", ["step_logits"], ["per_step"], axis=-1))
    outputs = [helper.make_tensor_value_info("per_step", TensorProto.FLOAT, ["seq", 1, V])]
    graph = helper.make_graph(nodes, "tinyrnn_generate_reference", [x_in, cls_in], outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tinyrnn make_generate_fixtures.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def ort_forward(sess, meta, cls, seq):
    if meta["input"] == "embedding":
        x = np.asarray(seq, dtype=np.int64).reshape(-1, 1)
    else:
        x = np.zeros((len(seq), 1, V), dtype=np.float32)
        for s, tok in enumerate(seq):
            x[s, 0, tok] = 1.0
    (per_step,) = sess.run(["per_step"], {"x": x, "cls": np.array([cls], dtype=np.int64)})
    return per_step.reshape(len(seq), V)


def greedy(sess, meta, cls):
    """The decoder loop with ONNX Runtime: the most likely token fed back each step."""
    seq = [meta["start_id"]]
    out = []
    while len(out) < GREEDY_LIMIT:
        p = ort_forward(sess, meta, cls, seq)[-1]
        order = np.argsort(-p.astype(np.float64), kind="stable")
        assert p[order[0]] - p[order[1]] > MIN_MARGIN, "near-tie in the greedy loop"
        tok = int(order[0])
        if tok == meta["end_id"]:
            break
        out.append(tok)
        seq.append(tok)
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, cell, layers, inp, start_id, end_id in MODELS:
        tensors, meta, rng = make_model(name, cell, layers, inp, start_id, end_id)
        save_file(tensors, os.path.join(OUT_DIR, f"{name}.safetensors"),
                  metadata={"tinyrnn": json.dumps(meta)})
        sess = make_session(build_onnx(tensors, meta))
        cases = []
        for n, length in enumerate((1, 3, 7, 15)):
            cls = n % K
            seq = [start_id] + [int(t) for t in rng.integers(1, V, size=length - 1)]
            ours = ort_forward(sess, meta, cls, seq)
            ref = numpy_forward(tensors, meta, cls, seq)
            worst = float(np.max(np.abs(ours.astype(np.float64) - ref)))
            assert worst <= TOLERANCE, f"{name}: onnxruntime vs numpy {worst}"
            cases.append({
                "condition": cls,
                "tokens": seq,
                "per_step": [[float(v) for v in row] for row in ours],
            })
        doc = {
            "generator": GENERATOR,
            "onnxruntime": ort.__version__,
            "cases": cases,
            "greedy": [greedy(sess, meta, cls) for cls in range(K)],
        }
        with open(os.path.join(OUT_DIR, f"{name}.json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"{name}: {len(cases)} cases, greedy lengths {[len(g) for g in doc['greedy']]}")


if __name__ == "__main__":
    main()
