package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/internal/shard"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// Test hooks for the processes the tests below start (the test binary
// standing in for mlptui, MLPTUI_BE_MAIN=1): MLPTUI_TEST_HOST makes the
// process's locks and runs name that host, a stand-in for another
// machine; MLPTUI_TEST_CHECKPOINT makes a sweep's trials save a
// checkpoint at every epoch end at least that far apart (a Go duration).
func init() {
	if os.Getenv("MLPTUI_BE_MAIN") != "1" {
		return
	}
	if h := os.Getenv("MLPTUI_TEST_HOST"); h != "" {
		runlock.SetDefaults(runlock.Options{Host: h})
	}
	if d, err := time.ParseDuration(os.Getenv("MLPTUI_TEST_CHECKPOINT")); err == nil {
		sweepOptions = func(int) trainer.Options { return trainer.Options{CheckpointEvery: d, WriteEvery: d} }
	}
}

// lockedBuffer collects a process's output (or what a child writes to its
// terminal) while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Len is how many bytes have come.
func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// twelve is a sweep of a 12-trial grid of quick Iris trials.
func twelve(runs string, extra ...string) []string {
	return append([]string{"sweep", "--runs", runs, "--name", "grid", "--hidden", "8", "--epochs", "3", "--batch", "16",
		"--lr", "1e-3,3e-3,1e-2", "--dropout", "0,0.1,0.2,0.3"}, extra...)
}

// mlptuiCmd is the test binary as mlptui, with more environment.
func mlptuiCmd(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// starts counts the start and resume events of a run.
func starts(t *testing.T, dir string) (start, resume int) {
	t.Helper()
	events, err := trainer.ReadEvents(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		switch e.Event {
		case "start":
			start++
		case "resume":
			resume++
		}
	}
	return start, resume
}

var trialLine = regexp.MustCompile(`(?m)^trial (\d+)/12 .*: new run `)

// TestShardsTrainEachTrialOnce: N processes with --shard K/N (N 1, 2, 3
// and 5), started at once in a random order, train each trial of a
// 12-trial grid exactly once, each process the trials K, K+N, ...; the
// leaderboard of any of them, and --leaderboard after, lists all 12.
func TestShardsTrainEachTrialOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 11 processes")
	}
	for _, n := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			runs := t.TempDir()
			order := rand.Perm(n)
			cmds := make([]*exec.Cmd, n)
			outs := make([]*lockedBuffer, n)
			for _, i := range order {
				cmds[i] = mlptuiCmd(nil, twelve(runs, "--shard", fmt.Sprintf("%d/%d", i+1, n))...)
				outs[i] = &lockedBuffer{}
				cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
				if err := cmds[i].Start(); err != nil {
					t.Fatal(err)
				}
			}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Fatalf("shard %d/%d: %v\n%s", i+1, n, err, outs[i])
				}
			}
			for i, out := range outs {
				var got []int
				for _, m := range trialLine.FindAllStringSubmatch(out.String(), -1) {
					k, _ := strconv.Atoi(m[1])
					got = append(got, k)
				}
				if want := (shard.Shard{K: i + 1, N: n}).Trials(12); !slices.Equal(got, want) {
					t.Errorf("shard %d/%d trained trials %v, want %v\n%s", i+1, n, got, want, out)
				}
			}
			checkTrainedOnce(t, runs, 12)
			code, stdout, errs := call(t, twelve(runs, "--leaderboard", "--json")...)
			if code != 0 {
				t.Fatalf("--leaderboard: exit %d: %s", code, errs)
			}
			var board []lab.BoardEntry
			if err := json.Unmarshal([]byte(stdout), &board); err != nil || len(board) != 12 {
				t.Fatalf("--leaderboard: %d entries (%v), want 12:\n%s", len(board), err, stdout)
			}
			host := runlock.Hostname()
			for _, b := range board {
				if b.Status != trainer.StatusDone || b.Host != host {
					t.Errorf("trial %d: %s on %q", b.Trial, b.Status, b.Host)
				}
			}
			if strings.Contains(errs, "no run yet") || strings.Contains(errs, "new run") {
				t.Errorf("--leaderboard trained or missed trials:\n%s", errs)
			}
		})
	}
}

// checkTrainedOnce checks that runs holds exactly trials runs, done, of
// distinct settings, each started once and never resumed.
func checkTrainedOnce(t *testing.T, runs string, trials int) {
	t.Helper()
	recs, err := trainer.ListRuns(runs)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != trials {
		t.Fatalf("%d runs for %d trials", len(recs), trials)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Status != trainer.StatusDone || r.Config == nil {
			t.Errorf("%s is %s", r.Dir, r.Status)
			continue
		}
		key := trainer.SettingsKey(r.Config)
		if seen[key] {
			t.Errorf("two runs of the settings of %s", r.Dir)
		}
		seen[key] = true
		if s, res := starts(t, r.Dir); s != 1 || res != 0 {
			t.Errorf("%s: started %d times, resumed %d times", r.Dir, s, res)
		}
	}
}

// TestPlanAndTrial: --plan lists the trials as JSON lines (a shard's only
// with --shard), and --trial I trains exactly the trial --plan numbers I.
func TestPlanAndTrial(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := call(t, twelve(runs, "--plan")...)
	if code != 0 {
		t.Fatalf("--plan: exit %d: %s", code, errs)
	}
	var plan []lab.PlanLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l lab.PlanLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("--plan line %q: %v", sc.Text(), err)
		}
		plan = append(plan, l)
	}
	if len(plan) != 12 {
		t.Fatalf("--plan: %d lines, want 12", len(plan))
	}
	for i, l := range plan {
		if l.Trial != i+1 || l.Trials != 12 || l.Sweep != "grid" || len(l.Settings) != 2 || l.Config["lr"] != l.Settings["lr"] {
			t.Errorf("--plan line %d: %+v", i+1, l)
		}
	}
	if recs, _ := trainer.ListRuns(runs); len(recs) != 0 {
		t.Fatalf("--plan trained %d runs", len(recs))
	}
	code, out, _ = call(t, twelve(runs, "--plan", "--shard", "2/5")...)
	if got := strings.Count(out, "\n"); code != 0 || got != 3 || !strings.Contains(out, `"trial":7,`) || !strings.Contains(out, `"trial":12,`) {
		t.Errorf("--plan --shard 2/5: exit %d, %d lines:\n%s", code, got, out)
	}

	code, _, errs = call(t, twelve(runs, "--trial", "7")...)
	if code != 0 {
		t.Fatalf("--trial 7: exit %d: %s", code, errs)
	}
	recs, err := trainer.ListRuns(runs)
	if err != nil || len(recs) != 1 || recs[0].Config == nil {
		t.Fatalf("--trial 7: %d runs (%v)", len(recs), err)
	}
	c := recs[0].Config
	if c.Name != plan[6].Name || c.LR != plan[6].Settings["lr"] || c.Dropout != plan[6].Settings["dropout"] {
		t.Errorf("--trial 7 trained %s lr %v dropout %v; the plan's 7th is %+v", c.Name, c.LR, c.Dropout, plan[6])
	}
	code, _, errs = call(t, twelve(runs, "--leaderboard")...)
	if code != 0 || !strings.Contains(errs, "11 of 12 trials have no run yet") {
		t.Errorf("--leaderboard after one trial: exit %d:\n%s", code, errs)
	}
}

// TestShardAuto: --shard auto takes K and N from a Slurm array task's
// variables, auto/N from a Kubernetes Indexed Job's index.
func TestShardAuto(t *testing.T) {
	defer func(l shard.Lookup) { lookupEnv = l }(lookupEnv)
	for _, tc := range []struct {
		v    string
		env  map[string]string
		want string
	}{
		{"auto", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"}, `"trial":3,`},
		{"auto", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, `"trial":4,`},
		{"auto/4", map[string]string{"JOB_COMPLETION_INDEX": "0"}, `"trial":1,`},
	} {
		lookupEnv = func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
		code, out, errs := call(t, twelve(t.TempDir(), "--plan", "--shard", tc.v)...)
		if code != 0 || strings.Count(out, "\n") != 3 || !strings.HasPrefix(out, "{"+tc.want) {
			t.Errorf("--shard %s %v: exit %d %s\n%s", tc.v, tc.env, code, errs, out)
		}
	}
}

// TestSweepClusterBadInput: each bad --shard, --trial or --stale-after,
// and the flags that exclude each other, get one line naming the flag
// and exit 2, training nothing.
func TestSweepClusterBadInput(t *testing.T) {
	defer func(l shard.Lookup) { lookupEnv = l }(lookupEnv)
	lookupEnv = func(string) (string, bool) { return "", false } // no engine
	runs := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "0/4"}, "--shard 0/4: shard 0 of 4"},
		{[]string{"--shard", "5/4"}, "--shard 5/4: shard 5 of 4"},
		{[]string{"--shard", "1/0"}, "--shard 1/0: 0 shards"},
		{[]string{"--shard", "abc"}, "--shard abc: want K/N"},
		{[]string{"--shard", "auto"}, "--shard auto: auto, but neither SLURM_ARRAY_TASK_ID"},
		{[]string{"--shard", "auto/4"}, "--shard auto/4: auto, but neither"},
		{[]string{"--shard", ""}, "--shard : want K/N"},
		{[]string{"--trial", "13"}, "--trial 13: want 1 to 12"},
		{[]string{"--trial", "-1"}, "--trial -1: want 1 to 12"},
		{[]string{"--trial", "x"}, `--trial x: "x" is not a number`},
		{[]string{"--trial", "2", "--shard", "1/2"}, "--trial and --shard: choose one"},
		{[]string{"--plan", "--leaderboard"}, "--plan and --leaderboard: choose one"},
		{[]string{"--stale-after", "0s"}, "--stale-after 0s: want a duration above 0"},
		{[]string{"--stale-after", "5"}, "--stale-after 5: want a duration above 0"},
		{[]string{"--stale-after", "-1m"}, "--stale-after -1m: want a duration above 0"},
	} {
		code, out, errs := call(t, twelve(runs, tc.args...)...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 and one line with %q", tc.args, code, errs, out, tc.want)
		}
	}
	if recs, _ := trainer.ListRuns(runs); len(recs) != 0 {
		t.Errorf("bad input trained %d runs", len(recs))
	}
	// --leaderboard needs no engine: the same command with --shard auto
	// ranks the whole sweep.
	if code, _, errs := call(t, twelve(runs, "--shard", "auto", "--leaderboard")...); code != 0 {
		t.Errorf("--shard auto --leaderboard: exit %d: %s", code, errs)
	}
}

// startKilledMidTrial starts a one-trial sweep (as host, if not "") and
// kills it with SIGKILL once its run has a checkpoint of at least two
// epochs. It returns the run's directory.
func startKilledMidTrial(t *testing.T, runs, host string, args []string) string {
	t.Helper()
	env := []string{"MLPTUI_TEST_CHECKPOINT=50ms"}
	if host != "" {
		env = append(env, "MLPTUI_TEST_HOST="+host)
	}
	cmd := mlptuiCmd(env, args...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("the sweep ended before it was killed:\n%s", out.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no checkpoint within 60 s:\n%s", out.String())
		case <-time.After(5 * time.Millisecond):
		}
		recs, _ := trainer.ListRuns(runs)
		if len(recs) != 1 || recs[0].Summary == nil || recs[0].Summary.Epochs < 2 {
			continue
		}
		if _, err := os.Stat(filepath.Join(recs[0].Dir, trainer.CheckpointFile)); err != nil {
			continue
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return recs[0].Dir
	}
}

// slowTrial is a sweep of one trial long enough to be killed in.
func slowTrial(runs string, extra ...string) []string {
	return append([]string{"sweep", "--runs", runs, "--name", "slow", "--hidden", "64", "--epochs", "3000", "--batch", "8",
		"--lr", "1e-3,1e-2", "--shard", "1/2"}, extra...)
}

// checkResumed checks that the run was resumed once, from a checkpoint
// after its first epoch, and finished every epoch (each epoch's metrics
// row once) on host.
func checkResumed(t *testing.T, dir, host string, out string) {
	t.Helper()
	if !regexp.MustCompile(`resuming .* \(crashed after epoch [1-9]\d*\)`).MatchString(out) {
		t.Errorf("not resumed from its checkpoint:\n%s", out)
	}
	if s, r := starts(t, dir); s != 1 || r != 1 {
		t.Errorf("started %d times, resumed %d times; want once each", s, r)
	}
	rec := trainer.ReadRun(dir)
	if rec.Status != trainer.StatusDone || rec.Summary.Epochs != 3000 || rec.Summary.Host != host {
		t.Errorf("%s after %d epochs on %q, want done after 3000 on %q", rec.Status, rec.Summary.Epochs, rec.Summary.Host, host)
	}
	rows, err := trainer.ReadMetrics(dir)
	if err != nil || len(rows) != 3000 {
		t.Fatalf("%d metrics rows (%v), want 3000", len(rows), err)
	}
	for i, r := range rows {
		if r.Epoch != i+1 {
			t.Fatalf("metrics row %d is epoch %d", i+1, r.Epoch)
		}
	}
}

// TestShardKilledResumes: a shard killed in the middle of a trial
// (SIGKILL: no chance to save) and started again takes its own lock over
// at once (this host, its process gone) and resumes the trial from its
// checkpoint.
func TestShardKilledResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for seconds")
	}
	runs := t.TempDir()
	dir := startKilledMidTrial(t, runs, "", slowTrial(runs))
	cmd := mlptuiCmd(nil, slowTrial(runs)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("started again: %v\n%s", err, out)
	}
	checkResumed(t, dir, runlock.Hostname(), string(out))
}

// TestOtherHostsTrial: a trial whose holder ran on another host (a
// stand-in host name; killed, so it cannot refresh its heartbeat) is left
// alone while the heartbeat is younger than --stale-after, and taken over
// and resumed from its checkpoint once it is older.
func TestOtherHostsTrial(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for seconds")
	}
	runs := t.TempDir()
	dir := startKilledMidTrial(t, runs, "node-a", slowTrial(runs))
	lock := trialLockOf(t, runs)
	st, holder, err := runlock.Check(lock, runlock.Options{StaleAfter: time.Hour})
	if err != nil || st != runlock.Held || holder.Host != "node-a" {
		t.Fatalf("the trial's lock: %v %+v %v", st, holder, err)
	}
	before := trainer.ReadRun(dir).Summary.Epochs
	// The run's own lock, taken a moment after the trial's, goes stale
	// last.
	_, runHolder, err := runlock.Check(filepath.Join(dir, trainer.LockFile), runlock.Options{StaleAfter: time.Hour})
	if err != nil || runHolder.Host != "node-a" {
		t.Fatalf("the run's lock: %+v %v", runHolder, err)
	}
	last := holder.Heartbeat
	if runHolder.Heartbeat.After(last) {
		last = runHolder.Heartbeat
	}

	// Fresh: skipped, the run untouched.
	out, err := mlptuiCmd(nil, slowTrial(runs, "--stale-after", "1h")...).CombinedOutput()
	if err != nil {
		t.Fatalf("fresh: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "running in another process; skipped (process") || !strings.Contains(string(out), "on node-a since") {
		t.Errorf("a fresh lock of another host not left alone:\n%s", out)
	}
	if r := trainer.ReadRun(dir); r.Summary.Epochs != before || r.Summary.Host != "node-a" {
		t.Errorf("the run changed: %d epochs on %s, was %d on node-a", r.Summary.Epochs, r.Summary.Host, before)
	}

	// Stale: the heartbeat is older than --stale-after.
	const stale = 2 * time.Second
	if wait := time.Until(last.Add(stale + 100*time.Millisecond)); wait > 0 {
		time.Sleep(wait)
	}
	out, err = mlptuiCmd(nil, slowTrial(runs, "--stale-after", stale.String())...).CombinedOutput()
	if err != nil {
		t.Fatalf("stale: %v\n%s", err, out)
	}
	checkResumed(t, dir, runlock.Hostname(), string(out))
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("the trial's lock is left behind: %v", err)
	}
}

// trialLockOf finds the one trial lock file in runs.
func trialLockOf(t *testing.T, runs string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(runs, ".sweep-*.lock"))
	if len(m) != 1 {
		t.Fatalf("%d trial locks in %s: %v", len(m), runs, m)
	}
	return m[0]
}
