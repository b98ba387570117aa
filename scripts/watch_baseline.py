#!/usr/bin/env python3
"""The reference figure of the `exercise` model, measured on the same files: a random forest on
summary features of each window, as in the feature-based classifiers of Burns et al. (2018),
trained on data/sensor/Watch_TRAIN.ts and tested on Watch_TEST.ts (subject-wise split,
data/README.md). Features per axis: mean, standard deviation, minimum, maximum, mean absolute
first difference (30 in all). Needs numpy and scikit-learn (`pip install scikit-learn`).

    python3 scripts/watch_baseline.py
"""
import pathlib

import numpy as np
from sklearn.ensemble import RandomForestClassifier

root = pathlib.Path(__file__).resolve().parent.parent / "data" / "sensor"


def load(name):
    xs, ys = [], []
    for line in (root / name).read_text().splitlines():
        if not line or line[0] in "#@":
            continue
        *dims, label = line.split(":")
        xs.append(np.array([[float(v) for v in d.split(",")] for d in dims]).T)
        ys.append(label)
    return xs, np.array(ys)


def features(xs):
    rows = []
    for x in xs:
        rows.append(np.concatenate([x.mean(0), x.std(0), x.min(0), x.max(0),
                                    np.abs(np.diff(x, axis=0)).mean(0)]))
    return np.array(rows)


train_x, train_y = load("Watch_TRAIN.ts")
test_x, test_y = load("Watch_TEST.ts")
accs = []
for seed in range(5):
    rf = RandomForestClassifier(n_estimators=200, random_state=seed).fit(features(train_x), train_y)
    accs.append((rf.predict(features(test_x)) == test_y).mean())
print("random forest, seeds 0-4: " + " ".join(f"{a:.4f}" for a in accs)
      + f"; mean {np.mean(accs):.4f} on {len(test_y)} test windows")
