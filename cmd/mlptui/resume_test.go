package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// TestTrainResumeCommandEqualsUninterrupted interrupts `mlptui train` in
// a real process, resumes it with `train --resume`, and expects the very
// weights and metrics of a run that never stopped (constant learning
// rate, so the total number of epochs does not matter).
func TestTrainResumeCommandEqualsUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	runs := t.TempDir()
	flags := []string{"--runs", runs, "--hidden", "32,16", "--batch", "8", "--dropout", "0.2", "--lr", "0.003", "--seed", "9", "--val-split", "0.1"}
	if code, _, _ := interruptAt(t, os.Interrupt, epochLine(3), append([]string{"train", "--epochs", "100000"}, flags...)...); code != 130 {
		t.Fatalf("exit %d, want 130", code)
	}
	recs, _ := trainer.ListRuns(runs)
	if len(recs) != 1 || recs[0].Status != trainer.StatusInterrupted {
		t.Fatalf("runs %+v", recs)
	}
	part := recs[0]
	total := part.Summary.Epochs + 2
	code, out, errs := call(t, "train", "--resume", part.Dir, "--epochs", strconv.Itoa(total), "--json")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	var resumed trainer.Summary
	json.Unmarshal([]byte(out), &resumed)
	whole := trainQuickFlags(t, append([]string{"train", "--json", "--epochs", strconv.Itoa(total)}, flags...))
	if resumed.Steps != whole.Steps || resumed.Epochs != whole.Epochs || *resumed.TestAccuracy != *whole.TestAccuracy || *resumed.TestLoss != *whole.TestLoss {
		t.Errorf("resumed %+v\nwhole %+v", resumed, whole)
	}
	load := func(dir string) []float32 {
		m, err := nn.LoadModel(filepath.Join(dir, trainer.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		return m.Net.Params
	}
	if !slices.Equal(load(part.Dir), load(whole.Run)) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
	a, _ := trainer.ReadMetrics(part.Dir)
	b, _ := trainer.ReadMetrics(whole.Run)
	if len(a) != total || len(b) != total {
		t.Fatalf("metrics rows %d and %d, want %d", len(a), len(b), total)
	}
	for i := range a {
		if a[i].Step != b[i].Step || a[i].TrainLoss != b[i].TrainLoss || a[i].ValLoss != b[i].ValLoss ||
			math.Float64bits(a[i].ValAcc) != math.Float64bits(b[i].ValAcc) {
			t.Errorf("epoch %d: %+v vs %+v", i+1, a[i], b[i])
		}
	}
}

func trainQuickFlags(t *testing.T, args []string) trainer.Summary {
	t.Helper()
	code, out, errs := call(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	var s trainer.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return s
}
