package gemm

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"

	par "github.com/mlptui/mlptui/nn/internal/parallel"
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C with BLAS semantics
// (row-major): op(A) is m×k, op(B) is k×n, C is m×n. transA means A is stored
// k×m (lda >= m), else m×k (lda >= k); likewise B (transB: n×k with
// ldb >= k, else k×n with ldb >= n). ldc >= n. beta == 0 means C is not read
// (NaNs in C are overwritten).
//
// Sgemm panics on negative sizes, too small leading dimensions and too short
// slices. It may be called from several goroutines at once.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	dispatch(current.Load(), &problem{
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda,
		b: b, ldb: ldb,
		beta: beta, c: c, ldc: ldc,
	})
}

// dispatch runs pr with im, transposed if that fills the tiles better, on
// one goroutine or several.
func dispatch(im *impl, pr *problem) {
	m, n, k := pr.m, pr.n, pr.k
	if transposeWins(im, m, n) {
		// Compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead: the roles of m and n swap,
		// which fills the register tile better when n is small.
		pr.transA, pr.transB = !pr.transB, !pr.transA
		pr.m, pr.n = n, m
		pr.a, pr.lda, pr.b, pr.ldb = pr.b, pr.ldb, pr.a, pr.lda
		pr.transC = true
	}
	nt := int(threads.Load())
	if nt <= 1 || float64(m)*float64(n)*float64(k) < smallWork {
		runParts(im, pr, 1, false)
		return
	}
	parallel(im, pr, nt)
}

// transposeWins reports whether computing Cᵀ wastes clearly less of the
// register tiles than computing C (for example n = 10 with nr = 32).
func transposeWins(im *impl, m, n int) bool {
	fill := func(x, t int) float64 { return float64(x) / float64((x+t-1)/t*t) }
	return fill(m, im.nr)*fill(n, im.mr) > 1.25*fill(n, im.nr)*fill(m, im.mr)
}

// smallWork is the m*n*k below which a call runs on the calling goroutine.
const smallWork = 64 * 64 * 64

func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 {
		panic("gemm: m < 0")
	}
	if n < 0 {
		panic("gemm: n < 0")
	}
	if k < 0 {
		panic("gemm: k < 0")
	}
	ar, ac := m, k // rows, columns of A as stored
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(1, ac) {
		panic(fmt.Sprintf("gemm: bad lda %d (A is stored %d×%d)", lda, ar, ac))
	}
	if ldb < max(1, bc) {
		panic(fmt.Sprintf("gemm: bad ldb %d (B is stored %d×%d)", ldb, br, bc))
	}
	if ldc < max(1, n) {
		panic(fmt.Sprintf("gemm: bad ldc %d (C is %d×%d)", ldc, m, n))
	}
	if m == 0 || n == 0 {
		return
	}
	if k > 0 && len(a) < lda*(ar-1)+ac {
		panic(fmt.Sprintf("gemm: insufficient length of a: %d < %d", len(a), lda*(ar-1)+ac))
	}
	if k > 0 && len(b) < ldb*(br-1)+bc {
		panic(fmt.Sprintf("gemm: insufficient length of b: %d < %d", len(b), ldb*(br-1)+bc))
	}
	if len(c) < ldc*(m-1)+n {
		panic(fmt.Sprintf("gemm: insufficient length of c: %d < %d", len(c), ldc*(m-1)+n))
	}
}

// scaleC sets C = beta*C (C = 0 if beta == 0, without reading C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// GFLOPS returns the rate of an m×n×k matrix product (2*m*n*k floating-point
// operations) done in the given number of seconds, in GFLOP/s.
func GFLOPS(m, n, k int, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return 2 * float64(m) * float64(n) * float64(k) / seconds / 1e9
}

// Kernel reports the micro-kernel in use: "avx512", "avx2", "neon" or
// "generic".
func Kernel() string { return current.Load().name }

// SetKernel forces a kernel: "avx512", "avx2", "neon" or "generic". It
// returns an error, and changes nothing, if the name is unknown or the CPU
// lacks the instructions.
func SetKernel(name string) error {
	im, err := lookup(name)
	if err != nil {
		return err
	}
	current.Store(im)
	return nil
}

// Kernels lists the kernels this CPU supports, best first.
func Kernels() []string {
	var s []string
	for _, im := range available {
		s = append(s, im.name)
	}
	return s
}

func lookup(name string) (*impl, error) {
	for _, im := range available {
		if im.name == name {
			return im, nil
		}
	}
	switch name {
	case "avx512", "avx2", "neon", "generic":
		return nil, fmt.Errorf("gemm: kernel %q is not supported on this CPU", name)
	}
	return nil, fmt.Errorf("gemm: unknown kernel %q (want avx512, avx2, neon or generic)", name)
}

// SetThreads sets how many goroutines share one call: 1 runs every call on
// the calling goroutine; n <= 0 restores the default, runtime.GOMAXPROCS(0).
func SetThreads(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	threads.Store(int32(min(n, maxThreads)))
}

// Threads reports the number of goroutines that share one call.
func Threads() int { return int(threads.Load()) }

const maxThreads = 256

var (
	current atomic.Pointer[impl]
	threads atomic.Int32
	bf16Off atomic.Bool // SetBF16(false)
	// available lists the supported kernels, best first (set by init).
	available []*impl
)

func init() {
	available = append(asmImpls(), &genericImpl)
	current.Store(available[0])
	if name := os.Getenv("MLPTUI_KERNEL"); name != "" {
		if im, err := lookup(name); err == nil {
			current.Store(im)
		}
	}
	SetThreads(0)
}

// problem is one Sgemm call.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha          float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	beta           float32
	c              []float32
	ldc            int
	transC         bool // C is stored transposed (n×m, see transposeWins)
}

// call is one call: its problem split into parts along m or n, each part
// run by the pool (parallel.Each; one part runs on the caller) with pack
// buffers of its own. Call records are kept with their buffers in a free
// list rather than a sync.Pool, so that the buffers (megabytes) survive
// garbage collections: a warm call allocates nothing.
type call struct {
	im     *impl
	pr     problem
	parts  int
	alongN bool
	bufs   []*buffers // per part
}

// Run computes the parts [lo, hi) of the call.
func (cl *call) Run(lo, hi int) {
	for p := lo; p < hi; p++ {
		i0, i1, j0, j1 := 0, cl.pr.m, 0, cl.pr.n
		if cl.alongN {
			j0, j1 = split(cl.pr.n, cl.im.nr, cl.parts, p)
		} else {
			i0, i1 = split(cl.pr.m, cl.im.mr, cl.parts, p)
		}
		cl.im.run(cl.bufs[p], &cl.pr, i0, i1, j0, j1)
	}
}

// calls is the free list of call records.
var calls = make(chan *call, 8)

// runParts computes pr in parts parts along n (alongN) or m.
func runParts(im *impl, pr *problem, parts int, alongN bool) {
	var cl *call
	select {
	case cl = <-calls:
	default:
		cl = new(call)
	}
	cl.im, cl.pr, cl.parts, cl.alongN = im, *pr, parts, alongN
	for len(cl.bufs) < parts {
		cl.bufs = append(cl.bufs, new(buffers))
	}
	par.Each(parts, cl)
	cl.im, cl.pr = nil, problem{}
	select {
	case calls <- cl:
	default: // more concurrent callers than kept records: let it go
	}
}

// split returns the bounds of part p of q parts of n units of size u
// (the last unit may be partial): [lo, hi).
func split(n, u, q, p int) (lo, hi int) {
	units := (n + u - 1) / u
	lo = (units * p / q) * u
	hi = (units * (p + 1) / q) * u
	return min(lo, n), min(hi, n)
}

// parallel splits the call over nt goroutines along m or n.
func parallel(im *impl, pr *problem, nt int) {
	tm := (pr.m + im.mr - 1) / im.mr // tiles along m
	tn := (pr.n + im.nr - 1) / im.nr // tiles along n
	// Split the dimension that gives the least work to the slowest part:
	// ceil(tiles/parts) tile columns (or rows) times the tiles across, plus
	// (im.packCost) packing its rows of A and columns of B: along m every
	// part packs all of B, along n all of A. On a tie prefer n.
	pm, pn := min(nt, tm), min(nt, tn)
	wm, wn := (tm+pm-1)/pm, (tn+pn-1)/pn // tiles per part
	costM := float64(wm*tn) + im.packCost*float64(wm*im.mr+pr.n)
	costN := float64(tm*wn) + im.packCost*float64(pr.m+wn*im.nr)
	alongN := costN <= costM
	parts := pm
	if alongN {
		parts = pn
	}
	runParts(im, pr, parts, alongN)
}
