package lab

import (
	"slices"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// FitColumns leaves out the lowest prio first, but of several rows a
// column with one value in all goes before any that differs: a sweep over
// lr and dropout at 80 columns lost lr and dropout and kept its one data
// set.
func TestFitColumns(t *testing.T) {
	header := []string{"NAME", "DATASET", "DROPOUT", "LR", "STATUS"}
	prio := func(c int) int { return []int{10, 7, 2, 5, 8}[c] }
	for _, c := range []struct {
		name  string
		rows  [][]string
		width int
		want  []int
	}{
		{"wide enough", [][]string{header, {"run-a", "iris", "0", "0.01", "done"}, {"run-b", "iris", "0.3", "0.02", "done"}}, 80, []int{0, 1, 2, 3, 4}},
		{"constant columns first", [][]string{header, {"run-a", "iris", "0", "0.01", "done"}, {"run-b", "iris", "0.3", "0.02", "done"}}, 26, []int{0, 2, 3}},
		{"then by prio", [][]string{header, {"run-a", "iris", "0", "0.01", "done"}, {"run-b", "pets", "0.3", "0.02", "fail"}}, 26, []int{0, 1, 4}},
		{"one row: by prio only", [][]string{header, {"run-a", "iris", "0", "0.01", "done"}}, 26, []int{0, 1, 4}},
		{"no room: the last column stays", [][]string{header, {"run-a", "iris", "0", "0.01", "done"}}, 1, []int{0}},
		{"no width: all", [][]string{header, {"run-a", "iris", "0", "0.01", "done"}}, 0, []int{0, 1, 2, 3, 4}},
	} {
		if got := FitColumns(c.rows, prio, c.width); !slices.Equal(got, c.want) {
			t.Errorf("%s: columns %v, want %v", c.name, got, c.want)
		}
	}
}

// The runs table's batch column says "all" for batch 0 (the whole
// training set a step: the iris preset), where it said 0; a size stays
// a number.
func TestBatchCell(t *testing.T) {
	col := RunColumns[slices.IndexFunc(RunColumns, func(c RunColumn) bool { return c.Name == "batch" })]
	for _, c := range []struct {
		batch int
		want  string
	}{{0, "all"}, {32, "32"}, {1024, "1024"}} {
		cfg := trainer.Defaults()
		cfg.Batch = c.batch
		if got := col.Cell(&Entry{RunRecord: trainer.RunRecord{Config: &cfg}}); got != c.want {
			t.Errorf("batch %d: cell %q, want %q", c.batch, got, c.want)
		}
	}
	if got := col.Cell(&Entry{}); got != "-" {
		t.Errorf("no config: cell %q, want -", got)
	}
}
