"""Export wrappers for the FLAME regressors, and the randomly initialised stand-ins.

The wrappers are what gets exported, for real checkpoints (export_emoca.py, export_smirk.py) and
for the synthetic test pack (make_synthetic_pack.py) alike:

* `EmocaV2Regressor` composes DECA's coarse encoder `E_flame` (ResNet-50 -> 236 code) and EMOCA's
  expression encoder `E_expression` (ResNet-50 -> 50 exp + 3 jaw) exactly like upstream
  `ExpDECA.decompose_code` (gdl/models/DECA.py) with EMOCA v2's config
  (`expression_backbone: deca_clone`, `exp_deca_jaw_pose: True`, `exp_deca_global_pose: False`):
  the DECA code is split [shape 100, tex 50, exp 50, pose 6, cam 3, light 27]; `exp` is replaced by
  the expression encoder's first 50 values and the jaw (pose[3:6]) by its last 3; the global pose
  (pose[0:3]), shape, tex, cam and light stay DECA's. Light stays flat (27 = 9 SH bands x RGB, the
  order upstream reshapes to [9, 3]).
* `SmirkRegressor` wraps upstream `SmirkEncoder` (src/smirk_encoder.py) and emits its dict as the
  ordered tuple pose, cam, shape, exp, eyelid, jaw.

Stand-ins keep the architecture classes (torchvision ResNet-50 / MobileNetV3, `weights=None`) and
upstream's heads and output activations; only the weights are random (final layers rescaled so the
outputs land in a plausible range).
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from onnx_export import calibrate_linear, reference_input


# ---------------------------------------------------------------------------------------------
# EMOCA v2
# ---------------------------------------------------------------------------------------------
class EmocaV2Regressor(nn.Module):
    def __init__(self, e_flame: nn.Module, e_expression: nn.Module, e_detail: Optional[nn.Module] = None,
                 n_shape: int = 100, n_tex: int = 50, n_exp: int = 50, n_pose: int = 6, n_cam: int = 3,
                 n_light: int = 27, exp_jaw_pose: bool = True, exp_global_pose: bool = False):
        super().__init__()
        self.e_flame = e_flame
        self.e_expression = e_expression
        self.e_detail = e_detail
        self.sizes = [n_shape, n_tex, n_exp, n_pose, n_cam, n_light]
        self.n_exp = n_exp
        self.exp_jaw_pose = exp_jaw_pose
        self.exp_global_pose = exp_global_pose

    def forward(self, image: torch.Tensor):
        code = self.e_flame(image)
        shape, tex, exp, pose, cam, light = torch.split(code, self.sizes, dim=1)
        e = self.e_expression(image)
        n = self.n_exp
        if self.exp_global_pose and self.exp_jaw_pose:
            exp, pose = e[:, :n], e[:, n:]
        elif self.exp_global_pose:
            exp, pose = e[:, :n], torch.cat([e[:, n:], pose[:, 3:]], dim=1)
        elif self.exp_jaw_pose:
            exp, pose = e[:, :n], torch.cat([pose[:, :3], e[:, n:]], dim=1)
        else:
            exp = e
        outs = (shape, tex, exp, pose, cam, light)
        if self.e_detail is not None:
            outs = outs + (self.e_detail(image),)
        return outs


class ResnetEncoderStandIn(nn.Module):
    """Same structure as DECA/EMOCA `ResnetEncoder`: ResNet-50 trunk (2048 features after global
    average pooling) -> Linear(2048, 1024) -> ReLU -> Linear(1024, outsize)."""

    def __init__(self, outsize: int):
        super().__init__()
        import torchvision
        trunk = torchvision.models.resnet50(weights=None)
        trunk.fc = nn.Identity()
        self.encoder = trunk
        self.layers = nn.Sequential(nn.Linear(2048, 1024), nn.ReLU(), nn.Linear(1024, outsize))

    def forward(self, x):
        return self.layers(self.encoder(x))


def _calibration_images(n: int = 12, seed: int = 0) -> torch.Tensor:
    """Varied image-like inputs (smooth patterns, noise, flat colours) for calibrating stand-in heads."""
    g = torch.Generator().manual_seed(seed)
    size = 224
    yy, xx = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32), indexing="ij")
    imgs = []
    for i in range(n):
        f = torch.rand(3, 2, generator=g) * 0.12
        ph = torch.rand(3, generator=g) * 6.28
        img = torch.stack([0.5 + 0.4 * torch.sin(f[c, 0] * xx + f[c, 1] * yy + ph[c]) for c in range(3)])
        img = img * torch.rand(1, generator=g) + torch.rand(3, 1, 1, generator=g) * 0.3
        img = img + 0.1 * torch.rand(1, generator=g) * torch.randn(3, size, size, generator=g)
        imgs.append(img.clamp(0, 1))
    return torch.stack(imgs)


def _calibrate_encoder(enc: ResnetEncoderStandIn, imgs: torch.Tensor, mean, std) -> None:
    with torch.no_grad():
        hidden = enc.layers[1](enc.layers[0](enc.encoder(imgs)))
    calibrate_linear(enc.layers[2], hidden, mean, std)


def emoca_standin(seed: int = 0, detail: bool = False) -> EmocaV2Regressor:
    """Randomly initialised EMOCA v2 of the upstream structure. Like upstream `deca_clone`, the
    expression (and detail) encoder's ResNet starts as a copy of the coarse encoder's, so the
    exported stand-in shares those weights (merged by onnx_export.dedupe_initializers)."""
    torch.manual_seed(seed)
    e_flame = ResnetEncoderStandIn(236)
    e_expression = ResnetEncoderStandIn(53)
    e_expression.encoder.load_state_dict(e_flame.encoder.state_dict())
    e_detail = None
    if detail:
        e_detail = ResnetEncoderStandIn(128)
        e_detail.encoder.load_state_dict(e_flame.encoder.state_dict())
    for m in (e_flame, e_expression, e_detail):
        if m is not None:
            m.eval()
    imgs = _calibration_images()
    # DECA code: shape, tex, exp, pose(global 3, jaw 3), cam(scale, tx, ty), light (9x3 SH)
    mean = [0.0] * 100 + [0.0] * 50 + [0.0] * 50 + [0.0] * 6 + [9.0, 0.0, 0.0] + [3.0, 3.0, 3.0] + [0.0] * 24
    std = [0.8] * 100 + [0.5] * 50 + [0.8] * 50 + [0.1] * 6 + [0.3, 0.01, 0.01] + [0.2] * 27
    _calibrate_encoder(e_flame, imgs, mean, std)
    _calibrate_encoder(e_expression, imgs, [0.0] * 50 + [0.1, 0.0, 0.0], [0.8] * 50 + [0.05, 0.01, 0.01])
    if e_detail is not None:
        _calibrate_encoder(e_detail, imgs, 0.0, 0.5)
    return EmocaV2Regressor(e_flame, e_expression, e_detail).eval()


# ---------------------------------------------------------------------------------------------
# SMIRK
# ---------------------------------------------------------------------------------------------
class SmirkRegressor(nn.Module):
    """Upstream SmirkEncoder (dict out) -> ordered tuple pose, cam, shape, exp, eyelid, jaw."""

    KEYS = ("pose_params", "cam", "shape_params", "expression_params", "eyelid_params", "jaw_params")

    def __init__(self, smirk_encoder: nn.Module):
        super().__init__()
        self.smirk_encoder = smirk_encoder

    def forward(self, image: torch.Tensor):
        out = self.smirk_encoder(image)
        return tuple(out[k] for k in self.KEYS)


class _MobileNetHead(nn.Module):
    """Backbone feature map -> global average pool -> Linear, as SMIRK's three encoders do
    (`create_backbone(..., features_only=True)`, last feature map, adaptive_avg_pool2d)."""

    def __init__(self, large: bool, out: int):
        super().__init__()
        import torchvision
        net = (torchvision.models.mobilenet_v3_large if large else torchvision.models.mobilenet_v3_small)(weights=None)
        self.encoder = net.features  # last stage: 960 (large) / 576 (small) channels, as timm's features_only
        self.layers = nn.Sequential(nn.Linear(960 if large else 576, out))

    def features(self, img):
        return F.adaptive_avg_pool2d(self.encoder(img), (1, 1)).squeeze(-1).squeeze(-1)

    def forward(self, img):
        return self.layers(self.features(img)).reshape(img.size(0), -1)


class SmirkEncoderStandIn(nn.Module):
    """Same heads and output activations as upstream SmirkEncoder: pose/cam from a small
    MobileNetV3 (6 = 3 pose + 3 cam), shape (300) and expression (50 exp + 2 eyelid + 3 jaw) from
    large ones; eyelids clamped to [0, 1], jaw = [relu(x), clamp(y, -.2, .2), clamp(z, -.2, .2)]."""

    def __init__(self, n_exp: int = 50, n_shape: int = 300):
        super().__init__()
        self.n_exp = n_exp
        self.pose = _MobileNetHead(large=False, out=6)
        self.shape = _MobileNetHead(large=True, out=n_shape)
        self.expression = _MobileNetHead(large=True, out=n_exp + 2 + 3)

    def forward(self, img):
        pc = self.pose(img)
        p = self.expression(img)
        n = self.n_exp
        return {
            "pose_params": pc[..., :3],
            "cam": pc[..., 3:],
            "shape_params": self.shape(img),
            "expression_params": p[..., :n],
            "eyelid_params": torch.clamp(p[..., n:n + 2], 0, 1),
            "jaw_params": torch.cat([F.relu(p[..., n + 2].unsqueeze(-1)), torch.clamp(p[..., n + 3:n + 5], -.2, .2)], dim=-1),
        }


def smirk_standin(seed: int = 0) -> SmirkRegressor:
    torch.manual_seed(seed)
    enc = SmirkEncoderStandIn().eval()
    imgs = _calibration_images()
    with torch.no_grad():
        fp, fs, fe = enc.pose.features(imgs), enc.shape.features(imgs), enc.expression.features(imgs)
    # SMIRK initialises cam scale at 7 (PoseEncoder.init_weights); keep that neighbourhood
    calibrate_linear(enc.pose.layers[0], fp, [0, 0, 0, 7.0, 0, 0], [0.1, 0.1, 0.05, 0.3, 0.02, 0.02])
    calibrate_linear(enc.shape.layers[0], fs, 0.0, 0.5)
    calibrate_linear(enc.expression.layers[0], fe, [0.0] * 50 + [0.3, 0.3, 0.05, 0.0, 0.0],
                     [0.8] * 50 + [0.25, 0.25, 0.08, 0.05, 0.05])
    return SmirkRegressor(enc).eval()


def count_params(m: nn.Module, names: Sequence[str] = ()) -> int:
    return sum(p.numel() for p in m.parameters())
