package nn

import (
	"fmt"
	"math"

	"github.com/mlptui/mlptui/nn/internal/parallel"
)

// Dense is a fully connected layer, y = x·W + b.
//
//	forward:  x [batch, in] · W [in, out] + b [out]  -> y [batch, out]
//	backward: dW = xᵀ·dy [in, out]; db = Σ_rows dy [out]; dx = dy·Wᵀ [batch, in]
//
// W, B and their gradients are views into the owning model's flat
// parameter and gradient buffers. Backward overwrites the gradients.
type Dense struct {
	In, Out int
	W, DW   *Matrix
	B, DB   []float32
	// InputGrad says whether Backward computes dx; the first layer of a
	// network skips it, saving its largest product.
	InputGrad bool

	x     *Matrix // the input of the last Forward, kept for Backward
	y, dx Matrix
	bias  addBias
	sums  sumRows
}

// NewDense returns a layer over the given views; params must hold
// in*out+out values (W row-major, then b), and so must grads.
func NewDense(in, out int, params, grads []float32) *Dense {
	if len(params) != in*out+out || len(grads) != len(params) {
		panic(fmt.Sprintf("nn: NewDense(%d, %d): %d params, %d grads", in, out, len(params), len(grads)))
	}
	return &Dense{
		In: in, Out: out, InputGrad: true,
		W: FromSlice(in, out, params[:in*out]), B: params[in*out:],
		DW: FromSlice(in, out, grads[:in*out]), DB: grads[in*out:],
	}
}

// Forward returns x·W + b. The result is owned by d and valid until the
// next Forward.
func (d *Dense) Forward(x *Matrix) *Matrix {
	d.x = x
	d.y.Resize(x.Rows, d.Out)
	MatMul(false, false, 1, x, d.W, 0, &d.y)
	d.bias = addBias{y: d.y.Data, b: d.B}
	parallel.ForWork(x.Rows, 1, d.Out, &d.bias)
	return &d.y
}

// Backward takes dL/dy, sets dL/dW and dL/db, and returns dL/dx (nil when
// InputGrad is false).
func (d *Dense) Backward(dy *Matrix) *Matrix {
	MatMul(true, false, 1, d.x, dy, 0, d.DW)
	d.sums = sumRows{dy: dy.Data, db: d.DB, rows: dy.Rows}
	parallel.ForWork(d.Out, 1, dy.Rows, &d.sums)
	if !d.InputGrad {
		return nil
	}
	d.dx.Resize(dy.Rows, d.In)
	MatMul(false, true, 1, dy, d.W, 0, &d.dx)
	return &d.dx
}

// Activation is ReLU (Slope 0) or leaky ReLU: y = x for x > 0, else Slope·x.
//
//	forward:  x [batch, n] -> y [batch, n]
//	backward: dx = dy ⊙ (x > 0 ? 1 : Slope)
//
// (At x = +0 the derivative is taken as 1, at -0 as Slope: the sign bit
// decides.)
type Activation struct {
	Slope float32
	x     *Matrix
	y, dx Matrix
	fwd   actForward
	bwd   actBackward
}

// Forward applies the activation; the result is owned by a.
func (a *Activation) Forward(x *Matrix) *Matrix {
	a.x = x
	a.y.Resize(x.Rows, x.Cols)
	a.fwd = actForward{x: x.Data, y: a.y.Data, slope: a.Slope}
	parallel.For(len(x.Data), 1, &a.fwd)
	return &a.y
}

// Backward returns dL/dx from dL/dy, using the input of the last Forward.
func (a *Activation) Backward(dy *Matrix) *Matrix {
	a.dx.Resize(dy.Rows, dy.Cols)
	a.bwd = actBackward{x: a.x.Data, dy: dy.Data, dx: a.dx.Data, slope: a.Slope}
	parallel.For(len(dy.Data), 1, &a.bwd)
	return &a.dx
}

// Dropout is inverted dropout: in training each unit is dropped with
// probability Rate and the survivors are scaled by 1/(1-Rate), so that at
// evaluation it is the identity.
//
//	forward:  y = x ⊙ mask, mask_i = 0 with probability Rate, else 1/(1-Rate)
//	backward: dx = dy ⊙ mask
//
// The mask is drawn from random streams derived from the words given to
// Seed, block by block; seeding before a step makes the step's mask
// reproducible, whatever the number of threads.
type Dropout struct {
	Rate float32

	seed   uint64
	active bool
	mask   []float32
	y, dx  Matrix
	fwd    dropForward
	mul    mulMask
}

// Seed sets the random stream of the next masks from the given words.
func (d *Dropout) Seed(words ...uint64) {
	var r RNG
	r.Seed(words...)
	d.seed = r.Uint64()
}

// Forward applies dropout when train is set and Rate > 0; otherwise it
// returns x itself.
func (d *Dropout) Forward(x *Matrix, train bool) *Matrix {
	d.active = train && d.Rate > 0
	if !d.active {
		return x
	}
	n := len(x.Data)
	if cap(d.mask) < n {
		d.mask = make([]float32, n)
	}
	d.mask = d.mask[:n]
	d.y.Resize(x.Rows, x.Cols)
	d.fwd = dropForward{x: x.Data, y: d.y.Data, mask: d.mask, seed: d.seed,
		thr: uint64(float64(d.Rate) * (1 << 32)), keep: 1 / (1 - d.Rate)}
	parallel.For(n, dropBlock, &d.fwd)
	return &d.y
}

// Backward returns dL/dx: dy through the mask of the last Forward.
func (d *Dropout) Backward(dy *Matrix) *Matrix {
	if !d.active {
		return dy
	}
	d.dx.Resize(dy.Rows, dy.Cols)
	d.mul = mulMask{in: dy.Data, mask: d.mask, out: d.dx.Data}
	parallel.For(len(dy.Data), 1, &d.mul)
	return &d.dx
}

// SoftmaxCrossEntropy is the softmax of logits followed by the mean
// cross-entropy against target distributions q, computed stably:
//
//	q_i  = (1-ε)·onehot(y_i) + ε/classes            label smoothing ε (Smoothing)
//	loss = 1/batch Σ_i w_i·[ logsumexp(z_i) - Σ_j q_ij·z_ij ]
//	dz_i = w_i·(softmax(z_i) - q_i) / batch
//
// With ε = 0 it is the negative log-likelihood of the true classes. For
// mixup the target is the blend λ·q(y) + (1-λ)·q(y2) of two label sets
// (ForwardMix, BackwardMix). The row weight w_i is 1 without Weights;
// with Weights (one per class) it is the weight of the row's true class,
// as Keras's class_weight does (for mixup, λ·w[y_i] + (1-λ)·w[y2_i]).
type SoftmaxCrossEntropy struct {
	// Smoothing is label smoothing ε in [0, 1).
	Smoothing float32
	// Weights, if set, are the per-class loss weights.
	Weights   []float32
	probs, dz Matrix
}

// weight is the weight of class y: 1 without Weights.
func (l *SoftmaxCrossEntropy) weight(y int32) float64 {
	if l.Weights == nil {
		return 1
	}
	return float64(l.Weights[y])
}

// rowWeight is w_i of row i: its class's weight, blended for mixup.
func (l *SoftmaxCrossEntropy) rowWeight(i int, y, y2 []int32, lam float32) float64 {
	w := l.weight(y[i])
	if y2 != nil && l.Weights != nil {
		w = float64(lam)*w + float64(1-lam)*l.weight(y2[i])
	}
	return w
}

// Forward returns the mean loss over the batch and how many rows have
// their largest logit at the true class. It keeps the probabilities for
// Backward and Probs.
func (l *SoftmaxCrossEntropy) Forward(z *Matrix, y []int32) (loss float64, correct int) {
	return l.ForwardMix(z, y, nil, 1)
}

// ForwardMix is Forward against the blended target λ·q(y) + (1-λ)·q(y2)
// (y2 nil: λ = 1); correct counts the rows whose largest logit is y's.
func (l *SoftmaxCrossEntropy) ForwardMix(z *Matrix, y, y2 []int32, lam float32) (loss float64, correct int) {
	l.probs.Resize(z.Rows, z.Cols)
	Softmax(&l.probs, z)
	eps := float64(l.Smoothing)
	for i := 0; i < z.Rows; i++ {
		row := z.Row(i)
		lse, arg := logSumExp(row)
		// Σ_j q_j z_j = (1-ε)·z_y + ε·mean(z), blended over y and y2.
		zy := float64(row[y[i]])
		if y2 != nil {
			zy = float64(lam)*zy + float64(1-lam)*float64(row[y2[i]])
		}
		var mean float64
		if eps != 0 {
			for _, v := range row {
				mean += float64(v)
			}
			mean /= float64(len(row))
		}
		loss += l.rowWeight(i, y, y2, lam) * (lse - (1-eps)*zy - eps*mean)
		if arg == int(y[i]) {
			correct++
		}
	}
	return loss / float64(z.Rows), correct
}

// Backward returns dL/dz for the labels of the last Forward.
func (l *SoftmaxCrossEntropy) Backward(y []int32) *Matrix {
	return l.BackwardMix(y, nil, 1)
}

// BackwardMix returns dL/dz for the blended target of ForwardMix.
func (l *SoftmaxCrossEntropy) BackwardMix(y, y2 []int32, lam float32) *Matrix {
	l.dz.Resize(l.probs.Rows, l.probs.Cols)
	eps := l.Smoothing
	for i := 0; i < l.probs.Rows; i++ {
		inv := float32(l.rowWeight(i, y, y2, lam)) / float32(l.probs.Rows)
		off := eps / float32(l.probs.Cols) * inv // the smoothing's share of every class
		hit := (1 - eps) * inv                   // the true class's extra share
		p, d := l.probs.Row(i), l.dz.Row(i)
		for j, v := range p {
			d[j] = v*inv - off
		}
		if y2 == nil {
			d[y[i]] -= hit
		} else {
			d[y[i]] -= lam * hit
			d[y2[i]] -= (1 - lam) * hit
		}
	}
	return &l.dz
}

// Probs returns the softmax probabilities of the last Forward.
func (l *SoftmaxCrossEntropy) Probs() *Matrix { return &l.probs }

// logSumExp returns log Σ exp(row) computed stably, and the index of the
// largest element.
func logSumExp(row []float32) (float64, int) {
	arg := 0
	for j, v := range row {
		if v > row[arg] {
			arg = j
		}
	}
	m := float64(row[arg])
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s), arg
}

// Softmax writes the row-wise softmax of z into p (same shape).
func Softmax(p, z *Matrix) {
	for i := 0; i < z.Rows; i++ {
		row, out := z.Row(i), p.Row(i)
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var s float64
		for j, v := range row {
			e := math.Exp(float64(v - m))
			out[j] = float32(e)
			s += e
		}
		inv := float32(1 / s)
		for j := range out {
			out[j] *= inv
		}
	}
}
