#!/usr/bin/env python3
"""ONNX Runtime timings of the shapes in benches/models.rs, for tools/bench-onnx.sh.

Each graph is Gather (embedding) -> GRU/LSTM layers -> last h -> Gemm -> Softmax, batch 1,
15 token ids, on the CPU provider with one intra-op and one inter-op thread, with the same
weights as the Rust bench (constants for the shapes, models/sentiment.safetensors for
`sentiment_ids`). Prints `name<TAB>median ns per inference`.
"""

import json
import struct
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

IDS = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9], dtype=np.int64)[:, None]


def read_safetensors(path):
    """The tensors of a .safetensors file (F32 only) and its `tinyrnn` metadata."""
    with open(path, "rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(n))
        data = fh.read()
    meta = json.loads(header.pop("__metadata__", {}).get("tinyrnn", "{}"))
    tensors = {}
    for name, t in header.items():
        lo, hi = t["data_offsets"]
        tensors[name] = np.frombuffer(data[lo:hi], dtype="<f4").reshape(t["shape"]).copy()
    return tensors, meta


def onnx_order(w, cell):
    """PyTorch gate blocks (GRU r z n, LSTM i f g o) to ONNX's (z r h, i o f c)."""
    b = np.split(w, 3 if cell == "gru" else 4, axis=0)
    return np.concatenate([b[1], b[0], b[2]] if cell == "gru" else [b[0], b[3], b[1], b[2]])


def graph(tensors, cell, layers):
    hidden = tensors["rnn.weight_hh_l0"].shape[1]
    inits = []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=arr.dtype), name))
        return name

    nodes = [helper.make_node("Gather", [init("emb", tensors["embedding.weight"]), "x"], ["x0"])]
    init("axis1", np.array([1], dtype=np.int64))
    init("axis0", np.array([0], dtype=np.int64))
    src = "x0"
    for k in range(layers):
        w = onnx_order(tensors[f"rnn.weight_ih_l{k}"], cell)[None]
        r = onnx_order(tensors[f"rnn.weight_hh_l{k}"], cell)[None]
        b = np.concatenate([onnx_order(tensors[f"rnn.bias_ih_l{k}"], cell),
                            onnx_order(tensors[f"rnn.bias_hh_l{k}"], cell)])[None]
        attrs = {"hidden_size": hidden}
        if cell == "gru":
            attrs["linear_before_reset"] = 1
        nodes.append(helper.make_node(
            cell.upper(), [src, init(f"W{k}", w), init(f"R{k}", r), init(f"B{k}", b)],
            [f"Y{k}", f"Yh{k}"], **attrs))
        nodes.append(helper.make_node("Squeeze", [f"Y{k}", "axis1"], [f"Ys{k}"]))
        src = f"Ys{k}"
    nodes.append(helper.make_node("Squeeze", [f"Yh{layers - 1}", "axis0"], ["h"]))
    nodes.append(helper.make_node(
        "Gemm", ["h", init("hw", tensors["head.weight"]), init("hb", tensors["head.bias"])],
        ["logits"], transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["y"], axis=-1))
    classes = tensors["head.bias"].shape[0]
    g = helper.make_graph(
        nodes, "bench", [helper.make_tensor_value_info("x", TensorProto.INT64, ["seq", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, classes])], inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def constant_shape(cell, e, h, layers):
    """The constant weights of benches/models.rs."""
    g = 3 if cell == "gru" else 4
    t = {"embedding.weight": np.full((16, e), 0.05, np.float32)}
    for k in range(layers):
        t[f"rnn.weight_ih_l{k}"] = np.full((g * h, e if k == 0 else h), 0.01, np.float32)
        t[f"rnn.weight_hh_l{k}"] = np.full((g * h, h), -0.01, np.float32)
        t[f"rnn.bias_ih_l{k}"] = np.full(g * h, 0.1, np.float32)
        t[f"rnn.bias_hh_l{k}"] = np.full(g * h, 0.1, np.float32)
    t["head.weight"] = np.full((2, h), 0.02, np.float32)
    t["head.bias"] = np.zeros(2, np.float32)
    return t


def median_ns(model, seconds=2.0):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    feed = {"x": IDS}
    for _ in range(200):
        sess.run(None, feed)
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter_ns()
        sess.run(None, feed)
        times.append(time.perf_counter_ns() - t0)
    return float(np.median(times))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    tensors, meta = read_safetensors(f"{root}/models/sentiment.safetensors")
    cases = [
        ("sentiment_ids", tensors, meta.get("cell", "gru"), meta.get("num_layers", 1)),
        ("gru_e64_h64", constant_shape("gru", 64, 64, 1), "gru", 1),
        ("gru_e64_h256", constant_shape("gru", 64, 256, 1), "gru", 1),
        ("lstm_e64_h128_l2", constant_shape("lstm", 64, 128, 2), "lstm", 2),
    ]
    print(f"# onnxruntime {ort.__version__}", file=sys.stderr)
    for name, t, cell, layers in cases:
        print(f"{name}\t{median_ns(graph(t, cell, layers)):.0f}")


if __name__ == "__main__":
    main()
