package tui

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/mlptui/mlptui/trainer"
)

func ptr(v float64) *float64 { return &v }

// savedRuns are run records as ListRuns would give them: two runs of a
// sweep, two single runs, and a damaged one.
func savedRuns() []trainer.RunRecord {
	mk := func(name, dataset, sweep string, hidden []int, lr float64, epochs int, best, test float64, secs float64) trainer.RunRecord {
		c := irisConfig()
		c.Dataset, c.Sweep, c.Hidden, c.LR, c.Epochs = dataset, sweep, hidden, lr, epochs
		return trainer.RunRecord{Dir: "runs/" + name, Config: &c, Status: trainer.StatusDone, Summary: &trainer.Summary{
			Status: trainer.StatusDone, Epochs: epochs, BestValAccuracy: ptr(best), TestAccuracy: ptr(test), TrainSeconds: secs}}
	}
	damaged := trainer.RunRecord{Dir: "runs/20261128-090000-iris", Status: "damaged", Err: errors.New("summary.json: unexpected end of JSON input")}
	return []trainer.RunRecord{
		mk("20261128-100000-iris", "iris", "", []int{1000, 100}, 0.01, 500, 1.0, 0.967, 1.1),
		mk("20261128-110000-cifar10", "cifar10", "", []int{2048, 1024, 512}, 0.001, 30, 0.571, 0.562, 803),
		mk("20261128-120000-iris-lr1", "iris", "lr", []int{64}, 0.1, 100, 0.917, 0.9, 0.4),
		mk("20261128-120001-iris-lr2", "iris", "lr", []int{64}, 0.001, 100, 0.75, 0.7, 0.4),
		damaged,
	}
}

// fakeNetStats are layer statistics as the trainer sends them: a plain
// network of Iris's sizes with its second layer mostly dead, or a
// residual one with norms (two blocks).
func fakeNetStats(residual bool) *trainer.NetStats {
	bell := func(n int, skew float64) trainer.Dist {
		d := trainer.Dist{N: n, Mean: skew, Std: 0.05, Min: skew - 0.2, Max: skew + 0.2, Lo: skew - 0.2, Hi: skew + 0.2, Hist: make([]int, trainer.HistBins)}
		for i := range d.Hist {
			x := (float64(i) - 15.5) / 5
			d.Hist[i] = int(float64(n) / 10 * math.Exp(-x*x/2))
		}
		return d
	}
	layer := func(name, kind, act string, block, units int, dead float64, flags trainer.LayerFlag) trainer.LayerStats {
		l := trainer.LayerStats{Name: name, Kind: kind, ActKind: act, Block: block, Units: units, Params: 4 * units,
			Weights: bell(400, 0), Out: bell(800, 0.1), Grad: bell(400, 0), Dead: math.NaN(), GradNorm: 0.42, UpdateRatio: 1.3e-3, Flags: flags}
		if act != "" {
			l.Act, l.Dead = bell(800, 0.3), dead
		}
		return l
	}
	s := &trainer.NetStats{Epoch: 6, Step: 21, Rows: 27, LR: 0.01}
	if !residual {
		s.Layers = []trainer.LayerStats{layer("dense.0", "dense", "relu", 0, 1000, 0.01, 0),
			layer("dense.1", "dense", "relu", 0, 100, 0.62, trainer.FlagDead), layer("dense.2", "dense", "", 0, 3, 0, 0)}
		return s
	}
	s.Layers = []trainer.LayerStats{layer("dense.0", "dense", "", 0, 64, 0, 0)}
	for b := 1; b <= 2; b++ {
		s.Layers = append(s.Layers, layer(fmt.Sprintf("norm.%d", b-1), "layer_norm", "", b, 64, 0, 0),
			layer(fmt.Sprintf("dense.%d", 2*b-1), "dense", "gelu", b, 256, 0, 0), layer(fmt.Sprintf("dense.%d", 2*b), "dense", "", b, 64, 0, 0))
	}
	s.Layers = append(s.Layers, layer("norm.2", "layer_norm", "", 0, 64, 0, 0), layer("dense.5", "dense", "", 0, 3, 0, trainer.FlagUpdateHigh))
	return s
}

// comparisonOf is the comparison of the first and third saved runs.
func comparisonOf(runs []trainer.RunRecord) *comparison {
	rows := []runRow{newRunRow(runs[0]), newRunRow(runs[2])}
	c := &comparison{rows: rows, metrics: make([][]trainer.EpochMetrics, 2), errs: make([]error, 2)}
	for i := range rows {
		for _, ev := range epochEvents(irisInfo(12), 1, 10+2*i) {
			if ev.Kind == trainer.EpochEnd {
				m := *ev.Metrics
				m.ValAcc -= 0.05 * float64(i)
				c.metrics[i] = append(c.metrics[i], m)
			}
		}
	}
	return c
}

// screens builds each screen in a known state.
var screens = []struct {
	name  string
	build func(t *testing.T, w, h int) *Model
}{
	{"setup", func(t *testing.T, w, h int) *Model { return newTestModel(t, irisConfig(), w, h) }},
	{"setup-problems", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		press(m, "down", "down", "down", "ctrl+u", "10,0", "down", "down", "down", "ctrl+u", "1.5")
		return m
	}},
	{"training-none", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		press(m, "tab")
		return m
	}},
	{"training-loading", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		feed(m, false, trainer.Event{Kind: trainer.Loading, Time: at(0), Done: 60 << 20, Total: 170 << 20,
			Message: "downloading cifar-10-binary.tar.gz: 60 of 170 MB"})
		return m
	}},
	{"training", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 6)...)
		feed(m, false, trainer.Event{Kind: trainer.EditDone, Time: at(6.2), Epoch: 7, Step: 24, Field: "lr", Value: 0.02,
			Message: "lr 0.01 -> 0.02 from step 25"})
		feed(m, false, epochEvents(info, 7, 12)...)
		feed(m, false, trainer.Event{Kind: trainer.Checkpoint, Time: at(12.1), Epoch: 12, Step: 48, Message: "checkpoint saved"})
		feed(m, false, trainer.Event{Kind: trainer.Paused, Time: at(12.5), Epoch: 13, Step: 48, Message: "paused"})
		return m
	}},
	{"training-done", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 20)...)
		feed(m, true, trainer.Event{Kind: trainer.Finished, Time: at(21), Epoch: 20, Step: 80, Message: "20 epochs done",
			Summary: &trainer.Summary{Run: info.Dir, Status: trainer.StatusDone, Epochs: 20, TestAccuracy: ptr(0.9667), TrainSeconds: 20}})
		return m
	}},
	{"edit", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 5)...)
		press(m, "e", "ctrl+u", "0")
		return m
	}},
	{"quit", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 5)...)
		press(m, "q")
		return m
	}},
	{"network", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 5)...)
		feed(m, false, trainer.Event{Kind: trainer.Warning, Time: at(5.5), Epoch: 6, Step: 21, Layers: fakeNetStats(false),
			Message: "dense.1: 62% of its 100 units dead (never active over a batch of 27)"})
		m.screen = networkScreen
		return m
	}},
	{"network-residual", func(t *testing.T, w, h int) *Model { // more layers than fit at 80×24: scrolled
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, trainer.Event{Kind: trainer.Progress, Time: at(1), Epoch: 1, Step: 3, Batch: 3, Batches: 4, Layers: fakeNetStats(true)})
		m.screen = networkScreen
		press(m, "down")
		return m
	}},
	{"predictions", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := irisInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 5)...)
		m.screen = predictionsScreen
		return m
	}},
	{"predictions-table", func(t *testing.T, w, h int) *Model { // a CSV table: each column by name, as written
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := tableInfo(20)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 5)...)
		m.screen = predictionsScreen
		return m
	}},
	{"predictions-images", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := imageInfo(30)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 2)...)
		m.screen = predictionsScreen
		return m
	}},
	{"confusion", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		attach(m)
		info := imageInfo(30)
		feed(m, false, started(info))
		feed(m, false, epochEvents(info, 1, 2)...)
		m.screen = predictionsScreen
		press(m, "c")
		return m
	}},
	{"runs", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		m.screen = runsScreen
		m.Update(runsMsg{runs: savedRuns()})
		press(m, "space", "down", "space")
		return m
	}},
	{"runs-open", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		m.screen = runsScreen
		m.Update(runsMsg{runs: savedRuns()})
		press(m, "enter")
		return m
	}},
	{"compare", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		m.screen = runsScreen
		runs := savedRuns()
		m.Update(runsMsg{runs: runs})
		m.Update(compareMsg{comparisonOf(runs)})
		return m
	}},
	{"help", func(t *testing.T, w, h int) *Model {
		m := newTestModel(t, irisConfig(), w, h)
		m.screen = trainingScreen
		press(m, "?")
		return m
	}},
}

// TestScreens compares every screen with its golden file at 80×24 and
// 200×60 (go test -update rewrites them), and checks that it fits.
func TestScreens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		w, h := size[0], size[1]
		for _, s := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, w, h), func(t *testing.T) {
				v := s.build(t, w, h).View()
				checkFits(t, s.name, v, w, h)
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// Every screen fits small, odd and large terminals, and what is drawn
// before the first WindowSizeMsg is a sane 80×24.
func TestScreensFitAnySize(t *testing.T) {
	for _, size := range [][2]int{{20, 6}, {40, 12}, {60, 16}, {79, 23}, {81, 25}, {120, 40}, {300, 90}} {
		w, h := size[0], size[1]
		for _, s := range screens {
			m := s.build(t, w, h)
			checkFits(t, fmt.Sprintf("%s at %dx%d", s.name, w, h), m.View(), w, h)
		}
	}
	m := New(t.Context(), Options{Config: irisConfig()})
	v := m.View()
	checkFits(t, "before any size", v, 80, 24)
	if !strings.Contains(v, "dataset") || !strings.Contains(v, "Setup") {
		t.Errorf("the first view is not the setup form:\n%s", v)
	}
}
