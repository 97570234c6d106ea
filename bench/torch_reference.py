#!/usr/bin/env python3
"""Train the same MLP on CIFAR-10 in PyTorch and in mlptui; print both side by side.

This is the reference comparison the original numpy project made against an
equivalent Keras network. Both sides get the same data (the binary layout,
cifar-10-batches-bin), the same split (10 % of the training images held out
for validation), per-channel standardization from the training part, the
same network (He-normal weights, zero biases, ReLU, softmax cross-entropy),
Adam with the same learning rate, the same batch size and epochs.

It prints, for each side: the time of one training step at the batch size
(forward, backward, Adam; the median of timed steps on the real data), the
wall time of the whole training, and the test accuracy.

    OPENBLAS_CORETYPE=SkylakeX python3 bench/torch_reference.py \
        --data-dir ~/.cache/mlptui --epochs 30

With --steps N it only times N training steps of each side, on random
data of the network's shape (no data set, no training):

    python3 bench/torch_reference.py --steps 10 --precision bf16 --mlptui ./mlptui

Needs python3-numpy and python3-torch (Debian). On CPUs with AVX-512, Debian's
OpenBLAS picks a slow kernel unless OPENBLAS_CORETYPE=SkylakeX is set; the
script sets it itself when the CPU has avx512f and the variable is unset.
"""

import argparse
import json
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
    # name: hidden, lr, batch, epochs (as mlptui's presets of the same name)
    "cifar10-original": ([4000, 1000, 4000], 1e-5, 1024, 30),
}


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


def build(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def evaluate(model, x, y, batch=2048):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i : i + batch])
            loss += torch.nn.functional.cross_entropy(out, y[i : i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i : i + batch]).sum().item()
    model.train()
    return correct / len(x), loss / len(x)


def train_torch(args, hidden, lr, batch, epochs):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count())
    xtr, ytr, xte, yte = load_cifar(args.data_dir)
    tr, va = stratified_holdout(ytr, 0.1, args.seed)
    xt, xv, xs = standardize(xtr[tr], xtr[va], xte)
    xt, xv, xs = map(torch.from_numpy, (xt, xv, xs))
    yt, yv, ys = (torch.from_numpy(v) for v in (ytr[tr], ytr[va], yte))
    model = build([xt.shape[1]] + hidden + [10])
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(args.seed)
    step_times = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), batch):
            idx = perm[i : i + batch]
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            # bf16: CPU autocast runs the matrix products in bfloat16 (oneDNN,
            # AVX512-BF16 where the CPU has it); weights, Adam and the loss
            # stay float32, as in mlptui --precision bf16.
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                out = model(xt[idx])
            loss = torch.nn.functional.cross_entropy(out.float(), yt[idx])
            loss.backward()
            opt.step()
            if len(idx) == batch:
                step_times.append(time.perf_counter() - t0)
        va_acc, va_loss = evaluate(model, xv, yv)
        print(f"torch epoch {epoch}/{epochs}  loss {loss.item():.4f}  val_acc {va_acc:.4f}  "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    acc, tloss = evaluate(model, xs, ys)
    return {"step_seconds": float(np.median(step_times)), "train_seconds": seconds,
            "test_accuracy": acc, "test_loss": tloss}


def steps_torch(args, hidden, lr, batch):
    """The median time of args.steps training steps (after one warm-up) on
    random data of the network's shape, as mlptui bench times its steps."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count())
    model = build([3072] + hidden + [10])
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    x, y = torch.randn(batch, 3072), torch.randint(0, 10, (batch,))
    times = []
    for i in range(args.steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            out = model(x)
        loss = torch.nn.functional.cross_entropy(out.float(), y)
        loss.backward()
        opt.step()
        if i > 0:
            times.append(time.perf_counter() - t0)
    return {"step_seconds": float(np.median(times)), "steps": args.steps}


def run_mlptui(args, hidden, lr, batch, epochs):
    cmd = shlex.split(args.mlptui)
    if args.mlptui_run:
        # A run made before (mlptui train --preset cifar10-original ...):
        # take its results instead of training again.
        with open(os.path.join(args.mlptui_run, "summary.json")) as f:
            r = json.load(f)
        r["run"] = args.mlptui_run
        with open(os.path.join(args.mlptui_run, "config.json")) as f:
            c = json.load(f)
        if c["hidden"] != hidden or c["batch"] != batch or abs(c["lr"] - lr) > 1e-12 or r.get("epochs") != epochs:
            sys.exit(f"torch_reference: {args.mlptui_run}: hidden {c['hidden']}, lr {c['lr']}, batch {c['batch']}, "
                     f"{r.get('epochs')} epochs; want {hidden}, {lr}, {batch}, {epochs}")
        return with_step_time(args, cmd, r, hidden, batch)
    common = ["--dataset", "cifar10", "--data-dir", args.data_dir, "--preset", args.preset,
              "--hidden", ",".join(map(str, hidden)), "--lr", str(lr), "--batch", str(batch),
              "--epochs", str(epochs), "--seed", str(args.seed), "--runs", args.runs, "--json",
              "--precision", args.precision]
    if args.threads:
        common += ["--threads", str(args.threads)]
    print("running: " + " ".join(cmd + ["train"] + common), file=sys.stderr, flush=True)
    out = subprocess.run(cmd + ["train"] + common, check=True, stdout=subprocess.PIPE).stdout
    r = json.loads(out)
    return with_step_time(args, cmd, r, hidden, batch)


def with_step_time(args, cmd, r, hidden, batch):
    # Per-step time: mlptui bench times whole steps of the same network at
    # the same batch on synthetic data.
    network = "-".join(map(str, [3072] + hidden + [10]))
    bcmd = cmd + ["bench", "--json", "--no-gonum", "--network", network, "--batch", str(batch),
                  "--step-batch", str(batch), "--steps", str(args.steps or 10), "--precision", args.precision]
    print("running: " + " ".join(bcmd), file=sys.stderr, flush=True)
    b = json.loads(subprocess.run(bcmd, check=True, stdout=subprocess.PIPE).stdout)
    step = b["train_step"]
    if args.precision == "bf16":
        if not b.get("bf16_train_step"):
            sys.exit("torch_reference: mlptui has no bf16 kernel here: " + b.get("bf16_note", ""))
        step = b["bf16_train_step"]
    if r is None:  # --steps: no training
        return {"step_seconds": step["median_seconds"], "steps": step["steps"], "kernel": b["kernel"]}
    return {"step_seconds": step["median_seconds"], "train_seconds": r["train_seconds"],
            "test_accuracy": r["test_accuracy"], "test_loss": r["test_loss"], "run": r["run"],
            "kernel": b["kernel"]}


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
    p.add_argument("--precision", default="float32", choices=["float32", "bf16"],
                   help="matrix products in float32, or bfloat16 (PyTorch CPU autocast; mlptui --precision bf16)")
    args = p.parse_args()
    hidden, lr, batch, epochs = PRESETS[args.preset]
    if args.epochs:
        epochs = args.epochs
    if args.steps < 0:
        p.error(f"--steps {args.steps}: want a positive number")
    if args.steps:
        return main_steps(args, hidden, lr, batch)
    res = {"machine": cpu_model(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
           "network": "-".join(map(str, [3072] + hidden + [10])), "batch": batch, "epochs": epochs,
           "lr": lr, "precision": args.precision}
    if not args.skip_torch:
        res["torch"] = train_torch(args, hidden, lr, batch, epochs)
        res["torch"]["version"] = torch.__version__
        res["torch"]["openblas_coretype"] = os.environ.get("OPENBLAS_CORETYPE", "")
    if not args.skip_mlptui:
        res["mlptui"] = run_mlptui(args, hidden, lr, batch, epochs)
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['date']}, {res['machine']}, {res['cores']} cores; network {res['network']}, "
          f"Adam lr {lr:g}, batch {batch}, {epochs} epochs, {args.precision} products")
    print(f"{'':24s} {'step (s)':>9s} {'training (s)':>13s} {'test acc':>9s}")
    for name in ("torch", "mlptui"):
        if name in res:
            r = res[name]
            label = f"PyTorch {torch.__version__}" if name == "torch" else f"mlptui ({r['kernel']})"
            label += f" {args.precision}"
            print(f"{label:24s} {r['step_seconds']:9.3f} {r['train_seconds']:13.1f} {r['test_accuracy']:9.4f}")


def main_steps(args, hidden, lr, batch):
    res = {"machine": cpu_model(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
           "network": "-".join(map(str, [3072] + hidden + [10])), "batch": batch, "lr": lr,
           "precision": args.precision, "steps": args.steps}
    if not args.skip_torch:
        res["torch"] = steps_torch(args, hidden, lr, batch)
        res["torch"]["version"] = torch.__version__
    if not args.skip_mlptui:
        res["mlptui"] = with_step_time(args, shlex.split(args.mlptui), None, hidden, batch)
    if "torch" in res and "mlptui" in res:
        res["ratio"] = res["mlptui"]["step_seconds"] / res["torch"]["step_seconds"]
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['date']}, {res['machine']}, {res['cores']} cores; network {res['network']}, "
          f"Adam, batch {batch}, {args.precision} products, median of {args.steps} steps on random data")
    print(f"{'':24s} {'step (s)':>9s}")
    for name in ("torch", "mlptui"):
        if name in res:
            r = res[name]
            label = f"PyTorch {torch.__version__}" if name == "torch" else f"mlptui ({r['kernel']})"
            print(f"{label + ' ' + args.precision:24s} {r['step_seconds']:9.3f}")
    if "ratio" in res:
        print(f"mlptui / PyTorch: {res['ratio']:.2f}")


if __name__ == "__main__":
    main()
