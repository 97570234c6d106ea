package tui

import (
	"fmt"
	"testing"

	"github.com/muesli/termenv"

	"github.com/mlptui/mlptui/trainer"
)

// TestRunsOrderIgnoresTest: the runs screen's default order (and a
// sweep's trials within it) comes from validation figures only; giving
// the best test accuracy to the worst run changes nothing.
func TestRunsOrderIgnoresTest(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	order := func(test []float64) string {
		var recs []trainer.RunRecord
		// Equal best validation accuracy: the validation loss decides.
		for i, loss := range []float64{0.5, 0.3, 0.4} {
			recs = append(recs, trainer.RunRecord{Dir: fmt.Sprintf("runs/r%d", i), Status: trainer.StatusDone,
				Config:  &trainer.Config{Sweep: []string{"", "s", "s"}[i]},
				Summary: &trainer.Summary{BestValAccuracy: f(0.9), BestValLoss: f(loss), TestAccuracy: f(test[i])}})
		}
		m := newRuns(newStyles(termenv.Ascii))
		m.setRuns(recs, nil)
		s := ""
		for _, r := range m.rows {
			s += r.Dir + " "
		}
		return s
	}
	want := "runs/r1 runs/r2 runs/r0 "
	for _, test := range [][]float64{{0.1, 0.2, 0.3}, {0.99, 0.1, 0.5}} {
		if got := order(test); got != want {
			t.Errorf("test accuracies %v: order %s, want %s", test, got, want)
		}
	}
}
