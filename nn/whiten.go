package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/mlptui/mlptui/nn/internal/gemm"
)

// Whitening in a model file: the metadata entry WhiteningKey holds JSON
// {"version": 1, "method": "zca", "epsilon": ε, "features": n}, and two
// tensors hold the map itself:
//
//	whiten.mean    [n]     the training part's mean of the standardized input
//	whiten.matrix  [n, n]  row-major, x' = (x - whiten.mean)·whiten.matrix
//
// where x is the input after the per-channel normalization, flattened
// channel-major (all red values, then green, then blue for an image) as
// the network takes it. For ZCA the matrix is symmetric:
// U·diag(1/sqrt(λ + ε))·Uᵀ from the eigendecomposition U·diag(λ)·Uᵀ of the
// covariance of x over the training part. A model with it is written as
// format version 2.
const (
	WhiteningKey     = "whitening"
	WhiteningVersion = 1
	// WhitenZCA names regularized ZCA whitening.
	WhitenZCA = "zca"
	// Tensor names of the whitening map.
	WhitenMeanTensor   = "whiten.mean"
	WhitenMatrixTensor = "whiten.matrix"
)

// Whitening is a linear map applied to a standardized input before the
// network: x' = (x - Mean)·Matrix, with Matrix Features×Features.
type Whitening struct {
	Method  string  // WhitenZCA
	Epsilon float64 // the regularization added to every eigenvalue
	Mean    []float32
	Matrix  []float32

	pool sync.Pool // *Matrix scratch of Apply
}

// whiteningMeta is the metadata entry's JSON.
type whiteningMeta struct {
	Version  int     `json:"version"`
	Method   string  `json:"method"`
	Epsilon  float64 `json:"epsilon"`
	Features int     `json:"features"`
}

// Features is the input width the map takes and gives.
func (w *Whitening) Features() int { return len(w.Mean) }

// Validate checks that w is a map of n features with finite values.
func (w *Whitening) Validate(n int) error {
	switch {
	case w.Method != WhitenZCA:
		return fmt.Errorf("whitening method %q (want %s)", w.Method, WhitenZCA)
	case !(w.Epsilon > 0) || math.IsInf(w.Epsilon, 0):
		return fmt.Errorf("whitening epsilon %v; want a finite number > 0", w.Epsilon)
	case len(w.Mean) != n || len(w.Matrix) != n*n:
		return fmt.Errorf("whitening of %d means and %d matrix values for %d inputs", len(w.Mean), len(w.Matrix), n)
	case CheckFinite(w.Mean) != nil || CheckFinite(w.Matrix) != nil:
		return fmt.Errorf("whitening holds NaN or infinite values")
	}
	return nil
}

// Apply whitens the rows of x in place, with products in the precision
// SetPrecision set (as the network's), so that a run trained in bf16
// pays the bf16 price for it too. It is safe for concurrent use.
func (w *Whitening) Apply(x *Matrix) {
	n := w.Features()
	if x.Cols != n {
		panic(fmt.Sprintf("nn: Whitening.Apply: %d columns, the map takes %d", x.Cols, n))
	}
	if x.Rows == 0 {
		return
	}
	for i := range x.Rows {
		r := x.Row(i)
		for j, m := range w.Mean {
			r[j] -= m
		}
	}
	tmp, _ := w.pool.Get().(*Matrix)
	if tmp == nil {
		tmp = &Matrix{}
	}
	tmp.Resize(x.Rows, n)
	sgemm(false, false, x.Rows, n, n, 1, x.Data, n, w.Matrix, n, 0, tmp.Data, n)
	copy(x.Data, tmp.Data)
	w.pool.Put(tmp)
}

// tensors returns the map's tensors for a model file.
func (w *Whitening) tensors() []Tensor {
	n := w.Features()
	return []Tensor{
		{Name: WhitenMeanTensor, Shape: []int{n}, Data: w.Mean},
		{Name: WhitenMatrixTensor, Shape: []int{n, n}, Data: w.Matrix},
	}
}

// metadata returns the metadata entry's value.
func (w *Whitening) metadata() string {
	return mustJSON(whiteningMeta{Version: WhiteningVersion, Method: w.Method, Epsilon: w.Epsilon, Features: w.Features()})
}

// whiteningFrom reads the map of a model file of inputs features from its
// metadata entry s and its tensors.
func whiteningFrom(s string, ts map[string]Tensor, inputs int) (*Whitening, error) {
	var meta whiteningMeta
	if err := json.Unmarshal([]byte(s), &meta); err != nil {
		return nil, fmt.Errorf("metadata %q: %v", WhiteningKey, err)
	}
	if meta.Version != WhiteningVersion {
		return nil, fmt.Errorf("metadata %q: version %d, this mlptui reads %d", WhiteningKey, meta.Version, WhiteningVersion)
	}
	if meta.Features != inputs {
		return nil, fmt.Errorf("metadata %q: %d features, the network takes %d", WhiteningKey, meta.Features, inputs)
	}
	w := &Whitening{Method: meta.Method, Epsilon: meta.Epsilon}
	for _, want := range []struct {
		name  string
		shape []int
		dst   *[]float32
	}{{WhitenMeanTensor, []int{inputs}, &w.Mean}, {WhitenMatrixTensor, []int{inputs, inputs}, &w.Matrix}} {
		t, ok := ts[want.name]
		if !ok {
			return nil, fmt.Errorf("metadata %q needs tensor %q, which is missing", WhiteningKey, want.name)
		}
		if len(t.Shape) != len(want.shape) || shapeSize(t.Shape) != shapeSize(want.shape) || t.Shape[0] != inputs || len(t.Data) != shapeSize(want.shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %v", want.name, t.Shape, want.shape)
		}
		*want.dst = append([]float32(nil), t.Data...)
	}
	if err := w.Validate(inputs); err != nil {
		return nil, err
	}
	return w, nil
}

// ZCAFit accumulates the mean and covariance of rows of n features, for
// FitZCA's Whitening. Its products are float32 with float64 sums across
// calls.
type ZCAFit struct {
	n     int
	count int
	sum   []float64
	gram  []float64
	tmp   Matrix
}

// NewZCAFit returns an empty fit of n features.
func NewZCAFit(n int) *ZCAFit {
	return &ZCAFit{n: n, sum: make([]float64, n), gram: make([]float64, n*n)}
}

// Add takes the rows of x (n columns) into the fit.
func (f *ZCAFit) Add(x *Matrix) {
	if x.Cols != f.n {
		panic(fmt.Sprintf("nn: ZCAFit.Add: %d columns, the fit has %d", x.Cols, f.n))
	}
	if x.Rows == 0 {
		return
	}
	f.count += x.Rows
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			f.sum[j] += float64(v)
		}
	}
	f.tmp.Resize(f.n, f.n)
	gemm.Sgemm(true, false, f.n, f.n, x.Rows, 1, x.Data, f.n, x.Data, f.n, 0, f.tmp.Data, f.n)
	for i, v := range f.tmp.Data {
		f.gram[i] += float64(v)
	}
}

// Whitening returns the regularized ZCA map of the rows added:
// x' = (x - μ)·(C + epsilon·I)^(-1/2), with C the (biased) covariance of
// the rows. In C's eigenbasis, C = U·diag(λ)·Uᵀ, the map is
// U·diag(1/sqrt(λ + epsilon))·Uᵀ, so that the covariance of the mapped
// rows is U·diag(λ/(λ + epsilon))·Uᵀ: the identity in the directions of
// variance well above epsilon. The inverse square root is computed by the
// coupled Newton-Schulz iteration on float32 products (see invSqrt),
// about 20 products of n×n matrices instead of an eigendecomposition
// (gonum's EigenSym took minutes at n = 3072). The fit is freed.
func (f *ZCAFit) Whitening(epsilon float64) (*Whitening, error) {
	n := f.n
	if f.count < 2 {
		return nil, fmt.Errorf("ZCA whitening needs at least 2 samples, has %d", f.count)
	}
	if !(epsilon > 0) || math.IsInf(epsilon, 0) {
		return nil, fmt.Errorf("ZCA epsilon %v; want a finite number > 0", epsilon)
	}
	cnt := float64(f.count)
	mean := make([]float32, n)
	mu := make([]float64, n)
	for j, s := range f.sum {
		mu[j] = s / cnt
		mean[j] = float32(mu[j])
	}
	a := make([]float64, n*n) // C + εI
	for i := range n {
		for j := range n {
			a[i*n+j] = (f.gram[i*n+j]+f.gram[j*n+i])/(2*cnt) - mu[i]*mu[j]
		}
		a[i*n+i] += epsilon
	}
	f.gram, f.tmp = nil, Matrix{}
	m, err := invSqrt(a, n)
	if err != nil {
		return nil, fmt.Errorf("ZCA whitening: %w", err)
	}
	w := &Whitening{Method: WhitenZCA, Epsilon: epsilon, Mean: mean, Matrix: m}
	if err := w.Validate(n); err != nil {
		return nil, err
	}
	return w, nil
}

// invSqrt returns A^(-1/2) of a symmetric positive definite n×n matrix a
// (row-major, float64) as float32, by the coupled Newton-Schulz iteration
// (Higham, Functions of Matrices, 2008, eq. 6.35, stable):
// with A scaled by its Frobenius norm s so that its eigenvalues lie in
// (0, 1], Y₀ = A/s, Z₀ = I, T = (3I - Zₖ·Yₖ)/2, Yₖ₊₁ = Yₖ·T, Zₖ₊₁ = T·Zₖ;
// Zₖ tends to (A/s)^(-1/2). It stops once ‖I - Z·Y‖ (Frobenius, per
// row) is below 1e-4, or below 1e-2 and no longer falling (float32's
// rounding), and fails if 100 steps do not get there.
func invSqrt(a []float64, n int) ([]float32, error) {
	var s float64
	for _, v := range a {
		s += v * v
	}
	s = math.Sqrt(s)
	if !(s > 0) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("covariance of norm %v", s)
	}
	y := make([]float32, n*n)
	z := make([]float32, n*n)
	t := make([]float32, n*n)
	tmp := make([]float32, n*n)
	for i, v := range a {
		y[i] = float32(v / s)
	}
	for i := range n {
		z[i*n+i] = 1
	}
	const tol, floor, steps = 1e-4, 1e-2, 100
	prev := math.Inf(1)
	for k := 0; ; k++ {
		// t = (3I - z·y)/2
		gemm.Sgemm(false, false, n, n, n, -0.5, z, n, y, n, 0, t, n)
		var res float64
		for i := range n {
			t[i*n+i] += 1.5
			for j := range n {
				d := float64(t[i*n+j])
				if i == j {
					d -= 1
				}
				res += d * d
			}
		}
		res = 2 * math.Sqrt(res/float64(n)) // ‖I - z·y‖ per row
		// Done at tol, or once float32 rounding stops the residual's
		// fall (it halves at least each step while converging).
		if res < tol || (res < floor && res > prev/2) {
			break
		}
		if math.IsNaN(res) || k == steps {
			return nil, fmt.Errorf("the inverse square root of the %d×%d covariance did not converge (residual %.3g after %d steps)", n, n, res, k)
		}
		prev = res
		gemm.Sgemm(false, false, n, n, n, 1, y, n, t, n, 0, tmp, n)
		y, tmp = tmp, y
		gemm.Sgemm(false, false, n, n, n, 1, t, n, z, n, 0, tmp, n)
		z, tmp = tmp, z
	}
	// A^(-1/2) = (A/s)^(-1/2)/sqrt(s); symmetrized.
	r := float32(1 / math.Sqrt(s))
	for i := range n {
		for j := i; j < n; j++ {
			v := (z[i*n+j] + z[j*n+i]) / 2 * r
			z[i*n+j], z[j*n+i] = v, v
		}
	}
	return z, nil
}
