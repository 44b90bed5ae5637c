"""Choose the shipped fer2d among candidates (the current net, WiSE-FT interpolations of a
fine-tune) and their prior corrections τ, on the app's own Valid crops and the cross-domain
shifts of those crops (training/score_app_crops.py --out). Never on Test.

Rule (choice_rule.py, shared with choose_calibration.py): the batch default is the (net, τ) with
the highest Valid balanced accuracy + mean balanced accuracy over the 8 shifts, among those whose
Valid accuracy is at least --min-clean-acc (no FER+ regression); the balanced policy (live view) is
the highest of that sum for the chosen net at any τ.

  /usr/bin/python3 training/choose_fer2d_candidate.py training/runs/app_crops_check.json
"""
import argparse
import json
from collections import defaultdict

from choice_rule import choose

ap = argparse.ArgumentParser()
ap.add_argument("report")
ap.add_argument("--min-clean-acc", type=float, default=0.855)
a = ap.parse_args()
rep = json.load(open(a.report))
by = defaultdict(dict)
for key, m in rep.items():
    d, net, shift, tau = key.split("|")
    by[(f"{d}/{net}", float(tau))][shift] = m
rows = []
for (net, tau), sh in sorted(by.items()):
    if "clean" not in sh:
        continue
    shifts = [s for s in sh if s != "clean"]
    xb = sum(sh[s]["balancedAccuracy"] for s in shifts) / len(shifts)
    xa = sum(sh[s]["accuracy"] for s in shifts) / len(shifts)
    rows.append({"net": net, "tau": tau, "acc": sh["clean"]["accuracy"], "bal": sh["clean"]["balancedAccuracy"],
                 "f1": sh["clean"]["macroF1"], "xacc": xa, "xbal": xb, "nShifts": len(shifts),
                 "byShift": {s: (round(sh[s]["accuracy"], 4), round(sh[s]["balancedAccuracy"], 4)) for s in shifts}})
print(f"{'net':40s} {'tau':>5} | Valid acc  bal    F1   | shifts acc  bal")
for r in rows:
    print(f"{r['net']:40s} {r['tau']:+5.2f} | {r['acc']:.4f} {r['bal']:.4f} {r['f1']:.4f} | {r['xacc']:.4f} {r['xbal']:.4f} ({r['nShifts']})")
parts = lambda r: (r["acc"], r["bal"], r["xbal"])  # noqa: E731
best = choose(rows, parts, a.min_clean_acc)
bal = choose([r for r in rows if r["net"] == best["net"]], parts)
print(f"\nbatch default (Valid acc ≥ {a.min_clean_acc}): {best['net']} τ {best['tau']:+.2f}: Valid {best['acc']:.4f}/{best['bal']:.4f}, shifts {best['xacc']:.4f}/{best['xbal']:.4f}")
print(f"balanced policy for that net: τ {bal['tau']:+.2f} (relative to the net's raw logits; {bal['tau'] - best['tau']:+.2f} on top of the default): Valid {bal['acc']:.4f}/{bal['bal']:.4f}, shifts {bal['xacc']:.4f}/{bal['xbal']:.4f}")
for r in (best, bal):
    print(json.dumps(r["byShift"]))
