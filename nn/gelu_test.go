package nn

import (
	"math"
	"testing"
)

// TestGELUAccuracy compares geluDeriv with GELU and its derivative in
// float64 (math.Erf, math.Exp) at every float32 step of 1/256 in [-12, 12]
// and at the edges of its ranges. The bound is 5e-7 of the terms' size
// (|x·Φ(x)| for GELU, Φ(x) + |x·φ(x)| for GELU', whose terms cancel for
// x < 0) plus 1e-9: erfc's fractional error 1.2e-7 and the float32
// roundings of P(t), whose terms reach 1.5, that exp(P) turns into a
// relative error; 8 float32 ulps in all.
func TestGELUAccuracy(t *testing.T) {
	var xs []float32
	for i := -12 * 256; i <= 12*256; i++ {
		xs = append(xs, float32(i)/256)
	}
	xs = append(xs, 10, math.Nextafter32(10, 11), -10, math.Nextafter32(-10, -11), 1e-30, -1e-30, 3e-3, -7.77)
	worst := [2]float64{}
	for _, x := range xs {
		y, d := geluDeriv(x)
		xf := float64(x)
		cdf := 0.5 * math.Erfc(-xf/math.Sqrt2)
		xpdf := xf * math.Exp(-xf*xf/2) / math.Sqrt(2*math.Pi)
		want := [2]float64{xf * cdf, cdf + xpdf}
		size := [2]float64{math.Abs(want[0]), cdf + math.Abs(xpdf)}
		for k, got := range [2]float32{y, d} {
			err := math.Abs(float64(got) - want[k])
			if err > 5e-7*size[k]+1e-9 {
				t.Errorf("x = %v: %s %v, want %v (error %.3g)", x, [2]string{"GELU", "GELU'"}[k], got, want[k], err)
			}
			if rel := err / (math.Abs(want[k]) + 1e-30); math.Abs(want[k]) > 1e-6 && rel > worst[k] {
				worst[k] = rel
			}
		}
	}
	t.Logf("worst relative error where |value| > 1e-6: GELU %.3g, GELU' %.3g", worst[0], worst[1])
	if y, d := geluDeriv(float32(math.NaN())); y == y || d == d {
		t.Errorf("GELU(NaN) = %v, %v; want NaN", y, d)
	}
}

// TestExp32 checks exp32 against math.Exp over its range.
func TestExp32(t *testing.T) {
	for a := float32(-87); a <= 88; a += 0.0137 {
		got, want := float64(exp32(a)), math.Exp(float64(a))
		if math.Abs(got-want) > 2.5e-7*want {
			t.Fatalf("exp32(%v) = %v, want %v", a, got, want)
		}
	}
}

func BenchmarkGELU(b *testing.B) {
	x := randMatrix(NewRNG(1), 256, 2048, 2)
	g := &GELU{}
	b.SetBytes(int64(4 * len(x.Data)))
	for range b.N {
		g.Backward(g.Forward(x))
	}
}
