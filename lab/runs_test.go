package lab

import (
	"fmt"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestRunsSortIgnoresTest: the runs table (`mlptui runs`: best validation accuracy
// first, its default) breaks ties by the validation loss; whichever run
// has the best test accuracy, the order is the same.
func TestRunsSortIgnoresTest(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, test := range [][]float64{{0.1, 0.2, 0.3}, {0.99, 0.1, 0.5}} {
		var runs []*Entry
		for i, loss := range []float64{0.5, 0.3, 0.4} {
			runs = append(runs, &Entry{RunRecord: trainer.RunRecord{Dir: fmt.Sprintf("runs/r%d", i),
				Summary: &trainer.Summary{BestValAccuracy: f(0.9), BestValLoss: f(loss), TestAccuracy: f(test[i])}}})
		}
		SortRuns(runs, FindRunColumn("best-val-acc"))
		got := ""
		for _, r := range runs {
			got += r.Name() + " "
		}
		if want := "r1 r2 r0 "; got != want {
			t.Errorf("test accuracies %v: order %s, want %s", test, got, want)
		}
	}
}
