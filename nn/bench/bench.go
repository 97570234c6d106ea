// Package bench measures what decides training speed on this machine: the
// matrix products of a training step, against gonum's pure-Go Sgemm, and
// whole training steps. It is what `mlptui bench` prints.
package bench

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/nn/internal/gemm"
	"github.com/mlptui/mlptui/nn/internal/vec"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Product is one matrix product of a training step: C = op(A)·op(B) with
// op(A) m×k and op(B) k×n.
type Product struct {
	Name   string `json:"name"` // "fc2.forward", "fc2.dW", "fc2.dX"
	M      int    `json:"m"`
	N      int    `json:"n"`
	K      int    `json:"k"`
	TransA bool   `json:"trans_a"`
	TransB bool   `json:"trans_b"`
	Batch  int    `json:"batch"`
	// Measured rates, the median of Runs timings, with the slowest and
	// fastest of them (the spread); 0 when not measured.
	GFLOPS         float64 `json:"gflops"`
	GFLOPSMin      float64 `json:"gflops_min"`
	GFLOPSMax      float64 `json:"gflops_max"`
	Runs           int     `json:"runs"`
	GonumGFLOPS    float64 `json:"gonum_gflops"`
	GonumGFLOPSMin float64 `json:"gonum_gflops_min"`
	GonumGFLOPSMax float64 `json:"gonum_gflops_max"`
	GonumRuns      int     `json:"gonum_runs"`
	// The same product with bfloat16 operands (MeasureBF16); 0 when not
	// measured.
	BF16GFLOPS    float64 `json:"bf16_gflops,omitempty"`
	BF16GFLOPSMin float64 `json:"bf16_gflops_min,omitempty"`
	BF16GFLOPSMax float64 `json:"bf16_gflops_max,omitempty"`
	BF16Runs      int     `json:"bf16_runs,omitempty"`
}

// MeasureBF16 times the product with bfloat16 operands (gemm.SgemmBF16:
// the AVX512-BF16 kernel where the CPU has it).
func MeasureBF16(ctx context.Context, p *Product) error {
	a, b, c, lda, ldb := operands(*p)
	ds, err := timeIt(ctx, 500*time.Millisecond, 3, func() {
		gemm.SgemmBF16(p.TransA, p.TransB, p.M, p.N, p.K, 1, a, lda, b, ldb, 0, c, p.N)
	})
	if err != nil {
		return err
	}
	p.BF16GFLOPS, p.BF16GFLOPSMin, p.BF16GFLOPSMax = rates(p.M, p.N, p.K, ds)
	p.BF16Runs = len(ds)
	return nil
}

// Products lists the products of one training step of an MLP with the
// given layer widths (input first) at a batch size: for each Dense layer
// the forward product Y = X·W (batch×in · in×out), the weight gradient
// dW = Xᵀ·dY (in×batch · batch×out) and, except for the first layer, the
// input gradient dX = dY·Wᵀ (batch×out · out×in).
func Products(sizes []int, batch int) []Product {
	var ps []Product
	for i := 1; i < len(sizes); i++ {
		in, out := sizes[i-1], sizes[i]
		name := fmt.Sprintf("fc%d", i)
		ps = append(ps,
			Product{Name: name + ".forward", M: batch, N: out, K: in, Batch: batch},
			Product{Name: name + ".dW", M: in, N: out, K: batch, TransA: true, Batch: batch})
		if i > 1 {
			ps = append(ps, Product{Name: name + ".dX", M: batch, N: in, K: out, TransB: true, Batch: batch})
		}
	}
	return ps
}

// operands allocates A, B and C for a product, filled with small values.
func operands(p Product) (a, b, c []float32, lda, ldb int) {
	a = make([]float32, p.M*p.K)
	b = make([]float32, p.K*p.N)
	c = make([]float32, p.M*p.N)
	for i := range a {
		a[i] = float32(i%17) / 17
	}
	for i := range b {
		b[i] = float32(i%13) / 13
	}
	lda, ldb = p.K, p.N
	if p.TransA {
		lda = p.M
	}
	if p.TransB {
		ldb = p.K
	}
	return a, b, c, lda, ldb
}

// timeIt runs f once to warm up, then repeatedly for at least budget (and
// at least minRuns times), and returns each run's time.
func timeIt(ctx context.Context, budget time.Duration, minRuns int, f func()) ([]time.Duration, error) {
	f()
	var ds []time.Duration
	start := time.Now()
	for n := 0; n < minRuns || time.Since(start) < budget; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t := time.Now()
		f()
		ds = append(ds, time.Since(t))
	}
	return ds, nil
}

// rates turns the timings of an m×n×k product into its median rate and
// the rates of the slowest and the fastest timing: one slow timing (the
// machine busy for a moment) moves the median little.
func rates(m, n, k int, ds []time.Duration) (median, lo, hi float64) {
	s := slices.Clone(ds)
	slices.Sort(s)
	mid := s[len(s)/2].Seconds()
	if len(s)%2 == 0 {
		mid = (s[len(s)/2-1].Seconds() + mid) / 2
	}
	return gemm.GFLOPS(m, n, k, mid), gemm.GFLOPS(m, n, k, s[len(s)-1].Seconds()), gemm.GFLOPS(m, n, k, s[0].Seconds())
}

// gonumRuns is how often gonum's (slow) multiply is timed per product.
const gonumRuns = 3

// Measure sets p.GFLOPS (mlptui's multiply) and, if withGonum, p.GonumGFLOPS
// (gonum's pure-Go Sgemm on the same operands), each the median of several
// timings after a warm-up, with their spread.
func Measure(ctx context.Context, p *Product, withGonum bool) error {
	a, b, c, lda, ldb := operands(*p)
	ds, err := timeIt(ctx, 500*time.Millisecond, 3, func() {
		gemm.Sgemm(p.TransA, p.TransB, p.M, p.N, p.K, 1, a, lda, b, ldb, 0, c, p.N)
	})
	if err != nil {
		return err
	}
	p.GFLOPS, p.GFLOPSMin, p.GFLOPSMax = rates(p.M, p.N, p.K, ds)
	p.Runs = len(ds)
	if !withGonum {
		return nil
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if p.TransA {
		ta = blas.Trans
	}
	if p.TransB {
		tb = blas.Trans
	}
	var impl gonum.Implementation
	ds, err = timeIt(ctx, 0, gonumRuns, func() {
		impl.Sgemm(ta, tb, p.M, p.N, p.K, 1, a, lda, b, ldb, 0, c, p.N)
	})
	if err != nil {
		return err
	}
	p.GonumGFLOPS, p.GonumGFLOPSMin, p.GonumGFLOPSMax = rates(p.M, p.N, p.K, ds)
	p.GonumRuns = len(ds)
	return nil
}

// TrainStep is the time of one training step (forward, loss, backward,
// Adam) of an MLP on synthetic data.
type TrainStep struct {
	Network string  `json:"network"`
	Batch   int     `json:"batch"`
	Seconds float64 `json:"seconds"` // the fastest of the steps timed
	Median  float64 `json:"median_seconds"`
	Steps   int     `json:"steps"`
	Dropout float64 `json:"dropout"` // after every hidden layer
	// Precision of the products: "float32" or "bf16" (nn.SetPrecision).
	Precision string `json:"precision"`
}

// MeasureTrainStep times training steps of the network with the given
// widths (ReLU, the given dropout after every hidden layer, Adam) at a
// batch size, after one warm-up step.
func MeasureTrainStep(ctx context.Context, sizes []int, batch, steps int, dropout float64) (TrainStep, error) {
	arch := nn.PlainArch(sizes...)
	net, err := nn.New(arch, 1)
	if err != nil {
		return TrainStep{}, err
	}
	net.SetDropout(dropout)
	opt := nn.NewAdam(len(net.Params), 1e-4)
	rng := nn.NewRNG(2)
	x := nn.NewMatrix(batch, arch.Inputs)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.IntN(arch.Classes))
	}
	step := func(i int) {
		net.SeedDropout(1, uint64(i))
		net.TrainBatch(x, y)
		opt.Step(net.Params, net.Grads)
	}
	step(0)
	times := make([]float64, 0, steps)
	for i := 1; i <= steps; i++ {
		if err := ctx.Err(); err != nil {
			return TrainStep{}, err
		}
		t := time.Now()
		step(i)
		times = append(times, time.Since(t).Seconds())
	}
	sort.Float64s(times)
	return TrainStep{Network: arch.String(), Batch: batch, Seconds: times[0], Median: times[len(times)/2], Steps: steps, Dropout: dropout,
		Precision: nn.CurrentPrecision().String()}, nil
}

// Kernel names the multiply's kernel in use: "avx512", "avx2" or
// "generic".
func Kernel() string { return gemm.Kernel() }

// SetKernel forces the kernels of the matrix multiply and of the
// element-wise updates; it fails, changing neither, if the CPU lacks them.
func SetKernel(name string) error {
	prev := gemm.Kernel()
	if err := gemm.SetKernel(name); err != nil {
		return err
	}
	if err := vec.SetKernel(name); err != nil {
		gemm.SetKernel(prev)
		return err
	}
	return nil
}

// Kernels lists the kernels this CPU supports, best first.
func Kernels() []string { return gemm.Kernels() }

// Threads reports how many threads share a product.
func Threads() int { return gemm.Threads() }
