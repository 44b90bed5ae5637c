"""How far can a class-prior correction move a net along the accuracy / balanced-accuracy frontier?

Reads valid_logits.py's .npz (flip-TTA logits of each net on the app's Valid crops, FER+ order) and
prints, per net and for the teachers' and students' ensembles:
  * the best balanced accuracy at Valid accuracy ≥ --floor with the manifest's one-parameter
    correction ℓ − τ·log π (τ on a 0.01 grid): what a shipped policy can reach;
  * the same with eight free per-class offsets fitted by coordinate ascent on Valid itself: an
    optimistic upper bound (it is tuned on the set it is scored on), i.e. where no bias or
    threshold policy can go beyond for that net.
Used to show whether the ≥ 85 % accuracy and ≥ 78 % balanced-accuracy targets are within reach of a
net and a calibration, before spending more training on it.

    /usr/bin/python3 training/gpu/frontier.py training/runs/gpu1/valid_logits.npz
"""
import argparse
import os
import sys

import numpy as np

# FER+ order: the mean FER+ Train vote distribution (the manifest's prior).
PRIOR = np.array([0.318314, 0.262413, 0.121049, 0.144177, 0.084286, 0.015956, 0.035687, 0.018119])


def scores(y, logits):
    p = logits.argmax(1)
    return float((p == y).mean()), float(np.mean([(p[y == c] == c).mean() for c in range(8) if (y == c).any()]))


def best_tau(y, logits, floor):
    best = (0.0, None, None)
    for tau in np.arange(-1.5, 1.5, 0.01):  # down to -1.5: nets trained with the logit-adjusted loss sit near -1
        acc, bal = scores(y, logits - tau * np.log(PRIOR))
        if acc >= floor and bal > best[0]:
            best = (bal, round(float(tau), 2), acc)
    return best


def frontier_row(label, y, logits, floors=(0.85, 0.86)):
    """One printed row: accuracy / balanced accuracy as given, then the best τ-corrected balanced
    accuracy (and its τ) at each accuracy floor (in-sample, as best_tau)."""
    acc, bal = scores(y, logits)
    cells = [f"{label} {100 * acc:6.2f} / {100 * bal:6.2f}"]
    for floor in floors:
        b, tau, _ = best_tau(y, logits, floor)
        cells.append(f"{100 * b:6.2f} (τ {tau})")
    return " | ".join(cells)


def fit_offsets(y, logits, floor, start_tau=None, sweeps=6, step=0.05, span=2.0):
    """Eight per-class offsets b maximising balanced accuracy of argmax(logits + b) at accuracy ≥ floor,
    by coordinate ascent on (y, logits); returns b (all zeros when nothing meets the floor)."""
    # Start from the best τ correction (a net trained with the logit-adjusted loss is below the floor raw,
    # and no single-class move lifts it above).
    b0 = np.zeros(8) if start_tau is None else -start_tau * np.log(PRIOR)
    b = b0.copy()
    acc, bal = scores(y, logits + b)
    cur = bal if acc >= floor else 0.0
    for _ in range(sweeps):
        for c in range(8):
            for d in np.arange(-span, span + step / 10, step):
                trial = b.copy()
                trial[c] = b0[c] + d
                acc, bal = scores(y, logits + trial)
                if acc >= floor and bal > cur:
                    cur, b = bal, trial
    return b


def best_offsets(y, logits, floor, start_tau=None, sweeps=6):
    """In-sample: the balanced accuracy and accuracy fit_offsets reaches on the set it was fitted on."""
    b = fit_offsets(y, logits, floor, start_tau, sweeps)
    acc, bal = scores(y, logits + b)
    return (bal if acc >= floor else 0.0), acc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("npz")
    ap.add_argument("--floor", type=float, default=0.85)
    ap.add_argument("--agreement-crops", default="",
                    help="the Valid crops (.u8) the logits were computed on: also score faces where >= 8 of 10 annotators agree")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "ferplus"))
    a = ap.parse_args()
    z = np.load(a.npz)
    y = z["label"].astype(np.int64)
    nets = {k: z[k] for k in z.files if k != "label"}
    for group in ("t", "s"):
        members = [k for k in nets if k[0] == group and k[1:].isdigit()]
        if len(members) > 1:
            nets[f"{group}-ensemble"] = np.mean([nets[k] for k in members], 0)
    print(f"{'net':12s} {'raw acc':>8s} {'raw bal':>8s} | best bal at acc ≥ {a.floor:.2f}: τ-correction (τ, acc) | 8 offsets fitted on Valid (acc)")
    for k, l in nets.items():
        acc, bal = scores(y, l)
        tb, tau, tacc = best_tau(y, l, a.floor)
        ob, oacc = best_offsets(y, l, a.floor, tau)
        print(f"{k:12s} {100 * acc:8.2f} {100 * bal:8.2f} | {100 * tb:6.2f} (τ {tau}, {100 * (tacc or 0):.2f}) | {100 * ob:6.2f} ({100 * oacc:.2f})")
    if a.agreement_crops:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        from ferplus import load_app_crops
        d = load_app_crops(a.agreement_crops, a.data, "Valid")
        assert (d["label"] == y).all(), "the logits are not of these crops"
        hi = d["votes"].max(1) >= 8
        print(f"\n>= 8 of 10 annotators agree: {hi.sum()} faces (accuracy / balanced accuracy over the classes present)")
        for k, l in nets.items():
            cells = []
            for tau in (0.0, 0.75):
                acc, bal = scores(y[hi], (l - tau * np.log(PRIOR))[hi])
                cells.append(f"τ {tau:.2f}: {100 * acc:.2f} / {100 * bal:.2f}")
            print(f"{k:12s} " + " | ".join(cells))


if __name__ == "__main__":
    main()
