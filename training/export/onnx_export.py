"""Shared ONNX export path for the FLAME regressors (real exports and synthetic stand-ins alike).

One function, `export_regressor`, takes a torch module mapping `image` [N,3,224,224] (RGB, 0..1)
to a tuple of [N, size] tensors, and writes an ONNX model whose outputs carry the group names
the app's manifest uses. It also writes a small reference file (`<model>.reference.json`) with the
torch outputs for a deterministic input, which scripts/flame/check-regressor.ts replays through
onnxruntime to check the export numerically.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import time
from typing import Dict, List, Sequence, Tuple

import numpy as np
import onnx
import torch
from onnx import numpy_helper

IMAGE_SIZE = 224
DEFAULT_OPSET = 17

# Output groups per family, in the order the exported graph emits them (sizes from upstream configs).
REGRESSOR_OUTPUTS: Dict[str, List[Tuple[str, int]]] = {
    # EMOCA v2 = DECA code vector [shape 100, tex 50, exp 50, pose 6, cam 3, light 27] with exp and jaw
    # replaced by the expression encoder's output (ExpDECA.decompose_code, exp_deca_jaw_pose=True)
    "emoca-v2": [("shape", 100), ("tex", 50), ("exp", 50), ("pose", 6), ("cam", 3), ("light", 27)],
    # SMIRK encoder outputs (SmirkEncoder.forward)
    "smirk": [("pose", 3), ("cam", 3), ("shape", 300), ("exp", 50), ("eyelid", 2), ("jaw", 3)],
}
EMOCA_DETAIL = ("detail", 128)

# Face crop each family was trained with (see README: EMOCA/DECA bbox2point 'kpt68', SMIRK crop_face).
CROPS = {
    "emoca-v2": {"kind": "landmark-box", "landmarks": "ibug68", "scale": 1.375},  # (w+h)/2 * 1.1 * 1.25
    "smirk": {"kind": "landmark-box", "landmarks": "all", "scale": 1.4},
}
LICENCES = {
    "emoca-v2": "EMOCA licence (non-commercial research only), https://emoca.is.tue.mpg.de; uses FLAME (flame.is.tue.mpg.de licence)",
    "smirk": "SMIRK code MIT (github.com/georgeretsi/smirk); trained weights and FLAME under their own terms (FLAME: flame.is.tue.mpg.de licence)",
    "flame": "FLAME 2020 model licence (registration at https://flame.is.tue.mpg.de); non-commercial scientific research",
}


def reference_input(n: int = 2, size: int = IMAGE_SIZE) -> np.ndarray:
    """Deterministic, image-like input both Python and Node can compute:
    x[b,c,h,w] = 0.5 + 0.45 * sin(0.05 * w + 0.07 * h + 1.3 * c + 0.9 * b) (float32)."""
    b, c, h, w = np.meshgrid(np.arange(n), np.arange(3), np.arange(size), np.arange(size), indexing="ij")
    return (0.5 + 0.45 * np.sin(0.05 * w + 0.07 * h + 1.3 * c + 0.9 * b)).astype(np.float32)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dedupe_initializers(model: onnx.ModelProto) -> int:
    """Merge byte-identical initializers (e.g. EMOCA's expression encoder cloned from DECA's before
    training); returns the bytes saved. Trained exports rarely have duplicates; nothing changes then."""
    seen: Dict[Tuple, str] = {}
    rename: Dict[str, str] = {}
    keep = []
    saved = 0
    for init in model.graph.initializer:
        arr = numpy_helper.to_array(init)
        key = (init.data_type, tuple(init.dims), hashlib.sha1(arr.tobytes()).hexdigest())
        if key in seen:
            rename[init.name] = seen[key]
            saved += arr.nbytes
        else:
            seen[key] = init.name
            keep.append(init)
    if not rename:
        return 0
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)
    for node in model.graph.node:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
    return saved


def export_regressor(module: torch.nn.Module, out_path: str, outputs: Sequence[Tuple[str, int]],
                     opset: int = DEFAULT_OPSET, dedupe: bool = True, log=print) -> dict:
    """Export `module` (image -> tuple of [N, size] tensors, in `outputs` order) to `out_path`.

    Returns {bytes, seconds, sha256, outputs, referenceFile}."""
    t0 = time.time()
    module = module.eval()
    names = [n for n, _ in outputs]
    x = torch.from_numpy(reference_input(2))
    with torch.no_grad():
        ref = module(x)
    if not isinstance(ref, (tuple, list)) or len(ref) != len(outputs):
        raise ValueError(f"module returned {type(ref).__name__} of {len(ref) if isinstance(ref, (tuple, list)) else '?'} "
                         f"tensors, expected {len(outputs)} ({names})")
    for (name, size), t in zip(outputs, ref):
        if tuple(t.shape) != (2, size):
            raise ValueError(f"output {name!r} has shape {tuple(t.shape)}, expected (N, {size})")
        if not torch.isfinite(t).all():
            raise ValueError(f"output {name!r} is not finite on the reference input")
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            module, (x,), out_path,
            input_names=["image"], output_names=names,
            dynamic_axes={"image": {0: "batch"}, **{n: {0: "batch"} for n in names}},
            opset_version=opset, do_constant_folding=True,
        )
    model = onnx.load(out_path)
    saved = dedupe_initializers(model) if dedupe else 0
    model.producer_name = "ig3d-web training/export"
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
    graph_outputs = [o.name for o in model.graph.output]
    if graph_outputs != names:
        raise RuntimeError(f"exported outputs {graph_outputs} != {names}")
    ref_path = out_path[:-5] + ".reference.json" if out_path.endswith(".onnx") else out_path + ".reference.json"
    with open(ref_path, "w") as f:
        json.dump({
            "input": {"name": "image", "shape": [2, 3, IMAGE_SIZE, IMAGE_SIZE],
                      "formula": "0.5 + 0.45 * sin(0.05 * w + 0.07 * h + 1.3 * c + 0.9 * b)"},
            "outputs": {n: t.numpy().astype(float).round(7).tolist() for n, t in zip(names, ref)},
        }, f)
    info = {"bytes": os.path.getsize(out_path), "seconds": round(time.time() - t0, 1), "sha256": sha256_file(out_path),
            "outputs": {n: s for n, s in outputs}, "referenceFile": os.path.basename(ref_path), "dedupedBytes": saved}
    log(f"exported {out_path}: {info['bytes'] / 2**20:.1f} MiB in {info['seconds']} s"
        + (f" ({saved / 2**20:.1f} MiB of duplicate weights merged)" if saved else ""))
    return info


def regressor_manifest_entry(family: str, file: str, info: dict, model_id: str | None = None,
                             synthetic: bool = False, licence: str | None = None) -> dict:
    """Manifest fragment for a `regressor3d` model (src/core/manifest/schema.ts)."""
    return {
        "id": model_id or family,
        "role": "regressor3d",
        "family": family,
        "file": file,
        "sha256": info["sha256"],
        **({"licence": licence or LICENCES[family]} if (licence or not synthetic) else {}),
        "synthetic": synthetic,
        "input": {
            "name": "image",
            "size": [IMAGE_SIZE, IMAGE_SIZE],
            "channels": 3,
            "colorOrder": "rgb",
            "layout": "NCHW",
            "range": "0-1",
            "crop": dict(CROPS[family]),
        },
        "outputs": {name: {"name": name, "size": size} for name, size in info["outputs"].items()},
    }


def morphable_manifest_entry(file: str, sha256: str, model_id: str = "flame", synthetic: bool = False) -> dict:
    """Manifest fragment for the FLAME asset (`role: 'morphable'`, `format: 'flame-bin-v1'`)."""
    entry = {"id": model_id, "role": "morphable", "format": "flame-bin-v1", "file": file, "sha256": sha256,
             "synthetic": synthetic}
    if not synthetic:
        entry["licence"] = LICENCES["flame"]
    return entry


def write_json(path: str, obj) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# calibration helper for the stand-ins (random weights give outputs of arbitrary scale)
# ---------------------------------------------------------------------------------------------
def calibrate_linear(linear: torch.nn.Linear, features: torch.Tensor, mean: Sequence[float] | float,
                     std: Sequence[float] | float) -> None:
    """Rescale a randomly initialised final Linear so that, on `features`, output k has mean `mean[k]`
    and a spread proportional to `std[k]` (one common factor: 1 / RMS of the raw per-output spreads, so
    no single near-constant output gets blown up). Keeps a stand-in's parameters in a plausible range;
    the architecture is unchanged."""
    with torch.no_grad():
        y = linear(features)
        mu = y.mean(0)
        rms = y.std(0).pow(2).mean().sqrt().clamp_min(1e-8)
        m = torch.as_tensor(mean, dtype=y.dtype).expand_as(mu)
        s = torch.as_tensor(std, dtype=y.dtype).expand_as(mu)
        scale = s / rms
        linear.weight.mul_(scale[:, None])
        linear.bias.copy_((linear.bias - mu) * scale + m)
    assert math.isfinite(float(linear.weight.abs().max()))
