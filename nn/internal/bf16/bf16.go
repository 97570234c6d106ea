// Package bf16 is a scalar reference model of the two AVX512-BF16
// instructions a bfloat16 matrix multiply would be built on, and the CPU
// check that would choose such a kernel. There is no assembly here: no CPU
// this was written on had avx512_bf16, so a kernel could not be run, and
// this model is what one must match bit for bit (see the tests).
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
//     addition rounded to nearest even; denormal inputs are read as zero
//     and denormal results written as zero, and MXCSR is not consulted.
//     The product of two bfloat16 values (8-bit significands) is exact in
//     float32 (24), so whether hardware fuses the multiply and the add
//     changes nothing except when a product under- or overflows.
package bf16

import (
	"math"

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
// each addition rounded to nearest even, with denormal inputs (the
// accumulator too) read as zero and denormal results written as zero.
// len(a) and len(b) must be 2*len(acc).
func Dpbf16ps(acc []float32, a, b []uint16) {
	if len(a) != 2*len(acc) || len(b) != 2*len(acc) {
		panic("bf16: Dpbf16ps lengths differ")
	}
	for j := range acc {
		s := daz(acc[j])
		s = ftz(s + ftz(float32(daz(ToFloat32(a[2*j+1]))*daz(ToFloat32(b[2*j+1])))))
		s = ftz(s + ftz(float32(daz(ToFloat32(a[2*j]))*daz(ToFloat32(b[2*j])))))
		acc[j] = s
	}
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
// instructions, as a bfloat16 kernel would need.
func Supported() bool { return cpu.X86.HasAVX512BF16 && cpu.X86.HasAVX512F }

// Status is the one line to print at start-up about bfloat16 products on
// this CPU.
func Status() string {
	if Supported() {
		return "bf16: this CPU has avx512_bf16 (no bfloat16 kernel yet: products run in float32)"
	}
	return "bf16: this CPU lacks avx512_bf16: products run in float32"
}
