// Package trainer runs training in a background goroutine, reports what
// happens as events, takes controls (pause, resume, stop, new learning rate
// or dropout), and keeps each run in a directory on disk.
//
// A run is started with [Start] (or continued with [Resume]) and watched
// through [Run.Events], which must be read until it is closed:
//
//	run, err := trainer.Start(ctx, cfg)
//	for ev := range run.Events() {
//		...
//	}
//	summary, err := run.Wait()
//
// Training never waits for the reader: progress events are coalesced to at
// most about ten a second, and the other events are queued, never dropped.
//
// The same seed and settings give the same run, bit for bit on one
// machine: the splits, the initial weights, each epoch's shuffle and each
// step's dropout masks and augmentations are drawn from streams derived
// from the seed and the epoch or step number, so a run stopped and resumed
// ends where an uninterrupted one does.
package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/nn"
)

// Options tune how a run reports and saves; the zero value is fine.
type Options struct {
	// CheckpointEvery is the least time between two saves of the model
	// and checkpoint at epoch ends (default 30 s). Runs also save when they
	// end, stop or are interrupted.
	CheckpointEvery time.Duration
	// ProgressEvery is the least time between two progress events
	// (default 100 ms).
	ProgressEvery time.Duration
	// WriteEvery is the least time between two rewrites of metrics.csv
	// and summary.json at epoch ends (default 1 s); they are also written
	// with every checkpoint and when the run ends.
	WriteEvery time.Duration
	// Now is the clock (default time.Now); tests inject their own.
	Now func() time.Time
	// DataDir, if set, overrides the data directory a resumed run's
	// config.json names.
	DataDir string
	// Samples is how many test samples every EpochEnd event carries the
	// predicted probabilities of (RunInfo.Samples holds the samples), for a
	// screen of predictions. 0 means none.
	Samples int
	// StopAfterStep, if positive, stops the run (status stopped, with a
	// checkpoint) once that many steps are done, as if Stop had been
	// called then. Tests use it to stop at an exact step.
	StopAfterStep int64
	// Boundary, for a data set of two features, makes Progress events
	// carry the decision boundary (Event.Boundary) a few times a second
	// at most, and RunInfo.Plane the plane it is drawn on.
	Boundary bool
	// NoLayerStats turns the layer statistics off: no Event.Layers, no
	// warnings and no layers.csv (benchmarks compare training without
	// them).
	NoLayerStats bool
	// Threads, if positive, is the number of matrix-multiply threads of a
	// run whose Config.Threads is 0 (all cores), instead of GOMAXPROCS:
	// the dashboard keeps a processor more than it trains on, for itself.
	Threads int
}

// Run is a training run under way.
type Run struct {
	events chan Event
	q      *queue
	done   chan struct{}

	mu      sync.Mutex
	pending []control
	wake    chan struct{}
	hasCtl  atomic.Bool

	summary *Summary
	err     error
}

// ControlKind is what a control asks of a running run.
type ControlKind int

// The controls a run takes while it trains.
const (
	ControlPause ControlKind = iota
	ControlResume
	ControlStop
	ControlLR      // set the (peak) learning rate
	ControlDropout // set the dropout probability
)

// field is the setting a live edit changes, or "" for the other controls.
func (k ControlKind) field() string {
	switch k {
	case ControlLR:
		return "lr"
	case ControlDropout:
		return "dropout"
	}
	return ""
}

type control struct {
	kind  ControlKind
	value float64
}

// Events returns the run's events. It is closed after the last event
// (Finished or Failed). It must be read until closed.
func (r *Run) Events() <-chan Event { return r.events }

// Wait waits for the run to end and returns its summary. The error is
// non-nil if the run failed; a stopped, interrupted or diverged run is not
// an error (see Summary.Status).
func (r *Run) Wait() (*Summary, error) {
	<-r.done
	return r.summary, r.err
}

// Done is closed when the run has ended.
func (r *Run) Done() <-chan struct{} { return r.done }

// Pause makes training wait after the current step.
func (r *Run) Pause() { r.send(control{kind: ControlPause}) }

// Resume continues a paused run.
func (r *Run) Resume() { r.send(control{kind: ControlResume}) }

// Stop ends the run after the current step: it saves, evaluates on the
// test set and finishes with status "stopped".
func (r *Run) Stop() { r.send(control{kind: ControlStop}) }

// SetLR sets the (peak) learning rate from the next step on.
func (r *Run) SetLR(lr float64) { r.send(control{kind: ControlLR, value: lr}) }

// SetDropout sets the dropout probability from the next step on.
func (r *Run) SetDropout(p float64) { r.send(control{kind: ControlDropout, value: p}) }

func (r *Run) send(c control) {
	r.mu.Lock()
	r.pending = append(r.pending, c)
	r.mu.Unlock()
	r.hasCtl.Store(true)
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Run) takeControls() []control {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.pending
	r.pending = nil
	r.hasCtl.Store(false)
	return c
}

// Start validates cfg and begins training in a new goroutine: the data
// set is loaded, a run directory created under cfg.RunsDir, and training
// goes on until the epochs are done, Stop is called or ctx is cancelled
// (status "interrupted"; the run is saved first).
func Start(ctx context.Context, cfg Config, opts ...Options) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.absPaths()
	return launch(ctx, &trainer{cfg: cfg}, opts)
}

// Resume continues the run in dir from its checkpoint: the same data,
// weights, optimizer state, step and epoch numbers. epochs, if positive,
// sets the total number of epochs (it must exceed those done). A run
// that another process is training is refused, naming that process.
func Resume(ctx context.Context, dir string, epochs int, opts ...Options) (_ *Run, err error) {
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	lock, err := lockRun(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Release()
		}
	}()
	ck, err := readCheckpoint(filepath.Join(dir, CheckpointFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s to resume from (the run saved none before it stopped)", dir, CheckpointFile)
	}
	if err != nil {
		return nil, err
	}
	if epochs > 0 {
		cfg.Epochs = epochs
	}
	if len(opts) > 0 && opts[0].DataDir != "" {
		cfg.DataDir = opts[0].DataDir
	}
	if err := epochsLeft(dir, ck.epoch, cfg.Epochs, epochs); err != nil {
		return nil, err
	}
	return launch(ctx, &trainer{cfg: cfg, dir: dir, resume: ck, lock: lock}, opts)
}

// epochsLeft refuses a resume with nothing to train: the run's epochs
// (asked, when asked > 0) are a total, not a number more, so asking for
// no more than done is said as such.
func epochsLeft(dir string, done, total, asked int) error {
	switch {
	case done < total:
		return nil
	case asked > 0:
		return fieldtext.Errorf("%s: {epochs} %d is the total, and %d epochs are already done; give {epochs} more than %d to go on", dir, asked, done, done)
	default:
		return fieldtext.Errorf("%s: all %d epochs are done; give {epochs} more than %d to go on", dir, total, done)
	}
}

func launch(ctx context.Context, t *trainer, opts []Options) (*Run, error) {
	if len(opts) > 0 {
		t.opt = opts[0]
	}
	if t.opt.CheckpointEvery == 0 {
		t.opt.CheckpointEvery = 30 * time.Second
	}
	if t.opt.ProgressEvery == 0 {
		t.opt.ProgressEvery = 100 * time.Millisecond
	}
	if t.opt.WriteEvery == 0 {
		t.opt.WriteEvery = time.Second
	}
	if t.opt.Now == nil {
		t.opt.Now = time.Now
	}
	r := &Run{events: make(chan Event, 64), q: newQueue(), done: make(chan struct{}), wake: make(chan struct{}, 1)}
	t.run = r
	go r.q.forward(r.events)
	go func() {
		defer close(r.done)
		defer r.q.close()
		r.summary, r.err = t.main(ctx)
	}()
	return r, nil
}

// trainer is the state of the training goroutine.
type trainer struct {
	cfg    Config
	opt    Options
	run    *Run
	dir    string
	resume *checkpoint
	lock   *runlock.Lock // the run directory's, held from setup to the end

	// weightsOK says the network holds the weights of a whole step (set
	// up, restored or trained): they may be saved whatever else failed.
	weightsOK   bool
	metricsRows int // rows of history in metrics.csv
	eventsRows  int // entries of log in events.jsonl

	data    *Data
	net     *nn.MLP
	optim   nn.Optimizer
	good    []float32 // parameters at the last epoch end with a finite loss
	goodBuf []float32 // and the network's buffers (BatchNorm's running statistics) then
	goodAt  int       // the epoch they are from
	// cand holds an epoch end's parameters (and buffers) that wait for
	// the next step to prove them: without a validation part only that
	// step's forward pass shows whether they overflow (candAt: their
	// epoch; candDue: waiting).
	cand, candBuf []float32
	candAt        int
	candDue       bool
	// kept is the best epoch's network by validation (Config.Keep best,
	// with a validation split; else nil), from epoch keptAt (0: none yet).
	kept       *nn.MLP
	keptAt     int
	rolledBack bool // net holds the weights of epoch goodAt
	history    []EpochMetrics
	log        []LogEntry
	summary    Summary

	epoch     int   // epochs completed
	batch     int   // batches completed in the epoch under way
	step      int64 // optimizer steps taken
	batches   int   // batches per epoch
	batchSize int
	baseLR    float64
	dropout   float64
	trainSecs float64   // training time, evaluation and pauses excluded
	lastSave  time.Time // model and checkpoint
	savedStep int64     // the step and epoch of the checkpoint on disk
	savedAt   int
	modelStep int64 // the step and epoch of the model file on disk
	modelAt   int
	lastWrite time.Time // metrics, events and summary

	// sums over the epoch under way
	lossSum float64
	correct int
	seen    int

	x, xEval nn.Matrix
	y        []int32
	idx      []int
	augRNG   *rngSource
	mixer    *mixer  // nil without mixup
	lrScale  float64 // reduce-on-plateau's factor (1 until a plateau)

	plane        *Plane               // a data set of two features: its plane
	nextBoundary time.Time            // when the next boundary is due
	stats        *statsCollector      // nil with Options.NoLayerStats
	nextStats    time.Time            // when the next statistics are due
	nextForced   time.Time            // when an epoch's last step may take them, however recent the last
	lastStats    *NetStats            // the latest statistics
	statsSent    bool                 // lastStats went out with a Progress event
	layerRows    []LayerRow           // rows of layers.csv not yet written
	raised       map[string]int       // layer and flag -> the epoch its warning was last logged
	flagsBefore  map[string]LayerFlag // each layer's flags at the last collection
	samples      []int                // indices in sampled of the samples whose predictions events carry
	// sampled is the part of the data set the samples are from.
	sampled *datasets.Dataset
}

func (t *trainer) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = t.opt.Now()
	}
	t.run.q.push(e)
}

// main runs the whole life of a run and returns its summary.
func (t *trainer) main(ctx context.Context) (sum *Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
			t.weightsOK = false // perhaps caught in the middle of a step
			t.logEvent("fail", fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
			sum = t.finish(StatusFailed, err.Error())
		}
		// Released after the last write and before the last event:
		// whoever sees that may resume the run at once.
		t.unlock()
		if err != nil {
			t.emit(Event{Kind: Failed, Err: err, Summary: sum, Epoch: t.epoch, Step: t.step})
		}
	}()
	if err := t.setup(ctx); err != nil {
		if t.dir != "" && t.resume == nil {
			return t.finish(StatusFailed, err.Error()), err
		}
		return nil, err
	}
	status, msg, err := t.loop(ctx)
	if err != nil {
		s := t.finish(StatusFailed, err.Error())
		if more, ok := strings.CutPrefix(s.Message, err.Error()); ok && more != "" {
			err = fmt.Errorf("%w%s", err, more) // what was saved all the same
		}
		return s, err
	}
	if status != StatusInterrupted {
		t.evalTest()
	}
	s := t.finish(status, msg)
	if s.Status == StatusFailed {
		return s, errors.New(s.Message)
	}
	t.unlock()
	var final *Boundary
	if t.plane != nil {
		t.nextBoundary = time.Time{}
		final = t.boundaryDue(t.opt.Now())
	}
	t.emit(Event{Kind: Finished, Summary: s, Message: s.Message, Epoch: t.epoch, Step: t.step, Boundary: final})
	return s, nil
}

// setup loads the data, builds or restores the network and optimizer, and
// creates or reopens the run directory.
func (t *trainer) setup(ctx context.Context) error {
	cfg := t.cfg
	threads := cfg.Threads
	if threads == 0 {
		threads = t.opt.Threads
	}
	nn.SetThreads(threads)
	prec, _ := nn.ParsePrecision(cfg.Precision) // checked by Validate
	if _, note := nn.SetPrecision(prec); note != "" {
		t.emit(Event{Kind: Loading, Message: note})
	}
	data, err := loadData(ctx, cfg, nil, true, t.emit)
	if err != nil {
		return err
	}
	var white *nn.Whitening // a resumed run keeps its whitening
	if t.resume != nil {
		white = t.resume.model.Whiten
	}
	if err := data.whiten(ctx, cfg, white, t.emit); err != nil {
		return err
	}
	t.data = data
	n := data.Train.Len()
	t.batchSize = cfg.Batch
	if t.batchSize == 0 || t.batchSize > n {
		t.batchSize = n
	}
	t.batches = (n + t.batchSize - 1) / t.batchSize
	var arch nn.Arch
	if t.net, t.optim, arch, err = newNetwork(cfg, data); err != nil {
		return err
	}
	if cfg.Mixup > 0 {
		t.mixer = newMixer(cfg.Mixup)
	}
	if cfg.Keep == KeepBest && data.Val != nil {
		if t.kept, err = nn.NewZero(arch); err != nil {
			return err
		}
	}
	t.baseLR, t.dropout = cfg.LR, cfg.Dropout
	now := t.opt.Now()
	t.summary = Summary{Dataset: cfg.Dataset, Preset: cfg.Preset, Arch: arch.String(), Params: arch.ParamCount(),
		Started: now, PID: os.Getpid(), Host: runlock.Hostname(), Version: Version}
	if err := t.openRunDir(data, now); err != nil {
		return err
	}
	t.summary.Run = t.dir
	t.weightsOK = true
	t.good, t.goodBuf, t.goodAt = slices.Clone(t.net.Params), slices.Clone(t.net.Buffers), t.epoch
	t.lrScale = plateauFactor(t.history, cfg.Plateau)
	t.net.SetDropout(t.dropout)
	t.x.Resize(t.batchSize, data.Train.Dim())
	t.idx = make([]int, n)
	t.augRNG = newRNGSource()
	if !t.opt.NoLayerStats {
		t.stats = newStatsCollector(t.net)
		t.raised, t.flagsBefore = map[string]int{}, map[string]LayerFlag{}
	}
	if err := t.writeProgress(StatusRunning, ""); err != nil {
		return err
	}
	val := 0
	if data.Val != nil {
		val = data.Val.Len()
	}
	// While it trains, a run shows samples of its validation part (of
	// its training part without one): the test set is for the end.
	from, of := data.Val, SamplesVal
	if from == nil || from.Len() == 0 {
		from, of = data.Train, SamplesTrain
	}
	samples := t.pickSamples(from)
	if t.opt.Boundary && HasPlane(data.Train) {
		t.plane = NewPlane(data.Train, data.Test)
	}
	t.emit(Event{Kind: Started, Epoch: t.epoch + 1, Step: t.step, Info: &RunInfo{
		Dir: t.dir, Config: cfg, Arch: arch.String(), Params: arch.ParamCount(), Classes: data.Train.Classes,
		InputShape: data.Train.Shape, Train: n, Val: val, Test: data.Test.Len(), Batches: t.batches,
		StartEpoch: t.epoch, StartStep: t.step, Samples: samples, Plane: t.plane,
		SamplesOf: of, SamplesFrom: from.Len(), Features: data.Features(),
	}, Predictions: t.predictSamples()})
	return nil
}

// openRunDir restores a resumed run from its checkpoint and updates its
// config.json, or creates and locks a new run's directory and writes its
// config.json and first model file; each logs its event.
func (t *trainer) openRunDir(data *Data, now time.Time) error {
	cfg := t.cfg
	if t.resume != nil {
		if err := t.restore(); err != nil {
			return err
		}
		if err := updateConfig(t.dir, cfg); err != nil {
			return err
		}
		t.logEvent("resume", fmt.Sprintf("resumed at epoch %d, step %d", t.epoch, t.step))
	} else {
		var err error
		if t.dir, err = createRunDir(cfg.RunsDir, DatasetName(cfg.Dataset), cfg.Name, now); err != nil {
			return err
		}
		if t.lock, err = lockRun(t.dir); err != nil {
			return err
		}
		t.summary.Run = t.dir // a run that fails from here on says where it is
		if err := writeJSON(filepath.Join(t.dir, ConfigFile), configFile{Version: Version, Created: now, Config: cfg, Table: data.Table}); err != nil {
			return err
		}
		t.logEvent("start", "")
		if err := t.save(); err != nil { // a model file exists from the first moment
			return err
		}
	}
	return nil
}

// newNetwork builds the network cfg describes for data, initialized from
// cfg.Seed, with its L2 penalty and class weights, and a fresh optimizer at cfg.LR. Dropout
// is for the caller to set.
func newNetwork(cfg Config, data *Data) (*nn.MLP, nn.Optimizer, nn.Arch, error) {
	arch := nn.Arch{Inputs: data.Train.Dim(), Hidden: cfg.Hidden, Classes: len(data.Train.Classes),
		Activation: cfg.Activation, LeakySlope: cfg.LeakySlope}
	if cfg.Norm != nn.NoNorm {
		arch.Norm = cfg.Norm
	}
	if cfg.Block == nn.ResidualBlock {
		arch.Block, arch.Expansion = cfg.Block, cfg.Expansion
	}
	net, err := nn.New(arch, cfg.Seed)
	if err != nil {
		return nil, nil, arch, &FieldError{Field: "hidden", Err: err}
	}
	net.L2 = float32(cfg.L2)
	net.LabelSmoothing = float32(cfg.LabelSmoothing)
	net.ClassWeights = ClassWeights(cfg.ClassWeight, data.Train.ClassCounts())
	var optim nn.Optimizer
	switch cfg.Optimizer {
	case "sgd":
		optim = nn.NewSGD(len(net.Params), cfg.LR, cfg.Momentum, cfg.Nesterov)
	default:
		optim = nn.NewAdam(len(net.Params), cfg.LR)
	}
	return net, optim, arch, nil
}

// loop trains until the last epoch, a stop, an interrupt or divergence.
func (t *trainer) loop(ctx context.Context) (status Status, msg string, err error) {
	cfg := t.cfg
	total := int64(cfg.Epochs) * int64(t.batches)
	train := t.data.Train
	dim := train.Dim()
	for t.epoch < cfg.Epochs {
		for i := range t.idx {
			t.idx[i] = i
		}
		nn.NewRNG(cfg.Seed, streamShuffle, uint64(t.epoch)).Shuffle(t.idx)
		epochStart := t.opt.Now()
		epochSecs := 0.0
		lastProgress := time.Time{}
		for t.batch < t.batches {
			if t.run.hasCtl.Load() {
				if st, m := t.controls(ctx); st != "" {
					return st, m, nil
				}
				epochStart = t.opt.Now().Add(-time.Duration(epochSecs * float64(time.Second)))
			}
			if ctx.Err() != nil {
				return t.interrupt()
			}
			lo := t.batch * t.batchSize
			hi := min(lo+t.batchSize, train.Len())
			idx := t.idx[lo:hi]
			t.x.Resize(len(idx), dim)
			t.y = t.y[:0]
			for _, i := range idx {
				t.y = append(t.y, train.Y[i])
			}
			t.step++
			t.augRNG.seed(cfg.Seed, streamAugment, uint64(t.step))
			train.Batch(t.x.Data, idx, t.data.Norm, t.data.Augment, t.augRNG.rand)
			t.net.SeedDropout(cfg.Seed, streamDropout, uint64(t.step))
			var loss float64
			var correct int
			if t.mixer != nil {
				y2, lam := t.mixer.mix(&t.x, t.y, cfg.Seed, t.step)
				loss, correct = t.net.TrainBatchMix(&t.x, t.y, y2, lam)
			} else {
				loss, correct = t.net.TrainBatch(&t.x, t.y)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				t.statsAtDivergence()
				return t.diverged(loss)
			}
			t.proveCandidate()
			lr := lrWarm(cfg.Schedule, t.baseLR, t.step, total, int64(cfg.Warmup)*int64(t.batches)) * t.lrScale
			t.optim.SetLR(lr)
			collect := t.statsDue(len(idx))
			if collect {
				t.stats.beforeStep(t.epoch+1, t.step, lr)
			}
			if cfg.WeightDecay > 0 {
				t.net.DecayWeights(float32(lr * cfg.WeightDecay))
			}
			t.optim.Step(t.net.Params, t.net.Grads)
			if collect {
				t.statsTaken(lr, loss)
			}
			t.batch++
			t.lossSum += loss * float64(len(idx))
			t.correct += correct
			t.seen += len(idx)
			now := t.opt.Now()
			epochSecs = now.Sub(epochStart).Seconds()
			if now.Sub(lastProgress) >= t.opt.ProgressEvery || t.batch == t.batches {
				lastProgress = now
				t.emit(Event{Kind: Progress, Time: now, Epoch: t.epoch + 1, Step: t.step, Batch: t.batch, Batches: t.batches,
					SamplesPerSec: float64(t.seen) / math.Max(epochSecs, 1e-9),
					Loss:          t.lossSum / float64(t.seen), Accuracy: float64(t.correct) / float64(t.seen),
					Boundary: t.boundaryDue(now), Layers: t.statsToSend()})
			}
			if t.opt.StopAfterStep > 0 && t.step >= t.opt.StopAfterStep {
				t.trainSecs += epochSecs
				return t.stop()
			}
		}
		t.trainSecs += epochSecs
		if err := t.endEpoch(epochSecs); err != nil {
			return "", "", err
		}
		if n := sinceBetterLoss(t.history); cfg.Patience > 0 && n >= cfg.Patience && t.epoch < cfg.Epochs {
			msg := fmt.Sprintf("stopped early after epoch %d: no better validation loss for %d epochs", t.epoch, n)
			t.logEvent("early-stop", msg)
			return StatusDone, msg, nil
		}
	}
	return StatusDone, fmt.Sprintf("%d epochs done", t.epoch), nil
}

// endEpoch evaluates on the validation part, records the metrics and saves
// what is due.
func (t *trainer) endEpoch(epochSecs float64) error {
	m := EpochMetrics{
		Epoch: t.epoch + 1, Step: t.step, Seconds: t.trainSecs, LR: t.optim.LR(),
		TrainLoss: t.lossSum / float64(t.seen), TrainAcc: float64(t.correct) / float64(t.seen),
		ValLoss: math.NaN(), ValAcc: math.NaN(), SamplesPerSec: float64(t.seen) / math.Max(epochSecs, 1e-9),
	}
	if t.data.Val != nil {
		m.ValLoss, m.ValAcc, m.Confusion = t.evaluate(t.data.Val)
	}
	t.epoch++
	t.batch, t.lossSum, t.correct, t.seen = 0, 0, 0, 0
	t.history = append(t.history, m)
	if f := plateauFactor(t.history, t.cfg.Plateau); f != t.lrScale {
		t.lrScale = f
		t.logEvent("plateau", fmt.Sprintf("no lower validation loss for %d epochs: learning rate × %g from step %d", t.cfg.Plateau, f, t.step+1))
	}
	// Weights are good when they are finite and give a finite validation
	// loss: weights that already overflow the forward pass are not kept,
	// even though the step that made them had a finite loss. Without a
	// validation part the next step's loss proves them.
	switch {
	case nn.CheckFinite(t.net.Params) != nil:
	case t.data.Val == nil:
		t.candidate()
	case !math.IsNaN(m.ValLoss) && !math.IsInf(m.ValLoss, 0):
		copy(t.good, t.net.Params)
		copy(t.goodBuf, t.net.Buffers)
		t.goodAt = t.epoch
		if t.kept != nil && bestEpoch(t.history) == len(t.history)-1 {
			t.kept.CopyFrom(t.net)
			t.keptAt = t.epoch
		}
	}
	if s := t.lastStats; s != nil && s.Epoch == t.epoch {
		t.layerRows = append(t.layerRows, layerRows(s)...)
	}
	t.emit(Event{Kind: EpochEnd, Epoch: m.Epoch, Step: t.step, Metrics: &m, Predictions: t.predictSamples()})
	now := t.opt.Now()
	checkpoint := now.Sub(t.lastSave) >= t.opt.CheckpointEvery
	if checkpoint || now.Sub(t.lastWrite) >= t.opt.WriteEvery {
		if err := t.writeProgress(StatusRunning, ""); err != nil {
			return err
		}
	}
	if checkpoint {
		if err := t.save(); err != nil {
			return err
		}
		t.emit(Event{Kind: Checkpoint, Epoch: t.epoch, Step: t.step, Message: "checkpoint saved"})
	}
	return nil
}

// controls applies pending controls; while paused it waits for resume,
// stop or cancellation. It returns a final status when the run must end.
func (t *trainer) controls(ctx context.Context) (status Status, msg string) {
	paused := false
	for {
		for _, c := range t.run.takeControls() {
			switch c.kind {
			case ControlPause:
				if !paused {
					paused = true
					t.logEvent("pause", "")
					t.emit(Event{Kind: Paused, Epoch: t.epoch + 1, Step: t.step, Message: "paused"})
				}
			case ControlResume:
				if paused {
					paused = false
					t.logEvent("continue", "")
					t.emit(Event{Kind: Resumed, Epoch: t.epoch + 1, Step: t.step})
				}
			case ControlStop:
				st, m, _ := t.stop()
				return st, m
			case ControlLR, ControlDropout:
				t.edit(c.kind.field(), c.value)
			}
		}
		if !paused {
			return "", ""
		}
		t.writeProgress(StatusRunning, "paused")
		select {
		case <-t.run.wake:
		case <-ctx.Done():
			st, m, _ := t.interrupt()
			return st, m
		}
	}
}

// edit applies a learning rate or dropout change from the next step on.
func (t *trainer) edit(field string, v float64) {
	var old float64
	switch field {
	case "lr":
		if !(v > 0) || v > 10 {
			t.emit(Event{Kind: EditDone, Field: field, Value: t.baseLR, Epoch: t.epoch + 1, Step: t.step,
				Message: fmt.Sprintf("learning rate %v refused: want > 0 and <= 10", v)})
			return
		}
		old, t.baseLR = t.baseLR, v
	case "dropout":
		if !(v >= 0 && v < 1) {
			t.emit(Event{Kind: EditDone, Field: field, Value: t.dropout, Epoch: t.epoch + 1, Step: t.step,
				Message: fmt.Sprintf("dropout %v refused: want a probability in [0, 1)", v)})
			return
		}
		old, t.dropout = t.dropout, v
		t.net.SetDropout(v)
	}
	e := LogEntry{Time: t.opt.Now(), Event: "edit", Epoch: t.epoch + 1, Step: t.step, Field: field, Value: &v, Old: &old,
		Message: fmt.Sprintf("%s %g -> %g from step %d", field, old, v, t.step+1)}
	t.log = append(t.log, e)
	t.flushEvents()
	t.emit(Event{Kind: EditDone, Field: field, Value: v, Epoch: t.epoch + 1, Step: t.step, Message: e.Message})
}

func (t *trainer) stop() (Status, string, error) {
	t.logEvent("stop", "")
	return StatusStopped, fmt.Sprintf("stopped at epoch %d, step %d", t.epoch+1, t.step), nil
}

func (t *trainer) interrupt() (Status, string, error) {
	t.logEvent("interrupt", "")
	return StatusInterrupted, fmt.Sprintf("interrupted at epoch %d, step %d", t.epoch+1, t.step), nil
}

// candidate keeps the epoch end's weights until the next step proves
// them (see cand).
func (t *trainer) candidate() {
	if t.cand == nil {
		t.cand, t.candBuf = make([]float32, len(t.net.Params)), make([]float32, len(t.net.Buffers))
	}
	copy(t.cand, t.net.Params)
	copy(t.candBuf, t.net.Buffers)
	t.candAt, t.candDue = t.epoch, true
}

// proveCandidate makes the waiting epoch end's weights the good ones: the
// step that just ran on them had a finite loss.
func (t *trainer) proveCandidate() {
	if !t.candDue {
		return
	}
	t.good, t.cand = t.cand, t.good
	t.goodBuf, t.candBuf = t.candBuf, t.goodBuf
	t.goodAt, t.candDue = t.candAt, false
}

// diverged puts back the parameters of the last good epoch end and ends
// the run. The optimizer state is not saved: the checkpoint on disk stays
// the last good one. The message names the epochs as metrics.csv and the
// summary count them: the last one complete and the one the model is from.
func (t *trainer) diverged(loss float64) (Status, string, error) {
	copy(t.net.Params, t.good)
	copy(t.net.Buffers, t.goodBuf)
	t.rolledBack, t.candDue = true, false
	kept := "the initial weights (no epoch ended with finite weights and loss)"
	if _, at := t.modelNet(); at > 0 {
		kept = fmt.Sprintf("the model of epoch %d", at)
		if t.kept != nil && t.keptAt > 0 {
			kept += " (the best by validation)"
		}
	}
	when := fmt.Sprintf("after epoch %d", t.epoch)
	if t.epoch == 0 {
		when = "in epoch 1 (none complete)"
	}
	msg := fmt.Sprintf("loss became %v at step %d, %s; kept %s; try a lower learning rate than %g",
		loss, t.step, when, kept, t.baseLR)
	t.logEvent("diverged", msg)
	t.batch, t.lossSum, t.correct, t.seen = 0, 0, 0, 0
	return StatusDiverged, msg, nil
}

// evaluate returns the mean loss, the accuracy and the confusion matrix of
// the network on a data set.
func (t *trainer) evaluate(d *datasets.Dataset) (loss, acc float64, conf [][]int) {
	return evaluate(t.net, d, t.data.Norm, &t.xEval)
}

// evalTest measures the run's model on the test set, once, at the end.
func (t *trainer) evalTest() {
	net, _ := t.modelNet()
	loss, acc, _ := evaluate(net, t.data.Test, t.data.Norm, &t.xEval)
	t.summary.TestLoss, t.summary.TestAccuracy = ptr(loss), ptr(acc)
}

// finish saves everything and writes the final summary. A run with a
// directory and finite weights saves its model and checkpoint whatever
// ended it, a failure too (a full disk that had no room for a line of
// metrics.csv may have room for the model once more).
func (t *trainer) finish(status Status, msg string) *Summary {
	if t.dir == "" {
		return nil
	}
	if status == StatusFailed && t.weightsOK && nn.CheckFinite(t.net.Params) == nil {
		msg += t.saveAfterFailure()
	} else if status != StatusDiverged && status != StatusFailed && t.weightsOK && nn.CheckFinite(t.net.Params) == nil {
		if err := t.saveModel(); err != nil {
			status, msg = StatusFailed, err.Error()
		} else if err := t.saveCheckpoint(); err != nil {
			// The model is final and the run keeps its status; only a
			// resume goes back to the checkpoint before (written whole).
			msg = fmt.Sprintf("%s; but the checkpoint could not be saved (%v), so a resume starts from the one of step %d (epoch %d)",
				msg, err, t.savedStep, t.savedAt)
		}
	} else if status == StatusDiverged {
		// The checkpoint on disk is the last good one; the model file gets
		// the last good weights.
		if err := t.saveModel(); err != nil {
			status, msg = StatusFailed, err.Error()
		}
	}
	switch status {
	case StatusDone:
		t.logEvent("finish", msg)
	case StatusFailed:
		if len(t.log) == 0 || t.log[len(t.log)-1].Event != "fail" {
			t.logEvent("fail", msg)
		}
	}
	if err := t.writeProgress(status, msg); err != nil && status != StatusFailed {
		// The files on disk still say the run is running (runs will call
		// it crashed); the caller must hear that they are not final.
		t.summary.Status, t.summary.Message = StatusFailed, fmt.Sprintf("%s; but the run's files could not be updated: %v", msg, err)
	}
	s := t.summary
	return &s
}

// saveAfterFailure saves the model and the checkpoint of a run that
// failed (a file it could not write, the data) with weights that are
// whole, and says what it saved.
func (t *trainer) saveAfterFailure() string {
	if err := t.saveModel(); err != nil {
		return fmt.Sprintf("; the model could not be saved either (%v): %s is the one of step %d (epoch %d)",
			cause(err), ModelFile, t.modelStep, t.modelAt)
	}
	if err := t.saveCheckpoint(); err != nil {
		what := fmt.Sprintf("the model of step %d (epoch %d)", t.step, t.epoch)
		if t.modelAt != t.epoch {
			what = fmt.Sprintf("the model (the best, of epoch %d)", t.modelAt)
		}
		return fmt.Sprintf("; %s was saved, not the checkpoint (%v): a resume starts from step %d (epoch %d)",
			what, cause(err), t.savedStep, t.savedAt)
	}
	return fmt.Sprintf("; the model and checkpoint of step %d (epoch %d) were saved: resume once the cause is mended", t.step, t.epoch)
}

// cause is the innermost error of a chain: "no space left on device",
// where the whole names the file already said.
func cause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// writeProgress rewrites metrics.csv, events.jsonl and summary.json.
func (t *trainer) writeProgress(status Status, msg string) error {
	s := &t.summary
	s.Status, s.Message, s.Epochs, s.Steps = status, msg, t.epoch, t.step
	s.Updated = t.opt.Now()
	t.lastWrite = s.Updated
	s.TrainSeconds = t.trainSecs
	s.BestValAccuracy, s.BestValLoss, s.BestValEpoch = nil, nil, 0
	if b := bestEpoch(t.history); b >= 0 {
		h := t.history[b]
		s.BestValAccuracy, s.BestValLoss, s.BestValEpoch = ptr(h.ValAcc), ptr(h.ValLoss), h.Epoch
	}
	_, s.ModelEpoch = t.modelNet()
	s.TrainLoss, s.TrainAccuracy, s.ValLoss, s.ValAccuracy = nil, nil, nil, nil
	samples := float64(len(t.history)) * float64(t.data.Train.Len())
	if n := len(t.history); n > 0 {
		last := t.history[n-1]
		s.TrainLoss, s.TrainAccuracy = ptr(last.TrainLoss), ptr(last.TrainAcc)
		if !math.IsNaN(last.ValAcc) {
			s.ValLoss, s.ValAccuracy = ptr(last.ValLoss), ptr(last.ValAcc)
		}
	}
	samples += float64(t.seen)
	s.SettingsAtEnd = map[string]float64{"lr": t.baseLR, "dropout": t.dropout}
	s.Edits = editsOf(t.log)
	if t.trainSecs > 0 {
		s.SamplesPerSecond = samples / t.trainSecs
	}
	var merr error
	if t.metricsRows < len(t.history) || t.metricsRows == 0 {
		if merr = appendMetrics(filepath.Join(t.dir, MetricsFile), t.history[t.metricsRows:]); merr == nil {
			t.metricsRows = len(t.history)
		}
	}
	var lerr error
	if len(t.layerRows) > 0 {
		if lerr = appendLayers(filepath.Join(t.dir, LayersFile), t.layerRows); lerr == nil {
			t.layerRows = t.layerRows[:0]
		}
	}
	return errors.Join(merr, lerr, t.flushEvents(), writeJSON(filepath.Join(t.dir, SummaryFile), s))
}

// flushEvents appends the entries of the log not yet in events.jsonl. A
// failed append is tried again with the next.
func (t *trainer) flushEvents() error {
	if t.dir == "" || t.eventsRows == len(t.log) {
		return nil
	}
	if err := appendEvents(filepath.Join(t.dir, EventsFile), t.log[t.eventsRows:]); err != nil {
		return err
	}
	t.eventsRows = len(t.log)
	return nil
}

// unlock releases the run directory's lock, once.
func (t *trainer) unlock() {
	if t.lock != nil {
		t.lock.Release()
		t.lock = nil
	}
}

// ptr points to v, or is nil for a NaN or infinite v: JSON has no such
// numbers (summary.json would not be written at all), and a loss that
// overflowed is no measurement.
func ptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func (t *trainer) logEvent(event, msg string) {
	t.log = append(t.log, LogEntry{Time: t.opt.Now(), Event: event, Epoch: t.epoch, Step: t.step, Message: msg})
	t.flushEvents()
}

// modelNet returns the run's model and the epoch its weights are from:
// the best epoch's when the run keeps the best and has one, else the
// network as trained (the last good epoch's after a divergence).
func (t *trainer) modelNet() (*nn.MLP, int) {
	switch {
	case t.kept != nil && t.keptAt > 0:
		return t.kept, t.keptAt
	case t.rolledBack:
		return t.net, t.goodAt
	}
	return t.net, t.epoch
}

// model returns a network with what classify needs to use it; epoch is
// the epoch its weights are from.
func (t *trainer) model(net *nn.MLP, epoch int) *nn.Model {
	m := &nn.Model{
		Net: net, Classes: t.data.Train.Classes, InputShape: t.data.Train.Shape,
		Mean: t.data.Norm.Mean, Std: t.data.Norm.Std, Whiten: t.data.Norm.Whiten,
		Info: map[string]string{"dataset": t.cfg.Dataset, "mlptui_version": Version, "epoch": strconv.Itoa(epoch)},
	}
	if t.data.Table != nil {
		m.Info[PreprocessingKey] = t.data.Table.Marshal()
	}
	return m
}

// save writes the model and the checkpoint.
func (t *trainer) save() error {
	if err := t.saveModel(); err != nil {
		return err
	}
	return t.saveCheckpoint()
}

// saveModel writes the model file and notes of which step.
func (t *trainer) saveModel() error {
	net, epoch := t.modelNet()
	if err := nn.SaveModel(filepath.Join(t.dir, ModelFile), t.model(net, epoch)); err != nil {
		return err
	}
	t.modelStep, t.modelAt = t.step, epoch
	return nil
}

// saveCheckpoint writes the checkpoint and notes when, and of which step.
func (t *trainer) saveCheckpoint() error {
	if err := t.writeCheckpoint(); err != nil {
		return err
	}
	t.lastSave = t.opt.Now()
	t.savedStep, t.savedAt = t.step, t.epoch
	return nil
}

// pickSamples chooses Options.Samples samples of test (a part of the
// data set: validation while training, test for a saved model), the same
// for every run with the same seed; predictSamples predicts them.
func (t *trainer) pickSamples(test *datasets.Dataset) []Sample {
	t.sampled = test
	n := min(t.opt.Samples, test.Len())
	if n <= 0 {
		return nil
	}
	idx := make([]int, test.Len())
	for i := range idx {
		idx[i] = i
	}
	nn.NewRNG(t.cfg.Seed, streamSamples).Shuffle(idx)
	t.samples = idx[:n]
	dim := test.Dim()
	out := make([]Sample, n)
	for j, i := range t.samples {
		out[j] = Sample{Index: i, Label: int(test.Y[i])}
		if test.IsImage() {
			out[j].Pix = slices.Clone(test.Pix[i*dim : (i+1)*dim])
		} else {
			out[j].X = slices.Clone(test.X[i*dim : (i+1)*dim])
		}
		if i < len(t.data.TestCells) {
			out[j].Cells = t.data.TestCells[i]
		}
	}
	return out
}

// predictSamples returns the class probabilities of the chosen samples.
func (t *trainer) predictSamples() [][]float32 {
	if len(t.samples) == 0 {
		return nil
	}
	test := t.sampled
	t.xEval.Resize(len(t.samples), test.Dim())
	test.Batch(t.xEval.Data, t.samples, t.data.Norm, datasets.Augment{}, nil)
	p := t.net.Predict(&t.xEval)
	out := make([][]float32, p.Rows)
	for i := range out {
		out[i] = p.Row(i)
	}
	return out
}
