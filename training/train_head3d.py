"""Train the Ig3D 3D expression head and choose late-fusion weights, from the app's own features.

Input: feature CSVs written by `npm run extract` (the browser pipeline) for FER+ Train, Valid
and Test. Each row has the label (majority + vote distribution, AffectNet order), the 2D
model's logits (AffectNet order) and the 3D parameter groups (e.g. blendshapes_0..51,
headPose_0..5).

Protocol: fit on Train; every choice (feature set, architecture, epochs, fusion weight and
variant) on Valid; Test evaluated once at the end with the chosen settings.

Outputs: head3d.onnx (input `features` [N,D] raw, standardisation baked in; output `logits`
[N,8] AffectNet order), head3d.metrics.json, and a manifest fragment (features, fusion).

  /usr/bin/python3 training/train_head3d.py --train train.features.csv --valid valid.features.csv \
      --test test.features.csv --out public/models
"""
import argparse
import csv
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import f1_score, recall_score

from shared_names import CLASSES  # noqa: E402  (the app's AffectNet order, from src/core/classes/classOrders.json)
FEATURE_GROUP_SIZES = {"blendshapes": 52, "headPose": 6, "canonicalLandmarks": 478 * 3}


def read_features(paths):
    """One or more feature CSVs (comma-separated), with their `.f32` canonical landmarks when present."""
    rows, landmarks = [], []
    for path in paths.split(","):
        with open(path, newline="") as f:
            part = list(csv.DictReader(f))
        rows += part
        lm_path = path[:-4] + ".f32" if path.endswith(".csv") else None
        if lm_path and os.path.exists(lm_path):
            landmarks.append(np.fromfile(lm_path, dtype=np.float32).reshape(len(part), 478 * 3))
        else:
            landmarks.append(np.full((len(part), 478 * 3), np.nan, np.float32))
    return rows, np.concatenate(landmarks)


def group_columns(header, group):
    cols = [c for c in header if c.startswith(group + "_") and c[len(group) + 1:].isdigit()]
    return sorted(cols, key=lambda c: int(c[len(group) + 1:]))


def to_arrays(data, groups):
    """All rows keep their place (protocol denominators); `has3d` marks rows with face features."""
    rows, landmarks = data
    header = list(rows[0].keys())
    csv_groups = [g for g in groups if g != "canonicalLandmarks"]
    cols = [c for g in csv_groups for c in group_columns(header, g)]
    n = len(rows)
    X = np.zeros((n, len(cols)), np.float32)
    has3d = np.zeros(n, bool)
    l2d = np.full((n, 8), np.nan, np.float32)
    y = np.array([int(r["label_index"]) for r in rows])
    dist = np.array([[float(r[f"label_p_{c}"] or 0) for c in CLASSES] for r in rows], np.float32)
    for i, r in enumerate(rows):
        if r["status"] == "ok" and r[cols[0]] != "":
            X[i] = [float(r[c]) for c in cols]
            has3d[i] = True
        if r.get("logit2d_neutral", "") != "":
            l2d[i] = [float(r[f"logit2d_{c}"]) for c in CLASSES]
    if "canonicalLandmarks" in groups:
        has3d &= ~np.isnan(landmarks).any(1)
        X = np.concatenate([X, np.nan_to_num(landmarks)], 1)
        cols = cols + [f"canonicalLandmarks_{i}" for i in range(landmarks.shape[1])]
    return X, has3d, l2d, y, dist, cols


class LandmarkPCA(nn.Module):
    """Projects the trailing 1434 canonical-landmark values onto K principal components
    (fitted on Train), so the app can send raw landmarks and the head stays small."""

    def __init__(self, n_other, mean, components):
        super().__init__()
        self.n_other = n_other
        self.register_buffer("lm_mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("components", torch.tensor(components, dtype=torch.float32))

    def forward(self, x):
        other, lm = x[:, :self.n_other], x[:, self.n_other:]
        return torch.cat([other, (lm - self.lm_mean) @ self.components.t()], 1)


class Head3D(nn.Module):
    """MLP from the 3D parameter vector to 8 logits; PCA and standardisation are part of the graph."""

    def __init__(self, dim, width, depth, dropout, mean, std, pca=None):
        super().__init__()
        self.pca = pca if pca is not None else nn.Identity()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        layers, d = [], dim
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.BatchNorm1d(width), nn.LeakyReLU(0.1), nn.Dropout(dropout)]
            d = width
        layers.append(nn.Linear(d, 8))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net((self.pca(x) - self.mean) / self.std)


def fit_pca(Xtr, n_other, k):
    """PCA of the canonical landmarks (the columns after the first n_other) on Train faces."""
    if k <= 0 or Xtr.shape[1] <= n_other:
        return None
    lm = Xtr[:, n_other:].astype(np.float64)
    mu = lm.mean(0)
    _, _, vt = np.linalg.svd(lm - mu, full_matrices=False)
    return LandmarkPCA(n_other, mu.astype(np.float32), vt[:k].astype(np.float32))


def train_head(Xtr, Dtr, Xva, yva, width, depth, dropout, epochs, lr, wd, seed, pca=None):
    torch.manual_seed(seed)
    np.random.seed(seed)
    if pca is not None:
        with torch.no_grad():
            Ztr = pca(torch.from_numpy(Xtr)).numpy()
    else:
        Ztr = Xtr
    mean, std = Ztr.mean(0), Ztr.std(0) + 1e-6
    model = Head3D(Ztr.shape[1], width, depth, dropout, mean, std, pca)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * ((len(Xtr) + 255) // 256))
    Xt, Dt = torch.from_numpy(Xtr), torch.from_numpy(Dtr)
    best = (-1, None, 0)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(Xt))
        for i in range(0, len(perm), 256):
            idx = perm[i:i + 256]
            if len(idx) < 2:
                continue
            loss = -(Dt[idx] * F.log_softmax(model(Xt[idx]), 1)).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc = (predict(model, Xva).argmax(1) == yva).mean()
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in model.state_dict().items()}, ep + 1)
    model.load_state_dict(best[1])
    return model, best[0], best[2]


def predict(model, X):
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


def fuse(mode, l2d, l3d, w, has3d):
    """Late fusion on logits (Ig3D); rows without 3D features fall back to 2D alone."""
    if mode == "2d":
        out = l2d.copy()
    elif mode == "3d":
        out = l3d.copy()
    elif mode == "weighted":
        out = w * l2d + (1 - w) * l3d
    elif mode == "mean":
        out = 0.5 * (l2d + l3d)
    else:
        out = np.maximum(l2d, l3d)
    if mode != "3d":
        out[~has3d] = l2d[~has3d]
    return out


def report(y, logits, valid_rows):
    """Majority-vote metrics over every protocol image; an image with no prediction counts as wrong."""
    pred = np.where(np.isnan(logits).any(1), -1, np.nan_to_num(logits).argmax(1))
    acc = float((pred == y).mean())
    present = list(range(8))
    return {
        "n": int(len(y)),
        "accuracy": acc,
        "macroF1": float(f1_score(y, pred, labels=present, average="macro", zero_division=0)),
        "perClassRecall": dict(zip(CLASSES, map(float, recall_score(y, pred, labels=present, average=None, zero_division=0)))),
    }


def update_manifest(path, onnx_path, features, weight2d):
    """Put the head and the Valid-chosen fusion weight into the pack manifest (the app reads both)."""
    import hashlib
    with open(path) as f:
        manifest = json.load(f)
    with open(onnx_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    entry = {
        "id": "head3d",
        "role": "head3d",
        "file": os.path.basename(onnx_path),
        "sha256": digest,
        "card": "head3d.md",
        "licence": "ours; trained on features the app extracts from FER+ (FER2013 images: research use)",
        "input": {"name": "features", "features": features},
        "outputs": {"logits": {"name": "logits", "classOrder": CLASSES}},
    }
    manifest["models"] = [m for m in manifest["models"] if m.get("role") != "head3d"] + [entry]
    manifest["fusion"] = {"mode": "weighted", "weight2d": weight2d, "vaWeight2d": manifest.get("fusion", {}).get("vaWeight2d", 0.6)}
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--valid", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--out", default="public/models")
    ap.add_argument("--groups", default="blendshapes,headPose",
                    help="feature groups in input order; canonicalLandmarks reads the .f32 beside each CSV")
    ap.add_argument("--landmarks-pca", type=int, default=32, help="PCA components of the canonical landmarks (inside the ONNX head)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--manifest", help="pack manifest to update with the head and the chosen fusion weight")
    ap.add_argument("--fixture-dir", default="tests/fixtures", help="where the ONNX parity fixture goes")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--tolerance", type=float, default=0.005,
                    help="choose the smallest head whose Valid accuracy is within this of the best (fraction)")
    ap.add_argument("--paper-head", action="store_true",
                    help="also try the paper's 4×2048 MLP (about 10× slower to train on 2 CPU cores)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    t0 = time.time()

    groups = args.groups.split(",")
    tr, va, te = (read_features(p) for p in (args.train, args.valid, args.test))
    Xtr, htr, _, ytr, Dtr, cols = to_arrays(tr, groups)
    Xva, hva, l2va, yva, _, _ = to_arrays(va, groups)
    Xte, hte, l2te, yte, _, _ = to_arrays(te, groups)
    Xtr_f, Dtr_f = Xtr[htr], Dtr[htr]
    n_other = sum(FEATURE_GROUP_SIZES[g] for g in groups if g != "canonicalLandmarks")
    pca = fit_pca(Xtr_f, n_other, args.landmarks_pca) if "canonicalLandmarks" in groups else None
    print(f"features: {len(cols)} ({args.groups}); train {htr.sum()}/{len(htr)} with a face, valid {hva.sum()}/{len(hva)}, test {hte.sum()}/{len(hte)}")

    # Architecture search on Valid (faces only for the head's own accuracy).
    configs = [
        dict(width=256, depth=2, dropout=0.2, lr=3e-3, wd=1e-4),
        dict(width=512, depth=3, dropout=0.3, lr=2e-3, wd=1e-4),
        dict(width=1024, depth=3, dropout=0.4, lr=1e-3, wd=5e-4),
    ]
    if args.paper_head:
        configs.append(dict(width=2048, depth=4, dropout=0.5, lr=1e-3, wd=5e-4))  # the paper's 4×[2048, BN, LeakyReLU]
    results = []
    for cfg in configs:
        model, acc, ep = train_head(Xtr_f, Dtr_f, Xva[hva], yva[hva], epochs=args.epochs, seed=args.seed, pca=pca, **cfg)
        print(f"  {cfg} → valid acc (faces) {acc:.4f} at epoch {ep}")
        results.append((acc, cfg, ep, model))
    # Parsimony: the smallest head within --tolerance of the best Valid accuracy. Differences of a
    # few tenths are noise at this Valid size (3,463 faces: one face is 0.03 points), while the
    # file the browser downloads grows with width² (1024×3 is 8.7 MB, 256×2 0.3 MB).
    best_acc = max(r[0] for r in results)
    acc, cfg, best_ep, model = min((r for r in results if r[0] >= best_acc - args.tolerance),
                                   key=lambda r: sum(p.numel() for p in r[3].parameters()))
    print(f"chosen: {cfg}, epoch {best_ep} (best Valid {best_acc:.4f}, tolerance {args.tolerance})")

    def logits3d(X, has):
        l = np.full((len(X), 8), np.nan, np.float32)
        l[has] = predict(model, X[has])
        return l

    l3va, l3te = logits3d(Xva, hva), logits3d(Xte, hte)
    # Raw logits, exactly as the app fuses them (src/core/fusion/lateFusion.ts). For weighted and mean
    # fusion this equals fusing log-probabilities: the per-row log-sum-exp shifts cancel in softmax.
    L2va, L3va, L2te, L3te = (np.nan_to_num(x) for x in (l2va, l3va, l2te, l3te))
    ws = np.round(np.arange(0, 1.0001, 0.05), 2)
    val_acc = {float(w): report(yva, fuse("weighted", L2va, L3va, w, hva), None)["accuracy"] for w in ws}
    w_best = max(val_acc, key=lambda w: (val_acc[w], w))
    variants = {m: report(yva, fuse(m, L2va, L3va, w_best, hva), None)["accuracy"] for m in ("2d", "weighted", "mean", "max")}
    print(f"valid accuracy by w: {json.dumps(val_acc)}")
    print(f"chosen w = {w_best}; valid: {variants}")

    test = {
        "2d": report(yte, np.where(np.isnan(l2te), np.nan, L2te), None),
        "3d": report(yte, np.where(np.isnan(l3te), np.nan, L3te), None),
        "weighted": report(yte, fuse("weighted", L2te, L3te, w_best, hte), None),
        "mean": report(yte, fuse("mean", L2te, L3te, w_best, hte), None),
        "max": report(yte, fuse("max", L2te, L3te, w_best, hte), None),
    }
    for k, v in test.items():
        print(f"TEST {k:8s} acc {v['accuracy']*100:.2f}  macro-F1 {v['macroF1']*100:.2f}")

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "head3d.onnx")
    model.eval()
    torch.onnx.export(model, torch.zeros(1, len(cols)), onnx_path, input_names=["features"], output_names=["logits"],
                      dynamic_axes={"features": {0: "n"}, "logits": {0: "n"}}, opset_version=17)
    # Reference logits on saved features for the browser parity test.
    ref_idx = np.where(hte)[0][:64]
    fixture = {"features": Xte[ref_idx].tolist(), "logits": predict(model, Xte[ref_idx]).tolist()}
    os.makedirs(args.fixture_dir, exist_ok=True)
    with open(os.path.join(args.fixture_dir, "head3d.parity.json"), "w") as f:
        json.dump(fixture, f)
    metrics = {
        "model": "head3d",
        "dataset": "FER+",
        "protocol": "majority vote; images whose majority is unknown/not-a-face dropped; images where the app found no face count for 3D-only as wrong and fall back to 2D in fusion",
        "units": "fractions 0..1",
        "classOrder": CLASSES,
        "features": [{"group": g, "size": FEATURE_GROUP_SIZES.get(g, sum(1 for c in cols if c.startswith(g + '_')))} for g in groups],
        "architecture": cfg,
        "selection": f"smallest head within {args.tolerance:g} of the best Valid accuracy ({best_acc:.4f})",
        "validHeadAccuracyByArchitecture": {f"{r[1]['width']}x{r[1]['depth']}": float(r[0]) for r in results},
        "landmarksPca": args.landmarks_pca if "canonicalLandmarks" in groups else None,
        "epochsChosen": best_ep,
        "validHeadAccuracyFaces": float(acc),
        "fusion": {"chosenOn": "FER+ Valid", "weight2d": w_best, "fuses": "raw logits (AffectNet order)", "validAccuracyByWeight": val_acc, "validByMode": variants},
        "test": test,
        "faceFound": {"train": float(htr.mean()), "valid": float(hva.mean()), "test": float(hte.mean())},
        "trainingSeconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(args.out, "head3d.metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    if args.manifest:
        update_manifest(args.manifest, onnx_path, metrics["features"], w_best)
    print(f"wrote {onnx_path} and head3d.metrics.json in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
