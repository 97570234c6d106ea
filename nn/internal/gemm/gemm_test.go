package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var allKernels = []string{"avx512", "avx2", "neon", "generic"}

// withKernel runs f with the named kernel and thread count set, restoring
// the previous settings afterwards. It skips if the CPU lacks the kernel.
func withKernel(t testing.TB, name string, nt int, f func()) {
	t.Helper()
	prevK, prevT := Kernel(), Threads()
	if err := SetKernel(name); err != nil {
		t.Skipf("kernel %s: %v", name, err)
	}
	SetThreads(nt)
	defer func() {
		if err := SetKernel(prevK); err != nil {
			t.Fatal(err)
		}
		SetThreads(prevT)
	}()
	f()
}

func tr(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	padA        int // extra leading-dimension columns
	padB        int
	padC        int
}

func (c gemmCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,m=%d,n=%d,k=%d,alpha=%g,beta=%g,pad=%d/%d/%d",
		c.tA, c.tB, c.m, c.n, c.k, c.alpha, c.beta, c.padA, c.padB, c.padC)
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.Float64()*2 - 1)
	}
	return s
}

// check runs one case through Sgemm and compares it with gonum. The error
// bound for each element is the usual one for a float32 dot product of
// length k: about (k+2)*eps*(|alpha|*sum|a||b| + |beta*c|).
func check(t testing.TB, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(1, ac+tc.padA), max(1, bc+tc.padB), max(1, tc.n+tc.padC)
	a := randSlice(rng, max(0, lda*(ar-1)+ac))
	b := randSlice(rng, max(0, ldb*(br-1)+bc))
	if ar == 0 {
		a = nil
	}
	if br == 0 {
		b = nil
	}
	clen := max(0, ldc*(tc.m-1)+tc.n)
	c := randSlice(rng, clen)
	if tc.beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	want := make([]float32, clen)
	copy(want, c)
	if tc.beta == 0 {
		clear(want) // gonum also ignores C when beta == 0; keep the reference clean
	}
	// Guard values between rows (the ldc padding) must not change.
	for i := 0; i+1 < tc.m; i++ {
		for j := tc.n; j < ldc; j++ {
			c[i*ldc+j] = 12345
			want[i*ldc+j] = 12345
		}
	}
	absA := make([]float32, len(a))
	for i, v := range a {
		absA[i] = float32(math.Abs(float64(v)))
	}
	absB := make([]float32, len(b))
	for i, v := range b {
		absB[i] = float32(math.Abs(float64(v)))
	}
	bound := make([]float32, clen)
	var impl gonum.Implementation
	if tc.m > 0 && tc.n > 0 {
		impl.Sgemm(tr(tc.tA), tr(tc.tB), tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, ldc)
		impl.Sgemm(tr(tc.tA), tr(tc.tB), tc.m, tc.n, tc.k, float32(math.Abs(float64(tc.alpha))), absA, lda, absB, ldb, 0, bound, ldc)
	}
	cOld := make([]float32, clen)
	copy(cOld, c)
	Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	const eps = 1.0 / (1 << 23)
	bad := 0
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc && i*ldc+j < clen; j++ {
			idx := i*ldc + j
			got, w := c[idx], want[idx]
			if j >= tc.n {
				if got != w {
					t.Fatalf("%v: wrote outside C at (%d,%d): %v", tc, i, j, got)
				}
				continue
			}
			mag := float64(bound[idx])
			if tc.beta != 0 {
				mag += math.Abs(float64(tc.beta * cOld[idx]))
			}
			tol := float64(tc.k+4)*eps*mag*2 + 1e-30
			if math.IsNaN(float64(got)) || math.Abs(float64(got-w)) > tol {
				bad++
				if bad < 4 {
					t.Errorf("%v: C[%d,%d] = %v, want %v (tol %g)", tc, i, j, got, w, tol)
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%v: %d wrong elements", tc, bad)
	}
}

var edgeSizes = []int{1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 65, 127}

func TestSgemmEdgeSizes(t *testing.T) {
	for _, kern := range allKernels {
		for _, nt := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", kern, nt), func(t *testing.T) {
				withKernel(t, kern, nt, func() {
					rng := rand.New(rand.NewPCG(1, uint64(nt)))
					// Every size in every dimension at least once, with random partners.
					for _, s := range edgeSizes {
						for dim := 0; dim < 3; dim++ {
							sz := [3]int{edgeSizes[rng.IntN(len(edgeSizes))], edgeSizes[rng.IntN(len(edgeSizes))], edgeSizes[rng.IntN(len(edgeSizes))]}
							sz[dim] = s
							tA, tB := rng.IntN(2) == 1, rng.IntN(2) == 1
							check(t, rng, gemmCase{tA: tA, tB: tB, m: sz[0], n: sz[1], k: sz[2], alpha: 1, beta: 0})
						}
					}
				})
			})
		}
	}
}

func TestSgemmTransposesAlphaBeta(t *testing.T) {
	scalars := []float32{0, 1, -1.5, 0.25}
	for _, kern := range allKernels {
		for _, nt := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", kern, nt), func(t *testing.T) {
				withKernel(t, kern, nt, func() {
					rng := rand.New(rand.NewPCG(2, uint64(nt)))
					for _, tA := range []bool{false, true} {
						for _, tB := range []bool{false, true} {
							for _, alpha := range scalars {
								for _, beta := range scalars {
									// Large enough to take the parallel path.
									tc := gemmCase{tA: tA, tB: tB, alpha: alpha, beta: beta,
										m: 33 + rng.IntN(100), n: 33 + rng.IntN(100), k: 60 + rng.IntN(100),
										padA: rng.IntN(3) * 5, padB: rng.IntN(3) * 3, padC: rng.IntN(3) * 7}
									check(t, rng, tc)
								}
							}
						}
					}
				})
			})
		}
	}
}

func TestSgemmLarge(t *testing.T) {
	shapes := [][3]int{
		{255, 257, 384}, {257, 255, 385}, {1025, 17, 129}, {17, 1025, 129},
		{10, 400, 300}, {400, 10, 300}, {300, 400, 10}, {129, 130, 1025},
	}
	if !testing.Short() {
		shapes = append(shapes, [3]int{1025, 1025, 257}, [3]int{520, 1031, 800}, [3]int{3100, 33, 40})
	}
	for _, kern := range allKernels {
		for _, nt := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", kern, nt), func(t *testing.T) {
				withKernel(t, kern, nt, func() {
					rng := rand.New(rand.NewPCG(3, uint64(nt)))
					for i, s := range shapes {
						check(t, rng, gemmCase{tA: i%2 == 1, tB: i%4 >= 2, m: s[0], n: s[1], k: s[2],
							alpha: 0.5, beta: float32(i % 3), padA: 3, padB: 1, padC: 2})
					}
				})
			})
		}
	}
}

// TestGenericTiles checks both portable kernels, whichever this GOARCH uses.
func TestGenericTiles(t *testing.T) {
	prev := current.Load()
	defer current.Store(prev)
	for _, goarch := range []string{"amd64", "arm64"} {
		im := newGenericImpl(goarch)
		current.Store(&im)
		rng := rand.New(rand.NewPCG(6, 6))
		for i, s := range [][3]int{{1, 1, 1}, {5, 7, 3}, {33, 65, 17}, {70, 30, 300}, {130, 90, 270}} {
			check(t, rng, gemmCase{tA: i%2 == 0, tB: i%3 == 0, m: s[0], n: s[1], k: s[2], alpha: 1.5, beta: 0.5, padC: 1})
		}
	}
}

// TestVariants checks the alternative tile shapes kept for benchmarks.
func TestVariants(t *testing.T) {
	if len(variants) == 0 {
		t.Skip("no assembly variants on this build")
	}
	prev := current.Load()
	defer current.Store(prev)
	for name, im := range variants {
		if _, err := lookup(im.name); err != nil {
			t.Skip(err)
		}
		current.Store(im)
		rng := rand.New(rand.NewPCG(7, 7))
		for i, s := range [][3]int{{1, 1, 1}, {15, 70, 9}, {33, 65, 17}, {70, 30, 300}, {130, 90, 270}} {
			tc := gemmCase{tA: i%2 == 0, tB: i%3 == 0, m: s[0], n: s[1], k: s[2], alpha: 1.5, beta: 0.5, padC: 1}
			t.Run(name, func(t *testing.T) { check(t, rng, tc) })
		}
	}
}

func TestSgemmZeroSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, s := range [][3]int{{0, 5, 5}, {5, 0, 5}, {5, 5, 0}, {0, 0, 0}} {
		for _, beta := range []float32{0, 1, 2} {
			check(t, rng, gemmCase{m: s[0], n: s[1], k: s[2], alpha: 1, beta: beta})
		}
	}
}

func TestSgemmConcurrent(t *testing.T) {
	for _, kern := range allKernels {
		t.Run(kern, func(t *testing.T) {
			withKernel(t, kern, 2, func() {
				var wg sync.WaitGroup
				for g := 0; g < 4; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						rng := rand.New(rand.NewPCG(5, uint64(g)))
						for i := 0; i < 4; i++ {
							check(t, rng, gemmCase{tA: g%2 == 0, tB: i%2 == 0,
								m: 50 + rng.IntN(80), n: 50 + rng.IntN(80), k: 64 + rng.IntN(80), alpha: 1, beta: 0.5})
						}
					}()
				}
				wg.Wait()
			})
		})
	}
}

func TestSgemmAllocs(t *testing.T) {
	for _, kern := range allKernels {
		for _, nt := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", kern, nt), func(t *testing.T) {
				withKernel(t, kern, nt, func() {
					for _, s := range [][3]int{{20, 20, 20}, {200, 300, 150}} {
						m, n, k := s[0], s[1], s[2]
						a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
						f := func() { Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }
						f()
						if allocs := testing.AllocsPerRun(20, f); allocs != 0 {
							t.Errorf("%v: %v allocations per call", s, allocs)
						}
					}
				})
			})
		}
	}
}

func expectPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want %q", want)
		}
		if s := fmt.Sprint(r); !strings.Contains(s, want) {
			t.Fatalf("panic %q, want %q", s, want)
		}
	}()
	f()
}

func TestSgemmPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 9)
	expectPanic(t, "m < 0", func() { Sgemm(false, false, -1, 3, 4, 1, a, 4, b, 3, 0, c, 3) })
	expectPanic(t, "n < 0", func() { Sgemm(false, false, 3, -1, 4, 1, a, 4, b, 3, 0, c, 3) })
	expectPanic(t, "k < 0", func() { Sgemm(false, false, 3, 3, -4, 1, a, 4, b, 3, 0, c, 3) })
	expectPanic(t, "bad lda", func() { Sgemm(false, false, 3, 3, 4, 1, a, 3, b, 3, 0, c, 3) })
	expectPanic(t, "bad lda", func() { Sgemm(true, false, 3, 3, 4, 1, a, 2, b, 3, 0, c, 3) })
	expectPanic(t, "bad ldb", func() { Sgemm(false, true, 3, 3, 4, 1, a, 4, b, 3, 0, c, 3) })
	expectPanic(t, "bad ldc", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c, 2) })
	expectPanic(t, "length of a", func() { Sgemm(false, false, 3, 3, 4, 1, a[:11], 4, b, 3, 0, c, 3) })
	expectPanic(t, "length of b", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b[:11], 3, 0, c, 3) })
	expectPanic(t, "length of c", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c[:8], 3) })
}

func TestSetKernel(t *testing.T) {
	if err := SetKernel("nope"); err == nil || !strings.Contains(err.Error(), "unknown kernel") {
		t.Errorf("SetKernel(nope) = %v, want unknown-kernel error", err)
	}
	avail := Kernels()
	if len(avail) == 0 || avail[len(avail)-1] != "generic" {
		t.Fatalf("Kernels() = %v, want generic last", avail)
	}
	for _, name := range allKernels {
		supported := false
		for _, a := range avail {
			supported = supported || a == name
		}
		prev := Kernel()
		err := SetKernel(name)
		if supported != (err == nil) {
			t.Errorf("SetKernel(%q) = %v, supported = %v", name, err, supported)
		}
		if err == nil && Kernel() != name {
			t.Errorf("after SetKernel(%q), Kernel() = %q", name, Kernel())
		}
		if err != nil && Kernel() != prev {
			t.Errorf("failed SetKernel(%q) changed the kernel to %q", name, Kernel())
		}
		_ = SetKernel(prev)
	}
}

func TestGFLOPS(t *testing.T) {
	if got := GFLOPS(1000, 1000, 1000, 0.5); math.Abs(got-4) > 1e-12 {
		t.Errorf("GFLOPS(1000,1000,1000,0.5) = %v, want 4", got)
	}
	if got := GFLOPS(1, 1, 1, 0); got != 0 {
		t.Errorf("GFLOPS with 0 s = %v, want 0", got)
	}
}

func FuzzSgemm(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint8(9), uint8(0), float32(1), float32(0), uint64(1))
	f.Add(uint8(33), uint8(17), uint8(64), uint8(3), float32(-2), float32(0.5), uint64(2))
	f.Add(uint8(70), uint8(70), uint8(70), uint8(1), float32(1), float32(1), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, alpha, beta float32, seed uint64) {
		if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) || math.Abs(float64(alpha)) > 1e6 ||
			math.IsNaN(float64(beta)) || math.IsInf(float64(beta), 0) || math.Abs(float64(beta)) > 1e6 {
			t.Skip()
		}
		kern := allKernels[int(flags>>4)%len(allKernels)]
		nt := 1 + int(flags>>2)&1
		rng := rand.New(rand.NewPCG(seed, 7))
		tc := gemmCase{tA: flags&1 != 0, tB: flags&2 != 0, m: int(m) % 100, n: int(n) % 100, k: int(k) % 100,
			alpha: alpha, beta: beta, padA: int(flags>>6) & 1, padB: int(flags>>7) * 2, padC: int(flags>>5) & 1}
		withKernel(t, kern, nt, func() { check(t, rng, tc) })
	})
}
