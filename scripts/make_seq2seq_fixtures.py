#!/usr/bin/env python3
"""Generate the conformance fixtures of sequence-to-sequence (N->M) models.

Purpose
-------
An encoder-decoder written the way PyTorch users write one::

    class Seq2Seq(nn.Module):
        def __init__(self, V_in, V_out, E, E_out, H, L, cell):
            super().__init__()
            self.embedding = nn.Embedding(V_in, E)            # absent for one-hot input
            self.encoder = nn.GRU(E, H, L, batch_first=True)  # or nn.LSTM / nn.RNN
            self.decoder_embedding = nn.Embedding(V_out, E_out)
            self.decoder = nn.GRU(E_out, H, L, batch_first=True)
            self.head = nn.Linear(H, V_out)

The decoder starts from the encoder's final state (h, and c for an LSTM), reads the start token,
and feeds back the output token with the largest score (greedy) until the end token or a limit.
Its ``state_dict`` names are the tensor names of docs/model-format.md ("task": "seq2seq").

This script

* for two small models with random weights drawn from a fixed seed (a 2-layer GRU reading an
  embedding, a 1-layer LSTM reading one-hot tokens), writes
  ``conformance/fixtures/{name}.safetensors``;
* with ``--model FILE --cases FILE.tsv``, reads a trained model file instead (the shipped
  ``models/g2p.safetensors`` and its held-out words) and writes
  ``conformance/fixtures/{stem}_reference.json`` only;
* runs PyTorch's ``nn.GRU`` / ``nn.LSTM`` / ``nn.Linear`` in float32 on the model's weights:
  the encoder over each case's input tokens, then the greedy decoder loop, one
  ``decoder(x, state)`` call per output token; records the tokens and every step's scores
  (logits); refuses a case whose two best scores at some step are closer than 1e-4 (a near-tie
  that float32 rounding could flip);
* writes ``{name}.json`` with the cases.

Deterministic: rerunning gives byte-identical files (for the same PyTorch version, recorded in
each JSON file).

    python3 scripts/make_seq2seq_fixtures.py
    python3 scripts/make_seq2seq_fixtures.py --model models/g2p.safetensors \\
        --cases data/g2p/test.tsv --limit 100

Requirements: ``pip install numpy torch safetensors onnx onnxruntime`` (the helpers shared with
``make_fixtures.py`` import ONNX).
"""

import argparse
import json
import os

import numpy as np
import torch
from safetensors.numpy import load_file, save_file
from safetensors import safe_open

from make_fixtures import GATES, f32, seed_for, softmax_head, token_meta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "conformance", "fixtures")
GENERATOR = "scripts/make_seq2seq_fixtures.py"
MIN_MARGIN = 1e-4
LIMIT = 12

SOURCE = ["<pad>", "<unk>", "a", "b", "c", "d", "e", "f", "g"]
TARGET = ["<s>", "</s>", "AA", "B", "K", "D", "EH", "F", "G", "HH"]
H = 8

# (name, cell, layers, input, E, E_out)
MODELS = [
    ("seq2seq_gru_2l", "gru", 2, "embedding", 5, 4),
    ("seq2seq_lstm_1l", "lstm", 1, "one_hot", 0, 6),
]

# Input token sequences (ids of SOURCE) of the random models.
CASES = [[2], [3, 4, 5], [8, 7, 6, 5, 4, 3, 2], [2, 2, 2, 2], [1, 4, 6, 8, 3], [5, 6]]


def random_model(name, cell, layers, inp, e, e_out):
    rng = np.random.default_rng(seed_for(name))
    g = GATES[cell]
    u = lambda *shape: f32(rng.uniform(-0.9, 0.9, size=shape))
    t = {}
    in0 = len(SOURCE)
    if inp == "embedding":
        t["embedding.weight"] = u(len(SOURCE), e)
        in0 = e
    t["decoder_embedding.weight"] = u(len(TARGET), e_out)
    for stack, first in [("encoder", in0), ("decoder", e_out)]:
        for k in range(layers):
            shapes = [("weight_ih", (first if k == 0 else H,)), ("weight_hh", (H,)),
                      ("bias_ih", ()), ("bias_hh", ())]
            for kind, cols in shapes:
                t[f"{stack}.{kind}_l{k}"] = u(g * H, *cols)
    softmax_head(t, rng, u, len(TARGET), H)
    meta = token_meta(cell, layers, H, inp, "seq2seq", TARGET, SOURCE, pad_id=0,
                      tokenizer={"lowercase": True, "split": "chars"}, start_id=0, end_id=1)
    return t, meta


class Seq2Seq(torch.nn.Module):
    """The encoder-decoder of the module docstring, loaded from a tinyrnn model file's tensors."""

    def __init__(self, tensors, meta):
        super().__init__()
        cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[meta["cell"]]
        h, layers = meta["hidden_size"], meta["num_layers"]
        v_in, v_out = len(meta["vocab"]), len(meta["labels"])
        self.one_hot = meta["input"] == "one_hot"
        if not self.one_hot:
            self.embedding = torch.nn.Embedding(*tensors["embedding.weight"].shape)
        e = v_in if self.one_hot else tensors["embedding.weight"].shape[1]
        e_out = tensors["decoder_embedding.weight"].shape[1]
        self.v_in = v_in
        self.encoder = cell(e, h, layers, batch_first=True)
        self.decoder_embedding = torch.nn.Embedding(v_out, e_out)
        self.decoder = cell(e_out, h, layers, batch_first=True)
        self.head = torch.nn.Linear(h, v_out)
        self.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in tensors.items()})
        # float32, as the runtime computes (float64 moved the trained model's logits no closer).
        self.float().eval()

    def encode(self, tokens):
        ids = torch.tensor([tokens])
        if self.one_hot:
            x = torch.nn.functional.one_hot(ids, self.v_in).float()
        else:
            x = self.embedding(ids)
        _, state = self.encoder(x)
        return state

    def step(self, token, state):
        y, state = self.decoder(self.decoder_embedding(torch.tensor([[token]])), state)
        return self.head(y[0, -1]), state


def greedy(model, tokens, start_id, end_id, limit):
    """(output tokens, per-step logits) of the greedy loop, or None on a near-tie."""
    with torch.no_grad():
        state = model.encode(tokens)
        token, out, logits = start_id, [], []
        for _ in range(limit):
            z, state = model.step(token, state)
            z = z.numpy()
            top = np.sort(z)[::-1]
            if top[0] - top[1] < MIN_MARGIN:
                return None
            logits.append([float(np.float32(v)) for v in z])
            token = int(np.argmax(z))
            if token == end_id:
                break
            out.append(token)
    return out, logits


def write_json(name, meta, cases, rows, indent=1):
    doc = {
        "generator": GENERATOR,
        "torch": torch.__version__.split("+")[0],
        "start_id": meta["start_id"],
        "end_id": meta["end_id"],
        "limit": LIMIT,
        "cases": [],
    }
    for tokens, row in zip(cases, rows):
        doc["cases"].append({"input": tokens, "output": row[0], "logits": row[1]})
    with open(os.path.join(OUT_DIR, f"{name}.json"), "w") as f:
        json.dump(doc, f, indent=indent, separators=(",", ": ") if indent else (",", ":"))
        f.write("\n")


def random_fixtures():
    for name, cell, layers, inp, e, e_out in MODELS:
        tensors, meta = random_model(name, cell, layers, inp, e, e_out)
        save_file(tensors, os.path.join(OUT_DIR, f"{name}.safetensors"),
                  metadata={"tinyrnn": json.dumps(meta)})
        model = Seq2Seq(tensors, meta)
        rows = [greedy(model, c, meta["start_id"], meta["end_id"], LIMIT) for c in CASES]
        if any(r is None for r in rows):
            raise SystemExit(f"{name}: a case has a near-tie; change the seed or the cases")
        write_json(name, meta, CASES, rows)
        print(f"{name}: {len(CASES)} cases, {sum(len(r[1]) for r in rows)} decoder steps")


def trained_fixture(path, cases_path, limit):
    with safe_open(path, "np") as f:
        meta = json.loads(f.metadata()["tinyrnn"])
    tensors = load_file(path)
    model = Seq2Seq(tensors, meta)
    index = {w: i for i, w in enumerate(meta["vocab"])}
    cases, rows, skipped = [], [], 0
    with open(cases_path) as f:
        next(f)  # header
        for line in f:
            word = line.split("\t")[0]
            tokens = [index.get(c, meta["unk_id"]) for c in word]
            row = greedy(model, tokens, meta["start_id"], meta["end_id"], 2 * LIMIT)
            if row is None:
                skipped += 1
                continue
            cases.append(tokens)
            rows.append(row)
            if len(cases) == limit:
                break
    stem = os.path.splitext(os.path.basename(path))[0]
    # Compact: a trained model's fixture has thousands of logits.
    write_json(f"{stem}_reference", meta, cases, rows, indent=None)
    print(f"{stem}: {len(cases)} held-out words, {skipped} skipped for a near-tie")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="a trained model file (instead of the random fixtures)")
    ap.add_argument("--cases", help="TSV of words (first column) for --model")
    ap.add_argument("--limit", type=int, default=100, help="words taken from --cases")
    a = ap.parse_args()
    torch.manual_seed(0)
    if a.model:
        trained_fixture(a.model, a.cases, a.limit)
    else:
        random_fixtures()


if __name__ == "__main__":
    main()
