package lab

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// settings makes Settings from name=value words.
func settings(t *testing.T, words ...string) Settings {
	t.Helper()
	var s Settings
	for _, w := range words {
		name, value, _ := strings.Cut(w, "=")
		f := trainer.FieldByName(name)
		if f == nil {
			t.Fatalf("no field %q", name)
		}
		if err := Check(f, value); err != nil && !IsList(f, value) {
			t.Fatalf("%s: %v", w, err)
		}
		s = append(s, Setting{f, value})
	}
	return s
}

// TestPresetOrder: the preset applies first, every other setting after it
// in order, wherever the preset stands.
func TestPresetOrder(t *testing.T) {
	cases := []struct {
		words  []string
		hidden string
		lr     float64
	}{
		{[]string{"dataset=iris"}, "1000,100", 1e-2},
		{[]string{"lr=0.1", "preset=default"}, "100", 0.1},             // a setting before the preset overrides it
		{[]string{"preset=default", "lr=0.1"}, "100", 0.1},             // and after it
		{[]string{"lr=0.1", "lr=0.2", "preset=iris"}, "1000,100", 0.2}, // the last of a setting wins
		{[]string{"preset=iris", "preset=default"}, "100", 1e-3},       // the last preset wins
		{[]string{"preset=cifar10-original"}, "4000,1000,4000", 1e-5},  // the preset's data set
	}
	for _, c := range cases {
		cfg, err := settings(t, c.words...).Config()
		if err != nil {
			t.Fatalf("%v: %v", c.words, err)
		}
		if trainer.HiddenString(cfg.Hidden) != c.hidden || cfg.LR != c.lr {
			t.Errorf("%v: hidden %v lr %v, want %s %v", c.words, cfg.Hidden, cfg.LR, c.hidden, c.lr)
		}
	}
}

// TestConfigRefused: each refusal is a FieldError naming the setting and,
// for a value its field cannot take, the value; none says a flag's "--".
func TestConfigRefused(t *testing.T) {
	cases := []struct {
		words       []string
		field, text string
	}{
		{[]string{"lr=-1"}, "lr", "lr: -1; want a learning rate > 0 and <= 10"},
		{[]string{"dataset=/no/such/table.csv"}, "dataset", "dataset /no/such/table.csv: no such file or directory (want iris"},
		{[]string{"patience=5", "val-split=0"}, "patience", "patience: 5 needs a validation split to watch"},
	}
	for _, c := range cases {
		_, err := settings(t, c.words...).Config()
		var fe *trainer.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%v: %v (%T), want a FieldError of %s", c.words, err, err, c.field)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.text) || strings.Contains(err.Error(), "--") {
			t.Errorf("%v: %q, want it to begin %q and name no flag", c.words, err, c.text)
		}
	}
	// A value that is not even of its field's type: the field's own error
	// after the field and the value.
	for _, c := range []struct{ field, value, text string }{
		{"batch", "x", `batch x: "x" is not a whole number`},
		{"preset", "nope", `preset nope: unknown preset "nope" (have `},
	} {
		var s Settings
		s.Add(c.field, c.value)
		_, err := s.Config()
		var fe *trainer.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.HasPrefix(err.Error(), c.text) {
			t.Errorf("%s %s: %v", c.field, c.value, err)
		}
	}
}

func TestSplitValues(t *testing.T) {
	for _, c := range []struct {
		field, text string
		want        []string
		list        bool
	}{
		{"lr", "1e-3, 1e-2", []string{"1e-3", "1e-2"}, true},
		{"lr", "1e-3", []string{"1e-3"}, false},
		{"hidden", "64,32/128", []string{"64,32", "128"}, true},
		{"hidden", "64,32", []string{"64,32"}, false},
		{"dataset", "a,b", []string{"a", "b"}, false}, // not sweepable: never a list
	} {
		f := trainer.FieldByName(c.field)
		if got := SplitValues(f, c.text); !slices.Equal(got, c.want) {
			t.Errorf("SplitValues(%s, %q) = %q, want %q", c.field, c.text, got, c.want)
		}
		if got := IsList(f, c.text); got != c.list {
			t.Errorf("IsList(%s, %q) = %v", c.field, c.text, got)
		}
	}
}

// TestPlanSweep: the grid's order (the first swept setting slowest), the
// values canonical and distinct, the last occurrence of a setting where it
// applies, names and differences; a random draw; refusals.
func TestPlanSweep(t *testing.T) {
	p, err := PlanSweep(settings(t, "epochs=3", "lr=1e-3,0.001,1e-2", "dropout=0,0.2", "hidden=8/16,8"), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range p.Sweep.Plan {
		got = append(got, tr.Desc+" "+tr.Config.Name)
		if tr.Config.Epochs != 3 || tr.Config.Sweep != "iris-lr-dropout-hidden" {
			t.Errorf("trial %d: epochs %d sweep %q", tr.N, tr.Config.Epochs, tr.Config.Sweep)
		}
	}
	want := []string{
		"hidden=8 dropout=0 lr=0.001 lr-dropout-hidden-t01",
		"hidden=16,8 dropout=0 lr=0.001 lr-dropout-hidden-t02",
		"hidden=8 dropout=0.2 lr=0.001 lr-dropout-hidden-t03",
		"hidden=16,8 dropout=0.2 lr=0.001 lr-dropout-hidden-t04",
		"hidden=8 dropout=0 lr=0.01 lr-dropout-hidden-t05",
		"hidden=16,8 dropout=0 lr=0.01 lr-dropout-hidden-t06",
		"hidden=8 dropout=0.2 lr=0.01 lr-dropout-hidden-t07",
		"hidden=16,8 dropout=0.2 lr=0.01 lr-dropout-hidden-t08",
	}
	if !slices.Equal(got, want) || p.Grid != 8 || p.Drawn || len(p.Diffs) != 3 {
		t.Errorf("grid %d drawn %v diffs %d:\n%s", p.Grid, p.Drawn, len(p.Diffs), strings.Join(got, "\n"))
	}

	// A swept setting given twice: the values of both, applied where the
	// last stands (after the preset, which sets lr too).
	p, err = PlanSweep(settings(t, "lr=1", "preset=default", "lr=1e-3,1e-2"), PlanOptions{Name: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	var lrs []float64
	for _, tr := range p.Sweep.Plan {
		lrs = append(lrs, tr.Config.LR)
	}
	if !slices.Equal(lrs, []float64{1, 1e-3, 1e-2}) || p.Sweep.Name != "mine" {
		t.Errorf("lr %v, name %q", lrs, p.Sweep.Name)
	}

	// A random search: that many distinct trials, the same for one seed.
	draw := func(seed uint64) []string {
		p, err := PlanSweep(settings(t, "lr=1e-4,1e-3,1e-2,1e-1", "dropout=0,0.1,0.2"), PlanOptions{Trials: 5, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Drawn || p.Grid != 12 {
			t.Errorf("drawn %v grid %d", p.Drawn, p.Grid)
		}
		var d []string
		for _, tr := range p.Sweep.Plan {
			d = append(d, tr.Desc)
		}
		return d
	}
	a, b := draw(7), draw(7)
	if !slices.Equal(a, b) || len(slices.Compact(slices.Sorted(slices.Values(a)))) != 5 {
		t.Errorf("seed 7 drew %q then %q", a, b)
	}

	// Refused: a grid too large, a value a draw might leave out, a name.
	var tooMany *TooManyTrials
	big := settings(t, "lr=1,2,3,4,5,6,7,8,9,10", "dropout=0,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09",
		"seed=1,2,3,4,5,6,7,8,9,10", "batch=1,2,3,4,5,6,7,8,9,10,11")
	if _, err := PlanSweep(big, PlanOptions{}); !errors.As(err, &tooMany) || tooMany.Grid != 11000 {
		t.Errorf("a grid of 11000: %v", err)
	}
	if _, err := PlanSweep(big, PlanOptions{Trials: 3}); err != nil {
		t.Errorf("3 drawn from 11000: %v", err)
	}
	var fe *trainer.FieldError
	if _, err := PlanSweep(settings(t, "lr=1e-3,-1"), PlanOptions{Trials: 1}); !errors.As(err, &fe) || fe.Field != "lr" {
		t.Errorf("lr -1 in the list: %v", err)
	}
	if _, err := PlanSweep(settings(t, "lr=1e-3"), PlanOptions{Name: "a/b"}); !errors.As(err, &fe) || fe.Field != "name" {
		t.Errorf("name a/b: %v", err)
	}
}
