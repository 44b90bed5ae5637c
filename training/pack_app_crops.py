"""Pack the app's own crops of a FER+ split, with their soft vote labels, into one .npz that
train_fer2d.py reads with --train-npz / --valid-npz (and that travels to a lent GPU machine).

    npm run extract -- ../shared/data/ferplus/Train/label.csv --out training/runs/app_train/app_train.csv \\
        --crops training/runs/app_train/app_train_crops.u8
    /usr/bin/python3 training/pack_app_crops.py training/runs/app_train/app_train_crops.u8 Train \\
        --out training/runs/app_train/app_train.npz

Why the app's crops: the app never shows the 2D model FER+'s own framing, it shows the
landmark-aligned crop it cuts itself (for FER+ and for any other dataset or webcam), so a model
trained on those crops is trained on what it will see.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ferplus import load_app_crops  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("crops", help="the .u8 written by npm run extract --crops (its .json beside it)")
    ap.add_argument("split", choices=["Train", "Valid", "Test"])
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "ferplus"))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    d = load_app_crops(a.crops, a.data, a.split)
    np.savez(a.out, images=d["images"], soft=d["soft"].astype(np.float16), label=d["label"].astype(np.int8))
    print(f"{a.out}: {len(d['label'])} faces ({d['n_dropped']} unknown/not-a-face, {d['n_no_crop']} without a crop left out)")


if __name__ == "__main__":
    main()
