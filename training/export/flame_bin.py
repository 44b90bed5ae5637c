"""Reader/writer for the app's morphable-model asset `flame.bin` (format `flame-bin-v1`).

Layout (all integers little-endian):

    bytes 0..7    magic  b"FLAMEBIN"
    bytes 8..11   u32    header length H (bytes of UTF-8 JSON, space-padded so 12 + H is a multiple of 16)
    bytes 12..    JSON header (H bytes)
    12 + H ..     data section; every array is stored C-order at `offset` bytes from the start of the
                  data section, offsets multiple of 16, arrays never overlap, nothing past the last array.

The header:

    {"format": "flame-bin-v1", "model": "FLAME2020" | "synthetic", "counts": {...},
     "arrays": [{"name", "dtype": "float32"|"int32"|"uint32", "shape": [...], "offset", "byteLength"}, ...],
     "meta": {...free-form provenance...}}

Arrays (V vertices, F faces, S shape components, E expression components):

    v_template      float32 [V, 3]
    faces           uint32  [F, 3]
    shape_basis     float32 [S, V, 3]   FLAME shapedirs[:, :, :S] moved to component-major
    expr_basis      float32 [E, V, 3]   FLAME shapedirs[:, :, 300:300+E] moved to component-major
    pose_basis      float32 [36, V, 3]  FLAME posedirs (V, 3, 36) moved to component-major
    j_regressor     float32 [5, V]
    lbs_weights     float32 [V, 5]
    parents         int32   [5]         kintree_table[0] with the root set to -1
    eyelid_basis    float32 [2, V, 3]   optional: SMIRK l_eyelid (index 0), r_eyelid (index 1)

Component-major bases let the decoder run one contiguous multiply-add per coefficient and skip zeros.
"""
from __future__ import annotations

import json
import struct
from typing import Dict, Mapping

import numpy as np

MAGIC = b"FLAMEBIN"
FORMAT = "flame-bin-v1"
ALIGN = 16
NUM_JOINTS = 5
NUM_POSE_BASIS = 36  # 4 non-root joints x 9 entries of (R - I)

_DTYPES = {"float32": np.dtype("<f4"), "int32": np.dtype("<i4"), "uint32": np.dtype("<u4")}

ARRAY_ORDER = [
    "v_template",
    "faces",
    "shape_basis",
    "expr_basis",
    "pose_basis",
    "j_regressor",
    "lbs_weights",
    "parents",
    "eyelid_basis",
]
ARRAY_DTYPES = {
    "v_template": "float32",
    "faces": "uint32",
    "shape_basis": "float32",
    "expr_basis": "float32",
    "pose_basis": "float32",
    "j_regressor": "float32",
    "lbs_weights": "float32",
    "parents": "int32",
    "eyelid_basis": "float32",
}


def _pad(n: int, align: int = ALIGN) -> int:
    return (-n) % align


def validate_arrays(arrays: Mapping[str, np.ndarray]) -> Dict[str, int]:
    """Check the arrays fit together like FLAME's; returns the counts."""
    for req in ARRAY_ORDER[:-1]:
        if req not in arrays:
            raise ValueError(f"missing array {req!r}")
    unknown = set(arrays) - set(ARRAY_ORDER)
    if unknown:
        raise ValueError(f"unknown arrays {sorted(unknown)}")
    vt = arrays["v_template"]
    if vt.ndim != 2 or vt.shape[1] != 3:
        raise ValueError(f"v_template must be [V,3], got {vt.shape}")
    V = vt.shape[0]
    faces = arrays["faces"]
    if faces.ndim != 2 or faces.shape[1] != 3:
        raise ValueError(f"faces must be [F,3], got {faces.shape}")
    if faces.size and (faces.min() < 0 or faces.max() >= V):
        raise ValueError("faces index out of range")
    S = arrays["shape_basis"].shape[0]
    E = arrays["expr_basis"].shape[0]
    expect = {
        "shape_basis": (S, V, 3),
        "expr_basis": (E, V, 3),
        "pose_basis": (NUM_POSE_BASIS, V, 3),
        "j_regressor": (NUM_JOINTS, V),
        "lbs_weights": (V, NUM_JOINTS),
        "parents": (NUM_JOINTS,),
        "eyelid_basis": (2, V, 3),
    }
    for name, shape in expect.items():
        if name in arrays and tuple(arrays[name].shape) != shape:
            raise ValueError(f"{name} must be {list(shape)}, got {list(arrays[name].shape)}")
    parents = np.asarray(arrays["parents"])
    if parents[0] != -1 or any(not (0 <= parents[i] < i) for i in range(1, NUM_JOINTS)):
        raise ValueError(f"parents must be a tree rooted at joint 0 with parents before children, got {parents}")
    for name in ARRAY_ORDER:
        if name in arrays and ARRAY_DTYPES[name] == "float32" and not np.all(np.isfinite(arrays[name])):
            raise ValueError(f"{name} has non-finite values")
    return {"vertices": V, "faces": faces.shape[0], "shape": S, "expression": E, "joints": NUM_JOINTS,
            "poseBasis": NUM_POSE_BASIS, "eyelids": 2 if "eyelid_basis" in arrays else 0}


def write_flame_bin(path: str, arrays: Mapping[str, np.ndarray], model: str, meta: Mapping | None = None) -> int:
    """Write `arrays` (names as in ARRAY_ORDER) to `path`; returns the file size in bytes."""
    counts = validate_arrays(arrays)
    present = [n for n in ARRAY_ORDER if n in arrays]
    entries = []
    blobs = []
    offset = 0
    for i, name in enumerate(present):
        dt = _DTYPES[ARRAY_DTYPES[name]]
        a = np.ascontiguousarray(np.asarray(arrays[name]).astype(dt, copy=False))
        raw = a.tobytes(order="C")
        entries.append({"name": name, "dtype": ARRAY_DTYPES[name], "shape": list(a.shape),
                        "offset": offset, "byteLength": len(raw)})
        blobs.append(raw)
        offset += len(raw)
        if i < len(present) - 1:  # pad between arrays; nothing after the last one
            pad = _pad(len(raw))
            blobs.append(b"\0" * pad)
            offset += pad
    header = {"format": FORMAT, "model": model, "counts": counts, "arrays": entries, "meta": dict(meta or {})}
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * _pad(12 + len(hj))
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
        return f.tell()


def read_flame_bin(path: str) -> tuple[dict, Dict[str, np.ndarray]]:
    """Read a flame.bin back (used by the tests and the parity tooling)."""
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:8] != MAGIC:
        raise ValueError("not a flame.bin (bad magic)")
    (hlen,) = struct.unpack("<I", buf[8:12])
    header = json.loads(buf[12:12 + hlen].decode("utf-8"))
    base = 12 + hlen
    arrays = {}
    for e in header["arrays"]:
        dt = _DTYPES[e["dtype"]]
        n = int(np.prod(e["shape"])) if e["shape"] else 1
        start = base + e["offset"]
        arrays[e["name"]] = np.frombuffer(buf, dtype=dt, count=n, offset=start).reshape(e["shape"])
    return header, arrays
