"""Score the app's own outputs on a FER+ split, with and without the pack's class-prior correction.

Input: the features CSV of `npm run extract -- ../shared/data/ferplus/<Split>/label.csv --out f.csv`
(the app's pipeline in Chromium: landmark-aligned crop, whole-image fallback, gated mirror; the
calibration off, i.e. the models' own logits). The correction is an additive per-class offset, so
"on" is computed here exactly as core/calibration/priorCorrection.ts does (vitest checks the two
against each other; e2e/calibration.spec.ts checks the switch end to end). Fusion = the manifest's
weighted late fusion ℓ = w·ℓ2D + (1−w)·ℓ3D (2D alone where a face has no 3D features).

Protocol (one number per model, whichever path scores it): every labelled image is in every branch's
denominator, and an image for which a branch gave no logits (no face found: the 3D head has no features;
the 2D model only without the whole-image fallback) counts as wrong. That is how score_batch_csv.py scores
`npm run batch`'s CSV and how train_head3d.py reports Test; until 2026-11-26 this script scored the 3D head
on the faces with 3D features only (Valid 73.23 % on 3,463 faces vs the CSV's 71.34 % on 3,555 images, the
same 2,536 right answers). tests/batch/scoreParity.test.ts runs both scorers on the same rows.

  /usr/bin/python3 training/score_app_pipeline.py --valid valid.csv --test test.csv \
      --out public/models/calibration.metrics.json
Test is scored for the report only; every choice is made on Valid (training/choose_calibration.py).
"""
import argparse
import csv
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLASSES = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]


def metrics(y, pred):
    rec = np.array([(pred[y == c] == c).mean() if (y == c).any() else np.nan for c in range(8)])
    prec = np.array([(y[pred == c] == c).mean() if (pred == c).any() else 0.0 for c in range(8)])
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0.0)
    return {"n": int(len(y)), "accuracy": round(float((pred == y).mean()), 4), "balancedAccuracy": round(float(np.nanmean(rec)), 4),
            "macroF1": round(float(np.nanmean(f1)), 4), "perClassRecall": {c: round(float(r), 3) for c, r in zip(CLASSES, rec)}}


def predictions(logits):
    """Arg-max class per row; -1 (never a label, so wrong) where the branch gave no logits."""
    have = ~np.isnan(logits).any(1)
    return np.where(have, np.nan_to_num(logits).argmax(1), -1)


def offsets(model):
    cal = model.get("calibration")
    if not cal:
        return np.zeros(8)
    order = model["outputs"]["logits"]["classOrder"]
    prior = np.array(cal["prior"], float)
    prior /= prior.sum()
    off = np.zeros(8)
    for k, c in enumerate(order):
        off[CLASSES.index(c)] = -cal["tau"] * np.log(prior[k])
    return off


def score(path, manifest):
    # Rows without a class label (unknown / not-a-face majority) are out of the protocol, as in score_batch_csv.py.
    rows = [r for r in csv.DictReader(open(path)) if r.get("label_index", "") != ""]
    y = np.array([int(r["label_index"]) for r in rows])
    if rows and all(r.get("status") == "ok" for r in rows):
        print(f"note: every row of {os.path.basename(path)} has a face; `npm run batch --features` writes faces only, so images "
              "without one would be missing from n (npm run extract keeps a line for every image)")
    l2 = np.array([[float(r[f"logit2d_{c}"]) if r[f"logit2d_{c}"] else np.nan for c in CLASSES] for r in rows])
    l3 = np.array([[float(r[f"logit3d_{c}"]) if r[f"logit3d_{c}"] else np.nan for c in CLASSES] for r in rows])
    models = {m["id"]: m for m in manifest["models"]}
    fei = [m for m in manifest["models"] if m["role"] == "fei2d"]
    head = next(m for m in manifest["models"] if m["role"] == "head3d")
    if len(fei) != 1:
        raise SystemExit("this scorer reads one 2D model's logits (logit2d_*); score multi-2D packs with npm run batch")
    w = manifest.get("fusion", {}).get("weight2d", 1.0)
    has2 = ~np.isnan(l2).any(1)
    has3 = ~np.isnan(l3).any(1)
    out = {"file": os.path.basename(path), "rows": len(rows), "no2d": int((~has2).sum()), "no3d": int((~has3).sum()), "weight2d": w}
    for mode, on in (("off", False), ("on", True)):
        a = l2 + (offsets(fei[0]) if on else 0)
        b = l3 + (offsets(head) if on else 0)
        fused = np.where(has3[:, None], w * a + (1 - w) * np.nan_to_num(b), a)
        # NaN rows (no logits) propagate through the offsets and the fusion and become -1: wrong.
        res = {"fused": metrics(y, predictions(fused)), "2d": metrics(y, predictions(a)), "3d": metrics(y, predictions(b))}
        out[mode] = res
        print(f"{out['file']} ({len(rows)} images, 2D logits on {int(has2.sum())}, 3D features on {int(has3.sum())}) calibration {mode}: fused acc {res['fused']['accuracy']:.4f} bal {res['fused']['balancedAccuracy']:.4f} F1 {res['fused']['macroF1']:.4f} | "
              f"2D acc {res['2d']['accuracy']:.4f} bal {res['2d']['balancedAccuracy']:.4f} | 3D acc {res['3d']['accuracy']:.4f} bal {res['3d']['balancedAccuracy']:.4f}")
    _ = models
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--valid", required=True)
    ap.add_argument("--test", default="")
    ap.add_argument("--manifest", default=os.path.join(ROOT, "public", "models", "manifest.json"))
    ap.add_argument("--out", default="")
    ap.add_argument("--head3d-metrics", default="",
                    help="also write the 3D head's rows (off/on, per split) into this head3d.metrics.json as `appPipeline`")
    a = ap.parse_args()
    man = json.load(open(a.manifest))
    res = {"protocol": "FER+ majority label, unknown/not-a-face dropped; every labelled image in every branch's n, an image without that branch's logits (no face: no 3D features) counted as wrong, as score_batch_csv.py scores npm run batch's CSV; the app's pipeline via npm run extract (calibration off), correction applied as core/calibration/priorCorrection.ts",
           "calibration": {m["id"]: {k: m["calibration"][k] for k in ("tau", "enabled", "live")} for m in man["models"] if m.get("calibration")},
           "Valid": score(a.valid, man)}
    if a.test:
        res["Test"] = score(a.test, man)
    if a.out:
        json.dump(res, open(a.out, "w"), indent=1)
        print(f"wrote {a.out}")
    if a.head3d_metrics:
        write_head3d_metrics(a.head3d_metrics, res)


def write_head3d_metrics(path, res):
    """The 3D head alone through the app, in head3d.metrics.json beside train_head3d.py's record of its
    training run: that record scored the head on the features CSV of its day (6 decimals), this one is
    the app's own 3D logits, the numbers `npm run batch` gives (score_batch_csv.py)."""
    h = json.load(open(path))
    app = {"source": "npm run extract + training/score_app_pipeline.py (= npm run batch's CSV scored by training/score_batch_csv.py)",
           "protocol": res["protocol"], "calibration": res["calibration"].get("head3d")}
    for split in ("Valid", "Test"):
        if split in res:
            r = res[split]
            app[split] = {"images": r["rows"], "with3dFeatures": r["rows"] - r["no3d"], "off": r["off"]["3d"], "on": r["on"]["3d"]}
    h["appPipeline"] = app
    with open(path, "w") as f:
        json.dump(h, f, indent=2)  # as train_head3d.py writes it
    print(f"wrote appPipeline into {path}")


if __name__ == "__main__":
    main()
