"""Reference outputs of training/'s policies for the app's tests: the TypeScript side mirrors
these by hand, and tests/core/trainingParity.test.ts checks that it still does.

  fusion        train_head3d.fuse          ↔ src/core/fusion/lateFusion.ts
  flip gate     export_fer2d.apply_flip_gate ↔ src/core/inference/testTimeFlip.ts
  metrics       metrics.summarize          ↔ src/core/metrics/classification.ts
  class order   shared_names.AFFECTNET_FROM_FERPLUS ↔ expressionClasses.permutationToInternal

Run with Debian's python (torch, sklearn): /usr/bin/python3 training/make_parity_fixtures.py
Writes tests/fixtures/training.parity.json (small; committed). Inputs are seeded.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_fer2d import apply_flip_gate  # noqa: E402
from metrics import summarize  # noqa: E402
from shared_names import AFFECTNET_FROM_FERPLUS  # noqa: E402
from train_head3d import fuse  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "training.parity.json")


def rounded(a):
    return [[round(float(v), 6) for v in row] for row in np.asarray(a)]


def main():
    rng = np.random.default_rng(13)
    l2d = rng.normal(0, 2, (6, 8)).astype(np.float32)
    l3d = rng.normal(0, 2, (6, 8)).astype(np.float32)
    has3d = np.array([True, True, False, True, False, True])
    fusion = {"l2d": rounded(l2d), "l3d": rounded(l3d), "has3d": has3d.tolist(), "weight2d": 0.7, "cases": {}}
    l2d_r = np.array(fusion["l2d"], np.float32)
    l3d_r = np.array(fusion["l3d"], np.float32)
    for mode in ["2d", "3d", "weighted", "mean", "max"]:
        fusion["cases"][mode] = rounded(fuse(mode, l2d_r, l3d_r, fusion["weight2d"], has3d))

    plain = np.array(rounded(rng.normal(0, 1.5, (12, 8))), np.float32)
    mirror = np.array(rounded(rng.normal(0, 1.5, (12, 8))), np.float32)
    flip = {"plain": plain.tolist(), "mirror": mirror.tolist(), "cases": []}
    for threshold in [None, 0.1, 0.3, 0.6]:
        logits, used = apply_flip_gate(torch.from_numpy(plain), torch.from_numpy(mirror), threshold)
        flip["cases"].append({"threshold": threshold, "logits": rounded(logits), "mirrored": used.tolist()})

    # FER+-ordered labels with every class present, and predictions right about 60 % of the time.
    y_true = np.concatenate([np.arange(8), rng.integers(0, 8, 72)])
    y_pred = np.where(rng.random(80) < 0.6, y_true, rng.integers(0, 8, 80))
    metrics = {"yTrueFerplus": y_true.tolist(), "yPredFerplus": y_pred.tolist(), "summary": summarize(y_true, y_pred)}

    with open(OUT, "w") as f:
        json.dump({"fusion": fusion, "flipGate": flip, "metrics": metrics, "affectnetFromFerplus": AFFECTNET_FROM_FERPLUS}, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
