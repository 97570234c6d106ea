package tui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
		newRunRow(trainer.RunRecord{Dir: "runs/a", Config: &a, Summary: &trainer.Summary{
			Edits: []trainer.Edit{{Field: "lr", Old: 0.01, New: 0.001, Step: 1051}}, SettingsAtEnd: map[string]float64{"lr": 0.001, "dropout": 0.1}}}),
		newRunRow(trainer.RunRecord{Dir: "runs/b", Config: &b, Summary: &trainer.Summary{}}),
	}
	d := differences(rows)
	if len(d) != 1 || !strings.Contains(d[0], "A 0.01→0.001@1051") || !strings.Contains(d[0], "B 0.01") {
		t.Errorf("differences %q, want lr A 0.01→0.001@1051 B 0.01", d)
	}
	if got := runCell(&rows[0], "lr"); got != "0.01→0.001@1051" {
		t.Errorf("runs table lr cell %q, want 0.01→0.001@1051 (edited)", got)
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
	if got := runCell(&m.runs.rows[0], "epochs"); got != "7/20" {
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

// Columns that merge many epochs keep the extremes: an accuracy's best
// (100 % once among 98 %), a loss's first high value.
func TestChartKeepsExtremes(t *testing.T) {
	var acc, loss curve
	for x := 1; x <= 100; x++ {
		a, l := 0.98, 0.4
		if x == 37 {
			a = 1
		}
		if x == 1 {
			l = 4
		}
		acc.add(float64(x), a)
		loss.add(float64(x), l)
	}
	maxOf := func(v []float64) float64 {
		m := v[0]
		for _, x := range v {
			m = max(m, x)
		}
		return m
	}
	if got := maxOf(acc.resampleBy(0, 100, 10, mergeMax)); got != 1 {
		t.Errorf("accuracy's best column %v, want 1", got)
	}
	if got := maxOf(loss.resampleBy(0, 100, 10, mergeExtremes)); got != 4 {
		t.Errorf("loss's highest column %v, want 4 (the first epoch)", got)
	}
	if got := maxOf(acc.resample(0, 100, 10)); got == 1 {
		t.Errorf("the mean merge kept 1: the test proves nothing")
	}
}

// The charts' x axis follows the epochs done, not all those planned.
func TestChartAxisFollowsEpochsDone(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	info := irisInfo(500)
	attach(m)
	feed(m, false, started(info))
	feed(m, false, epochEvents(info, 1, 10)...)
	v := m.View()
	if axis := regexp.MustCompile(`epoch 0 +epoch (\d+)`).FindStringSubmatch(v); axis == nil || axis[1] != "10" {
		t.Errorf("after 10 of 500 epochs the axis does not end at epoch 10:\n%s", v)
	}
}

// While a run trains, the predictions screen names the split its samples
// are from (validation), and every one of them can be paged to.
func TestPredictionsNameTheirSplit(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	info := irisInfo(20)
	info.SamplesOf, info.SamplesFrom = trainer.SamplesVal, info.Val
	for len(info.Samples) < 12 { // all 12 of the validation part
		s := info.Samples[len(info.Samples)%8]
		s.Index = len(info.Samples)
		info.Samples = append(info.Samples, s)
	}
	attach(m)
	feed(m, false, started(info))
	feed(m, false, epochEvents(info, 1, 3)...)
	m.screen = predictionsScreen
	v := m.View()
	if !strings.Contains(v, "12 validation samples after epoch 3") || strings.Contains(v, "test samples") {
		t.Errorf("the headline does not name the validation split:\n%s", v)
	}
	pageRE := regexp.MustCompile(`page (\d+)/(\d+)`)
	seen := map[string]bool{}
	for range 4 {
		if p := pageRE.FindStringSubmatch(m.View()); p != nil {
			seen[p[0]] = true
		}
		press(m, "right")
	}
	if !seen["page 1/2"] || !seen["page 2/2"] || len(seen) != 2 {
		t.Errorf("pages seen %v, want 1/2 and 2/2 (12 samples, 6 or more a page at 80×24)", seen)
	}
}

// Enter on a saved run shows its figures, settings (lr with its edit),
// edits and files before r or p.
func TestRunsOpenShowsDetails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "20261202-051927-iris")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{trainer.ConfigFile, trainer.SummaryFile, trainer.MetricsFile} {
		os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644)
	}
	cfg := irisConfig()
	acc := 0.9667
	m := newTestModel(t, irisConfig(), 80, 24)
	m.Update(runsMsg{runs: []trainer.RunRecord{{Dir: dir, Status: trainer.StatusStopped, Config: &cfg, Summary: &trainer.Summary{
		Status: trainer.StatusStopped, Epochs: 424, TestAccuracy: &acc, Edits: []trainer.Edit{{Field: "lr", Old: 0.01, New: 0.001, Step: 317, Epoch: 317}}}}}})
	m.screen = runsScreen
	press(m, "enter")
	v := m.View()
	for _, want := range []string{"Figures", "epochs 424", "test 96.7%", "Settings", "lr 0.01→0.001@317", "Edits while it trained",
		"lr 0.01 → 0.001 from step 317", "Files in 20261202-051927-iris", "config.json", "r resume training · p predictions"} {
		if !strings.Contains(v, want) {
			t.Errorf("the open run lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, "runs-open", v, 80, 24)
}

// An edit is marked ▲ on the charts' axis at the step it applied from,
// once the run has trained past it, and the header gives lr as it went.
func TestChartMarksEdits(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	info := irisInfo(20)
	attach(m)
	feed(m, false, started(info))
	feed(m, false, epochEvents(info, 1, 3)...)
	feed(m, false, trainer.Event{Kind: trainer.EditDone, Epoch: 4, Step: 12, Field: "lr", Value: 0.001, Message: "lr 0.01 -> 0.001 from step 13"})
	feed(m, false, epochEvents(info, 4, 8)...)
	v := m.View()
	if n := strings.Count(v, "▲"); n != 2 || !strings.Contains(v, "lr 0.01→0.001@13") {
		t.Errorf("%d ▲ marks (want one under each chart) or no lr 0.01→0.001@13 in the header:\n%s", n, v)
	}
}

// An ended run's progress bar is the share of its planned epochs done: a
// run that diverged after 2 of 3000 epochs showed "epoch 2/3000 … 100%".
func TestProgressBarOfEndedRun(t *testing.T) {
	for _, c := range []struct {
		status trainer.Status
		done   int
		want   string
	}{
		{trainer.StatusDiverged, 2, "epoch 2/3000 "},
		{trainer.StatusStopped, 1500, "epoch 1500/3000 "},
		{trainer.StatusDone, 3000, "epoch 3000/3000 "},
	} {
		m := newTestModel(t, irisConfig(), 100, 30)
		info := irisInfo(3000)
		attach(m)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, min(c.done, 5))...)
		feed(m, true, trainer.Event{Kind: trainer.Finished, Epoch: c.done, Summary: &trainer.Summary{Run: info.Dir, Status: c.status, Epochs: c.done}})
		line := m.train.progressLine(m.state, 100)
		pct := fmt.Sprintf(" %3.0f%%", 100*float64(c.done)/3000)
		if !strings.Contains(line, c.want) || !strings.Contains(line, pct) {
			t.Errorf("%s after %d of 3000 epochs: %q, want %q and %q", c.status, c.done, line, c.want, pct)
		}
	}
}

// An edit whose step falls on an axis label is still marked: one step an
// epoch, an lr edit from step 278 of 1269 shown (under "epoch 0" at 80
// columns) or from the last epochs (under "epoch 1269") had no ▲. The
// label gives way, shortened to its number.
func TestChartMarkOnLabel(t *testing.T) {
	for _, c := range []struct {
		editStep, shown int
		right           string
	}{
		{277, 1269, "epoch 1269"}, // under the left label
		{1265, 1269, "1269"},      // under the right one
		{600, 1269, "epoch 1269"}, // clear of both
	} {
		m := newTestModel(t, irisConfig(), 80, 24)
		info := irisInfo(3000)
		info.Batches = 1
		attach(m)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, c.editStep)...)
		feed(m, false, trainer.Event{Kind: trainer.EditDone, Epoch: c.editStep + 1, Step: int64(c.editStep), Field: "lr", Value: 0.001})
		feed(m, false, epochEvents(info, c.editStep+1, c.shown)...)
		v := m.View()
		var axis string
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "1269") && !strings.Contains(l, "/3000") {
				axis = l
			}
		}
		if n := strings.Count(axis, "▲"); n != 2 || strings.Count(axis, c.right) != 2 {
			t.Errorf("edit from step %d of %d: axis %q: %d ▲ (want 2) and want %q under each chart", c.editStep+1, c.shown, axis, n, c.right)
		}
	}
}

// A run without a validation part (the iris preset) draws no val curve,
// and its charts' legend names none; a run with one names it.
func TestChartLegendWithoutVal(t *testing.T) {
	for _, val := range []int{0, 12} {
		m := newTestModel(t, irisConfig(), 80, 24)
		info := irisInfo(20)
		info.Val = val
		attach(m)
		feed(m, false, started(info))
		evs := epochEvents(info, 1, 5)
		for _, ev := range evs {
			if ev.Metrics != nil && val == 0 {
				ev.Metrics.ValLoss, ev.Metrics.ValAcc = math.NaN(), math.NaN()
			}
		}
		feed(m, false, evs...)
		legend := strings.SplitN(m.View(), "\n", 4)[2]
		if got, want := strings.Count(legend, "val"), map[bool]int{true: 0, false: 2}[val == 0]; got != want {
			t.Errorf("validation part of %d: legend %q names val %d times, want %d", val, legend, got, want)
		}
	}
}

// The help lists every key the setup footer offers: ctrl+l (find the
// learning rate) was in the footer only.
func TestHelpListsSetupKeys(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	press(m, "?")
	v := m.View()
	for _, want := range []string{"ctrl+l", "find lr", "enter", "start"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, "help", v, 80, 24)
}

// A column of many epochs keeps the training accuracy's extremes, not its
// highest only: a noisy run (95 % or 100 % an epoch, 50 % at the first)
// was drawn near 100 % all along, its axis from 99.2 %, while the text
// said train 95.0 %.
func TestChartTrainAccuracyExtremes(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	info := irisInfo(3000)
	info.Batches, info.Val = 1, 0
	attach(m)
	feed(m, false, started(info))
	var evs []trainer.Event
	for e := 1; e <= 3000; e++ {
		acc := []float64{0.95, 1}[e%2]
		if e == 1 {
			acc = 0.5
		}
		evs = append(evs, trainer.Event{Kind: trainer.EpochEnd, Epoch: e, Step: int64(e), Metrics: &trainer.EpochMetrics{
			Epoch: e, Step: int64(e), TrainLoss: 0.1, TrainAcc: acc, ValLoss: math.NaN(), ValAcc: math.NaN(), LR: 0.01}})
	}
	feed(m, false, evs...)
	v := m.View()
	var labels []float64
	for _, l := range strings.Split(v, "\n")[3:17] {
		if i := strings.Index(l, "%┤"); i > 0 {
			f := strings.Fields(l[:i])
			x, _ := strconv.ParseFloat(f[len(f)-1], 64)
			labels = append(labels, x)
		} else if i := strings.Index(l, "%┼"); i > 0 {
			f := strings.Fields(l[:i])
			x, _ := strconv.ParseFloat(f[len(f)-1], 64)
			labels = append(labels, x)
		}
	}
	if len(labels) < 2 || labels[0] < 99.9 || labels[len(labels)-1] > 50.1 {
		t.Errorf("accuracy axis %v, want from 50 %% to 100 %%:\n%s", labels, v)
	}
}

// The confusion view of a run without a validation part says why it is
// empty (it was a blank screen).
func TestConfusionViewWithoutVal(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	info := irisInfo(20)
	info.Val = 0
	attach(m)
	feed(m, false, started(info))
	evs := epochEvents(info, 1, 3)
	for _, ev := range evs {
		if ev.Metrics != nil {
			ev.Metrics.ValLoss, ev.Metrics.ValAcc, ev.Metrics.Confusion = math.NaN(), math.NaN(), nil
		}
	}
	feed(m, false, evs...)
	m.screen = predictionsScreen
	press(m, "c")
	if v := m.View(); !strings.Contains(v, "no validation part") {
		t.Errorf("confusion view of a run without validation:\n%s", v)
	}
}

// An open run without a validation part says so and names the epoch its
// model is from, instead of "best val - at epoch 0".
func TestRunDetailsWithoutVal(t *testing.T) {
	cfg := irisConfig()
	acc, loss := 1.0, 0.0966
	lines := strings.Join(runDetails(trainer.RunRecord{Dir: "runs/x", Status: trainer.StatusDone, Config: &cfg,
		Summary: &trainer.Summary{Status: trainer.StatusDone, Epochs: 3000, ModelEpoch: 3000, TestAccuracy: &acc, TestLoss: &loss}}), "\n")
	if !strings.Contains(lines, "no validation · model of epoch 3000: test 100.0%") || strings.Contains(lines, "best val -") {
		t.Errorf("details:\n%s", lines)
	}
}

// "edit sent: it applies at the next step" goes once the run has taken
// the edit (the log says it); it stayed after the run had ended.
func TestEditNoteGoesWhenApplied(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	info := irisInfo(20)
	f := attach(m)
	feed(m, false, started(info))
	feed(m, false, epochEvents(info, 1, 2)...)
	press(m, "e", "ctrl+u", "0.002", "enter")
	if !strings.Contains(m.View(), "edit sent") || !slices.Contains(f.calls, "lr 0.002") {
		t.Fatalf("no edit sent (calls %v):\n%s", f.calls, m.View())
	}
	feed(m, false, trainer.Event{Kind: trainer.EditDone, Epoch: 3, Step: 8, Field: "lr", Value: 0.002, Message: "lr 0.01 -> 0.002 from step 9"})
	feed(m, true, trainer.Event{Kind: trainer.Finished, Epoch: 3, Summary: &trainer.Summary{Run: info.Dir, Status: trainer.StatusDone, Epochs: 3}})
	if v := m.View(); strings.Contains(v, "edit sent") {
		t.Errorf("the note stays after the edit applied and the run ended:\n%s", v)
	}
}

// The accuracy's "best val" names the epoch the run keeps: of two epochs
// at 100 %, the one with the lower validation loss, as summary.json and
// the open run say (the training screen said @83 where they said 97).
func TestBestValAccuracyTieBrokenByLoss(t *testing.T) {
	m := newTestModel(t, irisConfig(), 100, 30)
	info := irisInfo(20)
	attach(m)
	feed(m, false, started(info))
	for e, c := range []struct{ acc, loss float64 }{{0.9, 0.5}, {1, 0.3}, {0.95, 0.2}, {1, 0.1}, {0.9, 0.4}} {
		feed(m, false, trainer.Event{Kind: trainer.EpochEnd, Epoch: e + 1, Step: int64(4 * (e + 1)), Metrics: &trainer.EpochMetrics{
			Epoch: e + 1, Step: int64(4 * (e + 1)), TrainLoss: 0.5, TrainAcc: 0.9, ValLoss: c.loss, ValAcc: c.acc, LR: 0.01}})
	}
	line := m.train.statLine(m.state, "acc", false, 60)
	if !strings.Contains(line, "best val 100.0% @ epoch 4") {
		t.Errorf("accuracy stat %q, want best val 100.0%% @ epoch 4 (the lower loss of the two at 100 %%)", line)
	}
}

// The training screen's footer offers pause and stop only while a run is
// live; once it ended they are gone from the footer (space answered "no
// run is live" under "space pause"), and the help still lists them.
func TestTrainingFooterAfterTheRun(t *testing.T) {
	m := newTestModel(t, irisConfig(), 100, 30)
	info := irisInfo(20)
	attach(m)
	feed(m, false, started(info))
	feed(m, false, epochEvents(info, 1, 2)...)
	footer := func() string { v := strings.Split(m.View(), "\n"); return v[len(v)-1] }
	if f := footer(); !strings.Contains(f, "pause") || !strings.Contains(f, "stop") {
		t.Errorf("live run's footer %q lacks pause or stop", f)
	}
	feed(m, true, trainer.Event{Kind: trainer.Finished, Epoch: 2, Summary: &trainer.Summary{Run: info.Dir, Status: trainer.StatusStopped, Epochs: 2}})
	if f := footer(); strings.Contains(f, "pause") || strings.Contains(f, "stop") || !strings.Contains(f, "restart") {
		t.Errorf("ended run's footer %q: want no pause or stop, and restart", f)
	}
	press(m, "?")
	if v := m.View(); !strings.Contains(v, "pause/resume") || !strings.Contains(v, "stop and save") {
		t.Errorf("help without pause or stop:\n%s", v)
	}
}
