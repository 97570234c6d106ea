package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mlptui/mlptui/internal/quietstart"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// TestMain lets the test binary stand in for mlptui itself: with
// MLPTUI_BE_MAIN set it runs main, so tests can start real processes and
// send them signals.
func TestMain(m *testing.M) {
	if os.Getenv("MLPTUI_BE_MAIN") == "1" {
		main()
		return
	}
	quietstart.Restore()
	os.Exit(m.Run())
}

// call runs one command line in-process and returns its exit code and
// output.
func call(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &env{stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

// quick are flags for a fast Iris run.
func quick(runs string) []string {
	return []string{"--runs", runs, "--hidden", "32", "--epochs", "5", "--batch", "16", "--lr", "0.01", "--val-split", "0.1"}
}

func TestTrainJSONAndClassify(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := call(t, append([]string{"train", "--dataset", "iris", "--seed", "3", "--json"}, quick(runs)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"run", "dataset", "epochs", "test_accuracy", "test_loss", "best_val_accuracy", "train_seconds", "samples_per_second"} {
		if _, ok := s[k]; !ok {
			t.Errorf("--json output lacks %q", k)
		}
	}
	if strings.Contains(errs, "\r") || strings.Contains(errs, "\033") {
		t.Errorf("progress to a non-terminal has carriage returns or escapes: %q", errs)
	}
	if n := strings.Count(errs, "\nepoch "); n != 5 {
		t.Errorf("%d epoch lines on stderr, want 5:\n%s", n, errs)
	}
	dir := s["run"].(string)

	code, out, errs = call(t, "classify", "--run", dir, "--top", "2", "--json", "5.1,3.5,1.4,0.2", "6.9,3.1,5.4,2.1")
	if code != 0 {
		t.Fatalf("classify exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("classify --json printed %d lines", len(lines))
	}
	var p lab.Prediction
	if err := json.Unmarshal([]byte(lines[0]), &p); err != nil || p.Class != "Iris-setosa" || len(p.Top) != 2 || p.Input != "5.1,3.5,1.4,0.2" {
		t.Errorf("first prediction %+v (%v)", p, err)
	}

	// Human output, and flags after the inputs.
	code, out, _ = call(t, "classify", "5.1,3.5,1.4,0.2", "--run", dir)
	if code != 0 || !strings.HasPrefix(out, "5.1,3.5,1.4,0.2\tIris-setosa\t") {
		t.Errorf("classify: exit %d, %q", code, out)
	}

	// eval measures the saved model on the same test split: the summary's figure.
	code, out, errs = call(t, "eval", "--run", dir, "--json")
	var ev trainer.Evaluation
	if err := json.Unmarshal([]byte(out), &ev); code != 0 || err != nil {
		t.Fatalf("eval: exit %d, %v: %s", code, err, errs)
	}
	if ev.Accuracy != s["test_accuracy"].(float64) || ev.Samples != 30 || len(ev.PerClass) != 3 {
		t.Errorf("eval accuracy %v on %d samples, train said %v", ev.Accuracy, ev.Samples, s["test_accuracy"])
	}
	total := 0
	for _, row := range ev.Confusion {
		for _, v := range row {
			total += v
		}
	}
	if total != 30 {
		t.Errorf("confusion matrix counts %d samples", total)
	}

	code, out, _ = call(t, "runs", "--runs", runs)
	if code != 0 || !strings.Contains(out, filepath.Base(dir)) || !strings.Contains(out, "done") {
		t.Errorf("runs: exit %d\n%s", code, out)
	}
}

func TestBadInput(t *testing.T) {
	runs := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "Usage"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"; see 'mlptui -h'`},
		{[]string{"trian"}, 2, `unknown command "trian" (did you mean train?)`},
		{[]string{"Plots"}, 2, `unknown command "Plots" (did you mean plot?)`},
		{[]string{"train", "--lr", "abc"}, 2, `"abc" is not a number`},
		{[]string{"train", "--dropout", "1.5"}, 2, "--dropout: 1.5"},
		{[]string{"train", "--hidden", "10,x"}, 2, `"10,x" is not a list`},
		{[]string{"train", "--hidden", "10,-3"}, 2, "--hidden: layer 2 has -3 units"},
		{[]string{"train", "--epochs", "0"}, 2, "--epochs: 0"},
		{[]string{"train", "--preset", "nope"}, 2, `mlptui train: --preset nope: unknown preset "nope" (have `},
		{[]string{"train", "--bogus"}, 2, "unknown flag --bogus"},
		{[]string{"train", "--lr"}, 2, "--lr needs a value"},
		{[]string{"train", "--augment=maybe"}, 2, `--augment maybe: "maybe" is not true or false`},
		{[]string{"classify", "--run", "x", "--top", "y", "1"}, 2, `--top y: "y" is not a number`},
		{[]string{"--lr", "abc"}, 2, `mlptui tui: --lr abc: "abc" is not a number`}, // flags alone: the dashboard's
		{[]string{"train", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"train", "--runs", runs, "--dataset", "/no/such/data.csv"}, 2, "--dataset /no/such/data.csv: no such file"},
		{[]string{"train", "--runs", runs, "--dataset", "nope"}, 2, "mlptui train: --dataset nope: no such file or directory (want iris, cifar10, circles, gauss, moons, spiral, xor, a folder of images or a .csv file)"},
		{[]string{"sweep", "--runs", runs, "--dataset", "nope", "--lr", "1e-3,1e-2"}, 2, "--dataset nope: no such file"},
		{[]string{"train", "--resume", "/no/such/run"}, 1, "mlptui train: --resume /no/such/run: no such file or directory"},
		{[]string{"train", "--resume", runs}, 1, runs + ": not a run directory (it has no config.json)"},
		{[]string{"train", "--resume", "/x", "--lr", "1"}, 2, "--resume takes only --epochs and --data-dir"},
		{[]string{"classify", "1,2,3,4"}, 2, "--run is required"},
		{[]string{"classify", "--run", "/no/such/run", "1,2,3,4"}, 1, "/no/such/run"},
		{[]string{"classify", "--run", runs}, 2, "no INPUT"},
		{[]string{"classify", "--run", runs, "--top", "0", "1"}, 2, "--top 0"},
		{[]string{"runs", "--runs", "/no/such/dir"}, 1, "mlptui runs: --runs /no/such/dir: no such file or directory"},
		{[]string{"eval"}, 2, "--run is required"},
		{[]string{"eval", "--run", "/no/such/run"}, 1, "mlptui eval: --run /no/such/run: no such file or directory"},
		{[]string{"eval", "--run", runs}, 1, runs + ": not a run directory (it has no config.json)"},
		{[]string{"classify", "--run", runs, "1,2,3,4"}, 1, "no model.safetensors in it"},
	}
	for _, c := range cases {
		code, _, errs := call(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
		if len(c.args) > 0 && strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: stderr %q is more than one line", c.args, errs)
		}
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
			t.Errorf("%v: stack trace on stderr", c.args)
		}
	}
}

// TestUsageOnce: -h prints the flags once; a bad flag prints only the
// error, on stderr.
// mlptui --version is mlptui version, as many tools have it.
func TestVersionFlag(t *testing.T) {
	_, want, _ := call(t, "version")
	for _, a := range []string{"--version", "-version"} {
		if code, out, errs := call(t, a); code != 0 || out != want || !strings.HasPrefix(out, "mlptui ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q", a, code, out, errs, want)
		}
	}
}

func TestUsageOnce(t *testing.T) {
	code, out, _ := call(t, "train", "-h")
	if n := strings.Count(out, "Usage: mlptui train"); code != 0 || n != 1 {
		t.Errorf("train -h: exit %d, usage printed %d times", code, n)
	}
	code, out, errs := call(t, "train", "--bogus")
	if code != 2 || out != "" || errs != "mlptui train: unknown flag --bogus; see 'mlptui train -h'\n" {
		t.Errorf("train --bogus: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestClassifyBadInputs(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := call(t, append([]string{"train", "--json"}, quick(runs)...)...)
	if code != 0 {
		t.Fatal(errs)
	}
	var s trainer.Summary
	json.Unmarshal([]byte(out), &s)
	code, out, errs = call(t, "classify", "--run", s.Run, "1,2,3", "5.1,3.5,1.4,0.2", "1,2,x,4", "-1,2,3,NaN")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "5.1,3.5,1.4,0.2\t") {
		t.Errorf("the good input was not classified: %q", out)
	}
	for _, want := range []string{"1,2,3: 3 values, the model takes 4", `1,2,x,4: value 3, "x"`, `-1,2,3,NaN: value 4`, "3 of 4 inputs could not be classified"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestInterruptSavesAndExits130 starts a real process, sends SIGINT
// during training, and expects exit 130 with a complete run directory.
func TestInterruptSavesAndExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	runs := t.TempDir()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		code, stdout, stderr := interruptAt(t, sig, epochLine(2), "train", "--runs", runs, "--epochs", "100000", "--hidden", "64", "--batch", "8")
		if code != 130 {
			t.Errorf("%v: exit %d, want 130", sig, code)
		}
		dir := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(stdout, "\n", 2)[0], "run"))
		if last := stderr[len(stderr)-1]; last != "to go on: mlptui train --resume "+dir {
			t.Errorf("%v: stderr ends %q, want how to resume", sig, last)
		}
		s, err := trainer.ReadSummary(dir)
		if err != nil || s.Status != trainer.StatusInterrupted {
			t.Fatalf("%v: summary %+v, %v", sig, s, err)
		}
		for _, f := range []string{trainer.ConfigFile, trainer.MetricsFile, trainer.EventsFile, trainer.ModelFile, trainer.CheckpointFile} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%v: %v", sig, err)
			}
		}
	}
}

// interruptAt starts mlptui (this test binary standing in for it) with
// args, sends sig once a line of its stderr satisfies at, and waits up to
// 30 s for it to exit. It returns the exit code, stdout and every line of
// stderr.
func interruptAt(t *testing.T, sig os.Signal, at func(line string) bool, args ...string) (code int, stdout string, stderr []string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pipe)
		sent := false
		for sc.Scan() {
			stderr = append(stderr, sc.Text())
			if !sent && at(sc.Text()) {
				cmd.Process.Signal(sig)
				sent = true
			}
		}
		cmd.Wait()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v, %v: no exit within 30 s", args, sig)
	}
	return cmd.ProcessState.ExitCode(), out.String(), stderr
}

// epochLine matches the progress line of epoch n.
func epochLine(n int) func(string) bool {
	prefix := fmt.Sprintf("epoch %d/", n)
	return func(line string) bool { return strings.HasPrefix(line, prefix) }
}

// TestTrainDiverged: a run whose loss overflows exits 1 with one line
// saying so (not also a progress line with the same words), and still
// prints its summary.
func TestTrainDiverged(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := call(t, "train", "--dataset", "iris", "--runs", runs, "--preset", "default",
		"--optimizer", "sgd", "--lr", "10", "--epochs", "50")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "mlptui train: loss became") || !regexp.MustCompile(`, (after epoch \d+|in epoch 1 \(none complete\));`).MatchString(last) || !strings.Contains(last, "; kept ") {
		t.Errorf("last line %q, want the divergence", last)
	}
	if n := strings.Count(errs, "loss became"); n != 1 {
		t.Errorf("the divergence is told %d times:\n%s", n, errs)
	}
	if !strings.Contains(out, "status     diverged") {
		t.Errorf("summary:\n%s", out)
	}
}

// TestTrainInterruptedWhileLoading: an interrupt before training begins
// (here, before the data is read) exits 130 and says nothing was saved.
func TestTrainInterruptedWhileLoading(t *testing.T) {
	runs := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, &env{stdout: &out, stderr: &errb}, []string{"train", "--dataset", "iris", "--runs", runs})
	if code != 130 || !strings.Contains(errb.String(), "interrupted before training began; no run was saved") {
		t.Errorf("exit %d, stderr %q; want 130 and that nothing was saved", code, errb.String())
	}
	if ents, _ := os.ReadDir(runs); len(ents) != 0 {
		t.Errorf("runs directory holds %d entries", len(ents))
	}
}

// Every command's -h fits an 80-column terminal and lists each flag as it
// is typed, with its default where it has one.
func TestHelpFitsEighty(t *testing.T) {
	for _, c := range commands {
		if c.name == "version" {
			continue
		}
		code, out, _ := call(t, c.name, "-h")
		if code != 0 || !strings.HasPrefix(out, "Usage: mlptui "+c.name) {
			t.Errorf("%s -h: exit %d:\n%s", c.name, code, out)
			continue
		}
		for i, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > 80 {
				t.Errorf("%s -h: line %d is %d wide: %q", c.name, i+1, n, l)
			}
		}
	}
	_, out, _ := call(t, "help")
	for i, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("help: line %d is %d wide: %q", i+1, n, l)
		}
	}
	_, out, _ = call(t, "runs", "-h")
	for _, want := range []string{"\n  --runs dir\n      directory of saved runs (default \"runs\")\n", "\n  --sort column\n", "\n  --json\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs -h lacks %q:\n%s", want, out)
		}
	}
	if _, out, _ := call(t, "plot", "-h"); !strings.Contains(out, "\n  -o file\n") {
		t.Errorf("plot -h does not list -o:\n%s", out)
	}
	// The hyperparameter flags say what they take.
	_, out, _ = call(t, "train", "-h")
	for _, want := range []string{"\n  --optimizer adam|sgd\n", "\n  --lr number\n", "\n  --hidden sizes\n", "\n  --dataset name|path\n", "\n  --augment\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("train -h lacks %q", want)
		}
	}
}

// /dev/null is a character device but no terminal: the dashboard must not
// start on it, nor live progress lines be written to it.
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if isTerminal(f) || termWidth(f) != 0 {
		t.Errorf("%s taken for a terminal", os.DevNull)
	}
}

// TestHelpForms: every way of asking for help prints usage and exits 0;
// "help -h" once recursed without end. Each line runs in a child process so
// a recursion cannot take the test binary down with it.
func TestHelpForms(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // a prefix of stdout
	}{
		{[]string{"help"}, "mlptui trains"},
		{[]string{"-h"}, "mlptui trains"},
		{[]string{"--help"}, "mlptui trains"},
		{[]string{"help", "-h"}, "mlptui trains"},
		{[]string{"help", "--help"}, "mlptui trains"},
		{[]string{"help", "-help"}, "mlptui trains"},
		{[]string{"-h", "-h"}, "mlptui trains"},
		{[]string{"help", "help"}, "mlptui trains"},
		{[]string{"help", "help", "-h"}, "mlptui trains"},
		{[]string{"help", "train"}, "Usage: mlptui train"},
		{[]string{"--help", "runs"}, "Usage: mlptui runs"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, os.Args[0], tc.args...)
		cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		cancel()
		if err != nil || !strings.HasPrefix(out.String(), tc.want) {
			t.Errorf("mlptui %s: %v; stdout %.60q, stderr %.200q; want stdout starting %q",
				strings.Join(tc.args, " "), err, out.String(), errb.String(), tc.want)
		}
	}
	if code, _, errs := call(t, "help", "bogus"); code != 2 || !strings.Contains(errs, `unknown command "bogus"`) {
		t.Errorf("help bogus: exit %d, stderr %q; want 2 naming the command", code, errs)
	}
}

// TestBrokenPipeSavesTheRun is `mlptui train --epochs 100000 2>&1 | head
// -3`: the reader of stdout and stderr goes away after three lines, and
// the run must be saved as interrupted (exit 130), not killed by SIGPIPE,
// and resume.
func TestBrokenPipeSavesTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	runs := t.TempDir()
	cmd := exec.Command(os.Args[0], "train", "--runs", runs, "--epochs", "100000", "--hidden", "16", "--batch", "8")
	cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	sc := bufio.NewScanner(r)
	for i := 0; i < 3 && sc.Scan(); i++ { // head -3
	}
	r.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit within 30 s of the pipe closing")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d", code, cmd.ProcessState, exitInterrupted)
	}
	recs, err := trainer.ListRuns(runs)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d runs, %v", len(recs), err)
	}
	s := recs[0].Summary
	if recs[0].Status != trainer.StatusInterrupted || s == nil || s.Epochs < 1 {
		t.Fatalf("run %s: %s, %+v", recs[0].Dir, recs[0].Status, s)
	}
	if code, _, errs := call(t, "train", "--resume", recs[0].Dir, "--epochs", strconv.Itoa(s.Epochs+1)); code != 0 {
		t.Errorf("resume: exit %d\n%s", code, errs)
	}
}
