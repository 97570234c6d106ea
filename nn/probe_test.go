package nn

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestProbes: the probes name the layers with parameters as the model
// file does, in order; view the network's own weights and gradients; and
// hold each layer's output of the last Forward, and its activation's.
func TestProbes(t *testing.T) {
	for _, a := range []Arch{
		{Inputs: 5, Hidden: []int{7, 6}, Classes: 3, Activation: ReLU},
		{Inputs: 5, Hidden: []int{6, 6}, Classes: 3, Activation: LeakyReLU, Norm: BatchNormName},
		{Inputs: 5, Hidden: []int{4, 4}, Classes: 3, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock, Expansion: 2},
	} {
		m, err := New(a, 3)
		if err != nil {
			t.Fatal(err)
		}
		x := NewMatrix(8, 5)
		r := NewRNG(1)
		for i := range x.Data {
			x.Data[i] = float32(r.NormFloat64())
		}
		y := []int32{0, 1, 2, 0, 1, 2, 0, 1}
		m.TrainBatch(x, y)
		logits := m.Forward(x, true) // the same batch again: the probes see this pass
		ps := m.Probes()
		var want []string
		for _, ts := range a.tensorSpecs() {
			if n, ok := strings.CutSuffix(ts.Name, ".weight"); ok {
				want = append(want, n)
			}
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: probes %v, want %v", a, names, want)
		}
		last := ps[len(ps)-1]
		if !slices.Equal(last.Out.Data, logits.Data) || last.Act != nil {
			t.Errorf("%s: the output layer's probe does not hold the logits", a)
		}
		if &last.Weights[0] != &m.Layers[len(m.Layers)-1].W.Data[0] || &last.Grads[0] != &m.Layers[len(m.Layers)-1].DW.Data[0] {
			t.Errorf("%s: the probe's weights are not the network's", a)
		}
		acts := 0
		for _, p := range ps {
			if p.Act == nil {
				continue
			}
			acts++
			if p.Out.Rows != 8 || len(p.Act.Data) != len(p.Out.Data) {
				t.Fatalf("%s %s: output %dx%d, activation %d", a, p.Name, p.Out.Rows, p.Out.Cols, len(p.Act.Data))
			}
			for i, v := range p.Out.Data {
				var f float64
				switch p.ActKind {
				case KindReLU:
					f = math.Max(float64(v), 0)
				case KindLeakyReLU:
					f = float64(v)
					if v < 0 {
						f *= DefaultLeakySlope
					}
				case KindGELU:
					f = float64(v) * 0.5 * (1 + math.Erf(float64(v)/math.Sqrt2))
				}
				if math.Abs(f-float64(p.Act.Data[i])) > 1e-5 {
					t.Fatalf("%s %s: activation %v of %v, want %v", a, p.Name, p.Act.Data[i], v, f)
				}
			}
		}
		if acts != len(a.Hidden) {
			t.Errorf("%s: %d probes with an activation, want %d", a, acts, len(a.Hidden))
		}
		if a.Block == ResidualBlock && ps[len(ps)-2].Block != 0 || a.Block == ResidualBlock && ps[1].Block != 1 {
			t.Errorf("%s: blocks %+v", a, ps)
		}
	}
}
