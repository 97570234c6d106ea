package tui

import (
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestRunDetailsHost: a run's details name the host it trained on (a
// sweep's trials come from many), and say nothing of a host a summary
// does not name.
func TestRunDetailsHost(t *testing.T) {
	cfg := trainer.Defaults()
	for _, tc := range []struct{ host, want string }{
		{"node07", "samples/s, on node07"},
		{"", "samples/s"},
	} {
		rec := trainer.RunRecord{Dir: "runs/a", Status: trainer.StatusDone, Config: &cfg,
			Summary: &trainer.Summary{Status: trainer.StatusDone, Epochs: 3, TrainSeconds: 2, Host: tc.host}}
		text := strings.Join(runDetails(rec), "\n")
		if !strings.Contains(text, tc.want) || tc.host == "" && strings.Contains(text, ", on ") {
			t.Errorf("host %q: details lack %q:\n%s", tc.host, tc.want, text)
		}
	}
	rec := trainer.RunRecord{Dir: "runs/a", Status: trainer.StatusDone, Config: &cfg,
		Summary: &trainer.Summary{Host: "evil\x1b[2J"}}
	if text := strings.Join(runDetails(rec), "\n"); strings.Contains(text, "\x1b") {
		t.Errorf("a host name's escape drawn raw:\n%q", text)
	}
}
