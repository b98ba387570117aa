#!/usr/bin/env python3
"""Writes data/sensor/Watch_{TRAIN,VAL,TEST}.ts, the shoulder-exercise data of the `exercise`
model, from the smartwatch recordings that the PyPI package `seglearn==1.2.5` ships as
`seglearn/data/watch_dataset.npy` (BSD-3-Clause, (c) 2018 David M. Burns; data/README.md):

    pip download --no-deps seglearn==1.2.5 -d /tmp/seglearn
    python3 scripts/make_watch_data.py /tmp/seglearn/seglearn-1.2.5-py3-none-any.whl

Only numpy is needed (the wheel is read as a zip; seglearn itself is not imported). The recordings
are 140 sets of about 20 repetitions of one of 7 shoulder physiotherapy exercises by 10 subjects
(2 per subject and exercise), 6 axes (accelerometer ax ay az in g, gyroscope wx wy wz in rad/s) at
50 Hz, 19 to 52 s each. Each recording is averaged over blocks of 5 samples (10 Hz, what a
microcontroller would compute from a 50 Hz IMU, and the rate of BasicMotions) and cut into
consecutive windows of 5 s (50 steps) from its start, at most WINDOWS per recording (the rest of a
recording is dropped; this keeps the files small and every recording equally weighted). Values
are written with 3 decimals. The split is by subject, so no person is in two files: subjects 1-6
train, 7 validation, 8-10 test. Rerunning it rewrites the same bytes.
"""
import hashlib
import io
import pathlib
import sys
import zipfile

import numpy as np

SHA256 = "eb122f23cdf06ef6bd6c6c5312958ec5cf9d038e2e6d457b8081662c75a42537"
BLOCK = 5  # 50 Hz -> 10 Hz
STEPS = 50  # 5 s windows
WINDOWS = 6  # per recording
SPLIT = {"TRAIN": range(1, 7), "VAL": range(7, 8), "TEST": range(8, 11)}

wheel = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
raw = zipfile.ZipFile(wheel).read("seglearn/data/watch_dataset.npy")
if hashlib.sha256(raw).hexdigest() != SHA256:
    sys.exit(f"{wheel}: watch_dataset.npy is not the file of seglearn 1.2.5 (sha256 differs)")
# A pickled dict (trusted: its hash is checked above).
data = np.load(io.BytesIO(raw), allow_pickle=True).item()
labels = list(data["y_labels"])
out = pathlib.Path(__file__).resolve().parent.parent / "data" / "sensor"


def number(v):
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


for part, subjects in SPLIT.items():
    lines = []
    recordings = 0
    for x, y, subject, side in zip(data["X"], data["y"], data["subject"], data["side"]):
        if subject not in subjects:
            continue
        recordings += 1
        n = len(x) // BLOCK
        slow = x[: n * BLOCK].reshape(n, BLOCK, 6).mean(axis=1)
        for w in range(min(WINDOWS, n // STEPS)):
            win = slow[w * STEPS : (w + 1) * STEPS]
            dims = ":".join(",".join(number(v) for v in win[:, d]) for d in range(6))
            lines.append(f"{dims}:{labels[y]}\n")
    head = (
        "# Shoulder physiotherapy exercises recorded by a smartwatch (Burns et al., 2018,\n"
        "# arXiv:1802.01489), as shipped by the PyPI package seglearn 1.2.5 (BSD-3-Clause,\n"
        "# (c) 2018 David M. Burns): 6 axes (ax ay az in g, wx wy wz in rad/s) averaged from\n"
        "# 50 Hz to 10 Hz, windows of 5 s. PEN pendulum, ABD abduction, FEL forward elevation,\n"
        "# IR internal rotation, ER external rotation, TRAP trapezius extension, ROW upright row.\n"
        f"# Subject(s) {', '.join(map(str, subjects))}; written by scripts/make_watch_data.py.\n"
        # @problemName in the middle: no six header lines in a row are the same in the three
        # files (the duplicates tool reads `.ts` files as TypeScript).
        f"@timeStamps false\n@missing false\n@univariate false\n@problemName Watch{part.capitalize()}\n"
        f"@dimensions 6\n@equalLength true\n@seriesLength {STEPS}\n"
        f"@classLabel true {' '.join(labels)}\n@data\n"
    )
    path = out / f"Watch_{part}.ts"
    path.write_text(head + "".join(lines))
    print(f"{path.name}: {len(lines)} windows of {recordings} recordings, {path.stat().st_size} bytes")
