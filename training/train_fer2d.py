"""Train the default 2D facial-expression model (fer2d) on FER+, on the CPU or on a lent GPU (--device cuda).

    /usr/bin/python3 training/train_fer2d.py --out training/runs/fer2d

Train is used to fit, Valid for every choice (checkpoint = best Valid accuracy);
Test is never touched here (export_fer2d.py reports it once).
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer2d_model import Fer2dNet, FlipTTA, fer2d_from_onnx, freeze_batchnorm, load_checkpoint  # noqa: E402
from ferplus import load_split  # noqa: E402
from metrics import summarize  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def to_input(u8):
    """uint8 [B,48,48] -> float [B,1,48,48] with the app's normalisation (p/255-0.5)/0.5."""
    return (u8.unsqueeze(1).float() / 255.0 - 0.5) / 0.5


def augment(x, g, args, sg=None):
    """Batched augmentation on normalised tensors in [-1,1] (torch ops, no per-image PIL).

    Random affine (rotation, scale, translation, horizontal flip) in one grid_sample,
    then brightness/contrast jitter and random erasing.  The affine part is there because
    the app crops webcam faces from landmarks, so framing will be slightly off.
    """
    b, dev = x.size(0), x.device
    u = lambda lo, hi: torch.rand(b, generator=g, device=dev) * (hi - lo) + lo  # noqa: E731
    ang = u(-args.rot, args.rot) * math.pi / 180
    scale = u(1 - args.scale, 1 + args.scale)
    flip = torch.where(torch.rand(b, generator=g, device=dev) < 0.5, -1.0, 1.0)
    # affine_grid maps output -> input coordinates (normalised to [-1,1], so a shift of
    # 10% of the width is 0.2).
    cos, sin = torch.cos(ang) / scale, torch.sin(ang) / scale
    theta = torch.stack([
        torch.stack([cos * flip, -sin, u(-args.shift, args.shift) * 2], 1),
        torch.stack([sin * flip, cos, u(-args.shift, args.shift) * 2], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    # Brightness / contrast jitter around each image's mean (webcam exposure varies).
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * u(1 - args.contrast, 1 + args.contrast).view(b, 1, 1, 1) + mean
    x = x + u(-args.brightness, args.brightness).view(b, 1, 1, 1) * 2
    x = x.clamp(-1, 1)

    # Random erasing (occlusion by hands/glasses): one rectangle, 2-20% of the area.
    if args.erase > 0:
        area = u(0.02, 0.2) * 48 * 48
        ratio = torch.exp(u(math.log(0.3), math.log(3.3)))
        h = (area * ratio).sqrt().clamp(1, 48)
        w = (area / ratio).sqrt().clamp(1, 48)
        y0 = torch.rand(b, generator=g, device=dev) * (48 - h)
        x0 = torch.rand(b, generator=g, device=dev) * (48 - w)
        r = torch.arange(48, device=dev).float()
        my = (r.view(1, 48) >= y0.view(b, 1)) & (r.view(1, 48) < (y0 + h).view(b, 1))
        mx = (r.view(1, 48) >= x0.view(b, 1)) & (r.view(1, 48) < (x0 + w).view(b, 1))
        m = (my.unsqueeze(2) & mx.unsqueeze(1)) & (torch.rand(b, 1, 1, generator=g, device=dev) < args.erase)
        fill = torch.rand(b, 1, 1, generator=g, device=dev) * 2 - 1
        x = torch.where(m.unsqueeze(1), fill.unsqueeze(1), x)
    if args.degrade > 0:
        x = degrade(x, g, args.degrade, sg, args.sync_free)
    return x


def degrade(x, g, p, sg=None, sync_free=False):
    """Image-quality shifts another camera or dataset brings, each applied with probability p:
    a lower-resolution face (down- then up-sampled, which also blurs), a gamma curve, sensor
    noise. The cross-domain check (crossdomain.py) showed these cost the shipped net 12-30
    points of balanced accuracy; its PIL-made shifts are not the ones used here.

    sync_free: the per-batch size comes from the host generator `sg` and the low-resolution
    copy is made for the whole batch and selected with torch.where, so nothing here waits for
    the GPU (`m.any()`, a boolean index and a device scalar read each do)."""
    b, dev = x.size(0), x.device
    rand = lambda *shape: torch.rand(*shape, generator=g, device=dev)  # noqa: E731
    pick = lambda: rand(b) < p  # noqa: E731
    # Low resolution: 16-40 px, resampled back to 48 (one size per batch keeps it batched).
    m = pick()
    if sync_free:
        size = int(torch.randint(16, 41, (1,), generator=sg, device=sg.device))
        small = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        x = torch.where(m.view(b, 1, 1, 1), F.interpolate(small, size=(48, 48), mode="bilinear", align_corners=False), x)
    elif m.any():
        size = int(torch.randint(16, 41, (1,), generator=g, device=dev))
        small = F.interpolate(x[m], size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        x = x.clone()
        x[m] = F.interpolate(small, size=(48, 48), mode="bilinear", align_corners=False)
    # Gamma 0.5-2.0 on the [0,1] intensity.
    m = pick().view(b, 1, 1, 1)
    gamma = torch.exp((rand(b) * 2 - 1) * math.log(2.0)).view(b, 1, 1, 1)
    x = torch.where(m, (((x + 1) / 2).clamp(1e-4, 1) ** gamma) * 2 - 1, x)
    # Gaussian noise, sigma up to 12 grey levels.
    m = pick().view(b, 1, 1, 1)
    sigma = (rand(b) * 24 / 255).view(b, 1, 1, 1)
    x = torch.where(m, x + torch.randn(x.shape, generator=g, device=dev) * sigma, x)
    return x.clamp(-1, 1)


@torch.no_grad()
def predict(model, u8, bs=512, bf16=False):
    """Logits with horizontal-flip TTA (the same computation the ONNX graph contains).

    bf16=True is only used for the per-epoch Valid checks during training (speed);
    reported numbers come from export_fer2d.py in float32.
    """
    tta = FlipTTA(model).to(u8.device).eval()
    out = []
    for i in range(0, len(u8), bs):
        x = to_input(u8[i:i + bs]).contiguous(memory_format=torch.channels_last)
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
            out.append(tta(x).float().cpu())
    return torch.cat(out)


def one_cycle(p, max_lr, warm=0.2, div=20.0, final_div=200.0):
    """OneCycle LR (cosine up for `warm`, cosine down after) as a function of progress p in [0,1]."""
    lo, end = max_lr / div, max_lr / div / final_div
    if p < warm:
        return lo + (max_lr - lo) * (1 - math.cos(math.pi * p / warm)) / 2
    q = (p - warm) / (1 - warm)
    return end + (max_lr - end) * (1 + math.cos(math.pi * q)) / 2


class EMA:
    """Exponential moving average of all float weights and BN statistics."""

    def __init__(self, model, decay):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        pairs = list(zip(self.model.state_dict().values(), model.state_dict().values()))
        self.averaged = [e for e, _ in pairs if e.dtype.is_floating_point]
        self.current = [m for e, m in pairs if e.dtype.is_floating_point]
        self.copied = [(e, m) for e, m in pairs if not e.dtype.is_floating_point]

    @torch.no_grad()
    def update(self, model):
        # One fused call per step instead of one per tensor (on a GPU the per-tensor launches cost more
        # than the arithmetic). state_dict() tensors share storage with the parameters and buffers.
        torch._foreach_mul_(self.averaged, self.decay)
        torch._foreach_add_(self.averaged, self.current, alpha=1 - self.decay)
        for e, m in self.copied:
            e.copy_(m)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "ferplus"))
    p.add_argument("--out", default=os.path.join(REPO, "training", "runs", "fer2d"))
    p.add_argument("--cache", default=os.path.join(REPO, "training", "runs", "cache"),
                   help="where decoded uint8 images are cached (outside git)")
    p.add_argument("--epochs", type=int, default=20,
                   help="schedule length in epochs (ignored when --time-budget-min is set)")
    p.add_argument("--time-budget-min", type=float, default=0,
                   help="if >0, the OneCycle schedule runs on wall-clock progress and training stops "
                        "when the budget is spent (for a shared, unpredictably loaded CPU)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--opt", choices=["adamw", "sgd"], default="adamw",
                   help="adamw left the initial loss plateau faster than SGD+nesterov in a short probe")
    p.add_argument("--lr", type=float, default=2.5e-3, help="peak OneCycle LR (use ~0.1 for sgd)")
    p.add_argument("--wd", type=float, default=0.05, help="weight decay (use ~5e-4 for sgd)")
    p.add_argument("--widths", default="32,64,128,256")
    p.add_argument("--depths", default="1,1,1")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--ema", type=float, default=0.998, help="EMA decay per step (0 = off)")
    p.add_argument("--rot", type=float, default=15.0)
    p.add_argument("--scale", type=float, default=0.15)
    p.add_argument("--shift", type=float, default=0.10)
    p.add_argument("--brightness", type=float, default=0.2)
    p.add_argument("--contrast", type=float, default=0.3)
    p.add_argument("--erase", type=float, default=0.25, help="random-erasing probability")
    p.add_argument("--threads", default="auto",
                   help="torch threads: 1, 2 or auto (per epoch, time a few steps with 1 and 2 "
                        "threads and keep the faster; on a busy shared machine 2 OpenMP threads "
                        "can be 3x slower than 1)")
    p.add_argument("--no-bf16", dest="bf16", action="store_false",
                   help="train in float32 (bf16 autocast is ~2x faster on CPUs with AVX512-BF16)")
    p.add_argument("--eval-every", type=int, default=5,
                   help="Valid check interval before the last 25%% of epochs (then every epoch)")
    p.add_argument("--max-train", type=int, default=0, help="debug: use only N train images")
    p.add_argument("--init-onnx", default="",
                   help="start from a shipped fer2d.onnx (BN folded): BatchNorms stay frozen")
    p.add_argument("--logit-adjust", type=float, default=0.0,
                   help="tau of the logit-adjusted loss (Menon et al. 2021): CE on logits + tau*log(prior), "
                        "prior = Train vote distribution; raw logits then target balanced accuracy. With --teachers the "
                        "distillation term uses the same adjusted logits (the teachers' logits estimate the FER+-prior "
                        "posterior, which is what logits + tau*log(prior) must match)")
    p.add_argument("--degrade", type=float, default=0.0,
                   help="probability of each image-quality shift (low resolution, gamma, noise)")
    p.add_argument("--select", choices=["accuracy", "balanced", "mean"], default="accuracy",
                   help="checkpoint criterion on Valid: accuracy, balanced accuracy or their mean")
    p.add_argument("--init", default="",
                   help="start from this checkpoint's weights (continued training) instead of random")
    p.add_argument("--warm", type=float, default=0.2, help="OneCycle warm-up fraction")
    p.add_argument("--teachers", default="",
                   help="comma-separated checkpoints whose mean logits on the same augmented batch "
                        "are a second target (knowledge distillation from an ensemble)")
    p.add_argument("--kd-alpha", type=float, default=0.5,
                   help="weight of the distillation term; 1-alpha stays on the FER+ votes")
    p.add_argument("--kd-temp", type=float, default=2.0, help="distillation temperature")
    p.add_argument("--device", default="cpu",
                   help="cpu, or cuda on a lent GPU machine (training/gpu/README.md); augmentation runs there too")
    p.add_argument("--train-npz", default="",
                   help="train on these images + soft labels (training/pack_app_crops.py: the app's own "
                        "crops of FER+ Train) instead of FER+ Train's own framing")
    p.add_argument("--valid-npz", default="", help="the same for the Valid checks")
    p.add_argument("--no-valid", action="store_true",
                   help="no Valid checks (a machine without the data): only last.pt is written")
    p.add_argument("--cutmix", type=float, default=0.0,
                   help="probability that a batch is CutMixed (soft labels mixed by area)")
    p.add_argument("--sync-free", action="store_true",
                   help="on a GPU: draw the per-batch scalars (CutMix's box, the low-resolution size) from a "
                        "host generator and mask without boolean indexing, so a step never waits for the GPU. "
                        "Off by default (the default keeps the previous runs' random stream); on a CPU it "
                        "changes nothing but that stream")
    args = p.parse_args()

    dev = torch.device(args.device)
    torch.backends.cudnn.benchmark = dev.type == "cuda"  # fixed input shapes: let cuDNN pick its kernels
    auto_threads = args.threads == "auto" and dev.type == "cpu"
    torch.set_num_threads(2 if args.threads == "auto" else int(args.threads))
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    g = torch.Generator(device=dev).manual_seed(args.seed)
    # Per-batch scalars that Python branches or slices on: reading one from a CUDA generator blocks
    # until the GPU has caught up. In the first GPU run, with four processes sharing the GPU, CutMix's
    # three such reads made an epoch 36 % slower (4.3 vs 3.2 s) for no arithmetic worth mentioning.
    sg = torch.Generator().manual_seed(args.seed + 7919) if args.sync_free else g
    if args.sync_free and dev.type == "cuda":
        # Any read that still waits for the GPU is logged (once per line): the evidence that none is left
        # in the step (the per-epoch loss read is the expected one).
        torch.cuda.set_sync_debug_mode("warn")
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    tr = load_npz(args.train_npz) if args.train_npz else load_split(args.data, "Train", args.cache)
    va = None
    if not args.no_valid:
        va = load_npz(args.valid_npz) if args.valid_npz else load_split(args.data, "Valid", args.cache)
    print(f"loaded train={len(tr['label'])} valid={len(va['label']) if va else 0} in {time.time()-t0:.0f}s", flush=True)
    xtr, ytr = torch.from_numpy(tr["images"]).to(dev), torch.from_numpy(tr["soft"]).to(dev)
    if args.max_train:
        xtr, ytr = xtr[:args.max_train], ytr[:args.max_train]
    xva = torch.from_numpy(va["images"]).to(dev) if va else None

    widths = tuple(int(c) for c in args.widths.split(","))
    depths = tuple(int(c) for c in args.depths.split(","))
    # channels_last makes oneDNN convolutions ~2x faster on CPU.
    model = Fer2dNet(widths, depths, dropout=args.dropout)
    if args.init_onnx:
        model = fer2d_from_onnx(args.init_onnx, widths, depths, args.dropout)
    if args.init:
        model.load_state_dict(load_checkpoint(args.init)[0].state_dict())
    model = model.to(dev, memory_format=torch.channels_last)
    # Teachers only ever run forward, in eval mode (BN statistics frozen).
    teachers = [load_checkpoint(t)[0].to(dev, memory_format=torch.channels_last)
                for t in args.teachers.split(",") if t]
    n_params = sum(p.numel() for p in model.parameters())
    print(f"params {n_params/1e6:.2f}M", flush=True)

    # Train vote distribution: the class prior the logit-adjusted loss divides out.
    log_prior = torch.log(ytr.float().mean(0).clamp_min(1e-6))
    steps_per_epoch = len(xtr) // args.batch_size  # drop the last partial batch (BN)
    # No weight decay on BN / bias parameters.
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": args.wd},
              {"params": no_decay, "weight_decay": 0.0}]
    if args.opt == "adamw":
        opt = torch.optim.AdamW(groups, lr=args.lr)
    else:
        opt = torch.optim.SGD(groups, lr=args.lr, momentum=0.9, nesterov=True)
    total_steps = args.epochs * steps_per_epoch
    budget_s = args.time_budget_min * 60
    ema = EMA(model, args.ema) if args.ema > 0 else None

    config = {k: v for k, v in vars(args).items()}
    config.update(widths=widths, depths=depths, params=n_params,
                  trainPrior=[round(float(v), 6) for v in log_prior.exp()])
    train_start = time.time()
    best = {"accuracy": -1}
    history = []
    step, progress, epoch = 0, 0.0, 0
    while progress < 1.0:
        epoch += 1
        model.train()
        if args.init_onnx:
            freeze_batchnorm(model)
        t_ep = time.time()
        perm = torch.randperm(len(xtr), generator=g, device=dev)
        tot_loss = torch.zeros((), device=dev)
        probe = {}
        for s in range(steps_per_epoch):
            if auto_threads and s < 10:
                # Steps 0-4 on 1 thread, 5-9 on 2; then keep the faster (min of last 3 each).
                th = 1 if s < 5 else 2
                torch.set_num_threads(th)
                t_step = time.time()
            progress = ((time.time() - train_start) / budget_s) if budget_s else step / total_steps
            if progress >= 1.0:
                break
            for grp in opt.param_groups:
                grp["lr"] = one_cycle(progress, args.lr, warm=args.warm)
            step += 1
            idx = perm[s * args.batch_size:(s + 1) * args.batch_size]
            x = augment(to_input(xtr[idx]), g, args, sg)
            target = ytr[idx]
            if args.cutmix and float(torch.rand((), generator=sg, device=sg.device)) < args.cutmix:
                x, target = cutmix(x, target, g, sg)
            x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(x).float()
            # Cross-entropy against the normalised 8-class vote distribution.
            fit = logits + args.logit_adjust * log_prior if args.logit_adjust else logits
            loss = -(target * F.log_softmax(fit, 1)).sum(1).mean()
            if teachers:
                loss = (1 - args.kd_alpha) * loss + args.kd_alpha * distillation_loss(
                    fit, teacher_logits(teachers, x, args.bf16), args.kd_temp)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if ema:
                ema.update(model)
            tot_loss += loss.detach()
            if auto_threads and s < 10:
                probe.setdefault(th, []).append(time.time() - t_step)
                if s == 9:
                    med = {k: min(v[2:]) for k, v in probe.items()}
                    torch.set_num_threads(min(med, key=med.get))
        train_s = time.time() - t_ep

        done = s + 1 if progress < 1.0 else s
        rec = {"epoch": epoch, "steps": done, "loss": float(tot_loss) / max(done, 1), "trainSeconds": train_s,
               "threads": torch.get_num_threads(), "progress": min(progress, 1.0)}
        if budget_s == 0 and step >= total_steps:
            progress = 1.0
        last = progress >= 1.0
        if xva is not None and (progress > 0.7 or epoch % args.eval_every == 0 or last):
            best = evaluate(epoch, last, model, ema, xva, va["label"], config, best, rec, args)
        rec["elapsed"] = time.time() - train_start
        history.append(rec)
        print(json.dumps(rec), flush=True)
        with open(os.path.join(args.out, "history.json"), "w") as f:
            json.dump({"config": config, "history": history, "best": best,
                       "trainingSeconds": time.time() - train_start}, f, indent=1)
    # The last weights too (EMA when on): with --select mean/balanced the best epoch can be an early,
    # high-LR one, and the annealed end is a candidate worth scoring on the cross-domain check.
    last = ema.model if ema else model
    torch.save({"state_dict": cpu_state(last), "config": config, "best": {"epoch": epoch, "weights": "ema" if ema else "raw", "last": True}},
               os.path.join(args.out, "last.pt"))
    print(f"done in {time.time()-train_start:.0f}s, {step} steps; best {best}", flush=True)


def cutmix(x, target, g, sg=None):
    """CutMix (Yun et al. 2019) on a batch: one box from a shuffled partner per batch, its area
    drawn uniformly; the soft vote targets mix in proportion to the area actually pasted.
    The box's scalars come from `sg` (the host generator with --sync-free, else `g`)."""
    b, _, h, w = x.shape
    dev = x.device
    sg = g if sg is None else sg
    lam = float(torch.rand((), generator=sg, device=sg.device))
    bh, bw = int(round(h * math.sqrt(1 - lam))), int(round(w * math.sqrt(1 - lam)))
    cy = int(torch.randint(0, h, (1,), generator=sg, device=sg.device))
    cx = int(torch.randint(0, w, (1,), generator=sg, device=sg.device))
    y0, y1 = max(cy - bh // 2, 0), min(cy + bh // 2, h)
    x0, x1 = max(cx - bw // 2, 0), min(cx + bw // 2, w)
    partner = torch.randperm(b, generator=g, device=dev)
    x = x.clone()
    x[:, :, y0:y1, x0:x1] = x[partner, :, y0:y1, x0:x1]
    pasted = (y1 - y0) * (x1 - x0) / (h * w)
    return x, (1 - pasted) * target + pasted * target[partner]


def cpu_state(model):
    """A state dict on the CPU: checkpoints made on a GPU load anywhere."""
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}


def load_npz(path):
    """An images/soft/label npz written by training/pack_app_crops.py."""
    z = np.load(path)
    return {"images": z["images"], "soft": z["soft"].astype(np.float32), "label": z["label"]}


@torch.no_grad()
def teacher_logits(teachers, x, bf16):
    """Mean logits of the teacher ensemble on exactly the student's augmented batch."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
        return torch.stack([t(x).float() for t in teachers]).mean(0)


def distillation_loss(student, teacher, temp):
    """Hinton's KD: KL(teacher_T || student_T) * T^2 (T^2 keeps gradients comparable across T)."""
    return F.kl_div(F.log_softmax(student / temp, 1), F.softmax(teacher / temp, 1),
                    reduction="batchmean") * temp * temp


def evaluate(epoch, last, model, ema, xva, yva, config, best, rec, args):
    """Valid check (flip TTA); saves best.pt when Valid accuracy improves."""
    # EMA weights are the checkpoint candidates (they beat raw weights mid-schedule and
    # equal them at the end of OneCycle); raw weights are also tried at the last epoch.
    candidates = [("ema", ema.model)] if ema else [("raw", model)]
    if ema and last:
        candidates.append(("raw", model))
    for name, m in candidates:
        m.eval()
        pred = predict(m, xva, bf16=args.bf16).argmax(1).numpy()
        s = summarize(yva, pred)
        bal = float(np.mean(list(s["perClassRecall"].values())))
        score = {"accuracy": s["accuracy"], "balanced": bal, "mean": (s["accuracy"] + bal) / 2}[args.select]
        rec[name] = {"accuracy": s["accuracy"], "balancedAccuracy": bal, "macroF1": s["macroF1"]}
        # Checkpoint = best Valid criterion (--select) over epochs and over raw/EMA weights.
        if (score, s["macroF1"]) > (best.get("score", -1), best.get("macroF1", -1)):
            best = {"accuracy": s["accuracy"], "balancedAccuracy": bal, "macroF1": s["macroF1"],
                    "score": score, "select": args.select, "epoch": epoch, "weights": name}
            torch.save({"state_dict": cpu_state(m), "config": config, "best": best},
                       os.path.join(args.out, "best.pt"))
    return best


if __name__ == "__main__":
    main()
