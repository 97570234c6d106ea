package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/nn"
)

// smallConfig is a quick Iris run with several steps per epoch, dropout and
// a schedule, so that shuffling, masks and learning rates all matter.
func smallConfig(t *testing.T) Config {
	c := Defaults()
	c.Hidden = []int{16, 8}
	c.Dropout = 0.2
	c.Batch = 16
	c.Epochs = 4
	c.Schedule = OneCycle
	c.LR = 1e-2
	c.Seed = 7
	c.RunsDir = t.TempDir()
	return c
}

// runToEnd starts a run, reads all its events and returns them with the
// summary.
func runToEnd(t *testing.T) func(r *Run, err error) ([]Event, *Summary) {
	return func(r *Run, err error) ([]Event, *Summary) {
		t.Helper()
		return readAll(t, r, err)
	}
}

func readAll(t *testing.T, r *Run, err error) ([]Event, *Summary) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	for e := range r.Events() {
		evs = append(evs, e)
	}
	s, err := r.Wait()
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	return evs, s
}

func loadParams(t *testing.T, dir string) []float32 {
	t.Helper()
	m, err := nn.LoadModel(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	return m.Net.Params
}

func TestRunWritesAllFiles(t *testing.T) {
	cfg := smallConfig(t)
	evs, s := runToEnd(t)(Start(context.Background(), cfg))
	if s.Status != StatusDone || s.Epochs != 4 || s.TestAccuracy == nil || s.BestValAccuracy == nil {
		t.Fatalf("summary %+v", s)
	}
	for _, f := range []string{ConfigFile, MetricsFile, EventsFile, ModelFile, CheckpointFile, SummaryFile} {
		if st, err := os.Stat(filepath.Join(s.Run, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	got, err := ReadConfig(s.Run)
	if err != nil {
		t.Fatal(err)
	}
	if got.LR != cfg.LR || !slices.Equal(got.Hidden, cfg.Hidden) || got.Seed != cfg.Seed {
		t.Errorf("config.json holds %+v", got)
	}
	rows, err := ReadMetrics(s.Run)
	if err != nil || len(rows) != 4 {
		t.Fatalf("metrics: %d rows, %v", len(rows), err)
	}
	disk, err := ReadSummary(s.Run)
	if err != nil || disk.Status != StatusDone || *disk.TestAccuracy != *s.TestAccuracy {
		t.Errorf("summary.json %+v, %v", disk, err)
	}
	// Events: started first, one EpochEnd per epoch, Finished last.
	if evs[0].Kind != Started || evs[len(evs)-1].Kind != Finished {
		t.Errorf("events run from %s to %s", evs[0].Kind, evs[len(evs)-1].Kind)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == EpochEnd {
			n++
			if e.Metrics.Confusion == nil {
				t.Errorf("epoch %d has no confusion matrix", e.Epoch)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d epoch events, want 4", n)
	}
}

func TestSamplePredictions(t *testing.T) {
	cfg := smallConfig(t)
	evs, _ := runToEnd(t)(Start(context.Background(), cfg, Options{Samples: 5}))
	info := evs[0].Info
	if len(info.Samples) != 5 || len(evs[0].Predictions) != 5 {
		t.Fatalf("%d samples, %d predictions at the start", len(info.Samples), len(evs[0].Predictions))
	}
	for _, s := range info.Samples {
		if len(s.X) != 4 || s.Label < 0 || s.Label > 2 {
			t.Errorf("sample %+v", s)
		}
	}
	for _, e := range evs {
		if e.Kind != EpochEnd {
			continue
		}
		for i, p := range e.Predictions {
			var sum float64
			for _, v := range p {
				sum += float64(v)
			}
			if len(p) != 3 || math.Abs(sum-1) > 1e-4 {
				t.Errorf("epoch %d sample %d: probabilities %v", e.Epoch, i, p)
			}
		}
	}
}

func TestSameSeedSameRun(t *testing.T) {
	cfg := smallConfig(t)
	_, a := runToEnd(t)(Start(context.Background(), cfg))
	_, b := runToEnd(t)(Start(context.Background(), cfg))
	if !slices.Equal(loadParams(t, a.Run), loadParams(t, b.Run)) {
		t.Errorf("two runs with seed %d end with different weights", cfg.Seed)
	}
	ra, _ := ReadMetrics(a.Run)
	rb, _ := ReadMetrics(b.Run)
	for i := range ra {
		if ra[i].TrainLoss != rb[i].TrainLoss || ra[i].ValAcc != rb[i].ValAcc {
			t.Errorf("epoch %d metrics differ: %+v vs %+v", i+1, ra[i], rb[i])
		}
	}
	cfg.Seed++
	_, c := runToEnd(t)(Start(context.Background(), cfg))
	if slices.Equal(loadParams(t, a.Run), loadParams(t, c.Run)) {
		t.Errorf("seeds %d and %d give the same weights", cfg.Seed-1, cfg.Seed)
	}
}

// TestResumeEqualsUninterrupted stops a run in the middle of an epoch,
// resumes it, and expects the very weights and metrics of a run that never
// stopped.
func TestResumeEqualsUninterrupted(t *testing.T) {
	for _, opt := range []string{"adam", "sgd"} {
		t.Run(opt, func(t *testing.T) {
			cfg := smallConfig(t)
			cfg.Optimizer = opt
			cfg.Nesterov = true
			_, whole := runToEnd(t)(Start(context.Background(), cfg))

			// 7 batches per epoch (108 samples, batch 16): stop at step 10, in epoch 2.
			_, part := runToEnd(t)(Start(context.Background(), cfg, Options{StopAfterStep: 10}))
			if part.Status != StatusStopped || part.Steps != 10 || part.Epochs != 1 {
				t.Fatalf("stopped run: %+v", part)
			}
			_, resumed := runToEnd(t)(Resume(context.Background(), part.Run, 0))
			if resumed.Status != StatusDone || resumed.Steps != whole.Steps || resumed.Epochs != whole.Epochs {
				t.Fatalf("resumed run: status %s, %d steps, %d epochs; want done, %d, %d",
					resumed.Status, resumed.Steps, resumed.Epochs, whole.Steps, whole.Epochs)
			}
			if !slices.Equal(loadParams(t, whole.Run), loadParams(t, resumed.Run)) {
				t.Errorf("resumed run ends with other weights than the uninterrupted one")
			}
			a, _ := ReadMetrics(whole.Run)
			b, err := ReadMetrics(resumed.Run)
			if err != nil || len(a) != len(b) {
				t.Fatalf("metrics rows %d vs %d (%v)", len(a), len(b), err)
			}
			for i := range a {
				if a[i].TrainLoss != b[i].TrainLoss || a[i].ValLoss != b[i].ValLoss || a[i].Step != b[i].Step {
					t.Errorf("epoch %d: %+v vs %+v", i+1, a[i], b[i])
				}
			}
			if *whole.TestAccuracy != *resumed.TestAccuracy {
				t.Errorf("test accuracy %v vs %v", *whole.TestAccuracy, *resumed.TestAccuracy)
			}
			log, _ := ReadEvents(resumed.Run)
			var names []string
			for _, e := range log {
				names = append(names, e.Event)
			}
			if got := strings.Join(names, ","); got != "start,stop,resume,finish" {
				t.Errorf("events.jsonl: %s", got)
			}
		})
	}
}

func TestResumeRefusesFinishedRun(t *testing.T) {
	_, s := runToEnd(t)(Start(context.Background(), smallConfig(t)))
	// The error names the setting, which a front end says its way.
	_, err := Resume(context.Background(), s.Run, 0)
	if err == nil || !strings.Contains(err.Error(), "give epochs more than 4") ||
		!strings.Contains(fieldtext.Text(err, func(f string) string { return "--" + f }), "give --epochs more than 4") {
		t.Errorf("resuming a finished run: %v", err)
	}
	// More epochs continue it.
	before, err := os.ReadFile(filepath.Join(s.Run, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	_, more := runToEnd(t)(Resume(context.Background(), s.Run, 6))
	if more.Epochs != 6 {
		t.Errorf("after resuming to 6 epochs: %d", more.Epochs)
	}
	// config.json records the new total, and nothing else changes.
	after, err := os.ReadFile(filepath.Join(s.Run, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var b, a configFile
	if err := json.Unmarshal(before, &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(after, &a); err != nil {
		t.Fatal(err)
	}
	if a.Epochs != 6 {
		t.Errorf("config.json says %d epochs after resuming to 6", a.Epochs)
	}
	a.Epochs = b.Epochs
	if !reflect.DeepEqual(a, b) {
		t.Errorf("config.json changed beyond epochs:\n%s\n%s", before, after)
	}
}

func TestDivergenceKeepsLastGoodModel(t *testing.T) {
	for _, c := range []struct {
		batch    int
		val      float64
		momentum float64
	}{
		{16, 0.1, 0.9}, // several steps an epoch
		{0, 0.1, 0.9},  // one (the whole set)
		// No validation part, one step an epoch: the last epoch end's
		// weights were finite but overflowed the next forward pass; they
		// were kept (test loss NaN, and train printed a nil loss).
		{0, 0, 0.99},
	} {
		t.Run(fmt.Sprintf("batch%d-val%g", c.batch, c.val), func(t *testing.T) { testDivergence(t, c.batch, c.val, c.momentum) })
	}
}

func testDivergence(t *testing.T, batch int, val, momentum float64) {
	cfg := smallConfig(t)
	cfg.Optimizer, cfg.LR, cfg.Schedule, cfg.Momentum = "sgd", 10, Constant, momentum
	cfg.Hidden, cfg.Dropout, cfg.Epochs, cfg.Batch, cfg.ValSplit = []int{256, 256}, 0, 50, batch, val
	evs, s := runToEnd(t)(Start(context.Background(), cfg))
	if s.Status != StatusDiverged {
		t.Fatalf("status %s after %d epochs with lr 10", s.Status, s.Epochs)
	}
	if !strings.Contains(s.Message, "lower learning rate") {
		t.Errorf("message %q does not suggest a lower learning rate", s.Message)
	}
	// summary.json says so too (JSON has no NaN: a NaN loss in it
	// once left the file saying running).
	if disk, err := ReadSummary(s.Run); err != nil || disk.Status != StatusDiverged {
		t.Errorf("summary.json: %+v, %v; want status diverged", disk, err)
	}
	if evs[len(evs)-1].Kind != Finished {
		t.Errorf("last event %s", evs[len(evs)-1].Kind)
	}
	p := loadParams(t, s.Run)
	if nn.CheckFinite(p) != nil {
		t.Errorf("model file holds non-finite weights")
	}
	if s.TestAccuracy == nil || math.IsNaN(*s.TestAccuracy) {
		t.Errorf("no test accuracy for the kept model")
	}
	// The kept model is one whose loss was finite, not the one whose
	// forward pass overflowed.
	if s.TestLoss == nil || math.IsNaN(*s.TestLoss) || math.IsInf(*s.TestLoss, 0) {
		t.Errorf("the kept model's test loss is %v", s.TestLoss)
	}
	// The message names the epochs metrics.csv and the summary have: the
	// last complete one and the model's (it once named the last good
	// epoch end while the model was the best epoch's).
	after := fmt.Sprintf(", after epoch %d;", s.Epochs)
	if s.Epochs == 0 {
		after = ", in epoch 1 (none complete);"
	}
	model := fmt.Sprintf("kept the model of epoch %d", s.ModelEpoch)
	if s.ModelEpoch == 0 {
		model = "kept the initial weights"
	}
	if !strings.Contains(s.Message, after) || !strings.Contains(s.Message, model) {
		t.Errorf("message %q; want %q and %q (summary: %d epochs, model of epoch %d)", s.Message, after, model, s.Epochs, s.ModelEpoch)
	}
	if m, err := ReadMetrics(s.Run); err != nil || len(m) != s.Epochs {
		t.Errorf("metrics.csv: %d rows (%v), summary %d epochs", len(m), err, s.Epochs)
	}
}

func TestControls(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 100000
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []Kind
	var editStep int64
	resumed := false
	for e := range r.Events() {
		kinds = append(kinds, e.Kind)
		switch {
		case e.Kind == EpochEnd && e.Epoch == 2:
			r.Pause()
		case e.Kind == Paused:
			r.SetLR(0.005)
			r.SetDropout(0.3)
			r.Resume()
		case e.Kind == EditDone && e.Field == "dropout":
			editStep = e.Step
		case e.Kind == Resumed:
			resumed = true
		case e.Kind == EpochEnd && resumed:
			r.Stop()
		}
	}
	s, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != StatusStopped || s.TestAccuracy == nil {
		t.Errorf("summary %+v", s)
	}
	has := func(k Kind) bool { return slices.Contains(kinds, k) }
	for _, k := range []Kind{Started, Paused, EditDone, Resumed, Finished} {
		if !has(k) {
			t.Errorf("no %s event in %v", k, kinds)
		}
	}
	log, _ := ReadEvents(s.Run)
	var edits []LogEntry
	for _, e := range log {
		if e.Event == "edit" {
			edits = append(edits, e)
		}
	}
	if len(edits) != 2 || edits[0].Field != "lr" || *edits[0].Value != 0.005 || edits[1].Field != "dropout" || edits[1].Step != editStep {
		t.Errorf("edits in events.jsonl: %+v", edits)
	}
	// The edit took effect: the checkpoint carries it.
	ck, err := readCheckpoint(filepath.Join(s.Run, CheckpointFile))
	if err != nil || ck.baseLR != 0.005 || ck.dropout != 0.3 {
		t.Errorf("checkpoint lr %v dropout %v (%v)", ck.baseLR, ck.dropout, err)
	}
}

func TestInterruptSaves(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 100000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for e := range r.Events() {
		if e.Kind == EpochEnd && e.Epoch == 1 {
			cancel()
		}
	}
	s, err := r.Wait()
	if err != nil || s.Status != StatusInterrupted {
		t.Fatalf("status %v, err %v", s, err)
	}
	if _, err := readCheckpoint(filepath.Join(s.Run, CheckpointFile)); err != nil {
		t.Errorf("checkpoint: %v", err)
	}
	_, resumed := runToEnd(t)(Resume(context.Background(), s.Run, s.Epochs+1))
	if resumed.Status != StatusDone {
		t.Errorf("resumed interrupted run: %s", resumed.Status)
	}
}

// TestSlowReaderLosesNothing reads events slowly: training must not wait,
// and every epoch and the final event must still arrive.
func TestSlowReaderLosesNothing(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 30
	r, err := Start(context.Background(), cfg, Options{ProgressEvery: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	<-r.Done() // training finishes with nobody reading
	epochs, last := 0, Kind("")
	for e := range r.Events() {
		if e.Kind == EpochEnd {
			epochs++
		}
		last = e.Kind
	}
	if epochs != 30 || last != Finished {
		t.Errorf("%d epoch events, last %s", epochs, last)
	}
}

func TestConcurrentRunsGetOwnDirectories(t *testing.T) {
	parent := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, err := createRunDir(parent, "iris", "", now)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			if seen[dir] {
				t.Errorf("%s handed out twice", dir)
			}
			seen[dir] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Errorf("%d directories", len(seen))
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Dropout = 1
	if _, err := Start(context.Background(), cfg); err == nil || !strings.HasPrefix(err.Error(), "dropout: ") {
		t.Errorf("dropout 1: %v", err)
	}
	cfg = smallConfig(t)
	cfg.Dataset = filepath.Join(t.TempDir(), "missing.csv")
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range r.Events() {
	}
	if _, err := r.Wait(); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing data set: %v", err)
	}
}
