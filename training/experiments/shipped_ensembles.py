"""Would an ensemble of the fer2d nets this project has already shipped move the frontier (issue #12)?

Every fer2d.onnx that ever landed is in git history. Averaging two or more of them costs no training
(the lever that is left when no GPU is lent), so this checks, on the app's own Valid crops, whether
the ensemble separates the rare classes better than the current net alone: per net and per ensemble
(mean of log-softmax, flip-TTA logits as frontier.py scores them), accuracy / balanced accuracy as
trained and the best balanced accuracy a τ correction reaches at Valid accuracy ≥ 85 % and ≥ 86 %.
Test plays no part.

    npm run extract -- ../shared/data/ferplus/Valid/label.csv --out training/runs/app_valid.csv \\
        --crops training/runs/app_valid_crops.u8
    /usr/bin/python3 training/pack_app_crops.py training/runs/app_valid_crops.u8 Valid --out /tmp/app_valid.npz
    /usr/bin/python3 training/experiments/shipped_ensembles.py --valid /tmp/app_valid.npz \\
        --write /tmp/shipped_logits.npz          # ≈ 5 min of CPU for 7 nets; --logits reuses a written .npz

The result (session 15) is recorded in public/models/calibration.md.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "gpu"))
from frontier import frontier_row  # noqa: E402

MODEL = "public/models/fer2d.onnx"


def shipped_commits():
    """Commits that changed the shipped fer2d.onnx, newest first."""
    out = subprocess.run(["git", "log", "--format=%h", "--", MODEL], cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout.split()


def logits_of(commits, valid_npz):
    import torch
    from fer2d_model import fer2d_from_onnx
    from train_fer2d import predict

    u8 = torch.from_numpy(np.load(valid_npz)["images"])
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for c in commits:
            path = os.path.join(tmp, f"{c}.onnx")
            with open(path, "wb") as f:
                f.write(subprocess.run(["git", "show", f"{c}:{MODEL}"], cwd=ROOT, check=True, capture_output=True).stdout)
            try:
                net = fer2d_from_onnx(path).eval()
            except Exception as e:  # the first nets had other architectures: say so, score the rest
                print(f"  {c}: not this architecture ({type(e).__name__}: {e}); left out", flush=True)
                continue
            res[c] = predict(net, u8).numpy()
            print(f"  scored {c}", flush=True)
    return res


def log_softmax(x):
    x = x - x.max(1, keepdims=True)
    return x - np.log(np.exp(x).sum(1, keepdims=True))


def row(name, y, logits):
    print(frontier_row(f"{name:44s}", y, logits))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--valid", help="pack_app_crops.py's Valid .npz (scores every shipped net on it)")
    ap.add_argument("--logits", help="a .npz this script wrote before (skips the scoring)")
    ap.add_argument("--write", default="", help="where to save the logits (.npz)")
    ap.add_argument("--commits", default="", help="comma-separated commits, newest first (default: every one that changed the model)")
    a = ap.parse_args()
    if a.logits:
        z = np.load(a.logits)
        y = z["label"]
        nets = {k: z[k] for k in z.files if k != "label"}
    elif a.valid:
        y = np.load(a.valid)["label"]
        nets = logits_of(a.commits.split(",") if a.commits else shipped_commits(), a.valid)
        if a.write:
            np.savez(a.write, label=y, **nets)
    else:
        ap.error("--valid or --logits")
    names = list(nets)  # newest first: names[0] is the current net
    current = names[0]
    print(f"{'net (app Valid crops, n=' + str(len(y)) + ')':44s} {'acc / bal %':>15s} | best bal at acc ≥ 85 % | at ≥ 86 %")
    for k in names:
        row(k, y, nets[k])
    for k in names[1:]:
        row(f"{current} + {k}", y, 0.5 * (log_softmax(nets[current]) + log_softmax(nets[k])))
    for n in range(3, len(names) + 1):
        row(f"the newest {n}", y, np.mean([log_softmax(nets[k]) for k in names[:n]], 0))


if __name__ == "__main__":
    main()
