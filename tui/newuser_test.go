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

// On the runs screen, the live run's row follows its epochs, and a
// refusal because a run is live goes once the run has ended.
func TestRunsScreenLiveRow(t *testing.T) {
	m := newTestModel(t, irisConfig(), 100, 30)
	info := irisInfo(20)
	attach(m)
	feed(m, false, started(info))
	m.Update(runsMsg{runs: []trainer.RunRecord{{Dir: info.Dir, Status: trainer.StatusRunning, Config: &info.Config,
		Summary: &trainer.Summary{Run: info.Dir, Status: trainer.StatusRunning, Epochs: 1}}}})
	m.screen = runsScreen
	feed(m, false, epochEvents(info, 1, 7)...)
	if got := runCell(&m.runs.rows[0], "epochs"); got != "7" {
		t.Errorf("the live row shows %s epochs after 7", got)
	}
	press(m, "enter", "p") // inspecting waits for the live run
	if !strings.Contains(m.View(), "a run is live") {
		t.Fatalf("no refusal:\n%s", m.View())
	}
	feed(m, true, trainer.Event{Kind: trainer.Finished, Epoch: 7, Summary: &trainer.Summary{Run: info.Dir, Status: trainer.StatusStopped, Epochs: 7}})
	if v := m.View(); strings.Contains(v, "a run is live") {
		t.Errorf("the refusal stays after the run ended:\n%s", v)
	}
}
