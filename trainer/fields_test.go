package trainer

import (
	"slices"
	"testing"
)

// Every field reads back what it shows, and its name is the one
// Config.Problems uses for it.
func TestFieldsRoundTrip(t *testing.T) {
	c := Defaults()
	if err := c.ApplyPreset("iris"); err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields {
		var d Config
		if err := f.Set(&d, f.Get(&c)); err != nil {
			t.Errorf("%s: Set(Get()) = %v", f.Name, err)
			continue
		}
		if got, want := f.Get(&d), f.Get(&c); got != want {
			t.Errorf("%s: reads back %q, want %q", f.Name, got, want)
		}
		if f.Kind == ChoiceField && !slices.Contains(f.Choices, f.Get(&c)) {
			t.Errorf("%s: value %q is not among its choices %v", f.Name, f.Get(&c), f.Choices)
		}
	}
	// A well-formed but disallowed value is Problems' to report, under the
	// field's own name.
	bad := map[string]string{"lr": "-1", "dropout": "1", "hidden": "0", "epochs": "0", "activation": "tanh", "preset": "nope"}
	for name, v := range bad {
		f := FieldByName(name)
		if f == nil {
			t.Fatalf("no field %q", name)
		}
		d := Defaults()
		if err := f.Set(&d, v); err != nil {
			if name == "preset" {
				continue // ApplyPreset refuses an unknown name itself
			}
			t.Errorf("%s: Set(%q) = %v, want it left to Problems", name, v, err)
		}
		found := false
		for _, p := range d.Problems() {
			found = found || p.Field == name
		}
		if !found {
			t.Errorf("%s=%s: Problems() does not name the field: %v", name, v, d.Problems())
		}
	}
}

func TestFieldsRefuseMalformed(t *testing.T) {
	for name, v := range map[string]string{"lr": "fast", "hidden": "10,x", "epochs": "1.5", "seed": "-1", "augment": "maybe"} {
		d := Defaults()
		if err := FieldByName(name).Set(&d, v); err == nil {
			t.Errorf("%s: Set(%q) accepted", name, v)
		}
	}
	if got := FieldByName("hidden").Get(&Config{}); got != "none" {
		t.Errorf("no hidden layers show as %q, want none", got)
	}
	if FieldByName("nope") != nil {
		t.Error("FieldByName found a field that does not exist")
	}
}

// TestPresetsSetTheHyperparameters: a preset sets every field marked
// Hyper (so it gives the same settings whatever came before it) and no
// other field; a sweep may vary every hyperparameter.
func TestPresetsSetTheHyperparameters(t *testing.T) {
	// Settings that are not hyperparameters, away from their defaults.
	other := map[string]string{"dataset": "pets.csv", "name": "x", "seed": "7",
		"test-split": "0.25", "image-size": "16", "skip-bad": "true", "label": "kind",
		"max-pixels": "99", "samples": "40", "noise": "0.3", "threads": "1", "precision": "bf16", "runs": "/r", "data-dir": "/d",
		"delimiter": ";", "decimal": ",", "categorical": "a", "ignore": "b", "na": "-", "max-categories": "5", "missing-indicator": "true"}
	for _, f := range Fields {
		if f.Hyper && !f.Sweep {
			t.Errorf("%s: a hyperparameter a sweep cannot vary", f.Name)
		}
		// Presets set the validation share too (iris trains on its whole
		// training part), though a sweep does not vary it.
		if _, ok := other[f.Name]; !f.Hyper && !ok && f.Name != "preset" && f.Name != "val-split" {
			t.Errorf("%s: neither a hyperparameter nor in this test's list of other settings", f.Name)
		}
	}
	for _, p := range PresetNames() {
		want := Defaults()
		if err := want.ApplyPreset(p); err != nil {
			t.Fatal(err)
		}
		for _, q := range PresetNames() {
			c := Defaults()
			if err := c.ApplyPreset(q); err != nil {
				t.Fatal(err)
			}
			for name, v := range other {
				if err := FieldByName(name).Set(&c, v); err != nil {
					t.Fatalf("%s=%s: %v", name, v, err)
				}
			}
			if err := c.ApplyPreset(p); err != nil {
				t.Fatal(err)
			}
			for _, f := range Fields {
				got := f.Get(&c)
				if v, ok := other[f.Name]; ok && got != v {
					t.Errorf("preset %s changed %s from %q to %q", p, f.Name, v, got)
				}
				if (f.Hyper || f.Name == "val-split") && got != f.Get(&want) {
					t.Errorf("preset %s after %s: %s %q, want %q", p, q, f.Name, got, f.Get(&want))
				}
			}
		}
	}
}

func TestFieldHint(t *testing.T) {
	for name, want := range map[string]string{"optimizer": "adam|sgd", "hidden": "sizes", "runs": "dir", "data-dir": "dir",
		"dataset": "name|path", "lr": "number", "name": "name", "preset": "name"} {
		if got := FieldByName(name).Hint(); got != want {
			t.Errorf("%s: Hint %q, want %q", name, got, want)
		}
	}
}
