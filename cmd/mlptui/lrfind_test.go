package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLRFind(t *testing.T) {
	runs := t.TempDir()
	png := filepath.Join(t.TempDir(), "lr.png")
	code, out, errs := call(t, "lr-find", "--runs", runs, "--dataset", "moons", "--steps", "60", "--json", "-o", png)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var f struct {
		LR         []float64  `json:"lr"`
		Loss       []*float64 `json:"loss"`
		Suggestion float64    `json:"suggestion"`
		Steps      int        `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if f.Steps != len(f.LR) || len(f.Loss) != len(f.LR) || f.Steps < 10 {
		t.Errorf("%d steps, %d rates, %d losses", f.Steps, len(f.LR), len(f.Loss))
	}
	if !(f.Suggestion >= f.LR[0] && f.Suggestion <= f.LR[len(f.LR)-1]) {
		t.Errorf("suggestion %g outside the rates tried", f.Suggestion)
	}
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("no PNG written: %v", err)
	}
	if ents, _ := os.ReadDir(runs); len(ents) != 0 {
		t.Errorf("lr-find saved %d runs", len(ents))
	}
	code, out, _ = call(t, "lr-find", "--runs", runs, "--dataset", "iris", "--steps", "40")
	if code != 0 || !strings.Contains(out, "suggested learning rate: ") || !strings.Contains(out, "1e-7") {
		t.Errorf("exit %d, text:\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "lr.jpg"}, `-o lr.jpg: unknown image format ".jpg"`},
		{[]string{"--steps", "3"}, "--steps 3: want 10 to 100000"},
		{[]string{"--lr", "abc"}, `"abc" is not a number`},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, _, errs := call(t, append([]string{"lr-find", "--runs", runs}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
}
