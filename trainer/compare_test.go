package trainer

import (
	"math"
	"reflect"
	"testing"
)

func TestDifferences(t *testing.T) {
	a := Defaults()
	b := Defaults()
	b.LR, b.Hidden, b.Name, b.Threads, b.DataDir = 0.01, []int{64, 32}, "other", 3, "/elsewhere"
	c := Defaults()
	c.Dropout = 0.2
	got := Differences([]*Config{&a, &b, &c})
	want := []Difference{
		{Field: "hidden", Values: []string{"100", "64,32", "100"}},
		{Field: "dropout", Values: []string{"0", "0", "0.2"}},
		{Field: "lr", Values: []string{"0.001", "0.01", "0.001"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Differences = %+v\nwant %+v", got, want)
	}
	if s := Describe(got, 1); s != "hidden=64,32 dropout=0 lr=0.01" {
		t.Errorf("Describe = %q", s)
	}
	// A nil config shows "?" but does not make every setting differ.
	got = Differences([]*Config{&a, nil, &c})
	if len(got) != 1 || got[0].Field != "dropout" || got[0].Values[1] != "?" {
		t.Errorf("with a nil config: %+v", got)
	}
	if d := Differences([]*Config{&a}); len(d) != 0 {
		t.Errorf("one config differs from itself: %+v", d)
	}
	if !SameSettings(&a, &a) || SameSettings(&a, &b) {
		t.Error("SameSettings")
	}
	// Where a run is kept, its name and its thread count do not make it another run.
	d := a
	d.Name, d.RunsDir, d.Threads, d.DataDir = "x", "elsewhere", 7, "/data"
	if !SameSettings(&a, &d) {
		t.Errorf("name, runs, threads or data-dir counted: %+v", Differences([]*Config{&a, &d}))
	}
	if Compared("threads") || !Compared("lr") || Compared("nope") {
		t.Error("Compared")
	}
}

func TestBestFirst(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	sum := func(val, loss *float64) *Summary { return &Summary{BestValAccuracy: val, BestValLoss: loss} }
	nan := math.NaN()
	cases := []struct {
		name string
		a, b *Summary
		want int
	}{
		{"higher validation first", sum(f(0.9), f(0.5)), sum(f(0.8), f(0.1)), -1},
		{"then lower validation loss", sum(f(0.9), f(0.3)), sum(f(0.9), f(0.2)), 1},
		{"tie", sum(f(0.9), f(0.2)), sum(f(0.9), f(0.2)), 0},
		{"no loss after a loss", sum(f(0.9), nil), sum(f(0.9), f(5)), 1},
		{"no validation last", sum(nil, f(0.01)), sum(f(0.1), nil), 1},
		{"NaN counts as none", sum(f(nan), f(0.01)), sum(f(0.1), nil), 1},
		{"no summary last", nil, sum(nil, f(0.2)), 1},
		{"both unknown", nil, sum(f(nan), nil), 0},
	}
	for _, c := range cases {
		if got := BestFirst(c.a, c.b); got != c.want {
			t.Errorf("%s: BestFirst = %d, want %d", c.name, got, c.want)
		}
		if got := BestFirst(c.b, c.a); got != -c.want {
			t.Errorf("%s, swapped: BestFirst = %d, want %d", c.name, got, -c.want)
		}
	}
}

// TestBestFirstIgnoresTest: whatever the test figures, the order is the
// same; giving the test figures to the worse run changes nothing.
func TestBestFirstIgnoresTest(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, val := range [][2]float64{{0.9, 0.9}, {0.9, 0.8}} {
		a := &Summary{BestValAccuracy: f(val[0]), BestValLoss: f(0.3), TestAccuracy: f(0.1), TestLoss: f(9)}
		b := &Summary{BestValAccuracy: f(val[1]), BestValLoss: f(0.3), TestAccuracy: f(0.99), TestLoss: f(0.01)}
		want := BestFirst(&Summary{BestValAccuracy: a.BestValAccuracy, BestValLoss: a.BestValLoss},
			&Summary{BestValAccuracy: b.BestValAccuracy, BestValLoss: b.BestValLoss})
		if got := BestFirst(a, b); got != want {
			t.Errorf("validation %v: BestFirst = %d with test figures, %d without", val, got, want)
		}
	}
}
