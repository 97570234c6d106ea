package vec

import (
	"fmt"
	"math"
)

// GELU sets y[i] to GELU(x[i]) = x[i]·Φ(x[i]) and d[i] to its derivative
// Φ(x[i]) + x[i]·φ(x[i]), exact (with erf) to float32's precision: see
// geluDeriv, which every kernel follows operation for operation. NaN gives
// NaN; x > 10 gives x and 1, x < -10 gives 0 and 0.
func GELU(y, d, x []float32) {
	n := len(x)
	if len(y) != n || len(d) != n {
		panic(fmt.Sprintf("vec: GELU of %d inputs given %d and %d outputs", n, len(y), len(d)))
	}
	done := 0
	if k := current.Load(); k.gelu != nil && n >= k.width {
		done = n / k.width * k.width
		k.gelu(&y[0], &d[0], &x[0], done, &geluConsts)
	}
	for i := done; i < n; i++ {
		y[i], d[i] = geluDeriv(x[i])
	}
}

// The constants of geluDeriv and exp32.
const (
	geluHi, geluLo = 10, -10 // beyond them Φ is 1 or 0 to float32 (Φ(-10) = 7.6e-24)
	invSqrt2       = math.Sqrt2 / 2
	invSqrt2Pi     = 0.3989422804014327 // 1/√(2π)
	erfcLast       = -1.26551223        // P's constant term

	log2e = 1.4426950408889634
	ln2hi = 0.693145751953125 // ln 2 to 16 bits, so that n·ln2hi is exact
	ln2lo = 1.428606820309417e-06
	round = 1.5 * (1 << 23) // adding and subtracting it rounds a float32 to an integer
)

// erfcP are the coefficients of Numerical Recipes' erfcc polynomial P(t),
// highest degree first, without the constant term erfcLast.
var erfcP = [9]float32{0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368}

// expTaylor are e^r's Taylor coefficients 1/7! down to 1/1!, then 1.
var expTaylor = [8]float32{1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1}

// geluConsts is what the assembly reads, by offset (4 bytes each): keep the
// order in step with internal/asmgen's geluProgram (gelu.go there).
var geluConsts = func() (c [32]float32) {
	copy(c[0:], []float32{geluHi, geluLo, invSqrt2, 0.5, 1, -0.5, log2e, round, ln2hi, ln2lo, invSqrt2Pi, math.Float32frombits(127), math.Float32frombits(1<<31 - 1), erfcLast})
	copy(c[14:], erfcP[:])
	copy(c[23:], expTaylor[:5])
	return c
}()

// geluDeriv returns GELU(x) = x·Φ(x) and its derivative Φ(x) + x·φ(x)
// without math.Erf: in a residual network math.Erf and math.Exp took a
// third of the training step. It is the portable GELU, and the assembly
// does the same operations in the same order.
//
// Φ(x) = erfc(-x/√2)/2 and erfc(z), z ≥ 0, is Numerical Recipes' erfcc,
// t·exp(-z² + P(t)) with t = 1/(1 + z/2) and P of degree 9, whose
// fractional error is below 1.2e-7 for every z: the tail keeps its
// relative accuracy, unlike the one-exponential forms. exp(-z²) is the
// exp(-x²/2) that φ needs too, so erfc(z) = t·exp(-x²/2)·exp(P(t)) costs
// one more exponential, of an argument in [-1.27, 0].
//
// The arithmetic is float32. In float64 it was three times slower: Go
// converts float32 to float64 with CVTSS2SD, which depends on its
// destination register's last value, and so chains one element's
// computation to the next. Every product is rounded by a conversion, so
// that no compiler fuses a multiply and an add and every architecture
// computes the same bits. TestGELUAccuracy bounds the error against
// math.Erfc.
func geluDeriv(x float32) (y, d float32) {
	switch {
	case x != x:
		return x, x
	case x > geluHi:
		return x, 1
	case x < geluLo:
		return 0, 0
	}
	z := float32(math.Float32frombits(math.Float32bits(x)&(1<<31-1)) * invSqrt2)
	t := 1 / (1 + float32(0.5*z))
	p := float32(t * erfcP[0])
	for _, c := range erfcP[1:] {
		p = float32(t * (p + c))
	}
	p += erfcLast
	e := exp32(float32(-0.5 * float32(x*x)))
	half := float32(float32(0.5*t) * float32(e*exp32(p))) // erfc(|x|/√2)/2
	// Φ(x) is half for x < 0 and 1 - half otherwise, chosen by a mask of
	// x's sign bit rather than a branch mispredicted for half the inputs.
	neg := uint32(int32(math.Float32bits(x)) >> 31)
	cdf := math.Float32frombits(math.Float32bits(half)&neg | math.Float32bits(1-half)&^neg)
	return float32(x * cdf), cdf + float32(x*float32(invSqrt2Pi*e))
}

// exp32 is e^a for a in [-87, 88]: a = n·ln 2 + r with |r| <= ln(2)/2,
// e^r by its Taylor series to degree 7 (truncation error below 5.1e-9),
// and 2^n put into the exponent bits.
func exp32(a float32) float32 {
	n := float32(float32(a*log2e)+round) - round
	r := float32(a - float32(n*ln2hi))
	r = float32(r - float32(n*ln2lo))
	p := expTaylor[0]
	for _, c := range expTaylor[1:] {
		p = float32(r*p) + c
	}
	return float32(p * math.Float32frombits(uint32(int32(n)+127)<<23))
}
