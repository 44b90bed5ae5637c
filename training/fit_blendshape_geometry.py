"""Fit a linear blendshape geometry for MediaPipe's 52 blendshape scores (teaching mode's open face).

MediaPipe gives blendshape *scores* but no blendshape *geometry*. We learn one from the app's own
feature extraction (`npm run extract`) over FER+: per image, the 478 landmarks in MediaPipe's
canonical face frame (cm, head pose and image scale removed) and the 52 scores.

  landmarks(s) ≈ mean + Σ_i s_i · B_i                (ridge least squares; intercept not penalised)
  + identity:     Σ_j z_j · σ_j · U_j                (PCA of the Train residuals; z in std units)

λ is chosen on Valid (mean landmark error); Test is evaluated once with the chosen λ. If the Valid
features are not available, pass --valid-from-train to hold out 15 % of Train instead (recorded in
the metrics).

Outputs (into --out, default public/models):
  blendshape_geometry.bin           "IG3DBSG1" + u32 header length + JSON header + float32 data
  blendshape_geometry.metrics.json  λ search, Test reconstruction errors (mm)
  blendshape_geometry.md            model card (generated from the metrics)
and a small fixture for the unit test (tests/teach/fixtures/blendshape_geometry.fixture.json).

  /usr/bin/python3 training/fit_blendshape_geometry.py --features .cache/features
"""
import argparse
import csv
import hashlib
import json
import os
import struct
import time

import numpy as np

from shared_names import BLENDSHAPE_NAMES  # noqa: E402  (MediaPipe's 52, from src/core/blendshapeModel/blendshapeNames.json)
assert len(BLENDSHAPE_NAMES) == 52
V = 478
MAGIC = b"IG3DBSG1"
# Landmarks the unit-test fixture samples (nose tip, lips, chin, forehead, mouth corners, an iris).
FIXTURE_VERTICES = [1, 13, 14, 61, 152, 10, 291, 468]
FIXTURE_BASIS = "jawOpen"


def load_split(features_dir, split):
    """Rows with a face: scores [N,52] float64, canonical landmarks [N,478*3] float64, labels, paths."""
    csv_path = os.path.join(features_dir, f"{split}.csv")
    f32_path = os.path.join(features_dir, f"{split}.f32")
    if not (os.path.exists(csv_path) and os.path.exists(f32_path)):
        return None
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    lm = np.fromfile(f32_path, dtype=np.float32)
    n_lm = lm.size // (V * 3)
    lm = lm[: n_lm * V * 3].reshape(n_lm, V * 3)
    n = min(len(rows), n_lm)  # an extraction still running may have written a few more CSV rows
    keep, X, label = [], [], []
    cols = [f"blendshapes_{i}" for i in range(52)]
    for i in range(n):
        r = rows[i]
        if r["status"] != "ok" or r[cols[0]] == "" or not np.isfinite(lm[i]).all():
            continue
        keep.append(i)
        X.append([float(r[c]) for c in cols])
        label.append(r.get("label", ""))
    keep = np.array(keep, int)
    return {
        "X": np.array(X, np.float64),
        "Y": lm[keep].astype(np.float64),
        "label": label,
        "rows_total": len(rows),
        "rows_used": len(keep),
    }


def fit_ridge(X, Y, lam):
    xm = X.mean(0)
    ym = Y.mean(0)
    Xc = X - xm
    G = Xc.T @ Xc
    C = Xc.T @ (Y - ym)
    B = np.linalg.solve(G + lam * np.eye(G.shape[0]), C)
    mean = ym - xm @ B
    return mean, B


def landmark_error_mm(Y, P):
    """Mean (over faces and landmarks) Euclidean distance, and RMSE, in millimetres (cm × 10)."""
    d = np.linalg.norm((Y - P).reshape(len(Y), V, 3), axis=2) * 10.0
    return float(d.mean()), float(np.sqrt((d**2).mean())), d


def identity_pca(R, k):
    Rm = R.mean(0)
    # Eigen-decomposition of the 1434×1434 covariance (N ≫ D).
    Rc = R - Rm
    cov = Rc.T @ Rc / max(1, len(R) - 1)
    w, U = np.linalg.eigh(cov)
    order = np.argsort(w)[::-1][:k]
    w = np.clip(w[order], 0, None)
    U = U[:, order].T  # [k, D], orthonormal rows
    # Sign convention: the largest-magnitude entry of each component is positive (stable output).
    for j in range(k):
        if U[j, np.argmax(np.abs(U[j]))] < 0:
            U[j] = -U[j]
    total_var = float(np.trace(cov))
    return Rm, U, np.sqrt(w), total_var


def write_bin(path, header, arrays):
    data = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays)
    offset = 0
    layout = []
    for name, a in zip(header["layoutNames"], arrays):
        layout.append({"name": name, "offset": offset, "count": int(a.size)})
        offset += a.size
    header = {k: v for k, v in header.items() if k != "layoutNames"}
    header["layout"] = layout
    header["floatCount"] = int(offset)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    pad = (-(len(MAGIC) + 4 + len(hb))) % 4
    hb += b" " * pad
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(hb)))
        f.write(hb)
        f.write(data)
    return os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", default=".cache/features")
    ap.add_argument("--out", default="public/models")
    ap.add_argument("--fixture", default="tests/teach/fixtures/blendshape_geometry.fixture.json")
    ap.add_argument("--identity", type=int, default=10, help="identity PCA components shipped")
    ap.add_argument("--train", default="train")
    ap.add_argument("--valid", default="valid")
    ap.add_argument("--test", default="test")
    ap.add_argument("--valid-from-train", action="store_true", help="hold out 15%% of Train for λ if Valid is missing")
    args = ap.parse_args()
    t0 = time.time()

    train = load_split(args.features, args.train)
    if train is None:
        raise SystemExit(f"no {args.train}.csv/.f32 in {args.features}")
    valid = load_split(args.features, args.valid)
    test = load_split(args.features, args.test)
    valid_source = f"FER+ Valid ({args.valid}.csv)"
    if valid is None:
        if not args.valid_from_train:
            raise SystemExit(f"no {args.valid}.csv/.f32; pass --valid-from-train to hold out part of Train")
        rng = np.random.default_rng(0)
        idx = rng.permutation(len(train["X"]))
        cut = int(0.85 * len(idx))
        tr, va = idx[:cut], idx[cut:]
        valid = {"X": train["X"][va], "Y": train["Y"][va], "rows_used": len(va), "rows_total": len(va), "label": []}
        train = {**train, "X": train["X"][tr], "Y": train["Y"][tr], "rows_used": len(tr)}
        valid_source = "15 % of the Train rows held out (seed 0): Valid features were not available"
    print(f"train {train['rows_used']}/{train['rows_total']} faces, valid {valid['rows_used']} ({valid_source})"
          f", test {test['rows_used'] if test else 'missing'}")

    # λ search on Valid, on a grid relative to N. Several blendshapes barely ever fire on FER+ (max
    # score ~1e-4: _neutral, cheekSquint*, noseSneer*): without enough shrinkage their bases blow up
    # to metres at score 1, which still fits the data (scores stay tiny) but makes useless sliders.
    # Rule: the *largest* λ whose Valid error is within TOL of the best (the usual one-standard-error
    # style choice: as smooth as the data allow). λ = 0 is reported for reference only.
    TOL = 0.005
    N = len(train["X"])
    alphas = list(10.0 ** np.arange(-7, 0.5, 0.5))
    search = []
    mean0, B0 = fit_ridge(train["X"], train["Y"], 0.0)
    err0, rmse0, _ = landmark_error_mm(valid["Y"], mean0 + valid["X"] @ B0)
    unreg = {"valid_mean_mm": err0, "valid_rmse_mm": rmse0,
             "max_basis_displacement_mm": float(np.linalg.norm(B0.reshape(52, V, 3), axis=2).max() * 10)}
    print(f"  λ = 0 (reference): valid {err0:.4f} mm, largest basis displacement {unreg['max_basis_displacement_mm']:.0f} mm")
    for a in alphas:
        lam = a * N
        mean, B = fit_ridge(train["X"], train["Y"], lam)
        err, rmse, _ = landmark_error_mm(valid["Y"], mean + valid["X"] @ B)
        maxd = float(np.linalg.norm(B.reshape(52, V, 3), axis=2).max() * 10)
        search.append({"alpha": a, "lambda": lam, "valid_mean_mm": err, "valid_rmse_mm": rmse, "max_basis_displacement_mm": maxd})
        print(f"  λ = {lam:10.4g} (α {a:.1e}): valid {err:.4f} mm (rmse {rmse:.4f}), largest basis displacement {maxd:.0f} mm")
    best_err = min(x["valid_mean_mm"] for x in search)
    best = max((x for x in search if x["valid_mean_mm"] <= best_err * (1 + TOL)), key=lambda x: x["lambda"])
    lam = best["lambda"]
    print(f"  chosen λ = {lam:.4g}: valid {best['valid_mean_mm']:.4f} mm (best {best_err:.4f} mm, tolerance {TOL:.1%})")
    # Final fit on Train only (Valid stays a clean selection set; Test is never used for fitting).
    mean, B = fit_ridge(train["X"], train["Y"], lam)
    R = train["Y"] - (mean + train["X"] @ B)
    Rm, U, sig, total_var = identity_pca(R, max(args.identity, 40))
    explained = np.cumsum(sig**2) / total_var
    # The intercept absorbs the residual mean (≈0 by construction of least squares with an intercept).
    mean = mean + Rm
    U_ship, sig_ship = U[: args.identity], sig[: args.identity]

    metrics = {
        "fitted_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "units": "millimetres (canonical frame is cm; errors ×10)",
        "error_definition": "mean over faces and all 478 landmarks of the Euclidean distance between the "
                            "extracted canonical-frame landmark and the model's reconstruction",
        "train_faces": train["rows_used"],
        "train_rows": train["rows_total"],
        "valid_faces": valid["rows_used"],
        "valid_source": valid_source,
        "lambda": lam,
        "lambda_alpha": best["alpha"],
        "lambda_search": search,
        "lambda_rule": "largest λ with Valid mean error within 0.5 % of the best λ > 0",
        "lambda_zero_reference": unreg,
        "basis_max_displacement_mm": {n: float(x) for n, x in zip(BLENDSHAPE_NAMES, np.linalg.norm(B.reshape(52, V, 3), axis=2).max(1) * 10)},
        "identity_components": args.identity,
        "identity_std_cm": [float(s) for s in sig_ship],
        "identity_explained_residual_variance": [float(x) for x in explained[: args.identity]],
    }

    def evaluate(split, name):
        Y, X = split["Y"], split["X"]
        out = {"faces": split["rows_used"], "rows": split["rows_total"]}
        m0, r0, _ = landmark_error_mm(Y, np.broadcast_to(train["Y"].mean(0), Y.shape))
        out["mean_face_only_mm"] = {"mean": m0, "rmse": r0}
        P = mean + X @ B
        m1, r1, d = landmark_error_mm(Y, P)
        out["blendshapes_mm"] = {"mean": m1, "rmse": r1, "median_face": float(np.median(d.mean(1))),
                                 "p95_landmark": float(np.percentile(d, 95))}
        for k in sorted({5, args.identity, 20, 40}):
            Uk = U[:k]
            Pk = P + ((Y - P) @ Uk.T) @ Uk  # identity coefficients fitted to each face (least squares)
            mk, rk, _ = landmark_error_mm(Y, Pk)
            out[f"blendshapes_plus_identity{k}_mm"] = {"mean": mk, "rmse": rk}
        # Where the error is: lips/mouth vs eyes vs the rest (MediaPipe mesh indices).
        mouth = [0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181, 185, 191, 267,
                 269, 270, 291, 308, 310, 311, 312, 314, 317, 318, 321, 324, 375, 402, 405, 409, 415]
        eyes = [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 263, 249, 390, 373,
                374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398]
        out["blendshapes_mm_by_region"] = {"lips": float(d[:, mouth].mean()), "eyelids": float(d[:, eyes].mean()),
                                           "iris": float(d[:, 468:].mean()), "all": m1}
        print(f"  {name}: mean-face {m0:.3f} mm → blendshapes {m1:.3f} mm → +{args.identity} identity "
              f"{out[f'blendshapes_plus_identity{args.identity}_mm']['mean']:.3f} mm")
        return out

    metrics["valid"] = evaluate(valid, "valid")
    if test is not None:
        metrics["test"] = evaluate(test, "test")
    else:
        metrics["test"] = None
        print("  test: features missing — no Test numbers yet")

    os.makedirs(args.out, exist_ok=True)
    header = {
        "format": "ig3d-blendshape-geometry",
        "version": 1,
        "vertexCount": V,
        "units": "cm",
        "frame": "MediaPipe canonical face frame (x right, y up, z toward the viewer; pose and scale removed)",
        "blendshapes": BLENDSHAPE_NAMES,
        "identity": {"count": int(args.identity), "std": [round(float(s), 6) for s in sig_ship],
                     "note": "component j is stored multiplied by its std: a coefficient is in std units"},
        "lambda": lam,
        "fittedOn": f"FER+ Train, first {train['rows_total']} images, {train['rows_used']} faces",
        "card": "blendshape_geometry.md",
        "layoutNames": ["mean", "blendshapes", "identity"],
    }
    arrays = [mean.astype(np.float32), B.astype(np.float32), (U_ship * sig_ship[:, None]).astype(np.float32)]
    bin_path = os.path.join(args.out, "blendshape_geometry.bin")
    size = write_bin(bin_path, header, arrays)
    metrics["asset_bytes"] = size
    metrics["asset_sha256"] = hashlib.sha256(open(bin_path, "rb").read()).hexdigest()
    with open(os.path.join(args.out, "blendshape_geometry.metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    write_card(os.path.join(args.out, "blendshape_geometry.md"), metrics)

    # Unit-test fixture: the fitted mean and one basis vector at a few landmarks, as float32 values.
    j = BLENDSHAPE_NAMES.index(FIXTURE_BASIS)
    m32, b32 = arrays[0].reshape(V, 3), arrays[1].reshape(52, V, 3)
    fixture = {
        "sha256": metrics["asset_sha256"],
        "vertices": FIXTURE_VERTICES,
        "mean": [[float(x) for x in m32[v]] for v in FIXTURE_VERTICES],
        "basis": FIXTURE_BASIS,
        "basisIndex": j,
        "basisValues": [[float(x) for x in b32[j, v]] for v in FIXTURE_VERTICES],
        "identity0Std": float(sig_ship[0]) if len(sig_ship) else None,
    }
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    with open(args.fixture, "w") as f:
        json.dump(fixture, f, indent=2)
    print(f"wrote {bin_path} ({size / 1024:.0f} KiB), metrics, card, fixture in {time.time() - t0:.1f} s")


def write_card(path, m):
    t = m["test"]
    v = m["valid"]

    def row(name, d):
        k = f"blendshapes_plus_identity{m['identity_components']}_mm"
        return (f"| {name} | {d['faces']} | {d['mean_face_only_mm']['mean']:.2f} | {d['blendshapes_mm']['mean']:.2f} "
                f"({d['blendshapes_mm']['rmse']:.2f}) | {d[k]['mean']:.2f} | {d['blendshapes_mm_by_region']['lips']:.2f} "
                f"| {d['blendshapes_mm_by_region']['eyelids']:.2f} |")

    lines = [
        "# blendshape_geometry — a learned linear face for MediaPipe's 52 blendshapes",
        "",
        "**What it is.** MediaPipe's Face Landmarker outputs 52 blendshape *scores* (0–1) but no blendshape",
        "*geometry*. This small asset is a linear model learned from data that turns scores into a 478-landmark",
        "face in MediaPipe's canonical face frame (cm; head pose and image scale removed):",
        "",
        "    landmarks(s, z) = mean + Σᵢ sᵢ·Bᵢ + Σⱼ zⱼ·σⱼ·Uⱼ",
        "",
        "with `mean` the face at all-zero scores, `Bᵢ` the displacement of blendshape *i* at score 1, and `Uⱼ`",
        f"{m['identity_components']} identity directions (PCA of the residuals, `zⱼ` in standard deviations).",
        "Teaching mode renders it with MediaPipe's canonical mesh triangles (first 468 landmarks).",
        "",
        "**Data.** The app's own browser pipeline (`npm run extract`) over FER+ (research-only images; not",
        f"redistributed): {m['train_faces']} Train faces with a detection out of",
        f"{m['train_rows']} rows; λ chosen on {m['valid_source']} ({m['valid_faces']} faces); Test used once for the",
        "numbers below. FER+ images are 48×48 grey-scale: landmarks on them are noisy, and so is this model.",
        "",
        "**Fit.** Ridge least squares on the raw scores with an unpenalised intercept, λ = "
        f"{m['lambda']:.4g} (α = {m['lambda_alpha']:.1e} × N): the largest λ whose Valid mean landmark error is within",
        "0.5 % of the best on the grid (`blendshape_geometry.metrics.json`). Why not the minimum: blendshapes that",
        "almost never fire on FER+ (_neutral, cheekSquint*, noseSneer*: max score ≈ 1e-4) get bases of metres at",
        f"score 1 without shrinkage (λ = 0: Valid {m['lambda_zero_reference']['valid_mean_mm']:.3f} mm, largest basis displacement",
        f"{m['lambda_zero_reference']['max_basis_displacement_mm']:.0f} mm); the chosen λ keeps every basis plausible (largest",
        f"{max(m['basis_max_displacement_mm'].values()):.0f} mm, jawOpen {m['basis_max_displacement_mm']['jawOpen']:.0f} mm) — their sliders then do (almost) nothing, honestly.",
        "Identity: eigenvectors of the Train residual covariance.",
        f"Script: `training/fit_blendshape_geometry.py`. Fitted {m['fitted_utc']}.",
        "",
        "**Reconstruction error** (mean Euclidean distance per landmark, millimetres; RMSE in brackets). 'mean",
        "face' ignores the scores; 'blendshapes' is the model driven by the face's own scores; '+ identity' also",
        "fits the identity coefficients to the face (least squares).",
        "",
        f"| split | faces | mean face | blendshapes | + {m['identity_components']} identity | lips | eyelids |",
        "|---|---|---|---|---|---|---|",
        row("Valid", v),
    ]
    if t:
        lines.append(row("Test", t))
    else:
        lines.append("| Test | — | not yet measured (Test features missing when this was fitted) | | | | |")
    lines += [
        "",
        "**Limits.** Linear: combinations of blendshapes add up, they do not interact (a real jaw rotates). Fitted to",
        "what MediaPipe *predicts* on low-resolution FER+ faces, not to 3D scans: it shows how the scores move",
        "the landmarks on average, not true anatomy. Blendshapes that almost never fire on FER+ (e.g. cheekPuff,",
        "eye-look directions) get small, noisy bases. Identity is a small PCA, not a morphable head model.",
        "",
        "**Format.** `blendshape_geometry.bin`: 8-byte magic `IG3DBSG1`, u32 little-endian header length, UTF-8",
        "JSON header (names, units, layout), then little-endian float32 arrays: mean [478×3], blendshapes",
        f"[52×478×3], identity [{m['identity_components']}×478×3] (each multiplied by its std). Read by",
        "`src/core/blendshapeModel/blendshapeGeometry.ts`.",
        "",
        "**Licence.** Ours (fitted parameters). Derived from MediaPipe outputs on FER+ images; no image is included.",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
