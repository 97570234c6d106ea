package lab

import (
	"errors"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestSweepLines: what a front end says of each kind of sweep event, and
// the closing tally, whole and interrupted.
func TestSweepLines(t *testing.T) {
	tr := &Trial{N: 2, Desc: "lr=0.01", Config: trainer.Config{Epochs: 30}}
	acc := 0.9
	errText := func(err error) string { return "<" + err.Error() + ">" }
	cases := []struct {
		ev   SweepEvent
		want string
	}{
		{SweepEvent{Kind: TrialDoneBefore, Record: trainer.RunRecord{Dir: "runs/a", Status: trainer.StatusDone}},
			"trial 2/4 lr=0.01: finished before (done, runs/a); skipped"},
		{SweepEvent{Kind: TrialElsewhere, Record: trainer.RunRecord{Dir: "runs/a\x1b[2J"}},
			`trial 2/4 lr=0.01: running in another process (runs/a\x1b[2J); skipped`},
		{SweepEvent{Kind: TrialResuming, Record: trainer.RunRecord{Dir: "runs/a", Status: trainer.StatusInterrupted, Summary: &trainer.Summary{Epochs: 12}}},
			"trial 2/4 lr=0.01: resuming runs/a (interrupted after epoch 12)"},
		{SweepEvent{Kind: TrialStartFailed, Err: errors.New("no room")}, "trial 2/4 lr=0.01: <no room>"},
		{SweepEvent{Kind: TrialTrain, Train: trainer.Event{Kind: trainer.Started, Info: &trainer.RunInfo{Dir: "runs/b"}}},
			"trial 2/4 lr=0.01: new run runs/b"},
		{SweepEvent{Kind: TrialTrain, Train: trainer.Event{Kind: trainer.EpochEnd}}, ""},
		{SweepEvent{Kind: TrialEnded, Early: true}, "trial 2/4 lr=0.01: interrupted before training began"},
		{SweepEvent{Kind: TrialEnded, Summary: &trainer.Summary{Status: trainer.StatusDone, Epochs: 30, BestValAccuracy: &acc, TrainSeconds: 2.5}},
			"trial 2/4 lr=0.01: done after 30 epochs: best val 90.00%, test -, 2.50s"},
	}
	for _, c := range cases {
		c.ev.Trial, c.ev.Total = tr, 4
		if got := c.ev.Line(errText); got != c.want {
			t.Errorf("%v: %q, want %q", c.ev.Kind, got, c.want)
		}
	}
	if got := tr.EpochLine(&trainer.EpochMetrics{Epoch: 3, TrainLoss: 0.41, ValAcc: 0.9}); got != "  epoch 3/30  loss 0.4100  val_acc 0.9000" {
		t.Errorf("EpochLine: %q", got)
	}
	sw := &Sweep{Name: "iris-lr", Plan: []*Trial{{N: 1, Outcome: OutcomeDoneBefore}, {N: 2, Outcome: OutcomeNew}, {N: 3, Outcome: OutcomeInterrupted}, {N: 4}}}
	if got := sw.Tally(false); got != "sweep iris-lr: 4 trials: 1 done before, 1 new, 1 interrupted" {
		t.Errorf("Tally: %q", got)
	}
	if got := sw.Tally(true); got != "sweep iris-lr interrupted: 1 done before, 1 new, 1 interrupted; 2 trials to go: run the same command again to go on" {
		t.Errorf("Tally(interrupted): %q", got)
	}
}
