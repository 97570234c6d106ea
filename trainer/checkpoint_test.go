package trainer

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/nn"
)

// editedCheckpoint writes to path a copy of a checkpoint's tensors and
// metadata as edit leaves them.
func editedCheckpoint(t *testing.T, path string, ts map[string]nn.Tensor, meta map[string]string, edit func(ts map[string]nn.Tensor, meta map[string]string)) string {
	t.Helper()
	t2 := map[string]nn.Tensor{}
	for k, v := range ts {
		t2[k] = v
	}
	m2 := map[string]string{}
	for k, v := range meta {
		m2[k] = v
	}
	edit(t2, m2)
	var names []string
	for k := range t2 {
		names = append(names, k)
	}
	sort.Strings(names)
	var list []nn.Tensor
	for _, k := range names {
		list = append(list, t2[k])
	}
	if err := nn.SaveSafetensors(path, list, m2); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckpointRefused damages a real checkpoint's metadata and tensors
// one way at a time: each is refused with a message naming the file and
// what is wrong, and a resume from it fails without touching the run.
func TestCheckpointRefused(t *testing.T) {
	_, s := runToEnd(t)(Start(context.Background(), smallConfig(t)))
	good := filepath.Join(s.Run, CheckpointFile)
	ts, meta, err := nn.LoadSafetensors(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readCheckpoint(good); err != nil {
		t.Fatalf("the good checkpoint: %v", err)
	}
	dir := t.TempDir()
	write := func(name string, edit func(ts map[string]nn.Tensor, meta map[string]string)) string {
		return editedCheckpoint(t, filepath.Join(dir, name), ts, meta, edit)
	}
	goodBytes, _ := os.ReadFile(good)
	flipped := append([]byte(nil), goodBytes...)
	flipped[len(flipped)-7] ^= 0x04
	flippedPath := filepath.Join(dir, "flipped")
	os.WriteFile(flippedPath, flipped, 0o644)

	cases := []struct {
		name, path, want string
	}{
		{"flipped byte", flippedPath, "checksum mismatch"},
		{"truncated", func() string {
			p := filepath.Join(dir, "cut")
			os.WriteFile(p, goodBytes[:len(goodBytes)/2], 0o644)
			return p
		}(), "truncated"},
		{"a model file", write("model", func(_ map[string]nn.Tensor, m map[string]string) { m["format"] = nn.ModelFormat }), "holds a mlptui.model, not a mlptui.checkpoint"},
		{"newer version", write("newer", func(_ map[string]nn.Tensor, m map[string]string) { m["format_version"] = "99" }), "format version 99 is newer"},
		{"negative step", write("step", func(_ map[string]nn.Tensor, m map[string]string) { m["step"] = "-1" }), "bad or missing metadata [step]"},
		{"no epoch", write("epoch", func(_ map[string]nn.Tensor, m map[string]string) { delete(m, "epoch") }), "bad or missing metadata [epoch]"},
		{"text for a number", write("lr", func(_ map[string]nn.Tensor, m map[string]string) { m["base_lr"] = "fast" }), "bad or missing metadata [base_lr]"},
		{"base_lr -1", write("lr-neg", func(_ map[string]nn.Tensor, m map[string]string) { m["base_lr"] = "-1" }), "base_lr: -1; want a learning rate > 0 and <= 10"},
		{"dropout 1.5", write("drop", func(_ map[string]nn.Tensor, m map[string]string) { m["dropout"] = "1.5" }), "dropout: 1.5; want a probability in [0, 1)"},
		{"dropout NaN", write("dropnan", func(_ map[string]nn.Tensor, m map[string]string) { m["dropout"] = "NaN" }), "dropout: NaN; want a probability"},
		{"optimizer rmsprop", write("opt", func(_ map[string]nn.Tensor, m map[string]string) { m["optimizer"] = "rmsprop" }), `optimizer: "rmsprop"; want adam or sgd`},
		{"epoch 10^6", write("ep", func(_ map[string]nn.Tensor, m map[string]string) { m["epoch"] = "1000000" }), "epoch: 1000000; want 1 to 100000"},
		{"train_seconds NaN", write("secs", func(_ map[string]nn.Tensor, m map[string]string) { m["train_seconds"] = "NaN" }), "train_seconds: NaN; want a finite time >= 0"},
		{"loss_sum Inf", write("loss", func(_ map[string]nn.Tensor, m map[string]string) { m["loss_sum"] = "+Inf" }), "loss_sum: +Inf"},
		{"optimizer_step beyond step", write("ostep", func(_ map[string]nn.Tensor, m map[string]string) { m["optimizer_step"] = "9223372036854775807" }), "optimizer_step: 9223372036854775807, more than"},
		{"correct beyond seen", write("correct", func(_ map[string]nn.Tensor, m map[string]string) { m["correct"], m["seen"] = "5", "3" }), "correct: 5 of 3 seen"},
		{"weights missing", write("noweights", func(ts map[string]nn.Tensor, _ map[string]string) { delete(ts, "dense.1.weight") }), `needs tensor "dense.1.weight", which is missing`},
	}
	for _, c := range cases {
		_, err := readCheckpoint(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line naming %s and saying %q", c.name, err, filepath.Base(c.path), c.want)
		}
	}

	// A step count the run's epochs cannot hold (INT64_MAX, the
	// optimizer's with it) is refused when resuming, naming the file.
	huge := write("huge-step", func(_ map[string]nn.Tensor, m map[string]string) {
		m["step"], m["optimizer_step"] = "9223372036854775807", "9223372036854775807"
	})
	hb, _ := os.ReadFile(huge)
	if err := os.WriteFile(good, hb, 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := Resume(context.Background(), s.Run, s.Epochs+2); err == nil {
		for range r.Events() {
		}
		if _, err = r.Wait(); err == nil || !strings.Contains(err.Error(), good+": step 9223372036854775807, more than") {
			t.Errorf("resume from step INT64_MAX: %v", err)
		}
	} else if !strings.Contains(err.Error(), good+": step 9223372036854775807, more than") {
		t.Errorf("resume from step INT64_MAX: %v", err)
	}
	os.WriteFile(good, goodBytes, 0o644)

	// Resuming from a damaged checkpoint fails and leaves the run as it was.
	before, _ := os.ReadFile(filepath.Join(s.Run, SummaryFile))
	if err := os.WriteFile(good, flipped, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(context.Background(), s.Run, s.Epochs+2); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("resume from a damaged checkpoint: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(s.Run, SummaryFile))
	if string(before) != string(after) {
		t.Errorf("a refused resume rewrote summary.json")
	}
}

// TestLoadModelConfigRules: a model file whose network nn accepts but no
// Config could have made (33 hidden layers; a Config allows 32) is
// refused by trainer.LoadModel, naming the file and the rule; a model of
// 32 layers loads.
func TestLoadModelConfigRules(t *testing.T) {
	save := func(layers int) string {
		hidden := make([]int, layers)
		for i := range hidden {
			hidden[i] = 2
		}
		net, err := nn.New(nn.Arch{Inputs: 2, Hidden: hidden, Classes: 2, Activation: nn.ReLU}, 1)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), ModelFile)
		m := &nn.Model{Net: net, Classes: []string{"a", "b"}, InputShape: []int{2}, Mean: []float32{0, 0}, Std: []float32{1, 1}}
		if err := nn.SaveModel(p, m); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := LoadModel(save(32)); err != nil {
		t.Errorf("32 hidden layers: %v", err)
	}
	p := save(33)
	if _, err := nn.LoadModel(p); err != nil {
		t.Fatalf("nn.LoadModel of 33 layers: %v (the test wants a file nn accepts)", err)
	}
	if _, err := LoadModel(p); err == nil || err.Error() != p+": arch: 33 layers; at most 32" {
		t.Errorf("33 hidden layers: %v", err)
	}
}
