#!/usr/bin/env python3
"""Time PyTorch's matrix products on the shapes of a training step, beside mlptui bench's.

For each product of one training step of an MLP (the forward product
X·W, the weight gradient Xᵀ·dY, the input gradient dY·Wᵀ of every layer;
the same list `mlptui bench` times), it times torch.matmul in float32 and
in bfloat16 (operands already bfloat16, as under autocast: oneDNN's
AVX512-BF16 kernels where the CPU has them), and in bfloat16 from
float32 operands (each rounded by .to(torch.bfloat16) in the timed call,
then multiplied: the work mlptui's SgemmBF16 does, which rounds its
float32 operands as it packs them). With --mlptui it then runs
`mlptui bench --json --precision both` on the same shapes in the same
run and prints both side by side with the ratio mlptui / PyTorch.

    /usr/bin/python3 bench/torch_matmul.py --mlptui ./mlptui
    /usr/bin/python3 bench/torch_matmul.py --network 3072-4000-1000-4000-10 --batch 1024 --json

Each rate is the median of --repeats timings after two warm-ups, in
GFLOP/s (2·m·n·k floating-point operations per product). On a busy
machine, --rounds N alternates the two sides N times and reports each
rate's median over the rounds, so that both see the same load.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def products(sizes, batch):
    """The products of mlptui bench (nn/bench.Products), in its order."""
    ps = []
    for i in range(1, len(sizes)):
        n_in, n_out = sizes[i - 1], sizes[i]
        ps.append((f"fc{i}.forward", batch, n_out, n_in, False, False))
        ps.append((f"fc{i}.dW", n_in, n_out, batch, True, False))
        if i > 1:
            ps.append((f"fc{i}.dX", batch, n_in, n_out, False, True))
    return ps


def time_torch(torch, prods, repeats):
    out = []
    for name, m, n, k, ta, tb in prods:
        rates = {}
        bf = torch.bfloat16
        for label, dt, op in (("float32", torch.float32, torch.matmul),
                              ("bf16", bf, torch.matmul),
                              ("bf16_from_f32", torch.float32, lambda x, y: torch.matmul(x.to(bf), y.to(bf)))):
            a = (torch.randn(k, m) if ta else torch.randn(m, k)).to(dt)
            b = (torch.randn(n, k) if tb else torch.randn(k, n)).to(dt)
            aa, bb = (a.t() if ta else a), (b.t() if tb else b)
            for _ in range(2):
                op(aa, bb)
            ts = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                op(aa, bb)
                ts.append(time.perf_counter() - t0)
            ts.sort()
            rates[label] = 2 * m * n * k / ts[len(ts) // 2] / 1e9
        out.append({"name": name, "m": m, "n": n, "k": k, "torch_float32": rates["float32"], "torch_bf16": rates["bf16"],
                    "torch_bf16_from_f32": rates["bf16_from_f32"]})
    return out


def time_mlptui(args, network, rows):
    """Runs mlptui bench on the same shapes and adds its rates to rows;
    returns the kernel it used."""
    cmd = shlex.split(args.mlptui) + ["bench", "--json", "--no-gonum", "--precision", "both",
                                      "--network", network, "--batch", str(args.batch),
                                      "--step-batch", str(args.batch), "--steps", "3"]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    print("running: " + " ".join(cmd), file=sys.stderr, flush=True)
    b = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout)
    mine = {(q["name"], q["m"], q["n"], q["k"]): q for q in b["products"] if q["batch"] == args.batch}
    for r in rows:
        q = mine.get((r["name"], r["m"], r["n"], r["k"]))
        if q is None:
            sys.exit(f"torch_matmul: mlptui bench has no product {r['name']} {r['m']}x{r['n']}x{r['k']}")
        r["mlptui_float32"] = q["gflops"]
        r["mlptui_bf16"] = q.get("bf16_gflops", 0.0)
    return b.get("kernel", "")


def parse_network(s):
    try:
        sizes = [int(x) for x in s.split("-")]
    except ValueError:
        sizes = []
    if len(sizes) < 2 or any(x <= 0 or x > 1 << 16 for x in sizes):
        raise argparse.ArgumentTypeError(f"{s}: want layer widths like 3072-4000-1000-4000-10")
    return sizes


def positive(s):
    try:
        v = int(s)
    except ValueError:
        v = 0
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{s}: want a positive integer")
    return v


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--network", type=parse_network, default=parse_network("3072-4000-1000-4000-10"),
                   help="layer widths, input first (default 3072-4000-1000-4000-10)")
    p.add_argument("--batch", type=positive, default=1024, help="batch size (default 1024)")
    p.add_argument("--threads", type=int, default=0, help="threads for both (0: all cores)")
    p.add_argument("--repeats", type=positive, default=7, help="timings per product and type (default 7)")
    p.add_argument("--mlptui", help="how to run mlptui (e.g. ./mlptui): also time its products, in the same run")
    p.add_argument("--rounds", type=positive, default=1,
                   help="alternate PyTorch and mlptui this many times; medians over the rounds (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args()
    if args.threads < 0:
        p.error(f"--threads {args.threads}: want 0 or more")
    import torch

    torch.set_num_threads(args.threads or os.cpu_count())
    prods = products(args.network, args.batch)
    res = {"machine": cpu_model(), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "torch": torch.__version__, "network": "-".join(map(str, args.network)), "batch": args.batch,
           "rounds": args.rounds}
    rounds = []
    for _ in range(args.rounds):
        rows = time_torch(torch, prods, args.repeats)
        if args.mlptui:
            res["kernel"] = time_mlptui(args, res["network"], rows)
        rounds.append(rows)
    keys = [k for k in rounds[0][0] if k.startswith(("torch_", "mlptui_"))]
    res["products"] = []
    for i, r in enumerate(rounds[0]):
        row = {k: r[k] for k in ("name", "m", "n", "k")}
        for k in keys:
            row[k] = statistics.median(rd[i][k] for rd in rounds)
        res["products"].append(row)
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['date']}, {res['machine']}, {res['cores']} cores; PyTorch {res['torch']}; "
          f"network {res['network']}, batch {args.batch}; GFLOP/s (median of {args.repeats}"
          + (f", then of {args.rounds} alternating rounds)" if args.rounds > 1 else ")"))
    print("torch bf16: bfloat16 operands; torch f32->bf16: float32 operands rounded in the call, as mlptui's are"
          + ("; ratios are mlptui bf16 / torch" if args.mlptui else ""))
    head = f"{'product':12s} {'m':>5s} {'n':>5s} {'k':>5s} {'torch f32':>9s} {'torch bf16':>10s} {'f32->bf16':>9s}"
    if args.mlptui:
        head += f" {'mlptui f32':>10s} {'mlptui bf16':>11s} {'/bf16':>6s} {'/f32->bf16':>10s}"
    print(head)
    for r in res["products"]:
        line = (f"{r['name']:12s} {r['m']:5d} {r['n']:5d} {r['k']:5d} {r['torch_float32']:9.1f} {r['torch_bf16']:10.1f}"
                f" {r['torch_bf16_from_f32']:9.1f}")
        if args.mlptui:
            line += (f" {r['mlptui_float32']:10.1f} {r['mlptui_bf16']:11.1f} {r['mlptui_bf16'] / r['torch_bf16']:6.2f}"
                     f" {r['mlptui_bf16'] / r['torch_bf16_from_f32']:10.2f}")
        print(line)


if __name__ == "__main__":
    main()
