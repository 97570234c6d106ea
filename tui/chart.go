package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
	"github.com/mlptui/mlptui/internal/graphguard"
	"github.com/mlptui/mlptui/lab"
)

// curve is a series of points in nondecreasing x order.
type curve struct {
	x, y []float64
}

// maxPoints bounds a curve: beyond it, every other point is dropped.
// A chart has far fewer columns, so the picture does not change.
const maxPoints = 1 << 14

func (c *curve) add(x, y float64) {
	if len(c.x) >= maxPoints {
		n := 0
		for i := 0; i < len(c.x); i += 2 {
			c.x[n], c.y[n] = c.x[i], c.y[i]
			n++
		}
		c.x, c.y = c.x[:n], c.y[:n]
	}
	c.x = append(c.x, x)
	c.y = append(c.y, y)
}

func (c *curve) len() int { return len(c.x) }

// last returns the last point's y, or NaN.
func (c *curve) last() float64 {
	if len(c.y) == 0 {
		return math.NaN()
	}
	return c.y[len(c.y)-1]
}

// merging says which value a column of several points shows.
type merging int

const (
	mergeMean     merging = iota // their mean
	mergeMax                     // the highest: an accuracy's best stays in sight
	mergeExtremes                // the one farthest from the column's mean: a loss's spike and its lows stay
)

// resample returns n values for n equal columns of [x0, x1]: the mean of
// the points in a column, else the straight line between the points on
// either side, else NaN (before the first point or after the last).
// Infinite values become NaN: asciigraph cannot draw them.
func (c *curve) resample(x0, x1 float64, n int) []float64 { return c.resampleBy(x0, x1, n, mergeMean) }

// resampleBy is resample with the points of a column merged as how says.
func (c *curve) resampleBy(x0, x1 float64, n int, how merging) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	if len(c.x) == 0 || n <= 0 || !(x1 > x0) {
		return out
	}
	dx := (x1 - x0) / float64(n)
	col := func(x float64) int { return min(n-1, max(0, int((x-x0)/dx))) }
	sum := make([]float64, n)
	cnt := make([]int, n)
	lo, hi := make([]float64, n), make([]float64, n)
	for i, x := range c.x {
		if y := c.y[i]; !math.IsNaN(y) && !math.IsInf(y, 0) {
			j := col(x)
			if cnt[j] == 0 {
				lo[j], hi[j] = y, y
			}
			sum[j] += y
			cnt[j]++
			lo[j], hi[j] = math.Min(lo[j], y), math.Max(hi[j], y)
		}
	}
	for j := range out {
		if cnt[j] == 0 {
			continue
		}
		mean := sum[j] / float64(cnt[j])
		switch how {
		case mergeMax:
			out[j] = hi[j]
		case mergeExtremes:
			out[j] = lo[j]
			if hi[j]-mean > mean-lo[j] {
				out[j] = hi[j]
			}
		default:
			out[j] = mean
		}
	}
	// Fill the gaps between columns that have points.
	prev := -1
	for j := range out {
		if cnt[j] == 0 {
			continue
		}
		if prev >= 0 && j-prev > 1 {
			a, b := out[prev], out[j]
			for k := prev + 1; k < j; k++ {
				out[k] = a + (b-a)*float64(k-prev)/float64(j-prev)
			}
		}
		prev = j
	}
	return out
}

// series is a named curve of a chart.
type series struct {
	name string
	c    *curve
}

// chart draws curves over x in [x0, x1] with asciigraph: a title line
// with a legend, the plot, and a line naming the x axis.
type chart struct {
	title  string
	series []series
	x0, x1 float64
	// xLabel names an x value on the axis line ("epoch 12").
	xLabel func(x float64) string
	// percent labels the y axis in percent (accuracies, as fractions).
	percent bool
	// logY draws the values on a log scale when they are all positive
	// and span more than a decade and a half (a loss falling from 2.3 to
	// 0.05): on a linear axis the whole later run is a flat line at the
	// bottom. The title then says "(log)".
	logY bool
	// merge says what a column of several epochs shows (the mean by
	// default), so that the extremes stay in sight.
	merge merging
	// merges, where given, replace merge for the series of the same index.
	merges []merging
	// marks are x values marked ▲ on the axis line: the steps from which
	// an edit of the learning rate or dropout applied.
	marks []float64
}

// yLabelWidth is the width of the value labels left of the plot;
// asciigraph adds the axis and one space, so a plot of n columns is
// n+chartPad cells wide.
const (
	yLabelWidth = 6
	chartPad    = yLabelWidth + 2
)

// markers tell curves apart without colour.
var markers = []string{"", "•", "×", "+", "o", "#"}

// yLabel formats a value for the y axis in exactly yLabelWidth cells.
func yLabel(v float64) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 1e5:
		s = fmt.Sprintf("%.0e", v)
	case a >= 100:
		s = fmt.Sprintf("%.0f", v)
	case a >= 10:
		s = fmt.Sprintf("%.1f", v)
	case a >= 1:
		s = fmt.Sprintf("%.2f", v)
	case a > 0 && a < 0.001: // a log-scale loss near zero: 1.2e-5, not 0.000
		s = strings.Replace(fmt.Sprintf("%.1e", v), "e-0", "e-", 1)
		if len(s) > yLabelWidth {
			s = strings.Replace(fmt.Sprintf("%.0e", v), "e-0", "e-", 1)
		}
	default:
		s = fmt.Sprintf("%.3f", v)
	}
	if len(s) > yLabelWidth {
		s = s[:yLabelWidth]
	}
	return fmt.Sprintf("%*s", yLabelWidth, s)
}

// yPercent formats a fraction as a percentage for the y axis, in
// exactly yLabelWidth cells: 98.7%.
func yPercent(v float64) string {
	return fmt.Sprintf("%*s", yLabelWidth, truncate(fmt.Sprintf("%.1f%%", 100*v), yLabelWidth))
}

// legendStyle styles the i-th curve's name like its line.
func legendStyle(st *styles, i int) lipgloss.Style {
	c := st.curveColor(i)
	if c == asciigraph.Default {
		return lipgloss.NewStyle()
	}
	return lipgloss.NewStyle().Foreground(lipgloss.Color(strconv.Itoa(int(c))))
}

// legendMark is the short line drawn before a curve's name.
func legendMark(st *styles, i int) string {
	m := "──"
	if !st.colour() && markers[i%len(markers)] != "" {
		m = strings.Repeat(markers[i%len(markers)], 2)
	}
	return legendStyle(st, i).Render(m)
}

// render draws the chart in exactly h lines of at most w cells.
func (ch chart) render(w, h int, st *styles) string {
	if h <= 0 || w <= 0 {
		return ""
	}
	lines := make([]string, 0, h)
	legend := make([]string, 0, len(ch.series))
	for i, s := range ch.series {
		legend = append(legend, legendMark(st, i)+" "+s.name)
	}
	title := func(t string) string {
		return fitLine(st.bold.Render(t)+"  "+strings.Join(legend, "  "), w)
	}
	lines = append(lines, title(ch.title))
	plotH := h - 2
	n := w - chartPad
	if plotH < 2 || n < 4 {
		return strings.Join(padLines(lines, h), "\n")
	}
	data := make([][]float64, len(ch.series))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range ch.series {
		how := ch.merge
		if i < len(ch.merges) {
			how = ch.merges[i]
		}
		data[i] = graphguard.Series(s.c.resampleBy(ch.x0, ch.x1, n, how))
		for _, v := range data[i] {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		lines = append(lines, fitLine(st.dim.Render(strings.Repeat(" ", chartPad)+"waiting for the first values…"), w))
		return strings.Join(padLines(lines, h), "\n")
	}
	label := yLabel
	if ch.percent {
		label = yPercent
	}
	if ch.logY && lab.LogScale(lo, hi) {
		for _, d := range data {
			for j, v := range d {
				d[j] = math.Log10(v) // NaN stays NaN
			}
		}
		lo, hi = math.Log10(lo), math.Log10(hi)
		label = func(v float64) string { return yLabel(math.Pow(10, v)) }
		lines[0] = title(ch.title + " (log)")
	}
	if hi-lo < 1e-9*math.Max(1, math.Abs(hi)) {
		lo, hi = lo-0.5*math.Max(1e-3, math.Abs(lo)*0.01), hi+0.5*math.Max(1e-3, math.Abs(hi)*0.01)
	}
	opts := []asciigraph.Option{
		asciigraph.Width(n), asciigraph.Offset(2), asciigraph.LowerBound(lo), asciigraph.UpperBound(hi),
		asciigraph.YAxisValueFormatter(label),
	}
	if st.colour() {
		colors := make([]asciigraph.AnsiColor, len(data))
		for i := range colors {
			colors[i] = st.curveColor(i)
		}
		opts = append(opts, asciigraph.SeriesColors(colors...))
	} else {
		sets := make([]asciigraph.CharSet, len(data))
		for i := range sets {
			if m := markers[i%len(markers)]; m != "" {
				sets[i] = asciigraph.CreateCharSet(m)
			}
		}
		opts = append(opts, asciigraph.SeriesChars(sets...))
	}
	// asciigraph's rows come out one more or less than asked, by rounding:
	// ask for fewer until the plot fits.
	var plot []string
	for ask := plotH - 1; ask >= 1; ask-- {
		plot = strings.Split(asciigraph.PlotMany(data, append(opts, asciigraph.Height(ask))...), "\n")
		if len(plot) <= plotH {
			break
		}
	}
	if len(plot) > plotH {
		plot = plot[:plotH]
	}
	lines = append(lines, padLines(plot, plotH)...)
	lines = append(lines, ch.axis(n, st))
	return strings.Join(lines, "\n")
}

// axis is the line under the plot: the x labels at both ends and ▲ at
// each mark. A mark wins over a label (an edit just after the start, or
// just before the last epoch, fell on a label and was not drawn): a label
// that would cover one is shortened to its number ("epoch 1269" to
// "1269"), then the right one moves left of the marks and the left one
// goes.
func (ch chart) axis(n int, st *styles) string {
	if ch.xLabel == nil {
		return ""
	}
	left, right := ch.xLabel(ch.x0), ch.xLabel(ch.x1)
	if n-len([]rune(left))-len([]rune(right)) < 1 {
		return strings.Repeat(" ", chartPad) + truncate(right, n)
	}
	line := []rune(strings.Repeat(" ", n))
	marked := make([]bool, n)
	for _, x := range ch.marks {
		if ch.x1 > ch.x0 && x >= ch.x0 && x <= ch.x1 {
			c := min(n-1, int((x-ch.x0)/(ch.x1-ch.x0)*float64(n)))
			line[c], marked[c] = '▲', true
		}
	}
	lastMark := func(from, to int) int { // the last marked cell in [from, to), or -1
		for c := min(to, n) - 1; c >= max(from, 0); c-- {
			if marked[c] {
				return c
			}
		}
		return -1
	}
	short := func(l string) []rune {
		if f := strings.Fields(l); len(f) > 0 {
			return []rune(f[len(f)-1])
		}
		return nil
	}
	r := []rune(right)
	if lastMark(n-len(r), n) >= 0 {
		r = short(right)
	}
	end := n // the right label ends before end
	for c := lastMark(end-len(r), end); c >= 0; c = lastMark(end-len(r), end) {
		end = c
	}
	l := []rune(left)
	if lastMark(0, len(l)) >= 0 {
		l = short(left)
	}
	if end-len(r) >= 0 {
		copy(line[end-len(r):], r)
	}
	if lastMark(0, len(l)) < 0 && len(l) < end-len(r) {
		copy(line, l)
	}
	return st.dim.Render(strings.Repeat(" ", chartPad) + string(line))
}

// padLines pads a list of lines with empty ones to n.
func padLines(lines []string, n int) []string {
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// fitLine cuts a styled line to w cells.
func fitLine(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}
