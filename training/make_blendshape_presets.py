"""Expression presets for teaching mode: the class means of the 3D parameters on FER+ Train.

For each of the 8 AffectNet classes, the mean blendshape scores (52) and head-pose features (6) over
the FER+ Train faces whose majority label is that class, from the app's own feature extraction
(`npm run extract`). Not hand-tuned: a preset is what an average FER+ face of that class looks like
to MediaPipe. Written to public/models/blendshape_geometry.presets.json.

  /usr/bin/python3 training/make_blendshape_presets.py --train .cache/features/train.csv

Options (all data-driven, none hand-tuned; the file records which was used):
  --min-agreement P   only faces where at least P of the annotators voted for the majority label
  --head-logits F     only faces the 3D head also classifies as their label ("prototypes"); F is
                      float32 [rows, 8] from `npx tsx scripts/teach/score-head3d.ts head3d.onnx train.csv F`
  --prototype medoid  the real Train face nearest the class mean instead of the mean itself
A head trained on FER+'s class priors (neutral ≈ 37 %, disgust / contempt < 1 %) tends to call the
*mean* sad / fear / disgust / contempt face neutral, surprise or anger: the mean of a subtle class sits
in the majority classes' region. See the model card and the teaching-mode report for measured results.
"""
import argparse
import csv
import json
import time

import numpy as np

from shared_names import CLASSES  # noqa: E402  (the app's AffectNet order, from src/core/classes/classOrders.json)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default=".cache/features/train.csv")
    ap.add_argument("--out", default="public/models/blendshape_geometry.presets.json")
    ap.add_argument("--min-agreement", type=float, default=0.0,
                    help="only faces whose vote share for their majority label is at least this (0 = all faces)")
    ap.add_argument("--prototype", choices=["mean", "medoid"], default="mean",
                    help="mean: the class mean; medoid: the real face closest to it (standardised distance)")
    ap.add_argument("--head-logits", default=None,
                    help="float32 [rows, 8] logits of the 3D head on the same CSV (scripts/teach/score-head3d.ts): "
                         "average only the faces the head also recognises as their label (prototypes)")
    args = ap.parse_args()
    with open(args.train, newline="") as f:
        rows = list(csv.DictReader(f))
    bcols = [f"blendshapes_{i}" for i in range(52)]
    pcols = [f"headPose_{i}" for i in range(6)]
    X, P, y, agree, rec = [], [], [], [], []
    head = None
    if args.head_logits:
        head = np.fromfile(args.head_logits, dtype=np.float32).reshape(-1, 8)
        if len(head) != len(rows):
            raise SystemExit(f"{args.head_logits}: {len(head)} rows, the CSV has {len(rows)}")
    for ri, r in enumerate(rows):
        if r["status"] != "ok" or r[bcols[0]] == "" or r[pcols[0]] == "" or r["label"] not in CLASSES:
            continue
        X.append([float(r[c]) for c in bcols])
        P.append([float(r[c]) for c in pcols])
        y.append(CLASSES.index(r["label"]))
        agree.append(float(r.get(f"label_p_{r['label']}") or 0))
        # Does the 3D head also call this face by its label? (No head: every face counts.)
        rec.append(head is None or (bool(np.isfinite(head[ri]).all()) and int(head[ri].argmax()) == y[-1]))
    X, P, y, agree, rec = np.array(X), np.array(P), np.array(y), np.array(agree), np.array(rec, bool)
    keep = agree >= args.min_agreement
    X, P, y, rec = X[keep], P[keep], y[keep], rec[keep]
    presets = {}
    for k, c in enumerate(CLASSES):
        m = y == k
        if not m.any():
            continue
        # Prototypes: only the faces the 3D head recognises too, when it recognises at least 5 of them.
        fallback = head is not None and (m & rec).sum() < 5
        if head is not None and not fallback:
            m = m & rec
        xb, xp = X[m].mean(0), P[m].mean(0)
        if args.prototype == "medoid":
            F = np.concatenate([X, P], 1)
            sd = F.std(0) + 1e-6
            idx = np.flatnonzero(m)
            j = idx[np.argmin((((F[idx] - np.concatenate([xb, xp])) / sd) ** 2).sum(1))]
            xb, xp = X[j], P[j]
        presets[c] = {
            "count": int(m.sum()),
            **({"recognisedByHead": not fallback} if head is not None else {}),
            "blendshapes": [round(float(v), 5) for v in xb],
            "headPose": [round(float(v), 5) for v in xp],
        }
    out = {
        "format": "ig3d-expression-presets",
        "version": 1,
        "source": f"FER+ Train (first {len(rows)} rows, {len(y)} faces used), `npm run extract`",
        "method": ("per-class medoid (the real face nearest the mean) of the raw 3D parameters" if args.prototype == "medoid" else "per-class mean of the raw 3D parameters")
                  + " (blendshapes, headPose) over faces with that majority label"
                  + (f" and at least {args.min_agreement:.0%} of the annotators' votes for it" if args.min_agreement > 0 else "")
                  + (" that the 3D head also classifies as that label (prototypes; all faces of the class when the head "
                     "recognises fewer than 5)" if head is not None else ""),
        "min_agreement": args.min_agreement,
        "prototype": args.prototype,
        "head_logits": args.head_logits,
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
