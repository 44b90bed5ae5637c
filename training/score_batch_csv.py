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

import numpy as np

CLASSES = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]


def metrics(labels, preds):
    y = np.array([CLASSES.index(v) for v in labels])
    p = np.array([CLASSES.index(v) if v in CLASSES else -1 for v in preds])
    rec = {c: float((p[y == i] == i).mean()) for i, c in enumerate(CLASSES) if (y == i).any()}
    f1 = []
    for i in range(len(CLASSES)):
        tp = float(((p == i) & (y == i)).sum())
        prec = tp / max((p == i).sum(), 1)
        r = tp / max((y == i).sum(), 1)
        f1.append(0.0 if prec + r == 0 else 2 * prec * r / (prec + r))
    return {"n": int(len(y)), "accuracy": float((p == y).mean()), "balancedAccuracy": float(np.mean(list(rec.values()))),
            "macroF1": float(np.mean(f1)), "perClassRecall": rec}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    rows = [r for r in csv.DictReader(open(a.csv)) if r["label"] in CLASSES]
    out = {"calibration": sorted({r["calibration"] for r in rows})}
    for col in ("pred_fused", "pred_2d", "pred_3d"):
        m = out[col] = metrics([r["label"] for r in rows], [r[col] for r in rows])
        print(f"{col:10s} n {m['n']} acc {100 * m['accuracy']:.2f} bal {100 * m['balancedAccuracy']:.2f} F1 {100 * m['macroF1']:.2f} | "
              + " ".join(f"{c[:4]} {v:.2f}" for c, v in m["perClassRecall"].items()))
    print("calibration column:", out["calibration"])
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
