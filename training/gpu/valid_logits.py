"""Flip-TTA logits of each checkpoint on a packed Valid set (pack_app_crops.py), saved as one
.npz keyed by the checkpoint's run folder (or NAME in NAME=path), so the choice can be made later on
another machine. A shipped fer2d.onnx is read back into the same network (fer2d_from_onnx), so the
replaced net is scored on exactly the same footing as the new ones.

    python3 training/gpu/valid_logits.py app_valid.npz out.npz run1/last.pt run2/last.pt ...
    python3 training/gpu/valid_logits.py app_valid.npz prev.npz prev=public/models/fer2d.onnx
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fer2d_model import fer2d_from_onnx, load_checkpoint  # noqa: E402
from train_fer2d import predict  # noqa: E402


def main():
    valid, out, *ckpts = sys.argv[1:]
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    u8 = torch.from_numpy(np.load(valid)["images"]).to(dev)
    res = {}
    for c in ckpts:
        name, path = c.split("=", 1) if "=" in c else (os.path.basename(os.path.dirname(c)), c)
        net = fer2d_from_onnx(path) if path.endswith(".onnx") else load_checkpoint(path)[0]
        net = net.to(dev, memory_format=torch.channels_last).eval()
        res[name] = predict(net, u8).numpy()
    np.savez(out, label=np.load(valid)["label"], **res)
    print("valid logits:", ", ".join(res))


if __name__ == "__main__":
    main()
