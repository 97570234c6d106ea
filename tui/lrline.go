package tui

import (
	"fmt"
	"math"
	"strings"
)

// sparkBlocks are the eight heights of a sparkline cell, lowest first.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// lrLine is the learning rate as it went, one line under the curves: a
// sparkline over the same steps as the charts (warm-up, decay and
// plateau cuts show as its shape, on a log scale) with a ¦ where an edit
// of the lr or dropout applied, then its last value and its range.
// "lr ▁▃██▇▆▅▄¦▃▂▁ now 1.2e-3 (1e-4–1e-2)". Empty before an epoch ended.
func (m trainingModel) lrLine(s *runState, w int) string {
	if s.lrs.len() == 0 || w < 30 {
		return ""
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range s.lrs.y {
		if y > 0 && !math.IsInf(y, 0) {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
	}
	if math.IsInf(lo, 0) {
		return ""
	}
	text := fmt.Sprintf(" now %.2g", s.lrs.last())
	if hi > lo {
		text += fmt.Sprintf(" (%.2g–%.2g)", lo, hi)
	}
	n := w - len("lr ") - len([]rune(text))
	if n < 8 {
		return ""
	}
	x1 := s.shownSteps()
	cols := s.lrs.resample(0, x1, n)
	mark := make([]bool, n)
	for _, e := range s.edits {
		if j := int(float64(e.Step) / x1 * float64(n)); j >= 0 && j < n {
			mark[j] = true
		}
	}
	var b strings.Builder
	for j, y := range cols {
		switch {
		case mark[j]:
			b.WriteString(m.st.accent.Render("¦"))
		case math.IsNaN(y) || y <= 0:
			b.WriteByte(' ')
		default:
			b.WriteRune(sparkBlocks[sparkLevel(y, lo, hi)])
		}
	}
	return m.st.dim.Render("lr ") + b.String() + m.st.dim.Render(text)
}

// sparkLevel is y's height among the sparkline's eight, on a log scale
// from lo to hi (all the same: the middle).
func sparkLevel(y, lo, hi float64) int {
	if !(hi > lo) {
		return len(sparkBlocks) / 2
	}
	f := (math.Log(y) - math.Log(lo)) / (math.Log(hi) - math.Log(lo))
	return min(len(sparkBlocks)-1, max(0, int(math.Round(f*float64(len(sparkBlocks)-1)))))
}
