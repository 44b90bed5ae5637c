"""FER+ loading and the evaluation protocol.

Protocol (see ../shared/README.md):
  * the label of an image is the majority (argmax) of its 10 votes; ties go to the
    first class in vote order (np.argmax), so an emotion wins a tie with unknown/NF;
  * images whose majority is `unknown` or `not-a-face` are dropped (in every split);
  * the training target is the normalised 8-class vote distribution (soft label).
"""
import csv
import os

import numpy as np

# Class orders come from the JSON the app reads (shared_names.py):
#   FERPLUS_CLASSES: vote / logit order of FER+ (and of the exported model's output);
#   AFFECTNET_CLASSES: the order the app (and reports) use, display labels;
#   AFFECTNET_FROM_FERPLUS[j] = FER+ index of AffectNet class j.
from shared_names import AFFECTNET_FROM_FERPLUS, FERPLUS_CLASSES  # noqa: F401
from shared_names import CLASS_LABELS as AFFECTNET_CLASSES  # noqa: F401

SPLITS = ("Train", "Valid", "Test")


def read_labels(split_dir):
    """Return (file names, votes[N,10] int) from a split's label.csv."""
    files, votes = [], []
    with open(os.path.join(split_dir, "label.csv"), newline="") as f:
        for row in csv.reader(f):
            if not row:
                continue
            # row = file, "(x, y, w, h)", v0..v9 ; every box is the full 48x48 image.
            files.append(row[0])
            votes.append([int(v) for v in row[2:12]])
    return files, np.asarray(votes, dtype=np.int64)


def _decode_split(split_dir, files):
    from PIL import Image
    imgs = np.empty((len(files), 48, 48), dtype=np.uint8)
    for i, name in enumerate(files):
        with Image.open(os.path.join(split_dir, name)) as im:
            imgs[i] = np.asarray(im.convert("L"), dtype=np.uint8)
    return imgs


def load_split(data_dir, split, cache_dir=None):
    """Load one split with the protocol applied.

    Returns dict: images uint8 [N,48,48], soft float32 [N,8], label int64 [N], files.
    PNG decoding is slow relative to training, so the decoded uint8 arrays are cached
    (as .npz outside git) and reused by later runs.
    """
    split_dir = os.path.join(data_dir, split)
    files, votes = read_labels(split_dir)
    cache = os.path.join(cache_dir, f"ferplus_{split}_u8.npz") if cache_dir else None
    if cache and os.path.exists(cache):
        z = np.load(cache)
        if list(z["files"]) == files:
            imgs = z["images"]
        else:
            imgs = None
    else:
        imgs = None
    if imgs is None:
        imgs = _decode_split(split_dir, files)
        if cache:
            os.makedirs(cache_dir, exist_ok=True)
            np.savez(cache, images=imgs, files=np.asarray(files))

    return apply_protocol(imgs, votes, files)


def apply_protocol(imgs, votes, files, usable=None):
    """The majority protocol on a split's images and votes (`usable`: rows that may be kept at all)."""
    usable = np.ones(len(votes), dtype=bool) if usable is None else usable
    majority = votes.argmax(axis=1)          # over all 10 vote classes
    emotion = majority < 8                   # drop unknown (8) / not-a-face (9)
    keep = emotion & usable
    v8 = votes[keep, :8].astype(np.float32)
    return {
        "images": imgs[keep],
        "soft": v8 / v8.sum(axis=1, keepdims=True),  # kept rows always have >=1 emotion vote
        "label": majority[keep].astype(np.int64),
        "votes": votes[keep],                # raw 10 votes (agreement subsets)
        "files": [f for f, k in zip(files, keep) if k],
        "n_dropped": int((~emotion & usable).sum()),
    }


def load_app_crops(crops_path, data_dir, split):
    """The app's own 48x48 crops of a split (`npm run extract -- <split>/label.csv --crops f.u8`),
    with the split's votes and the same protocol as load_split.

    Rows without a crop (the app found nothing to crop) are dropped as well; `n_no_crop` counts them.
    """
    import json
    head = json.load(open(crops_path + ".json"))
    crops = np.fromfile(crops_path, np.uint8).reshape(head["shape"])
    files, votes = read_labels(os.path.join(data_dir, split))
    by_file = dict(zip(files, votes))
    names = [os.path.basename(r) for r in head["rows"]]
    v = np.stack([by_file[n] for n in names])
    has = np.asarray(head["hasCrop"], dtype=bool)
    return {**apply_protocol(crops, v, names, usable=has), "n_no_crop": int((~has).sum())}
