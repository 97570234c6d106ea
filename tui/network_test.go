package tui

import (
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestNetworkScreen: the statistics of the latest event are shown, a
// warning goes to the log marked bad, and scrolling stays within the
// layers.
func TestNetworkScreen(t *testing.T) {
	m := newTestModel(t, irisConfig(), 80, 24)
	attach(m)
	info := irisInfo(20)
	feed(m, false, started(info))
	m.screen = networkScreen
	if v := m.View(); !strings.Contains(v, "Waiting for the first layer statistics") {
		t.Errorf("before any statistics:\n%s", v)
	}
	feed(m, false, trainer.Event{Kind: trainer.Progress, Time: at(1), Epoch: 1, Step: 3, Batch: 3, Batches: 4, Layers: fakeNetStats(true)})
	feed(m, false, trainer.Event{Kind: trainer.Warning, Time: at(2), Epoch: 1, Step: 4, Layers: fakeNetStats(false),
		Message: "dense.1: 62% of its 100 units dead (never active over a batch of 27)"})
	v := m.View()
	for _, want := range []string{"dense.0", "dense.1", "dense.2", "⚠ dead", "1 warning", "dead 62%"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q on the network screen:\n%s", want, v)
		}
	}
	last := m.state.log[len(m.state.log)-1]
	if !last.bad || !strings.Contains(last.text, "warning: dense.1: 62% of its 100 units dead") {
		t.Errorf("log line %+v", last)
	}
	// Nine layers of the residual network do not fit 80×24: scrolling
	// moves through them and stops at the ends.
	feed(m, false, trainer.Event{Kind: trainer.Progress, Time: at(3), Epoch: 1, Step: 5, Batch: 1, Batches: 4, Layers: fakeNetStats(true)})
	press(m, "end")
	if v := m.View(); !strings.Contains(v, "of 9") || !strings.Contains(v, "dense.5") || strings.Contains(v, "dense.0 ") {
		t.Errorf("at the end:\n%s", v)
	}
	press(m, "home", "up", "up")
	if v := m.View(); !strings.Contains(v, "layers 1-") || !strings.Contains(v, "dense.0") {
		t.Errorf("at the top:\n%s", v)
	}
	// A saved run opened later has no live statistics: the screen says
	// where to find them.
	m.state = newRunState()
	m.state.status = trainer.StatusDone
	if v := m.View(); !strings.Contains(v, "mlptui plot --layers RUN") {
		t.Errorf("a saved run:\n%s", v)
	}
}
