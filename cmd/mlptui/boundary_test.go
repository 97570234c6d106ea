package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlotBoundary(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := call(t, "train", "--runs", runs, "--dataset", "moons", "--samples", "200", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	var sum struct{ Run string }
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(t.TempDir(), "b.png")
	if code, _, errs := call(t, "plot", "--boundary", "-o", png, sum.Run); code != 0 {
		t.Fatalf("plot --boundary -o: exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("no PNG: %v", err)
	}
	// Not a terminal: letters, no escape codes; both classes painted,
	// training points as capitals.
	code, out, errs = call(t, "plot", "--boundary", "--width", "40", sum.Run)
	if code != 0 {
		t.Fatalf("plot --boundary: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 21 || len(lines[0]) != 40 || strings.Contains(out, "\x1b") {
		t.Errorf("%d lines, the first %d wide:\n%s", len(lines), len(lines[0]), out)
	}
	for _, want := range []string{"a", "b", "A", "B", "classes upper, lower"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// Iris has four features; two runs are one too many.
	code, out, _ = call(t, "train", "--runs", runs, "--hidden", "8", "--epochs", "2", "--json")
	if code != 0 {
		t.Fatal("iris run failed")
	}
	json.Unmarshal([]byte(out), &sum)
	if code, _, errs := call(t, "plot", "--boundary", sum.Run); code != 1 || !strings.Contains(errs, "has 4 features") {
		t.Errorf("iris: exit %d, %q", code, errs)
	}
	if code, _, errs := call(t, "plot", "--boundary", sum.Run, sum.Run); code != 2 || !strings.Contains(errs, "--boundary draws one run; 2 given") {
		t.Errorf("two runs: exit %d, %q", code, errs)
	}
}
