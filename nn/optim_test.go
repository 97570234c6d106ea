package nn

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestAdamHandComputed(t *testing.T) {
	// One parameter p = 1, lr 0.1, β1 0.9, β2 0.999, ε 1e-8.
	// Step 1, g = 0.5:  m = 0.05, v = 0.00025,
	//   m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25, p = 1 - 0.1·0.5/0.5 = 0.9.
	// Step 2, g = -0.25: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
	//   m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999,
	//   p = 0.9 - 0.1·(0.02/0.19)/sqrt(0.00031225/0.001999) = 0.9 - 0.0266335 = 0.8733665.
	// Bias correction counted per epoch (t stuck at 1) would give
	//   p = 0.9 - 0.1·(0.02/0.1)/sqrt(0.00031225/0.001) = 0.9 - 0.0357914.
	a := NewAdam(1, 0.1)
	p := []float32{1}
	a.Step(p, []float32{0.5})
	if !near(float64(p[0]), 0.9, 1e-6) {
		t.Errorf("after step 1: p = %v, want 0.9", p[0])
	}
	a.Step(p, []float32{-0.25})
	want := 0.9 - 0.1*(0.02/0.19)/math.Sqrt(0.00031225/0.001999)
	if !near(float64(p[0]), want, 1e-6) {
		t.Errorf("after step 2: p = %v, want %v", p[0], want)
	}
	if st := a.State(); st.Step != 2 {
		t.Errorf("step count %d, want 2", st.Step)
	}
}

func TestSGDHandComputed(t *testing.T) {
	// p = 1, constant g = 1, lr 0.1, μ 0.9.
	// Without Nesterov: b1 = 1, p = 0.9; b2 = 1.9, p = 0.71.
	// Nesterov:         p -= 0.1·(1 + 0.9·1) -> 0.81; p -= 0.1·(1 + 0.9·1.9) -> 0.539.
	// Plain SGD (μ 0): 0.9, then 0.8.
	for _, c := range []struct {
		name     string
		mu       float64
		nesterov bool
		want     [2]float64
	}{
		{"plain", 0, false, [2]float64{0.9, 0.8}},
		{"momentum", 0.9, false, [2]float64{0.9, 0.71}},
		{"nesterov", 0.9, true, [2]float64{0.81, 0.539}},
	} {
		s := NewSGD(1, 0.1, c.mu, c.nesterov)
		p := []float32{1}
		for i, w := range c.want {
			s.Step(p, []float32{1})
			if !near(float64(p[0]), w, 1e-6) {
				t.Errorf("%s step %d: p = %v, want %v", c.name, i+1, p[0], w)
			}
		}
	}
}

// TestOptimizerStateRoundTrip checks that an optimizer restored from its
// state continues exactly like the original.
func TestOptimizerStateRoundTrip(t *testing.T) {
	mk := map[string]func() Optimizer{
		"adam": func() Optimizer { return NewAdam(5, 0.01) },
		"sgd":  func() Optimizer { return NewSGD(5, 0.01, 0.9, true) },
	}
	for name, newOpt := range mk {
		rng := NewRNG(11)
		grad := func() []float32 {
			g := make([]float32, 5)
			for i := range g {
				g[i] = float32(rng.NormFloat64())
			}
			return g
		}
		a := newOpt()
		p := make([]float32, 5)
		for range 3 {
			a.Step(p, grad())
		}
		b := newOpt()
		if err := b.SetState(a.State()); err != nil {
			t.Fatal(err)
		}
		q := append([]float32(nil), p...)
		for range 3 {
			g := grad()
			a.Step(p, g)
			b.Step(q, g)
		}
		for i := range p {
			if p[i] != q[i] {
				t.Errorf("%s: restored optimizer diverges at %d: %v vs %v", name, i, p[i], q[i])
			}
		}
	}
}

func TestOptimizerStateRefused(t *testing.T) {
	a := NewAdam(4, 0.1)
	cases := []struct {
		name  string
		state OptimizerState
	}{
		{"other optimizer", NewSGD(4, 0.1, 0.9, false).State()},
		{"other size", NewAdam(5, 0.1).State()},
		{"missing tensor", OptimizerState{Name: "adam", Tensors: map[string][]float32{"m": make([]float32, 4)}}},
		{"negative step", OptimizerState{Name: "adam", Step: -1, Tensors: NewAdam(4, 0.1).State().Tensors}},
	}
	for _, c := range cases {
		if err := a.SetState(c.state); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

// TestTrainsSeparableSet trains a small network on two well-separated
// blobs and expects the loss to approach zero.
func TestTrainsSeparableSet(t *testing.T) {
	rng := NewRNG(12)
	const n = 64
	x := NewMatrix(n, 2)
	y := make([]int32, n)
	for i := range n {
		y[i] = int32(i % 2)
		c := float64(4*y[i] - 2) // blob centres at -2 and +2
		x.Data[2*i] = float32(c + 0.5*rng.NormFloat64())
		x.Data[2*i+1] = float32(-c + 0.5*rng.NormFloat64())
	}
	for _, opt := range []string{"adam", "sgd"} {
		m, err := New(Arch{Inputs: 2, Hidden: []int{16}, Classes: 2, Activation: ReLU}, 1)
		if err != nil {
			t.Fatal(err)
		}
		var o Optimizer = NewAdam(len(m.Params), 0.01)
		if opt == "sgd" {
			o = NewSGD(len(m.Params), 0.1, 0.9, true)
		}
		for range 300 {
			m.TrainBatch(x, y)
			o.Step(m.Params, m.Grads)
		}
		loss, correct := m.EvalBatch(x, y)
		if loss > 0.01 || correct != n {
			t.Errorf("%s: after 300 steps loss %.4g, %d/%d correct", opt, loss, correct, n)
		}
	}
}
