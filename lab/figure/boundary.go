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
// plane, with the plane's training and test points, into a PNG or SVG
// file (format "png" or "svg"), written atomically.
func WriteBoundary(path, format, dir string, p *trainer.Plane, b *trainer.Boundary, pal Palette) error {
	return Write(path, format, vg.Points(560), vg.Points(560), func(c vg.CanvasSizer) error {
		return drawBoundary(c, dir, p, b, pal)
	})
}

// drawBoundary draws the plane painted by the boundary, with the training
// points as dots and the test points as crosses, in their class's colour.
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
	for k, name := range p.Classes {
		cr, cg, cb := pal.Class(k)
		col := color.RGBA{cr, cg, cb, 255}
		for _, part := range []struct {
			pts   []trainer.PlanePoint
			label string
			shape draw.GlyphDrawer
		}{{p.Train, "train", draw.CircleGlyph{}}, {p.Test, "test", draw.CrossGlyph{}}} {
			var xy plotter.XYs
			for _, pt := range part.pts {
				if pt.Label == k {
					xy = append(xy, plotter.XY{X: float64(pt.X), Y: float64(pt.Y)})
				}
			}
			if len(xy) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.2), Shape: part.shape}
			if part.label == "test" {
				sc.GlyphStyle.Radius = vg.Points(3.5)
			}
			pl.Add(sc)
			pl.Legend.Add(name+" "+part.label, sc)
		}
	}
	pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = p.XMin, p.XMax, p.YMin, p.YMax
	pl.Legend.Top = true
	pl.Draw(draw.New(c))
	return nil
}
