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

func TestLoss(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0.05661, "0.0566"}, {2.30258, "2.3026"}, {99999.9, "99999.9000"}, {7.847538508248489e+29, "7.848e+29"}, {math.NaN(), "NaN"}, {math.Inf(1), "+Inf"}} {
		if got := Loss(c.v); got != c.want {
			t.Errorf("Loss(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestDurations(t *testing.T) {
	for _, c := range []struct {
		sec          float64
		clock, train string
	}{
		{0.4213, "0:00", "0.42s"}, {4.2, "0:04", "4.20s"}, {9.996, "0:10", "10.0s"}, {42.04, "0:42", "42.0s"},
		{59.96, "1:00", "1:00"}, {3723, "1:02:03", "1:02:03"}, {-1, "-", "-"}, {math.NaN(), "-", "-"}, {2e8, "-", "-"},
	} {
		if got := Clock(c.sec); got != c.clock {
			t.Errorf("Clock(%v) = %q, want %q", c.sec, got, c.clock)
		}
		if got := Seconds(c.sec); got != c.train {
			t.Errorf("Seconds(%v) = %q, want %q", c.sec, got, c.train)
		}
	}
}

func TestCountsAndShares(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567.4, "1,234,567"}, {-12345, "-12,345"}, {math.Inf(1), "-"}} {
		if got := Thousands(c.v); got != c.want {
			t.Errorf("Thousands(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := Percent(0.96667); got != "96.67%" {
		t.Errorf("Percent = %q", got)
	}
	if got := ShortPercent(0.975); got != "97.5%" {
		t.Errorf("ShortPercent = %q", got)
	}
	if got := ShortPercent(math.NaN()); got != "-" {
		t.Errorf("ShortPercent(NaN) = %q", got)
	}
	if got := PercentOf(nil); got != "-" {
		t.Errorf("PercentOf(nil) = %q", got)
	}
}

func TestLogScale(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   bool
	}{{0.1, 3, false}, {0.1, 3.01, true}, {0, 100, false}, {-1, 100, false}, {2.3, 2.3, false}} {
		if got := LogScale(c.lo, c.hi); got != c.want {
			t.Errorf("LogScale(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}
