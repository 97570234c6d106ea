package trainer

import (
	"context"
	"reflect"
	"testing"
)

// TestEditsInSummary: edits made while a run trains reach summary.json:
// the settings as they ended and every edit with the step it applied
// from, as events.jsonl has them.
func TestEditsInSummary(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs, cfg.LR, cfg.Dropout = 100000, 0.01, 0.1
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int64
	for e := range r.Events() {
		switch {
		case e.Kind == EpochEnd && e.Epoch == 2:
			r.SetLR(0.001)
		case e.Kind == EditDone && e.Field == "lr" && e.Value == 0.001:
			steps = append(steps, e.Step+1)
			r.SetDropout(0)
		case e.Kind == EditDone && e.Field == "dropout":
			steps = append(steps, e.Step+1)
			r.Stop()
		}
	}
	if _, err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	recs, err := ListRuns(cfg.RunsDir)
	if err != nil || len(recs) != 1 || recs[0].Summary == nil {
		t.Fatalf("runs %+v, %v", recs, err)
	}
	s := recs[0].Summary
	if want := map[string]float64{"lr": 0.001, "dropout": 0}; !reflect.DeepEqual(s.SettingsAtEnd, want) {
		t.Errorf("settings_at_end %v, want %v", s.SettingsAtEnd, want)
	}
	if len(s.Edits) != 2 || len(steps) != 2 {
		t.Fatalf("edits %+v (steps %v), want 2", s.Edits, steps)
	}
	if e := s.Edits[0]; e.Field != "lr" || e.Old != 0.01 || e.New != 0.001 || e.Step != steps[0] {
		t.Errorf("first edit %+v, want lr 0.01 → 0.001 from step %d", e, steps[0])
	}
	if e := s.Edits[1]; e.Field != "dropout" || e.Old != 0.1 || e.New != 0 || e.Step != steps[1] {
		t.Errorf("second edit %+v, want dropout 0.1 → 0 from step %d", e, steps[1])
	}
}

func TestEditedValueAndDifferences(t *testing.T) {
	edits := []Edit{{Field: "lr", Old: 0.01, New: 0.001, Step: 1051}, {Field: "dropout", Old: 0.1, New: 0, Step: 1200}, {Field: "lr", Old: 0.001, New: 0.04, Step: 2000}}
	for _, c := range []struct{ field, value, want string }{
		{"lr", "0.01", "0.01→0.001@1051→0.04@2000"},
		{"dropout", "0.1", "0.1→0@1200"},
		{"batch", "32", "32"},
	} {
		if got := EditedValue(c.field, c.value, edits); got != c.want {
			t.Errorf("EditedValue(%s) = %q, want %q", c.field, got, c.want)
		}
	}
	if got, want := EditsText(edits), "lr 0.01→0.001@1051; dropout 0.1→0@1200; lr 0.001→0.04@2000"; got != want {
		t.Errorf("EditsText = %q, want %q", got, want)
	}
	// Two runs of the same settings, one edited: they differ in lr.
	a, b := Defaults(), Defaults()
	a.LR, b.LR = 0.01, 0.01
	diffs := EditedDifferences([]*Config{&a, &b}, []*Summary{{Edits: edits[:1]}, nil})
	if len(diffs) != 1 || diffs[0].Field != "lr" || !reflect.DeepEqual(diffs[0].Values, []string{"0.01→0.001@1051", "0.01"}) {
		t.Errorf("differences %+v, want lr 0.01→0.001@1051 against 0.01", diffs)
	}
	if d := Differences([]*Config{&a, &b}); len(d) != 0 {
		t.Errorf("Differences without summaries: %+v", d)
	}
}
