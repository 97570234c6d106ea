package tui

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestLRFindKey: ctrl+l on the form runs the range test of the form's
// network and puts its suggestion in the lr field; a form with problems
// or a live run refuses.
func TestLRFindKey(t *testing.T) {
	cfg := irisConfig()
	cfg.Hidden, cfg.Dropout, cfg.RunsDir = []int{16}, 0, t.TempDir()
	m := newTestModel(t, cfg, 80, 24)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlL})
	if cmd == nil || !strings.Contains(m.View(), "finding a learning rate") {
		t.Fatalf("ctrl+l started nothing:\n%s", m.View())
	}
	if _, again := m.Update(tea.KeyMsg{Type: tea.KeyCtrlL}); again != nil {
		t.Error("a second ctrl+l started a second test")
	}
	msg := cmd()
	found, ok := msg.(lrFoundMsg)
	if !ok || found.err != nil {
		t.Fatalf("got %#v", msg)
	}
	m.Update(msg)
	lr, err := strconv.ParseFloat(m.setup.field("lr").get(), 64)
	if err != nil || lr <= 0 || lr != mustParse(t, strconv.FormatFloat(found.f.Suggest, 'g', 2, 64)) {
		t.Errorf("lr field %q, suggestion %g", m.setup.field("lr").get(), found.f.Suggest)
	}
	if !strings.Contains(m.View(), "the smoothed loss falls fastest there") {
		t.Errorf("no note:\n%s", m.View())
	}
	// A form with a problem: refused, with a note.
	m.setup.field("hidden").set("-3")
	m.setup.check()
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlL}); cmd != nil || !strings.Contains(m.View(), "fix them to find a learning rate") {
		t.Errorf("a bad form started a test:\n%s", m.View())
	}
	m.setup.field("hidden").set("16")
	attach(m)
	m.screen = setupScreen
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlL}); cmd != nil {
		t.Error("a test started while a run is live")
	}
}

func mustParse(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
