"""Export the trained fer2d checkpoint to ONNX, check it, and score it with PyTorch.

    /usr/bin/python3 training/export_fer2d.py --ckpt training/runs/fer2d/best.pt

* Writes public/models/fer2d.onnx: input `image` [N,1,48,48] float32 = (p/255-0.5)/0.5,
  output `logits` [N,8] in FER+ vote order (the plain network, one view).
* Chooses the gated flip TTA on Valid (mirror only when the top-1 − top-2 margin is small, see
  src/core/inference/testTimeFlip.ts) and records it in the metrics; with --manifest, also
  writes it (and the file's sha256) into the pack manifest's fei2d entry.
* Scores the exported computation (float32, PyTorch) on Valid and on Test.  This is the
  one place Test is evaluated; nothing is chosen from it.
* For the shipped path, writes tests/fixtures/fer2d.parity.json (training/fer2d_parity.py):
  PyTorch's logits on 32 Valid faces, which the vitest parity test bounds.
* Writes the preprocessed Valid/Test inputs, labels and PyTorch logits to --bin-prefix
  (default /tmp/fer2d_*) for training/eval_ort_web.mjs, which re-scores the .onnx file
  with onnxruntime-web and adds its numbers to the metrics file.
"""
import argparse
import datetime
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer2d_model import load_checkpoint  # noqa: E402
from ferplus import AFFECTNET_CLASSES, FERPLUS_CLASSES, load_split  # noqa: E402
from metrics import summarize  # noqa: E402
from train_fer2d import REPO, to_input  # noqa: E402
from fer2d_parity import write_fixture  # noqa: E402

SHIPPED_ONNX = os.path.join(REPO, "public", "models", "fer2d.onnx")


def store_weights_as_fp16(m, min_size=64):
    """Store the large float32 weights as float16, each followed by a Cast back to float32.

    Halves the download (the browser fetches this file); onnxruntime folds the Casts when it loads
    the model, so inference still runs in float32 on the rounded weights. The rounding changes
    logits by ~1e-3; eval_ort_web.mjs measures the shipped file against PyTorch's float32.
    """
    from onnx import helper, numpy_helper
    casts, kept = [], []
    for init in m.graph.initializer:
        w = numpy_helper.to_array(init)
        if init.data_type != onnx.TensorProto.FLOAT or w.size < min_size:
            kept.append(init)
            continue
        kept.append(numpy_helper.from_array(w.astype(np.float16), init.name + "_fp16"))
        casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=onnx.TensorProto.FLOAT))
    del m.graph.initializer[:]
    m.graph.initializer.extend(kept)
    nodes = casts + list(m.graph.node)  # the Casts read only initializers: first keeps topological order
    del m.graph.node[:]
    m.graph.node.extend(nodes)


def apply_flip_gate(plain, mirror, threshold):
    """Logits under the app's gated flip TTA (core/inference/testTimeFlip.ts): mean of the image
    and its mirror where the first pass's top-1 − top-2 probability margin is below `threshold`
    (None = always), the first pass alone elsewhere. Returns (logits, mirrored mask) as numpy."""
    top2 = torch.softmax(plain, 1).topk(2, 1).values
    use = torch.ones(len(plain), dtype=torch.bool) if threshold is None else (top2[:, 0] - top2[:, 1]) < threshold
    logits = torch.where(use[:, None], (plain + mirror) / 2, plain)
    return logits.numpy(), use.numpy()


def choose_flip_gate(label, plain, mirror):
    """On Valid: the smallest threshold (fewest mirrored passes) that loses nothing against always
    mirroring. Returns {"threshold": t or None, "curve": [[t, mirrored fraction, accuracy], ...]}."""
    full = (apply_flip_gate(plain, mirror, None)[0].argmax(1) == label).mean()
    curve, chosen = [], None
    for t in [round(0.05 * k, 2) for k in range(1, 20)]:
        logits, use = apply_flip_gate(plain, mirror, t)
        acc = (logits.argmax(1) == label).mean()
        curve.append([t, round(float(use.mean()), 4), round(float(acc), 4)])
        if chosen is None and acc >= full:
            chosen = t
    curve.append([None, 1.0, round(float(full), 4)])
    return {"threshold": chosen, "curve": curve}


def update_manifest(path, onnx_path, tta):
    """Point the pack's fei2d entry at the new file (sha256) and its Valid-chosen flip policy."""
    with open(path) as f:
        manifest = json.load(f)
    (entry,) = [m for m in manifest["models"] if m.get("role") == "fei2d"]
    with open(onnx_path, "rb") as f:
        entry["sha256"] = hashlib.sha256(f.read()).hexdigest()
    entry["testTimeAugmentation"] = tta
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"updated {path}: fei2d sha256 {entry['sha256'][:12]}…, testTimeAugmentation {json.dumps(tta)}", flush=True)


def upstream_runs(cfg, seen=None):
    """The training runs a checkpoint depends on (its --init and --teachers), dependencies first,
    so the model card can print the whole rebuild chain of a distilled model."""
    seen = set() if seen is None else seen
    runs = []
    for path in [cfg.get("init", "")] + cfg.get("teachers", "").split(","):
        if not path or path in seen:
            continue
        seen.add(path)
        if os.path.exists(path):
            up = torch.load(path, map_location="cpu", weights_only=False)["config"]
        else:  # a teacher trained on a lent GPU machine and not brought back: its run's history has the config
            up = json.load(open(os.path.join(os.path.dirname(path), "history.json")))["config"]
        runs += upstream_runs(up, seen)
        run = {"checkpoint": path, "config": {k: v for k, v in up.items() if k not in ("data", "cache")}}
        hist = os.path.join(os.path.dirname(path), "history.json")
        if os.path.exists(hist):
            run["epochs"] = len(json.load(open(hist)).get("history", []))
        runs.append(run)
    return runs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", default=os.path.join(REPO, "training", "runs", "fer2d", "best.pt"))
    p.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "ferplus"))
    p.add_argument("--cache", default=os.path.join(REPO, "training", "runs", "cache"))
    p.add_argument("--onnx", default=SHIPPED_ONNX)
    p.add_argument("--metrics", default=os.path.join(REPO, "public", "models", "fer2d.metrics.json"))
    p.add_argument("--bin-prefix", default="/tmp/fer2d")
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--flip-gate", type=float, default=None,
                   help="use this flip gate instead of choosing one on FER2013's framing of Valid (e.g. the one "
                        "training/experiments/flip_gate_app_crops.py chose on the app's own Valid crops, which the app sees)")
    p.add_argument("--manifest", help="pack manifest whose fei2d entry gets the new sha256 and flip policy")
    p.add_argument("--no-fp16-weights", dest="fp16_weights", action="store_false",
                   help="keep the weights in float32 (twice the file size)")
    args = p.parse_args()
    torch.set_num_threads(2)

    net, ck = load_checkpoint(args.ckpt)  # float32, default (NCHW-contiguous) memory format
    cfg = ck["config"]

    # --- export: the plain network; the app applies the (gated) flip TTA chosen below -------
    dummy = torch.zeros(2, 1, 48, 48)
    torch.onnx.export(net, dummy, args.onnx, opset_version=args.opset,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(args.onnx)
    onnx.checker.check_model(m, full_check=True)  # full_check also runs shape inference
    (inp,), (out,) = m.graph.input, m.graph.output
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    assert inp.name == "image" and dims(inp) == ["N", 1, 48, 48], dims(inp)
    assert out.name == "logits" and dims(out) == ["N", 8], dims(out)
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    if args.fp16_weights:
        store_weights_as_fp16(m)
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, args.onnx)
    with open(args.onnx, "rb") as f:
        blob = f.read()
    print(f"exported {args.onnx}: {len(blob)/1e6:.2f} MB, opset {args.opset}, checker OK", flush=True)
    if os.path.abspath(args.onnx) == os.path.abspath(SHIPPED_ONNX):
        # The shipped file gets its parity fixture (tests/core/fer2dParity.test.ts); a candidate elsewhere does not.
        write_fixture(net, args.data, args.cache, args.onnx)

    # --- score (PyTorch, float32) ------------------------------------------------------
    # Logits of every image and of its mirror; the flip gate is chosen on Valid (below).
    results, counts, views = {}, {}, {}
    tr = load_split(args.data, "Train", args.cache)
    counts["train"] = {"kept": len(tr["label"]), "dropped": tr["n_dropped"]}
    for split in ("Valid", "Test"):
        d = load_split(args.data, split, args.cache)
        counts[split.lower()] = {"kept": len(d["label"]), "dropped": d["n_dropped"]}
        x = to_input(torch.from_numpy(d["images"]))
        with torch.no_grad():
            plain = torch.cat([net(x[i:i + 500]) for i in range(0, len(x), 500)])
            mirror = torch.cat([net(torch.flip(x[i:i + 500], dims=[3])) for i in range(0, len(x), 500)])
        views[split.lower()] = (x, d["label"], plain, mirror)

    gate = choose_flip_gate(*views["valid"][1:])
    print("flip gate (chosen on Valid):", json.dumps(gate), flush=True)
    chosen_on = "Valid: the smallest mirrored fraction whose accuracy is at least that of always mirroring"
    if args.flip_gate is not None:
        gate["threshold"] = args.flip_gate
        chosen_on = ("the app's own Valid crops (training/experiments/flip_gate_app_crops.py): the smallest mirrored "
                     "fraction whose accuracy is at least that of always mirroring; the curve below is FER2013's framing")
        print(f"flip gate given: {args.flip_gate}", flush=True)
    tta = {"flip": True, **({"flipWhenMarginBelow": gate["threshold"]} if gate["threshold"] is not None else {})}
    tta_report = {"policy": tta, "chosenOn": chosen_on, "validCurve": gate["curve"]}
    for split, (x, label, plain, mirror) in views.items():
        logits, use = apply_flip_gate(plain, mirror, gate["threshold"])
        results[split] = summarize(label, logits.argmax(1))
        tta_report[split] = {"mirroredFraction": round(float(use.mean()), 4),
                             "accuracyNoFlip": float((plain.argmax(1).numpy() == label).mean()),
                             "accuracyAlwaysFlip": float((((plain + mirror) / 2).argmax(1).numpy() == label).mean())}
        print(split, json.dumps({k: results[split][k] for k in ("n", "accuracy", "macroF1")}),
              json.dumps(tta_report[split]), flush=True)
        # Inputs for the onnxruntime-web check (outside the repo): it applies the same gate.
        pre = f"{args.bin_prefix}_{split}"
        x.numpy().astype("<f4").tofile(pre + ".input.f32")
        label.astype(np.uint8).tofile(pre + ".label.u8")
        logits.astype("<f4").tofile(pre + ".torch_logits.f32")
        use.astype(np.uint8).tofile(pre + ".torch_mirrored.u8")

    hist_path = os.path.join(os.path.dirname(args.ckpt), "history.json")
    hist = json.load(open(hist_path)) if os.path.exists(hist_path) else {}
    epochs = hist.get("history", [])
    metrics = {
        "model": "fer2d",
        "dataset": "FER+",
        "protocol": "majority",
        "protocolNote": "label = argmax of the 10 votes (ties -> first in vote order); images whose "
                        "majority is unknown or not-a-face dropped; checkpoint chosen on Valid",
        "units": "fractions 0..1",
        "classOrder": AFFECTNET_CLASSES,
        "outputOrder": FERPLUS_CLASSES,
        "testTimeAugmentation": tta_report,
        "splits": counts,
        "valid": results["valid"],
        "test": results["test"],
        "pytorch": {"version": torch.__version__, "dtype": "float32"},
        "onnx": {"file": "fer2d.onnx", "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                 "weights": "float16 storage, Cast to float32 at load" if args.fp16_weights else "float32",
                 "opset": args.opset, "input": "image [N,1,48,48] float32, (p/255-0.5)/0.5",
                 "output": "logits [N,8] FER+ order"},
        "params": cfg.get("params"),
        "runDir": os.path.relpath(os.path.dirname(os.path.abspath(args.ckpt)), REPO),
        "checkpoint": ck.get("best"),
        # Valid accuracy per evaluated epoch (EMA weights), for the card's learning-curve remark.
        "validCurve": [[e["epoch"], round(e["ema"]["accuracy"], 4)] for e in epochs if "ema" in e],
        "epochs": len(epochs),
        "trainingSeconds": round(hist.get("trainingSeconds", 0), 1),
        "secondsPerEpochMedian": (round(float(np.median([e["trainSeconds"] for e in epochs])), 1)
                                  if epochs else None),
        "steps": sum(e.get("steps", 0) for e in epochs),
        "secondsPerEpochRange": ([round(min(e["trainSeconds"] for e in epochs if e.get("progress", 0) < 1), 1),
                                  round(max(e["trainSeconds"] for e in epochs), 1)] if epochs else None),
        # Every training option except local paths.
        "trainConfig": {k: v for k, v in cfg.items() if k not in ("data", "out", "cache")},
        "upstreamRuns": upstream_runs(cfg),
        "generated": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z",
    }
    with open(args.metrics, "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"wrote {args.metrics}", flush=True)
    if args.manifest:
        update_manifest(args.manifest, args.onnx, tta)


if __name__ == "__main__":
    main()
