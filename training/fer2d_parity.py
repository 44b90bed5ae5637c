"""PyTorch's logits for a fixed set of FER+ Valid faces, so a test can bound the exported fer2d.onnx.

    /usr/bin/python3 training/fer2d_parity.py --ckpt training/runs/gpu4/ship/last.pt

export_fer2d.py calls `write_fixture` after every export; this entry point rebuilds the fixture
for an already shipped model (its checkpoint must be the one the .onnx was exported from).

The fixture (tests/fixtures/fer2d.parity.json, checked by tests/core/fer2dParity.test.ts) holds
file *names*, never pixels: the faces stay in ../shared (FER+'s terms), and the test decodes the
same PNGs. Per face it keeps the pixel sum, so a different decoding fails loudly instead of
loosening the bound. Four faces per majority class (the first in label.csv order), each also
mirrored (the app's gated flip runs the same net on the mirror). The file's sha256 ties the
logits to one .onnx: a new export without a new fixture fails the test.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ferplus import FERPLUS_CLASSES, load_split  # noqa: E402
from train_fer2d import REPO, to_input  # noqa: E402

PER_CLASS = 4
FIXTURE = os.path.join(REPO, "tests", "fixtures", "fer2d.parity.json")


def pick_faces(label, per_class=PER_CLASS):
    """Indices of the first `per_class` faces of each majority class, in class then file order."""
    return [int(i) for c in range(len(FERPLUS_CLASSES)) for i in np.flatnonzero(label == c)[:per_class]]


def write_fixture(net, data_dir, cache_dir, onnx_path, out=FIXTURE):
    d = load_split(data_dir, "Valid", cache_dir)
    idx = pick_faces(d["label"])
    u8 = torch.from_numpy(d["images"][idx])
    x = to_input(u8)
    net.eval()
    with torch.no_grad():
        plain = net(x).numpy()
        mirror = net(torch.flip(x, dims=[3])).numpy()
    with open(onnx_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    fixture = {
        "about": "training/fer2d_parity.py: PyTorch (float32 checkpoint) logits of FER+ Valid faces for "
                 "public/models/fer2d.onnx; input (p/255-0.5)/0.5, 48x48 grey; logits in FER+ vote order",
        "onnxSha256": sha,
        "split": "Valid",
        "classOrder": FERPLUS_CLASSES,
        "files": [d["files"][i] for i in idx],
        "majority": [int(d["label"][i]) for i in idx],
        "pixelSums": [int(s) for s in d["images"][idx].reshape(len(idx), -1).sum(axis=1)],
        "logits": np.round(plain, 6).tolist(),
        "mirroredLogits": np.round(mirror, 6).tolist(),
    }
    with open(out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(out, REPO)}: {len(idx)} faces (+ mirrors) for {os.path.basename(onnx_path)} {sha[:12]}")


def main():
    from fer2d_model import load_checkpoint
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", required=True, help="the checkpoint the shipped .onnx was exported from")
    p.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "ferplus"))
    p.add_argument("--cache", default=os.path.join(REPO, "training", "runs", "cache"))
    p.add_argument("--onnx", default=os.path.join(REPO, "public", "models", "fer2d.onnx"))
    p.add_argument("--out", default=FIXTURE)
    args = p.parse_args()
    torch.set_num_threads(2)
    net, _ = load_checkpoint(args.ckpt)
    write_fixture(net, args.data, args.cache, args.onnx, args.out)


if __name__ == "__main__":
    main()
