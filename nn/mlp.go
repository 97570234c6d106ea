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
)

// DefaultLeakySlope is leaky ReLU's slope for negative inputs when an Arch
// leaves it zero.
const DefaultLeakySlope = 0.01

// MaxUnits bounds any one layer's width, and MaxParams the whole model's
// parameter count (about 4 GiB of float32): larger is a typo, not a plan.
const (
	MaxUnits  = 1 << 20
	MaxParams = 1 << 30
)

// Arch describes an MLP: Inputs values in, a Dense layer and an activation
// (followed by dropout in training) per hidden size, and a Dense layer to
// Classes logits.
type Arch struct {
	Inputs     int     `json:"inputs"`
	Hidden     []int   `json:"hidden"`
	Classes    int     `json:"classes"`
	Activation string  `json:"activation"`
	LeakySlope float64 `json:"leaky_slope,omitempty"`
}

// Sizes returns the layer widths from input to output.
func (a Arch) Sizes() []int {
	s := append([]int{a.Inputs}, a.Hidden...)
	return append(s, a.Classes)
}

// String gives the widths joined by dashes, "4-1000-100-3".
func (a Arch) String() string {
	var b strings.Builder
	for i, s := range a.Sizes() {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(s))
	}
	return b.String()
}

// ParamCount is the number of weights and biases.
func (a Arch) ParamCount() int {
	s := a.Sizes()
	n := 0
	for i := 1; i < len(s); i++ {
		n += s[i-1]*s[i] + s[i]
	}
	return n
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
	case ReLU, LeakyReLU:
	default:
		return fmt.Errorf("activation %q: want %s or %s", a.Activation, ReLU, LeakyReLU)
	}
	if a.LeakySlope < 0 || a.LeakySlope >= 1 || math.IsNaN(a.LeakySlope) {
		return fmt.Errorf("leaky slope %v out of range [0, 1)", a.LeakySlope)
	}
	n := 0
	s := a.Sizes()
	for i := 1; i < len(s); i++ {
		n += s[i-1]*s[i] + s[i]
		if n > MaxParams {
			return fmt.Errorf("%s has over %d parameters", a, MaxParams)
		}
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

// MLP is a multi-layer perceptron whose parameters all live in one buffer,
// Params, with gradients in Grads of the same layout: for each Dense layer
// its weights [in, out] row-major, then its biases [out].
type MLP struct {
	Arch   Arch
	Params []float32
	Grads  []float32
	Layers []*Dense
	// L2 adds L2/2·ΣW² (weights, not biases) to the objective that
	// Backward differentiates.
	L2 float32
	// ClassWeights, if set, weights TrainBatch's loss by the true class
	// (see SoftmaxCrossEntropy); EvalBatch's loss is never weighted.
	ClassWeights []float32

	acts  []*Activation
	drops []*Dropout
	loss  SoftmaxCrossEntropy
	l2    addScaled
}

// New returns an MLP with He-normal weights (standard deviation
// sqrt(2/fan_in)) drawn from seed, and zero biases.
func New(arch Arch, seed uint64) (*MLP, error) {
	m, err := NewZero(arch)
	if err != nil {
		return nil, err
	}
	rng := NewRNG(seed, 0x1417) // 0x1417: the init stream
	for _, d := range m.Layers {
		std := math.Sqrt(2 / float64(d.In))
		for i := range d.W.Data {
			d.W.Data[i] = float32(rng.NormFloat64() * std)
		}
	}
	return m, nil
}

// NewZero returns an MLP of the given architecture with all parameters
// zero, to be filled from a file.
func NewZero(arch Arch) (*MLP, error) {
	if err := arch.Validate(); err != nil {
		return nil, err
	}
	arch.Hidden = append([]int(nil), arch.Hidden...)
	n := arch.ParamCount()
	m := &MLP{Arch: arch, Params: make([]float32, n), Grads: make([]float32, n)}
	s := arch.Sizes()
	off := 0
	for i := 1; i < len(s); i++ {
		sz := s[i-1]*s[i] + s[i]
		d := NewDense(s[i-1], s[i], m.Params[off:off+sz], m.Grads[off:off+sz])
		d.InputGrad = i > 1
		m.Layers = append(m.Layers, d)
		off += sz
		if i < len(s)-1 {
			m.acts = append(m.acts, &Activation{Slope: arch.slope()})
			m.drops = append(m.drops, &Dropout{})
		}
	}
	return m, nil
}

// SetDropout sets the probability of dropping a hidden unit in training.
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
// mode dropout is applied. The result is owned by m and valid until the
// next call.
func (m *MLP) Forward(x *Matrix, train bool) *Matrix {
	if x.Cols != m.Arch.Inputs {
		panic(fmt.Sprintf("nn: MLP %s given %d inputs", m.Arch, x.Cols))
	}
	h := x
	for i, d := range m.Layers {
		h = d.Forward(h)
		if i < len(m.acts) {
			h = m.acts[i].Forward(h)
			h = m.drops[i].Forward(h, train)
		}
	}
	return h
}

// Backward propagates dL/dlogits through the network of the last Forward
// and sets Grads, including the L2 term.
func (m *MLP) Backward(dlogits *Matrix) {
	g := dlogits
	for i := len(m.Layers) - 1; i >= 0; i-- {
		if i < len(m.acts) {
			g = m.drops[i].Backward(g)
			g = m.acts[i].Backward(g)
		}
		g = m.Layers[i].Backward(g)
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
	z := m.Forward(x, true)
	m.loss.Weights = m.ClassWeights
	loss, correct = m.loss.Forward(z, y)
	m.Backward(m.loss.Backward(y))
	return loss, correct
}

// EvalBatch returns the mean cross-entropy and the number of correct
// predictions for a batch in evaluation mode (no dropout).
func (m *MLP) EvalBatch(x *Matrix, y []int32) (loss float64, correct int) {
	m.loss.Weights = nil
	return m.loss.Forward(m.Forward(x, false), y)
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
