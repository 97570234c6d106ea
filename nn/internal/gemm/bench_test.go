package gemm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product of a training step of the CIFAR-10 network
// 3072-4000-1000-4000-10.
type benchShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

// trainingShapes returns the products of one training step at the given
// batch size: forward Y = X·W (NN), weight gradient dW = Xᵀ·dY (TN) and
// input gradient dX = dY·Wᵀ (NT), for every layer.
func trainingShapes(batch int) []benchShape {
	layers := [][2]int{{3072, 4000}, {4000, 1000}, {1000, 4000}, {4000, 10}}
	var s []benchShape
	for _, l := range layers {
		in, out := l[0], l[1]
		s = append(s,
			benchShape{fmt.Sprintf("fwd_NN_%dx%dx%d", batch, out, in), false, false, batch, out, in},
			benchShape{fmt.Sprintf("dW_TN_%dx%dx%d", in, out, batch), true, false, in, out, batch},
			benchShape{fmt.Sprintf("dX_NT_%dx%dx%d", batch, in, out), false, true, batch, in, out},
		)
	}
	return s
}

func benchOperands(s benchShape) (a []float32, lda int, b []float32, ldb int, c []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b = randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
	lda, ldb = s.k, s.n
	if s.tA {
		lda = s.m
	}
	if s.tB {
		ldb = s.k
	}
	return a, lda, b, ldb, make([]float32, s.m*s.n)
}

func runBench(b *testing.B, s benchShape, f func(a []float32, lda int, bb []float32, ldb int, c []float32)) {
	a, lda, bb, ldb, c := benchOperands(s)
	f(a, lda, bb, ldb, c) // warm up: pack buffers, workers
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f(a, lda, bb, ldb, c)
	}
	b.ReportMetric(GFLOPS(s.m, s.n, s.k, b.Elapsed().Seconds()/float64(b.N)), "GFLOP/s")
}

// BenchmarkSgemm times the training-step products with the current kernel
// (set MLPTUI_KERNEL=avx2 or generic to force another one).
func BenchmarkSgemm(b *testing.B) {
	for _, batch := range []int{256, 1024} {
		for _, s := range trainingShapes(batch) {
			b.Run(s.name, func(b *testing.B) {
				runBench(b, s, func(a []float32, lda int, bb []float32, ldb int, c []float32) {
					Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				})
			})
		}
	}
}

// BenchmarkSgemmBF16 times the batch-1024 training products with bfloat16
// operands (SgemmBF16: the AVX512-BF16 kernel where the CPU has it).
func BenchmarkSgemmBF16(b *testing.B) {
	for _, s := range trainingShapes(1024) {
		b.Run(s.name, func(b *testing.B) {
			runBench(b, s, func(a []float32, lda int, bb []float32, ldb int, c []float32) {
				SgemmBF16(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			})
		})
	}
}

// BenchmarkGonum times gonum's Sgemm on a few of the same shapes.
func BenchmarkGonum(b *testing.B) {
	var impl gonum.Implementation
	for _, s := range trainingShapes(1024) {
		if s.m < 1000 || s.n < 1000 || s.k < 1000 {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			runBench(b, s, func(a []float32, lda int, bb []float32, ldb int, c []float32) {
				impl.Sgemm(tr(s.tA), tr(s.tB), s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			})
		})
	}
}

// BenchmarkKernelPeak runs each micro-kernel on hot packed panels in L1 on
// every core (b.RunParallel): the ceiling for the whole multiply.
func BenchmarkKernelPeak(b *testing.B) {
	impls := map[string]*impl{}
	for _, im := range available {
		impls[im.name] = im
	}
	for _, im := range bf16Available {
		impls[im.name] = im
	}
	for name, im := range variants {
		if _, err := lookup(im.name); err == nil { // AVX-512 shapes only where the CPU has it (else SIGILL)
			impls[name] = im
		}
	}
	names := make([]string, 0, len(impls))
	for name := range impls {
		names = append(names, name)
	}
	sort.Strings(names)
	const kc = 256
	for _, name := range names {
		im := impls[name]
		b.Run(fmt.Sprintf("%s_%dx%d", name, im.mr, im.nr), func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(1, 1))
				a, bp := randSlice(rng, im.mr*kc), randSlice(rng, im.nr*kc)
				c := make([]float32, im.mr*im.nr)
				for pb.Next() {
					for range 100 {
						im.kern(kc, &a[0], &bp[0], &c[0], im.nr, 1, 1)
					}
				}
			})
			steps := kc * 100
			if im.bf16 {
				steps *= 2 // kc counts pairs of k steps
			}
			b.ReportMetric(GFLOPS(im.mr, im.nr, steps, b.Elapsed().Seconds()/float64(b.N)), "GFLOP/s")
		})
	}
}

// BenchmarkVariants times the alternative tile shapes and the bfloat16
// kernel ("bf16", where the CPU has it), with block sizes from
// MLPTUI_BLOCKS=mc,kc,nc if set, on the large training products.
func BenchmarkVariants(b *testing.B) {
	names := []string{"default"}
	if len(bf16Available) > 0 {
		names = append(names, "bf16")
	}
	for name, im := range variants {
		if _, err := lookup(im.name); err == nil { // AVX-512 shapes only where the CPU has it
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		im := current.Load()
		switch name {
		case "default":
		case "bf16":
			im = bf16Available[0]
		default:
			im = variants[name]
		}
		v := *im
		if bs := os.Getenv("MLPTUI_BLOCKS"); bs != "" {
			if _, err := fmt.Sscanf(strings.ReplaceAll(bs, ",", " "), "%d %d %d", &v.mc, &v.kc, &v.nc); err != nil {
				b.Fatal(err)
			}
			v.kc = (v.kc + 7) / 8 * 8
			v.mc = (v.mc + v.mr - 1) / v.mr * v.mr
			v.nc = (v.nc + v.nr - 1) / v.nr * v.nr
		}
		for _, s := range trainingShapes(1024) {
			if s.m < 1000 || s.n < 1000 || s.k < 1000 {
				continue
			}
			b.Run(name+"/"+s.name, func(b *testing.B) {
				runBench(b, s, func(a []float32, lda int, bb []float32, ldb int, c []float32) {
					pr := problem{transA: s.tA, transB: s.tB, m: s.m, n: s.n, k: s.k, alpha: 1,
						a: a, lda: lda, b: bb, ldb: ldb, c: c, ldc: s.n}
					parallel(&v, &pr, Threads())
				})
			})
		}
	}
}

// BenchmarkPackPairs times the bfloat16 packing of one B block (kc = 256
// rows of 384 columns, both layouts, panel widths 12 and 32) from a source
// in cache ("hot": the same block every time) and from memory ("cold": a
// new block of a 64 MB matrix every time), in ns per element packed. The
// difference is what packing costs a large product whose float32 operands
// come from memory.
func BenchmarkPackPairs(b *testing.B) {
	if len(bf16Available) == 0 {
		b.Skip("no bfloat16 kernel on this CPU")
	}
	im := bf16Available[0]
	const ld, xn, kc = 4000, 384, 256 // ld as in the 4000-wide layers (a power of two would alias in cache)
	src := randSlice(rand.New(rand.NewPCG(1, 1)), ld*ld)
	dst := make([]float32, xn*kc)
	for _, trans := range []bool{false, true} {
		for _, w := range []int{im.mr, im.nr} {
			fn := im.pairsB()
			if w == im.mr {
				fn = im.pairsA()
			}
			for _, cold := range []bool{false, true} {
				layout := "copy"
				if trans {
					layout = "trans"
				}
				where := "hot"
				if cold {
					where = "cold"
				}
				b.Run(fmt.Sprintf("%s_w%d_%s", layout, w, where), func(b *testing.B) {
					i := 0
					for b.Loop() {
						x0, p0 := 0, 0
						if cold {
							// Blocks far apart, so none is still in cache.
							i++
							x0, p0 = (i*397)%(ld-xn), (i*641)%(ld-kc)
						}
						packPairs(dst, src, ld, trans, x0, xn, p0, kc, w, fn, 1)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(xn*kc), "ns/element")
				})
			}
		}
	}
}
