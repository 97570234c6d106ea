package vec

import (
	"math"
	"math/rand/v2"
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

// geluInputs are float32s of every scale and both signs, and the edges:
// ±0, the clamps and their neighbours, infinities, NaN, denormals.
func geluInputs(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 11))
	edges := []float32{0, float32(math.Copysign(0, -1)), 10, -10, math.Nextafter32(10, 11), math.Nextafter32(-10, -11),
		math.Nextafter32(10, 0), math.Nextafter32(-10, 0), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		1e-40, -1e-40, math.MaxFloat32, -math.MaxFloat32, 1, -1}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = edges[rng.IntN(len(edges))]
		} else {
			x[i] = float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(8)-3)))
		}
	}
	return x
}

// TestGELUKernelsBitIdentical: every kernel this CPU has gives the bits of
// geluDeriv (NaN for NaN), for lengths around the vector widths and slices
// that do not start on a vector boundary.
func TestGELUKernelsBitIdentical(t *testing.T) {
	defer SetKernel(Kernel())
	for _, name := range Kernels() {
		if err := SetKernel(name); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 15, 16, 17, 33, 1000, 4099} {
			for _, off := range []int{0, 1, 3} {
				x := geluInputs(n+off, uint64(n))[off:]
				y, d := make([]float32, n), make([]float32, n)
				GELU(y, d, x)
				for i, xi := range x {
					wy, wd := geluDeriv(xi)
					same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
					if !same(y[i], wy) || !same(d[i], wd) {
						t.Fatalf("%s, n %d, offset %d: GELU(%v) = %v, %v; portable %v, %v", name, n, off, xi, y[i], d[i], wy, wd)
					}
				}
			}
		}
	}
}

func TestGELUBadLengths(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("GELU of 3 inputs into 2 outputs did not panic")
		}
	}()
	GELU(make([]float32, 2), make([]float32, 3), make([]float32, 3))
}

// BenchmarkGELU times GELU of a residual block's 256x2048 activations with
// each kernel this CPU has.
func BenchmarkGELU(b *testing.B) {
	defer SetKernel(Kernel())
	x := geluInputs(256*2048, 1)
	y, d := make([]float32, len(x)), make([]float32, len(x))
	for _, name := range Kernels() {
		b.Run(name, func(b *testing.B) {
			if err := SetKernel(name); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(4 * len(x)))
			for range b.N {
				GELU(y, d, x)
			}
		})
	}
}
