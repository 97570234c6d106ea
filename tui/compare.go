package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// comparison overlays the curves of several saved runs and lists the
// settings in which they differ.
type comparison struct {
	rows    []runRow
	metrics [][]trainer.EpochMetrics // per run; nil where metrics.csv could not be read
	errs    []error
	loss    bool // loss curves instead of accuracy
}

// differences lists, for each setting that is not the same in all runs,
// its value in each ("lr  A 0.01  B 0.001"): trainer.Differences, the one
// comparison plot and sweep use too.
func differences(rows []runRow) []string {
	configs := make([]*trainer.Config, len(rows))
	sums := make([]*trainer.Summary, len(rows))
	for i := range rows {
		configs[i], sums[i] = rows[i].Config, rows[i].Summary
	}
	var out []string
	for _, d := range trainer.EditedDifferences(configs, sums) { // lr 0.01→0.001@1051 where it was edited
		parts := make([]string, len(d.Values))
		for j, v := range d.Values {
			parts[j] = fmt.Sprintf("%c %s", 'A'+j, v)
		}
		out = append(out, fmt.Sprintf("%-11s %s", d.Field, strings.Join(parts, "  ")))
	}
	return out
}

func (c *comparison) view(st *styles, w, h int) string {
	metric := "validation accuracy"
	if c.loss {
		metric = "validation loss"
	}
	var ss []series
	x1 := 1.0
	for i, rows := range c.metrics {
		var cv curve
		for _, m := range rows {
			v := m.ValAcc
			if c.loss {
				v = m.ValLoss
			}
			cv.add(float64(m.Epoch), v)
			x1 = math.Max(x1, float64(m.Epoch))
		}
		ss = append(ss, series{name: string(rune('A' + i)), c: &cv})
	}
	ch := chart{title: "Compare: " + metric, series: ss, x0: 0, x1: x1, percent: !c.loss, logY: c.loss,
		xLabel: func(x float64) string { return fmt.Sprintf("epoch %g", math.Round(x)) }}
	var legend []string
	for i, r := range c.rows {
		line := fmt.Sprintf("%s %c %s  best val %s  test %s", legendMark(st, i), 'A'+i, runName(r.Dir),
			lab.FindRunColumn("best-val-acc").Cell(r.Entry), lab.FindRunColumn("test-acc").Cell(r.Entry))
		if i < len(c.errs) && c.errs[i] != nil {
			line += "  " + st.bad.Render(c.errs[i].Error())
		}
		legend = append(legend, fitLine(line, w))
	}
	diff := differences(c.rows)
	if len(diff) == 0 && len(c.rows) > 1 {
		diff = []string{"no setting differs (other seeds or data may)"}
	}
	if len(c.rows) > 1 {
		diff = append([]string{st.bold.Render("Settings that differ")}, diff...)
	}
	for i := range diff {
		diff[i] = fitLine(diff[i], w)
	}
	foot := st.dim.Render("m: loss/accuracy · esc: back to the table")
	chartH := h - len(legend) - len(diff) - 1
	if chartH < 6 { // keep the chart; cut the lists
		chartH = min(h-1, max(6, h/2))
		rest := h - 1 - chartH
		legend = legend[:min(len(legend), rest)]
		diff = diff[:min(len(diff), max(0, rest-len(legend)))]
	}
	out := strings.Split(ch.render(w, chartH, st), "\n")
	out = append(out, legend...)
	out = append(out, diff...)
	out = padLines(out, h-1)
	out = append(out, foot)
	return strings.Join(out, "\n")
}
