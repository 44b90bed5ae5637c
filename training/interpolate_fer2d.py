"""Weight-space interpolation between the shipped fer2d and a net fine-tuned from it (WiSE-FT,
Wortsman et al., CVPR 2022): θ(α) = (1 − α)·θ_shipped + α·θ_finetuned. Both share one
initialisation and frozen BatchNorms (train_fer2d.py --init-onnx), so the interpolation is a
valid net; it often keeps the fine-tune's gains while giving back less of the original's
robustness. Writes one checkpoint per α, loadable by load_checkpoint / export_fer2d.py.

  /usr/bin/python3 training/interpolate_fer2d.py --finetuned training/runs/fer2d_la/best.pt \
      --alphas 0.25,0.5,0.75 --out training/runs/fer2d_wise
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fer2d_model import fer2d_from_onnx  # noqa: E402

ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shipped", default=os.path.join(ROOT, "public", "models", "fer2d.onnx"))
    ap.add_argument("--finetuned", required=True)
    ap.add_argument("--alphas", default="0.25,0.5,0.75")
    ap.add_argument("--fold-tau", type=float, default=0.0,
                    help="fold a class-prior correction into the classifier bias: bias − τ·log π (π = the fine-tune's "
                         "Train vote prior); a negative τ gives back part of the prior a logit-adjusted fine-tune divided out")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ck = torch.load(a.finetuned, map_location="cpu")
    cfg = ck["config"]
    base = fer2d_from_onnx(a.shipped, tuple(cfg["widths"]), tuple(cfg["depths"]), cfg["dropout"]).state_dict()
    tuned = ck["state_dict"]
    assert base.keys() == tuned.keys()
    os.makedirs(a.out, exist_ok=True)
    for alpha in [float(x) for x in a.alphas.split(",")]:
        sd = {k: ((1 - alpha) * base[k] + alpha * tuned[k]) if base[k].dtype.is_floating_point else tuned[k] for k in base}
        if a.fold_tau:
            # A per-class constant on the logits is a change of the last layer's bias: the
            # exported graph then carries the chosen policy with no run-time cost.
            sd["head.3.bias"] = sd["head.3.bias"] - a.fold_tau * torch.log(torch.tensor(cfg["trainPrior"]))
        path = os.path.join(a.out, f"alpha{alpha:.2f}" + (f"_tau{a.fold_tau:+.2f}" if a.fold_tau else "") + ".pt")
        torch.save({"state_dict": sd, "config": {**cfg, "wiseFt": {"shipped": os.path.relpath(a.shipped, ROOT),
                                                                    "finetuned": os.path.relpath(a.finetuned, ROOT), "alpha": alpha,
                                                                    "foldedTau": a.fold_tau}},
                    "best": ck.get("best")}, path)
        print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
