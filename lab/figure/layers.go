package figure

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/graphguard"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// layerPanel is one figure of layers.csv drawn for every layer.
type layerPanel struct {
	title string
	get   func(*trainer.LayerRow) float64
	log   bool
}

var layerPanels = []layerPanel{
	{"gradient norm", func(r *trainer.LayerRow) float64 { return r.GradNorm }, true},
	{"update ratio (about 1e-3 is healthy)", func(r *trainer.LayerRow) float64 { return r.UpdateRatio }, true},
	{"dead units (share never active over a batch)", func(r *trainer.LayerRow) float64 { return r.Dead }, false},
	{"output standard deviation", func(r *trainer.LayerRow) float64 { return r.OutStd }, true},
}

// layerCurves is one layer's rows of layers.csv, epoch after epoch.
type layerCurves struct {
	name  string // "dense.0", with its block: "dense.3 (block 1)"
	label string // a, b, c ...: its curves without colour
	rows  []trainer.LayerRow
}

// Layers is a run's layers.csv as curves, one set per layer.
type Layers struct {
	dir    string
	layers []*layerCurves
	xmax   int // the last epoch
}

// LoadLayers reads the layers.csv of the run in dir.
func LoadLayers(dir string) (*Layers, error) {
	ls, xmax, err := loadLayerCurves(dir)
	if err != nil {
		return nil, err
	}
	return &Layers{dir: dir, layers: ls, xmax: xmax}, nil
}

// loadLayerCurves reads a run's layers.csv into one set of curves per
// layer, in the network's order.
func loadLayerCurves(dir string) ([]*layerCurves, int, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, 0, fmt.Errorf("%s: %v", dir, atomicfile.UnwrapPath(err))
	}
	rows, err := trainer.ReadLayers(dir)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		return nil, 0, fmt.Errorf("%s: %s has no rows yet", dir, trainer.LayersFile)
	}
	var ls []*layerCurves
	by := map[string]*layerCurves{}
	xmax := 1
	for _, r := range rows {
		c := by[r.Layer]
		if c == nil {
			name := r.Layer
			if r.Block > 0 {
				name += fmt.Sprintf(" (block %d)", r.Block)
			}
			c = &layerCurves{name: name, label: string(rune('a' + len(ls)%26))}
			by[r.Layer] = c
			ls = append(ls, c)
		}
		c.rows = append(c.rows, r)
		xmax = max(xmax, r.Epoch)
	}
	return ls, xmax, nil
}

// series is the layer's curve of one panel: epochs and values, without
// the missing values (and those a log scale cannot show).
func (c *layerCurves) series(p layerPanel) plotter.XYs {
	var xy plotter.XYs
	for i := range c.rows {
		v := p.get(&c.rows[i])
		if math.IsNaN(v) || math.IsInf(v, 0) || p.log && v <= 0 {
			continue
		}
		if p.log {
			v = math.Log10(v)
		}
		xy = append(xy, plotter.XY{X: float64(c.rows[i].Epoch), Y: v})
	}
	return xy
}

// flagLines says, per layer, which warnings it raised and from when.
func flagLines(ls []*layerCurves) []string {
	var out []string
	for _, c := range ls {
		var parts []string
		for bit := trainer.LayerFlag(1); bit != 0 && bit <= trainer.FlagUpdateHigh; bit <<= 1 {
			first, n := 0, 0
			for _, r := range c.rows {
				if r.Flags&bit != 0 {
					if n == 0 {
						first = r.Epoch
					}
					n++
				}
			}
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s from epoch %d (%d of %d epochs)", bit, first, n, len(c.rows)))
			}
		}
		if len(parts) > 0 {
			out = append(out, "warning: "+c.name+": "+strings.Join(parts, ", "))
		}
	}
	return out
}

// WriteLayers draws the figures of the run's layers.csv, a curve per
// layer in each of four panels, into a PNG or SVG file (format "png" or
// "svg"), written atomically.
func WriteLayers(path, format string, l *Layers) error {
	h := 2*vg.Points(330) + legendLine*vg.Length(len(l.layers)+1) + vg.Points(30)
	return Write(path, format, figWidth, h, func(c vg.CanvasSizer) error { return drawLayers(c, l.dir, l.layers, l.xmax) })
}

// LayersText draws the same in the terminal, width columns wide, and says
// which layer raised which warning from which epoch.
func LayersText(l *Layers, width int, colour bool) string {
	text := terminalLayers(l.layers, l.xmax, width, colour)
	for _, line := range flagLines(l.layers) {
		text += termsafe.String(line) + "\n"
	}
	return text
}

// terminalLayers draws the panels one above the other with asciigraph,
// a curve per layer in its colour, or its letter without colour.
func terminalLayers(ls []*layerCurves, xmax, width int, colour bool) string {
	var b strings.Builder
	const labelW = 9
	n := max(10, width-labelW-2)
	for pi, p := range layerPanels {
		var data [][]float64
		var colors []asciigraph.AnsiColor
		var chars []asciigraph.CharSet
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, c := range ls {
			xy := c.series(p)
			if len(xy) == 0 {
				continue
			}
			d := graphguard.Series(resample(xy, 1, xmax, n))
			for _, v := range d {
				if !math.IsNaN(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
			data = append(data, d)
			colors = append(colors, termColors[i%len(termColors)])
			if colour {
				chars = append(chars, asciigraph.DefaultCharSet)
			} else {
				chars = append(chars, asciigraph.CreateCharSet(c.label))
			}
		}
		if pi > 0 {
			b.WriteString("\n")
		}
		title := p.title
		yLabel := func(v float64) string { return fmt.Sprintf("%8.3g", v) }
		if p.log {
			title += " (log scale)"
			yLabel = func(v float64) string { return fmt.Sprintf("%8.2g", math.Pow(10, v)) }
		}
		fmt.Fprintln(&b, title)
		if len(data) == 0 {
			fmt.Fprintln(&b, "  (no values)")
			continue
		}
		if hi-lo < 1e-9 {
			lo, hi = lo-0.5, hi+0.5
		}
		opts := []asciigraph.Option{asciigraph.Height(7), asciigraph.LowerBound(lo), asciigraph.UpperBound(hi),
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
		b.WriteString(g + "\n")
	}
	b.WriteString("\n")
	for i, c := range ls {
		mark := c.label + c.label
		if colour {
			mark = fmt.Sprintf("\033[38;5;%dm──\033[0m", int(termColors[i%len(termColors)]))
		}
		fmt.Fprintf(&b, "%s %s\n", mark, termsafe.String(c.name))
	}
	b.WriteString("x: epoch (each epoch's figures from one step's batch)\n")
	return b.String()
}

// drawLayers draws the four panels in a 2×2 grid with the legend below.
func drawLayers(c vg.CanvasSizer, dir string, ls []*layerCurves, xmax int) error {
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	leg := plot.NewLegend()
	leg.TextStyle.Font.Size = vg.Points(11)
	leg.Left, leg.Top = true, true
	leg.ThumbnailWidth = vg.Points(36)
	leg.Padding = legendLine - vg.Points(11)
	for i, l := range ls {
		leg.Add(l.name, &plotter.Line{LineStyle: trainStyle(plotColors[i%len(plotColors)])})
	}
	legendH := legendLine*vg.Length(len(ls)+1) + vg.Points(24)
	panels := dc
	panels.Min.Y += legendH
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadTop: vg.Points(10), PadLeft: vg.Points(10), PadRight: vg.Points(16),
		PadX: vg.Points(28), PadY: vg.Points(20), PadBottom: vg.Points(6)}
	for pi, p := range layerPanels {
		pl := plot.New()
		pl.Title.Text = p.title
		pl.Title.TextStyle.Font.Size = vg.Points(13)
		pl.X.Label.Text = "epoch"
		pl.X.Tick.Marker, pl.Y.Tick.Marker = niceTicks{whole: true}, niceTicks{}
		if p.log {
			pl.Y.Tick.Marker = logTicks{}
			pl.Y.Label.Text = "log scale"
		}
		if pi == 0 {
			pl.Title.Text += ": " + filepath.Base(filepath.Clean(dir))
		}
		pl.Add(plotter.NewGrid())
		for i, l := range ls {
			xy := l.series(p)
			if len(xy) == 0 {
				continue
			}
			line, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", filepath.Join(dir, trainer.LayersFile), p.title, err)
			}
			line.LineStyle = trainStyle(plotColors[i%len(plotColors)])
			pl.Add(line)
			if len(xy) == 1 {
				sc, err := plotter.NewScatter(xy)
				if err != nil {
					return err
				}
				sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = plotColors[i%len(plotColors)], vg.Points(3), draw.CircleGlyph{}
				pl.Add(sc)
			}
		}
		if pl.Y.Min == pl.Y.Max {
			pl.Y.Min, pl.Y.Max = pl.Y.Min-0.5, pl.Y.Max+0.5
		}
		pl.X.Min, pl.X.Max = 1, float64(xmax)
		if xmax == 1 {
			pl.X.Min, pl.X.Max = 0, 2
		}
		pl.Draw(tiles.At(panels, pi%2, pi/2))
	}
	lc := dc
	lc.Max.Y = dc.Min.Y + legendH - vg.Points(8)
	lc.Min.X += vg.Points(24)
	leg.Draw(lc)
	return nil
}
