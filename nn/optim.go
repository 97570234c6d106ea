package nn

import (
	"fmt"
	"math"

	"github.com/mlptui/mlptui/nn/internal/parallel"
	"github.com/mlptui/mlptui/nn/internal/vec"
)

// Optimizer updates parameters from their gradients. It owns its
// per-parameter state (moments, velocities) and its step count, which it
// can hand out and take back for checkpoints.
type Optimizer interface {
	// Name is "adam" or "sgd".
	Name() string
	// Step applies one update: params -= f(grads, state).
	Step(params, grads []float32)
	// LR returns the learning rate of the next step.
	LR() float64
	// SetLR sets the learning rate from the next step on.
	SetLR(lr float64)
	// State returns a copy of the state needed to continue exactly.
	State() OptimizerState
	// SetState restores a state from State; it fails if the state belongs
	// to another optimizer or to parameters of another size.
	SetState(s OptimizerState) error
}

// OptimizerState is an optimizer's step count and per-parameter tensors,
// by name ("m" and "v" for Adam, "velocity" for SGD).
type OptimizerState struct {
	Name    string
	Step    int64
	Tensors map[string][]float32
}

// Adam is the Adam optimizer (Kingma & Ba, 2015) with bias correction
// counted per step t:
//
//	m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
//	p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)
type Adam struct {
	Rate, Beta1, Beta2, Eps float64

	t    int64
	m, v []float32
	job  adamStep
}

// NewAdam returns Adam for n parameters with the given learning rate and
// the usual β1 0.9, β2 0.999, ε 1e-8.
func NewAdam(n int, lr float64) *Adam {
	return &Adam{Rate: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: make([]float32, n), v: make([]float32, n)}
}

// Name returns "adam".
func (a *Adam) Name() string { return "adam" }

// LR returns the learning rate.
func (a *Adam) LR() float64 { return a.Rate }

// SetLR sets the learning rate.
func (a *Adam) SetLR(lr float64) { a.Rate = lr }

// Step applies one Adam update.
func (a *Adam) Step(params, grads []float32) {
	if len(params) != len(a.m) || len(grads) != len(a.m) {
		panic(fmt.Sprintf("nn: Adam for %d parameters given %d and %d", len(a.m), len(params), len(grads)))
	}
	a.t++
	t := float64(a.t)
	bc1 := 1 - math.Pow(a.Beta1, t)
	bc2 := 1 - math.Pow(a.Beta2, t)
	step := float32(a.Rate / bc1)
	invSqrtBC2 := float32(1 / math.Sqrt(bc2))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	a.job = adamStep{p: params, g: grads, m: a.m, v: a.v,
		c: vec.Adam{B1: b1, B2: b2, C1: 1 - b1, C2: 1 - b2, Step: step, ISB2: invSqrtBC2, Eps: float32(a.Eps)}}
	parallel.For(len(params), 1, &a.job)
}

// State returns the step count and copies of m and v.
func (a *Adam) State() OptimizerState {
	return OptimizerState{Name: "adam", Step: a.t, Tensors: map[string][]float32{
		"m": append([]float32(nil), a.m...),
		"v": append([]float32(nil), a.v...),
	}}
}

// SetState restores a state from State.
func (a *Adam) SetState(s OptimizerState) error {
	if err := checkState(s, "adam", len(a.m), "m", "v"); err != nil {
		return err
	}
	a.t = s.Step
	copy(a.m, s.Tensors["m"])
	copy(a.v, s.Tensors["v"])
	return nil
}

// SGD is stochastic gradient descent with optional momentum μ, in
// PyTorch's formulation:
//
//	b = μ·b + g
//	p -= lr · (g + μ·b)  with Nesterov
//	p -= lr · b          without
//
// With μ = 0 it is plain gradient descent.
type SGD struct {
	Rate, Momentum float64
	Nesterov       bool

	t   int64
	vel []float32
	job sgdStep
}

// NewSGD returns SGD for n parameters.
func NewSGD(n int, lr, momentum float64, nesterov bool) *SGD {
	return &SGD{Rate: lr, Momentum: momentum, Nesterov: nesterov, vel: make([]float32, n)}
}

// Name returns "sgd".
func (s *SGD) Name() string { return "sgd" }

// LR returns the learning rate.
func (s *SGD) LR() float64 { return s.Rate }

// SetLR sets the learning rate.
func (s *SGD) SetLR(lr float64) { s.Rate = lr }

// Step applies one SGD update.
func (s *SGD) Step(params, grads []float32) {
	if len(params) != len(s.vel) || len(grads) != len(s.vel) {
		panic(fmt.Sprintf("nn: SGD for %d parameters given %d and %d", len(s.vel), len(params), len(grads)))
	}
	s.t++
	s.job = sgdStep{p: params, g: grads, vel: s.vel, c: vec.SGD{LR: float32(s.Rate), Mu: float32(s.Momentum), Nesterov: s.Nesterov}}
	parallel.For(len(params), 1, &s.job)
}

// State returns the step count and a copy of the velocity.
func (s *SGD) State() OptimizerState {
	return OptimizerState{Name: "sgd", Step: s.t, Tensors: map[string][]float32{
		"velocity": append([]float32(nil), s.vel...),
	}}
}

// SetState restores a state from State.
func (s *SGD) SetState(st OptimizerState) error {
	if err := checkState(st, "sgd", len(s.vel), "velocity"); err != nil {
		return err
	}
	s.t = st.Step
	copy(s.vel, st.Tensors["velocity"])
	return nil
}

func checkState(s OptimizerState, name string, n int, tensors ...string) error {
	if s.Name != name {
		return fmt.Errorf("optimizer state is for %q, not %q", s.Name, name)
	}
	if s.Step < 0 {
		return fmt.Errorf("optimizer state has step %d", s.Step)
	}
	for _, t := range tensors {
		v, ok := s.Tensors[t]
		if !ok {
			return fmt.Errorf("%s state lacks tensor %q", name, t)
		}
		if len(v) != n {
			return fmt.Errorf("%s state tensor %q has %d values, want %d", name, t, len(v), n)
		}
	}
	return nil
}
