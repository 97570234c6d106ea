package gemm

import "github.com/mlptui/mlptui/nn/internal/bf16"

// SgemmBF16 is Sgemm with bfloat16 operands: alpha*op(A) and op(B) are
// rounded to bfloat16 (to nearest, ties to even) as they are packed, and
// the products are accumulated in float32 (VDPBF16PS: two k steps per
// instruction). C, beta and the result stay float32.
//
// A product with m, n or k below [BF16MinDim] (the 10-class output layer
// of a classifier) is computed by Sgemm instead, on the float32 operands
// as given: it is bound by packing and by C, not by multiply-adds, so
// bfloat16 would only make it slower, and float32 is the more accurate.
//
// Where [BF16] is false (no avx512_bf16, arm64, purego) it computes the
// same products with the float32 kernel on rounded copies of A and B: the
// same values, summed in another order, and no faster than Sgemm.
func SgemmBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if !BF16Rounds(m, n, k) {
		Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	im := bf16Current()
	if im == nil {
		Sgemm(transA, transB, m, n, k, 1, roundedScaled(a, alpha), lda, rounded(b), ldb, beta, c, ldc)
		return
	}
	dispatch(im, &problem{
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda,
		b: b, ldb: ldb,
		beta: beta, c: c, ldc: ldc,
	})
}

// BF16MinDim is the smallest m, n and k for which SgemmBF16 rounds the
// operands to bfloat16: the width of the bfloat16 kernel's register tile
// (12×32). Below it the tile is mostly padding.
const BF16MinDim = 32

// BF16Rounds reports whether SgemmBF16 computes an m×n×k product with
// bfloat16 operands (else with float32 ones, see SgemmBF16).
func BF16Rounds(m, n, k int) bool { return min(m, n, k) >= BF16MinDim }

// BF16 reports whether SgemmBF16 runs a bfloat16 kernel on this CPU.
func BF16() bool { return bf16Current() != nil }

// bf16Current is the bfloat16 kernel in use, or nil.
func bf16Current() *impl {
	if bf16Off.Load() || len(bf16Available) == 0 {
		return nil
	}
	return bf16Available[0]
}

// SetBF16 turns the bfloat16 kernel off (on = false) or back on where the
// CPU has one, for tests and for comparing the two paths; it returns the
// previous setting.
func SetBF16(on bool) bool { return !bf16Off.Swap(!on) }

// bf16Available lists the supported bfloat16 kernels, best first.
var bf16Available = bf16Impls()

func rounded(x []float32) []float32 { return roundedScaled(x, 1) }

// roundedScaled returns alpha*x rounded to bfloat16 values (as float32).
func roundedScaled(x []float32, alpha float32) []float32 {
	r := make([]float32, len(x))
	for i, v := range x {
		r[i] = bf16.ToFloat32(bf16.FromFloat32(alpha * v))
	}
	return r
}
