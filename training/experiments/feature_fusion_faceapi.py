"""Does face-api's FaceExpressionNet carry what fer2d lacks for the rare classes? (issue #12)

Session 5 fused the two nets' *outputs* with a fixed weight (`choose_calibration.py`): every weight
lowered Valid accuracy. This asks the question one level down. face-api's net was trained on other,
undisclosed data; on FER+ Valid its own 7-way head is weak overall (65.9 %) but sees disgust far
better than fer2d (recall 0.72 against 0.41). Its pooled 256-d features, next to fer2d's, may let a
learned head separate disgust, fear and contempt where fer2d's features alone do not.

Features (both the mean over the crop and its mirror, as the app's flip TTA):
  fer2d    the shipped fer2d.onnx read back into PyTorch, pooled 256-d (before dropout and its layer)
  faceapi  face-api's net (training/faceapi/convert_faceapi_expression.py), pooled 256-d, on the app's
           48×48 crop upscaled bilinearly to 112 and repeated over RGB (the app would cut face-api's own
           112 px crop from the same 48 px image: same pixels, slightly different framing)

Heads, each scored as frontier.py scores a net (as trained, and its best prior correction τ at Valid
accuracy ≥ 85 %, in-sample τ):
  train:*  a linear head on the app's Train crops (cRT: soft-label CE weighted by 1/share of the
           votes, L2 pull to its start; fer2d's part starts at the shipped layer, face-api's at 0)
  cv:*     stacking on Valid: the head is fitted on 4 folds of Valid and scores the 5th (out of fold,
           repeated over seeds), because fer2d's features separate its own Train set almost perfectly
           and a head fitted there learns to trust them alone. The control `cv:fer2d` fits the same
           head on fer2d's features only, so any gain of `cv:fer2d+faceapi` over it is face-api's.

    /usr/bin/python3 training/experiments/feature_fusion_faceapi.py \
        --train-crops training/runs/app_train/app_train_crops.u8 --valid-crops training/runs/app_valid_crops.u8

Nothing here reads Test; results go to public/models/calibration.md.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "gpu"))
sys.path.insert(0, os.path.join(HERE, "..", "faceapi"))
from convert_faceapi_expression import MEAN_RGB, build  # noqa: E402
from fer2d_model import fer2d_from_onnx  # noqa: E402
from ferplus import load_app_crops  # noqa: E402
from frontier import best_tau, scores  # noqa: E402
from retrain_head import train_head  # noqa: E402
from train_fer2d import to_input  # noqa: E402


@torch.no_grad()
def fer2d_features(net, u8, bs=512):
    net.eval()
    trunk = lambda x: net.head[1](net.head[0](net.blocks(net.stem(x))))  # noqa: E731
    out = []
    for i in range(0, len(u8), bs):
        x = to_input(torch.from_numpy(u8[i:i + bs]))
        out.append(0.5 * (trunk(x) + trunk(torch.flip(x, dims=[3]))))
    return torch.cat(out).numpy()


@torch.no_grad()
def faceapi_features(net, u8, bs=256):
    """Pooled 256-d features and the 7 logits of face-api's net, mean over the crop and its mirror."""
    mean = torch.tensor(MEAN_RGB).view(1, 3, 1, 1) / 255.0
    feats, logits = [], []
    for i in range(0, len(u8), bs):
        g = torch.from_numpy(u8[i:i + bs]).float().unsqueeze(1) / 255.0
        g = F.interpolate(g, size=(112, 112), mode="bilinear", align_corners=False)
        x = g.repeat(1, 3, 1, 1) - mean
        f = 0
        for v in (x, torch.flip(x, dims=[3])):
            for block in (net.dense0, net.dense1, net.dense2, net.dense3):
                v = block(v)
            f = f + 0.5 * torch.flatten(F.avg_pool2d(v, 7, stride=2), 1)
        feats.append(f)
        logits.append(net.fc(f))
        if i // bs % 20 == 0:
            print(f"  face-api {i + len(g)}/{len(u8)}", flush=True)
    return torch.cat(feats).numpy(), torch.cat(logits).numpy()


def fit_head(x, soft, *, class_weight, l2, w0=None, b0=None):
    """retrain_head.py's class-weighted soft-label head, started from (w0, b0) or from zeros."""
    d = x.shape[1]
    w0 = np.zeros((8, d), np.float32) if w0 is None else w0.astype(np.float32)
    b0 = np.zeros(8, np.float32) if b0 is None else b0.astype(np.float32)
    return train_head(x.astype(np.float32), soft.astype(np.float32), w0, b0, class_weight=class_weight, l2=l2)


def report(name, logits, y, rows):
    acc, bal = scores(y, logits)
    bt, tau, bacc = best_tau(y, logits, 0.85)
    bt86, tau86, _ = best_tau(y, logits, 0.86)
    print(f"{name:<40} as trained {acc * 100:6.2f} / {bal * 100:6.2f}   ≥85 %: {bt * 100:6.2f} (τ {tau})   ≥86 %: {bt86 * 100:6.2f} (τ {tau86})", flush=True)
    rows[name] = {"acc": acc, "bal": bal, "bal85": bt, "tau85": tau, "bal86": bt86, "tau86": tau86}


def cv_logits(x, soft, y, *, class_weight, l2, folds=5, seeds=(0, 1, 2)):
    """Out-of-fold logits (stratified folds), averaged over seeds' fold assignments."""
    out = np.zeros((len(seeds), len(y), 8), np.float32)
    for si, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        fold = np.zeros(len(y), int)
        for c in range(8):
            idx = np.flatnonzero(y == c)
            fold[rng.permutation(idx)] = np.arange(len(idx)) % folds
        for k in range(folds):
            tr, te = fold != k, fold == k
            mu, sd = x[tr].mean(0), x[tr].std(0) + 1e-6
            w, b = fit_head((x[tr] - mu) / sd, soft[tr], class_weight=class_weight, l2=l2)
            out[si, te] = ((x[te] - mu) / sd) @ w.T + b
    return out


def head3d_logits(path, files):
    """The 3D head's 8 logits per kept Valid face in FER+ order (0 where the app had no 3D output: it
    then fuses the 2D side alone, and a stacked head sees the zeros)."""
    import csv
    csv_order = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]
    ferplus = ["neutral", "happy", "surprise", "sad", "anger", "disgust", "fear", "contempt"]
    by = {os.path.basename(r["path"]): r for r in csv.DictReader(open(path))}
    return np.array([[float(by[f][f"logit3d_{c}"] or 0) for c in ferplus] for f in files], np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-crops", required=True)
    ap.add_argument("--valid-crops", required=True)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "ferplus"))
    ap.add_argument("--fer2d", default=os.path.join(REPO, "public", "models", "fer2d.onnx"))
    ap.add_argument("--faceapi-dir", default=os.path.join(REPO, "node_modules", "@vladmandic", "face-api", "model"))
    ap.add_argument("--cache", default="/tmp/feature_fusion_faceapi.npz")
    ap.add_argument("--valid-csv", default=os.path.join(REPO, "training", "runs", "app_valid.csv"),
                    help="the same extract's features CSV: adds the 3D head's logits to the stacking rows")
    ap.add_argument("--out", help="write the table as JSON here")
    a = ap.parse_args()
    torch.set_num_threads(2)
    tr = load_app_crops(a.train_crops, a.data, "Train")
    va = load_app_crops(a.valid_crops, a.data, "Valid")
    if os.path.exists(a.cache):
        z = np.load(a.cache)
        f2_tr, f2_va, fa_tr, fa_va, la_va = (z[k] for k in ("f2_tr", "f2_va", "fa_tr", "fa_va", "la_va"))
    else:
        f2 = fer2d_from_onnx(a.fer2d)
        fa = build(a.faceapi_dir)
        print("fer2d features", flush=True)
        f2_va, f2_tr = fer2d_features(f2, va["images"]), fer2d_features(f2, tr["images"])
        print("face-api features", flush=True)
        fa_va, la_va = faceapi_features(fa, va["images"])
        fa_tr, _ = faceapi_features(fa, tr["images"])
        np.savez(a.cache, f2_tr=f2_tr, f2_va=f2_va, fa_tr=fa_tr, fa_va=fa_va, la_va=la_va)
    f2 = fer2d_from_onnx(a.fer2d)
    w0 = f2.head[3].weight.detach().numpy().copy()
    b0 = f2.head[3].bias.detach().numpy().copy()
    y_va, s_va, s_tr = va["label"], va["soft"], tr["soft"]
    share = s_tr.mean(0)
    cw = 1.0 / share
    rows = {}
    print(f"Train {len(s_tr)} faces, Valid {len(y_va)} faces (app crops)")
    report("shipped fer2d (its own layer)", f2_va @ w0.T + b0, y_va, rows)
    # face-api's own 7 logits in FER+ order; contempt gets the lowest logit (never predicted).
    order = [0, 1, 6, 2, 3, 5, 4]  # FER+ neutral,happy,surprise,sad,anger,disgust,fear ← face-api indices
    la8 = np.concatenate([la_va[:, order], la_va.min(1, keepdims=True) - 10], 1)
    report("face-api alone (its own layer)", la8, y_va, rows)

    # Heads fitted on Train.
    mu, sd = fa_tr.mean(0), fa_tr.std(0) + 1e-6
    z_tr = np.concatenate([f2_tr, (fa_tr - mu) / sd], 1)
    z_va = np.concatenate([f2_va, (fa_va - mu) / sd], 1)
    for l2 in (1e-3, 1e-2):
        w, b = fit_head(f2_tr, s_tr, class_weight=cw, l2=l2, w0=w0, b0=b0)
        report(f"train:fer2d cRT l2 {l2}", f2_va @ w.T + b, y_va, rows)
        wz0 = np.concatenate([w0, np.zeros((8, 256), np.float32)], 1)
        w, b = fit_head(z_tr, s_tr, class_weight=cw, l2=l2, w0=wz0, b0=b0)
        report(f"train:fer2d+faceapi cRT l2 {l2}", z_va @ w.T + b, y_va, rows)
        share_fa = np.abs(w[:, 256:]).sum() / np.abs(w).sum()
        print(f"    face-api's share of |W|: {share_fa:.3f}")

    # Stacking on Valid, out of fold.
    logit_va = f2_va @ w0.T + b0
    for l2 in (1e-3, 1e-2, 3e-2):
        for name, x in (("fer2d logits", logit_va), ("fer2d logits + face-api logits", np.concatenate([logit_va, la_va], 1)),
                        ("fer2d features", f2_va), ("fer2d + face-api features", np.concatenate([f2_va, fa_va], 1))):
            oof = cv_logits(x, s_va, y_va, class_weight=cw, l2=l2)
            report(f"cv:{name} l2 {l2}", oof.mean(0), y_va, rows)
    if os.path.exists(a.valid_csv):
        l3 = head3d_logits(a.valid_csv, va["files"])
        for l2 in (1e-3, 1e-2):
            for name, x in (("fer2d + head3d logits", np.concatenate([logit_va, l3], 1)),
                            ("fer2d + head3d + face-api logits", np.concatenate([logit_va, l3, la_va], 1))):
                oof = cv_logits(x, s_va, y_va, class_weight=cw, l2=l2)
                report(f"cv:{name} l2 {l2}", oof.mean(0), y_va, rows)
    if a.out:
        json.dump(rows, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
