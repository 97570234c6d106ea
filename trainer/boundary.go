package trainer

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/nn"
)

// Plane describes the input plane of a data set with two features, for a
// picture of the decision boundary: its extent (the points' range with a
// margin) and the points to draw on it, in raw feature values.
type Plane struct {
	XMin, XMax, YMin, YMax float64
	Classes                []string
	Train, Test            []PlanePoint
}

// PlanePoint is one labelled point of the plane.
type PlanePoint struct {
	X, Y  float32
	Label int
}

// Boundary is the model's predicted class probabilities over a Plane, on
// a grid of Cols × Rows cells: row 0 is the top (YMax), column 0 the left
// (XMin); Probs holds Classes probabilities per cell, row after row.
type Boundary struct {
	Cols, Rows, Classes int
	Probs               []float32
	Step                int64 // the step whose weights drew it
}

// At returns the probabilities of the cell at column c, row r.
func (b *Boundary) At(c, r int) []float32 {
	i := (r*b.Cols + c) * b.Classes
	return b.Probs[i : i+b.Classes]
}

// Boundary grid and pace.
const (
	// BoundaryCells is the side of the grid the trainer computes: enough
	// for a half-block picture on a large terminal (each cell a pixel).
	BoundaryCells = 96
	// maxPlanePoints bounds the points a Plane carries of each part.
	maxPlanePoints = 2000
	// boundaryEvery is the least time between two boundaries, and
	// boundaryShare the largest share of training time they may take: a
	// boundary that took d waits at least d/boundaryShare for the next.
	boundaryEvery = 250 * time.Millisecond
	boundaryShare = 0.02
)

// HasPlane reports whether a data set has two features, and so a plane
// to draw its decision boundary on.
func HasPlane(d *datasets.Dataset) bool { return !d.IsImage() && d.Dim() == 2 }

// NewPlane returns the plane of a two-feature data set's training and
// test parts: the range of all their points with a tenth added on every
// side, and up to 2000 points of each part.
func NewPlane(train, test *datasets.Dataset) *Plane {
	p := &Plane{XMin: math.Inf(1), XMax: math.Inf(-1), YMin: math.Inf(1), YMax: math.Inf(-1), Classes: train.Classes}
	add := func(d *datasets.Dataset, dst *[]PlanePoint) {
		if d == nil {
			return
		}
		for i := range d.Len() {
			x, y := float64(d.X[2*i]), float64(d.X[2*i+1])
			p.XMin, p.XMax = math.Min(p.XMin, x), math.Max(p.XMax, x)
			p.YMin, p.YMax = math.Min(p.YMin, y), math.Max(p.YMax, y)
			if i < maxPlanePoints {
				*dst = append(*dst, PlanePoint{X: d.X[2*i], Y: d.X[2*i+1], Label: int(d.Y[i])})
			}
		}
	}
	add(train, &p.Train)
	add(test, &p.Test)
	pad := func(lo, hi *float64) {
		m := (*hi - *lo) / 10
		if !(m > 0) {
			m = 1
		}
		*lo, *hi = *lo-m, *hi+m
	}
	pad(&p.XMin, &p.XMax)
	pad(&p.YMin, &p.YMax)
	return p
}

// Cell returns the column and row of the grid cell (of cols × rows) that
// holds the point (x, y), which may be outside the grid.
func (p *Plane) Cell(x, y float64, cols, rows int) (c, r int) {
	c = int(math.Floor((x - p.XMin) / (p.XMax - p.XMin) * float64(cols)))
	r = int(math.Floor((p.YMax - y) / (p.YMax - p.YMin) * float64(rows)))
	return c, r
}

// ComputeBoundary evaluates net on the centre of every cell of a
// cols × rows grid over p, normalizing the points with norm as training
// did. buf is scratch space.
func ComputeBoundary(net *nn.MLP, norm datasets.Normalization, p *Plane, cols, rows int, buf *nn.Matrix) *Boundary {
	buf.Resize(cols*rows, 2)
	for r := range rows {
		y := p.YMax - (float64(r)+0.5)/float64(rows)*(p.YMax-p.YMin)
		for c := range cols {
			x := p.XMin + (float64(c)+0.5)/float64(cols)*(p.XMax-p.XMin)
			i := 2 * (r*cols + c)
			buf.Data[i] = (float32(x) - norm.Mean[0]) / norm.Std[0]
			buf.Data[i+1] = (float32(y) - norm.Mean[1]) / norm.Std[1]
		}
	}
	probs := net.Predict(buf)
	return &Boundary{Cols: cols, Rows: rows, Classes: probs.Cols, Probs: probs.Data}
}

// boundaryDue reports whether the trainer should draw a new boundary now,
// and draws it: at most every boundaryEvery, and never taking more than
// boundaryShare of the time.
func (t *trainer) boundaryDue(now time.Time) *Boundary {
	if !t.opt.Boundary || t.plane == nil || now.Before(t.nextBoundary) {
		return nil
	}
	start := time.Now()
	b := ComputeBoundary(t.net, t.data.Norm, t.plane, BoundaryCells, BoundaryCells, &t.xEval)
	b.Step = t.step
	took := time.Since(start)
	t.nextBoundary = now.Add(max(boundaryEvery, time.Duration(float64(took)/boundaryShare)))
	return b
}

// RunBoundary draws the decision boundary of the saved model of the run
// in dir on a cols × rows grid, over the plane of its data set reloaded
// with the run's settings (so with its split). A run whose data set has
// not two features is an error.
func RunBoundary(ctx context.Context, dir string, cols, rows int) (*Plane, *Boundary, error) {
	_, m, data, err := openRun(ctx, dir, "", nil)
	if err != nil {
		return nil, nil, err
	}
	if !HasPlane(data.Test) {
		return nil, nil, fmt.Errorf("%s: the data set has %d features (input shape %v); a decision boundary needs 2", dir, data.Test.Dim(), data.Test.Shape)
	}
	p := NewPlane(data.Train, data.Test)
	var buf nn.Matrix
	b := ComputeBoundary(m.Net, datasets.Normalization{Mean: m.Mean, Std: m.Std}, p, cols, rows, &buf)
	return p, b, nil
}
