package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
	checkBoundaryLegend(t, sum.Run)
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

// checkBoundaryLegend: the figure's legend names each class's region,
// training points and test points right and wrong, beside the painted
// plane, not over it (black text on the dark hues could not be read).
func checkBoundaryLegend(t *testing.T, run string) {
	t.Helper()
	svg := filepath.Join(t.TempDir(), "b.svg")
	if code, _, errs := call(t, "plot", "--boundary", "-o", svg, run); code != 0 {
		t.Fatalf("plot --boundary -o b.svg: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	img := regexp.MustCompile(`<image x="([0-9.]+)"[^>]* width="([0-9.]+)"`).FindSubmatch(b)
	if img == nil {
		t.Fatalf("no painted plane in the SVG")
	}
	x0, _ := strconv.ParseFloat(string(img[1]), 64)
	w, _ := strconv.ParseFloat(string(img[2]), 64)
	texts := map[string]float64{}
	for _, m := range regexp.MustCompile(`<text x="([0-9.]+)"[^>]*>([^<]+)</text>`).FindAllSubmatch(b, -1) {
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		texts[string(m[2])] = x
	}
	for _, class := range []string{"upper", "lower"} {
		for _, kind := range []string{"predicted", "train", "test, right", "test, wrong"} {
			entry := class + " " + kind
			x, ok := texts[entry]
			if !ok && kind == "test, wrong" {
				continue // a model may get every test point of a class right
			}
			if !ok || x < x0+w {
				t.Errorf("legend entry %q: at x %v (found %v), want right of the plane (%v to %v)", entry, x, ok, x0, x0+w)
			}
		}
	}
}
