package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlptui/mlptui/nn/internal/bf16"
	"github.com/mlptui/mlptui/nn/internal/gemm"
)

// TestPrecisionFallback: with the override hook saying the CPU lacks
// avx512_bf16, BF16 is refused in one line and products stay float32.
func TestPrecisionFallback(t *testing.T) {
	prevS := bf16.SetSupported(false)
	prevK := gemm.SetBF16(false) // the kernel list was fixed at start-up
	defer func() { bf16.SetSupported(prevS); gemm.SetBF16(prevK); SetPrecision(Float32) }()
	got, note := SetPrecision(BF16)
	if got != Float32 || CurrentPrecision() != Float32 || note == "" {
		t.Fatalf("SetPrecision(BF16) without a kernel = %v, %q; current %v", got, note, CurrentPrecision())
	}
	t.Log(note)
}

// TestPrecisionBF16MatMul: with BF16 (where the CPU has the kernel) a
// product equals the float64 product of the bfloat16-rounded operands
// within the float32 accumulation bound (k+4)·2⁻²³·Σ|a||b|, and differs
// from the float32 product by about bfloat16's 2⁻⁸.
func TestPrecisionBF16MatMul(t *testing.T) {
	defer SetPrecision(Float32)
	if got, note := SetPrecision(BF16); got != BF16 {
		t.Skip(note)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	m, k, n := 37, 301, 45
	a, b, c := NewMatrix(m, k), NewMatrix(k, n), NewMatrix(m, n)
	for i := range a.Data {
		a.Data[i] = float32(rng.NormFloat64())
	}
	for i := range b.Data {
		b.Data[i] = float32(rng.NormFloat64())
	}
	MatMul(false, false, 1, a, b, 0, c)
	r := func(v float32) float64 { return float64(bf16.ToFloat32(bf16.FromFloat32(v))) }
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, mag float64
			for p := 0; p < k; p++ {
				x := r(a.Data[i*k+p]) * r(b.Data[p*n+j])
				s += x
				mag += math.Abs(x)
			}
			if d := math.Abs(float64(c.Data[i*n+j]) - s); d > float64(k+4)*0x1p-23*mag {
				t.Fatalf("C[%d,%d] = %v, want %v (bound %g)", i, j, c.Data[i*n+j], s, float64(k+4)*0x1p-23*mag)
			}
		}
	}
}

// TestDenseGradientBF16 checks a dense layer's forward and backward in
// BF16 against float64 products of the bfloat16-rounded operands (the
// inputs, weights and incoming gradient): each element within
// (k+4)·2⁻²³·Σ|ã||b̃| (+ |bias| for the forward), k the length of its
// dot product. Finite differences cannot check this path: the rounding
// of the weights to bfloat16 makes the loss a step function at small
// steps.
func TestDenseGradientBF16(t *testing.T) {
	defer SetPrecision(Float32)
	if got, note := SetPrecision(BF16); got != BF16 {
		t.Skip(note)
	}
	rng := NewRNG(3)
	const batch, in, out = 33, 70, 45
	params := randMatrix(rng, 1, in*out+out, 1).Data
	grads := make([]float32, len(params))
	d := NewDense(in, out, params, grads)
	x := randMatrix(rng, batch, in, 1)
	r := randMatrix(rng, batch, out, 1)
	y := d.Forward(x)
	dx := d.Backward(r)
	rd := func(v float32) float64 { return float64(bf16.ToFloat32(bf16.FromFloat32(v))) }
	check := func(what string, got float32, k int, term func(p int) float64, extra float64) {
		t.Helper()
		s, mag := extra, math.Abs(extra)
		for p := 0; p < k; p++ {
			s += term(p)
			mag += math.Abs(term(p))
		}
		if tol := float64(k+4)*0x1p-23*mag + 1e-30; math.Abs(float64(got)-s) > tol {
			t.Fatalf("%s = %v, float64 of bf16 operands %v (bound %g)", what, got, s, tol)
		}
	}
	for b := 0; b < batch; b++ {
		for o := 0; o < out; o++ {
			check("y", y.Data[b*out+o], in, func(p int) float64 { return rd(x.Data[b*in+p]) * rd(d.W.Data[p*out+o]) }, float64(d.B[o]))
		}
		for i := 0; i < in; i++ {
			check("dx", dx.Data[b*in+i], out, func(p int) float64 { return rd(r.Data[b*out+p]) * rd(d.W.Data[i*out+p]) }, 0)
		}
	}
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			check("dW", d.DW.Data[i*out+o], batch, func(p int) float64 { return rd(x.Data[p*in+i]) * rd(r.Data[p*out+o]) }, 0)
		}
	}
}

// TestPrecisionBF16SmallProducts checks the rule for small products: in
// BF16 a product with a dimension below 32 (the 10-class output layer) is
// the float32 product, bit for bit.
func TestPrecisionBF16SmallProducts(t *testing.T) {
	defer SetPrecision(Float32)
	if got, note := SetPrecision(BF16); got != BF16 {
		t.Skip(note)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{37, 301, 10}, {1024, 10, 4000}, {300, 31, 200}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b := NewMatrix(m, k), NewMatrix(k, n)
		for i := range a.Data {
			a.Data[i] = float32(rng.NormFloat64())
		}
		for i := range b.Data {
			b.Data[i] = float32(rng.NormFloat64())
		}
		got, want := NewMatrix(m, n), NewMatrix(m, n)
		SetPrecision(BF16)
		MatMul(false, false, 1, a, b, 0, got)
		SetPrecision(Float32)
		MatMul(false, false, 1, a, b, 0, want)
		for i := range got.Data {
			if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Fatalf("%dx%dx%d: C[%d] = %v in bf16, %v in float32", m, k, n, i, got.Data[i], want.Data[i])
			}
		}
	}
}
