"""Cross-domain check of the batch default (the dataset-prior adaptation, manifest
`calibration.datasetPrior`): FER+ Valid as the app crops it, under the eight shifts of
crossdomain.py (low resolution, blur, JPEG, contrast, gamma, rotation, crop jitter, noise), each with
three class mixes — FER+'s own, a posed-like mix (7 emotions, no neutral) and a webcam-like mix
(mostly neutral and happy). Scores the shipped fer2d as trained ("off"), with the fixed correction
(τ 0.75, the live default) and with the dataset prior as the app applies it (in float64 here, the app float32; probabilities
rounded as the CSV stores them, T·log p + b, EM with the manifest's α). Valid only; the manifest's
temperature and bias were fitted on clean Valid, so the clean rows are in-sample.

    npm run extract -- ../shared/data/ferplus/Valid/label.csv --out training/runs/app_valid.csv --crops training/runs/app_valid_crops.u8
    /usr/bin/python3 training/experiments/dataset_prior_shifts.py --csv training/runs/app_valid.csv \
        --crops training/runs/app_valid_crops.u8 [--json training/runs/dataset_prior_shifts.json]
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from choose_calibration import CLASSES, metrics  # noqa: E402  (the app's class order)
from crossdomain import SHIFTS, fer2d_logits, shift_image  # noqa: E402
from onnx_torch import OnnxTorch  # noqa: E402
from score_app_crops import load  # noqa: E402


def softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def dataset_prior(P, dp):
    """The app's adaptation (src/core/calibration/datasetPrior.ts) over a batch of probabilities."""
    stored = np.maximum(np.round(P, 6), 1e-6)
    z = dp["T"] * np.log(stored) + dp["b"]
    Q = softmax(z)
    src = dp["src"]
    pi = src.copy()
    for _ in range(500):
        R = Q * (pi / src)
        R /= R.sum(1, keepdims=True)
        new = (R.sum(0) + dp["alpha"] * src) / (len(Q) + dp["alpha"])
        done = np.abs(new - pi).max() < 1e-7
        pi = new
        if done:
            break
    return softmax(z + np.log(pi / src)), pi


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--crops", required=True)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    man = json.load(open(os.path.join(ROOT, "public", "models", "manifest.json")))
    fer = next(m for m in man["models"] if m["id"] == "fer2d")
    order = fer["outputs"]["logits"]["classOrder"]
    d = fer["calibration"]["datasetPrior"]
    perm = [order.index(c) for c in CLASSES]
    dp = {"T": d["temperature"], "b": np.array(d["bias"])[perm], "src": np.array(d["sourcePrior"])[perm], "alpha": d["alpha"]}
    dp["src"] = dp["src"] / dp["src"].sum()
    prior = np.array(fer["calibration"]["prior"])[perm]
    prior = prior / prior.sum()
    gate = fer.get("testTimeAugmentation", {}).get("flipWhenMarginBelow", 1.0)
    crops, y, _ = load(a.csv, a.crops)
    net = OnnxTorch(os.path.join(ROOT, "public", "models", "fer2d.onnx"))
    k = {c: i for i, c in enumerate(CLASSES)}
    rng_mix = np.random.default_rng(0)
    idx = np.arange(len(y))
    mixes = {"natural": [idx]}
    mixes["posed-like"] = [np.concatenate([rng_mix.choice(idx[y == c], 130) for c in range(len(CLASSES)) if c != k["neutral"]]) for _ in range(3)]
    mixes["webcam-like"] = [np.concatenate([rng_mix.choice(idx[y == k["neutral"]], 400), rng_mix.choice(idx[y == k["happy"]], 300), rng_mix.choice(idx[y == k["surprise"]], 50)]) for _ in range(3)]
    out = {}
    print(f"{len(y)} Valid faces with an app crop; accuracy / balanced accuracy % (mean over draws; balanced over the classes present)")
    print(f"{'shift':9s} {'mix':12s} {'off':>13s} {'τ 0.75':>13s} {'dataset':>13s}")
    for s in SHIFTS:
        rng = np.random.default_rng(7)
        imgs = crops if s == "clean" else np.stack([shift_image(s, im, rng) for im in crops])
        P = softmax(fer2d_logits(net, imgs, gate))
        for mix, draws in mixes.items():
            res = {m: [] for m in ("off", "tau0.75", "dataset")}
            for ii in draws:
                yi = y[ii]
                present = sorted(set(yi.tolist()))
                for m, A in (("off", P[ii]), ("tau0.75", softmax(np.log(P[ii]) - 0.75 * np.log(prior))), ("dataset", dataset_prior(P[ii], dp)[0])):
                    pr = A.argmax(1)
                    res[m].append(((pr == yi).mean(), np.mean([(pr[yi == c] == c).mean() for c in present])))
            row = {m: {"accuracy": float(np.mean([v[0] for v in r])), "balancedAccuracy": float(np.mean([v[1] for v in r]))} for m, r in res.items()}
            out[f"{s}|{mix}"] = row
            print(f"{s:9s} {mix:12s} " + " ".join(f"{100 * v['accuracy']:5.1f} / {100 * v['balancedAccuracy']:5.1f}" for v in row.values()), flush=True)
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
