"""Self-test of the export tooling without any licensed asset (run: /usr/bin/python3 training/export/selftest.py).

1. flame.bin round trip, and the numpy FLAME reference against a direct torch re-implementation of
   FLAME's lbs() (batch_rodrigues with the +1e-8, pose features, rigid chain, skinning).
2. export_flame.py on a fake FLAME-2020-like pickle whose `shapedirs` is a chumpy object and whose
   `J_regressor` is a scipy sparse matrix, loaded with chumpy absent (stub unpickler).
3. export_emoca.py on a fake Lightning checkpoint (state_dict `deca.E_flame.*`, `deca.E_expression.*`,
   plus a pickled config object of a module that is not installed) built from the stand-in: the
   export must reproduce the stand-in's outputs.  (--skip-emoca to save ~1 min on 2 cores)
4. export_smirk.py on a fake SMIRK clone (a generated `src/smirk_encoder.py` exposing the upstream
   interface: create_backbone(name, pretrained), SmirkEncoder with pose/shape/expression encoders)
   and a fake `SMIRK_em1.pt` with `smirk_encoder.*` and `smirk_generator.*` keys.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import textwrap
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from flame_bin import read_flame_bin, write_flame_bin  # noqa: E402
from flame_numpy import flame_forward, make_synthetic_flame  # noqa: E402


def torch_lbs(arrays, shape, exp, pose):
    """FLAME lbs() written against torch, float64, as an independent check of flame_numpy."""
    d = torch.float64
    t = lambda a: torch.tensor(np.array(a), dtype=d)  # noqa: E731
    V = arrays["v_template"].shape[0]
    shapedirs = torch.cat([t(arrays["shape_basis"][: len(shape)]), t(arrays["expr_basis"][: len(exp)])]).permute(1, 2, 0)
    betas = torch.cat([t(shape), t(exp)])[None]
    v_shaped = t(arrays["v_template"])[None] + torch.einsum("bl,mkl->bmk", betas, shapedirs)
    J = torch.einsum("bik,ji->bjk", v_shaped, t(arrays["j_regressor"]))
    rv = t(pose).view(-1, 3)
    angle = torch.norm(rv + 1e-8, dim=1, keepdim=True)
    rd = rv / angle
    cos, sin = torch.cos(angle)[:, None], torch.sin(angle)[:, None]
    rx, ry, rz = torch.split(rd, 1, dim=1)
    z = torch.zeros_like(rx)
    K = torch.cat([z, -rz, ry, rz, z, -rx, -ry, rx, z], 1).view(-1, 3, 3)
    R = torch.eye(3, dtype=d)[None] + sin * K + (1 - cos) * torch.bmm(K, K)
    feat = (R[1:] - torch.eye(3, dtype=d)).reshape(1, -1)
    posedirs = t(arrays["pose_basis"]).reshape(36, V * 3)
    v_posed = v_shaped + (feat @ posedirs).view(1, V, 3)
    parents = arrays["parents"]
    rel = J.clone()
    rel[:, 1:] -= J[:, parents[1:]]
    T = torch.zeros(5, 4, 4, dtype=d)
    T[:, :3, :3] = R
    T[:, :3, 3] = rel[0]
    T[:, 3, 3] = 1
    chain = [T[0]]
    for i in range(1, 5):
        chain.append(chain[parents[i]] @ T[i])
    G = torch.stack(chain)
    A = G.clone()
    A[:, :3, 3] -= torch.einsum("jab,jb->ja", G[:, :3, :3], J[0])
    W = t(arrays["lbs_weights"])
    Tv = torch.einsum("vj,jab->vab", W, A)
    v = torch.einsum("vab,vb->va", Tv[:, :3, :3], v_posed[0]) + Tv[:, :3, 3]
    return v.numpy()


def check_reference():
    arrays = make_synthetic_flame(seed=3, reduced=False)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "flame.bin")
        write_flame_bin(p, arrays, model="synthetic")
        header, back = read_flame_bin(p)
        for k, v in arrays.items():
            assert np.array_equal(np.asarray(v), back[k]), k
        assert all(e["offset"] % 16 == 0 for e in header["arrays"])
    rng = np.random.default_rng(0)
    shape, exp = rng.normal(0, 1, 300), rng.normal(0, 1, 100)
    pose = rng.normal(0, 0.3, 15)
    ref, _ = flame_forward(back, shape, exp, pose[:3], pose[3:6], pose[6:9], pose[9:15])
    tv = torch_lbs(back, shape, exp, pose)
    err = np.abs(ref - tv).max()
    assert err < 1e-12, err
    print(f"ok  flame.bin round trip; numpy FLAME vs torch lbs(): max abs diff {err:.1e}")


def check_export_flame():
    import scipy.sparse as sp
    arrays = make_synthetic_flame(seed=1, reduced=True, with_eyelids=True)
    V = arrays["v_template"].shape[0]
    sd = np.zeros((V, 3, 400))
    sd[:, :, :20] = np.transpose(arrays["shape_basis"], (1, 2, 0))
    sd[:, :, 300:310] = np.transpose(arrays["expr_basis"], (1, 2, 0))
    # pickle a fake "chumpy.ch.Ch" (state {'x': array}) and a scipy csc matrix, then load without chumpy
    fake = types.ModuleType("chumpy.ch")

    class Ch:  # noqa: D401 - stand-in for chumpy's array type, only for this test
        def __init__(self, x):
            self.x = x

    Ch.__module__ = "chumpy.ch"
    Ch.__qualname__ = "Ch"
    fake.Ch = Ch
    sys.modules["chumpy"] = types.ModuleType("chumpy")
    sys.modules["chumpy.ch"] = fake
    model = {"v_template": arrays["v_template"].astype(np.float64), "f": arrays["faces"].astype(np.uint32),
             "shapedirs": Ch(sd), "posedirs": np.transpose(arrays["pose_basis"], (1, 2, 0)).astype(np.float64),
             "J_regressor": sp.csc_matrix(arrays["j_regressor"].astype(np.float64)),
             "weights": arrays["lbs_weights"].astype(np.float64),
             "kintree_table": np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]], dtype=np.int64)}
    with tempfile.TemporaryDirectory() as d:
        pkl = os.path.join(d, "generic_model.pkl")
        with open(pkl, "wb") as f:
            pickle.dump(model, f, protocol=2)
        del sys.modules["chumpy"], sys.modules["chumpy.ch"]
        np.save(os.path.join(d, "l_eyelid.npy"), arrays["eyelid_basis"][0])
        np.save(os.path.join(d, "r_eyelid.npy"), arrays["eyelid_basis"][1])
        out = os.path.join(d, "flame.bin")
        subprocess.run([sys.executable, os.path.join(HERE, "export_flame.py"), "--flame", pkl, "--n-shape", "20",
                        "--n-exp", "10", "--l-eyelid", os.path.join(d, "l_eyelid.npy"), "--r-eyelid",
                        os.path.join(d, "r_eyelid.npy"), "--out", out], check=True, stdout=subprocess.DEVNULL)
        _, back = read_flame_bin(out)
        for k, v in arrays.items():
            assert np.allclose(np.asarray(v, dtype=np.float64), back[k], atol=0), k
        entry = json.load(open(out + ".manifest.json"))
        assert entry["role"] == "morphable" and entry["format"] == "flame-bin-v1", entry
    print("ok  export_flame.py: chumpy-free load of a FLAME-style pickle (Ch shapedirs, sparse J_regressor) + eyelids")


def check_emoca():
    from onnx_export import reference_input
    from regressor_modules import emoca_standin
    torch.set_num_threads(1)
    model = emoca_standin(seed=5)
    sd = {f"deca.E_flame.{k}": v for k, v in model.e_flame.state_dict().items()}
    sd.update({f"deca.E_expression.{k}": v for k, v in model.e_expression.state_dict().items()})
    sd["deca.D_detail.dummy"] = torch.zeros(1)
    missing_mod = types.ModuleType("omegaconf_missing")

    class DictConfig:
        pass

    DictConfig.__module__ = "omegaconf_missing"
    DictConfig.__qualname__ = "DictConfig"
    missing_mod.DictConfig = DictConfig
    sys.modules["omegaconf_missing"] = missing_mod
    with tempfile.TemporaryDirectory() as d:
        ck = os.path.join(d, "deca-epoch=01.ckpt")
        torch.save({"state_dict": sd, "hyper_parameters": {"model_params": DictConfig()}}, ck)
        del sys.modules["omegaconf_missing"]
        out = os.path.join(d, "emoca.onnx")
        subprocess.run([sys.executable, os.path.join(HERE, "export_emoca.py"), "--checkpoint", ck, "--out", out],
                       check=True)
        ref = json.load(open(out[:-5] + ".reference.json"))["outputs"]
        with torch.no_grad():
            mine = model(torch.from_numpy(reference_input(2)))
        err = max(float(np.abs(np.array(ref[n]) - t.numpy()).max()) for n, t in zip(ref, mine))
        assert err < 1e-4, err
        assert list(ref) == ["shape", "tex", "exp", "pose", "cam", "light"]
    print(f"ok  export_emoca.py on a fake checkpoint: outputs match the source model (max diff {err:.1e})")


FAKE_SMIRK = '''
"""Test double exposing upstream SMIRK's encoder interface (written for ig3d-web's selftest)."""
import torch, torchvision
import torch.nn.functional as F
from torch import nn

CALLS = []

class _Features(nn.Module):
    def __init__(self, feats):
        super().__init__()
        self.body = feats
    def forward(self, x):
        return [self.body(x)]

def create_backbone(backbone_name, pretrained=True):
    CALLS.append((backbone_name, pretrained))
    if pretrained:
        raise RuntimeError("would download")
    large = "large" in backbone_name
    net = (torchvision.models.mobilenet_v3_large if large else torchvision.models.mobilenet_v3_small)(weights=None)
    return _Features(net.features), (960 if large else 576)

class _Enc(nn.Module):
    def __init__(self, name, out, attr):
        super().__init__()
        self.encoder, dim = create_backbone(name)
        setattr(self, attr, nn.Sequential(nn.Linear(dim, out)))
        self.attr = attr
    def feats(self, img):
        return F.adaptive_avg_pool2d(self.encoder(img)[-1], (1, 1)).squeeze(-1).squeeze(-1)

class SmirkEncoder(nn.Module):
    def __init__(self, n_exp=50, n_shape=300):
        super().__init__()
        self.n_exp = n_exp
        self.pose_encoder = _Enc("tf_mobilenetv3_small_minimal_100", 6, "pose_cam_layers")
        self.shape_encoder = _Enc("tf_mobilenetv3_large_minimal_100", n_shape, "shape_layers")
        self.expression_encoder = _Enc("tf_mobilenetv3_large_minimal_100", n_exp + 5, "expression_layers")
    def forward(self, img):
        pc = self.pose_encoder.pose_cam_layers(self.pose_encoder.feats(img))
        s = self.shape_encoder.shape_layers(self.shape_encoder.feats(img))
        p = self.expression_encoder.expression_layers(self.expression_encoder.feats(img))
        n = self.n_exp
        return {"pose_params": pc[..., :3], "cam": pc[..., 3:], "shape_params": s,
                "expression_params": p[..., :n], "eyelid_params": torch.clamp(p[..., n:n + 2], 0, 1),
                "jaw_params": torch.cat([F.relu(p[..., n + 2].unsqueeze(-1)), torch.clamp(p[..., n + 3:n + 5], -.2, .2)], -1)}
'''


def check_smirk():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "repo", "src"))
        with open(os.path.join(d, "repo", "src", "smirk_encoder.py"), "w") as f:
            f.write(textwrap.dedent(FAKE_SMIRK))
        code = textwrap.dedent(f"""
            import sys, torch
            sys.path.insert(0, {os.path.join(d, 'repo')!r})
            import src.smirk_encoder as se
            _cb = se.create_backbone
            se.create_backbone = lambda n, pretrained=True: _cb(n, pretrained=False)
            torch.manual_seed(7)
            enc = se.SmirkEncoder()
            for p in enc.parameters():
                p.data.mul_(0.5)
            sd = {{'smirk_encoder.' + k: v for k, v in enc.state_dict().items()}}
            sd['smirk_generator.w'] = torch.zeros(3)
            torch.save(sd, {os.path.join(d, 'SMIRK_em1.pt')!r})
        """)
        subprocess.run([sys.executable, "-c", code], check=True)
        out = os.path.join(d, "smirk.onnx")
        subprocess.run([sys.executable, os.path.join(HERE, "export_smirk.py"), "--smirk-repo", os.path.join(d, "repo"),
                        "--checkpoint", os.path.join(d, "SMIRK_em1.pt"), "--out", out], check=True)
        ref = json.load(open(out[:-5] + ".reference.json"))["outputs"]
        assert list(ref) == ["pose", "cam", "shape", "exp", "eyelid", "jaw"], list(ref)
        assert [len(ref[k][0]) for k in ref] == [3, 3, 300, 50, 2, 3]
        assert min(min(r) for r in ref["eyelid"]) >= 0 and max(max(r) for r in ref["eyelid"]) <= 1
        entry = json.load(open(out + ".manifest.json"))
        assert entry["family"] == "smirk" and entry["input"]["crop"]["scale"] == 1.4
    print("ok  export_smirk.py on a fake SMIRK clone + checkpoint (no pretrained download, strict load)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-emoca", action="store_true")
    a = ap.parse_args()
    check_reference()
    check_export_flame()
    check_smirk()
    if not a.skip_emoca:
        check_emoca()
