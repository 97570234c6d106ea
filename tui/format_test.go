package tui

import (
	"math"
	"testing"
)

func TestTruncate(t *testing.T) {
	cases := []struct {
		s          string
		w          int
		end, start string // truncate, truncateStart
	}{
		{"20261129-091759-iris-a", 30, "20261129-091759-iris-a", "20261129-091759-iris-a"},
		{"20261129-091759-iris-a", 22, "20261129-091759-iris-a", "20261129-091759-iris-a"},
		{"20261129-091759-iris-a", 12, "20261129-09…", "…1759-iris-a"},
		{"éèê", 2, "é…", "…ê"},
		{"abc", 1, "…", "…"},
		{"abc", 0, "", ""},
	}
	for _, c := range cases {
		if got := truncate(c.s, c.w); got != c.end {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.w, got, c.end)
		}
		if got := truncateStart(c.s, c.w); got != c.start {
			t.Errorf("truncateStart(%q, %d) = %q, want %q", c.s, c.w, got, c.start)
		}
	}
}

func TestNum(t *testing.T) {
	for _, c := range []struct {
		v          float64
		num, three string
	}{
		{0.0566, "0.0566", "0.057"}, {2.30258, "2.3026", "2.303"}, {12.345, "12.35", "12.3"}, {4321.4, "4321", "4321"},
		{7.847538508248489e+29, "7.85e+29", "7.85e+29"}, {0.00012, "1.20e-04", "1.20e-04"}, {0, "0", "0"},
		{math.NaN(), "-", "-"}, {math.Inf(1), "+Inf", "+Inf"},
	} {
		if got := num(c.v); got != c.num {
			t.Errorf("num(%v) = %q, want %q", c.v, got, c.num)
		}
		if got := num3(c.v); got != c.three {
			t.Errorf("num3(%v) = %q, want %q", c.v, got, c.three)
		}
	}
}
