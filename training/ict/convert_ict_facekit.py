"""Convert the ICT-FaceKit light face model (USC ICT, MIT licence) into public/models/ict_head.bin.

    /usr/bin/python3 training/ict/convert_ict_facekit.py [--src ../shared/ict-facekit] \
        [--identity-components 40] [--expr-threshold-mm 0.05]

Reads FaceXModel/generic_neutral_mesh.obj (positions, faces, material groups),
vertex_indices.json (expression names, the 68 Multi-PIE landmark vertices) and one
FaceXModel/<name>.v.obj per shape (only `v` lines; a clone of the official repository's
FaceXModel/<name>.obj works the same: only its `v` lines are read).

Asset layout (little-endian):  b"ICTH" | u32 version | u32 headerBytes | header JSON (UTF-8, space
padded to a multiple of 4) | binary sections. Every section is named in the header with its byte
offset (from the start of the binary part), dtype and length, so the reader can check the file
before touching it (src/core/ict/ictAsset.ts).

Sections:
  neutral      float32 [V,3]  neutral positions, cm (unchanged: 0 error)
  triangles    uint16  [T,3]  quads split along the 0-2 diagonal (V = 26,719 < 65,536)
  exprIndex    uint16  [sum nnz]  per expression shape, the vertices it moves (> threshold)
  exprDelta    float16 [sum nnz,3] their deltas, cm
  identity     int8    [K,V,3] identity components quantised per component (scale in header)

Reconstruction errors of every lossy step are measured here against the float64 source and written
to public/models/ict_head.metrics.json (mm; 1 source unit = 1 cm).
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE_COMMIT = "da5f95a607f5e6b37755b38d3385d7f2853732e5"
MM_PER_UNIT = 10.0
# Transparent overlay meshes in the original shader setup; the app's opaque shading hides them.
HIDDEN_MATERIALS = {"M_LacrimalFluid", "M_EyeBlend", "M_EyeOcclusion"}


def read_v(path):
    with open(path) as f:
        return np.array([l[2:].split() for l in f if l.startswith("v ")], dtype=np.float64)


# Geometry ranges by polygon index, from the ICT-FaceKit README's topology table (first polygon of each).
REGIONS = [(0, "face"), (9230, "headNeck"), (11144, "mouthSocket"), (13226, "eyeSocketLeft"),
           (13630, "eyeSocketRight"), (14034, "gumsTongue"), (17006, "teeth"), (21496, "eyeballLeft"),
           (23094, "eyeballRight"), (24692, "lacrimalFluidLeft"), (24855, "lacrimalFluidRight"),
           (25018, "eyeBlendLeft"), (25033, "eyeBlendRight"), (25048, "eyeOcclusionLeft"),
           (25176, "eyeOcclusionRight"), (25304, "eyelashesLeft"), (25844, "eyelashesRight")]


def region_of(polygon):
    name = REGIONS[0][1]
    for start, n in REGIONS:
        if polygon >= start:
            name = n
    return name


def read_faces(path):
    """Triangles (quads split) and groups: runs of triangles with one geometry region and one material,
    as [region, material, firstTriangle, triangleCount]."""
    tris, groups, material, polygon = [], [], None, 0
    with open(path) as f:
        for line in f:
            if line.startswith("usemtl "):
                material = line.split()[1]
            elif line.startswith("f "):
                idx = [int(tok.split("/")[0]) - 1 for tok in line.split()[1:]]
                region = region_of(polygon)
                if not groups or groups[-1][0] != region or groups[-1][1] != material:
                    groups.append([region, material, len(tris), 0])
                for k in range(1, len(idx) - 1):  # fan: exact for triangles and planar-ish quads
                    tris.append((idx[0], idx[k], idx[k + 1]))
                    groups[-1][3] += 1
                polygon += 1
    return np.array(tris, dtype=np.int64), groups


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=os.path.join(REPO, "..", "shared", "ict-facekit"))
    ap.add_argument("--identity-components", type=int, default=40)
    ap.add_argument("--expr-threshold-mm", type=float, default=0.05,
                    help="a vertex is kept in an expression shape if any coordinate moves more than this")
    ap.add_argument("--out", default=os.path.join(REPO, "public", "models", "ict_head.bin"))
    args = ap.parse_args()
    fx = os.path.join(args.src, "FaceXModel")

    neutral = read_v(os.path.join(fx, "generic_neutral_mesh.obj"))
    V = len(neutral)
    assert V < 65536, "uint16 indices need fewer than 65,536 vertices"
    tris, groups = read_faces(os.path.join(fx, "generic_neutral_mesh.obj"))
    meta = json.load(open(os.path.join(fx, "vertex_indices.json")))
    expr_names = meta["expressions"]
    landmarks = [int(i) for i in meta["idx_to_landmark_verts"]]
    assert len(landmarks) == 68

    metrics = {"source": {"repository": "https://github.com/ICT-VGL/ICT-FaceKit", "commit": SOURCE_COMMIT},
               "vertices": V, "triangles": int(len(tris))}

    # Expression shapes: sparse, float16.
    thr = args.expr_threshold_mm / MM_PER_UNIT
    ex_index, ex_delta, ex_meta = [], [], []
    worst_drop, worst_f16, sum_sq, n_sq = 0.0, 0.0, 0.0, 0
    for name in expr_names:
        d = read_v(os.path.join(fx, f"{name}.v.obj")) - neutral
        keep = np.abs(d).max(1) > thr
        kept = np.where(keep)[0]
        q = d[kept].astype(np.float16)
        recon = np.zeros_like(d)
        recon[kept] = q.astype(np.float64)
        err = np.linalg.norm(recon - d, axis=1) * MM_PER_UNIT
        worst_drop = max(worst_drop, float(np.linalg.norm(d[~keep], axis=1).max(initial=0) * MM_PER_UNIT))
        worst_f16 = max(worst_f16, float(np.linalg.norm(q.astype(np.float64) - d[kept], axis=1).max(initial=0) * MM_PER_UNIT))
        sum_sq += float((err ** 2).sum()); n_sq += V
        ex_meta.append({"name": name, "offset": int(sum(len(i) for i in ex_index)), "count": int(len(kept))})
        ex_index.append(kept.astype(np.uint16)); ex_delta.append(q)
    ex_index = np.concatenate(ex_index); ex_delta = np.concatenate(ex_delta)
    metrics["expressions"] = {
        "shapes": len(expr_names), "thresholdMm": args.expr_threshold_mm, "storedVertexDeltas": int(len(ex_index)),
        "maxErrorMm": max(worst_drop, worst_f16), "maxDroppedMm": worst_drop, "maxFloat16ErrorMm": worst_f16,
        "rmsErrorMm": (sum_sq / n_sq) ** 0.5,
        "note": "per vertex, shape at weight 1, against the float64 source",
    }

    # Identity: PCA components (coefficients ~ unit variance), int8 with a per-component scale.
    all_ids = np.stack([read_v(os.path.join(fx, f"identity{i:03d}.v.obj")) - neutral for i in range(100)])
    K = args.identity_components
    ids = all_ids[:K]
    scales = np.abs(ids).max(axis=(1, 2)) / 127.0
    q8 = np.round(ids / scales[:, None, None]).astype(np.int8)
    q_err = np.linalg.norm(q8.astype(np.float64) * scales[:, None, None] - ids, axis=2) * MM_PER_UNIT
    # Truncation: expected per-vertex RMS of the dropped components for unit-variance coefficients.
    comp_ms = (all_ids ** 2).sum(axis=2).mean(axis=1) * MM_PER_UNIT ** 2
    metrics["identity"] = {
        "componentsInSource": 100, "componentsKept": K, "quantisation": "int8, per-component scale",
        "maxQuantisationErrorMmPerUnitCoefficient": float(q_err.max()),
        "rmsQuantisationErrorMmPerUnitCoefficient": float(np.sqrt((q_err ** 2).mean())),
        "truncationRmsMm": float(np.sqrt(comp_ms[K:].sum())),
        "truncationRmsMmBy": {str(k): float(np.sqrt(comp_ms[k:].sum())) for k in (10, 20, 30, 40, 60, 80)},
        "totalIdentityRmsMm": float(np.sqrt(comp_ms.sum())),
        "note": "truncation = RMS over vertices of the dropped components' displacement for coefficients drawn from N(0,1)",
    }

    sections = []
    blobs = []
    offset = 0

    def add(name, arr, dtype):
        nonlocal offset
        b = np.ascontiguousarray(arr, dtype=dtype).tobytes()
        b += b"\0" * (-len(b) % 4)
        sections.append({"name": name, "dtype": np.dtype(dtype).name, "offset": offset, "length": int(np.asarray(arr).size)})
        blobs.append(b)
        offset += len(b)

    add("neutral", neutral, np.float32)
    add("triangles", tris, np.uint16)
    add("exprIndex", ex_index, np.uint16)
    add("exprDelta", ex_delta, np.float16)
    add("identity", q8, np.int8)

    header = {
        "format": "ict-head", "version": 1, "units": "cm", "axes": "y up, +z out of the face, +x to the face's left",
        "source": metrics["source"], "licence": "MIT (c) 2020 USC Institute for Creative Technologies",
        "vertexCount": V, "triangleCount": int(len(tris)),
        "groups": [{"region": g[0], "material": g[1], "start": g[2], "count": g[3], "hidden": g[1] in HIDDEN_MATERIALS}
                   for g in groups],
        "landmarks68": landmarks,
        "expressions": ex_meta,
        "identity": {"count": K, "scales": [float(s) for s in scales]},
        "sections": sections,
    }
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * (-len(hj) % 4)
    data = b"ICTH" + struct.pack("<II", 1, len(hj)) + hj + b"".join(blobs)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    metrics["asset"] = {"file": os.path.relpath(args.out, REPO), "bytes": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()}
    metrics["rebuild"] = ("/usr/bin/python3 training/ict/convert_ict_facekit.py "
                          f"--identity-components {K} --expr-threshold-mm {args.expr_threshold_mm}")
    with open(os.path.splitext(args.out)[0] + ".metrics.json", "w") as f:
        json.dump(metrics, f, indent=2)
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
