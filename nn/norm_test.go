package nn

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLayerNormGradient(t *testing.T) {
	rng := NewRNG(11)
	const batch, n = 5, 7
	params := randMatrix(rng, 1, 2*n, 1).Data
	l := NewLayerNorm(n, params, make([]float32, 2*n))
	x := randMatrix(rng, batch, n, 2)
	r := randMatrix(rng, batch, n, 1)
	f := func() float64 { return dot(r, l.Forward(x)) }
	f()
	dx := append([]float32(nil), l.Backward(r).Data...)
	checkGrad(t, "dgain", l.Gain, l.DGain, f)
	checkGrad(t, "dbias", l.Bias, l.DBias, f)
	checkGrad(t, "dx", x.Data, dx, f)
}

func TestLayerNormValues(t *testing.T) {
	l := NewLayerNorm(4, []float32{1, 1, 1, 1, 0, 0, 0, 0}, make([]float32, 8))
	y := l.Forward(FromSlice(1, 4, []float32{1, 2, 3, 4}))
	// mean 2.5, variance 1.25
	for c, v := range []float64{1, 2, 3, 4} {
		want := (v - 2.5) / math.Sqrt(1.25+NormEps)
		if math.Abs(float64(y.Data[c])-want) > 1e-6 {
			t.Errorf("y[%d] = %v, want %v", c, y.Data[c], want)
		}
	}
}

// TestBatchNormGradient checks training mode, where the batch's own
// statistics depend on every input.
func TestBatchNormGradient(t *testing.T) {
	rng := NewRNG(12)
	const batch, n = 6, 5
	params := randMatrix(rng, 1, 2*n, 1).Data
	b := NewBatchNorm(n, params, make([]float32, 2*n), make([]float32, 2*n))
	x := randMatrix(rng, batch, n, 2)
	r := randMatrix(rng, batch, n, 1)
	f := func() float64 { return dot(r, b.Forward(x, true)) }
	f()
	dx := append([]float32(nil), b.Backward(r).Data...)
	checkGrad(t, "dgain", b.Gain, b.DGain, f)
	checkGrad(t, "dbias", b.Bias, b.DBias, f)
	checkGrad(t, "dx", x.Data, dx, f)
}

// TestBatchNormRunningStatistics: training batches move the running
// statistics by the momentum (variance unbiased, as PyTorch), and
// evaluation uses them, not the batch's.
func TestBatchNormRunningStatistics(t *testing.T) {
	b := NewBatchNorm(1, []float32{2, 0.5}, make([]float32, 2), []float32{0, 1})
	x := FromSlice(4, 1, []float32{1, 2, 3, 6}) // mean 3, variance 3.5 (unbiased 14/3)
	b.Forward(x, true)
	if m, v := b.RunMean[0], b.RunVar[0]; math.Abs(float64(m)-0.3) > 1e-6 || math.Abs(float64(v)-(0.9+0.1*14.0/3)) > 1e-6 {
		t.Errorf("running mean %v var %v, want 0.3, %v", m, v, 0.9+0.1*14.0/3)
	}
	y := b.Forward(FromSlice(1, 1, []float32{1}), false)
	want := 2*(1-0.3)/math.Sqrt(0.9+0.1*14.0/3+NormEps) + 0.5
	if math.Abs(float64(y.Data[0])-want) > 1e-5 {
		t.Errorf("eval output %v, want %v from the running statistics", y.Data[0], want)
	}
	if b.RunMean[0] != float32(0.3) {
		t.Error("evaluation moved the running statistics")
	}
}

func TestGELUGradient(t *testing.T) {
	rng := NewRNG(13)
	g := &GELU{}
	x := randMatrix(rng, 6, 9, 3)
	r := randMatrix(rng, 6, 9, 1)
	f := func() float64 { return dot(r, g.Forward(x)) }
	f()
	checkGrad(t, "dx", x.Data, append([]float32(nil), g.Backward(r).Data...), f)
	// Values: GELU(1) = Φ(1) = 0.8413447, GELU(-1) = -0.1586553.
	y := g.Forward(FromSlice(1, 3, []float32{1, -1, 0}))
	for i, want := range []float32{0.8413447, -0.1586553, 0} {
		if math.Abs(float64(y.Data[i]-want)) > 1e-6 {
			t.Errorf("GELU[%d] = %v, want %v", i, y.Data[i], want)
		}
	}
}

// TestResidualBlockGradient checks one pre-norm block x + W2·GELU(W1·LN(x))
// on its own: its input and every parameter.
func TestResidualBlockGradient(t *testing.T) {
	m, err := New(Arch{Inputs: 5, Hidden: []int{5}, Classes: 3, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock, Expansion: 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := NewRNG(14)
	for i := range m.Params {
		m.Params[i] = float32(rng.NormFloat64() * 0.5) // gains and biases away from 1 and 0 too
	}
	block := m.seq[1].(*Residual)
	x := randMatrix(rng, 4, 5, 1)
	r := randMatrix(rng, 4, 5, 1)
	f := func() float64 { return dot(r, block.forward(x, true)) }
	f()
	dx := append([]float32(nil), block.backward(r).Data...)
	checkGrad(t, "dx", x.Data, dx, f)
	grads := append([]float32(nil), m.Grads...)
	// The block's parameters: everything but the stem and the head.
	lo := 5*5 + 5
	hi := len(m.Params) - (2*5 + 5*3 + 3)
	checkGrad(t, "block params", m.Params[lo:hi], grads[lo:hi], f)
}

// TestResidualNetworkGradient checks whole networks of every new kind
// against finite differences of the loss, L2 included.
func TestResidualNetworkGradient(t *testing.T) {
	for _, a := range []Arch{
		{Inputs: 6, Hidden: []int{4, 4}, Classes: 3, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock},
		{Inputs: 6, Hidden: []int{4, 4}, Classes: 3, Activation: GELUName, Norm: BatchNormName, Block: ResidualBlock, Expansion: 2},
		{Inputs: 6, Hidden: []int{5, 4}, Classes: 3, Activation: GELUName, Norm: BatchNormName},
		{Inputs: 6, Hidden: []int{5, 4}, Classes: 3, Activation: GELUName, Norm: LayerNormName},
	} {
		t.Run(a.String(), func(t *testing.T) {
			m, err := New(a, 5)
			if err != nil {
				t.Fatal(err)
			}
			rng := NewRNG(15)
			for i := range m.Params {
				m.Params[i] += float32(rng.NormFloat64() * 0.3)
			}
			m.L2 = 0.05
			x := randMatrix(rng, 7, 6, 1)
			y := []int32{0, 1, 2, 2, 1, 0, 1}
			f := func() float64 {
				loss, _ := m.loss.Forward(m.Forward(x, true), y)
				return loss + m.L2Penalty()
			}
			m.TrainBatch(x, y)
			checkGrad(t, "params", m.Params, append([]float32(nil), m.Grads...), f)
		})
	}
}

// TestArchGraph pins the layer list of each kind of network, which is
// the model description readers of model files (an exporter) rely on.
func TestArchGraph(t *testing.T) {
	kinds := func(g []Node) string {
		s := ""
		var each func(g []Node, depth int)
		each = func(g []Node, depth int) {
			for _, n := range g {
				s += n.Kind
				if n.Name != "" {
					s += "(" + n.Name + ")"
				}
				if n.Body != nil {
					s += "["
					each(n.Body, depth+1)
					s += "]"
				}
				s += " "
			}
		}
		each(g, 0)
		return s
	}
	cases := []struct {
		a    Arch
		want string
	}{
		{Arch{Inputs: 4, Hidden: []int{8, 6}, Classes: 3, Activation: ReLU},
			"dense(dense.0) relu dropout dense(dense.1) relu dropout dense(dense.2) "},
		{Arch{Inputs: 4, Hidden: []int{8}, Classes: 3, Activation: GELUName, Norm: BatchNormName},
			"dense(dense.0) batch_norm(norm.0) gelu dropout dense(dense.1) "},
		{Arch{Inputs: 4, Hidden: []int{8, 8}, Classes: 3, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock},
			"dense(dense.0) residual[layer_norm(norm.0) dense(dense.1) gelu dropout dense(dense.2) ] " +
				"residual[layer_norm(norm.1) dense(dense.3) gelu dropout dense(dense.4) ] layer_norm(norm.2) dense(dense.5) "},
	}
	for _, c := range cases {
		if got := kinds(c.a.Graph()); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.a, got, c.want)
		}
	}
	res := Arch{Inputs: 4, Hidden: []int{8, 8}, Classes: 3, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock}
	if n := res.ParamCount(); n != 4*8+8+2*(2*8+8*32+32+32*8+8)+2*8+8*3+3 {
		t.Errorf("ParamCount %d", n)
	}
	if s := res.String(); s != "4-8-8-3 residual×4 gelu layer-norm" {
		t.Errorf("String %q", s)
	}
}

func TestArchRefused(t *testing.T) {
	for _, c := range []struct {
		a    Arch
		want string
	}{
		{Arch{Inputs: 4, Hidden: []int{8, 6}, Classes: 3, Activation: ReLU, Block: ResidualBlock}, "keep one width"},
		{Arch{Inputs: 4, Classes: 3, Activation: ReLU, Block: ResidualBlock}, "need a width"},
		{Arch{Inputs: 4, Hidden: []int{8}, Classes: 3, Activation: ReLU, Norm: "group"}, `norm "group"`},
		{Arch{Inputs: 4, Hidden: []int{8}, Classes: 3, Activation: ReLU, Block: "dense"}, `block "dense"`},
		{Arch{Inputs: 4, Hidden: []int{8}, Classes: 3, Activation: ReLU, Block: ResidualBlock, Expansion: 65}, "expansion 65"},
		{Arch{Inputs: 4, Hidden: []int{1 << 19, 1 << 19}, Classes: 3, Activation: ReLU, Block: ResidualBlock}, "parameters"},
	} {
		err := c.a.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one saying %q", c.a, err, c.want)
		}
	}
}

// TestNormModelRoundTrip: a residual BatchNorm network's file holds its
// running statistics, says format version 2, and predicts alike after
// loading.
func TestNormModelRoundTrip(t *testing.T) {
	for _, norm := range []string{LayerNormName, BatchNormName} {
		t.Run(norm, func(t *testing.T) {
			net, err := New(Arch{Inputs: 4, Hidden: []int{6, 6}, Classes: 3, Activation: GELUName, Norm: norm, Block: ResidualBlock}, 2)
			if err != nil {
				t.Fatal(err)
			}
			rng := NewRNG(3)
			x := randMatrix(rng, 8, 4, 1)
			net.TrainBatch(x, []int32{0, 1, 2, 0, 1, 2, 0, 1}) // moves the running statistics
			m := &Model{Net: net, Classes: []string{"a", "b", "c"}, InputShape: []int{4}, Mean: make([]float32, 4), Std: []float32{1, 1, 1, 1}}
			path := filepath.Join(t.TempDir(), "m.safetensors")
			if err := SaveModel(path, m); err != nil {
				t.Fatal(err)
			}
			_, meta, err := LoadSafetensors(path)
			if err != nil || meta["format_version"] != "2" {
				t.Fatalf("format_version %q (%v)", meta["format_version"], err)
			}
			got, err := LoadModel(path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Net.Params, net.Params) || !slices.Equal(got.Net.Buffers, net.Buffers) {
				t.Error("parameters or buffers differ after the round trip")
			}
			if norm == BatchNormName && slices.Equal(net.Buffers, mustNew(t, net.Arch).Buffers) {
				t.Error("training did not move the running statistics")
			}
			if p, q := got.Net.Predict(x), net.Predict(x); !slices.Equal(p.Data, q.Data) {
				t.Error("predictions differ after the round trip")
			}
		})
	}
}

func mustNew(t *testing.T, a Arch) *MLP {
	m, err := New(a, 2)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ExampleArch_Graph() {
	a := Arch{Inputs: 3072, Hidden: []int{512, 512}, Classes: 10, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock}
	for _, n := range a.Graph() {
		fmt.Println(n.Kind, n.Name, n.In, n.Out, len(n.Body))
	}
	// Output:
	// dense dense.0 3072 512 0
	// residual  512 512 5
	// residual  512 512 5
	// layer_norm norm.2 512 512 0
	// dense dense.5 512 10 0
}
