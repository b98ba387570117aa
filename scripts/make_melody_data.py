#!/usr/bin/env python3
"""Turn O'Neill's "Music of Ireland" (the ABC files of music21's corpus, copied unchanged into
data/melody/oneills1850/) into label<TAB>tokens rows for the class-conditioned melody model.

One row per tune whose rhythm field (``R:``) is one of the four dance types with enough tunes:
reel, jig (``jig`` and ``double jig``), hornpipe and slip jig (``slipjig`` and ``slip jig``);
the label is that type. The tokens are the tune's first strain as note events, parsed by
music21 (key signature, accidentals, ties and tuplets applied):

* one token per note or rest, ``<pitch>_<duration>``: the pitch as MIDI number relative to the
  tonic of the tune's key (so the vocabulary does not depend on the key a tune is written
  in: ``p0`` is the tonic, ``p7`` the fifth above, ``p-5`` the fifth below; ``r`` is a
  rest), the duration in sixteenth notes (``d2`` an eighth, ``d3`` a dotted eighth);
* grace notes are dropped, a chord gives its top note, tied notes are merged;
* the strain ends at the first repeat or double bar after at least 8 measures (or after 16
  measures), and at most 96 events are kept.

Rows are written in file order (data/melody/oneills.tsv, header ``label<TAB>text``); run
``tinyrnn-train split`` for the train/val/test files (data/README.md). Rerunning gives the same
bytes (for the same music21 version).

    python3 -m pip install music21==10.5.1
    python3 scripts/make_melody_data.py
"""

import glob
import os
import sys
import warnings

import music21

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(REPO, "data", "melody", "oneills1850")
OUT = os.path.join(REPO, "data", "melody", "oneills.tsv")

TYPES = {
    "reel": "reel",
    "jig": "jig",
    "double jig": "jig",
    "hornpipe": "hornpipe",
    "slipjig": "slipjig",
    "slip jig": "slipjig",
}
MIN_MEASURES = 8
MAX_MEASURES = 16
MAX_EVENTS = 96


def rhythm(text):
    """The R: field of one ABC tune, lowercased."""
    for line in text.splitlines():
        if line.startswith("R:"):
            return line[2:].strip().lower()
    return ""


def split_tunes(text):
    """The tunes of one ABC file: each starts at an ``X:`` line."""
    tunes, cur = [], []
    for line in text.splitlines():
        if line.startswith("X:") and cur:
            tunes.append("\n".join(cur))
            cur = []
        cur.append(line)
    if cur:
        tunes.append("\n".join(cur))
    return [t for t in tunes if t.lstrip().startswith("X:")]


def first_strain(score):
    """Note events of the first strain: (MIDI relative to the tonic or None, sixteenths)."""
    part = score.parts[0] if score.parts else score
    keys = list(score.recurse().getElementsByClass(music21.key.Key))
    if not keys:
        ks = list(score.recurse().getElementsByClass(music21.key.KeySignature))
        if not ks:
            return None
        keys = [ks[0].asKey()]
    tonic = keys[0].tonic.pitchClass
    events = []
    measures = list(part.getElementsByClass(music21.stream.Measure))
    for n, m in enumerate(measures):
        for el in m.recurse().notesAndRests:
            if el.duration.isGrace:
                continue
            if el.tie is not None and el.tie.type in ("continue", "stop") and events:
                # A tied note lengthens the previous event.
                pitch, dur = events[-1]
                events[-1] = (pitch, dur + el.duration.quarterLength * 4)
                continue
            if el.isRest:
                pitch = None
            elif el.isChord:
                pitch = max(p.midi for p in el.pitches)
            else:
                pitch = el.pitch.midi
            if pitch is not None:
                # Relative to the tonic in the octave of middle C's tonic (C4 = 60).
                pitch = pitch - (60 + tonic)
            events.append((pitch, el.duration.quarterLength * 4))
        right = m.rightBarline
        ends = right is not None and (
            isinstance(right, music21.bar.Repeat) or right.type in ("double", "final", "light-heavy")
        )
        if (n + 1 >= MIN_MEASURES and ends) or n + 1 >= MAX_MEASURES:
            break
    return events[:MAX_EVENTS]


def token(pitch, sixteenths):
    d = round(float(sixteenths), 3)
    d = int(d) if d == int(d) else d
    p = "r" if pitch is None else f"p{pitch}"
    return f"{p}_d{d}"


def main():
    warnings.simplefilter("ignore")
    rows = []
    skipped = 0
    for path in sorted(glob.glob(os.path.join(SRC, "*.abc"))):
        with open(path, encoding="latin-1") as f:
            text = f.read()
        for tune in split_tunes(text):
            label = TYPES.get(rhythm(tune))
            if label is None:
                continue
            try:
                score = music21.converter.parse(tune, format="abc")
                events = first_strain(score)
            except Exception:  # an encoding music21 cannot read: counted, not guessed
                events = None
            if not events or len(events) < 8:
                skipped += 1
                continue
            rows.append((label, " ".join(token(p, d) for p, d in events)))
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("label\ttext\n")
        for label, text in rows:
            f.write(f"{label}\t{text}\n")
    counts = {}
    for label, _ in rows:
        counts[label] = counts.get(label, 0) + 1
    print(f"{len(rows)} tunes {counts}, {skipped} skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
