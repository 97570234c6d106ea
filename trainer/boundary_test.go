package trainer

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/nn"
)

func TestNewPlane(t *testing.T) {
	train := &datasets.Dataset{Name: "t", Classes: []string{"a", "b"}, Shape: []int{2},
		X: []float32{0, 0, 10, 5}, Y: []int32{0, 1}}
	test := &datasets.Dataset{Name: "t", Classes: train.Classes, Shape: []int{2}, X: []float32{-10, 5}, Y: []int32{1}}
	p := NewPlane(train, test)
	// x spans -10..10 (padded by 2), y 0..5 (padded by 0.5).
	if p.XMin != -12 || p.XMax != 12 || p.YMin != -0.5 || p.YMax != 5.5 {
		t.Errorf("plane %v..%v × %v..%v", p.XMin, p.XMax, p.YMin, p.YMax)
	}
	if len(p.Train) != 2 || len(p.Test) != 1 || p.Test[0] != (PlanePoint{X: -10, Y: 5, Label: 1}) {
		t.Errorf("points %v %v", p.Train, p.Test)
	}
	if c, r := p.Cell(-12, 5.5, 24, 6); c != 0 || r != 0 {
		t.Errorf("top left corner in cell %d,%d", c, r)
	}
	if c, r := p.Cell(11.9, -0.4, 24, 6); c != 23 || r != 5 {
		t.Errorf("bottom right in cell %d,%d", c, r)
	}
}

// TestComputeBoundary compares every cell with the network's prediction
// for the cell's centre, normalized as in training.
func TestComputeBoundary(t *testing.T) {
	net, err := nn.New(nn.Arch{Inputs: 2, Hidden: []int{8}, Classes: 3, Activation: nn.ReLU}, 3)
	if err != nil {
		t.Fatal(err)
	}
	norm := datasets.Normalization{Mean: []float32{1, -2}, Std: []float32{2, 0.5}}
	p := &Plane{XMin: -3, XMax: 5, YMin: -4, YMax: 0}
	var buf nn.Matrix
	b := ComputeBoundary(net, norm, p, 4, 2, &buf)
	if b.Cols != 4 || b.Rows != 2 || b.Classes != 3 || len(b.Probs) != 24 {
		t.Fatalf("boundary %dx%d of %d, %d values", b.Cols, b.Rows, b.Classes, len(b.Probs))
	}
	for r := range 2 {
		for c := range 4 {
			x, y := -3+float32(c)*2+1, 0-float32(r)*2-1
			one := nn.Matrix{}
			one.Resize(1, 2)
			one.Data[0], one.Data[1] = (x-1)/2, (y+2)/0.5
			want := net.Predict(&one).Row(0)
			for k, v := range b.At(c, r) {
				if math.Abs(float64(v-want[k])) > 1e-6 {
					t.Fatalf("cell %d,%d class %d: %v, want %v", c, r, k, v, want[k])
				}
			}
		}
	}
}

// TestBoundaryEvents: with Options.Boundary a two-feature run (a
// playground set, and a CSV table of two columns) gives its plane and
// boundaries, the last with the final weights; without it, none.
func TestBoundaryEvents(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "two.csv")
	if err := os.WriteFile(csv, []byte("x,y,c\n0,0,a\n1,1,b\n0,1,a\n1,0,b\n0.1,0.2,a\n0.9,0.8,b\n0.2,0.1,a\n0.8,0.9,b\n0.3,0.3,a\n0.7,0.6,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dataset := range []string{"moons", csv} {
		for _, on := range []bool{true, false} {
			cfg := Defaults()
			cfg.Dataset, cfg.RunsDir, cfg.Epochs, cfg.Hidden = dataset, t.TempDir(), 3, []int{8}
			evs, _ := runToEnd(t)(Start(context.Background(), cfg, Options{Boundary: on}))
			var plane *Plane
			var last *Boundary
			n := 0
			for _, e := range evs {
				if e.Kind == Started {
					plane = e.Info.Plane
				}
				if e.Boundary != nil {
					last, n = e.Boundary, n+1
				}
			}
			if !on {
				if plane != nil || n > 0 {
					t.Errorf("%s without Options.Boundary: plane %v, %d boundaries", dataset, plane != nil, n)
				}
				continue
			}
			if plane == nil || n == 0 || last.Cols != BoundaryCells || evs[len(evs)-1].Boundary == nil {
				t.Errorf("%s: plane %v, %d boundaries, last on %s", dataset, plane != nil, n, evs[len(evs)-1].Kind)
			}
		}
	}
	cfg := smallConfig(t)
	evs, _ := runToEnd(t)(Start(context.Background(), cfg, Options{Boundary: true}))
	for _, e := range evs {
		if e.Boundary != nil || e.Info != nil && e.Info.Plane != nil {
			t.Fatal("iris (four features) got a boundary")
		}
	}
}
