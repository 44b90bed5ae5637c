"""Build synthetic FLAME test packs: stand-in regressors + a synthetic FLAME asset. NOT trained models.

    /usr/bin/python3 training/export/make_synthetic_pack.py --out e2e/.fixtures/synthetic-flame-pack
        [--family emoca-v2|smirk|all] [--seed 0] [--detail]

A pack holds one `regressor3d` model, so `--family all` (the default) writes one pack per family:
`<out>/smirk/` and `<out>/emoca-v2/`; a single family writes straight into `<out>`. Each pack:

    manifest.json             schemaVersion 1, synthetic: true, landmarker + regressor3d + morphable
    regressor.onnx            stand-in with the upstream architecture classes, random weights
    regressor.reference.json  torch outputs for a deterministic input (scripts/flame/check-regressor.ts)
    flame.bin                 synthetic head with FLAME 2020's exact tensor shapes (+ eyelids)
    build-info.json           sizes, timings, seeds

`face_landmarker.task` is named by the manifest but not written: the test setup copies the real
MediaPipe landmarker next to it. Stand-ins go through the same onnx_export.export_regressor as real
exports. EMOCA's expression encoder starts as a clone of the coarse one (as upstream `deca_clone`),
so its ResNet-50 weights are shared in the file: ~105 MB instead of ~210 MB.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_flame import write_flame_asset  # noqa: E402
from flame_numpy import make_synthetic_flame  # noqa: E402
from onnx_export import EMOCA_DETAIL, REGRESSOR_OUTPUTS, export_regressor, regressor_manifest_entry, write_json  # noqa: E402
from regressor_modules import emoca_standin, smirk_standin  # noqa: E402

NOTE = "synthetic test pack — not a trained model"


def build_pack(out: str, family: str, seed: int, detail: bool, flame_src: str | None) -> dict:
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    if flame_src:
        shutil.copyfile(flame_src, os.path.join(out, "flame.bin"))
        from onnx_export import morphable_manifest_entry, sha256_file
        flame = {"bytes": os.path.getsize(flame_src), "entry": morphable_manifest_entry(
            "flame.bin", sha256_file(flame_src), synthetic=True)}
    else:
        arrays = make_synthetic_flame(seed=seed, reduced=False, with_eyelids=True)
        flame = write_flame_asset(arrays, os.path.join(out, "flame.bin"), model="synthetic",
                                  meta={"generator": "training/export/make_synthetic_pack.py", "seed": seed,
                                        "synthetic": True, "note": NOTE}, synthetic=True)
    flame["entry"]["id"] = "flame-synthetic"
    t_flame = time.time() - t0

    t1 = time.time()
    outputs = list(REGRESSOR_OUTPUTS[family])
    if family == "emoca-v2":
        module = emoca_standin(seed=seed, detail=detail)
        if detail:
            outputs.append(EMOCA_DETAIL)
    else:
        module = smirk_standin(seed=seed)
    t_build = time.time() - t1
    info = export_regressor(module, os.path.join(out, "regressor.onnx"), outputs)
    reg_entry = regressor_manifest_entry(family, "regressor.onnx", info, model_id=f"{family}-standin", synthetic=True)

    label = {"emoca-v2": "EMOCA v2", "smirk": "SMIRK"}[family]
    manifest = {
        "schemaVersion": 1,
        "name": f"Synthetic {label} + FLAME test pack ({NOTE})",
        "description": (f"{NOTE}. Randomly initialised stand-in for {label} (same architecture classes and output "
                        "heads as upstream) and a synthetic head with FLAME 2020's tensor shapes. Outputs are "
                        "meaningless; the pack exists to test the FLAME path end to end."),
        "synthetic": True,
        "models": [
            {"id": "landmarker", "role": "landmarker", "file": "face_landmarker.task", "numFaces": 4},
            reg_entry,
            flame["entry"],
        ],
    }
    write_json(os.path.join(out, "manifest.json"), manifest)
    build = {"family": family, "seed": seed, "note": NOTE, "torch": torch.__version__,
             "regressor": {k: info[k] for k in ("bytes", "seconds", "dedupedBytes", "outputs")},
             "buildSeconds": round(t_build, 1), "flameBytes": flame["bytes"], "flameSeconds": round(t_flame, 1),
             "totalSeconds": round(time.time() - t0, 1)}
    write_json(os.path.join(out, "build-info.json"), build)
    print(f"[{family}] pack at {out}: regressor {info['bytes'] / 2**20:.1f} MiB (export {info['seconds']} s), "
          f"flame.bin {flame['bytes'] / 2**20:.1f} MiB, total {build['totalSeconds']} s")
    return build


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--family", choices=["emoca-v2", "smirk", "all"], default="all")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--detail", action="store_true", help="EMOCA: also export the detail encoder (detail, 128)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1: stay lean)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    families = ["smirk", "emoca-v2"] if a.family == "all" else [a.family]
    flame_src = None
    for fam in families:
        out = os.path.join(a.out, fam) if a.family == "all" else a.out
        build_pack(out, fam, a.seed, a.detail, flame_src)
        flame_src = os.path.join(out, "flame.bin")  # same synthetic asset in every pack


if __name__ == "__main__":
    main()
