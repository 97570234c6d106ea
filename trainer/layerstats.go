package trainer

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mlptui/mlptui/nn"
)

// Layer statistics: what the network screen and layers.csv show of each
// layer with parameters, from one training step's batch.

// HistBins is the number of bins of a Dist's histogram.
const HistBins = 32

// Dist summarizes a set of values: their count, mean, standard deviation,
// least and greatest, and a histogram of HistBins equal bins over
// [Lo, Hi]: Min to Max, but no further than 4 standard deviations from
// the mean (values beyond count in the end bins), so that a few outliers
// do not squeeze the rest into one bin; all in the middle bin when
// Lo = Hi. Non-finite values make Mean and Std non-finite and are left
// out of the histogram.
type Dist struct {
	N                   int
	Mean, Std, Min, Max float64
	Lo, Hi              float64
	Hist                []int
}

// LayerFlag is a set of warnings about a layer.
type LayerFlag uint8

// The warnings a layer can raise; see the thresholds below.
const (
	FlagDead       LayerFlag = 1 << iota // most of its units never active over the batch
	FlagVanishing                        // its gradients are far below the largest layer's
	FlagExploding                        // its gradients are huge or not finite
	FlagUpdateLow                        // its weights barely move per step
	FlagUpdateHigh                       // a step changes its weights by a large share of their size
	numFlags       = 5
)

var flagNames = [numFlags]string{"dead", "vanishing", "exploding", "update-low", "update-high"}

// String names the flags, joined by '+': "dead+exploding"; "" for none.
func (f LayerFlag) String() string {
	var parts []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "+")
}

// ParseLayerFlags reads what LayerFlag.String writes.
func ParseLayerFlags(s string) (LayerFlag, error) {
	var f LayerFlag
	if s == "" {
		return 0, nil
	}
	for _, p := range strings.Split(s, "+") {
		i := indexOf(flagNames[:], p)
		if i < 0 {
			return 0, fmt.Errorf("flag %q: want %s", p, strings.Join(flagNames[:], ", "))
		}
		f |= 1 << i
	}
	return f, nil
}

func indexOf(names []string, s string) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return -1
}

// Thresholds of the warnings. Why these:
//
//   - Dead: a ReLU unit whose input is never positive over a whole batch
//     passes no gradient and learns nothing; "most" of a layer is over
//     half of its units. (Leaky ReLU likewise; GELU, which has no flat
//     part, counts a unit dead when its input stays below -3, where its
//     output and slope are within 1.2 % of zero.)
//   - Vanishing: a layer whose gradient, per weight (its RMS), is below a
//     thousandth of the largest layer's learns a thousand times slower
//     than the rest with SGD; healthy networks keep the layers within
//     one or two decades of each other.
//   - Exploding: a gradient norm over 1000, or not finite. With the mean
//     cross-entropy the output layer's gradient is bounded by the size of
//     its inputs, about 1 to 30 in a healthy network at any width; 1000
//     means the activations have grown by orders of magnitude.
//   - Update ratio (the norm of a step's change of the weights over the
//     norm of the weights, about 1e-3 when healthy): above 1 a step
//     changes the weights by as much as they are (Adam at lr 5 does 10 to
//     200 times that; healthy runs stay under 0.3, Iris's preset, which
//     trains on the whole set per step, at its highest); below 1e-7 the
//     updates are under float32's rounding (2^-23 of a weight) and the
//     weights stop moving. The low side is only raised while the
//     learning rate is at least a tenth of the run's (a schedule that
//     lowers it on purpose is no fault) and the batch's loss is over
//     0.01 (a network that has learned its data has little left to move).
const (
	DeadShare      = 0.5
	geluDeadBelow  = -3
	VanishFactor   = 1e-3
	ExplodeNorm    = 1e3
	UpdateRatioMax = 1.0
	UpdateRatioMin = 1e-7
	convergedLoss  = 0.01
)

// LayerStats are the statistics of one layer with parameters (a Dense
// layer or a norm), from one training step.
type LayerStats struct {
	Name  string // "dense.0", "norm.1", as in the model file
	Kind  string // nn.KindDense, nn.KindLayerNorm, nn.KindBatchNorm
	Block int    // the residual block it is in, from 1; 0 for none
	Units int    // output width
	// Params counts the weights (or a norm's gains) the figures are of.
	Params int
	// ActKind is the activation that takes the layer's output, or "".
	ActKind string
	// Weights, Grad: of the weights (or gains); Out: the layer's output
	// (a Dense layer's pre-activation); Act: the activation's output
	// (N = 0 without one).
	Weights, Out, Act, Grad Dist
	// Dead is the share of units never active over the batch; NaN
	// without an activation.
	Dead float64
	// GradNorm is the Euclidean norm of the weights' gradient.
	GradNorm float64
	// UpdateRatio is the norm of the step's change of the weights over
	// the norm of the weights before it.
	UpdateRatio float64
	Flags       LayerFlag
}

// NetStats are the statistics of every layer with parameters, from one
// training step: the batch it trained on and the update it made.
type NetStats struct {
	Epoch  int   // the epoch the step is in, from 1
	Step   int64 // the step
	Rows   int   // the batch's samples
	LR     float64
	Layers []LayerStats
}

// Flagged reports whether any layer raised a warning.
func (s *NetStats) Flagged() bool {
	for _, l := range s.Layers {
		if l.Flags != 0 {
			return true
		}
	}
	return false
}

// Warnings describes each layer's warnings in a line.
func (s *NetStats) Warnings() []string {
	var out []string
	for _, l := range s.Layers {
		for i := range numFlags {
			if f := LayerFlag(1 << i); l.Flags&f != 0 {
				out = append(out, l.Warning(f, s.Rows))
			}
		}
	}
	return out
}

// Warning says what one flag of the layer means, with its figure.
func (l *LayerStats) Warning(f LayerFlag, rows int) string {
	switch f {
	case FlagDead:
		return fmt.Sprintf("%s: %.0f%% of its %d units dead (never active over a batch of %d)", l.Name, 100*l.Dead, l.Units, rows)
	case FlagVanishing:
		return fmt.Sprintf("%s: gradients vanish (norm %.3g, under %g of the largest layer's per weight)", l.Name, l.GradNorm, VanishFactor)
	case FlagExploding:
		return fmt.Sprintf("%s: gradients explode (norm %.3g)", l.Name, l.GradNorm)
	case FlagUpdateLow:
		return fmt.Sprintf("%s: update ratio %.2g, below %g: the weights barely move", l.Name, l.UpdateRatio, UpdateRatioMin)
	case FlagUpdateHigh:
		return fmt.Sprintf("%s: update ratio %.2g, above %g: each step changes the weights too much (lower the learning rate)", l.Name, l.UpdateRatio, UpdateRatioMax)
	}
	return l.Name + ": " + f.String()
}

// Pace and size of the statistics.
const (
	// statsSample is the most values of one tensor the figures are
	// computed from: a fixed, evenly spread sample (every value of a
	// smaller tensor). The dead units are counted over the whole batch.
	statsSample = 1 << 14
	// statsEvery is the least time between two collections, and
	// statsShare the largest share of training time they may take, as
	// for the boundary.
	statsEvery = 250 * time.Millisecond
	statsShare = 0.01
)

// statsCollector computes NetStats of a network at the steps it is asked
// to, from fixed samples of each tensor.
type statsCollector struct {
	probes []nn.Probe
	wide   []int       // each probe's units (the stride must be coprime to them)
	before [][]float32 // the sampled weights before the step
	buf    []float64
	cur    *NetStats
	took   time.Duration // time spent since the last collection was noted
}

func newStatsCollector(net *nn.MLP) *statsCollector {
	c := &statsCollector{probes: net.Probes()}
	for _, p := range c.probes {
		units := len(p.Weights)
		if p.Kind == nn.KindDense {
			units = len(p.Weights) / inputsOf(net, p.Name)
		}
		c.wide = append(c.wide, units)
		c.before = append(c.before, make([]float32, 0, min(len(p.Weights), statsSample)))
	}
	return c
}

// inputsOf is the input width of the Dense layer named name.
func inputsOf(net *nn.MLP, name string) int {
	i := 0
	fmt.Sscanf(name, "dense.%d", &i)
	return net.Layers[i].In
}

// stride returns the step between sampled values of n values in rows of
// width w: 1 when all fit, else about n/statsSample and coprime to w, so
// that every column is sampled alike.
func stride(n, w int) int {
	if n <= statsSample {
		return 1
	}
	s := n / statsSample
	for gcd(s, w) != 1 {
		s++
	}
	return s
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// sampled appends to buf every s-th value of v, as float64.
func sampled(buf []float64, v []float32, s int) []float64 {
	buf = buf[:0]
	for i := 0; i < len(v); i += s {
		buf = append(buf, float64(v[i]))
	}
	return buf
}

// distOf summarizes v.
func distOf(v []float64) Dist {
	d := Dist{N: len(v), Min: math.Inf(1), Max: math.Inf(-1), Hist: make([]int, HistBins)}
	if len(v) == 0 {
		d.Mean, d.Std, d.Min, d.Max, d.Lo, d.Hi = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return d
	}
	var sum float64
	for _, x := range v {
		sum += x
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			d.Min, d.Max = min(d.Min, x), max(d.Max, x)
		}
	}
	d.Mean = sum / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - d.Mean) * (x - d.Mean)
	}
	d.Std = math.Sqrt(ss / float64(len(v)))
	if d.Min > d.Max { // nothing finite
		d.Min, d.Max, d.Lo, d.Hi = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return d
	}
	d.Lo, d.Hi = d.Min, d.Max
	if !math.IsInf(d.Std, 0) && !math.IsNaN(d.Std) {
		d.Lo, d.Hi = max(d.Min, d.Mean-4*d.Std), min(d.Max, d.Mean+4*d.Std)
	}
	span := d.Hi - d.Lo
	for _, x := range v {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			continue
		}
		b := HistBins / 2
		if span > 0 {
			b = max(0, min(HistBins-1, int((x-d.Lo)/span*HistBins)))
		}
		d.Hist[b]++
	}
	return d
}

// normOf is the norm of n values estimated from their sample v.
func normOf(v []float64, n int) float64 {
	var ss float64
	for _, x := range v {
		ss += x * x
	}
	if len(v) == 0 {
		return 0
	}
	return math.Sqrt(ss * float64(n) / float64(len(v)))
}

// deadShare is the share of the columns of out (units) whose values are
// all at or below thr.
func deadShare(out *nn.Matrix, thr float32) float64 {
	if out.Cols == 0 || out.Rows == 0 {
		return math.NaN()
	}
	alive := make([]bool, out.Cols)
	for r := range out.Rows {
		for c, v := range out.Row(r) {
			if v > thr {
				alive[c] = true
			}
		}
	}
	dead := 0
	for _, a := range alive {
		if !a {
			dead++
		}
	}
	return float64(dead) / float64(out.Cols)
}

// beforeStep measures the network as the step's forward and backward
// passes left it (before the optimizer's update), and keeps a sample of
// the weights for afterStep.
func (c *statsCollector) beforeStep(epoch int, step int64, lr float64) {
	start := time.Now()
	defer func() { c.took += time.Since(start) }()
	c.cur = &NetStats{Epoch: epoch, Step: step, LR: lr}
	for i, p := range c.probes {
		s := stride(len(p.Weights), c.wide[i])
		l := LayerStats{Name: p.Name, Kind: p.Kind, Block: p.Block, Units: c.wide[i], Params: len(p.Weights),
			ActKind: p.ActKind, Dead: math.NaN(), UpdateRatio: math.NaN()}
		c.buf = sampled(c.buf, p.Weights, s)
		l.Weights = distOf(c.buf)
		c.before[i] = c.before[i][:0]
		for j := 0; j < len(p.Weights); j += s {
			c.before[i] = append(c.before[i], p.Weights[j])
		}
		c.buf = sampled(c.buf, p.Grads, s)
		l.Grad = distOf(c.buf)
		l.GradNorm = normOf(c.buf, len(p.Grads))
		c.cur.Rows = p.Out.Rows
		c.buf = sampled(c.buf, p.Out.Data, stride(len(p.Out.Data), p.Out.Cols))
		l.Out = distOf(c.buf)
		if p.Act != nil {
			c.buf = sampled(c.buf, p.Act.Data, stride(len(p.Act.Data), p.Act.Cols))
			l.Act = distOf(c.buf)
			thr := float32(0)
			if p.ActKind == nn.KindGELU {
				thr = geluDeadBelow
			}
			l.Dead = deadShare(p.Out, thr)
		}
		c.cur.Layers = append(c.cur.Layers, l)
	}
}

// afterStep measures the update the optimizer made and sets the flags;
// lowLR says the learning rate is lowered on purpose (the low update
// ratio is then no fault).
func (c *statsCollector) afterStep(lowLR bool) *NetStats {
	start := time.Now()
	defer func() { c.took += time.Since(start) }()
	s := c.cur
	for i, p := range c.probes {
		st := stride(len(p.Weights), c.wide[i])
		var dd, ww float64
		for k, j := 0, 0; j < len(p.Weights); k, j = k+1, j+st {
			w0 := float64(c.before[i][k])
			d := float64(p.Weights[j]) - w0
			dd += d * d
			ww += w0 * w0
		}
		if ww > 0 {
			s.Layers[i].UpdateRatio = math.Sqrt(dd / ww)
		}
	}
	flag(s.Layers, lowLR)
	c.cur = nil
	return s
}

// noStep sets the flags of statistics taken at a step that made no
// update (its loss was not finite): the update ratio is unknown.
func (c *statsCollector) noStep() *NetStats {
	s := c.cur
	flag(s.Layers, true)
	c.cur = nil
	return s
}

// flag sets each layer's warnings from its figures.
func flag(ls []LayerStats, lowLR bool) {
	var top float64 // the largest gradient RMS, per weight
	for _, l := range ls {
		if r := l.GradNorm / math.Sqrt(float64(max(1, l.Params))); r > top && !math.IsInf(r, 0) {
			top = r
		}
	}
	// Behind a layer whose weights are all zero (the output layer before
	// its first step) no gradient passes: the layers before it are not
	// flagged vanishing for that.
	blocked := make([]bool, len(ls))
	for i := len(ls) - 2; i >= 0; i-- {
		w := ls[i+1].Weights
		blocked[i] = blocked[i+1] || ls[i+1].Kind == nn.KindDense && w.Min == 0 && w.Max == 0
	}
	for i := range ls {
		l := &ls[i]
		l.Flags = 0
		if l.Dead > DeadShare {
			l.Flags |= FlagDead
		}
		rms := l.GradNorm / math.Sqrt(float64(max(1, l.Params)))
		if top > 0 && rms < VanishFactor*top && !blocked[i] {
			l.Flags |= FlagVanishing
		}
		if !(l.GradNorm <= ExplodeNorm) {
			l.Flags |= FlagExploding
		}
		switch r := l.UpdateRatio; {
		case r > UpdateRatioMax || math.IsInf(r, 0):
			l.Flags |= FlagUpdateHigh
		case r < UpdateRatioMin && !lowLR && !blocked[i]:
			l.Flags |= FlagUpdateLow
		}
	}
}
