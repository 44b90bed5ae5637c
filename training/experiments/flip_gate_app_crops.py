"""The flip gate chosen where the app uses it: on the app's own Valid crops (npm run extract --crops),
not on FER2013's framing (export_fer2d.py's default choice). The gate mirrors a face only when the
first pass's top-1 − top-2 probability margin is below it; the rule is export_fer2d.py's own
choose_flip_gate (the smallest mirrored fraction whose accuracy is at least that of always
mirroring), applied to these crops. Valid only.

    /usr/bin/python3 training/experiments/flip_gate_app_crops.py --net training/runs/gpu3/ship/last.pt
    # then: training/export_fer2d.py --flip-gate <chosen> ...
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from crossdomain import AFFECTNET_FROM_FERPLUS, checkpoint_net  # noqa: E402
from export_fer2d import choose_flip_gate  # noqa: E402
from onnx_torch import OnnxTorch  # noqa: E402
from score_app_crops import load  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--net", required=True, help=".onnx or train_fer2d.py .pt")
    ap.add_argument("--csv", default=os.path.join(ROOT, "training", "runs", "app_valid.csv"))
    ap.add_argument("--crops", default=os.path.join(ROOT, "training", "runs", "app_valid_crops.u8"))
    a = ap.parse_args()
    crops, y, _ = load(a.csv, a.crops)  # labels in the app's (AffectNet) class order
    net = checkpoint_net(a.net) if a.net.endswith(".pt") else OnnxTorch(a.net)
    x = (crops[:, None].astype(np.float32) / 255 - 0.5) / 0.5
    # The net answers in FER+ order; the gate's margin does not depend on the order, the labels' does.
    plain = np.concatenate([net(x[i:i + 512]) for i in range(0, len(x), 512)])[:, AFFECTNET_FROM_FERPLUS]
    mirror = np.concatenate([net(x[i:i + 512][..., ::-1].copy()) for i in range(0, len(x), 512)])[:, AFFECTNET_FROM_FERPLUS]
    gate = choose_flip_gate(y, torch.from_numpy(np.ascontiguousarray(plain)), torch.from_numpy(np.ascontiguousarray(mirror)))
    print(f"{len(y)} faces (gate, mirrored fraction, accuracy; None = always mirrored):")
    for t, frac, acc in gate["curve"]:
        print(f"gate {t}: mirrored {frac:.4f}, accuracy {acc:.4f}")
    print(f"chosen gate: {gate['threshold']}")


if __name__ == "__main__":
    main()
