package trainer

import (
	"context"
	"math"
	"slices"
	"testing"
)

func TestSmoothLossesHasNoLag(t *testing.T) {
	// A straight line stays where it is away from the ends: the forward
	// pass's lag is undone by the backward pass's lead.
	raw := make([]float64, 400)
	for i := range raw {
		raw[i] = 5 - 0.01*float64(i)
	}
	got := smoothLosses(raw, 0.9)
	for i := 120; i < 280; i++ {
		if math.Abs(got[i]-raw[i]) > 1e-4 {
			t.Fatalf("smoothed line at %d: %v, want %v", i, got[i], raw[i])
		}
	}
	// A constant stays constant everywhere (the bias correction).
	for i := range raw {
		raw[i] = 2
	}
	for i, v := range smoothLosses(raw, 0.9) {
		if math.Abs(v-2) > 1e-12 {
			t.Fatalf("smoothed constant at %d: %v", i, v)
		}
	}
	// A last loss that is not finite is left out.
	got = smoothLosses([]float64{1, 1, 1, math.Inf(1)}, 0.9)
	if !math.IsNaN(got[3]) || math.Abs(got[2]-1) > 1e-12 {
		t.Errorf("with a final +Inf: %v", got)
	}
}

func TestSteepest(t *testing.T) {
	// A falling step centred on point 120, then a climb after 170.
	loss := make([]float64, 200)
	for i := range loss {
		loss[i] = 2 - math.Tanh(float64(i-120)/10)
		if i > 170 {
			loss[i] += 0.1 * float64(i-170)
		}
	}
	if got := steepest(loss, 0); got != 120 {
		t.Errorf("steepest of a step at 120: %d", got)
	}
	// The fall must come before the least loss: a steeper climb after it
	// does not count, and a curve that only climbs has no suggestion.
	rising := make([]float64, 100)
	for i := range rising {
		rising[i] = float64(i * i)
	}
	if got := steepest(rising, 0); got != -1 {
		t.Errorf("steepest of a rising curve: %d, want -1", got)
	}
	// The first tenth is skipped: a drop there is the start's noise.
	loss[4] = 10
	if got := steepest(loss, 0); got < 20 {
		t.Errorf("steepest with a dip at 5: %d", got)
	}
	// An over-confident start: the loss falls steeply from 3 to ln 3
	// over points 20-40 (unlearning it), then trains from ln 3 to 0.5
	// around point 120. The fall that counts is the second.
	const uniform = 1.0986122886681098 // ln 3
	start := make([]float64, 200)
	for i := range start {
		start[i] = uniform - (uniform-0.5)*(1+math.Tanh(float64(i-120)/10))/2 + (3-uniform)*(1-math.Tanh(float64(i-30)/3))/2
		if i > 170 {
			start[i] += 0.1 * float64(i-170)
		}
	}
	from := settled(start, uniform)
	if from < 35 || from > 80 {
		t.Fatalf("settled at %d, want where the loss reaches ln 3 (35-80): %v", from, start[:80])
	}
	if got := steepest(start, 0); got > 40 {
		t.Errorf("from 0: steepest at %d, want the over-confidence's fall near 30", got)
	}
	if got := steepest(start, from); got != 120 {
		t.Errorf("steepest after settling: %d, want 120", got)
	}
	if got := settled([]float64{0.9, 0.8}, uniform); got != 0 {
		t.Errorf("a loss starting below uniform settled at %d", got)
	}
	if got := settled([]float64{3, 2, 1.5}, uniform); got != 0 {
		t.Errorf("a loss never reaching uniform settled at %d", got)
	}
}

func TestFindLR(t *testing.T) {
	cfg := smallConfig(t)
	opt := LRFindOptions{Steps: 60}
	f, err := FindLR(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	if f.Steps < 10 || len(f.LR) != f.Steps || len(f.Loss) != f.Steps || len(f.RawLoss) != f.Steps {
		t.Fatalf("%d steps, %d rates, %d losses, %d raw", f.Steps, len(f.LR), len(f.Loss), len(f.RawLoss))
	}
	if f.LR[0] != 1e-7 {
		t.Errorf("first rate %g, want 1e-7", f.LR[0])
	}
	ratio := math.Pow(10/1e-7, 1.0/59)
	for i := 1; i < f.Steps; i++ {
		if r := f.LR[i] / f.LR[i-1]; math.Abs(r-ratio) > 1e-9*ratio {
			t.Fatalf("rate %d / rate %d = %v, want %v", i, i-1, r, ratio)
		}
	}
	if f.Steps == 60 && f.LR[59] != 10 && math.Abs(f.LR[59]-10) > 1e-9 {
		t.Errorf("last rate %g, want 10", f.LR[59])
	}
	if f.SuggestI < 0 || f.Suggest != f.LR[f.SuggestI] {
		t.Fatalf("suggestion %g at %d", f.Suggest, f.SuggestI)
	}
	// Where it suggests, the smoothed loss falls (steepest), or is at the
	// bottom of its curve, at or past the least (basin, one-cycle).
	i := f.SuggestI
	switch lo := leastIndex(f.Loss); f.Rule {
	case RuleSteepest:
		if !(f.Loss[i+1] < f.Loss[i-1]) {
			t.Errorf("the loss does not fall at the suggestion (%v, %v)", f.Loss[i-1], f.Loss[i+1])
		}
	case RuleBasin:
		if cfg.Schedule != OneCycle || i < lo || f.Loss[i] > f.Loss[lo]+basinFlat*(f.Loss[0]-f.Loss[lo]) {
			t.Errorf("basin suggestion at %d (loss %v) for schedule %s: least %v at %d", i, f.Loss[i], cfg.Schedule, f.Loss[lo], lo)
		}
	default:
		t.Errorf("rule %q", f.Rule)
	}
	// Same settings, same curve; the run directory stays empty.
	g, err := FindLR(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.RawLoss, g.RawLoss) {
		t.Error("the same settings gave another curve")
	}
	if runs, _ := ListRuns(cfg.RunsDir); len(runs) != 0 {
		t.Errorf("lr-find saved %d runs", len(runs))
	}
}

func TestFindLRBadInput(t *testing.T) {
	cfg := smallConfig(t)
	for _, opt := range []LRFindOptions{{Start: 1, End: 0.1}, {Start: -1}, {Steps: 3}} {
		if _, err := FindLR(context.Background(), cfg, opt); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
	cfg.LR = -1
	if _, err := FindLR(context.Background(), cfg, LRFindOptions{}); err == nil {
		t.Error("a bad config: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FindLR(ctx, smallConfig(t), LRFindOptions{}); err == nil {
		t.Error("a cancelled context: no error")
	}
}

// TestBasinEdge: the one-cycle suggestion is the largest rate after the
// least loss still within a twentieth of the fall of it, and the least
// itself where the curve climbs at once or never fell.
func TestBasinEdge(t *testing.T) {
	cases := []struct {
		name     string
		loss     []float64
		from, lo int
		want     int
	}{
		// fall 1.0 from 3.0 to 2.0: up to 2.05 is the bottom.
		{"flat bottom", []float64{3, 2.5, 2.02, 2.0, 2.03, 2.05, 2.2, 3}, 0, 3, 5},
		{"climbs at once", []float64{3, 2.5, 2.0, 2.3, 3}, 0, 2, 2},
		{"the fall counted from where it settled", []float64{9, 3, 2.5, 2.0, 2.04, 2.06, 3}, 1, 3, 4},
		{"never fell", []float64{2, 2, 2.5}, 0, 0, 0},
		{"least at the end", []float64{3, 2.5, 2.0}, 0, 2, 2},
		{"stops at a NaN", []float64{3, 2.0, 2.01, math.NaN()}, 0, 1, 2},
	}
	for _, c := range cases {
		if got := basinEdge(c.loss, c.from, c.lo); got != c.want {
			t.Errorf("%s: basinEdge(%v, %d, %d) = %d, want %d", c.name, c.loss, c.from, c.lo, got, c.want)
		}
	}
}
