package tui

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mlptui/mlptui/trainer"
)

// hostile is text as a hostile file holds it: a window title (OSC 0), a
// screen clear, a C1 CSI and a bidi override.
const hostile = "\x1b]0;TITLE\x07\x1b[2J\u009b2J\u202e"

// unsafeChar returns the first character of a view a terminal would act
// on (the views are drawn without colour here, so any ESC is one), or "".
func unsafeChar(view string) string {
	for i, r := range view {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e || r == utf8.RuneError {
			return fmt.Sprintf("%U at %d", r, i)
		}
	}
	return ""
}

// hostileInfo gives a run's classes, directory and data set hostile names.
func hostileInfo(info *trainer.RunInfo) *trainer.RunInfo {
	for i := range info.Classes {
		info.Classes[i] += hostile
	}
	info.Dir += hostile
	info.Config.Dataset = "data" + hostile + ".csv"
	return info
}

// hostileRuns is savedRuns with hostile directories, statuses, data sets
// and errors.
func hostileRuns() []trainer.RunRecord {
	runs := savedRuns()
	for i := range runs {
		runs[i].Dir += hostile
		runs[i].Status += hostile
		if runs[i].Config != nil {
			runs[i].Config.Dataset += hostile
		}
		if runs[i].Err != nil {
			runs[i].Err = fmt.Errorf("%w%s", runs[i].Err, hostile)
		}
	}
	return runs
}

// hostileScreens builds, by name, each screen that draws text from a run
// or a file, at a size, fed hostile names.
func hostileScreens(t *testing.T) map[string]func(w, h int) *Model {
	return map[string]func(w, h int) *Model{
		"loading": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			attach(m)
			feed(m, false, trainer.Event{Kind: trainer.Loading, Time: at(0), Message: "reading " + hostile})
			return m
		},
		"training": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			attach(m)
			info := hostileInfo(irisInfo(20))
			feed(m, false, started(info))
			feed(m, false, epochEvents(info, 1, 6)...)
			feed(m, false, trainer.Event{Kind: trainer.EditDone, Time: at(6.2), Epoch: 7, Step: 24, Field: "lr", Value: 0.02, Message: "lr " + hostile})
			feed(m, true, trainer.Event{Kind: trainer.Failed, Time: at(7), Epoch: 7, Step: 28, Err: fmt.Errorf("write %s: disk full", hostile)})
			return m
		},
		"predictions": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			attach(m)
			info := hostileInfo(irisInfo(20))
			feed(m, false, started(info))
			feed(m, false, epochEvents(info, 1, 5)...)
			m.screen = predictionsScreen
			return m
		},
		"confusion": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			attach(m)
			info := hostileInfo(imageInfo(30))
			feed(m, false, started(info))
			feed(m, false, epochEvents(info, 1, 2)...)
			m.screen = predictionsScreen
			press(m, "c")
			return m
		},
		"runs": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			m.screen = runsScreen
			m.Update(runsMsg{runs: hostileRuns()})
			press(m, "space", "down", "space")
			return m
		},
		"runs-open": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			m.screen = runsScreen
			m.Update(runsMsg{runs: hostileRuns()})
			press(m, "enter")
			return m
		},
		"runs-damaged": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			m.screen = runsScreen
			m.Update(runsMsg{runs: hostileRuns()})
			press(m, "end", "enter", "r")
			return m
		},
		"compare": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			m.screen = runsScreen
			runs := hostileRuns()
			m.Update(runsMsg{runs: runs})
			m.Update(compareMsg{comparisonOf(runs)})
			return m
		},
		"setup-error": func(w, h int) *Model {
			m := newTestModel(t, irisConfig(), w, h)
			m.state = newRunState()
			m.Update(startedMsg{err: fmt.Errorf("--dataset %s: no such file", hostile)})
			return m
		},
	}
}

// TestHostileNamesDrawnEscaped draws every screen with class names, a
// run directory, a data set, a status, a loading message, log messages
// and errors that hold terminal escapes: none reaches the terminal.
func TestHostileNamesDrawnEscaped(t *testing.T) {
	build := hostileScreens(t)
	for name, b := range build {
		for _, size := range [][2]int{{80, 24}, {200, 60}} {
			v := b(size[0], size[1]).View()
			if bad := unsafeChar(v); bad != "" {
				t.Errorf("%s at %dx%d: %s drawn:\n%q", name, size[0], size[1], bad, v)
			}
			if name != "confusion" && !strings.Contains(v, `\x1b`) && !strings.Contains(v, `\u009b`) {
				t.Logf("%s at %dx%d: no hostile text on the screen", name, size[0], size[1])
			}
		}
	}
}
