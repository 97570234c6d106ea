package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mlptui/mlptui/trainer"
)

// hostileNames are class names as an attacker writes them in a CSV
// table: a window title (OSC 0), a screen clear, a C1 CSI, a bidi
// override (a table must be UTF-8: a byte that is not is refused when it
// is read, and internal/termsafe's tests cover it).
var hostileNames = []string{"a\x1b]0;TITLE\x07", "x\x1b[2Jy", "c\u009b2J", "d\u202eevil"}

// terminalUnsafe returns the first character of out a terminal would act
// on rather than show (tab and newline are the commands' own), or "".
func terminalUnsafe(out string) string {
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return fmt.Sprintf("byte %#x at %d", out[i], i)
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e:
			return fmt.Sprintf("%U at %d", r, i)
		}
		i += n
	}
	return ""
}

// TestHostileNamesShownEscaped trains on a table whose class names hold
// terminal escapes, in a run directory renamed to hold one, with a
// summary whose status holds one, and runs every command that prints
// them: none writes a control character to the terminal; JSON output
// keeps the exact names.
func TestHostileNamesShownEscaped(t *testing.T) {
	dir := t.TempDir()
	table := filepath.Join(dir, "t\x1b[2J.csv")
	var text strings.Builder
	for i := range 60 {
		fmt.Fprintf(&text, "%d,%d,%s\n", i%5, (i*7)%11, hostileNames[i%len(hostileNames)])
	}
	if err := os.WriteFile(table, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, "runs")
	code, out, errs := call(t, "train", "--dataset", table, "--runs", runs, "--hidden", "8", "--epochs", "3", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	var sum trainer.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	run := sum.Run + "-\x1b[31mred"
	if err := os.Rename(sum.Run, run); err != nil {
		t.Fatal(err)
	}
	other := trainQuick(t, runs) // a second run: plot and runs compare them
	b, _ := os.ReadFile(filepath.Join(other, trainer.SummaryFile))
	os.WriteFile(filepath.Join(other, trainer.SummaryFile), []byte(strings.Replace(string(b), `"status": "done"`, `"status": "done\u001b[2J"`, 1)), 0o644)
	broken := filepath.Join(runs, "broken\x1b]0;T\x07")
	os.MkdirAll(broken, 0o755)
	os.WriteFile(filepath.Join(broken, trainer.ConfigFile), []byte("{\"x\x1b[2J\": 1"), 0o644)

	png := filepath.Join(dir, "p\x1b[2J.png")
	commands := [][]string{
		{"train", "--dataset", table, "--runs", runs, "--hidden", "8", "--epochs", "2"},
		{"train", "--dataset", table, "--runs", runs, "--epochs", "2", "--label", "zz\x1b[2J"},
		{"classify", "--run", run, "--top", "5", "1,2"},
		{"classify", "--run", run, "1,2", "1", table, "x\x1b[2J,1"},
		{"eval", "--run", run},
		{"eval", "--run", run, "--dataset", table},
		{"runs", "--runs", runs},
		{"plot", run, other},
		{"plot", "-o", png, run, other},
		{"plot", broken},
		{"plot", "--boundary", run},
		{"sweep", "--dataset", table, "--runs", runs, "--hidden", "4,6", "--epochs", "1"},
		{"train", "--resume", broken, "--epochs", "3"},
		{"trian\x1b[2J"},
	}
	for _, args := range commands {
		_, out, errs := call(t, args...)
		for what, text := range map[string]string{"stdout": out, "stderr": errs} {
			if bad := terminalUnsafe(text); bad != "" {
				t.Errorf("%q: %s holds %s:\n%q", args, what, bad, text)
			}
		}
		if !strings.Contains(out+errs, `\x1b`) && !strings.Contains(out+errs, `\u009b`) {
			t.Errorf("%q: nothing shown escaped: %q %q", args, out, errs)
		}
	}
	// JSON keeps the names exactly.
	_, out, _ = call(t, "classify", "--run", run, "--json", "--top", "5", "1,2")
	var pred struct{ Top []struct{ Class string } }
	if err := json.Unmarshal([]byte(out), &pred); err != nil {
		t.Fatalf("classify --json: %v: %q", err, out)
	}
	var got []string
	for _, p := range pred.Top {
		got = append(got, p.Class)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(hostileNames))
	if !slices.Equal(got, want) {
		t.Errorf("classify --json classes %q, want %q", got, want)
	}
	_, out, _ = call(t, "runs", "--runs", runs, "--json")
	if !strings.Contains(out, `\u001b[31mred`) {
		t.Errorf("runs --json lost the run's exact name: %s", out)
	}
}
