package tui

import (
	"testing"
	"time"

	"github.com/mlptui/mlptui/trainer"
)

// The events command reads a fast run's channel without falling behind
// and without losing the last events, in at most about 15 messages a
// second.
func TestWaitEventsKeepsUp(t *testing.T) {
	const n = 20000
	ch := make(chan trainer.Event, 64) // as the trainer's
	go func() {
		for i := range n {
			ch <- trainer.Event{Kind: trainer.Progress, Step: int64(i)}
		}
		ch <- trainer.Event{Kind: trainer.Finished}
		close(ch)
	}()
	start := time.Now()
	var got []trainer.Event
	msgs := 0
	for {
		msg := waitEvents(1, ch)().(eventsMsg)
		msgs++
		got = append(got, msg.events...)
		if msg.closed {
			break
		}
	}
	elapsed := time.Since(start)
	if len(got) != n+1 || got[n].Kind != trainer.Finished {
		t.Fatalf("%d events, the last %v; want %d ending with finished", len(got), got[len(got)-1].Kind, n+1)
	}
	for i := range n {
		if got[i].Step != int64(i) {
			t.Fatalf("event %d is step %d: out of order or lost", i, got[i].Step)
		}
	}
	if most := int(elapsed/frameInterval) + n/maxBatch + 2; msgs > most {
		t.Errorf("%d messages in %v, more than %d", msgs, elapsed, most)
	}
}

func TestRegistryStopsWhatIsLeft(t *testing.T) {
	r := newRegistry()
	cfg := irisConfig()
	cfg.RunsDir, cfg.Hidden, cfg.Epochs, cfg.Batch = t.TempDir(), []int{8}, 100000, 16
	run, err := trainer.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.add(run)
	done := make(chan error, 1)
	go func() { done <- r.stopAll() }()
	go func() { // nobody else reads the events
		for range run.Events() {
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("stopAll did not return")
	}
	s, err := run.Wait()
	if err != nil || s.Status != trainer.StatusStopped {
		t.Fatalf("run ended %+v, %v", s, err)
	}
	checkRunDir(t, s.Run, trainer.StatusStopped)
	if err := r.stopAll(); err != nil {
		t.Errorf("a second stopAll: %v", err)
	}
}
