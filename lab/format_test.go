package lab

import (
	"math"
	"testing"
)

func TestNum(t *testing.T) {
	for _, c := range []struct {
		v          float64
		num, three string
	}{
		{0.0566, "0.0566", "0.057"}, {2.30258, "2.3026", "2.303"}, {12.345, "12.35", "12.3"}, {4321.4, "4321", "4321"},
		{7.847538508248489e+29, "7.85e+29", "7.85e+29"}, {0.00012, "1.20e-04", "1.20e-04"}, {0, "0", "0"},
		{math.NaN(), "-", "-"}, {math.Inf(1), "+Inf", "+Inf"},
	} {
		if got := Num(c.v); got != c.num {
			t.Errorf("Num(%v) = %q, want %q", c.v, got, c.num)
		}
		if got := Num3(c.v); got != c.three {
			t.Errorf("Num3(%v) = %q, want %q", c.v, got, c.three)
		}
	}
}
