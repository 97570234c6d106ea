package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/nn"
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

	// --sort lr: lowest first.
	code, out, _ = call(t, "runs", "--runs", runs, "--sort", "lr")
	lines = strings.Split(strings.TrimSpace(out), "\n") // the live run has lr 0.01 too; the damaged one none
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

	// --csv round trip: every finished run's figures as in summary.json.
	code, out, errs = call(t, "runs", "--runs", runs, "--csv")
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

	// --json: the summaries with their settings, in the same order.
	code, out, _ = call(t, "runs", "--runs", runs, "--json", "--sort", "lr")
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

func TestPlotFiles(t *testing.T) {
	runs, dirs := runsFixture(t)
	out := t.TempDir()
	pngPath := filepath.Join(out, "curves.png")
	code, _, errs := call(t, append([]string{"plot", "-o", pngPath}, dirs...)...)
	if code != 0 {
		t.Fatalf("plot -o png: exit %d: %s", code, errs)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", pngPath, err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
		t.Errorf("PNG is %v", b)
	}
	// Not one colour: something was drawn.
	colours := map[[4]uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			r, g, b, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colours) < 5 {
		t.Errorf("PNG has %d colours", len(colours))
	}

	svgPath := filepath.Join(out, "curves.SVG") // the extension in any case
	code, _, errs = call(t, append([]string{"plot", "-o", svgPath}, dirs...)...)
	if code != 0 {
		t.Fatalf("plot -o svg: exit %d: %s", code, errs)
	}
	svg, _ := os.ReadFile(svgPath)
	if !bytes.HasPrefix(svg, []byte("<?xml")) && !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("SVG starts with %q", svg[:min(len(svg), 40)])
	}
	// The legend names each run and the setting in which they differ.
	for _, d := range dirs {
		if !bytes.Contains(svg, []byte(filepath.Base(d))) {
			t.Errorf("SVG legend lacks %s", filepath.Base(d))
		}
	}
	for _, want := range []string{"lr=0.001", "lr=0.01", "lr=0.03", "Loss", "Accuracy", "epoch", "training (solid)", "validation (dashed)"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if bytes.Contains(svg, []byte("name=")) {
		t.Error("the run names count as a difference")
	}
	// Written atomically: nothing else is left in the directory.
	ents, _ := os.ReadDir(out)
	if len(ents) != 2 {
		t.Errorf("%d files in the output directory, want 2", len(ents))
	}

	// One run alone: its main settings instead of differences.
	code, _, errs = call(t, "plot", "-o", filepath.Join(out, "one.png"), dirs[0])
	if code != 0 {
		t.Errorf("plot one run: exit %d: %s", code, errs)
	}
	_ = runs
}

func TestPlotTerminal(t *testing.T) {
	_, dirs := runsFixture(t)
	code, out, errs := call(t, append([]string{"plot", "--width", "90"}, dirs[:2]...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Loss by epoch", "Accuracy (%) by epoch", "AA aa  A  " + filepath.Base(dirs[0]) + "   lr=0.01",
		"BB bb  B  " + filepath.Base(dirs[1]) + "   lr=0.001", "upper case: training  lower case: validation"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal plot lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\033") {
		t.Error("escape codes when stdout is not a terminal")
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 90 {
			t.Errorf("line of %d columns, want at most 90: %q", n, l)
		}
	}
}

// Runs of the same settings are said to be so in the legend (their
// curves coincide: the same seed gives the same run).
func TestPlotSameSettings(t *testing.T) {
	runs := t.TempDir()
	a, b := trainQuick(t, runs, "--name", "a"), trainQuick(t, runs, "--name", "b")
	code, out, errs := call(t, "plot", a, b)
	if code != 0 || strings.Count(out, "same settings") != 2 {
		t.Errorf("exit %d, stderr %q; legend:\n%s", code, errs, out)
	}
}

func TestCompareBadInput(t *testing.T) {
	runs, dirs := runsFixture(t)
	damagedCfg := filepath.Join(t.TempDir(), "bad-config")
	os.MkdirAll(damagedCfg, 0o755)
	os.WriteFile(filepath.Join(damagedCfg, trainer.ConfigFile), []byte("{"), 0o644)
	noEpochs := filepath.Join(t.TempDir(), "no-epochs")
	os.MkdirAll(noEpochs, 0o755)
	b, _ := os.ReadFile(filepath.Join(dirs[0], trainer.ConfigFile))
	os.WriteFile(filepath.Join(noEpochs, trainer.ConfigFile), b, 0o644)
	os.WriteFile(filepath.Join(noEpochs, trainer.MetricsFile), []byte("epoch,step,seconds,lr,train_loss,train_acc,val_loss,val_acc\n"), 0o644)
	badMetrics := filepath.Join(t.TempDir(), "bad-metrics")
	os.MkdirAll(badMetrics, 0o755)
	os.WriteFile(filepath.Join(badMetrics, trainer.ConfigFile), b, 0o644)
	os.WriteFile(filepath.Join(badMetrics, trainer.MetricsFile), []byte("epoch,step\n1,2\n"), 0o644)
	// Metrics out of range (an accuracy of 1e308: drawn in percent, an
	// infinite point) and in range but huge (a loss of 1e308).
	hostile := func(name, rows string) string {
		d := filepath.Join(t.TempDir(), name)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, trainer.ConfigFile), b, 0o644)
		os.WriteFile(filepath.Join(d, trainer.MetricsFile), []byte("epoch,step,seconds,lr,train_loss,train_acc,val_loss,val_acc\n"+rows), 0o644)
		return d
	}
	hugeAcc := hostile("huge-acc", "1,1,0.1,0.001,1,0.5,,\n2,2,0.2,0.001,0.5,1e308,,\n")
	hugeLoss := hostile("huge-loss", "1,1,0.1,0.001,1e308,0.5,+Inf,0.5\n2,2,0.2,0.001,1e-300,0.6,1e308,0.7\n")
	lrs := make([]string, 101)
	for i := range lrs {
		lrs[i] = strconv.FormatFloat(1e-4*float64(i+1), 'g', -1, 64)
	}
	drops := make([]string, 100)
	for i := range drops {
		drops[i] = strconv.FormatFloat(float64(i)/200, 'g', -1, 64)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"runs", "--runs", runs, "--sort", "bogus"}, 2, "--sort bogus: unknown column; want one of name, dataset, hidden, dropout, lr, batch, epochs, best-val-acc, test-acc, train-time, status"},
		{[]string{"runs", "--runs", runs, "--sort", ""}, 2, "--sort : unknown column"},
		{[]string{"runs", "--runs", runs, "--json", "--csv"}, 2, "--json and --csv: choose one"},
		{[]string{"runs", "--runs", runs, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"plot"}, 2, "no run directory given"},
		{[]string{"plot", "-o", "x.jpg", dirs[0]}, 2, `-o x.jpg: unknown image format ".jpg"; want a file ending in .png or .svg`},
		{[]string{"plot", "-o", "plot", dirs[0]}, 2, `-o plot: unknown image format ""`},
		{[]string{"plot", "-o", "x.pdf", "/no/such/run"}, 2, "-o x.pdf"},
		{[]string{"plot", "--width", "-3", dirs[0]}, 2, "--width -3"},
		{[]string{"plot", "--bogus", dirs[0]}, 2, "unknown flag --bogus"},
		{[]string{"plot", dirs[0], "/no/such/run"}, 1, "/no/such/run: no such file or directory"},
		{[]string{"plot", filepath.Join(dirs[0], trainer.SummaryFile)}, 1, "summary.json: not a run directory"},
		{[]string{"plot", damagedCfg}, 1, filepath.Join(damagedCfg, trainer.ConfigFile)},
		{[]string{"plot", dirs[0], noEpochs}, 1, noEpochs + ": no epoch finished yet"},
		{[]string{"plot", badMetrics}, 1, filepath.Join(badMetrics, trainer.MetricsFile)},
		{[]string{"plot", "-o", "/no/such/dir/x.png", dirs[0]}, 1, "/no/such/dir/x.png"},
		{[]string{"plot", hugeAcc}, 1, filepath.Join(hugeAcc, trainer.MetricsFile) + ":3: train_acc 1e+308 out of range"},
		{[]string{"plot", "-o", filepath.Join(t.TempDir(), "x.png"), hugeAcc}, 1, filepath.Join(hugeAcc, trainer.MetricsFile) + ":3: train_acc 1e+308 out of range"},
		{[]string{"plot", hugeLoss}, 0, ""},
		{[]string{"plot", "--width", "100", hugeLoss, dirs[0]}, 0, ""},
		{[]string{"plot", "-o", filepath.Join(t.TempDir(), "x.png"), hugeLoss}, 0, ""},
		{[]string{"plot", "-o", filepath.Join(t.TempDir(), "x.svg"), hugeLoss, dirs[0]}, 0, ""},
		{[]string{"sweep", "--runs", runs, "--lr", "1e-3,abc"}, 2, `"abc" is not a number`},
		{[]string{"sweep", "--runs", runs, "--lr", "1e-3,"}, 2, `"" is not a number`},
		{[]string{"sweep", "--runs", runs, "--dropout", "0,1.5"}, 2, "--dropout: 1.5; want a probability"},
		{[]string{"sweep", "--runs", runs, "--hidden", "64,32/x"}, 2, `"x" is not a list of layer sizes`},
		{[]string{"sweep", "--runs", runs, "--hidden", "64/0"}, 2, "--hidden: layer 1 has 0 units"},
		{[]string{"sweep", "--runs", runs, "--epochs", "5,0"}, 2, "--epochs: 0"},
		{[]string{"sweep", "--runs", runs, "--optimizer", "adam,rmsprop"}, 2, `--optimizer: "rmsprop"`},
		{[]string{"sweep", "--runs", runs, "--val-split", "0.1,0.2"}, 2, `"0.1,0.2" is not a number (--val-split is one value for all trials: it cannot be swept)`},
		{[]string{"sweep", "--runs", runs, "--trials", "-1"}, 2, "--trials -1"},
		{[]string{"sweep", "--runs", runs, "--trials", "x"}, 2, `--trials x: "x" is not a number`},
		{[]string{"sweep", "--runs", runs, "--name", "a/b"}, 2, `--name "a/b"`},
		{[]string{"sweep", "--runs", runs, "--name", ".hidden"}, 2, `--name ".hidden"`},
		{[]string{"sweep", "--runs", runs, "--lr", strings.Join(lrs, ","), "--dropout", strings.Join(drops, ",")}, 2, "a grid of 10100 trials is too many; give --trials N"},
		{[]string{"sweep", "--runs", runs, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"sweep", "--runs", "/dev/null/runs", "--epochs", "1"}, 1, "/dev/null/runs"},
	}
	for _, c := range cases {
		code, out, errs := call(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
		if c.code == 1 && strings.Count(strings.TrimSpace(errs), "\n") > 0 && !strings.HasPrefix(c.args[0], "sweep") {
			t.Errorf("%v: more than one line on stderr: %q", c.args, errs)
		}
		if c.code != 0 && c.args[0] == "plot" && out != "" {
			t.Errorf("%v: printed %q", c.args, out)
		}
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
			t.Errorf("%v: stack trace on stderr", c.args)
		}
	}
	// A refused plot leaves no file behind.
	if _, err := os.Stat("x.jpg"); err == nil {
		t.Error("plot -o x.jpg wrote a file")
	}
}

// sweepArgs is a sweep of 6 quick Iris trials.
func sweepArgs(runs string) []string {
	return []string{"sweep", "--runs", runs, "--hidden", "16", "--batch", "16", "--epochs", "10", "--val-split", "0.1",
		"--lr", "1e-3,1e-2,3e-2", "--dropout", "0,0.2", "--json"}
}

// TestSweepSeesOtherSweeps: a trial that another sweep of the same name
// finished while this one ran is skipped, not trained twice. Here the other
// sweep runs (to its end) as this one starts its first trial.
func TestSweepSeesOtherSweeps(t *testing.T) {
	runs := t.TempDir()
	args := func(lrs string) []string {
		return []string{"sweep", "--runs", runs, "--name", "two", "--hidden", "8", "--epochs", "3", "--lr", lrs}
	}
	var nested atomic.Bool
	sweepOptions = func(trial int) trainer.Options {
		if trial == 1 && nested.CompareAndSwap(false, true) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), &env{stdout: &out, stderr: &errb}, args("1e-2")); code != 0 {
				t.Errorf("the other sweep: exit %d\n%s", code, errb.String())
			}
		}
		return trainer.Options{}
	}
	defer func() { sweepOptions = nil }()
	code, _, errs := call(t, args("1e-3,1e-2")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "trial 2/2 lr=0.01: finished before") || !strings.Contains(errs, "2 trials: 1 done before, 1 new") {
		t.Errorf("trial 2 was not skipped:\n%s", errs)
	}
	if recs, _ := trainer.ListRuns(runs); len(recs) != 2 {
		t.Errorf("%d runs, want 2", len(recs))
	}
}

// TestSweepTrialLock: a trial whose lock a live process holds is skipped
// as running elsewhere; a stale lock (its process gone) is taken over.
func TestSweepTrialLock(t *testing.T) {
	args := func(runs string) []string {
		return []string{"sweep", "--runs", runs, "--name", "two", "--hidden", "8", "--epochs", "3", "--lr", "1e-3,1e-2"}
	}
	// The settings of trial 2, from a sweep elsewhere.
	other := t.TempDir()
	if code, _, errs := call(t, args(other)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	recs, _ := trainer.ListRuns(other)
	var trial2 *trainer.Config
	for _, r := range recs {
		if r.Config != nil && r.Config.LR == 1e-2 {
			trial2 = r.Config
		}
	}
	if trial2 == nil {
		t.Fatal("no lr=0.01 trial")
	}
	runs := t.TempDir()
	lock := lab.TrialLock(runs, "two", trial2)
	held, err := runlock.Acquire(lock, runlock.Options{}) // held by this (live) process
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := call(t, args(runs)...)
	held.Release()
	if code != 0 || !strings.Contains(errs, "trial 2/2 lr=0.01: running in another process; skipped") ||
		!strings.Contains(errs, "1 new, 1 running elsewhere") ||
		!strings.Contains(errs, "skipped (process "+strconv.Itoa(os.Getpid())+" on ") {
		t.Errorf("with trial 2 locked: exit %d\n%s", code, errs)
	}
	if err := os.WriteFile(lock, []byte("0\n"), 0o644); err != nil { // no such process
		t.Fatal(err)
	}
	code, _, errs = call(t, args(runs)...)
	if code != 0 || !strings.Contains(errs, "1 done before, 1 new") {
		t.Errorf("with a stale lock: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock is left behind: %v", err)
	}
	if recs, _ := trainer.ListRuns(runs); len(recs) != 2 {
		t.Errorf("%d runs, want 2 (locks are not listed)", len(recs))
	}
}

// TestSweepInterruptedAndRestarted is the acceptance test: a sweep of 6
// Iris trials interrupted during the 4th (after 3 finished) and run again
// runs the other 3 only, resuming the interrupted one, and its leaderboard
// matches the runs' summary.json files.
func TestSweepInterruptedAndRestarted(t *testing.T) {
	runs := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The interrupt arrives in the middle of trial 4: at its 30th reading of
	// the clock, some 25 steps into its 70.
	var calls atomic.Int64
	sweepOptions = func(trial int) trainer.Options {
		if trial != 4 {
			return trainer.Options{}
		}
		return trainer.Options{Now: func() time.Time {
			if calls.Add(1) == 30 {
				cancel()
			}
			return time.Now()
		}}
	}
	defer func() { sweepOptions = nil }()
	var out, errb bytes.Buffer
	code := run(ctx, &env{stdout: &out, stderr: &errb}, sweepArgs(runs))
	if code != exitInterrupted {
		t.Fatalf("first sweep: exit %d, want 130\n%s", code, errb.String())
	}
	first := errb.String()
	if n := strings.Count(first, ": new run "); n != 4 {
		t.Errorf("first sweep started %d trials, want 4:\n%s", n, first)
	}
	if !strings.Contains(first, "trial 4/6 dropout=0.2 lr=0.01: interrupted after epoch") ||
		!strings.Contains(first, "interrupted: 3 new, 1 interrupted; 3 trials to go: run the same command again") {
		t.Errorf("first sweep does not say it was interrupted in trial 4:\n%s", first)
	}
	recs, _ := trainer.ListRuns(runs)
	if len(recs) != 4 {
		t.Fatalf("%d runs after the interrupt, want 4", len(recs))
	}
	before := map[string][]byte{}
	var interrupted string
	for _, r := range recs {
		switch r.Status {
		case trainer.StatusDone:
			before[r.Dir], _ = os.ReadFile(filepath.Join(r.Dir, trainer.SummaryFile))
		case trainer.StatusInterrupted:
			interrupted = r.Dir
		default:
			t.Errorf("%s: status %s", r.Dir, r.Status)
		}
		if r.Config.Sweep != "iris-lr-dropout" {
			t.Errorf("%s: sweep %q", r.Dir, r.Config.Sweep)
		}
	}
	if len(before) != 3 || interrupted == "" {
		t.Fatalf("%d finished and interrupted %q", len(before), interrupted)
	}

	// The same command again.
	code, stdout, second := call(t, sweepArgs(runs)...)
	if code != 0 {
		t.Fatalf("second sweep: exit %d\n%s", code, second)
	}
	if n := strings.Count(second, "finished before"); n != 3 {
		t.Errorf("second sweep skipped %d trials, want 3:\n%s", n, second)
	}
	if n := strings.Count(second, ": new run "); n != 2 {
		t.Errorf("second sweep started %d new trials, want 2:\n%s", n, second)
	}
	if !strings.Contains(second, "trial 4/6 dropout=0.2 lr=0.01: resuming "+interrupted+" (interrupted after epoch") {
		t.Errorf("second sweep does not resume trial 4 in %s:\n%s", interrupted, second)
	}
	if !strings.Contains(second, "6 trials: 3 done before, 1 resumed, 2 new") {
		t.Errorf("no tally:\n%s", second)
	}
	recs, _ = trainer.ListRuns(runs)
	if len(recs) != 6 {
		t.Fatalf("%d runs, want 6", len(recs))
	}
	for _, r := range recs {
		if r.Status != trainer.StatusDone || r.Summary.Epochs != 10 {
			t.Errorf("%s: %s after %d epochs", r.Dir, r.Status, r.Summary.Epochs)
		}
		if b, ok := before[r.Dir]; ok {
			if now, _ := os.ReadFile(filepath.Join(r.Dir, trainer.SummaryFile)); !bytes.Equal(now, b) {
				t.Errorf("%s was touched again", r.Dir)
			}
		}
	}
	log, _ := trainer.ReadEvents(interrupted)
	var names []string
	for _, e := range log {
		names = append(names, e.Event)
	}
	if got := strings.Join(names, ","); got != "start,interrupt,resume,finish" {
		t.Errorf("trial 4's events: %s", got)
	}

	// The leaderboard: every trial, in order, with its summary.json's figures.
	var board []lab.BoardEntry
	if err := json.Unmarshal([]byte(stdout), &board); err != nil || len(board) != 6 {
		t.Fatalf("leaderboard %v (%v):\n%s", board, err, stdout)
	}
	trials := map[int]bool{}
	for i, b := range board {
		s, err := trainer.ReadSummary(b.Run)
		if err != nil {
			t.Fatal(err)
		}
		if b.Rank != i+1 || b.Status != s.Status || *b.BestValAccuracy != *s.BestValAccuracy || *b.TestAccuracy != *s.TestAccuracy ||
			*b.TestLoss != *s.TestLoss || b.BestValEpoch != s.BestValEpoch || b.Epochs != s.Epochs || b.TrainSeconds != s.TrainSeconds {
			t.Errorf("leaderboard line %+v does not match %s", b, filepath.Join(b.Run, trainer.SummaryFile))
		}
		c, _ := trainer.ReadConfig(b.Run)
		if b.Settings["lr"] != c.LR || b.Settings["dropout"] != c.Dropout || len(b.Settings) != 2 { // numbers, not strings
			t.Errorf("leaderboard settings %v, config lr %v dropout %v", b.Settings, c.LR, c.Dropout)
		}
		if i > 0 {
			p := board[i-1]
			// Ties go to the lower validation loss; never to a test figure.
			if *p.BestValAccuracy < *b.BestValAccuracy || *p.BestValAccuracy == *b.BestValAccuracy && *p.BestValLoss > *b.BestValLoss {
				t.Errorf("leaderboard out of order at rank %d", b.Rank)
			}
		}
		trials[b.Trial] = true
	}
	if len(trials) != 6 {
		t.Errorf("leaderboard trials %v", trials)
	}

	// The table form, and a third run that has nothing left to do.
	args := sweepArgs(runs)
	code, stdout, third := call(t, args[:len(args)-1]...)
	if code != 0 || strings.Count(third, "finished before") != 6 || !strings.HasPrefix(stdout, "RANK  TRIAL  DROPOUT  LR") {
		t.Errorf("third sweep: exit %d\n%s\n%s", code, stdout, third)
	}
}

func TestSweepGridAndRandom(t *testing.T) {
	runs := t.TempDir()
	// Layer sizes by "/" and by repeating the flag; duplicates once.
	code, out, errs := call(t, "sweep", "--runs", runs, "--epochs", "2", "--batch", "32", "--hidden", "8/4,4", "--hidden", "8",
		"--seed", "1,2", "--trials", "3", "--search-seed", "5", "--name", "arch", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "sweep arch: 3 trials drawn at random (seed 5) from a grid of 4, runs in ") {
		t.Errorf("no plan line:\n%s", errs)
	}
	var board []lab.BoardEntry
	json.Unmarshal([]byte(out), &board)
	if len(board) != 3 {
		t.Fatalf("%d trials", len(board))
	}
	seen := map[string]bool{}
	for _, b := range board {
		k := fmt.Sprint(b.Settings["hidden"], " ", b.Settings["seed"])
		if _, isList := b.Settings["hidden"].([]any); seen[k] || !isList || len(b.Settings) < 2 {
			t.Errorf("trial %+v repeated or unnamed", b.Settings)
		}
		seen[k] = true
		if !strings.Contains(filepath.Base(b.Run), "-iris-arch-t0") {
			t.Errorf("run name %s", b.Run)
		}
	}
	// The same seed draws the same trials: nothing new to run.
	code, _, errs = call(t, "sweep", "--runs", runs, "--epochs", "2", "--batch", "32", "--hidden", "8/4,4", "--hidden", "8",
		"--seed", "1,2", "--trials", "3", "--search-seed", "5", "--name", "arch")
	if code != 0 || strings.Count(errs, "finished before") != 3 {
		t.Errorf("same draw again: exit %d\n%s", code, errs)
	}
	// The grid, first flag slowest: trials of the random search are reused.
	code, _, errs = call(t, "sweep", "--runs", runs, "--epochs", "2", "--batch", "32", "--hidden", "8/4,4", "--hidden", "8",
		"--seed", "1,2", "--name", "arch")
	if code != 0 || strings.Count(errs, "finished before") != 3 || strings.Count(errs, "new run") != 1 {
		t.Errorf("grid after the draw: exit %d\n%s", code, errs)
	}
	for i, want := range []string{"trial 1/4 hidden=8 seed=1", "trial 2/4 hidden=8 seed=2", "trial 3/4 hidden=4,4 seed=1", "trial 4/4 hidden=4,4 seed=2"} {
		if !strings.Contains(errs, want) {
			t.Errorf("trial %d: no %q in\n%s", i+1, want, errs)
		}
	}
}

// TestSweepSIGINT interrupts a real sweep process: exit 130 with the
// trial saved as interrupted; the same command resumes it.
func TestSweepSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	runs := t.TempDir()
	var dir string
	for round, want := range []string{": new run ", ": resuming "} {
		started := func(line string) bool {
			if !strings.Contains(line, want) {
				return false
			}
			time.Sleep(100 * time.Millisecond) // into the training
			return true
		}
		code, _, lines := interruptAt(t, os.Interrupt, started, "sweep", "--runs", runs, "--epochs", "100000", "--hidden", "16", "--batch", "8", "--lr", "1e-3,1e-2")
		if code != 130 {
			t.Fatalf("round %d: exit %d, want 130\n%s", round+1, code, strings.Join(lines, "\n"))
		}
		recs, _ := trainer.ListRuns(runs)
		if len(recs) != 1 || recs[0].Status != trainer.StatusInterrupted {
			t.Fatalf("round %d: runs %+v", round+1, recs)
		}
		if dir != "" && recs[0].Dir != dir {
			t.Errorf("round 2 trained %s, not the interrupted %s", recs[0].Dir, dir)
		}
		dir = recs[0].Dir
	}
}

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

// The sweep's leaderboard fits a narrow terminal too: the rank, the swept
// settings and the accuracies stay.
func TestLeaderboardFitsTheTerminal(t *testing.T) {
	acc := func(v float64) *float64 { return &v }
	board := []lab.BoardEntry{
		{Rank: 1, Trial: 3, Run: "runs/20261129-092718-iris-lr-drop-t03", Status: "done", BestValAccuracy: acc(1), TestAccuracy: acc(0.9667),
			Epochs: 20, TrainSeconds: 0.4, Values: []string{"0.01", "0.2"}},
		{Rank: 2, Trial: 1, Run: "runs/20261129-092717-iris-lr-drop-t01", Status: "interrupted", BestValAccuracy: acc(0.9167),
			Epochs: 7, TrainSeconds: 0.1, Values: []string{"0.001", "0"}},
	}
	diffs := []trainer.Difference{{Field: "lr"}, {Field: "dropout"}}
	var out, errb bytes.Buffer
	printLeaderboard(&env{stdout: &out, stderr: &errb, stdoutWidth: 60}, board, diffs)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want a header and 2:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 60 {
			t.Errorf("line %d wide: %q", n, l)
		}
	}
	for _, col := range []string{"RANK", "LR", "DROPOUT", "BEST VAL ACC", "TEST ACC", "STATUS"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	if f := strings.Fields(lines[1]); f[0] != "1" || f[1] != "0.01" || f[2] != "0.2" {
		t.Errorf("first row %q, want rank 1 with lr 0.01 and dropout 0.2", lines[1])
	}
	if !strings.Contains(errb.String(), "left out to fit: trial") || !strings.Contains(errb.String(), "--json has all") {
		t.Errorf("stderr %q does not say what was left out", errb.String())
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
