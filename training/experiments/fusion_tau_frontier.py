"""Does late fusion with the 3D head move the 2D net's accuracy / balanced-accuracy frontier (issue #12)?

Reads the app's own Valid features CSV (`npm run extract`: the 2D branch's logits as the app computes
them, gated flip included, and the 3D head's), fuses ℓ = w·ℓ2D + (1−w)·ℓ3D on faces with both (2D alone
elsewhere, as the app does), and prints per w: accuracy / balanced accuracy as fused, and the best
balanced accuracy the manifest's τ correction (ℓ − τ·log π) reaches at Valid accuracy ≥ 85 % and ≥ 86 %
(in-sample on Valid, as frontier.py). Test plays no part.

    npm run extract -- ../shared/data/ferplus/Valid/label.csv --out training/runs/app_valid.csv
    /usr/bin/python3 training/experiments/fusion_tau_frontier.py training/runs/app_valid.csv

The result (session 15) is recorded in public/models/calibration.md.
"""
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gpu"))
from frontier import frontier_row  # noqa: E402

CSV_ORDER = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]  # the CSV's (AffectNet) order
FERPLUS = ["neutral", "happy", "surprise", "sad", "anger", "disgust", "fear", "contempt"]  # frontier.py's PRIOR order


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "training/runs/app_valid.csv"
    rows = [r for r in csv.DictReader(open(path)) if r["label_index"] != "" and r["logit2d_neutral"] != ""]
    to_ferplus = [CSV_ORDER.index(c) for c in FERPLUS]
    y = np.array([FERPLUS.index(CSV_ORDER[int(r["label_index"])]) for r in rows])
    l2 = np.array([[float(r[f"logit2d_{c}"]) for c in CSV_ORDER] for r in rows])[:, to_ferplus]
    has3 = np.array([r["logit3d_neutral"] != "" for r in rows])
    l3 = np.array([[float(r[f"logit3d_{c}"] or 0) for c in CSV_ORDER] for r in rows])[:, to_ferplus]
    print(f"{len(y)} Valid faces, {has3.sum()} with a 3D head output")
    print(f"{'w (2D weight)':>14s} | {'fused acc / bal %':>18s} | best bal at acc ≥ 85 % (τ) | at ≥ 86 % (τ)")
    for w in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7):
        fused = np.where(has3[:, None], w * l2 + (1 - w) * l3, l2)
        print(frontier_row(f"{w:14.2f} |", y, fused))


if __name__ == "__main__":
    main()
