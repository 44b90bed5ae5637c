"""Expression presets for teaching mode: the class means of the 3D parameters on FER+ Train.

For each of the 8 AffectNet classes, the mean blendshape scores (52) and head-pose features (6) over
the FER+ Train faces whose majority label is that class, from the app's own feature extraction
(`npm run extract`). Not hand-tuned: a preset is what an average FER+ face of that class looks like
to MediaPipe. Written to public/models/blendshape_geometry.presets.json.

  /usr/bin/python3 training/make_blendshape_presets.py --train .cache/features/train.csv
"""
import argparse
import csv
import json
import time

import numpy as np

CLASSES = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default=".cache/features/train.csv")
    ap.add_argument("--out", default="public/models/blendshape_geometry.presets.json")
    ap.add_argument("--min-agreement", type=float, default=0.0,
                    help="only faces whose vote share for their majority label is at least this (0 = all faces)")
    args = ap.parse_args()
    with open(args.train, newline="") as f:
        rows = list(csv.DictReader(f))
    bcols = [f"blendshapes_{i}" for i in range(52)]
    pcols = [f"headPose_{i}" for i in range(6)]
    X, P, y, agree = [], [], [], []
    for r in rows:
        if r["status"] != "ok" or r[bcols[0]] == "" or r[pcols[0]] == "" or r["label"] not in CLASSES:
            continue
        X.append([float(r[c]) for c in bcols])
        P.append([float(r[c]) for c in pcols])
        y.append(CLASSES.index(r["label"]))
        agree.append(float(r.get(f"label_p_{r['label']}") or 0))
    X, P, y, agree = np.array(X), np.array(P), np.array(y), np.array(agree)
    keep = agree >= args.min_agreement
    X, P, y = X[keep], P[keep], y[keep]
    presets = {}
    for k, c in enumerate(CLASSES):
        m = y == k
        if not m.any():
            continue
        presets[c] = {
            "count": int(m.sum()),
            "blendshapes": [round(float(v), 5) for v in X[m].mean(0)],
            "headPose": [round(float(v), 5) for v in P[m].mean(0)],
        }
    out = {
        "format": "ig3d-expression-presets",
        "version": 1,
        "source": f"FER+ Train (first {len(rows)} rows, {len(y)} faces used), `npm run extract`",
        "method": "per-class mean of the raw 3D parameters (blendshapes, headPose) over faces with that majority label"
                  + (f" and at least {args.min_agreement:.0%} of the annotators' votes for it" if args.min_agreement > 0 else ""),
        "min_agreement": args.min_agreement,
        "script": "training/make_blendshape_presets.py",
        "made_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "classOrder": CLASSES,
        "features": [{"group": "blendshapes", "size": 52}, {"group": "headPose", "size": 6}],
        "presets": presets,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print("presets:", {c: p["count"] for c, p in presets.items()}, "→", args.out)


if __name__ == "__main__":
    main()
