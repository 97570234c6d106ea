package trainer

import (
	"context"
	"slices"
	"testing"
)

// Inspecting a finished run gives the samples and predictions the run's
// last epoch showed, and a test confusion matrix agreeing with its test
// accuracy.
func TestInspect(t *testing.T) {
	cfg := smallConfig(t)
	evs, s := runToEnd(t)(Start(context.Background(), cfg, Options{Samples: 6}))
	var last Event
	for _, e := range evs {
		if e.Kind == EpochEnd {
			last = e
		}
	}
	in, err := Inspect(context.Background(), s.Run, "", 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Info.Samples) != 6 || len(in.Predictions) != 6 {
		t.Fatalf("%d samples, %d predictions", len(in.Info.Samples), len(in.Predictions))
	}
	for i, smp := range in.Info.Samples {
		if smp.Index != evs[0].Info.Samples[i].Index {
			t.Errorf("sample %d is test sample %d, the run showed %d", i, smp.Index, evs[0].Info.Samples[i].Index)
		}
		if !slices.Equal(in.Predictions[i], last.Predictions[i]) {
			t.Errorf("sample %d: predictions %v, the last epoch showed %v", i, in.Predictions[i], last.Predictions[i])
		}
	}
	var correct, total int
	for tr, row := range in.Confusion {
		for p, n := range row {
			total += n
			if tr == p {
				correct += n
			}
		}
	}
	if total != in.Info.Test || float64(correct)/float64(total) != *s.TestAccuracy || in.Accuracy != *s.TestAccuracy {
		t.Errorf("confusion %v (%d of %d) and accuracy %v; the run's test accuracy is %v", in.Confusion, correct, total, in.Accuracy, *s.TestAccuracy)
	}
	if in.Info.Arch != s.Arch || in.Info.Params != s.Params {
		t.Errorf("info %s %d, summary %s %d", in.Info.Arch, in.Info.Params, s.Arch, s.Params)
	}
	if _, err := Inspect(context.Background(), t.TempDir(), "", 1, nil); err == nil {
		t.Error("inspecting an empty directory did not fail")
	}
}
