#!/usr/bin/env python3
"""Train the same MLP on CIFAR-10 in PyTorch and in mlptui; print both side by side.

This is the reference comparison the original numpy project made against an
equivalent Keras network. Both sides get the same data (the binary layout,
cifar-10-batches-bin), the same split (10 % of the training images held out
for validation), per-channel standardization from the training part, the
same network (He-normal weights, zero biases, ReLU, softmax cross-entropy),
Adam with the same learning rate, the same batch size and epochs, and the
epoch that did best on validation kept as the model. With --preset cifar10
or cifar10-residual (default cifar10-original) both sides train that
preset of mlptui's: flips and crops, the one-cycle schedule, pre-norm
residual GELU blocks, AdamW and label smoothing, each as mlptui does it.
--print-presets prints these copies of the presets in mlptui's config.json
names (trainer's TestTorchReferencePresets checks them against mlptui's).

It prints, for each side: the time of one training step at the batch size
(forward, backward, Adam; the median of timed steps on the real data), the
wall time of the whole training, and the test accuracy.

    OPENBLAS_CORETYPE=SkylakeX python3 bench/torch_reference.py \
        --data-dir ~/.cache/mlptui --epochs 30

With --steps N it only times N training steps of each side on random data
of the network's shape (plain presets; no data set, no training; --dropout,
default 0.1 as in mlptui bench, after every hidden layer on both sides)
and prints the ratio:

    python3 bench/torch_reference.py --steps 10 --precision bf16 --mlptui ./mlptui

Needs python3-numpy and python3-torch (Debian). On CPUs with AVX-512, Debian's
OpenBLAS picks a slow kernel unless OPENBLAS_CORETYPE=SkylakeX is set; the
script sets it itself when the CPU has avx512f and the variable is unset.
"""

import argparse
import copy
import json
import math
import os
import shlex
import subprocess
import sys
import time


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


# OpenBLAS reads this when it is loaded, so before numpy and torch.
if "avx512f" in cpu_flags() and "OPENBLAS_CORETYPE" not in os.environ:
    os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"

import numpy as np  # noqa: E402
import torch  # noqa: E402

PRESETS = {
    # As mlptui's presets of the same name (trainer/config.go): hidden sizes,
    # block (plain: dense, activation per size; residual: a dense layer to the
    # width, then per size x + W2·GELU(W1·LayerNorm(x)) of inner width
    # expansion × width, a final LayerNorm and the output layer), Adam's lr,
    # batch, epochs, schedule, decoupled weight decay (AdamW, weights only),
    # label smoothing, flips and crops, and whether the best epoch by
    # validation is kept.
    "cifar10-original": dict(hidden=[4000, 1000, 4000], lr=1e-5, batch=1024, epochs=30),
    "cifar10": dict(hidden=[2048, 1024, 512], lr=1e-3, batch=256, epochs=70, schedule="onecycle",
                    augment=True, keep_best=True),
    "cifar10-residual": dict(hidden=[512] * 4, block="residual", expansion=4, lr=1e-3, batch=256, epochs=55,
                             schedule="onecycle", weight_decay=0.05, label_smoothing=0.1, augment=True,
                             keep_best=True),
}
# mlptui's defaults (trainer.Defaults): every preset keeps the epoch that did
# best on validation, cifar10-original too (trainer's
# TestTorchReferencePresets compares these copies with mlptui's presets).
PRESET_DEFAULTS = dict(block="plain", expansion=4, schedule="constant", weight_decay=0.0, label_smoothing=0.0,
                       augment=False, keep_best=True)


def as_mlptui_config(cfg):
    """What a preset of PRESETS trains, in the names of mlptui's config.json
    (trainer.Config), for trainer's TestTorchReferencePresets: the network
    build() and build_residual() make, with no dropout, and the training
    train_torch() does."""
    residual = cfg["block"] == "residual"
    out = {"hidden": cfg["hidden"], "block": cfg["block"], "norm": "layer" if residual else "none",
           "activation": "gelu" if residual else "relu", "dropout": 0.0, "lr": cfg["lr"], "batch": cfg["batch"],
           "epochs": cfg["epochs"], "schedule": cfg["schedule"], "weight_decay": cfg["weight_decay"],
           "label_smoothing": cfg["label_smoothing"], "augment": cfg["augment"],
           "keep": "best" if cfg["keep_best"] else "last"}
    if residual:
        out["expansion"] = cfg["expansion"]
    return out


def load_cifar(data_dir):
    d = os.path.join(data_dir, "cifar-10-batches-bin")
    if not os.path.isdir(d):
        sys.exit(f"torch_reference: {d}: no such directory (run `mlptui data cifar10 --data-dir {data_dir}` first)")

    def read(name):
        raw = np.fromfile(os.path.join(d, name), dtype=np.uint8)
        if raw.size % 3073:
            sys.exit(f"torch_reference: {name}: {raw.size} bytes is not a whole number of 3073-byte records")
        raw = raw.reshape(-1, 3073)
        return raw[:, 1:].copy(), raw[:, 0].astype(np.int64)

    parts = [read(f"data_batch_{i}.bin") for i in range(1, 6)]
    xtr = np.concatenate([p[0] for p in parts])
    ytr = np.concatenate([p[1] for p in parts])
    xte, yte = read("test_batch.bin")
    return xtr, ytr, xte, yte


def stratified_holdout(y, frac, seed):
    rng = np.random.default_rng(seed)
    hold = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        hold.extend(idx[: int(round(len(idx) * frac))])
    mask = np.ones(len(y), bool)
    mask[hold] = False
    return np.flatnonzero(mask), np.array(sorted(hold))


def standardize(xtr, *others):
    x = xtr.reshape(len(xtr), 3, -1).astype(np.float32)
    mean = x.mean(axis=(0, 2), keepdims=True)
    std = x.std(axis=(0, 2), keepdims=True)
    out = [((x - mean) / std).reshape(len(xtr), -1)]
    for o in others:
        out.append(((o.reshape(len(o), 3, -1).astype(np.float32) - mean) / std).reshape(len(o), -1))
    return out


def build(sizes, dropout=0.0):
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
            if dropout > 0:
                layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)


def linear(fan_in, fan_out, std):
    # mlptui's initialization: normal weights of the given deviation, zero biases.
    lin = torch.nn.Linear(fan_in, fan_out)
    torch.nn.init.normal_(lin.weight, 0.0, std)
    torch.nn.init.zeros_(lin.bias)
    return lin


class Block(torch.nn.Module):
    """x + W2·GELU(W1·LayerNorm(x)), as mlptui's residual block (nn.Residual)."""

    def __init__(self, width, inner, blocks):
        super().__init__()
        self.norm = torch.nn.LayerNorm(width, eps=1e-5)
        self.fc1 = linear(width, inner, (2 / width) ** 0.5)
        # The second layer starts small: sqrt(1/fan_in) over sqrt(blocks) (nn.New).
        self.fc2 = linear(inner, width, (1 / inner) ** 0.5 / blocks ** 0.5)

    def forward(self, x):
        # approximate="none": the exact GELU x·Φ(x), as mlptui's.
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm(x))))


def build_residual(inputs, width, blocks, expansion, classes):
    layers = [linear(inputs, width, (2 / inputs) ** 0.5)]
    layers += [Block(width, width * expansion, blocks) for _ in range(blocks)]
    layers += [torch.nn.LayerNorm(width, eps=1e-5), linear(width, classes, (2 / width) ** 0.5)]
    return torch.nn.Sequential(*layers)


def lr_at(schedule, base, step, total):
    """mlptui's schedules (trainer/schedule.go lrAt), step counted from 1."""
    if total <= 1:
        return base
    p = min((step - 1) / (total - 1), 1.0)

    def anneal(a, b, q):
        return b + (a - b) * (1 + math.cos(math.pi * q)) / 2

    if schedule == "cosine":
        return anneal(base, base / 1000, p)
    if schedule == "onecycle":
        if p < 0.3:
            return anneal(base / 25, base, p / 0.3)
        return anneal(base, base / 1e4, (p - 0.3) / 0.7)
    return base


def augment(x, g, pad=4):
    """mlptui's --augment (datasets.Batch): each picture mirrored with
    probability 1/2 and shifted by up to pad pixels each way, the pixels
    from outside the picture 0 (the channel mean after standardization):
    out(y, x) = in(y + dy, x' + dx), x' = x or its mirror."""
    n = len(x)
    img = torch.nn.functional.pad(x.view(n, 3, 32, 32), (pad, pad, pad, pad))
    flip = torch.randint(0, 2, (n,), generator=g).bool()
    dx = torch.randint(-pad, pad + 1, (n,), generator=g)
    dy = torch.randint(-pad, pad + 1, (n,), generator=g)
    ar = torch.arange(32)
    cols = torch.where(flip[:, None], 31 - ar[None, :], ar[None, :]) + dx[:, None] + pad
    rows = ar[None, :] + dy[:, None] + pad
    out = img[torch.arange(n)[:, None, None, None], torch.arange(3)[None, :, None, None],
              rows[:, None, :, None], cols[:, None, None, :]]
    return out.reshape(n, -1)


def evaluate(model, x, y, batch=2048):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i : i + batch])
            loss += torch.nn.functional.cross_entropy(out, y[i : i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i : i + batch]).sum().item()
    return correct / len(x), loss / len(x)


def train_torch(args, cfg):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count())
    xtr, ytr, xte, yte = load_cifar(args.data_dir)
    tr, va = stratified_holdout(ytr, 0.1, args.seed)
    xt, xv, xs = standardize(xtr[tr], xtr[va], xte)
    xt, xv, xs = map(torch.from_numpy, (xt, xv, xs))
    yt, yv, ys = (torch.from_numpy(v) for v in (ytr[tr], ytr[va], yte))
    hidden, batch, epochs = cfg["hidden"], cfg["batch"], cfg["epochs"]
    if cfg["block"] == "residual":
        model = build_residual(xt.shape[1], hidden[0], len(hidden), cfg["expansion"], 10)
    else:
        model = build([xt.shape[1]] + hidden + [10])
    # Decoupled weight decay on the dense layers' weights only, as mlptui's
    # (MLP.DecayWeights): biases and LayerNorm's gains and biases are not decayed.
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    ids = {id(w) for w in weights}
    others = [q for q in model.parameters() if id(q) not in ids]
    groups = [{"params": weights, "weight_decay": cfg["weight_decay"]}, {"params": others, "weight_decay": 0.0}]
    if cfg["weight_decay"] > 0:
        opt = torch.optim.AdamW(groups, lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(args.seed)
    batches = (len(xt) + batch - 1) // batch
    total, step = epochs * batches, 0
    step_times = []
    best, kept, kept_epoch = None, None, epochs
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), batch):
            idx = perm[i : i + batch]
            t0 = time.perf_counter()
            step += 1
            for group in opt.param_groups:
                group["lr"] = lr_at(cfg["schedule"], cfg["lr"], step, total)
            xb = augment(xt[idx], g) if cfg["augment"] else xt[idx]
            opt.zero_grad(set_to_none=True)
            # bf16: CPU autocast runs the matrix products in bfloat16 (oneDNN,
            # AVX512-BF16 where the CPU has it); weights, Adam and the loss
            # stay float32, as in mlptui --precision bf16.
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                out = model(xb)
            loss = torch.nn.functional.cross_entropy(out.float(), yt[idx], label_smoothing=cfg["label_smoothing"])
            loss.backward()
            opt.step()
            if len(idx) == batch:
                step_times.append(time.perf_counter() - t0)
        va_acc, va_loss = evaluate(model, xv, yv)
        # Keep the best epoch by validation: the highest accuracy, ties
        # broken by the lower loss (mlptui's --keep best).
        if cfg["keep_best"] and (best is None or (va_acc, -va_loss) > best):
            best, kept, kept_epoch = (va_acc, -va_loss), copy.deepcopy(model.state_dict()), epoch
        print(f"torch epoch {epoch}/{epochs}  loss {loss.item():.4f}  val_acc {va_acc:.4f}  "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    if kept is not None:
        model.load_state_dict(kept)
    acc, tloss = evaluate(model, xs, ys)
    return {"step_seconds": float(np.median(step_times)), "train_seconds": seconds,
            "test_accuracy": acc, "test_loss": tloss, "model_epoch": kept_epoch}


def run_mlptui(args, cfg):
    cmd = shlex.split(args.mlptui)
    hidden, lr, batch, epochs = cfg["hidden"], cfg["lr"], cfg["batch"], cfg["epochs"]
    if args.mlptui_run:
        # A run made before (mlptui train --preset ...): take its results
        # instead of training again.
        with open(os.path.join(args.mlptui_run, "summary.json")) as f:
            r = json.load(f)
        r["run"] = args.mlptui_run
        with open(os.path.join(args.mlptui_run, "config.json")) as f:
            c = json.load(f)
        if (c["hidden"] != hidden or c["batch"] != batch or abs(c["lr"] - lr) > 1e-12 or r.get("epochs") != epochs
                or c.get("block", "plain") != cfg["block"]):
            sys.exit(f"torch_reference: {args.mlptui_run}: hidden {c['hidden']} {c.get('block', 'plain')}, lr {c['lr']}, "
                     f"batch {c['batch']}, {r.get('epochs')} epochs; want {hidden} {cfg['block']}, {lr}, {batch}, {epochs}")
        return with_step_time(args, cmd, r, cfg)
    common = ["--dataset", "cifar10", "--data-dir", args.data_dir, "--preset", args.preset,
              "--hidden", ",".join(map(str, hidden)), "--lr", str(lr), "--batch", str(batch),
              "--epochs", str(epochs), "--seed", str(args.seed), "--runs", args.runs, "--json",
              "--precision", args.precision]
    if args.threads:
        common += ["--threads", str(args.threads)]
    print("running: " + " ".join(cmd + ["train"] + common), file=sys.stderr, flush=True)
    out = subprocess.run(cmd + ["train"] + common, check=True, stdout=subprocess.PIPE).stdout
    r = json.loads(out)
    return with_step_time(args, cmd, r, cfg)


def with_step_time(args, cmd, r, cfg):
    res = {"step_seconds": None, "train_seconds": r["train_seconds"], "test_accuracy": r["test_accuracy"],
           "test_loss": r["test_loss"], "run": r["run"], "model_epoch": r.get("model_epoch"), "kernel": ""}
    if cfg["block"] != "plain":
        return res  # mlptui bench times plain networks only
    res["step_seconds"], res["kernel"] = bench_step(args, cmd, cfg)
    return res


def bench_step(args, cmd, cfg):
    """The median step time mlptui bench gives for the network (whole
    steps at the same batch on synthetic data), and its kernel. With
    --steps both sides' steps have --dropout; beside a whole training
    run, none (the presets have no dropout, nor has PyTorch's run)."""
    hidden, batch = cfg["hidden"], cfg["batch"]
    dropout = args.dropout if args.steps else 0.0
    network = "-".join(map(str, [3072] + hidden + [10]))
    bcmd = cmd + ["bench", "--json", "--no-gonum", "--network", network, "--batch", str(batch),
                  "--step-batch", str(batch), "--steps", str(args.steps or 10), "--precision", args.precision,
                  "--step-dropout", str(dropout)]
    print("running: " + " ".join(bcmd), file=sys.stderr, flush=True)
    b = json.loads(subprocess.run(bcmd, check=True, stdout=subprocess.PIPE).stdout)
    step = b["train_step"]
    if args.precision == "bf16":
        if not b.get("bf16_train_step"):
            sys.exit("torch_reference: mlptui has no bf16 kernel here: " + b.get("bf16_note", ""))
        step = b["bf16_train_step"]
    return step["median_seconds"], b["kernel"]


def steps_torch(args, cfg):
    """The median time of args.steps training steps (after one warm-up) of
    the plain network on random data, as mlptui bench times its steps
    (--dropout after every hidden ReLU on both sides: mlptui bench's
    --step-dropout)."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count())
    batch = cfg["batch"]
    model = build([3072] + cfg["hidden"] + [10], args.dropout)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    x, y = torch.randn(batch, 3072), torch.randint(0, 10, (batch,))
    times = []
    for i in range(args.steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        # bf16: CPU autocast, as in train_torch.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            out = model(x)
        loss = torch.nn.functional.cross_entropy(out.float(), y)
        loss.backward()
        opt.step()
        if i > 0:
            times.append(time.perf_counter() - t0)
    return {"step_seconds": float(np.median(times)), "steps": args.steps}


def main_steps(args, cfg):
    res = {"machine": cpu_model(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
           "preset": args.preset, "network": "-".join(map(str, [3072] + cfg["hidden"] + [10])),
           "batch": cfg["batch"], "lr": cfg["lr"], "precision": args.precision, "steps": args.steps}
    if not args.skip_torch:
        res["torch"] = steps_torch(args, cfg)
        res["torch"]["version"] = torch.__version__
    if not args.skip_mlptui:
        sec, kernel = bench_step(args, shlex.split(args.mlptui), cfg)
        res["mlptui"] = {"step_seconds": sec, "steps": args.steps, "kernel": kernel}
    if "torch" in res and "mlptui" in res:
        res["ratio"] = res["mlptui"]["step_seconds"] / res["torch"]["step_seconds"]
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['date']}, {res['machine']}, {res['cores']} cores; network {res['network']}, Adam, "
          f"batch {cfg['batch']}, {args.precision} products, median of {args.steps} steps on random data, dropout {args.dropout}")
    print(f"{'':24s} {'step (s)':>9s}")
    for name in ("torch", "mlptui"):
        if name in res:
            label = f"PyTorch {torch.__version__}" if name == "torch" else f"mlptui ({res['mlptui']['kernel']})"
            print(f"{label + ' ' + args.precision:24s} {res[name]['step_seconds']:9.3f}")
    if "ratio" in res:
        print(f"mlptui / PyTorch: {res['ratio']:.2f}")


def describe(name, cfg):
    net = "-".join(map(str, [3072] + cfg["hidden"] + [10]))
    if cfg["block"] == "residual":
        net += f" residual×{len(cfg['hidden'])} gelu layer-norm"
    words = [net, ("AdamW" if cfg["weight_decay"] else "Adam") + f" lr {cfg['lr']:g}"]
    if cfg["weight_decay"]:
        words.append(f"weight decay {cfg['weight_decay']:g}")
    if cfg["schedule"] != "constant":
        words.append(cfg["schedule"])
    if cfg["label_smoothing"]:
        words.append(f"label smoothing {cfg['label_smoothing']:g}")
    if cfg["augment"]:
        words.append("flips and crops")
    words.append(f"batch {cfg['batch']}, {cfg['epochs']} epochs")
    if cfg["keep_best"]:
        words.append("best epoch kept")
    return ", ".join(words)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=os.path.join(os.path.expanduser("~"), ".cache", "mlptui"),
                   help="directory holding cifar-10-batches-bin (default: mlptui's cache)")
    p.add_argument("--preset", default="cifar10-original", choices=sorted(PRESETS))
    p.add_argument("--epochs", type=int, help="epochs (default: the preset's)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="threads for both (0: all cores)")
    p.add_argument("--mlptui", default="go run ./cmd/mlptui", help="how to run mlptui")
    p.add_argument("--runs", default="runs", help="mlptui's runs directory")
    p.add_argument("--mlptui-run", help="use this finished mlptui run (same settings) instead of training")
    p.add_argument("--skip-mlptui", action="store_true")
    p.add_argument("--skip-torch", action="store_true")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--steps", type=int, default=0,
                   help="only time this many training steps of each side on random data (no data set, no training)")
    p.add_argument("--dropout", type=float, default=0.1,
                   help="with --steps: dropout after every hidden layer, both sides (mlptui bench's --step-dropout)")
    p.add_argument("--precision", default="float32", choices=["float32", "bf16"],
                   help="matrix products in float32, or bfloat16 (PyTorch CPU autocast; mlptui --precision bf16)")
    p.add_argument("--print-presets", action="store_true",
                   help="print this script's copies of mlptui's presets as JSON, in config.json's names, and exit")
    args = p.parse_args()
    if args.print_presets:
        print(json.dumps({name: as_mlptui_config(dict(PRESET_DEFAULTS, **cfg)) for name, cfg in PRESETS.items()}))
        return
    cfg = dict(PRESET_DEFAULTS, **PRESETS[args.preset])
    if args.epochs:
        cfg["epochs"] = args.epochs
    if args.steps < 0:
        p.error(f"--steps {args.steps}: want a positive number")
    if args.steps:
        if cfg["block"] != "plain":
            p.error(f"--steps: preset {args.preset} is not a plain network (mlptui bench times plain ones)")
        return main_steps(args, cfg)
    res = {"machine": cpu_model(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
           "preset": args.preset, "network": "-".join(map(str, [3072] + cfg["hidden"] + [10])), "block": cfg["block"],
           "batch": cfg["batch"], "epochs": cfg["epochs"], "lr": cfg["lr"], "precision": args.precision}
    if not args.skip_torch:
        res["torch"] = train_torch(args, cfg)
        res["torch"]["version"] = torch.__version__
        res["torch"]["openblas_coretype"] = os.environ.get("OPENBLAS_CORETYPE", "")
    if not args.skip_mlptui:
        res["mlptui"] = run_mlptui(args, cfg)
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['date']}, {res['machine']}, {res['cores']} cores; preset {args.preset}: {describe(args.preset, cfg)}; "
          f"{args.precision} products")
    print(f"{'':24s} {'step (s)':>9s} {'training (s)':>13s} {'test acc':>9s} {'model epoch':>12s}")
    for name in ("torch", "mlptui"):
        if name in res:
            r = res[name]
            label = f"PyTorch {torch.__version__}" if name == "torch" else "mlptui" + (f" ({r['kernel']})" if r["kernel"] else "")
            label += f" {args.precision}"
            step = f"{r['step_seconds']:9.3f}" if r["step_seconds"] is not None else f"{'-':>9s}"
            print(f"{label:24s} {step} {r['train_seconds']:13.1f} {r['test_accuracy']:9.4f} {str(r.get('model_epoch') or '-'):>12s}")


if __name__ == "__main__":
    main()
