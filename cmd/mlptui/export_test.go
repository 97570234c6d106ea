package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// TestExportBadInput: a damaged or foreign run directory, or an output that
// cannot be written, gets one line naming the file, exit 1, and leaves no
// file (partial or whole) behind; an existing output is left as it was.
func TestExportBadInput(t *testing.T) {
	runs := t.TempDir()
	good := trainQuick(t, runs)
	model := filepath.Join(good, trainer.ModelFile)
	data, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	// runWith makes a run directory whose model.safetensors holds b (or is
	// a directory when b is nil).
	runWith := func(name string, b []byte) string {
		dir := filepath.Join(t.TempDir(), name)
		os.MkdirAll(dir, 0o755)
		if b == nil {
			os.Mkdir(filepath.Join(dir, trainer.ModelFile), 0o755)
		} else {
			os.WriteFile(filepath.Join(dir, trainer.ModelFile), b, 0o644)
		}
		return dir
	}
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)-5] ^= 0x10
	ckpt, _ := os.ReadFile(filepath.Join(good, trainer.CheckpointFile))
	foreign := filepath.Join(t.TempDir(), "foreign.safetensors")
	if err := nn.SaveSafetensors(foreign, []nn.Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1, 2}}}, map[string]string{"framework": "pt"}); err != nil {
		t.Fatal(err)
	}
	foreignBytes, _ := os.ReadFile(foreign)
	empty := t.TempDir()
	outDir := t.TempDir()
	existing := filepath.Join(outDir, "keep.onnx")
	os.WriteFile(existing, []byte("keep me"), 0o644)

	cases := []struct {
		name string
		args []string
		code int
		want string // in the one line on stderr
	}{
		{"no --run", []string{"export"}, 2, "--run is required"},
		{"extra argument", []string{"export", "--run", good, "x"}, 2, `unexpected argument "x"`},
		{"no such run", []string{"export", "--run", "/no/such/run"}, 1, "--run /no/such/run: no such file or directory"},
		{"not a run directory", []string{"export", "--run", empty}, 1, empty + ": no model.safetensors in it"},
		{"flipped bit", []string{"export", "--run", runWith("flip", flipped)}, 1, "model.safetensors: checksum mismatch"},
		{"truncated", []string{"export", "--run", runWith("trunc", data[:1000])}, 1, "model.safetensors: "},
		{"empty model file", []string{"export", "--run", runWith("zero", []byte{})}, 1, "model.safetensors: "},
		{"checkpoint over the model", []string{"export", "--run", runWith("ckpt", ckpt)}, 1, "model.safetensors: holds a mlptui.checkpoint, not a mlptui.model"},
		{"foreign safetensors", []string{"export", "--run", runWith("foreign", foreignBytes)}, 1, "model.safetensors: not an mlptui file"},
		{"text", []string{"export", "--run", runWith("text", []byte("hello, I am not a model\n"))}, 1, "model.safetensors: "},
		{"model is a directory", []string{"export", "--run", runWith("dir", nil)}, 1, "model.safetensors: "},
		{"output directory missing", []string{"export", "--run", good, "-o", filepath.Join(outDir, "no", "m.onnx")}, 1, filepath.Join(outDir, "no", "m.onnx")},
		{"output is a directory", []string{"export", "--run", good, "-o", outDir}, 1, outDir},
	}
	for _, c := range cases {
		code, out, errs := call(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", c.name, code, errs, c.code, c.want)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || out != "" {
			t.Errorf("%s: stdout %q, stderr %q: want nothing and one line", c.name, out, errs)
		}
		if len(c.args) > 2 {
			if _, err := os.Stat(filepath.Join(c.args[2], "model.onnx")); err == nil {
				t.Errorf("%s: a model.onnx was written", c.name)
			}
		}
	}
	ents, _ := os.ReadDir(outDir)
	if len(ents) != 1 {
		t.Errorf("the output directory holds %d entries, want only keep.onnx (no temporary files)", len(ents))
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("a failed export changed an existing file")
	}

	// A good run: the default path, then -o over an existing file.
	code, out, errs := call(t, "export", "--run", good)
	if want := filepath.Join(good, "model.onnx"); code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("export: exit %d, stdout %q, stderr %q; want %s", code, out, errs, want)
	}
	if code, _, errs := call(t, "export", "--run", model, "-o", existing); code != 0 {
		t.Fatalf("export of a model file: exit %d: %s", code, errs)
	}
	a, _ := os.ReadFile(filepath.Join(good, "model.onnx"))
	b, _ := os.ReadFile(existing)
	if len(a) < 1000 || string(a) != string(b) {
		t.Errorf("exporting the run and its model file gave different files (%d and %d bytes)", len(a), len(b))
	}
}
