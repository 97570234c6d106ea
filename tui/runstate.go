package tui

import (
	"math"
	"path/filepath"
	"time"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// Run states shown in the header, besides the trainer's final statuses
// (done, stopped, interrupted, diverged, failed).
const (
	stateStarting = lab.StateStarting
	stateLoading  = lab.StateLoading
	stateRunning  = trainer.StatusRunning
	statePaused   = lab.StatePaused
	stateStopping = lab.StateStopping
	stateSaved    = lab.StateSaved
)

// runState is what the dashboard knows of the run it shows: everything
// the training and predictions screens draw, built from the run's events
// by apply. It holds no handle to the run itself.
type runState struct {
	status   trainer.Status
	loading  string  // the last Loading message
	loadFrac float64 // share of a download done, or -1
	info     *trainer.RunInfo

	last      trainer.Event // the last Progress event
	epochs    []trainer.EpochMetrics
	trainLoss curve // x: step
	trainAcc  curve
	valLoss   curve
	valAcc    curve
	lr        float64
	dropout   float64
	edits     []trainer.Edit // of lr and dropout, while it trained
	lrs       curve          // x: step, y: the lr of the epoch's last step

	boundary    *trainer.Boundary // the latest decision boundary over info.Plane
	layers      *trainer.NetStats // the latest layer statistics
	preds       [][]float32       // probabilities of info.Samples
	confusion   [][]int           // [true][predicted]
	confusionOf string            // "validation" or "test"
	testAcc     float64           // NaN until known

	log     []logLine
	summary *trainer.Summary
	trial   string // of a sweep: "sweep iris-lr-dropout · trial 2/4 lr=0.01"
	err     error
}

// logLine is one line of the event log.
type logLine struct {
	time time.Time
	step int64
	text string
	bad  bool // an error or a warning
}

// maxLog bounds the event log kept in memory.
const maxLog = 500

func newRunState() *runState {
	return &runState{status: stateStarting, loadFrac: -1, testAcc: math.NaN(), lr: math.NaN(), dropout: math.NaN()}
}

func (s *runState) logf(t time.Time, step int64, bad bool, format string, args ...any) {
	s.log = append(s.log, logLine{time: t, step: step, text: termsafe.Sprintf(format, args...), bad: bad})
	if len(s.log) > maxLog {
		s.log = append(s.log[:0], s.log[len(s.log)-maxLog:]...)
	}
}

// live reports whether the run is still going (events will come).
func (s *runState) live() bool {
	switch s.status {
	case stateStarting, stateLoading, stateRunning, statePaused, stateStopping:
		return true
	}
	return false
}

// apply updates the state with one event of the run.
func (s *runState) apply(ev trainer.Event) {
	if ev.Boundary != nil {
		s.boundary = ev.Boundary
	}
	if ev.Layers != nil {
		s.layers = ev.Layers
	}
	switch ev.Kind {
	case trainer.Loading:
		s.status = stateLoading
		s.loading, s.loadFrac = termsafe.String(ev.Message), -1
		if ev.Total > 0 {
			s.loadFrac = float64(ev.Done) / float64(ev.Total)
		}
	case trainer.Started:
		s.info = ev.Info
		if s.status != stateStopping {
			s.status = stateRunning
		}
		s.lr, s.dropout = ev.Info.Config.LR, ev.Info.Config.Dropout
		s.preds = ev.Predictions
		if ev.Info.StartStep > 0 {
			s.logf(ev.Time, ev.Step, false, "resumed %s after epoch %d", filepath.Base(ev.Info.Dir), ev.Info.StartEpoch)
		} else {
			s.logf(ev.Time, ev.Step, false, "started %s", ev.Info.Dir)
		}
	case trainer.Progress:
		loss, acc := recentMeans(s.last, ev)
		s.last = ev
		s.trainLoss.add(float64(ev.Step), loss)
		s.trainAcc.add(float64(ev.Step), acc)
	case trainer.EpochEnd:
		s.addEpoch(*ev.Metrics)
		if ev.Predictions != nil {
			s.preds = ev.Predictions
		}
	case trainer.EditDone:
		old := s.lr
		switch ev.Field {
		case "lr":
			s.lr = ev.Value
		case "dropout":
			old, s.dropout = s.dropout, ev.Value
		}
		if old != ev.Value { // a refused edit repeats the value in force
			s.edits = append(s.edits, trainer.Edit{Field: ev.Field, Old: old, New: ev.Value, Step: ev.Step + 1, Epoch: ev.Epoch})
		}
		s.logf(ev.Time, ev.Step, false, "edit: %s", ev.Message)
	case trainer.Paused:
		if s.status != stateStopping {
			s.status = statePaused
		}
		s.logf(ev.Time, ev.Step, false, "paused at step %d", ev.Step)
	case trainer.Resumed:
		if s.status != stateStopping {
			s.status = stateRunning
		}
		s.logf(ev.Time, ev.Step, false, "continued from step %d", ev.Step+1)
	case trainer.Warning:
		s.logf(ev.Time, ev.Step, true, "warning: %s", ev.Message)
	case trainer.Checkpoint:
		s.logf(ev.Time, ev.Step, false, "checkpoint saved after epoch %d", ev.Epoch)
	case trainer.Finished:
		s.finish(ev.Summary)
		s.logf(ev.Time, ev.Step, s.status == trainer.StatusDiverged, "%s: %s", s.status, ev.Message)
		if s.summary != nil && s.summary.TestAccuracy != nil {
			s.logf(ev.Time, ev.Step, false, "test accuracy %s, saved in %s", lab.ShortPercent(*s.summary.TestAccuracy), s.summary.Run)
		} else if s.summary != nil {
			s.logf(ev.Time, ev.Step, false, "saved in %s", s.summary.Run)
		}
	case trainer.Failed:
		s.err = ev.Err
		s.finish(ev.Summary)
		s.status = trainer.StatusFailed
		s.logf(ev.Time, ev.Step, true, "failed: %v", ev.Err)
	}
}

func (s *runState) finish(sum *trainer.Summary) {
	s.summary = sum
	if sum == nil {
		return
	}
	s.status = sum.Status
	if sum.TestAccuracy != nil {
		s.testAcc = *sum.TestAccuracy
	}
}

// recentMeans are the training loss and accuracy of the steps between
// two progress events of a run. A progress event carries the means over
// its epoch so far, which lag half an epoch behind and jump when the next
// epoch starts; the means since the previous event follow the network as
// it is. Batches weigh alike (all but an epoch's last are of one size).
// Without a previous event in the same epoch they are the epoch's means.
func recentMeans(prev, ev trainer.Event) (loss, acc float64) {
	if prev.Kind != trainer.Progress || prev.Epoch != ev.Epoch || prev.Batch <= 0 || ev.Batch <= prev.Batch {
		return ev.Loss, ev.Accuracy
	}
	a, b := float64(prev.Batch), float64(ev.Batch)
	loss = (ev.Loss*b - prev.Loss*a) / (b - a)
	acc = (ev.Accuracy*b - prev.Accuracy*a) / (b - a)
	return max(0, loss), min(1, max(0, acc))
}

// addEpoch records one epoch's metrics: the curves and the validation
// confusion matrix. The training curves get the epoch's means only where
// no progress event of the epoch's last step drew them already.
func (s *runState) addEpoch(m trainer.EpochMetrics) {
	s.epochs = append(s.epochs, m)
	x := float64(m.Step)
	if s.trainLoss.lastX() != x || s.trainLoss.len() == 0 {
		s.trainLoss.add(x, m.TrainLoss)
		s.trainAcc.add(x, m.TrainAcc)
	}
	s.valLoss.add(x, m.ValLoss)
	s.valAcc.add(x, m.ValAcc)
	if m.LR > 0 {
		s.lrs.add(x, m.LR)
	}
	if m.Confusion != nil {
		s.confusion, s.confusionOf = m.Confusion, "validation"
	}
}

// setHistory puts the epochs a resumed run did before it was resumed
// (rows from its metrics.csv) before those its events brought.
func (s *runState) setHistory(rows []trainer.EpochMetrics) {
	if s.info == nil {
		return
	}
	later, tl, ta := s.epochs, s.trainLoss, s.trainAcc
	s.epochs, s.trainLoss, s.trainAcc, s.valLoss, s.valAcc, s.lrs = nil, curve{}, curve{}, curve{}, curve{}, curve{}
	for _, m := range rows {
		if m.Epoch <= s.info.StartEpoch {
			s.addEpoch(m)
		}
	}
	for _, m := range later {
		s.epochs = append(s.epochs, m)
		s.valLoss.add(float64(m.Step), m.ValLoss)
		s.valAcc.add(float64(m.Step), m.ValAcc)
		if m.LR > 0 {
			s.lrs.add(float64(m.Step), m.LR)
		}
	}
	s.trainLoss.x, s.trainLoss.y = append(s.trainLoss.x, tl.x...), append(s.trainLoss.y, tl.y...)
	s.trainAcc.x, s.trainAcc.y = append(s.trainAcc.x, ta.x...), append(s.trainAcc.y, ta.y...)
}

// best returns the best value of a metric over the epochs and its epoch:
// the lowest for a loss; for an accuracy the epoch the run keeps
// (trainer.BestEpoch: ties broken by the lower validation loss), so that
// it names the epoch summary.json and the runs screen name. ok is false
// before any finite value.
func (s *runState) best(get func(*trainer.EpochMetrics) float64, lower bool) (v float64, epoch int, ok bool) {
	if !lower { // the accuracy: the epoch the run keeps, ties broken by the loss as the summary does
		if b := trainer.BestEpoch(s.epochs); b >= 0 {
			return get(&s.epochs[b]), s.epochs[b].Epoch, true
		}
		return 0, 0, false
	}
	for i := range s.epochs {
		x := get(&s.epochs[i])
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if !ok || lower && x < v || !lower && x > v {
			v, epoch, ok = x, s.epochs[i].Epoch, true
		}
	}
	return v, epoch, ok
}

// shownSteps is the x axis of the charts: the steps done so far, at
// least one epoch's (TensorBoard's habit: a long run does not start as a
// sliver at the left of an axis spanning every epoch planned).
func (s *runState) shownSteps() float64 {
	return math.Max(s.stepsPerEpoch(), math.Max(s.trainLoss.lastX(), s.valLoss.lastX()))
}

// hasVal reports whether the run has validation figures: an epoch with
// them, or, before the first epoch ends, a validation part.
func (s *runState) hasVal() bool {
	for _, e := range s.epochs {
		if !math.IsNaN(e.ValLoss) || !math.IsNaN(e.ValAcc) {
			return true
		}
	}
	return len(s.epochs) == 0 && (s.info == nil || s.info.Val > 0)
}

// stepsPerEpoch is the number of steps in an epoch, or 1 if unknown.
func (s *runState) stepsPerEpoch() float64 {
	if s.info != nil && s.info.Batches > 0 {
		return float64(s.info.Batches)
	}
	return 1
}

func (c *curve) lastX() float64 {
	if len(c.x) == 0 {
		return 0
	}
	return c.x[len(c.x)-1]
}

// epochsDone is how much of the run the last progress event had trained,
// in epochs: those ended and the share of the one under way (0 before
// the first event).
func (s *runState) epochsDone() float64 {
	ev := s.last
	if ev.Batches == 0 {
		return 0
	}
	return float64(max(ev.Epoch-1, 0)) + float64(ev.Batch)/float64(ev.Batches)
}

// eta is the training time left, in seconds, from the training
// throughput alone: samples left over samples per second.
func (s *runState) eta() float64 {
	if s.info == nil || s.last.SamplesPerSec <= 0 || s.last.Batches == 0 {
		return math.NaN()
	}
	left := (float64(s.info.Config.Epochs) - s.epochsDone()) * float64(s.info.Train)
	return math.Max(0, left) / s.last.SamplesPerSec
}
