package lab

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Thousands formats a count with thousands separators: 12,345; "-" for
// NaN or an infinity.
func Thousands(v float64) string {
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

// Clock formats seconds as 1:02:03 or 2:03; "-" when unknown (NaN,
// negative, or beyond 1e8 s).
func Clock(sec float64) string {
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

// Seconds formats a training time: "0.42s" or "4.2s" under a minute,
// else as Clock.
func Seconds(sec float64) string {
	if sec < 9.995 && sec >= 0 {
		return fmt.Sprintf("%.2fs", sec)
	}
	if sec < 59.95 && sec >= 0 {
		return fmt.Sprintf("%.1fs", sec)
	}
	return Clock(sec)
}

// Loss formats a loss to 4 decimals, or to 4 significant digits once it
// is large (a run on its way to diverging: 7.846e+29, not 30 digits).
func Loss(v float64) string {
	if math.Abs(v) >= 1e5 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// Fraction formats an accuracy, a probability or another fraction in
// [0, 1] to 4 decimals: 0.9667.
func Fraction(v float64) string { return fmt.Sprintf("%.4f", v) }

// Percent formats a fraction as a percentage with two decimals: 96.67%.
func Percent(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }

// PercentOf is Percent of a figure that may not exist: "-" for nil.
func PercentOf(v *float64) string {
	if v == nil {
		return "-"
	}
	return Percent(*v)
}

// ShortPercent formats a fraction as a percentage with one decimal, as
// the dashboard's narrow cells show it: 97.5%; "-" for NaN.
func ShortPercent(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// G4 formats a setting's number to 4 significant digits: 0.001, 1e-05.
func G4(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// Num formats a metric compactly: 4 significant digits, "-" for NaN.
func Num(v float64) string {
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
	case a >= 10:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.001:
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.2e", v)
}

// Num3 is Num with three decimals (one from 10 on): 0.057, 2.303.
func Num3(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || a == 0 || a >= 1000 || a < 0.001:
		return Num(v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// LogSpan is the ratio of the largest to the smallest value above which
// a loss is drawn on a log scale, in mlptui plot's images, its terminal
// charts and the dashboard alike.
const LogSpan = 30

// LogScale reports whether values from lo to hi are drawn on a log
// scale: all positive and spanning more than LogSpan times.
func LogScale(lo, hi float64) bool { return lo > 0 && hi/lo > LogSpan }
