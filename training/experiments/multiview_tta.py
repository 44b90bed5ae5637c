"""Does test-time augmentation beyond the mirror help fer2d on the app's own crops (issue #12)?

Scores the shipped fer2d.onnx (run in PyTorch, training/onnx_torch.py) on the app's FER+ Valid crops
under 14 views: the crop, its mirror, shifts of ±2 px along each axis, zooms of 0.94 and 1.06 (border
pixels repeated), each also mirrored. Prints, for the app's gated mirror and for averages of views
(mean of logits, as the app averages its mirror): accuracy / balanced accuracy as trained and the best
τ-corrected balanced accuracy at accuracy ≥ 85 % and ≥ 86 % (training/gpu/frontier.py, in-sample),
then a paired bootstrap (1,000 resamples) of each against crop + mirror. Valid only; Test plays no part.

    npm run extract -- ../shared/data/ferplus/Valid/label.csv --out training/runs/app_valid.csv \
        --crops training/runs/app_valid_crops.u8
    /usr/bin/python3 training/experiments/multiview_tta.py      # ≈ 8 min on 2 cores

Session 22's result (recorded in public/models/calibration.md): no average of views beats the mirror alone.
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(HERE)
sys.path.insert(0, TRAINING)
sys.path.insert(0, os.path.join(TRAINING, "gpu"))
from onnx_torch import OnnxTorch  # noqa: E402
from frontier import frontier_row, scores  # noqa: E402

APP = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]  # the app's (CSV) order
FERP = ["neutral", "happy", "surprise", "sad", "anger", "disgust", "fear", "contempt"]  # fer2d's output order


def view(x, dx=0, dy=0, s=1.0, flip=False):
    """The crop shifted by (dx, dy) pixels and zoomed by s about its centre, border pixels repeated."""
    if flip:
        x = x.flip(-1)
    if dx == 0 and dy == 0 and s == 1.0:
        return x
    n, _, h, w = x.shape
    theta = torch.tensor([[1 / s, 0, -2 * dx / w], [0, 1 / s, -2 * dy / h]], dtype=torch.float32).expand(n, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


VIEWS = {"id": {}, "flip": {"flip": True}}
for _dx, _dy in [(2, 0), (-2, 0), (0, 2), (0, -2)]:
    VIEWS[f"shift{_dx},{_dy}"] = {"dx": _dx, "dy": _dy}
    VIEWS[f"shift{_dx},{_dy}+flip"] = {"dx": _dx, "dy": _dy, "flip": True}
for _s in (0.94, 1.06):
    VIEWS[f"zoom{_s}"] = {"s": _s}
    VIEWS[f"zoom{_s}+flip"] = {"s": _s, "flip": True}


def gated(idv, flipv, gate):
    """The app's policy: mirror only when the first pass's top-1 − top-2 probability margin is below `gate`."""
    p = np.exp(idv - idv.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    top2 = np.sort(p, 1)[:, -2:]
    m = (top2[:, 1] - top2[:, 0]) < gate
    out = idv.copy()
    out[m] = (idv[m] + flipv[m]) / 2
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    runs = os.path.join(TRAINING, "runs")
    ap.add_argument("--csv", default=os.path.join(runs, "app_valid.csv"))
    ap.add_argument("--crops", default=os.path.join(runs, "app_valid_crops.u8"))
    ap.add_argument("--net", default=os.path.join(TRAINING, "..", "public", "models", "fer2d.onnx"))
    ap.add_argument("--gate", type=float, default=0.1, help="the manifest's flipWhenMarginBelow")
    ap.add_argument("--cache", default="/tmp/multiview_tta.npz", help="logits per view (reused when present)")
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)

    rows = list(csv.DictReader(open(a.csv)))
    head = json.load(open(a.crops + ".json"))
    crops = np.fromfile(a.crops, np.uint8).reshape(head["shape"])
    assert len(rows) == len(crops), (len(rows), len(crops))
    y = np.array([FERP.index(APP[int(r["label_index"])]) for r in rows])
    app = np.array([[float(r[f"logit2d_{c}"]) for c in FERP] for r in rows])

    z = dict(np.load(a.cache)) if os.path.exists(a.cache) else {}
    if set(VIEWS) - set(z):
        net = OnnxTorch(a.net)
        x = torch.from_numpy((crops[:, None].astype(np.float32) / 255.0 - 0.5) / 0.5)
        for k, v in VIEWS.items():
            z[k] = np.concatenate([np.asarray(net(view(x[i:i + 500], **v))) for i in range(0, len(x), 500)])
            print(f"view {k}: done", file=sys.stderr, flush=True)
        np.savez(a.cache, **z)

    # The crops are the model's real input: the app's gated mirror is reproduced from the two views.
    print(f"app's logits vs the gated mirror recomputed here: max |Δ| {np.abs(gated(z['id'], z['flip'], a.gate) - app).max():.2e}")
    shifts = [k for k in VIEWS if k.startswith("shift")]
    zooms = [k for k in VIEWS if k.startswith("zoom")]
    mean = lambda keys: np.mean([z[k] for k in keys], 0)  # noqa: E731
    combos = {
        "app (gated mirror)": app,
        "crop + mirror": mean(["id", "flip"]),
        "+ 4 shifts (6 views)": mean(["id", "flip"] + [k for k in shifts if not k.endswith("flip")]),
        "+ 4 shifts, mirrored (10)": mean(["id", "flip"] + shifts),
        "+ 2 zooms, mirrored (6)": mean(["id", "flip"] + zooms),
        "all 14 views": mean(list(VIEWS)),
    }
    print(f"{'views':26s}  acc / bal as trained | best bal at acc ≥ 85 % | ≥ 86 %")
    for k, logits in combos.items():
        print(frontier_row(f"{k:26s}", y, logits))
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(y), (1000, len(y)))
    base = combos["crop + mirror"]
    print("paired bootstrap against crop + mirror, as trained (95 % interval, points):")
    for k, logits in combos.items():
        d = 100 * np.array([np.subtract(scores(y[b], logits[b]), scores(y[b], base[b])) for b in idx])
        lo, hi = np.percentile(d, [2.5, 97.5], axis=0)
        print(f"  {k:26s} Δacc {d[:, 0].mean():+.2f} [{lo[0]:+.2f}, {hi[0]:+.2f}]  Δbal {d[:, 1].mean():+.2f} [{lo[1]:+.2f}, {hi[1]:+.2f}]")


if __name__ == "__main__":
    main()
