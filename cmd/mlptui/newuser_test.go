package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestRunKeepsAbsoluteDataset: a run trained on a table named by a
// relative path keeps the absolute path (and the path as given), so eval
// and resume work from another directory.
func TestRunKeepsAbsoluteDataset(t *testing.T) {
	dir := t.TempDir()
	text := "weight,height,kind\n"
	for i := range 30 {
		text += fmt.Sprintf("%d,%d,cat\n%d,%d,dog\n", 3+i%4, 25+i%5, 20+i%7, 50+i%9)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "pets.csv"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, out, errs := call(t, "train", "--dataset", "data/pets.csv", "--runs", "runs", "--epochs", "3", "--json")
	var sum trainer.Summary
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	run := filepath.Join(dir, sum.Run)
	cfg, err := trainer.ReadConfig(run)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "data", "pets.csv"); cfg.Dataset != want || cfg.DatasetArg != "data/pets.csv" {
		t.Errorf("config.json: dataset %q, dataset_as_given %q; want %q and %q", cfg.Dataset, cfg.DatasetArg, want, "data/pets.csv")
	}
	t.Chdir(t.TempDir()) // elsewhere
	for _, args := range [][]string{
		{"eval", "--run", run},
		{"train", "--resume", run, "--epochs", "5"},
		{"runs", "--runs", filepath.Join(dir, "runs")},
	} {
		if code, out, errs := call(t, args...); code != 0 {
			t.Errorf("%s from another directory: exit %d: %s%s", strings.Join(args, " "), code, out, errs)
		} else if args[0] == "runs" && !strings.Contains(out, "pets.csv") {
			t.Errorf("runs shows no pets.csv:\n%s", out)
		}
	}
}
