//go:build amd64 && !purego

package gemm

import (
	"math"
	"testing"

	"github.com/mlptui/mlptui/nn/internal/bf16"
)

// TestDpbf16psNaNsAndInfinities compares the instruction with the model on
// hand-made cases of NaN priority (which operand's NaN comes out),
// signalling NaNs and invalid operations, which random inputs rarely hit.
func TestDpbf16psNaNsAndInfinities(t *testing.T) {
	needBF16(t)
	combos := []struct {
		acc            uint32
		a1, b1, a0, b0 uint16
	}{
		{0x7fc10000, 0x7fc2, 0x7fc3, 0x7fc4, 0x7fc5},
		{0x3f800000, 0x7fc2, 0x7fc3, 0x7fc4, 0x7fc5},
		{0x3f800000, 0x3f80, 0x7fc3, 0x7fc4, 0x7fc5},
		{0x3f800000, 0x3f80, 0x3f80, 0x7fc4, 0x7fc5},
		{0x3f800000, 0x3f80, 0x3f80, 0x3f80, 0x7fc5},
		{0x7fc10000, 0x3f80, 0x3f80, 0x7fc4, 0x7fc5},
		{0x7fc10000, 0x3f80, 0x3f80, 0x3f80, 0x7fc5},
		{0x7fc10000, 0x3f80, 0x7fc3, 0x3f80, 0x3f80},
		{0x3f800000, 0x7f80, 0x0000, 0x7fc4, 0x3f80},
		{0x7fc10000, 0x7f80, 0x0000, 0x3f80, 0x3f80},
		{0x3f800000, 0x7f80, 0x3f80, 0xff80, 0x3f80},
		{0x3f800000, 0x7f80, 0x0000, 0x3f80, 0x3f80},
		{0x3f800000, 0x7f81, 0x7fc3, 0x3f80, 0x3f80},
	}
	for _, c := range combos {
		var acc [16]float32
		var a, b [32]uint16
		acc[0] = math.Float32frombits(c.acc)
		a[1], b[1], a[0], b[0] = c.a1, c.b1, c.a0, c.b0
		want := acc
		bf16.Dpbf16ps(want[:], a[:], b[:])
		dpbf16ps(&acc, &a, &b)
		if g, w := math.Float32bits(acc[0]), math.Float32bits(want[0]); g != w {
			t.Errorf("acc %08x a1 %04x b1 %04x a0 %04x b0 %04x: got %08x, model %08x", c.acc, c.a1, c.b1, c.a0, c.b0, g, w)
		}
	}
}
