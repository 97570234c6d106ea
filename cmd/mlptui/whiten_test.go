package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/mlptui/mlptui/export/onnx/onnxpb"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// TestWhitenClassifyEqualsEval trains an image model with --whiten zca:
// the model file holds the whitening, eval gives the summary's test
// accuracy, the dashboard's inspection of the run the same, and
// classifying each test image gives eval's probabilities for it.
func TestWhitenClassifyEqualsEval(t *testing.T) {
	root := imageFolder(t)
	runs := t.TempDir()
	code, out, errs := call(t, "train", "--dataset", root, "--runs", runs, "--hidden", "16", "--epochs", "15", "--batch", "8",
		"--lr", "0.01", "--augment", "--whiten", "zca", "--zca-epsilon", "0.05", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "fitting ZCA whitening (epsilon 0.05) on 44 training images of 192 values") {
		t.Errorf("no line about the fit on stderr:\n%s", errs)
	}
	var s trainer.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	m, err := nn.LoadModel(filepath.Join(s.Run, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Whiten == nil || m.Whiten.Epsilon != 0.05 || m.Whiten.Features() != 192 {
		t.Fatalf("model's whitening: %+v", m.Whiten)
	}
	ev, err := trainer.Evaluate(context.Background(), s.Run, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.TestAccuracy == nil || ev.Accuracy != *s.TestAccuracy {
		t.Errorf("eval accuracy %v, the summary's %v", ev.Accuracy, s.TestAccuracy)
	}
	in, err := trainer.Inspect(context.Background(), s.Run, "", 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.Accuracy != ev.Accuracy || in.Loss != ev.Loss {
		t.Errorf("dashboard's inspection %v (loss %v), eval %v (loss %v)", in.Accuracy, in.Loss, ev.Accuracy, ev.Loss)
	}
	// The test images in the order the folder loader reads them: each
	// class's files sorted, classes in sorted order.
	p := &lab.Predictor{Model: m}
	i := 0
	for _, class := range m.Classes {
		files, _ := filepath.Glob(filepath.Join(root, "test", class, "*.png"))
		slices.Sort(files)
		for _, f := range files {
			x, err := p.Input(f)
			if err != nil {
				t.Fatal(err)
			}
			got := m.Net.Predict(nn.FromSlice(1, len(x), x)).Row(0)
			for c, v := range got {
				if math.Abs(float64(v-ev.Probabilities[i][c])) > 1e-6 {
					t.Fatalf("%s: classify gives %v, eval %v", f, got, ev.Probabilities[i])
				}
			}
			i++
		}
	}
	if i != ev.Samples {
		t.Fatalf("classified %d test images, eval measured %d", i, ev.Samples)
	}
	// Without the whitening the same weights give other probabilities:
	// classify does apply it.
	m.Whiten = nil
	x, _ := p.Input(filepath.Join(root, "test", m.Classes[0], "ya.png"))
	if x != nil && slices.Equal(m.Net.Predict(nn.FromSlice(1, len(x), x)).Row(0), ev.Probabilities[0]) {
		t.Errorf("the unwhitened input gives the same probabilities")
	}
	// The ONNX export holds the whitening: a MatMul by whiten.matrix
	// (export/onnx's tests and tools/onnx-check.sh check what it computes).
	onnxFile := filepath.Join(t.TempDir(), "m.onnx")
	code, _, errs = call(t, "export", "--run", s.Run, "-o", onnxFile)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile(onnxFile)
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range mp.GetGraph().GetNode() {
		found = found || n.GetOpType() == "MatMul" && slices.Contains(n.Input, nn.WhitenMatrixTensor)
	}
	if !found {
		t.Errorf("the export has no MatMul by %s", nn.WhitenMatrixTensor)
	}
}

// TestWhitenResume: a resumed whitened run keeps its whitening (the
// checkpoint's, not a new fit) and ends as one that never stopped.
func TestWhitenResume(t *testing.T) {
	root := imageFolder(t)
	args := func(runs string, epochs string) []string {
		return []string{"train", "--dataset", root, "--runs", runs, "--hidden", "8", "--epochs", epochs, "--batch", "8", "--schedule", "constant", "--whiten", "zca", "--json"}
	}
	whole, part := t.TempDir(), t.TempDir()
	code, out, errs := call(t, args(whole, "6")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var a, b trainer.Summary
	json.Unmarshal([]byte(out), &a)
	if code, out, errs = call(t, args(part, "3")...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	json.Unmarshal([]byte(out), &b)
	code, out, errs = call(t, "train", "--resume", b.Run, "--epochs", "6", "--json")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "fitting ZCA") {
		t.Errorf("the resumed run fitted its whitening again:\n%s", errs)
	}
	ma, err := os.ReadFile(filepath.Join(a.Run, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	mb, err := os.ReadFile(filepath.Join(b.Run, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := nn.LoadModel(filepath.Join(a.Run, "model.safetensors"))
	y, _ := nn.LoadModel(filepath.Join(b.Run, "model.safetensors"))
	if x == nil || y == nil || !slices.Equal(x.Net.Params, y.Net.Params) || !slices.Equal(x.Whiten.Matrix, y.Whiten.Matrix) {
		t.Errorf("resumed run's model differs from the uninterrupted one's (%d and %d bytes)", len(ma), len(mb))
	}
}

func TestWhitenBadInput(t *testing.T) {
	runs := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--whiten", "pca"}, 2, `--whiten: "pca"; want none or zca`},
		{[]string{"--zca-epsilon", "-1"}, 2, `--zca-epsilon: -1; want a number > 0 and <= 1e6 (0: 0.1)`},
		{[]string{"--zca-epsilon", "NaN"}, 2, `--zca-epsilon: NaN`},
		{[]string{"--whiten", "zca"}, 1, `--whiten zca: is for images; iris is a table`},
	} {
		code, _, errs := call(t, append([]string{"train", "--runs", runs, "--epochs", "1"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != c.code || !strings.Contains(lines[len(lines)-1], c.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}
