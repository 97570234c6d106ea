package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// isQuit reports whether a command ends the program. A command that
// waits (for the run's next events) does not.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		_, ok := msg.(tea.QuitMsg)
		return ok
	case <-time.After(200 * time.Millisecond):
		return false
	}
}

func liveModel(t *testing.T) (*Model, *fakeRun, *trainer.RunInfo) {
	m := newTestModel(t, irisConfig(), 80, 24)
	f := attach(m)
	info := irisInfo(20)
	feed(m, false, started(info))
	feed(m, false, epochEvents(info, 1, 3)...)
	return m, f, info
}

func TestPauseAndResume(t *testing.T) {
	m, f, _ := liveModel(t)
	press(m, "space")
	if !slices.Equal(f.calls, []string{"pause"}) {
		t.Fatalf("space sent %v, want pause", f.calls)
	}
	if v := m.View(); !strings.Contains(v, "pausing") {
		t.Errorf("no feedback before the run pauses:\n%s", v)
	}
	feed(m, false, trainer.Event{Kind: trainer.Paused, Time: at(4), Epoch: 4, Step: 12})
	if v := m.View(); !strings.Contains(v, "‖ paused") || !strings.Contains(v, "paused at step 12") {
		t.Errorf("paused run not shown as paused:\n%s", v)
	}
	if v := m.View(); strings.Contains(v, "pausing") || !strings.Contains(v, "q quit") {
		t.Errorf("the footer still says pausing, or lacks the keys, once paused:\n%s", v)
	}
	press(m, "space")
	if !slices.Equal(f.calls, []string{"pause", "resume"}) {
		t.Fatalf("second space sent %v, want resume", f.calls)
	}
	if m.state.status != stateRunning {
		t.Errorf("state %q after resume, want running", m.state.status)
	}
}

// The edit form checks values by Config.Problems, sends only what
// changed, and the form keeps the edit for a restart.
func TestEditLearningRate(t *testing.T) {
	m, f, _ := liveModel(t)
	press(m, "e", "ctrl+u", "-1", "enter")
	if m.overlay != editOverlay || len(f.calls) != 0 {
		t.Fatalf("a negative learning rate was accepted: overlay %v, calls %v", m.overlay, f.calls)
	}
	if v := m.View(); !strings.Contains(v, "want a learning rate > 0") {
		t.Errorf("the edit form does not say what is wrong:\n%s", v)
	}
	press(m, "ctrl+u", "0.02", "enter")
	if !slices.Equal(f.calls, []string{"lr 0.02"}) || m.overlay != noOverlay {
		t.Fatalf("edit sent %v (overlay %v), want only lr 0.02", f.calls, m.overlay)
	}
	if got := m.setup.field("lr").get(); got != "0.02" {
		t.Errorf("the setup form's lr is %q after the edit, want 0.02", got)
	}
	feed(m, false, trainer.Event{Kind: trainer.EditDone, Time: at(4), Epoch: 4, Step: 12, Field: "lr", Value: 0.02,
		Message: "lr 0.01 -> 0.02 from step 13"})
	if v := m.View(); !strings.Contains(v, "lr 0.01 -> 0.02 from step 13") || !strings.Contains(v, "lr 0.01→0.02@13") { // the header: lr as it went
		t.Errorf("the edit is not in the log and header:\n%s", v)
	}
	press(m, "e", "tab", "ctrl+u", "0.3", "esc")
	if len(f.calls) != 1 {
		t.Errorf("esc sent %v", f.calls[1:])
	}
}

// q asks while a run is live; yes stops it, and the program ends only
// after the run's last event.
func TestQuitStopsAndWaits(t *testing.T) {
	m, f, info := liveModel(t)
	if cmd := press(m, "q"); isQuit(cmd) {
		t.Fatal("q quit at once with a live run")
	}
	if m.overlay != quitOverlay {
		t.Fatal("q did not ask")
	}
	press(m, "n")
	if m.overlay != noOverlay || len(f.calls) != 0 {
		t.Fatalf("n: overlay %v, calls %v", m.overlay, f.calls)
	}
	press(m, "q", "y")
	if !slices.Equal(f.calls, []string{"stop"}) || !m.quitting {
		t.Fatalf("yes: calls %v, quitting %v", f.calls, m.quitting)
	}
	if cmd := press(m, "space"); cmd != nil || len(f.calls) != 1 {
		t.Error("keys act while saving")
	}
	if cmd := feed(m, false, trainer.Event{Kind: trainer.Checkpoint, Time: at(5), Epoch: 3, Step: 12}); isQuit(cmd) {
		t.Fatal("quit before the run ended")
	}
	fin := trainer.Event{Kind: trainer.Finished, Time: at(5), Epoch: 3, Step: 12, Message: "stopped at epoch 4, step 12",
		Summary: &trainer.Summary{Run: info.Dir, Status: trainer.StatusStopped, Epochs: 3, TestAccuracy: ptr(0.9)}}
	if cmd := feed(m, true, fin); !isQuit(cmd) {
		t.Fatal("no quit after the run's last event")
	}
	if m.state.status != trainer.StatusStopped || !strings.Contains(strings.Join(logTexts(m.state), "\n"), "test accuracy 90.0%") {
		t.Errorf("the last event was not applied: status %q, log %q", m.state.status, logTexts(m.state))
	}
	if m.Interrupted() {
		t.Error("a quit counts as an interrupt")
	}
	if len(m.ended) != 1 || m.ended[0].Run != info.Dir || m.ended[0].Status != trainer.StatusStopped {
		t.Errorf("the session's ended runs %+v, want the stopped run", m.ended)
	}
}

// Keys typed faster than they are read arrive as one message with
// several runes: they act as if typed one by one, in commands and fields;
// a bracketed paste stays whole text.
func TestKeysArrivingTogether(t *testing.T) {
	m, f, _ := liveModel(t)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("qy")})
	if !slices.Equal(f.calls, []string{"stop"}) || !m.quitting {
		t.Errorf("qy at once: calls %v, quitting %v; want q then y", f.calls, m.quitting)
	}
	m = newTestModel(t, irisConfig(), 80, 24)
	press(m, "down", "down") // name
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ab")})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q?"), Paste: true})
	if got := m.setup.field("name").get(); got != "abq?" {
		t.Errorf("name %q, want abq?", got)
	}
	if m.overlay != noOverlay {
		t.Errorf("overlay %v after typing in a text field", m.overlay)
	}
	// A number typed fast into a number field: its e is part of it.
	m = newTestModel(t, irisConfig(), 80, 24)
	for m.setup.fields[m.setup.focus].def.Name != "lr" {
		press(m, "down")
	}
	press(m, "ctrl+u")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("1e-3")})
	if got := m.setup.field("lr").get(); got != "1e-3" {
		t.Errorf("lr %q after typing 1e-3 at once, want 1e-3", got)
	}
}

func logTexts(s *runState) []string {
	var out []string
	for _, l := range s.log {
		out = append(out, l.text)
	}
	return out
}

// An interrupt (a signal, or ctrl+c) lets the run save before quitting.
func TestInterrupt(t *testing.T) {
	m, _, _ := liveModel(t)
	if _, cmd := m.Update(interruptMsg{}); isQuit(cmd) {
		t.Fatal("quit before the run saved")
	}
	if !m.Interrupted() || !m.quitting {
		t.Fatal("not interrupted")
	}
	if cmd := feed(m, true); !isQuit(cmd) {
		t.Fatal("no quit when the run ended")
	}

	m, _, _ = liveModel(t)
	cancelled := false
	m.live.cancel = func() { cancelled = true }
	press(m, "ctrl+c")
	if !cancelled || !m.Interrupted() {
		t.Errorf("ctrl+c: cancelled %v, interrupted %v", cancelled, m.Interrupted())
	}

	m = newTestModel(t, irisConfig(), 80, 24)
	if _, cmd := m.Update(interruptMsg{}); !isQuit(cmd) {
		t.Error("an interrupt without a run does not quit")
	}
}

// A panic in a command is shown, and if it was reading the run's events
// the run is stopped (so it saves).
func TestPanicInCommand(t *testing.T) {
	m, f, _ := liveModel(t)
	msg := safe(7, func() tea.Msg { panic("boom") })()
	p, ok := msg.(panicMsg)
	if !ok || !strings.Contains(p.err.Error(), "boom") {
		t.Fatalf("safe returned %#v", msg)
	}
	m.Update(msg)
	if !slices.Equal(f.calls, []string{"stop"}) || m.live != nil {
		t.Errorf("after a panic reading events: calls %v, live %v", f.calls, m.live)
	}
	if v := m.View(); !strings.Contains(v, "internal error: boom") {
		t.Errorf("the panic is not shown:\n%s", v)
	}
}

func TestEventsOfOldRunsIgnored(t *testing.T) {
	m, _, _ := liveModel(t)
	n := len(m.state.epochs)
	m.Update(eventsMsg{id: 3, events: epochEvents(irisInfo(20), 4, 5)})
	if len(m.state.epochs) != n {
		t.Error("events of another run were applied")
	}
}

// A run that fails to load its data sends the user back to the form with
// the error.
func TestFailedStartBackToSetup(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	attach(m)
	err := errors.New("--dataset /nope: no such file or directory")
	feed(m, true, trainer.Event{Kind: trainer.Failed, Time: at(0), Err: err})
	if m.screen != setupScreen || !strings.Contains(m.View(), "no such file") {
		t.Errorf("screen %v:\n%s", m.screen, m.View())
	}
	if m.live != nil {
		t.Error("the run is still live")
	}
}

// TestFailedStartLongMessage: a long error is wrapped, not cut, so its
// end (what to do) shows at 80×24, and the screen still fits.
func TestFailedStartLongMessage(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	attach(m)
	err := errors.New(`pets.csv:2: column 1: "cat" is not a finite number (the classes are taken from the last column; if column 1 holds them: --label 1)`)
	feed(m, true, trainer.Event{Kind: trainer.Failed, Time: at(0), Err: err})
	v := m.View()
	if !strings.Contains(v, "--label 1)") {
		t.Errorf("the end of the message is not shown:\n%s", v)
	}
	if n := strings.Count(v, "\n") + 1; n > 24 {
		t.Errorf("%d lines, want at most 24:\n%s", n, v)
	}
	if !strings.Contains(v, "› dataset") {
		t.Errorf("the focused field is not in view:\n%s", v)
	}
}

func TestSetupPresetAndValidation(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	press(m, "down") // preset
	for i := 0; i < len(trainer.PresetNames()) && m.setup.field("preset").get() != "default"; i++ {
		press(m, "left")
	}
	if got := m.setup.field("preset").get(); got != "default" {
		t.Fatalf("preset %q after left, want default", got)
	}
	if got := m.setup.field("hidden").get(); got != "100" {
		t.Errorf("choosing the default preset left hidden %q, want 100", got)
	}
	// An edit by hand; the preset no longer follows the data set.
	press(m, "down", "down", "ctrl+u", "32")
	press(m, "up", "up", "up", "ctrl+u", "cifar10")
	if got := m.setup.field("preset").get(); got != "default" {
		t.Errorf("the preset followed the data set over an edit: %q", got)
	}
	// A bad value: Enter does not start, and says why.
	press(m, "down", "down", "down", "ctrl+u", "0,5", "enter")
	if m.state != nil {
		t.Fatal("a run started with hidden 0,5")
	}
	if v := m.View(); !strings.Contains(v, "layer 1 has 0 units") || !strings.Contains(v, "fix the fields") {
		t.Errorf("the form does not say what is wrong:\n%s", v)
	}
}

func TestSetupPresetFollowsDataset(t *testing.T) {
	// The dashboard's own start: the iris preset with WatchEpochs, as
	// cmd/mlptui gives it without flags.
	cfg := irisConfig()
	if err := ApplyPreset(&cfg, "iris"); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, cfg, 80, 24)
	press(m, "ctrl+u", "cifar10")
	if got := m.setup.field("preset").get(); got != "cifar10" {
		t.Errorf("preset %q after choosing cifar10, want cifar10", got)
	}
	if got := m.setup.field("hidden").get(); got != "2048,1024,512" {
		t.Errorf("hidden %q, want the cifar10 preset's", got)
	}
	c, ok := m.setup.config()
	if !ok || c.Dataset != "cifar10" || c.Preset != "cifar10" || !c.Augment {
		t.Errorf("config %+v valid %v", c, ok)
	}
	// And back, with the dashboard's iris epochs; a table gets the default.
	press(m, "ctrl+u", "iris")
	if p, e := m.setup.field("preset").get(), m.setup.field("epochs").get(); p != "iris" || e != fmt.Sprint(WatchEpochs) {
		t.Errorf("back to iris: preset %s, epochs %s", p, e)
	}
	press(m, "ctrl+u", "table.csv")
	if got := m.setup.field("preset").get(); got != "default" {
		t.Errorf("preset %q for a table, want default", got)
	}
}

// Number fields take no letters, so q stays a command there; text fields
// take q. ? opens the help from every field, text fields too (the footer
// says "? help" on all of them), and leaves the field as it was.
func TestSetupKeysInFields(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	press(m, "down", "down", "down") // hidden
	if cmd := press(m, "q"); !isQuit(cmd) {
		t.Error("q on a number field does not quit")
	}
	for _, field := range []string{"dataset", "name", "lr", "preset", "nesterov"} {
		m = newTestModel(t, irisConfig(), 80, 24)
		for m.setup.fields[m.setup.focus].def.Name != field {
			press(m, "down")
		}
		before := m.setup.field(field).get()
		if !strings.Contains(m.View(), "? help") {
			t.Errorf("%s: the footer does not offer ? help", field)
		}
		press(m, "?")
		if m.overlay != helpOverlay {
			t.Errorf("%s: ? did not open the help", field)
		}
		if got := m.setup.field(field).get(); got != before || m.setup.field("preset").get() != "iris" {
			t.Errorf("%s: %q after ?, was %q; preset %q", field, got, before, m.setup.field("preset").get())
		}
		press(m, "x") // any key closes it
		if m.overlay != noOverlay {
			t.Errorf("%s: the help stays after a key", field)
		}
	}
	m = newTestModel(t, irisConfig(), 80, 24)
	press(m, "ctrl+u", "iq")
	if got := m.setup.field("dataset").get(); got != "iq" {
		t.Errorf("dataset %q, want the letters typed", got)
	}
}

// A data set that does not exist is marked on the form as it is typed,
// before Enter: the status line says a field is to fix, not "ready".
func TestSetupDatasetCheckedBeforeEnter(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	press(m, "s") // iris → iriss
	v := m.View()
	if f := m.setup.field("dataset"); f.err == "" || !strings.Contains(f.err, "no such file") {
		t.Errorf("dataset iriss: problem %q, want it marked before Enter", f.err)
	}
	if strings.Contains(v, "ready: Enter starts") || !strings.Contains(v, "1 field(s) to fix") {
		t.Errorf("the status line does not say the form will fail:\n%s", v)
	}
	press(m, "backspace")
	if v := m.View(); !strings.Contains(v, "ready: Enter starts") {
		t.Errorf("iris again: not ready:\n%s", v)
	}
}

func TestRunsSortedWithSweeps(t *testing.T) {
	m := newTestModel(t, irisConfig(), 120, 30)
	m.Update(runsMsg{runs: savedRuns()})
	var got []string
	for _, r := range m.runs.rows {
		got = append(got, runName(r.Dir))
	}
	want := []string{"20261128-100000-iris", "20261128-120000-iris-lr1", "20261128-120001-iris-lr2",
		"20261128-110000-cifar10", "20261128-090000-iris"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	m.screen = runsScreen
	for i := 0; lab.RunColumns[m.runs.sortBy].Name != "name"; i++ { // o goes through lab's run columns
		if i > len(lab.RunColumns) {
			t.Fatal("o never sorts by name")
		}
		press(m, "o")
	}
	if !strings.Contains(m.View(), "sorted by NAME") {
		t.Errorf("the table does not say its order:\n%s", m.View())
	}
	// By name, as mlptui runs --sort name: the sweep stays together, best
	// trial first, where its first trial by name stands.
	got = got[:0]
	for _, r := range m.runs.rows {
		got = append(got, runName(r.Dir))
	}
	want = []string{"20261128-090000-iris", "20261128-100000-iris", "20261128-110000-cifar10",
		"20261128-120000-iris-lr1", "20261128-120001-iris-lr2"}
	if !slices.Equal(got, want) {
		t.Errorf("by name: %v, want %v", got, want)
	}
}

func TestRunsActions(t *testing.T) {
	m := newTestModel(t, irisConfig(), 120, 30)
	m.screen = runsScreen
	m.Update(runsMsg{runs: savedRuns()})
	// A done run asks for the epochs to go to.
	press(m, "enter", "r")
	if !m.runs.prompt || m.runs.epochs.Value() != "1000" {
		t.Fatalf("prompt %v with %q, want a prompt with 1000", m.runs.prompt, m.runs.epochs.Value())
	}
	press(m, "esc")
	_, cmd := m.runs.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'c'}})
	var act runsAction
	if cmd != nil {
		act, _ = cmd().(runsAction)
	}
	if act.kind != runsCompare || len(act.rows) != 1 {
		t.Errorf("compare without a selection: %+v", act)
	}
	// Inspecting is refused while a run is live.
	attach(m)
	m.screen = runsScreen
	if cmd := press(m, "enter", "p"); cmd != nil {
		t.Error("inspect started with a live run")
	}
	if !strings.Contains(m.View(), "a run is live") {
		t.Errorf("no reason given:\n%s", m.View())
	}
}

func TestDifferences(t *testing.T) {
	runs := savedRuns()
	d := differences([]runRow{newRunRow(runs[2]), newRunRow(runs[3])})
	if len(d) != 1 || !strings.HasPrefix(d[0], "lr") || !strings.Contains(d[0], "A 0.1  B 0.001") {
		t.Errorf("differences %q, want only lr", d)
	}
}

// TestRunsExport: e on an opened run writes its model.onnx (in a command,
// not in Update) and says where; a run without a model says why not.
func TestRunsExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "20261202-050000-iris")
	net, err := nn.New(nn.Arch{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.ReLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o755)
	model := &nn.Model{Net: net, Classes: []string{"a", "b"}, InputShape: []int{4}, Mean: make([]float32, 4), Std: []float32{1, 1, 1, 1}}
	if err := nn.SaveModel(filepath.Join(dir, trainer.ModelFile), model); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "20261202-060000-iris")
	os.MkdirAll(empty, 0o755)

	m := newTestModel(t, irisConfig(), 120, 30)
	m.screen = runsScreen
	m.Update(runsMsg{runs: []trainer.RunRecord{trainer.ReadRun(dir), trainer.ReadRun(empty)}})
	m.runs.cursor = slices.IndexFunc(m.runs.rows, func(r runRow) bool { return r.Dir == dir })
	press(m, "enter")
	if !strings.Contains(m.View(), "e export ONNX") {
		t.Fatalf("the open run's menu does not offer export:\n%s", m.View())
	}
	cmd := press(m, "e")
	if cmd == nil {
		t.Fatal("e on an open run gave no command")
	}
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err == nil {
		t.Fatal("Update wrote the file itself instead of leaving it to the command")
	}
	m.Update(cmd())
	if st, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil || st.Size() < 100 {
		t.Fatalf("no model.onnx after the export: %v", err)
	}
	if !strings.Contains(m.View(), "exported "+filepath.Join(dir, "model.onnx")) {
		t.Errorf("the export is not reported:\n%s", m.View())
	}
	m.runs.cursor = slices.IndexFunc(m.runs.rows, func(r runRow) bool { return r.Dir == empty })
	press(m, "enter")
	m.Update(press(m, "e")())
	if !strings.Contains(m.View(), "no model.safetensors in it") {
		t.Errorf("a run without a model: no reason given:\n%s", m.View())
	}
}
