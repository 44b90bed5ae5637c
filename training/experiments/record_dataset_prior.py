"""Writes public/models/dataset_prior.metrics.json: what the batch default (the dataset-prior
adaptation, calibration.md "Session 10") measures, from the files the checks produce.

- through the app: `npm run batch` CSVs of FER+ Valid and Test with the default pack's default
  (`--calibration dataset`); each row also carries the net's own answer (`pred_fused_raw`), so one
  file gives both "as trained" and "adapted" on the same images. Test is scored for the report only.
- the 2-fold check on Valid (dataset_prior_em.py --json) and the cross-domain check on the app's
  Valid crops under eight shifts and three class mixes (dataset_prior_shifts.py --json).

    npm run batch -- ../shared/data/ferplus/Valid/label.csv --whole-image-fallback --out valid_dp.csv   # and Test
    /usr/bin/python3 training/experiments/record_dataset_prior.py --valid valid_dp.csv --test test_dp.csv \
        --two-fold training/runs/dataset_prior_em.json --shifts training/runs/dataset_prior_shifts.json
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from score_batch_csv import CLASSES, score  # noqa: E402


def through_app(path):
    rows = [r for r in csv.DictReader(open(path)) if r["label"] in CLASSES]
    labels = [r["label"] for r in rows]
    cal = sorted({r["calibration"] for r in rows if r["calibration"].startswith("fer2d: dataset prior")})
    if not cal:
        sys.exit(f"{path}: no row says 'dataset prior' (run npm run batch with --calibration dataset, the default)")
    # Rows without a 2D answer keep an empty pred_fused_raw: wrong in both, as score_batch_csv counts them.
    return {
        "calibration": cal,
        "asTrained": score(labels, [r.get("pred_fused_raw") or r["pred_fused"] if r["p2d_raw_neutral"] else "" for r in rows]),
        "adapted": score(labels, [r["pred_fused"] if r["p2d_raw_neutral"] else "" for r in rows]),
    }


def mean_over_shifts(shifts):
    out = {}
    for mix in ("natural", "posed-like", "webcam-like"):
        rows = [v for k, v in shifts.items() if k.endswith("|" + mix) and not k.startswith("clean|")]
        out[mix] = {m: {q: float(np.mean([r[m][q] for r in rows])) for q in ("accuracy", "balancedAccuracy")} for m in rows[0]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--valid", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--two-fold", required=True)
    ap.add_argument("--shifts", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "public", "models", "dataset_prior.metrics.json"))
    a = ap.parse_args()
    man = json.load(open(os.path.join(ROOT, "public", "models", "manifest.json")))
    decl = next(m for m in man["models"] if m["id"] == "fer2d")["calibration"]["datasetPrior"]
    shifts = json.load(open(a.shifts))
    out = {
        "what": "the batch default since session 10: label-shift EM on BCTS-recalibrated fer2d posteriors (calibration.md, Session 10)",
        "manifest": decl,
        "throughTheApp": {"valid": through_app(a.valid), "testReportOnly": through_app(a.test)},
        "validTwoFold": json.load(open(a.two_fold)),
        "crossDomain": {"perShiftAndMix": shifts, "meanOfEightShifts": mean_over_shifts(shifts)},
    }
    json.dump(out, open(a.out, "w"), indent=1)
    for split, v in out["throughTheApp"].items():
        print(f"{split}: as trained {100 * v['asTrained']['accuracy']:.2f} / {100 * v['asTrained']['balancedAccuracy']:.2f}, "
              f"adapted {100 * v['adapted']['accuracy']:.2f} / {100 * v['adapted']['balancedAccuracy']:.2f}  ({v['calibration'][0]})")
        print("   recall as trained → adapted: " + ", ".join(f"{c} {v['asTrained']['perClassRecall'][c]:.3f} → {v['adapted']['perClassRecall'][c]:.3f}" for c in CLASSES))
    for mix, v in out["crossDomain"]["meanOfEightShifts"].items():
        print(f"mean of 8 shifts, {mix}: " + ", ".join(f"{m} {100 * x['accuracy']:.1f} / {100 * x['balancedAccuracy']:.1f}" for m, x in v.items()))
    print(f"wrote {os.path.relpath(a.out, ROOT)}")


if __name__ == "__main__":
    main()
