package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// completionDir makes a directory with two run directories and the
// script of shell in it, for a shell to complete in.
func completionDir(t *testing.T, shell string) string {
	t.Helper()
	code, script, errs := call(t, "completion", shell)
	if code != 0 {
		t.Fatalf("completion %s: exit %d: %s", shell, code, errs)
	}
	dir := t.TempDir()
	for _, d := range []string{"runs/20261202-051927-iris", "runs/20261202-060000-pets"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "mlptui."+shell), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// completionCases are lines typed and the words a shell must offer (or
// insert) on Tab.
var completionCases = []struct {
	line string
	want []string
}{
	{"mlptui tr", []string{"train"}},
	{"mlptui train --optim", []string{"--optimizer"}},
	{"mlptui sweep --optimizer ", []string{"adam", "sgd"}},
	{"mlptui train --preset iris", []string{"iris", "iris-original"}},
	{"mlptui train --dataset sp", []string{"spiral"}},
	{"mlptui runs --sort best", []string{"best-val-acc", "best_val_accuracy"}},
	{"mlptui completion ", []string{"bash", "fish", "zsh"}},
	{"mlptui train --resume runs/20261202-05", []string{"runs/20261202-051927-iris"}},
	{"mlptui plot runs/20261202-06", []string{"runs/20261202-060000-pets"}},
}

// shellWait bounds the wait for zsh's prompt and for its listing after
// Tab. A run takes under a second on a quiet machine, but the 10 s bound
// it had was sometimes too short on a loaded 2-core machine with the race
// detector, so it is generous: a passing run never waits for it.
const shellWait = 60 * time.Second

// TestCompletionInZsh types each line into an interactive zsh on a
// pseudo-terminal, with the script sourced as README says, presses Tab and
// looks for the words on the screen: zsh runs the bash script through
// bashcompinit, whose arrays count from 1, so only zsh itself can tell.
func TestCompletionInZsh(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("no zsh (apt-get install zsh)")
	}
	dir := completionDir(t, "zsh")
	rc := "autoload -U compinit && compinit -u\nsource " + filepath.Join(dir, "mlptui.zsh") + "\nPS1='%% '\n"
	if err := os.WriteFile(filepath.Join(dir, ".zshrc"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	ansi := regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|[\r\x07]`)
	for _, c := range completionCases {
		master, slave := openPTY(t)
		cmd := exec.Command(zsh, "-i")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ZDOTDIR="+dir, "TERM=xterm", "HOME="+dir)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close()
		var screen lockedBuffer
		go func() { _, _ = io.Copy(&screen, master) }()
		screen.waitFor(t, 0, shellWait, "% ")
		from := screen.Len()
		master.WriteString(c.line + "\t")
		deadline := time.Now().Add(shellWait)
		var got string
		for time.Now().Before(deadline) {
			// The listing is followed by the line drawn again, with no
			// space between: "adam  sgdmlptui sweep ...".
			got = strings.ReplaceAll(ansi.ReplaceAllString(screen.String()[from:], ""), "mlptui ", "\nmlptui ")
			if containsAll(got, c.want) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if !containsAll(got, c.want) {
			t.Errorf("zsh: %q<TAB> shows %q; want %q", c.line, got, c.want)
		}
		master.WriteString("\x03\x04exit\n")
		cmd.Process.Kill()
		cmd.Wait()
		master.Close()
	}
}

// TestCompletionInFish asks fish itself (complete -C) for each line's
// completions, with the script sourced.
func TestCompletionInFish(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("no fish (apt-get install fish)")
	}
	dir := completionDir(t, "fish")
	for _, c := range completionCases {
		cmd := exec.Command(fish, "--no-config", "-c", "source mlptui.fish; complete -C"+fishArg(c.line))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			got = append(got, strings.TrimSuffix(strings.SplitN(l, "\t", 2)[0], "/"))
		}
		if err != nil || !containsAll(strings.Join(got, "\n")+"\n", c.want) {
			t.Errorf("fish: %q<TAB>: %q (%v); want %q", c.line, got, err, c.want)
		}
	}
}

// containsAll reports whether s holds every word of want, each a whole
// word (bounded by space, newline or the ends).
func containsAll(s string, want []string) bool {
	fields := strings.Fields(s)
	for _, w := range want {
		found := false
		for _, f := range fields {
			if f == w || strings.TrimSuffix(f, "/") == w || strings.HasSuffix(f, " "+w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// fishArg quotes s as one fish word.
func fishArg(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
