package bench

import (
	"context"
	"testing"
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

func TestMeasure(t *testing.T) {
	p := Products([]int{64, 96, 10}, 32)[0]
	if err := Measure(context.Background(), &p, true); err != nil {
		t.Fatal(err)
	}
	if !(p.GFLOPS > 0) || !(p.GonumGFLOPS > 0) {
		t.Errorf("rates %v and %v", p.GFLOPS, p.GonumGFLOPS)
	}
	s, err := MeasureTrainStep(context.Background(), []int{64, 32, 10}, 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.Network != "64-32-10" || !(s.Seconds > 0) || s.Median < s.Seconds || s.Steps != 3 {
		t.Errorf("%+v", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MeasureTrainStep(ctx, []int{64, 32, 10}, 16, 3); err == nil {
		t.Errorf("a cancelled benchmark did not stop")
	}
}
