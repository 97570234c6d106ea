package trainer

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mlptui/mlptui/nn"
)

func sampleLayerRows() []LayerRow {
	nan := math.NaN()
	return []LayerRow{
		{Epoch: 1, Step: 13, Layer: "dense.0", Kind: nn.KindDense, Units: 64, WeightMean: -1.5e-3, WeightStd: 0.7071067811865476,
			OutMean: 0.1, OutStd: 1.3, ActMean: 0.5, ActStd: 0.8, Dead: 0.0625, GradMean: 1e-9, GradStd: 0.02, GradNorm: 1.25,
			UpdateRatio: 1.2e-3},
		{Epoch: 1, Step: 13, Layer: "norm.0", Kind: nn.KindLayerNorm, Block: 1, Units: 64, WeightMean: 1, WeightStd: 0,
			OutMean: 0, OutStd: 1, ActMean: nan, ActStd: nan, Dead: nan, GradMean: 0, GradStd: 0, GradNorm: 0, UpdateRatio: nan,
			Flags: FlagVanishing},
		{Epoch: 3, Step: 39, Layer: "dense.1", Kind: nn.KindDense, Units: 2, WeightMean: math.Inf(-1), WeightStd: math.Inf(1),
			OutMean: nan, OutStd: nan, ActMean: nan, ActStd: nan, Dead: 1, GradMean: nan, GradStd: math.Inf(1), GradNorm: math.Inf(1),
			UpdateRatio: 250, Flags: FlagDead | FlagExploding | FlagUpdateHigh},
	}
}

// sameRow compares rows, NaN equal to NaN.
func sameRow(a, b LayerRow) bool {
	fa, fb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range fa.NumField() {
		x, y := fa.Field(i).Interface(), fb.Field(i).Interface()
		if xf, ok := x.(float64); ok {
			yf := y.(float64)
			if xf != yf && !(math.IsNaN(xf) && math.IsNaN(yf)) {
				return false
			}
		} else if x != y {
			return false
		}
	}
	return true
}

func TestLayersRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rows := sampleLayerRows()
	p := filepath.Join(dir, LayersFile)
	if err := appendLayers(p, rows[:2]); err != nil {
		t.Fatal(err)
	}
	if err := appendLayers(p, rows[2:]); err != nil { // appended: the header once
		t.Fatal(err)
	}
	got, err := ReadLayers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows read, %d written", len(got), len(rows))
	}
	for i := range rows {
		if !sameRow(rows[i], got[i]) {
			t.Errorf("row %d: wrote %+v, read %+v", i+1, rows[i], got[i])
		}
	}
	b, _ := os.ReadFile(p)
	if strings.Count(string(b), layersHeader) != 1 || !strings.Contains(string(b), ",dead+exploding+update-high\n") {
		t.Errorf("file:\n%s", b)
	}
	// A line being written (no newline yet) is left out.
	os.WriteFile(p, append(b, "4,52,dense.0"...), 0o644)
	if got, err := ReadLayers(dir); err != nil || len(got) != len(rows) {
		t.Errorf("with half a line: %d rows, %v", len(got), err)
	}
}

func TestLayersRefused(t *testing.T) {
	h := layersHeader + "\n"
	row := "1,13,dense.0,dense,0,64,0,0.7,0.1,1.3,0.5,0.8,0.0625,0,0.02,1.25,0.0012,"
	with := func(field int, v string) string {
		f := strings.Split(row, ",")
		f[field] = v
		return h + strings.Join(f, ",") + "\n"
	}
	cases := []struct{ name, text, want string }{
		{"empty", "", "l.csv:1: header"},
		{"metrics header", metricsHeader + "\n", "l.csv:1: header"},
		{"short row", h + "1,13,dense.0\n", "l.csv:2: 3 fields, want 18"},
		{"long row", h + row + ",x\n", "l.csv:2: 19 fields"},
		{"not a number", with(7, "x"), "l.csv:2: bad row"},
		{"epoch 0", with(0, "0"), "l.csv:2: epoch 0 out of range"},
		{"epoch not integer", with(0, "1.5"), "l.csv:2: bad row"},
		{"negative step", with(1, "-3"), "l.csv:2: step -3 out of range"},
		{"units 0", with(5, "0"), "l.csv:2: units 0 out of range"},
		{"units huge", with(5, "99999999"), "l.csv:2: units 9.9999999e+07 out of range"},
		{"negative block", with(4, "-1"), "l.csv:2: block -1 out of range"},
		{"negative std", with(7, "-0.1"), "l.csv:2: weight_std -0.1 out of range"},
		{"negative grad norm", with(15, "-1"), "l.csv:2: grad_norm -1 out of range"},
		{"dead above 1", with(12, "1.5"), "l.csv:2: dead 1.5 out of range"},
		{"dead -Inf", with(12, "-Inf"), "l.csv:2: dead -Inf out of range"},
		{"negative update ratio", with(16, "-1e-3"), "l.csv:2: update_ratio -0.001 out of range"},
		{"layer name", with(2, "conv.0"), `l.csv:2: layer "conv.0": want dense.N or norm.N`},
		{"layer number", with(2, "dense.01"), `l.csv:2: layer "dense.01"`},
		{"layer escape", with(2, "dense.\x1b[2J"), `l.csv:2: layer "dense.\\x1b[2J"`},
		{"kind", with(3, "conv"), `l.csv:2: kind "conv": want dense, layer_norm, batch_norm`},
		{"kind of a norm", with(3, "layer_norm"), "l.csv:2: layer dense.0 of kind layer_norm"},
		{"flag", with(17, "dead+sleepy"), `l.csv:2: flag "sleepy": want dead, vanishing`},
		{"epoch going back", h + strings.Replace(row, "1,13", "2,26", 1) + "\n" + row + "\n", "l.csv:3: epoch 1 step 13 follows epoch 2 step 26"},
		{"step going back", h + strings.Replace(row, "1,13", "1,14", 1) + "\n" + row + "\n", "l.csv:3: epoch 1 step 13 follows epoch 1 step 14"},
	}
	for _, c := range cases {
		_, err := parseLayers("l.csv", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		oneLine(t, err)
	}
	if _, err := parseLayers("l.csv", []byte(h+row+"\n")); err != nil {
		t.Errorf("the good row: %v", err)
	}
	if _, err := ReadLayers(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no layers.csv") {
		t.Errorf("a run without the file: %v", err)
	}
}

func FuzzParseLayers(f *testing.F) {
	f.Add([]byte(string(layersHeader+"\n") + string(layersLines(sampleLayerRows()))))
	f.Add([]byte(layersHeader + "\n1,13,norm.0,batch_norm,2,8,1,0,,,,,,,,,,vanishing\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseLayers("l.csv", b)
		oneLine(t, err)
		if err != nil {
			return
		}
		// What is accepted is in range and reads back the same once
		// written: mlptui's own files are never refused.
		for i := range rows {
			if err := rows[i].checkRange(); err != nil {
				t.Fatalf("row %d accepted out of range: %v", i+1, err)
			}
		}
		p := filepath.Join(t.TempDir(), LayersFile)
		if err := appendLayers(p, rows); err != nil {
			t.Fatal(err)
		}
		again, err := ReadLayers(filepath.Dir(p))
		if len(rows) > 0 && (err != nil || len(again) != len(rows)) {
			t.Fatalf("rows written read back as %d rows, %v", len(again), err)
		}
		for i := range again {
			if !sameRow(rows[i], again[i]) {
				t.Fatalf("row %d: %+v read back as %+v", i+1, rows[i], again[i])
			}
		}
	})
}

func TestTruncateLayers(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, LayersFile)
	var rows []LayerRow
	for ep := 1; ep <= 5; ep++ {
		for _, name := range []string{"dense.0", "dense.1"} {
			rows = append(rows, LayerRow{Epoch: ep, Step: int64(10 * ep), Layer: name, Kind: nn.KindDense, Units: 4,
				Dead: math.NaN(), UpdateRatio: 1e-3})
		}
	}
	if err := appendLayers(p, rows); err != nil {
		t.Fatal(err)
	}
	for _, keep := range []int{5, 3, 0} {
		if err := truncateLayers(p, keep); err != nil {
			t.Fatal(err)
		}
		got, err := ReadLayers(dir)
		if err != nil || len(got) != 2*keep {
			t.Fatalf("keep %d: %d rows, %v", keep, len(got), err)
		}
	}
	if err := truncateLayers(filepath.Join(dir, "none.csv"), 1); err != nil {
		t.Errorf("no file to cut: %v", err)
	}
}

// everyStep is a clock that moves a second at each reading, so that the
// statistics are due at every step of a run.
func everyStep() func() time.Time {
	now := time.Unix(1e9, 0)
	return func() time.Time {
		now = now.Add(time.Second)
		return now
	}
}

// warningsOf trains cfg (statistics at every step) and returns the
// warnings its first epoch raised, and the run.
func warningsOf(t *testing.T, cfg Config) ([]string, *Summary) {
	t.Helper()
	r, err := Start(context.Background(), cfg, Options{Now: everyStep()})
	if err != nil {
		t.Fatal(err)
	}
	var warn []string
	stats := 0
	for ev := range r.Events() {
		if ev.Kind == Warning && ev.Epoch == 1 {
			warn = append(warn, ev.Message)
		}
		if ev.Layers != nil {
			stats++
		}
	}
	s, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if stats == 0 {
		t.Fatal("no event carried layer statistics")
	}
	return warn, s
}

// TestLayerWarnings is the acceptance test of the warnings on a small
// synthetic set: a learning rate of 5 kills the units of a ReLU network
// (or blows its gradients up) within the first epoch, and the preset's
// healthy run raises nothing at all.
func TestLayerWarnings(t *testing.T) {
	base := func() Config {
		cfg := Defaults()
		cfg.Dataset = "moons"
		if err := cfg.ApplyPreset("moons"); err != nil {
			t.Fatal(err)
		}
		cfg.Seed = 1
		cfg.RunsDir = t.TempDir()
		return cfg
	}
	healthy := base()
	healthy.Epochs = 30
	warn, s := warningsOf(t, healthy)
	log, _ := ReadEvents(s.Run)
	for _, e := range log {
		if e.Event == "layer-warning" {
			warn = append(warn, e.Message)
		}
	}
	if len(warn) > 0 || s.TestAccuracy == nil || *s.TestAccuracy < 0.95 {
		t.Errorf("healthy run: warnings %q, test accuracy %v", warn, s.TestAccuracy)
	}
	rows, err := ReadLayers(s.Run)
	if err != nil || len(rows) != 3*healthy.Epochs {
		t.Fatalf("healthy run: %d rows of layers.csv for %d epochs of 3 layers, %v", len(rows), healthy.Epochs, err)
	}

	killer := base()
	killer.Hidden, killer.LR, killer.Epochs = []int{64, 64}, 5, 2
	warn, s = warningsOf(t, killer)
	found := false
	for _, w := range warn {
		found = found || strings.Contains(w, "units dead") || strings.Contains(w, "gradients explode")
	}
	if !found {
		t.Errorf("lr 5: no dead-units or exploding warning in the first epoch, only %q", warn)
	}
	log, _ = ReadEvents(s.Run)
	logged := 0
	for _, e := range log {
		if e.Event == "layer-warning" {
			logged++
		}
	}
	if logged < len(warn) {
		t.Errorf("events.jsonl holds %d warnings, the events %d", logged, len(warn))
	}
	rows, err = ReadLayers(s.Run)
	flagged := 0
	for _, r := range rows {
		if r.Flags != 0 {
			flagged++
		}
	}
	if err != nil || len(rows) != 3*killer.Epochs || flagged == 0 {
		t.Errorf("lr 5: layers.csv %d rows, %d flagged, %v", len(rows), flagged, err)
	}
}

// TestResumeCutsLayers: a run stopped mid-epoch and resumed has one set
// of rows per epoch in layers.csv, none repeated.
func TestResumeCutsLayers(t *testing.T) {
	cfg := smallConfig(t)
	_, part := runToEnd(t)(Start(context.Background(), cfg, Options{Now: everyStep(), StopAfterStep: 17}))
	// Rows of epochs after the checkpoint's are cut: plant one.
	p := filepath.Join(part.Run, LayersFile)
	extra := LayerRow{Epoch: 9, Step: 99, Layer: "dense.0", Kind: nn.KindDense, Units: 16, Dead: math.NaN(), UpdateRatio: 1}
	if err := appendLayers(p, []LayerRow{extra}); err != nil {
		t.Fatal(err)
	}
	_, whole := runToEnd(t)(Resume(context.Background(), part.Run, 0, Options{Now: everyStep()}))
	rows, err := ReadLayers(whole.Run)
	if err != nil {
		t.Fatal(err)
	}
	per := map[int]int{}
	for _, r := range rows {
		per[r.Epoch]++
	}
	for ep := 1; ep <= cfg.Epochs; ep++ {
		if per[ep] != 3 {
			t.Errorf("epoch %d: %d rows, want 3 (one per layer): %v", ep, per[ep], per)
		}
	}
	if per[9] != 0 {
		t.Error("the row after the checkpoint was not cut")
	}
}
