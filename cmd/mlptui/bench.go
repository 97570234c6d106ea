package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/nn/bench"
)

func runBench(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "bench", "mlptui bench [--json] [--kernel avx512|avx2|generic]\n\nMeasures the matrix products of one training step of a network, beside gonum's\npure-Go Sgemm, and the time of whole training steps. MLPTUI_KERNEL in the\nenvironment forces a kernel too.")
	jsonOut := fs.Bool("json", false, "print one JSON object")
	kernel := fs.String("kernel", "", "force the multiply's kernel, by `name`: avx512, avx2 or generic (default: the best this CPU has)")
	network := fs.String("network", "3072-4000-1000-4000-10", "layer `widths`, input first")
	batches := fs.String("batch", "256,1024", "batch `sizes` of the products")
	stepBatch := fs.Int("step-batch", 1024, "batch size of the timed training steps")
	steps := fs.Int("steps", 5, "training steps to time")
	stepDropout := fs.Float64("step-dropout", 0.1, "dropout after every hidden layer in the timed training steps")
	threads := fs.Int("threads", 0, "threads (0: all cores)")
	noGonum := fs.Bool("no-gonum", false, "skip gonum's multiply (it is slow)")
	precision := fs.String("precision", "float32", "`precision` of the products: float32, bf16 (bfloat16 operands, float32 accumulation) or both")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var sizes []int
	for _, s := range strings.Split(*network, "-") {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > 1<<16 {
			return usagef("--network %s: want layer widths like 3072-4000-1000-4000-10", *network)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) < 2 {
		return usagef("--network %s: want at least an input and an output width", *network)
	}
	var bs []int
	for _, s := range strings.Split(*batches, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 || n > 1<<16 {
			return usagef("--batch %s: want batch sizes like 256,1024", *batches)
		}
		bs = append(bs, n)
	}
	if *stepBatch <= 0 || *stepBatch > 1<<16 || *steps <= 0 || *steps > 1000 {
		return usagef("--step-batch %d --steps %d: want positive sizes", *stepBatch, *steps)
	}
	if !nn.ValidDropout(*stepDropout) {
		return usagef("--step-dropout %g: want a probability in [0, 1)", *stepDropout)
	}
	if *kernel != "" {
		if err := bench.SetKernel(*kernel); err != nil {
			return usagef("--kernel %s: %v", *kernel, err)
		}
	}
	if *precision != "float32" && *precision != "bf16" && *precision != "both" {
		return usagef("--precision %s: want float32, bf16 or both", *precision)
	}
	withBF16 := *precision != "float32"
	nn.SetThreads(*threads)
	p := newProgress(e)
	r, err := bench.Run(ctx, bench.Options{Sizes: sizes, Batches: bs, StepBatch: *stepBatch, Steps: *steps, StepDropout: *stepDropout, Gonum: !*noGonum, BF16: withBF16,
		Status: func(s string) { p.Status("%s", s) }})
	p.ClearLive()
	if err != nil {
		return interruptedOr(ctx, err)
	}
	if *jsonOut {
		return json.NewEncoder(e.stdout).Encode(r)
	}
	termsafe.Fprintf(e.stdout, "kernel %s (this CPU has: %s), %d threads; rates are medians of repeated timings (--json: the spread)\n\n", r.Kernel, strings.Join(r.Kernels, ", "), r.Threads)
	return bench.WriteText(e.stdout, r, withBF16)
}

// interruptedOr turns a cancelled context into errInterrupted.
func interruptedOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return err
}
