package figure

import (
	"fmt"
	"math"
	"strings"

	"github.com/guptarohit/asciigraph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlptui/mlptui/trainer"
)

// WriteLRFind draws a learning-rate range test into a PNG or SVG file
// (format "png" or "svg"), written atomically: the raw and smoothed
// losses on a log learning-rate axis, the suggestion marked.
func WriteLRFind(path, format string, f *trainer.LRFinding) error {
	return Write(path, format, vg.Points(700), vg.Points(420), func(c vg.CanvasSizer) error { return drawLRFind(c, f) })
}

// SuggestionLine says what the finder suggests, or why it cannot.
func SuggestionLine(f *trainer.LRFinding) string {
	if f.Suggest == 0 {
		return "no suggestion: the loss did not fall over the learning rates tried"
	}
	return fmt.Sprintf("suggested learning rate: %.2g (%s)", f.Suggest, f.Why())
}

// LRFindText draws the smoothed loss against log10 of the learning rate
// and says what was found.
func LRFindText(f *trainer.LRFinding, width int, colour bool) string {
	var b strings.Builder
	var ys []float64
	for _, v := range f.Loss {
		if !math.IsNaN(v) {
			ys = append(ys, v)
		}
	}
	if len(ys) >= 2 {
		lo, hi := math.Log10(f.LR[0]), math.Log10(f.LR[len(ys)-1])
		opts := []asciigraph.Option{asciigraph.Height(12), asciigraph.Width(width - 10),
			asciigraph.Caption("smoothed training loss against the learning rate (log scale)"),
			asciigraph.XAxisRange(lo, hi), asciigraph.XAxisTickCount(min(int(hi-lo)+1, 9)),
			asciigraph.XAxisValueFormatter(func(v float64) string { return fmt.Sprintf("1e%.0f", v) })}
		if colour {
			opts = append(opts, asciigraph.SeriesColors(asciigraph.Blue))
		}
		b.WriteString(asciigraph.Plot(ys, opts...) + "\n\n")
	}
	fmt.Fprintf(&b, "%d steps from %.0e; %s\n", f.Steps, f.LR[0], f.Stop)
	fmt.Fprintf(&b, "data %.1fs, steps %.1fs\n", f.LoadSeconds, f.Seconds)
	b.WriteString(SuggestionLine(f) + "\n")
	return b.String()
}

// drawLRFind draws the raw and smoothed losses on a log learning-rate
// axis, with the suggestion marked.
func drawLRFind(c vg.CanvasSizer, f *trainer.LRFinding) error {
	pl := plot.New()
	pl.Title.Text = "learning-rate range test"
	if f.Suggest > 0 {
		pl.Title.Text += fmt.Sprintf(": suggestion %.2g", f.Suggest)
	}
	// x is log10 of the learning rate, labelled with the rate itself.
	pl.X.Label.Text, pl.Y.Label.Text = "learning rate", "training loss"
	pl.X.Tick.Marker = logTicks{}
	raw, smooth := plotter.XYs{}, plotter.XYs{}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, lr := range f.LR {
		if v := f.RawLoss[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			raw = append(raw, plotter.XY{X: math.Log10(lr), Y: v})
		}
		if v := f.Loss[i]; !math.IsNaN(v) {
			smooth = append(smooth, plotter.XY{X: math.Log10(lr), Y: v})
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}
	rl, err := plotter.NewLine(raw)
	if err != nil {
		return err
	}
	rl.LineStyle = draw.LineStyle{Color: plotColors[0], Width: vg.Points(0.6), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	sl, err := plotter.NewLine(smooth)
	if err != nil {
		return err
	}
	sl.LineStyle = trainStyle(plotColors[0])
	pl.Add(rl, sl)
	pl.Legend.Add("loss of each step", rl)
	pl.Legend.Add("smoothed", sl)
	if f.SuggestI >= 0 {
		sc, err := plotter.NewScatter(plotter.XYs{{X: math.Log10(f.Suggest), Y: f.Loss[f.SuggestI]}})
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = plotColors[1], vg.Points(5), draw.CircleGlyph{}
		pl.Add(sc)
		pl.Legend.Add(fmt.Sprintf("suggestion %.2g", f.Suggest), sc)
	}
	// The raw losses of the last steps can be far above the curve: the
	// axis is the smoothed curve's, with some room.
	pad := (ymax - ymin) / 20
	if !(pad > 0) {
		pad = math.Max(math.Abs(ymax)/10, 1)
	}
	pl.Y.Min, pl.Y.Max = ymin-pad, ymax+pad
	pl.Legend.Top = true
	pl.Draw(draw.New(c))
	return nil
}
