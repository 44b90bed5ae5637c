"""Cross-domain check for the 2D branches: FER+ Valid as it is, its high-agreement faces, and
Valid under the shifts a webcam or another dataset brings. Every default of the pack (fusion
weights, prior correction) is chosen on this, never on FER+ Test.

Each branch is the shipped ONNX graph, run in PyTorch (training/onnx_torch.py) on the same
pixels: fer2d on the 48×48 grey face with its gated mirror (manifest policy), faceexpr7 on the
face upscaled to 112×112 RGB. Writes one .npz of logits per split/shift (AffectNet class order,
faceexpr7's missing contempt as NaN) that training/choose_calibration.py reads.

  /usr/bin/python3 training/crossdomain.py --out training/runs/crossdomain_valid.npz
  /usr/bin/python3 training/crossdomain.py --split Test --shifts clean --out training/runs/crossdomain_test.npz  # report only
"""
import argparse
import io
import json
import os
import sys

import numpy as np
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ferplus import AFFECTNET_FROM_FERPLUS, load_split  # noqa: E402
from onnx_torch import OnnxTorch  # noqa: E402

ROOT = os.path.dirname(HERE)
CLASSES = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]


def _pil(a):
    return Image.fromarray(a, "L")


def shift_image(name, img, rng):
    """One 48×48 uint8 face under a named shift (deterministic given rng)."""
    im = _pil(img)
    if name == "clean":
        return img
    if name == "lowres":  # a face 24 px wide, as in a far webcam frame
        return np.asarray(im.resize((24, 24), Image.BILINEAR).resize((48, 48), Image.BILINEAR))
    if name == "blur":
        return np.asarray(im.filter(ImageFilter.GaussianBlur(1.2)))
    if name == "jpeg":
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=20)
        return np.asarray(Image.open(buf).convert("L"))
    if name == "contrast":
        f = img.astype(np.float32)
        return np.clip((f - f.mean()) * 0.5 + f.mean(), 0, 255).astype(np.uint8)
    if name == "gamma":
        g = 1.7 if rng.random() < 0.5 else 0.6
        return np.clip(255 * (img / 255.0) ** g, 0, 255).astype(np.uint8)
    if name == "rotate":
        return np.asarray(im.rotate(rng.uniform(-12, 12), Image.BILINEAR, fillcolor=int(np.median(img))))
    if name == "jitter":  # a face box a detector would place differently
        s = rng.uniform(0.85, 1.15)
        dx, dy = rng.uniform(-3, 3, 2)
        c = 24 + np.array([dx, dy])
        half = 24 * s
        box = (c[0] - half, c[1] - half, c[0] + half, c[1] + half)
        return np.asarray(im.transform((48, 48), Image.EXTENT, box, Image.BILINEAR, fillcolor=int(np.median(img))))
    if name == "noise":
        return np.clip(img + rng.normal(0, 10, img.shape), 0, 255).astype(np.uint8)
    raise ValueError(name)


SHIFTS = ["clean", "lowres", "blur", "jpeg", "contrast", "gamma", "rotate", "jitter", "noise"]


def fer2d_logits(net, imgs, gate):
    x = (imgs[:, None].astype(np.float32) / 255.0 - 0.5) / 0.5
    out = []
    for i in range(0, len(x), 512):
        a = net(x[i:i + 512])
        p = np.exp(a - a.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        top2 = np.sort(p, 1)[:, -2:]
        m = (top2[:, 1] - top2[:, 0]) < gate
        if m.any():
            a = a.copy()
            a[m] = (a[m] + net(x[i:i + 512][m][..., ::-1].copy())) / 2
        out.append(a)
    return np.concatenate(out)[:, AFFECTNET_FROM_FERPLUS]


FACEEXPR7_TO_AFFECTNET = [0, 1, 2, 6, 4, 5, 3]  # faceexpr7 index k → AffectNet index
MEAN_RGB = np.array([122.782, 117.001, 104.298], np.float32)


def faceexpr7_logits(net, imgs):
    out = []
    for i in range(0, len(imgs), 256):
        rgb = np.stack([np.asarray(Image.fromarray(a, "L").convert("RGB").resize((112, 112), Image.BILINEAR)) for a in imgs[i:i + 256]])
        x = ((rgb.astype(np.float32) - MEAN_RGB) / 255.0).transpose(0, 3, 1, 2)
        out.append(net(np.ascontiguousarray(x)))
    lg = np.concatenate(out)
    full = np.full((len(lg), 8), np.nan, np.float32)
    full[:, FACEEXPR7_TO_AFFECTNET] = lg
    return full


def checkpoint_net(path):
    """A train_fer2d.py checkpoint as a numpy-in, numpy-out callable like OnnxTorch (float32, eval)."""
    import torch
    from fer2d_model import load_checkpoint
    net = load_checkpoint(path)[0]

    def run(x):
        with torch.no_grad():
            return net(torch.from_numpy(np.ascontiguousarray(x))).numpy()
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "ferplus"))
    ap.add_argument("--split", default="Valid")
    ap.add_argument("--shifts", default=",".join(SHIFTS))
    ap.add_argument("--manifest", default=os.path.join(ROOT, "public", "models", "manifest.json"))
    ap.add_argument("--fer2d", default=os.path.join(ROOT, "public", "models", "fer2d.onnx"),
                    help="the fer2d to check: a shipped .onnx, or a train_fer2d.py checkpoint (.pt) before export")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    man = json.load(open(a.manifest))
    fer = next(m for m in man["models"] if m["id"] == "fer2d")
    gate = fer.get("testTimeAugmentation", {}).get("flipWhenMarginBelow", 1.0)
    d = load_split(a.data, a.split, cache_dir=os.path.join(HERE, "runs", "cache"))
    y = np.array([AFFECTNET_FROM_FERPLUS.index(int(v)) for v in d["label"]])
    votes_max = d["votes"].max(1)  # annotators (of 10) who gave the majority label
    nets = {"fer2d": checkpoint_net(a.fer2d) if a.fer2d.endswith(".pt") else OnnxTorch(a.fer2d),
            "faceexpr7": OnnxTorch(os.path.join(ROOT, "public", "models", "faceexpr7.onnx"))}
    res = {"label": y, "agreement": votes_max}
    for s in a.shifts.split(","):
        rng = np.random.default_rng(7)
        imgs = np.stack([shift_image(s, im, rng) for im in d["images"]])
        res[f"{s}/fer2d"] = fer2d_logits(nets["fer2d"], imgs, gate)
        res[f"{s}/faceexpr7"] = faceexpr7_logits(nets["faceexpr7"], imgs)
        acc = (res[f"{s}/fer2d"].argmax(1) == y).mean()
        print(f"{a.split} {s}: {len(y)} faces, fer2d {acc:.4f}, faceexpr7 {(np.nan_to_num(res[f'{s}/faceexpr7'], nan=-1e9).argmax(1) == y).mean():.4f}", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    np.savez_compressed(a.out, **res)


if __name__ == "__main__":
    main()
