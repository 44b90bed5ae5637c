"""Score 2D nets on the app's own crops: the 48×48 faces the app's pipeline cut from FER+ images
(`npm run extract -- <split>/label.csv --out f.csv --crops f.u8`), instead of FER+'s own framing.

The app's crops differ from the dataset's (landmark-aligned, resampled): the shipped fer2d loses
~4 points of balanced accuracy between the two, so candidates are compared here, on what they will
actually see. First checks that the shipped fer2d.onnx reproduces the CSV's logits on these crops
(proof that the crops are the model's real input), then prints accuracy / balanced accuracy /
macro-F1 for each net under a grid of class-prior corrections τ, optionally under the cross-domain
shifts of crossdomain.py applied to the app's crops.

  /usr/bin/python3 training/score_app_crops.py --csv training/runs/app_valid.csv \
      --crops training/runs/app_valid_crops.u8 --net public/models/fer2d.onnx --net training/runs/fer2d_la/best.pt
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from choose_calibration import CLASSES, metrics, train_prior  # noqa: E402
from crossdomain import checkpoint_net, fer2d_logits, shift_image  # noqa: E402
from onnx_torch import OnnxTorch  # noqa: E402

ROOT = os.path.dirname(HERE)


def load(csv_path, crops_path):
    rows = list(csv.DictReader(open(csv_path)))
    head = json.load(open(crops_path + ".json"))
    crops = np.fromfile(crops_path, np.uint8).reshape(head["shape"])
    assert len(rows) == len(crops), (len(rows), len(crops))
    y = np.array([int(r["label_index"]) if r.get("label_index") not in (None, "") else -1 for r in rows])
    l2 = np.array([[float(r[f"logit2d_{c}"]) if r[f"logit2d_{c}"] else np.nan for c in CLASSES] for r in rows])
    keep = (np.array(head["hasCrop"]) == 1) & ~np.isnan(l2).any(1) & (y >= 0)
    return crops[keep], y[keep], l2[keep]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--crops", required=True)
    ap.add_argument("--net", action="append", required=True, help=".onnx or train_fer2d.py .pt; repeat")
    ap.add_argument("--gate", type=float, default=None, help="flip gate (default: the manifest's fer2d)")
    ap.add_argument("--taus", default="-0.5,-0.25,0,0.25,0.5,0.75,1")
    ap.add_argument("--shifts", default="clean")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "ferplus"))
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    man = json.load(open(os.path.join(ROOT, "public", "models", "manifest.json")))
    fer = next(m for m in man["models"] if m["id"] == "fer2d")
    gate = a.gate if a.gate is not None else fer.get("testTimeAugmentation", {}).get("flipWhenMarginBelow", 1.0)
    crops, y, l2 = load(a.csv, a.crops)
    prior = train_prior(a.data)
    print(f"{len(y)} faces with an app crop; flip gate {gate}")
    report = {}
    for path in a.net:
        net = checkpoint_net(path) if path.endswith(".pt") else OnnxTorch(path)
        for s in a.shifts.split(","):
            rng = np.random.default_rng(7)
            imgs = crops if s == "clean" else np.stack([shift_image(s, im, rng) for im in crops])
            z = fer2d_logits(net, imgs, gate)
            if s == "clean" and os.path.abspath(path) == os.path.abspath(os.path.join(ROOT, "public", "models", "fer2d.onnx")):
                d = np.abs(z - l2).max()
                print(f"parity with the app's logits (shipped fer2d on its own crops): max |Δ| {d:.2e}")
            for tau in [float(t) for t in a.taus.split(",")]:
                m = metrics(y, z - tau * np.log(prior))
                rc = m["perClassRecall"]
                report[f"{os.path.basename(os.path.dirname(path)) or path}|{os.path.basename(path)}|{s}|{tau}"] = m
                print(f"{os.path.relpath(path, ROOT):45s} {s:8s} τ {tau:+.2f}: acc {m['accuracy']:.4f} bal {m['balancedAccuracy']:.4f} F1 {m['macroF1']:.4f} | "
                      + " ".join(f"{c[:4]} {rc[c]:.2f}" for c in CLASSES), flush=True)
    if a.out:
        json.dump(report, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
