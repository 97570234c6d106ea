package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/mlptui/mlptui/trainer"
)

// TestTrainingShowsLRLine: under the curves the training screen draws the
// learning rate as it went, a sparkline whose shape follows a decaying
// schedule, with the edit marked where it applied and the last value.
func TestTrainingShowsLRLine(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		m := newTestModel(t, irisConfig(), size[0], size[1])
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		evs := epochEvents(info, 1, 12)
		lr := 0.01
		for _, ev := range evs {
			if ev.Metrics != nil {
				ev.Metrics.LR = lr
				lr /= 2 // a decay: each epoch halves it
			}
		}
		feed(m, false, evs[:12]...)
		feed(m, false, trainer.Event{Kind: trainer.EditDone, Time: at(6.2), Epoch: 7, Step: 24, Field: "lr", Value: 0.02,
			Message: "lr 0.01 -> 0.02 from step 25"})
		feed(m, false, evs[12:]...)
		var line string
		for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
			if strings.HasPrefix(l, "lr ") {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("%dx%d: no lr line under the curves:\n%s", size[0], size[1], ansi.Strip(m.View()))
		}
		if !strings.Contains(line, "█") || !strings.Contains(line, "▁") || !strings.Contains(line, "¦") {
			t.Errorf("%dx%d: lr line %q: want the decay from █ to ▁ and the edit ¦", size[0], size[1], line)
		}
		if i, j := strings.Index(line, "█"), strings.LastIndex(line, "▁"); i > j {
			t.Errorf("%dx%d: lr line %q: a decay should fall left to right", size[0], size[1], line)
		}
		if !strings.Contains(line, "now 4.9e-06") || !strings.Contains(line, "(4.9e-06–0.01)") {
			t.Errorf("%dx%d: lr line %q: want the last lr and the range", size[0], size[1], line)
		}
		if w := ansi.StringWidth(line); w > size[0] {
			t.Errorf("%dx%d: lr line %d columns wide", size[0], size[1], w)
		}
	}
}

// TestYLabelTinyLoss: a log-scale loss axis reaching 1e-5 labels it so
// (1.2e-5), not 0.000, in the axis's width.
func TestYLabelTinyLoss(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{1.2e-5, "1.2e-5"}, {0.00099, "9.9e-4"}, {1.2e-12, "1e-12"}, {0.5, "0.500"}, {0, "0.000"}, {3e-300, "3e-300"}} {
		got := yLabel(c.v)
		if len(got) != yLabelWidth || strings.TrimSpace(got) != c.want {
			t.Errorf("yLabel(%g) = %q, want %q in %d cells", c.v, got, c.want, yLabelWidth)
		}
	}
}
