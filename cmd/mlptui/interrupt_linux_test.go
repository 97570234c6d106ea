package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlptui/mlptui/trainer"
)

// TestRunCommandInterrupt: a read-only command caught in a step that does
// not look at ctx is left behind once the grace has passed, and one that
// stops at ctx's end with an error of its own is reported as interrupted;
// a command that ends by itself keeps its result.
func TestRunCommandInterrupt(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, e *env, args []string) error
		want error
	}{
		{"deaf", func(context.Context, *env, []string) error { <-block; return nil }, errInterrupted},
		{"stops", func(ctx context.Context, _ *env, _ []string) error { <-ctx.Done(); return ctx.Err() }, errInterrupted},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		c := &command{name: tc.name, run: tc.run, readOnly: true}
		if err := runCommand(ctx, c, &env{}, nil); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		cancel()
	}
	failed := errors.New("bad input")
	c := &command{run: func(context.Context, *env, []string) error { return failed }, readOnly: true}
	if err := runCommand(context.Background(), c, &env{}, nil); err != failed {
		t.Errorf("a command's own error: %v", err)
	}
}

// TestCommandsHonourCtrlC sends SIGINT to classify (3 M rows), eval (a
// large table) and runs (many runs) while they work: each must exit 130
// before it is done.
func TestCommandsHonourCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	code, out, errs := call(t, "train", "--runs", runs, "--hidden", "8", "--epochs", "2", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d\n%s", code, errs)
	}
	var s trainer.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	const rows = 300000
	big := filepath.Join(dir, "big.csv")
	f, _ := os.Create(big)
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "sl,sw,pl,pw,species")
	for i := range rows {
		fmt.Fprintf(w, "%d.1,3.5,1.4,0.2,Iris-setosa\n", 4+i%4)
	}
	w.Flush()
	f.Close()
	many := filepath.Join(dir, "many")
	os.MkdirAll(many, 0o755)
	for i := range 2000 {
		os.Mkdir(filepath.Join(many, fmt.Sprintf("r%04d", i)), 0o755)
	}

	for _, tc := range []struct {
		name string
		args []string
		at   func(stdout, stderr string) bool // when to send SIGINT
		done func(stdout string) bool         // what the whole work prints
	}{
		{"classify", []string{"classify", "--run", s.Run, big}, func(o, _ string) bool { return strings.Contains(o, "\n") },
			func(o string) bool { return strings.Count(o, "\n") >= rows }},
		{"eval", []string{"eval", "--run", s.Run, "--dataset", big}, func(_, e string) bool { return strings.Contains(e, "reading") },
			func(o string) bool { return strings.Contains(o, "accuracy") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tc.args...)
			cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			sent := false
			for !sent {
				select {
				case <-exited:
					t.Skipf("%s ended before it could be interrupted (exit %d)", tc.name, cmd.ProcessState.ExitCode())
				case <-time.After(time.Millisecond):
				}
				if tc.at(stdout.String(), stderr.String()) {
					cmd.Process.Signal(syscall.SIGINT)
					sent = true
				}
			}
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("no exit within 30 s of SIGINT")
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("exit %d, want %d\n%s", code, exitInterrupted, stderr.String())
			}
			if tc.done(stdout.String()) {
				t.Errorf("%s did all its work despite SIGINT", tc.name)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := run(ctx, &env{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}, []string{"runs", "--runs", many}); code != exitInterrupted {
		t.Errorf("runs, interrupted: exit %d, want %d", code, exitInterrupted)
	}
}
