package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlptui/mlptui/nn/internal/bf16"
)

// checkBF16 runs one case through SgemmBF16 and compares it with a float64
// product of the bfloat16-rounded inputs (of the inputs as given when a
// dimension is below BF16MinDim). Rounding the inputs is the only
// loss of precision this reference shares; the rest is float32
// accumulation, so each element must be within
//
//	(k+4)·2⁻²³·(Σ_p |ã_ip|·|b̃_pj| + |beta·c_ij|)
//
// of it (ã = bf16(alpha·a), b̃ = bf16(b); or ã = bf16(a), b̃ = bf16(alpha·b)
// when the call is computed transposed, hence two references, either of
// which must hold), and plus 2⁻¹²⁶·k for products flushed to zero as
// denormals.
func checkBF16(t testing.TB, rng *rand.Rand, tc gemmCase) {
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
	clen := max(0, ldc*(tc.m-1)+tc.n)
	c := randSlice(rng, clen)
	if tc.beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	for i := 0; i+1 < tc.m; i++ {
		for j := tc.n; j < ldc; j++ {
			c[i*ldc+j] = 12345
		}
	}
	cOld := append([]float32(nil), c...)
	SgemmBF16(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	r := func(v float32) float64 { return float64(bf16.ToFloat32(bf16.FromFloat32(v))) }
	if !BF16Rounds(tc.m, tc.n, tc.k) {
		r = func(v float32) float64 { return float64(v) } // float32 operands (see SgemmBF16)
	}
	at := func(i, p int) float32 {
		if tc.tA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float32 {
		if tc.tB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	const eps = 1.0 / (1 << 23)
	bad := 0
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc && i*ldc+j < clen; j++ {
			idx := i*ldc + j
			if j >= tc.n {
				if c[idx] != 12345 {
					t.Fatalf("%v: wrote outside C at (%d,%d): %v", tc, i, j, c[idx])
				}
				continue
			}
			ok := false
			var w1, tol1 float64
			for side := 0; side < 2 && !ok; side++ {
				var sum, mag float64
				for p := 0; p < tc.k; p++ {
					x, y := r(tc.alpha*at(i, p)), r(bt(p, j))
					if side == 1 {
						x, y = r(at(i, p)), r(tc.alpha*bt(p, j))
					}
					sum += x * y
					mag += math.Abs(x * y)
				}
				if tc.beta != 0 {
					sum += float64(tc.beta) * float64(cOld[idx])
					mag += math.Abs(float64(tc.beta) * float64(cOld[idx]))
				}
				tol := float64(tc.k+4)*eps*mag + float64(tc.k)*0x1p-126
				got := float64(c[idx])
				ok = !math.IsNaN(got) && math.Abs(got-sum) <= tol
				if side == 0 {
					w1, tol1 = sum, tol
				}
			}
			if !ok {
				bad++
				if bad < 4 {
					t.Errorf("%v: C[%d,%d] = %v, want %v (tol %g)", tc, i, j, c[idx], w1, tol1)
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%v: %d wrong elements (bf16 kernel %v)", tc, bad, BF16())
	}
}

// withBF16 runs f with the bfloat16 kernel on (where the CPU has it) and
// then off (the fallback), with 1 and 2 threads.
func withBF16(t *testing.T, f func()) {
	t.Helper()
	for _, on := range []bool{true, false} {
		for _, nt := range []int{1, 2} {
			prevOn, prevT := SetBF16(on), Threads()
			SetThreads(nt)
			f()
			SetThreads(prevT)
			SetBF16(prevOn)
		}
	}
}

func TestSgemmBF16EdgeSizes(t *testing.T) {
	t.Logf("bfloat16 kernel: %v", BF16())
	rng := rand.New(rand.NewPCG(11, 12))
	withBF16(t, func() {
		for _, m := range []int{1, 7, 12, 13, 33, 45} {
			for _, n := range []int{1, 31, 32, 33, 65} {
				for _, k := range []int{1, 2, 3, 17, 32, 33, 64} {
					checkBF16(t, rng, gemmCase{m: m, n: n, k: k, alpha: 1})
				}
			}
		}
	})
}

func TestSgemmBF16TransposesAlphaBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	withBF16(t, func() {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {3, -2}, {0, 2}} {
					checkBF16(t, rng, gemmCase{tA: tA, tB: tB, m: 29, n: 47, k: 53, alpha: ab[0], beta: ab[1], padA: 3, padB: 1, padC: 2})
					checkBF16(t, rng, gemmCase{tA: tA, tB: tB, m: 70, n: 10, k: 1601, alpha: ab[0], beta: ab[1]})
					checkBF16(t, rng, gemmCase{tA: tA, tB: tB, m: 70, n: 40, k: 1601, alpha: ab[0], beta: ab[1]})
				}
			}
		}
	})
}

// TestSgemmBF16Fallback checks that with the override hook of package
// bf16 (a CPU without avx512_bf16) no bfloat16 kernel is chosen and the
// fallback still gives bfloat16 products.
func TestSgemmBF16Fallback(t *testing.T) {
	prev := bf16.SetSupported(false)
	defer bf16.SetSupported(prev)
	avail := bf16Impls()
	if len(avail) != 0 {
		t.Fatalf("bf16Impls() = %d kernels on a CPU said to lack avx512_bf16", len(avail))
	}
	saved := bf16Available
	bf16Available = avail
	defer func() { bf16Available = saved }()
	if BF16() {
		t.Fatal("BF16() true without a kernel")
	}
	checkBF16(t, rand.New(rand.NewPCG(15, 16)), gemmCase{m: 40, n: 50, k: 60, alpha: 1, beta: 0.5})
}

// TestSgemmBF16SmallIsFloat32 checks the rule for small products: with a
// dimension below BF16MinDim, SgemmBF16 gives Sgemm's float32 result bit
// for bit (kernel on and off), and at BF16MinDim it rounds.
func TestSgemmBF16SmallIsFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, sz := range [][3]int{{1024, 10, 300}, {10, 500, 64}, {300, 200, 10}, {31, 31, 31}, {4000, BF16MinDim - 1, 100}} {
		m, n, k := sz[0], sz[1], sz[2]
		if BF16Rounds(m, n, k) {
			t.Fatalf("BF16Rounds(%d, %d, %d) = true", m, n, k)
		}
		a, b := randSlice(rng, m*k), randSlice(rng, k*n)
		for _, on := range []bool{true, false} {
			prev := SetBF16(on)
			got, want := make([]float32, m*n), make([]float32, m*n)
			SgemmBF16(false, false, m, n, k, 0.5, a, k, b, n, 0, got, n)
			Sgemm(false, false, m, n, k, 0.5, a, k, b, n, 0, want, n)
			SetBF16(prev)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v kernel %v: C[%d] = %v, Sgemm %v", sz, on, i, got[i], want[i])
				}
			}
		}
	}
	if !BF16Rounds(BF16MinDim, BF16MinDim, BF16MinDim) {
		t.Fatal("BF16Rounds false at BF16MinDim")
	}
}

func FuzzSgemmBF16(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint8(9), uint8(0), float32(1), float32(0), uint64(1))
	f.Add(uint8(33), uint8(17), uint8(64), uint8(3), float32(-2), float32(0.5), uint64(2))
	f.Add(uint8(70), uint8(70), uint8(71), uint8(0x85), float32(1), float32(1), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, alpha, beta float32, seed uint64) {
		if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) || math.Abs(float64(alpha)) > 1e6 ||
			math.IsNaN(float64(beta)) || math.IsInf(float64(beta), 0) || math.Abs(float64(beta)) > 1e6 {
			t.Skip()
		}
		prevOn, prevT := SetBF16(flags&0x10 == 0), Threads()
		SetThreads(1 + int(flags>>2)&1)
		defer func() { SetBF16(prevOn); SetThreads(prevT) }()
		rng := rand.New(rand.NewPCG(seed, 7))
		tc := gemmCase{tA: flags&1 != 0, tB: flags&2 != 0, m: int(m) % 100, n: int(n) % 100, k: int(k) % 100,
			alpha: alpha, beta: beta, padA: int(flags>>6) & 1, padB: int(flags>>7) * 2, padC: int(flags>>5) & 1}
		checkBF16(t, rng, tc)
	})
}
