package lab

import (
	"fmt"
	"slices"
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

// TestFitTable: the columns that fit are kept with their cells, the others
// named in lower case.
func TestFitTable(t *testing.T) {
	rows := [][]string{{"NAME", "LR", "DATASET"}, {"run-a", "0.01", "iris"}, {"run-b", "0.1", "iris"}}
	prio := func(c int) int { return []int{3, 2, 1}[c] }
	got, keep, left := FitTable(rows, prio, 12)
	if !slices.Equal(keep, []int{0, 1}) || !slices.Equal(left, []string{"dataset"}) || len(got) != 3 || !slices.Equal(got[1], []string{"run-a", "0.01"}) {
		t.Errorf("FitTable at 12 columns: %q keep %v left %v", got, keep, left)
	}
	if got, _, left := FitTable(rows, prio, 0); len(left) != 0 || len(got[0]) != 3 {
		t.Errorf("width 0 keeps every column: %q, left %v", got, left)
	}
	head := RunTable(nil)[0]
	if len(head) != len(RunColumns) || !slices.Contains(head, "BEST VAL ACC") {
		t.Errorf("RunTable header %q", head)
	}
}
