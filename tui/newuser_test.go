package tui

import (
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// The compare view names an edited lr with its edit: two runs started
// alike, one edited from 0.01 to 0.001 at step 1051, differ in lr.
func TestCompareShowsEdits(t *testing.T) {
	a, b := irisConfig(), irisConfig()
	a.LR, b.LR = 0.01, 0.01
	rows := []runRow{
		{rec: trainer.RunRecord{Dir: "runs/a", Config: &a, Summary: &trainer.Summary{
			Edits: []trainer.Edit{{Field: "lr", Old: 0.01, New: 0.001, Step: 1051}}, SettingsAtEnd: map[string]float64{"lr": 0.001, "dropout": 0.1}}}},
		{rec: trainer.RunRecord{Dir: "runs/b", Config: &b, Summary: &trainer.Summary{}}},
	}
	d := differences(rows)
	if len(d) != 1 || !strings.Contains(d[0], "A 0.01→0.001@1051") || !strings.Contains(d[0], "B 0.01") {
		t.Errorf("differences %q, want lr A 0.01→0.001@1051 B 0.01", d)
	}
	if got := runCell(&rows[0], "lr"); got != "→0.001" {
		t.Errorf("runs table lr cell %q, want →0.001 (edited)", got)
	}
	if got := runCell(&rows[1], "lr"); got != "0.01" {
		t.Errorf("runs table lr cell %q, want 0.01", got)
	}
}
