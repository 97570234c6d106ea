package trainer

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/internal/fieldtext"
)

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*Config)
	}{
		{"dataset", func(c *Config) { c.Dataset = " " }},
		{"preset", func(c *Config) { c.Preset = "nope" }},
		{"name", func(c *Config) { c.Name = "../x" }},
		{"hidden", func(c *Config) { c.Hidden = []int{10, 0} }},
		{"hidden", func(c *Config) { c.Hidden = []int{-5} }},
		{"activation", func(c *Config) { c.Activation = "tanh" }},
		{"leaky-slope", func(c *Config) { c.LeakySlope = -1 }},
		{"dropout", func(c *Config) { c.Dropout = 1 }},
		{"dropout", func(c *Config) { c.Dropout = math.NaN() }},
		{"l2", func(c *Config) { c.L2 = -0.1 }},
		{"optimizer", func(c *Config) { c.Optimizer = "rmsprop" }},
		{"lr", func(c *Config) { c.LR = 0 }},
		{"lr", func(c *Config) { c.LR = math.Inf(1) }},
		{"momentum", func(c *Config) { c.Momentum = 1 }},
		{"schedule", func(c *Config) { c.Schedule = "step" }},
		{"batch", func(c *Config) { c.Batch = -1 }},
		{"epochs", func(c *Config) { c.Epochs = 0 }},
		{"val-split", func(c *Config) { c.ValSplit = 1 }},
		{"test-split", func(c *Config) { c.TestSplit = 0 }},
		{"image-size", func(c *Config) { c.ImageSize = -3 }},
		{"label", func(c *Config) { c.Dataset, c.Label = "t.csv", "0" }},
		{"label", func(c *Config) { c.Label = "species" }}, // Iris has no label column to choose
		{"max-pixels", func(c *Config) { c.MaxPixels = -1 }},
		{"samples", func(c *Config) { c.Dataset, c.Samples = "spiral", 3 }},
		{"noise", func(c *Config) { c.Dataset, c.Noise = "moons", -0.1 }},
		{"noise", func(c *Config) { c.Dataset, c.Noise = "xor", math.NaN() }},
		{"label", func(c *Config) { c.Dataset, c.Label = "gauss", "1" }},
		{"threads", func(c *Config) { c.Threads = -1 }},
		{"precision", func(c *Config) { c.Precision = "fp8" }},
	}
	for _, c := range cases {
		cfg := Defaults()
		c.edit(&cfg)
		err := cfg.Validate()
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != c.field || !strings.HasPrefix(err.Error(), c.field+": ") { // no flag wording: the front end adds it
			t.Errorf("%s: got %v, want an error for --%s", c.field, err, c.field)
		}
		if len(cfg.Problems()) != 1 {
			t.Errorf("%s: %d problems, want 1", c.field, len(cfg.Problems()))
		}
	}
	for _, name := range PresetNames() {
		cfg := Defaults()
		if err := cfg.ApplyPreset(name); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}

func TestIrisPresetIsTheOriginal(t *testing.T) {
	c := Defaults()
	if err := c.ApplyPreset("iris-original"); err != nil {
		t.Fatal(err)
	}
	if HiddenString(c.Hidden) != "1000,100" || c.Dropout != 0.1 || c.Optimizer != "adam" || c.LR != 5e-4 || c.Batch != 0 || c.Epochs != 100 {
		t.Errorf("iris-original preset: %+v", c)
	}
}

func TestSchedules(t *testing.T) {
	const total = 1000
	for _, s := range []string{Constant, Cosine, OneCycle} {
		first, peak, last := lrAt(s, 1, 1, total), 0.0, lrAt(s, 1, total, total)
		for step := int64(1); step <= total; step++ {
			peak = math.Max(peak, lrAt(s, 1, step, total))
		}
		switch s {
		case Constant:
			if first != 1 || last != 1 {
				t.Errorf("constant: %v .. %v", first, last)
			}
		case Cosine:
			if first != 1 || math.Abs(last-1e-3) > 1e-12 {
				t.Errorf("cosine: %v .. %v", first, last)
			}
		case OneCycle:
			if math.Abs(first-1.0/25) > 1e-12 || math.Abs(peak-1) > 1e-5 || math.Abs(last-1e-4) > 1e-12 {
				t.Errorf("onecycle: %v, peak %v, %v", first, peak, last)
			}
		}
	}
}

// TestLoadDataLabel trains on a table whose classes are in its first
// column: --label by name or number finds them, and without it the error
// says which flag would.
func TestLoadDataLabel(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "pets.csv")
	text := "kind,weight,height\n"
	for i := range 20 {
		text += fmt.Sprintf("cat,%d,%d\ndog,%d,%d\n", 3+i%4, 25+i%5, 20+i%7, 50+i%9)
	}
	if err := os.WriteFile(csv, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"kind", "KIND", "1"} {
		cfg := Defaults()
		cfg.Dataset, cfg.Label = csv, label
		d, err := LoadData(context.Background(), cfg, nil)
		if err != nil {
			t.Errorf("--label %s: %v", label, err)
			continue
		}
		if !slices.Equal(d.Train.Classes, []string{"cat", "dog"}) || d.Train.Dim() != 2 || d.Train.Len()+d.Val.Len()+d.Test.Len() != 40 {
			t.Errorf("--label %s: classes %v, %d features, %d+%d+%d samples", label, d.Train.Classes, d.Train.Dim(), d.Train.Len(), d.Val.Len(), d.Test.Len())
		}
	}
	cfg := Defaults()
	cfg.Dataset = csv
	_, err := LoadData(context.Background(), cfg, nil)
	want := `pets.csv: column 3 "height", taken as the label, has 14 distinct numbers in 40 rows: a measurement rather than classes? --label names the class column`
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("without --label: %v, want ...%s", err, want)
	}
	cfg.Label = "species"
	if _, err := LoadData(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), `--label "species" is not in the header (kind, weight, height)`) {
		t.Errorf("--label species: %v", err)
	}
	cfg.Dataset, cfg.Label = t.TempDir(), "1"
	if _, err := LoadData(context.Background(), cfg, nil); err == nil || !strings.HasPrefix(err.Error(), "label 1: only a CSV table") {
		t.Errorf("--label on an image folder: %v", err)
	}
}

func TestDefaultPreset(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "table.csv")
	if err := os.WriteFile(csv, []byte("1,2,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dataset, want string }{
		{"iris", "iris"},
		{"cifar10", "cifar10"},
		{"spiral", "spiral"},
		{"moons", "moons"},
		{dir, "cifar10"},
		{csv, "default"},
		{filepath.Join(dir, "missing"), "default"},
	} {
		if got := DefaultPreset(c.dataset); got != c.want {
			t.Errorf("DefaultPreset(%q) = %q, want %q", c.dataset, got, c.want)
		}
		if _, ok := Presets[c.want]; !ok {
			t.Errorf("preset %q does not exist", c.want)
		}
	}
}

func TestDatasetNameAndLabel(t *testing.T) {
	for _, c := range []struct{ dataset, name, label string }{
		{"iris", "iris", "iris"},
		{"cifar10", "cifar10", "cifar10"},
		{"circles", "circles", "circles"},
		{"../shared/data/iris.data", "iris", "iris.data"},
		{"/data/pets.csv", "pets", "pets.csv"},
		{"/data/cifar10-jpg/", "cifar10-jpg", "cifar10-jpg"},
	} {
		if n, l := DatasetName(c.dataset), DatasetLabel(c.dataset); n != c.name || l != c.label {
			t.Errorf("%s: name %q label %q, want %q %q", c.dataset, n, l, c.name, c.label)
		}
	}
}

func TestWarmup(t *testing.T) {
	const total, warm = 100, 10
	for _, s := range []string{Constant, Cosine, OneCycle} {
		for step := int64(1); step <= warm; step++ {
			if got, want := lrWarm(s, 2, step, total, warm), 2*float64(step)/warm; math.Abs(got-want) > 1e-12 {
				t.Errorf("%s step %d: %v, want %v", s, step, got, want)
			}
		}
		for step := int64(warm + 1); step <= total; step++ {
			if got, want := lrWarm(s, 2, step, total, warm), lrAt(s, 2, step-warm, total-warm); got != want {
				t.Errorf("%s step %d: %v, want the schedule's %v", s, step, got, want)
			}
		}
		if got := lrWarm(s, 2, 5, total, 0); got != lrAt(s, 2, 5, total) {
			t.Errorf("%s without warm-up: %v", s, got)
		}
	}
}

func TestPlateauFactor(t *testing.T) {
	h := func(losses ...float64) []EpochMetrics {
		var out []EpochMetrics
		for _, l := range losses {
			out = append(out, EpochMetrics{ValLoss: l, ValAcc: 0.5})
		}
		return out
	}
	cases := []struct {
		losses   []float64
		patience int
		want     float64
	}{
		{[]float64{1, 0.9, 0.8}, 2, 1},
		{[]float64{1, 1.1, 1.2}, 2, 0.1},            // two epochs without a lower loss
		{[]float64{1, 1.1, 1.2, 1.3, 1.4}, 2, 0.01}, // and two more after the cut
		{[]float64{1, 1.1, 0.5, 0.6}, 2, 1},         // a new low resets the count
		{[]float64{1, 1.1, 1.2}, 0, 1},              // off
	}
	for _, c := range cases {
		if got := plateauFactor(h(c.losses...), c.patience); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%v, patience %d: factor %v, want %v", c.losses, c.patience, got, c.want)
		}
	}
}

// TestProblemsNameSettingsBare: a problem that names another setting says
// it bare; a front end names it its way (fieldtext), the command line as
// a flag.
func TestProblemsNameSettingsBare(t *testing.T) {
	cases := []struct {
		edit       func(*Config)
		bare, flag string
	}{
		{func(c *Config) { c.Patience, c.ValSplit = 5, 0 },
			"patience: 5 needs a validation split to watch; val-split is 0",
			"--patience: 5 needs a validation split to watch; --val-split is 0"},
		{func(c *Config) { c.Block, c.Hidden = "residual", []int{64, 32} },
			"block: residual blocks keep one width; hidden 64,32 differs (like 512,512 for two blocks of 512)",
			"--block: residual blocks keep one width; --hidden 64,32 differs (like 512,512 for two blocks of 512)"},
		{func(c *Config) { c.Warmup, c.Epochs = 9, 5 },
			"warmup: 9 epochs; want 0 to fewer than epochs (5)",
			"--warmup: 9 epochs; want 0 to fewer than --epochs (5)"},
		{func(c *Config) { c.Name = "{lr}/x" }, // a value's braces are no name
			`name: "{lr}/x": must not contain / or \ or start with a dot`,
			`--name: "{lr}/x": must not contain / or \ or start with a dot`},
	}
	for _, c := range cases {
		cfg := Defaults()
		c.edit(&cfg)
		err := cfg.Validate()
		if err == nil || err.Error() != c.bare {
			t.Errorf("Error() = %v, want %q", err, c.bare)
			continue
		}
		if got := fieldtext.Text(err, func(f string) string { return "--" + f }); got != c.flag {
			t.Errorf("Text() = %q, want %q", got, c.flag)
		}
	}
}
