"""Numpy reference of the FLAME forward pass, a synthetic FLAME-shaped asset, and the parity fixture.

The forward pass follows the FLAME layer semantics used by FLAME_PyTorch, DECA/EMOCA and SMIRK
(`lbs()`):

  1. v_shaped = v_template + sum_l beta_l * dirs_l        (betas = [shape, expression])
  2. J        = J_regressor @ v_shaped                    (5 joints, regressed after the blendshapes)
  3. R_j      = rodrigues(pose_j), pose = [global, neck, jaw, left eye, right eye] (axis-angle)
               with FLAME's rodrigues: angle = |r + 1e-8|, axis = r / angle
  4. v_posed  = v_shaped + posedirs . flatten(R_1..R_4 - I)   (pose correctives, 36 features)
  5. rigid chain: G_0 = [R_0 | J_0], G_j = G_parent(j) [R_j | J_j - J_parent(j)];
     A_j = G_j with translation t_j - R(G_j) J_j          (rest-pose joint removed)
  6. v = (sum_j w_vj A_j) [v_posed; 1]                    (linear blend skinning)
  7. SMIRK eyelids: v += l_eyelid * eyelid[0] + r_eyelid * eyelid[1], added AFTER skinning as in
     SMIRK's FLAME.forward ("post"); "pre" adds them to the template before step 1 (some trackers
     do this) and is kept for comparison.

Everything is computed in float64 from the float32 values stored in flame.bin, so it is the exact
answer the TypeScript decoder (src/core/flame/flameDecoder.ts) is checked against.

Usage:
    python3 training/export/flame_numpy.py --fixture .cache/flame-fixture            # full FLAME 2020 shapes
    python3 training/export/flame_numpy.py --fixture tests/flame/fixtures/reduced --reduced
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from typing import Dict, Optional

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flame_bin import read_flame_bin, write_flame_bin  # noqa: E402

FIXTURE_VERSION = "flame-fixture-v1"
# FLAME 2020 counts
FLAME_V, FLAME_F, FLAME_S, FLAME_E = 5023, 9976, 300, 100


# ----------------------------------------------------------------------------------------------
# forward pass
# ----------------------------------------------------------------------------------------------
def rodrigues(r: np.ndarray) -> np.ndarray:
    r = np.asarray(r, dtype=np.float64)
    angle = np.linalg.norm(r + 1e-8)
    d = r / angle
    K = np.array([[0.0, -d[2], d[1]], [d[2], 0.0, -d[0]], [-d[1], d[0], 0.0]])
    return np.eye(3) + np.sin(angle) * K + (1.0 - np.cos(angle)) * (K @ K)


def flame_forward(arrays: Dict[str, np.ndarray], shape=(), exp=(), global_pose=(0, 0, 0), neck=(0, 0, 0),
                  jaw=(0, 0, 0), eyes=(0, 0, 0, 0, 0, 0), eyelid: Optional[tuple] = None,
                  eyelid_mode: str = "post"):
    """Returns (vertices [V,3], posed joints [5,3]) in float64."""
    f64 = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    shape, exp = f64(shape), f64(exp)
    vt = f64(arrays["v_template"]).copy()
    if eyelid is not None and eyelid_mode == "pre":
        vt += f64(arrays["eyelid_basis"][0]) * eyelid[0] + f64(arrays["eyelid_basis"][1]) * eyelid[1]
    v_shaped = vt
    if shape.size:
        v_shaped = v_shaped + np.einsum("l,lvc->vc", shape, f64(arrays["shape_basis"][: shape.size]))
    if exp.size:
        v_shaped = v_shaped + np.einsum("l,lvc->vc", exp, f64(arrays["expr_basis"][: exp.size]))
    J = f64(arrays["j_regressor"]) @ v_shaped
    pose = [f64(global_pose), f64(neck), f64(jaw), f64(eyes)[:3], f64(eyes)[3:]]
    R = [rodrigues(p) for p in pose]
    feat = np.concatenate([(R[j] - np.eye(3)).reshape(-1) for j in range(1, 5)])
    v_posed = v_shaped + np.einsum("p,pvc->vc", feat, f64(arrays["pose_basis"]))
    parents = np.asarray(arrays["parents"]).astype(int)
    G = []
    for j in range(5):
        T = np.eye(4)
        T[:3, :3] = R[j]
        T[:3, 3] = J[j] if j == 0 else J[j] - J[parents[j]]
        G.append(T if j == 0 else G[parents[j]] @ T)
    posed_joints = np.stack([g[:3, 3] for g in G])
    A = []
    for j in range(5):
        a = G[j].copy()
        a[:3, 3] = G[j][:3, 3] - G[j][:3, :3] @ J[j]
        A.append(a)
    A = np.stack(A)  # [5,4,4]
    T = np.einsum("vj,jab->vab", f64(arrays["lbs_weights"]), A)
    v = np.einsum("vab,vb->va", T[:, :3, :3], v_posed) + T[:, :3, 3]
    if eyelid is not None and eyelid_mode == "post":
        v = v + f64(arrays["eyelid_basis"][0]) * eyelid[0] + f64(arrays["eyelid_basis"][1]) * eyelid[1]
    return v, posed_joints


# ----------------------------------------------------------------------------------------------
# synthetic asset: FLAME-2020-shaped, head-like, deterministic
# ----------------------------------------------------------------------------------------------
def _head_and_eyes(cols: int, rows: int, eye_cols: int, eye_rings: int):
    """Open head surface (pole at the top, neck opening at the bottom) + two closed eyeballs.

    With cols = 60 the face count satisfies F = 2V - 62 - ... so that (cols=60, rows=66, 23x23
    eyeballs) gives exactly FLAME's 5023 vertices / 9976 faces.
    """
    verts, faces = [], []
    # head: ellipsoid-ish, face side towards +z, nose bump, tapering neck
    thetas = np.linspace(0.09 * np.pi, 0.86 * np.pi, rows)
    phis = 2 * np.pi * np.arange(cols) / cols
    a, b, d = 0.078, 0.105, 0.092
    verts.append([0.0, b, 0.0])  # top pole
    for th in thetas:
        neck = np.clip((th - 0.62 * np.pi) / (0.24 * np.pi), 0, 1)
        s = 1.0 - 0.38 * neck
        for ph in phis:
            x = a * np.sin(th) * np.sin(ph) * s
            z = d * np.sin(th) * np.cos(ph) * s
            y = b * np.cos(th) - 0.04 * neck
            if z > 0:  # flatter face, narrower chin
                z *= 0.92
                x *= 1.0 - 0.18 * np.clip(-y / b, 0, 1) * (z / d)
            nose = 0.022 * np.exp(-((x / 0.012) ** 2) - (((y + 0.005) / 0.022) ** 2)) * (z > 0)
            verts.append([x, y, z + nose])
    def hv(i, j):
        return 1 + i * cols + (j % cols)
    for j in range(cols):
        faces.append([0, hv(0, j), hv(0, j + 1)])
    for i in range(rows - 1):
        for j in range(cols):
            faces.append([hv(i, j), hv(i + 1, j), hv(i + 1, j + 1)])
            faces.append([hv(i, j), hv(i + 1, j + 1), hv(i, j + 1)])
    n_head = len(verts)
    # eyeballs (FLAME: left eye joint 3, right eye joint 4; subject's left is +x)
    eye_centres = []
    for side in (+1, -1):
        c = np.array([side * 0.031, 0.018, 0.067])  # front of the eyeball just breaks the face surface
        eye_centres.append(c)
        r = 0.0118
        base = len(verts)
        verts.append(list(c + [0, r, 0]))
        ets = np.linspace(np.pi / (eye_rings + 1), np.pi * eye_rings / (eye_rings + 1), eye_rings)
        for th in ets:
            for k in range(eye_cols):
                ph = 2 * np.pi * k / eye_cols
                verts.append(list(c + r * np.array([np.sin(th) * np.sin(ph), np.cos(th), np.sin(th) * np.cos(ph)])))
        verts.append(list(c + [0, -r, 0]))
        south = len(verts) - 1
        def ev(i, k):
            return base + 1 + i * eye_cols + (k % eye_cols)
        for k in range(eye_cols):
            faces.append([base, ev(0, k), ev(0, k + 1)])
        for i in range(eye_rings - 1):
            for k in range(eye_cols):
                faces.append([ev(i, k), ev(i + 1, k), ev(i + 1, k + 1)])
                faces.append([ev(i, k), ev(i + 1, k + 1), ev(i, k + 1)])
        for k in range(eye_cols):
            faces.append([south, ev(eye_rings - 1, k + 1), ev(eye_rings - 1, k)])
    V = np.array(verts, dtype=np.float64)
    F = np.array(faces, dtype=np.int64)
    # make the winding point outwards (check on the head: normals vs. direction from the centre)
    tri = V[F[:cols * 3]]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    if np.sum(n * (tri.mean(1) - [0, 0, 0])) < 0:
        F = F[:, [0, 2, 1]]
    return V, F, n_head, rows, cols, eye_centres


def _smooth_fields(rng, P: np.ndarray, n: int, amp: np.ndarray, terms: int = 3, freq: float = 25.0):
    """n smooth random displacement fields over points P [V,3] -> [n, V, 3]."""
    V = P.shape[0]
    out = np.zeros((n, V, 3))
    chunk = 50
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        W = rng.normal(0, freq, size=(3, m * terms))
        ph = rng.uniform(0, 2 * np.pi, size=(m * terms,))
        A = rng.normal(0, 1, size=(m, terms, 3)) / np.sqrt(terms)
        basis = np.sin(P @ W + ph).reshape(V, m, terms)
        out[s:s + m] = np.einsum("vmt,mtc->mvc", basis, A)
    return out * amp[:, None, None]


def make_synthetic_flame(seed: int = 0, reduced: bool = False, with_eyelids: bool = True) -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    if reduced:
        V_, F_, n_head, rows, cols, eyes = _head_and_eyes(cols=8, rows=6, eye_cols=4, eye_rings=3)
        S, E = 20, 10
    else:
        V_, F_, n_head, rows, cols, eyes = _head_and_eyes(cols=60, rows=66, eye_cols=23, eye_rings=23)
        S, E = FLAME_S, FLAME_E
        assert V_.shape[0] == FLAME_V and F_.shape[0] == FLAME_F, (V_.shape, F_.shape)
    V = V_.shape[0]
    head = np.arange(n_head)
    n_eye = (V - n_head) // 2
    left_eye = np.arange(n_head, n_head + n_eye)
    right_eye = np.arange(n_head + n_eye, V)
    P = V_
    y, z = P[:, 1], P[:, 2]
    front = 1 / (1 + np.exp(-z / 0.01))

    # joint regressor: root at the neck opening, neck a bit higher, jaw hinge, eyeball centres
    Jr = np.zeros((5, V))
    bottom = 1 + (rows - 1) * cols + np.arange(cols)
    Jr[0, bottom] = 1.0 / cols
    ring = 1 + (rows - 1 - max(1, rows // 8)) * cols + np.arange(cols)
    Jr[1, ring] = 1.0 / cols
    w = np.exp(-np.sum((P[head] - [0.0, -0.03, 0.01]) ** 2, 1) / (2 * 0.03 ** 2))
    Jr[2, head] = w / w.sum()
    Jr[3, left_eye] = 1.0 / n_eye
    Jr[4, right_eye] = 1.0 / n_eye

    # skinning weights
    W = np.zeros((V, 5))
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    jaw = sig((-0.02 - y) / 0.008) * front
    root = sig((-0.085 - y) / 0.01)
    Wh = np.stack([root, np.ones_like(y), jaw, 0 * y, 0 * y], 1)[head]
    Wh[:, 1] *= (1 - np.clip(Wh[:, 0] + Wh[:, 2], 0, 1))
    W[head] = Wh / Wh.sum(1, keepdims=True)
    W[left_eye, 3] = 1.0
    W[right_eye, 4] = 1.0

    # bases: smooth random fields; expression and pose correctives concentrated on the face
    shape_amp = 2.5e-3 / (1 + np.arange(S) / 20.0)
    expr_amp = 2.0e-3 / (1 + np.arange(E) / 15.0)
    shape_basis = _smooth_fields(rng, P, S, shape_amp)
    expr_basis = _smooth_fields(rng, P, E, expr_amp) * front[None, :, None]
    pose_basis = _smooth_fields(rng, P, 36, np.full(36, 1.5e-3)) * (0.3 + front)[None, :, None]
    arrays = {
        "v_template": P.astype(np.float32),
        "faces": F_.astype(np.uint32),
        "shape_basis": shape_basis.astype(np.float32),
        "expr_basis": expr_basis.astype(np.float32),
        "pose_basis": pose_basis.astype(np.float32),
        "j_regressor": Jr.astype(np.float32),
        "lbs_weights": W.astype(np.float32),
        "parents": np.array([-1, 0, 1, 1, 1], dtype=np.int32),
    }
    if with_eyelids:
        lids = np.zeros((2, V, 3))
        for k, c in enumerate(eyes):
            lid = c + [0, 0.006, 0.004]  # just above the eyeball, on the face surface side
            wgt = np.exp(-np.sum((P[head] - lid) ** 2, 1) / (2 * 0.008 ** 2))
            lids[k, head, 1] = -0.006 * wgt  # closes downwards
            lids[k, head, 2] = 0.0015 * wgt
        arrays["eyelid_basis"] = lids.astype(np.float32)
    return arrays


# ----------------------------------------------------------------------------------------------
# fixture
# ----------------------------------------------------------------------------------------------
def _cases(rng, S: int, E: int):
    def vec(n, s):
        return rng.normal(0, s, size=n).round(6)
    def rot(scale):
        return rng.normal(0, scale, size=3).round(6)
    zero3 = np.zeros(3)
    return [
        dict(name="rest", shape=[], exp=[], global_pose=zero3, neck=zero3, jaw=zero3, eyes=np.zeros(6)),
        dict(name="emoca-like", shape=vec(min(100, S), 1.0), exp=vec(min(50, E), 1.0), global_pose=rot(0.2),
             neck=zero3, jaw=np.array([0.25, 0.01, -0.02]), eyes=np.zeros(6)),
        dict(name="smirk-like", shape=vec(S, 1.0), exp=vec(min(50, E), 1.0), global_pose=rot(0.3), neck=zero3,
             jaw=np.array([0.18, 0.05, -0.1]), eyes=np.zeros(6), eyelid=[0.7, 0.25], eyelid_mode="post"),
        dict(name="full", shape=vec(S, 1.5), exp=vec(E, 1.5), global_pose=rot(0.4), neck=rot(0.2),
             jaw=rot(0.2), eyes=vec(6, 0.2), eyelid=[0.1, 0.9], eyelid_mode="post"),
        dict(name="large-rotations", shape=vec(S, 2.0), exp=vec(E, 2.0), global_pose=np.array([0.1, 3.0, -0.4]),
             neck=np.array([-0.6, 0.8, 0.3]), jaw=np.array([0.7, -0.1, 0.05]), eyes=vec(6, 0.5)),
        dict(name="eyelids-pre", shape=vec(S, 1.0), exp=vec(E, 1.0), global_pose=rot(0.2), neck=rot(0.1),
             jaw=np.array([0.1, 0.0, 0.0]), eyes=np.zeros(6), eyelid=[1.0, -0.3], eyelid_mode="pre"),
    ]


def generator_hash() -> str:
    """sha256 over the generator sources; tests/flame/fixture.ts regenerates a cached fixture when it changes."""
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("flame_numpy.py", "flame_bin.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def write_fixture(out_dir: str, reduced: bool = False, seed: int = 0) -> None:
    os.makedirs(out_dir, exist_ok=True)
    arrays = make_synthetic_flame(seed=seed, reduced=reduced)
    size = write_flame_bin(os.path.join(out_dir, "flame.bin"), arrays, model="synthetic",
                           meta={"generator": "training/export/flame_numpy.py", "seed": seed, "reduced": reduced,
                                 "synthetic": True})
    header, arrays = read_flame_bin(os.path.join(out_dir, "flame.bin"))  # reference uses the stored values
    S, E = arrays["shape_basis"].shape[0], arrays["expr_basis"].shape[0]
    rng = np.random.default_rng(seed + 1)
    cases = []
    for c in _cases(rng, S, E):
        v, j = flame_forward(arrays, shape=c["shape"], exp=c["exp"], global_pose=c["global_pose"], neck=c["neck"],
                             jaw=c["jaw"], eyes=c["eyes"], eyelid=c.get("eyelid"),
                             eyelid_mode=c.get("eyelid_mode", "post"))
        cases.append({
            "name": c["name"],
            "params": {"shape": list(map(float, c["shape"])), "exp": list(map(float, c["exp"])),
                       "globalPose": list(map(float, c["global_pose"])), "neck": list(map(float, c["neck"])),
                       "jaw": list(map(float, c["jaw"])), "eyes": list(map(float, c["eyes"])),
                       **({"eyelid": list(map(float, c["eyelid"]))} if "eyelid" in c else {})},
            "eyelidMode": c.get("eyelid_mode", "post"),
            "vertices": [float(x) for x in v.reshape(-1)],
            "joints": [float(x) for x in j.reshape(-1)],
        })
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump({"version": FIXTURE_VERSION, "generatorHash": generator_hash(), "asset": "flame.bin", "assetBytes": size, "seed": seed,
                   "reduced": reduced, "counts": header["counts"], "cases": cases}, f)
    print(f"wrote {out_dir}/flame.bin ({size} bytes) and {len(cases)} reference cases")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", required=True, help="output folder for flame.bin + cases.json")
    ap.add_argument("--reduced", action="store_true", help="small asset (77 vertices, 20/10 components)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    write_fixture(a.fixture, reduced=a.reduced, seed=a.seed)


if __name__ == "__main__":
    main()
