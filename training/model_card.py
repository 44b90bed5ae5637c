"""Render public/models/fer2d.md (the model card) from public/models/fer2d.metrics.json.

    /usr/bin/python3 training/model_card.py

Numbers in the card are never typed by hand: they come from the metrics file written by
export_fer2d.py (PyTorch) and eval_ort_web.mjs (onnxruntime-web).
"""
import argparse
import json
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from shared_names import CLASS_LABELS as CLASSES  # noqa: E402  (AffectNet order, display labels)


def pct(x):
    return f"{100 * x:.2f}"


def app_pipeline_test(head3d_metrics_path, calibration_metrics_path=None):
    """The 2D branch as the app runs it on FER+ Test (landmark-aligned crop, whole-image fallback,
    gated flip, onnxruntime-web in Chromium): from calibration.metrics.json (score_app_pipeline.py on
    `npm run extract`, the correction off = the batch default) when it is of this net, else from
    train_head3d.py's scoring."""
    if calibration_metrics_path and os.path.exists(calibration_metrics_path):
        c = json.load(open(calibration_metrics_path))
        row = c.get("Test", {}).get("off", {}).get("2d")
        if row:
            return {"n": row["n"], "accuracy": row["accuracy"], "macroF1": row["macroF1"],
                    "perClassRecall": {cl: row["perClassRecall"][cl.lower()] for cl in CLASSES}}
    if not os.path.exists(head3d_metrics_path):
        return None
    h = json.load(open(head3d_metrics_path))
    row = h.get("test", {}).get("2d")
    if not row:
        return None
    # train_head3d.py reports recall by lower-case class name.
    return {**row, "perClassRecall": {c: row["perClassRecall"][c.lower()] for c in CLASSES}}


def results_table(m, app=None):
    rows = [("Valid", "PyTorch", m["valid"]), ("Test", "PyTorch", m["test"])]
    ort = m.get("onnxruntimeWeb", {})
    if "valid" in ort:
        rows.insert(1, ("Valid", "onnxruntime-web", ort["valid"]))
    if "test" in ort:
        rows.append(("Test", "onnxruntime-web", ort["test"]))
    if app:
        rows.append(("Test", "the app (aligned crop, Chromium)", app))
    head = "| split | runtime | n | accuracy | macro-F1 | " + " | ".join(CLASSES) + " |"
    sep = "|" + "---|" * (5 + len(CLASSES))
    lines = [head, sep]
    for split, rt, r in rows:
        rec = " | ".join(pct(r["perClassRecall"][c]) for c in CLASSES)
        lines.append(f"| {split} | {rt} | {r['n']} | **{pct(r['accuracy'])}** | {pct(r['macroF1'])} | {rec} |")
    sup = m["test"]["perClassSupport"]
    lines.append("")
    lines.append("Test support per class: " + ", ".join(f"{c} {sup[c]}" for c in CLASSES) + ".")
    return "\n".join(lines)


def tta_row(m):
    """The card's test-time-augmentation row, from the policy export_fer2d.py chose on Valid."""
    t = m["testTimeAugmentation"]
    gate = t["policy"].get("flipWhenMarginBelow")
    if gate is None:
        return "horizontal flip on every face, applied by the app: logits = mean(net(x), net(mirror(x)))"
    v, te = t["valid"], t["test"]
    return (f"**gated** horizontal flip, applied by the app (`src/core/inference/testTimeFlip.ts`, manifest "
            f"`testTimeAugmentation`): logits = mean(net(x), net(mirror(x))) only when the first pass's top-1 − top-2 "
            f"probability margin is below {gate:g}, else net(x). " + (
                "Chosen on the app's own Valid crops (`training/experiments/flip_gate_app_crops.py`) as the cheapest gate that loses "
                "nothing there against always mirroring; on FER2013's framing (the rows below) "
                if "app's own" in t.get("chosenOn", "") else
                f"Chosen on Valid as the cheapest gate that loses nothing against always mirroring ({pct(v['accuracyAlwaysFlip'])} %); ") +
            f"it mirrors {pct(v['mirroredFraction'])} % of Valid and "
            f"{pct(te['mirroredFraction'])} % of Test faces. Test without any flip {pct(te['accuracyNoFlip'])} %, always "
            f"flipped {pct(te['accuracyAlwaysFlip'])} %. The numbers below are of this policy")


def flip_gate_flag(m):
    """The export flag that reproduces a flip gate chosen on the app's crops (export_fer2d.py --flip-gate)."""
    t = m.get("testTimeAugmentation", {})
    gate = t.get("policy", {}).get("flipWhenMarginBelow")
    return f" --flip-gate {gate:g}" if gate is not None and "app's own" in t.get("chosenOn", "") else ""


def train_command(cfg):
    """`train_fer2d.py` command line that reproduces a run, from its recorded config (non-defaults only)."""
    budget = cfg.get("time_budget_min") or 0
    parts = [f"--out {cfg['out']}", f"--time-budget-min {budget:g}" if budget else f"--epochs {cfg['epochs']}"]
    if list(cfg["widths"]) != [32, 64, 128, 256]:
        parts.append(f"--widths {','.join(map(str, cfg['widths']))}")
    if list(cfg["depths"]) != [1, 1, 1]:
        parts.append(f"--depths {','.join(map(str, cfg['depths']))}")
    for key, flag, default in (("lr", "--lr", 2.5e-3), ("warm", "--warm", 0.2)):
        if cfg.get(key, default) != default:
            parts.append(f"{flag} {cfg[key]:g}")
    if cfg.get("init_onnx"):
        parts.append(f"--init-onnx {PREVIOUS_ONNX}")
    for key, flag in (("logit_adjust", "--logit-adjust"), ("degrade", "--degrade")):
        if cfg.get(key):
            parts.append(f"{flag} {cfg[key]:g}")
    if cfg.get("select", "accuracy") != "accuracy":
        parts.append(f"--select {cfg['select']}")
    if cfg.get("init"):
        parts.append(f"--init {cfg['init']}")
    if cfg.get("teachers"):
        parts.append(f"--teachers {cfg['teachers']} --kd-alpha {cfg['kd_alpha']:g} --kd-temp {cfg['kd_temp']:g}")
    parts.append(f"--seed {cfg['seed']}")
    return "/usr/bin/python3 training/train_fer2d.py " + " ".join(parts)


# The fine-tune starts from the fer2d.onnx that shipped before it (commit 7afbcca; the one before
# that, 3b9e65c, was the last one trained from scratch).
PREVIOUS_COMMIT = "7afbcca"
PREVIOUS_ONNX = "training/runs/fer2d_7afbcca.onnx"
GPU_RUN_NOTE = "training/gpu/README.md"


def gpu_base_commit(m):
    """The commit whose fer2d.onnx a GPU-trained version was fine-tuned from (and, for a WiSE blend,
    blended with): recorded by record_choice.py --previous-commit; 7afbcca for the first GPU run. A
    version whose last layer was retrained (`headRetrain`) replaced the GPU student itself, so its
    GPU run started one version further back."""
    prev = m.get("previousModel", {})
    if m["trainConfig"].get("headRetrain"):
        prev = prev.get("previousModel", {})
    return prev.get("commit") or PREVIOUS_COMMIT


def replaced_commit(m):
    """The commit of the version this one replaces (record_choice.py --previous-commit)."""
    return m.get("previousModel", {}).get("commit") or PREVIOUS_COMMIT


def head_retrain_bullet(cfg):
    """A GPU student whose 256→8 linear layer was retrained on the CPU (training/experiments/retrain_head.py)."""
    h = cfg.get("headRetrain")
    if not h:
        return ""
    return (f"\n* **Then its last layer was retrained on the CPU** (`{h['script']}`; the idea of Kang et al., \"Decoupling "
            "representation and classifier\", ICLR 2020): everything up to the pooled 256-d features stays the GPU student's; the "
            f"256→8 linear layer was trained again on the frozen features of the app's Train crops ({h['features']}), {h['loss']}, "
            f"with an L2 pull of {h['l2ToShipped']:g}·‖W − W_student‖² towards the student's own layer ({h['optimizer']}; seconds on 2 "
            "cores). The student had learned FER+'s class mix into that layer; weighting each class by the inverse of its share of "
            "the votes gives the rare classes their share of the decision without touching the features. Eight heads were tried "
            "(class weights 1/share^0.5 or 1/share, or the logit-adjusted loss with τ 0.5 or 1; L2 10⁻³ or 10⁻²), the two best "
            "class-balanced ones scored with the shifts, and the choice below made the same way as every net's.")


def gpu_rebuild(cfg, run_dir, m):
    """The rebuild chain of a net trained on a lent GPU machine by training/gpu/ferplus_kd.sh
    (and, for a WiSE-FT blend, blended back with the net it was fine-tuned from)."""
    base = gpu_base_commit(m)
    runs = m.get("upstreamRuns", [])
    tmin = runs[0]["config"].get("time_budget_min", 3.7) if runs else 3.7
    w = cfg.get("wiseFt")
    h = cfg.get("headRetrain")
    student_dir = os.path.dirname(h["from"]) if h else run_dir
    tail = [f"mkdir -p {student_dir} && cp student{cfg['seed']}.pt {student_dir}/last.pt   # and the run's history.json from its logs.tgz"]
    if w:
        tuned_dir = os.path.dirname(w["finetuned"])
        tail = [f"mkdir -p {tuned_dir} && cp student{cfg['seed']}.pt {w['finetuned']}   # and logs.tgz, unpacked in {tuned_dir}/logs",
                f"/usr/bin/python3 training/interpolate_fer2d.py --shipped .gpu/fer2d_{base}.onnx --finetuned {w['finetuned']} "
                f"--alphas {w['alpha']:g} --out {tuned_dir}/wise",
                f"# {run_dir}/last.pt = {tuned_dir}/wise/alpha{w['alpha']:.2f}.pt with its config's teacher paths pointed at "
                f"{tuned_dir}/logs/tmp/t1..t4 (the teachers stayed on the device; their history.json came back), "
                f"and the student's history.json beside it"]
    if h:  # the retrained layer comes last, on top of whichever student (or blend) the run made
        tail += [f"/usr/bin/python3 {h['script']} --ckpt {h['from']} --train .gpu/app_train.npz.xz --valid .gpu/app_valid.npz.xz --write {run_dir}",
                 f"cp {run_dir}/{h['head']}.pt {run_dir}/last.pt && cp {student_dir}/history.json {run_dir}/   # the head chosen (calibration.md)"]
    return "\n".join([
        "npm run extract -- ../shared/data/ferplus/Train/label.csv --out training/runs/app_train/app_train.csv "
        "--crops training/runs/app_train/app_train_crops.u8",
        "/usr/bin/python3 training/pack_app_crops.py training/runs/app_train/app_train_crops.u8 Train --out .gpu/app_train.npz",
        "xz -9 .gpu/app_train.npz",
        f"git show {base}:public/models/fer2d.onnx > .gpu/fer2d_{base}.onnx   # the previous fer2d (its chain: that commit's fer2d.md)",
        f"# on a lent GPU machine, carrying .gpu ({GPU_RUN_NOTE}); its student{cfg['seed']}.pt is this net"
        + (" before the blend:" if w else ":"),
        " ".join(x for x in (m.get("gpuRun", {}).get("env", ""), f"INIT_ONNX=.gpu/fer2d_{base}.onnx bash training/gpu/ferplus_kd.sh "
                             f".gpu \"$OUT\" {tmin:g} {cfg['time_budget_min']:g}") if x)] + tail)


def gpu_status(m):
    """What the GPU-distilled version changed against the one before it, and why the targets stay out of reach."""
    if m["trainConfig"].get("device") != "cuda" or "appCrops" not in m:
        return ""
    this, prev = m["appCrops"]["this"], m["appCrops"]["previous"]
    p_app = m["previousModel"].get("appPipeline", {})
    fr = m.get("frontier", {}).get("nets", {})
    ts = [fr[k] for k in fr if k[0] == "t" and k[1:].isdigit()]
    best_t = max(ts, key=lambda r: r["bestBalancedAtAcc85Tau"]) if ts else None
    ens = fr.get("t-ensemble")
    me = fr.get("chosen") or fr.get(f"s{m['trainConfig']['seed']}")
    base = replaced_commit(m)
    d_bal = this['0.0']['clean']['balancedAccuracy'] - prev['0.0']['clean']['balancedAccuracy']
    d_shift = this['0.0']['shiftsMean']['balancedAccuracy'] - prev['0.0']['shiftsMean']['balancedAccuracy']
    rare = min(m["valid"]["perClassSupport"].values())
    verdict = ("It keeps FER+ and travels much better, which is what it was chosen for. " if d_shift >= 0.03 else
               f"The margin is small: {100 * d_bal:+.2f} points of Valid balanced accuracy and {100 * d_shift:+.2f} of mean shifted "
               f"balanced accuracy, the size of a few faces of the rare classes (one of Valid's {rare} contempt faces is "
               f"{100 / rare / 8:.2f} points of balanced accuracy); it was shipped because the rule picked it, not as a clear gain. ")
    out = (f"**This version against the previous one** (commit {base}), on FER+ Valid as the app crops it (batch default): "
           f"{pct(this['0.0']['clean']['accuracy'])} / {pct(this['0.0']['clean']['balancedAccuracy'])} % accuracy / balanced accuracy "
           f"vs {pct(prev['0.0']['clean']['accuracy'])} / {pct(prev['0.0']['clean']['balancedAccuracy'])} %, and under the eight "
           f"shifts of the cross-domain check {pct(this['0.0']['shiftsMean']['accuracy'])} / {pct(this['0.0']['shiftsMean']['balancedAccuracy'])} % "
           f"vs {pct(prev['0.0']['shiftsMean']['accuracy'])} / {pct(prev['0.0']['shiftsMean']['balancedAccuracy'])} % (a 24 px face: "
           f"{pct(this['0.0']['byShift']['lowres']['accuracy'])} vs {pct(prev['0.0']['byShift']['lowres']['accuracy'])} %; blur "
           f"{pct(this['0.0']['byShift']['blur']['accuracy'])} vs {pct(prev['0.0']['byShift']['blur']['accuracy'])} %). " + verdict)
    if p_app.get("test"):
        out += (f"Through the app on Test (scored once, after the choice) the previous net had {pct(p_app['test']['accuracy'])} / "
                f"{pct(p_app['test']['balancedAccuracy'])} %; this one's row is in the tables below. ")
    if best_t and ens and me:
        out += ("**Why ≥ 85 % accuracy with ≥ 78 % balanced accuracy is out of reach for a net of this size**, measured on the app's "
                "Valid crops (`training/gpu/frontier.py`, `fer2d.metrics.json` → `frontier`): at Valid accuracy ≥ 85 % the manifest's "
                f"prior correction reaches at most {pct(me['bestBalancedAtAcc85Tau'])} % balanced accuracy with this net "
                f"({pct(fr['prev_' + base]['bestBalancedAtAcc85Tau'])} % with the previous one), and even eight per-class offsets fitted on "
                f"Valid itself, an optimistic bound, reach {pct(me['bestBalancedAtAcc85Offsets'])} %. The teachers, five times the "
                f"multiply-adds, reach {pct(best_t['bestBalancedAtAcc85Tau'])} % at best with the correction and "
                f"{pct(best_t['bestBalancedAtAcc85Offsets'])} % with fitted offsets; their ensemble {pct(ens['bestBalancedAtAcc85Tau'])} / "
                f"{pct(ens['bestBalancedAtAcc85Offsets'])} %. A net that gets there would be several times larger than the batch "
                "throughput target (≥ 30 images/s on 2 cores) allows, or trained far longer than a ten-minute GPU call. ")
    return out


def gpu_or_cpu_length(m):
    if m["trainConfig"].get("device") == "cuda":
        return (", on one NVIDIA H200 shared by the four students trained side by side (each with the four teachers' forward "
                f"passes): an epoch took {m['secondsPerEpochRange'][0]:.1f}–{m['secondsPerEpochRange'][1]:.1f} s.")
    return (" (training + Valid checks), on 2 cores of an AMD EPYC (AVX512-BF16) that was **shared with the app's browser tests**: "
            f"an epoch took {m['secondsPerEpochRange'][0]:.0f}–{m['secondsPerEpochRange'][1]:.0f} s (median {m['secondsPerEpochMedian']} s; "
            "the fastest epochs are the ones with the machine to itself).")


def gpu_kd_bullet(cfg, m):
    """How a net distilled on a lent GPU machine (train_fer2d.py --device cuda --train-npz) was made."""
    if cfg.get("device") != "cuda":
        return ""
    runs = m.get("upstreamRuns", [])
    teachers = [u["config"] for u in runs]
    t = teachers[0] if teachers else {}
    mix = sum(1 for u in teachers if u.get("cutmix"))
    epochs = [u["epochs"] for u in runs if "epochs" in u]
    span = f"{min(epochs)}–{max(epochs)} epochs; " if epochs else ""
    return (f"\n* **This version was trained on a GPU lent for one ten-minute call** (one NVIDIA H200, `training/gpu/ferplus_kd.sh`):\n"
            "  1. **on the app's own crops of FER+ Train**: the landmark-aligned 48×48 face the app cuts from every Train image "
            "(`npm run extract --crops`, `training/pack_app_crops.py`), not FER2013's framing, so it learns from exactly what it "
            "will be shown, on FER+ and on any other dataset or webcam;\n"
            f"  2. **teachers**: {len(teachers)} large nets of the same family (widths {','.join(map(str, t.get('widths', [])))}, depths "
            f"{','.join(map(str, t.get('depths', [])))}, {t.get('params', 0) / 1e6:.1f} M parameters, about 5× this net's multiply-adds), "
            f"trained side by side for {t.get('time_budget_min', 0):g} min each ({span}{mix} of them with CutMix p 0.5), "
            f"with the degradations of item 3;\n"
            f"  3. **{'the fine-tune' if cfg.get('wiseFt') else 'this net'}**: the previous fer2d (commit {gpu_base_commit(m)}) fine-tuned with BatchNorms frozen (`--init-onnx`), distilled "
            f"from the mean of the teachers' logits on its own augmented batch (loss {1 - cfg['kd_alpha']:g}·CE(votes) + "
            f"{cfg['kd_alpha']:g}·T²·KL, T = {cfg['kd_temp']:g}), CutMix p {cfg['cutmix']:g}, and image-quality degradations each "
            f"with p = {cfg['degrade']:g} (a 16–40 px face resampled to 48, gamma 0.5–2, noise up to σ 12 grey levels); batch "
            f"{cfg['batch_size']}, peak LR {cfg['lr']:g}, {cfg['time_budget_min']:g} min; the last EMA weights are the checkpoint "
            "(the device had no Valid data; Valid choices were made here afterwards).\n"
            + (f"  4. **WiSE-FT** (Wortsman et al., CVPR 2022): weights = {1 - cfg['wiseFt']['alpha']:g}·previous + "
               f"{cfg['wiseFt']['alpha']:g}·fine-tune (`training/interpolate_fer2d.py`), no folded correction.\n"
               "  It was chosen among the previous net, four students (three trained from scratch, all below 85.5 % Valid accuracy) and "
               "WiSE-FT blends (α 0.5, 0.75) of the fine-tuned one with the previous net, "
               if cfg.get("wiseFt") else f"  It was chosen among {m.get('gpuRun', {}).get('candidates') or 'four students (three trained from scratch)'} ")
            + "on FER+ Valid **as the app crops it** and on that "
            "Valid under eight shifts (`training/score_app_crops.py`, `training/choose_fer2d_candidate.py`): the highest Valid "
            "balanced accuracy + mean shifted balanced accuracy at ≥ 85.5 % Valid accuracy. Test played no part.")


def finetune_bullet(cfg):
    w = cfg.get("wiseFt")
    if not w or cfg.get("device") == "cuda":  # a GPU student's blend is item 4 of gpu_kd_bullet
        return ""
    return (f"\n* **This version is a fine-tune of the previous fer2d** (commit {PREVIOUS_COMMIT}, trained from scratch by the "
            "distillation chain in that commit's card), blended back with it:\n"
            f"  1. fine-tuned from the previous ONNX weights (`--init-onnx`; BatchNorms stay frozen at their folded values) with a "
            f"**logit-adjusted loss** (τ = {cfg['logit_adjust']:g}: cross-entropy on logits + τ·log π, π = the Train vote prior, so the raw "
            "logits aim at balanced accuracy) and **image-quality degradations** on top of the augmentation above, each with "
            f"p = {cfg['degrade']:g}: a 16–40 px face resampled to 48, gamma 0.5–2, Gaussian noise up to σ 12 grey levels; AdamW peak LR "
            f"{cfg['lr']:g}, {cfg.get('time_budget_min') or 0:g} min wall clock; checkpoint = best Valid (accuracy + balanced accuracy)/2;\n"
            f"  2. **WiSE-FT** (Wortsman et al., CVPR 2022): weights = {1 - w['alpha']:g}·previous + {w['alpha']:g}·fine-tuned "
            "(`training/interpolate_fer2d.py`);\n"
            f"  3. a class-prior correction of τ = {w['foldedTau']:+g} folded into the classifier bias (bias − τ·log π), which gives back part "
            "of the prior the loss divided out.\n"
            "  The blend α and the folded τ were chosen on FER+ Valid **as the app crops it** and on that Valid under eight shifts "
            "(`training/score_app_crops.py`, `training/choose_fer2d_candidate.py`; see `calibration.md`): the highest Valid balanced "
            "accuracy + mean shifted balanced accuracy at ≥ 85.5 % Valid accuracy. Test played no part.")


def distillation_bullet(cfg):
    if not cfg.get("teachers"):
        return ""
    teachers = cfg["teachers"].split(",")
    return (f"\n* Knowledge distillation: {'started from the weights of `' + cfg['init'] + '`; ' if cfg.get('init') else ''}"
            f"loss = {1 - cfg['kd_alpha']:g}·CE(votes) + {cfg['kd_alpha']:g}·T²·KL(teacher_T ‖ student_T) with "
            f"T = {cfg['kd_temp']:g}, where the teacher is the mean logits of {len(teachers)} nets "
            f"({', '.join('`' + t + '`' for t in teachers)}) on the student's own augmented batch. "
            "Their rebuild lines come first below.")


def status_detail(m):
    """What the learning curve says, and what was tried, for a model below the target."""
    curve = m.get("validCurve") or []
    half = [a for e, a in curve if e <= max(1, m["epochs"] // 2)]
    best = max((a for _, a in curve), default=None)
    said = (f"Valid accuracy (EMA, always flipped) was {pct(half[-1])} % half-way and {pct(best)} % at its best. "
            if half and best is not None and "previousModel" not in m else "")
    # The from-scratch chain's numbers are of the last net trained from scratch (the innermost previousModel).
    scratch = m
    while "previousModel" in scratch:
        scratch = scratch["previousModel"]
    tta = scratch["testTimeAugmentation"]
    gpu = gpu_status(m)
    replaced = m.get("previousModel", {})
    lead = f"The version this one replaces"
    while replaced.get("trainConfig", {}).get("device") == "cuda" and replaced.get("appPipeline", {}).get("test"):
        ap, tc = replaced["appPipeline"], replaced["trainConfig"]
        what = (f"a WiSE-FT blend (α {tc['wiseFt']['alpha']:g}) of a GPU run's student {tc['seed']} with the net before it"
                if tc.get("wiseFt") else f"student {tc['seed']} of a GPU run")
        gpu += (f"{lead} (commit {replaced['commit']}) was {what} (`training/gpu/README.md`): through the app "
                f"{pct(ap['valid']['accuracy'])} / {pct(ap['valid']['balancedAccuracy'])} % accuracy / balanced accuracy on Valid and "
                f"{pct(ap['test']['accuracy'])} / {pct(ap['test']['balancedAccuracy'])} % on Test (net as trained). ")
        replaced, lead = replaced.get("previousModel", {}), "Before it, the version"
    finetuned = ("" if "previousModel" not in m else gpu + "Before that, "
                 "the net trained from scratch scored 85.22 % on Test through the app; "
                 "the next version (commit 7afbcca) was that net fine-tuned with a logit-adjusted loss and image-quality degradations, then "
                 "blended back with it (that commit's card): on the app's Valid crops it keeps the previous accuracy and "
                 "balanced accuracy (86.05 / 66.93 % vs 85.94 / 66.46 %), and under the image-quality shifts of the cross-domain check it "
                 "gains 2–8 points of accuracy and 4–7 of balanced accuracy (`calibration.md`). Test, scored once after the choice, moved "
                 "the other way by 0.37 points through the app (84.85 % vs 85.22 %, 13 of 3,545 faces; the standard error of either "
                 "figure is 0.6 points). "
                 "The base net's history: ")
    return (said + finetuned + "Runs so far (Test / Valid, always flipped): a 1.21 M-parameter net (depths 1,1,1) for 50 min, "
            "81.47 % on Test; this configuration with seed 1 for 100 min, 84.43 % / 85.40 %; with seed 2 for 75 min, "
            "84.68 % / 85.54 %; that net distilled from both for 65 min (`--init` seed 2, `--teachers` seeds 1 and 2), "
            "84.68 % / 85.63 %; then distilled for 33 more minutes from all three, "
            f"{pct(tta['test']['accuracyAlwaysFlip'])} % / {pct(tta['valid']['accuracyAlwaysFlip'])} %, shipped because "
            "it is the best on Valid. Each step was chosen on Valid and gained 0.1–0.2 points there, a handful "
            "of images; on Test the last three are within 0.2 points of each other. Valid is now an optimistic "
            "estimate (the Valid–Test gap grew from 1.0 to "
            f"{100 * (tta['valid']['accuracyAlwaysFlip'] - tta['test']['accuracyAlwaysFlip']):.1f} points). "
            "Measured and not shipped, because they still miss 85 % on Test and cost more per face: "
            "averaging the two 2.69 M nets with flips (4 passes per face) gives Valid 85.79 % / Test 84.96 %, "
            "and gated on the first pass's margin (best Valid 85.82 % at 0.5, 40 % of faces) Test 84.91 %; "
            "adding ±8° rotated views to the flip (6 passes, seed-1 net) gives Valid 85.71 % / Test 84.85 %. "
            "Untested ideas, in the order I would try them: a wider or deeper net trained for much longer (a "
            "GPU, or a quiet machine: these runs shared 2 cores with browser work, so epochs took up to 3x "
            "longer), class-balanced sampling or loss weights for Disgust/Contempt, and 64x64 upsampled "
            "inputs (both cost per-face time the batch target needs). The recipe (AdamW, lighter random erasing) was chosen from short probes on Train loss, "
            "not tuned on Valid.")


def calibration_section(path, branch="2d", name="fer2d"):
    """Balanced accuracy, macro-F1 and per-class recall through the app, with and without the
    manifest's class-prior correction (public/models/calibration.metrics.json, written by
    training/score_app_pipeline.py). Shared with head3d.md via --section."""
    if not os.path.exists(path):
        return ""
    c = json.load(open(path))
    cal = c.get("calibration", {}).get(name)
    classes = ["neutral", "happy", "sad", "surprise", "fear", "disgust", "anger", "contempt"]
    rows = []
    for split in ("Valid", "Test"):
        for mode in ("off", "on"):
            if split not in c:
                continue
            m = c[split][mode][branch]
            rec = " | ".join(f"{m['perClassRecall'][k] * 100:.0f}" for k in classes)
            rows.append(f"| {split} | {mode} | {m['n']} | {pct(m['accuracy'])} | **{pct(m['balancedAccuracy'])}** | {pct(m['macroF1'])} | {rec} |")
    # The batch default since session 10 (fer2d only): the dataset-prior adaptation, from the batch CSVs
    # (dataset_prior.metrics.json, training/experiments/record_dataset_prior.py).
    dp_path = os.path.join(os.path.dirname(path), "dataset_prior.metrics.json")
    if branch == "2d" and os.path.exists(dp_path):
        dp = json.load(open(dp_path))["throughTheApp"]
        for split, key in (("Valid", "valid"), ("Test", "testReportOnly")):
            m = dp.get(key, {}).get("adapted")
            if m:
                rec = " | ".join(f"{m['perClassRecall'][k] * 100:.0f}" for k in classes)
                rows.append(f"| {split} | dataset (batch default) | {m['n']} | {pct(m['accuracy'])} | **{pct(m['balancedAccuracy'])}** | "
                            f"{pct(m['macroF1'])} | {rec} |")
    tau = f"τ = {cal['tau']}" if cal else "none declared"
    if branch == "3d":
        heading = f"## Class balance and the class-prior correction (generated: `training/model_card.py --section {name}`)"
        chosen = ("τ was chosen on Valid: the highest balanced accuracy, τ within 0.5 points of it going to the more accurate\n"
                  "(`training/choose_calibration.py --head3d valid.csv`; `calibration.md`).")
        missing = ", ".join(f"{c[s]['no3d']} of {c[s]['rows']:,} {s}" for s in ("Valid", "Test") if s in c)
        chosen += (f" n counts every labelled image: one where no face was found has no 3D features and counts as wrong\n"
                   f"({missing} images), as `training/score_batch_csv.py` scores `npm run batch`'s CSV.")
    else:
        heading = "## Class balance and the class-prior correction"
        dataset_note = ("\n\"dataset\" is the batch default since session 10: label-shift EM on recalibrated posteriors adapts the answers to "
                        "each batch's own class mix, without labels (manifest `calibration.datasetPrior`, `calibration.md`); on FER+, "
                        "whose mix the net learned, it changes little, on a posed or webcam-like set it changes much "
                        "(`dataset_prior.metrics.json`). Its rows come from `npm run batch` CSVs (`training/experiments/record_dataset_prior.py`).")
        chosen = "τ was chosen on Valid and the cross-domain check\n(`training/choose_calibration.py`; `calibration.md`)."
    return f"""
{heading}

Balanced accuracy is the mean of the 8 per-class recalls: it counts contempt (0.6 % of FER+ Train) as much
as neutral (36 %). Measured through the app's pipeline (`npm run extract`, then
`training/score_app_pipeline.py`; Test scored for this report only). "on" is the manifest's class-prior
correction ({tau}: ℓ'_c = ℓ_c − τ·log π_c with π the FER+ Train vote distribution), which the live view
applies by default and batch runs apply with `--calibration on` or the Batch tab's switch (the CSV's
`calibration` column records it). {chosen}{dataset_note if branch == "2d" and os.path.exists(dp_path) else ""}

Recall per class in %:

| split | correction | n | accuracy | balanced accuracy | macro-F1 | neutral | happy | sad | surprise | fear | disgust | anger | contempt |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--metrics", default=os.path.join(REPO, "public", "models", "fer2d.metrics.json"))
    p.add_argument("--out", default=os.path.join(REPO, "public", "models", "fer2d.md"))
    p.add_argument("--calibration-metrics", default=os.path.join(REPO, "public", "models", "calibration.metrics.json"))
    p.add_argument("--section", choices=["head3d"], help="print only the class-balance section for this branch (pasted into its card)")
    p.add_argument("--head3d-metrics", default=os.path.join(REPO, "public", "models", "head3d.metrics.json"),
                   help="source of the app-pipeline Test row (run after train_head3d.py)")
    args = p.parse_args()
    if args.section == "head3d":
        print(calibration_section(args.calibration_metrics, "3d", "head3d"))
        return
    m = json.load(open(args.metrics))
    cfg = m["trainConfig"]
    ort = m.get("onnxruntimeWeb", {})
    parity = ort.get("test", {}).get("parityVsPytorch")
    app = app_pipeline_test(args.head3d_metrics, args.calibration_metrics if "previousModel" in m else None)
    target_met = m["test"]["accuracy"] >= 0.85
    app_met = bool(app) and app["accuracy"] >= 0.85
    budget = cfg.get("time_budget_min") or 0
    widths, depths = list(cfg["widths"]), list(cfg["depths"])
    run_dir = m.get("runDir", "training/runs/fer2d")
    # A distilled model needs its init and teacher runs first (export_fer2d.py records them).
    rebuild_train = "\n".join([train_command(u["config"]) for u in m.get("upstreamRuns", [])]
                               + [train_command({**cfg, "out": run_dir})])
    ckpt_path = f"{run_dir}/best.pt"
    if cfg.get("device") == "cuda":
        rebuild_train = gpu_rebuild(cfg, run_dir, m)
        ckpt_path = f"{run_dir}/last.pt"
    elif cfg.get("wiseFt"):
        w = cfg["wiseFt"]
        tuned_dir = os.path.dirname(w["finetuned"])
        rebuild_train = "\n".join([
            f"git show {PREVIOUS_COMMIT}:public/models/fer2d.onnx > {PREVIOUS_ONNX}   # the previous fer2d (its own rebuild chain: that commit's fer2d.md)",
            train_command({**cfg, "out": tuned_dir}),
            f"/usr/bin/python3 training/interpolate_fer2d.py --shipped {PREVIOUS_ONNX} --finetuned {w['finetuned']} "
            f"--alphas {w['alpha']:g} --fold-tau={w['foldedTau']:g} --out {run_dir}"])
        ckpt_path = f"{run_dir}/alpha{w['alpha']:.2f}_tau{w['foldedTau']:+.2f}.pt"
    side = 48
    stages = []
    for cin, cout, d in zip(widths[:-1], widths[1:], depths):
        side //= 2
        stages.append(f"{cin}→{cout} ({d} block{'s' if d > 1 else ''}, first with stride 2, {side}×{side})")
    architecture = (f"stem conv3×3 1→{widths[0]} (48×48) + BN + ReLU → residual basic-block stages "
                    + ", ".join(stages) + f" → global average pool → dropout {cfg['dropout']:g} → linear {widths[-1]}→8")
    card = f"""# fer2d — FER+ facial-expression CNN (8 classes)

The default 2D expression model of ig3d-web: a compact ResNet trained on FER+{' (from scratch, then fine-tuned on the app' + chr(39) + 's own crops, distilled from larger teachers)' if cfg.get('device') == 'cuda' else ' (from scratch, then fine-tuned for balanced classes and image-quality shifts)' if cfg.get('wiseFt') else ' from scratch'},
running in the browser with onnxruntime-web.

**Test (FER+, majority protocol, n={m['test']['n']}): accuracy {pct(m['test']['accuracy'])} %,
macro-F1 {pct(m['test']['macroF1'])} % (PyTorch{'' if not ort.get('test') else
f"; onnxruntime-web {pct(ort['test']['accuracy'])} % / {pct(ort['test']['macroF1'])} %"}).**
{'' if not app else f"**Through the app's own pipeline** (landmark-aligned crop of each Test image, gated flip, onnxruntime-web in Chromium; `npm run extract`, n={app['n']}): **accuracy {pct(app['accuracy'])} %**, macro-F1 {pct(app['macroF1'])} %."}
{'' if target_met else ("The project target of 85 % Test accuracy is met by the app's pipeline but **not** on the raw 48×48 images; see *Status* below." if app_met else "The project target of 85 % Test accuracy is **not** met; see *Status* below.")}

## Input / output contract

| | |
|---|---|
| file | `fer2d.onnx`, {m['onnx']['bytes'] / 1e6:.2f} MB, opset {m['onnx']['opset']}, sha256 `{m['onnx']['sha256']}` |
| input | `image`, float32 `[N, 1, 48, 48]` (dynamic N), grayscale, value = (pixel/255 − 0.5)/0.5 |
| output | `logits`, float32 `[N, 8]`, raw logits (apply softmax yourself) in FER+ vote order: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt |
| to AffectNet order | Neutral=0, Happy=1, Sad=3, Surprise=2, Fear=6, Disgust=5, Anger=4, Contempt=7 (FER+ indices) |
| test-time augmentation | {tta_row(m)} |
| framing | {'the app' + chr(39) + 's landmark-aligned 48×48 crop, which it was trained on (`npm run extract --crops`); on FER2013' + chr(39) + 's own framing it scores lower (the PyTorch and onnxruntime-web rows below), so feed it the app' + chr(39) + 's crop' if cfg.get('train_npz') else 'FER2013-style face crops (face fills most of the 48×48 frame); the app crops from landmarks to match'} |

## Data

* **FER+** (Microsoft): the FER2013 images relabelled with 10 crowd votes each
  (neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, not-a-face).
  Images: 48×48 grayscale, from the Kaggle ICML-2013 challenge, **research use only**.
  FER+ labels: **MIT licence**. Neither is redistributed with the app; only the trained weights are.
* Splits used as published: Train to fit, Valid for every choice (recipe, checkpoint),
  Test scored once at the end.
* **Protocol ("majority")**: the label of an image is the argmax of its 10 votes (ties go to
  the first class in vote order); images whose majority is unknown or not-a-face are dropped
  ({", ".join(f"{k.capitalize()} {v['kept']} kept, {v['dropped']} dropped" for k, v in m['splits'].items())}).
  Training targets are the **normalised 8-class vote distributions** (soft labels).
  Note: this is the plain-argmax protocol of the project's data README; the original FER+
  paper's "majority" mode additionally drops images without a >50 % majority, which makes its
  test set easier, so numbers are not directly comparable with that paper.

## Architecture

`Fer2dNet` (`training/fer2d_model.py`), {m['params'] / 1e6:.2f} M parameters:
{architecture}. In the ONNX graph BatchNorm is folded into the convolutions; the graph is the plain
network (one view), and the app applies the flip TTA above.

## Training recipe

* Loss: cross-entropy against the normalised 8-class vote distribution.
* Augmentation (batched torch ops, one `grid_sample` per batch): random affine — rotation
  ±{cfg['rot']:g}°, scale {1 - cfg['scale']:g}–{1 + cfg['scale']:g}, translation ±{100 * cfg['shift']:g} %,
  horizontal flip — with border padding (robustness to the app's landmark crops being slightly off);
  brightness ±{100 * cfg['brightness']:g} % and contrast ±{100 * cfg['contrast']:g} % jitter; random erasing
  (p={cfg['erase']:g}, 2–20 % of the area, random gray fill).
* Optimiser: AdamW, peak LR {cfg['lr']:g}, weight decay {cfg['wd']:g} (not on BN/bias), batch {cfg['batch_size']},
  OneCycle schedule (cosine warm-up over {100 * cfg.get('warm', 0.2):g} %, cosine decay to peak/4000); EMA of the weights
  (decay {cfg['ema']:g}/step). {'Checkpoint: the last EMA weights (epoch ' + str(m['checkpoint']['epoch']) + ').' if m['checkpoint'].get('last') else 'Checkpoint: the EMA/raw weights with the best Valid accuracy (with flip TTA): epoch ' + str(m['checkpoint']['epoch']) + ', ' + m['checkpoint']['weights'] + ' weights.'}{distillation_bullet(cfg) if cfg.get('device') != 'cuda' else ''}{finetune_bullet(cfg)}{gpu_kd_bullet(cfg, m)}{head_retrain_bullet(cfg)}
* Precision / speed: bf16 autocast + channels-last {'on the GPU' if cfg.get('device') == 'cuda' else 'on CPU (oneDNN)'}; PyTorch scores in float32. {'The ONNX file stores the weights as float16 (half the download) and casts them to float32 when onnxruntime loads it, so the browser computes in float32 on rounded weights; the onnxruntime-web rows below are of that file.' if m['onnx'].get('weights', '').startswith('float16') else 'Exported in float32.'}
* Length: {'a wall-clock budget of %g min (the LR schedule follows elapsed time), which gave ' % budget if budget else ''}{m['steps']} steps
  ({m['epochs']} epochs, the last one partial); {m['trainingSeconds'] / 60:.1f} min in all{gpu_or_cpu_length(m)} Seed {cfg['seed']}.

### Rebuild

From the repo root (data at `../shared/data/ferplus`, Debian's `python3-torch` 1.13):

```sh
{rebuild_train}
/usr/bin/python3 training/export_fer2d.py --ckpt {ckpt_path} --manifest public/models/manifest.json{flip_gate_flag(m)}
npx tsx training/eval_ort_web.mjs
/usr/bin/python3 training/model_card.py
```

bf16, the per-epoch 1-vs-2-thread choice and (with a time budget) the machine's load change the
rounding and the number of steps, so a rebuild gives a model of similar quality, not identical bytes.

## Results (majority accuracy, macro-F1 and per-class recall, %)

{results_table(m, app)}

{'' if not parity else f"onnxruntime-web {ort['version']} (WASM backend, 1 thread, in Node) vs PyTorch float32 on Test: same flip-gate decision on {pct(parity.get('gateAgreement', 1))} % of faces, max |Δlogit| = {parity['maxAbsLogitDiff']:.2e} where the decision agrees (float16-stored weights), arg-max agreement {pct(parity['argmaxAgreement'])} %; {ort['test']['msPerImage']:.2f} ms/image (batch 256, both views computed for every image here, shared CPU). `npm test` bounds it on 32 Valid faces and their mirrors (`tests/core/fer2dParity.test.ts`: same class for every face, |Δlogit| ≤ 2e-2; fixture from `training/fer2d_parity.py`, written by every export)."}

Machine-readable: `fer2d.metrics.json` (fractions 0..1).

## Status

{"Meets the project target (≥ 85 % Test majority accuracy)." if target_met else
(f"Meets the project target of 85 % Test accuracy as the app runs it ({pct(app['accuracy'])} %: the landmark-aligned crop), "
 f"not on the dataset's raw 48×48 images ({pct(m['test']['accuracy'])} %). The two differ only in how each face is framed. "
 "This net does better on the app's framing on Valid too (see `head3d.metrics.json`), while the previous, undistilled net did "
 "slightly worse there (Valid 85.37 % app vs 85.54 % raw; Test 84.54 % vs 84.57 %); the size of the Test gap is partly noise, "
 "since the two framings disagree on a few per cent of faces. " if app_met else
 f"Below the project target of 85 % Test accuracy ({pct(m['test']['accuracy'])} %). ") + status_detail(m)}
{calibration_section(args.calibration_metrics)}
## Limitations

* 48×48 grayscale input: fine detail and colour are lost; very small or blurred webcam faces degrade further.
* Expression classes only: **no valence/arousal head** (the app derives VA from class probabilities).
* FER2013 biases: web-scraped, posed and stock-photo faces; skewed towards young, light-skinned adults;
  few Disgust and Contempt examples (Test support: Disgust {m['test']['perClassSupport']['Disgust']}, Contempt
  {m['test']['perClassSupport']['Contempt']}): recall on them is low (Test recall Disgust
  {pct(m['test']['perClassRecall']['Disgust'])} %, Contempt {pct(m['test']['perClassRecall']['Contempt'])} %), and Fear recall is
  {pct(m['test']['perClassRecall']['Fear'])} %. Macro-F1 is therefore much lower than accuracy; treat this model's predictions of
  these three classes with care.
* FER+ labels are crowd perceptions of posed/spontaneous expressions, not felt emotion.
* {'Trained on the app' + chr(39) + 's landmark-aligned crops; other framings' if cfg.get('train_npz') else 'Trained on FER2013 framing; crops that differ'} (tighter/looser, rotated faces beyond ±15°) reduce accuracy.
* Images are research-use only; check whether your use is compatible.
"""
    with open(args.out, "w") as f:
        f.write(card)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
