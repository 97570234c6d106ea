package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
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

// TestEditsShownEverywhere: a run whose lr was edited while it trained
// shows the edit in runs, --csv, --json and plot's legend.
func TestEditsShownEverywhere(t *testing.T) {
	runs := t.TempDir()
	cfg := trainer.Defaults()
	cfg.RunsDir, cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.LR = runs, []int{8}, 100000, 16, 0.01
	r, err := trainer.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var from int64
	for e := range r.Events() {
		switch {
		case e.Kind == trainer.EpochEnd && e.Epoch == 2:
			r.SetLR(0.001)
		case e.Kind == trainer.EditDone:
			from = e.Step + 1
			r.Stop()
		}
	}
	if _, err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	other := trainQuick(t, runs) // not edited
	want := fmt.Sprintf("0.01→0.001@%d", from)

	if code, out, errs := call(t, "runs", "--runs", runs); code != 0 || !strings.Contains(out, want) {
		t.Errorf("runs: exit %d, no %q:\n%s%s", code, want, out, errs)
	}
	_, out, _ := call(t, "runs", "--runs", runs, "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("--csv: %v\n%s", err, out)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	edited := rows[1]
	if rows[2][col["edits"]] != "" {
		edited = rows[2]
	}
	if edited[col["lr"]] != "0.01" || edited[col["lr_at_end"]] != "0.001" || edited[col["edits"]] != "lr "+want {
		t.Errorf("--csv: lr %q, lr_at_end %q, edits %q; want 0.01, 0.001 and %q", edited[col["lr"]], edited[col["lr_at_end"]], edited[col["edits"]], "lr "+want)
	}
	_, out, _ = call(t, "runs", "--runs", runs, "--json")
	var js []trainer.Summary
	if err := json.Unmarshal([]byte(out), &js); err != nil || len(js) != 2 {
		t.Fatalf("--json: %v", err)
	}
	var n int
	for _, s := range js {
		if len(s.Edits) == 1 && s.Edits[0].New == 0.001 && s.Edits[0].Step == from && s.SettingsAtEnd["lr"] == 0.001 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("--json: %d runs with the edit and lr 0.001 at the end, want 1:\n%s", n, out)
	}
	runsDirs, _ := filepath.Glob(filepath.Join(runs, "*"))
	if code, out, errs := call(t, append([]string{"plot"}, runsDirs...)...); code != 0 || !strings.Contains(out, "lr="+want) {
		t.Errorf("plot %v (other %s): exit %d, legend without lr=%s:\n%s%s", runsDirs, other, code, want, out, errs)
	}
}

// TestCompletion: each shell's script names the commands, flags and
// presets; bash itself, given the script, completes commands, flags,
// choices, presets and run directories. A bad shell is a usage error.
func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, errs := call(t, "completion", sh)
		if code != 0 {
			t.Fatalf("completion %s: exit %d: %s", sh, code, errs)
		}
		for _, want := range []string{"train", "sweep", "lr", "iris-original", "cifar10-original", "onecycle", "best_val_accuracy"} {
			if !strings.Contains(out, want) {
				t.Errorf("completion %s lacks %q", sh, want)
			}
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"completion"}, "want one shell: bash, zsh, fish"},
		{[]string{"completion", "tcsh"}, `"tcsh": unknown shell`},
	} {
		if code, _, errs := call(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to try the script in")
	}
	_, script, _ := call(t, "completion", "bash")
	dir := t.TempDir()
	for _, d := range []string{"runs/20261202-051927-iris", "runs/20261202-060000-pets"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "complete.bash"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line string // the words typed; the last one is being completed
		want []string
	}{
		{"mlptui tr", []string{"train"}},
		{"mlptui co", []string{"completion"}},
		{"mlptui train --pre", []string{"--precision", "--preset"}},
		{"mlptui train --preset iris", []string{"iris", "iris-original"}},
		{"mlptui sweep --optimizer ", []string{"adam", "sgd"}},
		{"mlptui train --schedule o", []string{"onecycle"}},
		{"mlptui runs --sort best", []string{"best-val-acc", "best_val_accuracy"}},
		{"mlptui classify --run ", []string{"runs/20261202-051927-iris", "runs/20261202-060000-pets"}},
		{"mlptui plot runs/2026120", []string{"runs/20261202-051927-iris", "runs/20261202-060000-pets"}},
		{"mlptui train --resume runs/20261202-05", []string{"runs/20261202-051927-iris"}},
		{"mlptui help sw", []string{"sweep"}},
		{"mlptui completion ", []string{"bash", "fish", "zsh"}},
		{"mlptui train --dataset sp", []string{"spiral"}},
		{"mlptui runs --sort status", []string{"status"}}, // named once, not twice
	} {
		words := strings.Split(c.line, " ")
		prog := fmt.Sprintf(`source complete.bash; COMP_WORDS=(%s); COMP_CWORD=%d; _mlptui; printf '%%s\n' "${COMPREPLY[@]}" | sort`,
			quoteBashWords(words), len(words)-1)
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		got := strings.Fields(string(out))
		if err != nil || strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q<TAB>: %q (%v), want %q", c.line, got, err, c.want)
		}
	}
}

// quoteBashWords writes words as a bash array's elements.
func quoteBashWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
