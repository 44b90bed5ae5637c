"""Experiment behind the batch default since session 10: adapt batch predictions to a dataset's own class mix, without labels.

A researcher's dataset rarely has FER+'s class mix (36 % neutral): a posed set has no neutral face at
all, a webcam session is mostly neutral and happy. The net learned FER+'s prior, so on a posed set it
calls anger "neutral" (issue #12). The fixed prior correction (manifest `calibration`, τ = 0.75) helps
there but costs FER+ accuracy (86 → 80 % on Valid), so batch runs leave it off.

Label-shift EM (Saerens, Latinne & Decaestecker, Neural Computation 2002) estimates the dataset's own
class prior from the unlabelled posteriors and re-weights them by π̂/π_train; on a set with FER+'s
mix it estimates FER+'s prior and changes little. EM needs calibrated posteriors, so they are first
recalibrated with one temperature and a per-class bias fitted by NLL ("BCTS", Alexandari, Kundaje &
Shrikumar, ICML 2020, who found EM on BCTS-calibrated outputs hard to beat for label shift).

Everything here is FER+ **Valid**, scored honestly: BCTS is fitted on one half of Valid and every
scenario is drawn from the other half (2-fold, both folds reported). Scenarios are resamples of that
half with a different class mix: natural, no neutral, uniform over 8 classes, a posed-like set (7
emotions, no neutral), a neutral/happy-heavy webcam-like set, and small natural subsets (how many
images EM needs before it helps rather than hurts). Test is never read.

    npm run build && npm run batch -- ../shared/data/ferplus/Valid/label.csv --whole-image-fallback --calibration off --out valid.csv
    /usr/bin/python3 training/experiments/dataset_prior_em.py valid.csv [--manifest-block] [--json training/runs/dataset_prior_em.json]

The CSV's fused probabilities are used (the default pack fuses at w = 1.0, so fused = 2D). The result
is recorded in public/models/calibration.md ("Session 10"); `--manifest-block` fits on all of Valid and
prints the manifest's `calibration.datasetPrior` (shipped since session 10).
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from score_app_pipeline import CLASSES, metrics  # noqa: E402  (the app's class order, the same metrics)

# The manifest's fer2d calibration prior (mean FER+ Train vote distribution), by class name.
TRAIN_PRIOR = dict(neutral=0.318314, happy=0.262413, surprise=0.121049, sad=0.144177, anger=0.084286, disgust=0.015956, fear=0.035687, contempt=0.018119)


def softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit_bcts(logp, y):
    """Temperature T and per-class bias b minimising the NLL of softmax(T·logp + b) (L-BFGS)."""
    L = torch.tensor(logp, dtype=torch.float64)
    t = torch.tensor(y)
    a = torch.zeros(1, dtype=torch.float64, requires_grad=True)  # T = exp(a) > 0
    b = torch.zeros(L.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([a, b], max_iter=500)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(L * torch.exp(a) + b, t)
        loss.backward()
        return loss

    opt.step(closure)
    return float(torch.exp(a)), b.detach().numpy()


def em_prior(Q, pi_src, alpha=0.0, iters=500, tol=1e-7):
    """Saerens EM: the class prior of the rows of Q (posteriors under prior pi_src), with an optional
    Dirichlet MAP pull of `alpha` pseudo-images towards pi_src. Returns the re-weighted posteriors."""
    pi = pi_src.copy()
    for _ in range(iters):
        R = Q * (pi / pi_src)
        R /= R.sum(1, keepdims=True)
        new = (R.sum(0) + alpha * pi_src) / (len(Q) + alpha)
        done = np.abs(new - pi).max() < tol
        pi = new
        if done:
            break
    R = Q * (pi / pi_src)
    return R / R.sum(1, keepdims=True), pi


def tau_correction(P, pi_train, tau):
    return softmax(np.log(np.clip(P, 1e-12, 1)) - tau * np.log(pi_train))


def scenarios(ev, y, rng):
    """The held-out half `ev` (indices into y) resampled to other class mixes (3 draws each)."""
    k = {c: i for i, c in enumerate(CLASSES)}
    ey = y[ev]
    scen = {"natural": ev, "no neutral": ev[ey != k["neutral"]]}
    for s in range(3):
        scen[f"uniform 8 classes #{s}"] = np.concatenate([rng.choice(ev[ey == c], 60) for c in range(8)])
        scen[f"posed-like: 7 emotions, no neutral #{s}"] = np.concatenate([rng.choice(ev[ey == c], 130) for c in range(1, 8)])
        scen[f"webcam-like: neutral/happy heavy #{s}"] = np.concatenate(
            [rng.choice(ev[ey == k["neutral"]], 400), rng.choice(ev[ey == k["happy"]], 300), rng.choice(ev[ey == k["surprise"]], 50)]
        )
    return scen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="an `npm run batch` CSV of FER+ Valid (calibration off)")
    ap.add_argument("--json", default="")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--manifest-block", action="store_true",
                    help="also fit BCTS on all of Valid and print the manifest's calibration.datasetPrior (model class order)")
    a = ap.parse_args()
    rows = [r for r in csv.DictReader(open(a.csv)) if r["label"] in CLASSES and r["pfused_neutral"] != ""]
    if any(r["calibration"] not in ("off", "") for r in rows):
        sys.exit("the CSV must be a batch run with calibration off (the net's raw probabilities)")
    P = np.array([[float(r[f"pfused_{c}"]) for c in CLASSES] for r in rows])
    y = np.array([CLASSES.index(r["label"]) for r in rows])
    logp = np.log(np.clip(P, 1e-12, 1))
    pi_train = np.array([TRAIN_PRIOR[c] for c in CLASSES])
    pi_train /= pi_train.sum()
    rng = np.random.default_rng(a.seed)
    perm = rng.permutation(len(y))
    halves = [perm[: len(y) // 2], perm[len(y) // 2:]]
    out = {"n": int(len(y)), "folds": []}
    methods = ["off", "tau0.75", "bcts", "bcts+em", "bcts+em(a=50)"]
    print(f"FER+ Valid through the app, n {len(y)}; accuracy / balanced accuracy % (balanced = mean recall over the classes present)")
    for f in range(2):
        fit, ev = halves[f], halves[1 - f]
        T, b = fit_bcts(logp[fit], y[fit])
        pi_cal = softmax(logp[fit] * T + b).mean(0)  # the calibrated model's own prior: EM's starting point

        def predict(idx, method):
            if method == "off":
                return P[idx]
            if method == "tau0.75":
                return tau_correction(P[idx], pi_train, 0.75)
            Q = softmax(logp[idx] * T + b)
            if method == "bcts":
                return Q
            return em_prior(Q, pi_cal, alpha=50.0 if method.endswith("(a=50)") else 0.0)[0]

        scen = scenarios(ev, y, rng)
        fold = {"T": T, "bias": b.tolist(), "scenarios": {}}
        print(f"\nfold {f}: BCTS fitted on {len(fit)} images: T {T:.2f}, b {np.round(b, 2).tolist()}")
        for name, idx in scen.items():
            yi = y[idx]
            present = sorted(set(yi.tolist()))
            res = {}
            for m in methods:
                pr = predict(idx, m).argmax(1)
                rec = [float((pr[yi == c] == c).mean()) for c in present]
                res[m] = {"accuracy": float((pr == yi).mean()), "balancedAccuracy": float(np.mean(rec))}
            fold["scenarios"][name] = res
            print(f"  {name:40s} n {len(idx):5d}  " + "  ".join(f"{m} {100 * v['accuracy']:5.1f}/{100 * v['balancedAccuracy']:5.1f}" for m, v in res.items()))
        # How many images EM needs: natural-mix subsets of the held-out half.
        small = {}
        for n in (30, 100, 300):
            acc = {m: [] for m in ("off", "bcts+em", "bcts+em(a=50)")}
            for _ in range(30):
                sub = rng.choice(ev, n, replace=False)
                for m in acc:
                    acc[m].append(float((predict(sub, m).argmax(1) == y[sub]).mean()))
            small[n] = {m: float(np.mean(v)) for m, v in acc.items()}
            print(f"  natural subsets of {n:3d} (30 draws): " + "  ".join(f"{m} {100 * v:5.1f}" for m, v in small[n].items()))
        fold["smallNatural"] = small
        out["folds"].append(fold)
    if a.manifest_block:
        T, b = fit_bcts(logp, y)
        pi_cal = softmax(logp * T + b).mean(0)
        order = ["neutral", "happy", "surprise", "sad", "anger", "disgust", "fear", "contempt"]  # fer2d's classOrder (manifest)
        block = {"method": "em-bcts", "temperature": round(T, 4), "bias": [round(float(b[CLASSES.index(c)]), 4) for c in order],
                 "sourcePrior": [round(float(pi_cal[CLASSES.index(c)]), 6) for c in order], "alpha": 50, "minItems": 30}
        out["manifestBlock"] = block
        print("\nBCTS on all of Valid (the manifest's calibration.datasetPrior, fer2d's class order):")
        print(json.dumps(block))
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
