"""A stand-in for the private posed set's protocol (issue #12), built from FER+ Valid: class folders
of faces whose annotators' majority is one emotion (no neutral face; at most 40 per class, seed 0),
run through `npm run batch` exactly as the private set is (label = folder name), scored with
contempt images left out. One CSV gives both the net as trained (`pred_fused_raw`) and the batch
default, adapted to the folder's class mix (`pred_fused`).

    /usr/bin/python3 training/experiments/posed_like_folder.py make /tmp/posed
    npm run batch -- /tmp/posed --out /tmp/posed.csv

(Since session 22 `npm run batch` reads a small crop without a found face whole by default, as
`--whole-image-fallback` did before; `--whole-image-fallback off` gives the old default, which left
those images without an answer: 82.8 % instead of 86.7 % here.)
    /usr/bin/python3 training/experiments/posed_like_folder.py score /tmp/posed.csv

Valid only (the dataset prior's temperature and bias were fitted on Valid, so this is not out of
sample for them; its EM estimate uses no label).
"""
import csv
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VALID = os.path.join(HERE, "..", "..", "..", "shared", "data", "ferplus", "Valid")
FERPLUS_ORDER = ["neutral", "happy", "surprise", "sad", "anger", "disgust", "fear", "contempt"]


def make(out):
    random.seed(0)
    by = {}
    for r in csv.reader(open(os.path.join(VALID, "label.csv"))):
        votes = list(map(int, r[2:10]))
        top = max(votes)
        if votes.count(top) > 1 or votes.index(top) == 0:
            continue
        by.setdefault(FERPLUS_ORDER[votes.index(top)], []).append(r[0])
    for c, files in sorted(by.items()):
        os.makedirs(os.path.join(out, c), exist_ok=True)
        for f in random.sample(files, min(40, len(files))):
            shutil.copy(os.path.join(VALID, f), os.path.join(out, c, f))
        print(f"{c}: {len(os.listdir(os.path.join(out, c)))}")


def score(path):
    rows = [r for r in csv.DictReader(open(path)) if r["label"] and r["label"] != "contempt"]
    for col, what in (("pred_fused_raw", "as trained"), ("pred_fused", "batch default (adapted)")):
        right = sum(r[col] == r["label"] for r in rows)
        print(f"{what:24s} {100 * right / len(rows):5.1f} % of {len(rows)} (contempt left out)")


if __name__ == "__main__":
    {"make": make, "score": score}[sys.argv[1]](sys.argv[2])
