package lab

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestPlanRoundTrip: the plan a sweep keeps reads back to the same
// trials, names and differences; a missing, damaged or foreign plan file
// is refused with a line naming it.
func TestPlanRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var s Settings
	s.Add("dataset", "iris")
	s.Add("epochs", "5")
	s.Add("runs", dir)
	s.Add("lr", "1e-3,1e-2")
	s.Add("hidden", "8/16,16")
	p, err := PlanSweep(s, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Sweep.SavePlan(); err != nil {
		t.Fatal(err)
	}
	sw, diffs, err := LoadSweep(dir, p.Sweep.Name)
	if err != nil {
		t.Fatal(err)
	}
	if sw.Name != "iris-lr-hidden" || len(sw.Plan) != 4 || len(diffs) != len(p.Diffs) {
		t.Fatalf("read back %s with %d trials, %d diffs", sw.Name, len(sw.Plan), len(diffs))
	}
	for i, tr := range sw.Plan {
		want := p.Sweep.Plan[i]
		if tr.N != want.N || tr.Desc != want.Desc || tr.Config.Name != want.Config.Name || !trainer.SameSettings(&tr.Config, &want.Config) || tr.Config.RunsDir != dir {
			t.Errorf("trial %d: %+v, want %+v", i+1, tr, want)
		}
	}

	path := PlanPath(dir, "other")
	cases := []struct {
		name, content, want string
	}{
		{"missing", "", "kept no plan"},
		{"not JSON", "{", path},
		{"another sweep's", `{"sweep":"iris-lr","trials":[{}]}`, "not the plan of sweep other"},
		{"no trials", `{"sweep":"other","trials":[]}`, "not the plan of sweep other"},
		{"a bad trial", `{"sweep":"other","trials":[{"dataset":"iris","lr":-1,"epochs":5}]}`, "trial 1"},
	}
	for _, c := range cases {
		os.Remove(path)
		if c.content != "" {
			os.WriteFile(path, []byte(c.content), 0o644)
		}
		_, _, err := LoadSweep(dir, "other")
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
		if c.name == "missing" && !errors.Is(err, ErrNoPlan) {
			t.Errorf("missing: %v is not ErrNoPlan", err)
		}
	}
}

// TestTop: the ranking of Rank and the dashboard, by index: largest
// first, ties in class order, at most len(p).
func TestTop(t *testing.T) {
	cases := []struct {
		p    []float32
		k    int
		want []int
	}{
		{[]float32{0.1, 0.7, 0.2}, 3, []int{1, 2, 0}},
		{[]float32{0.4, 0.2, 0.4}, 2, []int{0, 2}},
		{[]float32{0.5, 0.5}, 5, []int{0, 1}},
		{nil, 1, []int{}},
	}
	for _, c := range cases {
		if got := Top(c.p, c.k); !slices.Equal(got, c.want) {
			t.Errorf("Top(%v, %d) = %v, want %v", c.p, c.k, got, c.want)
		}
		if len(c.p) > 0 {
			classes := []string{"a", "b", "c"}[:len(c.p)]
			if r := Rank(classes, c.p, c.k); r.Class != classes[c.want[0]] {
				t.Errorf("Rank(%v) = %s, want %s", c.p, r.Class, classes[c.want[0]])
			}
		}
	}
}
