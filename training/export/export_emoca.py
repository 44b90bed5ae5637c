"""Export EMOCA v2 (coarse + expression encoder, optionally the detail encoder) to one ONNX model.

    /usr/bin/python3 training/export/export_emoca.py \
        --emoca-repo ~/src/emoca \
        --checkpoint EMOCA_v2_lr_mse_20/detail/checkpoints/deca-epoch=...ckpt \
        [--config EMOCA_v2_lr_mse_20/cfg.yaml] [--detail] --out mypack/emoca_v2.onnx

Input `image` [N,3,224,224], RGB in 0..1 (EMOCA feeds the crop unnormalised), cropped as EMOCA's
test-time pipeline does: square box around the 68 iBUG landmarks, side (w+h)/2 * 1.1 * 1.25.
Outputs: shape 100, tex 50, exp 50, pose 6 (global 3 + jaw 3, axis-angle), cam 3 (scale, tx, ty),
light 27 (9 SH bands x RGB), and with --detail: detail 128.

How the outputs are composed is `regressor_modules.EmocaV2Regressor` (upstream ExpDECA.decompose_code).
The encoders are built from the EMOCA clone's own `gdl.models.DecaEncoder.ResnetEncoder` when it
imports; otherwise from a structurally identical module (torchvision ResNet-50 + the same 2-layer
head; the state-dict keys are the same), which is reported. Weights come only from the checkpoint:
the upstream ImageNet initialisation (a download) is skipped.

Licence: EMOCA is for non-commercial research (https://emoca.is.tue.mpg.de); keep exports private.
Writes `<out>.manifest.json` with the pack manifest entry.
"""
from __future__ import annotations

import argparse
import os
import sys
import types

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_export import EMOCA_DETAIL, REGRESSOR_OUTPUTS, export_regressor, regressor_manifest_entry, write_json  # noqa: E402
from regressor_modules import EmocaV2Regressor, ResnetEncoderStandIn  # noqa: E402


def _stub_module(name: str) -> types.ModuleType:
    """A module whose every attribute is an inert class: lets torch.load skip pickled config objects."""
    m = types.ModuleType(name)

    def __getattr__(attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return type(attr, (), {"__module__": name, "__init__": lambda self, *a, **k: None,
                               "__setstate__": lambda self, state: None})

    m.__getattr__ = __getattr__
    return m


def load_state_dict(path: str) -> dict:
    """Tensors of a (Lightning) checkpoint. Its pickled hyper-parameters may need packages that are
    not installed here (omegaconf, ...); those are stubbed, as only the state_dict is used."""
    stubs = []
    try:
        for _ in range(50):
            try:
                ckpt = torch.load(path, map_location="cpu")
                break
            except ModuleNotFoundError as e:
                if not e.name or e.name in sys.modules:
                    raise
                parts = e.name.split(".")
                for i in range(1, len(parts) + 1):
                    mod = ".".join(parts[:i])
                    if mod not in sys.modules:
                        sys.modules[mod] = _stub_module(mod)
                        stubs.append(mod)
                print(f"note: checkpoint pickles objects from '{e.name}' (not installed); skipping them")
        else:
            raise SystemExit(f"{path}: too many missing modules in the checkpoint")
    finally:
        for mod in stubs:
            sys.modules.pop(mod, None)
    sd = ckpt.get("state_dict", ckpt) if isinstance(ckpt, dict) else ckpt
    return {k[len("deca."):] if k.startswith("deca.") else k: v for k, v in sd.items()}


def read_config(path: str | None) -> dict:
    """Model settings from the EMOCA model folder's cfg.yaml (detail stage, else coarse, else top level)."""
    defaults = {"n_shape": 100, "n_tex": 50, "n_exp": 50, "n_pose": 6, "n_cam": 3, "n_light": 27, "n_detail": 128,
                "exp_deca_jaw_pose": True, "exp_deca_global_pose": False, "expression_backbone": "deca_clone",
                "e_flame_type": "ResnetEncoder"}
    if not path:
        return defaults
    import yaml
    with open(path) as f:
        cfg = yaml.safe_load(f)
    for stage in ("detail", "coarse"):
        if isinstance(cfg, dict) and stage in cfg:
            cfg = cfg[stage]
            break
    model = cfg.get("model", cfg) if isinstance(cfg, dict) else {}
    out = dict(defaults)
    out.update({k: model[k] for k in defaults if k in model})
    return out


def upstream_encoder_class(emoca_repo: str | None):
    """gdl.models.DecaEncoder.ResnetEncoder from the clone, without its ImageNet download."""
    if not emoca_repo:
        print("note: no --emoca-repo; using the structurally identical torchvision ResNet-50 encoder")
        return None
    sys.path.insert(0, os.path.abspath(emoca_repo))
    try:
        import gdl.models.ResNet as upstream_resnet
        upstream_resnet.load_ResNet50Model = lambda: upstream_resnet.ResNet(upstream_resnet.Bottleneck, [3, 4, 6, 3])
        from gdl.models.DecaEncoder import ResnetEncoder
        return ResnetEncoder
    except Exception as e:  # missing dependencies of the gdl package, etc.
        print(f"note: could not import EMOCA's ResnetEncoder from {emoca_repo} ({type(e).__name__}: {e}); "
              "using the structurally identical torchvision ResNet-50 encoder")
        return None


def build(emoca_repo: str | None, checkpoint: str, config: str | None, detail: bool) -> EmocaV2Regressor:
    cfg = read_config(config)
    if cfg["expression_backbone"] not in ("deca_clone",) or cfg["e_flame_type"] != "ResnetEncoder":
        raise SystemExit(f"unsupported EMOCA variant: expression_backbone={cfg['expression_backbone']}, "
                         f"e_flame_type={cfg['e_flame_type']} (EMOCA v2 is deca_clone + ResnetEncoder)")
    sizes = [cfg[k] for k in ("n_shape", "n_tex", "n_exp", "n_pose", "n_cam", "n_light")]
    n_exp_param = cfg["n_exp"] + (cfg["n_pose"] if cfg["exp_deca_jaw_pose"] and cfg["exp_deca_global_pose"]
                                  else 3 if (cfg["exp_deca_jaw_pose"] or cfg["exp_deca_global_pose"]) else 0)
    Enc = upstream_encoder_class(emoca_repo) or ResnetEncoderStandIn
    e_flame, e_expression = Enc(sum(sizes)), Enc(n_exp_param)
    e_detail = Enc(cfg["n_detail"]) if detail else None
    sd = load_state_dict(checkpoint)
    for name, module in (("E_flame", e_flame), ("E_expression", e_expression), ("E_detail", e_detail)):
        if module is None:
            continue
        part = {k[len(name) + 1:]: v for k, v in sd.items() if k.startswith(name + ".")}
        if not part:
            raise SystemExit(f"{checkpoint}: no {name}.* weights (is this an EMOCA checkpoint?)")
        missing, unexpected = module.load_state_dict(part, strict=False)
        missing = [k for k in missing if not k.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise SystemExit(f"{name}: checkpoint does not fit (missing {missing[:5]}, unexpected {unexpected[:5]})")
    return EmocaV2Regressor(e_flame, e_expression, e_detail, *sizes, exp_jaw_pose=cfg["exp_deca_jaw_pose"],
                            exp_global_pose=cfg["exp_deca_global_pose"]).eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--emoca-repo", help="local clone of github.com/radekd91/emoca (for its encoder class)")
    ap.add_argument("--checkpoint", required=True, help="EMOCA v2 .ckpt (model folder detail/checkpoints/)")
    ap.add_argument("--config", help="the model folder's cfg.yaml (default: EMOCA v2 settings)")
    ap.add_argument("--detail", action="store_true", help="also export E_detail (output 'detail', 128)")
    ap.add_argument("--out", required=True, help="output .onnx")
    ap.add_argument("--id", default="emoca-v2")
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args(argv)
    model = build(a.emoca_repo, a.checkpoint, a.config, a.detail)
    outputs = list(REGRESSOR_OUTPUTS["emoca-v2"]) + ([EMOCA_DETAIL] if a.detail else [])
    info = export_regressor(model, a.out, outputs, opset=a.opset)
    entry = regressor_manifest_entry("emoca-v2", os.path.basename(a.out), info, model_id=a.id)
    write_json(a.out + ".manifest.json", entry)
    print(f"manifest entry: {a.out}.manifest.json")


if __name__ == "__main__":
    main()
