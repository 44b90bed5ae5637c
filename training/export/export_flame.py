"""Convert FLAME 2020 (`generic_model.pkl`) [+ SMIRK's eyelid blendshapes] to the app's `flame.bin`.

    /usr/bin/python3 training/export/export_flame.py --flame FLAME2020/generic_model.pkl \
        [--l-eyelid smirk/assets/l_eyelid.npy --r-eyelid smirk/assets/r_eyelid.npy] \
        [--n-shape 300 --n-exp 100] --out mypack/flame.bin

Also writes `<out>.manifest.json`, the pack manifest entry (role 'morphable', format 'flame-bin-v1').
FLAME needs a licence from https://flame.is.tue.mpg.de; neither the pickle nor flame.bin may be
committed or redistributed outside its terms. The pickle normally needs `chumpy` to load; this script
does without it (and without scipy, if missing) by rebuilding those objects as plain arrays.
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
from typing import Dict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flame_bin import write_flame_bin  # noqa: E402
from onnx_export import morphable_manifest_entry, sha256_file, write_json  # noqa: E402


class _Stub:
    """Stands in for a class whose module is missing (chumpy, or scipy.sparse); keeps the pickled state."""

    _module = ""
    _name = ""

    def __init__(self, *args, **kwargs):
        self._args = args

    def __setstate__(self, state):
        self._state = state

    def __reduce__(self):  # pragma: no cover - never re-pickled
        raise TypeError("stub")


class _FlameUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            if module.startswith("chumpy") or module.startswith("scipy"):
                return type(name, (_Stub,), {"_module": module, "_name": name})
            raise


def _to_numpy(obj, what: str) -> np.ndarray:
    """ndarray, chumpy object (real or stubbed) or scipy sparse matrix (real or stubbed) -> dense ndarray."""
    if isinstance(obj, np.ndarray):
        return obj
    if hasattr(obj, "toarray"):  # scipy.sparse
        return np.asarray(obj.toarray())
    if hasattr(obj, "r") and not isinstance(obj, _Stub):  # chumpy Ch
        return np.asarray(obj.r)
    if isinstance(obj, _Stub):
        st = getattr(obj, "_state", None)
        if obj._module.startswith("scipy"):
            # csc/csr matrices pickle their __dict__: data, indices, indptr, _shape
            d = st if isinstance(st, dict) else {}
            if {"data", "indices", "indptr"} <= set(d):
                shape = d.get("_shape") or d.get("shape")
                out = np.zeros(shape, dtype=np.float64)
                data, ind, ptr = d["data"], d["indices"], d["indptr"]
                csc = obj._name.startswith("csc")
                for k in range(len(ptr) - 1):
                    for p in range(ptr[k], ptr[k + 1]):
                        if csc:
                            out[ind[p], k] = data[p]
                        else:
                            out[k, ind[p]] = data[p]
                return out
        if isinstance(st, dict):
            for key in ("x", "a", "_x"):
                if isinstance(st.get(key), np.ndarray):
                    return st[key]
            arrays = [v for v in st.values() if isinstance(v, np.ndarray)]
            if len(arrays) == 1:
                return arrays[0]
        raise ValueError(f"cannot read {what} ({obj._module}.{obj._name}); install chumpy and retry")
    return np.asarray(obj)


def load_flame_pickle(path: str) -> Dict[str, np.ndarray]:
    with open(path, "rb") as f:
        raw = _FlameUnpickler(f, encoding="latin1").load()
    if not isinstance(raw, dict):
        raw = vars(raw)
    need = ["v_template", "f", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table"]
    missing = [k for k in need if k not in raw]
    if missing:
        raise ValueError(f"{path}: not a FLAME model pickle (missing {missing})")
    return {k: _to_numpy(raw[k], k) for k in need}


def flame_arrays(flame: Dict[str, np.ndarray], n_shape: int = 300, n_exp: int = 100,
                 l_eyelid: np.ndarray | None = None, r_eyelid: np.ndarray | None = None) -> Dict[str, np.ndarray]:
    """FLAME pickle arrays -> flame.bin arrays (component-major bases)."""
    vt = np.asarray(flame["v_template"], dtype=np.float64)
    V = vt.shape[0]
    sd = np.asarray(flame["shapedirs"], dtype=np.float64)  # [V, 3, 400] in FLAME 2020: 300 shape + 100 exp
    if sd.shape[:2] != (V, 3) or sd.shape[2] < 300 + n_exp or n_shape > 300:
        raise ValueError(f"shapedirs {sd.shape} cannot give {n_shape} shape + {n_exp} expression components")
    pd = np.asarray(flame["posedirs"], dtype=np.float64)  # [V, 3, 36]
    if pd.shape != (V, 3, 36):
        raise ValueError(f"posedirs {pd.shape}, expected ({V}, 3, 36)")
    parents = np.asarray(flame["kintree_table"])[0].astype(np.int64)
    parents[0] = -1
    arrays = {
        "v_template": vt,
        "faces": np.asarray(flame["f"]).astype(np.int64),
        "shape_basis": np.transpose(sd[:, :, :n_shape], (2, 0, 1)),
        "expr_basis": np.transpose(sd[:, :, 300:300 + n_exp], (2, 0, 1)),
        "pose_basis": np.transpose(pd, (2, 0, 1)),
        "j_regressor": np.asarray(flame["J_regressor"], dtype=np.float64),
        "lbs_weights": np.asarray(flame["weights"], dtype=np.float64),
        "parents": parents.astype(np.int32),
    }
    if (l_eyelid is None) != (r_eyelid is None):
        raise ValueError("give both eyelid blendshapes or neither")
    if l_eyelid is not None:
        lids = np.stack([np.asarray(l_eyelid, dtype=np.float64).reshape(V, 3),
                         np.asarray(r_eyelid, dtype=np.float64).reshape(V, 3)])
        arrays["eyelid_basis"] = lids
    return arrays


def write_flame_asset(arrays: Dict[str, np.ndarray], out: str, model: str, meta: dict,
                      synthetic: bool = False, manifest_file: str | None = None) -> dict:
    """Shared by this script and make_synthetic_pack.py: write flame.bin + its manifest entry."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    size = write_flame_bin(out, arrays, model=model, meta=meta)
    sha = sha256_file(out)
    entry = morphable_manifest_entry(os.path.basename(out), sha, synthetic=synthetic)
    if manifest_file:
        write_json(manifest_file, entry)
    return {"bytes": size, "sha256": sha, "entry": entry}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flame", required=True, help="FLAME 2020 generic_model.pkl")
    ap.add_argument("--l-eyelid", help="SMIRK assets/l_eyelid.npy (5023x3)")
    ap.add_argument("--r-eyelid", help="SMIRK assets/r_eyelid.npy (5023x3)")
    ap.add_argument("--n-shape", type=int, default=300, help="identity components to keep (EMOCA uses 100, SMIRK 300)")
    ap.add_argument("--n-exp", type=int, default=100, help="expression components to keep (both regressors use 50)")
    ap.add_argument("--out", required=True, help="output flame.bin")
    ap.add_argument("--manifest-entry", help="where to write the manifest fragment (default <out>.manifest.json)")
    a = ap.parse_args(argv)
    flame = load_flame_pickle(a.flame)
    l = np.load(a.l_eyelid) if a.l_eyelid else None
    r = np.load(a.r_eyelid) if a.r_eyelid else None
    arrays = flame_arrays(flame, a.n_shape, a.n_exp, l, r)
    meta = {"generator": "training/export/export_flame.py", "source": os.path.basename(a.flame),
            "eyelids": "SMIRK l_eyelid.npy / r_eyelid.npy" if l is not None else None,
            "licence": "FLAME model licence, https://flame.is.tue.mpg.de (registration required)"}
    res = write_flame_asset(arrays, a.out, model="FLAME2020", meta=meta,
                            manifest_file=a.manifest_entry or a.out + ".manifest.json")
    print(f"wrote {a.out}: {res['bytes'] / 2**20:.1f} MiB, sha256 {res['sha256']}")


if __name__ == "__main__":
    main()
