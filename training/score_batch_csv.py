"""Majority-vote metrics of a `npm run batch` CSV on a labelled split (FER+ label.csv input):
accuracy, balanced accuracy (mean of the 8 per-class recalls), macro-F1 and per-class recall of the
fused, 2D and 3D predictions, exactly as the app wrote them (its calibration setting is the CSV's
`calibration` column). Rows without a prediction count as wrong, so the denominators stay honest.

    npm run batch -- ../shared/data/ferplus/Valid/label.csv --whole-image-fallback --out valid.csv
    /usr/bin/python3 training/score_batch_csv.py valid.csv [--json out.json]
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score_app_pipeline import CLASSES, metrics  # noqa: E402  (the app's class order, the same metrics)


def score(labels, preds):
    y = np.array([CLASSES.index(v) for v in labels])
    p = np.array([CLASSES.index(v) if v in CLASSES else -1 for v in preds])  # no prediction: wrong
    return metrics(y, p)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    rows = [r for r in csv.DictReader(open(a.csv)) if r["label"] in CLASSES]
    out = {"calibration": sorted({r["calibration"] for r in rows})}
    for col in ("pred_fused", "pred_2d", "pred_3d"):
        m = out[col] = score([r["label"] for r in rows], [r[col] for r in rows])
        print(f"{col:10s} n {m['n']} acc {100 * m['accuracy']:.2f} bal {100 * m['balancedAccuracy']:.2f} F1 {100 * m['macroF1']:.2f} | "
              + " ".join(f"{c[:4]} {v:.2f}" for c, v in m["perClassRecall"].items()))
    print("calibration column:", out["calibration"])
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
