package nn

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// checkGrad compares an analytic gradient with central finite differences
// of f with respect to v (a slice f reads). f is evaluated in float32
// arithmetic, so the tolerance is loose compared with float64 checks but
// still far below the O(1) errors that a wrong derivative gives.
//
// ReLU has a kink at zero: where a step of ±h moves a pre-activation across
// it, the central difference averages two slopes and matches neither. Such
// points are found by comparing the forward and the backward difference
// (on a smooth stretch they agree, across a kink they differ by the change
// of slope); they are skipped, and at most 5 % may be.
func checkGrad(t *testing.T, what string, v []float32, analytic []float32, f func() float64) {
	t.Helper()
	x := make([]float64, len(v))
	for i := range v {
		x[i] = float64(v[i])
	}
	orig := append([]float32(nil), v...)
	fn := func(y []float64) float64 {
		for i := range y {
			v[i] = float32(y[i])
		}
		return f()
	}
	num := fd.Gradient(nil, fn, x, &fd.Settings{Formula: fd.Central, Step: 1e-3})
	fwd := fd.Gradient(nil, fn, x, &fd.Settings{Formula: fd.Forward, Step: 1e-3})
	bwd := fd.Gradient(nil, fn, x, &fd.Settings{Formula: fd.Backward, Step: 1e-3})
	copy(v, orig)
	tol := func(n float64) float64 { return 2e-3 + 2e-2*math.Abs(n) }
	bad, kinks := 0, 0
	for i := range num {
		a, n := float64(analytic[i]), num[i]
		if math.Abs(fwd[i]-bwd[i]) > 2*tol(n)+1e-2*math.Abs(n) {
			kinks++
			continue
		}
		if math.Abs(a-n) > tol(n) {
			if bad < 5 {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", what, i, a, n)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d derivatives disagree", what, bad, len(num))
	}
	if kinks*20 > len(num) {
		t.Errorf("%s: %d of %d derivatives skipped as non-smooth", what, kinks, len(num))
	}
}

// randMatrix fills a rows×cols matrix with values in ±scale, none closer
// to zero than scale/10 (so ReLU kinks stay out of reach of the step).
func randMatrix(rng *RNG, rows, cols int, scale float64) *Matrix {
	m := NewMatrix(rows, cols)
	for i := range m.Data {
		v := (0.1 + 0.9*rng.Float64()) * scale
		if rng.IntN(2) == 0 {
			v = -v
		}
		m.Data[i] = float32(v)
	}
	return m
}

// dot is Σ r⊙y in float64: a scalar objective whose gradient w.r.t. y is r.
func dot(r, y *Matrix) float64 {
	var s float64
	for i := range r.Data {
		s += float64(r.Data[i]) * float64(y.Data[i])
	}
	return s
}

func TestDenseGradient(t *testing.T) {
	rng := NewRNG(1)
	const batch, in, out = 5, 7, 4
	params := randMatrix(rng, 1, in*out+out, 1).Data
	grads := make([]float32, len(params))
	d := NewDense(in, out, params, grads)
	x := randMatrix(rng, batch, in, 1)
	r := randMatrix(rng, batch, out, 1)
	f := func() float64 { return dot(r, d.Forward(x)) }
	f()
	dx := d.Backward(r)
	dxCopy := append([]float32(nil), dx.Data...)
	checkGrad(t, "dW", d.W.Data, d.DW.Data, f)
	checkGrad(t, "db", d.B, d.DB, f)
	checkGrad(t, "dx", x.Data, dxCopy, f)
}

func TestDenseSkipsInputGrad(t *testing.T) {
	params := make([]float32, 3*2+2)
	d := NewDense(3, 2, params, make([]float32, len(params)))
	d.InputGrad = false
	d.Forward(NewMatrix(4, 3))
	if dx := d.Backward(NewMatrix(4, 2)); dx != nil {
		t.Errorf("Backward returned dx with InputGrad false")
	}
}

func TestActivationGradient(t *testing.T) {
	for _, slope := range []float32{0, 0.01, 0.2} {
		t.Run(fmt.Sprint("slope=", slope), func(t *testing.T) {
			rng := NewRNG(2)
			a := &Activation{Slope: slope}
			x := randMatrix(rng, 6, 9, 1)
			r := randMatrix(rng, 6, 9, 1)
			f := func() float64 { return dot(r, a.Forward(x)) }
			f()
			checkGrad(t, "dx", x.Data, append([]float32(nil), a.Backward(r).Data...), f)
		})
	}
}

func TestDropoutGradient(t *testing.T) {
	rng := NewRNG(3)
	d := &Dropout{Rate: 0.4}
	x := randMatrix(rng, 8, 10, 1)
	r := randMatrix(rng, 8, 10, 1)
	f := func() float64 {
		d.Seed(42) // the same mask at every evaluation
		return dot(r, d.Forward(x, true))
	}
	f()
	checkGrad(t, "dx", x.Data, append([]float32(nil), d.Backward(r).Data...), f)
}

func TestDropoutStatistics(t *testing.T) {
	for _, rate := range []float32{0, 0.1, 0.5, 0.9} {
		d := &Dropout{Rate: rate}
		d.Seed(7)
		x := NewMatrix(100, 1000)
		for i := range x.Data {
			x.Data[i] = 1
		}
		y := d.Forward(x, true)
		var dropped int
		var sum float64
		for _, v := range y.Data {
			if v == 0 {
				dropped++
			}
			sum += float64(v)
		}
		n := float64(len(y.Data))
		if got := float64(dropped) / n; math.Abs(got-float64(rate)) > 0.01 {
			t.Errorf("rate %v: dropped %.4f of units", rate, got)
		}
		if mean := sum / n; math.Abs(mean-1) > 0.03 {
			t.Errorf("rate %v: mean output %.4f, want about 1 (inverted dropout)", rate, mean)
		}
		if e := d.Forward(x, false); e != x {
			t.Errorf("rate %v: evaluation is not the identity", rate)
		}
	}
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := NewRNG(4)
	var l SoftmaxCrossEntropy
	z := randMatrix(rng, 6, 5, 2)
	y := []int32{0, 4, 2, 2, 1, 3}
	f := func() float64 { loss, _ := l.Forward(z, y); return loss }
	f()
	checkGrad(t, "dz", z.Data, append([]float32(nil), l.Backward(y).Data...), f)
}

func TestSoftmaxCrossEntropyStable(t *testing.T) {
	// Logits far beyond exp's float range: a naive softmax gives Inf/NaN.
	z := FromSlice(2, 3, []float32{1000, 990, 0, -1000, -1000, -995})
	y := []int32{1, 2}
	var l SoftmaxCrossEntropy
	loss, correct := l.Forward(z, y)
	// Row 1: lse = 1000 + log(1 + e^-10 + e^-1000); loss = lse - 990.
	// Row 2: lse = -995 + log(1 + 2e^-5); loss = lse + 995.
	want := ((10 + math.Log1p(math.Exp(-10))) + math.Log1p(2*math.Exp(-5))) / 2
	if math.Abs(loss-want) > 1e-5 {
		t.Errorf("loss %v, want %v", loss, want)
	}
	if correct != 1 {
		t.Errorf("correct %d, want 1", correct)
	}
	for _, p := range l.Probs().Data {
		if math.IsNaN(float64(p)) || p < 0 || p > 1 {
			t.Fatalf("probability %v", p)
		}
	}
}

func TestMLPGradient(t *testing.T) {
	for _, c := range []struct {
		act     string
		dropout float64
		l2      float32
	}{
		{ReLU, 0, 0},
		{LeakyReLU, 0, 0.1},
		{ReLU, 0.3, 0.05},
	} {
		t.Run(fmt.Sprintf("%s/dropout=%v/l2=%v", c.act, c.dropout, c.l2), func(t *testing.T) {
			m, err := New(Arch{Inputs: 6, Hidden: []int{8, 5}, Classes: 3, Activation: c.act, LeakySlope: 0.1}, 5)
			if err != nil {
				t.Fatal(err)
			}
			m.L2 = c.l2
			m.SetDropout(c.dropout)
			rng := NewRNG(6)
			x := randMatrix(rng, 7, 6, 1)
			y := []int32{0, 1, 2, 2, 1, 0, 1}
			f := func() float64 {
				m.SeedDropout(9)
				z := m.Forward(x, true)
				loss, _ := m.loss.Forward(z, y)
				return loss + m.L2Penalty()
			}
			m.SeedDropout(9)
			m.TrainBatch(x, y)
			checkGrad(t, "params", m.Params, append([]float32(nil), m.Grads...), f)
		})
	}
}

// TestWeightedSoftmaxCrossEntropy checks the class-weighted loss against
// its definition (1/batch Σ w[y]·CE, computed here from the unweighted
// per-row terms) and its gradient against finite differences.
func TestWeightedSoftmaxCrossEntropy(t *testing.T) {
	rng := NewRNG(7)
	z := randMatrix(rng, 6, 3, 2)
	y := []int32{0, 2, 2, 1, 0, 2}
	w := []float32{0.5, 3, 1.25}
	var plain SoftmaxCrossEntropy
	var want float64
	for i := range y {
		row := FromSlice(1, 3, z.Row(i))
		ce, _ := plain.Forward(row, y[i:i+1])
		want += float64(w[y[i]]) * ce / float64(len(y))
	}
	l := SoftmaxCrossEntropy{Weights: w}
	f := func() float64 { loss, _ := l.Forward(z, y); return loss }
	if got := f(); math.Abs(got-want) > 1e-6 {
		t.Errorf("weighted loss %v, want %v", got, want)
	}
	checkGrad(t, "dz", z.Data, append([]float32(nil), l.Backward(y).Data...), f)
}

// TestMLPClassWeightsGradient checks a whole network's gradient under
// class weights, and that evaluation ignores them.
func TestMLPClassWeightsGradient(t *testing.T) {
	m, err := New(Arch{Inputs: 4, Hidden: []int{6}, Classes: 3, Activation: ReLU}, 3)
	if err != nil {
		t.Fatal(err)
	}
	m.ClassWeights = []float32{2, 0.5, 1}
	x := randMatrix(NewRNG(8), 5, 4, 1)
	y := []int32{0, 1, 2, 1, 1}
	f := func() float64 {
		z := m.Forward(x, true)
		m.loss.Weights = m.ClassWeights
		loss, _ := m.loss.Forward(z, y)
		return loss
	}
	m.TrainBatch(x, y)
	checkGrad(t, "params", m.Params, append([]float32(nil), m.Grads...), f)
	ev, _ := m.EvalBatch(x, y)
	m.ClassWeights = nil
	plain, _ := m.EvalBatch(x, y)
	if ev != plain {
		t.Errorf("EvalBatch with class weights %v, without %v: evaluation must not weight", ev, plain)
	}
}
