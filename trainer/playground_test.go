package trainer

import (
	"context"
	"slices"
	"testing"

	"github.com/mlptui/mlptui/datasets"
)

// TestPlaygroundPresetsLearn trains every playground set with its own
// preset, as `mlptui train --dataset SET --seed S` does, and wants a mean
// test accuracy of at least 0.97 over seeds 1 to 5 (seed 1 only under the
// race detector, which is ten times slower). bench/playground.sh prints
// the same table with the times.
func TestPlaygroundPresetsLearn(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5}
	if raceEnabled {
		seeds = seeds[:1]
	}
	for _, name := range datasets.PlaygroundNames() {
		sum := 0.0
		for _, seed := range seeds {
			cfg := Defaults()
			cfg.Dataset, cfg.Seed, cfg.RunsDir = name, seed, t.TempDir()
			if err := cfg.ApplyPreset(DefaultPreset(name)); err != nil {
				t.Fatal(err)
			}
			r, err := Start(context.Background(), cfg)
			_, s := readAll(t, r, err)
			if s.Status != StatusDone || s.TestAccuracy == nil {
				t.Fatalf("%s seed %d: status %s (%s)", name, seed, s.Status, s.Message)
			}
			sum += *s.TestAccuracy
		}
		if mean := sum / float64(len(seeds)); mean < 0.97 {
			t.Errorf("%s: mean test accuracy %.3f over seeds %v, want >= 0.97", name, mean, seeds)
		}
	}
}

// TestPlaygroundData checks that LoadData makes a playground set from
// --seed, --samples and --noise: the same settings give the same points,
// another seed other ones, and the splits add up to --samples.
func TestPlaygroundData(t *testing.T) {
	cfg := Defaults()
	cfg.Dataset, cfg.Samples, cfg.Noise = "spiral", 200, 0.2
	a, err := LoadData(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Train.Len() + a.Val.Len() + a.Test.Len(); n != 200 {
		t.Errorf("%d samples in the three parts, want 200", n)
	}
	if a.Train.Dim() != 2 || len(a.Train.Classes) != 2 {
		t.Errorf("shape %v, classes %v; want 2 features, 2 classes", a.Train.Shape, a.Train.Classes)
	}
	b, _ := LoadData(context.Background(), cfg, nil)
	if !slices.Equal(a.Test.X, b.Test.X) {
		t.Error("the same settings gave other test points")
	}
	cfg.Seed++
	c, _ := LoadData(context.Background(), cfg, nil)
	if slices.Equal(a.Test.X, c.Test.X) {
		t.Error("another seed gave the same test points")
	}
	cfg.Samples = 2
	if _, err := LoadData(context.Background(), cfg, nil); err == nil {
		t.Error("2 samples: no error")
	}
}
