package tui

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestResumeOfARunningRunRefused: the Runs screen's resume of a run that
// another writer is training (here a run of this process, paused) is
// refused with the line naming that process, shown on the setup screen;
// the run's events do not record a resume.
func TestResumeOfARunningRunRefused(t *testing.T) {
	cfg := e2eConfig(t)
	r, err := trainer.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var dir string
	for ev := range r.Events() {
		if ev.Kind == trainer.Started {
			dir = ev.Info.Dir
		}
		if ev.Kind == trainer.EpochEnd {
			r.Pause()
		}
		if ev.Kind == trainer.Paused {
			break
		}
	}
	defer func() {
		r.Stop()
		for range r.Events() {
		}
	}()
	m := New(context.Background(), Options{Config: cfg})
	cmd := m.runsAction(runsAction{kind: runsResume, dir: dir})
	if cmd == nil {
		t.Fatal("no command for the resume")
	}
	msg, ok := cmd().(startedMsg)
	if !ok || msg.err == nil {
		t.Fatalf("resume of a running run: %+v, want refused", msg)
	}
	m.Update(msg)
	want := "already being trained by process " + strconv.Itoa(os.Getpid())
	if m.screen != setupScreen || !m.setup.bad || !strings.Contains(m.setup.note, want) {
		t.Errorf("screen %v, note %q; want the setup screen saying %q", m.screen, m.setup.note, want)
	}
	events, err := trainer.ReadEvents(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Event == "resume" {
			t.Error("the refused resume was logged in the run: it wrote into it")
		}
	}
}
