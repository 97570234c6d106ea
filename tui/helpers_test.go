package tui

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
	"github.com/muesli/termenv"
)

// Views are tested without colour, so that golden files are plain text.
func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// t0 is the tests' clock: every time is a fixed offset from it.
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// fakeRun records the controls the dashboard sends.
type fakeRun struct{ calls []string }

func (f *fakeRun) Pause()               { f.calls = append(f.calls, "pause") }
func (f *fakeRun) Resume()              { f.calls = append(f.calls, "resume") }
func (f *fakeRun) Stop()                { f.calls = append(f.calls, "stop") }
func (f *fakeRun) SetLR(v float64)      { f.calls = append(f.calls, fmt.Sprintf("lr %g", v)) }
func (f *fakeRun) SetDropout(v float64) { f.calls = append(f.calls, fmt.Sprintf("dropout %g", v)) }

// newTestModel is a dashboard of w×h cells on the test clock, its form
// filled with cfg.
func newTestModel(t *testing.T, cfg trainer.Config, w, h int) *Model {
	t.Helper()
	m := New(t.Context(), Options{Config: cfg, Samples: 8, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// irisConfig is the form's Iris configuration, with a fixed runs and
// data directory so that views do not depend on the machine.
func irisConfig() trainer.Config {
	c := trainer.Defaults()
	if err := c.ApplyPreset("iris"); err != nil {
		panic(err)
	}
	c.Epochs = 20
	c.RunsDir, c.DataDir = "runs", "/data"
	return c
}

// attach makes the model believe a run is live, with fake controls.
func attach(m *Model) *fakeRun {
	f := &fakeRun{}
	m.state = newRunState()
	m.live = &liveRun{id: 7, ctl: f, events: make(chan trainer.Event), cancel: func() {}}
	m.screen = trainingScreen
	return f
}

// feed delivers events of the live run as the events command would.
func feed(m *Model, closed bool, evs ...trainer.Event) tea.Cmd {
	_, cmd := m.Update(eventsMsg{id: 7, events: evs, closed: closed})
	return cmd
}

// press sends keys: "enter", "space", "ctrl+c", or text typed rune by rune.
func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyMsg{Type: tea.KeyShiftTab}
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "left":
			msg = tea.KeyMsg{Type: tea.KeyLeft}
		case "right":
			msg = tea.KeyMsg{Type: tea.KeyRight}
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		case "backspace":
			msg = tea.KeyMsg{Type: tea.KeyBackspace}
		case "ctrl+c":
			msg = tea.KeyMsg{Type: tea.KeyCtrlC}
		case "ctrl+u":
			msg = tea.KeyMsg{Type: tea.KeyCtrlU}
		case "home":
			msg = tea.KeyMsg{Type: tea.KeyHome}
		case "end":
			msg = tea.KeyMsg{Type: tea.KeyEnd}
		default:
			for _, r := range k {
				_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			}
			continue
		}
		_, cmd = m.Update(msg)
	}
	return cmd
}

// irisInfo describes a synthetic Iris-like run: 4 features, 3 classes,
// 4 steps an epoch of 108 samples, 8 test samples shown.
func irisInfo(epochs int) *trainer.RunInfo {
	cfg := irisConfig()
	cfg.Epochs = epochs
	cfg.Batch = 27
	info := &trainer.RunInfo{
		Dir: "runs/20261128-120000-iris", Config: cfg, Arch: "4-1000-100-3", Params: 105403,
		Classes:    []string{"Iris-setosa", "Iris-versicolor", "Iris-virginica"},
		InputShape: []int{4}, Train: 108, Val: 12, Test: 30, Batches: 4,
	}
	for i := range 8 {
		info.Samples = append(info.Samples, trainer.Sample{Index: i * 3, Label: i % 3,
			X: []float32{4.5 + float32(i)*0.3, 3.0 - float32(i%3)*0.2, 1.4 + float32(i%3)*2, 0.2 + float32(i%3)*0.9}})
	}
	return info
}

// tableInfo describes a synthetic run on a CSV table of text and number
// columns with gaps.
func tableInfo(epochs int) *trainer.RunInfo {
	info := irisInfo(epochs)
	info.Config.Dataset, info.Arch = "customers.csv", "7-100-3"
	info.Features = []string{"age", "city", "income", "member"}
	info.InputShape = []int{7}
	cities := []string{"Paris", "Lyon", ""}
	for i := range info.Samples {
		smp := &info.Samples[i]
		smp.X = make([]float32, 7)
		smp.Cells = []string{fmt.Sprint(30 + 3*i), cities[i%3], fmt.Sprint(40000 + 1500*i), []string{"yes", "no"}[i%2]}
	}
	return info
}

// imageInfo describes a synthetic CIFAR-like run: 3×32×32 images of
// simple patterns, 10 classes.
func imageInfo(epochs int) *trainer.RunInfo {
	cfg := irisConfig()
	cfg.Dataset, cfg.Epochs, cfg.Batch = "cifar10", epochs, 256
	info := &trainer.RunInfo{
		Dir: "runs/20261128-120000-cifar10", Config: cfg, Arch: "3072-256-10", Params: 789258,
		Classes:    []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"},
		InputShape: []int{3, 32, 32}, Train: 45000, Val: 5000, Test: 10000, Batches: 176,
	}
	for i := range 8 {
		pix := make([]byte, 3*32*32)
		for y := range 32 {
			for x := range 32 {
				pix[y*32+x] = byte(x * 8)                            // red grows to the right
				pix[1024+y*32+x] = byte(y * 8)                       // green grows down
				pix[2048+y*32+x] = byte(((x/8 + y/8 + i) % 2) * 255) // a checkerboard of blue
			}
		}
		info.Samples = append(info.Samples, trainer.Sample{Index: i * 100, Label: i % 10, Pix: pix})
	}
	return info
}

// probs is a deterministic distribution over n classes leaning to class
// guess.
func probs(n, guess int, sure float32) []float32 {
	p := make([]float32, n)
	for i := range p {
		p[i] = (1 - sure) / float32(n-1)
	}
	p[guess] = sure
	return p
}

// epochEvents are the events of a synthetic run's epochs from..to: a
// progress event halfway and the epoch end, with curves that fall and
// rise smoothly.
func epochEvents(info *trainer.RunInfo, from, to int) []trainer.Event {
	var evs []trainer.Event
	k := len(info.Classes)
	for e := from; e <= to; e++ {
		step := int64(e * info.Batches)
		half := step - int64(info.Batches/2)
		f := float64(e)
		loss := 1.1*math.Exp(-f/4) + 0.05
		acc := 1 - 0.66*math.Exp(-f/3)
		evs = append(evs, trainer.Event{Kind: trainer.Progress, Time: at(f - 0.5), Epoch: e, Step: half,
			Batch: info.Batches / 2, Batches: info.Batches, SamplesPerSec: 5000, Loss: loss * 1.1, Accuracy: acc * 0.97})
		conf := make([][]int, k)
		for i := range conf {
			conf[i] = make([]int, k)
			conf[i][i] = 3 + e/4
			conf[i][(i+1)%k] = max(0, 3-e/4)
		}
		preds := make([][]float32, len(info.Samples))
		for i, s := range info.Samples {
			guess := s.Label
			if (i+e)%4 == 0 {
				guess = (s.Label + 1) % k
			}
			preds[i] = probs(k, guess, 0.5+0.04*float32(min(e, 10)))
		}
		evs = append(evs, trainer.Event{Kind: trainer.EpochEnd, Time: at(f), Epoch: e, Step: step, Predictions: preds,
			Metrics: &trainer.EpochMetrics{Epoch: e, Step: step, Seconds: f, LR: info.Config.LR,
				TrainLoss: loss, TrainAcc: acc * 0.98, ValLoss: loss * 1.15, ValAcc: acc * 0.95, SamplesPerSec: 5000,
				Confusion: conf}})
	}
	return evs
}

func started(info *trainer.RunInfo) trainer.Event {
	preds := make([][]float32, len(info.Samples))
	for i := range preds {
		preds[i] = probs(len(info.Classes), 0, 1/float32(len(info.Classes))+0.01)
	}
	return trainer.Event{Kind: trainer.Started, Time: at(0), Epoch: 1, Info: info, Predictions: preds}
}

// checkFits fails unless a view is exactly h lines of at most w cells.
func checkFits(t *testing.T, name, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("%s: line %d is %d cells wide, more than %d: %q", name, i+1, n, w, l)
		}
	}
}

// runCell is a row's cell in the runs table's column of that name.
func runCell(r *runRow, col string) string { return lab.FindRunColumn(col).Cell(r.Entry) }
