// Package figure draws what mlptui shows as pictures: runs' loss and
// accuracy curves, a run's decision boundary and a learning-rate range
// test, as PNG or SVG files (gonum/plot, written atomically) or, for the
// curves and the range test, as terminal text (asciigraph). The command
// line's plot and lr-find draw with it.
package figure

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/graphguard"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// A Run is one run's curves as a figure draws them.
type Run struct {
	dir     string
	label   string // "A", "B", ...
	cfg     trainer.Config
	metrics []trainer.EpochMetrics
	desc    string // the settings in which it differs from the others
}

// MaxRuns bounds the runs of one plot: each gets a letter.
const MaxRuns = 26

// LoadRuns reads each run's settings and metrics, lettered A, B, ... and
// described by the settings in which they differ (or, alone, by its main
// settings); a run that cannot be read, or has no finished epoch yet, is
// an error naming it. It stops with ctx's error when ctx ends.
func LoadRuns(ctx context.Context, dirs []string) ([]*Run, error) {
	var runs []*Run
	configs := make([]*trainer.Config, len(dirs))
	for i, dir := range dirs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("%s: %v", dir, atomicfile.UnwrapPath(err))
		} else if !st.IsDir() {
			return nil, fmt.Errorf("%s: not a run directory", dir)
		}
		cfg, err := trainer.ReadConfig(dir)
		if err != nil {
			return nil, err
		}
		rows, err := trainer.ReadMetrics(dir)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("%s: no epoch finished yet: nothing to plot", dir)
		}
		configs[i] = &cfg
		runs = append(runs, &Run{dir: dir, label: string(rune('A' + i)), cfg: cfg, metrics: rows})
	}
	sums := make([]*trainer.Summary, len(configs))
	for i, r := range runs {
		sums[i], _ = trainer.ReadSummary(r.dir) // nil: no edits to show
	}
	diffs := trainer.EditedDifferences(configs, sums)
	for i, r := range runs {
		r.desc = trainer.Describe(diffs, i)
		switch {
		case len(runs) == 1: // nothing to compare with: the main settings
			c := &r.cfg
			r.desc = fmt.Sprintf("hidden=%s dropout=%g lr=%g batch=%d", trainer.FieldByName("hidden").Get(c), c.Dropout, c.LR, c.Batch)
		case len(diffs) == 0:
			r.desc = "same settings" // curves that coincide are one run's
		}
	}
	return runs, nil
}

// legendText is a run's line in a legend: its letter, name and what
// differs.
func (r *Run) legendText() string {
	s := r.label + "  " + filepath.Base(filepath.Clean(r.dir))
	if r.desc != "" {
		s += "   " + r.desc
	}
	return termsafe.String(s) // the run's name and settings, from its files
}

// series returns the finite points of one metric of a run.
func (r *Run) series(get func(*trainer.EpochMetrics) float64) plotter.XYs {
	var xy plotter.XYs
	for i := range r.metrics {
		v := get(&r.metrics[i])
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			xy = append(xy, plotter.XY{X: float64(r.metrics[i].Epoch), Y: v})
		}
	}
	return xy
}

// A plotted quantity: loss or accuracy, each with its train and
// validation curves.
type plotPanel struct {
	title, ylabel string
	termTitle     string
	train, val    func(*trainer.EpochMetrics) float64
	scale         float64 // accuracies are drawn in percent
}

var plotPanels = []plotPanel{
	{"Loss", "cross-entropy loss", "Loss by epoch",
		func(m *trainer.EpochMetrics) float64 { return m.TrainLoss },
		func(m *trainer.EpochMetrics) float64 { return m.ValLoss }, 1},
	{"Accuracy", "accuracy (%)", "Accuracy (%) by epoch",
		func(m *trainer.EpochMetrics) float64 { return m.TrainAcc },
		func(m *trainer.EpochMetrics) float64 { return m.ValAcc }, 100},
}

// plotColors are the runs' colours (Tableau 10: distinct, also in print).
var plotColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// Line styles: training solid, validation dashed.
func trainStyle(c color.Color) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(1.6)}
}

func valStyle(c color.Color) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(1.6), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
}

// newPanel draws one quantity of every run.
func newPanel(p plotPanel, runs []*Run) (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = p.title
	pl.Title.TextStyle.Font.Size = vg.Points(14)
	pl.Title.Padding = vg.Points(6)
	pl.X.Label.Text = "epoch"
	pl.Y.Label.Text = p.ylabel
	for _, a := range []*plot.Axis{&pl.X, &pl.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(10)
	}
	pl.X.Tick.Marker, pl.Y.Tick.Marker = niceTicks{whole: true}, niceTicks{}
	pl.Add(plotter.NewGrid())
	// A loss that falls over more than a decade or so is drawn on a log
	// scale, or the first epochs flatten everything after them.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		for _, get := range []func(*trainer.EpochMetrics) float64{p.train, p.val} {
			for _, v := range r.series(get) {
				if v.Y > 0 {
					lo, hi = math.Min(lo, v.Y), math.Max(hi, v.Y)
				}
			}
		}
	}
	logY := p.scale == 1 && lab.LogScale(lo, hi)
	if logY {
		// Drawn as log10 of the loss on a linear axis, with ticks at the
		// losses: gonum centres an axis label at the arithmetic middle of
		// the range, which on its log scale is near the top.
		pl.Y.Tick.Marker = logTicks{}
		pl.Y.Label.Text += " (log scale)"
	}
	xmax := 1.0
	for i, r := range runs {
		c := plotColors[i%len(plotColors)]
		for _, s := range []struct {
			get   func(*trainer.EpochMetrics) float64
			style draw.LineStyle
		}{{p.train, trainStyle(c)}, {p.val, valStyle(c)}} {
			xy := r.series(s.get)
			if logY {
				xy = slices.DeleteFunc(xy, func(v plotter.XY) bool { return v.Y <= 0 })
			}
			if len(xy) == 0 {
				continue
			}
			for j := range xy {
				xy[j].Y *= p.scale
				if logY {
					xy[j].Y = math.Log10(xy[j].Y)
				}
				xmax = math.Max(xmax, xy[j].X)
			}
			l, err := plotter.NewLine(xy)
			if err != nil { // an infinite point: say whose
				return nil, fmt.Errorf("%s: %s: %w", filepath.Join(r.dir, trainer.MetricsFile), strings.ToLower(p.title), err)
			}
			l.LineStyle = s.style
			pl.Add(l)
			if len(xy) == 1 { // a single epoch: a dot, or nothing would show
				sc, err := plotter.NewScatter(xy)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", filepath.Join(r.dir, trainer.MetricsFile), strings.ToLower(p.title), err)
				}
				sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = c, vg.Points(3), draw.CircleGlyph{}
				pl.Add(sc)
			}
		}
	}
	pl.X.Min, pl.X.Max = math.Min(pl.X.Min, 1), math.Max(pl.X.Max, xmax)
	if pl.X.Min == pl.X.Max {
		pl.X.Min, pl.X.Max = pl.X.Min-1, pl.X.Max+1
	}
	if pl.Y.Min == pl.Y.Max {
		pl.Y.Min, pl.Y.Max = pl.Y.Min-0.5, pl.Y.Max+0.5
	}
	switch {
	case logY:
	case p.scale == 100:
		pl.Y.Max = math.Min(math.Max(pl.Y.Max+1, pl.Y.Min+1), 100.5)
	default:
		pl.Y.Min = math.Max(0, pl.Y.Min-0.02*(pl.Y.Max-pl.Y.Min))
	}
	return pl, nil
}

// logTicks marks an axis of log10 values with the values themselves,
// within its range only: labels at 1, 2 and 5 times a power of ten, or at
// the powers alone over more than three decades, and unlabelled ticks at
// the other multiples.
type logTicks struct{}

func (logTicks) Ticks(loExp, hiExp float64) []plot.Tick {
	var ts []plot.Tick
	lo, hi := math.Pow(10, loExp), math.Pow(10, hiExp)
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	wide := hiExp-loExp > 3
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: math.Log10(v)}
			if m == 1 || !wide && (m == 2 || m == 5) {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// niceTicks labels a linear axis at 4 to 8 round values (steps of 1, 2,
// 2.5 or 5 times a power of ten) with no more decimals than the step
// needs, and puts unlabelled ticks halfway between.
type niceTicks struct {
	whole bool // whole numbers only (epochs)
}

func (nt niceTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := span / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, decimals := 10*mag, 0
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if nt.whole && step < 1 {
		step = 1
	}
	for d := step; d < 1-1e-9 && decimals < 10; d *= 10 {
		decimals++
	}
	if math.Abs(step/math.Pow(10, -float64(decimals))-math.Round(step/math.Pow(10, -float64(decimals)))) > 1e-6 {
		decimals++ // 2.5 times a power of ten
	}
	var ts []plot.Tick
	for i := math.Ceil(lo/step*2 - 1e-9); i/2*step <= hi+1e-9*span; i++ {
		v := i/2*step + 0 // + 0: a tick at 0 is not labelled -0.0
		t := plot.Tick{Value: v}
		if nt.whole && v != math.Round(v) {
			continue
		}
		if int(i)%2 == 0 {
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// figure sizes.
var (
	figWidth    = vg.Points(900)
	panelHeight = vg.Points(380)
	legendLine  = vg.Points(17)
)

// legendHeight is the room under the panels for the legend: a line per
// run and two for the line styles.
func legendHeight(runs int) vg.Length { return legendLine*vg.Length(runs+2) + vg.Points(24) }

// drawFigure draws both panels side by side with the legend below them.
func drawFigure(c vg.CanvasSizer, runs []*Run) error {
	dc := draw.New(c)
	// A white page: the SVG would otherwise be transparent.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	hasVal := false
	for _, r := range runs {
		hasVal = hasVal || len(r.series(func(m *trainer.EpochMetrics) float64 { return m.ValLoss })) > 0
	}
	leg := plot.NewLegend()
	leg.TextStyle.Font.Size = vg.Points(11)
	leg.Left, leg.Top = true, true
	leg.ThumbnailWidth = vg.Points(36)
	leg.Padding = legendLine - vg.Points(11)
	for i, r := range runs {
		col := plotColors[i%len(plotColors)]
		leg.Add(r.legendText(), &plotter.Line{LineStyle: trainStyle(col)})
	}
	leg.Add("training (solid)", &plotter.Line{LineStyle: trainStyle(color.Gray{0x50})})
	if hasVal {
		leg.Add("validation (dashed)", &plotter.Line{LineStyle: valStyle(color.Gray{0x50})})
	}

	legendH := legendHeight(len(runs))
	panels := dc
	panels.Min.Y += legendH
	var ps []*plot.Plot
	for _, p := range plotPanels {
		pl, err := newPanel(p, runs)
		if err != nil {
			return err
		}
		ps = append(ps, pl)
	}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadTop: vg.Points(10), PadLeft: vg.Points(10), PadRight: vg.Points(16), PadX: vg.Points(28), PadBottom: vg.Points(6)}
	for i, pl := range ps {
		pl.Draw(tiles.At(panels, i, 0))
	}
	lc := dc
	lc.Max.Y = dc.Min.Y + legendH - vg.Points(8)
	lc.Min.X += vg.Points(24)
	leg.Draw(lc)
	return nil
}

// WriteFile draws the runs' loss and accuracy panels with the legend
// below them into a PNG or SVG file (format "png" or "svg"), written
// atomically.
func WriteFile(path, format string, runs []*Run) error {
	return Write(path, format, figWidth, panelHeight+legendHeight(len(runs)), func(c vg.CanvasSizer) error { return drawFigure(c, runs) })
}

// Write draws a w×h figure into path (atomically) as a PNG or an SVG.
func Write(path, format string, w, h vg.Length, draw func(vg.CanvasSizer) error) error {
	var wt io.WriterTo
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(144))
		if err := draw(c); err != nil {
			return err
		}
		wt = vgimg.PngCanvas{Canvas: c}
	case "svg":
		c := vgsvg.NewWith(vgsvg.UseWH(w, h))
		if err := draw(c); err != nil {
			return err
		}
		wt = c
	default:
		return fmt.Errorf("-o %s: unknown image format %q", path, format)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// init makes gonum's plots use the fonts embedded in it (Liberation): no
// system fonts are needed.
func init() {
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	plotter.DefaultFont = plot.DefaultFont
}

// Terminal draws the runs' loss and accuracy in width columns: the two
// panels with asciigraph, each run's training
// curve solid and its validation curve dotted, in its colour; without
// colour, a run's training curve is drawn with its letter and its
// validation curve with the letter in lower case.
func Terminal(runs []*Run, width int, colour bool) string {
	var b strings.Builder
	const labelW = 9 // asciigraph's label column with our formatter
	xmax := 1
	for _, r := range runs {
		xmax = max(xmax, r.metrics[len(r.metrics)-1].Epoch)
	}
	// The x axis's last label is centred on the last column: half of it
	// stands past the curves.
	n := max(10, width-labelW-2-len(strconv.Itoa(xmax))/2)
	for pi, p := range plotPanels {
		var data [][]float64
		var colors []asciigraph.AnsiColor
		var chars []asciigraph.CharSet
		for i, r := range runs {
			col := termColors[i%len(termColors)]
			for k, get := range []func(*trainer.EpochMetrics) float64{p.train, p.val} {
				xy := r.series(get)
				if len(xy) == 0 {
					continue
				}
				data = append(data, graphguard.Series(resample(xy, p.scale, xmax, n)))
				colors = append(colors, col)
				switch {
				case colour && k == 0:
					chars = append(chars, asciigraph.DefaultCharSet)
				case colour:
					chars = append(chars, asciigraph.CreateCharSet("·"))
				case k == 0:
					chars = append(chars, asciigraph.CreateCharSet(r.label))
				default:
					chars = append(chars, asciigraph.CreateCharSet(strings.ToLower(r.label)))
				}
			}
		}
		if pi > 0 {
			b.WriteString("\n")
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, d := range data {
			for _, v := range d {
				if !math.IsNaN(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
		// As in the image: a loss falling over more than a decade and a
		// half on a log scale.
		yLabel := func(v float64) string { return fmt.Sprintf("%8.3g", v) }
		title := p.termTitle
		if p.scale == 1 && lab.LogScale(lo, hi) {
			for _, d := range data {
				for i, v := range d {
					d[i] = math.Log10(v)
				}
			}
			lo, hi = math.Log10(lo), math.Log10(hi)
			yLabel = func(v float64) string { return fmt.Sprintf("%8.3g", math.Pow(10, v)) }
			title += " (log scale)"
		}
		fmt.Fprintln(&b, title)
		if hi-lo < 1e-9 {
			lo, hi = lo-0.5, hi+0.5
		}
		opts := []asciigraph.Option{asciigraph.Height(12), asciigraph.LowerBound(lo), asciigraph.UpperBound(hi),
			asciigraph.SeriesChars(chars...), asciigraph.XAxisRange(1, float64(xmax)), asciigraph.XAxisTickCount(epochTicks(xmax)),
			asciigraph.XAxisValueFormatter(func(v float64) string { return fmt.Sprintf("%.0f", v) }),
			asciigraph.YAxisValueFormatter(yLabel)}
		if colour {
			opts = append(opts, asciigraph.SeriesColors(colors...))
		}
		g := asciigraph.PlotMany(data, opts...)
		if !colour {
			g = ansi.Strip(g)
		}
		b.WriteString(g)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for i, r := range runs {
		mark := r.label + r.label + " " + strings.ToLower(r.label+r.label)
		if colour {
			mark = fmt.Sprintf("\033[38;5;%dm──%s ··\033[0m", int(termColors[i%len(termColors)]), r.label)
		}
		fmt.Fprintln(&b, mark+"  "+r.legendText())
	}
	if colour {
		fmt.Fprintln(&b, "── training  ·· validation")
	} else {
		fmt.Fprintln(&b, "upper case: training  lower case: validation")
	}
	return b.String()
}

// epochTicks is how many x-axis ticks asciigraph draws from epoch 1 to
// xmax: a count that puts them on whole epochs where one fits.
func epochTicks(xmax int) int {
	if xmax <= 9 {
		return max(2, xmax)
	}
	for _, n := range []int{5, 6, 4, 7, 8, 9, 3} {
		if (xmax-1)%(n-1) == 0 {
			return n
		}
	}
	return 5 // labels rounded to the nearest epoch
}

// termColors are the runs' colours in a terminal (256-colour codes).
var termColors = []asciigraph.AnsiColor{33, 208, 34, 160, 135, 130, 170, 245, 142, 37}

// resample gives a curve's value at n evenly spaced epochs from 1 to
// xmax, interpolating linearly; NaN before its first and after its last
// epoch.
func resample(xy plotter.XYs, scale float64, xmax, n int) []float64 {
	out := make([]float64, n)
	j := 0
	for k := range out {
		x := 1.0
		if n > 1 {
			x = 1 + float64(k)*float64(xmax-1)/float64(n-1)
		}
		for j+1 < len(xy) && xy[j+1].X <= x {
			j++
		}
		switch {
		case x < xy[0].X-1e-9 || x > xy[len(xy)-1].X+1e-9:
			out[k] = math.NaN()
		case j+1 < len(xy) && xy[j+1].X > xy[j].X:
			t := (x - xy[j].X) / (xy[j+1].X - xy[j].X)
			out[k] = scale * (xy[j].Y + t*(xy[j+1].Y-xy[j].Y))
		default:
			out[k] = scale * xy[j].Y
		}
	}
	return out
}
