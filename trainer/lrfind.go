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

// LRRule names how a learning-rate range test chose its suggestion.
type LRRule string

// The rules: where the smoothed loss falls fastest, or the largest rate
// still at the bottom of its curve (for one-cycle schedules).
const (
	RuleSteepest LRRule = "steepest"
	RuleBasin    LRRule = "basin"
)

// LRFinding is what a learning-rate range test found.
type LRFinding struct {
	LR      []float64 `json:"lr"`       // the learning rate of each step taken
	RawLoss []float64 `json:"raw_loss"` // the training loss of each step's batch
	Loss    []float64 `json:"loss"`     // RawLoss smoothed (zero-lag: an exponential average run forwards and backwards)
	// Suggest is the suggested learning rate (0 if the loss never
	// falls): Steepest, or for a one-cycle schedule the right edge of the
	// curve's bottom (see FindLR); SuggestI its step; Rule names which.
	Suggest  float64 `json:"suggestion"`
	SuggestI int     `json:"suggestion_step"`
	Rule     LRRule  `json:"rule"`
	// Steepest is the learning rate where Loss falls fastest against
	// log(lr); 0 if it never falls.
	Steepest float64 `json:"steepest_lr"`
	// Least is the learning rate of the least smoothed loss: past it
	// the loss climbs, so a rate for training lies below it.
	Least float64 `json:"least_loss_lr"`
	// Stop says why the test ended: it reached End, or the loss
	// exploded (over 4 times its least, or not finite), or it came back
	// above where it started after falling by a tenth (the network
	// unlearned all it had learned: dead units give a classifier the loss
	// of a uniform guess, far below 4 times the least).
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
// begun to move), or the first step where the loss is no more than a
// uniform guess's if it started above (see settled), and the least
// smoothed loss (after it the loss climbs);
// for a one-cycle schedule it is the largest rate at which the smoothed
// loss is still at the bottom of its curve (within a twentieth of its fall
// of the least: basinEdge), the largest before it climbs, which Smith's one-cycle method
// takes as the peak (Smith 2018, "A disciplined approach to neural
// network hyper-parameters": the schedule warms up from a 25th of it and
// anneals, so it spends few steps there).
// cfg's schedule and learning rate are not used; its optimizer, batch
// size, dropout, L2 and augmentation are.
func FindLR(ctx context.Context, cfg Config, opt LRFindOptions) (*LRFinding, error) {
	if err := opt.fill(); err != nil {
		return nil, err
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
	avg, best, first := 0.0, math.Inf(1), 0.0
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
		if step == 0 {
			first = smooth
		}
		if smooth > lrFindExplode*best {
			f.Stop = fmt.Sprintf("the loss exploded (%.4g, over %d times its least) at learning rate %.3g", smooth, lrFindExplode, lr)
			break
		}
		if best < 0.9*first && smooth > first {
			f.Stop = fmt.Sprintf("the loss came back above where it started (%.4g) at learning rate %.3g", first, lr)
			break
		}
		optim.SetLR(lr)
		optim.Step(net.Params, net.Grads)
	}
	f.Steps = len(f.LR)
	f.Seconds = time.Since(t1).Seconds()
	f.Loss = smoothLosses(f.RawLoss, lrFindBeta)
	from := settled(f.Loss, math.Log(float64(len(data.Train.Classes))))
	steep, least := steepest(f.Loss, from), leastIndex(f.Loss)
	f.Least = f.LR[least]
	if steep >= 0 {
		f.Steepest = f.LR[steep]
	}
	f.suggest(steep, basinEdge(f.Loss, from, least), cfg.Schedule)
	return f, nil
}

// fill gives the options left at zero their defaults and checks them.
func (opt *LRFindOptions) fill() error {
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
		return fmt.Errorf("learning-rate range %g to %g in %d steps: want 0 < start < end and 10 steps or more", opt.Start, opt.End, opt.Steps)
	}
	return nil
}

// suggest picks the suggestion: where the smoothed loss falls fastest
// (steep), or, for a one-cycle schedule, the right edge of the basin
// around the least loss (edge, see basinEdge).
func (f *LRFinding) suggest(steep, edge int, schedule string) {
	f.SuggestI, f.Rule = steep, RuleSteepest
	if schedule == OneCycle && steep >= 0 {
		f.SuggestI, f.Rule = edge, RuleBasin
	}
	if f.SuggestI >= 0 {
		f.Suggest = f.LR[f.SuggestI]
	}
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

// settled returns the first index where the smoothed loss is at most
// uniform, the loss of a classifier that knows nothing (ln of the
// classes): before it the network is only unlearning the over-confidence
// of its initial weights (He's initialization spreads the logits; the
// cifar10 preset starts at 2.9 against ln 10 = 2.3), which is fast at
// learning rates far too small to train with. 0 when the loss starts
// there or below, and when it never gets there.
func settled(loss []float64, uniform float64) int {
	for i, v := range loss {
		if v <= uniform {
			return i
		}
	}
	return 0
}

// steepest returns the index where loss (sampled at evenly spaced log
// learning rates) falls fastest, by central differences, between the
// first tenth of the points (or from, if later) and the least loss; -1 if
// it never falls.
func steepest(loss []float64, from int) int {
	lo := leastIndex(loss)
	best, at := 0.0, -1
	for i := max(1, len(loss)/10, from); i < lo; i++ {
		if g := (loss[i+1] - loss[i-1]) / 2; g < best {
			best, at = g, i
		}
	}
	return at
}

// basinFlat is how far above its least the smoothed loss may be, as a
// share of its fall from where it settled to the least, and still count
// as the bottom of the curve: the test takes one step at each rate, so
// near the least the curve is flat to within its noise, and where in the
// flat the least falls is chance.
const basinFlat = 0.05

// basinEdge returns the index of the largest learning rate at or after
// the least loss lo whose smoothed loss is still within basinFlat of the
// fall from loss[from] to the least: the largest rate at which the loss
// has not yet begun to climb, Smith's peak for a one-cycle schedule. lo
// itself when the loss did not fall.
func basinEdge(loss []float64, from, lo int) int {
	fall := loss[from] - loss[lo]
	if !(fall > 0) {
		return lo
	}
	edge := lo
	for i := lo + 1; i < len(loss) && loss[i] <= loss[lo]+basinFlat*fall; i++ {
		edge = i
	}
	return edge
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

// Why says in words how the suggestion was chosen, with the other
// figure: "the smoothed loss falls fastest there; it is least at 5e-04".
func (f *LRFinding) Why() string {
	if f.Rule == RuleBasin {
		return fmt.Sprintf("the largest rate at the bottom of the smoothed loss (least at %.2g), the peak for a one-cycle schedule; it falls fastest at %.2g", f.Least, f.Steepest)
	}
	return fmt.Sprintf("the smoothed loss falls fastest there; it is least at %.2g", f.Least)
}
