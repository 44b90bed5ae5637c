"""Experiment (not shipped): train the 3D head *through* late fusion, to complement the 2D net.

Instead of fitting head3d alone, the loss is on w_train·ℓ2D + (1−w_train)·ℓ3D with the 2D net's
own Train logits held fixed, so the head only has to learn what the 2D net gets wrong. The epoch
and the fusion weight are then chosen on Valid; Test is scored once per w_train.
Result (public/models/head3d.md, "Why there is no gain"): Valid +0.6 to +0.7, Test −0.2 to +0.2.

    /usr/bin/python3 training/experiments/complementary_head3d.py --ckpt training/runs/fer2d_c/best.pt \
        --train .cache/features/train.csv,.cache/features/train2.csv \
        --valid .cache/features/valid.csv --test .cache/features/test.csv

Feature CSVs come from `npm run extract` (see head3d.md). Valid/Test 2D logits are read from
those CSVs (the app's pipeline); Train's 2D logits are computed here with --ckpt on the raw 48×48
images, because the Train CSVs may predate the current 2D model.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from fer2d_model import load_checkpoint  # noqa: E402
from ferplus import load_split  # noqa: E402
from train_fer2d import REPO, to_input  # noqa: E402
from train_head3d import Head3D, fuse, predict, read_features, to_arrays  # noqa: E402

FERPLUS_TO_AFFECTNET = [0, 1, 3, 2, 6, 5, 4, 7]  # AffectNet index k <- FER+ index


def train_logits_2d(ckpt, rows, data):
    """The 2D net's flip-averaged Train logits, in AffectNet order, aligned with the CSV rows."""
    d = load_split(data, "Train", os.path.join(REPO, "training", "runs", "cache"))
    index = {f: i for i, f in enumerate(d["files"])}
    net, _ = load_checkpoint(ckpt)
    x = to_input(torch.from_numpy(d["images"][[index[r["path"]] for r in rows]]))
    with torch.no_grad():
        out = torch.cat([(net(x[i:i + 500]) + net(torch.flip(x[i:i + 500], [3]))) / 2 for i in range(0, len(x), 500)])
    return out.numpy()[:, FERPLUS_TO_AFFECTNET]


def train_through_fusion(X, D, L2, w_train, Xva, l2va, hva, yva, epochs=40, seed=0):
    torch.manual_seed(seed)
    m = Head3D(X.shape[1], 256, 2, 0.2, X.mean(0), X.std(0) + 1e-6)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * ((len(X) + 255) // 256))
    Xt, Dt, Lt = torch.from_numpy(X), torch.from_numpy(D), torch.from_numpy(L2).float()
    best = (-1, None)
    for _ in range(epochs):
        m.train()
        perm = torch.randperm(len(X))
        for i in range(0, len(perm), 256):
            j = perm[i:i + 256]
            if len(j) < 2:
                continue
            z = w_train * Lt[j] + (1 - w_train) * m(Xt[j])
            loss = -(Dt[j] * F.log_softmax(z, 1)).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        l3va = predict(m, Xva)
        acc = max((fuse("weighted", l2va, l3va, w, hva).argmax(1) == yva).mean() for w in np.arange(0, 1.01, 0.05))
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in m.state_dict().items()})
    m.load_state_dict(best[1])
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True, help="the 2D net whose Valid/Test logits are in the CSVs")
    ap.add_argument("--train", required=True)
    ap.add_argument("--valid", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "ferplus"))
    ap.add_argument("--w-train", default="0.3,0.5,0.7")
    args = ap.parse_args()
    groups = ["blendshapes", "headPose"]
    train_data = read_features(args.train)
    Xtr, htr, _, ytr, Dtr, _ = to_arrays(train_data, groups)
    Xva, hva, l2va, yva, _, _ = to_arrays(read_features(args.valid), groups)
    Xte, hte, l2te, yte, _, _ = to_arrays(read_features(args.test), groups)
    L2tr = train_logits_2d(args.ckpt, train_data[0], args.data)
    print(f"2D net on its own Train images: {(L2tr.argmax(1) == ytr).mean():.4f}")
    base_va, base_te = (l2va.argmax(1) == yva).mean(), (l2te.argmax(1) == yte).mean()
    ws = np.arange(0, 1.01, 0.05)
    for w_train in map(float, args.w_train.split(",")):
        m = train_through_fusion(Xtr[htr], Dtr[htr], L2tr[htr], w_train, Xva, l2va, hva, yva)
        l3va, l3te = predict(m, Xva), predict(m, Xte)
        acc_va = [(fuse("weighted", l2va, l3va, w, hva).argmax(1) == yva).mean() for w in ws]
        w = ws[int(np.argmax(acc_va))]
        acc_te = (fuse("weighted", l2te, l3te, w, hte).argmax(1) == yte).mean()
        print(f"w_train {w_train}: fusion w {w:.2f}; Valid {max(acc_va):.4f} ({100 * (max(acc_va) - base_va):+.2f}), "
              f"Test {acc_te:.4f} ({100 * (acc_te - base_te):+.2f})", flush=True)


if __name__ == "__main__":
    main()
