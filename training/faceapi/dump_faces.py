"""Write FER+ faces as raw N×112×112×3 uint8 RGB (grey replicated, bilinear upscale) for
training/faceapi/parity_tfjs.mjs --images: a parity check on real faces, not only on patterns.

  /usr/bin/python3 training/faceapi/dump_faces.py --split Valid --count 200 --out /tmp/faces112.u8
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferplus import read_labels  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="../shared/data/ferplus")
ap.add_argument("--split", default="Valid")
ap.add_argument("--count", type=int, default=200)
ap.add_argument("--out", required=True)
a = ap.parse_args()
files, _ = read_labels(os.path.join(a.data, a.split))
with open(a.out, "wb") as f:
    for name in files[: a.count]:
        im = Image.open(os.path.join(a.data, a.split, name)).convert("RGB").resize((112, 112), Image.BILINEAR)
        f.write(np.asarray(im, dtype=np.uint8).tobytes())
print(f"wrote {min(a.count, len(files))} faces to {a.out}")
