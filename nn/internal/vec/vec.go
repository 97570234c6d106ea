// Package vec holds the element-wise kernels of a training step that are
// worth writing by hand for the vector units: the optimizers' updates,
// which touch every parameter every step, and GELU. In scalar Go the Adam
// update (a square root and a division per parameter) took a fifth of a
// CIFAR-10 step, and GELU (two exponentials and a division per unit) a
// fifth of a residual network's.
//
// Every path does the same operations in the same order, each rounded to
// float32, with no fused multiply-add: the AVX-512, AVX2 and portable
// paths give bit-identical results, so a run does not depend on which one
// a machine has. The kernel is chosen at start-up from the CPU's features
// with golang.org/x/sys/cpu, as the matrix multiply's is (NEON on every
// arm64 CPU), and MLPTUI_KERNEL=avx512|avx2|neon|generic forces one for
// both.
//
// The assembly is generated from one template per update:
//
//	go generate ./nn/internal/vec
package vec

//go:generate go run ./internal/asmgen -out kernels_amd64.s
//go:generate go run ./internal/asmgen -arch arm64 -out kernels_arm64.s

import (
	"fmt"
	"math"
	"os"
	"sync/atomic"
)

// Adam holds the per-step constants of an Adam update (see [Adam.Update]).
// The assembly reads the fields by offset: keep their order.
type Adam struct {
	B1, B2 float32 // the moment decays, beta1 and beta2
	C1, C2 float32 // 1 - B1 and 1 - B2
	Step   float32 // the learning rate over the first moment's bias correction
	ISB2   float32 // 1 / sqrt(the second moment's bias correction)
	Eps    float32 // added to the root of the second moment
}

// Update applies one Adam step to the parameters p with gradients g and
// moments m and v, all of one length:
//
//	m = B1·m + C1·g
//	v = B2·v + C2·g·g
//	p = p - Step·m / (sqrt(v)·ISB2 + Eps)
func (a *Adam) Update(p, g, m, v []float32) {
	n := len(p)
	if len(g) != n || len(m) != n || len(v) != n {
		panic(fmt.Sprintf("vec: Adam.Update of %d parameters given %d gradients and %d, %d moments", n, len(g), len(m), len(v)))
	}
	done := 0
	if k := current.Load(); k.adam != nil && n >= k.width {
		done = n / k.width * k.width
		k.adam(&p[0], &g[0], &m[0], &v[0], done, a)
	}
	a.generic(p[done:], g[done:], m[done:], v[done:])
}

// generic is the portable Update. The float32 conversions round every
// product, so that no compiler fuses a multiply and an add (the Go spec
// allows it without them) and every path computes the same bits.
func (a *Adam) generic(p, g, m, v []float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		mi := float32(a.B1*m[i]) + float32(a.C1*gi)
		vi := float32(a.B2*v[i]) + float32(float32(a.C2*gi)*gi)
		m[i], v[i] = mi, vi
		d := float32(float32(math.Sqrt(float64(vi)))*a.ISB2) + a.Eps
		p[i] -= float32(a.Step*mi) / d
	}
}

// SGD holds the constants of an SGD update (see [SGD.Update]). The
// assembly reads LR and Mu by offset: keep them first.
type SGD struct {
	LR       float32 // the learning rate
	Mu       float32 // the momentum; 0 for none
	Nesterov bool    // Nesterov's momentum
}

// Update applies one SGD step to the parameters p with gradients g and,
// with momentum, velocities vel (unused without; all of one length):
//
//	vel = Mu·vel + g
//	p = p - LR·vel               (with momentum)
//	p = p - LR·(g + Mu·vel)      (Nesterov)
//	p = p - LR·g                 (Mu = 0)
func (s *SGD) Update(p, g, vel []float32) {
	n := len(p)
	if len(g) != n || s.Mu != 0 && len(vel) != n {
		panic(fmt.Sprintf("vec: SGD.Update of %d parameters given %d gradients and %d velocities", n, len(g), len(vel)))
	}
	done := 0
	if k := current.Load(); k.sgd != nil && n >= k.width {
		done = n / k.width * k.width
		switch {
		case s.Mu == 0:
			k.sgd(&p[0], &g[0], done, s)
		case s.Nesterov:
			k.nesterov(&p[0], &g[0], &vel[0], done, s)
		default:
			k.momentum(&p[0], &g[0], &vel[0], done, s)
		}
	}
	if s.Mu == 0 {
		s.generic(p[done:], g[done:], nil)
	} else {
		s.generic(p[done:], g[done:], vel[done:])
	}
}

// generic is the portable Update, rounding as Adam.generic does.
func (s *SGD) generic(p, g, vel []float32) {
	g = g[:len(p)]
	if s.Mu == 0 {
		for i, gi := range g {
			p[i] -= float32(s.LR * gi)
		}
		return
	}
	vel = vel[:len(p)]
	for i, gi := range g {
		b := float32(s.Mu*vel[i]) + gi
		vel[i] = b
		if s.Nesterov {
			p[i] -= float32(s.LR * (gi + float32(s.Mu*b)))
		} else {
			p[i] -= float32(s.LR * b)
		}
	}
}

// kernel is one set of vector kernels. Each updates n elements, a
// multiple of width; the rest is done by the portable code.
type kernel struct {
	name     string
	width    int
	adam     func(p, grad, m, v *float32, n int, a *Adam)
	sgd      func(p, grad *float32, n int, s *SGD)
	momentum func(p, grad, vel *float32, n int, s *SGD)
	nesterov func(p, grad, vel *float32, n int, s *SGD)
	gelu     func(y, d, x *float32, n int, c *[32]float32) // nil: the portable GELU
}

var (
	current   atomic.Pointer[kernel]
	available []*kernel // best first
)

func init() {
	available = append(asmKernels(), &kernel{name: "generic", width: 1})
	current.Store(available[0])
	if name := os.Getenv("MLPTUI_KERNEL"); name != "" {
		SetKernel(name) // an unknown name is reported by the matrix multiply's SetKernel
	}
}

// Kernel reports the kernels in use: "avx512", "avx2", "neon" or
// "generic".
func Kernel() string { return current.Load().name }

// SetKernel forces the kernels: "avx512", "avx2", "neon" or "generic". It
// returns an error, and changes nothing, if the name is unknown or the CPU
// lacks the instructions.
func SetKernel(name string) error {
	for _, k := range available {
		if k.name == name {
			current.Store(k)
			return nil
		}
	}
	switch name {
	case "avx512", "avx2", "neon", "generic":
		return fmt.Errorf("vec: kernel %q is not supported on this CPU", name)
	}
	return fmt.Errorf("vec: unknown kernel %q (want avx512, avx2, neon or generic)", name)
}

// Kernels lists the kernels this CPU supports, best first.
func Kernels() []string {
	var s []string
	for _, k := range available {
		s = append(s, k.name)
	}
	return s
}
