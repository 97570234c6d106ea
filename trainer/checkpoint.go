package trainer

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/nn"
)

// Checkpoint file format: a safetensors file holding the model's tensors
// (as in a model file), the optimizer's per-parameter state as
// "optimizer.<name>" tensors over the flat parameter buffer, and in its
// metadata, besides the model's entries (with format "mlptui.checkpoint"):
//
//	step, epoch, batch      steps taken, epochs completed, batches done in the next epoch
//	optimizer               adam or sgd; optimizer_step its own step count
//	base_lr, dropout        the settings in force (edits included)
//	train_seconds           training time so far
//	loss_sum, correct, seen the running sums of the epoch under way
//	kept_epoch              the epoch of the best weights so far, which are
//	                        the tensors named "kept." + a model tensor's name
//	                        (only in a run that keeps the best, once it has one)
//
// Numbers are written so that they read back exactly.
const CheckpointFormat = "mlptui.checkpoint"

// keptPrefix starts the names of the kept model's tensors in a checkpoint.
const keptPrefix = "kept."

type checkpoint struct {
	model   *nn.Model
	kept    map[string]nn.Tensor // the kept model's tensors, by model tensor name
	keptAt  int
	opt     nn.OptimizerState
	step    int64
	epoch   int
	batch   int
	baseLR  float64
	dropout float64
	secs    float64
	lossSum float64
	correct int
	seen    int
}

func (t *trainer) writeCheckpoint() error {
	m := t.model(t.net, t.epoch)
	meta := m.Metadata()
	meta["format"] = CheckpointFormat
	st := t.optim.State()
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for k, v := range map[string]string{
		"step": strconv.FormatInt(t.step, 10), "epoch": strconv.Itoa(t.epoch), "batch": strconv.Itoa(t.batch),
		"optimizer": st.Name, "optimizer_step": strconv.FormatInt(st.Step, 10),
		"base_lr": f(t.baseLR), "dropout": f(t.dropout), "train_seconds": f(t.trainSecs),
		"loss_sum": f(t.lossSum), "correct": strconv.Itoa(t.correct), "seen": strconv.Itoa(t.seen),
	} {
		meta[k] = v
	}
	ts := m.Tensors()
	if t.kept != nil && t.keptAt > 0 {
		meta["kept_epoch"] = strconv.Itoa(t.keptAt)
		for _, k := range t.kept.Tensors() {
			k.Name = keptPrefix + k.Name
			ts = append(ts, k)
		}
	}
	names := make([]string, 0, len(st.Tensors))
	for name := range st.Tensors {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := st.Tensors[name]
		ts = append(ts, nn.Tensor{Name: "optimizer." + name, Shape: []int{len(v)}, Data: v})
	}
	return nn.SaveSafetensors(filepath.Join(t.dir, CheckpointFile), ts, meta)
}

func readCheckpoint(path string) (*checkpoint, error) {
	ts, meta, err := nn.LoadSafetensors(path)
	if err != nil {
		return nil, err
	}
	m, err := nn.ModelFromTensors(ts, meta, CheckpointFormat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ck := &checkpoint{model: m, opt: nn.OptimizerState{Name: meta["optimizer"], Tensors: map[string][]float32{}}}
	var errs []string
	integer := func(key string) int64 {
		v, err := strconv.ParseInt(meta[key], 10, 64)
		if err != nil || v < 0 {
			errs = append(errs, key)
		}
		return v
	}
	float := func(key string) float64 {
		v, err := strconv.ParseFloat(meta[key], 64)
		if err != nil {
			errs = append(errs, key)
		}
		return v
	}
	ck.step = integer("step")
	ck.epoch = int(integer("epoch"))
	ck.batch = int(integer("batch"))
	ck.opt.Step = integer("optimizer_step")
	ck.correct = int(integer("correct"))
	ck.seen = int(integer("seen"))
	ck.baseLR, ck.dropout = float("base_lr"), float("dropout")
	ck.secs, ck.lossSum = float("train_seconds"), float("loss_sum")
	if _, ok := meta["kept_epoch"]; ok {
		ck.keptAt = int(integer("kept_epoch"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: bad or missing metadata %v", path, errs)
	}
	if err := ck.validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for name, t := range ts {
		if after, ok := strings.CutPrefix(name, "optimizer."); ok {
			ck.opt.Tensors[after] = t.Data
		}
		if after, ok := strings.CutPrefix(name, keptPrefix); ok {
			if ck.kept == nil {
				ck.kept = map[string]nn.Tensor{}
			}
			ck.kept[after] = t
		}
	}
	return ck, nil
}

// checkpointKeys names the metadata key of each Config field a checkpoint
// holds.
var checkpointKeys = map[string]string{"lr": "base_lr", "dropout": "dropout", "optimizer": "optimizer",
	"epochs": "epoch", "hidden": "arch", "activation": "arch", "leaky-slope": "arch"}

// LoadModel reads a model file (see nn.LoadModel) and checks its network
// with the rules of a Config: a model whose hidden layers, activation or
// leaky slope no Config could have made is refused, naming the file.
func LoadModel(path string) (*nn.Model, error) {
	m, err := nn.LoadModel(path)
	if err != nil {
		return nil, err
	}
	if err := checkArch(m.Net.Arch); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// checkArch checks a network read from a file with a Config's rules for
// the fields it holds.
func checkArch(a nn.Arch) error {
	c := Defaults()
	c.Hidden, c.Activation, c.LeakySlope = a.Hidden, a.Activation, a.LeakySlope
	for _, p := range c.Problems() {
		if checkpointKeys[p.Field] == "arch" {
			return fmt.Errorf("arch: %s", p.Problem)
		}
	}
	return nil
}

// validate checks a checkpoint's settings with the rules of a Config (one
// place for each rule: a learning rate, a dropout, an optimizer or a
// network a Config refuses is refused here too, naming the metadata key)
// and its counters against each other.
func (ck *checkpoint) validate() error {
	c := Defaults()
	c.LR, c.Dropout, c.Optimizer, c.Epochs = ck.baseLR, ck.dropout, ck.opt.Name, max(ck.epoch, 1)
	a := ck.model.Net.Arch
	c.Hidden, c.Activation, c.LeakySlope = a.Hidden, a.Activation, a.LeakySlope
	for _, p := range c.Problems() {
		if key, ok := checkpointKeys[p.Field]; ok {
			return fmt.Errorf("%s: %s", key, p.Problem)
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
	switch {
	case !finite(ck.secs):
		return fmt.Errorf("train_seconds: %v; want a finite time >= 0", ck.secs)
	case !finite(ck.lossSum):
		return fmt.Errorf("loss_sum: %v; want a finite sum >= 0", ck.lossSum)
	case ck.correct > ck.seen:
		return fmt.Errorf("correct: %d of %d seen", ck.correct, ck.seen)
	case ck.opt.Step > ck.step:
		return fmt.Errorf("optimizer_step: %d, more than the %d steps taken", ck.opt.Step, ck.step)
	}
	return nil
}

// restore puts a resumed run back where its checkpoint left it.
func (t *trainer) restore() error {
	ck := t.resume
	path := filepath.Join(t.dir, CheckpointFile)
	m := ck.model
	if m.Net.Arch.String() != t.net.Arch.String() || m.Net.Arch.Activation != t.net.Arch.Activation || len(m.Net.Buffers) != len(t.net.Buffers) {
		return fmt.Errorf("%s: network %s does not match config.json's %s", path, m.Net.Arch, t.net.Arch)
	}
	if !slices.Equal(m.Mean, t.data.Norm.Mean) || !slices.Equal(m.Std, t.data.Norm.Std) || !slices.Equal(m.Classes, t.data.Train.Classes) {
		return fmt.Errorf("%s: the data set %s has changed since the run started (other classes or statistics)", path, t.cfg.Dataset)
	}
	if (m.Whiten == nil) != (t.data.Norm.Whiten == nil) {
		return fmt.Errorf("%s: whitening %s, config.json says --whiten %s", path, map[bool]string{true: "none", false: "zca"}[m.Whiten == nil], cmp.Or(t.cfg.Whiten, WhitenNone))
	}
	if ck.batch >= t.batches || (ck.seen == 0) != (ck.batch == 0) {
		return fmt.Errorf("%s: batch %d of an epoch of %d batches", path, ck.batch, t.batches)
	}
	if ck.step > int64(ck.epoch+1)*int64(t.batches) {
		return fmt.Errorf("%s: step %d, more than %d epochs and the next of %d steps each allow", path, ck.step, ck.epoch, t.batches)
	}
	if ck.seen > t.data.Train.Len() {
		return fmt.Errorf("%s: %d samples seen in an epoch of %d", path, ck.seen, t.data.Train.Len())
	}
	t.net.CopyFrom(m.Net)
	if err := t.optim.SetState(ck.opt); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	t.step, t.epoch, t.batch = ck.step, ck.epoch, ck.batch
	t.savedStep, t.savedAt = ck.step, ck.epoch
	t.modelStep, t.modelAt = ck.step, ck.epoch // or later: a model saved after a checkpoint
	t.baseLR, t.dropout, t.trainSecs = ck.baseLR, ck.dropout, ck.secs
	t.lossSum, t.correct, t.seen = ck.lossSum, ck.correct, ck.seen
	hist, err := ReadMetrics(t.dir)
	if err != nil {
		return err
	}
	if len(hist) < t.epoch {
		return fmt.Errorf("%s: %d rows for %d epochs done", filepath.Join(t.dir, MetricsFile), len(hist), t.epoch)
	}
	// Rows written after the checkpoint are trained again, and appended
	// anew.
	t.history = hist[:t.epoch]
	if err := truncateMetrics(filepath.Join(t.dir, MetricsFile), t.epoch); err != nil {
		return err
	}
	t.metricsRows = t.epoch
	if err := truncateLayers(filepath.Join(t.dir, LayersFile), t.epoch); err != nil {
		return err
	}
	if t.kept != nil && ck.keptAt > 0 {
		if ck.keptAt > t.epoch || bestEpoch(t.history) != ck.keptAt-1 {
			return fmt.Errorf("%s: kept_epoch %d is not the best of the %d epochs in %s", path, ck.keptAt, t.epoch, MetricsFile)
		}
		for _, w := range t.kept.Tensors() {
			k, ok := ck.kept[w.Name]
			if !ok || !slices.Equal(k.Shape, w.Shape) {
				return fmt.Errorf("%s: kept model lacks tensor %q of shape %v", path, w.Name, w.Shape)
			}
			copy(w.Data, k.Data)
		}
		t.keptAt = ck.keptAt
	}
	if t.log, err = ReadEvents(t.dir); err != nil {
		return err
	}
	t.eventsRows = len(t.log)
	if old, err := ReadSummary(t.dir); err == nil {
		t.summary.Started = old.Started
	}
	return nil
}

// rngSource is a reseedable math/rand/v2 generator for augmentation: it is
// reseeded at every step without allocating.
type rngSource struct {
	pcg  *rand.PCG
	rand *rand.Rand
}

func newRNGSource() *rngSource {
	p := rand.NewPCG(0, 0)
	return &rngSource{pcg: p, rand: rand.New(p)}
}

func (r *rngSource) seed(words ...uint64) {
	var g nn.RNG
	g.Seed(words...)
	r.pcg.Seed(g.Uint64(), g.Uint64())
}
