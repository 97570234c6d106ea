package tui

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// thousands formats a count with thousands separators: 12,345.
func thousands(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var b strings.Builder
	if v <= -0.5 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// clock formats seconds as 1:02:03 or 2:03; "-" when unknown.
func clock(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) || sec < 0 || sec > 1e8 {
		return "-"
	}
	d := time.Duration(sec * float64(time.Second)).Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// num formats a metric compactly: 4 significant digits, "-" for NaN.
func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if math.IsInf(v, 0) {
		return fmt.Sprint(v)
	}
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1e6: // a run on its way to diverging: 7.85e+29, not 30 digits
		return fmt.Sprintf("%.3g", v)
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 0.001:
		s := fmt.Sprintf("%.4f", v)
		if a >= 10 {
			s = fmt.Sprintf("%.2f", v)
		}
		return s
	}
	return fmt.Sprintf("%.2e", v)
}

// num3 is num with three decimals (two from 10 on): 0.057, 2.303.
func num3(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || a == 0 || a >= 1000 || a < 0.001:
		return num(v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// pct formats a fraction as a percentage: 97.5%; "-" for NaN.
func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// truncate cuts s to at most w cells, marking the cut with "…".
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	return string(r[:w-1]) + "…"
}

// truncateStart cuts s to w runes by its start: "…91759-iris-a".
func truncateStart(s string, w int) string {
	r := []rune(s)
	if w <= 0 || len(r) <= w {
		return truncate(s, w)
	}
	return "…" + string(r[len(r)-w+1:])
}

// padRight pads or cuts s (plain text) to exactly w cells.
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := len([]rune(s)); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
