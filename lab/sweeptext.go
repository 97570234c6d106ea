package lab

import (
	"fmt"
	"strings"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// Line is what a front end says of a sweep's event in one line, its
// names and errors made safe for a terminal ("trial 2/4 lr=0.01: resuming
// runs/... (interrupted after epoch 30)"), or "" for an event it says
// nothing of (a trial's run's events but its start). errText says an
// error as the front end words it.
func (ev SweepEvent) Line(errText func(error) string) string {
	head := ev.Trial.Head(ev.Total)
	switch ev.Kind {
	case TrialHeld:
		who := ""
		if h := ev.Holder; h.PID != 0 {
			who = fmt.Sprintf(" (process %d on %s since %s)", h.PID, h.Host, h.Started.Local().Format("15:04:05"))
		}
		return termsafe.Sprintf("%s: running in another process; skipped%s", head, who)
	case TrialDoneBefore:
		return termsafe.Sprintf("%s: finished before (%s, %s); skipped", head, ev.Record.Status, ev.Record.Dir)
	case TrialElsewhere:
		return termsafe.Sprintf("%s: running in another process (%s); skipped", head, ev.Record.Dir)
	case TrialResuming:
		epochs := 0
		if ev.Record.Summary != nil {
			epochs = ev.Record.Summary.Epochs
		}
		return termsafe.Sprintf("%s: resuming %s (%s after epoch %d)", head, ev.Record.Dir, ev.Record.Status, epochs)
	case TrialCannotResume:
		return termsafe.Sprintf("%s: cannot resume %s (%s); starting it again", head, ev.Record.Dir, errText(ev.Err))
	case TrialStartFailed:
		return termsafe.Sprintf("%s: %s", head, errText(ev.Err))
	case TrialTrain:
		if ev.Train.Kind == trainer.Started && ev.Trial.Outcome != OutcomeResumed {
			return termsafe.Sprintf("%s: new run %s", head, ev.Train.Info.Dir)
		}
	case TrialEnded:
		return ev.endedLine(head, errText)
	}
	return ""
}

// endedLine says how a trial's run ended.
func (ev SweepEvent) endedLine(head string, errText func(error) string) string {
	sum := ev.Summary
	switch {
	case ev.Early:
		return termsafe.Sprintf("%s: interrupted before training began", head)
	case ev.Err != nil:
		return termsafe.Sprintf("%s: failed: %s", head, errText(ev.Err))
	case sum.Status == trainer.StatusInterrupted:
		return termsafe.Sprintf("%s: interrupted after epoch %d, saved in %s", head, sum.Epochs, sum.Run)
	}
	return termsafe.Sprintf("%s: %s after %d epochs: best val %s, test %s, %s", head, sum.Status, sum.Epochs,
		PercentOf(sum.BestValAccuracy), PercentOf(sum.TestAccuracy), Seconds(sum.TrainSeconds))
}

// EpochLine is a trial's live line after an epoch: "  epoch 3/30  loss
// 0.4100  val_acc 0.9000".
func (t *Trial) EpochLine(m *trainer.EpochMetrics) string {
	return fmt.Sprintf("  epoch %d/%d  loss %s  val_acc %.4f", m.Epoch, t.Config.Epochs, Loss(m.TrainLoss), m.ValAcc)
}

// Tally is the sweep's closing line: how many of its trials (of its
// scope's) came to each outcome, and, if it was interrupted, how many are
// left: "sweep iris-lr: 4 trials: 1 done before, 3 new".
func (s *Sweep) Tally(interrupted bool) string {
	counts := map[Outcome]int{}
	for _, t := range s.Plan {
		counts[t.Outcome]++
	}
	var parts []string
	for _, k := range Outcomes {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	owned, scope := s.Owned(), ""
	if !s.Scope.All() {
		scope = " " + s.Scope.String()
	}
	if owned == 0 {
		parts = append(parts, "none is this shard's (more shards than trials)")
	}
	if interrupted {
		return termsafe.Sprintf("sweep %s%s interrupted: %s; %d trials to go: run the same command again to go on",
			s.Name, scope, strings.Join(parts, ", "), s.Left())
	}
	of := ""
	if !s.Scope.All() {
		of = fmt.Sprintf(" of %d", len(s.Plan))
	}
	return termsafe.Sprintf("sweep %s%s: %d%s trials: %s", s.Name, scope, owned, of, strings.Join(parts, ", "))
}
