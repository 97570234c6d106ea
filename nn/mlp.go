package nn

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/nn/internal/parallel"
)

// Activation names accepted in an Arch.
const (
	ReLU      = "relu"
	LeakyReLU = "leaky-relu"
	GELUName  = "gelu"
)

// Normalizations (Arch.Norm) and blocks (Arch.Block).
const (
	NoNorm        = "none"
	LayerNormName = "layer"
	BatchNormName = "batch"
	PlainBlock    = "plain"
	ResidualBlock = "residual"
)

// DefaultExpansion is a residual block's inner width over its width when
// an Arch leaves Expansion zero (Bachmann et al. 2023 use 4).
const DefaultExpansion = 4

// DefaultLeakySlope is leaky ReLU's slope for negative inputs when an Arch
// leaves it zero.
const DefaultLeakySlope = 0.01

// MaxUnits bounds any one layer's width, and MaxParams the whole model's
// parameter count (about 4 GiB of float32): larger is a typo, not a plan.
const (
	MaxUnits  = 1 << 20
	MaxParams = 1 << 30
)

// Arch describes a network; Graph lists its layers.
//
// A plain network (Block "" or "plain") has per hidden size a Dense
// layer, the norm (if any), the activation and dropout (in training),
// then a Dense layer to Classes logits: with Norm "" it is the MLP of
// format version 1.
//
// A residual network (Block "residual"; every hidden size the same width
// w) has a Dense layer from the inputs to w, then per hidden size a
// pre-norm block x + W2·act(W1·norm(x)) with W1 [w, Expansion·w] and
// dropout after the activation, then the norm and a Dense layer to the
// logits (Bachmann et al. 2023, "Scaling MLPs").
type Arch struct {
	Inputs     int     `json:"inputs"`
	Hidden     []int   `json:"hidden"`
	Classes    int     `json:"classes"`
	Activation string  `json:"activation"`
	LeakySlope float64 `json:"leaky_slope,omitempty"`
	Norm       string  `json:"norm,omitempty"`      // "" or none, layer, batch
	Block      string  `json:"block,omitempty"`     // "" or plain, residual
	Expansion  int     `json:"expansion,omitempty"` // residual blocks' inner width over their width (0: 4)
}

// Layer kinds of a Node: the model description a reader of a model file
// (an exporter, say) needs. Tensors named Node.Name + ".weight" and so on
// are in the model file.
const (
	// KindDense is y = x·W + b: <name>.weight [In, Out], <name>.bias [Out].
	KindDense = "dense"
	// KindReLU is max(x, 0).
	KindReLU = "relu"
	// KindLeakyReLU is x for x > 0, else Slope·x.
	KindLeakyReLU = "leaky_relu"
	// KindGELU is x·Φ(x), exact (erf).
	KindGELU = "gelu"
	// KindLayerNorm normalizes each sample over its In features with
	// ε = Eps: <name>.weight (gain) [In], <name>.bias [In].
	KindLayerNorm = "layer_norm"
	// KindBatchNorm, at inference, is weight·(x - running_mean) /
	// sqrt(running_var + Eps) + bias per feature: <name>.weight,
	// <name>.bias, <name>.running_mean, <name>.running_var, all [In].
	KindBatchNorm = "batch_norm"
	// KindDropout drops units in training only; at inference it is the
	// identity.
	KindDropout = "dropout"
	// KindResidual is y = x + Body(x).
	KindResidual = "residual"
)

// A Node is one layer of an Arch's graph, applied in order.
type Node struct {
	Kind    string
	Name    string  // the tensors' name prefix ("dense.0", "norm.1"), for kinds with tensors
	In, Out int     // widths (equal but for dense)
	Slope   float64 // leaky_relu
	Eps     float64 // layer_norm, batch_norm
	Body    []Node  // residual
}

// Graph returns the layers of a, from the inputs to the logits. Dense
// layers are named dense.0, dense.1 ... and norms norm.0, norm.1 ... in
// this order, which is also the order of their parameters in MLP.Params.
func (a Arch) Graph() []Node {
	var g []Node
	nd, nm := 0, 0
	dense := func(in, out int) Node {
		nd++
		return Node{Kind: KindDense, Name: fmt.Sprintf("dense.%d", nd-1), In: in, Out: out}
	}
	norm := func(w int) []Node {
		kind := map[string]string{LayerNormName: KindLayerNorm, BatchNormName: KindBatchNorm}[a.Norm]
		if kind == "" {
			return nil
		}
		nm++
		return []Node{{Kind: kind, Name: fmt.Sprintf("norm.%d", nm-1), In: w, Out: w, Eps: NormEps}}
	}
	act := func(w int) Node {
		switch a.Activation {
		case LeakyReLU:
			return Node{Kind: KindLeakyReLU, In: w, Out: w, Slope: float64(a.slope())}
		case GELUName:
			return Node{Kind: KindGELU, In: w, Out: w}
		}
		return Node{Kind: KindReLU, In: w, Out: w}
	}
	drop := func(w int) Node { return Node{Kind: KindDropout, In: w, Out: w} }
	if a.Block == ResidualBlock && len(a.Hidden) > 0 {
		w := a.Hidden[0]
		inner := w * a.expansion()
		g = append(g, dense(a.Inputs, w))
		for range a.Hidden {
			body := norm(w)
			body = append(body, dense(w, inner), act(inner), drop(inner), dense(inner, w))
			g = append(g, Node{Kind: KindResidual, In: w, Out: w, Body: body})
		}
		g = append(g, norm(w)...)
		return append(g, dense(w, a.Classes))
	}
	in := a.Inputs
	for _, h := range a.Hidden {
		g = append(g, dense(in, h))
		g = append(g, norm(h)...)
		g = append(g, act(h), drop(h))
		in = h
	}
	return append(g, dense(in, a.Classes))
}

// walk calls f for every node of g, residual bodies included, in order.
func walk(g []Node, f func(n *Node)) {
	for i := range g {
		f(&g[i])
		walk(g[i].Body, f)
	}
}

// Sizes returns the layer widths from input to output.
func (a Arch) Sizes() []int {
	s := append([]int{a.Inputs}, a.Hidden...)
	return append(s, a.Classes)
}

// String gives the widths joined by dashes, "4-1000-100-3", followed for
// other than a plain ReLU network by what else it is:
// "3072-512-512-10 residual×4 gelu layer-norm".
func (a Arch) String() string {
	var b strings.Builder
	for i, s := range a.Sizes() {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(s))
	}
	if a.Block == ResidualBlock {
		fmt.Fprintf(&b, " residual×%d", a.expansion())
	}
	if a.Activation != ReLU && a.Activation != "" && !a.isV1() { // version 1 names stay as they were
		b.WriteString(" " + a.Activation)
	}
	if a.Norm != "" && a.Norm != NoNorm {
		b.WriteString(" " + a.Norm + "-norm")
	}
	return b.String()
}

// isV1 reports whether a needs nothing that format version 1 lacks.
func (a Arch) isV1() bool {
	return (a.Norm == "" || a.Norm == NoNorm) && (a.Block == "" || a.Block == PlainBlock) &&
		(a.Activation == ReLU || a.Activation == LeakyReLU)
}

func (a Arch) expansion() int {
	if a.Expansion == 0 {
		return DefaultExpansion
	}
	return a.Expansion
}

// counts returns the number of parameters and of buffer values
// (BatchNorm's running statistics).
func (a Arch) counts() (params, buffers int) {
	walk(a.Graph(), func(n *Node) {
		switch n.Kind {
		case KindDense:
			params += n.In*n.Out + n.Out
		case KindLayerNorm:
			params += 2 * n.In
		case KindBatchNorm:
			params += 2 * n.In
			buffers += 2 * n.In
		}
	})
	return
}

// ParamCount is the number of trained parameters: weights, biases, gains.
func (a Arch) ParamCount() int {
	p, _ := a.counts()
	return p
}

// tensorSpecs lists the model file's tensors of a network of a, in
// order, with their shapes (no data).
func (a Arch) tensorSpecs() []Tensor {
	var ts []Tensor
	walk(a.Graph(), func(n *Node) {
		switch n.Kind {
		case KindDense:
			ts = append(ts, Tensor{Name: n.Name + ".weight", Shape: []int{n.In, n.Out}}, Tensor{Name: n.Name + ".bias", Shape: []int{n.Out}})
		case KindLayerNorm:
			ts = append(ts, Tensor{Name: n.Name + ".weight", Shape: []int{n.In}}, Tensor{Name: n.Name + ".bias", Shape: []int{n.In}})
		case KindBatchNorm:
			ts = append(ts, Tensor{Name: n.Name + ".weight", Shape: []int{n.In}}, Tensor{Name: n.Name + ".bias", Shape: []int{n.In}},
				Tensor{Name: n.Name + ".running_mean", Shape: []int{n.In}}, Tensor{Name: n.Name + ".running_var", Shape: []int{n.In}})
		}
	})
	return ts
}

// Validate reports the first thing wrong with a.
func (a Arch) Validate() error {
	if a.Inputs <= 0 || a.Inputs > MaxUnits {
		return fmt.Errorf("inputs %d out of range 1..%d", a.Inputs, MaxUnits)
	}
	if a.Classes < 2 || a.Classes > MaxUnits {
		return fmt.Errorf("classes %d out of range 2..%d", a.Classes, MaxUnits)
	}
	for i, h := range a.Hidden {
		if h <= 0 || h > MaxUnits {
			return fmt.Errorf("hidden layer %d has %d units, want 1..%d", i+1, h, MaxUnits)
		}
	}
	switch a.Activation {
	case ReLU, LeakyReLU, GELUName:
	default:
		return fmt.Errorf("activation %q: want %s, %s or %s", a.Activation, ReLU, LeakyReLU, GELUName)
	}
	if a.LeakySlope < 0 || a.LeakySlope >= 1 || math.IsNaN(a.LeakySlope) {
		return fmt.Errorf("leaky slope %v out of range [0, 1)", a.LeakySlope)
	}
	switch a.Norm {
	case "", NoNorm, LayerNormName, BatchNormName:
	default:
		return fmt.Errorf("norm %q: want %s, %s or %s", a.Norm, NoNorm, LayerNormName, BatchNormName)
	}
	switch a.Block {
	case "", PlainBlock:
	case ResidualBlock:
		if len(a.Hidden) == 0 {
			return fmt.Errorf("residual blocks need a width: give hidden sizes")
		}
		for _, h := range a.Hidden {
			if h != a.Hidden[0] {
				return fmt.Errorf("residual blocks keep one width; hidden sizes %v differ", a.Hidden)
			}
		}
	default:
		return fmt.Errorf("block %q: want %s or %s", a.Block, PlainBlock, ResidualBlock)
	}
	if a.Expansion < 0 || a.Expansion > 64 || a.Expansion > 0 && a.Expansion*a.Hidden[0] > MaxUnits {
		return fmt.Errorf("expansion %d out of range 0..64", a.Expansion)
	}
	// Count in int64 over the widths, so that a huge claim cannot overflow.
	var n int64
	ok := true
	walk(a.Graph(), func(nd *Node) {
		if nd.Kind == KindDense {
			n += int64(nd.In)*int64(nd.Out) + int64(nd.Out)
		} else if nd.Kind == KindLayerNorm || nd.Kind == KindBatchNorm {
			n += 4 * int64(nd.In)
		}
		ok = ok && n <= MaxParams
	})
	if !ok {
		return fmt.Errorf("%s has over %d parameters", a, MaxParams)
	}
	return nil
}

func (a Arch) slope() float32 {
	if a.Activation != LeakyReLU {
		return 0
	}
	if a.LeakySlope == 0 {
		return DefaultLeakySlope
	}
	return float32(a.LeakySlope)
}

// MLP is a network of an Arch whose parameters all live in one buffer,
// Params, with gradients in Grads of the same layout (in Arch.Graph's
// order: each Dense layer's weights [in, out] row-major, then its biases
// [out]; each norm's gain, then its bias), and BatchNorm's running
// statistics in Buffers.
type MLP struct {
	Arch    Arch
	Params  []float32
	Grads   []float32
	Buffers []float32
	// Layers are the Dense layers, in order.
	Layers []*Dense
	// L2 adds L2/2·ΣW² (weights, not biases) to the objective that
	// Backward differentiates.
	L2 float32
	// LabelSmoothing is the training loss's label smoothing ε; evaluation
	// always measures the plain cross-entropy.
	LabelSmoothing float32
	// ClassWeights, if set, weights TrainBatch's loss by the true class
	// (see SoftmaxCrossEntropy); EvalBatch's loss is never weighted.
	ClassWeights []float32

	seq     []layer
	drops   []*Dropout
	tensors []Tensor // the model file's tensors, viewing Params and Buffers
	loss    SoftmaxCrossEntropy
	l2      addScaled
	scale   scaleBy
}

// New returns a network with He-normal weights (standard deviation
// sqrt(2/fan_in); a residual block's second layer sqrt(1/fan_in) over
// the square root of the number of blocks, so the blocks' sum starts
// small) drawn from seed, zero biases, norms' gains 1 and running
// variances 1.
func New(arch Arch, seed uint64) (*MLP, error) {
	m, err := NewZero(arch)
	if err != nil {
		return nil, err
	}
	rng := NewRNG(seed, 0x1417) // 0x1417: the init stream
	second := map[*Dense]bool{}
	for _, l := range m.seq {
		if r, ok := l.(*Residual); ok {
			second[r.Body[len(r.Body)-1].(*Dense)] = true
		}
	}
	blocks := max(1, len(second))
	for _, d := range m.Layers {
		std := math.Sqrt(2 / float64(d.In))
		if second[d] {
			std = math.Sqrt(1/float64(d.In)) / math.Sqrt(float64(blocks))
		}
		for i := range d.W.Data {
			d.W.Data[i] = float32(rng.NormFloat64() * std)
		}
	}
	m.initNorms()
	return m, nil
}

// initNorms sets every norm's gain to 1 and running variance to 1.
func (m *MLP) initNorms() {
	var each func(ls []layer)
	each = func(ls []layer) {
		for _, l := range ls {
			switch v := l.(type) {
			case *LayerNorm:
				fill(v.Gain, 1)
			case *BatchNorm:
				fill(v.Gain, 1)
				fill(v.RunVar, 1)
			case *Residual:
				each(v.Body)
			}
		}
	}
	each(m.seq)
}

func fill(v []float32, x float32) {
	for i := range v {
		v[i] = x
	}
}

// NewZero returns a network of the given architecture with all parameters
// and buffers zero, to be filled from a file.
func NewZero(arch Arch) (*MLP, error) {
	if err := arch.Validate(); err != nil {
		return nil, err
	}
	arch.Hidden = append([]int(nil), arch.Hidden...)
	np, nb := arch.counts()
	m := &MLP{Arch: arch, Params: make([]float32, np), Grads: make([]float32, np), Buffers: make([]float32, nb)}
	po, bo := 0, 0
	take := func(n int) ([]float32, []float32) {
		p, g := m.Params[po:po+n], m.Grads[po:po+n]
		po += n
		return p, g
	}
	view := func(name string, shape []int, data []float32) {
		m.tensors = append(m.tensors, Tensor{Name: name, Shape: shape, Data: data})
	}
	var build func(g []Node) []layer
	build = func(g []Node) []layer {
		var ls []layer
		for _, n := range g {
			switch n.Kind {
			case KindDense:
				p, gr := take(n.In*n.Out + n.Out)
				d := NewDense(n.In, n.Out, p, gr)
				d.InputGrad = len(m.Layers) > 0
				m.Layers = append(m.Layers, d)
				view(n.Name+".weight", []int{n.In, n.Out}, d.W.Data)
				view(n.Name+".bias", []int{n.Out}, d.B)
				ls = append(ls, d)
			case KindLayerNorm:
				p, gr := take(2 * n.In)
				l := NewLayerNorm(n.In, p, gr)
				view(n.Name+".weight", []int{n.In}, l.Gain)
				view(n.Name+".bias", []int{n.In}, l.Bias)
				ls = append(ls, l)
			case KindBatchNorm:
				p, gr := take(2 * n.In)
				b := NewBatchNorm(n.In, p, gr, m.Buffers[bo:bo+2*n.In])
				bo += 2 * n.In
				view(n.Name+".weight", []int{n.In}, b.Gain)
				view(n.Name+".bias", []int{n.In}, b.Bias)
				view(n.Name+".running_mean", []int{n.In}, b.RunMean)
				view(n.Name+".running_var", []int{n.In}, b.RunVar)
				ls = append(ls, b)
			case KindReLU:
				ls = append(ls, &Activation{})
			case KindLeakyReLU:
				ls = append(ls, &Activation{Slope: float32(n.Slope)})
			case KindGELU:
				ls = append(ls, &GELU{})
			case KindDropout:
				d := &Dropout{}
				m.drops = append(m.drops, d)
				ls = append(ls, d)
			case KindResidual:
				ls = append(ls, &Residual{Body: build(n.Body)})
			}
		}
		return ls
	}
	m.seq = build(arch.Graph())
	return m, nil
}

// PlainArch is the ReLU network of the given widths, the inputs first and
// the classes last: the inverse of [Arch.Sizes] for a plain network.
func PlainArch(sizes ...int) Arch {
	return Arch{Inputs: sizes[0], Hidden: sizes[1 : len(sizes)-1], Classes: sizes[len(sizes)-1], Activation: ReLU}
}

// ValidDropout reports whether rate is a dropout probability SetDropout
// takes: in [0, 1).
func ValidDropout(rate float64) bool { return rate >= 0 && rate < 1 }

// SetDropout sets the probability of dropping a hidden unit in training
// (see ValidDropout).
func (m *MLP) SetDropout(rate float64) {
	for _, d := range m.drops {
		d.Rate = float32(rate)
	}
}

// SeedDropout reseeds every dropout layer's generator from the given words
// (layer i adds its index), so that a step's masks depend only on them.
func (m *MLP) SeedDropout(seed ...uint64) {
	var r RNG
	r.Seed(seed...)
	base := r.Uint64()
	for i, d := range m.drops {
		d.Seed(base, uint64(i))
	}
}

// Forward returns the logits for a batch x [batch, inputs]. In training
// mode dropout is applied and BatchNorm uses (and updates) batch
// statistics. The result is owned by m and valid until the next call.
func (m *MLP) Forward(x *Matrix, train bool) *Matrix {
	if x.Cols != m.Arch.Inputs {
		panic(fmt.Sprintf("nn: MLP %s given %d inputs", m.Arch, x.Cols))
	}
	h := x
	for _, l := range m.seq {
		h = l.forward(h, train)
	}
	return h
}

// Backward propagates dL/dlogits through the network of the last
// (training) Forward and sets Grads, including the L2 term.
func (m *MLP) Backward(dlogits *Matrix) {
	g := dlogits
	for i := len(m.seq) - 1; i >= 0; i-- {
		g = m.seq[i].backward(g)
	}
	if m.L2 != 0 {
		for _, d := range m.Layers {
			m.l2 = addScaled{g: d.DW.Data, w: d.W.Data, s: m.L2}
			parallel.For(len(d.W.Data), 1, &m.l2)
		}
	}
}

// TrainBatch runs forward in training mode and backward for a batch with
// labels y, leaving the gradients in Grads. It returns the mean
// cross-entropy (without the L2 term) and the number of correct
// predictions.
func (m *MLP) TrainBatch(x *Matrix, y []int32) (loss float64, correct int) {
	return m.TrainBatchMix(x, y, nil, 1)
}

// TrainBatchMix is TrainBatch for a mixup batch: x blends each sample
// with another, and the target blends their labels, λ·y + (1-λ)·y2 (y2
// nil: plain labels). The loss is the smoothed, blended objective.
func (m *MLP) TrainBatchMix(x *Matrix, y, y2 []int32, lam float32) (loss float64, correct int) {
	z := m.Forward(x, true)
	m.loss.Smoothing = m.LabelSmoothing
	m.loss.Weights = m.ClassWeights
	loss, correct = m.loss.ForwardMix(z, y, y2, lam)
	m.Backward(m.loss.BackwardMix(y, y2, lam))
	return loss, correct
}

// EvalBatch returns the mean cross-entropy (never smoothed) and the
// number of correct predictions for a batch in evaluation mode (no
// dropout).
func (m *MLP) EvalBatch(x *Matrix, y []int32) (loss float64, correct int) {
	m.loss.Smoothing = 0
	m.loss.Weights = nil
	return m.loss.Forward(m.Forward(x, false), y)
}

// DecayWeights multiplies every weight (not the biases) by 1-f: decoupled
// weight decay (Loshchilov & Hutter, AdamW), applied beside the
// optimizer's step with f = lr·decay, whatever the optimizer.
func (m *MLP) DecayWeights(f float32) {
	for _, d := range m.Layers {
		m.scale = scaleBy{v: d.W.Data, s: 1 - f}
		parallel.For(len(d.W.Data), 1, &m.scale)
	}
}

// Probs returns the class probabilities of the last TrainBatch or
// EvalBatch, [batch, classes], owned by m.
func (m *MLP) Probs() *Matrix { return m.loss.Probs() }

// L2Penalty returns L2/2·ΣW² over all weights.
func (m *MLP) L2Penalty() float64 {
	var s float64
	for _, d := range m.Layers {
		for _, w := range d.W.Data {
			s += float64(w) * float64(w)
		}
	}
	return float64(m.L2) / 2 * s
}

// Predict returns the class probabilities for x [batch, inputs], in a new
// matrix.
func (m *MLP) Predict(x *Matrix) *Matrix {
	z := m.Forward(x, false)
	p := NewMatrix(z.Rows, z.Cols)
	Softmax(p, z)
	return p
}

// Argmax returns the index of the largest value.
func Argmax(v []float32) int {
	arg := 0
	for i, x := range v {
		if x > v[arg] {
			arg = i
		}
	}
	return arg
}

// ErrNonFinite reports a NaN or infinite value.
var ErrNonFinite = errors.New("non-finite value")

// CheckFinite returns ErrNonFinite if any value is NaN or infinite.
func CheckFinite(v []float32) error {
	for _, x := range v {
		if x-x != 0 {
			return ErrNonFinite
		}
	}
	return nil
}

// NegativeSlope is the hidden activation's slope for negative inputs: 0
// for ReLU, LeakySlope (DefaultLeakySlope when zero) for leaky ReLU.
func (a Arch) NegativeSlope() float32 { return a.slope() }

// CopyFrom sets m's parameters and buffers to src's, which must have the
// same architecture.
func (m *MLP) CopyFrom(src *MLP) {
	if len(m.Params) != len(src.Params) || len(m.Buffers) != len(src.Buffers) {
		panic(fmt.Sprintf("nn: CopyFrom of %s into %s", src.Arch, m.Arch))
	}
	copy(m.Params, src.Params)
	copy(m.Buffers, src.Buffers)
}
