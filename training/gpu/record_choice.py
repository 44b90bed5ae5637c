"""Record in fer2d.metrics.json what the choice of a GPU-trained fer2d rested on, so the model card
(training/model_card.py) prints measured numbers only:
  * `appCrops`: the chosen net and the previous one on the app's own Valid crops and under the eight
    shifts (the score_app_crops.py report), at τ 0 (batch default) and the live τ (--live-tau);
  * `frontier`: frontier.py's reachability numbers for every net of the run and the previous one;
  * with --previous-metrics, `previousModel`: the replaced net's own record (export_fer2d.py's metrics, as
    kept before the export overwrote them) with its through-the-app numbers (`appPipeline`) scored from
    its `npm run batch` CSVs, so the card compares against measured numbers only.

    /usr/bin/python3 training/gpu/record_choice.py --report training/runs/gpu1/all_check.json \
        --chosen gpu1/student4.pt --previous models/fer2d.onnx --logits training/runs/gpu1/valid_logits_with_prev.npz
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from frontier import best_offsets, best_tau, scores  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def block(rep, net, tau):
    sh = {}
    for key, v in rep.items():
        d, name, shift, t = key.split("|")
        if f"{d}/{name}" == net and float(t) == tau:
            sh[shift] = v
    shifts = [s for s in sh if s != "clean"]
    return {"clean": {k: round(sh["clean"][k], 4) for k in ("accuracy", "balancedAccuracy", "macroF1")},
            "shiftsMean": {k: round(float(np.mean([sh[s][k] for s in shifts])), 4) for k in ("accuracy", "balancedAccuracy")},
            "byShift": {s: {k: round(sh[s][k], 4) for k in ("accuracy", "balancedAccuracy")} for s in shifts}}


PREVIOUS_KEYS = ("onnx", "valid", "test", "testTimeAugmentation", "trainConfig", "upstreamRuns", "runDir", "checkpoint",
                 "epochs", "steps", "trainingSeconds", "previousModel", "onnxruntimeWeb")


def previous_model(a):
    from score_batch_csv import CLASSES, score
    import csv
    old = json.load(open(a.previous_metrics))
    rec = {k: old[k] for k in PREVIOUS_KEYS if k in old}
    rec["commit"] = a.previous_commit
    app = {"note": f"npm run batch -- ../shared/data/ferplus/<Split>/label.csv --whole-image-fallback, at commit "
                   f"{a.previous_commit}: the net as trained (calibration off, or the CSV's pred_fused_raw column where "
                   f"the batch default adapted it), and `adapted` (the dataset prior) where the CSV has it"}
    for split, path in zip(("valid", "test"), a.previous_batch or ()):
        rows = [r for r in csv.DictReader(open(path)) if r["label"] in CLASSES]
        calibration = {r["calibration"] for r in rows}
        adapted = calibration != {"off"}
        # Since session 10 the batch default adapts to the dataset's class mix; the CSV keeps the net as trained.
        assert not adapted or all(r.get("pred_fused_raw") for r in rows), f"{path}: neither off nor with pred_fused_raw"
        s = score([r["label"] for r in rows], [r["pred_fused_raw" if adapted else "pred_fused"] for r in rows])
        app[split] = {k: round(s[k], 4) for k in ("accuracy", "balancedAccuracy", "macroF1")}
        if adapted:
            s = score([r["label"] for r in rows], [r["pred_fused"] for r in rows])
            app[split]["adapted"] = {k: round(s[k], 4) for k in ("accuracy", "balancedAccuracy", "macroF1")}
            app[split]["adaptedBy"] = sorted(calibration)[0]
    if "appCrops" in old:
        app["validShiftsMean"] = old["appCrops"]["this"]["0.0"]["shiftsMean"]
    rec["appPipeline"] = app
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", required=True)
    ap.add_argument("--chosen", required=True)
    ap.add_argument("--previous", required=True)
    ap.add_argument("--logits", required=True)
    ap.add_argument("--metrics", default=os.path.join(ROOT, "public", "models", "fer2d.metrics.json"))
    ap.add_argument("--previous-metrics", default="", help="the replaced net's fer2d.metrics.json (copied before export)")
    ap.add_argument("--previous-commit", default="", help="a commit that holds the replaced net's fer2d.onnx")
    ap.add_argument("--previous-batch", nargs=2, metavar=("VALID_CSV", "TEST_CSV"),
                    help="the replaced net's `npm run batch --whole-image-fallback` CSVs (calibration off)")
    ap.add_argument("--run", default="", help="which GPU call made the chosen net, in words (e.g. 'the third run')")
    ap.add_argument("--env", default="", help="the environment the call ran ferplus_kd.sh with (e.g. 'STUDENTS=balanced SYNC_FREE=1')")
    ap.add_argument("--candidates", default="", help="what the net was chosen among, in words (for the card)")
    ap.add_argument("--live-tau", type=float, default=0.75, help="the live view's τ (the manifest's calibration.tau) for this net")
    a = ap.parse_args()
    m = json.load(open(a.metrics))
    if a.run or a.env or a.candidates:
        m["gpuRun"] = {"run": a.run, "env": a.env, "candidates": a.candidates}
    if a.previous_metrics:
        m["previousModel"] = previous_model(a)
    rep = json.load(open(a.report))
    m["appCrops"] = {
        "what": "FER+ Valid as the app crops it (npm run extract --crops), gated flip, and under 8 shifts of those crops "
                "(training/score_app_crops.py; choice: training/choose_fer2d_candidate.py)",
        "this": {str(t): block(rep, a.chosen, t) for t in (0.0, a.live_tau)},
        "previous": {str(t): block(rep, a.previous, t) for t in sorted({0.0, 0.75, a.live_tau})}}
    z = np.load(a.logits)
    y = z["label"].astype(np.int64)
    nets = {k: z[k] for k in z.files if k != "label"}
    teachers = [k for k in nets if k[0] == "t" and k[1:].isdigit()]
    nets["t-ensemble"] = np.mean([nets[k] for k in teachers], 0)
    fr = {}
    for k, logits in nets.items():
        acc, bal = scores(y, logits)
        tb, tau, _ = best_tau(y, logits, 0.85)
        ob, _ = best_offsets(y, logits, 0.85, tau)
        fr[k] = {"accuracy": round(acc, 4), "balancedAccuracy": round(bal, 4), "bestBalancedAtAcc85Tau": round(tb, 4),
                 "tau": tau, "bestBalancedAtAcc85Offsets": round(ob, 4)}
    m["frontier"] = {"what": "app's Valid crops, always-flip logits; best balanced accuracy at Valid accuracy >= 85 % with the "
                             "one-parameter prior correction, and with 8 per-class offsets fitted on Valid itself (an optimistic "
                             "bound); training/gpu/frontier.py", "nets": fr}
    json.dump(m, open(a.metrics, "w"), indent=1)
    print(f"recorded appCrops and frontier ({len(fr)} nets) in {os.path.relpath(a.metrics, ROOT)}")


if __name__ == "__main__":
    main()
