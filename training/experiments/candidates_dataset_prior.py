"""Compare fer2d candidates under the batch default they would ship with: label-shift EM on
BCTS-recalibrated posteriors (`calibration.datasetPrior`, dataset_prior_em.py), refitted for each net.

score_app_crops.py ranks candidates by their raw logits with a fixed τ correction; since session 10 a
batch run adapts to the dataset's own class mix instead, so a net is worth shipping if it is better
*after* that adaptation: on FER+'s own mix and on the posed-like and webcam-like mixes the private
posed set and a webcam bring. Each candidate's logits are computed on the app's own Valid crops with
the app's gated flip (as score_app_crops.py does), then scored with dataset_prior_em.py's 2-fold
protocol (BCTS fitted on one half, every scenario drawn from the other; same seed, so every net sees
the same resamples). Valid only.

    /usr/bin/python3 training/experiments/candidates_dataset_prior.py --csv training/runs/app_valid.csv \
        --crops training/runs/app_valid_crops.u8 --net public/models/fer2d.onnx --net training/runs/gpu3/student1.pt
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "gpu"))
from crossdomain import checkpoint_net, fer2d_logits  # noqa: E402
from dataset_prior_em import em_prior, fit_bcts, scenarios, softmax  # noqa: E402
from frontier import scores  # noqa: E402  (accuracy, balanced accuracy over the classes present)
from onnx_torch import OnnxTorch  # noqa: E402
from score_app_crops import load  # noqa: E402

GROUPS = ("natural", "posed-like", "webcam-like", "uniform")


def log_softmax(z):
    z = z - z.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def evaluate(logp, y, seed):
    """Mean accuracy / balanced accuracy per scenario group, raw ('off') and adapted (BCTS + EM, α 50)."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(y))
    halves = [perm[: len(y) // 2], perm[len(y) // 2:]]
    acc = {(g, m): [] for g in GROUPS for m in ("off", "adapted")}
    for f in range(2):
        fit, ev = halves[f], halves[1 - f]
        T, b = fit_bcts(logp[fit], y[fit])
        pi_cal = softmax(logp[fit] * T + b).mean(0)
        for name, idx in scenarios(ev, y, rng).items():
            group = next((g for g in GROUPS if name.startswith(g)), None)
            if group is None:
                continue
            acc[(group, "off")].append(scores(y[idx], logp[idx]))
            adapted = em_prior(softmax(logp[idx] * T + b), pi_cal, alpha=50.0)[0]
            acc[(group, "adapted")].append(scores(y[idx], adapted))
    return {f"{g}|{m}": np.mean(v, 0).round(4).tolist() for (g, m), v in acc.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--crops", required=True)
    ap.add_argument("--net", action="append", required=True, help=".onnx or train_fer2d.py .pt; repeat")
    ap.add_argument("--gate", type=float, default=0.1, help="the manifest's flip gate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    crops, y, _ = load(a.csv, a.crops)
    out = {}
    print(f"{len(y)} Valid faces with an app crop; accuracy / balanced accuracy %, mean of 2 folds (× 3 draws for the resampled mixes)")
    print(f"{'net':45s} " + " ".join(f"{g + ' off':>17s} {g + ' adapted':>19s}" for g in GROUPS))
    for path in a.net:
        net = checkpoint_net(path) if path.endswith(".pt") else OnnxTorch(path)
        logp = log_softmax(fer2d_logits(net, crops, a.gate).astype(np.float64))
        r = evaluate(logp, y, a.seed)
        out[path] = r
        print(f"{path:45s} " + " ".join(f"{100 * r[f'{g}|off'][0]:8.1f}/{100 * r[f'{g}|off'][1]:4.1f}    "
                                         f"{100 * r[f'{g}|adapted'][0]:10.1f}/{100 * r[f'{g}|adapted'][1]:4.1f}   " for g in GROUPS), flush=True)
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
