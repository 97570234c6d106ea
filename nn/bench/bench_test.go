package bench

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mlptui/mlptui/nn"
)

func TestProducts(t *testing.T) {
	ps := Products([]int{3072, 4000, 1000, 4000, 10}, 1024)
	if len(ps) != 11 {
		t.Fatalf("%d products, want 4 forward + 4 dW + 3 dX", len(ps))
	}
	var flops float64
	for _, p := range ps {
		flops += 2 * float64(p.M) * float64(p.N) * float64(p.K)
		switch p.Name {
		case "fc1.forward":
			if p.M != 1024 || p.N != 4000 || p.K != 3072 || p.TransA || p.TransB {
				t.Errorf("%+v", p)
			}
		case "fc2.dW":
			if p.M != 4000 || p.N != 1000 || p.K != 1024 || !p.TransA {
				t.Errorf("%+v", p)
			}
		case "fc4.dX":
			if p.M != 1024 || p.N != 4000 || p.K != 10 || !p.TransB {
				t.Errorf("%+v", p)
			}
		case "fc1.dX":
			t.Errorf("the first layer needs no input gradient")
		}
	}
	// 3 products per layer of 2·batch·in·out each, less fc1's dX.
	want := 2 * 1024.0 * (3*(3072*4000+4000*1000+1000*4000+4000*10) - 3072*4000)
	if flops != want {
		t.Errorf("%.4g FLOP per step, want %.4g", flops, want)
	}
}

// TestRates: the median of the timings, not the best or a lone slow one;
// the spread from the slowest to the fastest.
func TestRates(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	// 2·100·100·100 = 2e6 FLOP: 1 ms is 2 GFLOP/s.
	for _, c := range []struct {
		ds          []time.Duration
		med, lo, hi float64
	}{
		{ms(1), 2, 2, 2},
		{ms(1, 1, 20), 2, 0.1, 2},      // one slow timing moves the median not at all
		{ms(20, 1, 1, 4), 0.8, 0.1, 2}, // even: the mean of the middle two (2.5 ms)
		{ms(2, 4, 1), 1, 0.5, 2},
	} {
		med, lo, hi := rates(100, 100, 100, c.ds)
		if math.Abs(med-c.med) > 1e-9 || math.Abs(lo-c.lo) > 1e-9 || math.Abs(hi-c.hi) > 1e-9 {
			t.Errorf("rates(%v) = %v, %v, %v; want %v, %v, %v", c.ds, med, lo, hi, c.med, c.lo, c.hi)
		}
	}
}

func TestMeasure(t *testing.T) {
	p := Products([]int{64, 96, 10}, 32)[0]
	if err := Measure(context.Background(), &p, true); err != nil {
		t.Fatal(err)
	}
	if !(p.GFLOPS > 0) || !(p.GonumGFLOPS > 0) {
		t.Errorf("rates %v and %v", p.GFLOPS, p.GonumGFLOPS)
	}
	// Each rate is the median of several timings, within their spread.
	if p.Runs < 3 || p.GonumRuns < 3 {
		t.Errorf("%d timings of mlptui's multiply and %d of gonum's, want at least 3 each", p.Runs, p.GonumRuns)
	}
	if !(p.GFLOPSMin <= p.GFLOPS && p.GFLOPS <= p.GFLOPSMax) || !(p.GonumGFLOPSMin <= p.GonumGFLOPS && p.GonumGFLOPS <= p.GonumGFLOPSMax) {
		t.Errorf("median outside the spread: %+v", p)
	}
	s, err := MeasureTrainStep(context.Background(), []int{64, 32, 10}, 16, 3, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	if s.Network != "64-32-10" || !(s.Seconds > 0) || s.Median < s.Seconds || s.Steps != 3 || s.Dropout != 0.25 {
		t.Errorf("%+v", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MeasureTrainStep(ctx, []int{64, 32, 10}, 16, 3, 0.1); err == nil {
		t.Errorf("a cancelled benchmark did not stop")
	}
}

// TestRun: one small network measured at a batch, its products in order, the step timed, bfloat16 beside float32 where asked; an
// interrupt stops it.
func TestRun(t *testing.T) {
	var said []string
	r, err := Run(context.Background(), Options{Sizes: []int{16, 8, 4}, Batches: []int{4}, StepBatch: 4, Steps: 1, BF16: true,
		Status: func(s string) { said = append(said, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(Products([]int{16, 8, 4}, 4)); len(r.Products) != want || len(said) != want+1 {
		t.Errorf("%d products, %d status lines; want %d and one more", len(r.Products), len(said), want)
	}
	if r.Products[0].Batch != 4 || r.Products[len(r.Products)-1].Batch != 4 || r.TrainStep.Steps != 1 || r.Kernel == "" {
		t.Errorf("report %+v", r)
	}
	if (r.BF16Step == nil) == (r.BF16Note == "") && r.BF16Step == nil {
		t.Errorf("no bf16 step and no note saying why")
	}
	if p, _ := nn.SetPrecision(nn.Float32); p != nn.Float32 {
		t.Error("Run left the products in bfloat16")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Sizes: []int{16, 8, 4}, Batches: []int{4}, StepBatch: 4, Steps: 1}); err == nil {
		t.Error("an interrupted run: no error")
	}
}

// TestWriteText: the report's table has a row a product, the bf16
// column only where asked, and the step's line.
func TestWriteText(t *testing.T) {
	r := Report{Kernel: "avx512", Kernels: []string{"avx512", "generic"}, Threads: 2,
		Products:  []Product{{Name: "fwd", Batch: 4, M: 4, N: 8, K: 16, GFLOPS: 10, GonumGFLOPS: 2, BF16GFLOPS: 20}},
		TrainStep: TrainStep{Network: "16-8-4", Batch: 4, Seconds: 0.001, Steps: 1, Median: 0.002, Dropout: 0.1}}
	for _, bf16 := range []bool{false, true} {
		var b strings.Builder
		if err := WriteText(&b, r, bf16); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.HasPrefix(strings.TrimSpace(out), "product") || !strings.Contains(out, "5.0") ||
			strings.Contains(out, "bf16 GFLOP/s") != bf16 || !strings.Contains(out, "training step 16-8-4, batch 4, dropout 0.1, Adam: 0.001 s (fastest of 1; median 0.002 s)") {
			t.Errorf("bf16 %v:\n%s", bf16, out)
		}
	}
}
