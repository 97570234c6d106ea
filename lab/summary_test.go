package lab

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestWriteSummaryLossNotFinite: a diverged run's kept model may give a
// test accuracy and no finite test loss (summary.json's null); the summary
// says so instead of panicking on the nil loss.
func TestWriteSummaryLossNotFinite(t *testing.T) {
	acc := 0.5
	var b bytes.Buffer
	WriteSummary(&b, &trainer.Summary{Run: "runs/x", Status: trainer.StatusDiverged, TestAccuracy: &acc})
	if !strings.Contains(b.String(), "test       accuracy 0.5000  loss not finite") {
		t.Errorf("summary:\n%s", b.String())
	}
}

func TestEndedLine(t *testing.T) {
	acc := 1.0
	if got := EndedLine(&trainer.Summary{Run: "runs/r", Status: trainer.StatusDone, Epochs: 30, TestAccuracy: &acc}); got != "runs/r: done after 30 epochs, test accuracy 1.0000" {
		t.Errorf("EndedLine = %q", got)
	}
	if got := EndedLine(&trainer.Summary{Run: "runs/\x1b]0;t", Status: trainer.StatusInterrupted, Epochs: 3}); got != `runs/\x1b]0;t: interrupted after 3 epochs` {
		t.Errorf("EndedLine = %q", got)
	}
}

func TestMissingLine(t *testing.T) {
	var many []int
	for i := 1; i <= 25; i++ {
		many = append(many, i)
	}
	for _, c := range []struct {
		missing []int
		want    string
	}{
		{[]int{3, 7}, "sweep s: 2 of 30 trials have no run yet (trials 3, 7): their shards have not run them"},
		{many, "sweep s: 25 of 30 trials have no run yet (trials 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, ...): their shards have not run them"},
	} {
		if got := MissingLine("s", c.missing, 30); got != c.want {
			t.Errorf("MissingLine = %q, want %q", got, c.want)
		}
	}
}
