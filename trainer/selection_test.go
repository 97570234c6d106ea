package trainer

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/mlptui/mlptui/nn"
)

func TestBestEpochAndPatienceCount(t *testing.T) {
	nan := math.NaN()
	e := func(acc, loss float64) EpochMetrics { return EpochMetrics{ValAcc: acc, ValLoss: loss} }
	cases := []struct {
		name  string
		h     []EpochMetrics
		best  int
		since int
	}{
		{"empty", nil, -1, 0},
		{"no validation", []EpochMetrics{e(nan, nan), e(nan, nan)}, -1, 2},
		{"higher accuracy wins", []EpochMetrics{e(0.5, 0.2), e(0.7, 0.9), e(0.6, 0.1)}, 1, 0},
		{"equal accuracy: lower loss", []EpochMetrics{e(0.7, 0.5), e(0.7, 0.3), e(0.7, 0.4)}, 1, 1},
		{"equal: the earliest", []EpochMetrics{e(0.7, 0.3), e(0.7, 0.3)}, 0, 1},
		{"infinite loss is no candidate", []EpochMetrics{e(0.5, 0.5), e(0.9, math.Inf(1))}, 0, 1},
		{"NaN loss is no candidate", []EpochMetrics{e(0.9, nan), e(0.5, 0.5)}, 1, 0},
	}
	for _, c := range cases {
		if got := bestEpoch(c.h); got != c.best {
			t.Errorf("%s: bestEpoch = %d, want %d", c.name, got, c.best)
		}
		if got := sinceBetterLoss(c.h); got != c.since {
			t.Errorf("%s: sinceBetterLoss = %d, want %d", c.name, got, c.since)
		}
	}
}

// overfitConfig overfits Iris fast: a big learning rate on few samples,
// so the validation loss rises after its low and patience stops the run.
func overfitConfig(t *testing.T) Config {
	c := Defaults()
	c.Hidden = []int{64, 64}
	c.LR = 3e-2
	c.Batch = 8
	c.Epochs = 300
	c.Patience = 5
	c.ValSplit = 0.3
	c.Seed = 3
	c.RunsDir = t.TempDir()
	return c
}

// TestPatienceKeepsTheBestEpoch is the acceptance test of model
// selection: the run stops early, its model file holds the best epoch's
// weights (by validation, never test), summary.json names that epoch,
// and evaluating the saved model gives the summary's test accuracy.
func TestPatienceKeepsTheBestEpoch(t *testing.T) {
	cfg := overfitConfig(t)
	_, s := runToEnd(t)(Start(context.Background(), cfg))
	if s.Status != StatusDone || s.Epochs >= cfg.Epochs {
		t.Fatalf("status %s after %d of %d epochs: want done early", s.Status, s.Epochs, cfg.Epochs)
	}
	hist, err := ReadMetrics(s.Run)
	if err != nil {
		t.Fatal(err)
	}
	if n := sinceBetterLoss(hist); n != cfg.Patience {
		t.Errorf("stopped %d epochs after the lowest validation loss, want %d", n, cfg.Patience)
	}
	best := bestEpoch(hist) + 1
	if s.ModelEpoch != best || s.BestValEpoch != best || best == s.Epochs {
		t.Errorf("model_epoch %d, best_val_epoch %d, best by metrics.csv %d, last %d", s.ModelEpoch, s.BestValEpoch, best, s.Epochs)
	}
	m, err := nn.LoadModel(filepath.Join(s.Run, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Info["epoch"] != strconv.Itoa(best) {
		t.Errorf("model file says epoch %q, want %d", m.Info["epoch"], best)
	}
	ev, err := Evaluate(context.Background(), s.Run, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.TestAccuracy == nil || ev.Accuracy != *s.TestAccuracy || ev.Loss != *s.TestLoss {
		t.Errorf("eval: accuracy %v loss %v; summary.json %v %v", ev.Accuracy, ev.Loss, *s.TestAccuracy, *s.TestLoss)
	}
	// The checkpoint holds the last weights, to go on from, not the kept ones.
	ck, err := readCheckpoint(filepath.Join(s.Run, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(ck.model.Net.Params, m.Net.Params) || ck.keptAt != best {
		t.Errorf("checkpoint: last weights equal the kept ones, or kept_epoch %d != %d", ck.keptAt, best)
	}

	// --keep last: the same run keeps its last epoch's weights.
	cfg.Keep = KeepLast
	cfg.RunsDir = t.TempDir()
	_, last := runToEnd(t)(Start(context.Background(), cfg))
	if last.ModelEpoch != last.Epochs || last.Epochs != s.Epochs {
		t.Errorf("keep last: model_epoch %d after %d epochs (keep best stopped after %d)", last.ModelEpoch, last.Epochs, s.Epochs)
	}
	if !slices.Equal(loadParams(t, last.Run), ck.model.Net.Params) {
		t.Error("keep last: model differs from keep best's last weights")
	}
}

// TestResumeKeepsTheBest: a run stopped and resumed keeps the same best
// weights as one that never stopped.
func TestResumeKeepsTheBest(t *testing.T) {
	cfg := overfitConfig(t)
	_, whole := runToEnd(t)(Start(context.Background(), cfg))
	_, part := runToEnd(t)(Start(context.Background(), cfg, Options{StopAfterStep: int64(whole.Steps / 2)}))
	_, resumed := runToEnd(t)(Resume(context.Background(), part.Run, 0))
	if resumed.ModelEpoch != whole.ModelEpoch || resumed.Epochs != whole.Epochs {
		t.Fatalf("resumed: model_epoch %d of %d epochs; uninterrupted %d of %d", resumed.ModelEpoch, resumed.Epochs, whole.ModelEpoch, whole.Epochs)
	}
	if !slices.Equal(loadParams(t, whole.Run), loadParams(t, resumed.Run)) {
		t.Error("resumed run keeps other weights than the uninterrupted one")
	}
}

// TestModernTrainingResumes: weight decay, label smoothing, mixup,
// warm-up and reduce-on-plateau together; a run stopped mid-epoch and
// resumed ends with the weights of one that never stopped, and a run
// with them learns other weights than one without.
func TestModernTrainingResumes(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 8
	cfg.WeightDecay, cfg.LabelSmoothing, cfg.Mixup = 0.05, 0.1, 0.4
	cfg.Warmup, cfg.Plateau, cfg.Schedule = 2, 1, Cosine
	_, whole := runToEnd(t)(Start(context.Background(), cfg))
	_, part := runToEnd(t)(Start(context.Background(), cfg, Options{StopAfterStep: 24}))
	_, resumed := runToEnd(t)(Resume(context.Background(), part.Run, 0))
	if !slices.Equal(loadParams(t, whole.Run), loadParams(t, resumed.Run)) {
		t.Error("resumed run ends with other weights than the uninterrupted one")
	}
	a, _ := ReadMetrics(whole.Run)
	b, _ := ReadMetrics(resumed.Run)
	for i := range a {
		if i < len(b) && a[i].LR != b[i].LR {
			t.Errorf("epoch %d: lr %v resumed, %v uninterrupted", i+1, b[i].LR, a[i].LR)
		}
	}
	plain := smallConfig(t)
	plain.Epochs, plain.Schedule = 8, Cosine
	_, p := runToEnd(t)(Start(context.Background(), plain))
	if slices.Equal(loadParams(t, whole.Run), loadParams(t, p.Run)) {
		t.Error("the options changed nothing")
	}
}

// TestWeightDecayIsDecoupled: one SGD step on the whole training set,
// with and without decay. Decoupled decay takes lr·decay·w off each
// weight beside the gradient step, p1 = p0·(1 - lr·decay) - lr·g(p0), and
// leaves the biases alone; an L2 term would have gone through the gradient.
func TestWeightDecayIsDecoupled(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Optimizer, cfg.Momentum, cfg.LR, cfg.Schedule = "sgd", 0, 0.1, Constant
	cfg.Epochs, cfg.Batch, cfg.Dropout, cfg.Keep = 1, 0, 0, KeepLast
	_, plain := runToEnd(t)(Start(context.Background(), cfg))
	cfg.WeightDecay = 0.5
	_, decayed := runToEnd(t)(Start(context.Background(), cfg))
	init, _ := nn.New(nn.Arch{Inputs: 4, Hidden: cfg.Hidden, Classes: 3, Activation: nn.ReLU}, cfg.Seed)
	p, d := loadParams(t, plain.Run), loadParams(t, decayed.Run)
	off := 0
	for li, l := range init.Layers {
		for i, w0 := range l.W.Data {
			want := float64(p[off+i]) - 0.1*0.5*float64(w0)
			if math.Abs(float64(d[off+i])-want) > 1e-6 {
				t.Fatalf("layer %d weight %d: %v, want %v", li, i, d[off+i], want)
			}
		}
		off += len(l.W.Data)
		for i := range l.B {
			if d[off+i] != p[off+i] {
				t.Fatalf("layer %d bias %d decayed: %v vs %v", li, i, d[off+i], p[off+i])
			}
		}
		off += len(l.B)
	}
}

func TestMixup(t *testing.T) {
	x := nn.FromSlice(4, 2, []float32{1, 2, 3, 4, 5, 6, 7, 8})
	orig := slices.Clone(x.Data)
	y := []int32{0, 1, 2, 3}
	m := newMixer(0.4)
	y2, lam := m.mix(x, y, 1, 1)
	if !(lam >= 0 && lam <= 1) {
		t.Fatalf("λ %v", lam)
	}
	seen := map[int32]bool{}
	for i := range y2 {
		p := int(y2[i]) // y[p] = p: y2 names the row blended in
		seen[y2[i]] = true
		for j := 0; j < 2; j++ {
			want := lam*orig[i*2+j] + (1-lam)*orig[p*2+j]
			if x.Data[i*2+j] != want {
				t.Errorf("row %d col %d: %v, want %v", i, j, x.Data[i*2+j], want)
			}
		}
	}
	if len(seen) != 4 {
		t.Errorf("second labels %v are not a permutation", y2)
	}
	x2 := nn.FromSlice(4, 2, slices.Clone(orig))
	if y3, lam2 := newMixer(0.4).mix(x2, y, 1, 1); lam2 != lam || !slices.Equal(y3, y2) {
		t.Error("the same seed and step mix otherwise")
	}
}

// TestResidualRunResumes: a residual BatchNorm GELU network trains, keeps
// its best epoch, and resumes exactly (running statistics included).
func TestResidualRunResumes(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Hidden, cfg.Block, cfg.Norm, cfg.Activation, cfg.Expansion = []int{8, 8}, nn.ResidualBlock, nn.BatchNormName, nn.GELUName, 2
	cfg.Epochs, cfg.LabelSmoothing = 6, 0.1
	_, whole := runToEnd(t)(Start(context.Background(), cfg))
	if whole.Arch != "4-8-8-3 residual×2 gelu batch-norm" {
		t.Errorf("arch %q", whole.Arch)
	}
	_, part := runToEnd(t)(Start(context.Background(), cfg, Options{StopAfterStep: 17}))
	_, resumed := runToEnd(t)(Resume(context.Background(), part.Run, 0))
	a, err := nn.LoadModel(filepath.Join(whole.Run, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	b, err := nn.LoadModel(filepath.Join(resumed.Run, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Net.Params, b.Net.Params) || !slices.Equal(a.Net.Buffers, b.Net.Buffers) {
		t.Error("resumed run keeps other weights or running statistics than the uninterrupted one")
	}
	ev, err := Evaluate(context.Background(), whole.Run, "", nil)
	if err != nil || ev.Accuracy != *whole.TestAccuracy {
		t.Errorf("eval %v (%v), summary %v", ev, err, *whole.TestAccuracy)
	}
}
