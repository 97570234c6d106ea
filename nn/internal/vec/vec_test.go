package vec

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unsafe"
)

// adamCase makes parameters, gradients and moments of length n, with
// gradients of every sign and scale, zeros and tiny values among them.
func adamCase(n int, seed uint64) (p, g, m, v []float32) {
	rng := rand.New(rand.NewPCG(seed, 7))
	p, g, m, v = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range n {
		p[i] = float32(rng.NormFloat64())
		g[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-8)))
		if rng.IntN(10) == 0 {
			g[i] = 0
		}
		m[i] = float32(rng.NormFloat64() * 1e-3)
		v[i] = float32(rng.Float64() * 1e-4)
	}
	return
}

func testAdam() *Adam {
	t := 7.0
	b1, b2 := 0.9, 0.999
	return &Adam{B1: float32(b1), B2: float32(b2), C1: float32(1 - b1), C2: float32(1 - b2),
		Step: float32(1e-3 / (1 - math.Pow(b1, t))), ISB2: float32(1 / math.Sqrt(1-math.Pow(b2, t))), Eps: 1e-8}
}

// TestAdamKernelsBitIdentical: every kernel this CPU has gives exactly the
// bits of the portable code, for lengths around the vector widths and
// slices that do not start on a vector boundary, over several steps.
func TestAdamKernelsBitIdentical(t *testing.T) {
	defer SetKernel(Kernel())
	a := testAdam()
	for _, name := range Kernels() {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1000, 1025, 4099} {
			for _, off := range []int{0, 1, 3} {
				p0, g, m0, v0 := adamCase(n+off, uint64(n))
				want := [3][]float32{clone(p0[off:]), clone(m0[off:]), clone(v0[off:])}
				for range 3 {
					a.generic(want[0], g[off:], want[1], want[2])
				}
				if err := SetKernel(name); err != nil {
					t.Fatal(err)
				}
				p, m, v := p0[off:], m0[off:], v0[off:]
				for range 3 {
					a.Update(p, g[off:], m, v)
				}
				for k, got := range [3][]float32{p, m, v} {
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[k][i]) {
							t.Fatalf("%s n=%d off=%d: %s[%d] = %v, want %v", name, n, off, "pmv"[k:k+1], i, got[i], want[k][i])
						}
					}
				}
			}
		}
	}
}

// TestSGDKernelsBitIdentical: as for Adam, for SGD without momentum, with
// it and with Nesterov's.
func TestSGDKernelsBitIdentical(t *testing.T) {
	defer SetKernel(Kernel())
	for _, s := range []SGD{{LR: 0.01}, {LR: 0.01, Mu: 0.9}, {LR: 0.3, Mu: 0.95, Nesterov: true}} {
		for _, name := range Kernels() {
			for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 33, 1025, 4099} {
				for _, off := range []int{0, 1} {
					p0, g, vel0, _ := adamCase(n+off, uint64(n)+9)
					want := [2][]float32{clone(p0[off:]), clone(vel0[off:])}
					for range 3 {
						s.generic(want[0], g[off:], want[1])
					}
					if err := SetKernel(name); err != nil {
						t.Fatal(err)
					}
					p, vel := p0[off:], vel0[off:]
					for range 3 {
						s.Update(p, g[off:], vel)
					}
					for k, got := range [2][]float32{p, vel} {
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[k][i]) {
								t.Fatalf("%+v %s n=%d off=%d: %s[%d] = %v, want %v", s, name, n, off, []string{"p", "vel"}[k], i, got[i], want[k][i])
							}
						}
					}
				}
			}
		}
	}
}

// TestSGDHandComputed checks one step of each SGD form against the
// formulas in float64.
func TestSGDHandComputed(t *testing.T) {
	for _, s := range []SGD{{LR: 0.01}, {LR: 0.01, Mu: 0.9}, {LR: 0.3, Mu: 0.95, Nesterov: true}} {
		p, g, vel, _ := adamCase(50, 4)
		p0, vel0 := clone(p), clone(vel)
		s.Update(p, g, vel)
		for i := range p {
			lr, mu, gi := float64(s.LR), float64(s.Mu), float64(g[i])
			b := mu*float64(vel0[i]) + gi
			step := b
			switch {
			case s.Mu == 0:
				step, b = gi, float64(vel0[i]) // velocity untouched
			case s.Nesterov:
				step = gi + mu*b
			}
			want := float64(p0[i]) - lr*step
			if !near(float64(p[i]), want, math.Abs(float64(p0[i]))+math.Abs(lr*step)+math.Abs(lr*mu*b)) ||
				!near(float64(vel[i]), b, math.Abs(mu*float64(vel0[i]))+math.Abs(gi)) {
				t.Fatalf("%+v [%d]: p %v vel %v, want %v %v", s, i, p[i], vel[i], want, b)
			}
		}
	}
}

// TestAdamHandComputed checks the portable code against the formula
// evaluated in float64 (so the formula, not just agreement, is tested).
func TestAdamHandComputed(t *testing.T) {
	a := testAdam()
	p, g, m, v := adamCase(100, 3)
	p0, m0, v0 := clone(p), clone(m), clone(v)
	a.Update(p, g, m, v)
	for i := range p {
		// Each value is compared with float64 arithmetic to within a few
		// float32 roundings of the size of its terms.
		bm, cg := float64(a.B1)*float64(m0[i]), float64(a.C1)*float64(g[i])
		bv, cgg := float64(a.B2)*float64(v0[i]), float64(a.C2)*float64(g[i])*float64(g[i])
		mi, vi := bm+cg, bv+cgg
		upd := float64(a.Step) * mi / (math.Sqrt(vi)*float64(a.ISB2) + float64(a.Eps))
		pi := float64(p0[i]) - upd
		if !near(float64(m[i]), mi, math.Abs(bm)+math.Abs(cg)) || !near(float64(v[i]), vi, bv+cgg) ||
			!near(float64(p[i]), pi, math.Abs(float64(p0[i]))+math.Abs(upd)) {
			t.Fatalf("[%d]: p %v m %v v %v, want %v %v %v", i, p[i], m[i], v[i], pi, mi, vi)
		}
	}
}

// near reports whether got is within 4 float32 roundings of scale of want.
func near(got, want, scale float64) bool {
	return math.Abs(got-want) <= 4*0x1p-24*scale
}

// TestAssemblyIsGenerated: kernels_amd64.s and kernels_arm64.s are what go
// generate writes.
func TestAssemblyIsGenerated(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator")
	}
	for _, arch := range []string{"amd64", "arm64"} {
		out := filepath.Join(t.TempDir(), "k.s")
		if b, err := exec.Command(goCmd, "run", "./internal/asmgen", "-arch", arch, "-out", out).CombinedOutput(); err != nil {
			t.Fatalf("generator: %v\n%s", err, b)
		}
		want, _ := os.ReadFile(out)
		file := "kernels_" + arch + ".s"
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output (%v): run go generate ./nn/internal/vec", file, err)
		}
	}
}

// TestFieldOffsets: the assembly reads the constants at these offsets.
func TestFieldOffsets(t *testing.T) {
	var a Adam
	for i, off := range []uintptr{unsafe.Offsetof(a.B1), unsafe.Offsetof(a.B2), unsafe.Offsetof(a.C1),
		unsafe.Offsetof(a.C2), unsafe.Offsetof(a.Step), unsafe.Offsetof(a.ISB2), unsafe.Offsetof(a.Eps)} {
		if off != uintptr(4*i) {
			t.Errorf("Adam field %d at offset %d, the assembly reads %d", i, off, 4*i)
		}
	}
	var s SGD
	if unsafe.Offsetof(s.LR) != 0 || unsafe.Offsetof(s.Mu) != 4 {
		t.Errorf("SGD LR at %d and Mu at %d, the assembly reads 0 and 4", unsafe.Offsetof(s.LR), unsafe.Offsetof(s.Mu))
	}
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// BenchmarkSGD updates the cifar10 preset's parameters with Nesterov
// momentum on one goroutine, with each kernel.
func BenchmarkSGD(b *testing.B) {
	defer SetKernel(Kernel())
	p, g, vel, _ := adamCase(8921610, 1)
	s := SGD{LR: 1e-3, Mu: 0.9, Nesterov: true}
	for _, name := range Kernels() {
		b.Run(name, func(b *testing.B) {
			SetKernel(name)
			b.SetBytes(int64(len(p)) * 20) // read p, g, vel; write p, vel
			for range b.N {
				s.Update(p, g, vel)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p)), "ns/param")
		})
	}
}

// BenchmarkAdam updates the 8.9 million parameters of the cifar10 preset's
// network on one goroutine, with each kernel.
func BenchmarkAdam(b *testing.B) {
	defer SetKernel(Kernel())
	p, g, m, v := adamCase(8921610, 1)
	a := testAdam()
	for _, name := range Kernels() {
		b.Run(name, func(b *testing.B) {
			SetKernel(name)
			b.SetBytes(int64(len(p)) * 28) // read p, g, m, v; write p, m, v
			for range b.N {
				a.Update(p, g, m, v)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p)), "ns/param")
		})
	}
}

func ExampleAdam_Update() {
	p, g := []float32{1, 1}, []float32{0.5, -0.5}
	m, v := make([]float32, 2), make([]float32, 2)
	// The first step of Adam with lr 0.1: bias corrections 1-0.9 and 1-0.999.
	const lr, c1, c2 = 0.1, 1 - 0.9, 1 - 0.999
	a := Adam{B1: 0.9, B2: 0.999, C1: c1, C2: c2, Step: lr / c1, ISB2: float32(1 / math.Sqrt(c2)), Eps: 1e-8}
	a.Update(p, g, m, v)
	fmt.Printf("%.4f %.4f\n", p[0], p[1])
	// Output: 0.9000 1.1000
}
