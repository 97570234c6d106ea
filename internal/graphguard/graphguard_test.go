package graphguard

import (
	"math"
	"testing"

	"github.com/guptarohit/asciigraph"
)

// TestNoPanic: every series of hostile values is drawn by asciigraph
// after Series, where some panicked before.
func TestNoPanic(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := [][]float64{
		{1, 1e308}, {-1e308, 1e308}, {1, inf}, {-inf, 1}, {inf, -inf}, {nan, 1},
		{math.MaxFloat64, -math.MaxFloat64}, {1e-300, 1e300}, {0, 5e-324, 1},
	}
	panicked := 0
	for _, d := range cases {
		if plot(append([]float64(nil), d...)) != nil {
			panicked++
		}
		if r := plot(Series(append([]float64(nil), d...))); r != nil {
			t.Errorf("%v after Series: asciigraph panicked: %v", d, r)
		}
	}
	if panicked == 0 {
		t.Errorf("no case panicked without Series: the test shows nothing")
	}
	got := Series([]float64{inf, -inf, nan, 2e300, -2e300, 3})
	want := []float64{nan, nan, nan, Limit, -Limit, 3}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("Series: element %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func plot(d []float64) (r any) {
	defer func() { r = recover() }()
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range d {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	opts := []asciigraph.Option{asciigraph.Height(8), asciigraph.Width(20),
		asciigraph.YAxisValueFormatter(func(v float64) string { return "x" })}
	if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		opts = append(opts, asciigraph.LowerBound(lo), asciigraph.UpperBound(hi))
	}
	asciigraph.PlotMany([][]float64{d}, opts...)
	return nil
}
