// Package bf16 is a scalar reference model of the AVX512-BF16
// instructions the bfloat16 matrix multiply of package gemm is built on,
// and the CPU check that chooses that kernel. The kernel (SgemmBF16) and
// its packing are tested against this model bit for bit.
//
// bfloat16 is the top half of a float32: sign, the 8-bit exponent and 7
// bits of mantissa. The model follows the pseudo-code of Intel's Software
// Developer's Manual (vol. 2, VCVTNE2PS2BF16 and VDPBF16PS):
//
//   - [FromFloat32] (convert_fp32_to_bfloat16): round to nearest, ties to
//     even; float32 denormals become a zero of their sign; NaNs are
//     truncated and made quiet; a value that rounds past the largest
//     finite bfloat16 becomes infinity.
//   - [Cvtne2ps2bf16]: two vectors of float32 into one of bfloat16, the
//     second source in the low half.
//   - [Dpbf16ps]: each float32 lane j accumulates the products of the
//     bfloat16 pair (2j+1, 2j) of both sources, the odd pair first, each
//     multiply-add fused (rounded once, to nearest even); denormal inputs
//     are read as zero and denormal results written as zero, and MXCSR is
//     not consulted. The product of two bfloat16 values (8-bit
//     significands) is exact in float32 (24), so fusing changes nothing
//     except when a product under- or overflows float32: Zen 4 fuses (a
//     test of package gemm found -inf where an unfused model gave NaN).
package bf16

import (
	"math"
	"sync/atomic"

	"golang.org/x/sys/cpu"
)

// FromFloat32 rounds f to bfloat16 as VCVTNE2PS2BF16 does.
func FromFloat32(f float32) uint16 {
	x := math.Float32bits(f)
	switch exp := x >> 23 & 0xff; {
	case exp == 0: // zero or denormal: a zero of the same sign
		return uint16(x>>16) & 0x8000
	case exp == 0xff && x&0x7fffff == 0: // infinity
		return uint16(x >> 16)
	case exp == 0xff: // NaN: truncated, forced quiet
		return uint16(x>>16) | 0x40
	}
	bias := uint32(0x7fff) + (x >> 16 & 1)
	return uint16((x + bias) >> 16)
}

// ToFloat32 widens a bfloat16 to float32 (exact).
func ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// Cvtne2ps2bf16 models VCVTNE2PS2BF16 dst, src1, src2 on len(src1) ==
// len(src2) lanes: dst[j] is src2[j] rounded for j < n and src1[j-n] for
// j >= n. len(dst) must be 2n.
func Cvtne2ps2bf16(dst []uint16, src1, src2 []float32) {
	n := len(src2)
	if len(src1) != n || len(dst) != 2*n {
		panic("bf16: Cvtne2ps2bf16 lengths differ")
	}
	for j, f := range src2 {
		dst[j] = FromFloat32(f)
	}
	for j, f := range src1 {
		dst[n+j] = FromFloat32(f)
	}
}

// Dpbf16ps models VDPBF16PS acc, a, b: for every lane j,
//
//	acc[j] += a[2j+1]·b[2j+1]
//	acc[j] += a[2j]·b[2j]
//
// each multiply-add fused and rounded to nearest even, with denormal inputs (the
// accumulator too) read as zero and denormal results written as zero.
// len(a) and len(b) must be 2*len(acc).
func Dpbf16ps(acc []float32, a, b []uint16) {
	if len(a) != 2*len(acc) || len(b) != 2*len(acc) {
		panic("bf16: Dpbf16ps lengths differ")
	}
	for j := range acc {
		s := daz(acc[j])
		s = ftz(fma32(daz(ToFloat32(a[2*j+1])), daz(ToFloat32(b[2*j+1])), s))
		s = ftz(fma32(daz(ToFloat32(a[2*j])), daz(ToFloat32(b[2*j])), s))
		acc[j] = s
	}
}

// fma32 is x*y + z rounded once to float32 (nearest even), as a fused
// multiply-add computes it: the product of two bfloat16 values is exact in
// float64, the float64 sum is made exact by its error term (TwoSum), and
// a sum that float64 rounded onto a float32 midpoint is moved off it by
// that error, so that rounding to float32 is correct.
//
// NaNs follow x86's rule for fused multiply-adds, observed on Zen 4: the
// first NaN operand of x, y, z, made quiet; an invalid operation (∞·0,
// ∞-∞) gives the default NaN, 0xffc00000.
func fma32(x, y, z float32) float32 {
	for _, v := range [3]float32{x, y, z} {
		if v != v {
			return math.Float32frombits(math.Float32bits(v) | 0x00400000)
		}
	}
	p := float64(x) * float64(y) // exact: 8-bit significands
	r := p + float64(z)
	if math.IsNaN(r) {
		return math.Float32frombits(0xffc00000)
	}
	f := float32(r)
	if math.IsInf(r, 0) || float64(f) == r {
		return f
	}
	bv := r - p
	e := (p - (r - bv)) + (float64(z) - bv) // r + e == p + z exactly
	if e == 0 {
		return f
	}
	other := math.Nextafter32(f, float32(math.Inf(1)))
	if float64(f) > r {
		other = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	if r != (float64(f)+float64(other))/2 {
		return f // not a midpoint: float64's rounding did not matter
	}
	if (e > 0) == (float64(other) > r) {
		return other
	}
	return f
}

// daz reads a denormal as a zero of its sign.
func daz(f float32) float32 {
	if x := math.Float32bits(f); x&0x7f800000 == 0 {
		return math.Float32frombits(x & 0x80000000)
	}
	return f
}

// ftz writes a denormal result as a zero of its sign.
func ftz(f float32) float32 { return daz(f) }

// Supported reports whether this CPU (and OS) can run AVX512-BF16
// instructions, as the bfloat16 kernel of package gemm needs (false after
// SetSupported(false)).
func Supported() bool { return supported && !forcedOff.Load() }

var supported = cpu.X86.HasAVX512BF16 && cpu.X86.HasAVX512F

var forcedOff atomic.Bool

// SetSupported(false) makes Supported report false, as on a CPU without
// avx512_bf16: the override hook of the tests of the fallback.
// SetSupported(true) restores the CPU's answer. It returns the previous
// override state (true = not forced off).
func SetSupported(on bool) bool { return !forcedOff.Swap(!on) }

// Status is the one line to print at start-up about bfloat16 products on
// this CPU.
func Status() string {
	if Supported() {
		return "bf16: this CPU has avx512_bf16: --precision bf16 runs the products in bfloat16"
	}
	return "bf16: this CPU lacks avx512_bf16: products run in float32 (--precision bf16 falls back)"
}
