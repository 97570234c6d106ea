package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/guptarohit/asciigraph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

func runLRFind(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "lr-find", "mlptui lr-find [training flags] [--json] [-o FILE.png|FILE.svg]\n\n"+
		"Suggests a learning rate: a throw-away copy of the configured network trains for a few\n"+
		"hundred steps while the learning rate grows from 1e-7 to 10 (stopping when the loss\n"+
		"explodes), and the suggestion is where the smoothed loss falls fastest (for a one-cycle\n"+
		"schedule: where it is least). Saves no run.")
	var cf configFlags
	cf.register(fs)
	jsonOut := fs.Bool("json", false, "print the curve and the suggestion as one JSON object")
	out := fs.String("o", "", "also write the curve to this `file`: .png or .svg")
	steps := fs.Int("steps", 200, "training steps from 1e-7 to 10")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *steps < 10 || *steps > 100000 {
		return usagef("--steps %d: want 10 to 100000", *steps)
	}
	format, err := imageFormat(*out)
	if err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	p := newProgress(e)
	f, err := trainer.FindLR(ctx, cfg, trainer.LRFindOptions{Steps: *steps, Report: p.event})
	if err != nil {
		return interruptedOr(ctx, err)
	}
	if format != "" {
		if err := writeFigure(*out, format, vg.Points(700), vg.Points(420), func(c vg.CanvasSizer) error { return drawLRFind(c, f) }); err != nil {
			return err
		}
		termsafe.Fprintf(e.stderr, "wrote %s\n", *out)
	}
	if *jsonOut {
		return json.NewEncoder(e.stdout).Encode(lrFindJSON(f))
	}
	colour := e.stdoutWidth > 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	_, err = io.WriteString(e.stdout, lrFindText(f, max(cmp.Or(e.stdoutWidth, 80), 40), colour))
	return err
}

// lrFindJSON is a finding with its non-finite losses as null, which JSON
// has no number for.
func lrFindJSON(f *trainer.LRFinding) any {
	nullable := func(v []float64) []*float64 {
		out := make([]*float64, len(v))
		for i := range v {
			if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
				out[i] = &v[i]
			}
		}
		return out
	}
	type finding struct {
		*trainer.LRFinding
		RawLoss []*float64 `json:"raw_loss"`
		Loss    []*float64 `json:"loss"`
	}
	return finding{f, nullable(f.RawLoss), nullable(f.Loss)}
}

// suggestionLine says what the finder suggests, or why it cannot.
func suggestionLine(f *trainer.LRFinding) string {
	if f.Suggest == 0 {
		return "no suggestion: the loss did not fall over the learning rates tried"
	}
	return fmt.Sprintf("suggested learning rate: %.2g (%s)", f.Suggest, f.Why())
}

// lrFindText draws the smoothed loss against log10 of the learning rate
// and says what was found.
func lrFindText(f *trainer.LRFinding, width int, colour bool) string {
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
	b.WriteString(suggestionLine(f) + "\n")
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
