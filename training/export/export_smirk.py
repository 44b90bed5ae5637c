"""Export the SMIRK encoder to ONNX.

    /usr/bin/python3 training/export/export_smirk.py --smirk-repo ~/src/smirk \
        --checkpoint trained_models/SMIRK_em1.pt --out mypack/smirk.onnx

Needs the SMIRK clone and its dependency `timm` (the encoders are timm MobileNetV3s:
tf_mobilenetv3_small_minimal_100 for pose/cam, tf_mobilenetv3_large_minimal_100 for shape and
expression). The ImageNet initialisation timm would download is skipped; all weights come from the
checkpoint (`smirk_encoder.*` keys; the generator's are ignored).

Input `image` [N,3,224,224], RGB in 0..1 (SMIRK's demo: BGR->RGB, /255), cropped as SMIRK's
`crop_face`: square around all MediaPipe landmarks, side (w+h)/2 * 1.4.
Outputs, in order: pose 3 (global, axis-angle), cam 3, shape 300, exp 50, eyelid 2 (clamped 0..1),
jaw 3 ([relu, clamp ±0.2, clamp ±0.2], upstream's activations are inside the graph).

Licence: SMIRK code is MIT; the trained weights and FLAME come with their own terms.
Writes `<out>.manifest.json` with the pack manifest entry.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_export import REGRESSOR_OUTPUTS, export_regressor, regressor_manifest_entry, write_json  # noqa: E402
from regressor_modules import SmirkRegressor  # noqa: E402


def build(smirk_repo: str, checkpoint: str) -> SmirkRegressor:
    sys.path.insert(0, os.path.abspath(smirk_repo))
    try:
        import src.smirk_encoder as se
    except ImportError as e:
        raise SystemExit(f"cannot import src.smirk_encoder from {smirk_repo}: {e} (SMIRK needs `timm`)")
    original = se.create_backbone
    se.create_backbone = lambda name, pretrained=True: original(name, pretrained=False)
    encoder = se.SmirkEncoder()
    ckpt = torch.load(checkpoint, map_location="cpu")
    sd = {k[len("smirk_encoder."):]: v for k, v in ckpt.items() if k.startswith("smirk_encoder.")}
    if not sd:
        raise SystemExit(f"{checkpoint}: no smirk_encoder.* weights")
    encoder.load_state_dict(sd)  # strict, as upstream demo.py
    return SmirkRegressor(encoder).eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smirk-repo", required=True, help="local clone of github.com/georgeretsi/smirk")
    ap.add_argument("--checkpoint", required=True, help="SMIRK_em1.pt")
    ap.add_argument("--out", required=True, help="output .onnx")
    ap.add_argument("--id", default="smirk")
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args(argv)
    model = build(a.smirk_repo, a.checkpoint)
    info = export_regressor(model, a.out, REGRESSOR_OUTPUTS["smirk"], opset=a.opset)
    entry = regressor_manifest_entry("smirk", os.path.basename(a.out), info, model_id=a.id)
    write_json(a.out + ".manifest.json", entry)
    print(f"manifest entry: {a.out}.manifest.json")


if __name__ == "__main__":
    main()
