package trainer

import (
	"context"
	"slices"
	"testing"
)

// While a run trains its samples are validation samples (the test set
// is for the end); inspecting the finished run gives test samples, the
// same ones each time, and a test confusion matrix agreeing with its test
// accuracy.
func TestInspect(t *testing.T) {
	cfg := smallConfig(t)
	evs, s := runToEnd(t)(Start(context.Background(), cfg, Options{Samples: 6}))
	if info := evs[0].Info; info.SamplesOf != SamplesVal || info.SamplesFrom != info.Val || len(info.Samples) != 6 {
		t.Errorf("the run shows %d samples of %q (%d), want 6 of the validation part (%d)", len(info.Samples), info.SamplesOf, info.SamplesFrom, info.Val)
	}
	in, err := Inspect(context.Background(), s.Run, "", 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Info.Samples) != 6 || len(in.Predictions) != 6 {
		t.Fatalf("%d samples, %d predictions", len(in.Info.Samples), len(in.Predictions))
	}
	if in.Info.SamplesOf != SamplesTest || in.Info.SamplesFrom != in.Info.Test {
		t.Errorf("the saved run shows samples of %q (%d), want the test set (%d)", in.Info.SamplesOf, in.Info.SamplesFrom, in.Info.Test)
	}
	again, err := Inspect(context.Background(), s.Run, "", 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, smp := range in.Info.Samples {
		if smp.Index != again.Info.Samples[i].Index || !slices.Equal(in.Predictions[i], again.Predictions[i]) {
			t.Errorf("sample %d: test sample %d then %d, predictions %v then %v", i, smp.Index, again.Info.Samples[i].Index, in.Predictions[i], again.Predictions[i])
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
