package nn

import (
	"fmt"
	"math"

	"github.com/mlptui/mlptui/nn/internal/parallel"
	"github.com/mlptui/mlptui/nn/internal/vec"
)

// NormEps is the ε of LayerNorm and BatchNorm: 1e-5, as PyTorch's and
// ONNX's defaults.
const NormEps = 1e-5

// BatchNormMomentum is how far each training batch moves BatchNorm's
// running statistics: running = (1-m)·running + m·batch, m = 0.1 (PyTorch's).
const BatchNormMomentum = 0.1

// LayerNorm normalizes each row (sample) over its features, then scales
// and shifts them (Ba et al. 2016):
//
//	forward:  x [batch, n]; μ_r = mean_c x[r,c]; σ²_r = mean_c (x[r,c]-μ_r)²
//	          x̂ = (x - μ_r) / sqrt(σ²_r + ε)            [batch, n]
//	          y = g ⊙ x̂ + b                              g, b [n]
//	backward: dg = Σ_r dy ⊙ x̂ [n]; db = Σ_r dy [n]
//	          dx̂ = dy ⊙ g; dx = (dx̂ - mean_c dx̂ - x̂ ⊙ mean_c(dx̂ ⊙ x̂)) / sqrt(σ²_r + ε)
//
// Training and evaluation compute the same thing.
type LayerNorm struct {
	N            int
	Gain, Bias   []float32 // views into the model's parameters
	DGain, DBias []float32 // and gradients

	xhat, y, dx Matrix
	rstd        []float32 // 1/sqrt(σ²_r + ε) of each row of the last Forward
	fwd         lnForward
	bwd         lnBackward
	sums        normSums
}

// NewLayerNorm returns a layer over views of 2n parameters (gain, then
// bias) and their gradients.
func NewLayerNorm(n int, params, grads []float32) *LayerNorm {
	if len(params) != 2*n || len(grads) != 2*n {
		panic(fmt.Sprintf("nn: NewLayerNorm(%d): %d params, %d grads", n, len(params), len(grads)))
	}
	return &LayerNorm{N: n, Gain: params[:n], Bias: params[n:], DGain: grads[:n], DBias: grads[n:]}
}

// Forward normalizes x; the result is owned by l.
func (l *LayerNorm) Forward(x *Matrix) *Matrix {
	l.xhat.Resize(x.Rows, x.Cols)
	l.y.Resize(x.Rows, x.Cols)
	if cap(l.rstd) < x.Rows {
		l.rstd = make([]float32, x.Rows)
	}
	l.rstd = l.rstd[:x.Rows]
	l.fwd = lnForward{l: l, x: x}
	parallel.For(x.Rows, 1, &l.fwd)
	return &l.y
}

// Backward sets DGain and DBias and returns dL/dx.
func (l *LayerNorm) Backward(dy *Matrix) *Matrix {
	l.sums = normSums{dy: dy.Data, xhat: l.xhat.Data, dg: l.DGain, db: l.DBias, rows: dy.Rows}
	parallel.For(l.N, 1, &l.sums)
	l.dx.Resize(dy.Rows, dy.Cols)
	l.bwd = lnBackward{l: l, dy: dy}
	parallel.For(dy.Rows, 1, &l.bwd)
	return &l.dx
}

func (l *LayerNorm) forward(x *Matrix, _ bool) *Matrix { return l.Forward(x) }
func (l *LayerNorm) backward(dy *Matrix) *Matrix       { return l.Backward(dy) }

type lnForward struct {
	l *LayerNorm
	x *Matrix
}

func (j *lnForward) Run(lo, hi int) {
	l := j.l
	for r := lo; r < hi; r++ {
		x, xh, y := j.x.Row(r), l.xhat.Row(r), l.y.Row(r)
		var mu float64
		for _, v := range x {
			mu += float64(v)
		}
		mu /= float64(len(x))
		var v2 float64
		for _, v := range x {
			d := float64(v) - mu
			v2 += d * d
		}
		rstd := float32(1 / math.Sqrt(v2/float64(len(x))+NormEps))
		l.rstd[r] = rstd
		m := float32(mu)
		for c, v := range x {
			h := (v - m) * rstd
			xh[c] = h
			y[c] = l.Gain[c]*h + l.Bias[c]
		}
	}
}

type lnBackward struct {
	l  *LayerNorm
	dy *Matrix
}

func (j *lnBackward) Run(lo, hi int) {
	l := j.l
	n := float32(l.N)
	for r := lo; r < hi; r++ {
		dy, xh, dx := j.dy.Row(r), l.xhat.Row(r), l.dx.Row(r)
		var s1, s2 float32 // Σ dx̂, Σ dx̂ ⊙ x̂
		for c, d := range dy {
			g := d * l.Gain[c]
			s1 += g
			s2 += g * xh[c]
		}
		m1, m2, rstd := s1/n, s2/n, l.rstd[r]
		for c, d := range dy {
			dx[c] = (d*l.Gain[c] - m1 - xh[c]*m2) * rstd
		}
	}
}

// normSums sets dg[c] = Σ_r dy[r,c]·x̂[r,c] and db[c] = Σ_r dy[r,c]. Ranges
// are columns, each summed over the rows in order.
type normSums struct {
	dy, xhat, dg, db []float32
	rows             int
}

func (j *normSums) Run(lo, hi int) {
	n := len(j.dg)
	dg, db := j.dg[lo:hi], j.db[lo:hi]
	clear(dg)
	clear(db)
	for r := range j.rows {
		dy, xh := j.dy[r*n+lo:r*n+hi], j.xhat[r*n+lo:r*n+hi]
		for c, v := range dy[:len(dg)] {
			db[c] += v
			dg[c] += v * xh[c]
		}
	}
}

// BatchNorm normalizes each feature over the batch in training, and with
// running statistics of the training batches at evaluation (Ioffe &
// Szegedy 2015):
//
//	train:    x [batch, n]; μ_c = mean_r x[r,c]; σ²_c = mean_r (x[r,c]-μ_c)²
//	          x̂ = (x - μ_c) / sqrt(σ²_c + ε); y = g ⊙ x̂ + b       g, b [n]
//	          running_mean = (1-m)·running_mean + m·μ
//	          running_var  = (1-m)·running_var  + m·σ²·batch/(batch-1)
//	eval:     y = g ⊙ (x - running_mean) / sqrt(running_var + ε) + b
//	backward: dg = Σ_r dy ⊙ x̂; db = Σ_r dy
//	          dx̂ = dy ⊙ g; dx = (dx̂ - mean_r dx̂ - x̂ ⊙ mean_r(dx̂ ⊙ x̂)) / sqrt(σ²_c + ε)
//
// The running statistics are no parameters (the optimizer does not touch
// them) but state saved with the model: views into the model's Buffers.
type BatchNorm struct {
	N                 int
	Gain, Bias        []float32
	DGain, DBias      []float32
	RunMean, RunVar   []float32 // views into the model's buffers
	mean, rstd        []float32 // of the last training Forward, per feature
	xhat, y, dx       Matrix
	train             bool
	fwd               bnForward
	bwd               bnBackward
	sums              normSums
	evalScale, evalSh []float32
}

// NewBatchNorm returns a layer over views of 2n parameters (gain, then
// bias), their gradients, and 2n buffer values (running mean, then
// running variance).
func NewBatchNorm(n int, params, grads, buffers []float32) *BatchNorm {
	if len(params) != 2*n || len(grads) != 2*n || len(buffers) != 2*n {
		panic(fmt.Sprintf("nn: NewBatchNorm(%d): %d params, %d grads, %d buffers", n, len(params), len(grads), len(buffers)))
	}
	return &BatchNorm{N: n, Gain: params[:n], Bias: params[n:], DGain: grads[:n], DBias: grads[n:],
		RunMean: buffers[:n], RunVar: buffers[n:],
		mean: make([]float32, n), rstd: make([]float32, n), evalScale: make([]float32, n), evalSh: make([]float32, n)}
}

// Forward normalizes x with the batch's statistics (train, updating the
// running ones) or the running statistics; the result is owned by b.
func (b *BatchNorm) Forward(x *Matrix, train bool) *Matrix {
	b.train = train
	b.y.Resize(x.Rows, x.Cols)
	if train {
		b.xhat.Resize(x.Rows, x.Cols)
	} else {
		for c := range b.evalScale {
			b.evalScale[c] = b.Gain[c] / float32(math.Sqrt(float64(b.RunVar[c])+NormEps))
			b.evalSh[c] = b.Bias[c] - b.RunMean[c]*b.evalScale[c]
		}
	}
	b.fwd = bnForward{b: b, x: x}
	parallel.For(b.N, 1, &b.fwd)
	return &b.y
}

// Backward (after a training Forward) sets DGain and DBias and returns
// dL/dx.
func (b *BatchNorm) Backward(dy *Matrix) *Matrix {
	if !b.train {
		panic("nn: BatchNorm.Backward after an evaluation Forward")
	}
	b.sums = normSums{dy: dy.Data, xhat: b.xhat.Data, dg: b.DGain, db: b.DBias, rows: dy.Rows}
	parallel.For(b.N, 1, &b.sums)
	b.dx.Resize(dy.Rows, dy.Cols)
	b.bwd = bnBackward{b: b, dy: dy}
	parallel.For(b.N, 1, &b.bwd)
	return &b.dx
}

func (b *BatchNorm) forward(x *Matrix, train bool) *Matrix { return b.Forward(x, train) }
func (b *BatchNorm) backward(dy *Matrix) *Matrix           { return b.Backward(dy) }

// bnForward works on ranges of columns (features), each over all rows.
type bnForward struct {
	b *BatchNorm
	x *Matrix
}

func (j *bnForward) Run(lo, hi int) {
	b, x, n, rows := j.b, j.x.Data, j.b.N, j.x.Rows
	if !b.train {
		for r := range rows {
			xr, yr := x[r*n:(r+1)*n], b.y.Data[r*n:(r+1)*n]
			for c := lo; c < hi; c++ {
				yr[c] = xr[c]*b.evalScale[c] + b.evalSh[c]
			}
		}
		return
	}
	for c := lo; c < hi; c++ {
		var mu float64
		for r := range rows {
			mu += float64(x[r*n+c])
		}
		mu /= float64(rows)
		var v2 float64
		for r := range rows {
			d := float64(x[r*n+c]) - mu
			v2 += d * d
		}
		vr := v2 / float64(rows)
		rstd := float32(1 / math.Sqrt(vr+NormEps))
		b.mean[c], b.rstd[c] = float32(mu), rstd
		unbiased := vr
		if rows > 1 {
			unbiased = v2 / float64(rows-1)
		}
		b.RunMean[c] = (1-BatchNormMomentum)*b.RunMean[c] + BatchNormMomentum*float32(mu)
		b.RunVar[c] = (1-BatchNormMomentum)*b.RunVar[c] + BatchNormMomentum*float32(unbiased)
		m, g, sh := float32(mu), b.Gain[c], b.Bias[c]
		for r := range rows {
			h := (x[r*n+c] - m) * rstd
			b.xhat.Data[r*n+c] = h
			b.y.Data[r*n+c] = g*h + sh
		}
	}
}

type bnBackward struct {
	b  *BatchNorm
	dy *Matrix
}

func (j *bnBackward) Run(lo, hi int) {
	b, dy, n, rows := j.b, j.dy.Data, j.b.N, j.dy.Rows
	inv := 1 / float32(rows)
	for c := lo; c < hi; c++ {
		g := b.Gain[c]
		// Σ_r dx̂ = g·db and Σ_r dx̂ ⊙ x̂ = g·dg, from Backward's sums.
		m1, m2, rstd := g*b.DBias[c]*inv, g*b.DGain[c]*inv, b.rstd[c]
		for r := range rows {
			i := r*n + c
			b.dx.Data[i] = (dy[i]*g - m1 - b.xhat.Data[i]*m2) * rstd
		}
	}
}

// GELU is the Gaussian error linear unit (Hendrycks & Gimpel 2016), exact
// (with erf, as ONNX's Gelu and PyTorch's default) to float32's precision
// (vec.GELU computes it):
//
//	forward:  x [batch, n] -> y = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2
//	backward: dx = dy ⊙ (Φ(x) + x·φ(x)), φ(x) = exp(-x²/2)/√(2π)
type GELU struct {
	y, dx Matrix
	deriv []float32 // GELU'(x) of the last Forward, so Backward is a product
	fwd   geluJob
	bwd   mulMask
}

// Forward applies GELU; the result is owned by g.
func (g *GELU) Forward(x *Matrix) *Matrix {
	g.y.Resize(x.Rows, x.Cols)
	if cap(g.deriv) < len(x.Data) {
		g.deriv = make([]float32, len(x.Data))
	}
	g.deriv = g.deriv[:len(x.Data)]
	g.fwd = geluJob{x: x.Data, out: g.y.Data, deriv: g.deriv}
	parallel.For(len(x.Data), 16, &g.fwd)
	return &g.y
}

// Backward returns dL/dx for the input of the last Forward.
func (g *GELU) Backward(dy *Matrix) *Matrix {
	g.dx.Resize(dy.Rows, dy.Cols)
	g.bwd = mulMask{in: dy.Data, mask: g.deriv, out: g.dx.Data}
	parallel.For(len(dy.Data), 1, &g.bwd)
	return &g.dx
}

func (g *GELU) forward(x *Matrix, _ bool) *Matrix { return g.Forward(x) }
func (g *GELU) backward(dy *Matrix) *Matrix       { return g.Backward(dy) }

// geluJob computes y = GELU(x) and GELU'(x).
type geluJob struct {
	x, out, deriv []float32
}

func (j *geluJob) Run(lo, hi int) {
	vec.GELU(j.out[lo:hi], j.deriv[lo:hi], j.x[lo:hi])
}

// Residual is a block with a skip connection: y = x + Body(x), the body a
// sequence of layers that keeps the width.
//
//	forward:  x [batch, n] -> h = Body(x) [batch, n]; y = x + h
//	backward: dx = dy + Body'ᵀ(dy)
type Residual struct {
	Body  []layer
	y, dx Matrix
	add   addInto
}

func (r *Residual) forward(x *Matrix, train bool) *Matrix {
	h := x
	for _, l := range r.Body {
		h = l.forward(h, train)
	}
	r.y.Resize(x.Rows, x.Cols)
	r.add = addInto{a: x.Data, b: h.Data, out: r.y.Data}
	parallel.For(len(x.Data), 1, &r.add)
	return &r.y
}

func (r *Residual) backward(dy *Matrix) *Matrix {
	g := dy
	for i := len(r.Body) - 1; i >= 0; i-- {
		g = r.Body[i].backward(g)
	}
	r.dx.Resize(dy.Rows, dy.Cols)
	r.add = addInto{a: dy.Data, b: g.Data, out: r.dx.Data}
	parallel.For(len(dy.Data), 1, &r.add)
	return &r.dx
}

// addInto sets out = a + b.
type addInto struct{ a, b, out []float32 }

func (j *addInto) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		j.out[i] = j.a[i] + j.b[i]
	}
}

// layer is what a network is a sequence of: Dense, Activation, Dropout,
// GELU, LayerNorm, BatchNorm and Residual.
type layer interface {
	forward(x *Matrix, train bool) *Matrix
	backward(dy *Matrix) *Matrix
}

func (d *Dense) forward(x *Matrix, _ bool) *Matrix      { return d.Forward(x) }
func (d *Dense) backward(dy *Matrix) *Matrix            { return d.Backward(dy) }
func (a *Activation) forward(x *Matrix, _ bool) *Matrix { return a.Forward(x) }
func (a *Activation) backward(dy *Matrix) *Matrix       { return a.Backward(dy) }
func (d *Dropout) forward(x *Matrix, train bool) *Matrix {
	return d.Forward(x, train)
}
func (d *Dropout) backward(dy *Matrix) *Matrix { return d.Backward(dy) }
