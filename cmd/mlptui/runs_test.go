package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// trainQuick trains a quick Iris run with extra flags and returns its
// directory.
func trainQuick(t *testing.T, runs string, extra ...string) string {
	t.Helper()
	code, out, errs := call(t, append(append([]string{"train", "--json"}, quick(runs)...), extra...)...)
	if code != 0 {
		t.Fatalf("train %v: exit %d: %s", extra, code, errs)
	}
	var s trainer.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return s.Run
}

// runsFixture makes three finished Iris runs (lr 0.01, 0.001, 0.03), a
// damaged one and one still training; it returns the runs directory and
// the finished runs' directories.
func runsFixture(t *testing.T) (string, []string) {
	t.Helper()
	runs := t.TempDir()
	var dirs []string
	for _, lr := range []string{"0.01", "0.001", "0.03"} {
		dirs = append(dirs, trainQuick(t, runs, "--lr", lr, "--name", "lr"+lr))
	}
	damaged := filepath.Join(runs, "20200101-000000-iris-damaged")
	os.MkdirAll(damaged, 0o755)
	os.WriteFile(filepath.Join(damaged, trainer.SummaryFile), []byte(`{"status":`), 0o644)
	// A run still training: this very process is its writer.
	live := filepath.Join(runs, "20200101-000001-iris-live")
	os.MkdirAll(live, 0o755)
	b, _ := os.ReadFile(filepath.Join(dirs[0], trainer.ConfigFile))
	os.WriteFile(filepath.Join(live, trainer.ConfigFile), b, 0o644)
	s, _ := json.Marshal(trainer.Summary{Status: trainer.StatusRunning, PID: os.Getpid(), Epochs: 2, Dataset: "iris"})
	os.WriteFile(filepath.Join(live, trainer.SummaryFile), s, 0o644)
	return runs, dirs
}

// On a terminal narrower than the table, runs leaves out the least
// useful columns to fit, says which on stderr, and keeps the rows in the
// same order; without a terminal (width 0) every column is printed.
func TestRunsTableFitsTheTerminal(t *testing.T) {
	runs, _ := runsFixture(t)
	_, wide, _ := call(t, "runs", "--runs", runs)
	for _, width := range []int{80, 60, 30} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), &env{stdout: &out, stderr: &errb, stdoutWidth: width}, []string{"runs", "--runs", runs}); code != 0 {
			t.Fatalf("width %d: exit %d: %s", width, code, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		for i, l := range lines {
			if n := len([]rune(l)); n > width && !(width == 30 && i > 0) { // names alone outgrow 30
				t.Errorf("width %d: line %d is %d wide: %q", width, i+1, n, l)
			}
		}
		want := map[int][]string{80: {"NAME", "BEST VAL ACC", "TEST ACC", "STATUS"}, 60: {"NAME", "BEST VAL ACC", "TEST ACC"}, 30: {"NAME"}}[width]
		for _, col := range want {
			if !strings.Contains(lines[0], col) {
				t.Errorf("width %d: header %q lacks %s", width, lines[0], col)
			}
		}
		if strings.Contains(lines[0], "BATCH") || !strings.Contains(errb.String(), "batch") || !strings.Contains(errb.String(), "--csv has all") {
			t.Errorf("width %d: batch kept or not said to be left out: header %q, stderr %q", width, lines[0], errb.String())
		}
		for i, l := range strings.Split(strings.TrimSpace(wide), "\n")[1:] {
			if strings.Fields(l)[0] != strings.Fields(lines[i+1])[0] {
				t.Errorf("width %d: row %d is %s, %s in the full table", width, i+1, strings.Fields(lines[i+1])[0], strings.Fields(l)[0])
			}
		}
	}
}

func TestRunsTableSortCSVJSON(t *testing.T) {
	runs, dirs := runsFixture(t)
	checkRunsTable(t, runs)
	checkRunsSort(t, runs)
	checkRunsCSV(t, runs, dirs)
	checkRunsJSON(t, runs)
}

// checkRunsTable: the table's columns, the damaged and live runs with
// their states, the default order.
func checkRunsTable(t *testing.T, runs string) {
	code, out, errs := call(t, "runs", "--runs", runs)
	if code != 0 {
		t.Fatalf("runs: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want a header and 5 runs:\n%s", len(lines), out)
	}
	for _, col := range []string{"NAME", "DATASET", "HIDDEN", "DROPOUT", "LR", "BATCH", "EPOCHS", "BEST VAL ACC", "TEST ACC", "TRAIN TIME", "STATUS"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header lacks %s: %s", col, lines[0])
		}
	}
	if !strings.Contains(out, "damaged") || !strings.Contains(out, "running") || !strings.Contains(out, "2/5") {
		t.Errorf("the damaged and the live run are not listed with their state:\n%s", out)
	}
	if !strings.Contains(errs, "20200101-000000-iris-damaged: damaged: ") {
		t.Errorf("no note on the damaged run: %q", errs)
	}
	// Default order: best validation accuracy, highest first, then the
	// lower validation loss; runs without one last.
	acc := func(dir string) (float64, float64) {
		s, err := trainer.ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		return *s.BestValAccuracy, -*s.BestValLoss
	}
	var order []string
	for _, l := range lines[1:] {
		order = append(order, strings.Fields(l)[0])
	}
	for i := 1; i < 3; i++ {
		v0, t0 := acc(filepath.Join(runs, order[i-1]))
		v1, t1 := acc(filepath.Join(runs, order[i]))
		if v0 < v1 || v0 == v1 && t0 < t1 {
			t.Errorf("rows %d and %d out of order: %v %v then %v %v", i, i+1, v0, t0, v1, t1)
		}
	}
	if !strings.HasSuffix(order[3], "iris-damaged") && !strings.HasSuffix(order[4], "iris-damaged") {
		t.Errorf("runs without accuracies are not last: %v", order)
	}

}

// checkRunsSort: --sort by a column, under each of its spellings.
func checkRunsSort(t *testing.T, runs string) {
	// --sort lr: lowest first.
	code, out, _ := call(t, "runs", "--runs", runs, "--sort", "lr")
	lines := strings.Split(strings.TrimSpace(out), "\n") // the live run has lr 0.01 too; the damaged one none
	if code != 0 || len(lines) != 6 || !strings.Contains(lines[1], "-lr0.001") || !strings.Contains(lines[3], "-lr0.01") ||
		!strings.Contains(lines[4], "-lr0.03") || !strings.Contains(lines[5], "-damaged") {
		t.Errorf("--sort lr: exit %d\n%s", code, out)
	}
	// Other spellings of a column name.
	for _, s := range []string{"best val acc", "BEST_VAL_ACC", "train-time", "status", "name", "hidden", "epochs",
		"best_val_accuracy", "test_accuracy", "train_seconds", "epochs_done", "run", "BEST VAL ACC", "TEST ACC"} {
		if code, _, errs := call(t, "runs", "--runs", runs, "--sort", s); code != 0 {
			t.Errorf("--sort %q: exit %d: %s", s, code, errs)
		}
	}

}

// checkRunsCSV: --csv parses, has every column, and each finished run's
// figures are summary.json's.
func checkRunsCSV(t *testing.T, runs string, dirs []string) {
	// --csv round trip: every finished run's figures as in summary.json.
	code, out, errs := call(t, "runs", "--runs", runs, "--csv")
	if code != 0 {
		t.Fatalf("--csv: exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("--csv output does not parse: %v\n%s", err, out)
	}
	if len(recs) != 6 {
		t.Fatalf("%d CSV records, want a header and 5", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"run", "status", "sweep", "dataset", "hidden", "dropout", "lr", "batch", "epochs", "seed", "val_split",
		"epochs_done", "best_val_accuracy", "best_val_epoch", "test_accuracy", "test_loss", "train_loss", "val_accuracy", "train_seconds"} {
		if _, ok := col[h]; !ok {
			t.Errorf("CSV has no %q column: %v", h, recs[0])
		}
	}
	seen := 0
	for _, r := range recs[1:] {
		if !slices.Contains(dirs, r[col["run"]]) {
			if r[col["status"]] != "damaged" && r[col["status"]] != "running" {
				t.Errorf("unknown run %q", r[col["run"]])
			}
			continue
		}
		seen++
		s, _ := trainer.ReadSummary(r[col["run"]])
		c, _ := trainer.ReadConfig(r[col["run"]])
		num := func(name string) float64 {
			v, err := strconv.ParseFloat(r[col[name]], 64)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			return v
		}
		if num("best_val_accuracy") != *s.BestValAccuracy || num("test_accuracy") != *s.TestAccuracy ||
			num("test_loss") != *s.TestLoss || num("train_loss") != *s.TrainLoss || num("train_seconds") != s.TrainSeconds ||
			num("epochs_done") != float64(s.Epochs) || num("lr") != c.LR || num("dropout") != c.Dropout {
			t.Errorf("CSV row %v does not match summary %+v and config", r, s)
		}
		if h, err := trainer.ParseHidden(r[col["hidden"]]); err != nil || !slices.Equal(h, c.Hidden) {
			t.Errorf("hidden %q, want %v", r[col["hidden"]], c.Hidden)
		}
		if r[col["status"]] != "done" {
			t.Errorf("status %q", r[col["status"]])
		}
	}
	if seen != 3 {
		t.Errorf("%d finished runs in the CSV, want 3", seen)
	}

}

// checkRunsJSON: --json holds the summaries with every setting, typed.
func checkRunsJSON(t *testing.T, runs string) {
	// --json: the summaries with their settings, in the same order.
	code, out, _ := call(t, "runs", "--runs", runs, "--json", "--sort", "lr")
	var js []struct {
		Run             string          `json:"run"`
		Status          string          `json:"status"`
		BestValAccuracy *float64        `json:"best_val_accuracy"`
		Config          *trainer.Config `json:"config"`
	}
	if err := json.Unmarshal([]byte(out), &js); code != 0 || err != nil || len(js) != 5 {
		t.Fatalf("--json: exit %d, %v, %d runs", code, err, len(js))
	}
	if js[0].Config == nil || js[0].Config.LR != 0.001 || js[0].BestValAccuracy == nil {
		t.Errorf("--json first run %+v", js[0])
	}
	// Every setting is there with its type, zero or not (a normalizing
	// reader such as pandas.json_normalize would give NaN for a missing one).
	var raw []struct {
		Config map[string]any `json:"config"`
	}
	json.Unmarshal([]byte(out), &raw)
	for i, r := range raw {
		if r.Config == nil {
			continue // the damaged run
		}
		for _, f := range lab.CSVSettings() {
			if _, ok := r.Config[trainer.JSONName(f.Name)]; !ok {
				t.Errorf("--json run %d: config lacks %q", i, trainer.JSONName(f.Name))
			}
		}
		if _, ok := r.Config["leaky_slope"].(float64); !ok {
			t.Errorf("--json run %d: leaky_slope %#v, want a number", i, r.Config["leaky_slope"])
		}
		if _, ok := r.Config["skip_bad"].(bool); !ok {
			t.Errorf("--json run %d: skip_bad %#v, want a boolean", i, r.Config["skip_bad"])
		}
	}
}

// runs on an 80-column terminal keeps what tells a sweep's trials apart:
// lr and dropout were left out while the one data set stayed; the note
// saying what was left out fits the terminal too.
func TestRunsKeepsWhatDiffers(t *testing.T) {
	runs := t.TempDir()
	if code, _, errs := call(t, "sweep", "--dataset", "iris", "--runs", runs, "--lr", "0.01,0.02", "--dropout", "0,0.3", "--epochs", "2"); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, stdoutWidth: 80, stderrWidth: 80, stderrTTY: true}
	if code := run(context.Background(), e, []string{"runs", "--runs", runs}); code != 0 {
		t.Fatalf("runs: exit %d: %s", code, errb.String())
	}
	header := strings.SplitN(out.String(), "\n", 2)[0]
	for _, col := range []string{"NAME", "LR", "DROPOUT"} {
		if !slices.Contains(strings.Fields(header), col) {
			t.Errorf("header %q lacks %s", header, col)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(out.String()+errb.String()), "\n") {
		if n := len([]rune(l)); n >= 80 {
			t.Errorf("%q is %d wide on an 80-column terminal", l, n)
		}
	}
	if !strings.Contains(errb.String(), "dataset") {
		t.Errorf("stderr %q does not say the data set was left out", errb.String())
	}
}
