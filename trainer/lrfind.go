package trainer

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/mlptui/mlptui/nn"
)

// LRFindOptions tune FindLR; the zero value is the usual range test.
type LRFindOptions struct {
	Start, End float64 // the learning rates of the first and the last step (default 1e-7 and 10)
	Steps      int     // steps from Start to End (default 200)
	// Report, if not nil, gets the Loading events of the data set.
	Report func(Event)
}

// LRFinding is what a learning-rate range test found.
type LRFinding struct {
	LR       []float64 `json:"lr"`         // the learning rate of each step taken
	RawLoss  []float64 `json:"raw_loss"`   // the training loss of each step's batch
	Loss     []float64 `json:"loss"`       // RawLoss smoothed (zero-lag: an exponential average run forwards and backwards)
	Suggest  float64   `json:"suggestion"` // the learning rate where Loss falls fastest; 0 if it never falls
	SuggestI int       `json:"suggestion_step"`
	// Least is the learning rate of the least smoothed loss: past it
	// the loss climbs, so a rate for training lies below it.
	Least float64 `json:"least_loss_lr"`
	// Stop says why the test ended: it reached End, or the loss
	// exploded (over 4 times its least, or not finite).
	Stop        string  `json:"stop"`
	Steps       int     `json:"steps"`
	LoadSeconds float64 `json:"load_seconds"` // reading and splitting the data set
	Seconds     float64 `json:"seconds"`      // the steps
}

// LR range test defaults.
const (
	lrFindStart = 1e-7
	lrFindEnd   = 10
	lrFindSteps = 200
	// lrFindBeta is the smoothing's exponential factor: a time constant
	// of 10 steps, a fifth of a decade of learning rate over 200 steps
	// from 1e-7 to 10 (25 steps a decade).
	lrFindBeta = 0.9
	// lrFindExplode ends the test once the smoothed loss exceeds this
	// many times its least, as fastai's lr_find does.
	lrFindExplode = 4
)

// FindLR runs the learning-rate range test (Smith 2015; fastai's
// lr_find) for the network cfg describes: a throw-away copy of it,
// initialized as a run of cfg would be, trains on cfg's batches while its
// learning rate grows exponentially from Start to End, one step each,
// until End or the loss explodes. Nothing is saved. The suggestion is the
// learning rate where the smoothed loss falls fastest against log(lr),
// looked for between the first tenth of the steps (where the loss has not
// begun to move) and the least smoothed loss (after it the loss climbs).
// cfg's schedule and learning rate are not used; its optimizer, batch
// size, dropout, L2 and augmentation are.
func FindLR(ctx context.Context, cfg Config, opt LRFindOptions) (*LRFinding, error) {
	if opt.Start == 0 {
		opt.Start = lrFindStart
	}
	if opt.End == 0 {
		opt.End = lrFindEnd
	}
	if opt.Steps == 0 {
		opt.Steps = lrFindSteps
	}
	if !(opt.Start > 0 && opt.End > opt.Start) || opt.Steps < 10 {
		return nil, fmt.Errorf("learning-rate range %g to %g in %d steps: want 0 < start < end and 10 steps or more", opt.Start, opt.End, opt.Steps)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	nn.SetThreads(cfg.Threads)
	t0 := time.Now()
	data, err := LoadData(ctx, cfg, opt.Report)
	if err != nil {
		return nil, err
	}
	net, optim, _, err := newNetwork(cfg, data)
	if err != nil {
		return nil, err
	}
	net.SetDropout(cfg.Dropout)
	f := &LRFinding{LoadSeconds: time.Since(t0).Seconds(), Stop: fmt.Sprintf("reached %g", opt.End)}
	t1 := time.Now()

	train := data.Train
	n, dim := train.Len(), train.Dim()
	batch := cfg.Batch
	if batch == 0 || batch > n {
		batch = n
	}
	idx := make([]int, n)
	var x nn.Matrix
	var y []int32
	aug := newRNGSource()
	avg, best := 0.0, math.Inf(1)
	epoch, pos := 0, 0
	for step := 0; step < opt.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Batches in the order training draws them: each pass over the
		// data shuffled by its number.
		if pos == 0 || pos >= n {
			for i := range idx {
				idx[i] = i
			}
			nn.NewRNG(cfg.Seed, streamShuffle, uint64(epoch)).Shuffle(idx)
			epoch, pos = epoch+1, 0
		}
		sel := idx[pos:min(pos+batch, n)]
		pos += len(sel)
		x.Resize(len(sel), dim)
		y = y[:0]
		for _, i := range sel {
			y = append(y, train.Y[i])
		}
		aug.seed(cfg.Seed, streamAugment, uint64(step+1))
		train.Batch(x.Data, sel, data.Norm, data.Augment, aug.rand)
		net.SeedDropout(cfg.Seed, streamDropout, uint64(step+1))
		lr := opt.Start * math.Pow(opt.End/opt.Start, float64(step)/float64(opt.Steps-1))
		loss, _ := net.TrainBatch(&x, y)
		f.LR = append(f.LR, lr)
		f.RawLoss = append(f.RawLoss, loss)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			f.Stop = fmt.Sprintf("the loss became %v at learning rate %.3g", loss, lr)
			break
		}
		avg = lrFindBeta*avg + (1-lrFindBeta)*loss
		smooth := avg / (1 - math.Pow(lrFindBeta, float64(step+1)))
		best = math.Min(best, smooth)
		if smooth > lrFindExplode*best {
			f.Stop = fmt.Sprintf("the loss exploded (%.4g, over %d times its least) at learning rate %.3g", smooth, lrFindExplode, lr)
			break
		}
		optim.SetLR(lr)
		optim.Step(net.Params, net.Grads)
	}
	f.Steps = len(f.LR)
	f.Seconds = time.Since(t1).Seconds()
	f.Loss = smoothLosses(f.RawLoss, lrFindBeta)
	f.SuggestI = steepest(f.Loss)
	f.Least = f.LR[leastIndex(f.Loss)]
	if f.SuggestI >= 0 {
		f.Suggest = f.LR[f.SuggestI]
	}
	return f, nil
}

// smoothLosses runs a bias-corrected exponential average over the finite
// losses forwards and then backwards, so that the curve is smooth without
// lagging behind the learning rate. A loss that is not finite (the last,
// when the test ended on it) is left out and is NaN in the result.
func smoothLosses(raw []float64, beta float64) []float64 {
	out := make([]float64, len(raw))
	n := len(raw)
	for n > 0 && (math.IsNaN(raw[n-1]) || math.IsInf(raw[n-1], 0)) {
		out[n-1] = math.NaN()
		n--
	}
	pass := func(get func(i int) float64, set func(i int, v float64)) {
		avg := 0.0
		for k := range n {
			avg = beta*avg + (1-beta)*get(k)
			set(k, avg/(1-math.Pow(beta, float64(k+1))))
		}
	}
	fwd := make([]float64, n)
	pass(func(i int) float64 { return raw[i] }, func(i int, v float64) { fwd[i] = v })
	pass(func(i int) float64 { return fwd[n-1-i] }, func(i int, v float64) { out[n-1-i] = v })
	return out
}

// steepest returns the index where loss (sampled at evenly spaced log
// learning rates) falls fastest, by central differences, between the
// first tenth of the points and the least loss; -1 if it never falls.
func steepest(loss []float64) int {
	lo := leastIndex(loss)
	best, at := 0.0, -1
	for i := max(1, len(loss)/10); i < lo; i++ {
		if g := (loss[i+1] - loss[i-1]) / 2; g < best {
			best, at = g, i
		}
	}
	return at
}

// leastIndex returns the index of the least loss that is not NaN.
func leastIndex(loss []float64) int {
	lo := 0
	for i, v := range loss {
		if !math.IsNaN(v) && v < loss[lo] {
			lo = i
		}
	}
	return lo
}
