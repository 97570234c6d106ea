package nn

import (
	"fmt"
	"math"
	"testing"
)

// TestLabelSmoothingGradient checks dz of the smoothed (and mixed)
// cross-entropy against finite differences of its loss.
func TestLabelSmoothingGradient(t *testing.T) {
	for _, c := range []struct {
		eps      float32
		mix      bool
		weighted bool
	}{{0.1, false, false}, {0.3, false, false}, {0.1, true, false}, {0, true, false},
		{0.1, false, true}, {0.2, true, true}} {
		t.Run(fmt.Sprintf("eps=%v/mix=%v/weighted=%v", c.eps, c.mix, c.weighted), func(t *testing.T) {
			rng := NewRNG(4)
			l := SoftmaxCrossEntropy{Smoothing: c.eps}
			if c.weighted {
				l.Weights = []float32{0.5, 3, 1.25, 1, 2}
			}
			z := randMatrix(rng, 6, 5, 2)
			y := []int32{0, 4, 2, 2, 1, 3}
			var y2 []int32
			lam := float32(1)
			if c.mix {
				y2, lam = []int32{1, 1, 0, 2, 4, 3}, 0.7
			}
			f := func() float64 { loss, _ := l.ForwardMix(z, y, y2, lam); return loss }
			f()
			checkGrad(t, "dz", z.Data, append([]float32(nil), l.BackwardMix(y, y2, lam).Data...), f)
		})
	}
}

// TestLabelSmoothingValue compares the smoothed loss with its definition,
// -Σ_j q_j log p_j, computed directly in float64.
func TestLabelSmoothingValue(t *testing.T) {
	z := FromSlice(2, 3, []float32{2, -1, 0.5, 0, 3, -2})
	y := []int32{0, 2}
	const eps = 0.2
	l := SoftmaxCrossEntropy{Smoothing: eps}
	got, _ := l.Forward(z, y)
	var want float64
	for i := 0; i < 2; i++ {
		row := z.Row(i)
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v))
		}
		for j, v := range row {
			q := eps / 3
			if j == int(y[i]) {
				q += 1 - eps
			}
			want -= q * (float64(v) - math.Log(s))
		}
	}
	want /= 2
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("smoothed loss %v, want %v", got, want)
	}
}

// TestEvalIsNotSmoothed: evaluation measures the plain cross-entropy
// whatever the training's label smoothing.
func TestEvalIsNotSmoothed(t *testing.T) {
	m, err := New(Arch{Inputs: 3, Hidden: []int{4}, Classes: 3, Activation: ReLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := FromSlice(2, 3, []float32{1, 2, 3, -1, 0, 1})
	y := []int32{0, 2}
	plain, _ := m.EvalBatch(x, y)
	m.LabelSmoothing = 0.3
	m.TrainBatch(x, y)
	if got, _ := m.EvalBatch(x, y); got != plain {
		t.Errorf("eval loss %v after smoothed training, %v before", got, plain)
	}
}

func TestDecayWeights(t *testing.T) {
	m, err := New(Arch{Inputs: 3, Hidden: []int{4}, Classes: 2, Activation: ReLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Layers {
		for i := range d.B {
			d.B[i] = 1
		}
	}
	before := append([]float32(nil), m.Params...)
	m.DecayWeights(0.25)
	for li, d := range m.Layers {
		for _, b := range d.B {
			if b != 1 {
				t.Errorf("layer %d: bias decayed to %v", li, b)
			}
		}
	}
	off := 0
	for _, d := range m.Layers {
		for i, w := range d.W.Data {
			if want := before[off+i] * 0.75; w != want {
				t.Fatalf("weight %v, want %v", w, want)
			}
		}
		off += len(d.W.Data) + len(d.B)
	}
}
