package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/muesli/termenv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
	"github.com/mlptui/mlptui/tui"
)

// boundaryPixels is the side of the grid a boundary PNG or SVG is drawn
// from.
const boundaryPixels = 240

// plotBoundary draws the decision boundary of the run in dir: to a file
// in format ("png" or "svg"), or else in the terminal, width columns wide.
func plotBoundary(ctx context.Context, e *env, dir, out, format string, width int, colour bool) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%s: %v", dir, unwrapPath(err)) // as plot says it of curves
	}
	if format != "" {
		plane, b, err := trainer.RunBoundary(ctx, dir, boundaryPixels, boundaryPixels)
		if err != nil {
			return err
		}
		if err := writeFigure(out, format, vg.Points(560), vg.Points(560), func(c vg.CanvasSizer) error {
			return drawBoundary(c, dir, plane, b)
		}); err != nil {
			return err
		}
		termsafe.Fprintf(e.stderr, "wrote %s\n", out)
		return nil
	}
	cols := min(width, 100)
	rows := cols / 2
	plane, b, err := trainer.RunBoundary(ctx, dir, cols, 2*rows)
	if err != nil {
		return err
	}
	prof := termenv.Ascii
	if colour {
		prof = termenv.ANSI256
		if ct := os.Getenv("COLORTERM"); ct == "truecolor" || ct == "24bit" {
			prof = termenv.TrueColor
		}
	}
	lines := tui.BoundaryLines(prof, plane, b, cols, rows)
	legend := "classes " + strings.Join(termsafe.Strings(plane.Classes), ", ") + "; training points ▀ (capitals without colour); test points + right, × wrong"
	_, err = io.WriteString(e.stdout, strings.Join(lines, "\n")+"\n"+legend+"\n")
	return err
}

// drawBoundary draws the plane painted by the boundary, with the training
// points as dots and the test points as crosses, in their class's colour.
func drawBoundary(c vg.CanvasSizer, dir string, p *trainer.Plane, b *trainer.Boundary) error {
	img := image.NewRGBA(image.Rect(0, 0, b.Cols, b.Rows))
	for r := range b.Rows {
		for col := range b.Cols {
			cr, cg, cb := tui.BoundaryRGB(b.At(col, r))
			img.SetRGBA(col, r, color.RGBA{cr, cg, cb, 255})
		}
	}
	pl := plot.New()
	pl.Title.Text = "decision boundary: " + filepath.Base(filepath.Clean(dir))
	pl.X.Label.Text, pl.Y.Label.Text = "x (feature 1)", "y (feature 2)"
	pl.Add(plotter.NewImage(img, p.XMin, p.YMin, p.XMax, p.YMax))
	for k, name := range p.Classes {
		cr, cg, cb := tui.ClassRGB(k)
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
