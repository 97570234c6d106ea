package tui

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// The training curves follow the steps since the previous progress
// event, not the epoch's running means, and the epoch's end adds no
// second point where a progress event drew one.
func TestTrainingCurveRecentMeans(t *testing.T) {
	s := newRunState()
	prog := func(epoch, batch int, step int64, loss, acc float64) trainer.Event {
		return trainer.Event{Kind: trainer.Progress, Epoch: epoch, Batch: batch, Batches: 40, Step: step, Loss: loss, Accuracy: acc}
	}
	s.apply(prog(2, 10, 50, 1.0, 0.5))  // first of the epoch: its mean
	s.apply(prog(2, 20, 60, 0.9, 0.6))  // batches 11-20: loss 0.8, accuracy 0.7
	s.apply(prog(2, 40, 80, 0.75, 0.7)) // batches 21-40: loss 0.6, accuracy 0.8
	s.apply(trainer.Event{Kind: trainer.EpochEnd, Epoch: 2, Step: 80, Metrics: &trainer.EpochMetrics{
		Epoch: 2, Step: 80, TrainLoss: 0.75, TrainAcc: 0.7, ValLoss: 0.7, ValAcc: 0.72}})
	s.apply(prog(3, 5, 85, 0.5, 0.9)) // a new epoch: its mean again
	want := []struct{ x, loss, acc float64 }{{50, 1, 0.5}, {60, 0.8, 0.7}, {80, 0.6, 0.8}, {85, 0.5, 0.9}}
	if s.trainLoss.len() != len(want) {
		t.Fatalf("%d points on the loss curve, want %d: %v", s.trainLoss.len(), len(want), s.trainLoss.y)
	}
	for i, w := range want {
		if s.trainLoss.x[i] != w.x || math.Abs(s.trainLoss.y[i]-w.loss) > 1e-9 || math.Abs(s.trainAcc.y[i]-w.acc) > 1e-9 {
			t.Errorf("point %d: step %v loss %v accuracy %v, want %v %v %v", i, s.trainLoss.x[i], s.trainLoss.y[i], s.trainAcc.y[i], w.x, w.loss, w.acc)
		}
	}
	// A saved run's curves come from its epochs alone.
	saved := newRunState()
	saved.addEpoch(trainer.EpochMetrics{Epoch: 1, Step: 40, TrainLoss: 0.9, TrainAcc: 0.6})
	saved.addEpoch(trainer.EpochMetrics{Epoch: 2, Step: 80, TrainLoss: 0.75, TrainAcc: 0.7})
	if saved.trainLoss.len() != 2 || saved.trainLoss.last() != 0.75 {
		t.Errorf("saved run's loss curve %v", saved.trainLoss.y)
	}
}

// The footer keeps q and ? in sight however narrow the terminal.
func TestFooterNarrow(t *testing.T) {
	for _, w := range []int{200, 80, 70, 60, 50} {
		m := newTestModel(t, irisConfig(), w, 16)
		press(m, "tab")
		v := m.View()
		foot := v[strings.LastIndex(v, "\n")+1:]
		if !strings.Contains(foot, "q quit") || !strings.Contains(foot, "? help") {
			t.Errorf("%d columns: footer %q", w, foot)
		}
	}
}

// TestProgressBarIsTheRuns: the live bar is the share of the run done,
// beside "epoch N/M", not of the epoch under way: a run of many short
// epochs (a playground set's 12 steps an epoch) showed "epoch 2758/5000
// ... 100%" at every epoch's last batch.
func TestProgressBarIsTheRuns(t *testing.T) {
	cases := []struct {
		epoch, batch, batches int
		want                  string
	}{
		{2758, 12, 12, " 55%"},
		{3, 6, 12, " 12%"},
		{1, 1, 1, "  5%"},
		{20, 1, 1, " 100%"},
	}
	for _, c := range cases {
		m := newTestModel(t, irisConfig(), 120, 30)
		attach(m)
		info := irisInfo(5000)
		if c.epoch <= 20 {
			info = irisInfo(20)
		}
		info.Batches = c.batches
		feed(m, false, started(info))
		feed(m, false, trainer.Event{Kind: trainer.Progress, Time: at(1), Epoch: c.epoch, Step: int64(c.epoch * c.batches),
			Batch: c.batch, Batches: c.batches, SamplesPerSec: 5000})
		line := m.train.progressLine(m.state, 120)
		if !strings.Contains(line, fmt.Sprintf("epoch %d/", c.epoch)) || !strings.Contains(line, c.want) {
			t.Errorf("epoch %d, batch %d of %d: %q, want %q", c.epoch, c.batch, c.batches, line, c.want)
		}
	}
}
