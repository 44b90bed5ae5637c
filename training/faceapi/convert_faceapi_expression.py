"""Convert face-api's FaceExpressionNet (tfjs weights, MIT) to a PyTorch module and an ONNX file.

Source: the `model/face_expression_model*` files of the npm package @vladmandic/face-api
(a maintained fork of Vincent Mühler's face-api.js; both MIT). The weights are uint8-quantised
tfjs tensors; we de-quantise them (value = q·scale + min) exactly as tfjs does at load.

The network, as face-api documents and runs it (re-implemented here from its architecture, not
copied): a 112×112 RGB face crop, (x − mean_rgb) / 255, four "dense blocks" (each: a stride-2
conv — plain 3×3 in the first block, depthwise-separable after — then three separable convs whose
inputs are the running sums of the earlier outputs, ReLU between), 7×7 average pool, a 256→7
fully connected layer. Output: 7 logits in face-api's order neutral, happy, sad, angry, fearful,
disgusted, surprised (no contempt). tfjs pads 'same' convolutions asymmetrically for stride 2
(0 before, 1 after on a 112-pixel side), which is why the stride-2 convs pad explicitly.

The exported graph takes NCHW float32 pixels in 0..1 minus mean_rgb/255 (the manifest declares
that normalisation, so the app's tensor packing stays generic) and returns the logits.

  /usr/bin/python3 training/faceapi/convert_faceapi_expression.py \
      --model-dir node_modules/@vladmandic/face-api/model --out public/models/faceexpr7.onnx
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN_RGB = (122.782, 117.001, 104.298)
FACEAPI_CLASSES = ["neutral", "happy", "sad", "anger", "fear", "disgust", "surprise"]


def read_tfjs_weights(model_dir: str, name: str = "face_expression_model") -> dict[str, np.ndarray]:
    """Read a tfjs weights manifest + shard(s) into float32 arrays (de-quantised)."""
    with open(os.path.join(model_dir, f"{name}-weights_manifest.json")) as f:
        manifest = json.load(f)
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            shape = w["shape"]
            n = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            if q:
                dt = {"uint8": np.uint8, "uint16": np.uint16, "float16": np.float16}[q["dtype"]]
                raw = np.frombuffer(buf, dtype=dt, count=n, offset=off)
                off += n * np.dtype(dt).itemsize
                if q["dtype"] == "float16":
                    arr = raw.astype(np.float32)
                else:
                    arr = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            else:
                if w["dtype"] != "float32":
                    raise ValueError(f"{w['name']}: unsupported dtype {w['dtype']}")
                arr = np.frombuffer(buf, dtype=np.float32, count=n, offset=off).copy()
                off += n * 4
            out[w["name"]] = arr.reshape(shape)
        if off != len(buf):
            raise ValueError(f"weights shard has {len(buf)} bytes, manifest describes {off}")
    return out


class SeparableConv(nn.Module):
    """tf.separableConv2d + bias: depthwise 3×3 then pointwise 1×1."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.stride = stride
        self.depthwise = nn.Conv2d(cin, cin, 3, stride=stride, padding=0, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=True)

    def forward(self, x):
        x = F.pad(x, (0, 1, 0, 1)) if self.stride == 2 else F.pad(x, (1, 1, 1, 1))
        return self.pointwise(self.depthwise(x))


class DenseBlock4(nn.Module):
    def __init__(self, cin: int, cout: int, first: bool):
        super().__init__()
        self.first = first
        self.conv0 = nn.Conv2d(cin, cout, 3, stride=2, padding=0) if first else SeparableConv(cin, cout, 2)
        self.conv1 = SeparableConv(cout, cout, 1)
        self.conv2 = SeparableConv(cout, cout, 1)
        self.conv3 = SeparableConv(cout, cout, 1)

    def forward(self, x):
        out1 = F.relu(self.conv0(F.pad(x, (0, 1, 0, 1))) if self.first else self.conv0(x))
        out2 = self.conv1(out1)
        out3 = self.conv2(F.relu(out1 + out2))
        out4 = self.conv3(F.relu(out1 + out2 + out3))
        return F.relu(out1 + out2 + out3 + out4)


class FaceExpressionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense0 = DenseBlock4(3, 32, first=True)
        self.dense1 = DenseBlock4(32, 64, first=False)
        self.dense2 = DenseBlock4(64, 128, first=False)
        self.dense3 = DenseBlock4(128, 256, first=False)
        self.fc = nn.Linear(256, 7)

    def forward(self, x):
        """x: NCHW RGB, (pixel/255 − mean_rgb/255); returns 7 logits."""
        for block in (self.dense0, self.dense1, self.dense2, self.dense3):
            x = block(x)
        x = F.avg_pool2d(x, 7, stride=2)
        return self.fc(torch.flatten(x, 1))


def load_weights(net: FaceExpressionNet, w: dict[str, np.ndarray]) -> None:
    used = set()

    def take(name: str) -> torch.Tensor:
        used.add(name)
        return torch.from_numpy(np.ascontiguousarray(w[name]))

    with torch.no_grad():
        for b in range(4):
            block = getattr(net, f"dense{b}")
            for c in range(4):
                conv = getattr(block, f"conv{c}")
                p = f"dense{b}/conv{c}"
                if isinstance(conv, nn.Conv2d):  # [kh, kw, in, out] → [out, in, kh, kw]
                    conv.weight.copy_(take(f"{p}/filters").permute(3, 2, 0, 1))
                    conv.bias.copy_(take(f"{p}/bias"))
                else:  # depthwise [kh, kw, in, 1] → [in, 1, kh, kw]; pointwise [1, 1, in, out] → [out, in, 1, 1]
                    conv.depthwise.weight.copy_(take(f"{p}/depthwise_filter").permute(2, 3, 0, 1))
                    conv.pointwise.weight.copy_(take(f"{p}/pointwise_filter").permute(3, 2, 0, 1))
                    conv.pointwise.bias.copy_(take(f"{p}/bias"))
        net.fc.weight.copy_(take("fc/weights").t())
        net.fc.bias.copy_(take("fc/bias"))
    unused = set(w) - used
    if unused:
        raise ValueError(f"weights not used by the re-implementation: {sorted(unused)}")


def build(model_dir: str) -> FaceExpressionNet:
    net = FaceExpressionNet().eval()
    load_weights(net, read_tfjs_weights(model_dir))
    return net


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", default="node_modules/@vladmandic/face-api/model")
    ap.add_argument("--out", default="public/models/faceexpr7.onnx")
    ap.add_argument("--fixture-inputs", default="", help="write N random 112×112 RGB uint8 inputs here (.json) for the tfjs parity check")
    args = ap.parse_args()
    net = build(args.model_dir)
    x = torch.zeros(1, 3, 112, 112)
    torch.onnx.export(net, x, args.out, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=10)  # opset 10: Pad takes its pads as an attribute (a plain graph)
    import onnx
    onnx.checker.check_model(onnx.load(args.out))
    digest = hashlib.sha256(open(args.out, "rb").read()).hexdigest()
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
