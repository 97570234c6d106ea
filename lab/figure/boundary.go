package figure

import (
	"image"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlptui/mlptui/trainer"
)

// BoundaryPixels is the side of the grid a boundary PNG or SVG is drawn
// from.
const BoundaryPixels = 240

// A Palette colours a decision boundary as the dashboard paints it: Point
// is the colour of a point of the plane where the model gives the
// probabilities p, Class the colour of class c's points.
type Palette struct {
	Point func(p []float32) (r, g, b uint8)
	Class func(c int) (r, g, b uint8)
}

// WriteBoundary draws the decision boundary b of the run in dir over its
// plane, with the plane's training and test points and a legend beside
// it, into a PNG or SVG file (format "png" or "svg"), written atomically.
func WriteBoundary(path, format, dir string, p *trainer.Plane, b *trainer.Boundary, pal Palette) error {
	return Write(path, format, vg.Points(560)+boundaryLegendWidth, vg.Points(560), func(c vg.CanvasSizer) error {
		return drawBoundary(c, dir, p, b, pal)
	})
}

// boundaryLegendWidth is the strip right of a boundary figure that holds
// its legend, on white: drawn over the painted plane, black text on the
// dark hues could not be read.
var boundaryLegendWidth = vg.Points(170)

// drawBoundary draws the plane painted by the boundary, with the training
// points as dots and the test points as + where the model is right and ×
// where it is wrong (as in the terminal), in their class's colour; the
// legend beside it says which colour is which class, for the regions (the
// likeliest class; darker where the model is unsure) and the points.
func drawBoundary(c vg.CanvasSizer, dir string, p *trainer.Plane, b *trainer.Boundary, pal Palette) error {
	img := image.NewRGBA(image.Rect(0, 0, b.Cols, b.Rows))
	for r := range b.Rows {
		for col := range b.Cols {
			cr, cg, cb := pal.Point(b.At(col, r))
			img.SetRGBA(col, r, color.RGBA{cr, cg, cb, 255})
		}
	}
	pl := plot.New()
	pl.Title.Text = "decision boundary: " + filepath.Base(filepath.Clean(dir))
	pl.X.Label.Text, pl.Y.Label.Text = "x (feature 1)", "y (feature 2)"
	pl.Add(plotter.NewImage(img, p.XMin, p.YMin, p.XMax, p.YMax))
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	for k, name := range p.Classes {
		sure := make([]float32, len(p.Classes))
		sure[k] = 1
		rr, rg, rb := pal.Point(sure)
		leg.Add(name+" predicted", swatch{color.RGBA{rr, rg, rb, 255}})
	}
	for k, name := range p.Classes {
		cr, cg, cb := pal.Class(k)
		col := color.RGBA{cr, cg, cb, 255}
		for _, part := range boundaryParts(p, b, k) {
			if len(part.xy) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(part.xy)
			if err != nil {
				return err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: part.radius, Shape: part.shape}
			pl.Add(sc)
			leg.Add(name+" "+part.label, sc)
		}
	}
	pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = p.XMin, p.XMax, p.YMin, p.YMax
	dc := draw.New(c)
	pl.Draw(draw.Crop(dc, 0, -boundaryLegendWidth, 0, 0))
	leg.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-boundaryLegendWidth+vg.Points(8), 0, 0, -vg.Points(24)))
	return nil
}

// swatch is a legend's square of a region's colour.
type swatch struct{ color.Color }

// Thumbnail fills the legend's square.
func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.Color, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}

// boundaryPart is one kind of point of a class: its training points, its
// test points the model gets right, those it gets wrong.
type boundaryPart struct {
	label  string
	shape  draw.GlyphDrawer
	radius vg.Length
	xy     plotter.XYs
}

// boundaryParts splits class k's points into the figure's kinds; a test
// point is right when the boundary's likeliest class at its cell is its
// own.
func boundaryParts(p *trainer.Plane, b *trainer.Boundary, k int) []boundaryPart {
	parts := []boundaryPart{
		{label: "train", shape: draw.CircleGlyph{}, radius: vg.Points(2.2)},
		{label: "test, right", shape: draw.PlusGlyph{}, radius: vg.Points(3.5)},
		{label: "test, wrong", shape: draw.CrossGlyph{}, radius: vg.Points(3.5)},
	}
	for _, pt := range p.Train {
		if pt.Label == k {
			parts[0].xy = append(parts[0].xy, plotter.XY{X: float64(pt.X), Y: float64(pt.Y)})
		}
	}
	for _, pt := range p.Test {
		if pt.Label != k {
			continue
		}
		c, r := p.Cell(float64(pt.X), float64(pt.Y), b.Cols, b.Rows)
		i := 1
		if argmax(b.At(min(max(c, 0), b.Cols-1), min(max(r, 0), b.Rows-1))) != k {
			i = 2
		}
		parts[i].xy = append(parts[i].xy, plotter.XY{X: float64(pt.X), Y: float64(pt.Y)})
	}
	return parts
}

// argmax is the index of the largest value.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
