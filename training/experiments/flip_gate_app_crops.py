"""The flip gate chosen where the app uses it: on the app's own Valid crops (npm run extract --crops),
not on FER2013's framing (export_fer2d.py's default choice). The gate mirrors a face only when the
first pass's top-1 − top-2 probability margin is below it; the rule is export_fer2d.py's (the smallest
mirrored fraction whose accuracy is at least that of always mirroring). Valid only.

    /usr/bin/python3 training/experiments/flip_gate_app_crops.py --net training/runs/gpu3/ship/last.pt
    # then: training/export_fer2d.py --flip-gate <chosen> ...
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from crossdomain import AFFECTNET_FROM_FERPLUS, checkpoint_net  # noqa: E402
from onnx_torch import OnnxTorch  # noqa: E402
from score_app_crops import load  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--net", required=True, help=".onnx or train_fer2d.py .pt")
    ap.add_argument("--csv", default=os.path.join(ROOT, "training", "runs", "app_valid.csv"))
    ap.add_argument("--crops", default=os.path.join(ROOT, "training", "runs", "app_valid_crops.u8"))
    a = ap.parse_args()
    crops, y, _ = load(a.csv, a.crops)
    net = checkpoint_net(a.net) if a.net.endswith(".pt") else OnnxTorch(a.net)
    x = (crops[:, None].astype(np.float32) / 255 - 0.5) / 0.5
    plain = np.concatenate([net(x[i:i + 512]) for i in range(0, len(x), 512)])
    mirror = np.concatenate([net(x[i:i + 512][..., ::-1].copy()) for i in range(0, len(x), 512)])
    p = np.exp(plain - plain.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    top2 = np.sort(p, 1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    always = float((((plain + mirror) / 2)[:, AFFECTNET_FROM_FERPLUS].argmax(1) == y).mean())
    chosen = None
    print(f"{len(y)} faces; always mirrored: accuracy {always:.4f}")
    for g in np.round(np.arange(0.05, 1.0, 0.05), 2):
        use = margin < g
        acc = float((np.where(use[:, None], (plain + mirror) / 2, plain)[:, AFFECTNET_FROM_FERPLUS].argmax(1) == y).mean())
        print(f"gate {g:.2f}: mirrored {use.mean():.4f}, accuracy {acc:.4f}")
        if chosen is None and acc >= always:
            chosen = g
    print(f"chosen gate: {chosen}")


if __name__ == "__main__":
    main()
