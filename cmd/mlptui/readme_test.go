package main

import (
	"github.com/mlptui/mlptui/internal/pyref"
	"github.com/mlptui/mlptui/lab"

	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmePython returns the numpy example of README.md: its one ```python
// block, so that the README cannot drift from what is tested.
func readmePython(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```python\n")
	code, _, ok2 := strings.Cut(rest, "\n```")
	if !ok || !ok2 || strings.Contains(rest[len(code):], "```python\n") {
		t.Fatal("README.md: want exactly one ```python block, the numpy example")
	}
	return code
}

// TestReadmeNumpyExample runs README's numpy example on model.safetensors
// of table and image models of every layer kind (ReLU, leaky ReLU, GELU,
// LayerNorm, BatchNorm, residual blocks, ZCA whitening) and compares
// its probabilities with classify --json's, to 1e-6.
func TestReadmeNumpyExample(t *testing.T) {
	code := readmePython(t)
	py := pyref.Python(t, "numpy, PIL", "")
	script := filepath.Join(t.TempDir(), "predict.py")
	if err := os.WriteFile(script, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := t.TempDir()
	pics := smallImageFolder(t)
	png := filepath.Join(pics, "light", "lll.png")
	trainImages := func(extra ...string) string {
		code, out, errs := call(t, append([]string{"train", "--json", "--runs", runs, "--dataset", pics, "--hidden", "8,4", "--epochs", "3"}, extra...)...)
		if code != 0 {
			t.Fatalf("training on images: exit %d: %s", code, errs)
		}
		var s struct{ Run string }
		json.Unmarshal([]byte(out), &s)
		return s.Run
	}
	cases := []struct{ name, run, input string }{
		{"table relu", trainQuick(t, runs), "5.1,3.5,1.4,0.2"},
		{"table leaky", trainQuick(t, runs, "--activation", "leaky-relu", "--leaky-slope", "0.2", "--hidden", "16,8"), "6.7,3.0,5.2,2.3"},
		{"png relu", trainImages(), png},
		{"png leaky", trainImages("--activation", "leaky-relu"), png},
		{"table residual layer norm gelu", trainQuick(t, runs, "--block", "residual", "--norm", "layer", "--activation", "gelu", "--hidden", "8,8", "--dropout", "0.1"), "5.9,3.0,4.2,1.5"},
		{"table batch norm leaky", trainQuick(t, runs, "--norm", "batch", "--activation", "leaky-relu", "--hidden", "16,8"), "5.1,3.5,1.4,0.2"},
		{"table residual batch norm", trainQuick(t, runs, "--block", "residual", "--norm", "batch", "--expansion", "2", "--hidden", "8"), "6.7,3.0,5.2,2.3"},
		{"png residual layer norm gelu", trainImages("--block", "residual", "--norm", "layer", "--activation", "gelu", "--hidden", "8,8"), png},
		{"png whitened", trainImages("--whiten", "zca"), png},
	}
	for _, c := range cases {
		code, out, errs := call(t, "classify", "--run", c.run, "--json", "--top", "99", c.input)
		if code != 0 {
			t.Fatalf("%s: classify: exit %d: %s", c.name, code, errs)
		}
		var want lab.Prediction
		if err := json.Unmarshal([]byte(out), &want); err != nil {
			t.Fatal(err)
		}
		b, err := exec.Command(py, script, c.run, c.input).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: the README's example: %v\n%s", c.name, err, b)
		}
		var got map[string]float64
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: the README's example printed %q: %v", c.name, b, err)
		}
		if len(got) != len(want.Top) {
			t.Fatalf("%s: %d probabilities, classify gives %d", c.name, len(got), len(want.Top))
		}
		worst := 0.0
		for _, tp := range want.Top {
			p, ok := got[tp.Class]
			if !ok {
				t.Fatalf("%s: no probability for class %q in %v", c.name, tp.Class, got)
			}
			worst = max(worst, math.Abs(p-tp.Probability))
		}
		if worst > 1e-6 {
			t.Errorf("%s: numpy and classify differ by %.3g (numpy %v, classify %+v)", c.name, worst, got, want.Top)
		}
		t.Logf("%s: max |numpy - classify| = %.2g", c.name, worst)
	}
}
