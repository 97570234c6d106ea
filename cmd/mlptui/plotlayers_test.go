package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

func TestPlotLayers(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := call(t, "train", "--runs", runs, "--dataset", "moons", "--samples", "200", "--epochs", "20", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	var sum struct{ Run string }
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	rows, err := trainer.ReadLayers(sum.Run)
	if err != nil || len(rows) == 0 {
		t.Fatalf("layers.csv: %d rows, %v", len(rows), err)
	}
	for _, ext := range []string{"png", "svg"} {
		f := filepath.Join(t.TempDir(), "l."+ext)
		if code, _, errs := call(t, "plot", "--layers", "-o", f, sum.Run); code != 0 {
			t.Fatalf("plot --layers -o %s: exit %d: %s", ext, code, errs)
		}
		b, err := os.ReadFile(f)
		if err != nil || ext == "png" && !bytes.HasPrefix(b, []byte("\x89PNG")) || ext == "svg" && !bytes.Contains(b, []byte("dense.2")) {
			t.Errorf("%s: not a plot of the layers (%v)", ext, err)
		}
	}
	// Not a terminal: no escape codes; every panel and layer named.
	code, out, errs = call(t, "plot", "--layers", "--width", "60", sum.Run)
	if code != 0 {
		t.Fatalf("plot --layers: exit %d: %s", code, errs)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape codes without a terminal:\n%s", out)
	}
	for _, want := range []string{"gradient norm", "update ratio", "dead units", "output standard deviation", "aa dense.0", "bb dense.1", "cc dense.2"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 60 {
			t.Errorf("a line over 60 columns: %q", l)
		}
	}
	// Bad input: one line each, naming the run or the flag.
	noLayers := t.TempDir()
	os.WriteFile(filepath.Join(noLayers, trainer.ConfigFile), []byte("{}"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--layers", sum.Run, sum.Run}, 2, "--layers draws one run; 2 given"},
		{[]string{"--layers", "--boundary", sum.Run}, 2, "--layers and --boundary draw different things"},
		{[]string{"--layers", filepath.Join(runs, "nothing")}, 1, "nothing: no such file or directory"},
		{[]string{"--layers", noLayers}, 1, "no layers.csv: the run has no layer statistics"},
		{[]string{"--layers", "-o", "x.gif", sum.Run}, 2, "x.gif"},
	} {
		code, _, errs := call(t, append([]string{"plot"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("plot %v: exit %d, %q; want %d, %q", c.args, code, errs, c.code, c.want)
		}
	}
	// A damaged file is refused by line.
	p := filepath.Join(sum.Run, trainer.LayersFile)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, append(b, "99,1,dense.0,dense,0,4,0,1,0,1,0,1,2,0,0,0,0,\n"...), 0o644)
	if code, _, errs := call(t, "plot", "--layers", sum.Run); code != 1 || !strings.Contains(errs, "layers.csv:") {
		t.Errorf("damaged layers.csv: exit %d, %q", code, errs)
	}
}
