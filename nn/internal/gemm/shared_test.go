package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSharedPackSameBits checks the parallel calls that pack one operand
// once for all their parts (sharedPack): C must equal, bit for bit, the
// product computed on one goroutine, which packs everything itself, for
// every kernel this CPU has, float32 and bfloat16, both splits, ragged
// sizes, transposes, alpha and beta.
func TestSharedPackSameBits(t *testing.T) {
	impls := append([]*impl{}, available...)
	impls = append(impls, bf16Available...)
	cases := []gemmCase{
		// Along m, B shared: n small against m.
		{m: 997, n: 300, k: 901, alpha: 1},
		{tA: true, tB: true, m: 1003, n: 290, k: 905, alpha: -0.5, beta: 0.25, padA: 3, padB: 5, padC: 7},
		// Along n, A shared: m small against n.
		{m: 310, n: 1001, k: 903, alpha: 1, beta: 1},
		{tA: true, m: 301, n: 999, k: 899, alpha: 2, padA: 1},
		{tB: true, m: 323, n: 1013, k: 911, alpha: 1, padB: 2},
	}
	for _, im := range impls {
		for _, nt := range []int{2, 3} {
			for _, tc := range cases {
				t.Run(fmt.Sprintf("%s/bf16=%v/nt=%d/%v", im.name, im.bf16, nt, tc), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.n)))
					pr, c := sharedCase(rng, tc)
					parts, alongN := plan(im, pr, nt)
					if parts < 2 || !shareable(pr, alongN, parts) {
						t.Fatalf("not a shared call: %d parts, along n %v", parts, alongN)
					}
					want := append([]float32(nil), c...)
					one := *pr
					one.c = want
					runLocal(im, &one, 0, one.m, 0, one.n)
					parallel(im, pr, nt)
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
							t.Fatalf("C[%d] = %g with %d parts along n %v, %g on one goroutine", i, c[i], parts, alongN, want[i])
						}
					}
				})
			}
		}
	}
}

// sharedCase makes the operands of tc as a problem, C filled with values.
func sharedCase(rng *rand.Rand, tc gemmCase) (*problem, []float32) {
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := ac+tc.padA, bc+tc.padB, tc.n+tc.padC
	c := randSlice(rng, ldc*(tc.m-1)+tc.n)
	return &problem{
		transA: tc.tA, transB: tc.tB, m: tc.m, n: tc.n, k: tc.k, alpha: tc.alpha,
		a: randSlice(rng, lda*(ar-1)+ac), lda: lda,
		b: randSlice(rng, ldb*(br-1)+bc), ldb: ldb,
		beta: tc.beta, c: c, ldc: ldc,
	}, c
}
