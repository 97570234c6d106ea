package nn

import (
	"fmt"
	"sync/atomic"

	"github.com/mlptui/mlptui/nn/internal/gemm"
)

// Precision is the number format of the operands of the matrix products.
// Whatever it is, the products accumulate in float32 and everything else
// (weights, optimizer state, loss, softmax, normalization) stays float32.
type Precision uint8

const (
	// Float32 products: the default.
	Float32 Precision = iota
	// BF16 products: operands rounded to bfloat16 (nearest even) as they
	// are packed, products summed in float32 (AVX512-BF16). A product
	// with a dimension below 32 (the width of the bfloat16 kernel's
	// register tile), such as a 10-class output layer's, keeps float32
	// operands: it is bound by memory, not multiply-adds, so bfloat16
	// would only make it slower, and float32 is the more accurate.
	BF16
)

// String is the name used by --precision and config.json.
func (p Precision) String() string {
	if p == BF16 {
		return "bf16"
	}
	return "float32"
}

// ParsePrecision reads "float32" (or "") or "bf16".
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "", "float32", "fp32":
		return Float32, nil
	case "bf16", "bfloat16":
		return BF16, nil
	}
	return Float32, fmt.Errorf("precision %q: want float32 or bf16", s)
}

var bf16Products atomic.Bool

// SetPrecision sets the precision of every matrix product of the process
// and returns the one in effect with a one-line note: BF16 on a CPU
// without a bfloat16 kernel (no avx512_bf16, arm64, purego) falls back to
// Float32, and the note says so.
func SetPrecision(p Precision) (Precision, string) {
	if p == BF16 && !gemm.BF16() {
		bf16Products.Store(false)
		return Float32, "bf16: this CPU lacks avx512_bf16 (or this build has no bfloat16 kernel): training in float32"
	}
	bf16Products.Store(p == BF16)
	if p == BF16 {
		return BF16, "bf16: products in bfloat16 (AVX512-BF16), accumulation and weights in float32"
	}
	return Float32, ""
}

// CurrentPrecision reports the precision of the matrix products.
func CurrentPrecision() Precision {
	if bf16Products.Load() {
		return BF16
	}
	return Float32
}
